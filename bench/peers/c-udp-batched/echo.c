/*
 * The batched UDP reference: what one thread and the kernel can do with recvmmsg and sendmmsg, no runtime in
 * between. Single thread, epoll level-triggered, one non-blocking UDP socket bound to 127.0.0.1:PORT.
 *
 * Each readable event reads up to 64 datagrams in one recvmmsg into 64 buffers of 64 KiB, and sends them straight
 * back from the same buffers, to the addresses they came from, in one sendmmsg. A datagram the kernel refuses
 * to send now (EAGAIN) is dropped, as UDP allows; the count is printed at exit. SIGTERM or SIGINT stops it.
 *
 * Usage: echo PORT
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 64
#define DATAGRAM_SIZE 65536

static volatile sig_atomic_t stopping;

static void on_signal(int signal_number) { (void)signal_number; stopping = 1; }

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        return 2;
    }
    struct sigaction action = { .sa_handler = on_signal };
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);

    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) { perror("socket"); return 1; }
    int buffer = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1])) };
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    if (bind(fd, (struct sockaddr *)&address, sizeof address) < 0) { perror("bind"); return 1; }

    int epoll = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event interest = { .events = EPOLLIN, .data.fd = fd };
    if (epoll < 0 || epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &interest) < 0) { perror("epoll"); return 1; }

    static char buffers[BATCH][DATAGRAM_SIZE];
    static struct sockaddr_in6 peers[BATCH];
    static struct iovec vectors[BATCH];
    static struct mmsghdr messages[BATCH];
    unsigned long long received = 0, sent = 0, dropped = 0, receive_calls = 0, send_calls = 0;

    while (!stopping) {
        struct epoll_event event;
        int ready = epoll_wait(epoll, &event, 1, -1);
        if (ready < 0) {
            if (errno == EINTR) continue;
            perror("epoll_wait");
            return 1;
        }
        for (;;) {
            for (int i = 0; i < BATCH; i++) {
                vectors[i] = (struct iovec){ .iov_base = buffers[i], .iov_len = DATAGRAM_SIZE };
                messages[i].msg_hdr = (struct msghdr){ .msg_name = &peers[i], .msg_namelen = sizeof peers[i], .msg_iov = &vectors[i], .msg_iovlen = 1 };
            }
            int n = recvmmsg(fd, messages, BATCH, MSG_DONTWAIT, NULL);
            if (n <= 0) {
                if (n < 0 && errno != EAGAIN && errno != EINTR) perror("recvmmsg");
                break;
            }
            received += (unsigned long long)n;
            receive_calls++;
            for (int i = 0; i < n; i++) {
                vectors[i].iov_len = messages[i].msg_len; /* echo exactly what arrived */
            }
            int done = 0;
            while (done < n) {
                int m = sendmmsg(fd, messages + done, (unsigned)(n - done), MSG_DONTWAIT);
                if (m < 0) {
                    if (errno == EINTR) continue;
                    dropped += (unsigned long long)(n - done); /* EAGAIN or a refusal: UDP may drop */
                    break;
                }
                send_calls++;
                sent += (unsigned long long)m;
                done += m;
            }
            if (n < BATCH) break; /* drained */
        }
    }
    fprintf(stderr, "c-udp-batched: %llu received in %llu calls, %llu sent in %llu calls, %llu dropped\n",
            received, receive_calls, sent, send_calls, dropped);
    return 0;
}
