//! The blob data of a batch (`docs/formats.md` §4.2) as blob elements in circuit: the header
//! element and one element per pair of records, built limb by limb in the 29-bit layout of
//! [`BlsFrTarget`].
//!
//! Every value placed in an element (a record field, the operator, the record count) is cut
//! at the limb boundaries into **pieces**, each witnessed and range-checked to its width
//! (`LimbRangeGate`), and the value is constrained to be their weighted sum; a limb is then
//! the weighted sum of the pieces that fall into it, plus constants. So the value of each
//! field is range-checked to its width by construction, and the element is the integer
//! `Σ value·2^offset`. Every element also goes through
//! [`CircuitBuilderBlob::range_check_blob_element`] (limbs `< 2^29`, top limb `< 2^16`).
//!
//! Native twins: [`record_fields`], [`header_fields`], [`element_value`]; tested equal to
//! `BatchData::blob_data` cut by `data_to_elements`.

use num_bigint::BigUint;
use plonky2::field::types::Field;
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use zkroll_circuits::da::{Record, BLOB_DATA_VERSION};
use zkroll_circuits::gadgets::blob::CircuitBuilderBlob;
use zkroll_circuits::gadgets::bls_fr::expr::LIMB_BITS;
use zkroll_circuits::gadgets::bls_fr::range_gate::range_check_packed;
use zkroll_circuits::gadgets::bls_fr::{BlsFrTarget, NUM_LIMBS};

use crate::{ProverError, D, F};

/// Bit offset (LSB = 0) of the even record of a pair in its element (the high 124 bits).
pub const HIGH_RECORD_OFFSET: usize = 124;

/// Where a value sits in a blob element: `width` bits starting at bit `offset` (LSB = 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placement {
    /// Lowest bit of the value in the element.
    pub offset: usize,
    /// Bits of the value.
    pub width: usize,
}

/// One piece of a placed value: bits `[from, from + width)` of the value, at bit `shift` of
/// limb `limb`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Piece {
    limb: usize,
    shift: usize,
    from: usize,
    width: usize,
}

impl Placement {
    /// The pieces of the value cut at the 29-bit limb boundaries, lowest first.
    fn pieces(&self) -> Vec<Piece> {
        let mut out = vec![];
        let mut from = 0;
        while from < self.width {
            let bit = self.offset + from;
            let (limb, shift) = (bit / LIMB_BITS, bit % LIMB_BITS);
            let width = (LIMB_BITS - shift).min(self.width - from);
            out.push(Piece {
                limb,
                shift,
                from,
                width,
            });
            from += width;
        }
        out
    }
}

/// The record fields' placements inside a 124-bit record (`docs/formats.md` §4.2, record-local
/// offsets): `t`, `a`, `b`, `c`, the fee at a Transfer's position, the fee at a Withdraw's.
pub const RECORD_LAYOUT: [Placement; 6] = [
    Placement {
        offset: 121,
        width: 3,
    },
    Placement {
        offset: 89,
        width: 32,
    },
    Placement {
        offset: 57,
        width: 32,
    },
    Placement {
        offset: 17,
        width: 40,
    },
    Placement {
        offset: 1,
        width: 16,
    },
    Placement {
        offset: 73,
        width: 16,
    },
];

/// Placement of the operator in the header element (bytes 1..5 of 31).
pub const HEADER_OPERATOR: Placement = Placement {
    offset: 208,
    width: 32,
};
/// Placement of the record count in the header element (bytes 5..9 of 31).
pub const HEADER_COUNT: Placement = Placement {
    offset: 176,
    width: 32,
};
/// Bit offset of the version byte in the header element (byte 0 of 31).
pub const HEADER_VERSION_OFFSET: usize = 240;

fn shifted(p: Placement, by: usize) -> Placement {
    Placement {
        offset: p.offset + by,
        width: p.width,
    }
}

/// Native twin: the six field values of a record (`None`: no record, all zero) in the order
/// of [`RECORD_LAYOUT`], the fee at the position its type uses.
pub fn record_fields(r: Option<&Record>) -> [u64; 6] {
    match r {
        None => [0; 6],
        Some(r) => {
            let (fee_t, fee_w) = match r.t {
                2 => (r.d, 0),
                3 => (0, r.d),
                _ => (0, 0),
            };
            [
                u64::from(r.t),
                u64::from(r.a),
                u64::from(r.b),
                r.c,
                fee_t,
                fee_w,
            ]
        }
    }
}

/// Native twin: the placed values of the header element (operator, record count).
pub fn header_fields(operator: u32, count: u32) -> [(u64, Placement); 2] {
    [
        (u64::from(operator), HEADER_OPERATOR),
        (u64::from(count), HEADER_COUNT),
    ]
}

