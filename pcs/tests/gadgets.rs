//! The in-circuit verifiers of `pcs` (Merkle path, claim aggregation, accumulator fold)
//! against their native twins: same inputs, same challenges and outputs, honest proofs
//! satisfy the circuit, tampered ones do not.

#![allow(clippy::unwrap_used)]

use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::Zero;
use ark_r1cs_std::alloc::AllocVar;
use ark_relations::gr1cs::ConstraintSystem;
use zkpot_core::{point_to_fields, G1};

use ark_r1cs_std::{boolean::Boolean, fields::fp::FpVar, fields::FieldVar};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use zkpot_core::{
    constraints::{ClaimVar, FrVar, TranscriptVar},
    Fr,
};
use zkpot_pcs::{
    accumulator::{
        constraints::{verify_fold, verify_fold_bound, AccumulatorVar, FoldProofVar},
        Accumulator, FoldProof,
    },
    aggregate::{
        constraints::{
            enforce_distinct, verify_aggregate, AggregatedVar, AggregationProofVar,
            AggregationShape,
        },
        AggregationProof, AGGREGATE_DEGREE,
    },
    merkle::{self, constraints::verify_path, tree_depth, MerkleTree},
    Commitment, CommittedClaim,
};

fn leaves(n: u64) -> Vec<Commitment> {
    (1..=n)
        .map(|i| {
            Commitment((G1::from(zkpot_core::G1Affine::generator()) * Fr::from(i)).into_affine())
        })
        .collect()
}

/// Builds the circuit for `(leaf, index, siblings)` against `root`; whether it is
/// satisfied (or `None` for a synthesis error).
fn check(
    root: Fr,
    num_leaves: u64,
    leaf: &Commitment,
    index: u64,
    siblings: &[Fr],
) -> Option<bool> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let root = FpVar::new_input(cs.clone(), || Ok(root)).ok()?;
    let limbs = point_to_fields(&leaf.0).map(|x| FpVar::new_witness(cs.clone(), || Ok(x)).unwrap());
    let depth = tree_depth(num_leaves);
    let bits: Vec<Boolean<Fr>> = (0..depth)
        .map(|j| Boolean::new_witness(cs.clone(), || Ok(index >> j & 1 == 1)).unwrap())
        .collect();
    let siblings: Vec<FrVar> = siblings
        .iter()
        .map(|s| FpVar::new_witness(cs.clone(), || Ok(*s)).unwrap())
        .collect();
    verify_path(&cs, &root, num_leaves, &limbs, &bits, &siblings).ok()?;
    Some(cs.is_satisfied().unwrap())
}

#[test]
fn the_gadget_agrees_with_the_native_path_check() {
    for n in [1u64, 2, 3, 5, 8] {
        let leaves = leaves(n);
        let tree = MerkleTree::new(&leaves).unwrap();
        for (i, leaf) in leaves.iter().enumerate() {
            let path = tree.path(i).unwrap();
            merkle::verify_path(tree.root(), n, leaf, &path).unwrap();
            assert_eq!(
                check(tree.root(), n, leaf, i as u64, &path.siblings),
                Some(true),
                "n = {n}, leaf {i}"
            );
        }
    }
}

#[test]
fn tampered_paths_leave_the_circuit_unsatisfied() {
    let n = 5;
    let leaves = leaves(n);
    let tree = MerkleTree::new(&leaves).unwrap();
    let path = tree.path(2).unwrap();
    let root = tree.root();
    // Another leaf, another index, a changed sibling, another root or leaf count.
    assert_eq!(check(root, n, &leaves[3], 2, &path.siblings), Some(false));
    assert_eq!(check(root, n, &leaves[2], 3, &path.siblings), Some(false));
    for j in 0..path.siblings.len() {
        let mut s = path.siblings.clone();
        s[j] += Fr::from(1u64);
        assert_eq!(
            check(root, n, &leaves[2], 2, &s),
            Some(false),
            "sibling {j}"
        );
    }
    assert_eq!(
        check(root + Fr::from(1u64), n, &leaves[2], 2, &path.siblings),
        Some(false)
    );
    assert_eq!(check(root, 6, &leaves[2], 2, &path.siblings), Some(false));
    // An index at or past the leaf count (the padding leaves), even with a valid
    // path to a padding leaf.
    let padded = tree.path(4).unwrap();
    assert_eq!(check(root, n, &leaves[4], 4, &padded.siblings), Some(true));
    let empty = Commitment::identity();
    let mut s = padded.siblings.clone();
    s[0] = merkle::leaf_hash(&leaves[4]);
    assert_eq!(check(root, n, &empty, 5, &s), Some(false));
    // The wrong number of siblings is a synthesis error.
    assert_eq!(check(root, n, &leaves[2], 2, &path.siblings[1..]), None);
}

