//! The running proof of a training run: every fold of the run proof
//! ([`zkpot_gkr::run`]) verified inside the [`TrainingCircuit`] and folded into one IVC
//! proof, with checkpoints (`DESIGN.md` section 6).
//!
//! ```text
//! keys   = FoldedKeys::generate(&key, &spec, num_chunks)   // prover and verifier alike
//! prover = Prover::new(&key, &keys, &spec, &train, &initial, rng)
//! prover.prove_fold()?                                      // k iterations: train, prove, fold
//! prover.checkpoint(path)?                                  // any time; Prover::resume(...)
//! let (statement, proof) = prover.finish()?
//! verify(&key, &keys, &statement, &proof)?
//! ```
//!
//! # What the final proof is, today
//!
//! [`FinalProof`] is the IVC proof, the fold count and the end of the run
//! ([`FinishProof`]: the tie of the last fold's model to `C_WT` and the accumulator's
//! zero-knowledge opening). Its size and verification time do not depend on the number of
//! iterations, but the IVC proof is sonobe's **uncompressed** one: it carries the running
//! instances' witnesses (megabytes), and it is **not zero-knowledge** (those witnesses
//! contain the step proofs, which reveal evaluations of the committed tables). The
//! compressed, zero-knowledge final proof (a decider) is future work.
//!
//! # Keys
//!
//! The circuit depends on the spec's shape and the number of data chunks; the IVC keys
//! are derived from it deterministically ([`FoldedKeys::generate`]): Nova's Pedersen
//! generators come from a ChaCha20 generator seeded with the SHA-256 of
//! [`IVC_SEED_LABEL`] (public, nothing-up-my-sleeve), and key generation synthesizes the
//! circuit once on a fold of the all-zero model on all-zero data ([`dummy_fold`]).
//!
//! Each generator is sampled by arkworks' `UniformRand` for curve points, which draws an
//! `x` coordinate from the stream and retries until it lies on the curve (try and
//! increment), never `G * scalar`: a hash to the curve with ChaCha20 as the hash, so
//! nobody knows a discrete-log relation between the generators.

use std::path::Path;
use std::time::{Duration, Instant};

use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use ark_std::rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use sha2::{Digest, Sha256};
use zkpot_core::{CpuBackend, Fr};
use zkpot_gkr::run::{
    accumulate_fold, model_of, rng_from_state, rng_state, run_num_vars, run_shape, verify_finish,
    ChunkedData, FinishProof, FoldRecord, FoldReport, RunError, RunProver, RunStatement,
    RNG_STATE_LEN,
};
use zkpot_gkr::step::{chunk_table, commit_table, prove_step, FoldInputs, StepShape};
use zkpot_pcs::{
    accumulator::AccumulatorProver,
    merkle::{tree_depth, MerklePath},
    pedersen::{random_blind, Opening, PedersenKey},
};
use zkpot_trainer::{sgd_step, Dataset, Matrix, Mlp, StepWitness, TrainSpec, Trainer};

use crate::training::{parse_state, TrainingCircuit};
use crate::{generate_keys, preprocess, IvcConfig, IvcKey, IvcProof, IvcProver};

/// The label whose SHA-256 seeds the generator of Nova's Pedersen generators.
pub const IVC_SEED_LABEL: &[u8] = b"zkpot/folding/nova-pedersen/v1";

/// The first bytes of a checkpoint file.
pub const CHECKPOINT_MAGIC: &[u8; 8] = b"ZKPOTCKP";

