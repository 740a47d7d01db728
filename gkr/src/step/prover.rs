//! The step prover: materializes every table of the fold from the trainer's witnesses
//! (padded and stacked), commits the fold table, and runs the flow recording messages.

// The prover indexes tables it built or whose lengths it checked; the parent module's
// deny of indexing guards the verifier's paths, which never come here.
#![allow(clippy::indexing_slicing)]

use std::collections::HashMap;
use std::time::{Duration, Instant};
use zkpot_core::Claim;

use rand::RngCore;
use rayon::prelude::*;
use zkpot_core::{
    i128_to_field,
    sumcheck::{self, ProductProver},
    Backend, Fr, PoseidonTranscript, ProductSum, Transcript,
};
use zkpot_pcs::pedersen::{random_blind, Commitment, Opening};
use zkpot_pcs::{CommitKey, Segment};
use zkpot_trainer::{LayerWitness, Matrix, StepWitness};

use super::flow::{self, ClaimPair, Merged, Side};
use super::layout::{Block, Layout, LimbOf, RangeRegion, Rem, StepShape, Tensor};
use super::{FoldInputs, ShiftProof, StepClaims, StepProof, StepStatement};
use crate::elementwise::{prove_booleanity, prove_hadamard, prove_merge};
use crate::matmul::{prove_matmul, MatmulShape};
use crate::range::prove_range_in;
use crate::reshape::{prove_affine, verify_colsum, StackShape};
use crate::{Error, FlowCheck};

/// The `k` witnesses of one fold, checked against the shape.
pub struct StepWitnesses<'a> {
    shape: &'a StepShape,
    steps: &'a [StepWitness],
}

impl<'a> StepWitnesses<'a> {
    /// Wraps `steps` (exactly `k`, consecutive, of `shape`'s model). Errors on a count or
    /// dimension mismatch.
    pub fn new(shape: &'a StepShape, steps: &'a [StepWitness]) -> Result<Self, Error> {
        Self::checked(shape, steps, true)
    }

    /// [`StepWitnesses::new`], checking the gradient quotients only if `quotients`.
    fn checked(
        shape: &'a StepShape,
        steps: &'a [StepWitness],
        quotients: bool,
    ) -> Result<Self, Error> {
        shape.check()?;
        if steps.len() != shape.k {
            return Err(Error::WrongWitnessCount {
                got: steps.len(),
                k: shape.k,
            });
        }
        let big_l = shape.num_layers();
        for (i, w) in steps.iter().enumerate() {
            if w.layers.len() != big_l
                || w.x.rows() != shape.valid_rows
                || w.x.cols() != shape.layers[0]
                || w.y.rows() != shape.valid_rows
                || w.y.cols() != shape.layers[big_l]
            {
                return Err(Error::WitnessShape {
                    witness: i,
                    layer: None,
                    what: "the batch or the number of layers",
                });
            }
            for (l, lw) in w.layers.iter().enumerate() {
                check_layer(shape, i, l + 1, lw, quotients)?;
            }
        }
        Ok(Self { shape, steps })
    }
}

/// Checks the witness of layer `layer` (`1..=L`) of witness `witness` against the shape:
/// every tensor's dimensions and, if `quotients`, the parts the proof takes to be one.
fn check_layer(
    shape: &StepShape,
    witness: usize,
    layer: usize,
    lw: &LayerWitness,
    quotients: bool,
) -> Result<(), Error> {
    let big_l = shape.num_layers();
    let (din, dout) = (shape.layers[layer - 1], shape.layers[layer]);
    let rows = lw.z.input.len();
    let ok = lw.w.rows() == din
        && lw.w.cols() == dout
        && lw.b.len() == dout
        && lw.w_new.rows() == din
        && lw.w_new.cols() == dout
        && lw.b_new.len() == dout
        && rows == shape.valid_rows * dout
        && lw.z.remainder.len() == rows
        && lw.z.quotient.data().len() == rows
        && lw.sign.len() == if layer < big_l { rows } else { 0 }
        && lw.a.data().len() == rows
        && lw.g.data().len() == rows
        && lw.dw.input.len() == din * dout
        && lw.dw.remainder.len() == din * dout
        && lw.dw.quotient.data().len() == din * dout
        && lw.db.input.len() == dout
        && lw.db.remainder.len() == dout
        && lw.db.quotient.data().len() == dout
        && match (&lw.back, layer) {
            (None, 1) => true,
            (Some(b), l) if l > 1 => {
                b.input.len() == shape.valid_rows * din
                    && b.remainder.len() == b.input.len()
                    && b.quotient.data().len() == b.input.len()
            }
            _ => false,
        };
    if !ok {
        return Err(Error::WitnessShape {
            witness,
            layer: Some(layer),
            what: "a tensor of the layer",
        });
    }
    if !quotients {
        return Ok(());
    }
    // dW and db are not committed: the proof shows W' = W - dW with dW the rescaled
    // product, so the witness's own quotients must agree.
    let dw_ok =
        (0..din * dout).all(|j| lw.dw.quotient.data()[j] == lw.w.data()[j] - lw.w_new.data()[j]);
    let db_ok = (0..dout).all(|j| lw.db.quotient.data()[j] == lw.b[j] - lw.b_new[j]);
    if !dw_ok || !db_ok {
        return Err(Error::WitnessInconsistent {
            witness,
            layer,
            what: "the gradient quotients are not W - W'",
        });
    }
    // The output activation is the quotient itself (no ReLU); the proof uses q.
    if layer == big_l && lw.a.data() != lw.z.quotient.data() {
        return Err(Error::WitnessInconsistent {
            witness,
            layer,
            what: "the output activation is not q_L",
        });
    }
    Ok(())
}

