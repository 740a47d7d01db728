//! What leaves the prover: the [`FinalProof`] of a run (of either [`ProofKind`]) and the
//! proof file that carries it with its [`Statement`].
//!
//! # Proof files (`run.zkpot`)
//!
//! | bytes | content |
//! |---|---|
//! | 13 | the envelope ([`zkpot_core::io`]): magic `ZKPOTFMT`, format version, kind (compressed, folded or run proof) |
//! | ... | the statement ([`Statement::to_bytes`]: the spec's canonical JSON, the setup, `C_data`, `C_W0`, `C_WT`, the accumulator's starting mask) |
//! | ... | the proof: [`CompressedProof::to_bytes`], [`FoldedProof::to_bytes`], or [`RunProof::to_bytes`] (arkworks canonical compressed) |
//!
//! Reading checks everything: the envelope, the canonical spec, every point on the curve
//! and every field element canonical (`Validate::Yes`), and no trailing bytes. A
//! malformed file is an [`Error`], never a panic, and nothing is allocated from a length
//! the file claims before the bytes are there.
//!
//! The three kinds prove the same statement. The **compressed** proof (the default) is
//! the decider's proof of the folded run: tens of kilobytes whatever the number of
//! iterations, and zero-knowledge (`zkpot_folding::decider` argues it field by field); its
//! verifier is still the *plain* Spartan one (linear in the augmented circuit). The
//! folded proof (sonobe's uncompressed IVC proof) is megabytes and carries the running
//! witnesses: **not zero-knowledge**, for debugging. The run proof grows with the number
//! of iterations (one step proof per fold) and is **not zero-knowledge** either.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use ark_serialize::CanonicalSerialize;
use serde::{Deserialize, Serialize};
use zkpot_core::io::{envelope, open_envelope_of, FileKind, ENVELOPE_LEN};
use zkpot_folding::running::{CompressedProof, FoldedProof};
use zkpot_run::{RunProof, RunStatement as Statement};

use crate::error::Error;

/// The longest IVC state a compressed proof may carry (a run's state has 11 elements
/// before its accumulator point, which has at most 32 coordinates, then one value).
const MAX_STATE_LEN: usize = 64;

/// Which proof a run makes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProofKind {
    /// The compressed proof: the decider's proof of the folded run, constant in the number
    /// of iterations (tens of kilobytes) and zero-knowledge. HyperKZG runs only.
    #[default]
    Compressed,
    /// The folded proof (Nova + CycleFold): one IVC proof of every fold, constant in the
    /// number of iterations, but megabytes and not zero-knowledge (for debugging).
    Folded,
    /// The run proof: one step proof per fold, grows with the number of iterations.
    Run,
}

impl ProofKind {
    /// Its name in messages: `"folded proof"` or `"run proof"`.
    pub fn name(self) -> &'static str {
        match self {
            ProofKind::Run => "run proof",
            ProofKind::Folded => "folded proof",
            ProofKind::Compressed => "compressed proof",
        }
    }

    /// What a user must know about this kind of proof (printed after every proof).
    pub fn note(self) -> &'static str {
        match self {
            ProofKind::Run => {
                "note: a run proof grows with the number of iterations and is NOT zero-knowledge"
            }
            ProofKind::Folded => {
                "note: the folded proof's size and verification time do not grow with the \
                 number of iterations, but it is megabytes and NOT zero-knowledge (it carries \
                 the running witnesses): use the compressed proof to hand out"
            }
            ProofKind::Compressed => {
                "note: the compressed proof's size and verification time do not grow with the \
                 number of iterations, and it is zero-knowledge; its verifier still evaluates \
                 the circuit's matrices itself (no preprocessed verifying key yet)"
            }
        }
    }

    /// The envelope kind of a proof file of this kind.
    pub(crate) fn proof_file(self) -> FileKind {
        match self {
            ProofKind::Run => FileKind::RunProof,
            ProofKind::Folded => FileKind::FoldedProof,
            ProofKind::Compressed => FileKind::CompressedProof,
        }
    }

    /// The envelope kind of a checkpoint of this kind (a folded run's, for the folded
    /// and the compressed proof alike: they differ only at the end).
    pub(crate) fn checkpoint_file(self) -> FileKind {
        match self {
            ProofKind::Run => FileKind::RunCheckpoint,
            ProofKind::Folded | ProofKind::Compressed => FileKind::FoldedCheckpoint,
        }
    }
}

