#!/usr/bin/env bash
# Where an HTTP server's CPU goes under wrk: bench/HttpApp on each transport given (default: sockets iomux-epoll),
# wrk -t1 -c50 on /plaintext, `perf record -g` of the server process alone while it runs, JIT frames named through
# DOTNET_PerfMapEnabled=1 (and W^X off: perf cannot name code in the double-mapped JIT heap). Prints per transport the CPU per request, the share per shared object (kernel, coreclr,
# JIT code…) and the hottest symbols. Needs perf (Debian package linux-perf) and wrk; build the app first
# (bench/http.sh does, or dotnet build bench/HttpApp -c Release). Data stays in $OUT (default /tmp/iomux-http-profile).
#
#   bench/http-profile.sh [--path /json] [TRANSPORT...]      TRANSPORT: sockets sockets-inline iomux-epoll iomux-uring
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
app="$root/bench/HttpApp/bin/Release/net10.0/HttpApp.dll"
out="${OUT:-/tmp/iomux-http-profile}"
path=/plaintext
if [ "${1:-}" = "--path" ]; then path="$2"; shift 2; fi
transports=("$@")
[ ${#transports[@]} -gt 0 ] || transports=(sockets iomux-epoll)
for tool in perf wrk; do
  command -v "$tool" >/dev/null || { echo "http-profile.sh: $tool is missing; apt-get install ${tool/perf/linux-perf}" >&2; exit 2; }
done
[ -f "$app" ] || { echo "http-profile.sh: $app is missing; run dotnet build bench/HttpApp -c Release" >&2; exit 2; }
mkdir -p "$out"
port="${PORT:-27480}"

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

for transport in "${transports[@]}"; do
  DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 dotnet "$app" --port "$port" --transport "$transport" 2>"$out/$transport.log" &
  pid=$!
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.1
  done
  # Warm-up: Kestrel and the transports keep tiering methods up for the first 15-25 s under load.
  wrk -t1 -c50 -d20s "http://127.0.0.1:$port$path" >/dev/null
  wrk -t1 -c50 -d14s --latency "http://127.0.0.1:$port$path" >"$out/$transport.wrk" &
  client=$!
  sleep 2
  before=$(ticks "$pid")
  perf record -F 499 -g -p "$pid" -o "$out/$transport.data" -- sleep 10 2>/dev/null >/dev/null
  after=$(ticks "$pid")
  wait "$client"
  kill -TERM "$pid"; wait "$pid" || true
  rate=$(awk '/Requests\/sec/ {print $2}' "$out/$transport.wrk")
  # Ticks are 10 ms; wrk's mean rate stands in for the requests of the profiled 10 s (perf itself slows the server).
  echo "== $transport $path: $rate req/s, server CPU $(( (after - before) * 10 )) ms in the 10 s profiled," \
    "about $(awk -v t="$((after - before))" -v r="$rate" 'BEGIN {printf "%.1f", t * 10000 / (r * 10)}') µs per request"
  echo "-- by shared object"
  perf report -i "$out/$transport.data" --no-children --sort dso --stdio -g none 2>/dev/null | grep -E '^ +[0-9]' | head -12 || true
  echo "-- hottest symbols"
  perf report -i "$out/$transport.data" --no-children --sort dso,sym --stdio -g none 2>/dev/null | grep -E '^ +[0-9]' | head -40 || true
  echo
done
