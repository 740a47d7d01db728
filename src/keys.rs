//! Everything a run needs besides its data: the commitment key and, for a folded proof,
//! the IVC keys of its training circuit, loaded from the key cache or derived (and
//! cached) once.
//!
//! * [`KeyStore`]: where keys live and what loading may do (derive what is missing,
//!   write it to the cache) and the [`Limits`] every size is bounded by first.
//! * [`Keys`]: the keys of one run's shape ([`Keys::new`] for a prover, derives and
//!   caches; [`Keys::for_statement`] for a verifier, which by default only loads).
//!
//! # Key files
//!
//! The commitment key is `pedersen-...-<n>.key` (`zkpot_pcs::cache`). The IVC keys of
//! the training circuit of a spec over `c` data chunks on scheme `s` are
//! `ivc-<fold digest>-<c>-<s>.key`: the envelope ([`zkpot_core::io`], kind IVC keys), then
//! the spec's fold digest (32 bytes), `c` (`u64` little-endian), the power of two of
//! Nova's primary commitment key (one byte: a HyperKZG run's SRS prefix covers it), the
//! commitment setup they were made for ([`Setup::to_bytes`]: scheme and key or SRS digest,
//! 33 bytes), the SHA-256 of the rest, and the IVC key (arkworks uncompressed, every point
//! checked on load). Reading checks the envelope, the digest, `c` and the setup against
//! what is asked for, the hash, and that Nova's primary commitment key is the one the
//! setup gives (the SRS prefix for HyperKZG). Keys made for another SRS (the cached SRS
//! was replaced) are regenerated when deriving is allowed. The cache is trusted as the
//! program is: a key file replaced on purpose by someone who can write the cache
//! folder can make a verifier accept a false proof, so a verifier that does not trust
//! its cache derives the keys ([`KeyStore::derive`]) into a fresh folder.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use sha2::{Digest, Sha256};
use zkpot_core::io::{envelope, open_envelope_of, FileKind};
use zkpot_core::Fr;
use zkpot_folding::decider::DeciderKey;
use zkpot_folding::running::{FoldedKeys, Sizing};
use zkpot_gkr::step::StepShape;
use zkpot_pcs::{
    cache::KeyCache, pedersen::PedersenKey, KzgKey, PcsKind, SchemeKey, Setup, Srs, SrsOrigin,
};
use zkpot_run::{key_len, run_num_vars, run_shape, RunStatement as Statement, KEY_LABEL};
use zkpot_trainer::{BatchSchedule, Dataset, TrainSpec};

use crate::error::Error;
use crate::progress::{Progress, Silent};
use crate::proof::ProofKind;

/// The default bound on a run's largest table: `2^26` entries (a 4 GiB commitment key).
/// MNIST 784-128-10 with batch 64 and `k = 16` needs `2^24`.
pub const DEFAULT_MAX_TABLE_VARS: usize = 26;

/// Bounds every size a statement implies before anything is derived or allocated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The largest table a run may commit to is `2^max_table_vars` entries (its
    /// commitment key has as many generators).
    pub max_table_vars: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_table_vars: DEFAULT_MAX_TABLE_VARS,
        }
    }
}

impl Limits {
    /// Validates `spec` (the trainer's checks, [`TrainSpec::validate`]), derives its
    /// shape and fold digest, and bounds its largest table: what every verifier does
    /// first, in well under a second and without allocating from the spec's sizes.
    pub fn check(&self, spec: &TrainSpec) -> Result<(StepShape, Fr), Error> {
        let (shape, digest) = run_shape(spec)?;
        let table_vars = run_num_vars(&shape);
        if table_vars > self.max_table_vars {
            return Err(Error::TooLarge {
                table_vars,
                max_table_vars: self.max_table_vars,
            });
        }
        Ok((shape, digest))
    }
}

/// The smallest development SRS sampled when none is cached: `2^20` powers (64 MiB, a few
/// seconds), enough for the runs on the embedded digits, so that runs of different sizes
/// share one rather than replace it.
pub const DEV_SRS_MIN_POWER: u32 = 20;

/// The name of the cached SRS in a key folder.
pub const SRS_FILE: &str = "srs.bin";

