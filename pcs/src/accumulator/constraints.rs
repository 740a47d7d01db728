//! The accumulator fold verifier in-circuit: [`verify_fold`], the twin of
//! [`Accumulator::verify_fold`](super::Accumulator::verify_fold)(super::Accumulator::verify_fold), which is the
//! aggregation gadget ([`crate::aggregate::constraints`]) on `[acc] ++ claims`. Tested
//! against the native verifier in `pcs/tests/gadgets.rs`.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ark_relations::gr1cs::{Namespace, SynthesisError};
use zkpot_core::{
    constraints::{ClaimVar, FrVar, TranscriptVar},
    Fr,
};

use super::FoldProof;
use crate::aggregate::constraints::{
    verify_aggregate_bound, AggregatedVar, AggregationProofVar, AggregationShape,
};

/// The accumulator `(C_acc, r_acc, v_acc)` in-circuit.
#[derive(Clone, Debug)]
pub struct AccumulatorVar {
    /// The limbs of `C_acc` ([`point_to_fields`](zkpot_core::point_to_fields)),
    /// constrained by the caller.
    pub commitment: [FrVar; 4],
    /// `(r_acc, v_acc)`.
    pub claim: ClaimVar,
}

/// A [`FoldProof`] in-circuit: every prover message is a witness.
#[derive(Clone, Debug)]
pub struct FoldProofVar {
    /// The aggregation of `[acc] ++ claims`.
    pub aggregation: AggregationProofVar,
}

impl FoldProofVar {
    /// Allocates `proof` as witnesses; a synthesis error if it does not have the shape
    /// `shape` (a fold shape: [`AggregationShape::fold`]) prescribes, as
    /// [`AggregationProofVar::new_witness`].
    pub fn new_witness(
        cs: impl Into<Namespace<Fr>>,
        proof: &FoldProof,
        shape: &AggregationShape,
    ) -> Result<Self, SynthesisError> {
        Ok(FoldProofVar {
            aggregation: AggregationProofVar::new_witness(cs, &proof.aggregation, shape)?,
        })
    }
}

/// The accumulator fold verifier of [`Accumulator::verify_fold`](super::Accumulator::verify_fold) in-circuit: exactly
/// [`verify_aggregate`](crate::aggregate::constraints::verify_aggregate) on `[acc] ++ claims` with the slots `[acc.commitment] ++
/// commitments` (`shape` is the fold's, [`AggregationShape::fold`]; slot 0 is the
/// accumulator's commitment, `commitments[j - 1]` slot `j`).
///
/// Returns the new accumulator's point `r_acc'` and value `v_acc'` and the coefficients
/// of `C_acc' = C_acc + sum_{j >= 1} b_j C_j`: one 128-bit scalar multiplication per
/// folded commitment, left to the caller.
pub fn verify_fold(
    shape: &AggregationShape,
    acc: &AccumulatorVar,
    commitments: &[[FrVar; 4]],
    claims: &[ClaimVar],
    proof: &FoldProofVar,
    transcript: &mut TranscriptVar,
) -> Result<AggregatedVar, SynthesisError> {
    fold_in(
        shape,
        acc,
        commitments,
        claims,
        claims.len() + 1,
        proof,
        transcript,
    )
}

/// [`Accumulator::verify_fold_bound`](super::Accumulator::verify_fold_bound) in-circuit: [`verify_fold`] absorbing only the
/// accumulator's claim; `transcript` must already bind `claims` and `commitments`.
pub fn verify_fold_bound(
    shape: &AggregationShape,
    acc: &AccumulatorVar,
    commitments: &[[FrVar; 4]],
    claims: &[ClaimVar],
    proof: &FoldProofVar,
    transcript: &mut TranscriptVar,
) -> Result<AggregatedVar, SynthesisError> {
    fold_in(shape, acc, commitments, claims, 1, proof, transcript)
}

/// [`verify_aggregate_bound`] on `[acc] ++ claims` with the slots `[acc.commitment] ++
/// commitments`, absorbing the first `absorbed` claims.
fn fold_in(
    shape: &AggregationShape,
    acc: &AccumulatorVar,
    commitments: &[[FrVar; 4]],
    claims: &[ClaimVar],
    absorbed: usize,
    proof: &FoldProofVar,
    transcript: &mut TranscriptVar,
) -> Result<AggregatedVar, SynthesisError> {
    let slots: Vec<[FrVar; 4]> = std::iter::once(&acc.commitment)
        .chain(commitments)
        .cloned()
        .collect();
    let all: Vec<ClaimVar> = std::iter::once(&acc.claim).chain(claims).cloned().collect();
    verify_aggregate_bound(
        shape,
        &slots,
        &all,
        absorbed,
        &proof.aggregation,
        transcript,
    )
}
