//! An on-disk cache of [`PedersenKey`]s.
//!
//! Deriving a key is costly (hash-to-curve for every generator: about 150 s for `2^24`
//! generators on two cores), so [`KeyCache`] derives it once, saves it with
//! [`PedersenKey::write_file`], and later reads it back with [`PedersenKey::read_file`],
//! which checks it on the way in.
//!
//! # File format (the envelope's version 2)
//!
//! All integers are little-endian. With `n = max_len`:
//!
//! | bytes | content |
//! |---|---|
//! | 13 | the envelope of every zkpot file ([`zkpot_core::io`]): magic `b"ZKPOTFMT"`, format version `u32` ([`FORMAT_VERSION`]), kind commitment key |
//! | 4 | label length `l`, `u32` |
//! | `l` | label bytes |
//! | 8 | `n`, `u64` |
//! | 64 | blinding generator `H` |
//! | 64 | inner-product generator `U` |
//! | `64 n` | table generators `G_0, ..., G_{n-1}` |
//! | 32 | digest `D` |
//!
//! The *header* is everything before `H` (`25 + l` bytes); the *point section* is `H`,
//! `U` and the table generators (`P = 64 (n + 2)` bytes), each point in arkworks'
//! uncompressed serialization of a BN254 `G1Affine` ([`POINT_BYTES`] = 64 bytes: `x`
//! then `y`, 32 little-endian bytes each, the flags in the top bits of the last byte).
//! The file is exactly `25 + l + P + 32` bytes long. Key files of earlier zkpot
//! versions (magic `ZKPOTKEY`, version 1) are refused as an unsupported version;
//! [`KeyCache`] treats them as missing, so they are derived again and replaced.
//!
//! The digest is a SHA-256 tree of depth two, so both cores can hash: cut the point
//! section into blocks `B_0, ..., B_{m-1}` of [`DIGEST_BLOCK`] = `2^20` bytes (1 MiB;
//! the last block may be shorter, `m = ceil(P / 2^20)`), then
//!
//! ```text
//! D = SHA-256(header || SHA-256(B_0) || SHA-256(B_1) || ... || SHA-256(B_{m-1}))
//! ```
//!
//! # What reading checks
//!
//! [`PedersenKey::read_file`] rejects, with [`PcsError::KeyFile`], a file whose magic or
//! version is wrong, whose size differs from what its header implies (checked before
//! anything sized by the header is allocated), whose digest does not match, that holds a
//! point that does not decode, is not on the curve, or is the identity (BN254 `G1` has
//! cofactor 1, so on the curve means in the group), or whose spot-checked generators
//! differ from their derivation from the label: `G_0`, `G_{n-1}`, `H`, `U`, and
//! [`SPOT_CHECKS`] = 32 indices `i_j = le64(SHA-256(SPOT_CHECK_DOMAIN || D || le32(j))[..8])
//! mod n` for `j = 0..32` ([`SPOT_CHECK_DOMAIN`]).
//!
//! The digest catches accidental corruption and the spot checks a key derived some other
//! way; neither stops someone who rewrites the file on purpose (a replaced generator at an
//! unchecked index, with the digest recomputed, is accepted). For a key from an untrusted
//! source, run [`PedersenKey::check`], which re-derives every generator.

use std::{
    fs,
    io::{self, Read, Write},
    path::{Path, PathBuf},
    sync::atomic::{AtomicU64, Ordering},
};

use ark_ec::AffineRepr;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use zkpot_core::G1Affine;

use crate::{
    error::PcsError,
    pedersen::{hash_to_curve, PedersenKey, TAG_BLINDING, TAG_INNER_PRODUCT, TAG_TABLE},
};

/// The first 8 bytes of a key file (of every zkpot file: [`zkpot_core::io::MAGIC`]).
pub const MAGIC: &[u8; 8] = zkpot_core::io::MAGIC;

/// The version of the key file format this build writes and reads (the envelope's,
/// [`zkpot_core::io::FORMAT_VERSION`]).
pub const FORMAT_VERSION: u32 = zkpot_core::io::FORMAT_VERSION;

