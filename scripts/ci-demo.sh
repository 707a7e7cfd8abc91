#!/usr/bin/env bash
# CI's end-to-end check, a small `zkroll demo --exodus`: 2 accounts created by L1 deposits,
# 3 transfers, 1 more deposit and 1 withdrawal (k = 4, height 1) through every layer — leaf
# proofs, aggregation, top digest proof, shrink, Groth16 — committed on a local anvil, then the
# exodus story on it; the files it wrote are verified again by `zkroll verify` and the exported
# Groth16 proof by snarkjs (a tampered public input must fail).
# Then the operator's path with the separate verbs on an anvil of our own: deploy → deposits
# (as users send them) → gen → prove → wrap → submit (a replayed submit must be refused), and
# the users' path when the operator stops: deposit → activate-exodus (refused before the
# deadline, accepted after) → sync (resumable) → exit (a second exit and an unknown account
# refused) → refund → a batch refused in exodus. Every key here is the seeded development
# key, asked for explicitly with --dev-setup (anyone can forge proofs for it): a deploy without
# --dev-setup must be refused, and a proof claiming another key must be refused by verify and
# by submit (which reads VK_HASH from the rollup's verifier).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=target/ci-demo
rm -rf "$dir"
zkroll() { cargo run -q -- "$@"; }
zkroll demo --dev-setup --accounts 2 --transfers 3 --deposits 1 --withdrawals 1 --k 4 --height 1 --work-dir "$dir" --exodus
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

# The operator's path, then the users' exodus, with the separate verbs on an anvil of our own
# (127.0.0.1, a free port, stopped on exit; dev accounts funded for the batch's deposits).
op="$dir/operator"
mkdir -p "$op"
anvil_bin=$(ls verifier-contract/node_modules/@foundry-rs/anvil-*/bin/anvil | head -n 1)
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
"$anvil_bin" --host 127.0.0.1 --port "$port" --balance 100000000 >"$op/anvil.log" 2>&1 &
anvil_pid=$!
trap 'kill "$anvil_pid" 2>/dev/null || true' EXIT
rpc="http://127.0.0.1:$port"
for _ in $(seq 100); do grep -q "Listening on" "$op/anvil.log" && break; sleep 0.1; done
# anvil's first dev accounts (public test keys): the operator, and a user.
export ZKROLL_PRIVATE_KEY=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80
user_key=0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d
rpc_call() { node -e '
  const [url, method, params] = process.argv.slice(1);
  fetch(url, {method: "POST", headers: {"content-type": "application/json"},
    body: JSON.stringify({jsonrpc: "2.0", id: 1, method, params: JSON.parse(params)})})
    .then(r => r.json()).then(j => { if (j.error) { console.error(j.error); process.exit(1) } })' "$rpc" "$1" "$2"; }
# Short windows so that the exodus below is reached by mining a few blocks.
deploy=(deploy --rpc "$rpc" --k 4 --height 1 --work-dir "$dir"
  --priority-deadline 20 --operator-window 10 --silence-window 20)
if zkroll "${deploy[@]}"; then
  echo "deploy accepted a development key without --dev-setup" >&2
  exit 1
fi
deployed=$(zkroll "${deploy[@]}" --dev-setup)
echo "$deployed"
rollup=$(awk '/^rollup:/ {print $2}' <<<"$deployed")
l1=(--rpc "$rpc" --rollup "$rollup")
# 2 deposits create the accounts, then 4 transfers and 1 withdrawal.
zkroll gen --txs 7 --accounts 2 --withdrawals 1 --seed 7 --chain-id 31337 --rollup "$rollup" -o "$op/batch.json"
# Each deposit of the batch is sent on L1 as its user would (key hash, owner, amount).
node -e '
  const b = JSON.parse(require("fs").readFileSync(process.argv[1]));
  for (const t of b.txs) if (t.deposit) console.log(t.deposit.pkhash, t.deposit.owner, t.deposit.amount);' \
  "$op/batch.json" | while read -r pkhash owner amount; do
  zkroll deposit "${l1[@]}" --pkhash "$pkhash" --owner "$owner" --amount "$amount" </dev/null
done
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
if zkroll submit "$op/other-key.g16" --batch "$op/batch.json" "${l1[@]}"; then
  echo "submit accepted a proof of another key" >&2
  exit 1
fi
vk_hash=$(awk '/^vk hash:/ {print $3}' <<<"$deployed")
zkroll submit "$op/batch.g16" --batch "$op/batch.json" "${l1[@]}" --expect-vk-hash "$vk_hash"
if zkroll submit "$op/batch.g16" --batch "$op/batch.json" "${l1[@]}"; then
  echo "the rollup accepted the same batch twice" >&2
  exit 1
fi

# Exodus: a user's deposit waits, the operator is gone, the deadline passes.
zkroll deposit "${l1[@]}" --private-key "$user_key" --pkhash 0x"$(printf '%064x' 7)" --amount 1000
if zkroll activate-exodus "${l1[@]}"; then
  echo "exodus activated before any deadline" >&2
  exit 1
fi
rpc_call anvil_mine '["0x20"]'
zkroll activate-exodus "${l1[@]}"
zkroll sync --rpc "$rpc" --rollup "$rollup" -o "$op/state.snapshot"
# Resuming from the file it wrote finds nothing new and keeps the same state.
zkroll sync --rpc "$rpc" --rollup "$rollup" -o "$op/state.snapshot" | tee "$op/sync2.log"
grep -q "synced 0 batch" "$op/sync2.log"
zkroll exit "${l1[@]}" --snapshot "$op/state.snapshot" --account 1
if zkroll exit "${l1[@]}" --snapshot "$op/state.snapshot" --account 1; then
  echo "an account exited twice" >&2
  exit 1
fi
if zkroll exit "${l1[@]}" --snapshot "$op/state.snapshot" --account 99; then
  echo "an unknown account exited" >&2
  exit 1
fi
# The waiting deposit (queue index 2, after the batch's two) goes back to the user.
zkroll refund "${l1[@]}" --index 2
if zkroll submit "$op/batch.g16" --batch "$op/batch.json" "${l1[@]}"; then
  echo "a batch was accepted in exodus mode" >&2
  exit 1
fi
echo "ci-demo: ok"
