//! A zero-knowledge inner-product argument for evaluations of committed multilinear
//! tables.
//!
//! # Statement
//!
//! A commitment `C = <f, G> + rho H` ([`crate::pedersen`]) to a table `f` of `N = 2^n`
//! entries, a point `r` of `n` coordinates and a value `v`. The claim is `f~(r) = v`, the
//! multilinear extension of `f` at `r`. Since `f~(r) = <f, b>` with `b = eq(r)` (the `eq`
//! table of [`zkpot_core::mle::eq_table`]), this is an inner-product argument on the
//! public vector `b`. Callers zero-pad a shorter table to `2^n` entries.
//!
//! # Protocol (Bulletproofs' halving argument, Halo-style zero knowledge)
//!
//! After the statement is absorbed, a challenge `w` fixes `U' = w U` (`U` is the key's
//! [`inner_product_generator`](crate::pedersen::PedersenKey::inner_product_generator)),
//! so that `P = C + v U' = <f, G> + <f, b> U' + rho H`. Then `n` halving rounds run on
//! `(a, G, b)`, starting from `(f, G_0..G_{N-1}, b)`. Each round splits every vector into
//! its low and high halves, i.e. on the **top** index bit: round `k` consumes variable
//! `n - 1 - k`. The prover draws blinds `l_k, r_k` and sends
//!
//! ```text
//! L_k = <a_lo, G_hi> + <a_lo, b_hi> U' + l_k H
//! R_k = <a_hi, G_lo> + <a_hi, b_lo> U' + r_k H
//! ```
//!
//! and on a challenge `u_k` folds `a' = a_lo + u_k^-1 a_hi`,
//! `G' = G_lo + u_k G_hi`, `b' = b_lo + u_k b_hi`, so that
//! `P' = P + u_k L_k + u_k^-1 R_k = <a', G'> + <a', b'> U' + rho' H` with
//! `rho' = rho + u_k l_k + u_k^-1 r_k`.
//!
//! After the last round `a`, `G` and `b` have one entry each. Rather than revealing `a`
//! and `rho'`, the prover proves knowledge of them with a Schnorr-style (Okamoto) step:
//! it draws `d, s`, sends `delta = d (G + b U') + s H`, receives `c`, and sends
//! `z_entry = d + c a`, `z_blind = s + c rho'`. The verifier checks
//!
//! ```text
//! z_entry (G + b U') + z_blind H == delta + c P'.
//! ```
//!
//! Zero knowledge (honest verifier, perfect): every `L_k`, `R_k` and `delta` carries a
//! fresh uniform multiple of `H`, and `z_entry`, `z_blind` are uniform (masked by `d`,
//! `s`), so a simulator picks all of them uniformly and solves the final equation for
//! `delta`. With a hiding commitment nothing about `f` beyond `v` leaks. This is the
//! zero-knowledge inner-product argument of Halo (Bowe, Grigg, Hopwood 2019, section 3)
//! and of Bünz, Chiesa, Mishra, Spooner (2020), written in the inverse-free `G` folding
//! used by halo2.
//!
//! The round challenges are 128-bit and *endoscaled* as in Halo: from
//! `c = challenge_128() = c_lo + 2^64 c_hi` (two 64-bit halves), `u_k = c_lo + lambda c_hi`
//! with `lambda` the eigenvalue of BN254's `G1` endomorphism `phi(x, y) = (beta x, y)`
//! (arkworks' `GLVConfig::LAMBDA` and `ENDO_COEFFS`). The map `c -> u_k` is injective
//! (a collision would be a lattice vector shorter than the curve's GLV basis allows), so
//! the challenge space has `2^128` elements and `u_k = 0` only for `c = 0` (then both
//! sides report [`PcsError::ZeroChallenge`]). Folding a generator,
//! `u_k G = c_lo G + c_hi phi(G)`, then costs 64 doublings instead of 127, which halves
//! the prover's dominant cost (the `N` scalar multiplications of the `G` folds).
//!
//! The verifier never folds `G` round by round: the final `G` is `sum_i s_i G_i` with
//! `s_i = prod_k u_k^{bit (n-1-k) of i}`, and `b`'s final entry is, by the tensor
//! structure of `eq`, `prod_k ((1 - r_{n-1-k}) + u_k r_{n-1-k})`. The whole check is an
//! MSM over the `N` generators plus one over `2n + 4` points: `O(N)` work.
//!
//! # Transcript order
//!
//! 1. `absorb_bytes(IPA_LABEL)` (the protocol label);
//! 2. the key's identity ([`PedersenKey::absorb_into`]: label bytes, `max_len`);
//! 3. the commitment (`absorb_point`);
//! 4. the point: `absorb_u64(n)`, then its `n` coordinates;
//! 5. the value `v`;
//! 6. challenge `w` (full field element);
//! 7. for each round `k = 0..n`: `absorb_point(L_k)`, `absorb_point(R_k)`, then
//!    `challenge_128()`, endoscaled to `u_k`;
//! 8. `absorb_point(delta)`, challenge `c`;
//! 9. `absorb_field(z_entry)`, `absorb_field(z_blind)` (so the transcript binds the whole
//!    proof for whatever the caller does next).

