//! Compute backends: the heavy loops of the prover behind one trait.
//!
//! A [`Backend`] owns tables of field elements (on the host for [`CpuBackend`], on a
//! device for a GPU backend) and does arithmetic on them: `eq` tables, binding a
//! variable, fixing a block of variables, round polynomials of sums of products,
//! evaluations (of its own tables and of host slices), inner products and multi-scalar
//! multiplications. It is compute only: no transcript, no randomness.
//! Every result is exact field arithmetic, so every backend returns bit-identical
//! values; `conformance` (feature `test-utils`) checks a backend against the CPU one.
//!
//! Tables follow the variable order of [`crate::mle`]: variable 0 is the least
//! significant bit of the index and is bound first, so binding pairs entries
//! `(2i, 2i + 1)`.

use ark_ec::VariableBaseMSM;
use ark_ff::{One, Zero};
use rayon::prelude::*;

use crate::arith::{add, sub};
use crate::error::Error;
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
    /// free: returns `[p(0), p(2), p(3), ..., p(d-1), p(inf)]` with
    /// `d = sum.degree(eq)`, where `p(t) = sum_i eq_i(t) sum_k c_k prod_j T_j(t, i)`,
    /// `T(t, i) = T[2i] + t (T[2i+1] - T[2i])`, and `p(inf)` is the coefficient of
    /// `t^d` (a product's leading coefficient is the product of the differences,
    /// cheaper than one more evaluation). `p(1)` is left out: the sumcheck driver
    /// recovers it from the claim. All tables have the same even length.
    fn round_evals(
        &self,
        sum: &ProductSum,
        tables: &[&Self::Table],
        eq: Option<&Self::Table>,
    ) -> Vec<Fr>;

    /// Binds variable 0 of every table (and of `eq`) to `r`, then returns the next
    /// round's [`Backend::round_evals`]. Backends may fuse the two passes; the
    /// result is the same. The tables must have at least 4 entries.
    fn bind_round(
        &self,
        sum: &ProductSum,
        tables: &mut [Self::Table],
        eq: Option<&mut Self::Table>,
        r: Fr,
    ) -> Vec<Fr> {
        bind_then_round(self, sum, tables, eq, r)
    }

    /// The multilinear extension of the table at `point` (`2^point.len()` entries).
    fn evaluate(&self, table: &Self::Table, point: &[Fr]) -> Fr;

    /// The multilinear extension at `point` of a table held on the host (`2^point.len()`
    /// entries): what [`mle::evaluate_slice`] computes, without a copy of the table the
    /// caller keeps. Errors unless `evals.len() = 2^point.len()`.
    fn evaluate_slice(&self, evals: &[Fr], point: &[Fr]) -> Result<Fr, Error>;

    /// Fixes a middle block of variables of a host table: `table` is over
    /// `[low (low_vars), mid (block.len()), high (the rest)]` and the result, a backend
    /// table over `[low, high]`, is `sum_mid eq(block, mid) table[low, mid, high]`
    /// (`O(table.len())`). Errors with [`Error::BlockOutOfTable`] unless `table.len()`
    /// is a multiple of `2^(low_vars + block.len())`.
    fn fix_block(&self, table: &[Fr], low_vars: usize, block: &[Fr]) -> Result<Self::Table, Error>;

    /// `sum_i a_i b_i` over two tables of equal length.
    fn inner_product(&self, a: &Self::Table, b: &Self::Table) -> Fr;

    /// `sum_i s_i G_i` (`bases` at least as long as `scalars`).
    fn msm(&self, bases: &[G1Affine], scalars: &[Fr]) -> G1;

    /// `sum_i s_i G_i` for small non-negative integer scalars: bits, bytes, 16-bit
    /// values, ... (additions only for bits; the window shrinks with the bit width).
    fn msm_small(&self, bases: &[G1Affine], scalars: &[u64]) -> G1;
}

/// [`Backend::bind_round`] without fusion: binds every table and `eq`, then
/// evaluates the round. The default implementation, and the CPU backend's
/// fallback for sums it has no fused kernel for.
pub fn bind_then_round<B: Backend + ?Sized>(
    backend: &B,
    sum: &ProductSum,
    tables: &mut [B::Table],
    mut eq: Option<&mut B::Table>,
    r: Fr,
) -> Vec<Fr> {
    for t in tables.iter_mut().chain(eq.as_deref_mut()) {
        backend.bind(t, r);
    }
    let refs: Vec<&B::Table> = tables.iter().collect();
    backend.round_evals(sum, &refs, eq.as_deref())
}

