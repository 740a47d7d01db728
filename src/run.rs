//! A whole training run as `zkpot train` performs it: the fixed-point trainer and
//! the `f32` reference side by side on the same schedule, timed step by step, and (with
//! [`TrainOptions::prove`]) the run proof made fold by fold, verified and written.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rand::rngs::OsRng;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde::Serialize;
use zkpot_core::CpuBackend;
use zkpot_folding::run::{Checkpoint, FoldedKeys, Prover as FoldedProver};
use zkpot_gkr::run::{key_len, verify_run, ChunkedData, FoldReport, RunProver, KEY_LABEL};
use zkpot_gkr::step::StepShape;
use zkpot_pcs::cache::KeyCache;
use zkpot_pcs::pedersen::PedersenKey;
use zkpot_trainer::data::{load, DatasetSource, Split};
use zkpot_trainer::spec::{DEFAULT_FRAC_BITS, DEFAULT_STEPS_PER_FOLD, DEFAULT_VALUE_BITS};
use zkpot_trainer::train::mean;
use zkpot_trainer::{
    accuracy, BatchSchedule, Loss, Mlp, ReferenceTrainer, StepWitness, TrainSpec, Trainer,
};

use crate::error::Error;
use crate::file::{write_atomic, Proof, ProofFile, ProofKind};

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
    /// Which proof (with `prove`).
    pub proof: ProofMode,
    /// Write a checkpoint here after every fold (folded proofs).
    pub checkpoint: Option<PathBuf>,
    /// Continue the folded run checkpointed here (its spec and dataset come from the
    /// checkpoint; [`TrainOptions::iterations`] extends it; [`TrainOptions::dataset`]
    /// says where the same data is now, if it moved).
    pub resume: Option<PathBuf>,
    /// Draw the commitments' blinds from a ChaCha20 generator with this seed instead of
    /// the operating system's: reproducible runs for tests, **and no hiding at all** if
    /// the seed is known. `None` (the default) is the only safe choice.
    pub insecure_blind_seed: Option<u64>,
    /// Where to write the proof (with `prove`); nothing is written when `None`.
    pub out: Option<PathBuf>,
    /// The commitment-key cache folder (default [`KeyCache::default_dir`]).
    pub key_dir: Option<PathBuf>,
}

/// Which proof a proven run makes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum ProofMode {
    /// The folded proof (Nova + CycleFold): constant in the number of iterations.
    #[default]
    Folded,
    /// The run proof: one step proof per fold, grows with the number of iterations.
    Run,
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
    /// Iterations of the run (`T`).
    pub iterations: u64,
    /// The iteration a resumed run continued from (the losses and step times are of the
    /// iterations run here; absent for a run from the start).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resumed_at: Option<u64>,
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
    /// Whether a proof was made: `"folded proof"`, `"run proof"` or `"not proven"`.
    pub proving: &'static str,
    /// The proof's figures (absent without proving).
    #[serde(flatten)]
    pub proof: Option<ProofReport>,
}

/// The figures of a proven run (flattened into [`TrainReport`]).
#[derive(Clone, Debug, Serialize)]
pub struct ProofReport {
    /// The kind of proof.
    pub kind: ProofKind,
    /// Where the proof was written (if anywhere).
    pub proof_file: Option<PathBuf>,
    /// Number of folds, `T / k`.
    pub folds: u64,
    /// Folds proven by this command (fewer than `folds` for a resumed run).
    pub folds_proven_here: u64,
    /// Size of the proof file in bytes.
    pub proof_bytes: usize,
    /// All proving work of this command: committing the data, every fold (step proof,
    /// accumulation and, for a folded proof, the IVC step), the tie to `C_WT` and the
    /// opening. Not the keys nor the training itself.
    pub prove_seconds: f64,
    /// Seconds to commit the dataset's chunks (`C_data`; and `C_W0` for a folded proof).
    pub data_commit_seconds: f64,
    /// Median seconds of one fold (step proof, chunk check, accumulation, IVC step).
    pub fold_seconds: f64,
    /// Median seconds of one fold's step proof.
    pub step_proof_seconds: f64,
    /// Median seconds of one fold's accumulation.
    pub accumulate_seconds: f64,
    /// Median seconds of one fold's IVC step (folded proofs only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub folding_seconds: Option<f64>,
    /// Seconds of the tie to `C_WT` and the accumulator's opening (once per run).
    pub finish_seconds: f64,
    /// `fold_seconds / k`: the proving time per iteration, once the run is under way.
    pub prove_seconds_per_iteration: f64,
    /// `prove_seconds_per_iteration / f32_reference_step_seconds`.
    pub prove_ratio: f64,
    /// `prove_seconds` over the iterations proven here: everything, amortized.
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
    /// Seconds to generate the IVC keys (folded proofs only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ivc_keys_seconds: Option<f64>,
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
    /// Training starts at iteration `first` (0, or where a resumed run continues) of
    /// `total`.
    fn start(&mut self, first: u64, total: u64);
    /// Iteration `t` is done with batch loss `loss`.
    fn step(&mut self, t: u64, loss: f64);
    /// A fold was proven; `folding` is its IVC step's time (folded proofs).
    fn fold(&mut self, _report: &FoldReport, _folding: Option<Duration>) {}
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
    fn start(&mut self, _: u64, _: u64) {}
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
    Ok((source.clone(), load_source(&source, frac_bits, seed)?))
}

