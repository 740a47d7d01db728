//! In-circuit twins of `pcs`'s verifier-side pieces, for the IVC step circuit, each
//! tested against its native twin on a plain `ConstraintSystem`.
//!
//! * [`verify_path`]: the Merkle path check of [`crate::merkle::verify_path`] (the chunk's
//!   membership in `C_data`), with the same hashing ([`leaf_hash`], [`node_hash`],
//!   [`root_hash`]: fresh Poseidon sponges with [`poseidon_config`] and the domain tags of
//!   [`crate::merkle`]).
//! * [`verify_aggregate`]: the claim aggregation verifier of
//!   [`Aggregatable::verify_aggregate`](crate::aggregate::Aggregatable::verify_aggregate)
//!   for [`Pedersen`](crate::aggregate::Pedersen), and [`verify_fold`], the accumulator
//!   fold verifier of [`Accumulator::verify_fold`], with the same transcript order, so
//!   every challenge agrees bit for bit.
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

use ark_crypto_primitives::sponge::{
    constraints::CryptographicSpongeVar,
    poseidon::{constraints::PoseidonSpongeVar, PoseidonSponge},
};
use ark_ff::Zero;
use ark_r1cs_std::{
    boolean::Boolean, eq::EqGadget, fields::fp::FpVar, fields::FieldVar, select::CondSelectGadget,
};
use ark_relations::gr1cs::{ConstraintSystemRef, Namespace, SynthesisError};
use zkpot_core::{
    constraints::{self as core_gadgets, FrVar, TranscriptVar},
    poseidon_config,
    sumcheck::SumcheckProof,
    Fr,
};

use crate::{
    accumulator::{Accumulator, FoldProof},
    aggregate::{AggregationProof, Claim, AGGREGATE_DEGREE, AGGREGATE_LABEL},
    merkle::{tree_depth, LEAF_TAG, NODE_TAG, ROOT_TAG},
    pedersen::Commitment,
};

/// A fresh sponge absorbs the constant `tag` then `inputs`, and squeezes one element.
fn hash(cs: &ConstraintSystemRef<Fr>, tag: u64, inputs: &[FrVar]) -> Result<FrVar, SynthesisError> {
    let mut sponge = <PoseidonSpongeVar<Fr> as CryptographicSpongeVar<Fr, PoseidonSponge<Fr>>>::new(
        cs.clone(),
        &poseidon_config(),
    );
    sponge.absorb(&FpVar::constant(Fr::from(tag)))?;
    sponge.absorb(&inputs.to_vec())?;
    sponge
        .squeeze_field_elements(1)?
        .pop()
        .ok_or(SynthesisError::AssignmentMissing)
}

/// [`crate::merkle::leaf_hash`] of a commitment given as its four limbs
/// ([`zkpot_core::point_to_fields`]).
pub fn leaf_hash(
    cs: &ConstraintSystemRef<Fr>,
    limbs: &[FrVar; 4],
) -> Result<FrVar, SynthesisError> {
    hash(cs, LEAF_TAG, limbs)
}

/// [`crate::merkle::node_hash`].
pub fn node_hash(
    cs: &ConstraintSystemRef<Fr>,
    left: &FrVar,
    right: &FrVar,
) -> Result<FrVar, SynthesisError> {
    hash(cs, NODE_TAG, &[left.clone(), right.clone()])
}

/// [`crate::merkle::root_hash`] for a public number of leaves.
pub fn root_hash(
    cs: &ConstraintSystemRef<Fr>,
    num_leaves: u64,
    tree_root: &FrVar,
) -> Result<FrVar, SynthesisError> {
    hash(
        cs,
        ROOT_TAG,
        &[FpVar::constant(Fr::from(num_leaves)), tree_root.clone()],
    )
}