/// The padded model table (the layout of [`StepShape::model_layout`]) of the weights
/// `W_l, b_l` (`layers[l-1]`).
pub fn model_table(shape: &StepShape, layers: &[(&Matrix, &[i64])]) -> Result<Vec<Fr>, Error> {
    shape.check()?;
    if layers.len() != shape.num_layers() {
        return Err(Error::WrongLayerCount {
            expected: shape.num_layers(),
            got: layers.len(),
        });
    }
    let layout = shape.model_layout();
    let mut table = vec![Fr::from(0u64); 1 << layout.num_vars];
    for (i, (w, b)) in layers.iter().enumerate() {
        let l = i + 1;
        let (din, dout) = (shape.layers[l - 1], shape.layers[l]);
        if w.rows() != din || w.cols() != dout || b.len() != dout {
            return Err(Error::ModelShape { layer: l });
        }
        let nw = shape.width(l);
        let ew = layout.entry(Tensor::Wt(l)).map_or(0, |e| e.offset);
        for r in 0..din {
            for c in 0..dout {
                table[ew + r * nw + c] = i128_to_field(i128::from(w.get(r, c)));
            }
        }
        let eb = layout.entry(Tensor::Bt(l)).map_or(0, |e| e.offset);
        for (c, &v) in b.iter().enumerate() {
            table[eb + c] = i128_to_field(i128::from(v));
        }
    }
    Ok(table)
}

/// The chunk table (the layout of [`StepShape::chunk_layout`]) of a fold's witnesses.
pub fn chunk_table(shape: &StepShape, steps: &[StepWitness]) -> Result<Vec<Fr>, Error> {
    StepWitnesses::checked(shape, steps, false)?;
    let batches: Vec<(&Matrix, &Matrix)> = steps.iter().map(|s| (&s.x, &s.y)).collect();
    batches_table(shape, &batches)
}

/// The chunk table (the layout of [`StepShape::chunk_layout`]) of `k` batches `(X_t, Y_t)`
/// in training order: what [`chunk_table`] builds from the witnesses, built from the data
/// alone (to commit a dataset before training).
pub fn batches_table(shape: &StepShape, batches: &[(&Matrix, &Matrix)]) -> Result<Vec<Fr>, Error> {
    shape.check()?;
    let big_l = shape.num_layers();
    let (d_in, d_out) = (shape.layers[0], shape.layers[big_l]);
    if batches.len() != shape.k {
        return Err(Error::WrongWitnessCount {
            got: batches.len(),
            k: shape.k,
        });
    }
    if let Some(i) = batches.iter().position(|(x, y)| {
        x.rows() != shape.valid_rows
            || x.cols() != d_in
            || y.rows() != shape.valid_rows
            || y.cols() != d_out
    }) {
        return Err(Error::WitnessShape {
            witness: i,
            layer: None,
            what: "the batch",
        });
    }
    let layout = shape.chunk_layout();
    let mut table = vec![Fr::from(0u64); 1 << layout.num_vars];
    for (t, cols, pick) in [
        (Tensor::X, shape.width(0), 0usize),
        (Tensor::Y, shape.width(big_l), 1),
    ] {
        let off = layout.entry(t).map_or(0, |e| e.offset);
        let per = shape.rows * cols;
        table[off..off + per * shape.k]
            .par_chunks_mut(per)
            .zip(batches.par_iter())
            .for_each(|(dst, (x, y))| {
                let m = if pick == 0 { *x } else { *y };
                for r in 0..m.rows() {
                    for c in 0..m.cols() {
                        dst[r * cols + c] = i128_to_field(i128::from(m.get(r, c)));
                    }
                }
            });
    }
    Ok(table)
}

/// Commits to a table of signed values with a blind, on any scheme's key (for Pedersen
/// `sum_i t_i G_i + blind H`).
pub fn commit_table<K: CommitKey + ?Sized, B: Backend>(
    key: &K,
    backend: &B,
    table: &[Fr],
    blind: Fr,
) -> Result<Commitment, Error> {
    Ok(key.commit(backend, table, blind)?)
}

