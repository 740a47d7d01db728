#![allow(clippy::unwrap_used)]
//! The key file format and the key cache: round trips, progress reports, and rejection
//! of every kind of bad file without a panic.
use std::{
    path::{Path, PathBuf},
    sync::Mutex,
    time::Instant,
};

use ark_ec::AffineRepr;
use ark_serialize::CanonicalSerialize;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use zkpot_core::G1Affine;
use zkpot_pcs::{
    cache::{DIGEST_BLOCK, FORMAT_VERSION, MAGIC, POINT_BYTES},
    pedersen::{hash_to_curve, PedersenKey, SETUP_BLOCK},
    KeyCache, PcsError,
};

const LABEL: &[u8] = b"cache-test";
const N: usize = 1 << 10;

fn key() -> PedersenKey {
    PedersenKey::setup(LABEL, N)
}

/// Bytes before `H` for a label of `label_len` bytes.
fn header_len(label_len: usize) -> usize {
    25 + label_len
}

/// The digest of the documented format, computed independently of the crate.
fn digest_of(file_without_digest: &[u8], header_len: usize) -> [u8; 32] {
    let (header, points) = file_without_digest.split_at(header_len);
    let mut d = Sha256::new();
    d.update(header);
    for block in points.chunks(DIGEST_BLOCK) {
        d.update(Sha256::digest(block));
    }
    d.finalize().into()
}

/// Rewrites the last 32 bytes as the digest of the rest.
fn recompute_digest(bytes: &mut [u8], header_len: usize) {
    let n = bytes.len() - 32;
    let d = digest_of(&bytes[..n], header_len);
    bytes[n..].copy_from_slice(&d);
}

/// Offset of point `k` of the point section (`0` = H, `1` = U, `2 + i` = G_i).
fn point_offset(k: usize) -> usize {
    header_len(LABEL.len()) + k * POINT_BYTES
}

