//! The claim accumulator: one evaluation claim `(C_acc, r_acc, v_acc)` that stands for
//! every claim folded into it, opened once, at the very end.
//!
//! Folding claims into the accumulator is one [aggregation](crate::aggregate) of the
//! list `[accumulator claim, claims...]`. The accumulator's claim comes first, so its
//! commitment gets the coefficient `b_0 = 1`: the new commitment is
//! `C_acc' = C_acc + sum_j b_j C_j` over the folded claims' distinct commitments, **one
//! `G1` scalar multiplication (by a 128-bit challenge) per folded commitment** (claims on
//! a commitment equal to `C_acc` cost nothing). In the IVC step circuit these scalar
//! multiplications are the CycleFold instances.
//!
//! * [`Accumulator`] is the public part (the claim), and its verifier side:
//!   [`Accumulator::verify_fold`] and [`Accumulator::verify_open`].
//! * [`AccumulatorProver`] also holds the opening of the claim (table and blind), which is
//!   never sent.
//!
//! The empty accumulator over `num_vars` variables is the claim "the identity commitment
//! evaluates to 0 at the zero point", which the zero table with blind 0 opens. Its point
//! length is `num_vars`; a fold with longer points lengthens it to the longest point (so
//! an IVC with a fixed-size state starts from the largest `num_vars` it will fold).
//!
//! # Masking
//!
//! A run starts its accumulator from a [`Mask`] instead: a hiding commitment to a
//! uniformly random table `g` of `2^num_vars` entries and its value at a point derived
//! from the commitment ([`Mask::point`]). Its claim is folded with coefficient 1 into every
//! later accumulator, so the accumulator's table is always `g` plus a combination of the
//! folded tables, and its public value `v_acc` carries the uniform term `g~(r_acc)`: it
//! says nothing about the folded tables. A mask is an ordinary claim for soundness (a
//! false one makes the final opening fail like any false claim).
//! Folding order does not matter for validity: folding `A` then `B` and `B` then `A`
//! give different accumulators, both true.
//!
//! # Transcript order
//!
//! * fold: exactly that of
//!   [`Aggregatable::aggregate`] on
//!   `[acc.claim] ++ claims` (see [`crate::aggregate`]); the bound fold
//!   ([`AccumulatorProver::fold_bound`]) absorbs only `acc.claim` of them.
//! * open: `absorb_bytes(b"zkpot-accumulator-open")`, the accumulator's claim
//!   ([`CommittedClaim::absorb_into`]), then the scheme's evaluation proof at `r_acc` ([`CommitmentScheme::open`]; for
//!   Pedersen + IPA the inner-product argument of [`crate::ipa::prove_eval`]).

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod constraints;

use ark_ff::Zero;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use ark_std::{rand::RngCore, UniformRand};
use zkpot_core::{mle::evaluate_slice, Backend, Fr, PoseidonTranscript, Transcript};

use crate::{
    aggregate::{
        hiding::{aggregate_hiding, verify_aggregate_hiding, HidingAggregationProof},
        AggregationProof,
    },
    error::PcsError,
    ipa::IpaProof,
    pedersen::{Commitment, Opening},
    traits::{Aggregatable, CommitKey, CommitmentScheme, CommittedClaim},
};

/// The label absorbed before the accumulator's final opening.
pub const OPEN_LABEL: &[u8] = b"zkpot-accumulator-open";

/// The label of the transcript a mask's point is drawn from ([`Mask::point`]).
pub const MASK_LABEL: &[u8] = b"zkpot-accumulator-mask";

/// A masking claim: a hiding commitment to a uniformly random table and the table's value
/// at [`Mask::point`] of the commitment. What it reveals: the commitment (hiding) and one
/// evaluation of a uniform table (a uniform value).
#[derive(Clone, Copy, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct Mask {
    /// The hiding commitment to the random table.
    pub commitment: Commitment,
    /// The table's value at [`Mask::point`].
    pub value: Fr,
}

impl Mask {
    /// The point of a mask committed in `commitment`, over `num_vars` variables: the
    /// challenges of a fresh transcript that absorbs [`MASK_LABEL`], `num_vars` and the
    /// commitment.
    pub fn point(commitment: &Commitment, num_vars: usize) -> Vec<Fr> {
        let mut t = PoseidonTranscript::new(MASK_LABEL);
        t.absorb_u64(num_vars as u64);
        t.absorb_point(&commitment.0);
        t.challenges(num_vars)
    }

