#!/usr/bin/env python3
"""Instructions an echo server executes in user mode per event, counted exactly, by function.

Each server is started, loaded by `iomux bench`, and its busiest thread single-stepped (bench/probes/steptrace.c) for
--steps instructions. The count is taken between the second and the last wait (epoll_wait, poll, select or
io_uring_enter) of the trace and divided by the sends in it (send, sendto, sendmsg or writev: one per event at the
default load), so it is a property of the code, not of the machine's speed or load, and a change to the hot path can
be judged by it in one run. JIT-compiled .NET frames are named from the runtime's perf map (DOTNET_PerfMapEnabled=1,
set here); native ones from their libraries' symbol tables (in a stripped library, a local function takes the name of
the exported one before it: glibc's cancellation handling around recv and send shows as __libc_alloca_cutoff).

    bench/instructions-per-event.py 'c-epoll=bench/peers/run.sh c-epoll {port}' \\
        'iomux=src/IoMux.Cli/bin/Release/net10.0/IoMux.Cli echo --port {port} --backend epoll'
    bench/instructions-per-event.py --annotate 'RunOnce' 'iomux=...'   # and each instruction's count
    /usr/bin/python3 bench/instructions-per-event.py --memory 'iomux=...'  # and the memory each stretch touches

With --memory, each step's memory operands are computed from the registers recorded with it (bench/memory_touched.py,
which needs python3-capstone) and counted as distinct 64-byte lines and 4 KiB pages of code, stack and other data per
stretch between two system calls: after each return the TLB and much of the cache are cold, so what a stretch
touches is what it refills.

A server is NAME=COMMAND with {port} where its port goes. Needs gcc, nm, readelf and objdump (binutils), and ptrace
rights over the server (root, or kernel.yama.ptrace_scope = 0).
"""
import argparse
import bisect
import collections
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

import echo_servers
import memory_touched

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_CLIENT = os.path.join(ROOT, "src/IoMux.Cli/bin/Release/net10.0/IoMux.Cli")
WAITS = {232: "epoll_wait", 281: "epoll_pwait", 441: "epoll_pwait2", 7: "poll", 271: "ppoll", 23: "select",
         270: "pselect6", 426: "io_uring_enter"}
SENDS = {44: "sendto", 46: "sendmsg", 20: "writev", 1: "write"}
RECEIVES = {45: "recvfrom", 47: "recvmsg", 0: "read", 19: "readv"}
RECORD = "<Qq17Q"  # steptrace.c's step: address, system call (-1: none), registers


def fail(message):
    print(f"instructions-per-event: {message}", file=sys.stderr)
    sys.exit(2)


class Symbols:
    """Names for addresses: the perf map's JIT frames, then each mapped library's functions."""

    def __init__(self, pid, keep_code):
        self.entries = []  # (start, end or None, name)
        perf_map = f"/tmp/perf-{pid}.map"
        self.code = {}  # the JIT code itself, read while the process lives, when it is to be annotated
        if os.path.exists(perf_map):
            with open(perf_map) as f, open(f"/proc/{pid}/mem", "rb") as memory:
                for line in f:
                    address, size, name = line.rstrip("\n").split(" ", 2)
                    start, length = int(address, 16), int(size, 16)
                    self.entries.append((start, start + length, name))
                    if not keep_code:
                        continue
                    try:
                        memory.seek(start)
                        self.code[start] = (name, memory.read(length))
                    except (OSError, ValueError):
                        pass  # a stub the runtime has since freed
        with open(f"/proc/{pid}/maps") as f:
            for line in f:
                fields = line.split()
                if len(fields) < 6 or "x" not in fields[1] or not fields[5].startswith("/"):
                    continue
                low, high = (int(x, 16) for x in fields[0].split("-"))
                self._add_library(fields[5], low, high, int(fields[2], 16))
        self.entries.sort(key=lambda e: e[0])
        self.starts = [e[0] for e in self.entries]
        self.cache = {}

    def _add_library(self, path, low, high, offset):
        name = os.path.basename(path)
        self.entries.append((low, high, f"{name}:?"))
        headers = subprocess.run(["readelf", "-lW", path], capture_output=True, text=True).stdout
        bias = None
        for line in headers.splitlines():
            m = re.match(r"\s*LOAD\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+\S+\s+\S+\s+\S+\s+(.*)", line)
            if m and "E" in m.group(3) and int(m.group(1), 16) <= offset:
                bias = low - offset - (int(m.group(2), 16) - int(m.group(1), 16))
        if bias is None:
            return
        seen = set()
        for flags in (["-D"], []):
            listing = subprocess.run(["nm", *flags, "--defined-only", path], capture_output=True, text=True).stdout
            for line in listing.splitlines():
                parts = line.split()
                if len(parts) == 3 and parts[1] in "TtWwi" and parts[0] not in seen:
                    seen.add(parts[0])
                    self.entries.append((bias + int(parts[0], 16), None, f"{name}:{parts[2]}"))

    def name(self, address):
        if address in self.cache:
            return self.cache[address]
        i = bisect.bisect_right(self.starts, address) - 1
        found = "?"
        while i >= 0:
            start, end, name = self.entries[i]
            if end is None or address < end:
                found = name
                break
            i -= 1
        self.cache[address] = found
        return found