/// The magic of the key files of earlier zkpot versions (format version 1).
const LEGACY_MAGIC: &[u8; 8] = b"ZKPOTKEY";

/// Bytes of one point: arkworks' uncompressed serialization of a BN254 `G1Affine`.
pub const POINT_BYTES: usize = 64;

/// Bytes of one block of the point section hashed on its own (see the module
/// documentation): 1 MiB.
pub const DIGEST_BLOCK: usize = 1 << 20;

/// Pseudo-random table generators re-derived when a key file is read (besides the first
/// and the last table generator, `H` and `U`).
pub const SPOT_CHECKS: usize = 32;

/// Domain separator of the spot-checked indices (see the module documentation).
pub const SPOT_CHECK_DOMAIN: &[u8] = b"zkpot-pcs/key-file/spot-check/v1";

/// Bytes of the fixed part of the header: the envelope (magic, version, kind) and the
/// label length.
const FIXED_HEADER: usize = zkpot_core::io::ENVELOPE_LEN + 4;
/// Bytes of the digest.
const DIGEST_BYTES: usize = 32;
/// Bytes of the point section read or written at once: 64 digest blocks, `2^20` points.
const SEGMENT: usize = 64 * DIGEST_BLOCK;
/// Points in a segment.
const SEGMENT_POINTS: usize = SEGMENT / POINT_BYTES;

/// Distinguishes the temporary files of concurrent writers within one process.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A [`PcsError::KeyFile`] for `path`.
fn bad_file(path: &Path, reason: impl Into<String>) -> PcsError {
    PcsError::KeyFile {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Turns an I/O error on `path` during `action` into a [`PcsError::Io`].
fn io_error<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> PcsError + 'a {
    move |e| PcsError::Io {
        action,
        path: path.to_path_buf(),
        source: e.into(),
    }
}

/// The name of point `k` of the point section: `H`, `U`, then `G[i]`.
fn point_name(k: usize) -> String {
    match k {
        0 => "H".to_string(),
        1 => "U".to_string(),
        k => format!("G[{}]", k - 2),
    }
}

/// The header: the envelope, label length and label, `max_len`.
fn encode_header(label: &[u8], label_len: u32, max_len: u64) -> Vec<u8> {
    let mut header = zkpot_core::io::envelope(zkpot_core::io::FileKind::CommitKey);
    header.reserve(4 + label.len() + 8);
    header.extend_from_slice(&label_len.to_le_bytes());
    header.extend_from_slice(label);
    header.extend_from_slice(&max_len.to_le_bytes());
    header
}

/// Feeds the SHA-256 of each [`DIGEST_BLOCK`] of `bytes` (in parallel, in order) to
/// `digest`. `bytes` starts on a block boundary of the point section.
fn absorb_blocks(digest: &mut Sha256, bytes: &[u8]) {
    let hashes: Vec<[u8; 32]> = bytes
        .par_chunks(DIGEST_BLOCK)
        .map(|block| Sha256::digest(block).into())
        .collect();
    for h in &hashes {
        digest.update(h);
    }
}

/// Decodes a point, or `None` if it does not deserialize, is the identity, or is off the
/// curve.
fn decode_point(bytes: &[u8]) -> Option<G1Affine> {
    G1Affine::deserialize_uncompressed_unchecked(bytes)
        .ok()
        .filter(|p| !p.is_zero() && p.is_on_curve())
}

/// Why [`decode_point`] rejects `bytes`.
fn point_problem(bytes: &[u8]) -> &'static str {
    match G1Affine::deserialize_uncompressed_unchecked(bytes) {
        Err(_) => "does not deserialize (a coordinate not below the field modulus, or bad flags)",
        Ok(p) if p.is_zero() => "is the point at infinity",
        Ok(p) if !p.is_on_curve() => "is not on the curve",
        Ok(_) => "is invalid",
    }
}