// ---- claim aggregation and the accumulator fold ----

use ark_ff::{One, UniformRand};
use ark_r1cs_std::GR1CSVar;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkpot_core::{evaluate_slice, CpuBackend, PoseidonTranscript, Transcript};

use zkpot_pcs::accumulator::AccumulatorProver;
use zkpot_pcs::error::PcsError;
use zkpot_pcs::pedersen::{commit, Opening, PedersenKey};
use zkpot_pcs::{Aggregatable, PedersenIpa};

const LABEL: &[u8] = b"zkpot-test-aggregate-gadget";

/// The native transcript, after a prefix standing for what the step circuit absorbs
/// before the aggregation.
fn native_transcript() -> PoseidonTranscript {
    let mut t = PoseidonTranscript::new(LABEL);
    t.absorb_u64(7);
    t
}

fn gadget_transcript(cs: &ConstraintSystemRef<Fr>) -> TranscriptVar {
    let mut t = TranscriptVar::new(cs.clone(), LABEL).unwrap();
    t.absorb_u64(7).unwrap();
    t
}

fn key() -> PedersenKey {
    PedersenKey::setup(b"zkpot-test-constraints", 64)
}

/// Claims with their openings.
struct Batch {
    claims: Vec<CommittedClaim>,
    openings: Vec<Opening>,
}

impl Batch {
    fn refs(&self) -> Vec<&Opening> {
        self.openings.iter().collect()
    }
}

/// Random tables of `tables[c]` variables, and true claims `i` on table `on[i]` at
/// random points.
fn batch(key: &PedersenKey, rng: &mut ChaCha20Rng, tables: &[usize], on: &[usize]) -> Batch {
    let committed: Vec<(Commitment, Opening)> = tables
        .iter()
        .map(|&n| {
            let table: Vec<Fr> = (0..1 << n).map(|_| Fr::rand(rng)).collect();
            let blind = Fr::rand(rng);
            let c = commit(key, &CpuBackend, &table, blind).unwrap();
            (c, Opening { table, blind })
        })
        .collect();
    let (mut claims, mut openings) = (Vec::new(), Vec::new());
    for &c in on {
        let (commitment, opening) = &committed[c];
        let point: Vec<Fr> = (0..tables[c]).map(|_| Fr::rand(rng)).collect();
        let value = evaluate_slice(&opening.table, &point).unwrap();
        claims.push(CommittedClaim::new(*commitment, point, value));
        openings.push(opening.clone());
    }
    Batch { claims, openings }
}

/// The statement as the gadget sees it: one commitment per slot (as limbs, so a test
/// can change a limb), and every claim's point and value.
#[derive(Clone)]
struct Statement {
    slots: Vec<[Fr; 4]>,
    claims: Vec<(Vec<Fr>, Fr)>,
}

/// Each slot's commitment: that of the first claim in it.
fn slot_commitments(shape: &AggregationShape, claims: &[CommittedClaim]) -> Vec<Commitment> {
    (0..shape.num_slots())
        .map(|j| {
            let i = shape.group().iter().position(|&g| g == j).unwrap();
            claims[i].commitment
        })
        .collect()
}

