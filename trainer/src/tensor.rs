//! Integer matrices and exact matrix products.
//!
//! A [`Matrix`] is row-major: entry `(r, c)` sits at flat index `r * cols + c`.
//! Every product here is exact over the integers (`i128` results). When the
//! operands are small enough that every partial sum stays below `2^53` in absolute
//! value, the product runs as an `f64` GEMM (ndarray/matrixmultiply): each product
//! and each partial sum of integers below `2^53` is exactly representable, so the
//! result is exact whatever the summation order. Otherwise it falls back to `i128`
//! accumulation. Both paths return the same integers; tests compare them with a
//! naive triple loop.

use ndarray::{ArrayView2, ShapeBuilder};
use serde::{Deserialize, Serialize};

/// A row-major matrix of fixed-point integers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "MatrixRepr")]
pub struct Matrix {
    rows: usize,
    cols: usize,
    data: Vec<i64>,
}

/// The unchecked serialized form of a [`Matrix`].
#[derive(Deserialize)]
struct MatrixRepr {
    rows: usize,
    cols: usize,
    data: Vec<i64>,
}

impl TryFrom<MatrixRepr> for Matrix {
    type Error = String;
    fn try_from(m: MatrixRepr) -> Result<Self, String> {
        let (rows, cols, len) = (m.rows, m.cols, m.data.len());
        Matrix::from_vec(rows, cols, m.data)
            .ok_or_else(|| format!("matrix of shape {rows}x{cols} has {len} entries"))
    }
}

impl Matrix {
    /// A `rows x cols` matrix of zeros.
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Matrix {
            rows,
            cols,
            data: vec![0; rows * cols],
        }
    }

    /// A matrix from row-major data; `None` if `data.len() != rows * cols`.
    pub fn from_vec(rows: usize, cols: usize, data: Vec<i64>) -> Option<Self> {
        (rows.checked_mul(cols) == Some(data.len())).then_some(Matrix { rows, cols, data })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// `(rows, cols)`.
    pub fn shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }

    /// Row-major entries.
    pub fn data(&self) -> &[i64] {
        &self.data
    }

    /// Row-major entries, mutable (the shape stays).
    pub fn data_mut(&mut self) -> &mut [i64] {
        &mut self.data
    }

    /// Entry `(r, c)`; panics when out of bounds, like slice indexing.
    pub fn get(&self, r: usize, c: usize) -> i64 {
        self.data[r * self.cols + c]
    }

    /// Row `r`.
    pub fn row(&self, r: usize) -> &[i64] {
        &self.data[r * self.cols..(r + 1) * self.cols]
    }

    /// The transpose.
    pub fn transpose(&self) -> Matrix {
        let mut t = Matrix::zeros(self.cols, self.rows);
        for r in 0..self.rows {
            for c in 0..self.cols {
                t.data[c * self.rows + r] = self.data[r * self.cols + c];
            }
        }
        t
    }
}

/// Whether an operand of a product is used as is or transposed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// The matrix itself.
    N,
    /// Its transpose.
    T,
}

fn dims(m: &Matrix, op: Op) -> (usize, usize) {
    match op {
        Op::N => (m.rows, m.cols),
        Op::T => (m.cols, m.rows),
    }
}

fn max_abs(xs: &[i64]) -> u128 {
    xs.iter()
        .map(|x| x.unsigned_abs() as u128)
        .max()
        .unwrap_or(0)
}

/// The exact product `op(a) * op(b)` as row-major `i128` entries, or `None` if the
/// inner dimensions differ.
pub fn product(a: &Matrix, op_a: Op, b: &Matrix, op_b: Op) -> Option<Vec<i128>> {
    let (m, n) = dims(a, op_a);
    let (n2, p) = dims(b, op_b);
    if n != n2 {
        return None;
    }
    if m == 0 || p == 0 {
        return Some(Vec::new());
    }
    let bound = (n as u128)
        .saturating_mul(max_abs(&a.data))
        .saturating_mul(max_abs(&b.data));
    if bound <= 1u128 << 53 {
        Some(product_f64(a, op_a, b, op_b, (m, n, p)))
    } else {
        Some(product_i128(a, op_a, b, op_b, (m, n, p)))
    }
}

fn view<'a>(m: &Matrix, op: Op, data: &'a [f64]) -> ArrayView2<'a, f64> {
    // Row-major storage; a transposed operand is the same data in column-major order.
    let v = ArrayView2::from_shape((m.rows, m.cols).strides((m.cols, 1)), data)
        .expect("shape matches data length by construction");
    match op {
        Op::N => v,
        Op::T => v.reversed_axes(),
    }
}

