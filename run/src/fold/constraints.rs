//! The per-fold relation in-circuit: the twin of [`verify_fold`](super::verify_fold) for
//! the IVC's step circuit (`zkpot-folding`'s `TrainingCircuit`). The step proof on the
//! step transcript, the chunk's Merkle path, and the accumulator fold continuing that
//! transcript, with the same messages, challenges and checks as the native verifier.
//!
//! No curve arithmetic happens here: commitments come in as the four limbs of
//! [`point_to_fields`](zkpot_core::point_to_fields), which the caller allocates and
//! constrains to be points, and the new accumulator's commitment
//! `C_acc' = C_acc + b_1 C_prev + b_2 C_chunk + b_3 C_new` is left to the caller (three
//! point operations) with the coefficients [`FoldOutVar::coefficients`].

use ark_ff::{BigInteger, One, PrimeField, Zero};
use ark_r1cs_std::{
    alloc::AllocVar,
    boolean::Boolean,
    eq::EqGadget,
    fields::{fp::FpVar, FieldVar},
    select::CondSelectGadget,
    GR1CSVar,
};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use zkpot_core::{
    constraints::{FrVar, TranscriptVar},
    ClaimVar, Fr,
};
use zkpot_gkr::step::{
    constraints::{verify_step_in_profiled, PhaseCount, StepStatementVar},
    Block, StepShape,
};
use zkpot_pcs::{
    accumulator::constraints::{verify_fold_bound, AccumulatorVar, FoldProofVar},
    aggregate::constraints::AggregationShape,
    merkle::{constraints::verify_path, tree_depth},
};

use super::{FoldRecord, FOLD_LABEL};
use crate::statement::run_num_vars;

/// The state a fold starts from, in-circuit: what the IVC carries between folds.
#[derive(Clone, Debug)]
pub struct FoldStateVar {
    /// The spec's fold digest.
    pub digest: FrVar,
    /// The `C_data` root.
    pub root: FrVar,
    /// The index of this fold's chunk, `i mod n_chunks`.
    pub chunk_index: FrVar,
    /// `C_prev` as four limbs.
    pub prev: [FrVar; 4],
    /// The accumulator `(C_acc, r_acc, v_acc)`, `C_acc` as four limbs.
    pub acc: AccumulatorVar,
}

/// What a fold leaves, in-circuit.
#[derive(Clone, Debug)]
pub struct FoldOutVar {
    /// The index of the next fold's chunk (`i + 1 mod n_chunks`).
    pub next_chunk: FrVar,
    /// The new accumulator's point `r_acc'`.
    pub point: Vec<FrVar>,
    /// The new accumulator's value `v_acc'`.
    pub value: FrVar,
    /// `b_1, b_2, b_3` (values and their 128 little-endian bits) of
    /// `C_acc' = C_acc + b_1 C_prev + b_2 C_chunk + b_3 C_new`.
    pub coefficients: Vec<(FrVar, Vec<Boolean<Fr>>)>,
}

/// The public structure of a fold's relation: the step proofs' shape and the number of
/// data chunks (the Merkle path's length depends on it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoldRelation {
    /// The step proofs' shape.
    pub shape: StepShape,
    /// The number of chunks of the dataset.
    pub num_chunks: u64,
}

impl FoldRelation {
    /// The accumulator's number of variables.
    pub fn acc_vars(&self) -> usize {
        run_num_vars(&self.shape)
    }

