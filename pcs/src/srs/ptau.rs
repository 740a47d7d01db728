//! Importing a powers-of-tau ceremony's `.ptau` file (snarkjs, Perpetual Powers of Tau;
//! BN254, which snarkjs calls "bn128").
//!
//! # The format
//!
//! All integers are little-endian. A file is
//!
//! | bytes | content |
//! |---|---|
//! | 4 | magic `b"ptau"` |
//! | 4 | format version, `u32`: 1 |
//! | 4 | number of sections, `u32` |
//!
//! then that many sections, each a `u32` type, a `u64` size and `size` bytes of data.
//! Sections may come in any order and are found by type; the SRS uses three, each of which
//! must appear exactly once, and ignores the others (4: `alphaTauG1`, 5: `betaTauG1`,
//! 6: `betaG2`, 7: the contributions, and 12 to 15, the Lagrange bases of files prepared
//! for phase 2).
//!
//! * **1, the header**, 44 bytes: `n8`, the bytes of a base-field element (`u32`, 32);
//!   the prime `q` (`n8` bytes); the file's power `p` (`u32`); the ceremony's power
//!   (`u32`; larger than `p` in a file truncated from a bigger ceremony).
//! * **2, `tauG1`**: the `2^(p+1) - 1` points `[tau^i]_1`, 64 bytes each.
//! * **3, `tauG2`**: the `2^p` points `[tau^i]_2`, 128 bytes each.
//!
//! A `G1` point is `x` then `y`, a `G2` point `x.c0, x.c1, y.c0, y.c1` (with
//! `Fq2 = Fq[u]/(u^2 + 1)`, `c0 + c1 u`), each coordinate in Montgomery form: the 32
//! little-endian bytes of `a * 2^256 mod q`, which is also how arkworks holds an `Fq`
//! internally. snarkjs writes the point at infinity as all zero bytes (`x = y = 0`), which
//! is not on the curve; no power of a nonzero `tau` is the point at infinity.
//!
//! # What importing checks
//!
//! In this order, each failure its own [`SrsError`] variant:
//!
//! 1. the power asked for is at most [`MAX_POWER`] ([`SrsError::PowerTooLarge`]);
//! 2. the magic ([`SrsError::NotPtau`]) and the version ([`SrsError::UnsupportedPtauVersion`]);
//! 3. every section lies within the input ([`SrsError::Truncated`]); sections 1, 2 and 3
//!    are there ([`SrsError::SectionMissing`]), once each ([`SrsError::SectionDuplicated`]);
//! 4. the header: `n8 = 32` ([`SrsError::WrongFieldSize`]), its size is 44
//!    ([`SrsError::SectionSize`]), `q` is BN254's base-field modulus
//!    ([`SrsError::WrongCurve`]), `p <= MAX_POWER` ([`SrsError::PowerTooLarge`]), and
//!    `p` is at least the power asked for, and at least 1 ([`SrsError::PowerUnavailable`]);
//! 5. sections 2 and 3 have exactly `64 (2^(p+1) - 1)` and `128 * 2^p` bytes
//!    ([`SrsError::SectionSize`]);
//! 6. each point read is a point of its group: coordinates below `q`
//!    ([`SrsError::PointEncoding`]), not the point at infinity
//!    ([`SrsError::PointAtInfinity`]), on the curve ([`SrsError::NotOnCurve`]), in the
//!    prime-order subgroup ([`SrsError::NotInSubgroup`]; always true in `G1`, whose
//!    cofactor is 1). First `tauG2[0]` and `tauG2[1]`, and `tauG2[0]` is the standard
//!    generator ([`SrsError::WrongGenerator`]); then the `tauG1` powers in index order;
//! 7. [`Srs::check_powers`], with randomness from the operating system: `tauG1[0]` is the
//!    standard generator ([`SrsError::WrongGenerator`]) and the powers are consistent
//!    ([`SrsError::PowersInconsistent`]).
//!
//! No size from the section table or the header is used before it is checked against the
//! input's length, and nothing is allocated from an unchecked size. Only what
//! the SRS uses is read: the header, the first `2^power` points of `tauG1` and the first
//! two of `tauG2` (for power 0, `tauG1[1]` as well, to check `[tau]_2` against it); a
//! damaged point further on goes unnoticed, as it does not enter the SRS. The other
//! sections (the contributions in particular) are not verified: checking a ceremony's
//! transcript is snarkjs's `powersoftau verify`; the origin records the file's SHA-256 so
//! that it can be compared with the published file.

