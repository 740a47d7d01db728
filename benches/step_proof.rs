#![allow(missing_docs)] // criterion_group! generates undocumented items
//! The step proof (`zkpot-gkr`): proving and verifying one fold of `k` stacked SGD
//! iterations, against the `f32` reference step of the same model and batch.
//!
//! Axes: MLP 784-128-10, batch 64, lr_shift 9, seed 1, frac_bits 16 (MNIST from
//! `../shared/datasets/mnist` when present, else random pixels of the same shape), and
//! `k = steps_per_fold` in 1, 4, 16 (`ZKPOT_BENCH_KS=1,4` restricts it). Per `k`:
//! * `prove/k={k}`: `prove_step` on the CPU backend, given `C_prev` (the starting
//!   model) and `C_chunk` (the fold's batches), committing `C_new` inside;
//! * `verify/k={k}`: `verify_step` of that proof (the claims it leaves on the three
//!   commitments are not opened here).
//!
//! One Pedersen key, as long as the largest fold table needs, is derived before the
//! groups (minutes for `k = 16`) and serves every `k`. Each proof is checked to verify
//! once before it is timed. After the criterion group a report per `k` prints, from
//! this same run: the median prove time, prove time per iteration, the median `f32`
//! reference step (50 steps) and their ratio, the median verify time, the proof size
//! and where one prove run's time went.
//!
//! Run: `cargo bench --bench step_proof` (10-15 minutes on a 2-core machine).

use std::hint::black_box;
use std::time::{Duration, Instant};

mod common;

use common::{dataset, first_fold, median, mnist_spec};
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkpot::core::{CpuBackend, Fr};
use zkpot::gkr::step::{prove_step, verify_step, FoldInputs, ProveTimings, StepOutput, StepShape};
use zkpot::pcs::cache::KeyCache;
use zkpot::pcs::pedersen::{Commitment, PedersenKey};
use zkpot::run::KEY_LABEL;
use zkpot::trainer::reference::to_f32;
use zkpot::trainer::{Dataset, Mlp, ReferenceMlp, StepWitness};

const DEFAULT_KS: [usize; 3] = [1, 4, 16];
const REFERENCE_STEPS: usize = 50;

/// The `k` to measure: `ZKPOT_BENCH_KS` (comma list) or 1, 4, 16.
fn ks() -> Vec<usize> {
    match std::env::var("ZKPOT_BENCH_KS") {
        Ok(list) if !list.trim().is_empty() => {
            let mut ks: Vec<usize> = list
                .split(',')
                .map(|s| s.trim().parse().expect("ZKPOT_BENCH_KS: a comma list of k"))
                .collect();
            ks.sort_unstable();
            ks.dedup();
            assert!(
                ks.iter().all(|&k| k > 0),
                "ZKPOT_BENCH_KS: every k is positive"
            );
            ks
        }
        _ => DEFAULT_KS.to_vec(),
    }
}

/// One fold of `k` iterations, trained and committed, ready to prove.
struct Fold {
    shape: StepShape,
    digest: Fr,
    steps: Vec<StepWitness>,
    /// The model before the fold (for the `f32` reference).
    model: Mlp,
    frac_bits: u32,
    lr_shift: u32,
    prev: Commitment,
    chunk: Commitment,
}

fn make_fold(k: usize, data: &Dataset, key: &PedersenKey, rng: &mut ChaCha20Rng) -> Fold {
    let spec = mnist_spec(k, 1);
    let f = first_fold(&spec, data, key, rng);
    Fold {
        shape: f.shape,
        digest: f.inputs.spec_digest,
        steps: f.steps,
        model: f.model,
        frac_bits: spec.frac_bits,
        lr_shift: spec.lr_shift,
        prev: f.inputs.prev,
        chunk: f.inputs.chunk,
    }
}

fn prove(fold: &Fold, key: &PedersenKey, rng: &mut ChaCha20Rng) -> StepOutput {
    prove_step(
        &CpuBackend,
        key,
        &fold.shape,
        &FoldInputs {
            spec_digest: fold.digest,
            fold_index: 0,
            prev: fold.prev,
            chunk: fold.chunk,
        },
        &fold.steps,
        rng,
    )
    .expect("the fold proves")
}

/// The median `f32` reference step on the fold's first batch, from the fold's
/// starting model, over [`REFERENCE_STEPS`] steps.
fn reference_median(fold: &Fold) -> f64 {
    let reference = ReferenceMlp::from_fixed(&fold.model, fold.frac_bits);
    let (xf, yf) = (
        to_f32(&fold.steps[0].x, fold.frac_bits),
        to_f32(&fold.steps[0].y, fold.frac_bits),
    );
    let lr = 1.0 / (1u64 << fold.lr_shift) as f32;
    let mut secs: Vec<f64> = (0..REFERENCE_STEPS)
        .map(|_| {
            let mut r = reference.clone();
            let t = Instant::now();
            black_box(r.step(&xf, &yf, lr));
            t.elapsed().as_secs_f64()
        })
        .collect();
    median(&mut secs)
}

