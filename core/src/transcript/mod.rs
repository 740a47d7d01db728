//! Fiat-Shamir transcripts: the [`Transcript`] trait and its Poseidon implementation.
//!
//! Every challenge in zkpot comes from a [`Transcript`]; no other code draws verifier
//! randomness. The in-circuit verifier ([`sponge::SpongeVar`], the same sponge with the
//! same [`poseidon_config`]) must reproduce every challenge bit for bit, so each absorb method
//! documents the exact field elements it feeds the sponge. Each method's encoding is a
//! fixed sequence of `Fr` elements; the sponge sees the concatenation of all of them.

pub mod constraints;
pub mod sponge;

use std::sync::OnceLock;

use ark_crypto_primitives::sponge::{
    poseidon::{find_poseidon_ark_and_mds, PoseidonConfig, PoseidonSponge},
    CryptographicSponge, FieldBasedCryptographicSponge,
};
use ark_ec::AffineRepr;
use ark_ff::{PrimeField, Zero};

use crate::{
    field::{Fq, Fr, G1Affine},
    fixed::i64_to_field,
};

/// Poseidon rate: field elements absorbed or squeezed per permutation.
pub const POSEIDON_RATE: usize = 4;
/// Poseidon capacity, in field elements.
pub const POSEIDON_CAPACITY: usize = 1;
/// Poseidon S-box exponent: `x -> x^5`.
pub const POSEIDON_ALPHA: u64 = 5;
/// Poseidon full rounds (half before, half after the partial rounds).
pub const POSEIDON_FULL_ROUNDS: usize = 8;
/// Poseidon partial rounds.
pub const POSEIDON_PARTIAL_ROUNDS: usize = 60;
/// Bytes per field element in [`Transcript::absorb_bytes`]: 31 bytes are below
/// `2^248 < p`, so every chunk is an integer, never reduced.
pub const BYTES_PER_ELEMENT: usize = 31;

fn config_ref() -> &'static PoseidonConfig<Fr> {
    static CONFIG: OnceLock<PoseidonConfig<Fr>> = OnceLock::new();
    CONFIG.get_or_init(|| {
        let (ark, mds) = find_poseidon_ark_and_mds::<Fr>(
            u64::from(Fr::MODULUS_BIT_SIZE),
            POSEIDON_RATE,
            POSEIDON_FULL_ROUNDS as u64,
            POSEIDON_PARTIAL_ROUNDS as u64,
            0,
        );
        PoseidonConfig::new(
            POSEIDON_FULL_ROUNDS,
            POSEIDON_PARTIAL_ROUNDS,
            POSEIDON_ALPHA,
            mds,
            ark,
            POSEIDON_RATE,
            POSEIDON_CAPACITY,
        )
    })
}

/// The one Poseidon configuration of zkpot, natively and in-circuit.
///
/// Poseidon over BN254 `Fr` with width 5: rate 4, capacity 1, alpha 5, 8 full and 60
/// partial rounds; round constants and MDS matrix from arkworks'
/// `find_poseidon_ark_and_mds::<Fr>(Fr::MODULUS_BIT_SIZE, 4, 8, 60, 0)` (Grain LFSR, no
/// skipped matrices). This is exactly sonobe's `poseidon_circom_config()` (which agrees with
/// Circom's `Poseidon(4)` permutation); the IVC must be given this same config.
/// Generated once per process and cached; each call returns a clone.
pub fn poseidon_config() -> PoseidonConfig<Fr> {
    config_ref().clone()
}

/// The low and high 128-bit halves of a base-field element, as scalars.
fn fq_to_limbs(x: &Fq) -> [Fr; 2] {
    let limbs = x.into_bigint().0;
    let half = |lo: u64, hi: u64| Fr::from((u128::from(hi) << 64) | u128::from(lo));
    [half(limbs[0], limbs[1]), half(limbs[2], limbs[3])]
}

/// The canonical encoding of a `G1` point as four scalars `[x_lo, x_hi, y_lo, y_hi]`.
///
/// `x = x_lo + 2^128 x_hi` with `0 <= x_lo < 2^128` (and `x_hi < 2^126`), where `x` and `y`
/// are the affine coordinates as integers in `[0, q)`. The point at infinity is encoded as
/// `x = y = 0`, i.e. four zeros; `(0, 0)` is not on `y^2 = x^3 + 3`, so the encoding is
/// injective.
pub fn point_to_fields(p: &G1Affine) -> [Fr; 4] {
    match p.xy() {
        Some((x, y)) => {
            let [x_lo, x_hi] = fq_to_limbs(&x);
            let [y_lo, y_hi] = fq_to_limbs(&y);
            [x_lo, x_hi, y_lo, y_hi]
        }
        None => [Fr::zero(); 4],
    }
}

