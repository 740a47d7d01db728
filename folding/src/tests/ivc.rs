//! End-to-end runs of the IVC on the toy step circuit.

use std::time::Instant;

use ark_ec::PrimeGroup;
use ark_ff::One;
use zkpot_core::{point_to_fields, Fr, G1Affine, G1};

use super::{
    honest_run, random_point, rng,
    toy::{toy_initial_state, toy_step_native, Toy, TOY_STATE_LEN},
    toy_key, HONEST_STEPS,
};
use crate::{
    ivc::prover::Cheat, point_from_fields, verify, Check, Error, Grumpkin, IvcProof, IvcProver,
    PointOpFault,
};

/// Verifies `proof` against its own statement.
fn verify_own(proof: &IvcProof) -> Result<(), Error> {
    verify(
        toy_key(),
        proof.num_steps(),
        proof.initial_state(),
        proof.current_state(),
        proof,
    )
}

/// Asserts that `result` is a rejection by `check`.
fn assert_rejected(result: Result<(), Error>, check: Check) {
    match result {
        Err(e) => assert_eq!(e.rejected_check(), Some(check), "{e}"),
        Ok(()) => panic!("accepted, expected a rejection by {check:?}"),
    }
}

#[test]
fn honest_run_verifies_and_matches_native() {
    let run = honest_run();
    let key = toy_key();
    // The states agree with the native toy.
    let mut z = run.z0.clone();
    for (k, ext) in run.inputs.iter().enumerate() {
        z = toy_step_native(&z, ext).0;
        assert_eq!(run.proofs[k].current_state(), z.as_slice());
        assert_eq!(run.proofs[k].num_steps(), k as u64 + 1);
    }
    // The final accumulator is `sum_k rho1_k P_k + rho2_k Q_k`.
    let mut acc = G1::from(G1Affine::identity());
    let mut z = run.z0.clone();
    for ext in &run.inputs {
        let (next, [rho1, rho2]) = toy_step_native(&z, ext);
        acc += ext[0] * rho1 + ext[1] * rho2;
        z = next;
    }
    let last = &run.proofs[HONEST_STEPS - 1];
    let limbs: [Fr; 4] = last.current_state()[1..].try_into().unwrap();
    assert_eq!(point_from_fields(&limbs), Some(G1Affine::from(acc)));
    assert_eq!(last.current_state()[0], Fr::from(HONEST_STEPS as u64));

    // Every intermediate proof verifies (step 1 exercises the base case of the folds).
    for proof in &run.proofs {
        let start = Instant::now();
        verify_own(proof).unwrap();
        println!(
            "verify after {} steps: {:?}",
            proof.num_steps(),
            start.elapsed()
        );
    }
    let bytes = last.to_bytes().unwrap();
    println!(
        "prove_step times {:?}; proof {} bytes; augmented circuit {} constraints",
        run.step_times,
        bytes.len(),
        key.augmented_shape().num_constraints
    );
}

#[test]
fn zero_steps() {
    let key = toy_key();
    let z0 = toy_initial_state(&random_point(&mut rng(40)));
    let prover = IvcProver::new(key, &Toy::HONEST, z0.clone()).unwrap();
    let proof = prover.proof();
    verify(key, 0, &z0, &z0, proof).unwrap();
    let mut other = z0.clone();
    other[0] += Fr::one();
    let mut forged = proof.clone();
    forged.z_i = other.clone();
    assert_rejected(verify(key, 0, &z0, &other, &forged), Check::BaseCase);
}

#[test]
fn prover_refuses_wrong_shapes() {
    let key = toy_key();
    let z0 = toy_initial_state(&G1Affine::identity());
    let one_op = Toy {
        cheat: false,
        num_ops: 1,
    };
    assert!(matches!(
        IvcProver::new(key, &one_op, z0.clone()),
        Err(Error::CircuitMismatch { .. })
    ));
    assert!(matches!(
        IvcProver::new(key, &Toy::HONEST, z0[..4].to_vec()),
        Err(Error::StateLength { .. })
    ));
    let mut proof = honest_run().proofs[0].clone();
    proof.W.w.pop();
    assert!(matches!(
        IvcProver::from_parts(key, &Toy::HONEST, proof.clone()),
        Err(Error::MalformedProof { what: "W.w", .. })
    ));
    assert!(matches!(
        verify_own(&proof),
        Err(Error::MalformedProof { what: "W.w", .. })
    ));
    assert!(matches!(
        verify(key, 1, &z0[..4], &z0, &honest_run().proofs[0]),
        Err(Error::StateLength { .. })
    ));
}

