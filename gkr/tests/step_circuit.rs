//! The in-circuit step verifier against the native one (`DESIGN.md` section 6): on honest
//! proofs it is satisfied and returns the native claims; every tampered proof field
//! leaves it unsatisfied; a changed statement changes the claims it returns.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::OnceLock;

use ark_ec::AffineRepr;
use ark_ff::One;
use ark_r1cs_std::GR1CSVar;
use ark_relations::gr1cs::ConstraintSystem;
use common::step::{first_fold, fold_at, spec, Fold, Proven};
use zkpot_core::Claim;
use zkpot_core::Fr;
use zkpot_gkr::step::constraints::{self as gadget, StepClaimsVar, StepStatementVar};
use zkpot_gkr::step::{verify_step, StepClaims, StepProof, StepStatement};
use zkpot_trainer::TrainSpec;

/// Three layers (a backward layer), narrow, padded rows and columns, two instances.
fn circuit_spec() -> TrainSpec {
    spec(vec![64, 6, 4, 10], 3, 2)
}

fn fold() -> &'static Fold {
    static F: OnceLock<Fold> = OnceLock::new();
    F.get_or_init(|| first_fold(&circuit_spec()))
}

fn honest() -> &'static Proven {
    static P: OnceLock<Proven> = OnceLock::new();
    P.get_or_init(|| fold().prove().unwrap())
}

/// What a run of the gadget gives: satisfied or not, the claims' values, constraints.
struct Run {
    satisfied: bool,
    claims: Option<StepClaims>,
    constraints: usize,
}

fn values(c: &zkpot_core::ClaimVar) -> Claim {
    Claim {
        point: c.point.iter().map(|x| x.value().unwrap()).collect(),
        value: c.value.value().unwrap(),
    }
}

/// Runs the gadget on `statement` and `proof`.
fn run(fold: &Fold, statement: &StepStatement, proof: &StepProof) -> Run {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let s = StepStatementVar::new_witness(&cs, statement).unwrap();
    match gadget::verify_step(&cs, &fold.shape, &s, proof) {
        Ok(StepClaimsVar { prev, new, chunk }) => Run {
            satisfied: cs.is_satisfied().unwrap(),
            claims: Some(StepClaims {
                prev: values(&prev),
                new: new.iter().map(values).collect(),
                chunk: values(&chunk),
            }),
            constraints: cs.num_constraints(),
        },
        Err(e) => {
            eprintln!("synthesis error: {e:?}");
            Run {
                satisfied: false,
                claims: None,
                constraints: 0,
            }
        }
    }
}

/// The gadget's profile on an honest proof.
fn profile(fold: &Fold, statement: &StepStatement, proof: &StepProof) -> Vec<gadget::PhaseCount> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let s = StepStatementVar::new_witness(&cs, statement).unwrap();
    gadget::verify_step_profiled(&cs, &fold.shape, &s, proof)
        .unwrap()
        .1
}

/// The native claims with `prev` on the model layout (the gadget leaves the extension by
/// the model block's offset bits to the step circuit).
fn native(fold: &Fold, statement: &StepStatement, proof: &StepProof) -> StepClaims {
    let mut c = verify_step(&fold.shape, statement, proof).unwrap();
    c.prev.point.truncate(fold.shape.model_layout().num_vars);
    c
}

#[test]
fn honest_proofs_satisfy_the_gadget_with_the_native_claims() {
    let p = honest();
    let r = run(fold(), &p.statement, &p.proof);
    assert!(r.satisfied);
    assert_eq!(r.claims.unwrap(), native(fold(), &p.statement, &p.proof));
    println!("step verifier gadget: {} constraints", r.constraints);
    let profile = profile(fold(), &p.statement, &p.proof);
    assert_eq!(
        profile.iter().map(|c| c.constraints).sum::<usize>(),
        r.constraints,
        "the phases add up to the whole gadget"
    );
    for c in &profile {
        assert!(c.transcript <= c.constraints);
        println!(
            "  {:12} {:>8} ({} transcript)",
            c.phase, c.constraints, c.transcript
        );
    }

    // A later fold (C_prev a fold commitment), and a one-instance, two-layer shape.
    let later = fold_at(&circuit_spec(), fold().key.clone(), 1);
    let p = later.prove().unwrap();
    let r = run(&later, &p.statement, &p.proof);
    assert!(r.satisfied);
    assert_eq!(r.claims.unwrap(), native(&later, &p.statement, &p.proof));

    let small = first_fold(&spec(vec![64, 16, 10], 4, 1));
    let p = small.prove().unwrap();
    let r = run(&small, &p.statement, &p.proof);
    assert!(r.satisfied);
    assert_eq!(r.claims.unwrap(), native(&small, &p.statement, &p.proof));
}