/// Loads and splits a dataset in fixed point with `frac_bits` and the split's `seed`.
fn load_source(source: &DatasetSource, frac_bits: u32, seed: u64) -> Result<Split, Error> {
    load(source, frac_bits, seed).map_err(|e| match (source, e) {
        (DatasetSource::Fashion(_), error @ zkpot_trainer::DataError::NotFound { .. }) => {
            Error::MissingDataset {
                error,
                hint: "Fashion-MNIST is a Debian package: apt-get install -y dataset-fashion-mnist",
            }
        }
        (_, e) => Error::Data(e),
    })
}

/// The per-iteration record of a run: the fixed-point step's time and loss, the `f32`
/// reference step on the same batch (timed), and the per-epoch mean losses.
struct Log {
    frac_bits: u32,
    per_epoch: u64,
    total: u64,
    fixed_times: Vec<f64>,
    ref_times: Vec<f64>,
    losses: Vec<f64>,
    ref_losses: Vec<f64>,
    epoch: Vec<f64>,
    epoch_ref: Vec<f64>,
}

impl Log {
    fn new(spec: &TrainSpec, per_epoch: u64, total: u64) -> Self {
        Log {
            frac_bits: spec.frac_bits,
            per_epoch,
            total,
            fixed_times: Vec::new(),
            ref_times: Vec::new(),
            losses: Vec::new(),
            ref_losses: Vec::new(),
            epoch: Vec::new(),
            epoch_ref: Vec::new(),
        }
    }

    /// Records iteration `t` (its witness and the time its step took) and runs the
    /// reference's step of the same batch.
    fn record(
        &mut self,
        t: u64,
        witness: &StepWitness,
        took: Duration,
        reference: &mut ReferenceTrainer,
        progress: &mut dyn Progress,
    ) {
        self.fixed_times.push(secs(took));
        let loss = witness.loss(self.frac_bits);
        let (x, y) = reference.batch(t);
        let start = Instant::now();
        let ref_loss = f64::from(reference.step_on(&x, &y));
        self.ref_times.push(secs(start.elapsed()));
        self.epoch.push(loss);
        self.epoch_ref.push(ref_loss);
        if (t + 1) % self.per_epoch == 0 || t + 1 == self.total {
            self.losses.push(mean(&self.epoch));
            self.ref_losses.push(mean(&self.epoch_ref));
            self.epoch.clear();
            self.epoch_ref.clear();
        }
        progress.step(t, loss);
    }
}

/// What a checkpoint's note records (JSON): where the data came from and the run's spec
/// (whose format and seed load the data again).
#[derive(Serialize, serde::Deserialize)]
struct CheckpointNote {
    dataset: String,
    spec: TrainSpec,
}

/// The keys of a proven run: the commitment key, and for a folded proof the IVC keys.
struct Keys {
    key: PedersenKey,
    derived: bool,
    seconds: f64,
    folded: Option<(FoldedKeys, f64)>,
}

impl Keys {
    /// Loads (or derives) the commitment key for `spec` and, for a folded proof, generates
    /// the IVC keys for `num_chunks` chunks.
    fn load(
        spec: &TrainSpec,
        num_chunks: u64,
        folded: bool,
        dir: Option<&PathBuf>,
        progress: &mut dyn Progress,
    ) -> Result<Self, Error> {
        let shape = StepShape::new(spec).map_err(zkpot_gkr::run::RunError::Shape)?;
        let t0 = Instant::now();
        let (key, derived) = run_key(&shape, dir, progress)?;
        let seconds = secs(t0.elapsed());
        let folded = if folded {
            Some(folded_keys(&key, spec, num_chunks, progress)?)
        } else {
            None
        };
        Ok(Keys {
            key,
            derived,
            seconds,
            folded,
        })
    }
}

