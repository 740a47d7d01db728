//! Soundness of the step proof: every tampered witness, proof field and statement field
//! is rejected, and malformed proofs are errors, never panics.
//!
//! A tampered witness is proven with the lenient prover (which proves anything and skips
//! its own checks), so the rejection observed is the verifier's: `verify_step` fails, or
//! one of the claims it returns does not hold on the committed tables.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::OnceLock;

use ark_ff::One;
use common::step::{first_fold, fold_at, spec, Fold, Proven};
use zkpot_core::{Fr, G1Affine};
use zkpot_gkr::step::{verify_step, StepProof, StepShape, Tensor};
use zkpot_gkr::{Error, MessageKind};
use zkpot_trainer::testing::{mutate, KINDS};
use zkpot_trainer::{StepWitness, TrainSpec};

/// Three layers (a backward layer), padded rows and columns, two instances.
fn soundness_spec() -> TrainSpec {
    spec(vec![64, 12, 8, 10], 3, 2)
}

fn fold() -> &'static Fold {
    static F: OnceLock<Fold> = OnceLock::new();
    F.get_or_init(|| first_fold(&soundness_spec()))
}

fn honest() -> &'static Proven {
    static P: OnceLock<Proven> = OnceLock::new();
    P.get_or_init(|| fold().prove().unwrap())
}

/// The fold with instance `i` of its witnesses changed by `f`.
fn tampered(i: usize, f: impl FnOnce(&mut StepWitness)) -> Fold {
    let base = fold();
    let mut steps = base.steps.clone();
    f(&mut steps[i]);
    Fold {
        shape: base.shape.clone(),
        key: base.key.clone(),
        digest: base.digest,
        fold_index: base.fold_index,
        steps,
        prev: base.prev.clone(),
        chunk: base.chunk.clone(),
        prev_commitment: base.prev_commitment,
        chunk_commitment: base.chunk_commitment,
    }
}

/// The lenient proof of a tampered fold is rejected.
fn assert_rejected(f: &Fold, what: &str) {
    let p = f.prove_lenient().unwrap();
    assert!(
        !f.accepts(&p.statement, &p.proof, &p.new),
        "{what} was accepted"
    );
}

#[test]
fn honest_first_and_second_folds_verify() {
    let p = honest();
    assert!(fold().accepts(&p.statement, &p.proof, &p.new));
    let second = fold_at(&soundness_spec(), fold().key.clone(), 1);
    let q = second.prove().unwrap();
    assert_eq!(
        q.statement.prev, p.statement.new,
        "C_prev of fold 1 is C_new of fold 0"
    );
    assert!(second.accepts(&q.statement, &q.proof, &q.new));
    // The lenient prover proves an honest witness exactly like the strict one.
    let l = fold().prove_lenient().unwrap();
    assert_eq!(l.proof, p.proof);
}

#[test]
fn every_tensor_kind_of_every_layer_is_caught() {
    let layers = fold().shape.num_layers();
    for kind in 0..KINDS {
        for layer in 0..layers {
            for instance in [0, 1] {
                if kind < 2 && layer > 0 {
                    continue;
                }
                let mut exists = false;
                let f = tampered(instance, |w| exists = mutate(w, kind, layer, 5, 1));
                if !exists {
                    continue;
                }
                let what = format!("kind {kind}, layer {}, instance {instance}", layer + 1);
                if kind == 14 || kind == 17 || (kind == 8 && layer + 1 == layers) {
                    // dW and db are not committed (they are W - W'), nor is the output
                    // activation (it is q_L): the prover refuses a witness whose copies
                    // disagree.
                    assert!(
                        matches!(f.prove(), Err(Error::WitnessInconsistent { .. })),
                        "{what} was not refused"
                    );
                } else {
                    assert_rejected(&f, &what);
                }
            }
        }
    }
}