def trace(name, command, args, steptrace, workdir):
    env = dict(os.environ, DOTNET_PerfMapEnabled="1")
    process, port, pid = echo_servers.start(name, command, fail, env)
    load = None
    try:
        load = subprocess.Popen([args.client, "bench", "--port", str(port), *args.load.split(), "--duration", "600s",
                                 "--warmup", "0s"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(args.warmup)  # long enough for the runtime's tiered compilation to settle
        threads = os.listdir(f"/proc/{pid}/task")
        busiest = max(threads, key=lambda t: int(open(f"/proc/{pid}/task/{t}/stat").read().rsplit(")", 1)[1].split()[11]))
        out = os.path.join(workdir, f"{name}.trace")
        if subprocess.run([steptrace, busiest, str(args.steps), out]).returncode != 0:
            fail(f"could not single-step '{name}' (thread {busiest}); ptrace needs root or kernel.yama.ptrace_scope = 0")
        symbols = Symbols(pid, keep_code=args.annotate is not None)
        with open(out, "rb") as f:
            records = list(struct.iter_unpack(RECORD, f.read()))
        # The code is read back while the process lives: JIT code exists only in it.
        accesses = memory_touched.Accesses(pid, {r[0] for r in records}) if args.memory else None
    finally:
        if load is not None:
            load.kill()
            load.wait()
        echo_servers.stop(process)
    return records, symbols, accesses


def report(name, records, symbols, accesses, args):
    waits = [i for i, record in enumerate(records) if record[1] in WAITS]
    if len(waits) < 3:
        fail(f"'{name}' made {len(waits)} waits in {len(records)} steps; give more --steps")
    low, high = waits[1], waits[-1]
    calls = collections.Counter(records[i][1] for i in range(low, high) if records[i][1] >= 0)
    sends = sum(n for call, n in calls.items() if call in SENDS)
    if sends == 0:
        fail(f"'{name}' sent nothing between its waits; is the load reaching it?")
    steps = high - low
    named = {**WAITS, **SENDS, **RECEIVES}
    summary = ", ".join(f"{n / sends:.2f} {named.get(c, f'syscall {c}')}" for c, n in calls.most_common())
    print(f"\n{name}: {steps / sends:.0f} instructions per event ({steps} instructions, {sends} sends; per send: {summary})")
    counts = collections.Counter(record[0] for record in records[low:high])
    by_function = collections.Counter()
    for address, n in counts.items():
        by_function[symbols.name(address)] += n
    for function, n in by_function.most_common(args.top):
        print(f"  {n / sends:7.1f}  {function}")
    print("  between calls (what runs after one system call returns, until the next is made):")
    for (after, before), (times, total) in sorted(intervals(records, low, high).items(), key=lambda kv: -kv[1][0]):
        if times * 20 >= sends:
            print(f"  {total / times:7.1f}  after {named.get(after, after)}, before {named.get(before, before)} ({times / sends:.2f} per event)")
    first_touches = collections.Counter()
    if accesses is not None:
        print("  memory each stretch touches (distinct 64-byte lines / 4 KiB pages):")
        for (after, before), (times, sums, toucher) in sorted(memory_touched.stretches(records, low, high, accesses).items(),
                                                              key=lambda kv: -kv[1][0]):
            first_touches.update(toucher)
            if times * 20 < sends:
                continue
            kinds = ", ".join(f"{kind} {sums[kind, 'lines'] / times:.1f} / {sums[kind, 'pages'] / times:.1f}"
                              for kind in memory_touched.KINDS)
            print(f"    after {named.get(after, after)}, before {named.get(before, before)}: {kinds}")
            by_function = collections.Counter()
            for address, n in toucher.items():
                by_function[symbols.name(address)] += n
            for function, n in by_function.most_common(args.top):
                print(f"      {n / times:5.1f} data pages first touched in {function}")
    if args.annotate:
        annotate(symbols, counts, first_touches, sends, args.annotate)


def intervals(records, low, high):
    """(calls, instructions) of each stretch between one system call and the next, by the pair of calls."""
    found = collections.defaultdict(lambda: [0, 0])
    previous = None
    for i in range(low, high):
        call = records[i][1]
        if call < 0:
            continue
        if previous is not None:
            entry = found[(records[previous][1], call)]
            entry[0] += 1
            entry[1] += i - previous
        previous = i
    return found


def annotate(symbols, counts, first_touches, sends, pattern):
    """Each instruction's count per event; with --memory, after it the data pages it was the first in its stretch to touch."""
    for start, (name, code) in sorted(symbols.code.items()):
        hits = sum(counts[a] for a in range(start, start + len(code)))
        if not pattern.search(name) or hits == 0:
            continue
        print(f"\n  {name}: {hits / sends:.1f} per event")
        with tempfile.NamedTemporaryFile() as blob:
            blob.write(code)
            blob.flush()
            listing = subprocess.run(["objdump", "-D", "-b", "binary", "-m", "i386:x86-64", f"--adjust-vma={start:#x}",
                                      blob.name], capture_output=True, text=True).stdout
        for line in listing.splitlines():
            m = re.match(r"\s*([0-9a-f]+):\s+(?:[0-9a-f]{2} )+\s*(.*)", line)
            if m:
                address = int(m.group(1), 16)
                n = counts.get(address, 0)
                pages = f"  [{first_touches[address] / sends:.2f} pages first touched]" if first_touches.get(address) else ""
                print(f"  {n / sends:6.2f}  {m.group(2)}{pages}" if n else f"          {m.group(2)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("servers", nargs="+", metavar="NAME=COMMAND")
    parser.add_argument("--steps", type=int, default=400_000, help="instructions to record per server")
    parser.add_argument("--load", default="-c 50 -s 64 -d 16", help="iomux bench options for the workload")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of load before the trace starts")
    parser.add_argument("--top", type=int, default=15, help="functions to list per server")
    parser.add_argument("--annotate", metavar="REGEX", help="print each instruction's count in JIT functions matching REGEX")
    parser.add_argument("--memory", action="store_true",
                        help="also count the cache lines and pages each stretch between system calls touches (needs "
                             "python3-capstone, and the python that has it: /usr/bin/python3 on Debian)")
    parser.add_argument("--client", default=DEFAULT_CLIENT, help="the iomux binary that generates load")
    args = parser.parse_args()
    if args.memory and not memory_touched.available():
        fail("--memory needs capstone: apt-get install python3-capstone, then run this with /usr/bin/python3")
    for tool in ("gcc", "nm", "readelf", "objdump", "pgrep"):
        if shutil.which(tool) is None:
            fail(f"{tool} is not installed (apt-get install gcc binutils procps)")
    if args.steps < 10_000 or args.warmup < 0:
        fail("--steps must be at least 10000 and --warmup not negative")
    try:
        args.annotate = re.compile(args.annotate) if args.annotate else None
    except re.error as e:
        fail(f"--annotate '{args.annotate}' is not a regular expression ({e}); escape what is meant literally")
    specs = echo_servers.parse(args.servers, args.client, fail)
    with tempfile.TemporaryDirectory(prefix="instructions-per-event.") as workdir:
        steptrace = os.path.join(workdir, "steptrace")
        subprocess.run(["gcc", "-O2", "-o", steptrace, os.path.join(ROOT, "bench/probes/steptrace.c")], check=True)
        for name, command in specs:
            records, symbols, accesses = trace(name, command, args, steptrace, workdir)
            report(name, records, symbols, accesses, args)


if __name__ == "__main__":
    main()