use ark_bn254::g1::Config as Curve;
use ark_ec::{scalar_mul::glv::GLVConfig, AdditiveGroup, AffineRepr, CurveGroup};
use ark_ff::{Field, UniformRand, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use rand::RngCore;
use rayon::prelude::*;
use zkpot_core::{mle::eq_table, Backend, Fr, G1Affine, Transcript, G1};

use crate::{
    error::PcsError,
    pedersen::{Commitment, Opening, PedersenKey},
};

mod verifier;

pub use verifier::verify_eval;
use verifier::{absorb_statement, round_challenge, table_len, RoundChallenge};

/// The protocol label, the first thing the argument absorbs.
pub const IPA_LABEL: &[u8] = b"zkpot-pcs/ipa-eval/v1";

/// Entries per rayon task in the prover's folds.
const PAR_MIN: usize = 1 << 10;

/// A zero-knowledge inner-product proof of `f~(point) = value` (see the module
/// documentation): `2n + 1` points and 2 scalars for a table of `2^n` entries.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct IpaProof {
    /// `L_k` of each round `k`.
    pub l: Vec<G1Affine>,
    /// `R_k` of each round `k`.
    pub r: Vec<G1Affine>,
    /// The Schnorr-style commitment `delta = d (G + b U') + s H` of the final step.
    pub delta: G1Affine,
    /// `z_entry = d + c a`: the masked final entry of the folded table.
    pub z_entry: Fr,
    /// `z_blind = s + c rho'`: the masked final blind.
    pub z_blind: Fr,
}

impl IpaProof {
    /// The number of halving rounds (`L`, `R` pairs).
    pub fn num_rounds(&self) -> usize {
        self.l.len()
    }
}

fn inner_product(a: &[Fr], b: &[Fr]) -> Fr {
    a.par_iter()
        .with_min_len(PAR_MIN)
        .zip(b)
        .map(|(x, y)| *x * y)
        .sum()
}

/// `lo + s * hi`, entrywise.
fn fold_scalars(lo: &[Fr], hi: &[Fr], s: Fr) -> Vec<Fr> {
    lo.par_iter()
        .with_min_len(PAR_MIN)
        .zip(hi)
        .map(|(l, h)| *l + s * h)
        .collect()
}

/// Digits of the width-4 NAF of `k`, least significant first: each is 0 or odd in
/// `[-7, 7]`, and `k = sum_i d_i 2^i`. A 64-bit `k` has at most 65 digits.
fn wnaf4(k: u64) -> [i8; 66] {
    let mut digits = [0i8; 66];
    let mut k = u128::from(k);
    let mut i = 0;
    while k != 0 {
        if k & 1 == 1 {
            let window = (k & 15) as i8;
            let d = if window >= 8 { window - 16 } else { window };
            digits[i] = d;
            k = k.wrapping_sub(d as i128 as u128);
        }
        k >>= 1;
        i += 1;
    }
    digits
}

/// `phi(P) = (beta x, y)`, in Jacobian coordinates (`x = X / Z^2`, so scale `X`).
fn endomorphism(p: &G1) -> G1 {
    let mut q = *p;
    q.x *= <Curve as GLVConfig>::ENDO_COEFFS[0];
    q
}

/// Adds `digit * table` (`table` holds `P, 3P, 5P, 7P`) to `acc`.
fn add_digit(acc: &mut G1, table: &[G1; 4], digit: i8) {
    match digit {
        0 => {}
        d if d > 0 => *acc += table[(d / 2) as usize],
        d => *acc -= table[(-d / 2) as usize],
    }
}

