//! On-disk proof files of the work directory: atomic writes, a self-describing header, and
//! loading that never trusts a file (checksum, circuit digest, statement hash, then a full
//! plonky2 verification by the caller).
//!
//! Layout (all integers big-endian):
//! `magic "ZKRP" (4) ‖ version u32 ‖ circuit_digest (4 × u64) ‖ statement_hash (32) ‖
//! body_len u64 ‖ sha256(body) (32) ‖ body` where `body` is plonky2's
//! `ProofWithPublicInputs::to_bytes`.

use crate::{Proof, ProverError, C, D, F};
use plonky2::field::extension::Extendable;
use plonky2::field::types::Field64;
use plonky2::gates::gate::GateRef;
use plonky2::hash::hash_types::RichField;
use plonky2::iop::generator::WitnessGeneratorRef;
use plonky2::plonk::circuit_data::CommonCircuitData;
use plonky2::plonk::config::Hasher;
use plonky2::util::serialization::{
    GateSerializer, IoError, IoResult, Read, Remaining, WitnessGeneratorSerializer,
};
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
    decode_proof(body, common)
}

/// A plonky2 [`Read`]er that refuses what plonky2's own `Buffer` would turn into a panic
/// (debug builds) or a non-canonical field element (release builds): a field element or
/// hash limb `≥ p`. plonky2 reads both with `from_canonical_u64`, whose only check is a
/// `debug_assert`.
struct CanonicalReader<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// Byte offset of the first non-canonical limb, if reading stopped at one.
    non_canonical_at: Option<usize>,
}

impl CanonicalReader<'_> {
    fn read_u64(&mut self) -> IoResult<u64> {
        let mut b = [0u8; 8];
        self.read_exact(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn check_limb<F: Field64>(&mut self, v: u64, at: usize) -> IoResult<()> {
        if v >= F::ORDER {
            self.non_canonical_at = Some(at);
            return Err(IoError);
        }
        Ok(())
    }
}

impl Remaining for CanonicalReader<'_> {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }
}

impl Read for CanonicalReader<'_> {
    fn read_exact(&mut self, bytes: &mut [u8]) -> IoResult<()> {
        let n = bytes.len();
        if self.remaining() < n {
            return Err(IoError);
        }
        bytes.copy_from_slice(&self.bytes[self.pos..self.pos + n]);
        self.pos += n;
        Ok(())
    }

    fn read_field<F>(&mut self) -> IoResult<F>
    where
        F: Field64,
    {
        let at = self.pos;
        let v = self.read_u64()?;
        self.check_limb::<F>(v, at)?;
        Ok(F::from_canonical_u64(v))
    }

    /// Proofs hold no gates: plonky2's serializers only read gates from its own `Buffer`.
    fn read_gate<F: RichField + Extendable<D>, const D: usize>(
        &mut self,
        _: &dyn GateSerializer<F, D>,
        _: &CommonCircuitData<F, D>,
    ) -> IoResult<GateRef<F, D>> {
        Err(IoError)
    }

    /// Proofs hold no witness generators (as for gates).
    fn read_generator<F: RichField + Extendable<D>, const D: usize>(
        &mut self,
        _: &dyn WitnessGeneratorSerializer<F, D>,
        _: &CommonCircuitData<F, D>,
    ) -> IoResult<WitnessGeneratorRef<F, D>> {
        Err(IoError)
    }

    /// zkroll's proofs (config [`C`]) hash with Poseidon: a hash is field elements, each
    /// 8 bytes little-endian, and must be canonical like any other.
    fn read_hash<F, H>(&mut self) -> IoResult<H::Hash>
    where
        F: RichField,
        H: Hasher<F>,
    {
        use plonky2::plonk::config::GenericHashOut;
        let at = self.pos;
        let mut buf = vec![0; H::HASH_SIZE];
        self.read_exact(&mut buf)?;
        for (i, w) in buf.chunks_exact(8).enumerate() {
            let v = u64::from_le_bytes(w.try_into().expect("8 bytes"));
            self.check_limb::<F>(v, at + 8 * i)?;
        }
        Ok(H::Hash::from_bytes(&buf))
    }
}

