//! The matrix product's messages.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use zkpot_core::{sumcheck::SumcheckProof, Fr};

use crate::Error;

/// A matrix-product proof (see [`crate::matmul`] for the protocol).
#[derive(Clone, Debug, Default, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct MatmulProof {
    /// The sumcheck over `(x, t)`: `log n + log k` rounds, degree 3 (2 when `k = 1`).
    pub sumcheck: SumcheckProof,
    /// `A_r~(rho)`: the reduced `A` at the sumcheck point.
    pub a: Fr,
    /// `B_r~(rho)`: the reduced `B` at the sumcheck point.
    pub b: Fr,
}

impl MatmulProof {
    /// The compressed encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(self.compressed_size());
        // Writing into a Vec cannot fail.
        let _ = self.serialize_compressed(&mut bytes);
        bytes
    }

    /// Decodes untrusted compressed bytes (`Validate::Yes`); errors on anything that is
    /// not exactly one encoded proof. Never panics.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let mut reader = bytes;
        let proof = Self::deserialize_with_mode(&mut reader, Compress::Yes, Validate::Yes)
            .map_err(|_| Error::Undecodable { proof: "matmul" })?;
        if reader.is_empty() {
            Ok(proof)
        } else {
            Err(Error::TrailingBytes {
                proof: "matmul",
                count: reader.len(),
            })
        }
    }
}
