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
            "200",
            "--seed",
            seed,
            "--deposits",
            "30",
            "--withdrawals",
            "30",
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
    assert_eq!(ra["pubdata_bytes"], 64_000);
    assert_eq!(ra["txs"]["total"], 1000);
    // 200 accounts created by deposits from the empty state, then 30 more deposits.
    assert_eq!(ra["txs"]["deposits"], 230);
    assert_eq!(ra["txs"]["withdrawals"], 30);
    assert_eq!(ra["txs"]["transfers"], 740);
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

#[test]
fn deploy_rejects_a_bad_genesis_root_before_touching_l1() {
    let dir = tempfile::tempdir().unwrap();
    let key = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
    // Limb 0 = 2^64 − 1 ≥ p: not a canonical Goldilocks element.
    let root = format!("0x{}{}", "ff".repeat(8), "00".repeat(24));
    for (genesis, expected) in [
        (
            root.as_str(),
            "limb 0 is not a canonical Goldilocks element",
        ),
        ("0x1234", "expected 32 bytes"),
    ] {
        let o = zkroll(
            &[
                "deploy",
                "--genesis-root",
                genesis,
                "--rpc",
                "http://127.0.0.1:9",
                "--private-key",
                key,
            ],
            dir.path(),
        );
        assert!(!o.status.success());
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("--genesis-root") && err.contains(expected),
            "{err}"
        );
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
