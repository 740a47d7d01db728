//! The sumcheck protocol: round-oracle provers, one Fiat-Shamir driver, a pure
//! verifier.
//!
//! A prover proves `claim = sum_{x in {0,1}^n} g(x)` for a summand `g` of degree
//! `d` in each variable. Round `j` binds variable `j` (variable 0 first, the order
//! of [`crate::mle`]): the prover sends the univariate `p_j(t)`, the verifier checks
//! `p_j(0) + p_j(1) = claim_j` and sets `claim_{j+1} = p_j(r_j)` for a challenge
//! `r_j`. After `n` rounds, `claim_n` must equal `g(r)`, which the caller checks
//! against evaluations it can trust (commitment openings, other sumchecks).
//!
//! * [`SumcheckProver`] is a round oracle: no transcript, no randomness.
//! * [`prove`] owns Fiat-Shamir. Transcript order: `num_rounds`, `degree`, `claim`
//!   (the statement), then per round the compressed polynomial, then the challenge.
//! * [`verify`] is a pure function of the proof, the statement and the transcript.
//!
//! Round polynomials travel compressed: coefficients `[c_0, c_2, c_3, ..., c_d]`
//! without the linear one, which the verifier recovers from the claim as
//! `c_1 = claim - 2 c_0 - c_2 - ... - c_d`. The check `p(0) + p(1) = claim` then
//! holds by construction; a cheating prover is caught at the final check, which
//! [`check_final`] reports as [`SumcheckError::RoundCheckFailed`].

pub mod constraints;
mod verifier;

use ark_ff::{AdditiveGroup, Field, One, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};

use crate::backend::{Backend, ProductSum};
use crate::error::SumcheckError;
use crate::field::Fr;
use crate::transcript::Transcript;

use verifier::{absorb_statement, decompress};
pub use verifier::{check_final, horner, verify};

/// Largest supported round-polynomial degree.
pub const MAX_DEGREE: usize = 8;

/// A sumcheck prover as a round oracle.
pub trait SumcheckProver {
    /// Number of rounds (variables).
    fn num_rounds(&self) -> usize;
    /// Degree of the round polynomials.
    fn degree(&self) -> usize;
    /// This round's polynomial as `[p(0), p(2), ..., p(d-1), p(inf)]`, `p(inf)`
    /// being the coefficient of `t^d` (see [`Backend::round_evals`]); `p(1)` is
    /// recovered from the claim by the driver.
    fn round_evals(&mut self) -> Vec<Fr>;
    /// Binds this round's variable to the challenge `r`.
    fn bind(&mut self, r: Fr);
    /// After the last round: the values at the random point of whatever the caller
    /// needs to finish the check (e.g. every table of a product).
    fn final_evals(&self) -> Vec<Fr>;
}

/// A sumcheck proof: the compressed round polynomials.
#[derive(Clone, Debug, Default, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct SumcheckProof {
    /// Per round, coefficients `[c_0, c_2, ..., c_d]` of `p(t) = sum_k c_k t^k`.
    pub rounds: Vec<Vec<Fr>>,
}

/// What the prover obtains from [`prove`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SumcheckOutput {
    /// The proof.
    pub proof: SumcheckProof,
    /// The random point `r` (`r[j]` bound variable `j`).
    pub point: Vec<Fr>,
    /// The claim after the last round, `g(r)` for an honest prover.
    pub final_claim: Fr,
    /// The prover's [`SumcheckProver::final_evals`].
    pub final_evals: Vec<Fr>,
}

/// Coefficients of the polynomial of degree `< evals.len()` through
/// `(0, evals[0]), (1, evals[1]), ...`.
pub fn interpolate(evals: &[Fr]) -> Vec<Fr> {
    let n = evals.len();
    let mut coeffs = vec![Fr::zero(); n];
    for (k, &y) in evals.iter().enumerate() {
        if y.is_zero() {
            continue;
        }
        // L_k(t) = prod_{m != k} (t - m) / (k - m)
        let mut basis = vec![Fr::one()];
        let mut denom = Fr::one();
        for m in (0..n).filter(|&m| m != k) {
            let mut next = vec![Fr::zero(); basis.len() + 1];
            for (i, &b) in basis.iter().enumerate() {
                next[i + 1] += b;
                next[i] -= b * Fr::from(m as u64);
            }
            basis = next;
            denom *= Fr::from(k as i64 - m as i64);
        }
        let scale = y * denom.inverse().unwrap_or_default();
        for (c, b) in coeffs.iter_mut().zip(basis) {
            *c += scale * b;
        }
    }
    coeffs
}

