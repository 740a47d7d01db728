#![allow(clippy::unwrap_used)]
//! Pedersen commitments and the inner-product evaluation argument, end to end: key
//! derivation, homomorphism, small-value commitments, completeness, one soundness test
//! per proof and statement field, serialization and malformed input.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{UniformRand, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use proptest::prelude::*;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use zkpot_core::{
    mle::eq_table, CpuBackend, Fr, G1Affine, MultilinearTable, PoseidonTranscript, Transcript,
};
use zkpot_pcs::{
    error::PcsError,
    ipa::{prove_eval, verify_eval, IpaProof},
    pedersen::{commit, commit_small, random_blind, Commitment, Opening, PedersenKey},
};

const MAX_VARS: usize = 8;
const LABEL: &[u8] = b"zkpot-pcs-test";
const T_LABEL: &[u8] = b"pcs-test-transcript";

fn key() -> &'static PedersenKey {
    static KEY: OnceLock<PedersenKey> = OnceLock::new();
    KEY.get_or_init(|| PedersenKey::setup(LABEL, 1 << MAX_VARS))
}

fn random_table(rng: &mut ChaCha20Rng, n: usize) -> Vec<Fr> {
    (0..n).map(|_| Fr::rand(rng)).collect()
}

/// A proven evaluation statement.
struct Case {
    commitment: Commitment,
    point: Vec<Fr>,
    value: Fr,
    proof: IpaProof,
}

fn prove_case(num_vars: usize, blinded: bool, seed: u64) -> (Opening, Case) {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let table = random_table(&mut rng, 1 << num_vars);
    let blind = if blinded {
        random_blind(&mut rng)
    } else {
        Fr::zero()
    };
    let opening = Opening { table, blind };
    let commitment = commit(key(), &CpuBackend, &opening.table, opening.blind).unwrap();
    let point = random_table(&mut rng, num_vars);
    let mut t = PoseidonTranscript::new(T_LABEL);
    let (value, proof) = prove_eval(
        key(),
        &CpuBackend,
        &opening,
        &commitment,
        &point,
        &mut t,
        &mut rng,
    )
    .unwrap();
    let case = Case {
        commitment,
        point,
        value,
        proof,
    };
    (opening, case)
}

fn verify_case(c: &Case) -> Result<(), PcsError> {
    let mut t = PoseidonTranscript::new(T_LABEL);
    verify_eval(key(), &c.commitment, &c.point, c.value, &c.proof, &mut t)
}

fn bump(p: &G1Affine) -> G1Affine {
    (*p + G1Affine::generator()).into_affine()
}

// ---------------------------------------------------------------- keys

#[test]
fn key_derivation_is_deterministic() {
    let a = PedersenKey::setup(b"det", 16);
    let b = PedersenKey::setup(b"det", 16);
    assert_eq!(a, b);
    assert_eq!(a.label(), b"det");
    assert_eq!(a.max_len(), 16);
    // A shorter key is a prefix of a longer one (zero padding does not change commitments).
    let short = PedersenKey::setup(b"det", 5);
    assert_eq!(short.generators(), &a.generators()[..5]);
    assert_eq!(short.blinding_generator(), a.blinding_generator());
    assert_eq!(short.inner_product_generator(), a.inner_product_generator());
}

#[test]
fn keys_are_label_separated() {
    let a = PedersenKey::setup(b"label-a", 16);
    let b = PedersenKey::setup(b"label-b", 16);
    let empty = PedersenKey::setup(b"", 16);
    for (x, y) in [(&a, &b), (&a, &empty), (&b, &empty)] {
        assert_ne!(x.blinding_generator(), y.blinding_generator());
        assert_ne!(x.inner_product_generator(), y.inner_product_generator());
        for (g, h) in x.generators().iter().zip(y.generators()) {
            assert_ne!(g, h);
        }
    }
}

#[test]
fn generators_are_distinct_valid_points() {
    let k = key();
    let mut all: Vec<G1Affine> = k.generators().to_vec();
    all.push(k.blinding_generator());
    all.push(k.inner_product_generator());
    for p in &all {
        assert!(p.is_on_curve());
        assert!(p.is_in_correct_subgroup_assuming_on_curve());
        assert!(!p.is_zero());
        assert_ne!(*p, G1Affine::generator());
    }
    let mut sorted: Vec<Vec<u8>> = all
        .iter()
        .map(|p| {
            let mut bytes = Vec::new();
            p.serialize_compressed(&mut bytes).unwrap();
            bytes
        })
        .collect();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), all.len(), "generators repeat");
}