/// Where the prover's time went (wall clock, summed over calls).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProveTimings {
    /// Building the fold table and committing to it (`C_new`).
    pub commit: Duration,
    /// The LogUp-GKR range checks.
    pub range: Duration,
    /// The matrix-product sumchecks.
    pub matmul: Duration,
    /// Hadamard, booleanity and shift sumchecks, affine splits.
    pub elementwise: Duration,
    /// Claim merges (tensors, `C_prev` and `C_chunk`).
    pub merge: Duration,
    /// Table evaluations the prover sends (including building the tables).
    pub evals: Duration,
    /// The whole proof.
    pub total: Duration,
}

/// What [`prove_step`] returns.
#[derive(Clone, Debug)]
pub struct StepOutput {
    /// The proof.
    pub proof: StepProof,
    /// The statement, with this fold's commitment `new`.
    pub statement: StepStatement,
    /// The claims on the three tables (the same [`super::verify_step`] returns).
    pub claims: StepClaims,
    /// The opening of `statement.new` (the fold table and its blind).
    pub opening: Opening,
    /// The step transcript after the last message (the verifier's, from
    /// [`super::verify_step_in`]).
    pub transcript: PoseidonTranscript,
    /// Where the time went.
    pub timings: ProveTimings,
}

/// Proves the fold of `steps` (its `k` witnesses) given `inputs` (the spec digest, the
/// fold index and the commitments `prev`, to the starting weights' table, and `chunk`,
/// to the chunk table), committing the fold table with a fresh blind from `rng`.
/// Returns the proof, the statement (with `C_new`), the claims on the three tables, the
/// opening of `C_new` and the timings.
pub fn prove_step<K: CommitKey + ?Sized, B: Backend, R: RngCore>(
    backend: &B,
    key: &K,
    shape: &StepShape,
    inputs: &FoldInputs,
    steps: &[StepWitness],
    rng: &mut R,
) -> Result<StepOutput, Error> {
    prove(backend, key, shape, inputs, steps, rng, false)
}

/// [`prove_step`] for soundness tests: proves *any* witness of the right shape, with
/// out-of-range values split anyway and the prover's own checks skipped, so that a test
/// can hand the result to [`super::verify_step`] and see it rejected. Never use it to
/// prove a real run.
#[doc(hidden)]
pub fn prove_step_lenient<K: CommitKey + ?Sized, B: Backend, R: RngCore>(
    backend: &B,
    key: &K,
    shape: &StepShape,
    inputs: &FoldInputs,
    steps: &[StepWitness],
    rng: &mut R,
) -> Result<StepOutput, Error> {
    prove(backend, key, shape, inputs, steps, rng, true)
}

fn prove<K: CommitKey + ?Sized, B: Backend, R: RngCore>(
    backend: &B,
    key: &K,
    shape: &StepShape,
    inputs: &FoldInputs,
    steps: &[StepWitness],
    rng: &mut R,
    lenient: bool,
) -> Result<StepOutput, Error> {
    let start = Instant::now();
    let witnesses = StepWitnesses::checked(shape, steps, !lenient)?;
    let mut side = ProverSide {
        backend,
        shape,
        w: witnesses,
        cache: HashMap::new(),
        transcript: PoseidonTranscript::new(super::STEP_LABEL),
        proof: StepProof::default(),
        fold: None,
        timings: ProveTimings::default(),
        lenient,
        layout: shape.fold_layout(),
    };
    let (fold_table, small, big) = side.fold_table()?;
    let blind = random_blind(rng);
    let new = side.commit_fold(key, &small, &big, &fold_table, blind)?;
    drop(small);
    side.timings.commit = start.elapsed();
    side.fold = Some(fold_table);
    let statement = StepStatement {
        spec_digest: inputs.spec_digest,
        fold_index: inputs.fold_index,
        prev: inputs.prev,
        new,
        chunk: inputs.chunk,
    };
    let claims = flow::run_native(&mut side, shape, &statement)?;
    let table = side.fold.take().unwrap_or_default();
    let mut timings = side.timings;
    timings.total = start.elapsed();
    Ok(StepOutput {
        proof: side.proof,
        statement,
        claims,
        opening: Opening { table, blind },
        transcript: side.transcript,
        timings,
    })
}

struct ProverSide<'a, B: Backend> {
    backend: &'a B,
    shape: &'a StepShape,
    w: StepWitnesses<'a>,
    cache: HashMap<Tensor, Vec<Fr>>,
    transcript: PoseidonTranscript,
    proof: StepProof,
    fold: Option<Vec<Fr>>,
    timings: ProveTimings,
    lenient: bool,
    layout: Layout<Block>,
}

/// Whether a tensor is a block of the fold table (limbs and sign bits).
fn is_block(t: Tensor) -> bool {
    matches!(t, Tensor::Limb(..) | Tensor::S(_))
}

