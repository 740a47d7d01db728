//! The error type of the elementwise relations.

use zkpot_core::{Fr, SumcheckError};

/// Why an elementwise proof could not be made or was rejected.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ElementwiseError {
    /// A table must have a power-of-two length (at least 1).
    #[error("a table has {len} entries, not a power of two")]
    NotPowerOfTwo {
        /// The length given.
        len: usize,
    },

    /// The tables of one relation must all have the same length.
    #[error("a table has {got} entries, expected {expected}")]
    LengthMismatch {
        /// The length of the first table (or `2^n` of the statement).
        expected: usize,
        /// The length given.
        got: usize,
    },

    /// A claim's point has the wrong number of coordinates.
    #[error("a claim point has {got} coordinates, expected {expected}")]
    PointLengthMismatch {
        /// The number of variables `n`.
        expected: usize,
        /// The coordinates given.
        got: usize,
    },

    /// More variables than [`super::MAX_VARS`].
    #[error("{num_vars} variables are more than the supported {max}")]
    TooManyVariables {
        /// The number asked for.
        num_vars: usize,
        /// The largest supported.
        max: usize,
    },

    /// A rescale shift above [`super::MAX_SHIFT`].
    #[error("rescale shift {shift} is more than the supported {max}")]
    ShiftTooLarge {
        /// The shift asked for.
        shift: u32,
        /// The largest supported.
        max: u32,
    },

    /// A tensor's true length does not fit in its padded table of `2^n` entries.
    #[error("{num_entries} entries do not fit in a table over {num_vars} variables")]
    TooManyEntries {
        /// The tensor's true length.
        num_entries: u64,
        /// The number of variables `n`.
        num_vars: usize,
    },

    /// A relation needs at least one claim or one input table.
    #[error("the relation has no {what}")]
    Empty {
        /// What is missing (`"claims"`, `"inputs"`).
        what: &'static str,
    },

    /// The proof has the wrong shape (for example the wrong number of evaluations).
    #[error("malformed proof: {what} has {got} entries, expected {expected}")]
    Malformed {
        /// The field of the proof.
        what: &'static str,
        /// The entries the statement fixes.
        expected: usize,
        /// The entries the proof has.
        got: usize,
    },

    /// A linear relation does not hold on the claimed evaluations.
    #[error("linear check failed: the output claim is {expected}, the inputs give {got}")]
    LinearCheckFailed {
        /// The output claim.
        expected: Fr,
        /// `sum_i c_i x_i` from the proof.
        got: Fr,
    },

    /// An honest rescale refuses an intermediate that overflows `i128`.
    #[error("rescale of entry {index} overflows")]
    Overflow {
        /// Position of the entry.
        index: usize,
    },

    /// A sumcheck was rejected (a relation's final check fails as
    /// [`SumcheckError::RoundCheckFailed`]).
    #[error("sumcheck: {0}")]
    Sumcheck(#[from] SumcheckError),

    /// An error from `zkpot-core` (tables, points).
    #[error("core: {0}")]
    Core(#[from] zkpot_core::Error),
}
