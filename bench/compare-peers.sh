#!/usr/bin/env bash
# Runs acdsim and our reference models of the mmc-abandon workload in
# bench/peers (SimPy, and a plain Python heapq event loop with and without
# patience timers) in one session, alternating them, and prints calls
# simulated per wall second with ratios to SimPy (medians of ROUNDS rounds).
# Machines are shared and noisy: only ratios measured in the same run mean
# anything. See bench/peers/README.md.
#
# Setup once:  python3 -m venv ~/.peers-venv && ~/.peers-venv/bin/pip install -r bench/peers/requirements.txt
# Usage:       bench/compare-peers.sh [ROUNDS (default 3)]
# Environment: PEERS (default bench/peers, relative to the repository root),
#              PY (default ~/.peers-venv/bin/python).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=3
for arg in "$@"; do
  case "$arg" in
    ''|*[!0-9]*|0) echo "usage: $0 [ROUNDS]" >&2; exit 2 ;;
    *) ROUNDS=$arg ;;
  esac
done
PEERS=${PEERS:-bench/peers}
PY=${PY:-$HOME/.peers-venv/bin/python}
[ -x "$PY" ] && "$PY" -c 'import simpy' 2>/dev/null ||
  { echo "no Python with simpy at $PY: see the setup line at the top of $0" >&2; exit 2; }
[ -d "$PEERS" ] || { echo "no peers directory at $PEERS" >&2; exit 2; }
cargo build --release -q
ACDSIM=target/release/acdsim
out=$(mktemp)
trap 'rm -f "$out"' EXIT
peer() { (cd "$PEERS" && "$PY" "$@") | sed -n 's/^JSON //p'; }
for r in $(seq "$ROUNDS"); do
  echo "round $r/$ROUNDS..." >&2
  printf 'simpy %s\n' "$(peer mmc_simpy.py | python3 -c 'import json,sys; print(json.load(sys.stdin)["calls_per_s"])')" >>"$out"
  printf 'heapq-timer %s\n' "$(peer mmc_heapq.py timer | python3 -c 'import json,sys; print(json.load(sys.stdin)["calls_per_s"])')" >>"$out"
  printf 'heapq-lazy %s\n' "$(peer mmc_heapq.py lazy | python3 -c 'import json,sys; print(json.load(sys.stdin)["calls_per_s"])')" >>"$out"
  printf 'acdsim-1-thread %s\n' "$("$ACDSIM" bench --seconds 3 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["calls_per_s"])')" >>"$out"
  printf 'acdsim-2-threads %s\n' "$("$ACDSIM" bench --seconds 3 --threads 2 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["calls_per_s"])')" >>"$out"
  printf 'acdsim-multi-skill %s\n' "$("$ACDSIM" bench scenarios/multi-skill.json --seconds 3 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["calls_per_s"])')" >>"$out"
done
python3 - "$out" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    name, value = line.split()
    runs.setdefault(name, []).append(float(value))
med = {k: statistics.median(v) for k, v in runs.items()}
simpy = med["simpy"]
print(f"{'engine':20s} {'calls/s (median)':>18s} {'x SimPy':>9s}")
for k, v in med.items():
    print(f"{k:20s} {v:18,.0f} {v / simpy:9.1f}")
print(f"2-thread scaling: {med['acdsim-2-threads'] / med['acdsim-1-thread']:.2f}x")
PY
