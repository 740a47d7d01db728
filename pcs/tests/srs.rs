#![allow(clippy::unwrap_used, clippy::indexing_slicing)]
//! The SRS: importing the snarkjs fixture (`fixtures/ptau/bn128_pow8.ptau`, see
//! `fixtures/README.md`) and rejecting every kind of damaged or wrong `.ptau` file with the
//! error naming the failed check; development SRSs; the SRS file (round trips, every
//! damaged copy rejected); and no panic on any input.
use std::{ops::Range, path::Path, time::Instant};

use ark_bn254::{Bn254, Fq, Fq2, G2Affine};
use ark_ec::{pairing::Pairing, AffineRepr, CurveGroup};
use ark_ff::One;
use ark_serialize::CanonicalSerialize;
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sha2::{Digest, Sha256};
use zkpot_core::{io::EnvelopeError, G1Affine};
use zkpot_pcs::srs::{Group, Srs, SrsError, SrsOrigin, DIGEST_DOMAIN, MAX_POWER};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fixtures/ptau/bn128_pow8.ptau"
);
const FIXTURE_POWER: u32 = 8;

fn fixture() -> Vec<u8> {
    std::fs::read(FIXTURE).unwrap()
}

fn rng() -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(42)
}

// ---- a small independent reading and writing of the .ptau format ----

/// The sections of a `.ptau` file: type and data range, in file order.
fn sections(bytes: &[u8]) -> Vec<(u32, Range<usize>)> {
    let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap());
    let u64_at = |i: usize| u64::from_le_bytes(bytes[i..i + 8].try_into().unwrap());
    let mut out = Vec::new();
    let mut pos = 12;
    for _ in 0..u32_at(8) {
        let (kind, size) = (u32_at(pos), u64_at(pos + 4) as usize);
        out.push((kind, pos + 12..pos + 12 + size));
        pos += 12 + size;
    }
    out
}

/// The data range of section `kind`.
fn section(bytes: &[u8], kind: u32) -> Range<usize> {
    sections(bytes)
        .into_iter()
        .find(|(k, _)| *k == kind)
        .unwrap()
        .1
}

/// A `.ptau` file from `(type, data)` sections, in that order.
fn ptau_file(parts: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let mut out = b"ptau".to_vec();
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(&(parts.len() as u32).to_le_bytes());
    for (kind, data) in parts {
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&(data.len() as u64).to_le_bytes());
        out.extend_from_slice(data);
    }
    out
}

/// The fixture rebuilt with the sections `kinds`, in that order.
fn rebuilt(bytes: &[u8], kinds: &[u32]) -> Vec<u8> {
    let parts: Vec<(u32, Vec<u8>)> = kinds
        .iter()
        .map(|&k| (k, bytes[section(bytes, k)].to_vec()))
        .collect();
    ptau_file(&parts)
}

/// The Montgomery form of `a`, 32 little-endian bytes (how snarkjs stores it).
fn montgomery(a: Fq) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (chunk, limb) in out.chunks_exact_mut(8).zip(a.0 .0) {
        chunk.copy_from_slice(&limb.to_le_bytes());
    }
    out
}

fn encode_g1(p: G1Affine) -> Vec<u8> {
    [montgomery(p.x), montgomery(p.y)].concat()
}

fn encode_g2(p: G2Affine) -> Vec<u8> {
    [p.x.c0, p.x.c1, p.y.c0, p.y.c1]
        .into_iter()
        .flat_map(montgomery)
        .collect()
}

/// Offset of `tauG1[i]`.
fn tau_g1(bytes: &[u8], i: usize) -> usize {
    section(bytes, 2).start + 64 * i
}

/// Offset of `tauG2[i]`.
fn tau_g2(bytes: &[u8], i: usize) -> usize {
    section(bytes, 3).start + 128 * i
}

/// A header section: n8, prime, power, ceremony power.
fn header(power: u32) -> Vec<u8> {
    let mut out = 32u32.to_le_bytes().to_vec();
    out.extend(modulus_le());
    out.extend_from_slice(&power.to_le_bytes());
    out.extend_from_slice(&power.to_le_bytes());
    out
}

/// BN254's base-field modulus, little-endian (from the fixture's header).
fn modulus_le() -> Vec<u8> {
    let bytes = fixture();
    bytes[section(&bytes, 1)][4..36].to_vec()
}

