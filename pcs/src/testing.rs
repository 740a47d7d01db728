//! The conformance suite of [`CommitmentScheme`] (feature `test-utils`): what every scheme
//! must satisfy, run by each scheme's tests (`tests/conformance.rs`) and by any scheme
//! added later. [`check_scheme`] runs all of it; each check is also public, so a failure
//! names its property.
//!
//! The suite is written for schemes whose commitments are `G1` points linear in the table
//! and the blind ([`Commitment`], blind `Fr`), which is what the protocols above `pcs`
//! require.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ark_ff::{One, UniformRand, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use zkpot_core::{evaluate_slice, CpuBackend, Fr, PoseidonTranscript, Transcript};

use crate::{
    pedersen::{Commitment, Opening},
    traits::{CommitmentScheme, Segment},
};

/// The keys a scheme is checked with: a prover key and its verifier key for tables of at
/// least `2^max_vars` entries, and the verifier key of **another** setup (another label,
/// another SRS) of the same size.
pub struct Keys<'a, S: CommitmentScheme> {
    /// The prover key.
    pub prover: &'a S::ProverKey,
    /// Its verifier key.
    pub verifier: &'a S::VerifierKey,
    /// The verifier key of another setup.
    pub other: &'a S::VerifierKey,
    /// The largest number of variables the keys support (at least 3).
    pub max_vars: usize,
}

/// A scheme the suite can check: `G1` commitments linear in the table and an `Fr` blind.
pub trait Linear: CommitmentScheme<Commitment = Commitment, Blind = Fr> {}
impl<S: CommitmentScheme<Commitment = Commitment, Blind = Fr>> Linear for S {}

const LABEL: &[u8] = b"zkpot-pcs/conformance";

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

fn random_table(len: usize, rng: &mut ChaCha20Rng) -> Vec<Fr> {
    (0..len).map(|_| Fr::rand(rng)).collect()
}

/// A committed random table over `vars` variables, a point, and its proof.
pub struct Case<S: CommitmentScheme> {
    /// The opening (table and blind).
    pub opening: Opening,
    /// The commitment.
    pub commitment: Commitment,
    /// The point.
    pub point: Vec<Fr>,
    /// The value the prover returned.
    pub value: Fr,
    /// The proof.
    pub proof: S::EvalProof,
}

/// Commits to a random table of `2^vars` entries and proves its value at a random point.
pub fn case<S: Linear>(keys: &Keys<'_, S>, vars: usize, seed: u64) -> Case<S> {
    let mut rng = rng(seed);
    let table = random_table(1 << vars, &mut rng);
    let blind = S::random_blind(&mut rng);
    let commitment = S::commit(keys.prover, &CpuBackend, &table, blind).unwrap();
    let point = random_table(vars, &mut rng);
    let opening = Opening { table, blind };
    let (value, proof) = prove::<S>(keys, &opening, &commitment, &point, &mut rng);
    Case {
        opening,
        commitment,
        point,
        value,
        proof,
    }
}

fn prove<S: Linear>(
    keys: &Keys<'_, S>,
    opening: &Opening,
    commitment: &Commitment,
    point: &[Fr],
    rng: &mut ChaCha20Rng,
) -> (Fr, S::EvalProof) {
    let mut t = PoseidonTranscript::new(LABEL);
    S::open(
        keys.prover,
        &CpuBackend,
        opening,
        commitment,
        point,
        &mut t,
        rng,
    )
    .unwrap()
}

/// Verifies on a fresh transcript (the one [`case`] proves on).
pub fn check<S: Linear>(
    key: &S::VerifierKey,
    commitment: &Commitment,
    point: &[Fr],
    value: Fr,
    proof: &S::EvalProof,
) -> Result<(), crate::PcsError> {
    let mut t = PoseidonTranscript::new(LABEL);
    S::verify(key, commitment, point, value, proof, &mut t)
}

