//! The proof of a whole training run (`DESIGN.md` sections 1 and 5): the step proofs of
//! every fold, with every claim they leave folded into one [`Accumulator`] that is
//! opened once, at the end.
//!
//! This proof is complete and sound but **not succinct**: it holds one [`StepProof`] per
//! fold, so its size and verification time grow with the number of iterations `T`. The
//! running folded proof (`zkpot-folding`) verifies the same folds in-circuit and reuses
//! everything here: the statement, the data commitment, the per-fold transcript and the
//! accumulator.
//!
//! # Statement ([`RunStatement`])
//!
//! | field | meaning |
//! |---|---|
//! | `spec` | the resolved [`TrainSpec`] (its digest binds the shape, schedule, seed and `T`) |
//! | `data` | `C_data` ([`DataCommitment`]): the Poseidon Merkle root over the hiding commitments of the training set's chunks, in training order, and the number of chunks |
//! | `w0` | `C_W0`: a hiding commitment to the starting model's table ([`StepShape::model_layout`]) |
//! | `wt` | `C_WT`: a hiding commitment to the model after `T` iterations, same layout |
//!
//! # Protocol
//!
//! The prover makes `F = T / k` folds. Fold `j` has `C_prev` (`C_W0` for `j = 0`, fold
//! `j - 1`'s `C_new` after), the commitment `C_chunk` of chunk `j mod n_chunks` with its
//! Merkle path, its step proof, and an accumulator fold. The verifier, for each fold:
//!
//! 1. runs [`verify_step_in`] on `(spec digest, j, C_prev, C_new, C_chunk)`, which leaves
//!    one claim on each of `C_prev` and `C_chunk` and one claim per block on `C_new`,
//!    and the step transcript;
//! 2. checks the Merkle path of `C_chunk` at index `j mod n_chunks` against `C_data`;
//! 3. **continues the step transcript**: absorbs [`FOLD_LABEL`], then folds into the
//!    accumulator the claims `[claim on C_prev, claim on C_chunk, claims on C_new...]`
//!    with [`Accumulator::verify_fold_bound`]: only the accumulator's own claim is
//!    absorbed, since the step transcript already bound the three commitments and every
//!    message the claims are computed from. Three distinct commitments per fold: three
//!    128-bit scalar multiplications, `C_acc' = C_acc + b_1 C_prev + b_2 C_chunk + b_3
//!    C_new`. Nothing is left pending between folds, so the folded proof's state holds
//!    only `C_prev` and the accumulator.
//!
//! For fold 0 the claim on `C_W0` is on the model layout; the in-circuit verifier pads
//! its point with zeros to the fold layout, which the aggregation does anyway.
//!
//! At the end, on a fresh final transcript ([`FINAL_LABEL`], the whole statement, the
//! number of folds, the accumulator's claim), the verifier draws a point `r` of the model
//! layout; the prover sends `v`, the model table behind `C_WT` at `r`. The claims
//! `(C_last, r || bits of the model block, v)` and `(C_WT, r, v)` tie the last fold's
//! model block to `C_WT`; they are folded into the accumulator, which is then opened by
//! one zero-knowledge inner-product argument ([`verify_finish`]).
//!
//! The accumulator starts empty over [`run_num_vars`] variables (the largest table:
//! usually the fold table), and the commitment key must cover `2^run_num_vars`
//! generators ([`key_len`], exactly: the opening's transcript absorbs the key's length);
//! it is derived from [`KEY_LABEL`].
//!
//! # Zero knowledge
//!
//! Every commitment is hiding, the accumulator's opening is zero-knowledge, but the step
//! proofs are not: they reveal evaluations of committed tables. This proof is therefore
//! **not zero-knowledge**; the folded proof keeps the step proofs as witnesses.

mod data;
mod prover;

use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use thiserror::Error;
use zkpot_core::{Claim, Fr, PoseidonTranscript, Transcript};
use zkpot_pcs::{
    accumulator::{Accumulator, FoldProof, OpenProof},
    merkle::{verify_path, MerklePath},
    pedersen::{Commitment, PedersenKey},
    CommittedClaim, PcsError,
};
use zkpot_trainer::{SpecError, TrainSpec};

