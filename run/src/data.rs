//! `C_data`: hiding commitments to the training set's chunks, under a Merkle root.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ark_std::rand::RngCore;
use zkpot_core::{Backend, Fr};
use zkpot_pcs::{
    merkle::{MerklePath, MerkleTree},
    pedersen::{random_blind, Commitment, Opening},
    CommitKey,
};
use zkpot_trainer::{schedule::gather, BatchSchedule, Dataset, Matrix, TrainSpec};

use zkpot_gkr::step::{batches_table, commit_table, StepShape};

use crate::{error::RunError, statement::DataCommitment};

/// The `k` batches `(X_t, Y_t)` of chunk `chunk` of `data` under `spec`'s schedule
/// ([`BatchSchedule`]), in training order: exactly what the trainer feeds the iterations
/// of a fold that uses this chunk.
pub fn chunk_batches(
    spec: &TrainSpec,
    schedule: &BatchSchedule,
    data: &Dataset,
    chunk: usize,
) -> Vec<(Matrix, Matrix)> {
    let rows = schedule.chunk_rows(chunk);
    rows.chunks(spec.batch_size.max(1))
        .map(|block| gather(data, block))
        .collect()
}

/// The prover's side of `C_data`: every chunk's commitment and blind, and the Merkle
/// tree over the commitments. The chunk tables are rebuilt from the data when a fold
/// needs one, so only `O(n_chunks)` is kept.
#[derive(Clone, Debug)]
pub struct ChunkedData {
    tree: MerkleTree,
    commitments: Vec<Commitment>,
    blinds: Vec<Fr>,
}

impl ChunkedData {
    /// Commits to every chunk of `data` (the training set) under the schedule of
    /// `spec`: chunk `c`'s table ([`batches_table`] of its [`chunk_batches`]) with a
    /// fresh blind from `rng`. `progress(done, total)` is called after each chunk.
    ///
    /// # Errors
    ///
    /// A spec whose shape cannot be proven, a dataset that does not fit it, or a key too
    /// short for a chunk table.
    pub fn commit<K: CommitKey + ?Sized, B: Backend, R: RngCore>(
        key: &K,
        backend: &B,
        spec: &TrainSpec,
        data: &Dataset,
        rng: &mut R,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Self, RunError> {
        let shape = StepShape::new(spec).map_err(RunError::Shape)?;
        if data.is_empty() {
            return Err(RunError::EmptyData);
        }
        let schedule = BatchSchedule::new(spec, data.len());
        let n = schedule.num_chunks();
        let mut commitments = Vec::with_capacity(n);
        let mut blinds = Vec::with_capacity(n);
        for c in 0..n {
            let table = chunk_table_of(&shape, spec, &schedule, data, c)?;
            let blind = random_blind(rng);
            commitments.push(commit_table(key, backend, &table, blind).map_err(RunError::Shape)?);
            blinds.push(blind);
            progress(c + 1, n);
        }
        Self::from_parts(commitments, blinds)
    }

    /// The chunk commitments and blinds of [`ChunkedData::commit`] (a resumed
    /// checkpoint): the tree is rebuilt from the commitments.
    pub fn from_parts(commitments: Vec<Commitment>, blinds: Vec<Fr>) -> Result<Self, RunError> {
        if commitments.is_empty() || commitments.len() != blinds.len() {
            return Err(RunError::Malformed {
                what: "chunk commitments and blinds do not match",
            });
        }
        let tree = MerkleTree::new(&commitments).map_err(RunError::DataTree)?;
        Ok(ChunkedData {
            tree,
            commitments,
            blinds,
        })
    }

    /// The chunk commitments and their blinds.
    pub fn parts(&self) -> (&[Commitment], &[Fr]) {
        (&self.commitments, &self.blinds)
    }

    /// `C_data`: the root and the number of chunks.
    pub fn commitment(&self) -> DataCommitment {
        DataCommitment {
            root: self.tree.root(),
            num_chunks: self.commitments.len() as u64,
        }
    }

    /// The number of chunks.
    pub fn num_chunks(&self) -> usize {
        self.commitments.len()
    }

    /// Chunk `c`'s commitment.
    pub fn chunk_commitment(&self, c: usize) -> Option<Commitment> {
        self.commitments.get(c).copied()
    }

    /// Chunk `c`'s opening for `table` with its stored blind, if that re-commits to chunk
    /// `c`'s commitment; `None` if it does not (or there is no chunk `c`).
    pub(crate) fn reopen<K: CommitKey + ?Sized, B: Backend>(
        &self,
        key: &K,
        backend: &B,
        c: usize,
        table: Vec<Fr>,
    ) -> Result<Option<Opening>, zkpot_gkr::Error> {
        let (Some(&commitment), Some(&blind)) = (self.commitments.get(c), self.blinds.get(c))
        else {
            return Ok(None);
        };
        let recommitted = commit_table(key, backend, &table, blind)?;
        Ok((recommitted == commitment).then_some(Opening { table, blind }))
    }

    /// Chunk `c`'s Merkle path.
    pub fn path(&self, c: usize) -> Result<MerklePath, RunError> {
        self.tree.path(c).map_err(RunError::DataTree)
    }
}

/// Chunk `c`'s table: [`batches_table`] of its [`chunk_batches`].
pub(crate) fn chunk_table_of(
    shape: &StepShape,
    spec: &TrainSpec,
    schedule: &BatchSchedule,
    data: &Dataset,
    c: usize,
) -> Result<Vec<Fr>, RunError> {
    let batches = chunk_batches(spec, schedule, data, c);
    let refs: Vec<(&Matrix, &Matrix)> = batches.iter().map(|(x, y)| (x, y)).collect();
    batches_table(shape, &refs).map_err(RunError::Tables)
}
