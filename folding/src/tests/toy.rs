//! A toy step circuit: the state is `[counter, acc]` (`acc` a `G1` point in its four
//! canonical limbs); a step takes two points `P`, `Q`, derives `rho1`, `rho2` from a
//! Poseidon transcript of the state and the points, and asks for `acc' = acc + rho1 * P`
//! and `acc'' = acc' + rho2 * Q`.

use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
use ark_ff::{BigInteger, PrimeField};
use ark_r1cs_std::{
    boolean::Boolean,
    fields::{fp::FpVar, FieldVar},
    GR1CSVar,
};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use zkpot_core::{
    constraints::TranscriptVar, point_to_fields, Fr, G1Affine, PoseidonTranscript, Transcript, G1,
};

use crate::{
    alloc_point, point_from_fields, point_from_limbs, point_limbs, G1Var, PointOpVar, StepCircuit,
};

/// The transcript label of the toy step.
pub(crate) const TOY_LABEL: &[u8] = b"zkpot-folding/toy";

/// The toy step circuit.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Toy {
    /// Hint a wrong `acc''` (plus the generator).
    pub cheat: bool,
    /// How many of the two operations to return (2 for the real toy; fewer only to measure
    /// the cost of an operation).
    pub num_ops: usize,
}

impl Toy {
    pub(crate) const HONEST: Toy = Toy {
        cheat: false,
        num_ops: 2,
    };
    pub(crate) const CHEATING: Toy = Toy {
        cheat: true,
        num_ops: 2,
    };
}

/// The state length of the toy.
pub(crate) const TOY_STATE_LEN: usize = 5;

impl StepCircuit for Toy {
    type ExternalInputs = [G1Affine; 2];

    fn state_len(&self) -> usize {
        TOY_STATE_LEN
    }

    fn num_ops(&self) -> usize {
        self.num_ops
    }

    fn dummy_external_inputs(&self) -> Option<Self::ExternalInputs> {
        Some([G1Affine::generator(); 2])
    }

    fn generate_step_constraints(
        &self,
        cs: ConstraintSystemRef<Fr>,
        _i: &FpVar<Fr>,
        z_i: &[FpVar<Fr>],
        ext: &Self::ExternalInputs,
    ) -> Result<(Vec<FpVar<Fr>>, Vec<PointOpVar>), SynthesisError> {
        let [counter, acc_limbs @ ..] = z_i else {
            return Err(SynthesisError::Unsatisfiable);
        };
        let acc_limbs: [FpVar<Fr>; 4] = acc_limbs
            .to_vec()
            .try_into()
            .map_err(|_| SynthesisError::Unsatisfiable)?;
        let acc = point_from_limbs(cs.clone(), &acc_limbs)?;
        let p = alloc_point(cs.clone(), || Ok(ext[0]))?;
        let q = alloc_point(cs.clone(), || Ok(ext[1]))?;

        let mut t = TranscriptVar::new(cs.clone(), TOY_LABEL)?;
        t.absorb_field(counter)?;
        t.absorb_point(&acc_limbs)?;
        t.absorb_point(&point_limbs(&p)?)?;
        t.absorb_point(&point_limbs(&q)?)?;
        let (_, rho1) = t.challenge_128()?;
        let (_, rho2) = t.challenge_128()?;

        let acc1 = hint_op(cs.clone(), &acc, &p, &rho1, false)?;
        let acc2 = hint_op(cs, &acc1, &q, &rho2, self.cheat)?;

        let mut next = vec![counter + FpVar::one()];
        next.extend(point_limbs(&acc2)?);
        let mut ops = vec![
            PointOpVar {
                rho_bits: rho1,
                p0: acc,
                p1: p,
                p2: acc1.clone(),
            },
            PointOpVar {
                rho_bits: rho2,
                p0: acc1,
                p1: q,
                p2: acc2,
            },
        ];
        ops.truncate(self.num_ops);
        Ok((next, ops))
    }
}

/// `p0 + rho * p1` as a hint (plus the generator if `cheat`).
fn hint_op(
    cs: ConstraintSystemRef<Fr>,
    p0: &G1Var,
    p1: &G1Var,
    rho_bits: &[Boolean<Fr>],
    cheat: bool,
) -> Result<G1Var, SynthesisError> {
    alloc_point(cs, || {
        let rho = Fr::from(<Fr as PrimeField>::BigInt::from_bits_le(&rho_bits.value()?));
        let mut r = p0.value()? + p1.value()? * rho;
        if cheat {
            r += G1::generator();
        }
        Ok(r.into_affine())
    })
}

/// The toy step natively: the next state and the two `rho`s.
pub(crate) fn toy_step_native(z: &[Fr], ext: &[G1Affine; 2]) -> (Vec<Fr>, [Fr; 2]) {
    let limbs: [Fr; 4] = z[1..5].try_into().unwrap();
    let acc = point_from_fields(&limbs).unwrap();
    let mut t = PoseidonTranscript::new(TOY_LABEL);
    t.absorb_field(&z[0]);
    t.absorb_point(&acc);
    t.absorb_point(&ext[0]);
    t.absorb_point(&ext[1]);
    let rho1 = t.challenge_128();
    let rho2 = t.challenge_128();
    let acc2 = (acc.into_group() + ext[0] * rho1 + ext[1] * rho2).into_affine();
    let mut next = vec![z[0] + Fr::from(1u64)];
    next.extend(point_to_fields(&acc2));
    (next, [rho1, rho2])
}

/// The toy's initial state with accumulator `acc`.
pub(crate) fn toy_initial_state(acc: &G1Affine) -> Vec<Fr> {
    let mut z = vec![Fr::from(0u64)];
    z.extend(point_to_fields(acc));
    z
}
