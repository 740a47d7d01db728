//! In-circuit twins of `core`'s verifier-side pieces, for the IVC step circuit
//! (`DESIGN.md` sections 6 and 8). Every gadget here is tested against its native twin
//! on a plain `ConstraintSystem`: same inputs, same outputs, constraints satisfied.
//!
//! * [`TranscriptVar`]: the Poseidon [`Transcript`](crate::Transcript) in-circuit
//!   (arkworks' `PoseidonSpongeVar` with [`poseidon_config`]), with the same encodings:
//!   constants (labels, lengths, indices) are absorbed as constants, prover messages as
//!   variables, `G1` points as the four limbs of [`point_to_fields`](crate::point_to_fields).
//! * [`verify_sumcheck`]: the sumcheck verifier of [`crate::sumcheck::verify`], and
//!   [`check_final`], its final check, as constraints.
//! * [`eq_eval`]: `eq(a, b)` of [`crate::eq_eval`].

use ark_crypto_primitives::sponge::{
    constraints::CryptographicSpongeVar,
    poseidon::{constraints::PoseidonSpongeVar, PoseidonSponge},
};
use ark_ff::PrimeField;
use ark_r1cs_std::{
    alloc::AllocVar, boolean::Boolean, eq::EqGadget, fields::fp::FpVar, fields::FieldVar,
};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use crate::{
    field::Fr,
    transcript::{poseidon_config, BYTES_PER_ELEMENT},
};

/// A field element variable of the step circuit (over BN254 `Fr`).
pub type FrVar = FpVar<Fr>;

/// The Poseidon transcript in-circuit: every method absorbs exactly the field elements
/// its native twin in [`Transcript`](crate::Transcript) absorbs, so the challenges agree
/// bit for bit.
#[derive(Clone)]
pub struct TranscriptVar {
    sponge: PoseidonSpongeVar<Fr>,
    /// Constraints spent inside the sponge so far (absorbs and squeezes).
    spent: usize,
}

impl TranscriptVar {
    /// Starts a transcript: a fresh sponge, then [`TranscriptVar::absorb_bytes`] of the
    /// (public, constant) label.
    pub fn new(cs: ConstraintSystemRef<Fr>, label: &[u8]) -> Result<Self, SynthesisError> {
        let mut t = TranscriptVar {
            sponge: <PoseidonSpongeVar<Fr> as CryptographicSpongeVar<Fr, PoseidonSponge<Fr>>>::new(
                cs,
                &poseidon_config(),
            ),
            spent: 0,
        };
        t.absorb_bytes(label)?;
        Ok(t)
    }

    /// The constraint system.
    pub fn cs(&self) -> ConstraintSystemRef<Fr> {
        self.sponge.cs()
    }

    /// The constraints spent inside this transcript's sponge so far (the hashing share
    /// of a circuit, for profiles).
    pub fn constraints_spent(&self) -> usize {
        self.spent
    }

    /// Runs `f` on the sponge, counting the constraints it adds.
    fn counted<X>(
        &mut self,
        f: impl FnOnce(&mut PoseidonSpongeVar<Fr>) -> Result<X, SynthesisError>,
    ) -> Result<X, SynthesisError> {
        let cs = self.sponge.cs();
        let before = cs.num_constraints();
        let out = f(&mut self.sponge)?;
        self.spent += cs.num_constraints().saturating_sub(before);
        Ok(out)
    }

    /// Absorbs one element.
    pub fn absorb_field(&mut self, x: &FrVar) -> Result<(), SynthesisError> {
        self.counted(|s| s.absorb(x))
    }

    /// Absorbs each element in order, no length prefix.
    pub fn absorb_fields(&mut self, xs: &[FrVar]) -> Result<(), SynthesisError> {
        if xs.is_empty() {
            return Ok(());
        }
        self.counted(|s| s.absorb(&xs.to_vec()))
    }

