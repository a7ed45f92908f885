/*
 * The reference point: what one thread and the kernel can do with no runtime in between.
 * Single thread, epoll level-triggered, non-blocking sockets, bound to 127.0.0.1:PORT.
 *
 * Each connection owns one buffer. Bytes read are written straight back; what the kernel did not
 * take (a partial write) stays in the buffer, the connection stops asking for input and asks for
 * EPOLLOUT instead, and reading resumes only once the buffer is empty. So memory per connection
 * is bounded and a slow reader sees TCP backpressure, never lost or reordered bytes.
 *
 * Usage: echo PORT
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>

#define BUFFER_SIZE 65536
#define MAX_EVENTS 256

struct connection {
    int fd;
    size_t pending; /* bytes in buf not yet written back */
    size_t offset;  /* where the unwritten bytes start */
    char buf[BUFFER_SIZE];
};

static int epfd;

static void die(const char *what) {
    perror(what);
    exit(1);
}

static void watch(struct connection *c, int op, unsigned events) {
    struct epoll_event ev = {.events = events, .data.ptr = c};
    if (epoll_ctl(epfd, op, c->fd, &ev) < 0) die("epoll_ctl");
}

static void drop(struct connection *c) {
    close(c->fd); /* closing removes it from the epoll set */
    free(c);
}

/* Writes what is pending; returns -1 on a fatal error, 0 if all written, 1 if the kernel is full. */
static int flush(struct connection *c) {
    while (c->pending > 0) {
        ssize_t n = send(c->fd, c->buf + c->offset, c->pending, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return 1;
            return -1;
        }
        c->offset += (size_t)n;
        c->pending -= (size_t)n;
    }
    c->offset = 0;
    return 0;
}

static void on_readable(struct connection *c) {
    for (;;) {
        ssize_t n = recv(c->fd, c->buf, sizeof c->buf, 0);
        if (n == 0) { drop(c); return; }
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;
            drop(c);
            return;
        }
        c->pending = (size_t)n;
        c->offset = 0;
        int r = flush(c);
        if (r < 0) { drop(c); return; }
        if (r > 0) { watch(c, EPOLL_CTL_MOD, EPOLLOUT); return; } /* stop reading until drained */
        if ((size_t)n < sizeof c->buf) return; /* short read: the socket is empty (level-triggered anyway) */
    }
}

static void on_writable(struct connection *c) {
    int r = flush(c);
    if (r < 0) drop(c);
    else if (r == 0) watch(c, EPOLL_CTL_MOD, EPOLLIN);
}

static void on_acceptable(int listener) {
    for (;;) {
        int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            return; /* EAGAIN, or EMFILE: try again on the next readiness */
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct connection *c = malloc(sizeof *c);
        if (c == NULL) { close(fd); continue; }
        c->fd = fd;
        c->pending = 0;
        c->offset = 0;
        watch(c, EPOLL_CTL_ADD, EPOLLIN);
    }
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        return 2;
    }
    char *end;
    long port = strtol(argv[1], &end, 10);
    if (*end != '\0' || port < 1 || port > 65535) {
        fprintf(stderr, "echo: port '%s' is not a number in 1..65535\n", argv[1]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);

    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (listener < 0) die("socket");
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind");
    if (listen(listener, SOMAXCONN) < 0) die("listen");

    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) die("epoll_create1");
    struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, listener, &lev) < 0) die("epoll_ctl");
    fprintf(stderr, "c-epoll echo on 127.0.0.1:%ld\n", port);

    struct epoll_event events[MAX_EVENTS];
    for (;;) {
        int n = epoll_wait(epfd, events, MAX_EVENTS, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        for (int i = 0; i < n; i++) {
            struct connection *c = events[i].data.ptr;
            if (c == NULL) { on_acceptable(listener); continue; }
            if (events[i].events & (EPOLLERR | EPOLLHUP)) { drop(c); continue; }
            if (events[i].events & EPOLLOUT) on_writable(c);
            else if (events[i].events & EPOLLIN) on_readable(c);
        }
    }
}