impl fmt::Display for ProofKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ProofKind::Compressed => "compressed",
            ProofKind::Folded => "folded",
            ProofKind::Run => "run",
        })
    }
}

impl FromStr for ProofKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "compressed" => Ok(ProofKind::Compressed),
            "folded" => Ok(ProofKind::Folded),
            "run" => Ok(ProofKind::Run),
            _ => Err(Error::Usage {
                flag: "--proof",
                reason: format!("`{s}` is not a proof kind (compressed, folded or run)"),
            }),
        }
    }
}

/// The proof of a whole run, of either kind; [`Verifier::verify`](crate::Verifier::verify)
/// checks it against its [`Statement`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)] // one per run
pub enum FinalProof {
    /// A compressed proof.
    Compressed(CompressedProof),
    /// A folded proof.
    Folded(FoldedProof),
    /// A run proof.
    Run(RunProof),
}

impl FinalProof {
    /// Its kind.
    pub fn kind(&self) -> ProofKind {
        match self {
            FinalProof::Run(_) => ProofKind::Run,
            FinalProof::Folded(_) => ProofKind::Folded,
            FinalProof::Compressed(_) => ProofKind::Compressed,
        }
    }

    /// The number of folds it covers.
    pub fn folds(&self) -> u64 {
        match self {
            FinalProof::Run(p) => p.folds.len() as u64,
            FinalProof::Folded(p) => p.folds(),
            FinalProof::Compressed(p) => p.folds,
        }
    }

    /// The proof's canonical bytes (without statement or envelope).
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        match self {
            FinalProof::Run(p) => Ok(p.to_bytes()),
            FinalProof::Folded(p) => Ok(p.to_bytes()?),
            FinalProof::Compressed(p) => Ok(p.to_bytes()?),
        }
    }

    /// Decodes a proof of `kind` from the front of `reader`, advancing it.
    fn read(kind: ProofKind, reader: &mut &[u8]) -> Result<Self, Error> {
        Ok(match kind {
            ProofKind::Run => FinalProof::Run(RunProof::read(reader)?),
            ProofKind::Folded => FinalProof::Folded(FoldedProof::read(reader)?),
            ProofKind::Compressed => {
                FinalProof::Compressed(CompressedProof::read(reader, MAX_STATE_LEN)?)
            }
        })
    }
}

/// A proof file: the statement and the proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProofFile {
    /// What is proven.
    pub statement: Statement,
    /// The proof.
    pub proof: FinalProof,
}

/// The sizes of a proof file's parts, in bytes (`zkpot inspect` prints them).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Sizes {
    /// The whole file.
    pub file_bytes: usize,
    /// The envelope.
    pub header_bytes: usize,
    /// The statement.
    pub statement_bytes: usize,
    /// The proof.
    pub proof_bytes: usize,
    /// The number of folds.
    pub folds: u64,
    /// The proof's parts.
    #[serde(flatten)]
    pub parts: ProofSizes,
}

/// The parts of a proof, by kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ProofSizes {
    /// A run proof's parts.
    Run(RunSizes),
    /// A folded proof's parts.
    Folded(FoldedSizes),
    /// A compressed proof's parts.
    Compressed(CompressedSizes),
}

/// A compressed proof's parts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CompressedSizes {
    /// Closing the IVC: the closed instances and the folds' cross terms.
    pub closing_bytes: usize,
    /// The primary SNARK (Spartan over HyperKZG).
    pub primary_snark_bytes: usize,
    /// The CycleFold SNARK (Spartan over Pedersen + IPA on Grumpkin).
    pub cyclefold_snark_bytes: usize,
    /// The IVC's final state (with its length prefix) and the fold count.
    pub state_bytes: usize,
    /// The end of the run: the mask, the tie and the opening.
    pub final_bytes: usize,
}

