//! The running proof of a training run: every fold of the run protocol (`zkpot_run`)
//! verified inside the [`TrainingCircuit`] and folded into one IVC proof, with
//! checkpoints (`DESIGN.md` section 6). The caller trains and hands each fold's
//! witnesses in (the `zkpot` facade owns the training loop).
//!
//! ```text
//! keys   = FoldedKeys::generate(&key, &spec, num_chunks)   // or loaded from the cache
//! prover = Prover::new(&key, &keys, &spec, &train, &initial, backend, rng)
//! prover.prove_fold(&witnesses)?                            // the fold's k iterations
//! prover.checkpoint()                                       // any time; Prover::resume(...)
//! let (statement, proof, wt) = prover.finish()?
//! verify(&key, &keys, &statement, &proof)?
//! ```
//!
//! # What the final proof is, today
//!
//! [`FoldedProof`] is the IVC proof, the fold count and the end of the run
//! ([`FinishProof`]: the tie of the last fold's model to `C_WT` and the accumulator's
//! zero-knowledge opening). Its size and verification time do not depend on the number of
//! iterations, but the IVC proof is sonobe's **uncompressed** one: it carries the running
//! instances' witnesses (megabytes), and it is **not zero-knowledge** (those witnesses
//! contain the step proofs, which reveal evaluations of the committed tables).
//!
//! [`CompressedProof`] (HyperKZG runs) replaces the IVC proof by the decider's proof
//! ([`crate::decider`]: kilobytes, whose messages reveal nothing) and the IVC's final state;
//! [`verify_compressed`] checks it. The end of the run sends no evaluation of a table (the
//! tie is a linked pair of a hiding fold); the accumulator starts from the statement's
//! random mask, so the final state's accumulator value is masked, and the end's fold
//! rounds are masked by it and a second, fresh mask. The [decider's docs](crate::decider)
//! list every field of the compressed proof and its statement with the reason it leaks
//! nothing.
//!
//! # Keys
//!
//! The circuit depends on the spec's shape and the number of data chunks; the IVC keys
//! are derived from it and the run's commitment setup deterministically
//! ([`FoldedKeys::generate`], minutes for MNIST) and serialized with
//! [`FoldedKeys::to_bytes`] / [`FoldedKeys::from_bytes`], so the facade caches them and a
//! verifier never proves anything to obtain them. Key generation synthesizes the circuit
//! once on a fold of the all-zero model on all-zero data ([`dummy_fold`]).
//!
//! Nova's primary commitments (the witness, error and cross-term commitments on BN254)
//! are on the run's scheme ([`crate::ivc::commitment`]): on HyperKZG their bases are the
//! SRS's first [`Sizing::primary_power`] powers and their blinding generator
//! HyperKZG's, so the running `cm_w` and `cm_e` are HyperKZG commitments a decider can
//! open with pairings; on Pedersen they are generators drawn from a ChaCha20 generator
//! seeded with the SHA-256 of [`IVC_SEED_LABEL`] (public, nothing-up-my-sleeve). The
//! CycleFold (Grumpkin) generators come from that seeded generator on both schemes. Each
//! generator is sampled by arkworks' `UniformRand` for curve points, which draws an `x`
//! coordinate from the stream and retries until it lies on the curve (try and
//! increment), never `G * scalar`: a hash to the curve with ChaCha20 as the hash, so
//! nobody knows a discrete-log relation between the generators. The circuit is the same on
//! both schemes; `pp_hash`, which hashes the keys and which every Nova transcript absorbs
//! first, differs, and the keys record the setup they were made for
//! ([`FoldedKeys::setup`]), which the prover and the verifier compare with the run's.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::{Duration, Instant};

use ark_serialize::{
    CanonicalDeserialize, CanonicalSerialize, Compress, SerializationError, Validate,
};
use ark_std::rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use sha2::{Digest, Sha256};
use zkpot_core::{Backend, Fr};
use zkpot_gkr::step::StepShape;
use zkpot_pcs::pedersen::Opening;
use zkpot_pcs::{CommitKey, SchemeKey, SchemeVerifierKey, Setup};
use zkpot_run::{
    dummy_fold, rng_from_state, rng_state, run_shape, verify_finish, ChunkedData, FinishProof,
    FoldReport, RunError, RunProver, RunStatement, VerifyTimings, RNG_STATE_LEN,
};
use zkpot_trainer::{Dataset, Mlp, StepWitness, TrainSpec};

