//! The training loop over a dataset, and evaluation.

use crate::data::Dataset;
use crate::error::{SpecError, TrainError};
use crate::model::Mlp;
use crate::schedule::{gather, BatchSchedule};
use crate::spec::TrainSpec;
use crate::step::{sgd_step, StepWitness};

/// Runs the SGD iterations of a spec on a training set, one at a time, yielding
/// each iteration's witness.
#[derive(Clone, Debug)]
pub struct Trainer<'d> {
    spec: TrainSpec,
    data: &'d Dataset,
    schedule: BatchSchedule,
    model: Mlp,
    iteration: u64,
}

/// Checks that a spec fits a dataset (input width, classes, fixed-point format).
pub fn check_fit(spec: &TrainSpec, data: &Dataset) -> Result<(), SpecError> {
    let mismatch = |reason: String| SpecError::DatasetMismatch {
        dataset: data.name().to_string(),
        reason,
    };
    if data.is_empty() {
        return Err(mismatch("the training set is empty".into()));
    }
    let (first, last) = (spec.layers.first(), spec.layers.last());
    if first != Some(&data.num_features()) {
        return Err(mismatch(format!(
            "input width {first:?} but samples have {} features",
            data.num_features()
        )));
    }
    if last != Some(&data.num_classes()) {
        return Err(mismatch(format!(
            "output width {last:?} but the data has {} classes",
            data.num_classes()
        )));
    }
    if spec.frac_bits != data.frac_bits() {
        return Err(mismatch(format!(
            "spec frac_bits {} but the data was encoded with {}",
            spec.frac_bits,
            data.frac_bits()
        )));
    }
    Ok(())
}

impl<'d> Trainer<'d> {
    /// A trainer starting from the spec's deterministic initialisation. The spec is
    /// resolved (epochs into iterations) against `data` and validated.
    pub fn new(spec: &TrainSpec, data: &'d Dataset) -> Result<Self, TrainError> {
        let spec = spec.resolve(data.len())?;
        let model = Mlp::init(&spec)?;
        Self::with_model(&spec, data, model)
    }

    /// A trainer starting from a given model (e.g. a pre-trained one).
    pub fn with_model(spec: &TrainSpec, data: &'d Dataset, model: Mlp) -> Result<Self, TrainError> {
        check_fit(spec, data)?;
        let spec = spec.resolve(data.len())?;
        model.check(&spec)?;
        Ok(Trainer {
            schedule: BatchSchedule::new(&spec, data.len()),
            spec,
            data,
            model,
            iteration: 0,
        })
    }

    /// A trainer that continues a run at iteration `iteration` with the model `model`
    /// reached there (a resumed checkpoint). Errors when `iteration` is past the run.
    pub fn resume(
        spec: &TrainSpec,
        data: &'d Dataset,
        model: Mlp,
        iteration: u64,
    ) -> Result<Self, TrainError> {
        let mut trainer = Self::with_model(spec, data, model)?;
        if iteration > trainer.total_iterations() {
            return Err(TrainError::Finished(trainer.total_iterations()));
        }
        trainer.iteration = iteration;
        Ok(trainer)
    }

    /// The resolved spec.
    pub fn spec(&self) -> &TrainSpec {
        &self.spec
    }

    /// The current model.
    pub fn model(&self) -> &Mlp {
        &self.model
    }

    /// The batch schedule.
    pub fn schedule(&self) -> &BatchSchedule {
        &self.schedule
    }

    /// The next iteration to run (= iterations done).
    pub fn iteration(&self) -> u64 {
        self.iteration
    }

    /// `T`.
    pub fn total_iterations(&self) -> u64 {
        self.spec.iterations.unwrap_or(0)
    }

    /// Whether all `T` iterations are done.
    pub fn is_finished(&self) -> bool {
        self.iteration >= self.total_iterations()
    }

    /// Runs the next iteration, returning its witness. On error the model is left
    /// as it was before the iteration.
    pub fn step(&mut self) -> Result<StepWitness, TrainError> {
        if self.is_finished() {
            return Err(TrainError::Finished(self.total_iterations()));
        }
        let (x, y) = gather(self.data, &self.schedule.batch_rows(self.iteration));
        let witness = sgd_step(&self.spec, &self.model, x, y, self.iteration)?;
        self.model = witness.updated_model();
        self.iteration += 1;
        Ok(witness)
    }
}

/// Classification accuracy (fraction in `[0, 1]`) of a fixed-point model on a
/// dataset, with the same forward arithmetic as training.
pub fn accuracy(spec: &TrainSpec, model: &Mlp, data: &Dataset) -> Result<f64, TrainError> {
    if data.is_empty() {
        return Ok(0.0);
    }
    let mut correct = 0usize;
    let rows: Vec<usize> = (0..data.len()).collect();
    for block in rows.chunks(1024) {
        let (x, _) = gather(data, block);
        let pred = model.predict(spec, &x)?;
        correct += block
            .iter()
            .zip(pred)
            .filter(|(&r, p)| data.label(r) as usize == *p)
            .count();
    }
    Ok(correct as f64 / data.len() as f64)
}

/// The mean of the batch losses of `losses`, or `NaN` when empty.
pub fn mean(losses: &[f64]) -> f64 {
    losses.iter().sum::<f64>() / losses.len() as f64
}