/// The reference backend: host memory, rayon threads.
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuBackend;

/// Pairs per rayon task: small enough to balance, large enough to amortise.
const CHUNK_PAIRS: usize = 1 << 12;

/// Output entries per rayon task of [`Backend::fix_block`].
const FIX_CHUNK: usize = 1 << 10;

/// Accumulates `[p(0), p(2), ..., p(d-1), p(inf)]` of one pair `(lo[t], hi[t])`
/// per factor into `acc` (`d = acc.len()`).
#[inline(always)]
fn accumulate_pair<const N: usize>(lo: &[Fr; N], hi: &[Fr; N], acc: &mut [Fr]) {
    let mut p = lo[0];
    for v in &lo[1..] {
        p *= v;
    }
    acc[0] = add(acc[0], p);
    let d = acc.len();
    if d == 1 {
        return;
    }
    let mut diff = [Fr::zero(); N];
    for k in 0..N {
        diff[k] = sub(hi[k], lo[k]);
    }
    // t = 2, ..., d - 1: walk from hi by the differences.
    if d > 2 {
        let mut val = [Fr::zero(); N];
        for k in 0..N {
            val[k] = add(hi[k], diff[k]);
        }
        for (step, slot) in acc[1..d - 1].iter_mut().enumerate() {
            if step > 0 {
                for k in 0..N {
                    val[k] = add(val[k], diff[k]);
                }
            }
            let mut p = val[0];
            for v in &val[1..] {
                p *= v;
            }
            *slot = add(*slot, p);
        }
    }
    // The leading coefficient (only a product of all d factors reaches t^d).
    if N == d {
        let mut p = diff[0];
        for v in &diff[1..] {
            p *= v;
        }
        acc[d - 1] = add(acc[d - 1], p);
    }
}

fn add_vecs(mut a: Vec<Fr>, b: Vec<Fr>) -> Vec<Fr> {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
    a
}

impl CpuBackend {
    /// Round evaluations of one product of `N` factors (the tables, then `eq`).
    fn product_round<const N: usize>(factors: &[&[Fr]], degree: usize) -> Vec<Fr> {
        let pairs = factors[0].len() / 2;
        (0..pairs)
            .into_par_iter()
            .with_min_len(CHUNK_PAIRS)
            .fold(
                || vec![Fr::zero(); degree],
                |mut acc, i| {
                    let lo: [Fr; N] = std::array::from_fn(|k| factors[k][2 * i]);
                    let hi: [Fr; N] = std::array::from_fn(|k| factors[k][2 * i + 1]);
                    accumulate_pair(&lo, &hi, &mut acc);
                    acc
                },
            )
            .reduce(|| vec![Fr::zero(); degree], add_vecs)
    }

    /// Binds `N` factors to `r` in place and returns the next round's evaluations of
    /// their product. Each rayon task owns one chunk of `2c` entries of every factor,
    /// writes its `c` bound entries to the front of its own chunk (reads of an entry
    /// always precede writes over it), and accumulates the round over the bound
    /// pairs; a sequential pass then moves chunk `k`'s results from `2kc` to `kc`
    /// (ascending order never overwrites an unmoved result).
    fn product_bind_round<const N: usize>(
        factors: &mut [&mut Vec<Fr>],
        r: Fr,
        degree: usize,
    ) -> Vec<Fr> {
        let len = factors[0].len();
        let half = len / 2;
        let chunk = (2 * CHUNK_PAIRS).min(len);
        let num_chunks = len / chunk;
        let mut per_chunk: Vec<Vec<&mut [Fr]>> =
            (0..num_chunks).map(|_| Vec::with_capacity(N)).collect();
        for f in factors.iter_mut() {
            for (k, c) in f.chunks_mut(chunk).enumerate() {
                per_chunk[k].push(c);
            }
        }
        let acc = per_chunk
            .into_par_iter()
            .map(|chunks| {
                let mut acc = vec![Fr::zero(); degree];
                let Ok(mut chunks): Result<[&mut [Fr]; N], _> = chunks.try_into() else {
                    return acc;
                };
                for j in 0..chunk / 4 {
                    let lo: [Fr; N] = std::array::from_fn(|k| {
                        let c = &chunks[k][4 * j..4 * j + 2];
                        add(c[0], r * sub(c[1], c[0]))
                    });
                    let hi: [Fr; N] = std::array::from_fn(|k| {
                        let c = &chunks[k][4 * j + 2..4 * j + 4];
                        add(c[0], r * sub(c[1], c[0]))
                    });
                    for (k, c) in chunks.iter_mut().enumerate() {
                        c[2 * j] = lo[k];
                        c[2 * j + 1] = hi[k];
                    }
                    accumulate_pair(&lo, &hi, &mut acc);
                }
                acc
            })
            .reduce(|| vec![Fr::zero(); degree], add_vecs);
        let out = chunk / 2;
        for f in factors.iter_mut() {
            for k in 1..num_chunks {
                f.copy_within(k * chunk..k * chunk + out, k * out);
            }
            f.truncate(half);
        }
        acc
    }

