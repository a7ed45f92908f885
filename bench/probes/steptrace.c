/*
 * Single-steps one thread of a running process and records, for every instruction it executes in user mode, the
 * instruction's address, the call's number when the instruction was a system call (-1 otherwise), and the
 * general registers and fs base as they were before it ran (rax rbx rcx rdx rsi rdi rbp rsp r8-r15 fs_base, from
 * which the addresses it touches can be computed): 19 little-endian int64 per step. The thread runs on at its own
 * pace, one instruction per step, so a server under a closed-loop load keeps serving, slowly; what it executes per
 * event does not depend on the pace.
 *
 *   gcc -O2 -o /tmp/steptrace bench/probes/steptrace.c
 *   /tmp/steptrace TID STEPS OUT
 *
 * Needs ptrace rights over the thread (root, or the same user with kernel.yama.ptrace_scope = 0).
 * bench/instructions-per-event.py runs it and reads what it writes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>

static long parse(const char *text, const char *name) {
    char *end;
    long value = strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || value < 1) {
        fprintf(stderr, "steptrace: %s '%s' is not a positive number\n", name, text);
        exit(2);
    }
    return value;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s TID STEPS OUT\n", argv[0]);
        return 2;
    }
    pid_t tid = (pid_t)parse(argv[1], "TID");
    long steps = parse(argv[2], "STEPS");
    FILE *out = fopen(argv[3], "wb");
    if (out == NULL) {
        perror(argv[3]);
        return 1;
    }
    int status;
    if (ptrace(PTRACE_SEIZE, tid, 0, 0) < 0 || ptrace(PTRACE_INTERRUPT, tid, 0, 0) < 0 || waitpid(tid, &status, __WALL) < 0) {
        perror("steptrace: attach");
        return 1;
    }
    uint64_t previous = 0;
    for (long i = 0; i < steps; i++) {
        struct user_regs_struct regs;
        if (ptrace(PTRACE_GETREGS, tid, 0, &regs) < 0) {
            perror("steptrace: registers");
            break;
        }
        /* A system call is an instruction "0f 05" that the step moved past by its two bytes; orig_rax holds its number. */
        int64_t record[19] = {(int64_t)regs.rip, -1, (int64_t)regs.rax, (int64_t)regs.rbx, (int64_t)regs.rcx,
                              (int64_t)regs.rdx, (int64_t)regs.rsi, (int64_t)regs.rdi, (int64_t)regs.rbp,
                              (int64_t)regs.rsp, (int64_t)regs.r8, (int64_t)regs.r9, (int64_t)regs.r10,
                              (int64_t)regs.r11, (int64_t)regs.r12, (int64_t)regs.r13, (int64_t)regs.r14,
                              (int64_t)regs.r15, (int64_t)regs.fs_base};
        if (previous != 0 && regs.rip == previous + 2) {
            errno = 0;
            long word = ptrace(PTRACE_PEEKTEXT, tid, (void *)previous, 0);
            if (errno == 0 && (word & 0xffff) == 0x050f) record[1] = (int64_t)regs.orig_rax;
        }
        fwrite(record, sizeof record, 1, out);
        previous = regs.rip;
        if (ptrace(PTRACE_SINGLESTEP, tid, 0, 0) < 0 || waitpid(tid, &status, __WALL) < 0) {
            perror("steptrace: step");
            break;
        }
        if (WIFEXITED(status) || WIFSIGNALED(status)) break;
        if (WIFSTOPPED(status) && WSTOPSIG(status) != SIGTRAP) { /* a real signal: deliver it and go on */
            ptrace(PTRACE_SINGLESTEP, tid, 0, WSTOPSIG(status));
            waitpid(tid, &status, __WALL);
        }
    }
    ptrace(PTRACE_DETACH, tid, 0, 0);
    return fclose(out) == 0 ? 0 : 1;
}
