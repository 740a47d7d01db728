//! The stacked matrix product: a claim on `C = op(A) op(B)` reduces to one claim on `A`
//! and one on `B` by a single sumcheck (section 4 of `DESIGN.md`, "Matmul" and
//! "Stacking").
//!
//! # Statement
//!
//! `k` instances (iterations) `t = 0, ..., k - 1`, each with its own three matrices:
//!
//! ```text
//! C_t = op_a(A_t) op_b(B_t),   op_a(A_t): m x n,   op_b(B_t): n x p,   C_t: m x p,
//! ```
//!
//! with `k, m, n, p` powers of two (1 allowed; callers zero-pad) fixed by a
//! [`MatmulShape`]. `op` is [`Op::N`] (the operand as stored) or [`Op::T`] (the stored
//! table is the transpose of the operand), so the backward pass needs no transposed copy.
//!
//! # Layout (variable order of [`zkpot_core::mle`]: variable 0 = least significant bit)
//!
//! Every table is row-major per instance, instances stacked as the highest index bits.
//! With `i < m` (rows of `C`), `j < p` (columns of `C`) and `x < n` (the inner index):
//!
//! | table | stored matrix per instance | index | variables, low to high |
//! |---|---|---|---|
//! | `C` | `m x p` | `t m p + i p + j` | `[j (log p), i (log m), t (log k)]` |
//! | `A`, [`Op::N`] | `m x n` (`A[i][x]`) | `t m n + i n + x` | `[x (log n), i (log m), t (log k)]` |
//! | `A`, [`Op::T`] | `n x m` (`S[x][i] = A[i][x]`) | `t m n + x m + i` | `[i (log m), x (log n), t (log k)]` |
//! | `B`, [`Op::N`] | `n x p` (`B[x][j]`) | `t n p + x p + j` | `[j (log p), x (log n), t (log k)]` |
//! | `B`, [`Op::T`] | `p x n` (`S[j][x] = B[x][j]`) | `t n p + j n + x` | `[x (log n), j (log p), t (log k)]` |
//!
//! A point on `C` is therefore `[r_j, r_i, r_t]` (concatenated, `log p + log m + log k`
//! coordinates). For one SGD layer with a batch of `B` rows (DESIGN 4):
//!
//! * forward `Z = A W`: `A` is `B x d_in` ([`Op::N`]), `W` is `d_in x d_out` ([`Op::N`]);
//! * `dW = A^T G`: `m = d_in`, `n = B`, `p = d_out`; `A` as stored (`B x d_in`) with
//!   [`Op::T`], `G` (`B x d_out`) with [`Op::N`];
//! * `G W^T`: `m = B`, `n = d_out`, `p = d_in`; `G` with [`Op::N`], `W` as stored
//!   (`d_in x d_out`) with [`Op::T`].
//!
//! Every operand is stacked: each iteration has its own weights.
//!
//! # Protocol
//!
//! Given the claim `C~(r_j, r_i, r_t) = v`, the prover fixes the free indices of the
//! operands with `eq` tables (`O(|A| + |B|)`):
//!
//! ```text
//! A_r(x, t) = sum_i eq(r_i, i) A_t[i][x],     B_r(x, t) = sum_j eq(r_j, j) B_t[x][j],
//! ```
//!
//! tables over `(x, t)` (`x` the low `log n` variables, `t` the high `log k`), and proves
//! by one sumcheck over `log n + log k` variables
//!
//! ```text
//! sum_{x, t} eq(r_t, t) A_r(x, t) B_r(x, t) = v
//! ```
//!
//! (degree 3; for `k = 1` there is no `eq` factor and the degree is 2). With the
//! sumcheck point `rho = [rho_x, rho_t]` the prover sends `a = A_r~(rho)` and
//! `b = B_r~(rho)`; the verifier checks the sumcheck's final claim against
//! `eq(r_t, rho_t) a b` and outputs [`MatmulClaims`]: `A~` at `[rho_x, r_i, rho_t]`
//! ([`Op::N`]; `[r_i, rho_x, rho_t]` for [`Op::T`]) equals `a`, and `B~` at
//! `[r_j, rho_x, rho_t]` ([`Op::N`]; `[rho_x, r_j, rho_t]` for [`Op::T`]) equals `b`.
//! The caller must check both (against commitments, or by further reductions); until it
//! does, nothing is proven.
//!
//! # Transcript order
//!
//! The caller has already absorbed whatever binds `A`, `B` and `C` (commitments, earlier
//! layers).
//!
//! 1. `absorb_bytes(`[`MATMUL_LABEL`]`)`; `absorb_u64` of `k, m, n, p`, then of `op_a`,
//!    `op_b` (0 for [`Op::N`], 1 for [`Op::T`]).
//! 2. the output claim: `absorb_u64(point.len())`, `absorb_fields(point)`,
//!    `absorb_field(value)`.
//! 3. the sumcheck of [`zkpot_core::sumcheck::prove`] (it absorbs its own statement:
//!    `log n + log k`, the degree, the claim `v`; then per round the compressed
//!    polynomial, squeezing the round challenge).
//! 4. `absorb_field(a)`, `absorb_field(b)`.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod constraints;
mod proof;
mod prover;
mod verifier;