/// Where keys live and what loading them may do.
#[derive(Clone, Debug)]
pub struct KeyStore {
    cache: KeyCache,
    derive: bool,
    write: bool,
    limits: Limits,
    pcs: PcsKind,
}

impl Default for KeyStore {
    /// The default cache folder ([`KeyCache::default_dir`]: `$ZKPOT_CACHE_DIR`, else
    /// `$XDG_CACHE_HOME/zkpot`, else `~/.cache/zkpot`), deriving and caching what is
    /// missing: what a prover wants.
    fn default() -> Self {
        KeyStore::new(KeyCache::default_dir())
    }
}

impl KeyStore {
    /// The cache in `dir`, deriving and caching what is missing.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        KeyStore {
            cache: KeyCache::new(dir),
            derive: true,
            write: true,
            limits: Limits::default(),
            pcs: PcsKind::default(),
        }
    }

    /// The commitment scheme of the runs a prover's keys are loaded for (HyperKZG by
    /// default; a verifier's keys follow the statement's scheme).
    pub fn pcs(mut self, pcs: PcsKind) -> Self {
        self.pcs = pcs;
        self
    }

    /// The commitment scheme provers' keys are loaded for.
    pub fn current_pcs(&self) -> PcsKind {
        self.pcs
    }

    /// Whether keys missing from the cache may be derived (minutes for MNIST).
    pub fn derive(mut self, allowed: bool) -> Self {
        self.derive = allowed;
        self
    }

    /// Whether derived keys are written to the cache.
    pub fn write(mut self, allowed: bool) -> Self {
        self.write = allowed;
        self
    }

    /// The size limits checked before anything else.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The size limits.
    pub fn current_limits(&self) -> Limits {
        self.limits
    }

    /// The cache folder.
    pub fn dir(&self) -> &Path {
        self.cache.dir()
    }

    /// The file of the cached SRS (one per key folder: the one `zkpot srs import` or
    /// `zkpot srs dev` wrote last).
    pub fn srs_path(&self) -> PathBuf {
        self.cache.dir().join(SRS_FILE)
    }

    /// The cached SRS, checked as its file is read (envelope, SHA-256, every point, the
    /// digest; see [`Srs::from_bytes`]); `None` if there is none.
    pub fn load_srs(&self) -> Result<Option<Srs>, Error> {
        let path = self.srs_path();
        if !path.exists() {
            return Ok(None);
        }
        Ok(Some(Srs::read_file(&path)?))
    }

    /// Caches `srs` (replacing the cached one) and returns the file.
    pub fn store_srs(&self, srs: &Srs) -> Result<PathBuf, Error> {
        let path = self.srs_path();
        srs.write_file(&path)?;
        Ok(path)
    }

    /// The file of the IVC keys of runs with fold digest `digest` over `num_chunks`
    /// chunks on the commitment scheme `pcs` (Nova's primary commitments are on it).
    pub fn ivc_path(&self, digest: Fr, num_chunks: u64, pcs: PcsKind) -> PathBuf {
        let mut bytes = Vec::new();
        // Writing into a Vec cannot fail.
        let _ = digest.serialize_compressed(&mut bytes);
        let hex: String = bytes.iter().take(12).map(|b| format!("{b:02x}")).collect();
        self.cache
            .dir()
            .join(format!("ivc-{hex}-{num_chunks}-{}.key", pcs.name()))
    }
}

/// Where a key came from.
#[derive(Clone, Debug, PartialEq)]
pub enum KeySource {
    /// Read from the cache.
    Loaded {
        /// The file.
        path: PathBuf,
    },
    /// Derived here, and written to `cached` if the store allowed it.
    Derived {
        /// The file it was written to.
        cached: Option<PathBuf>,
    },
}

