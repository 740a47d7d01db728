//! HyperKZG: hiding multilinear commitments on a universal powers-of-tau SRS, with
//! zero-knowledge evaluation proofs checked by one two-pairing product.
//!
//! # Commitments
//!
//! A table `f` of `N <= 2^p` entries (in the variable order of [`zkpot_core::mle`]:
//! variable 0 is the least significant index bit) is read as the coefficients of the
//! univariate polynomial `f(X) = sum_i f_i X^i`, and committed to as
//!
//! ```text
//! C = sum_i f_i [tau^i]_1 + rho * H = [f(tau)]_1 + rho * H
//! ```
//!
//! with the SRS's powers ([`crate::srs`]) and `H` hashed to the curve
//! ([`BLINDING_LABEL`], the Pedersen derivation of [`crate::pedersen`]), so that nobody
//! knows its discrete logarithm with respect to the SRS. With a uniform blind `rho` the
//! commitment is a uniform point whatever `f` is (perfectly hiding); it is binding as
//! long as `tau` is unknown (a ceremony SRS). A shorter table is the same commitment as
//! its zero padding, and `C` is linear in `(f, rho)`, so claims aggregate
//! ([`Aggregatable`]) exactly as for Pedersen. Tables of
//! bits and 16-bit limbs go through the backend's small-scalar MSM.
//!
//! # Evaluation proof (Gemini folding, KZG openings, masked for zero knowledge)
//!
//! The claim is `f~(x) = v` for the multilinear extension `f~` and a point `x` of `n`
//! coordinates (`f` has exactly `2^n` entries). It rests on Gemini's observation (Bootle,
//! Chiesa, Guan, Liu, Lu: "Gemini: elastic SNARKs for diverse environments", EUROCRYPT
//! 2022, ePrint 2022/420): writing `P(X) = P_e(X^2) + X P_o(X^2)`, fixing variable 0 of
//! the table to `x_0` is the polynomial `(1 - x_0) P_e(Y) + x_0 P_o(Y)`, so
//!
//! ```text
//! P_0 = f,   P_{j+1}(Y) = (1 - x_j) P_{j,e}(Y) + x_j P_{j,o}(Y),   P_n = f~(x),
//! P_{j+1}(b^2) = (1 - x_j) (P_j(b) + P_j(-b)) / 2 + x_j (P_j(b) - P_j(-b)) / (2b).
//! ```
//!
//! HyperKZG (Kattis, Setty et al., microsoft/Nova's `provider::hyperkzg`) checks the
//! folds by opening every `P_j` at `b`, `-b` and `b^2` for a random `b`, the openings
//! batched into three KZG quotients and one pairing check. Ours:
//!
//! 1. **Mask** (zero knowledge). The prover samples a uniform table `g` of `2^n` entries
//!    and a blind `rho_g`, and sends `C_g = Com(g; rho_g)` and `v_g = g~(x)`. On the
//!    challenge `alpha` (nonzero) both sides move to `h = f + alpha g`, whose commitment
//!    `C + alpha C_g` and value `v + alpha v_g` they both know; the prover sends the
//!    combined blind `rho_h = rho + alpha rho_g`, so that `C_h = C + alpha C_g - rho_h H =
//!    [h(tau)]_1` is an ordinary (non-hiding) KZG commitment, and proves `h~(x) = v_h`
//!    without further masking.
//! 2. **Folds.** `P_0 = h`; the prover sends `C_j = [P_j(tau)]_1` for `j = 1..n-1`
//!    (`P_n` is the constant `v_h`, never committed).
//! 3. On the challenge `b` (nonzero) it sends `P_j(b)` and `P_j(-b)` for `j = 0..n-1`.
//!    The verifier computes `y_{j+1} = P_{j+1}(b^2)` by the fold identity above and
//!    requires `y_n = v_h`; the values at `b^2` are never sent.
//! 4. On the challenge `q` both sides batch `B = sum_{j<n} q^j P_j` (opened at `b` and
//!    `-b`) and `B' = sum_{1<=j<n} q^j P_j` (opened at `b^2`: `P_0` is not). The prover
//!    sends the three KZG quotients `W_0 = [(B - B(b))/(X - b)]`, `W_1` likewise at `-b`,
//!    and `W_2 = [(B' - B'(b^2))/(X - b^2)]`.
//! 5. On the challenge `d` the verifier checks the three openings at once,
//!    `e(L, [1]_2) = e(R, [tau]_2)` with `R = W_0 + d W_1 + d^2 W_2` and
//!    `L = (C_B - B(b) G + b W_0) + d (C_B - B(-b) G - b W_1) + d^2 (C_B' - B'(b^2) G +
//!    b^2 W_2)`: one MSM of `n + 6` points and two Miller loops, whatever the table size.
//!
//! For `n = 0` (a table of one entry) there is nothing to fold: the proof carries only
//! the mask, and the verifier checks `C_h = v_h G`.
//!
//! **Soundness.** Step 1 is a random linear combination: a false `f~(x) = v` makes
//! `h~(x) = v_h` false for all but one `alpha`. Steps 2 to 5 are HyperKZG's argument, sound
//! in the algebraic group model under the `q`-DLOG assumption for a ceremony SRS; the
//! folds are tied to `h` by `C_h` and to each other by the identity at `b^2`, which a
//! wrong fold satisfies only for few `b`.
//!
//! **Zero knowledge** (honest verifier, in the random oracle model). What the verifier
//! sees about `f`: `C_g`, `v_g`, `rho_h`, and then commitments, evaluations and quotients
//! that are all functions of `h` alone. Since `g` is uniform and independent of `f`,
//! for `alpha != 0` the table `h = f + alpha g` is uniform among the tables with
//! `h~(x) = v + alpha v_g`, and `v_g = g~(x)` is uniform; `rho_h` is uniform (masked by
//! `alpha rho_g`). A simulator knowing only `(C, x, v)` picks `v_g`, `alpha`, `rho_h`
//! uniformly, samples `h` uniform with `h~(x) = v + alpha v_g`, sets
//! `C_g = (Com(h; rho_h) - C) / alpha` (a uniform point, as in the real proof) and runs
//! steps 2 to 5 honestly on `h`, programming the challenges: the transcript is
//! identically distributed. So each message leaks nothing: `C_g` is a hiding commitment,
//! `v_g` and `rho_h` are uniform masks, and the rest is computed from a table distributed
//! independently of `f` given `v`. This is the masking technique of zero-knowledge
//! sumcheck arguments (Chiesa, Forbes, Spooner 2017; Libra, ePrint 2019/317, applied to
//! the whole table) rather than Zeromorph's degree-check masking (Kohrita, Towa, ePrint
//! 2023/917, section 6), chosen because it reuses the plain HyperKZG argument unchanged;
//! its price is one MSM of `2^n` full scalars for `C_g`.
//!
//! # Transcript order
//!
//! 1. `absorb_bytes(KZG_LABEL)`; the verifier key's identity ([`KzgVerifierKey::absorb_into`]:
//!    the SRS digest and power);
//! 2. the commitment, `absorb_u64(n)`, the point, the value;
//! 3. `C_g`, `v_g`; challenge `alpha`; `rho_h`;
//! 4. `C_1, ..., C_{n-1}`; challenge `b`;
//! 5. `P_j(b)` then `P_j(-b)` for `j = 0..n-1`; challenge `q`;
//! 6. `W_0, W_1, W_2`; challenge `d` (squeezed by prover and verifier alike, so both
//!    leave the transcript in the same state).

