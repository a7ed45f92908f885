#!/usr/bin/env python3
"""MiniRedis (samples/MiniRedis, the pipe API) against redis-server, side by side under redis-benchmark.

Each cell is one redis-benchmark test (PING_INLINE, PING_MBULK, SET, GET) at one pipeline depth (-P 1, -P 16), with
50 clients. The two servers take turns in every round (each round starts with the one the last ended with); the
server's CPU is its user+sys time from /proc/PID/stat around the run, divided by the requests. A warm-up run on each
server comes first (MiniRedis runs on the JIT). Medians over the rounds, printed as Markdown.

  bench/redis-vs-miniredis.py [--rounds 3] [--requests 100000] [--pipelined-requests 1000000]

Needs redis-server and redis-benchmark (Debian packages redis-server and redis-tools) and a Release build of
samples/MiniRedis (dotnet build samples/MiniRedis -c Release).
"""
import argparse
import os
import re
import signal
import statistics
import subprocess
import time

TICK = 1 / os.sysconf("SC_CLK_TCK")
HERE = os.path.dirname(os.path.abspath(__file__))
MINIREDIS = os.path.join(HERE, "..", "samples", "MiniRedis", "bin", "Release", "net10.0", "MiniRedis.dll")
RPS = re.compile(r"^\s*([A-Z_]+): ([0-9.]+) requests per second", re.M)
TESTS = ["ping_inline", "ping_mbulk", "set", "get"]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * TICK


def wait_for_port(port, process):
    import socket
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server on port {port} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"nothing listened on port {port} within 30 s")


def start(name, port):
    if name == "redis-server":
        command = ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1"]
    else:
        command = ["dotnet", MINIREDIS, "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(port, process)
    return process


def bench(port, test, pipeline, requests):
    output = subprocess.run(["redis-benchmark", "-p", str(port), "-t", test, "-c", "50", "-n", str(requests),
                             "-P", str(pipeline), "-q"], capture_output=True, text=True, check=True).stdout
    return float(RPS.findall(output.replace("\r", "\n"))[-1][1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--pipelined-requests", type=int, default=1_000_000)
    parser.add_argument("--base-port", type=int, default=23790)
    args = parser.parse_args()
    if not os.path.exists(MINIREDIS):
        raise SystemExit(f"{MINIREDIS} is missing; run: dotnet build samples/MiniRedis -c Release")
    names = ["redis-server", "MiniRedis"]
    servers = {name: (start(name, args.base_port + i), args.base_port + i) for i, name in enumerate(names)}
    results = {}  # (test, pipeline, name) -> [(rps, cpu µs per request)]
    try:
        for name, (process, port) in servers.items():
            for test in TESTS:
                bench(port, test, 16, 200_000)  # warm-up: JIT, allocator, kernel buffers
        order = list(names)
        for _ in range(args.rounds):
            for pipeline in (1, 16):
                requests = args.requests if pipeline == 1 else args.pipelined_requests
                for test in TESTS:
                    for name in order:
                        process, port = servers[name]
                        before = cpu_seconds(process.pid)
                        rps = bench(port, test, pipeline, requests)
                        cpu = cpu_seconds(process.pid) - before
                        results.setdefault((test, pipeline, name), []).append((rps, cpu / requests * 1e6))
                    order.reverse()
    finally:
        for process, _ in servers.values():
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=10)
    print(f"| test | -P | redis-server req/s | MiniRedis req/s | redis-server CPU µs/req | MiniRedis CPU µs/req | MiniRedis / redis-server CPU |")
    print("|---|---|---|---|---|---|---|")
    for pipeline in (1, 16):
        for test in TESTS:
            rps = {n: statistics.median(r for r, _ in results[(test, pipeline, n)]) for n in names}
            cpu = {n: statistics.median(c for _, c in results[(test, pipeline, n)]) for n in names}
            print(f"| {test.upper()} | {pipeline} | {rps['redis-server']:,.0f} | {rps['MiniRedis']:,.0f} | "
                  f"{cpu['redis-server']:.2f} | {cpu['MiniRedis']:.2f} | {cpu['MiniRedis'] / cpu['redis-server']:.2f}x |")


if __name__ == "__main__":
    main()
