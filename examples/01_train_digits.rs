//! Train a small MLP on the embedded 8x8 digits in exact fixed point, check every
//! step's witness with the integer oracle, and compare with the `f32` reference.
//!
//! Run: `cargo run --release --example 01_train_digits`.

use zkpot::trainer::data::{load, DatasetSource};
use zkpot::trainer::{accuracy, check_witness, ReferenceTrainer, TrainSpec, Trainer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seed = 7;
    let split = load(&DatasetSource::Digits, 16, seed)?;

    // 64 inputs, one hidden layer of 32, 10 classes; batch 32; learning rate
    // 32 / 2^8 = 1/8 on the batch mean; 4 epochs.
    let mut spec = TrainSpec::new(vec![64, 32, 10], 32, 8, seed);
    spec.epochs = Some(4);

    let mut trainer = Trainer::new(&spec, &split.train)?;
    let spec = trainer.spec().clone();
    println!(
        "{} iterations, spec digest {}",
        trainer.total_iterations(),
        spec.digest()?
    );
    let mut reference = ReferenceTrainer::new(&spec, &split.train, trainer.model())?;
    while !trainer.is_finished() {
        let witness = trainer.step()?;
        check_witness(&spec, &witness)?;
        reference.step();
    }
    println!(
        "test accuracy: fixed point {:.2}%, f32 reference {:.2}%",
        100.0 * accuracy(&spec, trainer.model(), &split.test)?,
        100.0 * reference.accuracy(&split.test)
    );
    Ok(())
}
