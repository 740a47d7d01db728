//! Closing the IVC (`DESIGN.md` section 7, step 1): the last incoming primary instance is
//! folded into the running one, natively, as the IVC verifier would; then the result is
//! folded with a freshly sampled random satisfying relaxed instance, and the running
//! CycleFold instance likewise with a random CycleFold instance (HyperNova, ePrint
//! 2023/573, appendix D.4; microsoft/Nova does the same before compressing).
//!
//! What leaves the prover is [`Closing`]: instances and cross-term commitments, never a
//! witness. The verifier ([`verify_closing`]) checks the incoming instance's public input
//! against the statement's states, replays the three folds on one transcript and obtains
//! the closed instances `U'` (primary) and `cf_U'` (CycleFold), which the SNARKs then prove
//! satisfiable. Folding is sound for any pair of instances (a folded instance is satisfiable
//! only if, except with negligible probability, both are), so a prover gains nothing by
//! choosing the "random" instances; an honest prover samples them uniformly, which is what
//! makes the closed witnesses independent of the run's (see the [decider docs](super)).
//!
//! Transcript: sonobe's Poseidon sponge with `pp_hash`, domain [`CLOSE_DOMAIN`]; absorbs the
//! step count, then each fold absorbs its instances and its cross term before its 128-bit
//! challenge (sonobe's Nova verifier).

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ark_crypto_primitives::sponge::poseidon::{PoseidonConfig, PoseidonSponge};
use ark_std::rand::RngCore;
use sonobe::{
    fs::{DeciderKey, FoldingSchemeProver, FoldingSchemeVerifier},
    primitives::{relations::WitnessInstanceSampler, transcripts::Transcript},
};
use zkpot_core::Fr;

use crate::{
    error::{DeciderCheck, Error},
    ivc::{
        keys::IvcKey, proof::IvcProof, Fs1, Fs2, Grumpkin, Iu1, Iu2, Ru1, Ru2, Rw1, Rw2,
        SPONGE_DOMAIN,
    },
};

/// The domain of the closing transcript.
pub const CLOSE_DOMAIN: &[u8] = b"zkpot/decider/close";

/// The public part of closing the IVC: what the verifier needs to recompute the closed
/// instances. Every commitment in it is hiding (a uniform blind); see the [decider
/// docs](super) for what each field reveals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Closing {
    /// `U`: the IVC's running primary instance after the last step.
    pub running: Ru1,
    /// `u`: the last incoming primary instance (its public input is the hash of the
    /// states).
    pub incoming: Iu1,
    /// The cross term of folding `u` into `U`.
    pub cross_term: zkpot_core::G1,
    /// The random relaxed primary instance.
    pub random: Ru1,
    /// The cross term of folding the random instance in.
    pub random_cross_term: zkpot_core::G1,
    /// `cf_U`: the IVC's running CycleFold instance.
    pub cf_running: Ru2,
    /// The random relaxed CycleFold instance.
    pub cf_random: Ru2,
    /// The cross term of folding the random CycleFold instance in.
    pub cf_cross_term: Grumpkin,
}

/// The closed instance-witness pairs (the prover's; never sent).
#[allow(non_snake_case)]
pub(crate) struct Closed {
    pub(crate) W: Rw1,
    pub(crate) U: Ru1,
    pub(crate) cf_W: Rw2,
    pub(crate) cf_U: Ru2,
    /// The blinds of the three cross terms (primary, random primary, random CycleFold).
    #[cfg(test)]
    pub(crate) cross_blinds: (Fr, Fr, zkpot_core::Fq),
}

/// A deliberate deviation of the closing prover, for soundness tests only.
#[cfg(test)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum CloseCheat {
    /// An honest prover.
    #[default]
    None,
    /// The random primary instance's witness is changed after its commitments are made:
    /// the instance does not satisfy the relation.
    UnsatisfiedRandom,
    /// The same for the random CycleFold instance.
    UnsatisfiedCycleFoldRandom,
}

