//! The fixed-point MLP: dense layers with ReLU between them.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde::{Deserialize, Serialize};
use zkpot_core::fixed::rescale;

use crate::error::TrainError;
use crate::spec::TrainSpec;
use crate::tensor::{product, Matrix, Op};

/// ChaCha stream of the weight initialisation (stream 0 is the data order, 1 the split).
pub const INIT_STREAM: u64 = 2;

/// One dense layer: `Z = A W + 2^f b` with `W` of shape `n_in x n_out`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dense {
    /// Weights, `n_in x n_out`, row-major.
    pub w: Matrix,
    /// Biases, `n_out` (scale `2^f`, lifted to `2^(2f)` inside `Z`).
    pub b: Vec<i64>,
}

/// A fixed-point multilayer perceptron.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mlp {
    /// The dense layers, input side first.
    pub layers: Vec<Dense>,
}

impl Mlp {
    /// Deterministic He-uniform initialisation from the spec's seed: layer `l`'s
    /// weights are `round_half_up(u * 2^f)` with `u` uniform in `[-a, a)`,
    /// `a = sqrt(6 / n_in)`, drawn row-major from `ChaCha20Rng::seed_from_u64(seed)`
    /// on stream [`INIT_STREAM`] (`u = (2 g - 1) a` with `g = rng.gen::<f64>()`);
    /// biases are zero.
    pub fn init(spec: &TrainSpec) -> Result<Self, TrainError> {
        spec.validate_arithmetic()?;
        let mut rng = ChaCha20Rng::seed_from_u64(spec.seed);
        rng.set_stream(INIT_STREAM);
        let one = (1i64 << spec.frac_bits) as f64;
        let layers = spec
            .layers
            .windows(2)
            .map(|w| {
                let (n_in, n_out) = (w[0], w[1]);
                let a = (6.0 / n_in as f64).sqrt();
                let data = (0..n_in * n_out)
                    .map(|_| {
                        let u = (2.0 * rng.gen::<f64>() - 1.0) * a;
                        (u * one + 0.5).floor() as i64
                    })
                    .collect();
                Dense {
                    w: Matrix::from_vec(n_in, n_out, data).expect("n_in * n_out entries"),
                    b: vec![0; n_out],
                }
            })
            .collect();
        let model = Mlp { layers };
        model.check(spec)?;
        Ok(model)
    }

    /// Checks that the model has the spec's shapes and that every parameter lies in
    /// the value range.
    pub fn check(&self, spec: &TrainSpec) -> Result<(), TrainError> {
        if self.layers.len() != spec.num_layers() {
            return Err(TrainError::Shape {
                tensor: "model (number of layers)".into(),
                expected: (spec.num_layers(), 1),
                found: (self.layers.len(), 1),
            });
        }
        for (l, (layer, w)) in self.layers.iter().zip(spec.layers.windows(2)).enumerate() {
            if layer.w.shape() != (w[0], w[1]) || layer.b.len() != w[1] {
                return Err(TrainError::Shape {
                    tensor: format!("W_{} / b_{}", l + 1, l + 1),
                    expected: (w[0], w[1]),
                    found: layer.w.shape(),
                });
            }
            check_range(spec, &format!("W_{}", l + 1), None, layer.w.data())?;
            check_range(spec, &format!("b_{}", l + 1), None, &layer.b)?;
        }
        Ok(())
    }

    /// The forward pass, exactly as the SGD step computes it, returning the output
    /// logits `A_L` (`rows x n_L`). `x` is `rows x n_0`.
    pub fn forward(&self, spec: &TrainSpec, x: &Matrix) -> Result<Matrix, TrainError> {
        let mut a = x.clone();
        let last = self.layers.len();
        for (l, layer) in self.layers.iter().enumerate() {
            let q = dense_forward(spec, &a, layer, l + 1, None)?.quotient;
            a = if l + 1 < last { relu(&q).1 } else { q };
        }
        Ok(a)
    }

    /// Predicted classes (argmax of the logits, first maximum on ties) of the rows of `x`.
    pub fn predict(&self, spec: &TrainSpec, x: &Matrix) -> Result<Vec<usize>, TrainError> {
        let out = self.forward(spec, x)?;
        Ok((0..out.rows()).map(|r| argmax(out.row(r))).collect())
    }

