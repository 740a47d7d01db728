//! The step-circuit interface of our IVC: [`StepCircuit`] maps `(i, z_i, external inputs)`
//! to `z_{i+1}` and a fixed number of point operations [`PointOpVar`], each of which the
//! compiler proves with one extra CycleFold instance.

use ark_ec::CurveGroup;
use ark_ff::{BigInteger, PrimeField};
use ark_r1cs_std::{boolean::Boolean, fields::fp::FpVar, GR1CSVar};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use zkpot_core::{Fr, G1Affine};

use crate::gadgets::G1Var;

/// The number of bits of `rho` in a point operation `P2 = P0 + rho * P1`: the challenge
/// length of Nova's CycleFold circuit, whose R1CS every operation reuses.
pub const RHO_BITS: usize = 128;

/// One step of an incrementally verified computation over BN254 `Fr`, which may ask for
/// elliptic-curve operations `P2 = P0 + rho * P1` on BN254 `G1`.
///
/// The compiler allocates `i` and the current state `z_i`; the step circuit allocates its
/// external inputs itself (they are bound to nothing unless it hashes or constrains them),
/// returns the next state and exactly [`StepCircuit::num_ops`] point operations. It must
/// compute `P2` as a hinted witness (for instance with [`crate::alloc_point`]) and
/// **not** constrain it: the compiler ties `[rho, P0, P1, P2]` to the public inputs of one
/// extra CycleFold instance per operation, whose circuit enforces `P2 = P0 + rho * P1` and
/// that `P0` and `P1` are on the curve (or the point at infinity).
///
/// The number of constraints and their shape must not depend on the values (the same R1CS
/// for every step, synthesized once with [`StepCircuit::dummy_external_inputs`] at key
/// generation). The compiler does not check that the step circuit is satisfied while
/// proving: a broken step proves, and only verification fails. Test every step circuit on a
/// plain `ConstraintSystem` (`is_satisfied`) first.
pub trait StepCircuit {
    /// What one step consumes besides the state (prover data).
    type ExternalInputs: Clone;

    /// The number of field elements of the state `z_i`.
    fn state_len(&self) -> usize;

    /// The number of point operations every step asks for.
    fn num_ops(&self) -> usize;

    /// External inputs of the right shape for key generation (values are not used);
    /// `None` for a circuit built without them (keys loaded from a cache), which cannot
    /// generate keys.
    fn dummy_external_inputs(&self) -> Option<Self::ExternalInputs>;

    /// Synthesizes step `i`: from the state `z_i` (`state_len` variables) and `ext`, the
    /// next state (`state_len` variables) and the point operations (`num_ops`).
    #[allow(clippy::type_complexity)]
    fn generate_step_constraints(
        &self,
        cs: ConstraintSystemRef<Fr>,
        i: &FpVar<Fr>,
        z_i: &[FpVar<Fr>],
        ext: &Self::ExternalInputs,
    ) -> Result<(Vec<FpVar<Fr>>, Vec<PointOpVar>), SynthesisError>;
}

/// A point operation `p2 = p0 + rho * p1` requested by a step circuit.
///
/// `rho` is given by its [`RHO_BITS`] little-endian bits (each a constrained `Boolean`, e.g.
/// from `TranscriptVar::challenge_128`); the points are emulated affine `G1` points (the
/// point at infinity is `(0, 0)`). `p2` is a hint: the compiler proves the relation.
///
/// The points must be canonical emulated points: allocated through `AllocVar` (as
/// [`crate::alloc_point`], [`crate::point_from_limbs`] and sonobe do), which range-checks
/// every limb and each coordinate below `q`. The CycleFold instance fixes a coordinate only
/// modulo `q`, so a hand-built `LimbedVar` with unchecked limbs would not be tied to a
/// unique point.
#[derive(Clone, Debug)]
pub struct PointOpVar {
    /// `rho`, little-endian, exactly [`RHO_BITS`] bits.
    pub rho_bits: Vec<Boolean<Fr>>,
    /// The point added to.
    pub p0: G1Var,
    /// The point scaled by `rho`.
    pub p1: G1Var,
    /// The claimed result `p0 + rho * p1`.
    pub p2: G1Var,
}

/// The values of a [`PointOpVar`], read from a synthesized step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PointOp {
    /// `rho`, little-endian bits.
    pub rho_bits: Vec<bool>,
    /// `P0`.
    pub p0: G1Affine,
    /// `P1`.
    pub p1: G1Affine,
    /// The claimed `P2`.
    pub p2: G1Affine,
}

impl PointOpVar {
    /// The assigned values (prover mode only).
    pub(crate) fn value(&self) -> Result<PointOp, SynthesisError> {
        Ok(PointOp {
            rho_bits: self.rho_bits.value()?,
            p0: self.p0.value()?.into_affine(),
            p1: self.p1.value()?.into_affine(),
            p2: self.p2.value()?.into_affine(),
        })
    }
}

impl PointOp {
    /// `rho` as a scalar.
    pub(crate) fn rho(&self) -> Fr {
        Fr::from(<Fr as PrimeField>::BigInt::from_bits_le(&self.rho_bits))
    }
}