use crate::decider::{DeciderKey, DeciderProof};
use crate::error::{Error, StateField};
use crate::training::{parse_state, TrainingCircuit};
use crate::{
    generate_keys, preprocess, preprocess_kzg, IvcConfig, IvcKey, IvcProof, IvcProver, PrimaryKey,
};

/// The label whose SHA-256 seeds the generator of Nova's Pedersen generators (the
/// CycleFold key always, the primary key on `--pcs pedersen`).
pub const IVC_SEED_LABEL: &[u8] = b"zkpot/folding/nova-pedersen/v1";

/// The training circuit of one (spec, number of chunks) and its IVC key (the prover's
/// and the verifier's: the uncompressed proof's verifier needs the whole key), for one
/// commitment setup.
pub struct FoldedKeys {
    /// The step circuit.
    pub circuit: TrainingCircuit,
    /// The IVC key.
    pub key: IvcKey,
    /// The run's commitment setup the keys were made for: Nova's primary commitments are
    /// on the same scheme (an SRS prefix for HyperKZG).
    pub setup: Setup,
}

impl FoldedKeys {
    /// Derives the circuit and keys for runs of `spec` (resolved) over `num_chunks` data
    /// chunks, with the run's commitment key (see the [module docs](self)). Deterministic:
    /// the verifier derives the same keys. Proves one dummy fold and synthesizes the
    /// circuit: minutes for MNIST; cache the result ([`FoldedKeys::to_bytes`]).
    pub fn generate(key: &SchemeKey, spec: &TrainSpec, num_chunks: u64) -> Result<Self, Error> {
        Self::generate_sized(Sizing::new(key, spec, num_chunks)?, key)
    }

    /// [`FoldedKeys::generate`] from the circuit `sizing` already synthesized, with the
    /// run's commitment key `key` (for HyperKZG a prefix of at least
    /// [`Sizing::primary_power`] powers, else [`Error::SrsTooShort`]).
    pub fn generate_sized(sizing: Sizing, key: &SchemeKey) -> Result<Self, Error> {
        let Sizing { circuit, config } = sizing;
        let rng = seeded_rng();
        let pp = match key {
            SchemeKey::Pedersen(_) => preprocess(&config, rng)?,
            SchemeKey::Kzg(kzg) => preprocess_kzg(&config, kzg, rng)?,
        };
        let (pk, _) = generate_keys(pp, &circuit)?;
        Ok(FoldedKeys {
            circuit: circuit.without_dummy(),
            key: pk,
            setup: key.setup(),
        })
    }

    /// The IVC key's bytes (arkworks uncompressed: loading skips the square roots of
    /// compressed points), for a key cache. The circuit is not stored: it is the spec's.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::with_capacity(self.key.uncompressed_size());
        self.key.serialize_uncompressed(&mut out)?;
        Ok(out)
    }

    /// The keys of runs of `spec` over `num_chunks` chunks with the commitment key `key`
    /// from [`FoldedKeys::to_bytes`]'s bytes, with every point checked. The key must have
    /// been generated for this spec and chunk count: the caller (a key cache) binds the
    /// bytes to them; here the key's state length and number of operations are checked
    /// against the circuit, and Nova's primary commitment key against `key`
    /// ([`Error::KeysSetup`]): for HyperKZG it must be the SRS's prefix and HyperKZG's
    /// blinding generator, for Pedersen its first generator the seeded one.
    pub fn from_bytes(
        spec: &TrainSpec,
        num_chunks: u64,
        key: &SchemeKey,
        bytes: &[u8],
    ) -> Result<Self, Error> {
        let (shape, _) = run_shape(spec)?;
        let circuit = TrainingCircuit::new(shape, num_chunks);
        let mut reader = bytes;
        let ivc = IvcKey::read_checked(&mut reader, Compress::No, Validate::Yes, |primary| {
            check_primary(key, primary)
        })?;
        if !reader.is_empty() {
            return Err(Error::TrailingBytes(reader.len()));
        }
        ivc.check_circuit(&circuit)?;
        Ok(FoldedKeys {
            circuit,
            key: ivc,
            setup: key.setup(),
        })
    }

    /// Errors unless these keys were made for the commitment setup `setup`.
    fn check_setup(&self, setup: &Setup) -> Result<(), Error> {
        if self.setup != *setup {
            return Err(Error::KeysSetup {
                reason: "the run's setup (scheme and key digest) is not the keys'",
            });
        }
        Ok(())
    }

    /// Errors unless these keys are for folds of `shape` over `num_chunks` chunks.
    fn check(&self, shape: &StepShape, num_chunks: u64) -> Result<(), Error> {
        if self.circuit.shape() != shape || self.circuit.num_chunks() != num_chunks {
            return Err(Error::KeysMismatch {
                num_chunks,
                key_num_chunks: self.circuit.num_chunks(),
            });
        }
        Ok(())
    }
}