    /// The mask's claim over `num_vars` variables: `(commitment, point, value)`.
    pub fn claim(&self, num_vars: usize) -> CommittedClaim {
        CommittedClaim::new(
            self.commitment,
            Mask::point(&self.commitment, num_vars),
            self.value,
        )
    }

    /// Samples a mask over `num_vars` variables: a uniformly random table of `2^num_vars`
    /// entries committed with `key` and a uniformly random blind. Returns the mask and its
    /// opening (keep it private).
    pub fn sample<K: CommitKey + ?Sized, B: Backend, R: RngCore + ?Sized>(
        key: &K,
        backend: &B,
        num_vars: usize,
        rng: &mut R,
    ) -> Result<(Mask, Opening), PcsError> {
        let needed = table_len(num_vars);
        let len = needed
            .filter(|&len| len <= key.max_len())
            .ok_or(PcsError::KeyTooShort {
                needed: needed.unwrap_or(usize::MAX),
                available: key.max_len(),
            })?;
        let table: Vec<Fr> = (0..len).map(|_| Fr::rand(rng)).collect();
        let blind = Fr::rand(rng);
        let commitment = key.commit(backend, &table, blind)?;
        let point = Mask::point(&commitment, num_vars);
        let value = evaluate_slice(&table, &point).map_err(|_| PcsError::PointLengthMismatch {
            table_len: len,
            point_len: point.len(),
        })?;
        Ok((Mask { commitment, value }, Opening { table, blind }))
    }
}

/// The public accumulator: one claim standing for every claim folded into it.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct Accumulator {
    /// `(C_acc, r_acc, v_acc)`.
    pub claim: CommittedClaim,
}

/// The proof of one fold: the aggregation of `[acc.claim] ++ claims`.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct FoldProof {
    /// The aggregation proof; the new accumulator is its output claim.
    pub aggregation: AggregationProof,
}

/// The proof that the accumulator's claim holds: the scheme's evaluation proof at
/// `r_acc` for the public value `v_acc` (so no value is sent); for
/// [`PedersenIpa`](crate::pedersen::PedersenIpa) an inner-product argument.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct OpenProof<P: CanonicalSerialize + CanonicalDeserialize = IpaProof> {
    /// The evaluation proof of `C_acc` at `r_acc`.
    pub eval: P,
}

impl Accumulator {
    /// The empty accumulator over `num_vars` variables: the identity commitment, the zero
    /// point, value 0 (trivially true: the zero table with blind 0 opens it).
    pub fn empty(num_vars: usize) -> Self {
        Accumulator {
            claim: CommittedClaim::new(
                Commitment::identity(),
                vec![Fr::zero(); num_vars],
                Fr::zero(),
            ),
        }
    }

    /// The accumulator that starts from `mask` ([`Mask::claim`] over `num_vars`
    /// variables).
    pub fn start(mask: &Mask, num_vars: usize) -> Self {
        Accumulator {
            claim: mask.claim(num_vars),
        }
    }

    /// Verifies that `proof` folds `claims` into this accumulator and returns the new
    /// accumulator. If the new accumulator is true then (except with negligible
    /// probability) so are this one and every claim.
    pub fn verify_fold<S: Aggregatable, T: Transcript>(
        &self,
        claims: &[CommittedClaim],
        proof: &FoldProof,
        transcript: &mut T,
    ) -> Result<Accumulator, PcsError> {
        self.verify_fold_with::<S, T>(claims, proof, claims.len() + 1, transcript)
    }

    /// [`Accumulator::verify_fold`] for claims the caller's transcript already binds:
    /// only the accumulator's own claim is absorbed
    /// ([`Aggregatable::verify_aggregate_bound`] with one absorbed claim). Sound only when the
    /// transcript has absorbed everything `claims` are computed from (the step circuit
    /// continues the step proof's transcript).
    pub fn verify_fold_bound<S: Aggregatable, T: Transcript>(
        &self,
        claims: &[CommittedClaim],
        proof: &FoldProof,
        transcript: &mut T,
    ) -> Result<Accumulator, PcsError> {
        self.verify_fold_with::<S, T>(claims, proof, 1, transcript)
    }

    /// Verifies a hiding fold ([`crate::aggregate::hiding`]): `claims` folded into this
    /// accumulator with `links` (pairs of indices into `claims` whose values are not sent:
    /// those claims are stated with value 0) and no per-table evaluation. Returns the new
    /// accumulator, whose opening checks the fold.
    pub fn verify_fold_hiding<T: Transcript>(
        &self,
        claims: &[CommittedClaim],
        links: &[(usize, usize)],
        proof: &HidingAggregationProof,
        transcript: &mut T,
    ) -> Result<Accumulator, PcsError> {
        let all = self.with_claims(claims);
        let links = shift_links(links);
        let claim = verify_aggregate_hiding(&all, &links, proof, transcript)?;
        Ok(Accumulator { claim })
    }