/// `lo + u * hi` for an endoscaled `u`: a joint width-4 NAF double-and-add over the
/// 64-bit halves on `hi` and `phi(hi)`.
fn fold_point(lo: &G1Affine, hi: &G1Affine, d_lo: &[i8], d_hi: &[i8]) -> G1 {
    let p = hi.into_group();
    let p2 = p.double();
    let mut table = [p; 4];
    for i in 1..4 {
        table[i] = table[i - 1] + p2;
    }
    let table_phi = table.map(|t| endomorphism(&t));
    let mut acc = G1::zero();
    for (d1, d2) in d_lo.iter().zip(d_hi).rev() {
        acc.double_in_place();
        add_digit(&mut acc, &table, *d1);
        add_digit(&mut acc, &table_phi, *d2);
    }
    acc + lo
}

/// `lo + u * hi`, entrywise, in affine form.
fn fold_generators(lo: &[G1Affine], hi: &[G1Affine], u: &RoundChallenge) -> Vec<G1Affine> {
    let (d_lo, d_hi) = (wnaf4(u.lo), wnaf4(u.hi));
    let top = d_lo
        .iter()
        .zip(&d_hi)
        .rposition(|(a, b)| *a != 0 || *b != 0)
        .map_or(0, |i| i + 1);
    let (d_lo, d_hi) = (&d_lo[..top], &d_hi[..top]);
    let folded: Vec<G1> = lo
        .par_iter()
        .with_min_len(PAR_MIN / 8)
        .zip(hi)
        .map(|(l, h)| fold_point(l, h, d_lo, d_hi))
        .collect();
    G1::normalize_batch(&folded)
}

