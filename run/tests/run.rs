//! The run proof: an honest run verifies; every statement field, every proof part and
//! single bytes of the encoding are tampered and rejected; the prover refuses witnesses
//! that do not continue the run.

#![allow(clippy::unwrap_used)]

use std::sync::OnceLock;

use ark_ff::{One, UniformRand};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use zkpot_core::{CpuBackend, Fr, G1Affine};
use zkpot_gkr::step::{batches_table, chunk_table, StepShape};
use zkpot_pcs::pedersen::{Commitment, PedersenKey};
use zkpot_pcs::{KzgKey, KzgProof, PcsKind, SchemeKey, SchemeProof, SchemeVerifierKey, Srs};
use zkpot_run::{
    chunk_batches, key_len, run_num_vars, verify_run, ChunkedData, RunError, RunProof, RunProver,
    RunStatement, KEY_LABEL,
};
use zkpot_trainer::data::digits;
use zkpot_trainer::{BatchSchedule, Dataset, Matrix, Mlp, StepWitness, TrainSpec, Trainer};

/// 64-8-10 on 40 digits, batch 8, k = 2, 4 folds: 3 chunks, so fold 3 reuses chunk 0.
fn spec() -> TrainSpec {
    let mut s = TrainSpec::new(vec![64, 8, 10], 8, 5, 3);
    s.steps_per_fold = 2;
    s.iterations = Some(8);
    s
}

fn data() -> Dataset {
    let all = digits(16).unwrap();
    all.select(&(0..40).collect::<Vec<_>>())
}

struct Run {
    key: SchemeKey,
    vk: SchemeVerifierKey,
    statement: RunStatement,
    proof: RunProof,
}

/// The run's HyperKZG key: a seeded development SRS of exactly the run's power.
fn key(spec: &TrainSpec) -> SchemeKey {
    kzg_key(spec, 1)
}

fn kzg_key(spec: &TrainSpec, seed: u64) -> SchemeKey {
    let shape = StepShape::new(spec).unwrap();
    KzgKey::new(Srs::dev_seeded(run_num_vars(&shape) as u32, seed)).into()
}

fn pedersen_key(spec: &TrainSpec) -> SchemeKey {
    let shape = StepShape::new(spec).unwrap();
    PedersenKey::setup(KEY_LABEL, key_len(&shape)).into()
}

fn witnesses(spec: &TrainSpec, data: &Dataset) -> (Mlp, Vec<StepWitness>) {
    let mut t = Trainer::new(spec, data).unwrap();
    let start = t.model().clone();
    let mut out = Vec::new();
    while !t.is_finished() {
        out.push(t.step().unwrap());
    }
    (start, out)
}

fn prove(spec: &TrainSpec, data: &Dataset, key: &SchemeKey) -> (RunStatement, RunProof) {
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    let chunks =
        ChunkedData::commit(key, &CpuBackend, spec, data, &mut rng, &mut |_, _| {}).unwrap();
    let (start, steps) = witnesses(spec, data);
    let mut prover = RunProver::new(key, CpuBackend, spec, chunks, &start, &mut rng).unwrap();
    for fold in steps.chunks(spec.steps_per_fold) {
        prover.prove_fold(fold).unwrap();
    }
    let done = prover.finish().unwrap();
    (done.statement, done.proof)
}

fn honest() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| run_on(key(&spec())))
}

/// The honest run proven with `key`.
fn run_on(key: SchemeKey) -> Run {
    let (statement, proof) = prove(&spec(), &data(), &key);
    Run {
        vk: key.verifier_key(),
        key,
        statement,
        proof,
    }
}

fn rejects(statement: &RunStatement, proof: &RunProof) -> bool {
    verify_run(&honest().vk, statement, proof).is_err()
}

/// The same run on Pedersen + IPA.
fn pedersen_run() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| run_on(pedersen_key(&spec())))
}

fn other_point(seed: u64) -> Commitment {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    Commitment(G1Affine::rand(&mut rng))
}

