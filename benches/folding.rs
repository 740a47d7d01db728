#![allow(missing_docs)] // criterion_group! generates undocumented items
//! The running (folded) proof, `zkpot::folding::run`: its step circuit's size and where
//! its constraints go, the time of one fold split into the step proof and the folding
//! (the IVC step), against the `f32` reference step measured in the same run, then the
//! final proof's verification time and size.
//!
//! MLP 784-128-10, batch 64, lr_shift 9, seed 1, frac_bits 16, on MNIST from
//! `../shared/datasets/mnist` when present (else random pixels of the same shape);
//! `k = 16` (`ZKPOT_BENCH_K` changes it). The commitment key comes from the key cache
//! (`$ZKPOT_CACHE_DIR` or `~/.cache/zkpot`; derived on first use, minutes), the IVC keys
//! are generated (timed once), `C_data` is committed, then every criterion iteration
//! proves the run's next fold (training its `k` iterations is outside the timer); the
//! run's remaining folds are proven after the group, then it is finished and verified.
//! The report after the group is from this same run: medians over every fold.
//!
//! Run: `cargo bench --bench folding` (about 15 minutes on a 2-core machine with the
//! commitment key cached).

use std::time::{Duration, Instant};

mod common;

use common::{bench_k, dataset, fold_group, median, mnist_spec};
use criterion::{criterion_group, criterion_main, Criterion};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkpot::core::{CpuBackend, Fr};
use zkpot::folding::running::{verify, FoldedKeys, FoldedReport, Prover};
use zkpot::folding::{
    augmented_profile,
    training::{state, TrainingCircuit},
};
use zkpot::gkr::step::StepShape;
use zkpot::pcs::cache::KeyCache;
use zkpot::pcs::{accumulator::Accumulator, pedersen::Commitment, SchemeKey};
use zkpot::run::{dummy_fold, key_len, run_shape, DataCommitment, KEY_LABEL};
use zkpot::trainer::{BatchSchedule, ReferenceTrainer, TrainSpec, Trainer};

/// `f32` reference steps timed per fold.
const REFERENCE_STEPS_PER_FOLD: usize = 5;
/// Folds the run has: criterion's warm-up and 10 samples, then the rest untimed.
const FOLDS: u64 = 12;

/// Prints where the constraints of the augmented circuit and of its step circuit go,
/// and the totals by kind of work.
fn print_profile(keys: &FoldedKeys, key: &SchemeKey, spec: &TrainSpec, num_chunks: u64) {
    let (shape, _) = run_shape(spec).expect("a provable spec");
    let dummy = dummy_fold(key, spec, num_chunks).expect("the dummy fold");
    let circuit = &TrainingCircuit::for_keys(shape, num_chunks, dummy.clone());
    let shape = keys.key.augmented_shape();
    println!(
        "augmented circuit: {} constraints, {} witnesses; CycleFold circuit {} constraints",
        shape.num_constraints,
        shape.num_witnesses,
        keys.key.cyclefold_constraints()
    );
    let parts = augmented_profile(circuit).expect("the augmented circuit synthesizes");
    for (part, n) in &parts {
        println!("  {part:45} {n:>9}");
    }
    let (_, digest) = run_shape(spec).expect("a provable spec");
    let data = DataCommitment {
        root: Fr::from(0u64),
        num_chunks,
    };
    // The dummy fold starts from the empty accumulator.
    let z0 = state(
        digest,
        data.root,
        0,
        &Commitment::default(),
        &Accumulator::empty(circuit.acc_vars()),
    );
    let profile = circuit
        .profile(0, &z0, &dummy)
        .expect("the step circuit synthesizes");
    let total: usize = profile.iter().map(|p| p.constraints).sum();
    println!("step circuit (one fold of the run proof verified): {total} constraints");
    for p in &profile {
        println!(
            "  {:18} {:>9} constraints ({:>9} in the transcript)",
            p.phase, p.constraints, p.transcript
        );
    }
    let part = |name: &str| -> usize {
        parts
            .iter()
            .filter(|(p, _)| p.contains(name))
            .map(|(_, n)| n)
            .sum()
    };
    let phase = |names: &[&str]| -> (usize, usize) {
        profile
            .iter()
            .filter(|p| names.contains(&p.phase))
            .fold((0, 0), |(c, t), p| (c + p.constraints, t + p.transcript))
    };
    let (acc, acc_t) = phase(&["accumulator fold"]);
    let (merkle, _) = phase(&["chunk path"]);
    let (points, _) = phase(&["points", "operation hints"]);
    let step_phases: Vec<&str> = profile
        .iter()
        .map(|p| p.phase)
        .filter(|p| {
            ![
                "accumulator fold",
                "chunk path",
                "points",
                "operation hints",
            ]
            .contains(p)
        })
        .collect();
    let (step, step_t) = phase(&step_phases);
    let ops = part("point operations");
    let nova = part("Nova") + part("output hash");
    println!("by kind of work (augmented circuit):");
    for (what, n) in [
        (
            "transcript hashing (step + fold transcript)",
            step_t + acc_t,
        ),
        ("sumcheck and relation checks (step proof)", step - step_t),
        ("claim batching (accumulator fold)", acc - acc_t),
        ("chunk Merkle path", merkle),
        ("curve points (decoding, hinted results, limbs)", points),
        ("curve operations (3 CycleFold folds)", ops),
        ("Nova (state hashes, instance fold, its CycleFold)", nova),
    ] {
        println!(
            "  {what:50} {n:>9} ({:.1}%)",
            100.0 * n as f64 / shape.num_constraints as f64
        );
    }
}

