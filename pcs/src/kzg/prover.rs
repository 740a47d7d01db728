//! The HyperKZG prover: mask, fold, evaluate, batch, open (steps 1 to 5 of the [module
//! documentation](super)).

use ark_ec::AffineRepr;
use ark_ff::{Field, UniformRand, Zero};
use rand::RngCore;
use rayon::prelude::*;
use zkpot_core::{Backend, Fr, G1Affine, Transcript};

use super::{absorb_statement, nonzero_challenge, KzgKey, KzgProof};
use crate::{
    error::PcsError,
    pedersen::{Commitment, Opening},
};

/// Entries per rayon task in the prover's loops.
const PAR_MIN: usize = 1 << 12;

/// Proves `opening.table~(point) = value` and returns `value` with the proof.
pub(super) fn open<B: Backend, T: Transcript, R: RngCore + ?Sized>(
    key: &KzgKey,
    backend: &B,
    opening: &Opening,
    commitment: &Commitment,
    point: &[Fr],
    transcript: &mut T,
    rng: &mut R,
) -> Result<(Fr, KzgProof), PcsError> {
    let n = point.len();
    let len = opening.table.len();
    if n >= usize::BITS as usize || len != 1usize << n {
        return Err(PcsError::PointLengthMismatch {
            table_len: len,
            point_len: n,
        });
    }
    key.fits(len)?;
    let value = evaluate(backend, &opening.table, point)?;
    absorb_statement(key.verifier_key(), commitment, point, value, transcript);

    // 1. Mask: h = f + alpha g, with its blind sent.
    let mask: Vec<Fr> = (0..len).map(|_| Fr::rand(rng)).collect();
    let mask_blind = Fr::rand(rng);
    let mask_commitment = key
        .with_blind(backend.msm(&key.bases()[..len], &mask), mask_blind)
        .0;
    let mask_value = evaluate(backend, &mask, point)?;
    transcript.absorb_point(&mask_commitment);
    transcript.absorb_field(&mask_value);
    let alpha = nonzero_challenge(transcript, 0)?;
    let blind = opening.blind + alpha * mask_blind;
    transcript.absorb_field(&blind);
    let h: Vec<Fr> = opening
        .table
        .par_iter()
        .zip(&mask)
        .with_min_len(PAR_MIN)
        .map(|(f, g)| *f + alpha * g)
        .collect();
    drop(mask);

    if n == 0 {
        return Ok((
            value,
            KzgProof {
                mask: mask_commitment,
                mask_value,
                blind,
                folds: Vec::new(),
                at_b: Vec::new(),
                at_minus_b: Vec::new(),
                quotients: [G1Affine::zero(); 3],
            },
        ));
    }

    // 2. Folds P_1..P_{n-1} and their commitments.
    let polys = folds(h, point);
    let fold_commitments = polys
        .get(1..)
        .unwrap_or_default()
        .iter()
        .map(|p| key.commit_plain(backend, p))
        .collect::<Result<Vec<_>, _>>()?;
    for c in &fold_commitments {
        transcript.absorb_point(c);
    }
    let b = nonzero_challenge(transcript, 1)?;

    // 3. Evaluations at b and -b.
    let at_b: Vec<Fr> = polys.iter().map(|p| eval_univariate(p, b)).collect();
    let at_minus_b: Vec<Fr> = polys.iter().map(|p| eval_univariate(p, -b)).collect();
    transcript.absorb_fields(&at_b);
    transcript.absorb_fields(&at_minus_b);
    let q = transcript.challenge();

    // 4. The batched polynomials and their quotients.
    let batched = batch(&polys, q, 0);
    let batched_tail = batch(&polys, q, 1);
    let quotients = [
        key.commit_plain(backend, &quotient(&batched, b))?,
        key.commit_plain(backend, &quotient(&batched, -b))?,
        key.commit_plain(backend, &quotient(&batched_tail, b.square()))?,
    ];
    for w in &quotients {
        transcript.absorb_point(w);
    }
    let _d = transcript.challenge();

    Ok((
        value,
        KzgProof {
            mask: mask_commitment,
            mask_value,
            blind,
            folds: fold_commitments,
            at_b,
            at_minus_b,
            quotients,
        },
    ))
}

/// The table's multilinear extension at `point`, on the backend.
fn evaluate<B: Backend>(backend: &B, table: &[Fr], point: &[Fr]) -> Result<Fr, PcsError> {
    backend
        .evaluate_slice(table, point)
        .map_err(|_| PcsError::PointLengthMismatch {
            table_len: table.len(),
            point_len: point.len(),
        })
}

