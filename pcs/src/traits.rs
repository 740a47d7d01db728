//! What a commitment scheme offers the protocols above it (`DESIGN.md` section 5), as two
//! small traits by capability:
//!
//! * [`CommitmentScheme`]: keys, commitments, blinds, evaluation proofs; `commit` (with
//!   the small-integer fast path, and tables given as segments), `open` (zero-knowledge)
//!   and `verify`, which returns `Result<(), PcsError>`, never a `bool`.
//! * [`Aggregatable`]: many evaluation claims on commitments, of any sizes, reduced to
//!   one by a sumcheck. The claim [`Accumulator`](crate::accumulator) folds through it.
//!
//! Commitments of every scheme zkpot uses are `G1` points ([`Commitment`]), additively
//! homomorphic, absorbed into transcripts as four limbs; the in-circuit verifiers rely
//! on that. A claim on a commitment is a [`CommittedClaim`]: the commitment and the one
//! [`Claim`] type of `zkpot-core`.

use std::fmt::Debug;

use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use rand::RngCore;
use zkpot_core::{Backend, Claim, Fr, Transcript};

use crate::{
    aggregate::AggregationProof,
    error::PcsError,
    pedersen::{Commitment, Opening},
};

/// A part of a table to commit to, at an offset: either small non-negative integers
/// (bits, 16-bit limbs: the fast path) or field elements. Entries of the table that no
/// segment covers are zero.
#[derive(Clone, Copy, Debug)]
pub enum Segment<'a> {
    /// Small integers starting at `offset`.
    Small {
        /// The index of the first entry.
        offset: usize,
        /// The entries.
        values: &'a [u64],
    },
    /// Field elements starting at `offset`.
    Field {
        /// The index of the first entry.
        offset: usize,
        /// The entries.
        values: &'a [Fr],
    },
}

impl Segment<'_> {
    /// One past the last entry the segment covers (`None` on overflow).
    pub fn end(&self) -> Option<usize> {
        match self {
            Segment::Small { offset, values } => offset.checked_add(values.len()),
            Segment::Field { offset, values } => offset.checked_add(values.len()),
        }
    }
}

/// A commitment scheme for multilinear tables (in the variable order of
/// [`zkpot_core::mle`]), hiding through a blind, with zero-knowledge evaluation proofs.
pub trait CommitmentScheme {
    /// What the prover commits and opens with.
    type ProverKey;
    /// What the verifier checks evaluation proofs with.
    type VerifierKey;
    /// A commitment to a table.
    type Commitment: Copy + Debug + Eq + CanonicalSerialize + CanonicalDeserialize;
    /// The randomness that makes a commitment hiding (never sent).
    type Blind: Copy + Debug + Eq;
    /// A proof that a committed table takes a value at a point.
    type EvalProof: Clone + Debug + Eq + CanonicalSerialize + CanonicalDeserialize;

    /// The longest table `key` commits to.
    fn max_len(key: &Self::ProverKey) -> usize;

    /// A uniformly random blind: the commitment hides the table.
    fn random_blind<R: RngCore + ?Sized>(rng: &mut R) -> Self::Blind;

    /// Commits to `table` (at most [`CommitmentScheme::max_len`] entries) with `blind`.
    fn commit<B: Backend>(
        key: &Self::ProverKey,
        backend: &B,
        table: &[Fr],
        blind: Self::Blind,
    ) -> Result<Self::Commitment, PcsError> {
        Self::commit_segments(
            key,
            backend,
            &[Segment::Field {
                offset: 0,
                values: table,
            }],
            blind,
        )
    }

    /// Commits to a table of small non-negative integers (bits, 16-bit limbs) through the
    /// backend's small-scalar MSM: the same commitment as [`CommitmentScheme::commit`] of
    /// the same values as field elements, much faster.
    fn commit_small<B: Backend>(
        key: &Self::ProverKey,
        backend: &B,
        values: &[u64],
        blind: Self::Blind,
    ) -> Result<Self::Commitment, PcsError> {
        Self::commit_segments(key, backend, &[Segment::Small { offset: 0, values }], blind)
    }

