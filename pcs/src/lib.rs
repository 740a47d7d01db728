//! # zkpot-pcs
//!
//! Commitments to multilinear tables and everything zkpot does with evaluation
//! claims on them (`DESIGN.md` section 5).
//!
//! | module | what |
//! |---|---|
//! | [`traits`] | [`CommitmentScheme`] (commit, open, verify) and [`Aggregatable`] (claims reduced to one), [`CommittedClaim`] |
//! | [`pedersen`] | Pedersen vector commitments (hash-to-curve generators, hiding, small-scalar commits) and [`PedersenIpa`], the transparent scheme |
//! | [`kzg`] | [`HyperKzg`]: hiding commitments on a powers-of-tau SRS, zero-knowledge Gemini-style evaluation proofs checked by two pairings |
//! | [`ipa`] | a zero-knowledge inner-product argument proving a committed table's evaluation at a point (log-size proof) |
//! | [`aggregate`] | the aggregation protocol: many claims `(C_i, r_i, v_i)`, on one or several commitments of any sizes, reduced to one claim by one sumcheck; its gadget |
//! | [`accumulator`] | the claim accumulator `(C_acc, r_acc, v_acc)`: fold claims in (one scalar multiplication per folded commitment), open once at the end; its gadget |
//! | [`merkle`] | binary Poseidon Merkle trees over commitments (the data commitment `C_data`) and their membership paths; the path gadget |
//! | [`srs`] | the universal powers-of-tau SRS of HyperKZG ([`Srs`]): imported from a ceremony's `.ptau` file and checked, or sampled for development; its file |
//! | [`cache`] | the on-disk cache of commitment keys ([`KeyCache`]): a checked, versioned file format, derived once per machine |
//! | `testing` | the conformance suite of [`CommitmentScheme`] (feature `test-utils`) |
//! | [`error`] | [`PcsError`] |
//!
//! Every protocol module has its in-circuit twin in a `constraints` submodule (for the
//! IVC step circuit), tested against the native verifier in `tests/gadgets.rs`.
//!
//! Depends on `zkpot-core` (field, claims, transcript, `Backend`, sumcheck); the step
//! proof (`gkr`), the run protocol (`run`) and the recursion (`folding`) use it, naming
//! the scheme once through a type alias. Keys and proofs serialize with arkworks'
//! canonical serialization; read untrusted bytes with `Validate::Yes`.

#![forbid(unsafe_code)]

pub mod accumulator;
pub mod aggregate;
pub mod cache;
pub mod error;
pub mod ipa;
pub mod kzg;
pub mod merkle;
pub mod pedersen;
pub mod scheme;
pub mod srs;
#[cfg(feature = "test-utils")]
pub mod testing;
pub mod traits;

pub use cache::KeyCache;
pub use error::{IoError, PcsError};
pub use kzg::{HyperKzg, KzgKey, KzgProof, KzgVerifierKey};
pub use pedersen::{Commitment, Opening, PedersenIpa, PedersenKey};
pub use scheme::{AnyScheme, PcsKind, SchemeKey, SchemeProof, SchemeVerifierKey, Setup};
pub use srs::{Srs, SrsError, SrsOrigin};
pub use traits::{Aggregatable, CommitKey, CommitmentScheme, CommittedClaim, Segment};
