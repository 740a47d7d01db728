//! The matrix-product verifier in-circuit: the twin of [`verify_matmul`](super::verify_matmul)
//! for the IVC step circuit, with the same transcript (module docs of [`crate::matmul`]).
//! The shape is public (constants of the circuit); the output claim and the proof's
//! messages are variables.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use zkpot_core::{
    constraints::{
        alloc_sumcheck, alloc_witness, check_final, eq_eval, verify_sumcheck, FrVar, TranscriptVar,
    },
    Fr,
};

use super::{MatmulProof, MatmulShape, Op, MATMUL_LABEL};
use zkpot_core::ClaimVar;

/// A [`MatmulProof`] allocated as witnesses.
#[derive(Clone)]
pub struct MatmulProofVar {
    /// The sumcheck rounds.
    pub rounds: Vec<Vec<FrVar>>,
    /// `A_r~(rho)`.
    pub a: FrVar,
    /// `B_r~(rho)`.
    pub b: FrVar,
}

impl MatmulProofVar {
    /// Allocates `proof` as witnesses for `shape`; a proof of another shape is a synthesis
    /// error (the circuit's structure depends on the shape only).
    pub fn new_witness(
        cs: &ConstraintSystemRef<Fr>,
        proof: &MatmulProof,
        shape: &MatmulShape,
    ) -> Result<Self, SynthesisError> {
        shape
            .validate()
            .map_err(|_| SynthesisError::Unsatisfiable)?;
        Ok(Self {
            rounds: alloc_sumcheck(cs, &proof.sumcheck, shape.num_rounds(), shape.degree())?,
            a: alloc_witness(cs, proof.a)?,
            b: alloc_witness(cs, proof.b)?,
        })
    }
}

/// The claims a matrix product leaves on its operands, in-circuit.
#[derive(Clone)]
pub struct MatmulClaimsVar {
    /// On the stored `A` table.
    pub a: ClaimVar,
    /// On the stored `B` table.
    pub b: ClaimVar,
}

