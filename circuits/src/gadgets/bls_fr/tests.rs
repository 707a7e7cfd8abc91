use num_bigint::BigUint;
use plonky2::field::types::Field;
use plonky2::iop::target::Target;
use plonky2::iop::witness::PartialWitness;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::*;
use crate::blob::field::{self as fr, MODULUS_BE};
use crate::gadgets::test_util::{builder, proves, tamper_rejected};
use crate::{C, F};

fn random_fr(rng: &mut ChaCha8Rng) -> BigUint {
    BigUint::from_bytes_be(&rng.gen::<[u8; 32]>()) % fr::modulus()
}

/// Circuit: a, b inputs; a+b, a−b, a·b, a·c (constant) connected to expected inputs, each
/// checked canonical.
#[test]
fn arithmetic_matches_native() {
    let mut b = builder();
    let (x, y) = (b.add_virtual_bls_fr_target(), b.add_virtual_bls_fr_target());
    let c = BigUint::from(0xdead_beef_u64).pow(7);
    let results = [
        b.bls_fr_add(&x, &y),
        b.bls_fr_sub(&x, &y),
        b.bls_fr_mul(&x, &y),
        b.bls_fr_mul_const(&x, &c),
    ];
    let expect: Vec<BlsFrTarget> = (0..4).map(|_| b.add_virtual_bls_fr_target()).collect();
    for (res, e) in results.iter().zip(&expect) {
        b.assert_bls_fr_canonical(res);
        b.connect_bls_fr(res, e);
    }
    let data = b.build::<C>();
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let r_minus_1 = fr::modulus() - 1u32;
    let cases = [
        (random_fr(&mut rng), random_fr(&mut rng)),
        (r_minus_1.clone(), r_minus_1.clone()),
        (BigUint::ZERO, r_minus_1.clone()),
        (BigUint::ZERO, BigUint::ZERO),
    ];
    for (av, bv) in cases {
        let native = [
            fr::add(&av, &bv),
            fr::sub(&av, &bv),
            fr::mul(&av, &bv),
            fr::mul(&av, &c),
        ];
        let witness = |results: &[BigUint]| {
            let mut pw = PartialWitness::new();
            pw.set_bls_fr_target(&x, &av).unwrap();
            pw.set_bls_fr_target(&y, &bv).unwrap();
            for (e, v) in expect.iter().zip(results) {
                pw.set_bls_fr_target(e, v).unwrap();
            }
            pw
        };
        let pw = witness(&native);
        assert!(proves(&data, pw.clone()), "{av} {bv}");
        // Each wrong result (off by one) is rejected.
        for i in 0..4 {
            let mut wrong = native.clone();
            wrong[i] = fr::add(&wrong[i], &BigUint::from(1u32));
            assert!(!proves(&data, witness(&wrong)), "result {i}");
        }
        // Tampering a limb of the product after honest witness generation is rejected.
        let limb0 = bls_fr_limbs::<F>(&native[2])[0];
        assert!(tamper_rejected(
            &data,
            pw,
            expect[2].limbs[0],
            limb0 + F::ONE
        ));
    }
}

#[test]
fn non_native_inputs_are_reduced() {
    // Inputs ≥ r (but < 2^261) are valid operands: the product is that of their residues.
    let mut b = builder();
    let (x, y) = (b.add_virtual_bls_fr_target(), b.add_virtual_bls_fr_target());
    let p = b.bls_fr_mul(&x, &y);
    b.assert_bls_fr_canonical(&p);
    let e = b.add_virtual_bls_fr_target();
    b.connect_bls_fr(&p, &e);
    let data = b.build::<C>();
    let big = (BigUint::from(1u32) << 261) - 1u32;
    let mut pw = PartialWitness::new();
    pw.set_bls_fr_target(&x, &big).unwrap();
    pw.set_bls_fr_target(&y, &big).unwrap();
    pw.set_bls_fr_target(&e, &fr::mul(&big, &big)).unwrap();
    assert!(proves(&data, pw));
}

#[test]
fn canonical_check_rejects_r_and_above() {
    let mut b = builder();
    let x = b.add_virtual_bls_fr_target();
    b.assert_bls_fr_canonical(&x);
    let data = b.build::<C>();
    let r = BigUint::from_bytes_be(&MODULUS_BE);
    let run = |v: &BigUint| {
        let mut pw = PartialWitness::new();
        pw.set_bls_fr_target(&x, v).unwrap();
        proves(&data, pw)
    };
    assert!(run(&BigUint::ZERO));
    assert!(run(&(&r - 1u32)));
    assert!(!run(&r));
    assert!(!run(&(&r + 5u32)));
    assert!(!run(&((BigUint::from(1u32) << 261) - 1u32)));
}

#[test]
fn limbs_must_be_range_checked() {
    // A limb of 2^29 (the same integer as a carry into the next limb) is rejected.
    let mut b = builder();
    let x = b.add_virtual_bls_fr_target();
    let data = b.build::<C>();
    let mut pw = PartialWitness::new();
    for (i, &l) in x.limbs.iter().enumerate() {
        let v = if i == 0 { 1u64 << 29 } else { 0 };
        pw.set_target(l, F::from_canonical_u64(v)).unwrap();
    }
    assert!(!proves(&data, pw));
}

#[test]
fn complement_generator_serializes() {
    let t = |i| Target::VirtualTarget { index: i };
    super::expr::tests::roundtrip(&ComplementGenerator {
        a: (0..9).map(t).collect(),
        complement: (9..18).map(t).collect(),
    });
}

#[test]
fn big_endian_words() {
    let mut b = builder();
    let x = b.add_virtual_bls_fr_target();
    let words = b.bls_fr_to_be_u32_words(&x);
    let expect: Vec<Target> = (0..8).map(|_| b.add_virtual_target()).collect();
    for (w, e) in words.iter().zip(&expect) {
        b.connect(*w, *e);
    }
    let data = b.build::<C>();
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let run = |v: &BigUint, bytes: &[u8; 32]| {
        let mut pw = PartialWitness::new();
        pw.set_bls_fr_target(&x, v).unwrap();
        for (e, w) in expect.iter().zip(bytes.chunks(4)) {
            let w = u32::from_be_bytes(w.try_into().unwrap());
            pw.set_target(*e, F::from_canonical_u32(w)).unwrap();
        }
        proves(&data, pw)
    };
    let v = random_fr(&mut rng);
    let bytes = fr::to_be_bytes32(&v);
    assert!(run(&v, &bytes));
    let mut wrong = bytes;
    wrong[31] ^= 1;
    assert!(!run(&v, &wrong));
    // A value ≥ 2^256 has no 32-byte encoding: rejected whatever the claimed words.
    let wide = (BigUint::from(1u32) << 256) + &v;
    assert!(!run(&wide, &bytes));
}
