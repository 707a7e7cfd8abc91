#!/usr/bin/env bash
# The README's test command: installs the L1 toolchain (solc-js, anvil) if missing, then runs
# every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -x scripts/setup-l1.sh ]; then scripts/setup-l1.sh; fi
# snarkjs (pinned in aggregator/package-lock.json) checks our Groth16 exports independently.
if [ ! -x aggregator/node_modules/.bin/snarkjs ] \
  || [ aggregator/package-lock.json -nt aggregator/node_modules/.package-lock.json ]; then
  (cd aggregator && npm ci --no-audit --no-fund)
fi
# The proving-queue tests (queue/) need a PostgreSQL server: a throwaway local cluster
# (scripts/postgres.sh), unless ZKROLL_TEST_PG already names one.
if [ -z "${ZKROLL_TEST_PG:-}" ]; then
  ZKROLL_TEST_PG=$(scripts/postgres.sh start)
  export ZKROLL_TEST_PG
  trap 'scripts/postgres.sh stop' EXIT
fi
# Benches are compiled by clippy --all-targets in CI but not run here: speed is measured in
# benchmarks, never in tests.
cargo test --workspace "$@"
