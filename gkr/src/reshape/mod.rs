//! Reshape reductions: claims on a table that is a column sum, a broadcast or a limb
//! decomposition of another table, moved onto that table.
//!
//! These maps are linear and structured, so (except for the limbs' recombination) no
//! sumcheck is needed: one GKR layer turns the claim on the output table into a claim on
//! the input table at a point the verifier computes itself. Tables and points follow the
//! variable order of [`zkpot_core::mle`] (variable 0 is the least significant index bit).
//!
//! # Stacked layout
//!
//! A [`StackShape`] `(k, m, p)` describes `k` stacked instances (iterations) of an
//! `m x p` row-major matrix, as in [`crate::matmul`]: entry `[t][i][j]` is at index
//! `t m p + i p + j`, so a point of the full table is `[r_j, r_i, r_t]` (column bits
//! lowest, instance bits highest). A per-instance row vector (a bias `b`, a column sum
//! `D`) has `k p` entries at `t p + j`, and points `[r_j, r_t]`. All three dimensions are
//! powers of two: callers zero-pad the batch (rows) and the layer widths (columns) to
//! powers of two, and `k` itself is a power of two. Padding rows of a summed table must
//! hold 0 (the column sum adds every row); padding rows of a broadcast are 0 by
//! definition (`valid_rows` below).
//!
//! | relation | statement | proof | claims out |
//! |---|---|---|---|
//! | [`prove_colsum`] / [`verify_colsum`] | `D[t][j] = sum_i G[t][i][j]`, claim on `D` | nothing | one on `G` |
//! | [`prove_broadcast`] / [`verify_broadcast`] | `Z[t][i][j] = b[t][j] [i < m_valid]`, claim on `Z` | nothing | one on `b` |
//! | [`prove_affine`] / [`verify_affine`] | `Z = P + 2^f broadcast(b)`, claim on `Z` | `P~(r)` | on `P` (same point) and `b` |
//! | [`prove_limbs`] / [`verify_limbs`] | `X + 2^(B-1) ONE = sum_l 2^(16 l) L_l`, claim on `X` | `L_l~(r)`, `l < c` | one on the stacked `L` |
//!
//! Uses in the step proof (README "The arithmetic"): `db = rescale(colsum(G), s)` is a
//! column sum below a rescale; `Z = A W + 2^f b` is the affine split, whose product part
//! goes to [`crate::matmul`]; every range-checked value reaches the LogUp-GKR range check
//! ([`crate::range`]) through its limb table.
//!
//! # Column sum
//!
//! For a multilinear `f` and a block of `l` of its variables, the sum over the boolean
//! cube of that block is `2^l` times `f` at `(1/2, ..., 1/2)` in the block: each variable
//! enters `f` affinely, `f(.., 0, ..) + f(.., 1, ..) = 2 f(.., 1/2, ..)`, and the factors
//! multiply over the block. So
//!
//! ```text
//! D~([r_j, r_t]) = sum_{i in {0,1}^log m} G~([r_j, i, r_t]) = m G~([r_j, 1/2, .., 1/2, r_t])
//! ```
//!
//! and the claim `D~([r_j, r_t]) = v` becomes `G~([r_j, (1/2)^log m, r_t]) = v / m`
//! exactly (it is an identity of polynomials, no soundness error). The prover sends
//! nothing; prover and verifier run the same reduction.
//!
//! Transcript: `absorb_bytes(`[`COLSUM_LABEL`]`)`, `absorb_u64` of `k`, `m`, `p`, the
//! point (`absorb_fields`), the value.
//!
//! # Bias broadcast
//!
//! `Z[t][i][j] = b[t][j]` for rows `i < m_valid` and 0 for the padding rows. Then
//! `Z = b ⊗ ONE_{m_valid}` over the row block and
//! `Z~([r_j, r_i, r_t]) = b~([r_j, r_t]) ONE~(r_i)` with `ONE~` the
//! [`crate::elementwise::ones_eval`] of the row block. The claim `Z~(r) = v` becomes
//! `b~([r_j, r_t]) = v / ONE~(r_i)`. `ONE~(r_i)` is a nonzero polynomial of degree
//! `log m` in `r_i`, so it vanishes with probability at most `log m / p`; the reduction
//! then returns [`Error::ZeroDivisor`] rather than continue. (`m_valid = 0`, an all-zero
//! broadcast, always does: there is no bias to claim anything about).
//!
//! Transcript: `absorb_bytes(`[`BROADCAST_LABEL`]`)`, `absorb_u64` of `k`, `m`, `p`,
//! `m_valid`, the point, the value.
//!
//! # Affine split of the pre-activation
//!
//! `Z = P + 2^f broadcast(b)` with `P = A W` (stacked, from [`crate::matmul`]). From
//! `Z~(r) = v` the prover sends `u = P~(r)`; the verifier derives
//! `b~([r_j, r_t]) = (v - u) / (2^f ONE~(r_i))` and returns the claim `P~(r) = u` and the
//! claim on `b`. Like every linear reduction this only moves the claim: a wrong `u`
//! leaves a wrong claim on `P` or on `b`, which their own checks reject.
//!
//! Transcript: `absorb_bytes(`[`AFFINE_LABEL`]`)`, `absorb_u64` of `k`, `m`, `p`,
//! `m_valid`, `f`, the point, the value; then `u`.
//!
//! # Limbs
//!
//! A signed tensor `X` of `len` entries in `[-2^(B-1), 2^(B-1))`, zero-padded to `2^n`,
//! is written in offset binary with `c = B / 16` limbs:
//! `x_i + 2^(B-1) = sum_l 2^(16 l) L_l[i]` with every `L_l[i]` in `[0, 2^16)`; in the
//! padding all limbs are 0. As tables, `X + 2^(B-1) ONE_len = sum_l 2^(16 l) L_l`. The
//! limb tables are stacked into one table `L` with the limb index as the highest bits:
//! `L[l 2^n + i] = L_l[i]`, with the limb count padded to `c' = c.next_power_of_two()`
//! by all-zero limb tables (`B = 48` has `c = 3`, `c' = 4`), so one LogUp range check
//! of `c' 2^n` limbs covers them all. Supported widths: `B` a multiple of 16 in
//! `[16, 64]` ([`Error::UnsupportedBits`] otherwise).
//!
//! From `X~(r) = v` the prover sends `e_l = L_l~(r)` for `l < c`; the verifier checks
//! `v + 2^(B-1) ONE~_len(r) = sum_l 2^(16 l) e_l` (a relation of multilinear polynomials
//! that holds everywhere iff it holds on the cube), squeezes `s` over the `log c'` limb
//! variables and returns `L~([r, s]) = sum_{l < c} eq(s, l) e_l`. The padding limb tables
//! count as 0 in that sum, so a committed table with nonzero padding limbs fails the
//! returned claim except with probability `log c' / p`.
//!
//! **The reduction accepts any `L`, including limbs outside `[0, 2^16)`.** What bounds
//! `X` is the range check of `L` ([`crate::range`]) against the same commitment the
//! returned claim is checked against: limbs in `[0, 2^16)` recombine to an integer in
//! `[0, 2^B)`, and since `2^B < p` that is the only preimage, so `X` lies in
//! `[-2^(B-1), 2^(B-1))`. A value outside has no in-range decomposition;
//! [`decompose`] refuses it.
//!
//! Transcript: `absorb_bytes(`[`LIMBS_LABEL`]`)`, `absorb_u64` of `n`, `B`, `len`, the
//! point `r`, the value `v`; then `e_0..e_{c-1}`; then squeeze `s` (`log c'` challenges).
//!
//! Every relation's statement is absorbed by the relation itself; the caller has
//! absorbed whatever binds the tables (their commitments) before.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod constraints;
mod proof;
mod prover;
mod verifier;