/// Byte offset of generator `i` in a compressed key: label (8-byte length + bytes),
/// then the generator vector (8-byte length + 32 bytes each).
fn generator_offset(k: &PedersenKey, i: usize) -> usize {
    8 + k.label().len() + 8 + 32 * i
}

#[test]
fn check_accepts_honest_key_and_rejects_modified() {
    let k = PedersenKey::setup(b"check", 8);
    assert_eq!(k.check(), Ok(()));
    let mut bytes = Vec::new();
    k.serialize_compressed(&mut bytes).unwrap();

    // Swap generators 2 and 3: every point is valid, the key is not.
    let mut swapped = bytes.clone();
    let (o2, o3) = (generator_offset(&k, 2), generator_offset(&k, 3));
    let g2: Vec<u8> = swapped[o2..o2 + 32].to_vec();
    swapped.copy_within(o3..o3 + 32, o2);
    swapped[o3..o3 + 32].copy_from_slice(&g2);
    let bad = PedersenKey::deserialize_compressed(&swapped[..]).unwrap();
    assert_eq!(
        bad.check(),
        Err(PcsError::KeyMismatch {
            name: "G",
            index: 2
        })
    );

    // Replace H by G_0.
    let mut h_bad = bytes.clone();
    let oh = generator_offset(&k, 8);
    h_bad.copy_within(generator_offset(&k, 0)..generator_offset(&k, 0) + 32, oh);
    let bad = PedersenKey::deserialize_compressed(&h_bad[..]).unwrap();
    assert_eq!(
        bad.check(),
        Err(PcsError::KeyMismatch {
            name: "H",
            index: 0
        })
    );

    // Replace U by G_0.
    let mut u_bad = bytes.clone();
    u_bad.copy_within(
        generator_offset(&k, 0)..generator_offset(&k, 0) + 32,
        oh + 32,
    );
    let bad = PedersenKey::deserialize_compressed(&u_bad[..]).unwrap();
    assert_eq!(
        bad.check(),
        Err(PcsError::KeyMismatch {
            name: "U",
            index: 0
        })
    );

    // Same generators under another label of the same length.
    let mut relabeled = bytes.clone();
    relabeled[8] ^= 1;
    let bad = PedersenKey::deserialize_compressed(&relabeled[..]).unwrap();
    assert_eq!(
        bad.check(),
        Err(PcsError::KeyMismatch {
            name: "G",
            index: 0
        })
    );
}

// ---------------------------------------------------------------- commitments

fn commit_to(table: &[Fr], blind: Fr) -> Commitment {
    commit(key(), &CpuBackend, table, blind).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn commitments_are_homomorphic(seed in any::<u64>(), len_a in 0usize..=64, len_b in 0usize..=64) {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let a = random_table(&mut rng, len_a);
        let b = random_table(&mut rng, len_b);
        let (ra, rb, s) = (Fr::rand(&mut rng), Fr::rand(&mut rng), Fr::rand(&mut rng));
        let mut sum = vec![Fr::zero(); len_a.max(len_b)];
        for (i, x) in a.iter().enumerate() {
            sum[i] += x;
        }
        for (i, x) in b.iter().enumerate() {
            sum[i] += x;
        }
        let ca = commit_to(&a, ra);
        prop_assert_eq!(ca.add(&commit_to(&b, rb)), commit_to(&sum, ra + rb));
        let scaled: Vec<Fr> = a.iter().map(|x| *x * s).collect();
        prop_assert_eq!(ca.scale(s), commit_to(&scaled, ra * s));
        prop_assert_eq!(ca.add(&Commitment::identity()), ca);
        // Zero padding does not change a commitment.
        let mut padded = a.clone();
        padded.resize(64, Fr::zero());
        prop_assert_eq!(commit_to(&padded, ra), ca);
    }
}

