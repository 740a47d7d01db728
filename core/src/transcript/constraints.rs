//! The Poseidon [`Transcript`](crate::Transcript) in-circuit ([`TranscriptVar`]): the
//! sponge gadget [`SpongeVar`] (the native sponge's semantics with [`poseidon_config`](super::poseidon_config), a
//! permutation with a sparse constraint matrix), with the same encodings as the native
//! transcript: constants (labels, lengths, indices) are absorbed as constants,
//! prover messages as variables, `G1` points as the four limbs of
//! [`point_to_fields`](crate::point_to_fields). Tested against the native transcript.

use ark_ff::PrimeField;
use ark_r1cs_std::{boolean::Boolean, fields::fp::FpVar, fields::FieldVar};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use super::{sponge::SpongeVar, BYTES_PER_ELEMENT};
use crate::{constraints::FrVar, field::Fr};

/// The Poseidon transcript in-circuit: every method absorbs exactly the field elements
/// its native twin in [`Transcript`](crate::Transcript) absorbs, so the challenges agree
/// bit for bit.
#[derive(Clone)]
pub struct TranscriptVar {
    sponge: SpongeVar,
    /// Constraints spent inside the sponge so far (absorbs and squeezes).
    spent: usize,
}

impl TranscriptVar {
    /// Starts a transcript: a fresh sponge, then [`TranscriptVar::absorb_bytes`] of the
    /// (public, constant) label.
    pub fn new(cs: ConstraintSystemRef<Fr>, label: &[u8]) -> Result<Self, SynthesisError> {
        let mut t = TranscriptVar {
            sponge: SpongeVar::new(cs),
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
        f: impl FnOnce(&mut SpongeVar) -> Result<X, SynthesisError>,
    ) -> Result<X, SynthesisError> {
        let cs = self.sponge.cs();
        let before = cs.num_constraints();
        let out = f(&mut self.sponge)?;
        self.spent += cs.num_constraints().saturating_sub(before);
        Ok(out)
    }

    /// Absorbs one element.
    pub fn absorb_field(&mut self, x: &FrVar) -> Result<(), SynthesisError> {
        self.counted(|s| s.absorb(std::slice::from_ref(x)))
    }

    /// Absorbs each element in order, no length prefix.
    pub fn absorb_fields(&mut self, xs: &[FrVar]) -> Result<(), SynthesisError> {
        if xs.is_empty() {
            return Ok(());
        }
        self.counted(|s| s.absorb(xs))
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
        self.counted(|s| s.squeeze(n))
    }

    /// Squeezes a 128-bit challenge (`squeeze_bits(128)`, little-endian): its value and
    /// its bits (for scalar multiplications by it).
    pub fn challenge_128(&mut self) -> Result<(FrVar, Vec<Boolean<Fr>>), SynthesisError> {
        let bits = self.counted(|s| s.squeeze_bits(128))?;
        let value = Boolean::le_bits_to_fp(&bits)?;
        Ok((value, bits))
    }
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
}
