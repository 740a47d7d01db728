//! The decider: a compressed, zero-knowledge proof that an IVC proof's final state is
//! correct (`DESIGN.md` section 7), in place of the uncompressed IVC proof, whose running
//! witnesses travel in the clear.
//!
//! ```text
//! key   = DeciderKey::new(&ivc_key)?                      // once per circuit
//! proof = prove(&key, &ivc_key, &kzg, backend, &ivc_proof, rng)?
//! verify(&key, kzg.verifier_key(), steps, &z0, &z_i, &proof)?
//! ```
//!
//! # The protocol
//!
//! 1. **Close the IVC** ([`close`]): fold the last incoming primary instance into the
//!    running one, then fold in a uniformly random satisfying relaxed instance; fold a
//!    random CycleFold instance into the running CycleFold instance. The verifier checks
//!    the incoming instance's public input is `H(pp_hash, i, z0, z_i, U, cf_U)` for the
//!    statement's states and replays the folds: two `G1` scalar multiplications per
//!    folded commitment, nothing that grows with the circuit.
//! 2. **Primary SNARK** ([`spartan`]): a Spartan sumcheck argument that the closed primary
//!    instance satisfies the augmented circuit's relaxed R1CS, opening `W` and `E` with
//!    HyperKZG's zero-knowledge evaluation proof (Nova's primary commitments are HyperKZG
//!    commitments on a HyperKZG run, [`crate::ivc::commitment`]).
//! 3. **CycleFold SNARK** ([`cyclefold`]): the same argument over Grumpkin's scalar field
//!    for the closed CycleFold instance (about 1,350 constraints), opening its Pedersen
//!    commitments with an inner-product argument.
//!
//! # Status (what is not built yet)
//!
//! * The verifier evaluates the primary matrices itself (the *plain* Spartan verifier:
//!   linear in the matrices, and a verifying key as large as the R1CS); the preprocessed
//!   verifying key (SPARK: committed sparse matrices, an offline memory check) is next.
//! * Only HyperKZG runs: a Pedersen run's primary commitments have no opening protocol
//!   here ([`Error::DeciderShape`]).
//!
//! # Zero knowledge, field by field
//!
//! Of [`DeciderProof`]:
//!
//! | field | why it leaks nothing |
//! |---|---|
//! | `closing.running`, `closing.incoming`: `cm_w`, `cm_e` | hiding commitments (uniform blinds, sonobe's hiding commitments) |
//! | `closing.running.u`, `.x`; `closing.incoming.x` | `u` is a sum of public-coin challenges; `x` is the IVC's state hash (Poseidon of states whose points are hiding commitments) or a combination of such hashes |
//! | `closing.cross_term`, `random_cross_term`, `cf_cross_term` | hiding commitments, each with a fresh uniform blind (sonobe commits `T` with `CM::commit(.., rng)`; tested non-zero) |
//! | `closing.random`, `cf_random` | a uniformly random instance: `u`, `x` uniform, `cm_w`, `cm_e` hiding |
//! | `closing.cf_running` | hiding Pedersen commitments; `u`, `x` from public-coin challenges and points of hiding commitments |
//! | `primary` (sumchecks, `Az~`, `Bz~`, `Cz~`, `E~`, `w~`) | functions of the closed witness `W' = W + rho W_r`, uniform and independent of `W` because `W_r` is uniform (`E'` is then determined by `W'` and the public `u'`, `x'`) |
//! | `primary.e_proof`, `primary.w_proof` | HyperKZG zero-knowledge evaluation proofs |
//! | `cyclefold` (sumchecks, evaluations, values, blinds, inner-product rounds) | functions of the closed CycleFold witness and its blinds, uniform by the same argument (`cf_W' = cf_W + rho cf_W_r`, `r' = r + rho r_r`); its openings need not hide |
//!
//! Of the rest of a [`CompressedProof`](crate::running::CompressedProof) and of its
//! statement ([`RunStatement`](zkpot_run::RunStatement)):
//!
//! | field | why it leaks nothing |
//! |---|---|
//! | statement `spec`, `setup`, `data.num_chunks`; proof `folds` | public by design (what was run, on which setup, how long) |
//! | statement `data.root` | a Poseidon Merkle root over hiding chunk commitments |
//! | statement `w0`, `wt` | hiding commitments (fresh uniform blinds) |
//! | statement `mask` | a hiding commitment to a uniformly random table `g` and `g~(r_0)`, a uniform value (`r_0` derived from the commitment) |
//! | `state`: digest, root, chunk index | public (the spec's digest, the statement's root, `folds mod chunks`) |
//! | `state`: `C_prev`, `C_acc` | hiding commitments (`C_acc` is a combination of hiding commitments with the mask's uniform blind in it) |
//! | `state`: `r_acc` | Fiat-Shamir challenges: random-oracle outputs on transcripts that contain hiding commitments with fresh blinds, hence uniform |
//! | `state`: `v_acc` | the accumulator's table is `g` plus a combination of the run's tables (the mask's claim is folded with coefficient 1 every time), so `v_acc` carries `g~(r_acc)`, uniform and independent of `g~(r_0)` for `r_acc != r_0` |
//! | `finish.mask` | a second mask: a hiding commitment to a fresh uniform table `h` and `h~(r_h)`, uniform |
//! | `finish.finish` (the end's hiding fold: round polynomials; the tie's value is never sent, a linked pair) | masked by `g` and `h` together: two masks at points that differ in every coordinate make the `2n` free values of the rounds uniform ([`zkpot_pcs::aggregate::hiding`] argues it) |
//! | `finish.open` | HyperKZG's zero-knowledge evaluation proof of the final accumulator |
//!
//! The evaluations of `g` that all these reveal are `g~(r_0)`, `g~(r_acc)` and the `n + 1`
//! of the end's fold: fewer than its `2^n` entries and at points in general position
//! (except with negligible probability over the challenges), so they are jointly uniform.
//!
//! A simulator that knows only the statement samples the closed witnesses uniformly, runs
//! the honest SNARK prover on them and sets the random instances' commitments to
//! `(Com(W') - Com-part of U_1) / rho`, programming the transcript's challenges (random
//! oracle model): the distributions are identical. This is the random-instance fold of
//! HyperNova (appendix D.4) and microsoft/Nova, used *instead of* masking polynomials in
//! the sumchecks: the sumchecks run on a witness that already carries no information.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod close;
pub mod cyclefold;
pub(crate) mod r1cs;
pub(crate) mod small;
pub mod spartan;