    /// Verifies fold `i` of `record` from `state` in-circuit (steps 1 to 3 of the
    /// [module docs](super)), with `C_new` and `C_chunk` as limbs the caller allocated
    /// and constrained; records each phase in `profile` through `rec`.
    #[allow(clippy::too_many_arguments)]
    pub fn verify(
        &self,
        cs: &ConstraintSystemRef<Fr>,
        i: &FrVar,
        state: &FoldStateVar,
        new: &[FrVar; 4],
        chunk: &[FrVar; 4],
        record: &FoldRecord,
        rec: &mut Recorder<'_>,
    ) -> Result<FoldOutVar, SynthesisError> {
        // 1. The step proof, on the step transcript.
        let statement = StepStatementVar {
            spec_digest: state.digest.clone(),
            fold_index: i.clone(),
            prev: state.prev.clone(),
            new: new.clone(),
            chunk: chunk.clone(),
        };
        let (claims, phases, mut t) =
            verify_step_in_profiled(cs, &self.shape, &statement, &record.step)?;
        rec.extend(phases, (cs.num_constraints(), t.constraints_spent()));

        // 2. The chunk is leaf `i mod n_chunks` of C_data.
        let next_chunk = self.check_chunk(cs, &state.root, &state.chunk_index, chunk, record)?;
        rec.record(cs, "chunk path", rec.mark.1);

        // 3. The accumulator fold, continuing the step transcript.
        let out = self.fold_claims(cs, i, state, new, chunk, record, claims, &mut t)?;
        rec.record(cs, "accumulator fold", t.constraints_spent());
        Ok(FoldOutVar {
            next_chunk,
            point: out.point,
            value: out.value,
            coefficients: out.coefficients,
        })
    }

    /// Step 3: absorbs [`FOLD_LABEL`] and folds `[C_prev, C_chunk, C_new...]`'s claims
    /// into the accumulator without absorbing them again.
    #[allow(clippy::too_many_arguments)]
    fn fold_claims(
        &self,
        cs: &ConstraintSystemRef<Fr>,
        i: &FrVar,
        state: &FoldStateVar,
        new: &[FrVar; 4],
        chunk: &[FrVar; 4],
        record: &FoldRecord,
        claims: zkpot_gkr::step::constraints::StepClaimsVar,
        t: &mut TranscriptVar,
    ) -> Result<zkpot_pcs::aggregate::constraints::AggregatedVar, SynthesisError> {
        t.absorb_bytes(FOLD_LABEL)?;
        let not_first = !i.is_eq(&FpVar::zero())?;
        let prev_claim = self.extend_prev(&claims.prev, &not_first)?;
        let folded: Vec<ClaimVar> = [prev_claim, claims.chunk.clone()]
            .into_iter()
            .chain(claims.new.iter().cloned())
            .collect();
        let shape = self.fold_shape(claims.new.len())?;
        let proof = FoldProofVar::new_witness(cs.clone(), &record.accumulate, &shape)?;
        let slots = [state.prev.clone(), chunk.clone(), new.clone()];
        verify_fold_bound(&shape, &state.acc, &slots, &folded, &proof, t)
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

    /// Checks the Merkle path of the chunk at `index` and returns the next index,
    /// `index + 1` or 0 after the last chunk.
    fn check_chunk(
        &self,
        cs: &ConstraintSystemRef<Fr>,
        root: &FrVar,
        index: &FrVar,
        chunk_limbs: &[FrVar; 4],
        record: &FoldRecord,
    ) -> Result<FrVar, SynthesisError> {
        let depth = tree_depth(self.num_chunks);
        if record.path.siblings.len() != depth {
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
        let siblings = record
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
        for bit in full.iter().skip(m) {
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

/// Records a circuit's profile: the constraints (and the transcript's share) each phase
/// adds since the last mark.
pub struct Recorder<'p> {
    profile: Option<&'p mut Vec<PhaseCount>>,
    /// The constraint count and the transcript's count at the last mark.
    pub mark: (usize, usize),
}

impl<'p> Recorder<'p> {
    /// A recorder into `profile` (none: only marks), starting at `cs`'s count.
    pub fn new(profile: Option<&'p mut Vec<PhaseCount>>, cs: &ConstraintSystemRef<Fr>) -> Self {
        Recorder {
            profile,
            mark: (cs.num_constraints(), 0),
        }
    }

    /// Records `phase` as what was added since the mark; `transcript` is the transcript's
    /// running count now.
    pub fn record(&mut self, cs: &ConstraintSystemRef<Fr>, phase: &'static str, transcript: usize) {
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
    pub fn extend(&mut self, phases: Vec<PhaseCount>, now: (usize, usize)) {
        if let Some(p) = self.profile.as_deref_mut() {
            p.extend(phases);
        }
        self.mark = now;
    }
}
