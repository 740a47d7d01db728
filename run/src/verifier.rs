//! The verifier of the linear run proof.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::{Duration, Instant};

use zkpot_pcs::{accumulator::Accumulator, SchemeVerifierKey};

use crate::{
    error::RunError,
    finish::{verify_finish, FinishProof},
    fold::verify_fold,
    proof::RunProof,
    statement::{check_verifier_key, run_num_vars, run_shape, RunStatement},
};

/// Verifies a run proof against its statement with the verifier key of the run's setup
/// (the statement's scheme and key digest, [`check_verifier_key`]: for Pedersen the
/// generators of [`KEY_LABEL`](crate::KEY_LABEL), exactly [`key_len`](crate::key_len) of
/// them; for HyperKZG the SRS prefix of [`run_num_vars`] powers). Never panics on
/// malformed input.
///
/// Returns `Ok(())` when every fold's step proof, chunk path and accumulator fold, the
/// tie to `C_WT` and the final opening all verify.
pub fn verify_run(
    key: &SchemeVerifierKey,
    statement: &RunStatement,
    proof: &RunProof,
) -> Result<(), RunError> {
    verify_run_timed(key, statement, proof).map(|_| ())
}

/// Where a verifier's time went.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VerifyTimings {
    /// The folds: every step proof, chunk path and accumulator fold (the linear run
    /// proof), or the IVC proof and its final state (the folded proof).
    pub folds: Duration,
    /// The end of the run: the tie to `C_WT` and the accumulator's opening
    /// ([`verify_finish`]).
    pub finish: Duration,
}

/// [`verify_run`], returning where the time went.
pub fn verify_run_timed(
    key: &SchemeVerifierKey,
    statement: &RunStatement,
    proof: &RunProof,
) -> Result<VerifyTimings, RunError> {
    let start = Instant::now();
    let (shape, digest) = run_shape(&statement.spec)?;
    check_verifier_key(key, statement, &shape)?;
    let expected = statement.folds();
    if proof.folds.len() as u64 != expected {
        return Err(RunError::FoldCount {
            expected,
            got: proof.folds.len() as u64,
            iterations: statement.iterations(),
        });
    }
    let mut accumulator = Accumulator::start(&statement.mask, run_num_vars(&shape));
    let mut prev = statement.w0;
    for (j, record) in proof.folds.iter().enumerate() {
        accumulator = verify_fold(
            &shape,
            digest,
            &statement.data,
            j as u64,
            prev,
            &accumulator,
            record,
        )?;
        prev = record.new;
    }
    let folds = start.elapsed();
    let start = Instant::now();
    verify_finish(
        key,
        statement,
        expected,
        prev,
        &accumulator,
        &FinishProof {
            mask: proof.mask,
            finish: proof.finish.clone(),
            open: proof.open.clone(),
        },
    )?;
    Ok(VerifyTimings {
        folds,
        finish: start.elapsed(),
    })
}
