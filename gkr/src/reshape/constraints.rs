//! The reshape reductions the step proof uses, in-circuit: the twins of
//! [`verify_colsum`](super::verify_colsum) and [`verify_affine`](super::verify_affine),
//! with the same transcript (module docs of [`crate::reshape`]). Shapes are public
//! (constants of the circuit); claims and the prover's message are variables.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ark_ff::{Field, One};
use ark_r1cs_std::{alloc::AllocVar, eq::EqGadget, fields::FieldVar, GR1CSVar};
use ark_relations::gr1cs::SynthesisError;
use zkpot_core::{
    constraints::{FrVar, TranscriptVar},
    Fr,
};

use super::{StackShape, AFFINE_LABEL, COLSUM_LABEL};
use crate::elementwise::constraints::ones_eval;
use crate::elementwise::MAX_SHIFT;
use zkpot_core::ClaimVar;

/// The claims an affine split leaves, in-circuit.
#[derive(Clone)]
pub struct AffineClaimsVar {
    /// On the product part `P` (the input claim's point).
    pub product: ClaimVar,
    /// On the bias `b` (at `[r_j, r_t]`).
    pub bias: ClaimVar,
}

/// Absorbs a relation's opening (label, public parameters) and the claim.
fn open(
    transcript: &mut TranscriptVar,
    label: &[u8],
    params: &[u64],
    claim: &ClaimVar,
) -> Result<(), SynthesisError> {
    transcript.absorb_bytes(label)?;
    for &p in params {
        transcript.absorb_u64(p)?;
    }
    transcript.absorb_fields(&claim.point)?;
    transcript.absorb_field(&claim.value)
}

/// [`verify_colsum`](super::verify_colsum) in-circuit: the claim on the column sums at
/// `[r_j, r_t]` becomes the claim `G~([r_j, (1/2)^log m, r_t]) = v / m`.
pub fn verify_colsum(
    shape: &StackShape,
    output: &ClaimVar,
    transcript: &mut TranscriptVar,
) -> Result<ClaimVar, SynthesisError> {
    shape
        .validate()
        .map_err(|_| SynthesisError::Unsatisfiable)?;
    if output.point.len() != shape.vector_num_vars() {
        return Err(SynthesisError::Unsatisfiable);
    }
    let [k, m, p] = [shape.instances, shape.rows, shape.cols].map(|x| x as u64);
    open(transcript, COLSUM_LABEL, &[k, m, p], output)?;
    let inverse = |x: u64| Fr::from(x).inverse().ok_or(SynthesisError::Unsatisfiable);
    let half = FrVar::constant(inverse(2)?);
    let (cols, inst) = output.point.split_at(shape.col_vars());
    let mut point = cols.to_vec();
    point.extend(std::iter::repeat_n(half, shape.row_vars()));
    point.extend_from_slice(inst);
    Ok(ClaimVar {
        point,
        value: &output.value * inverse(m)?,
    })
}

/// [`verify_affine`](super::verify_affine) in-circuit: absorbs the statement and
/// `product_eval = P~(r)`, and returns the claim on `P` (same point) and on the bias,
/// `b~([r_j, r_t]) = (v - u) / (2^f ONE~(r_i))` (the divisor's inverse is a witness; a
/// zero divisor, probability `log m / p`, leaves the circuit unsatisfiable, as the native
/// verifier errors).
pub fn verify_affine(
    shape: &StackShape,
    valid_rows: usize,
    frac_bits: u32,
    output: &ClaimVar,
    product_eval: &FrVar,
    transcript: &mut TranscriptVar,
) -> Result<AffineClaimsVar, SynthesisError> {
    shape
        .validate()
        .map_err(|_| SynthesisError::Unsatisfiable)?;
    if valid_rows > shape.rows
        || frac_bits > MAX_SHIFT
        || output.point.len() != shape.table_num_vars()
    {
        return Err(SynthesisError::Unsatisfiable);
    }
    let [k, m, p] = [shape.instances, shape.rows, shape.cols].map(|x| x as u64);
    open(
        transcript,
        AFFINE_LABEL,
        &[k, m, p, valid_rows as u64, u64::from(frac_bits)],
        output,
    )?;
    transcript.absorb_field(product_eval)?;

    let (cols, rest) = output.point.split_at(shape.col_vars());
    let (rows, inst) = rest.split_at(shape.row_vars());
    let scale = Fr::from(2u64).pow([u64::from(frac_bits)]);
    let divisor = ones_eval(valid_rows as u64, rows)? * scale;
    let inverse = if divisor.is_constant() {
        let d = divisor.value()?;
        FrVar::constant(d.inverse().ok_or(SynthesisError::Unsatisfiable)?)
    } else {
        let inverse = FrVar::new_witness(transcript.cs(), || {
            Ok(divisor.value()?.inverse().unwrap_or_default())
        })?;
        (&inverse * &divisor).enforce_equal(&FrVar::constant(Fr::one()))?;
        inverse
    };
    let mut bias_point = cols.to_vec();
    bias_point.extend_from_slice(inst);
    Ok(AffineClaimsVar {
        product: ClaimVar {
            point: output.point.clone(),
            value: product_eval.clone(),
        },
        bias: ClaimVar {
            point: bias_point,
            value: (&output.value - product_eval) * inverse,
        },
    })
}

