//! The native step verifier: reads the prover's messages in the flow's order and runs
//! every sub-verifier on the same transcript. Never panics on any proof.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use zkpot_core::Claim;
use zkpot_core::{
    sumcheck::{self, check_final},
    Fr, MultilinearTable, PoseidonTranscript, Transcript,
};

use super::flow::{self, ClaimPair, Merged, Side};
use super::layout::{Layout, RangeRegion, StepShape, Tensor};
use super::{StepClaims, StepProof, StepStatement};
use crate::elementwise::{verify_booleanity, verify_hadamard, verify_merge};
use crate::matmul::{verify_matmul, MatmulShape};
use crate::range::verify_range_in;
use crate::reshape::{verify_affine, verify_colsum, AffineProof, StackShape};
use crate::{Error, FlowCheck, MessageKind};

/// Verifies a step proof for `statement` under `shape` (derived by the verifier from the
/// spec it was promised). Returns the three claims the caller must check against
/// `statement.prev`, `statement.new` and `statement.chunk` (through the accumulator);
/// until it does, nothing is proven.
pub fn verify_step(
    shape: &StepShape,
    statement: &StepStatement,
    proof: &StepProof,
) -> Result<StepClaims, Error> {
    verify_step_in(shape, statement, proof).map(|(claims, _)| claims)
}

/// [`verify_step`], also returning the step transcript after the last message: whoever
/// continues it (the run's accumulator fold) binds every message of the proof, and so
/// every claim returned, without absorbing them again.
pub fn verify_step_in(
    shape: &StepShape,
    statement: &StepStatement,
    proof: &StepProof,
) -> Result<(StepClaims, PoseidonTranscript), Error> {
    shape.check()?;
    let mut side = VerifierSide {
        shape,
        proof,
        cursor: Cursor::default(),
        transcript: PoseidonTranscript::new(super::STEP_LABEL),
    };
    let claims = flow::run_native(&mut side, shape, statement)?;
    side.cursor.check_consumed(proof)?;
    Ok((claims, side.transcript))
}

/// How many messages of each kind have been read (shared with the in-circuit verifier).
#[derive(Default)]
pub(super) struct Cursor {
    pub(super) evals: usize,
    pub(super) matmuls: usize,
    pub(super) hadamards: usize,
    pub(super) merges: usize,
    pub(super) affines: usize,
    pub(super) shifts: usize,
    pub(super) booleanity: usize,
    pub(super) ranges: usize,
}

impl Cursor {
    /// The first kind of message (in the order of [`StepProof`]'s fields) of which `p`
    /// has more than were read, and how many more.
    fn leftover(&self, p: &StepProof) -> Option<(MessageKind, usize)> {
        [
            (MessageKind::Eval, self.evals, p.evals.len()),
            (MessageKind::Matmul, self.matmuls, p.matmuls.len()),
            (MessageKind::Hadamard, self.hadamards, p.hadamards.len()),
            (MessageKind::Merge, self.merges, p.merges.len()),
            (MessageKind::Affine, self.affines, p.affines.len()),
            (MessageKind::Shift, self.shifts, p.shifts.len()),
            (MessageKind::Booleanity, self.booleanity, p.booleanity.len()),
            (MessageKind::Range, self.ranges, p.ranges.len()),
        ]
        .into_iter()
        .find(|&(_, read, sent)| read != sent)
        .map(|(kind, read, sent)| (kind, sent.saturating_sub(read)))
    }

    /// Every message of `p` has been read, none is left over.
    pub(super) fn consumed(&self, p: &StepProof) -> bool {
        self.leftover(p).is_none()
    }

    fn check_consumed(&self, p: &StepProof) -> Result<(), Error> {
        match self.leftover(p) {
            None => Ok(()),
            Some((kind, count)) => Err(Error::LeftoverMessages { kind, count }),
        }
    }
}

/// The next message of a list (shared with the in-circuit verifier).
pub(super) fn next<'a, X>(
    list: &'a [X],
    at: &mut usize,
    kind: MessageKind,
) -> Result<&'a X, Error> {
    let x = list.get(*at).ok_or(Error::MissingMessage { kind })?;
    *at += 1;
    Ok(x)
}

struct VerifierSide<'a> {
    shape: &'a StepShape,
    proof: &'a StepProof,
    cursor: Cursor,
    transcript: PoseidonTranscript,
}

