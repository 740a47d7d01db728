//! The crate's error type.

use std::{fmt, path::PathBuf, sync::Arc};

/// Everything that can go wrong in `zkpot-pcs`: keys too short for a table, statements of
/// the wrong shape, and proofs that do not verify.
///
/// Verifiers return these, never panic, on any proof bytes.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PcsError {
    /// The linked pairs of a hiding aggregation are malformed.
    #[error("malformed linked claims: {reason}")]
    BadLinks {
        /// What is wrong.
        reason: &'static str,
    },
    /// The key has fewer generators than the table (or point) needs.
    #[error("commitment key too short: {needed} generators needed, {available} available")]
    KeyTooShort {
        /// Generators needed (saturates at `usize::MAX` for absurdly long points).
        needed: usize,
        /// Generators in the key (its `max_len`).
        available: usize,
    },

    /// An evaluation needs a table of exactly `2^point_len` entries (callers zero-pad).
    #[error("table of {table_len} entries cannot be evaluated at a point of {point_len} coordinates (need 2^{point_len} entries)")]
    PointLengthMismatch {
        /// Entries in the table.
        table_len: usize,
        /// Coordinates of the point.
        point_len: usize,
    },

    /// A proof has the wrong number of rounds (or of some other repeated message).
    #[error("proof has {got} rounds, expected {expected}")]
    WrongProofLength {
        /// What the statement fixes.
        expected: usize,
        /// What the proof holds.
        got: usize,
    },

    /// The final check of an opening proof failed: the proof is wrong for this statement.
    #[error("opening proof rejected: {reason}")]
    OpeningFailed {
        /// Which check failed.
        reason: &'static str,
    },

    /// A group element taken from a proof or a statement is not a valid `G1` point (not
    /// on the curve; BN254 `G1` has cofactor 1, so every curve point is in the group).
    #[error("{what} is not a valid G1 point")]
    InvalidPoint {
        /// Which element: `"commitment"`, `"L"`, `"R"`, `"delta"`.
        what: &'static str,
    },

    /// A Fiat-Shamir challenge that must be invertible came out zero (probability
    /// `2^-253` per challenge); the proof cannot be checked.
    #[error("challenge of round {round} is zero")]
    ZeroChallenge {
        /// The round whose challenge is zero.
        round: usize,
    },

    /// A generator of a key differs from the one its label derives.
    #[error("key generator {name}[{index}] differs from its derivation from the label")]
    KeyMismatch {
        /// `"G"` for the table generators, `"H"` for the blinding generator, `"U"` for the
        /// inner-product generator.
        name: &'static str,
        /// The index (0 for `H` and `U`).
        index: usize,
    },

    /// A key, a proof or a setup of one commitment scheme was used with another (a
    /// [`crate::scheme::AnyScheme`] key of HyperKZG given an inner-product proof, say).
    #[error("a {got} {what} where a {expected} one was expected")]
    SchemeMismatch {
        /// What: `"key"`, `"proof"`.
        what: &'static str,
        /// The scheme the context fixes.
        expected: &'static str,
        /// The scheme of what was given.
        got: &'static str,
    },

    /// Bytes that do not deserialize to the expected object (wraps any
    /// `ark_serialize::SerializationError`; the detail is dropped to keep this type `Eq`).
    #[error("malformed serialized data")]
    Malformed,

    /// Aggregation of an empty list of claims (there is no claim to reduce to).
    #[error("no claims to aggregate")]
    NoClaims,

    /// The prover was given a different number of openings than claims.
    #[error("{claims} claims but {openings} openings")]
    OpeningCountMismatch {
        /// Claims given.
        claims: usize,
        /// Openings given.
        openings: usize,
    },

    /// Two claims on one commitment came with openings that differ (beyond zero padding).
    #[error("claims {first} and {claim} share a commitment but not an opening")]
    InconsistentOpenings {
        /// The claim whose opening stands for the commitment (its longest).
        first: usize,
        /// The claim whose opening disagrees with it.
        claim: usize,
    },

    /// A sumcheck inside a proof was rejected.
    #[error("sumcheck rejected: {0}")]
    Sumcheck(#[from] zkpot_core::SumcheckError),

    /// A Merkle tree over no leaves (every tree holds at least one commitment).
    #[error("a Merkle tree needs at least one leaf")]
    EmptyMerkleTree,

    /// A Merkle leaf index at or past the number of leaves.
    #[error("Merkle leaf index {index} out of range for {num_leaves} leaves")]
    LeafIndexOutOfRange {
        /// The index asked for (or carried by the path).
        index: u64,
        /// The number of leaves of the tree.
        num_leaves: u64,
    },

    /// A Merkle path does not hash up to the expected root: wrong leaf, index, sibling,
    /// number of leaves or root.
    #[error("Merkle path does not lead to the root")]
    MerkleRootMismatch,

    /// A key file of another format version (an earlier zkpot's): derive the key again.
    #[error("key file {}: format version {version} is not supported (this zkpot reads version {}); derive the key again", .path.display(), zkpot_core::io::FORMAT_VERSION)]
    UnsupportedKeyFile {
        /// The file.
        path: PathBuf,
        /// Its version.
        version: u32,
    },

    /// A key file (see [`crate::cache`]) is unusable: bad magic or kind, lengths that
    /// disagree with the file size, a digest mismatch, an invalid point, a generator that
    /// differs from its derivation, or a key other than the one asked for.
    #[error("bad key file {}: {reason}", .path.display())]
    KeyFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    /// Reading or writing a file failed at the operating-system level.
    #[error("cannot {action} {}: {source}", .path.display())]
    Io {
        /// What was being done: `"read"`, `"write"`, `"create directory"`, ...
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: IoError,
    },
}

/// A [`std::io::Error`] behind an [`Arc`], so that [`PcsError`] stays `Clone` and `Eq`:
/// two compare equal when their [`std::io::ErrorKind`]s and messages do.
///
/// It displays as the wrapped error, and [`std::error::Error::source`] is the wrapped
/// error's source; [`IoError::inner`] gives the wrapped error itself.
#[derive(Clone, Debug)]
pub struct IoError(Arc<std::io::Error>);

impl IoError {
    /// The wrapped error.
    pub fn inner(&self) -> &std::io::Error {
        &self.0
    }

    /// The kind of the wrapped error.
    pub fn kind(&self) -> std::io::ErrorKind {
        self.0.kind()
    }
}

impl From<std::io::Error> for IoError {
    fn from(e: std::io::Error) -> Self {
        IoError(Arc::new(e))
    }
}

impl PartialEq for IoError {
    fn eq(&self, other: &Self) -> bool {
        self.kind() == other.kind() && self.0.to_string() == other.0.to_string()
    }
}

impl Eq for IoError {}

impl fmt::Display for IoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for IoError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

impl From<ark_serialize::SerializationError> for PcsError {
    fn from(_: ark_serialize::SerializationError) -> Self {
        PcsError::Malformed
    }
}
