//! The step verifier in-circuit: the twin of [`verify_step`](super::verify_step) for the
//! IVC step circuit (`DESIGN.md` section 6). It is the in-circuit side of the claim flow
//! of `flow.rs`: the same messages in the same order, the same transcript, the same
//! checks as constraints, and it returns the same claims on `C_prev`, `C_new` and
//! `C_chunk`.
//!
//! The circuit's structure depends on the [`StepShape`] only. The proof's messages are
//! allocated as witnesses as the flow consumes them, each with the shape the flow expects
//! at that point: a proof of another shape is a synthesis error (it cannot be proven),
//! never a different circuit.
//!
//! The fold index is a variable (it comes from the IVC state), absorbed where the native
//! verifier absorbs `absorb_u64(fold_index)` (the same element). The claim on `C_prev` is
//! returned on the *model* layout (its point before the native verifier's extension by
//! the model block's offset bits for folds after the first); the step circuit extends it.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ark_r1cs_std::{eq::EqGadget, fields::FieldVar};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use zkpot_core::Claim;
use zkpot_core::ClaimVar;
use zkpot_core::{
    constraints::{
        alloc_sumcheck, alloc_witness, check_final, verify_sumcheck, FrVar, TranscriptVar,
    },
    point_to_fields, Fr,
};

use super::flow::{self, ClaimPair, FlowScalar, Merged, Side};
use super::layout::{Block, Layout, RangeRegion, StepShape, Tensor};
use super::verifier::{next, Cursor};
use super::{StepProof, StepStatement, STEP_LABEL};
use crate::elementwise::constraints::{
    verify_booleanity, verify_hadamard, verify_merge, BooleanityProofVar, HadamardProofVar,
    MergeProofVar,
};
use crate::matmul::constraints::{verify_matmul, MatmulProofVar};
use crate::matmul::MatmulShape;
use crate::range::constraints::{verify_range_in, RangeProofVar};
use crate::reshape::constraints::{verify_affine, verify_colsum};
use crate::reshape::StackShape;
use crate::{Error, FlowCheck, MessageKind};

/// The step statement in-circuit: the spec digest and fold index (from the IVC state) and
/// the three commitments as their four limbs ([`zkpot_core::point_to_fields`]). Whoever
/// allocates the limbs constrains them to points.
#[derive(Clone)]
pub struct StepStatementVar {
    /// The spec's digest.
    pub spec_digest: FrVar,
    /// The fold's index.
    pub fold_index: FrVar,
    /// `C_prev`.
    pub prev: [FrVar; 4],
    /// `C_new`.
    pub new: [FrVar; 4],
    /// `C_chunk`.
    pub chunk: [FrVar; 4],
}

impl StepStatementVar {
    /// Allocates `statement` as witnesses, the commitments as the limbs of
    /// [`zkpot_core::point_to_fields`]. The limbs are not constrained to points here: the
    /// step circuit ties them to the points it operates on.
    pub fn new_witness(
        cs: &ConstraintSystemRef<Fr>,
        statement: &StepStatement,
    ) -> Result<Self, SynthesisError> {
        let limbs = |c: &zkpot_pcs::pedersen::Commitment| -> Result<[FrVar; 4], SynthesisError> {
            let [a, b, c, d] = point_to_fields(&c.0);
            Ok([
                alloc_witness(cs, a)?,
                alloc_witness(cs, b)?,
                alloc_witness(cs, c)?,
                alloc_witness(cs, d)?,
            ])
        };
        Ok(Self {
            spec_digest: alloc_witness(cs, statement.spec_digest)?,
            fold_index: alloc_witness(cs, Fr::from(statement.fold_index))?,
            prev: limbs(&statement.prev)?,
            new: limbs(&statement.new)?,
            chunk: limbs(&statement.chunk)?,
        })
    }
}

/// The claims the step leaves, in-circuit (see [`StepClaims`](super::StepClaims)).
#[derive(Clone)]
pub struct StepClaimsVar {
    /// The merged claim on `C_prev`, on the model layout ([`StepShape::model_layout`]).
    pub prev: ClaimVar,
    /// The claims on the fold table behind `C_new`, unmerged, at full fold-table points.
    pub new: Vec<ClaimVar>,
    /// The merged claim on the chunk table.
    pub chunk: ClaimVar,
}

