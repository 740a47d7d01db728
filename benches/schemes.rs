#![allow(missing_docs)] // criterion_group! generates undocumented items
//! The two commitment schemes side by side on the CPU backend: Pedersen + IPA
//! (transparent, linear verifier) and HyperKZG (universal SRS, two-pairing verifier).
//!
//! Axes, for `N = 2^16, 2^20` (and `2^24` with `ZKPOT_BENCH_MAX_LOG=24`; its keys take
//! minutes and about 2.5 GB):
//! * `{pedersen,kzg}/commit/N`: a hiding commitment to `N` random field elements;
//! * `{pedersen,kzg}/open/N`, `{pedersen,kzg}/verify/N`: a zero-knowledge evaluation proof
//!   at a random point, and its verification.
//!
//! After each size, an interleaved run of both schemes (median of 3) prints the times,
//! the ratios kzg/pedersen measured in the same run, and the proof sizes (compressed).
//! The keys (a Pedersen key and a development SRS) are made before the groups and their
//! times printed.
//!
//! Run: `cargo bench --bench schemes` (several minutes on a 2-core machine).

use std::hint::black_box;
use std::time::{Duration, Instant};

use ark_serialize::CanonicalSerialize;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkpot_core::{CpuBackend, Fr, PoseidonTranscript, Transcript};
use zkpot_pcs::{
    pedersen::random_blind, Commitment, CommitmentScheme, HyperKzg, KzgKey, Opening, PedersenIpa,
    PedersenKey, Srs,
};

const LABEL: &[u8] = b"zkpot-bench-schemes";

fn max_log() -> usize {
    std::env::var("ZKPOT_BENCH_MAX_LOG")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
}

fn log_sizes() -> Vec<usize> {
    [16, 20, 24]
        .into_iter()
        .filter(|&l| l <= max_log())
        .collect()
}

/// What one scheme needs for the bench: its keys and a name.
struct Scheme<'a, S: CommitmentScheme> {
    name: &'static str,
    prover: &'a S::ProverKey,
    verifier: &'a S::VerifierKey,
}

/// One size's inputs and the scheme's proof of them.
struct Instance<S: CommitmentScheme> {
    opening: Opening,
    commitment: Commitment,
    point: Vec<Fr>,
    value: Fr,
    proof: S::EvalProof,
}

impl<S: CommitmentScheme<Commitment = Commitment, Blind = Fr>> Scheme<'_, S> {
    fn commit(&self, table: &[Fr], blind: Fr) -> Commitment {
        S::commit(self.prover, &CpuBackend, table, blind).expect("fits")
    }

    fn open(&self, opening: &Opening, commitment: &Commitment, point: &[Fr]) -> (Fr, S::EvalProof) {
        let mut t = PoseidonTranscript::new(b"bench");
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        S::open(
            self.prover,
            &CpuBackend,
            opening,
            commitment,
            point,
            &mut t,
            &mut rng,
        )
        .expect("proves")
    }

    fn verify(&self, i: &Instance<S>) {
        let mut t = PoseidonTranscript::new(b"bench");
        S::verify(
            self.verifier,
            &i.commitment,
            &i.point,
            i.value,
            &i.proof,
            &mut t,
        )
        .expect("verifies")
    }

    fn instance(&self, log: usize) -> Instance<S> {
        let mut rng = ChaCha20Rng::seed_from_u64(log as u64);
        let opening = Opening {
            table: (0..1usize << log).map(|_| random_blind(&mut rng)).collect(),
            blind: random_blind(&mut rng),
        };
        let commitment = self.commit(&opening.table, opening.blind);
        let point: Vec<Fr> = (0..log).map(|_| random_blind(&mut rng)).collect();
        let (value, proof) = self.open(&opening, &commitment, &point);
        Instance {
            opening,
            commitment,
            point,
            value,
            proof,
        }
    }

    fn bench(&self, c: &mut Criterion, log: usize, i: &Instance<S>) {
        let mut group = c.benchmark_group(self.name);
        group
            .sample_size(10)
            .sampling_mode(SamplingMode::Flat)
            .warm_up_time(Duration::from_millis(200))
            .measurement_time(Duration::from_secs(2));
        let n = 1usize << log;
        group.bench_function(BenchmarkId::new("commit", n), |b| {
            b.iter(|| black_box(self.commit(&i.opening.table, i.opening.blind)))
        });
        group.bench_function(BenchmarkId::new("open", n), |b| {
            b.iter(|| black_box(self.open(&i.opening, &i.commitment, &i.point)))
        });
        group.bench_function(BenchmarkId::new("verify", n), |b| b.iter(|| self.verify(i)));
        group.finish();
    }

    /// Commit, open and verify once each (seconds).
    fn once(&self, i: &Instance<S>) -> [f64; 3] {
        let t0 = Instant::now();
        black_box(self.commit(&i.opening.table, i.opening.blind));
        let commit = t0.elapsed().as_secs_f64();
        let t0 = Instant::now();
        black_box(self.open(&i.opening, &i.commitment, &i.point));
        let open = t0.elapsed().as_secs_f64();
        let t0 = Instant::now();
        self.verify(i);
        [commit, open, t0.elapsed().as_secs_f64()]
    }
}

