//! The point gadgets, the CycleFold circuit and the toy step on plain constraint systems.

use ark_crypto_primitives::sponge::poseidon::PoseidonConfig;
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{BigInteger, Field, PrimeField, UniformRand};
use ark_r1cs_std::{alloc::AllocVar, fields::fp::FpVar, GR1CSVar};
use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef};
use ark_serialize::CanonicalSerialize;
use sonobe::{
    ivc::compilers::cyclefold::circuits::CycleFoldCircuit,
    primitives::{
        arithmetizations::Arith, relations::Relation, transcripts::poseidon::poseidon_circom_config,
    },
};
use zkpot_core::{point_to_fields, poseidon_config, Fq, Fr, G1Affine, G1};

use super::{
    random_point, rng,
    toy::{toy_initial_state, toy_step_native, Toy},
};
use crate::{
    alloc_point, augmented_shape, enforce_point_limbs,
    ivc::circuit::PointOp,
    ivc::cyclefold::{cyclefold_r1cs, op_assignments, op_public_inputs, PointOpCircuit},
    point_from_fields, point_from_limbs, point_limbs, StepCircuit, RHO_BITS,
};

fn config_bytes(c: &PoseidonConfig<Fr>) -> Vec<u8> {
    let mut bytes = vec![];
    c.serialize_compressed(&mut bytes).unwrap();
    bytes
}

#[test]
fn poseidon_config_is_sonobes_circom_config() {
    let ours = poseidon_config();
    let sonobe = poseidon_circom_config();
    assert_eq!(ours.full_rounds, sonobe.full_rounds);
    assert_eq!(ours.partial_rounds, sonobe.partial_rounds);
    assert_eq!(ours.alpha, sonobe.alpha);
    assert_eq!(ours.rate, sonobe.rate);
    assert_eq!(ours.capacity, sonobe.capacity);
    assert_eq!(ours.ark, sonobe.ark);
    assert_eq!(ours.mds, sonobe.mds);
    assert_eq!(config_bytes(&ours), config_bytes(&sonobe));
    // And it is the configuration the IVC's key uses for every sponge.
    assert_eq!(
        config_bytes(super::toy_key().sponge_config()),
        config_bytes(&ours)
    );
}

fn var_point(cs: &ConstraintSystemRef<Fr>, p: G1Affine) -> crate::G1Var {
    alloc_point(cs.clone(), || Ok(p)).unwrap()
}

#[test]
fn point_limbs_match_point_to_fields() {
    let mut r = rng(10);
    let mut points: Vec<G1Affine> = (0..4).map(|_| random_point(&mut r)).collect();
    points.push(G1Affine::identity());
    for p in points {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let var = var_point(&cs, p);
        let limbs = point_limbs(&var).unwrap();
        let values = limbs.value().unwrap();
        assert_eq!(values, point_to_fields(&p));
        // The limbs are bounded as the encoding promises.
        for (k, v) in values.iter().enumerate() {
            let bound = if k % 2 == 0 { 128 } else { 126 };
            assert!(v.into_bigint().num_bits() <= bound);
        }
        assert!(cs.is_satisfied().unwrap());
        // Decoding gives the point back, in and out of the circuit.
        assert_eq!(point_from_fields(&point_to_fields(&p)), Some(p));
        let back = point_from_limbs(cs.clone(), &limbs).unwrap();
        assert_eq!(back.value().unwrap().into_affine(), p);
        assert!(cs.is_satisfied().unwrap());
    }
}

#[test]
fn point_limbs_of_constants_cost_nothing() {
    let p = random_point(&mut rng(11));
    let var = crate::G1Var::new_constant(ConstraintSystemRef::None, G1::from(p)).unwrap();
    let limbs = point_limbs(&var).unwrap();
    assert!(limbs.iter().all(|l| matches!(l, FpVar::Constant(_))));
    assert_eq!(limbs.value().unwrap(), point_to_fields(&p));
}

