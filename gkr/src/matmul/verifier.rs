//! The matrix-product verifier: a pure function of the proof and the transcript.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use zkpot_core::{
    eq_eval,
    sumcheck::{self, check_final},
    Transcript,
};

use super::{start, Error, MatmulClaims, MatmulProof, MatmulShape, OutputPoint};
use zkpot_core::Claim;

/// Verifies a matrix-product proof for the claim `output` on `C = op_a(A) op_b(B)` of
/// `shape`, continuing `transcript` (which must have absorbed what the prover's had).
/// Returns the claims on `A` and `B` that the caller must check. Never panics on any
/// proof or claim.
pub fn verify_matmul<T: Transcript>(
    shape: &MatmulShape,
    proof: &MatmulProof,
    output: &Claim,
    transcript: &mut T,
) -> Result<MatmulClaims, Error> {
    let OutputPoint { r_j, r_i, r_t } = shape.split_output_point(&output.point)?;
    start(transcript, shape, output);
    let num_rounds = shape.num_rounds();
    let reduced = sumcheck::verify(
        &proof.sumcheck,
        output.value,
        num_rounds,
        shape.degree(),
        transcript,
    )?;
    let rho_t = reduced.point.get(shape.log_n()..).unwrap_or_default();
    let eq = eq_eval(r_t, rho_t)?;
    check_final(num_rounds, reduced.value, eq * proof.a * proof.b)?;
    transcript.absorb_field(&proof.a);
    transcript.absorb_field(&proof.b);
    Ok(shape.input_claims(r_j, r_i, &reduced.point, proof.a, proof.b))
}
