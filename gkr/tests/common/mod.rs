//! Helpers shared by the `gkr` integration tests.

#![allow(clippy::unwrap_used, dead_code)]

pub mod step;

use std::panic::{catch_unwind, AssertUnwindSafe};

use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;

/// A proof's compressed bytes.
pub fn bytes_of<P: CanonicalSerialize>(proof: &P) -> Vec<u8> {
    let mut bytes = Vec::new();
    proof.serialize_compressed(&mut bytes).unwrap();
    bytes
}

/// Truncations, random bytes and bit flips: parsing and verification never panic, and
/// only the honest bytes verify.
pub fn assert_fuzz_safe<P: CanonicalDeserialize>(
    bytes: &[u8],
    seed: u64,
    accepts: impl Fn(&P) -> bool,
) {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let check = |b: &[u8]| {
        let result = catch_unwind(AssertUnwindSafe(|| {
            P::deserialize_with_mode(b, Compress::Yes, Validate::Yes)
                .ok()
                .map(|p| accepts(&p))
        }));
        assert!(result.is_ok(), "panicked on {} bytes", b.len());
        result.unwrap()
    };
    for len in 0..bytes.len() {
        assert_eq!(check(&bytes[..len]), None, "truncated to {len}");
    }
    assert_eq!(check(bytes), Some(true));
    for _ in 0..100 {
        let mut junk = vec![0u8; rng.gen_range(0..2 * bytes.len() + 1)];
        rng.fill_bytes(&mut junk);
        assert_ne!(check(&junk), Some(true));
        let mut flipped = bytes.to_vec();
        let i = rng.gen_range(0..flipped.len());
        flipped[i] ^= 1 << rng.gen_range(0..8);
        assert_ne!(check(&flipped), Some(true));
    }
}
