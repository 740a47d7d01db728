//! Multilinear tables and `eq` tables.
//!
//! # Variable order (the one convention every crate follows)
//!
//! A table over `n` variables `x_0, ..., x_{n-1}` has `2^n` entries; the entry at index
//! `i = sum_j x_j 2^j` is the value at the boolean point `(x_0, ..., x_{n-1})`. So
//! **variable 0 is the least significant bit of the index**, and it is the variable bound
//! first: binding `x_0 = r` folds adjacent pairs `(2i, 2i+1)` into entry `i`,
//!
//! ```text
//! new[i] = old[2i] + r * (old[2i+1] - old[2i]),
//! ```
//!
//! after which the table is over `x_1, ..., x_{n-1}`, in the same order. A point is a
//! slice `&[Fr]` with `point[j]` the value of `x_j`. A row-major matrix `M[row][col]` with
//! power-of-two dimensions is the table with index `row * num_cols + col`, so the column
//! bits are the low variables (bound first) and the row bits the high ones.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod constraints;

use ark_ff::{Field, One, Zero};
use rayon::prelude::*;

use crate::{error::Error, field::Fr, fixed::i64_to_field};

/// The evaluations of a multilinear polynomial on the boolean hypercube, in the order
/// documented at the top of this module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultilinearTable {
    num_vars: usize,
    evals: Vec<Fr>,
}

/// Folds pairs in place: `evals[i] = evals[2i] + r (evals[2i+1] - evals[2i])`, halving it.
fn fold_in_place(evals: &mut Vec<Fr>, r: Fr) {
    let half = evals.len() / 2;
    for i in 0..half {
        if let (Some(&lo), Some(&hi)) = (evals.get(2 * i), evals.get(2 * i + 1)) {
            if let Some(slot) = evals.get_mut(i) {
                *slot = lo + r * (hi - lo);
            }
        }
    }
    evals.truncate(half);
}

/// Tables at least this long are bound in parallel by [`evaluate_slice`].
const PAR_BIND_LEN: usize = 1 << 13;

/// The multilinear extension of the table `evals` at `point`, without copying `evals`:
/// the first variable is bound into a half-size buffer, the rest in place (in parallel
/// for long tables). Errors unless `evals.len() = 2^point.len()`.
pub fn evaluate_slice(evals: &[Fr], point: &[Fr]) -> Result<Fr, Error> {
    let mismatch = || Error::PointLengthMismatch {
        expected: evals.len().trailing_zeros() as usize,
        got: point.len(),
    };
    if evals.len() != 1usize.checked_shl(point.len() as u32).unwrap_or(0) {
        return Err(mismatch());
    }
    let Some((&r0, rest)) = point.split_first() else {
        return evals.first().copied().ok_or_else(mismatch);
    };
    let bind = |src: &[Fr], r: Fr| -> Vec<Fr> {
        let pair = |p: &[Fr]| match p {
            [lo, hi] => *lo + r * (*hi - *lo),
            // `chunks_exact(2)` yields pairs only.
            _ => Fr::zero(),
        };
        if src.len() >= PAR_BIND_LEN {
            src.par_chunks_exact(2)
                .with_min_len(PAR_BIND_LEN / 2)
                .map(pair)
                .collect()
        } else {
            src.chunks_exact(2).map(pair).collect()
        }
    };
    let mut buf = bind(evals, r0);
    for &r in rest {
        if buf.len() >= PAR_BIND_LEN {
            buf = bind(&buf, r);
        } else {
            fold_in_place(&mut buf, r);
        }
    }
    buf.first().copied().ok_or_else(mismatch)
}

impl MultilinearTable {
    /// The table with these entries; the length must be a power of two (at least 1).
    pub fn new(evals: Vec<Fr>) -> Result<Self, Error> {
        if !evals.len().is_power_of_two() {
            return Err(Error::NotPowerOfTwo { len: evals.len() });
        }
        Ok(Self {
            num_vars: evals.len().trailing_zeros() as usize,
            evals,
        })
    }

    /// The table of signed integers encoded with [`i64_to_field`]; the length must be a
    /// power of two.
    pub fn from_i64s(values: &[i64]) -> Result<Self, Error> {
        Self::new(values.iter().copied().map(i64_to_field).collect())
    }