/// Generates the IVC keys of folded runs of `spec` over `num_chunks` chunks, and the
/// seconds it took.
pub fn folded_keys(
    key: &PedersenKey,
    spec: &TrainSpec,
    num_chunks: u64,
    progress: &mut dyn Progress,
) -> Result<(FoldedKeys, f64), Error> {
    progress.phase("generating the IVC keys (the training circuit; deterministic, not cached)");
    let t0 = Instant::now();
    let keys = FoldedKeys::generate(key, spec, num_chunks)?;
    Ok((keys, secs(t0.elapsed())))
}

/// Loads the data, trains the fixed-point model and the `f32` reference side by
/// side (one step of each per iteration, timed separately), and evaluates both. With
/// [`TrainOptions::prove`], proves the run as it goes ([`TrainOptions::proof`]: the
/// folded proof, or the run proof), verifies the proof and writes it; with
/// [`TrainOptions::resume`], continues a checkpointed folded run instead.
pub fn train(opts: &TrainOptions, progress: &mut dyn Progress) -> Result<TrainReport, Error> {
    let start = Instant::now();
    let folded = opts.prove && opts.proof == ProofMode::Folded;
    if !folded && (opts.checkpoint.is_some() || opts.resume.is_some()) {
        return Err(Error::Usage {
            flag: "--checkpoint/--resume",
            reason: "checkpoints are of folded proofs (`--proof folded`, the default)".into(),
        });
    }
    let checkpoint = match &opts.resume {
        Some(path) => Some(read_checkpoint(path)?),
        None => None,
    };
    let (source, Split { train, test }) = match &checkpoint {
        Some((_, note)) => {
            let source = match &opts.dataset {
                Some(s) => s.clone(),
                None => note.dataset.parse::<DatasetSource>()?,
            };
            let split = load_source(&source, note.spec.frac_bits, note.spec.seed)?;
            (source, split)
        }
        None => load_split(opts)?,
    };

    // The spec (resolved), the trainer of a new run, and the keys.
    let (spec, trainer) = match &checkpoint {
        Some((_, note)) => {
            let mut spec = note.spec.clone();
            if let Some(t) = opts.iterations {
                spec.iterations = Some(t);
                spec.epochs = None;
            }
            (spec.resolve(train.len())?, None)
        }
        None => {
            let trainer = Trainer::new(
                &opts.build_spec(train.num_features(), train.num_classes()),
                &train,
            )?;
            (trainer.spec().clone(), Some(trainer))
        }
    };
    let num_chunks = BatchSchedule::new(&spec, train.len()).num_chunks() as u64;
    let keys = if opts.prove {
        Some(Keys::load(
            &spec,
            num_chunks,
            folded,
            opts.key_dir.as_ref(),
            progress,
        )?)
    } else {
        None
    };

    // The prover: folded (new or resumed), the run proof, or none.
    let mut rng = match opts.insecure_blind_seed {
        Some(seed) => ChaCha20Rng::seed_from_u64(seed),
        None => ChaCha20Rng::from_rng(OsRng).map_err(|e| Error::Usage {
            flag: "randomness",
            reason: format!("the operating system's generator failed: {e}"),
        })?,
    };
    let mut data_commit_seconds = 0.0;
    let mut prover = match (&keys, &checkpoint, trainer) {
        (
            Some(Keys {
                key,
                folded: Some((fk, _)),
                ..
            }),
            Some((ckpt, _)),
            _,
        ) => {
            progress.phase("resuming the checkpointed run");
            Driver::Folded(FoldedProver::resume(
                key,
                fk,
                ckpt,
                &train,
                opts.iterations,
            )?)
        }
        (
            Some(Keys {
                key,
                folded: Some((fk, _)),
                ..
            }),
            None,
            Some(trainer),
        ) => {
            progress.phase("committing to the dataset (C_data) and the model (C_W0)");
            let t0 = Instant::now();
            let p = FoldedProver::new(key, fk, &spec, &train, trainer.model(), &mut rng)?;
            data_commit_seconds = secs(t0.elapsed());
            Driver::Folded(p)
        }
        (
            Some(Keys {
                key, folded: None, ..
            }),
            None,
            Some(trainer),
        ) => {
            progress.phase("committing to the dataset (C_data)");
            let t0 = Instant::now();
            let data =
                ChunkedData::commit(key, &CpuBackend, &spec, &train, &mut rng, &mut |_, _| {})?;
            data_commit_seconds = secs(t0.elapsed());
            let prover = RunProver::new(key, CpuBackend, &spec, data, trainer.model(), &mut rng)?;
            Driver::Run(prover, trainer)
        }
        (None, None, Some(trainer)) => Driver::Plain(trainer),
        _ => {
            return Err(Error::Usage {
                flag: "--resume",
                reason: "only a folded proof (`--proof folded`) resumes from a checkpoint".into(),
            })
        }
    };
    let spec = prover.spec().clone();
    let first = prover.iteration();
    let total = spec.iterations.unwrap_or(0);
    let per_epoch = spec.iterations_per_epoch(train.len());
    let mut reference = ReferenceTrainer::new(&spec, &train, prover.model())?;
    let mut log = Log::new(&spec, per_epoch, total);
    let note = serde_json::to_string(&CheckpointNote {
        dataset: source.to_string(),
        spec: spec.clone(),
    })
    .unwrap_or_default();

    // Training (and proving, fold by fold).
    let mut folds: Vec<(FoldReport, Option<Duration>)> = Vec::new();
    progress.start(first, total);
    match &mut prover {
        Driver::Plain(trainer) => {
            while !trainer.is_finished() {
                let t = trainer.iteration();
                let t0 = Instant::now();
                let witness = trainer.step()?;
                log.record(t, &witness, t0.elapsed(), &mut reference, progress);
            }
        }
        Driver::Run(prover, trainer) => {
            let mut pending = Vec::with_capacity(spec.steps_per_fold);
            while !trainer.is_finished() {
                let t = trainer.iteration();
                let t0 = Instant::now();
                let witness = trainer.step()?;
                log.record(t, &witness, t0.elapsed(), &mut reference, progress);
                pending.push(witness);
                if pending.len() == spec.steps_per_fold {
                    let report = prover.prove_fold(&pending)?;
                    pending.clear();
                    progress.fold(&report, None);
                    folds.push((report, None));
                }
            }
        }
        Driver::Folded(prover) => {
            while prover.folds_done() < prover.total_folds() {
                let report = prover.prove_fold_observed(|t, witness, took| {
                    log.record(t, witness, took, &mut reference, progress)
                })?;
                progress.fold(&report.run, Some(report.ivc));
                folds.push((report.run, Some(report.ivc)));
                if let Some(path) = &opts.checkpoint {
                    prover.checkpoint(path, &note)?;
                }
            }
        }
    }
    progress.finish();

    let step_seconds = median(&mut log.fixed_times);
    let f32_reference_step_seconds = median(&mut log.ref_times);
    let test_accuracy = accuracy(&spec, prover.model(), &test)?;
    let proof = match (prover, &keys) {
        (Driver::Plain(_), _) | (_, None) => None,
        (driver, Some(keys)) => Some(finish(
            driver,
            keys,
            &folds,
            data_commit_seconds,
            f32_reference_step_seconds,
            opts,
            progress,
        )?),
    };

    let f32_reference_test_accuracy = reference.accuracy(&test);
    Ok(TrainReport {
        dataset: source.to_string(),
        train_samples: train.len(),
        test_samples: test.len(),
        iterations: total,
        resumed_at: checkpoint.is_some().then_some(first),
        iterations_per_epoch: per_epoch,
        spec,
        train_loss: log.losses,
        f32_reference_train_loss: log.ref_losses,
        test_accuracy,
        f32_reference_test_accuracy,
        seconds: start.elapsed().as_secs_f64(),
        step_seconds,
        f32_reference_step_seconds,
        step_ratio: step_seconds / f32_reference_step_seconds,
        proving: proof.as_ref().map_or("not proven", |p| p.kind.name()),
        proof,
    })
}

