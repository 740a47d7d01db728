//! The training step circuit: the IVC step `F` is the verifier of one fold of a run
//! (`zkpot_run::fold`, in-circuit: [`FoldRelation`]), `DESIGN.md` section 6.
//!
//! # State `z_i` ([`TrainingCircuit::state_len`] `= 11 + n` elements, `n` = [`run_num_vars`])
//!
//! | index | element |
//! |---|---|
//! | 0 | the spec's digest |
//! | 1 | the `C_data` root |
//! | 2 | the index of the next fold's chunk, `i mod n_chunks` |
//! | 3..7 | `C_prev` (four limbs, [`zkpot_core::point_to_fields`]) |
//! | 7..11 | `C_acc` |
//! | 11..11+n | `r_acc` |
//! | 11+n | `v_acc` |
//!
//! The fold index is the IVC's own step counter `i`. The number of chunks is public: it
//! is part of the circuit (the Merkle path's length depends on it).
//!
//! # One step (external inputs: a [`FoldRecord`])
//!
//! 1. `C_new` and `C_chunk` are allocated as points, `C_prev` and `C_acc` decoded from the
//!    state; every one of them is an operand of a point operation below, so CycleFold
//!    checks it is on the curve.
//! 2. The whole step proof is verified on the step transcript ([`verify_step_in_profiled`](zkpot_gkr::step::constraints::verify_step_in_profiled)).
//! 3. `C_chunk` is checked to be leaf `i mod n_chunks` of `C_data`.
//! 4. The step transcript continues with [`FOLD_LABEL`](zkpot_run::fold::FOLD_LABEL); the claims `[C_prev, C_chunk,
//!    C_new...]` are folded into the accumulator without being absorbed again
//!    ([`verify_fold_bound`](zkpot_pcs::accumulator::constraints::verify_fold_bound)). The claim on `C_prev` is on the model layout; its point is
//!    extended with the model block's index bits in the fold layout for `i > 0`, and
//!    with zeros for `i = 0` (`C_W0` is the model table itself; zero padding does not
//!    change a claim).
//! 5. Three point operations: `C_acc' = ((C_acc + b_1 C_prev) + b_2 C_chunk) + b_3 C_new`.
//! 6. `z_{i+1}`: the same digest and root, the next chunk index, `C_new`, and the new
//!    accumulator.
//!
//! Steps 2 to 4 are [`FoldRelation::verify`], the twin of the native
//! [`zkpot_run::verify_fold`], so the run prover's fold records are this circuit's
//! external inputs.

use ark_ec::CurveGroup;
use ark_ff::{BigInteger, PrimeField};
use ark_r1cs_std::{alloc::AllocVar, boolean::Boolean, fields::fp::FpVar, GR1CSVar};
use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef, SynthesisError};
use zkpot_core::{point_to_fields, ClaimVar, Fr, G1Affine};
use zkpot_gkr::step::{constraints::PhaseCount, StepShape};
use zkpot_pcs::{
    accumulator::{constraints::AccumulatorVar, Accumulator, Mask},
    pedersen::Commitment,
};
use zkpot_run::{
    fold::constraints::{FoldRelation, FoldStateVar, Recorder},
    run_num_vars, DataCommitment, FoldRecord,
};

use crate::{alloc_point, point_from_limbs, point_limbs, G1Var, PointOpVar, StepCircuit};

/// The state elements before `r_acc`.
const HEAD: usize = 11;

/// The step circuit of a training run's folded proof (see the [module docs](self)).
#[derive(Clone, Debug)]
pub struct TrainingCircuit {
    relation: FoldRelation,
    /// A fold record of this shape, for key generation only.
    dummy: Option<FoldRecord>,
}

impl TrainingCircuit {
    /// The circuit for folds of `shape` over a dataset of `num_chunks` chunks, for
    /// proving and verifying with keys generated before.
    pub fn new(shape: StepShape, num_chunks: u64) -> Self {
        TrainingCircuit {
            relation: FoldRelation { shape, num_chunks },
            dummy: None,
        }
    }