use ark_ff::{Field, One, Zero};
use zkpot_core::{eq_table, i64_to_field, Fr, Transcript};

pub use proof::{AffineProof, LimbsProof};
pub use prover::{prove_affine, prove_broadcast, prove_colsum, prove_limbs};
pub use verifier::{verify_affine, verify_broadcast, verify_colsum, verify_limbs};
pub use zkpot_core::Claim;

use crate::elementwise::{ones_eval, MAX_SHIFT};
use crate::Error;

/// The label absorbed first by a column-sum reduction. The labels keep the module's
/// former name, `layout`: a label is part of every transcript, so renaming it would
/// change every proof.
pub const COLSUM_LABEL: &[u8] = b"zkpot/gkr/layout/colsum";
/// The label absorbed first by a broadcast reduction.
pub const BROADCAST_LABEL: &[u8] = b"zkpot/gkr/layout/broadcast";
/// The label absorbed first by an affine split.
pub const AFFINE_LABEL: &[u8] = b"zkpot/gkr/layout/affine";
/// The label absorbed first by a limb reduction.
pub const LIMBS_LABEL: &[u8] = b"zkpot/gkr/layout/limbs";

/// The largest supported number of variables of any table here (`2^40` entries).
pub const MAX_VARS: usize = 40;

/// The width of one limb (the range check's table is `[0, 2^16)`).
pub const LIMB_BITS: u32 = crate::range::LIMB_BITS;

