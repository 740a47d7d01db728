//! The Poseidon duplex sponge in-circuit ([`SpongeVar`]), with the native sponge's
//! (`ark_crypto_primitives`' `PoseidonSponge` with [`poseidon_config`](super::poseidon_config)) absorb and squeeze
//! semantics, so the two agree bit for bit, and a permutation written for a sparse
//! constraint matrix.
//!
//! # Why not arkworks' `PoseidonSpongeVar`
//!
//! In a partial round only the first state element goes through the S-box; the other
//! four stay linear combinations, and arkworks' gadget carries them symbolically: after
//! `r` partial rounds each is a sum of about `r` terms, and every constraint that uses
//! one (the next S-box's three constraints) copies the whole sum into the matrix. Over
//! 60 partial rounds a permutation has about 8,600 non-zero matrix entries for 300
//! constraints. [`SpongeVar`] records the state as fresh witnesses (one equality
//! constraint each) every [`MATERIALIZE_EVERY`] partial rounds and after the last one:
//! about 3,300 entries for 340 constraints. The decider's work (and its verifier's,
//! which evaluates the matrices) is linear in the entries, not the constraints.

use ark_r1cs_std::{
    alloc::AllocVar, boolean::Boolean, convert::ToBitsGadget, eq::EqGadget, fields::fp::FpVar,
    fields::FieldVar, GR1CSVar,
};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use super::{
    config_ref, POSEIDON_ALPHA, POSEIDON_CAPACITY, POSEIDON_FULL_ROUNDS, POSEIDON_PARTIAL_ROUNDS,
    POSEIDON_RATE,
};
use crate::field::Fr;

/// The state is recorded as witnesses after this many partial rounds (and after the
/// last one).
pub const MATERIALIZE_EVERY: usize = 8;

/// The sponge's width: capacity, then rate.
const WIDTH: usize = POSEIDON_CAPACITY + POSEIDON_RATE;

/// Where the next absorbed element goes, or the next squeezed one comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Absorbing; the index into the rate part.
    Absorbing(usize),
    /// Squeezing; the index into the rate part.
    Squeezing(usize),
}

/// The Poseidon sponge in-circuit (see the [module docs](self)).
#[derive(Clone)]
pub struct SpongeVar {
    cs: ConstraintSystemRef<Fr>,
    state: Vec<FpVar<Fr>>,
    mode: Mode,
}

impl SpongeVar {
    /// A fresh sponge: the all-zero state, absorbing from the start of the rate.
    pub fn new(cs: ConstraintSystemRef<Fr>) -> Self {
        SpongeVar {
            cs,
            state: vec![FpVar::zero(); WIDTH],
            mode: Mode::Absorbing(0),
        }
    }

    /// The constraint system.
    pub fn cs(&self) -> ConstraintSystemRef<Fr> {
        self.cs.clone()
    }

    /// Absorbs `xs` in order (nothing for an empty slice). A full rate is permuted only
    /// when another element must be absorbed; after squeezing, absorbing starts again at
    /// the start of the rate without a permutation.
    pub fn absorb(&mut self, xs: &[FpVar<Fr>]) -> Result<(), SynthesisError> {
        if xs.is_empty() {
            return Ok(());
        }
        let mut at = match self.mode {
            Mode::Absorbing(at) => at,
            Mode::Squeezing(_) => 0,
        };
        for x in xs {
            if at == POSEIDON_RATE {
                self.permute()?;
                at = 0;
            }
            self.state[POSEIDON_CAPACITY + at] += x;
            at += 1;
        }
        self.mode = Mode::Absorbing(at);
        Ok(())
    }

