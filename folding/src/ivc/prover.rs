//! The IVC prover: [`IvcProver`] folds one step at a time and holds the current proof,
//! which is also its whole state (checkpoint it with [`IvcProver::proof`] and rebuild it with
//! [`IvcProver::from_parts`]).

use std::cell::RefCell;

use ark_crypto_primitives::sponge::poseidon::PoseidonSponge;
use ark_ec::{AffineRepr, CurveGroup};
use ark_relations::gr1cs::SynthesisError;
use ark_std::rand::RngCore;
use sonobe::{
    fs::{DeciderKey, FoldingSchemeProver},
    ivc::compilers::cyclefold::{circuits::CycleFoldCircuit, FoldingSchemeCycleFoldExt},
    primitives::{
        circuits::AssignmentsExtractor,
        relations::WitnessInstanceSampler,
        traits::Dummy,
        transcripts::{recording::RecordingTranscript, Transcript},
    },
};
use zkpot_core::{Fr, G1};

use super::{
    augmented::{AugmentedCircuit, OpFolder, StepWitness, NOVA_CYCLEFOLDS},
    cyclefold::{op_assignments, op_instance},
    keys::IvcKey,
    proof::IvcProof,
    Dk2, Fs1, Fs2, Grumpkin, Iu2, Iw1, Ru2, Rw2, OPS_DOMAIN, TRANSCRIPT_DOMAIN,
};
use crate::{
    error::{Error, PointOpFault},
    ivc::circuit::{PointOp, StepCircuit},
};

/// A deliberate deviation of the prover, for soundness tests only.
#[cfg(test)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Cheat {
    /// An honest prover.
    #[default]
    None,
    /// Skip the native check of each point operation (fold a wrong one as an honest
    /// prover would fold a right one).
    SkipOpCheck,
    /// Skip the check and overwrite the CycleFold instance's public `P2` with the step
    /// circuit's claimed one, so that the instance matches the circuit's public inputs.
    ForgeOpOutput,
}

/// The prover of the IVC for the step circuit `SC`: it holds the current proof of
/// `z_i` (which is its whole state) and extends it by one step per
/// [`IvcProver::prove_step`].
pub struct IvcProver<'a, SC: StepCircuit> {
    pk: &'a IvcKey,
    circuit: &'a SC,
    state: IvcProof,
    #[cfg(test)]
    pub(crate) cheat: Cheat,
}

impl<'a, SC: StepCircuit> IvcProver<'a, SC> {
    /// A prover at step 0 with initial state `z0`.
    pub fn new(pk: &'a IvcKey, circuit: &'a SC, z0: Vec<Fr>) -> Result<Self, Error> {
        pk.check_circuit(circuit)?;
        if z0.len() != pk.state_len() {
            return Err(Error::StateLength {
                what: "the initial state",
                expected: pk.state_len(),
                got: z0.len(),
            });
        }
        let state = IvcProof::initial(pk, z0);
        Ok(Self {
            pk,
            circuit,
            state,
            #[cfg(test)]
            cheat: Cheat::None,
        })
    }

    /// A prover resumed from a checkpoint: `parts` is the proof of its last step (as
    /// returned by [`IvcProver::proof`] or [`IvcProver::into_parts`]). The shapes are
    /// checked against the key; the proof itself is not verified (call
    /// [`super::verify`] for that).
    pub fn from_parts(pk: &'a IvcKey, circuit: &'a SC, parts: IvcProof) -> Result<Self, Error> {
        pk.check_circuit(circuit)?;
        parts.check_shape(pk)?;
        Ok(Self {
            pk,
            circuit,
            state: parts,
            #[cfg(test)]
            cheat: Cheat::None,
        })
    }

    /// The number of steps proven so far.
    pub fn num_steps(&self) -> u64 {
        self.state.num_steps()
    }

    /// The initial state.
    pub fn initial_state(&self) -> &[Fr] {
        self.state.initial_state()
    }

    /// The current state `z_i` (after [`IvcProver::num_steps`] steps).
    pub fn current_state(&self) -> &[Fr] {
        self.state.current_state()
    }

