//! The claim flow of a step proof, written once for both sides: the prover computes
//! every message and records it, the verifier reads it back; both run the same
//! reductions on the same transcript, so they cannot drift apart.

use ark_ff::{Field, One, Zero};
use zkpot_core::{eq_eval, i128_to_field, Fr, Transcript};

use super::layout::{Block, Layout, LimbOf, StepShape, Tensor};
use super::{StepClaims, StepError, StepStatement, STEP_LABEL};
use crate::elementwise::HadamardClaims;
use crate::layout::{AffineClaims, StackShape};
use crate::matmul::{MatmulClaims, MatmulShape, Op};
use crate::range::RangeClaims;
use zkpot_core::Claim;

/// What differs between prover and verifier: each sub-protocol either runs the prover
/// and records its message, or reads the message and runs the verifier. Every method
/// continues the side's transcript.
pub(crate) trait Side {
    /// The transcript type.
    type T: Transcript;
    /// The transcript.
    fn transcript(&mut self) -> &mut Self::T;
    /// A failed check of the flow: an error, except for a lenient prover (soundness
    /// tests), which goes on so that the verifier's rejection can be observed.
    fn fail(&self, what: &'static str, tensor: String) -> Result<(), StepError> {
        Err(StepError::CheckFailed { what, tensor })
    }
    /// `t~(point)`: computed and recorded, or read; absorbed either way.
    fn eval(&mut self, t: Tensor, point: &[Fr]) -> Result<Fr, StepError>;
    /// The stacked matrix product `C = op(A) op(B)`.
    fn matmul(
        &mut self,
        shape: &MatmulShape,
        a: Tensor,
        b: Tensor,
        claim: &Claim,
    ) -> Result<MatmulClaims, StepError>;
    /// `C = S o Q`.
    fn hadamard(
        &mut self,
        s: Tensor,
        q: Tensor,
        claim: &Claim,
    ) -> Result<HadamardClaims, StepError>;
    /// Several claims on one table to one.
    fn merge(&mut self, t: Merged, claims: &[Claim]) -> Result<Claim, StepError>;
    /// `Z = P + 2^f broadcast(b)`.
    fn affine(
        &mut self,
        shape: &StackShape,
        valid_rows: usize,
        frac_bits: u32,
        product: Tensor,
        claim: &Claim,
    ) -> Result<AffineClaims, StepError>;
    /// The sumcheck of `sum_j shift(j) T(j)` over the instance bits, `T(j)` the stacked
    /// new weights `t` fixed at `rho_x`; returns the point and the final value of `T`.
    fn shift(
        &mut self,
        t: Tensor,
        rho_x: &[Fr],
        weights: &[Fr],
        claim: Fr,
    ) -> Result<Claim, StepError>;
    /// Booleanity of the bits region.
    fn booleanity(&mut self, region: &Layout<Tensor>) -> Result<Claim, StepError>;
    /// The range check of one region.
    fn range(&mut self, region: &super::layout::RangeRegion) -> Result<RangeClaims, StepError>;
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

/// Claims collected on the three commitments.
#[derive(Default)]
struct Collected {
    new: Vec<(Block, Claim)>,
    prev: Vec<(Tensor, Claim)>,
    chunk: Vec<(Tensor, Claim)>,
}

/// Absorbs the statement (DESIGN section 8: label, spec digest, then the statement).
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

/// Runs the whole flow; returns the claims on the three commitments.
pub(crate) fn run<S: Side>(
    side: &mut S,
    shape: &StepShape,
    statement: &StepStatement,
) -> Result<StepClaims, StepError> {
    absorb_statement(side.transcript(), shape, statement);
    let mut flow = Flow {
        shape,
        got: Collected::default(),
        pend_a: vec![Vec::new(); shape.num_layers() + 1],
        pend_g: vec![Vec::new(); shape.num_layers() + 1],
        pend_w: vec![Vec::new(); shape.num_layers() + 1],
        pend_b: vec![Vec::new(); shape.num_layers() + 1],
    };
    flow.updates(side)?;
    flow.gradients(side)?;
    flow.forward(side)?;
    flow.old_weights(side)?;
    flow.ties(side)?;
    flow.padding(side)?;
    flow.bits(side)?;
    flow.ranges(side)?;
    flow.finish(side, statement.fold_index)
}

struct Flow<'a> {
    shape: &'a StepShape,
    got: Collected,
    /// Pending claims on `A_l` (`A_0 = X`), `G_l`, `W_l` before each iteration, `b_l`.
    pend_a: Vec<Vec<Claim>>,
    pend_g: Vec<Vec<Claim>>,
    pend_w: Vec<Vec<Claim>>,
    pend_b: Vec<Vec<Claim>>,
}