#[test]
fn an_honest_run_verifies_and_reuses_chunks() {
    let run = honest();
    let t0 = std::time::Instant::now();
    verify_run(&run.vk, &run.statement, &run.proof).unwrap();
    eprintln!("verify_run: {:?}", t0.elapsed());
    assert_eq!(run.proof.folds.len(), 4);
    assert_eq!(run.statement.data.num_chunks, 3);
    let indices: Vec<u64> = run.proof.folds.iter().map(|f| f.path.index).collect();
    assert_eq!(indices, vec![0, 1, 2, 0]);
    assert_eq!(run.proof.folds[3].chunk, run.proof.folds[0].chunk);
}

/// The run on Pedersen + IPA verifies, and its opening's fields are bound; each scheme's
/// statement names its setup, and a key of another setup (the other scheme, another SRS,
/// another Pedersen label) is refused before anything is checked.
#[test]
fn both_schemes_prove_and_each_proof_needs_its_own_setup() {
    let (kzg, pedersen) = (honest(), pedersen_run());
    verify_run(&pedersen.vk, &pedersen.statement, &pedersen.proof).unwrap();
    assert_eq!(kzg.statement.setup.pcs, PcsKind::Kzg);
    assert_eq!(pedersen.statement.setup.pcs, PcsKind::Pedersen);
    assert_eq!(kzg.statement.setup, kzg.key.setup());
    assert_eq!(pedersen.statement.setup, pedersen.key.setup());
    // The commitments differ between the schemes (other bases).
    assert_ne!(kzg.statement.w0, pedersen.statement.w0);
    let spec = spec();
    let other_srs = kzg_key(&spec, 2).verifier_key();
    let other_label = SchemeKey::from(PedersenKey::setup(
        b"another label",
        key_len(&StepShape::new(&spec).unwrap()),
    ))
    .verifier_key();
    for (vk, run) in [(&pedersen.vk, kzg), (&other_srs, kzg), (&kzg.vk, pedersen)] {
        assert!(matches!(
            verify_run(vk, &run.statement, &run.proof),
            Err(RunError::SetupMismatch { .. })
        ));
    }
    assert!(matches!(
        verify_run(&other_label, &pedersen.statement, &pedersen.proof),
        Err(RunError::KeyLabel)
    ));
    // A statement naming another setup than the one its proof was made with.
    let mut bad = kzg.statement.clone();
    bad.setup = other_srs.setup();
    assert!(verify_run(&other_srs, &bad, &kzg.proof).is_err());
    let mut bad = kzg.statement.clone();
    bad.setup.digest[0] ^= 1;
    assert!(rejects(&bad, &kzg.proof));
    // The Pedersen opening's fields.
    let ipa = |f: &dyn Fn(&mut zkpot_pcs::ipa::IpaProof)| {
        let mut q = pedersen.proof.clone();
        match &mut q.open.eval {
            SchemeProof::Ipa(p) => f(p),
            SchemeProof::Kzg(_) => panic!("the run is on Pedersen"),
        }
        verify_run(&pedersen.vk, &pedersen.statement, &q).is_err()
    };
    assert!(ipa(&|p| p.l[0] = p.r[0]));
    assert!(ipa(&|p| p.z_entry += Fr::one()));
    assert!(ipa(&|p| p.z_blind += Fr::one()));
    assert!(ipa(&|p| p.delta = other_point(5).0));
}

#[test]
fn the_chunk_of_the_data_is_the_chunk_of_the_witnesses() {
    let (spec, data) = (spec(), data());
    let shape = StepShape::new(&spec).unwrap();
    let schedule = BatchSchedule::new(&spec, data.len());
    let (_, steps) = witnesses(&spec, &data);
    for (j, fold) in steps.chunks(shape.k).enumerate() {
        let batches = chunk_batches(&spec, &schedule, &data, j % schedule.num_chunks());
        let refs: Vec<(&Matrix, &Matrix)> = batches.iter().map(|(x, y)| (x, y)).collect();
        assert_eq!(
            batches_table(&shape, &refs).unwrap(),
            chunk_table(&shape, fold).unwrap()
        );
    }
}

