//! The verifier of the inner-product argument ([`verify_eval`]) and what it shares with
//! the prover (the statement, the round challenges): a pure function of the key, the
//! statement, the proof and the transcript, which never panics on any proof.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ark_bn254::g1::Config as Curve;
use ark_ec::{scalar_mul::glv::GLVConfig, VariableBaseMSM};
use ark_ff::{batch_inversion, One, PrimeField, Zero};
use rayon::prelude::*;
use zkpot_core::{Fr, G1Affine, Transcript, G1};

use super::{IpaProof, IPA_LABEL, PAR_MIN};
use crate::{
    error::PcsError,
    pedersen::{Commitment, PedersenKey},
};

/// `2^num_vars` if the key has that many generators.
pub(super) fn table_len(key: &PedersenKey, num_vars: usize) -> Result<usize, PcsError> {
    let len = u32::try_from(num_vars)
        .ok()
        .and_then(|n| 1usize.checked_shl(n))
        .ok_or(PcsError::KeyTooShort {
            needed: usize::MAX,
            available: key.max_len(),
        })?;
    if len > key.max_len() {
        return Err(PcsError::KeyTooShort {
            needed: len,
            available: key.max_len(),
        });
    }
    Ok(len)
}

/// Steps 1-6 of the transcript order; returns `w`.
pub(super) fn absorb_statement<T: Transcript>(
    key: &PedersenKey,
    commitment: &Commitment,
    point: &[Fr],
    value: Fr,
    t: &mut T,
) -> Fr {
    t.absorb_bytes(IPA_LABEL);
    key.absorb_into(t);
    commitment.absorb_into(t);
    t.absorb_u64(point.len() as u64);
    t.absorb_fields(point);
    t.absorb_field(&value);
    t.challenge()
}

/// A round challenge `u = c_lo + lambda c_hi`, with `c = c_lo + 2^64 c_hi` the 128-bit
/// `challenge_128()` and `lambda` the eigenvalue of BN254's `G1` endomorphism
/// `phi(x, y) = (beta x, y) = lambda (x, y)` (Halo's endoscaling). `u` is never zero
/// for a nonzero `c`, and `u P = c_lo P + c_hi phi(P)` costs 64 doublings instead of 127.
#[derive(Clone, Copy, Debug)]
pub(super) struct RoundChallenge {
    pub(super) lo: u64,
    pub(super) hi: u64,
    pub(super) u: Fr,
}

/// The next round challenge of the transcript.
pub(super) fn round_challenge<T: Transcript>(t: &mut T) -> RoundChallenge {
    // A 128-bit challenge: the low two 64-bit limbs.
    let [lo, hi, ..] = t.challenge_128().into_bigint().0;
    let u = Fr::from(lo) + <Curve as GLVConfig>::LAMBDA * Fr::from(hi);
    RoundChallenge { lo, hi, u }
}

/// `Ok` if `p` is a `G1` point (on the curve; the subgroup check is trivial on BN254).
fn check_point(p: &G1Affine, what: &'static str) -> Result<(), PcsError> {
    if p.is_on_curve() && p.is_in_correct_subgroup_assuming_on_curve() {
        Ok(())
    } else {
        Err(PcsError::InvalidPoint { what })
    }
}

/// The vector `s` with `sum_i s_i G_i` the fully folded generator: entry `i` is the
/// product of `u_k` over the rounds `k` whose split bit `n - 1 - k` is set in `i`.
pub(super) fn fold_coefficients(us: &[Fr]) -> Vec<Fr> {
    let n = us.len();
    let mut s = Vec::with_capacity(1 << n);
    s.push(Fr::one());
    // Variable j (bit j of the index) is split by round n - 1 - j; it enters as the new
    // high bit, as in `eq_table`.
    for u in us.iter().rev() {
        let half = s.len();
        s.extend_from_within(..);
        if let Some(high) = s.get_mut(half..) {
            high.par_iter_mut()
                .with_min_len(PAR_MIN)
                .for_each(|x| *x *= u);
        }
    }
    s
}

/// Checks a proof of `f~(point) = value` for `commitment`. Never panics: any proof that
/// is malformed, of the wrong length or wrong gives an error. `O(2^point.len())` work.
pub fn verify_eval<T: Transcript>(
    key: &PedersenKey,
    commitment: &Commitment,
    point: &[Fr],
    value: Fr,
    proof: &IpaProof,
    transcript: &mut T,
) -> Result<(), PcsError> {
    let n = point.len();
    let len = table_len(key, n)?;
    for got in [proof.l.len(), proof.r.len()] {
        if got != n {
            return Err(PcsError::WrongProofLength { expected: n, got });
        }
    }
    check_point(&commitment.0, "commitment")?;
    for l in &proof.l {
        check_point(l, "L")?;
    }
    for r in &proof.r {
        check_point(r, "R")?;
    }
    check_point(&proof.delta, "delta")?;

    let w = absorb_statement(key, commitment, point, value, transcript);
    let mut us = Vec::with_capacity(n);
    for (round, (l, r)) in proof.l.iter().zip(&proof.r).enumerate() {
        transcript.absorb_point(l);
        transcript.absorb_point(r);
        let u = round_challenge(transcript).u;
        if u.is_zero() {
            return Err(PcsError::ZeroChallenge { round });
        }
        us.push(u);
    }
    let mut u_invs = us.clone();
    batch_inversion(&mut u_invs);
    transcript.absorb_point(&proof.delta);
    let c = transcript.challenge();
    transcript.absorb_field(&proof.z_entry);
    transcript.absorb_field(&proof.z_blind);

    // b's final entry, by the tensor structure of eq: round k folds variable n - 1 - k.
    let b_final: Fr = us
        .iter()
        .zip(point.iter().rev())
        .map(|(u, r)| Fr::one() - r + *u * r)
        .product();
    let z = proof.z_entry;
    let mut scalars = fold_coefficients(&us);
    scalars
        .par_iter_mut()
        .with_min_len(PAR_MIN)
        .for_each(|x| *x *= z);
    debug_assert_eq!(scalars.len(), len);

    // z (G + b U') + z_blind H - delta - c (C + v U' + sum_k u_k L_k + u_k^-1 R_k) == 0.
    let mut bases = vec![
        key.inner_product_generator(),
        key.blinding_generator(),
        proof.delta,
        commitment.0,
    ];
    let mut extra = vec![w * (z * b_final - c * value), proof.z_blind, -Fr::one(), -c];
    bases.extend_from_slice(&proof.l);
    extra.extend(us.iter().map(|u| -c * u));
    bases.extend_from_slice(&proof.r);
    extra.extend(u_invs.iter().map(|u| -c * u));
    let generators = key.generators().get(..len).ok_or(PcsError::KeyTooShort {
        needed: len,
        available: key.generators().len(),
    })?;
    let total = G1::msm_unchecked(generators, &scalars) + G1::msm_unchecked(&bases, &extra);
    if total.is_zero() {
        Ok(())
    } else {
        Err(PcsError::OpeningFailed {
            reason: "the final inner-product equation does not hold",
        })
    }
}