    /// [`TrainingCircuit::new`] with `dummy`, any fold record of this shape (a real one,
    /// or [`zkpot_run::dummy_fold`]): key generation synthesizes the circuit from it.
    pub fn for_keys(shape: StepShape, num_chunks: u64, dummy: FoldRecord) -> Self {
        TrainingCircuit {
            relation: FoldRelation { shape, num_chunks },
            dummy: Some(dummy),
        }
    }

    /// The same circuit without its dummy record (what proving and verifying need).
    pub fn without_dummy(self) -> Self {
        TrainingCircuit {
            dummy: None,
            ..self
        }
    }

    /// The step proofs' shape.
    pub fn shape(&self) -> &StepShape {
        &self.relation.shape
    }

    /// The number of chunks of the dataset.
    pub fn num_chunks(&self) -> u64 {
        self.relation.num_chunks
    }

    /// The accumulator's number of variables, `n`.
    pub fn acc_vars(&self) -> usize {
        run_num_vars(self.shape())
    }

    /// The initial state `z_0` of a run: the digest, `C_data`, chunk 0, `C_prev = C_W0`
    /// and the accumulator that starts from the statement's mask
    /// ([`Accumulator::start`]).
    pub fn initial_state(
        &self,
        digest: Fr,
        data: &DataCommitment,
        w0: &Commitment,
        mask: &Mask,
    ) -> Vec<Fr> {
        let acc = Accumulator::start(mask, self.acc_vars());
        state(digest, data.root, 0, w0, &acc)
    }
}

/// A state from its parts (see the [module docs](self)).
pub fn state(digest: Fr, root: Fr, chunk: u64, prev: &Commitment, acc: &Accumulator) -> Vec<Fr> {
    let mut z = vec![digest, root, Fr::from(chunk)];
    z.extend(point_to_fields(&prev.0));
    z.extend(point_to_fields(&acc.claim.commitment.0));
    z.extend(acc.claim.claim.point.iter().copied());
    z.push(acc.claim.claim.value);
    z
}

/// The parts of a state: `(digest, root, chunk index, C_prev, accumulator)`, or `None`
/// if it has the wrong length or its limbs encode no points.
pub fn parse_state(z: &[Fr], acc_vars: usize) -> Option<(Fr, Fr, Fr, Commitment, Accumulator)> {
    if z.len() != HEAD + acc_vars + 1 {
        return None;
    }
    let limbs = |at: usize| -> Option<G1Affine> {
        let l: [Fr; 4] = z.get(at..at + 4)?.try_into().ok()?;
        crate::point_from_fields(&l)
    };
    let prev = Commitment(limbs(3)?);
    let acc = Commitment(limbs(7)?);
    Some((
        z[0],
        z[1],
        z[2],
        prev,
        Accumulator {
            claim: zkpot_pcs::CommittedClaim::new(
                acc,
                z[HEAD..HEAD + acc_vars].to_vec(),
                z[HEAD + acc_vars],
            ),
        },
    ))
}

impl StepCircuit for TrainingCircuit {
    type ExternalInputs = FoldRecord;

    fn state_len(&self) -> usize {
        HEAD + self.acc_vars() + 1
    }

    fn num_ops(&self) -> usize {
        3
    }

    fn dummy_external_inputs(&self) -> Option<FoldRecord> {
        self.dummy.clone()
    }

    fn generate_step_constraints(
        &self,
        cs: ConstraintSystemRef<Fr>,
        i: &FpVar<Fr>,
        z_i: &[FpVar<Fr>],
        ext: &FoldRecord,
    ) -> Result<(Vec<FpVar<Fr>>, Vec<PointOpVar>), SynthesisError> {
        self.synthesize(cs, i, z_i, ext, None)
    }
}

impl TrainingCircuit {
    /// Where the step circuit's constraints go, synthesized on a plain constraint system
    /// for fold `i` from state `z_i` with `record`: one entry for decoding the points, one
    /// per phase of the step verifier ([`verify_step_in_profiled`](zkpot_gkr::step::constraints::verify_step_in_profiled)), then the chunk's
    /// Merkle path, the accumulator fold (claim batching) and the hinted results of the
    /// three point operations (with the new accumulator's limbs). Each entry has the
    /// transcript's (Poseidon's) share; the Merkle path's hashing is not on the transcript.
    pub fn profile(
        &self,
        i: u64,
        z_i: &[Fr],
        record: &FoldRecord,
    ) -> Result<Vec<PhaseCount>, SynthesisError> {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let i = FpVar::new_witness(cs.clone(), || Ok(Fr::from(i)))?;
        let z = Vec::<FpVar<Fr>>::new_witness(cs.clone(), || Ok(z_i))?;
        let mut profile = Vec::new();
        self.synthesize(cs, &i, &z, record, Some(&mut profile))?;
        Ok(profile)
    }