#[test]
fn commit_small_equals_commit() {
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let n = 1 << MAX_VARS;
    let bits: Vec<u64> = (0..n).map(|_| rng.gen_range(0..2)).collect();
    let bytes: Vec<u64> = (0..n).map(|_| rng.gen_range(0..256)).collect();
    let limbs: Vec<u64> = (0..n).map(|_| rng.gen_range(0..1 << 16)).collect();
    let words: Vec<u64> = (0..n).map(|_| rng.gen_range(0..1 << 32)).collect();
    let full: Vec<u64> = (0..n).map(|_| rng.next_u64()).collect();
    let extremes = vec![u64::MAX; 3];
    for values in [
        bits,
        bytes,
        limbs,
        words,
        full,
        extremes,
        vec![],
        vec![0; 9],
    ] {
        for blind in [Fr::zero(), Fr::rand(&mut rng)] {
            let fields: Vec<Fr> = values.iter().map(|&v| Fr::from(v)).collect();
            assert_eq!(
                commit_small(key(), &CpuBackend, &values, blind).unwrap(),
                commit_to(&fields, blind),
                "values up to {:?}",
                values.iter().max()
            );
        }
    }
    let too_long = vec![1u64; (1 << MAX_VARS) + 1];
    assert_eq!(
        commit_small(key(), &CpuBackend, &too_long, Fr::zero()),
        Err(PcsError::KeyTooShort {
            needed: (1 << MAX_VARS) + 1,
            available: 1 << MAX_VARS
        })
    );
}

#[test]
fn hiding_commitments_differ_by_blind() {
    let table = vec![Fr::from(5u64); 4];
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let c1 = commit_to(&table, random_blind(&mut rng));
    let c2 = commit_to(&table, random_blind(&mut rng));
    assert_ne!(c1, c2);
    let h = key().blinding_generator();
    assert_eq!(
        commit_to(&table, Fr::from(1u64)),
        Commitment((commit_to(&table, Fr::zero()).0 + h).into_affine())
    );
}

// ---------------------------------------------------------------- completeness

#[test]
fn ipa_completeness_all_sizes() {
    for num_vars in 0..=MAX_VARS {
        for blinded in [false, true] {
            let (opening, case) = prove_case(num_vars, blinded, 100 + num_vars as u64);
            let expected = MultilinearTable::new(opening.table.clone())
                .unwrap()
                .evaluate(&case.point)
                .unwrap();
            assert_eq!(case.value, expected, "value, 2^{num_vars}");
            assert_eq!(case.proof.num_rounds(), num_vars);
            assert_eq!(
                verify_case(&case),
                Ok(()),
                "2^{num_vars}, blinded {blinded}"
            );
        }
    }
}

#[test]
fn ipa_transcripts_stay_in_sync() {
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let opening = Opening {
        table: random_table(&mut rng, 16),
        blind: random_blind(&mut rng),
    };
    let c = commit_to(&opening.table, opening.blind);
    let point = random_table(&mut rng, 4);
    let mut tp = PoseidonTranscript::new(T_LABEL);
    tp.absorb_u64(42);
    let (value, proof) =
        prove_eval(key(), &CpuBackend, &opening, &c, &point, &mut tp, &mut rng).unwrap();
    let mut tv = PoseidonTranscript::new(T_LABEL);
    tv.absorb_u64(42);
    verify_eval(key(), &c, &point, value, &proof, &mut tv).unwrap();
    assert_eq!(tp.challenge(), tv.challenge());
}

#[test]
fn ipa_on_special_tables() {
    // Zero table, one-hot tables, boolean points: the value is the entry.
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let n = 3;
    for hot in [None, Some(0usize), Some(5), Some(7)] {
        let mut table = vec![Fr::zero(); 1 << n];
        if let Some(i) = hot {
            table[i] = Fr::from(11u64);
        }
        let opening = Opening {
            table: table.clone(),
            blind: Fr::zero(),
        };
        let c = commit_to(&table, Fr::zero());
        for (idx, entry) in table.iter().enumerate() {
            let point: Vec<Fr> = (0..n).map(|j| Fr::from(((idx >> j) & 1) as u64)).collect();
            let mut t = PoseidonTranscript::new(T_LABEL);
            let (value, proof) =
                prove_eval(key(), &CpuBackend, &opening, &c, &point, &mut t, &mut rng).unwrap();
            assert_eq!(value, *entry);
            let mut t = PoseidonTranscript::new(T_LABEL);
            verify_eval(key(), &c, &point, value, &proof, &mut t).unwrap();
        }
    }
}

// ---------------------------------------------------------------- soundness

fn rejects(case: &Case, what: &str) {
    assert!(verify_case(case).is_err(), "tampered {what} accepted");
}