    /// Number of parameters.
    pub fn num_params(&self) -> usize {
        self.layers
            .iter()
            .map(|l| l.w.data().len() + l.b.len())
            .sum()
    }
}

/// Index of the first maximum.
pub fn argmax<T: PartialOrd + Copy>(xs: &[T]) -> usize {
    let mut best = 0;
    for (i, &x) in xs.iter().enumerate() {
        if x > xs[best] {
            best = i;
        }
    }
    best
}

/// A rescale applied to a whole tensor: `input + h = quotient * 2^shift + remainder`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rescale {
    /// The shift `k`.
    pub shift: u32,
    /// The unscaled values (row-major).
    pub input: Vec<i128>,
    /// `floor((input + 2^(k-1)) / 2^k)`: a matrix of the same shape as `input`.
    pub quotient: Matrix,
    /// The remainders, in `[0, 2^k)`.
    pub remainder: Vec<i64>,
}

impl Rescale {
    /// Rescales `input` (row-major `rows x cols`) by `2^shift`, checking that every
    /// quotient lies in the spec's value range (`tensor` names it in the error).
    pub(crate) fn compute(
        spec: &TrainSpec,
        input: Vec<i128>,
        (rows, cols): (usize, usize),
        shift: u32,
        tensor: &str,
        iteration: Option<u64>,
    ) -> Result<Rescale, TrainError> {
        let mut quotient = Vec::with_capacity(input.len());
        let mut remainder = Vec::with_capacity(input.len());
        for (index, &x) in input.iter().enumerate() {
            let out_of_range = |value| TrainError::OutOfRange {
                tensor: tensor.to_string(),
                iteration,
                index,
                value,
                bits: spec.value_bits,
            };
            // The spec's bounds keep `x + h` far from overflow; treat overflow as out of range.
            let r = rescale(x, shift).ok_or_else(|| out_of_range(x))?;
            if !spec.in_range(r.quotient) {
                return Err(out_of_range(r.quotient));
            }
            quotient.push(r.quotient as i64);
            remainder.push(r.remainder as i64);
        }
        Ok(Rescale {
            shift,
            input,
            quotient: Matrix::from_vec(rows, cols, quotient).expect("rows * cols entries"),
            remainder,
        })
    }
}

/// Checks that every entry of `xs` is in the value range.
pub(crate) fn check_range(
    spec: &TrainSpec,
    tensor: &str,
    iteration: Option<u64>,
    xs: &[i64],
) -> Result<(), TrainError> {
    match xs.iter().position(|&x| !spec.in_range(x as i128)) {
        None => Ok(()),
        Some(index) => Err(TrainError::OutOfRange {
            tensor: tensor.to_string(),
            iteration,
            index,
            value: xs[index] as i128,
            bits: spec.value_bits,
        }),
    }
}

/// `Z = A W + 2^f b`, rescaled by `2^f`.
pub(crate) fn dense_forward(
    spec: &TrainSpec,
    a: &Matrix,
    layer: &Dense,
    l: usize,
    iteration: Option<u64>,
) -> Result<Rescale, TrainError> {
    if a.cols() != layer.w.rows() {
        return Err(TrainError::Shape {
            tensor: format!("A_{} (input of layer {l})", l - 1),
            expected: (a.rows(), layer.w.rows()),
            found: a.shape(),
        });
    }
    let mut z = product(a, Op::N, &layer.w, Op::N).expect("inner dimensions checked");
    let n_out = layer.w.cols();
    for row in z.chunks_mut(n_out) {
        for (zij, &bj) in row.iter_mut().zip(&layer.b) {
            *zij += (bj as i128) << spec.frac_bits;
        }
    }
    Rescale::compute(
        spec,
        z,
        (a.rows(), n_out),
        spec.frac_bits,
        &format!(
            "q_{l} (layer {l} pre-activation, rescale(A_{} W_{l} + 2^f b_{l}))",
            l - 1
        ),
        iteration,
    )
}

/// ReLU through its sign bits: `s = [q >= 0]`, `A = s * q`.
pub(crate) fn relu(q: &Matrix) -> (Vec<bool>, Matrix) {
    let sign: Vec<bool> = q.data().iter().map(|&x| x >= 0).collect();
    let a = q.data().iter().map(|&x| x.max(0)).collect();
    (
        sign,
        Matrix::from_vec(q.rows(), q.cols(), a).expect("same shape as q"),
    )
}