mod proof;
mod prover;
mod verifier;

use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::Zero;
use rand::RngCore;
use zkpot_core::{Backend, Fr, G1Affine, Transcript};

pub use self::proof::KzgProof;
use crate::{
    error::PcsError,
    pedersen::{hash_to_curve, msm_segments, Commitment, Opening, TAG_BLINDING},
    srs::Srs,
    traits::{Aggregatable, CommitmentScheme, Segment},
};

/// The label absorbed first by every HyperKZG evaluation proof.
pub const KZG_LABEL: &[u8] = b"zkpot-pcs/hyperkzg/v1";

/// The label from which the blinding generator `H` is hashed to the curve.
pub const BLINDING_LABEL: &[u8] = b"zkpot-pcs/hyperkzg/blinding";

/// The blinding generator `H` of every HyperKZG key.
pub fn blinding_generator() -> G1Affine {
    hash_to_curve(BLINDING_LABEL, TAG_BLINDING, 0)
}

/// HyperKZG's prover key: the SRS (its `G1` powers are the commitment bases) and the
/// blinding generator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KzgKey {
    srs: Srs,
    verifier: KzgVerifierKey,
}

impl KzgKey {
    /// The key of `srs`: it commits to tables of up to `2^srs.power()` entries.
    pub fn new(srs: Srs) -> KzgKey {
        let verifier = KzgVerifierKey {
            g1: srs
                .g1_powers()
                .first()
                .copied()
                .unwrap_or_else(G1Affine::generator),
            blinding: blinding_generator(),
            g2: srs.g2(),
            tau_g2: srs.tau_g2(),
            power: srs.power(),
            srs_digest: srs.digest(),
        };
        KzgKey { srs, verifier }
    }

    /// The SRS.
    pub fn srs(&self) -> &Srs {
        &self.srs
    }

    /// The longest table this key commits to (`2^power`).
    pub fn max_len(&self) -> usize {
        self.srs.g1_powers().len()
    }

    /// What a verifier needs (a few points, whatever the size).
    pub fn verifier_key(&self) -> &KzgVerifierKey {
        &self.verifier
    }

