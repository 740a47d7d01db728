//! The running proof end to end on the digits: 2 and 4 folds verify with proofs of the
//! same size; tampered states, statements and bytes are rejected without a panic; a run
//! killed after a checkpoint and resumed gives exactly the uninterrupted statement; with
//! HyperKZG, Nova's primary commitments take the SRS prefix and keys, provers and
//! statements of another setup are refused.

#![allow(clippy::unwrap_used)]

use std::{sync::OnceLock, time::Instant};

use ark_ff::One;
use ark_serialize::CanonicalSerialize;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkpot_core::{CpuBackend, Fr};
use zkpot_folding::decider::DeciderKey;
use zkpot_folding::running::{
    verify, verify_compressed, verify_timed, CompressedProof, FoldedKeys,
    FoldedProof as FinalProof, Prover,
};
use zkpot_folding::Error;
use zkpot_gkr::step::StepShape;
use zkpot_pcs::{pedersen::PedersenKey, KzgKey, PcsKind, SchemeKey, Srs};
use zkpot_run::{key_len, run_num_vars, RunStatement, KEY_LABEL};
use zkpot_trainer::data::digits;
use zkpot_trainer::{Dataset, Mlp, TrainSpec, Trainer};

/// 64-4-10 on 24 digits, batch 4, k = 2: 3 chunks, so fold 3 reuses chunk 0.
fn spec(iterations: u64) -> TrainSpec {
    let mut s = TrainSpec::new(vec![64, 4, 10], 4, 5, 3);
    s.steps_per_fold = 2;
    s.iterations = Some(iterations);
    s
}

fn data() -> &'static Dataset {
    static D: OnceLock<Dataset> = OnceLock::new();
    D.get_or_init(|| digits(16).unwrap().select(&(0..24).collect::<Vec<_>>()))
}

struct Setup {
    key: SchemeKey,
    keys: FoldedKeys,
}

fn setup() -> &'static Setup {
    static S: OnceLock<Setup> = OnceLock::new();
    S.get_or_init(|| {
        let s = spec(8);
        let key = SchemeKey::from(PedersenKey::setup(
            KEY_LABEL,
            key_len(&StepShape::new(&s).unwrap()),
        ));
        let keys = FoldedKeys::generate(&key, &s, 3).unwrap();
        Setup { key, keys }
    })
}

/// The HyperKZG keys of the same runs (a dev SRS of `2^max(n, m)` powers: the run's tables
/// and Nova's primary key) and the decider's key.
struct KzgSetup {
    key: SchemeKey,
    keys: FoldedKeys,
    decider: DeciderKey,
    power: u32,
}

fn kzg_setup() -> &'static KzgSetup {
    static S: OnceLock<KzgSetup> = OnceLock::new();
    S.get_or_init(|| {
        let s = spec(4);
        let shape = StepShape::new(&s).unwrap();
        let nova = setup().keys.key.primary_key_len().trailing_zeros();
        let power = nova.max(run_num_vars(&shape) as u32);
        println!("SRS power {power} (Nova's primary key 2^{nova})");
        let key = SchemeKey::from(KzgKey::new(Srs::dev_seeded(power, 11)));
        let keys = FoldedKeys::generate(&key, &s, 3).unwrap();
        let decider = DeciderKey::new(&keys.key).unwrap();
        KzgSetup {
            key,
            keys,
            decider,
            power,
        }
    })
}

/// A folded prover and the trainer that feeds it.
struct Run {
    prover: Prover<'static, CpuBackend>,
    trainer: Trainer<'static>,
}

impl Run {
    /// Trains the next fold's `k` iterations and proves them.
    fn fold(&mut self) {
        let k = self.trainer.spec().steps_per_fold;
        let steps: Vec<_> = (0..k).map(|_| self.trainer.step().unwrap()).collect();
        self.prover.prove_fold(&steps).unwrap();
    }

    fn prove_all(mut self) -> (RunStatement, FinalProof) {
        while self.prover.folds_done() < self.prover.total_folds() {
            self.fold();
        }
        let (statement, proof, _) = self.prover.finish().unwrap();
        (statement, proof)
    }
}

fn prover(iterations: u64, seed: u64) -> Run {
    let s = setup();
    let spec = spec(iterations);
    let initial = Mlp::init(&spec).unwrap();
    let trainer = Trainer::with_model(&spec, data(), initial.clone()).unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let prover = Prover::new(
        &s.key,
        &s.keys,
        &spec,
        data(),
        &initial,
        CpuBackend,
        &mut rng,
    )
    .unwrap();
    Run { prover, trainer }
}