#[test]
fn tampered_primary_instances_are_rejected() {
    let proof = &honest_run().proofs[HONEST_STEPS - 1];
    let g1 = G1::generator();
    type Tamper = fn(&mut IvcProof, G1);
    let cases: [(&str, Tamper, Check); 9] = [
        ("U.u", |p, _| p.U.u += Fr::one(), Check::StateHash),
        ("U.x", |p, _| p.U.x[0] += Fr::one(), Check::StateHash),
        ("U.cm_w", |p, g| p.U.cm_w += g, Check::StateHash),
        ("U.cm_e", |p, g| p.U.cm_e += g, Check::StateHash),
        ("W.w", |p, _| p.W.w[7] += Fr::one(), Check::PrimaryRunning),
        ("W.e", |p, _| p.W.e[3] += Fr::one(), Check::PrimaryRunning),
        ("u.x", |p, _| p.u.x[0] += Fr::one(), Check::StateHash),
        ("u.cm_w", |p, g| p.u.cm_w += g, Check::PrimaryIncoming),
        ("w.w", |p, _| p.w.w[11] += Fr::one(), Check::PrimaryIncoming),
    ];
    for (what, tamper, check) in cases {
        let mut bad = proof.clone();
        tamper(&mut bad, g1);
        println!("tampered {what}");
        assert_rejected(verify_own(&bad), check);
    }
}

#[test]
fn tampered_cyclefold_instance_is_rejected() {
    let proof = &honest_run().proofs[HONEST_STEPS - 1];
    let g = Grumpkin::generator();
    type Tamper = fn(&mut IvcProof, Grumpkin);
    let cases: [(&str, Tamper, Check); 6] = [
        (
            "cf_U.u",
            |p, _| p.cf_U.u += zkpot_core::Fq::one(),
            Check::StateHash,
        ),
        (
            "cf_U.x",
            |p, _| p.cf_U.x[2] += zkpot_core::Fq::one(),
            Check::StateHash,
        ),
        ("cf_U.cm_w", |p, g| p.cf_U.cm_w += g, Check::StateHash),
        ("cf_U.cm_e", |p, g| p.cf_U.cm_e += g, Check::StateHash),
        (
            "cf_W.w",
            |p, _| p.cf_W.w[5] += zkpot_core::Fq::one(),
            Check::CycleFoldRunning,
        ),
        (
            "cf_W.e",
            |p, _| p.cf_W.e[9] += zkpot_core::Fq::one(),
            Check::CycleFoldRunning,
        ),
    ];
    for (what, tamper, check) in cases {
        let mut bad = proof.clone();
        tamper(&mut bad, g);
        println!("tampered {what}");
        assert_rejected(verify_own(&bad), check);
    }
}

#[test]
fn tampered_statement_is_rejected() {
    let key = toy_key();
    let proof = &honest_run().proofs[HONEST_STEPS - 1];
    let (n, z0, z) = (
        proof.num_steps(),
        proof.initial_state().to_vec(),
        proof.current_state().to_vec(),
    );
    verify(key, n, &z0, &z, proof).unwrap();

    let mut z_bad = z.clone();
    z_bad[2] += Fr::one();
    let mut z0_bad = z0.clone();
    z0_bad[0] += Fr::one();
    // A statement that differs from the proof's.
    assert_rejected(verify(key, n + 1, &z0, &z, proof), Check::StepCount);
    assert_rejected(verify(key, n - 1, &z0, &z, proof), Check::StepCount);
    assert_rejected(verify(key, n, &z0_bad, &z, proof), Check::InitialState);
    assert_rejected(verify(key, n, &z0, &z_bad, proof), Check::FinalState);
    // The proof's own statement changed to match: the state hash catches it.
    let mut bad = proof.clone();
    bad.i += 1;
    assert_rejected(verify(key, n + 1, &z0, &z, &bad), Check::StateHash);
    let mut bad = proof.clone();
    bad.z0 = z0_bad.clone();
    assert_rejected(verify(key, n, &z0_bad, &z, &bad), Check::StateHash);
    let mut bad = proof.clone();
    bad.z_i = z_bad.clone();
    assert_rejected(verify(key, n, &z0, &z_bad, &bad), Check::StateHash);
    // An earlier proof does not prove the later state.
    let earlier = &honest_run().proofs[0];
    assert_rejected(verify(key, 1, &z0, &z, earlier), Check::FinalState);
}

