//! Compute backends: the heavy loops of the prover behind one trait.
//!
//! A [`Backend`] owns tables of field elements (on the host for [`CpuBackend`], on a
//! device for a GPU backend) and does arithmetic on them: `eq` tables, binding a
//! variable, round polynomials of sums of products, evaluations, inner products and
//! multi-scalar multiplications. It is compute only: no transcript, no randomness.
//! Every result is exact field arithmetic, so every backend returns bit-identical
//! values; [`conformance`] (feature `test-utils`) checks a backend against the CPU one.
//!
//! Tables follow the variable order of [`crate::mle`]: variable 0 is the least
//! significant bit of the index and is bound first, so binding pairs entries
//! `(2i, 2i + 1)`.

use ark_ec::VariableBaseMSM;
use ark_ff::{AdditiveGroup, One, Zero};
use rayon::prelude::*;

use crate::field::{Fr, G1Affine, G1};
use crate::mle;

/// A sum of products of tables: `sum_k coeff_k * prod_{j in factors_k} T_j`,
/// optionally all multiplied by a shared `eq` table. Factors index the `tables`
/// slice handed to [`Backend::round_evals`]; a term has 1 to 4 factors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProductSum {
    /// `(coefficient, factor indices)` per term.
    pub terms: Vec<(Fr, Vec<usize>)>,
}

/// Most factors in one term (not counting a shared `eq` table).
pub const MAX_FACTORS: usize = 4;

impl ProductSum {
    /// The single product `T_0 * T_1 * ... * T_{n-1}`.
    pub fn product(n: usize) -> Self {
        ProductSum {
            terms: vec![(Fr::one(), (0..n).collect())],
        }
    }

    /// The degree of the summand in one variable: the most factors of a term, plus
    /// one with a shared `eq` table.
    pub fn degree(&self, with_eq: bool) -> usize {
        self.terms.iter().map(|t| t.1.len()).max().unwrap_or(0) + usize::from(with_eq)
    }

    /// Whether every term has 1 to [`MAX_FACTORS`] factors, all below `num_tables`.
    pub fn is_valid(&self, num_tables: usize) -> bool {
        !self.terms.is_empty()
            && self.terms.iter().all(|(_, f)| {
                !f.is_empty() && f.len() <= MAX_FACTORS && f.iter().all(|&j| j < num_tables)
            })
    }

    /// The summand at one entry, given every table's value there.
    pub fn eval(&self, values: &[Fr]) -> Fr {
        self.terms
            .iter()
            .map(|(c, f)| f.iter().fold(*c, |acc, &j| acc * values[j]))
            .sum()
    }
}

/// The compute backend of the prover.
pub trait Backend: Send + Sync {
    /// A table of field elements in the backend's memory.
    type Table: Send + Sync;

    /// A short name (`"cpu"`, `"cuda"`).
    fn name(&self) -> &'static str;

    /// Copies entries into a backend table.
    fn upload(&self, evals: &[Fr]) -> Self::Table;

    /// Copies a table back.
    fn download(&self, table: &Self::Table) -> Vec<Fr>;

    /// Number of entries.
    fn table_len(&self, table: &Self::Table) -> usize;

    /// The table of `eq(point, x)` over `x` in `{0,1}^n` (see [`mle::eq_table`]).
    fn eq_table(&self, point: &[Fr]) -> Self::Table;

    /// Fixes variable 0 to `r`: entry `i` becomes `T[2i] + r (T[2i+1] - T[2i])`.
    /// The length must be even (a table of one entry has no variable left).
    fn bind(&self, table: &mut Self::Table, r: Fr);

    /// One sumcheck round of `sum_x eq(x) * sum.eval(tables(x))` with variable 0
    /// free: returns `[p(0), p(2), p(3), ..., p(d)]` with `d = sum.degree(eq)`, where
    /// `p(t) = sum_i eq_i(t) sum_k c_k prod_j T_j(t, i)` and
    /// `T(t, i) = T[2i] + t (T[2i+1] - T[2i])`. `p(1)` is left out: the sumcheck
    /// driver recovers it from the claim. All tables have the same even length.
    fn round_evals(&self, sum: &ProductSum, tables: &[&Self::Table], eq: Option<&Self::Table>) -> Vec<Fr>;

    /// The multilinear extension of the table at `point` (`2^point.len()` entries).
    fn evaluate(&self, table: &Self::Table, point: &[Fr]) -> Fr;