/// [`verify_matmul`](super::verify_matmul) in-circuit: absorbs the statement, verifies the
/// sumcheck and its final check `g(rho) = eq(r_t, rho_t) a b`, absorbs `a` and `b`, and
/// returns the claims on `A` and `B`. A wrong shape (of the shape itself or of the output
/// point) is a synthesis error.
pub fn verify_matmul(
    shape: &MatmulShape,
    proof: &MatmulProofVar,
    output: &ClaimVar,
    transcript: &mut TranscriptVar,
) -> Result<MatmulClaimsVar, SynthesisError> {
    shape
        .validate()
        .map_err(|_| SynthesisError::Unsatisfiable)?;
    if output.point.len() != shape.c_num_vars() {
        return Err(SynthesisError::Unsatisfiable);
    }
    let log = |x: usize| x.trailing_zeros() as usize;
    let (r_j, rest) = output.point.split_at(log(shape.p));
    let (r_i, r_t) = rest.split_at(log(shape.m));

    transcript.absorb_bytes(MATMUL_LABEL)?;
    for x in [shape.k, shape.m, shape.n, shape.p] {
        transcript.absorb_u64(x as u64)?;
    }
    transcript.absorb_u64(shape.op_a.code())?;
    transcript.absorb_u64(shape.op_b.code())?;
    transcript.absorb_u64(output.point.len() as u64)?;
    transcript.absorb_fields(&output.point)?;
    transcript.absorb_field(&output.value)?;

    let reduced = verify_sumcheck(
        &proof.rounds,
        &output.value,
        shape.num_rounds(),
        shape.degree(),
        transcript,
    )?;
    let (rho_x, rho_t) = reduced.point.split_at(log(shape.n));
    let eq = eq_eval(r_t, rho_t)?;
    check_final(&reduced.value, &(eq * &proof.a * &proof.b))?;
    transcript.absorb_field(&proof.a)?;
    transcript.absorb_field(&proof.b)?;

    let concat = |parts: [&[FrVar]; 3]| parts.concat();
    let a_point = match shape.op_a {
        Op::N => concat([rho_x, r_i, rho_t]),
        Op::T => concat([r_i, rho_x, rho_t]),
    };
    let b_point = match shape.op_b {
        Op::N => concat([r_j, rho_x, rho_t]),
        Op::T => concat([rho_x, r_j, rho_t]),
    };
    Ok(MatmulClaimsVar {
        a: ClaimVar {
            point: a_point,
            value: proof.a.clone(),
        },
        b: ClaimVar {
            point: b_point,
            value: proof.b.clone(),
        },
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]

    use ark_ff::UniformRand;
    use ark_r1cs_std::alloc::AllocVar;
    use ark_r1cs_std::GR1CSVar;
    use ark_relations::gr1cs::ConstraintSystem;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;
    use zkpot_core::{CpuBackend, PoseidonTranscript, Transcript};

    use super::*;
    use crate::matmul::{matmul_naive, prove_matmul, verify_matmul as native_verify};
    use zkpot_core::Claim;

    const LABEL: &[u8] = b"zkpot/test/matmul-gadget";

    fn values(claim: &ClaimVar) -> (Vec<Fr>, Fr) {
        (
            claim.point.iter().map(|x| x.value().unwrap()).collect(),
            claim.value.value().unwrap(),
        )
    }

    /// An honest proof of a random product, its output claim and the native claims.
    fn instance(shape: &MatmulShape, seed: u64) -> (MatmulProof, Claim) {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let a: Vec<Fr> = (0..shape.a_len()).map(|_| Fr::rand(&mut rng)).collect();
        let b: Vec<Fr> = (0..shape.b_len()).map(|_| Fr::rand(&mut rng)).collect();
        let c = matmul_naive(shape, &a, &b).unwrap();
        let point: Vec<Fr> = (0..shape.c_num_vars())
            .map(|_| Fr::rand(&mut rng))
            .collect();
        let value = zkpot_core::MultilinearTable::new(c)
            .unwrap()
            .evaluate(&point)
            .unwrap();
        let output = Claim { point, value };
        let mut t = PoseidonTranscript::new(LABEL);
        let (proof, _) = prove_matmul(&CpuBackend, shape, &a, &b, &output, &mut t).unwrap();
        (proof, output)
    }

    /// Runs the gadget; returns (satisfied, the claims' values, constraints).
    fn run(
        shape: &MatmulShape,
        proof: &MatmulProof,
        output: &Claim,
    ) -> (bool, [(Vec<Fr>, Fr); 2], usize) {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let p = MatmulProofVar::new_witness(&cs, proof, shape).unwrap();
        let out = ClaimVar::new_witness(cs.clone(), || Ok(output.clone())).unwrap();
        let mut t = TranscriptVar::new(cs.clone(), LABEL).unwrap();
        let claims = verify_matmul(shape, &p, &out, &mut t).unwrap();
        (
            cs.is_satisfied().unwrap(),
            [values(&claims.a), values(&claims.b)],
            cs.num_constraints(),
        )
    }

    #[test]
    fn agrees_with_the_native_verifier() {
        for (i, shape) in [
            MatmulShape::new(4, 2, 8, 4),
            MatmulShape::new(1, 4, 4, 2),
            MatmulShape::new(2, 4, 8, 2).with_ops(Op::T, Op::N),
            MatmulShape::new(4, 8, 2, 4).with_ops(Op::N, Op::T),
        ]
        .iter()
        .enumerate()
        {
            let (proof, output) = instance(shape, i as u64);
            let mut t = PoseidonTranscript::new(LABEL);
            let native = native_verify(shape, &proof, &output, &mut t).unwrap();
            let (ok, [a, b], n) = run(shape, &proof, &output);
            assert!(ok, "{shape:?}");
            assert_eq!(a, (native.a.point, native.a.value));
            assert_eq!(b, (native.b.point, native.b.value));
            println!("matmul {shape:?}: {n} constraints");
        }
    }

    #[test]
    fn every_tampered_message_is_rejected() {
        let shape = MatmulShape::new(4, 2, 8, 4).with_ops(Op::T, Op::N);
        let (proof, output) = instance(&shape, 9);
        let one = Fr::from(1u64);
        for r in 0..proof.sumcheck.rounds.len() {
            for c in 0..proof.sumcheck.rounds[r].len() {
                let mut bad = proof.clone();
                bad.sumcheck.rounds[r][c] += one;
                assert!(!run(&shape, &bad, &output).0, "round {r} coeff {c}");
            }
        }
        for which in 0..2 {
            let mut bad = proof.clone();
            if which == 0 {
                bad.a += one;
            } else {
                bad.b += one;
            }
            assert!(!run(&shape, &bad, &output).0);
        }
        let mut bad = output.clone();
        bad.value += one;
        assert!(!run(&shape, &proof, &bad).0);
        let mut bad = output.clone();
        bad.point[0] += one;
        assert!(!run(&shape, &proof, &bad).0);
    }

    #[test]
    fn a_proof_of_another_shape_is_refused() {
        let shape = MatmulShape::new(4, 2, 8, 4);
        let (proof, _) = instance(&shape, 1);
        let cs = ConstraintSystem::<Fr>::new_ref();
        let other = MatmulShape::new(4, 2, 4, 4);
        assert!(MatmulProofVar::new_witness(&cs, &proof, &other).is_err());
    }
}
