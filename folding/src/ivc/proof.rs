//! The uncompressed IVC proof [`IvcProof`] (also the prover's checkpoint) and its
//! serialization.
//!
//! # Wire format
//!
//! [`IvcProof::to_bytes`] writes the magic bytes `ZKPOTIVC`, a format version byte, then the
//! arkworks canonical serialization (compressed) of the fields in this order: `i` (`u64`),
//! `z0`, `z_i` (`Vec<Fr>`), the running primary witness `(e, r_e, w, r_w)` and instance
//! `(cm_e, u, cm_w, x)`, the incoming primary witness `(w, r_w)` and instance `(cm_w, x)`,
//! the running CycleFold witness and instance (same layout as the primary ones, over
//! Grumpkin). Vectors carry a `u64` length; points are compressed. [`IvcProof::from_bytes`]
//! reads with `Validate::Yes` (field elements canonical, points on the curve and in the
//! group) and refuses trailing bytes.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{Read, Write};

use ark_serialize::{
    CanonicalDeserialize, CanonicalSerialize, Compress, SerializationError, Valid, Validate,
};
use sonobe::primitives::traits::Dummy;
use zkpot_core::{Fr, G1};

use super::{keys::IvcKey, Grumpkin, Iu1, Iw1, Ru1, Ru2, Rw1, Rw2};
use crate::error::Error;

/// Magic bytes of a serialized [`IvcProof`].
const MAGIC: &[u8; 8] = b"ZKPOTIVC";
/// Format version of [`IvcProof::to_bytes`].
const VERSION: u8 = 1;

/// An uncompressed IVC proof that `z_i` is reached from `z0` in `i` steps: the running and
/// last incoming primary instance-witness pairs and the running CycleFold pair, with `i`,
/// `z0` and `z_i`. It carries the witnesses in the clear (megabytes, not zero-knowledge),
/// and it is the prover's whole state (see [`super::IvcProver::from_parts`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(non_snake_case)]
pub struct IvcProof {
    pub(crate) i: u64,
    pub(crate) z0: Vec<Fr>,
    pub(crate) z_i: Vec<Fr>,
    pub(crate) W: Rw1,
    pub(crate) U: Ru1,
    pub(crate) w: Iw1,
    pub(crate) u: Iu1,
    pub(crate) cf_W: Rw2,
    pub(crate) cf_U: Ru2,
}

impl IvcProof {
    /// The proof of zero steps (dummy instances).
    pub(crate) fn initial(key: &IvcKey, z0: Vec<Fr>) -> Self {
        let (a1, a2) = (key.arith1(), key.arith2());
        Self {
            i: 0,
            z_i: z0.clone(),
            z0,
            W: Dummy::dummy(a1),
            U: Dummy::dummy(a1),
            w: Dummy::dummy(a1),
            u: Dummy::dummy(a1),
            cf_W: Dummy::dummy(a2),
            cf_U: Dummy::dummy(a2),
        }
    }

    /// The number of steps proven.
    pub fn num_steps(&self) -> u64 {
        self.i
    }

    /// The initial state `z0`.
    pub fn initial_state(&self) -> &[Fr] {
        &self.z0
    }

    /// The state `z_i` after [`IvcProof::num_steps`] steps.
    pub fn current_state(&self) -> &[Fr] {
        &self.z_i
    }

    /// The same proof claiming another final state: a forgery, for soundness tests
    /// (verification must reject it).
    #[doc(hidden)]
    pub fn with_current_state_for_test(mut self, z_i: Vec<Fr>) -> Self {
        self.z_i = z_i;
        self
    }

    /// The serialized proof (see the module docs for the format).
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut bytes = Vec::with_capacity(MAGIC.len() + 1 + self.compressed_size());
        bytes.extend_from_slice(MAGIC);
        bytes.push(VERSION);
        self.serialize_compressed(&mut bytes)?;
        Ok(bytes)
    }

    /// Reads a proof written by [`IvcProof::to_bytes`], checking everything: magic, version,
    /// canonical field elements, points on the curve, no trailing bytes. Never panics.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let rest = bytes
            .strip_prefix(MAGIC.as_slice())
            .ok_or(Error::BadMagic)?;
        let (&version, mut rest) = rest.split_first().ok_or(Error::BadMagic)?;
        if version != VERSION {
            return Err(Error::UnsupportedVersion(version));
        }
        let proof = Self::deserialize_compressed(&mut rest)?;
        if !rest.is_empty() {
            return Err(Error::TrailingBytes(rest.len()));
        }
        Ok(proof)
    }

    /// Checks every vector length against `key` (shapes of the augmented and CycleFold
    /// circuits, the state length).
    pub fn check_shape(&self, key: &IvcKey) -> Result<(), Error> {
        let (a1, a2) = (key.arith1(), key.arith2());
        let checks = [
            ("z0", self.z0.len(), key.state_len()),
            ("z_i", self.z_i.len(), key.state_len()),
            ("W.e", self.W.e.len(), a1.n_constraints),
            ("W.w", self.W.w.len(), a1.n_witnesses),
            ("U.x", self.U.x.len(), a1.n_public_inputs),
            ("w.w", self.w.w.len(), a1.n_witnesses),
            ("u.x", self.u.x.len(), a1.n_public_inputs),
            ("cf_W.e", self.cf_W.e.len(), a2.n_constraints),
            ("cf_W.w", self.cf_W.w.len(), a2.n_witnesses),
            ("cf_U.x", self.cf_U.x.len(), a2.n_public_inputs),
        ];
        for (what, got, expected) in checks {
            if got != expected {
                return Err(Error::MalformedProof {
                    what,
                    expected,
                    got,
                });
            }
        }
        Ok(())
    }

    fn points(&self) -> ([G1; 3], [Grumpkin; 2]) {
        (
            [self.U.cm_e, self.U.cm_w, self.u.cm_w],
            [self.cf_U.cm_e, self.cf_U.cm_w],
        )
    }
}

