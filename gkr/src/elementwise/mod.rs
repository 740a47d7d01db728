//! Elementwise relations: claims on an output table reduced to claims on its inputs.
//!
//! Every relation here is one GKR layer: the verifier holds an evaluation claim
//! `C~(r) = v` on an output table ([`Claim`]) and ends with claims on the input
//! tables, which the caller checks against commitments or hands to the next layer. All
//! tables of a relation have the same length `2^n` (the statement's `n`); stacked
//! instances are just more entries. Tables and points follow the variable order of
//! [`zkpot_core::mle`] (variable 0 is the least significant index bit, bound first).
//!
//! | relation | statement | proof | claims out |
//! |---|---|---|---|
//! | [`prove_hadamard`] / [`verify_hadamard`] | `C = S ∘ Q`, claim on `C` | sumcheck (degree 3), `S~(rho)`, `Q~(rho)` | on `S` and `Q` at `rho` |
//! | [`prove_booleanity`] / [`verify_booleanity`] | every `S_i` in `{0, 1}` | sumcheck (degree 3), `S~(rho)` | on `S` at `rho` |
//! | [`prove_merge`] / [`verify_merge`] | claims on one table `T` at several points | sumcheck (degree 2), `T~(rho)` | one on `T` at `rho` |
//! | [`prove_rescale`] / [`verify_rescale`] | `X + 2^(k-1) ONE = 2^k Q + R`, claim on `X` | `Q~(r)` | on `Q` and `R` at `r` |
//! | [`prove_linear`] / [`verify_linear`] | `Y = sum_i c_i X_i`, claim on `Y` | `X_i~(r)` | on every `X_i` at `r` |
//!
//! Uses in the step proof (`DESIGN.md` section 4): the ReLU `A = s * q` and the backward
//! mask `G = s * back` are Hadamard products, with booleanity of the sign bits `s`;
//! every rescale `x + 2^(k-1) = q 2^k + r` is a rescale reduction; the MSE gradient
//! `G = A - Y` and the update `W' = W - dW` are linear combinations.
//!
//! # Hadamard product
//!
//! `C~(r) = sum_x eq(r, x) S(x) Q(x)`, since `C` is the table of `S Q` and the MLE is the
//! inner product with `eq(r, .)`. One sumcheck of degree 3 over `n` rounds reduces it to
//! `eq(r, rho) S~(rho) Q~(rho)` at the random point `rho`; the prover sends `S~(rho)` and
//! `Q~(rho)`, the verifier computes `eq(r, rho)` itself, checks the final claim and returns
//! the two claims.
//!
//! Transcript: `absorb_bytes(`[`HADAMARD_LABEL`]`)`, `absorb_u64(n)`, the point `r`
//! (`absorb_fields`), the value `v`; the sumcheck of [`zkpot_core::sumcheck::prove`] (it
//! absorbs `n`, 3 and `v`, then per round the compressed polynomial, then squeezes the
//! round challenge); then `S~(rho)`, `Q~(rho)`.
//!
//! # Booleanity
//!
//! Every entry of `S` is 0 or 1 iff the table of `S (S - 1)` is zero, iff (except with
//! probability `n / p` over `tau`) its MLE vanishes at a random `tau`:
//! `sum_x eq(tau, x) (S(x)^2 - S(x)) = 0`. The sumcheck (degree 3, terms `(1, [S, S])`
//! and `(-1, [S])` times the `eq` table) reduces it to
//! `eq(tau, rho) (S~(rho)^2 - S~(rho))`; the prover sends `S~(rho)`.
//!
//! Transcript: `absorb_bytes(`[`BOOLEANITY_LABEL`]`)`, `absorb_u64(n)`; squeeze `tau`
//! (`n` challenges); the sumcheck of the claim 0; then `S~(rho)`.
//!
//! # Merging claims on one table
//!
//! Claims `T~(r_i) = v_i`, `i = 0..m`, become one: for a random `a`,
//! `sum_i a^i v_i = sum_x (sum_i a^i eq(r_i, x)) T(x)`. One sumcheck of degree 2 reduces
//! it to `E(rho) T~(rho)` with `E(rho) = sum_i a^i eq(r_i, rho)`, which the verifier
//! computes in `O(m n)`; the prover sends `T~(rho)`.
//!
//! Transcript: `absorb_bytes(`[`MERGE_LABEL`]`)`, `absorb_u64(n)`, `absorb_u64(m)`, per
//! claim its point then its value; squeeze `a`; the sumcheck; then `T~(rho)`.
//!
//! # Rescale
//!
//! A tensor of `len` entries zero-padded to `2^n` is rescaled by `2^k`:
//! `x_i + h = q_i 2^k + r_i` with `h = 2^(k-1)` (`h = 0` for `k = 0`) for `i < len`, and
//! `q_i = r_i = 0` in the padding. As tables, `X + h ONE = 2^k Q + R` where `ONE` is 1 on
//! the first `len` entries and 0 after them. The relation is linear, so no sumcheck is
//! needed: from `X~(r) = v` the prover sends `q = Q~(r)` and the verifier derives
//! `R~(r) = v + h ONE~(r) - 2^k q`, with `ONE~(r) = sum_{i < len} eq(r, i)` computed in
//! `O(n)` by [`ones_eval`]. It returns the claims on `Q` and `R` at `r`.
//!
//! **This is not a proof of the rescale on its own.** Any `q` passes: the reduction only
//! moves the claim. What pins `Q` and `R` down is the range check of both (quotient in
//! `[-2^(B-1), 2^(B-1))`, remainder in `[0, 2^k)`, `DESIGN.md` section 3), done on their
//! limbs by the LogUp-GKR module [`crate::range`] against the same commitments the
//! returned claims are checked against. A quotient off by one gives a remainder table
//! with an entry outside `[0, 2^k)`; the range check rejects it.
//!
//! Transcript: `absorb_bytes(`[`RESCALE_LABEL`]`)`, `absorb_u64(n)`, `absorb_u64(k)`,
//! `absorb_u64(len)`, the point `r`, the value `v`; then `q`.
//!
//! # Linear combination
//!
//! `Y = sum_i c_i X_i` with public `c_i`: the prover sends `x_i = X_i~(r)`, the verifier
//! checks `sum_i c_i x_i = v` and returns the claims `X_i~(r) = x_i`.
//!
//! Transcript: `absorb_bytes(`[`LINEAR_LABEL`]`)`, `absorb_u64(n)`, `absorb_u64(m)`, the
//! coefficients `c_0..c_{m-1}`, the point `r`, the value `v`; then `x_0..x_{m-1}`.
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
use zkpot_core::{i64_to_field, Fr, Transcript};