    /// `sum_i a_i b_i` over two tables of equal length.
    fn inner_product(&self, a: &Self::Table, b: &Self::Table) -> Fr;

    /// `sum_i s_i G_i` (`bases` at least as long as `scalars`).
    fn msm(&self, bases: &[G1Affine], scalars: &[Fr]) -> G1;

    /// `sum_i s_i G_i` for small non-negative integer scalars: bits, bytes, 16-bit
    /// values, ... (additions only for bits; the window shrinks with the bit width).
    fn msm_small(&self, bases: &[G1Affine], scalars: &[u64]) -> G1;
}

/// The reference backend: host memory, rayon threads.
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuBackend;

/// Pairs per rayon task: small enough to balance, large enough to amortise.
const CHUNK_PAIRS: usize = 1 << 12;

impl CpuBackend {
    /// Round evaluations of a single product of 1 to 4 tables with an optional `eq`
    /// factor: the hot case, without the generic term loop.
    fn product_round(tables: &[&[Fr]], eq: Option<&[Fr]>, degree: usize) -> Vec<Fr> {
        let pairs = tables[0].len() / 2;
        // Evaluation points 0, 2, 3, ..., degree: extrapolate each factor linearly.
        let zero = vec![Fr::zero(); degree];
        (0..pairs)
            .into_par_iter()
            .with_min_len(CHUNK_PAIRS)
            .fold(
                || zero.clone(),
                |mut acc, i| {
                    let mut vals = [Fr::zero(); MAX_FACTORS + 1];
                    let mut diffs = [Fr::zero(); MAX_FACTORS + 1];
                    let mut n = 0;
                    for t in tables.iter().copied().chain(eq) {
                        let (a0, a1) = (t[2 * i], t[2 * i + 1]);
                        vals[n] = a0;
                        diffs[n] = a1 - a0;
                        n += 1;
                    }
                    // p(0)
                    acc[0] += vals[..n].iter().skip(1).fold(vals[0], |p, v| p * v);
                    // p(2): start at a0 + 2 d, then add d per further point.
                    for v in 0..n {
                        vals[v] += diffs[v].double();
                    }
                    for slot in acc.iter_mut().skip(1) {
                        *slot += vals[..n].iter().skip(1).fold(vals[0], |p, v| p * v);
                        for v in 0..n {
                            vals[v] += diffs[v];
                        }
                    }
                    acc
                },
            )
            .reduce(|| zero.clone(), |a, b| a.iter().zip(&b).map(|(x, y)| *x + y).collect())
    }
}

impl Backend for CpuBackend {
    type Table = Vec<Fr>;

