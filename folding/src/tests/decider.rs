//! The decider on the toy step circuit with HyperKZG primary commitments: completeness,
//! serialization, the cross terms' blinds, fresh randomness, and rejection of every
//! tampered field, statement and cheating prover.

use std::{sync::OnceLock, time::Instant};

use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{One, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use zkpot_core::{CpuBackend, Fq, Fr, G1Affine, G1};
use zkpot_pcs::{KzgKey, Srs};

use super::{random_point, rng, toy::toy_initial_state, toy::Toy};
use crate::{
    decider::{
        self,
        close::{close, CloseCheat},
        spartan::SpartanCheat,
        Cheat, DeciderKey, DeciderProof,
    },
    generate_keys, preprocess_kzg, DeciderCheck, Error, Grumpkin, IvcConfig, IvcKey, IvcProof,
    IvcProver,
};

/// The toy's IVC key on a dev SRS, its decider key, and a two-step proof.
struct Setup {
    kzg: KzgKey,
    ivc: IvcKey,
    key: DeciderKey,
    proof: IvcProof,
    decided: DeciderProof,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let config = IvcConfig::for_circuit(&Toy::HONEST).unwrap();
        let power = config.primary_key_len.trailing_zeros();
        let kzg = KzgKey::new(Srs::dev_seeded(power, 5));
        let pp = preprocess_kzg(&config, &kzg, rng(6)).unwrap();
        let (ivc, _) = generate_keys(pp, &Toy::HONEST).unwrap();
        let start = Instant::now();
        let key = DeciderKey::new(&ivc).unwrap();
        println!("decider key: {:?}", start.elapsed());
        let mut r = rng(7);
        let mut prover =
            IvcProver::new(&ivc, &Toy::HONEST, toy_initial_state(&G1Affine::identity())).unwrap();
        for _ in 0..2 {
            let ext = [random_point(&mut r), random_point(&mut r)];
            prover.prove_step(ext, &mut r).unwrap();
        }
        let proof = prover.into_parts();
        crate::verify(
            &ivc,
            2,
            proof.initial_state(),
            proof.current_state(),
            &proof,
        )
        .unwrap();
        let start = Instant::now();
        let decided = decider::prove(&key, &ivc, &kzg, &CpuBackend, &proof, rng(8)).unwrap();
        println!("decider prove: {:?}", start.elapsed());
        Setup {
            kzg,
            ivc,
            key,
            proof,
            decided,
        }
    })
}

/// Verifies `decided` against the setup's statement.
fn verify_own(decided: &DeciderProof) -> Result<(), Error> {
    let s = setup();
    decider::verify(
        &s.key,
        s.kzg.verifier_key(),
        s.proof.num_steps(),
        s.proof.initial_state(),
        s.proof.current_state(),
        decided,
    )
}

/// Asserts a rejection (any decider check, or a folding error on malformed instances).
fn assert_rejected(result: Result<(), Error>, what: &str) {
    match result {
        Ok(()) => panic!("{what}: accepted"),
        Err(Error::DeciderRejected { .. } | Error::Folding(_)) => {}
        Err(e) => panic!("{what}: rejected with an unexpected error {e}"),
    }
}

#[test]
fn the_decider_proof_verifies_and_round_trips() {
    let s = setup();
    let (m, n, entries) = s.key.primary_size();
    let start = Instant::now();
    verify_own(&s.decided).unwrap();
    let bytes = s.decided.to_compressed_bytes();
    println!(
        "toy: {m} constraints, {n} witnesses, {entries:?} non-zeros; decider proof {} bytes \
         (primary SNARK {} bytes), verify {:?}",
        bytes.len(),
        s.decided.primary.compressed_size(),
        start.elapsed()
    );
    let back = DeciderProof::deserialize_compressed(bytes.as_slice()).unwrap();
    assert_eq!(back, s.decided);
    verify_own(&back).unwrap();
    // Malformed bytes are errors, never panics: every truncation and a flipped byte.
    for cut in (0..bytes.len()).step_by(97) {
        assert!(DeciderProof::deserialize_compressed(&bytes[..cut]).is_err());
    }
    for at in (0..bytes.len()).step_by(211) {
        let mut bad = bytes.clone();
        bad[at] ^= 0x5a;
        if let Ok(p) = DeciderProof::deserialize_compressed(bad.as_slice()) {
            assert_rejected(verify_own(&p), "a flipped byte");
        }
    }
}

