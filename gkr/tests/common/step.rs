//! A fold of an honest training run with its commitments, for the step-proof tests.

#![allow(clippy::unwrap_used, dead_code)]

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkpot_core::Claim;
use zkpot_core::{CpuBackend, Fr, MultilinearTable};
use zkpot_gkr::step::{
    chunk_table, commit_table, model_table, prove_step, prove_step_lenient, verify_step,
    FoldInputs, StepClaims, StepProof, StepShape, StepStatement,
};
use zkpot_pcs::pedersen::{random_blind, Opening, PedersenKey};
use zkpot_trainer::data::digits;
use zkpot_trainer::{Matrix, StepWitness, TrainSpec, Trainer};

/// A small spec on the embedded digits (64 features, 10 classes).
pub fn spec(layers: Vec<usize>, batch: usize, k: usize) -> TrainSpec {
    let mut s = TrainSpec::new(layers, batch, 5, 3);
    s.steps_per_fold = k;
    s.iterations = Some(2 * k as u64);
    s
}

/// The witnesses of the first two folds of an honest run.
pub fn witnesses(spec: &TrainSpec) -> Vec<StepWitness> {
    let data = digits(16).unwrap();
    let mut t = Trainer::new(spec, &data).unwrap();
    let mut out = Vec::new();
    while !t.is_finished() {
        out.push(t.step().unwrap());
    }
    out
}

/// Everything a fold's prover and verifier need.
pub struct Fold {
    pub shape: StepShape,
    pub key: PedersenKey,
    pub digest: Fr,
    pub fold_index: u64,
    pub steps: Vec<StepWitness>,
    pub prev: Opening,
    pub chunk: Opening,
    pub prev_commitment: zkpot_pcs::pedersen::Commitment,
    pub chunk_commitment: zkpot_pcs::pedersen::Commitment,
}

/// The first fold (`C_prev = C_W0`).
pub fn first_fold(spec: &TrainSpec) -> Fold {
    let shape = StepShape::new(spec).unwrap();
    let fold_len = 1usize << shape.fold_layout().num_vars;
    let key = PedersenKey::setup(b"zkpot-gkr-step-test", fold_len);
    fold_at(spec, key, 0)
}

/// Fold `index` of the run, with `C_prev` the previous fold's commitment (proven here).
pub fn fold_at(spec: &TrainSpec, key: PedersenKey, index: u64) -> Fold {
    let shape = StepShape::new(spec).unwrap();
    let all = witnesses(spec);
    let start = index as usize * shape.k;
    let steps = all[start..start + shape.k].to_vec();
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let layers: Vec<(&Matrix, &[i64])> = steps[0]
        .layers
        .iter()
        .map(|l| (&l.w, l.b.as_slice()))
        .collect();
    let prev = if index == 0 {
        Opening {
            table: model_table(&shape, &layers).unwrap(),
            blind: random_blind(&mut rng),
        }
    } else {
        let before = fold_at(spec, key.clone(), index - 1);
        before.prove().unwrap().new
    };
    let chunk = Opening {
        table: chunk_table(&shape, &steps).unwrap(),
        blind: random_blind(&mut rng),
    };
    let prev_commitment = commit_table(&key, &CpuBackend, &prev.table, prev.blind).unwrap();
    let chunk_commitment = commit_table(&key, &CpuBackend, &chunk.table, chunk.blind).unwrap();
    Fold {
        shape,
        key,
        digest: spec.digest().unwrap(),
        fold_index: index,
        steps,
        prev,
        chunk,
        prev_commitment,
        chunk_commitment,
    }
}

/// What proving a fold gives.
pub struct Proven {
    pub proof: StepProof,
    pub statement: StepStatement,
    pub claims: StepClaims,
    pub new: Opening,
}

impl Fold {
    /// Proves the fold (with its current witnesses).
    pub fn prove(&self) -> Result<Proven, zkpot_gkr::Error> {
        self.prove_with(false)
    }

    /// Proves the fold with the lenient prover (any witness, no prover-side checks).
    pub fn prove_lenient(&self) -> Result<Proven, zkpot_gkr::Error> {
        self.prove_with(true)
    }

    fn prove_with(&self, lenient: bool) -> Result<Proven, zkpot_gkr::Error> {
        let mut rng = ChaCha20Rng::seed_from_u64(11);
        let prove = if lenient {
            prove_step_lenient::<PedersenKey, CpuBackend, ChaCha20Rng>
        } else {
            prove_step::<PedersenKey, CpuBackend, ChaCha20Rng>
        };
        let out = prove(
            &CpuBackend,
            &self.key,
            &self.shape,
            &FoldInputs {
                spec_digest: self.digest,
                fold_index: self.fold_index,
                prev: self.prev_commitment,
                chunk: self.chunk_commitment,
            },
            &self.steps,
            &mut rng,
        )?;
        Ok(Proven {
            proof: out.proof,
            statement: out.statement,
            claims: out.claims,
            new: out.opening,
        })
    }

    /// `verify_step`, then every claim against its opening and commitment.
    pub fn accepts(&self, statement: &StepStatement, proof: &StepProof, new: &Opening) -> bool {
        let Ok(claims) = verify_step(&self.shape, statement, proof) else {
            return false;
        };
        self.claims_hold(statement, &claims, new)
    }

    /// The claims hold on the openings, and the openings open the statement's commitments.
    pub fn claims_hold(
        &self,
        statement: &StepStatement,
        claims: &StepClaims,
        new: &Opening,
    ) -> bool {
        let opens = |c: &zkpot_pcs::pedersen::Commitment, o: &Opening| {
            commit_table(&self.key, &CpuBackend, &o.table, o.blind).ok() == Some(*c)
        };
        let holds = |o: &Opening, claim: &Claim| {
            MultilinearTable::new(o.table.clone())
                .and_then(|t| t.evaluate(&claim.point))
                .ok()
                == Some(claim.value)
        };
        opens(&statement.prev, &self.prev)
            && opens(&statement.chunk, &self.chunk)
            && opens(&statement.new, new)
            && holds(&self.prev, &claims.prev)
            && holds(&self.chunk, &claims.chunk)
            && claims.new.iter().all(|c| holds(new, c))
    }
}
