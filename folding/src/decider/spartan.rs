//! The primary SNARK: a Spartan-style argument (Setty, "Spartan", CRYPTO 2020) that a
//! relaxed R1CS instance `(cm_w, cm_e, u, x)` of the augmented circuit is satisfied,
//! `A z ∘ B z = u C z + E` with `z = (w, (u, x))` in the decider's column layout (witness block first, then `(u, x)`), on
//! our sumcheck engine and HyperKZG.
//!
//! 1. **Outer sumcheck** over the `s` row variables, on a random `tau`:
//!    `0 = sum_x eq(tau, x) (Az(x) Bz(x) - u Cz(x) - E(x))` (degree 3). It ends at a point
//!    `r_x`, where the prover sends `Az~(r_x)`, `Bz~(r_x)`, `Cz~(r_x)` and opens `E` (a
//!    HyperKZG zero-knowledge evaluation proof on `cm_e`). The verifier checks the last
//!    round against `eq(tau, r_x) (Az Bz - u Cz - E)` at `r_x`.
//! 2. **Inner sumcheck** over the `k + 1` column variables, on a random `r`:
//!    `Az~(r_x) + r Bz~(r_x) + r^2 Cz~(r_x) = sum_y M(y) z(y)` with
//!    `M(y) = (A + r B + r^2 C)~(r_x, y)` (degree 2). It ends at `r_y`; the prover opens
//!    `w` at `r_y` less its top coordinate (on `cm_w`), the verifier computes
//!    `z~(r_y)` from it and `(u, x)`, and `M(r_y)`.
//!
//! **`M(r_y)`, today** (labelled *plain*): the verifier evaluates the three matrices at
//! `(r_x, r_y)` itself, one pass over their non-zero entries, so its time grows with the
//! circuit (it holds the matrices: the plain verifying key is as large as the R1CS). The
//! preprocessed version (commitments to the sparse matrices and an offline memory check,
//! Spartan's SPARK) replaces exactly this step.
//!
//! **Zero knowledge.** The sumcheck messages and the three evaluations are functions of the
//! closed witness, which the random-instance fold made uniform and independent of the run's
//! witness ([decider docs](super)); the two openings are HyperKZG's zero-knowledge proofs.
//!
//! **Transcript** (zkpot's Poseidon, [`SPARTAN_LABEL`]): `pp_hash`, the shape `(s, k)`,
//! the instance (`cm_w`, `cm_e` as points, `u`, `x`); `tau`; the outer sumcheck;
//! the three evaluations; the opening of `E` (HyperKZG's own order); `r`; the inner
//! sumcheck; the opening of `w`.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ark_ec::CurveGroup;
use ark_ff::{One, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use ark_std::rand::RngCore;
use zkpot_core::{
    eq_eval, eq_table,
    sumcheck::{self, ProductProver, SumcheckProof},
    Backend, Fr, PoseidonTranscript, ProductSum, Transcript,
};
use zkpot_pcs::{
    Commitment, CommitmentScheme, HyperKzg, KzgKey, KzgProof, KzgVerifierKey, Opening,
};

use super::r1cs::SnarkR1cs;
use crate::{
    error::{DeciderCheck, Error},
    ivc::{Ru1, Rw1},
};

/// The first absorption of the primary SNARK's transcript.
pub const SPARTAN_LABEL: &[u8] = b"zkpot/decider/spartan/v1";

/// The primary SNARK's proof; every field is a message of a zero-knowledge argument or an
/// evaluation of the uniformly re-randomized closed witness (see the [module
/// docs](self)).
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct SpartanProof {
    /// The outer sumcheck (`s` rounds of degree 3).
    pub outer: SumcheckProof,
    /// `Az~(r_x)`, `Bz~(r_x)`, `Cz~(r_x)`.
    pub evals: [Fr; 3],
    /// `E~(r_x)`.
    pub e_value: Fr,
    /// The zero-knowledge opening of `cm_e` at `r_x`.
    pub e_proof: KzgProof,
    /// The inner sumcheck (`k + 1` rounds of degree 2).
    pub inner: SumcheckProof,
    /// `w~` at `r_y` less its top coordinate.
    pub w_value: Fr,
    /// The zero-knowledge opening of `cm_w` there.
    pub w_proof: KzgProof,
}

/// A deliberate deviation of the SNARK prover, for soundness tests only.
#[cfg(test)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum SpartanCheat {
    /// An honest prover.
    #[default]
    None,
    /// Prove an instance that is not satisfied (skip the prover's own check).
    Unsatisfied,
}

