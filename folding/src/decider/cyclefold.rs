//! The CycleFold SNARK: the primary SNARK's argument ([`super::spartan`]) over Grumpkin's
//! scalar field `Fq` for the closed CycleFold instance (the relaxed R1CS of the CycleFold
//! circuit, about 1,350 constraints), opening the Pedersen commitments `cm_w` and `cm_e`
//! with an inner-product argument.
//!
//! 1. **Outer sumcheck** (`s` rounds, degree 3) of `eq(tau, x) (Az Bz - u Cz - E)(x)`
//!    summing to 0; the prover sends `Az~`, `Bz~`, `Cz~` at `r_x` and opens `E` there.
//! 2. **Inner sumcheck** (`k + 1` rounds, degree 2) of `M(y) z(y)` with
//!    `M = (A + r B + r^2 C)~(r_x, .)`; the prover opens `w` at `r_y` less its top
//!    coordinate; the verifier evaluates the matrices itself (the CycleFold circuit is
//!    fixed: about 70k non-zero entries whatever the step circuit).
//! 3. **Openings**: the commitment is sonobe's hiding Pedersen `<v, G> + rho H` on
//!    Grumpkin. The prover sends the value and the blind `rho`; both sides move to
//!    `P = C - rho H = <v, G>` and run a Bulletproofs inner-product argument (Bootle et
//!    al. 2016; Bünz et al. 2018) for `<v, G> = P` and `<v, eq(point)> = value`, with
//!    `U = xi U_0` for a challenge `xi` and `U_0` hashed to the curve: `log2 n` rounds of
//!    `(L_j, R_j)`, then the last scalar. The verifier does one MSM of `2 log2 n + n + 3`
//!    points and computes `eq(point)` folded by the round challenges in `O(log n)`.
//!
//! **Zero knowledge.** The argument itself is not zero-knowledge (the blind is sent, the
//! inner-product rounds reveal combinations of the vector) and does not need to be: the
//! closed CycleFold witness and its blinds are uniformly random after the random-instance
//! fold ([decider docs](super)), so whatever is revealed about them is independent of
//! the run.
//!
//! **Transcript** (zkpot's Poseidon; `Fq` elements and points as in `small`):
//! [`CYCLEFOLD_LABEL`], `pp_hash`, `(s, k)`, the instance (`cm_w`, `cm_e`, `u`, `x`);
//! `tau`; the outer rounds; the three evaluations; the opening of `E` (value, blind,
//! `xi`, then per round `L_j`, `R_j` and its challenge); `r`; the inner rounds; the
//! opening of `w`.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ark_ec::{CurveGroup, VariableBaseMSM};
use ark_ff::{Field, One, UniformRand, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sha2::{Digest, Sha256};
use sonobe::primitives::arithmetizations::r1cs::R1CS;
use zkpot_core::{Fq, Fr, PoseidonTranscript, Transcript};

use super::{
    r1cs::SnarkR1cs,
    small::{
        absorb_fq, absorb_fqs, absorb_grumpkin, challenge_fq, challenges_fq, eq_eval, eq_table,
        prove_dense, verify_dense,
    },
};
use crate::{
    error::{DeciderCheck, Error},
    ivc::{Dk2, Grumpkin, Ru2, Rw2},
};

/// The first absorption of the CycleFold SNARK's transcript.
pub const CYCLEFOLD_LABEL: &[u8] = b"zkpot/decider/cyclefold/v1";

/// The label whose SHA-256 seeds the draw of the inner-product argument's `U_0`.
pub const IPA_U_LABEL: &[u8] = b"zkpot/decider/cyclefold/ipa-u";

/// A Grumpkin point in affine form.
pub type GrumpkinAffine = ark_grumpkin::Affine;

/// The CycleFold SNARK's key: the CycleFold R1CS in the decider's layout and the Pedersen
/// key of Nova's CycleFold commitments (generators and blinding generator), with `U_0`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CycleFoldKey {
    r1cs: SnarkR1cs<Fq>,
    generators: Vec<GrumpkinAffine>,
    blinding: Grumpkin,
    u0: Grumpkin,
}

