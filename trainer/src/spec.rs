//! The training specification: everything public about a run.
//!
//! A [`TrainSpec`] fixes the architecture, the fixed-point format, the loss, the
//! learning rate, the batch schedule and the length of the run. It is stored as
//! JSON, hashed into [`TrainSpec::digest`] (the first thing every transcript
//! absorbs), and checked by [`TrainSpec::validate`], which bounds the largest
//! intermediate value of every relation of the SGD step so that no relation can
//! wrap around modulo `p` (nor overflow the trainer's `i128` accumulators).

use std::fmt;
use std::path::Path;

use ark_ff::{BigInteger, PrimeField};
use num_bigint::BigUint;
use serde::{Deserialize, Serialize};
use zkpot_core::{Fr, PoseidonTranscript, Transcript};

use crate::error::SpecError;

/// Default number of fractional bits `f`.
pub const DEFAULT_FRAC_BITS: u32 = 16;
/// Default value bound `B`: proven values live in `[-2^(B-1), 2^(B-1))`.
pub const DEFAULT_VALUE_BITS: u32 = 32;
/// Default number of SGD iterations per fold `k`.
pub const DEFAULT_STEPS_PER_FOLD: usize = 16;
/// Largest supported value bound (values are stored as `i64`, and `W - dW` must fit).
pub const MAX_VALUE_BITS: u32 = 62;
/// Largest supported number of fractional bits.
pub const MAX_FRAC_BITS: u32 = 30;
/// Largest supported learning-rate shift.
pub const MAX_LR_SHIFT: u32 = 40;
/// Domain label of [`TrainSpec::digest`].
pub const SPEC_DIGEST_LABEL: &[u8] = b"zkpot/train-spec/v1";

/// The loss function.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Loss {
    /// Mean squared error on the logits against one-hot targets:
    /// `L = 1/(2 batch) * sum (A_L - Y)^2`. The step uses the per-sample gradient
    /// `G_L = A_L - Y` (exact, no rescale); the `1/batch` of the mean lives in the
    /// learning-rate shift.
    #[default]
    Mse,
}

impl Loss {
    /// The identifier absorbed by the spec digest.
    fn id(self) -> u64 {
        match self {
            Loss::Mse => 1,
        }
    }
}

/// The public description of a training run.
///
/// Exactly one of `iterations` and `epochs` is set. An epoch is one pass over the
/// data chunks (see [`crate::schedule`]): `ceil(N / (k * batch))` folds of `k`
/// iterations, so an epoch length is always a multiple of `k`.
///
/// The SGD step (all integers, see [`crate::step`] for the exact relations):
/// `Z = A W + 2^f b`, `A' = ReLU(rescale(Z, f))`, `G_L = A_L - Y`,
/// `dW = rescale(A^T G, f + lr_shift)`, `db = rescale(colsum(G), lr_shift)`,
/// `G_prev = rescale(G W^T, f) * [q_prev >= 0]`, `W' = W - dW`, `b' = b - db`.
/// The effective learning rate on the batch mean is therefore `batch / 2^lr_shift`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainSpec {
    /// Layer widths, input first: `[784, 128, 10]` is a 784-128-10 MLP with ReLU
    /// between dense layers and none after the last.
    pub layers: Vec<usize>,
    /// Fractional bits `f` of the fixed-point format.
    #[serde(default = "default_frac_bits")]
    pub frac_bits: u32,
    /// Value bound `B`: weights, activations, gradients and rescale quotients lie in
    /// `[-2^(B-1), 2^(B-1))`.
    #[serde(default = "default_value_bits")]
    pub value_bits: u32,
    /// The loss.
    #[serde(default)]
    pub loss: Loss,
    /// Learning-rate shift `s`: the update is the batch-summed gradient times `2^-s`.
    pub lr_shift: u32,
    /// Samples per iteration.
    pub batch_size: usize,
    /// Iterations per fold `k` (a power of two; 1 allowed).
    #[serde(default = "default_steps_per_fold")]
    pub steps_per_fold: usize,
    /// The public seed: initial weights, the data order, the train/test split.
    pub seed: u64,
    /// Number of SGD iterations `T` (a multiple of `steps_per_fold`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iterations: Option<u64>,
    /// Number of epochs, resolved into `iterations` by [`TrainSpec::resolve`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epochs: Option<u32>,
}

