//! One exact SGD iteration and its witness.
//!
//! For layers `l = 1..L` (widths `n_0..n_L`, batch `B`, `f` = frac_bits,
//! `s` = lr_shift, `rescale(x, k) = floor((x + 2^(k-1)) / 2^k)`, all over the
//! integers):
//!
//! ```text
//! forward   Z_l  = A_{l-1} W_l + 2^f 1 b_l           A_0 = X (the batch)
//!           q_l  = rescale(Z_l, f)                    r_l = remainder, in [0, 2^f)
//!           s_l  = [q_l >= 0]                          hidden layers only
//!           A_l  = s_l * q_l  (hidden),  A_L = q_L
//! loss      G_L  = A_L - Y                             MSE, per-sample gradient
//! backward  dW_l = rescale(A_{l-1}^T G_l, f + s)       the learning rate is in the shift
//!           db_l = rescale(colsum(G_l), s)
//!           G_{l-1} = s_{l-1} * rescale(G_l W_l^T, f)   (l >= 2, with the old W_l)
//! update    W_l' = W_l - dW_l,   b_l' = b_l - db_l
//! ```
//!
//! Every quotient, activation, gradient, update and new parameter must lie in
//! `[-2^(B-1), 2^(B-1))`; a value outside stops training with
//! [`TrainError::OutOfRange`]. [`crate::check_witness`] recomputes exactly these
//! relations.

use serde::{Deserialize, Serialize};

use crate::error::TrainError;
use crate::model::{check_range, dense_forward, relu, Dense, Mlp, Rescale};
use crate::spec::TrainSpec;
use crate::tensor::{product, Matrix, Op};

/// The witness of one dense layer in one iteration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerWitness {
    /// `W_l` before the step, `n_{l-1} x n_l`.
    pub w: Matrix,
    /// `b_l` before the step.
    pub b: Vec<i64>,
    /// Forward: input `Z_l = A_{l-1} W_l + 2^f b_l`, quotient `q_l`, remainder `r_l`.
    pub z: Rescale,
    /// Sign bits `s_l = [q_l >= 0]` (hidden layers; empty for the last layer).
    pub sign: Vec<bool>,
    /// Activation `A_l` (`s_l * q_l`, or `q_L` for the last layer), `B x n_l`.
    pub a: Matrix,
    /// Gradient `G_l` with respect to `q_l`, `B x n_l`.
    pub g: Matrix,
    /// For `l >= 2`: input `G_l W_l^T`, quotient `rescale(G_l W_l^T, f)`, which
    /// masked by `s_{l-1}` is `G_{l-1}`. `None` for layer 1.
    pub back: Option<Rescale>,
    /// Input `A_{l-1}^T G_l`, quotient `dW_l` (already scaled by the learning rate).
    pub dw: Rescale,
    /// Input `colsum(G_l)` (`1 x n_l`), quotient `db_l`.
    pub db: Rescale,
    /// `W_l' = W_l - dW_l`.
    pub w_new: Matrix,
    /// `b_l' = b_l - db_l`.
    pub b_new: Vec<i64>,
}

/// Every tensor of one SGD iteration: what the step proof commits to and checks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepWitness {
    /// The iteration (0-based).
    pub iteration: u64,
    /// The batch `X = A_0`, `B x n_0`.
    pub x: Matrix,
    /// One-hot targets `Y`, `B x n_L`.
    pub y: Matrix,
    /// Per layer, input side first.
    pub layers: Vec<LayerWitness>,
}

impl StepWitness {
    /// The model after the step.
    pub fn updated_model(&self) -> Mlp {
        Mlp {
            layers: self
                .layers
                .iter()
                .map(|l| Dense {
                    w: l.w_new.clone(),
                    b: l.b_new.clone(),
                })
                .collect(),
        }
    }

    /// The batch loss `1/(2B) sum (A_L - Y)^2` in real units.
    pub fn loss(&self, frac_bits: u32) -> f64 {
        let Some(last) = self.layers.last() else {
            return 0.0;
        };
        let one = (1u64 << frac_bits) as f64;
        let sum: f64 = last
            .g
            .data()
            .iter()
            .map(|&g| {
                let g = g as f64 / one;
                g * g
            })
            .sum();
        sum / (2.0 * self.x.rows().max(1) as f64)
    }
}

