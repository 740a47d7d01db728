#![allow(clippy::unwrap_used)]
//! End-to-end tests of the Poseidon Merkle tree over commitments (`C_data`): the documented
//! encoding, completeness of every path, soundness (every tampered statement or path field
//! is rejected), what the root binds, serialization, and malformed input.

use std::panic::{catch_unwind, AssertUnwindSafe};

use ark_crypto_primitives::sponge::{
    poseidon::PoseidonSponge, CryptographicSponge, FieldBasedCryptographicSponge,
};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{BigInteger, PrimeField, UniformRand, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use zkpot_core::{point_to_fields, poseidon_config, CpuBackend, Fr, G1Affine};
use zkpot_pcs::{
    error::PcsError,
    merkle::{
        empty_leaf, leaf_hash, node_hash, root_hash, tree_depth, verify_path, MerklePath,
        MerkleTree,
    },
    pedersen::{commit, Commitment, PedersenKey},
};

const SIZES: [usize; 6] = [1, 2, 3, 5, 8, 13];

/// `[i] G` for `i = first..first + n`.
fn commitments(first: u64, n: usize) -> Vec<Commitment> {
    (first..first + n as u64)
        .map(|i| Commitment((G1Affine::generator() * Fr::from(i)).into_affine()))
        .collect()
}

fn tree(n: usize) -> (Vec<Commitment>, MerkleTree) {
    let leaves = commitments(1, n);
    let tree = MerkleTree::new(&leaves).unwrap();
    (leaves, tree)
}

/// A fresh sponge with the zkpot config absorbing `inputs` one at a time (as the circuit
/// will), squeezing one element.
fn sponge_hash(inputs: &[Fr]) -> Fr {
    let mut sponge = PoseidonSponge::new(&poseidon_config());
    for x in inputs {
        sponge.absorb(x);
    }
    sponge.squeeze_native_field_elements(1)[0]
}

fn hex(x: &Fr) -> String {
    x.into_bigint()
        .to_bytes_be()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every rejection goes through `verify_path` with one field of the statement or path
/// changed; this checks the honest version first so a rejection means the change.
fn assert_accepts(root: Fr, n: usize, leaf: &Commitment, path: &MerklePath) {
    assert_eq!(verify_path(root, n as u64, leaf, path), Ok(()));
}

#[test]
fn hashes_follow_the_documented_encoding() {
    let c = commitments(7, 1)[0];
    let [x_lo, x_hi, y_lo, y_hi] = point_to_fields(&c.0);
    assert_eq!(
        leaf_hash(&c),
        sponge_hash(&[Fr::from(1u64), x_lo, x_hi, y_lo, y_hi])
    );
    assert_eq!(
        empty_leaf(),
        sponge_hash(&[
            Fr::from(1u64),
            Fr::zero(),
            Fr::zero(),
            Fr::zero(),
            Fr::zero()
        ])
    );
    assert_eq!(empty_leaf(), leaf_hash(&Commitment::identity()));
    let (a, b) = (Fr::from(11u64), Fr::from(12u64));
    assert_eq!(node_hash(a, b), sponge_hash(&[Fr::from(2u64), a, b]));
    assert_eq!(
        root_hash(9, a),
        sponge_hash(&[Fr::from(3u64), Fr::from(9u64), a])
    );

    // A tree of 3 leaves, by hand: padded with one empty leaf, depth 2.
    let (leaves, tree) = tree(3);
    let h: Vec<Fr> = leaves.iter().map(leaf_hash).collect();
    let top = node_hash(node_hash(h[0], h[1]), node_hash(h[2], empty_leaf()));
    assert_eq!(tree.root(), root_hash(3, top));
    assert_eq!(tree.num_leaves(), 3);
    assert_eq!(tree.depth(), 2);
    // One leaf: the top node is the leaf hash itself and the path is empty.
    let (leaves, tree) = self::tree(1);
    assert_eq!(tree.root(), root_hash(1, leaf_hash(&leaves[0])));
    assert!(tree.path(0).unwrap().siblings.is_empty());
}

/// Golden value: the root over `[1]G, [2]G, [3]G`. It pins the Poseidon config, the tags,
/// the padding and the point encoding, i.e. every `C_data`. To regenerate (only after an
/// intended change, which breaks every statement and the circuit), run
/// `cargo test -p zkpot-pcs --test merkle golden -- --nocapture` and paste the printed hex.
#[test]
fn golden_root() {
    let root = tree(3).1.root();
    println!("golden root: {}", hex(&root));
    assert_eq!(
        hex(&root),
        "2263afd7b23f6a34a68bb2da8806d8806e4510988230e2f5d5c16b5601528c88"
    );
}

#[test]
fn tree_depths() {
    let cases = [
        (0u64, 0usize),
        (1, 0),
        (2, 1),
        (3, 2),
        (4, 2),
        (5, 3),
        (8, 3),
        (9, 4),
        (13, 4),
        (1 << 40, 40),
        ((1 << 40) + 1, 41),
        (u64::MAX, 64),
    ];
    for (n, depth) in cases {
        assert_eq!(tree_depth(n), depth, "n = {n}");
    }
}

#[test]
fn roots_are_deterministic() {
    for n in SIZES {
        assert_eq!(tree(n).1.root(), tree(n).1.root());
        assert_eq!(tree(n).1, tree(n).1);
    }
    // With real Pedersen commitments (hiding, blinded) too.
    let key = PedersenKey::setup(b"zkpot-test-merkle", 4);
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let chunks: Vec<Commitment> = (0..5)
        .map(|_| {
            let table: Vec<Fr> = (0..4).map(|_| Fr::rand(&mut rng)).collect();
            commit(&key, &CpuBackend, &table, Fr::rand(&mut rng)).unwrap()
        })
        .collect();
    let a = MerkleTree::new(&chunks).unwrap();
    let b = MerkleTree::new(&chunks).unwrap();
    assert_eq!(a.root(), b.root());
    for (i, chunk) in chunks.iter().enumerate() {
        assert_accepts(a.root(), chunks.len(), chunk, &a.path(i).unwrap());
    }
}

#[test]
fn every_path_verifies() {
    for n in SIZES {
        let (leaves, tree) = tree(n);
        assert_eq!(tree.num_leaves(), n);
        assert_eq!(tree.depth(), tree_depth(n as u64));
        for (i, leaf) in leaves.iter().enumerate() {
            let path = tree.path(i).unwrap();
            assert_eq!(path.index, i as u64);
            assert_eq!(path.siblings.len(), tree_depth(n as u64));
            assert_accepts(tree.root(), n, leaf, &path);
        }
    }
}

#[test]
fn empty_tree_is_rejected() {
    assert_eq!(MerkleTree::new(&[]), Err(PcsError::EmptyMerkleTree));
    let (leaves, tree) = tree(1);
    let path = tree.path(0).unwrap();
    assert_eq!(
        verify_path(tree.root(), 0, &leaves[0], &path),
        Err(PcsError::EmptyMerkleTree)
    );
}

#[test]
fn wrong_leaf_is_rejected() {
    for n in SIZES {
        let (leaves, tree) = tree(n);
        for i in 0..n {
            let path = tree.path(i).unwrap();
            let others = leaves
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, c)| *c)
                .chain([Commitment::identity(), commitments(1000, 1)[0]]);
            for other in others {
                assert_eq!(
                    verify_path(tree.root(), n as u64, &other, &path),
                    Err(PcsError::MerkleRootMismatch),
                    "n = {n}, i = {i}"
                );
            }
        }
    }
}

