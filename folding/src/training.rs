//! The training step circuit: the IVC step `F` is the verifier of one fold of a run proof
//! ([`zkpot_gkr::run`]), `DESIGN.md` section 6.
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
//! 2. The whole step proof is verified on the step transcript ([`verify_step_in_profiled`]).
//! 3. `C_chunk` is checked to be leaf `i mod n_chunks` of `C_data`.
//! 4. The step transcript continues with [`FOLD_LABEL`]; the claims `[C_prev, C_chunk,
//!    C_new...]` are folded into the accumulator without being absorbed again
//!    ([`verify_fold_bound`]). The claim on `C_prev` is on the model layout; its point is
//!    extended with the model block's index bits in the fold layout for `i > 0`, and
//!    with zeros for `i = 0` (`C_W0` is the model table itself; zero padding does not
//!    change a claim).
//! 5. Three point operations: `C_acc' = ((C_acc + b_1 C_prev) + b_2 C_chunk) + b_3 C_new`.
//! 6. `z_{i+1}`: the same digest and root, the next chunk index, `C_new`, and the new
//!    accumulator.
//!
//! This is exactly the native [`zkpot_gkr::run::verify_run`] loop body, so the run
//! prover's fold records are this circuit's external inputs.

use ark_ec::CurveGroup;
use ark_ff::{BigInteger, One, PrimeField, Zero};
use ark_r1cs_std::{
    alloc::AllocVar,
    boolean::Boolean,
    eq::EqGadget,
    fields::{fp::FpVar, FieldVar},
    select::CondSelectGadget,
    GR1CSVar,
};
use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef, SynthesisError};
use zkpot_core::{point_to_fields, ClaimVar, Fr, G1Affine};
use zkpot_gkr::{
    run::{run_num_vars, DataCommitment, FoldRecord, FOLD_LABEL},
    step::{
        constraints::{verify_step_in_profiled, PhaseCount, StepStatementVar},
        Block, StepShape,
    },
};
use zkpot_pcs::{
    accumulator::{
        constraints::{verify_fold_bound, AccumulatorVar, FoldProofVar},
        Accumulator,
    },
    aggregate::constraints::AggregationShape,
    merkle::{constraints::verify_path, tree_depth},
    pedersen::Commitment,
};

use crate::{alloc_point, point_from_limbs, point_limbs, G1Var, PointOpVar, StepCircuit};

/// The state elements before `r_acc`.
const HEAD: usize = 11;

/// The step circuit of a training run's folded proof (see the [module docs](self)).
#[derive(Clone, Debug)]
pub struct TrainingCircuit {
    shape: StepShape,
    num_chunks: u64,
    dummy: FoldRecord,
}

impl TrainingCircuit {
    /// The circuit for folds of `shape` over a dataset of `num_chunks` chunks; `dummy`
    /// is any fold record of this shape (a real one, or [`crate::run::dummy_fold`]): key
    /// generation synthesizes the circuit from it.
    pub fn new(shape: StepShape, num_chunks: u64, dummy: FoldRecord) -> Self {
        TrainingCircuit {
            shape,
            num_chunks,
            dummy,
        }
    }

    /// The step proofs' shape.
    pub fn shape(&self) -> &StepShape {
        &self.shape
    }

    /// The number of chunks of the dataset.
    pub fn num_chunks(&self) -> u64 {
        self.num_chunks
    }

    /// The accumulator's number of variables, `n`.
    pub fn acc_vars(&self) -> usize {
        run_num_vars(&self.shape)
    }

    /// The initial state `z_0` of a run: the digest, `C_data`, chunk 0, `C_prev = C_W0`
    /// and the empty accumulator.
    pub fn initial_state(&self, digest: Fr, data: &DataCommitment, w0: &Commitment) -> Vec<Fr> {
        let acc = Accumulator::empty(self.acc_vars());
        state(digest, data.root, 0, w0, &acc)
    }

