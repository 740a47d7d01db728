//! The claim flow of a step proof, written once for the three sides (`DESIGN.md`
//! section 4): the prover computes every message and records it, the native verifier
//! reads it back, the in-circuit verifier allocates it as a witness. All three run the
//! same reductions and checks in the same order on the same transcript, so they cannot
//! drift apart. A side's scalars are `Fr` (prover, native verifier) or `FrVar`
//! (in-circuit verifier), as Plonky3's `Air::eval` runs over any `AirBuilder`.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::ops::{Add, Mul, Sub};

use ark_ff::{Field, One, Zero};
use zkpot_core::{i128_to_field, Fr, Transcript};

use super::layout::{Block, Layout, LimbOf, RangeRegion, StepShape, Tensor};
use super::{StepClaims, StepStatement, STEP_LABEL};
use crate::matmul::{MatmulShape, Op};
use crate::reshape::StackShape;
use crate::{Error, FlowCheck};
use zkpot_core::Claim;

/// The scalars of a side: `Fr` natively, `FrVar` in-circuit. Both add, subtract and
/// multiply among themselves and with `Fr` constants; the helpers are each side's own
/// (`zkpot_core`'s natively, the gadgets in-circuit).
pub(crate) trait FlowScalar:
    Clone
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Add<Fr, Output = Self>
    + Sub<Fr, Output = Self>
    + Mul<Fr, Output = Self>
{
    /// What the helpers fail with.
    type Error;
    /// A constant.
    fn constant(c: Fr) -> Self;
    /// `eq(a, b)`; the lengths must match.
    fn eq_eval(a: &[Self], b: &[Self]) -> Result<Self, Self::Error>;
    /// The `eq` table of a point (entry `i` is `eq(point, bits of i)`, variable 0 the
    /// least significant bit).
    fn eq_table(point: &[Self]) -> Vec<Self>;
    /// The multilinear extension at `point` of the table with ones in its first
    /// `num_entries` entries and zeros after ([`crate::elementwise::ones_eval`]).
    fn ones_eval(num_entries: u64, point: &[Self]) -> Result<Self, Self::Error>;
}

impl FlowScalar for Fr {
    type Error = Error;

    fn constant(c: Fr) -> Self {
        c
    }

    fn eq_eval(a: &[Fr], b: &[Fr]) -> Result<Fr, Error> {
        Ok(zkpot_core::eq_eval(a, b)?)
    }

    fn eq_table(point: &[Fr]) -> Vec<Fr> {
        zkpot_core::eq_table(point)
    }

    fn ones_eval(num_entries: u64, point: &[Fr]) -> Result<Fr, Error> {
        crate::elementwise::ones_eval(num_entries, point)
    }
}

/// The two claims a reduction leaves (each method of [`Side`] says on what).
pub(crate) type ClaimPair<F> = (Claim<F>, Claim<F>);

/// A claim.
fn claim<F: Clone>(point: &[F], value: F) -> Claim<F> {
    Claim {
        point: point.to_vec(),
        value,
    }
}

/// What differs between the sides: where the statement and each message come from
/// (computed and recorded by the prover, read by the native verifier, allocated as a
/// witness in-circuit) and how a check is enforced. Every method continues the side's
/// transcript.
pub(crate) trait Side {
    /// The scalars.
    type F: FlowScalar;
    /// The error of the flow.
    type Error: From<crate::Error> + From<<Self::F as FlowScalar>::Error>;
    /// The statement.
    type Statement;

