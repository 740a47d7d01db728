//! The crate's error type: one [`Error`] for every protocol of `zkpot-gkr` (range check,
//! matrix product, elementwise relations, reshape reductions, the step proof), with the
//! small enums its variants name ([`ShapeReason`], [`FlowCheck`], [`MessageKind`]).
//!
//! Its variants fall in five groups: a statement or shape the protocols cannot cover; a
//! witness an honest prover refuses to prove; a proof of the wrong shape; a check that
//! fails (the proof is rejected); and the errors of the crates below (`zkpot-core`'s
//! sumcheck and tables, `zkpot-pcs`'s commitments), wrapped as they come.

use std::fmt;

use zkpot_core::{Fr, SumcheckError};
use zkpot_pcs::PcsError;

use crate::step::{Block, Tensor};

/// Why a proof of `zkpot-gkr` could not be made or was rejected.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    // ------------------------------------------------------------ statements, shapes
    /// A table must have a power-of-two length (at least 1).
    #[error("a table has {len} entries, not a power of two")]
    NotPowerOfTwo {
        /// The length given.
        len: usize,
    },

    /// A dimension of a shape (instances, rows, columns, the inner dimension) must be a
    /// power of two (at least 1).
    #[error("dimension {dim} = {value} is not a power of two")]
    DimensionNotPowerOfTwo {
        /// Which dimension (`"k"`, `"m"`, `"n"`, `"p"`, `"instances"`, `"rows"`,
        /// `"cols"`).
        dim: &'static str,
        /// The value given.
        value: usize,
    },

    /// More variables than the protocol (or the run) supports.
    #[error("{num_vars} variables are more than the supported {max}")]
    TooManyVariables {
        /// The number asked for.
        num_vars: usize,
        /// The largest supported.
        max: usize,
    },

    /// A table does not have the length the statement fixes.
    #[error("table {table} has {got} entries, expected {expected}")]
    LengthMismatch {
        /// Which table (`"A"`, `"B"`, `"multiplicities"`, `"product"`, ...).
        table: &'static str,
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

    /// A tensor's true length does not fit in its padded table of `2^n` entries.
    #[error("{num_entries} entries do not fit in a table over {num_vars} variables")]
    TooManyEntries {
        /// The tensor's true length.
        num_entries: u64,
        /// The number of variables `n`.
        num_vars: usize,
    },

    /// A rescale or fixed-point shift above the supported one
    /// ([`crate::elementwise::MAX_SHIFT`]).
    #[error("shift {shift} is more than the supported {max}")]
    ShiftTooLarge {
        /// The shift asked for.
        shift: u32,
        /// The largest supported.
        max: u32,
    },

    /// A range table must be `[0, 2^w)` with `w` in `1..=16`.
    #[error("range table width {table_bits} bits is not in 1..=16")]
    UnsupportedTableBits {
        /// The requested width.
        table_bits: u32,
    },

    /// A limb decomposition's value width `B` must be a positive multiple of 16 up to 64.
    #[error("value width {bits} is not a multiple of 16 in [16, 64]")]
    UnsupportedBits {
        /// The width asked for.
        bits: u32,
    },

    /// The valid rows of a broadcast exceed the padded row count.
    #[error("{valid_rows} valid rows do not fit in {rows} rows")]
    TooManyValidRows {
        /// The valid rows asked for.
        valid_rows: usize,
        /// The padded row count `m`.
        rows: usize,
    },

    /// A merge needs at least one claim.
    #[error("a merge of no claims")]
    NoClaims,

    /// A linear combination needs at least one input.
    #[error("a linear combination of no inputs")]
    NoInputs,

    /// A linear combination has a different number of coefficients and inputs.
    #[error("{coeffs} coefficients for {inputs} inputs")]
    WrongInputCount {
        /// The coefficients.
        coeffs: usize,
        /// The input tables.
        inputs: usize,
    },

    /// A spec (or a hand-made [`crate::step::StepShape`]) the step proof cannot cover.
    #[error("unprovable step shape: {reason}")]
    UnprovableShape {
        /// What is wrong with it.
        reason: ShapeReason,
    },

    /// The step shape has no layer of this index.
    #[error("the step shape has no layer {layer}")]
    NoLayer {
        /// The layer asked for.
        layer: usize,
    },

    /// A block of a step table is missing from its layout.
    #[error("block {block:?} is missing from its layout")]
    MissingBlock {
        /// The block.
        block: Block,
    },

    /// A block has more variables than the layout holding it.
    #[error("block {block:?} has {num_vars} variables, its layout only {layout_vars}")]
    BlockOutsideLayout {
        /// The block.
        block: Block,
        /// Its variables.
        num_vars: usize,
        /// The layout's variables.
        layout_vars: usize,
    },

    /// A tensor the flow needs has no limb encoding (it is not range-checked).
    #[error("{tensor:?} is not range-checked")]
    NotRangeChecked {
        /// The tensor.
        tensor: Tensor,
    },

    /// The step shape gives an input tensor a padding its table cannot hold.
    #[error("the padding of {tensor:?} does not fit its table")]
    PaddingShape {
        /// The tensor.
        tensor: Tensor,
    },

    /// The prover has no table for a tensor.
    #[error("the prover has no table for {tensor:?}")]
    MissingTable {
        /// The tensor.
        tensor: Tensor,
    },

    /// The flow reached a tensor without a claim on it.
    #[error("no claim on {tensor:?}")]
    NoClaim {
        /// The tensor.
        tensor: Tensor,
    },

    // ------------------------------------------------- witnesses an honest prover refuses
    /// An honest range prover refuses a limb outside its table.
    #[error("limb {index} has value {value}, outside the range table")]
    LimbOutOfRange {
        /// Position of the limb.
        index: usize,
        /// Its value.
        value: u64,
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

    /// An honest rescale refuses an intermediate that overflows `i128`.
    #[error("rescale of entry {index} overflows")]
    Overflow {
        /// Position of the entry.
        index: usize,
    },

    /// A fold needs exactly `k` witnesses (or batches).
    #[error("{got} witnesses for k = {k}")]
    WrongWitnessCount {
        /// The witnesses given.
        got: usize,
        /// Iterations per fold.
        k: usize,
    },

    /// A model has the wrong number of layers.
    #[error("{got} layers, the spec has {expected}")]
    WrongLayerCount {
        /// The spec's layers `L`.
        expected: usize,
        /// The layers given.
        got: usize,
    },

    /// A witness (or a batch) does not have the spec's dimensions.
    #[error("witness {witness}{}: {what} does not have the spec's shape", layer_suffix(*.layer))]
    WitnessShape {
        /// The witness's index in the fold.
        witness: usize,
        /// The layer (`1..=L`), if the mismatch is in one.
        layer: Option<usize>,
        /// What does not fit.
        what: &'static str,
    },

    /// A layer of a model does not have the spec's dimensions.
    #[error("layer {layer} of the model does not have the spec's shape")]
    ModelShape {
        /// The layer (`1..=L`).
        layer: usize,
    },

    /// Two parts of a witness that the proof takes to be one disagree.
    #[error("witness {witness}, layer {layer}: {what}")]
    WitnessInconsistent {
        /// The witness's index in the fold.
        witness: usize,
        /// The layer (`1..=L`).
        layer: usize,
        /// Which parts disagree.
        what: &'static str,
    },

    /// An honest step prover refuses a value outside its tensor's proven range.
    #[error("{tensor:?} entry {index} = {value} is outside its proven range")]
    WitnessOutOfRange {
        /// The tensor.
        tensor: Tensor,
        /// Position of the entry in the tensor's padded, stacked table.
        index: usize,
        /// The value.
        value: i128,
    },

    // ------------------------------------------------------------------ proof shapes
    /// A range proof has the wrong number of GKR layers.
    #[error("range proof has {got} layers, expected {expected}")]
    WrongNumberOfLayers {
        /// `max(num_limb_vars, table_bits)`.
        expected: usize,
        /// Layers in the proof.
        got: usize,
    },

    /// A range-proof layer sends evaluations for the wrong number of trees.
    #[error("layer {layer} sends children for {got} trees, expected {expected}")]
    WrongNumberOfTrees {
        /// The layer (0 is the root).
        layer: usize,
        /// Trees still active at that layer.
        expected: usize,
        /// Child pairs sent.
        got: usize,
    },

    /// A proof field has the wrong number of entries.
    #[error("malformed proof: {what} has {got} entries, expected {expected}")]
    WrongMessageCount {
        /// The field of the proof.
        what: &'static str,
        /// The entries the statement fixes.
        expected: usize,
        /// The entries the proof has.
        got: usize,
    },

    /// A step proof ran out of messages of one kind.
    #[error("malformed proof: a {kind} is missing")]
    MissingMessage {
        /// The kind of message.
        kind: MessageKind,
    },

    /// A step proof has messages that the flow never reads.
    #[error("malformed proof: {count} more {kind} messages than the flow reads")]
    LeftoverMessages {
        /// The first kind (in proof order) with messages left over.
        kind: MessageKind,
        /// How many of that kind.
        count: usize,
    },

    /// Proof bytes do not decode.
    #[error("the {proof} proof bytes do not decode")]
    Undecodable {
        /// Which proof (`"step"`, `"matmul"`).
        proof: &'static str,
    },

    /// Proof bytes decode with bytes left over.
    #[error("{count} bytes after the {proof} proof")]
    TrailingBytes {
        /// Which proof (`"step"`, `"matmul"`).
        proof: &'static str,
        /// The bytes left over.
        count: usize,
    },

    // ---------------------------------------------------------------- failed checks
    /// A root denominator of a range proof is zero, so the fractional sum is
    /// meaningless.
    #[error("the root denominator of the {tree} tree is zero")]
    ZeroDenominator {
        /// `"limb"` or `"table"`.
        tree: &'static str,
    },

    /// The two roots of a range proof do not sum to zero: some limb is not in the table
    /// (or the multiplicities are wrong).
    #[error("the LogUp sum is not zero: the root numerator is {numerator}")]
    RootNotZero {
        /// `p_limb q_table + p_table q_limb`.
        numerator: Fr,
    },

    /// The range proof's limb tree's leaf numerators must all be 1.
    #[error("the limb leaf numerator evaluates to {got}, expected 1")]
    LimbNumeratorNotOne {
        /// The claimed evaluation.
        got: Fr,
    },

    /// The range proof's table tree's leaf denominators must be `alpha - t`.
    #[error("the table leaf denominator evaluates to {got}, expected {expected}")]
    TableDenominatorMismatch {
        /// `alpha - id(point)`.
        expected: Fr,
        /// The claimed evaluation.
        got: Fr,
    },

    /// A linear relation does not hold on the claimed evaluations.
    #[error("linear check failed: the output claim is {expected}, the inputs give {got}")]
    LinearCheckFailed {
        /// The output claim.
        expected: Fr,
        /// `sum_i c_i x_i` from the proof.
        got: Fr,
    },

    /// A divisor the verifier needs is zero (probability about `log m / p` for a random
    /// point; the proof is rejected rather than continued).
    #[error("{what} is zero at the claim point")]
    ZeroDivisor {
        /// Which divisor.
        what: &'static str,
    },

    /// The limb recomposition of a reshape limb reduction does not match the claim on
    /// the value table.
    #[error("limb check failed: the claim gives {expected}, the limbs give {got}")]
    LimbCheckFailed {
        /// `v + 2^(B-1) ONE~(r)`.
        expected: Fr,
        /// `sum_l 2^(16 l) L_l~(r)` from the proof.
        got: Fr,
    },

    /// A check of the step proof's claim flow failed.
    #[error("the {check} check failed{}", tensor_suffix(*.tensor))]
    CheckFailed {
        /// The check.
        check: FlowCheck,
        /// The tensor it concerns, if one.
        tensor: Option<Tensor>,
    },

    // ------------------------------------------------------------------------- upstream
    /// A sumcheck was rejected (wrong number of rounds or degree, or its final check:
    /// [`SumcheckError::RoundCheckFailed`]).
    #[error("sumcheck: {0}")]
    Sumcheck(#[from] SumcheckError),

    /// A commitment could not be made.
    #[error("commitment: {0}")]
    Pcs(#[from] PcsError),

    /// An error from `zkpot-core` (tables, points).
    #[error("core: {0}")]
    Core(#[from] zkpot_core::Error),
}

/// `", layer l"` for a layer, nothing without one.
fn layer_suffix(layer: Option<usize>) -> String {
    layer.map(|l| format!(", layer {l}")).unwrap_or_default()
}

/// `" on T"` for a tensor, nothing without one.
fn tensor_suffix(tensor: Option<Tensor>) -> String {
    tensor.map(|t| format!(" on {t:?}")).unwrap_or_default()
}

/// Why a spec's shape cannot be proven ([`Error::UnprovableShape`]).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShapeReason {
    /// Iterations per fold must be a power of two.
    StepsPerFold {
        /// The spec's `steps_per_fold`.
        steps_per_fold: usize,
    },
    /// At least two layer widths, none zero.
    Layers,
    /// The batch size must be positive.
    EmptyBatch,
    /// `value_bits` must be in `[2, 64]`.
    ValueBits {
        /// The spec's `value_bits`.
        value_bits: u32,
    },
    /// `frac_bits` must be in `[1, 48]` and `lr_shift` at most 48.
    Shifts {
        /// The spec's `frac_bits`.
        frac_bits: u32,
        /// The spec's `lr_shift`.
        lr_shift: u32,
    },
    /// A dimension (layer width, batch, `k`, or one padded to a power of two) exceeds
    /// `2^24`.
    DimensionTooLarge {
        /// The dimension.
        value: usize,
    },
    /// A relation's integers could reach `p / 2` and wrap around the field.
    FieldWrap {
        /// The bits a relation's largest integer may take.
        bits: u32,
    },
    /// A stacked tensor would exceed `2^40` entries.
    StackedTooLarge {
        /// Its variables.
        num_vars: usize,
    },
    /// The public fields of a [`crate::step::StepShape`] disagree with each other (a
    /// hand-made shape that [`crate::step::StepShape::new`] would not make).
    Inconsistent,
}

impl fmt::Display for ShapeReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::StepsPerFold { steps_per_fold } => {
                write!(f, "steps_per_fold = {steps_per_fold} is not a power of two")
            }
            Self::Layers => write!(f, "at least two nonzero layer widths are needed"),
            Self::EmptyBatch => write!(f, "the batch size must be positive"),
            Self::ValueBits { value_bits } => {
                write!(f, "value_bits = {value_bits} is not in [2, 64]")
            }
            Self::Shifts {
                frac_bits,
                lr_shift,
            } => write!(
                f,
                "frac_bits = {frac_bits} must be in [1, 48] and lr_shift = {lr_shift} at most 48"
            ),
            Self::DimensionTooLarge { value } => write!(f, "a dimension {value} exceeds 2^24"),
            Self::FieldWrap { bits } => write!(
                f,
                "relations reach 2^{bits} and could wrap around the field"
            ),
            Self::StackedTooLarge { num_vars } => write!(
                f,
                "a stacked tensor would have 2^{num_vars} entries, more than 2^40"
            ),
            Self::Inconsistent => write!(f, "the shape's fields are inconsistent"),
        }
    }
}

