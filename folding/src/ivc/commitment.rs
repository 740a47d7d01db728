//! Nova's primary commitment: `Com(v; r) = sum_i v_i G_i + r H` on BN254 `G1`, a hiding
//! vector commitment linear in `(v, r)` (Nova folds both), whose bases `G_i` and blinding
//! generator `H` come from a [`PrimaryKey`] of one of two kinds:
//!
//! * **Pedersen** ([`PrimaryKey::pedersen`], and sonobe's key generation
//!   [`CommitmentOps::generate_key`]): random generators drawn from a seeded generator,
//!   each a point with a random `x` coordinate (nobody knows a discrete-log relation
//!   between them). Transparent; a verifier checks an opening with one MSM as long as the
//!   vector.
//! * **HyperKZG** ([`PrimaryKey::kzg`]): the SRS's powers `G_i = [tau^i]_1`, and `H` the
//!   HyperKZG blinding generator ([`zkpot_pcs::kzg::blinding_generator`]). Then
//!   `Com(v; r)` is exactly the HyperKZG commitment ([`zkpot_pcs::kzg`]) to the
//!   multilinear table `v` (its entries as the coefficients of a univariate polynomial,
//!   zero-padded to a power of two) with blind `r`, so a decider can open Nova's running
//!   `cm_w` and `cm_e` with HyperKZG's zero-knowledge evaluation proof (a few pairings).
//!   Binding as long as `tau` is unknown (a ceremony SRS); hiding, perfectly, as `H` has
//!   no known discrete logarithm with respect to the powers.
//!
//! Both kinds are one type (the commitment algorithm is the same MSM), so the IVC
//! compiler, the augmented circuit and its constraint count do not depend on the scheme:
//! only the key's points do, and `pp_hash` binds them (every Nova transcript absorbs it
//! first). A Pedersen `PrimaryKey` serializes exactly as sonobe's hiding `PedersenKey`
//! did (bases, then `H`), so Pedersen IVC keys are unchanged.
//!
//! The in-circuit types ([`PrimaryGadget`] over `Fq` with native points,
//! [`PrimaryEmulatedGadget`] over `Fr` with emulated points) are the ones sonobe's Nova
//! asks for; the augmented circuit uses only the emulated instance variables.

use ark_ec::{AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::{PrimeField, UniformRand};
use ark_r1cs_std::{
    alloc::{AllocVar, AllocationMode},
    convert::ToBitsGadget,
    eq::EqGadget,
    fields::fp::FpVar,
    groups::CurveVar,
};
use ark_relations::gr1cs::{Namespace, SynthesisError};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use ark_std::{borrow::Borrow, rand::RngCore};
use sonobe::primitives::{
    algebra::{field::emulated::EmulatedFieldVar, group::emulated::EmulatedAffineVar, Val},
    commitments::{
        CommitmentDef, CommitmentDefGadget, CommitmentKey, CommitmentOps, CommitmentOpsGadget,
        Error as CommitmentError, GroupBasedCommitment,
    },
};
use zkpot_core::{Fq, Fr, G1Affine, G1};
use zkpot_pcs::kzg::{blinding_generator, KzgKey};

use crate::error::Error;

/// The primary commitment key: the bases `G_i` and the blinding generator `H`.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct PrimaryKey {
    bases: Vec<G1Affine>,
    blinding: G1,
}

impl PrimaryKey {
    /// `len.next_power_of_two()` random bases and a random `H`, drawn from `rng` (each a
    /// point with a random `x` coordinate; the same draws, in the same order, as sonobe's
    /// hiding Pedersen key).
    pub fn pedersen(len: usize, mut rng: impl RngCore) -> PrimaryKey {
        let bases: Vec<G1> = (0..len.next_power_of_two())
            .map(|_| G1::rand(&mut rng))
            .collect();
        PrimaryKey {
            bases: G1::normalize_batch(&bases),
            blinding: G1::rand(&mut rng),
        }
    }

    /// The first `len.next_power_of_two()` powers of `key`'s SRS and HyperKZG's blinding
    /// generator; [`Error::SrsTooShort`] if the SRS has fewer powers.
    pub fn kzg(key: &KzgKey, len: usize) -> Result<PrimaryKey, Error> {
        let needed = len.next_power_of_two();
        let powers = key.srs().g1_powers();
        let bases = powers.get(..needed).ok_or(Error::SrsTooShort {
            needed,
            available: powers.len(),
        })?;
        Ok(PrimaryKey {
            bases: bases.to_vec(),
            blinding: blinding_generator().into_group(),
        })
    }

    /// Whether this key is `key`'s SRS prefix with HyperKZG's blinding generator, i.e.
    /// what [`PrimaryKey::kzg`] makes from `key`.
    pub fn is_kzg_of(&self, key: &KzgKey) -> bool {
        self.blinding == blinding_generator().into_group()
            && key.srs().g1_powers().get(..self.bases.len()) == Some(self.bases.as_slice())
    }

