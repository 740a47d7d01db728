//! The witness checker: the integer oracle of the step proof.
//!
//! [`check_witness`] recomputes every relation of [`crate::step`] from the other
//! tensors of the witness, with naive loops independent of the trainer's fast
//! paths, and checks every range bound. It reports the first failure, naming the
//! relation (or range), the entry and both values.

use crate::error::WitnessError;
use crate::model::Rescale;
use crate::spec::TrainSpec;
use crate::step::StepWitness;
use crate::tensor::{product_naive, Matrix, Op};

fn shape(tensor: impl Into<String>, expected: usize, found: usize) -> Result<(), WitnessError> {
    if expected == found {
        Ok(())
    } else {
        Err(WitnessError::Shape {
            tensor: tensor.into(),
            expected,
            found,
        })
    }
}

/// First index where `found` differs from `expected`.
fn equal(
    relation: impl Fn() -> String,
    expected: impl IntoIterator<Item = i128>,
    found: impl IntoIterator<Item = i128>,
) -> Result<(), WitnessError> {
    for (index, (e, f)) in expected.into_iter().zip(found).enumerate() {
        if e != f {
            return Err(WitnessError::Relation {
                relation: relation(),
                index,
                expected: e,
                found: f,
            });
        }
    }
    Ok(())
}

fn range(
    tensor: impl Fn() -> String,
    xs: impl IntoIterator<Item = i128>,
    min: i128,
    end: i128,
) -> Result<(), WitnessError> {
    for (index, value) in xs.into_iter().enumerate() {
        if value < min || value >= end {
            return Err(WitnessError::Range {
                tensor: tensor(),
                index,
                value,
                min,
                end,
            });
        }
    }
    Ok(())
}

fn wide(xs: &[i64]) -> impl Iterator<Item = i128> + '_ {
    xs.iter().map(|&x| x as i128)
}

struct Checker<'a> {
    spec: &'a TrainSpec,
}

impl Checker<'_> {
    fn values(&self, tensor: &str, xs: &[i64]) -> Result<(), WitnessError> {
        range(
            || format!("{tensor} in [-2^(B-1), 2^(B-1))"),
            wide(xs),
            self.spec.value_min() as i128,
            self.spec.value_end() as i128,
        )
    }

    fn rescale_shapes(
        &self,
        name: &str,
        r: &Rescale,
        len: usize,
        shift: u32,
    ) -> Result<(), WitnessError> {
        shape(format!("{name}.input"), len, r.input.len())?;
        shape(format!("{name}.quotient"), len, r.quotient.data().len())?;
        shape(format!("{name}.remainder"), len, r.remainder.len())?;
        equal(
            || format!("{name}: rescale shift"),
            [shift as i128],
            [r.shift as i128],
        )
    }

    /// `input + 2^(k-1) = quotient * 2^k + remainder`, `0 <= remainder < 2^k`,
    /// quotient in the value range.
    fn rescale(&self, name: &str, r: &Rescale) -> Result<(), WitnessError> {
        let k = r.shift;
        let half = if k == 0 { 0 } else { 1i128 << (k - 1) };
        range(
            || format!("{name}: remainder in [0, 2^{k})"),
            wide(&r.remainder),
            0,
            1i128 << k,
        )?;
        self.values(&format!("{name}: quotient"), r.quotient.data())?;
        equal(
            || {
                format!(
                    "{name}: input + 2^{} = quotient * 2^{k} + remainder",
                    k.saturating_sub(1)
                )
            },
            r.quotient
                .data()
                .iter()
                .zip(&r.remainder)
                .map(|(&q, &rem)| ((q as i128) << k) + rem as i128),
            r.input.iter().map(|&x| x + half),
        )
    }
}