impl Flow<'_> {
    /// Moves a claim on a range-checked tensor to its limbs: the prover sends each limb
    /// table at the point and the verifier checks the recombination.
    fn limbs<S: Side>(&mut self, side: &mut S, t: Tensor, claim: &Claim) -> Result<(), StepError> {
        let enc = self.shape.encoding(t).ok_or_else(|| {
            StepError::Shape("limbs of a tensor that is not range-checked".into())
        })?;
        let mut acc = Fr::zero();
        let mut scale = Fr::one();
        for i in 0..enc.widths.len() {
            let limb = Tensor::Limb(LimbOf::new(t), i as u8);
            let e = side.eval(limb, &claim.point)?;
            acc += scale * e;
            scale *= pow2(16);
            self.got.new.push((
                Block::Tensor(limb),
                Claim {
                    point: claim.point.clone(),
                    value: e,
                },
            ));
        }
        if let Some(sign) = enc.sign {
            let e = side.eval(sign, &claim.point)?;
            acc += pow2(enc.limb_bits()) * e;
            self.got.new.push((
                Block::Tensor(sign),
                Claim {
                    point: claim.point.clone(),
                    value: e,
                },
            ));
        }
        if claim.value + i128_to_field(enc.offset) != acc {
            return side.fail("limb recombination", format!("{t:?}"));
        }
        Ok(())
    }

    /// One claim on `Q` of `Q 2^shift + R = X + h`: the prover sends `X~(r)`; the
    /// remainder's claim follows and goes to its limbs. Returns the claim on `X`.
    fn rescale<S: Side>(
        &mut self,
        side: &mut S,
        input: Tensor,
        remainder: Tensor,
        shift: u32,
        q: &Claim,
    ) -> Result<Claim, StepError> {
        let u = side.eval(input, &q.point)?;
        let r = u + half(shift) - pow2(shift) * q.value;
        self.limbs(
            side,
            remainder,
            &Claim {
                point: q.point.clone(),
                value: r,
            },
        )?;
        Ok(Claim {
            point: q.point.clone(),
            value: u,
        })
    }

    /// Step 1: the updates `W' = W - dW`, `b' = b - db` and the gradients' rescales.
    fn updates<S: Side>(&mut self, side: &mut S) -> Result<(), StepError> {
        let sh = self.shape;
        let (f, s) = (sh.frac_bits, sh.lr_shift);
        for l in (1..=sh.num_layers()).rev() {
            // Weights.
            let tau = side.transcript().challenges(sh.num_vars(Tensor::Wnew(l)));
            let vn = side.eval(Tensor::Wnew(l), &tau)?;
            self.limbs(side, Tensor::Wnew(l), &claim(&tau, vn))?;
            let vo = side.eval(Tensor::Wold(l), &tau)?;
            self.pend_w[l].push(claim(&tau, vo));
            let x = self.rescale(
                side,
                Tensor::DwIn(l),
                Tensor::Dr(l),
                f + s,
                &claim(&tau, vo - vn),
            )?;
            let mm = MatmulShape::new(sh.k, sh.width(l - 1), sh.rows, sh.width(l))
                .with_ops(Op::T, Op::N);
            let out = side.matmul(&mm, Tensor::A(l - 1), Tensor::G(l), &x)?;
            self.pend_a[l - 1].push(out.a);
            self.pend_g[l].push(out.b);

            // Biases.
            let tau = side.transcript().challenges(sh.num_vars(Tensor::Bnew(l)));
            let vn = side.eval(Tensor::Bnew(l), &tau)?;
            self.limbs(side, Tensor::Bnew(l), &claim(&tau, vn))?;
            let vo = side.eval(Tensor::Bold(l), &tau)?;
            self.pend_b[l].push(claim(&tau, vo));
            let x = self.rescale(
                side,
                Tensor::DbIn(l),
                Tensor::Br(l),
                s,
                &claim(&tau, vo - vn),
            )?;
            let g = crate::layout::verify_colsum(
                &StackShape::new(sh.k, sh.rows, sh.width(l)),
                &x,
                side.transcript(),
            )?;
            self.pend_g[l].push(g);
        }
        Ok(())
    }

    /// Step 2: `G_l = s_l o rescale(G_{l+1} W_{l+1}^T, f)` for `l = 1..L-1`, then
    /// `G_L = A_L - Y`.
    fn gradients<S: Side>(&mut self, side: &mut S) -> Result<(), StepError> {
        let sh = self.shape;
        let big_l = sh.num_layers();
        for l in 1..big_l {
            let claims = std::mem::take(&mut self.pend_g[l]);
            let c = self.merged(side, Tensor::G(l), claims)?;
            let h = side.hadamard(Tensor::S(l), Tensor::Gq(l + 1), &c)?;
            self.got.new.push((Block::Tensor(Tensor::S(l)), h.left));
            self.limbs(side, Tensor::Gq(l + 1), &h.right)?;
            let x = self.rescale(
                side,
                Tensor::GqIn(l + 1),
                Tensor::Gr(l + 1),
                sh.frac_bits,
                &h.right,
            )?;
            let mm = MatmulShape::new(sh.k, sh.rows, sh.width(l + 1), sh.width(l))
                .with_ops(Op::N, Op::T);
            let out = side.matmul(&mm, Tensor::G(l + 1), Tensor::Wold(l + 1), &x)?;
            self.pend_g[l + 1].push(out.a);
            self.pend_w[l + 1].push(out.b);
        }
        for c in std::mem::take(&mut self.pend_g[big_l]) {
            let a = side.eval(Tensor::Zq(big_l), &c.point)?;
            let y = claim(&c.point, a - c.value);
            self.got.chunk.push((Tensor::Y, y.clone()));
            self.limbs(side, Tensor::Y, &y)?;
            self.pend_a[big_l].push(claim(&c.point, a));
        }
        Ok(())
    }

    /// Step 3: the forward pass from `A_L` down to `A_0 = X`.
    fn forward<S: Side>(&mut self, side: &mut S) -> Result<(), StepError> {
        let sh = self.shape;
        let big_l = sh.num_layers();
        for l in (1..=big_l).rev() {
            let claims = std::mem::take(&mut self.pend_a[l]);
            let q = if l == big_l {
                for c in &claims {
                    self.limbs(side, Tensor::Zq(l), c)?;
                }
                claims
                    .into_iter()
                    .next()
                    .ok_or(StepError::Shape("no claim on the output".into()))?
            } else {
                let c = self.merged(side, Tensor::A(l), claims)?;
                let h = side.hadamard(Tensor::S(l), Tensor::Zq(l), &c)?;
                self.got.new.push((Block::Tensor(Tensor::S(l)), h.left));
                self.limbs(side, Tensor::Zq(l), &h.right)?;
                h.right
            };
            let z = self.rescale(side, Tensor::Zin(l), Tensor::Zr(l), sh.frac_bits, &q)?;
            let stack = StackShape::new(sh.k, sh.rows, sh.width(l));
            let split = side.affine(&stack, sh.valid_rows, sh.frac_bits, Tensor::Zp(l), &z)?;
            self.pend_b[l].push(split.bias);
            let mm = MatmulShape::new(sh.k, sh.rows, sh.width(l - 1), sh.width(l));
            let out = side.matmul(&mm, Tensor::A(l - 1), Tensor::Wold(l), &split.product)?;
            self.pend_a[l - 1].push(out.a);
            self.pend_w[l].push(out.b);
        }
        for c in std::mem::take(&mut self.pend_a[0]) {
            self.limbs(side, Tensor::X, &c)?;
            self.got.chunk.push((Tensor::X, c));
        }
        Ok(())
    }

    /// One claim, merging several by a sumcheck.
    fn merged<S: Side>(
        &mut self,
        side: &mut S,
        t: Tensor,
        claims: Vec<Claim>,
    ) -> Result<Claim, StepError> {
        match claims.len() {
            0 => Err(StepError::Shape(format!("no claim on {t:?}"))),
            1 => Ok(claims
                .into_iter()
                .next()
                .unwrap_or_else(|| claim(&[], Fr::zero()))),
            _ => side.merge(Merged::Tensor(t), &claims),
        }
    }

    /// Step 4: the weights before each iteration are the starting weights (`C_prev`)
    /// followed by the new weights shifted by one instance.
    fn old_weights<S: Side>(&mut self, side: &mut S) -> Result<(), StepError> {
        let sh = self.shape;
        for l in 1..=sh.num_layers() {
            for c in std::mem::take(&mut self.pend_w[l]) {
                self.shift_claim(side, Tensor::Wt(l), Tensor::Wnew(l), &c)?;
            }
            for c in std::mem::take(&mut self.pend_b[l]) {
                self.shift_claim(side, Tensor::Bt(l), Tensor::Bnew(l), &c)?;
            }
        }
        Ok(())
    }

    /// `Old~(rho_x, rho_i) = eq(rho_i, 0) Start~(rho_x) + sum_j eq(rho_i, j + 1) New~(rho_x, j)`.
    fn shift_claim<S: Side>(
        &mut self,
        side: &mut S,
        start: Tensor,
        new: Tensor,
        c: &Claim,
    ) -> Result<(), StepError> {
        let sh = self.shape;
        let nx = sh.num_vars(start);
        if c.point.len() != nx + sh.k_vars() {
            return Err(StepError::Malformed("a weight claim has the wrong length"));
        }
        let (rho_x, rho_i) = c.point.split_at(nx);
        let w = side.eval(start, rho_x)?;
        let wc = claim(rho_x, w);
        self.got.prev.push((start, wc.clone()));
        self.limbs(side, start, &wc)?;
        let zeros = vec![Fr::zero(); rho_i.len()];
        let rest = c.value - eq_eval(rho_i, &zeros)? * w;
        if sh.k == 1 {
            if !rest.is_zero() {
                return side.fail(
                    "old weights against the starting weights",
                    format!("{start:?}"),
                );
            }
            return Ok(());
        }
        let eq = zkpot_core::eq_table(rho_i);
        let mut weights = vec![Fr::zero(); sh.k];
        weights[..sh.k - 1].copy_from_slice(&eq[1..]);
        let out = side.shift(new, rho_x, &weights, rest)?;
        let point: Vec<Fr> = rho_x.iter().chain(&out.point).copied().collect();
        self.limbs(side, new, &claim(&point, out.value))
    }

    /// Step 5: the model block of `C_new` is the last instance of the new weights.
    fn ties<S: Side>(&mut self, side: &mut S) -> Result<(), StepError> {
        let sh = self.shape;
        let last: Vec<Fr> = (0..sh.k_vars())
            .map(|j| {
                if (sh.k - 1) >> j & 1 == 1 {
                    Fr::one()
                } else {
                    Fr::zero()
                }
            })
            .collect();
        let model = sh.model_layout();
        for l in 1..=sh.num_layers() {
            // The model layout names its blocks by the starting weights' tensors.
            for (fin, new, block) in [
                (Tensor::Wfin(l), Tensor::Wnew(l), Tensor::Wt(l)),
                (Tensor::Bfin(l), Tensor::Bnew(l), Tensor::Bt(l)),
            ] {
                let tau = side.transcript().challenges(sh.num_vars(fin));
                let v = side.eval(fin, &tau)?;
                let point = model.point(block, &tau)?;
                self.got.new.push((Block::Model, claim(&point, v)));
                let p: Vec<Fr> = tau.iter().chain(&last).copied().collect();
                self.limbs(side, new, &claim(&p, v))?;
            }
        }
        Ok(())
    }

    /// Step 5b: the inputs from outside the fold (data, starting model) are zero in
    /// their padding: `sum_x eq(tau, x) T(x) PAD(x) = 0` with `PAD` the public mask of
    /// padding entries, a Hadamard product with a zero output.
    fn padding<S: Side>(&mut self, side: &mut S) -> Result<(), StepError> {
        let sh = self.shape;
        for t in sh.padded_inputs() {
            let Some((_, valid_rows, cols, valid_cols)) = sh.padding(t) else {
                continue;
            };
            let tau = side.transcript().challenges(sh.num_vars(t));
            let h = side.hadamard(t, Tensor::Pad(LimbOf::new(t)), &claim(&tau, Fr::zero()))?;
            let point = &h.right.point;
            let col_vars = super::layout::log2(cols);
            let row_vars = sh.num_vars(t)
                - col_vars
                - if StepShape::stacked(t) {
                    sh.k_vars()
                } else {
                    0
                };
            if point.len() < col_vars + row_vars {
                return Err(StepError::Malformed("a padding claim has the wrong length"));
            }
            let mask = crate::elementwise::ones_eval(valid_cols as u64, &point[..col_vars])?
                * crate::elementwise::ones_eval(
                    valid_rows as u64,
                    &point[col_vars..col_vars + row_vars],
                )?;
            if h.right.value != Fr::one() - mask {
                return side.fail("zero padding", format!("{t:?}"));
            }
            match t {
                Tensor::X | Tensor::Y => self.got.chunk.push((t, h.left.clone())),
                _ => self.got.prev.push((t, h.left.clone())),
            }
            self.limbs(side, t, &h.left)?;
        }
        Ok(())
    }

    /// Step 6: booleanity of every sign bit.
    fn bits<S: Side>(&mut self, side: &mut S) -> Result<(), StepError> {
        let Some(region) = self.shape.bits_region() else {
            return Ok(());
        };
        let c = side.booleanity(&region)?;
        self.split_region(side, &region, &c)
    }

    /// A claim on a concatenation of blocks to claims on the blocks.
    fn split_region<S: Side>(
        &mut self,
        side: &mut S,
        region: &Layout<Tensor>,
        c: &Claim,
    ) -> Result<(), StepError> {
        if c.point.len() != region.num_vars {
            return Err(StepError::Malformed("a region claim has the wrong length"));
        }
        let mut acc = Fr::zero();
        for e in &region.entries {
            let local = &c.point[..e.num_vars];
            let v = side.eval(e.key, local)?;
            acc += region.selector(e, &c.point) * v;
            self.got.new.push((Block::Tensor(e.key), claim(local, v)));
        }
        if acc != c.value {
            return side.fail("region split", String::new());
        }
        Ok(())
    }

    /// Step 7: the range checks.
    fn ranges<S: Side>(&mut self, side: &mut S) -> Result<(), StepError> {
        for region in self.shape.range_regions() {
            let out = side.range(&region)?;
            self.split_region(side, &region.layout, &out.limbs)?;
            self.got
                .new
                .push((Block::Mult(region.index), out.multiplicities));
        }
        Ok(())
    }

    /// Step 8: one claim per commitment.
    fn finish<S: Side>(mut self, side: &mut S, fold_index: u64) -> Result<StepClaims, StepError> {
        let sh = self.shape;
        let fold = sh.fold_layout();
        let model = sh.model_layout();
        let chunk_layout = sh.chunk_layout();

        // The claims on C_new are not merged here: the accumulator's fold merges them
        // with its own sumcheck over the fold table, so one pass over the largest
        // table is saved.
        let new: Vec<Claim> = std::mem::take(&mut self.got.new)
            .into_iter()
            .map(|(b, c)| Ok(claim(&fold.point(b, &c.point)?, c.value)))
            .collect::<Result<_, StepError>>()?;

        let prev: Vec<Claim> = std::mem::take(&mut self.got.prev)
            .into_iter()
            .map(|(t, c)| Ok(claim(&model.point(t, &c.point)?, c.value)))
            .collect::<Result<_, StepError>>()?;
        let mut prev = side.merge(Merged::Model, &prev)?;
        if fold_index > 0 {
            prev.point = fold.point(Block::Model, &prev.point)?;
        }

        let chunk: Vec<Claim> = std::mem::take(&mut self.got.chunk)
            .into_iter()
            .map(|(t, c)| Ok(claim(&chunk_layout.point(t, &c.point)?, c.value)))
            .collect::<Result<_, StepError>>()?;
        let chunk = side.merge(Merged::Chunk, &chunk)?;
        Ok(StepClaims { prev, new, chunk })
    }
}

/// A claim.
fn claim(point: &[Fr], value: Fr) -> Claim {
    Claim {
        point: point.to_vec(),
        value,
    }
}
