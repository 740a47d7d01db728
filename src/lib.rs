//! # zkpot
//!
//! Recursive zero-knowledge proofs of training: a trainer runs mini-batch SGD on a
//! neural network in exact fixed-point arithmetic, a GKR-style prover proves every group
//! of `k` iterations (a *fold*), and the folds become one final proof that the whole run
//! was computed correctly from a committed starting model on a committed dataset.
//!
//! Everything a run needs is imported from here:
//!
//! ```no_run
//! use zkpot::{Dataset, Keys, ProofKind, Prover, TrainSpec, Verifier};
//!
//! fn main() -> Result<(), zkpot::Error> {
//!     let data = Dataset::digits()?; // the embedded 8x8 digits
//!     let mut spec = TrainSpec::new(vec![64, 16, 10], 8, 6, 1); // widths, batch, lr shift, seed
//!     spec.steps_per_fold = 4;
//!     spec.iterations = Some(8);
//!     let keys = Keys::new(&spec, &data, ProofKind::Compressed)?; // cached after the first run
//!     let mut prover = Prover::new(&keys, &spec, &data)?;
//!     while !prover.is_finished() {
//!         prover.prove_fold()?; // trains k iterations and proves them
//!     }
//!     let (statement, proof) = prover.finish()?;
//!     Verifier::new(&keys).verify(&statement, &proof)?;
//!     println!("valid");
//!     Ok(())
//! }
//! ```
//!
//! | item | what |
//! |---|---|
//! | [`TrainSpec`], [`Dataset`], [`Trainer`] | the run's public description, its data (files, the embedded digits, or your own `f32`/`f64` rows: [`Dataset::from_f32`]), exact fixed-point training |
//! | [`Keys`], [`KeyStore`], [`Limits`] | the commitment key, the IVC keys and the decider's key of a run's shape: loaded from the key cache, or derived and cached once |
//! | [`Prover`] | trains and proves fold by fold, checkpoints, resumes, finishes into `(`[`Statement`]`, `[`FinalProof`]`)` |
//! | [`Verifier`] | checks a [`FinalProof`] against its [`Statement`], trusting nothing it reads |
//! | [`ProofKind`] | the compressed proof (constant size, kilobytes, zero-knowledge), the folded proof (constant size, megabytes, not zero-knowledge) or the run proof (grows with `T`) |
//! | [`ProofFile`], [`json`] | proof files (`run.zkpot`) and the JSON form of a statement |
//! | [`session`] | a whole run as `zkpot train` does it (with the `f32` reference and a report) |
//! | [`Error`] | every failure, typed |
//!
//! **Neither proof is zero-knowledge yet**: the folded proof is sonobe's uncompressed IVC
//! proof (megabytes, with its running witnesses in the clear); the compressed,
//! zero-knowledge final proof is the next step. The run proof's step proofs reveal
//! evaluations of committed tables.
//!
//! The member crates (`core`, `trainer`, `pcs`, `gkr`, `run`, `folding`) are re-exported
//! under the `internals` feature for benchmarks and research code.

#![forbid(unsafe_code)]

pub mod error;
mod files;
pub mod json;
pub mod keys;
pub mod progress;
pub mod proof;
pub mod prover;
pub mod session;
pub mod verifier;

pub use error::Error;
pub use keys::{KeyReport, KeySource, KeyStore, Keys, Limits};
pub use progress::{Progress, Silent};
pub use proof::{FinalProof, ProofFile, ProofKind};
pub use prover::{Checkpoint, FoldReport, Prover};
pub use verifier::Verifier;
pub use zkpot_core::{Backend, CpuBackend};
/// The universal powers-of-tau setup of HyperKZG: import a ceremony file, sample one for
/// development, read and write the key folder's copy (`zkpot srs`).
pub use zkpot_pcs::srs;
pub use zkpot_pcs::srs::{Srs, SrsOrigin};
pub use zkpot_pcs::{PcsKind, Setup};
pub use zkpot_run::RunStatement as Statement;
pub use zkpot_run::VerifyTimings;
pub use zkpot_trainer::{Dataset, DatasetSource, Mlp, TrainSpec, Trainer};

#[cfg(feature = "internals")]
pub use {
    zkpot_core as core, zkpot_folding as folding, zkpot_gkr as gkr, zkpot_pcs as pcs,
    zkpot_run as run, zkpot_trainer as trainer,
};
