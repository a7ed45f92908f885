#!/usr/bin/env bash
# One command for the whole comparison from a fresh clone: build or install every peer, build IoMux
# in Release, then run `iomux compare` (extra arguments are passed on, e.g. --rounds 5).
# Results: bench/results/compare.md and compare.png.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bench/setup-peers.sh
dotnet build src/IoMux.Cli -c Release -v quiet -nologo -clp:NoSummary
exec dotnet src/IoMux.Cli/bin/Release/net10.0/IoMux.Cli.dll compare --peers bench/peers --out bench/results "$@"