use ark_ff::Zero;
use zkpot_core::{Fr, Transcript};

use zkpot_core::Claim;

use crate::Error;

pub use proof::MatmulProof;
pub use prover::prove_matmul;
pub use verifier::verify_matmul;

/// The label absorbed first by the matrix-product argument.
pub const MATMUL_LABEL: &[u8] = b"zkpot/gkr/matmul";

/// The most variables any of the three tables may have (`2^40` entries).
pub const MAX_NUM_VARS: usize = 40;

/// How an operand is read from its stored table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Op {
    /// As stored: `A` is stored `m x n`, `B` is stored `n x p`.
    #[default]
    N,
    /// Transposed: the stored table is the operand's transpose (`A` stored `n x m`,
    /// `B` stored `p x n`).
    T,
}

impl Op {
    /// The transcript encoding: 0 for [`Op::N`], 1 for [`Op::T`].
    pub fn code(self) -> u64 {
        match self {
            Op::N => 0,
            Op::T => 1,
        }
    }
}

/// The shape of a stacked product `C_t = op_a(A_t) op_b(B_t)`, `t < k`, with `op_a(A_t)`
/// of `m x n` and `op_b(B_t)` of `n x p`. All four dimensions must be powers of two
/// ([`MatmulShape::validate`]; [`prove_matmul`] and [`verify_matmul`] check it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MatmulShape {
    /// Number of stacked instances.
    pub k: usize,
    /// Rows of `C` (and of `op_a(A)`).
    pub m: usize,
    /// The inner (contracted) dimension.
    pub n: usize,
    /// Columns of `C` (and of `op_b(B)`).
    pub p: usize,
    /// How `A` is read.
    pub op_a: Op,
    /// How `B` is read.
    pub op_b: Op,
}

/// `log2` of a power of two.
fn log2(x: usize) -> usize {
    x.trailing_zeros() as usize
}

impl MatmulShape {
    /// The shape with both operands as stored ([`Op::N`]); not validated.
    pub fn new(k: usize, m: usize, n: usize, p: usize) -> Self {
        Self {
            k,
            m,
            n,
            p,
            op_a: Op::N,
            op_b: Op::N,
        }
    }

    /// The same shape with these operand modes.
    pub fn with_ops(self, op_a: Op, op_b: Op) -> Self {
        Self { op_a, op_b, ..self }
    }

    /// Checks that `k, m, n, p` are powers of two and that no table has more than
    /// [`MAX_NUM_VARS`] variables.
    pub fn validate(&self) -> Result<(), Error> {
        for (dim, value) in [("k", self.k), ("m", self.m), ("n", self.n), ("p", self.p)] {
            if !value.is_power_of_two() {
                return Err(Error::DimensionNotPowerOfTwo { dim, value });
            }
        }
        let num_vars = [self.a_num_vars(), self.b_num_vars(), self.c_num_vars()]
            .into_iter()
            .max()
            .unwrap_or(0);
        if num_vars > MAX_NUM_VARS {
            return Err(Error::TooManyVariables {
                num_vars,
                max: MAX_NUM_VARS,
            });
        }
        Ok(())
    }

    fn log_k(&self) -> usize {
        log2(self.k)
    }

    fn log_m(&self) -> usize {
        log2(self.m)
    }

    fn log_n(&self) -> usize {
        log2(self.n)
    }

    fn log_p(&self) -> usize {
        log2(self.p)
    }

    /// Variables of the `A` table: `log k + log m + log n` (for a valid shape).
    pub fn a_num_vars(&self) -> usize {
        self.log_k() + self.log_m() + self.log_n()
    }

    /// Variables of the `B` table: `log k + log n + log p`.
    pub fn b_num_vars(&self) -> usize {
        self.log_k() + self.log_n() + self.log_p()
    }

    /// Variables of the `C` table: `log k + log m + log p`.
    pub fn c_num_vars(&self) -> usize {
        self.log_k() + self.log_m() + self.log_p()
    }

    /// Rounds of the sumcheck: `log n + log k`.
    pub fn num_rounds(&self) -> usize {
        self.log_n() + self.log_k()
    }

    /// Degree of the sumcheck: 3 (`eq` times two factors), 2 when `k = 1`.
    pub fn degree(&self) -> usize {
        if self.k == 1 {
            2
        } else {
            3
        }
    }

    /// Entries of the `A` table, `k m n` (for a valid shape).
    pub fn a_len(&self) -> usize {
        1 << self.a_num_vars()
    }

    /// Entries of the `B` table, `k n p`.
    pub fn b_len(&self) -> usize {
        1 << self.b_num_vars()
    }

    /// Entries of the `C` table, `k m p`.
    pub fn c_len(&self) -> usize {
        1 << self.c_num_vars()
    }