/// A `.ptau` file of power `power` (sections 1 to 3) from the powers of `srs` (power at
/// least `power + 1`); `tauG2[i]` for `i >= 2` is the generator (never read).
fn ptau_of(srs: &Srs, power: u32) -> Vec<u8> {
    let g1: Vec<u8> = srs.g1_powers()[..(2 << power) - 1]
        .iter()
        .flat_map(|p| encode_g1(*p))
        .collect();
    let mut g2 = encode_g2(G2Affine::generator());
    if power > 0 {
        g2.extend(encode_g2(srs.tau_g2()));
        for _ in 2..1 << power {
            g2.extend(encode_g2(G2Affine::generator()));
        }
    }
    ptau_file(&[(1, header(power)), (2, g1), (3, g2)])
}

/// The digest of the module documentation, computed independently.
fn digest_of(srs: &Srs) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(DIGEST_DOMAIN);
    h.update(srs.power().to_le_bytes());
    let mut buf = Vec::new();
    for p in srs.g1_powers() {
        p.serialize_compressed(&mut buf).unwrap();
    }
    G2Affine::generator()
        .serialize_compressed(&mut buf)
        .unwrap();
    srs.tau_g2().serialize_compressed(&mut buf).unwrap();
    h.update(&buf);
    h.finalize().into()
}

fn import(bytes: &[u8]) -> Result<Srs, SrsError> {
    Srs::import_ptau_bytes(bytes, None)
}

// ---- the fixture ----

#[test]
fn fixture_imports_and_checks() {
    let bytes = fixture();
    let start = Instant::now();
    let srs = Srs::import_ptau(Path::new(FIXTURE), None).unwrap();
    eprintln!(
        "import of the power-{FIXTURE_POWER} fixture ({} bytes): {:?}",
        bytes.len(),
        start.elapsed()
    );
    assert_eq!(srs.power(), FIXTURE_POWER);
    assert_eq!(srs.g1_powers().len(), 1 << FIXTURE_POWER);
    assert_eq!(srs.g1_powers()[0], G1Affine::generator());
    assert_eq!(srs.g2(), G2Affine::generator());
    assert_ne!(srs.tau_g2(), G2Affine::generator());
    let file_sha256: [u8; 32] = Sha256::digest(&bytes).into();
    assert_eq!(
        srs.origin(),
        &SrsOrigin::Ceremony {
            file_sha256,
            ceremony_power: FIXTURE_POWER
        }
    );
    let hex: String = file_sha256.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        srs.origin().to_string(),
        format!("ceremony file sha256 {hex}")
    );
    srs.check_powers(&mut rng()).unwrap();
    // e([tau]_1, [1]_2) = e([1]_1, [tau]_2), directly.
    assert_eq!(
        Bn254::pairing(srs.g1_powers()[1], srs.g2()),
        Bn254::pairing(srs.g1_powers()[0], srs.tau_g2())
    );
    assert_eq!(srs.digest(), digest_of(&srs));

    // The bytes import the same, and the digest does not change.
    assert_eq!(Srs::import_ptau_bytes(&bytes, None).unwrap(), srs);
    assert_eq!(import(&bytes).unwrap().digest(), srs.digest());

    // A prefix import is the truncation of the full one.
    for power in [0, 1, 5, FIXTURE_POWER] {
        let prefix = Srs::import_ptau(Path::new(FIXTURE), Some(power)).unwrap();
        assert_eq!(prefix, srs.truncate(power).unwrap(), "power {power}");
        assert_eq!(prefix.g1_powers().len(), 1 << power);
        assert_eq!(prefix.digest(), digest_of(&prefix));
        prefix.check_powers(&mut rng()).unwrap();
    }
    assert_ne!(srs.truncate(5).unwrap().digest(), srs.digest());
}

#[test]
fn sections_are_found_by_type_in_any_order() {
    let bytes = fixture();
    let srs = import(&bytes).unwrap();
    // Only the three sections the SRS needs, reversed; and the file before `prepare
    // phase2` (sections 1 to 7).
    for kinds in [&[3, 2, 1][..], &[1, 2, 3, 4, 5, 6, 7], &[7, 1, 12, 3, 2]] {
        let other = import(&rebuilt(&bytes, kinds)).unwrap();
        assert_eq!(other.g1_powers(), srs.g1_powers(), "{kinds:?}");
        assert_eq!(other.tau_g2(), srs.tau_g2());
        assert_eq!(other.digest(), srs.digest());
        assert_ne!(other.origin(), srs.origin());
    }
}

