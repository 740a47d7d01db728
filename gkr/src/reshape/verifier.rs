//! The verifiers of the reshape reductions: pure functions of the statement, the proof
//! and the transcript, which never panic on any proof.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use zkpot_core::Transcript;

use super::{
    affine_reduce, broadcast_reduce, check_affine, colsum_reduce, limbs_reduce, AffineClaims,
    AffineProof, Claim, Error, LimbsProof, StackShape,
};

/// Reduces the claim `output` (point `[r_j, r_t]`) on the column sums of a stacked table
/// `G` of `shape` to the claim `G~([r_j, (1/2)^log m, r_t]) = v / m`, continuing
/// `transcript`.
pub fn verify_colsum<T: Transcript>(
    shape: &StackShape,
    output: &Claim,
    transcript: &mut T,
) -> Result<Claim, Error> {
    colsum_reduce(shape, output, transcript)
}

/// Reduces the claim `output` (point `[r_j, r_i, r_t]`) on the broadcast of a bias `b`
/// over the first `valid_rows` rows to the claim `b~([r_j, r_t]) = v / ONE~(r_i)`,
/// continuing `transcript`. Errors with [`Error::ZeroDivisor`] if `ONE~(r_i) = 0`.
pub fn verify_broadcast<T: Transcript>(
    shape: &StackShape,
    valid_rows: usize,
    output: &Claim,
    transcript: &mut T,
) -> Result<Claim, Error> {
    broadcast_reduce(shape, valid_rows, output, transcript)
}

/// Verifies the split of the claim `output` on `Z = P + 2^frac_bits broadcast(b)`,
/// continuing `transcript`. Returns the claim on `P` (value `proof.product_eval`, same
/// point) and on `b`; both must be checked by the caller. Errors with
/// [`Error::ZeroDivisor`] if `ONE~(r_i) = 0`.
pub fn verify_affine<T: Transcript>(
    shape: &StackShape,
    valid_rows: usize,
    frac_bits: u32,
    output: &Claim,
    proof: &AffineProof,
    transcript: &mut T,
) -> Result<AffineClaims, Error> {
    check_affine(shape, valid_rows, frac_bits, output)?;
    affine_reduce(
        shape,
        valid_rows,
        frac_bits,
        output,
        proof.product_eval,
        transcript,
    )
}

/// Verifies the limb reduction of the claim `input` on a signed `bits`-wide table over
/// `num_vars` variables (`num_entries` values, zero-padded), continuing `transcript`.
/// Returns the claim on the stacked limb table (`num_vars + log c'` variables), which the
/// caller must check against the commitment the range check covers.
pub fn verify_limbs<T: Transcript>(
    num_vars: usize,
    bits: u32,
    num_entries: u64,
    input: &Claim,
    proof: &LimbsProof,
    transcript: &mut T,
) -> Result<Claim, Error> {
    limbs_reduce(
        num_vars,
        bits,
        num_entries,
        input,
        &proof.limb_evals,
        transcript,
    )
}
