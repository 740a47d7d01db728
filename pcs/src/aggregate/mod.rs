//! Aggregation of evaluation claims: many claims `(C_i, r_i, v_i)`, on different
//! commitments and several on one commitment, reduced to **one** claim by one sumcheck.
//!
//! A [`CommittedClaim`] says "the table committed in `commitment` evaluates to `value` at
//! `point`". Tables follow the variable order of [`zkpot_core::mle`] (variable 0 is the
//! least significant index bit and is bound first). Pedersen commitments are additively
//! homomorphic and zero padding does not change them (the generators of a shorter table
//! are a prefix of those of a longer one), so claims of different sizes combine.
//!
//! # Protocol
//!
//! Let `k` be the number of claims, `n` the largest point length, `f_i` the table behind
//! claim `i` zero-padded to `2^n` entries and `r'_i` its point padded with zeros to
//! length `n`; then `f_i'(r'_i) = f_i(r_i)`, since a padding variable fixed to 0 selects
//! the original entries. Claims are grouped by identical commitment: the distinct
//! commitments `C_0, ..., C_{m-1}` in order of first appearance, `j(i)` the group of
//! claim `i`, `f'_j` the group's table. Prover and verifier group the same way from the
//! public claims.
//!
//! 1. The verifier draws `a_0, ..., a_{k-1}`; the sumcheck (degree 2, `n` rounds) proves
//!    `sum_i a_i v_i = sum_{x in {0,1}^n} sum_i a_i eq(r'_i, x) f'_{j(i)}(x)`, ending at
//!    a random point `r*`.
//! 2. The prover sends `e_j = f'_j(r*)` for every distinct commitment; the verifier
//!    checks the sumcheck's final claim against `sum_i a_i eq(r'_i, r*) e_{j(i)}`.
//! 3. The verifier draws `b_1, ..., b_{m-1}` (128-bit); `b_0 = 1`. The output claim is
//!    `C* = C_0 + sum_{j >= 1} b_j C_j`, point `r*`, value `v* = sum_j b_j e_j`; the
//!    prover's opening of it is the table `sum_j b_j f'_j` with blind
//!    `sum_j b_j blind_j`.
//!
//! Computing `C*` costs one scalar multiplication per distinct commitment after the
//! first, each by a 128-bit scalar (cheap in-circuit, and why the accumulator puts its
//! own commitment first: see [`crate::accumulator`]). A false input claim makes the
//! sumcheck's final check fail except with probability about `(2n + 1) / p`; false
//! `e_j` that still pass that check make `v*` false except with probability `2^-128`
//! (the `b_j` are drawn after the `e_j`).
//!
//! # Transcript order
//!
//! 1. `absorb_bytes(b"zkpot-aggregate")`, the label;
//! 2. `absorb_u64(n)`, `absorb_u64(k)`;
//! 3. every claim in order, by [`CommittedClaim::absorb_into`]: the commitment (its four point
//!    elements), `absorb_u64(point.len())`, the point's coordinates, the value;
//! 4. `a_i = challenge()` for `i = 0..k`;
//! 5. the sumcheck of [`zkpot_core::sumcheck::prove`] on the claim `sum_i a_i v_i` with
//!    `n` rounds of degree 2 (which absorbs `n`, `2`, the claim, then each round);
//! 6. `absorb_fields(e_0, ..., e_{m-1})` (no length prefix: `m` is fixed by the claims);
//! 7. `b_j = challenge_128()` for `j = 1..m`.

pub mod constraints;
pub mod hiding;
pub(crate) mod verifier;

use ark_ff::{Field, One, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use rayon::prelude::*;
use zkpot_core::{
    eq_weights,
    sumcheck::{self, SumcheckProof},
    Backend, Fr, Transcript,
};

use verifier::{combined_value, Shape};

use crate::{
    error::PcsError,
    pedersen::{Opening, PedersenIpa},
    traits::{Aggregatable, CommittedClaim},
};

/// The label absorbed first by every aggregation transcript.
pub const AGGREGATE_LABEL: &[u8] = b"zkpot-aggregate";

/// The degree of the aggregation sumcheck's round polynomials: `eq(r'_i, x) * f'_j(x)`.
pub const AGGREGATE_DEGREE: usize = 2;

/// The proof that a list of claims reduces to one claim.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct AggregationProof {
    /// The sumcheck moving every claim to one point `r*`.
    pub sumcheck: SumcheckProof,
    /// Each distinct commitment's (zero-padded) table at `r*`, in order of first
    /// appearance among the claims.
    pub evals: Vec<Fr>,
}

