//! The verifiers of the elementwise relations: pure functions of the statement, the
//! proof and the transcript, which never panic on any proof.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ark_ff::Zero;
use zkpot_core::{
    eq_eval,
    sumcheck::{self, check_final},
    Fr, Transcript,
};

use super::prover::{EQ_PRODUCT_DEGREE, MERGE_DEGREE};
use super::{
    absorb_claim, check_claim, check_num_vars, combined_eq, combined_value, merge_statement, open,
    remainder_value, BooleanityProof, Claim, Error, HadamardClaims, HadamardProof, LinearProof,
    MergeProof, RescaleClaims, RescaleProof, BOOLEANITY_LABEL, HADAMARD_LABEL, LINEAR_LABEL,
    RESCALE_LABEL,
};

/// Verifies a Hadamard product `C = S ∘ Q` over `n` variables for the claim `output` on
/// `C`, continuing `transcript`. Returns the claims on `S` and `Q` that the caller must
/// check (against commitments or the next layer).
pub fn verify_hadamard<T: Transcript>(
    num_vars: usize,
    output: &Claim,
    proof: &HadamardProof,
    transcript: &mut T,
) -> Result<HadamardClaims, Error> {
    check_claim(num_vars, output)?;
    open(transcript, HADAMARD_LABEL, num_vars, &[]);
    absorb_claim(transcript, output);
    let reduced = sumcheck::verify(
        &proof.sumcheck,
        output.value,
        num_vars,
        EQ_PRODUCT_DEGREE,
        transcript,
    )?;
    let expected = eq_eval(&output.point, &reduced.point)? * proof.left_eval * proof.right_eval;
    check_final(num_vars, reduced.value, expected)?;
    transcript.absorb_fields(&[proof.left_eval, proof.right_eval]);
    Ok(HadamardClaims {
        left: Claim {
            point: reduced.point.clone(),
            value: proof.left_eval,
        },
        right: Claim {
            point: reduced.point,
            value: proof.right_eval,
        },
    })
}

/// Verifies that a table over `n` variables is boolean, continuing `transcript`.
/// Returns the claim on the table that the caller must check.
pub fn verify_booleanity<T: Transcript>(
    num_vars: usize,
    proof: &BooleanityProof,
    transcript: &mut T,
) -> Result<Claim, Error> {
    check_num_vars(num_vars)?;
    open(transcript, BOOLEANITY_LABEL, num_vars, &[]);
    let tau = transcript.challenges(num_vars);
    let reduced = sumcheck::verify(
        &proof.sumcheck,
        Fr::zero(),
        num_vars,
        EQ_PRODUCT_DEGREE,
        transcript,
    )?;
    let s = proof.eval;
    let expected = eq_eval(&tau, &reduced.point)? * (s * s - s);
    check_final(num_vars, reduced.value, expected)?;
    transcript.absorb_field(&s);
    Ok(Claim {
        point: reduced.point,
        value: s,
    })
}

/// Verifies the merge of `claims` (at least one, each with `n` coordinates) on one table
/// over `n` variables, continuing `transcript`. Returns the merged claim that the caller
/// must check.
pub fn verify_merge<T: Transcript>(
    num_vars: usize,
    claims: &[Claim],
    proof: &MergeProof,
    transcript: &mut T,
) -> Result<Claim, Error> {
    let a = merge_statement(num_vars, claims, transcript)?;
    let reduced = sumcheck::verify(
        &proof.sumcheck,
        combined_value(claims, a),
        num_vars,
        MERGE_DEGREE,
        transcript,
    )?;
    let expected = combined_eq(claims, a, &reduced.point)? * proof.eval;
    check_final(num_vars, reduced.value, expected)?;
    transcript.absorb_field(&proof.eval);
    Ok(Claim {
        point: reduced.point,
        value: proof.eval,
    })
}

/// Verifies the rescale reduction of the claim `input` on the unscaled table `X` (a
/// tensor of `num_entries` entries zero-padded to `2^n`) by `2^shift`, continuing
/// `transcript`. Returns the claims on the quotient and the remainder. Nothing is
/// checked here that a prover could fail: the caller must range-check both tables and
/// check the claims against their commitments (see [`crate::elementwise`]).
pub fn verify_rescale<T: Transcript>(
    num_vars: usize,
    input: &Claim,
    shift: u32,
    num_entries: u64,
    proof: &RescaleProof,
    transcript: &mut T,
) -> Result<RescaleClaims, Error> {
    check_claim(num_vars, input)?;
    let remainder = remainder_value(input, shift, num_entries, proof.quotient_eval)?;
    open(
        transcript,
        RESCALE_LABEL,
        num_vars,
        &[u64::from(shift), num_entries],
    );
    absorb_claim(transcript, input);
    transcript.absorb_field(&proof.quotient_eval);
    Ok(RescaleClaims {
        quotient: Claim {
            point: input.point.clone(),
            value: proof.quotient_eval,
        },
        remainder: Claim {
            point: input.point.clone(),
            value: remainder,
        },
    })
}

/// Verifies the reduction of the claim `output` on `Y = sum_i coeffs[i] X_i` (tables
/// over `n` variables), continuing `transcript`. Returns one claim per input `X_i`.
pub fn verify_linear<T: Transcript>(
    num_vars: usize,
    coeffs: &[Fr],
    output: &Claim,
    proof: &LinearProof,
    transcript: &mut T,
) -> Result<Vec<Claim>, Error> {
    if coeffs.is_empty() {
        return Err(Error::NoInputs);
    }
    check_claim(num_vars, output)?;
    if proof.evals.len() != coeffs.len() {
        return Err(Error::WrongMessageCount {
            what: "evals",
            expected: coeffs.len(),
            got: proof.evals.len(),
        });
    }
    open(transcript, LINEAR_LABEL, num_vars, &[coeffs.len() as u64]);
    transcript.absorb_fields(coeffs);
    absorb_claim(transcript, output);
    let got: Fr = coeffs.iter().zip(&proof.evals).map(|(c, x)| *c * x).sum();
    if got != output.value {
        return Err(Error::LinearCheckFailed {
            expected: output.value,
            got,
        });
    }
    transcript.absorb_fields(&proof.evals);
    Ok(proof
        .evals
        .iter()
        .map(|&value| Claim {
            point: output.point.clone(),
            value,
        })
        .collect())
}
