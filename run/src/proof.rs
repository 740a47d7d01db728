//! The linear run proof: every fold's record side by side, then the end of the run. Its
//! size and verification time grow with the number of iterations; the folded proof
//! (`zkpot-folding`) verifies the same folds in-circuit instead.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use zkpot_pcs::{
    accumulator::{Mask, OpenProof},
    aggregate::hiding::HidingAggregationProof,
    SchemeProof,
};

use crate::{error::RunError, fold::FoldRecord};

/// The proof of a training run (see the [module documentation](self)).
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct RunProof {
    /// One record per fold, in order.
    pub folds: Vec<FoldRecord>,
    /// The mask of the end's hiding fold ([`FinishProof::mask`](crate::FinishProof)).
    pub mask: Mask,
    /// The hiding fold of the two tie claims (a linked pair) into the accumulator.
    pub finish: HidingAggregationProof,
    /// The opening of the final accumulator (an evaluation proof of the statement's
    /// scheme).
    pub open: OpenProof<SchemeProof>,
}

impl RunProof {
    /// The canonical compressed encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.compressed_size());
        // Writing into a Vec cannot fail.
        let _ = self.serialize_compressed(&mut out);
        out
    }

    /// Decodes [`RunProof::to_bytes`] (checking every point and field element) from the
    /// front of `reader`, advancing it.
    pub fn read(reader: &mut &[u8]) -> Result<Self, RunError> {
        Self::deserialize_with_mode(reader, Compress::Yes, Validate::Yes).map_err(|_| {
            RunError::Malformed {
                what: "undecodable run proof",
            }
        })
    }

    /// The bytes of all step proofs together (the part that grows with `T`).
    pub fn step_bytes(&self) -> usize {
        self.folds.iter().map(|f| f.step.compressed_size()).sum()
    }
}
