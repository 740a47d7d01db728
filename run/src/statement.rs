//! The statement of a run (`DESIGN.md` section 1): the spec, `C_data`, `C_W0` and
//! `C_WT`, its canonical encoding, and the sizes every verifier derives from the spec
//! (and bounds) before anything else.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use zkpot_core::{Fr, Transcript};
use zkpot_gkr::step::StepShape;
use zkpot_pcs::{accumulator::Mask, pedersen::Commitment};
use zkpot_pcs::{SchemeKey, SchemeVerifierKey, Setup};
use zkpot_trainer::{SpecError, TrainSpec};

use crate::error::RunError;

/// The label every run's Pedersen generators are derived from.
pub const KEY_LABEL: &[u8] = b"zkpot/pedersen/v1";

/// `C_data`: the root of the Poseidon Merkle tree over the chunk commitments
/// ([`zkpot_pcs::merkle`]), and the number of chunks (which the root also binds).
#[derive(Clone, Copy, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct DataCommitment {
    /// The published root.
    pub root: Fr,
    /// The number of chunks (leaves).
    pub num_chunks: u64,
}

impl DataCommitment {
    pub(crate) fn absorb_into<T: Transcript>(&self, t: &mut T) {
        t.absorb_field(&self.root);
        t.absorb_u64(self.num_chunks);
    }
}

/// What a run proof proves (`DESIGN.md` section 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunStatement {
    /// The resolved spec (iterations set).
    pub spec: TrainSpec,
    /// The commitment scheme and the digest of its key (for HyperKZG, the SRS prefix the
    /// run uses): the proof is checked against exactly this setup.
    pub setup: Setup,
    /// `C_data`.
    pub data: DataCommitment,
    /// `C_W0`, the starting model.
    pub w0: Commitment,
    /// `C_WT`, the model after `T` iterations.
    pub wt: Commitment,
    /// The accumulator's starting mask ([`Mask`]: a hiding commitment to a uniformly
    /// random table and its value at a point derived from the commitment). The run's
    /// folds start from it, so the accumulator's public value never reveals a combination
    /// of the run's tables; it says nothing about the run.
    pub mask: Mask,
}

impl RunStatement {
    /// The number of iterations `T`.
    pub fn iterations(&self) -> u64 {
        self.spec.iterations.unwrap_or(0)
    }

    /// The number of folds, `T / k`.
    pub fn folds(&self) -> u64 {
        self.iterations() / (self.spec.steps_per_fold.max(1) as u64)
    }

    /// The canonical encoding: the spec as [`TrainSpec::to_json`] (length-prefixed,
    /// `u32` little endian), the setup ([`Setup::to_bytes`]: the scheme's tag byte and
    /// the key's digest), then `data`, `w0`, `wt`, `mask` compressed.
    pub fn to_bytes(&self) -> Vec<u8> {
        let json = self.spec.to_json();
        let mut out = Vec::with_capacity(json.len() + 4 + Setup::LEN + 224);
        out.extend_from_slice(&(json.len() as u32).to_le_bytes());
        out.extend_from_slice(json.as_bytes());
        out.extend_from_slice(&self.setup.to_bytes());
        // Writing into a Vec cannot fail.
        let _ = (self.data, self.w0, self.wt, self.mask).serialize_compressed(&mut out);
        out
    }

    /// Decodes [`RunStatement::to_bytes`] from the front of `reader`, advancing it. Only
    /// the canonical encoding is accepted: the spec's JSON must be exactly what
    /// [`TrainSpec::to_json`] writes for the spec it parses to, and points must be on
    /// the curve.
    pub fn read(reader: &mut &[u8]) -> Result<Self, RunError> {
        let bad = |what| RunError::Malformed { what };
        let (len, rest) = reader
            .split_first_chunk::<4>()
            .ok_or(bad("truncated statement"))?;
        let len = u32::from_le_bytes(*len) as usize;
        let (json, rest) = rest
            .split_at_checked(len)
            .ok_or(bad("truncated statement"))?;
        let text = std::str::from_utf8(json).map_err(|_| bad("the spec is not UTF-8"))?;
        let spec: TrainSpec =
            serde_json::from_str(text).map_err(|_| bad("the spec is not a valid spec"))?;
        if spec.to_json() != text {
            return Err(bad("the spec is not in its canonical encoding"));
        }
        let mut rest = rest;
        let setup = Setup::read(&mut rest).ok_or(bad("truncated statement or unknown scheme"))?;
        let (data, w0, wt, mask) =
            <(DataCommitment, Commitment, Commitment, Mask)>::deserialize_with_mode(
                &mut rest,
                Compress::Yes,
                Validate::Yes,
            )
            .map_err(|_| bad("undecodable statement commitments"))?;
        *reader = rest;
        Ok(RunStatement {
            spec,
            setup,
            data,
            w0,
            wt,
            mask,
        })
    }

