//! # zkpot-trainer
//!
//! Exact fixed-point training of multilayer perceptrons, recording everything the
//! step proof needs. The arithmetic here *is* the statement: the prover checks
//! exactly these integer relations, with the same rounding and the same ranges,
//! and a value that leaves its range stops training with an error instead of
//! being clamped.
//!
//! | module | what |
//! |---|---|
//! | [`spec`] | [`TrainSpec`]: the public description of a run, its digest and the no-wrap-around validation |
//! | [`tensor`] | integer matrices and exact matrix products |
//! | [`model`] | the fixed-point MLP and its deterministic initialisation |
//! | [`step`] | one SGD iteration and its [`StepWitness`] |
//! | [`check`] | [`check_witness`]: the integer oracle of every relation |
//! | [`schedule`] | the public batch schedule (chunks of `k * batch` rows) |
//! | [`train`] | [`Trainer`], the loop over a dataset, and evaluation |
//! | [`reference`](mod@reference) | the `f32` reference trainer |
//! | [`data`] | datasets: embedded digits, MNIST-format IDX, CSV |
//! | [`error`] | typed errors |
//!
//! Depends on `zkpot-core` (field, codec, transcript); the `gkr` crate reads the
//! witness types.

#![forbid(unsafe_code)]

pub mod check;
pub mod data;
pub mod error;
pub mod model;
pub mod reference;
pub mod schedule;
pub mod spec;
pub mod step;
pub mod tensor;
#[cfg(feature = "test-utils")]
pub mod testing;
pub mod train;

pub use check::check_witness;
pub use data::{Dataset, DatasetSource};
pub use error::{DataError, SpecError, TrainError, WitnessError};
pub use model::{Dense, Mlp, Rescale};
pub use reference::{ReferenceMlp, ReferenceTrainer};
pub use schedule::BatchSchedule;
pub use spec::{Loss, TrainSpec};
pub use step::{sgd_step, LayerWitness, StepWitness};
pub use tensor::Matrix;
pub use train::{accuracy, Trainer};
