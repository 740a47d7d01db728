//! Prove one fold of `k` SGD iterations on the embedded digits with the GKR step proof,
//! verify it, and check the three claims it leaves against the committed tables.
//!
//! The claims are checked here by opening the tables directly; in a run proof they go
//! to the accumulator and are opened once at the end.
//!
//! Run: `cargo run --release --example 02_prove_fold`.

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkpot::core::{CpuBackend, MultilinearTable};
use zkpot::gkr::step::{
    chunk_table, commit_table, model_table, prove_step, verify_step, FoldInputs, StepShape,
};
use zkpot::pcs::pedersen::{random_blind, PedersenKey};
use zkpot::trainer::data::{load, DatasetSource};
use zkpot::trainer::{Matrix, TrainSpec, Trainer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seed = 7;
    let split = load(&DatasetSource::Digits, 16, seed)?;

    // 64 inputs, one hidden layer of 32, 10 classes; batch 16; one fold of k = 4.
    let mut spec = TrainSpec::new(vec![64, 32, 10], 16, 7, seed);
    spec.steps_per_fold = 4;
    spec.iterations = Some(4);
    let shape = StepShape::new(&spec)?;

    let mut trainer = Trainer::new(&spec, &split.train)?;
    let mut steps = Vec::new();
    while !trainer.is_finished() {
        steps.push(trainer.step()?);
    }

    // The commitment key covers the largest table: the fold table.
    let fold_len = 1usize << shape.fold_layout().num_vars;
    println!("fold table: {fold_len} entries; deriving the commitment key...");
    let key = PedersenKey::setup(b"zkpot-example-02", fold_len);
    let backend = CpuBackend;
    let mut rng = ChaCha20Rng::seed_from_u64(seed);

    // C_W0 (the starting model) and the chunk's commitment (its 4 batches).
    let start: Vec<(&Matrix, &[i64])> = steps[0]
        .layers
        .iter()
        .map(|l| (&l.w, l.b.as_slice()))
        .collect();
    let model = model_table(&shape, &start)?;
    let model_blind = random_blind(&mut rng);
    let c_w0 = commit_table(&key, &backend, &model, model_blind)?;
    let chunk = chunk_table(&shape, &steps)?;
    let chunk_blind = random_blind(&mut rng);
    let c_chunk = commit_table(&key, &backend, &chunk, chunk_blind)?;

    let inputs = FoldInputs {
        spec_digest: spec.digest()?,
        fold_index: 0,
        prev: c_w0,
        chunk: c_chunk,
    };
    let out = prove_step(&backend, &key, &shape, &inputs, &steps, &mut rng)?;
    let t = out.timings;
    println!(
        "proved {} iterations in {:.2} s (commit {:.2} s, range checks {:.2} s, merges {:.2} s); proof {} bytes",
        shape.k,
        t.total.as_secs_f64(),
        t.commit.as_secs_f64(),
        t.range.as_secs_f64(),
        t.merge.as_secs_f64(),
        out.proof.to_bytes().len()
    );

    let claims = verify_step(&shape, &out.statement, &out.proof)?;
    let holds = |table: &[zkpot::core::Fr], claim: &zkpot::core::Claim| {
        MultilinearTable::new(table.to_vec())
            .and_then(|m| m.evaluate(&claim.point))
            .map(|v| v == claim.value)
    };
    let all = holds(&model, &claims.prev)?
        && holds(&chunk, &claims.chunk)?
        && claims
            .new
            .iter()
            .map(|c| holds(&out.opening.table, c))
            .collect::<Result<Vec<bool>, _>>()?
            .into_iter()
            .all(|ok| ok)
        && commit_table(&key, &backend, &out.opening.table, out.opening.blind)?
            == out.statement.new;
    println!("verify_step: accepted; claims on C_W0, C_chunk, C_new hold: {all}");
    if !all {
        return Err("a claim does not hold".into());
    }
    Ok(())
}
