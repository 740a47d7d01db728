//! The step proof: `k` stacked SGD iterations of an MLP proven at once, from the new
//! weights back to the old weights and the batches (`DESIGN.md` section 4).
//!
//! # Commitments
//!
//! | commitment | table | layout |
//! |---|---|---|
//! | `C_prev` | fold 0: the starting model (`C_W0`); later: the previous fold's table | [`StepShape::model_layout`] / [`StepShape::fold_layout`] |
//! | `C_chunk` | the fold's `k` batches `X` and targets `Y` (values) | [`StepShape::chunk_layout`] |
//! | `C_new` (hiding) | the 16-bit (or narrower) limbs of every range-checked tensor, the ReLU sign bits, the multiplicities of every range region, and the model after the fold (values) | [`StepShape::fold_layout`] |
//!
//! Every block of a table is a power of two, packed largest first at an aligned offset,
//! so a claim on a block at `r` is a claim on the table at `r` followed by the bits of
//! the block's index ([`Layout::point`]).
//!
//! Range-checked tensors are committed **only** as limbs: the weights after each
//! iteration, the forward and backward quotients, every remainder, the starting weights
//! and the data. A claim on such a tensor becomes claims on its limbs, whose
//! recombination the verifier checks ([`StepShape::encoding`]: signed values offset by
//! `2^(B-1)`; a remainder of `w` bits has 16-bit limbs and a top limb of `w mod 16`
//! bits, checked against a `2^(w mod 16)` table, so the bound is exact).
//!
//! The weight and bias gradients `dW`, `db` are not range-checked themselves: they are
//! differences of two range-checked weights (`dW = W_old - W_new`), so they are
//! integers below `2^B` in magnitude, and with the remainder in `[0, 2^(f+s))` the
//! rescale `2^(f+s) dW + R = A^T G + h` holds over the integers (no relation can reach
//! `p / 2`, [`StepShape::new`]). The same holds for `G_L = A_L - Y`.
//!
//! # Claim flow (all `k` iterations at once, instances stacked as the highest bits)
//!
//! 1. **Updates**, per layer from the last: at a random point `tau` of the new weights the
//!    prover sends `W_new~(tau)` (to its limbs) and `W_old~(tau)`; `dW = W_old - W_new`,
//!    then the rescale gives the remainder's claim (to its limbs) and a claim on
//!    `A_{l-1}^T G_l`, which the matrix product reduces to claims on `A_{l-1}` and
//!    `G_l`. The bias likewise, through the column sum of `G_l`.
//! 2. **Backward**: `G_l = s_l o rescale(G_{l+1} W_{l+1}^T, f)` (merge the claims on
//!    `G_l`, Hadamard product, rescale, matrix product), for `l = 1..L-1`; then
//!    `G_L = A_L - Y` (claims on `q_L` and on `Y`).
//! 3. **Forward** from `A_L = q_L` down: merge, `A_l = s_l o q_l`, `q_l = rescale(Z_l, f)`,
//!    `Z_l = A_{l-1} W_l + 2^f b_l` (affine split, matrix product), down to `A_0 = X`.
//! 4. **Old weights**: `W_old[0] = W_t` (from `C_prev`) and `W_old[i] = W_new[i-1]`;
//!    a claim on `W_old` costs one `W_t` evaluation and a `log k`-round sumcheck against
//!    the shifted `eq` table.
//! 5. **Tie**: the model block of `C_new` equals the last instance of the new weights.
//! 6. **Booleanity** of every sign bit; 7. **range checks** (LogUp-GKR) of every limb
//!    region; 8. the claims on `C_prev` and on `C_chunk` are **merged** into one each;
//!    the claims on `C_new` (one per block) are returned unmerged, for the run's
//!    accumulator to merge in the sumcheck it runs over the fold table anyway.
//!
//! The transcript starts with [`STEP_LABEL`], the spec digest, the fold index, the shape
//! and the three commitments.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod constraints;
mod flow;
pub mod layout;
mod prover;
mod verifier;

use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use zkpot_core::{sumcheck::SumcheckProof, Fr};
use zkpot_pcs::pedersen::Commitment;