/// Honest proofs verify at 0, 1, 2, 3 and `max_vars` variables, the value is the
/// table's multilinear extension at the point, and prover and verifier leave their
/// transcripts in the same state.
pub fn completeness<S: Linear>(keys: &Keys<'_, S>) {
    for vars in [0, 1, 2, 3, keys.max_vars] {
        let c = case::<S>(keys, vars, 10 + vars as u64);
        assert_eq!(
            c.value,
            evaluate_slice(&c.opening.table, &c.point).unwrap(),
            "{vars} variables: the value"
        );
        let mut tp = PoseidonTranscript::new(LABEL);
        let (value, proof) = S::open(
            keys.prover,
            &CpuBackend,
            &c.opening,
            &c.commitment,
            &c.point,
            &mut tp,
            &mut rng(1),
        )
        .unwrap();
        let mut tv = PoseidonTranscript::new(LABEL);
        S::verify(
            keys.verifier,
            &c.commitment,
            &c.point,
            value,
            &proof,
            &mut tv,
        )
        .unwrap_or_else(|e| panic!("{vars} variables: {e}"));
        assert_eq!(
            tp.challenge(),
            tv.challenge(),
            "{vars} variables: transcripts"
        );
    }
}

/// A table shorter than `2^n` is committed as is and opened zero-padded: the commitment
/// is the padded table's, and the proof verifies.
pub fn padded_tables<S: Linear>(keys: &Keys<'_, S>) {
    let mut rng = rng(20);
    for (len, vars) in [(3usize, 2usize), (5, 3), (1, 2)] {
        let short = random_table(len, &mut rng);
        let blind = S::random_blind(&mut rng);
        let commitment = S::commit(keys.prover, &CpuBackend, &short, blind).unwrap();
        let mut table = short.clone();
        table.resize(1 << vars, Fr::zero());
        assert_eq!(
            commitment,
            S::commit(keys.prover, &CpuBackend, &table, blind).unwrap(),
            "padding does not change the commitment"
        );
        let point = random_table(vars, &mut rng);
        let opening = Opening { table, blind };
        let (value, proof) = prove::<S>(keys, &opening, &commitment, &point, &mut rng);
        check::<S>(keys.verifier, &commitment, &point, value, &proof).unwrap();
    }
}

/// A wrong value, a wrong point (each coordinate), another commitment, another setup's
/// key, a longer or shorter point and a transcript in another state are rejected.
pub fn wrong_statements<S: Linear>(keys: &Keys<'_, S>) {
    let c = case::<S>(keys, 3, 30);
    let ok = |commitment: &Commitment, point: &[Fr], value: Fr| {
        check::<S>(keys.verifier, commitment, point, value, &c.proof).is_ok()
    };
    assert!(ok(&c.commitment, &c.point, c.value));
    assert!(!ok(&c.commitment, &c.point, c.value + Fr::one()), "value");
    for i in 0..c.point.len() {
        let mut point = c.point.clone();
        point[i] += Fr::one();
        assert!(!ok(&c.commitment, &point, c.value), "point coordinate {i}");
    }
    let other = case::<S>(keys, 3, 31);
    assert!(
        !ok(&other.commitment, &c.point, c.value),
        "another commitment"
    );
    assert!(
        !ok(&Commitment::identity(), &c.point, c.value),
        "the identity"
    );
    let mut longer = c.point.clone();
    longer.push(Fr::zero());
    assert!(!ok(&c.commitment, &longer, c.value), "a longer point");
    assert!(
        !ok(&c.commitment, &c.point[1..], c.value),
        "a shorter point"
    );
    let mut t = PoseidonTranscript::new(LABEL);
    assert!(
        S::verify(
            keys.other,
            &c.commitment,
            &c.point,
            c.value,
            &c.proof,
            &mut t
        )
        .is_err(),
        "another setup"
    );
    let mut t = PoseidonTranscript::new(LABEL);
    t.absorb_u64(1);
    assert!(
        S::verify(
            keys.verifier,
            &c.commitment,
            &c.point,
            c.value,
            &c.proof,
            &mut t
        )
        .is_err(),
        "a transcript in another state"
    );
}

