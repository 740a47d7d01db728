//! A whole training run as `zkpot train` performs it: the fixed-point trainer and
//! the `f32` reference side by side on the same schedule, timed step by step, and (with
//! [`TrainOptions::prove`]) the run proof made fold by fold, verified and written.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use rand::rngs::OsRng;
use serde::Serialize;
use zkpot_core::CpuBackend;
use zkpot_gkr::run::{key_len, verify_run, ChunkedData, FoldReport, RunProver, KEY_LABEL};
use zkpot_gkr::step::StepShape;
use zkpot_pcs::cache::KeyCache;
use zkpot_pcs::pedersen::PedersenKey;
use zkpot_trainer::data::{load, DatasetSource, Split};
use zkpot_trainer::spec::{DEFAULT_FRAC_BITS, DEFAULT_STEPS_PER_FOLD, DEFAULT_VALUE_BITS};
use zkpot_trainer::train::mean;
use zkpot_trainer::{accuracy, Loss, ReferenceTrainer, TrainSpec, Trainer};

use crate::error::Error;
use crate::file::ProofFile;

/// Default number of iterations when neither iterations nor epochs are given.
pub const DEFAULT_ITERATIONS: u64 = 64;
/// Default batch size.
pub const DEFAULT_BATCH: usize = 64;
/// Default seed.
pub const DEFAULT_SEED: u64 = 1;
/// The default learning rate on the batch mean is `2^-LR_MEAN_SHIFT`
/// (`lr_shift = ceil(log2(batch)) + LR_MEAN_SHIFT`).
pub const LR_MEAN_SHIFT: u32 = 3;

/// What a run is asked to do: every field overrides the spec file's value.
#[derive(Clone, Debug, Default)]
pub struct TrainOptions {
    /// Where the data comes from (default: the embedded digits).
    pub dataset: Option<DatasetSource>,
    /// A base spec (e.g. read from `--spec FILE`).
    pub spec: Option<TrainSpec>,
    /// Layer widths.
    pub arch: Option<Vec<usize>>,
    /// Batch size.
    pub batch: Option<usize>,
    /// Run length in iterations.
    pub iterations: Option<u64>,
    /// Run length in epochs.
    pub epochs: Option<u32>,
    /// Iterations per fold.
    pub steps_per_fold: Option<usize>,
    /// Fractional bits.
    pub frac_bits: Option<u32>,
    /// Value bound.
    pub value_bits: Option<u32>,
    /// Learning-rate shift.
    pub lr_shift: Option<u32>,
    /// Seed.
    pub seed: Option<u64>,
    /// Prove the run (and verify the proof) while training.
    pub prove: bool,
    /// Where to write the proof (with `prove`); nothing is written when `None`.
    pub out: Option<PathBuf>,
    /// The commitment-key cache folder (default [`KeyCache::default_dir`]).
    pub key_dir: Option<PathBuf>,
}

/// Parses an architecture such as `784-128-10`.
pub fn parse_arch(s: &str) -> Result<Vec<usize>, Error> {
    let widths: Result<Vec<usize>, _> = s.split('-').map(|w| w.trim().parse::<usize>()).collect();
    match widths {
        Ok(w) if w.len() >= 2 && w.iter().all(|&x| x > 0) => Ok(w),
        _ => Err(Error::Usage {
            flag: "--arch",
            reason: format!("`{s}` is not a list of at least two positive widths like 784-128-10"),
        }),
    }
}

/// `ceil(log2(n))`.
fn ceil_log2(n: usize) -> u32 {
    n.max(1).next_power_of_two().trailing_zeros()
}