/// The training circuit of one (spec, number of chunks) synthesized on a dummy fold, and
/// the size of its augmented circuit: what key generation starts from, and what says how
/// many SRS powers Nova's primary commitments take ([`Sizing::primary_power`]) before the
/// run's HyperKZG prefix is chosen.
pub struct Sizing {
    circuit: TrainingCircuit,
    config: IvcConfig,
}

impl Sizing {
    /// Proves one dummy fold of runs of `spec` over `num_chunks` chunks with `key` (any
    /// run key of the shape: the circuit does not depend on it) and synthesizes the
    /// augmented circuit.
    pub fn new<K: CommitKey + ?Sized>(
        key: &K,
        spec: &TrainSpec,
        num_chunks: u64,
    ) -> Result<Self, Error> {
        let (shape, _) = run_shape(spec)?;
        let dummy = dummy_fold(key, spec, num_chunks)?;
        let circuit = TrainingCircuit::for_keys(shape, num_chunks, dummy);
        let config = IvcConfig::for_circuit(&circuit)?;
        Ok(Sizing { circuit, config })
    }

    /// The power of two of Nova's primary commitment key (the augmented circuit's
    /// constraints or witnesses, rounded up): a HyperKZG run's SRS prefix must have at
    /// least as many powers.
    pub fn primary_power(&self) -> u32 {
        self.config.primary_key_len.trailing_zeros()
    }
}

/// The generator Nova's Pedersen generators are drawn from: ChaCha20 seeded with the
/// SHA-256 of [`IVC_SEED_LABEL`].
fn seeded_rng() -> ChaCha20Rng {
    ChaCha20Rng::from_seed(Sha256::digest(IVC_SEED_LABEL).into())
}

/// Errors unless `primary` is Nova's primary commitment key for `key`'s scheme: the SRS
/// prefix and HyperKZG's blinding generator, or (Pedersen) a key whose first generator is
/// the first one [`IVC_SEED_LABEL`]'s generator draws.
fn check_primary(key: &SchemeKey, primary: &PrimaryKey) -> Result<(), Error> {
    let ok = match key {
        SchemeKey::Kzg(kzg) => primary.is_kzg_of(kzg),
        SchemeKey::Pedersen(_) => {
            primary.bases().first() == PrimaryKey::pedersen(1, seeded_rng()).bases().first()
        }
    };
    if ok {
        Ok(())
    } else {
        Err(Error::KeysSetup {
            reason: "Nova's primary commitment key is not the one the scheme gives",
        })
    }
}

/// The final proof of a folded run (see the [module docs](self): constant size, but
/// megabytes and not zero-knowledge until the decider exists).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoldedProof {
    /// The IVC proof after every fold (its final state holds `C_last` and the
    /// accumulator).
    pub ivc: IvcProof,
    /// The tie of the last fold to `C_WT` and the accumulator's opening.
    pub finish: FinishProof,
}

impl FoldedProof {
    /// The encoding: the finish proof (arkworks compressed), then the IVC proof's bytes
    /// ([`IvcProof::to_bytes`]), `u64` length-prefixed.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        self.finish.serialize_compressed(&mut out)?;
        let ivc = self.ivc.to_bytes()?;
        out.extend_from_slice(&(ivc.len() as u64).to_le_bytes());
        out.extend(ivc);
        Ok(out)
    }

    /// Decodes [`FoldedProof::to_bytes`] from the front of `reader`, advancing it; any
    /// malformed input is an error, never a panic.
    pub fn read(reader: &mut &[u8]) -> Result<Self, Error> {
        let finish =
            FinishProof::deserialize_with_mode(&mut *reader, Compress::Yes, Validate::Yes)?;
        let ivc = take(reader).ok_or(Error::Truncated {
            what: "the folded proof's IVC proof",
        })?;
        let ivc = IvcProof::from_bytes(ivc)?;
        Ok(FoldedProof { ivc, finish })
    }

    /// The number of folds the IVC proof covers.
    pub fn folds(&self) -> u64 {
        self.ivc.num_steps()
    }
}