/// How the keys were obtained, and how long it took.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyReport {
    /// The commitment key's setup: its scheme and digest.
    pub setup: Setup,
    /// Where the SRS came from (HyperKZG), and whether it was sampled for this run
    /// because none (or too small a development one) was cached.
    pub srs: Option<(SrsOrigin, bool)>,
    /// The commitment key's number of generators (SRS powers).
    pub generators: usize,
    /// Where the commitment key came from.
    pub commit: KeySource,
    /// The time it took.
    pub commit_time: Duration,
    /// Where the IVC keys came from, and the time (folded and compressed proofs only).
    pub ivc: Option<(KeySource, Duration)>,
    /// The time the decider's key took to derive from the IVC keys (compressed proofs
    /// only; it is the augmented circuit's R1CS, read from the IVC keys, not cached apart).
    pub decider: Option<Duration>,
}

/// The keys of one run's shape: the commitment key, for a folded proof the IVC keys of
/// its training circuit, and for a compressed proof also the decider's key.
pub struct Keys {
    kind: ProofKind,
    digest: Fr,
    num_chunks: u64,
    commit: SchemeKey,
    folded: Option<FoldedKeys>,
    decider: Option<DeciderKey>,
    report: KeyReport,
}

impl Keys {
    /// The keys a prover needs for `spec` on the training set `data` (the spec is
    /// resolved against it) and proofs of `kind`, from the default [`KeyStore`]: loaded
    /// from the cache, or derived and cached the first time (minutes for MNIST).
    ///
    /// The commitments are HyperKZG's on the SRS cached in the store (one is sampled
    /// for development, and cached, when there is none: see [`Keys::load`]).
    pub fn new(spec: &TrainSpec, data: &Dataset, kind: ProofKind) -> Result<Self, Error> {
        let spec = spec.resolve(data.len())?;
        let num_chunks = BatchSchedule::new(&spec, data.len()).num_chunks() as u64;
        Self::load(&KeyStore::default(), &spec, num_chunks, kind, &mut Silent)
    }

    /// The keys for runs of `spec` (resolved) over `num_chunks` data chunks and proofs of
    /// `kind`, from `store`, on the store's commitment scheme ([`KeyStore::pcs`]). The
    /// spec is validated and its sizes bounded by the store's limits before anything is
    /// loaded or derived; keys missing from the cache are derived only if the store
    /// allows it, and written only if it allows that too.
    ///
    /// For HyperKZG the commitment key is the prefix of the cached SRS the run needs
    /// ([`KeyStore::load_srs`]). With no SRS cached, a development SRS of at least
    /// [`DEV_SRS_MIN_POWER`] powers is sampled (and cached) if the store may derive keys,
    /// and the report says so; a cached SRS too small for the run is
    /// [`Error::SrsTooSmall`].
    pub fn load(
        store: &KeyStore,
        spec: &TrainSpec,
        num_chunks: u64,
        kind: ProofKind,
        progress: &mut dyn Progress,
    ) -> Result<Self, Error> {
        Self::load_scheme(store, spec, num_chunks, kind, None, progress)
    }

