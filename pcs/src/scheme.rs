//! The commitment scheme of a run, chosen when the run starts: HyperKZG on a universal
//! SRS (the default) or Pedersen + IPA (transparent). [`AnyScheme`] implements
//! [`CommitmentScheme`] and [`Aggregatable`] by dispatching on its key, so the protocols
//! above are written once and a run's scheme is a value ([`PcsKind`]), not a type.
//!
//! Both schemes commit to `G1` points linear in the table and the blind, so commitments,
//! blinds, openings and claim aggregation are the same; only the keys and the evaluation
//! proofs differ ([`SchemeKey`], [`SchemeVerifierKey`], [`SchemeProof`]). A key of one
//! scheme given a proof of the other is [`PcsError::SchemeMismatch`], never a panic.
//!
//! A run binds its setup ([`Setup`]: the scheme and the digest of its key) into its
//! statement: a proof checked against another SRS or another Pedersen key fails.

use std::fmt;
use std::io::{Read, Write};
use std::str::FromStr;
use std::sync::Arc;

use ark_serialize::{
    CanonicalDeserialize, CanonicalSerialize, Compress, SerializationError, Valid, Validate,
};
use rand::RngCore;
use sha2::{Digest, Sha256};
use zkpot_core::{Backend, Fr, Transcript};

use crate::{
    error::PcsError,
    ipa::IpaProof,
    kzg::{HyperKzg, KzgKey, KzgProof, KzgVerifierKey},
    pedersen::{Commitment, Opening, PedersenIpa, PedersenKey},
    traits::{Aggregatable, CommitmentScheme, Segment},
};

/// Which commitment scheme a run uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PcsKind {
    /// HyperKZG ([`crate::kzg`]): two-pairing verifier, universal powers-of-tau SRS.
    #[default]
    Kzg,
    /// Pedersen + IPA ([`crate::pedersen`], [`crate::ipa`]): no trusted setup, a verifier
    /// linear in the largest table.
    Pedersen,
}

impl PcsKind {
    /// Both kinds, the default first.
    pub const ALL: [PcsKind; 2] = [PcsKind::Kzg, PcsKind::Pedersen];

    /// The name the CLI and JSON use: `"kzg"` or `"pedersen"`.
    pub fn name(self) -> &'static str {
        match self {
            PcsKind::Kzg => "kzg",
            PcsKind::Pedersen => "pedersen",
        }
    }

    /// The byte that encodes the kind in statements and proofs.
    pub fn tag(self) -> u8 {
        match self {
            PcsKind::Kzg => 1,
            PcsKind::Pedersen => 2,
        }
    }

    /// The kind a [`PcsKind::tag`] byte encodes.
    pub fn from_tag(tag: u8) -> Option<PcsKind> {
        PcsKind::ALL.into_iter().find(|k| k.tag() == tag)
    }
}

impl fmt::Display for PcsKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for PcsKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PcsKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| format!("unknown commitment scheme {s:?} (kzg or pedersen)"))
    }
}

/// The public parameters a run's commitments are made and checked with: the scheme and
/// the digest of its key (for HyperKZG the SRS prefix the run uses, [`Srs::digest`]; for
/// Pedersen a hash of the label the generators are derived from and their number).
///
/// [`Srs::digest`]: crate::srs::Srs::digest
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Setup {
    /// The scheme.
    pub pcs: PcsKind,
    /// The digest of the key.
    pub digest: [u8; 32],
}

impl Setup {
    /// The encoding's length: the tag byte and the digest.
    pub const LEN: usize = 33;

    /// The tag byte, then the digest.
    pub fn to_bytes(&self) -> [u8; Setup::LEN] {
        let mut out = [0u8; Setup::LEN];
        out[0] = self.pcs.tag();
        out[1..].copy_from_slice(&self.digest);
        out
    }

    /// Decodes [`Setup::to_bytes`] from the front of `reader`, advancing it; `None` if it
    /// is too short or the tag names no scheme.
    pub fn read(reader: &mut &[u8]) -> Option<Setup> {
        let (bytes, rest) = reader.split_first_chunk::<{ Setup::LEN }>()?;
        let (tag, digest) = bytes.split_first()?;
        let setup = Setup {
            pcs: PcsKind::from_tag(*tag)?,
            digest: digest.try_into().ok()?,
        };
        *reader = rest;
        Some(setup)
    }

    /// Absorbs the tag and the digest.
    pub fn absorb_into<T: Transcript>(&self, t: &mut T) {
        t.absorb_bytes(&self.to_bytes());
    }

    /// The digest in lowercase hex.
    pub fn digest_hex(&self) -> String {
        self.digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl fmt::Display for Setup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.pcs, self.digest_hex())
    }
}

/// The domain of a Pedersen key's setup digest.
const PEDERSEN_SETUP_DOMAIN: &[u8] = b"zkpot-pcs/pedersen-setup/v1";

