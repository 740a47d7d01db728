//! The claim aggregation verifier in-circuit: [`verify_aggregate`], the twin of
//! [`Aggregatable::verify_aggregate`](crate::traits::Aggregatable::verify_aggregate) for
//! [`PedersenIpa`](crate::pedersen::PedersenIpa), with the same transcript order, so every
//! challenge agrees bit for bit (the accumulator's fold gadget,
//! [`crate::accumulator::constraints`], is this on `[acc] ++ claims`). Tested against the
//! native verifier in `pcs/tests/gadgets.rs`.
//!
//! # What stays outside the circuit
//!
//! No curve arithmetic happens here (it goes to CycleFold, `DESIGN.md` section 6).
//! Commitments come in as the four limbs of
//! [`point_to_fields`](zkpot_core::point_to_fields) (`[FrVar; 4]`), which the caller
//! allocates and constrains to be the point it means (limb ranges, on the curve: the
//! native verifier's `is_on_curve` check). The aggregation gadgets check everything of
//! the aggregation except the combination `C* = C_0 + sum_{j >= 1} b_j C_j`: they return
//! the output claim's point and value, and each `b_j` as a value and its 128
//! little-endian bits, so the caller can request `C*` as point operations.
//!
//! # Fixed grouping
//!
//! The native verifier groups claims by commitment **equality** (distinct commitments in
//! order of first appearance), so its proof's shape depends on the values of the
//! commitments. A circuit's structure cannot: here the grouping is public structure, an
//! [`AggregationShape`] mapping claim `i` to a commitment *slot* `group[i]`, and the
//! caller passes one commitment per slot (never one per claim). Claim `i` is then, by
//! construction, the native claim `(commitments[group[i]], point_i, value_i)`, and the
//! native grouping of those claims is exactly `group` if and only if
//!
//! 1. `group` numbers the slots in order of first appearance (`0` first, each new slot
//!    one more than the largest before it), which [`AggregationShape::new`] checks, and
//! 2. the slots' commitments are pairwise distinct, which the gadget **enforces**
//!    (a few constraints per pair of slots).
//!
//! So the circuit is satisfiable exactly when the native verifier, given the same claims
//! and the same proof, accepts and has grouped them as the shape says. An honest prover
//! whose commitments coincide (probability negligible with hiding commitments) cannot
//! use the shape; a malicious one gains nothing from it.

use std::cmp::Ordering;

use ark_ff::Zero;
use ark_r1cs_std::{boolean::Boolean, eq::EqGadget, fields::fp::FpVar, fields::FieldVar};
use ark_relations::gr1cs::{Namespace, SynthesisError};
use zkpot_core::{
    constraints::{self as core_gadgets, ClaimVar, FrVar, TranscriptVar},
    sumcheck::SumcheckProof,
    Fr,
};

use super::{AggregationProof, AGGREGATE_DEGREE, AGGREGATE_LABEL};
use crate::{accumulator::Accumulator, pedersen::Commitment, traits::CommittedClaim};

/// The public structure of one aggregation: the point length of every claim and the
/// commitment slot of every claim. It fixes the circuit (and the shape of the proof it
/// accepts); see the [module docs](self) for how it agrees with the native grouping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AggregationShape {
    point_lens: Vec<usize>,
    group: Vec<usize>,
    num_vars: usize,
    num_slots: usize,
}

impl AggregationShape {
    /// The shape of claims `i` with points of `point_lens[i]` coordinates on the
    /// commitment in slot `group[i]`. A synthesis error unless there is at least one
    /// claim, both lists have one entry per claim, and `group` numbers the slots in order
    /// of first appearance (`group[0] = 0`, `group[i] <= max(group[..i]) + 1`), the
    /// order in which the native verifier numbers distinct commitments.
    pub fn new(point_lens: Vec<usize>, group: Vec<usize>) -> Result<Self, SynthesisError> {
        if point_lens.is_empty() || point_lens.len() != group.len() {
            return Err(SynthesisError::Unsatisfiable);
        }
        let mut num_slots = 0;
        for &g in &group {
            match g.cmp(&num_slots) {
                Ordering::Less => {}
                Ordering::Equal => num_slots += 1,
                Ordering::Greater => return Err(SynthesisError::Unsatisfiable),
            }
        }
        let num_vars = point_lens.iter().copied().max().unwrap_or(0);
        Ok(AggregationShape {
            point_lens,
            group,
            num_vars,
            num_slots,
        })
    }