    /// [`Keys::load`] on the store's scheme (`expect` is `None`: a prover, which may
    /// sample a development SRS), or for a verifier on the scheme of the setup `expect`
    /// (never sampling an SRS, and refusing a commitment key of another setup before the
    /// IVC keys are looked for).
    fn load_scheme(
        store: &KeyStore,
        spec: &TrainSpec,
        num_chunks: u64,
        kind: ProofKind,
        expect: Option<Setup>,
        progress: &mut dyn Progress,
    ) -> Result<Self, Error> {
        let pcs = expect.map_or(store.pcs, |setup| setup.pcs);
        let sample_srs = expect.is_none() && store.derive;
        let (shape, digest) = store.limits.check(spec)?;
        if num_chunks == 0 || num_chunks > spec.iterations.unwrap_or(0).max(1) << 32 {
            return Err(Error::Usage {
                flag: "num_chunks",
                reason: format!("{num_chunks} data chunks is not a dataset size"),
            });
        }
        let t0 = Instant::now();
        let mut sizing = None;
        let (commit, commit_source, srs) = match pcs {
            PcsKind::Pedersen => {
                let (key, source) = pedersen_key(store, &shape, progress)?;
                (SchemeKey::from(key), source, None)
            }
            PcsKind::Kzg => {
                let (full, source, srs) = kzg_key(store, &shape, sample_srs, progress)?;
                let run = run_num_vars(&shape) as u32;
                let power = match kind {
                    ProofKind::Run => run,
                    ProofKind::Folded | ProofKind::Compressed => {
                        let (nova, found) =
                            nova_power(store, &full, spec, digest, num_chunks, progress)?;
                        sizing = found;
                        run.max(nova)
                    }
                };
                (
                    SchemeKey::from(prefix(store, full, power)?),
                    source,
                    Some(srs),
                )
            }
        };
        let commit_time = t0.elapsed();
        if let Some(statement) = expect.filter(|want| *want != commit.setup()) {
            return Err(Error::SetupMismatch {
                statement,
                keys: commit.setup(),
                dir: store.dir().to_path_buf(),
            });
        }
        if kind == ProofKind::Compressed && pcs != PcsKind::Kzg {
            return Err(Error::Usage {
                flag: "--proof",
                reason: "the compressed proof needs HyperKZG commitments (--pcs kzg); \
                         Pedersen runs make folded or run proofs"
                    .into(),
            });
        }
        let (folded, ivc) = match kind {
            ProofKind::Run => (None, None),
            ProofKind::Folded | ProofKind::Compressed => {
                let t0 = Instant::now();
                let (keys, source) =
                    ivc_keys(store, &commit, spec, digest, num_chunks, sizing, progress)?;
                (Some(keys), Some((source, t0.elapsed())))
            }
        };
        let (decider, decider_time) = match (&folded, kind) {
            (Some(folded), ProofKind::Compressed) => {
                progress.phase("deriving the decider's key from the IVC keys");
                let t0 = Instant::now();
                let key = DeciderKey::new(&folded.key)?;
                (Some(key), Some(t0.elapsed()))
            }
            _ => (None, None),
        };
        Ok(Keys {
            kind,
            digest,
            num_chunks,
            report: KeyReport {
                setup: commit.setup(),
                srs,
                generators: commit.max_len(),
                commit: commit_source,
                commit_time,
                ivc,
                decider: decider_time,
            },
            commit,
            folded,
            decider,
        })
    }

    /// The keys a verifier needs for `statement` and proofs of `kind`, from `store` (by
    /// default loaded only: build the store with [`KeyStore::derive`] to derive missing
    /// keys, for a statement someone vouched for), on the statement's commitment scheme.
    /// Validates the statement's spec and bounds its sizes first; errors
    /// ([`Error::SetupMismatch`]) unless the keys' setup is the one the statement names
    /// (for HyperKZG: the cached SRS's prefix is the run's). A verifier never samples an
    /// SRS.
    pub fn for_statement(
        store: &KeyStore,
        statement: &Statement,
        kind: ProofKind,
        progress: &mut dyn Progress,
    ) -> Result<Self, Error> {
        store.limits.check(&statement.spec)?;
        let keys = Self::load_scheme(
            store,
            &statement.spec,
            statement.data.num_chunks,
            kind,
            Some(statement.setup),
            progress,
        );
        match keys {
            Err(Error::NoSrs { dir }) => Err(Error::SrsMissing {
                statement: statement.setup,
                dir,
            }),
            other => other,
        }
    }

    /// The kind of proofs these keys make and check.
    pub fn kind(&self) -> ProofKind {
        self.kind
    }

    /// How the keys were obtained.
    pub fn report(&self) -> &KeyReport {
        &self.report
    }

    /// The commitment key (of the scheme the keys were loaded for).
    pub fn commit_key(&self) -> &SchemeKey {
        &self.commit
    }

    /// The commitment key's setup: its scheme and digest (what statements bind).
    pub fn setup(&self) -> Setup {
        self.report.setup
    }

    /// The IVC keys (folded and compressed proofs).
    pub fn folded_keys(&self) -> Option<&FoldedKeys> {
        self.folded.as_ref()
    }

    /// The decider's key (compressed proofs).
    pub fn decider_key(&self) -> Option<&DeciderKey> {
        self.decider.as_ref()
    }

    /// Errors unless these keys are for runs of `spec` (resolved) over `num_chunks`
    /// chunks.
    pub(crate) fn check_run(&self, spec: &TrainSpec, num_chunks: u64) -> Result<(), Error> {
        let (_, digest) = run_shape(spec)?;
        if digest != self.digest {
            return Err(Error::KeysMismatch {
                keys: "another spec",
                wanted: "this run's spec",
            });
        }
        if num_chunks != self.num_chunks {
            return Err(Error::KeysMismatch {
                keys: "a dataset of another size",
                wanted: "this run's dataset",
            });
        }
        Ok(())
    }
}