/// Decodes plonky2's `ProofWithPublicInputs::to_bytes` for a circuit with `common` data,
/// as plonky2 does, but with an error instead of a panic for a field element or hash limb
/// `≥ p`, and rejecting trailing bytes: an accepted body is exactly the encoding of the
/// proof returned. Every plonky2 proof zkroll reads from outside goes through here.
pub fn decode_proof(body: &[u8], common: &CommonCircuitData<F, D>) -> Result<Proof, ProverError> {
    let mut r = CanonicalReader {
        bytes: body,
        pos: 0,
        non_canonical_at: None,
    };
    let proof = r
        .read_proof_with_public_inputs::<F, C, D>(common)
        .map_err(|_| {
            ProverError::Malformed(match r.non_canonical_at {
                Some(at) => format!("plonky2 proof: non-canonical field element at byte {at}"),
                None => format!(
                    "plonky2 proof: truncated or malformed at byte {} of {}",
                    r.pos,
                    body.len()
                ),
            })
        })?;
    if r.remaining() != 0 {
        return Err(ProverError::Malformed(format!(
            "plonky2 proof: {} trailing bytes",
            r.remaining()
        )));
    }
    Ok(proof)
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

#[cfg(test)]
mod tests {
    use super::*;
    use plonky2::field::types::Field;
    use plonky2::iop::witness::{PartialWitness, WitnessWrite};
    use plonky2::plonk::circuit_builder::CircuitBuilder;
    use plonky2::plonk::circuit_data::CircuitConfig;

    /// A proof of `y = x²` (x = 3, both public) and its circuit's common data.
    fn tiny_proof() -> (Vec<u8>, CommonCircuitData<F, D>) {
        let mut b = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
        let x = b.add_virtual_target();
        let y = b.mul(x, x);
        b.register_public_input(x);
        b.register_public_input(y);
        let data = b.build::<C>();
        let mut pw = PartialWitness::new();
        pw.set_target(x, F::from_canonical_u64(3)).unwrap();
        let proof = data.prove(pw).unwrap();
        (proof.to_bytes(), data.common)
    }

    /// Found writing the `proof_file` fuzz target (docs/fuzzing.md): plonky2's own decoder
    /// reads limbs with `from_canonical_u64`, which panics (debug builds) on a limb `≥ p`.
    #[test]
    fn non_canonical_limbs_and_trailing_bytes_are_errors_not_panics() {
        let (body, common) = tiny_proof();
        let proof = decode_proof(&body, &common).expect("a valid proof decodes");
        assert_eq!(proof.to_bytes(), body);
        assert_eq!(proof.public_inputs[1], F::from_canonical_u64(9));

        // The body starts with the wires' Merkle cap (hash limbs) and ends with the public
        // inputs (field elements): a limb ≥ p in either is rejected, naming its offset.
        for at in [0, body.len() - 8] {
            for v in [u64::MAX, F::ORDER] {
                let mut bad = body.clone();
                bad[at..at + 8].copy_from_slice(&v.to_le_bytes());
                let e = decode_proof(&bad, &common).unwrap_err().to_string();
                assert!(
                    e.contains(&format!("non-canonical field element at byte {at}")),
                    "{e}"
                );
            }
        }
        let mut trailing = body.clone();
        trailing.push(0);
        let e = decode_proof(&trailing, &common).unwrap_err().to_string();
        assert!(e.contains("1 trailing bytes"), "{e}");
        let e = decode_proof(&body[..body.len() - 1], &common)
            .unwrap_err()
            .to_string();
        assert!(e.contains("truncated or malformed"), "{e}");
    }
}
