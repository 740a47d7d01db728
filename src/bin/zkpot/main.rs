//! The `zkpot` command line.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use zkpot::json::{check_expected, StatementJson};
use zkpot::session::{load_split, num_chunks, parse_arch, train, TrainOptions, TrainReport};
use zkpot::{
    DatasetSource, Error, FoldReport, KeyReport, KeySource, KeyStore, Keys, Limits, PcsKind,
    Progress, ProofFile, ProofKind, TrainSpec, Verifier,
};

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
    /// Train an MLP in exact fixed point, prove the run (folded by default), verify the
    /// proof and write it; or continue a checkpointed run (`--resume`).
    Train(TrainArgs),
    /// Verify a proof file: prints the statement and `valid`, or the reason and fails.
    Verify(VerifyArgs),
    /// Print a proof file's statement and sizes as JSON.
    Inspect(InspectArgs),
    /// Derive and cache the keys a run of these options needs (the commitment key and,
    /// for folded proofs, the IVC keys), so `train` and `verify` only load them.
    Setup(SetupArgs),
    /// The HyperKZG setup (a universal powers-of-tau SRS): import a ceremony file, sample
    /// a development one, or show the cached one.
    #[command(subcommand)]
    Srs(SrsCommand),
}

#[derive(Subcommand)]
enum SrsCommand {
    /// Check a powers-of-tau ceremony file (snarkjs / Perpetual Powers of Tau `.ptau`,
    /// bn128) and cache its SRS: header, section sizes, every point on its curve and in
    /// its group, and the powers' consistency.
    Import(SrsImportArgs),
    /// Sample a development SRS and cache it. Whoever knows its tau (anyone who knows the
    /// seed) can forge proofs: for tests and trials only.
    Dev(SrsDevArgs),
    /// Print the cached SRS: power, origin, digest, file.
    Show(KeyDirArgs),
}

#[derive(Args)]
struct KeyDirArgs {
    /// The key cache folder (default $ZKPOT_CACHE_DIR, else ~/.cache/zkpot).
    #[arg(long)]
    key_dir: Option<PathBuf>,
}

impl KeyDirArgs {
    fn store(&self) -> KeyStore {
        self.key_dir
            .as_ref()
            .map_or_else(KeyStore::default, KeyStore::new)
    }
}

#[derive(Args)]
struct SrsImportArgs {
    /// The `.ptau` file.
    file: PathBuf,
    /// Import only the first 2^POWER powers (default: all of the file's, up to 2^28).
    #[arg(long)]
    power: Option<u32>,
    #[command(flatten)]
    keys: KeyDirArgs,
}

#[derive(Args)]
struct SrsDevArgs {
    /// The SRS holds 2^POWER powers (tables of up to 2^POWER entries), at most 28.
    #[arg(long)]
    power: u32,
    /// Derive tau from this seed (reproducible, and known to everyone who knows the
    /// seed); default: from the operating system.
    #[arg(long)]
    seed: Option<u64>,
    /// Replace a cached ceremony SRS (refused otherwise).
    #[arg(long)]
    replace: bool,
    #[command(flatten)]
    keys: KeyDirArgs,
}

#[derive(Args)]
struct VerifyArgs {
    /// The proof file.
    file: PathBuf,
    /// A JSON statement the proof must be about (the spec, C_data and C_W0 an auditor
    /// was promised, in the form `zkpot inspect` prints).
    #[arg(long)]
    statement: Option<PathBuf>,
    /// The key cache folder (default $ZKPOT_CACHE_DIR, else ~/.cache/zkpot).
    #[arg(long)]
    key_dir: Option<PathBuf>,
    /// Derive the keys this statement needs if they are not cached (minutes for MNIST).
    /// Without it, only cached keys are used (`zkpot setup` caches them); with
    /// --statement, the statement is vouched for and deriving is allowed.
    #[arg(long)]
    derive_keys: bool,
    /// Write keys derived here to the key cache (never done otherwise on this path).
    #[arg(long, requires = "derive_keys")]
    cache_keys: bool,
    /// The largest table (log2 of its entries) a statement may have: bigger statements
    /// are refused before any work.
    #[arg(long, default_value_t = zkpot::keys::DEFAULT_MAX_TABLE_VARS)]
    max_table_vars: usize,
    /// No progress output.
    #[arg(long)]
    quiet: bool,
}

#[derive(Args)]
struct InspectArgs {
    /// The proof file.
    file: PathBuf,
}