/// Verifies the step proof `proof` for `statement` in-circuit, on a fresh step transcript
/// (as [`verify_step`](super::verify_step)). Returns the claims the caller must check.
pub fn verify_step(
    cs: &ConstraintSystemRef<Fr>,
    shape: &StepShape,
    statement: &StepStatementVar,
    proof: &StepProof,
) -> Result<StepClaimsVar, SynthesisError> {
    verify_step_profiled(cs, shape, statement, proof).map(|(claims, _)| claims)
}

/// The constraints one phase of the step verifier adds, and the transcript's (Poseidon's)
/// share of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhaseCount {
    /// The phase of the flow (`statement`, `updates`, `gradients`, `forward`,
    /// `old weights`, `ties`, `padding`, `bits`, `ranges`, `merges`).
    pub phase: &'static str,
    /// Constraints added by the phase.
    pub constraints: usize,
    /// Of which inside the transcript's sponge.
    pub transcript: usize,
}

/// [`verify_step`] with a profile: the constraints of every phase of the flow.
pub fn verify_step_profiled(
    cs: &ConstraintSystemRef<Fr>,
    shape: &StepShape,
    statement: &StepStatementVar,
    proof: &StepProof,
) -> Result<(StepClaimsVar, Vec<PhaseCount>), SynthesisError> {
    run_flow(cs, shape, statement, proof).map(|(claims, profile, _)| (claims, profile))
}

/// [`verify_step`], also returning the step transcript after the flow (as
/// [`verify_step_in`](super::verify_step_in) does natively): whoever continues it binds
/// every message of the proof and so every claim it returned.
pub fn verify_step_in(
    cs: &ConstraintSystemRef<Fr>,
    shape: &StepShape,
    statement: &StepStatementVar,
    proof: &StepProof,
) -> Result<(StepClaimsVar, TranscriptVar), SynthesisError> {
    run_flow(cs, shape, statement, proof).map(|(claims, _, t)| (claims, t))
}

/// [`verify_step_in`] with [`verify_step_profiled`]'s profile.
pub fn verify_step_in_profiled(
    cs: &ConstraintSystemRef<Fr>,
    shape: &StepShape,
    statement: &StepStatementVar,
    proof: &StepProof,
) -> Result<(StepClaimsVar, Vec<PhaseCount>, TranscriptVar), SynthesisError> {
    run_flow(cs, shape, statement, proof)
}

fn run_flow(
    cs: &ConstraintSystemRef<Fr>,
    shape: &StepShape,
    statement: &StepStatementVar,
    proof: &StepProof,
) -> Result<(StepClaimsVar, Vec<PhaseCount>, TranscriptVar), SynthesisError> {
    shape.check().map_err(|_| SynthesisError::Unsatisfiable)?;
    let t = TranscriptVar::new(cs.clone(), STEP_LABEL)?;
    let mut side = CircuitSide {
        cs: cs.clone(),
        shape,
        proof,
        cursor: Cursor::default(),
        t,
        profile: Vec::new(),
        mark: (cs.num_constraints(), 0),
    };
    let claims = flow::run(&mut side, shape, statement).map_err(|e| e.0)?;
    if !side.cursor.consumed(proof) {
        return Err(SynthesisError::Unsatisfiable);
    }
    let claims = StepClaimsVar {
        prev: claims.prev.clone(),
        new: claims.new.clone(),
        chunk: claims.chunk.clone(),
    };
    Ok((claims, side.profile, side.t))
}

/// [`Layout::point`] in-circuit: `local` followed by the constant bits of the block's
/// index.
pub fn layout_point<K: Copy + PartialEq + Into<Block>>(
    layout: &Layout<K>,
    key: K,
    local: &[FrVar],
) -> Result<Vec<FrVar>, SynthesisError> {
    layout
        .point_of(key, local)
        .map_err(|_| SynthesisError::Unsatisfiable)
}

/// The `eq` table of a point (`2^n` entries; entry `i` is `eq(point, bits of i)`, variable
/// 0 the least significant bit), as [`zkpot_core::eq_table`].
pub fn eq_table_var(point: &[FrVar]) -> Vec<FrVar> {
    let mut table = vec![FrVar::one()];
    for r in point {
        let high: Vec<FrVar> = table.iter().map(|t| t * r).collect();
        let low: Vec<FrVar> = table.iter().zip(&high).map(|(t, h)| t - h).collect();
        table = low.into_iter().chain(high).collect();
    }
    table
}