#[test]
fn soundness_statement_fields() {
    let (_, case) = prove_case(5, true, 1);
    assert_eq!(verify_case(&case), Ok(()));

    let mut c = prove_case(5, true, 1).1;
    c.value += Fr::from(1u64);
    rejects(&c, "value");

    for j in 0..5 {
        let mut c = prove_case(5, true, 1).1;
        c.point[j] += Fr::from(1u64);
        rejects(&c, "point coordinate");
    }

    let mut c = prove_case(5, true, 1).1;
    c.commitment = Commitment(bump(&c.commitment.0));
    rejects(&c, "commitment");

    // A commitment to another table with the same value at the point.
    let mut c = prove_case(5, true, 1).1;
    c.commitment = prove_case(5, true, 2).1.commitment;
    rejects(&c, "other commitment");

    // A different key (label) or transcript label.
    let other_key = PedersenKey::setup(b"another", 1 << 5);
    let mut t = PoseidonTranscript::new(T_LABEL);
    assert!(verify_eval(
        &other_key,
        &case.commitment,
        &case.point,
        case.value,
        &case.proof,
        &mut t
    )
    .is_err());
    let mut t = PoseidonTranscript::new(b"another transcript");
    assert!(verify_eval(
        key(),
        &case.commitment,
        &case.point,
        case.value,
        &case.proof,
        &mut t
    )
    .is_err());
    let mut t = PoseidonTranscript::new(T_LABEL);
    t.absorb_u64(0);
    assert!(verify_eval(
        key(),
        &case.commitment,
        &case.point,
        case.value,
        &case.proof,
        &mut t
    )
    .is_err());
}

#[test]
fn soundness_proof_fields() {
    let base = prove_case(5, true, 3).1;
    for i in 0..5 {
        let mut c = prove_case(5, true, 3).1;
        c.proof.l[i] = bump(&c.proof.l[i]);
        rejects(&c, "L_i");
        let mut c = prove_case(5, true, 3).1;
        c.proof.r[i] = bump(&c.proof.r[i]);
        rejects(&c, "R_i");
        // Swapping L and R of a round.
        let mut c = prove_case(5, true, 3).1;
        std::mem::swap(&mut c.proof.l[i], &mut c.proof.r[i]);
        rejects(&c, "L_i <-> R_i");
    }
    let mut c = prove_case(5, true, 3).1;
    c.proof.delta = bump(&c.proof.delta);
    rejects(&c, "delta");
    let mut c = prove_case(5, true, 3).1;
    c.proof.z_entry += Fr::from(1u64);
    rejects(&c, "z_entry");
    let mut c = prove_case(5, true, 3).1;
    c.proof.z_blind += Fr::from(1u64);
    rejects(&c, "z_blind");

    // One round fewer, one more.
    let mut c = prove_case(5, true, 3).1;
    c.proof.l.pop();
    c.proof.r.pop();
    assert_eq!(
        verify_case(&c),
        Err(PcsError::WrongProofLength {
            expected: 5,
            got: 4
        })
    );
    let mut c = prove_case(5, true, 3).1;
    c.proof.l.push(G1Affine::generator());
    c.proof.r.push(G1Affine::generator());
    assert_eq!(
        verify_case(&c),
        Err(PcsError::WrongProofLength {
            expected: 5,
            got: 6
        })
    );
    let mut c = prove_case(5, true, 3).1;
    c.proof.r.pop();
    assert_eq!(
        verify_case(&c),
        Err(PcsError::WrongProofLength {
            expected: 5,
            got: 4
        })
    );

    // A proof for a shorter point cannot be reused by dropping coordinates.
    let mut c = prove_case(5, true, 3).1;
    c.point.pop();
    rejects(&c, "shortened point");

    // A point off the curve is rejected before any arithmetic.
    let mut c = prove_case(5, true, 3).1;
    c.proof.l[0] =
        G1Affine::new_unchecked(c.proof.l[0].x, c.proof.l[0].y + zkpot_core::Fq::from(1u64));
    assert_eq!(verify_case(&c), Err(PcsError::InvalidPoint { what: "L" }));
    let mut c = prove_case(5, true, 3).1;
    c.proof.delta = G1Affine::new_unchecked(
        c.proof.delta.x,
        c.proof.delta.y + zkpot_core::Fq::from(1u64),
    );
    assert_eq!(
        verify_case(&c),
        Err(PcsError::InvalidPoint { what: "delta" })
    );

    assert_eq!(verify_case(&base), Ok(()));
}

