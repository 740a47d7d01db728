//! Errors of the trainer crate.

use std::path::PathBuf;

pub use crate::data::DataError;

/// A spec that cannot be trained or proven.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SpecError {
    /// A field has a value the trainer does not support.
    #[error("invalid spec field `{field}`: {reason}")]
    Invalid {
        /// The offending field.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A relation of the SGD step could wrap around modulo `p` (or overflow `i128`).
    #[error(
        "relation `{relation}` could reach 2^{bound_log2:.2}, over {limit} by {excess_bits:.2} \
         bits; lower value_bits, frac_bits, lr_shift, the batch size or the layer widths"
    )]
    Wrap {
        /// The relation.
        relation: String,
        /// `log2` of its largest intermediate.
        bound_log2: f64,
        /// The limit it exceeds.
        limit: &'static str,
        /// By how many bits.
        excess_bits: f64,
    },
    /// The spec does not fit the dataset.
    #[error("spec does not fit dataset `{dataset}`: {reason}")]
    DatasetMismatch {
        /// The dataset's name.
        dataset: String,
        /// What does not fit.
        reason: String,
    },
    /// A spec file could not be read.
    #[error("cannot read spec {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A spec file is not a valid spec.
    #[error("spec {path} is not a valid spec: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: serde_json::Error,
    },
}

fn when(iteration: &Option<u64>) -> String {
    match iteration {
        Some(i) => format!("at iteration {i}"),
        None => "during evaluation".to_string(),
    }
}

impl SpecError {
    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        SpecError::Invalid {
            field,
            reason: reason.into(),
        }
    }
}

/// An error that stops training.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrainError {
    /// The spec is unusable.
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// A value left its proven range `[-2^(B-1), 2^(B-1))`: the run diverged or the
    /// spec's bound is too small. Nothing is clamped.
    #[error(
        "training stopped {when}: {tensor}[{index}] = {value} is outside [-2^{b}, 2^{b}) \
         (value_bits = {bits}); the run diverged or value_bits is too small: try a larger \
         lr_shift (smaller learning rate)",
        b = .bits - 1,
        when = when(.iteration)
    )]
    OutOfRange {
        /// The tensor, e.g. `W_1' (updated weights of layer 1)`.
        tensor: String,
        /// The SGD iteration (0-based); `None` outside training (evaluation).
        iteration: Option<u64>,
        /// The flat (row-major) index of the entry.
        index: usize,
        /// The value.
        value: i128,
        /// The value bound `B`.
        bits: u32,
    },
    /// A tensor has the wrong shape for the spec.
    #[error("{tensor} has shape {found:?}, expected {expected:?}")]
    Shape {
        /// The tensor.
        tensor: String,
        /// `(rows, cols)` expected.
        expected: (usize, usize),
        /// `(rows, cols)` found.
        found: (usize, usize),
    },
    /// All `T` iterations of the spec are done.
    #[error("the run is finished: all {0} iterations of the spec are done")]
    Finished(u64),
}

/// The first relation a [`crate::StepWitness`] fails, as found by
/// [`crate::check_witness`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WitnessError {
    /// A tensor has the wrong shape.
    #[error("witness tensor {tensor} has {found} entries, expected {expected}")]
    Shape {
        /// The tensor.
        tensor: String,
        /// Expected number of entries.
        expected: usize,
        /// Found number of entries.
        found: usize,
    },
    /// A relation does not hold at an entry.
    #[error("relation `{relation}` fails at entry {index}: witness has {found}, relation gives {expected}")]
    Relation {
        /// The relation.
        relation: String,
        /// The flat index of the failing entry.
        index: usize,
        /// What the relation computes from the other witness tensors.
        expected: i128,
        /// What the witness holds.
        found: i128,
    },
    /// A value is outside its range.
    #[error("range `{tensor}` fails at entry {index}: {value} is not in [{min}, {end})")]
    Range {
        /// The tensor and its range.
        tensor: String,
        /// The flat index.
        index: usize,
        /// The value.
        value: i128,
        /// Smallest allowed value.
        min: i128,
        /// One past the largest allowed value.
        end: i128,
    },
    /// The spec itself is invalid.
    #[error("invalid spec: {0}")]
    Spec(String),
}
