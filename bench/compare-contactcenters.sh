#!/usr/bin/env bash
# Runs scenarios/contactcenters-blend.json (the "Blend call center" example of
# the ContactCenters library's user guide, mapped onto acdsim) and prints
# acdsim's figures with 95% confidence intervals beside the published ones
# (bench/contactcenters/published.json, which names the source).
#
# Usage:       bench/compare-contactcenters.sh [REPLICATIONS [SEED]]
#              (default: the scenario's 1000 replications and seed 2026)
# Needs:       cargo, python3 (standard library only).
set -euo pipefail
cd "$(dirname "$0")/.."
args=()
if [ $# -ge 1 ]; then
  case "$1" in ''|*[!0-9]*|0) echo "usage: $0 [REPLICATIONS [SEED]]" >&2; exit 2 ;; esac
  args+=(--replications "$1")
fi
if [ $# -ge 2 ]; then
  case "$2" in ''|*[!0-9]*) echo "usage: $0 [REPLICATIONS [SEED]]" >&2; exit 2 ;; esac
  args+=(--seed "$2")
fi
[ $# -le 2 ] || { echo "usage: $0 [REPLICATIONS [SEED]]" >&2; exit 2; }
cargo build --release -q
ACDSIM=${CARGO_TARGET_DIR:-target}/release/acdsim
SCENARIO=scenarios/contactcenters-blend.json
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The same scenario with a 0 s threshold: same seed, same days; its
# answered_within_threshold counts the calls answered without waiting.
python3 - "$SCENARIO" "$tmp/zero.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
doc["service_level_threshold"] = "0s"
json.dump(doc, open(sys.argv[2], "w"))
PY
"$ACDSIM" run "$SCENARIO" "${args[@]}" --json --per-replication --quiet >"$tmp/run20.json"
"$ACDSIM" run "$tmp/zero.json" "${args[@]}" --json --per-replication --quiet >"$tmp/run0.json"
python3 bench/contactcenters/compare.py bench/contactcenters/published.json "$tmp/run20.json" "$tmp/run0.json"