/// A folded proof's parts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FoldedSizes {
    /// The IVC proof (with its length prefix).
    pub ivc_bytes: usize,
    /// The tie and the opening.
    pub final_bytes: usize,
}

/// A run proof's parts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RunSizes {
    /// All step proofs.
    pub step_proofs_bytes: usize,
    /// The largest step proof.
    pub max_step_proof_bytes: usize,
    /// Per-fold records besides their step proofs (commitments, paths, accumulator folds).
    pub fold_overhead_bytes: usize,
    /// The tie and the opening.
    pub final_bytes: usize,
}

impl ProofFile {
    /// The proof's kind.
    pub fn kind(&self) -> ProofKind {
        self.proof.kind()
    }

    /// The file's bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut out = envelope(self.kind().proof_file());
        out.extend(self.statement.to_bytes());
        out.extend(self.proof.to_bytes()?);
        Ok(out)
    }

    /// Decodes a proof file (see the [module docs](self)); never panics.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let (kind, mut rest) = open_envelope_of(
            bytes,
            &[
                FileKind::CompressedProof,
                FileKind::FoldedProof,
                FileKind::RunProof,
            ],
            "a proof",
        )?;
        let kind = match kind {
            FileKind::RunProof => ProofKind::Run,
            FileKind::FoldedProof => ProofKind::Folded,
            _ => ProofKind::Compressed,
        };
        let statement = Statement::read(&mut rest)?;
        let proof = FinalProof::read(kind, &mut rest)?;
        if !rest.is_empty() {
            return Err(Error::TrailingBytes {
                what: "the proof file",
                count: rest.len(),
            });
        }
        Ok(ProofFile { statement, proof })
    }

    /// Writes the file atomically.
    pub fn write(&self, path: &Path) -> Result<(), Error> {
        crate::files::write(path, &self.to_bytes()?)
    }

    /// Reads and decodes a proof file.
    pub fn read(path: &Path) -> Result<Self, Error> {
        Self::from_bytes(&crate::files::read(path)?).map_err(|e| e.in_file(path))
    }

    /// The sizes of the file's parts.
    pub fn sizes(&self) -> Result<Sizes, Error> {
        let statement_bytes = self.statement.to_bytes().len();
        let (proof_bytes, parts) = match &self.proof {
            FinalProof::Run(proof) => {
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
                    fold_overhead_bytes: folds_bytes.saturating_sub(step_proofs_bytes),
                    final_bytes: proof_bytes.saturating_sub(folds_bytes),
                });
                (proof_bytes, parts)
            }
            FinalProof::Compressed(proof) => {
                let proof_bytes = self.proof.to_bytes()?.len();
                let primary_snark_bytes = proof.decider.primary.compressed_size();
                let cyclefold_snark_bytes = proof.decider.cyclefold.compressed_size();
                let closing_bytes = proof
                    .decider
                    .compressed_size()
                    .saturating_sub(primary_snark_bytes + cyclefold_snark_bytes);
                let final_bytes = proof.finish.compressed_size();
                let parts = ProofSizes::Compressed(CompressedSizes {
                    closing_bytes,
                    primary_snark_bytes,
                    cyclefold_snark_bytes,
                    state_bytes: proof_bytes.saturating_sub(
                        closing_bytes + primary_snark_bytes + cyclefold_snark_bytes + final_bytes,
                    ),
                    final_bytes,
                });
                (proof_bytes, parts)
            }
            FinalProof::Folded(proof) => {
                let proof_bytes = self.proof.to_bytes()?.len();
                let final_bytes = proof.finish.compressed_size();
                let parts = ProofSizes::Folded(FoldedSizes {
                    ivc_bytes: proof_bytes.saturating_sub(final_bytes),
                    final_bytes,
                });
                (proof_bytes, parts)
            }
        };
        Ok(Sizes {
            file_bytes: ENVELOPE_LEN + statement_bytes + proof_bytes,
            header_bytes: ENVELOPE_LEN,
            statement_bytes,
            proof_bytes,
            folds: self.proof.folds(),
            parts,
        })
    }
}