fn prove(iterations: u64) -> (RunStatement, FinalProof) {
    prover(iterations, 1).prove_all()
}

fn four() -> &'static (RunStatement, FinalProof) {
    static P: OnceLock<(RunStatement, FinalProof)> = OnceLock::new();
    P.get_or_init(|| prove(8))
}

fn accepts(statement: &RunStatement, proof: &FinalProof) -> bool {
    let s = setup();
    verify(&s.key.verifier_key(), &s.keys, statement, proof).is_ok()
}

#[test]
fn two_and_four_folds_verify_with_proofs_of_one_size() {
    let two = prove(4);
    let (statement, proof) = four();
    assert!(accepts(&two.0, &two.1));
    assert!(accepts(statement, proof));
    assert_eq!(two.1.folds(), 2);
    assert_eq!(proof.folds(), 4);
    let (a, b) = (two.1.to_bytes().unwrap(), proof.to_bytes().unwrap());
    println!(
        "folded proof: {} bytes (2 folds), {} bytes (4 folds)",
        a.len(),
        b.len()
    );
    assert_eq!(a.len(), b.len());
    // Either proof against the other's statement.
    assert!(!accepts(&two.0, proof));
    assert!(!accepts(statement, &two.1));
}

#[test]
fn tampered_statements_and_proofs_are_rejected() {
    let (statement, proof) = four();
    let mut s = statement.clone();
    s.wt = statement.w0;
    assert!(!accepts(&s, proof), "C_WT");
    let mut s = statement.clone();
    s.w0 = statement.wt;
    assert!(!accepts(&s, proof), "C_W0");
    let mut s = statement.clone();
    s.data.root += Fr::one();
    assert!(!accepts(&s, proof), "C_data root");
    let mut s = statement.clone();
    s.spec.iterations = Some(6);
    assert!(!accepts(&s, proof), "T");
    let mut s = statement.clone();
    s.spec.seed += 1;
    assert!(!accepts(&s, proof), "seed");
    let mut s = statement.clone();
    s.mask.value += Fr::one();
    assert!(!accepts(&s, proof), "the starting mask's value");
    let mut s = statement.clone();
    s.mask = proof.finish.mask;
    assert!(!accepts(&s, proof), "the starting mask");

    // The final state (C_last, the accumulator, ...) and the end of the run.
    let zn = proof.ivc.current_state().to_vec();
    for e in [0, 1, 2, 3, 7, 11, zn.len() - 1] {
        let mut bad = proof.clone();
        let mut z = zn.clone();
        z[e] += Fr::one();
        bad.ivc = bad.ivc.with_current_state_for_test(z);
        assert!(!accepts(statement, &bad), "state element {e}");
    }
    let mut bad = proof.clone();
    bad.finish.finish.sumcheck.rounds[0][0] += Fr::one();
    assert!(!accepts(statement, &bad), "the final fold's first round");
}

#[test]
fn single_flipped_bytes_are_rejected_without_a_panic() {
    let (statement, proof) = four();
    let bytes = proof.to_bytes().unwrap();
    let back = FinalProof::read(&mut bytes.as_slice()).unwrap();
    assert!(accepts(statement, &back));
    // A spread sample of positions (the proof is megabytes): the finish proof's head,
    // then through the IVC proof.
    let step = (bytes.len() / 24).max(1);
    for at in (0..bytes.len()).step_by(step).chain([1, 40, 200]) {
        let mut b = bytes.clone();
        b[at] ^= 0x5a;
        let ok = FinalProof::read(&mut b.as_slice()).is_ok_and(|p| accepts(statement, &p));
        assert!(!ok, "byte {at}");
    }
    assert!(FinalProof::read(&mut &bytes[..bytes.len() - 1]).is_err());
}

