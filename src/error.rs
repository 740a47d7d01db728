//! Errors of the facade and the command line.

use std::path::PathBuf;

use zkpot_gkr::run::RunError;
use zkpot_pcs::PcsError;
use zkpot_trainer::{DataError, SpecError, TrainError};

use crate::file::{ExpectedError, FileError};

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
    /// The run could not be proven, or its proof was rejected.
    #[error(transparent)]
    Run(#[from] RunError),
    /// The folded proof could not be made, resumed or verified.
    #[error(transparent)]
    Folded(Box<zkpot_folding::run::FoldedError>),
    /// The commitment key could not be loaded from its cache or derived.
    #[error("commitment key: {0} (delete the file, or run `zkpot setup --force` with the same options, to derive it again)")]
    Key(#[from] PcsError),
    /// A proof file could not be read or written.
    #[error(transparent)]
    File(#[from] FileError),
    /// The proof is about another statement than the one expected.
    #[error(transparent)]
    Expected(#[from] ExpectedError),
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
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

impl From<zkpot_folding::run::FoldedError> for Error {
    fn from(e: zkpot_folding::run::FoldedError) -> Self {
        Error::Folded(Box::new(e))
    }
}
