#!/usr/bin/env bash
# Short fuzzing smoke test: each target for a fixed time (FUZZ_SECONDS,
# default 20) from its seed corpus, its reproducers in regressions/ replayed
# first. Exits non-zero if a target crashes (or does not build), 0 with a
# note when cargo-fuzz or a nightly toolchain is missing.
#
#   fuzz/smoke.sh                      # every target, 20 s each
#   FUZZ_SECONDS=60 fuzz/smoke.sh cli  # some targets, longer
#
# ACDSIM_FUZZ_ALLOW_CONTROL_CHARS=1 skips the control-character check of
# error messages (see README.md), e.g. while such a finding is open.
set -uo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-20}"
if [ "$#" -gt 0 ]; then targets=("$@"); else targets=(scenario duration cli command); fi

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz smoke test skipped: no nightly toolchain (rustup toolchain install nightly)"
    exit 0
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz smoke test skipped: cargo-fuzz is not installed (cargo install cargo-fuzz)"
    exit 0
fi

failed=()
for t in "${targets[@]}"; do
    if [ ! -f "fuzz/fuzz_targets/$t.rs" ]; then
        echo "unknown fuzz target: $t" >&2
        failed+=("$t (unknown)")
        continue
    fi
    corpora=("fuzz/corpus-run/$t" "fuzz/corpus/$t")
    [ -d "fuzz/regressions/$t" ] && corpora+=("fuzz/regressions/$t")
    options=(-max_total_time="$seconds" -max_len=4096)
    [ "$t" = scenario ] && options+=(-dict=fuzz/scenario.dict)
    mkdir -p "fuzz/corpus-run/$t"
    echo "== fuzz target $t: ${seconds}s"
    log="$(mktemp)"
    if cargo +nightly fuzz run "$t" "${corpora[@]}" -- "${options[@]}" >"$log" 2>&1; then
        grep -E '^(#[0-9]+[[:space:]]+DONE|Done [0-9]+ runs)' "$log" | tail -2
        echo "== $t: ok"
    else
        # The panic, the input's location and how to reproduce it.
        grep -E -A2 "panicked at|^SUMMARY|Test unit written|^error" "$log" | head -20
        echo "== $t: FAILED (full log: $log)"
        failed+=("$t")
        continue
    fi
    rm -f "$log"
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzz smoke test FAILED: ${failed[*]}"
    exit 1
fi
echo "fuzz smoke test passed: ${targets[*]} (${seconds}s each)"