/// The largest supported value width `B`.
pub const MAX_VALUE_BITS: u32 = 64;

/// `k` stacked instances of an `m x p` row-major matrix (all powers of two).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StackShape {
    /// The number of instances `k`.
    pub instances: usize,
    /// The (padded) rows `m`.
    pub rows: usize,
    /// The (padded) columns `p`.
    pub cols: usize,
}

impl StackShape {
    /// The shape `(k, m, p)`; see [`StackShape::validate`].
    pub fn new(instances: usize, rows: usize, cols: usize) -> Self {
        Self {
            instances,
            rows,
            cols,
        }
    }

    /// Checks that every dimension is a power of two and that the full table has at most
    /// [`MAX_VARS`] variables.
    pub fn validate(&self) -> Result<(), Error> {
        let total = log2_of("instances", self.instances)?
            + log2_of("rows", self.rows)?
            + log2_of("cols", self.cols)?;
        if total > MAX_VARS {
            return Err(Error::TooManyVariables {
                num_vars: total,
                max: MAX_VARS,
            });
        }
        Ok(())
    }

    /// `log k` (0 when `k` is not a power of two; call [`StackShape::validate`] first).
    pub fn instance_vars(&self) -> usize {
        self.instances.trailing_zeros() as usize
    }

    /// `log m`.
    pub fn row_vars(&self) -> usize {
        self.rows.trailing_zeros() as usize
    }

    /// `log p`.
    pub fn col_vars(&self) -> usize {
        self.cols.trailing_zeros() as usize
    }

    /// The variables of the full table, `log k + log m + log p`.
    pub fn table_num_vars(&self) -> usize {
        self.instance_vars() + self.row_vars() + self.col_vars()
    }

    /// The variables of a per-instance row vector, `log k + log p`.
    pub fn vector_num_vars(&self) -> usize {
        self.instance_vars() + self.col_vars()
    }

    /// The entries of the full table, `k m p`.
    pub fn table_len(&self) -> usize {
        self.instances * self.rows * self.cols
    }

    /// The entries of a per-instance row vector, `k p`.
    pub fn vector_len(&self) -> usize {
        self.instances * self.cols
    }
}

/// The claims an affine split leaves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AffineClaims {
    /// A claim on the product part `P` (the input claim's point).
    pub product: Claim,
    /// A claim on the bias `b` (at `[r_j, r_t]`).
    pub bias: Claim,
}