impl CanonicalSerialize for IvcProof {
    fn serialize_with_mode<W: Write>(
        &self,
        mut writer: W,
        compress: Compress,
    ) -> Result<(), SerializationError> {
        let w = &mut writer;
        self.i.serialize_with_mode(&mut *w, compress)?;
        self.z0.serialize_with_mode(&mut *w, compress)?;
        self.z_i.serialize_with_mode(&mut *w, compress)?;
        // Running primary witness and instance.
        self.W.e.serialize_with_mode(&mut *w, compress)?;
        self.W.r_e.serialize_with_mode(&mut *w, compress)?;
        self.W.w.serialize_with_mode(&mut *w, compress)?;
        self.W.r_w.serialize_with_mode(&mut *w, compress)?;
        self.U.cm_e.serialize_with_mode(&mut *w, compress)?;
        self.U.u.serialize_with_mode(&mut *w, compress)?;
        self.U.cm_w.serialize_with_mode(&mut *w, compress)?;
        self.U.x.serialize_with_mode(&mut *w, compress)?;
        // Incoming primary witness and instance.
        self.w.w.serialize_with_mode(&mut *w, compress)?;
        self.w.r_w.serialize_with_mode(&mut *w, compress)?;
        self.u.cm_w.serialize_with_mode(&mut *w, compress)?;
        self.u.x.serialize_with_mode(&mut *w, compress)?;
        // Running CycleFold witness and instance.
        self.cf_W.e.serialize_with_mode(&mut *w, compress)?;
        self.cf_W.r_e.serialize_with_mode(&mut *w, compress)?;
        self.cf_W.w.serialize_with_mode(&mut *w, compress)?;
        self.cf_W.r_w.serialize_with_mode(&mut *w, compress)?;
        self.cf_U.cm_e.serialize_with_mode(&mut *w, compress)?;
        self.cf_U.u.serialize_with_mode(&mut *w, compress)?;
        self.cf_U.cm_w.serialize_with_mode(&mut *w, compress)?;
        self.cf_U.x.serialize_with_mode(&mut *w, compress)
    }

    fn serialized_size(&self, compress: Compress) -> usize {
        self.i.serialized_size(compress)
            + self.z0.serialized_size(compress)
            + self.z_i.serialized_size(compress)
            + self.W.e.serialized_size(compress)
            + self.W.r_e.serialized_size(compress)
            + self.W.w.serialized_size(compress)
            + self.W.r_w.serialized_size(compress)
            + self.U.cm_e.serialized_size(compress)
            + self.U.u.serialized_size(compress)
            + self.U.cm_w.serialized_size(compress)
            + self.U.x.serialized_size(compress)
            + self.w.w.serialized_size(compress)
            + self.w.r_w.serialized_size(compress)
            + self.u.cm_w.serialized_size(compress)
            + self.u.x.serialized_size(compress)
            + self.cf_W.e.serialized_size(compress)
            + self.cf_W.r_e.serialized_size(compress)
            + self.cf_W.w.serialized_size(compress)
            + self.cf_W.r_w.serialized_size(compress)
            + self.cf_U.cm_e.serialized_size(compress)
            + self.cf_U.u.serialized_size(compress)
            + self.cf_U.cm_w.serialized_size(compress)
            + self.cf_U.x.serialized_size(compress)
    }
}

impl Valid for IvcProof {
    fn check(&self) -> Result<(), SerializationError> {
        // Field elements are canonical by construction; points must be in the group.
        let (g1, grumpkin) = self.points();
        G1::batch_check(g1.iter())?;
        Grumpkin::batch_check(grumpkin.iter())
    }
}

impl CanonicalDeserialize for IvcProof {
    #[allow(non_snake_case)]
    fn deserialize_with_mode<R: Read>(
        mut reader: R,
        compress: Compress,
        validate: Validate,
    ) -> Result<Self, SerializationError> {
        let r = &mut reader;
        macro_rules! read {
            () => {
                CanonicalDeserialize::deserialize_with_mode(&mut *r, compress, validate)?
            };
        }
        let i = read!();
        let z0 = read!();
        let z_i = read!();
        let W = Rw1 {
            e: read!(),
            r_e: read!(),
            w: read!(),
            r_w: read!(),
        };
        let U = Ru1 {
            cm_e: read!(),
            u: read!(),
            cm_w: read!(),
            x: read!(),
        };
        let w = Iw1 {
            w: read!(),
            r_w: read!(),
        };
        let u = Iu1 {
            cm_w: read!(),
            x: read!(),
        };
        let cf_W = Rw2 {
            e: read!(),
            r_e: read!(),
            w: read!(),
            r_w: read!(),
        };
        let cf_U = Ru2 {
            cm_e: read!(),
            u: read!(),
            cm_w: read!(),
            x: read!(),
        };
        let proof = Self {
            i,
            z0,
            z_i,
            W,
            U,
            w,
            u,
            cf_W,
            cf_U,
        };
        if validate == Validate::Yes {
            proof.check()?;
        }
        Ok(proof)
    }
}
