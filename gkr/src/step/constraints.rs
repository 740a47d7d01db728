//! The step verifier in-circuit: the twin of [`verify_step`](super::verify_step) for the
//! IVC step circuit (`DESIGN.md` section 6). It runs the claim flow of `flow.rs` with
//! variables: the same messages in the same order, the same transcript, the same checks
//! as constraints, and it returns the same claims on `C_prev`, `C_new` and `C_chunk`.
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

use ark_ff::{One, Zero};
use ark_r1cs_std::{eq::EqGadget, fields::FieldVar};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use zkpot_core::ClaimVar;
use zkpot_core::{
    constraints::{
        alloc_sumcheck, alloc_witness, check_final, eq_eval, verify_sumcheck, FrVar, TranscriptVar,
    },
    i128_to_field, point_to_fields, Fr,
};

use super::flow::{half, pow2};
use super::layout::{Block, Entry, Layout, LimbOf, RangeRegion, StepShape, Tensor};
use super::verifier::Cursor;
use super::{StepProof, StepStatement, STEP_LABEL};
use crate::elementwise::constraints::{
    ones_eval, verify_booleanity, verify_hadamard, verify_merge, BooleanityProofVar,
    HadamardClaimsVar, HadamardProofVar, MergeProofVar,
};
use crate::layout::constraints::{verify_affine, verify_colsum, AffineClaimsVar};
use crate::layout::StackShape;
use crate::matmul::constraints::{verify_matmul, MatmulClaimsVar, MatmulProofVar};
use crate::matmul::{MatmulShape, Op};
use crate::range::constraints::{verify_range_in, RangeClaimsVar, RangeProofVar};

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
    let transcript = TranscriptVar::new(cs.clone(), STEP_LABEL)?;
    let mut flow = Flow {
        cs: cs.clone(),
        shape,
        proof,
        cursor: Cursor::default(),
        t: transcript,
        got: Collected::default(),
        pend_a: vec![Vec::new(); shape.num_layers() + 1],
        pend_g: vec![Vec::new(); shape.num_layers() + 1],
        pend_w: vec![Vec::new(); shape.num_layers() + 1],
        pend_b: vec![Vec::new(); shape.num_layers() + 1],
    };
    let mut profile = Vec::new();
    let mut mark = (cs.num_constraints(), 0);
    let mut record = |flow: &Flow, phase: &'static str| {
        let now = (cs.num_constraints(), flow.t.constraints_spent());
        profile.push(PhaseCount {
            phase,
            constraints: now.0.saturating_sub(mark.0),
            transcript: now.1.saturating_sub(mark.1),
        });
        mark = now;
    };
    flow.absorb_statement(statement)?;
    record(&flow, "statement");
    flow.updates()?;
    record(&flow, "updates");
    flow.gradients()?;
    record(&flow, "gradients");
    flow.forward()?;
    record(&flow, "forward");
    flow.old_weights()?;
    record(&flow, "old weights");
    flow.ties()?;
    record(&flow, "ties");
    flow.padding()?;
    record(&flow, "padding");
    flow.bits()?;
    record(&flow, "bits");
    flow.ranges()?;
    record(&flow, "ranges");
    let claims = flow.finish()?;
    record(&flow, "merges");
    if !flow.cursor.consumed(proof) {
        return Err(SynthesisError::Unsatisfiable);
    }
    Ok((claims, profile, flow.t))
}

/// The next message of a list; a missing one is a synthesis error.
fn next<'a, X>(list: &'a [X], at: &mut usize) -> Result<&'a X, SynthesisError> {
    let x = list.get(*at).ok_or(SynthesisError::Unsatisfiable)?;
    *at += 1;
    Ok(x)
}

/// Claims collected on the three commitments.
#[derive(Default)]
struct Collected {
    new: Vec<(Block, ClaimVar)>,
    prev: Vec<(Tensor, ClaimVar)>,
    chunk: Vec<(Tensor, ClaimVar)>,
}

/// A claim.
fn claim(point: &[FrVar], value: FrVar) -> ClaimVar {
    ClaimVar {
        point: point.to_vec(),
        value,
    }
}

/// A constant.
fn constant(x: Fr) -> FrVar {
    FrVar::constant(x)
}