#[test]
fn a_killed_and_resumed_run_gives_the_same_statement() {
    let s = setup();
    let checkpoint = {
        // Start a 4-iteration run (2 folds), checkpoint after the first fold, "crash".
        let mut run = prover(4, 1);
        run.fold();
        run.prover.checkpoint().unwrap()
    };
    // Resume and extend to 8 iterations in all, as `--resume FILE --iterations 8`.
    let p = Prover::resume(&s.key, &s.keys, &checkpoint, data(), Some(8), CpuBackend).unwrap();
    assert_eq!(p.folds_done(), 1);
    let trainer = Trainer::resume(p.spec(), data(), p.model().clone(), 2).unwrap();
    let (statement, proof) = Run { prover: p, trainer }.prove_all();
    let (want, _) = four();
    assert_eq!(&statement, want);
    assert!(accepts(&statement, &proof));
    // A checkpoint is refused with another dataset of the same size (its next chunk
    // differs) or another size, and garbage or a cut checkpoint is an error.
    let all = digits(16).unwrap();
    for rows in [24..48, 0..40] {
        let other = all.select(&rows.collect::<Vec<_>>());
        let e = Prover::resume(&s.key, &s.keys, &checkpoint, &other, None, CpuBackend)
            .err()
            .expect("another dataset is refused");
        assert!(e.to_string().contains("dataset"), "{e}");
    }
    for bad in [&b"garbage"[..], &checkpoint[..checkpoint.len() - 1]] {
        assert!(Prover::resume(&s.key, &s.keys, bad, data(), None, CpuBackend).is_err());
    }
}

/// Golden: the SHA-256 of the 4-fold run's statement and final proof (seeded blinds and
/// folding randomness). It pins the step proofs, the accumulator, the training circuit
/// (through the IVC's witnesses) and the final proof's encoding. To regenerate (only
/// after an intended protocol change), run
/// `cargo test -p zkpot-folding --test running golden -- --nocapture` and paste the hex.
#[test]
fn golden_folded_proof() {
    use sha2::{Digest, Sha256};
    let (statement, proof) = four();
    let hex = |d: &[u8]| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let s = hex(&Sha256::digest(statement.to_bytes()));
    let p = hex(&Sha256::digest(proof.to_bytes().unwrap()));
    println!("golden folded statement: {s} proof: {p}");
    assert_eq!(
        s,
        "c71133992d904d7f2431bb6fce934aa153fe9e1e63d747676f9f801ba60be173"
    );
    assert_eq!(
        p,
        "aee5fff30c41c49db34248f4e087a7cb15e0833b71a5f3c7a738784b7d44f428"
    );
}

/// HyperKZG end to end: Nova's primary commitment key is the SRS prefix (and is checked
/// to be when the keys are read), a 2-fold run verifies, and everything of another setup
/// (IVC keys of another SRS or of Pedersen, a prover's commitment key, the statement's
/// setup) is refused.
#[test]
fn a_kzg_run_folds_on_the_srs_prefix() {
    let pedersen = setup();
    let s = spec(4);
    let KzgSetup {
        key, keys, power, ..
    } = kzg_setup();
    let nova = pedersen.keys.key.primary_key_len().trailing_zeros();
    assert_eq!(keys.setup, key.setup());
    assert_eq!(keys.key.primary_key_len(), 1 << nova);
    // The same circuit as on Pedersen: only the key's points differ.
    assert_eq!(
        keys.key.augmented_shape(),
        pedersen.keys.key.augmented_shape()
    );
    assert_ne!(keys.key.pp_hash(), pedersen.keys.key.pp_hash());

    // Reading the keys checks the primary key against the setup.
    let bytes = keys.to_bytes().unwrap();
    let back = FoldedKeys::from_bytes(&s, 3, key, &bytes).unwrap();
    assert_eq!(back.key.pp_hash(), keys.key.pp_hash());
    let other = SchemeKey::from(KzgKey::new(Srs::dev_seeded(*power, 12)));
    let other_setup = |r: Result<FoldedKeys, Error>| matches!(r, Err(Error::KeysSetup { .. }));
    assert!(other_setup(FoldedKeys::from_bytes(&s, 3, &other, &bytes)));
    assert!(other_setup(FoldedKeys::from_bytes(
        &s,
        3,
        &pedersen.key,
        &bytes
    )));
    let pedersen_bytes = pedersen.keys.to_bytes().unwrap();
    assert!(other_setup(FoldedKeys::from_bytes(
        &s,
        3,
        key,
        &pedersen_bytes
    )));

    // A prover whose commitment key is not the keys' is refused.
    let initial = Mlp::init(&s).unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let refused = Prover::new(
        &pedersen.key,
        keys,
        &s,
        data(),
        &initial,
        CpuBackend,
        &mut rng,
    );
    assert!(matches!(refused, Err(Error::KeysSetup { .. })));

    let (statement, proof, _) = &kzg_runs()[0];
    let (statement, proof) = (statement.clone(), proof.clone());
    assert_eq!(statement.setup.pcs, PcsKind::Kzg);
    let timings = verify_timed(&key.verifier_key(), keys, &statement, &proof).unwrap();
    println!(
        "KZG folded proof: {} bytes, IVC verify {:.3} s, tie and opening {:.1} ms",
        proof.to_bytes().unwrap().len(),
        timings.folds.as_secs_f64(),
        timings.finish.as_secs_f64() * 1e3
    );

    // Another setup's keys, or a statement naming another setup, are refused.
    assert!(verify(
        &pedersen.key.verifier_key(),
        &pedersen.keys,
        &statement,
        &proof
    )
    .is_err());
    let mut s2 = statement.clone();
    s2.setup = pedersen.key.setup();
    assert!(matches!(
        verify(&key.verifier_key(), keys, &s2, &proof),
        Err(Error::KeysSetup { .. })
    ));
    // A tampered final state.
    let mut bad = proof.clone();
    let mut z = proof.ivc.current_state().to_vec();
    z[1] += Fr::one();
    bad.ivc = bad.ivc.with_current_state_for_test(z);
    assert!(verify(&key.verifier_key(), keys, &statement, &bad).is_err());
}