    /// The table over `num_vars` variables whose first entries are `evals` and the rest
    /// zero. Errors if `evals` has more than `2^num_vars` entries.
    pub fn zero_padded(mut evals: Vec<Fr>, num_vars: usize) -> Result<Self, Error> {
        let len = u32::try_from(num_vars)
            .ok()
            .and_then(|n| 1usize.checked_shl(n))
            .ok_or(Error::TooManyVariables { num_vars })?;
        if evals.len() > len {
            return Err(Error::TableTooLong {
                len: evals.len(),
                num_vars,
            });
        }
        evals.resize(len, Fr::zero());
        Ok(Self { num_vars, evals })
    }

    /// The number of variables `n`.
    pub fn num_vars(&self) -> usize {
        self.num_vars
    }

    /// The `2^n` entries.
    pub fn evals(&self) -> &[Fr] {
        &self.evals
    }

    /// The number of entries, `2^n`.
    pub fn len(&self) -> usize {
        self.evals.len()
    }

    /// Always false: a table has at least one entry.
    pub fn is_empty(&self) -> bool {
        self.evals.is_empty()
    }

    /// The entries, by value.
    pub fn into_evals(self) -> Vec<Fr> {
        self.evals
    }

    /// The multilinear extension at `point` (`point[j]` is `x_j`), by binding the
    /// variables in order: `O(2^n)` field operations.
    pub fn evaluate(&self, point: &[Fr]) -> Result<Fr, Error> {
        if point.len() != self.num_vars {
            return Err(Error::PointLengthMismatch {
                expected: self.num_vars,
                got: point.len(),
            });
        }
        evaluate_slice(&self.evals, point)
    }

    /// Fixes variable 0 (the least significant index bit) to `r`; the table then has one
    /// variable fewer. Errors if there is no variable left.
    pub fn bind(&mut self, r: Fr) -> Result<(), Error> {
        if self.num_vars == 0 {
            return Err(Error::NoVariableToBind);
        }
        fold_in_place(&mut self.evals, r);
        self.num_vars -= 1;
        Ok(())
    }
}

/// The table of `eq(x, point)` over `n = point.len()` variables: entry `i` is
/// `prod_j (x_j r_j + (1 - x_j)(1 - r_j))` with `x_j` bit `j` of `i` and `r_j = point[j]`.
/// Built in `O(2^n)` by doubling: variable `j` enters as the new high bit.
pub fn eq_table(point: &[Fr]) -> Vec<Fr> {
    let mut table = Vec::with_capacity(1 << point.len());
    table.push(Fr::one());
    for &r in point {
        let half = table.len();
        table.resize(2 * half, Fr::zero());
        let (lo, hi) = table.split_at_mut(half);
        let step = |(l, h): (&mut Fr, &mut Fr)| {
            *h = *l * r;
            *l -= *h;
        };
        if half >= PAR_EQ_HALF {
            lo.par_iter_mut()
                .zip(hi)
                .with_min_len(PAR_EQ_HALF)
                .for_each(step);
        } else {
            lo.iter_mut().zip(hi).for_each(step);
        }
    }
    table
}

/// A point's low part and block: its trailing coordinates that are exactly 0 or 1 (zero
/// padding, or a claim on an aligned block of a larger table) select the block at
/// `offset`, and `eq(point, .)` is `eq(low, .)` on that block and zero elsewhere.
fn split_block(point: &[Fr]) -> (&[Fr], usize) {
    let boolean = point
        .iter()
        .rev()
        .take_while(|x| x.is_zero() || x.is_one())
        .count();
    let low = point.len().saturating_sub(boolean);
    let (low_part, high) = point.split_at_checked(low).unwrap_or((point, &[]));
    let offset = high
        .iter()
        .enumerate()
        .filter(|(_, x)| x.is_one())
        .fold(0usize, |acc, (j, _)| acc | 1 << (low + j));
    (low_part, offset)
}

/// A root point and its members `(variables, block offset, scale)`.
type Family<'a> = (&'a [Fr], Vec<(usize, usize, Fr)>);