/// [`Layout::point`] in-circuit: `local` followed by the constant bits of the block's
/// index.
pub fn layout_point<K: Copy + PartialEq>(
    layout: &Layout<K>,
    key: K,
    local: &[FrVar],
) -> Result<Vec<FrVar>, SynthesisError> {
    let e = layout.entry(key).ok_or(SynthesisError::Unsatisfiable)?;
    if local.len() != e.num_vars || layout.num_vars < e.num_vars {
        return Err(SynthesisError::Unsatisfiable);
    }
    let high = e.offset >> e.num_vars;
    let mut point = local.to_vec();
    for j in 0..layout.num_vars - e.num_vars {
        point.push(constant(if high >> j & 1 == 1 {
            Fr::one()
        } else {
            Fr::zero()
        }));
    }
    Ok(point)
}

/// [`Layout::selector`] in-circuit.
fn selector<K>(e: &Entry<K>, point: &[FrVar]) -> FrVar {
    let high = e.offset >> e.num_vars;
    let mut acc = FrVar::one();
    for (j, r) in point.iter().skip(e.num_vars).enumerate() {
        if high >> j & 1 == 1 {
            acc *= r;
        } else {
            acc *= FrVar::one() - r;
        }
    }
    acc
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

struct Flow<'a> {
    cs: ConstraintSystemRef<Fr>,
    shape: &'a StepShape,
    proof: &'a StepProof,
    cursor: Cursor,
    t: TranscriptVar,
    got: Collected,
    pend_a: Vec<Vec<ClaimVar>>,
    pend_g: Vec<Vec<ClaimVar>>,
    pend_w: Vec<Vec<ClaimVar>>,
    pend_b: Vec<Vec<ClaimVar>>,
}

