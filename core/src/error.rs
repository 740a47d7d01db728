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
}
