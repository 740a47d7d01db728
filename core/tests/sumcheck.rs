//! The sumcheck engine: completeness against the naive prover, soundness against
//! every tampering of the proof and the statement, and malformed proofs.

#![allow(clippy::unwrap_used)]

use ark_ff::{One, UniformRand, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkpot_core::mle::{eq_eval, MultilinearTable};
use zkpot_core::sumcheck::{check_final, prove, verify, NaiveProver, ProductProver, SumcheckProof};
use zkpot_core::{CpuBackend, Fr, PoseidonTranscript, ProductSum, SumcheckError, Transcript};

struct Instance {
    sum: ProductSum,
    tables: Vec<Vec<Fr>>,
    eq_point: Option<Vec<Fr>>,
    claim: Fr,
}

fn instance(seed: u64, vars: usize, sum: ProductSum, num_tables: usize, with_eq: bool) -> Instance {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let tables: Vec<Vec<Fr>> = (0..num_tables)
        .map(|_| (0..1 << vars).map(|_| Fr::rand(&mut rng)).collect())
        .collect();
    let eq_point = with_eq.then(|| (0..vars).map(|_| Fr::rand(&mut rng)).collect::<Vec<_>>());
    let eq = eq_point.as_ref().map(|p| zkpot_core::eq_table(p));
    let claim = (0..1 << vars)
        .map(|i| {
            let vals: Vec<Fr> = tables.iter().map(|t| t[i]).collect();
            sum.eval(&vals) * eq.as_ref().map_or(Fr::one(), |e| e[i])
        })
        .sum();
    Instance {
        sum,
        tables,
        eq_point,
        claim,
    }
}

fn transcript() -> PoseidonTranscript {
    PoseidonTranscript::new(b"zkpot-sumcheck-test")
}

/// The verifier's full check, with the tables' evaluations standing in for trusted openings.
fn verify_instance(
    inst: &Instance,
    proof: &SumcheckProof,
    claim: Fr,
    t: &mut PoseidonTranscript,
) -> Result<(), SumcheckError> {
    let vars = inst.tables[0].len().trailing_zeros() as usize;
    let degree = inst.sum.degree(inst.eq_point.is_some());
    let reduced = verify(proof, claim, vars, degree, t)?;
    let vals: Vec<Fr> = inst
        .tables
        .iter()
        .map(|tab| {
            MultilinearTable::new(tab.clone())
                .unwrap()
                .evaluate(&reduced.point)
                .unwrap()
        })
        .collect();
    let eq = inst
        .eq_point
        .as_ref()
        .map_or(Fr::one(), |p| eq_eval(p, &reduced.point).unwrap());
    check_final(vars, reduced.value, inst.sum.eval(&vals) * eq)
}

fn prove_instance(inst: &Instance) -> (SumcheckProof, Vec<Fr>, Fr, Vec<Fr>) {
    let backend = CpuBackend;
    let eq = inst.eq_point.as_ref().map(|p| zkpot_core::eq_table(p));
    let mut prover =
        ProductProver::new(&backend, inst.sum.clone(), inst.tables.clone(), eq).unwrap();
    assert_eq!(prover.claimed_sum(), inst.claim);
    let out = prove(&mut prover, inst.claim, &mut transcript());
    (out.proof, out.point, out.final_claim, out.final_evals)
}

fn sums() -> Vec<(ProductSum, usize)> {
    vec![
        (ProductSum::product(1), 1),
        (ProductSum::product(2), 2),
        (ProductSum::product(3), 3),
        (ProductSum::product(4), 4),
        (
            ProductSum {
                terms: vec![
                    (Fr::from(9u64), vec![0, 2]),
                    (-Fr::one(), vec![1]),
                    (Fr::from(2u64), vec![2, 1, 0, 2]),
                ],
            },
            3,
        ),
    ]
}

#[test]
fn complete_and_identical_to_the_naive_prover() {
    for (k, (sum, n)) in sums().into_iter().enumerate() {
        for with_eq in [false, true] {
            for vars in [0, 1, 2, 5, 9] {
                let inst = instance(k as u64 * 100 + vars as u64, vars, sum.clone(), n, with_eq);
                let (proof, point, final_claim, final_evals) = prove_instance(&inst);
                let reduced = verify(
                    &proof,
                    inst.claim,
                    vars,
                    sum.degree(with_eq),
                    &mut transcript(),
                )
                .unwrap();
                assert_eq!(reduced.point, point);
                assert_eq!(reduced.value, final_claim);
                verify_instance(&inst, &proof, inst.claim, &mut transcript()).unwrap();
                // The final evaluations are the tables (then eq) at the point.
                let eq = inst.eq_point.as_ref().map(|p| eq_eval(p, &point).unwrap());
                let vals = &final_evals[..n];
                assert_eq!(inst.sum.eval(vals) * eq.unwrap_or(Fr::one()), final_claim);
                // The naive prover produces the same proof bit for bit.
                let eq_table = inst.eq_point.as_ref().map(|p| zkpot_core::eq_table(p));
                let mut naive = NaiveProver::new(inst.sum.clone(), inst.tables.clone(), eq_table);
                let out = prove(&mut naive, inst.claim, &mut transcript());
                assert_eq!(out.proof, proof);
                assert_eq!(out.final_evals, final_evals);
            }
        }
    }
}

#[test]
fn every_tampered_coefficient_is_rejected() {
    let inst = instance(7, 6, ProductSum::product(2), 2, true);
    let (proof, ..) = prove_instance(&inst);
    for round in 0..proof.rounds.len() {
        for k in 0..proof.rounds[round].len() {
            let mut bad = proof.clone();
            bad.rounds[round][k] += Fr::one();
            let err = verify_instance(&inst, &bad, inst.claim, &mut transcript()).unwrap_err();
            assert!(
                matches!(err, SumcheckError::RoundCheckFailed { .. }),
                "{err:?}"
            );
        }
    }
}

#[test]
fn a_wrong_claim_or_statement_is_rejected() {
    let inst = instance(8, 5, ProductSum::product(3), 3, false);
    let (proof, ..) = prove_instance(&inst);
    assert!(verify_instance(&inst, &proof, inst.claim + Fr::one(), &mut transcript()).is_err());
    // Another transcript (another statement absorbed before) changes every challenge.
    let mut other = transcript();
    other.absorb_u64(1);
    assert!(verify_instance(&inst, &proof, inst.claim, &mut other).is_err());
    // A prover that starts from a false claim cannot finish.
    let backend = CpuBackend;
    let mut prover =
        ProductProver::new(&backend, inst.sum.clone(), inst.tables.clone(), None).unwrap();
    let out = prove(&mut prover, inst.claim + Fr::one(), &mut transcript());
    assert!(verify_instance(&inst, &out.proof, inst.claim + Fr::one(), &mut transcript()).is_err());
}

#[test]
fn wrong_shapes_are_typed_errors() {
    let inst = instance(9, 4, ProductSum::product(2), 2, false);
    let (proof, ..) = prove_instance(&inst);
    let mut short = proof.clone();
    short.rounds.pop();
    assert_eq!(
        verify(&short, inst.claim, 4, 2, &mut transcript()).unwrap_err(),
        SumcheckError::WrongNumberOfRounds {
            expected: 4,
            got: 3
        }
    );
    let mut long = proof.clone();
    long.rounds.push(vec![Fr::zero(); 2]);
    assert!(matches!(
        verify(&long, inst.claim, 4, 2, &mut transcript()),
        Err(SumcheckError::WrongNumberOfRounds { .. })
    ));
    let mut wide = proof.clone();
    wide.rounds[2].push(Fr::zero());
    assert_eq!(
        verify(&wide, inst.claim, 4, 2, &mut transcript()).unwrap_err(),
        SumcheckError::WrongDegree {
            round: 2,
            expected: 2,
            got: 3
        }
    );
    assert!(matches!(
        verify(&proof, inst.claim, 4, 0, &mut transcript()),
        Err(SumcheckError::UnsupportedDegree { .. })
    ));
    // Prover construction errors.
    let backend = CpuBackend;
    let bad_len = vec![vec![Fr::one(); 3], vec![Fr::one(); 3]];
    assert!(ProductProver::new(&backend, ProductSum::product(2), bad_len, None).is_err());
    let mismatched = vec![vec![Fr::one(); 4], vec![Fr::one(); 8]];
    assert!(ProductProver::new(&backend, ProductSum::product(2), mismatched, None).is_err());
    assert!(ProductProver::new(
        &backend,
        ProductSum::product(5),
        vec![vec![Fr::one(); 4]; 5],
        None
    )
    .is_err());
}

#[test]
fn malformed_bytes_never_panic() {
    let inst = instance(10, 5, ProductSum::product(2), 2, true);
    let (proof, ..) = prove_instance(&inst);
    let mut bytes = Vec::new();
    proof
        .serialize_with_mode(&mut bytes, Compress::Yes)
        .unwrap();
    let back =
        SumcheckProof::deserialize_with_mode(&bytes[..], Compress::Yes, Validate::Yes).unwrap();
    assert_eq!(back, proof);
    let check = |b: &[u8]| {
        std::panic::catch_unwind(|| {
            if let Ok(p) = SumcheckProof::deserialize_with_mode(b, Compress::Yes, Validate::Yes) {
                let _ = verify_instance(&inst, &p, inst.claim, &mut transcript());
            }
        })
        .is_ok()
    };
    for cut in 0..bytes.len() {
        assert!(check(&bytes[..cut]), "truncated at {cut}");
    }
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    for len in [0usize, 1, 8, 40, 200, bytes.len()] {
        let noise: Vec<u8> = (0..len).map(|_| rand::Rng::gen(&mut rng)).collect();
        assert!(check(&noise));
    }
    for i in 0..bytes.len() {
        let mut flipped = bytes.clone();
        flipped[i] ^= 0x5a;
        assert!(check(&flipped));
        if let Ok(p) =
            SumcheckProof::deserialize_with_mode(&flipped[..], Compress::Yes, Validate::Yes)
        {
            assert!(
                p == proof || verify_instance(&inst, &p, inst.claim, &mut transcript()).is_err()
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn random_instances_verify(seed in any::<u64>(), vars in 0usize..7, k in 0usize..5, with_eq in any::<bool>()) {
        let (sum, n) = sums().swap_remove(k);
        let inst = instance(seed, vars, sum, n, with_eq);
        let (proof, ..) = prove_instance(&inst);
        prop_assert!(verify_instance(&inst, &proof, inst.claim, &mut transcript()).is_ok());
    }
}
