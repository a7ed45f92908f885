#!/usr/bin/env bash
# HAProxy as the reference L4 proxy for `iomux compare --proxy`: mode tcp, one thread, in the foreground
# (exec, so this script's PID is HAProxy's and its CPU time can be read from /proc), forwarding
# 127.0.0.1:PORT to 127.0.0.1:UPSTREAM. maxconn stays below half the descriptor limit (each client
# costs HAProxy two descriptors). Debian package: haproxy.
#
#   bench/peers/haproxy/run.sh PORT UPSTREAM
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 PORT UPSTREAM_PORT" >&2
  exit 2
fi
if ! command -v haproxy >/dev/null; then
  echo "haproxy/run.sh: haproxy is not installed; apt-get install haproxy" >&2
  exit 2
fi
port="$1" upstream="$2"
maxconn=$(( $(ulimit -Hn) / 2 - 100 ))
ulimit -n "$(ulimit -Hn)"
config="$(mktemp --tmpdir iomux-haproxy.XXXXXX.cfg)"
cat >"$config" <<CFG
global
  nbthread 1
  maxconn $maxconn
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend clients
  bind 127.0.0.1:$port
  maxconn $maxconn
  default_backend upstream
backend upstream
  server echo 127.0.0.1:$upstream
CFG
exec haproxy -db -f "$config"
