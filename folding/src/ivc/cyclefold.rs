//! The CycleFold circuit of a point operation `P2 = P0 + rho * P1` (BN254 `G1`, 128-bit
//! `rho`), over BN254 `Fq`, and the native construction of its instances.
//!
//! # Shape
//!
//! Nova's own CycleFold circuit (sonobe's `NovaCycleFoldCircuit`, which checks the folded
//! commitments `U.cm + rho * u.cm`) proves exactly this relation: public inputs
//! `[rho, P0.x, P0.y, P1.x, P1.y, P2.x, P2.y]` with `P2 = P0 + rho * P1`. Its type has
//! private fields and no constructor, so [`PointOpCircuit`] synthesizes the same gadget
//! calls in the same order; key generation compares the two R1CS matrix by matrix
//! ([`cyclefold_r1cs`]) and refuses to continue if they differ. All instances, Nova's and
//! ours, are then instances of one R1CS and fold into the one running CycleFold instance.
//!
//! # On-curve checks
//!
//! `P0` and `P1` are allocated as witnesses with arkworks' `ProjectiveVar::new_witness`,
//! which enforces the projective curve equation `Z (Y^2 - b Z^2) = X (X^2 + a Z^2)` for
//! every allocated point (BN254 `G1` has cofactor 1, so on the curve means in the group).
//! Their public inputs are the affine coordinates of the allocated points (`(0, 0)` for
//! infinity). So for every folded operation instance the CycleFold relation itself
//! guarantees that `P0` and `P1` are on the curve or infinity, and `P2` is computed from
//! them. **This is where the on-curve checks of every point that enters a point operation
//! are enforced**; the step circuit's emulated points (`G1Var`) are tied to these public
//! inputs by the augmented circuit and need no check of their own.

use ark_ec::AffineRepr;
use ark_r1cs_std::{alloc::AllocVar, fields::fp::FpVar, groups::CurveVar};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use ark_std::rand::RngCore;
use sonobe::{
    ivc::compilers::cyclefold::{circuits::CycleFoldCircuit, FoldingSchemeCycleFoldExt},
    primitives::{
        algebra::{
            ops::bits::{FromBits, ToBitsGadgetExt},
            Val,
        },
        arithmetizations::{r1cs::R1CS, Arith},
        circuits::{ArithExtractor, AssignmentsExtractor, AssignmentsOwned, WitnessToPublic},
        relations::WitnessInstanceSampler,
    },
};
use zkpot_core::{Fq, G1};

use super::{Dk2, Fs1, Iu2, Iw2};
use crate::{error::Error, ivc::circuit::PointOp, RHO_BITS};

/// The CycleFold circuit of one point operation: public `rho` (checked to be below
/// `2^128`), witnesses `P0`, `P1` (on-curve checked), public `P0`, `P1` and
/// `P2 = P0 + rho * P1` as affine coordinates.
#[derive(Clone, Debug)]
pub struct PointOpCircuit {
    rho_bits: Vec<bool>,
    points: [G1; 2],
}

impl Default for PointOpCircuit {
    fn default() -> Self {
        Self {
            rho_bits: vec![false; RHO_BITS],
            points: [G1::default(); 2],
        }
    }
}

impl PointOpCircuit {
    /// The circuit of the operation `op`.
    pub(crate) fn new(op: &PointOp) -> Self {
        Self {
            rho_bits: op.rho_bits.clone(),
            points: [op.p0.into_group(), op.p1.into_group()],
        }
    }
}

impl CycleFoldCircuit<Fq> for PointOpCircuit {
    fn verify_point_rlc(&self, cs: ConstraintSystemRef<Fq>) -> Result<(), SynthesisError> {
        // The same gadget calls, in the same order, as Nova's CycleFold circuit.
        let rho = FpVar::<Fq>::new_input(cs.clone(), || Ok(Fq::from_bits_le(&self.rho_bits)))?;
        let rho_bits = rho.to_n_bits_le(RHO_BITS)?;
        // `new_witness` of a `ProjectiveVar` enforces the curve equation (module docs).
        let points = Vec::<<G1 as Val>::Var>::new_witness(cs, || Ok(&self.points[..]))?;
        points.mark_as_public()?;
        let [p0, p1] = points.as_slice() else {
            return Err(SynthesisError::Unsatisfiable);
        };
        (p1.scalar_mul_le(rho_bits.iter())? + p0).mark_as_public()
    }
}

/// The R1CS of the point-operation circuit, after checking that it is the R1CS of Nova's
/// own CycleFold circuit ([`Error::CycleFoldShape`] otherwise).
pub fn cyclefold_r1cs() -> Result<R1CS<Fq>, Error> {
    let ours = {
        let cs = ArithExtractor::<Fq>::new();
        cs.execute_fn(|cs| PointOpCircuit::default().verify_point_rlc(cs))?;
        cs.arith::<R1CS<Fq>>()?
    };
    let nova = {
        let cs = ArithExtractor::<Fq>::new();
        cs.execute_fn(|cs| {
            <Fs1 as FoldingSchemeCycleFoldExt<1, 1>>::CFCircuit::default().verify_point_rlc(cs)
        })?;
        cs.arith::<R1CS<Fq>>()?
    };
    if ours != nova {
        let (o, n) = (ours.config(), nova.config());
        return Err(Error::CycleFoldShape {
            ours_constraints: o.n_constraints,
            ours_inputs: o.n_public_inputs,
            nova_constraints: n.n_constraints,
            nova_inputs: n.n_public_inputs,
        });
    }
    Ok(ours)
}

/// The assignments of the point-operation circuit for `op` (public inputs
/// `[rho, P0.x, P0.y, P1.x, P1.y, P2.x, P2.y]`, `P2` computed by the circuit).
pub(crate) fn op_assignments(op: &PointOp) -> Result<AssignmentsOwned<Fq>, Error> {
    let cs = AssignmentsExtractor::<Fq>::new();
    cs.execute_fn(|cs| PointOpCircuit::new(op).verify_point_rlc(cs))?;
    Ok(cs.assignments()?)
}

/// A committed CycleFold instance-witness pair for the given assignments.
pub(crate) fn op_instance(
    dk2: &Dk2,
    assignments: AssignmentsOwned<Fq>,
    rng: impl RngCore,
) -> Result<(Iw2, Iu2), Error> {
    Ok(WitnessInstanceSampler::<Iw2, Iu2>::sample(
        dk2,
        assignments,
        rng,
    )?)
}

/// The public inputs of the operation instance of `op`, natively: `rho` and the affine
/// coordinates of `P0`, `P1`, `P2` (`(0, 0)` for infinity).
#[cfg(test)]
pub(crate) fn op_public_inputs(op: &PointOp) -> Vec<Fq> {
    let mut x = vec![Fq::from_bits_le(&op.rho_bits)];
    for p in [op.p0, op.p1, op.p2] {
        let (px, py) = p.xy().unwrap_or_default();
        x.extend([px, py]);
    }
    x
}