    /// Dispatches on the number of factors of a single product.
    fn single_product(factors: &[&[Fr]], degree: usize) -> Vec<Fr> {
        match factors.len() {
            1 => Self::product_round::<1>(factors, degree),
            2 => Self::product_round::<2>(factors, degree),
            3 => Self::product_round::<3>(factors, degree),
            4 => Self::product_round::<4>(factors, degree),
            _ => Self::product_round::<5>(factors, degree),
        }
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
        // In place, chunk by chunk, then compact (see `product_bind_round`).
        let len = table.len();
        let chunk = (2 * CHUNK_PAIRS).min(len);
        table.par_chunks_mut(chunk).for_each(|c| {
            for i in 0..c.len() / 2 {
                let (a0, a1) = (c[2 * i], c[2 * i + 1]);
                c[i] = add(a0, r * sub(a1, a0));
            }
        });
        let out = chunk / 2;
        for k in 1..len / chunk {
            table.copy_within(k * chunk..k * chunk + out, k * out);
        }
        table.truncate(len / 2);
    }

    fn bind_round(
        &self,
        sum: &ProductSum,
        tables: &mut [Vec<Fr>],
        eq: Option<&mut Vec<Fr>>,
        r: Fr,
    ) -> Vec<Fr> {
        let degree = sum.degree(eq.is_some());
        match sum.terms.as_slice() {
            [(c, factors)] if tables.first().is_some_and(|t| t.len() >= 4) => {
                // Every factor once, in the order of the term (a table used twice in
                // one term falls back to the generic path).
                let mut seen = vec![false; tables.len()];
                if factors
                    .iter()
                    .any(|&j| std::mem::replace(&mut seen[j], true))
                {
                    return bind_then_round(self, sum, tables, eq, r);
                }
                // Tables not in the term still need binding.
                for (j, t) in tables.iter_mut().enumerate() {
                    if !seen[j] {
                        self.bind(t, r);
                    }
                }
                let mut slots: Vec<Option<&mut Vec<Fr>>> = tables.iter_mut().map(Some).collect();
                let mut picked: Vec<&mut Vec<Fr>> =
                    factors.iter().filter_map(|&j| slots[j].take()).collect();
                picked.extend(eq);
                let mut out = match picked.len() {
                    1 => Self::product_bind_round::<1>(&mut picked, r, degree),
                    2 => Self::product_bind_round::<2>(&mut picked, r, degree),
                    3 => Self::product_bind_round::<3>(&mut picked, r, degree),
                    4 => Self::product_bind_round::<4>(&mut picked, r, degree),
                    _ => Self::product_bind_round::<5>(&mut picked, r, degree),
                };
                if !c.is_one() {
                    out.iter_mut().for_each(|v| *v *= c);
                }
                out
            }
            _ => bind_then_round(self, sum, tables, eq, r),
        }
    }

