//! `zkpot-folding`: incrementally verifiable computation (IVC) for zkpot, with a step
//! circuit that may ask for elliptic-curve operations.
//!
//! The IVC is Nova folding over BN254 with CycleFold over Grumpkin, assembled from the
//! public pieces of sonobe 0.1.0-alpha.1 (`sonobe-fs`' Nova prover, verifier and in-circuit
//! fold verifiers, its instances, keys and transcripts). What sonobe's own compiler cannot do,
//! and this one does: a step circuit ([`StepCircuit`]) returns, next to its new state, a
//! fixed number of point operations `P2 = P0 + rho * P1` on BN254 `G1` with a 128-bit `rho`
//! ([`PointOpVar`]); each becomes one extra CycleFold instance (about 15k constraints in the
//! primary circuit, against about 350k to emulate the operation), folded in-circuit into the
//! one running CycleFold instance. `DESIGN.md` section 6 says why (the accumulator update
//! of the training proof is three such operations per fold); `SONOBE.md` has the recipe.
//!
//! | module | holds |
//! |---|---|
//! | [`gadgets`] | `G1` points in the step circuit ([`G1Var`]) and their canonical four-limb encoding |
//! | [`ivc`] | the step-circuit interface ([`StepCircuit`], [`PointOpVar`], [`RHO_BITS`]), key generation, [`IvcProver`], [`verify`], [`IvcProof`] (see its docs for one step) |
//! | [`error`] | [`Error`], [`Check`] |
//! | [`training`] | the training step circuit: one fold of a run proof verified in-circuit |
//! | [`running`] | the running proof of a training run: keys (cacheable), prover (checkpoints), [`running::FoldedProof`] and [`running::CompressedProof`], verifiers |
//! | [`decider`] | the compressed final proof: closing the IVC, the primary and CycleFold SNARKs |
//!
//! `folding` sits below the facade and above `gkr` in the dependency graph.
//!
//! The proof ([`IvcProof`]) is sonobe's uncompressed one: running and incoming instances
//! with their witnesses, in the clear. It is neither succinct nor zero-knowledge; the
//! [`decider`] replaces it by a proof of kilobytes whose messages reveal nothing (see its
//! docs for what is not built yet).

#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod decider;
pub mod error;
pub mod gadgets;
pub mod ivc;
pub mod running;
pub mod training;

#[cfg(test)]
mod tests;

pub use crate::{
    error::{Check, DeciderCheck, Error, PointOpFault, StateField},
    gadgets::{
        alloc_point, enforce_point_limbs, point_from_fields, point_from_limbs, point_limbs, G1Var,
    },
    ivc::{
        augmented_profile, augmented_shape, generate_keys, preprocess, preprocess_kzg, verify,
        AugmentedShape, Grumpkin, IvcConfig, IvcKey, IvcProof, IvcProver, PointOpVar, PrimaryKey,
        ProverKey, PublicParams, StepCircuit, VerifierKey, RHO_BITS,
    },
};