/// The file of the commitment key of runs of `shape` in `store`.
pub fn commit_key_path(store: &KeyStore, shape: &StepShape) -> PathBuf {
    store.cache.path(KEY_LABEL, key_len(shape))
}

/// The Pedersen commitment key of runs of `shape`: loaded, or derived (and cached) if
/// allowed.
fn pedersen_key(
    store: &KeyStore,
    shape: &StepShape,
    progress: &mut dyn Progress,
) -> Result<(PedersenKey, KeySource), Error> {
    let len = key_len(shape);
    let path = commit_key_path(store, shape);
    if let Some(key) = store.cache.load(KEY_LABEL, len)? {
        progress.phase(&format!(
            "loaded the commitment key from {}",
            path.display()
        ));
        return Ok((key, KeySource::Loaded { path }));
    }
    if !store.derive {
        return Err(Error::KeysNotCached {
            what: "commitment key",
            path,
        });
    }
    progress.phase(&format!(
        "deriving the commitment key ({len} generators, once{})",
        if store.write {
            format!("; cached in {}", store.dir().display())
        } else {
            String::new()
        }
    ));
    let report = progress.key_started(len);
    if store.write {
        let (key, _) = store.cache.load_or_setup(KEY_LABEL, len, &*report)?;
        Ok((key, KeySource::Derived { cached: Some(path) }))
    } else {
        let key = PedersenKey::setup_with_progress(KEY_LABEL, len, &*report);
        Ok((key, KeySource::Derived { cached: None }))
    }
}

/// The HyperKZG key of runs of `shape`: the prefix of the cached SRS the run needs, or,
/// when no SRS is cached and the store may derive keys, of a development SRS sampled
/// (and cached, if allowed) here. A cached SRS too small for the run is
/// [`Error::SrsTooSmall`] (never replaced: proofs made on it would no longer verify
/// from this folder). Returns the SRS's origin and whether it was sampled.
fn kzg_key(
    store: &KeyStore,
    shape: &StepShape,
    sample: bool,
    progress: &mut dyn Progress,
) -> Result<(KzgKey, KeySource, (SrsOrigin, bool)), Error> {
    let needed = run_num_vars(shape) as u32;
    let path = store.srs_path();
    let too_small = |srs: &Srs| Error::SrsTooSmall {
        dir: store.dir().to_path_buf(),
        power: srs.power(),
        needed,
    };
    if let Some(srs) = store.load_srs()? {
        if srs.power() < needed {
            return Err(too_small(&srs));
        }
        progress.phase(&format!(
            "loaded the SRS (2^{} powers, {}) from {}",
            srs.power(),
            srs.origin(),
            path.display()
        ));
        let origin = srs.origin().clone();
        return Ok((
            KzgKey::new(srs),
            KeySource::Loaded { path },
            (origin, false),
        ));
    }
    if !sample {
        return Err(Error::NoSrs {
            dir: store.dir().to_path_buf(),
        });
    }
    let power = needed.max(DEV_SRS_MIN_POWER);
    progress.phase(&format!(
        "no SRS cached: sampling a development SRS (2^{power} powers{}); whoever sampled tau \
         can forge proofs: import a ceremony file instead with `zkpot srs import FILE.ptau`",
        if store.write {
            format!(", cached in {}", path.display())
        } else {
            String::new()
        }
    ));
    let srs = Srs::dev(power, &mut rand::rngs::OsRng);
    let (srs, source, sampled) = if !store.write {
        (srs, KeySource::Derived { cached: None }, true)
    } else if srs.write_file_new(&path)? {
        (srs, KeySource::Derived { cached: Some(path) }, true)
    } else {
        // Another process cached one first: every run of this folder uses that one.
        match store.load_srs()? {
            Some(first) if first.power() >= needed => (first, KeySource::Loaded { path }, false),
            Some(first) => return Err(too_small(&first)),
            None => {
                return Err(Error::NoSrs {
                    dir: store.dir().to_path_buf(),
                })
            }
        }
    };
    let origin = srs.origin().clone();
    Ok((KzgKey::new(srs), source, (origin, sampled)))
}