fn default_frac_bits() -> u32 {
    DEFAULT_FRAC_BITS
}
fn default_value_bits() -> u32 {
    DEFAULT_VALUE_BITS
}
fn default_steps_per_fold() -> usize {
    DEFAULT_STEPS_PER_FOLD
}

/// One relation's largest intermediate value, as computed by [`TrainSpec::validate`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelationBound {
    /// Which relation, e.g. `layer 1 forward: Z_1 = A_0 W_1 + 2^f b_1, rescaled by 2^f`.
    pub relation: String,
    /// The largest absolute value any intermediate of the relation can take.
    pub bound: BigUint,
}

impl RelationBound {
    /// `log2` of the bound (for messages).
    pub fn log2(&self) -> f64 {
        log2(&self.bound)
    }
}

impl fmt::Display for RelationBound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: |x| <= 2^{:.2}", self.relation, self.log2())
    }
}

/// `log2` of a big unsigned integer, accurate to a few decimals.
pub(crate) fn log2(x: &BigUint) -> f64 {
    let bits = x.bits();
    if bits == 0 {
        return f64::NEG_INFINITY;
    }
    // Keep the top 53 bits: the rest cannot change a 2-decimal log.
    let shift = bits.saturating_sub(53);
    let top = (x >> shift).to_u64_digits().first().copied().unwrap_or(0);
    (top as f64).log2() + shift as f64
}

fn pow2(e: u32) -> BigUint {
    BigUint::from(1u8) << e
}

impl TrainSpec {
    /// A spec with the default fixed-point format, loss and fold size.
    pub fn new(layers: Vec<usize>, batch_size: usize, lr_shift: u32, seed: u64) -> Self {
        TrainSpec {
            layers,
            frac_bits: DEFAULT_FRAC_BITS,
            value_bits: DEFAULT_VALUE_BITS,
            loss: Loss::Mse,
            lr_shift,
            batch_size,
            steps_per_fold: DEFAULT_STEPS_PER_FOLD,
            seed,
            iterations: None,
            epochs: None,
        }
    }

    /// Reads a spec from a JSON file (unknown fields are an error).
    pub fn from_json_file(path: &Path) -> Result<Self, SpecError> {
        let text = std::fs::read_to_string(path).map_err(|source| SpecError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|source| SpecError::Json {
            path: path.to_path_buf(),
            source,
        })
    }