/// A Fiat-Shamir transcript over `Fr`: a duplex sponge that absorbs prover messages and
/// squeezes challenges.
///
/// The provided methods define the canonical encoding of each kind of message in terms of
/// [`Transcript::absorb_field`], so every implementation (and the in-circuit gadget) agrees.
/// Encodings carry no type tags: the protocol's fixed message order makes them unambiguous.
pub trait Transcript: Sized {
    /// Starts a transcript: a fresh sponge, then `absorb_bytes(label)`.
    fn new(label: &[u8]) -> Self;

    /// Absorbs one element, `x` itself.
    fn absorb_field(&mut self, x: &Fr);

    /// Squeezes one challenge, a full field element.
    fn challenge(&mut self) -> Fr;

    /// Squeezes a 128-bit challenge: the sponge's `squeeze_bits(128)`, read
    /// little-endian, `sum_i bits[i] 2^i`. Its value is below `2^128`.
    fn challenge_128(&mut self) -> Fr;

    /// Absorbs each element of `xs` in order, with **no length prefix**: the same as
    /// `absorb_field` on each. Callers absorb the length first when it is not fixed by
    /// the protocol.
    fn absorb_fields(&mut self, xs: &[Fr]) {
        xs.iter().for_each(|x| self.absorb_field(x));
    }

    /// Absorbs one element, `Fr::from(x)`.
    fn absorb_u64(&mut self, x: u64) {
        self.absorb_field(&Fr::from(x));
    }

    /// Absorbs one element, `x mod p` ([`i64_to_field`]).
    fn absorb_i64(&mut self, x: i64) {
        self.absorb_field(&i64_to_field(x));
    }

    /// Absorbs `Fr::from(bytes.len() as u64)`, then the bytes in chunks of 31 (the last
    /// may be shorter), each chunk read as a little-endian integer (below `2^248`, so
    /// exact). `[]` is the single element 0; the length prefix makes the encoding
    /// unambiguous (e.g. `[0]` and `[0, 0]` differ).
    fn absorb_bytes(&mut self, bytes: &[u8]) {
        self.absorb_u64(bytes.len() as u64);
        for chunk in bytes.chunks(BYTES_PER_ELEMENT) {
            self.absorb_field(&Fr::from_le_bytes_mod_order(chunk));
        }
    }

    /// Absorbs the four elements of [`point_to_fields`]: `x_lo, x_hi, y_lo, y_hi`
    /// (all zero for the point at infinity).
    fn absorb_point(&mut self, p: &G1Affine) {
        self.absorb_fields(&point_to_fields(p));
    }

    /// Squeezes `n` challenges: the same as `n` calls to [`Transcript::challenge`].
    fn challenges(&mut self, n: usize) -> Vec<Fr> {
        (0..n).map(|_| self.challenge()).collect()
    }
}

/// The [`Transcript`] of zkpot: arkworks' `PoseidonSponge` with [`poseidon_config`].
#[derive(Clone)]
pub struct PoseidonTranscript {
    sponge: PoseidonSponge<Fr>,
}

impl std::fmt::Debug for PoseidonTranscript {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoseidonTranscript")
            .field("state", &self.sponge.state)
            .field("mode", &self.sponge.mode)
            .finish()
    }
}

impl Transcript for PoseidonTranscript {
    fn new(label: &[u8]) -> Self {
        let mut transcript = Self {
            sponge: PoseidonSponge::new(config_ref()),
        };
        transcript.absorb_bytes(label);
        transcript
    }

    fn absorb_field(&mut self, x: &Fr) {
        self.sponge.absorb(x);
    }

    fn absorb_fields(&mut self, xs: &[Fr]) {
        // One sponge call; arkworks' duplex makes this equal to absorbing one at a time.
        self.sponge.absorb(&xs);
    }

    fn challenge(&mut self) -> Fr {
        self.sponge
            .squeeze_native_field_elements(1)
            .pop()
            .expect("the sponge squeezes exactly the number of elements asked for")
    }

