//! End-to-end tests of the LogUp-GKR range check: completeness, soundness against
//! cheating limbs and multiplicities, tampering with every proof field, transcript
//! binding, serialization and fuzzed proof bytes.

#![allow(clippy::unwrap_used)]

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

use ark_ff::{One, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use zkpot_core::{CpuBackend, Fr, MultilinearTable, PoseidonTranscript, Transcript};
use zkpot_gkr::range::{RangeClaims, RangeProof, RangeWitness, TABLE_SIZE};
use zkpot_gkr::{prove_range, verify_range, Error};

/// A transcript that has absorbed stand-ins for the commitments to `l` and `m`.
fn transcript(prefix: u64) -> PoseidonTranscript {
    let mut t = PoseidonTranscript::new(b"zkpot/test/range");
    t.absorb_u64(prefix);
    t
}

fn fields(xs: &[u64]) -> Vec<Fr> {
    xs.iter().map(|&x| Fr::from(x)).collect()
}

fn prove(limbs: &[Fr], mults: &[Fr]) -> (RangeProof, RangeClaims) {
    prove_range(&CpuBackend, limbs, mults, &mut transcript(7)).unwrap()
}

fn verify(n: usize, proof: &RangeProof) -> Result<RangeClaims, Error> {
    verify_range(n, proof, &mut transcript(7))
}

/// Whether the claims hold on the real tables (what the commitment openings would check).
fn claims_hold(claims: &RangeClaims, limbs: &[Fr], mults: &[Fr]) -> bool {
    let l = MultilinearTable::new(limbs.to_vec()).unwrap();
    let m = MultilinearTable::new(mults.to_vec()).unwrap();
    l.evaluate(&claims.limbs.point) == Ok(claims.limbs.value)
        && m.evaluate(&claims.multiplicities.point) == Ok(claims.multiplicities.value)
}

/// Whether the whole check (proof plus openings) accepts.
fn accepts(n: usize, proof: &RangeProof, limbs: &[Fr], mults: &[Fr]) -> bool {
    verify(n, proof).is_ok_and(|c| claims_hold(&c, limbs, mults))
}

fn random_limbs(rng: &mut ChaCha20Rng, n: usize) -> Vec<u64> {
    (0..1usize << n)
        .map(|_| rng.gen_range(0..TABLE_SIZE as u64))
        .collect()
}

fn assert_complete(limbs: Vec<u64>) {
    let n = limbs.len().trailing_zeros() as usize;
    let w = RangeWitness::new(limbs).unwrap();
    let (l, m) = (w.limb_evals(), w.multiplicity_evals());
    let (proof, prover_claims) = prove(&l, &m);
    assert_eq!(proof.layers.len(), n.max(16));
    let claims = verify(n, &proof).unwrap();
    assert_eq!(claims, prover_claims);
    assert_eq!(claims.limbs.point.len(), n);
    assert_eq!(claims.multiplicities.point.len(), 16);
    assert!(claims_hold(&claims, &l, &m), "n = {n}");
}

#[test]
fn completeness_random_limbs() {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    for n in 0..=12 {
        assert_complete(random_limbs(&mut rng, n));
    }
}

#[test]
fn completeness_edge_values() {
    for n in [0, 1, 5, 12] {
        let len = 1usize << n;
        assert_complete(vec![0; len]);
        assert_complete(vec![TABLE_SIZE as u64 - 1; len]);
        assert_complete(
            (0..len as u64)
                .map(|i| [7, 7, 0, 65535][i as usize % 4])
                .collect(),
        );
    }
}

#[test]
fn completeness_more_limbs_than_table_entries() {
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    assert_complete(random_limbs(&mut rng, 17));
}

/// Multiplicity tables a cheater could pair with a bad limb at `index`.
fn cheating_multiplicities(limbs: &[u64], index: usize, bad: u64) -> Vec<Vec<u64>> {
    let mut honest = vec![0u64; TABLE_SIZE];
    for (i, &l) in limbs.iter().enumerate() {
        if i != index {
            honest[l as usize] += 1;
        }
    }
    let mut out = vec![honest.clone()];
    for t in [0, TABLE_SIZE - 1, (bad % TABLE_SIZE as u64) as usize] {
        let mut m = honest.clone();
        m[t] += 1;
        out.push(m);
    }
    out
}

#[test]
fn out_of_range_limbs_are_rejected() {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let minus_one = -Fr::one();
    for n in [0, 3, 8] {
        let limbs = random_limbs(&mut rng, n);
        let index = (1usize << n) / 2;
        for (bad, bad_u64) in [
            (Fr::from(1u64 << 16), 1u64 << 16),
            (Fr::from((1u64 << 16) + 5), (1 << 16) + 5),
            (minus_one, u64::MAX),
        ] {
            let mut l = fields(&limbs);
            l[index] = bad;
            for m in cheating_multiplicities(&limbs, index, bad_u64) {
                let m = fields(&m);
                let (proof, _) = prove(&l, &m);
                assert!(
                    matches!(verify(n, &proof), Err(Error::RootNotZero { .. })),
                    "n = {n}, bad = {bad}"
                );
                assert!(!accepts(n, &proof, &l, &m));
            }
        }
    }
    // The honest prover refuses outright.
    assert!(matches!(
        RangeWitness::new(vec![1, 1 << 16]),
        Err(Error::LimbOutOfRange { index: 1, .. })
    ));
}

#[test]
fn wrong_multiplicities_are_rejected() {
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let w = RangeWitness::new(random_limbs(&mut rng, 6)).unwrap();
    let l = w.limb_evals();
    let t = w.limbs[0] as usize;
    let mut m = w.multiplicities.clone();
    m[t] -= 1;
    m[(t + 1) % TABLE_SIZE] += 1;
    let m = fields(&m);
    let (proof, _) = prove(&l, &m);
    assert!(matches!(verify(6, &proof), Err(Error::RootNotZero { .. })));
    assert!(!accepts(6, &proof, &l, &m));
}

/// Every field element of the proof, as mutable references, in a fixed order.
fn proof_fields(proof: &mut RangeProof) -> Vec<&mut Fr> {
    let mut out: Vec<&mut Fr> = vec![
        &mut proof.limb_root.numerator,
        &mut proof.limb_root.denominator,
        &mut proof.table_root.numerator,
        &mut proof.table_root.denominator,
    ];
    for layer in &mut proof.layers {
        for round in &mut layer.sumcheck.rounds {
            out.extend(round.iter_mut());
        }
        for pair in &mut layer.children {
            out.extend([
                &mut pair.left.numerator,
                &mut pair.left.denominator,
                &mut pair.right.numerator,
                &mut pair.right.denominator,
            ]);
        }
    }
    out
}

#[test]
fn tampering_with_any_field_is_caught() {
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    for n in [2, 17] {
        let w = RangeWitness::new(random_limbs(&mut rng, n)).unwrap();
        let (l, m) = (w.limb_evals(), w.multiplicity_evals());
        let (proof, _) = prove(&l, &m);
        assert!(accepts(n, &proof, &l, &m));
        let count = proof_fields(&mut proof.clone()).len();
        for i in 0..count {
            let mut bad = proof.clone();
            *proof_fields(&mut bad)[i] += Fr::one();
            assert!(!accepts(n, &bad, &l, &m), "n = {n}, field {i} of {count}");
        }
    }
}

#[test]
fn malformed_proofs_are_rejected() {
    let mut rng = ChaCha20Rng::seed_from_u64(6);
    let n = 3;
    let w = RangeWitness::new(random_limbs(&mut rng, n)).unwrap();
    let (proof, _) = prove(&w.limb_evals(), &w.multiplicity_evals());

    let mut bad = proof.clone();
    bad.layers.pop();
    assert_eq!(
        verify(n, &bad),
        Err(Error::WrongNumberOfLayers {
            expected: 16,
            got: 15
        })
    );
    let mut bad = proof.clone();
    bad.layers[1].children.push(Default::default());
    assert_eq!(
        verify(n, &bad),
        Err(Error::WrongNumberOfTrees {
            layer: 1,
            expected: 2,
            got: 3
        })
    );
    let mut bad = proof.clone();
    bad.layers[5].children.pop();
    assert!(verify(n, &bad).is_err());
    let mut bad = proof.clone();
    bad.layers[4].sumcheck.rounds.pop();
    assert!(matches!(verify(n, &bad), Err(Error::Sumcheck(_))));
    let mut bad = proof.clone();
    bad.layers[4].sumcheck.rounds[1].push(Fr::zero());
    assert!(matches!(verify(n, &bad), Err(Error::Sumcheck(_))));
    let mut bad = proof.clone();
    bad.limb_root.denominator = Fr::zero();
    assert_eq!(
        verify(n, &bad),
        Err(Error::ZeroDenominator { tree: "limb" })
    );
    // The proof is for n = 3 only.
    for other in [0, 2, 4, 16, 17, 41, usize::MAX] {
        assert!(verify(other, &proof).is_err(), "n = {other}");
    }
    assert!(verify(n, &RangeProof::default()).is_err());
}

#[test]
fn prover_input_errors() {
    let m = vec![Fr::zero(); TABLE_SIZE];
    let bad = |l: &[Fr], m: &[Fr]| prove_range(&CpuBackend, l, m, &mut transcript(7)).err();
    assert_eq!(
        bad(&[Fr::zero(); 3], &m),
        Some(Error::NotPowerOfTwo { len: 3 })
    );
    assert_eq!(bad(&[], &m), Some(Error::NotPowerOfTwo { len: 0 }));
    assert_eq!(
        bad(&[Fr::zero(); 4], &m[1..]),
        Some(Error::LengthMismatch {
            table: "multiplicities",
            expected: TABLE_SIZE,
            got: TABLE_SIZE - 1
        })
    );
}

#[test]
fn a_different_transcript_prefix_is_rejected() {
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    for n in [0, 4] {
        let w = RangeWitness::new(random_limbs(&mut rng, n)).unwrap();
        let (proof, _) = prove(&w.limb_evals(), &w.multiplicity_evals());
        assert!(verify_range(n, &proof, &mut transcript(7)).is_ok());
        assert!(verify_range(n, &proof, &mut transcript(8)).is_err());
        assert!(verify_range(n, &proof, &mut PoseidonTranscript::new(b"other")).is_err());
    }
}

#[test]
fn transcripts_end_in_the_same_state() {
    let mut rng = ChaCha20Rng::seed_from_u64(8);
    let w = RangeWitness::new(random_limbs(&mut rng, 5)).unwrap();
    let mut tp = transcript(7);
    let (proof, _) = prove_range(
        &CpuBackend,
        &w.limb_evals(),
        &w.multiplicity_evals(),
        &mut tp,
    )
    .unwrap();
    let mut tv = transcript(7);
    verify_range(5, &proof, &mut tv).unwrap();
    assert_eq!(tp.challenge(), tv.challenge());
}

#[test]
fn serialization_round_trip() {
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let w = RangeWitness::new(random_limbs(&mut rng, 4)).unwrap();
    let (proof, _) = prove(&w.limb_evals(), &w.multiplicity_evals());
    for compress in [Compress::Yes, Compress::No] {
        let mut bytes = Vec::new();
        proof.serialize_with_mode(&mut bytes, compress).unwrap();
        assert_eq!(bytes.len(), proof.serialized_size(compress));
        let back = RangeProof::deserialize_with_mode(&bytes[..], compress, Validate::Yes).unwrap();
        assert_eq!(back, proof);
        assert!(verify(4, &back).is_ok());
    }
}

#[test]
fn fuzzed_bytes_never_panic() {
    let mut rng = ChaCha20Rng::seed_from_u64(10);
    let n = 1;
    let w = RangeWitness::new(random_limbs(&mut rng, n)).unwrap();
    let (proof, _) = prove(&w.limb_evals(), &w.multiplicity_evals());
    let mut bytes = Vec::new();
    proof.serialize_compressed(&mut bytes).unwrap();
    let check = |b: &[u8]| {
        let result = catch_unwind(AssertUnwindSafe(|| {
            RangeProof::deserialize_with_mode(b, Compress::Yes, Validate::Yes)
                .ok()
                .map(|p| verify(n, &p).is_ok())
        }));
        assert!(result.is_ok(), "panicked on {} bytes", b.len());
        result.unwrap()
    };
    // Every truncation fails to parse; the full proof verifies.
    for len in 0..bytes.len() {
        assert_eq!(check(&bytes[..len]), None, "truncated to {len}");
    }
    assert_eq!(check(&bytes), Some(true));
    // Random bytes, and random single-byte corruptions.
    for _ in 0..200 {
        let mut junk = vec![0u8; rng.gen_range(0..2 * bytes.len())];
        rng.fill_bytes(&mut junk);
        assert_ne!(check(&junk), Some(true));
        let mut flipped = bytes.clone();
        let i = rng.gen_range(0..flipped.len());
        flipped[i] ^= 1 << rng.gen_range(0..8);
        assert_ne!(check(&flipped), Some(true));
    }
}

/// Run with `cargo test -p zkpot-gkr --release -- --ignored --nocapture`.
#[test]
#[ignore]
fn timing_2_pow_20_limbs() {
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    let n = 20;
    let w = RangeWitness::new(random_limbs(&mut rng, n)).unwrap();
    let (l, m) = (w.limb_evals(), w.multiplicity_evals());
    let start = Instant::now();
    let (proof, _) = prove(&l, &m);
    let prove_time = start.elapsed();
    let start = Instant::now();
    let claims = verify(n, &proof).unwrap();
    let verify_time = start.elapsed();
    assert!(claims_hold(&claims, &l, &m));
    println!(
        "range check, 2^{n} limbs: prove {prove_time:?}, verify {verify_time:?}, proof {} bytes",
        proof.compressed_size()
    );
}
