//! Binary Poseidon Merkle trees over commitments: the data commitment `C_data`.
//!
//! `C_data` (DESIGN section 1) is the root of a [`MerkleTree`] over the commitments of the
//! data chunks, in training order; a fold proves that its chunk belongs to the dataset with
//! a [`MerklePath`], checked natively by [`verify_path`] and in-circuit by
//! [`constraints::verify_path`] (the same sponge, `zkpot_core`'s `SpongeVar`). The hashing below is
//! therefore part of the statement: changing any of it changes every `C_data`.
//!
//! # Hashing
//!
//! Every hash is a **fresh** arkworks `PoseidonSponge<Fr>` with [`poseidon_config`] (rate
//! 4, capacity 1) that absorbs a fixed sequence of field elements, each as itself, and
//! squeezes one element (`squeeze_native_field_elements(1)`). The first element is a
//! domain tag that separates the three kinds of hash:
//!
//! | hash | absorbed elements | function |
//! |---|---|---|
//! | leaf | `1, x_lo, x_hi, y_lo, y_hi` ([`point_to_fields`] of the commitment's point; four zeros for the identity) | [`leaf_hash`] |
//! | node | `2, left, right` | [`node_hash`] |
//! | root | `3, num_leaves, tree_root` (`num_leaves` as `Fr::from(u64)`) | [`root_hash`] |
//!
//! # Shape and padding
//!
//! A tree over `n >= 1` commitments has depth `d = ceil(log2(n))` ([`tree_depth`]; `d = 0`
//! for one leaf). Level 0 holds the leaf hashes of the `n` commitments followed by
//! `2^d - n` copies of [`empty_leaf`], the leaf hash of the identity commitment
//! ([`Commitment::identity`], the commitment to an all-zero chunk with blind 0). Level
//! `j + 1` holds `node_hash(level_j[2i], level_j[2i + 1])`; level `d` is the single
//! `tree_root`. The published root is
//!
//! ```text
//! root = root_hash(n, tree_root) = H(3, n, tree_root),
//! ```
//!
//! so the root binds the true number of chunks: a dataset of 3 chunks and the same 3 chunks
//! followed by an identity chunk share `tree_root` but not `root`.
//!
//! # Paths
//!
//! The path of leaf `index` lists its `d` siblings from the leaf level up. At level `j` the
//! current node is the **left** child when bit `j` of `index` is 0 (so the next node is
//! `node_hash(node, sibling_j)`) and the right child when it is 1
//! (`node_hash(sibling_j, node)`). [`verify_path`] accepts only `index < n` and exactly
//! `d` siblings, and never panics.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod constraints;

use std::sync::OnceLock;

use ark_crypto_primitives::sponge::{
    poseidon::{PoseidonConfig, PoseidonSponge},
    CryptographicSponge, FieldBasedCryptographicSponge,
};
use ark_ff::Zero;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use rayon::prelude::*;
use zkpot_core::{point_to_fields, poseidon_config, Fr};

use crate::{error::PcsError, pedersen::Commitment};

/// Domain tag absorbed first by [`leaf_hash`].
pub const LEAF_TAG: u64 = 1;
/// Domain tag absorbed first by [`node_hash`].
pub const NODE_TAG: u64 = 2;
/// Domain tag absorbed first by [`root_hash`].
pub const ROOT_TAG: u64 = 3;

fn config() -> &'static PoseidonConfig<Fr> {
    static CONFIG: OnceLock<PoseidonConfig<Fr>> = OnceLock::new();
    CONFIG.get_or_init(poseidon_config)
}

/// A fresh sponge absorbs `tag` then `inputs`, and squeezes one element.
fn hash(tag: u64, inputs: &[Fr]) -> Fr {
    let mut sponge = PoseidonSponge::new(config());
    sponge.absorb(&Fr::from(tag));
    sponge.absorb(&inputs);
    // The sponge returns exactly the one element asked for.
    sponge
        .squeeze_native_field_elements(1)
        .pop()
        .unwrap_or_else(Fr::zero)
}

/// The leaf hash of a commitment: `H(1, x_lo, x_hi, y_lo, y_hi)` over
/// [`point_to_fields`] of its point (see the module documentation).
///
/// Only the coordinates are hashed; whether the point is on the curve is the caller's
/// concern (commitments read with `Validate::Yes` always are).
pub fn leaf_hash(c: &Commitment) -> Fr {
    hash(LEAF_TAG, &point_to_fields(&c.0))
}

/// The hash of an inner node: `H(2, left, right)`.
pub fn node_hash(left: Fr, right: Fr) -> Fr {
    hash(NODE_TAG, &[left, right])
}

/// The published root of a tree with `num_leaves` leaves whose top node is `tree_root`:
/// `H(3, num_leaves, tree_root)`.
pub fn root_hash(num_leaves: u64, tree_root: Fr) -> Fr {
    hash(ROOT_TAG, &[Fr::from(num_leaves), tree_root])
}

/// The padding leaf: the [`leaf_hash`] of [`Commitment::identity`], i.e. `H(1, 0, 0, 0, 0)`.
pub fn empty_leaf() -> Fr {
    static EMPTY: OnceLock<Fr> = OnceLock::new();
    *EMPTY.get_or_init(|| leaf_hash(&Commitment::identity()))
}