use crate::Error;

pub use proof::{BooleanityProof, HadamardProof, LinearProof, MergeProof, RescaleProof};
pub use prover::{prove_booleanity, prove_hadamard, prove_linear, prove_merge, prove_rescale};
pub use verifier::{
    verify_booleanity, verify_hadamard, verify_linear, verify_merge, verify_rescale,
};
pub use zkpot_core::Claim;

/// The label absorbed first by a Hadamard product.
pub const HADAMARD_LABEL: &[u8] = b"zkpot/gkr/hadamard";
/// The label absorbed first by a booleanity proof.
pub const BOOLEANITY_LABEL: &[u8] = b"zkpot/gkr/booleanity";
/// The label absorbed first by a merge of claims.
pub const MERGE_LABEL: &[u8] = b"zkpot/gkr/merge-claims";
/// The label absorbed first by a rescale reduction.
pub const RESCALE_LABEL: &[u8] = b"zkpot/gkr/rescale";
/// The label absorbed first by a linear-combination reduction.
pub const LINEAR_LABEL: &[u8] = b"zkpot/gkr/linear";

/// The largest supported number of variables (`2^40` entries).
pub const MAX_VARS: usize = 40;

/// The largest supported rescale shift `k`.
pub const MAX_SHIFT: u32 = 128;

