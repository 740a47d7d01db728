//! The JSON form of a statement (what `zkpot inspect` prints and `zkpot verify
//! --statement` reads), and the check of a proof's statement against an expected one.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use zkpot_core::Fr;
use zkpot_pcs::pedersen::Commitment;
use zkpot_run::{DataCommitment, RunStatement as Statement};
use zkpot_trainer::TrainSpec;

use crate::proof::ProofKind;

/// Hex of the compressed canonical encoding.
fn hex<T: CanonicalSerialize>(x: &T) -> String {
    let mut bytes = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = x.serialize_compressed(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex<T: CanonicalDeserialize>(s: &str) -> Option<T> {
    let s = s.strip_prefix("0x").unwrap_or(s);
    if s.len() % 2 != 0 || !s.is_ascii() {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect();
    let bytes = bytes?;
    let mut reader = bytes.as_slice();
    let x = T::deserialize_compressed(&mut reader).ok()?;
    reader.is_empty().then_some(x)
}

/// `C_data` in JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataJson {
    /// The Merkle root, hex of its canonical (little-endian) encoding.
    pub root: String,
    /// The number of chunks.
    pub num_chunks: u64,
}

/// The setup in JSON: the scheme and the key's digest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupJson {
    /// `"kzg"` or `"pedersen"`.
    pub pcs: String,
    /// The digest of the commitment key (for HyperKZG, of the SRS prefix), hex.
    pub digest: String,
}

/// The accumulator's starting mask in JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaskJson {
    /// The hiding commitment to the random table, hex.
    pub commitment: String,
    /// Its value at the point derived from the commitment, hex.
    pub value: String,
}

/// A statement as `zkpot inspect` prints it, and as `zkpot verify --statement` reads it.
/// Field elements and points are hex of their arkworks compressed encodings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatementJson {
    /// The proof kind.
    pub kind: ProofKind,
    /// The spec.
    pub spec: TrainSpec,
    /// Its digest.
    pub spec_digest: String,
    /// The commitment scheme and the digest of its key.
    pub setup: SetupJson,
    /// `C_data`.
    pub data: DataJson,
    /// `C_W0`.
    pub w0: String,
    /// `C_WT`.
    pub wt: String,
    /// The accumulator's starting mask (says nothing about the run).
    pub mask: MaskJson,
    /// `T`.
    pub iterations: u64,
    /// `T / k`.
    pub folds: u64,
}

impl StatementJson {
    /// The JSON form of a statement proven by a proof of `kind`.
    pub fn new(s: &Statement, kind: ProofKind) -> Self {
        StatementJson {
            kind,
            spec: s.spec.clone(),
            spec_digest: s.spec.digest().map(|d| hex(&d)).unwrap_or_default(),
            setup: SetupJson {
                pcs: s.setup.pcs.name().to_string(),
                digest: s.setup.digest_hex(),
            },
            data: DataJson {
                root: hex(&s.data.root),
                num_chunks: s.data.num_chunks,
            },
            w0: hex(&s.w0),
            wt: hex(&s.wt),
            mask: MaskJson {
                commitment: hex(&s.mask.commitment),
                value: hex(&s.mask.value),
            },
            iterations: s.iterations(),
            folds: s.folds(),
        }
    }
}

/// Why an expected statement does not match a proof's.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExpectedError {
    /// The expected-statement file is not usable.
    #[error("expected statement: {0}")]
    Unreadable(String),
    /// A field differs.
    #[error("the proof is about another statement: its {field} is not the expected one")]
    Mismatch {
        /// The field.
        field: &'static str,
    },
}

/// Checks a proof's statement against an expected one (JSON in the form `zkpot inspect`
/// prints: either the whole output, with a `statement` object, or the statement object
/// alone). `spec`, `data` and `w0` are required; `wt`, `mask`, `spec_digest`, `setup`,
/// `iterations` and `folds` are compared when present.
pub fn check_expected(statement: &Statement, expected: &str) -> Result<(), ExpectedError> {
    let bad = |m: &str| ExpectedError::Unreadable(m.to_string());
    let value: Value =
        serde_json::from_str(expected).map_err(|e| ExpectedError::Unreadable(e.to_string()))?;
    let obj = value.get("statement").unwrap_or(&value);
    let obj = obj.as_object().ok_or_else(|| bad("not a JSON object"))?;
    let mismatch = |field| Err(ExpectedError::Mismatch { field });

    let spec: TrainSpec = serde_json::from_value(
        obj.get("spec")
            .cloned()
            .ok_or_else(|| bad("no `spec` field"))?,
    )
    .map_err(|e| ExpectedError::Unreadable(format!("spec: {e}")))?;
    if spec != statement.spec {
        return mismatch("spec");
    }
    let data: DataJson = serde_json::from_value(
        obj.get("data")
            .cloned()
            .ok_or_else(|| bad("no `data` field (C_data)"))?,
    )
    .map_err(|e| ExpectedError::Unreadable(format!("data: {e}")))?;
    let root: Fr = unhex(&data.root).ok_or_else(|| bad("data.root is not a field element"))?;
    if (DataCommitment {
        root,
        num_chunks: data.num_chunks,
    }) != statement.data
    {
        return mismatch("data (C_data)");
    }
    let point = |name: &'static str| -> Result<Option<Commitment>, ExpectedError> {
        match obj.get(name) {
            None => Ok(None),
            Some(v) => v
                .as_str()
                .and_then(unhex::<Commitment>)
                .map(Some)
                .ok_or_else(|| ExpectedError::Unreadable(format!("{name} is not a point"))),
        }
    };
    match point("w0")? {
        None => return Err(bad("no `w0` field (C_W0)")),
        Some(w0) if w0 != statement.w0 => return mismatch("w0 (C_W0)"),
        Some(_) => {}
    }
    if point("wt")?.is_some_and(|wt| wt != statement.wt) {
        return mismatch("wt (C_WT)");
    }
    if let Some(mask) = obj.get("mask") {
        let mask: MaskJson = serde_json::from_value(mask.clone())
            .map_err(|e| ExpectedError::Unreadable(format!("mask: {e}")))?;
        let commitment: Commitment =
            unhex(&mask.commitment).ok_or_else(|| bad("mask.commitment is not a point"))?;
        let value: Fr =
            unhex(&mask.value).ok_or_else(|| bad("mask.value is not a field element"))?;
        if commitment != statement.mask.commitment || value != statement.mask.value {
            return mismatch("mask");
        }
    }
    if let Some(setup) = obj.get("setup") {
        let setup: SetupJson = serde_json::from_value(setup.clone())
            .map_err(|e| ExpectedError::Unreadable(format!("setup: {e}")))?;
        if setup.pcs != statement.setup.pcs.name() || setup.digest != statement.setup.digest_hex() {
            return mismatch("setup");
        }
    }
    if let Some(d) = obj.get("spec_digest") {
        let d: Option<Fr> = d.as_str().and_then(unhex);
        if d.is_none() || d != statement.spec.digest().ok() {
            return mismatch("spec_digest");
        }
    }
    for (name, actual) in [
        ("iterations", statement.iterations()),
        ("folds", statement.folds()),
    ] {
        if let Some(v) = obj.get(name) {
            if v.as_u64() != Some(actual) {
                return mismatch(if name == "iterations" {
                    "iterations"
                } else {
                    "folds"
                });
            }
        }
    }
    Ok(())
}
