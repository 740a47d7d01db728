//! The augmented circuit: sonobe's CycleFold IVC step (hash check of the incoming instance,
//! hinted primary fold, in-circuit folds of Nova's CycleFold instances, base case) plus the
//! step circuit and one in-circuit CycleFold fold per point operation it returns.

use std::cell::RefCell;

use ark_crypto_primitives::sponge::poseidon::{constraints::PoseidonSpongeVar, PoseidonConfig};
use ark_ff::{BigInteger, PrimeField, Zero};
use ark_r1cs_std::{
    alloc::AllocVar,
    boolean::Boolean,
    eq::EqGadget,
    fields::{fp::FpVar, FieldVar},
    GR1CSVar,
};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use num_bigint::{BigInt, BigUint};
use sonobe::{
    fs::{FoldingInstanceVar, FoldingSchemeFullVerifierGadget, FoldingSchemePartialVerifierGadget},
    ivc::compilers::cyclefold::FoldingSchemeCycleFoldExt,
    primitives::{
        algebra::field::emulated::{Bounds, EmulatedFieldVar},
        arithmetizations::ArithConfig,
        circuits::WitnessToPublic,
        traits::Dummy,
        transcripts::{recording::RecordingTranscriptVar, TranscriptGadget},
    },
};
use zkpot_core::{Fq, Fr, G1};

use super::{
    Fs1, Gadget1, Gadget2, Grumpkin, GrumpkinVar, Iu1, Iu1Var, Iu2, Iu2Var, Ru1, Ru1Var, Ru2,
    Ru2Var, OPS_DOMAIN, SPONGE_DOMAIN, TRANSCRIPT_DOMAIN,
};
use crate::{
    error::Error,
    gadgets::G1Var,
    ivc::circuit::{PointOp, PointOpVar, StepCircuit},
    RHO_BITS,
};

/// The number of CycleFold instances of Nova's own fold (one per folded commitment).
pub(crate) const NOVA_CYCLEFOLDS: usize = <Fs1 as FoldingSchemeCycleFoldExt<1, 1>>::N_CYCLEFOLDS;

/// The native side of the extra CycleFold folds, called by the circuit once per point
/// operation, in order.
pub(crate) trait OpFolder {
    /// Folds operation `index` (values `op`, `None` in setup mode) natively and returns the
    /// incoming CycleFold instance and the fold's cross-term commitment for the circuit.
    fn fold(
        &mut self,
        index: usize,
        op: Option<PointOp>,
    ) -> Result<(Iu2, Grumpkin), SynthesisError>;
}

/// The [`OpFolder`] of key generation: dummy values.
pub(crate) struct SetupFolder<'a> {
    pub arith2: &'a ArithConfig,
}

impl OpFolder for SetupFolder<'_> {
    fn fold(&mut self, _: usize, _: Option<PointOp>) -> Result<(Iu2, Grumpkin), SynthesisError> {
        Ok((Iu2::dummy(self.arith2), Grumpkin::default()))
    }
}

/// The values of one step of the augmented circuit.
pub(crate) struct StepWitness<'a, E> {
    /// The hash of the public parameters.
    pub pp_hash: Fr,
    /// The step index `i`.
    pub i: u64,
    /// The initial state.
    pub z0: &'a [Fr],
    /// The current state.
    pub z_i: &'a [Fr],
    /// The step circuit's external inputs.
    pub ext: &'a E,
    /// The running primary instance before this step's fold.
    pub running: &'a Ru1,
    /// The incoming primary instance (the previous step's circuit).
    pub incoming: &'a Iu1,
    /// Nova's cross-term commitment of the primary fold.
    pub cross_term: G1,
    /// The running CycleFold instance before this step's folds.
    pub cf_running: &'a Ru2,
    /// Nova's CycleFold instances of the primary fold.
    pub cf_incoming: &'a [Iu2],
    /// Their folds' cross-term commitments.
    pub cf_cross_terms: &'a [Grumpkin],
}

/// The augmented circuit of a step circuit.
pub(crate) struct AugmentedCircuit<'a, SC> {
    pub sponge_config: &'a PoseidonConfig<Fr>,
    pub arith1: &'a ArithConfig,
    pub arith2: &'a ArithConfig,
    pub step: &'a SC,
    /// Where to record the constraints of each part (for [`super::keys::augmented_profile`]).
    pub profile: Option<&'a RefCell<Vec<(&'static str, usize)>>>,
}