    pub(crate) fn absorb_into<T: Transcript>(&self, digest: Fr, t: &mut T) {
        t.absorb_field(&digest);
        self.setup.absorb_into(t);
        self.data.absorb_into(t);
        t.absorb_point(&self.w0.0);
        t.absorb_point(&self.wt.0);
        t.absorb_point(&self.mask.commitment.0);
        t.absorb_field(&self.mask.value);
        t.absorb_u64(self.iterations());
    }
}

/// The number of variables of the largest table a run commits to (fold, chunk or
/// model table), which is the accumulator's.
pub fn run_num_vars(shape: &StepShape) -> usize {
    shape
        .fold_layout()
        .num_vars
        .max(shape.chunk_layout().num_vars)
        .max(shape.model_layout().num_vars)
}

/// The number of generators a run of this shape needs: `2^run_num_vars`.
pub fn key_len(shape: &StepShape) -> usize {
    1usize << run_num_vars(shape)
}

/// The largest [`run_num_vars`] a run may have: a key of `2^32` generators is 256 GiB.
pub const MAX_RUN_VARS: usize = 32;

/// The shape of a statement's spec and the digest its folds absorb
/// ([`TrainSpec::fold_digest`]: the run's length is left out, so a run can be extended),
/// checked to be a valid spec ([`TrainSpec::validate`]: the trainer's own checks, which
/// every verifier runs first), resolved with `T` a positive multiple of `k`, and with
/// tables of at most `2^MAX_RUN_VARS` entries.
pub fn run_shape(spec: &TrainSpec) -> Result<(StepShape, Fr), RunError> {
    spec.validate()?;
    let digest = spec.fold_digest()?;
    let shape = StepShape::new(spec).map_err(RunError::Shape)?;
    if run_num_vars(&shape) > MAX_RUN_VARS {
        return Err(RunError::TableTooLarge {
            table_vars: run_num_vars(&shape),
            max_table_vars: MAX_RUN_VARS,
        });
    }
    let t = spec.iterations.unwrap_or(0);
    if t == 0 || t % shape.k as u64 != 0 {
        return Err(SpecError::Invalid {
            field: "iterations",
            reason: "a run proof needs a positive multiple of steps_per_fold iterations".into(),
        }
        .into());
    }
    Ok((shape, digest))
}

/// Errors unless `key` is a run key of `shape` on its scheme: for Pedersen derived from
/// [`KEY_LABEL`] with exactly [`key_len`] generators; for HyperKZG an SRS prefix of at
/// least [`key_len`] powers (a folded run's prefix also covers Nova's primary
/// commitments, which may need more; the statement's setup names the prefix).
pub fn check_key(key: &SchemeKey, shape: &StepShape) -> Result<(), RunError> {
    let fits = match key {
        SchemeKey::Pedersen(key) => {
            if key.label() != KEY_LABEL {
                return Err(RunError::KeyLabel);
            }
            key.max_len() == key_len(shape)
        }
        SchemeKey::Kzg(key) => key.max_len() >= key_len(shape),
    };
    if !fits {
        return Err(RunError::KeyLength {
            generators: key.max_len(),
            needed: key_len(shape),
        });
    }
    Ok(())
}

/// Errors unless `key` checks proofs of `statement`: a run key of its shape
/// ([`check_key`]; for HyperKZG, an SRS of at least [`run_num_vars`] powers) whose setup
/// is the statement's.
pub fn check_verifier_key(
    key: &SchemeVerifierKey,
    statement: &RunStatement,
    shape: &StepShape,
) -> Result<(), RunError> {
    match key {
        SchemeVerifierKey::Pedersen(k) => check_key(&SchemeKey::Pedersen(k.clone()), shape)?,
        SchemeVerifierKey::Kzg(k) => {
            if (k.power() as usize) < run_num_vars(shape) {
                return Err(RunError::KeyLength {
                    generators: 1usize.checked_shl(k.power()).unwrap_or(usize::MAX),
                    needed: key_len(shape),
                });
            }
        }
    }
    if key.setup() != statement.setup {
        return Err(RunError::SetupMismatch {
            statement: statement.setup,
            key: key.setup(),
        });
    }
    Ok(())
}