    /// The aggregation of `[self.claim] ++ claims`, absorbing the first `absorbed`.
    fn verify_fold_with<S: Aggregatable, T: Transcript>(
        &self,
        claims: &[CommittedClaim],
        proof: &FoldProof,
        absorbed: usize,
        transcript: &mut T,
    ) -> Result<Accumulator, PcsError> {
        let all = self.with_claims(claims);
        let claim = S::verify_aggregate_bound(&all, &proof.aggregation, absorbed, transcript)?;
        Ok(Accumulator { claim })
    }

    /// Verifies the final opening: the table committed in `C_acc` evaluates to `v_acc`
    /// at `r_acc`.
    pub fn verify_open<S: CommitmentScheme<Commitment = Commitment>, T: Transcript>(
        &self,
        key: &S::VerifierKey,
        proof: &OpenProof<S::EvalProof>,
        transcript: &mut T,
    ) -> Result<(), PcsError> {
        self.absorb_open(transcript);
        S::verify(
            key,
            &self.claim.commitment,
            &self.claim.claim.point,
            self.claim.claim.value,
            &proof.eval,
            transcript,
        )
    }

    /// `[self.claim] ++ claims`: the accumulator first, so its coefficient is 1.
    fn with_claims(&self, claims: &[CommittedClaim]) -> Vec<CommittedClaim> {
        std::iter::once(&self.claim)
            .chain(claims)
            .cloned()
            .collect()
    }

    fn absorb_open<T: Transcript>(&self, transcript: &mut T) {
        transcript.absorb_bytes(OPEN_LABEL);
        self.claim.absorb_into(transcript);
    }
}

/// `2^num_vars`, if it fits in a `usize`.
fn table_len(num_vars: usize) -> Option<usize> {
    u32::try_from(num_vars)
        .ok()
        .and_then(|n| 1usize.checked_shl(n))
}

/// Links into `claims` as links into `[acc] ++ claims` (saturating: an out-of-range
/// index stays out of range).
fn shift_links(links: &[(usize, usize)]) -> Vec<(usize, usize)> {
    links
        .iter()
        .map(|&(i, l)| (i.saturating_add(1), l.saturating_add(1)))
        .collect()
}

/// The prover's accumulator: the public [`Accumulator`] and its opening (never sent).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccumulatorProver {
    accumulator: Accumulator,
    opening: Opening,
}

impl AccumulatorProver {
    /// The empty accumulator over `num_vars` variables ([`Accumulator::empty`]) with its
    /// opening, the zero table of `2^num_vars` entries and blind 0.
    ///
    /// # Panics
    ///
    /// If `2^num_vars` does not fit in a `usize`, or that many entries not in memory.
    // Prover-only (no proof bytes reach it): the panic is its documented contract, and
    // the callers that size the accumulator from a checked shape rely on this signature.
    #[allow(clippy::expect_used)]
    pub fn new(num_vars: usize) -> Self {
        let len = table_len(num_vars).expect("2^num_vars must fit in a usize");
        AccumulatorProver {
            accumulator: Accumulator::empty(num_vars),
            opening: Opening {
                table: vec![Fr::zero(); len],
                blind: Fr::zero(),
            },
        }
    }

    /// The accumulator that starts from a freshly sampled mask ([`Mask::sample`] with
    /// `key`, [`Accumulator::start`]); returns it and the mask, which the statement
    /// publishes.
    pub fn masked<K: CommitKey + ?Sized, B: Backend, R: RngCore + ?Sized>(
        key: &K,
        backend: &B,
        num_vars: usize,
        rng: &mut R,
    ) -> Result<(Self, Mask), PcsError> {
        let (mask, opening) = Mask::sample(key, backend, num_vars, rng)?;
        let prover = AccumulatorProver {
            accumulator: Accumulator::start(&mask, num_vars),
            opening,
        };
        Ok((prover, mask))
    }

    /// An accumulator and its opening, as [`AccumulatorProver::accumulator`] and
    /// [`AccumulatorProver::opening`] gave them (a resumed checkpoint). Errors unless the
    /// opening's table has `2^r_acc.len()` entries; whether it opens the accumulator is
    /// the final opening's to check.
    pub fn from_parts(accumulator: Accumulator, opening: Opening) -> Result<Self, PcsError> {
        let len = opening.table.len();
        if !len.is_power_of_two()
            || len.trailing_zeros() as usize != accumulator.claim.claim.point.len()
        {
            return Err(PcsError::PointLengthMismatch {
                table_len: len,
                point_len: accumulator.claim.claim.point.len(),
            });
        }
        Ok(AccumulatorProver {
            accumulator,
            opening,
        })
    }

