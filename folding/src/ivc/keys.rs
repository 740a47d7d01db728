//! Setup: [`preprocess`] (commitment keys and the sponge configuration) and
//! [`generate_keys`] (the R1CS of the augmented circuit and of the CycleFold circuit,
//! and the hash `pp_hash` of everything, which every transcript absorbs first).

use std::{
    cell::RefCell,
    io::{Read, Write},
};

use ark_crypto_primitives::sponge::poseidon::PoseidonConfig;
use ark_ff::PrimeField;
use ark_serialize::{
    CanonicalDeserialize, CanonicalSerialize, Compress, SerializationError, Valid, Validate,
};
use ark_std::rand::RngCore;
use sha2::{Digest, Sha512};
use sonobe::{
    fs::{DeciderKey, FoldingSchemeKeyGenerator, FoldingSchemePreprocessor},
    primitives::{
        arithmetizations::{r1cs::R1CS, Arith, ArithConfig},
        circuits::ArithExtractor,
        commitments::CommitmentDef,
    },
};
use zkpot_core::{poseidon_config, Fr, G1};
use zkpot_pcs::KzgKey;

use super::{
    augmented::AugmentedCircuit, commitment::PrimaryKey, cyclefold::cyclefold_r1cs, Cm1, Cm2, Dk1,
    Dk2, Fs1, Fs2,
};
use crate::{error::Error, ivc::circuit::StepCircuit};

/// Label of the public-parameter hash.
const PP_HASH_LABEL: &[u8] = b"zkpot-folding/pp-hash/v1";

/// Sizes of the commitment keys (numbers of generators, rounded up to powers of two).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IvcConfig {
    /// Generators of the primary (BN254) key: at least the augmented circuit's number of
    /// constraints and of witnesses.
    pub primary_key_len: usize,
    /// Generators of the CycleFold (Grumpkin) key: at least the CycleFold circuit's
    /// number of constraints and witnesses (2048 suffices).
    pub cyclefold_key_len: usize,
    /// The augmented circuit's shape when known ([`IvcConfig::for_circuit`]): key
    /// generation starts its fixed point there (one synthesis instead of two).
    augmented: Option<AugmentedShape>,
}

/// The CycleFold key length that covers the CycleFold circuit.
pub const CYCLEFOLD_KEY_LEN: usize = 2048;

impl IvcConfig {
    /// The smallest keys for `circuit` (synthesizes its augmented circuit once).
    pub fn for_circuit<SC: StepCircuit>(circuit: &SC) -> Result<Self, Error> {
        let shape = augmented_shape(circuit)?;
        Ok(Self {
            primary_key_len: shape.primary_key_len(),
            cyclefold_key_len: CYCLEFOLD_KEY_LEN,
            augmented: Some(shape),
        })
    }
}

/// Public parameters: commitment keys and the sponge configuration, reusable for every
/// step circuit they are large enough for.
#[derive(Clone)]
pub struct PublicParams {
    ck1: <Cm1 as CommitmentDef>::Key,
    ck2: <Cm2 as CommitmentDef>::Key,
    sponge_config: PoseidonConfig<Fr>,
    augmented: Option<AugmentedShape>,
}

/// Samples the commitment keys, both Pedersen (random generators from `rng`; each
/// generator is a point with a random `x`, so nobody knows its discrete logarithm, even
/// with the seed) and takes zkpot's Poseidon configuration
/// ([`zkpot_core::poseidon_config`]) for every sponge.
pub fn preprocess(config: &IvcConfig, mut rng: impl RngCore) -> Result<PublicParams, Error> {
    Ok(PublicParams {
        ck1: Fs1::preprocess(config.primary_key_len, &mut rng)?,
        ck2: Fs2::preprocess(config.cyclefold_key_len, &mut rng)?,
        sponge_config: poseidon_config(),
        augmented: config.augmented,
    })
}

/// The public parameters with HyperKZG primary commitments: the primary key is the first
/// `primary_key_len` powers of `kzg`'s SRS and HyperKZG's blinding generator
/// ([`PrimaryKey::kzg`]; [`Error::SrsTooShort`] if the SRS is shorter); the CycleFold key
/// stays Pedersen on Grumpkin, sampled from `rng` as in [`preprocess`].
pub fn preprocess_kzg(
    config: &IvcConfig,
    kzg: &KzgKey,
    mut rng: impl RngCore,
) -> Result<PublicParams, Error> {
    Ok(PublicParams {
        ck1: PrimaryKey::kzg(kzg, config.primary_key_len)?,
        ck2: Fs2::preprocess(config.cyclefold_key_len, &mut rng)?,
        sponge_config: poseidon_config(),
        augmented: config.augmented,
    })
}

