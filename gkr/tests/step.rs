//! Completeness of the step proof.

#![allow(clippy::unwrap_used)]

mod common;

use common::step::{first_fold, spec};

#[test]
fn honest_folds_verify() {
    for (layers, batch, k) in [
        (vec![64, 16, 10], 4, 1),
        (vec![64, 16, 10], 4, 2),
        (vec![64, 12, 8, 10], 3, 4),
    ] {
        let fold = first_fold(&spec(layers.clone(), batch, k));
        let p = fold.prove().unwrap();
        assert!(
            fold.accepts(&p.statement, &p.proof, &p.new),
            "{layers:?} batch {batch} k {k}"
        );
    }
}