/// Every byte of the serialized proof (compressed and not), flipped: the bytes either do
/// not deserialize or give a proof the verifier rejects. Every truncation and one byte
/// more fail to deserialize.
pub fn tampered_proofs<S: Linear>(keys: &Keys<'_, S>) {
    let c = case::<S>(keys, 3, 40);
    for compress in [Compress::Yes, Compress::No] {
        let mut bytes = Vec::new();
        c.proof.serialize_with_mode(&mut bytes, compress).unwrap();
        let decoded =
            S::EvalProof::deserialize_with_mode(&bytes[..], compress, Validate::Yes).unwrap();
        assert_eq!(decoded, c.proof, "round trip");
        for i in 0..bytes.len() {
            for mask in [0x01u8, 0x80] {
                let mut bad = bytes.clone();
                bad[i] ^= mask;
                // (Some flipped bits are flags arkworks ignores: the same proof.)
                if let Ok(proof) =
                    S::EvalProof::deserialize_with_mode(&bad[..], compress, Validate::Yes)
                {
                    if proof == c.proof {
                        continue;
                    }
                    assert!(
                        check::<S>(keys.verifier, &c.commitment, &c.point, c.value, &proof)
                            .is_err(),
                        "byte {i} ^ {mask:#x} (compressed: {}) accepted",
                        compress == Compress::Yes
                    );
                }
            }
        }
        for len in 0..bytes.len() {
            let cut = &bytes[..len];
            let read = S::EvalProof::deserialize_with_mode(cut, compress, Validate::Yes);
            assert!(read.is_err(), "truncated to {len} bytes");
        }
    }
}

/// Random bytes never deserialize into a proof that verifies, and never panic.
pub fn malformed_bytes<S: Linear>(keys: &Keys<'_, S>) {
    let c = case::<S>(keys, 2, 50);
    let mut rng = rng(51);
    for len in [0usize, 1, 8, 31, 32, 64, 100, 1000, 4096] {
        for _ in 0..8 {
            let bytes: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
            if let Ok(proof) = S::EvalProof::deserialize_compressed(&bytes[..]) {
                assert!(
                    check::<S>(keys.verifier, &c.commitment, &c.point, c.value, &proof).is_err()
                );
            }
        }
    }
    // A huge length prefix must not allocate: eight 0xff bytes then nothing.
    let huge = [0xffu8; 40];
    assert!(S::EvalProof::deserialize_compressed(&huge[..]).is_err());
}

/// `Com(a; r) + Com(b; s) = Com(a + b; r + s)` and `k Com(a; r) = Com(k a; k r)`.
pub fn homomorphism<S: Linear>(keys: &Keys<'_, S>) {
    let mut rng = rng(60);
    let a = random_table(8, &mut rng);
    let b = random_table(6, &mut rng);
    let (r, s, k) = (Fr::rand(&mut rng), Fr::rand(&mut rng), Fr::rand(&mut rng));
    let com = |t: &[Fr], blind| S::commit(keys.prover, &CpuBackend, t, blind).unwrap();
    let sum: Vec<Fr> = (0..8)
        .map(|i| a[i] + b.get(i).copied().unwrap_or_default())
        .collect();
    assert_eq!(com(&a, r).add(&com(&b, s)), com(&sum, r + s), "sum");
    let scaled: Vec<Fr> = a.iter().map(|x| k * x).collect();
    assert_eq!(com(&a, r).scale(k), com(&scaled, k * r), "scale");
}

