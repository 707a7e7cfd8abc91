//! The L1 toolchain installed by `scripts/setup-l1.sh`: solc-js (driven through
//! `verifier-contract/scripts/compile.js`) and the anvil binary of `@foundry-rs/anvil`, both
//! under `verifier-contract/node_modules`.

use alloy::json_abi::JsonAbi;
use alloy::primitives::Bytes;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};

/// What to tell a user whose toolchain is missing.
pub const SETUP_HINT: &str = "run scripts/setup-l1.sh (installs solc-js and anvil with npm ci)";

/// Why the toolchain could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ToolchainError {
    /// A file the setup script installs or produces is missing.
    #[error("L1 toolchain: {what} not found at {path}: {SETUP_HINT}")]
    Missing {
        /// What is missing.
        what: &'static str,
        /// Where it was expected.
        path: PathBuf,
    },
    /// The platform has no anvil package.
    #[error("L1 toolchain: no anvil binary for {0}")]
    UnsupportedPlatform(String),
    /// `node` could not be started.
    #[error("L1 toolchain: cannot run node ({0}); install node >= 18, then {SETUP_HINT}")]
    Node(std::io::Error),
    /// solc reported errors.
    #[error("solc failed on {source_file}:\n{stderr}")]
    Compile {
        /// The source compiled.
        source_file: PathBuf,
        /// The compiler's messages.
        stderr: String,
    },
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// An artifact is not what compile.js writes.
    #[error("malformed artifact {path}: {reason}")]
    Artifact {
        /// The artifact file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// One compiled contract, as written by `compile.js`.
#[derive(Clone, Debug)]
pub struct Artifact {
    /// Contract name.
    pub contract_name: String,
    /// Its ABI.
    pub abi: JsonAbi,
    /// Creation bytecode (constructor arguments are appended when deploying).
    pub bytecode: Bytes,
    /// Runtime bytecode.
    pub deployed_bytecode: Bytes,
    /// The solc version that produced it.
    pub solc_version: String,
}

impl Artifact {
    /// Reads an artifact file written by `compile.js`.
    pub fn load(path: &Path) -> Result<Self, ToolchainError> {
        let text = std::fs::read_to_string(path).map_err(|source| ToolchainError::Io {
            path: path.to_owned(),
            source,
        })?;
        let bad = |reason: String| ToolchainError::Artifact {
            path: path.to_owned(),
            reason,
        };
        let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
        let field = |name: &str| {
            v.get(name)
                .and_then(|x| x.as_str())
                .map(str::to_owned)
                .ok_or_else(|| bad(format!("no string field {name}")))
        };
        let bytes = |name: &str| -> Result<Bytes, ToolchainError> {
            let s = field(name)?;
            let b: Bytes = s.parse().map_err(|e| bad(format!("{name}: {e}")))?;
            if b.is_empty() {
                return Err(bad(format!("{name} is empty (abstract contract?)")));
            }
            Ok(b)
        };
        let abi = serde_json::from_value(v.get("abi").cloned().unwrap_or_default())
            .map_err(|e| bad(format!("abi: {e}")))?;
        Ok(Self {
            contract_name: field("contractName")?,
            abi,
            bytecode: bytes("bytecode")?,
            deployed_bytecode: bytes("deployedBytecode")?,
            solc_version: field("solcVersion")?,
        })
    }
}

/// The installed L1 toolchain rooted at the `verifier-contract` directory.
///
/// Invariant: constructed only through [`Toolchain::locate`] / [`Toolchain::at`], which check
/// that the anvil binary, solc-js and the compile script exist.
#[derive(Clone, Debug)]
pub struct Toolchain {
    root: PathBuf,
    anvil: PathBuf,
}

fn anvil_package() -> Result<&'static str, ToolchainError> {
    Ok(match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => "anvil-linux-amd64",
        ("linux", "aarch64") => "anvil-linux-arm64",
        ("macos", "x86_64") => "anvil-darwin-amd64",
        ("macos", "aarch64") => "anvil-darwin-arm64",
        (os, arch) => return Err(ToolchainError::UnsupportedPlatform(format!("{os}-{arch}"))),
    })
}

