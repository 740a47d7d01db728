#![allow(missing_docs)] // criterion_group! generates undocumented items
//! Pedersen commitments and the inner-product evaluation argument (`zkpot-pcs`) on the
//! CPU backend.
//!
//! Axes:
//! * `commit/{bits,u16,field}/N`: committing to `N = 2^16, 2^18, 2^20` entries that are
//!   bits (`commit_small`), 16-bit values (`commit_small`) or full field elements
//!   (`commit`), hiding (random blind). After each size an interleaved run of the three
//!   (median of 5) prints the ratios full/bits and full/16-bit measured in the same run
//!   (the requirement: both at least 8x).
//! * `open/N`, `verify/N`: `prove_eval` and `verify_eval` on a table of `N` random field
//!   elements at a random point, `N = 2^16, 2^18, 2^20`. After each size an
//!   interleaved run (median of 3) prints open and verify as ratios to one full
//!   commitment of the same table, measured in the same run.
//!
//! The `2^20` key is derived once before the groups; its derivation time (all threads,
//! and per generator on one thread) is printed.
//!
//! Run: `cargo bench --bench pcs` (several minutes on a 2-core machine).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{
    criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use zkpot_core::{CpuBackend, Fr, PoseidonTranscript, Transcript};
use zkpot_pcs::ipa::{prove_eval, verify_eval};
use zkpot_pcs::pedersen::{commit, commit_small, random_blind, Opening, PedersenKey};

const LOG_SIZES: [usize; 3] = [16, 18, 20];
const MAX_LOG: usize = 20;
const LABEL: &[u8] = b"zkpot-bench";

fn derive_key() -> PedersenKey {
    let threads = rayon::current_num_threads();
    let start = Instant::now();
    let key = PedersenKey::setup(LABEL, 1 << MAX_LOG);
    let all = start.elapsed();
    let single = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a one-thread pool");
    let small = 1 << 12;
    let start = Instant::now();
    single.install(|| black_box(PedersenKey::setup(b"zkpot-bench-1t", small)));
    let one = start.elapsed();
    println!(
        "key derivation: 2^{MAX_LOG} generators in {:.2} s on {threads} threads ({:.2} us per generator wall); \
         one thread: {:.2} us per generator",
        all.as_secs_f64(),
        all.as_secs_f64() * 1e6 / (1u64 << MAX_LOG) as f64,
        one.as_secs_f64() * 1e6 / small as f64,
    );
    key
}

fn median_secs(f: &mut dyn FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..5)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[2]
}

fn bench_commit(c: &mut Criterion, key: &PedersenKey) {
    let mut group = c.benchmark_group("commit");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let backend = CpuBackend;
    for log in LOG_SIZES {
        let n = 1usize << log;
        let bits: Vec<u64> = (0..n).map(|_| rng.gen_range(0..2)).collect();
        let limbs: Vec<u64> = (0..n).map(|_| rng.gen_range(0..1 << 16)).collect();
        let field: Vec<Fr> = (0..n).map(|_| random_blind(&mut rng)).collect();
        let blind = random_blind(&mut rng);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("bits", n), &bits, |b, v| {
            b.iter(|| commit_small(key, &backend, black_box(v), blind).expect("fits"))
        });
        group.bench_with_input(BenchmarkId::new("u16", n), &limbs, |b, v| {
            b.iter(|| commit_small(key, &backend, black_box(v), blind).expect("fits"))
        });
        group.bench_with_input(BenchmarkId::new("field", n), &field, |b, v| {
            b.iter(|| commit(key, &backend, black_box(v), blind).expect("fits"))
        });
        // Interleaved, same run: the ratios the requirement is about.
        let (mut t_bits, mut t_limbs, mut t_field) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..3 {
            t_bits.push(median_secs(&mut || {
                black_box(commit_small(key, &backend, &bits, blind).expect("fits"));
            }));
            t_limbs.push(median_secs(&mut || {
                black_box(commit_small(key, &backend, &limbs, blind).expect("fits"));
            }));
            t_field.push(median_secs(&mut || {
                black_box(commit(key, &backend, &field, blind).expect("fits"));
            }));
        }
        let med = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[1]
        };
        let (bits_s, limbs_s, field_s) = (med(&mut t_bits), med(&mut t_limbs), med(&mut t_field));
        println!(
            "commit 2^{log}: bits {:.2} ms, u16 {:.2} ms, field {:.2} ms; full/bits = {:.1}x, full/16-bit = {:.1}x",
            bits_s * 1e3,
            limbs_s * 1e3,
            field_s * 1e3,
            field_s / bits_s,
            field_s / limbs_s
        );
    }
    group.finish();
}

fn bench_open_verify(c: &mut Criterion, key: &PedersenKey) {
    let mut group = c.benchmark_group("ipa");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    let backend = CpuBackend;
    for log in LOG_SIZES {
        let n = 1usize << log;
        let opening = Opening {
            table: (0..n).map(|_| random_blind(&mut rng)).collect(),
            blind: random_blind(&mut rng),
        };
        let commitment = commit(key, &backend, &opening.table, opening.blind).expect("fits");
        let point: Vec<Fr> = (0..log).map(|_| random_blind(&mut rng)).collect();
        let prove = || {
            let mut t = PoseidonTranscript::new(b"bench");
            let mut r = ChaCha20Rng::seed_from_u64(3);
            prove_eval(key, &backend, &opening, &commitment, &point, &mut t, &mut r)
                .expect("proves")
        };
        let (value, proof) = prove();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(BenchmarkId::new("open", n), |b| {
            b.iter(|| black_box(prove()))
        });
        group.bench_function(BenchmarkId::new("verify", n), |b| {
            b.iter(|| {
                let mut t = PoseidonTranscript::new(b"bench");
                verify_eval(key, &commitment, &point, value, black_box(&proof), &mut t)
                    .expect("verifies")
            })
        });
        // Same run, interleaved: open and verify against one commitment (an MSM of
        // the same size) to the same table.
        let (mut open_t, mut verify_t, mut commit_t) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..3 {
            let t0 = Instant::now();
            black_box(prove());
            open_t.push(t0.elapsed().as_secs_f64());
            let t0 = Instant::now();
            let mut t = PoseidonTranscript::new(b"bench");
            verify_eval(key, &commitment, &point, value, &proof, &mut t).expect("verifies");
            verify_t.push(t0.elapsed().as_secs_f64());
            let t0 = Instant::now();
            black_box(commit(key, &backend, &opening.table, opening.blind).expect("fits"));
            commit_t.push(t0.elapsed().as_secs_f64());
        }
        let med = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[1]
        };
        let (o, v, m) = (med(&mut open_t), med(&mut verify_t), med(&mut commit_t));
        println!(
            "ipa 2^{log}: open {o:.3} s, verify {v:.3} s, commit {m:.3} s; open/commit = {:.1}x, verify/commit = {:.2}x",
            o / m,
            v / m
        );
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    let key = derive_key();
    bench_commit(c, &key);
    bench_open_verify(c, &key);
}

criterion_group!(pcs, benches);
criterion_main!(pcs);