/// The multilinear extension of a table of variables at a point (variable 0 the least
/// significant index bit), as [`zkpot_core::MultilinearTable::evaluate`]. The table has
/// `2^point.len()` entries.
pub fn evaluate_var(table: &[FrVar], point: &[FrVar]) -> Result<FrVar, SynthesisError> {
    if table.len() != 1usize << point.len() {
        return Err(SynthesisError::Unsatisfiable);
    }
    let mut t = table.to_vec();
    for r in point {
        t = t
            .chunks_exact(2)
            .map(|pair| match pair {
                [lo, hi] => lo + (hi - lo) * r,
                // chunks_exact(2) yields pairs only.
                _ => FrVar::zero(),
            })
            .collect();
    }
    t.pop().ok_or(SynthesisError::Unsatisfiable)
}

impl FlowScalar for FrVar {
    type Error = SynthesisError;

    fn constant(c: Fr) -> Self {
        <FrVar as FieldVar<Fr, Fr>>::constant(c)
    }

    fn eq_eval(a: &[FrVar], b: &[FrVar]) -> Result<FrVar, SynthesisError> {
        zkpot_core::constraints::eq_eval(a, b)
    }

    fn eq_table(point: &[FrVar]) -> Vec<FrVar> {
        eq_table_var(point)
    }

    fn ones_eval(num_entries: u64, point: &[FrVar]) -> Result<FrVar, SynthesisError> {
        crate::elementwise::constraints::ones_eval(num_entries, point)
    }
}

/// The in-circuit side's error: a synthesis error. Where the flow rejects a proof that
/// does not fit the shape ([`Error`]), the proof cannot be proven: unsatisfiable.
struct CircuitError(SynthesisError);

impl From<SynthesisError> for CircuitError {
    fn from(e: SynthesisError) -> Self {
        Self(e)
    }
}

impl From<Error> for CircuitError {
    fn from(_: Error) -> Self {
        Self(SynthesisError::Unsatisfiable)
    }
}

/// The in-circuit side of the flow: allocates each message as a witness as the flow
/// consumes it and verifies it with the gadgets; checks are constraints. Records the
/// constraints of every phase.
struct CircuitSide<'a> {
    cs: ConstraintSystemRef<Fr>,
    shape: &'a StepShape,
    proof: &'a StepProof,
    cursor: Cursor,
    t: TranscriptVar,
    profile: Vec<PhaseCount>,
    /// The constraints so far, and the transcript's, at the end of the last phase.
    mark: (usize, usize),
}

