//! The elementwise verifiers in-circuit, for the IVC step circuit (`DESIGN.md` sections
//! 4, 6 and 8), over BN254 `Fr`: the twins of [`super::verify_hadamard`],
//! [`super::verify_booleanity`] and [`super::verify_merge`] (the relations the step
//! proof uses), and of [`super::ones_eval`] for a public length and a variable point.
//!
//! The prover's messages are witnesses, allocated from a native proof for a public
//! number of variables (a proof of another shape is a synthesis error); claims coming in
//! are [`ClaimVar`]s; the statement's shape is absorbed as constants exactly where
//! the native verifier absorbs it, so challenges agree bit for bit. Every check at which
//! the native verifier returns an error is a constraint here: a bad proof leaves the
//! constraint system unsatisfied. A claim whose point has the wrong number of
//! coordinates, or no claims to merge, is a synthesis error (a shape, not a value).

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ark_r1cs_std::{
    alloc::AllocVar,
    fields::{fp::FpVar, FieldVar},
    GR1CSVar,
};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use zkpot_core::{
    constraints::{alloc_sumcheck, check_final, eq_eval, verify_sumcheck, FrVar, TranscriptVar},
    Fr,
};

pub use zkpot_core::ClaimVar;

use super::prover::{EQ_PRODUCT_DEGREE, MERGE_DEGREE};
use super::{
    BooleanityProof, HadamardClaims, HadamardProof, MergeProof, BOOLEANITY_LABEL, HADAMARD_LABEL,
    MAX_VARS, MERGE_LABEL,
};

/// The claims a Hadamard product leaves on its two inputs, in-circuit: the twin of
/// [`HadamardClaims`].
#[derive(Clone, Debug)]
pub struct HadamardClaimsVar {
    /// A claim on `S`.
    pub left: ClaimVar,
    /// A claim on `Q`.
    pub right: ClaimVar,
}

impl GR1CSVar<Fr> for HadamardClaimsVar {
    type Value = HadamardClaims;

    fn cs(&self) -> ConstraintSystemRef<Fr> {
        self.left.cs().or(self.right.cs())
    }

    fn value(&self) -> Result<HadamardClaims, SynthesisError> {
        Ok(HadamardClaims {
            left: self.left.value()?,
            right: self.right.value()?,
        })
    }
}

/// A Hadamard proof's messages as witnesses, the twin of [`HadamardProof`].
#[derive(Clone, Debug)]
pub struct HadamardProofVar {
    /// The sumcheck's rounds (`n` rounds of 3 compressed coefficients).
    pub sumcheck: Vec<Vec<FrVar>>,
    /// `S~(rho)`.
    pub left_eval: FrVar,
    /// `Q~(rho)`.
    pub right_eval: FrVar,
}

impl HadamardProofVar {
    /// Allocates `proof` as witnesses for tables over `num_vars` variables; a proof of
    /// another shape (not `num_vars` rounds of 3 coefficients) is
    /// [`SynthesisError::Unsatisfiable`].
    pub fn new_witness(
        cs: ConstraintSystemRef<Fr>,
        proof: &HadamardProof,
        num_vars: usize,
    ) -> Result<Self, SynthesisError> {
        check_num_vars(num_vars)?;
        Ok(Self {
            sumcheck: alloc_sumcheck(&cs, &proof.sumcheck, num_vars, EQ_PRODUCT_DEGREE)?,
            left_eval: FrVar::new_witness(cs.clone(), || Ok(proof.left_eval))?,
            right_eval: FrVar::new_witness(cs, || Ok(proof.right_eval))?,
        })
    }
}

/// A booleanity proof's messages as witnesses, the twin of [`BooleanityProof`].
#[derive(Clone, Debug)]
pub struct BooleanityProofVar {
    /// The sumcheck's rounds (`n` rounds of 3 compressed coefficients).
    pub sumcheck: Vec<Vec<FrVar>>,
    /// `S~(rho)`.
    pub eval: FrVar,
}