/// The table indices spot-checked in a key file of digest `digest` (see the module
/// documentation): `0`, `max_len - 1`, then [`SPOT_CHECKS`] pseudo-random ones; none when
/// `max_len` is 0.
fn spot_check_indices(digest: &[u8], max_len: usize) -> Vec<usize> {
    if max_len == 0 {
        return Vec::new();
    }
    let mut indices = vec![0, max_len - 1];
    for j in 0..SPOT_CHECKS as u32 {
        let h = Sha256::new()
            .chain_update(SPOT_CHECK_DOMAIN)
            .chain_update(digest)
            .chain_update(j.to_le_bytes())
            .finalize();
        let mut word = [0u8; 8];
        word.copy_from_slice(&h[..8]);
        indices.push((u64::from_le_bytes(word) % max_len as u64) as usize);
    }
    indices
}

impl PedersenKey {
    /// Writes the key to `path` in the format of the [`crate::cache`] documentation,
    /// atomically: into a temporary file in the same directory (created if missing),
    /// synced to disk, then renamed over `path`. A reader sees the old file or the whole
    /// new one, never a partial one; on error the temporary file is removed.
    pub fn write_file(&self, path: &Path) -> Result<(), PcsError> {
        let file_name = path
            .file_name()
            .ok_or_else(|| bad_file(path, "the path does not name a file"))?;
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        fs::create_dir_all(dir).map_err(io_error("create directory", dir))?;
        let tmp = dir.join(format!(
            ".{}.{}-{}.tmp",
            file_name.to_string_lossy(),
            std::process::id(),
            TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let result = self
            .write_new_file(&tmp)
            .and_then(|()| fs::rename(&tmp, path).map_err(io_error("rename into place", path)));
        if result.is_err() {
            // Best effort: the error that matters is the one returned.
            let _ = fs::remove_file(&tmp);
        }
        result
    }

    /// Writes the file to `path`, which must not exist yet, and syncs it.
    fn write_new_file(&self, path: &Path) -> Result<(), PcsError> {
        let label = self.label();
        let label_len = u32::try_from(label.len())
            .map_err(|_| bad_file(path, "the label is longer than 2^32 - 1 bytes"))?;
        let header = encode_header(label, label_len, self.max_len() as u64);
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(io_error("create", path))?;
        let mut write = |bytes: &[u8]| file.write_all(bytes).map_err(io_error("write", path));
        write(&header)?;
        let mut digest = Sha256::new();
        digest.update(&header);

        let generators = self.generators();
        let (blinding, inner_product) = (self.blinding_generator(), self.inner_product_generator());
        let num_points = generators.len() + 2;
        let mut buf = Vec::new();
        for start in (0..num_points).step_by(SEGMENT_POINTS) {
            let end = num_points.min(start + SEGMENT_POINTS);
            buf.clear();
            buf.resize((end - start) * POINT_BYTES, 0);
            buf.par_chunks_exact_mut(POINT_BYTES)
                .enumerate()
                .try_for_each(|(j, out)| {
                    let point = match start + j {
                        0 => &blinding,
                        1 => &inner_product,
                        k => &generators[k - 2],
                    };
                    point.serialize_uncompressed(out)
                })
                .map_err(|e| bad_file(path, format!("cannot serialize a point: {e}")))?;
            absorb_blocks(&mut digest, &buf);
            write(&buf)?;
        }
        write(&digest.finalize())?;
        file.sync_all().map_err(io_error("sync", path))
    }

    /// Reads a key written by [`PedersenKey::write_file`], checking it as the
    /// [`crate::cache`] documentation describes; every problem is an error
    /// ([`PcsError::KeyFile`] for the content, [`PcsError::Io`] for the file system),
    /// never a panic.
    pub fn read_file(path: &Path) -> Result<PedersenKey, PcsError> {
        let file = fs::File::open(path).map_err(io_error("open", path))?;
        read_opened(file, path)
    }
}

/// [`PedersenKey::read_file`] on an opened file.
fn read_opened(mut file: fs::File, path: &Path) -> Result<PedersenKey, PcsError> {
    let file_len = file
        .metadata()
        .map_err(io_error("read metadata of", path))?
        .len();
    let mut read = |buf: &mut [u8]| file.read_exact(buf).map_err(io_error("read", path));

    // The header, its sizes checked against the file's before anything is allocated.
    const MIN_LEN: u64 = (FIXED_HEADER + 8 + 2 * POINT_BYTES + DIGEST_BYTES) as u64;
    if file_len < MAGIC.len() as u64 {
        return Err(bad_file(
            path,
            format!("{file_len} bytes: not a zkpot key file"),
        ));
    }
    let mut fixed = [0u8; FIXED_HEADER];
    read(&mut fixed[..MAGIC.len()])?;
    if fixed[..MAGIC.len()] == LEGACY_MAGIC[..] {
        return Err(PcsError::UnsupportedKeyFile {
            path: path.to_path_buf(),
            version: 1,
        });
    }
    if fixed[..MAGIC.len()] != MAGIC[..] {
        return Err(bad_file(path, "wrong magic: not a zkpot key file"));
    }
    if file_len < MIN_LEN {
        return Err(bad_file(
            path,
            format!(
                "{file_len} bytes, shorter than any key file ({MIN_LEN} bytes at least): truncated"
            ),
        ));
    }
    read(&mut fixed[MAGIC.len()..])?;
    let version = u32::from_le_bytes([fixed[8], fixed[9], fixed[10], fixed[11]]);
    if version != FORMAT_VERSION {
        return Err(PcsError::UnsupportedKeyFile {
            path: path.to_path_buf(),
            version,
        });
    }
    if fixed[12] != zkpot_core::io::FileKind::CommitKey.byte() {
        return Err(bad_file(path, "the file is not a commitment key"));
    }
    let label_len = u32::from_le_bytes([fixed[13], fixed[14], fixed[15], fixed[16]]);
    if u64::from(label_len) > file_len - MIN_LEN {
        return Err(bad_file(
            path,
            format!("label length {label_len} does not fit in a file of {file_len} bytes"),
        ));
    }
    let mut label = vec![0u8; label_len as usize];
    read(&mut label)?;
    let mut word = [0u8; 8];
    read(&mut word)?;
    let max_len_u64 = u64::from_le_bytes(word);
    let header_len = (FIXED_HEADER + label.len() + 8) as u128;
    let expected =
        header_len + (u128::from(max_len_u64) + 2) * POINT_BYTES as u128 + DIGEST_BYTES as u128;
    if expected != u128::from(file_len) {
        return Err(bad_file(
            path,
            format!(
                "{file_len} bytes, but its header (label of {label_len} bytes, max_len \
                 {max_len_u64}) implies {expected}: {}",
                if expected > u128::from(file_len) {
                    "truncated, or a corrupt header"
                } else {
                    "trailing bytes, or a corrupt header"
                }
            ),
        ));
    }
    // The file holds 64 bytes per generator, so this fits in memory (and in a usize).
    let max_len = usize::try_from(max_len_u64)
        .map_err(|_| bad_file(path, format!("max_len {max_len_u64} does not fit in usize")))?;
    let header = encode_header(&label, label_len, max_len_u64);
    let mut digest = Sha256::new();
    digest.update(&header);

    // The point section, by segments: hashed and decoded in parallel. The first invalid
    // point is remembered and reported after the digest (a corrupt file is a digest
    // mismatch first).
    let num_points = max_len + 2;
    let mut generators: Vec<G1Affine> = Vec::with_capacity(max_len);
    let (mut blinding, mut inner_product) = (G1Affine::zero(), G1Affine::zero());
    let mut first_bad: Option<(usize, &'static str)> = None;
    let mut buf = Vec::new();
    let mut decoded: Vec<G1Affine> = Vec::new();
    for start in (0..num_points).step_by(SEGMENT_POINTS) {
        let end = num_points.min(start + SEGMENT_POINTS);
        buf.clear();
        buf.resize((end - start) * POINT_BYTES, 0);
        read(&mut buf)?;
        absorb_blocks(&mut digest, &buf);
        decoded.clear();
        decoded.par_extend(
            buf.par_chunks_exact(POINT_BYTES)
                .map(|bytes| decode_point(bytes).unwrap_or_else(G1Affine::zero)),
        );
        if first_bad.is_none() {
            if let Some(j) = decoded.par_iter().position_first(|p| p.is_zero()) {
                let bytes = &buf[j * POINT_BYTES..(j + 1) * POINT_BYTES];
                first_bad = Some((start + j, point_problem(bytes)));
            }
        }
        let mut points = &decoded[..];
        if start == 0 {
            if let [h, u, rest @ ..] = points {
                blinding = *h;
                inner_product = *u;
                points = rest;
            }
        }
        generators.extend_from_slice(points);
    }
    let mut stored = [0u8; DIGEST_BYTES];
    read(&mut stored)?;
    let mut extra = [0u8; 1];
    if file.read(&mut extra).map_err(io_error("read", path))? != 0 {
        return Err(bad_file(path, "the file grew while being read"));
    }
    let computed = digest.finalize();
    if computed[..] != stored[..] {
        return Err(bad_file(
            path,
            "SHA-256 digest mismatch: the file is corrupt or was modified",
        ));
    }
    if let Some((k, problem)) = first_bad {
        return Err(bad_file(path, format!("point {} {problem}", point_name(k))));
    }
    if generators.len() != max_len {
        return Err(bad_file(path, "wrong number of generators read"));
    }

    // Spot checks: re-derive a few generators from the label.
    let mut checks: Vec<(usize, u8, u64, G1Affine)> = vec![
        (0, TAG_BLINDING, 0, blinding),
        (1, TAG_INNER_PRODUCT, 0, inner_product),
    ];
    for i in spot_check_indices(&stored, max_len) {
        checks.push((i + 2, TAG_TABLE, i as u64, generators[i]));
    }
    if let Some((k, ..)) = checks
        .par_iter()
        .find_first(|(_, tag, index, point)| hash_to_curve(&label, *tag, *index) != *point)
    {
        return Err(bad_file(
            path,
            format!(
                "generator {} differs from its derivation from the label",
                point_name(*k)
            ),
        ));
    }
    Ok(PedersenKey::from_parts(
        label,
        generators,
        blinding,
        inner_product,
    ))
}

/// A directory of key files, one per `(label, max_len)`, so that each key is derived once
/// per machine: [`KeyCache::load_or_setup`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyCache {
    dir: PathBuf,
}

impl KeyCache {
    /// The environment variable naming the cache directory ([`KeyCache::default_dir`]).
    pub const ENV_VAR: &'static str = "ZKPOT_CACHE_DIR";

    /// A cache in `dir` (created when the first key is saved).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        KeyCache { dir: dir.into() }
    }

    /// The default cache directory: `$ZKPOT_CACHE_DIR` if set, else
    /// `$XDG_CACHE_HOME/zkpot`, else `$HOME/.cache/zkpot`, else `./.zkpot-cache`
    /// (variables set to the empty string count as unset; a relative `$XDG_CACHE_HOME`
    /// is ignored, as the XDG specification asks).
    pub fn default_dir() -> PathBuf {
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        if let Some(dir) = var(Self::ENV_VAR) {
            return PathBuf::from(dir);
        }
        if let Some(xdg) = var("XDG_CACHE_HOME").map(PathBuf::from) {
            if xdg.is_absolute() {
                return xdg.join("zkpot");
            }
        }
        if let Some(home) = var("HOME") {
            return PathBuf::from(home).join(".cache").join("zkpot");
        }
        PathBuf::from(".zkpot-cache")
    }

    /// The cache in [`KeyCache::default_dir`].
    pub fn from_env() -> Self {
        Self::new(Self::default_dir())
    }

    /// The cache directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file of the key of `label` and `max_len`:
    /// `pedersen-<label>-<hash>-<max_len>.key`, where `<label>` is the label with every
    /// byte other than ASCII letters, digits, `_` and `-` replaced by `_`, cut to 48
    /// bytes (left out, with its dash, when empty), and `<hash>` the first 8 bytes of
    /// `SHA-256(label)` in hex, which keeps distinct labels apart. A valid file name for
    /// any label; [`KeyCache::load`] checks the label stored in the file anyway.
    pub fn path(&self, label: &[u8], max_len: usize) -> PathBuf {
        let readable: String = label
            .iter()
            .take(48)
            .map(|&b| {
                if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
                    b as char
                } else {
                    '_'
                }
            })
            .collect();
        let hash: String = Sha256::digest(label)[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let name = if readable.is_empty() {
            format!("pedersen-{hash}-{max_len}.key")
        } else {
            format!("pedersen-{readable}-{hash}-{max_len}.key")
        };
        self.dir.join(name)
    }

    /// The key of `label` and `max_len` from the cache: `Ok(None)` if its file does not
    /// exist; an error if the file is bad ([`PedersenKey::read_file`]) or holds the key
    /// of another label or `max_len`.
    pub fn load(&self, label: &[u8], max_len: usize) -> Result<Option<PedersenKey>, PcsError> {
        let path = self.path(label, max_len);
        let file = match fs::File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_error("open", &path)(e)),
        };
        let key = match read_opened(file, &path) {
            // A key file of another zkpot version is derived again (and replaced).
            Err(PcsError::UnsupportedKeyFile { .. }) => return Ok(None),
            result => result?,
        };
        if key.label() != label || key.max_len() != max_len {
            return Err(bad_file(
                &path,
                format!(
                    "holds the key of label \"{}\" and max_len {}, not of label \"{}\" and \
                     max_len {}",
                    key.label().escape_ascii(),
                    key.max_len(),
                    label.escape_ascii(),
                    max_len
                ),
            ));
        }
        Ok(Some(key))
    }

    /// The key of `label` and `max_len`: loaded from the cache if there, else derived
    /// with [`PedersenKey::setup_with_progress`] (passing it `progress`) and saved. The
    /// flag is `true` when the key was derived and saved, `false` when it was loaded.
    ///
    /// A bad file (corrupt, truncated, of another version or key) is an error, never
    /// silently replaced; to recover, delete the file ([`KeyCache::path`] names it) or run
    /// `zkpot setup --force`, and the next call derives the key again.
    pub fn load_or_setup(
        &self,
        label: &[u8],
        max_len: usize,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<(PedersenKey, bool), PcsError> {
        if let Some(key) = self.load(label, max_len)? {
            return Ok((key, false));
        }
        let key = PedersenKey::setup_with_progress(label, max_len, progress);
        key.write_file(&self.path(label, max_len))?;
        Ok((key, true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn point_size_is_64_bytes() {
        assert_eq!(G1Affine::generator().uncompressed_size(), POINT_BYTES);
        assert_eq!(G1Affine::zero().uncompressed_size(), POINT_BYTES);
    }

    #[test]
    fn spot_check_indices_are_in_range() {
        let d = [7u8; 32];
        assert!(spot_check_indices(&d, 0).is_empty());
        let idx = spot_check_indices(&d, 1000);
        assert_eq!(idx.len(), SPOT_CHECKS + 2);
        assert_eq!((idx[0], idx[1]), (0, 999));
        assert!(idx.iter().all(|&i| i < 1000));
        assert!(spot_check_indices(&d, 1).iter().all(|&i| i == 0));
    }

    #[test]
    fn file_names_are_safe() {
        let cache = KeyCache::new("/c");
        for label in [&b""[..], b"a/b", b"..", b"\0\xff", &[b'x'; 300]] {
            let path = cache.path(label, 8);
            let name = path.file_name().unwrap().to_str().unwrap();
            assert!(name.len() < 100, "{name}");
            assert!(name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b)));
            assert_eq!(path.parent(), Some(Path::new("/c")));
        }
        assert_ne!(cache.path(b"a/b", 8), cache.path(b"a_b", 8));
        assert_ne!(cache.path(b"a", 8), cache.path(b"a", 9));
        assert_eq!(
            cache
                .path(b"zkpot-v1", 16)
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .len(),
            "pedersen-zkpot-v1-0123456789abcdef-16.key".len()
        );
    }
}