impl Side for CircuitSide<'_> {
    type F = FrVar;
    type Error = CircuitError;
    type Statement = StepStatementVar;

    /// The statement, exactly as the native [`flow::absorb_statement`].
    fn absorb_statement(
        &mut self,
        sh: &StepShape,
        s: &StepStatementVar,
    ) -> Result<(), CircuitError> {
        let t = &mut self.t;
        t.absorb_bytes(STEP_LABEL)?;
        t.absorb_field(&s.spec_digest)?;
        t.absorb_field(&s.fold_index)?;
        for x in [sh.k, sh.rows, sh.valid_rows, sh.widths.len()] {
            t.absorb_u64(x as u64)?;
        }
        for &w in &sh.layers {
            t.absorb_u64(w as u64)?;
        }
        for x in [sh.frac_bits, sh.value_bits, sh.lr_shift] {
            t.absorb_u64(u64::from(x))?;
        }
        t.absorb_point(&s.prev)?;
        t.absorb_point(&s.new)?;
        Ok(t.absorb_point(&s.chunk)?)
    }

    fn challenges(&mut self, n: usize) -> Result<Vec<FrVar>, CircuitError> {
        Ok(self.t.challenges(n)?)
    }

    fn check_equal(
        &mut self,
        a: &FrVar,
        b: &FrVar,
        _check: FlowCheck,
        _tensor: Option<Tensor>,
    ) -> Result<(), CircuitError> {
        Ok(a.enforce_equal(b)?)
    }

    fn phase_done(&mut self, phase: &'static str) {
        let now = (self.cs.num_constraints(), self.t.constraints_spent());
        self.profile.push(PhaseCount {
            phase,
            constraints: now.0.saturating_sub(self.mark.0),
            transcript: now.1.saturating_sub(self.mark.1),
        });
        self.mark = now;
    }

    fn eval(&mut self, _t: Tensor, _point: &[FrVar]) -> Result<FrVar, CircuitError> {
        let v = next(&self.proof.evals, &mut self.cursor.evals, MessageKind::Eval)?;
        let v = alloc_witness(&self.cs, *v)?;
        self.t.absorb_field(&v)?;
        Ok(v)
    }

    fn matmul(
        &mut self,
        shape: &MatmulShape,
        _a: Tensor,
        _b: Tensor,
        claim: &Claim<FrVar>,
    ) -> Result<ClaimPair<FrVar>, CircuitError> {
        let p = next(
            &self.proof.matmuls,
            &mut self.cursor.matmuls,
            MessageKind::Matmul,
        )?;
        let p = MatmulProofVar::new_witness(&self.cs, p, shape)?;
        let out = verify_matmul(shape, &p, claim, &mut self.t)?;
        Ok((out.a, out.b))
    }

    fn hadamard(
        &mut self,
        s: Tensor,
        _q: Tensor,
        claim: &Claim<FrVar>,
    ) -> Result<ClaimPair<FrVar>, CircuitError> {
        let n = self.shape.num_vars(s);
        let p = next(
            &self.proof.hadamards,
            &mut self.cursor.hadamards,
            MessageKind::Hadamard,
        )?;
        let p = HadamardProofVar::new_witness(self.cs.clone(), p, n)?;
        let out = verify_hadamard(n, claim, &p, &mut self.t)?;
        Ok((out.left, out.right))
    }

    fn merge(&mut self, t: Merged, claims: &[Claim<FrVar>]) -> Result<Claim<FrVar>, CircuitError> {
        let n = t.num_vars(self.shape);
        let p = next(
            &self.proof.merges,
            &mut self.cursor.merges,
            MessageKind::Merge,
        )?;
        let p = MergeProofVar::new_witness(self.cs.clone(), p, n)?;
        Ok(verify_merge(n, claims, &p, &mut self.t)?)
    }

    fn affine(
        &mut self,
        shape: &StackShape,
        _product: Tensor,
        claim: &Claim<FrVar>,
    ) -> Result<ClaimPair<FrVar>, CircuitError> {
        let u = next(
            &self.proof.affines,
            &mut self.cursor.affines,
            MessageKind::Affine,
        )?;
        let u = alloc_witness(&self.cs, *u)?;
        let sh = self.shape;
        let out = verify_affine(shape, sh.valid_rows, sh.frac_bits, claim, &u, &mut self.t)?;
        Ok((out.product, out.bias))
    }

    fn colsum(
        &mut self,
        shape: &StackShape,
        claim: &Claim<FrVar>,
    ) -> Result<Claim<FrVar>, CircuitError> {
        Ok(verify_colsum(shape, claim, &mut self.t)?)
    }

    /// The shift sumcheck: `sum_j weights(j) T(j) = claim` over the `log k` instance bits.
    fn shift(
        &mut self,
        _t: Tensor,
        _rho_x: &[FrVar],
        weights: &[FrVar],
        claim: FrVar,
    ) -> Result<Claim<FrVar>, CircuitError> {
        let rounds = self.shape.k_vars();
        let p = next(
            &self.proof.shifts,
            &mut self.cursor.shifts,
            MessageKind::Shift,
        )?;
        let sumcheck = alloc_sumcheck(&self.cs, &p.sumcheck, rounds, 2)?;
        let eval = alloc_witness(&self.cs, p.eval)?;
        let reduced = verify_sumcheck(&sumcheck, &claim, rounds, 2, &mut self.t)?;
        let w = evaluate_var(weights, &reduced.point)?;
        check_final(&reduced.value, &(w * &eval))?;
        self.t.absorb_field(&eval)?;
        Ok(Claim {
            point: reduced.point,
            value: eval,
        })
    }

    fn booleanity(&mut self, region: &Layout<Tensor>) -> Result<Claim<FrVar>, CircuitError> {
        let n = region.num_vars;
        let p = next(
            &self.proof.booleanity,
            &mut self.cursor.booleanity,
            MessageKind::Booleanity,
        )?;
        let p = BooleanityProofVar::new_witness(self.cs.clone(), p, n)?;
        Ok(verify_booleanity(n, &p, &mut self.t)?)
    }

    fn range(&mut self, region: &RangeRegion) -> Result<ClaimPair<FrVar>, CircuitError> {
        let p = next(
            &self.proof.ranges,
            &mut self.cursor.ranges,
            MessageKind::Range,
        )?;
        let n = region.layout.num_vars;
        let p = RangeProofVar::new_witness(self.cs.clone(), p, n, region.width)?;
        let out = verify_range_in(n, region.width, &p, &mut self.t)?;
        Ok((out.limbs, out.multiplicities))
    }
}