    /// The shape the native verifier derives from `claims`: their point lengths, and
    /// their commitments grouped by equality, numbered in order of first appearance.
    pub fn of_claims(claims: &[CommittedClaim]) -> Result<Self, SynthesisError> {
        let mut distinct: Vec<&Commitment> = Vec::new();
        let group = claims
            .iter()
            .map(
                |c| match distinct.iter().position(|d| **d == c.commitment) {
                    Some(j) => j,
                    None => {
                        distinct.push(&c.commitment);
                        distinct.len() - 1
                    }
                },
            )
            .collect();
        Self::new(claims.iter().map(|c| c.claim.point.len()).collect(), group)
    }

    /// The shape of a fold ([`verify_fold`](crate::accumulator::constraints::verify_fold)): the aggregation of the accumulator's claim
    /// (`acc_num_vars` coordinates, slot 0) followed by claims `i` with points of
    /// `point_lens[i]` coordinates on slot `group[i]`, where slot 0 is the accumulator's
    /// commitment and the folded commitments are slots `1, 2, ...` in order of first
    /// appearance.
    pub fn fold(
        acc_num_vars: usize,
        point_lens: &[usize],
        group: &[usize],
    ) -> Result<Self, SynthesisError> {
        Self::new(
            std::iter::once(acc_num_vars)
                .chain(point_lens.iter().copied())
                .collect(),
            std::iter::once(0).chain(group.iter().copied()).collect(),
        )
    }

    /// The shape the native [`Accumulator::verify_fold`] derives when folding `claims`
    /// into `acc`: [`AggregationShape::of_claims`] of `[acc.claim] ++ claims`.
    pub fn of_fold(acc: &Accumulator, claims: &[CommittedClaim]) -> Result<Self, SynthesisError> {
        let all: Vec<CommittedClaim> = std::iter::once(&acc.claim).chain(claims).cloned().collect();
        Self::of_claims(&all)
    }

    /// The number of sumcheck rounds: the largest point length, `n`.
    pub fn num_vars(&self) -> usize {
        self.num_vars
    }

    /// The number of claims, `k`.
    pub fn num_claims(&self) -> usize {
        self.group.len()
    }

    /// The number of commitment slots (distinct commitments), `m`.
    pub fn num_slots(&self) -> usize {
        self.num_slots
    }

    /// Every claim's point length.
    pub fn point_lens(&self) -> &[usize] {
        &self.point_lens
    }

    /// Every claim's commitment slot.
    pub fn group(&self) -> &[usize] {
        &self.group
    }

    /// An all-zero proof of this shape: a stand-in to synthesize the circuit when no
    /// real proof exists yet (key generation); it does not verify.
    pub fn zero_proof(&self) -> AggregationProof {
        AggregationProof {
            sumcheck: SumcheckProof {
                rounds: vec![vec![Fr::zero(); AGGREGATE_DEGREE]; self.num_vars],
            },
            evals: vec![Fr::zero(); self.num_slots],
        }
    }

    /// Whether `proof` has this shape: `n` rounds of [`AGGREGATE_DEGREE`] coefficients
    /// and one eval per slot.
    fn fits(&self, rounds: &[Vec<impl Sized>], evals: usize) -> bool {
        rounds.len() == self.num_vars
            && rounds.iter().all(|c| c.len() == AGGREGATE_DEGREE)
            && evals == self.num_slots
    }
}

/// An [`AggregationProof`] in-circuit: every prover message is a witness.
#[derive(Clone, Debug)]
pub struct AggregationProofVar {
    /// The sumcheck's rounds, each the compressed coefficients `[c_0, c_2]`.
    pub rounds: Vec<Vec<FrVar>>,
    /// Each slot's table at `r*`, `e_j`.
    pub evals: Vec<FrVar>,
}

impl AggregationProofVar {
    /// Allocates `proof` as witnesses. A synthesis error if `proof` does not have the
    /// shape `shape` prescribes ([`AggregationShape::num_vars`] rounds of
    /// [`AGGREGATE_DEGREE`] coefficients, [`AggregationShape::num_slots`] evals): the
    /// circuit depends on the public shape only, never on the proof.
    pub fn new_witness(
        cs: impl Into<Namespace<Fr>>,
        proof: &AggregationProof,
        shape: &AggregationShape,
    ) -> Result<Self, SynthesisError> {
        if !shape.fits(&proof.sumcheck.rounds, proof.evals.len()) {
            return Err(SynthesisError::Unsatisfiable);
        }
        let cs = cs.into().cs();
        Ok(AggregationProofVar {
            rounds: core_gadgets::alloc_sumcheck(
                &cs,
                &proof.sumcheck,
                shape.num_vars(),
                AGGREGATE_DEGREE,
            )?,
            evals: core_gadgets::alloc_witnesses(&cs, &proof.evals)?,
        })
    }
}

