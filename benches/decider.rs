#![allow(missing_docs)] // criterion_group! generates undocumented items
//! The compressed final proof (`zkpot::folding::decider`, `running::CompressedProof`) on
//! the README's main job: the embedded digits with the CLI's default spec (64-32-10, batch
//! 64, lr shift 9, `k` = 16, 64 iterations: 4 folds), HyperKZG on a seeded dev SRS.
//!
//! Untimed: the SRS, the IVC keys and the decider key; the run (each fold timed). Then the
//! decider's proving time (median of `PROVE_RUNS`, against the median fold), the compressed
//! proof's size by part, and its verification (criterion: default threads, then one
//! thread), all from this same run. `ZKPOT_BENCH_FOLDS` changes the number of folds
//! (default 4; 2 shows the constancy).
//!
//! Run: `cargo bench --bench decider` (about 10 minutes on a 2-core machine).

use std::time::Instant;

mod common;

use ark_serialize::CanonicalSerialize;
use common::median;
use criterion::{criterion_group, criterion_main, Criterion};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkpot::core::CpuBackend;
use zkpot::folding::decider::DeciderKey;
use zkpot::folding::running::{verify_compressed, CompressedProof, FoldedKeys, Prover, Sizing};
use zkpot::gkr::step::StepShape;
use zkpot::pcs::{KzgKey, SchemeKey, Srs};
use zkpot::run::run_num_vars;
use zkpot::trainer::data::digits;
use zkpot::trainer::{BatchSchedule, TrainSpec, Trainer};

/// Decider proofs made (and timed) from the finished run.
const PROVE_RUNS: usize = 3;

fn folds() -> u64 {
    std::env::var("ZKPOT_BENCH_FOLDS")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .filter(|&f: &u64| f > 0)
        .unwrap_or(4)
}

fn bench(c: &mut Criterion) {
    let data = digits(16).expect("the embedded digits");
    let mut spec = TrainSpec::new(vec![64, 32, 10], 64, 9, 1);
    spec.steps_per_fold = 16;
    spec.iterations = Some(16 * folds());
    let chunks = BatchSchedule::new(&spec, data.len()).num_chunks() as u64;

    let start = Instant::now();
    let shape = StepShape::new(&spec).expect("a provable spec");
    let n = run_num_vars(&shape) as u32;
    let sizing_key = SchemeKey::from(KzgKey::new(Srs::dev_seeded(n, 1)));
    let sizing = Sizing::new(&sizing_key, &spec, chunks).expect("the circuit sizes");
    let power = n.max(sizing.primary_power());
    let key = SchemeKey::from(KzgKey::new(Srs::dev_seeded(power, 1)));
    let keys = FoldedKeys::generate_sized(sizing, &key).expect("the IVC keys");
    let decider = DeciderKey::new(&keys.key).expect("the decider key");
    let (m, w, entries) = decider.primary_size();
    println!(
        "keys: {:.1} s (SRS 2^{power}); augmented circuit {m} constraints, {w} witnesses, \
         non-zeros A {} B {} C {}",
        start.elapsed().as_secs_f64(),
        entries[0],
        entries[1],
        entries[2]
    );

    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let mut trainer = Trainer::new(&spec, &data).expect("the spec fits the data");
    let initial = trainer.model().clone();
    let mut prover = Prover::new(&key, &keys, &spec, &data, &initial, CpuBackend, &mut rng)
        .expect("the prover starts");
    let mut fold_times = Vec::new();
    while prover.folds_done() < prover.total_folds() {
        let steps: Vec<_> = (0..spec.steps_per_fold)
            .map(|_| trainer.step().expect("in range"))
            .collect();
        let start = Instant::now();
        prover.prove_fold(&steps).expect("the fold proves");
        fold_times.push(start.elapsed().as_secs_f64());
    }
    let (statement, folded, _) = prover.finish().expect("the run finishes");
    let SchemeKey::Kzg(kzg) = &key else {
        unreachable!("a HyperKZG key")
    };
    let mut prove_times = Vec::new();
    let mut proof = None;
    for _ in 0..PROVE_RUNS {
        let start = Instant::now();
        let p = CompressedProof::compress(&folded, &keys, &decider, kzg, &CpuBackend, &mut rng)
            .expect("the decider proves");
        prove_times.push(start.elapsed().as_secs_f64());
        proof = Some(p);
    }
    let proof = proof.expect("at least one decider proof");
    let vk = key.verifier_key();
    verify_compressed(&vk, &decider, &statement, &proof).expect("the compressed proof verifies");

    let mut g = c.benchmark_group("decider");
    g.sample_size(10);
    g.bench_function("verify (default threads)", |b| {
        b.iter(|| verify_compressed(&vk, &decider, &statement, &proof).expect("valid"))
    });
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a one-thread pool");
    g.bench_function("verify (one thread)", |b| {
        b.iter(|| {
            one.install(|| verify_compressed(&vk, &decider, &statement, &proof).expect("valid"))
        })
    });
    g.finish();

    let fold = median(&mut fold_times.clone());
    let decide = median(&mut prove_times.clone());
    let total = proof.to_bytes().expect("encodes").len();
    let d = &proof.decider;
    let (primary, cyclefold) = (d.primary.compressed_size(), d.cyclefold.compressed_size());
    let closing = d.compressed_size() - primary - cyclefold;
    println!(
        "{} folds: fold times {fold_times:.2?} s (median {fold:.2} s); decider {prove_times:.2?} s \
         (median {decide:.2} s = {:.2}x a fold)",
        statement.folds(),
        decide / fold
    );
    println!(
        "compressed proof {total} bytes = closing {closing} + primary SNARK {primary} + \
         CycleFold SNARK {cyclefold} + state and fold count {} + end of run {}; uncompressed {} \
         bytes",
        proof.state.compressed_size() + 8,
        proof.finish.compressed_size(),
        folded.to_bytes().expect("encodes").len()
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