/// `c = B / 16`, the number of limbs of a `B`-bit value; errors unless `B` is a multiple
/// of 16 in `[16, 64]`.
pub fn limb_count(bits: u32) -> Result<usize, Error> {
    if bits == 0 || bits % LIMB_BITS != 0 || bits > MAX_VALUE_BITS {
        return Err(Error::UnsupportedBits { bits });
    }
    Ok((bits / LIMB_BITS) as usize)
}

/// `log c'`, the limb variables of the stacked limb table (`c' = c.next_power_of_two()`).
pub fn limb_vars(bits: u32) -> Result<usize, Error> {
    Ok(limb_count(bits)?.next_power_of_two().trailing_zeros() as usize)
}

/// The honest limbs of `values` as a `B = bits` wide signed tensor, stacked:
/// `c' n'` entries with `n' = values.len().next_power_of_two()`, entry `l n' + i` the
/// limb `l` of `values[i] + 2^(B-1)`, and 0 in the padding (entries `i >= values.len()`
/// and the padding limb tables `l >= c`). The claim's `len` is `values.len()`. Errors on
/// an unsupported width or a value outside `[-2^(B-1), 2^(B-1))`.
pub fn decompose(values: &[i64], bits: u32) -> Result<Vec<u64>, Error> {
    let count = limb_count(bits)?;
    let padded = values.len().next_power_of_two();
    let offset = 1i128 << (bits - 1);
    let mask = (1u128 << LIMB_BITS) - 1;
    let mut limbs = vec![0u64; count.next_power_of_two() * padded];
    for (index, &value) in values.iter().enumerate() {
        let shifted = i128::from(value) + offset;
        if shifted < 0 || shifted >= 2 * offset {
            return Err(Error::ValueOutOfRange { index, value, bits });
        }
        let shifted = shifted.unsigned_abs();
        for l in 0..count {
            // Each limb is below 2^16, so the cast is exact.
            if let Some(slot) = limbs.get_mut(l * padded + index) {
                *slot = ((shifted >> (LIMB_BITS as usize * l)) & mask) as u64;
            }
        }
    }
    Ok(limbs)
}

/// Naive inverse of [`decompose`]: `sum_l 2^(16 l) L_l[i] - 2^(B-1)` for the first
/// `num_entries` entries, over the integers (limbs of any size, no range check).
/// `limbs` must have `c' num_entries.next_power_of_two()` entries.
pub fn recompose(limbs: &[u64], bits: u32, num_entries: usize) -> Result<Vec<i128>, Error> {
    let count = limb_count(bits)?;
    let padded = num_entries.next_power_of_two();
    let expected = count.next_power_of_two() * padded;
    if limbs.len() != expected {
        return Err(Error::LengthMismatch {
            table: "limbs",
            expected,
            got: limbs.len(),
        });
    }
    let offset = 1i128 << (bits - 1);
    Ok((0..num_entries)
        .map(|i| {
            (0..count)
                .map(|l| {
                    limbs
                        .get(l * padded + i)
                        .map_or(0, |&x| i128::from(x) << (LIMB_BITS as usize * l))
                })
                .sum::<i128>()
                - offset
        })
        .collect())
}

/// Naive reference: the column sums `D[t][j] = sum_i G[t][i][j]` (`k p` entries).
pub fn colsum_reference(shape: &StackShape, table: &[Fr]) -> Result<Vec<Fr>, Error> {
    shape.validate()?;
    check_len("table", shape.table_len(), table.len())?;
    let (m, p) = (shape.rows, shape.cols);
    let mut out = vec![Fr::zero(); shape.vector_len()];
    for (index, x) in table.iter().enumerate() {
        let (t, j) = (index / (m * p), index % p);
        if let Some(o) = out.get_mut(t * p + j) {
            *o += x;
        }
    }
    Ok(out)
}