/// The closing transcript: sonobe's sponge with `pp_hash`, [`CLOSE_DOMAIN`], the step
/// count.
fn transcript(config: &PoseidonConfig<Fr>, pp_hash: Fr, steps: u64) -> PoseidonSponge<Fr> {
    let mut t = <PoseidonSponge<Fr> as Transcript<Fr>>::new_with_pp_hash(config.clone(), pp_hash)
        .separate_domain(CLOSE_DOMAIN);
    t.add(&Fr::from(steps));
    t
}

/// Closes the IVC proof `proof` (at least one step) made with `key`: the public
/// [`Closing`] and the closed pairs.
#[allow(non_snake_case)]
pub(crate) fn close(
    key: &IvcKey,
    proof: &IvcProof,
    mut rng: impl RngCore,
    #[cfg(test)] cheat: CloseCheat,
) -> Result<(Closing, Closed), Error> {
    if proof.i == 0 {
        return Err(Error::DeciderShape {
            reason: "an IVC proof of zero steps has nothing to close",
        });
    }
    proof.check_shape(key)?;
    let (dk1, dk2) = (key.dk1(), key.dk2());
    let mut t = transcript(key.sponge_config(), key.pp_hash(), proof.i);

    // The last incoming instance into the running one.
    let (W1, U1, cross_term) = <Fs1 as FoldingSchemeProver<1, 1>>::prove(
        dk1.to_pk(),
        &mut t,
        &[&proof.W],
        &[&proof.U],
        &[&proof.w],
        &[&proof.u],
        &mut rng,
    )?;

    // A uniformly random satisfying relaxed instance (witness, `u`, `x` uniform; `E`
    // computed; both committed with fresh blinds), folded in.
    #[allow(unused_mut)]
    let (mut Wr, Ur): (Rw1, Ru1) = WitnessInstanceSampler::<Rw1, Ru1>::sample(dk1, (), &mut rng)?;
    #[cfg(test)]
    if cheat == CloseCheat::UnsatisfiedRandom {
        if let Some(w) = Wr.w.first_mut() {
            *w += Fr::from(1u64);
        }
    }
    let none1: [&Iu1; 0] = [];
    let (W, U, random_cross_term) = <Fs1 as FoldingSchemeProver<2, 0>>::prove(
        dk1.to_pk(),
        &mut t,
        &[&W1, &Wr],
        &[&U1, &Ur],
        &[] as &[&crate::ivc::Iw1; 0],
        &none1,
        &mut rng,
    )?;

    // The same for CycleFold: the running instance with a random one.
    #[allow(unused_mut)]
    let (mut cf_Wr, cf_Ur): (Rw2, Ru2) =
        WitnessInstanceSampler::<Rw2, Ru2>::sample(dk2, (), &mut rng)?;
    #[cfg(test)]
    if cheat == CloseCheat::UnsatisfiedCycleFoldRandom {
        if let Some(w) = cf_Wr.w.first_mut() {
            *w += zkpot_core::Fq::from(1u64);
        }
    }
    let none2: [&Iu2; 0] = [];
    let (cf_W, cf_U, cf_cross_term) = <Fs2 as FoldingSchemeProver<2, 0>>::prove(
        dk2.to_pk(),
        &mut t,
        &[&proof.cf_W, &cf_Wr],
        &[&proof.cf_U, &cf_Ur],
        &[] as &[&crate::ivc::Iw2; 0],
        &none2,
        &mut rng,
    )?;

    // The cross terms' blinds, recovered from the folded blinds (tests check they are
    // non-zero and fresh: sonobe's issue #238 was a cross term committed with blind 0).
    #[cfg(test)]
    let cross_blinds = {
        use ark_ff::Field;
        let rho1 = U1.u - proof.U.u;
        let t1 = (W1.r_e - proof.W.r_e) * rho1.inverse().unwrap_or_default();
        let rho2 = (U.u - U1.u) * Ur.u.inverse().unwrap_or_default();
        let t2 = (W.r_e - W1.r_e - Wr.r_e * rho2 * rho2) * rho2.inverse().unwrap_or_default();
        let rho3 = (cf_U.u - proof.cf_U.u) * cf_Ur.u.inverse().unwrap_or_default();
        let t3 = (cf_W.r_e - proof.cf_W.r_e - cf_Wr.r_e * rho3 * rho3)
            * rho3.inverse().unwrap_or_default();
        (t1, t2, t3)
    };
    let closing = Closing {
        running: proof.U.clone(),
        incoming: proof.u.clone(),
        cross_term,
        random: Ur,
        random_cross_term,
        cf_running: proof.cf_U.clone(),
        cf_random: cf_Ur,
        cf_cross_term,
    };
    Ok((
        closing,
        Closed {
            W,
            U,
            cf_W,
            cf_U,
            #[cfg(test)]
            cross_blinds,
        },
    ))
}