    fn round_evals(&self, sum: &ProductSum, tables: &[&Vec<Fr>], eq: Option<&Vec<Fr>>) -> Vec<Fr> {
        let degree = sum.degree(eq.is_some());
        let slices: Vec<&[Fr]> = tables.iter().map(|t| t.as_slice()).collect();
        let eq = eq.map(|e| e.as_slice());
        if let [(c, factors)] = sum.terms.as_slice() {
            let picked: Vec<&[Fr]> = factors.iter().map(|&j| slices[j]).chain(eq).collect();
            let mut out = Self::single_product(&picked, degree);
            if !c.is_one() {
                out.iter_mut().for_each(|v| *v *= c);
            }
            return out;
        }
        // General sums: walk every table (then eq) along t = 0, 2, 3, ..., d - 1 per
        // pair by repeated addition of its difference, then the leading coefficient
        // from the terms of full degree; buffers live per task.
        let pairs = slices.first().map_or(0, |t| t.len() / 2);
        let factors: Vec<&[Fr]> = slices.iter().copied().chain(eq).collect();
        let n = slices.len();
        let state = || {
            (
                vec![Fr::zero(); degree],
                vec![Fr::zero(); factors.len()],
                vec![Fr::zero(); factors.len()],
            )
        };
        (0..pairs)
            .into_par_iter()
            .with_min_len(CHUNK_PAIRS)
            .fold(state, |(mut acc, mut vals, mut diffs), i| {
                for ((v, d), f) in vals.iter_mut().zip(diffs.iter_mut()).zip(&factors) {
                    *v = f[2 * i];
                    *d = f[2 * i + 1] - f[2 * i];
                }
                let at_vals = |vals: &[Fr]| {
                    let mut term = sum.eval(&vals[..n]);
                    if eq.is_some() {
                        term *= vals[n];
                    }
                    term
                };
                acc[0] += at_vals(&vals);
                for (k, slot) in acc.iter_mut().enumerate().take(degree - 1).skip(1) {
                    // k = 1 is t = 2 (two steps from t = 0); then one step each.
                    for _ in 0..if k == 1 { 2 } else { 1 } {
                        for (v, d) in vals.iter_mut().zip(&diffs) {
                            *v += d;
                        }
                    }
                    *slot += at_vals(&vals);
                }
                if degree > 1 {
                    let with_eq = usize::from(eq.is_some());
                    let mut lead = Fr::zero();
                    for (c, f) in &sum.terms {
                        if f.len() + with_eq == degree {
                            lead += f.iter().fold(*c, |p, &j| p * diffs[j]);
                        }
                    }
                    if eq.is_some() {
                        lead *= diffs[n];
                    }
                    acc[degree - 1] += lead;
                }
                (acc, vals, diffs)
            })
            .map(|(acc, _, _)| acc)
            .reduce(|| vec![Fr::zero(); degree], add_vecs)
    }

    fn evaluate(&self, table: &Vec<Fr>, point: &[Fr]) -> Fr {
        debug_assert_eq!(table.len(), 1 << point.len());
        mle::evaluate_slice(table, point).unwrap_or_default()
    }

    fn evaluate_slice(&self, evals: &[Fr], point: &[Fr]) -> Result<Fr, Error> {
        mle::evaluate_slice(evals, point)
    }

    fn fix_block(&self, table: &[Fr], low_vars: usize, block: &[Fr]) -> Result<Vec<Fr>, Error> {
        let out_of_table = || Error::BlockOutOfTable {
            len: table.len(),
            low_vars,
            block_vars: block.len(),
        };
        let span = u32::try_from(low_vars + block.len())
            .ok()
            .and_then(|bits| 1usize.checked_shl(bits))
            .ok_or_else(out_of_table)?;
        if table.len() % span != 0 {
            return Err(out_of_table());
        }
        let eq = mle::eq_table(block);
        let low = 1usize << low_vars;
        let mut out = vec![Fr::zero(); table.len() / eq.len()];
        let chunk = low.min(FIX_CHUNK);
        out.par_chunks_mut(chunk).enumerate().for_each(|(c, dst)| {
            let start = c * chunk;
            let base = (start / low) * span + start % low;
            for (mid, &w) in eq.iter().enumerate() {
                let offset = base + mid * low;
                let src = &table[offset..offset + dst.len()];
                for (d, s) in dst.iter_mut().zip(src) {
                    *d += w * s;
                }
            }
        });
        Ok(out)
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

    /// [`Backend::fix_block`] of `table` (over `vars` variables) against the CPU
    /// backend for every split into low, middle and high blocks, and its refusal of a
    /// block beyond the table.
    fn check_fix_block<B: Backend>(backend: &B, rng: &mut ChaCha20Rng, table: &[Fr], vars: usize) {
        let cpu = CpuBackend;
        for low in 0..=vars {
            for mid in 0..=vars - low {
                let block = random_table(rng, mid);
                let got = backend
                    .fix_block(table, low, &block)
                    .map(|t| backend.download(&t));
                assert_eq!(
                    got,
                    cpu.fix_block(table, low, &block),
                    "fix_block low {low} mid {mid}, 2^{vars}"
                );
            }
        }
        let block = random_table(rng, 1);
        assert!(
            backend.fix_block(table, vars, &block).is_err(),
            "fix_block beyond the table, 2^{vars}"
        );
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
            assert_eq!(
                backend.evaluate_slice(&a, &point),
                Ok(cpu.evaluate(&a, &point)),
                "evaluate_slice, 2^{vars}"
            );
            assert_eq!(
                backend
                    .evaluate_slice(&a, &point[..vars.saturating_sub(1)])
                    .is_err(),
                vars > 0,
                "evaluate_slice with a short point, 2^{vars}"
            );
            check_fix_block(backend, &mut rng, &a, vars);
            if vars == 0 {
                continue;
            }
            let r = Fr::rand(&mut rng);
            let mut bound = backend.upload(&a);
            backend.bind(&mut bound, r);
            let mut want = a.clone();
            cpu.bind(&mut want, r);
            assert_eq!(backend.download(&bound), want, "bind, 2^{vars}");

            check_rounds(backend, &mut rng, vars, r);
        }
        check_msms(backend, &mut rng);
    }