    /// The public accumulator.
    pub fn accumulator(&self) -> &Accumulator {
        &self.accumulator
    }

    /// The accumulator's opening (its table has `2^r_acc.len()` entries).
    pub fn opening(&self) -> &Opening {
        &self.opening
    }

    /// Folds `claims` (with their `openings`, one per claim) into the accumulator and
    /// returns the proof of the fold. On an error the accumulator is unchanged.
    pub fn fold<S: Aggregatable, B: Backend, T: Transcript>(
        &mut self,
        backend: &B,
        claims: &[CommittedClaim],
        openings: &[&Opening],
        transcript: &mut T,
    ) -> Result<FoldProof, PcsError> {
        self.fold_with::<S, B, T>(backend, claims, openings, claims.len() + 1, transcript)
    }

    fn fold_with<S: Aggregatable, B: Backend, T: Transcript>(
        &mut self,
        backend: &B,
        claims: &[CommittedClaim],
        openings: &[&Opening],
        absorbed: usize,
        transcript: &mut T,
    ) -> Result<FoldProof, PcsError> {
        let (all, all_openings) = self.with_openings(claims, openings)?;
        let (claim, opening, aggregation) =
            S::aggregate_bound(backend, &all, &all_openings, absorbed, transcript)?;
        self.accumulator = Accumulator { claim };
        self.opening = opening;
        Ok(FoldProof { aggregation })
    }

    /// The prover of [`Accumulator::verify_fold_hiding`]. On an error the accumulator is
    /// unchanged.
    pub fn fold_hiding<T: Transcript>(
        &mut self,
        claims: &[CommittedClaim],
        openings: &[&Opening],
        links: &[(usize, usize)],
        transcript: &mut T,
    ) -> Result<HidingAggregationProof, PcsError> {
        let (all, all_openings) = self.with_openings(claims, openings)?;
        let links = shift_links(links);
        let (claim, opening, proof) = aggregate_hiding(&all, &all_openings, &links, transcript)?;
        self.accumulator = Accumulator { claim };
        self.opening = opening;
        Ok(proof)
    }

    /// `[acc] ++ claims` and their openings, the accumulator's first.
    fn with_openings<'o>(
        &'o self,
        claims: &[CommittedClaim],
        openings: &[&'o Opening],
    ) -> Result<(Vec<CommittedClaim>, Vec<&'o Opening>), PcsError> {
        if openings.len() != claims.len() {
            return Err(PcsError::OpeningCountMismatch {
                claims: claims.len(),
                openings: openings.len(),
            });
        }
        let all = self.accumulator.with_claims(claims);
        let all_openings = std::iter::once(&self.opening)
            .chain(openings.iter().copied())
            .collect();
        Ok((all, all_openings))
    }

    /// [`AccumulatorProver::fold`] for claims the transcript already binds: the prover of
    /// [`Accumulator::verify_fold_bound`].
    pub fn fold_bound<S: Aggregatable, B: Backend, T: Transcript>(
        &mut self,
        backend: &B,
        claims: &[CommittedClaim],
        openings: &[&Opening],
        transcript: &mut T,
    ) -> Result<FoldProof, PcsError> {
        self.fold_with::<S, B, T>(backend, claims, openings, 1, transcript)
    }

    /// Opens the accumulator: an inner-product argument that `C_acc` evaluates to
    /// `v_acc` at `r_acc`, zero-knowledge through `rng`.
    pub fn open<S: CommitmentScheme<Commitment = Commitment, Blind = Fr>, B, T, R>(
        &self,
        key: &S::ProverKey,
        backend: &B,
        transcript: &mut T,
        rng: &mut R,
    ) -> Result<OpenProof<S::EvalProof>, PcsError>
    where
        B: Backend,
        T: Transcript,
        R: RngCore,
    {
        self.accumulator.absorb_open(transcript);
        let claim = &self.accumulator.claim;
        let (value, eval) = S::open(
            key,
            backend,
            &self.opening,
            &claim.commitment,
            &claim.claim.point,
            transcript,
            rng,
        )?;
        if value != claim.claim.value {
            return Err(PcsError::OpeningFailed {
                reason: "the accumulator's table does not evaluate to its value",
            });
        }
        Ok(OpenProof { eval })
    }
}