/// A tensor's table: its block of the fold table, or the cache.
fn lookup<'s>(
    fold: &'s Option<Vec<Fr>>,
    layout: &Layout<Block>,
    cache: &'s HashMap<Tensor, Vec<Fr>>,
    t: Tensor,
) -> Result<&'s [Fr], Error> {
    let missing = || Error::MissingTable { tensor: t };
    match fold {
        Some(fold) if is_block(t) => {
            let e = layout.entry(Block::Tensor(t)).ok_or_else(missing)?;
            fold.get(e.offset..e.offset + (1 << e.num_vars))
                .ok_or_else(missing)
        }
        _ => cache.get(&t).map(Vec::as_slice).ok_or_else(missing),
    }
}

/// `h = 2^(bits-1)` as an integer (0 for 0 bits).
fn half_int(bits: u32) -> i128 {
    if bits == 0 {
        0
    } else {
        1i128 << (bits - 1)
    }
}

/// One instance of a tensor as a padded grid: `rows x cols` entries, row-major, of which
/// the top-left `valid.0 x valid.1` hold values and the rest `pad`.
#[derive(Clone, Copy)]
struct Grid {
    rows: usize,
    cols: usize,
    valid: (usize, usize),
    pad: i128,
}

/// The instances of the fold a table stacks.
#[derive(Clone, Copy)]
enum Instances {
    /// The first only (the weights at the start of the fold).
    First,
    /// The last only (the weights after the fold).
    Last,
    /// All `k`, in order.
    All,
}

/// The stacked table of `grid` over `instances` (witness indices, in order), entry
/// `(r, c)` of a valid part from `get(witness, r, c)`.
fn stack(
    grid: Grid,
    instances: &[usize],
    get: &(dyn Fn(usize, usize, usize) -> i128 + Sync),
) -> Vec<i128> {
    let Grid {
        rows,
        cols,
        valid,
        pad,
    } = grid;
    let per = rows * cols;
    let mut out = vec![0i128; per * instances.len()];
    out.par_chunks_mut(per)
        .zip(instances.par_iter())
        .for_each(|(dst, &i)| {
            for r in 0..rows {
                for c in 0..cols {
                    dst[r * cols + c] = if r < valid.0 && c < valid.1 {
                        get(i, r, c)
                    } else {
                        pad
                    };
                }
            }
        });
    out
}