/// `P_0 = h` and its Gemini folds `P_1, ..., P_{n-1}`: `P_{j+1}` fixes variable 0 of
/// `P_j` (the pair `(2i, 2i + 1)`) to `point[j]`.
fn folds(h: Vec<Fr>, point: &[Fr]) -> Vec<Vec<Fr>> {
    let mut polys = Vec::with_capacity(point.len());
    polys.push(h);
    for &x in point.iter().take(point.len().saturating_sub(1)) {
        let Some(last) = polys.last() else { break };
        let next: Vec<Fr> = last
            .par_chunks_exact(2)
            .with_min_len(PAR_MIN)
            .map(|pair| pair[0] + x * (pair[1] - pair[0]))
            .collect();
        polys.push(next);
    }
    polys
}

/// `sum_{j >= from} q^j P_j` (coefficients, as long as the longest term).
fn batch(polys: &[Vec<Fr>], q: Fr, from: usize) -> Vec<Fr> {
    let len = polys.get(from).map_or(0, Vec::len);
    let mut out = vec![Fr::zero(); len];
    let mut power = q.pow([from as u64]);
    for p in polys.iter().skip(from) {
        out.par_iter_mut()
            .zip(p)
            .with_min_len(PAR_MIN)
            .for_each(|(o, c)| *o += power * c);
        power *= q;
    }
    out
}

/// `P(u)` for the coefficients of `P`, by Horner's rule on chunks in parallel.
pub(super) fn eval_univariate(coeffs: &[Fr], u: Fr) -> Fr {
    const CHUNK: usize = 1 << 14;
    let chunk_shift = u.pow([CHUNK as u64]);
    let partial: Vec<Fr> = coeffs
        .par_chunks(CHUNK)
        .map(|c| c.iter().rev().fold(Fr::zero(), |acc, x| acc * u + x))
        .collect();
    partial
        .iter()
        .rev()
        .fold(Fr::zero(), |acc, x| acc * chunk_shift + x)
}

/// The coefficients of `(P(X) - P(u)) / (X - u)` (synthetic division; one shorter than
/// `P`).
fn quotient(coeffs: &[Fr], u: Fr) -> Vec<Fr> {
    let Some((_, rest)) = coeffs.split_first() else {
        return Vec::new();
    };
    let mut out = vec![Fr::zero(); rest.len()];
    let mut carry = Fr::zero();
    for (o, c) in out.iter_mut().zip(rest).rev() {
        carry = carry * u + c;
        *o = carry;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_std::test_rng;

    #[test]
    fn quotient_divides() {
        let mut rng = test_rng();
        for len in [1usize, 2, 3, 17, 40000] {
            let p: Vec<Fr> = (0..len).map(|_| Fr::rand(&mut rng)).collect();
            let u = Fr::rand(&mut rng);
            let z = Fr::rand(&mut rng);
            let w = quotient(&p, u);
            assert_eq!(w.len(), len - 1);
            // P(z) - P(u) = (z - u) W(z)
            assert_eq!(
                eval_univariate(&p, z) - eval_univariate(&p, u),
                (z - u) * eval_univariate(&w, z)
            );
        }
    }

    #[test]
    fn eval_univariate_is_horner() {
        let mut rng = test_rng();
        let p: Vec<Fr> = (0..40000).map(|_| Fr::rand(&mut rng)).collect();
        let u = Fr::rand(&mut rng);
        let naive = p
            .iter()
            .enumerate()
            .map(|(i, c)| *c * u.pow([i as u64]))
            .sum::<Fr>();
        assert_eq!(eval_univariate(&p, u), naive);
        assert_eq!(eval_univariate(&[], u), Fr::zero());
    }

    #[test]
    fn the_last_fold_is_the_evaluation() {
        let mut rng = test_rng();
        let table: Vec<Fr> = (0..16).map(|_| Fr::rand(&mut rng)).collect();
        let point: Vec<Fr> = (0..4).map(|_| Fr::rand(&mut rng)).collect();
        let polys = folds(table.clone(), &point);
        assert_eq!(polys.len(), 4);
        let last = polys.last().unwrap();
        let full = last[0] + point[3] * (last[1] - last[0]);
        assert_eq!(full, zkpot_core::evaluate_slice(&table, &point).unwrap());
        // The fold identity at b^2.
        let b = Fr::rand(&mut rng);
        let two_b_inv = (b + b).inverse().unwrap();
        for j in 0..3 {
            let (pb, pm) = (
                eval_univariate(&polys[j], b),
                eval_univariate(&polys[j], -b),
            );
            let x = point[j];
            let y = ((Fr::ONE - x) * (pb + pm) * b + x * (pb - pm)) * two_b_inv;
            assert_eq!(y, eval_univariate(&polys[j + 1], b.square()));
        }
    }
}