/// Native twin of an element: `Σ value·2^offset` (values must fit their widths).
pub fn element_value(fields: &[(u64, Placement)], constant: &BigUint) -> BigUint {
    fields.iter().fold(constant.clone(), |acc, (v, p)| {
        debug_assert!(p.width >= 64 || *v >> p.width == 0);
        acc + (BigUint::from(*v) << p.offset)
    })
}

/// Native twin: the constant part of the header element (the version byte).
pub fn header_constant() -> BigUint {
    BigUint::from(BLOB_DATA_VERSION) << HEADER_VERSION_OFFSET
}

/// Native twin: the used elements of a batch's blob data from its operator and records.
pub fn blob_elements(operator: u32, records: &[Record]) -> Vec<BigUint> {
    let mut out = vec![element_value(
        &header_fields(operator, records.len() as u32),
        &header_constant(),
    )];
    for pair in records.chunks(2) {
        let mut fields = vec![];
        for (r, base) in [(Some(&pair[0]), HIGH_RECORD_OFFSET), (pair.get(1), 0)] {
            for (v, p) in record_fields(r).into_iter().zip(RECORD_LAYOUT) {
                fields.push((v, shifted(p, base)));
            }
        }
        out.push(element_value(&fields, &BigUint::ZERO));
    }
    out
}

/// A value placed in a blob element, with its pieces.
///
/// Invariant: each piece is range-checked to its width and `value = Σ piece·2^from`, so
/// `value < 2^width`.
#[derive(Clone, Debug)]
pub struct PlacedTarget {
    /// The value.
    pub value: Target,
    /// Where it sits.
    pub placement: Placement,
    pieces: Vec<(Piece, Target)>,
}

/// One record slot of the top circuit.
///
/// Invariant (constrained): the Transfer-position fee is zero unless `t = 2`, the
/// Withdraw-position fee zero unless `t = 3`, and `d` is their sum.
#[derive(Clone, Debug)]
pub struct RecordTarget {
    /// `t, a, b, c, fee at the Transfer position, fee at the Withdraw position`, each placed
    /// in the slot's element.
    pub fields: [PlacedTarget; 6],
    /// The packed fee `d`.
    pub d: Target,
}

impl RecordTarget {
    /// The four limbs the data commitment absorbs after `dc`: `[t·2^32 + a, b, c, d]`.
    pub fn chain_input(&self, b: &mut CircuitBuilder<F, D>) -> [Target; 4] {
        let ta = b.mul_const_add(
            F::from_canonical_u64(1 << 32),
            self.fields[0].value,
            self.fields[1].value,
        );
        [ta, self.fields[2].value, self.fields[3].value, self.d]
    }

    /// The field values (`t, a, b, c, fee_t, fee_w`).
    pub fn values(&self) -> [Target; 6] {
        std::array::from_fn(|i| self.fields[i].value)
    }
}

/// Blob-data gadgets (extension of plonky2's `CircuitBuilder`).
pub trait CircuitBuilderBlobData {
    /// A new value placed at `placement`: witnessed pieces, range-checked, recombined.
    fn add_virtual_placed(&mut self, placement: Placement) -> PlacedTarget;
    /// Places an existing `value` (which must fit `placement.width` bits, or proving fails):
    /// its pieces are witnessed ([`set_placed`]) and constrained to recombine to `value`.
    fn place(&mut self, value: Target, placement: Placement) -> PlacedTarget;
    /// A record slot whose record sits at bit `base` of its element (124 for the even record
    /// of a pair, 0 for the odd one).
    fn add_virtual_record(&mut self, base: usize) -> RecordTarget;
    /// The element `constant + Σ value·2^offset` over `fields`, range-checked as a blob
    /// element. Precondition: the fields do not overlap for the values the circuit allows
    /// (the element check catches a limb overflow otherwise).
    fn blob_element(&mut self, fields: &[&PlacedTarget], constant: &BigUint) -> BlsFrTarget;
}

impl CircuitBuilderBlobData for CircuitBuilder<F, D> {
    fn add_virtual_placed(&mut self, placement: Placement) -> PlacedTarget {
        let pieces: Vec<(Piece, Target)> = placement
            .pieces()
            .into_iter()
            .map(|p| {
                let t = self.add_virtual_target();
                range_check_packed(self, t, p.width);
                (p, t)
            })
            .collect();
        let mut value = self.zero();
        for &(p, t) in &pieces {
            value = self.mul_const_add(F::from_canonical_u64(1 << p.from), t, value);
        }
        PlacedTarget {
            value,
            placement,
            pieces,
        }
    }

    fn place(&mut self, value: Target, placement: Placement) -> PlacedTarget {
        let placed = self.add_virtual_placed(placement);
        self.connect(placed.value, value);
        PlacedTarget { value, ..placed }
    }

