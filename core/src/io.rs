//! Files: the one envelope every zkpot file starts with (proofs, checkpoints, keys), and
//! atomic writes.
//!
//! # The envelope
//!
//! | bytes | content |
//! |---|---|
//! | 8 | [`MAGIC`], `b"ZKPOTFMT"` |
//! | 4 | format version, `u32` little-endian ([`FORMAT_VERSION`]) |
//! | 1 | the file's [`FileKind`] |
//!
//! then the kind's payload. Readers check all three before reading anything else:
//! another magic is "not a zkpot file", another version (including the files of earlier
//! zkpot versions, whose magics were `ZKPOTPRF`, `ZKPOTCKP` and `ZKPOTKEY`) is "format
//! version N is not supported", another kind names what the file is.

use std::fmt;
use std::io::Write;
use std::path::Path;

/// The first 8 bytes of every zkpot file.
pub const MAGIC: &[u8; 8] = b"ZKPOTFMT";

/// The format version this build writes and reads.
pub const FORMAT_VERSION: u32 = 2;

/// The envelope's length in bytes.
pub const ENVELOPE_LEN: usize = 13;

/// The magics of files written before the envelope, with the format version they had
/// (the checkpoint files had none: version 0).
const LEGACY: [(&[u8; 8], Option<u32>); 3] = [
    (b"ZKPOTPRF", None),
    (b"ZKPOTKEY", None),
    (b"ZKPOTCKP", Some(0)),
];

/// What a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FileKind {
    /// A run proof (one step proof per fold) and its statement.
    RunProof,
    /// A folded proof (one IVC proof) and its statement.
    FoldedProof,
    /// A checkpoint of a run proof's prover.
    RunCheckpoint,
    /// A checkpoint of a folded proof's prover.
    FoldedCheckpoint,
    /// A commitment key.
    CommitKey,
    /// The IVC keys of one training circuit.
    IvcKeys,
    /// A structured reference string (the powers of tau of HyperKZG).
    Srs,
    /// A compressed final proof (the decider's) and its statement.
    CompressedProof,
}

impl FileKind {
    const ALL: [FileKind; 8] = [
        FileKind::RunProof,
        FileKind::FoldedProof,
        FileKind::RunCheckpoint,
        FileKind::FoldedCheckpoint,
        FileKind::CommitKey,
        FileKind::IvcKeys,
        FileKind::Srs,
        FileKind::CompressedProof,
    ];

    /// The kind's byte in the envelope.
    pub fn byte(self) -> u8 {
        match self {
            FileKind::RunProof => 1,
            FileKind::FoldedProof => 2,
            FileKind::RunCheckpoint => 3,
            FileKind::FoldedCheckpoint => 4,
            FileKind::CommitKey => 5,
            FileKind::IvcKeys => 6,
            FileKind::Srs => 7,
            FileKind::CompressedProof => 8,
        }
    }

    /// The kind of a byte, if it names one.
    pub fn from_byte(byte: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.byte() == byte)
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileKind::RunProof => "a run proof",
            FileKind::FoldedProof => "a folded proof",
            FileKind::RunCheckpoint => "a run-proof checkpoint",
            FileKind::FoldedCheckpoint => "a folded-proof checkpoint",
            FileKind::CommitKey => "a commitment key",
            FileKind::IvcKeys => "IVC keys",
            FileKind::Srs => "an SRS",
            FileKind::CompressedProof => "a compressed proof",
        })
    }
}

/// Why a file's envelope was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EnvelopeError {
    /// The file does not start with [`MAGIC`] (nor an earlier zkpot magic).
    #[error("not a zkpot file")]
    NotZkpot,
    /// The file has another format version.
    #[error("format version {found} is not supported (this zkpot reads version {supported}){hint}", hint = if *.found < FORMAT_VERSION { "; it was written by an earlier zkpot: make it again" } else { "" })]
    UnsupportedVersion {
        /// The file's version (1 for the proof and key files of earlier zkpot versions,
        /// 0 for their checkpoints).
        found: u32,
        /// [`FORMAT_VERSION`].
        supported: u32,
    },
    /// The file's kind byte names no kind.
    #[error("unknown file kind {0}")]
    UnknownKind(u8),
    /// The file is of another kind than expected.
    #[error("the file is {found}, expected {expected}")]
    WrongKind {
        /// What the file is.
        found: FileKind,
        /// What the reader wanted.
        expected: &'static str,
    },
    /// The file ends inside the envelope.
    #[error("the file ends inside its header")]
    Truncated,
}

/// The envelope of a `kind` file, to which the payload is appended.
pub fn envelope(kind: FileKind) -> Vec<u8> {
    let mut out = Vec::with_capacity(ENVELOPE_LEN);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.push(kind.byte());
    out
}

