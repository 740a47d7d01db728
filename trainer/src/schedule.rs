//! The batch schedule (DESIGN section 4, Batches).
//!
//! The training set is shuffled once with the public seed
//! ([`crate::data::permutation`] on stream [`TRAIN_STREAM`]), then cut into chunks of
//! `k * batch` rows, one chunk per fold; the last chunk is padded cyclically with
//! rows from the start of the shuffled order. Fold `j` uses chunk
//! `j mod num_chunks`, and iteration `t` the `(t mod k)`-th block of `batch`
//! consecutive rows of its fold's chunk. An epoch is one pass over all chunks.

use crate::data::{permutation, Dataset, TRAIN_STREAM};
use crate::spec::TrainSpec;
use crate::tensor::Matrix;

/// Which dataset rows every iteration uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchSchedule {
    order: Vec<usize>,
    batch: usize,
    steps_per_fold: usize,
    num_chunks: usize,
}

impl BatchSchedule {
    /// The schedule of `spec` over a training set of `train_len > 0` rows.
    pub fn new(spec: &TrainSpec, train_len: usize) -> Self {
        let chunk = (spec.steps_per_fold * spec.batch_size).max(1);
        BatchSchedule {
            order: permutation(train_len, spec.seed, TRAIN_STREAM),
            batch: spec.batch_size,
            steps_per_fold: spec.steps_per_fold,
            num_chunks: train_len.div_ceil(chunk).max(1),
        }
    }

    /// Number of chunks (folds per epoch).
    pub fn num_chunks(&self) -> usize {
        self.num_chunks
    }

    /// Rows per chunk, `k * batch`.
    pub fn chunk_len(&self) -> usize {
        self.steps_per_fold * self.batch
    }

    /// The chunk used by iteration `t`.
    pub fn chunk_of_iteration(&self, t: u64) -> usize {
        ((t / self.steps_per_fold as u64) % self.num_chunks as u64) as usize
    }

    /// The dataset rows of chunk `c`, in training order (padded cyclically).
    pub fn chunk_rows(&self, c: usize) -> Vec<usize> {
        let start = c * self.chunk_len();
        (start..start + self.chunk_len())
            .map(|i| self.order[i % self.order.len()])
            .collect()
    }

    /// The dataset rows of iteration `t`'s batch.
    pub fn batch_rows(&self, t: u64) -> Vec<usize> {
        let c = self.chunk_of_iteration(t);
        let block = (t % self.steps_per_fold as u64) as usize;
        let start = c * self.chunk_len() + block * self.batch;
        (start..start + self.batch)
            .map(|i| self.order[i % self.order.len()])
            .collect()
    }
}

/// The fixed-point samples and one-hot targets of `rows`.
pub fn gather(data: &Dataset, rows: &[usize]) -> (Matrix, Matrix) {
    let (nf, nc) = (data.num_features(), data.num_classes());
    let mut x = Vec::with_capacity(rows.len() * nf);
    let mut y = vec![0i64; rows.len() * nc];
    for (i, &r) in rows.iter().enumerate() {
        x.extend_from_slice(data.sample(r));
        data.write_one_hot(r, &mut y[i * nc..(i + 1) * nc]);
    }
    (
        Matrix::from_vec(rows.len(), nf, x).expect("rows * features entries"),
        Matrix::from_vec(rows.len(), nc, y).expect("rows * classes entries"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_the_shuffled_set_then_pad_cyclically() {
        let mut spec = TrainSpec::new(vec![4, 2], 3, 4, 11);
        spec.steps_per_fold = 2;
        let s = BatchSchedule::new(&spec, 10);
        assert_eq!(s.num_chunks(), 2);
        let mut all: Vec<usize> = (0..2).flat_map(|c| s.chunk_rows(c)).collect();
        assert_eq!(all.len(), 12);
        // Padding repeats the first rows of the order.
        assert_eq!(all[10..], all[..2]);
        all.truncate(10);
        all.sort_unstable();
        assert_eq!(all, (0..10).collect::<Vec<_>>());
        // Batches are consecutive blocks of their chunk; fold 2 wraps to chunk 0.
        assert_eq!(s.batch_rows(1), s.chunk_rows(0)[3..6]);
        assert_eq!(s.batch_rows(4), s.batch_rows(0));
        assert_eq!(s.chunk_of_iteration(5), 0);
    }
}