    /// Absorbs a public constant element.
    pub fn absorb_constant(&mut self, x: Fr) -> Result<(), SynthesisError> {
        self.absorb_field(&FpVar::constant(x))
    }

    /// Absorbs `Fr::from(x)` for a public `x`.
    pub fn absorb_u64(&mut self, x: u64) -> Result<(), SynthesisError> {
        self.absorb_constant(Fr::from(x))
    }

    /// Absorbs public bytes exactly as the native transcript does: the length, then
    /// 31-byte little-endian chunks.
    pub fn absorb_bytes(&mut self, bytes: &[u8]) -> Result<(), SynthesisError> {
        self.absorb_u64(bytes.len() as u64)?;
        for chunk in bytes.chunks(BYTES_PER_ELEMENT) {
            self.absorb_constant(Fr::from_le_bytes_mod_order(chunk))?;
        }
        Ok(())
    }

    /// Absorbs a `G1` point given as its four limbs `[x_lo, x_hi, y_lo, y_hi]`
    /// ([`point_to_fields`](crate::point_to_fields)). Whoever allocates the limbs must
    /// constrain them to the point (range of the limbs, on the curve).
    pub fn absorb_point(&mut self, limbs: &[FrVar; 4]) -> Result<(), SynthesisError> {
        self.absorb_fields(limbs)
    }

    /// Squeezes one challenge, a full field element.
    pub fn challenge(&mut self) -> Result<FrVar, SynthesisError> {
        self.challenges(1)?
            .pop()
            .ok_or(SynthesisError::AssignmentMissing)
    }

    /// Squeezes `n` challenges.
    pub fn challenges(&mut self, n: usize) -> Result<Vec<FrVar>, SynthesisError> {
        self.counted(|s| s.squeeze_field_elements(n))
    }

    /// Squeezes a 128-bit challenge (`squeeze_bits(128)`, little-endian): its value and
    /// its bits (for scalar multiplications by it).
    pub fn challenge_128(&mut self) -> Result<(FrVar, Vec<Boolean<Fr>>), SynthesisError> {
        let bits = self.counted(|s| s.squeeze_bits(128))?;
        let value = Boolean::le_bits_to_fp(&bits)?;
        Ok((value, bits))
    }
}