    /// The spec as pretty JSON.
    pub fn to_json(&self) -> String {
        // A struct of integers, strings and vectors always serializes.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Number of dense layers `L`.
    pub fn num_layers(&self) -> usize {
        self.layers.len().saturating_sub(1)
    }

    /// The smallest allowed value, `-2^(B-1)`.
    pub fn value_min(&self) -> i64 {
        -(1i64 << (self.value_bits - 1))
    }

    /// One past the largest allowed value, `2^(B-1)`.
    pub fn value_end(&self) -> i64 {
        1i64 << (self.value_bits - 1)
    }

    /// Whether `x` lies in `[-2^(B-1), 2^(B-1))`.
    pub fn in_range(&self, x: i128) -> bool {
        x >= self.value_min() as i128 && x < self.value_end() as i128
    }

    /// Iterations of one epoch on a training set of `train_len` samples:
    /// `ceil(train_len / (k * batch)) * k`.
    pub fn iterations_per_epoch(&self, train_len: usize) -> u64 {
        let chunk = (self.steps_per_fold * self.batch_size).max(1);
        (train_len.div_ceil(chunk) * self.steps_per_fold) as u64
    }

    /// Returns the spec with `epochs` turned into `iterations` for a training set of
    /// `train_len` samples (a spec with `iterations` is returned unchanged), then
    /// validated.
    pub fn resolve(&self, train_len: usize) -> Result<TrainSpec, SpecError> {
        let mut spec = self.clone();
        match (spec.iterations, spec.epochs) {
            (Some(_), Some(_)) => {
                return Err(SpecError::invalid(
                    "iterations",
                    "set either iterations or epochs, not both",
                ))
            }
            (None, Some(epochs)) => {
                spec.iterations = Some(u64::from(epochs) * spec.iterations_per_epoch(train_len));
                spec.epochs = None;
            }
            _ => {}
        }
        spec.validate()?;
        Ok(spec)
    }

    /// The resolved number of iterations `T`, if set.
    pub fn total_iterations(&self) -> Option<u64> {
        self.iterations
    }

    /// Checks the spec's shape (widths, batch, fold size, run length) and its
    /// arithmetic (see [`TrainSpec::validate_arithmetic`]).
    pub fn validate(&self) -> Result<Vec<RelationBound>, SpecError> {
        match (self.iterations, self.epochs) {
            (None, None) => {
                return Err(SpecError::invalid(
                    "iterations",
                    "set the length of the run: iterations or epochs",
                ))
            }
            (Some(_), Some(_)) => {
                return Err(SpecError::invalid(
                    "iterations",
                    "set either iterations or epochs, not both",
                ))
            }
            (Some(t), None) => {
                if t == 0 {
                    return Err(SpecError::invalid("iterations", "must be at least 1"));
                }
                if t % self.steps_per_fold.max(1) as u64 != 0 {
                    return Err(SpecError::invalid(
                        "iterations",
                        format!(
                            "{t} is not a multiple of steps_per_fold = {} (every fold proves \
                             exactly {} iterations); use {} or {}",
                            self.steps_per_fold,
                            self.steps_per_fold,
                            t / self.steps_per_fold as u64 * self.steps_per_fold as u64,
                            t.div_ceil(self.steps_per_fold as u64) * self.steps_per_fold as u64
                        ),
                    ));
                }
            }
            (None, Some(e)) => {
                if e == 0 {
                    return Err(SpecError::invalid("epochs", "must be at least 1"));
                }
            }
        }
        self.validate_arithmetic()
    }

    /// Checks everything the SGD step itself depends on (widths, batch size, fold
    /// size, fixed-point format, learning-rate shift) and computes the largest
    /// intermediate of every relation. Rejects the spec if any of them could wrap
    /// modulo `p` (reach `(p-1)/2`) or overflow the trainer's `i128` accumulators,
    /// naming the relation and by how many bits it is over.
    pub fn validate_arithmetic(&self) -> Result<Vec<RelationBound>, SpecError> {
        if self.layers.len() < 2 {
            return Err(SpecError::invalid(
                "layers",
                "need at least an input and an output width, e.g. [784, 128, 10]",
            ));
        }
        if let Some(i) = self.layers.iter().position(|&w| w == 0 || w > 1 << 24) {
            return Err(SpecError::invalid(
                "layers",
                format!("width {} of layer {i} is not in 1..=2^24", self.layers[i]),
            ));
        }
        if self.batch_size == 0 || self.batch_size > 1 << 24 {
            return Err(SpecError::invalid("batch_size", "must be in 1..=2^24"));
        }
        if !self.steps_per_fold.is_power_of_two() || self.steps_per_fold > 1 << 16 {
            return Err(SpecError::invalid(
                "steps_per_fold",
                format!("{} is not a power of two in 1..=65536", self.steps_per_fold),
            ));
        }
        if self.frac_bits == 0 || self.frac_bits > MAX_FRAC_BITS {
            return Err(SpecError::invalid(
                "frac_bits",
                format!("{} is not in 1..={MAX_FRAC_BITS}", self.frac_bits),
            ));
        }
        if self.value_bits < self.frac_bits + 2 || self.value_bits > MAX_VALUE_BITS {
            return Err(SpecError::invalid(
                "value_bits",
                format!(
                    "{} is not in {}..={MAX_VALUE_BITS} (it must hold 1.0 = 2^frac_bits with \
                     room for a sign)",
                    self.value_bits,
                    self.frac_bits + 2
                ),
            ));
        }
        if self.lr_shift > MAX_LR_SHIFT {
            return Err(SpecError::invalid(
                "lr_shift",
                format!("{} is more than {MAX_LR_SHIFT}", self.lr_shift),
            ));
        }

        let bounds = self.relation_bounds();
        let field_limit = BigUint::from_bytes_le(&Fr::MODULUS.to_bytes_le()) >> 1u32;
        let i128_limit = BigUint::from(i128::MAX as u128);
        for rel in &bounds {
            for (limit, what) in [
                (&i128_limit, "the trainer's i128 accumulator (2^127 - 1)"),
                (&field_limit, "(p-1)/2, where a field element wraps around"),
            ] {
                if rel.bound > *limit {
                    return Err(SpecError::Wrap {
                        relation: rel.relation.clone(),
                        bound_log2: rel.log2(),
                        limit: what,
                        excess_bits: rel.log2() - log2(limit),
                    });
                }
            }
        }
        Ok(bounds)
    }

    /// The largest absolute intermediate of every relation of one SGD step, with
    /// every operand at its bound `2^(B-1)`.
    fn relation_bounds(&self) -> Vec<RelationBound> {
        let m = pow2(self.value_bits - 1); // |value| <= 2^(B-1)
        let m2 = &m * &m;
        let f = self.frac_bits;
        let s = self.lr_shift;
        let batch = BigUint::from(self.batch_size);
        let rescale_identity = |k: u32| &m * pow2(k) + pow2(k); // |q 2^k + r|
        let half = |k: u32| {
            if k == 0 {
                BigUint::from(0u8)
            } else {
                pow2(k - 1)
            }
        };
        let mut out = Vec::new();
        let mut push =
            |relation: String, bound: BigUint| out.push(RelationBound { relation, bound });
        let last = self.num_layers();
        for l in 1..=last {
            let n_in = BigUint::from(self.layers[l - 1]);
            let n_out = BigUint::from(self.layers[l]);
            let z = &n_in * &m2 + pow2(f) * &m + half(f);
            push(
                format!(
                    "layer {l} forward: Z_{l} = A_{} W_{l} + 2^f b_{l}, rescaled by 2^f",
                    l - 1
                ),
                z.max(rescale_identity(f)),
            );
            if l < last {
                push(format!("layer {l} ReLU: A_{l} = s_{l} * q_{l}"), m.clone());
            }
            let dw = &batch * &m2 + half(f + s);
            push(
                format!(
                    "layer {l} weight update: dW_{l} = A_{}^T G_{l}, rescaled by 2^(f + lr_shift)",
                    l - 1
                ),
                dw.max(rescale_identity(f + s)),
            );
            let db = &batch * &m + half(s);
            push(
                format!("layer {l} bias update: db_{l} = colsum(G_{l}), rescaled by 2^lr_shift"),
                db.max(rescale_identity(s)),
            );
            push(
                format!("layer {l} SGD update: W_{l}' = W_{l} - dW_{l}, b_{l}' = b_{l} - db_{l}"),
                &m + &m,
            );
            if l >= 2 {
                let back = &n_out * &m2 + half(f);
                push(
                    format!(
                        "layer {l} backward: G_{} = rescale(G_{l} W_{l}^T, 2^f) * s_{}",
                        l - 1,
                        l - 1
                    ),
                    back.max(rescale_identity(f)),
                );
            }
        }
        push(
            format!("MSE loss gradient: G_{last} = A_{last} - Y"),
            &m + pow2(f),
        );
        out
    }

    /// The spec digest: a Poseidon hash (see [`zkpot_core::PoseidonTranscript`]) of
    /// the spec's canonical encoding, label [`SPEC_DIGEST_LABEL`] then, each as one
    /// field element: the number of widths, the widths, `frac_bits`, `value_bits`,
    /// the loss id, `lr_shift`, `batch_size`, `steps_per_fold`, `seed`, `T`.
    /// Only a resolved spec (with `iterations`) has a digest.
    pub fn digest(&self) -> Result<Fr, SpecError> {
        let iterations = match (self.iterations, self.epochs) {
            (Some(t), None) => t,
            _ => {
                return Err(SpecError::invalid(
                    "iterations",
                    "only a resolved spec (iterations set, epochs not) has a digest",
                ))
            }
        };
        let mut t = PoseidonTranscript::new(SPEC_DIGEST_LABEL);
        t.absorb_u64(self.layers.len() as u64);
        for &w in &self.layers {
            t.absorb_u64(w as u64);
        }
        for x in [
            u64::from(self.frac_bits),
            u64::from(self.value_bits),
            self.loss.id(),
            u64::from(self.lr_shift),
            self.batch_size as u64,
            self.steps_per_fold as u64,
            self.seed,
            iterations,
        ] {
            t.absorb_u64(x);
        }
        Ok(t.challenge())
    }

    /// The digest every fold of a proof absorbs: [`TrainSpec::digest`] of this spec with
    /// `T = 0` (everything but the run's length). The batch schedule does not depend on
    /// `T`, so the folds proven for a run stay valid when the run is extended; the
    /// statement binds `T` itself (the proof's number of folds must be `T / k`). Needs a
    /// resolved spec, as `digest`.
    pub fn fold_digest(&self) -> Result<Fr, SpecError> {
        self.digest()?;
        let mut open = self.clone();
        open.iterations = Some(0);
        open.digest()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mnist() -> TrainSpec {
        let mut s = TrainSpec::new(vec![784, 128, 10], 64, 9, 7);
        s.iterations = Some(64);
        s
    }

    #[test]
    fn default_mnist_spec_is_valid() {
        let bounds = mnist().validate().unwrap();
        // 784 * 2^62 + ... is a bit over 2^71.6.
        let fwd = &bounds[0];
        assert!(fwd.relation.starts_with("layer 1 forward"));
        assert!((fwd.log2() - 71.61).abs() < 0.01, "{}", fwd.log2());
    }

    #[test]
    fn wrapping_spec_names_relation_and_excess() {
        let mut s = mnist();
        s.value_bits = 62;
        let err = s.validate().unwrap_err();
        match &err {
            SpecError::Wrap {
                relation,
                excess_bits,
                ..
            } => {
                assert!(relation.contains("layer 1 forward"), "{relation}");
                // 784 * 2^122 = 2^131.61, over 2^127 by 4.61 bits.
                assert!((*excess_bits - 4.61).abs() < 0.01, "{excess_bits}");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(err.to_string().contains("layer 1 forward"));
    }

    #[test]
    fn shape_errors() {
        let mut s = mnist();
        s.iterations = Some(65);
        assert!(s.validate().unwrap_err().to_string().contains("multiple"));
        let mut s = mnist();
        s.steps_per_fold = 3;
        assert!(s.validate().is_err());
        let mut s = mnist();
        s.layers = vec![784];
        assert!(s.validate().is_err());
        let mut s = mnist();
        s.epochs = Some(1);
        assert!(s.validate().is_err());
        let mut s = mnist();
        s.value_bits = 17;
        assert!(s.validate().is_err());
    }

    #[test]
    fn epochs_resolve_to_whole_folds() {
        let mut s = mnist();
        s.iterations = None;
        s.epochs = Some(2);
        // 1000 samples, chunks of 16 * 64 = 1024 rows: one chunk per epoch.
        let r = s.resolve(1000).unwrap();
        assert_eq!(r.iterations, Some(32));
        assert_eq!(r.epochs, None);
        assert_eq!(s.iterations_per_epoch(60_000), 59 * 16);
    }

    #[test]
    fn json_round_trip_and_unknown_fields() {
        let s = mnist();
        let back: TrainSpec = serde_json::from_str(&s.to_json()).unwrap();
        assert_eq!(s, back);
        let bad = s.to_json().replace("\"seed\"", "\"sede\"");
        assert!(serde_json::from_str::<TrainSpec>(&bad).is_err());
    }

    #[test]
    fn digest_binds_every_field() {
        let base = mnist();
        let d = base.digest().unwrap();
        let variants: [fn(&mut TrainSpec); 8] = [
            |s| s.layers[1] = 127,
            |s| s.frac_bits = 15,
            |s| s.value_bits = 33,
            |s| s.lr_shift = 8,
            |s| s.batch_size = 65,
            |s| s.steps_per_fold = 8,
            |s| s.seed = 8,
            |s| s.iterations = Some(128),
        ];
        for change in variants {
            let mut s = base.clone();
            change(&mut s);
            assert_ne!(s.digest().unwrap(), d);
        }
        let mut unresolved = base.clone();
        unresolved.iterations = None;
        unresolved.epochs = Some(1);
        assert!(unresolved.digest().is_err());
    }
}
