//! The end of a run (`DESIGN.md` sections 1 and 7): on a fresh final transcript
//! ([`FINAL_LABEL`], the whole statement, the number of folds, the accumulator's claim),
//! the verifier draws a point `r` of the model layout. The claims
//! `(C_last, r || bits of the model block)` and `(C_WT, r)` tie the last fold's model
//! block to `C_WT`: they are a *linked pair* of a hiding fold into the accumulator
//! ([`zkpot_pcs::aggregate::hiding`]), so their common value `W_T~(r)` is never sent, and
//! the fold sends no per-table evaluation. A fresh [`Mask`] (a hiding commitment to a
//! uniformly random table and its value at a point derived from it) is folded in the
//! same fold, as its first claim: with the accumulator's own mask (the statement's, at
//! another point) it masks every round polynomial of the fold's sumcheck. The accumulator
//! is then opened by one zero-knowledge evaluation proof ([`verify_finish`]).

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use zkpot_core::{Fr, PoseidonTranscript, Transcript};
use zkpot_gkr::step::{Block, StepShape};
use zkpot_pcs::{
    accumulator::{Accumulator, Mask, OpenProof},
    aggregate::hiding::HidingAggregationProof,
    pedersen::Commitment,
    CommittedClaim, SchemeProof, SchemeVerifierKey,
};

use crate::{
    error::RunError,
    statement::{check_verifier_key, run_num_vars, run_shape, RunStatement},
    Pcs,
};

/// The first absorption of the final transcript (tie to `C_WT` and the opening).
pub const FINAL_LABEL: &[u8] = b"zkpot/gkr/run/final";

/// The end of a run proof: the tie of the last fold's model block to `C_WT` and the
/// opening of the accumulator.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct FinishProof {
    /// The fold's mask (a hiding commitment to a uniformly random table, and its value
    /// at [`Mask::point`]).
    pub mask: Mask,
    /// The hiding fold of the two tie claims (a linked pair) into the accumulator.
    pub finish: HidingAggregationProof,
    /// The opening of the final accumulator (an evaluation proof of the statement's
    /// scheme).
    pub open: OpenProof<SchemeProof>,
}

/// Verifies the end of a run of `folds` folds (at least one) whose last fold committed
/// to `last` and left `accumulator`: the final transcript, the tie of `last`'s model
/// block to `statement.wt`, and the opening. Shared by [`verify_run`](crate::verify_run) and the folded
/// proof's verifier. Never panics on malformed input.
pub fn verify_finish(
    key: &SchemeVerifierKey,
    statement: &RunStatement,
    folds: u64,
    last: Commitment,
    accumulator: &Accumulator,
    proof: &FinishProof,
) -> Result<(), RunError> {
    let (shape, digest) = run_shape(&statement.spec)?;
    check_verifier_key(key, statement, &shape)?;
    if folds == 0 || folds != statement.folds() {
        return Err(RunError::FoldCount {
            expected: statement.folds(),
            got: folds,
            iterations: statement.iterations(),
        });
    }
    if accumulator.claim.claim.point.len() != run_num_vars(&shape) {
        return Err(RunError::Malformed {
            what: "the accumulator has the wrong number of variables",
        });
    }
    let (mut t, r) = final_transcript(statement, digest, folds, accumulator, &shape);
    let claims = finish_claims(&shape, &proof.mask, last, statement.wt, &r)?;
    let accumulator = accumulator
        .verify_fold_hiding(&claims, &TIE_LINK, &proof.finish, &mut t)
        .map_err(RunError::Final)?;
    accumulator
        .verify_open::<Pcs, _>(key, &proof.open, &mut t)
        .map_err(RunError::Final)
}

/// The final transcript, after the statement, the fold count and the accumulator; and
/// the tie point `r` drawn from it.
pub(crate) fn final_transcript(
    statement: &RunStatement,
    digest: Fr,
    folds: u64,
    accumulator: &Accumulator,
    shape: &StepShape,
) -> (PoseidonTranscript, Vec<Fr>) {
    let mut t = PoseidonTranscript::new(FINAL_LABEL);
    statement.absorb_into(digest, &mut t);
    t.absorb_u64(folds);
    accumulator.claim.absorb_into(&mut t);
    let r = t.challenges(shape.model_layout().num_vars);
    (t, r)
}

/// The tie claims are one linked pair: their common value is never sent.
pub(crate) const TIE_LINK: [(usize, usize); 1] = [(1, 2)];

/// The claims of the end's hiding fold: the mask's (over the accumulator's variables),
/// then the two tie claims, the last fold's model block and `C_WT` at `r`, stated with
/// value 0 (a linked pair, [`TIE_LINK`]).
pub(crate) fn finish_claims(
    shape: &StepShape,
    mask: &Mask,
    last: Commitment,
    wt: Commitment,
    r: &[Fr],
) -> Result<[CommittedClaim; 3], RunError> {
    let v = Fr::from(0u64);
    let point = shape
        .fold_layout()
        .point(Block::Model, r)
        .map_err(RunError::Shape)?;
    Ok([
        mask.claim(run_num_vars(shape)),
        CommittedClaim::new(last, point, v),
        CommittedClaim::new(wt, r.to_vec(), v),
    ])
}