/// The key of the first `2^power` powers of `key`'s SRS: `key` itself when that is all of
/// it (no copy of the points, no second digest); [`Error::SrsTooSmall`] if it has fewer.
fn prefix(store: &KeyStore, key: KzgKey, power: u32) -> Result<KzgKey, Error> {
    let have = key.srs().power();
    if have == power {
        Ok(key)
    } else if have > power {
        Ok(KzgKey::new(key.srs().truncate(power)?))
    } else {
        Err(Error::SrsTooSmall {
            dir: store.dir().to_path_buf(),
            power: have,
            needed: power,
        })
    }
}

/// The power of the SRS prefix Nova's primary commitments take for runs of `spec` over
/// `num_chunks` chunks (the augmented circuit's size): read from the cached IVC keys'
/// header, or, with none cached and deriving allowed, computed by synthesizing the
/// training circuit (`key` commits to its dummy fold), which is returned for the key
/// generation to start from.
fn nova_power(
    store: &KeyStore,
    key: &KzgKey,
    spec: &TrainSpec,
    digest: Fr,
    num_chunks: u64,
    progress: &mut dyn Progress,
) -> Result<(u32, Option<Sizing>), Error> {
    let path = store.ivc_path(digest, num_chunks, PcsKind::Kzg);
    if let Some(power) = read_ivc_power(&path, digest, num_chunks)? {
        return Ok((power, None));
    }
    if !store.derive {
        return Err(Error::KeysNotCached {
            what: "IVC keys",
            path,
        });
    }
    progress.phase("sizing the training circuit (Nova's commitments take an SRS prefix as long)");
    let sizing = Sizing::new(key, spec, num_chunks)?;
    Ok((sizing.primary_power(), Some(sizing)))
}

