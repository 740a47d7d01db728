#![allow(missing_docs)] // criterion_group! generates undocumented items
//! The run proof (`zkpot::run`): proving one fold of a run, i.e. the step proof of
//! `k` iterations plus folding its claims into the accumulator, against the `f32`
//! reference step of the same model and batch.
//!
//! MLP 784-128-10, batch 64, lr_shift 9, seed 1, frac_bits 16, on MNIST from
//! `../shared/datasets/mnist` when present (else random pixels of the same shape);
//! `k = 16` (`ZKPOT_BENCH_K` changes it). The run's key comes from the key cache
//! (`$ZKPOT_CACHE_DIR` or `~/.cache/zkpot`; derived and cached on first use, minutes
//! for `k = 16`), `C_data` is committed once, then every criterion iteration proves the
//! run's next fold (its `k` training steps are made outside the timer). The tie to
//! `C_WT` and the opening, once per run, are not measured here (`zkpot train --report`
//! has them). After the group, a report from this same run prints the median fold, its
//! split into step proof and accumulation, the median `f32` reference step (50 steps)
//! and the ratio per iteration.
//!
//! Run: `cargo bench --bench run_proof` (about 5 minutes on a 2-core machine with the
//! key cached).

use std::hint::black_box;
use std::time::{Duration, Instant};

mod common;

use common::{bench_k, dataset, fold_group, median, mnist_spec};
use criterion::{criterion_group, criterion_main, Criterion};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkpot::core::CpuBackend;
use zkpot::gkr::step::StepShape;
use zkpot::pcs::cache::KeyCache;
use zkpot::run::{key_len, ChunkedData, FoldReport, RunProver, KEY_LABEL};
use zkpot::trainer::reference::to_f32;
use zkpot::trainer::{ReferenceMlp, Trainer};

const REFERENCE_STEPS: usize = 50;
/// Folds the run has: more than criterion's 10 samples and its warm-up use.
const FOLDS: u64 = 16;

fn bench_run_proof(c: &mut Criterion) {
    let k = bench_k();
    let (data, source) = dataset(4096);
    let spec = mnist_spec(k, FOLDS);
    let shape = StepShape::new(&spec).expect("a provable spec");

    let start = Instant::now();
    let (key, _) = KeyCache::from_env()
        .load_or_setup(KEY_LABEL, key_len(&shape), &|_| {})
        .expect("the key cache is usable");
    let key = zkpot::pcs::SchemeKey::from(key);
    println!(
        "key: {} generators in {:.1} s",
        key.max_len(),
        start.elapsed().as_secs_f64()
    );
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let mut trainer = Trainer::new(&spec, &data).expect("the spec fits the data");
    let start = Instant::now();
    let chunks = ChunkedData::commit(&key, &CpuBackend, &spec, &data, &mut rng, &mut |_, _| {})
        .expect("the data commits");
    println!(
        "C_data: {} chunks in {:.1} s",
        chunks.num_chunks(),
        start.elapsed().as_secs_f64()
    );
    let mut prover = RunProver::new(&key, CpuBackend, &spec, chunks, trainer.model(), &mut rng)
        .expect("the run starts");

    let mut reports: Vec<FoldReport> = Vec::new();
    let mut reference_secs = Vec::new();
    let lr = 1.0 / (1u64 << spec.lr_shift) as f32;
    let mut g = fold_group(c, "run_proof/784-128-10/batch64");
    g.bench_function(format!("fold/k={k}"), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let model = trainer.model().clone();
                let steps: Vec<_> = (0..k)
                    .map(|_| trainer.step().expect("training continues"))
                    .collect();
                // The f32 reference step of this fold's first batch and model.
                let reference = ReferenceMlp::from_fixed(&model, spec.frac_bits);
                let (xf, yf) = (
                    to_f32(&steps[0].x, spec.frac_bits),
                    to_f32(&steps[0].y, spec.frac_bits),
                );
                for _ in 0..REFERENCE_STEPS / 10 {
                    let mut r = reference.clone();
                    let t = Instant::now();
                    black_box(r.step(&xf, &yf, lr));
                    reference_secs.push(t.elapsed().as_secs_f64());
                }
                let t = Instant::now();
                let report = prover.prove_fold(&steps).expect("the fold proves");
                total += t.elapsed();
                reports.push(report);
            }
            total
        })
    });
    g.finish();

    let secs = |f: fn(&FoldReport) -> Duration| -> f64 {
        let mut v: Vec<f64> = reports.iter().map(|r| f(r).as_secs_f64()).collect();
        median(&mut v)
    };
    let fold = secs(|r| r.total);
    let step = secs(|r| r.step.total);
    let accumulate = secs(|r| r.accumulate);
    let chunk = secs(|r| r.chunk);
    let reference = median(&mut reference_secs);
    println!();
    println!(
        "run proof, 784-128-10, batch 64, k = {k}, {source}, {} threads, {} folds measured:",
        rayon::current_num_threads(),
        reports.len()
    );
    println!(
        "  fold {fold:.2} s = step proof {step:.2} s + accumulate {accumulate:.2} s + chunk check {chunk:.2} s"
    );
    println!(
        "  per iteration {:.3} s; f32 reference step {:.3} ms; ratio {:.0}x",
        fold / k as f64,
        reference * 1e3,
        fold / k as f64 / reference
    );
}

criterion_group!(benches, bench_run_proof);
criterion_main!(benches);
