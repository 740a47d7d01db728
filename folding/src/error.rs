//! The errors of `zkpot-folding`: one enum for key generation, proving, verification and
//! (de)serialization, and [`Check`], the verifier check that rejected a proof.

use std::fmt;

use ark_relations::gr1cs::SynthesisError;
use ark_serialize::SerializationError;
use sonobe::{fs::Error as FoldingError, primitives::arithmetizations::Error as ArithError};
use thiserror::Error;

/// Everything that can go wrong in `zkpot-folding`.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// A state vector (initial, current or returned by the step circuit) has the wrong length.
    #[error("{what} has {got} elements, the step circuit's state has {expected}")]
    StateLength {
        /// Which state.
        what: &'static str,
        /// The step circuit's `state_len`.
        expected: usize,
        /// The length given.
        got: usize,
    },
    /// The step circuit returned a different number of point operations than its `num_ops`.
    #[error("the step circuit asked for {got} point operations, it declares {expected}")]
    OpCount {
        /// The step circuit's `num_ops`.
        expected: usize,
        /// The number of operations it returned.
        got: usize,
    },
    /// A point operation's `rho` does not have exactly [`crate::RHO_BITS`] bits.
    #[error("point operation {op} has a {got}-bit rho, expected {expected} bits")]
    RhoLength {
        /// The index of the operation within the step.
        op: usize,
        /// [`crate::RHO_BITS`].
        expected: usize,
        /// The number of bits given.
        got: usize,
    },
    /// A point operation requested by the step circuit is wrong, caught by the prover
    /// before it is folded (it could never verify).
    #[error("point operation {op} of step {step} is invalid: {reason}")]
    InvalidPointOp {
        /// The step (0-based) being proven.
        step: u64,
        /// The index of the operation within the step.
        op: usize,
        /// What is wrong with it.
        reason: PointOpFault,
    },
    /// Our CycleFold circuit for `P0 + rho * P1` does not have the R1CS of Nova's own
    /// CycleFold circuit, so its instances cannot be folded into the same running instance.
    #[error(
        "the point-operation CycleFold circuit ({ours_constraints} constraints, {ours_inputs} \
         public inputs) differs from Nova's CycleFold circuit ({nova_constraints} constraints, \
         {nova_inputs} public inputs)"
    )]
    CycleFoldShape {
        /// Constraints of our circuit.
        ours_constraints: usize,
        /// Public inputs of our circuit.
        ours_inputs: usize,
        /// Constraints of Nova's circuit.
        nova_constraints: usize,
        /// Public inputs of Nova's circuit.
        nova_inputs: usize,
    },
    /// The step circuit given to the prover does not have the shape the key was made for.
    #[error(
        "the key was generated for a step circuit with state length {key_state_len} and \
         {key_num_ops} operations, this one has {state_len} and {num_ops}"
    )]
    CircuitMismatch {
        /// The key's state length.
        key_state_len: usize,
        /// The key's number of operations per step.
        key_num_ops: usize,
        /// The circuit's state length.
        state_len: usize,
        /// The circuit's number of operations per step.
        num_ops: usize,
    },
    /// A proof or prover state has vectors of the wrong length for the key.
    #[error("malformed proof: {what} has length {got}, expected {expected}")]
    MalformedProof {
        /// Which field.
        what: &'static str,
        /// The length the key requires.
        expected: usize,
        /// The length found.
        got: usize,
    },
    /// The proof bytes do not start with the magic bytes of an IVC proof.
    #[error("not a zkpot IVC proof (bad magic bytes)")]
    BadMagic,
    /// The proof bytes have a format version this build cannot read.
    #[error("unsupported IVC proof format version {0}")]
    UnsupportedVersion(u8),
    /// The proof bytes continue after the proof.
    #[error("{0} trailing bytes")]
    TrailingBytes(usize),
    /// The step counter would overflow.
    #[error("the step counter overflowed")]
    StepOverflow,
    /// The IVC proof was rejected by the verifier.
    #[error("IVC proof rejected: {check}")]
    Rejected {
        /// The check that failed.
        check: Check,
        /// The underlying folding-scheme error, where there is one.
        #[source]
        source: Option<FoldingError>,
    },
    /// Constraint synthesis failed.
    #[error("constraint synthesis failed: {0}")]
    Synthesis(#[from] SynthesisError),
    /// A folding-scheme operation (sonobe) failed.
    #[error("folding scheme: {0}")]
    Folding(#[from] FoldingError),
    /// A constraint-system operation (sonobe) failed.
    #[error("arithmetization: {0}")]
    Arith(#[from] ArithError),
    /// The run protocol's part (step proofs, chunk paths, accumulator, tie, opening)
    /// failed, or a checkpoint's run state is malformed.
    #[error(transparent)]
    Run(#[from] zkpot_run::RunError),
    /// The IVC keys were made for another spec or dataset size.
    #[error(
        "the IVC keys were generated for another spec or dataset size (the run has \
         {num_chunks} chunks, the keys {key_num_chunks})"
    )]
    KeysMismatch {
        /// The run's number of chunks.
        num_chunks: u64,
        /// The keys' number of chunks.
        key_num_chunks: u64,
    },
    /// The SRS has fewer powers than Nova's primary commitment key needs (the augmented
    /// circuit's constraints or witnesses, rounded up to a power of two).
    #[error(
        "the SRS has {available} powers, Nova's primary commitment key needs {needed} (the \
         augmented circuit's size): use an SRS of at least 2^{} powers",
        needed.trailing_zeros()
    )]
    SrsTooShort {
        /// Powers needed.
        needed: usize,
        /// Powers the SRS has.
        available: usize,
    },
    /// The IVC keys were made for another commitment setup than the run's (scheme or
    /// key/SRS), or their primary commitment key is not the one the setup gives.
    #[error("the IVC keys were made for another commitment setup: {reason}")]
    KeysSetup {
        /// What differs.
        reason: &'static str,
    },
    /// The IVC's final state does not describe the statement's run.
    #[error("the IVC's final state does not match the statement: {field}")]
    FinalState {
        /// The part that differs.
        field: StateField,
    },
    /// Bytes ended before a part was complete.
    #[error("truncated: {what}")]
    Truncated {
        /// What was being read.
        what: &'static str,
    },
    /// A checkpoint's IVC proof does not cover the folds its run state has proven.
    #[error("the checkpoint's IVC proof covers {ivc} folds, its run state {run}")]
    CheckpointFolds {
        /// Folds of the run state.
        run: u64,
        /// Steps of the IVC proof.
        ivc: u64,
    },
    /// Key generation needs a step circuit built with a dummy step's inputs.
    #[error("the step circuit has no dummy inputs to generate keys from")]
    NoDummyInputs,
    /// (De)serialization failed.
    #[error("serialization: {0}")]
    Serialization(#[from] SerializationError),
    /// The decider cannot handle this circuit or key.
    #[error("decider: {reason}")]
    DeciderShape {
        /// What is wrong.
        reason: &'static str,
    },
    /// The decider's proof was rejected.
    #[error("final proof rejected: {check}{}", detail.as_ref().map(|d| format!(" ({d})")).unwrap_or_default())]
    DeciderRejected {
        /// The check that failed.
        check: DeciderCheck,
        /// What the failing component said, where it said something.
        detail: Option<String>,
    },
    /// A commitment operation of the decider failed (prover side).
    #[error("decider commitment: {0}")]
    Pcs(#[from] zkpot_pcs::PcsError),
    /// A multilinear operation failed (prover side).
    #[error("decider tables: {0}")]
    Tables(#[from] zkpot_core::Error),
}

impl Error {
    /// A rejection by `check` with no underlying error.
    pub(crate) fn rejected(check: Check) -> Self {
        Error::Rejected {
            check,
            source: None,
        }
    }

    /// A decider rejection by `check`, with what the failing component said.
    pub(crate) fn decider(check: DeciderCheck, detail: impl fmt::Display) -> Self {
        Error::DeciderRejected {
            check,
            detail: Some(detail.to_string()),
        }
    }

    /// A decider rejection by `check` with nothing more to say.
    pub(crate) fn decider_plain(check: DeciderCheck) -> Self {
        Error::DeciderRejected {
            check,
            detail: None,
        }
    }

    /// The decider check that rejected, if this is a final-proof rejection.
    pub fn decider_check(&self) -> Option<DeciderCheck> {
        match self {
            Error::DeciderRejected { check, .. } => Some(*check),
            _ => None,
        }
    }

    /// The rejected check, if this is a verification failure.
    pub fn rejected_check(&self) -> Option<Check> {
        match self {
            Error::Rejected { check, .. } => Some(*check),
            _ => None,
        }
    }
}

/// What is wrong with a requested point operation `P2 = P0 + rho * P1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PointOpFault {
    /// `P0` is not on the curve.
    P0NotOnCurve,
    /// `P1` is not on the curve.
    P1NotOnCurve,
    /// `P2 != P0 + rho * P1`.
    WrongResult,
}

impl fmt::Display for PointOpFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PointOpFault::P0NotOnCurve => "P0 is not on the curve",
            PointOpFault::P1NotOnCurve => "P1 is not on the curve",
            PointOpFault::WrongResult => "P2 != P0 + rho * P1",
        })
    }
}

