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
//! | [`gkr`] | `zkpot-gkr`: the step proof of `k` stacked SGD iterations (range checks, matrix products, elementwise layers), the run proof |
//! | [`folding`] | `zkpot-folding`: the IVC (Nova + CycleFold) and the folded proof of a run |
//! | [`run`] | a whole training run as `zkpot train` does it (trained, proven, verified), with its [`run::TrainReport`] |
//! | [`mod@file`] | proof files (`run.zkpot`) and the JSON form of a statement |
//!
//! `zkpot train` makes the *folded proof* of [`folding::run`] by default: one IVC proof
//! of every fold, constant in the number of iterations but megabytes, or the *run proof*
//! of [`gkr::run`], which grows with it. Neither is zero-knowledge yet (the run proof's
//! step proofs reveal evaluations of committed tables, and the IVC proof carries them in
//! its witnesses).

#![forbid(unsafe_code)]

pub mod error;
pub mod file;
pub mod run;

pub use error::Error;
pub use zkpot_core as core;
pub use zkpot_folding as folding;
pub use zkpot_gkr as gkr;
pub use zkpot_pcs as pcs;
pub use zkpot_trainer as trainer;
