//! A whole training run as `zkpot train` performs it (the command line only parses flags
//! and draws): the fixed-point trainer and the `f32` reference side by side on the same
//! schedule, timed step by step, and (with [`TrainOptions::prove`]) the proof made fold by
//! fold by the [`Prover`], verified and written, with a [`TrainReport`]. [`train`] reads
//! as its four steps: load the data (or a checkpoint), plan the run (spec, keys, prover),
//! the training loop, and the finish.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rand::rngs::OsRng;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde::Serialize;
use zkpot_core::CpuBackend;
use zkpot_pcs::PcsKind;
use zkpot_trainer::data::{load, DatasetSource, Split};
use zkpot_trainer::spec::{DEFAULT_FRAC_BITS, DEFAULT_STEPS_PER_FOLD, DEFAULT_VALUE_BITS};
use zkpot_trainer::train::mean;
use zkpot_trainer::{
    accuracy, BatchSchedule, Dataset, Loss, Mlp, ReferenceTrainer, StepWitness, TrainSpec, Trainer,
};

use crate::error::Error;
use crate::keys::{KeySource, KeyStore, Keys};
use crate::progress::Progress;
use crate::proof::{ProofFile, ProofKind};
use crate::prover::{Checkpoint, FoldReport, Prover};
use crate::verifier::Verifier;

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
    pub proof: ProofKind,
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
    /// The key cache folder (default [`zkpot_pcs::cache::KeyCache::default_dir`]).
    pub key_dir: Option<PathBuf>,
    /// The commitment scheme (HyperKZG by default; a resumed run keeps its
    /// checkpoint's, and errors if this names another).
    pub pcs: PcsKind,
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
    /// Whether a proof was made: `"compressed proof"`, `"folded proof"`, `"run proof"` or
    /// `"not proven"`.
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
    /// Seconds of the tie to `C_WT` and the accumulator's opening, and for a compressed
    /// proof the decider (once per run).
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
    /// Of which: the folds (every step proof, or the IVC proof).
    pub verify_folds_seconds: f64,
    /// Of which: the end of the run (the tie to `C_WT` and the accumulator's opening).
    pub verify_finish_seconds: f64,
    /// Seconds to load (or derive) the commitment key.
    pub key_seconds: f64,
    /// Whether the key had to be derived (it was not cached; for HyperKZG: a development
    /// SRS was sampled).
    pub key_derived: bool,
    /// The commitment scheme: `"kzg"` or `"pedersen"`.
    pub pcs: &'static str,
    /// The digest of the commitment key the statement binds (hex).
    pub setup_digest: String,
    /// Where the SRS comes from (HyperKZG): a ceremony file's hash, or a development SRS
    /// (whoever sampled `tau` can forge proofs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub srs: Option<String>,
    /// The key's number of generators.
    pub key_generators: usize,
    /// Seconds to load or generate the IVC keys (folded proofs only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ivc_keys_seconds: Option<f64>,
    /// Whether the IVC keys had to be generated (folded proofs only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ivc_keys_derived: Option<bool>,
    /// Seconds to derive the decider's key from the IVC keys (compressed proofs only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decider_key_seconds: Option<f64>,
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

/// The keys of a run's spec from the cache in `dir` (or the default one), derived and
/// cached when missing: what `zkpot train` and `zkpot setup` use.
pub fn run_keys(
    spec: &TrainSpec,
    num_chunks: u64,
    kind: ProofKind,
    pcs: PcsKind,
    dir: Option<&PathBuf>,
    progress: &mut dyn Progress,
) -> Result<Keys, Error> {
    let store = dir.map_or_else(KeyStore::default, KeyStore::new).pcs(pcs);
    Keys::load(&store, spec, num_chunks, kind, progress)
}

/// What [`load_run`] found: the data, and the checkpoint a resumed run continues.
struct Loaded {
    source: DatasetSource,
    split: Split,
    checkpoint: Option<(Checkpoint, CheckpointNote)>,
}

