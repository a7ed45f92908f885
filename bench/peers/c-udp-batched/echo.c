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
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "../udp-peer.h"

#define BATCH 64
#define DATAGRAM_SIZE 65536

int main(int argc, char **argv)
{
    int fd, epoll;
    int refused = udp_peer_start(argc, argv, &fd, &epoll);
    if (refused != 0) return refused;

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
