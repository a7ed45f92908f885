/*
 * What the memory a server touches right after a system call costs on this machine: per cache line, and per page.
 *
 * Each iteration makes the calls an echo server makes per event (CALLS: "net", a 64-byte send and recv over loopback
 * TCP, so the kernel's network stack runs in between; "trivial", two getppid calls; "none", no call at all), then
 * reads LINES distinct cache lines spread evenly over PAGES pages: each read independent of the others ("spread", so
 * the CPU overlaps their misses), or each line holding where the next is ("chained", as code that follows references
 * from object to object must wait for each). The lines sit in distinct cache sets as far as they can (at most
 * LINES / 64 lines share a set), so what they cost is not the sets' own conflicts. The time per
 * iteration minus the time with 0 lines is what that much of the server's own code and data costs after each call;
 * against "none", what the call itself takes away: the kernel's work evicts lines, and with page-table isolation
 * without PCID every return to user mode empties the TLB, so the first touch of each page is a page walk.
 *
 *   gcc -O2 -o /tmp/cache-after-syscall bench/probes/cache-after-syscall.c
 *   for calls in net trivial none; do for p in 1 16 64; do
 *     taskset -c 1 /tmp/cache-after-syscall 64 $p $calls chained; done; done
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

#define MAX_PAGES 256
#define LINES_PER_PAGE 64
#define ITERATIONS 100000

enum calls { NET, TRIVIAL, NONE };

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static void die(const char *what) {
    perror(what);
    exit(1);
}

static long parse(const char *text, const char *name, long min, long max) {
    char *end;
    long value = strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || value < min || value > max) {
        fprintf(stderr, "cache-after-syscall: %s '%s' is not a number in %ld..%ld\n", name, text, min, max);
        exit(2);
    }
    return value;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s LINES PAGES net|trivial|none spread|chained\n", argv[0]);
        return 2;
    }
    long pages = parse(argv[2], "PAGES", 1, MAX_PAGES);
    long lines = parse(argv[1], "LINES", 0, pages * LINES_PER_PAGE);
    enum calls calls = strcmp(argv[3], "net") == 0 ? NET : strcmp(argv[3], "trivial") == 0 ? TRIVIAL
                     : strcmp(argv[3], "none") == 0 ? NONE : -1;
    if ((int)calls < 0) {
        fprintf(stderr, "cache-after-syscall: calls '%s' is none of net, trivial, none\n", argv[3]);
        return 2;
    }
    int chained = strcmp(argv[4], "chained") == 0;
    if (!chained && strcmp(argv[4], "spread") != 0) {
        fprintf(stderr, "cache-after-syscall: order '%s' is neither spread nor chained\n", argv[4]);
        return 2;
    }

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

    volatile char *memory = aligned_alloc(4096, MAX_PAGES * 4096);
    if (memory == NULL) die("aligned_alloc");
    memset((void *)memory, 1, MAX_PAGES * 4096);
    /* Line i goes to page i % pages; within its page, successive lines of that page take successive slots, shifted
       by the page's number so that the first line of every page lands in a different cache set. */
    long *offsets = malloc((lines > 0 ? lines : 1) * sizeof *offsets);
    if (offsets == NULL) die("malloc");
    for (long line = 0; line < lines; line++) {
        long page = line % pages, nth = line / pages;
        offsets[line] = page * 4096 + ((page + nth) % LINES_PER_PAGE) * 64;
    }
    for (long line = 0; line < lines; line++) /* the chain: each line names the next, the last the first */
        *(volatile long *)(memory + offsets[line]) = offsets[(line + 1) % lines];

    char message[64] = {0};
    unsigned sum = 0;
    double per_iteration = 0;
    for (int pass = 0; pass < 2; pass++) { /* the first pass warms up */
        double start = now_ns();
        for (int i = 0; i < ITERATIONS; i++) {
            if (calls == TRIVIAL) {
                syscall(SYS_getppid);
                syscall(SYS_getppid);
            } else if (calls == NET && (send(client, message, sizeof message, 0) != sizeof message ||
                                        recv(server, message, sizeof message, MSG_WAITALL) != sizeof message)) {
                die("send/recv");
            }
            if (chained) {
                long at = lines > 0 ? offsets[0] : 0;
                for (long line = 0; line < lines; line++) at = *(volatile long *)(memory + at);
                sum += (unsigned)at;
            } else {
                for (long line = 0; line < lines; line++) sum += memory[offsets[line]];
            }
        }
        per_iteration = (now_ns() - start) / ITERATIONS;
    }
    printf("%s, then %ld %s lines over %ld pages: %.1f ns per iteration\n",
           calls == NET ? "send + recv" : calls == TRIVIAL ? "2 getppid" : "no call", lines, chained ? "chained" : "spread",
           pages, per_iteration);
    return sum == 42; /* keeps the reads */
}