    fn add_virtual_record(&mut self, base: usize) -> RecordTarget {
        let fields: [PlacedTarget; 6] =
            std::array::from_fn(|i| self.add_virtual_placed(shifted(RECORD_LAYOUT[i], base)));
        let t = fields[0].value;
        let is_transfer = self.is_equal_const(t, 2);
        let is_withdraw = self.is_equal_const(t, 3);
        for (fee, flag) in [(&fields[4], is_transfer), (&fields[5], is_withdraw)] {
            // fee·(1 − flag) = 0
            let kept = self.mul(flag.target, fee.value);
            self.connect(kept, fee.value);
        }
        let d = self.add(fields[4].value, fields[5].value);
        RecordTarget { fields, d }
    }

    fn blob_element(&mut self, fields: &[&PlacedTarget], constant: &BigUint) -> BlsFrTarget {
        let consts = zkroll_circuits::gadgets::bls_fr::bls_fr_limbs::<F>(constant);
        let mut limbs: [Target; NUM_LIMBS] = consts.map(|c| self.constant(c));
        for f in fields {
            for &(p, t) in &f.pieces {
                limbs[p.limb] =
                    self.mul_const_add(F::from_canonical_u64(1 << p.shift), t, limbs[p.limb]);
            }
        }
        let e = BlsFrTarget { limbs };
        self.range_check_blob_element(&e);
        e
    }
}

/// `x == c` as a boolean.
trait IsEqualConst {
    fn is_equal_const(&mut self, x: Target, c: u64) -> BoolTarget;
}

impl IsEqualConst for CircuitBuilder<F, D> {
    fn is_equal_const(&mut self, x: Target, c: u64) -> BoolTarget {
        let c = self.constant(F::from_canonical_u64(c));
        self.is_equal(x, c)
    }
}

/// Sets the pieces of `p` from `value` (`< 2^width`, else a typed error).
pub fn set_placed(
    pw: &mut PartialWitness<F>,
    p: &PlacedTarget,
    value: u64,
) -> Result<(), ProverError> {
    if p.placement.width < 64 && value >> p.placement.width != 0 {
        return Err(ProverError::Proving(format!(
            "value {value} does not fit {} bits",
            p.placement.width
        )));
    }
    for &(piece, t) in &p.pieces {
        let v = (value >> piece.from) & ((1u64 << piece.width) - 1);
        pw.set_target(t, F::from_canonical_u64(v))
            .map_err(|e| ProverError::Proving(e.to_string()))?;
    }
    Ok(())
}