pub use layout::{Block, Encoding, Layout, StepShape, Tensor};
pub use prover::{
    batches_table, chunk_table, commit_table, model_table, prove_step, prove_step_lenient,
    ProveTimings, StepOutput, StepWitnesses,
};
pub use verifier::{verify_step, verify_step_in};

use crate::elementwise::{BooleanityProof, HadamardProof, MergeProof};
use crate::matmul::MatmulProof;
use crate::range::RangeProof;
use crate::Error;
use zkpot_core::Claim;

/// The first absorption of every step transcript.
pub const STEP_LABEL: &[u8] = b"zkpot/gkr/step";

/// What a step proof is about: everything the verifier takes from outside the proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepStatement {
    /// The spec's digest (binds the shape, the schedule and the run length).
    pub spec_digest: Fr,
    /// The fold's index (`0` for the first).
    pub fold_index: u64,
    /// `C_prev`: `C_W0` for fold 0, the previous fold's `new` after it.
    pub prev: Commitment,
    /// `C_new`: this fold's commitment.
    pub new: Commitment,
    /// `C_chunk`: the fold's data chunk.
    pub chunk: Commitment,
}

/// What the prover of a fold is given from outside it: the statement without `C_new`,
/// which the prover makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FoldInputs {
    /// The spec's digest.
    pub spec_digest: Fr,
    /// The fold's index (`0` for the first).
    pub fold_index: u64,
    /// `C_prev`: `C_W0` for fold 0, the previous fold's `new` after it.
    pub prev: Commitment,
    /// `C_chunk`: the fold's data chunk.
    pub chunk: Commitment,
}

/// The claims left on the three commitments: one merged claim on `C_prev` and on
/// `C_chunk`, and every claim on `C_new` unmerged (one per block of the fold table, at
/// the fold table's full point): whoever checks them (the run's accumulator) merges
/// them in the sumcheck it runs over the fold table anyway.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepClaims {
    /// On the table behind `C_prev` ([`StepShape::prev_num_vars`] coordinates).
    pub prev: Claim,
    /// On the fold table behind `C_new`, unmerged.
    pub new: Vec<Claim>,
    /// On the chunk table behind `C_chunk`.
    pub chunk: Claim,
}

/// The `log k`-round sumcheck of the old-weights shift and its final evaluation.
#[derive(Clone, Debug, Default, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct ShiftProof {
    /// The sumcheck (degree 2).
    pub sumcheck: SumcheckProof,
    /// The new weights (fixed at the claim's low point) at the sumcheck point.
    pub eval: Fr,
}

/// A step proof: the messages of every sub-protocol, in the order the flow uses them.
#[derive(Clone, Debug, Default, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct StepProof {
    /// Table evaluations the prover sends.
    pub evals: Vec<Fr>,
    /// Matrix products.
    pub matmuls: Vec<MatmulProof>,
    /// Hadamard products.
    pub hadamards: Vec<HadamardProof>,
    /// Claim merges (tensors, then `C_prev` and `C_chunk`).
    pub merges: Vec<MergeProof>,
    /// Affine splits: the product part at the claim's point.
    pub affines: Vec<Fr>,
    /// Old-weights shifts.
    pub shifts: Vec<ShiftProof>,
    /// Booleanity of the sign bits (empty for a one-layer model).
    pub booleanity: Vec<BooleanityProof>,
    /// Range checks, one per region.
    pub ranges: Vec<RangeProof>,
}

impl StepProof {
    /// The canonical compressed encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.compressed_size());
        // Writing into a Vec cannot fail.
        let _ = self.serialize_compressed(&mut out);
        out
    }

    /// Decodes [`StepProof::to_bytes`]; errors on any malformed input.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let mut reader = bytes;
        let proof = Self::deserialize_compressed(&mut reader)
            .map_err(|_| Error::Undecodable { proof: "step" })?;
        if !reader.is_empty() {
            return Err(Error::TrailingBytes {
                proof: "step",
                count: reader.len(),
            });
        }
        Ok(proof)
    }
}