/// The transcript after the statement: label, `pp_hash`, shape, instance.
fn transcript(r1cs: &SnarkR1cs, pp_hash: Fr, instance: &Ru1) -> PoseidonTranscript {
    let mut t = PoseidonTranscript::new(SPARTAN_LABEL);
    t.absorb_field(&pp_hash);
    t.absorb_u64(r1cs.row_vars() as u64);
    t.absorb_u64(r1cs.block_vars() as u64);
    t.absorb_point(&instance.cm_w.into_affine());
    t.absorb_point(&instance.cm_e.into_affine());
    t.absorb_field(&instance.u);
    t.absorb_u64(instance.x.len() as u64);
    t.absorb_fields(&instance.x);
    t
}

/// The outer sumcheck's summand `Az Bz - u Cz - E` over the tables `[Az, Bz, Cz, E]`.
fn outer_sum(u: Fr) -> ProductSum {
    ProductSum {
        terms: vec![
            (Fr::one(), vec![0, 1]),
            (-u, vec![2]),
            (-Fr::one(), vec![3]),
        ],
    }
}

/// `v` zero-padded to `2^vars` entries.
fn padded(v: &[Fr], vars: usize) -> Result<Vec<Fr>, Error> {
    let len = 1usize << vars;
    if v.len() > len {
        return Err(Error::DeciderShape {
            reason: "a witness vector is longer than its table",
        });
    }
    let mut out = Vec::with_capacity(len);
    out.extend_from_slice(v);
    out.resize(len, Fr::zero());
    Ok(out)
}

/// Proves that the closed pair `(witness, instance)` satisfies `r1cs`, opening with `key`
/// (the run's HyperKZG key: Nova's primary commitments are HyperKZG commitments).
pub(crate) fn prove<B: Backend>(
    r1cs: &SnarkR1cs,
    key: &KzgKey,
    backend: &B,
    pp_hash: Fr,
    (witness, instance): (&Rw1, &Ru1),
    rng: &mut (impl RngCore + ?Sized),
    #[cfg(test)] cheat: SpartanCheat,
) -> Result<SpartanProof, Error> {
    let (s, k) = (r1cs.row_vars(), r1cs.block_vars());
    let z = r1cs
        .z_table(&witness.w, instance.u, &instance.x)
        .ok_or(Error::DeciderShape {
            reason: "the closed witness or instance has the wrong length",
        })?;
    let e = padded(&witness.e, s)?;
    let [az, bz, cz] = r1cs.products(&z);
    #[cfg(test)]
    let check = cheat == SpartanCheat::None;
    #[cfg(not(test))]
    let check = true;
    if check
        && az
            .iter()
            .zip(&bz)
            .zip(&cz)
            .zip(&e)
            .any(|(((a, b), c), e)| *a * b - instance.u * c != *e)
    {
        return Err(Error::DeciderShape {
            reason: "the closed instance is not satisfied (the IVC proof is invalid)",
        });
    }

    let mut t = transcript(r1cs, pp_hash, instance);
    let tau = t.challenges(s);
    let tables = vec![
        backend.upload(&az),
        backend.upload(&bz),
        backend.upload(&cz),
        backend.upload(&e),
    ];
    drop((az, bz, cz));
    let mut outer = ProductProver::new(
        backend,
        outer_sum(instance.u),
        tables,
        Some(backend.eq_table(&tau)),
    )
    .map_err(|_| Error::DeciderShape {
        reason: "the outer sumcheck's tables",
    })?;
    let outer = sumcheck::prove(&mut outer, Fr::zero(), &mut t);
    let rx = outer.point;
    let evals = match outer.final_evals.as_slice() {
        [a, b, c, _e, _eq] => [*a, *b, *c],
        _ => {
            return Err(Error::DeciderShape {
                reason: "the outer sumcheck's final evaluations",
            })
        }
    };
    t.absorb_fields(&evals);
    let (e_value, e_proof) = HyperKzg::open(
        key,
        backend,
        &Opening {
            table: e,
            blind: witness.r_e,
        },
        &Commitment(instance.cm_e.into_affine()),
        &rx,
        &mut t,
        rng,
    )?;

    let r = t.challenge();
    let coeffs = [Fr::one(), r, r * r];
    let claim = evals[0] + r * evals[1] + r * r * evals[2];
    let m = r1cs.bind_rows(&eq_table(&rx), coeffs);
    let mut inner = ProductProver::new(
        backend,
        ProductSum::product(2),
        vec![backend.upload(&m), backend.upload(&z)],
        None,
    )
    .map_err(|_| Error::DeciderShape {
        reason: "the inner sumcheck's tables",
    })?;
    drop((m, z));
    let inner = sumcheck::prove(&mut inner, claim, &mut t);
    let ry = inner.point.get(..k).ok_or(Error::DeciderShape {
        reason: "the inner sumcheck's point",
    })?;
    let (w_value, w_proof) = HyperKzg::open(
        key,
        backend,
        &Opening {
            table: padded(&witness.w, k)?,
            blind: witness.r_w,
        },
        &Commitment(instance.cm_w.into_affine()),
        ry,
        &mut t,
        rng,
    )?;
    Ok(SpartanProof {
        outer: outer.proof,
        evals,
        e_value,
        e_proof,
        inner: inner.proof,
        w_value,
        w_proof,
    })
}