#[test]
fn own_encoding_imports_like_the_srs() {
    // A file written by the test's encoder from a development SRS imports as that SRS,
    // whatever tauG2[2..] holds.
    let dev = Srs::dev_seeded(5, 11);
    for power in [1, 2, 4] {
        let srs = import(&ptau_of(&dev, power)).unwrap();
        assert_eq!(srs.digest(), dev.truncate(power).unwrap().digest());
    }
    assert_eq!(
        import(&ptau_of(&dev, 0)),
        Err(SrsError::PowerUnavailable {
            wanted: 1,
            available: 0
        })
    );
}

// ---- damaged and wrong .ptau files ----

#[test]
fn flipped_bytes_in_powers_are_rejected() {
    let bytes = fixture();
    for index in [0usize, 1, 2, 100, 255] {
        for byte in [0usize, 17, 31, 32, 50, 63] {
            for mask in [0x01u8, 0x80] {
                let mut bad = bytes.clone();
                bad[tau_g1(&bytes, index) + byte] ^= mask;
                let err = import(&bad).unwrap_err();
                let index = index as u64;
                assert!(
                    matches!(
                        err,
                        SrsError::NotOnCurve { group: Group::G1, index: i }
                        | SrsError::PointEncoding { group: Group::G1, index: i } if i == index
                    ),
                    "tauG1[{index}] byte {byte} mask {mask:#x}: {err:?}"
                );
            }
        }
    }
    // A flipped top bit pushes a coordinate over q.
    let mut bad = bytes.clone();
    bad[tau_g1(&bytes, 3) + 31] ^= 0x80;
    assert_eq!(
        import(&bad),
        Err(SrsError::PointEncoding {
            group: Group::G1,
            index: 3
        })
    );
    let mut bad = bytes.clone();
    bad[tau_g1(&bytes, 3)] ^= 0x01;
    assert_eq!(
        import(&bad),
        Err(SrsError::NotOnCurve {
            group: Group::G1,
            index: 3
        })
    );
    // Only the powers asked for are read: damage past them goes unnoticed.
    let srs = import(&bytes).unwrap();
    let mut bad = bytes.clone();
    bad[tau_g1(&bytes, 100)] ^= 0x01;
    bad[tau_g1(&bytes, 300)] ^= 0x01;
    bad[tau_g2(&bytes, 2)] ^= 0x01;
    assert_eq!(
        Srs::import_ptau_bytes(&bad, Some(4)).unwrap().digest(),
        srs.truncate(4).unwrap().digest()
    );
    // A damaged tauG2 point.
    for i in [0, 1] {
        let mut bad = bytes.clone();
        bad[tau_g2(&bytes, i) + 5] ^= 0x01;
        assert_eq!(
            import(&bad),
            Err(SrsError::NotOnCurve {
                group: Group::G2,
                index: i as u64
            })
        );
    }
}