#[test]
fn wrong_index_is_rejected() {
    for n in SIZES {
        let (leaves, tree) = tree(n);
        for (i, leaf) in leaves.iter().enumerate() {
            let path = tree.path(i).unwrap();
            for j in (0..n).filter(|&j| j != i) {
                let moved = MerklePath {
                    index: j as u64,
                    ..path.clone()
                };
                assert_eq!(
                    verify_path(tree.root(), n as u64, leaf, &moved),
                    Err(PcsError::MerkleRootMismatch),
                    "n = {n}, i = {i}, j = {j}"
                );
            }
        }
    }
}

#[test]
fn tampered_sibling_is_rejected() {
    for n in SIZES {
        let (leaves, tree) = tree(n);
        for (i, leaf) in leaves.iter().enumerate() {
            let path = tree.path(i).unwrap();
            for s in 0..path.siblings.len() {
                for delta in [Fr::from(1u64), -Fr::from(1u64)] {
                    let mut bad = path.clone();
                    bad.siblings[s] += delta;
                    assert_eq!(
                        verify_path(tree.root(), n as u64, leaf, &bad),
                        Err(PcsError::MerkleRootMismatch),
                        "n = {n}, i = {i}, sibling {s}"
                    );
                }
                // Swapping in the empty leaf (the padding value) is no help either.
                let mut bad = path.clone();
                if bad.siblings[s] != empty_leaf() {
                    bad.siblings[s] = empty_leaf();
                    assert!(verify_path(tree.root(), n as u64, leaf, &bad).is_err());
                }
            }
        }
    }
}

