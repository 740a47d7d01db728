//! The crate's error type.

use zkpot_core::{Fr, SumcheckError};

/// Why a range proof could not be made or was rejected.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RangeError {
    /// A range table must be `[0, 2^w)` with `w` in `1..=16`.
    #[error("range table width {table_bits} bits is not in 1..=16")]
    UnsupportedTableBits {
        /// The requested width.
        table_bits: u32,
    },
    /// An honest prover refuses a limb outside its table.
    #[error("limb {index} has value {value}, outside the range table")]
    LimbOutOfRange {
        /// Position of the limb.
        index: usize,
        /// Its value.
        value: u64,
    },

    /// The limb table must have a power-of-two length (at least 1).
    #[error("the limb table has {len} entries, not a power of two")]
    NotPowerOfTwo {
        /// The length given.
        len: usize,
    },

    /// The multiplicity table must have exactly `2^16` entries.
    #[error("the multiplicity table has {got} entries, expected {expected}")]
    WrongTableLength {
        /// `2^16`.
        expected: usize,
        /// The length given.
        got: usize,
    },

    /// More limb variables than [`crate::range::MAX_LIMB_VARS`].
    #[error("{num_vars} limb variables are more than the supported {max}")]
    TooManyVariables {
        /// The number asked for.
        num_vars: usize,
        /// The largest supported.
        max: usize,
    },

    /// The proof has the wrong number of GKR layers.
    #[error("range proof has {got} layers, expected {expected}")]
    WrongNumberOfLayers {
        /// `max(num_limb_vars, 16)`.
        expected: usize,
        /// Layers in the proof.
        got: usize,
    },

    /// A layer sends evaluations for the wrong number of trees.
    #[error("layer {layer} sends children for {got} trees, expected {expected}")]
    WrongNumberOfTrees {
        /// The layer (0 is the root).
        layer: usize,
        /// Trees still active at that layer.
        expected: usize,
        /// Child pairs sent.
        got: usize,
    },

    /// A root denominator is zero, so the fractional sum is meaningless.
    #[error("the root denominator of the {tree} tree is zero")]
    ZeroDenominator {
        /// `"limb"` or `"table"`.
        tree: &'static str,
    },

    /// The two roots do not sum to zero: some limb is not in the table (or the
    /// multiplicities are wrong).
    #[error("the LogUp sum is not zero: the root numerator is {numerator}")]
    RootNotZero {
        /// `p_limb q_table + p_table q_limb`.
        numerator: Fr,
    },

    /// The limb tree's leaf numerators must all be 1.
    #[error("the limb leaf numerator evaluates to {got}, expected 1")]
    LimbNumeratorNotOne {
        /// The claimed evaluation.
        got: Fr,
    },

    /// The table tree's leaf denominators must be `alpha - t`.
    #[error("the table leaf denominator evaluates to {got}, expected {expected}")]
    TableDenominatorMismatch {
        /// `alpha - id(point)`.
        expected: Fr,
        /// The claimed evaluation.
        got: Fr,
    },

    /// A layer's sumcheck was rejected.
    #[error("sumcheck: {0}")]
    Sumcheck(#[from] SumcheckError),

    /// An error from `zkpot-core` (tables, points).
    #[error("core: {0}")]
    Core(#[from] zkpot_core::Error),
}