#[test]
fn valid_but_wrong_points_are_rejected() {
    let bytes = fixture();
    let srs = import(&bytes).unwrap();
    let g = G1Affine::generator();
    let put = |bad: &mut Vec<u8>, at: usize, data: &[u8]| {
        bad[at..at + data.len()].copy_from_slice(data);
    };
    // [tau^i]_1 replaced by [tau^i]_1 + G: on the curve, but not a power.
    for i in [1usize, 17, 128, 255] {
        let mut bad = bytes.clone();
        let wrong = (srs.g1_powers()[i] + g).into_affine();
        put(&mut bad, tau_g1(&bytes, i), &encode_g1(wrong));
        assert_eq!(
            import(&bad),
            Err(SrsError::PowersInconsistent),
            "tauG1[{i}]"
        );
    }
    // Two powers swapped.
    let mut bad = bytes.clone();
    put(&mut bad, tau_g1(&bytes, 3), &encode_g1(srs.g1_powers()[4]));
    put(&mut bad, tau_g1(&bytes, 4), &encode_g1(srs.g1_powers()[3]));
    assert_eq!(import(&bad), Err(SrsError::PowersInconsistent));
    // The generators.
    let mut bad = bytes.clone();
    put(
        &mut bad,
        tau_g1(&bytes, 0),
        &encode_g1((g + g).into_affine()),
    );
    assert_eq!(
        import(&bad),
        Err(SrsError::WrongGenerator { group: Group::G1 })
    );
    let h = G2Affine::generator();
    let mut bad = bytes.clone();
    put(
        &mut bad,
        tau_g2(&bytes, 0),
        &encode_g2((h + h).into_affine()),
    );
    assert_eq!(
        import(&bad),
        Err(SrsError::WrongGenerator { group: Group::G2 })
    );
    // [tau]_2 of another tau, also when only power 0 is asked for.
    let mut bad = bytes.clone();
    let wrong = (srs.tau_g2() + h).into_affine();
    put(&mut bad, tau_g2(&bytes, 1), &encode_g2(wrong));
    assert_eq!(import(&bad), Err(SrsError::PowersInconsistent));
    assert_eq!(
        Srs::import_ptau_bytes(&bad, Some(0)),
        Err(SrsError::PowersInconsistent)
    );
    // A G2 point on the curve but outside the subgroup.
    let mut bad = bytes.clone();
    put(&mut bad, tau_g2(&bytes, 1), &encode_g2(non_subgroup_g2()));
    assert_eq!(
        import(&bad),
        Err(SrsError::NotInSubgroup {
            group: Group::G2,
            index: 1
        })
    );
    // snarkjs's point at infinity (all zeros).
    let mut bad = bytes.clone();
    put(&mut bad, tau_g1(&bytes, 5), &[0; 64]);
    assert_eq!(
        import(&bad),
        Err(SrsError::PointAtInfinity {
            group: Group::G1,
            index: 5
        })
    );
    let mut bad = bytes.clone();
    put(&mut bad, tau_g2(&bytes, 1), &[0; 128]);
    assert_eq!(
        import(&bad),
        Err(SrsError::PointAtInfinity {
            group: Group::G2,
            index: 1
        })
    );
    // A coordinate at or above q.
    let mut bad = bytes.clone();
    put(&mut bad, tau_g1(&bytes, 7), &[0xff; 32]);
    assert_eq!(
        import(&bad),
        Err(SrsError::PointEncoding {
            group: Group::G1,
            index: 7
        })
    );
}

/// A point of the curve `y^2 = x^3 + b` over `Fq2` outside the prime-order subgroup.
fn non_subgroup_g2() -> G2Affine {
    let mut x = Fq2::one();
    loop {
        if let Some(p) = G2Affine::get_point_from_x_unchecked(x, false) {
            if p.is_on_curve() && !p.is_in_correct_subgroup_assuming_on_curve() {
                return p;
            }
        }
        x += Fq2::one();
    }
}

