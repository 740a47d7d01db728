//! Test helpers (feature `test-utils`): single-entry tampering of a witness, shared by
//! the witness checker's tests and the step proof's soundness tests.

use crate::step::StepWitness;

/// Number of tensor kinds [`mutate`] knows.
pub const KINDS: usize = 21;

/// Adds `delta` to (or flips) entry `index` (modulo the length) of tensor `kind`
/// (`0..KINDS`: `x`, `y`, then the layer's `w`, `b`, `z` input, quotient and remainder,
/// sign, `a`, `g`, backward input, quotient and remainder, `dW` input, quotient and
/// remainder, `db` input, quotient and remainder, `W'`, `b'`) of layer `layer`. Returns
/// false when that tensor is empty for this layer or `kind` is unknown.
pub fn mutate(w: &mut StepWitness, kind: usize, layer: usize, index: usize, delta: i64) -> bool {
    fn add(xs: &mut [i64], index: usize, delta: i64) -> bool {
        let n = xs.len();
        n > 0 && {
            xs[index % n] += delta;
            true
        }
    }
    fn add_wide(xs: &mut [i128], index: usize, delta: i64) -> bool {
        let n = xs.len();
        n > 0 && {
            xs[index % n] += delta as i128;
            true
        }
    }
    match kind {
        0 => return add(w.x.data_mut(), index, delta),
        1 => return add(w.y.data_mut(), index, delta),
        _ => {}
    }
    let Some(l) = w.layers.get_mut(layer) else {
        return false;
    };
    match kind {
        2 => add(l.w.data_mut(), index, delta),
        3 => add(&mut l.b, index, delta),
        4 => add_wide(&mut l.z.input, index, delta),
        5 => add(l.z.quotient.data_mut(), index, delta),
        6 => add(&mut l.z.remainder, index, delta),
        7 => {
            let n = l.sign.len();
            n > 0 && {
                l.sign[index % n] ^= true;
                true
            }
        }
        8 => add(l.a.data_mut(), index, delta),
        9 => add(l.g.data_mut(), index, delta),
        10..=12 => match &mut l.back {
            None => false,
            Some(b) => match kind {
                10 => add_wide(&mut b.input, index, delta),
                11 => add(b.quotient.data_mut(), index, delta),
                _ => add(&mut b.remainder, index, delta),
            },
        },
        13 => add_wide(&mut l.dw.input, index, delta),
        14 => add(l.dw.quotient.data_mut(), index, delta),
        15 => add(&mut l.dw.remainder, index, delta),
        16 => add_wide(&mut l.db.input, index, delta),
        17 => add(l.db.quotient.data_mut(), index, delta),
        18 => add(&mut l.db.remainder, index, delta),
        19 => add(l.w_new.data_mut(), index, delta),
        20 => add(&mut l.b_new, index, delta),
        _ => false,
    }
}