#[test]
fn non_canonical_limbs_are_rejected() {
    let p = random_point(&mut rng(12));
    let canonical = point_to_fields(&p);
    let two_128 = Fr::from(2u64).pow([128]);
    // The same integers with the carry moved: `x = (x_lo + 2^128) + 2^128 (x_hi - 1)`.
    let mut shifted = canonical;
    shifted[0] += two_128;
    shifted[1] -= Fr::from(1u64);
    // A limb off by one.
    let mut off = canonical;
    off[3] += Fr::from(1u64);
    for bad in [shifted, off] {
        assert_eq!(point_from_fields(&bad), None);
        let cs = ConstraintSystem::<Fr>::new_ref();
        let var = var_point(&cs, p);
        let limbs = bad.map(|v| FpVar::new_witness(cs.clone(), || Ok(v)).unwrap());
        enforce_point_limbs(&var, &limbs).unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }
}

#[test]
fn point_from_fields_rejects_non_points() {
    let p = random_point(&mut rng(13));
    let mut limbs = point_to_fields(&p);
    limbs[2] += Fr::from(1u64); // y + 1: off the curve
    assert_eq!(point_from_fields(&limbs), None);
    let mut limbs = point_to_fields(&p);
    limbs[1] = Fr::from(2u64).pow([127]); // x >= q
    assert_eq!(point_from_fields(&limbs), None);
    assert_eq!(
        point_from_fields(&[Fr::from(0u64); 4]),
        Some(G1Affine::identity())
    );
}

#[test]
fn cyclefold_circuit_has_novas_shape() {
    let r1cs = cyclefold_r1cs().unwrap();
    let config = r1cs.config();
    // `[rho, P0, P1, P2]`.
    assert_eq!(config.n_public_inputs, 7);
    println!(
        "CycleFold circuit: {} constraints, {} witnesses",
        config.n_constraints, config.n_witnesses
    );
}

fn random_op(seed: u64) -> PointOp {
    let mut r = rng(seed);
    let rho_bits: Vec<bool> = Fr::rand(&mut r).into_bigint().to_bits_le()[..RHO_BITS].to_vec();
    let p0 = random_point(&mut r);
    let p1 = random_point(&mut r);
    let rho = Fr::from(<Fr as PrimeField>::BigInt::from_bits_le(&rho_bits));
    let p2 = (p0.into_group() + p1 * rho).into_affine();
    PointOp {
        rho_bits,
        p0,
        p1,
        p2,
    }
}

#[test]
fn cyclefold_circuit_proves_the_operation() {
    let r1cs = cyclefold_r1cs().unwrap();
    let mut ops = vec![random_op(20)];
    // The point at infinity as `P0`, as `P1`, and as the result.
    let mut inf = random_op(21);
    inf.p0 = G1Affine::identity();
    inf.p2 = (inf.p1 * inf.rho()).into_affine();
    ops.push(inf.clone());
    inf.p1 = G1Affine::identity();
    inf.p2 = G1Affine::identity();
    ops.push(inf);
    for op in ops {
        let a = op_assignments(&op).unwrap();
        assert_eq!(a.public, op_public_inputs(&op));
        r1cs.check_relation(&a.private, &a.public).unwrap();
        // A forged result is not satisfied.
        let mut forged = op.clone();
        forged.p2 = (op.p2.into_group() + G1Affine::generator()).into_affine();
        assert!(r1cs
            .check_relation(&a.private, &op_public_inputs(&forged))
            .is_err());
    }
}

#[test]
fn cyclefold_circuit_enforces_on_curve() {
    let op = random_op(22);
    // `(x, y + 1)` is not on the curve.
    let (x, y) = op.p1.xy().unwrap();
    let off = G1Affine::new_unchecked(x, y + Fq::from(1u64));
    assert!(!off.is_on_curve());
    for (p0, p1) in [(off, op.p1), (op.p0, off)] {
        let bad = PointOp {
            p0,
            p1,
            ..op.clone()
        };
        let cs = ConstraintSystem::<Fq>::new_ref();
        PointOpCircuit::new(&bad)
            .verify_point_rlc(cs.clone())
            .unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }
}