    /// The current proof: the proof of [`IvcProver::current_state`], and the prover's
    /// whole state (a checkpoint).
    pub fn proof(&self) -> &IvcProof {
        &self.state
    }

    /// The current proof, consuming the prover.
    pub fn into_parts(self) -> IvcProof {
        self.state
    }

    /// Proves one more step with external inputs `ext`.
    ///
    /// Each point operation is checked natively before it is folded
    /// ([`Error::InvalidPointOp`]); the rest of the step circuit is not checked (a step
    /// that is not satisfied proves, and fails verification). On error the prover is left
    /// as it was before the call.
    #[allow(non_snake_case)]
    pub fn prove_step(
        &mut self,
        ext: SC::ExternalInputs,
        mut rng: impl RngCore,
    ) -> Result<(), Error> {
        let pk = self.pk;
        let i = self.state.num_steps();
        let next_i = i.checked_add(1).ok_or(Error::StepOverflow)?;
        let (arith1, arith2) = (pk.arith1(), pk.arith2());

        let hash = <PoseidonSponge<Fr> as Transcript<Fr>>::new_with_pp_hash(
            pk.sponge_config().clone(),
            pk.pp_hash(),
        );
        let mut transcript = RecordingTranscript::new(hash.separate_domain(TRANSCRIPT_DOMAIN));
        let op_transcript = hash.separate_domain(OPS_DOMAIN);

        let proof = &self.state;
        let (mut WW, mut UU) = (Dummy::dummy(arith1), Dummy::dummy(arith1));
        let mut cross_term = G1::default();
        let mut cf_us = vec![Iu2::dummy(arith2); NOVA_CYCLEFOLDS];
        let mut cf_cross_terms = vec![Grumpkin::default(); NOVA_CYCLEFOLDS];
        let (mut cf_WW, mut cf_UU): (Rw2, Ru2) = (Dummy::dummy(arith2), Dummy::dummy(arith2));

        if i != 0 {
            // 1. sonobe's fold of the primary instance and of Nova's CycleFold instances.
            (WW, UU, cross_term) = <Fs1 as FoldingSchemeProver<1, 1>>::prove(
                pk.dk1().to_pk(),
                &mut transcript,
                &[&proof.W],
                &[&proof.U],
                &[&proof.w],
                &[&proof.u],
                &mut rng,
            )?;
            let cf_circuits = Fs1::to_cyclefold_circuits(
                &[&proof.U],
                &[&proof.u],
                &cross_term,
                transcript.clone().into(),
            );
            if cf_circuits.len() != NOVA_CYCLEFOLDS {
                return Err(SynthesisError::Unsatisfiable.into());
            }
            cf_WW = proof.cf_W.clone();
            cf_UU = proof.cf_U.clone();
            for (k, cf_circuit) in cf_circuits.into_iter().enumerate() {
                let cs = AssignmentsExtractor::new();
                cs.execute_fn(|cs| cf_circuit.verify_point_rlc(cs))?;
                let (cf_w, cf_u) = op_instance(pk.dk2(), cs.assignments()?, &mut rng)?;
                let cf_proof;
                (cf_WW, cf_UU, cf_proof) = <Fs2 as FoldingSchemeProver<1, 1>>::prove(
                    pk.dk2().to_pk(),
                    &mut transcript,
                    &[&cf_WW],
                    &[&cf_UU],
                    &[&cf_w],
                    &[&cf_u],
                    &mut rng,
                )?;
                cf_us[k] = cf_u;
                cf_cross_terms[k] = cf_proof;
            }
        }

        // 2. The augmented circuit; the point operations are folded natively, from
        //    `(cf_WW, cf_UU)`, as the circuit reaches them.
        let mut folder = NativeFolder {
            dk2: pk.dk2(),
            transcript: op_transcript,
            W: cf_WW,
            U: cf_UU,
            rng: &mut rng,
            step: i,
            error: None,
            #[cfg(test)]
            cheat: self.cheat,
        };
        let augmented = AugmentedCircuit {
            sponge_config: pk.sponge_config(),
            arith1,
            arith2,
            step: self.circuit,
            profile: None,
        };
        let witness = StepWitness {
            pp_hash: pk.pp_hash(),
            i,
            z0: proof.initial_state(),
            z_i: proof.current_state(),
            ext: &ext,
            running: &proof.U,
            incoming: &proof.u,
            cross_term,
            cf_running: &proof.cf_U,
            cf_incoming: &cf_us,
            cf_cross_terms: &cf_cross_terms,
        };
        let diagnostic = RefCell::new(None);
        let cs = AssignmentsExtractor::new();
        let synthesized = cs
            .execute_fn(|cs| augmented.compute_next_state(cs, &witness, &mut folder, &diagnostic));
        let z_next = match synthesized {
            Ok(z) => z,
            Err(e) => {
                return Err(folder
                    .error
                    .take()
                    .or(diagnostic.into_inner())
                    .unwrap_or(Error::Synthesis(e)))
            }
        };
        let NativeFolder {
            W: cf_WW, U: cf_UU, ..
        } = folder;
        let (ww, uu) =
            WitnessInstanceSampler::<Iw1, _>::sample(pk.dk1(), cs.assignments()?, &mut rng)?;

        self.state = IvcProof {
            i: next_i,
            z0: self.state.z0.clone(),
            z_i: z_next,
            W: WW,
            U: UU,
            w: ww,
            u: uu,
            cf_W: cf_WW,
            cf_U: cf_UU,
        };
        Ok(())
    }
}