impl CycleFoldKey {
    /// The key of Nova's CycleFold decider key `dk2` (read back from its serialization:
    /// sonobe keeps the R1CS and the Pedersen key private).
    pub(crate) fn new(dk2: &Dk2) -> Result<Self, Error> {
        let mut bytes = Vec::new();
        dk2.serialize_uncompressed(&mut bytes)?;
        let mut reader = bytes.as_slice();
        let r1cs = R1CS::<Fq>::deserialize_uncompressed_unchecked(&mut reader)?;
        let generators = Vec::<GrumpkinAffine>::deserialize_uncompressed_unchecked(&mut reader)?;
        let blinding = Grumpkin::deserialize_uncompressed_unchecked(&mut reader)?;
        let r1cs = SnarkR1cs::new(&r1cs)?;
        let needed = 1usize << r1cs.row_vars().max(r1cs.block_vars());
        if generators.len() < needed {
            return Err(Error::DeciderShape {
                reason: "the CycleFold commitment key is shorter than its tables",
            });
        }
        let u0 = Grumpkin::rand(&mut ChaCha20Rng::from_seed(
            Sha256::digest(IPA_U_LABEL).into(),
        ));
        Ok(CycleFoldKey {
            r1cs,
            generators,
            blinding,
            u0,
        })
    }
}

/// An inner-product argument: the round points and the last scalar.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct IpaProof {
    /// `L_j`.
    pub l: Vec<GrumpkinAffine>,
    /// `R_j`.
    pub r: Vec<GrumpkinAffine>,
    /// The vector folded to one scalar.
    pub a: Fq,
}

/// An opening of a hiding Pedersen commitment at a point: the value, the blind (the
/// closed witness's, uniform) and the inner-product argument.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct PedersenOpening {
    /// The table's value at the point.
    pub value: Fq,
    /// The commitment's blind.
    pub blind: Fq,
    /// The argument for `<v, G> = C - blind H` and `<v, eq(point)> = value`.
    pub ipa: IpaProof,
}

/// The CycleFold SNARK's proof (see the [module docs](self)).
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct CycleFoldProof {
    /// The outer sumcheck's rounds (`[c_0, c_2, c_3]` each).
    pub outer: Vec<Vec<Fq>>,
    /// `Az~(r_x)`, `Bz~(r_x)`, `Cz~(r_x)`.
    pub evals: [Fq; 3],
    /// The opening of `cm_e` at `r_x`.
    pub e: PedersenOpening,
    /// The inner sumcheck's rounds (`[c_0, c_2]` each).
    pub inner: Vec<Vec<Fq>>,
    /// The opening of `cm_w` at `r_y` less its top coordinate.
    pub w: PedersenOpening,
}

/// The transcript after the statement.
fn transcript(key: &CycleFoldKey, pp_hash: Fr, instance: &Ru2) -> PoseidonTranscript {
    let mut t = PoseidonTranscript::new(CYCLEFOLD_LABEL);
    t.absorb_field(&pp_hash);
    t.absorb_u64(key.r1cs.row_vars() as u64);
    t.absorb_u64(key.r1cs.block_vars() as u64);
    absorb_grumpkin(&mut t, &instance.cm_w);
    absorb_grumpkin(&mut t, &instance.cm_e);
    absorb_fq(&mut t, &instance.u);
    t.absorb_u64(instance.x.len() as u64);
    absorb_fqs(&mut t, &instance.x);
    t
}

/// `v` zero-padded to `2^vars` entries.
fn padded(v: &[Fq], vars: usize) -> Result<Vec<Fq>, Error> {
    let len = 1usize << vars;
    if v.len() > len {
        return Err(Error::DeciderShape {
            reason: "a CycleFold vector is longer than its table",
        });
    }
    let mut out = v.to_vec();
    out.resize(len, Fq::zero());
    Ok(out)
}

