//! The matrix product's error type.

use zkpot_core::SumcheckError;

/// Why a matrix-product proof could not be made or was rejected.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MatmulError {
    /// A dimension of the shape is not a power of two (or is zero).
    #[error("dimension {dim} = {value} is not a power of two")]
    NotPowerOfTwo {
        /// `"k"`, `"m"`, `"n"` or `"p"`.
        dim: &'static str,
        /// The value given.
        value: usize,
    },

    /// A table of the shape would have more than [`super::MAX_NUM_VARS`] variables.
    #[error("{num_vars} variables are more than the supported {max}")]
    TooManyVariables {
        /// The largest number of variables of the three tables.
        num_vars: usize,
        /// The largest supported.
        max: usize,
    },

    /// An operand table does not have the length its shape implies.
    #[error("table {operand} has {got} entries, expected {expected}")]
    WrongTableLength {
        /// `"A"` or `"B"`.
        operand: &'static str,
        /// `k m n` or `k n p`.
        expected: usize,
        /// The length given.
        got: usize,
    },

    /// The output claim's point does not have `log k + log m + log p` coordinates.
    #[error("the output point has {got} coordinates, expected {expected}")]
    WrongPointLength {
        /// `log k + log m + log p`.
        expected: usize,
        /// The length given.
        got: usize,
    },

    /// The proof bytes do not decode (or have trailing bytes).
    #[error("the proof bytes are malformed")]
    Malformed,

    /// The sumcheck was rejected (wrong number of rounds or degree, or its final check).
    #[error("sumcheck: {0}")]
    Sumcheck(#[from] SumcheckError),

    /// An error from `zkpot-core` (tables, points).
    #[error("core: {0}")]
    Core(#[from] zkpot_core::Error),
}