/// Why a folded run could not be proven, resumed or verified.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FoldedError {
    /// The run proof's part (step proofs, accumulator, tie, opening) failed.
    #[error(transparent)]
    Run(#[from] RunError),
    /// The IVC failed or rejected the proof.
    #[error("IVC: {0}")]
    Ivc(#[from] crate::Error),
    /// Training stopped.
    #[error("training: {0}")]
    Train(#[from] zkpot_trainer::TrainError),
    /// The final state of the IVC does not describe this statement.
    #[error("the final state {0}")]
    State(&'static str),
    /// A checkpoint or proof could not be read or written.
    #[error("{0}")]
    Io(String),
    /// Nothing left to prove, or the run is not finished.
    #[error("{0}")]
    Finished(&'static str),
}

/// The training circuit of one (spec, number of chunks) and its IVC keys.
pub struct FoldedKeys {
    /// The step circuit.
    pub circuit: TrainingCircuit,
    /// The prover's key.
    pub pk: IvcKey,
    /// The verifier's key.
    pub vk: IvcKey,
}

impl FoldedKeys {
    /// Derives the circuit and keys for runs of `spec` (resolved) over `num_chunks` data
    /// chunks, with the run's commitment key (see the [module docs](self)). Deterministic:
    /// the verifier derives the same keys.
    pub fn generate(
        key: &PedersenKey,
        spec: &TrainSpec,
        num_chunks: u64,
    ) -> Result<Self, FoldedError> {
        let (shape, _) = run_shape(spec)?;
        let dummy = dummy_fold(key, spec, num_chunks)?;
        let circuit = TrainingCircuit::new(shape, num_chunks, dummy);
        let config = IvcConfig::for_circuit(&circuit)?;
        let seed: [u8; 32] = Sha256::digest(IVC_SEED_LABEL).into();
        let pp = preprocess(&config, ChaCha20Rng::from_seed(seed))?;
        let (pk, vk) = generate_keys(pp, &circuit)?;
        Ok(FoldedKeys { circuit, pk, vk })
    }

    /// Errors unless these keys are for folds of `shape` over `num_chunks` chunks.
    fn check(&self, shape: &StepShape, num_chunks: u64) -> Result<(), FoldedError> {
        if self.circuit.shape() != shape || self.circuit.num_chunks() != num_chunks {
            return Err(FoldedError::State(
                "keys: they were generated for another spec or dataset size",
            ));
        }
        Ok(())
    }
}

/// A fold of the all-zero model trained on all-zero batches (every value in range): a
/// valid fold record of the spec's shape, for key generation.
pub fn dummy_fold(
    key: &PedersenKey,
    spec: &TrainSpec,
    num_chunks: u64,
) -> Result<FoldRecord, FoldedError> {
    let (shape, digest) = run_shape(spec)?;
    let widths = &spec.layers;
    let mut model = Mlp {
        layers: widths
            .windows(2)
            .map(|w| zkpot_trainer::model::Dense {
                w: Matrix::zeros(w[0], w[1]),
                b: vec![0; w[1]],
            })
            .collect(),
    };
    let initial = model.clone();
    let (n0, nl) = (widths[0], widths[widths.len() - 1]);
    let mut steps = Vec::with_capacity(shape.k);
    for t in 0..shape.k as u64 {
        let x = Matrix::zeros(spec.batch_size, n0);
        let y = Matrix::zeros(spec.batch_size, nl);
        let w = sgd_step(spec, &model, x, y, t)?;
        model = w.updated_model();
        steps.push(w);
    }
    let mut rng = ChaCha20Rng::from_seed([7; 32]);
    let backend = CpuBackend;
    let shape_err = |e| FoldedError::Run(RunError::Shape(e));
    let w0 = Opening {
        table: model_of(&shape, &initial)?,
        blind: random_blind(&mut rng),
    };
    let chunk = Opening {
        table: chunk_table(&shape, &steps).map_err(shape_err)?,
        blind: random_blind(&mut rng),
    };
    let prev = commit_table(key, &backend, &w0.table, w0.blind).map_err(shape_err)?;
    let chunk_c = commit_table(key, &backend, &chunk.table, chunk.blind).map_err(shape_err)?;
    let inputs = FoldInputs {
        spec_digest: digest,
        fold_index: 0,
        prev,
        chunk: chunk_c,
    };
    let out = prove_step(&backend, key, &shape, &inputs, &steps, &mut rng).map_err(shape_err)?;
    let mut accumulator = AccumulatorProver::new(run_num_vars(&shape));
    let accumulate = accumulate_fold(&backend, &mut accumulator, &out, &w0, &chunk)
        .map_err(|source| RunError::Accumulate { fold: 0, source })?;
    Ok(FoldRecord {
        new: out.statement.new,
        chunk: chunk_c,
        path: MerklePath {
            index: 0,
            siblings: vec![Fr::from(0u64); tree_depth(num_chunks)],
        },
        step: out.proof,
        accumulate,
    })
}

/// The final proof of a folded run (see the [module docs](self): constant size, but
/// megabytes and not zero-knowledge until the decider exists).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FinalProof {
    /// The IVC proof after every fold (its final state holds `C_last` and the
    /// accumulator).
    pub ivc: IvcProof,
    /// The tie of the last fold to `C_WT` and the accumulator's opening.
    pub finish: FinishProof,
}

impl FinalProof {
    /// The encoding: the finish proof (arkworks compressed), then the IVC proof's bytes
    /// ([`IvcProof::to_bytes`]), `u64` length-prefixed.
    pub fn to_bytes(&self) -> Result<Vec<u8>, FoldedError> {
        let mut out = Vec::new();
        self.finish
            .serialize_compressed(&mut out)
            .map_err(|e| FoldedError::Io(e.to_string()))?;
        let ivc = self.ivc.to_bytes()?;
        out.extend_from_slice(&(ivc.len() as u64).to_le_bytes());
        out.extend(ivc);
        Ok(out)
    }

    /// Decodes [`FinalProof::to_bytes`] from the front of `reader`, advancing it; any
    /// malformed input is an error, never a panic.
    pub fn read(reader: &mut &[u8]) -> Result<Self, FoldedError> {
        let bad = || FoldedError::Io("malformed folded proof".into());
        let finish = FinishProof::deserialize_with_mode(&mut *reader, Compress::Yes, Validate::Yes)
            .map_err(|_| bad())?;
        let (len, rest) = reader.split_first_chunk::<8>().ok_or_else(bad)?;
        let len = usize::try_from(u64::from_le_bytes(*len)).map_err(|_| bad())?;
        let (ivc, rest) = rest.split_at_checked(len).ok_or_else(bad)?;
        let ivc = IvcProof::from_bytes(ivc)?;
        *reader = rest;
        Ok(FinalProof { ivc, finish })
    }

    /// The number of folds the IVC proof covers.
    pub fn folds(&self) -> u64 {
        self.ivc.num_steps()
    }
}

/// Verifies a folded run proof against its statement: the IVC proof from the state the
/// statement fixes (`C_W0`, `C_data`, the spec's fold digest) over `T / k` folds, its final
/// state (same digest and root, `C_last`, the accumulator), then the tie to `C_WT` and the
/// accumulator's opening ([`verify_finish`]). `keys` must be [`FoldedKeys::generate`]'s
/// for the statement's spec and chunk count. Never panics on malformed input.
pub fn verify(
    key: &PedersenKey,
    keys: &FoldedKeys,
    statement: &RunStatement,
    proof: &FinalProof,
) -> Result<(), FoldedError> {
    let (shape, digest) = run_shape(&statement.spec)?;
    keys.check(&shape, statement.data.num_chunks)?;
    let circuit = &keys.circuit;
    let folds = statement.folds();
    if proof.folds() != folds {
        return Err(RunError::FoldCount {
            expected: folds,
            got: proof.folds(),
            iterations: statement.iterations(),
        }
        .into());
    }
    let z0 = circuit.initial_state(digest, &statement.data, &statement.w0);
    let zn = proof.ivc.current_state();
    crate::verify(&keys.vk, folds, &z0, zn, &proof.ivc)?;
    let (d, root, chunk, last, acc) =
        parse_state(zn, circuit.acc_vars()).ok_or(FoldedError::State("does not decode"))?;
    if d != digest || root != statement.data.root {
        return Err(FoldedError::State("is about another run"));
    }
    if chunk != Fr::from(folds % statement.data.num_chunks.max(1)) {
        return Err(FoldedError::State("has the wrong chunk index"));
    }
    verify_finish(key, statement, folds, last, &acc, &proof.finish)?;
    Ok(())
}

/// What one [`Prover::prove_fold`] took.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FoldedReport {
    /// The run proof's part: the step proof, the chunk check, the accumulator fold.
    pub run: FoldReport,
    /// Training the fold's `k` iterations.
    pub train: Duration,
    /// The IVC step (synthesizing the training circuit and folding it).
    pub ivc: Duration,
}

/// The prover of a folded run (see the [module docs](self)): it trains, proves and folds
/// `k` iterations per [`Prover::prove_fold`].
pub struct Prover<'a> {
    keys: &'a FoldedKeys,
    run: RunProver<'a, CpuBackend>,
    trainer: Trainer<'a>,
    ivc: Option<IvcProof>,
    rng: ChaCha20Rng,
}

impl<'a> Prover<'a> {
    /// Starts a run of `spec` (resolved, `T` a multiple of `k`) on the training set
    /// `data` from the model `initial`, with the run's commitment key and the keys of
    /// [`FoldedKeys::generate`] for this spec and dataset. Commits to the dataset
    /// (`C_data`) and to the model (`C_W0`); blinds come from `rng`.
    pub fn new<R: RngCore>(
        key: &'a PedersenKey,
        keys: &'a FoldedKeys,
        spec: &TrainSpec,
        data: &'a Dataset,
        initial: &Mlp,
        rng: &mut R,
    ) -> Result<Self, FoldedError> {
        let trainer = Trainer::with_model(spec, data, initial.clone())?;
        let spec = trainer.spec().clone();
        let chunks = ChunkedData::commit(key, &CpuBackend, &spec, data, rng, &mut |_, _| {})?;
        let run = RunProver::new(key, CpuBackend, &spec, chunks, initial, rng)?;
        let rng = ChaCha20Rng::from_rng(rng).map_err(|_| FoldedError::Io("rng".into()))?;
        keys.check(run.shape(), run.data().num_chunks() as u64)?;
        Ok(Prover {
            keys,
            run,
            trainer,
            ivc: None,
            rng,
        })
    }

    /// Folds proven so far.
    pub fn folds_done(&self) -> u64 {
        self.run.folds_done()
    }

    /// Folds in the whole run.
    pub fn total_folds(&self) -> u64 {
        self.run.total_folds()
    }

    /// The next training iteration (`k` times the folds proven).
    pub fn iteration(&self) -> u64 {
        self.trainer.iteration()
    }

    /// The model the run is at.
    pub fn model(&self) -> &Mlp {
        self.trainer.model()
    }

    /// The run's resolved spec.
    pub fn spec(&self) -> &TrainSpec {
        self.run.spec()
    }

    /// Trains the next `k` iterations, proves them and folds the proof into the running
    /// IVC proof. On an error the prover may be left mid-fold: resume from the last
    /// checkpoint.
    pub fn prove_fold(&mut self) -> Result<FoldedReport, FoldedError> {
        self.prove_fold_observed(|_, _, _| {})
    }

    /// [`Prover::prove_fold`], calling `observe(t, witness, time)` after each training
    /// iteration `t` with its witness (its loss, for a progress display) and the time the
    /// step took; the time `observe` takes is not counted in [`FoldedReport::train`].
    pub fn prove_fold_observed(
        &mut self,
        mut observe: impl FnMut(u64, &StepWitness, Duration),
    ) -> Result<FoldedReport, FoldedError> {
        if self.folds_done() >= self.total_folds() {
            return Err(FoldedError::Finished("every fold of the run is proven"));
        }
        let k = self.run.shape().k;
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
        let run = self.run.prove_fold(&steps)?;
        drop(steps);
        let record = self
            .run
            .take_folds()
            .pop()
            .ok_or(FoldedError::Finished("the run prover kept no fold"))?;
        let ivc_start = Instant::now();
        let circuit = &self.keys.circuit;
        let mut prover = match self.ivc.take() {
            Some(parts) => IvcProver::from_parts(&self.keys.pk, circuit, parts)?,
            None => {
                let digest = self.run.digest();
                let z0 =
                    circuit.initial_state(digest, &self.run.data().commitment(), &self.run.w0());
                IvcProver::new(&self.keys.pk, circuit, z0)?
            }
        };
        prover.prove_step(record, &mut self.rng)?;
        self.ivc = Some(prover.into_parts());
        Ok(FoldedReport {
            run,
            train,
            ivc: ivc_start.elapsed(),
        })
    }

    /// Writes everything needed to continue the run to `path`, atomically (a temporary
    /// file in the same folder, then a rename), with a caller's `note` (the CLI records
    /// where the data came from). The file holds secrets (the data's blinds, the
    /// model): keep it private.
    pub fn checkpoint(&self, path: &Path, note: &str) -> Result<(), FoldedError> {
        let mut out = Vec::new();
        out.extend_from_slice(CHECKPOINT_MAGIC);
        put(&mut out, note.as_bytes());
        put(&mut out, &self.run.save());
        let ivc = match &self.ivc {
            Some(p) => p.to_bytes()?,
            None => Vec::new(),
        };
        put(&mut out, &ivc);
        out.extend_from_slice(&rng_state(&self.rng));
        zkpot_core::io::write_atomic(path, &out)
            .map_err(|e| FoldedError::Io(format!("{}: {e}", path.display())))
    }

    /// Reads the note of a checkpoint and its bytes, for [`Prover::resume`].
    pub fn read_checkpoint(path: &Path) -> Result<Checkpoint, FoldedError> {
        let bytes =
            std::fs::read(path).map_err(|e| FoldedError::Io(format!("{}: {e}", path.display())))?;
        let bad = || FoldedError::Io(format!("{}: not a zkpot checkpoint", path.display()));
        let rest = bytes
            .strip_prefix(CHECKPOINT_MAGIC.as_slice())
            .ok_or_else(bad)?;
        let mut rest = rest;
        let note =
            String::from_utf8(take(&mut rest).ok_or_else(bad)?.to_vec()).map_err(|_| bad())?;
        let run = take(&mut rest).ok_or_else(bad)?.to_vec();
        let ivc = take(&mut rest).ok_or_else(bad)?.to_vec();
        let rng: [u8; RNG_STATE_LEN] = rest.try_into().map_err(|_| bad())?;
        Ok(Checkpoint {
            note,
            run,
            ivc,
            rng,
        })
    }

    /// Continues a checkpointed run on the same training set `data` with the same keys,
    /// optionally extended to `iterations` in all (a multiple of `k`, at least what is
    /// proven). Another dataset is refused here ([`RunProver::check_data`]).
    pub fn resume(
        key: &'a PedersenKey,
        keys: &'a FoldedKeys,
        checkpoint: &Checkpoint,
        data: &'a Dataset,
        iterations: Option<u64>,
    ) -> Result<Self, FoldedError> {
        let mut reader = checkpoint.run.as_slice();
        let mut run = RunProver::load(key, CpuBackend, &mut reader)?;
        if !reader.is_empty() {
            return Err(FoldedError::Io("trailing bytes in the checkpoint".into()));
        }
        if let Some(t) = iterations {
            run.extend_to(t)?;
        }
        keys.check(run.shape(), run.data().num_chunks() as u64)?;
        run.check_data(data)?;
        let done = run.folds_done();
        let iteration = done * run.shape().k as u64;
        let trainer = Trainer::resume(run.spec(), data, run.model().clone(), iteration)?;
        let ivc = if done == 0 {
            None
        } else {
            let p = IvcProof::from_bytes(&checkpoint.ivc)?;
            if p.num_steps() != done {
                return Err(FoldedError::Io(
                    "the checkpoint's IVC proof is not at its fold".into(),
                ));
            }
            Some(p)
        };
        let rng = rng_from_state(&checkpoint.rng);
        Ok(Prover {
            keys,
            run,
            trainer,
            ivc,
            rng,
        })
    }

    /// Ties the last fold to a fresh `C_WT`, opens the accumulator and returns the
    /// statement, the final proof and the opening of `C_WT` (kept by the trainer).
    pub fn finish(mut self) -> Result<(RunStatement, FinalProof, Opening), FoldedError> {
        let (statement, finish, wt) = self.run.finish_parts()?;
        let ivc = self
            .ivc
            .take()
            .ok_or(FoldedError::Finished("a run has at least one fold"))?;
        Ok((statement, FinalProof { ivc, finish }, wt))
    }
}

/// A checkpoint read from a file ([`Prover::read_checkpoint`]).
#[derive(Clone, Debug)]
pub struct Checkpoint {
    /// The note the prover wrote with it.
    pub note: String,
    run: Vec<u8>,
    ivc: Vec<u8>,
    rng: [u8; RNG_STATE_LEN],
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