impl BooleanityProofVar {
    /// Allocates `proof` as witnesses for a table over `num_vars` variables; a proof of
    /// another shape (not `num_vars` rounds of 3 coefficients) is
    /// [`SynthesisError::Unsatisfiable`].
    pub fn new_witness(
        cs: ConstraintSystemRef<Fr>,
        proof: &BooleanityProof,
        num_vars: usize,
    ) -> Result<Self, SynthesisError> {
        check_num_vars(num_vars)?;
        Ok(Self {
            sumcheck: alloc_sumcheck(&cs, &proof.sumcheck, num_vars, EQ_PRODUCT_DEGREE)?,
            eval: FrVar::new_witness(cs, || Ok(proof.eval))?,
        })
    }
}

/// A merge proof's messages as witnesses, the twin of [`MergeProof`].
#[derive(Clone, Debug)]
pub struct MergeProofVar {
    /// The sumcheck's rounds (`n` rounds of 2 compressed coefficients).
    pub sumcheck: Vec<Vec<FrVar>>,
    /// `T~(rho)`.
    pub eval: FrVar,
}

impl MergeProofVar {
    /// Allocates `proof` as witnesses for a table over `num_vars` variables; a proof of
    /// another shape (not `num_vars` rounds of 2 coefficients) is
    /// [`SynthesisError::Unsatisfiable`].
    pub fn new_witness(
        cs: ConstraintSystemRef<Fr>,
        proof: &MergeProof,
        num_vars: usize,
    ) -> Result<Self, SynthesisError> {
        check_num_vars(num_vars)?;
        Ok(Self {
            sumcheck: alloc_sumcheck(&cs, &proof.sumcheck, num_vars, MERGE_DEGREE)?,
            eval: FrVar::new_witness(cs, || Ok(proof.eval))?,
        })
    }
}

/// [`super::verify_hadamard`] in-circuit: verifies `C = S ∘ Q` over `num_vars`
/// variables for the claim `output` on `C`, continuing `transcript`. Returns the claims
/// on `S` and `Q` (at the sumcheck point). The final sumcheck check is a constraint; an
/// `output` point without `num_vars` coordinates, or a proof of another shape, is
/// [`SynthesisError::Unsatisfiable`].
pub fn verify_hadamard(
    num_vars: usize,
    output: &ClaimVar,
    proof: &HadamardProofVar,
    transcript: &mut TranscriptVar,
) -> Result<HadamardClaimsVar, SynthesisError> {
    check_claim(num_vars, output)?;
    open(transcript, HADAMARD_LABEL, num_vars, &[])?;
    absorb_claim(transcript, output)?;
    let reduced = verify_sumcheck(
        &proof.sumcheck,
        &output.value,
        num_vars,
        EQ_PRODUCT_DEGREE,
        transcript,
    )?;
    let expected = eq_eval(&output.point, &reduced.point)? * &proof.left_eval * &proof.right_eval;
    check_final(&reduced.value, &expected)?;
    transcript.absorb_fields(&[proof.left_eval.clone(), proof.right_eval.clone()])?;
    Ok(HadamardClaimsVar {
        left: ClaimVar {
            point: reduced.point.clone(),
            value: proof.left_eval.clone(),
        },
        right: ClaimVar {
            point: reduced.point,
            value: proof.right_eval.clone(),
        },
    })
}

/// [`super::verify_booleanity`] in-circuit: verifies that a table over `num_vars`
/// variables is boolean, continuing `transcript`. Returns the claim on the table. The
/// final sumcheck check is a constraint; a proof of another shape is
/// [`SynthesisError::Unsatisfiable`].
pub fn verify_booleanity(
    num_vars: usize,
    proof: &BooleanityProofVar,
    transcript: &mut TranscriptVar,
) -> Result<ClaimVar, SynthesisError> {
    check_num_vars(num_vars)?;
    open(transcript, BOOLEANITY_LABEL, num_vars, &[])?;
    let tau = transcript.challenges(num_vars)?;
    let reduced = verify_sumcheck(
        &proof.sumcheck,
        &FrVar::zero(),
        num_vars,
        EQ_PRODUCT_DEGREE,
        transcript,
    )?;
    let s = &proof.eval;
    let expected = eq_eval(&tau, &reduced.point)? * (s.square()? - s);
    check_final(&reduced.value, &expected)?;
    transcript.absorb_field(s)?;
    Ok(ClaimVar {
        point: reduced.point,
        value: s.clone(),
    })
}