    fn name(&self) -> &'static str {
        "cpu"
    }

    fn upload(&self, evals: &[Fr]) -> Vec<Fr> {
        evals.to_vec()
    }

    fn download(&self, table: &Vec<Fr>) -> Vec<Fr> {
        table.clone()
    }

    fn table_len(&self, table: &Vec<Fr>) -> usize {
        table.len()
    }

    fn eq_table(&self, point: &[Fr]) -> Vec<Fr> {
        mle::eq_table(point)
    }

    fn bind(&self, table: &mut Vec<Fr>, r: Fr) {
        debug_assert!(table.len() % 2 == 0 && !table.is_empty());
        let half = table.len() / 2;
        let bound: Vec<Fr> = table
            .par_chunks_exact(2)
            .with_min_len(CHUNK_PAIRS)
            .map(|p| p[0] + r * (p[1] - p[0]))
            .collect();
        debug_assert_eq!(bound.len(), half);
        *table = bound;
    }

    fn round_evals(&self, sum: &ProductSum, tables: &[&Vec<Fr>], eq: Option<&Vec<Fr>>) -> Vec<Fr> {
        let degree = sum.degree(eq.is_some());
        let slices: Vec<&[Fr]> = tables.iter().map(|t| t.as_slice()).collect();
        let eq = eq.map(|e| e.as_slice());
        if let [(c, factors)] = sum.terms.as_slice() {
            let picked: Vec<&[Fr]> = factors.iter().map(|&j| slices[j]).collect();
            let mut out = Self::product_round(&picked, eq, degree);
            if !c.is_one() {
                out.iter_mut().for_each(|v| *v *= c);
            }
            return out;
        }
        // General sums: evaluate every table at t = 0, 2, ..., d per pair.
        let pairs = slices.first().map_or(0, |t| t.len() / 2);
        let zero = vec![Fr::zero(); degree];
        let points: Vec<Fr> = std::iter::once(Fr::zero())
            .chain((2..=degree as u64).map(Fr::from))
            .collect();
        (0..pairs)
            .into_par_iter()
            .with_min_len(CHUNK_PAIRS)
            .fold(
                || zero.clone(),
                |mut acc, i| {
                    let mut values = vec![Fr::zero(); slices.len()];
                    for (k, &t) in points.iter().enumerate() {
                        for (v, s) in values.iter_mut().zip(&slices) {
                            *v = s[2 * i] + t * (s[2 * i + 1] - s[2 * i]);
                        }
                        let mut term = sum.eval(&values);
                        if let Some(e) = eq {
                            term *= e[2 * i] + t * (e[2 * i + 1] - e[2 * i]);
                        }
                        acc[k] += term;
                    }
                    acc
                },
            )
            .reduce(|| zero.clone(), |a, b| a.iter().zip(&b).map(|(x, y)| *x + y).collect())
    }

    fn evaluate(&self, table: &Vec<Fr>, point: &[Fr]) -> Fr {
        debug_assert_eq!(table.len(), 1 << point.len());
        let Some((&r0, rest)) = point.split_first() else {
            return table.first().copied().unwrap_or_default();
        };
        let mut t = table.clone();
        self.bind(&mut t, r0);
        for &r in rest {
            self.bind(&mut t, r);
        }
        t.first().copied().unwrap_or_default()
    }

    fn inner_product(&self, a: &Vec<Fr>, b: &Vec<Fr>) -> Fr {
        debug_assert_eq!(a.len(), b.len());
        a.par_iter()
            .with_min_len(CHUNK_PAIRS)
            .zip(b.par_iter())
            .map(|(x, y)| *x * y)
            .sum()
    }

    fn msm(&self, bases: &[G1Affine], scalars: &[Fr]) -> G1 {
        let n = scalars.len().min(bases.len());
        G1::msm_unchecked(&bases[..n], &scalars[..n])
    }

    fn msm_small(&self, bases: &[G1Affine], scalars: &[u64]) -> G1 {
        let n = scalars.len().min(bases.len());
        let (bases, scalars) = (&bases[..n], &scalars[..n]);
        let max = scalars.iter().copied().max().unwrap_or(0);
        if max <= 1 {
            let bits: Vec<bool> = scalars.iter().map(|&s| s == 1).collect();
            G1::msm_u1(bases, &bits)
        } else if max <= u64::from(u8::MAX) {
            let s: Vec<u8> = scalars.iter().map(|&s| s as u8).collect();
            G1::msm_u8(bases, &s)
        } else if max <= u64::from(u16::MAX) {
            let s: Vec<u16> = scalars.iter().map(|&s| s as u16).collect();
            G1::msm_u16(bases, &s)
        } else if max <= u64::from(u32::MAX) {
            let s: Vec<u32> = scalars.iter().map(|&s| s as u32).collect();
            G1::msm_u32(bases, &s)
        } else {
            G1::msm_u64(bases, scalars)
        }
    }
}

/// A conformance suite any backend runs against [`CpuBackend`]: same results on
/// random tables for every operation, at sizes from 1 to `2^max_vars` entries.
#[cfg(any(test, feature = "test-utils"))]
pub mod conformance {
    use ark_ec::{CurveGroup, PrimeGroup};
    use ark_ff::UniformRand;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    use super::*;

    fn random_table(rng: &mut ChaCha20Rng, n: usize) -> Vec<Fr> {
        (0..n).map(|_| Fr::rand(rng)).collect()
    }

