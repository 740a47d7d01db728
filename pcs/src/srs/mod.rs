//! The structured reference string (SRS) of HyperKZG: a universal powers-of-tau setup.
//!
//! An SRS of power `p` is
//!
//! ```text
//! [tau^0]_1, [tau^1]_1, ..., [tau^(2^p - 1)]_1      (G1)
//! [1]_2, [tau]_2                                     (G2)
//! ```
//!
//! for a secret `tau` nobody may know: `[x]_1 = x * G1` and `[x]_2 = x * G2` for the
//! standard BN254 generators. A table of up to `2^p` entries is committed to as
//! `sum_i f_i [tau^i]_1`, and KZG openings are checked with pairings against `[1]_2` and
//! `[tau]_2`. The setup is *universal*: one SRS serves every table up to its size, and a
//! prefix of it ([`Srs::truncate`]) is the SRS of a smaller power.
//!
//! # Where it comes from
//!
//! * **A ceremony** ([`Srs::import_ptau`]): the `.ptau` files of snarkjs and of the
//!   Perpetual Powers of Tau (BN254, "bn128"), whose `tau` is the product of every
//!   participant's secret and is unknown as long as one participant destroyed theirs. The
//!   file format and what importing checks are in [`ptau`]; the origin records the
//!   file's SHA-256 ([`SrsOrigin::Ceremony`]), so anyone can compare it with the published
//!   ceremony files.
//! * **Development** ([`Srs::dev`], [`Srs::dev_seeded`]): `tau` sampled here. **Whoever
//!   knows `tau` can open any commitment to any value, that is forge proofs**; a seeded
//!   SRS's `tau` is known to everyone who knows the seed. For tests and benchmarks only;
//!   its origin ([`SrsOrigin::Dev`]) says so when printed.
//!
//! # The digest
//!
//! [`Srs::digest`] identifies the points, whatever their origin: the SHA-256 of
//!
//! ```text
//! DIGEST_DOMAIN || le32(p) || c([tau^0]_1) || ... || c([tau^(2^p - 1)]_1) || c([1]_2) || c([tau]_2)
//! ```
//!
//! where `c` is arkworks' canonical compressed serialization (32 bytes a `G1` point, 64 a
//! `G2` point) and [`DIGEST_DOMAIN`] the domain label. It is computed once, when the SRS is
//! built; statements bind it.
//!
//! # Checks
//!
//! [`Srs::check_powers`] checks that the points are what they claim to be: `[tau^0]_1` is
//! the generator, `[tau]_2` is not the identity, and for random 128-bit `r_i`,
//!
//! ```text
//! e(sum_i r_i [tau^(i+1)]_1, [1]_2) = e(sum_i r_i [tau^i]_1, [tau]_2),   i < 2^p - 1,
//! ```
//!
//! two multi-scalar multiplications and two pairings. If some power is not `tau` times the
//! previous one (with `tau` the logarithm of `[tau]_2`), the two sides differ except with
//! probability at most `2^-128` over the `r_i`. Importing a `.ptau` file runs it with
//! randomness from the operating system; reading an SRS file of ours ([`mod@file`]) checks
//! the file's integrity and each point, and the digest, but not the powers: run
//! [`Srs::check_powers`] on a file from an untrusted source.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod error;
pub mod file;
pub mod ptau;

use std::{fmt, path::Path};

use ark_bn254::{Bn254, G2Affine};
use ark_ec::{
    pairing::Pairing, scalar_mul::BatchMulPreprocessing, AffineRepr, CurveGroup, VariableBaseMSM,
};
use ark_ff::{Field, UniformRand, Zero};
use ark_serialize::CanonicalSerialize;
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use zkpot_core::{Fr, G1Affine, G1};

pub use error::{Group, SrsError};

/// The largest power an SRS may have: `2^28` `G1` powers, the size of the largest
/// Perpetual Powers of Tau file.
pub const MAX_POWER: u32 = 28;

/// The domain label at the front of [`Srs::digest`]'s input.
pub const DIGEST_DOMAIN: &[u8] = b"zkpot-pcs/srs/v1";