#[test]
fn path_of_wrong_length_is_rejected() {
    for n in SIZES {
        let (leaves, tree) = tree(n);
        let depth = tree_depth(n as u64);
        for (i, leaf) in leaves.iter().enumerate() {
            let path = tree.path(i).unwrap();
            let mut longer = path.clone();
            longer.siblings.push(empty_leaf());
            assert_eq!(
                verify_path(tree.root(), n as u64, leaf, &longer),
                Err(PcsError::WrongProofLength {
                    expected: depth,
                    got: depth + 1
                })
            );
            if depth > 0 {
                let mut shorter = path.clone();
                shorter.siblings.pop();
                assert_eq!(
                    verify_path(tree.root(), n as u64, leaf, &shorter),
                    Err(PcsError::WrongProofLength {
                        expected: depth,
                        got: depth - 1
                    })
                );
            }
        }
    }
}

#[test]
fn different_num_leaves_is_rejected() {
    for n in SIZES {
        let (leaves, tree) = tree(n);
        for (i, leaf) in leaves.iter().enumerate() {
            let path = tree.path(i).unwrap();
            // Every other count with the same depth reaches the length check and the root.
            for m in (1..=32u64).filter(|&m| m != n as u64 && m > i as u64) {
                let got = verify_path(tree.root(), m, leaf, &path);
                if tree_depth(m) == path.siblings.len() {
                    assert_eq!(got, Err(PcsError::MerkleRootMismatch), "n = {n}, m = {m}");
                } else {
                    assert!(
                        matches!(got, Err(PcsError::WrongProofLength { .. })),
                        "n = {n}, m = {m}"
                    );
                }
            }
        }
    }
}

#[test]
fn index_out_of_range_is_rejected() {
    for n in SIZES {
        let (leaves, tree) = tree(n);
        assert_eq!(
            tree.path(n),
            Err(PcsError::LeafIndexOutOfRange {
                index: n as u64,
                num_leaves: n as u64
            })
        );
        assert!(tree.path(usize::MAX).is_err());
        // A path for a padding position (index in [n, 2^depth)) with the empty leaf's
        // siblings: the hashes would work out for the padded tree, the index check stops it.
        let width = n.next_power_of_two();
        let mut padded = leaves.clone();
        padded.resize(width, Commitment::identity());
        let padded = MerkleTree::new(&padded).unwrap();
        for index in n..width {
            let path = padded.path(index).unwrap();
            assert_accepts(padded.root(), width, &Commitment::identity(), &path);
            assert_eq!(
                verify_path(tree.root(), n as u64, &Commitment::identity(), &path),
                Err(PcsError::LeafIndexOutOfRange {
                    index: index as u64,
                    num_leaves: n as u64
                })
            );
        }
        let path = tree.path(0).unwrap();
        for index in [n as u64, n as u64 + 1, u64::MAX] {
            let bad = MerklePath {
                index,
                ..path.clone()
            };
            assert!(matches!(
                verify_path(tree.root(), n as u64, &leaves[0], &bad),
                Err(PcsError::LeafIndexOutOfRange { .. })
            ));
        }
    }
}