/// `sum_i a_i eq(r_i, .)` over a table of `len` entries, for claims `(r_i, a_i)` whose
/// points have at most `log2(len)` coordinates (zero-padded): the combined `eq` weights
/// of a merge or an aggregation of claims on one table.
///
/// Only the selected block of each claim is written (its trailing 0/1 coordinates pick
/// it), and `eq` tables are shared: claims on the blocks of one region have points that
/// are prefixes of one another, and for a prefix `p` of `q`,
/// `eq(p, x) = eq(q, x) / prod_{j >= |p|} (1 - q_j)` on the first `2^|p|` entries, so
/// one table serves them all (longest first).
// Prover-only (the merge and aggregation provers build their combined `eq` table with
// it; no verifier calls it): the block offsets come from the prover's own claims and lie
// in the table by construction, so it indexes directly.
#[allow(clippy::indexing_slicing)]
pub fn eq_weights(len: usize, claims: &[(&[Fr], Fr)]) -> Vec<Fr> {
    let mut w = vec![Fr::zero(); len];
    let mut parts: Vec<(&[Fr], usize, Fr)> = claims
        .iter()
        .map(|(point, a)| {
            let (low, offset) = split_block(point);
            (low, offset, *a)
        })
        .collect();
    parts.sort_by_key(|(low, _, _)| std::cmp::Reverse(low.len()));
    // Families: a root point and the claims (with their scales) whose low parts are
    // prefixes of it; one eq table per family, built and dropped in turn.
    let mut families: Vec<Family> = Vec::new();
    for (low, offset, a) in parts {
        let member = families.iter().enumerate().find_map(|(i, (q, _))| {
            let (head, tail) = q.split_at_checked(low.len())?;
            if head != low {
                return None;
            }
            let denominator: Fr = tail.iter().map(|x| Fr::one() - x).product();
            denominator.inverse().map(|inverse| (i, a * inverse))
        });
        match member {
            Some((i, scale)) => families[i].1.push((low.len(), offset, scale)),
            None => families.push((low, vec![(low.len(), offset, a)])),
        }
    }
    for (root, members) in families {
        let eq = eq_table(root);
        for (vars, offset, scale) in members {
            let eq = &eq[..1 << vars];
            w[offset..offset + eq.len()]
                .par_iter_mut()
                .zip(eq)
                .with_min_len(PAR_EQ_HALF)
                .for_each(|(w, e)| *w += scale * e);
        }
    }
    w
}

/// Halves at least this long are doubled in parallel by [`eq_table`].
const PAR_EQ_HALF: usize = 1 << 12;