#[cfg(test)]
mod tests {
    use ark_ff::UniformRand;
    use ark_relations::gr1cs::ConstraintSystem;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;
    use zkpot_core::{constraints::alloc_witness, PoseidonTranscript, Transcript};

    use super::*;
    use crate::reshape::{
        verify_affine as native_affine, verify_colsum as native_colsum, AffineProof,
    };
    use zkpot_core::Claim;

    const LABEL: &[u8] = b"zkpot/test/layout-gadget";

    fn alloc(cs: &ark_relations::gr1cs::ConstraintSystemRef<Fr>, c: &Claim) -> ClaimVar {
        ClaimVar::new_witness(cs.clone(), || Ok(c.clone())).unwrap()
    }

    fn values(c: &ClaimVar) -> Claim {
        Claim {
            point: c.point.iter().map(|x| x.value().unwrap()).collect(),
            value: c.value.value().unwrap(),
        }
    }

    fn random_claim(num_vars: usize, rng: &mut ChaCha20Rng) -> Claim {
        Claim {
            point: (0..num_vars).map(|_| Fr::rand(rng)).collect(),
            value: Fr::rand(rng),
        }
    }

    #[test]
    fn colsum_agrees_with_the_native_reduction() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let shape = StackShape::new(4, 8, 2);
        let claim = random_claim(shape.vector_num_vars(), &mut rng);
        let mut t = PoseidonTranscript::new(LABEL);
        let native = native_colsum(&shape, &claim, &mut t).unwrap();
        let after = t.challenge();

        let cs = ConstraintSystem::<Fr>::new_ref();
        let mut tv = TranscriptVar::new(cs.clone(), LABEL).unwrap();
        let got = verify_colsum(&shape, &alloc(&cs, &claim), &mut tv).unwrap();
        assert_eq!(values(&got), native);
        assert_eq!(tv.challenge().unwrap().value().unwrap(), after);
        assert!(cs.is_satisfied().unwrap());
    }

    /// The affine split moves the claim; the gadget's claims and the transcript state
    /// equal the native ones for every valid-row count (full, partial, none is refused
    /// natively by a zero divisor and is unsatisfiable in-circuit).
    #[test]
    fn affine_agrees_with_the_native_split() {
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        let shape = StackShape::new(2, 8, 4);
        for valid_rows in [8, 5, 1] {
            let claim = random_claim(shape.table_num_vars(), &mut rng);
            let proof = AffineProof {
                product_eval: Fr::rand(&mut rng),
            };
            let mut t = PoseidonTranscript::new(LABEL);
            let native = native_affine(&shape, valid_rows, 16, &claim, &proof, &mut t).unwrap();
            let after = t.challenge();

            let cs = ConstraintSystem::<Fr>::new_ref();
            let mut tv = TranscriptVar::new(cs.clone(), LABEL).unwrap();
            let u = alloc_witness(&cs, proof.product_eval).unwrap();
            let got =
                verify_affine(&shape, valid_rows, 16, &alloc(&cs, &claim), &u, &mut tv).unwrap();
            assert_eq!(values(&got.product), native.product);
            assert_eq!(values(&got.bias), native.bias);
            assert_eq!(tv.challenge().unwrap().value().unwrap(), after);
            assert!(cs.is_satisfied().unwrap());
        }
    }

    #[test]
    fn bad_shapes_are_synthesis_errors() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let shape = StackShape::new(2, 8, 4);
        let mut tv = TranscriptVar::new(cs.clone(), LABEL).unwrap();
        let short = alloc(&cs, &random_claim(2, &mut rng));
        assert!(verify_colsum(&shape, &short, &mut tv).is_err());
        let u = alloc_witness(&cs, Fr::one()).unwrap();
        assert!(verify_affine(&shape, 9, 16, &short, &u, &mut tv).is_err());
        let full = alloc(&cs, &random_claim(shape.table_num_vars(), &mut rng));
        assert!(verify_affine(&shape, 9, 16, &full, &u, &mut tv).is_err());
        assert!(verify_affine(&StackShape::new(3, 8, 4), 8, 16, &full, &u, &mut tv).is_err());
    }
}