#[test]
fn malformed_files_are_rejected() {
    let bytes = fixture();
    let header = section(&bytes, 1).start;
    let with = |at: usize, data: &[u8]| {
        let mut bad = bytes.clone();
        bad[at..at + data.len()].copy_from_slice(data);
        bad
    };
    assert_eq!(import(&with(0, b"ptaU")), Err(SrsError::NotPtau));
    assert_eq!(import(b"zkpot"), Err(SrsError::NotPtau));
    assert_eq!(
        import(&with(4, &2u32.to_le_bytes())),
        Err(SrsError::UnsupportedPtauVersion { version: 2 })
    );
    assert_eq!(
        import(&with(4, &0u32.to_le_bytes())),
        Err(SrsError::UnsupportedPtauVersion { version: 0 })
    );
    // Another prime: q - 1 (BLS12-381 files also have n8 = 48, checked below).
    let bad = with(header + 4, &[0x46]);
    let mut prime = [0u8; 32];
    prime.copy_from_slice(&bad[header + 4..header + 36]);
    assert_eq!(import(&bad), Err(SrsError::WrongCurve { prime }));
    assert!(import(&bad)
        .unwrap_err()
        .to_string()
        .contains("30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd46"));
    assert_eq!(
        import(&with(header, &48u32.to_le_bytes())),
        Err(SrsError::WrongFieldSize { n8: 48 })
    );
    // The header's power: above MAX_POWER, or disagreeing with the section sizes.
    assert_eq!(
        import(&with(header + 36, &29u32.to_le_bytes())),
        Err(SrsError::PowerTooLarge { power: 29, max: 28 })
    );
    assert_eq!(
        import(&with(header + 36, &7u32.to_le_bytes())),
        Err(SrsError::SectionSize {
            section: 2,
            expected: 255 * 64,
            found: 511 * 64
        })
    );
    // The power asked for.
    assert_eq!(
        Srs::import_ptau_bytes(&bytes, Some(9)),
        Err(SrsError::PowerUnavailable {
            wanted: 9,
            available: 8
        })
    );
    assert_eq!(
        Srs::import_ptau_bytes(&bytes, Some(MAX_POWER + 1)),
        Err(SrsError::PowerTooLarge { power: 29, max: 28 })
    );
    // Sections missing, duplicated, or of the wrong size.
    assert_eq!(
        import(&rebuilt(&bytes, &[1, 2, 4])),
        Err(SrsError::SectionMissing { section: 3 })
    );
    assert_eq!(
        import(&rebuilt(&bytes, &[2, 3])),
        Err(SrsError::SectionMissing { section: 1 })
    );
    assert_eq!(
        import(&rebuilt(&bytes, &[1, 2, 3, 2])),
        Err(SrsError::SectionDuplicated { section: 2 })
    );
    let mut parts: Vec<(u32, Vec<u8>)> = [1, 2, 3]
        .iter()
        .map(|&k| (k, bytes[section(&bytes, k)].to_vec()))
        .collect();
    parts[0].1.push(0);
    assert_eq!(
        import(&ptau_file(&parts)),
        Err(SrsError::SectionSize {
            section: 1,
            expected: 44,
            found: 45
        })
    );
    parts[0].1.truncate(44);
    parts[2].1.truncate(128 * 255);
    assert_eq!(
        import(&ptau_file(&parts)),
        Err(SrsError::SectionSize {
            section: 3,
            expected: 128 * 256,
            found: 128 * 255
        })
    );
    // More sections announced than there are.
    assert!(matches!(
        import(&with(8, &12u32.to_le_bytes())),
        Err(SrsError::Truncated {
            what: "the section table",
            ..
        })
    ));
    // A section size past the end.
    assert!(matches!(
        import(&with(section(&bytes, 2).start - 8, &u64::MAX.to_le_bytes())),
        Err(SrsError::Truncated {
            what: "section 2",
            ..
        })
    ));
}

#[test]
fn truncated_files_are_rejected() {
    let bytes = fixture();
    let g2 = section(&bytes, 3).start;
    for len in [
        0,
        2,
        4,
        11,
        12,
        23,
        30,
        100,
        g2 - 1,
        g2 + 200,
        bytes.len() - 1,
    ] {
        assert!(
            matches!(import(&bytes[..len]), Err(SrsError::Truncated { .. })),
            "length {len}: {:?}",
            import(&bytes[..len])
        );
    }
}

// ---- development SRSs ----

#[test]
fn dev_srs_is_deterministic_and_consistent() {
    let srs = Srs::dev_seeded(6, 7);
    assert_eq!(srs, Srs::dev_seeded(6, 7));
    assert_eq!(srs.power(), 6);
    assert_eq!(srs.g1_powers().len(), 64);
    assert_eq!(srs.origin(), &SrsOrigin::Dev { seed: Some(7) });
    assert_eq!(
        srs.origin().to_string(),
        "development (seed 7): whoever sampled tau can forge proofs"
    );
    srs.check_powers(&mut rng()).unwrap();
    assert_eq!(srs.digest(), digest_of(&srs));

    let other = Srs::dev_seeded(6, 8);
    assert_ne!(other.digest(), srs.digest());
    assert_ne!(other.tau_g2(), srs.tau_g2());

    // The same points from the same rng: the same digest, whatever the origin.
    let unseeded = Srs::dev(6, &mut ChaCha20Rng::seed_from_u64(7));
    assert_eq!(unseeded.origin(), &SrsOrigin::Dev { seed: None });
    assert!(unseeded.origin().to_string().contains("can forge proofs"));
    assert_eq!(unseeded.digest(), srs.digest());
    assert_ne!(unseeded, srs);

    // Truncation.
    let small = srs.truncate(3).unwrap();
    assert_eq!(small.g1_powers(), &srs.g1_powers()[..8]);
    assert_eq!(small, Srs::dev_seeded(3, 7));
    assert_eq!(srs.truncate(6).unwrap(), srs);
    assert_eq!(
        srs.truncate(7),
        Err(SrsError::PowerUnavailable {
            wanted: 7,
            available: 6
        })
    );
    // Debug does not print the points.
    assert!(format!("{srs:?}").len() < 400);
}