/// The trainer of a run, and its prover if it is proven.
#[allow(clippy::large_enum_variant)] // one per run
enum Driver<'a> {
    /// Training only.
    Plain(Trainer<'a>),
    /// The run proof: its prover is fed the trainer's witnesses.
    Run(RunProver<'a, CpuBackend>, Trainer<'a>),
    /// The folded proof: its prover trains.
    Folded(FoldedProver<'a>),
}

impl Driver<'_> {
    fn spec(&self) -> &TrainSpec {
        match self {
            Driver::Plain(t) | Driver::Run(_, t) => t.spec(),
            Driver::Folded(p) => p.spec(),
        }
    }

    fn model(&self) -> &Mlp {
        match self {
            Driver::Plain(t) | Driver::Run(_, t) => t.model(),
            Driver::Folded(p) => p.model(),
        }
    }

    fn iteration(&self) -> u64 {
        match self {
            Driver::Plain(t) | Driver::Run(_, t) => t.iteration(),
            Driver::Folded(p) => p.iteration(),
        }
    }
}

/// Reads a checkpoint and its note.
fn read_checkpoint(path: &Path) -> Result<(Checkpoint, CheckpointNote), Error> {
    let ckpt = FoldedProver::read_checkpoint(path)?;
    let note = serde_json::from_str(&ckpt.note).map_err(|e| Error::Usage {
        flag: "--resume",
        reason: format!(
            "{}: the checkpoint's note does not decode ({e})",
            path.display()
        ),
    })?;
    Ok((ckpt, note))
}

