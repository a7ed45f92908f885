/*
 * The simple UDP peer: one datagram per system call, as most hand-written servers do. Single thread, epoll
 * level-triggered, one non-blocking UDP socket bound to 127.0.0.1:PORT; each readable event reads with
 * recvfrom until EAGAIN and answers each datagram with its own sendto. SIGTERM or SIGINT stops it.
 *
 * Usage: echo PORT
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "../udp-peer.h"

int main(int argc, char **argv)
{
    int fd, epoll;
    int refused = udp_peer_start(argc, argv, &fd, &epoll);
    if (refused != 0) return refused;

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