    /// Commits to the table made of `segments` (zero elsewhere; segments must not
    /// overlap), each through the fast path that fits it: the same commitment as
    /// [`CommitmentScheme::commit`] of the assembled table.
    fn commit_segments<B: Backend>(
        key: &Self::ProverKey,
        backend: &B,
        segments: &[Segment<'_>],
        blind: Self::Blind,
    ) -> Result<Self::Commitment, PcsError>;

    /// Proves, in zero knowledge, that the table of `opening` (which opens `commitment`;
    /// exactly `2^point.len()` entries) takes the returned value at `point`. Absorbs the
    /// statement and the proof into `transcript`; `rng` draws the proof's blinds.
    fn open<B: Backend, T: Transcript, R: RngCore + ?Sized>(
        key: &Self::ProverKey,
        backend: &B,
        opening: &Opening<Self::Blind>,
        commitment: &Self::Commitment,
        point: &[Fr],
        transcript: &mut T,
        rng: &mut R,
    ) -> Result<(Fr, Self::EvalProof), PcsError>;

    /// Checks `proof` that the table committed in `commitment` takes `value` at `point`,
    /// on the same transcript as [`CommitmentScheme::open`]. Never panics.
    fn verify<T: Transcript>(
        key: &Self::VerifierKey,
        commitment: &Self::Commitment,
        point: &[Fr],
        value: Fr,
        proof: &Self::EvalProof,
        transcript: &mut T,
    ) -> Result<(), PcsError>;
}

/// A prover key as a value that commits: what protocols that only commit (the step
/// proof's fold table, a dataset's chunks) take, so that they accept the key of any
/// scheme ([`PedersenKey`](crate::PedersenKey), [`KzgKey`](crate::KzgKey), or the run's
/// [`SchemeKey`](crate::SchemeKey)) without naming the scheme.
pub trait CommitKey: Sync {
    /// The longest table the key commits to.
    fn max_len(&self) -> usize;

    /// [`CommitmentScheme::commit_segments`] with this key.
    fn commit_segments<B: Backend>(
        &self,
        backend: &B,
        segments: &[Segment<'_>],
        blind: Fr,
    ) -> Result<Commitment, PcsError>;

    /// [`CommitmentScheme::commit`] with this key.
    fn commit<B: Backend>(
        &self,
        backend: &B,
        table: &[Fr],
        blind: Fr,
    ) -> Result<Commitment, PcsError> {
        self.commit_segments(
            backend,
            &[Segment::Field {
                offset: 0,
                values: table,
            }],
            blind,
        )
    }

    /// [`CommitmentScheme::commit_small`] with this key.
    fn commit_small<B: Backend>(
        &self,
        backend: &B,
        values: &[u64],
        blind: Fr,
    ) -> Result<Commitment, PcsError> {
        self.commit_segments(backend, &[Segment::Small { offset: 0, values }], blind)
    }
}

/// Implements [`CommitKey`] for a scheme's prover key by its [`CommitmentScheme`].
macro_rules! commit_key {
    ($key:ty, $scheme:ty) => {
        impl CommitKey for $key {
            fn max_len(&self) -> usize {
                <$scheme as CommitmentScheme>::max_len(self)
            }

            fn commit_segments<B: Backend>(
                &self,
                backend: &B,
                segments: &[Segment<'_>],
                blind: Fr,
            ) -> Result<Commitment, PcsError> {
                <$scheme as CommitmentScheme>::commit_segments(self, backend, segments, blind)
            }
        }
    };
}

commit_key!(crate::PedersenKey, crate::PedersenIpa);
commit_key!(crate::KzgKey, crate::HyperKzg);
commit_key!(crate::SchemeKey, crate::AnyScheme);

/// An evaluation claim on a commitment: the table committed in `commitment`
/// (zero-padded to `2^claim.point.len()` entries) takes `claim.value` at `claim.point`.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct CommittedClaim {
    /// The commitment to the table.
    pub commitment: Commitment,
    /// The point and the value.
    pub claim: Claim,
}

impl CommittedClaim {
    /// The claim that the table of `commitment` takes `value` at `point`.
    pub fn new(commitment: Commitment, point: Vec<Fr>, value: Fr) -> Self {
        CommittedClaim {
            commitment,
            claim: Claim { point, value },
        }
    }

