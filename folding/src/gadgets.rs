//! `G1` points in the step circuit: allocation as sonobe's emulated affine points
//! ([`G1Var`]) and conversion to and from zkpot's canonical four-limb encoding
//! ([`zkpot_core::point_to_fields`]: `[x_lo, x_hi, y_lo, y_hi]`, 128-bit limbs, the point at
//! infinity as four zeros), which is what transcripts absorb and states carry.
//!
//! # Limbs and bounds
//!
//! sonobe's `EmulatedFieldVar<Fr, Fq>` holds a coordinate as eight 32-bit limbs (the last
//! one 30 bits). Allocating it (`AllocVar`, any mode) allocates the 254 bits of the value as
//! `Boolean`s, builds each limb from its 32 bits, and enforces `0 <= value < q`: so each
//! limb is range-bounded by construction and the coordinate is canonical. A 128-bit limb of
//! ours is the linear combination of four of those limbs ([`point_limbs`]). sonobe keeps the
//! limbs private, so [`point_limbs`] re-allocates them as witnesses and ties them to the
//! point's own limbs with one equality per limb (16 constraints per point).
//!
//! # The point at infinity
//!
//! sonobe allocates the point at infinity as the coordinates `(0, 0)`, and reads `(0, 0)` back
//! as infinity; `point_to_fields` encodes it as four zeros; the CycleFold circuit exposes an
//! infinite result as `(0, 0)` too. All three agree, and `(0, 0)` is not on `y^2 = x^3 + 3`,
//! so the encoding is unambiguous.
//!
//! # On-curve checks
//!
//! Allocation does **not** check that `(x, y)` is on the curve. Every point that enters a
//! point operation ([`crate::PointOpVar`]) is checked by the CycleFold circuit, whose point
//! allocation enforces the curve equation (see [`crate::ivc::cyclefold`]). A point that
//! never enters an operation is not checked by this crate.

use ark_ff::{BigInteger, PrimeField, Zero};
use ark_r1cs_std::{
    alloc::AllocVar,
    eq::EqGadget,
    fields::{fp::FpVar, FieldVar},
    GR1CSVar,
};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use num_bigint::{BigInt, BigUint};
use sonobe::primitives::{
    algebra::{
        field::emulated::{Bounds, EmulatedFieldVar, LimbedVar},
        group::emulated::EmulatedAffineVar,
    },
    traits::SonobeField,
};
use zkpot_core::{Fq, Fr, G1Affine, G1};

/// A `G1` point in the step circuit: sonobe's emulated affine point over `Fr`.
pub type G1Var = EmulatedAffineVar<Fr, G1>;

/// Bits per limb of sonobe's emulated field elements.
const SONOBE_LIMB_BITS: usize = <Fr as SonobeField>::BITS_PER_LIMB;
/// Bits per limb of the canonical encoding.
const LIMB_BITS: usize = 128;
/// sonobe limbs per canonical limb.
const SUBLIMBS: usize = LIMB_BITS / SONOBE_LIMB_BITS;
/// sonobe limbs per coordinate.
const COORDINATE_LIMBS: usize = 2 * SUBLIMBS;

/// Allocates a `G1` point as a witness, **without** an on-curve check (see the module docs).
///
/// `value` is not called in setup mode (key generation), where it may read variables'
/// values freely in prover mode. (sonobe's `EmulatedAffineVar` asks for its value even in
/// setup mode; this wrapper gives it a dummy there.)
pub fn alloc_point(
    cs: ConstraintSystemRef<Fr>,
    value: impl FnOnce() -> Result<G1Affine, SynthesisError>,
) -> Result<G1Var, SynthesisError> {
    let setup = cs.is_in_setup_mode();
    G1Var::new_witness(cs, || {
        if setup {
            Ok(G1::default())
        } else {
            value().map(G1::from)
        }
    })
}

/// The four canonical limbs `[x_lo, x_hi, y_lo, y_hi]` of `p`, as linear combinations of
/// its own range-checked limbs (so `x_lo, y_lo < 2^128` and `x_hi, y_hi < 2^126`); their
/// values are [`zkpot_core::point_to_fields`] of `p`'s value.
///
/// `p` must have been allocated through `AllocVar` (as [`alloc_point`] and sonobe do); a
/// point with other limb bounds (for example the result of emulated arithmetic) gives
/// `SynthesisError::Unsatisfiable`.
pub fn point_limbs(p: &G1Var) -> Result<[FpVar<Fr>; 4], SynthesisError> {
    let [x_lo, x_hi] = coordinate_limbs(&p.x)?;
    let [y_lo, y_hi] = coordinate_limbs(&p.y)?;
    Ok([x_lo, x_hi, y_lo, y_hi])
}

/// Enforces that `limbs` is the canonical encoding of `p` (16 + 4 constraints).
pub fn enforce_point_limbs(p: &G1Var, limbs: &[FpVar<Fr>; 4]) -> Result<(), SynthesisError> {
    point_limbs(p)?.as_slice().enforce_equal(limbs.as_slice())
}