    /// The bases `G_i`.
    pub fn bases(&self) -> &[G1Affine] {
        &self.bases
    }

    /// The blinding generator `H`.
    pub fn blinding(&self) -> G1 {
        self.blinding
    }

    /// `sum_i v_i G_i + r H`.
    fn commit(&self, v: &[Fr], r: &Fr) -> Result<G1, CommitmentError> {
        let bases = self
            .bases
            .get(..v.len())
            .ok_or(CommitmentError::MessageTooLong(self.bases.len(), v.len()))?;
        Ok(G1::msm_unchecked(bases, v) + self.blinding * r)
    }
}

impl CommitmentKey for PrimaryKey {
    fn max_scalars_len(&self) -> usize {
        self.bases.len()
    }
}

/// Nova's primary commitment scheme (see the [module docs](self)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrimaryCommitment;

impl CommitmentDef for PrimaryCommitment {
    const IS_HIDING: bool = true;

    type Key = PrimaryKey;
    type Scalar = Fr;
    type Commitment = G1;
    type Randomness = Fr;
}

impl CommitmentOps for PrimaryCommitment {
    /// A Pedersen key ([`PrimaryKey::pedersen`]): a KZG key is never sampled, it comes
    /// from an SRS ([`PrimaryKey::kzg`]).
    fn generate_key(len: usize, rng: impl RngCore) -> Result<PrimaryKey, CommitmentError> {
        Ok(PrimaryKey::pedersen(len, rng))
    }

    fn commit(
        ck: &PrimaryKey,
        v: &[Fr],
        mut rng: impl RngCore,
    ) -> Result<(G1, Fr), CommitmentError> {
        let r = Fr::rand(&mut rng);
        Ok((ck.commit(v, &r)?, r))
    }

    fn open(ck: &PrimaryKey, v: &[Fr], r: &Fr, cm: &G1) -> Result<(), CommitmentError> {
        if ck.commit(v, r)? == *cm {
            Ok(())
        } else {
            Err(CommitmentError::CommitmentVerificationFail)
        }
    }
}

impl GroupBasedCommitment for PrimaryCommitment {
    type Gadget1 = PrimaryGadget;
    type Gadget2 = PrimaryEmulatedGadget;
}

/// A `G1` point over `Fq` (native).
type G1Var = <G1 as Val>::Var;

/// The key in a circuit: `V` is a `G1` point variable, native over `Fq` (`G1Var`, for
/// [`PrimaryGadget`]'s opening check) or emulated over `Fr` (`EmulatedAffineVar`, for
/// [`PrimaryEmulatedGadget`], allocatable but never computed with).
pub struct PrimaryKeyVar<V> {
    bases: Vec<V>,
    blinding: V,
}

impl<V: AllocVar<G1, F>, F: PrimeField> AllocVar<PrimaryKey, F> for PrimaryKeyVar<V> {
    fn new_variable<T: Borrow<PrimaryKey>>(
        cs: impl Into<Namespace<F>>,
        f: impl FnOnce() -> Result<T, SynthesisError>,
        mode: AllocationMode,
    ) -> Result<Self, SynthesisError> {
        let cs = cs.into().cs();
        let value = f()?;
        let key = value.borrow();
        let bases: Vec<G1> = key.bases.iter().map(|g| g.into_group()).collect();
        Ok(PrimaryKeyVar {
            bases: Vec::new_variable(cs.clone(), || Ok(bases.as_slice()), mode)?,
            blinding: V::new_variable(cs, || Ok(key.blinding), mode)?,
        })
    }
}

/// The commitment in a circuit over `Fq` (native `G1` points), with an opening check.
#[derive(Clone, Debug)]
pub struct PrimaryGadget;

impl CommitmentDefGadget for PrimaryGadget {
    type ConstraintField = Fq;
    type KeyVar = PrimaryKeyVar<G1Var>;
    type ScalarVar = EmulatedFieldVar<Fq, Fr>;
    type CommitmentVar = G1Var;
    type RandomnessVar = EmulatedFieldVar<Fq, Fr>;
    type Widget = PrimaryCommitment;
}

impl CommitmentOpsGadget for PrimaryGadget {
    fn open(
        ck: &PrimaryKeyVar<G1Var>,
        v: &[EmulatedFieldVar<Fq, Fr>],
        r: &EmulatedFieldVar<Fq, Fr>,
        cm: &G1Var,
    ) -> Result<(), SynthesisError> {
        if v.len() > ck.bases.len() {
            return Err(SynthesisError::Unsatisfiable);
        }
        let mut acc = ck.blinding.scalar_mul_le(r.to_bits_le()?.iter())?;
        for (base, scalar) in ck.bases.iter().zip(v) {
            acc += base.scalar_mul_le(scalar.to_bits_le()?.iter())?;
        }
        acc.enforce_equal(cm)
    }
}

/// The commitment in a circuit over `Fr` (emulated `G1` points): what the augmented
/// circuit's primary instances hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrimaryEmulatedGadget;

