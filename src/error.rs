//! Errors of the facade and the command line.

use std::path::PathBuf;

use zkpot_trainer::{DataError, SpecError, TrainError};

/// Anything that stops a `zkpot` command.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The spec is unusable.
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// Training stopped.
    #[error(transparent)]
    Train(#[from] TrainError),
    /// The dataset could not be loaded.
    #[error(transparent)]
    Data(#[from] DataError),
    /// A dataset's files are missing, with a hint on how to get them.
    #[error("{error}; {hint}")]
    MissingDataset {
        /// The loader's error (shown inline, so not chained as a source).
        error: DataError,
        /// What to do.
        hint: &'static str,
    },
    /// A command-line value is malformed.
    #[error("invalid {flag}: {reason}")]
    Usage {
        /// The flag.
        flag: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}
