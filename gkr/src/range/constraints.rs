//! The range-check verifier in-circuit: the twin of [`super::verify_range_in`] for the
//! IVC step circuit (`DESIGN.md` sections 4, 6 and 8), over BN254 `Fr`.
//!
//! The circuit's structure depends only on the public shape (`num_limb_vars`,
//! `table_bits`): the prover's messages are witnesses ([`RangeProofVar::new_witness`]
//! refuses a proof of another shape with a synthesis error), the shape is absorbed as
//! constants exactly where the native verifier absorbs it, and every check at which the
//! native verifier returns an error is a constraint here, so a bad proof leaves the
//! constraint system unsatisfied. Challenges agree bit for bit with the native verifier
//! (same [`TranscriptVar`] encodings), and so do the returned claims.
//!

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use zkpot_core::ClaimVar;

use ark_ff::{One, Zero};
use ark_r1cs_std::{
    alloc::AllocVar,
    eq::EqGadget,
    fields::{fp::FpVar, FieldVar},
    GR1CSVar,
};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use zkpot_core::{
    constraints::{alloc_sumcheck, check_final, eq_eval, verify_sumcheck, FrVar, TranscriptVar},
    Fr,
};

use super::{
    check_table_bits, tree_depths, ChildPair, Fraction, RangeClaims, RangeProof, DEGREE, LIMB_BITS,
    MAX_LIMB_VARS, RANGE_LABEL,
};

/// The claims a range proof leaves on the committed tables, in-circuit: the twin of
/// [`RangeClaims`].
#[derive(Clone, Debug)]
pub struct RangeClaimsVar {
    /// A claim on the limb table `l` (`n` coordinates).
    pub limbs: ClaimVar,
    /// A claim on the multiplicity table `m` (`table_bits` coordinates).
    pub multiplicities: ClaimVar,
}

impl GR1CSVar<Fr> for RangeClaimsVar {
    type Value = RangeClaims;

    fn cs(&self) -> ConstraintSystemRef<Fr> {
        self.limbs.cs().or(self.multiplicities.cs())
    }

    fn value(&self) -> Result<RangeClaims, SynthesisError> {
        Ok(RangeClaims {
            limbs: self.limbs.value()?,
            multiplicities: self.multiplicities.value()?,
        })
    }
}

/// A fraction `numerator / denominator` in-circuit, the twin of [`Fraction`].
#[derive(Clone, Debug)]
pub struct FractionVar {
    /// `p`.
    pub numerator: FrVar,
    /// `q`.
    pub denominator: FrVar,
}

impl FractionVar {
    /// Allocates both parts as witnesses.
    pub fn new_witness(
        cs: ConstraintSystemRef<Fr>,
        fraction: &Fraction,
    ) -> Result<Self, SynthesisError> {
        Ok(Self {
            numerator: FrVar::new_witness(cs.clone(), || Ok(fraction.numerator))?,
            denominator: FrVar::new_witness(cs, || Ok(fraction.denominator))?,
        })
    }
}

/// The two children of a node in-circuit, the twin of [`ChildPair`].
#[derive(Clone, Debug)]
pub struct ChildPairVar {
    /// `(p0, q0)`.
    pub left: FractionVar,
    /// `(p1, q1)`.
    pub right: FractionVar,
}

impl ChildPairVar {
    /// Allocates the four values as witnesses.
    pub fn new_witness(
        cs: ConstraintSystemRef<Fr>,
        pair: &ChildPair,
    ) -> Result<Self, SynthesisError> {
        Ok(Self {
            left: FractionVar::new_witness(cs.clone(), &pair.left)?,
            right: FractionVar::new_witness(cs, &pair.right)?,
        })
    }

    /// Their sum `(p0 q1 + p1 q0, q0 q1)` ([`ChildPair::parent`]).
    pub fn parent(&self) -> FractionVar {
        let (l, r) = (&self.left, &self.right);
        FractionVar {
            numerator: &l.numerator * &r.denominator + &r.numerator * &l.denominator,
            denominator: &l.denominator * &r.denominator,
        }
    }

