//! # zkpot-pcs (being written)
#![forbid(unsafe_code)]
pub mod accumulator;
pub mod aggregate;
pub mod error;
pub mod ipa;
pub mod pedersen;