/// The coefficients of a round polynomial of degree `d = evals.len()` from
/// `[p(0), p(2), ..., p(d-1), p(inf)]` and the claim `p(0) + p(1)`: the values at
/// `0..d` less the leading term are interpolated, then the leading term added.
pub fn round_coefficients(evals: &[Fr], claim: Fr) -> Vec<Fr> {
    let d = evals.len();
    let Some((&lead, rest)) = evals.split_last() else {
        return Vec::new();
    };
    if d == 1 {
        // p(t) = p(0) + (p(1) - p(0)) t.
        return vec![lead, claim - lead.double()];
    }
    let p0 = rest[0];
    let mut values = Vec::with_capacity(d);
    values.push(p0);
    values.push(claim - p0);
    values.extend_from_slice(&rest[1..]);
    // Remove the leading term from every value, interpolate degree d - 1, put it back.
    for (t, v) in values.iter_mut().enumerate() {
        *v -= lead * Fr::from(t as u64).pow([d as u64]);
    }
    let mut coeffs = interpolate(&values);
    coeffs.push(lead);
    coeffs
}

/// Runs the prover against the transcript (see the module docs for the order).
pub fn prove<P: SumcheckProver, T: Transcript>(
    prover: &mut P,
    claim: Fr,
    transcript: &mut T,
) -> SumcheckOutput {
    let (num_rounds, degree) = (prover.num_rounds(), prover.degree());
    absorb_statement(transcript, num_rounds, degree, &claim);
    let mut claim = claim;
    let mut point = Vec::with_capacity(num_rounds);
    let mut rounds = Vec::with_capacity(num_rounds);
    for _ in 0..num_rounds {
        let evals = prover.round_evals();
        debug_assert_eq!(evals.len(), degree);
        let mut coeffs = round_coefficients(&evals, claim);
        coeffs.remove(1);
        transcript.absorb_fields(&coeffs);
        let r = transcript.challenge();
        claim = horner(&decompress(&coeffs, claim), r);
        prover.bind(r);
        point.push(r);
        rounds.push(coeffs);
    }
    SumcheckOutput {
        proof: SumcheckProof { rounds },
        point,
        final_claim: claim,
        final_evals: prover.final_evals(),
    }
}

/// Proves `sum_x eq(x) * sum.eval(tables(x))` for tables in a [`Backend`]: every
/// product of 1 to 4 tables, with or without an `eq` factor.
/// [`SumcheckProver::final_evals`] returns every table's value at the point, then
/// the `eq` table's if there is one.
pub struct ProductProver<'a, B: Backend> {
    backend: &'a B,
    sum: ProductSum,
    tables: Vec<B::Table>,
    eq: Option<B::Table>,
    num_rounds: usize,
    /// A challenge whose binding is deferred to the next round, to fuse the two.
    pending: Option<Fr>,
}

impl<'a, B: Backend> ProductProver<'a, B> {
    /// A prover for `sum` over `tables` (all of the same power-of-two length) and
    /// an optional `eq` table of that length.
    pub fn new(
        backend: &'a B,
        sum: ProductSum,
        tables: Vec<B::Table>,
        eq: Option<B::Table>,
    ) -> Result<Self, SumcheckError> {
        if !sum.is_valid(tables.len()) {
            return Err(SumcheckError::BadProductSum);
        }
        let len = tables.first().map_or(0, |t| backend.table_len(t));
        let lens_ok = tables
            .iter()
            .chain(eq.as_ref())
            .all(|t| backend.table_len(t) == len);
        if !len.is_power_of_two() || !lens_ok {
            return Err(SumcheckError::BadTableLength { len });
        }
        let degree = sum.degree(eq.is_some());
        if degree > MAX_DEGREE {
            return Err(SumcheckError::UnsupportedDegree { degree });
        }
        Ok(ProductProver {
            backend,
            sum,
            tables,
            eq,
            num_rounds: len.trailing_zeros() as usize,
            pending: None,
        })
    }