fn statement(shape: &AggregationShape, claims: &[CommittedClaim]) -> Statement {
    Statement {
        slots: slot_commitments(shape, claims)
            .iter()
            .map(|c| point_to_fields(&c.0))
            .collect(),
        claims: claims
            .iter()
            .map(|c| (c.claim.point.clone(), c.claim.value))
            .collect(),
    }
}

/// What the gadget computed, read back.
#[derive(Debug, PartialEq)]
struct Run {
    point: Vec<Fr>,
    value: Fr,
    coefficients: Vec<Fr>,
    /// The next challenge of the transcript after the gadget.
    next: Fr,
    satisfied: bool,
}

fn witness(cs: &ConstraintSystemRef<Fr>, x: Fr) -> FrVar {
    FpVar::new_witness(cs.clone(), || Ok(x)).unwrap()
}

fn claim_vars(cs: &ConstraintSystemRef<Fr>, claims: &[(Vec<Fr>, Fr)]) -> Vec<ClaimVar> {
    claims
        .iter()
        .map(|(point, value)| ClaimVar {
            point: point.iter().map(|x| witness(cs, *x)).collect(),
            value: witness(cs, *value),
        })
        .collect()
}

fn limb_vars(cs: &ConstraintSystemRef<Fr>, slots: &[[Fr; 4]]) -> Vec<[FrVar; 4]> {
    slots.iter().map(|s| s.map(|x| witness(cs, x))).collect()
}

/// Reads the gadget's output back, checking each coefficient's bits against its value.
fn read(cs: &ConstraintSystemRef<Fr>, out: &AggregatedVar, t: &mut TranscriptVar) -> Run {
    let coefficients = out
        .coefficients
        .iter()
        .map(|(b, bits)| {
            assert_eq!(bits.len(), 128);
            let from_bits = bits.iter().rev().fold(Fr::zero(), |acc, bit| {
                acc + acc + Fr::from(u64::from(bit.value().unwrap()))
            });
            assert_eq!(from_bits, b.value().unwrap());
            b.value().unwrap()
        })
        .collect();
    Run {
        point: out.point.iter().map(|x| x.value().unwrap()).collect(),
        value: out.value.value().unwrap(),
        coefficients,
        next: t.challenge().unwrap().value().unwrap(),
        satisfied: cs.is_satisfied().unwrap(),
    }
}

fn run_aggregate(
    shape: &AggregationShape,
    statement: &Statement,
    proof: &AggregationProof,
) -> Result<Run, SynthesisError> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let mut t = gadget_transcript(&cs);
    let slots = limb_vars(&cs, &statement.slots);
    let claims = claim_vars(&cs, &statement.claims);
    let proof = AggregationProofVar::new_witness(cs.clone(), proof, shape)?;
    let out = verify_aggregate(shape, &slots, &claims, &proof, &mut t)?;
    Ok(read(&cs, &out, &mut t))
}

/// The native verifier's output claim and the transcript's next challenge.
fn native_aggregate(
    claims: &[CommittedClaim],
    proof: &AggregationProof,
) -> Result<(CommittedClaim, Fr), PcsError> {
    let mut t = native_transcript();
    let claim = PedersenIpa::verify_aggregate(claims, proof, &mut t)?;
    Ok((claim, t.challenge()))
}

/// `C_0 + sum_{j >= 1} b_j C_j`, natively.
fn combine(slots: &[Commitment], coefficients: &[Fr]) -> Commitment {
    let mut c: G1 = slots[0].0.into_group();
    for (s, b) in slots[1..].iter().zip(coefficients) {
        c += s.0 * b;
    }
    Commitment(c.into_affine())
}

/// The gadget on an honest proof agrees with the native verifier: same point, same
/// value, coefficients that combine the slots into the native output commitment, the
/// same transcript state afterwards, and a satisfied circuit.
fn assert_agrees(
    shape: &AggregationShape,
    claims: &[CommittedClaim],
    native: (CommittedClaim, Fr),
    run: &Run,
) {
    let (claim, next) = native;
    assert!(run.satisfied, "an honest proof satisfies the circuit");
    assert_eq!(run.point, claim.claim.point);
    assert_eq!(run.value, claim.claim.value);
    assert_eq!(run.coefficients.len(), shape.num_slots() - 1);
    assert_eq!(
        combine(&slot_commitments(shape, claims), &run.coefficients),
        claim.commitment
    );
    assert_eq!(run.next, next, "the transcripts stay in sync");
}