    /// The child layer at `[mu] ++ rho` ([`ChildPair::merge`]).
    pub fn merge(&self, mu: &FrVar) -> FractionVar {
        let (l, r) = (&self.left, &self.right);
        FractionVar {
            numerator: &l.numerator + mu * (&r.numerator - &l.numerator),
            denominator: &l.denominator + mu * (&r.denominator - &l.denominator),
        }
    }

    /// The four values in transcript order: `p0, p1, q0, q1`.
    pub fn transcript_fields(&self) -> [FrVar; 4] {
        [
            self.left.numerator.clone(),
            self.right.numerator.clone(),
            self.left.denominator.clone(),
            self.right.denominator.clone(),
        ]
    }
}

/// One step from layer `k` to layer `k + 1` in-circuit, the twin of
/// [`super::LayerProof`].
#[derive(Clone, Debug)]
pub struct LayerProofVar {
    /// The batched sumcheck's rounds (`k` rounds of 3 compressed coefficients).
    pub sumcheck: Vec<Vec<FrVar>>,
    /// The children at the sumcheck point, one pair per active tree (limb tree first).
    pub children: Vec<ChildPairVar>,
}

/// A range proof's messages as witnesses, the twin of [`RangeProof`].
#[derive(Clone, Debug)]
pub struct RangeProofVar {
    /// The root of the limb tree.
    pub limb_root: FractionVar,
    /// The root of the table tree.
    pub table_root: FractionVar,
    /// One step per layer, from the root down: `max(n, table_bits)` of them.
    pub layers: Vec<LayerProofVar>,
}