/// A HyperKZG run of `iterations` and its uncompressed and compressed final proofs (the
/// compressed one made from the uncompressed one, so both cover the same run).
fn kzg_run(iterations: u64) -> (RunStatement, FinalProof, CompressedProof) {
    let KzgSetup {
        key, keys, decider, ..
    } = kzg_setup();
    let s = spec(iterations);
    let initial = Mlp::init(&s).unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(iterations);
    let mut trainer = Trainer::with_model(&s, data(), initial.clone()).unwrap();
    let mut prover = Prover::new(key, keys, &s, data(), &initial, CpuBackend, &mut rng).unwrap();
    let mut fold_times = Vec::new();
    while prover.folds_done() < prover.total_folds() {
        let steps: Vec<_> = (0..2).map(|_| trainer.step().unwrap()).collect();
        let start = Instant::now();
        prover.prove_fold(&steps).unwrap();
        fold_times.push(start.elapsed().as_secs_f64());
    }
    let (statement, folded, _) = prover.finish().unwrap();
    let SchemeKey::Kzg(kzg) = key else {
        unreachable!()
    };
    let start = Instant::now();
    let compressed =
        CompressedProof::compress(&folded, keys, decider, kzg, &CpuBackend, &mut rng).unwrap();
    println!(
        "{} folds: fold times {fold_times:.2?} s, decider {:.2} s",
        statement.folds(),
        start.elapsed().as_secs_f64()
    );
    (statement, folded, compressed)
}

/// The HyperKZG runs of 4 and 8 iterations (2 and 4 folds), computed once.
fn kzg_runs() -> &'static [(RunStatement, FinalProof, CompressedProof); 2] {
    static R: OnceLock<[(RunStatement, FinalProof, CompressedProof); 2]> = OnceLock::new();
    R.get_or_init(|| [kzg_run(4), kzg_run(8)])
}

/// What the old (uncompressed) and the new (compressed) verifier say.
fn both(
    statement: &RunStatement,
    folded: &FinalProof,
    compressed: &CompressedProof,
) -> (bool, bool) {
    let KzgSetup {
        key, keys, decider, ..
    } = kzg_setup();
    let vk = key.verifier_key();
    (
        verify(&vk, keys, statement, folded).is_ok(),
        verify_compressed(&vk, decider, statement, compressed).is_ok(),
    )
}