fn median3(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn benches(c: &mut Criterion) {
    let top = *log_sizes().last().expect("a size");
    let t0 = Instant::now();
    let pedersen_key = PedersenKey::setup(LABEL, 1 << top);
    println!(
        "Pedersen key, 2^{top} generators: {:.1} s",
        t0.elapsed().as_secs_f64()
    );
    let t0 = Instant::now();
    let kzg_key = KzgKey::new(Srs::dev_seeded(top as u32, 1));
    println!(
        "development SRS, 2^{top} powers: {:.1} s",
        t0.elapsed().as_secs_f64()
    );
    let pedersen = Scheme::<PedersenIpa> {
        name: "pedersen",
        prover: &pedersen_key,
        verifier: &pedersen_key,
    };
    let kzg = Scheme::<HyperKzg> {
        name: "kzg",
        prover: &kzg_key,
        verifier: kzg_key.verifier_key(),
    };
    for log in log_sizes() {
        let (ip, ik) = (pedersen.instance(log), kzg.instance(log));
        pedersen.bench(c, log, &ip);
        kzg.bench(c, log, &ik);
        let (mut tp, mut tk) = (Vec::new(), Vec::new());
        for _ in 0..3 {
            tp.push(pedersen.once(&ip));
            tk.push(kzg.once(&ik));
        }
        let med = |t: &[[f64; 3]], k: usize| median3(t.iter().map(|x| x[k]).collect());
        let size = |p: &dyn Fn(&mut Vec<u8>)| {
            let mut bytes = Vec::new();
            p(&mut bytes);
            bytes.len()
        };
        let (sp, sk) = (
            size(&|b| ip.proof.serialize_compressed(b).expect("serializes")),
            size(&|b| ik.proof.serialize_compressed(b).expect("serializes")),
        );
        println!(
            "2^{log}: commit pedersen {:.3} s, kzg {:.3} s (kzg/pedersen {:.2}x); \
             open {:.3} s, {:.3} s ({:.2}x); verify {:.2} ms, {:.2} ms ({:.4}x); \
             proof {sp} B, {sk} B",
            med(&tp, 0),
            med(&tk, 0),
            med(&tk, 0) / med(&tp, 0),
            med(&tp, 1),
            med(&tk, 1),
            med(&tk, 1) / med(&tp, 1),
            med(&tp, 2) * 1e3,
            med(&tk, 2) * 1e3,
            med(&tk, 2) / med(&tp, 2),
        );
    }
}

criterion_group!(schemes, benches);
criterion_main!(schemes);