/// The IVC keys of runs of `spec` over `num_chunks` chunks: loaded, or generated (and
/// cached) if allowed.
fn ivc_keys(
    store: &KeyStore,
    commit: &SchemeKey,
    spec: &TrainSpec,
    digest: Fr,
    num_chunks: u64,
    sizing: Option<Sizing>,
    progress: &mut dyn Progress,
) -> Result<(FoldedKeys, KeySource), Error> {
    let setup = commit.setup();
    let path = store.ivc_path(digest, num_chunks, setup.pcs);
    let mut stale = false;
    match std::fs::read(&path) {
        Ok(bytes) => match read_ivc_file(&path, &bytes, spec, digest, num_chunks, commit)? {
            IvcFile::Keys(keys) => {
                progress.phase(&format!("loaded the IVC keys from {}", path.display()));
                return Ok((*keys, KeySource::Loaded { path }));
            }
            IvcFile::OtherSetup if store.derive => stale = true,
            IvcFile::OtherSetup => {
                return Err(Error::KeyFile {
                    path,
                    reason: "it holds the IVC keys of another commitment setup (SRS): \
                             derive them again (zkpot setup)",
                })
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(source) => return Err(Error::Read { path, source }),
    }
    if !store.derive {
        return Err(Error::KeysNotCached {
            what: "IVC keys",
            path,
        });
    }
    progress.phase(&format!(
        "generating the IVC keys (the training circuit; deterministic, once{}{})",
        if stale {
            "; the cached ones were made for another SRS"
        } else {
            ""
        },
        if store.write {
            format!("; cached in {}", store.dir().display())
        } else {
            String::new()
        }
    ));
    let keys = match sizing {
        Some(sizing) => FoldedKeys::generate_sized(sizing, commit)?,
        None => FoldedKeys::generate(commit, spec, num_chunks)?,
    };
    let cached = if store.write {
        let bytes = ivc_file(&keys, digest, num_chunks)?;
        std::fs::create_dir_all(store.dir()).map_err(|source| Error::Write {
            path: store.dir().to_path_buf(),
            source,
        })?;
        crate::files::write(&path, &bytes)?;
        Some(path)
    } else {
        None
    };
    Ok((keys, KeySource::Derived { cached }))
}

/// The IVC key file's bytes (see the [module docs](self)).
fn ivc_file(keys: &FoldedKeys, digest: Fr, num_chunks: u64) -> Result<Vec<u8>, Error> {
    let key = keys.to_bytes()?;
    let mut out = envelope(FileKind::IvcKeys);
    // Writing into a Vec cannot fail.
    let _ = digest.serialize_compressed(&mut out);
    out.extend_from_slice(&num_chunks.to_le_bytes());
    out.push(keys.key.primary_key_len().trailing_zeros() as u8);
    out.extend_from_slice(&keys.setup.to_bytes());
    out.extend_from_slice(&Sha256::digest(&key));
    out.extend(key);
    Ok(out)
}

/// What an IVC key file holds.
enum IvcFile {
    /// The keys asked for.
    Keys(Box<FoldedKeys>),
    /// The keys of this spec and dataset size, for another commitment setup.
    OtherSetup,
}

/// The power of Nova's primary commitment key recorded in the header of the IVC key
/// file `path` (reading only the header), if the file exists and holds the keys of runs
/// with fold digest `digest` over `num_chunks` chunks.
fn read_ivc_power(path: &Path, digest: Fr, num_chunks: u64) -> Result<Option<u32>, Error> {
    use std::io::Read;
    const LEN: usize = zkpot_core::io::ENVELOPE_LEN + 32 + 8 + 1;
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(Error::Read {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    let mut header = [0u8; LEN];
    if file.read_exact(&mut header).is_err() {
        return Ok(None);
    }
    let Ok((_, payload)) = open_envelope_of(&header, &[FileKind::IvcKeys], "IVC keys") else {
        return Ok(None);
    };
    match ivc_header(payload) {
        Some((file_digest, chunks, power, _)) if file_digest == digest && chunks == num_chunks => {
            Ok(Some(u32::from(power)))
        }
        _ => Ok(None),
    }
}

/// The fixed part of an IVC key file's header after the envelope: the fold digest, the
/// chunk count and the primary key's power, and what follows them.
fn ivc_header(payload: &[u8]) -> Option<(Fr, u64, u8, &[u8])> {
    let mut rest = payload;
    let digest = Fr::deserialize_compressed(&mut rest).ok()?;
    let (chunks, rest) = rest.split_first_chunk::<8>()?;
    let (power, rest) = rest.split_first()?;
    Some((digest, u64::from_le_bytes(*chunks), *power, rest))
}

/// Reads an IVC key file, checking it is the one asked for.
fn read_ivc_file(
    path: &Path,
    bytes: &[u8],
    spec: &TrainSpec,
    digest: Fr,
    num_chunks: u64,
    commit: &SchemeKey,
) -> Result<IvcFile, Error> {
    let bad = |reason| Error::KeyFile {
        path: path.to_path_buf(),
        reason,
    };
    let (_, payload) = open_envelope_of(bytes, &[FileKind::IvcKeys], "IVC keys")
        .map_err(|e| Error::from(e).in_file(path))?;
    let (file_digest, chunks, _, mut rest) =
        ivc_header(payload).ok_or(bad("the header is truncated or does not decode"))?;
    let setup = Setup::read(&mut rest).ok_or(bad("the header's setup does not decode"))?;
    let (hash, key) = rest
        .split_first_chunk::<32>()
        .ok_or(bad("the header is truncated"))?;
    if file_digest != digest || chunks != num_chunks {
        return Err(bad("it holds the keys of another spec or dataset size"));
    }
    if setup != commit.setup() {
        return Ok(IvcFile::OtherSetup);
    }
    if Sha256::digest(key).as_slice() != hash {
        return Err(bad("its hash does not match (the file is damaged)"));
    }
    match FoldedKeys::from_bytes(spec, num_chunks, commit, key) {
        Ok(keys) => Ok(IvcFile::Keys(Box::new(keys))),
        Err(zkpot_folding::Error::KeysSetup { .. }) => Err(bad(
            "Nova's primary commitment key is not the one its setup gives",
        )),
        Err(_) => Err(bad("the IVC key does not decode")),
    }
}
