//! The `f32` reference trainer: the same architecture, initial weights, batch
//! schedule, loss and learning rate as the fixed-point trainer, in ordinary
//! floating point (ndarray, matrixmultiply SGEMM, one thread). It is the baseline
//! for accuracy and for speed (the "physical floor" of a training step).
//!
//! Its step mirrors [`crate::step`] with every rescale replaced by exact real
//! arithmetic: `Z = A W + b`, `A' = ReLU(Z)`, `G_L = A_L - Y`,
//! `dW = 2^-s A^T G`, `db = 2^-s colsum(G)`, `G_prev = (G W^T) * [Z_prev >= 0]`.

use ndarray::{Array1, Array2, Axis};

use crate::data::Dataset;
use crate::error::TrainError;
use crate::model::{argmax, Mlp};
use crate::schedule::{gather, BatchSchedule};
use crate::spec::TrainSpec;
use crate::tensor::Matrix;
use crate::train::check_fit;

/// An `f32` MLP.
#[derive(Clone, Debug, PartialEq)]
pub struct ReferenceMlp {
    /// `(W, b)` per layer, `W` of shape `n_in x n_out`.
    pub layers: Vec<(Array2<f32>, Array1<f32>)>,
}

/// A fixed-point matrix as `f32` real values.
pub fn to_f32(m: &Matrix, frac_bits: u32) -> Array2<f32> {
    let scale = 1.0 / (1u64 << frac_bits) as f32;
    Array2::from_shape_vec(
        m.shape(),
        m.data().iter().map(|&v| v as f32 * scale).collect(),
    )
    .expect("shape matches data")
}

impl ReferenceMlp {
    /// The real-valued copy of a fixed-point model (the same starting point).
    pub fn from_fixed(model: &Mlp, frac_bits: u32) -> Self {
        let scale = 1.0 / (1u64 << frac_bits) as f32;
        ReferenceMlp {
            layers: model
                .layers
                .iter()
                .map(|d| {
                    (
                        to_f32(&d.w, frac_bits),
                        d.b.iter().map(|&v| v as f32 * scale).collect(),
                    )
                })
                .collect(),
        }
    }

    /// Output logits for the rows of `x`.
    pub fn forward(&self, x: &Array2<f32>) -> Array2<f32> {
        let mut a = x.clone();
        let last = self.layers.len();
        for (l, (w, b)) in self.layers.iter().enumerate() {
            a = a.dot(w) + b;
            if l + 1 < last {
                a.mapv_inplace(|v| v.max(0.0));
            }
        }
        a
    }

    /// One SGD step with learning rate `lr` (= `2^-lr_shift`); returns the batch
    /// loss `1/(2B) sum (A_L - Y)^2`.
    pub fn step(&mut self, x: &Array2<f32>, y: &Array2<f32>, lr: f32) -> f32 {
        let last = self.layers.len();
        let mut acts = Vec::with_capacity(last + 1);
        let mut masks = Vec::with_capacity(last);
        acts.push(x.clone());
        for (l, (w, b)) in self.layers.iter().enumerate() {
            let mut z = acts[l].dot(w) + b;
            if l + 1 < last {
                // ReLU with the mask [z >= 0], as the fixed-point sign bit.
                masks.push(z.mapv(|v| v >= 0.0));
                z.mapv_inplace(|v| v.max(0.0));
            }
            acts.push(z);
        }
        let mut g = &acts[last] - y;
        let loss = g.iter().map(|v| v * v).sum::<f32>() / (2.0 * x.nrows() as f32);
        for l in (0..last).rev() {
            let dw = acts[l].t().dot(&g) * lr;
            let db = g.sum_axis(Axis(0)) * lr;
            let g_prev = (l > 0).then(|| {
                let mut gp = g.dot(&self.layers[l].0.t());
                gp.zip_mut_with(&masks[l - 1], |v, &keep| {
                    if !keep {
                        *v = 0.0
                    }
                });
                gp
            });
            let (w, b) = &mut self.layers[l];
            *w -= &dw;
            *b -= &db;
            if let Some(gp) = g_prev {
                g = gp;
            }
        }
        loss
    }

    /// Predicted classes of the rows of `x`.
    pub fn predict(&self, x: &Array2<f32>) -> Vec<usize> {
        let out = self.forward(x);
        out.rows()
            .into_iter()
            .map(|r| argmax(r.as_slice().unwrap_or(&[])))
            .collect()
    }
}

/// Runs the reference over the same schedule as [`crate::Trainer`].
#[derive(Clone, Debug)]
pub struct ReferenceTrainer<'d> {
    spec: TrainSpec,
    data: &'d Dataset,
    schedule: BatchSchedule,
    model: ReferenceMlp,
    iteration: u64,
}

impl<'d> ReferenceTrainer<'d> {
    /// A reference trainer starting from `model` (normally the fixed-point
    /// trainer's initial model).
    pub fn new(spec: &TrainSpec, data: &'d Dataset, model: &Mlp) -> Result<Self, TrainError> {
        check_fit(spec, data)?;
        let spec = spec.resolve(data.len())?;
        model.check(&spec)?;
        Ok(ReferenceTrainer {
            schedule: BatchSchedule::new(&spec, data.len()),
            model: ReferenceMlp::from_fixed(model, spec.frac_bits),
            spec,
            data,
            iteration: 0,
        })
    }

    /// The model.
    pub fn model(&self) -> &ReferenceMlp {
        &self.model
    }

    /// The batch of iteration `t` in `f32`.
    pub fn batch(&self, t: u64) -> (Array2<f32>, Array2<f32>) {
        let (x, y) = gather(self.data, &self.schedule.batch_rows(t));
        (
            to_f32(&x, self.spec.frac_bits),
            to_f32(&y, self.spec.frac_bits),
        )
    }

    /// Runs the next iteration on a prepared batch (see [`ReferenceTrainer::batch`]),
    /// returning the batch loss.
    pub fn step_on(&mut self, x: &Array2<f32>, y: &Array2<f32>) -> f32 {
        let lr = 1.0 / (1u64 << self.spec.lr_shift) as f32;
        self.iteration += 1;
        self.model.step(x, y, lr)
    }

    /// Runs the next iteration, returning the batch loss.
    pub fn step(&mut self) -> f32 {
        let (x, y) = self.batch(self.iteration);
        self.step_on(&x, &y)
    }

    /// Accuracy on a dataset, as a fraction.
    pub fn accuracy(&self, data: &Dataset) -> f64 {
        if data.is_empty() {
            return 0.0;
        }
        let rows: Vec<usize> = (0..data.len()).collect();
        let mut correct = 0;
        for block in rows.chunks(1024) {
            let (x, _) = gather(data, block);
            let pred = self.model.predict(&to_f32(&x, self.spec.frac_bits));
            correct += block
                .iter()
                .zip(pred)
                .filter(|(&r, p)| data.label(r) as usize == *p)
                .count();
        }
        correct as f64 / data.len() as f64
    }
}
