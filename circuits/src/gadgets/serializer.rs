//! Gate and witness-generator serializers that know zkroll's custom gates and generators, so
//! that circuits using them (the leaf circuit, the top step) can be written to disk with
//! `CircuitData::to_bytes` and loaded again instead of being rebuilt.
//!
//! Format: every gate / generator starts with a one-byte kind. Kind 0 is followed by
//! plonky2's default serializer's encoding (its own u32 tag, then the payload); kind `k ≥ 1`
//! is the `k`-th zkroll type of the tables below, followed by that type's own `serialize`.
//! Invariant: kinds are append-only — a new custom type gets the next number, existing
//! numbers never change (files written earlier stay readable or fail to load, never load as
//! another type).

use plonky2::gates::gate::{Gate, GateRef};
use plonky2::iop::generator::{SimpleGenerator, WitnessGeneratorRef};
use plonky2::plonk::circuit_data::CommonCircuitData;
use plonky2::util::serialization::{
    Buffer, DefaultGateSerializer, DefaultGeneratorSerializer, GateSerializer, IoError, IoResult,
    Read, WitnessGeneratorSerializer, Write,
};

use crate::gadgets::ecgfp5::curve::DecodeGenerator;
use crate::gadgets::ecgfp5::field::Fp5QuotientGenerator;
use crate::gadgets::ecgfp5::gate::{Fp5MulAddGate, Fp5MulAddGenerator};
use crate::gadgets::ecgfp5::ladder::{EcLadderGate, EcLadderGenerator};
use crate::gadgets::packed::PackedDigitGenerator;
use crate::gadgets::range::FieldSplitGenerator;
use crate::gadgets::schnorr::{BitsGenerator, BorrowGenerator};
use crate::gadgets::sha256::gate::{ShaBitGate, ShaBitGenerator};
use crate::{C, D, F};

/// Gate serializer for plonky2's default gates plus [`ShaBitGate`], [`Fp5MulAddGate`] and
/// [`EcLadderGate`].
#[derive(Clone, Copy, Debug, Default)]
pub struct ZkrollGateSerializer;

/// Kind byte of plonky2's own gates / generators.
const DEFAULT_KIND: u8 = 0;
/// Kind byte of [`ShaBitGate`].
const SHA_BIT_GATE: u8 = 1;
/// Kind byte of [`Fp5MulAddGate`].
const FP5_MUL_ADD_GATE: u8 = 2;
/// Kind byte of [`EcLadderGate`].
const EC_LADDER_GATE: u8 = 3;

impl GateSerializer<F, D> for ZkrollGateSerializer {
    fn read_gate(
        &self,
        buf: &mut Buffer,
        common: &CommonCircuitData<F, D>,
    ) -> IoResult<GateRef<F, D>> {
        match buf.read_u8()? {
            DEFAULT_KIND => DefaultGateSerializer.read_gate(buf, common),
            SHA_BIT_GATE => Ok(GateRef::new(ShaBitGate::deserialize(buf, common)?)),
            FP5_MUL_ADD_GATE => Ok(GateRef::new(Fp5MulAddGate::deserialize(buf, common)?)),
            EC_LADDER_GATE => Ok(GateRef::new(EcLadderGate::deserialize(buf, common)?)),
            _ => Err(IoError),
        }
    }

    fn write_gate(
        &self,
        buf: &mut Vec<u8>,
        gate: &GateRef<F, D>,
        common: &CommonCircuitData<F, D>,
    ) -> IoResult<()> {
        if gate.0.as_any().is::<ShaBitGate>() {
            buf.write_u8(SHA_BIT_GATE)?;
            gate.0.serialize(buf, common)
        } else if gate.0.as_any().is::<Fp5MulAddGate>() {
            buf.write_u8(FP5_MUL_ADD_GATE)?;
            gate.0.serialize(buf, common)
        } else if gate.0.as_any().is::<EcLadderGate>() {
            buf.write_u8(EC_LADDER_GATE)?;
            gate.0.serialize(buf, common)
        } else {
            buf.write_u8(DEFAULT_KIND)?;
            DefaultGateSerializer.write_gate(buf, gate, common)
        }
    }
}

/// Witness-generator serializer for plonky2's default generators plus zkroll's.
#[derive(Clone, Copy, Debug, Default)]
pub struct ZkrollGeneratorSerializer;

/// zkroll's generators: `(kind, id)`; the id is the generator's `SimpleGenerator::id`. Kind 3
/// (`EcGFp5DigitsGenerator`, the base-16 digits of the former windowed Schnorr ladder) is
/// retired: files holding it fail to load.
const GENERATORS: [(u8, &str); 9] = [
    (1, "zkroll::FieldSplitGenerator"),
    (2, "zkroll::ShaBitGenerator"),
    (4, "EcGFp5BorrowGenerator"),
    (5, "EcGFp5DecodeGenerator"),
    (6, "Fp5QuotientGenerator"),
    (7, "zkroll::Fp5MulAddGenerator"),
    (8, "zkroll::EcLadderGenerator"),
    (9, "zkroll::EcGFp5BitsGenerator"),
    (10, "zkroll::PackedDigitGenerator"),
];

fn read_simple<G: SimpleGenerator<F, D>>(
    buf: &mut Buffer,
    common: &CommonCircuitData<F, D>,
) -> IoResult<WitnessGeneratorRef<F, D>> {
    Ok(WitnessGeneratorRef::new(
        G::deserialize(buf, common)?.adapter(),
    ))
}

