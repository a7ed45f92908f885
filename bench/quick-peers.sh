#!/usr/bin/env bash
# Quick side-by-side figures: starts each peer (bench/peers/run.sh) on its own port, drives it with
# `iomux bench --json`, reads the server's CPU time from /proc/PID/stat (shown as the average share of
# one core over the whole bench run, warm-up included), stops it, and prints one row per peer.
# The full comparison is `iomux compare`; this is the script-sized version of it.
#
#   bench/quick-peers.sh [--port-base N] [--peers "a b"] [-- iomux bench options]
#   bench/quick-peers.sh -- -c 50 -s 1KiB -d 16 --duration 5s --warmup 1s
#
# Needs bench/setup-peers.sh to have run. Uses ports port-base+1 .. port-base+7 (default 21100).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
port_base=21100
peers=""
while [ $# -gt 0 ]; do
  case "$1" in
    --port-base) port_base="$2"; shift 2 ;;
    --peers) peers="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "quick-peers: unknown option '$1' (options: --port-base N, --peers \"names\", -- bench options)" >&2; exit 2 ;;
  esac
done
[ -n "$peers" ] || peers="$("$root/bench/peers/run.sh" --list | tr '\n' ' ')"
[ $# -gt 0 ] || set -- -c 50 -s 64 -d 16 --duration 5s --warmup 1s

dotnet build "$root/src/IoMux.Cli" -c Release -v quiet -nologo -clp:NoSummary >/dev/null
iomux="$root/src/IoMux.Cli/bin/Release/net10.0/IoMux.Cli"
ticks=$(getconf CLK_TCK)

cpu_seconds() { awk -v t="$ticks" '{ print ($14 + $15) / t }' "/proc/$1/stat"; }

wait_listening() {
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

printf '%-22s %12s %10s %9s %9s %9s %11s %7s\n' peer "msg/s" "MiB/s" "p50 µs" "p99 µs" "p99.9 µs" "server CPU" errors
port=$port_base
for peer in $peers; do
  port=$((port + 1))
  "$root/bench/peers/run.sh" "$peer" "$port" >/dev/null 2>&1 &
  pid=$!
  if ! wait_listening "$port"; then
    echo "quick-peers: $peer did not start listening on $port" >&2
    kill "$pid" 2>/dev/null || true
    continue
  fi
  before=$(cpu_seconds "$pid")
  started=$(date +%s.%N)
  set +e
  json=$("$iomux" bench --port "$port" --json "$@" 2>/dev/null)
  rc=$?
  set -e
  after=$(cpu_seconds "$pid")
  ended=$(date +%s.%N)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  if [ -z "$json" ]; then
    echo "quick-peers: iomux bench against $peer failed (exit $rc)" >&2
    continue
  fi
  /usr/bin/python3 -c '
import json, sys
d = json.loads(sys.argv[1]); l = d["latencyMicroseconds"]
cpu = (float(sys.argv[4]) - float(sys.argv[3])) / (float(sys.argv[6]) - float(sys.argv[5]))
print("%-22s %12.0f %10.1f %9.0f %9.0f %9.0f %10.0f%% %7d" % (sys.argv[2], d["messagesPerSecond"], d["mebibytesPerSecond"],
      l["p50"], l["p99"], l["p999"], cpu * 100, d["errors"]))' "$json" "$peer" "$before" "$after" "$started" "$ended"
done
