//! The aggregation verifier
//! ([`Aggregatable::verify_aggregate_bound`](crate::traits::Aggregatable::verify_aggregate_bound) for every scheme
//! whose commitments are linear) and what prover and verifier derive alike from the public claims: a pure
//! function of the claims, the proof and the transcript, which never panics on any proof.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{One, Zero};
use zkpot_core::{eq_eval, sumcheck, Fr, Transcript, G1};

use super::{AggregationProof, AGGREGATE_DEGREE, AGGREGATE_LABEL};
use crate::{error::PcsError, pedersen::Commitment, traits::CommittedClaim};

/// What prover and verifier both derive from the public claims.
pub(super) struct Shape {
    /// The largest point length.
    pub(super) num_vars: usize,
    /// The distinct commitments, in order of first appearance.
    pub(super) commitments: Vec<Commitment>,
    /// `group[i]`: the index of claim `i`'s commitment in `commitments`.
    pub(super) group: Vec<usize>,
}

impl Shape {
    pub(super) fn new(claims: &[CommittedClaim]) -> Result<Self, PcsError> {
        if claims.is_empty() {
            return Err(PcsError::NoClaims);
        }
        let num_vars = claims
            .iter()
            .map(|c| c.claim.point.len())
            .max()
            .unwrap_or(0);
        let mut commitments: Vec<Commitment> = Vec::new();
        let group = claims
            .iter()
            .map(
                |c| match commitments.iter().position(|d| *d == c.commitment) {
                    Some(j) => j,
                    None => {
                        commitments.push(c.commitment);
                        commitments.len() - 1
                    }
                },
            )
            .collect();
        Ok(Shape {
            num_vars,
            commitments,
            group,
        })
    }

    /// Steps 1 to 4 of the transcript: label, sizes, the first `absorbed` claims (all of
    /// them unless the caller's transcript binds the rest, see [`Aggregatable::aggregate_bound`]);
    /// returns the `a_i`.
    pub(super) fn absorb_statement<T: Transcript>(
        &self,
        claims: &[CommittedClaim],
        absorbed: usize,
        t: &mut T,
    ) -> Vec<Fr> {
        t.absorb_bytes(AGGREGATE_LABEL);
        t.absorb_u64(self.num_vars as u64);
        t.absorb_u64(claims.len() as u64);
        claims.iter().take(absorbed).for_each(|c| c.absorb_into(t));
        t.challenges(claims.len())
    }

    /// Steps 6 and 7: absorbs the evals, then returns `b` with `b_0 = 1`.
    pub(super) fn combination<T: Transcript>(&self, evals: &[Fr], t: &mut T) -> Vec<Fr> {
        t.absorb_fields(evals);
        std::iter::once(Fr::one())
            .chain((1..self.commitments.len()).map(|_| t.challenge_128()))
            .collect()
    }

    /// `C* = C_0 + sum_{j >= 1} b_j C_j` and `v* = sum_j b_j e_j`.
    pub(super) fn output(&self, point: Vec<Fr>, evals: &[Fr], b: &[Fr]) -> CommittedClaim {
        let mut commitment: G1 = self
            .commitments
            .first()
            .map_or_else(G1::zero, |c| c.0.into_group());
        for (c, b) in self.commitments.iter().zip(b).skip(1) {
            commitment += c.0 * b;
        }
        CommittedClaim::new(
            Commitment(commitment.into_affine()),
            point,
            evals.iter().zip(b).map(|(e, b)| *e * b).sum(),
        )
    }
}

/// `sum_i a_i v_i`, the sumcheck's claim.
pub(super) fn combined_value(claims: &[CommittedClaim], a: &[Fr]) -> Fr {
    claims.iter().zip(a).map(|(c, a)| c.claim.value * a).sum()
}

/// `eq(r', r*)` for `r'` the point padded with zeros to the length of `r*`:
/// `eq(point, r*[..len]) * prod_{l >= len} (1 - r*_l)`.
pub(super) fn padded_eq(point: &[Fr], r: &[Fr]) -> Result<Fr, PcsError> {
    let (head, tail) = r
        .split_at_checked(point.len())
        .ok_or(PcsError::PointLengthMismatch {
            table_len: r.len(),
            point_len: point.len(),
        })?;
    let head = eq_eval(point, head).map_err(|_| PcsError::PointLengthMismatch {
        table_len: r.len(),
        point_len: point.len(),
    })?;
    Ok(tail.iter().fold(head, |acc, x| acc * (Fr::one() - x)))
}

/// [`Aggregatable::verify_aggregate_bound`](crate::traits::Aggregatable::verify_aggregate_bound)
/// for [`crate::pedersen::PedersenIpa`].
pub(crate) fn verify_aggregate_bound<T: Transcript>(
    claims: &[CommittedClaim],
    proof: &AggregationProof,
    absorbed: usize,
    transcript: &mut T,
) -> Result<CommittedClaim, PcsError> {
    let shape = Shape::new(claims)?;
    // BN254 G1 has cofactor 1: a point on the curve is in the group.
    if shape.commitments.iter().any(|c| !c.0.is_on_curve()) {
        return Err(PcsError::InvalidPoint { what: "commitment" });
    }
    if proof.evals.len() != shape.commitments.len() {
        return Err(PcsError::WrongProofLength {
            expected: shape.commitments.len(),
            got: proof.evals.len(),
        });
    }
    let a = shape.absorb_statement(claims, absorbed, transcript);
    let reduced = sumcheck::verify(
        &proof.sumcheck,
        combined_value(claims, &a),
        shape.num_vars,
        AGGREGATE_DEGREE,
        transcript,
    )?;
    let mut expected = Fr::zero();
    for ((claim, a), &j) in claims.iter().zip(&a).zip(&shape.group) {
        let e = proof.evals.get(j).copied().unwrap_or_default();
        expected += *a * padded_eq(&claim.claim.point, &reduced.point)? * e;
    }
    sumcheck::check_final(shape.num_vars, reduced.value, expected)?;
    let b = shape.combination(&proof.evals, transcript);
    Ok(shape.output(reduced.point, &proof.evals, &b))
}
