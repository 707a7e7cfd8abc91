//! A Groth16 trusted-setup ceremony on BN254, compatible with snarkjs.
//!
//! * Phase 1 is a public Powers of Tau: [`ptau`] reads and validates snarkjs `.ptau` files and
//!   writes an **insecure** one-contributor file for development ([`ptau::write_dev_ptau`]).
//! * [`r1cs_file`] exports an arkworks constraint system as circom's `.r1cs` file.
//! * Phase 2 is circuit specific: [`phase2::init`] (= `snarkjs zkey new`),
//!   [`contribute::contribute`] and [`contribute::beacon`] (= `snarkjs zkey contribute` /
//!   `zkey beacon`), [`verify::verify`] (= `snarkjs zkey verify`). Keys are snarkjs `.zkey`
//!   files ([`zkey`]); [`zkey::Zkey::proving_key`] turns one into an ark-groth16 key.
//! * snarkjs keys assume circom's QAP reduction, not ark-groth16's default: proofs with a
//!   ceremony key must be made with [`reduction::CircomReduction`].
//!
//! Files are written atomically (a temporary file in the same directory, then a rename).

pub mod binfile;
pub mod contribute;
pub mod encoding;
pub mod error;
pub mod jsrng;
pub mod phase2;
pub mod ptau;
pub mod r1cs_file;
pub mod reduction;
pub mod sparse;
pub mod subgroup;
pub mod verify;
pub mod zkey;

#[cfg(test)]
mod tests;

pub use error::CeremonyError;