/// The output of [`verify_aggregate`] and [`verify_fold`](crate::accumulator::constraints::verify_fold): the output claim less its
/// commitment, and the coefficients the caller needs to compute that commitment,
/// `C* = C_0 + sum_{j >= 1} b_j C_j` over the slots' commitments.
#[derive(Clone, Debug)]
pub struct AggregatedVar {
    /// `r*`, the sumcheck's point (`n` coordinates).
    pub point: Vec<FrVar>,
    /// `v* = e_0 + sum_{j >= 1} b_j e_j`.
    pub value: FrVar,
    /// `b_j` for the slots `j = 1..m` (`coefficients[j - 1]`; `b_0 = 1` is implicit):
    /// the 128-bit challenge's value and its 128 little-endian bits, as
    /// [`TranscriptVar::challenge_128`] returns them.
    pub coefficients: Vec<(FrVar, Vec<Boolean<Fr>>)>,
}

/// The claim aggregation verifier of
/// [`Pedersen::verify_aggregate`](crate::aggregate::Aggregatable::verify_aggregate)
/// in-circuit, for the claims `(commitments[group[i]], claims[i].point, claims[i].value)`
/// with the grouping of `shape` (see the [module docs](self): the slots' commitments are
/// enforced pairwise distinct, so the native verifier groups the same way).
///
/// Absorbs exactly what the native verifier absorbs, in its order (the
/// [`crate::aggregate`] module docs): the label, `n`, `k` and every claim's point
/// length as constants, every claim's commitment limbs, point and value, the sumcheck
/// (rounds of the witness `proof`), the evals; the challenges are the native ones.
/// Enforces the sumcheck's final check and returns `r*`, `v*` and the `b_j`; the caller
/// computes `C*` from them (no curve arithmetic here) and constrains every limb it
/// passes in. A `commitments`, `claims` or `proof` whose sizes differ from `shape`'s is a
/// synthesis error; a false claim or proof leaves the circuit unsatisfied.
pub fn verify_aggregate(
    shape: &AggregationShape,
    commitments: &[[FrVar; 4]],
    claims: &[ClaimVar],
    proof: &AggregationProofVar,
    transcript: &mut TranscriptVar,
) -> Result<AggregatedVar, SynthesisError> {
    verify_aggregate_bound(shape, commitments, claims, claims.len(), proof, transcript)
}

/// [`Aggregatable::verify_aggregate_bound`](crate::traits::Aggregatable::verify_aggregate_bound)
/// in-circuit: [`verify_aggregate`] absorbing only the first `absorbed` claims. Sound only
/// when `transcript` already binds the others (their slots' commitments, points and
/// values).
pub fn verify_aggregate_bound(
    shape: &AggregationShape,
    commitments: &[[FrVar; 4]],
    claims: &[ClaimVar],
    absorbed: usize,
    proof: &AggregationProofVar,
    transcript: &mut TranscriptVar,
) -> Result<AggregatedVar, SynthesisError> {
    if commitments.len() != shape.num_slots
        || claims.len() != shape.num_claims()
        || claims
            .iter()
            .zip(&shape.point_lens)
            .any(|(c, &len)| c.point.len() != len)
        || !shape.fits(&proof.rounds, proof.evals.len())
    {
        return Err(SynthesisError::Unsatisfiable);
    }
    enforce_distinct(commitments)?;
    let a = absorb_statement(shape, commitments, claims, absorbed, transcript)?;
    let mut combined = FpVar::zero();
    for (claim, a) in claims.iter().zip(&a) {
        combined += &claim.value * a;
    }
    let reduced = core_gadgets::verify_sumcheck(
        &proof.rounds,
        &combined,
        shape.num_vars,
        AGGREGATE_DEGREE,
        transcript,
    )?;
    let expected = final_summand(shape, claims, &a, &reduced.point, &proof.evals)?;
    core_gadgets::check_final(&reduced.value, &expected)?;
    transcript.absorb_fields(&proof.evals)?;
    let coefficients = (1..shape.num_slots)
        .map(|_| transcript.challenge_128())
        .collect::<Result<Vec<_>, _>>()?;
    let (first, rest) = proof
        .evals
        .split_first()
        .ok_or(SynthesisError::Unsatisfiable)?;
    let mut value = first.clone();
    for (e, (b, _)) in rest.iter().zip(&coefficients) {
        value += e * b;
    }
    Ok(AggregatedVar {
        point: reduced.point,
        value,
        coefficients,
    })
}

