//! # zkpot-gkr
//!
//! The step proof of zkpot: a GKR-style argument, built from sumchecks, that `k` stacked
//! SGD iterations were computed exactly in fixed point (section 4 of `DESIGN.md`). The
//! forward pass, the loss gradient, the backward pass and the update are proven from the
//! outputs back to the inputs, every relation once for all `k` iterations; what is left
//! at the end are evaluation claims on committed tables, which the caller (`folding`)
//! checks against commitments through `pcs`.
//!
//! The first piece is the **range check** ([`range`]): LogUp proven by GKR over a binary
//! tree of fractions, which shows that every 16-bit limb of a committed tensor lies in
//! `[0, 2^16)` while only the limbs and the table's multiplicities are committed, never
//! inverses. Every rescale (quotient and remainder) and every bounded value relies on it.
//!
//! | module | contents |
//! |---|---|
//! | [`range`] | the LogUp-GKR range check: [`range::prove_range`], [`range::verify_range`], [`range::RangeProof`], the claims it leaves |
//! | [`matmul`] | the stacked matrix product `C_t = op(A_t) op(B_t)`: [`matmul::prove_matmul`], [`matmul::verify_matmul`], [`matmul::MatmulProof`], claims on `A` and `B` |
//! | [`elementwise`] | elementwise GKR layers: Hadamard product, booleanity, merging claims on one table, the rescale and linear-combination reductions, each with prover, verifier and proof |
//! | [`reshape`] | claim reductions through data layout: column sums, the bias broadcast and the affine split `Z = P + 2^f b`, the stacked 16-bit limb decomposition |
//! | [`step`] | the step proof of `k` stacked SGD iterations: [`step::prove_step`], [`step::verify_step`], [`step::StepProof`], [`step::StepShape`] |
//! | [`error`] | the crate's one [`Error`], and the small enums its variants name ([`ShapeReason`], [`FlowCheck`], [`MessageKind`]) |
//!
//! ## Where it sits
//!
//! `zkpot-gkr` depends on `zkpot-core` (field, multilinear tables, transcript, backend,
//! sumcheck driver); later also on `zkpot-pcs` (claims on commitments) and
//! `zkpot-trainer` (witness types only). `zkpot-folding` and the `zkpot` facade depend on
//! it. It never names a GPU backend: a [`zkpot_core::Backend`] is handed in.

#![forbid(unsafe_code)]

pub mod elementwise;
pub mod error;
pub mod matmul;
pub mod range;
pub mod reshape;
pub mod step;

pub use error::{Error, FlowCheck, MessageKind, ShapeReason};
pub use range::{
    multiplicities, multiplicities_in, prove_range, verify_range, RangeClaims, RangeProof,
    RangeWitness, LIMB_BITS,
};
