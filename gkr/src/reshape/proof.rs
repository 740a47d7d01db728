//! The messages of the reshape reductions. The column sum and the bias broadcast send
//! nothing, so they have no proof type.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use zkpot_core::Fr;

/// The split of a claim on `Z = P + 2^f broadcast(b)` (see [`crate::reshape`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct AffineProof {
    /// `P~(r)`, the product part at the claim's point.
    pub product_eval: Fr,
}

/// A limb reduction: the limb tables at the claim's point.
#[derive(Clone, Debug, Default, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct LimbsProof {
    /// `L_l~(r)` for `l = 0..c` (`c = B / 16`, not the padded count).
    pub limb_evals: Vec<Fr>,
}