    /// The commitment bases `[tau^i]_1`.
    fn bases(&self) -> &[G1Affine] {
        self.srs.g1_powers()
    }

    /// Errors unless the key commits to tables of `len` entries.
    fn fits(&self, len: usize) -> Result<(), PcsError> {
        if len > self.max_len() {
            return Err(PcsError::KeyTooShort {
                needed: len,
                available: self.max_len(),
            });
        }
        Ok(())
    }

    /// `[P(tau)]_1` for the coefficients `coeffs` (no blind).
    fn commit_plain<B: Backend>(&self, backend: &B, coeffs: &[Fr]) -> Result<G1Affine, PcsError> {
        self.fits(coeffs.len())?;
        Ok(backend
            .msm(&self.bases()[..coeffs.len()], coeffs)
            .into_affine())
    }

    /// `point + blind * H` (the blind skipped when zero).
    fn with_blind(&self, point: zkpot_core::G1, blind: Fr) -> Commitment {
        let point = if blind.is_zero() {
            point
        } else {
            point + self.verifier.blinding.into_group() * blind
        };
        Commitment(point.into_affine())
    }
}

/// HyperKZG's verifier key: `[1]_1`, `H`, `[1]_2`, `[tau]_2` and the SRS's identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KzgVerifierKey {
    g1: G1Affine,
    blinding: G1Affine,
    g2: ark_bn254::G2Affine,
    tau_g2: ark_bn254::G2Affine,
    power: u32,
    srs_digest: [u8; 32],
}

impl KzgVerifierKey {
    /// The SRS's power: proofs for points of at most this many coordinates.
    pub fn power(&self) -> u32 {
        self.power
    }

    /// The SRS's digest ([`Srs::digest`]).
    pub fn srs_digest(&self) -> [u8; 32] {
        self.srs_digest
    }

    /// Absorbs the key's identity: the SRS digest (as bytes) and the power. A proof made
    /// against another SRS is checked on another transcript, and fails.
    pub fn absorb_into<T: Transcript>(&self, t: &mut T) {
        t.absorb_bytes(&self.srs_digest);
        t.absorb_u64(u64::from(self.power));
    }
}

/// HyperKZG over BN254 ([module documentation](self)): the [`CommitmentScheme`] whose
/// verifier does two pairings whatever the table size, on a universal SRS, and
/// [`Aggregatable`] like every scheme of `G1` commitments linear in the table and the
/// blind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HyperKzg;

impl CommitmentScheme for HyperKzg {
    type ProverKey = KzgKey;
    type VerifierKey = KzgVerifierKey;
    type Commitment = Commitment;
    type Blind = Fr;
    type EvalProof = KzgProof;

    fn max_len(key: &KzgKey) -> usize {
        key.max_len()
    }

    fn random_blind<R: RngCore + ?Sized>(rng: &mut R) -> Fr {
        crate::pedersen::random_blind(rng)
    }

    fn commit_segments<B: Backend>(
        key: &KzgKey,
        backend: &B,
        segments: &[Segment<'_>],
        blind: Fr,
    ) -> Result<Commitment, PcsError> {
        let point = msm_segments(backend, key.bases(), segments)?;
        Ok(key.with_blind(point, blind))
    }

    fn open<B: Backend, T: Transcript, R: RngCore + ?Sized>(
        key: &KzgKey,
        backend: &B,
        opening: &Opening,
        commitment: &Commitment,
        point: &[Fr],
        transcript: &mut T,
        rng: &mut R,
    ) -> Result<(Fr, KzgProof), PcsError> {
        prover::open(key, backend, opening, commitment, point, transcript, rng)
    }

    fn verify<T: Transcript>(
        key: &KzgVerifierKey,
        commitment: &Commitment,
        point: &[Fr],
        value: Fr,
        proof: &KzgProof,
        transcript: &mut T,
    ) -> Result<(), PcsError> {
        verifier::verify(key, commitment, point, value, proof, transcript)
    }
}

impl Aggregatable for HyperKzg {}

/// Absorbs the statement of an evaluation proof (transcript steps 1 and 2).
fn absorb_statement<T: Transcript>(
    key: &KzgVerifierKey,
    commitment: &Commitment,
    point: &[Fr],
    value: Fr,
    t: &mut T,
) {
    t.absorb_bytes(KZG_LABEL);
    key.absorb_into(t);
    commitment.absorb_into(t);
    t.absorb_u64(point.len() as u64);
    t.absorb_fields(point);
    t.absorb_field(&value);
}

/// A challenge that must be invertible (`round` names it in the error).
fn nonzero_challenge<T: Transcript>(t: &mut T, round: usize) -> Result<Fr, PcsError> {
    let c = t.challenge();
    if c.is_zero() {
        return Err(PcsError::ZeroChallenge { round });
    }
    Ok(c)
}