/// Verifies a folded run proof against its statement: the IVC proof from the state the
/// statement fixes (`C_W0`, `C_data`, the spec's fold digest) over `T / k` folds, its final
/// state (same digest and root, `C_last`, the accumulator), then the tie to `C_WT` and the
/// accumulator's opening ([`verify_finish`]). `keys` must be [`FoldedKeys::generate`]'s
/// for the statement's spec and chunk count. Never panics on malformed input.
pub fn verify(
    key: &SchemeVerifierKey,
    keys: &FoldedKeys,
    statement: &RunStatement,
    proof: &FoldedProof,
) -> Result<(), Error> {
    verify_timed(key, keys, statement, proof).map(|_| ())
}

/// [`verify`], returning where the time went (the IVC proof and its final state; the
/// tie and the opening).
pub fn verify_timed(
    key: &SchemeVerifierKey,
    keys: &FoldedKeys,
    statement: &RunStatement,
    proof: &FoldedProof,
) -> Result<VerifyTimings, Error> {
    let start = Instant::now();
    let (shape, digest) = run_shape(&statement.spec)?;
    keys.check(&shape, statement.data.num_chunks)?;
    keys.check_setup(&statement.setup)?;
    let circuit = &keys.circuit;
    let folds = check_folds(statement, proof.folds())?;
    let z0 = circuit.initial_state(digest, &statement.data, &statement.w0, &statement.mask);
    let zn = proof.ivc.current_state();
    crate::verify(&keys.key, folds, &z0, zn, &proof.ivc)?;
    let (last, acc) = check_final_state(statement, circuit, digest, folds, zn)?;
    let ivc = start.elapsed();
    let start = Instant::now();
    verify_finish(key, statement, folds, last, &acc, &proof.finish)?;
    Ok(VerifyTimings {
        folds: ivc,
        finish: start.elapsed(),
    })
}

/// Errors unless a proof of `folds` folds is what `statement` needs; returns the count.
fn check_folds(statement: &RunStatement, folds: u64) -> Result<u64, Error> {
    if folds != statement.folds() {
        return Err(RunError::FoldCount {
            expected: statement.folds(),
            got: folds,
            iterations: statement.iterations(),
        }
        .into());
    }
    Ok(folds)
}

/// Checks the IVC's final state `zn` against the statement (the fold digest, the `C_data`
/// root, the chunk index after `folds` folds) and returns `C_last` and the accumulator.
fn check_final_state(
    statement: &RunStatement,
    circuit: &TrainingCircuit,
    digest: Fr,
    folds: u64,
    zn: &[Fr],
) -> Result<(zkpot_pcs::Commitment, zkpot_pcs::accumulator::Accumulator), Error> {
    let state = |field| Error::FinalState { field };
    let (d, root, chunk, last, acc) =
        parse_state(zn, circuit.acc_vars()).ok_or(state(StateField::Encoding))?;
    if d != digest {
        return Err(state(StateField::Digest));
    }
    if root != statement.data.root {
        return Err(state(StateField::DataRoot));
    }
    if chunk != Fr::from(folds % statement.data.num_chunks.max(1)) {
        return Err(state(StateField::ChunkIndex));
    }
    Ok((last, acc))
}

/// The compressed final proof of a folded HyperKZG run: the decider's proof that the IVC
/// reaches the final state `state` (see [`crate::decider`] for the protocol, what each
/// field hides and what is not built yet), and the end of the run. Its size does not
/// depend on the number of folds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompressedProof {
    /// The number of folds.
    pub folds: u64,
    /// The IVC's final state: the fold digest, the `C_data` root, the next chunk index,
    /// `C_last` and the accumulator.
    pub state: Vec<Fr>,
    /// The decider's proof.
    pub decider: DeciderProof,
    /// The tie of the last fold to `C_WT` and the accumulator's opening.
    pub finish: FinishProof,
}