/// Checks the openings' shapes and returns, per distinct commitment, the index of
/// the claim whose opening is its table (the longest one), after checking that the
/// other openings of the group agree with it up to zero padding.
fn group_openings(
    shape: &Shape,
    claims: &[CommittedClaim],
    openings: &[&Opening],
) -> Result<Vec<usize>, PcsError> {
    if openings.len() != claims.len() {
        return Err(PcsError::OpeningCountMismatch {
            claims: claims.len(),
            openings: openings.len(),
        });
    }
    for (claim, opening) in claims.iter().zip(openings) {
        let len = opening.table.len();
        if !len.is_power_of_two() || len.trailing_zeros() as usize != claim.claim.point.len() {
            return Err(PcsError::PointLengthMismatch {
                table_len: len,
                point_len: claim.claim.point.len(),
            });
        }
    }
    let mut chosen: Vec<Option<usize>> = vec![None; shape.commitments.len()];
    for (i, &j) in shape.group.iter().enumerate() {
        let slot = &mut chosen[j];
        match *slot {
            Some(c) if openings[c].table.len() >= openings[i].table.len() => {}
            _ => *slot = Some(i),
        }
    }
    let chosen: Vec<usize> = chosen.into_iter().map(Option::unwrap_or_default).collect();
    for (i, &j) in shape.group.iter().enumerate() {
        let (full, this) = (openings[chosen[j]], openings[i]);
        if std::ptr::eq(full, this) {
            continue;
        }
        let (prefix, rest) = full.table.split_at(this.table.len());
        if this.blind != full.blind
            || prefix != this.table.as_slice()
            || rest.iter().any(|x| !x.is_zero())
        {
            return Err(PcsError::InconsistentOpenings {
                first: chosen[j],
                claim: i,
            });
        }
    }
    Ok(chosen)
}

/// The aggregation prover ([`Aggregatable::aggregate_bound`]): it uses only the
/// commitments' homomorphism, so every scheme whose commitments are `G1` points linear
/// in the table and the blind shares it.
pub(crate) fn aggregate_bound<B: Backend, T: Transcript>(
    backend: &B,
    claims: &[CommittedClaim],
    openings: &[&Opening],
    absorbed: usize,
    transcript: &mut T,
) -> Result<(CommittedClaim, Opening, AggregationProof), PcsError> {
    let shape = Shape::new(claims)?;
    let chosen = group_openings(&shape, claims, openings)?;
    let tables: Vec<&Opening> = chosen.iter().map(|&i| openings[i]).collect();
    let a = shape.absorb_statement(claims, absorbed, transcript);
    let _ = backend;
    let mut prover = PaddedProducts::for_claims(&shape, claims, &tables, &a);
    let out = sumcheck::prove(&mut prover, combined_value(claims, &a), transcript);
    let evals = out.final_evals;
    let b = shape.combination(&evals, transcript);
    let opening = combine(&tables, &b, shape.num_vars);
    let claim = shape.output(out.point, &evals, &b);
    let proof = AggregationProof {
        sumcheck: out.proof,
        evals,
    };
    Ok((claim, opening, proof))
}

/// The opening `sum_j c_j f'_j` (tables zero-padded to `2^num_vars` entries), blind
/// `sum_j c_j blind_j`: the opening of `sum_j c_j C_j`.
fn combine(tables: &[&Opening], coeffs: &[Fr], num_vars: usize) -> Opening {
    let mut table = vec![Fr::zero(); 1usize << num_vars];
    let mut blind = Fr::zero();
    for (opening, c) in tables.iter().zip(coeffs) {
        if let Some(prefix) = table.get_mut(..opening.table.len()) {
            prefix
                .par_iter_mut()
                .zip(&opening.table)
                .with_min_len(PAR_MIN)
                .for_each(|(t, f)| *t += *c * f);
        }
        blind += *c * opening.blind;
    }
    Opening { table, blind }
}

impl Aggregatable for PedersenIpa {}

