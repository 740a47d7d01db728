//! The run prover: one fold at a time from the caller's witnesses, then the tie to
//! `C_WT` and the opening; checkpoints of its whole state.

use std::time::{Duration, Instant};

use ark_serialize::CanonicalSerialize;
use ark_std::rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use zkpot_core::{Backend, Fr};
use zkpot_pcs::{
    accumulator::{AccumulatorProver, Mask},
    pedersen::{random_blind, Commitment, Opening},
    SchemeKey, Setup,
};
use zkpot_trainer::{BatchSchedule, Dataset, Matrix, Mlp, StepWitness, TrainSpec};

use zkpot_gkr::step::{
    chunk_table, commit_table, model_table, prove_step, FoldInputs, ProveTimings, StepShape,
};

use crate::{
    data::{chunk_table_of, ChunkedData},
    error::RunError,
    finish::{final_transcript, finish_claims, FinishProof, TIE_LINK},
    fold::{accumulate_fold, FoldRecord},
    proof::RunProof,
    statement::{check_key, run_num_vars, run_shape, RunStatement},
    Pcs,
};

/// What proving one fold took.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FoldReport {
    /// The fold's index.
    pub fold: u64,
    /// The step proof's time, by part.
    pub step: ProveTimings,
    /// Checking the batches against the committed chunk.
    pub chunk: Duration,
    /// Folding the fold's claims into the accumulator.
    pub accumulate: Duration,
    /// The whole fold (step proof, chunk check, accumulation).
    pub total: Duration,
    /// The step proof's compressed size in bytes.
    pub step_bytes: usize,
}

/// What [`RunProver::finish`] returns.
#[derive(Clone, Debug)]
pub struct FinishedRun {
    /// The statement the proof is about.
    pub statement: RunStatement,
    /// The proof.
    pub proof: RunProof,
    /// The opening of `C_WT` (the trained model's table and its blind), kept by the
    /// prover to open or use the trained model later.
    pub wt_opening: Opening,
    /// The time of the tie and the final opening.
    pub finish: Duration,
}

/// Proves a training run fold by fold (see the [crate documentation](crate)).
///
/// The caller trains: it hands each fold's `k` witnesses, in order, to
/// [`RunProver::prove_fold`], then calls [`RunProver::finish`].
pub struct RunProver<'k, B: Backend> {
    key: &'k SchemeKey,
    backend: B,
    spec: TrainSpec,
    shape: StepShape,
    digest: Fr,
    data: ChunkedData,
    w0: Commitment,
    /// The table behind `C_prev` and its commitment.
    prev: Opening,
    prev_commitment: Commitment,
    /// The model the next fold starts from.
    model: Mlp,
    accumulator: AccumulatorProver,
    /// The accumulator's starting mask (the statement's).
    mask: Mask,
    /// Folds proven so far (their records may have been taken).
    done: u64,
    folds: Vec<FoldRecord>,
    rng: ChaCha20Rng,
}

impl<'k, B: Backend> RunProver<'k, B> {
    /// Starts the proof of a run of `spec` (resolved, `T` a multiple of `k`) from the
    /// model `initial`, on the committed dataset `data` (made by [`ChunkedData::commit`]
    /// under the same spec), with the run's key ([`key_len`](crate::key_len) generators from
    /// [`KEY_LABEL`](crate::KEY_LABEL)). Commits `C_W0` with a fresh blind; every later blind comes
    /// from a generator seeded by `rng`.
    pub fn new<R: RngCore>(
        key: &'k SchemeKey,
        backend: B,
        spec: &TrainSpec,
        data: ChunkedData,
        initial: &Mlp,
        rng: &mut R,
    ) -> Result<Self, RunError> {
        let (shape, digest) = run_shape(spec)?;
        check_key(key, &shape)?;
        let mut rng = ChaCha20Rng::from_rng(rng).map_err(|_| RunError::Randomness)?;
        let table = model_of(&shape, initial)?;
        let blind = random_blind(&mut rng);
        let w0 = commit_table(key, &backend, &table, blind).map_err(RunError::Shape)?;
        let (accumulator, mask) =
            AccumulatorProver::masked(key, &backend, run_num_vars(&shape), &mut rng)
                .map_err(RunError::Mask)?;
        Ok(RunProver {
            key,
            backend,
            spec: spec.clone(),
            shape,
            digest,
            data,
            w0,
            prev: Opening { table, blind },
            prev_commitment: w0,
            model: initial.clone(),
            accumulator,
            mask,
            done: 0,
            folds: Vec::new(),
            rng,
        })
    }