impl Flow<'_> {
    /// The statement, exactly as the native `absorb_statement`.
    fn absorb_statement(&mut self, s: &StepStatementVar) -> Result<(), SynthesisError> {
        let sh = self.shape;
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
        t.absorb_point(&s.chunk)
    }

    // The side's messages.

    fn eval(&mut self) -> Result<FrVar, SynthesisError> {
        let v = alloc_witness(&self.cs, *next(&self.proof.evals, &mut self.cursor.evals)?)?;
        self.t.absorb_field(&v)?;
        Ok(v)
    }

    fn matmul(
        &mut self,
        shape: &MatmulShape,
        claim: &ClaimVar,
    ) -> Result<MatmulClaimsVar, SynthesisError> {
        let p = next(&self.proof.matmuls, &mut self.cursor.matmuls)?;
        let p = MatmulProofVar::new_witness(&self.cs, p, shape)?;
        verify_matmul(shape, &p, claim, &mut self.t)
    }

    fn hadamard(
        &mut self,
        s: Tensor,
        claim: &ClaimVar,
    ) -> Result<HadamardClaimsVar, SynthesisError> {
        let n = self.shape.num_vars(s);
        let p = next(&self.proof.hadamards, &mut self.cursor.hadamards)?;
        let p = HadamardProofVar::new_witness(self.cs.clone(), p, n)?;
        verify_hadamard(n, claim, &p, &mut self.t)
    }

    fn merge(&mut self, num_vars: usize, claims: &[ClaimVar]) -> Result<ClaimVar, SynthesisError> {
        let p = next(&self.proof.merges, &mut self.cursor.merges)?;
        let p = MergeProofVar::new_witness(self.cs.clone(), p, num_vars)?;
        verify_merge(num_vars, claims, &p, &mut self.t)
    }

    fn affine(
        &mut self,
        shape: &StackShape,
        claim: &ClaimVar,
    ) -> Result<AffineClaimsVar, SynthesisError> {
        let u = *next(&self.proof.affines, &mut self.cursor.affines)?;
        let u = alloc_witness(&self.cs, u)?;
        let sh = self.shape;
        verify_affine(shape, sh.valid_rows, sh.frac_bits, claim, &u, &mut self.t)
    }

    /// The shift sumcheck: `sum_j weights(j) T(j) = claim` over the `log k` instance bits.
    fn shift(&mut self, weights: &[FrVar], claim: &FrVar) -> Result<ClaimVar, SynthesisError> {
        let rounds = self.shape.k_vars();
        let p = next(&self.proof.shifts, &mut self.cursor.shifts)?;
        let sumcheck = alloc_sumcheck(&self.cs, &p.sumcheck, rounds, 2)?;
        let eval = alloc_witness(&self.cs, p.eval)?;
        let reduced = verify_sumcheck(&sumcheck, claim, rounds, 2, &mut self.t)?;
        let w = evaluate_var(weights, &reduced.point)?;
        check_final(&reduced.value, &(w * &eval))?;
        self.t.absorb_field(&eval)?;
        Ok(ClaimVar {
            point: reduced.point,
            value: eval,
        })
    }

    fn booleanity(&mut self, num_vars: usize) -> Result<ClaimVar, SynthesisError> {
        let p = next(&self.proof.booleanity, &mut self.cursor.booleanity)?;
        let p = BooleanityProofVar::new_witness(self.cs.clone(), p, num_vars)?;
        verify_booleanity(num_vars, &p, &mut self.t)
    }

    fn range(&mut self, region: &RangeRegion) -> Result<RangeClaimsVar, SynthesisError> {
        let p = next(&self.proof.ranges, &mut self.cursor.ranges)?;
        let n = region.layout.num_vars;
        let p = RangeProofVar::new_witness(self.cs.clone(), p, n, region.width)?;
        verify_range_in(n, region.width, &p, &mut self.t)
    }

    // The flow, as in `flow.rs`.

    /// Moves a claim on a range-checked tensor to its limbs.
    fn limbs(&mut self, t: Tensor, c: &ClaimVar) -> Result<(), SynthesisError> {
        let enc = self
            .shape
            .encoding(t)
            .ok_or(SynthesisError::Unsatisfiable)?;
        let mut acc = FrVar::zero();
        let mut scale = Fr::one();
        for i in 0..enc.widths.len() {
            let limb = Tensor::Limb(LimbOf::new(t), i as u8);
            let e = self.eval()?;
            acc += &e * scale;
            scale *= pow2(16);
            self.got.new.push((Block::Tensor(limb), claim(&c.point, e)));
        }
        if let Some(sign) = enc.sign {
            let e = self.eval()?;
            acc += &e * pow2(enc.limb_bits());
            self.got.new.push((Block::Tensor(sign), claim(&c.point, e)));
        }
        (&c.value + i128_to_field(enc.offset)).enforce_equal(&acc)
    }

    /// One claim on `Q` of `Q 2^shift + R = X + h`; returns the claim on `X`.
    fn rescale(
        &mut self,
        remainder: Tensor,
        shift: u32,
        q: &ClaimVar,
    ) -> Result<ClaimVar, SynthesisError> {
        let u = self.eval()?;
        let r = &u + half(shift) - &q.value * pow2(shift);
        self.limbs(remainder, &claim(&q.point, r))?;
        Ok(claim(&q.point, u))
    }

    fn updates(&mut self) -> Result<(), SynthesisError> {
        let sh = self.shape;
        let (f, s) = (sh.frac_bits, sh.lr_shift);
        for l in (1..=sh.num_layers()).rev() {
            let tau = self.t.challenges(sh.num_vars(Tensor::Wnew(l)))?;
            let vn = self.eval()?;
            self.limbs(Tensor::Wnew(l), &claim(&tau, vn.clone()))?;
            let vo = self.eval()?;
            self.pend_w[l].push(claim(&tau, vo.clone()));
            let x = self.rescale(Tensor::Dr(l), f + s, &claim(&tau, &vo - &vn))?;
            let mm = MatmulShape::new(sh.k, sh.width(l - 1), sh.rows, sh.width(l))
                .with_ops(Op::T, Op::N);
            let out = self.matmul(&mm, &x)?;
            self.pend_a[l - 1].push(out.a);
            self.pend_g[l].push(out.b);

            let tau = self.t.challenges(sh.num_vars(Tensor::Bnew(l)))?;
            let vn = self.eval()?;
            self.limbs(Tensor::Bnew(l), &claim(&tau, vn.clone()))?;
            let vo = self.eval()?;
            self.pend_b[l].push(claim(&tau, vo.clone()));
            let x = self.rescale(Tensor::Br(l), s, &claim(&tau, &vo - &vn))?;
            let g = verify_colsum(
                &StackShape::new(sh.k, sh.rows, sh.width(l)),
                &x,
                &mut self.t,
            )?;
            self.pend_g[l].push(g);
        }
        Ok(())
    }

    fn gradients(&mut self) -> Result<(), SynthesisError> {
        let sh = self.shape;
        let big_l = sh.num_layers();
        for l in 1..big_l {
            let claims = std::mem::take(&mut self.pend_g[l]);
            let c = self.merged(Tensor::G(l), claims)?;
            let h = self.hadamard(Tensor::S(l), &c)?;
            self.got.new.push((Block::Tensor(Tensor::S(l)), h.left));
            self.limbs(Tensor::Gq(l + 1), &h.right)?;
            let x = self.rescale(Tensor::Gr(l + 1), sh.frac_bits, &h.right)?;
            let mm = MatmulShape::new(sh.k, sh.rows, sh.width(l + 1), sh.width(l))
                .with_ops(Op::N, Op::T);
            let out = self.matmul(&mm, &x)?;
            self.pend_g[l + 1].push(out.a);
            self.pend_w[l + 1].push(out.b);
        }
        for c in std::mem::take(&mut self.pend_g[big_l]) {
            let a = self.eval()?;
            let y = claim(&c.point, &a - &c.value);
            self.got.chunk.push((Tensor::Y, y.clone()));
            self.limbs(Tensor::Y, &y)?;
            self.pend_a[big_l].push(claim(&c.point, a));
        }
        Ok(())
    }

    fn forward(&mut self) -> Result<(), SynthesisError> {
        let sh = self.shape;
        let big_l = sh.num_layers();
        for l in (1..=big_l).rev() {
            let claims = std::mem::take(&mut self.pend_a[l]);
            let q = if l == big_l {
                for c in &claims {
                    self.limbs(Tensor::Zq(l), c)?;
                }
                claims
                    .into_iter()
                    .next()
                    .ok_or(SynthesisError::Unsatisfiable)?
            } else {
                let c = self.merged(Tensor::A(l), claims)?;
                let h = self.hadamard(Tensor::S(l), &c)?;
                self.got.new.push((Block::Tensor(Tensor::S(l)), h.left));
                self.limbs(Tensor::Zq(l), &h.right)?;
                h.right
            };
            let z = self.rescale(Tensor::Zr(l), sh.frac_bits, &q)?;
            let stack = StackShape::new(sh.k, sh.rows, sh.width(l));
            let split = self.affine(&stack, &z)?;
            self.pend_b[l].push(split.bias);
            let mm = MatmulShape::new(sh.k, sh.rows, sh.width(l - 1), sh.width(l));
            let out = self.matmul(&mm, &split.product)?;
            self.pend_a[l - 1].push(out.a);
            self.pend_w[l].push(out.b);
        }
        for c in std::mem::take(&mut self.pend_a[0]) {
            self.limbs(Tensor::X, &c)?;
            self.got.chunk.push((Tensor::X, c));
        }
        Ok(())
    }

    fn merged(&mut self, t: Tensor, claims: Vec<ClaimVar>) -> Result<ClaimVar, SynthesisError> {
        match claims.len() {
            0 => Err(SynthesisError::Unsatisfiable),
            1 => claims
                .into_iter()
                .next()
                .ok_or(SynthesisError::Unsatisfiable),
            _ => {
                let n = self.shape.num_vars(t);
                self.merge(n, &claims)
            }
        }
    }

    fn old_weights(&mut self) -> Result<(), SynthesisError> {
        let sh = self.shape;
        for l in 1..=sh.num_layers() {
            for c in std::mem::take(&mut self.pend_w[l]) {
                self.shift_claim(Tensor::Wt(l), Tensor::Wnew(l), &c)?;
            }
            for c in std::mem::take(&mut self.pend_b[l]) {
                self.shift_claim(Tensor::Bt(l), Tensor::Bnew(l), &c)?;
            }
        }
        Ok(())
    }

    /// `Old~(rho_x, rho_i) = eq(rho_i, 0) Start~(rho_x) + sum_j eq(rho_i, j + 1) New~(rho_x, j)`.
    fn shift_claim(
        &mut self,
        start: Tensor,
        new: Tensor,
        c: &ClaimVar,
    ) -> Result<(), SynthesisError> {
        let sh = self.shape;
        let nx = sh.num_vars(start);
        if c.point.len() != nx + sh.k_vars() {
            return Err(SynthesisError::Unsatisfiable);
        }
        let (rho_x, rho_i) = c.point.split_at(nx);
        let w = self.eval()?;
        let wc = claim(rho_x, w.clone());
        self.got.prev.push((start, wc.clone()));
        self.limbs(start, &wc)?;
        let zeros = vec![FrVar::zero(); rho_i.len()];
        let rest = &c.value - eq_eval(rho_i, &zeros)? * &w;
        if sh.k == 1 {
            return rest.enforce_equal(&FrVar::zero());
        }
        let eq = eq_table_var(rho_i);
        let mut weights = vec![FrVar::zero(); sh.k];
        for (w, e) in weights.iter_mut().zip(eq.iter().skip(1)) {
            *w = e.clone();
        }
        let out = self.shift(&weights, &rest)?;
        let point: Vec<FrVar> = rho_x.iter().chain(&out.point).cloned().collect();
        self.limbs(new, &claim(&point, out.value))
    }

    fn ties(&mut self) -> Result<(), SynthesisError> {
        let sh = self.shape;
        let last: Vec<FrVar> = (0..sh.k_vars())
            .map(|j| {
                constant(if (sh.k - 1) >> j & 1 == 1 {
                    Fr::one()
                } else {
                    Fr::zero()
                })
            })
            .collect();
        let model = sh.model_layout();
        for l in 1..=sh.num_layers() {
            for (fin, new, block) in [
                (Tensor::Wfin(l), Tensor::Wnew(l), Tensor::Wt(l)),
                (Tensor::Bfin(l), Tensor::Bnew(l), Tensor::Bt(l)),
            ] {
                let tau = self.t.challenges(sh.num_vars(fin))?;
                let v = self.eval()?;
                let point = layout_point(&model, block, &tau)?;
                self.got.new.push((Block::Model, claim(&point, v.clone())));
                let p: Vec<FrVar> = tau.iter().chain(&last).cloned().collect();
                self.limbs(new, &claim(&p, v))?;
            }
        }
        Ok(())
    }

    fn padding(&mut self) -> Result<(), SynthesisError> {
        let sh = self.shape;
        for t in sh.padded_inputs() {
            let Some((_, valid_rows, cols, valid_cols)) = sh.padding(t) else {
                continue;
            };
            let tau = self.t.challenges(sh.num_vars(t))?;
            let h = self.hadamard(t, &claim(&tau, FrVar::zero()))?;
            let point = &h.right.point;
            let col_vars = super::layout::log2(cols);
            let stacked = if StepShape::stacked(t) {
                sh.k_vars()
            } else {
                0
            };
            let row_vars = sh
                .num_vars(t)
                .checked_sub(col_vars + stacked)
                .ok_or(SynthesisError::Unsatisfiable)?;
            if point.len() < col_vars + row_vars {
                return Err(SynthesisError::Unsatisfiable);
            }
            let mask = ones_eval(valid_cols as u64, &point[..col_vars])?
                * ones_eval(valid_rows as u64, &point[col_vars..col_vars + row_vars])?;
            h.right.value.enforce_equal(&(FrVar::one() - mask))?;
            match t {
                Tensor::X | Tensor::Y => self.got.chunk.push((t, h.left.clone())),
                _ => self.got.prev.push((t, h.left.clone())),
            }
            self.limbs(t, &h.left)?;
        }
        Ok(())
    }

    fn bits(&mut self) -> Result<(), SynthesisError> {
        let Some(region) = self.shape.bits_region() else {
            return Ok(());
        };
        let c = self.booleanity(region.num_vars)?;
        self.split_region(&region, &c)
    }

    fn split_region(
        &mut self,
        region: &Layout<Tensor>,
        c: &ClaimVar,
    ) -> Result<(), SynthesisError> {
        if c.point.len() != region.num_vars {
            return Err(SynthesisError::Unsatisfiable);
        }
        let mut acc = FrVar::zero();
        for e in &region.entries {
            let local = c
                .point
                .get(..e.num_vars)
                .ok_or(SynthesisError::Unsatisfiable)?;
            let v = self.eval()?;
            acc += selector(e, &c.point) * &v;
            self.got.new.push((Block::Tensor(e.key), claim(local, v)));
        }
        acc.enforce_equal(&c.value)
    }

    fn ranges(&mut self) -> Result<(), SynthesisError> {
        for region in self.shape.range_regions() {
            let out = self.range(&region)?;
            self.split_region(&region.layout, &out.limbs)?;
            self.got
                .new
                .push((Block::Mult(region.index), out.multiplicities));
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<StepClaimsVar, SynthesisError> {
        let sh = self.shape;
        let fold = sh.fold_layout();
        let model = sh.model_layout();
        let chunk_layout = sh.chunk_layout();
        let new = std::mem::take(&mut self.got.new)
            .into_iter()
            .map(|(b, c)| Ok(claim(&layout_point(&fold, b, &c.point)?, c.value)))
            .collect::<Result<Vec<_>, SynthesisError>>()?;
        let prev = std::mem::take(&mut self.got.prev)
            .into_iter()
            .map(|(t, c)| Ok(claim(&layout_point(&model, t, &c.point)?, c.value)))
            .collect::<Result<Vec<_>, SynthesisError>>()?;
        let prev = self.merge(model.num_vars, &prev)?;
        let chunk = std::mem::take(&mut self.got.chunk)
            .into_iter()
            .map(|(t, c)| Ok(claim(&layout_point(&chunk_layout, t, &c.point)?, c.value)))
            .collect::<Result<Vec<_>, SynthesisError>>()?;
        let chunk = self.merge(chunk_layout.num_vars, &chunk)?;
        Ok(StepClaimsVar { prev, new, chunk })
    }
}