/// What the closing verifier needs of the IVC key: `pp_hash`, the state length and the
/// public-input lengths of the two circuits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClosingShape {
    /// The hash of the IVC's public parameters.
    pub pp_hash: Fr,
    /// The step circuit's state length.
    pub state_len: usize,
    /// The primary (augmented) circuit's public inputs.
    pub primary_inputs: usize,
    /// The CycleFold circuit's public inputs.
    pub cyclefold_inputs: usize,
}

impl ClosingShape {
    /// The shape of `key`'s circuits.
    pub fn of(key: &IvcKey) -> Self {
        ClosingShape {
            pp_hash: key.pp_hash(),
            state_len: key.state_len(),
            primary_inputs: key.arith1().n_public_inputs,
            cyclefold_inputs: key.arith2().n_public_inputs,
        }
    }
}

/// Verifies `closing` for `steps` steps (at least one) from `z0` to `z_i` and returns the
/// closed primary and CycleFold instances, which the SNARKs must then show satisfiable.
/// `config` is the IVC's sponge configuration. Never panics.
pub fn verify_closing(
    shape: &ClosingShape,
    config: &PoseidonConfig<Fr>,
    steps: u64,
    z0: &[Fr],
    z_i: &[Fr],
    closing: &Closing,
) -> Result<(Ru1, Ru2), Error> {
    let bad_shape = || Error::decider_plain(DeciderCheck::Shape);
    if steps == 0 {
        return Err(Error::decider_plain(DeciderCheck::StepCount));
    }
    if z0.len() != shape.state_len || z_i.len() != shape.state_len {
        return Err(bad_shape());
    }
    // sonobe's fold verifiers zip the public inputs without checking their lengths.
    let primary = [&closing.running.x, &closing.incoming.x, &closing.random.x];
    let cyclefold = [&closing.cf_running.x, &closing.cf_random.x];
    if primary.iter().any(|x| x.len() != shape.primary_inputs)
        || cyclefold.iter().any(|x| x.len() != shape.cyclefold_inputs)
    {
        return Err(bad_shape());
    }

    let hash =
        <PoseidonSponge<Fr> as Transcript<Fr>>::new_with_pp_hash(config.clone(), shape.pp_hash);
    let u_x = hash
        .separate_domain(SPONGE_DOMAIN)
        .add(&Fr::from(steps))
        .add(z0)
        .add(z_i)
        .add(&closing.running)
        .add(&closing.cf_running)
        .get_field_element();
    if closing.incoming.x != [u_x] {
        return Err(Error::decider_plain(DeciderCheck::StateHash));
    }

    let mut t = transcript(config, shape.pp_hash, steps);
    let folded = <Fs1 as FoldingSchemeVerifier<1, 1>>::verify(
        &(),
        &mut t,
        &[&closing.running],
        &[&closing.incoming],
        &closing.cross_term,
    )?;
    let none1: [&Iu1; 0] = [];
    let closed = <Fs1 as FoldingSchemeVerifier<2, 0>>::verify(
        &(),
        &mut t,
        &[&folded, &closing.random],
        &none1,
        &closing.random_cross_term,
    )?;
    let none2: [&Iu2; 0] = [];
    let cf_closed = <Fs2 as FoldingSchemeVerifier<2, 0>>::verify(
        &(),
        &mut t,
        &[&closing.cf_running, &closing.cf_random],
        &none2,
        &closing.cf_cross_term,
    )?;
    Ok((closed, cf_closed))
}
