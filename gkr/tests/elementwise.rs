//! End-to-end tests of the elementwise relations: completeness against the true
//! multilinear extensions, soundness against wrong outputs, non-boolean sign bits and
//! shifted quotients, tampering with every proof and statement field, serialization and
//! fuzzed proof bytes.

#![allow(clippy::unwrap_used)]

mod common;

use ark_ff::{One, UniformRand, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use common::{assert_fuzz_safe, bytes_of};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use zkpot_core::{
    field_to_i128, i64_to_field, CpuBackend, Fr, MultilinearTable, PoseidonTranscript, Transcript,
};
use zkpot_gkr::elementwise::{
    first_non_boolean, hadamard_reference, linear_reference, ones_eval, ones_table,
    prove_booleanity, prove_hadamard, prove_linear, prove_merge, prove_rescale, rescale_reference,
    verify_booleanity, verify_hadamard, verify_linear, verify_merge, verify_rescale,
    BooleanityProof, Claim, HadamardClaims, HadamardProof, LinearProof, MergeProof, RescaleClaims,
    RescaleProof,
};
use zkpot_gkr::{prove_range, verify_range, Error};

/// A transcript that has absorbed a stand-in for the commitments.
fn transcript(prefix: u64) -> PoseidonTranscript {
    let mut t = PoseidonTranscript::new(b"zkpot/test/elementwise");
    t.absorb_u64(prefix);
    t
}

fn random_fields(rng: &mut ChaCha20Rng, len: usize) -> Vec<Fr> {
    (0..len).map(|_| Fr::rand(rng)).collect()
}

fn random_bits(rng: &mut ChaCha20Rng, len: usize) -> Vec<Fr> {
    (0..len).map(|_| Fr::from(rng.gen_range(0..2u64))).collect()
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

/// Every field element of a sumcheck proof.
fn sumcheck_fields(rounds: &mut [Vec<Fr>]) -> Vec<&mut Fr> {
    rounds.iter_mut().flatten().collect()
}

/// Round-trips a proof through both encodings.
fn assert_round_trip<P: CanonicalSerialize + CanonicalDeserialize + PartialEq + std::fmt::Debug>(
    proof: &P,
) {
    for compress in [Compress::Yes, Compress::No] {
        let mut bytes = Vec::new();
        proof.serialize_with_mode(&mut bytes, compress).unwrap();
        assert_eq!(bytes.len(), proof.serialized_size(compress));
        let back = P::deserialize_with_mode(&bytes[..], compress, Validate::Yes).unwrap();
        assert_eq!(&back, proof);
    }
}

// ---------------------------------------------------------------- Hadamard

fn hadamard(left: &[Fr], right: &[Fr], output: &Claim) -> (HadamardProof, HadamardClaims) {
    prove_hadamard(&CpuBackend, left, right, output, &mut transcript(1)).unwrap()
}

fn hadamard_accepts(
    n: usize,
    output: &Claim,
    proof: &HadamardProof,
    left: &[Fr],
    right: &[Fr],
) -> bool {
    verify_hadamard(n, output, proof, &mut transcript(1))
        .is_ok_and(|c| holds(&c.left, left) && holds(&c.right, right))
}

#[test]
fn hadamard_completeness() {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    for n in 0..=8 {
        for bits in [true, false] {
            let len = 1 << n;
            let s = if bits {
                random_bits(&mut rng, len)
            } else {
                random_fields(&mut rng, len)
            };
            let q = random_fields(&mut rng, len);
            let c = hadamard_reference(&s, &q).unwrap();
            let output = random_claim(&mut rng, &c);
            let (proof, prover_claims) = hadamard(&s, &q, &output);
            assert_eq!(proof.sumcheck.rounds.len(), n);
            let claims = verify_hadamard(n, &output, &proof, &mut transcript(1)).unwrap();
            assert_eq!(claims, prover_claims);
            assert_eq!(claims.left.point.len(), n);
            assert!(
                holds(&claims.left, &s) && holds(&claims.right, &q),
                "n = {n}"
            );
        }
    }
}

#[test]
fn hadamard_wrong_output_is_rejected() {
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    for n in 0..=6 {
        let len = 1 << n;
        let (s, q) = (random_bits(&mut rng, len), random_fields(&mut rng, len));
        let mut c = hadamard_reference(&s, &q).unwrap();
        c[rng.gen_range(0..len)] += Fr::one();
        // The claim is taken from the wrong table; the prover runs on the real inputs.
        let output = random_claim(&mut rng, &c);
        let (proof, _) = hadamard(&s, &q, &output);
        let result = verify_hadamard(n, &output, &proof, &mut transcript(1));
        assert!(
            matches!(result, Err(Error::Sumcheck(_))),
            "n = {n}: {result:?}"
        );
    }
}

#[test]
fn hadamard_tampering_is_caught() {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let n = 4;
    let (s, q) = (random_bits(&mut rng, 16), random_fields(&mut rng, 16));
    let output = random_claim(&mut rng, &hadamard_reference(&s, &q).unwrap());
    let (proof, _) = hadamard(&s, &q, &output);
    assert!(hadamard_accepts(n, &output, &proof, &s, &q));
    let num_fields = sumcheck_fields(&mut proof.clone().sumcheck.rounds).len() + 2;
    for i in 0..num_fields {
        let mut bad = proof.clone();
        let mut fields = sumcheck_fields(&mut bad.sumcheck.rounds);
        fields.push(&mut bad.left_eval);
        fields.push(&mut bad.right_eval);
        *fields[i] += Fr::one();
        assert!(!hadamard_accepts(n, &output, &bad, &s, &q), "field {i}");
    }
    // Dropped and extra rounds and coefficients.
    let mut bad = proof.clone();
    bad.sumcheck.rounds.pop();
    assert!(verify_hadamard(n, &output, &bad, &mut transcript(1)).is_err());
    let mut bad = proof.clone();
    bad.sumcheck.rounds[0].push(Fr::zero());
    assert!(verify_hadamard(n, &output, &bad, &mut transcript(1)).is_err());
    // The statement: value, each coordinate, n, the transcript prefix.
    let mut wrong = output.clone();
    wrong.value += Fr::one();
    assert!(!hadamard_accepts(n, &wrong, &proof, &s, &q));
    for j in 0..n {
        let mut wrong = output.clone();
        wrong.point[j] += Fr::one();
        assert!(
            !hadamard_accepts(n, &wrong, &proof, &s, &q),
            "coordinate {j}"
        );
    }
    assert!(matches!(
        verify_hadamard(n + 1, &output, &proof, &mut transcript(1)),
        Err(Error::PointLengthMismatch { .. })
    ));
    assert!(verify_hadamard(n, &output, &proof, &mut transcript(2)).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Any tables, any point: the proof verifies and its claims are the true MLEs.
    #[test]
    fn hadamard_proptest(seed in any::<u64>(), n in 0usize..7) {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let (s, q) = (random_fields(&mut rng, 1 << n), random_fields(&mut rng, 1 << n));
        let output = random_claim(&mut rng, &hadamard_reference(&s, &q).unwrap());
        let (proof, _) = hadamard(&s, &q, &output);
        prop_assert!(hadamard_accepts(n, &output, &proof, &s, &q));
    }
}

// ---------------------------------------------------------------- booleanity

fn booleanity(table: &[Fr]) -> (BooleanityProof, Claim) {
    prove_booleanity(&CpuBackend, table, &mut transcript(3)).unwrap()
}

fn booleanity_accepts(n: usize, proof: &BooleanityProof, table: &[Fr]) -> bool {
    verify_booleanity(n, proof, &mut transcript(3)).is_ok_and(|c| holds(&c, table))
}

#[test]
fn booleanity_completeness() {
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    for n in 0..=8 {
        for table in [
            random_bits(&mut rng, 1 << n),
            vec![Fr::zero(); 1 << n],
            vec![Fr::one(); 1 << n],
        ] {
            assert_eq!(first_non_boolean(&table), None);
            let (proof, prover_claim) = booleanity(&table);
            let claim = verify_booleanity(n, &proof, &mut transcript(3)).unwrap();
            assert_eq!(claim, prover_claim);
            assert!(holds(&claim, &table), "n = {n}");
        }
    }
}

#[test]
fn non_boolean_entry_is_rejected() {
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    for n in 0..=8 {
        for bad_value in [Fr::from(2u64), -Fr::one(), Fr::rand(&mut rng)] {
            let mut table = random_bits(&mut rng, 1 << n);
            let i = rng.gen_range(0..1 << n);
            table[i] = bad_value;
            assert_eq!(first_non_boolean(&table), Some(i));
            let (proof, _) = booleanity(&table);
            let result = verify_booleanity(n, &proof, &mut transcript(3));
            assert!(
                matches!(result, Err(Error::Sumcheck(_))),
                "n = {n}: {result:?}"
            );
        }
    }
}

#[test]
fn booleanity_tampering_is_caught() {
    let mut rng = ChaCha20Rng::seed_from_u64(6);
    let n = 5;
    let table = random_bits(&mut rng, 1 << n);
    let (proof, _) = booleanity(&table);
    assert!(booleanity_accepts(n, &proof, &table));
    let num_fields = sumcheck_fields(&mut proof.clone().sumcheck.rounds).len() + 1;
    for i in 0..num_fields {
        let mut bad = proof.clone();
        let mut fields = sumcheck_fields(&mut bad.sumcheck.rounds);
        fields.push(&mut bad.eval);
        *fields[i] += Fr::one();
        assert!(!booleanity_accepts(n, &bad, &table), "field {i}");
    }
    assert!(verify_booleanity(n - 1, &proof, &mut transcript(3)).is_err());
    assert!(verify_booleanity(n, &proof, &mut transcript(4)).is_err());
}

// ---------------------------------------------------------------- merge

fn merge_accepts(n: usize, claims: &[Claim], proof: &MergeProof, table: &[Fr]) -> bool {
    verify_merge(n, claims, proof, &mut transcript(5)).is_ok_and(|c| holds(&c, table))
}

#[test]
fn merge_completeness_and_soundness() {
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    for n in 0..=8 {
        for m in 1..=3 {
            let table = random_fields(&mut rng, 1 << n);
            let claims: Vec<Claim> = (0..m).map(|_| random_claim(&mut rng, &table)).collect();
            let (proof, prover_claim) =
                prove_merge(&CpuBackend, &table, &claims, &mut transcript(5)).unwrap();
            let claim = verify_merge(n, &claims, &proof, &mut transcript(5)).unwrap();
            assert_eq!(claim, prover_claim);
            assert!(holds(&claim, &table), "n = {n}, m = {m}");

            // One wrong input claim: the honest table cannot support the merge.
            let mut wrong = claims.clone();
            wrong[m - 1].value += Fr::one();
            let (proof, _) = prove_merge(&CpuBackend, &table, &wrong, &mut transcript(5)).unwrap();
            assert!(
                !merge_accepts(n, &wrong, &proof, &table),
                "n = {n}, m = {m}"
            );
        }
    }
    // Tampering with every field.
    let n = 4;
    let table = random_fields(&mut rng, 1 << n);
    let claims: Vec<Claim> = (0..2).map(|_| random_claim(&mut rng, &table)).collect();
    let (proof, _) = prove_merge(&CpuBackend, &table, &claims, &mut transcript(5)).unwrap();
    let num_fields = sumcheck_fields(&mut proof.clone().sumcheck.rounds).len() + 1;
    for i in 0..num_fields {
        let mut bad = proof.clone();
        let mut fields = sumcheck_fields(&mut bad.sumcheck.rounds);
        fields.push(&mut bad.eval);
        *fields[i] += Fr::one();
        assert!(!merge_accepts(n, &claims, &bad, &table), "field {i}");
    }
    assert!(!merge_accepts(n, &claims[..1], &proof, &table));
    assert_eq!(
        verify_merge(n, &[], &proof, &mut transcript(5)),
        Err(Error::NoClaims)
    );
}

// ---------------------------------------------------------------- rescale

struct RescaleCase {
    num_vars: usize,
    shift: u32,
    num_entries: u64,
    x: Vec<Fr>,
    q: Vec<Fr>,
    r: Vec<Fr>,
}

fn rescale_case(rng: &mut ChaCha20Rng, num_vars: usize, shift: u32, len: usize) -> RescaleCase {
    let values: Vec<i64> = (0..len)
        .map(|_| rng.gen_range(-(1i64 << 40)..1i64 << 40))
        .collect();
    let (q, r) = rescale_reference(&values, shift, num_vars).unwrap();
    let x =
        MultilinearTable::zero_padded(values.iter().map(|&v| i64_to_field(v)).collect(), num_vars)
            .unwrap()
            .into_evals();
    RescaleCase {
        num_vars,
        shift,
        num_entries: len as u64,
        x,
        q,
        r,
    }
}

fn rescale(case: &RescaleCase, q: &[Fr], input: &Claim) -> (RescaleProof, RescaleClaims) {
    prove_rescale(
        &CpuBackend,
        q,
        input,
        case.shift,
        case.num_entries,
        &mut transcript(6),
    )
    .unwrap()
}

fn verify_rescale_case(
    case: &RescaleCase,
    input: &Claim,
    proof: &RescaleProof,
) -> Result<RescaleClaims, Error> {
    verify_rescale(
        case.num_vars,
        input,
        case.shift,
        case.num_entries,
        proof,
        &mut transcript(6),
    )
}

#[test]
fn ones_eval_is_the_mle_of_the_ones_table() {
    let mut rng = ChaCha20Rng::seed_from_u64(8);
    for n in 0..=8usize {
        let point = random_fields(&mut rng, n);
        for len in (0..=1usize << n).step_by(1 + (1 << n) / 16).chain([1 << n]) {
            let table = ones_table(len, n).unwrap();
            assert_eq!(ones_eval(len as u64, &point).unwrap(), mle(&table, &point));
        }
        assert!(matches!(
            ones_eval((1 << n) + 1, &point),
            Err(Error::TooManyEntries { .. })
        ));
    }
    assert_eq!(ones_eval(u64::MAX, &[Fr::one(); 64]).unwrap(), Fr::zero());
}

#[test]
fn rescale_completeness() {
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    for n in 0..=8usize {
        for shift in [0, 1, 16, 20] {
            for len in [1usize << n, (1 << n) - (1 << n) / 3, 1] {
                let case = rescale_case(&mut rng, n, shift, len);
                let input = random_claim(&mut rng, &case.x);
                let (proof, prover_claims) = rescale(&case, &case.q, &input);
                let claims = verify_rescale_case(&case, &input, &proof).unwrap();
                assert_eq!(claims, prover_claims);
                assert!(
                    holds(&claims.quotient, &case.q) && holds(&claims.remainder, &case.r),
                    "n = {n}, shift = {shift}, len = {len}"
                );
            }
        }
    }
}

/// A quotient off by one, with the remainder moved by `2^k` so that the linear relation
/// still holds: the reduction passes and its remainder claim is the MLE of a table with
/// an entry outside `[0, 2^k)`. The LogUp-GKR range check of that table rejects it.
#[test]
fn shifted_quotient_passes_the_reduction_and_fails_the_range_check() {
    let mut rng = ChaCha20Rng::seed_from_u64(10);
    let (n, shift) = (6usize, 16u32);
    for (i, delta) in [(5usize, 1i64), (17, -1)] {
        let case = rescale_case(&mut rng, n, shift, 50);
        let mut q = case.q.clone();
        let mut r = case.r.clone();
        q[i] += i64_to_field(delta);
        r[i] -= i64_to_field(delta << shift);
        // X + h ONE = 2^k Q + R still holds entrywise.
        let (scale, half) = (Fr::from(1u64 << shift), Fr::from(1u64 << (shift - 1)));
        for j in 0..50 {
            assert_eq!(case.x[j] + half, scale * q[j] + r[j]);
        }
        let input = random_claim(&mut rng, &case.x);
        let (proof, _) = rescale(&case, &q, &input);
        let claims = verify_rescale_case(&case, &input, &proof).unwrap();
        assert!(holds(&claims.quotient, &q) && holds(&claims.remainder, &r));
        assert!(!holds(&claims.remainder, &case.r));
        // The remainder table now has an entry outside [0, 2^k).
        let bad = field_to_i128(&r[i]).unwrap();
        assert!(!(0..1i128 << shift).contains(&bad), "remainder {bad}");

        // The range check (remainders are one 16-bit limb here) rejects that table even
        // with multiplicities that count every in-range entry.
        let mut mults = vec![Fr::zero(); 1 << 16];
        for v in &r {
            if let Some(t) = field_to_i128(v).and_then(|t| usize::try_from(t).ok()) {
                if t < 1 << 16 {
                    mults[t] += Fr::one();
                }
            }
        }
        let mut t = transcript(11);
        let (range_proof, _) = prove_range(&CpuBackend, &r, &mults, &mut t).unwrap();
        assert!(verify_range(n, &range_proof, &mut transcript(11)).is_err());
    }
}

#[test]
fn rescale_tampering_is_caught() {
    let mut rng = ChaCha20Rng::seed_from_u64(12);
    let case = rescale_case(&mut rng, 5, 16, 20);
    let input = random_claim(&mut rng, &case.x);
    let (proof, _) = rescale(&case, &case.q, &input);
    let both_hold = |c: &RescaleClaims| holds(&c.quotient, &case.q) && holds(&c.remainder, &case.r);
    assert!(both_hold(
        &verify_rescale_case(&case, &input, &proof).unwrap()
    ));
    // The proof's one field.
    let bad = RescaleProof {
        quotient_eval: proof.quotient_eval + Fr::one(),
    };
    assert!(!both_hold(
        &verify_rescale_case(&case, &input, &bad).unwrap()
    ));
    // The statement: value, point, shift, number of entries.
    let mut wrong = input.clone();
    wrong.value += Fr::one();
    assert!(!both_hold(
        &verify_rescale_case(&case, &wrong, &proof).unwrap()
    ));
    let mut wrong = input.clone();
    wrong.point[0] += Fr::one();
    assert!(!verify_rescale_case(&case, &wrong, &proof).is_ok_and(|c| both_hold(&c)));
    for (shift, num_entries) in [(15, 20), (17, 20), (16, 19), (16, 32)] {
        let claims = verify_rescale(5, &input, shift, num_entries, &proof, &mut transcript(6));
        assert!(
            !claims.is_ok_and(|c| both_hold(&c)),
            "{shift}, {num_entries}"
        );
    }
    assert!(matches!(
        verify_rescale(5, &input, 16, 33, &proof, &mut transcript(6)),
        Err(Error::TooManyEntries { .. })
    ));
    assert!(matches!(
        verify_rescale(5, &input, 1000, 20, &proof, &mut transcript(6)),
        Err(Error::ShiftTooLarge { .. })
    ));
}

// ---------------------------------------------------------------- linear

fn linear_accepts(
    n: usize,
    coeffs: &[Fr],
    output: &Claim,
    proof: &LinearProof,
    inputs: &[&[Fr]],
) -> bool {
    verify_linear(n, coeffs, output, proof, &mut transcript(7)).is_ok_and(|claims| {
        claims.len() == inputs.len() && claims.iter().zip(inputs).all(|(c, t)| holds(c, t))
    })
}

#[test]
fn linear_completeness_and_soundness() {
    let mut rng = ChaCha20Rng::seed_from_u64(13);
    for n in 0..=8usize {
        let len = 1 << n;
        for coeffs in [
            vec![Fr::one(), -Fr::one()], // G = A - Y, W' = W - dW
            vec![Fr::rand(&mut rng), Fr::rand(&mut rng), Fr::rand(&mut rng)],
            vec![Fr::from(3u64)],
        ] {
            let tables: Vec<Vec<Fr>> = coeffs
                .iter()
                .map(|_| random_fields(&mut rng, len))
                .collect();
            let inputs: Vec<&[Fr]> = tables.iter().map(Vec::as_slice).collect();
            let y = linear_reference(&coeffs, &inputs).unwrap();
            let output = random_claim(&mut rng, &y);
            let (proof, prover_claims) =
                prove_linear(&CpuBackend, &coeffs, &inputs, &output, &mut transcript(7)).unwrap();
            let claims = verify_linear(n, &coeffs, &output, &proof, &mut transcript(7)).unwrap();
            assert_eq!(claims, prover_claims);
            assert!(linear_accepts(n, &coeffs, &output, &proof, &inputs));

            // A wrong output entry.
            let mut y_bad = y.clone();
            y_bad[rng.gen_range(0..len)] += Fr::one();
            let wrong = random_claim(&mut rng, &y_bad);
            let (proof_bad, _) =
                prove_linear(&CpuBackend, &coeffs, &inputs, &wrong, &mut transcript(7)).unwrap();
            assert!(matches!(
                verify_linear(n, &coeffs, &wrong, &proof_bad, &mut transcript(7)),
                Err(Error::LinearCheckFailed { .. })
            ));

            // Every proof field, wrong shapes, wrong coefficients.
            for i in 0..proof.evals.len() {
                let mut bad = proof.clone();
                bad.evals[i] += Fr::one();
                assert!(!linear_accepts(n, &coeffs, &output, &bad, &inputs));
            }
            let mut bad = proof.clone();
            bad.evals.push(Fr::zero());
            assert!(matches!(
                verify_linear(n, &coeffs, &output, &bad, &mut transcript(7)),
                Err(Error::WrongMessageCount { .. })
            ));
            let mut other = coeffs.clone();
            other[0] += Fr::one();
            assert!(!linear_accepts(n, &other, &output, &proof, &inputs));
        }
    }
}

// ---------------------------------------------------------------- shapes, bytes

#[test]
fn prover_input_errors() {
    let b = &CpuBackend;
    let three = vec![Fr::one(); 3];
    let four = vec![Fr::one(); 4];
    let two = vec![Fr::one(); 2];
    let claim = Claim {
        point: vec![Fr::one(); 2],
        value: Fr::zero(),
    };
    let t = &mut transcript(0);
    assert_eq!(
        prove_hadamard(b, &three, &three, &claim, t).unwrap_err(),
        Error::NotPowerOfTwo { len: 3 }
    );
    assert_eq!(
        prove_hadamard(b, &four, &two, &claim, t).unwrap_err(),
        Error::LengthMismatch {
            table: "right",
            expected: 4,
            got: 2
        }
    );
    assert_eq!(
        prove_hadamard(b, &two, &two, &claim, t).unwrap_err(),
        Error::PointLengthMismatch {
            expected: 1,
            got: 2
        }
    );
    assert!(prove_booleanity(b, &[], t).is_err());
    assert_eq!(prove_merge(b, &four, &[], t).unwrap_err(), Error::NoClaims);
    assert!(prove_rescale(b, &four, &claim, 200, 4, t).is_err());
    assert!(prove_rescale(b, &four, &claim, 4, 5, t).is_err());
    assert_eq!(
        prove_linear(b, &[], &[], &claim, t).unwrap_err(),
        Error::NoInputs
    );
    assert!(prove_linear(b, &[Fr::one()], &[&four, &four], &claim, t).is_err());
    assert!(prove_linear(b, &[Fr::one(); 2], &[&four, &two], &claim, t).is_err());
    assert!(verify_booleanity(41, &BooleanityProof::default(), t).is_err());
}

#[test]
fn transcripts_end_in_the_same_state() {
    let mut rng = ChaCha20Rng::seed_from_u64(14);
    let n = 3;
    let (s, q) = (random_bits(&mut rng, 8), random_fields(&mut rng, 8));
    let output = random_claim(&mut rng, &hadamard_reference(&s, &q).unwrap());
    let (mut tp, mut tv) = (transcript(1), transcript(1));
    let (proof, _) = prove_hadamard(&CpuBackend, &s, &q, &output, &mut tp).unwrap();
    verify_hadamard(n, &output, &proof, &mut tv).unwrap();
    let (bproof, _) = prove_booleanity(&CpuBackend, &s, &mut tp).unwrap();
    verify_booleanity(n, &bproof, &mut tv).unwrap();
    let case = rescale_case(&mut rng, n, 4, 6);
    let input = random_claim(&mut rng, &case.x);
    let (rproof, _) = prove_rescale(&CpuBackend, &case.q, &input, 4, 6, &mut tp).unwrap();
    verify_rescale(n, &input, 4, 6, &rproof, &mut tv).unwrap();
    assert_eq!(tp.challenge(), tv.challenge());
}

#[test]
fn serialization_and_fuzzed_bytes() {
    let mut rng = ChaCha20Rng::seed_from_u64(15);
    let n = 2;
    let (s, q) = (random_bits(&mut rng, 4), random_fields(&mut rng, 4));
    let output = random_claim(&mut rng, &hadamard_reference(&s, &q).unwrap());

    let (proof, _) = hadamard(&s, &q, &output);
    assert_round_trip(&proof);
    assert_fuzz_safe::<HadamardProof>(&bytes_of(&proof), 1, |p| {
        hadamard_accepts(n, &output, p, &s, &q)
    });

    let (proof, _) = booleanity(&s);
    assert_round_trip(&proof);
    assert_fuzz_safe::<BooleanityProof>(&bytes_of(&proof), 2, |p| booleanity_accepts(n, p, &s));

    let claims = vec![random_claim(&mut rng, &q), random_claim(&mut rng, &q)];
    let (proof, _) = prove_merge(&CpuBackend, &q, &claims, &mut transcript(5)).unwrap();
    assert_round_trip(&proof);
    assert_fuzz_safe::<MergeProof>(&bytes_of(&proof), 3, |p| merge_accepts(n, &claims, p, &q));

    let case = rescale_case(&mut rng, n, 8, 3);
    let input = random_claim(&mut rng, &case.x);
    let (proof, _) = rescale(&case, &case.q, &input);
    assert_round_trip(&proof);
    assert_fuzz_safe::<RescaleProof>(&bytes_of(&proof), 4, |p| {
        verify_rescale_case(&case, &input, p)
            .is_ok_and(|c| holds(&c.quotient, &case.q) && holds(&c.remainder, &case.r))
    });

    let coeffs = [Fr::one(), -Fr::one()];
    let inputs: [&[Fr]; 2] = [&s, &q];
    let output = random_claim(&mut rng, &linear_reference(&coeffs, &inputs).unwrap());
    let (proof, _) =
        prove_linear(&CpuBackend, &coeffs, &inputs, &output, &mut transcript(7)).unwrap();
    assert_round_trip(&proof);
    assert_fuzz_safe::<LinearProof>(&bytes_of(&proof), 5, |p| {
        linear_accepts(n, &coeffs, &output, p, &inputs)
    });
}

/// The optimized provers agree with the naive sumcheck prover of `zkpot-core` run on the
/// documented transcript order (which this also pins).
#[test]
fn provers_match_the_naive_sumcheck_and_the_documented_order() {
    use zkpot_core::sumcheck::{self, NaiveProver};
    use zkpot_core::{eq_table, ProductSum};
    use zkpot_gkr::elementwise::{BOOLEANITY_LABEL, HADAMARD_LABEL};

    let mut rng = ChaCha20Rng::seed_from_u64(16);
    for n in 0..=6usize {
        let (s, q) = (
            random_bits(&mut rng, 1 << n),
            random_fields(&mut rng, 1 << n),
        );
        let output = random_claim(&mut rng, &hadamard_reference(&s, &q).unwrap());
        let (proof, _) = hadamard(&s, &q, &output);
        let mut t = transcript(1);
        t.absorb_bytes(HADAMARD_LABEL);
        t.absorb_u64(n as u64);
        t.absorb_fields(&output.point);
        t.absorb_field(&output.value);
        let mut naive = NaiveProver::new(
            ProductSum::product(2),
            vec![s.clone(), q.clone()],
            Some(eq_table(&output.point)),
        );
        let out = sumcheck::prove(&mut naive, output.value, &mut t);
        assert_eq!(out.proof, proof.sumcheck, "hadamard n = {n}");
        assert_eq!(
            out.final_evals[..2],
            [proof.left_eval, proof.right_eval],
            "hadamard n = {n}"
        );

        let (proof, _) = booleanity(&s);
        let mut t = transcript(3);
        t.absorb_bytes(BOOLEANITY_LABEL);
        t.absorb_u64(n as u64);
        let tau = t.challenges(n);
        let sum = ProductSum {
            terms: vec![(Fr::one(), vec![0, 0]), (-Fr::one(), vec![0])],
        };
        let mut naive = NaiveProver::new(sum, vec![s.clone()], Some(eq_table(&tau)));
        let out = sumcheck::prove(&mut naive, Fr::zero(), &mut t);
        assert_eq!(out.proof, proof.sumcheck, "booleanity n = {n}");
        assert_eq!(out.final_evals[0], proof.eval, "booleanity n = {n}");
    }
}