/// The size of an augmented circuit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AugmentedShape {
    /// Number of constraints.
    pub num_constraints: usize,
    /// Number of witness variables.
    pub num_witnesses: usize,
    /// Number of public inputs (always 1: the state hash).
    pub num_public_inputs: usize,
}

impl AugmentedShape {
    /// The length of Nova's primary commitment key for this circuit: its constraints or
    /// witnesses, whichever is more, rounded up to a power of two.
    pub fn primary_key_len(&self) -> usize {
        self.num_constraints
            .max(self.num_witnesses)
            .next_power_of_two()
    }
}

/// The shape of the augmented circuit of `circuit`.
pub fn augmented_shape<SC: StepCircuit>(circuit: &SC) -> Result<AugmentedShape, Error> {
    let arith2 = cyclefold_r1cs()?.config();
    let (arith1, _) = primary_r1cs(&poseidon_config(), &arith2, circuit, None)?;
    Ok(AugmentedShape {
        num_constraints: arith1.n_constraints,
        num_witnesses: arith1.n_witnesses,
        num_public_inputs: arith1.n_public_inputs,
    })
}

/// Where the augmented circuit's constraints go: its parts in order (the state hash and
/// the hinted fold of the incoming instance, Nova's CycleFold folds, the step circuit,
/// the CycleFold folds of the point operations, the output hash) with their constraints.
pub fn augmented_profile<SC: StepCircuit>(
    circuit: &SC,
) -> Result<Vec<(&'static str, usize)>, Error> {
    let arith2 = cyclefold_r1cs()?.config();
    let sponge_config = poseidon_config();
    let (arith1, _) = primary_r1cs(&sponge_config, &arith2, circuit, None)?;
    let profile = RefCell::new(Vec::new());
    let diagnostic = RefCell::new(None);
    let cs = ArithExtractor::<Fr>::new();
    let augmented = AugmentedCircuit {
        sponge_config: &sponge_config,
        arith1: &arith1,
        arith2: &arith2,
        step: circuit,
        profile: Some(&profile),
    };
    if let Err(e) = cs.execute_fn(|cs| augmented.synthesize_setup(cs, &diagnostic)) {
        return Err(diagnostic.into_inner().unwrap_or(Error::Synthesis(e)));
    }
    Ok(profile.into_inner())
}

/// The R1CS of the augmented circuit. Its size depends on itself (the running instance
/// it folds has its number of public inputs), so it is synthesized until the
/// configuration is a fixed point, as sonobe does, starting from `start` when the shape
/// is known (then once).
fn primary_r1cs<SC: StepCircuit>(
    sponge_config: &PoseidonConfig<Fr>,
    arith2: &ArithConfig,
    circuit: &SC,
    start: Option<AugmentedShape>,
) -> Result<(ArithConfig, R1CS<Fr>), Error> {
    let mut arith1 = match start {
        // The configuration of an R1CS of this shape (`R1CS::config`).
        Some(shape) => ArithConfig {
            degree: 2,
            n_constraints: shape.num_constraints,
            n_variables: shape.num_witnesses + shape.num_public_inputs + 1,
            n_public_inputs: shape.num_public_inputs,
            n_witnesses: shape.num_witnesses,
        },
        None => ArithConfig {
            n_public_inputs: 1,
            ..Default::default()
        },
    };
    loop {
        let diagnostic = RefCell::new(None);
        let cs = ArithExtractor::<Fr>::new();
        let augmented = AugmentedCircuit {
            sponge_config,
            arith1: &arith1,
            arith2,
            step: circuit,
            profile: None,
        };
        if let Err(e) = cs.execute_fn(|cs| augmented.synthesize_setup(cs, &diagnostic)) {
            return Err(diagnostic.into_inner().unwrap_or(Error::Synthesis(e)));
        }
        let r1cs = cs.arith::<R1CS<Fr>>()?;
        let config = r1cs.config();
        if config == arith1 {
            return Ok((config, r1cs));
        }
        arith1 = config;
    }
}

/// The key of the IVC for one step circuit: the decider keys (R1CS and commitment key)
/// of the primary and CycleFold folding schemes, the sponge configuration, `pp_hash`, and
/// the step circuit's shape. Prover and verifier use the same key (the uncompressed
/// proof's verifier needs the R1CS and commitment keys).
#[derive(Clone)]
pub struct IvcKey {
    dk1: Dk1,
    dk2: Dk2,
    sponge_config: PoseidonConfig<Fr>,
    pp_hash: Fr,
    state_len: usize,
    num_ops: usize,
    arith1: ArithConfig,
    arith2: ArithConfig,
    /// The blinding generator of Nova's primary commitment key (HyperKZG's on a HyperKZG
    /// key, a random point on a Pedersen one).
    primary_blinding: G1,
}