fn write_bytes(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// `read_file` must answer `KeyFile` for this path (and not panic); returns the reason.
fn rejected(path: &Path) -> String {
    match PedersenKey::read_file(path) {
        Err(PcsError::KeyFile { path: p, reason }) => {
            assert_eq!(p, path);
            reason
        }
        Err(e @ PcsError::UnsupportedKeyFile { .. }) => e.to_string(),
        other => panic!("expected a KeyFile error, got {other:?}"),
    }
}

/// A valid key file of `key()` and its bytes.
fn valid_file(dir: &Path) -> (PathBuf, Vec<u8>) {
    let path = dir.join("valid.key");
    key().write_file(&path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    (path, bytes)
}

#[test]
fn round_trip_equals_setup() {
    let dir = tempfile::tempdir().unwrap();
    for (label, n) in [
        (LABEL, N),
        (&b""[..], 0),
        (b"one", 1),
        (b"odd \xff/label", 37),
    ] {
        let key = PedersenKey::setup(label, n);
        let path = dir.path().join("nested/dirs").join(format!("k{n}.key"));
        key.write_file(&path).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        // The documented layout, byte for byte.
        let hl = header_len(label.len());
        assert_eq!(bytes.len(), hl + POINT_BYTES * (n + 2) + 32);
        assert_eq!(&bytes[..8], MAGIC);
        assert_eq!(&bytes[8..12], &FORMAT_VERSION.to_le_bytes());
        assert_eq!(bytes[12], zkpot_core::io::FileKind::CommitKey.byte());
        assert_eq!(&bytes[13..17], &(label.len() as u32).to_le_bytes());
        assert_eq!(&bytes[17..17 + label.len()], label);
        assert_eq!(&bytes[hl - 8..hl], &(n as u64).to_le_bytes());
        let mut h = Vec::new();
        key.blinding_generator()
            .serialize_uncompressed(&mut h)
            .unwrap();
        assert_eq!(&bytes[hl..hl + 64], &h[..]);
        let mut g = Vec::new();
        if let Some(last) = key.generators().last() {
            last.serialize_uncompressed(&mut g).unwrap();
            let end = bytes.len() - 32;
            assert_eq!(&bytes[end - 64..end], &g[..]);
        }
        let end = bytes.len() - 32;
        assert_eq!(digest_of(&bytes[..end], hl), bytes[end..]);

        let read = PedersenKey::read_file(&path).unwrap();
        assert_eq!(read, key);
        read.check().unwrap();
    }
    // Only the key files are left: no temporary files.
    let names: Vec<_> = std::fs::read_dir(dir.path().join("nested/dirs"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 4, "{names:?}");
}

#[test]
fn write_file_replaces_an_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_bytes(dir.path(), "k.key", b"garbage");
    key().write_file(&path).unwrap();
    assert_eq!(PedersenKey::read_file(&path).unwrap(), key());
}

#[test]
fn setup_with_progress_equals_setup_and_reports_max_len() {
    let calls = Mutex::new(Vec::new());
    let key = PedersenKey::setup_with_progress(LABEL, N, &|done| calls.lock().unwrap().push(done));
    assert_eq!(key, PedersenKey::setup(LABEL, N));
    assert_eq!(calls.into_inner().unwrap(), vec![N]);

    // Several blocks: counts increase to max_len, and the generators are those of the
    // module documentation's derivation.
    let n = SETUP_BLOCK + 5;
    let calls = Mutex::new(Vec::new());
    let key =
        PedersenKey::setup_with_progress(b"blocks", n, &|done| calls.lock().unwrap().push(done));
    // Two blocks, finished in either order: (SETUP_BLOCK or 5), then n.
    let calls = calls.into_inner().unwrap();
    assert!(calls == [SETUP_BLOCK, n] || calls == [5, n], "{calls:?}");
    let expected: Vec<G1Affine> = (0..n as u64)
        .into_par_iter()
        .map(|i| hash_to_curve(b"blocks", 0, i))
        .collect();
    assert_eq!(key.generators(), &expected[..]);
    assert_eq!(key.blinding_generator(), hash_to_curve(b"blocks", 1, 0));
    assert_eq!(
        key.inner_product_generator(),
        hash_to_curve(b"blocks", 2, 0)
    );

    let calls = Mutex::new(Vec::new());
    let empty =
        PedersenKey::setup_with_progress(LABEL, 0, &|done| calls.lock().unwrap().push(done));
    assert_eq!(empty, PedersenKey::setup(LABEL, 0));
    assert!(calls.into_inner().unwrap().is_empty());
}

#[test]
fn load_or_setup_derives_once_then_loads() {
    let dir = tempfile::tempdir().unwrap();
    let cache = KeyCache::new(dir.path().join("cache"));
    assert_eq!(cache.dir(), dir.path().join("cache"));
    assert_eq!(cache.load(LABEL, N).unwrap(), None);

    let reported = Mutex::new(Vec::new());
    let progress = |done| reported.lock().unwrap().push(done);
    let (first, derived) = cache.load_or_setup(LABEL, N, &progress).unwrap();
    assert!(derived);
    assert_eq!(first, key());
    assert!(cache.path(LABEL, N).is_file());
    assert_eq!(reported.lock().unwrap().last(), Some(&N));

    let (second, derived) = cache.load_or_setup(LABEL, N, &progress).unwrap();
    assert!(!derived);
    assert_eq!(second, first);
    assert_eq!(reported.lock().unwrap().len(), 1, "loading reports nothing");
    assert_eq!(cache.load(LABEL, N).unwrap(), Some(first));

    // Another max_len is another file.
    assert_eq!(cache.load(LABEL, N / 2).unwrap(), None);
    let (half, derived) = cache.load_or_setup(LABEL, N / 2, &|_| {}).unwrap();
    assert!(derived);
    assert_eq!(half.max_len(), N / 2);
}

#[test]
fn load_or_setup_does_not_overwrite_a_corrupt_file() {
    let dir = tempfile::tempdir().unwrap();
    let cache = KeyCache::new(dir.path());
    cache.load_or_setup(LABEL, N, &|_| {}).unwrap();
    let path = cache.path(LABEL, N);
    let mut bytes = std::fs::read(&path).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 1;
    std::fs::write(&path, &bytes).unwrap();

    let err = cache.load_or_setup(LABEL, N, &|_| {}).unwrap_err();
    assert!(matches!(err, PcsError::KeyFile { .. }), "{err:?}");
    assert!(err.to_string().contains("digest"), "{err}");
    assert!(cache.load(LABEL, N).is_err());
    assert_eq!(
        std::fs::read(&path).unwrap(),
        bytes,
        "the bad file was left alone"
    );

    // The documented recovery: delete the file.
    std::fs::remove_file(&path).unwrap();
    let (key, derived) = cache.load_or_setup(LABEL, N, &|_| {}).unwrap();
    assert!(derived);
    assert_eq!(key, self::key());
}

#[test]
fn flipped_bytes_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let (_, bytes) = valid_file(dir.path());
    let hl = header_len(LABEL.len());
    let len = bytes.len();
    let positions = [
        0,                            // magic
        7,                            // magic
        8,                            // version
        11,                           // version, high byte
        12,                           // kind
        13,                           // label length
        16,                           // label length, high byte
        17,                           // label
        hl - 9,                       // label, last byte
        hl - 8,                       // max_len
        hl - 1,                       // max_len, high byte
        point_offset(0),              // H
        point_offset(1) + 63,         // U, flags byte
        point_offset(2),              // G_0
        point_offset(2 + N / 2) + 31, // a middle generator
        point_offset(N + 1) + 63,     // the last generator, flags byte
        len - 32,                     // digest
        len - 1,                      // digest, last byte
    ];
    for pos in positions {
        for mask in [0x01u8, 0x80, 0xff] {
            let mut bad = bytes.clone();
            bad[pos] ^= mask;
            let path = write_bytes(dir.path(), "bad.key", &bad);
            let reason = rejected(&path);
            assert!(!reason.is_empty(), "byte {pos} mask {mask:#x}");
        }
    }
    // Where the reason is predictable.
    let mut bad = bytes.clone();
    bad[0] ^= 1;
    let path = write_bytes(dir.path(), "bad.key", &bad);
    assert!(rejected(&path).contains("magic"));
    let mut bad = bytes.clone();
    bad[point_offset(2 + N / 2)] ^= 1;
    let path = write_bytes(dir.path(), "bad.key", &bad);
    assert!(rejected(&path).contains("digest"));
}

#[test]
fn truncated_or_extended_files_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let (_, bytes) = valid_file(dir.path());
    let len = bytes.len();
    for cut in [
        0,
        1,
        7,
        8,
        12,
        16,
        20,
        33,
        100,
        183,
        184,
        len / 2,
        len - 64,
        len - 32,
        len - 1,
    ] {
        let path = write_bytes(dir.path(), "short.key", &bytes[..cut]);
        rejected(&path);
    }
    for extra in [&[0u8][..], &[0xff; 7], &[0; 64]] {
        let mut long = bytes.clone();
        long.extend_from_slice(extra);
        let path = write_bytes(dir.path(), "long.key", &long);
        rejected(&path);
        // Even with the digest recomputed over the longer file.
        recompute_digest(&mut long, header_len(LABEL.len()));
        let path = write_bytes(dir.path(), "long.key", &long);
        rejected(&path);
    }
}