/// The setup digest of a Pedersen key: SHA-256 of a domain, the label and the number of
/// generators (the key is a deterministic function of both).
pub fn pedersen_setup(key: &PedersenKey) -> Setup {
    let mut h = Sha256::new();
    h.update(PEDERSEN_SETUP_DOMAIN);
    h.update((key.label().len() as u64).to_le_bytes());
    h.update(key.label());
    h.update((key.max_len() as u64).to_le_bytes());
    Setup {
        pcs: PcsKind::Pedersen,
        digest: h.finalize().into(),
    }
}

/// A prover key of either scheme (shared: cloning is cheap).
#[derive(Clone, Debug)]
pub enum SchemeKey {
    /// Pedersen generators.
    Pedersen(Arc<PedersenKey>),
    /// A HyperKZG key (an SRS prefix).
    Kzg(Arc<KzgKey>),
}

impl SchemeKey {
    /// The scheme.
    pub fn kind(&self) -> PcsKind {
        match self {
            SchemeKey::Pedersen(_) => PcsKind::Pedersen,
            SchemeKey::Kzg(_) => PcsKind::Kzg,
        }
    }

    /// The longest table the key commits to.
    pub fn max_len(&self) -> usize {
        match self {
            SchemeKey::Pedersen(k) => k.max_len(),
            SchemeKey::Kzg(k) => k.max_len(),
        }
    }

    /// The setup a run on this key binds.
    pub fn setup(&self) -> Setup {
        match self {
            SchemeKey::Pedersen(k) => pedersen_setup(k),
            SchemeKey::Kzg(k) => Setup {
                pcs: PcsKind::Kzg,
                digest: k.verifier_key().srs_digest(),
            },
        }
    }

    /// What a verifier needs: the whole key for Pedersen (shared), a few points for
    /// HyperKZG.
    pub fn verifier_key(&self) -> SchemeVerifierKey {
        match self {
            SchemeKey::Pedersen(k) => SchemeVerifierKey::Pedersen(Arc::clone(k)),
            SchemeKey::Kzg(k) => SchemeVerifierKey::Kzg(*k.verifier_key()),
        }
    }

    /// The Pedersen key, if this is one.
    pub fn as_pedersen(&self) -> Option<&PedersenKey> {
        match self {
            SchemeKey::Pedersen(k) => Some(k),
            SchemeKey::Kzg(_) => None,
        }
    }
}

impl From<PedersenKey> for SchemeKey {
    fn from(key: PedersenKey) -> Self {
        SchemeKey::Pedersen(Arc::new(key))
    }
}

impl From<KzgKey> for SchemeKey {
    fn from(key: KzgKey) -> Self {
        SchemeKey::Kzg(Arc::new(key))
    }
}

/// A verifier key of either scheme.
#[allow(clippy::large_enum_variant)] // a few per run; boxing would only add a pointer
#[derive(Clone, Debug)]
pub enum SchemeVerifierKey {
    /// Pedersen generators (the IPA verifier is linear in them).
    Pedersen(Arc<PedersenKey>),
    /// HyperKZG's few points.
    Kzg(KzgVerifierKey),
}

impl SchemeVerifierKey {
    /// The scheme.
    pub fn kind(&self) -> PcsKind {
        match self {
            SchemeVerifierKey::Pedersen(_) => PcsKind::Pedersen,
            SchemeVerifierKey::Kzg(_) => PcsKind::Kzg,
        }
    }

    /// The setup proofs checked with this key must bind.
    pub fn setup(&self) -> Setup {
        match self {
            SchemeVerifierKey::Pedersen(k) => pedersen_setup(k),
            SchemeVerifierKey::Kzg(k) => Setup {
                pcs: PcsKind::Kzg,
                digest: k.srs_digest(),
            },
        }
    }
}

/// An evaluation proof of either scheme. Encoded as the scheme's tag byte, then the
/// proof.
#[allow(clippy::large_enum_variant)] // one per run
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SchemeProof {
    /// Pedersen's inner-product argument.
    Ipa(IpaProof),
    /// HyperKZG's Gemini-style proof.
    Kzg(KzgProof),
}

impl SchemeProof {
    /// The scheme.
    pub fn kind(&self) -> PcsKind {
        match self {
            SchemeProof::Ipa(_) => PcsKind::Pedersen,
            SchemeProof::Kzg(_) => PcsKind::Kzg,
        }
    }
}

impl Valid for SchemeProof {
    fn check(&self) -> Result<(), SerializationError> {
        match self {
            SchemeProof::Ipa(p) => p.check(),
            SchemeProof::Kzg(p) => p.check(),
        }
    }
}

impl CanonicalSerialize for SchemeProof {
    fn serialize_with_mode<W: Write>(
        &self,
        mut writer: W,
        compress: Compress,
    ) -> Result<(), SerializationError> {
        self.kind()
            .tag()
            .serialize_with_mode(&mut writer, compress)?;
        match self {
            SchemeProof::Ipa(p) => p.serialize_with_mode(writer, compress),
            SchemeProof::Kzg(p) => p.serialize_with_mode(writer, compress),
        }
    }

    fn serialized_size(&self, compress: Compress) -> usize {
        1 + match self {
            SchemeProof::Ipa(p) => p.serialized_size(compress),
            SchemeProof::Kzg(p) => p.serialized_size(compress),
        }
    }
}