/// Reads the envelope at the front of `bytes`: the file's kind and its payload.
pub fn open_envelope(bytes: &[u8]) -> Result<(FileKind, &[u8]), EnvelopeError> {
    let (magic, rest) = bytes.split_first_chunk::<8>().ok_or(
        if bytes.len() < MAGIC.len() && MAGIC.starts_with(bytes) {
            EnvelopeError::Truncated
        } else {
            EnvelopeError::NotZkpot
        },
    )?;
    if let Some((_, version)) = LEGACY.iter().find(|(m, _)| *m == magic) {
        let found = match version {
            Some(v) => *v,
            None => rest
                .first_chunk::<4>()
                .map_or(1, |v| u32::from_le_bytes(*v)),
        };
        return Err(EnvelopeError::UnsupportedVersion {
            found,
            supported: FORMAT_VERSION,
        });
    }
    if magic != MAGIC {
        return Err(EnvelopeError::NotZkpot);
    }
    let (version, rest) = rest
        .split_first_chunk::<4>()
        .ok_or(EnvelopeError::Truncated)?;
    let version = u32::from_le_bytes(*version);
    if version != FORMAT_VERSION {
        return Err(EnvelopeError::UnsupportedVersion {
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    let (&kind, payload) = rest.split_first().ok_or(EnvelopeError::Truncated)?;
    let kind = FileKind::from_byte(kind).ok_or(EnvelopeError::UnknownKind(kind))?;
    Ok((kind, payload))
}

/// [`open_envelope`] for a file that must be of one of `kinds` (`what` names them in
/// the error).
pub fn open_envelope_of<'b>(
    bytes: &'b [u8],
    kinds: &[FileKind],
    what: &'static str,
) -> Result<(FileKind, &'b [u8]), EnvelopeError> {
    let (kind, payload) = open_envelope(bytes)?;
    if !kinds.contains(&kind) {
        return Err(EnvelopeError::WrongKind {
            found: kind,
            expected: what,
        });
    }
    Ok((kind, payload))
}

/// Writes `bytes` to `path` atomically: a uniquely named temporary file in the same
/// folder, then a rename over `path`. A reader sees the old file or the whole new one,
/// never a partial one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Writes `bytes` to `path` atomically unless `path` exists: `Ok(true)` when written,
/// `Ok(false)` when another file was there first (left as it is). Two processes racing to
/// create the same file agree on the first one.
pub fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<bool> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    match tmp.persist_noclobber(path) {
        Ok(_) => Ok(true),
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e.error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_new_keeps_the_first_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        assert!(write_new(&path, b"first").unwrap());
        assert!(!write_new(&path, b"second").unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn envelopes_round_trip_and_refuse_the_rest() {
        for kind in FileKind::ALL {
            let mut bytes = envelope(kind);
            assert_eq!(bytes.len(), ENVELOPE_LEN);
            bytes.extend_from_slice(b"payload");
            assert_eq!(open_envelope(&bytes), Ok((kind, &b"payload"[..])));
            for len in 0..ENVELOPE_LEN {
                assert!(open_envelope(&bytes[..len]).is_err(), "{len}");
            }
        }
        let mut other = envelope(FileKind::RunProof);
        other[8] = 3;
        assert_eq!(
            open_envelope(&other),
            Err(EnvelopeError::UnsupportedVersion {
                found: 3,
                supported: FORMAT_VERSION
            })
        );
        let mut unknown = envelope(FileKind::RunProof);
        unknown[12] = 99;
        assert_eq!(open_envelope(&unknown), Err(EnvelopeError::UnknownKind(99)));
        assert_eq!(
            open_envelope(b"not a zkpot file"),
            Err(EnvelopeError::NotZkpot)
        );
        let bytes = envelope(FileKind::IvcKeys);
        assert!(matches!(
            open_envelope_of(&bytes, &[FileKind::RunProof], "a proof"),
            Err(EnvelopeError::WrongKind { .. })
        ));
    }

    #[test]
    fn files_of_earlier_versions_name_their_version() {
        let mut proof = b"ZKPOTPRF".to_vec();
        proof.extend_from_slice(&1u32.to_le_bytes());
        proof.push(2);
        let e = open_envelope(&proof).unwrap_err();
        assert_eq!(
            e,
            EnvelopeError::UnsupportedVersion {
                found: 1,
                supported: FORMAT_VERSION
            }
        );
        assert!(e.to_string().contains("format version 1 is not supported"));
        assert!(matches!(
            open_envelope(b"ZKPOTCKP rest"),
            Err(EnvelopeError::UnsupportedVersion { found: 0, .. })
        ));
    }
}