impl DeciderProof {
    fn to_compressed_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.serialize_compressed(&mut out).unwrap();
        out
    }
}

#[test]
fn the_cross_terms_have_fresh_nonzero_blinds() {
    let s = setup();
    let (a, closed_a) = close(&s.ivc, &s.proof, rng(21), CloseCheat::None).unwrap();
    let (b, closed_b) = close(&s.ivc, &s.proof, rng(22), CloseCheat::None).unwrap();
    let (ta, tb) = (closed_a.cross_blinds, closed_b.cross_blinds);
    for (x, y) in [(ta.0, tb.0), (ta.1, tb.1)] {
        assert!(!x.is_zero() && !y.is_zero());
        assert_ne!(x, y);
    }
    assert!(!ta.2.is_zero() && !tb.2.is_zero() && ta.2 != tb.2);
    // The first cross term is a commitment to a vector fixed by the IVC proof: only a fresh
    // blind makes two closings differ.
    assert_ne!(a.cross_term, b.cross_term);
    // Everything the closing adds is fresh; the IVC's own instances are shared (they are
    // the proof being closed: hiding commitments and state hashes).
    assert_ne!(a.random, b.random);
    assert_ne!(a.random_cross_term, b.random_cross_term);
    assert_ne!(a.cf_random, b.cf_random);
    assert_ne!(a.cf_cross_term, b.cf_cross_term);
    assert_eq!((a.running, a.incoming), (b.running, b.incoming));
    // The closed witnesses share no entry.
    assert!(closed_a.W.w.iter().zip(&closed_b.W.w).all(|(x, y)| x != y));
}

#[test]
fn two_decider_proofs_of_one_run_share_only_the_ivc_instances() {
    let s = setup();
    let other = decider::prove(&s.key, &s.ivc, &s.kzg, &CpuBackend, &s.proof, rng(9)).unwrap();
    verify_own(&other).unwrap();
    let (a, b) = (&s.decided, &other);
    assert_ne!(a.primary.evals, b.primary.evals);
    assert_ne!(a.primary.e_value, b.primary.e_value);
    assert_ne!(a.primary.w_value, b.primary.w_value);
    assert_ne!(a.primary.e_proof.mask, b.primary.e_proof.mask);
    assert_ne!(a.primary.w_proof.mask, b.primary.w_proof.mask);
    // Round coefficients are fresh (a few are zero in both: the padding rows).
    let rounds = |p: &DeciderProof| -> Vec<Fr> {
        let (o, i) = (&p.primary.outer.rounds, &p.primary.inner.rounds);
        o.iter().chain(i).flatten().copied().collect()
    };
    let (ra, rb) = (rounds(a), rounds(b));
    let shared = ra.iter().zip(&rb).filter(|(x, y)| x == y).count();
    let zeros = ra
        .iter()
        .zip(&rb)
        .filter(|(x, y)| x == y && x.is_zero())
        .count();
    println!(
        "round coefficients: {} in all, {shared} equal, {zeros} of them zero",
        ra.len()
    );
    assert_eq!(shared, zeros);
    assert_ne!(a.cyclefold.evals, b.cyclefold.evals);
    assert_ne!(a.cyclefold.w.blind, b.cyclefold.w.blind);
    assert_ne!(a.cyclefold.e.ipa.l, b.cyclefold.e.ipa.l);
    // No witness entry of the IVC proof (running or incoming, non-trivial) appears in the
    // decider proof's bytes.
    // Values the verifier knows anyway (the augmented circuit also holds them as
    // witnesses: the states, the step count, the running instance's `u` and `x`, the
    // state hash) are left out.
    let bytes = a.to_compressed_bytes();
    let c = &a.closing;
    let mut public: Vec<Fr> = vec![
        Fr::zero(),
        Fr::one(),
        -Fr::one(),
        s.ivc.pp_hash(),
        c.running.u,
    ];
    public.extend(c.running.x.iter().chain(&c.incoming.x));
    public.extend(
        s.proof
            .initial_state()
            .iter()
            .chain(s.proof.current_state()),
    );
    public.extend((0..=s.proof.num_steps()).map(Fr::from));
    // The running CycleFold commitments are Grumpkin points, whose coordinates are `Fr`
    // elements of the augmented circuit's witness.
    for p in [c.cf_running.cm_e, c.cf_running.cm_w] {
        let p = p.into_affine();
        public.extend([p.x, p.y]);
    }
    let mut needles = Vec::new();
    for x in s.proof.W.w.iter().chain(&s.proof.w.w).chain(&s.proof.W.e) {
        if !public.contains(x) {
            let mut b = Vec::new();
            x.serialize_compressed(&mut b).unwrap();
            needles.push(b);
        }
    }
    needles.sort();
    needles.dedup();
    let found = needles
        .iter()
        .filter(|n| bytes.windows(n.len()).any(|w| w == n.as_slice()))
        .count();
    assert_eq!(found, 0, "{found} witness entries appear in the proof");
}

