//! `eq` in-circuit: [`eq_eval`], the twin of [`crate::eq_eval`].

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ark_r1cs_std::fields::{fp::FpVar, FieldVar};
use ark_relations::gr1cs::SynthesisError;

use crate::constraints::FrVar;

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
    #![allow(clippy::indexing_slicing)]

    use ark_ff::UniformRand;
    use ark_r1cs_std::GR1CSVar;
    use ark_relations::gr1cs::ConstraintSystem;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    use super::*;
    use crate::Fr;

    #[test]
    fn eq_gadget_matches_eq_eval() {
        let mut rng = ChaCha20Rng::seed_from_u64(4);
        let cs = ConstraintSystem::<Fr>::new_ref();
        let a: Vec<Fr> = (0..7).map(|_| Fr::rand(&mut rng)).collect();
        let b: Vec<Fr> = (0..7).map(|_| Fr::rand(&mut rng)).collect();
        let got = eq_eval(
            &crate::constraints::alloc_witnesses(&cs, &a).unwrap(),
            &crate::constraints::alloc_witnesses(&cs, &b).unwrap(),
        )
        .unwrap();
        assert_eq!(got.value().unwrap(), crate::eq_eval(&a, &b).unwrap());
        assert!(eq_eval(
            &crate::constraints::alloc_witnesses(&cs, &a).unwrap(),
            &crate::constraints::alloc_witnesses(&cs, &b[..3]).unwrap()
        )
        .is_err());
        assert!(cs.is_satisfied().unwrap());
    }
}
