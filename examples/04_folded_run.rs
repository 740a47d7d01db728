//! Prove a short training run on the embedded digits as one folded (IVC) proof with the
//! facade's API, with a checkpoint half-way, resume from it, verify the final proof, and
//! write a file that `zkpot verify` reads.
//!
//! The steps: the keys for the spec and the dataset (loaded from the key cache, or
//! derived and cached the first time), start the prover (it commits `C_data` and
//! `C_W0`), `prove_fold` trains, proves and folds `k` iterations at a time,
//! `checkpoint` / `resume` continue a run after a crash, `finish` ties the last fold to
//! `C_WT` and opens the accumulator.
//!
//! Run: `cargo run --release --example 04_folded_run [OUT.zkpot]`.

use zkpot::{CpuBackend, Dataset, Keys, ProofFile, ProofKind, Prover, TrainSpec, Verifier};

fn main() -> Result<(), zkpot::Error> {
    let data = Dataset::digits()?.select(&(0..480).collect::<Vec<_>>());

    // 64 inputs, 8 hidden, 10 classes; batch 8; 2 folds of k = 2 iterations.
    let mut spec = TrainSpec::new(vec![64, 8, 10], 8, 6, 5);
    spec.steps_per_fold = 2;
    spec.iterations = Some(4);
    let keys = Keys::new(&spec, &data, ProofKind::Folded)?;
    if let Some(ivc) = keys.folded_keys() {
        println!(
            "IVC keys: the training circuit has {} constraints",
            ivc.key.augmented_shape().num_constraints
        );
    }

    let mut prover = Prover::new(&keys, &spec, &data)?;
    let report = prover.prove_fold()?;
    println!(
        "fold 0: step proof {:.2} s, folding {:.2} s",
        report.run.step.total.as_secs_f64(),
        report.folding.unwrap_or_default().as_secs_f64()
    );

    // A checkpoint (it holds secrets: keep it private), then a "crash".
    let dir = std::env::temp_dir().join(format!("zkpot-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|source| zkpot::Error::Write {
        path: dir.clone(),
        source,
    })?;
    let path = dir.join("run.ckpt");
    prover.checkpoint(&path, "digits")?;
    drop(prover);

    let checkpoint = Prover::<CpuBackend>::read_checkpoint(&path)?;
    let mut prover = Prover::resume(&keys, &data, &checkpoint, None, CpuBackend)?;
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "resumed at fold {} of {}",
        prover.folds_done(),
        prover.total_folds()
    );
    while !prover.is_finished() {
        prover.prove_fold()?;
    }
    let (statement, proof) = prover.finish()?;
    Verifier::new(&keys).verify(&statement, &proof)?;
    let file = ProofFile { statement, proof };
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
