//! BN254 aliases: the scalar field `Fr` every table and transcript lives in, the base
//! field `Fq`, and the group `G1` that commitments live in.

/// The BN254 scalar field: every witness value, table entry and challenge.
pub type Fr = ark_bn254::Fr;

/// The BN254 base field: coordinates of `G1` points.
pub type Fq = ark_bn254::Fq;

/// BN254 `G1` in projective coordinates (for arithmetic).
pub type G1 = ark_bn254::G1Projective;

/// BN254 `G1` in affine coordinates (for storage and absorption).
pub type G1Affine = ark_bn254::G1Affine;
