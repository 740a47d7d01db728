//! [`SrsError`]: why an SRS was not built, imported or read.

use std::{fmt, path::PathBuf};

use zkpot_core::io::EnvelopeError;

use crate::error::IoError;

/// A group of the pairing, named in the errors about a point.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Group {
    /// BN254 `G1` (the powers `[tau^i]_1`).
    G1,
    /// BN254 `G2` (`[1]_2` and `[tau]_2`).
    G2,
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Group::G1 => "G1",
            Group::G2 => "G2",
        })
    }
}

/// Everything that can go wrong with an SRS: a `.ptau` file that is not a BN254
/// powers-of-tau file or fails one of its checks, an SRS file of ours that is damaged, a
/// power out of range, or the file system.
///
/// Each variant names the check that failed; point indices count from 0 within their
/// section (`tauG1[index]`, `tauG2[index]` of a `.ptau` file, the `index`-th power of an
/// SRS file, where index 1 of `G2` is `[tau]_2`). No input makes the readers panic.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SrsError {
    /// The input does not start with the magic `b"ptau"`.
    #[error("not a powers-of-tau file (the magic is not \"ptau\")")]
    NotPtau,

    /// The `.ptau` file has a format version other than 1.
    #[error("ptau format version {version} is not supported (version 1 is)")]
    UnsupportedPtauVersion {
        /// The file's version.
        version: u32,
    },

    /// The input ends before something it declares.
    #[error("truncated: {what} needs {needed} bytes, the input has {len}")]
    Truncated {
        /// What runs past the end: `"the ptau preamble"`, `"the section table"`,
        /// `"section 2"`, `"the SRS file header"`, ...
        what: &'static str,
        /// The length it needs.
        needed: u64,
        /// The input's length.
        len: u64,
    },

    /// A section the SRS needs (1: header, 2: tauG1, 3: tauG2) is absent.
    #[error("the ptau file has no section {section}")]
    SectionMissing {
        /// The section type.
        section: u32,
    },

    /// A section the SRS needs appears more than once.
    #[error("the ptau file has section {section} more than once")]
    SectionDuplicated {
        /// The section type.
        section: u32,
    },

    /// A section's size is not what the header implies.
    #[error("ptau section {section} has {found} bytes, expected {expected}")]
    SectionSize {
        /// The section type.
        section: u32,
        /// The size the header implies.
        expected: u64,
        /// The size the section table gives.
        found: u64,
    },

    /// The header's field element size is not 32 bytes (BN254's base field).
    #[error("the ptau header's field elements have {n8} bytes, not 32: not a BN254 file")]
    WrongFieldSize {
        /// The header's `n8`.
        n8: u32,
    },

    /// The header's prime is not the modulus of BN254's base field.
    #[error("the ptau header's prime 0x{} is not BN254's base field modulus", hex_be(.prime))]
    WrongCurve {
        /// The prime as the file stores it (32 bytes, little-endian).
        prime: [u8; 32],
    },

    /// A power above [`MAX_POWER`](super::MAX_POWER): the file's, or the one asked for.
    #[error("power {power} is above the largest supported, {max}")]
    PowerTooLarge {
        /// The power.
        power: u32,
        /// [`MAX_POWER`](super::MAX_POWER).
        max: u32,
    },

    /// More powers asked for than the source holds (`2^wanted` against `2^available`).
    /// A `.ptau` file of power 0 holds no `[tau]_2`, so it is refused with `wanted` 1.
    #[error("power {wanted} asked for, but only power {available} is available")]
    PowerUnavailable {
        /// The power asked for.
        wanted: u32,
        /// The power of the `.ptau` file or of the SRS.
        available: u32,
    },

    /// A point's encoding does not decode: a coordinate not below the field modulus, or
    /// (in an SRS file) bad flags.
    #[error("{group} point {index} does not decode (a coordinate is not below the modulus, or bad flags)")]
    PointEncoding {
        /// The point's group.
        group: Group,
        /// The point's index.
        index: u64,
    },

    /// A point is the point at infinity (no power of a nonzero `tau` is).
    #[error("{group} point {index} is the point at infinity")]
    PointAtInfinity {
        /// The point's group.
        group: Group,
        /// The point's index.
        index: u64,
    },

    /// A point is not on the curve.
    #[error("{group} point {index} is not on the curve")]
    NotOnCurve {
        /// The point's group.
        group: Group,
        /// The point's index.
        index: u64,
    },

    /// A point is on the curve but not in the prime-order subgroup.
    #[error("{group} point {index} is not in the prime-order subgroup")]
    NotInSubgroup {
        /// The point's group.
        group: Group,
        /// The point's index.
        index: u64,
    },

    /// The first power (`[tau^0]_1`, or `[tau^0]_2` of a `.ptau` file) is not the
    /// standard generator.
    #[error("the first {group} power is not the standard {group} generator")]
    WrongGenerator {
        /// The group.
        group: Group,
    },

    /// The pairing check of [`Srs::check_powers`](super::Srs::check_powers) failed: the
    /// `G1` points are not the successive powers of the `tau` of `[tau]_2`.
    #[error("the powers are inconsistent: the G1 points are not successive powers of the tau of [tau]_2")]
    PowersInconsistent,

    /// Reading or writing a file failed at the operating-system level.
    #[error("cannot {action} {}: {source}", .path.display())]
    Io {
        /// What was being done: `"open"`, `"read"`, `"write"`, ...
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: IoError,
    },

    /// An SRS file's envelope is wrong: not a zkpot file, another format version, or
    /// another kind of file.
    #[error("SRS file: {0}")]
    Envelope(#[from] EnvelopeError),

    /// An SRS file's origin tag names no origin.
    #[error("SRS file: unknown origin tag {tag}")]
    UnknownOrigin {
        /// The tag byte.
        tag: u8,
    },

    /// An SRS file's length is not the one its header implies.
    #[error("SRS file: {found} bytes, but its header implies {expected}")]
    FileLength {
        /// The length the header implies.
        expected: u64,
        /// The file's length.
        found: u64,
    },

    /// An SRS file's trailing SHA-256 does not match its content: the file is damaged.
    #[error("SRS file: its SHA-256 does not match its content (the file is damaged)")]
    FileHashMismatch,

    /// The digest stored in an SRS file is not the digest of the points it holds.
    #[error("SRS file: the stored digest is not the digest of its points")]
    DigestMismatch,
}

impl SrsError {
    /// An [`SrsError::Io`] on `path` during `action`.
    pub(crate) fn io(action: &'static str, path: &std::path::Path, source: std::io::Error) -> Self {
        SrsError::Io {
            action,
            path: path.to_path_buf(),
            source: source.into(),
        }
    }
}

/// `bytes` (little-endian) as a big-endian hex string.
fn hex_be(bytes: &[u8]) -> String {
    bytes.iter().rev().map(|b| format!("{b:02x}")).collect()
}