#[test]
fn wrong_version_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let (_, bytes) = valid_file(dir.path());
    for version in [0u32, 1, 3, u32::MAX] {
        let mut bad = bytes.clone();
        bad[8..12].copy_from_slice(&version.to_le_bytes());
        recompute_digest(&mut bad, header_len(LABEL.len()));
        let path = write_bytes(dir.path(), "v.key", &bad);
        let reason = rejected(&path);
        assert!(
            reason.contains(&format!("format version {version}")),
            "{reason}"
        );
    }
    // A key file of an earlier zkpot (magic ZKPOTKEY) is an unsupported version, which
    // the cache treats as missing (the key is derived again and replaced).
    let mut old = b"ZKPOTKEY".to_vec();
    old.extend_from_slice(&1u32.to_le_bytes());
    old.extend_from_slice(&bytes[13..]);
    let path = write_bytes(dir.path(), "old.key", &old);
    assert!(rejected(&path).contains("format version 1 is not supported"));
}

#[test]
fn absurd_lengths_are_rejected_before_allocating() {
    let dir = tempfile::tempdir().unwrap();
    let (_, bytes) = valid_file(dir.path());
    let hl = header_len(LABEL.len());
    for max_len in [u64::MAX, u64::MAX / 64, 1 << 40, N as u64 + 1, N as u64 - 1] {
        let mut bad = bytes.clone();
        bad[hl - 8..hl].copy_from_slice(&max_len.to_le_bytes());
        recompute_digest(&mut bad, hl);
        let path = write_bytes(dir.path(), "len.key", &bad);
        let reason = rejected(&path);
        assert!(reason.contains("implies"), "{reason}");
    }
    for label_len in [u32::MAX, 1 << 30, LABEL.len() as u32 + 1] {
        let mut bad = bytes.clone();
        bad[13..17].copy_from_slice(&label_len.to_le_bytes());
        let path = write_bytes(dir.path(), "len.key", &bad);
        rejected(&path);
    }
}