/// Step 1: the data the options name, or the checkpoint to resume and its data.
fn load_run(opts: &TrainOptions) -> Result<Loaded, Error> {
    let checkpoint = match &opts.resume {
        Some(path) => Some(read_checkpoint(path)?),
        None => None,
    };
    let (source, split) = match &checkpoint {
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
    Ok(Loaded {
        source,
        split,
        checkpoint,
    })
}

/// Step 2: the resolved spec of the run (the checkpoint's, possibly extended, or the
/// options'), its number of data chunks, and the keys if it is proven.
fn plan_run(
    opts: &TrainOptions,
    loaded: &Loaded,
    progress: &mut dyn Progress,
) -> Result<(TrainSpec, Option<Keys>), Error> {
    let train = &loaded.split.train;
    let spec = match &loaded.checkpoint {
        Some((ckpt, note)) => {
            if !opts.prove || ckpt.kind.checkpoint_file() != opts.proof.checkpoint_file() {
                return Err(Error::Usage {
                    flag: "--resume",
                    reason: format!(
                        "the checkpoint continues a {}; run `zkpot train --resume` with \
                         `--proof {}`",
                        ckpt.kind.name(),
                        ckpt.kind
                    ),
                });
            }
            let mut spec = note.spec.clone();
            if let Some(t) = opts.iterations {
                spec.iterations = Some(t);
                spec.epochs = None;
            }
            spec.resolve(train.len())?
        }
        None => opts
            .build_spec(train.num_features(), train.num_classes())
            .resolve(train.len())?,
    };
    let keys = if opts.prove {
        let num_chunks = BatchSchedule::new(&spec, train.len()).num_chunks() as u64;
        Some(run_keys(
            &spec,
            num_chunks,
            opts.proof,
            opts.pcs,
            opts.key_dir.as_ref(),
            progress,
        )?)
    } else {
        None
    };
    Ok((spec, keys))
}

/// The trainer of a run, or its prover if it is proven.
#[allow(clippy::large_enum_variant)] // one per run
enum Driver<'a> {
    /// Training only.
    Plain(Trainer<'a>),
    /// Training and proving.
    Proven(Prover<'a>),
}

impl Driver<'_> {
    fn spec(&self) -> &TrainSpec {
        match self {
            Driver::Plain(t) => t.spec(),
            Driver::Proven(p) => p.spec(),
        }
    }

    fn model(&self) -> &Mlp {
        match self {
            Driver::Plain(t) => t.model(),
            Driver::Proven(p) => p.model(),
        }
    }

    fn iteration(&self) -> u64 {
        match self {
            Driver::Plain(t) => t.iteration(),
            Driver::Proven(p) => p.iteration(),
        }
    }
}

/// Loads the data, trains the fixed-point model and the `f32` reference side by
/// side (one step of each per iteration, timed separately), and evaluates both. With
/// [`TrainOptions::prove`], proves the run as it goes ([`TrainOptions::proof`]: the
/// folded proof, or the run proof), verifies the proof and writes it; with
/// [`TrainOptions::resume`], continues a checkpointed run instead.
pub fn train(opts: &TrainOptions, progress: &mut dyn Progress) -> Result<TrainReport, Error> {
    let start = Instant::now();
    if !opts.prove && (opts.checkpoint.is_some() || opts.resume.is_some()) {
        return Err(Error::Usage {
            flag: "--checkpoint/--resume",
            reason: "checkpoints are of proven runs (not with --no-prove)".into(),
        });
    }
    let loaded = load_run(opts)?;
    let (spec, keys) = plan_run(opts, &loaded, progress)?;
    let train = &loaded.split.train;

    let (mut driver, data_commit_seconds) =
        start_driver(opts, &spec, &loaded, keys.as_ref(), progress)?;
    let first = driver.iteration();
    let total = spec.iterations.unwrap_or(0);
    let per_epoch = spec.iterations_per_epoch(train.len());
    let mut reference = ReferenceTrainer::new(&spec, train, driver.model())?;
    let mut log = Log::new(&spec, per_epoch, total);
    let note = serde_json::to_string(&CheckpointNote {
        dataset: loaded.source.to_string(),
        spec: spec.clone(),
    })
    .map_err(Error::CheckpointNote)?;

    // The training loop (proving fold by fold).
    progress.start(first, total);
    let folds = training_loop(&mut driver, opts, &note, &mut log, &mut reference, progress)?;
    progress.finish();

    let step_seconds = median(&mut log.fixed_times);
    let f32_reference_step_seconds = median(&mut log.ref_times);
    let test_accuracy = accuracy(&spec, driver.model(), &loaded.split.test)?;
    let spec = driver.spec().clone();
    let proof = match (driver, &keys) {
        (Driver::Proven(prover), Some(keys)) => Some(finish_run(
            prover,
            keys,
            &folds,
            data_commit_seconds,
            f32_reference_step_seconds,
            opts,
            progress,
        )?),
        _ => None,
    };

    let f32_reference_test_accuracy = reference.accuracy(&loaded.split.test);
    Ok(TrainReport {
        dataset: loaded.source.to_string(),
        train_samples: train.len(),
        test_samples: loaded.split.test.len(),
        iterations: total,
        resumed_at: loaded.checkpoint.is_some().then_some(first),
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

/// The driver of a run: plain training, a new proven run (committing the data and the
/// initial model: the seconds it took), or a resumed one.
fn start_driver<'a>(
    opts: &TrainOptions,
    spec: &TrainSpec,
    loaded: &'a Loaded,
    keys: Option<&'a Keys>,
    progress: &mut dyn Progress,
) -> Result<(Driver<'a>, f64), Error> {
    let train = &loaded.split.train;
    Ok(match (keys, &loaded.checkpoint) {
        (None, _) => (Driver::Plain(Trainer::new(spec, train)?), 0.0),
        (Some(keys), Some((ckpt, _))) => {
            progress.phase("resuming the checkpointed run");
            let prover = Prover::resume(keys, train, ckpt, opts.iterations, CpuBackend)?;
            (Driver::Proven(prover), 0.0)
        }
        (Some(keys), None) => {
            progress.phase("committing to the dataset (C_data) and the model (C_W0)");
            let t0 = Instant::now();
            let initial = Mlp::init(spec)?;
            let prover = match opts.insecure_blind_seed {
                Some(seed) => {
                    let mut rng = ChaCha20Rng::seed_from_u64(seed);
                    Prover::with_model(keys, spec, train, &initial, CpuBackend, &mut rng)?
                }
                None => {
                    let mut rng = ChaCha20Rng::from_rng(OsRng).map_err(Error::Randomness)?;
                    Prover::with_model(keys, spec, train, &initial, CpuBackend, &mut rng)?
                }
            };
            (Driver::Proven(prover), secs(t0.elapsed()))
        }
    })
}

/// Step 3: trains to the end (one step of the reference per iteration), proving each
/// fold and writing a checkpoint after it if asked; returns the folds' reports.
fn training_loop(
    driver: &mut Driver,
    opts: &TrainOptions,
    note: &str,
    log: &mut Log,
    reference: &mut ReferenceTrainer,
    progress: &mut dyn Progress,
) -> Result<Vec<FoldReport>, Error> {
    let mut folds = Vec::new();
    match driver {
        Driver::Plain(trainer) => {
            while !trainer.is_finished() {
                let t = trainer.iteration();
                let t0 = Instant::now();
                let witness = trainer.step()?;
                log.record(t, &witness, t0.elapsed(), reference, progress);
            }
        }
        Driver::Proven(prover) => {
            while !prover.is_finished() {
                let report = prover.prove_fold_observed(|t, witness, took| {
                    log.record(t, witness, took, reference, progress)
                })?;
                progress.fold(&report);
                folds.push(report);
                if let Some(path) = &opts.checkpoint {
                    prover.checkpoint(path, note)?;
                }
            }
        }
    }
    Ok(folds)
}

/// Reads a checkpoint and its note.
fn read_checkpoint(path: &Path) -> Result<(Checkpoint, CheckpointNote), Error> {
    let ckpt = Prover::<CpuBackend>::read_checkpoint(path)?;
    let note = serde_json::from_str(&ckpt.note).map_err(Error::CheckpointNote)?;
    Ok((ckpt, note))
}

/// Step 4: ends a proven run: the tie and the opening, the proof verified and written;
/// its figures, with their ratios to the `f32` reference step (`f32_step` seconds).
fn finish_run(
    prover: Prover,
    keys: &Keys,
    folds: &[FoldReport],
    data_commit_seconds: f64,
    f32_step: f64,
    opts: &TrainOptions,
    progress: &mut dyn Progress,
) -> Result<ProofReport, Error> {
    progress.phase(if keys.kind() == ProofKind::Compressed {
        "tying the last fold to C_WT, opening the accumulator, running the decider"
    } else {
        "tying the last fold to C_WT and opening the accumulator"
    });
    let t0 = Instant::now();
    let (statement, proof) = prover.finish()?;
    let file = ProofFile { statement, proof };
    let finish_seconds = secs(t0.elapsed());
    progress.phase("verifying the proof");
    let t0 = Instant::now();
    let timings = Verifier::new(keys).verify_timed(&file.statement, &file.proof)?;
    let verify_seconds = secs(t0.elapsed());
    let bytes = file.to_bytes()?;
    if let Some(path) = &opts.out {
        crate::files::write(path, &bytes)?;
    }
    let k = file.statement.spec.steps_per_fold as f64;
    let of =
        |f: fn(&FoldReport) -> Duration| -> Vec<f64> { folds.iter().map(|r| secs(f(r))).collect() };
    let mut fold_secs = of(FoldReport::proving);
    let mut step_secs = of(|r| r.run.step.total);
    let mut acc_secs = of(|r| r.run.accumulate);
    let mut ivc_secs = of(|r| r.folding.unwrap_or_default());
    let prove_seconds = data_commit_seconds + fold_secs.iter().sum::<f64>() + finish_seconds;
    let fold_seconds = median(&mut fold_secs);
    let per_iteration = fold_seconds / k;
    let amortized = prove_seconds / (folds.len() as f64 * k).max(1.0);
    let report = keys.report();
    let ivc = report.ivc.as_ref();
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
        folding_seconds: ivc.map(|_| median(&mut ivc_secs)),
        finish_seconds,
        prove_seconds_per_iteration: per_iteration,
        prove_ratio: per_iteration / f32_step,
        amortized_seconds_per_iteration: amortized,
        amortized_ratio: amortized / f32_step,
        verify_seconds,
        verify_folds_seconds: secs(timings.folds),
        verify_finish_seconds: secs(timings.finish),
        key_seconds: secs(report.commit_time),
        key_derived: matches!(report.commit, KeySource::Derived { .. }),
        pcs: report.setup.pcs.name(),
        setup_digest: report.setup.digest_hex(),
        srs: report.srs.as_ref().map(|(origin, _)| origin.to_string()),
        key_generators: report.generators,
        ivc_keys_seconds: ivc.map(|(_, t)| secs(*t)),
        ivc_keys_derived: ivc.map(|(s, _)| matches!(s, KeySource::Derived { .. })),
        decider_key_seconds: report.decider.map(secs),
    })
}

/// The number of data chunks of `data` under `spec` (resolved).
pub fn num_chunks(spec: &TrainSpec, data: &Dataset) -> u64 {
    BatchSchedule::new(spec, data.len()).num_chunks() as u64
}