/// Every field element of the proof, by a path into [`StepProof`]; tampering any one
/// leaves the gadget unsatisfied (sampled evenly when there are many).
#[test]
fn every_tampered_proof_field_is_unsatisfiable() {
    let p = honest();
    assert!(run(fold(), &p.statement, &p.proof).satisfied);
    let fields = proof_fields(&p.proof);
    let step = (fields.len() / 25).max(1);
    let mut tried = 0;
    for (i, path) in fields.iter().enumerate() {
        if i % step != 0 && !path.starts_with("affines") && !path.starts_with("shifts") {
            continue;
        }
        let mut bad = p.proof.clone();
        *field_mut(&mut bad, path) += Fr::one();
        assert!(
            !run(fold(), &p.statement, &bad).satisfied,
            "tampered {path} satisfied the gadget"
        );
        tried += 1;
    }
    assert!(tried >= 20, "only {tried} fields tried");
}

/// A changed statement changes the transcript, hence the claims (the gadget stays
/// satisfiable only where the native verifier also accepts: claims that then fail
/// against the commitments).
#[test]
fn a_changed_statement_changes_the_claims() {
    let p = honest();
    let honest_claims = run(fold(), &p.statement, &p.proof).claims.unwrap();
    let g = zkpot_pcs::pedersen::Commitment(zkpot_core::G1Affine::generator());
    type Change = Box<dyn Fn(&mut StepStatement)>;
    let changes: Vec<(&str, Change)> = vec![
        ("digest", Box::new(|s| s.spec_digest += Fr::one())),
        ("fold index", Box::new(|s| s.fold_index += 1)),
        ("prev", Box::new(move |s| s.prev = g)),
        ("new", Box::new(move |s| s.new = g)),
        ("chunk", Box::new(move |s| s.chunk = g)),
    ];
    for (what, change) in changes {
        let mut s = p.statement.clone();
        change(&mut s);
        let r = run(fold(), &s, &p.proof);
        let native_ok = verify_step(&fold().shape, &s, &p.proof).is_ok();
        assert_eq!(r.satisfied, native_ok, "{what}");
        if let Some(c) = r.claims.filter(|_| r.satisfied) {
            assert_ne!(c, honest_claims, "{what}");
        }
    }
}

/// A proof with a message missing or left over cannot be synthesized.
#[test]
fn a_proof_of_another_shape_is_a_synthesis_error() {
    let p = honest();
    let mut short = p.proof.clone();
    short.evals.pop();
    assert!(run(fold(), &p.statement, &short).claims.is_none());
    let mut long = p.proof.clone();
    long.affines.push(Fr::one());
    assert!(run(fold(), &p.statement, &long).claims.is_none());
}