fn prove(batch: &Batch) -> AggregationProof {
    let mut t = native_transcript();
    PedersenIpa::aggregate(&CpuBackend, &batch.claims, &batch.refs(), &mut t)
        .unwrap()
        .2
}

#[test]
fn the_aggregation_gadget_agrees_with_the_native_verifier() {
    let key = key();
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    // (table sizes, the table of each claim): one claim; one commitment, several
    // points; several commitments of different sizes, interleaved; empty points.
    let cases: [(&[usize], &[usize]); 5] = [
        (&[3], &[0]),
        (&[4], &[0, 0, 0]),
        (&[3, 4, 2], &[0, 1, 0, 2, 1, 1]),
        (&[2, 5, 1, 3], &[3, 2, 1, 0, 1, 3]),
        (&[0, 0], &[0, 1, 0]),
    ];
    for (tables, on) in cases {
        let batch = batch(&key, &mut rng, tables, on);
        let proof = prove(&batch);
        let shape = AggregationShape::of_claims(&batch.claims).unwrap();
        let run = run_aggregate(&shape, &statement(&shape, &batch.claims), &proof).unwrap();
        let native = native_aggregate(&batch.claims, &proof).unwrap();
        assert_agrees(&shape, &batch.claims, native, &run);
    }
}

#[test]
fn a_tampered_aggregation_leaves_the_circuit_unsatisfied() {
    let key = key();
    let mut rng = ChaCha20Rng::seed_from_u64(12);
    let batch = batch(&key, &mut rng, &[3, 4, 2], &[0, 1, 0, 2, 1, 1]);
    let proof = prove(&batch);
    let shape = AggregationShape::of_claims(&batch.claims).unwrap();
    let honest = statement(&shape, &batch.claims);
    let one = Fr::one();

    // Proof fields: every round coefficient, every eval. The native verifier rejects
    // and the circuit is unsatisfied.
    let mut proofs = Vec::new();
    for r in 0..proof.sumcheck.rounds.len() {
        for k in 0..AGGREGATE_DEGREE {
            let mut p = proof.clone();
            p.sumcheck.rounds[r][k] += one;
            proofs.push((format!("round {r} coefficient {k}"), p));
        }
    }
    for j in 0..proof.evals.len() {
        let mut p = proof.clone();
        p.evals[j] += one;
        proofs.push((format!("eval {j}"), p));
    }
    for (what, p) in &proofs {
        assert!(native_aggregate(&batch.claims, p).is_err(), "{what}");
        let run = run_aggregate(&shape, &honest, p).unwrap();
        assert!(!run.satisfied, "{what}");
    }

    // Statement fields with the honest proof: every claim value and point coordinate
    // (the native verifier rejects too), then every commitment limb. A changed
    // statement changes the challenges, and the honest proof then fails the final
    // check: the circuit is unsatisfied (stronger than "the outputs differ").
    let mut statements = Vec::new();
    for i in 0..batch.claims.len() {
        let mut claims = batch.claims.clone();
        claims[i].claim.value += one;
        statements.push((format!("claim {i} value"), claims));
        for l in 0..batch.claims[i].claim.point.len() {
            let mut claims = batch.claims.clone();
            claims[i].claim.point[l] += one;
            statements.push((format!("claim {i} coordinate {l}"), claims));
        }
    }
    // Another commitment in a slot (for every claim of the slot, so the grouping
    // stays).
    for j in 0..shape.num_slots() {
        let other = Commitment(zkpot_core::G1Affine::rand(&mut rng));
        let mut claims = batch.claims.clone();
        for (c, &g) in claims.iter_mut().zip(shape.group()) {
            if g == j {
                c.commitment = other;
            }
        }
        statements.push((format!("slot {j} commitment"), claims));
    }
    for (what, claims) in &statements {
        assert!(native_aggregate(claims, &proof).is_err(), "{what}");
        let run = run_aggregate(&shape, &statement(&shape, claims), &proof).unwrap();
        assert!(!run.satisfied, "{what}");
        assert_ne!(run.next, native_aggregate(&batch.claims, &proof).unwrap().1);
    }
    for j in 0..shape.num_slots() {
        for l in 0..4 {
            let mut s = honest.clone();
            s.slots[j][l] += one;
            let run = run_aggregate(&shape, &s, &proof).unwrap();
            assert!(!run.satisfied, "slot {j} limb {l}");
        }
    }

    // Two slots with the same commitment: the native verifier groups them as one
    // (so the proof has the wrong number of evals); the circuit is unsatisfied (here
    // the changed transcript alone does it; `equal_slots_are_refused` checks the
    // distinctness constraints on their own).
    let mut merged = batch.claims.clone();
    for (c, &g) in merged.iter_mut().zip(shape.group()) {
        if g == 2 {
            c.commitment = batch.claims[0].commitment;
        }
    }
    assert!(matches!(
        native_aggregate(&merged, &proof),
        Err(PcsError::WrongProofLength { .. })
    ));
    let mut s = honest.clone();
    s.slots[2] = s.slots[0];
    assert!(!run_aggregate(&shape, &s, &proof).unwrap().satisfied);
}

