//! The `zkpot` command line.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use zkpot::run::{parse_arch, train, Progress, TrainOptions, TrainReport};
use zkpot::trainer::{DatasetSource, TrainSpec};
use zkpot::Error;

#[derive(Parser)]
#[command(
    name = "zkpot",
    version,
    about = "Recursive zero-knowledge proofs of training"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train an MLP in exact fixed point (proving is not available yet).
    Train(TrainArgs),
}

#[derive(Args)]
struct TrainArgs {
    /// digits (embedded 8x8 digits), mnist:DIR, fashion[:DIR] or csv:FILE.
    #[arg(long, default_value = "digits")]
    dataset: String,
    /// Layer widths, input first, e.g. 784-128-10 (default: inputs-32-classes for
    /// up to 100 inputs, inputs-128-classes otherwise).
    #[arg(long)]
    arch: Option<String>,
    /// Batch size (default 64).
    #[arg(long)]
    batch: Option<usize>,
    /// Number of epochs (passes over all data chunks).
    #[arg(long, conflicts_with = "iterations")]
    epochs: Option<u32>,
    /// Number of SGD iterations, a multiple of --steps-per-fold (default 64).
    #[arg(long)]
    iterations: Option<u64>,
    /// Iterations per fold, a power of two (default 16).
    #[arg(long)]
    steps_per_fold: Option<usize>,
    /// Fractional bits of the fixed-point format (default 16).
    #[arg(long)]
    frac_bits: Option<u32>,
    /// Value bound B: proven values lie in [-2^(B-1), 2^(B-1)) (default 32).
    #[arg(long)]
    value_bits: Option<u32>,
    /// Learning-rate shift s: the update is 2^-s times the batch-summed gradient
    /// (default ceil(log2(batch)) + 3, a rate of 1/8 on the batch mean).
    #[arg(long)]
    lr_shift: Option<u32>,
    /// Public seed of the initialisation, data order and split (default 1).
    #[arg(long)]
    seed: Option<u64>,
    /// A JSON spec; flags override its fields.
    #[arg(long)]
    spec: Option<PathBuf>,
    /// Write a JSON report here.
    #[arg(long)]
    report: Option<PathBuf>,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

impl TrainArgs {
    fn options(&self) -> Result<TrainOptions, Error> {
        Ok(TrainOptions {
            dataset: Some(self.dataset.parse::<DatasetSource>()?),
            spec: self
                .spec
                .as_deref()
                .map(TrainSpec::from_json_file)
                .transpose()?,
            arch: self.arch.as_deref().map(parse_arch).transpose()?,
            batch: self.batch,
            iterations: self.iterations,
            epochs: self.epochs,
            steps_per_fold: self.steps_per_fold,
            frac_bits: self.frac_bits,
            value_bits: self.value_bits,
            lr_shift: self.lr_shift,
            seed: self.seed,
        })
    }
}

struct Bar(Option<ProgressBar>, bool);

impl Progress for Bar {
    fn start(&mut self, total: u64) {
        if self.1 {
            return;
        }
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template(
                "{elapsed_precise} [{bar:30}] iteration {pos}/{len}  loss {msg}  ({per_sec}, eta {eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        self.0 = Some(bar);
    }
    fn step(&mut self, _t: u64, loss: f64) {
        if let Some(bar) = &self.0 {
            bar.set_message(format!("{loss:.4}"));
            bar.inc(1);
        }
    }
    fn finish(&mut self) {
        if let Some(bar) = self.0.take() {
            bar.finish();
        }
    }
}

fn summary(r: &TrainReport) {
    let s = &r.spec;
    let arch: Vec<String> = s.layers.iter().map(|w| w.to_string()).collect();
    println!(
        "trained {} ({} train / {} test samples), MLP {}, batch {}, {} iterations ({:.2} epochs), \
         frac_bits {}, value_bits {}, lr_shift {}",
        r.dataset,
        r.train_samples,
        r.test_samples,
        arch.join("-"),
        s.batch_size,
        r.iterations,
        r.iterations as f64 / r.iterations_per_epoch.max(1) as f64,
        s.frac_bits,
        s.value_bits,
        s.lr_shift
    );
    let last = |v: &[f64]| v.last().copied().unwrap_or(f64::NAN);
    println!(
        "  fixed point : test accuracy {:.2}%, final epoch loss {:.4}, median step {:.3} ms",
        100.0 * r.test_accuracy,
        last(&r.train_loss),
        1e3 * r.step_seconds
    );
    println!(
        "  f32 reference: test accuracy {:.2}%, final epoch loss {:.4}, median step {:.3} ms",
        100.0 * r.f32_reference_test_accuracy,
        last(&r.f32_reference_train_loss),
        1e3 * r.f32_reference_step_seconds
    );
    println!(
        "  fixed-point step / f32 step = {:.2}x; total {:.1} s",
        r.step_ratio, r.seconds
    );
    println!("proving is not available yet in this version: the run was trained, not proven");
}

fn run_train(args: &TrainArgs) -> Result<(), Error> {
    let opts = args.options()?;
    let report = train(&opts, &mut Bar(None, args.quiet))?;
    summary(&report);
    if let Some(path) = &args.report {
        let json = serde_json::to_string_pretty(&report).unwrap_or_default();
        std::fs::write(path, json + "\n").map_err(|source| Error::Write {
            path: path.clone(),
            source,
        })?;
        println!("report written to {}", path.display());
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Train(args) => run_train(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                eprintln!("  caused by: {s}");
                source = s.source();
            }
            ExitCode::FAILURE
        }
    }
}