impl TrainOptions {
    /// The spec these options describe for a dataset of `features` inputs and
    /// `classes` outputs (not yet resolved against the dataset size).
    pub fn build_spec(&self, features: usize, classes: usize) -> TrainSpec {
        let base = self.spec.clone();
        let batch = self
            .batch
            .or(base.as_ref().map(|s| s.batch_size))
            .unwrap_or(DEFAULT_BATCH);
        let hidden = if features <= 100 { 32 } else { 128 };
        let mut spec = base.unwrap_or_else(|| TrainSpec {
            layers: vec![features, hidden, classes],
            frac_bits: DEFAULT_FRAC_BITS,
            value_bits: DEFAULT_VALUE_BITS,
            loss: Loss::Mse,
            lr_shift: ceil_log2(batch) + LR_MEAN_SHIFT,
            batch_size: batch,
            steps_per_fold: DEFAULT_STEPS_PER_FOLD,
            seed: DEFAULT_SEED,
            iterations: None,
            epochs: None,
        });
        spec.batch_size = batch;
        if let Some(a) = &self.arch {
            spec.layers = a.clone();
        }
        if let Some(v) = self.steps_per_fold {
            spec.steps_per_fold = v;
        }
        if let Some(v) = self.frac_bits {
            spec.frac_bits = v;
        }
        if let Some(v) = self.value_bits {
            spec.value_bits = v;
        }
        // Without an explicit shift, a spec file keeps its own unless the batch
        // changes; otherwise the default rate on the batch mean applies.
        let batch_changed = self.spec.as_ref().map(|s| s.batch_size) != Some(batch);
        spec.lr_shift = match self.lr_shift {
            Some(v) => v,
            None if batch_changed => ceil_log2(batch) + LR_MEAN_SHIFT,
            None => spec.lr_shift,
        };
        if let Some(v) = self.seed {
            spec.seed = v;
        }
        match (self.iterations, self.epochs) {
            (Some(t), _) => {
                spec.iterations = Some(t);
                spec.epochs = None;
            }
            (None, Some(e)) => {
                spec.iterations = None;
                spec.epochs = Some(e);
            }
            (None, None) if spec.iterations.is_none() && spec.epochs.is_none() => {
                spec.iterations = Some(DEFAULT_ITERATIONS);
            }
            _ => {}
        }
        spec
    }
}

/// What `zkpot train --report` writes.
#[derive(Clone, Debug, Serialize)]
pub struct TrainReport {
    /// The dataset source.
    pub dataset: String,
    /// Training and test set sizes.
    pub train_samples: usize,
    /// Test set size.
    pub test_samples: usize,
    /// The resolved spec.
    pub spec: TrainSpec,
    /// Iterations run.
    pub iterations: u64,
    /// Iterations per epoch (one pass over all chunks).
    pub iterations_per_epoch: u64,
    /// Mean batch loss of each (possibly partial) epoch, fixed point.
    pub train_loss: Vec<f64>,
    /// The same for the `f32` reference.
    pub f32_reference_train_loss: Vec<f64>,
    /// Test accuracy of the fixed-point model, in `[0, 1]`.
    pub test_accuracy: f64,
    /// Test accuracy of the `f32` reference, in `[0, 1]`.
    pub f32_reference_test_accuracy: f64,
    /// Wall-clock seconds of the whole command (loading, training, evaluating).
    pub seconds: f64,
    /// Median seconds of one fixed-point training step (with its full witness).
    pub step_seconds: f64,
    /// Median seconds of one `f32` reference step, measured in the same run.
    pub f32_reference_step_seconds: f64,
    /// `step_seconds / f32_reference_step_seconds`.
    pub step_ratio: f64,
    /// Whether a proof was made: `"run proof"` or `"not proven"`.
    pub proving: &'static str,
    /// The proof's figures (absent without proving).
    #[serde(flatten)]
    pub proof: Option<ProofReport>,
}

/// The figures of a proven run (flattened into [`TrainReport`]).
#[derive(Clone, Debug, Serialize)]
pub struct ProofReport {
    /// Where the proof was written (if anywhere).
    pub proof_file: Option<PathBuf>,
    /// Number of folds, `T / k`.
    pub folds: u64,
    /// Size of the proof file in bytes.
    pub proof_bytes: usize,
    /// All proving work: committing the data, every fold (step proof and accumulation),
    /// the tie to `C_WT` and the opening. Not the key (cached) nor the training itself.
    pub prove_seconds: f64,
    /// Seconds to commit the dataset's chunks (`C_data`).
    pub data_commit_seconds: f64,
    /// Median seconds of one fold (step proof, chunk check, accumulation).
    pub fold_seconds: f64,
    /// Median seconds of one fold's step proof.
    pub step_proof_seconds: f64,
    /// Median seconds of one fold's accumulation.
    pub accumulate_seconds: f64,
    /// Seconds of the tie to `C_WT` and the accumulator's opening (once per run).
    pub finish_seconds: f64,
    /// `fold_seconds / k`: the proving time per iteration, once the run is under way.
    pub prove_seconds_per_iteration: f64,
    /// `prove_seconds_per_iteration / f32_reference_step_seconds`.
    pub prove_ratio: f64,
    /// `prove_seconds / T`: everything, amortized over this run's iterations.
    pub amortized_seconds_per_iteration: f64,
    /// `amortized_seconds_per_iteration / f32_reference_step_seconds`.
    pub amortized_ratio: f64,
    /// Seconds to verify the proof.
    pub verify_seconds: f64,
    /// Seconds to load (or derive) the commitment key.
    pub key_seconds: f64,
    /// Whether the key had to be derived (it was not cached).
    pub key_derived: bool,
    /// The key's number of generators.
    pub key_generators: usize,
}