use std::{borrow::Cow, fs::File, io::Read, io::Seek, io::SeekFrom, path::Path};

use ark_bn254::{Fq2, G2Affine};
use ark_ec::{
    short_weierstrass::{Affine, SWCurveConfig},
    AffineRepr,
};
use ark_ff::{BigInt, PrimeField, Zero};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use zkpot_core::{Fq, G1Affine};

use super::{Group, Srs, SrsError, SrsOrigin, CHUNK_POINTS, MAX_POWER};

/// The first 4 bytes of a `.ptau` file.
pub const MAGIC: &[u8; 4] = b"ptau";

/// The `.ptau` format version read.
pub const VERSION: u32 = 1;

/// Bytes of a base-field element (the header's `n8`).
const N8: u32 = 32;
/// Bytes of the header section: `n8`, the prime, the power, the ceremony's power.
const HEADER_BYTES: u64 = 4 + N8 as u64 + 4 + 4;
/// Bytes of a `G1` point.
const G1_BYTES: usize = 64;
/// Bytes of a `G2` point.
const G2_BYTES: usize = 128;
/// Bytes of the preamble: magic, version, number of sections.
const PREAMBLE_BYTES: u64 = 12;
/// Bytes of a section's type and size.
const SECTION_HEADER_BYTES: u64 = 12;
/// Section types.
const SECTION_HEADER: u32 = 1;
const SECTION_TAU_G1: u32 = 2;
const SECTION_TAU_G2: u32 = 3;
/// Bytes hashed at once when hashing a file.
const HASH_BUFFER: usize = 1 << 20;

/// Imports from a file, reading it in place and hashing it on another thread.
pub(super) fn import_file(path: &Path, power: Option<u32>) -> Result<Srs, SrsError> {
    check_requested(power)?;
    let file = File::open(path).map_err(|e| SrsError::io("open", path, e))?;
    let len = file
        .metadata()
        .map_err(|e| SrsError::io("read metadata of", path, e))?
        .len();
    let mut source = FileSource { file, path, len };
    let layout = Layout::read(&mut source, power)?;
    let (hash, points) = std::thread::scope(|scope| {
        let hasher = scope.spawn(|| hash_file(path));
        let points = layout.load(&mut source);
        let hash = hasher
            .join()
            .unwrap_or_else(|payload| std::panic::resume_unwind(payload));
        (hash, points)
    });
    let (g1_powers, tau_g2) = points?;
    finish(&layout, g1_powers, tau_g2, hash?)
}

/// Imports from the bytes of a file, hashing them on another thread.
pub(super) fn import_bytes(bytes: &[u8], power: Option<u32>) -> Result<Srs, SrsError> {
    check_requested(power)?;
    let layout = Layout::read(&mut SliceSource(bytes), power)?;
    let (hash, points) = rayon::join(
        || <[u8; 32]>::from(Sha256::digest(bytes)),
        || layout.load(&mut SliceSource(bytes)),
    );
    let (g1_powers, tau_g2) = points?;
    finish(&layout, g1_powers, tau_g2, hash)
}

/// Check 1: the power asked for.
fn check_requested(power: Option<u32>) -> Result<(), SrsError> {
    match power {
        Some(power) if power > MAX_POWER => Err(SrsError::PowerTooLarge {
            power,
            max: MAX_POWER,
        }),
        _ => Ok(()),
    }
}

/// Check 7, and the cut to the power asked for.
fn finish(
    layout: &Layout,
    g1_powers: Vec<G1Affine>,
    tau_g2: G2Affine,
    file_sha256: [u8; 32],
) -> Result<Srs, SrsError> {
    let origin = SrsOrigin::Ceremony {
        file_sha256,
        ceremony_power: layout.ceremony_power,
    };
    let srs = Srs::from_parts(layout.read_power, g1_powers, tau_g2, origin);
    srs.check_powers(&mut rand::rngs::OsRng)?;
    if layout.power == layout.read_power {
        Ok(srs)
    } else {
        srs.truncate(layout.power)
    }
}

