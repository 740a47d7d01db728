//! The one evaluation claim of zkpot: "the multilinear extension of some table (in the
//! variable order of [`crate::mle`]) takes `value` at `point`".
//!
//! A sumcheck reduces its statement to a [`Claim`] on its summand, every GKR layer of a
//! step proof leaves claims on the tables below it, and a commitment scheme's claims are a
//! commitment paired with a [`Claim`] (`zkpot-pcs`). [`ClaimVar`] is its in-circuit twin.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::{
    borrow::Borrow,
    io::{Read, Write},
};

use ark_r1cs_std::{
    alloc::{AllocVar, AllocationMode},
    GR1CSVar,
};
use ark_relations::gr1cs::{ConstraintSystemRef, Namespace, SynthesisError};
use ark_serialize::{
    CanonicalDeserialize, CanonicalSerialize, Compress, SerializationError, Valid, Validate,
};

use crate::{constraints::FrVar, field::Fr};

/// An evaluation claim: the table's multilinear extension at `point` (`point[j]` the
/// value of variable `j`) is `value`. Natively `F = Fr`; in-circuit `F = FrVar`
/// ([`ClaimVar`]), so one claim flow can run on either.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Claim<F = Fr> {
    /// The evaluation point.
    pub point: Vec<F>,
    /// The claimed evaluation.
    pub value: F,
}

impl<F> Claim<F> {
    /// The claim that the table takes `value` at `point`.
    pub fn new(point: Vec<F>, value: F) -> Self {
        Claim { point, value }
    }
}

/// A [`Claim`] in-circuit: point and value are variables.
pub type ClaimVar = Claim<FrVar>;

impl CanonicalSerialize for Claim {
    fn serialize_with_mode<W: Write>(
        &self,
        mut writer: W,
        compress: Compress,
    ) -> Result<(), SerializationError> {
        self.point.serialize_with_mode(&mut writer, compress)?;
        self.value.serialize_with_mode(&mut writer, compress)
    }

    fn serialized_size(&self, compress: Compress) -> usize {
        self.point.serialized_size(compress) + self.value.serialized_size(compress)
    }
}

impl Valid for Claim {
    fn check(&self) -> Result<(), SerializationError> {
        self.point.check()?;
        self.value.check()
    }
}

impl CanonicalDeserialize for Claim {
    fn deserialize_with_mode<R: Read>(
        mut reader: R,
        compress: Compress,
        validate: Validate,
    ) -> Result<Self, SerializationError> {
        let point = Vec::<Fr>::deserialize_with_mode(&mut reader, compress, validate)?;
        let value = Fr::deserialize_with_mode(&mut reader, compress, validate)?;
        Ok(Claim { point, value })
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