/// The claims a Hadamard product leaves on its two inputs (at the same point).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HadamardClaims {
    /// A claim on `S`.
    pub left: Claim,
    /// A claim on `Q`.
    pub right: Claim,
}

/// The claims a rescale reduction leaves (at the input claim's point).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RescaleClaims {
    /// A claim on the quotient `Q`.
    pub quotient: Claim,
    /// A claim on the remainder `R`.
    pub remainder: Claim,
}

/// `ONE~(point)` for the table `ONE` over `n = point.len()` variables that is 1 on its
/// first `num_entries` entries and 0 after them: `sum_{i < num_entries} eq(point, i)`.
///
/// `O(n)`: `[0, len)` splits by the set bits `j` of `len` into blocks of indices that
/// agree with `len` above bit `j`, have bit `j` equal to 0 and anything below. The sum of
/// `eq` over a block is `prod_{i > j} eq(point_i, len_i) (1 - point_j)` (the free low
/// bits sum to 1). Errors if `num_entries > 2^n`.
pub fn ones_eval(num_entries: u64, point: &[Fr]) -> Result<Fr, Error> {
    let num_vars = point.len();
    let full = u32::try_from(num_vars)
        .ok()
        .and_then(|n| 1u64.checked_shl(n));
    match full {
        Some(full) if num_entries > full => Err(Error::TooManyEntries {
            num_entries,
            num_vars,
        }),
        // The whole table: the sum of eq over the cube is 1.
        Some(full) if num_entries == full => Ok(Fr::one()),
        _ => {
            let mut prefix = Fr::one();
            let mut acc = Fr::zero();
            for (j, &r) in point.iter().enumerate().rev() {
                let bit = u32::try_from(j)
                    .ok()
                    .and_then(|j| num_entries.checked_shr(j))
                    .is_some_and(|v| v & 1 == 1);
                if bit {
                    acc += prefix * (Fr::one() - r);
                    prefix *= r;
                } else {
                    prefix *= Fr::one() - r;
                }
            }
            Ok(acc)
        }
    }
}

/// The explicit `ONE` table of [`ones_eval`] (`2^num_vars` entries), for tests and
/// references.
pub fn ones_table(num_entries: usize, num_vars: usize) -> Result<Vec<Fr>, Error> {
    let len = table_len(num_vars)?;
    if num_entries > len {
        return Err(Error::TooManyEntries {
            num_entries: num_entries as u64,
            num_vars,
        });
    }
    let mut table = vec![Fr::one(); num_entries];
    table.resize(len, Fr::zero());
    Ok(table)
}

/// Naive reference: the entrywise product of two tables of the same length.
pub fn hadamard_reference(left: &[Fr], right: &[Fr]) -> Result<Vec<Fr>, Error> {
    check_same_len("right", left.len(), right.len())?;
    Ok(left.iter().zip(right).map(|(a, b)| *a * b).collect())
}

/// Naive reference of booleanity: the first entry that is neither 0 nor 1, if any.
pub fn first_non_boolean(table: &[Fr]) -> Option<usize> {
    table.iter().position(|s| !s.is_zero() && !s.is_one())
}

/// Naive reference of the rescale: `(q, r)` with `x + 2^(k-1) = q 2^k + r`,
/// `0 <= r < 2^k` (round half up, `h = 0` for `k = 0`) per entry, both zero-padded to
/// `2^num_vars` entries as field elements. Errors if the values do not fit in the
/// table, on a shift above 62 (the `i64` witness range) or on overflow.
pub fn rescale_reference(
    values: &[i64],
    shift: u32,
    num_vars: usize,
) -> Result<(Vec<Fr>, Vec<Fr>), Error> {
    if shift > 62 {
        return Err(Error::ShiftTooLarge { shift, max: 62 });
    }
    let len = table_len(num_vars)?;
    if values.len() > len {
        return Err(Error::TooManyEntries {
            num_entries: values.len() as u64,
            num_vars,
        });
    }
    let scale = 1i128 << shift;
    let half = if shift == 0 { 0 } else { 1i128 << (shift - 1) };
    let mut q = vec![Fr::zero(); len];
    let mut r = vec![Fr::zero(); len];
    for (index, ((&x, qi), ri)) in values.iter().zip(&mut q).zip(&mut r).enumerate() {
        let shifted = i128::from(x) + half;
        let quot = shifted.div_euclid(scale);
        let rem = shifted.rem_euclid(scale);
        let quot = i64::try_from(quot).map_err(|_| Error::Overflow { index })?;
        let rem = i64::try_from(rem).map_err(|_| Error::Overflow { index })?;
        *qi = i64_to_field(quot);
        *ri = i64_to_field(rem);
    }
    Ok((q, r))
}