/// Proves that the closed CycleFold pair `(witness, instance)` satisfies the CycleFold
/// relaxed R1CS.
pub(crate) fn prove(
    key: &CycleFoldKey,
    pp_hash: Fr,
    (witness, instance): (&Rw2, &Ru2),
) -> Result<CycleFoldProof, Error> {
    let r1cs = &key.r1cs;
    let (s, k) = (r1cs.row_vars(), r1cs.block_vars());
    let z = r1cs
        .z_table(&witness.w, instance.u, &instance.x)
        .ok_or(Error::DeciderShape {
            reason: "the closed CycleFold witness or instance has the wrong length",
        })?;
    let e = padded(&witness.e, s)?;
    let [az, bz, cz] = r1cs.products(&z);
    let mut t = transcript(key, pp_hash, instance);
    let tau = challenges_fq(&mut t, s);
    let u = instance.u;
    let g = |v: &[Fq]| match v {
        [a, b, c, e, eq] => *eq * (*a * b - u * c - e),
        _ => Fq::zero(),
    };
    let tables = vec![az, bz, cz, e.clone(), eq_table(&tau)];
    let (outer, reduced) = prove_dense(tables, 3, g, Fq::zero(), &mut t, absorb_fqs, challenge_fq);
    let rx = reduced.point;
    let evals = match reduced.finals.as_slice() {
        [a, b, c, _, _] => [*a, *b, *c],
        _ => {
            return Err(Error::DeciderShape {
                reason: "the CycleFold outer sumcheck's final evaluations",
            })
        }
    };
    absorb_fqs(&mut t, &evals);
    let e_open = open(key, &mut t, e, witness.r_e, &rx)?;

    let r = challenge_fq(&mut t);
    let coeffs = [Fq::one(), r, r * r];
    let claim = evals[0] + r * evals[1] + r * r * evals[2];
    let m = r1cs.bind_rows(&eq_table(&rx), coeffs);
    let product = |v: &[Fq]| match v {
        [a, b] => *a * b,
        _ => Fq::zero(),
    };
    let (inner, reduced) = prove_dense(
        vec![m, z],
        2,
        product,
        claim,
        &mut t,
        absorb_fqs,
        challenge_fq,
    );
    let ry = reduced.point.get(..k).ok_or(Error::DeciderShape {
        reason: "the CycleFold inner sumcheck's point",
    })?;
    let w_open = open(key, &mut t, padded(&witness.w, k)?, witness.r_w, ry)?;
    Ok(CycleFoldProof {
        outer,
        evals,
        e: e_open,
        inner,
        w: w_open,
    })
}

/// Verifies `proof` that `instance` satisfies the CycleFold relaxed R1CS. Never panics.
pub(crate) fn verify(
    key: &CycleFoldKey,
    pp_hash: Fr,
    instance: &Ru2,
    proof: &CycleFoldProof,
) -> Result<(), Error> {
    let r1cs = &key.r1cs;
    let (s, k) = (r1cs.row_vars(), r1cs.block_vars());
    let reject = || Error::decider_plain(DeciderCheck::CycleFold);
    if instance.x.len() != r1cs.num_public_inputs() {
        return Err(Error::decider_plain(DeciderCheck::Shape));
    }
    let mut t = transcript(key, pp_hash, instance);
    let tau = challenges_fq(&mut t, s);
    let outer = verify_dense(
        &proof.outer,
        Fq::zero(),
        s,
        3,
        &mut t,
        absorb_fqs,
        challenge_fq,
    )
    .ok_or_else(reject)?;
    absorb_fqs(&mut t, &proof.evals);
    let [a, b, c] = proof.evals;
    let eq = eq_eval(&tau, &outer.point).ok_or_else(reject)?;
    if outer.value != eq * (a * b - instance.u * c - proof.e.value) {
        return Err(reject());
    }
    check_open(key, &mut t, &instance.cm_e, &outer.point, &proof.e)?;

    let r = challenge_fq(&mut t);
    let coeffs = [Fq::one(), r, r * r];
    let claim = a + r * b + r * r * c;
    let inner = verify_dense(
        &proof.inner,
        claim,
        k + 1,
        2,
        &mut t,
        absorb_fqs,
        challenge_fq,
    )
    .ok_or_else(reject)?;
    let (ry, top) = match inner.point.split_at_checked(k) {
        Some((ry, [top])) => (ry, *top),
        _ => return Err(reject()),
    };
    let ux = r1cs.ux_eval(instance.u, &instance.x, ry)?;
    let z = (Fq::one() - top) * proof.w.value + top * ux;
    let m = r1cs.evaluate(&eq_table(&outer.point), &eq_table(&inner.point), coeffs);
    if inner.value != m * z {
        return Err(reject());
    }
    check_open(key, &mut t, &instance.cm_w, ry, &proof.w)
}