    fn challenges(&mut self, n: usize) -> Vec<Fr> {
        self.sponge.squeeze_native_field_elements(n)
    }

    fn challenge_128(&mut self) -> Fr {
        let bits = self.sponge.squeeze_bits(128);
        let value = bits
            .iter()
            .rev()
            .fold(0u128, |acc, &bit| (acc << 1) | u128::from(bit));
        Fr::from(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::CurveGroup;
    use ark_ff::{BigInteger, One};

    fn hex(x: &Fr) -> String {
        x.into_bigint()
            .to_bytes_be()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    fn first_challenge(f: impl FnOnce(&mut PoseidonTranscript)) -> Fr {
        let mut t = PoseidonTranscript::new(b"zkpot-test");
        f(&mut t);
        t.challenge()
    }

    #[test]
    fn config_parameters() {
        let c = poseidon_config();
        assert_eq!((c.rate, c.capacity, c.alpha), (4, 1, 5));
        assert_eq!((c.full_rounds, c.partial_rounds), (8, 60));
        assert_eq!(c.ark.len(), 68);
        assert!(c.ark.iter().all(|row| row.len() == 5));
        assert_eq!(c.mds.len(), 5);
        assert!(c.mds.iter().all(|row| row.len() == 5));
    }

    /// Circom's `Poseidon(4)` permutation (t = 5) on the state `[0, 1, 2, 3, 4]`, from the
    /// Poseidon reference test vectors (`poseidonperm_x5_254_5`). The sponge keeps its
    /// capacity element at index 0, so it sees the full permutation output.
    #[test]
    fn permutation_matches_circom_test_vector() {
        let mut sponge = PoseidonSponge::new(config_ref());
        sponge.state = (0..5u64).map(Fr::from).collect();
        sponge.squeeze_native_field_elements(1);
        let expected = [
            "299c867db6c1fdd79dcefa40e4510b9837e60ebb1ce0663dbaa525df65250465",
            "1148aaef609aa338b27dafd89bb98862d8bb2b429aceac47d86206154ffe053d",
            "24febb87fed7462e23f6665ff9a0111f4044c38ee1672c1ac6b0637d34f24907",
            "0eb08f6d809668a981c186beaf6110060707059576406b248e5d9cf6e78b3d3e",
            "07748bc6877c9b82c8b98666ee9d0626ec7f5be4205f79ee8528ef1c4a376fc7",
        ];
        let got: Vec<String> = sponge.state.iter().map(hex).collect();
        assert_eq!(got, expected);
    }

    /// Golden value: the first challenge after `new(b"zkpot-test")` and `absorb_u64(7)`.
    /// It pins the config, the label encoding and the sponge. To regenerate (only after an
    /// intended change to any of them, which breaks every proof and circuit), run
    /// `cargo test -p zkpot-core --release golden -- --nocapture` and paste the printed hex.
    #[test]
    fn golden_first_challenge() {
        let c = first_challenge(|t| t.absorb_u64(7));
        println!("golden challenge: {}", hex(&c));
        assert_eq!(
            hex(&c),
            "1b0186fc9dcfb7554ecbc0c09244646f73725a7304d399a2db7775f2a1528d60"
        );
    }

    #[test]
    fn deterministic_and_sensitive() {
        let base = first_challenge(|t| {
            t.absorb_u64(1);
            t.absorb_u64(2);
        });
        assert_eq!(
            base,
            first_challenge(|t| {
                t.absorb_u64(1);
                t.absorb_u64(2);
            })
        );
        let swapped = first_challenge(|t| {
            t.absorb_u64(2);
            t.absorb_u64(1);
        });
        let changed = first_challenge(|t| {
            t.absorb_u64(1);
            t.absorb_u64(3);
        });
        let mut other_label = PoseidonTranscript::new(b"zkpot-tesu");
        other_label.absorb_u64(1);
        other_label.absorb_u64(2);
        let other_label = other_label.challenge();
        for c in [swapped, changed, other_label] {
            assert_ne!(c, base);
        }
    }

    #[test]
    fn encodings_agree() {
        let xs: Vec<Fr> = (0..11u64).map(Fr::from).collect();
        let one_by_one = first_challenge(|t| xs.iter().for_each(|x| t.absorb_field(x)));
        assert_eq!(one_by_one, first_challenge(|t| t.absorb_fields(&xs)));
        assert_eq!(
            first_challenge(|t| t.absorb_i64(-3)),
            first_challenge(|t| t.absorb_field(&-Fr::from(3u64)))
        );
        assert_ne!(
            first_challenge(|t| t.absorb_i64(-3)),
            first_challenge(|t| t.absorb_i64(3))
        );

        // challenges(n) equals n single squeezes, across a permutation boundary.
        let mut a = PoseidonTranscript::new(b"x");
        let mut b = a.clone();
        let many = a.challenges(9);
        let single: Vec<Fr> = (0..9).map(|_| b.challenge()).collect();
        assert_eq!(many, single);
        assert_eq!(a.challenge(), b.challenge());
        // Interleaving absorbs and squeezes stays in sync too.
        a.absorb_u64(5);
        b.absorb_field(&Fr::from(5u64));
        assert_eq!(a.challenge_128(), b.challenge_128());
    }

    #[test]
    fn bytes_are_unambiguous() {
        let inputs: [&[u8]; 5] = [&[], &[0], &[0, 0], &[7; 31], &[7; 32]];
        let cs: Vec<Fr> = inputs
            .iter()
            .map(|bytes| first_challenge(|t| t.absorb_bytes(bytes)))
            .collect();
        for i in 0..cs.len() {
            for j in 0..i {
                assert_ne!(cs[i], cs[j], "inputs {i} and {j} collide");
            }
        }
        // The documented encoding: length, then 31-byte little-endian chunks.
        let bytes: Vec<u8> = (1..=32).collect();
        let expected = first_challenge(|t| {
            t.absorb_field(&Fr::from(32u64));
            t.absorb_field(&Fr::from_le_bytes_mod_order(&bytes[..31]));
            t.absorb_field(&Fr::from(32u64));
        });
        assert_eq!(first_challenge(|t| t.absorb_bytes(&bytes)), expected);
        // The label is absorbed the same way.
        let mut t = PoseidonTranscript {
            sponge: PoseidonSponge::new(config_ref()),
        };
        t.absorb_bytes(b"zkpot-test");
        assert_eq!(t.challenge(), first_challenge(|_| {}));
    }

    #[test]
    fn point_encoding() {
        assert_eq!(point_to_fields(&G1Affine::zero()), [Fr::zero(); 4]);
        let g = G1Affine::generator();
        let fields = point_to_fields(&g);
        // BN254's generator is (1, 2).
        assert_eq!(fields, [Fr::one(), Fr::zero(), Fr::from(2u64), Fr::zero()]);

        let p = (g * Fr::from(123_456_789u64)).into_affine();
        let [x_lo, x_hi, y_lo, y_hi] = point_to_fields(&p);
        let limb_bits = |f: &Fr| f.into_bigint().num_bits();
        assert!(limb_bits(&x_lo) <= 128 && limb_bits(&y_lo) <= 128);
        assert!(limb_bits(&x_hi) <= 126 && limb_bits(&y_hi) <= 126);
        // Recombining the limbs as integers, x_lo + 2^128 x_hi, gives the coordinates
        // (in the integers: q > p, so not in Fr).
        let recombine = |lo: Fr, hi: Fr| {
            let mut bytes = lo.into_bigint().to_bytes_le();
            bytes.truncate(16);
            bytes.extend_from_slice(&hi.into_bigint().to_bytes_le()[..16]);
            Fq::from_le_bytes_mod_order(&bytes)
        };
        assert_eq!(recombine(x_lo, x_hi), p.x);
        assert_eq!(recombine(y_lo, y_hi), p.y);

        let with_point = first_challenge(|t| t.absorb_point(&p));
        assert_eq!(
            with_point,
            first_challenge(|t| t.absorb_fields(&[x_lo, x_hi, y_lo, y_hi]))
        );
        assert_ne!(with_point, first_challenge(|t| t.absorb_point(&g)));
    }

    #[test]
    fn challenge_128_is_low_bits() {
        let mut a = PoseidonTranscript::new(b"bits");
        let mut b = a.clone();
        for _ in 0..10 {
            let short = a.challenge_128();
            assert!(short.into_bigint().num_bits() <= 128);
            // squeeze_bits(128) takes the low 128 bits of one squeezed element.
            let mut full = b.challenge().into_bigint().to_bytes_le();
            full.truncate(16);
            assert_eq!(short, Fr::from_le_bytes_mod_order(&full));
        }
    }
}