/// The prover's key.
pub type ProverKey = IvcKey;
/// The verifier's key (for the uncompressed proof: the whole key).
pub type VerifierKey = IvcKey;

/// Generates the keys of `circuit`: extracts and checks the CycleFold R1CS (it must be
/// Nova's, [`Error::CycleFoldShape`]), extracts the augmented circuit's R1CS, builds the
/// decider keys (the commitment keys must be long enough, else a folding error) and
/// hashes everything into `pp_hash`.
pub fn generate_keys<SC: StepCircuit>(
    pp: PublicParams,
    circuit: &SC,
) -> Result<(ProverKey, VerifierKey), Error> {
    let r1cs2 = cyclefold_r1cs()?;
    let arith2 = r1cs2.config();
    let (arith1, r1cs1) = primary_r1cs(&pp.sponge_config, &arith2, circuit, pp.augmented)?;
    let primary_blinding = pp.ck1.blinding();
    let dk1 = Fs1::generate_keys(pp.ck1, r1cs1)?;
    let dk2 = Fs2::generate_keys(pp.ck2, r1cs2)?;
    let (state_len, num_ops) = (circuit.state_len(), circuit.num_ops());
    let pp_hash = pp_hash(&dk1, &dk2, &pp.sponge_config, state_len, num_ops)?;
    let key = IvcKey {
        dk1,
        dk2,
        sponge_config: pp.sponge_config,
        pp_hash,
        state_len,
        num_ops,
        arith1,
        arith2,
        primary_blinding,
    };
    Ok((key.clone(), key))
}