/// The paths of every field element of a step proof.
fn proof_fields(p: &StepProof) -> Vec<String> {
    let mut out = Vec::new();
    let sumcheck =
        |prefix: String, s: &zkpot_core::sumcheck::SumcheckProof, out: &mut Vec<String>| {
            for (r, round) in s.rounds.iter().enumerate() {
                for c in 0..round.len() {
                    out.push(format!("{prefix}.rounds.{r}.{c}"));
                }
            }
        };
    out.extend((0..p.evals.len()).map(|i| format!("evals.{i}")));
    for (i, m) in p.matmuls.iter().enumerate() {
        sumcheck(format!("matmuls.{i}"), &m.sumcheck, &mut out);
        out.push(format!("matmuls.{i}.a"));
        out.push(format!("matmuls.{i}.b"));
    }
    for (i, h) in p.hadamards.iter().enumerate() {
        sumcheck(format!("hadamards.{i}"), &h.sumcheck, &mut out);
        out.push(format!("hadamards.{i}.left"));
        out.push(format!("hadamards.{i}.right"));
    }
    for (i, m) in p.merges.iter().enumerate() {
        sumcheck(format!("merges.{i}"), &m.sumcheck, &mut out);
        out.push(format!("merges.{i}.eval"));
    }
    out.extend((0..p.affines.len()).map(|i| format!("affines.{i}")));
    for (i, s) in p.shifts.iter().enumerate() {
        sumcheck(format!("shifts.{i}"), &s.sumcheck, &mut out);
        out.push(format!("shifts.{i}.eval"));
    }
    for (i, b) in p.booleanity.iter().enumerate() {
        sumcheck(format!("booleanity.{i}"), &b.sumcheck, &mut out);
        out.push(format!("booleanity.{i}.eval"));
    }
    for (i, r) in p.ranges.iter().enumerate() {
        out.push(format!("ranges.{i}.limb_root.numerator"));
        out.push(format!("ranges.{i}.limb_root.denominator"));
        out.push(format!("ranges.{i}.table_root.numerator"));
        out.push(format!("ranges.{i}.table_root.denominator"));
        for (k, layer) in r.layers.iter().enumerate() {
            sumcheck(format!("ranges.{i}.layers.{k}"), &layer.sumcheck, &mut out);
            for c in 0..layer.children.len() {
                for f in 0..4 {
                    out.push(format!("ranges.{i}.layers.{k}.children.{c}.{f}"));
                }
            }
        }
    }
    out
}

/// The field element at `path` (from [`proof_fields`]).
fn field_mut<'a>(p: &'a mut StepProof, path: &str) -> &'a mut Fr {
    let parts: Vec<&str> = path.split('.').collect();
    let n = |i: usize| parts[i].parse::<usize>().unwrap();
    let rounds =
        |s: &'a mut zkpot_core::sumcheck::SumcheckProof, r: usize, c: usize| &mut s.rounds[r][c];
    match parts[0] {
        "evals" => &mut p.evals[n(1)],
        "affines" => &mut p.affines[n(1)],
        "matmuls" => {
            let m = &mut p.matmuls[n(1)];
            match parts[2] {
                "a" => &mut m.a,
                "b" => &mut m.b,
                _ => rounds(&mut m.sumcheck, n(3), n(4)),
            }
        }
        "hadamards" => {
            let h = &mut p.hadamards[n(1)];
            match parts[2] {
                "left" => &mut h.left_eval,
                "right" => &mut h.right_eval,
                _ => rounds(&mut h.sumcheck, n(3), n(4)),
            }
        }
        "merges" => {
            let m = &mut p.merges[n(1)];
            match parts[2] {
                "eval" => &mut m.eval,
                _ => rounds(&mut m.sumcheck, n(3), n(4)),
            }
        }
        "shifts" => {
            let s = &mut p.shifts[n(1)];
            match parts[2] {
                "eval" => &mut s.eval,
                _ => rounds(&mut s.sumcheck, n(3), n(4)),
            }
        }
        "booleanity" => {
            let b = &mut p.booleanity[n(1)];
            match parts[2] {
                "eval" => &mut b.eval,
                _ => rounds(&mut b.sumcheck, n(3), n(4)),
            }
        }
        _ => {
            let r = &mut p.ranges[n(1)];
            match parts[2] {
                "limb_root" if parts[3] == "numerator" => &mut r.limb_root.numerator,
                "limb_root" => &mut r.limb_root.denominator,
                "table_root" if parts[3] == "numerator" => &mut r.table_root.numerator,
                "table_root" => &mut r.table_root.denominator,
                _ => {
                    let layer = &mut r.layers[n(3)];
                    if parts[4] == "rounds" {
                        rounds(&mut layer.sumcheck, n(5), n(6))
                    } else {
                        let pair = &mut layer.children[n(5)];
                        pair_field(pair, n(6))
                    }
                }
            }
        }
    }
}

fn pair_field(pair: &mut zkpot_gkr::range::ChildPair, f: usize) -> &mut Fr {
    match f {
        0 => &mut pair.left.numerator,
        1 => &mut pair.left.denominator,
        2 => &mut pair.right.numerator,
        _ => &mut pair.right.denominator,
    }
}