// ---- the SRS file ----

#[test]
fn srs_files_round_trip() {
    let seeded = Srs::dev_seeded(3, 1);
    let unseeded = Srs::dev(4, &mut rng());
    let ceremony = import(&fixture()).unwrap();
    for srs in [&seeded, &unseeded, &ceremony] {
        let bytes = srs.to_bytes();
        assert_eq!(&bytes[..8], b"ZKPOTFMT");
        assert_eq!(bytes[12], 7);
        assert_eq!(&Srs::from_bytes(&bytes).unwrap(), srs);
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/folder/srs.bin");
    ceremony.write_file(&path).unwrap();
    assert_eq!(Srs::read_file(&path).unwrap(), ceremony);
    seeded.write_file(&path).unwrap();
    assert_eq!(Srs::read_file(&path).unwrap(), seeded);
    assert!(matches!(
        Srs::read_file(&dir.path().join("missing")),
        Err(SrsError::Io { action: "read", .. })
    ));
}

/// Layout of the file of `Srs::dev_seeded(3, _)`: envelope 13, digest 32, tag 1, seed 8,
/// power 4, then the points.
const SEEDED_HEADER: usize = 13 + 32 + 1 + 8 + 4;

#[test]
fn every_damaged_srs_file_is_rejected() {
    let srs = Srs::dev_seeded(3, 1);
    let bytes = srs.to_bytes();
    assert_eq!(bytes.len(), SEEDED_HEADER + 8 * 64 + 128 + 32);
    for i in 0..bytes.len() {
        for mask in [0x01u8, 0x80, 0xff] {
            let mut bad = bytes.clone();
            bad[i] ^= mask;
            assert!(Srs::from_bytes(&bad).is_err(), "byte {i} mask {mask:#x}");
        }
    }
    for len in 0..bytes.len() {
        assert!(Srs::from_bytes(&bytes[..len]).is_err(), "length {len}");
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(
        Srs::from_bytes(&longer),
        Err(SrsError::FileLength {
            expected: bytes.len() as u64,
            found: bytes.len() as u64 + 1
        })
    );
}

/// Rewrites the trailing hash of an SRS file.
fn rehash(bytes: &mut [u8]) {
    let n = bytes.len() - 32;
    let hash = Sha256::digest(&bytes[..n]);
    bytes[n..].copy_from_slice(&hash);
}

#[test]
fn srs_file_checks_name_the_failure() {
    let srs = Srs::dev_seeded(3, 1);
    let bytes = srs.to_bytes();
    let point = |i: usize| SEEDED_HEADER + 64 * i;

    let mut bad = bytes.clone();
    bad[point(2)] ^= 1;
    assert_eq!(Srs::from_bytes(&bad), Err(SrsError::FileHashMismatch));
    rehash(&mut bad);
    assert_eq!(
        Srs::from_bytes(&bad),
        Err(SrsError::NotOnCurve {
            group: Group::G1,
            index: 2
        })
    );

    // A valid but wrong point: the digest catches it; with the digest rewritten too,
    // only check_powers does.
    let mut bad = bytes.clone();
    let wrong = (srs.g1_powers()[5] + G1Affine::generator()).into_affine();
    wrong
        .serialize_uncompressed(&mut bad[point(5)..point(6)])
        .unwrap();
    rehash(&mut bad);
    assert_eq!(Srs::from_bytes(&bad), Err(SrsError::DigestMismatch));
    let mut points = srs.g1_powers().to_vec();
    points[5] = wrong;
    let mut h = Sha256::new();
    h.update(DIGEST_DOMAIN);
    h.update(3u32.to_le_bytes());
    let mut buf = Vec::new();
    for p in &points {
        p.serialize_compressed(&mut buf).unwrap();
    }
    G2Affine::generator()
        .serialize_compressed(&mut buf)
        .unwrap();
    srs.tau_g2().serialize_compressed(&mut buf).unwrap();
    h.update(&buf);
    bad[13..45].copy_from_slice(&h.finalize());
    rehash(&mut bad);
    let forged = Srs::from_bytes(&bad).unwrap();
    assert_eq!(
        forged.check_powers(&mut rng()),
        Err(SrsError::PowersInconsistent)
    );

    // The generator.
    let mut bad = bytes.clone();
    (G1Affine::generator() + G1Affine::generator())
        .into_affine()
        .serialize_uncompressed(&mut bad[point(0)..point(1)])
        .unwrap();
    rehash(&mut bad);
    assert_eq!(
        Srs::from_bytes(&bad),
        Err(SrsError::WrongGenerator { group: Group::G1 })
    );

    // [tau]_2: the identity, or outside the subgroup.
    let mut bad = bytes.clone();
    G2Affine::zero()
        .serialize_uncompressed(&mut bad[point(8)..point(8) + 128])
        .unwrap();
    rehash(&mut bad);
    assert_eq!(
        Srs::from_bytes(&bad),
        Err(SrsError::PointAtInfinity {
            group: Group::G2,
            index: 1
        })
    );
    let mut bad = bytes.clone();
    non_subgroup_g2()
        .serialize_uncompressed(&mut bad[point(8)..point(8) + 128])
        .unwrap();
    rehash(&mut bad);
    assert_eq!(
        Srs::from_bytes(&bad),
        Err(SrsError::NotInSubgroup {
            group: Group::G2,
            index: 1
        })
    );

    // The header.
    let mut bad = bytes.clone();
    bad[45] = 9;
    assert_eq!(
        Srs::from_bytes(&bad),
        Err(SrsError::UnknownOrigin { tag: 9 })
    );
    let mut bad = bytes.clone();
    bad[SEEDED_HEADER - 4..SEEDED_HEADER].copy_from_slice(&29u32.to_le_bytes());
    assert_eq!(
        Srs::from_bytes(&bad),
        Err(SrsError::PowerTooLarge { power: 29, max: 28 })
    );
    let mut bad = bytes.clone();
    bad[SEEDED_HEADER - 4..SEEDED_HEADER].copy_from_slice(&4u32.to_le_bytes());
    assert!(matches!(
        Srs::from_bytes(&bad),
        Err(SrsError::FileLength { .. })
    ));
    let mut bad = bytes.clone();
    bad[12] = 5;
    assert!(matches!(
        Srs::from_bytes(&bad),
        Err(SrsError::Envelope(EnvelopeError::WrongKind { .. }))
    ));
    assert_eq!(
        Srs::from_bytes(&fixture()),
        Err(SrsError::Envelope(EnvelopeError::NotZkpot))
    );
}

// ---- no panic on any input ----

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = Srs::import_ptau_bytes(&bytes, None);
        let _ = Srs::from_bytes(&bytes);
        let mut ptau = b"ptau\x01\0\0\0".to_vec();
        ptau.extend_from_slice(&bytes);
        let _ = Srs::import_ptau_bytes(&ptau, None);
    }

    #[test]
    fn mutated_fixtures_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), any::<bool>()), 1..6),
        cut in proptest::option::of(any::<prop::sample::Index>()),
        power in proptest::option::of(0u32..12),
    ) {
        let mut bytes = fixture();
        let header_end = section(&bytes, 2).start;
        for (at, value, in_header) in edits {
            // Half the edits hit the preamble, section table and header.
            let i = if in_header { at.index(header_end) } else { at.index(bytes.len()) };
            bytes[i] = value;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut.index(bytes.len()));
        }
        let _ = Srs::import_ptau_bytes(&bytes, power);
    }

    #[test]
    fn mutated_srs_files_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        rehashed in any::<bool>(),
    ) {
        let mut bytes = Srs::dev_seeded(3, 1).to_bytes();
        for (at, value) in edits {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        if rehashed && bytes.len() > 32 {
            rehash(&mut bytes);
        }
        let _ = Srs::from_bytes(&bytes);
    }
}

#[test]
fn power_zero_srs_has_the_generator_only() {
    let srs = Srs::import_ptau(Path::new(FIXTURE), Some(0)).unwrap();
    assert_eq!(srs.g1_powers(), &[G1Affine::generator()]);
    srs.check_powers(&mut rng()).unwrap();
    // A zero [tau]_2 is refused even at power 0.
    assert!(!srs.tau_g2().is_zero());
    let tau_check = Bn254::pairing(G1Affine::generator(), srs.tau_g2());
    assert_ne!(tau_check, Bn254::pairing(G1Affine::generator(), srs.g2()));
}
