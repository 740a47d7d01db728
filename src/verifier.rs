//! The [`Verifier`] of a run's final proof: trusts nothing it reads. The statement's spec
//! is validated and its sizes bounded before anything else ([`Limits::check`]), the keys
//! must be the statement's, and every proof field is checked; a malformed or false proof
//! is an error, never a panic.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use zkpot_run::{verify_run_timed, RunStatement as Statement, VerifyTimings};

use crate::error::Error;
use crate::keys::{Keys, Limits};
use crate::proof::FinalProof;

/// Checks final proofs with one run shape's keys.
///
/// ```no_run
/// # fn main() -> Result<(), zkpot::Error> {
/// use zkpot::{KeyStore, Keys, ProofFile, Verifier};
/// let file = ProofFile::read("run.zkpot".as_ref())?;
/// let store = KeyStore::default().derive(false);
/// let keys = Keys::for_statement(&store, &file.statement, file.kind(), &mut zkpot::Silent)?;
/// Verifier::new(&keys).verify(&file.statement, &file.proof)?;
/// println!("valid");
/// # Ok(()) }
/// ```
pub struct Verifier<'k> {
    keys: &'k Keys,
    limits: Limits,
}

impl<'k> Verifier<'k> {
    /// A verifier with `keys` (of the statements it will check) and the default
    /// [`Limits`].
    pub fn new(keys: &'k Keys) -> Self {
        Verifier {
            keys,
            limits: Limits::default(),
        }
    }

    /// The same verifier with other size limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Verifies `proof` for `statement`: `Ok(())` when the proof shows that the statement's
    /// run was computed correctly. Validates the statement's spec and bounds its sizes
    /// first, checks the keys are this statement's (spec, dataset size, proof kind), then
    /// the proof.
    pub fn verify(&self, statement: &Statement, proof: &FinalProof) -> Result<(), Error> {
        self.verify_timed(statement, proof).map(|_| ())
    }

    /// [`Verifier::verify`], returning where the time went: the folds (the step proofs,
    /// or the IVC proof) and the end of the run (the tie to `C_WT` and the opening).
    pub fn verify_timed(
        &self,
        statement: &Statement,
        proof: &FinalProof,
    ) -> Result<VerifyTimings, Error> {
        self.limits.check(&statement.spec)?;
        if proof.kind() != self.keys.kind() {
            return Err(Error::wrong_kind(proof.kind(), self.keys.kind()));
        }
        self.keys
            .check_run(&statement.spec, statement.data.num_chunks)?;
        let key = self.keys.commit_key().verifier_key();
        match proof {
            FinalProof::Run(proof) => Ok(verify_run_timed(&key, statement, proof)?),
            FinalProof::Folded(proof) => {
                let folded = self.keys.folded_keys().ok_or(Error::wrong_kind(
                    crate::ProofKind::Folded,
                    self.keys.kind(),
                ))?;
                Ok(zkpot_folding::running::verify_timed(
                    &key, folded, statement, proof,
                )?)
            }
            FinalProof::Compressed(proof) => {
                let decider = self.keys.decider_key().ok_or(Error::wrong_kind(
                    crate::ProofKind::Compressed,
                    self.keys.kind(),
                ))?;
                Ok(zkpot_folding::running::verify_compressed(
                    &key, decider, statement, proof,
                )?)
            }
        }
    }
}