    /// Squeezes `n` field elements. Squeezing after absorbing permutes first (even for
    /// `n = 0`); an exhausted rate is permuted only when another element is needed.
    pub fn squeeze(&mut self, n: usize) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
        let mut at = match self.mode {
            Mode::Absorbing(_) => {
                self.permute()?;
                0
            }
            Mode::Squeezing(at) => at,
        };
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            if at == POSEIDON_RATE {
                self.permute()?;
                at = 0;
            }
            out.push(self.state[POSEIDON_CAPACITY + at].clone());
            at += 1;
        }
        // A squeeze that starts on an exhausted rate permutes even when nothing is taken.
        if n == 0 && at == POSEIDON_RATE {
            self.permute()?;
            at = 0;
        }
        self.mode = Mode::Squeezing(at);
        Ok(out)
    }

    /// Squeezes `n` bits: `ceil(n / 253)` field elements, the low 253 bits of each, little
    /// endian, truncated to `n`.
    pub fn squeeze_bits(&mut self, n: usize) -> Result<Vec<Boolean<Fr>>, SynthesisError> {
        const USABLE: usize = 253;
        let elements = self.squeeze(n.div_ceil(USABLE))?;
        let mut bits = Vec::with_capacity(elements.len() * USABLE);
        for e in &elements {
            let mut b = e.to_bits_le()?;
            b.truncate(USABLE);
            bits.extend(b);
        }
        bits.truncate(n);
        Ok(bits)
    }

    /// The Poseidon permutation: half the full rounds, the partial rounds (the state
    /// recorded every [`MATERIALIZE_EVERY`] of them and after the last), the other half.
    fn permute(&mut self) -> Result<(), SynthesisError> {
        let config = config_ref();
        let half = POSEIDON_FULL_ROUNDS / 2;
        let mut round = 0;
        for _ in 0..half {
            self.round(&config.ark[round], &config.mds, true)?;
            round += 1;
        }
        for j in 0..POSEIDON_PARTIAL_ROUNDS {
            self.round(&config.ark[round], &config.mds, false)?;
            round += 1;
            if (j + 1) % MATERIALIZE_EVERY == 0 || j + 1 == POSEIDON_PARTIAL_ROUNDS {
                self.materialize()?;
            }
        }
        for _ in 0..half {
            self.round(&config.ark[round], &config.mds, true)?;
            round += 1;
        }
        Ok(())
    }

    /// One round: the round constants, the S-box (on every element in a full round, on
    /// the first in a partial one), the MDS matrix.
    fn round(&mut self, ark: &[Fr], mds: &[Vec<Fr>], full: bool) -> Result<(), SynthesisError> {
        for (x, c) in self.state.iter_mut().zip(ark) {
            *x += *c;
        }
        let boxed = if full { WIDTH } else { 1 };
        for x in self.state.iter_mut().take(boxed) {
            *x = x.pow_by_constant([POSEIDON_ALPHA])?;
        }
        let mixed: Vec<FpVar<Fr>> = mds
            .iter()
            .map(|row| {
                row.iter()
                    .zip(&self.state)
                    .fold(FpVar::zero(), |acc, (m, x)| acc + x * *m)
            })
            .collect();
        self.state = mixed;
        Ok(())
    }

    /// Replaces every non-constant state element by a fresh witness equal to it.
    fn materialize(&mut self) -> Result<(), SynthesisError> {
        for x in self.state.iter_mut() {
            if x.is_constant() {
                continue;
            }
            let w = FpVar::new_witness(self.cs.clone(), || x.value())?;
            w.enforce_equal(x)?;
            *x = w;
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use ark_crypto_primitives::sponge::{
        constraints::CryptographicSpongeVar,
        poseidon::{constraints::PoseidonSpongeVar, PoseidonSponge},
        CryptographicSponge, FieldBasedCryptographicSponge,
    };
    use ark_ff::UniformRand;
    use ark_relations::gr1cs::ConstraintSystem;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha20Rng;

    use super::*;
    use crate::transcript::poseidon_config;

    /// Random scripts of absorbs (of 0 to 9 elements) and squeezes (of 0 to 9 elements,
    /// or bits) agree with the native sponge and with arkworks' gadget, value for value,
    /// and the constraint system is satisfied; the sparse permutation has fewer matrix
    /// entries per constraint.
    #[test]
    fn agrees_with_the_native_sponge_and_arkworks_gadget() {
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        for script in 0..12 {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let mut ours = SpongeVar::new(cs.clone());
            let mut theirs = PoseidonSpongeVar::<Fr>::new(cs.clone(), &poseidon_config());
            let mut native = PoseidonSponge::<Fr>::new(&poseidon_config());
            for _ in 0..20 {
                match rng.gen_range(0..3) {
                    0 => {
                        let n = rng.gen_range(0..10);
                        let xs: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
                        let vars: Vec<FpVar<Fr>> = xs
                            .iter()
                            .map(|x| FpVar::new_witness(cs.clone(), || Ok(*x)).unwrap())
                            .collect();
                        ours.absorb(&vars).unwrap();
                        theirs.absorb(&vars).unwrap();
                        native.absorb(&xs);
                    }
                    1 => {
                        let n = rng.gen_range(0..10);
                        let a = ours.squeeze(n).unwrap();
                        let b = theirs.squeeze_field_elements(n).unwrap();
                        let c: Vec<Fr> = native.squeeze_native_field_elements(n);
                        let a: Vec<Fr> = a.iter().map(|x| x.value().unwrap()).collect();
                        let b: Vec<Fr> = b.iter().map(|x| x.value().unwrap()).collect();
                        assert_eq!(a, c, "script {script}");
                        assert_eq!(b, c, "script {script}");
                    }
                    _ => {
                        let n = rng.gen_range(1..300);
                        let a = ours.squeeze_bits(n).unwrap();
                        let c = native.squeeze_bits(n);
                        let a: Vec<bool> = a.iter().map(|x| x.value().unwrap()).collect();
                        theirs.squeeze_bits(n).unwrap();
                        assert_eq!(a, c, "script {script}");
                    }
                }
            }
            assert!(cs.is_satisfied().unwrap(), "script {script}");
        }
    }

    /// One permutation of a variable state: the constraints and the matrix entries of
    /// ours against arkworks'.
    #[test]
    fn the_permutation_is_sparser_than_arkworks() {
        let count = |ours: bool| {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let xs: Vec<FpVar<Fr>> = (0..4)
                .map(|i| FpVar::new_witness(cs.clone(), || Ok(Fr::from(i as u64))).unwrap())
                .collect();
            if ours {
                let mut s = SpongeVar::new(cs.clone());
                s.absorb(&xs).unwrap();
                s.squeeze(1).unwrap();
            } else {
                let mut s = PoseidonSpongeVar::<Fr>::new(cs.clone(), &poseidon_config());
                s.absorb(&xs).unwrap();
                s.squeeze_field_elements(1).unwrap();
            }
            cs.finalize();
            assert!(cs.is_satisfied().unwrap());
            let matrices = cs.to_matrices().unwrap();
            let entries: usize = matrices
                .values()
                .flat_map(|ms| ms.iter())
                .map(|m| m.iter().map(Vec::len).sum::<usize>())
                .sum();
            (cs.num_constraints(), entries)
        };
        let (ours, ours_entries) = count(true);
        let (theirs, theirs_entries) = count(false);
        println!(
            "one permutation: ours {ours} constraints, {ours_entries} entries; arkworks \
             {theirs} constraints, {theirs_entries} entries"
        );
        assert!(ours <= theirs + 45);
        assert!(2 * ours_entries < theirs_entries);
    }
}