/// Naive reference: the broadcast `Z[t][i][j] = b[t][j]` for `i < valid_rows`, 0 after
/// (`k m p` entries).
pub fn broadcast_reference(
    shape: &StackShape,
    valid_rows: usize,
    bias: &[Fr],
) -> Result<Vec<Fr>, Error> {
    shape.validate()?;
    check_valid_rows(shape, valid_rows)?;
    check_len("bias", shape.vector_len(), bias.len())?;
    let (m, p) = (shape.rows, shape.cols);
    Ok((0..shape.table_len())
        .map(|index| {
            let (t, i, j) = (index / (m * p), (index / p) % m, index % p);
            match bias.get(t * p + j) {
                Some(&b) if i < valid_rows => b,
                _ => Fr::zero(),
            }
        })
        .collect())
}

/// Naive reference: `Z = P + 2^f broadcast(b)`.
pub fn affine_reference(
    shape: &StackShape,
    valid_rows: usize,
    frac_bits: u32,
    product: &[Fr],
    bias: &[Fr],
) -> Result<Vec<Fr>, Error> {
    check_len("product", shape.table_len(), product.len())?;
    let scale = pow2(frac_bits)?;
    let lifted = broadcast_reference(shape, valid_rows, bias)?;
    Ok(product
        .iter()
        .zip(lifted)
        .map(|(p, b)| *p + scale * b)
        .collect())
}

/// Naive reference: the limbs of [`decompose`] as field elements.
pub fn limbs_to_fields(limbs: &[u64]) -> Vec<Fr> {
    limbs.iter().map(|&l| Fr::from(l)).collect()
}

/// `log2` of a power of two.
fn log2_of(dim: &'static str, value: usize) -> Result<usize, Error> {
    if value.is_power_of_two() {
        Ok(value.trailing_zeros() as usize)
    } else {
        Err(Error::DimensionNotPowerOfTwo { dim, value })
    }
}

fn check_len(what: &'static str, expected: usize, got: usize) -> Result<(), Error> {
    if expected == got {
        Ok(())
    } else {
        Err(Error::LengthMismatch {
            table: what,
            expected,
            got,
        })
    }
}

fn check_valid_rows(shape: &StackShape, valid_rows: usize) -> Result<(), Error> {
    if valid_rows > shape.rows {
        Err(Error::TooManyValidRows {
            valid_rows,
            rows: shape.rows,
        })
    } else {
        Ok(())
    }
}

fn check_point(expected: usize, claim: &Claim) -> Result<(), Error> {
    if claim.point.len() == expected {
        Ok(())
    } else {
        Err(Error::PointLengthMismatch {
            expected,
            got: claim.point.len(),
        })
    }
}

/// `2^shift` in the field, refusing shifts above [`MAX_SHIFT`].
fn pow2(shift: u32) -> Result<Fr, Error> {
    if shift > MAX_SHIFT {
        return Err(Error::ShiftTooLarge {
            shift,
            max: MAX_SHIFT,
        });
    }
    Ok(Fr::from(2u64).pow([u64::from(shift)]))
}

/// The column, row and instance coordinates of a full-table point.
type PointParts<'a> = (&'a [Fr], &'a [Fr], &'a [Fr]);

/// Splits a full-table point into `(r_j, r_i, r_t)`; the length must be checked first.
fn split_point<'a>(shape: &StackShape, point: &'a [Fr]) -> Result<PointParts<'a>, Error> {
    let (cv, rv) = (shape.col_vars(), shape.row_vars());
    let mismatch = || Error::PointLengthMismatch {
        expected: shape.table_num_vars(),
        got: point.len(),
    };
    let cols = point.get(..cv).ok_or_else(mismatch)?;
    let rows = point.get(cv..cv + rv).ok_or_else(mismatch)?;
    let inst = point.get(cv + rv..).ok_or_else(mismatch)?;
    Ok((cols, rows, inst))
}

