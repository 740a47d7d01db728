//! The witness checker against honest runs and single-entry tampering.

#![allow(clippy::unwrap_used)]

use std::sync::OnceLock;

use proptest::prelude::*;
use zkpot_trainer::data::digits;
use zkpot_trainer::testing::{mutate, KINDS};
use zkpot_trainer::{
    check_witness, sgd_step, Dataset, Matrix, Mlp, StepWitness, TrainError, TrainSpec, Trainer,
    WitnessError,
};

fn spec() -> TrainSpec {
    let mut s = TrainSpec::new(vec![64, 16, 12, 10], 8, 6, 5);
    s.steps_per_fold = 4;
    s.iterations = Some(16);
    s
}

fn data() -> &'static Dataset {
    static D: OnceLock<Dataset> = OnceLock::new();
    D.get_or_init(|| digits(16).expect("embedded digits load"))
}

fn honest_witnesses() -> &'static [StepWitness] {
    static W: OnceLock<Vec<StepWitness>> = OnceLock::new();
    W.get_or_init(|| {
        let mut t = Trainer::new(&spec(), data()).unwrap();
        let mut out = Vec::new();
        while !t.is_finished() {
            out.push(t.step().unwrap());
        }
        out
    })
}

#[test]
fn every_honest_step_passes_and_steps_chain() {
    let ws = honest_witnesses();
    assert_eq!(ws.len(), 16);
    for w in ws {
        check_witness(&spec(), w).unwrap();
    }
    for pair in ws.windows(2) {
        assert_eq!(pair[1].iteration, pair[0].iteration + 1);
        for (next, prev) in pair[1].layers.iter().zip(&pair[0].layers) {
            assert_eq!(next.w, prev.w_new);
            assert_eq!(next.b, prev.b_new);
        }
    }
    // The run moved the weights and the ReLU masked something.
    assert_ne!(ws[0].layers[0].w, ws[15].layers[0].w_new);
    assert!(ws[0].layers[0].sign.iter().any(|&s| !s));
}

#[test]
fn runs_are_deterministic() {
    let mut t = Trainer::new(&spec(), data()).unwrap();
    let again: Vec<StepWitness> = (0..3).map(|_| t.step().unwrap()).collect();
    assert_eq!(again[..], honest_witnesses()[..3]);
}

#[test]
fn every_tensor_kind_of_every_layer_is_checked() {
    let w0 = &honest_witnesses()[3];
    let mut tried = 0;
    for kind in 0..KINDS {
        for layer in 0..w0.layers.len() {
            for (index, delta) in [(0, 1), (17, -1), (12345, 1 << 20)] {
                let mut w = w0.clone();
                if mutate(&mut w, kind, layer, index, delta) {
                    tried += 1;
                    let err = check_witness(&spec(), &w).unwrap_err();
                    assert!(!err.to_string().is_empty());
                }
            }
        }
    }
    // 2 data kinds x 3 layers (the same tensor each time) + 19 layer kinds,
    // minus the last layer's sign bits and layer 1's backward rescale.
    assert_eq!(tried, (2 * 3 + 19 * 3 - 1 - 3) * 3);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn any_single_entry_change_is_rejected(
        step in 0usize..16,
        kind in 0..KINDS,
        layer in 0usize..3,
        index in any::<usize>(),
        delta in prop_oneof![-1000i64..0, 1i64..1000, Just(1i64 << 40)],
    ) {
        let mut w = honest_witnesses()[step].clone();
        prop_assume!(mutate(&mut w, kind, layer, index, delta));
        prop_assert!(check_witness(&spec(), &w).is_err());
    }
}

#[test]
fn errors_name_the_relation() {
    let mut w = honest_witnesses()[0].clone();
    w.layers[1].z.remainder[5] += 1;
    match check_witness(&spec(), &w).unwrap_err() {
        WitnessError::Relation {
            relation, index, ..
        } => {
            assert!(relation.contains("q_2 = rescale(Z_2"), "{relation}");
            assert_eq!(index, 5);
        }
        other => panic!("unexpected {other:?}"),
    }
    // A remainder out of [0, 2^f) with the matching quotient is a range failure.
    let mut w = honest_witnesses()[0].clone();
    let z = &mut w.layers[0].z;
    z.remainder[0] += 1 << 16;
    z.quotient.data_mut()[0] -= 1;
    assert!(matches!(
        check_witness(&spec(), &w).unwrap_err(),
        WitnessError::Range { .. }
    ));
}

#[test]
fn malformed_witness_is_an_error_not_a_panic() {
    let mut w = honest_witnesses()[0].clone();
    w.layers[2].dw.remainder.pop();
    assert!(matches!(
        check_witness(&spec(), &w).unwrap_err(),
        WitnessError::Shape { .. }
    ));
    let mut w = honest_witnesses()[0].clone();
    w.layers.pop();
    assert!(check_witness(&spec(), &w).is_err());
    let mut w = honest_witnesses()[0].clone();
    w.layers[0].back = w.layers[1].back.clone();
    assert!(check_witness(&spec(), &w).is_err());
    let mut bad = spec();
    bad.value_bits = 62;
    assert!(matches!(
        check_witness(&bad, &honest_witnesses()[0]).unwrap_err(),
        WitnessError::Spec(_)
    ));
}

#[test]
fn a_diverging_run_stops_with_the_tensor_and_iteration() {
    let mut s = spec();
    s.lr_shift = 0;
    s.value_bits = 24;
    let mut t = Trainer::new(&s, data()).unwrap();
    let err = loop {
        match t.step() {
            Ok(_) => continue,
            Err(e) => break e,
        }
    };
    match &err {
        TrainError::OutOfRange {
            tensor, iteration, ..
        } => {
            assert!(iteration.is_some());
            assert!(!tensor.is_empty());
        }
        other => panic!("unexpected {other:?}"),
    }
    let msg = err.to_string();
    assert!(
        msg.contains("iteration") && msg.contains("outside"),
        "{msg}"
    );
}

#[test]
fn step_rejects_wrong_shapes_and_out_of_range_inputs() {
    let s = spec();
    let model = Mlp::init(&s).unwrap();
    let x = Matrix::zeros(8, 63);
    let y = Matrix::zeros(8, 10);
    assert!(matches!(
        sgd_step(&s, &model, x, y.clone(), 0),
        Err(TrainError::Shape { .. })
    ));
    let mut x = Matrix::zeros(8, 64);
    x.data_mut()[3] = 1 << 40;
    assert!(matches!(
        sgd_step(&s, &model, x, y, 0),
        Err(TrainError::OutOfRange { .. })
    ));
}
