//! The per-fold relation of a run (`DESIGN.md` section 6), natively here and in-circuit
//! in [`constraints`]: fold `j` has `C_prev` (`C_W0` for `j = 0`, fold `j - 1`'s `C_new`
//! after), the commitment `C_chunk` of chunk `j mod n_chunks` with its Merkle path, its
//! step proof, and an accumulator fold. The verifier ([`verify_fold`]):
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
//!    C_new`. Nothing is left pending between folds.
//!
//! For fold 0 the claim on `C_W0` is on the model layout; the in-circuit verifier pads
//! its point with zeros to the fold layout, which the aggregation does anyway.
//!
//! [`accumulate_fold`] is the prover's side of step 3; [`dummy_fold`] is a valid fold of
//! the all-zero model, from which the IVC's keys are generated.

pub mod constraints;

use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkpot_core::{Backend, Claim, CpuBackend, Fr, PoseidonTranscript, Transcript};
use zkpot_gkr::step::{
    chunk_table, commit_table, prove_step, verify_step_in, FoldInputs, StepClaims, StepOutput,
    StepProof, StepShape, StepStatement,
};
use zkpot_pcs::{
    accumulator::{Accumulator, AccumulatorProver, FoldProof},
    merkle::{tree_depth, verify_path, MerklePath},
    pedersen::{random_blind, Commitment, Opening},
    CommitKey, CommittedClaim, PcsError,
};
use zkpot_trainer::{sgd_step, Matrix, Mlp, TrainSpec};

use crate::{
    error::RunError,
    prover::model_of,
    statement::{run_num_vars, run_shape, DataCommitment},
    Pcs,
};

/// The first absorption of every fold's accumulator transcript.
pub const FOLD_LABEL: &[u8] = b"zkpot/gkr/run/fold";

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

/// Continues fold `j`'s step transcript for its accumulator fold: absorbs
/// [`FOLD_LABEL`].
pub(crate) fn fold_transcript(mut step: PoseidonTranscript) -> PoseidonTranscript {
    step.absorb_bytes(FOLD_LABEL);
    step
}

/// The claims fold `j` folds into the accumulator: `[prev, chunk, new...]`.
pub(crate) fn fold_claims(statement: &StepStatement, claims: &StepClaims) -> Vec<CommittedClaim> {
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

/// Verifies fold `fold_index` of a run (steps 1 to 3 of the [module docs](self)):
/// `record` proves the fold from `C_prev = prev` on chunk `fold_index mod n_chunks` of
/// `data`, and folds its claims into `accumulator`. Returns the new accumulator. Never
/// panics on malformed input.
pub fn verify_fold(
    shape: &StepShape,
    digest: Fr,
    data: &DataCommitment,
    fold_index: u64,
    prev: Commitment,
    accumulator: &Accumulator,
    record: &FoldRecord,
) -> Result<Accumulator, RunError> {
    let j = fold_index;
    let step = StepStatement {
        spec_digest: digest,
        fold_index: j,
        prev,
        new: record.new,
        chunk: record.chunk,
    };
    let (claims, t) = verify_step_in(shape, &step, &record.step)
        .map_err(|source| RunError::Step { fold: j, source })?;
    let expected_chunk = j % data.num_chunks.max(1);
    let chunk_err = |source| RunError::Chunk {
        fold: j,
        expected: expected_chunk,
        source,
    };
    if record.path.index != expected_chunk {
        return Err(chunk_err(PcsError::LeafIndexOutOfRange {
            index: record.path.index,
            num_leaves: data.num_chunks,
        }));
    }
    verify_path(data.root, data.num_chunks, &record.chunk, &record.path).map_err(chunk_err)?;
    let mut t = fold_transcript(t);
    accumulator
        .verify_fold_bound::<Pcs, _>(&fold_claims(&step, &claims), &record.accumulate, &mut t)
        .map_err(|source| RunError::Accumulate { fold: j, source })
}

/// The accumulator fold of a proven fold (the prover's side of step 3 of the
/// [module docs](self)): continues the step transcript `out.transcript` and folds the claims
/// on `C_prev` (opened by `prev`), `C_chunk` (`chunk`) and `C_new` (`out.opening`) into
/// `accumulator`. On an error the accumulator is unchanged.
pub fn accumulate_fold<B: Backend>(
    backend: &B,
    accumulator: &mut AccumulatorProver,
    out: &StepOutput,
    prev: &Opening,
    chunk: &Opening,
) -> Result<FoldProof, PcsError> {
    let mut t = fold_transcript(out.transcript.clone());
    let claims = fold_claims(&out.statement, &out.claims);
    let mut openings: Vec<&Opening> = vec![prev, chunk];
    openings.resize(claims.len(), &out.opening);
    accumulator.fold_bound::<Pcs, _, _>(backend, &claims, &openings, &mut t)
}

/// A fold of the all-zero model trained on all-zero batches (every value in range): a
/// valid fold record of the spec's shape, for key generation.
pub fn dummy_fold<K: CommitKey + ?Sized>(
    key: &K,
    spec: &TrainSpec,
    num_chunks: u64,
) -> Result<FoldRecord, RunError> {
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
    let shape_err = RunError::Shape;
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