impl CanonicalDeserialize for SchemeProof {
    fn deserialize_with_mode<R: Read>(
        mut reader: R,
        compress: Compress,
        validate: Validate,
    ) -> Result<Self, SerializationError> {
        let tag = u8::deserialize_with_mode(&mut reader, compress, validate)?;
        match PcsKind::from_tag(tag) {
            Some(PcsKind::Pedersen) => Ok(SchemeProof::Ipa(IpaProof::deserialize_with_mode(
                reader, compress, validate,
            )?)),
            Some(PcsKind::Kzg) => Ok(SchemeProof::Kzg(KzgProof::deserialize_with_mode(
                reader, compress, validate,
            )?)),
            None => Err(SerializationError::InvalidData),
        }
    }
}

fn mismatch(what: &'static str, expected: PcsKind, got: PcsKind) -> PcsError {
    PcsError::SchemeMismatch {
        what,
        expected: expected.name(),
        got: got.name(),
    }
}

/// The scheme chosen by its key ([module documentation](self)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AnyScheme;

impl CommitmentScheme for AnyScheme {
    type ProverKey = SchemeKey;
    type VerifierKey = SchemeVerifierKey;
    type Commitment = Commitment;
    type Blind = Fr;
    type EvalProof = SchemeProof;

    fn max_len(key: &SchemeKey) -> usize {
        key.max_len()
    }

    fn random_blind<R: RngCore + ?Sized>(rng: &mut R) -> Fr {
        crate::pedersen::random_blind(rng)
    }

    fn commit_segments<B: Backend>(
        key: &SchemeKey,
        backend: &B,
        segments: &[Segment<'_>],
        blind: Fr,
    ) -> Result<Commitment, PcsError> {
        match key {
            SchemeKey::Pedersen(k) => PedersenIpa::commit_segments(k, backend, segments, blind),
            SchemeKey::Kzg(k) => HyperKzg::commit_segments(k, backend, segments, blind),
        }
    }

    fn open<B: Backend, T: Transcript, R: RngCore + ?Sized>(
        key: &SchemeKey,
        backend: &B,
        opening: &Opening,
        commitment: &Commitment,
        point: &[Fr],
        transcript: &mut T,
        rng: &mut R,
    ) -> Result<(Fr, SchemeProof), PcsError> {
        match key {
            SchemeKey::Pedersen(k) => {
                PedersenIpa::open(k, backend, opening, commitment, point, transcript, rng)
                    .map(|(v, p)| (v, SchemeProof::Ipa(p)))
            }
            SchemeKey::Kzg(k) => {
                HyperKzg::open(k, backend, opening, commitment, point, transcript, rng)
                    .map(|(v, p)| (v, SchemeProof::Kzg(p)))
            }
        }
    }

    fn verify<T: Transcript>(
        key: &SchemeVerifierKey,
        commitment: &Commitment,
        point: &[Fr],
        value: Fr,
        proof: &SchemeProof,
        transcript: &mut T,
    ) -> Result<(), PcsError> {
        match (key, proof) {
            (SchemeVerifierKey::Pedersen(k), SchemeProof::Ipa(p)) => {
                PedersenIpa::verify(k, commitment, point, value, p, transcript)
            }
            (SchemeVerifierKey::Kzg(k), SchemeProof::Kzg(p)) => {
                HyperKzg::verify(k, commitment, point, value, p, transcript)
            }
            (key, proof) => Err(mismatch("proof", key.kind(), proof.kind())),
        }
    }
}

impl Aggregatable for AnyScheme {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for kind in PcsKind::ALL {
            assert_eq!(PcsKind::from_tag(kind.tag()), Some(kind));
            assert_eq!(kind.name().parse::<PcsKind>(), Ok(kind));
        }
        assert_eq!(PcsKind::from_tag(0), None);
        assert!("ipa".parse::<PcsKind>().is_err());
        assert_eq!(PcsKind::default(), PcsKind::Kzg);
    }

    #[test]
    fn setup_round_trips_and_rejects_bad_tags() {
        let setup = Setup {
            pcs: PcsKind::Pedersen,
            digest: [7u8; 32],
        };
        let bytes = setup.to_bytes();
        let mut reader: &[u8] = &bytes;
        assert_eq!(Setup::read(&mut reader), Some(setup));
        assert!(reader.is_empty());
        let mut bad = bytes;
        bad[0] = 9;
        assert_eq!(Setup::read(&mut &bad[..]), None);
        assert_eq!(Setup::read(&mut &bytes[..32]), None);
    }

    #[test]
    fn pedersen_setups_differ_by_label_and_length() {
        let a = pedersen_setup(&PedersenKey::setup(b"a", 4));
        assert_eq!(a, pedersen_setup(&PedersenKey::setup(b"a", 4)));
        assert_ne!(a, pedersen_setup(&PedersenKey::setup(b"b", 4)));
        assert_ne!(a, pedersen_setup(&PedersenKey::setup(b"a", 8)));
    }
}
