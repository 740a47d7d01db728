//! The error type of the reshape reductions.

use zkpot_core::Fr;

use crate::elementwise::ElementwiseError;

/// Why a reshape reduction could not be made or was rejected.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LayoutError {
    /// A dimension (instances, rows, columns) must be a power of two (at least 1).
    #[error("{what} is {value}, not a power of two")]
    NotPowerOfTwo {
        /// Which dimension.
        what: &'static str,
        /// The value given.
        value: usize,
    },

    /// More variables than [`super::MAX_VARS`].
    #[error("{num_vars} variables are more than the supported {max}")]
    TooManyVariables {
        /// The number asked for.
        num_vars: usize,
        /// The largest supported.
        max: usize,
    },

    /// A table has the wrong number of entries for the statement.
    #[error("{what} has {got} entries, expected {expected}")]
    LengthMismatch {
        /// Which table.
        what: &'static str,
        /// The length the statement fixes.
        expected: usize,
        /// The length given.
        got: usize,
    },

    /// A claim's point has the wrong number of coordinates.
    #[error("a claim point has {got} coordinates, expected {expected}")]
    PointLengthMismatch {
        /// The number of variables of the table.
        expected: usize,
        /// The coordinates given.
        got: usize,
    },

    /// The number of valid rows of a broadcast exceeds the padded row count.
    #[error("{valid_rows} valid rows do not fit in {rows} rows")]
    TooManyValidRows {
        /// The valid rows asked for.
        valid_rows: usize,
        /// The padded row count `m`.
        rows: usize,
    },

    /// A value width `B` that is not a positive multiple of 16 up to 64.
    #[error("value width {bits} is not a multiple of 16 in [16, 64]")]
    UnsupportedBits {
        /// The width asked for.
        bits: u32,
    },

    /// A fixed-point shift above [`crate::elementwise::MAX_SHIFT`].
    #[error("shift {shift} is more than the supported {max}")]
    ShiftTooLarge {
        /// The shift asked for.
        shift: u32,
        /// The largest supported.
        max: u32,
    },

    /// An honest decomposition refuses a value outside `[-2^(B-1), 2^(B-1))`.
    #[error("entry {index} is {value}, outside the signed {bits}-bit range")]
    ValueOutOfRange {
        /// Position of the entry.
        index: usize,
        /// The value.
        value: i64,
        /// The width `B`.
        bits: u32,
    },

    /// A divisor the verifier needs is zero (probability about `log m / p` for a random
    /// point; the proof is rejected rather than continued).
    #[error("{what} is zero at the claim point")]
    ZeroDivisor {
        /// Which divisor.
        what: &'static str,
    },

    /// The limb recomposition does not match the claim on the value table.
    #[error("limb check failed: the claim gives {expected}, the limbs give {got}")]
    LimbCheckFailed {
        /// `v + 2^(B-1) ONE~(r)`.
        expected: Fr,
        /// `sum_l 2^(16 l) L_l~(r)` from the proof.
        got: Fr,
    },

    /// The proof has the wrong shape.
    #[error("malformed proof: {what} has {got} entries, expected {expected}")]
    Malformed {
        /// The field of the proof.
        what: &'static str,
        /// The entries the statement fixes.
        expected: usize,
        /// The entries the proof has.
        got: usize,
    },

    /// An error from the elementwise helpers (`ONE~` evaluations).
    #[error("elementwise: {0}")]
    Elementwise(#[from] ElementwiseError),

    /// An error from `zkpot-core` (tables, points).
    #[error("core: {0}")]
    Core(#[from] zkpot_core::Error),
}