/// Absorbs a relation's opening: its label, then its public parameters.
fn open<T: Transcript>(transcript: &mut T, label: &[u8], params: &[u64]) {
    transcript.absorb_bytes(label);
    for &p in params {
        transcript.absorb_u64(p);
    }
}

/// Absorbs a claim: its point, then its value.
fn absorb_claim<T: Transcript>(transcript: &mut T, claim: &Claim) {
    transcript.absorb_fields(&claim.point);
    transcript.absorb_field(&claim.value);
}

/// The statement parameters of a stacked relation: `k`, `m`, `p`.
fn shape_params(shape: &StackShape) -> [u64; 3] {
    [shape.instances as u64, shape.rows as u64, shape.cols as u64]
}

/// The column-sum reduction (prover and verifier alike).
fn colsum_reduce<T: Transcript>(
    shape: &StackShape,
    output: &Claim,
    transcript: &mut T,
) -> Result<Claim, Error> {
    shape.validate()?;
    check_point(shape.vector_num_vars(), output)?;
    open(transcript, COLSUM_LABEL, &shape_params(shape));
    absorb_claim(transcript, output);
    let cv = shape.col_vars();
    let cols = output.point.get(..cv).unwrap_or_default();
    let inst = output.point.get(cv..).unwrap_or_default();
    let inv = |x: Fr| {
        x.inverse().ok_or(Error::ZeroDivisor {
            what: "a power of two",
        })
    };
    let half = inv(Fr::from(2u64))?;
    let mut point = Vec::with_capacity(shape.table_num_vars());
    point.extend_from_slice(cols);
    point.extend(std::iter::repeat_n(half, shape.row_vars()));
    point.extend_from_slice(inst);
    Ok(Claim {
        point,
        value: output.value * inv(Fr::from(shape.rows as u64))?,
    })
}

/// The broadcast claim on `b` from a claim on `Z` or on `2^f broadcast(b)`:
/// `b~([r_j, r_t]) = value / (scale ONE~(r_i))`.
fn bias_claim(
    shape: &StackShape,
    valid_rows: usize,
    point: &[Fr],
    value: Fr,
    scale: Fr,
) -> Result<Claim, Error> {
    let (cols, rows, inst) = split_point(shape, point)?;
    let ones = ones_eval(valid_rows as u64, rows)?;
    let divisor = (scale * ones)
        .inverse()
        .ok_or(Error::ZeroDivisor { what: "ONE~(r_i)" })?;
    let mut bias_point = cols.to_vec();
    bias_point.extend_from_slice(inst);
    Ok(Claim {
        point: bias_point,
        value: value * divisor,
    })
}

/// The broadcast reduction (prover and verifier alike).
fn broadcast_reduce<T: Transcript>(
    shape: &StackShape,
    valid_rows: usize,
    output: &Claim,
    transcript: &mut T,
) -> Result<Claim, Error> {
    shape.validate()?;
    check_valid_rows(shape, valid_rows)?;
    check_point(shape.table_num_vars(), output)?;
    let [k, m, p] = shape_params(shape);
    open(transcript, BROADCAST_LABEL, &[k, m, p, valid_rows as u64]);
    absorb_claim(transcript, output);
    bias_claim(shape, valid_rows, &output.point, output.value, Fr::one())
}

/// The affine split once `u = P~(r)` is known (prover and verifier alike): absorbs the
/// statement and `u`, returns the two claims.
fn affine_reduce<T: Transcript>(
    shape: &StackShape,
    valid_rows: usize,
    frac_bits: u32,
    output: &Claim,
    product_eval: Fr,
    transcript: &mut T,
) -> Result<AffineClaims, Error> {
    let [k, m, p] = shape_params(shape);
    open(
        transcript,
        AFFINE_LABEL,
        &[k, m, p, valid_rows as u64, u64::from(frac_bits)],
    );
    absorb_claim(transcript, output);
    transcript.absorb_field(&product_eval);
    let bias = bias_claim(
        shape,
        valid_rows,
        &output.point,
        output.value - product_eval,
        pow2(frac_bits)?,
    )?;
    Ok(AffineClaims {
        product: Claim {
            point: output.point.clone(),
            value: product_eval,
        },
        bias,
    })
}

