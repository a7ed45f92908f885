#!/usr/bin/env bash
# Builds or installs every peer echo server under bench/peers/ (safe to re-run: each step is skipped
# when its result is already there and newer than its sources). Output goes to bench/peers/out/.
# Needs root for apt-get (python3-uvloop, gcc, nodejs when missing). Start a peer with
# bench/peers/run.sh NAME PORT.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
peers="$here/peers"
out="$peers/out"
mkdir -p "$out/c-epoll" "$out/c-udp-batched" "$out/c-udp-simple"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# Debian packages: apt-get update once, then install only what is missing.
missing=()
[ -x /usr/bin/python3 ] || missing+=(python3)
/usr/bin/python3 -c 'import uvloop' 2>/dev/null || missing+=(python3-uvloop)
command -v gcc >/dev/null || missing+=(gcc libc6-dev)
command -v node >/dev/null || missing+=(nodejs)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-peers: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# C epoll server.
if [ ! -x "$out/c-epoll/echo" ] || [ "$peers/c-epoll/echo.c" -nt "$out/c-epoll/echo" ]; then
  echo "setup-peers: gcc c-epoll"
  gcc -O2 -Wall -Wextra -Werror -o "$out/c-epoll/echo" "$peers/c-epoll/echo.c"
fi

# C UDP servers: recvmmsg/sendmmsg in batches of 64 (the reference for UDP), and one datagram per system call.
for udp in c-udp-batched c-udp-simple; do
  if [ ! -x "$out/$udp/echo" ] || [ "$peers/$udp/echo.c" -nt "$out/$udp/echo" ] || [ "$peers/udp-peer.h" -nt "$out/$udp/echo" ]; then
    echo "setup-peers: gcc $udp"
    gcc -O2 -Wall -Wextra -Werror -o "$out/$udp/echo" "$peers/$udp/echo.c"
  fi
done

# .NET servers (dotnet build is incremental by itself).
for project in dotnet-epoll/DotnetEpollEcho dotnet-sockets/DotnetSocketsEcho kestrel/KestrelEcho; do
  dir="${project%%/*}"
  echo "setup-peers: dotnet build $dir"
  dotnet build "$peers/$project.csproj" -c Release -o "$out/$dir" -v quiet -nologo -clp:NoSummary >/dev/null \
    || { echo "setup-peers: dotnet build of $dir failed; run: dotnet build $peers/$project.csproj -c Release" >&2; exit 1; }
done

echo "setup-peers: node $(node --version), $(/usr/bin/python3 --version) with uvloop $(/usr/bin/python3 -c 'import uvloop; print(uvloop.__version__)')"
echo "setup-peers: ready; start one with $peers/run.sh NAME PORT ($("$peers/run.sh" --list | tr '\n' ' '))"
