//! What the proof benchmarks share: the MNIST training set (or random pixels of the same
//! shape when `../shared/datasets/mnist` is absent) and the median.

use std::path::Path;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use zkpot::trainer::data::{load, DatasetSource};
use zkpot::trainer::Dataset;

/// Where the MNIST files are looked for.
pub const MNIST: &str = "../shared/datasets/mnist";

/// The MNIST training set (`f = 16`, seed 1) and its name, or `fallback_rows` random
/// 784-pixel samples of 10 classes when the files are absent.
pub fn dataset(fallback_rows: usize) -> (Dataset, &'static str) {
    if Path::new(MNIST).exists() {
        let data = load(&DatasetSource::Mnist(MNIST.into()), 16, 1)
            .expect("MNIST loads")
            .train;
        (data, "MNIST")
    } else {
        eprintln!("note: {MNIST} not found, benchmarking on random pixels");
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let pixels: Vec<u8> = (0..fallback_rows * 784).map(|_| rng.gen()).collect();
        let labels = (0..fallback_rows).map(|i| (i % 10) as u8).collect();
        let data = Dataset::from_pixels("random", 784, 10, &pixels, 255, labels, 16)
            .expect("valid pixels");
        (data, "random pixels")
    }
}

/// The median (the upper one for an even count); sorts `v`.
pub fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}