use crate::step::{verify_step_in, Block, StepClaims, StepProof, StepShape, StepStatement};

pub use data::{chunk_batches, ChunkedData};

/// The commitment scheme of a run (Pedersen + IPA), named once.
pub type Pcs = zkpot_pcs::PedersenIpa;
pub use prover::{
    accumulate_fold, model_of, rng_from_state, rng_state, FinishedRun, FoldReport, RunProver,
    RNG_STATE_LEN,
};

/// The label every run's Pedersen generators are derived from.
pub const KEY_LABEL: &[u8] = b"zkpot/pedersen/v1";
/// The first absorption of every fold's accumulator transcript.
pub const FOLD_LABEL: &[u8] = b"zkpot/gkr/run/fold";
/// The first absorption of the final transcript (tie to `C_WT` and the opening).
pub const FINAL_LABEL: &[u8] = b"zkpot/gkr/run/final";

/// `C_data`: the root of the Poseidon Merkle tree over the chunk commitments
/// ([`zkpot_pcs::merkle`]), and the number of chunks (which the root also binds).
#[derive(Clone, Copy, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct DataCommitment {
    /// The published root.
    pub root: Fr,
    /// The number of chunks (leaves).
    pub num_chunks: u64,
}

impl DataCommitment {
    fn absorb_into<T: Transcript>(&self, t: &mut T) {
        t.absorb_field(&self.root);
        t.absorb_u64(self.num_chunks);
    }
}

/// What a run proof proves (`DESIGN.md` section 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunStatement {
    /// The resolved spec (iterations set).
    pub spec: TrainSpec,
    /// `C_data`.
    pub data: DataCommitment,
    /// `C_W0`, the starting model.
    pub w0: Commitment,
    /// `C_WT`, the model after `T` iterations.
    pub wt: Commitment,
}

impl RunStatement {
    /// The number of iterations `T`.
    pub fn iterations(&self) -> u64 {
        self.spec.iterations.unwrap_or(0)
    }

    /// The number of folds, `T / k`.
    pub fn folds(&self) -> u64 {
        self.iterations() / (self.spec.steps_per_fold.max(1) as u64)
    }

    /// The canonical encoding: the spec as [`TrainSpec::to_json`] (length-prefixed,
    /// `u32` little endian), then `data`, `w0`, `wt` compressed.
    pub fn to_bytes(&self) -> Vec<u8> {
        let json = self.spec.to_json();
        let mut out = Vec::with_capacity(json.len() + 4 + 160);
        out.extend_from_slice(&(json.len() as u32).to_le_bytes());
        out.extend_from_slice(json.as_bytes());
        // Writing into a Vec cannot fail.
        let _ = (self.data, self.w0, self.wt).serialize_compressed(&mut out);
        out
    }

    /// Decodes [`RunStatement::to_bytes`] from the front of `reader`, advancing it. Only
    /// the canonical encoding is accepted: the spec's JSON must be exactly what
    /// [`TrainSpec::to_json`] writes for the spec it parses to, and points must be on
    /// the curve.
    pub fn read(reader: &mut &[u8]) -> Result<Self, RunError> {
        let bad = RunError::Malformed;
        let (len, rest) = reader
            .split_first_chunk::<4>()
            .ok_or(bad("truncated statement"))?;
        let len = u32::from_le_bytes(*len) as usize;
        let (json, rest) = rest
            .split_at_checked(len)
            .ok_or(bad("truncated statement"))?;
        let text = std::str::from_utf8(json).map_err(|_| bad("the spec is not UTF-8"))?;
        let spec: TrainSpec =
            serde_json::from_str(text).map_err(|_| bad("the spec is not a valid spec"))?;
        if spec.to_json() != text {
            return Err(bad("the spec is not in its canonical encoding"));
        }
        let mut rest = rest;
        let (data, w0, wt) = <(DataCommitment, Commitment, Commitment)>::deserialize_with_mode(
            &mut rest,
            Compress::Yes,
            Validate::Yes,
        )
        .map_err(|_| bad("undecodable statement commitments"))?;
        *reader = rest;
        Ok(RunStatement { spec, data, w0, wt })
    }