/// Checks every relation and range of one SGD iteration's witness (see
/// [`crate::step`] for the relations), returning the first that fails.
pub fn check_witness(spec: &TrainSpec, w: &StepWitness) -> Result<(), WitnessError> {
    spec.validate_arithmetic()
        .map_err(|e| WitnessError::Spec(e.to_string()))?;
    let c = Checker { spec };
    let batch = spec.batch_size;
    let num_layers = spec.num_layers();
    let (f, s) = (spec.frac_bits, spec.lr_shift);

    // Shapes first, so that the relations below index safely.
    shape("layers", num_layers, w.layers.len())?;
    shape("X", batch * spec.layers[0], w.x.data().len())?;
    shape("X (columns)", spec.layers[0], w.x.cols())?;
    shape("Y", batch * spec.layers[num_layers], w.y.data().len())?;
    shape("Y (columns)", spec.layers[num_layers], w.y.cols())?;
    for (i, lw) in w.layers.iter().enumerate() {
        let l = i + 1;
        let (n_in, n_out) = (spec.layers[i], spec.layers[l]);
        shape(format!("W_{l}"), n_in * n_out, lw.w.data().len())?;
        shape(format!("W_{l} (columns)"), n_out, lw.w.cols())?;
        shape(format!("b_{l}"), n_out, lw.b.len())?;
        c.rescale_shapes(&format!("Z_{l}"), &lw.z, batch * n_out, f)?;
        shape(
            format!("s_{l}"),
            if l < num_layers { batch * n_out } else { 0 },
            lw.sign.len(),
        )?;
        shape(format!("A_{l}"), batch * n_out, lw.a.data().len())?;
        shape(format!("G_{l}"), batch * n_out, lw.g.data().len())?;
        shape(format!("G_{l} (columns)"), n_out, lw.g.cols())?;
        match (&lw.back, l) {
            (None, 1) => {}
            (Some(back), 2..) => {
                c.rescale_shapes(&format!("G_{l} W_{l}^T"), back, batch * n_in, f)?
            }
            (back, _) => shape(
                format!("G_{l} W_{l}^T (present)"),
                usize::from(l >= 2),
                usize::from(back.is_some()),
            )?,
        }
        c.rescale_shapes(&format!("dW_{l}"), &lw.dw, n_in * n_out, f + s)?;
        c.rescale_shapes(&format!("db_{l}"), &lw.db, n_out, s)?;
        shape(format!("W_{l}'"), n_in * n_out, lw.w_new.data().len())?;
        shape(format!("b_{l}'"), n_out, lw.b_new.len())?;
    }
    // Rebuild matrices with the spec's shapes for the naive products.
    let mat = |rows: usize, m: &Matrix| {
        Matrix::from_vec(rows, m.data().len() / rows.max(1), m.data().to_vec())
    };

    c.values("X", w.x.data())?;
    c.values("Y", w.y.data())?;
    let x = mat(batch, &w.x).ok_or(WitnessError::Spec("X shape".into()))?;

    // Forward.
    for (i, lw) in w.layers.iter().enumerate() {
        let l = i + 1;
        let (n_in, n_out) = (spec.layers[i], spec.layers[l]);
        c.values(&format!("W_{l}"), lw.w.data())?;
        c.values(&format!("b_{l}"), &lw.b)?;
        let a_prev = if i == 0 {
            x.clone()
        } else {
            mat(batch, &w.layers[i - 1].a).ok_or(WitnessError::Spec("A shape".into()))?
        };
        let wm = mat(n_in, &lw.w).ok_or(WitnessError::Spec("W shape".into()))?;
        let z = product_naive(&a_prev, Op::N, &wm, Op::N)
            .ok_or(WitnessError::Spec("A W shape".into()))?;
        equal(
            || format!("Z_{l} = A_{} W_{l} + 2^f b_{l}", l - 1),
            z.iter()
                .enumerate()
                .map(|(idx, &v)| v + ((lw.b[idx % n_out] as i128) << f)),
            lw.z.input.iter().copied(),
        )?;
        c.rescale(&format!("q_{l} = rescale(Z_{l}, 2^f)"), &lw.z)?;
        let q = lw.z.quotient.data();
        if l < num_layers {
            equal(
                || format!("s_{l} = [q_{l} >= 0]"),
                q.iter().map(|&v| i128::from(v >= 0)),
                lw.sign.iter().map(|&b| i128::from(b)),
            )?;
            equal(
                || format!("A_{l} = s_{l} * q_{l} (ReLU)"),
                q.iter()
                    .zip(&lw.sign)
                    .map(|(&v, &b)| if b { v as i128 } else { 0 }),
                wide(lw.a.data()),
            )?;
        } else {
            equal(|| format!("A_{l} = q_{l}"), wide(q), wide(lw.a.data()))?;
        }
        c.values(&format!("A_{l}"), lw.a.data())?;
    }

    // Loss gradient.
    let last = &w.layers[num_layers - 1];
    equal(
        || format!("G_{num_layers} = A_{num_layers} - Y (MSE gradient)"),
        last.a
            .data()
            .iter()
            .zip(w.y.data())
            .map(|(&a, &y)| a as i128 - y as i128),
        wide(last.g.data()),
    )?;

    // Backward and update.
    for (i, lw) in w.layers.iter().enumerate().rev() {
        let l = i + 1;
        let (n_in, n_out) = (spec.layers[i], spec.layers[l]);
        c.values(&format!("G_{l}"), lw.g.data())?;
        let g = mat(batch, &lw.g).ok_or(WitnessError::Spec("G shape".into()))?;
        let a_prev = if i == 0 {
            x.clone()
        } else {
            mat(batch, &w.layers[i - 1].a).ok_or(WitnessError::Spec("A shape".into()))?
        };
        let dw = product_naive(&a_prev, Op::T, &g, Op::N)
            .ok_or(WitnessError::Spec("A^T G shape".into()))?;
        equal(
            || format!("dW_{l} input = A_{}^T G_{l}", l - 1),
            dw,
            lw.dw.input.iter().copied(),
        )?;
        c.rescale(
            &format!("dW_{l} = rescale(A_{}^T G_{l}, 2^(f + lr_shift))", l - 1),
            &lw.dw,
        )?;
        let mut db = vec![0i128; n_out];
        for row in lw.g.data().chunks(n_out) {
            for (acc, &v) in db.iter_mut().zip(row) {
                *acc += v as i128;
            }
        }
        equal(
            || format!("db_{l} input = colsum(G_{l})"),
            db,
            lw.db.input.iter().copied(),
        )?;
        c.rescale(
            &format!("db_{l} = rescale(colsum(G_{l}), 2^lr_shift)"),
            &lw.db,
        )?;
        equal(
            || format!("W_{l}' = W_{l} - dW_{l}"),
            lw.w.data()
                .iter()
                .zip(lw.dw.quotient.data())
                .map(|(&a, &d)| a as i128 - d as i128),
            wide(lw.w_new.data()),
        )?;
        equal(
            || format!("b_{l}' = b_{l} - db_{l}"),
            lw.b.iter()
                .zip(lw.db.quotient.data())
                .map(|(&a, &d)| a as i128 - d as i128),
            wide(&lw.b_new),
        )?;
        c.values(&format!("W_{l}'"), lw.w_new.data())?;
        c.values(&format!("b_{l}'"), &lw.b_new)?;
        if let Some(back) = &lw.back {
            let wm = mat(n_in, &lw.w).ok_or(WitnessError::Spec("W shape".into()))?;
            let gw = product_naive(&g, Op::N, &wm, Op::T)
                .ok_or(WitnessError::Spec("G W^T shape".into()))?;
            equal(|| format!("G_{l} W_{l}^T"), gw, back.input.iter().copied())?;
            c.rescale(&format!("rescale(G_{l} W_{l}^T, 2^f)"), back)?;
            let prev = &w.layers[i - 1];
            equal(
                || format!("G_{} = s_{} * rescale(G_{l} W_{l}^T, 2^f)", l - 1, l - 1),
                back.quotient
                    .data()
                    .iter()
                    .zip(&prev.sign)
                    .map(|(&v, &b)| if b { v as i128 } else { 0 }),
                wide(prev.g.data()),
            )?;
        }
    }
    Ok(())
}