    /// `C_W0`.
    pub fn w0(&self) -> Commitment {
        self.w0
    }

    /// The committed dataset.
    pub fn data(&self) -> &ChunkedData {
        &self.data
    }

    /// The step proofs' shape.
    pub fn shape(&self) -> &StepShape {
        &self.shape
    }

    /// Folds proven so far.
    pub fn folds_done(&self) -> u64 {
        self.done
    }

    /// Takes the records of the folds proven since the last call (the folded prover
    /// consumes each fold's record instead of keeping it).
    pub fn take_folds(&mut self) -> Vec<FoldRecord> {
        std::mem::take(&mut self.folds)
    }

    /// The model the next fold starts from.
    pub fn model(&self) -> &Mlp {
        &self.model
    }

    /// The commitment of the last fold (`C_W0` before the first).
    pub fn prev_commitment(&self) -> Commitment {
        self.prev_commitment
    }

    /// The accumulator's starting mask (the statement's [`RunStatement::mask`]).
    pub fn mask(&self) -> &Mask {
        &self.mask
    }

    /// The public accumulator.
    pub fn accumulator(&self) -> &zkpot_pcs::accumulator::Accumulator {
        self.accumulator.accumulator()
    }

    /// The spec's digest.
    pub fn digest(&self) -> Fr {
        self.digest
    }

    /// Folds in the whole run, `T / k`.
    pub fn total_folds(&self) -> u64 {
        self.spec.iterations.unwrap_or(0) / self.shape.k as u64
    }

    /// Proves the next fold from its `k` witnesses (iterations `j k .. (j + 1) k` of the
    /// run, the first starting from the model the previous fold ended with) and folds
    /// its claims into the accumulator.
    ///
    /// # Errors
    ///
    /// [`RunError::WitnessCount`], [`RunError::WitnessIteration`], [`RunError::WitnessModel`]
    /// or [`RunError::ChunkMismatch`] when the witnesses do not continue the run or their
    /// batches are not the committed chunk; [`RunError::Step`] when the step proof refuses them;
    /// [`RunError::AllFoldsProven`] when every fold is already proven. On an error the prover is
    /// unchanged.
    pub fn prove_fold(&mut self, steps: &[StepWitness]) -> Result<FoldReport, RunError> {
        let start = Instant::now();
        let j = self.folds_done();
        if j >= self.total_folds() {
            return Err(RunError::AllFoldsProven);
        }
        self.check_continues(j, steps)?;

        let chunk_start = Instant::now();
        let c = (j % self.data.num_chunks() as u64) as usize;
        let step_err = |source| RunError::Step { fold: j, source };
        let chunk_commitment = self.data.chunk_commitment(c).ok_or(RunError::EmptyData)?;
        let table = chunk_table(&self.shape, steps).map_err(step_err)?;
        let chunk = self
            .data
            .reopen(self.key, &self.backend, c, table)
            .map_err(step_err)?
            .ok_or(RunError::ChunkMismatch { fold: j, chunk: c })?;
        let path = self.data.path(c)?;
        let chunk_time = chunk_start.elapsed();

        let inputs = FoldInputs {
            spec_digest: self.digest,
            fold_index: j,
            prev: self.prev_commitment,
            chunk: chunk_commitment,
        };
        let out = prove_step(
            &self.backend,
            self.key,
            &self.shape,
            &inputs,
            steps,
            &mut self.rng,
        )
        .map_err(step_err)?;

        let acc_start = Instant::now();
        let accumulate = accumulate_fold(
            &self.backend,
            &mut self.accumulator,
            &out,
            &self.prev,
            &chunk,
        )
        .map_err(|source| RunError::Accumulate { fold: j, source })?;
        let acc_time = acc_start.elapsed();

        let step_bytes = out.proof.compressed_size();
        self.folds.push(FoldRecord {
            new: out.statement.new,
            chunk: chunk_commitment,
            path,
            step: out.proof,
            accumulate,
        });
        self.done += 1;
        self.prev = out.opening;
        self.prev_commitment = out.statement.new;
        if let Some(last) = steps.last() {
            self.model = last.updated_model();
        }
        Ok(FoldReport {
            fold: j,
            step: out.timings,
            chunk: chunk_time,
            accumulate: acc_time,
            total: start.elapsed(),
            step_bytes,
        })
    }

