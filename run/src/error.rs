//! The crate's error type.

use thiserror::Error;
use zkpot_gkr::Error as GkrError;
use zkpot_pcs::PcsError;
use zkpot_trainer::{SpecError, TrainError};

/// Why a run could not be proven, or its proof was rejected.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum RunError {
    /// The spec is not a resolved, provable spec.
    #[error("spec: {0}")]
    Spec(#[from] SpecError),
    /// Training a fold's witnesses stopped (a value left its range).
    #[error("training: {0}")]
    Train(#[from] TrainError),
    /// The spec's shape cannot be proven.
    #[error("shape: {0}")]
    Shape(GkrError),
    /// The spec's largest table is larger than a run allows.
    #[error(
        "the largest table has 2^{table_vars} entries; a run allows at most 2^{max_table_vars}"
    )]
    TableTooLarge {
        /// `log2` of the largest table.
        table_vars: usize,
        /// The limit.
        max_table_vars: usize,
    },
    /// The proof has the wrong number of folds for the statement.
    #[error("the proof has {got} folds; the statement's {iterations} iterations need {expected}")]
    FoldCount {
        /// `T / k`.
        expected: u64,
        /// Folds in the proof.
        got: u64,
        /// `T`.
        iterations: u64,
    },
    /// The commitment key was not derived from the run label.
    #[error("commitment key: not derived from the run label zkpot/pedersen/v1")]
    KeyLabel,
    /// The commitment key has another length than the run's (Pedersen: exactly the run's;
    /// HyperKZG: at least).
    #[error(
        "commitment key: {generators} generators, the run needs {needed} (Pedersen: exactly, \
         HyperKZG: at least)"
    )]
    KeyLength {
        /// The key's generators.
        generators: usize,
        /// The run's key length.
        needed: usize,
    },
    /// The key a proof is checked with is not the setup its statement names (another
    /// scheme, another SRS, another Pedersen key).
    #[error("setup mismatch: the statement names {statement}, the key is {key}")]
    SetupMismatch {
        /// The statement's setup.
        statement: zkpot_pcs::Setup,
        /// The key's.
        key: zkpot_pcs::Setup,
    },
    /// A fold's step proof was rejected (or could not be made).
    #[error("fold {fold}: step proof: {source}")]
    Step {
        /// The fold.
        fold: u64,
        /// Why.
        source: GkrError,
    },
    /// A fold's chunk is not the expected chunk of `C_data`.
    #[error("fold {fold}: the data chunk is not chunk {expected} of C_data: {source}")]
    Chunk {
        /// The fold.
        fold: u64,
        /// The chunk index it must use.
        expected: u64,
        /// Why.
        source: PcsError,
    },
    /// A fold's claims could not be folded into the accumulator.
    #[error("fold {fold}: accumulator: {source}")]
    Accumulate {
        /// The fold.
        fold: u64,
        /// Why.
        source: PcsError,
    },
    /// The tie of the last fold to `C_WT` or the final opening failed.
    #[error("final accumulator: {0}")]
    Final(PcsError),
    /// A mask (the accumulator's start, or the end's) could not be sampled and committed.
    #[error("sampling a mask: {0}")]
    Mask(PcsError),
    /// The training set has no samples.
    #[error("the training set is empty")]
    EmptyData,
    /// The data's Merkle tree could not be built or a path taken.
    #[error("data tree: {0}")]
    DataTree(PcsError),
    /// A table could not be built from the witnesses (their shapes do not fit the
    /// spec's).
    #[error("witness tables: {0}")]
    Tables(GkrError),
    /// A fold was handed another number of witnesses than `k`.
    #[error("fold {fold}: {got} witnesses, k = {k}")]
    WitnessCount {
        /// The fold.
        fold: u64,
        /// Witnesses handed in.
        got: usize,
        /// `k`.
        k: usize,
    },
    /// A witness is of another iteration than the one the run is at.
    #[error("fold {fold}: witness {index} is iteration {iteration}, not {expected}")]
    WitnessIteration {
        /// The fold.
        fold: u64,
        /// The witness's place in the fold.
        index: usize,
        /// Its iteration.
        iteration: u64,
        /// The iteration the run is at.
        expected: u64,
    },
    /// A fold's first witness does not start from the model the run is at.
    #[error("fold {fold}: the first witness does not start from the model the run is at")]
    WitnessModel {
        /// The fold.
        fold: u64,
    },
    /// A fold's batches are not the chunk of the committed dataset it must use.
    #[error("fold {fold}: the batches are not chunk {chunk} of the committed dataset")]
    ChunkMismatch {
        /// The fold.
        fold: u64,
        /// The chunk.
        chunk: usize,
    },
    /// A dataset handed to a resumed run has another number of chunks.
    #[error(
        "the dataset has {chunks} chunks of {chunk_len} samples; the run committed to {committed}"
    )]
    DataChunks {
        /// The dataset's chunks.
        chunks: usize,
        /// Samples per chunk.
        chunk_len: usize,
        /// The run's chunks.
        committed: usize,
    },
    /// A dataset handed to a resumed run is not the committed one.
    #[error("the dataset is not the one the run committed to (its chunk {chunk} differs)")]
    DataDiffers {
        /// The first chunk found to differ.
        chunk: usize,
    },
    /// A checkpoint's model does not fit its spec.
    #[error("checkpoint model: {0}")]
    CheckpointModel(TrainError),
    /// The random generator failed.
    #[error("the random generator failed")]
    Randomness,
    /// Every fold of the run is already proven.
    #[error("every fold of the run is already proven")]
    AllFoldsProven,
    /// The run has folds left to prove (or none at all).
    #[error("the run has folds left to prove")]
    FoldsLeft,
    /// An extension would make the run shorter than what is proven.
    #[error("the run has already proven {proven} iterations, more than {asked}")]
    ShorterThanProven {
        /// Iterations proven.
        proven: u64,
        /// Iterations asked for.
        asked: u64,
    },
    /// The proof, statement or checkpoint could not be decoded.
    #[error("malformed: {what}")]
    Malformed {
        /// The part that does not decode.
        what: &'static str,
    },
}
