//! # zkpot-pcs
//!
//! Commitments to multilinear tables and everything zkpot does with evaluation
//! claims on them.
//!
//! | module | what |
//! |---|---|
//! | [`pedersen`] | Pedersen vector commitments: hash-to-curve generators, hiding, small-scalar commits |
//! | [`cache`] | the on-disk cache of commitment keys ([`KeyCache`]): a checked, versioned file format, derived once per machine |
//! | [`ipa`] | a zero-knowledge inner-product argument proving a committed table's evaluation at a point (log-size proof) |
//! | [`aggregate`] | [`aggregate::Aggregatable`]: many claims `(C_i, r_i, v_i)`, on one or several commitments of any sizes, reduced to one claim by one sumcheck |
//! | [`accumulator`] | the claim accumulator `(C_acc, r_acc, v_acc)`: fold claims in (one scalar multiplication per folded commitment), open once at the end |
//! | [`merkle`] | binary Poseidon Merkle trees over commitments (the data commitment `C_data`) and their membership paths |
//! | [`error`] | [`PcsError`] |
//!
//! Depends on `zkpot-core` (field, transcript, `Backend`, sumcheck); the step proof
//! (`gkr`) and the recursion (`folding`) use it. Keys and proofs serialize with
//! arkworks' canonical serialization; read untrusted bytes with `Validate::Yes`.

#![forbid(unsafe_code)]

pub mod accumulator;
pub mod aggregate;
pub mod cache;
pub mod constraints;
pub mod error;
pub mod ipa;
pub mod merkle;
pub mod pedersen;

pub use cache::KeyCache;
pub use error::{IoError, PcsError};