/// Enforces that the commitment with limbs `leaf` sits at the index whose little-endian
/// bits are `index_bits` in the tree of `num_leaves` (public) leaves with root `root`:
/// exactly [`tree_depth`]`(num_leaves)` bits and siblings, the index below `num_leaves`,
/// and hashing up (bit `j` set: the node is a right child) then [`root_hash`] gives
/// `root`. A path of the wrong length is a synthesis error; a wrong path leaves the
/// circuit unsatisfied.
pub fn verify_path(
    cs: &ConstraintSystemRef<Fr>,
    root: &FrVar,
    num_leaves: u64,
    leaf: &[FrVar; 4],
    index_bits: &[Boolean<Fr>],
    siblings: &[FrVar],
) -> Result<(), SynthesisError> {
    let depth = tree_depth(num_leaves);
    if num_leaves == 0 || index_bits.len() != depth || siblings.len() != depth {
        return Err(SynthesisError::Unsatisfiable);
    }
    let index = Boolean::le_bits_to_fp(index_bits)?;
    index.enforce_cmp(
        &FpVar::constant(Fr::from(num_leaves)),
        Ordering::Less,
        false,
    )?;
    let mut node = leaf_hash(cs, leaf)?;
    for (bit, sibling) in index_bits.iter().zip(siblings) {
        let left = FpVar::conditionally_select(bit, sibling, &node)?;
        let right = FpVar::conditionally_select(bit, &node, sibling)?;
        node = node_hash(cs, &left, &right)?;
    }
    root_hash(cs, num_leaves, &node)?.enforce_equal(root)
}

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
    pub fn of_claims(claims: &[Claim]) -> Result<Self, SynthesisError> {
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
        Self::new(claims.iter().map(|c| c.point.len()).collect(), group)
    }

    /// The shape of a fold ([`verify_fold`]): the aggregation of the accumulator's claim
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
    pub fn of_fold(acc: &Accumulator, claims: &[Claim]) -> Result<Self, SynthesisError> {
        let all: Vec<Claim> = std::iter::once(&acc.claim).chain(claims).cloned().collect();
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

/// An evaluation claim in-circuit, less its commitment (the commitment is its slot's,
/// see [`AggregationShape`]): the table evaluates to `value` at `point`.
#[derive(Clone, Debug)]
pub struct ClaimVar {
    /// The evaluation point, `point[j]` the value of variable `j`.
    pub point: Vec<FrVar>,
    /// The claimed evaluation.
    pub value: FrVar,
}

/// The accumulator `(C_acc, r_acc, v_acc)` in-circuit.
#[derive(Clone, Debug)]
pub struct AccumulatorVar {
    /// The limbs of `C_acc` ([`point_to_fields`](zkpot_core::point_to_fields)),
    /// constrained by the caller.
    pub commitment: [FrVar; 4],
    /// `(r_acc, v_acc)`.
    pub claim: ClaimVar,
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

/// A [`FoldProof`] in-circuit: every prover message is a witness.
#[derive(Clone, Debug)]
pub struct FoldProofVar {
    /// The aggregation of `[acc] ++ claims`.
    pub aggregation: AggregationProofVar,
}

impl FoldProofVar {
    /// Allocates `proof` as witnesses; a synthesis error if it does not have the shape
    /// `shape` (a fold shape: [`AggregationShape::fold`]) prescribes, as
    /// [`AggregationProofVar::new_witness`].
    pub fn new_witness(
        cs: impl Into<Namespace<Fr>>,
        proof: &FoldProof,
        shape: &AggregationShape,
    ) -> Result<Self, SynthesisError> {
        Ok(FoldProofVar {
            aggregation: AggregationProofVar::new_witness(cs, &proof.aggregation, shape)?,
        })
    }
}

/// The output of [`verify_aggregate`] and [`verify_fold`]: the output claim less its
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

/// [`Pedersen::verify_aggregate_bound`](crate::aggregate::Pedersen::verify_aggregate_bound)
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

/// The accumulator fold verifier of [`Accumulator::verify_fold`] in-circuit: exactly
/// [`verify_aggregate`] on `[acc] ++ claims` with the slots `[acc.commitment] ++
/// commitments` (`shape` is the fold's, [`AggregationShape::fold`]; slot 0 is the
/// accumulator's commitment, `commitments[j - 1]` slot `j`).
///
/// Returns the new accumulator's point `r_acc'` and value `v_acc'` and the coefficients
/// of `C_acc' = C_acc + sum_{j >= 1} b_j C_j`: one 128-bit scalar multiplication per
/// folded commitment, left to the caller.
pub fn verify_fold(
    shape: &AggregationShape,
    acc: &AccumulatorVar,
    commitments: &[[FrVar; 4]],
    claims: &[ClaimVar],
    proof: &FoldProofVar,
    transcript: &mut TranscriptVar,
) -> Result<AggregatedVar, SynthesisError> {
    fold_in(
        shape,
        acc,
        commitments,
        claims,
        claims.len() + 1,
        proof,
        transcript,
    )
}

/// [`Accumulator::verify_fold_bound`] in-circuit: [`verify_fold`] absorbing only the
/// accumulator's claim; `transcript` must already bind `claims` and `commitments`.
pub fn verify_fold_bound(
    shape: &AggregationShape,
    acc: &AccumulatorVar,
    commitments: &[[FrVar; 4]],
    claims: &[ClaimVar],
    proof: &FoldProofVar,
    transcript: &mut TranscriptVar,
) -> Result<AggregatedVar, SynthesisError> {
    fold_in(shape, acc, commitments, claims, 1, proof, transcript)
}

/// [`verify_aggregate_bound`] on `[acc] ++ claims` with the slots `[acc.commitment] ++
/// commitments`, absorbing the first `absorbed` claims.
fn fold_in(
    shape: &AggregationShape,
    acc: &AccumulatorVar,
    commitments: &[[FrVar; 4]],
    claims: &[ClaimVar],
    absorbed: usize,
    proof: &FoldProofVar,
    transcript: &mut TranscriptVar,
) -> Result<AggregatedVar, SynthesisError> {
    let slots: Vec<[FrVar; 4]> = std::iter::once(&acc.commitment)
        .chain(commitments)
        .cloned()
        .collect();
    let all: Vec<ClaimVar> = std::iter::once(&acc.claim).chain(claims).cloned().collect();
    verify_aggregate_bound(
        shape,
        &slots,
        &all,
        absorbed,
        &proof.aggregation,
        transcript,
    )
}

/// Enforces that no two slots hold the same limbs (so the native verifier, which groups
/// by equality, would not merge them).
fn enforce_distinct(commitments: &[[FrVar; 4]]) -> Result<(), SynthesisError> {
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

#[cfg(test)]
mod tests {
    use ark_ec::{AffineRepr, CurveGroup};
    use ark_r1cs_std::alloc::AllocVar;
    use ark_relations::gr1cs::ConstraintSystem;
    use zkpot_core::{point_to_fields, G1};

    use super::*;
    use crate::merkle::{self, MerkleTree};

    fn leaves(n: u64) -> Vec<Commitment> {
        (1..=n)
            .map(|i| {
                Commitment(
                    (G1::from(zkpot_core::G1Affine::generator()) * Fr::from(i)).into_affine(),
                )
            })
            .collect()
    }

    /// Builds the circuit for `(leaf, index, siblings)` against `root`; whether it is
    /// satisfied (or `None` for a synthesis error).
    fn check(
        root: Fr,
        num_leaves: u64,
        leaf: &Commitment,
        index: u64,
        siblings: &[Fr],
    ) -> Option<bool> {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let root = FpVar::new_input(cs.clone(), || Ok(root)).ok()?;
        let limbs =
            point_to_fields(&leaf.0).map(|x| FpVar::new_witness(cs.clone(), || Ok(x)).unwrap());
        let depth = tree_depth(num_leaves);
        let bits: Vec<Boolean<Fr>> = (0..depth)
            .map(|j| Boolean::new_witness(cs.clone(), || Ok(index >> j & 1 == 1)).unwrap())
            .collect();
        let siblings: Vec<FrVar> = siblings
            .iter()
            .map(|s| FpVar::new_witness(cs.clone(), || Ok(*s)).unwrap())
            .collect();
        verify_path(&cs, &root, num_leaves, &limbs, &bits, &siblings).ok()?;
        Some(cs.is_satisfied().unwrap())
    }

    #[test]
    fn the_gadget_agrees_with_the_native_path_check() {
        for n in [1u64, 2, 3, 5, 8] {
            let leaves = leaves(n);
            let tree = MerkleTree::new(&leaves).unwrap();
            for (i, leaf) in leaves.iter().enumerate() {
                let path = tree.path(i).unwrap();
                merkle::verify_path(tree.root(), n, leaf, &path).unwrap();
                assert_eq!(
                    check(tree.root(), n, leaf, i as u64, &path.siblings),
                    Some(true),
                    "n = {n}, leaf {i}"
                );
            }
        }
    }

    #[test]
    fn tampered_paths_leave_the_circuit_unsatisfied() {
        let n = 5;
        let leaves = leaves(n);
        let tree = MerkleTree::new(&leaves).unwrap();
        let path = tree.path(2).unwrap();
        let root = tree.root();
        // Another leaf, another index, a changed sibling, another root or leaf count.
        assert_eq!(check(root, n, &leaves[3], 2, &path.siblings), Some(false));
        assert_eq!(check(root, n, &leaves[2], 3, &path.siblings), Some(false));
        for j in 0..path.siblings.len() {
            let mut s = path.siblings.clone();
            s[j] += Fr::from(1u64);
            assert_eq!(
                check(root, n, &leaves[2], 2, &s),
                Some(false),
                "sibling {j}"
            );
        }
        assert_eq!(
            check(root + Fr::from(1u64), n, &leaves[2], 2, &path.siblings),
            Some(false)
        );
        assert_eq!(check(root, 6, &leaves[2], 2, &path.siblings), Some(false));
        // An index at or past the leaf count (the padding leaves), even with a valid
        // path to a padding leaf.
        let padded = tree.path(4).unwrap();
        assert_eq!(check(root, n, &leaves[4], 4, &padded.siblings), Some(true));
        let empty = Commitment::identity();
        let mut s = padded.siblings.clone();
        s[0] = merkle::leaf_hash(&leaves[4]);
        assert_eq!(check(root, n, &empty, 5, &s), Some(false));
        // The wrong number of siblings is a synthesis error.
        assert_eq!(check(root, n, &leaves[2], 2, &path.siblings[1..]), None);
    }

    // ---- claim aggregation and the accumulator fold ----

    use ark_ff::{One, UniformRand};
    use ark_r1cs_std::GR1CSVar;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;
    use zkpot_core::{evaluate_slice, CpuBackend, PoseidonTranscript, Transcript};

    use crate::accumulator::AccumulatorProver;
    use crate::aggregate::{Aggregatable, Pedersen};
    use crate::error::PcsError;
    use crate::pedersen::{commit, Opening, PedersenKey};

    const LABEL: &[u8] = b"zkpot-test-aggregate-gadget";

    /// The native transcript, after a prefix standing for what the step circuit absorbs
    /// before the aggregation.
    fn native_transcript() -> PoseidonTranscript {
        let mut t = PoseidonTranscript::new(LABEL);
        t.absorb_u64(7);
        t
    }

    fn gadget_transcript(cs: &ConstraintSystemRef<Fr>) -> TranscriptVar {
        let mut t = TranscriptVar::new(cs.clone(), LABEL).unwrap();
        t.absorb_u64(7).unwrap();
        t
    }

    fn key() -> PedersenKey {
        PedersenKey::setup(b"zkpot-test-constraints", 64)
    }

    /// Claims with their openings.
    struct Batch {
        claims: Vec<Claim>,
        openings: Vec<Opening>,
    }

    impl Batch {
        fn refs(&self) -> Vec<&Opening> {
            self.openings.iter().collect()
        }
    }

    /// Random tables of `tables[c]` variables, and true claims `i` on table `on[i]` at
    /// random points.
    fn batch(key: &PedersenKey, rng: &mut ChaCha20Rng, tables: &[usize], on: &[usize]) -> Batch {
        let committed: Vec<(Commitment, Opening)> = tables
            .iter()
            .map(|&n| {
                let table: Vec<Fr> = (0..1 << n).map(|_| Fr::rand(rng)).collect();
                let blind = Fr::rand(rng);
                let c = commit(key, &CpuBackend, &table, blind).unwrap();
                (c, Opening { table, blind })
            })
            .collect();
        let (mut claims, mut openings) = (Vec::new(), Vec::new());
        for &c in on {
            let (commitment, opening) = &committed[c];
            let point: Vec<Fr> = (0..tables[c]).map(|_| Fr::rand(rng)).collect();
            let value = evaluate_slice(&opening.table, &point).unwrap();
            claims.push(Claim {
                commitment: *commitment,
                point,
                value,
            });
            openings.push(opening.clone());
        }
        Batch { claims, openings }
    }

    /// The statement as the gadget sees it: one commitment per slot (as limbs, so a test
    /// can change a limb), and every claim's point and value.
    #[derive(Clone)]
    struct Statement {
        slots: Vec<[Fr; 4]>,
        claims: Vec<(Vec<Fr>, Fr)>,
    }

    /// Each slot's commitment: that of the first claim in it.
    fn slot_commitments(shape: &AggregationShape, claims: &[Claim]) -> Vec<Commitment> {
        (0..shape.num_slots())
            .map(|j| {
                let i = shape.group().iter().position(|&g| g == j).unwrap();
                claims[i].commitment
            })
            .collect()
    }

    fn statement(shape: &AggregationShape, claims: &[Claim]) -> Statement {
        Statement {
            slots: slot_commitments(shape, claims)
                .iter()
                .map(|c| point_to_fields(&c.0))
                .collect(),
            claims: claims.iter().map(|c| (c.point.clone(), c.value)).collect(),
        }
    }

    /// What the gadget computed, read back.
    #[derive(Debug, PartialEq)]
    struct Run {
        point: Vec<Fr>,
        value: Fr,
        coefficients: Vec<Fr>,
        /// The next challenge of the transcript after the gadget.
        next: Fr,
        satisfied: bool,
    }

    fn witness(cs: &ConstraintSystemRef<Fr>, x: Fr) -> FrVar {
        FpVar::new_witness(cs.clone(), || Ok(x)).unwrap()
    }

    fn claim_vars(cs: &ConstraintSystemRef<Fr>, claims: &[(Vec<Fr>, Fr)]) -> Vec<ClaimVar> {
        claims
            .iter()
            .map(|(point, value)| ClaimVar {
                point: point.iter().map(|x| witness(cs, *x)).collect(),
                value: witness(cs, *value),
            })
            .collect()
    }

    fn limb_vars(cs: &ConstraintSystemRef<Fr>, slots: &[[Fr; 4]]) -> Vec<[FrVar; 4]> {
        slots.iter().map(|s| s.map(|x| witness(cs, x))).collect()
    }

    /// Reads the gadget's output back, checking each coefficient's bits against its value.
    fn read(cs: &ConstraintSystemRef<Fr>, out: &AggregatedVar, t: &mut TranscriptVar) -> Run {
        let coefficients = out
            .coefficients
            .iter()
            .map(|(b, bits)| {
                assert_eq!(bits.len(), 128);
                let from_bits = bits.iter().rev().fold(Fr::zero(), |acc, bit| {
                    acc + acc + Fr::from(u64::from(bit.value().unwrap()))
                });
                assert_eq!(from_bits, b.value().unwrap());
                b.value().unwrap()
            })
            .collect();
        Run {
            point: out.point.iter().map(|x| x.value().unwrap()).collect(),
            value: out.value.value().unwrap(),
            coefficients,
            next: t.challenge().unwrap().value().unwrap(),
            satisfied: cs.is_satisfied().unwrap(),
        }
    }

    fn run_aggregate(
        shape: &AggregationShape,
        statement: &Statement,
        proof: &AggregationProof,
    ) -> Result<Run, SynthesisError> {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let mut t = gadget_transcript(&cs);
        let slots = limb_vars(&cs, &statement.slots);
        let claims = claim_vars(&cs, &statement.claims);
        let proof = AggregationProofVar::new_witness(cs.clone(), proof, shape)?;
        let out = verify_aggregate(shape, &slots, &claims, &proof, &mut t)?;
        Ok(read(&cs, &out, &mut t))
    }

    /// The native verifier's output claim and the transcript's next challenge.
    fn native_aggregate(
        claims: &[Claim],
        proof: &AggregationProof,
    ) -> Result<(Claim, Fr), PcsError> {
        let mut t = native_transcript();
        let claim = Pedersen::verify_aggregate(claims, proof, &mut t)?;
        Ok((claim, t.challenge()))
    }

    /// `C_0 + sum_{j >= 1} b_j C_j`, natively.
    fn combine(slots: &[Commitment], coefficients: &[Fr]) -> Commitment {
        let mut c: G1 = slots[0].0.into_group();
        for (s, b) in slots[1..].iter().zip(coefficients) {
            c += s.0 * b;
        }
        Commitment(c.into_affine())
    }

    /// The gadget on an honest proof agrees with the native verifier: same point, same
    /// value, coefficients that combine the slots into the native output commitment, the
    /// same transcript state afterwards, and a satisfied circuit.
    fn assert_agrees(shape: &AggregationShape, claims: &[Claim], native: (Claim, Fr), run: &Run) {
        let (claim, next) = native;
        assert!(run.satisfied, "an honest proof satisfies the circuit");
        assert_eq!(run.point, claim.point);
        assert_eq!(run.value, claim.value);
        assert_eq!(run.coefficients.len(), shape.num_slots() - 1);
        assert_eq!(
            combine(&slot_commitments(shape, claims), &run.coefficients),
            claim.commitment
        );
        assert_eq!(run.next, next, "the transcripts stay in sync");
    }

    fn prove(batch: &Batch) -> AggregationProof {
        let mut t = native_transcript();
        Pedersen::aggregate(&CpuBackend, &batch.claims, &batch.refs(), &mut t)
            .unwrap()
            .2
    }

    #[test]
    fn the_aggregation_gadget_agrees_with_the_native_verifier() {
        let key = key();
        let mut rng = ChaCha20Rng::seed_from_u64(11);
        // (table sizes, the table of each claim): one claim; one commitment, several
        // points; several commitments of different sizes, interleaved; empty points.
        let cases: [(&[usize], &[usize]); 5] = [
            (&[3], &[0]),
            (&[4], &[0, 0, 0]),
            (&[3, 4, 2], &[0, 1, 0, 2, 1, 1]),
            (&[2, 5, 1, 3], &[3, 2, 1, 0, 1, 3]),
            (&[0, 0], &[0, 1, 0]),
        ];
        for (tables, on) in cases {
            let batch = batch(&key, &mut rng, tables, on);
            let proof = prove(&batch);
            let shape = AggregationShape::of_claims(&batch.claims).unwrap();
            let run = run_aggregate(&shape, &statement(&shape, &batch.claims), &proof).unwrap();
            let native = native_aggregate(&batch.claims, &proof).unwrap();
            assert_agrees(&shape, &batch.claims, native, &run);
        }
    }

    #[test]
    fn a_tampered_aggregation_leaves_the_circuit_unsatisfied() {
        let key = key();
        let mut rng = ChaCha20Rng::seed_from_u64(12);
        let batch = batch(&key, &mut rng, &[3, 4, 2], &[0, 1, 0, 2, 1, 1]);
        let proof = prove(&batch);
        let shape = AggregationShape::of_claims(&batch.claims).unwrap();
        let honest = statement(&shape, &batch.claims);
        let one = Fr::one();

        // Proof fields: every round coefficient, every eval. The native verifier rejects
        // and the circuit is unsatisfied.
        let mut proofs = Vec::new();
        for r in 0..proof.sumcheck.rounds.len() {
            for k in 0..AGGREGATE_DEGREE {
                let mut p = proof.clone();
                p.sumcheck.rounds[r][k] += one;
                proofs.push((format!("round {r} coefficient {k}"), p));
            }
        }
        for j in 0..proof.evals.len() {
            let mut p = proof.clone();
            p.evals[j] += one;
            proofs.push((format!("eval {j}"), p));
        }
        for (what, p) in &proofs {
            assert!(native_aggregate(&batch.claims, p).is_err(), "{what}");
            let run = run_aggregate(&shape, &honest, p).unwrap();
            assert!(!run.satisfied, "{what}");
        }

        // Statement fields with the honest proof: every claim value and point coordinate
        // (the native verifier rejects too), then every commitment limb. A changed
        // statement changes the challenges, and the honest proof then fails the final
        // check: the circuit is unsatisfied (stronger than "the outputs differ").
        let mut statements = Vec::new();
        for i in 0..batch.claims.len() {
            let mut claims = batch.claims.clone();
            claims[i].value += one;
            statements.push((format!("claim {i} value"), claims));
            for l in 0..batch.claims[i].point.len() {
                let mut claims = batch.claims.clone();
                claims[i].point[l] += one;
                statements.push((format!("claim {i} coordinate {l}"), claims));
            }
        }
        // Another commitment in a slot (for every claim of the slot, so the grouping
        // stays).
        for j in 0..shape.num_slots() {
            let other = Commitment(zkpot_core::G1Affine::rand(&mut rng));
            let mut claims = batch.claims.clone();
            for (c, &g) in claims.iter_mut().zip(shape.group()) {
                if g == j {
                    c.commitment = other;
                }
            }
            statements.push((format!("slot {j} commitment"), claims));
        }
        for (what, claims) in &statements {
            assert!(native_aggregate(claims, &proof).is_err(), "{what}");
            let run = run_aggregate(&shape, &statement(&shape, claims), &proof).unwrap();
            assert!(!run.satisfied, "{what}");
            assert_ne!(run.next, native_aggregate(&batch.claims, &proof).unwrap().1);
        }
        for j in 0..shape.num_slots() {
            for l in 0..4 {
                let mut s = honest.clone();
                s.slots[j][l] += one;
                let run = run_aggregate(&shape, &s, &proof).unwrap();
                assert!(!run.satisfied, "slot {j} limb {l}");
            }
        }

        // Two slots with the same commitment: the native verifier groups them as one
        // (so the proof has the wrong number of evals); the circuit is unsatisfied (here
        // the changed transcript alone does it; `equal_slots_are_refused` checks the
        // distinctness constraints on their own).
        let mut merged = batch.claims.clone();
        for (c, &g) in merged.iter_mut().zip(shape.group()) {
            if g == 2 {
                c.commitment = batch.claims[0].commitment;
            }
        }
        assert!(matches!(
            native_aggregate(&merged, &proof),
            Err(PcsError::WrongProofLength { .. })
        ));
        let mut s = honest.clone();
        s.slots[2] = s.slots[0];
        assert!(!run_aggregate(&shape, &s, &proof).unwrap().satisfied);
    }

    #[test]
    fn shapes_are_public_and_checked() {
        let key = key();
        let mut rng = ChaCha20Rng::seed_from_u64(13);
        let batch = batch(&key, &mut rng, &[3, 4, 2], &[0, 1, 0, 2, 1, 1]);
        let proof = prove(&batch);
        let shape = AggregationShape::of_claims(&batch.claims).unwrap();
        assert_eq!(shape.group(), &[0, 1, 0, 2, 1, 1]);
        assert_eq!(shape.point_lens(), &[3, 4, 3, 2, 4, 4]);
        assert_eq!(
            (shape.num_vars(), shape.num_claims(), shape.num_slots()),
            (4, 6, 3)
        );
        assert_eq!(
            shape,
            AggregationShape::new(vec![3, 4, 3, 2, 4, 4], vec![0, 1, 0, 2, 1, 1]).unwrap()
        );
        // Slots out of first-appearance order, mismatched or empty lists.
        for (lens, group) in [
            (vec![1, 1], vec![1, 0]),
            (vec![1, 1, 1], vec![0, 2, 1]),
            (vec![1, 1], vec![0]),
            (vec![], vec![]),
        ] {
            assert!(AggregationShape::new(lens, group).is_err());
        }
        assert!(AggregationShape::of_claims(&[]).is_err());

        // A proof of another shape is refused when allocated, whatever its contents.
        let cs = ConstraintSystem::<Fr>::new_ref();
        let mut short = proof.clone();
        short.evals.pop();
        let mut long = proof.clone();
        long.sumcheck.rounds.push(vec![Fr::one(); 2]);
        let mut wide = proof.clone();
        wide.sumcheck.rounds[1].push(Fr::one());
        for p in [&short, &long, &wide] {
            assert!(AggregationProofVar::new_witness(cs.clone(), p, &shape).is_err());
        }
        // The zero proof has the shape (and does not verify).
        let zero = shape.zero_proof();
        let run = run_aggregate(&shape, &statement(&shape, &batch.claims), &zero).unwrap();
        assert!(!run.satisfied);

        // Inputs of the wrong sizes are synthesis errors.
        let honest = statement(&shape, &batch.claims);
        let mut fewer_slots = honest.clone();
        fewer_slots.slots.pop();
        let mut fewer_claims = honest.clone();
        fewer_claims.claims.pop();
        let mut shorter_point = honest.clone();
        shorter_point.claims[1].0.pop();
        for s in [&fewer_slots, &fewer_claims, &shorter_point] {
            assert!(run_aggregate(&shape, s, &proof).is_err());
        }
        // Another shape of the same claims (a grouping the prover did not use) is refused
        // at allocation when its sizes differ, and unsatisfied otherwise.
        let regrouped = AggregationShape::new(shape.point_lens().to_vec(), vec![0; 6]).unwrap();
        assert!(AggregationProofVar::new_witness(cs.clone(), &proof, &regrouped).is_err());
    }

    /// The distinctness of the slots on its own: slots equal in all four limbs leave the
    /// circuit unsatisfied (or, as constants, are a synthesis error, never a panic);
    /// slots that differ in any one limb pass.
    #[test]
    fn equal_slots_are_refused() {
        let mut rng = ChaCha20Rng::seed_from_u64(17);
        let base: [Fr; 4] = [(); 4].map(|_| Fr::rand(&mut rng));
        let satisfied = |slots: &[[Fr; 4]]| {
            let cs = ConstraintSystem::<Fr>::new_ref();
            enforce_distinct(&limb_vars(&cs, slots)).unwrap();
            cs.is_satisfied().unwrap()
        };
        for l in 0..4 {
            let mut other = base;
            other[l] += Fr::one();
            assert!(satisfied(&[base, other, [Fr::zero(); 4]]), "limb {l}");
        }
        assert!(!satisfied(&[base, [Fr::zero(); 4], base]));
        assert!(!satisfied(&[[Fr::zero(); 4], [Fr::zero(); 4]]));
        let zeros = [
            FpVar::constant(Fr::zero()),
            FpVar::zero(),
            FpVar::zero(),
            FpVar::zero(),
        ];
        assert!(enforce_distinct(&[zeros.clone(), zeros]).is_err());
    }

    /// A fold in the gadget, the accumulator given as `(limbs, point, value)`.
    fn run_fold(
        shape: &AggregationShape,
        acc: &([Fr; 4], Vec<Fr>, Fr),
        statement: &Statement,
        proof: &FoldProof,
    ) -> Result<Run, SynthesisError> {
        run_fold_in(shape, acc, statement, proof, false)
    }

    fn run_fold_in(
        shape: &AggregationShape,
        acc: &([Fr; 4], Vec<Fr>, Fr),
        statement: &Statement,
        proof: &FoldProof,
        bound: bool,
    ) -> Result<Run, SynthesisError> {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let mut t = gadget_transcript(&cs);
        let acc = AccumulatorVar {
            commitment: acc.0.map(|x| witness(&cs, x)),
            claim: claim_vars(&cs, &[(acc.1.clone(), acc.2)]).remove(0),
        };
        let slots = limb_vars(&cs, &statement.slots);
        let claims = claim_vars(&cs, &statement.claims);
        let proof = FoldProofVar::new_witness(cs.clone(), proof, shape)?;
        let out = if bound {
            verify_fold_bound(shape, &acc, &slots, &claims, &proof, &mut t)?
        } else {
            verify_fold(shape, &acc, &slots, &claims, &proof, &mut t)?
        };
        Ok(read(&cs, &out, &mut t))
    }

    fn native_fold(
        acc: &Accumulator,
        claims: &[Claim],
        proof: &FoldProof,
    ) -> Result<(Claim, Fr), PcsError> {
        native_fold_in(acc, claims, proof, false)
    }

    fn native_fold_in(
        acc: &Accumulator,
        claims: &[Claim],
        proof: &FoldProof,
        bound: bool,
    ) -> Result<(Claim, Fr), PcsError> {
        let mut t = native_transcript();
        let next = if bound {
            acc.verify_fold_bound(claims, proof, &mut t)?
        } else {
            acc.verify_fold(claims, proof, &mut t)?
        };
        Ok((next.claim, t.challenge()))
    }

    /// The bound fold (claims not absorbed again): the gadget agrees with the native
    /// verifier, its challenges differ from the absorbing fold's, and a changed claim
    /// value or eval is still rejected by both.
    #[test]
    fn the_bound_fold_gadget_agrees_with_the_native_verifier() {
        let key = key();
        let mut rng = ChaCha20Rng::seed_from_u64(18);
        let mut prover = AccumulatorProver::new(4);
        for (n, batch) in [
            batch(&key, &mut rng, &[4, 3], &[0, 1, 0]),
            batch(&key, &mut rng, &[4, 2, 3], &[1, 0, 2, 1]),
        ]
        .iter()
        .enumerate()
        {
            let acc = prover.accumulator().clone();
            let mut t = native_transcript();
            let proof = prover
                .fold_bound(&CpuBackend, &batch.claims, &batch.refs(), &mut t)
                .unwrap();
            let shape = AggregationShape::of_fold(&acc, &batch.claims).unwrap();
            let statement = fold_statement(&shape, &acc, &batch.claims);
            let parts = acc_parts(&acc);
            let run = run_fold_in(&shape, &parts, &statement, &proof, true).unwrap();
            let native = native_fold_in(&acc, &batch.claims, &proof, true).unwrap();
            assert_eq!(&native.0, &prover.accumulator().claim, "fold {n}");
            let all: Vec<Claim> = std::iter::once(acc.claim.clone())
                .chain(batch.claims.iter().cloned())
                .collect();
            assert_agrees(&shape, &all, native, &run);
            assert!(native_fold_in(&acc, &batch.claims, &proof, false).is_err());

            let mut lying = batch.claims.clone();
            lying[1].value += Fr::one();
            assert!(native_fold_in(&acc, &lying, &proof, true).is_err());
            let mut st = statement.clone();
            st.claims[1].1 += Fr::one();
            assert!(
                !run_fold_in(&shape, &parts, &st, &proof, true)
                    .unwrap()
                    .satisfied
            );
            let mut bad = proof.clone();
            bad.aggregation.evals[0] += Fr::one();
            assert!(native_fold_in(&acc, &batch.claims, &bad, true).is_err());
            assert!(
                !run_fold_in(&shape, &parts, &statement, &bad, true)
                    .unwrap()
                    .satisfied
            );
        }
    }

    /// The accumulator's limbs, point and value.
    fn acc_parts(acc: &Accumulator) -> ([Fr; 4], Vec<Fr>, Fr) {
        (
            point_to_fields(&acc.claim.commitment.0),
            acc.claim.point.clone(),
            acc.claim.value,
        )
    }

    /// The folded claims' statement: slots 1.. of the fold's shape.
    fn fold_statement(shape: &AggregationShape, acc: &Accumulator, claims: &[Claim]) -> Statement {
        let all: Vec<Claim> = std::iter::once(acc.claim.clone())
            .chain(claims.iter().cloned())
            .collect();
        let mut s = statement(shape, &all);
        s.slots.remove(0);
        s.claims.remove(0);
        s
    }

    #[test]
    fn the_fold_gadget_agrees_with_the_native_verifier() {
        let key = key();
        let mut rng = ChaCha20Rng::seed_from_u64(14);
        let mut prover = AccumulatorProver::new(4);
        // From the empty accumulator, then from a folded one, then with longer points
        // (the accumulator grows to 5 variables).
        let batches = [
            batch(&key, &mut rng, &[4, 3], &[0, 1, 0]),
            batch(&key, &mut rng, &[2, 4], &[1, 0, 1, 1]),
            batch(&key, &mut rng, &[5, 3, 4], &[0, 2, 1, 0]),
        ];
        for (n, batch) in batches.iter().enumerate() {
            let acc = prover.accumulator().clone();
            let mut t = native_transcript();
            let proof = prover
                .fold(&CpuBackend, &batch.claims, &batch.refs(), &mut t)
                .unwrap();
            let shape = AggregationShape::of_fold(&acc, &batch.claims).unwrap();
            let lens: Vec<usize> = batch.claims.iter().map(|c| c.point.len()).collect();
            let folded = AggregationShape::of_claims(&batch.claims).unwrap();
            let group: Vec<usize> = folded.group().iter().map(|g| g + 1).collect();
            assert_eq!(
                shape,
                AggregationShape::fold(acc.claim.point.len(), &lens, &group).unwrap()
            );
            let statement = fold_statement(&shape, &acc, &batch.claims);
            let run = run_fold(&shape, &acc_parts(&acc), &statement, &proof).unwrap();
            let native = native_fold(&acc, &batch.claims, &proof).unwrap();
            assert_eq!(&native.0, &prover.accumulator().claim, "fold {n}");
            let all: Vec<Claim> = std::iter::once(acc.claim.clone())
                .chain(batch.claims.iter().cloned())
                .collect();
            assert_agrees(&shape, &all, native, &run);
        }
    }

    #[test]
    fn a_tampered_fold_leaves_the_circuit_unsatisfied() {
        let key = key();
        let mut rng = ChaCha20Rng::seed_from_u64(15);
        let mut prover = AccumulatorProver::new(3);
        let first = batch(&key, &mut rng, &[3], &[0, 0]);
        prover
            .fold(
                &CpuBackend,
                &first.claims,
                &first.refs(),
                &mut native_transcript(),
            )
            .unwrap();
        let acc = prover.accumulator().clone();
        let batch = batch(&key, &mut rng, &[3, 2], &[0, 1]);
        let proof = prover
            .fold(
                &CpuBackend,
                &batch.claims,
                &batch.refs(),
                &mut native_transcript(),
            )
            .unwrap();
        let shape = AggregationShape::of_fold(&acc, &batch.claims).unwrap();
        let statement = fold_statement(&shape, &acc, &batch.claims);
        let parts = acc_parts(&acc);
        assert!(
            run_fold(&shape, &parts, &statement, &proof)
                .unwrap()
                .satisfied
        );
        let one = Fr::one();

        // The accumulator's value, each coordinate of its point (the native verifier
        // rejects too), each limb of its commitment.
        let mut changed = Vec::new();
        let mut a = acc.clone();
        a.claim.value += one;
        changed.push(("value".to_string(), a));
        for l in 0..acc.claim.point.len() {
            let mut a = acc.clone();
            a.claim.point[l] += one;
            changed.push((format!("coordinate {l}"), a));
        }
        for (what, a) in &changed {
            assert!(native_fold(a, &batch.claims, &proof).is_err(), "{what}");
            let run = run_fold(&shape, &acc_parts(a), &statement, &proof).unwrap();
            assert!(!run.satisfied, "{what}");
        }
        for l in 0..4 {
            let mut p = parts.clone();
            p.0[l] += one;
            assert!(!run_fold(&shape, &p, &statement, &proof).unwrap().satisfied);
        }
        // A folded claim's value and a folded commitment's limb.
        let mut s = statement.clone();
        s.claims[1].1 += one;
        assert!(!run_fold(&shape, &parts, &s, &proof).unwrap().satisfied);
        let mut s = statement.clone();
        s.slots[1][3] += one;
        assert!(!run_fold(&shape, &parts, &s, &proof).unwrap().satisfied);
        // Every proof field.
        let agg = &proof.aggregation;
        for r in 0..agg.sumcheck.rounds.len() {
            for k in 0..AGGREGATE_DEGREE {
                let mut p = proof.clone();
                p.aggregation.sumcheck.rounds[r][k] += one;
                assert!(native_fold(&acc, &batch.claims, &p).is_err());
                let run = run_fold(&shape, &parts, &statement, &p).unwrap();
                assert!(!run.satisfied, "round {r} coefficient {k}");
            }
        }
        for j in 0..agg.evals.len() {
            let mut p = proof.clone();
            p.aggregation.evals[j] += one;
            assert!(native_fold(&acc, &batch.claims, &p).is_err());
            let run = run_fold(&shape, &parts, &statement, &p).unwrap();
            assert!(!run.satisfied, "eval {j}");
        }
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
