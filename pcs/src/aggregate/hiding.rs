//! Hiding aggregation: claims reduced to one claim **without sending any table's
//! evaluation**, and with *linked pairs*: two claims whose common value is never sent
//! (the end of a run ties the last fold's model block to `C_WT` this way).
//!
//! # Protocol
//!
//! As [the aggregation](super) up to its sumcheck, with two changes:
//!
//! * a linked pair `(i, l)` is two claims stated with value 0 whose tables are claimed
//!   equal at their points (`f_i(r_i) = f_l(r_l)`, the value unknown to the verifier);
//!   after drawing `a_0, ..., a_{k-1}` the verifier sets `a_l = -a_i`, so the pair adds
//!   `a_i (f_i(r_i) - f_l(r_l)) = 0` to the sum and its value is never needed;
//! * after the sumcheck (ending at `r*` with the claim `s`) nothing more is sent: with the
//!   public weights `w_j = sum_{i in group j} a_i eq(r'_i, r*)`, the sumcheck's final check
//!   `s = sum_j w_j f'_j(r*)` *is* the claim that the table `sum_j w_j f'_j`, committed in
//!   `C* = sum_j w_j C_j`, takes `s` at `r*`: that is the output claim, opened later.
//!
//! **Soundness**: as the aggregation's (a false input claim, or a linked pair whose values
//! differ, changes the claimed sum by a non-zero multiple of a random `a_i`), with the
//! final check deferred to the output claim's opening. `C*` costs a full-size scalar
//! multiplication per distinct commitment (the plain aggregation's `b_j` are 128-bit for
//! the in-circuit verifier): meant for native verifiers.
//!
//! **Zero knowledge** needs two masks. The messages are the `n` round polynomials (degree
//! 2) and, through the output claim, `s`; given the claimed sum they hold `2n` free values,
//! all linear in the tables. A claim `(C_g, r_g, v_g)` on a uniformly random table `g`
//! adds `a eq(r_g[..i], r*[..i]) eq(r_g[i], X) g~(r*[..i], X, r_g[i+1..])` to round `i`:
//! a multiple of the linear factor `eq(r_g[i], X)`, and only `n + 1` independent
//! evaluations of `g` over all rounds (`v_g` among them). One mask therefore leaves `n`
//! directions of the round polynomials unmasked (the value at the root of
//! `eq(r_g[i], X)`, say). Two masks at points that differ in every coordinate span every
//! quadratic in each round, and together give `2n + 2` independent uniform values for
//! the `2n` free message values and the two masks' own values: except for challenges in
//! a set of negligible density, the messages and the masks' values are jointly uniform,
//! so the transcript is simulated from the claimed sum alone. A run's end folds the
//! accumulator (whose table carries the statement's mask with coefficient 1) with a
//! fresh mask claim, so both are present. Without masks this protocol hides only the
//! values of linked pairs and the per-table evaluations, not the round polynomials.
//!
//! # Transcript order
//!
//! 1. `absorb_bytes(HIDING_LABEL)`; `absorb_u64(n)`, `absorb_u64(k)`;
//! 2. `absorb_u64(number of pairs)`, then each pair's two indices;
//! 3. every claim by [`CommittedClaim::absorb_into`] (linked claims with value 0);
//! 4. `a_i = challenge()` for `i = 0..k`, then `a_l = -a_i` per pair;
//! 5. the sumcheck on `sum_i a_i v_i`, `n` rounds of degree 2.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ark_ec::{CurveGroup, VariableBaseMSM};
use ark_ff::Zero;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use zkpot_core::{
    sumcheck::{self, SumcheckProof},
    Fr, G1Affine, Transcript, G1,
};

use super::{
    combine, group_openings,
    verifier::{combined_value, padded_eq, Shape},
    PaddedProducts, AGGREGATE_DEGREE,
};
use crate::{
    error::PcsError,
    pedersen::{Commitment, Opening},
    traits::CommittedClaim,
};

/// The label absorbed first by every hiding aggregation.
pub const HIDING_LABEL: &[u8] = b"zkpot-aggregate/hiding";

/// The proof of a hiding aggregation: the sumcheck only.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct HidingAggregationProof {
    /// The sumcheck moving every claim to one point `r*`.
    pub sumcheck: SumcheckProof,
}

