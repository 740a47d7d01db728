//! The README's "Using it from Rust" program, byte for byte after this header
//! (`tests/readme.rs` checks it): trains a short run on the embedded digits, proves it
//! as one compressed (zero-knowledge) proof, verifies it and prints `valid`.

use zkpot::{Dataset, Keys, ProofKind, Prover, TrainSpec, Verifier};

fn main() -> Result<(), zkpot::Error> {
    // The embedded 8x8 digits; your own data: Dataset::from_f32(name, features,
    // classes, &rows, labels, frac_bits).
    let data = Dataset::digits()?;

    // A 64-16-10 MLP, batch 8, learning rate 2^-6, seed 1; 2 folds of 4 iterations.
    let mut spec = TrainSpec::new(vec![64, 16, 10], 8, 6, 1);
    spec.steps_per_fold = 4;
    spec.iterations = Some(8);

    // The keys of this run's shape: derived and cached the first time (about a minute
    // here), loaded afterwards.
    let keys = Keys::new(&spec, &data, ProofKind::Compressed)?;

    // Train and prove, fold by fold; the blinds come from the operating system.
    let mut prover = Prover::new(&keys, &spec, &data)?;
    while !prover.is_finished() {
        let fold = prover.prove_fold()?;
        let secs = fold.proving().as_secs_f64();
        println!("fold {} proven in {secs:.1} s", fold.fold);
    }
    let (statement, proof) = prover.finish()?;

    // What an auditor runs, with the statement and the proof.
    Verifier::new(&keys).verify(&statement, &proof)?;
    println!("valid");
    Ok(())
}
