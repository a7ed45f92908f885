#!/usr/bin/env bash
# One command for the HTTP comparison from a fresh clone: install wrk (Debian package wrk) where missing, build
# IoMux's CLI and bench/HttpApp in Release, then run
# `iomux compare --http`: the same app on each Kestrel transport, taking turns, several rounds.
# Extra arguments are passed on (e.g. --rounds 3 --duration 2s --servers kestrel-sockets kestrel-sockets-inline).
# Results: bench/results/compare-http.md and compare-http.png. Exits 2 when wrk cannot be had, 1 when a run had
# socket errors or non-2xx responses. (All workloads are HTTP/1.1 keep-alive; no HTTP/2 one yet, so no h2load.)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "http.sh: ${missing[*]} missing and this is not root with apt-get; install them (apt-get install ${missing[*]}) and re-run" >&2
    exit 2
  fi
  echo "http.sh: installing ${missing[*]}"
  if ! (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}") >/dev/null; then
    echo "http.sh: apt-get could not install ${missing[*]}; install them by hand and re-run" >&2
    exit 2
  fi
fi

dotnet build src/IoMux.Cli -c Release -v quiet -nologo -clp:NoSummary
dotnet build bench/HttpApp -c Release -v quiet -nologo -clp:NoSummary

# Five rounds of five seconds unless the caller says otherwise: the machine is shared and noisy, the ratios need them.
case " $* " in *" --rounds "*) ;; *) set -- --rounds 5 "$@" ;; esac
case " $* " in *" --duration "*) ;; *) set -- --duration 5s "$@" ;; esac
exec dotnet src/IoMux.Cli/bin/Release/net10.0/IoMux.Cli.dll compare --http --app bench/HttpApp/bin/Release/net10.0/HttpApp.dll --out bench/results "$@"