/// The SHA-256 of the file at `path`.
fn hash_file(path: &Path) -> Result<[u8; 32], SrsError> {
    let mut file = File::open(path).map_err(|e| SrsError::io("open", path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; HASH_BUFFER];
    loop {
        match file.read(&mut buf) {
            Ok(0) => return Ok(hasher.finalize().into()),
            Ok(n) => hasher.update(buf.get(..n).unwrap_or_default()),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(SrsError::io("read", path, e)),
        }
    }
}

/// Random access to the bytes of a `.ptau` file.
trait Source {
    /// The length of the input.
    fn len(&self) -> u64;
    /// The `len` bytes at `offset`, which the caller has checked lie within the input.
    fn read_at(&mut self, offset: u64, len: usize) -> Result<Cow<'_, [u8]>, SrsError>;
}

/// A file in memory.
struct SliceSource<'a>(&'a [u8]);

impl Source for SliceSource<'_> {
    fn len(&self) -> u64 {
        self.0.len() as u64
    }

    fn read_at(&mut self, offset: u64, len: usize) -> Result<Cow<'_, [u8]>, SrsError> {
        let truncated = || SrsError::Truncated {
            what: "the points",
            needed: offset.saturating_add(len as u64),
            len: self.0.len() as u64,
        };
        let start = usize::try_from(offset).map_err(|_| truncated())?;
        let end = start.checked_add(len).ok_or_else(truncated)?;
        self.0
            .get(start..end)
            .map(Cow::Borrowed)
            .ok_or_else(truncated)
    }
}

/// A file on disk.
struct FileSource<'p> {
    file: File,
    path: &'p Path,
    len: u64,
}

impl Source for FileSource<'_> {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&mut self, offset: u64, len: usize) -> Result<Cow<'_, [u8]>, SrsError> {
        let mut buf = vec![0u8; len];
        self.file
            .seek(SeekFrom::Start(offset))
            .and_then(|_| self.file.read_exact(&mut buf))
            .map_err(|e| SrsError::io("read", self.path, e))?;
        Ok(Cow::Owned(buf))
    }
}

/// What checks 2 to 5 learn: where the points are and how many to read.
struct Layout {
    /// The ceremony's power (header).
    ceremony_power: u32,
    /// The power asked for (the file's if none was).
    power: u32,
    /// The power read and checked: `power`, or 1 if `power` is 0.
    read_power: u32,
    /// Offset of `tauG1[0]`.
    tau_g1: u64,
    /// Offset of `tauG2[0]`.
    tau_g2: u64,
}

/// A section's place in the input.
#[derive(Clone, Copy)]
struct Section {
    offset: u64,
    size: u64,
}

