#![allow(missing_docs)] // criterion_group! generates undocumented items
//! The sumcheck prover for a product of two tables, `sum_x f(x) g(x)`, on one
//! thread, against one BN254 `Fr` multiplication measured in the same run.
//!
//! Axes: table size 2^16, 2^18, 2^20, 2^22 entries. The figure of merit is the
//! prover's time per entry per round (total time divided by the sum over rounds
//! of the table length, `2^(n+1) - 2`), in multiplications: goal at most 3.
//!
//! Run: `cargo bench --bench sumcheck`.

use std::hint::black_box;
use std::time::Instant;

use ark_ff::UniformRand;
use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkpot::core::sumcheck::{prove, ProductProver};
use zkpot::core::{CpuBackend, Fr, PoseidonTranscript, ProductSum, Transcript};

const SIZES: [usize; 4] = [16, 18, 20, 22];

fn random(n: usize, seed: u64) -> Vec<Fr> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    (0..n).map(|_| Fr::rand(&mut rng)).collect()
}

fn run_sumcheck(f: Vec<Fr>, g: Vec<Fr>) -> Fr {
    let backend = CpuBackend;
    let mut prover = ProductProver::new(&backend, ProductSum::product(2), vec![f, g], None)
        .expect("valid tables");
    let mut t = PoseidonTranscript::new(b"bench");
    // The claim is not checked by the prover; any value exercises the same work.
    prove(&mut prover, Fr::from(0u64), &mut t).final_claim
}

/// Seconds per `Fr` multiplication: the median of 21 runs of `c[i] = a[i] * b[i]`
/// over 2^10 pairs repeated 64 times (independent products from cache: the
/// arithmetic alone, no memory traffic).
fn mul_seconds(a: &[Fr], b: &[Fr]) -> f64 {
    let mut c = vec![Fr::from(0u64); a.len()];
    let mut runs: Vec<f64> = (0..21)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..64 {
                for ((z, x), y) in c.iter_mut().zip(a).zip(b) {
                    *z = *x * y;
                }
                black_box(&mut c);
            }
            t.elapsed().as_secs_f64() / (64 * a.len()) as f64
        })
        .collect();
    runs.sort_by(f64::total_cmp);
    runs[10]
}

fn bench(c: &mut Criterion) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a pool");
    let (ma, mb) = (random(1 << 10, 1), random(1 << 10, 2));
    c.bench_function("fr_mul", |b| {
        b.iter(|| black_box(black_box(ma[0]) * black_box(mb[0])))
    });
    let mut group = c.benchmark_group("sumcheck_product2_1thread");
    group.sample_size(10);
    let mut summary = Vec::new();
    for vars in SIZES {
        let n = 1usize << vars;
        let (f, g) = (random(n, 3), random(n, 4));
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(
            BenchmarkId::from_parameter(format!("2^{vars}")),
            &vars,
            |b, _| {
                b.iter_batched(
                    || (f.clone(), g.clone()),
                    |(f, g)| pool.install(|| black_box(run_sumcheck(f, g))),
                    BatchSize::LargeInput,
                )
            },
        );
        // Same-run ratio: median of a few timed runs against the multiplication time.
        let mut times: Vec<f64> = (0..3)
            .map(|_| {
                let (f, g) = (f.clone(), g.clone());
                let t = Instant::now();
                pool.install(|| black_box(run_sumcheck(f, g)));
                t.elapsed().as_secs_f64()
            })
            .collect();
        times.sort_by(f64::total_cmp);
        let mul = mul_seconds(&ma, &mb);
        let per_entry_round = times[1] / ((2 * n - 2) as f64);
        summary.push(format!(
            "2^{vars}: {:.1} ms, {:.2} ns per entry per round = {:.2} Fr multiplications ({:.2} ns each)",
            times[1] * 1e3,
            per_entry_round * 1e9,
            per_entry_round / mul,
            mul * 1e9
        ));
    }
    group.finish();
    for line in summary {
        println!("sumcheck product of 2, one thread: {line}");
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