use std::io::{Read, Write};

use ark_crypto_primitives::sponge::poseidon::PoseidonConfig;
use ark_serialize::{
    CanonicalDeserialize, CanonicalSerialize, Compress, SerializationError, Valid, Validate,
};
use ark_std::rand::RngCore;
use sonobe::fs::FoldingSchemeDecider;
use zkpot_core::{Backend, Fr, G1};
use zkpot_pcs::{KzgKey, KzgVerifierKey};

use self::{close::close, cyclefold::CycleFoldKey, r1cs::SnarkR1cs};
pub use self::{
    close::{verify_closing, Closing, ClosingShape},
    cyclefold::CycleFoldProof,
    spartan::SpartanProof,
};
use crate::{
    error::Error,
    ivc::{keys::IvcKey, proof::IvcProof, Dk2, Fs2, Grumpkin, Iu1, Ru1, Ru2},
};

/// The decider's key for one IVC key: the primary R1CS in the decider's layout, the
/// CycleFold decider key, the closing shape and the sponge configuration. Prover and
/// verifier share it (the plain verifier needs the matrices).
#[derive(Clone)]
pub struct DeciderKey {
    r1cs: SnarkR1cs,
    cyclefold: CycleFoldKey,
    dk2: Dk2,
    shape: ClosingShape,
    sponge_config: PoseidonConfig<Fr>,
}

impl DeciderKey {
    /// The decider key of `key`'s circuits (reads the primary R1CS back from the key:
    /// seconds and, briefly, twice the key's memory for a large circuit).
    pub fn new(key: &IvcKey) -> Result<DeciderKey, Error> {
        let r1cs = SnarkR1cs::new(&key.primary_r1cs()?)?;
        Ok(DeciderKey {
            r1cs,
            cyclefold: CycleFoldKey::new(key.dk2())?,
            dk2: key.dk2().clone(),
            shape: ClosingShape::of(key),
            sponge_config: key.sponge_config().clone(),
        })
    }

