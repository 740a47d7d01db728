//! The HyperKZG verifier: the fold identity at `b^2`, then one MSM and one two-pairing
//! product (step 5 of the [module documentation](super)). A pure function of the key,
//! the statement, the proof and the transcript; it never panics and allocates only in
//! proportion to the point, whose length it bounds by the key first.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ark_bn254::Bn254;
use ark_ec::{pairing::Pairing, AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::{Field, One, Zero};
use zkpot_core::{Fr, G1Affine, Transcript, G1};

use super::{absorb_statement, nonzero_challenge, KzgProof, KzgVerifierKey};
use crate::{error::PcsError, pedersen::Commitment};

/// Checks `proof` that the table of `commitment` takes `value` at `point`.
pub(super) fn verify<T: Transcript>(
    key: &KzgVerifierKey,
    commitment: &Commitment,
    point: &[Fr],
    value: Fr,
    proof: &KzgProof,
    transcript: &mut T,
) -> Result<(), PcsError> {
    let n = point.len();
    if n > key.power as usize {
        return Err(PcsError::KeyTooShort {
            needed: 1usize.checked_shl(n as u32).unwrap_or(usize::MAX),
            available: 1usize << key.power,
        });
    }
    check_lengths(proof, n)?;
    absorb_statement(key, commitment, point, value, transcript);

    // 1. The mask: C_h = C + alpha C_g - rho_h H commits to h without a blind.
    transcript.absorb_point(&proof.mask);
    transcript.absorb_field(&proof.mask_value);
    let alpha = nonzero_challenge(transcript, 0)?;
    transcript.absorb_field(&proof.blind);
    let target = value + alpha * proof.mask_value;
    let c_h = commitment.0.into_group() + proof.mask * alpha - key.blinding * proof.blind;

    if n == 0 {
        // h is the constant v_h.
        if c_h.into_affine() != (key.g1 * target).into_affine()
            || proof.quotients.iter().any(|w| !w.is_zero())
        {
            return Err(PcsError::OpeningFailed {
                reason: "the masked constant table is not the value",
            });
        }
        return Ok(());
    }

    // 2-3. Folds, b, the evaluations.
    for c in &proof.folds {
        transcript.absorb_point(c);
    }
    let b = nonzero_challenge(transcript, 1)?;
    transcript.absorb_fields(&proof.at_b);
    transcript.absorb_fields(&proof.at_minus_b);
    let q = transcript.challenge();
    for w in &proof.quotients {
        transcript.absorb_point(w);
    }
    let d = transcript.challenge();

    // The values at b^2: y_{j+1} from P_j(b), P_j(-b); y_n must be v_h.
    let two_b_inv = (b + b)
        .inverse()
        .ok_or(PcsError::ZeroChallenge { round: 1 })?;
    let at_b_squared: Vec<Fr> = point
        .iter()
        .zip(proof.at_b.iter().zip(&proof.at_minus_b))
        .map(|(&x, (&plus, &minus))| {
            ((Fr::one() - x) * (plus + minus) * b + x * (plus - minus)) * two_b_inv
        })
        .collect();
    if at_b_squared.last() != Some(&target) {
        return Err(PcsError::OpeningFailed {
            reason: "the last fold is not the value",
        });
    }

    // 4-5. The three batched openings in one pairing check.
    let (l, r) = pairing_sides(key, proof, &c_h, &at_b_squared, b, q, d);
    let product = Bn254::final_exponentiation(Bn254::multi_miller_loop(
        [l.into_affine(), (-r).into_affine()],
        [key.g2, key.tau_g2],
    ));
    match product {
        Some(p) if p.is_zero() => Ok(()),
        _ => Err(PcsError::OpeningFailed {
            reason: "the batched KZG openings do not pair",
        }),
    }
}

/// Errors unless the proof's repeated fields have the lengths `n` fixes.
fn check_lengths(proof: &KzgProof, n: usize) -> Result<(), PcsError> {
    let folds = n.saturating_sub(1);
    for (expected, got) in [
        (folds, proof.folds.len()),
        (n, proof.at_b.len()),
        (n, proof.at_minus_b.len()),
    ] {
        if got != expected {
            return Err(PcsError::WrongProofLength { expected, got });
        }
    }
    Ok(())
}

/// `L` and `R` of the check `e(L, [1]_2) = e(R, [tau]_2)`:
///
/// ```text
/// L = (C_B - B(b) G + b W_0) + d (C_B - B(-b) G - b W_1) + d^2 (C_B' - B'(b^2) G + b^2 W_2)
/// R = W_0 + d W_1 + d^2 W_2
/// ```
///
/// with `C_B = C_h + sum_{j>=1} q^j C_j`, `C_B' = sum_{j>=1} q^j C_j`, as one MSM.
fn pairing_sides(
    key: &KzgVerifierKey,
    proof: &KzgProof,
    c_h: &G1,
    at_b_squared: &[Fr],
    b: Fr,
    q: Fr,
    d: Fr,
) -> (G1, G1) {
    let d2 = d.square();
    let mut powers = Vec::with_capacity(proof.at_b.len());
    let mut power = Fr::one();
    for _ in 0..proof.at_b.len() {
        powers.push(power);
        power *= q;
    }
    let dot = |values: &[Fr], from: usize| -> Fr {
        powers
            .iter()
            .zip(values)
            .skip(from)
            .map(|(p, v)| *p * v)
            .sum()
    };
    let batched_b = dot(&proof.at_b, 0);
    let batched_minus_b = dot(&proof.at_minus_b, 0);
    // y_j for j = 1..n-1 is at_b_squared[j - 1], weighted by q^j.
    let batched_b_squared: Fr = powers
        .iter()
        .skip(1)
        .zip(at_b_squared)
        .map(|(p, y)| *p * y)
        .sum();

    let [w0, w1, w2] = proof.quotients;
    let fold_weight = Fr::one() + d + d2;
    let mut bases: Vec<G1Affine> = proof.folds.clone();
    let mut scalars: Vec<Fr> = powers.iter().skip(1).map(|p| *p * fold_weight).collect();
    bases.extend([key.g1, w0, w1, w2]);
    scalars.extend([
        -(batched_b + d * batched_minus_b + d2 * batched_b_squared),
        b,
        -(d * b),
        d2 * b.square(),
    ]);
    let l = *c_h * (Fr::one() + d) + G1::msm_unchecked(&bases, &scalars);
    let r = w0.into_group() + w1 * d + w2 * d2;
    (l, r)
}
