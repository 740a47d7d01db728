//! The relaxed R1CS `A z ∘ B z = u C z + E` as the decider's sumchecks see it: the three
//! matrices in compressed sparse rows, with the columns reordered so that the witness
//! comes first.
//!
//! sonobe orders the columns `z = (u, x, w)`. Here the witness `w` takes the columns
//! `0..n_w` of a block of `2^k` columns and `(u, x)` the first columns of a second block
//! of `2^k` (`k` the smallest with `2^k >= max(n_w, 1 + n_x)`), so that the multilinear
//! extension of `z` over `k + 1` variables is
//!
//! ```text
//! z~(y) = (1 - y_k) w~(y_0..y_{k-1}) + y_k ux~(y_0..y_{k-1})
//! ```
//!
//! (variable `k`, the highest, picks the block; [`zkpot_core::mle`]'s order). `w~` is what
//! the commitment `cm_w` opens to (its entries are the coefficients of the HyperKZG
//! polynomial, zero-padded), and `ux~` the verifier computes from the instance. The rows
//! (constraints) are zero-padded to `2^s`.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ark_ff::PrimeField;
use rayon::prelude::*;
use sonobe::primitives::arithmetizations::{ccs::CCS, r1cs::R1CS, Arith};
use zkpot_core::Fr;

use crate::error::Error;

/// Rows per parallel task of the sparse products.
const ROWS_PER_TASK: usize = 1 << 12;

/// One matrix in compressed sparse rows: row `i` holds the entries
/// `starts[i]..starts[i + 1]` of `cols` and `vals`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Csr<F> {
    starts: Vec<usize>,
    cols: Vec<u32>,
    vals: Vec<F>,
}

impl<F: PrimeField> Csr<F> {
    /// The entries of row `i` as `(column, value)` pairs.
    fn row(&self, i: usize) -> impl Iterator<Item = (usize, F)> + '_ {
        let (from, to) = match (self.starts.get(i), self.starts.get(i + 1)) {
            (Some(&a), Some(&b)) => (a, b),
            _ => (0, 0),
        };
        let cols = self.cols.get(from..to).unwrap_or_default();
        let vals = self.vals.get(from..to).unwrap_or_default();
        cols.iter().zip(vals).map(|(&c, &v)| (c as usize, v))
    }

    /// The number of non-zero entries.
    pub(crate) fn num_entries(&self) -> usize {
        self.vals.len()
    }
}

/// A relaxed R1CS over `F` in the decider's layout (see the [module docs](self)): the
/// augmented circuit's over `Fr`, the CycleFold circuit's over `Fq`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SnarkR1cs<F = Fr> {
    num_constraints: usize,
    num_witnesses: usize,
    num_public_inputs: usize,
    /// `s`: the rows are padded to `2^s`.
    row_vars: usize,
    /// `k`: each column block has `2^k` columns; `z~` has `k + 1` variables.
    block_vars: usize,
    /// `A`, `B`, `C`.
    matrices: [Csr<F>; 3],
}

/// `ceil(log2(n))`, at least 1.
fn log2_ceil(n: usize) -> usize {
    n.max(2).next_power_of_two().trailing_zeros() as usize
}