/// Allocates the point whose canonical encoding is `limbs` (a witness, hinted from the
/// limbs' values) and enforces the encoding. In prover mode, limbs that encode no point of
/// `G1` give `SynthesisError::Unsatisfiable`.
pub fn point_from_limbs(
    cs: ConstraintSystemRef<Fr>,
    limbs: &[FpVar<Fr>; 4],
) -> Result<G1Var, SynthesisError> {
    let p = alloc_point(cs, || {
        // (The slice's `value`: arkworks' array `value` unwraps.)
        let values: [Fr; 4] = limbs
            .as_slice()
            .value()?
            .try_into()
            .map_err(|_| SynthesisError::Unsatisfiable)?;
        point_from_fields(&values).ok_or(SynthesisError::Unsatisfiable)
    })?;
    enforce_point_limbs(&p, limbs)?;
    Ok(p)
}

/// The inverse of [`zkpot_core::point_to_fields`]: the point encoded by
/// `[x_lo, x_hi, y_lo, y_hi]`, or `None` if a limb is out of range (`>= 2^128`), a
/// coordinate is not below the base-field modulus, or `(x, y)` is not on the curve. Four
/// zeros decode to the point at infinity.
pub fn point_from_fields(limbs: &[Fr; 4]) -> Option<G1Affine> {
    let x = coordinate_from_limbs(&limbs[0], &limbs[1])?;
    let y = coordinate_from_limbs(&limbs[2], &limbs[3])?;
    if x.is_zero() && y.is_zero() {
        return Some(G1Affine::identity());
    }
    let p = G1Affine::new_unchecked(x, y);
    // BN254 `G1` has cofactor 1: every point on the curve is in the group.
    p.is_on_curve().then_some(p)
}

/// `lo + 2^128 hi` as a base-field element, if both limbs are below `2^128` and the sum is
/// below the modulus.
fn coordinate_from_limbs(lo: &Fr, hi: &Fr) -> Option<Fq> {
    let lo = lo.into_bigint();
    let hi = hi.into_bigint();
    if lo.num_bits() > 128 || hi.num_bits() > 128 {
        return None;
    }
    let v = <Fq as PrimeField>::BigInt::new([lo.0[0], lo.0[1], hi.0[0], hi.0[1]]);
    Fq::from_bigint(v)
}

/// The canonical bounds sonobe gives the limbs of an allocated `Fq` coordinate: all limbs
/// in `[0, 2^32 - 1]`, the top one in `[0, ceil((q - 1) / 2^224)]`.
fn coordinate_bounds() -> Vec<Bounds> {
    let ub = BigInt::from(BigUint::from(Fq::MODULUS)) - BigInt::from(1u8);
    let bits = ub.bits() as usize;
    let full = bits / SONOBE_LIMB_BITS;
    let rem = bits % SONOBE_LIMB_BITS;
    let limb_max = (BigInt::from(1u8) << SONOBE_LIMB_BITS) - BigInt::from(1u8);
    let mut bounds = vec![Bounds(BigInt::zero(), limb_max); full];
    if rem != 0 {
        let d = BigInt::from(1u8) << (bits - rem);
        let top = (&ub + &d - BigInt::from(1u8)) / &d;
        bounds.push(Bounds(BigInt::zero(), top));
    }
    bounds
}

/// The 32-bit limbs of a base-field element, least significant first.
fn sonobe_limbs(v: &Fq) -> Vec<Fr> {
    let words = v.into_bigint().0;
    (0..COORDINATE_LIMBS)
        .map(|j| {
            let word = words[j / 2];
            Fr::from((word >> (SONOBE_LIMB_BITS * (j % 2))) & 0xffff_ffff)
        })
        .collect()
}

/// The two 128-bit limbs `[lo, hi]` of an emulated coordinate (see [`point_limbs`]).
fn coordinate_limbs(c: &EmulatedFieldVar<Fr, Fq>) -> Result<[FpVar<Fr>; 2], SynthesisError> {
    let bounds = coordinate_bounds();
    if bounds.len() != COORDINATE_LIMBS {
        return Err(SynthesisError::Unsatisfiable);
    }
    // Re-allocate the limbs (constants if `c` is a constant) and tie them to `c`'s own
    // limbs: `enforce_equal` compares limb by limb and refuses different bounds.
    let cs = c.cs();
    let setup = cs.is_in_setup_mode();
    let limbs = Vec::<FpVar<Fr>>::new_variable_with_inferred_mode(cs, || {
        if setup {
            // Vectors are allocated eagerly (their length), even in setup mode.
            Ok(vec![Fr::zero(); COORDINATE_LIMBS])
        } else {
            c.value().map(|v| sonobe_limbs(&v))
        }
    })?;
    LimbedVar::<Fr, Fq, true>::new(limbs.clone(), bounds).enforce_equal(c)?;

    let shift = Fr::from(1u64 << SONOBE_LIMB_BITS);
    let combine = |chunk: &[FpVar<Fr>]| {
        chunk
            .iter()
            .rev()
            .fold(FpVar::<Fr>::zero(), |acc, limb| acc * shift + limb)
    };
    Ok([combine(&limbs[..SUBLIMBS]), combine(&limbs[SUBLIMBS..])])
}