    /// Checks the shape and a point on `C`, and splits it into `(r_j, r_i, r_t)`.
    fn split_output_point<'a>(&self, point: &'a [Fr]) -> Result<OutputPoint<'a>, Error> {
        self.validate()?;
        let expected = self.c_num_vars();
        if point.len() != expected {
            return Err(Error::PointLengthMismatch {
                expected,
                got: point.len(),
            });
        }
        let (r_j, rest) = point.split_at(self.log_p());
        let (r_i, r_t) = rest.split_at(self.log_m());
        Ok(OutputPoint { r_j, r_i, r_t })
    }

    /// The claims on `A` and `B` from the sumcheck point `rho = [rho_x, rho_t]` and the
    /// output point's `(r_j, r_i)` (see the module docs).
    fn input_claims(&self, r_j: &[Fr], r_i: &[Fr], rho: &[Fr], a: Fr, b: Fr) -> MatmulClaims {
        let (rho_x, rho_t) = rho.split_at(self.log_n().min(rho.len()));
        let concat = |parts: [&[Fr]; 3]| parts.concat();
        let a_point = match self.op_a {
            Op::N => concat([rho_x, r_i, rho_t]),
            Op::T => concat([r_i, rho_x, rho_t]),
        };
        let b_point = match self.op_b {
            Op::N => concat([r_j, rho_x, rho_t]),
            Op::T => concat([rho_x, r_j, rho_t]),
        };
        MatmulClaims {
            a: Claim {
                point: a_point,
                value: a,
            },
            b: Claim {
                point: b_point,
                value: b,
            },
        }
    }
}

/// A point on `C` split into its blocks: columns, rows, instances.
struct OutputPoint<'a> {
    r_j: &'a [Fr],
    r_i: &'a [Fr],
    r_t: &'a [Fr],
}

/// The claims a matrix-product proof leaves on its operands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatmulClaims {
    /// A claim on the stored `A` table ([`MatmulShape::a_num_vars`] coordinates).
    pub a: Claim,
    /// A claim on the stored `B` table ([`MatmulShape::b_num_vars`] coordinates).
    pub b: Claim,
}

/// The transcript's opening (steps 1 and 2 of the module docs).
fn start<T: Transcript>(transcript: &mut T, shape: &MatmulShape, output: &Claim) {
    transcript.absorb_bytes(MATMUL_LABEL);
    for x in [shape.k, shape.m, shape.n, shape.p] {
        transcript.absorb_u64(x as u64);
    }
    transcript.absorb_u64(shape.op_a.code());
    transcript.absorb_u64(shape.op_b.code());
    transcript.absorb_u64(output.point.len() as u64);
    transcript.absorb_fields(&output.point);
    transcript.absorb_field(&output.value);
}

/// The naive product (reference for tests): the stored `C` table of `shape`
/// (`C[t][i][j] = sum_x op_a(A_t)[i][x] op_b(B_t)[x][j]`), `O(k m n p)`.
pub fn matmul_naive(shape: &MatmulShape, a: &[Fr], b: &[Fr]) -> Result<Vec<Fr>, Error> {
    shape.validate()?;
    check_len("A", shape.a_len(), a.len())?;
    check_len("B", shape.b_len(), b.len())?;
    let MatmulShape { k, m, n, p, .. } = *shape;
    let a_at = |t: usize, i: usize, x: usize| match shape.op_a {
        Op::N => a.get(t * m * n + i * n + x),
        Op::T => a.get(t * m * n + x * m + i),
    };
    let b_at = |t: usize, x: usize, j: usize| match shape.op_b {
        Op::N => b.get(t * n * p + x * p + j),
        Op::T => b.get(t * n * p + j * n + x),
    };
    let mut c = vec![Fr::zero(); k * m * p];
    for t in 0..k {
        for i in 0..m {
            for j in 0..p {
                let mut acc = Fr::zero();
                for x in 0..n {
                    if let (Some(u), Some(v)) = (a_at(t, i, x), b_at(t, x, j)) {
                        acc += *u * v;
                    }
                }
                if let Some(slot) = c.get_mut(t * m * p + i * p + j) {
                    *slot = acc;
                }
            }
        }
    }
    Ok(c)
}

/// Errors unless a table has the length its shape implies.
fn check_len(table: &'static str, expected: usize, got: usize) -> Result<(), Error> {
    if expected == got {
        Ok(())
    } else {
        Err(Error::LengthMismatch {
            table,
            expected,
            got,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn shape_validation() {
        assert!(MatmulShape::new(1, 1, 1, 1).validate().is_ok());
        assert_eq!(
            MatmulShape::new(2, 3, 4, 4).validate(),
            Err(Error::DimensionNotPowerOfTwo { dim: "m", value: 3 })
        );
        assert_eq!(
            MatmulShape::new(0, 1, 1, 1).validate(),
            Err(Error::DimensionNotPowerOfTwo { dim: "k", value: 0 })
        );
        assert!(matches!(
            MatmulShape::new(1 << 20, 1 << 20, 2, 2).validate(),
            Err(Error::TooManyVariables { .. })
        ));
        let s = MatmulShape::new(4, 8, 2, 16);
        assert_eq!((s.a_len(), s.b_len(), s.c_len()), (64, 128, 512));
        assert_eq!((s.num_rounds(), s.degree()), (3, 3));
    }
}