#[test]
fn shapes_are_public_and_checked() {
    let key = key();
    let mut rng = ChaCha20Rng::seed_from_u64(13);
    let batch = batch(&key, &mut rng, &[3, 4, 2], &[0, 1, 0, 2, 1, 1]);
    let proof = prove(&batch);
    let shape = AggregationShape::of_claims(&batch.claims).unwrap();
    assert_eq!(shape.group(), &[0, 1, 0, 2, 1, 1]);
    assert_eq!(shape.point_lens(), &[3, 4, 3, 2, 4, 4]);
    assert_eq!(
        (shape.num_vars(), shape.num_claims(), shape.num_slots()),
        (4, 6, 3)
    );
    assert_eq!(
        shape,
        AggregationShape::new(vec![3, 4, 3, 2, 4, 4], vec![0, 1, 0, 2, 1, 1]).unwrap()
    );
    // Slots out of first-appearance order, mismatched or empty lists.
    for (lens, group) in [
        (vec![1, 1], vec![1, 0]),
        (vec![1, 1, 1], vec![0, 2, 1]),
        (vec![1, 1], vec![0]),
        (vec![], vec![]),
    ] {
        assert!(AggregationShape::new(lens, group).is_err());
    }
    assert!(AggregationShape::of_claims(&[]).is_err());

    // A proof of another shape is refused when allocated, whatever its contents.
    let cs = ConstraintSystem::<Fr>::new_ref();
    let mut short = proof.clone();
    short.evals.pop();
    let mut long = proof.clone();
    long.sumcheck.rounds.push(vec![Fr::one(); 2]);
    let mut wide = proof.clone();
    wide.sumcheck.rounds[1].push(Fr::one());
    for p in [&short, &long, &wide] {
        assert!(AggregationProofVar::new_witness(cs.clone(), p, &shape).is_err());
    }
    // The zero proof has the shape (and does not verify).
    let zero = shape.zero_proof();
    let run = run_aggregate(&shape, &statement(&shape, &batch.claims), &zero).unwrap();
    assert!(!run.satisfied);

    // Inputs of the wrong sizes are synthesis errors.
    let honest = statement(&shape, &batch.claims);
    let mut fewer_slots = honest.clone();
    fewer_slots.slots.pop();
    let mut fewer_claims = honest.clone();
    fewer_claims.claims.pop();
    let mut shorter_point = honest.clone();
    shorter_point.claims[1].0.pop();
    for s in [&fewer_slots, &fewer_claims, &shorter_point] {
        assert!(run_aggregate(&shape, s, &proof).is_err());
    }
    // Another shape of the same claims (a grouping the prover did not use) is refused
    // at allocation when its sizes differ, and unsatisfied otherwise.
    let regrouped = AggregationShape::new(shape.point_lens().to_vec(), vec![0; 6]).unwrap();
    assert!(AggregationProofVar::new_witness(cs.clone(), &proof, &regrouped).is_err());
}