/// What one `k` measured, for the report after the group.
struct Measured {
    k: usize,
    prove: Vec<f64>,
    verify: Vec<f64>,
    reference: f64,
    proof_bytes: usize,
    timings: ProveTimings,
}

fn report(m: &mut Measured, source: &str) {
    let prove = median(&mut m.prove);
    let per_iteration = prove / m.k as f64;
    let verify = median(&mut m.verify);
    println!(
        "step_proof 784-128-10 batch64 k={} ({source}; {} prove runs, {} verify runs)",
        m.k,
        m.prove.len(),
        m.verify.len()
    );
    println!("  prove:  median {prove:.3} s, per iteration {per_iteration:.3} s");
    println!(
        "  f32 reference step: median {:.3} ms ({REFERENCE_STEPS} steps); prove per iteration / f32 step = {:.0}x",
        m.reference * 1e3,
        per_iteration / m.reference
    );
    println!("  verify: median {:.3} ms", verify * 1e3);
    println!("  proof:  {} bytes", m.proof_bytes);
    let t = m.timings;
    let total = t.total.as_secs_f64();
    let parts = [
        ("commit", t.commit),
        ("range", t.range),
        ("matmul", t.matmul),
        ("elementwise", t.elementwise),
        ("merge", t.merge),
        ("evals", t.evals),
        ("total", t.total),
    ];
    let line: Vec<String> = parts
        .iter()
        .map(|(name, d)| {
            let s = d.as_secs_f64();
            format!("{name} {s:.3} s ({:.1}%)", 100.0 * s / total)
        })
        .collect();
    println!("  breakdown (one run): {}", line.join(", "));
}

fn bench_step_proof(c: &mut Criterion) {
    let ks = ks();
    let (data, source) = dataset(2048);

    // One key for every k: the longest table's, derived first (a shorter key is a
    // prefix of a longer one).
    let shapes: Vec<StepShape> = ks
        .iter()
        .map(|&k| StepShape::new(&mnist_spec(k, 1)).expect("a valid step shape"))
        .collect();
    let num_vars = shapes
        .iter()
        .flat_map(|s| {
            [
                s.fold_layout().num_vars,
                s.model_layout().num_vars,
                s.chunk_layout().num_vars,
            ]
        })
        .max()
        .expect("at least one k");
    let threads = rayon::current_num_threads();
    if num_vars >= 20 {
        println!(
            "note: deriving a Pedersen key of 2^{num_vars} generators for k = {} on {threads} threads \
             (about 10 us per generator on 2 threads: ~{:.0} s) ...",
            ks.last().expect("at least one k"),
            (1u64 << num_vars) as f64 * 10e-6 * 2.0 / threads as f64
        );
    }
    let start = Instant::now();
    // The run key from the cache ($ZKPOT_CACHE_DIR or ~/.cache/zkpot), derived and
    // cached on first use: the same file `zkpot train` uses.
    let (key, _) = KeyCache::from_env()
        .load_or_setup(KEY_LABEL, 1usize << num_vars, &|_| {})
        .expect("the key cache is usable");
    println!(
        "key: 2^{num_vars} generators in {:.1} s",
        start.elapsed().as_secs_f64()
    );

    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let mut measured = Vec::new();
    let mut g = c.benchmark_group("step_proof/784-128-10/batch64");
    // Flat sampling: 10 samples of (at least) one run each, not 1 + 2 + ... + 10 runs.
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(1));
    for &k in &ks {
        let fold = make_fold(k, &data, &key, &mut rng);
        // A benchmark of a failing proof is meaningless: check it once first.
        let out = prove(&fold, &key, &mut rng);
        verify_step(&fold.shape, &out.statement, &out.proof)
            .unwrap_or_else(|e| panic!("k = {k}: the step proof does not verify: {e}"));
        let proof_bytes = out.proof.to_bytes().len();
        let mut timings = out.timings;

        let mut prove_secs = Vec::new();
        g.bench_function(format!("prove/k={k}"), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let t = Instant::now();
                    let o = prove(&fold, &key, &mut rng);
                    let e = t.elapsed();
                    total += e;
                    prove_secs.push(e.as_secs_f64());
                    timings = o.timings;
                    drop(black_box(o)); // freeing the fold table is not timed
                }
                total
            })
        });
        let mut verify_secs = Vec::new();
        g.bench_function(format!("verify/k={k}"), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let t = Instant::now();
                    black_box(verify_step(&fold.shape, &out.statement, &out.proof))
                        .expect("the proof verifies");
                    let e = t.elapsed();
                    total += e;
                    verify_secs.push(e.as_secs_f64());
                }
                total
            })
        });
        let reference = reference_median(&fold);
        measured.push(Measured {
            k,
            prove: prove_secs,
            verify: verify_secs,
            reference,
            proof_bytes,
            timings,
        });
    }
    g.finish();

    println!();
    for m in &mut measured {
        report(m, source);
    }
}

criterion_group!(benches, bench_step_proof);
criterion_main!(benches);