/// The part of a folded proof's final state that does not match its statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StateField {
    /// The state does not decode (wrong length, or limbs that are not points).
    Encoding,
    /// The spec's fold digest.
    Digest,
    /// The `C_data` root.
    DataRoot,
    /// The next chunk index.
    ChunkIndex,
}

impl fmt::Display for StateField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StateField::Encoding => "it does not decode",
            StateField::Digest => "it is about another spec",
            StateField::DataRoot => "it is about another dataset (C_data root)",
            StateField::ChunkIndex => "its chunk index is not the run's",
        })
    }
}

/// The verifier check that rejected an IVC proof.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Check {
    /// The proof is for a different number of steps than claimed.
    StepCount,
    /// The proof is for a different initial state than claimed.
    InitialState,
    /// The proof is for a different final state than claimed.
    FinalState,
    /// Zero steps, but the final state differs from the initial one.
    BaseCase,
    /// The last incoming instance's public input is not the hash of
    /// `(i, z0, z_i, U, cf_U)`.
    StateHash,
    /// The running primary (BN254) instance-witness pair is not satisfying.
    PrimaryRunning,
    /// The last incoming primary instance-witness pair is not satisfying.
    PrimaryIncoming,
    /// The running CycleFold (Grumpkin) instance-witness pair is not satisfying.
    CycleFoldRunning,
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Check::StepCount => "the step count differs from the proof's",
            Check::InitialState => "the initial state differs from the proof's",
            Check::FinalState => "the final state differs from the proof's",
            Check::BaseCase => "zero steps but the final state differs from the initial state",
            Check::StateHash => "the incoming instance does not commit to (i, z0, z_i, U, cf_U)",
            Check::PrimaryRunning => "the running primary instance is not satisfied",
            Check::PrimaryIncoming => "the incoming primary instance is not satisfied",
            Check::CycleFoldRunning => "the running CycleFold instance is not satisfied",
        })
    }
}