impl<SC: StepCircuit> AugmentedCircuit<'_, SC> {
    /// Synthesizes the circuit with dummy values (key generation, shape).
    pub(crate) fn synthesize_setup(
        &self,
        cs: ConstraintSystemRef<Fr>,
        diagnostic: &RefCell<Option<Error>>,
    ) -> Result<(), SynthesisError> {
        let zeros = vec![Fr::zero(); self.step.state_len()];
        let Some(ext) = self.step.dummy_external_inputs() else {
            *diagnostic.borrow_mut() = Some(Error::NoDummyInputs);
            return Err(SynthesisError::AssignmentMissing);
        };
        let running = Ru1::dummy(self.arith1);
        let incoming = Iu1::dummy(self.arith1);
        let cf_running = Ru2::dummy(self.arith2);
        let cf_incoming = vec![Iu2::dummy(self.arith2); NOVA_CYCLEFOLDS];
        let cf_cross_terms = vec![Grumpkin::default(); NOVA_CYCLEFOLDS];
        let witness = StepWitness {
            pp_hash: Fr::zero(),
            i: 0,
            z0: &zeros,
            z_i: &zeros,
            ext: &ext,
            running: &running,
            incoming: &incoming,
            cross_term: G1::default(),
            cf_running: &cf_running,
            cf_incoming: &cf_incoming,
            cf_cross_terms: &cf_cross_terms,
        };
        let mut folder = SetupFolder {
            arith2: self.arith2,
        };
        self.compute_next_state(cs, &witness, &mut folder, diagnostic)
            .map(|_| ())
    }

    /// Synthesizes step `i`: returns the next state's values (empty in setup mode).
    ///
    /// Errors the caller should see in full (wrong state length, wrong number of
    /// operations) are left in `diagnostic`, with `SynthesisError::Unsatisfiable` returned.
    #[allow(non_snake_case)]
    pub(crate) fn compute_next_state(
        &self,
        cs: ConstraintSystemRef<Fr>,
        w: &StepWitness<'_, SC::ExternalInputs>,
        folder: &mut impl OpFolder,
        diagnostic: &RefCell<Option<Error>>,
    ) -> Result<Vec<Fr>, SynthesisError> {
        let state_len = self.step.state_len();
        let mark = RefCell::new(cs.num_constraints());
        let record = |part: &'static str| {
            if let Some(profile) = self.profile {
                let now = cs.num_constraints();
                profile
                    .borrow_mut()
                    .push((part, now.saturating_sub(mark.replace(now))));
            }
        };
        let fail = |e: Error| {
            *diagnostic.borrow_mut() = Some(e);
            SynthesisError::Unsatisfiable
        };
        for (what, z) in [("the initial state", w.z0), ("the current state", w.z_i)] {
            if z.len() != state_len {
                return Err(fail(Error::StateLength {
                    what,
                    expected: state_len,
                    got: z.len(),
                }));
            }
        }

        let pp_hash = FpVar::new_witness(cs.clone(), || Ok(w.pp_hash))?;
        let hash = <PoseidonSpongeVar<Fr> as TranscriptGadget<Fr>>::new_with_pp_hash(
            self.sponge_config.clone(),
            &pp_hash,
        )?;
        let mut sponge = hash.separate_domain(SPONGE_DOMAIN)?;
        let mut transcript = RecordingTranscriptVar::new(hash.separate_domain(TRANSCRIPT_DOMAIN)?);
        let mut op_transcript = hash.separate_domain(OPS_DOMAIN)?;

        let i = FpVar::new_witness(cs.clone(), || Ok(Fr::from(w.i)))?;
        let next_i = &i + FpVar::one();
        let is_base = i.is_zero()?;

        let z0 = Vec::<FpVar<Fr>>::new_witness(cs.clone(), || Ok(w.z0))?;
        let z_i = Vec::<FpVar<Fr>>::new_witness(cs.clone(), || Ok(w.z_i))?;

        let U_dummy = Ru1Var::new_constant(cs.clone(), Ru1::dummy(self.arith1))?;
        let U = Ru1Var::new_witness(cs.clone(), || Ok(w.running))?;
        let cross_term = G1Var::new_witness(cs.clone(), || Ok(w.cross_term))?;

        let cf_U_dummy = Ru2Var::new_constant(cs.clone(), Ru2::dummy(self.arith2))?;
        let cf_U = Ru2Var::new_witness(cs.clone(), || Ok(w.cf_running))?;
        let cf_cross_terms = Vec::<GrumpkinVar>::new_witness(cs.clone(), || Ok(w.cf_cross_terms))?;

        // 0. Base case: the current state is the initial state.
        z0.as_slice()
            .conditional_enforce_equal(z_i.as_slice(), &is_base)?;

        // 1. The incoming instance `u` is the previous step's circuit, whose public input is
        //    `H(i, z0, z_i, U, cf_U)`; fold it into `U` (hinted: the commitments' scalar
        //    multiplications are proven by Nova's CycleFold instances below).
        let u_x = sponge
            .clone()
            .add(&i)?
            .add(&z0)?
            .add(&z_i)?
            .add(&U)?
            .add(&cf_U)?
            .get_field_element()?;
        let u = Iu1Var::new_witness_with_public_inputs(cs.clone(), w.incoming, vec![u_x])?;
        let UU = Gadget1::verify_hinted(&(), &mut transcript, [&U], [&u], &cross_term)?;
        let next_U = is_base.select(&U_dummy, &UU)?;
        record("inputs, incoming hash, Nova fold (hinted)");

        // 2. Fold Nova's CycleFold instances into `cf_U`; at the base case the result is the
        //    dummy instance (nothing was folded natively).
        let cf_xs = Fs1::to_cyclefold_inputs([U], [u], UU, cross_term, transcript.clone().into())?;
        if cf_xs.len() != NOVA_CYCLEFOLDS
            || w.cf_incoming.len() != NOVA_CYCLEFOLDS
            || cf_cross_terms.len() != NOVA_CYCLEFOLDS
        {
            return Err(SynthesisError::Unsatisfiable);
        }
        let mut cf_UU = cf_U;
        for ((cf_u, cf_x), cf_cross_term) in w.cf_incoming.iter().zip(cf_xs).zip(&cf_cross_terms) {
            let cf_u = Iu2Var::new_witness_with_public_inputs(cs.clone(), cf_u, cf_x)?;
            cf_UU = Gadget2::verify(&(), &mut transcript, [&cf_UU], [&cf_u], cf_cross_term)?;
        }
        let mut cf_UU = is_base.select(&cf_U_dummy, &cf_UU)?;
        record("Nova's CycleFold folds");

        // 3. The step circuit.
        let (z_next, ops) = self
            .step
            .generate_step_constraints(cs.clone(), &i, &z_i, w.ext)?;
        if z_next.len() != state_len {
            return Err(fail(Error::StateLength {
                what: "the state returned by the step circuit",
                expected: state_len,
                got: z_next.len(),
            }));
        }
        if ops.len() != self.step.num_ops() {
            return Err(fail(Error::OpCount {
                expected: self.step.num_ops(),
                got: ops.len(),
            }));
        }

        record("step circuit");

        // 4. One CycleFold instance per point operation, with public inputs
        //    `[rho, P0, P1, P2]` taken from the step circuit's variables, folded into
        //    `cf_UU` on the point-operation transcript. Also at the base case.
        for (index, op) in ops.iter().enumerate() {
            if op.rho_bits.len() != RHO_BITS {
                return Err(fail(Error::RhoLength {
                    op: index,
                    expected: RHO_BITS,
                    got: op.rho_bits.len(),
                }));
            }
            let value = if cs.is_in_setup_mode() {
                None
            } else {
                Some(op.value()?)
            };
            let (cf_u, cf_cross_term) = folder.fold(index, value)?;
            let cf_u = Iu2Var::new_witness_with_public_inputs(cs.clone(), &cf_u, op_inputs(op)?)?;
            let cf_cross_term = GrumpkinVar::new_witness(cs.clone(), || Ok(cf_cross_term))?;
            cf_UU = Gadget2::verify(&(), &mut op_transcript, [&cf_UU], [&cf_u], &cf_cross_term)?;
        }

        record("point operations (CycleFold folds)");

        // 5. The public input: `H(i + 1, z0, z_{i+1}, U', cf_U')`.
        let uu_x = sponge
            .add(&next_i)?
            .add(&z0)?
            .add(&z_next)?
            .add(&next_U)?
            .add(&cf_UU)?
            .get_field_element()?;
        uu_x.mark_as_public()?;
        record("output hash");

        if cs.is_in_setup_mode() {
            Ok(Vec::new())
        } else {
            z_next.value()
        }
    }
}

/// The public inputs of an operation's CycleFold instance, as emulated `Fq` elements of
/// the primary circuit: `[rho, P0.x, P0.y, P1.x, P1.y, P2.x, P2.y]`.
fn op_inputs(op: &PointOpVar) -> Result<Vec<EmulatedFieldVar<Fr, Fq>>, SynthesisError> {
    // `rho` as Nova's CycleFold adapter builds its challenge: the bits, zero-extended to the
    // width of `Fq`, with bounds `[0, q]`.
    let mut bits = op.rho_bits.clone();
    bits.resize(Fq::MODULUS_BIT_SIZE as usize, Boolean::FALSE);
    let q = BigInt::from(BigUint::from_bytes_le(&Fq::MODULUS.to_bytes_le()));
    let rho = EmulatedFieldVar::from_bounded_bits_le(&bits, Bounds(BigInt::zero(), q))?;
    let mut x = vec![rho];
    for p in [&op.p0, &op.p1, &op.p2] {
        x.push(p.x.clone());
        x.push(p.y.clone());
    }
    Ok(x)
}