#[test]
fn tampered_statements_are_rejected() {
    let s = setup();
    let (steps, z0, zi) = (
        s.proof.num_steps(),
        s.proof.initial_state().to_vec(),
        s.proof.current_state().to_vec(),
    );
    let check = |steps: u64, z0: &[Fr], zi: &[Fr], what: &str| {
        let r = decider::verify(&s.key, s.kzg.verifier_key(), steps, z0, zi, &s.decided);
        assert_rejected(r, what);
    };
    check(steps + 1, &z0, &zi, "one more step");
    check(steps - 1, &z0, &zi, "one step less");
    check(0, &z0, &zi, "zero steps");
    for k in 0..z0.len() {
        let mut bad = z0.clone();
        bad[k] += Fr::one();
        check(steps, &bad, &zi, "z0");
        let mut bad = zi.clone();
        bad[k] += Fr::one();
        check(steps, &z0, &bad, "z_i");
    }
    check(steps, &z0[1..], &zi, "a short z0");
    // Another SRS's verifier key.
    let other = KzgKey::new(Srs::dev_seeded(s.kzg.verifier_key().power(), 99));
    let r = decider::verify(&s.key, other.verifier_key(), steps, &z0, &zi, &s.decided);
    assert_rejected(r, "another SRS");
}

#[test]
fn every_tampered_proof_field_is_rejected() {
    let s = setup();
    let g1 = |p: &mut G1| *p += G1Affine::generator();
    let gr = |p: &mut Grumpkin| *p += ark_grumpkin::Affine::generator();
    type Tamper = Box<dyn Fn(&mut DeciderProof)>;
    let mut cases: Vec<(&str, Tamper)> = vec![
        (
            "running cm_e",
            Box::new(move |p| g1(&mut p.closing.running.cm_e)),
        ),
        (
            "running cm_w",
            Box::new(move |p| g1(&mut p.closing.running.cm_w)),
        ),
        ("running u", Box::new(|p| p.closing.running.u += Fr::one())),
        (
            "running x",
            Box::new(|p| p.closing.running.x[0] += Fr::one()),
        ),
        (
            "incoming cm_w",
            Box::new(move |p| g1(&mut p.closing.incoming.cm_w)),
        ),
        (
            "incoming x",
            Box::new(|p| p.closing.incoming.x[0] += Fr::one()),
        ),
        (
            "cross term",
            Box::new(move |p| g1(&mut p.closing.cross_term)),
        ),
        (
            "random cm_e",
            Box::new(move |p| g1(&mut p.closing.random.cm_e)),
        ),
        (
            "random cm_w",
            Box::new(move |p| g1(&mut p.closing.random.cm_w)),
        ),
        ("random u", Box::new(|p| p.closing.random.u += Fr::one())),
        ("random x", Box::new(|p| p.closing.random.x[0] += Fr::one())),
        (
            "random cross term",
            Box::new(move |p| g1(&mut p.closing.random_cross_term)),
        ),
        (
            "cf running cm_e",
            Box::new(move |p| gr(&mut p.closing.cf_running.cm_e)),
        ),
        (
            "cf running cm_w",
            Box::new(move |p| gr(&mut p.closing.cf_running.cm_w)),
        ),
        (
            "cf running u",
            Box::new(|p| p.closing.cf_running.u += Fq::one()),
        ),
        (
            "cf running x",
            Box::new(|p| p.closing.cf_running.x[0] += Fq::one()),
        ),
        (
            "cf random cm_e",
            Box::new(move |p| gr(&mut p.closing.cf_random.cm_e)),
        ),
        (
            "cf random cm_w",
            Box::new(move |p| gr(&mut p.closing.cf_random.cm_w)),
        ),
        (
            "cf random u",
            Box::new(|p| p.closing.cf_random.u += Fq::one()),
        ),
        (
            "cf random x",
            Box::new(|p| p.closing.cf_random.x[1] += Fq::one()),
        ),
        (
            "cf cross term",
            Box::new(move |p| gr(&mut p.closing.cf_cross_term)),
        ),
        ("Az", Box::new(|p| p.primary.evals[0] += Fr::one())),
        ("Bz", Box::new(|p| p.primary.evals[1] += Fr::one())),
        ("Cz", Box::new(|p| p.primary.evals[2] += Fr::one())),
        ("E value", Box::new(|p| p.primary.e_value += Fr::one())),
        ("W value", Box::new(|p| p.primary.w_value += Fr::one())),
        (
            "E proof mask",
            Box::new(|p| {
                p.primary.e_proof.mask =
                    (p.primary.e_proof.mask + G1Affine::generator()).into_affine()
            }),
        ),
        (
            "E proof blind",
            Box::new(|p| p.primary.e_proof.blind += Fr::one()),
        ),
        (
            "E proof at b",
            Box::new(|p| p.primary.e_proof.at_b[0] += Fr::one()),
        ),
        (
            "W proof mask value",
            Box::new(|p| p.primary.w_proof.mask_value += Fr::one()),
        ),
        (
            "W proof quotient",
            Box::new(|p| {
                p.primary.w_proof.quotients[2] =
                    (p.primary.w_proof.quotients[2] + G1Affine::generator()).into_affine()
            }),
        ),
        (
            "W proof fold",
            Box::new(|p| {
                p.primary.w_proof.folds[0] =
                    (p.primary.w_proof.folds[0] + G1Affine::generator()).into_affine()
            }),
        ),
        (
            "outer: one round fewer",
            Box::new(|p| {
                p.primary.outer.rounds.pop();
            }),
        ),
        (
            "inner: a short round",
            Box::new(|p| {
                p.primary.inner.rounds[0].pop();
            }),
        ),
        ("cf Az", Box::new(|p| p.cyclefold.evals[0] += Fq::one())),
        ("cf Cz", Box::new(|p| p.cyclefold.evals[2] += Fq::one())),
        ("cf E value", Box::new(|p| p.cyclefold.e.value += Fq::one())),
        ("cf E blind", Box::new(|p| p.cyclefold.e.blind += Fq::one())),
        ("cf W value", Box::new(|p| p.cyclefold.w.value += Fq::one())),
        ("cf W blind", Box::new(|p| p.cyclefold.w.blind += Fq::one())),
        (
            "cf W last scalar",
            Box::new(|p| p.cyclefold.w.ipa.a += Fq::one()),
        ),
        (
            "cf E last scalar",
            Box::new(|p| p.cyclefold.e.ipa.a += Fq::one()),
        ),
        (
            "cf W L",
            Box::new(move |p| {
                let l = &mut p.cyclefold.w.ipa.l[2];
                *l = (*l + ark_grumpkin::Affine::generator()).into_affine();
            }),
        ),
        (
            "cf E R",
            Box::new(move |p| {
                let r = &mut p.cyclefold.e.ipa.r[0];
                *r = (*r + ark_grumpkin::Affine::generator()).into_affine();
            }),
        ),
        (
            "cf E short",
            Box::new(|p| {
                p.cyclefold.e.ipa.l.pop();
            }),
        ),
        (
            "cf inner round short",
            Box::new(|p| {
                p.cyclefold.inner[1].pop();
            }),
        ),
        (
            "running x long",
            Box::new(|p| p.closing.running.x.push(Fr::one())),
        ),
        (
            "cf random x short",
            Box::new(|p| {
                p.closing.cf_random.x.pop();
            }),
        ),
    ];
    let outer_rounds = s.decided.primary.outer.rounds.len();
    for round in 0..outer_rounds {
        for c in 0..3 {
            cases.push((
                "outer round coefficient",
                Box::new(move |p| p.primary.outer.rounds[round][c] += Fr::one()),
            ));
        }
    }
    for round in 0..s.decided.cyclefold.outer.len() {
        cases.push((
            "cf outer round coefficient",
            Box::new(move |p| p.cyclefold.outer[round][round % 3] += Fq::one()),
        ));
    }
    for round in 0..s.decided.cyclefold.inner.len() {
        cases.push((
            "cf inner round coefficient",
            Box::new(move |p| p.cyclefold.inner[round][round % 2] += Fq::one()),
        ));
    }
    let inner_rounds = s.decided.primary.inner.rounds.len();
    for round in 0..inner_rounds {
        for c in 0..2 {
            cases.push((
                "inner round coefficient",
                Box::new(move |p| p.primary.inner.rounds[round][c] += Fr::one()),
            ));
        }
    }
    println!("{} tampered proofs", cases.len());
    for (what, tamper) in &cases {
        let mut bad = s.decided.clone();
        tamper(&mut bad);
        assert_rejected(verify_own(&bad), what);
    }
}

