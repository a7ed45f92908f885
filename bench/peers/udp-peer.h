/*
 * What both C UDP peers share, so they differ only in how they read and answer: the usage line, SIGTERM/SIGINT
 * setting `stopping`, one non-blocking UDP socket bound to 127.0.0.1:PORT with a 4 MiB receive buffer (so a burst
 * is not dropped before the loop runs), and a level-triggered epoll watching it.
 */
#ifndef UDP_PEER_H
#define UDP_PEER_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>

static volatile sig_atomic_t stopping;

static void on_signal(int signal_number) { (void)signal_number; stopping = 1; }

/* Returns 0 with *socket_fd and *epoll_fd set, or the exit code main should return (after printing why). */
static int udp_peer_start(int argc, char **argv, int *socket_fd, int *epoll_fd)
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
    *socket_fd = fd;
    *epoll_fd = epoll;
    return 0;
}

#endif