impl StepWitnesses<'_> {
    /// The padded, stacked integer table of a tensor that is not a limb.
    fn ints(&self, t: Tensor) -> Vec<i128> {
        let sh = self.shape;
        let big_l = sh.num_layers();
        let h_f = half_int(sh.rem_bits(Rem::Frac));
        let d = |l: usize| sh.layers[l];
        let quotient = |w: &LayerWitness, r: usize, c: usize| i128::from(w.z.quotient.get(r, c));
        use Instances::{All, First, Last};
        match t {
            Tensor::X | Tensor::A(0) => self.batch(0, 0, |s, r, c| i128::from(s.x.get(r, c))),
            Tensor::Y => self.batch(big_l, 0, |s, r, c| i128::from(s.y.get(r, c))),
            Tensor::Wt(l) => self.weights(l, First, 0, |w, r, c| i128::from(w.w.get(r, c))),
            Tensor::Bt(l) => self.biases(l, First, 0, |w, c| i128::from(w.b[c])),
            Tensor::Wfin(l) => self.weights(l, Last, 0, |w, r, c| i128::from(w.w_new.get(r, c))),
            Tensor::Bfin(l) => self.biases(l, Last, 0, |w, c| i128::from(w.b_new[c])),
            Tensor::Wold(l) => self.weights(l, All, 0, |w, r, c| i128::from(w.w.get(r, c))),
            Tensor::Bold(l) => self.biases(l, All, 0, |w, c| i128::from(w.b[c])),
            Tensor::Wnew(l) => self.weights(l, All, 0, |w, r, c| i128::from(w.w_new.get(r, c))),
            Tensor::Bnew(l) => self.biases(l, All, 0, |w, c| i128::from(w.b_new[c])),
            Tensor::Zq(l) => self.layer_batch(l, l, 0, quotient),
            // The output activation is the quotient itself (no ReLU).
            Tensor::A(l) if l == big_l => self.layer_batch(l, l, 0, quotient),
            Tensor::Zr(l) => {
                self.layer_batch(l, l, h_f, |w, r, c| i128::from(w.z.remainder[r * d(l) + c]))
            }
            // Padding quotients are 0, whose sign bit [0 >= 0] is 1.
            Tensor::S(l) => self.layer_batch(l, l, 1, |w, r, c| i128::from(w.sign[r * d(l) + c])),
            Tensor::A(l) => self.layer_batch(l, l, 0, |w, r, c| i128::from(w.a.get(r, c))),
            Tensor::G(l) => self.layer_batch(l, l, 0, |w, r, c| i128::from(w.g.get(r, c))),
            Tensor::Zin(l) => self.layer_batch(l, l, 0, |w, r, c| w.z.input[r * d(l) + c]),
            Tensor::Zp(l) => {
                let scale = 1i128 << sh.frac_bits;
                self.layer_batch(l, l, 0, |w, r, c| {
                    w.z.input[r * d(l) + c] - scale * i128::from(w.b[c])
                })
            }
            Tensor::Dr(l) => {
                let h = half_int(sh.rem_bits(Rem::Dw));
                self.weights(l, All, h, |w, r, c| {
                    i128::from(w.dw.remainder[r * d(l) + c])
                })
            }
            Tensor::DwIn(l) => self.weights(l, All, 0, |w, r, c| w.dw.input[r * d(l) + c]),
            Tensor::Br(l) => {
                let h = half_int(sh.rem_bits(Rem::Db));
                self.biases(l, All, h, |w, c| i128::from(w.db.remainder[c]))
            }
            Tensor::DbIn(l) => self.biases(l, All, 0, |w, c| w.db.input[c]),
            Tensor::Gq(l) => self.layer_batch(l, l - 1, 0, |w, r, c| {
                w.back
                    .as_ref()
                    .map_or(0, |x| i128::from(x.quotient.get(r, c)))
            }),
            Tensor::Gr(l) => self.layer_batch(l, l - 1, h_f, |w, r, c| {
                w.back
                    .as_ref()
                    .map_or(0, |x| i128::from(x.remainder[r * d(l - 1) + c]))
            }),
            Tensor::GqIn(l) => self.layer_batch(l, l - 1, 0, |w, r, c| {
                w.back.as_ref().map_or(0, |x| x.input[r * d(l - 1) + c])
            }),
            Tensor::Pad(of) => self.padding_mask(of.tensor()),
            Tensor::Limb(..) => Vec::new(),
        }
    }

    /// The witness indices of `instances`.
    fn instances(&self, instances: Instances) -> Vec<usize> {
        let k = self.steps.len();
        match instances {
            Instances::First => vec![0],
            Instances::Last => vec![k.saturating_sub(1)],
            Instances::All => (0..k).collect(),
        }
    }

    /// A table with a batch's rows and layer width `n_width` per instance (all `k`),
    /// from each step's witness.
    fn batch(
        &self,
        width: usize,
        pad: i128,
        get: impl Fn(&StepWitness, usize, usize) -> i128 + Sync,
    ) -> Vec<i128> {
        let sh = self.shape;
        let grid = Grid {
            rows: sh.rows,
            cols: sh.width(width),
            valid: (sh.valid_rows, sh.layers[width]),
            pad,
        };
        let steps = self.steps;
        stack(grid, &self.instances(Instances::All), &|i, r, c| {
            get(&steps[i], r, c)
        })
    }

    /// [`StepWitnesses::batch`] from the witness of layer `layer` (`1..=L`).
    fn layer_batch(
        &self,
        layer: usize,
        width: usize,
        pad: i128,
        get: impl Fn(&LayerWitness, usize, usize) -> i128 + Sync,
    ) -> Vec<i128> {
        self.batch(width, pad, |s, r, c| get(&s.layers[layer - 1], r, c))
    }

    /// A table shaped as layer `l`'s weights (`n_{l-1} x n_l`) per instance.
    fn weights(
        &self,
        l: usize,
        instances: Instances,
        pad: i128,
        get: impl Fn(&LayerWitness, usize, usize) -> i128 + Sync,
    ) -> Vec<i128> {
        let sh = self.shape;
        let grid = Grid {
            rows: sh.width(l - 1),
            cols: sh.width(l),
            valid: (sh.layers[l - 1], sh.layers[l]),
            pad,
        };
        let steps = self.steps;
        stack(grid, &self.instances(instances), &|i, r, c| {
            get(&steps[i].layers[l - 1], r, c)
        })
    }

    /// A table shaped as layer `l`'s bias (`1 x n_l`) per instance.
    fn biases(
        &self,
        l: usize,
        instances: Instances,
        pad: i128,
        get: impl Fn(&LayerWitness, usize) -> i128 + Sync,
    ) -> Vec<i128> {
        let sh = self.shape;
        let grid = Grid {
            rows: 1,
            cols: sh.width(l),
            valid: (1, sh.layers[l]),
            pad,
        };
        let steps = self.steps;
        stack(grid, &self.instances(instances), &|i, _, c| {
            get(&steps[i].layers[l - 1], c)
        })
    }

    /// The padding mask of an input tensor: 1 on padding entries, 0 on valid ones.
    fn padding_mask(&self, t: Tensor) -> Vec<i128> {
        let (rows, valid_rows, cols, valid_cols) = self.shape.padding(t).unwrap_or((1, 1, 1, 1));
        let grid = Grid {
            rows,
            cols,
            valid: (valid_rows, valid_cols),
            pad: 1,
        };
        let instances = if StepShape::stacked(t) {
            Instances::All
        } else {
            Instances::First
        };
        stack(grid, &self.instances(instances), &|_, _, _| 0)
    }

    /// The limbs of a range-checked tensor, per limb, and its top bits; errors on a
    /// value out of range unless `lenient`.
    fn limbs(&self, t: Tensor, lenient: bool) -> Result<Vec<Vec<i128>>, Error> {
        let enc = self
            .shape
            .encoding(t)
            .ok_or(Error::NotRangeChecked { tensor: t })?;
        let ints = self.ints(t);
        // The top bit of a quotient with a ReLU is the committed sign bit: split the rest
        // below it (an honest sign equals the top bit of the offset value, and anything
        // else leaves limbs out of range).
        let signs = enc.sign.map(|s| self.ints(s));
        let count = enc.widths.len();
        let mut out = vec![vec![0i128; ints.len()]; count];
        for (j, &x) in ints.iter().enumerate() {
            let (limbs, top) = match &signs {
                Some(signs) => (enc.split_with_top(x, signs[j]), signs[j]),
                None => enc.split(x),
            };
            if !lenient && !enc.in_range(&limbs, top) {
                return Err(Error::WitnessOutOfRange {
                    tensor: t,
                    index: j,
                    value: x,
                });
            }
            for (i, v) in limbs.into_iter().enumerate() {
                out[i][j] = v;
            }
        }
        Ok(out)
    }
}