impl Toolchain {
    /// The toolchain of this source tree: `$ZKROLL_L1_DIR` if set, else the
    /// `verifier-contract` directory this crate was built from.
    pub fn locate() -> Result<Self, ToolchainError> {
        let root = std::env::var_os("ZKROLL_L1_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
        Self::at(root)
    }

    /// The toolchain installed under `root` (a `verifier-contract` directory).
    pub fn at(root: impl Into<PathBuf>) -> Result<Self, ToolchainError> {
        let root = root.into();
        let anvil = root
            .join("node_modules/@foundry-rs")
            .join(anvil_package()?)
            .join("bin/anvil");
        let check = |what, path: PathBuf| {
            if path.is_file() {
                Ok(())
            } else {
                Err(ToolchainError::Missing { what, path })
            }
        };
        check("anvil binary (npm @foundry-rs/anvil)", anvil.clone())?;
        check(
            "solc-js (npm solc)",
            root.join("node_modules/solc/soljson.js"),
        )?;
        check("compile script", root.join("scripts/compile.js"))?;
        Ok(Self { root, anvil })
    }

    /// The `verifier-contract` directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The anvil binary.
    pub fn anvil_path(&self) -> &Path {
        &self.anvil
    }

    /// Compiles `source` (a `.sol` file) into `out_dir` with `compile.js` (solc-js standard
    /// JSON, optimizer on; cached by input hash) and returns the artifact of `contract`.
    pub fn compile(
        &self,
        source: &Path,
        out_dir: &Path,
        contract: &str,
    ) -> Result<Artifact, ToolchainError> {
        self.compile_all(&[source], out_dir, contract)
    }

    /// Compiles `sources` together (one may import another as `"./Name.sol"`) into `out_dir`
    /// and returns the artifact of `contract`.
    pub fn compile_all(
        &self,
        sources: &[&Path],
        out_dir: &Path,
        contract: &str,
    ) -> Result<Artifact, ToolchainError> {
        let output = Command::new("node")
            .arg(self.root.join("scripts/compile.js"))
            .arg("--out")
            .arg(out_dir)
            .args(sources)
            .output()
            .map_err(ToolchainError::Node)?;
        if !output.status.success() {
            return Err(ToolchainError::Compile {
                source_file: sources.first().map(|s| s.to_path_buf()).unwrap_or_default(),
                stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            });
        }
        Artifact::load(&out_dir.join(format!("{contract}.json")))
    }

    /// The Rollup contract, compiled from `contracts/Rollup.sol` (with the
    /// `contracts/BlobOpening.sol` and `contracts/PoseidonGoldilocks.sol` it imports) into `out/`
    /// (setup-l1.sh does this too; a stale or missing artifact is recompiled).
    pub fn rollup_artifact(&self) -> Result<Artifact, ToolchainError> {
        self.contract_artifact("Rollup")
    }

    /// `contract` (`"Rollup"` or `"PoseidonGoldilocks"`), compiled from `contracts/` into `out/`.
    pub fn contract_artifact(&self, contract: &str) -> Result<Artifact, ToolchainError> {
        let dir = self.root.join("contracts");
        self.compile_all(
            &[
                &dir.join("BlobOpening.sol"),
                &dir.join("PoseidonGoldilocks.sol"),
                &dir.join("Rollup.sol"),
            ],
            &self.root.join("out"),
            contract,
        )
    }

    /// Writes a generated verifier source under `out/gen/<hash of source>/Verifier.sol` and
    /// compiles it there (different keys never share a directory, so concurrent callers do not
    /// race).
    pub fn compile_verifier(&self, source: &str) -> Result<Artifact, ToolchainError> {
        let hash = hex::encode(&Sha256::digest(source.as_bytes())[..12]);
        let dir = self.root.join("out/gen").join(hash);
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| ToolchainError::Io { path, source }
        };
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        let file = dir.join("Verifier.sol");
        let current = std::fs::read_to_string(&file).ok();
        if current.as_deref() != Some(source) {
            // Write then rename so that a concurrent compile never reads half a file.
            static COUNTER: AtomicU64 = AtomicU64::new(0);
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let tmp = dir.join(format!("Verifier.sol.{}.{n}.tmp", std::process::id()));
            std::fs::write(&tmp, source).map_err(io(&tmp))?;
            std::fs::rename(&tmp, &file).map_err(io(&file))?;
        }
        self.compile(&file, &dir, "Verifier")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_toolchain_says_to_run_the_setup_script() {
        let empty = tempfile::tempdir().unwrap();
        let err = Toolchain::at(empty.path()).unwrap_err();
        assert!(matches!(err, ToolchainError::Missing { .. }));
        assert!(err.to_string().contains("scripts/setup-l1.sh"), "{err}");
    }

    #[test]
    fn malformed_artifacts_are_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("X.json");
        for text in [
            "not json",
            r#"{"contractName":"X","abi":[],"bytecode":"0x","deployedBytecode":"0x00","solcVersion":"0.8.28"}"#,
            r#"{"contractName":"X","abi":[],"bytecode":"0xzz","deployedBytecode":"0x00","solcVersion":"0.8.28"}"#,
            r#"{"abi":[],"bytecode":"0x00","deployedBytecode":"0x00","solcVersion":"0.8.28"}"#,
        ] {
            std::fs::write(&path, text).unwrap();
            assert!(
                matches!(Artifact::load(&path), Err(ToolchainError::Artifact { .. })),
                "{text}"
            );
        }
        std::fs::write(
            &path,
            r#"{"contractName":"X","abi":[],"bytecode":"0x6000","deployedBytecode":"0x00","solcVersion":"0.8.28"}"#,
        )
        .unwrap();
        let a = Artifact::load(&path).unwrap();
        assert_eq!(a.bytecode.as_ref(), &[0x60, 0x00]);
    }
}