impl Layout {
    /// Checks 2 to 5.
    fn read(source: &mut impl Source, power: Option<u32>) -> Result<Layout, SrsError> {
        let len = source.len();
        let preamble = source.read_at(0, PREAMBLE_BYTES.min(len) as usize)?;
        let (magic, rest) =
            preamble
                .split_first_chunk::<4>()
                .ok_or(if MAGIC.starts_with(&preamble) {
                    SrsError::Truncated {
                        what: "the ptau preamble",
                        needed: PREAMBLE_BYTES,
                        len,
                    }
                } else {
                    SrsError::NotPtau
                })?;
        if magic != MAGIC {
            return Err(SrsError::NotPtau);
        }
        let (version, rest) = rest.split_first_chunk::<4>().ok_or(SrsError::Truncated {
            what: "the ptau preamble",
            needed: PREAMBLE_BYTES,
            len,
        })?;
        let version = u32::from_le_bytes(*version);
        if version != VERSION {
            return Err(SrsError::UnsupportedPtauVersion { version });
        }
        let num_sections = rest
            .first_chunk::<4>()
            .map(|n| u32::from_le_bytes(*n))
            .ok_or(SrsError::Truncated {
                what: "the ptau preamble",
                needed: PREAMBLE_BYTES,
                len,
            })?;

        let [header, tau_g1, tau_g2] = find_sections(source, num_sections)?;
        let (ceremony_power, file_power) = read_header(source, header)?;

        let power = power.unwrap_or(file_power);
        if power > file_power {
            return Err(SrsError::PowerUnavailable {
                wanted: power,
                available: file_power,
            });
        }
        if file_power == 0 {
            return Err(SrsError::PowerUnavailable {
                wanted: 1,
                available: 0,
            });
        }
        // file_power <= MAX_POWER = 28: these fit in a u64.
        let num_g2 = 1u64 << file_power;
        let num_g1 = 2 * num_g2 - 1;
        for (section, found, expected) in [
            (SECTION_TAU_G1, tau_g1, num_g1 * G1_BYTES as u64),
            (SECTION_TAU_G2, tau_g2, num_g2 * G2_BYTES as u64),
        ] {
            if found.size != expected {
                return Err(SrsError::SectionSize {
                    section,
                    expected,
                    found: found.size,
                });
            }
        }
        Ok(Layout {
            ceremony_power,
            power,
            read_power: power.max(1),
            tau_g1: tau_g1.offset,
            tau_g2: tau_g2.offset,
        })
    }

    /// Check 6: reads `tauG2[0..2]` and the first `2^read_power` powers of `tauG1`.
    fn load(&self, source: &mut impl Source) -> Result<(Vec<G1Affine>, G2Affine), SrsError> {
        let len = source.len();
        let bytes = source.read_at(self.tau_g2, 2 * G2_BYTES)?;
        let (first, second) = bytes
            .split_at_checked(G2_BYTES)
            .ok_or(SrsError::Truncated {
                what: "section 3",
                needed: self.tau_g2 + 2 * G2_BYTES as u64,
                len,
            })?;
        let generator = decode_g2(first, 0)?;
        let tau_g2 = decode_g2(second, 1)?;
        if generator != G2Affine::generator() {
            return Err(SrsError::WrongGenerator { group: Group::G2 });
        }

        let n = 1usize << self.read_power;
        let mut g1_powers = Vec::with_capacity(n);
        while g1_powers.len() < n {
            let start = g1_powers.len();
            let count = (n - start).min(CHUNK_POINTS);
            let bytes =
                source.read_at(self.tau_g1 + (start * G1_BYTES) as u64, count * G1_BYTES)?;
            let decoded: Vec<Result<G1Affine, SrsError>> = bytes
                .par_chunks_exact(G1_BYTES)
                .enumerate()
                .map(|(j, point)| decode_g1(point, (start + j) as u64))
                .collect();
            for point in decoded {
                g1_powers.push(point?);
            }
        }
        Ok((g1_powers, tau_g2))
    }
}

/// Walks the section table (check 3): the sections 1, 2 and 3.
fn find_sections(source: &mut impl Source, num_sections: u32) -> Result<[Section; 3], SrsError> {
    let len = source.len();
    let mut found: [Option<Section>; 3] = [None; 3];
    let mut offset = PREAMBLE_BYTES;
    for _ in 0..num_sections {
        let needed = offset + SECTION_HEADER_BYTES;
        if needed > len {
            return Err(SrsError::Truncated {
                what: "the section table",
                needed,
                len,
            });
        }
        let entry = source.read_at(offset, SECTION_HEADER_BYTES as usize)?;
        let (kind, size) = entry.split_first_chunk::<4>().ok_or(SrsError::Truncated {
            what: "the section table",
            needed,
            len,
        })?;
        let kind = u32::from_le_bytes(*kind);
        let size = size
            .first_chunk::<8>()
            .map(|s| u64::from_le_bytes(*s))
            .unwrap_or(u64::MAX);
        let data = needed;
        let end = data.checked_add(size).filter(|&end| end <= len);
        let Some(end) = end else {
            return Err(SrsError::Truncated {
                what: match kind {
                    SECTION_HEADER => "section 1",
                    SECTION_TAU_G1 => "section 2",
                    SECTION_TAU_G2 => "section 3",
                    _ => "a section",
                },
                needed: data.saturating_add(size),
                len,
            });
        };
        let slot = match kind {
            SECTION_HEADER => found.get_mut(0),
            SECTION_TAU_G1 => found.get_mut(1),
            SECTION_TAU_G2 => found.get_mut(2),
            _ => None,
        };
        if let Some(slot) = slot {
            if slot.is_some() {
                return Err(SrsError::SectionDuplicated { section: kind });
            }
            *slot = Some(Section { offset: data, size });
        }
        offset = end;
    }
    let missing = |section: u32| SrsError::SectionMissing { section };
    let [header, tau_g1, tau_g2] = found;
    Ok([
        header.ok_or(missing(SECTION_HEADER))?,
        tau_g1.ok_or(missing(SECTION_TAU_G1))?,
        tau_g2.ok_or(missing(SECTION_TAU_G2))?,
    ])
}

