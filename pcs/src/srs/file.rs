//! The SRS file: an SRS saved once (imported or sampled) and read back without redoing
//! the import's checks.
//!
//! # Format (the envelope's version 2)
//!
//! All integers are little-endian. With `p` the power:
//!
//! | bytes | content |
//! |---|---|
//! | 13 | the envelope of every zkpot file ([`zkpot_core::io`]), kind [`FileKind::Srs`] |
//! | 32 | the digest ([`Srs::digest`]) |
//! | 1 | the origin's tag: 0 development with a random `tau`, 1 development from a seed, 2 ceremony |
//! | 0, 8 or 36 | the origin: nothing; the seed (`u64`); the ceremony file's SHA-256 (32 bytes) and the ceremony's power (`u32`) |
//! | 4 | `p`, `u32` |
//! | `64 * 2^p` | `[tau^i]_1` for `i < 2^p`, arkworks' uncompressed serialization |
//! | 128 | `[tau]_2`, arkworks' uncompressed serialization |
//! | 32 | the SHA-256 of every byte before it |
//!
//! `[1]_2` is not stored: it is the standard generator.
//!
//! # What reading checks
//!
//! In this order: the envelope ([`SrsError::Envelope`]); the header within the input
//! ([`SrsError::Truncated`]) and its origin tag ([`SrsError::UnknownOrigin`]);
//! `p <= MAX_POWER` ([`SrsError::PowerTooLarge`]); the length is the one `p` implies
//! ([`SrsError::FileLength`]), all before anything is allocated; the trailing SHA-256
//! ([`SrsError::FileHashMismatch`]); each point, read with `Validate::Yes`
//! ([`SrsError::PointEncoding`], [`SrsError::NotOnCurve`], [`SrsError::NotInSubgroup`],
//! [`SrsError::PointAtInfinity`]); the first power is the generator
//! ([`SrsError::WrongGenerator`]); the stored digest is the points' digest
//! ([`SrsError::DigestMismatch`]).
//!
//! The hash and the digest catch a damaged file, not a file rewritten on purpose with
//! both recomputed: [`Srs::check_powers`] does (in time linear in `2^p`, an MSM), and
//! should be run on a file from an untrusted source. The origin is what the file says.

use std::path::Path;

use ark_ec::{
    short_weierstrass::{Affine, SWCurveConfig},
    AffineRepr,
};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use zkpot_core::{
    io::{envelope, open_envelope_of, write_atomic, FileKind, ENVELOPE_LEN},
    G1Affine,
};

use super::{digest, Group, Srs, SrsError, SrsOrigin, CHUNK_POINTS, MAX_POWER};

/// Bytes of a `G1` point, uncompressed.
const G1_BYTES: usize = 64;
/// Bytes of a `G2` point, uncompressed.
const G2_BYTES: usize = 128;
/// Bytes of a SHA-256 hash.
const HASH_BYTES: usize = 32;

/// Origin tags.
const TAG_DEV: u8 = 0;
const TAG_DEV_SEEDED: u8 = 1;
const TAG_CEREMONY: u8 = 2;

/// The file's bytes.
pub(super) fn to_bytes(srs: &Srs) -> Vec<u8> {
    let num_points = srs.g1_powers.len();
    let mut out = envelope(FileKind::Srs);
    out.reserve(HASH_BYTES + 41 + num_points * G1_BYTES + G2_BYTES + HASH_BYTES);
    out.extend_from_slice(&srs.digest);
    match &srs.origin {
        SrsOrigin::Dev { seed: None } => out.push(TAG_DEV),
        SrsOrigin::Dev { seed: Some(seed) } => {
            out.push(TAG_DEV_SEEDED);
            out.extend_from_slice(&seed.to_le_bytes());
        }
        SrsOrigin::Ceremony {
            file_sha256,
            ceremony_power,
        } => {
            out.push(TAG_CEREMONY);
            out.extend_from_slice(file_sha256);
            out.extend_from_slice(&ceremony_power.to_le_bytes());
        }
    }
    out.extend_from_slice(&srs.power.to_le_bytes());
    let start = out.len();
    out.resize(start + num_points * G1_BYTES, 0);
    if let Some(points) = out.get_mut(start..) {
        points
            .par_chunks_exact_mut(G1_BYTES)
            .zip(srs.g1_powers.par_iter())
            .for_each(|(mut slot, point)| {
                // Writing a point into a slice of its exact size cannot fail.
                let written = point.serialize_uncompressed(&mut slot);
                debug_assert!(written.is_ok());
            });
    }
    // Writing into a Vec cannot fail.
    let written = srs.tau_g2.serialize_uncompressed(&mut out);
    debug_assert!(written.is_ok());
    let hash = Sha256::digest(&out);
    out.extend_from_slice(&hash);
    out
}