#[test]
fn every_statement_field_is_bound() {
    let run = honest();
    let s = &run.statement;
    let mut specs = Vec::new();
    let mut t = s.spec.clone();
    t.lr_shift += 1;
    specs.push(t);
    let mut t = s.spec.clone();
    t.seed += 1;
    specs.push(t);
    let mut t = s.spec.clone();
    t.iterations = Some(6);
    specs.push(t);
    for spec in specs {
        let mut bad = s.clone();
        bad.spec = spec;
        assert!(rejects(&bad, &run.proof));
    }
    let mut bad = s.clone();
    bad.data.root += Fr::one();
    assert!(rejects(&bad, &run.proof));
    let mut bad = s.clone();
    bad.data.num_chunks = 4;
    assert!(rejects(&bad, &run.proof));
    for c in [s.wt, run.proof.folds[0].chunk, other_point(1)] {
        let mut bad = s.clone();
        bad.w0 = c;
        assert!(rejects(&bad, &run.proof));
    }
    let mut bad = s.clone();
    bad.wt = s.w0;
    assert!(rejects(&bad, &run.proof));
    let mut bad = s.clone();
    bad.wt = other_point(2);
    assert!(rejects(&bad, &run.proof));
    // The accumulator's starting mask: its commitment (another point, or the end's mask)
    // and its value.
    for c in [other_point(7), run.proof.mask.commitment] {
        let mut bad = s.clone();
        bad.mask.commitment = c;
        assert!(rejects(&bad, &run.proof));
    }
    let mut bad = s.clone();
    bad.mask.value += Fr::one();
    assert!(rejects(&bad, &run.proof));
    let mut bad = s.clone();
    bad.mask = run.proof.mask;
    assert!(rejects(&bad, &run.proof));
}

#[test]
fn every_part_of_the_proof_is_bound() {
    let run = honest();
    let s = &run.statement;
    let p = &run.proof;
    let mut cases: Vec<(&str, RunProof)> = Vec::new();
    let mut push = |name: &'static str, f: &dyn Fn(&mut RunProof)| {
        let mut q = p.clone();
        f(&mut q);
        cases.push((name, q));
    };
    push("drop the last fold", &|q| {
        q.folds.pop();
    });
    push("swap two folds", &|q| q.folds.swap(1, 2));
    push("duplicate a fold", &|q| q.folds[2] = q.folds[1].clone());
    push("a fold's new commitment", &|q| {
        q.folds[1].new = other_point(3)
    });
    push("the last fold's new commitment", &|q| {
        q.folds[3].new = other_point(4)
    });
    push("a chunk commitment", &|q| {
        q.folds[1].chunk = q.folds[2].chunk
    });
    push("a path index", &|q| q.folds[3].path.index = 1);
    push("a path sibling", &|q| {
        q.folds[1].path.siblings[0] += Fr::one()
    });
    push("a step proof eval", &|q| {
        q.folds[2].step.evals[0] += Fr::one()
    });
    push("a step proof's range proof", &|q| {
        q.folds[0].step.ranges[0] = q.folds[1].step.ranges[0].clone()
    });
    push("an accumulator eval", &|q| {
        q.folds[1].accumulate.aggregation.evals[0] += Fr::one()
    });
    push("an accumulator round", &|q| {
        q.folds[0].accumulate.aggregation.sumcheck.rounds[0][0] += Fr::one()
    });
    push("the final fold's first round", &|q| {
        q.finish.sumcheck.rounds[0][0] += Fr::one()
    });
    push("the final fold round", &|q| {
        q.finish.sumcheck.rounds[2][1] += Fr::one()
    });
    push("the final fold's mask commitment", &|q| {
        q.mask.commitment = other_point(8)
    });
    push("the final fold's mask value", &|q| {
        q.mask.value += Fr::one()
    });
    push("the final fold's mask swapped for the statement's", &|q| {
        q.mask = run.statement.mask
    });
    let kzg = |q: &mut RunProof| match &mut q.open.eval {
        SchemeProof::Kzg(p) => p.clone(),
        SchemeProof::Ipa(_) => panic!("the honest run is on HyperKZG"),
    };
    let set = |q: &mut RunProof, p: KzgProof| q.open.eval = SchemeProof::Kzg(p);
    push("the opening's mask", &|q| {
        let mut p = kzg(q);
        p.mask = other_point(5).0;
        set(q, p)
    });
    push("the opening's mask value", &|q| {
        let mut p = kzg(q);
        p.mask_value += Fr::one();
        set(q, p)
    });
    push("the opening's blind", &|q| {
        let mut p = kzg(q);
        p.blind += Fr::one();
        set(q, p)
    });
    push("the opening's first fold", &|q| {
        let mut p = kzg(q);
        p.folds[0] = other_point(6).0;
        set(q, p)
    });
    push("the opening's evaluation at b", &|q| {
        let mut p = kzg(q);
        p.at_b[1] += Fr::one();
        set(q, p)
    });
    push("the opening's evaluation at -b", &|q| {
        let mut p = kzg(q);
        p.at_minus_b[0] += Fr::one();
        set(q, p)
    });
    push("the opening's quotient", &|q| {
        let mut p = kzg(q);
        p.quotients.swap(0, 2);
        set(q, p)
    });
    push("an opening of the other scheme", &|q| {
        q.open.eval = pedersen_run().proof.open.eval.clone()
    });
    for (name, q) in &cases {
        assert!(rejects(s, q), "{name} was accepted");
    }
}