fn bench_folding(c: &mut Criterion) {
    let k = bench_k();
    let (data, source) = dataset(4096);
    let spec = mnist_spec(k, FOLDS);
    let shape = StepShape::new(&spec).expect("a provable spec");
    let (key, _) = KeyCache::from_env()
        .load_or_setup(KEY_LABEL, key_len(&shape), &|_| {})
        .expect("the key cache is usable");
    let key = zkpot::pcs::SchemeKey::from(key);
    let num_chunks = BatchSchedule::new(&spec, data.len()).num_chunks() as u64;

    let start = Instant::now();
    let keys = FoldedKeys::generate(&key, &spec, num_chunks).expect("the IVC keys");
    let keygen = start.elapsed().as_secs_f64();
    print_profile(&keys, &key, &spec, num_chunks);

    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let mut trainer = Trainer::new(&spec, &data).expect("the spec fits the data");
    let initial = trainer.model().clone();
    let start = Instant::now();
    let mut prover = Prover::new(&key, &keys, &spec, &data, &initial, CpuBackend, &mut rng)
        .expect("the run starts");
    let commit = start.elapsed().as_secs_f64();
    let mut reference =
        ReferenceTrainer::new(&spec, &data, &initial).expect("the reference trainer");

    // Trains the next fold's k iterations (timed) and proves them.
    let mut fold_once = |prover: &mut Prover<CpuBackend>| {
        let start = Instant::now();
        let steps: Vec<_> = (0..k)
            .map(|_| trainer.step().expect("training goes on"))
            .collect();
        let train = start.elapsed();
        let report = prover.prove_fold(&steps).expect("the fold proves");
        (report, train)
    };
    let mut reports: Vec<(FoldedReport, Duration)> = Vec::new();
    let mut reference_secs = Vec::new();
    let mut g = fold_group(c, "folding/784-128-10/batch64");
    g.bench_function(format!("fold/k={k}"), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                for t in 0..REFERENCE_STEPS_PER_FOLD as u64 {
                    let (x, y) = reference.batch(t);
                    let start = Instant::now();
                    std::hint::black_box(reference.step_on(&x, &y));
                    reference_secs.push(start.elapsed().as_secs_f64());
                }
                let (report, train) = fold_once(&mut prover);
                total += report.run.total + report.ivc;
                reports.push((report, train));
            }
            total
        })
    });
    g.finish();
    while prover.folds_done() < prover.total_folds() {
        reports.push(fold_once(&mut prover));
    }
    let start = Instant::now();
    let (statement, proof, _) = prover.finish().expect("the run finishes");
    let finish = start.elapsed().as_secs_f64();
    let bytes = proof.to_bytes().expect("the proof encodes").len();
    let mut verify_secs: Vec<f64> = (0..3)
        .map(|_| {
            let start = Instant::now();
            verify(&key.verifier_key(), &keys, &statement, &proof).expect("the proof verifies");
            start.elapsed().as_secs_f64()
        })
        .collect();

    let secs = |f: fn(&(FoldedReport, Duration)) -> Duration| -> f64 {
        let mut v: Vec<f64> = reports.iter().map(|r| f(r).as_secs_f64()).collect();
        median(&mut v)
    };
    let fold = secs(|(r, _)| r.run.total + r.ivc);
    let step = secs(|(r, _)| r.run.step.total);
    let accumulate = secs(|(r, _)| r.run.accumulate + r.run.chunk);
    let ivc = secs(|(r, _)| r.ivc);
    let train = secs(|(_, t)| *t);
    let reference = median(&mut reference_secs);
    let kf = k as f64;
    println!();
    println!(
        "folded proof, 784-128-10, batch 64, k = {k}, {source} ({num_chunks} chunks), {} threads, \
         {} folds:",
        rayon::current_num_threads(),
        reports.len()
    );
    println!("  IVC keys generated in {keygen:.1} s; C_data and C_W0 committed in {commit:.1} s");
    println!(
        "  median fold {fold:.2} s = step proof {step:.2} s + accumulate and chunk {accumulate:.2} s \
         + folding (IVC step) {ivc:.2} s; folding / step proof = {:.2} (target <= 0.5); \
         training the fold {train:.2} s",
        ivc / step
    );
    println!(
        "  per iteration {:.3} s (folding {:.3} s); f32 reference step {:.3} ms; ratio {:.0}x",
        fold / kf,
        ivc / kf,
        reference * 1e3,
        fold / kf / reference
    );
    println!(
        "  finish (tie, opening) {finish:.2} s; final proof {bytes} bytes; verify {:.2} s (median of 3)",
        median(&mut verify_secs)
    );
}

criterion_group!(benches, bench_folding);
criterion_main!(benches);
