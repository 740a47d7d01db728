#![allow(clippy::unwrap_used)]
//! End-to-end tests of claim aggregation and the claim accumulator: completeness (the
//! output claim opens), soundness (every tampered claim or proof field is rejected),
//! serialization, malformed bytes, and a property test that aggregation preserves truth.

use std::panic::{catch_unwind, AssertUnwindSafe};

use ark_ff::{One, UniformRand, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use zkpot_core::{CpuBackend, Fr, MultilinearTable, PoseidonTranscript, SumcheckError, Transcript};
use zkpot_pcs::{
    accumulator::{Accumulator, AccumulatorProver, FoldProof, Mask, OpenProof},
    aggregate::AggregationProof,
    error::PcsError,
    ipa::{prove_eval, verify_eval},
    pedersen::{commit, Commitment, Opening, PedersenKey},
    Aggregatable, CommittedClaim, PedersenIpa,
};

const KEY_LABEL: &[u8] = b"zkpot-test";
const TRANSCRIPT_LABEL: &[u8] = b"zkpot-test-aggregate";

fn key() -> PedersenKey {
    PedersenKey::setup(KEY_LABEL, 64)
}

fn transcript() -> PoseidonTranscript {
    PoseidonTranscript::new(TRANSCRIPT_LABEL)
}

fn random_point(rng: &mut ChaCha20Rng, num_vars: usize) -> Vec<Fr> {
    (0..num_vars).map(|_| Fr::rand(rng)).collect()
}

/// A random table over `num_vars` variables, its blind and its commitment.
fn committed(key: &PedersenKey, rng: &mut ChaCha20Rng, num_vars: usize) -> (Commitment, Opening) {
    let table = random_point(rng, 1 << num_vars);
    let blind = Fr::rand(rng);
    let commitment = commit(key, &CpuBackend, &table, blind).unwrap();
    (commitment, Opening { table, blind })
}

fn mle(table: &[Fr], point: &[Fr]) -> Fr {
    MultilinearTable::new(table.to_vec())
        .unwrap()
        .evaluate(point)
        .unwrap()
}

/// The true claim on `(commitment, opening)` at `point`.
fn claim_at(commitment: Commitment, opening: &Opening, point: Vec<Fr>) -> CommittedClaim {
    let value = mle(&opening.table, &point);
    CommittedClaim::new(commitment, point, value)
}

/// Claims with the opening of each.
struct Batch {
    claims: Vec<CommittedClaim>,
    openings: Vec<Opening>,
}

impl Batch {
    fn refs(&self) -> Vec<&Opening> {
        self.openings.iter().collect()
    }
}

/// One claim per table size in `sizes` (in variables), each at a random point.
fn batch_of_sizes(key: &PedersenKey, rng: &mut ChaCha20Rng, sizes: &[usize]) -> Batch {
    let (mut claims, mut openings) = (Vec::new(), Vec::new());
    for &n in sizes {
        let (c, o) = committed(key, rng, n);
        claims.push(claim_at(c, &o, random_point(rng, n)));
        openings.push(o);
    }
    Batch { claims, openings }
}

/// `points` claims on one commitment to a table over `num_vars` variables.
fn batch_on_one(key: &PedersenKey, rng: &mut ChaCha20Rng, num_vars: usize, points: usize) -> Batch {
    let (c, o) = committed(key, rng, num_vars);
    let claims = (0..points)
        .map(|_| claim_at(c, &o, random_point(rng, num_vars)))
        .collect();
    Batch {
        claims,
        openings: vec![o; points],
    }
}

/// The mixed scenario: tables of 2^2, 2^4 and 2^5 entries, the 2^4 one with three
/// claims and the 2^2 one with two, interleaved.
fn mixed(key: &PedersenKey, seed: u64) -> Batch {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let tables = [2usize, 4, 5].map(|n| committed(key, &mut rng, n));
    let order = [1usize, 0, 1, 2, 0, 1];
    let claims = order
        .iter()
        .map(|&t| {
            let (c, o) = &tables[t];
            claim_at(
                *c,
                o,
                random_point(&mut rng, o.table.len().trailing_zeros() as usize),
            )
        })
        .collect();
    let openings = order.iter().map(|&t| tables[t].1.clone()).collect();
    Batch { claims, openings }
}

fn prove(batch: &Batch) -> (CommittedClaim, Opening, AggregationProof) {
    PedersenIpa::aggregate(&CpuBackend, &batch.claims, &batch.refs(), &mut transcript()).unwrap()
}

fn verify(claims: &[CommittedClaim], proof: &AggregationProof) -> Result<CommittedClaim, PcsError> {
    PedersenIpa::verify_aggregate(claims, proof, &mut transcript())
}

/// The output claim opens: its opening commits to `C*`, evaluates to `v*` at `r*`, and
/// an inner-product argument for it verifies.
fn assert_opens(key: &PedersenKey, claim: &CommittedClaim, opening: &Opening) {
    assert_eq!(
        commit(key, &CpuBackend, &opening.table, opening.blind).unwrap(),
        claim.commitment
    );
    assert_eq!(mle(&opening.table, &claim.claim.point), claim.claim.value);
    let mut rng = ChaCha20Rng::seed_from_u64(99);
    let (value, ipa) = prove_eval(
        key,
        &CpuBackend,
        opening,
        &claim.commitment,
        &claim.claim.point,
        &mut transcript(),
        &mut rng,
    )
    .unwrap();
    assert_eq!(value, claim.claim.value);
    verify_eval(
        key,
        &claim.commitment,
        &claim.claim.point,
        value,
        &ipa,
        &mut transcript(),
    )
    .unwrap();
}

/// Proves, verifies, checks that both sides agree and that the output opens.
fn complete(key: &PedersenKey, batch: &Batch) -> (CommittedClaim, AggregationProof) {
    let (claim, opening, proof) = prove(batch);
    let verified = verify(&batch.claims, &proof).unwrap();
    assert_eq!(verified, claim);
    let max_len = batch
        .claims
        .iter()
        .map(|c| c.claim.point.len())
        .max()
        .unwrap();
    assert_eq!(claim.claim.point.len(), max_len);
    assert_eq!(opening.table.len(), 1 << max_len);
    assert_opens(key, &claim, &opening);
    (claim, proof)
}

#[test]
fn single_claim_completeness() {
    let key = key();
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    for n in [0, 1, 3] {
        let batch = batch_of_sizes(&key, &mut rng, &[n]);
        let (claim, proof) = complete(&key, &batch);
        assert_eq!(proof.evals.len(), 1);
        // One commitment: its coefficient is 1, so the commitment is unchanged.
        assert_eq!(claim.commitment, batch.claims[0].commitment);
    }
}

#[test]
fn claims_on_different_commitments_of_different_sizes() {
    let key = key();
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    let batch = batch_of_sizes(&key, &mut rng, &[2, 4, 5]);
    let (_, proof) = complete(&key, &batch);
    assert_eq!(proof.evals.len(), 3);
    assert_eq!(proof.sumcheck.rounds.len(), 5);
}

#[test]
fn several_claims_on_one_commitment() {
    let key = key();
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let batch = batch_on_one(&key, &mut rng, 4, 3);
    let (claim, proof) = complete(&key, &batch);
    assert_eq!(proof.evals.len(), 1);
    assert_eq!(claim.commitment, batch.claims[0].commitment);
}

#[test]
fn mixed_claims_complete() {
    let key = key();
    let batch = mixed(&key, 4);
    let (_, proof) = complete(&key, &batch);
    assert_eq!(proof.evals.len(), 3);
}

/// A claim on a table at a longer point, through its zero-padded opening, shares the
/// commitment with claims at the table's own length.
#[test]
fn claims_on_one_commitment_at_different_lengths() {
    let key = key();
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let (c, short) = committed(&key, &mut rng, 2);
    let mut long = short.clone();
    long.table.resize(1 << 4, Fr::zero());
    assert_eq!(
        commit(&key, &CpuBackend, &long.table, long.blind).unwrap(),
        c
    );
    let batch = Batch {
        claims: vec![
            claim_at(c, &short, random_point(&mut rng, 2)),
            claim_at(c, &long, random_point(&mut rng, 4)),
        ],
        openings: vec![short, long],
    };
    let (_, proof) = complete(&key, &batch);
    assert_eq!(proof.evals.len(), 1);
}

#[test]
fn transcript_is_bound_to_its_prefix() {
    let key = key();
    let batch = mixed(&key, 6);
    let (_, _, proof) = prove(&batch);
    let mut other = transcript();
    other.absorb_u64(1);
    assert!(PedersenIpa::verify_aggregate(&batch.claims, &proof, &mut other).is_err());
}

/// Every way of changing one claim: its value, any point coordinate, its commitment.
fn tampered_claims(
    claims: &[CommittedClaim],
    rng: &mut ChaCha20Rng,
) -> Vec<(String, Vec<CommittedClaim>)> {
    let mut out = Vec::new();
    for i in 0..claims.len() {
        let mut c = claims.to_vec();
        c[i].claim.value += Fr::one();
        out.push((format!("claim {i} value"), c));
        for j in 0..claims[i].claim.point.len() {
            let mut c = claims.to_vec();
            c[i].claim.point[j] += Fr::one();
            out.push((format!("claim {i} point[{j}]"), c));
        }
        let mut c = claims.to_vec();
        let fresh = Commitment(ark_bn254::G1Affine::rand(rng));
        c[i].commitment = fresh;
        out.push((format!("claim {i} commitment (fresh)"), c));
        if let Some(other) = claims.iter().find(|o| o.commitment != claims[i].commitment) {
            let mut c = claims.to_vec();
            c[i].commitment = other.commitment;
            out.push((format!("claim {i} commitment (another claim's)"), c));
        }
        let mut c = claims.to_vec();
        c[i].claim.point.push(Fr::zero());
        out.push((format!("claim {i} point lengthened with 0"), c));
        let mut c = claims.to_vec();
        c.remove(i);
        out.push((format!("claim {i} dropped"), c));
    }
    let mut c = claims.to_vec();
    c.push(claims[0].clone());
    out.push(("claim 0 repeated".into(), c));
    let mut c = claims.to_vec();
    c.swap(0, 1);
    out.push(("claims 0 and 1 swapped".into(), c));
    out
}

#[test]
fn tampered_claims_are_rejected() {
    let key = key();
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let batch = mixed(&key, 7);
    let (claim, _, proof) = prove(&batch);
    for (what, claims) in tampered_claims(&batch.claims, &mut rng) {
        match verify(&claims, &proof) {
            Err(_) => {}
            Ok(other) => panic!(
                "{what}: accepted, giving {}",
                if other == claim {
                    "the same claim"
                } else {
                    "another claim"
                }
            ),
        }
    }
}

/// Every way of changing one proof field.
fn tampered_proofs(proof: &AggregationProof) -> Vec<(String, AggregationProof)> {
    let mut out = Vec::new();
    for (r, round) in proof.sumcheck.rounds.iter().enumerate() {
        for k in 0..round.len() {
            let mut p = proof.clone();
            p.sumcheck.rounds[r][k] += Fr::one();
            out.push((format!("round {r} coefficient {k}"), p));
        }
        let mut p = proof.clone();
        p.sumcheck.rounds[r].push(Fr::zero());
        out.push((format!("round {r} with an extra coefficient"), p));
        let mut p = proof.clone();
        p.sumcheck.rounds[r].pop();
        out.push((format!("round {r} with a coefficient fewer"), p));
    }
    let mut p = proof.clone();
    p.sumcheck.rounds.push(vec![Fr::zero(); 2]);
    out.push(("a round added".into(), p));
    let mut p = proof.clone();
    p.sumcheck.rounds.pop();
    out.push(("a round dropped".into(), p));
    for j in 0..proof.evals.len() {
        let mut p = proof.clone();
        p.evals[j] += Fr::one();
        out.push((format!("eval {j}"), p));
        let mut p = proof.clone();
        p.evals.remove(j);
        out.push((format!("eval {j} dropped"), p));
    }
    let mut p = proof.clone();
    p.evals.push(Fr::one());
    out.push(("an eval added".into(), p));
    if proof.evals.len() > 1 {
        let mut p = proof.clone();
        p.evals.swap(0, 1);
        out.push(("evals 0 and 1 swapped".into(), p));
    }
    out
}

#[test]
fn tampered_proofs_are_rejected() {
    let key = key();
    let batch = mixed(&key, 8);
    let (_, _, proof) = prove(&batch);
    let cases = tampered_proofs(&proof);
    assert!(cases.len() > 20);
    for (what, p) in cases {
        assert!(verify(&batch.claims, &p).is_err(), "{what}: accepted");
    }
    // The untampered proof still verifies (the cases were clones).
    verify(&batch.claims, &proof).unwrap();
}

/// A prover holding a false claim (right opening, wrong value) cannot aggregate it: the
/// sumcheck's final check catches it.
#[test]
fn false_claim_cannot_be_aggregated() {
    let key = key();
    for i in 0..3 {
        let mut batch = mixed(&key, 9 + i as u64);
        batch.claims[i].claim.value += Fr::from(5u64);
        let (_, _, proof) = prove(&batch);
        assert!(matches!(
            verify(&batch.claims, &proof),
            Err(PcsError::Sumcheck(SumcheckError::RoundCheckFailed { .. }))
        ));
    }
    // Also when the false claim is the only one.
    let mut rng = ChaCha20Rng::seed_from_u64(12);
    let mut batch = batch_of_sizes(&key, &mut rng, &[3]);
    batch.claims[0].claim.value -= Fr::one();
    let (_, _, proof) = prove(&batch);
    assert!(verify(&batch.claims, &proof).is_err());
}

#[test]
fn malformed_inputs_are_typed_errors() {
    let key = key();
    let batch = mixed(&key, 13);
    let refs = batch.refs();
    let agg = |claims: &[CommittedClaim], openings: &[&Opening]| {
        PedersenIpa::aggregate(&CpuBackend, claims, openings, &mut transcript()).map(|_| ())
    };
    assert_eq!(agg(&[], &[]), Err(PcsError::NoClaims));
    assert_eq!(
        agg(&batch.claims, &refs[1..]),
        Err(PcsError::OpeningCountMismatch {
            claims: 6,
            openings: 5
        })
    );
    // An opening whose table does not have 2^(point length) entries.
    let mut wrong = refs.clone();
    wrong[3] = &batch.openings[0];
    assert_eq!(
        agg(&batch.claims, &wrong),
        Err(PcsError::PointLengthMismatch {
            table_len: 16,
            point_len: 5
        })
    );
    let three = Opening {
        table: vec![Fr::one(); 3],
        blind: Fr::zero(),
    };
    let mut wrong = refs.clone();
    wrong[1] = &three;
    assert_eq!(
        agg(&batch.claims, &wrong),
        Err(PcsError::PointLengthMismatch {
            table_len: 3,
            point_len: 2
        })
    );
    let empty_proof = AggregationProof {
        sumcheck: Default::default(),
        evals: vec![],
    };
    assert_eq!(verify(&[], &empty_proof), Err(PcsError::NoClaims));
    assert_eq!(
        verify(&batch.claims, &empty_proof),
        Err(PcsError::WrongProofLength {
            expected: 3,
            got: 0
        })
    );
}

/// The verifier's view of an accumulation: the public accumulator, updated fold by fold.
struct Run {
    prover: AccumulatorProver,
    verifier: Accumulator,
    prover_transcript: PoseidonTranscript,
    verifier_transcript: PoseidonTranscript,
}

impl Run {
    fn new(num_vars: usize) -> Self {
        let prover = AccumulatorProver::new(num_vars);
        let verifier = Accumulator::empty(num_vars);
        assert_eq!(prover.accumulator(), &verifier);
        Run {
            prover,
            verifier,
            prover_transcript: transcript(),
            verifier_transcript: transcript(),
        }
    }

    fn fold(&mut self, batch: &Batch) -> FoldProof {
        let proof = self
            .prover
            .fold::<PedersenIpa, _, _>(
                &CpuBackend,
                &batch.claims,
                &batch.refs(),
                &mut self.prover_transcript,
            )
            .unwrap();
        self.verifier = self
            .verifier
            .verify_fold::<PedersenIpa, _>(&batch.claims, &proof, &mut self.verifier_transcript)
            .unwrap();
        assert_eq!(self.prover.accumulator(), &self.verifier);
        proof
    }

    fn open(&mut self, key: &PedersenKey) -> OpenProof {
        let mut rng = ChaCha20Rng::seed_from_u64(17);
        let proof = self
            .prover
            .open::<PedersenIpa, _, _, _>(key, &CpuBackend, &mut self.prover_transcript, &mut rng)
            .unwrap();
        self.verifier
            .verify_open::<PedersenIpa, _>(key, &proof, &mut self.verifier_transcript)
            .unwrap();
        proof
    }
}

fn three_batches(key: &PedersenKey, seed: u64) -> [Batch; 3] {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    [
        batch_of_sizes(key, &mut rng, &[3, 5]),
        batch_on_one(key, &mut rng, 4, 2),
        mixed(key, seed + 1),
    ]
}

#[test]
fn accumulator_folds_three_batches_and_opens() {
    let key = key();
    let batches = three_batches(&key, 20);
    let mut run = Run::new(5);
    for batch in &batches {
        run.fold(batch);
    }
    assert_opens(&key, &run.prover.accumulator().claim, run.prover.opening());
    run.open(&key);
}

/// A masked accumulator: the mask's claim is true, derived from its commitment, fresh per
/// sample; folds and the opening go through; a false mask value is caught by the opening.
#[test]
fn masked_accumulator_folds_and_opens() {
    let key = key();
    let mut rng = ChaCha20Rng::seed_from_u64(31);
    let (prover, mask) = AccumulatorProver::masked(&key, &CpuBackend, 5, &mut rng).unwrap();
    let (_, other) = AccumulatorProver::masked(&key, &CpuBackend, 5, &mut rng).unwrap();
    assert_ne!(mask.commitment, other.commitment);
    assert_ne!(mask.value, other.value);
    assert!(!mask.value.is_zero());
    assert_eq!(mask.claim(5).claim.point, Mask::point(&mask.commitment, 5));
    assert_ne!(
        Mask::point(&mask.commitment, 5),
        Mask::point(&other.commitment, 5)
    );
    assert_opens(&key, &mask.claim(5), prover.opening());
    assert_eq!(prover.accumulator(), &Accumulator::start(&mask, 5));

    let batches = three_batches(&key, 32);
    let mut run = Run::new(5);
    run.prover = prover.clone();
    run.verifier = Accumulator::start(&mask, 5);
    let proofs: Vec<FoldProof> = batches.iter().map(|b| run.fold(b)).collect();
    assert_opens(&key, &run.prover.accumulator().claim, run.prover.opening());
    let open = run.open(&key);

    // The same proofs against a mask stated with another value: rejected.
    let mut lie = mask;
    lie.value += Fr::one();
    let replay = |start: &Mask| -> Result<(), PcsError> {
        let mut verifier = Accumulator::start(start, 5);
        let mut t = transcript();
        for (batch, proof) in batches.iter().zip(&proofs) {
            verifier = verifier.verify_fold::<PedersenIpa, _>(&batch.claims, proof, &mut t)?;
        }
        verifier.verify_open::<PedersenIpa, _>(&key, &open, &mut t)
    };
    assert_eq!(replay(&mask), Ok(()));
    assert!(replay(&lie).is_err());
    assert!(replay(&other).is_err());
    // A key too short for the mask is an error, not a panic.
    assert!(matches!(
        Mask::sample(&key, &CpuBackend, 40, &mut rng),
        Err(PcsError::KeyTooShort { .. })
    ));
}

#[test]
fn empty_accumulator_opens() {
    let key = key();
    let mut run = Run::new(3);
    assert_eq!(
        run.prover.accumulator().claim.commitment,
        Commitment::identity()
    );
    run.open(&key);
}

/// An accumulator that starts shorter than the folded claims grows to their length.
#[test]
fn accumulator_grows_to_the_longest_point() {
    let key = key();
    let mut rng = ChaCha20Rng::seed_from_u64(21);
    let mut run = Run::new(1);
    run.fold(&batch_of_sizes(&key, &mut rng, &[4]));
    assert_eq!(run.verifier.claim.claim.point.len(), 4);
    run.fold(&batch_of_sizes(&key, &mut rng, &[2]));
    assert_eq!(run.verifier.claim.claim.point.len(), 4);
    run.open(&key);
}

#[test]
fn tampered_accumulation_is_rejected() {
    let key = key();
    let batches = three_batches(&key, 30);
    let mut run = Run::new(5);
    run.fold(&batches[0]);
    let before = run.verifier.clone();
    let transcript_before = run.verifier_transcript.clone();
    let proof = run.fold(&batches[1]);
    let after = run.verifier.clone();

    let refold = |acc: &Accumulator, claims: &[CommittedClaim], proof: &FoldProof| {
        acc.verify_fold::<PedersenIpa, _>(claims, proof, &mut transcript_before.clone())
    };
    assert_eq!(refold(&before, &batches[1].claims, &proof).unwrap(), after);

    // The accumulator claim.
    let mut rng = ChaCha20Rng::seed_from_u64(31);
    let mut accs = Vec::new();
    let mut a = before.clone();
    a.claim.claim.value += Fr::one();
    accs.push(("accumulator value", a));
    let mut a = before.clone();
    a.claim.claim.point[2] += Fr::one();
    accs.push(("accumulator point", a));
    let mut a = before.clone();
    a.claim.commitment = Commitment(ark_bn254::G1Affine::rand(&mut rng));
    accs.push(("accumulator commitment", a));
    let mut a = before.clone();
    a.claim.claim.point.pop();
    accs.push(("accumulator point shortened", a));
    for (what, acc) in accs {
        assert!(
            refold(&acc, &batches[1].claims, &proof).is_err(),
            "{what}: accepted"
        );
    }
    // Any fold proof field.
    for (what, aggregation) in tampered_proofs(&proof.aggregation) {
        let p = FoldProof { aggregation };
        assert!(
            refold(&before, &batches[1].claims, &p).is_err(),
            "{what}: accepted"
        );
    }
    // Any folded claim.
    for (what, claims) in tampered_claims(&batches[1].claims, &mut rng) {
        assert!(
            refold(&before, &claims, &proof).is_err(),
            "{what}: accepted"
        );
    }

    // The final opening: for a tampered accumulator it fails.
    run.fold(&batches[2]);
    let verifier_transcript = run.verifier_transcript.clone();
    let open = run.open(&key);
    let mut wrong = run.verifier.clone();
    wrong.claim.claim.value += Fr::one();
    assert!(wrong
        .verify_open::<PedersenIpa, _>(&key, &open, &mut verifier_transcript.clone())
        .is_err());
    let mut wrong = run.verifier.clone();
    wrong.claim.claim.point[0] += Fr::one();
    assert!(wrong
        .verify_open::<PedersenIpa, _>(&key, &open, &mut verifier_transcript.clone())
        .is_err());
    // And an opening of another accumulator does not open this one.
    let mut other = Run::new(5);
    other.fold(&batches[0]);
    other.prover_transcript = verifier_transcript.clone();
    let other_open = other
        .prover
        .open::<PedersenIpa, _, _, _>(&key, &CpuBackend, &mut other.prover_transcript, &mut rng)
        .unwrap();
    assert!(run
        .verifier
        .verify_open::<PedersenIpa, _>(&key, &other_open, &mut verifier_transcript.clone())
        .is_err());
}

#[test]
fn folding_order_does_not_matter_for_validity() {
    let key = key();
    let mut rng = ChaCha20Rng::seed_from_u64(40);
    let a = batch_of_sizes(&key, &mut rng, &[2, 5]);
    let b = batch_on_one(&key, &mut rng, 3, 2);
    let mut ab = Run::new(5);
    ab.fold(&a);
    ab.fold(&b);
    let mut ba = Run::new(5);
    ba.fold(&b);
    ba.fold(&a);
    assert_ne!(ab.verifier, ba.verifier);
    for run in [&mut ab, &mut ba] {
        assert_opens(&key, &run.prover.accumulator().claim, run.prover.opening());
        run.open(&key);
    }
}

fn round_trip<T: CanonicalSerialize + CanonicalDeserialize + PartialEq + std::fmt::Debug>(x: &T) {
    for compress in [Compress::Yes, Compress::No] {
        let mut bytes = Vec::new();
        x.serialize_with_mode(&mut bytes, compress).unwrap();
        assert_eq!(bytes.len(), x.serialized_size(compress));
        let back = T::deserialize_with_mode(bytes.as_slice(), compress, Validate::Yes).unwrap();
        assert_eq!(&back, x);
    }
}

fn bytes_of<T: CanonicalSerialize>(x: &T) -> Vec<u8> {
    let mut bytes = Vec::new();
    x.serialize_compressed(&mut bytes).unwrap();
    bytes
}

/// Everything a fold and an open send or publish.
struct Artifacts {
    key: PedersenKey,
    batch: Batch,
    before: Accumulator,
    transcript: PoseidonTranscript,
    fold: FoldProof,
    after: Accumulator,
    open_transcript: PoseidonTranscript,
    open: OpenProof,
}

fn artifacts() -> Artifacts {
    let key = key();
    // Fold once first, so the accumulator is not the empty one (whose identity point
    // has a malleable compressed encoding: the x bytes are ignored under the flag).
    let mut run = Run::new(4);
    let mut rng = ChaCha20Rng::seed_from_u64(49);
    run.fold(&batch_of_sizes(&key, &mut rng, &[1, 4]));
    let batch = mixed(&key, 50);
    let before = run.verifier.clone();
    let transcript = run.verifier_transcript.clone();
    let fold = run.fold(&batch);
    let after = run.verifier.clone();
    let open_transcript = run.verifier_transcript.clone();
    let open = run.open(&key);
    Artifacts {
        key,
        batch,
        before,
        transcript,
        fold,
        after,
        open_transcript,
        open,
    }
}

#[test]
fn serialization_round_trips() {
    let a = artifacts();
    round_trip(&a.batch.claims[0]);
    round_trip(&a.fold.aggregation);
    round_trip(&a.before);
    round_trip(&a.after);
    round_trip(&a.fold);
    round_trip(&a.open);
}

/// Truncated, corrupted and random bytes of every published object: deserialization
/// errs, or what it yields fails verification; never a panic.
#[test]
fn malformed_bytes_are_rejected_without_panic() {
    let a = artifacts();
    let mut rng = ChaCha20Rng::seed_from_u64(51);

    // Each case: the honest bytes, and a check that deserializes bytes and verifies.
    type Check<'a> = Box<dyn Fn(&[u8]) -> Result<(), String> + 'a>;
    let de = |e: ark_serialize::SerializationError| e.to_string();
    let cases: Vec<(&str, Vec<u8>, Check)> = vec![
        (
            "fold proof",
            bytes_of(&a.fold),
            Box::new(|b: &[u8]| {
                let p = FoldProof::deserialize_compressed(b).map_err(de)?;
                a.before
                    .verify_fold::<PedersenIpa, _>(&a.batch.claims, &p, &mut a.transcript.clone())
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }),
        ),
        (
            "claim",
            bytes_of(&a.batch.claims[3]),
            Box::new(|b: &[u8]| {
                let c = CommittedClaim::deserialize_compressed(b).map_err(de)?;
                let mut claims = a.batch.claims.clone();
                claims[3] = c;
                a.before
                    .verify_fold::<PedersenIpa, _>(&claims, &a.fold, &mut a.transcript.clone())
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }),
        ),
        (
            "accumulator",
            bytes_of(&a.before),
            Box::new(|b: &[u8]| {
                let acc = Accumulator::deserialize_compressed(b).map_err(de)?;
                acc.verify_fold::<PedersenIpa, _>(
                    &a.batch.claims,
                    &a.fold,
                    &mut a.transcript.clone(),
                )
                .map(|_| ())
                .map_err(|e| e.to_string())
            }),
        ),
        (
            "open proof",
            bytes_of(&a.open),
            Box::new(|b: &[u8]| {
                let p = OpenProof::deserialize_compressed(b).map_err(de)?;
                a.after
                    .verify_open::<PedersenIpa, _>(&a.key, &p, &mut a.open_transcript.clone())
                    .map_err(|e| e.to_string())
            }),
        ),
    ];
    for (what, honest, check) in &cases {
        let run = |bytes: &[u8]| catch_unwind(AssertUnwindSafe(|| check(bytes)));
        assert_eq!(run(honest).unwrap(), Ok(()), "{what}: honest bytes");
        let mut tried = 0;
        for len in 0..honest.len() {
            let r = run(&honest[..len]).unwrap_or_else(|_| panic!("{what}: panic at length {len}"));
            assert!(r.is_err(), "{what}: truncated to {len} accepted");
            tried += 1;
        }
        for _ in 0..200 {
            let mut bytes = honest.clone();
            let i = rng.gen_range(0..bytes.len());
            bytes[i] ^= 1 << rng.gen_range(0..8);
            let r = run(&bytes).unwrap_or_else(|_| panic!("{what}: panic on flipped byte {i}"));
            assert!(r.is_err(), "{what}: flipped byte {i} accepted");
            tried += 1;
        }
        for _ in 0..100 {
            let len = rng.gen_range(0..2 * honest.len());
            let bytes: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
            let r = run(&bytes).unwrap_or_else(|_| panic!("{what}: panic on random bytes"));
            assert!(r.is_err(), "{what}: random bytes accepted");
            tried += 1;
        }
        assert!(tried > 300);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Aggregation preserves truth: the output claim's value is the aggregated table's
    /// multilinear extension at `r*`, its commitment the commitment of that table.
    #[test]
    fn aggregation_preserves_truth(
        seed in any::<u64>(),
        sizes in proptest::collection::vec(0usize..5, 1..4),
        repeats in proptest::collection::vec(1usize..3, 3),
    ) {
        let key = key();
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let (mut claims, mut openings) = (Vec::new(), Vec::new());
        for (&n, &r) in sizes.iter().zip(&repeats) {
            let (c, o) = committed(&key, &mut rng, n);
            for _ in 0..r {
                claims.push(claim_at(c, &o, random_point(&mut rng, n)));
                openings.push(o.clone());
            }
        }
        let batch = Batch { claims, openings };
        let (claim, opening, proof) = prove(&batch);
        prop_assert_eq!(mle(&opening.table, &claim.claim.point), claim.claim.value);
        prop_assert_eq!(commit(&key, &CpuBackend, &opening.table, opening.blind).unwrap(), claim.commitment);
        prop_assert_eq!(verify(&batch.claims, &proof).unwrap(), claim);
    }
}