/// Runs the toy step on a plain constraint system; returns the next state and the
/// operations' values.
fn toy_on_plain_cs(
    toy: &Toy,
    z: &[Fr],
    ext: &[G1Affine; 2],
) -> (ConstraintSystemRef<Fr>, Vec<Fr>, Vec<PointOp>) {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let i = FpVar::new_witness(cs.clone(), || Ok(Fr::from(0u64))).unwrap();
    let z_var = Vec::<FpVar<Fr>>::new_witness(cs.clone(), || Ok(z)).unwrap();
    let (next, ops) = toy
        .generate_step_constraints(cs.clone(), &i, &z_var, ext)
        .unwrap();
    let next = next.value().unwrap();
    let ops = ops.iter().map(|op| op.value().unwrap()).collect();
    (cs, next, ops)
}

#[test]
fn toy_step_is_satisfied_on_a_plain_constraint_system() {
    let mut r = rng(30);
    for acc in [G1Affine::identity(), random_point(&mut r)] {
        let z = toy_initial_state(&acc);
        let ext = [random_point(&mut r), random_point(&mut r)];
        let (cs, next, ops) = toy_on_plain_cs(&Toy::HONEST, &z, &ext);
        assert!(cs.is_satisfied().unwrap());
        println!("toy step alone: {} constraints", cs.num_constraints());
        let (expected, rhos) = toy_step_native(&z, &ext);
        assert_eq!(next, expected);
        assert_eq!(ops.len(), 2);
        assert_eq!([ops[0].rho(), ops[1].rho()], rhos);
        assert_eq!(ops[0].p0, acc);
        assert_eq!(ops[0].p2, ops[1].p0);
        for op in &ops {
            assert_eq!(op.p2, (op.p0.into_group() + op.p1 * op.rho()).into_affine());
        }
        // A cheating hint satisfies the step circuit too: the operation is proven by the
        // CycleFold instance, not by the step.
        let (cs, next, ops) = toy_on_plain_cs(&Toy::CHEATING, &z, &ext);
        assert!(cs.is_satisfied().unwrap());
        assert_ne!(next, expected);
        assert_ne!(
            ops[1].p2,
            (ops[1].p0.into_group() + ops[1].p1 * ops[1].rho()).into_affine()
        );
    }
}

/// The constraint counts of the augmented circuit of the toy (snapshot: update the numbers
/// when the circuit changes, and say why in the change).
#[test]
fn augmented_circuit_constraint_counts() {
    let shapes: Vec<_> = (0..=2)
        .map(|num_ops| {
            augmented_shape(&Toy {
                cheat: false,
                num_ops,
            })
            .unwrap()
        })
        .collect();
    let z = toy_initial_state(&G1Affine::identity());
    let (cs, _, _) = toy_on_plain_cs(
        &Toy::HONEST,
        &z,
        &Toy::HONEST.dummy_external_inputs().unwrap(),
    );
    let step = cs.num_constraints();
    let total = shapes[2].num_constraints;
    let per_op = [
        shapes[1].num_constraints - shapes[0].num_constraints,
        shapes[2].num_constraints - shapes[1].num_constraints,
    ];
    println!(
        "augmented toy: {total} constraints ({} witnesses); step alone {step}; \
         0 ops {}, per op {per_op:?}; recursion overhead without ops {}",
        shapes[2].num_witnesses,
        shapes[0].num_constraints,
        shapes[0].num_constraints - step,
    );
    assert_eq!(shapes[2].num_public_inputs, 1);
    assert_eq!(
        (total, per_op, step),
        SNAPSHOT,
        "constraint counts changed: update SNAPSHOT"
    );
}

/// `(augmented toy, [cost of its first operation, of its second], the toy step alone)`.
/// The two operations differ by a few constraints: the first fold starts from the
/// base-case selection of the running CycleFold instance, the second from the first's
/// output, whose emulated limbs have other bounds. The toy step's transcript records the
/// Poseidon state every 8 partial rounds (`zkpot_core::transcript::sponge`): 40
/// constraints per permutation more than arkworks' gadget, for far fewer matrix entries.
const SNAPSHOT: (usize, [usize; 2], usize) = (92_880, [15_209, 15_215], 6_409);