impl<F: PrimeField> SnarkR1cs<F> {
    /// Reorders the columns of `r1cs` (sonobe's `(u, x, w)`) into the decider's layout.
    pub(crate) fn new(r1cs: &R1CS<F>) -> Result<SnarkR1cs<F>, Error> {
        let config = r1cs.config();
        let (m, n_x, n_w) = (
            config.n_constraints,
            config.n_public_inputs,
            config.n_witnesses,
        );
        let block_vars = log2_ceil(n_w.max(n_x + 1));
        let row_vars = log2_ceil(m);
        if block_vars >= 31 || row_vars >= 40 {
            return Err(Error::DeciderShape {
                reason: "the circuit is too large for the decider",
            });
        }
        let block = 1usize << block_vars;
        // sonobe's column `j` in the decider's layout.
        let column = |j: usize| -> Option<u32> {
            let c = if j <= n_x { block + j } else { j - n_x - 1 };
            (j < 1 + n_x + n_w).then(|| u32::try_from(c).ok()).flatten()
        };
        let mut matrices = Vec::with_capacity(3);
        for matrix in r1cs.matrices() {
            if matrix.len() != m {
                return Err(Error::DeciderShape {
                    reason: "a matrix does not have one row per constraint",
                });
            }
            let total = matrix.iter().map(Vec::len).sum();
            let mut csr = Csr {
                starts: Vec::with_capacity(m + 1),
                cols: Vec::with_capacity(total),
                vals: Vec::with_capacity(total),
            };
            csr.starts.push(0);
            for row in matrix {
                for &(v, j) in row {
                    let c = column(j).ok_or(Error::DeciderShape {
                        reason: "a matrix entry lies outside the columns",
                    })?;
                    csr.cols.push(c);
                    csr.vals.push(v);
                }
                csr.starts.push(csr.cols.len());
            }
            matrices.push(csr);
        }
        let matrices: [Csr<F>; 3] = matrices.try_into().map_err(|_| Error::DeciderShape {
            reason: "an R1CS has three matrices",
        })?;
        Ok(SnarkR1cs {
            num_constraints: m,
            num_witnesses: n_w,
            num_public_inputs: n_x,
            row_vars,
            block_vars,
            matrices,
        })
    }

    /// The number of constraints (rows before padding).
    pub(crate) fn num_constraints(&self) -> usize {
        self.num_constraints
    }

    /// The witness length.
    pub(crate) fn num_witnesses(&self) -> usize {
        self.num_witnesses
    }

    /// The public input length.
    pub(crate) fn num_public_inputs(&self) -> usize {
        self.num_public_inputs
    }

    /// `s`: the number of row variables.
    pub(crate) fn row_vars(&self) -> usize {
        self.row_vars
    }

    /// `k`: the number of variables of `w~` (and of `z~` less one).
    pub(crate) fn block_vars(&self) -> usize {
        self.block_vars
    }

    /// The non-zero entries of `A`, `B`, `C`.
    pub(crate) fn num_entries(&self) -> [usize; 3] {
        [
            self.matrices[0].num_entries(),
            self.matrices[1].num_entries(),
            self.matrices[2].num_entries(),
        ]
    }

    /// `z` in the decider's layout (`2^(k+1)` entries) from `w`, `u` and `x`; `None`
    /// unless the lengths are the circuit's.
    pub(crate) fn z_table(&self, w: &[F], u: F, x: &[F]) -> Option<Vec<F>> {
        if w.len() != self.num_witnesses || x.len() != self.num_public_inputs {
            return None;
        }
        let block = 1usize << self.block_vars;
        let mut z = vec![F::zero(); 2 * block];
        z.get_mut(..w.len())?.copy_from_slice(w);
        let ux = z.get_mut(block..block + 1 + x.len())?;
        let (first, rest) = ux.split_first_mut()?;
        *first = u;
        rest.copy_from_slice(x);
        Some(z)
    }

    /// `ux~` at `point` (`k` coordinates): the second block of `z`, `(u, x)` zero-padded,
    /// from its `1 + n_x` non-zero entries only (`O(n_x k)`, no table).
    pub(crate) fn ux_eval(&self, u: F, x: &[F], point: &[F]) -> Result<F, Error> {
        if point.len() != self.block_vars || x.len() != self.num_public_inputs {
            return Err(Error::DeciderShape {
                reason: "the public input or the point has the wrong length",
            });
        }
        // eq(point, j) for the index j: the product over its bits.
        let eq_at = |j: usize| -> F {
            point
                .iter()
                .enumerate()
                .map(|(b, &p)| if (j >> b) & 1 == 1 { p } else { F::one() - p })
                .product()
        };
        Ok(std::iter::once(&u)
            .chain(x)
            .enumerate()
            .map(|(j, v)| eq_at(j) * v)
            .sum())
    }

