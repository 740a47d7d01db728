//! In-circuit twins of `pcs`'s verifier-side pieces, for the IVC step circuit, each
//! tested against its native twin on a plain `ConstraintSystem`.
//!
//! * [`verify_path`]: the Merkle path check of [`crate::merkle::verify_path`] (the chunk's
//!   membership in `C_data`), with the same hashing ([`leaf_hash`], [`node_hash`],
//!   [`root_hash`]: fresh Poseidon sponges with [`poseidon_config`] and the domain tags of
//!   [`crate::merkle`]).

use std::cmp::Ordering;

use ark_crypto_primitives::sponge::{
    constraints::CryptographicSpongeVar,
    poseidon::{constraints::PoseidonSpongeVar, PoseidonSponge},
};
use ark_r1cs_std::{
    boolean::Boolean, eq::EqGadget, fields::fp::FpVar, fields::FieldVar, select::CondSelectGadget,
};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use zkpot_core::{constraints::FrVar, poseidon_config, Fr};

use crate::merkle::{tree_depth, LEAF_TAG, NODE_TAG, ROOT_TAG};

/// A fresh sponge absorbs the constant `tag` then `inputs`, and squeezes one element.
fn hash(cs: &ConstraintSystemRef<Fr>, tag: u64, inputs: &[FrVar]) -> Result<FrVar, SynthesisError> {
    let mut sponge = <PoseidonSpongeVar<Fr> as CryptographicSpongeVar<Fr, PoseidonSponge<Fr>>>::new(
        cs.clone(),
        &poseidon_config(),
    );
    sponge.absorb(&FpVar::constant(Fr::from(tag)))?;
    sponge.absorb(&inputs.to_vec())?;
    sponge
        .squeeze_field_elements(1)?
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

#[cfg(test)]
mod tests {
    use ark_ec::{AffineRepr, CurveGroup};
    use ark_r1cs_std::alloc::AllocVar;
    use ark_relations::gr1cs::ConstraintSystem;
    use zkpot_core::{point_to_fields, G1};

    use super::*;
    use crate::merkle::{self, MerkleTree};
    use crate::pedersen::Commitment;

    fn leaves(n: u64) -> Vec<Commitment> {
        (1..=n)
            .map(|i| {
                Commitment(
                    (G1::from(zkpot_core::G1Affine::generator()) * Fr::from(i)).into_affine(),
                )
            })
            .collect()
    }

    /// Builds the circuit for `(leaf, index, siblings)` against `root`; whether it is
    /// satisfied (or `None` for a synthesis error).
    fn check(
        root: Fr,
        num_leaves: u64,
        leaf: &Commitment,
        index: u64,
        siblings: &[Fr],
    ) -> Option<bool> {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let root = FpVar::new_input(cs.clone(), || Ok(root)).ok()?;
        let limbs =
            point_to_fields(&leaf.0).map(|x| FpVar::new_witness(cs.clone(), || Ok(x)).unwrap());
        let depth = tree_depth(num_leaves);
        let bits: Vec<Boolean<Fr>> = (0..depth)
            .map(|j| Boolean::new_witness(cs.clone(), || Ok(index >> j & 1 == 1)).unwrap())
            .collect();
        let siblings: Vec<FrVar> = siblings
            .iter()
            .map(|s| FpVar::new_witness(cs.clone(), || Ok(*s)).unwrap())
            .collect();
        verify_path(&cs, &root, num_leaves, &limbs, &bits, &siblings).ok()?;
        Some(cs.is_satisfied().unwrap())
    }

    #[test]
    fn the_gadget_agrees_with_the_native_path_check() {
        for n in [1u64, 2, 3, 5, 8] {
            let leaves = leaves(n);
            let tree = MerkleTree::new(&leaves).unwrap();
            for (i, leaf) in leaves.iter().enumerate() {
                let path = tree.path(i).unwrap();
                merkle::verify_path(tree.root(), n, leaf, &path).unwrap();
                assert_eq!(
                    check(tree.root(), n, leaf, i as u64, &path.siblings),
                    Some(true),
                    "n = {n}, leaf {i}"
                );
            }
        }
    }

    #[test]
    fn tampered_paths_leave_the_circuit_unsatisfied() {
        let n = 5;
        let leaves = leaves(n);
        let tree = MerkleTree::new(&leaves).unwrap();
        let path = tree.path(2).unwrap();
        let root = tree.root();
        // Another leaf, another index, a changed sibling, another root or leaf count.
        assert_eq!(check(root, n, &leaves[3], 2, &path.siblings), Some(false));
        assert_eq!(check(root, n, &leaves[2], 3, &path.siblings), Some(false));
        for j in 0..path.siblings.len() {
            let mut s = path.siblings.clone();
            s[j] += Fr::from(1u64);
            assert_eq!(
                check(root, n, &leaves[2], 2, &s),
                Some(false),
                "sibling {j}"
            );
        }
        assert_eq!(
            check(root + Fr::from(1u64), n, &leaves[2], 2, &path.siblings),
            Some(false)
        );
        assert_eq!(check(root, 6, &leaves[2], 2, &path.siblings), Some(false));
        // An index at or past the leaf count (the padding leaves), even with a valid
        // path to a padding leaf.
        let padded = tree.path(4).unwrap();
        assert_eq!(check(root, n, &leaves[4], 4, &padded.siblings), Some(true));
        let empty = Commitment::identity();
        let mut s = padded.siblings.clone();
        s[0] = merkle::leaf_hash(&leaves[4]);
        assert_eq!(check(root, n, &empty, 5, &s), Some(false));
        // The wrong number of siblings is a synthesis error.
        assert_eq!(check(root, n, &leaves[2], 2, &path.siblings[1..]), None);
    }
}