/// The distinctness of the slots on its own: slots equal in all four limbs leave the
/// circuit unsatisfied (or, as constants, are a synthesis error, never a panic);
/// slots that differ in any one limb pass.
#[test]
fn equal_slots_are_refused() {
    let mut rng = ChaCha20Rng::seed_from_u64(17);
    let base: [Fr; 4] = [(); 4].map(|_| Fr::rand(&mut rng));
    let satisfied = |slots: &[[Fr; 4]]| {
        let cs = ConstraintSystem::<Fr>::new_ref();
        enforce_distinct(&limb_vars(&cs, slots)).unwrap();
        cs.is_satisfied().unwrap()
    };
    for l in 0..4 {
        let mut other = base;
        other[l] += Fr::one();
        assert!(satisfied(&[base, other, [Fr::zero(); 4]]), "limb {l}");
    }
    assert!(!satisfied(&[base, [Fr::zero(); 4], base]));
    assert!(!satisfied(&[[Fr::zero(); 4], [Fr::zero(); 4]]));
    let zeros = [
        FpVar::constant(Fr::zero()),
        FpVar::zero(),
        FpVar::zero(),
        FpVar::zero(),
    ];
    assert!(enforce_distinct(&[zeros.clone(), zeros]).is_err());
}

/// A fold in the gadget, the accumulator given as `(limbs, point, value)`.
fn run_fold(
    shape: &AggregationShape,
    acc: &([Fr; 4], Vec<Fr>, Fr),
    statement: &Statement,
    proof: &FoldProof,
) -> Result<Run, SynthesisError> {
    run_fold_in(shape, acc, statement, proof, false)
}

fn run_fold_in(
    shape: &AggregationShape,
    acc: &([Fr; 4], Vec<Fr>, Fr),
    statement: &Statement,
    proof: &FoldProof,
    bound: bool,
) -> Result<Run, SynthesisError> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let mut t = gadget_transcript(&cs);
    let acc = AccumulatorVar {
        commitment: acc.0.map(|x| witness(&cs, x)),
        claim: claim_vars(&cs, &[(acc.1.clone(), acc.2)]).remove(0),
    };
    let slots = limb_vars(&cs, &statement.slots);
    let claims = claim_vars(&cs, &statement.claims);
    let proof = FoldProofVar::new_witness(cs.clone(), proof, shape)?;
    let out = if bound {
        verify_fold_bound(shape, &acc, &slots, &claims, &proof, &mut t)?
    } else {
        verify_fold(shape, &acc, &slots, &claims, &proof, &mut t)?
    };
    Ok(read(&cs, &out, &mut t))
}

fn native_fold(
    acc: &Accumulator,
    claims: &[CommittedClaim],
    proof: &FoldProof,
) -> Result<(CommittedClaim, Fr), PcsError> {
    native_fold_in(acc, claims, proof, false)
}

fn native_fold_in(
    acc: &Accumulator,
    claims: &[CommittedClaim],
    proof: &FoldProof,
    bound: bool,
) -> Result<(CommittedClaim, Fr), PcsError> {
    let mut t = native_transcript();
    let next = if bound {
        acc.verify_fold_bound::<PedersenIpa, _>(claims, proof, &mut t)?
    } else {
        acc.verify_fold::<PedersenIpa, _>(claims, proof, &mut t)?
    };
    Ok((next.claim, t.challenge()))
}