#[test]
fn replaced_points_are_rejected_even_with_a_recomputed_digest() {
    let dir = tempfile::tempdir().unwrap();
    let (_, bytes) = valid_file(dir.path());
    let hl = header_len(LABEL.len());
    let other = hash_to_curve(LABEL, 0, N as u64 + 7);
    let mut other_bytes = Vec::new();
    other.serialize_uncompressed(&mut other_bytes).unwrap();

    // A valid curve point in place of a spot-checked generator: G_0, G_{N-1}, H, U.
    for (k, name) in [
        (2, "G[0]".to_string()),
        (N + 1, format!("G[{}]", N - 1)),
        (0, "H".to_string()),
        (1, "U".to_string()),
    ] {
        let mut bad = bytes.clone();
        let at = point_offset(k);
        bad[at..at + 64].copy_from_slice(&other_bytes);
        recompute_digest(&mut bad, hl);
        let path = write_bytes(dir.path(), "swap.key", &bad);
        let reason = rejected(&path);
        assert!(
            reason.contains(&format!("generator {name} differs")),
            "{reason}"
        );
    }

    // Invalid points, digest recomputed: the decoder names the point and the problem.
    let mut infinity = Vec::new();
    G1Affine::zero()
        .serialize_uncompressed(&mut infinity)
        .unwrap();
    let mut off_curve = other_bytes.clone();
    off_curve[0] ^= 1; // x changes, y stays: off the curve (with overwhelming probability)
    let not_reduced = [0xffu8; 64]; // x >= q
    for (point, problem) in [
        (&infinity[..], "point at infinity"),
        (&off_curve[..], "not on the curve"),
        (&not_reduced[..], "does not deserialize"),
    ] {
        let mut bad = bytes.clone();
        let at = point_offset(2 + 100);
        bad[at..at + 64].copy_from_slice(point);
        recompute_digest(&mut bad, hl);
        let path = write_bytes(dir.path(), "invalid.key", &bad);
        let reason = rejected(&path);
        assert!(
            reason.contains("G[100]") && reason.contains(problem),
            "{reason}"
        );
    }
}

#[test]
fn a_key_under_another_name_is_rejected_by_load() {
    let dir = tempfile::tempdir().unwrap();
    let cache = KeyCache::new(dir.path());
    let (_, bytes) = valid_file(dir.path());
    // The file of (LABEL, N) where (other label, N) and (LABEL, 2N) are expected.
    for (label, n) in [(&b"other"[..], N), (LABEL, 2 * N), (LABEL, N / 2)] {
        std::fs::write(cache.path(label, n), &bytes).unwrap();
        let err = cache.load(label, n).unwrap_err();
        let PcsError::KeyFile { path, reason } = &err else {
            panic!("expected KeyFile, got {err:?}");
        };
        assert_eq!(path, &cache.path(label, n));
        assert!(
            reason.contains("holds the key of label \"cache-test\""),
            "{reason}"
        );
        assert!(cache.load_or_setup(label, n, &|_| {}).is_err());
    }
}

#[test]
fn io_errors_are_typed() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.key");
    let err = PedersenKey::read_file(&missing).unwrap_err();
    let PcsError::Io {
        action,
        path,
        source,
    } = &err
    else {
        panic!("expected Io, got {err:?}");
    };
    assert_eq!((*action, path), ("open", &missing));
    assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
    assert!(std::error::Error::source(&err).is_some());
    assert!(err.to_string().contains("missing.key"), "{err}");
    assert_eq!(err.clone(), err);

    // A directory is not a key file, and cannot be written over.
    assert!(PedersenKey::read_file(dir.path()).is_err());
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    assert!(key().write_file(&sub).is_err());
    assert!(KeyCache::new(dir.path()).load(b"x", 1).unwrap().is_none());
}

#[test]
fn default_dir_follows_the_environment() {
    // The only test of this binary that touches the environment.
    let dir = tempfile::tempdir().unwrap();
    std::env::set_var(KeyCache::ENV_VAR, dir.path());
    assert_eq!(KeyCache::default_dir(), dir.path());
    assert_eq!(KeyCache::from_env().dir(), dir.path());
    std::env::remove_var(KeyCache::ENV_VAR);
    let default = KeyCache::default_dir();
    assert!(
        default.ends_with("zkpot") || default.ends_with(".zkpot-cache"),
        "{default:?}"
    );
}

/// Times `write_file` and `read_file` of a `2^20`-entry key (64 MiB file, deleted after):
/// `cargo test --release -p zkpot-pcs --test cache -- --ignored --nocapture`.
#[test]
#[ignore]
fn time_2_pow_20() {
    let n = 1 << 20;
    let t = Instant::now();
    let key = PedersenKey::setup(b"timing", n);
    eprintln!("setup 2^20: {:.2?}", t.elapsed());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.key");
    for round in 0..3 {
        let t = Instant::now();
        key.write_file(&path).unwrap();
        let write = t.elapsed();
        let t = Instant::now();
        let read = PedersenKey::read_file(&path).unwrap();
        let read_time = t.elapsed();
        assert_eq!(read, key);
        eprintln!(
            "round {round}: write_file {write:.2?}, read_file {read_time:.2?} ({} MiB)",
            std::fs::metadata(&path).unwrap().len() >> 20
        );
    }
    std::fs::remove_file(&path).unwrap();
}