/// Errors unless every pair has two distinct in-range indices, no index is in two pairs,
/// and linked claims are stated with value 0.
fn check_links(claims: &[CommittedClaim], links: &[(usize, usize)]) -> Result<(), PcsError> {
    let mut used = vec![false; claims.len()];
    for &(i, l) in links {
        if i == l {
            return Err(PcsError::BadLinks {
                reason: "a claim linked to itself",
            });
        }
        for x in [i, l] {
            match (used.get_mut(x), claims.get(x)) {
                (Some(u), Some(c)) if !*u => {
                    if !c.claim.value.is_zero() {
                        return Err(PcsError::BadLinks {
                            reason: "a linked claim is stated with a value",
                        });
                    }
                    *u = true;
                }
                (Some(_), Some(_)) => {
                    return Err(PcsError::BadLinks {
                        reason: "a claim in two pairs",
                    })
                }
                _ => {
                    return Err(PcsError::BadLinks {
                        reason: "a pair names no claim",
                    })
                }
            }
        }
    }
    Ok(())
}

/// Steps 1 to 4: returns the `a_i` (with `a_l = -a_i` per pair).
fn absorb_statement<T: Transcript>(
    shape: &Shape,
    claims: &[CommittedClaim],
    links: &[(usize, usize)],
    t: &mut T,
) -> Vec<Fr> {
    t.absorb_bytes(HIDING_LABEL);
    t.absorb_u64(shape.num_vars as u64);
    t.absorb_u64(claims.len() as u64);
    t.absorb_u64(links.len() as u64);
    for &(i, l) in links {
        t.absorb_u64(i as u64);
        t.absorb_u64(l as u64);
    }
    claims.iter().for_each(|c| c.absorb_into(t));
    let mut a = t.challenges(claims.len());
    for &(i, l) in links {
        if let Some(ai) = a.get(i).copied() {
            if let Some(al) = a.get_mut(l) {
                *al = -ai;
            }
        }
    }
    a
}

/// `w_j = sum_{i in group j} a_i eq(r'_i, r*)`.
fn weights(
    shape: &Shape,
    claims: &[CommittedClaim],
    a: &[Fr],
    point: &[Fr],
) -> Result<Vec<Fr>, PcsError> {
    let mut w = vec![Fr::zero(); shape.commitments.len()];
    for ((claim, a), &j) in claims.iter().zip(a).zip(&shape.group) {
        if let Some(w) = w.get_mut(j) {
            *w += *a * padded_eq(&claim.claim.point, point)?;
        }
    }
    Ok(w)
}

/// The output claim `(sum_j w_j C_j, r*, s)`.
fn output(shape: &Shape, w: &[Fr], point: Vec<Fr>, value: Fr) -> CommittedClaim {
    let bases: Vec<G1Affine> = shape.commitments.iter().map(|c| c.0).collect();
    let commitment = G1::msm_unchecked(&bases, w);
    CommittedClaim::new(Commitment(commitment.into_affine()), point, value)
}

/// Reduces `claims` (with their `openings`, one per claim; linked claims stated with value
/// 0) to one claim, its opening and the proof, on `transcript` (see the [module
/// docs](self)). False claims give a claim whose opening the verifier rejects.
pub fn aggregate_hiding<T: Transcript>(
    claims: &[CommittedClaim],
    openings: &[&Opening],
    links: &[(usize, usize)],
    transcript: &mut T,
) -> Result<(CommittedClaim, Opening, HidingAggregationProof), PcsError> {
    let shape = Shape::new(claims)?;
    check_links(claims, links)?;
    let chosen = group_openings(&shape, claims, openings)?;
    let tables: Vec<&Opening> = chosen
        .iter()
        .filter_map(|&i| openings.get(i).copied())
        .collect();
    let a = absorb_statement(&shape, claims, links, transcript);
    let mut prover = PaddedProducts::for_claims(&shape, claims, &tables, &a);
    let out = sumcheck::prove(&mut prover, combined_value(claims, &a), transcript);
    let w = weights(&shape, claims, &a, &out.point)?;
    let opening = combine(&tables, &w, shape.num_vars);
    let claim = output(&shape, &w, out.point, out.final_claim);
    Ok((
        claim,
        opening,
        HidingAggregationProof {
            sumcheck: out.proof,
        },
    ))
}

/// Checks `proof` against `claims` and `links` and returns the output claim: if its
/// opening holds then, except with negligible probability, every input claim holds and
/// every linked pair's tables agree. Never panics.
pub fn verify_aggregate_hiding<T: Transcript>(
    claims: &[CommittedClaim],
    links: &[(usize, usize)],
    proof: &HidingAggregationProof,
    transcript: &mut T,
) -> Result<CommittedClaim, PcsError> {
    let shape = Shape::new(claims)?;
    // BN254 G1 has cofactor 1: a point on the curve is in the group.
    if shape.commitments.iter().any(|c| !c.0.is_on_curve()) {
        return Err(PcsError::InvalidPoint { what: "commitment" });
    }
    check_links(claims, links)?;
    let a = absorb_statement(&shape, claims, links, transcript);
    let reduced = sumcheck::verify(
        &proof.sumcheck,
        combined_value(claims, &a),
        shape.num_vars,
        AGGREGATE_DEGREE,
        transcript,
    )?;
    let w = weights(&shape, claims, &a, &reduced.point)?;
    Ok(output(&shape, &w, reduced.point, reduced.value))
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used)]
mod tests {
    use ark_ff::{One, UniformRand};
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;
    use zkpot_core::{evaluate_slice, CpuBackend, PoseidonTranscript};