/// Checks the statement of an affine split.
fn check_affine(
    shape: &StackShape,
    valid_rows: usize,
    frac_bits: u32,
    output: &Claim,
) -> Result<(), Error> {
    shape.validate()?;
    check_valid_rows(shape, valid_rows)?;
    pow2(frac_bits)?;
    check_point(shape.table_num_vars(), output)
}

/// Checks the statement of a limb reduction; returns `(c, log c')`.
fn check_limbs(
    num_vars: usize,
    bits: u32,
    num_entries: u64,
    input: &Claim,
) -> Result<(usize, usize), Error> {
    let count = limb_count(bits)?;
    let lv = limb_vars(bits)?;
    if num_vars + lv > MAX_VARS {
        return Err(Error::TooManyVariables {
            num_vars: num_vars + lv,
            max: MAX_VARS,
        });
    }
    check_point(num_vars, input)?;
    // Refuses `len > 2^n` early.
    ones_eval(num_entries, &input.point)?;
    Ok((count, lv))
}

/// The limb reduction once the `e_l` are known (prover and verifier alike): absorbs the
/// statement and the `e_l`, checks the recombination, squeezes `s` and returns the claim
/// on the stacked limb table.
fn limbs_reduce<T: Transcript>(
    num_vars: usize,
    bits: u32,
    num_entries: u64,
    input: &Claim,
    limb_evals: &[Fr],
    transcript: &mut T,
) -> Result<Claim, Error> {
    let (count, lv) = check_limbs(num_vars, bits, num_entries, input)?;
    if limb_evals.len() != count {
        return Err(Error::WrongMessageCount {
            what: "limb_evals",
            expected: count,
            got: limb_evals.len(),
        });
    }
    open(
        transcript,
        LIMBS_LABEL,
        &[num_vars as u64, u64::from(bits), num_entries],
    );
    absorb_claim(transcript, input);
    transcript.absorb_fields(limb_evals);

    let expected = input.value + pow2(bits - 1)? * ones_eval(num_entries, &input.point)?;
    let limb_scale = pow2(LIMB_BITS)?;
    let mut got = Fr::zero();
    let mut weight = Fr::one();
    for e in limb_evals {
        got += weight * e;
        weight *= limb_scale;
    }
    if expected != got {
        return Err(Error::LimbCheckFailed { expected, got });
    }

    let s = transcript.challenges(lv);
    let value = eq_table(&s)
        .iter()
        .zip(limb_evals)
        .map(|(w, e)| *w * e)
        .sum();
    let mut point = input.point.clone();
    point.extend_from_slice(&s);
    Ok(Claim { point, value })
}

/// The field encoding of signed values, for references and tests.
pub fn values_to_fields(values: &[i64]) -> Vec<Fr> {
    values.iter().copied().map(i64_to_field).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limb_counts() {
        assert_eq!(limb_count(16), Ok(1));
        assert_eq!(limb_count(48), Ok(3));
        assert_eq!(limb_vars(48), Ok(2));
        assert_eq!(limb_vars(16), Ok(0));
        for bits in [0, 8, 17, 80] {
            assert_eq!(limb_count(bits), Err(Error::UnsupportedBits { bits }));
        }
    }

    #[test]
    fn decompose_small() {
        let limbs = decompose(&[-1, 0, 5], 32).unwrap_or_default();
        // -1 + 2^31 = 0x7fff_ffff; padded to 4 entries per limb table.
        assert_eq!(limbs, vec![0xffff, 0, 5, 0, 0x7fff, 0x8000, 0x8000, 0]);
        assert_eq!(recompose(&limbs, 32, 3).unwrap_or_default(), vec![-1, 0, 5]);
    }
}