    fn absorb_into<T: Transcript>(&self, digest: Fr, t: &mut T) {
        t.absorb_field(&digest);
        self.data.absorb_into(t);
        t.absorb_point(&self.w0.0);
        t.absorb_point(&self.wt.0);
        t.absorb_u64(self.iterations());
    }
}

/// One fold of a run proof.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct FoldRecord {
    /// `C_new`: the fold's commitment.
    pub new: Commitment,
    /// The commitment of the fold's data chunk.
    pub chunk: Commitment,
    /// Its Merkle path in `C_data`.
    pub path: MerklePath,
    /// The step proof of the fold's `k` iterations.
    pub step: StepProof,
    /// The fold of the step proof's claims into the accumulator.
    pub accumulate: FoldProof,
}

/// The proof of a training run (see the [module documentation](self)).
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct RunProof {
    /// One record per fold, in order.
    pub folds: Vec<FoldRecord>,
    /// `v`: the table behind `C_WT` at the final transcript's point.
    pub tie_value: Fr,
    /// The fold of the two tie claims into the accumulator.
    pub finish: FoldProof,
    /// The opening of the final accumulator.
    pub open: OpenProof,
}

impl RunProof {
    /// The canonical compressed encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.compressed_size());
        // Writing into a Vec cannot fail.
        let _ = self.serialize_compressed(&mut out);
        out
    }

    /// Decodes [`RunProof::to_bytes`] (checking every point and field element) from the
    /// front of `reader`, advancing it.
    pub fn read(reader: &mut &[u8]) -> Result<Self, RunError> {
        Self::deserialize_with_mode(reader, Compress::Yes, Validate::Yes)
            .map_err(|_| RunError::Malformed("undecodable run proof"))
    }

    /// The bytes of all step proofs together (the part that grows with `T`).
    pub fn step_bytes(&self) -> usize {
        self.folds.iter().map(|f| f.step.compressed_size()).sum()
    }
}