    use super::*;
    use crate::{traits::CommitKey, PedersenKey};

    struct Table {
        opening: Opening,
        commitment: Commitment,
    }

    fn table(key: &PedersenKey, vars: usize, rng: &mut ChaCha20Rng) -> Table {
        let values: Vec<Fr> = (0..1 << vars).map(|_| Fr::rand(rng)).collect();
        let blind = Fr::rand(rng);
        let commitment = key.commit(&CpuBackend, &values, blind).unwrap();
        Table {
            opening: Opening {
                table: values,
                blind,
            },
            commitment,
        }
    }

    fn point(vars: usize, rng: &mut ChaCha20Rng) -> Vec<Fr> {
        (0..vars).map(|_| Fr::rand(rng)).collect()
    }

    /// The output claim holds for its opening: the commitment and the value.
    fn holds(key: &PedersenKey, claim: &CommittedClaim, opening: &Opening) -> bool {
        key.commit(&CpuBackend, &opening.table, opening.blind)
            .unwrap()
            == claim.commitment
            && evaluate_slice(&opening.table, &claim.claim.point).unwrap() == claim.claim.value
    }

    #[test]
    fn hiding_aggregation_is_complete_sound_and_ties_linked_pairs() {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let key = PedersenKey::setup(b"test/hiding", 1 << 6);
        let acc = table(&key, 6, &mut rng);
        let model = table(&key, 3, &mut rng);
        // A fold table whose block (top 3 variables fixed to 1, 0, 1) is the model.
        let mut fold = table(&key, 6, &mut rng);
        let block = [Fr::one(), Fr::zero(), Fr::one()];
        for (k, v) in model.opening.table.iter().enumerate() {
            fold.opening.table[k + (0b101 << 3)] = *v;
        }
        fold.commitment = key
            .commit(&CpuBackend, &fold.opening.table, fold.opening.blind)
            .unwrap();
        let r_acc = point(6, &mut rng);
        let r = point(3, &mut rng);
        let mut in_fold = r.clone();
        in_fold.extend(block);
        let v_acc = evaluate_slice(&acc.opening.table, &r_acc).unwrap();
        let claims = vec![
            CommittedClaim::new(acc.commitment, r_acc.clone(), v_acc),
            CommittedClaim::new(fold.commitment, in_fold.clone(), Fr::zero()),
            CommittedClaim::new(model.commitment, r.clone(), Fr::zero()),
        ];
        let openings = [&acc.opening, &fold.opening, &model.opening];
        let links = [(1, 2)];
        let run = |claims: &[CommittedClaim], openings: &[&Opening], links: &[(usize, usize)]| {
            let mut t = PoseidonTranscript::new(b"test");
            let (claim, opening, proof) =
                aggregate_hiding(claims, openings, links, &mut t).unwrap();
            let mut t = PoseidonTranscript::new(b"test");
            let checked = verify_aggregate_hiding(claims, links, &proof, &mut t).unwrap();
            assert_eq!(checked, claim);
            (claim, opening)
        };
        let (claim, opening) = run(&claims, &openings, &links);
        assert!(holds(&key, &claim, &opening));

        // A false accumulator value.
        let mut bad = claims.clone();
        bad[0].claim.value += Fr::one();
        let (claim, opening) = run(&bad, &openings, &links);
        assert!(!holds(&key, &claim, &opening));
        // A model that differs from the fold's block at r: the pair no longer cancels.
        let mut other = model.opening.clone();
        other.table[2] += Fr::one();
        let other_commitment = key.commit(&CpuBackend, &other.table, other.blind).unwrap();
        let mut bad = claims.clone();
        bad[2].commitment = other_commitment;
        let (claim, opening) = run(&bad, &[&acc.opening, &fold.opening, &other], &links);
        assert!(!holds(&key, &claim, &opening));
        // Malformed links are refused.
        let mut t = PoseidonTranscript::new(b"test");
        for links in [
            vec![(1, 1)],
            vec![(1, 2), (2, 0)],
            vec![(1, 7)],
            vec![(0, 2)],
        ] {
            assert!(matches!(
                aggregate_hiding(&claims, &openings, &links, &mut t),
                Err(PcsError::BadLinks { .. })
            ));
        }
    }
}
