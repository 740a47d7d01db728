//! # zkpot-core
//!
//! The shared foundation of zkpot, a library for recursive zero-knowledge proofs of
//! training: the numbers every other crate computes with and the Fiat-Shamir transcript
//! every protocol draws its challenges from.
//!
//! | module | contents |
//! |---|---|
//! | [`field`] | BN254 aliases: `Fr` (scalars), `Fq` (base field), `G1`, `G1Affine` |
//! | [`fixed`] | the fixed-point codec (`i64` to `Fr` and back, range-checked) and [`rescale`], the one rounding rule shared by trainer and prover |
//! | [`claim`] | [`Claim`] `{ point, value }`, the one evaluation claim every protocol leaves, and [`ClaimVar`] |
//! | [`mle`] | [`MultilinearTable`], `eq` tables, and the variable order all crates use |
//! | [`transcript`] | the [`Transcript`] trait and [`PoseidonTranscript`], with the fixed [`poseidon_config`] the in-circuit verifier reproduces |
//! | [`arith`] | branch-free field addition and subtraction for hot loops |
//! | [`backend`] | the compute [`Backend`] trait and [`CpuBackend`] (rayon); conformance suite behind `test-utils` |
//! | [`sumcheck`] | the sumcheck round-oracle trait, the Fiat-Shamir driver, the pure verifier, product provers |
//! | [`constraints`] | the in-circuit twins (transcript, sumcheck verifier, `eq`), gathered, and the allocation helpers |
//! | [`error`] | the crate's [`Error`] and [`SumcheckError`] |
//!
//! ## Where it sits
//!
//! `zkpot-core` depends only on arkworks; every other zkpot crate (`trainer`, `pcs`, `gkr`,
//! `folding`, `gpu`, and the `zkpot` facade) depends on it.

#![forbid(unsafe_code)]

pub mod arith;
pub mod backend;
pub mod claim;
pub mod constraints;
pub mod error;
pub mod field;
pub mod fixed;
pub mod io;
pub mod mle;
pub mod sumcheck;
pub mod transcript;

pub use backend::{Backend, CpuBackend, ProductSum};
pub use claim::{Claim, ClaimVar};
pub use error::{Error, SumcheckError};
pub use field::{Fq, Fr, G1Affine, G1};
pub use fixed::{field_to_i128, i128_to_field, i64_to_field, rescale, FixedPoint, Rescaled};
pub use mle::{eq_eval, eq_table, eq_weights, evaluate_slice, MultilinearTable};
pub use transcript::{point_to_fields, poseidon_config, PoseidonTranscript, Transcript};