/// Sets a record slot (`None`: no record, all zero).
pub fn set_record(
    pw: &mut PartialWitness<F>,
    t: &RecordTarget,
    r: Option<&Record>,
) -> Result<(), ProverError> {
    for (f, v) in t.fields.iter().zip(record_fields(r)) {
        set_placed(pw, f, v)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use plonky2::plonk::circuit_data::CircuitConfig;
    use zkroll_circuits::blob::encoding::data_to_elements;
    use zkroll_circuits::da::{pack_amount, pack_fee, BatchData};
    use zkroll_circuits::gadgets::bls_fr::bls_fr_limbs;

    fn records(n: u32) -> Vec<Record> {
        (0..n)
            .map(|i| match i % 4 {
                0 => Record::transfer(
                    0xffff_fff0 + i,
                    i.wrapping_mul(0x9e37_79b9),
                    pack_amount(123_456_789 * u64::from(i + 1)).unwrap(),
                    pack_fee(2047).unwrap(),
                ),
                1 => Record::withdraw(u32::MAX - i, pack_fee(999).unwrap()),
                2 => Record::deposit(i << 20),
                _ => Record::full_exit(u32::MAX),
            })
            .collect()
    }

    /// Replaces the pieces of `p` (plonky2 keeps the new value and reports the conflict).
    fn overwrite(pw: &mut PartialWitness<F>, p: &PlacedTarget, value: u64) {
        for &(piece, t) in &p.pieces {
            let v = (value >> piece.from) & ((1u64 << piece.width) - 1);
            let _ = pw.set_target(t, F::from_canonical_u64(v));
        }
    }

    #[test]
    fn pieces_cut_at_limb_boundaries() {
        let p = Placement {
            offset: 17,
            width: 40,
        }
        .pieces();
        assert_eq!(p.len(), 2);
        assert_eq!((p[0].limb, p[0].shift, p[0].width), (0, 17, 12));
        assert_eq!(
            (p[1].limb, p[1].shift, p[1].from, p[1].width),
            (1, 0, 12, 28)
        );
        assert_eq!(HEADER_OPERATOR.pieces().len(), 2);
        assert_eq!(shifted(RECORD_LAYOUT[3], 124).pieces().len(), 3);
    }

    #[test]
    fn native_elements_equal_batch_data() {
        for n in [0, 1, 2, 5, 8] {
            let rs = records(n);
            let data = BatchData::new(0xdead_beef, rs.clone(), vec![]).unwrap();
            let want = data_to_elements(&data.blob_data()).unwrap();
            assert_eq!(blob_elements(0xdead_beef, &rs), want, "{n} records");
        }
    }

    /// The gadget's limbs equal the limbs of `data_to_elements(BatchData::blob_data)`, and a
    /// tampered piece or a fee at the wrong position fails to prove.
    #[test]
    fn circuit_elements_equal_batch_data() {
        let rs = records(5);
        let operator = 0x8000_0001u32;
        let data = BatchData::new(operator, rs.clone(), vec![]).unwrap();
        let want = data_to_elements(&data.blob_data()).unwrap();

        let mut b = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
        let op = b.add_virtual_target();
        let count = b.add_virtual_target();
        let op_p = b.place(op, HEADER_OPERATOR);
        let count_p = b.place(count, HEADER_COUNT);
        let header = b.blob_element(&[&op_p, &count_p], &header_constant());
        let mut slots = vec![];
        let mut elements = vec![header];
        for _ in 0..3 {
            let hi = b.add_virtual_record(HIGH_RECORD_OFFSET);
            let lo = b.add_virtual_record(0);
            let fields: Vec<&PlacedTarget> = hi.fields.iter().chain(lo.fields.iter()).collect();
            elements.push(b.blob_element(&fields, &BigUint::ZERO));
            slots.push(hi);
            slots.push(lo);
        }
        for (e, w) in elements.iter().zip(&want) {
            for (&l, v) in e.limbs.iter().zip(bls_fr_limbs::<F>(w)) {
                let c = b.constant(v);
                b.connect(l, c);
            }
        }
        let data_c = b.build::<crate::C>();
        let witness = |tamper: Option<usize>| -> PartialWitness<F> {
            let mut pw = PartialWitness::new();
            pw.set_target(op, F::from_canonical_u32(operator)).unwrap();
            pw.set_target(count, F::from_canonical_u64(5)).unwrap();
            set_placed(&mut pw, &op_p, u64::from(operator)).unwrap();
            set_placed(&mut pw, &count_p, 5).unwrap();
            for (i, s) in slots.iter().enumerate() {
                set_record(&mut pw, s, rs.get(i)).unwrap();
            }
            if let Some(i) = tamper {
                // Record i's fee at the other type's position.
                let r = rs[i];
                let (right, wrong) = if r.t == 2 { (4, 5) } else { (5, 4) };
                overwrite(&mut pw, &slots[i].fields[right], 0);
                overwrite(&mut pw, &slots[i].fields[wrong], r.d);
            }
            pw
        };
        let proof = data_c.prove(witness(None)).unwrap();
        data_c.verify(proof).unwrap();
        for i in [0, 1] {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                data_c.prove(witness(Some(i)))
            }));
            assert!(!matches!(r, Ok(Ok(_))), "fee moved in record {i}");
        }
        // A piece out of its range: the value no longer fits.
        let mut pw = witness(None);
        let (_, t) = slots[2].fields[0].pieces[0];
        let _ = pw.set_target(t, F::from_canonical_u64(8)); // replaces the honest value
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| data_c.prove(pw)));
        assert!(!matches!(r, Ok(Ok(_))));
    }

    /// The fee must sit at its type's position: a fee at the other position, or any fee for
    /// a Deposit or FullExit, fails to prove (no element pinned: only the flag constraints).
    #[test]
    fn fee_position_follows_the_type() {
        let mut b = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
        let slot = b.add_virtual_record(0);
        let data_c = b.build::<crate::C>();
        let proves = |fields: [u64; 6]| {
            let mut pw = PartialWitness::new();
            for (f, v) in slot.fields.iter().zip(fields) {
                set_placed(&mut pw, f, v).unwrap();
            }
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| data_c.prove(pw)));
            matches!(r, Ok(Ok(p)) if data_c.verify(p.clone()).is_ok())
        };
        assert!(proves([2, 1, 2, 3, 7, 0]));
        assert!(proves([3, 1, 0, 0, 0, 7]));
        assert!(proves([1, 1, 0, 0, 0, 0]));
        assert!(
            !proves([2, 1, 2, 3, 0, 7]),
            "Transfer fee at the Withdraw position"
        );
        assert!(
            !proves([3, 1, 0, 0, 7, 0]),
            "Withdraw fee at the Transfer position"
        );
        assert!(!proves([1, 1, 0, 0, 7, 0]), "Deposit with a fee");
        assert!(!proves([4, 1, 0, 0, 0, 7]), "FullExit with a fee");
    }
}