/// The checks of the step proof's claim flow ([`Error::CheckFailed`]).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FlowCheck {
    /// A claim on a range-checked tensor equals the recombination of its limbs (and sign
    /// bit).
    LimbRecombination,
    /// With `k = 1`, the old weights are the starting weights.
    OldWeights,
    /// An input from outside the fold is zero in its padding.
    ZeroPadding,
    /// A claim on a region equals the selector-weighted claims on its blocks.
    RegionSplit,
}

impl fmt::Display for FlowCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::LimbRecombination => "limb recombination",
            Self::OldWeights => "old weights against the starting weights",
            Self::ZeroPadding => "zero padding",
            Self::RegionSplit => "region split",
        })
    }
}

/// The kinds of message of a step proof, one per field of
/// [`crate::step::StepProof`], in its order.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageKind {
    /// A table evaluation (`evals`).
    Eval,
    /// A matrix product (`matmuls`).
    Matmul,
    /// A Hadamard product (`hadamards`).
    Hadamard,
    /// A claim merge (`merges`).
    Merge,
    /// An affine split (`affines`).
    Affine,
    /// An old-weights shift (`shifts`).
    Shift,
    /// A booleanity proof (`booleanity`).
    Booleanity,
    /// A range proof (`ranges`).
    Range,
}

impl fmt::Display for MessageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Eval => "evaluation",
            Self::Matmul => "matrix product",
            Self::Hadamard => "Hadamard product",
            Self::Merge => "merge",
            Self::Affine => "affine split",
            Self::Shift => "shift",
            Self::Booleanity => "booleanity proof",
            Self::Range => "range proof",
        })
    }
}
