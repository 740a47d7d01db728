//! The training step circuit on a plain `ConstraintSystem`: satisfied by honest folds
//! (giving the native next state), unsatisfied by every tampered input; its size pinned.

#![allow(clippy::unwrap_used)]

use std::sync::OnceLock;

use ark_ec::AffineRepr;
use ark_ff::{BigInteger, One, PrimeField};
use ark_r1cs_std::{alloc::AllocVar, fields::fp::FpVar, GR1CSVar};
use ark_relations::gr1cs::{ConstraintSystem, SynthesisError};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkpot_core::{CpuBackend, Fr, G1Affine};
use zkpot_folding::training::{state, TrainingCircuit};
use zkpot_folding::StepCircuit;
use zkpot_gkr::step::StepShape;
use zkpot_pcs::accumulator::Accumulator;
use zkpot_pcs::pedersen::{Commitment, PedersenKey};
use zkpot_pcs::SchemeKey;
use zkpot_run::{dummy_fold, key_len, run_num_vars, ChunkedData, FoldRecord, RunProver, KEY_LABEL};
use zkpot_trainer::data::digits;
use zkpot_trainer::{Dataset, TrainSpec, Trainer};

/// 64-4-10 on 24 digits, batch 4, k = 2, 3 folds: 3 chunks.
fn spec() -> TrainSpec {
    let mut s = TrainSpec::new(vec![64, 4, 10], 4, 5, 3);
    s.steps_per_fold = 2;
    s.iterations = Some(6);
    s
}

fn data() -> Dataset {
    digits(16).unwrap().select(&(0..24).collect::<Vec<_>>())
}

/// The folds of an honest run with the states before and after each.
struct Folds {
    key: SchemeKey,
    shape: StepShape,
    num_chunks: u64,
    records: Vec<FoldRecord>,
    states: Vec<Vec<Fr>>,
}

fn folds() -> &'static Folds {
    static F: OnceLock<Folds> = OnceLock::new();
    F.get_or_init(|| {
        let spec = spec();
        let data = data();
        let shape = StepShape::new(&spec).unwrap();
        let key = SchemeKey::from(PedersenKey::setup(KEY_LABEL, key_len(&shape)));
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let chunks =
            ChunkedData::commit(&key, &CpuBackend, &spec, &data, &mut rng, &mut |_, _| {}).unwrap();
        let dc = chunks.commitment();
        let mut trainer = Trainer::new(&spec, &data).unwrap();
        let spec = trainer.spec().clone();
        let mut prover =
            RunProver::new(&key, CpuBackend, &spec, chunks, trainer.model(), &mut rng).unwrap();
        let digest = prover.digest();
        let mut states = vec![state(
            digest,
            dc.root,
            0,
            &prover.w0(),
            &Accumulator::start(prover.mask(), run_num_vars(&shape)),
        )];
        let mut records = Vec::new();
        for j in 0..3u64 {
            let steps: Vec<_> = (0..2).map(|_| trainer.step().unwrap()).collect();
            prover.prove_fold(&steps).unwrap();
            records.extend(prover.take_folds());
            states.push(state(
                digest,
                dc.root,
                (j + 1) % dc.num_chunks,
                &prover.prev_commitment(),
                prover.accumulator(),
            ));
        }
        Folds {
            shape,
            num_chunks: dc.num_chunks,
            records,
            states,
            key,
        }
    })
}

fn circuit() -> TrainingCircuit {
    let f = folds();
    TrainingCircuit::for_keys(f.shape.clone(), f.num_chunks, f.records[0].clone())
}

/// Synthesizes fold `i` from `z` with `ext`: `Ok((satisfied, next state))`.
fn run(
    c: &TrainingCircuit,
    i: u64,
    z: &[Fr],
    ext: &FoldRecord,
) -> Result<(bool, Vec<Fr>), SynthesisError> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let iv = FpVar::new_witness(cs.clone(), || Ok(Fr::from(i)))?;
    let zv = z
        .iter()
        .map(|x| FpVar::new_witness(cs.clone(), || Ok(*x)))
        .collect::<Result<Vec<_>, _>>()?;
    let (next, ops) = c.generate_step_constraints(cs.clone(), &iv, &zv, ext)?;
    assert_eq!(ops.len(), 3);
    // The operations' results are hints the IVC proves; check them here natively.
    for op in &ops {
        let bits = op.rho_bits.value()?;
        let rho = Fr::from(<Fr as PrimeField>::BigInt::from_bits_le(&bits));
        let want = op.p0.value()? + op.p1.value()? * rho;
        assert_eq!(want, op.p2.value()?);
    }
    Ok((cs.is_satisfied()?, next.value()?))
}