    /// Checks that `data` is the training set this run committed to, before any work:
    /// its chunk count, and the chunk the next fold uses, re-committed with its stored
    /// blind (a resumed run handed another dataset fails here, not after training a
    /// fold). A finished run checks only the chunk count.
    ///
    /// # Errors
    ///
    /// [`RunError::DataChunks`] or [`RunError::DataDiffers`].
    pub fn check_data(&self, data: &Dataset) -> Result<(), RunError> {
        let n = self.data.num_chunks();
        let schedule = BatchSchedule::new(&self.spec, data.len());
        if data.is_empty() || schedule.num_chunks() != n {
            return Err(RunError::DataChunks {
                chunks: schedule.num_chunks(),
                chunk_len: schedule.chunk_len(),
                committed: n,
            });
        }
        if self.folds_done() >= self.total_folds() {
            return Ok(());
        }
        let c = (self.folds_done() % n as u64) as usize;
        let table = chunk_table_of(&self.shape, &self.spec, &schedule, data, c)?;
        let reopened = self
            .data
            .reopen(self.key, &self.backend, c, table)
            .map_err(RunError::Shape)?;
        if reopened.is_none() {
            return Err(RunError::DataDiffers { chunk: c });
        }
        Ok(())
    }

    /// Ties the last fold's model to a fresh hiding commitment `C_WT`, folds the last
    /// claims into the accumulator and opens it.
    ///
    /// # Errors
    ///
    /// [`RunError::FoldsLeft`] when some fold is not proven yet.
    pub fn finish(mut self) -> Result<FinishedRun, RunError> {
        let start = Instant::now();
        let (statement, end, wt_opening) = self.finish_parts()?;
        Ok(FinishedRun {
            statement,
            proof: RunProof {
                folds: std::mem::take(&mut self.folds),
                mask: end.mask,
                finish: end.finish,
                open: end.open,
            },
            wt_opening,
            finish: start.elapsed(),
        })
    }

    /// The end of the run without the fold records: the statement (with a fresh `C_WT`),
    /// the [`FinishProof`] and the opening of `C_WT`. What the folded prover needs.
    ///
    /// # Errors
    ///
    /// [`RunError::FoldsLeft`] when some fold is not proven yet.
    pub fn finish_parts(&mut self) -> Result<(RunStatement, FinishProof, Opening), RunError> {
        if self.done != self.total_folds() || self.done == 0 {
            return Err(RunError::FoldsLeft);
        }
        let table = model_of(&self.shape, &self.model)?;
        let blind = random_blind(&mut self.rng);
        let wt = commit_table(self.key, &self.backend, &table, blind).map_err(RunError::Shape)?;
        let wt_opening = Opening { table, blind };
        let statement = RunStatement {
            spec: self.spec.clone(),
            setup: self.key.setup(),
            data: self.data.commitment(),
            w0: self.w0,
            wt,
            mask: self.mask,
        };
        let (mut t, r) = final_transcript(
            &statement,
            self.digest,
            self.done,
            self.accumulator.accumulator(),
            &self.shape,
        );
        let (mask, mask_opening) = Mask::sample(
            self.key,
            &self.backend,
            run_num_vars(&self.shape),
            &mut self.rng,
        )
        .map_err(RunError::Mask)?;
        let claims = finish_claims(&self.shape, &mask, self.prev_commitment, wt, &r)?;
        let openings = [&mask_opening, &self.prev, &wt_opening];
        let mut accumulator = self.accumulator.clone();
        let finish = accumulator
            .fold_hiding(&claims, &openings, &TIE_LINK, &mut t)
            .map_err(RunError::Final)?;
        let open = accumulator
            .open::<Pcs, _, _, _>(self.key, &self.backend, &mut t, &mut self.rng)
            .map_err(RunError::Final)?;
        Ok((statement, FinishProof { mask, finish, open }, wt_opening))
    }