/// Entries per rayon task in the aggregation prover's loops.
const PAR_MIN: usize = 1 << 12;

/// A table the prover reads: the caller's (before the first bind) or its own.
enum Tab<'a> {
    Borrowed(&'a [Fr]),
    Owned(Vec<Fr>),
}

impl Tab<'_> {
    fn as_slice(&self) -> &[Fr] {
        match self {
            Tab::Borrowed(t) => t,
            Tab::Owned(t) => t,
        }
    }
}

/// One product `f * g` of two tables of `2^m` entries, seen as tables of `2^n` entries
/// zero-padded in their top `n - m` variables.
struct Term<'a> {
    f: Tab<'a>,
    g: Vec<Fr>,
    /// `prod (1 - r_k)` over the rounds bound after the term's own variables ran out:
    /// the padded `f` and `g` at the bound point are `f[0] * pad` and `g[0] * pad`.
    pad: Fr,
}

impl<'a> Term<'a> {
    fn new(f: &'a [Fr], g: Vec<Fr>) -> Self {
        Term {
            f: Tab::Borrowed(f),
            g,
            pad: Fr::one(),
        }
    }

    /// `(p(0), leading coefficient)` of this term's round polynomial, after binding the
    /// previous round's variable to `r` if given (fused in one pass when possible).
    fn round(&mut self, r: Option<Fr>) -> (Fr, Fr) {
        let len = self.g.len();
        match r {
            Some(r) if len >= 4 => {
                let (f, g, evals) = bind_and_evaluate(self.f.as_slice(), &self.g, r);
                self.f = Tab::Owned(f);
                self.g = g;
                return evals;
            }
            Some(r) if len == 2 => {
                let f = self.f.as_slice();
                let bound = f[0] + r * (f[1] - f[0]);
                self.f = Tab::Owned(vec![bound]);
                self.g = vec![self.g[0] + r * (self.g[1] - self.g[0])];
            }
            Some(r) => self.pad *= Fr::one() - r,
            None => {}
        }
        if self.g.len() >= 2 {
            return evaluate_pairs(self.f.as_slice(), &self.g);
        }
        // Both factors are `c (1 - x)` in this variable: the product is
        // `f g pad^2 (1 - x)^2`, with p(0) and leading coefficient `f g pad^2`.
        let c = self.f.as_slice()[0] * self.g[0] * self.pad.square();
        (c, c)
    }

    /// Binds the last round's variable (no round follows).
    fn bind_last(&mut self, r: Fr) {
        if self.g.len() >= 2 {
            let f = self.f.as_slice();
            let bound = f[0] + r * (f[1] - f[0]);
            self.f = Tab::Owned(vec![bound]);
            self.g = vec![self.g[0] + r * (self.g[1] - self.g[0])];
        } else {
            self.pad *= Fr::one() - r;
        }
    }

    /// The padded `f` at the bound point.
    fn value(&self) -> Fr {
        self.f.as_slice().first().copied().unwrap_or_default() * self.pad
    }
}

fn add_pair(a: (Fr, Fr), b: (Fr, Fr)) -> (Fr, Fr) {
    (a.0 + b.0, a.1 + b.1)
}

/// `sum_i (f[2i] g[2i], (f[2i+1] - f[2i]) (g[2i+1] - g[2i]))`.
fn evaluate_pairs(f: &[Fr], g: &[Fr]) -> (Fr, Fr) {
    f.par_chunks_exact(2)
        .zip(g.par_chunks_exact(2))
        .with_min_len(PAR_MIN)
        .map(|(f, g)| (f[0] * g[0], (f[1] - f[0]) * (g[1] - g[0])))
        .reduce(|| (Fr::zero(), Fr::zero()), add_pair)
}

