//! The `CommitmentScheme` conformance suite (`zkpot_pcs::testing`), run by both schemes:
//! Pedersen + IPA and HyperKZG (on a seeded development SRS).

use std::sync::OnceLock;

use zkpot_pcs::{
    testing::{self, Keys},
    AnyScheme, HyperKzg, KzgKey, PcsError, PedersenIpa, PedersenKey, SchemeKey, SchemeVerifierKey,
    Srs,
};

const MAX_VARS: usize = 6;

fn pedersen() -> Keys<'static, PedersenIpa> {
    static KEYS: OnceLock<(PedersenKey, PedersenKey)> = OnceLock::new();
    let (key, other) = KEYS.get_or_init(|| {
        (
            PedersenKey::setup(b"conformance", 1 << MAX_VARS),
            PedersenKey::setup(b"conformance/other", 1 << MAX_VARS),
        )
    });
    Keys {
        prover: key,
        verifier: key,
        other,
        max_vars: MAX_VARS,
    }
}

fn kzg() -> Keys<'static, HyperKzg> {
    static KEYS: OnceLock<(KzgKey, KzgKey)> = OnceLock::new();
    let (key, other) = KEYS.get_or_init(|| {
        (
            KzgKey::new(Srs::dev_seeded(MAX_VARS as u32, 1)),
            KzgKey::new(Srs::dev_seeded(MAX_VARS as u32, 2)),
        )
    });
    Keys {
        prover: key,
        verifier: key.verifier_key(),
        other: other.verifier_key(),
        max_vars: MAX_VARS,
    }
}

macro_rules! suite {
    ($scheme:ident, $keys:ident: $($check:ident),* $(,)?) => {
        mod $scheme {
            $(
                #[test]
                fn $check() {
                    zkpot_pcs::testing::$check(&super::$keys());
                }
            )*
        }
    };
}

suite!(pedersen_ipa, pedersen: completeness, padded_tables, wrong_statements, tampered_proofs,
    malformed_bytes, homomorphism, hiding, small_and_segments, size_errors, commitment_bytes);
suite!(hyperkzg, kzg: completeness, padded_tables, wrong_statements, tampered_proofs,
    malformed_bytes, homomorphism, hiding, small_and_segments, size_errors, commitment_bytes);

/// `check_scheme` runs every check (one call, as another scheme's tests would use it).
#[test]
fn check_scheme_runs_the_whole_suite_for_hyperkzg() {
    testing::check_scheme(&kzg());
}

/// HyperKZG on the SRS of a real ceremony file (`fixtures/ptau`, power 8).
fn kzg_ceremony() -> Keys<'static, HyperKzg> {
    static KEYS: OnceLock<(KzgKey, KzgKey)> = OnceLock::new();
    let (key, other) = KEYS.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/ptau/bn128_pow8.ptau"
        );
        let srs = Srs::import_ptau(std::path::Path::new(path), Some(MAX_VARS as u32))
            .expect("the fixture imports");
        (
            KzgKey::new(srs),
            KzgKey::new(Srs::dev_seeded(MAX_VARS as u32, 1)),
        )
    });
    Keys {
        prover: key,
        verifier: key.verifier_key(),
        other: other.verifier_key(),
        max_vars: MAX_VARS,
    }
}

suite!(hyperkzg_ceremony, kzg_ceremony: completeness, padded_tables, wrong_statements, hiding);

/// [`AnyScheme`] with the keys of one scheme: the run's dispatching scheme passes the
/// whole suite for each.
fn any(kind: usize) -> Keys<'static, AnyScheme> {
    type Set = (SchemeKey, SchemeVerifierKey, SchemeVerifierKey);
    static KEYS: OnceLock<[Set; 2]> = OnceLock::new();
    let sets = KEYS.get_or_init(|| {
        let set = |key: SchemeKey, other: SchemeKey| {
            let verifier = key.verifier_key();
            (key, verifier, other.verifier_key())
        };
        [
            set(
                KzgKey::new(Srs::dev_seeded(MAX_VARS as u32, 1)).into(),
                KzgKey::new(Srs::dev_seeded(MAX_VARS as u32, 2)).into(),
            ),
            set(
                PedersenKey::setup(b"conformance", 1 << MAX_VARS).into(),
                PedersenKey::setup(b"conformance/other", 1 << MAX_VARS).into(),
            ),
        ]
    });
    let (prover, verifier, other) = &sets[kind];
    Keys {
        prover,
        verifier,
        other,
        max_vars: MAX_VARS,
    }
}

fn any_kzg() -> Keys<'static, AnyScheme> {
    any(0)
}

fn any_pedersen() -> Keys<'static, AnyScheme> {
    any(1)
}

suite!(any_scheme_kzg, any_kzg: completeness, padded_tables, wrong_statements, tampered_proofs,
    malformed_bytes, homomorphism, hiding, small_and_segments, size_errors, commitment_bytes);
suite!(any_scheme_pedersen, any_pedersen: completeness, wrong_statements, tampered_proofs,
    hiding);

/// A proof of one scheme checked with the other's key is a `SchemeMismatch` error, both
/// ways, and the two schemes' setups differ.
#[test]
fn any_scheme_rejects_a_proof_of_the_other_scheme() {
    let (kzg, pedersen) = (any_kzg(), any_pedersen());
    let a = testing::case::<AnyScheme>(&kzg, 3, 7);
    let b = testing::case::<AnyScheme>(&pedersen, 3, 7);
    for (key, case) in [(pedersen.verifier, &a), (kzg.verifier, &b)] {
        let err = testing::check::<AnyScheme>(
            key,
            &case.commitment,
            &case.point,
            case.value,
            &case.proof,
        )
        .unwrap_err();
        assert!(
            matches!(err, PcsError::SchemeMismatch { what: "proof", .. }),
            "{err:?}"
        );
    }
    assert_ne!(kzg.prover.setup(), pedersen.prover.setup());
    assert_eq!(kzg.prover.setup(), kzg.verifier.setup());
    assert_eq!(pedersen.prover.setup(), pedersen.verifier.setup());
    assert_ne!(kzg.verifier.setup(), kzg.other.setup());
    assert_ne!(pedersen.verifier.setup(), pedersen.other.setup());
}