#[derive(Args)]
struct SetupArgs {
    #[command(flatten)]
    train: TrainArgs,
    /// Derive the key again even if a cached one exists (e.g. a corrupt one).
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
struct TrainArgs {
    /// digits (embedded 8x8 digits, the default), mnist:DIR, fashion[:DIR] or csv:FILE.
    /// With --resume: where the checkpointed run's data is now (default: where it was).
    #[arg(long)]
    dataset: Option<String>,
    /// Layer widths, input first, e.g. 784-128-10 (default: inputs-32-classes for
    /// up to 100 inputs, inputs-128-classes otherwise).
    #[arg(long, conflicts_with = "resume")]
    arch: Option<String>,
    /// Batch size (default 64).
    #[arg(long, conflicts_with = "resume")]
    batch: Option<usize>,
    /// Number of epochs (passes over all data chunks).
    #[arg(long, conflicts_with_all = ["iterations", "resume"])]
    epochs: Option<u32>,
    /// Number of SGD iterations, a multiple of --steps-per-fold (default 64). With
    /// --resume: the iterations of the whole run, extending it.
    #[arg(long)]
    iterations: Option<u64>,
    /// Iterations per fold, a power of two (default 16).
    #[arg(long, conflicts_with = "resume")]
    steps_per_fold: Option<usize>,
    /// Fractional bits of the fixed-point format (default 16).
    #[arg(long, conflicts_with = "resume")]
    frac_bits: Option<u32>,
    /// Value bound B: proven values lie in [-2^(B-1), 2^(B-1)) (default 32).
    #[arg(long, conflicts_with = "resume")]
    value_bits: Option<u32>,
    /// Learning-rate shift s: the update is 2^-s times the batch-summed gradient
    /// (default ceil(log2(batch)) + 3, a rate of 1/8 on the batch mean).
    #[arg(long, conflicts_with = "resume")]
    lr_shift: Option<u32>,
    /// Public seed of the initialisation, data order and split (default 1).
    #[arg(long, conflicts_with = "resume")]
    seed: Option<u64>,
    /// A JSON spec; flags override its fields.
    #[arg(long, conflicts_with = "resume")]
    spec: Option<PathBuf>,
    /// Which proof: `compressed` (the decider's proof of the folded run: kilobytes,
    /// constant in the number of iterations, zero-knowledge; HyperKZG only), `folded` (the
    /// uncompressed IVC proof: megabytes, not zero-knowledge; for debugging) or `run` (one
    /// step proof per fold).
    #[arg(long, default_value_t = ProofKind::Compressed)]
    proof: ProofKind,
    /// Write a checkpoint to FILE after every fold (either proof), atomically; it holds
    /// the data's blinds and the model: keep it private.
    #[arg(long, value_name = "FILE", conflicts_with = "no_prove")]
    checkpoint: Option<PathBuf>,
    /// Continue the folded run checkpointed in FILE (up to --iterations in all) and write
    /// its final proof to --out.
    #[arg(long, value_name = "FILE", conflicts_with = "no_prove")]
    resume: Option<PathBuf>,
    /// Tests only: blinds from a ChaCha20 generator with this seed (reproducible, and
    /// hiding nothing if the seed is known).
    #[arg(long, hide = true)]
    insecure_blind_seed: Option<u64>,
    /// Write a JSON report here.
    #[arg(long)]
    report: Option<PathBuf>,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
    /// Train without proving.
    #[arg(long)]
    no_prove: bool,
    /// Where to write the proof.
    #[arg(long, default_value = "run.zkpot")]
    out: PathBuf,
    /// The commitment-key cache folder (default $ZKPOT_CACHE_DIR, else ~/.cache/zkpot).
    #[arg(long)]
    key_dir: Option<PathBuf>,
    /// The commitment scheme: `kzg` (HyperKZG on the cached SRS; a development SRS is
    /// sampled when none is cached) or `pedersen` (transparent, linear-time verifier).
    #[arg(long, default_value_t = PcsKind::Kzg)]
    pcs: PcsKind,
}

impl TrainArgs {
    fn options(&self) -> Result<TrainOptions, Error> {
        Ok(TrainOptions {
            dataset: self
                .dataset
                .as_deref()
                .map(str::parse::<DatasetSource>)
                .transpose()?,
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
            prove: !self.no_prove,
            proof: self.proof,
            checkpoint: self.checkpoint.clone(),
            resume: self.resume.clone(),
            insecure_blind_seed: self.insecure_blind_seed,
            out: (!self.no_prove).then(|| self.out.clone()),
            key_dir: self.key_dir.clone(),
            pcs: self.pcs,
        })
    }
}

/// The progress bar: iterations, loss, and the prove time of the last fold.
struct Bar {
    bar: Option<ProgressBar>,
    quiet: bool,
    loss: f64,
    fold: String,
}

impl Bar {
    fn new(quiet: bool) -> Self {
        Bar {
            bar: None,
            quiet,
            loss: f64::NAN,
            fold: String::new(),
        }
    }