fn product_f64(
    a: &Matrix,
    op_a: Op,
    b: &Matrix,
    op_b: Op,
    shape: (usize, usize, usize),
) -> Vec<i128> {
    let af: Vec<f64> = a.data.iter().map(|&x| x as f64).collect();
    let bf: Vec<f64> = b.data.iter().map(|&x| x as f64).collect();
    let c = view(a, op_a, &af).dot(&view(b, op_b, &bf));
    debug_assert_eq!(c.dim(), (shape.0, shape.2));
    // `dot` returns a standard-layout array: iterate in row-major order.
    c.iter().map(|&x| x as i128).collect()
}

fn product_i128(
    a: &Matrix,
    op_a: Op,
    b: &Matrix,
    op_b: Op,
    (m, n, p): (usize, usize, usize),
) -> Vec<i128> {
    use rayon::prelude::*;
    let at = |i: usize, k: usize| match op_a {
        Op::N => a.data[i * a.cols + k],
        Op::T => a.data[k * a.cols + i],
    };
    // Copy op(b) into row-major n x p for a contiguous inner loop.
    let mut bn = vec![0i64; n * p];
    for k in 0..n {
        for j in 0..p {
            bn[k * p + j] = match op_b {
                Op::N => b.data[k * b.cols + j],
                Op::T => b.data[j * b.cols + k],
            };
        }
    }
    let mut out = vec![0i128; m * p];
    out.par_chunks_mut(p).enumerate().for_each(|(i, row)| {
        for k in 0..n {
            let x = at(i, k) as i128;
            if x == 0 {
                continue;
            }
            for (acc, &y) in row.iter_mut().zip(&bn[k * p..(k + 1) * p]) {
                *acc += x * y as i128;
            }
        }
    });
    out
}

/// The naive triple-loop reference of [`product`] (tests and the witness checker).
pub fn product_naive(a: &Matrix, op_a: Op, b: &Matrix, op_b: Op) -> Option<Vec<i128>> {
    let (m, n) = dims(a, op_a);
    let (n2, p) = dims(b, op_b);
    if n != n2 {
        return None;
    }
    let get = |x: &Matrix, op: Op, i: usize, j: usize| match op {
        Op::N => x.data[i * x.cols + j],
        Op::T => x.data[j * x.cols + i],
    };
    let mut out = vec![0i128; m * p];
    for i in 0..m {
        for j in 0..p {
            out[i * p + j] = (0..n)
                .map(|k| get(a, op_a, i, k) as i128 * get(b, op_b, k, j) as i128)
                .sum();
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn arb_matrix(rows: usize, cols: usize, bits: u32) -> impl Strategy<Value = Matrix> {
        let lim = 1i64 << bits;
        proptest::collection::vec(-lim..lim, rows * cols)
            .prop_map(move |d| Matrix::from_vec(rows, cols, d).unwrap())
    }

    proptest! {
        #[test]
        fn products_match_naive(
            (a, b) in (1usize..6, 1usize..6, 1usize..6, prop_oneof![Just(10u32), Just(31), Just(62)])
                .prop_flat_map(|(m, n, p, bits)| (arb_matrix(m, n, bits), arb_matrix(n, p, bits)))
        ) {
            let fast = product(&a, Op::N, &b, Op::N).unwrap();
            prop_assert_eq!(&fast, &product_naive(&a, Op::N, &b, Op::N).unwrap());
            let at = a.transpose();
            prop_assert_eq!(&product(&at, Op::T, &b, Op::N).unwrap(), &fast);
            let bt = b.transpose();
            prop_assert_eq!(&product(&a, Op::N, &bt, Op::T).unwrap(), &fast);
            prop_assert_eq!(&product(&at, Op::T, &bt, Op::T).unwrap(), &fast);
        }
    }

    #[test]
    fn both_paths_agree_at_the_f64_threshold() {
        // n * max|a| * max|b| = 2^53 exactly takes the f64 path; one more takes i128.
        let a = Matrix::from_vec(1, 2, vec![1 << 26, -(1 << 26)]).unwrap();
        let b = Matrix::from_vec(2, 1, vec![1 << 26, 1 << 26]).unwrap();
        assert_eq!(product(&a, Op::N, &b, Op::N).unwrap(), vec![0]);
        let a = Matrix::from_vec(1, 2, vec![(1 << 26) + 1, (1 << 26) + 1]).unwrap();
        let b = Matrix::from_vec(2, 1, vec![(1 << 26) + 1, (1 << 26) + 1]).unwrap();
        let want = 2 * ((1i128 << 26) + 1) * ((1i128 << 26) + 1);
        assert_eq!(product(&a, Op::N, &b, Op::N).unwrap(), vec![want]);
        assert!(product(&a, Op::N, &a, Op::N).is_none());
    }
}
