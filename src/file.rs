//! Proof files (`run.zkpot`) and the JSON form of a statement.
//!
//! # File format (version 1)
//!
//! | bytes | content |
//! |---|---|
//! | 8 | magic `ZKPOTPRF` |
//! | 4 | format version, `u32` little endian ([`FORMAT_VERSION`]) |
//! | 1 | proof kind: `1` = run proof ([`ProofKind::Run`]), `2` = folded proof ([`ProofKind::Folded`]) |
//! | ... | the statement ([`RunStatement::to_bytes`]: the spec's canonical JSON, `C_data`, `C_W0`, `C_WT`) |
//! | ... | the proof: [`RunProof::to_bytes`] (arkworks canonical compressed), or [`FinalProof::to_bytes`] |
//!
//! Reading checks everything: the magic, the version, the kind, the canonical spec,
//! every point on the curve and every field element canonical (`Validate::Yes`), and no
//! trailing bytes. A malformed file is a [`FileError`], never a panic.
//!
//! Both kinds prove the same statement. The run proof grows with the number of
//! iterations (one step proof per fold); the folded proof (Nova + CycleFold,
//! [`zkpot_folding::run`]) does not, but today it is megabytes (the IVC proof carries
//! its running witnesses) and, like the run proof, **not zero-knowledge**.

use std::path::{Path, PathBuf};

use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use zkpot_core::Fr;
use zkpot_folding::run::FinalProof;
use zkpot_gkr::run::{DataCommitment, RunError, RunProof, RunStatement};
use zkpot_pcs::pedersen::Commitment;
use zkpot_trainer::TrainSpec;

/// The first bytes of every proof file.
pub const MAGIC: &[u8; 8] = b"ZKPOTPRF";
/// The format version this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// What kind of proof a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProofKind {
    /// A run proof (one step proof per fold, one accumulator opening): grows with `T`.
    Run,
    /// A folded proof (one IVC proof of every fold, the tie and the opening): constant in
    /// `T`, but megabytes.
    Folded,
}

impl ProofKind {
    fn byte(self) -> u8 {
        match self {
            ProofKind::Run => 1,
            ProofKind::Folded => 2,
        }
    }

    /// Its name in messages: `"run proof"` or `"folded proof"`.
    pub fn name(self) -> &'static str {
        match self {
            ProofKind::Run => "run proof",
            ProofKind::Folded => "folded proof",
        }
    }

    /// What a proof of this kind is, and is not, today (for the user).
    pub fn note(self) -> &'static str {
        match self {
            ProofKind::Run => {
                "note: a run proof grows with the number of iterations and is NOT zero-knowledge"
            }
            ProofKind::Folded => {
                "note: the folded proof's size and verification time do not grow with the \
                 number of iterations, but it is megabytes (no compressed proof yet) and NOT \
                 zero-knowledge"
            }
        }
    }

    fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            1 => Some(ProofKind::Run),
            2 => Some(ProofKind::Folded),
            _ => None,
        }
    }
}

/// The proof a file holds.
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)] // one per file
pub enum Proof {
    /// A run proof ([`zkpot_gkr::run`]).
    Run(RunProof),
    /// A folded proof ([`zkpot_folding::run`]).
    Folded(FinalProof),
}

impl Proof {
    /// Its kind.
    pub fn kind(&self) -> ProofKind {
        match self {
            Proof::Run(_) => ProofKind::Run,
            Proof::Folded(_) => ProofKind::Folded,
        }
    }

    /// The number of folds it covers.
    pub fn folds(&self) -> u64 {
        match self {
            Proof::Run(p) => p.folds.len() as u64,
            Proof::Folded(p) => p.folds(),
        }
    }

    fn to_bytes(&self) -> Result<Vec<u8>, FileError> {
        match self {
            Proof::Run(p) => Ok(p.to_bytes()),
            Proof::Folded(p) => p
                .to_bytes()
                .map_err(|e| FileError::Malformed(e.to_string())),
        }
    }
}

/// Why a proof file could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file does not start with the magic bytes.
    #[error("not a zkpot proof file (no ZKPOTPRF header)")]
    NotAProof,
    /// The file is of another format version.
    #[error("proof file format version {found}; this zkpot reads version {supported}")]
    Version {
        /// The file's version.
        found: u32,
        /// The version this build reads.
        supported: u32,
    },
    /// An unknown proof kind.
    #[error("unknown proof kind {0}")]
    Kind(u8),
    /// The contents do not decode.
    #[error("malformed proof file: {0}")]
    Malformed(String),
}

/// A proof file's contents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProofFile {
    /// What is proven.
    pub statement: RunStatement,
    /// The proof.
    pub proof: Proof,
}

/// Sizes of the parts of a proof file, in bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Sizes {
    /// The whole file.
    pub file_bytes: usize,
    /// The header (magic, version, kind).
    pub header_bytes: usize,
    /// The statement.
    pub statement_bytes: usize,
    /// The proof.
    pub proof_bytes: usize,
    /// The number of folds.
    pub folds: usize,
    /// The parts of the proof, by kind.
    #[serde(flatten)]
    pub parts: ProofSizes,
}

/// The parts of a proof, in bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ProofSizes {
    /// A run proof's parts.
    Run(RunSizes),
    /// A folded proof's parts.
    Folded(FoldedSizes),
}

/// A folded proof's parts, in bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FoldedSizes {
    /// The IVC proof (running and incoming instances with their witnesses).
    pub ivc_bytes: usize,
    /// The tie to `C_WT` and the accumulator's opening.
    pub final_bytes: usize,
}