/// `eq(a, b) = prod_j (a_j b_j + (1 - a_j)(1 - b_j))`; the lengths must match.
pub fn eq_eval(a: &[Fr], b: &[Fr]) -> Result<Fr, Error> {
    if a.len() != b.len() {
        return Err(Error::PointLengthMismatch {
            expected: a.len(),
            got: b.len(),
        });
    }
    Ok(a.iter()
        .zip(b)
        .map(|(&x, &y)| {
            let xy = x * y;
            Fr::one() - x - y + xy + xy
        })
        .product())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]

    use super::*;
    use ark_ff::UniformRand;
    use proptest::prelude::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    fn random_table(seed: u64, num_vars: usize) -> (MultilinearTable, Vec<Fr>) {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let evals = (0..1 << num_vars).map(|_| Fr::rand(&mut rng)).collect();
        let point = (0..num_vars).map(|_| Fr::rand(&mut rng)).collect();
        (MultilinearTable::new(evals).unwrap(), point)
    }

    fn boolean_point(index: usize, num_vars: usize) -> Vec<Fr> {
        (0..num_vars)
            .map(|j| Fr::from((index >> j) as u64 & 1))
            .collect()
    }

    #[test]
    fn construction() {
        assert_eq!(
            MultilinearTable::new(vec![]),
            Err(Error::NotPowerOfTwo { len: 0 })
        );
        assert_eq!(
            MultilinearTable::new(vec![Fr::one(); 3]),
            Err(Error::NotPowerOfTwo { len: 3 })
        );
        let t = MultilinearTable::from_i64s(&[5]).unwrap();
        assert_eq!((t.num_vars(), t.len(), t.is_empty()), (0, 1, false));
        let t = MultilinearTable::from_i64s(&[1, -2, 3, -4]).unwrap();
        assert_eq!(t.num_vars(), 2);
        assert_eq!(t.evals()[1], -Fr::from(2u64));

        let t = MultilinearTable::zero_padded(vec![Fr::one(); 3], 3).unwrap();
        assert_eq!(t.len(), 8);
        assert_eq!(t.evals()[2..4], [Fr::one(), Fr::zero()]);
        assert_eq!(
            MultilinearTable::zero_padded(vec![Fr::one(); 3], 1),
            Err(Error::TableTooLong {
                len: 3,
                num_vars: 1
            })
        );
        assert_eq!(
            MultilinearTable::zero_padded(vec![], 64),
            Err(Error::TooManyVariables { num_vars: 64 })
        );
        assert_eq!(
            MultilinearTable::zero_padded(vec![], 0)
                .unwrap()
                .into_evals(),
            vec![Fr::zero()]
        );
    }

    #[test]
    fn variable_order() {
        // f(x_0, x_1) with entries at index x_0 + 2 x_1: variable 0 is the low bit.
        let t = MultilinearTable::from_i64s(&[10, 20, 30, 40]).unwrap();
        let (a, b) = (Fr::from(3u64), Fr::from(5u64));
        // f = 10 + 10 x_0 + 20 x_1.
        assert_eq!(t.evaluate(&[a, b]).unwrap(), Fr::from(10 + 30 + 100u64));
        // eq table entry 1 is the point (x_0, x_1) = (1, 0).
        assert_eq!(eq_table(&[a, b])[1], a * (Fr::one() - b));

        // A 2x4 row-major matrix: column bits are x_0, x_1, the row bit is x_2.
        let m = MultilinearTable::from_i64s(&[0, 1, 2, 3, 10, 11, 12, 13]).unwrap();
        let at = |row: u64, col: u64| {
            m.evaluate(&[Fr::from(col & 1), Fr::from(col >> 1), Fr::from(row)])
                .unwrap()
        };
        assert_eq!(at(1, 2), Fr::from(12u64));
        assert_eq!(at(0, 3), Fr::from(3u64));
    }

    #[test]
    fn errors() {
        let mut t = MultilinearTable::from_i64s(&[1, 2]).unwrap();
        assert_eq!(
            t.evaluate(&[]),
            Err(Error::PointLengthMismatch {
                expected: 1,
                got: 0
            })
        );
        t.bind(Fr::from(2u64)).unwrap();
        assert_eq!(t.evals(), [Fr::from(3u64)]);
        assert_eq!(t.bind(Fr::one()), Err(Error::NoVariableToBind));
        assert_eq!(t.evaluate(&[]), Ok(Fr::from(3u64)));
        assert!(eq_eval(&[Fr::one()], &[]).is_err());
        assert_eq!(eq_eval(&[], &[]), Ok(Fr::one()));
        assert_eq!(eq_table(&[]), vec![Fr::one()]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn evaluate_is_inner_product_with_eq(seed in any::<u64>(), num_vars in 0usize..8) {
            let (t, point) = random_table(seed, num_vars);
            let eq = eq_table(&point);
            let inner: Fr = t.evals().iter().zip(&eq).map(|(a, b)| *a * b).sum();
            prop_assert_eq!(t.evaluate(&point).unwrap(), inner);
        }

        #[test]
        fn evaluate_on_boolean_points(seed in any::<u64>(), num_vars in 0usize..6) {
            let (t, _) = random_table(seed, num_vars);
            for i in 0..t.len() {
                prop_assert_eq!(t.evaluate(&boolean_point(i, num_vars)).unwrap(), t.evals()[i]);
            }
        }

        #[test]
        fn bind_then_evaluate(seed in any::<u64>(), num_vars in 1usize..8) {
            let (t, point) = random_table(seed, num_vars);
            let mut bound = t.clone();
            bound.bind(point[0]).unwrap();
            prop_assert_eq!(bound.num_vars(), num_vars - 1);
            prop_assert_eq!(bound.evaluate(&point[1..]).unwrap(), t.evaluate(&point).unwrap());
        }

        #[test]
        fn eq_properties(seed in any::<u64>(), num_vars in 0usize..7) {
            let (_, a) = random_table(seed, num_vars);
            let (_, b) = random_table(seed ^ 1, num_vars);
            let table = eq_table(&a);
            prop_assert_eq!(table.len(), 1 << num_vars);
            prop_assert_eq!(table.iter().sum::<Fr>(), Fr::one());
            prop_assert_eq!(eq_eval(&a, &b).unwrap(), eq_eval(&b, &a).unwrap());
            for (i, entry) in table.iter().enumerate() {
                prop_assert_eq!(eq_eval(&boolean_point(i, num_vars), &a).unwrap(), *entry);
            }
            // eq(a, .) is the multilinear extension of its own table.
            let t = MultilinearTable::new(table).unwrap();
            prop_assert_eq!(t.evaluate(&b).unwrap(), eq_eval(&a, &b).unwrap());
        }
    }
}