/// Opens the table `a` (committed with blind `blind`) at `point`.
fn open(
    key: &CycleFoldKey,
    t: &mut PoseidonTranscript,
    mut a: Vec<Fq>,
    blind: Fq,
    point: &[Fq],
) -> Result<PedersenOpening, Error> {
    let mut b = eq_table(point);
    let value: Fq = a.iter().zip(&b).map(|(x, y)| *x * y).sum();
    absorb_fq(t, &value);
    absorb_fq(t, &blind);
    let u = key.u0 * challenge_fq(t);
    let mut g: Vec<Grumpkin> = key
        .generators
        .get(..a.len())
        .ok_or(Error::DeciderShape {
            reason: "the CycleFold commitment key is too short",
        })?
        .iter()
        .map(|p| (*p).into())
        .collect();
    let (mut ls, mut rs) = (Vec::new(), Vec::new());
    while a.len() > 1 {
        let half = a.len() / 2;
        let (a_lo, a_hi) = a.split_at(half);
        let (b_lo, b_hi) = b.split_at(half);
        let (g_lo, g_hi) = g.split_at(half);
        let inner = |x: &[Fq], y: &[Fq]| -> Fq { x.iter().zip(y).map(|(p, q)| *p * q).sum() };
        let msm = |bases: &[Grumpkin], scalars: &[Fq]| -> Grumpkin {
            Grumpkin::msm_unchecked(&Grumpkin::normalize_batch(bases), scalars)
        };
        let l = msm(g_hi, a_lo) + u * inner(a_lo, b_hi);
        let r = msm(g_lo, a_hi) + u * inner(a_hi, b_lo);
        absorb_grumpkin(t, &l);
        absorb_grumpkin(t, &r);
        let x = challenge_fq(t);
        let x_inv = x.inverse().ok_or(Error::DeciderShape {
            reason: "a zero inner-product challenge (negligible)",
        })?;
        a = a_lo
            .iter()
            .zip(a_hi)
            .map(|(lo, hi)| *lo * x + *hi * x_inv)
            .collect();
        b = b_lo
            .iter()
            .zip(b_hi)
            .map(|(lo, hi)| *lo * x_inv + *hi * x)
            .collect();
        g = g_lo
            .iter()
            .zip(g_hi)
            .map(|(lo, hi)| *lo * x_inv + *hi * x)
            .collect();
        ls.push(l.into_affine());
        rs.push(r.into_affine());
    }
    Ok(PedersenOpening {
        value,
        blind,
        ipa: IpaProof {
            l: ls,
            r: rs,
            a: a.first().copied().unwrap_or_default(),
        },
    })
}

