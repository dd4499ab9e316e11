#!/usr/bin/env bash
# Measures this checkout's `acdsim bench` beside an earlier commit's, in one
# session, alternating the two builds round by round, and prints calls
# simulated per second (medians) and the ratio new/old per scenario.
# The earlier commit is built in its own worktree and target directory
# (under ${TMPDIR:-/tmp}), so this checkout's files and build are untouched.
# Machines are shared and noisy: only ratios measured in the same run mean
# anything.
#
# Usage:  bench/compare-builds.sh REV [ROUNDS (default 5)] [SCENARIO…]
#         (default scenarios: scenarios/mmc-abandon.json scenarios/multi-skill.json;
#          a scenario the earlier build cannot read is skipped with a note)
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: $0 REV [ROUNDS] [SCENARIO…]" >&2; exit 2; }
REV=$1; shift
ROUNDS=5
if [ $# -ge 1 ]; then
  case "$1" in
    ''|*[!0-9]*|0) ;;
    *) ROUNDS=$1; shift ;;
  esac
fi
SCENARIOS=("$@")
[ ${#SCENARIOS[@]} -gt 0 ] || SCENARIOS=(scenarios/mmc-abandon.json scenarios/multi-skill.json)
for s in "${SCENARIOS[@]}"; do
  [ -f "$s" ] || { echo "no scenario file $s" >&2; exit 2; }
done
commit=$(git rev-parse --verify --quiet "$REV^{commit}") ||
  { echo "not a commit: $REV" >&2; exit 2; }
base=${TMPDIR:-/tmp}/acdsim-compare-$commit
if [ ! -d "$base/src" ]; then
  rm -rf "$base"
  git worktree add --detach "$base" "$commit" >/dev/null
fi
echo "building $REV ($commit) in $base..." >&2
cargo build --release -q --manifest-path "$base/Cargo.toml" --target-dir "$base/target"
echo "building this checkout..." >&2
cargo build --release -q
OLD=$base/target/release/acdsim
NEW=target/release/acdsim
out=$(mktemp)
rate() { "$1" bench "$2" --seconds 2 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["calls_per_s"])'; }
tmp=$(mktemp -d)
trap 'rm -f "$out"; rm -rf "$tmp"' EXIT
usable=()
labels=()
for s in "${SCENARIOS[@]}"; do
  # Builds before the "$schema" field existed refuse it: measure both on a
  # copy without it.
  bare=$tmp/$(basename "$s")
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d.pop("$schema",None); json.dump(d,open(sys.argv[2],"w"))' "$s" "$bare"
  if "$OLD" validate "$s" >/dev/null 2>&1; then
    usable+=("$s"); labels+=("$s")
  elif "$OLD" validate "$bare" >/dev/null 2>&1; then
    usable+=("$bare"); labels+=("$s")
  else
    echo "skipping $s: the build of $REV cannot read it" >&2
  fi
done
for r in $(seq "$ROUNDS"); do
  echo "round $r/$ROUNDS..." >&2
  for i in "${!usable[@]}"; do
    s=${usable[$i]}; label=${labels[$i]}
    # Alternate which build goes first, so neither always runs warmer.
    if [ $((r % 2)) -eq 1 ]; then
      printf '%s old %s\n' "$label" "$(rate "$OLD" "$s")" >>"$out"
      printf '%s new %s\n' "$label" "$(rate "$NEW" "$s")" >>"$out"
    else
      printf '%s new %s\n' "$label" "$(rate "$NEW" "$s")" >>"$out"
      printf '%s old %s\n' "$label" "$(rate "$OLD" "$s")" >>"$out"
    fi
  done
done
python3 - "$out" "$REV" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    scenario, build, value = line.split()
    runs.setdefault(scenario, {}).setdefault(build, []).append(float(value))
print(f"{'scenario':34s} {sys.argv[2] + ' calls/s':>18s} {'this calls/s':>14s} {'new/old':>8s}")
for scenario, b in runs.items():
    old, new = statistics.median(b["old"]), statistics.median(b["new"])
    print(f"{scenario:34s} {old:18,.0f} {new:14,.0f} {new / old:8.3f}")
PY
