//! The Merkle path check in-circuit: [`verify_path`], the twin of
//! [`verify_path`](super::verify_path) (the chunk's membership in `C_data`), with the
//! same hashing ([`leaf_hash`], [`node_hash`], [`root_hash`]: fresh Poseidon sponges,
//! [`SpongeVar`], and the domain tags of [`crate::merkle`]). Tested against the
//! native check in `pcs/tests/gadgets.rs`.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::cmp::Ordering;

use ark_r1cs_std::{
    boolean::Boolean, eq::EqGadget, fields::fp::FpVar, fields::FieldVar, select::CondSelectGadget,
};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use zkpot_core::{constraints::FrVar, transcript::sponge::SpongeVar, Fr};

use super::{tree_depth, LEAF_TAG, NODE_TAG, ROOT_TAG};

/// A fresh sponge absorbs the constant `tag` then `inputs`, and squeezes one element.
fn hash(cs: &ConstraintSystemRef<Fr>, tag: u64, inputs: &[FrVar]) -> Result<FrVar, SynthesisError> {
    let mut sponge = SpongeVar::new(cs.clone());
    sponge.absorb(&[FpVar::constant(Fr::from(tag))])?;
    sponge.absorb(inputs)?;
    sponge
        .squeeze(1)?
        .pop()
        .ok_or(SynthesisError::AssignmentMissing)
}

/// [`crate::merkle::leaf_hash`] of a commitment given as its four limbs
/// ([`zkpot_core::point_to_fields`]).
pub fn leaf_hash(
    cs: &ConstraintSystemRef<Fr>,
    limbs: &[FrVar; 4],
) -> Result<FrVar, SynthesisError> {
    hash(cs, LEAF_TAG, limbs)
}

/// [`crate::merkle::node_hash`].
pub fn node_hash(
    cs: &ConstraintSystemRef<Fr>,
    left: &FrVar,
    right: &FrVar,
) -> Result<FrVar, SynthesisError> {
    hash(cs, NODE_TAG, &[left.clone(), right.clone()])
}

/// [`crate::merkle::root_hash`] for a public number of leaves.
pub fn root_hash(
    cs: &ConstraintSystemRef<Fr>,
    num_leaves: u64,
    tree_root: &FrVar,
) -> Result<FrVar, SynthesisError> {
    hash(
        cs,
        ROOT_TAG,
        &[FpVar::constant(Fr::from(num_leaves)), tree_root.clone()],
    )
}

/// Enforces that the commitment with limbs `leaf` sits at the index whose little-endian
/// bits are `index_bits` in the tree of `num_leaves` (public) leaves with root `root`:
/// exactly [`tree_depth`]`(num_leaves)` bits and siblings, the index below `num_leaves`,
/// and hashing up (bit `j` set: the node is a right child) then [`root_hash`] gives
/// `root`. A path of the wrong length is a synthesis error; a wrong path leaves the
/// circuit unsatisfied.
pub fn verify_path(
    cs: &ConstraintSystemRef<Fr>,
    root: &FrVar,
    num_leaves: u64,
    leaf: &[FrVar; 4],
    index_bits: &[Boolean<Fr>],
    siblings: &[FrVar],
) -> Result<(), SynthesisError> {
    let depth = tree_depth(num_leaves);
    if num_leaves == 0 || index_bits.len() != depth || siblings.len() != depth {
        return Err(SynthesisError::Unsatisfiable);
    }
    let index = Boolean::le_bits_to_fp(index_bits)?;
    index.enforce_cmp(
        &FpVar::constant(Fr::from(num_leaves)),
        Ordering::Less,
        false,
    )?;
    let mut node = leaf_hash(cs, leaf)?;
    for (bit, sibling) in index_bits.iter().zip(siblings) {
        let left = FpVar::conditionally_select(bit, sibling, &node)?;
        let right = FpVar::conditionally_select(bit, &node, sibling)?;
        node = node_hash(cs, &left, &right)?;
    }
    root_hash(cs, num_leaves, &node)?.enforce_equal(root)
}
