#!/usr/bin/env bash
# Runs every fuzz target (fuzz/, docs/fuzzing.md) for SECONDS_PER_TARGET seconds each, one
# after the other, one libFuzzer process at a time, at the lowest CPU priority.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default: 3600 s, every target)
#   ZKROLL_FUZZ_DEV=1 scripts/fuzz.sh 20                  (CI: cheaper build, see below)
#
# Seeds are regenerated into fuzz/seeds/<target> at each run; what libFuzzer finds goes to
# fuzz/corpus/<target> (kept between runs), crashes to fuzz/artifacts/<target>. Logs and a
# summary (executions, the last `cov:` line) go to fuzz/logs/. Exits non-zero on the first
# crash, leak, timeout or out-of-memory. Installs cargo-fuzz if `cargo fuzz` is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-3600}
shift || true

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz"
    cargo install --locked cargo-fuzz
fi

# -s none: no sanitizer (the code under test is safe Rust; ASan would halve the executions
# per second). -a: debug assertions and overflow checks on, so that they count as crashes.
# --codegen-units 16: cargo-fuzz defaults to 1, which makes the build several times slower.
flags=(-s none -a --codegen-units 16)
# ZKROLL_FUZZ_DEV=1 (CI's short runs): build with fuzz/'s dev profile (opt-level 1), a cheaper
# cold build for fewer executions per second; long runs keep the optimised release build.
if [ "${ZKROLL_FUZZ_DEV:-0}" = 1 ]; then flags+=(--dev); fi
if [ $# -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list)
fi

build_start=$(date +%s)
# The build runs at normal priority (at nice 19 it starves on a busy machine); the fuzzers
# below run at nice 19.
cargo fuzz build "${flags[@]}"
echo "== fuzz build: $(( $(date +%s) - build_start )) s"

mkdir -p fuzz/logs
summary=fuzz/logs/summary.txt
echo "# $(date -u +%FT%TZ) ${secs} s per target" >>"$summary"
for t in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$t" "fuzz/seeds/$t"
    log="fuzz/logs/$t.log"
    echo "== $t (${secs} s)"
    # One process (no -jobs/-fork); RAYON_NUM_THREADS=1 keeps the executor on one core.
    status=0
    ZKROLL_FUZZ_SEEDS="fuzz/seeds/$t" RAYON_NUM_THREADS=1 \
        nice -n 19 cargo fuzz run "${flags[@]}" "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
        -max_total_time="$secs" -timeout=60 -rss_limit_mb=4096 -print_final_stats=1 \
        >"$log" 2>&1 || status=$?
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
    cov=$(grep -E '#[0-9]+.*cov: ' "$log" | tail -n 1 | grep -oE 'cov: [0-9]+ ft: [0-9]+' || true)
    line="$t: ${runs:-?} executions, ${cov:-no cov line}, exit $status"
    echo "$line" | tee -a "$summary"
    if [ "$status" -ne 0 ]; then
        tail -n 40 "$log"
        echo "fuzz target $t failed: see $log and fuzz/artifacts/$t" >&2
        exit 1
    fi
done