/// The compressed final proof: 2 and 4 folds verify with proofs of one size; the old and
/// the new verifier agree on every honest and tampered case; flipped bytes are rejected
/// without a panic.
#[test]
fn compressed_proofs_verify_in_constant_size_and_agree_with_the_uncompressed_ones() {
    let KzgSetup { key, decider, .. } = kzg_setup();
    let (m, n, entries) = decider.primary_size();
    println!("augmented circuit: {m} constraints, {n} witnesses, non-zeros {entries:?}");
    let runs = kzg_runs();
    let mut sizes = Vec::new();
    for (statement, folded, compressed) in runs {
        let bytes = compressed.to_bytes().unwrap();
        let start = Instant::now();
        let t = verify_compressed(&key.verifier_key(), decider, statement, compressed).unwrap();
        println!(
            "{} folds: compressed proof {} bytes (decider {} bytes; uncompressed {} bytes), \
             verify {:.1} ms (decider {:.1} ms, tie and opening {:.1} ms)",
            statement.folds(),
            bytes.len(),
            compressed.decider.compressed_size(),
            folded.to_bytes().unwrap().len(),
            start.elapsed().as_secs_f64() * 1e3,
            t.folds.as_secs_f64() * 1e3,
            t.finish.as_secs_f64() * 1e3
        );
        sizes.push(bytes.len());
        let back = CompressedProof::read(&mut bytes.as_slice(), 64).unwrap();
        assert_eq!(&back, compressed);
        assert_eq!(both(statement, folded, compressed), (true, true));
    }
    assert_eq!(sizes[0], sizes[1]);

    let (statement, folded, compressed) = &runs[1];
    let (other, other_folded, other_compressed) = &runs[0];
    // Another run's proof, another run's statement.
    assert_eq!(both(other, folded, compressed), (false, false));
    assert_eq!(
        both(statement, other_folded, other_compressed),
        (false, false)
    );
    // Tampered statements.
    let mut cases: Vec<(&str, RunStatement)> = Vec::new();
    let mut s = statement.clone();
    s.wt = statement.w0;
    cases.push(("C_WT", s));
    let mut s = statement.clone();
    s.w0 = statement.wt;
    cases.push(("C_W0", s));
    let mut s = statement.clone();
    s.data.root += Fr::one();
    cases.push(("C_data root", s));
    let mut s = statement.clone();
    s.data.num_chunks += 1;
    cases.push(("chunk count", s));
    let mut s = statement.clone();
    s.spec.iterations = Some(6);
    cases.push(("T", s));
    let mut s = statement.clone();
    s.spec.seed += 1;
    cases.push(("seed", s));
    let mut s = statement.clone();
    s.setup = setup().key.setup();
    cases.push(("setup", s));
    let mut s = statement.clone();
    s.mask.value += Fr::one();
    cases.push(("the starting mask's value", s));
    let mut s = statement.clone();
    s.mask.commitment = folded.finish.mask.commitment;
    cases.push(("the starting mask's commitment", s));
    for (what, s) in &cases {
        assert_eq!(both(s, folded, compressed), (false, false), "{what}");
    }
    // Tampered final states, fold counts and ties, on both proofs alike.
    let zn = compressed.state.clone();
    for e in 0..zn.len() {
        let mut z = zn.clone();
        z[e] += Fr::one();
        let bad_folded = FinalProof {
            ivc: folded.ivc.clone().with_current_state_for_test(z.clone()),
            finish: folded.finish.clone(),
        };
        let mut bad = compressed.clone();
        bad.state = z;
        assert_eq!(
            both(statement, &bad_folded, &bad),
            (false, false),
            "state {e}"
        );
    }
    let mut bad = compressed.clone();
    bad.folds -= 1;
    assert!(!both(statement, folded, &bad).1, "fold count");
    let mut bad = compressed.clone();
    bad.finish.finish.sumcheck.rounds[0][0] += Fr::one();
    let mut bad_folded = folded.clone();
    bad_folded.finish.finish.sumcheck.rounds[0][0] += Fr::one();
    assert_eq!(
        both(statement, &bad_folded, &bad),
        (false, false),
        "final fold"
    );
    let mut bad = compressed.clone();
    bad.finish.mask.value += Fr::one();
    let mut bad_folded = folded.clone();
    bad_folded.finish.mask.value += Fr::one();
    assert_eq!(
        both(statement, &bad_folded, &bad),
        (false, false),
        "the end's mask"
    );
    // Flipped bytes: rejected or unreadable, never a panic.
    let bytes = compressed.to_bytes().unwrap();
    let step = (bytes.len() / 40).max(1);
    for at in (0..bytes.len()).step_by(step) {
        let mut b = bytes.clone();
        b[at] ^= 0x21;
        if let Ok(p) = CompressedProof::read(&mut b.as_slice(), 64) {
            assert!(!both(statement, folded, &p).1, "byte {at}");
        }
    }
    assert!(CompressedProof::read(&mut &bytes[..bytes.len() - 1], 64).is_err());
}
