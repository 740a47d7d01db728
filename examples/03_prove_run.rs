//! Prove a whole (short) training run on the embedded digits with the run protocol's own
//! API (`zkpot::run`, under the `internals` feature: what the facade's `Prover` does for
//! a run proof), verify it, and write it to a proof file that `zkpot verify` reads.
//!
//! The steps: commit to the dataset's chunks (`C_data`), start a run prover from the
//! initial model (`C_W0`), hand it each fold's `k` witnesses as the trainer makes them,
//! finish (the tie to `C_WT` and the accumulator's opening), verify.
//!
//! Run: `cargo run --release --example 03_prove_run [OUT.zkpot]`.

use rand::rngs::OsRng;
use zkpot::core::CpuBackend;
use zkpot::gkr::step::StepShape;
use zkpot::pcs::{KzgKey, SchemeKey, Srs};
use zkpot::run::{run_num_vars, verify_run, ChunkedData, RunProver};
use zkpot::trainer::data::{load, DatasetSource};
use zkpot::trainer::{TrainSpec, Trainer};
use zkpot::{FinalProof, ProofFile};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seed = 5;
    let split = load(&DatasetSource::Digits, 16, seed)?;

    // 64 inputs, 16 hidden, 10 classes; batch 16; 3 folds of k = 4 iterations.
    let mut spec = TrainSpec::new(vec![64, 16, 10], 16, 7, seed);
    spec.steps_per_fold = 4;
    spec.iterations = Some(12);
    let shape = StepShape::new(&spec)?;

    // The run's key: HyperKZG on a development SRS of the run's power, sampled here (the
    // CLI caches the SRS in its key folder, or imports a ceremony's: `zkpot srs`).
    // Whoever knows tau can forge proofs: use a ceremony's SRS for proofs others trust.
    // `SchemeKey::from(PedersenKey::setup(KEY_LABEL, key_len(&shape)))` is the
    // transparent alternative.
    let srs = Srs::dev(run_num_vars(&shape) as u32, &mut OsRng);
    let key = SchemeKey::from(KzgKey::new(srs));
    let mut trainer = Trainer::new(&spec, &split.train)?;
    let data = ChunkedData::commit(
        &key,
        &CpuBackend,
        trainer.spec(),
        &split.train,
        &mut OsRng,
        &mut |_, _| {},
    )?;
    println!(
        "C_data: {} chunks of {} samples",
        data.num_chunks(),
        spec.steps_per_fold * spec.batch_size
    );
    let mut prover = RunProver::new(
        &key,
        CpuBackend,
        trainer.spec(),
        data,
        trainer.model(),
        &mut OsRng,
    )?;

    let mut fold = Vec::new();
    while !trainer.is_finished() {
        fold.push(trainer.step()?);
        if fold.len() == spec.steps_per_fold {
            let report = prover.prove_fold(&fold)?;
            println!(
                "fold {}: {:.2} s (step proof {:.2} s, accumulate {:.2} s), step proof {} bytes",
                report.fold,
                report.total.as_secs_f64(),
                report.step.total.as_secs_f64(),
                report.accumulate.as_secs_f64(),
                report.step_bytes
            );
            fold.clear();
        }
    }
    let done = prover.finish()?;
    println!(
        "tie to C_WT and opening: {:.2} s",
        done.finish.as_secs_f64()
    );

    // The verifier needs only a few points of the SRS.
    verify_run(&key.verifier_key(), &done.statement, &done.proof)?;
    let file = ProofFile {
        statement: done.statement,
        proof: FinalProof::Run(done.proof),
    };
    println!("verified; proof {} bytes", file.to_bytes()?.len());
    if let Some(path) = std::env::args().nth(1) {
        file.write(path.as_ref())?;
        println!("written to {path} (check it with `zkpot verify {path}`)");
    }
    Ok(())
}
