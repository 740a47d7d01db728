//! Branch-free modular addition and subtraction for the prover's hot loops.
//!
//! arkworks reduces after an addition with a data-dependent branch, which the
//! processor mispredicts about half the time on random field elements; in the
//! sumcheck kernels that costs more than the multiplications. These functions
//! compute the same Montgomery-form results with masks instead of branches. They
//! are exact: tests compare them with arkworks on random and edge values.

use ark_ff::{BigInt, PrimeField};

use crate::field::Fr;

const P: [u64; 4] = <Fr as PrimeField>::MODULUS.0;

/// `a + b` in `Fr`, without branches.
#[inline(always)]
pub fn add(a: Fr, b: Fr) -> Fr {
    let (x, y) = (a.0 .0, b.0 .0);
    // a, b < p < 2^254, so a + b < 2^255: no carry out of the top limb.
    let mut s = [0u64; 4];
    let mut carry = false;
    for i in 0..4 {
        let (t, c1) = x[i].overflowing_add(y[i]);
        let (t, c2) = t.overflowing_add(u64::from(carry));
        s[i] = t;
        carry = c1 | c2;
    }
    let mut t = [0u64; 4];
    let mut borrow = false;
    for i in 0..4 {
        let (d, b1) = s[i].overflowing_sub(P[i]);
        let (d, b2) = d.overflowing_sub(u64::from(borrow));
        t[i] = d;
        borrow = b1 | b2;
    }
    // borrow: s < p, keep s; else keep s - p.
    let keep = 0u64.wrapping_sub(u64::from(borrow));
    Fr::new_unchecked(BigInt(std::array::from_fn(|i| {
        (s[i] & keep) | (t[i] & !keep)
    })))
}

/// `a - b` in `Fr`, without branches.
#[inline(always)]
pub fn sub(a: Fr, b: Fr) -> Fr {
    let (x, y) = (a.0 .0, b.0 .0);
    let mut d = [0u64; 4];
    let mut borrow = false;
    for i in 0..4 {
        let (t, b1) = x[i].overflowing_sub(y[i]);
        let (t, b2) = t.overflowing_sub(u64::from(borrow));
        d[i] = t;
        borrow = b1 | b2;
    }
    // On borrow, add p back (the wrapped difference plus p is the true one).
    let mask = 0u64.wrapping_sub(u64::from(borrow));
    let mut out = [0u64; 4];
    let mut carry = false;
    for i in 0..4 {
        let (t, c1) = d[i].overflowing_add(P[i] & mask);
        let (t, c2) = t.overflowing_add(u64::from(carry));
        out[i] = t;
        carry = c1 | c2;
    }
    Fr::new_unchecked(BigInt(out))
}

#[cfg(test)]
mod tests {
    use ark_ff::{One, UniformRand, Zero};
    use proptest::prelude::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    use super::*;

    fn edge_values() -> Vec<Fr> {
        vec![
            Fr::zero(),
            Fr::one(),
            -Fr::one(),
            -Fr::from(2u64),
            Fr::from(u64::MAX),
            -Fr::from(u64::MAX),
        ]
    }

    #[test]
    fn edge_values_match_arkworks() {
        for &a in &edge_values() {
            for &b in &edge_values() {
                assert_eq!(add(a, b), a + b);
                assert_eq!(sub(a, b), a - b);
            }
        }
    }

    proptest! {
        #[test]
        fn random_values_match_arkworks(seed in any::<u64>()) {
            let mut rng = ChaCha20Rng::seed_from_u64(seed);
            let (a, b) = (Fr::rand(&mut rng), Fr::rand(&mut rng));
            prop_assert_eq!(add(a, b), a + b);
            prop_assert_eq!(sub(a, b), a - b);
            prop_assert_eq!(sub(b, a), b - a);
        }
    }
}
