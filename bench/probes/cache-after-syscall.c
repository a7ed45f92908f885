/*
 * What one memory access costs a server right after a system call, on this machine.
 *
 * Each iteration makes the calls an echo server makes per event (a 64-byte send and recv over loopback TCP, so
 * the kernel's network stack runs in between; or, with "trivial", two getppid calls), then reads LINES distinct
 * cache lines spread over 64 pages. The time per iteration minus the time with 0 lines, divided by LINES, is what
 * each line the server's own code and data touch after a call costs: the kernel's work (and, with page-table
 * isolation, its page-table switch) left them out of the CPU's caches and TLB.
 *
 *   gcc -O2 -o /tmp/cache-after-syscall bench/probes/cache-after-syscall.c
 *   for n in 0 64 128 256; do taskset -c 1 /tmp/cache-after-syscall $n; done
 *   for n in 0 64 128 256; do taskset -c 1 /tmp/cache-after-syscall $n trivial; done
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define PAGES 64
#define ITERATIONS 100000

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static void die(const char *what) {
    perror(what);
    exit(1);
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "trivial") != 0)) {
        fprintf(stderr, "usage: %s LINES [trivial]\n", argv[0]);
        return 2;
    }
    char *end;
    long lines = strtol(argv[1], &end, 10);
    if (*argv[1] == '\0' || *end != '\0' || lines < 0 || lines > PAGES * 64) {
        fprintf(stderr, "cache-after-syscall: LINES '%s' is not a number in 0..%d\n", argv[1], PAGES * 64);
        return 2;
    }
    int trivial = argc == 3;

    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (listener < 0 || bind(listener, (struct sockaddr *)&address, sizeof address) < 0 ||
        getsockname(listener, (struct sockaddr *)&address, &length) < 0 || listen(listener, 1) < 0) die("listen");
    int client = socket(AF_INET, SOCK_STREAM, 0);
    if (client < 0 || connect(client, (struct sockaddr *)&address, sizeof address) < 0) die("connect");
    int server = accept(listener, NULL, NULL);
    if (server < 0) die("accept");
    int one = 1;
    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

    volatile char *memory = aligned_alloc(4096, PAGES * 4096);
    if (memory == NULL) die("aligned_alloc");
    memset((void *)memory, 1, PAGES * 4096);
    char message[64] = {0};
    unsigned sum = 0;
    double per_iteration = 0;
    for (int pass = 0; pass < 2; pass++) { /* the first pass warms up */
        double start = now_ns();
        for (int i = 0; i < ITERATIONS; i++) {
            if (trivial) {
                syscall(SYS_getppid);
                syscall(SYS_getppid);
            } else if (send(client, message, sizeof message, 0) != sizeof message ||
                       recv(server, message, sizeof message, MSG_WAITALL) != sizeof message) {
                die("send/recv");
            }
            for (long line = 0; line < lines; line++) sum += memory[(line % PAGES) * 4096 + (line / PAGES) * 64];
        }
        per_iteration = (now_ns() - start) / ITERATIONS;
    }
    printf("%s, then %ld lines over %d pages: %.1f ns per iteration\n", trivial ? "2 getppid" : "send + recv", lines,
           PAGES, per_iteration);
    return sum == 42; /* keeps the reads */
}