impl CommitmentDefGadget for PrimaryEmulatedGadget {
    type ConstraintField = Fr;
    type KeyVar = PrimaryKeyVar<EmulatedAffineVar<Fr, G1>>;
    type ScalarVar = FpVar<Fr>;
    type CommitmentVar = EmulatedAffineVar<Fr, G1>;
    type RandomnessVar = FpVar<Fr>;
    type Widget = PrimaryCommitment;
}

#[cfg(test)]
mod tests {
    use ark_r1cs_std::alloc::AllocVar;
    use ark_relations::gr1cs::ConstraintSystem;
    use ark_std::rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;
    use sonobe::primitives::commitments::{pedersen::Pedersen, CommitmentOps, CommitmentOpsGadget};
    use zkpot_core::{CpuBackend, Fr, G1};
    use zkpot_pcs::{kzg::KzgKey, srs::Srs, CommitmentScheme, HyperKzg};

    use super::*;

    /// A Pedersen primary key serializes as sonobe's hiding Pedersen key drawn from the
    /// same stream (so Pedersen IVC keys, and `pp_hash`, are unchanged).
    #[test]
    fn a_pedersen_key_is_sonobes() {
        let ours = PrimaryCommitment::generate_key(100, ChaCha20Rng::seed_from_u64(3)).unwrap();
        let theirs =
            Pedersen::<G1, true>::generate_key(100, ChaCha20Rng::seed_from_u64(3)).unwrap();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        ours.serialize_compressed(&mut a).unwrap();
        theirs.serialize_compressed(&mut b).unwrap();
        assert_eq!(a, b);
        assert_eq!(ours.max_scalars_len(), 128);
        let back = PrimaryKey::deserialize_compressed(a.as_slice()).unwrap();
        assert_eq!(back, ours);
    }

    /// On a KZG key, Nova's commitment is HyperKZG's commitment with the same blind, and
    /// it opens only to its vector and blind.
    #[test]
    fn a_kzg_key_commits_as_hyperkzg() {
        let kzg = KzgKey::new(Srs::dev_seeded(6, 9));
        let ck = PrimaryKey::kzg(&kzg, 40).unwrap();
        assert_eq!(ck.bases().len(), 64);
        assert!(ck.is_kzg_of(&kzg));
        assert!(!PrimaryKey::pedersen(64, ChaCha20Rng::seed_from_u64(1)).is_kzg_of(&kzg));
        let other = KzgKey::new(Srs::dev_seeded(6, 10));
        assert!(!ck.is_kzg_of(&other));

        let mut rng = ChaCha20Rng::seed_from_u64(4);
        let v: Vec<Fr> = (0..40).map(|_| Fr::rand(&mut rng)).collect();
        let (cm, r) = PrimaryCommitment::commit(&ck, &v, &mut rng).unwrap();
        let ours = HyperKzg::commit(&kzg, &CpuBackend, &v, r).unwrap();
        assert_eq!(cm.into_affine(), ours.0);
        PrimaryCommitment::open(&ck, &v, &r, &cm).unwrap();
        let mut wrong = v.clone();
        wrong[7] += Fr::from(1u64);
        assert!(PrimaryCommitment::open(&ck, &wrong, &r, &cm).is_err());
        assert!(PrimaryCommitment::open(&ck, &v, &(r + Fr::from(1u64)), &cm).is_err());
        let too_long = vec![Fr::from(1u64); 65];
        assert!(PrimaryCommitment::commit(&ck, &too_long, &mut rng).is_err());

        assert!(matches!(
            PrimaryKey::kzg(&kzg, 65),
            Err(Error::SrsTooShort {
                needed: 128,
                available: 64
            })
        ));
    }

    /// The native-point gadget accepts an honest opening and rejects a wrong one.
    #[test]
    fn the_opening_gadget_matches_the_native_check() {
        let kzg = KzgKey::new(Srs::dev_seeded(2, 9));
        let ck = PrimaryKey::kzg(&kzg, 4).unwrap();
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        let v: Vec<Fr> = (0..3).map(|_| Fr::rand(&mut rng)).collect();
        let (cm, r) = PrimaryCommitment::commit(&ck, &v, &mut rng).unwrap();
        for (cm, ok) in [(cm, true), (cm + G1Affine::generator(), false)] {
            let cs = ConstraintSystem::<Fq>::new_ref();
            let ck_var = PrimaryKeyVar::<G1Var>::new_constant(cs.clone(), &ck).unwrap();
            let v_var =
                Vec::<EmulatedFieldVar<Fq, Fr>>::new_witness(cs.clone(), || Ok(v.clone())).unwrap();
            let r_var = EmulatedFieldVar::<Fq, Fr>::new_witness(cs.clone(), || Ok(r)).unwrap();
            let cm_var = G1Var::new_witness(cs.clone(), || Ok(cm)).unwrap();
            PrimaryGadget::open(&ck_var, &v_var, &r_var, &cm_var).unwrap();
            assert_eq!(cs.is_satisfied().unwrap(), ok);
        }
    }
}