impl CompressedProof {
    /// Compresses a folded proof made with `keys` on a HyperKZG run of key `kzg`: the
    /// decider (`decider` is [`DeciderKey::new`] of `keys.key`) replaces the IVC proof.
    pub fn compress<B: Backend>(
        folded: &FoldedProof,
        keys: &FoldedKeys,
        decider: &DeciderKey,
        kzg: &zkpot_pcs::KzgKey,
        backend: &B,
        rng: &mut impl RngCore,
    ) -> Result<Self, Error> {
        let ivc = &folded.ivc;
        let proof = crate::decider::prove(decider, &keys.key, kzg, backend, ivc, rng)?;
        Ok(CompressedProof {
            folds: ivc.num_steps(),
            state: ivc.current_state().to_vec(),
            decider: proof,
            finish: folded.finish.clone(),
        })
    }

    /// The encoding (arkworks compressed): the fold count, the state, the decider's proof,
    /// the finish proof.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        self.folds.serialize_compressed(&mut out)?;
        self.state.serialize_compressed(&mut out)?;
        self.decider.serialize_compressed(&mut out)?;
        self.finish.serialize_compressed(&mut out)?;
        Ok(out)
    }

    /// Decodes [`CompressedProof::to_bytes`] from the front of `reader`, advancing it,
    /// with every point checked; any malformed input is an error, never a panic. The
    /// state's length is bounded by `max_state` before it is allocated.
    pub fn read(reader: &mut &[u8], max_state: usize) -> Result<Self, Error> {
        Self::read_parts(reader, max_state).map_err(|e| match e {
            Error::Serialization(SerializationError::IoError(io))
                if io.kind() == std::io::ErrorKind::UnexpectedEof =>
            {
                Error::Truncated {
                    what: "the compressed proof",
                }
            }
            e => e,
        })
    }

    fn read_parts(reader: &mut &[u8], max_state: usize) -> Result<Self, Error> {
        let folds = u64::deserialize_compressed(&mut *reader)?;
        let len = u64::deserialize_compressed(&mut *reader)?;
        if len > max_state as u64 {
            return Err(Error::MalformedProof {
                what: "the final state",
                expected: max_state,
                got: usize::try_from(len).unwrap_or(usize::MAX),
            });
        }
        let state = (0..len)
            .map(|_| Fr::deserialize_compressed(&mut *reader))
            .collect::<Result<Vec<_>, _>>()?;
        let decider =
            DeciderProof::deserialize_with_mode(&mut *reader, Compress::Yes, Validate::Yes)?;
        let finish =
            FinishProof::deserialize_with_mode(&mut *reader, Compress::Yes, Validate::Yes)?;
        Ok(CompressedProof {
            folds,
            state,
            decider,
            finish,
        })
    }
}

/// Verifies a compressed proof against its statement: the decider's proof that the IVC
/// reaches the proof's final state from the state the statement fixes in `T / k` folds,
/// that final state against the statement, then the tie to `C_WT` and the accumulator's
/// opening. `decider` must be [`DeciderKey::new`] of the keys of the statement's spec and
/// chunk count (its `pp_hash` binds them: another circuit's key rejects). Never panics on
/// malformed input.
pub fn verify_compressed(
    key: &SchemeVerifierKey,
    decider: &DeciderKey,
    statement: &RunStatement,
    proof: &CompressedProof,
) -> Result<VerifyTimings, Error> {
    let start = Instant::now();
    let SchemeVerifierKey::Kzg(kzg) = key else {
        return Err(Error::DeciderShape {
            reason: "the compressed proof is for HyperKZG runs",
        });
    };
    let (shape, digest) = run_shape(&statement.spec)?;
    let circuit = TrainingCircuit::new(shape, statement.data.num_chunks);
    let folds = check_folds(statement, proof.folds)?;
    let z0 = circuit.initial_state(digest, &statement.data, &statement.w0, &statement.mask);
    crate::decider::verify(decider, kzg, folds, &z0, &proof.state, &proof.decider)?;
    let (last, acc) = check_final_state(statement, &circuit, digest, folds, &proof.state)?;
    let ivc = start.elapsed();
    let start = Instant::now();
    verify_finish(key, statement, folds, last, &acc, &proof.finish)?;
    Ok(VerifyTimings {
        folds: ivc,
        finish: start.elapsed(),
    })
}