/// Why a run could not be proven, or its proof was rejected.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum RunError {
    /// The spec is not a resolved, provable spec.
    #[error("spec: {0}")]
    Spec(#[from] SpecError),
    /// The spec's shape cannot be proven.
    #[error("shape: {0}")]
    Shape(crate::Error),
    /// The proof has the wrong number of folds for the statement.
    #[error("the proof has {got} folds; the statement's {iterations} iterations need {expected}")]
    FoldCount {
        /// `T / k`.
        expected: u64,
        /// Folds in the proof.
        got: u64,
        /// `T`.
        iterations: u64,
    },
    /// The commitment key is too short or has another label.
    #[error("commitment key: {0}")]
    Key(String),
    /// A fold's step proof was rejected (or could not be made).
    #[error("fold {fold}: step proof: {source}")]
    Step {
        /// The fold.
        fold: u64,
        /// Why.
        source: crate::Error,
    },
    /// A fold's chunk is not the expected chunk of `C_data`.
    #[error("fold {fold}: the data chunk is not chunk {expected} of C_data: {source}")]
    Chunk {
        /// The fold.
        fold: u64,
        /// The chunk index it must use.
        expected: u64,
        /// Why.
        source: PcsError,
    },
    /// A fold's claims could not be folded into the accumulator.
    #[error("fold {fold}: accumulator: {source}")]
    Accumulate {
        /// The fold.
        fold: u64,
        /// Why.
        source: PcsError,
    },
    /// The tie of the last fold to `C_WT` or the final opening failed.
    #[error("final accumulator: {0}")]
    Final(PcsError),
    /// The prover was handed witnesses that do not continue the run.
    #[error("witness: {0}")]
    Witness(String),
    /// Nothing left to prove, or the run is not finished.
    #[error("{0}")]
    State(&'static str),
    /// The proof or statement could not be decoded.
    #[error("malformed: {0}")]
    Malformed(&'static str),
}

/// The number of variables of the largest table a run commits to (fold, chunk or
/// model table), which is the accumulator's.
pub fn run_num_vars(shape: &StepShape) -> usize {
    shape
        .fold_layout()
        .num_vars
        .max(shape.chunk_layout().num_vars)
        .max(shape.model_layout().num_vars)
}

/// The number of generators a run of this shape needs: `2^run_num_vars`.
pub fn key_len(shape: &StepShape) -> usize {
    1usize << run_num_vars(shape)
}

/// The largest [`run_num_vars`] a run may have: a key of `2^32` generators is 256 GiB.
pub const MAX_RUN_VARS: usize = 32;

/// The shape of a statement's spec and the digest its folds absorb
/// ([`TrainSpec::fold_digest`]: the run's length is left out, so a run can be extended),
/// checked to be resolved with `T` a positive multiple
/// of `k`, and with tables of at most `2^MAX_RUN_VARS` entries.
pub fn run_shape(spec: &TrainSpec) -> Result<(StepShape, Fr), RunError> {
    let digest = spec.fold_digest()?;
    let shape = StepShape::new(spec).map_err(RunError::Shape)?;
    if run_num_vars(&shape) > MAX_RUN_VARS {
        return Err(RunError::Shape(crate::Error::TooManyVariables {
            num_vars: run_num_vars(&shape),
            max: MAX_RUN_VARS,
        }));
    }
    let t = spec.iterations.unwrap_or(0);
    if t == 0 || t % shape.k as u64 != 0 {
        return Err(SpecError::Invalid {
            field: "iterations",
            reason: "a run proof needs a positive multiple of steps_per_fold iterations".into(),
        }
        .into());
    }
    Ok((shape, digest))
}

fn check_key(key: &PedersenKey, shape: &StepShape) -> Result<(), RunError> {
    if key.label() != KEY_LABEL {
        return Err(RunError::Key(
            "not derived from the run label zkpot/pedersen/v1".into(),
        ));
    }
    if key.max_len() != key_len(shape) {
        return Err(RunError::Key(format!(
            "{} generators, the run needs exactly {}",
            key.max_len(),
            key_len(shape)
        )));
    }
    Ok(())
}

/// Continues fold `j`'s step transcript for its accumulator fold: absorbs
/// [`FOLD_LABEL`].
fn fold_transcript(mut step: PoseidonTranscript) -> PoseidonTranscript {
    step.absorb_bytes(FOLD_LABEL);
    step
}

/// The claims fold `j` folds into the accumulator: `[prev, chunk, new...]`.
fn fold_claims(statement: &StepStatement, claims: &StepClaims) -> Vec<CommittedClaim> {
    [
        on(statement.prev, &claims.prev),
        on(statement.chunk, &claims.chunk),
    ]
    .into_iter()
    .chain(claims.new.iter().map(|c| on(statement.new, c)))
    .collect()
}

/// A table claim on a commitment.
fn on(commitment: Commitment, c: &Claim) -> CommittedClaim {
    CommittedClaim {
        commitment,
        claim: c.clone(),
    }
}

/// The final transcript, after the statement, the fold count and the accumulator; and
/// the tie point `r` drawn from it.
fn final_transcript(
    statement: &RunStatement,
    digest: Fr,
    folds: u64,
    accumulator: &Accumulator,
    shape: &StepShape,
) -> (PoseidonTranscript, Vec<Fr>) {
    let mut t = PoseidonTranscript::new(FINAL_LABEL);
    statement.absorb_into(digest, &mut t);
    t.absorb_u64(folds);
    accumulator.claim.absorb_into(&mut t);
    let r = t.challenges(shape.model_layout().num_vars);
    (t, r)
}

/// The two tie claims: the last fold's model block and `C_WT` at `r`, both `v`.
fn tie_claims(
    shape: &StepShape,
    last: Commitment,
    wt: Commitment,
    r: &[Fr],
    v: Fr,
) -> Result<[CommittedClaim; 2], RunError> {
    let point = shape
        .fold_layout()
        .point(Block::Model, r)
        .map_err(RunError::Shape)?;
    Ok([
        CommittedClaim::new(last, point, v),
        CommittedClaim::new(wt, r.to_vec(), v),
    ])
}

/// Verifies a run proof against its statement with the run's commitment key (label
/// [`KEY_LABEL`], exactly [`key_len`] generators: the final opening's transcript binds
/// the key's length). Never panics on malformed input.
///
/// Returns `Ok(())` when every fold's step proof, chunk path and accumulator fold, the
/// tie to `C_WT` and the final opening all verify.
pub fn verify_run(
    key: &PedersenKey,
    statement: &RunStatement,
    proof: &RunProof,
) -> Result<(), RunError> {
    let (shape, digest) = run_shape(&statement.spec)?;
    check_key(key, &shape)?;
    let expected = statement.folds();
    if proof.folds.len() as u64 != expected {
        return Err(RunError::FoldCount {
            expected,
            got: proof.folds.len() as u64,
            iterations: statement.iterations(),
        });
    }
    let data = &statement.data;
    let mut accumulator = Accumulator::empty(run_num_vars(&shape));
    let mut prev = statement.w0;
    for (j, fold) in proof.folds.iter().enumerate() {
        let j = j as u64;
        let step = StepStatement {
            spec_digest: digest,
            fold_index: j,
            prev,
            new: fold.new,
            chunk: fold.chunk,
        };
        let (claims, t) = verify_step_in(&shape, &step, &fold.step)
            .map_err(|source| RunError::Step { fold: j, source })?;
        let expected_chunk = j % data.num_chunks.max(1);
        let chunk_err = |source| RunError::Chunk {
            fold: j,
            expected: expected_chunk,
            source,
        };
        if fold.path.index != expected_chunk {
            return Err(chunk_err(PcsError::LeafIndexOutOfRange {
                index: fold.path.index,
                num_leaves: data.num_chunks,
            }));
        }
        verify_path(data.root, data.num_chunks, &fold.chunk, &fold.path).map_err(chunk_err)?;
        let mut t = fold_transcript(t);
        accumulator = accumulator
            .verify_fold_bound::<Pcs, _>(&fold_claims(&step, &claims), &fold.accumulate, &mut t)
            .map_err(|source| RunError::Accumulate { fold: j, source })?;
        prev = fold.new;
    }
    verify_finish(
        key,
        statement,
        expected,
        prev,
        &accumulator,
        &FinishProof {
            tie_value: proof.tie_value,
            finish: proof.finish.clone(),
            open: proof.open.clone(),
        },
    )
}

/// The end of a run proof: the tie of the last fold's model block to `C_WT` and the
/// opening of the accumulator.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct FinishProof {
    /// `v`: the table behind `C_WT` at the final transcript's point.
    pub tie_value: Fr,
    /// The fold of the two tie claims into the accumulator.
    pub finish: FoldProof,
    /// The opening of the final accumulator.
    pub open: OpenProof,
}

/// Verifies the end of a run of `folds` folds (at least one) whose last fold committed
/// to `last` and left `accumulator`: the final transcript, the tie of `last`'s model
/// block to `statement.wt`, and the opening. Shared by [`verify_run`] and the folded
/// proof's verifier. Never panics on malformed input.
pub fn verify_finish(
    key: &PedersenKey,
    statement: &RunStatement,
    folds: u64,
    last: Commitment,
    accumulator: &Accumulator,
    proof: &FinishProof,
) -> Result<(), RunError> {
    let (shape, digest) = run_shape(&statement.spec)?;
    check_key(key, &shape)?;
    if folds == 0 || folds != statement.folds() {
        return Err(RunError::FoldCount {
            expected: statement.folds(),
            got: folds,
            iterations: statement.iterations(),
        });
    }
    if accumulator.claim.claim.point.len() != run_num_vars(&shape) {
        return Err(RunError::Malformed(
            "the accumulator has the wrong number of variables",
        ));
    }
    let (mut t, r) = final_transcript(statement, digest, folds, accumulator, &shape);
    let ties = tie_claims(&shape, last, statement.wt, &r, proof.tie_value)?;
    let accumulator = accumulator
        .verify_fold::<Pcs, _>(&ties, &proof.finish, &mut t)
        .map_err(RunError::Final)?;
    accumulator
        .verify_open::<Pcs, _>(key, &proof.open, &mut t)
        .map_err(RunError::Final)
}
