//! Prove a short training run on the embedded digits as one folded (IVC) proof, with a
//! checkpoint half-way, resume from it, verify the final proof, and write a file that
//! `zkpot verify` reads.
//!
//! The steps: derive the IVC keys for the spec and the dataset's chunk count (prover
//! and verifier derive the same ones), start the prover (it commits `C_data` and
//! `C_W0`), `prove_fold` trains, proves and folds `k` iterations at a time,
//! `checkpoint` / `resume` continue a run after a crash, `finish` ties the last fold to
//! `C_WT` and opens the accumulator.
//!
//! Run: `cargo run --release --example 04_folded_run [OUT.zkpot]`.

use rand::rngs::OsRng;
use zkpot::file::{Proof, ProofFile};
use zkpot::folding::run::{verify, FoldedKeys, Prover};
use zkpot::gkr::run::{key_len, KEY_LABEL};
use zkpot::gkr::step::StepShape;
use zkpot::pcs::pedersen::PedersenKey;
use zkpot::trainer::data::{load, DatasetSource};
use zkpot::trainer::{BatchSchedule, TrainSpec, Trainer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seed = 5;
    let split = load(&DatasetSource::Digits, 16, seed)?;
    let data = &split.train;

    // 64 inputs, 8 hidden, 10 classes; batch 8; 2 folds of k = 2 iterations.
    let mut spec = TrainSpec::new(vec![64, 8, 10], 8, 6, seed);
    spec.steps_per_fold = 2;
    spec.iterations = Some(4);
    let key = PedersenKey::setup(KEY_LABEL, key_len(&StepShape::new(&spec)?));
    let num_chunks = BatchSchedule::new(&spec, data.len()).num_chunks() as u64;
    let keys = FoldedKeys::generate(&key, &spec, num_chunks)?;
    println!(
        "IVC keys: the training circuit has {} constraints ({num_chunks} data chunks)",
        keys.pk.augmented_shape().num_constraints
    );

    let initial = Trainer::new(&spec, data)?.model().clone();
    let mut prover = Prover::new(&key, &keys, &spec, data, &initial, &mut OsRng)?;
    let report = prover.prove_fold()?;
    println!(
        "fold 0: step proof {:.2} s, folding {:.2} s",
        report.run.step.total.as_secs_f64(),
        report.ivc.as_secs_f64()
    );

    // A checkpoint (it holds secrets: keep it private), then a "crash".
    let dir = std::env::temp_dir().join(format!("zkpot-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("run.ckpt");
    prover.checkpoint(&path, "digits")?;
    drop(prover);

    let checkpoint = Prover::read_checkpoint(&path)?;
    let mut prover = Prover::resume(&key, &keys, &checkpoint, data, None)?;
    std::fs::remove_dir_all(&dir)?;
    println!(
        "resumed at fold {} of {}",
        prover.folds_done(),
        prover.total_folds()
    );
    while prover.folds_done() < prover.total_folds() {
        prover.prove_fold()?;
    }
    let (statement, proof, _wt_opening) = prover.finish()?;
    verify(&key, &keys, &statement, &proof)?;
    let file = ProofFile {
        statement,
        proof: Proof::Folded(proof),
    };
    println!(
        "verified; folded proof {} bytes (constant in the number of folds; not \
         zero-knowledge yet)",
        file.to_bytes()?.len()
    );
    if let Some(path) = std::env::args().nth(1) {
        file.write(path.as_ref())?;
        println!("written to {path} (check it with `zkpot verify {path}`)");
    }
    Ok(())
}
