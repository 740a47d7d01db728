//! # zkpot
//!
//! Recursive zero-knowledge proofs of training. This crate is the facade: it
//! re-exports the member crates and holds what the `zkpot` command line runs.
//!
//! | module | what |
//! |---|---|
//! | [`core`] | `zkpot-core`: field, fixed-point codec, multilinear tables, transcript |
//! | [`trainer`] | `zkpot-trainer`: exact fixed-point training with witnesses, datasets, `f32` reference |
//! | [`pcs`] | `zkpot-pcs`: Pedersen commitments, IPA openings, claim aggregation, the accumulator |
//! | [`gkr`] | `zkpot-gkr`: the step proof of `k` stacked SGD iterations (range checks, matrix products, elementwise layers) |
//! | [`run`] | a whole training run as `zkpot train` does it (trained, proven, verified), with its [`run::TrainReport`] |
//! | [`mod@file`] | proof files (`run.zkpot`) and the JSON form of a statement |
//!
//! The proof made here is the *run proof* of [`gkr::run`]: complete and sound, but it
//! grows with the number of iterations and is not zero-knowledge (its step proofs reveal
//! evaluations of committed tables). The folded, constant-size proof comes with
//! `zkpot-folding`.

#![forbid(unsafe_code)]

pub mod error;
pub mod file;
pub mod run;

pub use error::Error;
pub use zkpot_core as core;
pub use zkpot_gkr as gkr;
pub use zkpot_pcs as pcs;
pub use zkpot_trainer as trainer;