fn median(xs: &mut [f64]) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    xs.sort_by(|a, b| a.total_cmp(b));
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

/// Progress callbacks of a run.
pub trait Progress {
    /// Training starts: `total` iterations.
    fn start(&mut self, total: u64);
    /// Iteration `t` is done with batch loss `loss`.
    fn step(&mut self, t: u64, loss: f64);
    /// A fold was proven.
    fn fold(&mut self, _report: &FoldReport) {}
    /// A phase outside training starts (deriving the key, committing the data, ...).
    fn phase(&mut self, _what: &str) {}
    /// Training is done.
    fn finish(&mut self);
    /// Deriving a commitment key of `total` generators starts; the returned callback
    /// is called (from any thread) with the number derived so far.
    fn key_started(&mut self, _total: usize) -> Box<dyn Fn(usize) + Sync> {
        Box::new(|_| {})
    }
}

/// No progress output.
pub struct Silent;

impl Progress for Silent {
    fn start(&mut self, _: u64) {}
    fn step(&mut self, _: u64, _: f64) {}
    fn finish(&mut self) {}
}

/// The key cache in `dir`, or the default one ([`KeyCache::from_env`]).
pub fn key_cache(dir: Option<&PathBuf>) -> KeyCache {
    dir.map_or_else(KeyCache::from_env, KeyCache::new)
}