/// Naive reference: `sum_i c_i X_i` entrywise. All tables have the same length.
pub fn linear_reference(coeffs: &[Fr], inputs: &[&[Fr]]) -> Result<Vec<Fr>, Error> {
    check_counts(coeffs.len(), inputs.len())?;
    let len = inputs.first().map_or(0, |t| t.len());
    let mut out = vec![Fr::zero(); len];
    for (c, t) in coeffs.iter().zip(inputs) {
        check_same_len("input", len, t.len())?;
        for (o, x) in out.iter_mut().zip(t.iter()) {
            *o += *c * x;
        }
    }
    Ok(out)
}

/// `2^num_vars`, refusing more than [`MAX_VARS`] variables.
fn table_len(num_vars: usize) -> Result<usize, Error> {
    check_num_vars(num_vars)?;
    Ok(1usize << num_vars)
}

fn check_num_vars(num_vars: usize) -> Result<(), Error> {
    if num_vars > MAX_VARS {
        Err(Error::TooManyVariables {
            num_vars,
            max: MAX_VARS,
        })
    } else {
        Ok(())
    }
}

/// Errors unless `table` has the length of the relation's first table.
fn check_same_len(table: &'static str, expected: usize, got: usize) -> Result<(), Error> {
    if expected == got {
        Ok(())
    } else {
        Err(Error::LengthMismatch {
            table,
            expected,
            got,
        })
    }
}

fn check_counts(num_coeffs: usize, num_inputs: usize) -> Result<(), Error> {
    if num_coeffs == 0 {
        return Err(Error::NoInputs);
    }
    if num_coeffs == num_inputs {
        Ok(())
    } else {
        Err(Error::WrongInputCount {
            coeffs: num_coeffs,
            inputs: num_inputs,
        })
    }
}

/// Checks a claim's point against `n`.
fn check_claim(num_vars: usize, claim: &Claim) -> Result<(), Error> {
    check_num_vars(num_vars)?;
    if claim.point.len() == num_vars {
        Ok(())
    } else {
        Err(Error::PointLengthMismatch {
            expected: num_vars,
            got: claim.point.len(),
        })
    }
}

/// The number of variables of a table (a power-of-two length within [`MAX_VARS`]).
fn num_vars_of(len: usize) -> Result<usize, Error> {
    if !len.is_power_of_two() {
        return Err(Error::NotPowerOfTwo { len });
    }
    let num_vars = len.trailing_zeros() as usize;
    check_num_vars(num_vars)?;
    Ok(num_vars)
}

/// Absorbs a relation's opening: its label, `n`, then its public parameters.
fn open<T: Transcript>(transcript: &mut T, label: &[u8], num_vars: usize, params: &[u64]) {
    transcript.absorb_bytes(label);
    transcript.absorb_u64(num_vars as u64);
    for &p in params {
        transcript.absorb_u64(p);
    }
}

