//! Our IVC compiler: Nova folding on BN254 with CycleFold on Grumpkin, assembled from
//! sonobe's public pieces, with one extra CycleFold instance per point operation of the
//! step circuit.
//!
//! | module | holds |
//! |---|---|
//! | [`circuit`] | the step-circuit interface: [`StepCircuit`], [`PointOpVar`], [`RHO_BITS`] |
//! | [`keys`] | [`preprocess`], [`generate_keys`], [`IvcKey`], the augmented circuit's shape |
//! | [`prover`] | [`IvcProver`]: one fold per step, checkpoints (`from_parts`) |
//! | [`verifier`] | [`verify`] of the uncompressed proof |
//! | [`proof`] | [`IvcProof`] and its serialization |
//! | `augmented` | the augmented circuit (step circuit + in-circuit fold verifiers) |
//! | [`cyclefold`] | the CycleFold circuit for `P0 + rho * P1` and its native fold |
//! | [`commitment`] | Nova's primary commitment: Pedersen generators or an SRS prefix (HyperKZG) |
//!
//! # One step
//!
//! Step `i` (0-based) of the prover, given the proof `(W, U, w, u, cf_W, cf_U)` of `z_i`:
//!
//! 1. (`i > 0`) fold the incoming primary instance `u` into `U` with Nova (`Nova::prove`
//!    on the `"transcript"` transcript), and Nova's two CycleFold instances (its own
//!    scalar multiplications) into `cf_U`, exactly as sonobe's compiler does. At `i = 0`
//!    the folded instances are the dummy ones.
//! 2. Synthesize the augmented circuit: it verifies step 1 in-circuit (the primary fold
//!    "hinted", Nova's CycleFold folds in full), runs the step circuit, and then, for each
//!    point operation it returned, folds one more CycleFold instance whose public inputs are
//!    `[rho, P0, P1, P2]` built from the step circuit's own variables. The native twin of
//!    each extra fold runs *during* synthesis, as soon as the operation's values are known
//!    (no second synthesis of the step). The extra folds use their own transcript, the
//!    `"zkpot/point-ops"` domain of the `pp_hash` sponge, in-circuit and natively.
//! 3. The circuit's one public input is `H(pp_hash, i + 1, z0, z_{i+1}, U', cf_U')`; its
//!    witness becomes the new incoming instance `u'`.
//!
//! The two traps of building this from sonobe's pieces: the operations of step 0 are folded
//! too (the running CycleFold instance after step 0 is the dummy one *plus* step 0's
//! operations, where sonobe's compiler resets it to the dummy), and they need their own
//! transcript (the native prover skips the primary transcript at step 0, the circuit does
//! not).
//!
//! # What verification means
//!
//! [`verify`] checks the uncompressed proof: the hash binding of the last incoming instance
//! and the satisfaction of the running primary, incoming primary and running CycleFold
//! instances. It needs the whole key (R1CS matrices and commitment keys) and the proof
//! carries the witnesses in the clear: it is neither succinct nor zero-knowledge. The
//! compressed final proof is [`crate::decider`]'s.

pub mod circuit;
pub mod commitment;
pub mod cyclefold;
pub mod keys;
pub mod proof;
pub mod prover;
pub mod verifier;

pub(crate) mod augmented;

use ark_r1cs_std::{fields::fp::FpVar, groups::curves::short_weierstrass::ProjectiveVar};
use sonobe::{
    fs::{
        nova::{
            instances::{
                circuits::{IncomingInstanceVar, RunningInstanceVar},
                IncomingInstance, RunningInstance,
            },
            keys::NovaKey,
            witnesses::{IncomingWitness, RunningWitness},
            CycleFoldNova, Nova,
        },
        GroupBasedFoldingSchemePrimaryDef, GroupBasedFoldingSchemeSecondaryDef,
    },
    primitives::{
        arithmetizations::r1cs::R1CS,
        commitments::{
            pedersen::{Pedersen, PedersenGadget},
            GroupBasedCommitment,
        },
    },
};
use zkpot_core::{Fq, Fr};

