//! Small dense multilinear arithmetic and a dense sumcheck over any prime field, for the
//! CycleFold SNARK (tables of `2^11`-`2^12` entries over Grumpkin's scalar field `Fq`),
//! and the Fiat-Shamir helpers that carry `Fq` elements and Grumpkin points through
//! zkpot's Poseidon transcript over `Fr`.
//!
//! The primary SNARK uses `zkpot-core`'s sumcheck engine on a [`zkpot_core::Backend`],
//! which is over `Fr`; the protocol here is the same (variable 0 bound first, round
//! polynomials sent without their linear coefficient, which the verifier recovers from
//! the claim), written generically and naively because its tables are tiny.
//!
//! **Challenges in `Fq`.** A transcript challenge is a uniform `Fr` element, read as an
//! integer below `r` and taken in `Fq` (`r < q`): its distance from uniform on `Fq` is
//! `(q - r) / q < 2^-126`. **`Fq` elements absorbed** as two `Fr` elements (the low 128
//! and the high 126 bits), so the encoding is injective; **Grumpkin points** as their
//! affine coordinates (`Fr` elements: Grumpkin's base field is BN254's scalar field) and
//! an infinity flag.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ark_ec::{short_weierstrass::Affine, AffineRepr, CurveGroup};
use ark_ff::{BigInteger, Field, PrimeField};
use zkpot_core::{Fq, Fr, Transcript};

use crate::ivc::Grumpkin;

/// Absorbs an `Fq` element as its low 128 and high 126 bits, two `Fr` elements.
pub(crate) fn absorb_fq<T: Transcript>(t: &mut T, x: &Fq) {
    let limbs = x.into_bigint().0;
    let lo = u128::from(limbs[0]) | (u128::from(limbs[1]) << 64);
    let hi = u128::from(limbs[2]) | (u128::from(limbs[3]) << 64);
    t.absorb_fields(&[Fr::from(lo), Fr::from(hi)]);
}

/// Absorbs `Fq` elements, one by one.
pub(crate) fn absorb_fqs<T: Transcript>(t: &mut T, xs: &[Fq]) {
    for x in xs {
        absorb_fq(t, x);
    }
}

/// Absorbs a Grumpkin point: `(x, y, 0)`, or `(0, 0, 1)` for the identity.
pub(crate) fn absorb_grumpkin<T: Transcript>(t: &mut T, p: &Grumpkin) {
    let a: Affine<ark_grumpkin::GrumpkinConfig> = p.into_affine();
    match a.xy() {
        Some((x, y)) => t.absorb_fields(&[x, y, Fr::from(0u64)]),
        None => t.absorb_fields(&[Fr::from(0u64), Fr::from(0u64), Fr::from(1u64)]),
    }
}

/// An `Fq` challenge: an `Fr` challenge's integer, in `Fq`.
pub(crate) fn challenge_fq<T: Transcript>(t: &mut T) -> Fq {
    Fq::from_le_bytes_mod_order(&t.challenge().into_bigint().to_bytes_le())
}

/// `n` `Fq` challenges.
pub(crate) fn challenges_fq<T: Transcript>(t: &mut T, n: usize) -> Vec<Fq> {
    (0..n).map(|_| challenge_fq(t)).collect()
}

/// The table of `eq(point, x)` over `x` in `{0,1}^n` (variable 0 the lowest index bit).
pub(crate) fn eq_table<F: Field>(point: &[F]) -> Vec<F> {
    let mut table = Vec::with_capacity(1 << point.len());
    table.push(F::one());
    for (j, &r) in point.iter().enumerate() {
        let half = 1usize << j;
        table.resize(2 * half, F::zero());
        let (lo, hi) = table.split_at_mut(half);
        for (l, h) in lo.iter_mut().zip(hi.iter_mut()) {
            *h = *l * r;
            *l -= *h;
        }
    }
    table
}

/// `eq(a, b)`; `None` if the lengths differ.
pub(crate) fn eq_eval<F: Field>(a: &[F], b: &[F]) -> Option<F> {
    (a.len() == b.len()).then(|| {
        a.iter()
            .zip(b)
            .map(|(&x, &y)| x * y + (F::one() - x) * (F::one() - y))
            .product()
    })
}