/// Verifies `proof` that `instance` satisfies `r1cs`, with HyperKZG's verifier key `vk`.
/// The plain verifier: it evaluates the matrices itself (see the [module docs](self)).
/// Never panics.
pub(crate) fn verify(
    r1cs: &SnarkR1cs,
    vk: &KzgVerifierKey,
    pp_hash: Fr,
    instance: &Ru1,
    proof: &SpartanProof,
) -> Result<(), Error> {
    let (s, k) = (r1cs.row_vars(), r1cs.block_vars());
    if instance.x.len() != r1cs.num_public_inputs() {
        return Err(Error::decider_plain(DeciderCheck::Shape));
    }
    let mut t = transcript(r1cs, pp_hash, instance);
    let tau = t.challenges(s);
    let outer = sumcheck::verify(&proof.outer, Fr::zero(), s, 3, &mut t)
        .map_err(|e| Error::decider(DeciderCheck::Outer, e))?;
    t.absorb_fields(&proof.evals);
    let [a, b, c] = proof.evals;
    let eq = eq_eval(&tau, &outer.point).map_err(|e| Error::decider(DeciderCheck::Outer, e))?;
    if outer.value != eq * (a * b - instance.u * c - proof.e_value) {
        return Err(Error::decider_plain(DeciderCheck::Outer));
    }
    HyperKzg::verify(
        vk,
        &Commitment(instance.cm_e.into_affine()),
        &outer.point,
        proof.e_value,
        &proof.e_proof,
        &mut t,
    )
    .map_err(|e| Error::decider(DeciderCheck::ErrorOpening, e))?;

    let r = t.challenge();
    let coeffs = [Fr::one(), r, r * r];
    let claim = a + r * b + r * r * c;
    let inner = sumcheck::verify(&proof.inner, claim, k + 1, 2, &mut t)
        .map_err(|e| Error::decider(DeciderCheck::Inner, e))?;
    let (ry, top) = match inner.point.split_at_checked(k) {
        Some((ry, [top])) => (ry, *top),
        _ => return Err(Error::decider_plain(DeciderCheck::Shape)),
    };
    let ux = r1cs
        .ux_eval(instance.u, &instance.x, ry)
        .map_err(|_| Error::decider_plain(DeciderCheck::Shape))?;
    let z = (Fr::one() - top) * proof.w_value + top * ux;
    let m = r1cs.evaluate(&eq_table(&outer.point), &eq_table(&inner.point), coeffs);
    if inner.value != m * z {
        return Err(Error::decider_plain(DeciderCheck::Inner));
    }
    HyperKzg::verify(
        vk,
        &Commitment(instance.cm_w.into_affine()),
        ry,
        proof.w_value,
        &proof.w_proof,
        &mut t,
    )
    .map_err(|e| Error::decider(DeciderCheck::WitnessOpening, e))
}