#[test]
fn wrong_root_is_rejected() {
    let (leaves, tree) = tree(5);
    let path = tree.path(2).unwrap();
    for root in [
        tree.root() + Fr::from(1u64),
        Fr::zero(),
        self::tree(4).1.root(),
    ] {
        assert_eq!(
            verify_path(root, 5, &leaves[2], &path),
            Err(PcsError::MerkleRootMismatch)
        );
    }
}

#[test]
fn root_changes_when_any_leaf_changes() {
    for n in SIZES {
        let (leaves, tree) = tree(n);
        for i in 0..n {
            for replacement in [commitments(1000, 1)[0], Commitment::identity()] {
                let mut changed = leaves.clone();
                changed[i] = replacement;
                assert_ne!(
                    MerkleTree::new(&changed).unwrap().root(),
                    tree.root(),
                    "n = {n}, i = {i}"
                );
            }
        }
    }
}

#[test]
fn root_changes_when_leaves_are_swapped() {
    for n in SIZES.into_iter().filter(|&n| n > 1) {
        let (leaves, tree) = tree(n);
        for i in 0..n {
            for j in i + 1..n {
                let mut swapped = leaves.clone();
                swapped.swap(i, j);
                assert_ne!(
                    MerkleTree::new(&swapped).unwrap().root(),
                    tree.root(),
                    "n = {n}, swap {i} {j}"
                );
            }
        }
    }
}

#[test]
fn root_binds_the_number_of_leaves() {
    // 3 chunks, and the same 3 followed by a chunk equal to the padding: the padded trees
    // are identical, so only the committed count separates the roots.
    let three = commitments(1, 3);
    let mut four = three.clone();
    four.push(Commitment::identity());
    let (t3, t4) = (
        MerkleTree::new(&three).unwrap(),
        MerkleTree::new(&four).unwrap(),
    );
    for i in 0..3 {
        assert_eq!(t3.path(i).unwrap(), t4.path(i).unwrap());
    }
    assert_ne!(t3.root(), t4.root());
    // A path of one tree does not verify against the other's root or count.
    let path = t3.path(1).unwrap();
    assert_eq!(
        verify_path(t4.root(), 3, &three[1], &path),
        Err(PcsError::MerkleRootMismatch)
    );
    assert_eq!(
        verify_path(t3.root(), 4, &three[1], &path),
        Err(PcsError::MerkleRootMismatch)
    );
    // The padding leaf of the 4-leaf tree is a real leaf there, and only there.
    let last = t4.path(3).unwrap();
    assert_accepts(t4.root(), 4, &Commitment::identity(), &last);
    assert!(verify_path(t3.root(), 3, &Commitment::identity(), &last).is_err());

    // Same for 1 leaf against 1 leaf plus padding, and for every size against its
    // prefixes and its padded extension.
    let one = commitments(1, 1);
    let two = vec![one[0], Commitment::identity()];
    assert_ne!(
        MerkleTree::new(&one).unwrap().root(),
        MerkleTree::new(&two).unwrap().root()
    );
    let roots: Vec<Fr> = (1..=13).map(|n| tree(n).1.root()).collect();
    for i in 0..roots.len() {
        for j in 0..i {
            assert_ne!(
                roots[i],
                roots[j],
                "prefixes of length {} and {}",
                i + 1,
                j + 1
            );
        }
    }
}

#[test]
fn path_serialization_round_trip() {
    for n in SIZES {
        let tree = tree(n).1;
        for i in 0..n {
            let path = tree.path(i).unwrap();
            for compress in [Compress::Yes, Compress::No] {
                let mut bytes = Vec::new();
                path.serialize_with_mode(&mut bytes, compress).unwrap();
                assert_eq!(bytes.len(), path.serialized_size(compress));
                // index (8 bytes), length (8 bytes), 32 bytes per sibling.
                assert_eq!(bytes.len(), 16 + 32 * path.siblings.len());
                let back =
                    MerklePath::deserialize_with_mode(&bytes[..], compress, Validate::Yes).unwrap();
                assert_eq!(back, path);
            }
        }
    }
}