/// Points serialized, decoded or hashed at once (bounds the temporary buffers).
const CHUNK_POINTS: usize = 1 << 16;

/// Where an SRS comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SrsOrigin {
    /// Sampled locally: whoever knows `tau` (or the seed) can forge proofs.
    Dev {
        /// The seed of [`Srs::dev_seeded`]; `None` for [`Srs::dev`].
        seed: Option<u64>,
    },
    /// Imported from a powers-of-tau ceremony's `.ptau` file.
    Ceremony {
        /// The SHA-256 of the whole file.
        file_sha256: [u8; 32],
        /// The ceremony's power, from the file's header (at least the file's power; more
        /// for a file truncated from a bigger ceremony).
        ceremony_power: u32,
    },
}

impl fmt::Display for SrsOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SrsOrigin::Dev { seed: Some(seed) } => write!(
                f,
                "development (seed {seed}): whoever sampled tau can forge proofs"
            ),
            SrsOrigin::Dev { seed: None } => write!(
                f,
                "development (random tau): whoever sampled tau can forge proofs"
            ),
            SrsOrigin::Ceremony { file_sha256, .. } => {
                write!(f, "ceremony file sha256 {}", hex(file_sha256))
            }
        }
    }
}

/// A universal powers-of-tau SRS of BN254 (see the [module documentation](self)).
#[derive(Clone, PartialEq, Eq)]
pub struct Srs {
    power: u32,
    /// `[tau^i]_1` for `i < 2^power`.
    g1_powers: Vec<G1Affine>,
    /// `[tau]_2`.
    tau_g2: G2Affine,
    origin: SrsOrigin,
    /// [`Srs::digest`], computed at construction.
    digest: [u8; 32],
}

impl fmt::Debug for Srs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Srs")
            .field("power", &self.power)
            .field("origin", &self.origin)
            .field("digest", &hex(&self.digest))
            .finish_non_exhaustive()
    }
}

impl Srs {
    /// A development SRS of power `power` with `tau` sampled from `rng` (origin
    /// [`SrsOrigin::Dev`] without a seed). Whoever sees `tau` (here: anyone who can
    /// replay `rng`) can forge proofs.
    ///
    /// # Panics
    ///
    /// If `power` is above [`MAX_POWER`].
    pub fn dev<R: RngCore + ?Sized>(power: u32, rng: &mut R) -> Srs {
        assert!(
            power <= MAX_POWER,
            "SRS power {power} is above MAX_POWER = {MAX_POWER}"
        );
        let tau = loop {
            let tau = Fr::rand(rng);
            if !tau.is_zero() {
                break tau;
            }
        };
        let n = 1usize << power;
        let table =
            BatchMulPreprocessing::new(G1Affine::generator().into_group(), n.min(CHUNK_POINTS));
        let mut g1_powers = Vec::with_capacity(n);
        let mut next = Fr::ONE;
        let mut scalars = Vec::with_capacity(n.min(CHUNK_POINTS));
        while g1_powers.len() < n {
            scalars.clear();
            for _ in 0..(n - g1_powers.len()).min(CHUNK_POINTS) {
                scalars.push(next);
                next *= tau;
            }
            g1_powers.extend(table.batch_mul(&scalars));
        }
        let tau_g2 = (G2Affine::generator() * tau).into_affine();
        Srs::from_parts(power, g1_powers, tau_g2, SrsOrigin::Dev { seed: None })
    }

    /// A development SRS whose `tau` is drawn from ChaCha20 seeded with `seed`
    /// (`ChaCha20Rng::seed_from_u64`): the same seed gives the same SRS. Everyone who
    /// knows the seed knows `tau` and can forge proofs.
    ///
    /// # Panics
    ///
    /// If `power` is above [`MAX_POWER`].
    pub fn dev_seeded(power: u32, seed: u64) -> Srs {
        let mut srs = Srs::dev(power, &mut ChaCha20Rng::seed_from_u64(seed));
        srs.origin = SrsOrigin::Dev { seed: Some(seed) };
        srs
    }