#[test]
fn soundness_wrong_opening_cannot_prove() {
    // A prover holding a different table (same commitment claimed) produces a proof
    // that fails.
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    let real = random_table(&mut rng, 16);
    let c = commit_to(&real, Fr::zero());
    let fake = Opening {
        table: random_table(&mut rng, 16),
        blind: Fr::zero(),
    };
    let point = random_table(&mut rng, 4);
    let mut t = PoseidonTranscript::new(T_LABEL);
    let (value, proof) =
        prove_eval(key(), &CpuBackend, &fake, &c, &point, &mut t, &mut rng).unwrap();
    let mut t = PoseidonTranscript::new(T_LABEL);
    assert!(verify_eval(key(), &c, &point, value, &proof, &mut t).is_err());
    // Nor with the true value.
    let true_value = MultilinearTable::new(real)
        .unwrap()
        .evaluate(&point)
        .unwrap();
    let mut t = PoseidonTranscript::new(T_LABEL);
    assert!(verify_eval(key(), &c, &point, true_value, &proof, &mut t).is_err());
}

// ---------------------------------------------------------------- serialization

fn round_trip<T: CanonicalSerialize + CanonicalDeserialize + PartialEq + std::fmt::Debug>(x: &T) {
    for compress in [Compress::Yes, Compress::No] {
        let mut bytes = Vec::new();
        x.serialize_with_mode(&mut bytes, compress).unwrap();
        assert_eq!(bytes.len(), x.serialized_size(compress));
        let back = T::deserialize_with_mode(&bytes[..], compress, Validate::Yes).unwrap();
        assert_eq!(&back, x);
    }
}

#[test]
fn serialization_round_trips() {
    round_trip(&PedersenKey::setup(b"ser", 8));
    round_trip(&PedersenKey::setup(b"", 0));
    let (_, case) = prove_case(4, true, 21);
    round_trip(&case.commitment);
    round_trip(&Commitment::identity());
    round_trip(&case.proof);
    round_trip(&prove_case(0, false, 22).1.proof);
    // 2n + 1 compressed points, two scalars, two 8-byte lengths.
    let mut bytes = Vec::new();
    case.proof.serialize_compressed(&mut bytes).unwrap();
    assert_eq!(bytes.len(), 16 + 32 * (2 * 4 + 1) + 2 * 32);
}

/// Deserializes (compressed, validated) and, if that succeeds, verifies; never panics.
fn decode_and_verify(case: &Case, bytes: &[u8]) -> Result<(), PcsError> {
    catch_unwind(AssertUnwindSafe(|| {
        let proof = IpaProof::deserialize_with_mode(bytes, Compress::Yes, Validate::Yes)?;
        let mut t = PoseidonTranscript::new(T_LABEL);
        verify_eval(
            key(),
            &case.commitment,
            &case.point,
            case.value,
            &proof,
            &mut t,
        )
    }))
    .expect("deserializing or verifying panicked")
}

#[test]
fn malformed_proof_bytes_never_panic() {
    let (_, case) = prove_case(4, true, 31);
    let mut bytes = Vec::new();
    case.proof.serialize_compressed(&mut bytes).unwrap();
    assert_eq!(decode_and_verify(&case, &bytes), Ok(()));

    // Every truncation prefix.
    for cut in 0..bytes.len() {
        assert!(
            decode_and_verify(&case, &bytes[..cut]).is_err(),
            "prefix {cut} accepted"
        );
    }
    // Every single-byte change.
    for i in 0..bytes.len() {
        let mut bad = bytes.clone();
        bad[i] ^= 0x5a;
        assert!(
            decode_and_verify(&case, &bad).is_err(),
            "byte {i} changed, accepted"
        );
    }
    // Random bytes, including plausible length prefixes.
    let mut rng = ChaCha20Rng::seed_from_u64(32);
    for trial in 0..200 {
        let len = rng.gen_range(0..2 * bytes.len());
        let mut junk: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
        if trial % 2 == 0 && junk.len() >= 8 {
            junk[..8].copy_from_slice(&4u64.to_le_bytes());
        }
        assert!(decode_and_verify(&case, &junk).is_err());
    }
    // Huge declared lengths.
    let mut huge = u64::MAX.to_le_bytes().to_vec();
    huge.extend_from_slice(&bytes[8..]);
    assert!(decode_and_verify(&case, &huge).is_err());
}