    /// The prover's whole state as bytes (everything but the key and the backend): a
    /// checkpoint. Holds secrets (the tables and blinds): keep it private.
    ///
    /// Layout: the spec and the model as length-prefixed JSON, the setup
    /// ([`Setup::to_bytes`]; loading errors unless it is the key's), then arkworks compressed
    /// `(chunk commitments, chunk blinds, C_W0, C_prev opening table and blind, C_prev,
    /// mask, accumulator, accumulator opening table and blind, folds done, fold records)`, then
    /// the random generator's seed (32 bytes), stream and word position.
    pub fn save(&self) -> Vec<u8> {
        let mut out = Vec::new();
        write_json(&mut out, &self.spec.to_json());
        write_json(
            &mut out,
            &serde_json::to_string(&self.model).unwrap_or_default(),
        );
        out.extend_from_slice(&self.key.setup().to_bytes());
        let (commitments, blinds) = self.data.parts();
        // Writing into a Vec cannot fail.
        let _ = (commitments.to_vec(), blinds.to_vec(), self.w0).serialize_compressed(&mut out);
        let _ = (&self.prev.table, self.prev.blind, self.prev_commitment)
            .serialize_compressed(&mut out);
        let _ = self.mask.serialize_compressed(&mut out);
        let _ = (
            self.accumulator.accumulator(),
            &self.accumulator.opening().table,
            self.accumulator.opening().blind,
            self.done,
            &self.folds,
        )
            .serialize_compressed(&mut out);
        out.extend_from_slice(&rng_state(&self.rng));
        out
    }

    /// Restores [`RunProver::save`]'s bytes (from the front of `reader`, advancing it)
    /// with the run's key and a backend. Checks the spec, the key and the sizes; a
    /// malformed checkpoint is an error, never a panic.
    pub fn load(key: &'k SchemeKey, backend: B, reader: &mut &[u8]) -> Result<Self, RunError> {
        use ark_serialize::{CanonicalDeserialize, Compress, Validate};
        let bad = |what| RunError::Malformed { what };
        let spec_json = read_json(reader)?;
        let spec: TrainSpec =
            serde_json::from_str(&spec_json).map_err(|_| bad("checkpoint spec"))?;
        let model: Mlp =
            serde_json::from_str(&read_json(reader)?).map_err(|_| bad("checkpoint model"))?;
        let (shape, digest) = run_shape(&spec)?;
        check_key(key, &shape)?;
        let setup = Setup::read(reader).ok_or(bad("checkpoint setup"))?;
        if setup != key.setup() {
            return Err(RunError::SetupMismatch {
                statement: setup,
                key: key.setup(),
            });
        }
        type Data = (Vec<Commitment>, Vec<Fr>, Commitment);
        type Prev = (Vec<Fr>, Fr, Commitment);
        type Acc = (
            zkpot_pcs::accumulator::Accumulator,
            Vec<Fr>,
            Fr,
            u64,
            Vec<FoldRecord>,
        );
        let (commitments, blinds, w0) =
            Data::deserialize_with_mode(&mut *reader, Compress::Yes, Validate::Yes)
                .map_err(|_| bad("undecodable checkpoint"))?;
        let (prev_table, prev_blind, prev_commitment) =
            Prev::deserialize_with_mode(&mut *reader, Compress::Yes, Validate::Yes)
                .map_err(|_| bad("undecodable checkpoint"))?;
        let mask = Mask::deserialize_with_mode(&mut *reader, Compress::Yes, Validate::Yes)
            .map_err(|_| bad("undecodable checkpoint"))?;
        let (acc, acc_table, acc_blind, done, folds) =
            Acc::deserialize_with_mode(&mut *reader, Compress::Yes, Validate::Yes)
                .map_err(|_| bad("undecodable checkpoint"))?;
        let (state, rest) = reader
            .split_first_chunk::<RNG_STATE_LEN>()
            .ok_or(bad("truncated checkpoint"))?;
        let rng = rng_from_state(state);
        *reader = rest;
        model.check(&spec).map_err(RunError::CheckpointModel)?;
        let expected_prev = if done == 0 {
            shape.model_layout().num_vars
        } else {
            shape.fold_layout().num_vars
        };
        if prev_table.len() != 1usize << expected_prev {
            return Err(bad("the checkpoint's C_prev table has the wrong size"));
        }
        if done > spec.iterations.unwrap_or(0) / shape.k as u64 {
            return Err(bad("the checkpoint has more folds than its run"));
        }
        let accumulator = AccumulatorProver::from_parts(
            acc,
            Opening {
                table: acc_table,
                blind: acc_blind,
            },
        )
        .map_err(|_| bad("the checkpoint's accumulator has the wrong size"))?;
        if accumulator.accumulator().claim.claim.point.len() != run_num_vars(&shape) {
            return Err(bad("the checkpoint's accumulator has the wrong size"));
        }
        Ok(RunProver {
            key,
            backend,
            spec,
            shape,
            digest,
            data: ChunkedData::from_parts(commitments, blinds)?,
            w0,
            prev: Opening {
                table: prev_table,
                blind: prev_blind,
            },
            prev_commitment,
            model,
            accumulator,
            mask,
            done,
            folds,
            rng,
        })
    }