#[test]
fn cheating_provers_are_rejected() {
    let s = setup();
    let prove = |cheat: Cheat, proof: &IvcProof| {
        decider::prove_inner(
            &s.key,
            &s.ivc,
            &s.kzg,
            &CpuBackend,
            proof,
            &mut rng(31),
            cheat,
        )
    };
    // A random instance that does not satisfy the relation.
    let cheat = Cheat {
        close: CloseCheat::UnsatisfiedRandom,
        spartan: SpartanCheat::Unsatisfied,
    };
    let bad = prove(cheat, &s.proof).unwrap();
    assert_eq!(
        verify_own(&bad).unwrap_err().decider_check(),
        Some(DeciderCheck::Outer)
    );
    // A random CycleFold instance that does not satisfy the relation.
    let cheat = Cheat {
        close: CloseCheat::UnsatisfiedCycleFoldRandom,
        spartan: SpartanCheat::None,
    };
    let bad = prove(cheat, &s.proof).unwrap();
    assert_eq!(
        verify_own(&bad).unwrap_err().decider_check(),
        Some(DeciderCheck::CycleFold)
    );
    // An IVC proof whose running witness is wrong: the honest decider refuses it, a
    // cheating one proves something the verifier rejects.
    let mut broken = s.proof.clone();
    broken.W.w[5] += Fr::one();
    assert!(matches!(
        prove(Cheat::default(), &broken),
        Err(Error::DeciderShape { .. })
    ));
    let cheat = Cheat {
        close: CloseCheat::None,
        spartan: SpartanCheat::Unsatisfied,
    };
    let bad = prove(cheat, &broken).unwrap();
    assert_rejected(verify_own(&bad), "a broken running witness");
    // A broken last incoming witness.
    let mut broken = s.proof.clone();
    broken.w.w[5] += Fr::one();
    let bad = prove(cheat, &broken).unwrap();
    assert_rejected(verify_own(&bad), "a broken incoming witness");
    // A Pedersen IVC key is refused by the prover.
    let pedersen = super::toy_key();
    assert!(matches!(
        decider::prove(&s.key, pedersen, &s.kzg, &CpuBackend, &s.proof, rng(1)),
        Err(Error::DeciderShape { .. })
    ));
}