/// [`super::verify_merge`] in-circuit: verifies the merge of `claims` (at least one,
/// each with `num_vars` coordinates; their number is part of the public shape) on one
/// table over `num_vars` variables, continuing `transcript`. Returns the merged claim.
/// The final sumcheck check is a constraint; no claims, a claim of another length or a
/// proof of another shape is [`SynthesisError::Unsatisfiable`].
pub fn verify_merge(
    num_vars: usize,
    claims: &[ClaimVar],
    proof: &MergeProofVar,
    transcript: &mut TranscriptVar,
) -> Result<ClaimVar, SynthesisError> {
    // The native `merge_statement`.
    if claims.is_empty() {
        return Err(SynthesisError::Unsatisfiable);
    }
    for c in claims {
        check_claim(num_vars, c)?;
    }
    open(transcript, MERGE_LABEL, num_vars, &[claims.len() as u64])?;
    for c in claims {
        absorb_claim(transcript, c)?;
    }
    let a = transcript.challenge()?;

    // `sum_i a^i v_i` and, at the sumcheck point, `sum_i a^i eq(r_i, rho)`.
    let powers = powers(&a, claims.len());
    let mut combined = FrVar::zero();
    for (c, p) in claims.iter().zip(&powers) {
        combined += p * &c.value;
    }
    let reduced = verify_sumcheck(
        &proof.sumcheck,
        &combined,
        num_vars,
        MERGE_DEGREE,
        transcript,
    )?;
    let mut weight = FrVar::zero();
    for (c, p) in claims.iter().zip(&powers) {
        weight += p * eq_eval(&c.point, &reduced.point)?;
    }
    check_final(&reduced.value, &(weight * &proof.eval))?;
    transcript.absorb_field(&proof.eval)?;
    Ok(ClaimVar {
        point: reduced.point,
        value: proof.eval.clone(),
    })
}

/// [`super::ones_eval`] in-circuit: `ONE~(point)` for the table over `n = point.len()`
/// variables that is 1 on its first `num_entries` (public) entries and 0 after them.
/// One constraint per coordinate at most (none while the prefix product is constant);
/// `num_entries > 2^n` is [`SynthesisError::Unsatisfiable`] (the native error).
pub fn ones_eval(num_entries: u64, point: &[FrVar]) -> Result<FrVar, SynthesisError> {
    let full = u32::try_from(point.len())
        .ok()
        .and_then(|n| 1u64.checked_shl(n));
    match full {
        Some(full) if num_entries > full => Err(SynthesisError::Unsatisfiable),
        Some(full) if num_entries == full => Ok(FrVar::one()),
        _ => {
            // From the top bit down: `prefix` is the product of the eq factors of the
            // bits above; a set bit adds the block `prefix (1 - r)` and continues with
            // `prefix r`, an unset bit continues with `prefix (1 - r)`.
            let mut prefix = FrVar::one();
            let mut acc = FrVar::zero();
            for (j, r) in point.iter().enumerate().rev() {
                let bit = u32::try_from(j)
                    .ok()
                    .and_then(|j| num_entries.checked_shr(j))
                    .is_some_and(|v| v & 1 == 1);
                let high = &prefix * r;
                let low = &prefix - &high;
                if bit {
                    acc += low;
                    prefix = high;
                } else {
                    prefix = low;
                }
            }
            Ok(acc)
        }
    }
}

/// Refuses more than [`MAX_VARS`] variables (the native `check_num_vars`).
fn check_num_vars(num_vars: usize) -> Result<(), SynthesisError> {
    if num_vars > MAX_VARS {
        Err(SynthesisError::Unsatisfiable)
    } else {
        Ok(())
    }
}

/// Checks a claim's point against `n` (the native `check_claim`).
fn check_claim(num_vars: usize, claim: &ClaimVar) -> Result<(), SynthesisError> {
    check_num_vars(num_vars)?;
    if claim.point.len() == num_vars {
        Ok(())
    } else {
        Err(SynthesisError::Unsatisfiable)
    }
}