/// Runs one SGD iteration on batch `x` (`B x n_0`) with one-hot targets `y`
/// (`B x n_L`), returning its full witness (the new model is
/// [`StepWitness::updated_model`]).
pub fn sgd_step(
    spec: &TrainSpec,
    model: &Mlp,
    x: Matrix,
    y: Matrix,
    iteration: u64,
) -> Result<StepWitness, TrainError> {
    spec.validate_arithmetic()?;
    model.check(spec)?;
    let batch = spec.batch_size;
    let n_last = spec.layers[spec.num_layers()];
    for (name, m, cols) in [
        ("X (batch)", &x, spec.layers[0]),
        ("Y (targets)", &y, n_last),
    ] {
        if m.shape() != (batch, cols) {
            return Err(TrainError::Shape {
                tensor: name.into(),
                expected: (batch, cols),
                found: m.shape(),
            });
        }
        check_range(spec, name, Some(iteration), m.data())?;
    }
    let it = Some(iteration);
    let num_layers = model.layers.len();

    // Forward.
    let mut fwd: Vec<(Rescale, Vec<bool>, Matrix)> = Vec::with_capacity(num_layers);
    for (l, layer) in model.layers.iter().enumerate() {
        let input = fwd.last().map_or(&x, |f| &f.2);
        let z = dense_forward(spec, input, layer, l + 1, it)?;
        let (sign, a) = if l + 1 < num_layers {
            relu(&z.quotient)
        } else {
            (Vec::new(), z.quotient.clone())
        };
        fwd.push((z, sign, a));
    }

    // Loss gradient G_L = A_L - Y.
    let a_last = &fwd[num_layers - 1].2;
    let g_data: Vec<i64> = a_last
        .data()
        .iter()
        .zip(y.data())
        .map(|(&a, &t)| a - t)
        .collect();
    check_range(
        spec,
        &format!("G_{num_layers} (loss gradient A_L - Y)"),
        it,
        &g_data,
    )?;
    let mut g = Matrix::from_vec(batch, n_last, g_data).expect("shape of A_L");

    // Backward, last layer first.
    let mut back_layers = Vec::with_capacity(num_layers);
    for l in (1..=num_layers).rev() {
        let layer = &model.layers[l - 1];
        let a_prev = if l == 1 { &x } else { &fwd[l - 2].2 };
        let n_out = layer.w.cols();
        let dw_in = product(a_prev, Op::T, &g, Op::N).expect("batch dimensions agree");
        let dw = Rescale::compute(
            spec,
            dw_in,
            layer.w.shape(),
            spec.frac_bits + spec.lr_shift,
            &format!("dW_{l} (weight update of layer {l})"),
            it,
        )?;
        let mut db_in = vec![0i128; n_out];
        for row in g.data().chunks(n_out) {
            for (acc, &v) in db_in.iter_mut().zip(row) {
                *acc += v as i128;
            }
        }
        let db = Rescale::compute(
            spec,
            db_in,
            (1, n_out),
            spec.lr_shift,
            &format!("db_{l} (bias update of layer {l})"),
            it,
        )?;
        let w_new_data: Vec<i64> = layer
            .w
            .data()
            .iter()
            .zip(dw.quotient.data())
            .map(|(&w, &d)| w - d)
            .collect();
        check_range(
            spec,
            &format!("W_{l}' (updated weights of layer {l})"),
            it,
            &w_new_data,
        )?;
        let b_new: Vec<i64> = layer
            .b
            .iter()
            .zip(db.quotient.data())
            .map(|(&b, &d)| b - d)
            .collect();
        check_range(
            spec,
            &format!("b_{l}' (updated biases of layer {l})"),
            it,
            &b_new,
        )?;

        let (back, g_prev) = if l >= 2 {
            let back_in = product(&g, Op::N, &layer.w, Op::T).expect("widths agree");
            let back = Rescale::compute(
                spec,
                back_in,
                (batch, layer.w.rows()),
                spec.frac_bits,
                &format!(
                    "rescale(G_{l} W_{l}^T) (backward gradient into layer {})",
                    l - 1
                ),
                it,
            )?;
            let sign = &fwd[l - 2].1;
            let gp: Vec<i64> = back
                .quotient
                .data()
                .iter()
                .zip(sign)
                .map(|(&v, &s)| if s { v } else { 0 })
                .collect();
            let gp = Matrix::from_vec(batch, layer.w.rows(), gp).expect("shape of A_{l-1}");
            (Some(back), Some(gp))
        } else {
            (None, None)
        };
        back_layers.push((
            back,
            dw,
            db,
            Matrix::from_vec(layer.w.rows(), n_out, w_new_data).expect("shape of W"),
            b_new,
            std::mem::replace(&mut g, g_prev.unwrap_or_default()),
        ));
    }
    back_layers.reverse();

    let layers = model
        .layers
        .iter()
        .zip(fwd)
        .zip(back_layers)
        .map(
            |((layer, (z, sign, a)), (back, dw, db, w_new, b_new, g))| LayerWitness {
                w: layer.w.clone(),
                b: layer.b.clone(),
                z,
                sign,
                a,
                g,
                back,
                dw,
                db,
                w_new,
                b_new,
            },
        )
        .collect();
    Ok(StepWitness {
        iteration,
        x,
        y,
        layers,
    })
}