/// SHA-512 of a label, both decider keys, the sponge configuration and the step
/// circuit's shape, reduced into `Fr`.
fn pp_hash(
    dk1: &Dk1,
    dk2: &Dk2,
    sponge_config: &PoseidonConfig<Fr>,
    state_len: usize,
    num_ops: usize,
) -> Result<Fr, SerializationError> {
    struct HashWriter(Sha512);
    impl Write for HashWriter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.update(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut h = HashWriter(Sha512::new());
    h.0.update(PP_HASH_LABEL);
    dk1.serialize_compressed(&mut h)?;
    dk2.serialize_compressed(&mut h)?;
    sponge_config.serialize_compressed(&mut h)?;
    (state_len as u64).serialize_compressed(&mut h)?;
    (num_ops as u64).serialize_compressed(&mut h)?;
    Ok(Fr::from_le_bytes_mod_order(&h.0.finalize()))
}

/// The key is serialized as its two decider keys, the sponge configuration and the step
/// circuit's shape; the derived values (`pp_hash`, the R1CS configurations) are recomputed
/// when it is read, and the CycleFold R1CS is checked to be Nova's. Nothing checks that the
/// primary R1CS is the augmented circuit of a given step circuit: read keys from a trusted
/// place, or compare [`IvcKey::pp_hash`] with that of a key generated afresh.
impl CanonicalSerialize for IvcKey {
    fn serialize_with_mode<W: Write>(
        &self,
        mut writer: W,
        compress: Compress,
    ) -> Result<(), SerializationError> {
        self.dk1.serialize_with_mode(&mut writer, compress)?;
        self.dk2.serialize_with_mode(&mut writer, compress)?;
        self.sponge_config
            .serialize_with_mode(&mut writer, compress)?;
        (self.state_len as u64).serialize_with_mode(&mut writer, compress)?;
        (self.num_ops as u64).serialize_with_mode(&mut writer, compress)
    }

    fn serialized_size(&self, compress: Compress) -> usize {
        self.dk1.serialized_size(compress)
            + self.dk2.serialized_size(compress)
            + self.sponge_config.serialized_size(compress)
            + 2 * 0u64.serialized_size(compress)
    }
}

impl Valid for IvcKey {
    fn check(&self) -> Result<(), SerializationError> {
        self.dk1.check()?;
        self.dk2.check()
    }
}

impl CanonicalDeserialize for IvcKey {
    fn deserialize_with_mode<R: Read>(
        reader: R,
        compress: Compress,
        validate: Validate,
    ) -> Result<Self, SerializationError> {
        IvcKey::read_checked(reader, compress, validate, |_| Ok(())).map_err(|e| match e {
            Error::Serialization(e) => e,
            _ => SerializationError::InvalidData,
        })
    }
}

impl IvcKey {
    /// Reads a key as [`CanonicalDeserialize`] does, handing its primary commitment key
    /// to `check` as soon as it is read (before the rest is read or anything derived):
    /// the caller checks it is the one its setup gives (an SRS prefix for HyperKZG).
    pub fn read_checked<R: Read>(
        mut reader: R,
        compress: Compress,
        validate: Validate,
        check: impl FnOnce(&PrimaryKey) -> Result<(), Error>,
    ) -> Result<Self, Error> {
        // The primary decider key is serialized as its R1CS, then its commitment key.
        let r1cs1 = R1CS::<Fr>::deserialize_with_mode(&mut reader, compress, validate)?;
        let ck1 = PrimaryKey::deserialize_with_mode(&mut reader, compress, validate)?;
        check(&ck1)?;
        let primary_blinding = ck1.blinding();
        let dk1 = Fs1::generate_keys(ck1, r1cs1)?;
        let dk2 = Dk2::deserialize_with_mode(&mut reader, compress, validate)?;
        let sponge_config =
            PoseidonConfig::<Fr>::deserialize_with_mode(&mut reader, compress, validate)?;
        let to_usize = |v: u64| usize::try_from(v).map_err(|_| SerializationError::InvalidData);
        let state_len = to_usize(u64::deserialize_with_mode(&mut reader, compress, validate)?)?;
        let num_ops = to_usize(u64::deserialize_with_mode(&mut reader, compress, validate)?)?;
        let cyclefold = cyclefold_r1cs()?;
        if dk2.to_arith_config() != cyclefold.config() {
            return Err(SerializationError::InvalidData.into());
        }
        let pp_hash = pp_hash(&dk1, &dk2, &sponge_config, state_len, num_ops)?;
        Ok(Self {
            arith1: dk1.to_arith_config(),
            arith2: dk2.to_arith_config(),
            dk1,
            dk2,
            sponge_config,
            pp_hash,
            state_len,
            num_ops,
            primary_blinding,
        })
    }

    /// The hash of the public parameters, absorbed first by every transcript.
    pub fn pp_hash(&self) -> Fr {
        self.pp_hash
    }

    /// The step circuit's state length.
    pub fn state_len(&self) -> usize {
        self.state_len
    }

    /// The step circuit's number of point operations per step.
    pub fn num_ops(&self) -> usize {
        self.num_ops
    }

    /// The shape of the augmented (primary) circuit.
    pub fn augmented_shape(&self) -> AugmentedShape {
        AugmentedShape {
            num_constraints: self.arith1.n_constraints,
            num_witnesses: self.arith1.n_witnesses,
            num_public_inputs: self.arith1.n_public_inputs,
        }
    }

    /// The length of Nova's primary commitment key ([`AugmentedShape::primary_key_len`]).
    pub fn primary_key_len(&self) -> usize {
        self.augmented_shape().primary_key_len()
    }

    /// The number of constraints of the CycleFold circuit.
    pub fn cyclefold_constraints(&self) -> usize {
        self.arith2.n_constraints
    }

    /// The sponge configuration (zkpot's Poseidon).
    pub fn sponge_config(&self) -> &PoseidonConfig<Fr> {
        &self.sponge_config
    }

    /// A copy of the primary (augmented circuit's) R1CS, read back from the decider key's
    /// serialization (sonobe keeps it private): the decider's key is made from it once.
    pub(crate) fn primary_r1cs(&self) -> Result<R1CS<Fr>, Error> {
        let mut bytes = Vec::with_capacity(self.dk1.uncompressed_size());
        self.dk1.serialize_uncompressed(&mut bytes)?;
        // A decider key serializes its R1CS first (see `read_checked`).
        Ok(R1CS::<Fr>::deserialize_uncompressed_unchecked(
            bytes.as_slice(),
        )?)
    }

    /// Whether Nova's primary commitment key is a HyperKZG one (its blinding generator is
    /// HyperKZG's; [`FoldedKeys`](crate::running::FoldedKeys) checks the bases are the
    /// run's SRS prefix when it reads a key).
    pub fn primary_is_kzg(&self) -> bool {
        self.primary_blinding == zkpot_pcs::kzg::blinding_generator()
    }

    pub(crate) fn dk1(&self) -> &Dk1 {
        &self.dk1
    }

    pub(crate) fn dk2(&self) -> &Dk2 {
        &self.dk2
    }

    pub(crate) fn arith1(&self) -> &ArithConfig {
        &self.arith1
    }

    pub(crate) fn arith2(&self) -> &ArithConfig {
        &self.arith2
    }

    /// Checks that `circuit` has the shape this key was made for.
    pub(crate) fn check_circuit<SC: StepCircuit>(&self, circuit: &SC) -> Result<(), Error> {
        if circuit.state_len() != self.state_len || circuit.num_ops() != self.num_ops {
            return Err(Error::CircuitMismatch {
                key_state_len: self.state_len,
                key_num_ops: self.num_ops,
                state_len: circuit.state_len(),
                num_ops: circuit.num_ops(),
            });
        }
        Ok(())
    }
}