#[test]
fn a_proof_of_another_run_is_rejected() {
    let run = honest();
    // Same spec and data, other blinds: another valid proof, but not of this statement.
    let mut spec = spec();
    spec.lr_shift = 6;
    let (other_statement, other_proof) = prove(&spec, &data(), &run.key);
    verify_run(&run.vk, &other_statement, &other_proof).unwrap();
    assert!(rejects(&run.statement, &other_proof));
    assert!(rejects(&other_statement, &run.proof));
}

#[test]
fn encodings_round_trip_and_single_bytes_are_bound() {
    let run = honest();
    let mut bytes = run.statement.to_bytes();
    let statement_len = bytes.len();
    bytes.extend(run.proof.to_bytes());
    let decode = |b: &[u8]| -> Result<(RunStatement, RunProof), RunError> {
        let mut r = b;
        let s = RunStatement::read(&mut r)?;
        let p = RunProof::read(&mut r)?;
        if !r.is_empty() {
            return Err(RunError::Malformed {
                what: "trailing bytes",
            });
        }
        Ok((s, p))
    };
    let (s, p) = decode(&bytes).unwrap();
    assert_eq!(s, run.statement);
    assert_eq!(p, run.proof);

    let mut rng = ChaCha20Rng::seed_from_u64(5);
    // Every byte of the statement's commitments, a sample of its spec and of the proof,
    // and the proof's last bytes (the opening). Every step proof is tested field by field
    // in the step tests.
    let json_len = statement_len - 4 - 32 - 8 - 2 * 32;
    let spec_sample: Vec<usize> = (0..24).map(|_| rng.gen_range(4..4 + json_len)).collect();
    let proof_sample: Vec<usize> = (0..40)
        .map(|_| rng.gen_range(statement_len..bytes.len()))
        .collect();
    let positions: Vec<usize> = (0..8)
        .chain(spec_sample)
        .chain(4 + json_len..statement_len)
        .chain(proof_sample)
        .chain(bytes.len() - 24..bytes.len())
        .collect();
    for pos in positions {
        let mask = [0x01u8, 0x80, 0xff][pos % 3];
        let mut b = bytes.clone();
        b[pos] ^= mask;
        let accepted = match decode(&b) {
            Ok((s, p)) => verify_run(&run.vk, &s, &p).is_ok(),
            Err(_) => false,
        };
        assert!(!accepted, "flipping byte {pos} with {mask:#x} was accepted");
    }
    for cut in [
        0,
        1,
        statement_len - 1,
        statement_len,
        bytes.len() / 2,
        bytes.len() - 1,
    ] {
        assert!(decode(&bytes[..cut]).is_err());
    }
}