    /// [`Backend::round_evals`] and [`Backend::bind_round`] (binding to `r`) on random
    /// tables over `vars >= 1` variables, for single products of 1 to 4 factors and a
    /// general sum, with and without `eq`.
    fn check_rounds<B: Backend>(backend: &B, rng: &mut ChaCha20Rng, vars: usize, r: Fr) {
        let cpu = CpuBackend;
        let n = 1usize << vars;
        let tables: Vec<Vec<Fr>> = (0..MAX_FACTORS).map(|_| random_table(rng, n)).collect();
        let dev: Vec<B::Table> = tables.iter().map(|t| backend.upload(t)).collect();
        let eq = cpu.eq_table(&random_table(rng, vars));
        let dev_eq = backend.upload(&eq);
        let sums = [
            ProductSum::product(1),
            ProductSum::product(2),
            ProductSum::product(3),
            ProductSum::product(4),
            ProductSum {
                terms: vec![
                    (Fr::from(3u64), vec![0, 1]),
                    (-Fr::one(), vec![2]),
                    (Fr::from(7u64), vec![1, 2, 3, 0]),
                ],
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
                if vars >= 2 {
                    let mut dev_tables: Vec<B::Table> =
                        tables.iter().map(|t| backend.upload(t)).collect();
                    let mut dev_e = backend.upload(&eq);
                    let got =
                        backend.bind_round(sum, &mut dev_tables, with_eq.then_some(&mut dev_e), r);
                    let mut want_tables = tables.clone();
                    let mut want_eq = eq.clone();
                    for t in want_tables.iter_mut() {
                        cpu.bind(t, r);
                    }
                    cpu.bind(&mut want_eq, r);
                    let refs: Vec<&Vec<Fr>> = want_tables.iter().collect();
                    let want = cpu.round_evals(sum, &refs, with_eq.then_some(&want_eq));
                    assert_eq!(got, want, "bind_round {sum:?} eq={with_eq}, 2^{vars}");
                    for (d, w) in dev_tables.iter().zip(&want_tables) {
                        assert_eq!(&backend.download(d), w, "bind_round tables, 2^{vars}");
                    }
                }
            }
        }
    }