    /// Absorbs the statement (`DESIGN.md` section 8: label, spec digest, then the
    /// statement).
    fn absorb_statement(
        &mut self,
        shape: &StepShape,
        statement: &Self::Statement,
    ) -> Result<(), Self::Error>;
    /// Squeezes `n` challenges.
    fn challenges(&mut self, n: usize) -> Result<Vec<Self::F>, Self::Error>;
    /// A check of the flow, `a = b`: an error natively (except for a lenient prover in
    /// soundness tests, which goes on so that the verifier's rejection can be
    /// observed), a constraint in-circuit.
    fn check_equal(
        &mut self,
        a: &Self::F,
        b: &Self::F,
        check: FlowCheck,
        tensor: Option<Tensor>,
    ) -> Result<(), Self::Error>;
    /// The flow finished a phase (the in-circuit verifier profiles its constraints).
    fn phase_done(&mut self, _phase: &'static str) {}
    /// `t~(point)`: computed and recorded, or read; absorbed either way.
    fn eval(&mut self, t: Tensor, point: &[Self::F]) -> Result<Self::F, Self::Error>;
    /// The stacked matrix product `C = op(A) op(B)`: the claims on `A` and on `B`.
    fn matmul(
        &mut self,
        shape: &MatmulShape,
        a: Tensor,
        b: Tensor,
        claim: &Claim<Self::F>,
    ) -> Result<ClaimPair<Self::F>, Self::Error>;
    /// `C = S o Q`: the claims on `S` and on `Q`.
    fn hadamard(
        &mut self,
        s: Tensor,
        q: Tensor,
        claim: &Claim<Self::F>,
    ) -> Result<ClaimPair<Self::F>, Self::Error>;
    /// Several claims on one table to one.
    fn merge(
        &mut self,
        t: Merged,
        claims: &[Claim<Self::F>],
    ) -> Result<Claim<Self::F>, Self::Error>;
    /// `Z = P + 2^f broadcast(b)`: the claims on the product `P` and on the bias `b`.
    fn affine(
        &mut self,
        shape: &StackShape,
        product: Tensor,
        claim: &Claim<Self::F>,
    ) -> Result<ClaimPair<Self::F>, Self::Error>;
    /// A claim on the column sums of a stacked matrix to a claim on the matrix (no
    /// message).
    fn colsum(
        &mut self,
        shape: &StackShape,
        claim: &Claim<Self::F>,
    ) -> Result<Claim<Self::F>, Self::Error>;
    /// The sumcheck of `sum_j weights(j) T(j)` over the instance bits, `T(j)` the stacked
    /// new weights `t` fixed at `rho_x`; returns the point and the final value of `T`.
    fn shift(
        &mut self,
        t: Tensor,
        rho_x: &[Self::F],
        weights: &[Self::F],
        claim: Self::F,
    ) -> Result<Claim<Self::F>, Self::Error>;
    /// Booleanity of the bits region.
    fn booleanity(&mut self, region: &Layout<Tensor>) -> Result<Claim<Self::F>, Self::Error>;
    /// The range check of one region: the claims on its limbs and on its
    /// multiplicities.
    fn range(&mut self, region: &RangeRegion) -> Result<ClaimPair<Self::F>, Self::Error>;
}

/// A table that claims can be merged on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Merged {
    /// A virtual or committed tensor.
    Tensor(Tensor),
    /// The model table behind `C_prev`.
    Model,
    /// The chunk table.
    Chunk,
}

impl Merged {
    /// The table's number of variables.
    pub(crate) fn num_vars(self, shape: &StepShape) -> usize {
        match self {
            Merged::Tensor(t) => shape.num_vars(t),
            Merged::Model => shape.model_layout().num_vars,
            Merged::Chunk => shape.chunk_layout().num_vars,
        }
    }
}

/// The claims a flow leaves: as [`StepClaims`], with the claim on `C_prev` on the model
/// layout ([`StepShape::model_layout`]).
pub(crate) struct Claims<F> {
    /// The merged claim on the model table.
    pub(crate) prev: Claim<F>,
    /// The claims on the fold table, unmerged.
    pub(crate) new: Vec<Claim<F>>,
    /// The merged claim on the chunk table.
    pub(crate) chunk: Claim<F>,
}

/// Absorbs the statement natively (`DESIGN.md` section 8: label, spec digest, then the
/// statement).
pub(crate) fn absorb_statement<T: Transcript>(
    t: &mut T,
    shape: &StepShape,
    statement: &StepStatement,
) {
    t.absorb_bytes(STEP_LABEL);
    t.absorb_field(&statement.spec_digest);
    t.absorb_u64(statement.fold_index);
    for x in [shape.k, shape.rows, shape.valid_rows, shape.widths.len()] {
        t.absorb_u64(x as u64);
    }
    for &w in &shape.layers {
        t.absorb_u64(w as u64);
    }
    for x in [shape.frac_bits, shape.value_bits, shape.lr_shift] {
        t.absorb_u64(u64::from(x));
    }
    statement.prev.absorb_into(t);
    statement.new.absorb_into(t);
    statement.chunk.absorb_into(t);
}