    /// `(A z, B z, C z)`, each zero-padded to `2^s` entries (`z` as [`SnarkR1cs::z_table`]
    /// lays it out).
    pub(crate) fn products(&self, z: &[F]) -> [Vec<F>; 3] {
        let rows = 1usize << self.row_vars;
        let product = |csr: &Csr<F>| -> Vec<F> {
            let mut out = vec![F::zero(); rows];
            out.par_chunks_mut(ROWS_PER_TASK)
                .enumerate()
                .for_each(|(task, chunk)| {
                    for (k, o) in chunk.iter_mut().enumerate() {
                        let i = task * ROWS_PER_TASK + k;
                        *o = csr
                            .row(i)
                            .map(|(c, v)| v * z.get(c).copied().unwrap_or_default())
                            .sum();
                    }
                });
            out
        };
        [
            product(&self.matrices[0]),
            product(&self.matrices[1]),
            product(&self.matrices[2]),
        ]
    }

    /// The table over the columns (`2^(k+1)` entries) of
    /// `M(y) = sum_x rows[x] * (c_A A + c_B B + c_C C)(x, y)`: the matrices bound to a
    /// row point whose `eq` table is `rows`.
    pub(crate) fn bind_rows(&self, rows: &[F], coeffs: [F; 3]) -> Vec<F> {
        let cols = 2usize << self.block_vars;
        let tasks = self.num_constraints.div_ceil(ROWS_PER_TASK).max(1);
        (0..tasks)
            .into_par_iter()
            .fold(
                || vec![F::zero(); cols],
                |mut acc, task| {
                    let end = ((task + 1) * ROWS_PER_TASK).min(self.num_constraints);
                    for i in task * ROWS_PER_TASK..end {
                        let weight = rows.get(i).copied().unwrap_or_default();
                        if weight.is_zero() {
                            continue;
                        }
                        for (csr, c) in self.matrices.iter().zip(coeffs) {
                            let w = weight * c;
                            for (col, v) in csr.row(i) {
                                if let Some(a) = acc.get_mut(col) {
                                    *a += w * v;
                                }
                            }
                        }
                    }
                    acc
                },
            )
            .reduce(
                || vec![F::zero(); cols],
                |mut a, b| {
                    a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                    a
                },
            )
    }

