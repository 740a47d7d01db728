//! The crate's error type.

use crate::field::Fr;

/// Everything that can go wrong in `zkpot-core`.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A fixed-point format must satisfy `1 <= frac_bits` and
    /// `frac_bits + 2 <= value_bits <= 63`.
    #[error("invalid fixed-point format: frac_bits = {frac_bits}, value_bits = {value_bits} (need 1 <= frac_bits, frac_bits + 2 <= value_bits <= 63)")]
    InvalidFixedPoint {
        /// The requested number of fractional bits.
        frac_bits: u32,
        /// The requested total number of bits.
        value_bits: u32,
    },

    /// An integer lies outside `[-2^(bits-1), 2^(bits-1))`.
    #[error("value {value} is out of the signed {bits}-bit range")]
    OutOfRange {
        /// The offending value.
        value: i128,
        /// The bound's bit width.
        bits: u32,
    },

    /// A field element's signed representative is not an `i128` in `(-2^127, 2^127)`,
    /// so it is far outside every fixed-point range.
    #[error("field element {value} is not a small signed integer (need one in the signed {bits}-bit range)")]
    FieldOutOfRange {
        /// The offending field element.
        value: Fr,
        /// The bound's bit width.
        bits: u32,
    },

    /// A float is NaN, infinite, or rounds to a value outside the fixed-point range.
    #[error("float {value} is not finite or out of the fixed-point range (frac_bits = {frac_bits}, value_bits = {value_bits})")]
    FloatOutOfRange {
        /// The offending float.
        value: f64,
        /// The format's fractional bits.
        frac_bits: u32,
        /// The format's total bits.
        value_bits: u32,
    },

    /// A multilinear table's length must be a power of two (at least 1).
    #[error("table length {len} is not a power of two")]
    NotPowerOfTwo {
        /// The offending length.
        len: usize,
    },

    /// More entries than fit in a table over `num_vars` variables.
    #[error("{len} entries do not fit in a table over {num_vars} variables")]
    TableTooLong {
        /// The number of entries given.
        len: usize,
        /// The requested number of variables.
        num_vars: usize,
    },

    /// A table over this many variables cannot be addressed.
    #[error("{num_vars} variables are too many for a table in memory")]
    TooManyVariables {
        /// The requested number of variables.
        num_vars: usize,
    },

    /// A point has the wrong number of coordinates.
    #[error("point has {got} coordinates, expected {expected}")]
    PointLengthMismatch {
        /// The number of variables expected.
        expected: usize,
        /// The number of coordinates given.
        got: usize,
    },

    /// `bind` was called on a table with no variables left.
    #[error("cannot bind a variable of a table with 0 variables")]
    NoVariableToBind,

    /// A block of variables to fix lies beyond the table: its length is not a multiple of
    /// `2^(low_vars + block_vars)`.
    #[error(
        "a table of {len} entries has no block of {block_vars} variables above {low_vars} low ones"
    )]
    BlockOutOfTable {
        /// The table's length.
        len: usize,
        /// The variables below the block.
        low_vars: usize,
        /// The block's variables.
        block_vars: usize,
    },
}

/// Why a sumcheck proof or prover was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SumcheckError {
    /// The proof has the wrong number of rounds.
    #[error("sumcheck proof has {got} rounds, expected {expected}")]
    WrongNumberOfRounds {
        /// Rounds the statement fixes.
        expected: usize,
        /// Rounds in the proof.
        got: usize,
    },
    /// A round polynomial has the wrong number of (compressed) coefficients.
    #[error("sumcheck round {round} sends {got} coefficients, expected {expected}")]
    WrongDegree {
        /// The round.
        round: usize,
        /// Coefficients expected (the degree: one fewer than the full polynomial).
        expected: usize,
        /// Coefficients sent.
        got: usize,
    },
    /// The reduced claim does not match the summand's value at the random point.
    #[error("sumcheck check failed after round {round}: claim {expected}, evaluations give {got}")]
    RoundCheckFailed {
        /// The round whose claim failed (the last one).
        round: usize,
        /// The claim the proof reduced to.
        expected: Fr,
        /// What the trusted evaluations give.
        got: Fr,
    },
    /// The degree is 0 or above [`crate::sumcheck::MAX_DEGREE`].
    #[error("unsupported sumcheck degree {degree}")]
    UnsupportedDegree {
        /// The degree.
        degree: usize,
    },
    /// A product sum names a missing table or has a term of 0 or more than 4 factors.
    #[error("product sum has an empty term, more than 4 factors, or names a missing table")]
    BadProductSum,
    /// Tables differ in length or are not a power of two long.
    #[error("sumcheck tables must all have the same power-of-two length (first has {len})")]
    BadTableLength {
        /// Length of the first table.
        len: usize,
    },
}
