//! The one evaluation claim of zkpot: "the multilinear extension of some table (in the
//! variable order of [`crate::mle`]) takes `value` at `point`".
//!
//! A sumcheck reduces its statement to a [`Claim`] on its summand, every GKR layer of a
//! step proof leaves claims on the tables below it, and a commitment scheme's claims are a
//! commitment paired with a [`Claim`] (`zkpot-pcs`). [`ClaimVar`] is its in-circuit twin.

use std::borrow::Borrow;

use ark_r1cs_std::{
    alloc::{AllocVar, AllocationMode},
    GR1CSVar,
};
use ark_relations::gr1cs::{ConstraintSystemRef, Namespace, SynthesisError};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};

use crate::{constraints::FrVar, field::Fr};

/// An evaluation claim: the table's multilinear extension at `point` (`point[j]` the
/// value of variable `j`) is `value`.
#[derive(Clone, Debug, Default, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct Claim {
    /// The evaluation point.
    pub point: Vec<Fr>,
    /// The claimed evaluation.
    pub value: Fr,
}

impl Claim {
    /// The claim that the table takes `value` at `point`.
    pub fn new(point: Vec<Fr>, value: Fr) -> Self {
        Claim { point, value }
    }
}

/// A [`Claim`] in-circuit: point and value are variables.
#[derive(Clone, Debug)]
pub struct ClaimVar {
    /// The evaluation point.
    pub point: Vec<FrVar>,
    /// The claimed evaluation.
    pub value: FrVar,
}

impl ClaimVar {
    /// The claim that the table takes `value` at `point`.
    pub fn new(point: Vec<FrVar>, value: FrVar) -> Self {
        ClaimVar { point, value }
    }
}

impl AllocVar<Claim, Fr> for ClaimVar {
    /// Allocates every coordinate and the value in `mode`; the number of coordinates is
    /// the native claim's (gadgets check it against their public shape).
    fn new_variable<T: Borrow<Claim>>(
        cs: impl Into<Namespace<Fr>>,
        f: impl FnOnce() -> Result<T, SynthesisError>,
        mode: AllocationMode,
    ) -> Result<Self, SynthesisError> {
        let cs = cs.into().cs();
        let claim = f()?;
        let claim = claim.borrow();
        let point = claim
            .point
            .iter()
            .map(|x| FrVar::new_variable(cs.clone(), || Ok(*x), mode))
            .collect::<Result<Vec<_>, _>>()?;
        let value = FrVar::new_variable(cs, || Ok(claim.value), mode)?;
        Ok(Self { point, value })
    }
}

impl GR1CSVar<Fr> for ClaimVar {
    type Value = Claim;

    fn cs(&self) -> ConstraintSystemRef<Fr> {
        self.point.cs().or(self.value.cs())
    }

    fn value(&self) -> Result<Claim, SynthesisError> {
        Ok(Claim {
            point: self.point.value()?,
            value: self.value.value()?,
        })
    }
}