impl Side for VerifierSide<'_> {
    type F = Fr;
    type Error = Error;
    type Statement = StepStatement;

    fn absorb_statement(
        &mut self,
        shape: &StepShape,
        statement: &StepStatement,
    ) -> Result<(), Error> {
        flow::absorb_statement(&mut self.transcript, shape, statement);
        Ok(())
    }

    fn challenges(&mut self, n: usize) -> Result<Vec<Fr>, Error> {
        Ok(self.transcript.challenges(n))
    }

    fn check_equal(
        &mut self,
        a: &Fr,
        b: &Fr,
        check: FlowCheck,
        tensor: Option<Tensor>,
    ) -> Result<(), Error> {
        flow::check_native(a, b, check, tensor)
    }

    fn eval(&mut self, _t: Tensor, _point: &[Fr]) -> Result<Fr, Error> {
        let v = *next(&self.proof.evals, &mut self.cursor.evals, MessageKind::Eval)?;
        self.transcript.absorb_field(&v);
        Ok(v)
    }

    fn matmul(
        &mut self,
        shape: &MatmulShape,
        _a: Tensor,
        _b: Tensor,
        claim: &Claim<Fr>,
    ) -> Result<ClaimPair<Fr>, Error> {
        let p = next(
            &self.proof.matmuls,
            &mut self.cursor.matmuls,
            MessageKind::Matmul,
        )?;
        let out = verify_matmul(shape, p, claim, &mut self.transcript)?;
        Ok((out.a, out.b))
    }

    fn hadamard(
        &mut self,
        s: Tensor,
        _q: Tensor,
        claim: &Claim<Fr>,
    ) -> Result<ClaimPair<Fr>, Error> {
        let p = next(
            &self.proof.hadamards,
            &mut self.cursor.hadamards,
            MessageKind::Hadamard,
        )?;
        let n = self.shape.num_vars(s);
        let out = verify_hadamard(n, claim, p, &mut self.transcript)?;
        Ok((out.left, out.right))
    }

    fn merge(&mut self, t: Merged, claims: &[Claim<Fr>]) -> Result<Claim<Fr>, Error> {
        let p = next(
            &self.proof.merges,
            &mut self.cursor.merges,
            MessageKind::Merge,
        )?;
        let n = t.num_vars(self.shape);
        verify_merge(n, claims, p, &mut self.transcript)
    }

    fn affine(
        &mut self,
        shape: &StackShape,
        _product: Tensor,
        claim: &Claim<Fr>,
    ) -> Result<ClaimPair<Fr>, Error> {
        let product_eval = *next(
            &self.proof.affines,
            &mut self.cursor.affines,
            MessageKind::Affine,
        )?;
        let proof = AffineProof { product_eval };
        let out = verify_affine(
            shape,
            self.shape.valid_rows,
            self.shape.frac_bits,
            claim,
            &proof,
            &mut self.transcript,
        )?;
        Ok((out.product, out.bias))
    }

    fn colsum(&mut self, shape: &StackShape, claim: &Claim<Fr>) -> Result<Claim<Fr>, Error> {
        verify_colsum(shape, claim, &mut self.transcript)
    }

    fn shift(
        &mut self,
        _t: Tensor,
        _rho_x: &[Fr],
        weights: &[Fr],
        claim: Fr,
    ) -> Result<Claim<Fr>, Error> {
        let p = next(
            &self.proof.shifts,
            &mut self.cursor.shifts,
            MessageKind::Shift,
        )?;
        let rounds = self.shape.k_vars();
        let reduced = sumcheck::verify(&p.sumcheck, claim, rounds, 2, &mut self.transcript)?;
        let w = MultilinearTable::new(weights.to_vec())?.evaluate(&reduced.point)?;
        check_final(rounds, reduced.value, w * p.eval)?;
        self.transcript.absorb_field(&p.eval);
        Ok(Claim {
            point: reduced.point,
            value: p.eval,
        })
    }

    fn booleanity(&mut self, region: &Layout<Tensor>) -> Result<Claim<Fr>, Error> {
        let p = next(
            &self.proof.booleanity,
            &mut self.cursor.booleanity,
            MessageKind::Booleanity,
        )?;
        verify_booleanity(region.num_vars, p, &mut self.transcript)
    }

    fn range(&mut self, region: &RangeRegion) -> Result<ClaimPair<Fr>, Error> {
        let p = next(
            &self.proof.ranges,
            &mut self.cursor.ranges,
            MessageKind::Range,
        )?;
        let out = verify_range_in(
            region.layout.num_vars,
            region.width,
            p,
            &mut self.transcript,
        )?;
        Ok((out.limbs, out.multiplicities))
    }
}
