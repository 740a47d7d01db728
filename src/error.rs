//! The facade's error type: every fallible call of `zkpot` returns [`Error`].

use std::path::{Path, PathBuf};

use zkpot_core::io::EnvelopeError;
use zkpot_pcs::PcsError;
use zkpot_run::RunError;
use zkpot_trainer::{DataError, SpecError, TrainError};

use crate::json::ExpectedError;
use crate::proof::ProofKind;

/// Why a `zkpot` call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The spec is invalid (including a statement's spec a verifier refuses).
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// Training stopped (a value left its declared range).
    #[error(transparent)]
    Train(#[from] TrainError),
    /// A dataset could not be loaded or built.
    #[error(transparent)]
    Data(#[from] DataError),
    /// A dataset is missing, with a hint on how to install it.
    #[error("{error}; {hint}")]
    MissingDataset {
        /// Why loading failed.
        error: DataError,
        /// What to do.
        hint: &'static str,
    },
    /// A command-line flag or option is not usable.
    #[error("invalid {flag}: {reason}")]
    Usage {
        /// The flag or option.
        flag: &'static str,
        /// Why.
        reason: String,
    },
    /// The run protocol failed or rejected a run proof.
    #[error(transparent)]
    Run(#[from] RunError),
    /// The folded proof's prover failed or its verifier rejected it.
    #[error(transparent)]
    Folded(Box<zkpot_folding::Error>),
    /// A commitment key could not be derived, read or written.
    #[error("commitment key: {0} (delete the file, or run `zkpot setup --force` with the same options, to derive it again)")]
    Key(#[from] PcsError),
    /// An SRS could not be imported, sampled, read or written, or is missing.
    #[error(transparent)]
    Srs(#[from] zkpot_pcs::SrsError),
    /// No SRS is cached in the key folder.
    #[error(
        "no SRS in {dir}: import a ceremony file (`zkpot srs import FILE.ptau`) or sample a \
         development one (`zkpot srs dev --power N`)"
    )]
    NoSrs {
        /// The key folder.
        dir: PathBuf,
    },
    /// The cached SRS has fewer powers than a run needs.
    #[error(
        "the SRS in {dir} has 2^{power} powers; this run needs 2^{needed}: import a ceremony \
         file of power {needed} or more (`zkpot srs import FILE.ptau`), or for development \
         `zkpot srs dev --power {needed} --replace` (proofs made on the cached SRS then no \
         longer verify from this folder)"
    )]
    SrsTooSmall {
        /// The key folder.
        dir: PathBuf,
        /// The cached SRS's power.
        power: u32,
        /// The power the run needs.
        needed: u32,
    },
    /// A HyperKZG statement is to be verified but no SRS is cached (a verifier never
    /// samples one).
    #[error(
        "the statement was proven on {statement}, and there is no SRS in {dir}: import the \
         SRS the run used (`zkpot srs import FILE.ptau`, or its srs.bin), or verify with its \
         key folder"
    )]
    SrsMissing {
        /// The statement's setup.
        statement: zkpot_pcs::Setup,
        /// The key folder.
        dir: PathBuf,
    },
    /// A statement was proven on another setup than the keys at hand (another scheme,
    /// another SRS).
    #[error(
        "the statement was proven on {statement}; the keys in {dir} give {keys} (import the \
         SRS the run used, or verify with its key folder)"
    )]
    SetupMismatch {
        /// The statement's setup.
        statement: zkpot_pcs::Setup,
        /// The keys'.
        keys: zkpot_pcs::Setup,
        /// The key folder.
        dir: PathBuf,
    },
    /// A statement's tables are larger than this verifier accepts.
    #[error(
        "the statement's largest table has 2^{table_vars} entries; this verifier accepts at \
         most 2^{max_table_vars} (raise the limit to verify it)"
    )]
    TooLarge {
        /// `log2` of the statement's largest table.
        table_vars: usize,
        /// The limit.
        max_table_vars: usize,
    },
    /// Keys are needed that are not cached, and deriving them was not allowed.
    #[error(
        "the {what} for this statement are not in the key cache ({path}); run `zkpot setup` \
         with the run's options, or pass --derive-keys to derive them here (minutes)"
    )]
    KeysNotCached {
        /// Which keys.
        what: &'static str,
        /// Where they were looked for.
        path: PathBuf,
    },
    /// A cached key file is damaged or was made for something else.
    #[error("key file {}: {reason} (delete it to derive the keys again)", .path.display())]
    KeyFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: &'static str,
    },
    /// Keys were made for another run than the one they are used for.
    #[error("the keys are for {keys}, not for {wanted}")]
    KeysMismatch {
        /// What the keys are for.
        keys: &'static str,
        /// What they were used for.
        wanted: &'static str,
    },
    /// A proof or checkpoint of one kind was handed to keys or a prover of the other.
    #[error("a {found} cannot be used with keys made for a {expected}")]
    WrongKind {
        /// The kind found.
        found: &'static str,
        /// The kind expected.
        expected: &'static str,
    },
    /// A file's envelope was refused.
    #[error("{}{source}", .path.as_ref().map(|p| format!("{}: ", p.display())).unwrap_or_default())]
    Envelope {
        /// The file, if known.
        path: Option<PathBuf>,
        /// Why.
        source: EnvelopeError,
    },
    /// A file continues after what it holds.
    #[error("{count} trailing bytes after {what}")]
    TrailingBytes {
        /// What was read.
        what: &'static str,
        /// How many bytes are left.
        count: usize,
    },
    /// A checkpoint's note (its JSON header) does not decode.
    #[error("the checkpoint's note does not decode: {0}")]
    CheckpointNote(serde_json::Error),
    /// The run is not finished, or has nothing left to prove.
    #[error("{0}")]
    State(&'static str),
    /// An expected statement does not match.
    #[error(transparent)]
    Expected(#[from] ExpectedError),
    /// The operating system's random generator failed.
    #[error("the operating system's random generator failed: {0}")]
    Randomness(rand::Error),
    /// A file could not be read.
    #[error("cannot read {path}: {source}", path = .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file could not be written.
    #[error("cannot write {path}: {source}", path = .path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

impl From<zkpot_folding::Error> for Error {
    fn from(e: zkpot_folding::Error) -> Self {
        match e {
            // The run protocol's errors are the same whichever proof reports them.
            zkpot_folding::Error::Run(run) => Error::Run(run),
            e => Error::Folded(Box::new(e)),
        }
    }
}

impl From<EnvelopeError> for Error {
    fn from(source: EnvelopeError) -> Self {
        Error::Envelope { path: None, source }
    }
}

impl Error {
    /// Names `path` in an envelope error (other errors are returned as they are).
    pub(crate) fn in_file(self, path: &Path) -> Self {
        match self {
            Error::Envelope { path: None, source } => Error::Envelope {
                path: Some(path.to_path_buf()),
                source,
            },
            e => e,
        }
    }

    /// A proof of `found` used with keys or a prover of `expected`.
    pub(crate) fn wrong_kind(found: ProofKind, expected: ProofKind) -> Self {
        Error::WrongKind {
            found: found.name(),
            expected: expected.name(),
        }
    }
}
