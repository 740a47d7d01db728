//! What the proof benchmarks share: the MNIST training set (or random pixels of the same
//! shape when `../shared/datasets/mnist` is absent), its spec and `k`, the criterion group
//! of whole folds, and the median.

// Each bench includes this module and uses part of it.
#![allow(dead_code)]

use std::path::Path;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use zkpot::core::CpuBackend;
use zkpot::gkr::step::{chunk_table, commit_table, model_table, FoldInputs, StepShape};
use zkpot::pcs::pedersen::{random_blind, PedersenKey};
use zkpot::trainer::data::{load, DatasetSource};
use zkpot::trainer::{Dataset, Mlp, StepWitness, TrainSpec, Trainer};

/// Where the MNIST files are looked for.
pub const MNIST: &str = "../shared/datasets/mnist";

/// The MNIST training set (`f = 16`, seed 1) and its name, or `fallback_rows` random
/// 784-pixel samples of 10 classes when the files are absent.
pub fn dataset(fallback_rows: usize) -> (Dataset, &'static str) {
    if Path::new(MNIST).exists() {
        let data = load(&DatasetSource::Mnist(MNIST.into()), 16, 1)
            .expect("MNIST loads")
            .train;
        (data, "MNIST")
    } else {
        eprintln!("note: {MNIST} not found, benchmarking on random pixels");
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let pixels: Vec<u8> = (0..fallback_rows * 784).map(|_| rng.gen()).collect();
        let labels = (0..fallback_rows).map(|i| (i % 10) as u8).collect();
        let data = Dataset::from_pixels("random", 784, 10, &pixels, 255, labels, 16)
            .expect("valid pixels");
        (data, "random pixels")
    }
}

/// A group for benchmarks whose one iteration is a whole fold (tens of seconds): 10
/// samples of one iteration each, after a warm-up of one iteration.
pub fn fold_group<'a>(
    c: &'a mut criterion::Criterion,
    name: &str,
) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(10)
        .sampling_mode(criterion::SamplingMode::Flat)
        .warm_up_time(std::time::Duration::from_millis(1))
        .measurement_time(std::time::Duration::from_secs(1));
    g
}

/// The `k` of the proof benches: `ZKPOT_BENCH_K` when it is a power of two, else 16.
pub fn bench_k() -> usize {
    std::env::var("ZKPOT_BENCH_K")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .filter(|&k: &usize| k.is_power_of_two())
        .unwrap_or(16)
}

/// The benches' MNIST spec: 784-128-10, batch 64, lr shift 9, seed 1, folds of `k`
/// iterations, `folds` of them.
pub fn mnist_spec(k: usize, folds: u64) -> TrainSpec {
    let mut spec = TrainSpec::new(vec![784, 128, 10], 64, 9, 1);
    spec.steps_per_fold = k;
    spec.iterations = Some(folds * k as u64);
    spec
}

/// The median (the upper one for an even count); sorts `v`.
pub fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The first fold of a run of `spec` on `data`, trained and committed, ready to prove:
/// its shape, its `k` witnesses, the model before it, and the prover's inputs (`C_prev`
/// = `C_W0` and `C_chunk`, committed with fresh blinds from `rng`).
pub struct FirstFold {
    pub shape: StepShape,
    pub steps: Vec<StepWitness>,
    pub model: Mlp,
    pub inputs: FoldInputs,
}

/// Trains and commits [`FirstFold`].
pub fn first_fold(
    spec: &TrainSpec,
    data: &Dataset,
    key: &PedersenKey,
    rng: &mut ChaCha20Rng,
) -> FirstFold {
    let shape = StepShape::new(spec).expect("a valid step shape");
    let mut t = Trainer::new(spec, data).expect("the spec fits the data");
    let model = t.model().clone();
    let steps: Vec<StepWitness> = (0..shape.k).map(|_| t.step().expect("in range")).collect();
    let layers: Vec<_> = steps[0]
        .layers
        .iter()
        .map(|l| (&l.w, l.b.as_slice()))
        .collect();
    let table = model_table(&shape, &layers).expect("the model table");
    let prev = commit_table(key, &CpuBackend, &table, random_blind(rng)).expect("C_prev");
    let table = chunk_table(&shape, &steps).expect("the chunk table");
    let chunk = commit_table(key, &CpuBackend, &table, random_blind(rng)).expect("C_chunk");
    FirstFold {
        inputs: FoldInputs {
            spec_digest: spec.digest().expect("a spec digest"),
            fold_index: 0,
            prev,
            chunk,
        },
        shape,
        steps,
        model,
    }
}