/// Binds the lowest variable of `f` and `g` to `r` and evaluates the next round on the
/// bound tables, in one pass (`f.len() >= 4`).
fn bind_and_evaluate(f: &[Fr], g: &[Fr], r: Fr) -> (Vec<Fr>, Vec<Fr>, (Fr, Fr)) {
    let half = g.len() / 2;
    let mut nf = vec![Fr::zero(); half];
    let mut ng = vec![Fr::zero(); half];
    let evals = nf
        .par_chunks_exact_mut(2)
        .zip(ng.par_chunks_exact_mut(2))
        .zip(f.par_chunks_exact(4).zip(g.par_chunks_exact(4)))
        .with_min_len(PAR_MIN / 2)
        .map(|((nf, ng), (f, g))| {
            nf[0] = f[0] + r * (f[1] - f[0]);
            nf[1] = f[2] + r * (f[3] - f[2]);
            ng[0] = g[0] + r * (g[1] - g[0]);
            ng[1] = g[2] + r * (g[3] - g[2]);
            (nf[0] * ng[0], (nf[1] - nf[0]) * (ng[1] - ng[0]))
        })
        .reduce(|| (Fr::zero(), Fr::zero()), add_pair);
    (nf, ng, evals)
}

/// The aggregation sumcheck's prover: `sum_x sum_j f'_j(x) g'_j(x)` over `n` variables,
/// degree 2, for tables `f_j`, `g_j` of their own lengths `2^{m_j} <= 2^n`, zero-padded
/// (in the top variables) without being materialized. A term whose variables have all
/// been bound contributes `f g pad^2 (1 - x)^2` in closed form.
struct PaddedProducts<'a> {
    terms: Vec<Term<'a>>,
    num_rounds: usize,
    round: usize,
    pending: Option<Fr>,
}

impl<'a> PaddedProducts<'a> {
    /// The prover of `sum_x sum_i a_i eq(r'_i, x) f'_{j(i)}(x)`: one term `g_j f'_j` per
    /// distinct commitment (its table `tables[j]`), with
    /// `g_j = sum_{i in group j} a_i eq(r'_i, .)`, so `m` products, not `k`. Each term
    /// keeps its table's own length: the zero padding up to `2^n` is accounted for in
    /// closed form, never materialized.
    fn for_claims(
        shape: &Shape,
        claims: &[CommittedClaim],
        tables: &[&'a Opening],
        a: &[Fr],
    ) -> Self {
        let terms = tables
            .iter()
            .enumerate()
            .map(|(j, opening)| {
                let group: Vec<(&[Fr], Fr)> = claims
                    .iter()
                    .zip(&shape.group)
                    .zip(a)
                    .filter(|((_, &g), _)| g == j)
                    .map(|((c, _), a)| (c.claim.point.as_slice(), *a))
                    .collect();
                Term::new(&opening.table, eq_weights(opening.table.len(), &group))
            })
            .collect();
        Self::new(terms, shape.num_vars)
    }

    fn new(terms: Vec<Term<'a>>, num_rounds: usize) -> Self {
        PaddedProducts {
            terms,
            num_rounds,
            round: 0,
            pending: None,
        }
    }
}

impl sumcheck::SumcheckProver for PaddedProducts<'_> {
    fn num_rounds(&self) -> usize {
        self.num_rounds
    }

    fn degree(&self) -> usize {
        AGGREGATE_DEGREE
    }

    fn round_evals(&mut self) -> Vec<Fr> {
        let r = self.pending.take();
        let (p0, lead) = self
            .terms
            .iter_mut()
            .map(|t| t.round(r))
            .fold((Fr::zero(), Fr::zero()), add_pair);
        vec![p0, lead]
    }

    fn bind(&mut self, r: Fr) {
        self.round += 1;
        if self.round < self.num_rounds {
            self.pending = Some(r);
        } else {
            self.terms.iter_mut().for_each(|t| t.bind_last(r));
        }
    }