/// Ends a proven run: the tie and the opening, the proof verified and written; its
/// figures, with their ratios to the `f32` reference step (`f32_step` seconds).
fn finish(
    driver: Driver,
    keys: &Keys,
    folds: &[(FoldReport, Option<Duration>)],
    data_commit_seconds: f64,
    f32_step: f64,
    opts: &TrainOptions,
    progress: &mut dyn Progress,
) -> Result<ProofReport, Error> {
    progress.phase("tying the last fold to C_WT and opening the accumulator");
    let t0 = Instant::now();
    let file = match driver {
        Driver::Run(prover, _) => {
            let done = prover.finish()?;
            ProofFile {
                statement: done.statement,
                proof: Proof::Run(done.proof),
            }
        }
        Driver::Folded(prover) => {
            let (statement, proof, _) = prover.finish()?;
            ProofFile {
                statement,
                proof: Proof::Folded(proof),
            }
        }
        Driver::Plain(_) => {
            return Err(Error::Usage {
                flag: "--no-prove",
                reason: "an unproven run has no proof to finish".into(),
            })
        }
    };
    let finish_seconds = secs(t0.elapsed());
    progress.phase("verifying the proof");
    let t0 = Instant::now();
    verify_file(&keys.key, keys.folded.as_ref().map(|(k, _)| k), &file)?;
    let verify_seconds = secs(t0.elapsed());
    let bytes = file.to_bytes()?;
    if let Some(path) = &opts.out {
        write_atomic(path, &bytes)?;
    }
    let k = file.statement.spec.steps_per_fold as f64;
    let of = |f: fn(&FoldReport, Duration) -> Duration| -> Vec<f64> {
        folds
            .iter()
            .map(|(r, ivc)| secs(f(r, ivc.unwrap_or_default())))
            .collect()
    };
    let mut fold_secs = of(|r, ivc| r.total + ivc);
    let mut step_secs = of(|r, _| r.step.total);
    let mut acc_secs = of(|r, _| r.accumulate);
    let mut ivc_secs = of(|_, ivc| ivc);
    let prove_seconds = data_commit_seconds + fold_secs.iter().sum::<f64>() + finish_seconds;
    let fold_seconds = median(&mut fold_secs);
    let per_iteration = fold_seconds / k;
    let amortized = prove_seconds / (folds.len() as f64 * k).max(1.0);
    Ok(ProofReport {
        kind: file.kind(),
        proof_file: opts.out.clone(),
        folds: file.statement.folds(),
        folds_proven_here: folds.len() as u64,
        proof_bytes: bytes.len(),
        prove_seconds,
        data_commit_seconds,
        fold_seconds,
        step_proof_seconds: median(&mut step_secs),
        accumulate_seconds: median(&mut acc_secs),
        folding_seconds: keys.folded.as_ref().map(|_| median(&mut ivc_secs)),
        finish_seconds,
        prove_seconds_per_iteration: per_iteration,
        prove_ratio: per_iteration / f32_step,
        amortized_seconds_per_iteration: amortized,
        amortized_ratio: amortized / f32_step,
        verify_seconds,
        key_seconds: keys.seconds,
        key_derived: keys.derived,
        key_generators: keys.key.max_len(),
        ivc_keys_seconds: keys.folded.as_ref().map(|(_, s)| *s),
    })
}

/// Verifies a proof file of either kind: the run proof with the commitment key, the
/// folded proof with it and the IVC keys of its spec and chunk count (`folded`; they must
/// be [`FoldedKeys::generate`]'s).
pub fn verify_file(
    key: &PedersenKey,
    folded: Option<&FoldedKeys>,
    file: &ProofFile,
) -> Result<(), Error> {
    match (&file.proof, folded) {
        (Proof::Run(proof), _) => Ok(verify_run(key, &file.statement, proof)?),
        (Proof::Folded(proof), Some(keys)) => Ok(zkpot_folding::run::verify(
            key,
            keys,
            &file.statement,
            proof,
        )?),
        (Proof::Folded(_), None) => Err(Error::Usage {
            flag: "verify",
            reason: "a folded proof needs the IVC keys".into(),
        }),
    }
}