/// The depth of a tree over `num_leaves` leaves, `ceil(log2(num_leaves))`: the number of
/// siblings in every path (0 for zero or one leaf; at most 64).
pub fn tree_depth(num_leaves: u64) -> usize {
    if num_leaves <= 1 {
        0
    } else {
        (u64::BITS - (num_leaves - 1).leading_zeros()) as usize
    }
}

/// A binary Poseidon Merkle tree over commitments, padded to a power of two (see the module
/// documentation for the exact hashing and padding).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MerkleTree {
    /// `levels[0]` are the padded leaf hashes, `levels[depth]` the single top node.
    levels: Vec<Vec<Fr>>,
    /// The number of commitments, before padding.
    num_leaves: usize,
}

impl MerkleTree {
    /// Builds the tree over `leaves`, in order. Leaf hashes and each level are computed in
    /// parallel; the tree does not depend on the thread count.
    ///
    /// # Errors
    ///
    /// [`PcsError::EmptyMerkleTree`] when `leaves` is empty.
    pub fn new(leaves: &[Commitment]) -> Result<Self, PcsError> {
        if leaves.is_empty() {
            return Err(PcsError::EmptyMerkleTree);
        }
        let num_leaves = leaves.len();
        let mut level: Vec<Fr> = leaves.par_iter().map(leaf_hash).collect();
        level.resize(num_leaves.next_power_of_two(), empty_leaf());
        let mut levels = vec![level];
        while let Some(below) = levels.last().filter(|level| level.len() > 1) {
            let above: Vec<Fr> = below
                .par_chunks_exact(2)
                .map(|pair| match pair {
                    [left, right] => node_hash(*left, *right),
                    // `par_chunks_exact(2)` yields pairs only.
                    _ => empty_leaf(),
                })
                .collect();
            levels.push(above);
        }
        debug_assert_eq!(levels.len(), tree_depth(num_leaves as u64) + 1);
        Ok(Self { levels, num_leaves })
    }

    /// The published root, [`root_hash`]`(num_leaves, tree_root)`: the value of `C_data`.
    pub fn root(&self) -> Fr {
        // `new` always leaves exactly one node on the top level.
        let top = self
            .levels
            .last()
            .and_then(|level| level.first())
            .copied()
            .unwrap_or_else(Fr::zero);
        root_hash(self.num_leaves as u64, top)
    }

    /// The number of commitments the tree was built over (before padding).
    pub fn num_leaves(&self) -> usize {
        self.num_leaves
    }

    /// The depth of the tree, [`tree_depth`]`(num_leaves)`.
    pub fn depth(&self) -> usize {
        self.levels.len().saturating_sub(1)
    }

    /// The path of leaf `index`: its siblings from the leaf level up.
    ///
    /// # Errors
    ///
    /// [`PcsError::LeafIndexOutOfRange`] when `index >= num_leaves`.
    pub fn path(&self, index: usize) -> Result<MerklePath, PcsError> {
        if index >= self.num_leaves {
            return Err(PcsError::LeafIndexOutOfRange {
                index: index as u64,
                num_leaves: self.num_leaves as u64,
            });
        }
        let siblings = self
            .levels
            .iter()
            .take(self.depth())
            .enumerate()
            .filter_map(|(j, level)| level.get((index >> j) ^ 1).copied())
            .collect();
        Ok(MerklePath {
            index: index as u64,
            siblings,
        })
    }
}

/// A membership proof of one leaf in a [`MerkleTree`]: the leaf's index and its siblings
/// from the leaf level up (bit `j` of `index` says whether the node at level `j` is a
/// right child).
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct MerklePath {
    /// The leaf's position, `0 <= index < num_leaves`.
    pub index: u64,
    /// One sibling per level, `tree_depth(num_leaves)` of them, leaf level first.
    pub siblings: Vec<Fr>,
}

/// Checks that `leaf` sits at `path.index` of the tree with `num_leaves` leaves and root
/// `root`: the index is below `num_leaves`, the path has exactly
/// [`tree_depth`]`(num_leaves)` siblings, and hashing up from [`leaf_hash`]`(leaf)` then
/// [`root_hash`] gives `root`. Never panics.
///
/// # Errors
///
/// [`PcsError::EmptyMerkleTree`] for `num_leaves = 0`, [`PcsError::LeafIndexOutOfRange`],
/// [`PcsError::WrongProofLength`] for a wrong number of siblings, and
/// [`PcsError::MerkleRootMismatch`] when the recomputed root differs.
#[deny(clippy::arithmetic_side_effects)]
pub fn verify_path(
    root: Fr,
    num_leaves: u64,
    leaf: &Commitment,
    path: &MerklePath,
) -> Result<(), PcsError> {
    if num_leaves == 0 {
        return Err(PcsError::EmptyMerkleTree);
    }
    if path.index >= num_leaves {
        return Err(PcsError::LeafIndexOutOfRange {
            index: path.index,
            num_leaves,
        });
    }
    let depth = tree_depth(num_leaves);
    if path.siblings.len() != depth {
        return Err(PcsError::WrongProofLength {
            expected: depth,
            got: path.siblings.len(),
        });
    }
    let mut node = leaf_hash(leaf);
    let mut index = path.index;
    for &sibling in &path.siblings {
        node = if index & 1 == 0 {
            node_hash(node, sibling)
        } else {
            node_hash(sibling, node)
        };
        index >>= 1;
    }
    if root_hash(num_leaves, node) == root {
        Ok(())
    } else {
        Err(PcsError::MerkleRootMismatch)
    }
}