    /// The step circuit (see the [module docs](self)), recording its profile if asked.
    fn synthesize(
        &self,
        cs: ConstraintSystemRef<Fr>,
        i: &FpVar<Fr>,
        z_i: &[FpVar<Fr>],
        ext: &FoldRecord,
        profile: Option<&mut Vec<PhaseCount>>,
    ) -> Result<(Vec<FpVar<Fr>>, Vec<PointOpVar>), SynthesisError> {
        let mut rec = Recorder::new(profile, &cs);
        let n = self.acc_vars();
        if z_i.len() != self.state_len() {
            return Err(SynthesisError::Unsatisfiable);
        }
        let limbs_at = |at: usize| -> Result<[FpVar<Fr>; 4], SynthesisError> {
            z_i.get(at..at + 4)
                .ok_or(SynthesisError::Unsatisfiable)?
                .to_vec()
                .try_into()
                .map_err(|_| SynthesisError::Unsatisfiable)
        };
        let (digest, root, chunk_index) = (&z_i[0], &z_i[1], &z_i[2]);
        let prev_limbs = limbs_at(3)?;
        let acc_limbs = limbs_at(7)?;
        let prev = point_from_limbs(cs.clone(), &prev_limbs)?;
        let acc = point_from_limbs(cs.clone(), &acc_limbs)?;
        let new = alloc_point(cs.clone(), || Ok(ext.new.0))?;
        let chunk = alloc_point(cs.clone(), || Ok(ext.chunk.0))?;
        let new_limbs = point_limbs(&new)?;
        let chunk_limbs = point_limbs(&chunk)?;
        rec.record(&cs, "points", 0);

        // 2-4. The fold: step proof, chunk path, accumulator fold.
        let state = FoldStateVar {
            digest: digest.clone(),
            root: root.clone(),
            chunk_index: chunk_index.clone(),
            prev: prev_limbs,
            acc: AccumulatorVar {
                commitment: acc_limbs,
                claim: ClaimVar {
                    point: z_i[HEAD..HEAD + n].to_vec(),
                    value: z_i[HEAD + n].clone(),
                },
            },
        };
        let out = self
            .relation
            .verify(&cs, i, &state, &new_limbs, &chunk_limbs, ext, &mut rec)?;

        // 5. C_acc' = ((C_acc + b_1 C_prev) + b_2 C_chunk) + b_3 C_new.
        let mut ops = Vec::with_capacity(3);
        let mut running = acc;
        for (p1, (_, bits)) in [prev, chunk, new].into_iter().zip(out.coefficients) {
            let p2 = hint_op(cs.clone(), &running, &p1, &bits)?;
            ops.push(PointOpVar {
                rho_bits: bits,
                p0: running,
                p1,
                p2: p2.clone(),
            });
            running = p2;
        }

        // 6. The next state.
        let mut next = vec![digest.clone(), root.clone(), out.next_chunk];
        next.extend(new_limbs);
        next.extend(point_limbs(&running)?);
        next.extend(out.point);
        next.push(out.value);
        rec.record(&cs, "operation hints", rec.mark.1);
        Ok((next, ops))
    }
}

/// `p0 + rho * p1` as a hinted point (the point operation proves it).
fn hint_op(
    cs: ConstraintSystemRef<Fr>,
    p0: &G1Var,
    p1: &G1Var,
    rho_bits: &[Boolean<Fr>],
) -> Result<G1Var, SynthesisError> {
    alloc_point(cs, || {
        let rho = Fr::from(<Fr as PrimeField>::BigInt::from_bits_le(&rho_bits.value()?));
        Ok((p0.value()? + p1.value()? * rho).into_affine())
    })
}