/// Enforces that no two slots hold the same limbs (so the native verifier, which groups
/// by equality, would not merge them).
pub fn enforce_distinct(commitments: &[[FrVar; 4]]) -> Result<(), SynthesisError> {
    for (j, c) in commitments.iter().enumerate() {
        for d in &commitments[j + 1..] {
            let same = c
                .iter()
                .zip(d)
                .map(|(x, y)| x.is_eq(y))
                .collect::<Result<Vec<_>, _>>()?;
            Boolean::kary_and(&same)?.enforce_equal(&Boolean::FALSE)?;
        }
    }
    Ok(())
}

/// Transcript steps 1 to 4 of [`crate::aggregate`]: the label, `n`, `k`, every claim
/// (its slot's limbs, its point length, its point, its value); returns the `a_i`.
fn absorb_statement(
    shape: &AggregationShape,
    commitments: &[[FrVar; 4]],
    claims: &[ClaimVar],
    absorbed: usize,
    transcript: &mut TranscriptVar,
) -> Result<Vec<FrVar>, SynthesisError> {
    transcript.absorb_bytes(AGGREGATE_LABEL)?;
    transcript.absorb_u64(shape.num_vars as u64)?;
    transcript.absorb_u64(claims.len() as u64)?;
    for (claim, &j) in claims.iter().zip(&shape.group).take(absorbed) {
        let limbs = commitments.get(j).ok_or(SynthesisError::Unsatisfiable)?;
        transcript.absorb_point(limbs)?;
        transcript.absorb_u64(claim.point.len() as u64)?;
        transcript.absorb_fields(&claim.point)?;
        transcript.absorb_field(&claim.value)?;
    }
    transcript.challenges(claims.len())
}

/// The sumcheck's summand at `r*` from the evals:
/// `sum_j e_j sum_{i in slot j} a_i eq(r'_i, r*)`, with `eq(r'_i, r*)` of the point
/// padded with zeros, `eq(r_i, r*[..len_i]) prod_{l >= len_i} (1 - r*_l)`.
fn final_summand(
    shape: &AggregationShape,
    claims: &[ClaimVar],
    a: &[FrVar],
    r: &[FrVar],
    evals: &[FrVar],
) -> Result<FrVar, SynthesisError> {
    // tails[l] = prod_{l' >= l} (1 - r_l'), for l from the shortest point length to n.
    let shortest = shape.point_lens.iter().copied().min().unwrap_or(0);
    let mut tails = vec![FpVar::one(); r.len() + 1];
    for l in (shortest..r.len()).rev() {
        tails[l] = &tails[l + 1] * (FpVar::one() - &r[l]);
    }
    let mut per_slot = vec![FpVar::zero(); shape.num_slots];
    for ((claim, a), &j) in claims.iter().zip(a).zip(&shape.group) {
        let len = claim.point.len();
        let (head, tail) = (
            r.get(..len).ok_or(SynthesisError::Unsatisfiable)?,
            tails.get(len).ok_or(SynthesisError::Unsatisfiable)?,
        );
        let eq = core_gadgets::eq_eval(&claim.point, head)? * tail;
        let slot = per_slot.get_mut(j).ok_or(SynthesisError::Unsatisfiable)?;
        *slot += eq * a;
    }
    let mut sum = FpVar::zero();
    for (s, e) in per_slot.iter().zip(evals) {
        sum += s * e;
    }
    Ok(sum)
}

