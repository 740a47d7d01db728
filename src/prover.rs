//! The [`Prover`]: trains a run in exact fixed point and proves it fold by fold, as a
//! folded proof or a run proof (the [`Keys`] say which), checkpoints and resumes, and
//! finishes into `(Statement, FinalProof)`. It owns the one training loop of zkpot: the
//! lower crates prove the witnesses it hands them.

use std::path::Path;
use std::time::{Duration, Instant};

use rand::rngs::OsRng;
use rand::RngCore;
use zkpot_core::io::{envelope, open_envelope_of, FileKind};
use zkpot_core::{Backend, CpuBackend};
use zkpot_folding::decider::DeciderKey;
use zkpot_folding::running::Prover as FoldedProver;
use zkpot_pcs::pedersen::Opening;
use zkpot_run::{ChunkedData, RunProver, RunStatement as Statement};
use zkpot_trainer::{Dataset, Mlp, StepWitness, TrainSpec, Trainer};

use crate::error::Error;
use crate::keys::Keys;
use crate::proof::{FinalProof, ProofKind};

/// What proving one fold took.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FoldReport {
    /// The fold's index.
    pub fold: u64,
    /// Training its `k` iterations.
    pub train: Duration,
    /// The run protocol's part: the step proof, the chunk check, the accumulator fold.
    pub run: zkpot_run::FoldReport,
    /// The IVC step (folded proofs).
    pub folding: Option<Duration>,
}

impl FoldReport {
    /// The fold's proving time: the run protocol's part and the IVC step (not training).
    pub fn proving(&self) -> Duration {
        self.run.total + self.folding.unwrap_or_default()
    }
}

/// The prover of either kind.
#[allow(clippy::large_enum_variant)] // one per run
enum Inner<'a, B: Backend> {
    Run(RunProver<'a, B>),
    Folded(FoldedProver<'a, B>),
}

/// Trains and proves a run (see the [module docs](self)).
///
/// ```no_run
/// # fn main() -> Result<(), zkpot::Error> {
/// use zkpot::{Dataset, Keys, ProofKind, Prover, TrainSpec};
/// let data = Dataset::digits()?;
/// let mut spec = TrainSpec::new(vec![64, 16, 10], 8, 6, 1);
/// spec.steps_per_fold = 4;
/// spec.iterations = Some(8);
/// let keys = Keys::new(&spec, &data, ProofKind::Compressed)?;
/// let mut prover = Prover::new(&keys, &spec, &data)?;
/// while !prover.is_finished() {
///     prover.prove_fold()?;
/// }
/// let (statement, proof) = prover.finish()?;
/// # Ok(()) }
/// ```
pub struct Prover<'a, B: Backend = CpuBackend> {
    trainer: Trainer<'a>,
    inner: Inner<'a, B>,
    kind: ProofKind,
    /// The decider's key (compressed proofs).
    decider: Option<&'a DeciderKey>,
}

impl<'a> Prover<'a, CpuBackend> {
    /// Starts a run of `spec` on the training set `data` (the spec is resolved against
    /// it) from the spec's random initial model, proven with `keys` on the CPU, the
    /// commitments' blinds drawn from the operating system. Commits to the dataset
    /// (`C_data`) and the initial model (`C_W0`).
    pub fn new(keys: &'a Keys, spec: &TrainSpec, data: &'a Dataset) -> Result<Self, Error> {
        let trainer = Trainer::new(spec, data)?;
        let initial = trainer.model().clone();
        let mut rng = OsRng;
        Self::start(keys, trainer, data, &initial, CpuBackend, &mut rng)
    }
}

impl<'a, B: Backend> Prover<'a, B> {
    /// [`Prover::new`] from the model `initial` (random or pre-trained), computing on
    /// `backend`, the blinds drawn from `rng` (which must be a cryptographic generator:
    /// whoever knows its output can open every commitment).
    pub fn with_model<R: RngCore>(
        keys: &'a Keys,
        spec: &TrainSpec,
        data: &'a Dataset,
        initial: &Mlp,
        backend: B,
        rng: &mut R,
    ) -> Result<Self, Error> {
        let trainer = Trainer::with_model(spec, data, initial.clone())?;
        Self::start(keys, trainer, data, initial, backend, rng)
    }