/// The bound fold (claims not absorbed again): the gadget agrees with the native
/// verifier, its challenges differ from the absorbing fold's, and a changed claim
/// value or eval is still rejected by both.
#[test]
fn the_bound_fold_gadget_agrees_with_the_native_verifier() {
    let key = key();
    let mut rng = ChaCha20Rng::seed_from_u64(18);
    let mut prover = AccumulatorProver::new(4);
    for (n, batch) in [
        batch(&key, &mut rng, &[4, 3], &[0, 1, 0]),
        batch(&key, &mut rng, &[4, 2, 3], &[1, 0, 2, 1]),
    ]
    .iter()
    .enumerate()
    {
        let acc = prover.accumulator().clone();
        let mut t = native_transcript();
        let proof = prover
            .fold_bound::<PedersenIpa, _, _>(&CpuBackend, &batch.claims, &batch.refs(), &mut t)
            .unwrap();
        let shape = AggregationShape::of_fold(&acc, &batch.claims).unwrap();
        let statement = fold_statement(&shape, &acc, &batch.claims);
        let parts = acc_parts(&acc);
        let run = run_fold_in(&shape, &parts, &statement, &proof, true).unwrap();
        let native = native_fold_in(&acc, &batch.claims, &proof, true).unwrap();
        assert_eq!(&native.0, &prover.accumulator().claim, "fold {n}");
        let all: Vec<CommittedClaim> = std::iter::once(acc.claim.clone())
            .chain(batch.claims.iter().cloned())
            .collect();
        assert_agrees(&shape, &all, native, &run);
        assert!(native_fold_in(&acc, &batch.claims, &proof, false).is_err());

        let mut lying = batch.claims.clone();
        lying[1].claim.value += Fr::one();
        assert!(native_fold_in(&acc, &lying, &proof, true).is_err());
        let mut st = statement.clone();
        st.claims[1].1 += Fr::one();
        assert!(
            !run_fold_in(&shape, &parts, &st, &proof, true)
                .unwrap()
                .satisfied
        );
        let mut bad = proof.clone();
        bad.aggregation.evals[0] += Fr::one();
        assert!(native_fold_in(&acc, &batch.claims, &bad, true).is_err());
        assert!(
            !run_fold_in(&shape, &parts, &statement, &bad, true)
                .unwrap()
                .satisfied
        );
    }
}

/// The accumulator's limbs, point and value.
fn acc_parts(acc: &Accumulator) -> ([Fr; 4], Vec<Fr>, Fr) {
    (
        point_to_fields(&acc.claim.commitment.0),
        acc.claim.claim.point.clone(),
        acc.claim.claim.value,
    )
}

/// The folded claims' statement: slots 1.. of the fold's shape.
fn fold_statement(
    shape: &AggregationShape,
    acc: &Accumulator,
    claims: &[CommittedClaim],
) -> Statement {
    let all: Vec<CommittedClaim> = std::iter::once(acc.claim.clone())
        .chain(claims.iter().cloned())
        .collect();
    let mut s = statement(shape, &all);
    s.slots.remove(0);
    s.claims.remove(0);
    s
}

#[test]
fn the_fold_gadget_agrees_with_the_native_verifier() {
    let key = key();
    let mut rng = ChaCha20Rng::seed_from_u64(14);
    let mut prover = AccumulatorProver::new(4);
    // From the empty accumulator, then from a folded one, then with longer points
    // (the accumulator grows to 5 variables).
    let batches = [
        batch(&key, &mut rng, &[4, 3], &[0, 1, 0]),
        batch(&key, &mut rng, &[2, 4], &[1, 0, 1, 1]),
        batch(&key, &mut rng, &[5, 3, 4], &[0, 2, 1, 0]),
    ];
    for (n, batch) in batches.iter().enumerate() {
        let acc = prover.accumulator().clone();
        let mut t = native_transcript();
        let proof = prover
            .fold::<PedersenIpa, _, _>(&CpuBackend, &batch.claims, &batch.refs(), &mut t)
            .unwrap();
        let shape = AggregationShape::of_fold(&acc, &batch.claims).unwrap();
        let lens: Vec<usize> = batch.claims.iter().map(|c| c.claim.point.len()).collect();
        let folded = AggregationShape::of_claims(&batch.claims).unwrap();
        let group: Vec<usize> = folded.group().iter().map(|g| g + 1).collect();
        assert_eq!(
            shape,
            AggregationShape::fold(acc.claim.claim.point.len(), &lens, &group).unwrap()
        );
        let statement = fold_statement(&shape, &acc, &batch.claims);
        let run = run_fold(&shape, &acc_parts(&acc), &statement, &proof).unwrap();
        let native = native_fold(&acc, &batch.claims, &proof).unwrap();
        assert_eq!(&native.0, &prover.accumulator().claim, "fold {n}");
        let all: Vec<CommittedClaim> = std::iter::once(acc.claim.clone())
            .chain(batch.claims.iter().cloned())
            .collect();
        assert_agrees(&shape, &all, native, &run);
    }
}