/// The native twin of the point-operation folds: checks each operation, builds its
/// CycleFold instance and folds it into the running CycleFold instance on the
/// point-operation transcript.
#[allow(non_snake_case)]
struct NativeFolder<'a, R: RngCore> {
    dk2: &'a Dk2,
    transcript: PoseidonSponge<Fr>,
    W: Rw2,
    U: Ru2,
    rng: &'a mut R,
    step: u64,
    error: Option<Error>,
    #[cfg(test)]
    cheat: Cheat,
}

impl<R: RngCore> NativeFolder<'_, R> {
    #[allow(non_snake_case)]
    fn fold_op(&mut self, index: usize, op: &PointOp) -> Result<(Iu2, Grumpkin), Error> {
        #[cfg(test)]
        let check = self.cheat == Cheat::None;
        #[cfg(not(test))]
        let check = true;
        if check {
            check_op(op).map_err(|reason| Error::InvalidPointOp {
                step: self.step,
                op: index,
                reason,
            })?;
        }
        #[allow(unused_mut)]
        let mut assignments = op_assignments(op)?;
        #[cfg(test)]
        if self.cheat == Cheat::ForgeOpOutput {
            assignments.public = super::cyclefold::op_public_inputs(op);
        }
        let (cf_w, cf_u) = op_instance(self.dk2, assignments, &mut *self.rng)?;
        let (W, U, cross_term) = <Fs2 as FoldingSchemeProver<1, 1>>::prove(
            self.dk2.to_pk(),
            &mut self.transcript,
            &[&self.W],
            &[&self.U],
            &[&cf_w],
            &[&cf_u],
            &mut *self.rng,
        )?;
        self.W = W;
        self.U = U;
        Ok((cf_u, cross_term))
    }
}

impl<R: RngCore> OpFolder for NativeFolder<'_, R> {
    fn fold(
        &mut self,
        index: usize,
        op: Option<PointOp>,
    ) -> Result<(Iu2, Grumpkin), SynthesisError> {
        let op = op.ok_or(SynthesisError::AssignmentMissing)?;
        self.fold_op(index, &op).map_err(|e| {
            self.error = Some(e);
            SynthesisError::Unsatisfiable
        })
    }
}

/// Checks `P2 = P0 + rho * P1` with `P0`, `P1` on the curve (or infinity).
fn check_op(op: &PointOp) -> Result<(), PointOpFault> {
    // BN254 `G1` has cofactor 1: on the curve means in the group.
    if !op.p0.is_on_curve() {
        return Err(PointOpFault::P0NotOnCurve);
    }
    if !op.p1.is_on_curve() {
        return Err(PointOpFault::P1NotOnCurve);
    }
    let expected = (op.p0.into_group() + op.p1 * op.rho()).into_affine();
    if expected != op.p2 {
        return Err(PointOpFault::WrongResult);
    }
    Ok(())
}
