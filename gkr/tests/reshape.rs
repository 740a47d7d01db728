//! End-to-end tests of the reshape reductions (column sum, bias broadcast, affine split,
//! limbs): completeness against the true multilinear extensions over several stacked
//! shapes, soundness against wrong outputs and tampered proofs and claims, the limb
//! decomposition's round trip and range, and fuzzed proof bytes.

#![allow(clippy::unwrap_used)]

mod common;

use std::panic::catch_unwind;

use ark_ff::{Field, One, UniformRand, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use common::{assert_fuzz_safe, bytes_of};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use zkpot_core::{i64_to_field, CpuBackend, Fr, MultilinearTable, PoseidonTranscript, Transcript};
use zkpot_gkr::reshape::{
    affine_reference, broadcast_reference, colsum_reference, decompose, limb_count, limb_vars,
    limbs_to_fields, prove_affine, prove_broadcast, prove_colsum, prove_limbs, recompose,
    values_to_fields, verify_affine, verify_broadcast, verify_colsum, verify_limbs, AffineProof,
    Claim, LimbsProof, StackShape,
};
use zkpot_gkr::{Error, RangeWitness};

const KS: [usize; 3] = [1, 2, 4];
const MS: [usize; 3] = [1, 2, 8];
const PS: [usize; 3] = [1, 4, 16];

/// A transcript that has absorbed a stand-in for the commitments.
fn transcript(prefix: u64) -> PoseidonTranscript {
    let mut t = PoseidonTranscript::new(b"zkpot/test/layout");
    t.absorb_u64(prefix);
    t
}

fn shapes() -> impl Iterator<Item = StackShape> {
    KS.into_iter().flat_map(|k| {
        MS.into_iter()
            .flat_map(move |m| PS.into_iter().map(move |p| StackShape::new(k, m, p)))
    })
}

fn random_fields(rng: &mut ChaCha20Rng, len: usize) -> Vec<Fr> {
    (0..len).map(|_| Fr::rand(rng)).collect()
}

fn mle(table: &[Fr], point: &[Fr]) -> Fr {
    MultilinearTable::new(table.to_vec())
        .unwrap()
        .evaluate(point)
        .unwrap()
}

/// Whether a claim holds on the real table (what a commitment opening would check).
fn holds(claim: &Claim, table: &[Fr]) -> bool {
    MultilinearTable::new(table.to_vec())
        .unwrap()
        .evaluate(&claim.point)
        == Ok(claim.value)
}

fn random_claim(rng: &mut ChaCha20Rng, table: &[Fr]) -> Claim {
    let n = table.len().trailing_zeros() as usize;
    let point = random_fields(rng, n);
    let value = mle(table, &point);
    Claim { point, value }
}

fn valid_rows_for(m: usize) -> Vec<usize> {
    let mut v = vec![m, 1];
    if m > 2 {
        v.push(m - 3);
    }
    if m > 1 {
        v.push(m - 1);
    }
    v
}

fn random_values(rng: &mut ChaCha20Rng, len: usize, bits: u32) -> Vec<i64> {
    let half = 1i128 << (bits - 1);
    (0..len)
        .map(|i| match i % 5 {
            0 => (-half) as i64,
            1 => (half - 1) as i64,
            _ => rng.gen_range(-half..half) as i64,
        })
        .collect()
}

#[test]
fn half_point_identity() {
    // The sum over a block of variables is 2^l times the value at (1/2, ..., 1/2).
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let table = random_fields(&mut rng, 32);
    let half = Fr::from(2u64).inverse().unwrap();
    let (a, b) = (Fr::rand(&mut rng), Fr::rand(&mut rng));
    let sum: Fr = (0..8u64)
        .map(|i| {
            let bits: Vec<Fr> = (0..3).map(|j| Fr::from((i >> j) & 1)).collect();
            mle(&table, &[a, bits[0], bits[1], bits[2], b])
        })
        .sum();
    assert_eq!(sum, Fr::from(8u64) * mle(&table, &[a, half, half, half, b]));
}

#[test]
fn colsum_completeness() {
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    for shape in shapes() {
        let g = random_fields(&mut rng, shape.table_len());
        let d = colsum_reference(&shape, &g).unwrap();
        assert_eq!(d.len(), shape.vector_len());
        let output = random_claim(&mut rng, &d);
        let (mut tp, mut tv) = (transcript(3), transcript(3));
        let from_prover = prove_colsum(&shape, &output, &mut tp).unwrap();
        let from_verifier = verify_colsum(&shape, &output, &mut tv).unwrap();
        assert_eq!(from_prover, from_verifier);
        assert!(holds(&from_verifier, &g), "{shape:?}");
        assert_eq!(
            from_verifier.point.len(),
            shape.table_num_vars(),
            "{shape:?}"
        );
        assert_eq!(tp.challenge(), tv.challenge());
    }
}

#[test]
fn colsum_soundness() {
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    for shape in shapes() {
        let g = random_fields(&mut rng, shape.table_len());
        let mut d = colsum_reference(&shape, &g).unwrap();
        // A wrong output entry: the claim on the (wrong) D moves onto G and fails there.
        let i = rng.gen_range(0..d.len());
        d[i] += Fr::one();
        let output = random_claim(&mut rng, &d);
        let claim = verify_colsum(&shape, &output, &mut transcript(5)).unwrap();
        assert!(!holds(&claim, &g), "{shape:?}");
        // A wrong claim value.
        let d = colsum_reference(&shape, &g).unwrap();
        let mut output = random_claim(&mut rng, &d);
        output.value += Fr::one();
        let claim = verify_colsum(&shape, &output, &mut transcript(5)).unwrap();
        assert!(!holds(&claim, &g));
        // A point of the wrong length.
        output.point.push(Fr::one());
        assert!(matches!(
            verify_colsum(&shape, &output, &mut transcript(5)),
            Err(Error::PointLengthMismatch { .. })
        ));
    }
    assert!(matches!(
        verify_colsum(
            &StackShape::new(3, 2, 2),
            &Claim {
                point: vec![],
                value: Fr::zero()
            },
            &mut transcript(5)
        ),
        Err(Error::DimensionNotPowerOfTwo { .. })
    ));
}

#[test]
fn broadcast_completeness() {
    let mut rng = ChaCha20Rng::seed_from_u64(6);
    for shape in shapes() {
        for valid in valid_rows_for(shape.rows) {
            let b = random_fields(&mut rng, shape.vector_len());
            let z = broadcast_reference(&shape, valid, &b).unwrap();
            let output = random_claim(&mut rng, &z);
            let (mut tp, mut tv) = (transcript(7), transcript(7));
            let from_prover = prove_broadcast(&shape, valid, &output, &mut tp).unwrap();
            let claim = verify_broadcast(&shape, valid, &output, &mut tv).unwrap();
            assert_eq!(from_prover, claim);
            assert!(holds(&claim, &b), "{shape:?} valid {valid}");
            assert_eq!(tp.challenge(), tv.challenge());
        }
    }
}

#[test]
fn broadcast_soundness() {
    let mut rng = ChaCha20Rng::seed_from_u64(8);
    for shape in shapes() {
        for valid in valid_rows_for(shape.rows) {
            let b = random_fields(&mut rng, shape.vector_len());
            let mut z = broadcast_reference(&shape, valid, &b).unwrap();
            // Any wrong entry of Z, a padding row included.
            let i = rng.gen_range(0..z.len());
            z[i] += Fr::one();
            let output = random_claim(&mut rng, &z);
            let claim = verify_broadcast(&shape, valid, &output, &mut transcript(9)).unwrap();
            assert!(!holds(&claim, &b), "{shape:?} valid {valid} entry {i}");
            // A wrong claim value.
            let z = broadcast_reference(&shape, valid, &b).unwrap();
            let mut output = random_claim(&mut rng, &z);
            output.value += Fr::one();
            let claim = verify_broadcast(&shape, valid, &output, &mut transcript(9)).unwrap();
            assert!(!holds(&claim, &b));
        }
    }
    // Statement errors: more valid rows than rows; no valid rows (ONE~ = 0).
    let shape = StackShape::new(2, 4, 4);
    let claim = Claim {
        point: vec![Fr::from(3u64); 5],
        value: Fr::one(),
    };
    assert!(matches!(
        verify_broadcast(&shape, 5, &claim, &mut transcript(9)),
        Err(Error::TooManyValidRows { .. })
    ));
    assert!(matches!(
        verify_broadcast(&shape, 0, &claim, &mut transcript(9)),
        Err(Error::ZeroDivisor { .. })
    ));
    // r_i a root of ONE~: one valid row of two, r_i = 1 gives 1 - r_i = 0.
    let shape = StackShape::new(1, 2, 1);
    let claim = Claim {
        point: vec![Fr::one()],
        value: Fr::one(),
    };
    assert!(matches!(
        verify_broadcast(&shape, 1, &claim, &mut transcript(9)),
        Err(Error::ZeroDivisor { .. })
    ));
}

#[test]
fn affine_completeness() {
    let mut rng = ChaCha20Rng::seed_from_u64(10);
    let backend = CpuBackend;
    for shape in shapes() {
        for valid in valid_rows_for(shape.rows) {
            for frac_bits in [0, 16] {
                let product = random_fields(&mut rng, shape.table_len());
                let b = random_fields(&mut rng, shape.vector_len());
                let z = affine_reference(&shape, valid, frac_bits, &product, &b).unwrap();
                let output = random_claim(&mut rng, &z);
                let (mut tp, mut tv) = (transcript(11), transcript(11));
                let (proof, from_prover) = prove_affine(
                    &backend, &shape, valid, frac_bits, &product, &output, &mut tp,
                )
                .unwrap();
                let claims =
                    verify_affine(&shape, valid, frac_bits, &output, &proof, &mut tv).unwrap();
                assert_eq!(from_prover, claims);
                assert_eq!(claims.product.point, output.point);
                assert!(holds(&claims.product, &product), "{shape:?}");
                assert!(holds(&claims.bias, &b), "{shape:?} valid {valid}");
                assert_eq!(tp.challenge(), tv.challenge());
                assert_round_trip(&proof);
            }
        }
    }
}

#[test]
fn affine_soundness() {
    let mut rng = ChaCha20Rng::seed_from_u64(12);
    let backend = CpuBackend;
    for shape in shapes() {
        let valid = shape.rows.saturating_sub(1).max(1);
        let product = random_fields(&mut rng, shape.table_len());
        let b = random_fields(&mut rng, shape.vector_len());
        let z = affine_reference(&shape, valid, 16, &product, &b).unwrap();
        let all_hold = |claims: &zkpot_gkr::reshape::AffineClaims| {
            holds(&claims.product, &product) && holds(&claims.bias, &b)
        };

        // A wrong entry of Z.
        let mut bad = z.clone();
        let i = rng.gen_range(0..bad.len());
        bad[i] += Fr::one();
        let output = random_claim(&mut rng, &bad);
        let (proof, claims) = prove_affine(
            &backend,
            &shape,
            valid,
            16,
            &product,
            &output,
            &mut transcript(13),
        )
        .unwrap();
        assert!(!all_hold(&claims));
        let claims = verify_affine(&shape, valid, 16, &output, &proof, &mut transcript(13));
        assert!(!all_hold(&claims.unwrap()));

        // A tampered proof field.
        let output = random_claim(&mut rng, &z);
        let (mut proof, _) = prove_affine(
            &backend,
            &shape,
            valid,
            16,
            &product,
            &output,
            &mut transcript(13),
        )
        .unwrap();
        proof.product_eval += Fr::one();
        let claims =
            verify_affine(&shape, valid, 16, &output, &proof, &mut transcript(13)).unwrap();
        assert!(!holds(&claims.product, &product));
        assert!(!holds(&claims.bias, &b));

        // A tampered claim value, and a wrong statement (frac_bits).
        proof.product_eval -= Fr::one();
        let mut wrong = output.clone();
        wrong.value += Fr::one();
        let claims = verify_affine(&shape, valid, 16, &wrong, &proof, &mut transcript(13));
        assert!(!all_hold(&claims.unwrap()));
        let claims = verify_affine(&shape, valid, 15, &output, &proof, &mut transcript(13));
        assert!(!all_hold(&claims.unwrap()));
        assert!(matches!(
            verify_affine(&shape, valid, 200, &output, &proof, &mut transcript(13)),
            Err(Error::ShiftTooLarge { .. })
        ));
    }
}

#[test]
fn limbs_completeness() {
    let mut rng = ChaCha20Rng::seed_from_u64(14);
    let backend = CpuBackend;
    for bits in [16, 32, 48, 64] {
        for num_vars in [0usize, 1, 3, 6] {
            let n = 1usize << num_vars;
            for len in [n, n / 2 + 1, (3 * n / 4).max(n / 2 + 1)] {
                let values = random_values(&mut rng, len, bits);
                let limbs = decompose(&values, bits).unwrap();
                assert_eq!(limbs.len(), n << limb_vars(bits).unwrap());
                assert!(limbs.iter().all(|&l| l < 1 << 16));
                let limb_fields = limbs_to_fields(&limbs);
                let mut x = values_to_fields(&values);
                x.resize(n, Fr::zero());
                let input = random_claim(&mut rng, &x);
                let (mut tp, mut tv) = (transcript(15), transcript(15));
                let (proof, from_prover) =
                    prove_limbs(&backend, &limb_fields, bits, len as u64, &input, &mut tp).unwrap();
                assert_eq!(proof.limb_evals.len(), limb_count(bits).unwrap());
                let claim =
                    verify_limbs(num_vars, bits, len as u64, &input, &proof, &mut tv).unwrap();
                assert_eq!(from_prover, claim);
                assert!(
                    holds(&claim, &limb_fields),
                    "bits {bits} n {num_vars} len {len}"
                );
                assert_eq!(tp.challenge(), tv.challenge());
                assert_round_trip(&proof);
            }
        }
    }
}

#[test]
fn limbs_soundness() {
    let mut rng = ChaCha20Rng::seed_from_u64(16);
    let backend = CpuBackend;
    for bits in [16, 32, 48] {
        let num_vars = 4;
        let len = 13usize;
        let values = random_values(&mut rng, len, bits);
        let limbs = limbs_to_fields(&decompose(&values, bits).unwrap());
        let mut x = values_to_fields(&values);
        x.resize(1 << num_vars, Fr::zero());
        let input = random_claim(&mut rng, &x);
        let (proof, _) = prove_limbs(
            &backend,
            &limbs,
            bits,
            len as u64,
            &input,
            &mut transcript(17),
        )
        .unwrap();
        let verify = |input: &Claim, proof: &LimbsProof, len: u64| {
            verify_limbs(num_vars, bits, len, input, proof, &mut transcript(17))
        };
        assert!(verify(&input, &proof, len as u64).is_ok());

        // Every proof field.
        for l in 0..proof.limb_evals.len() {
            let mut bad = proof.clone();
            bad.limb_evals[l] += Fr::one();
            assert!(matches!(
                verify(&input, &bad, len as u64),
                Err(Error::LimbCheckFailed { .. })
            ));
        }
        let mut bad = proof.clone();
        bad.limb_evals.push(Fr::zero());
        assert!(matches!(
            verify(&input, &bad, len as u64),
            Err(Error::WrongMessageCount { .. })
        ));
        // Statement fields: the claim value, its point, the length, the width.
        let mut wrong = input.clone();
        wrong.value += Fr::one();
        assert!(verify(&wrong, &proof, len as u64).is_err());
        let mut wrong = input.clone();
        wrong.point[0] += Fr::one();
        assert!(verify(&wrong, &proof, len as u64).is_err());
        assert!(verify(&input, &proof, len as u64 - 1).is_err());
        assert!(verify(&input, &proof, 1 << 20).is_err());
        assert!(matches!(
            verify_limbs(
                num_vars,
                24,
                len as u64,
                &input,
                &proof,
                &mut transcript(17)
            ),
            Err(Error::UnsupportedBits { bits: 24 })
        ));

        // A wrong value entry: the honest limbs no longer recombine to the claim.
        let mut bad_x = x.clone();
        bad_x[3] += Fr::one();
        let bad_input = random_claim(&mut rng, &bad_x);
        assert!(matches!(
            prove_limbs(
                &backend,
                &limbs,
                bits,
                len as u64,
                &bad_input,
                &mut transcript(17)
            ),
            Err(Error::LimbCheckFailed { .. })
        ));

        if limb_count(bits).unwrap() >= 2 {
            // Evaluations that recombine correctly but are not the limb tables' values:
            // accepted by the reduction, refused by the returned claim.
            let mut forged = proof.clone();
            forged.limb_evals[0] += Fr::from(1u64 << 16);
            forged.limb_evals[1] -= Fr::one();
            let claim = verify(&input, &forged, len as u64).unwrap();
            assert!(!holds(&claim, &limbs));
        }
    }

    // Nonzero padding limb tables (B = 48 pads 3 limb tables to 4) fail the claim.
    let bits = 48;
    let values = random_values(&mut rng, 8, bits);
    let mut limbs = limbs_to_fields(&decompose(&values, bits).unwrap());
    limbs[3 * 8 + 2] = Fr::from(7u64);
    let input = random_claim(&mut rng, &values_to_fields(&values));
    let (proof, claim) =
        prove_limbs(&backend, &limbs, bits, 8, &input, &mut transcript(18)).unwrap();
    assert!(verify_limbs(3, bits, 8, &input, &proof, &mut transcript(18)).is_ok());
    assert!(!holds(&claim, &limbs));
}

#[test]
fn decompose_rejects_out_of_range() {
    for bits in [16u32, 32, 48] {
        let half = 1i64 << (bits - 1);
        for value in [half, -half - 1, i64::MAX, i64::MIN] {
            assert_eq!(
                decompose(&[0, value], bits),
                Err(Error::ValueOutOfRange {
                    index: 1,
                    value,
                    bits
                })
            );
        }
        assert!(decompose(&[half - 1, -half], bits).is_ok());
    }
    assert!(decompose(&[i64::MAX, i64::MIN], 64).is_ok());
    for bits in [0, 8, 20, 80] {
        assert_eq!(decompose(&[1], bits), Err(Error::UnsupportedBits { bits }));
    }
}

#[test]
fn out_of_range_value_has_no_in_range_limbs() {
    // B = 16: the single limb is x + 2^15, so every in-range limb gives a value in
    // [-2^15, 2^15) (exhaustively), and 2^15 needs the limb 2^16.
    let offset = Fr::from(1u64 << 15);
    let lo = i64_to_field(-(1 << 15));
    for limb in 0..1u64 << 16 {
        let x = Fr::from(limb) - offset;
        assert_ne!(x, i64_to_field(1 << 15));
        assert_ne!(x, i64_to_field(-(1 << 15) - 1));
        if limb == 0 {
            assert_eq!(x, lo);
        }
    }

    // B = 32, x = 2^31: the reduction accepts limbs (0, 2^16) (it checks nothing about
    // their range) but the range check's witness refuses the limb 2^16, and so does an
    // honest decomposition.
    let bits = 32;
    let value = 1i64 << 31;
    assert!(decompose(&[value], bits).is_err());
    let forged: Vec<u64> = vec![0, 1 << 16];
    assert_eq!(
        recompose(&forged, bits, 1).unwrap(),
        vec![i128::from(value)]
    );
    let limb_fields = limbs_to_fields(&forged);
    let input = Claim {
        point: vec![],
        value: i64_to_field(value),
    };
    let backend = CpuBackend;
    let (proof, claim) =
        prove_limbs(&backend, &limb_fields, bits, 1, &input, &mut transcript(19)).unwrap();
    assert_eq!(
        verify_limbs(0, bits, 1, &input, &proof, &mut transcript(19)).unwrap(),
        claim
    );
    assert!(holds(&claim, &limb_fields));
    assert!(RangeWitness::new(forged).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn decompose_round_trip(seed in any::<u64>(), len in 1usize..40, which in 0usize..4) {
        let bits = [16u32, 32, 48, 64][which];
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let values = random_values(&mut rng, len, bits);
        let limbs = decompose(&values, bits).unwrap();
        prop_assert!(limbs.iter().all(|&l| l < 1 << 16));
        let back = recompose(&limbs, bits, len).unwrap();
        prop_assert_eq!(back, values.iter().map(|&v| i128::from(v)).collect::<Vec<_>>());
        // Padding entries and padding limb tables are zero.
        let padded = len.next_power_of_two();
        for (i, &l) in limbs.iter().enumerate() {
            if i % padded >= len || i / padded >= limb_count(bits).unwrap() {
                prop_assert_eq!(l, 0);
            }
        }
    }

    #[test]
    fn in_range_limbs_give_in_range_values(seed in any::<u64>(), which in 0usize..3) {
        let bits = [16u32, 32, 48][which];
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let c = limb_count(bits).unwrap();
        let mut limbs = vec![0u64; c.next_power_of_two()];
        for l in limbs.iter_mut().take(c) {
            *l = rng.gen_range(0..1u64 << 16);
        }
        let x = recompose(&limbs, bits, 1).unwrap()[0];
        prop_assert!(x >= -(1i128 << (bits - 1)) && x < 1i128 << (bits - 1));
    }
}

fn assert_round_trip<P: CanonicalSerialize + CanonicalDeserialize + PartialEq + std::fmt::Debug>(
    proof: &P,
) {
    for compress in [Compress::Yes, Compress::No] {
        let mut bytes = Vec::new();
        proof.serialize_with_mode(&mut bytes, compress).unwrap();
        let back = P::deserialize_with_mode(&bytes[..], compress, Validate::Yes).unwrap();
        assert_eq!(&back, proof);
    }
}

#[test]
fn malformed_bytes_never_panic() {
    let mut rng = ChaCha20Rng::seed_from_u64(20);
    let backend = CpuBackend;

    // Affine: "accepts" means both returned claims hold.
    let shape = StackShape::new(2, 4, 4);
    let product = random_fields(&mut rng, shape.table_len());
    let b = random_fields(&mut rng, shape.vector_len());
    let z = affine_reference(&shape, 3, 16, &product, &b).unwrap();
    let output = random_claim(&mut rng, &z);
    let (proof, _) = prove_affine(
        &backend,
        &shape,
        3,
        16,
        &product,
        &output,
        &mut transcript(21),
    )
    .unwrap();
    assert_fuzz_safe::<AffineProof>(&bytes_of(&proof), 22, |p| {
        verify_affine(&shape, 3, 16, &output, p, &mut transcript(21))
            .is_ok_and(|c| holds(&c.product, &product) && holds(&c.bias, &b))
    });

    // Limbs: "accepts" means the verifier accepts and the claim holds.
    let values = random_values(&mut rng, 16, 32);
    let limbs = limbs_to_fields(&decompose(&values, 32).unwrap());
    let input = random_claim(&mut rng, &values_to_fields(&values));
    let (proof, _) = prove_limbs(&backend, &limbs, 32, 16, &input, &mut transcript(23)).unwrap();
    assert_fuzz_safe::<LimbsProof>(&bytes_of(&proof), 24, |p| {
        verify_limbs(4, 32, 16, &input, p, &mut transcript(23)).is_ok_and(|c| holds(&c, &limbs))
    });

    // Verifiers on garbage statements never panic either.
    let result = catch_unwind(|| {
        let junk = Claim {
            point: vec![Fr::one(); 3],
            value: Fr::zero(),
        };
        let huge = StackShape::new(1 << 20, 1 << 20, 1 << 20);
        let _ = verify_colsum(&huge, &junk, &mut transcript(0));
        let _ = verify_broadcast(&huge, 1, &junk, &mut transcript(0));
        let _ = verify_broadcast(&StackShape::new(0, 1, 1), 1, &junk, &mut transcript(0));
        let _ = verify_affine(
            &StackShape::new(2, 2, 2),
            usize::MAX,
            16,
            &junk,
            &AffineProof::default(),
            &mut transcript(0),
        );
        let _ = verify_limbs(
            64,
            64,
            u64::MAX,
            &junk,
            &LimbsProof::default(),
            &mut transcript(0),
        );
        let _ = verify_limbs(
            3,
            32,
            u64::MAX,
            &junk,
            &LimbsProof::default(),
            &mut transcript(0),
        );
    });
    assert!(result.is_ok());
}
