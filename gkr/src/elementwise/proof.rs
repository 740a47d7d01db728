//! The messages of the elementwise relations.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use zkpot_core::{sumcheck::SumcheckProof, Fr};

/// A proof of `C = S ∘ Q` at one point of `C~` (see [`crate::elementwise`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct HadamardProof {
    /// The sumcheck of `sum_x eq(r, x) S(x) Q(x)` (`n` rounds, degree 3).
    pub sumcheck: SumcheckProof,
    /// `S~(rho)` at the sumcheck point.
    pub left_eval: Fr,
    /// `Q~(rho)` at the sumcheck point.
    pub right_eval: Fr,
}

/// A proof that every entry of `S` is 0 or 1.
#[derive(Clone, Debug, Default, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct BooleanityProof {
    /// The sumcheck of `sum_x eq(tau, x) S(x) (S(x) - 1) = 0` (`n` rounds, degree 3).
    pub sumcheck: SumcheckProof,
    /// `S~(rho)` at the sumcheck point.
    pub eval: Fr,
}

/// A proof that merges several claims on one table into one.
#[derive(Clone, Debug, Default, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct MergeProof {
    /// The sumcheck of `sum_x (sum_i a^i eq(r_i, x)) T(x)` (`n` rounds, degree 2).
    pub sumcheck: SumcheckProof,
    /// `T~(rho)` at the sumcheck point.
    pub eval: Fr,
}

/// A rescale reduction: no sumcheck, the relation is linear.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct RescaleProof {
    /// `Q~(r)`, the quotient at the claim's point.
    pub quotient_eval: Fr,
}

/// A linear-combination reduction: no sumcheck.
#[derive(Clone, Debug, Default, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct LinearProof {
    /// `X_i~(r)` per input, in the order of the coefficients.
    pub evals: Vec<Fr>,
}