    fn refresh(&self) {
        if let Some(bar) = &self.bar {
            bar.set_message(format!("loss {:.4}{}", self.loss, self.fold));
        }
    }
}

impl Progress for Bar {
    fn start(&mut self, first: u64, total: u64) {
        if self.quiet {
            return;
        }
        let bar = ProgressBar::new(total);
        bar.set_position(first);
        bar.set_style(
            ProgressStyle::with_template(
                "{elapsed_precise} [{bar:30}] iteration {pos}/{len}  {msg}  (eta {eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        self.bar = Some(bar);
    }
    fn step(&mut self, _t: u64, loss: f64) {
        self.loss = loss;
        self.refresh();
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }
    fn fold(&mut self, r: &FoldReport) {
        self.fold = format!(
            "  fold {} proven in {:.2} s (step proof {:.2} s, accumulate {:.2} s{})",
            r.fold,
            r.proving().as_secs_f64(),
            r.run.step.total.as_secs_f64(),
            r.run.accumulate.as_secs_f64(),
            r.folding
                .map(|d| format!(", folding {:.2} s", d.as_secs_f64()))
                .unwrap_or_default()
        );
        self.refresh();
    }
    fn phase(&mut self, what: &str) {
        if !self.quiet {
            eprintln!("{what}...");
        }
    }
    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish();
        }
    }
    fn key_started(&mut self, total: usize) -> Box<dyn Fn(usize) + Sync> {
        if self.quiet {
            return Box::new(|_| {});
        }
        let bar = ProgressBar::new(total as u64);
        bar.set_style(
            ProgressStyle::with_template(
                "{elapsed_precise} [{bar:30}] generators {pos}/{len}  (eta {eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        Box::new(move |done| {
            bar.set_position(done as u64);
            if done >= total {
                bar.finish();
            }
        })
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
    if let Some(t) = r.resumed_at {
        println!(
            "  resumed at iteration {t}: the losses and step times are of the iterations run here"
        );
    }
    match &r.proof {
        None => println!("not proven (--no-prove)"),
        Some(p) => {
            println!(
                "  {}: {} folds, {} bytes{}; valid (verified in {:.3} s: {} {:.3} s, tie \
                 and opening {:.1} ms)",
                r.proving,
                p.folds,
                p.proof_bytes,
                p.proof_file
                    .as_ref()
                    .map(|f| format!(", written to {}", f.display()))
                    .unwrap_or_default(),
                p.verify_seconds,
                folds_label(p.kind),
                p.verify_folds_seconds,
                p.verify_finish_seconds * 1e3
            );
            println!(
                "  proving: {:.2} s in all (data {:.2} s, median fold {:.2} s = step proof {:.2} s + \
                 accumulate {:.2} s{}, {} {:.2} s)",
                p.prove_seconds,
                p.data_commit_seconds,
                p.fold_seconds,
                p.step_proof_seconds,
                p.accumulate_seconds,
                p.folding_seconds
                    .map(|s| format!(" + folding {s:.2} s"))
                    .unwrap_or_default(),
                if p.kind == ProofKind::Compressed {
                    "tie, opening and decider"
                } else {
                    "tie and opening"
                },
                p.finish_seconds
            );
            println!(
                "  per iteration: {:.3} s = {:.0}x the f32 step; amortized over the iterations \
                 proven here (with data and opening): {:.3} s = {:.0}x",
                p.prove_seconds_per_iteration,
                p.prove_ratio,
                p.amortized_seconds_per_iteration,
                p.amortized_ratio
            );
            println!(
                "  commitment scheme: {} (setup digest {}){}",
                p.pcs,
                p.setup_digest,
                p.srs
                    .as_ref()
                    .map(|srs| format!(
                        "; SRS: {srs}{}",
                        if p.key_derived {
                            " (sampled for this run: import a ceremony file with `zkpot srs \
                             import FILE.ptau` for proofs others can trust)"
                        } else {
                            ""
                        }
                    ))
                    .unwrap_or_default()
            );
            println!(
                "  keys: commitment key ({} generators) {} in {:.1} s{}",
                p.key_generators,
                match (p.key_derived, p.srs.is_some()) {
                    (true, true) => "sampled",
                    (true, false) => "derived",
                    _ => "loaded",
                },
                p.key_seconds,
                match (p.ivc_keys_seconds, p.ivc_keys_derived) {
                    (Some(s), Some(true)) =>
                        format!(", IVC keys generated (and cached) in {s:.1} s"),
                    (Some(s), _) => format!(", IVC keys loaded in {s:.1} s"),
                    _ => String::new(),
                } + &p
                    .decider_key_seconds
                    .map(|s| format!(", decider key read from them in {s:.1} s"))
                    .unwrap_or_default()
            );
            println!("  {}", p.kind.note());
        }
    }
}

fn run_train(args: &TrainArgs) -> Result<(), Error> {
    let opts = args.options()?;
    let report = train(&opts, &mut Bar::new(args.quiet))?;
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

/// What the keys of a command came from, for its output.
fn describe_keys(report: &KeyReport) -> String {
    let source = |s: &KeySource| match s {
        KeySource::Loaded { path } => format!("loaded from {}", path.display()),
        KeySource::Derived { cached: Some(path) } => {
            format!("derived and cached in {}", path.display())
        }
        KeySource::Derived { cached: None } => "derived (not cached)".to_string(),
    };
    let mut out = format!(
        "commitment key: {} ({} generators, setup digest {}{}) {} in {:.1} s",
        report.setup.pcs,
        report.generators,
        report.setup.digest_hex(),
        report
            .srs
            .as_ref()
            .map(|(origin, _)| format!("; SRS: {origin}"))
            .unwrap_or_default(),
        source(&report.commit),
        report.commit_time.as_secs_f64()
    );
    if let Some((s, t)) = &report.ivc {
        out += &format!("; IVC keys {} in {:.1} s", source(s), t.as_secs_f64());
    }
    if let Some(t) = report.decider {
        out += &format!(
            "; decider key read from the IVC keys in {:.1} s",
            t.as_secs_f64()
        );
    }
    out
}

/// What a verifier's `folds` time covers, by proof kind.
fn folds_label(kind: ProofKind) -> &'static str {
    match kind {
        ProofKind::Compressed => "decider",
        ProofKind::Folded => "IVC proof",
        ProofKind::Run => "step proofs",
    }
}

fn run_verify(args: &VerifyArgs) -> Result<(), Error> {
    let file = ProofFile::read(&args.file)?;
    let statement = &file.statement;
    let json = StatementJson::new(statement, file.kind());
    println!(
        "{}",
        serde_json::to_string_pretty(&json).unwrap_or_default()
    );
    // The statement's spec is validated and its sizes bounded before anything else.
    let limits = Limits {
        max_table_vars: args.max_table_vars,
    };
    limits.check(&statement.spec)?;
    let vouched = match &args.statement {
        Some(path) => {
            let expected = std::fs::read_to_string(path).map_err(|source| Error::Read {
                path: path.clone(),
                source,
            })?;
            check_expected(statement, &expected)?;
            println!("statement: as expected ({})", path.display());
            true
        }
        None => false,
    };
    let store = args
        .key_dir
        .as_ref()
        .map_or_else(KeyStore::default, KeyStore::new)
        .derive(args.derive_keys || vouched)
        .write(args.cache_keys)
        .limits(limits);
    let mut bar = Bar::new(args.quiet);
    let keys = Keys::for_statement(&store, statement, file.kind(), &mut bar)?;
    if !args.quiet {
        eprintln!("keys: {}", describe_keys(keys.report()));
    }
    let t0 = Instant::now();
    let timings = Verifier::new(&keys)
        .with_limits(limits)
        .verify_timed(statement, &file.proof)?;
    println!(
        "valid {} ({} folds, {} iterations; verified in {:.3} s: {} {:.3} s, tie and \
         opening {:.1} ms)",
        file.kind().name(),
        file.proof.folds(),
        statement.iterations(),
        t0.elapsed().as_secs_f64(),
        folds_label(file.kind()),
        timings.folds.as_secs_f64(),
        timings.finish.as_secs_f64() * 1e3
    );
    println!("{}", file.kind().note());
    Ok(())
}

fn run_inspect(args: &InspectArgs) -> Result<(), Error> {
    let file = ProofFile::read(&args.file)?;
    let out = serde_json::json!({
        "statement": StatementJson::new(&file.statement, file.kind()),
        "sizes": file.sizes()?,
    });
    println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    Ok(())
}

fn run_setup(args: &SetupArgs) -> Result<(), Error> {
    let opts = args.train.options()?;
    let (_, split) = load_split(&opts)?;
    let spec = opts
        .build_spec(split.train.num_features(), split.train.num_classes())
        .resolve(split.train.len())?;
    let chunks = num_chunks(&spec, &split.train);
    let store = opts
        .key_dir
        .as_ref()
        .map_or_else(KeyStore::default, KeyStore::new)
        .pcs(opts.pcs);
    if args.force {
        // The SRS is never deleted here (it may be a ceremony's): `zkpot srs` manages it.
        let (shape, digest) = Limits::default().check(&spec)?;
        let mut paths = vec![store.ivc_path(digest, chunks, opts.pcs)];
        if opts.pcs == PcsKind::Pedersen {
            paths.push(zkpot::keys::commit_key_path(&store, &shape));
        }
        for path in paths {
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => return Err(Error::Write { path, source }),
            }
        }
    }
    let keys = Keys::load(
        &store,
        &spec,
        chunks,
        opts.proof,
        &mut Bar::new(args.train.quiet),
    )?;
    println!("{}", describe_keys(keys.report()));
    Ok(())
}

fn run_srs(command: &SrsCommand) -> Result<(), Error> {
    let (srs, store, action) = match command {
        SrsCommand::Import(args) => {
            let t0 = Instant::now();
            let srs = zkpot::Srs::import_ptau(&args.file, args.power)?;
            let action = format!(
                "imported and checked {} in {:.2} s",
                args.file.display(),
                t0.elapsed().as_secs_f64()
            );
            (srs, args.keys.store(), action)
        }
        SrsCommand::Dev(args) => {
            if args.power > zkpot::srs::MAX_POWER {
                return Err(Error::Usage {
                    flag: "--power",
                    reason: format!("{} is more than {}", args.power, zkpot::srs::MAX_POWER),
                });
            }
            let store = args.keys.store();
            if let Ok(Some(cached)) = store.load_srs() {
                if !args.replace && matches!(cached.origin(), zkpot::SrsOrigin::Ceremony { .. }) {
                    return Err(Error::Usage {
                        flag: "--replace",
                        reason: format!(
                            "{} holds a ceremony SRS ({}); pass --replace to put a development \
                             one in its place",
                            store.dir().display(),
                            cached.origin()
                        ),
                    });
                }
            }
            let t0 = Instant::now();
            let srs = match args.seed {
                Some(seed) => zkpot::Srs::dev_seeded(args.power, seed),
                None => zkpot::Srs::dev(args.power, &mut rand::rngs::OsRng),
            };
            let action = format!("sampled in {:.2} s", t0.elapsed().as_secs_f64());
            (srs, store, action)
        }
        SrsCommand::Show(args) => {
            let store = args.store();
            let srs = store.load_srs()?.ok_or_else(|| Error::NoSrs {
                dir: store.dir().to_path_buf(),
            })?;
            print_srs(&srs, &store.srs_path());
            return Ok(());
        }
    };
    let replaced = store.load_srs().ok().flatten();
    let path = store.store_srs(&srs)?;
    println!("SRS {action}");
    if let Some(old) = replaced.filter(|old| old.digest() != srs.digest()) {
        println!(
            "replaces the cached SRS of power {}, {}",
            old.power(),
            old.origin()
        );
    }
    print_srs(&srs, &path);
    Ok(())
}

/// The SRS's power, origin (with the forgery warning of a development SRS), digest, file.
fn print_srs(srs: &zkpot::Srs, path: &std::path::Path) {
    let digest: String = srs.digest().iter().map(|b| format!("{b:02x}")).collect();
    println!(
        "power:  {} (tables of up to 2^{} entries)",
        srs.power(),
        srs.power()
    );
    println!("origin: {}", srs.origin());
    println!("digest: {digest}");
    println!("file:   {}", path.display());
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Train(args) => run_train(args),
        Command::Verify(args) => run_verify(args),
        Command::Inspect(args) => run_inspect(args),
        Command::Setup(args) => run_setup(args),
        Command::Srs(command) => run_srs(command),
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
