//! The range-check verifier: a pure function of the proof and the transcript.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use zkpot_core::{
    eq_eval,
    sumcheck::{self, check_final},
    Fr, Transcript,
};

use super::{
    check_roots, check_table_bits, combine_children, combine_claims, leaf_claims, start,
    tree_depths, Fraction, RangeClaims, RangeProof, DEGREE, LIMB_BITS, MAX_LIMB_VARS,
};
use crate::Error;

/// Verifies a range proof for a limb table over `num_limb_vars` variables (`2^n` limbs)
/// and the table `[0, 2^16)`, continuing `transcript` (which must have absorbed what the
/// prover's had: the commitments to `l` and `m`). Returns the claims on `l` and `m` that
/// the caller must check against those commitments. Never panics on any proof.
pub fn verify_range<T: Transcript>(
    num_limb_vars: usize,
    proof: &RangeProof,
    transcript: &mut T,
) -> Result<RangeClaims, Error> {
    verify_range_in(num_limb_vars, LIMB_BITS, proof, transcript)
}

/// [`verify_range`] against the table `[0, 2^table_bits)` (`table_bits` in `1..=16`).
pub fn verify_range_in<T: Transcript>(
    num_limb_vars: usize,
    table_bits: u32,
    proof: &RangeProof,
    transcript: &mut T,
) -> Result<RangeClaims, Error> {
    check_table_bits(table_bits)?;
    if num_limb_vars > MAX_LIMB_VARS {
        return Err(Error::TooManyVariables {
            num_vars: num_limb_vars,
            max: MAX_LIMB_VARS,
        });
    }
    let depths = tree_depths(num_limb_vars, table_bits);
    let num_layers = depths.iter().copied().max().unwrap_or(0);
    if proof.layers.len() != num_layers {
        return Err(Error::WrongNumberOfLayers {
            expected: num_layers,
            got: proof.layers.len(),
        });
    }

    let alpha = start(transcript, num_limb_vars, table_bits);
    let roots = [proof.limb_root, proof.table_root];
    for root in &roots {
        transcript.absorb_fields(&[root.numerator, root.denominator]);
    }
    check_roots(&roots)?;

    // Per tree: its current claim, and the point it is at.
    let mut claims = roots;
    let mut leaves: [(Vec<Fr>, Fraction); 2] = [(Vec::new(), roots[0]), (Vec::new(), roots[1])];
    let mut point: Vec<Fr> = Vec::new();
    for (k, layer) in proof.layers.iter().enumerate() {
        let active: Vec<usize> = (0..2).filter(|&j| depths.get(j) > Some(&k)).collect();
        if layer.children.len() != active.len() {
            return Err(Error::WrongNumberOfTrees {
                layer: k,
                expected: active.len(),
                got: layer.children.len(),
            });
        }
        let lambda = transcript.challenge();
        let active_claims: Vec<Fraction> = active
            .iter()
            .filter_map(|&j| claims.get(j).copied())
            .collect();
        let claim = combine_claims(&active_claims, lambda);
        let reduced = sumcheck::verify(&layer.sumcheck, claim, k, DEGREE, transcript)?;
        let expected = eq_eval(&point, &reduced.point)? * combine_children(&layer.children, lambda);
        check_final(k, reduced.value, expected)?;
        for pair in &layer.children {
            transcript.absorb_fields(&pair.transcript_fields());
        }
        let mu = transcript.challenge();
        point = std::iter::once(mu).chain(reduced.point).collect();
        for (&j, pair) in active.iter().zip(&layer.children) {
            let merged = pair.merge(mu);
            if let Some(c) = claims.get_mut(j) {
                *c = merged;
            }
            if depths.get(j) == Some(&(k + 1)) {
                if let Some(leaf) = leaves.get_mut(j) {
                    *leaf = (point.clone(), merged);
                }
            }
        }
    }
    let [limb, table] = leaves;
    leaf_claims(alpha, limb, table)
}