/// What one [`Prover::prove_fold`] took.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FoldedReport {
    /// The run proof's part: the step proof, the chunk check, the accumulator fold.
    pub run: FoldReport,
    /// The IVC step (synthesizing the training circuit and folding it).
    pub ivc: Duration,
}

/// The prover of a folded run (see the [module docs](self)): it proves and folds the
/// `k` iterations of each [`Prover::prove_fold`], whose witnesses the caller trains.
pub struct Prover<'a, B: Backend> {
    keys: &'a FoldedKeys,
    run: RunProver<'a, B>,
    ivc: Option<IvcProof>,
    rng: ChaCha20Rng,
}

impl<'a, B: Backend> Prover<'a, B> {
    /// Starts a run of `spec` (resolved, `T` a multiple of `k`) on the training set
    /// `data` from the model `initial`, with the run's commitment key and the keys of
    /// [`FoldedKeys::generate`] for this spec and dataset, computing on `backend`.
    /// Commits to the dataset (`C_data`) and to the model (`C_W0`); blinds come from
    /// `rng`.
    pub fn new<R: RngCore>(
        key: &'a SchemeKey,
        keys: &'a FoldedKeys,
        spec: &TrainSpec,
        data: &Dataset,
        initial: &Mlp,
        backend: B,
        rng: &mut R,
    ) -> Result<Self, Error> {
        let chunks = ChunkedData::commit(key, &backend, spec, data, rng, &mut |_, _| {})?;
        let run = RunProver::new(key, backend, spec, chunks, initial, rng)?;
        let rng = ChaCha20Rng::from_rng(rng).map_err(|_| RunError::Randomness)?;
        keys.check(run.shape(), run.data().num_chunks() as u64)?;
        keys.check_setup(&key.setup())?;
        Ok(Prover {
            keys,
            run,
            ivc: None,
            rng,
        })
    }

    /// Folds proven so far.
    pub fn folds_done(&self) -> u64 {
        self.run.folds_done()
    }

    /// Folds in the whole run.
    pub fn total_folds(&self) -> u64 {
        self.run.total_folds()
    }

    /// The model the next fold starts from.
    pub fn model(&self) -> &Mlp {
        self.run.model()
    }

    /// The run's resolved spec.
    pub fn spec(&self) -> &TrainSpec {
        self.run.spec()
    }

