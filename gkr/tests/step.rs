//! Completeness of the step proof.

#![allow(clippy::unwrap_used)]

mod common;

use common::step::{first_fold, spec};
use sha2::{Digest, Sha256};

#[test]
fn honest_folds_verify() {
    for (layers, batch, k) in [
        (vec![64, 16, 10], 4, 1),
        (vec![64, 16, 10], 4, 2),
        (vec![64, 12, 8, 10], 3, 4),
    ] {
        let fold = first_fold(&spec(layers.clone(), batch, k));
        let p = fold.prove().unwrap();
        assert!(
            fold.accepts(&p.statement, &p.proof, &p.new),
            "{layers:?} batch {batch} k {k}"
        );
    }
}

#[test]
fn layouts_are_aligned_and_disjoint() {
    use zkpot_gkr::step::{Layout, StepShape};
    fn check<K: Copy + PartialEq + std::fmt::Debug>(l: &Layout<K>) {
        let mut end = 0usize;
        for e in &l.entries {
            assert_eq!(e.offset % (1 << e.num_vars), 0, "{:?} unaligned", e.key);
            assert!(e.offset >= end, "{:?} overlaps", e.key);
            end = e.offset + (1 << e.num_vars);
        }
        assert!(end <= 1 << l.num_vars);
    }
    for (layers, batch, k) in [
        (vec![784, 128, 10], 64, 16),
        (vec![64, 12, 8, 10], 3, 4),
        (vec![5, 3], 1, 1),
    ] {
        let shape = StepShape::new(&spec(layers, batch, k)).unwrap();
        check(&shape.fold_layout());
        check(&shape.model_layout());
        check(&shape.chunk_layout());
        let mut covered = 0usize;
        for region in shape.range_regions() {
            check(&region.layout);
            assert!((1..=16).contains(&region.width));
            covered += region.layout.entries.len();
        }
        let limbs: usize = shape
            .ranged()
            .into_iter()
            .map(|t| shape.encoding(t).unwrap().widths.len())
            .sum();
        assert_eq!(covered, limbs, "every limb block is in one region");
    }
}

#[test]
fn encodings_split_exactly_and_bound_exactly() {
    use zkpot_gkr::step::{StepShape, Tensor};
    let shape = StepShape::new(&spec(vec![64, 16, 10], 4, 1)).unwrap();
    let b = shape.value_bits;
    for t in [
        Tensor::Wnew(1),
        Tensor::Zq(1),
        Tensor::Zq(2),
        Tensor::Dr(1),
        Tensor::Br(1),
    ] {
        let enc = shape.encoding(t).unwrap();
        let total = enc.limb_bits() + u32::from(enc.sign.is_some());
        let (lo, hi) = if enc.offset > 0 {
            (-(1i128 << (b - 1)), (1i128 << (b - 1)) - 1)
        } else {
            (0, (1i128 << total) - 1)
        };
        for x in [
            lo,
            lo + 1,
            -1,
            0,
            1,
            hi - 1,
            hi,
            lo - 1,
            hi + 1,
            1 << 40,
            -(1 << 40),
        ] {
            let (limbs, top) = enc.split(x);
            // The parts always recombine to x.
            let back = limbs
                .iter()
                .enumerate()
                .map(|(i, l)| l << (16 * i))
                .sum::<i128>()
                + (top << enc.limb_bits())
                - enc.offset;
            assert_eq!(back, x, "{t:?} {x}");
            let inside = (lo..=hi).contains(&x);
            assert_eq!(enc.in_range(&limbs, top), inside, "{t:?} {x}");
            if enc.sign.is_some() && inside {
                assert_eq!(top, i128::from(x >= 0), "the top bit is the ReLU sign");
            }
        }
    }
}

#[test]
fn bad_specs_and_witnesses_are_errors() {
    use zkpot_gkr::step::{StepShape, StepWitnesses};
    use zkpot_gkr::{Error, ShapeReason};
    let mut s = spec(vec![64, 16, 10], 4, 2);
    s.steps_per_fold = 3;
    assert!(matches!(
        StepShape::new(&s),
        Err(Error::UnprovableShape {
            reason: ShapeReason::StepsPerFold { steps_per_fold: 3 }
        })
    ));
    let mut s = spec(vec![64, 16, 10], 4, 2);
    s.value_bits = 80;
    assert!(matches!(
        StepShape::new(&s),
        Err(Error::UnprovableShape {
            reason: ShapeReason::ValueBits { value_bits: 80 }
        })
    ));
    let s = spec(vec![64, 16, 10], 4, 2);
    let shape = StepShape::new(&s).unwrap();
    shape.check().unwrap();
    // A hand-made inconsistent shape is an error, not a panic, for the verifier.
    let mut broken = shape.clone();
    broken.widths.pop();
    let statement = zkpot_gkr::step::StepStatement {
        spec_digest: s.digest().unwrap(),
        fold_index: 0,
        prev: Default::default(),
        new: Default::default(),
        chunk: Default::default(),
    };
    let empty = zkpot_gkr::step::StepProof::default();
    assert!(matches!(
        zkpot_gkr::step::verify_step(&broken, &statement, &empty),
        Err(Error::UnprovableShape {
            reason: ShapeReason::Inconsistent
        })
    ));
    let mut broken = shape.clone();
    broken.widths[1] = 12;
    assert!(broken.check().is_err());
    let w = common::step::witnesses(&s);
    assert!(matches!(
        StepWitnesses::new(&shape, &w[..1]),
        Err(Error::WrongWitnessCount { got: 1, k: 2 })
    ));
    assert!(StepWitnesses::new(&shape, &w[..2]).is_ok());
    let other = spec(vec![64, 8, 10], 4, 2);
    let w8 = common::step::witnesses(&other);
    assert!(matches!(
        StepWitnesses::new(&shape, &w8[..2]),
        Err(Error::WitnessShape { .. })
    ));
}

/// Golden: the SHA-256 of a first fold's step proof (64-16-10, batch 4, `k = 2`, seeded
/// blinds) and of its statement. It pins the prover's messages and the transcript, so a
/// refactor that changes a proof shows up here. To regenerate (only after an intended
/// protocol change), run `cargo test -p zkpot-gkr --test step golden -- --nocapture` and
/// paste the printed hex.
#[test]
fn golden_step_proof() {
    let fold = first_fold(&spec(vec![64, 16, 10], 4, 2));
    let p = fold.prove().unwrap();
    let proof = Sha256::digest(common::bytes_of(&p.proof));
    let statement = Sha256::digest(common::bytes_of(&p.statement.new));
    let hex = |d: &[u8]| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
    println!(
        "golden step proof: {} new: {}",
        hex(&proof),
        hex(&statement)
    );
    assert_eq!(
        hex(&proof),
        "d00d93b27f329fb8f76dfef6186b09906e969ce838c7bda07ac60aac90bf9047"
    );
    assert_eq!(
        hex(&statement),
        "667050db31a12e96970384f878ce358a746d0ffe7dd332efd3d9976737d2d824"
    );
}
