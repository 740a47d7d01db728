//! The sumcheck verifier in-circuit: [`verify_sumcheck`], the twin of
//! [`verify`](super::verify), with [`alloc_sumcheck`] and [`check_final`]. Tested
//! against the native verifier on a plain `ConstraintSystem`.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ark_r1cs_std::{eq::EqGadget, fields::fp::FpVar, fields::FieldVar};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use crate::{
    claim::ClaimVar,
    constraints::{alloc_witnesses, FrVar},
    field::Fr,
    transcript::constraints::TranscriptVar,
};

/// The sumcheck verifier of [`crate::sumcheck::verify`] in-circuit, with the same
/// transcript order: `num_rounds`, `degree`, the claim, then per round the compressed
/// coefficients `[c_0, c_2, ..., c_d]` and a challenge; `c_1` is recovered from the
/// round's claim. The shape (`num_rounds` rounds of `degree` coefficients) is fixed by the
/// circuit: a proof of another shape is a synthesis error.
pub fn verify_sumcheck(
    rounds: &[Vec<FrVar>],
    claim: &FrVar,
    num_rounds: usize,
    degree: usize,
    transcript: &mut TranscriptVar,
) -> Result<ClaimVar, SynthesisError> {
    if rounds.len() != num_rounds || rounds.iter().any(|c| c.len() != degree) || degree == 0 {
        return Err(SynthesisError::Unsatisfiable);
    }
    transcript.absorb_u64(num_rounds as u64)?;
    transcript.absorb_u64(degree as u64)?;
    transcript.absorb_field(claim)?;
    let mut claim = claim.clone();
    let mut point = Vec::with_capacity(num_rounds);
    for coeffs in rounds {
        transcript.absorb_fields(coeffs)?;
        let r = transcript.challenge()?;
        // c_1 = claim - 2 c_0 - (c_2 + ... + c_d); then p(r) by Horner.
        let (c0, rest) = coeffs.split_first().ok_or(SynthesisError::Unsatisfiable)?;
        let mut c1 = &claim - c0.double()?;
        for c in rest {
            c1 -= c;
        }
        let mut value = FpVar::zero();
        for c in rest.iter().rev() {
            value = value * &r + c;
        }
        value = value * &r + &c1;
        claim = value * &r + c0;
        point.push(r);
    }
    Ok(ClaimVar {
        point,
        value: claim,
    })
}

/// Allocates a sumcheck proof's rounds as witnesses, refusing (a synthesis error) a
/// proof whose shape is not `num_rounds` rounds of `degree` coefficients: the circuit's
/// structure is fixed by the public shape, never by the proof.
pub fn alloc_sumcheck(
    cs: &ConstraintSystemRef<Fr>,
    proof: &crate::sumcheck::SumcheckProof,
    num_rounds: usize,
    degree: usize,
) -> Result<Vec<Vec<FrVar>>, SynthesisError> {
    if proof.rounds.len() != num_rounds || proof.rounds.iter().any(|c| c.len() != degree) {
        return Err(SynthesisError::Unsatisfiable);
    }
    proof
        .rounds
        .iter()
        .map(|coeffs| alloc_witnesses(cs, coeffs))
        .collect()
}

