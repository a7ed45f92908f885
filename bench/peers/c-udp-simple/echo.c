/*
 * The simple UDP peer: one datagram per system call, as most hand-written servers do. Single thread, epoll
 * level-triggered, one non-blocking UDP socket bound to 127.0.0.1:PORT; each readable event reads with
 * recvfrom until EAGAIN and answers each datagram with its own sendto. SIGTERM or SIGINT stops it.
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

    static char datagram[65536];
    unsigned long long received = 0, sent = 0, dropped = 0;
    while (!stopping) {
        struct epoll_event event;
        int ready = epoll_wait(epoll, &event, 1, -1);
        if (ready < 0) {
            if (errno == EINTR) continue;
            perror("epoll_wait");
            return 1;
        }
        for (;;) {
            struct sockaddr_in6 peer;
            socklen_t length = sizeof peer;
            ssize_t n = recvfrom(fd, datagram, sizeof datagram, 0, (struct sockaddr *)&peer, &length);
            if (n < 0) {
                if (errno != EAGAIN && errno != EINTR) perror("recvfrom");
                break;
            }
            received++;
            if (sendto(fd, datagram, (size_t)n, 0, (struct sockaddr *)&peer, length) < 0) dropped++;
            else sent++;
        }
    }
    fprintf(stderr, "c-udp-simple: %llu received, %llu sent, %llu dropped\n", received, sent, dropped);
    return 0;
}