/// One step of the cheating toy (`acc''` off by the generator) from a random accumulator.
fn cheating_step(cheat: Cheat) -> Result<IvcProof, Error> {
    let key = toy_key();
    let mut r = rng(50);
    let z0 = toy_initial_state(&random_point(&mut r));
    let mut prover = IvcProver::new(key, &Toy::CHEATING, z0)?;
    prover.cheat = cheat;
    prover.prove_step([random_point(&mut r), random_point(&mut r)], &mut r)?;
    Ok(prover.into_parts())
}

#[test]
fn honest_prover_refuses_a_wrong_operation() {
    match cheating_step(Cheat::None) {
        Err(Error::InvalidPointOp {
            step: 0,
            op: 1,
            reason: PointOpFault::WrongResult,
        }) => {}
        other => panic!("expected InvalidPointOp, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn folded_wrong_operation_fails_verification() {
    // The operation instance is the honest one (P2 computed by the CycleFold circuit), the
    // step circuit's P2 is not: the in-circuit fold diverges from the native one.
    let proof = cheating_step(Cheat::SkipOpCheck).unwrap();
    assert_rejected(verify_own(&proof), Check::StateHash);
}

#[test]
fn forged_operation_instance_fails_verification() {
    // The operation instance claims the step circuit's wrong P2 (consistent with the
    // augmented circuit), so it is not satisfied, nor is the running CycleFold instance.
    let proof = cheating_step(Cheat::ForgeOpOutput).unwrap();
    assert_rejected(verify_own(&proof), Check::CycleFoldRunning);
}

#[test]
fn proof_bytes_round_trip() {
    let proof = &honest_run().proofs[HONEST_STEPS - 1];
    let bytes = proof.to_bytes().unwrap();
    let back = IvcProof::from_bytes(&bytes).unwrap();
    assert_eq!(&back, proof);
    verify_own(&back).unwrap();
    assert!(matches!(
        IvcProof::from_bytes(&[bytes.as_slice(), &[0]].concat()),
        Err(Error::TrailingBytes(1))
    ));
}

#[test]
fn garbage_bytes_are_errors() {
    let bytes = honest_run().proofs[0].to_bytes().unwrap();
    assert!(matches!(IvcProof::from_bytes(&[]), Err(Error::BadMagic)));
    assert!(matches!(
        IvcProof::from_bytes(&bytes[..8]),
        Err(Error::BadMagic)
    ));
    let mut v = bytes.clone();
    v[8] = 7;
    assert!(matches!(
        IvcProof::from_bytes(&v),
        Err(Error::UnsupportedVersion(7))
    ));
    for cut in [9, 20, 100, bytes.len() / 2, bytes.len() - 1] {
        assert!(IvcProof::from_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
    }
    // Random bytes after a valid header, including huge vector lengths.
    let mut r = rng(60);
    for len in [0usize, 8, 64, 1000] {
        let mut v = bytes[..9].to_vec();
        v.extend((0..len).map(|_| rand::Rng::gen::<u8>(&mut r)));
        assert!(IvcProof::from_bytes(&v).is_err());
    }
    let mut v = bytes[..9].to_vec();
    v.extend([0xff; 8]);
    assert!(IvcProof::from_bytes(&v).is_err());
}

#[test]
fn flipped_bytes_never_panic() {
    let proof = &honest_run().proofs[1];
    let bytes = proof.to_bytes().unwrap();
    let mut r = rng(61);
    // The header, `i`, the state vectors, the first bytes of each vector, and random
    // positions.
    let mut positions = vec![
        0,
        8,
        9,
        12,
        17,
        25,
        30,
        60,
        200,
        bytes.len() - 1,
        bytes.len() - 40,
    ];
    positions.extend((0..8).map(|_| rand::Rng::gen_range(&mut r, 9..bytes.len())));
    let (mut errors, mut rejections) = (0, 0);
    for pos in positions {
        let mut v = bytes.clone();
        v[pos] ^= 0x5a;
        match IvcProof::from_bytes(&v) {
            Err(_) => errors += 1,
            Ok(p) => {
                // The statement as the proof claims it: only the proof's consistency can
                // catch the flip.
                let result = verify(
                    toy_key(),
                    p.num_steps(),
                    p.initial_state(),
                    p.current_state(),
                    &p,
                );
                assert!(result.is_err(), "flip at {pos} accepted");
                rejections += 1;
            }
        }
    }
    println!("flipped bytes: {errors} deserialization errors, {rejections} rejections");
}

#[test]
fn resume_from_checkpoint() {
    let key = toy_key();
    let run = honest_run();
    // Checkpoint after one step, through bytes.
    let bytes = run.proofs[0].to_bytes().unwrap();
    let parts = IvcProof::from_bytes(&bytes).unwrap();
    let mut prover = IvcProver::from_parts(key, &Toy::HONEST, parts).unwrap();
    assert_eq!(prover.num_steps(), 1);
    let mut r = rng(70);
    for ext in &run.inputs[1..] {
        prover.prove_step(*ext, &mut r).unwrap();
    }
    let last = &run.proofs[HONEST_STEPS - 1];
    assert_eq!(prover.current_state(), last.current_state());
    assert_eq!(prover.initial_state(), run.z0.as_slice());
    assert_eq!(prover.current_state().len(), TOY_STATE_LEN);
    verify_own(prover.proof()).unwrap();
    // The state's accumulator is the encoding of a point.
    let limbs: [Fr; 4] = prover.current_state()[1..].try_into().unwrap();
    let acc = point_from_fields(&limbs).unwrap();
    assert_eq!(point_to_fields(&acc), limbs);
}

#[test]
fn key_bytes_round_trip() {
    use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
    let key = toy_key();
    let mut bytes = vec![];
    key.serialize_compressed(&mut bytes).unwrap();
    let start = Instant::now();
    let back = crate::IvcKey::deserialize_compressed(bytes.as_slice()).unwrap();
    println!("key: {} bytes, read in {:?}", bytes.len(), start.elapsed());
    assert_eq!(back.pp_hash(), key.pp_hash());
    assert_eq!(back.augmented_shape(), key.augmented_shape());
    let proof = &honest_run().proofs[0];
    verify(
        &back,
        proof.num_steps(),
        proof.initial_state(),
        proof.current_state(),
        proof,
    )
    .unwrap();
    // A truncated key is an error.
    assert!(crate::IvcKey::deserialize_compressed(&bytes[..bytes.len() / 2]).is_err());
}

/// Steady-state timings (run with `--ignored --nocapture`): six steps of the toy, then
/// verification.
#[test]
#[ignore = "timing only"]
fn steady_state_timing() {
    let key = toy_key();
    let mut r = rng(80);
    let z0 = toy_initial_state(&random_point(&mut r));
    let mut prover = IvcProver::new(key, &Toy::HONEST, z0).unwrap();
    let mut times = vec![];
    for _ in 0..6 {
        let ext = [random_point(&mut r), random_point(&mut r)];
        let start = Instant::now();
        prover.prove_step(ext, &mut r).unwrap();
        times.push(start.elapsed());
    }
    let start = Instant::now();
    verify_own(prover.proof()).unwrap();
    println!(
        "prove_step times {times:?}; verify {:?}; proof {} bytes",
        start.elapsed(),
        prover.proof().to_bytes().unwrap().len()
    );
}