/// A native check: `a = b`, or the error naming it.
pub(crate) fn check_native(
    a: &Fr,
    b: &Fr,
    check: FlowCheck,
    tensor: Option<Tensor>,
) -> Result<(), Error> {
    if a == b {
        Ok(())
    } else {
        Err(Error::CheckFailed { check, tensor })
    }
}

/// `2^bits` in the field.
pub(super) fn pow2(bits: u32) -> Fr {
    Fr::from(2u64).pow([u64::from(bits)])
}

/// `h = 2^(bits - 1)` (0 for 0 bits).
pub(super) fn half(bits: u32) -> Fr {
    if bits == 0 {
        Fr::zero()
    } else {
        pow2(bits - 1)
    }
}

/// Runs the whole flow on a side; returns the claims on the three commitments, the one
/// on `C_prev` on the model layout.
pub(crate) fn run<S: Side>(
    side: &mut S,
    shape: &StepShape,
    statement: &S::Statement,
) -> Result<Claims<S::F>, S::Error> {
    side.absorb_statement(shape, statement)?;
    side.phase_done("statement");
    let mut flow = Flow {
        side,
        shape,
        got: Collected {
            new: Vec::new(),
            prev: Vec::new(),
            chunk: Vec::new(),
        },
        pending: (0..=shape.num_layers())
            .map(|_| Pending {
                a: Vec::new(),
                g: Vec::new(),
                w: Vec::new(),
                b: Vec::new(),
            })
            .collect(),
    };
    flow.phases()?;
    let claims = flow.finish()?;
    side.phase_done("merges");
    Ok(claims)
}

/// Runs the flow on a native side; the claim on `C_prev` is on the table behind it (the
/// model table for the first fold, the previous fold's table after it).
pub(crate) fn run_native<S>(
    side: &mut S,
    shape: &StepShape,
    statement: &StepStatement,
) -> Result<StepClaims, Error>
where
    S: Side<F = Fr, Error = Error, Statement = StepStatement>,
{
    let claims = run(side, shape, statement)?;
    let mut prev = claims.prev.clone();
    if statement.fold_index > 0 {
        prev.point = shape.fold_layout().point(Block::Model, &prev.point)?;
    }
    Ok(StepClaims {
        prev,
        new: claims.new.clone(),
        chunk: claims.chunk.clone(),
    })
}

/// Claims collected on the three commitments.
struct Collected<F> {
    new: Vec<(Block, Claim<F>)>,
    prev: Vec<(Tensor, Claim<F>)>,
    chunk: Vec<(Tensor, Claim<F>)>,
}

/// Pending claims on one layer's `A_l` (`A_0 = X`), `G_l`, `W_l` before each iteration,
/// and `b_l`.
struct Pending<F> {
    a: Vec<Claim<F>>,
    g: Vec<Claim<F>>,
    w: Vec<Claim<F>>,
    b: Vec<Claim<F>>,
}

struct Flow<'a, 's, S: Side> {
    side: &'s mut S,
    shape: &'a StepShape,
    got: Collected<S::F>,
    /// Per layer `0..=L`.
    pending: Vec<Pending<S::F>>,
}