    /// The claimed sum, computed directly (for callers that do not know it).
    pub fn claimed_sum(&self) -> Fr {
        let tables: Vec<Vec<Fr>> = self
            .tables
            .iter()
            .map(|t| self.backend.download(t))
            .collect();
        let eq = self.eq.as_ref().map(|e| self.backend.download(e));
        let len = tables.first().map_or(0, Vec::len);
        (0..len)
            .map(|i| {
                let vals: Vec<Fr> = tables.iter().map(|t| t[i]).collect();
                self.sum.eval(&vals) * eq.as_ref().map_or(Fr::one(), |e| e[i])
            })
            .sum()
    }
}

impl<B: Backend> SumcheckProver for ProductProver<'_, B> {
    fn num_rounds(&self) -> usize {
        self.num_rounds
    }

    fn degree(&self) -> usize {
        self.sum.degree(self.eq.is_some())
    }

    fn round_evals(&mut self) -> Vec<Fr> {
        match self.pending.take() {
            Some(r) => self
                .backend
                .bind_round(&self.sum, &mut self.tables, self.eq.as_mut(), r),
            None => {
                let refs: Vec<&B::Table> = self.tables.iter().collect();
                self.backend.round_evals(&self.sum, &refs, self.eq.as_ref())
            }
        }
    }

    fn bind(&mut self, r: Fr) {
        let len = self.tables.first().map_or(0, |t| self.backend.table_len(t));
        if len >= 4 {
            // Another round follows: bind together with its evaluation.
            self.pending = Some(r);
        } else {
            for t in self.tables.iter_mut().chain(self.eq.as_mut()) {
                self.backend.bind(t, r);
            }
        }
    }

    fn final_evals(&self) -> Vec<Fr> {
        self.tables
            .iter()
            .chain(self.eq.as_ref())
            .map(|t| {
                self.backend
                    .download(t)
                    .first()
                    .copied()
                    .unwrap_or_default()
            })
            .collect()
    }
}

/// The naive reference prover (tests only): evaluates the round polynomial by
/// brute force at every point.
#[cfg(any(test, feature = "test-utils"))]
pub struct NaiveProver {
    sum: ProductSum,
    tables: Vec<Vec<Fr>>,
    eq: Option<Vec<Fr>>,
}

#[cfg(any(test, feature = "test-utils"))]
impl NaiveProver {
    /// A naive prover for the same statement as [`ProductProver`].
    pub fn new(sum: ProductSum, tables: Vec<Vec<Fr>>, eq: Option<Vec<Fr>>) -> Self {
        NaiveProver { sum, tables, eq }
    }
}

#[cfg(any(test, feature = "test-utils"))]
impl SumcheckProver for NaiveProver {
    fn num_rounds(&self) -> usize {
        self.tables[0].len().trailing_zeros() as usize
    }
    fn degree(&self) -> usize {
        self.sum.degree(self.eq.is_some())
    }
    fn round_evals(&mut self) -> Vec<Fr> {
        let half = self.tables[0].len() / 2;
        let d = self.degree();
        let at = |s: &Vec<Fr>, i: usize, t: Fr| s[2 * i] * (Fr::one() - t) + s[2 * i + 1] * t;
        let all: Vec<Fr> = (0..=d as u64)
            .map(|t| {
                let t = Fr::from(t);
                (0..half)
                    .map(|i| {
                        let vals: Vec<Fr> = self.tables.iter().map(|s| at(s, i, t)).collect();
                        self.sum.eval(&vals) * self.eq.as_ref().map_or(Fr::one(), |e| at(e, i, t))
                    })
                    .sum()
            })
            .collect();
        let lead = interpolate(&all)[d];
        if d == 1 {
            return vec![all[0]];
        }
        let mut out = vec![all[0]];
        out.extend_from_slice(&all[2..d]);
        out.push(lead);
        out.truncate(d);
        out
    }
    fn bind(&mut self, r: Fr) {
        for t in self.tables.iter_mut().chain(self.eq.as_mut()) {
            *t = t.chunks(2).map(|p| p[0] + r * (p[1] - p[0])).collect();
        }
    }
    fn final_evals(&self) -> Vec<Fr> {
        self.tables
            .iter()
            .chain(self.eq.as_ref())
            .map(|t| t[0])
            .collect()
    }
}
