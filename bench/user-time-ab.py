#!/usr/bin/env python3
"""User and kernel CPU per message of echo servers taking turns, sampled by perf.

Each server is started once and pinned to one CPU, the load generator to another, so neither server ever shares a
CPU with its client (unpinned, a server that sometimes lands on the client's CPU sleeps and wakes far more often,
which moves its user time more than anything in its code). Per round every server in turn is loaded by
`iomux bench` while `perf record -e cpu-clock` samples it; the figures are samples per message in user and kernel
mode. Ratios are paired: each round's figure over the first server's in the same round, then the median and
quartiles of those, which is what survives a shared machine whose speed drifts between rounds.

    bench/user-time-ab.py --rounds 15 \
        'c-epoll=bench/peers/run.sh c-epoll {port}' \
        'iomux=src/IoMux.Cli/bin/Release/net10.0/IoMux.Cli echo --port {port} --backend epoll'

A server is NAME=COMMAND with {port} where its port goes; environment assignments may lead the command.
Needs perf (Debian: linux-perf) and taskset, and root or perf_event_paranoid <= 1.
"""
import argparse
import collections
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

import echo_servers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_CLIENT = os.path.join(ROOT, "src/IoMux.Cli/bin/Release/net10.0/IoMux.Cli")
KERNEL_START = 0xFFFF800000000000
SAMPLE_HZ = 4999


def fail(message):
    print(f"user-time-ab: {message}", file=sys.stderr)
    sys.exit(2)


def sample(pid, seconds, out):
    subprocess.run(["perf", "record", "-q", "-e", "cpu-clock", "-F", str(SAMPLE_HZ), "-p", str(pid), "-o", out,
                    "--", "sleep", str(seconds)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    script = subprocess.run(["perf", "script", "-i", out, "-F", "ip,dso"], capture_output=True, text=True).stdout
    user = kernel = 0
    objects = collections.Counter()
    for line in script.splitlines():
        fields = line.split()
        if not fields:
            continue
        if int(fields[0], 16) >= KERNEL_START:
            kernel += 1
        else:
            user += 1
            objects[os.path.basename(fields[1].strip("()")) if len(fields) > 1 else "?"] += 1
    return user, kernel, objects


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("servers", nargs="+", metavar="NAME=COMMAND", help="the first is the reference")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--seconds", type=float, default=3.0, help="measured load per server per round")
    parser.add_argument("--load", default="-c 50 -s 64 -d 16", help="iomux bench options for the workload")
    parser.add_argument("--client", default=DEFAULT_CLIENT, help="the iomux binary that generates load")
    parser.add_argument("--server-cpu", default="1")
    parser.add_argument("--client-cpu", default="0")
    parser.add_argument("--objects", action="store_true", help="also split user time by shared object")
    args = parser.parse_args()

    for tool in ("perf", "taskset", "pgrep"):
        if shutil.which(tool) is None:
            fail(f"{tool} is not installed (apt-get install linux-perf util-linux procps)")
    if args.rounds < 1 or args.seconds < 1:
        fail("--rounds must be at least 1 and --seconds at least 1")
    specs = echo_servers.parse(args.servers, args.client, fail)

    workdir = f"/tmp/user-time-ab.{os.getpid()}"
    os.makedirs(workdir, exist_ok=True)
    started = []  # every server process, for the cleanup
    servers = []  # (name, port, pid) of those listening
    results = collections.defaultdict(list)
    try:
        for name, command in specs:
            process, port, pid = echo_servers.start(name, command, fail)
            started.append(process)
            subprocess.run(["taskset", "-a", "-p", "-c", args.server_cpu, str(pid)], stdout=subprocess.DEVNULL, check=True)
            servers.append((name, port, pid))
        for round_number in range(args.rounds):
            order = servers if round_number % 2 == 0 else servers[::-1]
            for name, port, pid in order:
                bench = subprocess.Popen(["taskset", "-c", args.client_cpu, args.client, "bench", "--port", str(port),
                                          *args.load.split(), "--duration", f"{args.seconds}s", "--warmup", "1s", "--json"],
                                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
                time.sleep(1.3)  # the warm-up second and a margin
                window = args.seconds - 0.6
                user, kernel, objects = sample(pid, window, os.path.join(workdir, f"{name}.data"))
                output = bench.communicate()[0]
                if bench.returncode != 0:
                    fail(f"iomux bench against '{name}' exited with {bench.returncode}; run it by hand against port {port} to see why")
                report = json.loads(output)
                messages = report["messagesPerSecond"] * window
                ns = 1e9 / SAMPLE_HZ / messages
                results[name].append((user * ns, kernel * ns, {o: c * ns for o, c in objects.items()}))
                print(f"round {round_number} {name:14} user {user * ns:7.1f} ns/msg  kernel {kernel * ns:7.1f} ns/msg"
                      f"  {report['messagesPerSecond'] / 1e6:.2f} M msg/s", flush=True)
    finally:
        for process in started:
            echo_servers.stop(process)
        shutil.rmtree(workdir, ignore_errors=True)

    reference = specs[0][0]
    print(f"\nper message, medians over {args.rounds} rounds; ratios paired per round against {reference} (median [quartiles])")
    for name, _ in specs:
        rows = results[name]
        line = f"{name:14} user {statistics.median(r[0] for r in rows):6.1f} ns  kernel {statistics.median(r[1] for r in rows):6.1f} ns"
        if name != reference:
            for index, label in ((0, "user"), (1, "kernel")):
                ratios = [rows[i][index] / results[reference][i][index] for i in range(args.rounds)]
                quartiles = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else [ratios[0]] * 3
                line += f"  {label} {quartiles[1]:.3f}× [{quartiles[0]:.3f}–{quartiles[2]:.3f}]"
        print(line)
        if args.objects:
            spread = collections.defaultdict(list)
            for row in rows:
                for shared_object, value in row[2].items():
                    spread[shared_object].append(value)
            print("               " + ", ".join(f"{o} {statistics.median(v):.1f}" for o, v in
                                                  sorted(spread.items(), key=lambda kv: -statistics.median(kv[1]))[:6]))


if __name__ == "__main__":
    main()