/// The sumcheck's reduced claim in-circuit: `g(point) = value`.
#[derive(Clone)]
pub struct SumcheckClaimVar {
    /// The random point (challenges from the transcript).
    pub point: Vec<FrVar>,
    /// The value `g` must take there.
    pub value: FrVar,
}

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
) -> Result<SumcheckClaimVar, SynthesisError> {
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
    Ok(SumcheckClaimVar {
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

/// Allocates field elements as witnesses.
pub fn alloc_witnesses(
    cs: &ConstraintSystemRef<Fr>,
    xs: &[Fr],
) -> Result<Vec<FrVar>, SynthesisError> {
    xs.iter()
        .map(|x| FpVar::new_witness(cs.clone(), || Ok(*x)))
        .collect()
}

/// Allocates one field element as a witness.
pub fn alloc_witness(cs: &ConstraintSystemRef<Fr>, x: Fr) -> Result<FrVar, SynthesisError> {
    FpVar::new_witness(cs.clone(), || Ok(x))
}

/// The sumcheck's final check: the reduced claim equals the summand computed from
/// trusted evaluations.
pub fn check_final(claimed: &FrVar, computed: &FrVar) -> Result<(), SynthesisError> {
    claimed.enforce_equal(computed)
}

/// `eq(a, b) = prod_j (a_j b_j + (1 - a_j)(1 - b_j))`; the lengths must match.
pub fn eq_eval(a: &[FrVar], b: &[FrVar]) -> Result<FrVar, SynthesisError> {
    if a.len() != b.len() {
        return Err(SynthesisError::Unsatisfiable);
    }
    let mut acc = FpVar::one();
    for (x, y) in a.iter().zip(b) {
        // 1 - x - y + 2 x y
        let xy = x * y;
        acc *= FpVar::one() - x - y + xy.double()?;
    }
    Ok(acc)
}

#[cfg(test)]
mod tests {
    use ark_ff::UniformRand;
    use ark_r1cs_std::{alloc::AllocVar, GR1CSVar};
    use ark_relations::gr1cs::ConstraintSystem;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    use super::*;
    use crate::{point_to_fields, G1Affine, PoseidonTranscript, Transcript};

    /// One random script of absorbs and squeezes, run natively and in-circuit (with every
    /// absorbed message a witness) on the same values.
    #[test]
    fn the_gadget_agrees_with_the_native_transcript() {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let cs = ConstraintSystem::<Fr>::new_ref();
        let mut native = PoseidonTranscript::new(b"zkpot/test/gadget");
        let mut gadget = TranscriptVar::new(cs.clone(), b"zkpot/test/gadget").unwrap();
        for round in 0..6u64 {
            let xs: Vec<Fr> = (0..round as usize + 1)
                .map(|_| Fr::rand(&mut rng))
                .collect();
            native.absorb_fields(&xs);
            let vars: Vec<FrVar> = xs
                .iter()
                .map(|x| FpVar::new_witness(cs.clone(), || Ok(*x)).unwrap())
                .collect();
            gadget.absorb_fields(&vars).unwrap();
            native.absorb_u64(round * 1000 + 7);
            gadget.absorb_u64(round * 1000 + 7).unwrap();
            let label = vec![round as u8; 40 + round as usize];
            native.absorb_bytes(&label);
            gadget.absorb_bytes(&label).unwrap();
            let p = G1Affine::rand(&mut rng);
            native.absorb_point(&p);
            let limbs =
                point_to_fields(&p).map(|x| FpVar::new_witness(cs.clone(), || Ok(x)).unwrap());
            gadget.absorb_point(&limbs).unwrap();
            assert_eq!(
                gadget.challenge().unwrap().value().unwrap(),
                native.challenge()
            );
            let (c, bits) = gadget.challenge_128().unwrap();
            assert_eq!(bits.len(), 128);
            assert_eq!(c.value().unwrap(), native.challenge_128());
            let n = round as usize % 3;
            let got: Vec<Fr> = gadget
                .challenges(n)
                .unwrap()
                .iter()
                .map(|c| c.value().unwrap())
                .collect();
            assert_eq!(got, native.challenges(n));
        }
        assert!(cs.is_satisfied().unwrap());
        println!("transcript gadget: {} constraints", cs.num_constraints());
    }

    /// A different absorbed witness gives a different challenge in-circuit, as natively.
    #[test]
    fn a_changed_message_changes_the_challenge() {
        let challenge_after = |x: Fr| {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let mut t = TranscriptVar::new(cs.clone(), b"zkpot/test/gadget").unwrap();
            let v = FpVar::new_witness(cs.clone(), || Ok(x)).unwrap();
            t.absorb_field(&v).unwrap();
            let c = t.challenge().unwrap().value().unwrap();
            assert!(cs.is_satisfied().unwrap());
            c
        };
        assert_ne!(
            challenge_after(Fr::from(1u64)),
            challenge_after(Fr::from(2u64))
        );
    }

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

    #[test]
    fn eq_gadget_matches_eq_eval() {
        let mut rng = ChaCha20Rng::seed_from_u64(4);
        let cs = ConstraintSystem::<Fr>::new_ref();
        let a: Vec<Fr> = (0..7).map(|_| Fr::rand(&mut rng)).collect();
        let b: Vec<Fr> = (0..7).map(|_| Fr::rand(&mut rng)).collect();
        let got = eq_eval(&witnesses(&cs, &a), &witnesses(&cs, &b)).unwrap();
        assert_eq!(got.value().unwrap(), crate::eq_eval(&a, &b).unwrap());
        assert!(eq_eval(&witnesses(&cs, &a), &witnesses(&cs, &b[..3])).is_err());
        assert!(cs.is_satisfied().unwrap());
    }
}