    /// The augmented circuit's size as the decider sees it: constraints, witnesses and
    /// the non-zero entries of `A`, `B`, `C`.
    pub fn primary_size(&self) -> (usize, usize, [usize; 3]) {
        (
            self.r1cs.num_constraints(),
            self.r1cs.num_witnesses(),
            self.r1cs.num_entries(),
        )
    }
}

/// The decider's proof (see the [module docs](self) for each field's zero knowledge).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeciderProof {
    /// The public part of closing the IVC.
    pub closing: Closing,
    /// The primary SNARK.
    pub primary: SpartanProof,
    /// The CycleFold SNARK.
    pub cyclefold: CycleFoldProof,
}

/// A deliberate deviation of the decider's prover, for soundness tests only.
#[cfg(test)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Cheat {
    pub(crate) close: close::CloseCheat,
    pub(crate) spartan: spartan::SpartanCheat,
}

/// Proves that `proof` (an IVC proof of at least one step, made with `ivc`) is correct:
/// closes it and proves the closed instances. `kzg` is the run's HyperKZG key (Nova's
/// primary commitment key is its prefix).
pub fn prove<B: Backend>(
    key: &DeciderKey,
    ivc: &IvcKey,
    kzg: &KzgKey,
    backend: &B,
    proof: &IvcProof,
    mut rng: impl RngCore,
) -> Result<DeciderProof, Error> {
    prove_inner(
        key,
        ivc,
        kzg,
        backend,
        proof,
        &mut rng,
        #[cfg(test)]
        Cheat::default(),
    )
}

pub(crate) fn prove_inner<B: Backend>(
    key: &DeciderKey,
    ivc: &IvcKey,
    kzg: &KzgKey,
    backend: &B,
    proof: &IvcProof,
    rng: &mut impl RngCore,
    #[cfg(test)] cheat: Cheat,
) -> Result<DeciderProof, Error> {
    if !ivc.primary_is_kzg() || kzg.max_len() < ivc.primary_key_len() {
        return Err(Error::DeciderShape {
            reason: "the decider needs a HyperKZG run whose SRS gives Nova's primary key",
        });
    }
    if ClosingShape::of(ivc) != key.shape {
        return Err(Error::DeciderShape {
            reason: "the decider key was made for another IVC key",
        });
    }
    let (closing, closed) = close(
        ivc,
        proof,
        &mut *rng,
        #[cfg(test)]
        cheat.close,
    )?;
    #[cfg(test)]
    let check = cheat == Cheat::default();
    #[cfg(not(test))]
    let check = true;
    if check {
        Fs2::decide_running(&key.dk2, &closed.cf_W, &closed.cf_U).map_err(|_| {
            Error::DeciderShape {
                reason: "the closed CycleFold instance is not satisfied (the IVC proof is invalid)",
            }
        })?;
    }
    let primary = spartan::prove(
        &key.r1cs,
        kzg,
        backend,
        key.shape.pp_hash,
        (&closed.W, &closed.U),
        rng,
        #[cfg(test)]
        cheat.spartan,
    )?;
    let cyclefold = cyclefold::prove(
        &key.cyclefold,
        key.shape.pp_hash,
        (&closed.cf_W, &closed.cf_U),
    )?;
    Ok(DeciderProof {
        closing,
        primary,
        cyclefold,
    })
}

/// Verifies `proof` that `steps` steps of the IVC of `key` lead from `z0` to `z_i`, with
/// the run's HyperKZG verifier key `vk`. Never panics on any proof.
pub fn verify(
    key: &DeciderKey,
    vk: &KzgVerifierKey,
    steps: u64,
    z0: &[Fr],
    z_i: &[Fr],
    proof: &DeciderProof,
) -> Result<(), Error> {
    let (closed, cf_closed) = verify_closing(
        &key.shape,
        &key.sponge_config,
        steps,
        z0,
        z_i,
        &proof.closing,
    )?;
    spartan::verify(&key.r1cs, vk, key.shape.pp_hash, &closed, &proof.primary)?;
    cyclefold::verify(
        &key.cyclefold,
        key.shape.pp_hash,
        &cf_closed,
        &proof.cyclefold,
    )
}