/// Fixes variable 0 of `table` to `r`.
fn bind<F: Field>(table: &[F], r: F) -> Vec<F> {
    table
        .chunks(2)
        .map(|p| match p {
            [lo, hi] => *lo + r * (*hi - *lo),
            [lo] => *lo,
            _ => F::zero(),
        })
        .collect()
}

/// The multilinear extension of `table` (`2^point.len()` entries) at `point`; `None`
/// for a table of another length (tests: the verifiers evaluate nothing dense).
#[cfg(test)]
pub(crate) fn evaluate<F: Field>(table: &[F], point: &[F]) -> Option<F> {
    if table.len() != 1usize.checked_shl(point.len() as u32)? {
        return None;
    }
    let mut t = table.to_vec();
    for &r in point {
        t = bind(&t, r);
    }
    t.first().copied()
}

/// The coefficients of the polynomial of degree `< values.len()` through `(t, values[t])`.
fn interpolate<F: Field>(values: &[F]) -> Vec<F> {
    let n = values.len();
    let mut coeffs = vec![F::zero(); n];
    for (k, &y) in values.iter().enumerate() {
        let mut basis = vec![F::one()];
        let mut denom = F::one();
        for m in (0..n).filter(|&m| m != k) {
            let mut next = vec![F::zero(); basis.len() + 1];
            for (i, &b) in basis.iter().enumerate() {
                if let Some(v) = next.get_mut(i + 1) {
                    *v += b;
                }
                if let Some(v) = next.get_mut(i) {
                    *v -= b * F::from(m as u64);
                }
            }
            basis = next;
            denom *= F::from(k as u64) - F::from(m as u64);
        }
        let scale = y * denom.inverse().unwrap_or_default();
        for (c, b) in coeffs.iter_mut().zip(basis) {
            *c += scale * b;
        }
    }
    coeffs
}

/// `sum_k coeffs[k] t^k`.
fn horner<F: Field>(coeffs: &[F], t: F) -> F {
    coeffs.iter().rev().fold(F::zero(), |acc, c| acc * t + c)
}

/// The full coefficients of a round polynomial from its compressed form
/// `[c_0, c_2, ..., c_d]` and the round's claim `p(0) + p(1)`.
fn decompress<F: Field>(compressed: &[F], claim: F) -> Vec<F> {
    let Some((&c0, rest)) = compressed.split_first() else {
        return Vec::new();
    };
    let c1 = claim - c0.double() - rest.iter().copied().sum::<F>();
    let mut coeffs = vec![c0, c1];
    coeffs.extend_from_slice(rest);
    coeffs
}

/// The end of a dense sumcheck: the point, the claim reduced to it, and (prover side)
/// every table's value there.
pub(crate) struct Reduced<F> {
    pub(crate) point: Vec<F>,
    pub(crate) value: F,
    pub(crate) finals: Vec<F>,
}

/// Proves `claim = sum_x g(tables(x))` for a summand `g` of degree `degree` in each
/// variable, on the transcript (each round: the compressed polynomial as `Fq`-style
/// absorptions through `absorb`, then one challenge through `challenge`). Returns the
/// compressed rounds and the reduction.
pub(crate) fn prove_dense<F: Field, T: Transcript>(
    mut tables: Vec<Vec<F>>,
    degree: usize,
    g: impl Fn(&[F]) -> F,
    claim: F,
    t: &mut T,
    absorb: impl Fn(&mut T, &[F]),
    challenge: impl Fn(&mut T) -> F,
) -> (Vec<Vec<F>>, Reduced<F>) {
    let rounds_n = tables
        .first()
        .map_or(0, |t| t.len().trailing_zeros() as usize);
    let mut claim = claim;
    let mut rounds = Vec::with_capacity(rounds_n);
    let mut point = Vec::with_capacity(rounds_n);
    for _ in 0..rounds_n {
        let half = tables.first().map_or(0, |t| t.len() / 2);
        let mut values = vec![F::zero(); degree + 1];
        let mut at = vec![F::zero(); tables.len()];
        for i in 0..half {
            for (s, v) in values.iter_mut().enumerate() {
                let t = F::from(s as u64);
                for (a, table) in at.iter_mut().zip(&tables) {
                    let (lo, hi) = (
                        table.get(2 * i).copied().unwrap_or_default(),
                        table.get(2 * i + 1).copied().unwrap_or_default(),
                    );
                    *a = lo + t * (hi - lo);
                }
                *v += g(&at);
            }
        }
        let mut coeffs = interpolate(&values);
        if coeffs.len() > 1 {
            coeffs.remove(1);
        }
        absorb(t, &coeffs);
        let r = challenge(t);
        claim = horner(&decompress(&coeffs, claim), r);
        for table in &mut tables {
            *table = bind(table, r);
        }
        point.push(r);
        rounds.push(coeffs);
    }
    let finals = tables
        .iter()
        .map(|t| t.first().copied().unwrap_or_default())
        .collect();
    (
        rounds,
        Reduced {
            point,
            value: claim,
            finals,
        },
    )
}

