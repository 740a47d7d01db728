#![allow(missing_docs)] // criterion_group! generates undocumented items
//! One SGD iteration: the exact fixed-point step (with its full witness) against
//! the `f32` reference step, on the same model, batch and schedule.
//!
//! Axes: MLP 784-128-10, batch 64, frac_bits 16, value_bits 32 (MNIST from
//! `../shared/datasets/mnist` when present, else random pixels of the same shape).
//! After the criterion groups, an interleaved run of both steps prints the ratio of
//! their medians measured in the same run.
//!
//! Run: `cargo bench --bench train_step`.

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use zkpot::trainer::data::{load, DatasetSource};
use zkpot::trainer::reference::to_f32;
use zkpot::trainer::schedule::gather;
use zkpot::trainer::{sgd_step, Dataset, Matrix, Mlp, ReferenceMlp, TrainSpec};

const MNIST: &str = "../shared/datasets/mnist";

fn setup() -> (TrainSpec, Mlp, Matrix, Matrix) {
    let mut spec = TrainSpec::new(vec![784, 128, 10], 64, 9, 1);
    spec.iterations = Some(16);
    let data = if Path::new(MNIST).exists() {
        load(&DatasetSource::Mnist(MNIST.into()), 16, 1)
            .expect("MNIST loads")
            .train
    } else {
        eprintln!("note: {MNIST} not found, benchmarking on random pixels");
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let pixels: Vec<u8> = (0..640 * 784).map(|_| rng.gen()).collect();
        let labels = (0..640).map(|i| (i % 10) as u8).collect();
        Dataset::from_pixels("random", 784, 10, &pixels, 255, labels, 16).expect("valid pixels")
    };
    let model = Mlp::init(&spec).expect("valid spec");
    let rows: Vec<usize> = (0..64).collect();
    let (x, y) = gather(&data, &rows);
    (spec, model, x, y)
}

fn bench_steps(c: &mut Criterion) {
    let (spec, model, x, y) = setup();
    let reference = ReferenceMlp::from_fixed(&model, spec.frac_bits);
    let (xf, yf) = (to_f32(&x, 16), to_f32(&y, 16));
    let lr = 1.0 / (1u64 << spec.lr_shift) as f32;

    let mut g = c.benchmark_group("train_step/784-128-10/batch64");
    g.bench_function("fixed_point", |b| {
        b.iter_batched(
            || (x.clone(), y.clone()),
            |(x, y)| black_box(sgd_step(&spec, &model, x, y, 0).expect("in range")),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("f32_reference", |b| {
        b.iter_batched(
            || reference.clone(),
            |mut r| black_box(r.step(&xf, &yf, lr)),
            BatchSize::SmallInput,
        )
    });
    g.finish();

    // The ratio, from interleaved samples taken in this same run.
    let (mut fixed, mut float) = (Vec::new(), Vec::new());
    for _ in 0..200 {
        let (xc, yc) = (x.clone(), y.clone());
        let t = Instant::now();
        black_box(sgd_step(&spec, &model, xc, yc, 0).expect("in range"));
        fixed.push(t.elapsed().as_secs_f64());
        let mut r = reference.clone();
        let t = Instant::now();
        black_box(r.step(&xf, &yf, lr));
        float.push(t.elapsed().as_secs_f64());
    }
    let med = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (mf, mr) = (med(&mut fixed), med(&mut float));
    println!(
        "train_step ratio (interleaved, 200 samples): fixed-point {:.3} ms / f32 {:.3} ms = {:.2}x",
        mf * 1e3,
        mr * 1e3,
        mf / mr
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench_steps
}

criterion_main!(benches);