/// Loads the run key for `shape` from the cache in `dir` (default
/// [`KeyCache::default_dir`]), deriving and caching it on first use. Returns the key
/// and whether it was derived.
pub fn run_key(
    shape: &StepShape,
    dir: Option<&PathBuf>,
    progress: &mut dyn Progress,
) -> Result<(PedersenKey, bool), Error> {
    let cache = key_cache(dir);
    let len = key_len(shape);
    if let Some(key) = cache.load(KEY_LABEL, len)? {
        return Ok((key, false));
    }
    progress.phase(&format!(
        "deriving the commitment key ({len} generators, once; cached in {})",
        cache.dir().display()
    ));
    let report = progress.key_started(len);
    let (key, derived) = cache.load_or_setup(KEY_LABEL, len, &*report)?;
    Ok((key, derived))
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// The dataset the options name (default: the embedded digits), split into training and
/// test sets with the options' seed and fixed-point format.
pub fn load_split(opts: &TrainOptions) -> Result<(DatasetSource, Split), Error> {
    let source = opts.dataset.clone().unwrap_or(DatasetSource::Digits);
    let frac_bits = opts
        .frac_bits
        .or(opts.spec.as_ref().map(|s| s.frac_bits))
        .unwrap_or(DEFAULT_FRAC_BITS);
    let seed = opts
        .seed
        .or(opts.spec.as_ref().map(|s| s.seed))
        .unwrap_or(DEFAULT_SEED);
    let split = load(&source, frac_bits, seed).map_err(|e| match (&source, e) {
        (DatasetSource::Fashion(_), error @ zkpot_trainer::DataError::NotFound { .. }) => {
            Error::MissingDataset {
                error,
                hint: "Fashion-MNIST is a Debian package: apt-get install -y dataset-fashion-mnist",
            }
        }
        (_, e) => Error::Data(e),
    })?;
    Ok((source, split))
}

/// Loads the data, trains the fixed-point model and the `f32` reference side by
/// side (one step of each per iteration, timed separately), and evaluates both.
pub fn train(opts: &TrainOptions, progress: &mut dyn Progress) -> Result<TrainReport, Error> {
    let start = Instant::now();
    let (source, Split { train, test }) = load_split(opts)?;
    let spec = opts.build_spec(train.num_features(), train.num_classes());
    let mut trainer = Trainer::new(&spec, &train)?;
    let spec = trainer.spec().clone();
    let mut reference = ReferenceTrainer::new(&spec, &train, trainer.model())?;
    let total = trainer.total_iterations();
    let per_epoch = spec.iterations_per_epoch(train.len());

    // Proving: the key, C_data, then one fold per k iterations.
    let mut proving = None;
    let mut key_seconds = 0.0;
    let mut key_derived = false;
    let mut data_commit_seconds = 0.0;
    let key = if opts.prove {
        let shape = StepShape::new(&spec).map_err(zkpot_gkr::run::RunError::Shape)?;
        let t0 = Instant::now();
        let (key, derived) = run_key(&shape, opts.key_dir.as_ref(), progress)?;
        key_seconds = secs(t0.elapsed());
        key_derived = derived;
        Some(key)
    } else {
        None
    };
    if let Some(key) = &key {
        progress.phase("committing to the dataset (C_data)");
        let t0 = Instant::now();
        let data =
            ChunkedData::commit(key, &CpuBackend, &spec, &train, &mut OsRng, &mut |_, _| {})?;
        data_commit_seconds = secs(t0.elapsed());
        proving = Some(RunProver::new(
            key,
            CpuBackend,
            &spec,
            data,
            trainer.model(),
            &mut OsRng,
        )?);
    }

    let mut fixed_times = Vec::with_capacity(total as usize);
    let mut ref_times = Vec::with_capacity(total as usize);
    let (mut losses, mut ref_losses) = (Vec::new(), Vec::new());
    let (mut epoch_losses, mut epoch_ref_losses) = (Vec::new(), Vec::new());
    let mut pending = Vec::with_capacity(spec.steps_per_fold);
    let mut folds: Vec<FoldReport> = Vec::new();
    progress.start(total);
    while !trainer.is_finished() {
        let t = trainer.iteration();
        let t0 = Instant::now();
        let witness = trainer.step()?;
        fixed_times.push(t0.elapsed().as_secs_f64());
        let loss = witness.loss(spec.frac_bits);
        if let Some(prover) = proving.as_mut() {
            pending.push(witness);
            if pending.len() == spec.steps_per_fold {
                let report = prover.prove_fold(&pending)?;
                pending.clear();
                progress.fold(&report);
                folds.push(report);
            }
        } else {
            drop(witness);
        }
        let t1 = Instant::now();
        let ref_loss = f64::from(reference.step());
        ref_times.push(t1.elapsed().as_secs_f64());
        epoch_losses.push(loss);
        epoch_ref_losses.push(ref_loss);
        if (t + 1) % per_epoch == 0 || t + 1 == total {
            losses.push(mean(&epoch_losses));
            ref_losses.push(mean(&epoch_ref_losses));
            epoch_losses.clear();
            epoch_ref_losses.clear();
        }
        progress.step(t, loss);
    }
    progress.finish();

    let step_seconds = median(&mut fixed_times);
    let f32_reference_step_seconds = median(&mut ref_times);
    let mut proof = None;
    if let (Some(prover), Some(key)) = (proving, &key) {
        progress.phase("tying the last fold to C_WT and opening the accumulator");
        let done = prover.finish()?;
        let file = ProofFile {
            statement: done.statement,
            proof: done.proof,
        };
        progress.phase("verifying the proof");
        let t0 = Instant::now();
        verify_run(key, &file.statement, &file.proof)?;
        let verify_seconds = secs(t0.elapsed());
        if let Some(path) = &opts.out {
            file.write(path)?;
        }
        let k = spec.steps_per_fold as f64;
        let mut fold_secs: Vec<f64> = folds.iter().map(|f| secs(f.total)).collect();
        let mut step_secs: Vec<f64> = folds.iter().map(|f| secs(f.step.total)).collect();
        let mut acc_secs: Vec<f64> = folds.iter().map(|f| secs(f.accumulate)).collect();
        let finish_seconds = secs(done.finish);
        let prove_seconds = data_commit_seconds + fold_secs.iter().sum::<f64>() + finish_seconds;
        let fold_seconds = median(&mut fold_secs);
        let per_iteration = fold_seconds / k;
        let amortized = prove_seconds / total.max(1) as f64;
        proof = Some(ProofReport {
            proof_file: opts.out.clone(),
            folds: folds.len() as u64,
            proof_bytes: file.to_bytes().len(),
            prove_seconds,
            data_commit_seconds,
            fold_seconds,
            step_proof_seconds: median(&mut step_secs),
            accumulate_seconds: median(&mut acc_secs),
            finish_seconds,
            prove_seconds_per_iteration: per_iteration,
            prove_ratio: per_iteration / f32_reference_step_seconds,
            amortized_seconds_per_iteration: amortized,
            amortized_ratio: amortized / f32_reference_step_seconds,
            verify_seconds,
            key_seconds,
            key_derived,
            key_generators: key.max_len(),
        });
    }

    let test_accuracy = accuracy(&spec, trainer.model(), &test)?;
    let f32_reference_test_accuracy = reference.accuracy(&test);
    Ok(TrainReport {
        dataset: source.to_string(),
        train_samples: train.len(),
        test_samples: test.len(),
        iterations: total,
        iterations_per_epoch: per_epoch,
        spec,
        train_loss: losses,
        f32_reference_train_loss: ref_losses,
        test_accuracy,
        f32_reference_test_accuracy,
        seconds: start.elapsed().as_secs_f64(),
        step_seconds,
        f32_reference_step_seconds,
        step_ratio: step_seconds / f32_reference_step_seconds,
        proving: if proof.is_some() {
            "run proof"
        } else {
            "not proven"
        },
        proof,
    })
}