/// The decider check that rejected a final proof.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeciderCheck {
    /// A vector or instance in the proof has the wrong length for the circuit.
    Shape,
    /// The proof covers another number of steps than the statement's.
    StepCount,
    /// The last incoming instance's public input is not the hash of
    /// `(i, z0, z_i, U, cf_U)`.
    StateHash,
    /// The primary SNARK's outer sumcheck (`Az ∘ Bz - u Cz - E = 0`) failed.
    Outer,
    /// The evaluation proof of the error vector `E` failed.
    ErrorOpening,
    /// The primary SNARK's inner sumcheck (the matrices against `z`) failed.
    Inner,
    /// The evaluation proof of the witness `W` failed.
    WitnessOpening,
    /// The CycleFold SNARK's sumchecks failed.
    CycleFold,
    /// An opening of the CycleFold SNARK (an inner-product argument) failed.
    CycleFoldOpening,
}

impl fmt::Display for DeciderCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DeciderCheck::Shape => "a part has the wrong size for the circuit",
            DeciderCheck::StepCount => "the proof covers another number of steps",
            DeciderCheck::StateHash => {
                "the incoming instance does not commit to (i, z0, z_i, U, cf_U)"
            }
            DeciderCheck::Outer => "the relaxed R1CS sumcheck failed",
            DeciderCheck::ErrorOpening => "the opening of the error vector failed",
            DeciderCheck::Inner => "the matrix sumcheck failed",
            DeciderCheck::WitnessOpening => "the opening of the witness failed",
            DeciderCheck::CycleFold => "the CycleFold SNARK's sumchecks failed",
            DeciderCheck::CycleFoldOpening => "an opening of the CycleFold SNARK failed",
        })
    }
}
