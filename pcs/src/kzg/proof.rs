//! The HyperKZG evaluation proof and what each field is (see the [module
//! documentation](super) for the protocol and why each message leaks nothing).

use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use zkpot_core::{Fr, G1Affine};

/// A zero-knowledge HyperKZG evaluation proof for a point of `n` coordinates: `n - 1`
/// fold commitments, `2n` field elements and six more elements, about 2.4 KB at
/// `n = 24` (compressed points).
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct KzgProof {
    /// `C_g`: the hiding commitment to the uniform mask table `g`.
    pub mask: G1Affine,
    /// `v_g = g~(x)`: uniform, since `g` is.
    pub mask_value: Fr,
    /// `rho_h = rho + alpha rho_g`: uniform, masked by `alpha rho_g`.
    pub blind: Fr,
    /// `C_1, ..., C_{n-1}`: the commitments to the folds of `h = f + alpha g` (empty for
    /// `n <= 1`).
    pub folds: Vec<G1Affine>,
    /// `P_j(b)` for `j = 0..n-1` (empty for `n = 0`).
    pub at_b: Vec<Fr>,
    /// `P_j(-b)` for `j = 0..n-1` (empty for `n = 0`).
    pub at_minus_b: Vec<Fr>,
    /// `W_0, W_1, W_2`: the KZG quotients at `b`, `-b` and `b^2` (the identity for
    /// `n = 0`).
    pub quotients: [G1Affine; 3],
}