/// Writes a running instance (`cm_e`, `u`, `cm_w`, `x`).
fn write_running<C: CanonicalSerialize, W: Write>(
    w: &mut W,
    compress: Compress,
    cm_e: &C,
    u: &impl CanonicalSerialize,
    cm_w: &C,
    x: &impl CanonicalSerialize,
) -> Result<(), SerializationError> {
    cm_e.serialize_with_mode(&mut *w, compress)?;
    u.serialize_with_mode(&mut *w, compress)?;
    cm_w.serialize_with_mode(&mut *w, compress)?;
    x.serialize_with_mode(&mut *w, compress)
}

impl CanonicalSerialize for DeciderProof {
    fn serialize_with_mode<W: Write>(
        &self,
        mut writer: W,
        compress: Compress,
    ) -> Result<(), SerializationError> {
        let w = &mut writer;
        let c = &self.closing;
        for u in [&c.running, &c.random] {
            write_running(w, compress, &u.cm_e, &u.u, &u.cm_w, &u.x)?;
        }
        c.incoming.cm_w.serialize_with_mode(&mut *w, compress)?;
        c.incoming.x.serialize_with_mode(&mut *w, compress)?;
        c.cross_term.serialize_with_mode(&mut *w, compress)?;
        c.random_cross_term.serialize_with_mode(&mut *w, compress)?;
        for u in [&c.cf_running, &c.cf_random] {
            write_running(w, compress, &u.cm_e, &u.u, &u.cm_w, &u.x)?;
        }
        c.cf_cross_term.serialize_with_mode(&mut *w, compress)?;
        self.primary.serialize_with_mode(&mut *w, compress)?;
        self.cyclefold.serialize_with_mode(&mut *w, compress)
    }

    fn serialized_size(&self, compress: Compress) -> usize {
        let mut counter = Vec::new();
        // Sizes are small (kilobytes): serializing is the simplest exact count.
        match self.serialize_with_mode(&mut counter, compress) {
            Ok(()) => counter.len(),
            Err(_) => 0,
        }
    }
}

impl Valid for DeciderProof {
    fn check(&self) -> Result<(), SerializationError> {
        let c = &self.closing;
        let g1 = [
            c.running.cm_e,
            c.running.cm_w,
            c.random.cm_e,
            c.random.cm_w,
            c.incoming.cm_w,
            c.cross_term,
            c.random_cross_term,
        ];
        G1::batch_check(g1.iter())?;
        let grumpkin = [
            c.cf_running.cm_e,
            c.cf_running.cm_w,
            c.cf_random.cm_e,
            c.cf_random.cm_w,
            c.cf_cross_term,
        ];
        Grumpkin::batch_check(grumpkin.iter())?;
        self.primary.check()?;
        self.cyclefold.check()
    }
}

impl CanonicalDeserialize for DeciderProof {
    fn deserialize_with_mode<R: Read>(
        mut reader: R,
        compress: Compress,
        validate: Validate,
    ) -> Result<Self, SerializationError> {
        let r = &mut reader;
        macro_rules! read {
            () => {
                CanonicalDeserialize::deserialize_with_mode(&mut *r, compress, validate)?
            };
        }
        let mut running1 = || -> Result<Ru1, SerializationError> {
            Ok(Ru1 {
                cm_e: read!(),
                u: read!(),
                cm_w: read!(),
                x: read!(),
            })
        };
        let running = running1()?;
        let random = running1()?;
        let incoming = Iu1 {
            cm_w: read!(),
            x: read!(),
        };
        let cross_term = read!();
        let random_cross_term = read!();
        let mut running2 = || -> Result<Ru2, SerializationError> {
            Ok(Ru2 {
                cm_e: read!(),
                u: read!(),
                cm_w: read!(),
                x: read!(),
            })
        };
        let cf_running = running2()?;
        let cf_random = running2()?;
        let cf_cross_term = read!();
        let primary = read!();
        let cyclefold = read!();
        let proof = DeciderProof {
            closing: Closing {
                running,
                incoming,
                cross_term,
                random,
                random_cross_term,
                cf_running,
                cf_random,
                cf_cross_term,
            },
            primary,
            cyclefold,
        };
        if validate == Validate::Yes {
            proof.check()?;
        }
        Ok(proof)
    }
}