/// Reads and checks the header (check 4 but the power asked for): the ceremony's power
/// and the file's.
fn read_header(source: &mut impl Source, header: Section) -> Result<(u32, u32), SrsError> {
    let size_error = SrsError::SectionSize {
        section: SECTION_HEADER,
        expected: HEADER_BYTES,
        found: header.size,
    };
    if header.size < 4 {
        return Err(size_error);
    }
    let bytes = source.read_at(header.offset, header.size.min(HEADER_BYTES) as usize)?;
    let (n8, rest) = bytes.split_first_chunk::<4>().ok_or(size_error.clone())?;
    let n8 = u32::from_le_bytes(*n8);
    if n8 != N8 {
        return Err(SrsError::WrongFieldSize { n8 });
    }
    if header.size != HEADER_BYTES {
        return Err(size_error);
    }
    let (prime, rest) = rest.split_first_chunk::<32>().ok_or(size_error.clone())?;
    let (power, rest) = rest.split_first_chunk::<4>().ok_or(size_error.clone())?;
    let ceremony_power = rest.first_chunk::<4>().ok_or(size_error)?;
    if *prime != modulus_le() {
        return Err(SrsError::WrongCurve { prime: *prime });
    }
    let power = u32::from_le_bytes(*power);
    if power > MAX_POWER {
        return Err(SrsError::PowerTooLarge {
            power,
            max: MAX_POWER,
        });
    }
    Ok((u32::from_le_bytes(*ceremony_power), power))
}

/// BN254's base-field modulus, 32 little-endian bytes.
fn modulus_le() -> [u8; 32] {
    let mut out = [0u8; 32];
    for (chunk, limb) in out.chunks_exact_mut(8).zip(Fq::MODULUS.0) {
        chunk.copy_from_slice(&limb.to_le_bytes());
    }
    out
}

/// The field element whose Montgomery form is the little-endian integer `bytes`, if it
/// is below `q`.
fn fq_from_montgomery(bytes: &[u8; 32]) -> Option<Fq> {
    let mut limbs = [0u64; 4];
    for (limb, word) in limbs.iter_mut().zip(bytes.chunks_exact(8)) {
        *limb = u64::from_le_bytes(word.try_into().unwrap_or_default());
    }
    let int = BigInt::new(limbs);
    // arkworks holds an Fq as its Montgomery form too.
    (int < Fq::MODULUS).then(|| Fq::new_unchecked(int))
}

/// Splits `bytes` into its 32-byte coordinates and decodes them; `None` for a coordinate
/// not below `q` (or bytes of the wrong length, which the callers rule out).
fn coordinates<const K: usize>(bytes: &[u8]) -> Option<[Fq; K]> {
    if bytes.len() != 32 * K {
        return None;
    }
    let mut out = [Fq::zero(); K];
    for (c, chunk) in out.iter_mut().zip(bytes.chunks_exact(32)) {
        *c = fq_from_montgomery(chunk.try_into().ok()?)?;
    }
    Some(out)
}