/// The constraint profile of the aggregation gadget (replays its private steps).
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use ark_ff::UniformRand;
    use ark_r1cs_std::alloc::AllocVar;
    use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef};
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    use super::*;

    const LABEL: &[u8] = b"zkpot-test-aggregate-gadget";

    fn gadget_transcript(cs: &ConstraintSystemRef<Fr>) -> TranscriptVar {
        let mut t = TranscriptVar::new(cs.clone(), LABEL).unwrap();
        t.absorb_u64(7).unwrap();
        t
    }

    fn witness(cs: &ConstraintSystemRef<Fr>, x: Fr) -> FrVar {
        FpVar::new_witness(cs.clone(), || Ok(x)).unwrap()
    }

    /// Random witnesses of a shape's sizes (values do not change the constraint count).
    fn random_inputs(
        cs: &ConstraintSystemRef<Fr>,
        shape: &AggregationShape,
        rng: &mut ChaCha20Rng,
    ) -> (Vec<[FrVar; 4]>, Vec<ClaimVar>) {
        let slots = (0..shape.num_slots())
            .map(|_| [(); 4].map(|_| witness(cs, Fr::rand(rng))))
            .collect();
        let claims = shape
            .point_lens()
            .iter()
            .map(|&len| ClaimVar {
                point: (0..len).map(|_| witness(cs, Fr::rand(rng))).collect(),
                value: witness(cs, Fr::rand(rng)),
            })
            .collect();
        (slots, claims)
    }

    /// The constraints of one aggregation of `shape`, by phase, replaying the gadget's
    /// steps on one constraint system (checked against the gadget's own total).
    fn constraint_counts(shape: &AggregationShape) -> Vec<(&'static str, usize)> {
        let mut rng = ChaCha20Rng::seed_from_u64(16);
        let total = {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let mut t = gadget_transcript(&cs);
            let (slots, claims) = random_inputs(&cs, shape, &mut rng);
            let proof =
                AggregationProofVar::new_witness(cs.clone(), &shape.zero_proof(), shape).unwrap();
            verify_aggregate(shape, &slots, &claims, &proof, &mut t).unwrap();
            cs.num_constraints()
        };
        let cs = ConstraintSystem::<Fr>::new_ref();
        let mut t = gadget_transcript(&cs);
        let (slots, claims) = random_inputs(&cs, shape, &mut rng);
        let proof =
            AggregationProofVar::new_witness(cs.clone(), &shape.zero_proof(), shape).unwrap();
        let mut counts = Vec::new();
        let mut last = cs.num_constraints();
        let mut mark = |what, counts: &mut Vec<(&'static str, usize)>| {
            let now = cs.num_constraints();
            counts.push((what, now - last));
            last = now;
        };
        enforce_distinct(&slots).unwrap();
        mark("distinct slots", &mut counts);
        let a = absorb_statement(shape, &slots, &claims, claims.len(), &mut t).unwrap();
        mark(
            "transcript: absorb the claims, squeeze the a_i",
            &mut counts,
        );
        let mut combined = FpVar::zero();
        for (c, a) in claims.iter().zip(&a) {
            combined += &c.value * a;
        }
        mark("sum a_i v_i", &mut counts);
        let reduced = core_gadgets::verify_sumcheck(
            &proof.rounds,
            &combined,
            shape.num_vars(),
            AGGREGATE_DEGREE,
            &mut t,
        )
        .unwrap();
        mark("sumcheck (mostly its transcript)", &mut counts);
        let expected = final_summand(shape, &claims, &a, &reduced.point, &proof.evals).unwrap();
        core_gadgets::check_final(&reduced.value, &expected).unwrap();
        mark("final check: eq(r'_i, r*) and the evals", &mut counts);
        t.absorb_fields(&proof.evals).unwrap();
        let b: Vec<_> = (1..shape.num_slots())
            .map(|_| t.challenge_128().unwrap())
            .collect();
        let mut _value = proof.evals[0].clone();
        for (e, (b, _)) in proof.evals[1..].iter().zip(&b) {
            _value += e * b;
        }
        mark(
            "transcript: absorb the evals, squeeze the b_j (bits); v*",
            &mut counts,
        );
        assert_eq!(counts.iter().map(|c| c.1).sum::<usize>(), total);
        counts
    }

    /// Prints the constraint counts of realistic sizes (run with `--nocapture`): 100
    /// claims on tables of 2^24 entries over 3 commitments, aggregated, and folded into
    /// an accumulator of 24 variables.
    #[test]
    fn constraint_count_of_a_realistic_aggregation() {
        let group: Vec<usize> = (0..100).map(|i| i % 3).collect();
        let lens = vec![24; 100];
        for (what, shape) in [
            (
                "aggregate 100 claims, 24 vars, 3 commitments",
                AggregationShape::new(lens.clone(), group.clone()).unwrap(),
            ),
            (
                "fold 100 claims, 24 vars, 3 commitments into the accumulator",
                AggregationShape::fold(24, &lens, &group.iter().map(|g| g + 1).collect::<Vec<_>>())
                    .unwrap(),
            ),
            (
                "fold 3 claims (one per commitment), 24 vars",
                AggregationShape::fold(24, &[24; 3], &[1, 2, 3]).unwrap(),
            ),
        ] {
            let counts = constraint_counts(&shape);
            let total: usize = counts.iter().map(|c| c.1).sum();
            println!("{what}: {total} constraints");
            for (phase, n) in counts {
                println!("  {n:>8}  {phase}");
            }
        }
    }
}
