//! The verifier of the uncompressed IVC proof.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ark_crypto_primitives::sponge::poseidon::PoseidonSponge;
use sonobe::{fs::FoldingSchemeDecider, primitives::transcripts::Transcript};
use zkpot_core::Fr;

use super::{keys::IvcKey, proof::IvcProof, Fs1, Fs2, SPONGE_DOMAIN};
use crate::error::{Check, Error};

/// Verifies that `proof` shows `z_i` is reached from `z0` in `num_steps` steps of the step
/// circuit of `vk`.
///
/// Checks, in order: the claimed `num_steps`, `z0`, `z_i` are the proof's; the shapes; for
/// zero steps, `z0 = z_i` (and nothing else); the public input of the last incoming
/// instance is `H(pp_hash, num_steps, z0, z_i, U, cf_U)`; the running primary, incoming
/// primary and running CycleFold instance-witness pairs satisfy their relations (R1CS and
/// commitment openings). Costs about 1.4 prover steps; never panics on any proof.
#[allow(non_snake_case)]
pub fn verify(
    vk: &IvcKey,
    num_steps: u64,
    z0: &[Fr],
    z_i: &[Fr],
    proof: &IvcProof,
) -> Result<(), Error> {
    for (what, z) in [("the initial state", z0), ("the final state", z_i)] {
        if z.len() != vk.state_len() {
            return Err(Error::StateLength {
                what,
                expected: vk.state_len(),
                got: z.len(),
            });
        }
    }
    if proof.i != num_steps {
        return Err(Error::rejected(Check::StepCount));
    }
    if proof.z0 != z0 {
        return Err(Error::rejected(Check::InitialState));
    }
    if proof.z_i != z_i {
        return Err(Error::rejected(Check::FinalState));
    }
    proof.check_shape(vk)?;
    if num_steps == 0 {
        return if z0 == z_i {
            Ok(())
        } else {
            Err(Error::rejected(Check::BaseCase))
        };
    }

    let hash = <PoseidonSponge<Fr> as Transcript<Fr>>::new_with_pp_hash(
        vk.sponge_config().clone(),
        vk.pp_hash(),
    );
    let u_x = hash
        .separate_domain(SPONGE_DOMAIN)
        .add(&Fr::from(num_steps))
        .add(z0)
        .add(z_i)
        .add(&proof.U)
        .add(&proof.cf_U)
        .get_field_element();
    if proof.u.x != [u_x] {
        return Err(Error::rejected(Check::StateHash));
    }

    let reject = |check: Check| {
        move |e| Error::Rejected {
            check,
            source: Some(e),
        }
    };
    Fs1::decide_running(vk.dk1(), &proof.W, &proof.U).map_err(reject(Check::PrimaryRunning))?;
    Fs1::decide_incoming(vk.dk1(), &proof.w, &proof.u).map_err(reject(Check::PrimaryIncoming))?;
    Fs2::decide_running(vk.dk2(), &proof.cf_W, &proof.cf_U)
        .map_err(reject(Check::CycleFoldRunning))?;
    Ok(())
}