    fn start<R: RngCore>(
        keys: &'a Keys,
        trainer: Trainer<'a>,
        data: &'a Dataset,
        initial: &Mlp,
        backend: B,
        rng: &mut R,
    ) -> Result<Self, Error> {
        let spec = trainer.spec().clone();
        let num_chunks = trainer.schedule().num_chunks() as u64;
        keys.check_run(&spec, num_chunks)?;
        let key = keys.commit_key();
        let inner = match keys.folded_keys() {
            Some(folded) => Inner::Folded(FoldedProver::new(
                key, folded, &spec, data, initial, backend, rng,
            )?),
            None => {
                let chunks = ChunkedData::commit(key, &backend, &spec, data, rng, &mut |_, _| {})?;
                Inner::Run(RunProver::new(key, backend, &spec, chunks, initial, rng)?)
            }
        };
        Ok(Prover {
            trainer,
            inner,
            kind: keys.kind(),
            decider: keys.decider_key(),
        })
    }

    /// The kind of proof this prover makes.
    pub fn kind(&self) -> ProofKind {
        self.kind
    }

    /// The run's resolved spec.
    pub fn spec(&self) -> &TrainSpec {
        self.trainer.spec()
    }

    /// The model the run is at.
    pub fn model(&self) -> &Mlp {
        self.trainer.model()
    }

    /// The next training iteration (`k` times the folds proven).
    pub fn iteration(&self) -> u64 {
        self.trainer.iteration()
    }

    /// Folds proven so far.
    pub fn folds_done(&self) -> u64 {
        match &self.inner {
            Inner::Run(p) => p.folds_done(),
            Inner::Folded(p) => p.folds_done(),
        }
    }

    /// Folds in the whole run (`T / k`).
    pub fn total_folds(&self) -> u64 {
        match &self.inner {
            Inner::Run(p) => p.total_folds(),
            Inner::Folded(p) => p.total_folds(),
        }
    }

    /// Whether every fold is proven (time to [`Prover::finish`]).
    pub fn is_finished(&self) -> bool {
        self.folds_done() >= self.total_folds()
    }

    /// Trains the next `k` iterations and proves them.
    pub fn prove_fold(&mut self) -> Result<FoldReport, Error> {
        self.prove_fold_observed(|_, _, _| {})
    }

    /// [`Prover::prove_fold`], calling `observe(t, witness, time)` after each training
    /// iteration `t` with its witness (its loss, for a progress display) and the time the
    /// step took; the time `observe` takes is not counted in [`FoldReport::train`].
    ///
    /// On an error the prover may be left mid-fold: resume from the last checkpoint.
    pub fn prove_fold_observed(
        &mut self,
        mut observe: impl FnMut(u64, &StepWitness, Duration),
    ) -> Result<FoldReport, Error> {
        if self.is_finished() {
            return Err(Error::State("every fold of the run is already proven"));
        }
        let fold = self.folds_done();
        let k = self.spec().steps_per_fold;
        let mut train = Duration::ZERO;
        let mut steps = Vec::with_capacity(k);
        for _ in 0..k {
            let t = self.trainer.iteration();
            let start = Instant::now();
            let step = self.trainer.step()?;
            let took = start.elapsed();
            train += took;
            observe(t, &step, took);
            steps.push(step);
        }
        let (run, folding) = match &mut self.inner {
            Inner::Run(p) => {
                let report = p.prove_fold(&steps)?;
                // The run proof keeps its records until it finishes.
                (report, None)
            }
            Inner::Folded(p) => {
                let report = p.prove_fold(&steps)?;
                (report.run, Some(report.ivc))
            }
        };
        Ok(FoldReport {
            fold,
            train,
            run,
            folding,
        })
    }

    /// Writes everything needed to continue the run to `path`, atomically, with a
    /// caller's `note` (the command line records where the data came from). The file holds
    /// secrets (the data's blinds, the model): keep it private.
    pub fn checkpoint(&self, path: &Path, note: &str) -> Result<(), Error> {
        let payload = match &self.inner {
            Inner::Run(p) => p.save(),
            Inner::Folded(p) => p.checkpoint()?,
        };
        let mut out = envelope(self.kind().checkpoint_file());
        put(&mut out, note.as_bytes());
        out.extend(payload);
        crate::files::write(path, &out)
    }

    /// Reads a checkpoint written by [`Prover::checkpoint`] (checking its envelope), for
    /// [`Prover::resume`].
    pub fn read_checkpoint(path: &Path) -> Result<Checkpoint, Error> {
        let bytes = crate::files::read(path)?;
        let (kind, mut rest) = open_envelope_of(
            &bytes,
            &[FileKind::RunCheckpoint, FileKind::FoldedCheckpoint],
            "a checkpoint",
        )
        .map_err(|e| Error::from(e).in_file(path))?;
        let note = take(&mut rest).ok_or(Error::State("the checkpoint is truncated"))?;
        let note = String::from_utf8(note.to_vec())
            .map_err(|_| Error::State("the checkpoint's note is not UTF-8"))?;
        Ok(Checkpoint {
            kind: if kind == FileKind::RunCheckpoint {
                ProofKind::Run
            } else {
                ProofKind::Folded
            },
            note,
            payload: rest.to_vec(),
        })
    }