    fn final_evals(&self) -> Vec<Fr> {
        self.terms.iter().map(Term::value).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::verifier::padded_eq;
    use super::*;
    use crate::pedersen::Commitment;
    use ark_ec::{AffineRepr, CurveGroup};
    use ark_ff::UniformRand;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;
    use zkpot_core::eq_table;
    use zkpot_core::{eq_eval, G1};
    use zkpot_core::{MultilinearTable, PoseidonTranscript};

    fn claim_on(commitment: Commitment, point: Vec<Fr>) -> CommittedClaim {
        CommittedClaim::new(commitment, point, Fr::zero())
    }

    #[test]
    fn shape_groups_in_first_appearance_order() {
        let c = |i: u64| {
            Commitment((G1::from(ark_bn254::G1Affine::generator()) * Fr::from(i)).into_affine())
        };
        let claims = [
            claim_on(c(2), vec![Fr::one(); 3]),
            claim_on(c(1), vec![]),
            claim_on(c(2), vec![Fr::one(); 5]),
            claim_on(c(3), vec![Fr::one()]),
            claim_on(c(1), vec![Fr::one(); 2]),
        ];
        let shape = Shape::new(&claims).unwrap();
        assert_eq!(shape.num_vars, 5);
        assert_eq!(shape.commitments, vec![c(2), c(1), c(3)]);
        assert_eq!(shape.group, vec![0, 1, 0, 2, 1]);
        assert!(matches!(Shape::new(&[]), Err(PcsError::NoClaims)));
    }

    #[test]
    fn block_eq_weights_match_the_full_eq_table() {
        let mut rng = ChaCha20Rng::seed_from_u64(9);
        for bits in [
            vec![],
            vec![Fr::zero()],
            vec![Fr::one()],
            vec![Fr::one(), Fr::zero(), Fr::one()],
            vec![Fr::zero(), Fr::zero()],
        ] {
            let mut point: Vec<Fr> = (0..4).map(|_| Fr::rand(&mut rng)).collect();
            point.extend(bits);
            let a = Fr::rand(&mut rng);
            let w: Vec<Fr> = (0..1 << (point.len() + 1))
                .map(|_| Fr::rand(&mut rng))
                .collect();
            let mut expected = w.clone();
            for (x, e) in expected.iter_mut().zip(eq_table(&point)) {
                *x += a * e;
            }
            // With a prefix of the point (sharing its eq table), in either order.
            for cut in [1, 3] {
                let short = &point[..cut];
                let b = Fr::rand(&mut rng);
                let mut with_short = expected.clone();
                for (x, e) in with_short.iter_mut().zip(eq_table(short)) {
                    *x += b * e;
                }
                let mut claims = vec![(point.as_slice(), a), (short, b)];
                let mut got = eq_weights(w.len(), &claims);
                claims.reverse();
                assert_eq!(got, eq_weights(w.len(), &claims));
                for (g, x) in got.iter_mut().zip(&w) {
                    *g += x;
                }
                assert_eq!(got, with_short);
            }
        }
    }

    #[test]
    fn padded_eq_matches_padding_the_point() {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let point: Vec<Fr> = (0..3).map(|_| Fr::rand(&mut rng)).collect();
        let r: Vec<Fr> = (0..6).map(|_| Fr::rand(&mut rng)).collect();
        let mut padded = point.clone();
        padded.resize(6, Fr::zero());
        assert_eq!(
            padded_eq(&point, &r).unwrap(),
            eq_eval(&padded, &r).unwrap()
        );
        assert!(padded_eq(&r, &point).is_err());
        // And the padded table's MLE at (r || 0) is the table's at r.
        let table: Vec<Fr> = (0..8).map(|_| Fr::rand(&mut rng)).collect();
        let short = MultilinearTable::new(table.clone()).unwrap();
        let long = MultilinearTable::zero_padded(table, 6).unwrap();
        assert_eq!(
            short.evaluate(&point).unwrap(),
            long.evaluate(&padded).unwrap()
        );
    }

    #[test]
    fn inconsistent_openings_of_one_commitment_are_rejected() {
        let c = Commitment::identity();
        let claims = [
            claim_on(c, vec![Fr::one(); 1]),
            claim_on(c, vec![Fr::one(); 2]),
        ];
        let short = Opening {
            table: vec![Fr::one(), Fr::one()],
            blind: Fr::zero(),
        };
        let long_ok = Opening {
            table: vec![Fr::one(), Fr::one(), Fr::zero(), Fr::zero()],
            blind: Fr::zero(),
        };
        let long_bad = Opening {
            table: vec![Fr::one(), Fr::one(), Fr::one(), Fr::zero()],
            blind: Fr::zero(),
        };
        let mut t = PoseidonTranscript::new(b"test");
        let backend = zkpot_core::CpuBackend;
        assert!(PedersenIpa::aggregate(&backend, &claims, &[&short, &long_ok], &mut t).is_ok());
        assert!(matches!(
            PedersenIpa::aggregate(&backend, &claims, &[&short, &long_bad], &mut t),
            Err(PcsError::InconsistentOpenings { first: 1, claim: 0 })
        ));
    }
}