/// Verifies the rounds of [`prove_dense`] (`num_rounds` rounds of degree `degree`) and
/// returns the point and the reduced claim (`finals` empty); `None` if a round has the
/// wrong length or the count is wrong. The caller checks the reduced claim.
pub(crate) fn verify_dense<F: Field, T: Transcript>(
    rounds: &[Vec<F>],
    claim: F,
    num_rounds: usize,
    degree: usize,
    t: &mut T,
    absorb: impl Fn(&mut T, &[F]),
    challenge: impl Fn(&mut T) -> F,
) -> Option<Reduced<F>> {
    if rounds.len() != num_rounds || rounds.iter().any(|c| c.len() != degree) {
        return None;
    }
    let mut claim = claim;
    let mut point = Vec::with_capacity(num_rounds);
    for coeffs in rounds {
        absorb(t, coeffs);
        let r = challenge(t);
        claim = horner(&decompress(coeffs, claim), r);
        point.push(r);
    }
    Some(Reduced {
        point,
        value: claim,
        finals: Vec::new(),
    })
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used)]
mod tests {
    use ark_ff::UniformRand;
    use zkpot_core::PoseidonTranscript;

    use super::*;
    use crate::tests::rng;

    #[test]
    fn the_dense_sumcheck_is_complete_and_matches_the_tables() {
        let mut r = rng(3);
        let n = 5;
        let tables: Vec<Vec<Fq>> = (0..3)
            .map(|_| (0..1 << n).map(|_| Fq::rand(&mut r)).collect())
            .collect();
        let g = |v: &[Fq]| v[0] * v[1] * v[2] - v[2];
        let claim: Fq = (0..1 << n)
            .map(|i| g(&[tables[0][i], tables[1][i], tables[2][i]]))
            .sum();
        let mut t = PoseidonTranscript::new(b"test");
        let (rounds, reduced) = prove_dense(
            tables.clone(),
            3,
            g,
            claim,
            &mut t,
            absorb_fqs,
            challenge_fq,
        );
        let mut t = PoseidonTranscript::new(b"test");
        let v = verify_dense(&rounds, claim, n, 3, &mut t, absorb_fqs, challenge_fq).unwrap();
        assert_eq!(v.point, reduced.point);
        assert_eq!(v.value, reduced.value);
        let finals: Vec<Fq> = tables
            .iter()
            .map(|t| evaluate(t, &v.point).unwrap())
            .collect();
        assert_eq!(finals, reduced.finals);
        assert_eq!(v.value, g(&finals));
        // eq: the table and the closed form agree.
        let p: Vec<Fq> = (0..n).map(|_| Fq::rand(&mut r)).collect();
        let q: Vec<Fq> = (0..n).map(|_| Fq::rand(&mut r)).collect();
        assert_eq!(evaluate(&eq_table(&p), &q), eq_eval(&p, &q));
        // A wrong claim is not caught by the rounds alone, but the reduced claim differs.
        let mut t = PoseidonTranscript::new(b"test");
        let bad = verify_dense(
            &rounds,
            claim + Fq::from(1u64),
            n,
            3,
            &mut t,
            absorb_fqs,
            challenge_fq,
        )
        .unwrap();
        assert_ne!(bad.value, g(&finals));
        let mut t = PoseidonTranscript::new(b"test");
        assert!(
            verify_dense(&rounds[1..], claim, n, 3, &mut t, absorb_fqs, challenge_fq).is_none()
        );
    }
}