/// Checks `opening` of `commitment` at `point` (see [`open`]).
fn check_open(
    key: &CycleFoldKey,
    t: &mut PoseidonTranscript,
    commitment: &Grumpkin,
    point: &[Fq],
    opening: &PedersenOpening,
) -> Result<(), Error> {
    let reject = || Error::decider_plain(DeciderCheck::CycleFoldOpening);
    let n = point.len();
    let ipa = &opening.ipa;
    if ipa.l.len() != n || ipa.r.len() != n {
        return Err(reject());
    }
    let generators = key.generators.get(..1usize << n).ok_or_else(reject)?;
    absorb_fq(t, &opening.value);
    absorb_fq(t, &opening.blind);
    let xi = challenge_fq(t);
    let mut xs = Vec::with_capacity(n);
    for (l, r) in ipa.l.iter().zip(&ipa.r) {
        absorb_grumpkin(t, &(*l).into());
        absorb_grumpkin(t, &(*r).into());
        let x = challenge_fq(t);
        let x_inv = x.inverse().ok_or_else(reject)?;
        xs.push((x, x_inv));
    }
    // Round j folded index bit n - 1 - j: s_i = prod_j (bit ? x_j : 1 / x_j), built from
    // bit 0 up; eq(point) folds the same way to prod_j ((1 - p) / x_j + p x_j).
    let mut s = vec![Fq::one()];
    let mut b_final = Fq::one();
    for (bit, &(x, x_inv)) in xs.iter().rev().enumerate() {
        let p = point.get(bit).copied().unwrap_or_default();
        b_final *= (Fq::one() - p) * x_inv + p * x;
        let lo: Vec<Fq> = s.iter().map(|v| *v * x_inv).collect();
        let hi: Vec<Fq> = s.iter().map(|v| *v * x).collect();
        s = lo;
        s.extend(hi);
    }
    let a = ipa.a;
    // C - blind H + (value - a b_final) xi U_0 + sum_j (x_j^2 L_j + x_j^-2 R_j)
    //   - a sum_i s_i G_i = 0.
    let mut bases: Vec<GrumpkinAffine> = vec![
        commitment.into_affine(),
        key.blinding.into_affine(),
        key.u0.into_affine(),
    ];
    let mut scalars = vec![
        -Fq::one(),
        opening.blind,
        (a * b_final - opening.value) * xi,
    ];
    for ((x, x_inv), (l, r)) in xs.iter().zip(ipa.l.iter().zip(&ipa.r)) {
        bases.extend([*l, *r]);
        scalars.extend([-(x.square()), -(x_inv.square())]);
    }
    bases.extend_from_slice(generators);
    scalars.extend(s.iter().map(|v| a * v));
    if Grumpkin::msm_unchecked(&bases, &scalars).is_zero() {
        Ok(())
    } else {
        Err(reject())
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used)]
mod tests {
    use ark_ec::PrimeGroup;

    use super::*;
    use crate::tests::rng;

    /// A key of random generators (no R1CS needed for the openings).
    fn key(n: usize) -> CycleFoldKey {
        let mut r = rng(40);
        let gens: Vec<Grumpkin> = (0..1 << n).map(|_| Grumpkin::rand(&mut r)).collect();
        let r1cs = R1CS::<Fq>::new_without_validity_check(
            2,
            2,
            0,
            [
                vec![vec![], vec![]],
                vec![vec![], vec![]],
                vec![vec![], vec![]],
            ],
        );
        CycleFoldKey {
            r1cs: SnarkR1cs::new(&r1cs).unwrap(),
            generators: Grumpkin::normalize_batch(&gens),
            blinding: Grumpkin::rand(&mut r),
            u0: Grumpkin::generator() * Fq::from(7u64),
        }
    }

    #[test]
    fn the_inner_product_argument_opens_and_binds() {
        let n = 5;
        let k = key(n);
        let mut r = rng(41);
        let a: Vec<Fq> = (0..1 << n).map(|_| Fq::rand(&mut r)).collect();
        let blind = Fq::rand(&mut r);
        let point: Vec<Fq> = (0..n).map(|_| Fq::rand(&mut r)).collect();
        let commit = |v: &[Fq]| Grumpkin::msm_unchecked(&k.generators, v) + k.blinding * blind;
        let c = commit(&a);
        let mut t = PoseidonTranscript::new(b"t");
        let opening = open(&k, &mut t, a.clone(), blind, &point).unwrap();
        assert_eq!(
            Some(opening.value),
            super::super::small::evaluate(&a, &point)
        );
        let mut t = PoseidonTranscript::new(b"t");
        check_open(&k, &mut t, &c, &point, &opening).unwrap();
        // Another vector's opening against this commitment, with its true value.
        let mut b = a.clone();
        b[0] += Fq::one();
        let mut t = PoseidonTranscript::new(b"t");
        let other = open(&k, &mut t, b, blind, &point).unwrap();
        let mut t = PoseidonTranscript::new(b"t");
        assert!(check_open(&k, &mut t, &c, &point, &other).is_err());
        // A wrong value, blind, or last scalar.
        for f in [
            |o: &mut PedersenOpening| o.value += Fq::one(),
            |o: &mut PedersenOpening| o.blind += Fq::one(),
            |o: &mut PedersenOpening| o.ipa.a += Fq::one(),
        ] {
            let mut bad = opening.clone();
            f(&mut bad);
            let mut t = PoseidonTranscript::new(b"t");
            assert!(check_open(&k, &mut t, &c, &point, &bad).is_err());
        }
    }
}