    /// Runs every check; panics with the operation's name on the first mismatch.
    pub fn check_backend<B: Backend>(backend: &B, max_vars: usize) {
        let cpu = CpuBackend;
        let mut rng = ChaCha20Rng::seed_from_u64(0x5eed);
        for vars in 0..=max_vars {
            let n = 1usize << vars;
            let a = random_table(&mut rng, n);
            let b = random_table(&mut rng, n);
            let point = random_table(&mut rng, vars);
            let (ta, tb) = (backend.upload(&a), backend.upload(&b));
            assert_eq!(backend.download(&ta), a, "upload/download, 2^{vars}");
            assert_eq!(backend.table_len(&ta), n, "table_len, 2^{vars}");
            assert_eq!(
                backend.download(&backend.eq_table(&point)),
                cpu.eq_table(&point),
                "eq_table, 2^{vars}"
            );
            assert_eq!(
                backend.evaluate(&ta, &point),
                cpu.evaluate(&a, &point),
                "evaluate, 2^{vars}"
            );
            assert_eq!(
                backend.inner_product(&ta, &tb),
                cpu.inner_product(&a, &b),
                "inner_product, 2^{vars}"
            );
            if vars == 0 {
                continue;
            }
            let r = Fr::rand(&mut rng);
            let mut bound = backend.upload(&a);
            backend.bind(&mut bound, r);
            let mut want = a.clone();
            cpu.bind(&mut want, r);
            assert_eq!(backend.download(&bound), want, "bind, 2^{vars}");

            let tables: Vec<Vec<Fr>> = (0..MAX_FACTORS).map(|_| random_table(&mut rng, n)).collect();
            let dev: Vec<B::Table> = tables.iter().map(|t| backend.upload(t)).collect();
            let eq = cpu.eq_table(&random_table(&mut rng, vars));
            let dev_eq = backend.upload(&eq);
            let sums = [
                ProductSum::product(1),
                ProductSum::product(2),
                ProductSum::product(3),
                ProductSum::product(4),
                ProductSum {
                    terms: vec![(Fr::from(3u64), vec![0, 1]), (-Fr::one(), vec![2]), (Fr::from(7u64), vec![1, 2, 3, 0])],
                },
            ];
            for sum in &sums {
                for with_eq in [false, true] {
                    let dev_refs: Vec<&B::Table> = dev.iter().collect();
                    let cpu_refs: Vec<&Vec<Fr>> = tables.iter().collect();
                    assert_eq!(
                        backend.round_evals(sum, &dev_refs, with_eq.then_some(&dev_eq)),
                        cpu.round_evals(sum, &cpu_refs, with_eq.then_some(&eq)),
                        "round_evals {sum:?} eq={with_eq}, 2^{vars}"
                    );
                }
            }
        }
        let g = G1::generator();
        let bases: Vec<G1Affine> = (1..=64u64).map(|i| (g * Fr::from(i)).into_affine()).collect();
        let scalars = random_table(&mut rng, 64);
        assert_eq!(backend.msm(&bases, &scalars), cpu.msm(&bases, &scalars), "msm");
        for max in [1u64, 255, 65_535, u64::from(u32::MAX), u64::MAX] {
            let small: Vec<u64> = (0..64)
                .map(|_| (u128::from(rand::Rng::gen::<u64>(&mut rng)) % (u128::from(max) + 1)) as u64)
                .collect();
            assert_eq!(
                backend.msm_small(&bases, &small),
                cpu.msm(&bases, &small.iter().map(|&s| Fr::from(s)).collect::<Vec<_>>()),
                "msm_small max {max}"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use ark_ff::UniformRand;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    use super::*;

    /// The naive round polynomial: evaluate every factor at t per pair.
    fn naive_round(sum: &ProductSum, tables: &[Vec<Fr>], eq: Option<&Vec<Fr>>, t: Fr) -> Fr {
        let pairs = tables[0].len() / 2;
        (0..pairs)
            .map(|i| {
                let at = |s: &Vec<Fr>| s[2 * i] + t * (s[2 * i + 1] - s[2 * i]);
                let vals: Vec<Fr> = tables.iter().map(at).collect();
                sum.eval(&vals) * eq.map_or(Fr::one(), at)
            })
            .sum()
    }

    #[test]
    fn round_evals_match_naive() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let n = 1 << 13; // above CHUNK_PAIRS, so several rayon tasks
        let tables: Vec<Vec<Fr>> = (0..4).map(|_| (0..n).map(|_| Fr::rand(&mut rng)).collect()).collect();
        let eq: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
        let refs: Vec<&Vec<Fr>> = tables.iter().collect();
        let general = ProductSum {
            terms: vec![(Fr::from(5u64), vec![3, 1]), (Fr::one(), vec![0, 1, 2, 3])],
        };
        for sum in [ProductSum::product(2), ProductSum::product(4), general] {
            for e in [None, Some(&eq)] {
                let got = CpuBackend.round_evals(&sum, &refs, e);
                let d = sum.degree(e.is_some());
                assert_eq!(got.len(), d);
                let points = std::iter::once(0u64).chain(2..=d as u64);
                for (g, t) in got.iter().zip(points) {
                    assert_eq!(*g, naive_round(&sum, &tables, e, Fr::from(t)));
                }
            }
        }
    }

    #[test]
    fn cpu_backend_passes_its_own_conformance_suite() {
        conformance::check_backend(&CpuBackend, 6);
    }
}