    /// Extends the run to `iterations` in all (a positive multiple of `k`, at least the
    /// iterations already proven): the folds proven so far stay valid, since they absorb
    /// [`TrainSpec::fold_digest`], which leaves the run's length out.
    pub fn extend_to(&mut self, iterations: u64) -> Result<(), RunError> {
        let mut spec = self.spec.clone();
        spec.iterations = Some(iterations);
        let (_, digest) = run_shape(&spec)?;
        if iterations < self.done * self.shape.k as u64 {
            return Err(RunError::ShorterThanProven {
                proven: self.done * self.shape.k as u64,
                asked: iterations,
            });
        }
        debug_assert_eq!(digest, self.digest);
        self.spec = spec;
        Ok(())
    }

    /// The run's commitment key.
    pub fn key(&self) -> &'k SchemeKey {
        self.key
    }

    /// The compute backend.
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// The resolved spec of the run.
    pub fn spec(&self) -> &TrainSpec {
        &self.spec
    }

    /// Errors unless `steps` are iterations `j k ..` starting from the current model.
    fn check_continues(&self, j: u64, steps: &[StepWitness]) -> Result<(), RunError> {
        let k = self.shape.k;
        if steps.len() != k {
            return Err(RunError::WitnessCount {
                fold: j,
                got: steps.len(),
                k,
            });
        }
        for (i, s) in steps.iter().enumerate() {
            if s.iteration != j * k as u64 + i as u64 {
                return Err(RunError::WitnessIteration {
                    fold: j,
                    index: i,
                    iteration: s.iteration,
                    expected: j * k as u64 + i as u64,
                });
            }
        }
        let starts_here = steps.first().is_some_and(|s| {
            s.layers.len() == self.model.layers.len()
                && s.layers
                    .iter()
                    .zip(&self.model.layers)
                    .all(|(l, m)| l.w == m.w && l.b == m.b)
        });
        if !starts_here {
            return Err(RunError::WitnessModel { fold: j });
        }
        Ok(())
    }
}

/// The model table of `model` ([`model_table`] of its layers).
pub fn model_of(shape: &StepShape, model: &Mlp) -> Result<Vec<Fr>, RunError> {
    let layers: Vec<(&Matrix, &[i64])> = model
        .layers
        .iter()
        .map(|l| (&l.w, l.b.as_slice()))
        .collect();
    model_table(shape, &layers).map_err(RunError::Tables)
}

/// The length of [`rng_state`].
pub const RNG_STATE_LEN: usize = 32 + 8 + 16;

/// A ChaCha20 generator's whole state: its seed, stream (`u64` little endian) and word
/// position (`u128` little endian), for checkpoints.
pub fn rng_state(rng: &ChaCha20Rng) -> [u8; RNG_STATE_LEN] {
    let mut out = [0u8; RNG_STATE_LEN];
    out[..32].copy_from_slice(&rng.get_seed());
    out[32..40].copy_from_slice(&rng.get_stream().to_le_bytes());
    out[40..].copy_from_slice(&rng.get_word_pos().to_le_bytes());
    out
}

/// The generator [`rng_state`] describes.
pub fn rng_from_state(state: &[u8; RNG_STATE_LEN]) -> ChaCha20Rng {
    let (seed, rest) = state.split_at(32);
    let (stream, pos) = rest.split_at(8);
    let mut rng = ChaCha20Rng::from_seed(seed.try_into().unwrap_or_default());
    rng.set_stream(u64::from_le_bytes(stream.try_into().unwrap_or_default()));
    rng.set_word_pos(u128::from_le_bytes(pos.try_into().unwrap_or_default()));
    rng
}

/// Writes a `u32`-length-prefixed string.
fn write_json(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

/// Reads [`write_json`]'s string from the front of `reader`.
fn read_json(reader: &mut &[u8]) -> Result<String, RunError> {
    let bad = RunError::Malformed {
        what: "truncated checkpoint",
    };
    let (len, rest) = reader.split_first_chunk::<4>().ok_or(bad)?;
    let (text, rest) = rest
        .split_at_checked(u32::from_le_bytes(*len) as usize)
        .ok_or(RunError::Malformed {
            what: "truncated checkpoint",
        })?;
    let s = std::str::from_utf8(text)
        .map_err(|_| RunError::Malformed {
            what: "checkpoint text is not UTF-8",
        })?
        .to_string();
    *reader = rest;
    Ok(s)
}