#[test]
fn a_tampered_fold_leaves_the_circuit_unsatisfied() {
    let key = key();
    let mut rng = ChaCha20Rng::seed_from_u64(15);
    let mut prover = AccumulatorProver::new(3);
    let first = batch(&key, &mut rng, &[3], &[0, 0]);
    prover
        .fold::<PedersenIpa, _, _>(
            &CpuBackend,
            &first.claims,
            &first.refs(),
            &mut native_transcript(),
        )
        .unwrap();
    let acc = prover.accumulator().clone();
    let batch = batch(&key, &mut rng, &[3, 2], &[0, 1]);
    let proof = prover
        .fold::<PedersenIpa, _, _>(
            &CpuBackend,
            &batch.claims,
            &batch.refs(),
            &mut native_transcript(),
        )
        .unwrap();
    let shape = AggregationShape::of_fold(&acc, &batch.claims).unwrap();
    let statement = fold_statement(&shape, &acc, &batch.claims);
    let parts = acc_parts(&acc);
    assert!(
        run_fold(&shape, &parts, &statement, &proof)
            .unwrap()
            .satisfied
    );
    let one = Fr::one();

    // The accumulator's value, each coordinate of its point (the native verifier
    // rejects too), each limb of its commitment.
    let mut changed = Vec::new();
    let mut a = acc.clone();
    a.claim.claim.value += one;
    changed.push(("value".to_string(), a));
    for l in 0..acc.claim.claim.point.len() {
        let mut a = acc.clone();
        a.claim.claim.point[l] += one;
        changed.push((format!("coordinate {l}"), a));
    }
    for (what, a) in &changed {
        assert!(native_fold(a, &batch.claims, &proof).is_err(), "{what}");
        let run = run_fold(&shape, &acc_parts(a), &statement, &proof).unwrap();
        assert!(!run.satisfied, "{what}");
    }
    for l in 0..4 {
        let mut p = parts.clone();
        p.0[l] += one;
        assert!(!run_fold(&shape, &p, &statement, &proof).unwrap().satisfied);
    }
    // A folded claim's value and a folded commitment's limb.
    let mut s = statement.clone();
    s.claims[1].1 += one;
    assert!(!run_fold(&shape, &parts, &s, &proof).unwrap().satisfied);
    let mut s = statement.clone();
    s.slots[1][3] += one;
    assert!(!run_fold(&shape, &parts, &s, &proof).unwrap().satisfied);
    // Every proof field.
    let agg = &proof.aggregation;
    for r in 0..agg.sumcheck.rounds.len() {
        for k in 0..AGGREGATE_DEGREE {
            let mut p = proof.clone();
            p.aggregation.sumcheck.rounds[r][k] += one;
            assert!(native_fold(&acc, &batch.claims, &p).is_err());
            let run = run_fold(&shape, &parts, &statement, &p).unwrap();
            assert!(!run.satisfied, "round {r} coefficient {k}");
        }
    }
    for j in 0..agg.evals.len() {
        let mut p = proof.clone();
        p.aggregation.evals[j] += one;
        assert!(native_fold(&acc, &batch.claims, &p).is_err());
        let run = run_fold(&shape, &parts, &statement, &p).unwrap();
        assert!(!run.satisfied, "eval {j}");
    }
}