/// Absorbs a relation's opening: its label, `n`, then its public parameters (the native
/// `open`).
fn open(
    transcript: &mut TranscriptVar,
    label: &[u8],
    num_vars: usize,
    params: &[u64],
) -> Result<(), SynthesisError> {
    transcript.absorb_bytes(label)?;
    transcript.absorb_u64(num_vars as u64)?;
    for &p in params {
        transcript.absorb_u64(p)?;
    }
    Ok(())
}

/// Absorbs a claim: its point, then its value (the native `absorb_claim`).
fn absorb_claim(transcript: &mut TranscriptVar, claim: &ClaimVar) -> Result<(), SynthesisError> {
    transcript.absorb_fields(&claim.point)?;
    transcript.absorb_field(&claim.value)
}

/// `1, a, ..., a^(m-1)`.
fn powers(a: &FrVar, m: usize) -> Vec<FrVar> {
    let mut out: Vec<FrVar> = Vec::with_capacity(m);
    let mut next = FpVar::one();
    for i in 0..m {
        if i > 0 {
            next *= a;
        }
        out.push(next.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use ark_ff::{One, UniformRand, Zero};
    use ark_relations::gr1cs::ConstraintSystem;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha20Rng;
    use zkpot_core::{
        sumcheck::SumcheckProof, CpuBackend, MultilinearTable, PoseidonTranscript, Transcript,
    };

    use super::*;
    use crate::elementwise::{
        hadamard_reference, ones_table, prove_booleanity, prove_hadamard, prove_merge, Claim,
    };

    const LABEL: &[u8] = b"zkpot/test/elementwise-gadget";

    fn native_transcript() -> PoseidonTranscript {
        let mut t = PoseidonTranscript::new(LABEL);
        t.absorb_u64(7);
        t
    }

    fn random_fields(rng: &mut ChaCha20Rng, len: usize) -> Vec<Fr> {
        (0..len).map(|_| Fr::rand(rng)).collect()
    }

    fn mle(table: &[Fr], point: &[Fr]) -> Fr {
        MultilinearTable::new(table.to_vec())
            .unwrap()
            .evaluate(point)
            .unwrap()
    }

    fn random_claim(rng: &mut ChaCha20Rng, table: &[Fr]) -> Claim {
        let n = table.len().trailing_zeros() as usize;
        let point = random_fields(rng, n);
        let value = mle(table, &point);
        Claim { point, value }
    }

    /// What a gadget run gives: its output, the next challenge of its transcript,
    /// whether the circuit is satisfied and its size (before that challenge).
    struct Run<V> {
        out: V,
        next: Fr,
        satisfied: bool,
        constraints: usize,
    }

    /// Runs `body` on a fresh circuit whose transcript matches [`native_transcript`];
    /// `None` for a synthesis error.
    fn run<V: GR1CSVar<Fr>>(
        body: impl FnOnce(&ConstraintSystemRef<Fr>, &mut TranscriptVar) -> Result<V, SynthesisError>,
    ) -> Option<Run<V::Value>> {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let mut t = TranscriptVar::new(cs.clone(), LABEL).ok()?;
        t.absorb_u64(7).ok()?;
        let out = body(&cs, &mut t).ok()?;
        let constraints = cs.num_constraints();
        Some(Run {
            out: out.value().ok()?,
            next: t.challenge().ok()?.value().ok()?,
            satisfied: cs.is_satisfied().ok()?,
            constraints,
        })
    }

    fn claim_var(cs: &ConstraintSystemRef<Fr>, c: &Claim) -> Result<ClaimVar, SynthesisError> {
        ClaimVar::new_witness(cs.clone(), || Ok(c))
    }

    fn blank_sumcheck(num_rounds: usize, degree: usize) -> SumcheckProof {
        SumcheckProof {
            rounds: vec![vec![Fr::zero(); degree]; num_rounds],
        }
    }

    // ------------------------------------------------------------ Hadamard

    fn hadamard_gadget(
        n: usize,
        output: &Claim,
        proof: &HadamardProof,
    ) -> Option<Run<HadamardClaims>> {
        run(|cs, t| {
            let output = claim_var(cs, output)?;
            let proof = HadamardProofVar::new_witness(cs.clone(), proof, n)?;
            verify_hadamard(n, &output, &proof, t)
        })
    }

    fn hadamard_native(
        n: usize,
        output: &Claim,
        proof: &HadamardProof,
    ) -> Option<(HadamardClaims, Fr)> {
        let mut t = native_transcript();
        let claims = super::super::verify_hadamard(n, output, proof, &mut t).ok()?;
        Some((claims, t.challenge()))
    }

    fn hadamard_instance(n: usize, seed: u64) -> (Claim, HadamardProof) {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let s = random_fields(&mut rng, 1 << n);
        let q = random_fields(&mut rng, 1 << n);
        let output = random_claim(&mut rng, &hadamard_reference(&s, &q).unwrap());
        let (proof, _) =
            prove_hadamard(&CpuBackend, &s, &q, &output, &mut native_transcript()).unwrap();
        (output, proof)
    }

    #[test]
    fn hadamard_gadget_agrees_with_the_native_verifier() {
        for n in [0, 1, 3, 6] {
            let (output, proof) = hadamard_instance(n, n as u64);
            let (claims, next) = hadamard_native(n, &output, &proof).unwrap();
            let r = hadamard_gadget(n, &output, &proof).unwrap();
            assert_eq!(r.out, claims, "n = {n}");
            assert_eq!(r.next, next);
            assert!(r.satisfied, "n = {n}");
            let blank = HadamardProof {
                sumcheck: blank_sumcheck(n, 3),
                ..Default::default()
            };
            let b = hadamard_gadget(n, &output, &blank).unwrap();
            assert_eq!(b.constraints, r.constraints, "the shape fixes the circuit");
        }
    }

    #[test]
    fn hadamard_tampering_leaves_the_circuit_unsatisfied() {
        let n = 4;
        let (output, proof) = hadamard_instance(n, 11);
        let count = proof.sumcheck.rounds.len() * 3 + 2;
        for i in 0..count {
            let mut bad = proof.clone();
            let field = match i {
                0 => &mut bad.left_eval,
                1 => &mut bad.right_eval,
                _ => &mut bad.sumcheck.rounds[(i - 2) / 3][(i - 2) % 3],
            };
            *field += Fr::one();
            assert!(hadamard_native(n, &output, &bad).is_none(), "field {i}");
            assert!(
                !hadamard_gadget(n, &output, &bad).unwrap().satisfied,
                "field {i}"
            );
        }
        // The output claim: its value and every coordinate of its point.
        let mut bad = output.clone();
        bad.value += Fr::one();
        assert!(hadamard_native(n, &bad, &proof).is_none());
        assert!(!hadamard_gadget(n, &bad, &proof).unwrap().satisfied);
        for j in 0..n {
            let mut bad = output.clone();
            bad.point[j] += Fr::one();
            assert!(hadamard_native(n, &bad, &proof).is_none());
            assert!(
                !hadamard_gadget(n, &bad, &proof).unwrap().satisfied,
                "coordinate {j}"
            );
        }
        // Another shape is a synthesis error.
        assert!(hadamard_gadget(n + 1, &output, &proof).is_none());
        let mut short = output.clone();
        short.point.pop();
        assert!(hadamard_gadget(n, &short, &proof).is_none());
        let mut bad = proof;
        bad.sumcheck.rounds[0].pop();
        assert!(hadamard_gadget(n, &output, &bad).is_none());
    }

    // ---------------------------------------------------------- booleanity

    fn booleanity_gadget(n: usize, proof: &BooleanityProof) -> Option<Run<Claim>> {
        run(|cs, t| {
            let proof = BooleanityProofVar::new_witness(cs.clone(), proof, n)?;
            verify_booleanity(n, &proof, t)
        })
    }

    fn booleanity_native(n: usize, proof: &BooleanityProof) -> Option<(Claim, Fr)> {
        let mut t = native_transcript();
        let claim = super::super::verify_booleanity(n, proof, &mut t).ok()?;
        Some((claim, t.challenge()))
    }

    fn booleanity_instance(n: usize, seed: u64, bad_entry: Option<usize>) -> BooleanityProof {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let mut s: Vec<Fr> = (0..1 << n)
            .map(|_| Fr::from(rng.gen_range(0..2u64)))
            .collect();
        if let Some(i) = bad_entry {
            s[i] = Fr::from(2u64);
        }
        prove_booleanity(&CpuBackend, &s, &mut native_transcript())
            .unwrap()
            .0
    }

    #[test]
    fn booleanity_gadget_agrees_with_the_native_verifier() {
        for n in [0, 1, 3, 6] {
            let proof = booleanity_instance(n, n as u64, None);
            let (claim, next) = booleanity_native(n, &proof).unwrap();
            let r = booleanity_gadget(n, &proof).unwrap();
            assert_eq!(r.out, claim, "n = {n}");
            assert_eq!(r.next, next);
            assert!(r.satisfied, "n = {n}");
            let blank = BooleanityProof {
                sumcheck: blank_sumcheck(n, 3),
                ..Default::default()
            };
            assert_eq!(
                booleanity_gadget(n, &blank).unwrap().constraints,
                r.constraints
            );
        }
    }

    #[test]
    fn booleanity_tampering_and_non_bits_leave_the_circuit_unsatisfied() {
        let n = 4;
        let proof = booleanity_instance(n, 5, None);
        for i in 0..proof.sumcheck.rounds.len() * 3 + 1 {
            let mut bad = proof.clone();
            let field = match i {
                0 => &mut bad.eval,
                _ => &mut bad.sumcheck.rounds[(i - 1) / 3][(i - 1) % 3],
            };
            *field += Fr::one();
            assert!(booleanity_native(n, &bad).is_none(), "field {i}");
            assert!(!booleanity_gadget(n, &bad).unwrap().satisfied, "field {i}");
        }
        for (n, entry) in [(0, 0), (4, 9)] {
            let bad = booleanity_instance(n, 6, Some(entry));
            assert!(booleanity_native(n, &bad).is_none());
            assert!(!booleanity_gadget(n, &bad).unwrap().satisfied, "n = {n}");
        }
        assert!(booleanity_gadget(n - 1, &proof).is_none());
        assert!(booleanity_gadget(MAX_VARS + 1, &proof).is_none());
    }

    // --------------------------------------------------------------- merge

    fn merge_gadget(n: usize, claims: &[Claim], proof: &MergeProof) -> Option<Run<Claim>> {
        run(|cs, t| {
            let claims = claims
                .iter()
                .map(|c| claim_var(cs, c))
                .collect::<Result<Vec<_>, _>>()?;
            let proof = MergeProofVar::new_witness(cs.clone(), proof, n)?;
            verify_merge(n, &claims, &proof, t)
        })
    }

    fn merge_native(n: usize, claims: &[Claim], proof: &MergeProof) -> Option<(Claim, Fr)> {
        let mut t = native_transcript();
        let claim = super::super::verify_merge(n, claims, proof, &mut t).ok()?;
        Some((claim, t.challenge()))
    }

    fn merge_instance(n: usize, m: usize, seed: u64) -> (Vec<Claim>, MergeProof) {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let table = random_fields(&mut rng, 1 << n);
        let claims: Vec<Claim> = (0..m).map(|_| random_claim(&mut rng, &table)).collect();
        let (proof, _) =
            prove_merge(&CpuBackend, &table, &claims, &mut native_transcript()).unwrap();
        (claims, proof)
    }

    #[test]
    fn merge_gadget_agrees_with_the_native_verifier() {
        for (n, m) in [(0, 1), (0, 3), (1, 2), (3, 1), (5, 5)] {
            let (claims, proof) = merge_instance(n, m, (10 * n + m) as u64);
            let (claim, next) = merge_native(n, &claims, &proof).unwrap();
            let r = merge_gadget(n, &claims, &proof).unwrap();
            assert_eq!(r.out, claim, "n = {n}, m = {m}");
            assert_eq!(r.next, next);
            assert!(r.satisfied, "n = {n}, m = {m}");
            let blank = MergeProof {
                sumcheck: blank_sumcheck(n, 2),
                ..Default::default()
            };
            assert_eq!(
                merge_gadget(n, &claims, &blank).unwrap().constraints,
                r.constraints
            );
        }
    }

    #[test]
    fn merge_tampering_leaves_the_circuit_unsatisfied() {
        let (n, m) = (4, 3);
        let (claims, proof) = merge_instance(n, m, 21);
        for i in 0..proof.sumcheck.rounds.len() * 2 + 1 {
            let mut bad = proof.clone();
            let field = match i {
                0 => &mut bad.eval,
                _ => &mut bad.sumcheck.rounds[(i - 1) / 2][(i - 1) % 2],
            };
            *field += Fr::one();
            assert!(merge_native(n, &claims, &bad).is_none(), "field {i}");
            assert!(
                !merge_gadget(n, &claims, &bad).unwrap().satisfied,
                "field {i}"
            );
        }
        // Every claim's value and coordinates.
        for i in 0..m {
            for j in 0..=n {
                let mut bad = claims.clone();
                match bad[i].point.get_mut(j) {
                    Some(x) => *x += Fr::one(),
                    None => bad[i].value += Fr::one(),
                }
                assert!(merge_native(n, &bad, &proof).is_none());
                assert!(
                    !merge_gadget(n, &bad, &proof).unwrap().satisfied,
                    "claim {i}, field {j}"
                );
            }
        }
        // Shapes: no claims, a short point, another number of variables or rounds.
        assert!(merge_gadget(n, &[], &proof).is_none());
        let mut bad = claims.clone();
        bad[1].point.pop();
        assert!(merge_gadget(n, &bad, &proof).is_none());
        assert!(merge_gadget(n + 1, &claims, &proof).is_none());
        let mut bad = proof;
        bad.sumcheck.rounds[2].push(Fr::one());
        assert!(merge_gadget(n, &claims, &bad).is_none());
    }

    // ------------------------------------------------------------ ones_eval

    #[test]
    fn ones_eval_gadget_matches_the_native_one() {
        let mut rng = ChaCha20Rng::seed_from_u64(8);
        for n in 0..6usize {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let point = random_fields(&mut rng, n);
            let vars: Vec<FrVar> = point
                .iter()
                .map(|x| FrVar::new_witness(cs.clone(), || Ok(*x)).unwrap())
                .collect();
            for len in 0..=(1u64 << n) {
                let native = super::super::ones_eval(len, &point).unwrap();
                let table = ones_table(len as usize, n).unwrap();
                assert_eq!(native, mle(&table, &point));
                assert_eq!(
                    ones_eval(len, &vars).unwrap().value().unwrap(),
                    native,
                    "n = {n}, len = {len}"
                );
            }
            assert!(ones_eval((1 << n) + 1, &vars).is_err());
            assert!(cs.is_satisfied().unwrap());
            assert!(cs.num_constraints() <= n << n);
        }
    }

    // ------------------------------------------------------- constraint counts

    /// The constraint counts at a realistic size: 24 variables, and a merge of 5 claims
    /// (blank proofs: the count depends on the shape only).
    #[test]
    fn constraint_counts_at_24_variables() {
        let n = 24;
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let output = Claim {
            point: random_fields(&mut rng, n),
            value: Fr::zero(),
        };
        let hadamard = HadamardProof {
            sumcheck: blank_sumcheck(n, 3),
            ..Default::default()
        };
        let booleanity = BooleanityProof {
            sumcheck: blank_sumcheck(n, 3),
            ..Default::default()
        };
        let merge = MergeProof {
            sumcheck: blank_sumcheck(n, 2),
            ..Default::default()
        };
        let h = hadamard_gadget(n, &output, &hadamard).unwrap().constraints;
        let b = booleanity_gadget(n, &booleanity).unwrap().constraints;
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        let claims: Vec<Claim> = (0..5)
            .map(|_| Claim {
                point: random_fields(&mut rng, n),
                value: Fr::zero(),
            })
            .collect();
        let m = merge_gadget(n, &claims, &merge).unwrap().constraints;
        let ones = run(|cs, _| {
            let point = claim_var(cs, &output)?;
            let _ = ones_eval(5_000_000, &point.point)?;
            Ok(point)
        })
        .unwrap()
        .constraints;
        println!("elementwise gadgets at n = {n}:");
        println!("  hadamard: {h} constraints");
        println!("  booleanity: {b} constraints");
        println!("  merge of 5 claims: {m} constraints");
        println!("  ones_eval: {ones} constraints");
    }
}
