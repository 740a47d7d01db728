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
//! At `2^24` a Pedersen opening takes minutes, so that size is one-shot: each scheme
//! commits twice (interleaved; the faster of the two counts), opens once, and HyperKZG's
//! verifier is a criterion group (`kzg/verify/16777216`); Pedersen's verifier runs once.
//!
//! Run: `cargo bench --bench schemes` (several minutes on a 2-core machine; about 20 more
//! with `ZKPOT_BENCH_MAX_LOG=24`).

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
        self.instance_timed(log).0
    }

    /// [`Scheme::instance`], timing its commitment and its opening (seconds).
    fn instance_timed(&self, log: usize) -> (Instance<S>, f64, f64) {
        let mut rng = ChaCha20Rng::seed_from_u64(log as u64);
        let opening = Opening {
            table: (0..1usize << log).map(|_| random_blind(&mut rng)).collect(),
            blind: random_blind(&mut rng),
        };
        let t0 = Instant::now();
        let commitment = self.commit(&opening.table, opening.blind);
        let commit = t0.elapsed().as_secs_f64();
        let point: Vec<Fr> = (0..log).map(|_| random_blind(&mut rng)).collect();
        let t0 = Instant::now();
        let (value, proof) = self.open(&opening, &commitment, &point);
        let open = t0.elapsed().as_secs_f64();
        let instance = Instance {
            opening,
            commitment,
            point,
            value,
            proof,
        };
        (instance, commit, open)
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
        if log >= ONE_SHOT_LOG {
            one_shot(c, log, &pedersen, &kzg);
            continue;
        }
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

/// Sizes from which the bench is one-shot (see the module documentation).
const ONE_SHOT_LOG: usize = 24;

fn proof_size<P: CanonicalSerialize>(proof: &P) -> usize {
    proof.compressed_size()
}

/// The one-shot measurement of a large size.
fn one_shot(c: &mut Criterion, log: usize, pedersen: &Scheme<PedersenIpa>, kzg: &Scheme<HyperKzg>) {
    let (ip, pc1, po) = pedersen.instance_timed(log);
    let (ik, kc1, ko) = kzg.instance_timed(log);
    let t0 = Instant::now();
    black_box(pedersen.commit(&ip.opening.table, ip.opening.blind));
    let pc2 = t0.elapsed().as_secs_f64();
    let t0 = Instant::now();
    black_box(kzg.commit(&ik.opening.table, ik.opening.blind));
    let kc2 = t0.elapsed().as_secs_f64();
    let t0 = Instant::now();
    pedersen.verify(&ip);
    let pv = t0.elapsed().as_secs_f64();
    let mut group = c.benchmark_group("kzg");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_secs(2));
    group.bench_function(BenchmarkId::new("verify", 1usize << log), |b| {
        b.iter(|| kzg.verify(&ik))
    });
    group.finish();
    let (pc, kc) = (pc1.min(pc2), kc1.min(kc2));
    println!(
        "2^{log} (one-shot): commit pedersen {pc:.2} s, kzg {kc:.2} s (kzg/pedersen {:.2}x; \
         runs {pc1:.2}/{pc2:.2} s and {kc1:.2}/{kc2:.2} s); open {po:.1} s, {ko:.1} s \
         ({:.2}x); verify pedersen {:.0} ms (once), kzg: the criterion group above; \
         proof {} B, {} B",
        kc / pc,
        ko / po,
        pv * 1e3,
        proof_size(&ip.proof),
        proof_size(&ik.proof),
    );
}

criterion_group!(schemes, benches);
criterion_main!(schemes);
