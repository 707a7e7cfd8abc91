//! On-disk proof files of the work directory: atomic writes, a self-describing header, and
//! loading that never trusts a file (checksum, circuit digest, statement hash, then a full
//! plonky2 verification by the caller).
//!
//! Layout (all integers big-endian):
//! `magic "ZKRP" (4) ‖ version u32 ‖ circuit_digest (4 × u64) ‖ statement_hash (32) ‖
//! body_len u64 ‖ sha256(body) (32) ‖ body` where `body` is plonky2's
//! `ProofWithPublicInputs::to_bytes`.

use crate::{Proof, ProverError, D, F};
use plonky2::plonk::circuit_data::CommonCircuitData;
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Magic bytes of a proof file.
pub const MAGIC: [u8; 4] = *b"ZKRP";
/// Version of the proof-file layout.
pub const VERSION: u32 = 1;
const HEADER_LEN: usize = 4 + 4 + 32 + 32 + 8 + 32;

/// What a proof file must be for the proof it holds to be considered at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expected {
    /// Digest of the circuit that produced the proof.
    pub circuit_digest: [u64; 4],
    /// [`crate::Statement::hash`] of the statement the proof must prove.
    pub statement_hash: [u8; 32],
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ProverError + '_ {
    move |source| ProverError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Encodes `proof` with its header.
pub fn encode(proof: &Proof, exp: &Expected) -> Vec<u8> {
    let body = proof.to_bytes();
    let mut out = Vec::with_capacity(HEADER_LEN + body.len());
    out.extend(MAGIC);
    out.extend(VERSION.to_be_bytes());
    for x in exp.circuit_digest {
        out.extend(x.to_be_bytes());
    }
    out.extend(exp.statement_hash);
    out.extend((body.len() as u64).to_be_bytes());
    out.extend(Sha256::digest(&body));
    out.extend(body);
    out
}

/// Decodes a proof file, checking magic, version, expected digest and statement hash,
/// length and checksum. The returned proof still has to be verified by the caller.
pub fn decode(
    bytes: &[u8],
    exp: &Expected,
    common: &CommonCircuitData<F, D>,
) -> Result<Proof, ProverError> {
    let bad = |m: &str| Err(ProverError::Malformed(m.to_string()));
    if bytes.len() < HEADER_LEN {
        return bad("truncated header");
    }
    if bytes[0..4] != MAGIC {
        return bad("bad magic");
    }
    if bytes[4..8] != VERSION.to_be_bytes() {
        return bad("unsupported version");
    }
    let mut digest = [0u64; 4];
    for (i, d) in digest.iter_mut().enumerate() {
        let o = 8 + 8 * i;
        *d = u64::from_be_bytes(bytes[o..o + 8].try_into().expect("8 bytes"));
    }
    if digest != exp.circuit_digest {
        return bad("circuit digest mismatch");
    }
    if bytes[40..72] != exp.statement_hash {
        return bad("statement hash mismatch");
    }
    let len = u64::from_be_bytes(bytes[72..80].try_into().expect("8 bytes"));
    let body = &bytes[HEADER_LEN..];
    if body.len() as u64 != len {
        return bad("body length mismatch");
    }
    if Sha256::digest(body).as_slice() != &bytes[80..112] {
        return bad("checksum mismatch");
    }
    Proof::from_bytes(body.to_vec(), common).map_err(|e| ProverError::Malformed(e.to_string()))
}

/// Writes `bytes` to `path` atomically: a temporary file in the same directory is written,
/// fsynced and renamed over `path`, then the directory is fsynced. A crash leaves either the
/// old file, the new file, or a stray temporary file, never a torn `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ProverError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp: PathBuf = dir.join(format!(".{name}.tmp.{}", std::process::id()));
    {
        let mut f = File::create(&tmp).map_err(io_err(&tmp))?;
        f.write_all(bytes).map_err(io_err(&tmp))?;
        f.sync_all().map_err(io_err(&tmp))?;
    }
    fs::rename(&tmp, path).map_err(io_err(path))?;
    if let Ok(d) = File::open(dir) {
        // Directory fsync is best effort (not supported on every platform).
        let _ = d.sync_all();
    }
    Ok(())
}

/// Reads and decodes a proof file. `Ok(None)` if it does not exist; `Err` if it exists but
/// is unreadable or invalid (the caller logs it and proves again).
pub fn load(
    path: &Path,
    exp: &Expected,
    common: &CommonCircuitData<F, D>,
) -> Result<Option<Proof>, ProverError> {
    match fs::read(path) {
        Ok(bytes) => decode(&bytes, exp, common).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_err(path)(e)),
    }
}