    /// Imports the first `2^power` powers of a `.ptau` file (all `2^file_power` when
    /// `power` is `None`) and checks them, as [`ptau`] describes. The file is read in
    /// place (only the header, the powers used and `tauG2[0..2]`) and hashed in full for
    /// the origin.
    pub fn import_ptau(path: &Path, power: Option<u32>) -> Result<Srs, SrsError> {
        ptau::import_file(path, power)
    }

    /// [`Srs::import_ptau`] on the bytes of a `.ptau` file.
    pub fn import_ptau_bytes(bytes: &[u8], power: Option<u32>) -> Result<Srs, SrsError> {
        ptau::import_bytes(bytes, power)
    }

    /// The power `p`: the SRS has `2^p` `G1` powers.
    pub fn power(&self) -> u32 {
        self.power
    }

    /// `[tau^i]_1` for `i < 2^power`; the first is the `G1` generator.
    pub fn g1_powers(&self) -> &[G1Affine] {
        &self.g1_powers
    }

    /// `[1]_2`, the standard `G2` generator.
    pub fn g2(&self) -> G2Affine {
        G2Affine::generator()
    }

    /// `[tau]_2`.
    pub fn tau_g2(&self) -> G2Affine {
        self.tau_g2
    }

    /// Where the SRS comes from.
    pub fn origin(&self) -> &SrsOrigin {
        &self.origin
    }

    /// The digest of the points (see the [module documentation](self)); equal points
    /// give equal digests, whatever their origin.
    pub fn digest(&self) -> [u8; 32] {
        self.digest
    }

    /// The SRS of the first `2^power` powers (same `[tau]_2` and origin, its own digest).
    pub fn truncate(&self, power: u32) -> Result<Srs, SrsError> {
        if power > self.power {
            return Err(SrsError::PowerUnavailable {
                wanted: power,
                available: self.power,
            });
        }
        let g1_powers = self
            .g1_powers
            .get(..1usize << power)
            .ok_or(SrsError::PowerUnavailable {
                wanted: power,
                available: self.power,
            })?
            .to_vec();
        Ok(Srs::from_parts(
            power,
            g1_powers,
            self.tau_g2,
            self.origin.clone(),
        ))
    }

    /// Checks that the points are consistent powers of one `tau` (see the
    /// [module documentation](self)), drawing the random coefficients from `rng`: the
    /// first power is the generator ([`SrsError::WrongGenerator`]), `[tau]_2` is not the
    /// identity ([`SrsError::PointAtInfinity`]), and the pairing check holds
    /// ([`SrsError::PowersInconsistent`]). At power 0 there is no `[tau]_1` to check
    /// `[tau]_2` against, so only the first two checks apply.
    pub fn check_powers<R: RngCore + ?Sized>(&self, rng: &mut R) -> Result<(), SrsError> {
        if self.g1_powers.first() != Some(&G1Affine::generator()) {
            return Err(SrsError::WrongGenerator { group: Group::G1 });
        }
        if self.tau_g2.is_zero() {
            return Err(SrsError::PointAtInfinity {
                group: Group::G2,
                index: 1,
            });
        }
        let (Some(lower), Some(upper)) = (
            self.g1_powers.split_last().map(|(_, rest)| rest),
            self.g1_powers.split_first().map(|(_, rest)| rest),
        ) else {
            return Err(SrsError::WrongGenerator { group: Group::G1 });
        };
        if lower.is_empty() {
            return Ok(());
        }
        let r: Vec<Fr> = (0..lower.len())
            .map(|_| {
                let mut bytes = [0u8; 16];
                rng.fill_bytes(&mut bytes);
                Fr::from(u128::from_le_bytes(bytes))
            })
            .collect();
        let (upper_sum, lower_sum) = rayon::join(
            || G1::msm_unchecked(upper, &r),
            || G1::msm_unchecked(lower, &r),
        );
        // e(upper, [1]_2) * e(-lower, [tau]_2) = 1.
        let product = Bn254::final_exponentiation(Bn254::multi_miller_loop(
            [upper_sum.into_affine(), (-lower_sum).into_affine()],
            [G2Affine::generator(), self.tau_g2],
        ));
        match product {
            Some(p) if p.is_zero() => Ok(()),
            _ => Err(SrsError::PowersInconsistent),
        }
    }