pub use self::{
    circuit::{PointOpVar, StepCircuit, RHO_BITS},
    commitment::PrimaryKey,
    keys::{
        augmented_profile, augmented_shape, generate_keys, preprocess, preprocess_kzg,
        AugmentedShape, IvcConfig, IvcKey, ProverKey, PublicParams, VerifierKey,
    },
    proof::IvcProof,
    prover::IvcProver,
    verifier::verify,
};

/// The Grumpkin curve (the CycleFold curve: base field BN254 `Fr`, scalar field BN254 `Fq`).
pub type Grumpkin = ark_grumpkin::Projective;

/// Domain of the sponge that hashes `(i, z0, z_i, U, cf_U)` (sonobe's name).
pub(crate) const SPONGE_DOMAIN: &[u8] = b"sponge";
/// Domain of the primary folding transcript (sonobe's name).
pub(crate) const TRANSCRIPT_DOMAIN: &[u8] = b"transcript";
/// Domain of the transcript of the extra point-operation folds.
pub(crate) const OPS_DOMAIN: &[u8] = b"zkpot/point-ops";

/// Primary commitment: hiding, on BN254 `G1`, with Pedersen generators or an SRS prefix
/// ([`commitment`]).
pub(crate) type Cm1 = commitment::PrimaryCommitment;
/// CycleFold commitment: hiding Pedersen on Grumpkin.
pub(crate) type Cm2 = Pedersen<Grumpkin, true>;
/// The primary folding scheme.
pub(crate) type Fs1 = Nova<Cm1, RHO_BITS>;
/// The CycleFold folding scheme.
pub(crate) type Fs2 = CycleFoldNova<Cm2, RHO_BITS>;
/// The primary decider key (R1CS + commitment key).
pub(crate) type Dk1 = NovaKey<R1CS<Fr>, Cm1>;
/// The CycleFold decider key.
pub(crate) type Dk2 = NovaKey<R1CS<Fq>, Cm2>;

/// Running primary instance.
pub(crate) type Ru1 = RunningInstance<Cm1>;
/// Incoming primary instance.
pub(crate) type Iu1 = IncomingInstance<Cm1>;
/// Running primary witness.
pub(crate) type Rw1 = RunningWitness<Cm1>;
/// Incoming primary witness.
pub(crate) type Iw1 = IncomingWitness<Cm1>;
/// Running CycleFold instance.
pub(crate) type Ru2 = RunningInstance<Cm2>;
/// Incoming CycleFold instance.
pub(crate) type Iu2 = IncomingInstance<Cm2>;
/// Running CycleFold witness.
pub(crate) type Rw2 = RunningWitness<Cm2>;
/// Incoming CycleFold witness.
pub(crate) type Iw2 = IncomingWitness<Cm2>;

/// In-circuit primary fold verifier.
pub(crate) type Gadget1 = <Fs1 as GroupBasedFoldingSchemePrimaryDef>::Gadget;
/// In-circuit CycleFold fold verifier.
pub(crate) type Gadget2 = <Fs2 as GroupBasedFoldingSchemeSecondaryDef>::Gadget;
/// In-circuit running primary instance (emulated `G1` commitments).
pub(crate) type Ru1Var = RunningInstanceVar<<Cm1 as GroupBasedCommitment>::Gadget2>;
/// In-circuit incoming primary instance.
pub(crate) type Iu1Var = IncomingInstanceVar<<Cm1 as GroupBasedCommitment>::Gadget2>;
/// In-circuit running CycleFold instance (native Grumpkin commitments).
pub(crate) type Ru2Var = RunningInstanceVar<PedersenGadget<Grumpkin, true>>;
/// In-circuit incoming CycleFold instance.
pub(crate) type Iu2Var = IncomingInstanceVar<PedersenGadget<Grumpkin, true>>;
/// In-circuit Grumpkin point (the CycleFold folds' cross terms).
pub(crate) type GrumpkinVar = ProjectiveVar<ark_grumpkin::GrumpkinConfig, FpVar<Fr>>;
