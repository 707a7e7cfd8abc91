#!/usr/bin/env bash
# Installs the L1 toolchain of zkroll into verifier-contract/node_modules from the committed
# package-lock.json (npm ci): solc-js (the Solidity compiler, pinned) and @foundry-rs/anvil
# (a real anvil binary, pinned), then compiles Rollup.sol into verifier-contract/out/.
# Idempotent: when node_modules already matches the lock file and the artifacts are current,
# it only checks and returns (about a second). Needs node >= 18 and npm.
set -euo pipefail
cd "$(dirname "$0")/../verifier-contract"

command -v node >/dev/null || { echo "setup-l1: node (>= 18) is required" >&2; exit 1; }
command -v npm >/dev/null || { echo "setup-l1: npm is required" >&2; exit 1; }

anvil_bin() {
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) echo node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil ;;
    Linux-aarch64 | Linux-arm64) echo node_modules/@foundry-rs/anvil-linux-arm64/bin/anvil ;;
    Darwin-x86_64) echo node_modules/@foundry-rs/anvil-darwin-amd64/bin/anvil ;;
    Darwin-arm64) echo node_modules/@foundry-rs/anvil-darwin-arm64/bin/anvil ;;
    *) echo "setup-l1: unsupported platform $(uname -s)-$(uname -m)" >&2; exit 1 ;;
  esac
}
ANVIL=$(anvil_bin)

# npm writes node_modules/.package-lock.json on install; when it is newer than the committed
# lock file and the binaries are there, the tree is current.
if [ -x "$ANVIL" ] && [ -f node_modules/solc/soljson.js ] \
  && [ node_modules/.package-lock.json -nt package-lock.json ]; then
  echo "setup-l1: node_modules up to date"
else
  echo "setup-l1: npm ci (solc-js, anvil)"
  # --ignore-scripts: the anvil binary comes from its platform package (an optional
  # dependency); its postinstall would only download the same binary again.
  npm ci --ignore-scripts --no-audit --no-fund
fi

[ -x "$ANVIL" ] || { echo "setup-l1: anvil binary missing at verifier-contract/$ANVIL" >&2; exit 1; }
"$ANVIL" --version | head -1
node -e 'process.stdout.write("solc-js " + require("solc/package.json").version + "\n")'
node scripts/compile.js --out out contracts/BlobOpening.sol contracts/PoseidonGoldilocks.sol contracts/Rollup.sol >/dev/null
echo "setup-l1: compiled contracts/Rollup.sol (with BlobOpening.sol and PoseidonGoldilocks.sol) into verifier-contract/out/"