    /// Writes the SRS to `path` in the format of [`mod@file`], atomically (the folder is
    /// created if missing).
    pub fn write_file(&self, path: &Path) -> Result<(), SrsError> {
        file::write_file(self, path)
    }

    /// [`Srs::write_file`] unless a file is at `path` already: `Ok(false)` then, the file
    /// left as it is (two processes that sample an SRS at once agree on the first).
    pub fn write_file_new(&self, path: &Path) -> Result<bool, SrsError> {
        file::write_file_new(self, path)
    }

    /// Reads an SRS written by [`Srs::write_file`], with the checks of [`mod@file`].
    pub fn read_file(path: &Path) -> Result<Srs, SrsError> {
        file::read_file(path)
    }

    /// The SRS in the format of [`mod@file`].
    pub fn to_bytes(&self) -> Vec<u8> {
        file::to_bytes(self)
    }

    /// Reads the bytes of an SRS file, with the checks of [`mod@file`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Srs, SrsError> {
        file::from_bytes(bytes)
    }

    /// An SRS from its parts, computing the digest. `g1_powers` has `2^power` points.
    fn from_parts(
        power: u32,
        g1_powers: Vec<G1Affine>,
        tau_g2: G2Affine,
        origin: SrsOrigin,
    ) -> Srs {
        debug_assert_eq!(g1_powers.len(), 1usize << power);
        let digest = digest(power, &g1_powers, &tau_g2);
        Srs {
            power,
            g1_powers,
            tau_g2,
            origin,
            digest,
        }
    }
}

/// The digest of the module documentation.
fn digest(power: u32, g1_powers: &[G1Affine], tau_g2: &G2Affine) -> [u8; 32] {
    const G1_COMPRESSED: usize = 32;
    let mut hasher = Sha256::new();
    hasher.update(DIGEST_DOMAIN);
    hasher.update(power.to_le_bytes());
    let mut buf = Vec::new();
    for chunk in g1_powers.chunks(CHUNK_POINTS) {
        buf.clear();
        buf.resize(chunk.len() * G1_COMPRESSED, 0);
        buf.par_chunks_exact_mut(G1_COMPRESSED)
            .zip(chunk.par_iter())
            .for_each(|(mut out, point)| {
                // Writing a point into a slice of its exact size cannot fail.
                let written = point.serialize_compressed(&mut out);
                debug_assert!(written.is_ok());
            });
        hasher.update(&buf);
    }
    for point in [G2Affine::generator(), *tau_g2] {
        buf.clear();
        // Writing into a Vec cannot fail.
        let written = point.serialize_compressed(&mut buf);
        debug_assert!(written.is_ok());
        hasher.update(&buf);
    }
    hasher.finalize().into()
}

/// `bytes` as lowercase hex.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn dev_powers_are_powers() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let srs = Srs::dev(4, &mut rng);
        assert_eq!(srs.g1_powers().len(), 16);
        assert_eq!(srs.g1_powers()[0], G1Affine::generator());
        let tau = loop {
            let tau = Fr::rand(&mut ChaCha20Rng::seed_from_u64(1));
            if !tau.is_zero() {
                break tau;
            }
        };
        for (i, p) in srs.g1_powers().iter().enumerate() {
            assert_eq!(
                *p,
                (G1Affine::generator() * tau.pow([i as u64])).into_affine()
            );
        }
        assert_eq!(srs.tau_g2(), (G2Affine::generator() * tau).into_affine());
        srs.check_powers(&mut rng).unwrap();
    }

    #[test]
    fn power_zero_has_one_power() {
        let srs = Srs::dev_seeded(0, 3);
        assert_eq!(srs.g1_powers(), &[G1Affine::generator()]);
        srs.check_powers(&mut ChaCha20Rng::seed_from_u64(0))
            .unwrap();
    }
}
