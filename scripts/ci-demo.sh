#!/usr/bin/env bash
# CI's end-to-end check, a small `zkroll demo`: 4 transfers, 1 deposit and 1 withdrawal
# (k = 4, height 1) through every layer — leaf proofs, aggregation, top digest proof, shrink,
# Groth16 — committed on a local anvil; then the files it wrote are verified again by
# `zkroll verify` and the exported Groth16 proof by snarkjs (a tampered public input must fail).
# Then the operator's path with the separate verbs on an anvil of our own: gen → deploy →
# prove → wrap → submit (a replayed submit must be refused). Every key here is the seeded
# development key, asked for explicitly with --dev-setup (anyone can forge proofs for it): a
# deploy without --dev-setup must be refused, and a proof claiming another key must be refused
# by verify and by submit (which reads VK_HASH from the rollup's verifier).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=target/ci-demo
rm -rf "$dir"
zkroll() { cargo run -q -- "$@"; }
zkroll demo --dev-setup --transfers 4 --deposits 1 --withdrawals 1 --k 4 --height 1 --work-dir "$dir"
zkroll verify "$dir/batch.proof" --batch "$dir/batch.json"
zkroll verify "$dir/batch.g16"
s="$dir/snarkjs"
# snarkjs prints "OK!" for a valid proof (its exit status alone is not relied on).
snarkjs_ok() {
  local out
  out=$(aggregator/node_modules/.bin/snarkjs groth16 verify "$s/verification_key.json" "$1" "$s/proof.json" 2>&1) || return 1
  echo "$out"
  grep -q "OK" <<<"$out"
}
snarkjs_ok "$s/public.json"
node -e '
  const fs = require("fs"); const f = process.argv[1];
  const p = JSON.parse(fs.readFileSync(f)); p[0] = (BigInt(p[0]) + 1n).toString();
  fs.writeFileSync(f.replace("public.json", "tampered.json"), JSON.stringify(p));' "$s/public.json"
if snarkjs_ok "$s/tampered.json"; then
  echo "snarkjs accepted a tampered public input" >&2
  exit 1
fi

# The operator's path. anvil on 127.0.0.1 at a free port, stopped on exit.
op="$dir/operator"
mkdir -p "$op"
anvil_bin=$(ls verifier-contract/node_modules/@foundry-rs/anvil-*/bin/anvil | head -n 1)
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
"$anvil_bin" --host 127.0.0.1 --port "$port" >"$op/anvil.log" 2>&1 &
anvil_pid=$!
trap 'kill "$anvil_pid" 2>/dev/null || true' EXIT
rpc="http://127.0.0.1:$port"
for _ in $(seq 100); do grep -q "Listening on" "$op/anvil.log" && break; sleep 0.1; done
# anvil's first dev account (a public test key).
export ZKROLL_PRIVATE_KEY=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80
gen=(gen --txs 4 --accounts 8 --withdrawals 1 --seed 7 --chain-id 31337)
# The genesis state depends on the seed only, not on the rollup the txs are signed for.
zkroll "${gen[@]}" -o "$op/genesis.json"
root=$(zkroll execute "$op/genesis.json" --json | node -pe 'JSON.parse(require("fs").readFileSync(0)).old_root')
if zkroll deploy --rpc "$rpc" --genesis-root "$root" --k 4 --height 1 --work-dir "$dir"; then
  echo "deploy accepted a development key without --dev-setup" >&2
  exit 1
fi
deployed=$(zkroll deploy --dev-setup --rpc "$rpc" --genesis-root "$root" --k 4 --height 1 --work-dir "$dir")
echo "$deployed"
rollup=$(awk '/^rollup:/ {print $2}' <<<"$deployed")
zkroll "${gen[@]}" --rollup "$rollup" -o "$op/batch.json"
zkroll prove "$op/batch.json" -o "$op/batch.proof" --k 4 --height 1 --work-dir "$dir"
zkroll wrap "$op/batch.proof" -o "$op/batch.g16" --work-dir "$dir"
# The same proof file claiming another key (vk hash byte flipped, checksum recomputed).
node -e '
  const fs = require("fs"), c = require("crypto"); const b = fs.readFileSync(process.argv[1]);
  b[40 + 32] ^= 1; c.createHash("sha256").update(b.subarray(40)).digest().copy(b, 8);
  fs.writeFileSync(process.argv[2], b);' "$op/batch.g16" "$op/other-key.g16"
if zkroll verify "$op/other-key.g16"; then
  echo "verify accepted a proof of another key" >&2
  exit 1
fi
if zkroll submit "$op/other-key.g16" --batch "$op/batch.json" --rpc "$rpc" --rollup "$rollup"; then
  echo "submit accepted a proof of another key" >&2
  exit 1
fi
vk_hash=$(awk '/^vk hash:/ {print $3}' <<<"$deployed")
zkroll submit "$op/batch.g16" --batch "$op/batch.json" --rpc "$rpc" --rollup "$rollup" \
  --expect-vk-hash "$vk_hash"
if zkroll submit "$op/batch.g16" --batch "$op/batch.json" --rpc "$rpc" --rollup "$rollup"; then
  echo "the rollup accepted the same batch twice" >&2
  exit 1
fi
echo "ci-demo: ok"