#[test]
fn a_remainder_out_of_range_with_the_matching_quotient_is_rejected() {
    // The weight-gradient rescale of the last instance: r' = r + 2^(f+s), dW' = dW - 1,
    // so 2^(f+s) dW' + r' = A^T G + h still holds over the integers and W' = W - dW' is
    // what the rest of the witness uses. Only the range of r' is wrong.
    let spec = soundness_spec();
    let shift = spec.frac_bits + spec.lr_shift;
    for sign in [1i64, -1] {
        let f = tampered(1, |w| {
            let l = &mut w.layers[0];
            l.dw.remainder[0] += sign << shift;
            l.dw.quotient.data_mut()[0] -= sign;
            l.w_new.data_mut()[0] += sign;
        });
        // The strict prover refuses to split the remainder.
        assert!(matches!(f.prove(), Err(Error::WitnessOutOfRange { .. })));
        let p = f.prove_lenient().unwrap();
        let result = verify_step(&f.shape, &p.statement, &p.proof);
        assert!(
            matches!(result, Err(Error::RootNotZero { .. })),
            "the range check must reject it, got {result:?}"
        );
    }
}

#[test]
fn a_limb_of_2_16_or_more_is_rejected_by_the_lookup() {
    // A new weight of 2^(B-1), one past the signed range: its offset value 2^B splits
    // into limbs [0, 2^16], the top one outside the table (and the lenient prover's
    // multiplicities do not count it: they are wrong for the limbs committed).
    let spec = soundness_spec();
    let (bits, shift) = (spec.value_bits, spec.frac_bits + spec.lr_shift);
    let f = tampered(1, |w| {
        let l = &mut w.layers[0];
        l.w_new.data_mut()[0] = 1i64 << (bits - 1);
        // The gradient and its remainder follow the new weight, so only ranges break.
        let dw = l.w.data()[0] - l.w_new.data()[0];
        l.dw.quotient.data_mut()[0] = dw;
        let r = l.dw.input[0] + (1i128 << (shift - 1)) - (i128::from(dw) << shift);
        l.dw.remainder[0] = i64::try_from(r).unwrap();
    });
    assert!(matches!(f.prove(), Err(Error::WitnessOutOfRange { .. })));
    let p = f.prove_lenient().unwrap();
    let result = verify_step(&f.shape, &p.statement, &p.proof);
    assert!(
        matches!(result, Err(Error::RootNotZero { .. })),
        "the range check must reject it, got {result:?}"
    );
}

#[test]
fn a_flipped_relu_sign_with_a_consistent_recomposition_is_rejected() {
    // An entry of the hidden quotient q < 0 (sign 0, activation 0) claimed positive:
    // sign 1 and activation q, so A = s q holds; the prover splits q + 2^(B-1) below the
    // claimed top bit, which leaves a limb out of range.
    let base = fold();
    let l0 = &base.steps[1].layers[0];
    let j = (0..l0.sign.len())
        .find(|&j| l0.z.quotient.data()[j] < 0)
        .expect("a negative pre-activation");
    let f = tampered(1, |w| {
        let l = &mut w.layers[0];
        l.sign[j] = true;
        l.a.data_mut()[j] = l.z.quotient.data()[j];
    });
    assert!(matches!(f.prove(), Err(Error::WitnessOutOfRange { .. })));
    assert_rejected(&f, "a flipped sign bit");
    // The encoding itself: with the top bit claimed 1, the rest is negative.
    let enc = base.shape.encoding(Tensor::Zq(1)).unwrap();
    let q = l0.z.quotient.data()[j] as i128;
    let limbs = enc.split_with_top(q, 1);
    assert!(!enc.in_range(&limbs, 1));
}