impl WitnessGeneratorSerializer<F, D> for ZkrollGeneratorSerializer {
    fn read_generator(
        &self,
        buf: &mut Buffer,
        common: &CommonCircuitData<F, D>,
    ) -> IoResult<WitnessGeneratorRef<F, D>> {
        match buf.read_u8()? {
            DEFAULT_KIND => {
                DefaultGeneratorSerializer::<C, D>::default().read_generator(buf, common)
            }
            1 => read_simple::<FieldSplitGenerator>(buf, common),
            2 => read_simple::<ShaBitGenerator>(buf, common),
            4 => read_simple::<BorrowGenerator>(buf, common),
            5 => read_simple::<DecodeGenerator>(buf, common),
            6 => read_simple::<Fp5QuotientGenerator>(buf, common),
            7 => read_simple::<Fp5MulAddGenerator<F>>(buf, common),
            8 => read_simple::<EcLadderGenerator>(buf, common),
            9 => read_simple::<BitsGenerator>(buf, common),
            10 => read_simple::<PackedDigitGenerator>(buf, common),
            _ => Err(IoError),
        }
    }

    fn write_generator(
        &self,
        buf: &mut Vec<u8>,
        generator: &WitnessGeneratorRef<F, D>,
        common: &CommonCircuitData<F, D>,
    ) -> IoResult<()> {
        let id = generator.0.id();
        match GENERATORS.iter().find(|(_, known)| *known == id) {
            Some(&(kind, _)) => {
                buf.write_u8(kind)?;
                generator.0.serialize(buf, common)
            }
            None => {
                buf.write_u8(DEFAULT_KIND)?;
                DefaultGeneratorSerializer::<C, D>::default()
                    .write_generator(buf, generator, common)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gadgets::packed::CircuitBuilderPacked;
    use crate::gadgets::range::CircuitBuilderRange;
    use crate::gadgets::schnorr::{set_signature_target, CircuitBuilderSchnorr};
    use crate::gadgets::sha256::CircuitBuilderSha256;
    use crate::gadgets::test_util::builder;
    use crate::schnorr::SecretKey;
    use plonky2::field::types::Field;
    use plonky2::hash::hash_types::HashOut;
    use plonky2::iop::witness::{PartialWitness, WitnessWrite};
    use plonky2::plonk::circuit_data::CircuitData;

    /// A circuit with every custom gate and generator: SHA-256 (ShaBitGate), a canonical
    /// field split, a packed value (digit generator), a Schnorr verification (ECgFp5 decode, GF(p^5) quotients, ladder gate,
    /// borrows). Written, read back, and the read-back circuit proves and verifies.
    #[test]
    fn circuit_with_every_custom_type_round_trips() {
        let mut b = builder();
        let bytes: Vec<_> = (0..3).map(|_| b.add_virtual_target()).collect();
        let h = b.sha256(&bytes);
        b.register_public_inputs(&h);
        let x = b.add_virtual_target();
        let split = b.split_field_u64(x);
        b.register_public_input(split.lo);
        let packed = b.add_virtual_target();
        let value = b.packed_value(packed, 35);
        b.register_public_input(value.lo);
        let pk = b.add_virtual_target_arr::<5>();
        let msg = b.add_virtual_hash();
        let sig = b.add_virtual_signature_target();
        b.verify_schnorr(pk, msg, &sig);
        let data = b.build::<C>();

        let gates = ZkrollGateSerializer;
        let gens = ZkrollGeneratorSerializer;
        let encoded = data.to_bytes(&gates, &gens).expect("serialize");
        let back = CircuitData::<F, C, D>::from_bytes(&encoded, &gates, &gens).expect("read back");
        assert_eq!(
            back.verifier_only.circuit_digest,
            data.verifier_only.circuit_digest
        );
        assert_eq!(back.common, data.common);

        let sk = SecretKey::from_seed(&[3; 32]);
        let m = HashOut {
            elements: [5, 6, 7, 8].map(F::from_canonical_u64),
        };
        let signature = sk.sign(&m);
        let mut pw = PartialWitness::new();
        for (i, t) in bytes.iter().enumerate() {
            pw.set_target(*t, F::from_canonical_u64(b'a' as u64 + i as u64))
                .unwrap();
        }
        pw.set_target(x, F::NEG_ONE).unwrap();
        // 123·10^2 packed.
        pw.set_target(packed, F::from_canonical_u64((123 << 5) | 2))
            .unwrap();
        pw.set_target_arr(&pk, &sk.public_key().encode()).unwrap();
        pw.set_hash_target(msg, m).unwrap();
        set_signature_target(&mut pw, &sig, &signature).unwrap();
        let proof = back.prove(pw).expect("read-back circuit proves");
        // sha256("abc") first word, and the low half of p − 1.
        assert_eq!(proof.public_inputs[0], F::from_canonical_u64(0xba7816bf));
        assert_eq!(proof.public_inputs[8], F::from_canonical_u64(0));
        assert_eq!(proof.public_inputs[9], F::from_canonical_u64(12_300));
        data.verify(proof)
            .expect("proof of the read-back circuit verifies with the original");
    }

    #[test]
    fn unknown_kind_is_an_error() {
        let data = builder().build::<C>();
        let mut buf = Buffer::new(&[9u8, 0, 0, 0, 0]);
        assert!(ZkrollGateSerializer
            .read_gate(&mut buf, &data.common)
            .is_err());
        let mut buf = Buffer::new(&[9u8, 0, 0, 0, 0]);
        assert!(ZkrollGeneratorSerializer
            .read_generator(&mut buf, &data.common)
            .is_err());
    }
}