impl<B: Backend> ProverSide<'_, B> {
    /// Fills the cache with the field table of a tensor.
    fn ensure(&mut self, t: Tensor) -> Result<(), Error> {
        if is_block(t) && self.fold.is_some() {
            return Ok(());
        }
        if !self.cache.contains_key(&t) {
            let table: Vec<Fr> = match t {
                Tensor::Limb(of, i) => {
                    let limbs = self.w.limbs(of.tensor(), self.lenient)?;
                    limbs
                        .get(i as usize)
                        .map(|v| v.par_iter().map(|&x| i128_to_field(x)).collect())
                        .unwrap_or_default()
                }
                _ => self
                    .w
                    .ints(t)
                    .par_iter()
                    .map(|&x| i128_to_field(x))
                    .collect(),
            };
            self.cache.insert(t, table);
        }
        Ok(())
    }

    /// The field table of a tensor: a slice of the fold table for committed blocks,
    /// else built once and cached.
    fn table(&mut self, t: Tensor) -> Result<&[Fr], Error> {
        self.ensure(t)?;
        lookup(&self.fold, &self.layout, &self.cache, t)
    }

    /// The small-valued blocks of the fold table (limbs, bits, multiplicities), and the
    /// whole table as field elements.
    #[allow(clippy::type_complexity)]
    fn fold_table(
        &mut self,
    ) -> Result<(Vec<Fr>, Vec<(usize, Vec<u64>)>, Vec<(usize, usize)>), Error> {
        let sh = self.shape;
        let layout = self.layout.clone();
        let mut small: Vec<(usize, Vec<u64>)> = Vec::new();
        let mut big: Vec<(usize, Vec<Fr>)> = Vec::new();
        let mut limb_values: HashMap<Tensor, Vec<i128>> = HashMap::new();
        for t in sh.ranged() {
            for (i, v) in self.w.limbs(t, self.lenient)?.into_iter().enumerate() {
                limb_values.insert(Tensor::Limb(LimbOf::new(t), i as u8), v);
            }
        }
        for region in sh.range_regions() {
            let mut counts = vec![0u64; 1 << region.width];
            let covered: usize = region
                .layout
                .entries
                .iter()
                .map(|e| 1usize << e.num_vars)
                .sum();
            counts[0] += ((1usize << region.layout.num_vars) - covered) as u64;
            for e in &region.layout.entries {
                for &x in limb_values
                    .get(&e.key)
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                {
                    // Only a lenient prover has limbs outside the table; it leaves them
                    // out of the count and the verifier's range check rejects.
                    if let Some(c) = usize::try_from(x).ok().and_then(|x| counts.get_mut(x)) {
                        *c += 1;
                    }
                }
            }
            let off = layout
                .entry(Block::Mult(region.index))
                .map_or(0, |e| e.offset);
            small.push((off, counts));
        }
        for (key, v) in limb_values {
            let off = layout.entry(Block::Tensor(key)).map_or(0, |e| e.offset);
            if v.iter().all(|x| (0..1i128 << 16).contains(x)) {
                small.push((off, v.into_iter().map(|x| x as u64).collect()));
            } else {
                big.push((off, v.into_iter().map(i128_to_field).collect()));
            }
        }
        for t in sh.sign_tensors() {
            let off = layout.entry(Block::Tensor(t)).map_or(0, |e| e.offset);
            let bits = self.w.ints(t);
            if bits.iter().all(|x| (0..=1).contains(x)) {
                small.push((off, bits.iter().map(|&x| x as u64).collect()));
            } else {
                big.push((off, bits.into_iter().map(i128_to_field).collect()));
            }
        }
        small.sort_by_key(|(off, _)| *off);
        let mut table = vec![Fr::from(0u64); 1 << layout.num_vars];
        for (off, v) in &small {
            table[*off..*off + v.len()]
                .par_iter_mut()
                .zip(v.par_iter())
                .for_each(|(d, &x)| *d = Fr::from(x));
        }
        for (off, v) in &big {
            table[*off..*off + v.len()].copy_from_slice(v);
        }
        let model = self.model_values(true)?;
        let off = layout.entry(Block::Model).map_or(0, |e| e.offset);
        table[off..off + model.len()].copy_from_slice(&model);
        let big = big.into_iter().map(|(off, v)| (off, v.len())).collect();
        Ok((table, small, big))
    }

    /// The model table before the fold (`after` false) or after it.
    fn model_values(&self, after: bool) -> Result<Vec<Fr>, Error> {
        let steps = self.w.steps;
        let step = if after { steps.last() } else { steps.first() };
        let layers: Vec<(&Matrix, &[i64])> = step
            .map(|s| s.layers.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|l| {
                if after {
                    (&l.w_new, l.b_new.as_slice())
                } else {
                    (&l.w, l.b.as_slice())
                }
            })
            .collect();
        model_table(self.shape, &layers)
    }

    /// `C_new`: small blocks through the small-scalar MSM, the model block in full.
    fn commit_fold<K: CommitKey + ?Sized>(
        &self,
        key: &K,
        small: &[(usize, Vec<u64>)],
        big: &[(usize, usize)],
        table: &[Fr],
        blind: Fr,
    ) -> Result<Commitment, Error> {
        let layout = &self.layout;
        let len = 1usize << layout.num_vars;
        if key.max_len() < len {
            return Err(zkpot_pcs::PcsError::KeyTooShort {
                needed: len,
                available: key.max_len(),
            }
            .into());
        }
        let model = layout
            .entry(Block::Model)
            .map(|e| (e.offset, 1usize << e.num_vars));
        let mut segments: Vec<Segment<'_>> = small
            .iter()
            .map(|(offset, values)| Segment::Small {
                offset: *offset,
                values,
            })
            .collect();
        for (offset, n) in big.iter().copied().chain(model) {
            let values = table
                .get(offset..offset + n)
                .ok_or(zkpot_pcs::PcsError::KeyTooShort {
                    needed: offset + n,
                    available: table.len(),
                })?;
            segments.push(Segment::Field { offset, values });
        }
        Ok(key.commit_segments(self.backend, &segments, blind)?)
    }

    /// A region's concatenated table.
    fn region_table(&mut self, region: &Layout<Tensor>) -> Result<Vec<Fr>, Error> {
        let mut out = vec![Fr::from(0u64); 1 << region.num_vars];
        for e in &region.entries {
            let t = self.table(e.key)?;
            out[e.offset..e.offset + t.len()].copy_from_slice(t);
        }
        Ok(out)
    }
}

