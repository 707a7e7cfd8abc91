//! End-to-end tests of the `zkroll` binary.

use std::path::Path;
use std::process::Command;

fn zkroll(args: &[&str], dir: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_zkroll"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run zkroll")
}

fn gen(dir: &Path, out: &str, seed: &str) {
    let o = zkroll(
        &[
            "gen",
            "--txs",
            "1000",
            "--accounts",
            "6",
            "--seed",
            seed,
            "--deposits",
            "4",
            "--withdrawals",
            "6",
            "-o",
            out,
        ],
        dir,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn execute_json(dir: &Path, file: &str) -> serde_json::Value {
    let o = zkroll(&["execute", file, "--json"], dir);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn gen_then_execute_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    gen(d, "a.json", "1");
    gen(d, "b.json", "1");
    gen(d, "c.bin", "1");
    gen(d, "other.json", "2");
    let a = std::fs::read(d.join("a.json")).unwrap();
    assert_eq!(
        a,
        std::fs::read(d.join("b.json")).unwrap(),
        "gen is deterministic"
    );
    assert_ne!(a, std::fs::read(d.join("other.json")).unwrap());
    let ra = execute_json(d, "a.json");
    let rb = execute_json(d, "a.json");
    let rc = execute_json(d, "c.bin");
    assert_eq!(ra, rb, "execute twice gives the same result");
    assert_eq!(ra, rc, "JSON and bincode encode the same batch");
    // A header element and two 124-bit records per 31-byte element (formats.md §4.2); one
    // 64-byte effect per deposit and withdrawal (§4.3).
    assert_eq!(ra["blob_data_bytes"], 31 * (1 + 500));
    assert_eq!(ra["blob_elements"], 501);
    assert_eq!(ra["effects_bytes"], 64 * 16);
    assert_eq!(ra["txs"]["total"], 1000);
    // 6 accounts created by deposits from the empty state, then 4 more deposits.
    assert_eq!(ra["txs"]["deposits"], 10);
    assert_eq!(ra["txs"]["withdrawals"], 6);
    assert_eq!(ra["txs"]["transfers"], 984);
    assert_eq!(ra["txs"]["full_exits"], 0);
    let digest = ra["digest"].as_str().unwrap();
    assert_eq!(digest.len(), 66);
    assert!(digest.as_bytes()[2] <= b'1', "top 3 bits cleared");
    assert_ne!(ra["old_root"], ra["new_root"]);
    // Plain output names the same digest.
    let o = zkroll(&["execute", "a.json"], d);
    assert!(String::from_utf8_lossy(&o.stdout).contains(digest));
}

#[test]
fn execute_reports_typed_errors_with_nonzero_exit() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = zkroll(
        &[
            "gen",
            "--txs",
            "5",
            "--accounts",
            "3",
            "--seed",
            "4",
            "-o",
            "g.json",
        ],
        d,
    );
    assert!(o.status.success());
    // Replay tx 3 (the first transfer, after the 3 funding deposits) as tx 5.
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("g.json")).unwrap()).unwrap();
    let first = v["txs"][3].clone();
    assert!(first.get("transfer").is_some());
    v["txs"].as_array_mut().unwrap().push(first);
    std::fs::write(d.join("r.json"), serde_json::to_vec(&v).unwrap()).unwrap();
    let o = zkroll(&["execute", "r.json"], d);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("tx 5: wrong nonce"), "{err}");
    // Malformed file.
    std::fs::write(d.join("m.json"), "{\n \"version\": 2,\n oops").unwrap();
    let o = zkroll(&["execute", "m.json"], d);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("line 3"));
    // Bad parameters.
    let o = zkroll(
        &[
            "gen",
            "--txs",
            "1",
            "--accounts",
            "3",
            "--deposits",
            "2",
            "-o",
            "x.json",
        ],
        d,
    );
    assert!(!o.status.success());
}

/// `zkroll deploy` checks its Rollup parameters (operator address, windows) before touching L1
/// (the RPC here is a closed port), naming the flag.
#[test]
fn deploy_rejects_bad_rollup_parameters_before_touching_l1() {
    let dir = tempfile::tempdir().unwrap();
    let key = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
    for (args, expected) in [
        (vec!["--operator", "0x1234"], "--operator: not an address"),
        (
            vec!["--priority-deadline", "10", "--operator-window", "11"],
            "--operator-window must not exceed --priority-deadline",
        ),
    ] {
        let mut all = vec![
            "deploy",
            "--rpc",
            "http://127.0.0.1:9",
            "--private-key",
            key,
        ];
        all.extend(args);
        let o = zkroll(&all, dir.path());
        assert!(!o.status.success());
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(expected), "{err}");
    }
}

#[test]
fn help_describes_the_subcommands() {
    let dir = tempfile::tempdir().unwrap();
    let o = zkroll(&["--help"], dir.path());
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(s.contains("gen") && s.contains("execute"), "{s}");
    let o = zkroll(&["gen", "--help"], dir.path());
    assert!(String::from_utf8_lossy(&o.stdout).contains("--withdrawals"));
}