    /// The run prover (its commitments, shape and data).
    pub fn run(&self) -> &RunProver<'a, B> {
        &self.run
    }

    /// Proves the next fold from its `k` witnesses (iterations `k j ..` of the run, from
    /// the model it is at) and folds the proof into the running IVC proof. On an error the
    /// prover may be left mid-fold: resume from the last checkpoint.
    pub fn prove_fold(&mut self, steps: &[StepWitness]) -> Result<FoldedReport, Error> {
        let run = self.run.prove_fold(steps)?;
        let record = self
            .run
            .take_folds()
            .pop()
            .ok_or(RunError::AllFoldsProven)?;
        let ivc_start = Instant::now();
        let circuit = &self.keys.circuit;
        let mut prover = match self.ivc.take() {
            Some(parts) => IvcProver::from_parts(&self.keys.key, circuit, parts)?,
            None => {
                let digest = self.run.digest();
                let z0 = circuit.initial_state(
                    digest,
                    &self.run.data().commitment(),
                    &self.run.w0(),
                    self.run.mask(),
                );
                IvcProver::new(&self.keys.key, circuit, z0)?
            }
        };
        prover.prove_step(record, &mut self.rng)?;
        self.ivc = Some(prover.into_parts());
        Ok(FoldedReport {
            run,
            ivc: ivc_start.elapsed(),
        })
    }

    /// Everything needed to continue the run, as bytes (the facade wraps them in its
    /// file envelope and writes them atomically): the run prover's state
    /// ([`RunProver::save`]), the IVC proof so far and the folding generator's state. Holds
    /// secrets (the data's blinds, the model): keep it private.
    pub fn checkpoint(&self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        put(&mut out, &self.run.save());
        let ivc = match &self.ivc {
            Some(p) => p.to_bytes()?,
            None => Vec::new(),
        };
        put(&mut out, &ivc);
        out.extend_from_slice(&rng_state(&self.rng));
        Ok(out)
    }

    /// Continues a checkpointed run ([`Prover::checkpoint`]'s bytes) on the same training
    /// set `data` with the same keys, on `backend`, optionally extended to `iterations` in
    /// all (a multiple of `k`, at least what is proven). Another dataset is refused here
    /// ([`RunProver::check_data`]).
    pub fn resume(
        key: &'a SchemeKey,
        keys: &'a FoldedKeys,
        checkpoint: &[u8],
        data: &Dataset,
        iterations: Option<u64>,
        backend: B,
    ) -> Result<Self, Error> {
        let mut rest = checkpoint;
        let truncated = Error::Truncated {
            what: "the checkpoint",
        };
        let mut run_bytes = take(&mut rest).ok_or(truncated)?;
        let ivc_bytes = take(&mut rest).ok_or(Error::Truncated {
            what: "the checkpoint's IVC proof",
        })?;
        let rng: &[u8; RNG_STATE_LEN] = rest.try_into().map_err(|_| Error::Truncated {
            what: "the checkpoint's generator state",
        })?;
        let mut run = RunProver::load(key, backend, &mut run_bytes)?;
        if !run_bytes.is_empty() {
            return Err(Error::TrailingBytes(run_bytes.len()));
        }
        if let Some(t) = iterations {
            run.extend_to(t)?;
        }
        keys.check(run.shape(), run.data().num_chunks() as u64)?;
        keys.check_setup(&key.setup())?;
        run.check_data(data)?;
        let done = run.folds_done();
        let ivc = if done == 0 {
            None
        } else {
            let p = IvcProof::from_bytes(ivc_bytes)?;
            if p.num_steps() != done {
                return Err(Error::CheckpointFolds {
                    run: done,
                    ivc: p.num_steps(),
                });
            }
            Some(p)
        };
        Ok(Prover {
            keys,
            run,
            ivc,
            rng: rng_from_state(rng),
        })
    }

    /// Ties the last fold to a fresh `C_WT`, opens the accumulator and returns the
    /// statement, the final proof and the opening of `C_WT` (kept by the trainer).
    pub fn finish(mut self) -> Result<(RunStatement, FoldedProof, Opening), Error> {
        let (statement, finish, wt) = self.run.finish_parts()?;
        let ivc = self.ivc.take().ok_or(RunError::FoldsLeft)?;
        Ok((statement, FoldedProof { ivc, finish }, wt))
    }
}

impl<B: Backend> Prover<'_, B> {
    /// [`Prover::finish`] with the compressed final proof: ties the last fold to a fresh
    /// `C_WT`, opens the accumulator and runs the decider (`decider` is
    /// [`DeciderKey::new`] of these keys). HyperKZG runs only ([`Error::DeciderShape`]
    /// otherwise).
    pub fn finish_compressed(
        mut self,
        decider: &DeciderKey,
    ) -> Result<(RunStatement, CompressedProof, Opening), Error> {
        let SchemeKey::Kzg(kzg) = self.run.key() else {
            return Err(Error::DeciderShape {
                reason: "the compressed proof is for HyperKZG runs",
            });
        };
        let (statement, finish, wt) = self.run.finish_parts()?;
        let ivc = self.ivc.take().ok_or(RunError::FoldsLeft)?;
        let folded = FoldedProof { ivc, finish };
        let compressed = CompressedProof::compress(
            &folded,
            self.keys,
            decider,
            kzg,
            self.run.backend(),
            &mut self.rng,
        )?;
        Ok((statement, compressed, wt))
    }
}

/// Appends `u64`-length-prefixed bytes.
fn put(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    out.extend_from_slice(bytes);
}

/// Takes [`put`]'s bytes from the front of `reader`.
fn take<'b>(reader: &mut &'b [u8]) -> Option<&'b [u8]> {
    let (len, rest) = reader.split_first_chunk::<8>()?;
    let len = usize::try_from(u64::from_le_bytes(*len)).ok()?;
    let (x, rest) = rest.split_at_checked(len)?;
    *reader = rest;
    Some(x)
}
