#!/usr/bin/env bash
# Starts one peer echo server in the foreground, bound to 127.0.0.1:PORT, by exec: the PID of this
# script becomes the server's PID (so a caller can read /proc/PID/stat for its CPU time).
# Build or install the peers first with bench/setup-peers.sh.
#
#   bench/peers/run.sh NAME PORT        bench/peers/run.sh --list | --list-udp
#
# Python peers run on Debian's /usr/bin/python3, the interpreter python3-uvloop installs into, so the
# asyncio, uvloop and tutorial figures come from one interpreter (override with PYTHON=...).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/out"
python="${PYTHON:-/usr/bin/python3}"
tcp_names="c-epoll dotnet-epoll dotnet-sockets kestrel node-net python-asyncio python-uvloop python-poll-tutorial"
udp_names="c-udp-batched c-udp-simple"
names="$tcp_names $udp_names"

# --list: the TCP echo peers; --list-udp: the UDP echo peers (iomux compare --udp).
if [ "${1:-}" = "--list" ]; then
  tr ' ' '\n' <<<"$tcp_names"
  exit 0
fi
if [ "${1:-}" = "--list-udp" ]; then
  tr ' ' '\n' <<<"$udp_names"
  exit 0
fi
if [ $# -ne 2 ]; then
  echo "usage: $0 NAME PORT (names: $names; or --list)" >&2
  exit 2
fi
name="$1" port="$2"
if ! [[ "$port" =~ ^[0-9]+$ ]] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
  echo "run.sh: port '$port' is not a number in 1..65535" >&2
  exit 2
fi

need() {
  if [ ! -e "$1" ]; then
    echo "run.sh: $name is not built ($1 is missing); run bench/setup-peers.sh" >&2
    exit 2
  fi
}

case "$name" in
  c-epoll)              need "$out/c-epoll/echo"; exec "$out/c-epoll/echo" "$port" ;;
  c-udp-batched)        need "$out/c-udp-batched/echo"; exec "$out/c-udp-batched/echo" "$port" ;;
  c-udp-simple)         need "$out/c-udp-simple/echo"; exec "$out/c-udp-simple/echo" "$port" ;;
  dotnet-epoll)         need "$out/dotnet-epoll/DotnetEpollEcho"; exec "$out/dotnet-epoll/DotnetEpollEcho" "$port" ;;
  dotnet-sockets)       need "$out/dotnet-sockets/DotnetSocketsEcho"; exec "$out/dotnet-sockets/DotnetSocketsEcho" "$port" ;;
  kestrel)              need "$out/kestrel/KestrelEcho"; exec "$out/kestrel/KestrelEcho" "$port" ;;
  node-net)             exec node "$here/node-net/echo.js" "$port" ;;
  python-asyncio)       need "$python"; exec "$python" "$here/python-asyncio/echo.py" "$port" --loop asyncio ;;
  python-uvloop)        need "$python"; exec "$python" "$here/python-asyncio/echo.py" "$port" --loop uvloop ;;
  python-poll-tutorial) need "$python"; exec "$python" "$here/python-poll-tutorial/echo_poll.py" "$port" ;;
  *) echo "run.sh: unknown peer '$name' (names: $names)" >&2; exit 2 ;;
esac
