#!/usr/bin/env python3
"""The NativeAOT iomux against the JIT one, side by side.

Start-up: wall time of `iomux --version`, and from starting `iomux echo --port 0` to its listening line
(with the echo's RSS then). Echo CPU per message: each binary's echo server under the same `iomux bench`
client, the server's user+sys time from /proc/PID/stat around a measured run that follows a warm-up run.
The two binaries alternate in every round, which starts with the one the last round ended with; medians
and AOT/JIT ratios are printed as Markdown.

  bench/aot-vs-jit.py --jit src/IoMux.Cli/bin/Release/net10.0/IoMux.Cli --aot out/aot/iomux
"""
import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import time

LISTENING = re.compile(r"^iomux echo: listening on 127\.0\.0\.1:(\d+) ")
TICK = 1 / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * TICK  # utime, stime: fields 14 and 15


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


class Echo:
    """An iomux echo server on a free port, stopped with SIGINT (it must exit 0)."""

    def __init__(self, iomux, backend):
        self.started = time.perf_counter()
        self.process = subprocess.Popen([iomux, "echo", "--port", "0", "--backend", backend],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        line = self.process.stdout.readline()
        self.ready = time.perf_counter() - self.started
        match = LISTENING.match(line)
        if not match:
            self.process.kill()
            raise SystemExit(f"{iomux} echo printed {line!r}, not its listening line")
        self.port = int(match.group(1))
        self.rss = rss_kib(self.process.pid)

    def stop(self):
        self.process.send_signal(signal.SIGINT)
        if self.process.wait(timeout=10) != 0:
            raise SystemExit(f"iomux echo exited {self.process.returncode} after SIGINT")


def bench(client, port, workload, duration):
    connections, rest = workload.split("x")
    size, depth = rest.split(":")
    out = subprocess.run([client, "bench", "--port", str(port), "-c", connections, "-s", size, "-d", depth,
                          "--duration", duration, "--warmup", "0", "--json"],
                         check=True, capture_output=True, text=True).stdout
    result = json.loads(out)
    if result["errors"] or not result["succeeded"]:
        raise SystemExit(f"iomux bench {workload} failed: {result['errorMessages']}")
    return result["messages"], result["messagesPerSecond"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jit", required=True, help="the JIT iomux (app host)")
    parser.add_argument("--aot", required=True, help="the NativeAOT iomux")
    parser.add_argument("--client", help="the iomux that runs the load (default: --jit)")
    parser.add_argument("--startups", type=int, default=30, help="start-ups of each binary per measure")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved load rounds per workload")
    parser.add_argument("--duration", default="3s", help="measured time per load run")
    parser.add_argument("--warmup", default="1s", help="unmeasured load before each measured run")
    parser.add_argument("--backend", default="epoll")
    parser.add_argument("--workloads", nargs="+", default=["50x64:1", "1x64:1", "50x64:16"],
                        help="CONNECTIONSxSIZE:DEPTH each")
    args = parser.parse_args()
    binaries = {"jit": args.jit, "aot": args.aot}
    client = args.client or args.jit
    order = ["jit", "aot"]

    version, ready, rss = ({b: [] for b in binaries} for _ in range(3))
    for _ in range(args.startups):
        for b in order:
            start = time.perf_counter()
            subprocess.run([binaries[b], "--version"], check=True, capture_output=True)
            version[b].append(time.perf_counter() - start)
            echo = Echo(binaries[b], args.backend)
            ready[b].append(echo.ready)
            rss[b].append(echo.rss)
            echo.stop()
        order.reverse()

    cpu, rate = {}, {}
    for workload in args.workloads:
        cpu[workload], rate[workload] = {b: [] for b in binaries}, {b: [] for b in binaries}
        for _ in range(args.rounds):
            for b in order:
                echo = Echo(binaries[b], args.backend)
                bench(client, echo.port, workload, args.warmup)
                before = cpu_seconds(echo.process.pid)
                messages, per_second = bench(client, echo.port, workload, args.duration)
                cpu[workload][b].append((cpu_seconds(echo.process.pid) - before) / messages * 1e6)
                rate[workload][b].append(per_second)
                echo.stop()
            order.reverse()

    med = statistics.median
    print(f"backend {args.backend}; start-ups: median of {args.startups}; load: median of {args.rounds} "
          f"rounds of {args.duration} after {args.warmup} warm-up, client {client}\n")
    print("| measure | JIT | NativeAOT | AOT / JIT |\n|---|--:|--:|--:|")
    rows = [("`iomux --version` wall, ms", version, 1e3), ("`iomux echo` to listening line, ms", ready, 1e3),
            ("echo RSS when listening, MiB", rss, 1 / 1024)]
    for name, values, scale in rows:
        j, a = med(values["jit"]) * scale, med(values["aot"]) * scale
        print(f"| {name} | {j:.1f} | {a:.1f} | {a / j:.2f}× |")
    for workload in args.workloads:
        j, a = med(cpu[workload]["jit"]), med(cpu[workload]["aot"])
        print(f"| echo CPU/msg {workload}, µs | {j:.2f} | {a:.2f} | {a / j:.2f}× |")
        j, a = med(rate[workload]["jit"]), med(rate[workload]["aot"])
        print(f"| echo msg/s {workload} | {j:,.0f} | {a:,.0f} | {a / j:.2f}× |")


if __name__ == "__main__":
    main()
