//! The range proof's messages.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use zkpot_core::{sumcheck::SumcheckProof, Fr};

/// A fraction `numerator / denominator`, kept unreduced.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct Fraction {
    /// `p`.
    pub numerator: Fr,
    /// `q`.
    pub denominator: Fr,
}

impl Fraction {
    /// The fraction `p / q`.
    pub fn new(numerator: Fr, denominator: Fr) -> Self {
        Self {
            numerator,
            denominator,
        }
    }
}

/// The two children of a node at the sumcheck point: `left` has child bit 0
/// (`p0, q0`), `right` child bit 1 (`p1, q1`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct ChildPair {
    /// `(p0, q0)`.
    pub left: Fraction,
    /// `(p1, q1)`.
    pub right: Fraction,
}

impl ChildPair {
    /// Their sum `(p0 q1 + p1 q0, q0 q1)`.
    pub fn parent(&self) -> Fraction {
        let (l, r) = (&self.left, &self.right);
        Fraction::new(
            l.numerator * r.denominator + r.numerator * l.denominator,
            l.denominator * r.denominator,
        )
    }

    /// The child layer at `[mu] ++ rho`: `(p0 + mu (p1 - p0), q0 + mu (q1 - q0))`.
    pub fn merge(&self, mu: Fr) -> Fraction {
        let (l, r) = (&self.left, &self.right);
        Fraction::new(
            l.numerator + mu * (r.numerator - l.numerator),
            l.denominator + mu * (r.denominator - l.denominator),
        )
    }

    /// The four values in transcript order: `p0, p1, q0, q1`.
    pub fn transcript_fields(&self) -> [Fr; 4] {
        [
            self.left.numerator,
            self.right.numerator,
            self.left.denominator,
            self.right.denominator,
        ]
    }
}

/// One step from layer `k` to layer `k + 1`.
#[derive(Clone, Debug, Default, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct LayerProof {
    /// The batched sumcheck (`k` rounds, degree 3).
    pub sumcheck: SumcheckProof,
    /// The children at the sumcheck point, one pair per active tree (limb tree first).
    pub children: Vec<ChildPair>,
}

/// A LogUp-GKR range proof (see [`crate::range`] for the protocol).
#[derive(Clone, Debug, Default, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct RangeProof {
    /// The root of the limb tree.
    pub limb_root: Fraction,
    /// The root of the table tree.
    pub table_root: Fraction,
    /// One step per layer, from the root down: `max(n, 16)` of them.
    pub layers: Vec<LayerProof>,
}