/// A run proof's parts, in bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RunSizes {
    /// All step proofs together.
    pub step_proofs_bytes: usize,
    /// The largest step proof.
    pub max_step_proof_bytes: usize,
    /// Commitments, Merkle paths and accumulator folds of all folds.
    pub fold_overhead_bytes: usize,
    /// The tie to `C_WT`, the last accumulator fold and the opening.
    pub final_bytes: usize,
}

impl ProofFile {
    /// The kind of proof.
    pub fn kind(&self) -> ProofKind {
        self.proof.kind()
    }

    /// The file's bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, FileError> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.push(self.kind().byte());
        out.extend(self.statement.to_bytes());
        out.extend(self.proof.to_bytes()?);
        Ok(out)
    }

    /// Decodes a file's bytes (see the module documentation).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, FileError> {
        let rest = bytes.strip_prefix(MAGIC).ok_or(FileError::NotAProof)?;
        let (version, rest) = rest
            .split_first_chunk::<4>()
            .ok_or_else(|| FileError::Malformed("truncated header".into()))?;
        let version = u32::from_le_bytes(*version);
        if version != FORMAT_VERSION {
            return Err(FileError::Version {
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        let (&kind, mut rest) = rest
            .split_first()
            .ok_or_else(|| FileError::Malformed("truncated header".into()))?;
        let kind = ProofKind::from_byte(kind).ok_or(FileError::Kind(kind))?;
        let malformed = |e: RunError| FileError::Malformed(e.to_string());
        let statement = RunStatement::read(&mut rest).map_err(malformed)?;
        let proof = match kind {
            ProofKind::Run => Proof::Run(RunProof::read(&mut rest).map_err(malformed)?),
            ProofKind::Folded => Proof::Folded(
                FinalProof::read(&mut rest).map_err(|e| FileError::Malformed(e.to_string()))?,
            ),
        };
        if !rest.is_empty() {
            return Err(FileError::Malformed(format!(
                "{} trailing bytes after the proof",
                rest.len()
            )));
        }
        Ok(ProofFile { statement, proof })
    }

    /// Writes the file atomically (a temporary file in the same folder, then a rename).
    pub fn write(&self, path: &Path) -> Result<(), FileError> {
        write_atomic(path, &self.to_bytes()?)
    }

    /// Reads and decodes a file.
    pub fn read(path: &Path) -> Result<Self, FileError> {
        let bytes = std::fs::read(path).map_err(|source| FileError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_bytes(&bytes)
    }

    /// The sizes of the file's parts.
    pub fn sizes(&self) -> Result<Sizes, FileError> {
        let statement_bytes = self.statement.to_bytes().len();
        let header_bytes = MAGIC.len() + 4 + 1;
        let (proof_bytes, parts) = match &self.proof {
            Proof::Run(proof) => {
                let proof_bytes = proof.compressed_size();
                let steps: Vec<usize> = proof
                    .folds
                    .iter()
                    .map(|f| f.step.compressed_size())
                    .collect();
                let step_proofs_bytes: usize = steps.iter().sum();
                let folds_bytes: usize = proof
                    .folds
                    .iter()
                    .map(|f| f.compressed_size())
                    .sum::<usize>()
                    + 8;
                let parts = ProofSizes::Run(RunSizes {
                    step_proofs_bytes,
                    max_step_proof_bytes: steps.iter().copied().max().unwrap_or(0),
                    fold_overhead_bytes: folds_bytes - step_proofs_bytes,
                    final_bytes: proof_bytes - folds_bytes,
                });
                (proof_bytes, parts)
            }
            Proof::Folded(proof) => {
                let proof_bytes = self.proof.to_bytes()?.len();
                let final_bytes = proof.finish.compressed_size();
                let parts = ProofSizes::Folded(FoldedSizes {
                    ivc_bytes: proof_bytes - final_bytes - 8,
                    final_bytes,
                });
                (proof_bytes, parts)
            }
        };
        Ok(Sizes {
            file_bytes: header_bytes + statement_bytes + proof_bytes,
            header_bytes,
            statement_bytes,
            proof_bytes,
            folds: self.proof.folds() as usize,
            parts,
        })
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename
/// ([`zkpot_core::io::write_atomic`]).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    zkpot_core::io::write_atomic(path, bytes).map_err(|source| FileError::Io {
        path: path.to_path_buf(),
        source,
    })
}

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
    /// `C_data`.
    pub data: DataJson,
    /// `C_W0`.
    pub w0: String,
    /// `C_WT`.
    pub wt: String,
    /// `T`.
    pub iterations: u64,
    /// `T / k`.
    pub folds: u64,
}

impl StatementJson {
    /// The JSON form of a file's statement.
    pub fn new(file: &ProofFile) -> Self {
        let s = &file.statement;
        StatementJson {
            kind: file.kind(),
            spec: s.spec.clone(),
            spec_digest: s.spec.digest().map(|d| hex(&d)).unwrap_or_default(),
            data: DataJson {
                root: hex(&s.data.root),
                num_chunks: s.data.num_chunks,
            },
            w0: hex(&s.w0),
            wt: hex(&s.wt),
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
/// alone). `spec`, `data` and `w0` are required; `wt`, `spec_digest`, `iterations` and
/// `folds` are compared when present.
pub fn check_expected(statement: &RunStatement, expected: &str) -> Result<(), ExpectedError> {
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