    /// [`Backend::msm`] and [`Backend::msm_small`] at every small-scalar width.
    fn check_msms<B: Backend>(backend: &B, rng: &mut ChaCha20Rng) {
        let cpu = CpuBackend;
        let g = G1::generator();
        let bases: Vec<G1Affine> = (1..=64u64)
            .map(|i| (g * Fr::from(i)).into_affine())
            .collect();
        let scalars = random_table(rng, 64);
        assert_eq!(
            backend.msm(&bases, &scalars),
            cpu.msm(&bases, &scalars),
            "msm"
        );
        for max in [1u64, 255, 65_535, u64::from(u32::MAX), u64::MAX] {
            let small: Vec<u64> = (0..64)
                .map(|_| (u128::from(rand::Rng::gen::<u64>(rng)) % (u128::from(max) + 1)) as u64)
                .collect();
            assert_eq!(
                backend.msm_small(&bases, &small),
                cpu.msm(
                    &bases,
                    &small.iter().map(|&s| Fr::from(s)).collect::<Vec<_>>()
                ),
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

    /// `[p(0), p(2), ..., p(d-1), p(inf)]` by brute force: the leading coefficient by
    /// interpolating through `p(0), ..., p(d)`.
    fn naive_evals(sum: &ProductSum, tables: &[Vec<Fr>], eq: Option<&Vec<Fr>>) -> Vec<Fr> {
        let d = sum.degree(eq.is_some());
        let all: Vec<Fr> = (0..=d as u64)
            .map(|t| naive_round(sum, tables, eq, Fr::from(t)))
            .collect();
        let coeffs = crate::sumcheck::interpolate(&all);
        if d == 1 {
            return vec![all[0]];
        }
        let mut out = vec![all[0]];
        out.extend_from_slice(&all[2..d]);
        out.push(coeffs[d]);
        out.truncate(d);
        out
    }

    #[test]
    fn round_evals_match_naive() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let n = 1 << 13; // above CHUNK_PAIRS, so several rayon tasks
        let tables: Vec<Vec<Fr>> = (0..4)
            .map(|_| (0..n).map(|_| Fr::rand(&mut rng)).collect())
            .collect();
        let eq: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
        let refs: Vec<&Vec<Fr>> = tables.iter().collect();
        let general = ProductSum {
            terms: vec![(Fr::from(5u64), vec![3, 1]), (Fr::one(), vec![0, 1, 2, 3])],
        };
        for sum in [ProductSum::product(2), ProductSum::product(4), general] {
            for e in [None, Some(&eq)] {
                let got = CpuBackend.round_evals(&sum, &refs, e);
                assert_eq!(got, naive_evals(&sum, &tables, e));
            }
        }
    }

    #[test]
    fn fix_block_is_a_partial_evaluation() {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        // 2 low, 3 mid, 2 high variables; also no low and no high variables, and a low
        // block longer than one rayon task.
        for (low, mid, high) in [(2, 3, 2), (0, 3, 2), (2, 3, 0), (0, 0, 1), (11, 1, 1)] {
            let len = 1 << (low + mid + high);
            let table: Vec<Fr> = (0..len).map(|_| Fr::rand(&mut rng)).collect();
            let block: Vec<Fr> = (0..mid).map(|_| Fr::rand(&mut rng)).collect();
            let fixed = CpuBackend.fix_block(&table, low, &block).unwrap();
            let lo: Vec<Fr> = (0..low).map(|_| Fr::rand(&mut rng)).collect();
            let hi: Vec<Fr> = (0..high).map(|_| Fr::rand(&mut rng)).collect();
            let whole = [&lo[..], &block, &hi].concat();
            let part = [&lo[..], &hi].concat();
            assert_eq!(
                mle::evaluate_slice(&fixed, &part).unwrap(),
                mle::evaluate_slice(&table, &whole).unwrap()
            );
        }
        assert_eq!(
            CpuBackend.fix_block(&[Fr::one(); 4], 2, &[Fr::one()]),
            Err(Error::BlockOutOfTable {
                len: 4,
                low_vars: 2,
                block_vars: 1
            })
        );
    }

    #[test]
    fn cpu_backend_passes_its_own_conformance_suite() {
        conformance::check_backend(&CpuBackend, 6);
    }

    /// Tables longer than one chunk exercise the in-place bind's compaction.
    #[test]
    fn multi_chunk_bind_and_fused_round_match_naive() {
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        let n = 1 << 15;
        let tables: Vec<Vec<Fr>> = (0..3)
            .map(|_| (0..n).map(|_| Fr::rand(&mut rng)).collect())
            .collect();
        let eq: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
        let r = Fr::rand(&mut rng);
        let naive_bind =
            |t: &Vec<Fr>| -> Vec<Fr> { t.chunks(2).map(|p| p[0] + r * (p[1] - p[0])).collect() };
        let mut single = tables[0].clone();
        CpuBackend.bind(&mut single, r);
        assert_eq!(single, naive_bind(&tables[0]));
        for sum in [
            ProductSum::product(3),
            ProductSum {
                terms: vec![(Fr::from(2u64), vec![2, 0])],
            },
        ] {
            let mut t = tables.clone();
            let mut e = eq.clone();
            let got = CpuBackend.bind_round(&sum, &mut t, Some(&mut e), r);
            let bound: Vec<Vec<Fr>> = tables.iter().map(naive_bind).collect();
            assert_eq!(t, bound);
            let be = naive_bind(&eq);
            assert_eq!(got, naive_evals(&sum, &bound, Some(&be)));
        }
    }
}