impl<B: Backend> Side for ProverSide<'_, B> {
    type F = Fr;
    type Error = Error;
    type Statement = StepStatement;

    fn absorb_statement(
        &mut self,
        shape: &StepShape,
        statement: &StepStatement,
    ) -> Result<(), Error> {
        flow::absorb_statement(&mut self.transcript, shape, statement);
        Ok(())
    }

    fn challenges(&mut self, n: usize) -> Result<Vec<Fr>, Error> {
        Ok(self.transcript.challenges(n))
    }

    fn check_equal(
        &mut self,
        a: &Fr,
        b: &Fr,
        check: FlowCheck,
        tensor: Option<Tensor>,
    ) -> Result<(), Error> {
        if self.lenient {
            Ok(())
        } else {
            flow::check_native(a, b, check, tensor)
        }
    }

    fn eval(&mut self, t: Tensor, point: &[Fr]) -> Result<Fr, Error> {
        let timer = Instant::now();
        let out = (|| {
            let backend = self.backend;
            let table = self.table(t)?;
            let v = backend.evaluate_slice(table, point)?;
            self.transcript.absorb_field(&v);
            self.proof.evals.push(v);
            Ok(v)
        })();
        self.timings.evals += timer.elapsed();
        out
    }

    fn matmul(
        &mut self,
        shape: &MatmulShape,
        a: Tensor,
        b: Tensor,
        claim: &Claim<Fr>,
    ) -> Result<ClaimPair<Fr>, Error> {
        let timer = Instant::now();
        let out = (|| {
            self.ensure(a)?;
            self.ensure(b)?;
            let (ta, tb) = (
                lookup(&self.fold, &self.layout, &self.cache, a)?,
                lookup(&self.fold, &self.layout, &self.cache, b)?,
            );
            let (proof, claims) =
                prove_matmul(self.backend, shape, ta, tb, claim, &mut self.transcript)?;
            self.proof.matmuls.push(proof);
            Ok((claims.a, claims.b))
        })();
        self.timings.matmul += timer.elapsed();
        out
    }

    fn hadamard(
        &mut self,
        s: Tensor,
        q: Tensor,
        claim: &Claim<Fr>,
    ) -> Result<ClaimPair<Fr>, Error> {
        let timer = Instant::now();
        let out = (|| {
            self.ensure(s)?;
            self.ensure(q)?;
            let (ts, tq) = (
                lookup(&self.fold, &self.layout, &self.cache, s)?,
                lookup(&self.fold, &self.layout, &self.cache, q)?,
            );
            let (proof, claims) =
                prove_hadamard(self.backend, ts, tq, claim, &mut self.transcript)?;
            self.proof.hadamards.push(proof);
            Ok((claims.left, claims.right))
        })();
        self.timings.elementwise += timer.elapsed();
        out
    }

    fn merge(&mut self, t: Merged, claims: &[Claim<Fr>]) -> Result<Claim<Fr>, Error> {
        let timer = Instant::now();
        let out = (|| {
            let owned;
            if let Merged::Tensor(t) = t {
                self.ensure(t)?;
            }
            let table: &[Fr] = match t {
                Merged::Tensor(t) => lookup(&self.fold, &self.layout, &self.cache, t)?,
                Merged::Model => {
                    owned = self.model_values(false)?;
                    &owned
                }
                Merged::Chunk => {
                    owned = chunk_table(self.shape, self.w.steps)?;
                    &owned
                }
            };
            let (proof, claim) = prove_merge(self.backend, table, claims, &mut self.transcript)?;
            self.proof.merges.push(proof);
            Ok(claim)
        })();
        self.timings.merge += timer.elapsed();
        out
    }

    fn affine(
        &mut self,
        shape: &StackShape,
        product: Tensor,
        claim: &Claim<Fr>,
    ) -> Result<ClaimPair<Fr>, Error> {
        let timer = Instant::now();
        let out = (|| {
            self.ensure(product)?;
            let table = lookup(&self.fold, &self.layout, &self.cache, product)?;
            let (proof, claims) = prove_affine(
                self.backend,
                shape,
                self.shape.valid_rows,
                self.shape.frac_bits,
                table,
                claim,
                &mut self.transcript,
            )?;
            self.proof.affines.push(proof.product_eval);
            Ok((claims.product, claims.bias))
        })();
        self.timings.elementwise += timer.elapsed();
        out
    }

    fn colsum(&mut self, shape: &StackShape, claim: &Claim<Fr>) -> Result<Claim<Fr>, Error> {
        verify_colsum(shape, claim, &mut self.transcript)
    }

    fn shift(
        &mut self,
        t: Tensor,
        rho_x: &[Fr],
        weights: &[Fr],
        claim: Fr,
    ) -> Result<Claim<Fr>, Error> {
        let timer = Instant::now();
        let out = (|| {
            let backend = self.backend;
            let table = self.table(t)?;
            let fixed = backend.fix_block(table, 0, rho_x)?;
            let tables = vec![backend.upload(weights), fixed];
            let mut prover = ProductProver::new(backend, ProductSum::product(2), tables, None)?;
            let out = sumcheck::prove(&mut prover, claim, &mut self.transcript);
            let eval = out.final_evals.get(1).copied().unwrap_or_default();
            self.transcript.absorb_field(&eval);
            self.proof.shifts.push(ShiftProof {
                sumcheck: out.proof,
                eval,
            });
            Ok(Claim {
                point: out.point,
                value: eval,
            })
        })();
        self.timings.elementwise += timer.elapsed();
        out
    }

    fn booleanity(&mut self, region: &Layout<Tensor>) -> Result<Claim<Fr>, Error> {
        let timer = Instant::now();
        let out = (|| {
            let table = self.region_table(region)?;
            let (proof, claim) = prove_booleanity(self.backend, &table, &mut self.transcript)?;
            self.proof.booleanity.push(proof);
            Ok(claim)
        })();
        self.timings.elementwise += timer.elapsed();
        out
    }

    fn range(&mut self, region: &RangeRegion) -> Result<ClaimPair<Fr>, Error> {
        let timer = Instant::now();
        let out = (|| {
            let limbs = self.region_table(&region.layout)?;
            let block = Block::Mult(region.index);
            let e = self
                .layout
                .entry(block)
                .ok_or(Error::MissingBlock { block })?;
            let mults = self
                .fold
                .as_deref()
                .and_then(|f| f.get(e.offset..e.offset + (1 << e.num_vars)))
                .ok_or(Error::MissingBlock { block })?;
            let (proof, claims) = prove_range_in(
                self.backend,
                region.width,
                &limbs,
                mults,
                &mut self.transcript,
            )?;
            self.proof.ranges.push(proof);
            Ok((claims.limbs, claims.multiplicities))
        })();
        self.timings.range += timer.elapsed();
        out
    }
}