#[test]
fn honest_folds_satisfy_the_circuit_and_give_the_native_state() {
    let f = folds();
    let c = circuit();
    for j in 0..3 {
        let (ok, next) = run(&c, j as u64, &f.states[j], &f.records[j]).unwrap();
        assert!(ok, "fold {j}");
        assert_eq!(next, f.states[j + 1], "fold {j}");
    }
}

#[test]
fn tampered_inputs_leave_the_circuit_unsatisfied() {
    let f = folds();
    let c = circuit();
    let (j, z, rec) = (1usize, &f.states[1], &f.records[1]);
    let rejects = |i: u64, z: &[Fr], r: &FoldRecord| !matches!(run(&c, i, z, r), Ok((true, _)));
    assert!(!rejects(j as u64, z, rec));
    // The fold index.
    assert!(rejects(2, z, rec));
    assert!(rejects(0, z, rec));
    // Every state element: digest, root, chunk index, C_prev, C_acc limbs, r_acc, v_acc
    // (a limb change either decodes to no point, a synthesis error, or to another point).
    for e in 0..z.len() {
        let mut bad = z.to_vec();
        bad[e] += Fr::one();
        assert!(rejects(j as u64, &bad, rec), "state element {e}");
    }
    // The external inputs.
    let other = G1Affine::from(G1Affine::generator() * Fr::from(5u64));
    let mut r = rec.clone();
    r.new = Commitment(other);
    assert!(rejects(j as u64, z, &r), "C_new");
    let mut r = rec.clone();
    r.chunk = f.records[0].chunk;
    assert!(rejects(j as u64, z, &r), "C_chunk");
    let mut r = rec.clone();
    r.path.siblings[0] += Fr::one();
    assert!(rejects(j as u64, z, &r), "Merkle path");
    let mut r = rec.clone();
    r.step.evals[3] += Fr::one();
    assert!(rejects(j as u64, z, &r), "step eval");
    let mut r = rec.clone();
    r.step.affines[0] += Fr::one();
    assert!(rejects(j as u64, z, &r), "step affine");
    let mut r = rec.clone();
    r.accumulate.aggregation.evals[1] += Fr::one();
    assert!(rejects(j as u64, z, &r), "accumulator eval");
    let mut r = rec.clone();
    r.accumulate.aggregation.sumcheck.rounds[2][0] += Fr::one();
    assert!(rejects(j as u64, z, &r), "accumulator round");
    // A fold record from another fold.
    assert!(rejects(j as u64, z, &f.records[2]));
}

#[test]
fn the_dummy_fold_has_the_shape_of_a_real_one() {
    let f = folds();
    let s = spec();
    let dummy = dummy_fold(&f.key, &s, f.num_chunks).unwrap();
    let c = TrainingCircuit::for_keys(f.shape.clone(), f.num_chunks, dummy.clone());
    let (ok, _) = run(&c, 1, &f.states[1], &f.records[1]).unwrap();
    assert!(ok);
    assert_eq!(dummy.step.evals.len(), f.records[0].step.evals.len());
}

/// The training circuit's size for this shape; a change to the circuit changes it.
#[test]
fn constraint_count_snapshot() {
    let f = folds();
    let c = circuit();
    let cs = ConstraintSystem::<Fr>::new_ref();
    let iv = FpVar::new_witness(cs.clone(), || Ok(Fr::from(1u64))).unwrap();
    let zv: Vec<_> = f.states[1]
        .iter()
        .map(|x| FpVar::new_witness(cs.clone(), || Ok(*x)).unwrap())
        .collect();
    c.generate_step_constraints(cs.clone(), &iv, &zv, &f.records[1])
        .unwrap();
    let n = cs.num_constraints();
    println!(
        "training circuit: {n} constraints, state {} elements",
        c.state_len()
    );
    assert_eq!(n, 340_174);

    // The profile accounts for every constraint, in the phases the bench prints.
    let profile = c.profile(1, &f.states[1], &f.records[1]).unwrap();
    let total: usize = profile.iter().map(|p| p.constraints).sum();
    assert_eq!(total, n);
    let phases: Vec<&str> = profile.iter().map(|p| p.phase).collect();
    for phase in [
        "points",
        "ranges",
        "chunk path",
        "accumulator fold",
        "operation hints",
    ] {
        assert!(phases.contains(&phase), "{phase} missing from {phases:?}");
    }
    assert!(profile.iter().all(|p| p.transcript <= p.constraints));
    let augmented = zkpot_folding::augmented_profile(&c).unwrap();
    let step = augmented
        .iter()
        .find(|(part, _)| *part == "step circuit")
        .unwrap()
        .1;
    assert_eq!(step, n);
}