impl RangeProofVar {
    /// Allocates every message of `proof` as a witness, for a limb table over
    /// `num_limb_vars` variables and the table `[0, 2^table_bits)`. A proof of any other
    /// shape (number of layers, rounds, coefficients per round, child pairs per layer),
    /// a `table_bits` outside `1..=16` or more than [`MAX_LIMB_VARS`] limb variables is
    /// [`SynthesisError::Unsatisfiable`]: the circuit's structure depends on the shape
    /// alone.
    pub fn new_witness(
        cs: ConstraintSystemRef<Fr>,
        proof: &RangeProof,
        num_limb_vars: usize,
        table_bits: u32,
    ) -> Result<Self, SynthesisError> {
        let depths = range_shape(num_limb_vars, table_bits)?;
        let num_layers = num_layers(&depths);
        if proof.layers.len() != num_layers {
            return Err(SynthesisError::Unsatisfiable);
        }
        let layers = proof
            .layers
            .iter()
            .enumerate()
            .map(|(k, layer)| {
                if layer.children.len() != active_trees(&depths, k).len() {
                    return Err(SynthesisError::Unsatisfiable);
                }
                Ok(LayerProofVar {
                    sumcheck: alloc_sumcheck(&cs, &layer.sumcheck, k, DEGREE)?,
                    children: layer
                        .children
                        .iter()
                        .map(|pair| ChildPairVar::new_witness(cs.clone(), pair))
                        .collect::<Result<_, _>>()?,
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            limb_root: FractionVar::new_witness(cs.clone(), &proof.limb_root)?,
            table_root: FractionVar::new_witness(cs, &proof.table_root)?,
            layers,
        })
    }
}

/// [`super::identity_eval`] in-circuit: `sum_j point[j] 2^j`, linear (no constraints).
pub fn identity_eval(point: &[FrVar]) -> FrVar {
    let mut weight = Fr::one();
    let mut acc = FrVar::zero();
    for r in point {
        acc += r * weight;
        weight += weight;
    }
    acc
}

/// [`super::verify_range`] in-circuit: [`verify_range_in`] against the table
/// `[0, 2^16)`.
pub fn verify_range(
    num_limb_vars: usize,
    proof: &RangeProofVar,
    transcript: &mut TranscriptVar,
) -> Result<RangeClaimsVar, SynthesisError> {
    verify_range_in(num_limb_vars, LIMB_BITS, proof, transcript)
}

/// [`super::verify_range_in`] in-circuit: verifies a range proof for a limb table over
/// `num_limb_vars` variables against the table `[0, 2^table_bits)`, continuing
/// `transcript` (which must have absorbed what the native one had). Returns the claims
/// on `l` and `m` that the caller must check against their commitments.
///
/// Every check the native verifier makes on the proof's values (nonzero root
/// denominators, zero LogUp sum, every layer's final sumcheck check, limb numerators 1,
/// table denominators `alpha - id`) is a constraint; a shape that does not match
/// (`num_limb_vars`, `table_bits`) is [`SynthesisError::Unsatisfiable`].
pub fn verify_range_in(
    num_limb_vars: usize,
    table_bits: u32,
    proof: &RangeProofVar,
    transcript: &mut TranscriptVar,
) -> Result<RangeClaimsVar, SynthesisError> {
    let depths = range_shape(num_limb_vars, table_bits)?;
    if proof.layers.len() != num_layers(&depths) {
        return Err(SynthesisError::Unsatisfiable);
    }

    // The opening, as the native `start`.
    transcript.absorb_bytes(RANGE_LABEL)?;
    transcript.absorb_u64(num_limb_vars as u64)?;
    transcript.absorb_u64(u64::from(table_bits))?;
    let alpha = transcript.challenge()?;
    let roots = [proof.limb_root.clone(), proof.table_root.clone()];
    for root in &roots {
        transcript.absorb_fields(&[root.numerator.clone(), root.denominator.clone()])?;
    }
    // The native `check_roots`: nonzero denominators, zero sum.
    for root in &roots {
        enforce_nonzero(&root.denominator)?;
    }
    let [a, b] = &roots;
    let sum = &a.numerator * &b.denominator + &b.numerator * &a.denominator;
    enforce_equal(&sum, &FrVar::zero())?;

    // Per tree: its current claim, and (once at its leaves) its leaf claim and point.
    let mut claims = roots.clone();
    let [limb_root, table_root] = roots;
    let mut leaves: [(Vec<FrVar>, FractionVar); 2] =
        [(Vec::new(), limb_root), (Vec::new(), table_root)];
    let mut point: Vec<FrVar> = Vec::new();
    for (k, layer) in proof.layers.iter().enumerate() {
        let active = active_trees(&depths, k);
        if layer.children.len() != active.len() {
            return Err(SynthesisError::Unsatisfiable);
        }
        let lambda = transcript.challenge()?;
        let active_claims: Vec<FractionVar> = active
            .iter()
            .filter_map(|&j| claims.get(j).cloned())
            .collect();
        let claim = combine_claims(&active_claims, &lambda)?;
        let reduced = verify_sumcheck(&layer.sumcheck, &claim, k, DEGREE, transcript)?;
        let parents: Vec<FractionVar> = layer.children.iter().map(ChildPairVar::parent).collect();
        let expected = eq_eval(&point, &reduced.point)? * combine_claims(&parents, &lambda)?;
        check_final(&reduced.value, &expected)?;
        for pair in &layer.children {
            transcript.absorb_fields(&pair.transcript_fields())?;
        }
        let mu = transcript.challenge()?;
        point = std::iter::once(mu.clone()).chain(reduced.point).collect();
        for (&j, pair) in active.iter().zip(&layer.children) {
            let merged = pair.merge(&mu);
            if depths.get(j) == Some(&(k + 1)) {
                if let Some(leaf) = leaves.get_mut(j) {
                    *leaf = (point.clone(), merged.clone());
                }
            }
            if let Some(c) = claims.get_mut(j) {
                *c = merged;
            }
        }
    }

    // The native `leaf_claims`: the public parts of the leaves.
    let [(limb_point, limb_leaf), (table_point, table_leaf)] = leaves;
    enforce_equal(&limb_leaf.numerator, &FrVar::one())?;
    let expected = &alpha - identity_eval(&table_point);
    enforce_equal(&table_leaf.denominator, &expected)?;
    Ok(RangeClaimsVar {
        limbs: ClaimVar {
            point: limb_point,
            value: &alpha - &limb_leaf.denominator,
        },
        multiplicities: ClaimVar {
            point: table_point,
            value: table_leaf.numerator.negate()?,
        },
    })
}

/// The depths of the two trees, refusing what the native verifier refuses.
fn range_shape(num_limb_vars: usize, table_bits: u32) -> Result<[usize; 2], SynthesisError> {
    check_table_bits(table_bits).map_err(|_| SynthesisError::Unsatisfiable)?;
    if num_limb_vars > MAX_LIMB_VARS {
        return Err(SynthesisError::Unsatisfiable);
    }
    Ok(tree_depths(num_limb_vars, table_bits))
}

/// The number of layers: the larger depth.
fn num_layers(depths: &[usize; 2]) -> usize {
    depths.iter().copied().max().unwrap_or(0)
}

/// The trees still active at step `k` (depth above `k`), limb tree first.
fn active_trees(depths: &[usize; 2], k: usize) -> Vec<usize> {
    (0..depths.len())
        .filter(|&j| depths.get(j) > Some(&k))
        .collect()
}

/// `sum_a lambda^{2a} (p_a + lambda q_a)` ([`super::combine_claims`]).
fn combine_claims(claims: &[FractionVar], lambda: &FrVar) -> Result<FrVar, SynthesisError> {
    let lambda_sq = lambda.square()?;
    let mut coeff = FrVar::one();
    let mut acc = FrVar::zero();
    for (a, c) in claims.iter().enumerate() {
        if a > 0 {
            coeff *= &lambda_sq;
        }
        acc += &coeff * (&c.numerator + lambda * &c.denominator);
    }
    Ok(acc)
}

/// Enforces `x != 0` (one constraint: `x` has an inverse). A constant zero is a
/// synthesis error.
pub(crate) fn enforce_nonzero(x: &FrVar) -> Result<(), SynthesisError> {
    match x {
        FpVar::Constant(c) if c.is_zero() => Err(SynthesisError::Unsatisfiable),
        FpVar::Constant(_) => Ok(()),
        FpVar::Var(_) => x.inverse().map(|_| ()),
    }
}

/// Enforces `a == b`. arkworks' `enforce_equal` accepts any two constants, so two
/// unequal constants are a synthesis error here instead.
pub(crate) fn enforce_equal(a: &FrVar, b: &FrVar) -> Result<(), SynthesisError> {
    match (a, b) {
        (FpVar::Constant(x), FpVar::Constant(y)) if x != y => Err(SynthesisError::Unsatisfiable),
        _ => a.enforce_equal(b),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha20Rng;
    use zkpot_core::{sumcheck::SumcheckProof, CpuBackend, PoseidonTranscript, Transcript};

    use super::*;
    use crate::range::{
        multiplicities_in, prove_range_in, verify_range_in as native_verify, LayerProof,
    };

    const LABEL: &[u8] = b"zkpot/test/range-gadget";

    /// A native transcript that has absorbed stand-ins for the commitments.
    fn native_transcript(prefix: u64) -> PoseidonTranscript {
        let mut t = PoseidonTranscript::new(LABEL);
        t.absorb_u64(prefix);
        t
    }

    /// An honest proof for random limbs below `2^table_bits`.
    fn honest(n: usize, table_bits: u32, seed: u64) -> (RangeProof, RangeClaims) {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let limbs: Vec<u64> = (0..1usize << n)
            .map(|_| rng.gen_range(0..1u64 << table_bits))
            .collect();
        let m = multiplicities_in(table_bits, &limbs).unwrap();
        let l: Vec<Fr> = limbs.iter().map(|&x| Fr::from(x)).collect();
        let m: Vec<Fr> = m.iter().map(|&x| Fr::from(x)).collect();
        prove_range_in(&CpuBackend, table_bits, &l, &m, &mut native_transcript(7)).unwrap()
    }

    /// What the gadget gives: its claims, the next challenge of its transcript, whether
    /// the circuit is satisfied and its size (before that challenge).
    struct Run {
        claims: RangeClaims,
        next: Fr,
        satisfied: bool,
        constraints: usize,
    }

    /// Runs the gadget after absorbing `prefix` (the native side absorbs 7); `None` for
    /// a synthesis error.
    fn gadget(n: usize, table_bits: u32, proof: &RangeProof, prefix: u64) -> Option<Run> {
        let cs = ark_relations::gr1cs::ConstraintSystem::<Fr>::new_ref();
        let mut t = TranscriptVar::new(cs.clone(), LABEL).ok()?;
        t.absorb_u64(prefix).ok()?;
        let proof = RangeProofVar::new_witness(cs.clone(), proof, n, table_bits).ok()?;
        let claims = verify_range_in(n, table_bits, &proof, &mut t).ok()?;
        let constraints = cs.num_constraints();
        let next = t.challenge().ok()?.value().ok()?;
        Some(Run {
            claims: claims.value().ok()?,
            next,
            satisfied: cs.is_satisfied().ok()?,
            constraints,
        })
    }

    /// The native verifier's claims and next challenge.
    fn native(n: usize, table_bits: u32, proof: &RangeProof) -> Option<(RangeClaims, Fr)> {
        let mut t = native_transcript(7);
        let claims = native_verify(n, table_bits, proof, &mut t).ok()?;
        Some((claims, t.challenge()))
    }

    #[test]
    fn honest_proofs_agree_with_the_native_verifier() {
        for (n, table_bits) in [(0, 3), (1, 1), (3, 5), (5, 3), (4, 4), (2, 16)] {
            let (proof, prover_claims) = honest(n, table_bits, n as u64 + 10);
            let (claims, next) = native(n, table_bits, &proof).unwrap();
            assert_eq!(claims, prover_claims);
            let run = gadget(n, table_bits, &proof, 7).unwrap();
            assert_eq!(run.claims, claims, "n = {n}, table_bits = {table_bits}");
            assert_eq!(run.next, next, "the transcripts end in the same state");
            assert!(run.satisfied, "n = {n}, table_bits = {table_bits}");
            // The structure depends on the shape only.
            let blank = gadget(n, table_bits, &blank_proof(n, table_bits), 7).unwrap();
            assert_eq!(blank.constraints, run.constraints);
            assert!(!blank.satisfied);
        }
    }

    /// Every field of a proof, for tampering.
    fn fields(proof: &mut RangeProof) -> Vec<&mut Fr> {
        let roots = [&mut proof.limb_root, &mut proof.table_root];
        let mut out: Vec<&mut Fr> = roots
            .into_iter()
            .flat_map(|f| [&mut f.numerator, &mut f.denominator])
            .collect();
        for layer in &mut proof.layers {
            out.extend(layer.sumcheck.rounds.iter_mut().flatten());
            for pair in &mut layer.children {
                for f in [&mut pair.left, &mut pair.right] {
                    out.extend([&mut f.numerator, &mut f.denominator]);
                }
            }
        }
        out
    }

    fn assert_tampering_rejected(n: usize, table_bits: u32, step: usize) {
        let (proof, _) = honest(n, table_bits, 3);
        let count = fields(&mut proof.clone()).len();
        for i in (0..count).step_by(step) {
            let mut bad = proof.clone();
            *fields(&mut bad)[i] += Fr::from(1u64);
            assert!(native(n, table_bits, &bad).is_none(), "field {i}");
            let run = gadget(n, table_bits, &bad, 7).unwrap();
            assert!(
                !run.satisfied,
                "n = {n}, table_bits = {table_bits}, field {i}"
            );
        }
    }

    #[test]
    fn every_tampered_field_leaves_the_circuit_unsatisfied() {
        // The limb tree deeper than the table tree, and the other way round.
        assert_tampering_rejected(5, 3, 1);
        assert_tampering_rejected(2, 6, 1);
    }

    #[test]
    fn tampered_fields_of_a_16_bit_proof_leave_the_circuit_unsatisfied() {
        assert_tampering_rejected(3, 16, 7);
    }

    #[test]
    fn false_statements_leave_the_circuit_unsatisfied() {
        let (n, table_bits) = (3, 4);
        // A limb outside the table, with the other limbs' multiplicities.
        let mut limbs: Vec<u64> = (0..8).collect();
        limbs[5] = 1 << table_bits;
        let mut m = multiplicities_in(table_bits, &limbs[..5]).unwrap();
        m[6] += 1;
        m[7] += 1;
        let l: Vec<Fr> = limbs.iter().map(|&x| Fr::from(x)).collect();
        let m: Vec<Fr> = m.iter().map(|&x| Fr::from(x)).collect();
        let (proof, _) =
            prove_range_in(&CpuBackend, table_bits, &l, &m, &mut native_transcript(7)).unwrap();
        assert!(native(n, table_bits, &proof).is_none());
        assert!(!gadget(n, table_bits, &proof, 7).unwrap().satisfied);
        // Another transcript state before the proof: other challenges.
        let (proof, _) = honest(n, table_bits, 5);
        assert!(!gadget(n, table_bits, &proof, 8).unwrap().satisfied);
        // A zero root denominator (and zero numerator, so that the sum is zero).
        let mut bad = proof.clone();
        bad.table_root = Fraction::default();
        assert!(native(n, table_bits, &bad).is_none());
        assert!(!gadget(n, table_bits, &bad, 7).unwrap().satisfied);
    }

    #[test]
    fn another_shape_is_a_synthesis_error() {
        let (n, table_bits) = (3, 4);
        let (proof, _) = honest(n, table_bits, 1);
        assert!(gadget(n, table_bits, &proof, 7).is_some());
        assert!(gadget(n + 1, table_bits, &proof, 7).is_none());
        assert!(gadget(n, table_bits + 1, &proof, 7).is_none());
        assert!(gadget(n, 0, &proof, 7).is_none());
        assert!(gadget(n, 17, &proof, 7).is_none());
        let mut bad = proof.clone();
        bad.layers[2].sumcheck.rounds[1].push(Fr::one());
        assert!(gadget(n, table_bits, &bad, 7).is_none());
        let mut bad = proof.clone();
        bad.layers[2].sumcheck.rounds.pop();
        assert!(gadget(n, table_bits, &bad, 7).is_none());
        let mut bad = proof.clone();
        bad.layers[3].children.push(ChildPair::default());
        assert!(gadget(n, table_bits, &bad, 7).is_none());
        let mut bad = proof;
        bad.layers.pop();
        assert!(gadget(n, table_bits, &bad, 7).is_none());
    }

    #[test]
    fn identity_eval_gadget_matches_the_native_one() {
        let point: Vec<Fr> = (0..16u64)
            .map(|j| Fr::from(j * j + 3) - Fr::from(40u64))
            .collect();
        let vars: Vec<FrVar> = point.iter().map(|x| FrVar::Constant(*x)).collect();
        assert_eq!(
            identity_eval(&vars).value().unwrap(),
            super::super::identity_eval(&point)
        );
    }

    #[test]
    fn table_claim_var_round_trips() {
        let cs = ark_relations::gr1cs::ConstraintSystem::<Fr>::new_ref();
        let claim = zkpot_core::Claim {
            point: vec![Fr::from(3u64), Fr::from(5u64)],
            value: Fr::from(9u64),
        };
        let var = ClaimVar::new_witness(cs.clone(), || Ok(claim.clone())).unwrap();
        assert_eq!(var.value().unwrap(), claim);
        assert!(!var.cs().is_none());
        let var = ClaimVar::new_input(cs, || Ok(&claim)).unwrap();
        assert_eq!(var.value().unwrap(), claim);
    }

    /// A proof of the shape with every message zero (it does not verify).
    fn blank_proof(n: usize, table_bits: u32) -> RangeProof {
        let depths = tree_depths(n, table_bits);
        RangeProof {
            limb_root: Fraction::default(),
            table_root: Fraction::default(),
            layers: (0..num_layers(&depths))
                .map(|k| LayerProof {
                    sumcheck: SumcheckProof {
                        rounds: vec![vec![Fr::zero(); DEGREE]; k],
                    },
                    children: vec![ChildPair::default(); active_trees(&depths, k).len()],
                })
                .collect(),
        }
    }

    /// The constraint count of the range check of a region of `2^22` limbs against the
    /// 16-bit table (the count depends on the shape only, so a blank proof gives it).
    #[test]
    fn constraint_count_of_a_realistic_range_check() {
        for (n, table_bits) in [(22, 16), (16, 16), (10, 16)] {
            let run = gadget(n, table_bits, &blank_proof(n, table_bits), 7).unwrap();
            println!(
                "range check, 2^{n} limbs, {table_bits}-bit table: {} constraints",
                run.constraints
            );
        }
    }
}