#[test]
fn every_proof_field_is_bound() {
    let f = fold();
    let p = honest();
    let rejects = |proof: &StepProof| !f.accepts(&p.statement, proof, &p.new);
    let bump = |x: &mut Fr| *x += Fr::one();
    for i in 0..p.proof.evals.len() {
        let mut q = p.proof.clone();
        bump(&mut q.evals[i]);
        assert!(rejects(&q), "eval {i}");
    }
    for i in 0..p.proof.affines.len() {
        let mut q = p.proof.clone();
        bump(&mut q.affines[i]);
        assert!(rejects(&q), "affine {i}");
    }
    for i in 0..p.proof.matmuls.len() {
        let mut q = p.proof.clone();
        bump(&mut q.matmuls[i].a);
        assert!(rejects(&q), "matmul {i} a");
        let mut q = p.proof.clone();
        bump(&mut q.matmuls[i].b);
        assert!(rejects(&q), "matmul {i} b");
        let mut q = p.proof.clone();
        bump(&mut q.matmuls[i].sumcheck.rounds[0][0]);
        assert!(rejects(&q), "matmul {i} sumcheck");
    }
    for i in 0..p.proof.hadamards.len() {
        let mut q = p.proof.clone();
        bump(&mut q.hadamards[i].sumcheck.rounds[0][0]);
        assert!(rejects(&q), "hadamard {i}");
    }
    for i in 0..p.proof.merges.len() {
        let mut q = p.proof.clone();
        bump(&mut q.merges[i].eval);
        assert!(rejects(&q), "merge {i} eval");
        let mut q = p.proof.clone();
        let last = q.merges[i].sumcheck.rounds.len() - 1;
        bump(&mut q.merges[i].sumcheck.rounds[last][0]);
        assert!(rejects(&q), "merge {i} sumcheck");
    }
    for i in 0..p.proof.shifts.len() {
        let mut q = p.proof.clone();
        bump(&mut q.shifts[i].eval);
        assert!(rejects(&q), "shift {i}");
    }
    for i in 0..p.proof.booleanity.len() {
        let mut q = p.proof.clone();
        bump(&mut q.booleanity[i].eval);
        assert!(rejects(&q), "booleanity {i}");
    }
    for i in 0..p.proof.ranges.len() {
        let mut q = p.proof.clone();
        bump(&mut q.ranges[i].limb_root.numerator);
        assert!(rejects(&q), "range {i} root");
        let mut q = p.proof.clone();
        let last = q.ranges[i].layers.len() - 1;
        bump(&mut q.ranges[i].layers[last].children[0].left.numerator);
        assert!(rejects(&q), "range {i} leaf");
    }
}

#[test]
fn every_statement_field_is_bound() {
    let f = fold();
    let p = honest();
    let rejects = |s: &zkpot_gkr::step::StepStatement| !f.accepts(s, &p.proof, &p.new);
    let other = zkpot_pcs::pedersen::Commitment(G1Affine::default());
    let mut s = p.statement.clone();
    s.spec_digest += Fr::one();
    assert!(rejects(&s), "spec digest");
    let mut s = p.statement.clone();
    s.fold_index = 1;
    assert!(rejects(&s), "fold index");
    for field in 0..3 {
        let mut s = p.statement.clone();
        match field {
            0 => s.prev = other,
            1 => s.new = other,
            _ => s.chunk = other,
        }
        assert!(rejects(&s), "commitment {field}");
        assert!(
            verify_step(&f.shape, &s, &p.proof).is_err(),
            "commitment {field} in the transcript"
        );
    }
    // Another spec: a different shape.
    let mut other_spec = soundness_spec();
    other_spec.lr_shift += 1;
    let shape = StepShape::new(&other_spec).unwrap();
    assert!(verify_step(&shape, &p.statement, &p.proof).is_err());
}

#[test]
fn malformed_proofs_are_errors_not_panics() {
    let f = fold();
    let p = honest();
    let mut q = p.proof.clone();
    q.evals.push(Fr::one());
    assert!(matches!(
        verify_step(&f.shape, &p.statement, &q),
        Err(Error::LeftoverMessages {
            kind: MessageKind::Eval,
            count: 1
        })
    ));
    let mut q = p.proof.clone();
    q.evals.pop();
    assert!(verify_step(&f.shape, &p.statement, &q).is_err());
    let mut q = p.proof.clone();
    q.ranges.clear();
    assert!(verify_step(&f.shape, &p.statement, &q).is_err());
    let mut q = p.proof.clone();
    q.matmuls[0].sumcheck.rounds.pop();
    assert!(verify_step(&f.shape, &p.statement, &q).is_err());
    assert!(verify_step(&f.shape, &p.statement, &StepProof::default()).is_err());

    let bytes = p.proof.to_bytes();
    assert_eq!(StepProof::from_bytes(&bytes).unwrap(), p.proof);
    assert!(StepProof::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    let mut long = bytes.clone();
    long.push(0);
    assert!(StepProof::from_bytes(&long).is_err());
    common::assert_fuzz_safe::<StepProof>(&bytes, 4, |proof| {
        f.accepts(&p.statement, proof, &p.new)
    });
}