/// One table, two random blinds: two different commitments; blind zero is not the
/// identity for a nonzero table; two proofs of one claim differ and both verify.
pub fn hiding<S: Linear>(keys: &Keys<'_, S>) {
    let mut rng = rng(70);
    let table = random_table(8, &mut rng);
    let (r, s) = (S::random_blind(&mut rng), S::random_blind(&mut rng));
    let c1 = S::commit(keys.prover, &CpuBackend, &table, r).unwrap();
    let c2 = S::commit(keys.prover, &CpuBackend, &table, s).unwrap();
    assert_ne!(c1, c2, "two blinds, two commitments");
    let point = random_table(3, &mut rng);
    let opening = Opening { table, blind: r };
    let (v1, p1) = prove::<S>(keys, &opening, &c1, &point, &mut rng);
    let (v2, p2) = prove::<S>(keys, &opening, &c1, &point, &mut rng);
    assert_eq!(v1, v2);
    assert_ne!(p1, p2, "two openings of one claim differ");
    check::<S>(keys.verifier, &c1, &point, v1, &p1).unwrap();
    check::<S>(keys.verifier, &c1, &point, v2, &p2).unwrap();
}

/// `commit_small` and `commit_segments` give the commitment of the assembled table.
pub fn small_and_segments<S: Linear>(keys: &Keys<'_, S>) {
    let mut rng = rng(80);
    let bits: Vec<u64> = (0..8).map(|_| rng.gen_range(0..2)).collect();
    let limbs: Vec<u64> = (0..5).map(|_| rng.gen_range(0..1 << 16)).collect();
    let field = random_table(3, &mut rng);
    let blind = S::random_blind(&mut rng);
    let as_field = |v: &[u64]| v.iter().map(|&x| Fr::from(x)).collect::<Vec<_>>();
    let com = |t: &[Fr]| S::commit(keys.prover, &CpuBackend, t, blind).unwrap();
    for small in [&bits, &limbs] {
        assert_eq!(
            S::commit_small(keys.prover, &CpuBackend, small, blind).unwrap(),
            com(&as_field(small)),
            "small path"
        );
    }
    let mut table = vec![Fr::zero(); 16];
    table[..5].copy_from_slice(&as_field(&limbs));
    table[8..11].copy_from_slice(&field);
    let segments = [
        Segment::Small {
            offset: 0,
            values: &limbs,
        },
        Segment::Field {
            offset: 8,
            values: &field,
        },
    ];
    assert_eq!(
        S::commit_segments(keys.prover, &CpuBackend, &segments, blind).unwrap(),
        com(&table),
        "segments"
    );
}

/// A table or point beyond the key, and a table whose length is not `2^point.len()`,
/// are errors, never panics.
pub fn size_errors<S: Linear>(keys: &Keys<'_, S>) {
    let mut rng = rng(90);
    let too_long = vec![Fr::one(); (1 << keys.max_vars) + 1];
    assert!(S::commit(keys.prover, &CpuBackend, &too_long, Fr::zero()).is_err());
    let c = case::<S>(keys, 2, 91);
    let mut t = PoseidonTranscript::new(LABEL);
    let wrong_point = random_table(3, &mut rng);
    assert!(S::open(
        keys.prover,
        &CpuBackend,
        &c.opening,
        &c.commitment,
        &wrong_point,
        &mut t,
        &mut rng
    )
    .is_err());
    let huge_point = vec![Fr::one(); 70];
    assert!(check::<S>(keys.verifier, &c.commitment, &huge_point, c.value, &c.proof).is_err());
}

/// Serialized commitments round-trip.
pub fn commitment_bytes<S: Linear>(keys: &Keys<'_, S>) {
    let c = case::<S>(keys, 2, 100);
    let mut bytes = Vec::new();
    c.commitment.serialize_compressed(&mut bytes).unwrap();
    assert_eq!(
        Commitment::deserialize_compressed(&bytes[..]).unwrap(),
        c.commitment
    );
}

/// The whole suite.
pub fn check_scheme<S: Linear>(keys: &Keys<'_, S>) {
    assert!(keys.max_vars >= 3, "the suite needs keys for 2^3 entries");
    completeness(keys);
    padded_tables(keys);
    wrong_statements(keys);
    tampered_proofs(keys);
    malformed_bytes(keys);
    homomorphism(keys);
    hiding(keys);
    small_and_segments(keys);
    size_errors(keys);
    commitment_bytes(keys);
}
