//! Progress callbacks of the long operations (deriving keys, training and proving), for
//! a command line or a notebook to draw; every method has a silent default.

use crate::prover::FoldReport;

/// Progress callbacks of a run.
pub trait Progress {
    /// Training starts at iteration `first` (0, or where a resumed run continues) of
    /// `total`.
    fn start(&mut self, _first: u64, _total: u64) {}
    /// Iteration `t` is done with batch loss `loss`.
    fn step(&mut self, _t: u64, _loss: f64) {}
    /// A fold was proven.
    fn fold(&mut self, _report: &FoldReport) {}
    /// A phase outside training starts or happened (deriving or loading keys, committing
    /// the data, ...).
    fn phase(&mut self, _what: &str) {}
    /// Training is done.
    fn finish(&mut self) {}
    /// Deriving a commitment key of `total` generators starts; the returned callback
    /// is called (from any thread) with the number derived so far.
    fn key_started(&mut self, _total: usize) -> Box<dyn Fn(usize) + Sync> {
        Box::new(|_| {})
    }
}

/// No progress output.
#[derive(Clone, Copy, Debug, Default)]
pub struct Silent;

impl Progress for Silent {}