#[test]
fn prove_then_verify_matches_execute() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (out, seed) in [("a.json", "5"), ("b.json", "6")] {
        let o = zkroll(
            &[
                "gen",
                "--txs",
                "5",
                "--accounts",
                "3",
                "--seed",
                seed,
                "--deposits",
                "1",
                "--withdrawals",
                "1",
                "-o",
                out,
            ],
            d,
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let exec = execute_json(d, "a.json");
    let o = zkroll(
        &[
            "prove",
            "a.json",
            "-o",
            "a.proof",
            "--k",
            "4",
            "--work-dir",
            "wd",
        ],
        d,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    let digest = exec["digest"].as_str().unwrap();
    assert!(out.contains(digest), "{out}");
    assert!(d.join("wd/circuits/leaf_K04.bin").exists());

    let o = zkroll(&["verify", "a.proof", "--batch", "a.json"], d);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains(digest));
    // The proof of a.json is not a proof of b.json.
    let o = zkroll(&["verify", "a.proof", "--batch", "b.json"], d);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a proof of"));
    // A flipped byte: a clear error, no panic.
    let mut bytes = std::fs::read(d.join("a.proof")).unwrap();
    let n = bytes.len();
    bytes[n / 3] ^= 4;
    std::fs::write(d.join("bad.proof"), bytes).unwrap();
    let o = zkroll(&["verify", "bad.proof"], d);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("checksum") && !err.contains("panicked"),
        "{err}"
    );
}

/// Issue 11: `--dev-setup` is refused for a chain that is not a local devnet, before any circuit
/// is built, and export-verifier needs the target chain id to allow it.
#[test]
fn export_verifier_refuses_dev_setup_off_local_devnets() {
    let dir = tempfile::tempdir().unwrap();
    for (chain, expected) in [
        (Some("1"), "--dev-setup is refused for chain id 1:"),
        (
            Some("11155111"),
            "--dev-setup is refused for chain id 11155111",
        ),
        (None, "--dev-setup needs the target chain id"),
    ] {
        let mut args = vec!["export-verifier", "--dev-setup", "--keys", "keys"];
        if let Some(c) = chain {
            args.extend(["--chain-id", c]);
        }
        let o = zkroll(&args, dir.path());
        assert!(!o.status.success());
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(expected) && !err.contains("panicked"), "{err}");
        assert!(!dir.path().join("Verifier.sol").exists());
        assert!(!dir.path().join("keys").exists(), "nothing generated");
    }
}

/// Issue 11: with no key installed and no `--dev-setup`, export-verifier says how to get one.
#[test]
fn export_verifier_without_a_key_says_how_to_get_one() {
    let dir = tempfile::tempdir().unwrap();
    let o = zkroll(
        &["export-verifier", "--keys", "keys", "--chain-id", "1"],
        dir.path(),
    );
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no Groth16 key is installed")
            && err.contains("ceremony")
            && err.contains("--dev-setup"),
        "{err}"
    );
    assert!(!dir.path().join("Verifier.sol").exists());
}

/// Issue 11: `zkroll deploy --dev-setup` reads the chain id from the RPC node and refuses an
/// anvil that runs chain id 1, before building anything.
#[test]
fn deploy_refuses_dev_setup_on_chain_id_1() {
    let toolchain = zkroll::l1::Toolchain::locate().expect("run scripts/setup-l1.sh");
    let anvil = alloy::node_bindings::Anvil::new()
        .path(toolchain.anvil_path())
        .host("127.0.0.1")
        .port(0u16)
        .chain_id(1)
        .try_spawn()
        .expect("anvil");
    let dir = tempfile::tempdir().unwrap();
    let key = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
    let o = zkroll(
        &[
            "deploy",
            "--dev-setup",
            "--rpc",
            anvil.endpoint().as_str(),
            "--private-key",
            key,
            "--keys",
            "keys",
        ],
        dir.path(),
    );
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--dev-setup is refused for chain id 1:") && !err.contains("panicked"),
        "{err}"
    );
    assert!(!dir.path().join("keys").exists(), "nothing generated");
}

/// Issue 11: `zkroll verify` refuses a `.g16` whose vk hash is not the installed key's (checked
/// against the install record before the key is loaded), one that misses an
/// `--expect-vk-hash` pin, and a version-1 file.
#[test]
fn verify_refuses_a_g16_of_another_key() {
    use zkroll::{KeyCache, KeyProvenance, KeyRecord, WrappedBatch};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cache = KeyCache::new(d.join("keys"));
    let id = "zkroll/wrap/cli-test";
    let installed = [0x01; 32];
    std::fs::create_dir_all(cache.dir()).unwrap();
    let record = KeyRecord {
        circuit_id: id.into(),
        vk_hash: installed,
        provenance: KeyProvenance::Ceremony {
            zkey_sha256: [0x0e; 32],
        },
    };
    std::fs::write(cache.record_path_for(id), record.to_json()).unwrap();
    let w = WrappedBatch {
        circuit_id: id.into(),
        digest: [0x11; 32],
        vk_hash: [0x02; 32],
        proof: vec![0; 128],
    };
    std::fs::write(d.join("other.g16"), w.to_bytes()).unwrap();
    let o = zkroll(&["verify", "other.g16", "--keys", "keys"], d);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("made with Groth16 key 0x{}", "02".repeat(32)))
            && err.contains(&format!(
                "installed key of its circuit is 0x{}",
                "01".repeat(32)
            ))
            && err.contains("not a proof of this deployment"),
        "{err}"
    );
    // A pin the proof does not match.
    let pin = format!("0x{}", "03".repeat(32));
    let o = zkroll(
        &[
            "verify",
            "other.g16",
            "--keys",
            "keys",
            "--expect-vk-hash",
            &pin,
        ],
        d,
    );
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("vk hash pin") && err.contains("the proof has 0x0202"),
        "{err}"
    );
    // The older format without a vk hash.
    let mut v1 = w.to_bytes();
    v1[4..8].copy_from_slice(&1u32.to_be_bytes());
    std::fs::write(d.join("v1.g16"), v1).unwrap();
    let o = zkroll(&["verify", "v1.g16", "--keys", "keys"], d);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("format version 1"), "{err}");
}