/// The statement of a merge, shared by prover and verifier: checks the claims
/// (at least one, each with `num_vars` coordinates), absorbs the label, `n`, the
/// number of claims and every claim, and squeezes the combination challenge `a`.
fn merge_statement<T: Transcript>(
    num_vars: usize,
    claims: &[Claim],
    transcript: &mut T,
) -> Result<Fr, Error> {
    if claims.is_empty() {
        return Err(Error::NoClaims);
    }
    for c in claims {
        check_claim(num_vars, c)?;
    }
    open(transcript, MERGE_LABEL, num_vars, &[claims.len() as u64]);
    for c in claims {
        absorb_claim(transcript, c);
    }
    Ok(transcript.challenge())
}

/// Absorbs a claim: its point, then its value.
fn absorb_claim<T: Transcript>(transcript: &mut T, claim: &Claim) {
    transcript.absorb_fields(&claim.point);
    transcript.absorb_field(&claim.value);
}

/// `2^k` and `h = 2^(k-1)` (0 for `k = 0`) in the field; errors above [`MAX_SHIFT`].
fn shift_constants(shift: u32) -> Result<(Fr, Fr), Error> {
    if shift > MAX_SHIFT {
        return Err(Error::ShiftTooLarge {
            shift,
            max: MAX_SHIFT,
        });
    }
    let two = Fr::from(2u64);
    let scale = two.pow([u64::from(shift)]);
    let half = if shift == 0 {
        Fr::zero()
    } else {
        two.pow([u64::from(shift - 1)])
    };
    Ok((scale, half))
}

/// The remainder claim's value `v + h ONE~(r) - 2^k q` of the rescale reduction.
fn remainder_value(
    input: &Claim,
    shift: u32,
    num_entries: u64,
    quotient_eval: Fr,
) -> Result<Fr, Error> {
    let (scale, half) = shift_constants(shift)?;
    let ones = ones_eval(num_entries, &input.point)?;
    Ok(input.value + half * ones - scale * quotient_eval)
}

/// `sum_i a^i eq(r_i, point)` over the claims' points.
fn combined_eq(claims: &[Claim], a: Fr, point: &[Fr]) -> Result<Fr, Error> {
    let mut coeff = Fr::one();
    let mut acc = Fr::zero();
    for c in claims {
        acc += coeff * zkpot_core::eq_eval(&c.point, point)?;
        coeff *= a;
    }
    Ok(acc)
}

/// `sum_i a^i v_i` over the claims' values.
fn combined_value(claims: &[Claim], a: Fr) -> Fr {
    let mut coeff = Fr::one();
    let mut acc = Fr::zero();
    for c in claims {
        acc += coeff * c.value;
        coeff *= a;
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;
    use zkpot_core::MultilinearTable;

    #[test]
    fn ones_eval_matches_the_table() {
        for n in 0..6usize {
            let point: Vec<Fr> = (0..n as u64).map(|j| Fr::from(5 * j + 3)).collect();
            for len in 0..=(1usize << n) {
                let t = MultilinearTable::new(ones_table(len, n).unwrap()).unwrap();
                assert_eq!(
                    ones_eval(len as u64, &point).unwrap(),
                    t.evaluate(&point).unwrap(),
                    "n = {n}, len = {len}"
                );
            }
            assert!(ones_eval((1u64 << n) + 1, &point).is_err());
        }
    }

    #[test]
    fn rescale_reference_rounds_half_up() {
        let (q, r) = rescale_reference(&[7, 8, -8, -9, 0], 4, 3).unwrap();
        // 7 + 8 = 0 * 16 + 15; 8 + 8 = 16; -8 + 8 = 0; -9 + 8 = -1 * 16 + 15; 0 + 8 = 8.
        let f = |v: &[i64]| v.iter().map(|&x| i64_to_field(x)).collect::<Vec<_>>();
        assert_eq!(q, f(&[0, 1, 0, -1, 0, 0, 0, 0]));
        assert_eq!(r, f(&[15, 0, 0, 15, 8, 0, 0, 0]));
        let (q, r) = rescale_reference(&[-3, 5], 0, 1).unwrap();
        assert_eq!((q, r), (f(&[-3, 5]), f(&[0, 0])));
        assert!(rescale_reference(&[1, 2, 3], 1, 1).is_err());
    }
}