/// Proves `f~(point) = value` for `commitment`, which `opening` opens; returns `value`
/// (computed here) and the proof. The table must have exactly `2^point.len()` entries.
/// The opening is not checked against the commitment (that would cost an MSM); if it
/// does not open it, the proof fails to verify.
///
/// `rng` only supplies the zero-knowledge blinds (`l_k`, `r_k` per round, then `d`, `s`,
/// drawn in that order), so a seeded rng gives a deterministic proof. The transcript
/// order is in the module documentation.
pub fn prove_eval<B: Backend, T: Transcript, R: RngCore + ?Sized>(
    key: &PedersenKey,
    backend: &B,
    opening: &Opening,
    commitment: &Commitment,
    point: &[Fr],
    transcript: &mut T,
    rng: &mut R,
) -> Result<(Fr, IpaProof), PcsError> {
    let n = point.len();
    let len = table_len(key, n)?;
    if opening.table.len() != len {
        return Err(PcsError::PointLengthMismatch {
            table_len: opening.table.len(),
            point_len: n,
        });
    }
    let mut b = eq_table(point);
    let value = inner_product(&opening.table, &b);
    let w = absorb_statement(key, commitment, point, value, transcript);
    let u_gen = key.inner_product_generator().into_group() * w;
    let h = key.blinding_generator().into_group();

    let mut a = opening.table.clone();
    let mut folded_g: Vec<G1Affine> = Vec::new();
    let mut blind = opening.blind;
    let mut ls = Vec::with_capacity(n);
    let mut rs = Vec::with_capacity(n);
    for round in 0..n {
        let half = a.len() / 2;
        let g: &[G1Affine] = if round == 0 {
            &key.generators()[..len]
        } else {
            &folded_g
        };
        let (a_lo, a_hi) = a.split_at(half);
        let (b_lo, b_hi) = b.split_at(half);
        let (g_lo, g_hi) = g.split_at(half);
        let (l_blind, r_blind) = (Fr::rand(rng), Fr::rand(rng));
        let l = backend.msm(g_hi, a_lo) + u_gen * inner_product(a_lo, b_hi) + h * l_blind;
        let r = backend.msm(g_lo, a_hi) + u_gen * inner_product(a_hi, b_lo) + h * r_blind;
        let (l, r) = (l.into_affine(), r.into_affine());
        transcript.absorb_point(&l);
        transcript.absorb_point(&r);
        let challenge = round_challenge(transcript);
        let u = challenge.u;
        let u_inv = u.inverse().ok_or(PcsError::ZeroChallenge { round })?;
        let next_g = fold_generators(g_lo, g_hi, &challenge);
        a = fold_scalars(a_lo, a_hi, u_inv);
        b = fold_scalars(b_lo, b_hi, u);
        folded_g = next_g;
        blind += u * l_blind + u_inv * r_blind;
        ls.push(l);
        rs.push(r);
    }

    let g_final = if n == 0 {
        key.generators()[0]
    } else {
        folded_g[0]
    };
    let (d, s) = (Fr::rand(rng), Fr::rand(rng));
    let delta = ((g_final.into_group() + u_gen * b[0]) * d + h * s).into_affine();
    transcript.absorb_point(&delta);
    let c = transcript.challenge();
    let z_entry = d + c * a[0];
    let z_blind = s + c * blind;
    transcript.absorb_field(&z_entry);
    transcript.absorb_field(&z_blind);
    Ok((
        value,
        IpaProof {
            l: ls,
            r: rs,
            delta,
            z_entry,
            z_blind,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::verifier::fold_coefficients;
    use super::*;
    use ark_ff::One;
    use ark_ff::UniformRand;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;
    use zkpot_core::{CpuBackend, PoseidonTranscript};

    /// The verifier's closed forms agree with folding explicitly.
    #[test]
    fn closed_forms_match_explicit_folding() {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        for n in 0..6 {
            let point: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
            let us: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
            let mut b = eq_table(&point);
            let mut unit: Vec<Vec<Fr>> = (0..1 << n)
                .map(|i| (0..1 << n).map(|j| Fr::from(u64::from(i == j))).collect())
                .collect();
            for u in &us {
                let half = b.len() / 2;
                b = fold_scalars(&b[..half], &b[half..], *u);
                for e in unit.iter_mut() {
                    *e = fold_scalars(&e[..half], &e[half..], *u);
                }
            }
            let b_final: Fr = us
                .iter()
                .zip(point.iter().rev())
                .map(|(u, r)| Fr::one() - r + *u * r)
                .product();
            assert_eq!(b, vec![b_final]);
            let s = fold_coefficients(&us);
            let explicit: Vec<Fr> = unit.iter().map(|e| e[0]).collect();
            assert_eq!(s, explicit);
        }
    }

    #[test]
    fn endoscaling_matches_scalar_multiplication() {
        use ark_ec::PrimeGroup;
        let g = G1::generator();
        assert_eq!(endomorphism(&g), g * <Curve as GLVConfig>::LAMBDA);
        let key = PedersenKey::setup(b"unit", 8);
        let gens = key.generators();
        let mut t = PoseidonTranscript::new(b"endo");
        for k in [
            0u64,
            1,
            7,
            8,
            15,
            16,
            0x5555,
            u64::MAX,
            u64::MAX - 7,
            1 << 63,
        ] {
            let digits = wnaf4(k);
            let back = digits
                .iter()
                .rev()
                .fold(0i128, |acc, d| 2 * acc + i128::from(*d));
            assert_eq!(back, i128::from(k));
            assert!(digits
                .iter()
                .all(|d| *d == 0 || (d % 2 != 0 && d.abs() <= 7)));
        }
        for (lo, hi) in [
            (0u64, 0u64),
            (1, 0),
            (0, 1),
            (u64::MAX, u64::MAX),
            (12345, 1 << 40),
        ] {
            let ch = RoundChallenge {
                lo,
                hi,
                u: Fr::from(lo) + <Curve as GLVConfig>::LAMBDA * Fr::from(hi),
            };
            let folded = fold_generators(&gens[..4], &gens[4..], &ch);
            for i in 0..4 {
                assert_eq!(folded[i], (gens[i] + gens[4 + i] * ch.u).into_affine());
            }
        }
        for _ in 0..8 {
            let ch = round_challenge(&mut t);
            let folded = fold_generators(&gens[..4], &gens[4..], &ch);
            assert_eq!(folded[0], (gens[0] + gens[4] * ch.u).into_affine());
        }
    }

    #[test]
    fn prove_rejects_bad_shapes() {
        let key = PedersenKey::setup(b"unit", 8);
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let opening = Opening {
            table: vec![Fr::one(); 4],
            blind: Fr::zero(),
        };
        let c = crate::pedersen::commit(&key, &CpuBackend, &opening.table, opening.blind).unwrap();
        let mut t = PoseidonTranscript::new(b"t");
        let point = vec![Fr::one(); 3];
        assert_eq!(
            prove_eval(&key, &CpuBackend, &opening, &c, &point, &mut t, &mut rng),
            Err(PcsError::PointLengthMismatch {
                table_len: 4,
                point_len: 3
            })
        );
        let point = vec![Fr::one(); 4];
        assert_eq!(
            prove_eval(&key, &CpuBackend, &opening, &c, &point, &mut t, &mut rng),
            Err(PcsError::KeyTooShort {
                needed: 16,
                available: 8
            })
        );
        let huge = vec![Fr::one(); 200];
        let proof = IpaProof {
            l: vec![],
            r: vec![],
            delta: G1Affine::zero(),
            z_entry: Fr::zero(),
            z_blind: Fr::zero(),
        };
        assert!(matches!(
            verify_eval(&key, &c, &huge, Fr::zero(), &proof, &mut t),
            Err(PcsError::KeyTooShort { .. })
        ));
    }
}