/// Deserializes untrusted bytes and, when they parse, verifies the path: an error or a
/// rejection, never a panic.
fn check_bytes(bytes: &[u8], root: Fr, num_leaves: u64, leaf: &Commitment) -> bool {
    let result = catch_unwind(AssertUnwindSafe(
        || match MerklePath::deserialize_with_mode(bytes, Compress::Yes, Validate::Yes) {
            Ok(path) => verify_path(root, num_leaves, leaf, &path).is_ok(),
            Err(e) => {
                let _ = PcsError::from(e);
                false
            }
        },
    ));
    result.expect("deserializing or verifying panicked")
}

#[test]
fn malformed_bytes_never_panic() {
    let (leaves, tree) = tree(13);
    let path = tree.path(6).unwrap();
    let mut bytes = Vec::new();
    path.serialize_compressed(&mut bytes).unwrap();
    assert!(check_bytes(&bytes, tree.root(), 13, &leaves[6]));

    // Every truncation, and every extension by junk (trailing bytes are ignored by the
    // reader but the path itself is unchanged, so it still verifies).
    for len in 0..bytes.len() {
        assert!(!check_bytes(&bytes[..len], tree.root(), 13, &leaves[6]));
    }
    // Every single-byte corruption is rejected or fails to parse.
    for pos in 0..bytes.len() {
        for flip in [0x01u8, 0x80, 0xff] {
            let mut bad = bytes.clone();
            bad[pos] ^= flip;
            assert!(
                !check_bytes(&bad, tree.root(), 13, &leaves[6]),
                "byte {pos} ^ {flip:#x} accepted"
            );
        }
    }
    // Random bytes, including huge length prefixes.
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    for _ in 0..2000 {
        let len = rng.gen_range(0..200);
        let mut junk: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
        if len >= 16 && rng.gen_bool(0.5) {
            // A plausible length prefix so the siblings are read.
            junk[8..16].copy_from_slice(&(rng.gen_range(0..6u64)).to_le_bytes());
        }
        assert!(!check_bytes(&junk, tree.root(), 13, &leaves[6]));
    }
}

#[test]
fn random_paths_never_panic() {
    let (leaves, tree) = tree(5);
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    for _ in 0..500 {
        let num_leaves = match rng.gen_range(0..4) {
            0 => rng.gen_range(0..20),
            1 => u64::MAX - rng.gen_range(0..3),
            2 => 1 << rng.gen_range(0..64),
            _ => rng.gen(),
        };
        let index = match rng.gen_range(0..3) {
            0 => rng.gen_range(0..20),
            1 => num_leaves.wrapping_sub(1),
            _ => rng.gen(),
        };
        let siblings = match rng.gen_range(0..2) {
            0 => tree_depth(num_leaves),
            _ => rng.gen_range(0..70),
        };
        let path = MerklePath {
            index,
            siblings: (0..siblings).map(|_| Fr::rand(&mut rng)).collect(),
        };
        let root = if rng.gen_bool(0.5) {
            tree.root()
        } else {
            Fr::rand(&mut rng)
        };
        let result = catch_unwind(AssertUnwindSafe(|| {
            verify_path(root, num_leaves, &leaves[0], &path)
        }));
        assert!(result.expect("verify_path panicked").is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// For any size and leaf, the honest path verifies and a path from any other leaf of
    /// the same tree does not.
    #[test]
    fn honest_paths_verify(n in 1usize..40, seed in any::<u64>()) {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let leaves = commitments(rng.gen_range(1..1_000_000), n);
        let tree = MerkleTree::new(&leaves).unwrap();
        let i = rng.gen_range(0..n);
        let path = tree.path(i).unwrap();
        prop_assert_eq!(verify_path(tree.root(), n as u64, &leaves[i], &path), Ok(()));
        let j = rng.gen_range(0..n);
        if j != i {
            prop_assert!(verify_path(tree.root(), n as u64, &leaves[j], &path).is_err());
        }
    }
}