impl<S: Side> Flow<'_, '_, S> {
    /// Steps 1 to 7, each phase reported to the side when done.
    fn phases(&mut self) -> Result<(), S::Error> {
        type Phase<X, E> = fn(&mut X) -> Result<(), E>;
        let phases: [(&'static str, Phase<Self, S::Error>); 8] = [
            ("updates", Self::updates),
            ("gradients", Self::gradients),
            ("forward", Self::forward),
            ("old weights", Self::old_weights),
            ("ties", Self::ties),
            ("padding", Self::padding),
            ("bits", Self::bits),
            ("ranges", Self::ranges),
        ];
        for (name, phase) in phases {
            phase(self)?;
            self.side.phase_done(name);
        }
        Ok(())
    }

    /// The pending claims of layer `l`.
    fn at(&mut self, l: usize) -> Result<&mut Pending<S::F>, Error> {
        self.pending.get_mut(l).ok_or(Error::NoLayer { layer: l })
    }

    /// A constant.
    fn constant(c: Fr) -> S::F {
        S::F::constant(c)
    }

    /// Moves a claim on a range-checked tensor to its limbs: the prover sends each limb
    /// table at the point and the verifier checks the recombination.
    fn limbs(&mut self, t: Tensor, c: &Claim<S::F>) -> Result<(), S::Error> {
        let enc = self
            .shape
            .encoding(t)
            .ok_or(Error::NotRangeChecked { tensor: t })?;
        let mut acc = Self::constant(Fr::zero());
        let mut scale = Fr::one();
        for i in 0..enc.widths.len() {
            let limb = Tensor::Limb(LimbOf::new(t), i as u8);
            let e = self.side.eval(limb, &c.point)?;
            acc = acc + e.clone() * scale;
            scale *= pow2(16);
            self.got.new.push((Block::Tensor(limb), claim(&c.point, e)));
        }
        if let Some(sign) = enc.sign {
            let e = self.side.eval(sign, &c.point)?;
            acc = acc + e.clone() * pow2(enc.limb_bits());
            self.got.new.push((Block::Tensor(sign), claim(&c.point, e)));
        }
        let value = c.value.clone() + i128_to_field(enc.offset);
        self.side
            .check_equal(&value, &acc, FlowCheck::LimbRecombination, Some(t))
    }

    /// One claim on `Q` of `Q 2^shift + R = X + h`: the prover sends `X~(r)`; the
    /// remainder's claim follows and goes to its limbs. Returns the claim on `X`.
    fn rescale(
        &mut self,
        input: Tensor,
        remainder: Tensor,
        shift: u32,
        q: &Claim<S::F>,
    ) -> Result<Claim<S::F>, S::Error> {
        let u = self.side.eval(input, &q.point)?;
        let r = u.clone() + half(shift) - q.value.clone() * pow2(shift);
        self.limbs(remainder, &claim(&q.point, r))?;
        Ok(claim(&q.point, u))
    }

    /// Step 1: the updates `W' = W - dW`, `b' = b - db` and the gradients' rescales.
    fn updates(&mut self) -> Result<(), S::Error> {
        let sh = self.shape;
        let (f, s) = (sh.frac_bits, sh.lr_shift);
        for l in (1..=sh.num_layers()).rev() {
            // Weights.
            let tau = self.side.challenges(sh.num_vars(Tensor::Wnew(l)))?;
            let vn = self.side.eval(Tensor::Wnew(l), &tau)?;
            self.limbs(Tensor::Wnew(l), &claim(&tau, vn.clone()))?;
            let vo = self.side.eval(Tensor::Wold(l), &tau)?;
            self.at(l)?.w.push(claim(&tau, vo.clone()));
            let x = self.rescale(Tensor::DwIn(l), Tensor::Dr(l), f + s, &claim(&tau, vo - vn))?;
            let mm = MatmulShape::new(sh.k, sh.width(l - 1), sh.rows, sh.width(l))
                .with_ops(Op::T, Op::N);
            let (a, g) = self.side.matmul(&mm, Tensor::A(l - 1), Tensor::G(l), &x)?;
            self.at(l - 1)?.a.push(a);
            self.at(l)?.g.push(g);

            // Biases.
            let tau = self.side.challenges(sh.num_vars(Tensor::Bnew(l)))?;
            let vn = self.side.eval(Tensor::Bnew(l), &tau)?;
            self.limbs(Tensor::Bnew(l), &claim(&tau, vn.clone()))?;
            let vo = self.side.eval(Tensor::Bold(l), &tau)?;
            self.at(l)?.b.push(claim(&tau, vo.clone()));
            let x = self.rescale(Tensor::DbIn(l), Tensor::Br(l), s, &claim(&tau, vo - vn))?;
            let g = self
                .side
                .colsum(&StackShape::new(sh.k, sh.rows, sh.width(l)), &x)?;
            self.at(l)?.g.push(g);
        }
        Ok(())
    }

    /// Step 2: `G_l = s_l o rescale(G_{l+1} W_{l+1}^T, f)` for `l = 1..L-1`, then
    /// `G_L = A_L - Y`.
    fn gradients(&mut self) -> Result<(), S::Error> {
        let sh = self.shape;
        let big_l = sh.num_layers();
        for l in 1..big_l {
            let claims = std::mem::take(&mut self.at(l)?.g);
            let c = self.merged(Tensor::G(l), claims)?;
            let (s, q) = self.side.hadamard(Tensor::S(l), Tensor::Gq(l + 1), &c)?;
            self.got.new.push((Block::Tensor(Tensor::S(l)), s));
            self.limbs(Tensor::Gq(l + 1), &q)?;
            let x = self.rescale(Tensor::GqIn(l + 1), Tensor::Gr(l + 1), sh.frac_bits, &q)?;
            let mm = MatmulShape::new(sh.k, sh.rows, sh.width(l + 1), sh.width(l))
                .with_ops(Op::N, Op::T);
            let (g, w) = self
                .side
                .matmul(&mm, Tensor::G(l + 1), Tensor::Wold(l + 1), &x)?;
            self.at(l + 1)?.g.push(g);
            self.at(l + 1)?.w.push(w);
        }
        for c in std::mem::take(&mut self.at(big_l)?.g) {
            let a = self.side.eval(Tensor::Zq(big_l), &c.point)?;
            let y = claim(&c.point, a.clone() - c.value);
            self.got.chunk.push((Tensor::Y, y.clone()));
            self.limbs(Tensor::Y, &y)?;
            self.at(big_l)?.a.push(claim(&c.point, a));
        }
        Ok(())
    }

    /// Step 3: the forward pass from `A_L` down to `A_0 = X`.
    fn forward(&mut self) -> Result<(), S::Error> {
        let sh = self.shape;
        let big_l = sh.num_layers();
        for l in (1..=big_l).rev() {
            let claims = std::mem::take(&mut self.at(l)?.a);
            let q = if l == big_l {
                for c in &claims {
                    self.limbs(Tensor::Zq(l), c)?;
                }
                claims.into_iter().next().ok_or(Error::NoClaim {
                    tensor: Tensor::Zq(l),
                })?
            } else {
                let c = self.merged(Tensor::A(l), claims)?;
                let (s, q) = self.side.hadamard(Tensor::S(l), Tensor::Zq(l), &c)?;
                self.got.new.push((Block::Tensor(Tensor::S(l)), s));
                self.limbs(Tensor::Zq(l), &q)?;
                q
            };
            let z = self.rescale(Tensor::Zin(l), Tensor::Zr(l), sh.frac_bits, &q)?;
            let stack = StackShape::new(sh.k, sh.rows, sh.width(l));
            let (product, bias) = self.side.affine(&stack, Tensor::Zp(l), &z)?;
            self.at(l)?.b.push(bias);
            let mm = MatmulShape::new(sh.k, sh.rows, sh.width(l - 1), sh.width(l));
            let (a, w) = self
                .side
                .matmul(&mm, Tensor::A(l - 1), Tensor::Wold(l), &product)?;
            self.at(l - 1)?.a.push(a);
            self.at(l)?.w.push(w);
        }
        for c in std::mem::take(&mut self.at(0)?.a) {
            self.limbs(Tensor::X, &c)?;
            self.got.chunk.push((Tensor::X, c));
        }
        Ok(())
    }

    /// One claim, merging several by a sumcheck.
    fn merged(&mut self, t: Tensor, claims: Vec<Claim<S::F>>) -> Result<Claim<S::F>, S::Error> {
        if claims.len() > 1 {
            return self.side.merge(Merged::Tensor(t), &claims);
        }
        Ok(claims
            .into_iter()
            .next()
            .ok_or(Error::NoClaim { tensor: t })?)
    }

    /// Step 4: the weights before each iteration are the starting weights (`C_prev`)
    /// followed by the new weights shifted by one instance.
    fn old_weights(&mut self) -> Result<(), S::Error> {
        for l in 1..=self.shape.num_layers() {
            for c in std::mem::take(&mut self.at(l)?.w) {
                self.shift_claim(Tensor::Wt(l), Tensor::Wnew(l), &c)?;
            }
            for c in std::mem::take(&mut self.at(l)?.b) {
                self.shift_claim(Tensor::Bt(l), Tensor::Bnew(l), &c)?;
            }
        }
        Ok(())
    }

    /// `Old~(rho_x, rho_i) = eq(rho_i, 0) Start~(rho_x) + sum_j eq(rho_i, j + 1) New~(rho_x, j)`.
    fn shift_claim(&mut self, start: Tensor, new: Tensor, c: &Claim<S::F>) -> Result<(), S::Error> {
        let sh = self.shape;
        let nx = sh.num_vars(start);
        if c.point.len() != nx + sh.k_vars() {
            return Err(Error::PointLengthMismatch {
                expected: nx + sh.k_vars(),
                got: c.point.len(),
            }
            .into());
        }
        let (rho_x, rho_i) = c.point.split_at(nx);
        let w = self.side.eval(start, rho_x)?;
        let wc = claim(rho_x, w.clone());
        self.got.prev.push((start, wc.clone()));
        self.limbs(start, &wc)?;
        let zero = Self::constant(Fr::zero());
        let zeros = vec![zero.clone(); rho_i.len()];
        let rest = c.value.clone() - S::F::eq_eval(rho_i, &zeros)? * w;
        if sh.k == 1 {
            return self
                .side
                .check_equal(&rest, &zero, FlowCheck::OldWeights, Some(start));
        }
        // weights(j) = eq(rho_i, j + 1), and 0 for the last instance.
        let weights: Vec<S::F> = S::F::eq_table(rho_i)
            .into_iter()
            .skip(1)
            .chain(std::iter::repeat(zero))
            .take(sh.k)
            .collect();
        let out = self.side.shift(new, rho_x, &weights, rest)?;
        let point: Vec<S::F> = rho_x.iter().chain(&out.point).cloned().collect();
        self.limbs(new, &claim(&point, out.value))
    }

    /// Step 5: the model block of `C_new` is the last instance of the new weights.
    fn ties(&mut self) -> Result<(), S::Error> {
        let sh = self.shape;
        let last: Vec<S::F> = (0..sh.k_vars())
            .map(|j| {
                Self::constant(if (sh.k - 1) >> j & 1 == 1 {
                    Fr::one()
                } else {
                    Fr::zero()
                })
            })
            .collect();
        let model = sh.model_layout();
        for l in 1..=sh.num_layers() {
            // The model layout names its blocks by the starting weights' tensors.
            for (fin, new, block) in [
                (Tensor::Wfin(l), Tensor::Wnew(l), Tensor::Wt(l)),
                (Tensor::Bfin(l), Tensor::Bnew(l), Tensor::Bt(l)),
            ] {
                let tau = self.side.challenges(sh.num_vars(fin))?;
                let v = self.side.eval(fin, &tau)?;
                let point = model.point_of(block, &tau)?;
                self.got.new.push((Block::Model, claim(&point, v.clone())));
                let p: Vec<S::F> = tau.iter().chain(&last).cloned().collect();
                self.limbs(new, &claim(&p, v))?;
            }
        }
        Ok(())
    }

    /// Step 5b: the inputs from outside the fold (data, starting model) are zero in
    /// their padding: `sum_x eq(tau, x) T(x) PAD(x) = 0` with `PAD` the public mask of
    /// padding entries, a Hadamard product with a zero output.
    fn padding(&mut self) -> Result<(), S::Error> {
        let sh = self.shape;
        for t in sh.padded_inputs() {
            let Some((_, valid_rows, cols, valid_cols)) = sh.padding(t) else {
                continue;
            };
            let tau = self.side.challenges(sh.num_vars(t))?;
            let zero = Self::constant(Fr::zero());
            let (left, right) =
                self.side
                    .hadamard(t, Tensor::Pad(LimbOf::new(t)), &claim(&tau, zero))?;
            let col_vars = super::layout::log2(cols);
            let stacked = if StepShape::stacked(t) {
                sh.k_vars()
            } else {
                0
            };
            let row_vars = sh
                .num_vars(t)
                .checked_sub(col_vars + stacked)
                .ok_or(Error::PaddingShape { tensor: t })?;
            let (Some(cols_point), Some(rows_point)) = (
                right.point.get(..col_vars),
                right.point.get(col_vars..col_vars + row_vars),
            ) else {
                return Err(Error::PointLengthMismatch {
                    expected: sh.num_vars(t),
                    got: right.point.len(),
                }
                .into());
            };
            let mask = S::F::ones_eval(valid_cols as u64, cols_point)?
                * S::F::ones_eval(valid_rows as u64, rows_point)?;
            let one = Self::constant(Fr::one());
            self.side
                .check_equal(&right.value, &(one - mask), FlowCheck::ZeroPadding, Some(t))?;
            match t {
                Tensor::X | Tensor::Y => self.got.chunk.push((t, left.clone())),
                _ => self.got.prev.push((t, left.clone())),
            }
            self.limbs(t, &left)?;
        }
        Ok(())
    }

    /// Step 6: booleanity of every sign bit.
    fn bits(&mut self) -> Result<(), S::Error> {
        let Some(region) = self.shape.bits_region() else {
            return Ok(());
        };
        let c = self.side.booleanity(&region)?;
        self.split_region(&region, &c)
    }

    /// A claim on a concatenation of blocks to claims on the blocks.
    fn split_region(&mut self, region: &Layout<Tensor>, c: &Claim<S::F>) -> Result<(), S::Error> {
        let wrong_length = |expected| Error::PointLengthMismatch {
            expected,
            got: c.point.len(),
        };
        if c.point.len() != region.num_vars {
            return Err(wrong_length(region.num_vars).into());
        }
        let mut acc = Self::constant(Fr::zero());
        for e in &region.entries {
            let local = c
                .point
                .get(..e.num_vars)
                .ok_or_else(|| wrong_length(e.num_vars))?;
            let v = self.side.eval(e.key, local)?;
            acc = acc + region.selector_of(e, &c.point) * v.clone();
            self.got.new.push((Block::Tensor(e.key), claim(local, v)));
        }
        self.side
            .check_equal(&acc, &c.value, FlowCheck::RegionSplit, None)
    }

    /// Step 7: the range checks.
    fn ranges(&mut self) -> Result<(), S::Error> {
        for region in self.shape.range_regions() {
            let (limbs, multiplicities) = self.side.range(&region)?;
            self.split_region(&region.layout, &limbs)?;
            self.got
                .new
                .push((Block::Mult(region.index), multiplicities));
        }
        Ok(())
    }

    /// Step 8: the claims on `C_new` at fold-table points, and one claim each on the
    /// model table and on the chunk table.
    fn finish(mut self) -> Result<Claims<S::F>, S::Error> {
        let sh = self.shape;
        let fold = sh.fold_layout();
        let model = sh.model_layout();
        let chunk_layout = sh.chunk_layout();

        // The claims on C_new are not merged here: the accumulator's fold merges them
        // with its own sumcheck over the fold table, so one pass over the largest
        // table is saved.
        let new = std::mem::take(&mut self.got.new)
            .into_iter()
            .map(|(b, c)| Ok(claim(&fold.point_of(b, &c.point)?, c.value)))
            .collect::<Result<Vec<_>, Error>>()?;

        let prev = std::mem::take(&mut self.got.prev)
            .into_iter()
            .map(|(t, c)| Ok(claim(&model.point_of(t, &c.point)?, c.value)))
            .collect::<Result<Vec<_>, Error>>()?;
        let prev = self.side.merge(Merged::Model, &prev)?;

        let chunk = std::mem::take(&mut self.got.chunk)
            .into_iter()
            .map(|(t, c)| Ok(claim(&chunk_layout.point_of(t, &c.point)?, c.value)))
            .collect::<Result<Vec<_>, Error>>()?;
        let chunk = self.side.merge(Merged::Chunk, &chunk)?;
        Ok(Claims { prev, new, chunk })
    }
}