    /// Absorbs the claim: the commitment (four elements), `absorb_u64(point.len())`, the
    /// point's coordinates, then the value.
    pub fn absorb_into<T: Transcript>(&self, t: &mut T) {
        self.commitment.absorb_into(t);
        t.absorb_u64(self.claim.point.len() as u64);
        t.absorb_fields(&self.claim.point);
        t.absorb_field(&self.claim.value);
    }
}

/// Reduction of many evaluation claims, on different commitments of any sizes, to one
/// claim by one sumcheck (see [`crate::aggregate`] for the protocol and its transcript
/// order). The protocol uses only the commitments' homomorphism (`G1` points linear in the
/// table and the blind), so both methods have their one implementation as defaults; a
/// scheme whose commitments are not additively homomorphic does not implement the trait.
pub trait Aggregatable: CommitmentScheme<Commitment = Commitment, Blind = Fr> {
    /// Reduces `claims` (with their `openings`: one per claim, in the same order; claims
    /// on one commitment may repeat the opening) to one claim, returning that claim, its
    /// opening (never sent) and the proof. The claims' values are not checked: a false
    /// claim gives a proof the verifier rejects.
    fn aggregate<B: Backend, T: Transcript>(
        backend: &B,
        claims: &[CommittedClaim],
        openings: &[&Opening],
        transcript: &mut T,
    ) -> Result<(CommittedClaim, Opening, AggregationProof), PcsError> {
        Self::aggregate_bound(backend, claims, openings, claims.len(), transcript)
    }

    /// Checks `proof` against `claims` and returns the one claim they reduce to: if it
    /// holds then, except with negligible probability, every input claim holds.
    fn verify_aggregate<T: Transcript>(
        claims: &[CommittedClaim],
        proof: &AggregationProof,
        transcript: &mut T,
    ) -> Result<CommittedClaim, PcsError> {
        Self::verify_aggregate_bound(claims, proof, claims.len(), transcript)
    }

    /// [`Aggregatable::aggregate`] where the transcript absorbs only the first `absorbed`
    /// claims (the label and the sizes are absorbed as always).
    ///
    /// **Only** for a caller whose transcript has already absorbed everything the other
    /// claims are computed from (their commitments, and the messages and challenges that
    /// give their points and values): a claim the transcript does not bind could be
    /// chosen after the challenges, which breaks soundness. The run's accumulator fold
    /// uses it to continue the step proof's transcript instead of absorbing its claims
    /// again.
    fn aggregate_bound<B: Backend, T: Transcript>(
        backend: &B,
        claims: &[CommittedClaim],
        openings: &[&Opening],
        absorbed: usize,
        transcript: &mut T,
    ) -> Result<(CommittedClaim, Opening, AggregationProof), PcsError> {
        crate::aggregate::aggregate_bound(backend, claims, openings, absorbed, transcript)
    }

    /// The verifier of [`Aggregatable::aggregate_bound`], with the same caveat.
    fn verify_aggregate_bound<T: Transcript>(
        claims: &[CommittedClaim],
        proof: &AggregationProof,
        absorbed: usize,
        transcript: &mut T,
    ) -> Result<CommittedClaim, PcsError> {
        crate::aggregate::verifier::verify_aggregate_bound(claims, proof, absorbed, transcript)
    }
}