#[test]
fn the_prover_refuses_what_does_not_continue_the_run() {
    let (spec, data) = (spec(), data());
    let key = &honest().key;
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let chunks =
        ChunkedData::commit(key, &CpuBackend, &spec, &data, &mut rng, &mut |_, _| {}).unwrap();
    let (start, steps) = witnesses(&spec, &data);
    let mut prover = RunProver::new(key, CpuBackend, &spec, chunks, &start, &mut rng).unwrap();
    // Out of order, the wrong count, or from another model.
    assert!(matches!(
        prover.prove_fold(&steps[2..4]),
        Err(RunError::WitnessIteration { fold: 0, .. })
    ));
    assert!(matches!(
        prover.prove_fold(&steps[0..1]),
        Err(RunError::WitnessCount { got: 1, k: 2, .. })
    ));
    let mut moved = steps[0..2].to_vec();
    moved[0].layers[0].w = Matrix::from_vec(64, 8, vec![1; 512]).unwrap();
    assert!(matches!(
        prover.prove_fold(&moved),
        Err(RunError::WitnessModel { fold: 0 })
    ));
    // Batches that are not the committed chunk.
    let mut other = steps[0..2].to_vec();
    other[1].x = other[0].x.clone();
    assert!(prover.prove_fold(&other).is_err());
    prover.prove_fold(&steps[0..2]).unwrap();
    assert!(matches!(
        RunProver::new(
            key,
            CpuBackend,
            &spec,
            prover.data().clone(),
            &start,
            &mut rng
        )
        .and_then(|p| p.finish()),
        Err(RunError::FoldsLeft)
    ));
    // A key of another length or label.
    let short = SchemeKey::from(PedersenKey::setup(KEY_LABEL, 1 << 4));
    let chunks =
        ChunkedData::commit(key, &CpuBackend, &spec, &data, &mut rng, &mut |_, _| {}).unwrap();
    assert!(matches!(
        RunProver::new(&short, CpuBackend, &spec, chunks, &start, &mut rng),
        Err(RunError::KeyLength { .. })
    ));
    let run = honest();
    assert!(matches!(
        verify_run(&short.verifier_key(), &run.statement, &run.proof),
        Err(RunError::KeyLength { .. })
    ));
    // Absurd shapes are errors, not panics or huge allocations.
    for layers in [
        vec![1usize << 40, 10],
        vec![64, 1 << 30, 10],
        vec![64],
        vec![],
    ] {
        let mut absurd = spec.clone();
        absurd.layers = layers;
        let statement = RunStatement {
            spec: absurd,
            ..run.statement.clone()
        };
        assert!(verify_run(&run.vk, &statement, &run.proof).is_err());
    }
    let mut absurd = spec.clone();
    absurd.batch_size = 1 << 40;
    let statement = RunStatement {
        spec: absurd,
        ..run.statement.clone()
    };
    assert!(verify_run(&run.vk, &statement, &run.proof).is_err());
    // An unresolved spec or a run length that is not a multiple of k.
    let mut odd = spec.clone();
    odd.iterations = Some(3);
    assert!(verify_run(
        &run.vk,
        &RunStatement {
            spec: odd,
            ..run.statement.clone()
        },
        &run.proof
    )
    .is_err());
}

/// Golden: the SHA-256 of the honest run's statement and proof bytes (seeded blinds, HyperKZG
/// on the development SRS of seed 1).
/// It pins every step proof, the accumulator folds, the tie and the opening. To
/// regenerate (only after an intended protocol change), run
/// `cargo test -p zkpot-run --test run golden -- --nocapture` and paste the printed hex.
#[test]
fn golden_run_proof() {
    use sha2::{Digest, Sha256};
    let run = honest();
    let hex = |d: &[u8]| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let statement = hex(&Sha256::digest(run.statement.to_bytes()));
    let proof = hex(&Sha256::digest(run.proof.to_bytes()));
    println!("golden run statement: {statement} proof: {proof}");
    assert_eq!(
        statement,
        "9f365154674ba54cec7934ed07d7128ce89b1fdbcf25214496e632da164a61b7"
    );
    assert_eq!(
        proof,
        "a134dfab35b0bcd58c4596b5ef6b4af1e1ca036bd8d0434220b16e785ab454d8"
    );
}
