//! The provers of the reshape reductions.

use zkpot_core::{Backend, Fr, Transcript};

use super::{
    affine_reduce, broadcast_reduce, check_affine, check_len, check_limbs, colsum_reduce,
    limbs_reduce, AffineClaims, AffineProof, Claim, Error, LimbsProof, StackShape,
};

/// Reduces the claim `output` on the column sums `D` (`k p` entries) of a stacked table
/// `G` of `shape` to one claim on `G`, continuing `transcript`. The prover sends nothing:
/// this is the same computation as [`super::verify_colsum`].
pub fn prove_colsum<T: Transcript>(
    shape: &StackShape,
    output: &Claim,
    transcript: &mut T,
) -> Result<Claim, Error> {
    colsum_reduce(shape, output, transcript)
}

/// Reduces the claim `output` on the broadcast `Z` of a bias `b` over the first
/// `valid_rows` rows to one claim on `b`, continuing `transcript`. The prover sends
/// nothing: this is the same computation as [`super::verify_broadcast`].
pub fn prove_broadcast<T: Transcript>(
    shape: &StackShape,
    valid_rows: usize,
    output: &Claim,
    transcript: &mut T,
) -> Result<Claim, Error> {
    broadcast_reduce(shape, valid_rows, output, transcript)
}

/// Splits the claim `output` on `Z = P + 2^frac_bits broadcast(b)` into claims on the
/// product part `product` (`k m p` entries) and on `b`, continuing `transcript`.
pub fn prove_affine<B: Backend, T: Transcript>(
    backend: &B,
    shape: &StackShape,
    valid_rows: usize,
    frac_bits: u32,
    product: &[Fr],
    output: &Claim,
    transcript: &mut T,
) -> Result<(AffineProof, AffineClaims), Error> {
    check_affine(shape, valid_rows, frac_bits, output)?;
    check_len("product", shape.table_len(), product.len())?;
    let product_eval = backend.evaluate(&backend.upload(product), &output.point);
    let claims = affine_reduce(
        shape,
        valid_rows,
        frac_bits,
        output,
        product_eval,
        transcript,
    )?;
    Ok((AffineProof { product_eval }, claims))
}

/// Reduces the claim `input` on a signed `bits`-wide table `X` (`num_entries` values
/// zero-padded to `2^n`) to one claim on its stacked limb table `limbs`
/// (`c' 2^n` entries, as [`super::decompose`] lays them out), continuing `transcript`.
/// Errors with [`Error::LimbCheckFailed`] if the limbs do not recombine to the claim.
pub fn prove_limbs<B: Backend, T: Transcript>(
    backend: &B,
    limbs: &[Fr],
    bits: u32,
    num_entries: u64,
    input: &Claim,
    transcript: &mut T,
) -> Result<(LimbsProof, Claim), Error> {
    let num_vars = input.point.len();
    let (count, lv) = check_limbs(num_vars, bits, num_entries, input)?;
    let block = 1usize << num_vars;
    check_len("limbs", block << lv, limbs.len())?;
    let limb_evals: Vec<Fr> = limbs
        .chunks_exact(block)
        .take(count)
        .map(|table| backend.evaluate(&backend.upload(table), &input.point))
        .collect();
    let claim = limbs_reduce(num_vars, bits, num_entries, input, &limb_evals, transcript)?;
    Ok((LimbsProof { limb_evals }, claim))
}