#[test]
fn malformed_key_and_commitment_bytes_never_panic() {
    let mut rng = ChaCha20Rng::seed_from_u64(33);
    let k = PedersenKey::setup(b"mal", 4);
    let mut bytes = Vec::new();
    k.serialize_compressed(&mut bytes).unwrap();
    for cut in 0..bytes.len() {
        let r =
            catch_unwind(|| PedersenKey::deserialize_compressed(&bytes[..cut]).is_err()).unwrap();
        assert!(r);
    }
    for _ in 0..100 {
        let junk: Vec<u8> = (0..rng.gen_range(0..64)).map(|_| rng.gen()).collect();
        catch_unwind(|| {
            let _ = Commitment::deserialize_compressed(&junk[..]);
            let _ = PedersenKey::deserialize_compressed(&junk[..]);
        })
        .unwrap();
    }
}

// ---------------------------------------------------------------- zero knowledge

#[test]
fn zk_blinds_change_every_proof_element() {
    let mut rng = ChaCha20Rng::seed_from_u64(41);
    let opening = Opening {
        table: random_table(&mut rng, 32),
        blind: random_blind(&mut rng),
    };
    let c = commit_to(&opening.table, opening.blind);
    let point = random_table(&mut rng, 5);
    let prove_with = |seed: u64| {
        let mut t = PoseidonTranscript::new(T_LABEL);
        let mut r = ChaCha20Rng::seed_from_u64(seed);
        prove_eval(key(), &CpuBackend, &opening, &c, &point, &mut t, &mut r).unwrap()
    };
    let (v1, p1) = prove_with(1);
    let (v2, p2) = prove_with(2);
    assert_eq!(v1, v2);
    assert_eq!(
        prove_with(1).1,
        p1,
        "a seeded rng gives a deterministic proof"
    );
    for (a, b) in p1.l.iter().zip(&p2.l).chain(p1.r.iter().zip(&p2.r)) {
        assert_ne!(a, b);
    }
    assert_ne!(p1.delta, p2.delta);
    assert_ne!(p1.z_entry, p2.z_entry);
    assert_ne!(p1.z_blind, p2.z_blind);
    for p in [&p1, &p2] {
        let mut t = PoseidonTranscript::new(T_LABEL);
        verify_eval(key(), &c, &point, v1, p, &mut t).unwrap();
    }
}

#[test]
fn zk_tables_with_equal_value_both_prove() {
    // Two different tables with the same value at the point, hiding commitments, the
    // same rng seed: both prove and verify, and the proofs share no element.
    let mut rng = ChaCha20Rng::seed_from_u64(51);
    let n = 4;
    let point = random_table(&mut rng, n);
    let eq = eq_table(&point);
    let f1 = random_table(&mut rng, 1 << n);
    let mut f2 = random_table(&mut rng, 1 << n);
    // Fix f2's last entry so that <f2, eq> = <f1, eq>.
    let ip = |f: &[Fr]| f.iter().zip(&eq).map(|(a, b)| *a * b).sum::<Fr>();
    let last = (1 << n) - 1;
    f2[last] = Fr::zero();
    f2[last] = (ip(&f1) - ip(&f2)) / eq[last];
    assert_eq!(ip(&f1), ip(&f2));
    let mut proofs = Vec::new();
    for table in [f1, f2] {
        let opening = Opening {
            table,
            blind: random_blind(&mut rng),
        };
        let c = commit_to(&opening.table, opening.blind);
        let mut t = PoseidonTranscript::new(T_LABEL);
        let mut seeded = ChaCha20Rng::seed_from_u64(99);
        let (value, proof) = prove_eval(
            key(),
            &CpuBackend,
            &opening,
            &c,
            &point,
            &mut t,
            &mut seeded,
        )
        .unwrap();
        let mut t = PoseidonTranscript::new(T_LABEL);
        verify_eval(key(), &c, &point, value, &proof, &mut t).unwrap();
        proofs.push((value, proof));
    }
    assert_eq!(proofs[0].0, proofs[1].0);
    assert_ne!(proofs[0].1.l[0], proofs[1].1.l[0]);
    assert_ne!(proofs[0].1.z_entry, proofs[1].1.z_entry);
}

#[test]
fn proof_size_is_logarithmic() {
    for n in [0usize, 3, 8] {
        let (_, case) = prove_case(n, true, 60 + n as u64);
        assert_eq!(case.proof.l.len(), n);
        assert_eq!(case.proof.r.len(), n);
    }
}
