//! # zkpot-run
//!
//! The run protocol of zkpot (`DESIGN.md` sections 1, 5 and 6): a whole training run
//! proven fold by fold, the step proofs' claims folded into one
//! [`Accumulator`](zkpot_pcs::accumulator::Accumulator) that is opened once, at the end.
//!
//! The linear run proof ([`RunProof`]) is complete and sound but **not succinct**: it
//! holds one step proof per fold, so its size and verification time grow with the number of iterations `T`. The
//! running folded proof (`zkpot-folding`) verifies the same folds in-circuit and reuses
//! everything here: the statement, the data commitment, the per-fold transcript and the
//! accumulator.
//!
//! # Statement ([`RunStatement`])
//!
//! | field | meaning |
//! |---|---|
//! | `spec` | the resolved [`TrainSpec`](zkpot_trainer::TrainSpec) (its digest binds the shape, schedule, seed and `T`) |
//! | `data` | `C_data` ([`DataCommitment`]): the Poseidon Merkle root over the hiding commitments of the training set's chunks, in training order, and the number of chunks |
//! | `w0` | `C_W0`: a hiding commitment to the starting model's table ([`StepShape::model_layout`](zkpot_gkr::step::StepShape::model_layout)) |
//! | `wt` | `C_WT`: a hiding commitment to the model after `T` iterations, same layout |
//!
//! # Protocol
//!
//! The prover makes `F = T / k` folds; the per-fold relation is in [`fold`] (natively,
//! and in-circuit in [`fold::constraints`]), the end of the run in [`finish`]. The run
//! proof ([`RunProof`]) is every fold's record side by side and the end, checked by
//! [`verify_run`]; the folded proof (`zkpot-folding`) verifies each fold in-circuit.
//!
//! The accumulator starts empty over [`run_num_vars`] variables (the largest table:
//! usually the fold table), and the commitment key must cover `2^run_num_vars`
//! generators ([`key_len`], exactly: the opening's transcript absorbs the key's length);
//! it is derived from [`KEY_LABEL`].
//!
//! # Zero knowledge
//!
//! Every commitment is hiding, the accumulator starts from a random mask (the statement's
//! [`RunStatement::mask`]) and the end's fold adds another, the accumulator's opening is
//! zero-knowledge, but the step proofs are not: they reveal evaluations of committed tables. This proof is therefore
//! **not zero-knowledge**; the folded proof keeps the step proofs as witnesses.

//!
//! | module | holds |
//! |---|---|
//! | [`statement`] | [`RunStatement`], [`DataCommitment`], the run's sizes ([`run_shape`], [`run_num_vars`], [`key_len`]) |
//! | [`data`] | [`ChunkedData`]: the training set's chunks, committed under a Merkle root |
//! | [`fold`] | the per-fold relation: [`FoldRecord`], [`verify_fold`], [`accumulate_fold`], [`dummy_fold`]; in-circuit in [`fold::constraints`] |
//! | [`finish`] | the end of a run: [`FinishProof`], [`verify_finish`] |
//! | [`prover`] | [`RunProver`]: fold by fold from the caller's witnesses, checkpoints |
//! | [`proof`], [`verifier`] | the linear run proof [`RunProof`] and [`verify_run`] |
//! | [`error`] | [`RunError`] |
//!
//! ## Where it sits
//!
//! Depends on `zkpot-core`, `zkpot-pcs`, `zkpot-gkr` (the step proof) and
//! `zkpot-trainer` (the spec, datasets and witness types); `zkpot-folding` and the
//! `zkpot` facade depend on it. The commitment scheme is named once, [`Pcs`].

#![forbid(unsafe_code)]

pub mod data;
pub mod error;
pub mod finish;
pub mod fold;
pub mod proof;
pub mod prover;
pub mod statement;
pub mod verifier;

pub use data::{chunk_batches, ChunkedData};
pub use error::RunError;
pub use finish::{verify_finish, FinishProof};
pub use fold::{accumulate_fold, dummy_fold, verify_fold, FoldRecord};
pub use proof::RunProof;
pub use prover::{
    model_of, rng_from_state, rng_state, FinishedRun, FoldReport, RunProver, RNG_STATE_LEN,
};
pub use statement::{
    check_key, check_verifier_key, key_len, run_num_vars, run_shape, DataCommitment, RunStatement,
    KEY_LABEL, MAX_RUN_VARS,
};
pub use verifier::{verify_run, verify_run_timed, VerifyTimings};

/// The commitment scheme of a run, named once for the crate and the crates above it: the
/// scheme its key holds (HyperKZG or Pedersen + IPA, [`zkpot_pcs::scheme`]), chosen when
/// the run starts and bound into its statement ([`RunStatement::setup`]).
pub type Pcs = zkpot_pcs::AnyScheme;