    /// Continues a checkpointed run on the same training set `data` with keys of the
    /// same kind, spec and dataset size, computing on `backend`; `iterations` extends the
    /// run to that many iterations in all (a multiple of `k`, at least what is proven).
    /// Another dataset is refused here, before any training.
    pub fn resume(
        keys: &'a Keys,
        data: &'a Dataset,
        checkpoint: &Checkpoint,
        iterations: Option<u64>,
        backend: B,
    ) -> Result<Self, Error> {
        // A folded run's checkpoint continues into a folded or a compressed proof.
        if checkpoint.kind.checkpoint_file() != keys.kind().checkpoint_file() {
            return Err(Error::wrong_kind(checkpoint.kind, keys.kind()));
        }
        let key = keys.commit_key();
        let inner = match keys.folded_keys() {
            Some(folded) => Inner::Folded(FoldedProver::resume(
                key,
                folded,
                &checkpoint.payload,
                data,
                iterations,
                backend,
            )?),
            None => {
                let mut reader = checkpoint.payload.as_slice();
                let mut run = RunProver::load(key, backend, &mut reader)?;
                if !reader.is_empty() {
                    return Err(Error::TrailingBytes {
                        what: "the checkpoint",
                        count: reader.len(),
                    });
                }
                if let Some(t) = iterations {
                    run.extend_to(t)?;
                }
                run.check_data(data)?;
                Inner::Run(run)
            }
        };
        let (spec, model, done, k) = match &inner {
            Inner::Run(p) => (p.spec(), p.model(), p.folds_done(), p.shape().k),
            Inner::Folded(p) => (p.spec(), p.model(), p.folds_done(), p.run().shape().k),
        };
        keys.check_run(spec, data_chunks(spec, data))?;
        let trainer = Trainer::resume(spec, data, model.clone(), done * k as u64)?;
        Ok(Prover {
            trainer,
            inner,
            kind: keys.kind(),
            decider: keys.decider_key(),
        })
    }

    /// Ties the last fold to a fresh commitment to the trained model (`C_WT`), opens the
    /// accumulator, and returns the statement and the final proof (for a compressed proof,
    /// after running the decider on the folded run: tens of seconds for the digits).
    pub fn finish(self) -> Result<(Statement, FinalProof), Error> {
        self.finish_with_opening()
            .map(|(statement, proof, _)| (statement, proof))
    }

    /// [`Prover::finish`], also returning the opening of `C_WT` (the trained model's
    /// table and blind), which the trainer keeps to open or reuse the model later.
    pub fn finish_with_opening(self) -> Result<(Statement, FinalProof, Opening), Error> {
        if !self.is_finished() {
            return Err(Error::State("the run has folds left to prove"));
        }
        Ok(match self.inner {
            Inner::Run(p) => {
                let done = p.finish()?;
                (done.statement, FinalProof::Run(done.proof), done.wt_opening)
            }
            Inner::Folded(p) => match self.decider {
                Some(decider) => {
                    let (statement, proof, wt) = p.finish_compressed(decider)?;
                    (statement, FinalProof::Compressed(proof), wt)
                }
                None => {
                    let (statement, proof, wt) = p.finish()?;
                    (statement, FinalProof::Folded(proof), wt)
                }
            },
        })
    }
}

/// A checkpoint read from a file ([`Prover::read_checkpoint`]).
#[derive(Clone, Debug)]
pub struct Checkpoint {
    /// The kind of proof it continues.
    pub kind: ProofKind,
    /// The note the prover wrote with it.
    pub note: String,
    payload: Vec<u8>,
}

/// The number of chunks `data` has under `spec`.
fn data_chunks(spec: &TrainSpec, data: &Dataset) -> u64 {
    zkpot_trainer::BatchSchedule::new(spec, data.len()).num_chunks() as u64
}

/// Appends `u64`-length-prefixed bytes.
fn put(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    out.extend_from_slice(bytes);
}

/// Takes [`put`]'s bytes from the front of `reader`.
fn take<'b>(reader: &mut &'b [u8]) -> Option<&'b [u8]> {
    let (len, rest) = reader.split_first_chunk::<8>()?;
    let len = usize::try_from(u64::from_le_bytes(*len)).ok()?;
    let (x, rest) = rest.split_at_checked(len)?;
    *reader = rest;
    Some(x)
}
