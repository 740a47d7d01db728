//! In-circuit twins of `core`'s verifier-side pieces, for the IVC step circuit
//! (`DESIGN.md` sections 6 and 8), each in a `constraints.rs` beside its native twin and
//! tested against it on a plain `ConstraintSystem`; this module gathers them with the
//! allocation helpers every gadget uses.
//!
//! * [`TranscriptVar`] ([`crate::transcript::constraints`]): the Poseidon transcript.
//! * [`verify_sumcheck`], [`alloc_sumcheck`], [`check_final`]
//!   ([`crate::sumcheck::constraints`]): the sumcheck verifier.
//! * [`eq_eval`] ([`crate::mle::constraints`]): `eq(a, b)`.
//! * [`ClaimVar`] ([`crate::claim`]): an evaluation claim.

use ark_r1cs_std::{alloc::AllocVar, fields::fp::FpVar};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use crate::field::Fr;

pub use crate::claim::ClaimVar;
pub use crate::mle::constraints::eq_eval;
pub use crate::sumcheck::constraints::{alloc_sumcheck, check_final, verify_sumcheck};
pub use crate::transcript::constraints::TranscriptVar;

/// A field element variable of the step circuit (over BN254 `Fr`).
pub type FrVar = FpVar<Fr>;

/// Allocates field elements as witnesses.
pub fn alloc_witnesses(
    cs: &ConstraintSystemRef<Fr>,
    xs: &[Fr],
) -> Result<Vec<FrVar>, SynthesisError> {
    xs.iter()
        .map(|x| FpVar::new_witness(cs.clone(), || Ok(*x)))
        .collect()
}

/// Allocates one field element as a witness.
pub fn alloc_witness(cs: &ConstraintSystemRef<Fr>, x: Fr) -> Result<FrVar, SynthesisError> {
    FpVar::new_witness(cs.clone(), || Ok(x))
}