    /// `(c_A A + c_B B + c_C C)~(rx, ry)` from the `eq` tables of the two points, by one
    /// pass over every non-zero entry: the plain verifier's evaluation (linear in the
    /// matrices' size).
    pub(crate) fn evaluate(&self, rows: &[F], cols: &[F], coeffs: [F; 3]) -> F {
        let tasks = self.num_constraints.div_ceil(ROWS_PER_TASK).max(1);
        (0..tasks)
            .into_par_iter()
            .map(|task| {
                let end = ((task + 1) * ROWS_PER_TASK).min(self.num_constraints);
                let mut sum = F::zero();
                for i in task * ROWS_PER_TASK..end {
                    let weight = rows.get(i).copied().unwrap_or_default();
                    for (csr, c) in self.matrices.iter().zip(coeffs) {
                        let row: F = csr
                            .row(i)
                            .map(|(col, v)| v * cols.get(col).copied().unwrap_or_default())
                            .sum();
                        sum += weight * c * row;
                    }
                }
                sum
            })
            .sum()
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use ark_ff::{One, UniformRand, Zero};
    use sonobe::primitives::arithmetizations::ArithRelation;
    use zkpot_core::{eq_table, evaluate_slice};

    use super::*;
    use crate::tests::rng;

    /// A small random R1CS (not satisfiable): `m` rows of a few random entries each.
    fn random_r1cs(m: usize, n_x: usize, n_w: usize, seed: u64) -> R1CS<Fr> {
        let mut r = rng(seed);
        let n = 1 + n_x + n_w;
        let matrix = |r: &mut rand_chacha::ChaCha20Rng| -> Vec<Vec<(Fr, usize)>> {
            (0..m)
                .map(|i| {
                    (0..3)
                        .map(|k| (Fr::rand(r), (i * 7 + k * 13) % n))
                        .collect()
                })
                .collect()
        };
        let matrices = [matrix(&mut r), matrix(&mut r), matrix(&mut r)];
        R1CS::new_without_validity_check(m, n, n_x, matrices)
    }

    #[test]
    fn products_match_sonobe_and_bindings_match_evaluations() {
        let (m, n_x, n_w) = (37, 3, 21);
        let r1cs = random_r1cs(m, n_x, n_w, 1);
        let snark = SnarkR1cs::new(&r1cs).unwrap();
        assert_eq!((snark.row_vars(), snark.block_vars()), (6, 5));
        let mut r = rng(2);
        let w: Vec<Fr> = (0..n_w).map(|_| Fr::rand(&mut r)).collect();
        let x: Vec<Fr> = (0..n_x).map(|_| Fr::rand(&mut r)).collect();
        let u = Fr::rand(&mut r);
        let z = snark.z_table(&w, u, &x).unwrap();
        let [az, bz, cz] = snark.products(&z);
        // sonobe's relaxed evaluation is `Az ∘ Bz - u Cz`.
        let relation =
            sonobe::primitives::arithmetizations::r1cs::RelaxedInstance { x: &x[..], u: &u };
        let witness = sonobe::primitives::arithmetizations::r1cs::RelaxedWitness {
            w: &w[..],
            e: &[][..],
        };
        let e = r1cs.eval_relation(&witness, &relation).unwrap();
        for i in 0..m {
            assert_eq!(az[i] * bz[i] - u * cz[i], e[i], "row {i}");
        }
        assert!(az[m..].iter().all(Fr::is_zero));

        // Binding the rows, then evaluating at the columns, is the full evaluation; and
        // `z~` splits into `w~` and `ux~`.
        let rx: Vec<Fr> = (0..snark.row_vars()).map(|_| Fr::rand(&mut r)).collect();
        let ry: Vec<Fr> = (0..snark.block_vars() + 1)
            .map(|_| Fr::rand(&mut r))
            .collect();
        let coeffs = [Fr::one(), Fr::rand(&mut r), Fr::rand(&mut r)];
        let (eq_rx, eq_ry) = (eq_table(&rx), eq_table(&ry));
        let bound = snark.bind_rows(&eq_rx, coeffs);
        let by_binding = evaluate_slice(&bound, &ry).unwrap();
        assert_eq!(snark.evaluate(&eq_rx, &eq_ry, coeffs), by_binding);
        // sum_y M(rx, y) z(y) = c . (Az~(rx), Bz~(rx), Cz~(rx)).
        let lhs: Fr = bound.iter().zip(&z).map(|(a, b)| *a * b).sum();
        let rhs = coeffs[0] * evaluate_slice(&az, &rx).unwrap()
            + coeffs[1] * evaluate_slice(&bz, &rx).unwrap()
            + coeffs[2] * evaluate_slice(&cz, &rx).unwrap();
        assert_eq!(lhs, rhs);
        let k = snark.block_vars();
        let mut w_padded = w.clone();
        w_padded.resize(1 << k, Fr::zero());
        let split = (Fr::one() - ry[k]) * evaluate_slice(&w_padded, &ry[..k]).unwrap()
            + ry[k] * snark.ux_eval(u, &x, &ry[..k]).unwrap();
        assert_eq!(evaluate_slice(&z, &ry).unwrap(), split);
        // Wrong lengths are refused.
        assert!(snark.z_table(&w[1..], u, &x).is_none());
    }
}
