//! The sumcheck verifier: a pure function of the proof, the statement and the
//! transcript, which never panics on any proof.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ark_ff::{AdditiveGroup, Zero};

use super::{SumcheckProof, MAX_DEGREE};
use crate::claim::Claim;
use crate::error::SumcheckError;
use crate::field::Fr;
use crate::transcript::Transcript;

/// Evaluates `sum_k coeffs[k] t^k`.
pub fn horner(coeffs: &[Fr], t: Fr) -> Fr {
    coeffs.iter().rev().fold(Fr::zero(), |acc, c| acc * t + c)
}

/// The full coefficient vector from a compressed one and the round's claim.
pub(super) fn decompress(compressed: &[Fr], claim: Fr) -> Vec<Fr> {
    let Some((&c0, rest)) = compressed.split_first() else {
        return Vec::new();
    };
    let c1 = claim - c0.double() - rest.iter().sum::<Fr>();
    let mut coeffs = Vec::with_capacity(compressed.len() + 1);
    coeffs.push(c0);
    coeffs.push(c1);
    coeffs.extend_from_slice(rest);
    coeffs
}

/// The statement: `num_rounds`, `degree`, `claim`.
pub(super) fn absorb_statement<T: Transcript>(
    t: &mut T,
    num_rounds: usize,
    degree: usize,
    claim: &Fr,
) {
    t.absorb_u64(num_rounds as u64);
    t.absorb_u64(degree as u64);
    t.absorb_field(claim);
}

/// Verifies the rounds of a sumcheck proof for `claim` with `num_rounds` rounds of
/// polynomials of degree `degree`, returning the reduced claim. The caller must
/// then check the reduced claim's value (see [`check_final`]).
pub fn verify<T: Transcript>(
    proof: &SumcheckProof,
    claim: Fr,
    num_rounds: usize,
    degree: usize,
    transcript: &mut T,
) -> Result<Claim, SumcheckError> {
    if degree == 0 || degree > MAX_DEGREE {
        return Err(SumcheckError::UnsupportedDegree { degree });
    }
    if proof.rounds.len() != num_rounds {
        return Err(SumcheckError::WrongNumberOfRounds {
            expected: num_rounds,
            got: proof.rounds.len(),
        });
    }
    absorb_statement(transcript, num_rounds, degree, &claim);
    let mut claim = claim;
    let mut point = Vec::with_capacity(num_rounds);
    for (round, coeffs) in proof.rounds.iter().enumerate() {
        // Compressed: degree + 1 coefficients less the linear one.
        if coeffs.len() != degree {
            return Err(SumcheckError::WrongDegree {
                round,
                expected: degree,
                got: coeffs.len(),
            });
        }
        transcript.absorb_fields(coeffs);
        let r = transcript.challenge();
        claim = horner(&decompress(coeffs, claim), r);
        point.push(r);
    }
    Ok(Claim {
        point,
        value: claim,
    })
}

/// The final check: the reduced claim `claimed` must equal `computed`, the
/// summand's value at the point from trusted evaluations.
pub fn check_final(num_rounds: usize, claimed: Fr, computed: Fr) -> Result<(), SumcheckError> {
    if claimed == computed {
        Ok(())
    } else {
        Err(SumcheckError::RoundCheckFailed {
            round: num_rounds.saturating_sub(1),
            expected: claimed,
            got: computed,
        })
    }
}