    /// The aggregation shape of a fold: the accumulator, then the claims on `C_prev`
    /// (fold-layout length), `C_chunk` and every block of `C_new`.
    fn fold_shape(&self, new_claims: usize) -> Result<AggregationShape, SynthesisError> {
        let fold_vars = self.shape.fold_layout().num_vars;
        let chunk_vars = self.shape.chunk_layout().num_vars;
        let lens: Vec<usize> = [fold_vars, chunk_vars]
            .into_iter()
            .chain(std::iter::repeat_n(fold_vars, new_claims))
            .collect();
        let group: Vec<usize> = [1, 2]
            .into_iter()
            .chain(std::iter::repeat_n(3, new_claims))
            .collect();
        AggregationShape::fold(self.acc_vars(), &lens, &group)
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

    fn dummy_external_inputs(&self) -> FoldRecord {
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
    /// per phase of the step verifier ([`verify_step_in_profiled`]), then the chunk's
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
        let mut rec = Recorder {
            profile,
            mark: (cs.num_constraints(), 0),
        };
        let n = self.acc_vars();
        if z_i.len() != self.state_len() {
            return Err(SynthesisError::Unsatisfiable);
        }
        let limbs_at = |at: usize| -> Result<[FpVar<Fr>; 4], SynthesisError> {
            z_i[at..at + 4]
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

        // 1-2. The step proof, on the step transcript.
        let statement = StepStatementVar {
            spec_digest: digest.clone(),
            fold_index: i.clone(),
            prev: prev_limbs.clone(),
            new: new_limbs.clone(),
            chunk: chunk_limbs.clone(),
        };
        let (claims, phases, mut t) =
            verify_step_in_profiled(&cs, &self.shape, &statement, &ext.step)?;
        rec.extend(phases, (cs.num_constraints(), t.constraints_spent()));

        // 3. The chunk is leaf `i mod n_chunks` of C_data.
        let next_chunk = self.check_chunk(&cs, root, chunk_index, &chunk_limbs, ext)?;
        rec.record(&cs, "chunk path", rec.mark.1);

        // 4. The accumulator fold, continuing the step transcript.
        t.absorb_bytes(FOLD_LABEL)?;
        let not_first = !i.is_eq(&FpVar::zero())?;
        let prev_claim = self.extend_prev(&claims.prev, &not_first)?;
        let folded: Vec<ClaimVar> = [prev_claim, claims.chunk.clone()]
            .into_iter()
            .chain(claims.new.iter().cloned())
            .collect();
        let shape = self.fold_shape(claims.new.len())?;
        let proof = FoldProofVar::new_witness(cs.clone(), &ext.accumulate, &shape)?;
        let acc_var = AccumulatorVar {
            commitment: acc_limbs,
            claim: ClaimVar {
                point: z_i[HEAD..HEAD + n].to_vec(),
                value: z_i[HEAD + n].clone(),
            },
        };
        let slots = [prev_limbs, chunk_limbs, new_limbs.clone()];
        let out = verify_fold_bound(&shape, &acc_var, &slots, &folded, &proof, &mut t)?;
        rec.record(&cs, "accumulator fold", t.constraints_spent());

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
        let mut next = vec![digest.clone(), root.clone(), next_chunk];
        next.extend(new_limbs);
        next.extend(point_limbs(&running)?);
        next.extend(out.point);
        next.push(out.value);
        rec.record(&cs, "operation hints", rec.mark.1);
        Ok((next, ops))
    }

    /// Checks the Merkle path of the chunk at `index` and returns the next index,
    /// `index + 1` or 0 after the last chunk.
    fn check_chunk(
        &self,
        cs: &ConstraintSystemRef<Fr>,
        root: &FpVar<Fr>,
        index: &FpVar<Fr>,
        chunk_limbs: &[FpVar<Fr>; 4],
        ext: &FoldRecord,
    ) -> Result<FpVar<Fr>, SynthesisError> {
        let depth = tree_depth(self.num_chunks);
        if ext.path.siblings.len() != depth {
            return Err(SynthesisError::Unsatisfiable);
        }
        let setup = cs.is_in_setup_mode();
        let bits = (0..depth)
            .map(|b| {
                Boolean::new_witness(cs.clone(), || {
                    if setup {
                        return Ok(false);
                    }
                    let v = index.value()?.into_bigint();
                    Ok(v.get_bit(b))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Boolean::le_bits_to_fp(&bits)?.enforce_equal(index)?;
        let siblings = ext
            .path
            .siblings
            .iter()
            .map(|s| FpVar::new_witness(cs.clone(), || Ok(*s)))
            .collect::<Result<Vec<_>, _>>()?;
        verify_path(cs, root, self.num_chunks, chunk_limbs, &bits, &siblings)?;
        let bumped = index + FpVar::one();
        let wraps = bumped.is_eq(&FpVar::constant(Fr::from(self.num_chunks)))?;
        FpVar::conditionally_select(&wraps, &FpVar::zero(), &bumped)
    }

    /// The claim on `C_prev` at a fold-layout point: the model-layout point followed by
    /// the model block's index bits for `i > 0`, zeros for `i = 0`.
    fn extend_prev(
        &self,
        claim: &ClaimVar,
        not_first: &Boolean<Fr>,
    ) -> Result<ClaimVar, SynthesisError> {
        let m = self.shape.model_layout().num_vars;
        if claim.point.len() != m {
            return Err(SynthesisError::Unsatisfiable);
        }
        let full = self
            .shape
            .fold_layout()
            .point(Block::Model, &vec![Fr::zero(); m])
            .map_err(|_| SynthesisError::Unsatisfiable)?;
        let selected = FpVar::from(not_first.clone());
        let mut point = claim.point.clone();
        for bit in &full[m..] {
            point.push(if bit.is_one() {
                selected.clone()
            } else {
                FpVar::zero()
            });
        }
        Ok(ClaimVar {
            point,
            value: claim.value.clone(),
        })
    }
}

/// Records a [`TrainingCircuit::profile`]: the constraint and transcript counts at the
/// last mark.
struct Recorder<'p> {
    profile: Option<&'p mut Vec<PhaseCount>>,
    mark: (usize, usize),
}

impl Recorder<'_> {
    /// Records `phase` as what was added since the mark; `transcript` is the transcript's
    /// running count now.
    fn record(&mut self, cs: &ConstraintSystemRef<Fr>, phase: &'static str, transcript: usize) {
        let now = (cs.num_constraints(), transcript);
        if let Some(p) = self.profile.as_deref_mut() {
            p.push(PhaseCount {
                phase,
                constraints: now.0.saturating_sub(self.mark.0),
                transcript: now.1.saturating_sub(self.mark.1),
            });
        }
        self.mark = now;
    }

    /// Records phases counted elsewhere, which end at the mark `now`.
    fn extend(&mut self, phases: Vec<PhaseCount>, now: (usize, usize)) {
        if let Some(p) = self.profile.as_deref_mut() {
            p.extend(phases);
        }
        self.mark = now;
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
