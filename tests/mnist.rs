//! The accuracy target of the fixed-point trainer on real MNIST: 784-128-10,
//! batch 64, frac_bits 16, MSE, 5 epochs. At least 95% test accuracy, and within
//! one point of the `f32` reference trained the same way. Takes about a minute,
//! so it is ignored by default; `.ci/run` runs it by name:
//! `cargo test --test mnist -- --ignored`.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use zkpot::session::{train, TrainOptions};
use zkpot::trainer::DatasetSource;
use zkpot::Silent;

const MNIST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/datasets/mnist");

#[test]
#[ignore = "trains 5 MNIST epochs (about a minute); run with --ignored"]
fn mnist_five_epochs_reaches_95_percent() {
    if !Path::new(MNIST).exists() {
        println!("skipping: ../shared/datasets/mnist not found");
        return;
    }
    let opts = TrainOptions {
        dataset: Some(DatasetSource::Mnist(MNIST.into())),
        arch: Some(vec![784, 128, 10]),
        batch: Some(64),
        epochs: Some(5),
        frac_bits: Some(16),
        ..TrainOptions::default()
    };
    let r = train(&opts, &mut Silent).expect("the run trains");
    println!(
        "fixed point {:.2}%, f32 {:.2}%, step ratio {:.2}x, losses {:?}",
        100.0 * r.test_accuracy,
        100.0 * r.f32_reference_test_accuracy,
        r.step_ratio,
        r.train_loss
    );
    assert_eq!(r.iterations, 5 * 59 * 16);
    assert!(r.test_accuracy >= 0.95, "{}", r.test_accuracy);
    assert!((r.test_accuracy - r.f32_reference_test_accuracy).abs() <= 0.01);
}
