//! Tests of the crate: the point gadgets, the CycleFold circuit, the toy step circuit on a
//! plain constraint system, and end-to-end IVC runs (completeness, soundness against
//! tampering and cheating provers, serialization, checkpoints, constraint counts).
//!
//! The key and an honest three-step run are computed once per test binary and shared.

mod circuits;
mod decider;
mod ivc;
mod toy;

use std::{
    sync::OnceLock,
    time::{Duration, Instant},
};

use ark_ec::{CurveGroup, PrimeGroup};
use ark_ff::UniformRand;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkpot_core::{Fr, G1Affine, G1};

use self::toy::{toy_initial_state, Toy};
use crate::{generate_keys, preprocess, IvcConfig, IvcKey, IvcProof, IvcProver};

/// A seeded rng.
pub(crate) fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// A random `G1` point.
pub(crate) fn random_point(rng: &mut ChaCha20Rng) -> G1Affine {
    (G1::generator() * Fr::rand(rng)).into_affine()
}

/// The key of the honest toy, generated once.
pub(crate) fn toy_key() -> &'static IvcKey {
    static KEY: OnceLock<IvcKey> = OnceLock::new();
    KEY.get_or_init(|| {
        let start = Instant::now();
        let config = IvcConfig::for_circuit(&Toy::HONEST).unwrap();
        let pp = preprocess(&config, rng(1)).unwrap();
        let (pk, _vk) = generate_keys(pp, &Toy::HONEST).unwrap();
        println!(
            "toy key: primary key length {}, keygen {:?}",
            config.primary_key_len,
            start.elapsed()
        );
        pk
    })
}

/// An honest run of the toy.
pub(crate) struct HonestRun {
    /// The external inputs of each step.
    pub inputs: Vec<[G1Affine; 2]>,
    /// The initial state.
    pub z0: Vec<Fr>,
    /// The proof after each step (`proofs[k]` after `k + 1` steps).
    pub proofs: Vec<IvcProof>,
    /// The time of each `prove_step`.
    pub step_times: Vec<Duration>,
}

/// The number of steps of the honest run.
pub(crate) const HONEST_STEPS: usize = 3;

/// The honest three-step run (from the point at infinity), computed once.
pub(crate) fn honest_run() -> &'static HonestRun {
    static RUN: OnceLock<HonestRun> = OnceLock::new();
    RUN.get_or_init(|| {
        let pk = toy_key();
        let mut r = rng(2);
        let inputs: Vec<[G1Affine; 2]> = (0..HONEST_STEPS)
            .map(|_| [random_point(&mut r), random_point(&mut r)])
            .collect();
        let z0 = toy_initial_state(&G1Affine::identity());
        let mut prover = IvcProver::new(pk, &Toy::HONEST, z0.clone()).unwrap();
        let mut proofs = vec![];
        let mut step_times = vec![];
        for ext in &inputs {
            let start = Instant::now();
            prover.prove_step(*ext, &mut r).unwrap();
            step_times.push(start.elapsed());
            proofs.push(prover.proof().clone());
        }
        HonestRun {
            inputs,
            z0,
            proofs,
            step_times,
        }
    })
}
