#![allow(missing_docs)] // criterion_group! generates undocumented items
//! The in-circuit step verifier (the bulk of the IVC step circuit, `DESIGN.md` section
//! 6): its size and where its constraints go, for the MNIST model 784-128-10, batch 64,
//! `k = 16` (`ZKPOT_BENCH_K` overrides `k`), and the time to synthesize it.
//!
//! One fold is trained and proven natively (the key comes from the cache, as in
//! `zkpot train`), then the gadget is synthesized on a plain `ConstraintSystem`: the
//! report prints the constraints of every phase of the flow and the transcript's
//! (Poseidon's) share, and checks that the honest proof satisfies it. The criterion group
//! times one synthesis (witness generation included).
//!
//! Run: `cargo bench --bench step_circuit` (a few minutes on a 2-core machine, plus the
//! key's derivation on first use).

use std::time::Instant;

mod common;

use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef};
use common::{bench_k, dataset, first_fold, mnist_spec};
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkpot::core::{CpuBackend, Fr};
use zkpot::gkr::step::constraints::{verify_step_profiled, StepStatementVar};
use zkpot::gkr::step::{prove_step, StepProof, StepShape, StepStatement};
use zkpot::pcs::cache::KeyCache;
use zkpot::run::KEY_LABEL;

/// Synthesizes the gadget; returns the constraint system and the profile.
fn synthesize(
    shape: &StepShape,
    s: &StepStatement,
    proof: &StepProof,
) -> (
    ConstraintSystemRef<Fr>,
    Vec<zkpot::gkr::step::constraints::PhaseCount>,
) {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let statement = StepStatementVar::new_witness(&cs, s).expect("allocates");
    let (_, profile) =
        verify_step_profiled(&cs, shape, &statement, proof).expect("the gadget synthesizes");
    (cs, profile)
}

fn bench_step_circuit(c: &mut Criterion) {
    let k = bench_k();
    let (data, source) = dataset(2048);
    let spec = mnist_spec(k, 1);
    let shape = StepShape::new(&spec).expect("a valid step shape");
    let num_vars = shape.fold_layout().num_vars;
    let (key, _) = KeyCache::from_env()
        .load_or_setup(KEY_LABEL, 1usize << num_vars, &|_| {})
        .expect("the key cache is usable");

    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let fold = first_fold(&spec, &data, &key, &mut rng);
    let (shape, steps, inputs) = (fold.shape, fold.steps, fold.inputs);
    let out = prove_step(&CpuBackend, &key, &shape, &inputs, &steps, &mut rng).expect("proves");

    let start = Instant::now();
    let (cs, profile) = synthesize(&shape, &out.statement, &out.proof);
    let secs = start.elapsed().as_secs_f64();
    let satisfied = cs.is_satisfied().expect("satisfiability is decidable");
    assert!(satisfied, "the honest proof satisfies the gadget");
    let total = cs.num_constraints();
    let transcript: usize = profile.iter().map(|p| p.transcript).sum();
    println!(
        "step_circuit 784-128-10 batch64 k={k} ({source}): {total} constraints, {:.1}% in the transcript; \
         {} witnesses; one synthesis {secs:.2} s",
        100.0 * transcript as f64 / total as f64,
        cs.num_witness_variables()
    );
    for p in &profile {
        println!(
            "  {:12} {:>9} constraints ({:>9} transcript)",
            p.phase, p.constraints, p.transcript
        );
    }

    let mut group = c.benchmark_group("step_circuit");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.bench_function(format!("synthesize/k={k}"), |b| {
        b.iter(|| synthesize(&shape, &out.statement, &out.proof))
    });
    group.finish();
}

criterion_group!(benches, bench_step_circuit);
criterion_main!(benches);