/// Decodes `tauG1[index]` (check 6).
fn decode_g1(bytes: &[u8], index: u64) -> Result<G1Affine, SrsError> {
    let group = Group::G1;
    let [x, y] = coordinates::<2>(bytes).ok_or(SrsError::PointEncoding { group, index })?;
    if x.is_zero() && y.is_zero() {
        return Err(SrsError::PointAtInfinity { group, index });
    }
    check_point(G1Affine::new_unchecked(x, y), group, index)
}

/// Decodes `tauG2[index]` (check 6).
fn decode_g2(bytes: &[u8], index: u64) -> Result<G2Affine, SrsError> {
    let group = Group::G2;
    let [x0, x1, y0, y1] =
        coordinates::<4>(bytes).ok_or(SrsError::PointEncoding { group, index })?;
    let (x, y) = (Fq2::new(x0, x1), Fq2::new(y0, y1));
    if x.is_zero() && y.is_zero() {
        return Err(SrsError::PointAtInfinity { group, index });
    }
    check_point(G2Affine::new_unchecked(x, y), group, index)
}

/// The curve and subgroup checks of a decoded point.
fn check_point<P: SWCurveConfig>(
    point: Affine<P>,
    group: Group,
    index: u64,
) -> Result<Affine<P>, SrsError> {
    if !point.is_on_curve() {
        return Err(SrsError::NotOnCurve { group, index });
    }
    if !point.is_in_correct_subgroup_assuming_on_curve() {
        return Err(SrsError::NotInSubgroup { group, index });
    }
    Ok(point)
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use ark_ff::{Field, One};

    use super::*;

    /// The Montgomery form of `a`, as a `.ptau` file stores it.
    fn montgomery_bytes(a: Fq) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (chunk, limb) in out.chunks_exact_mut(8).zip(a.0 .0) {
            chunk.copy_from_slice(&limb.to_le_bytes());
        }
        out
    }

    #[test]
    fn montgomery_form_is_two_to_the_256_mod_q() {
        // One's Montgomery form is 2^256 mod q (snarkjs's encoding of 1).
        let r = Fq::from(2u64).pow([256u64]);
        let r_int = r.into_bigint();
        let mut bytes = [0u8; 32];
        for (chunk, limb) in bytes.chunks_exact_mut(8).zip(r_int.0) {
            chunk.copy_from_slice(&limb.to_le_bytes());
        }
        assert_eq!(fq_from_montgomery(&bytes), Some(Fq::one()));
        let a = Fq::from(123456789u64);
        assert_eq!(fq_from_montgomery(&montgomery_bytes(a)), Some(a));
        assert_eq!(fq_from_montgomery(&modulus_le()), None);
        assert_eq!(fq_from_montgomery(&[0xff; 32]), None);
    }

    #[test]
    fn modulus_bytes_are_q() {
        let q = num_bigint_le(&modulus_le());
        assert_eq!(
            q,
            "21888242871839275222246405745257275088696311157297823662689037894645226208583"
        );
    }

    /// A little-endian integer in decimal (small helper, no bignum dependency).
    fn num_bigint_le(bytes: &[u8]) -> String {
        let mut digits = vec![0u32];
        for &byte in bytes.iter().rev() {
            let mut carry = u32::from(byte);
            for d in digits.iter_mut() {
                let v = *d * 256 + carry;
                *d = v % 10;
                carry = v / 10;
            }
            while carry > 0 {
                digits.push(carry % 10);
                carry /= 10;
            }
        }
        digits.iter().rev().map(|d| d.to_string()).collect()
    }

    #[test]
    fn generators_decode() {
        let g = G1Affine::generator();
        let mut bytes = montgomery_bytes(g.x).to_vec();
        bytes.extend(montgomery_bytes(g.y));
        assert_eq!(decode_g1(&bytes, 0), Ok(g));
        let h = G2Affine::generator();
        let mut bytes = Vec::new();
        for c in [h.x.c0, h.x.c1, h.y.c0, h.y.c1] {
            bytes.extend(montgomery_bytes(c));
        }
        assert_eq!(decode_g2(&bytes, 0), Ok(h));
        assert_eq!(
            decode_g1(&[0u8; 64], 3),
            Err(SrsError::PointAtInfinity {
                group: Group::G1,
                index: 3
            })
        );
    }
}