/// The sumcheck's final check: the reduced claim equals the summand computed from
/// trusted evaluations.
pub fn check_final(claimed: &FrVar, computed: &FrVar) -> Result<(), SynthesisError> {
    claimed.enforce_equal(computed)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]

    use ark_ff::UniformRand;
    use ark_r1cs_std::{alloc::AllocVar, GR1CSVar};
    use ark_relations::gr1cs::ConstraintSystem;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    use super::*;
    use crate::{PoseidonTranscript, Transcript};

    fn witnesses(cs: &ConstraintSystemRef<Fr>, xs: &[Fr]) -> Vec<FrVar> {
        xs.iter()
            .map(|x| FpVar::new_witness(cs.clone(), || Ok(*x)).unwrap())
            .collect()
    }

    /// A native sumcheck proof of a product of three random tables (degree 3).
    fn native_proof(
        num_vars: usize,
        seed: u64,
    ) -> (crate::sumcheck::SumcheckOutput, Fr, Vec<Vec<Fr>>) {
        use crate::sumcheck::{prove, NaiveProver};
        use crate::ProductSum;
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let tables: Vec<Vec<Fr>> = (0..3)
            .map(|_| (0..1 << num_vars).map(|_| Fr::rand(&mut rng)).collect())
            .collect();
        let claim: Fr = (0..1 << num_vars)
            .map(|i| tables[0][i] * tables[1][i] * tables[2][i])
            .sum();
        let sum = ProductSum {
            terms: vec![(Fr::from(1u64), vec![0, 1, 2])],
        };
        let mut prover = NaiveProver::new(sum, tables.clone(), None);
        let mut t = PoseidonTranscript::new(b"zkpot/test/sumcheck");
        (prove(&mut prover, claim, &mut t), claim, tables)
    }

    /// Runs the gadget on a proof; returns its reduced claim's values and whether the
    /// final check against the tables' true product at the point is satisfied.
    fn gadget_run(rounds: &[Vec<Fr>], claim: Fr, tables: &[Vec<Fr>]) -> (Vec<Fr>, Fr, bool) {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let mut t = TranscriptVar::new(cs.clone(), b"zkpot/test/sumcheck").unwrap();
        let rounds: Vec<Vec<FrVar>> = rounds.iter().map(|r| witnesses(&cs, r)).collect();
        let claim = FpVar::new_witness(cs.clone(), || Ok(claim)).unwrap();
        let out = verify_sumcheck(&rounds, &claim, rounds.len(), 3, &mut t).unwrap();
        let point: Vec<Fr> = out.point.iter().map(|r| r.value().unwrap()).collect();
        let product: Fr = tables
            .iter()
            .map(|tab| crate::evaluate_slice(tab, &point).unwrap())
            .product();
        let computed = FpVar::new_witness(cs.clone(), || Ok(product)).unwrap();
        check_final(&out.value, &computed).unwrap();
        (
            point,
            out.value.value().unwrap(),
            cs.is_satisfied().unwrap(),
        )
    }

    #[test]
    fn the_sumcheck_gadget_agrees_with_the_native_verifier() {
        for num_vars in [1, 4, 6] {
            let (out, claim, tables) = native_proof(num_vars, num_vars as u64);
            let mut t = PoseidonTranscript::new(b"zkpot/test/sumcheck");
            let native = crate::sumcheck::verify(&out.proof, claim, num_vars, 3, &mut t).unwrap();
            let (point, value, satisfied) = gadget_run(&out.proof.rounds, claim, &tables);
            assert_eq!(point, native.point);
            assert_eq!(value, native.value);
            assert!(satisfied, "an honest proof satisfies the circuit");
        }
    }

    #[test]
    fn a_tampered_round_or_claim_leaves_the_circuit_unsatisfied() {
        let (out, claim, tables) = native_proof(4, 9);
        for round in 0..4 {
            for k in 0..3 {
                let mut rounds = out.proof.rounds.clone();
                rounds[round][k] += Fr::from(1u64);
                assert!(
                    !gadget_run(&rounds, claim, &tables).2,
                    "round {round} coefficient {k}"
                );
            }
        }
        assert!(!gadget_run(&out.proof.rounds, claim + Fr::from(1u64), &tables).2);
        // A proof of another shape is a synthesis error.
        let cs = ConstraintSystem::<Fr>::new_ref();
        let mut t = TranscriptVar::new(cs.clone(), b"zkpot/test/sumcheck").unwrap();
        let rounds: Vec<Vec<FrVar>> = out.proof.rounds.iter().map(|r| witnesses(&cs, r)).collect();
        let c = FpVar::new_witness(cs.clone(), || Ok(claim)).unwrap();
        assert!(verify_sumcheck(&rounds, &c, 5, 3, &mut t).is_err());
        assert!(verify_sumcheck(&rounds, &c, 4, 2, &mut t).is_err());
    }
}