/// Reads the file's bytes (see the module documentation).
pub(super) fn from_bytes(bytes: &[u8]) -> Result<Srs, SrsError> {
    let len = bytes.len() as u64;
    let (_, payload) = open_envelope_of(bytes, &[FileKind::Srs], "an SRS")?;
    let truncated = |needed: usize| SrsError::Truncated {
        what: "the SRS file header",
        needed: (ENVELOPE_LEN + needed) as u64,
        len,
    };
    let (stored_digest, rest) = payload
        .split_first_chunk::<HASH_BYTES>()
        .ok_or(truncated(HASH_BYTES + 1))?;
    let (&tag, rest) = rest.split_first().ok_or(truncated(HASH_BYTES + 1))?;
    let origin_len = match tag {
        TAG_DEV => 0,
        TAG_DEV_SEEDED => 8,
        TAG_CEREMONY => HASH_BYTES + 4,
        tag => return Err(SrsError::UnknownOrigin { tag }),
    };
    let header_len = HASH_BYTES + 1 + origin_len + 4;
    let (origin, rest) = rest
        .split_at_checked(origin_len)
        .ok_or(truncated(header_len))?;
    let origin = match tag {
        TAG_DEV => SrsOrigin::Dev { seed: None },
        TAG_DEV_SEEDED => SrsOrigin::Dev {
            seed: Some(u64::from_le_bytes(
                origin.try_into().map_err(|_| truncated(header_len))?,
            )),
        },
        _ => {
            let (file_sha256, power) = origin
                .split_first_chunk::<HASH_BYTES>()
                .ok_or(truncated(header_len))?;
            SrsOrigin::Ceremony {
                file_sha256: *file_sha256,
                ceremony_power: u32::from_le_bytes(
                    power.try_into().map_err(|_| truncated(header_len))?,
                ),
            }
        }
    };
    let (power, points) = rest.split_first_chunk::<4>().ok_or(truncated(header_len))?;
    let power = u32::from_le_bytes(*power);
    if power > MAX_POWER {
        return Err(SrsError::PowerTooLarge {
            power,
            max: MAX_POWER,
        });
    }

    // The length, before anything sized by the power is allocated.
    let num_points = 1usize << power;
    let expected = ENVELOPE_LEN + header_len + num_points * G1_BYTES + G2_BYTES + HASH_BYTES;
    if bytes.len() != expected {
        return Err(SrsError::FileLength {
            expected: expected as u64,
            found: len,
        });
    }
    let (content, hash) = bytes
        .split_last_chunk::<HASH_BYTES>()
        .ok_or(truncated(header_len))?;
    if Sha256::digest(content).as_slice() != hash {
        return Err(SrsError::FileHashMismatch);
    }

    let (g1_bytes, rest) = points
        .split_at_checked(num_points * G1_BYTES)
        .ok_or(truncated(header_len))?;
    let tau_g2 = decode::<ark_bn254::g2::Config>(
        rest.get(..G2_BYTES).ok_or(truncated(header_len))?,
        Group::G2,
        1,
    )?;
    let mut g1_powers = Vec::with_capacity(num_points);
    for (c, chunk) in g1_bytes.chunks(CHUNK_POINTS * G1_BYTES).enumerate() {
        let decoded: Vec<Result<G1Affine, SrsError>> = chunk
            .par_chunks_exact(G1_BYTES)
            .enumerate()
            .map(|(j, point)| {
                decode::<ark_bn254::g1::Config>(point, Group::G1, (c * CHUNK_POINTS + j) as u64)
            })
            .collect();
        for point in decoded {
            g1_powers.push(point?);
        }
    }
    if g1_powers.first() != Some(&G1Affine::generator()) {
        return Err(SrsError::WrongGenerator { group: Group::G1 });
    }
    let computed = digest(power, &g1_powers, &tau_g2);
    if computed != *stored_digest {
        return Err(SrsError::DigestMismatch);
    }
    Ok(Srs {
        power,
        g1_powers,
        tau_g2,
        origin,
        digest: computed,
    })
}

/// Decodes point `index` of `group` with `Validate::Yes`, naming the failed check.
fn decode<P: SWCurveConfig>(bytes: &[u8], group: Group, index: u64) -> Result<Affine<P>, SrsError> {
    match Affine::<P>::deserialize_with_mode(bytes, Compress::No, Validate::Yes) {
        Ok(point) if point.is_zero() => Err(SrsError::PointAtInfinity { group, index }),
        Ok(point) => Ok(point),
        Err(_) => Err(
            match Affine::<P>::deserialize_with_mode(bytes, Compress::No, Validate::No) {
                Err(_) => SrsError::PointEncoding { group, index },
                Ok(point) if !point.is_on_curve() => SrsError::NotOnCurve { group, index },
                Ok(_) => SrsError::NotInSubgroup { group, index },
            },
        ),
    }
}

/// Writes the file atomically, creating its folder if missing.
pub(super) fn write_file(srs: &Srs, path: &Path) -> Result<(), SrsError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| SrsError::io("create directory", dir, e))?;
    }
    write_atomic(path, &to_bytes(srs)).map_err(|e| SrsError::io("write", path, e))
}

/// Writes the SRS to `path` unless a file is there already (`Ok(false)`, the file left
/// as it is).
pub(super) fn write_file_new(srs: &Srs, path: &Path) -> Result<bool, SrsError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| SrsError::io("create directory", dir, e))?;
    }
    zkpot_core::io::write_new(path, &to_bytes(srs)).map_err(|e| SrsError::io("write", path, e))
}

/// Reads the file at `path`.
pub(super) fn read_file(path: &Path) -> Result<Srs, SrsError> {
    let bytes = std::fs::read(path).map_err(|e| SrsError::io("read", path, e))?;
    from_bytes(&bytes)
}
