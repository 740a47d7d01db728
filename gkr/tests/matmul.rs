//! End-to-end tests of the stacked matrix product: completeness over shapes and operand
//! modes, soundness against a wrong product, tampering with every proof field and every
//! statement field, wrong shapes, serialization and fuzzed proof bytes.

#![allow(clippy::unwrap_used)]

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

use ark_ff::{One, UniformRand};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use proptest::prelude::*;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use zkpot_core::Claim;
use zkpot_core::{CpuBackend, Fr, MultilinearTable, PoseidonTranscript, Transcript};
use zkpot_gkr::matmul::{
    matmul_naive, prove_matmul, verify_matmul, MatmulClaims, MatmulProof, MatmulShape, Op,
};
use zkpot_gkr::Error;

/// A transcript that has absorbed a stand-in for the caller's statement.
fn transcript(prefix: u64) -> PoseidonTranscript {
    let mut t = PoseidonTranscript::new(b"zkpot/test/matmul");
    t.absorb_u64(prefix);
    t
}

fn random_vec(rng: &mut ChaCha20Rng, len: usize) -> Vec<Fr> {
    (0..len).map(|_| Fr::rand(rng)).collect()
}

/// Small signed entries, as fixed-point tensors would have.
fn small_vec(rng: &mut ChaCha20Rng, len: usize) -> Vec<Fr> {
    (0..len)
        .map(|_| zkpot_core::i64_to_field(rng.gen_range(-1000i64..1000)))
        .collect()
}

fn mle(table: &[Fr], point: &[Fr]) -> Fr {
    MultilinearTable::new(table.to_vec())
        .unwrap()
        .evaluate(point)
        .unwrap()
}

/// An instance: random operands, a random point on `C` and the true claim there.
struct Instance {
    shape: MatmulShape,
    a: Vec<Fr>,
    b: Vec<Fr>,
    c: Vec<Fr>,
    output: Claim,
}

fn instance(rng: &mut ChaCha20Rng, shape: MatmulShape) -> Instance {
    let a = random_vec(rng, shape.a_len());
    let b = small_vec(rng, shape.b_len());
    let c = matmul_naive(&shape, &a, &b).unwrap();
    let point = random_vec(rng, shape.c_num_vars());
    let output = Claim {
        value: mle(&c, &point),
        point,
    };
    Instance {
        shape,
        a,
        b,
        c,
        output,
    }
}

fn prove(inst: &Instance) -> (MatmulProof, MatmulClaims) {
    prove_matmul(
        &CpuBackend,
        &inst.shape,
        &inst.a,
        &inst.b,
        &inst.output,
        &mut transcript(7),
    )
    .unwrap()
}

fn verify(shape: &MatmulShape, proof: &MatmulProof, output: &Claim) -> Result<MatmulClaims, Error> {
    verify_matmul(shape, proof, output, &mut transcript(7))
}

/// Whether the claims hold on the real tables (what the caller's checks would do).
fn claims_hold(claims: &MatmulClaims, a: &[Fr], b: &[Fr]) -> bool {
    let a = MultilinearTable::new(a.to_vec()).unwrap();
    let b = MultilinearTable::new(b.to_vec()).unwrap();
    a.evaluate(&claims.a.point) == Ok(claims.a.value)
        && b.evaluate(&claims.b.point) == Ok(claims.b.value)
}

/// The verifier accepts and the claims it leaves hold on `A` and `B`.
fn accepts(shape: &MatmulShape, proof: &MatmulProof, output: &Claim, a: &[Fr], b: &[Fr]) -> bool {
    verify(shape, proof, output).is_ok_and(|claims| claims_hold(&claims, a, b))
}

const OPS: [(Op, Op); 4] = [
    (Op::N, Op::N),
    (Op::T, Op::N),
    (Op::N, Op::T),
    (Op::T, Op::T),
];

fn shapes() -> Vec<MatmulShape> {
    let mut out = Vec::new();
    for (k, m, n, p) in [
        (1, 1, 1, 1),
        (1, 2, 8, 16),
        (1, 16, 1, 2),
        (2, 1, 16, 1),
        (2, 8, 2, 8),
        (2, 16, 16, 1),
        (4, 2, 1, 8),
        (4, 8, 16, 2),
        (4, 1, 2, 16),
        (4, 16, 8, 16),
    ] {
        for (op_a, op_b) in OPS {
            out.push(MatmulShape::new(k, m, n, p).with_ops(op_a, op_b));
        }
    }
    out
}

#[test]
fn honest_proofs_verify_and_claims_hold() {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    for shape in shapes() {
        let inst = instance(&mut rng, shape);
        let (proof, claims) = prove(&inst);
        let verified = verify(&shape, &proof, &inst.output).unwrap();
        assert_eq!(verified, claims, "{shape:?}");
        assert!(claims_hold(&claims, &inst.a, &inst.b), "{shape:?}");
        assert_eq!(claims.a.point.len(), shape.a_num_vars());
        assert_eq!(claims.b.point.len(), shape.b_num_vars());
        assert_eq!(proof.sumcheck.rounds.len(), shape.num_rounds());
        // The output claim is the product's MLE.
        assert_eq!(inst.output.value, mle(&inst.c, &inst.output.point));
    }
}

#[test]
fn input_claim_points_follow_the_layout() {
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    let shape = MatmulShape::new(2, 4, 8, 2);
    for (op_a, op_b) in OPS {
        let shape = shape.with_ops(op_a, op_b);
        let inst = instance(&mut rng, shape);
        let (_, claims) = prove(&inst);
        let r = &inst.output.point;
        let (r_j, r_i, r_t) = (&r[0..1], &r[1..3], &r[3..4]);
        // A: [rho_x, r_i, rho_t] or [r_i, rho_x, rho_t]; B: [r_j, rho_x, rho_t] or
        // [rho_x, r_j, rho_t]; rho_t is the last coordinate of both.
        let (ap, bp) = (&claims.a.point, &claims.b.point);
        assert_eq!(ap.last(), bp.last());
        assert_ne!(ap.last().unwrap(), &r_t[0]);
        match op_a {
            Op::N => assert_eq!(&ap[3..5], r_i),
            Op::T => assert_eq!(&ap[0..2], r_i),
        }
        match op_b {
            Op::N => assert_eq!(&bp[0..1], r_j),
            Op::T => assert_eq!(&bp[3..4], r_j),
        }
    }
}

/// The stored transpose of each `rows x cols` instance of `table`.
fn transpose(table: &[Fr], k: usize, rows: usize, cols: usize) -> Vec<Fr> {
    let mut out = table.to_vec();
    for t in 0..k {
        for r in 0..rows {
            for c in 0..cols {
                out[t * rows * cols + c * rows + r] = table[t * rows * cols + r * cols + c];
            }
        }
    }
    out
}

#[test]
fn transposed_operands_match_explicit_transposes() {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let (k, m, n, p) = (2, 4, 8, 2);
    let shape = MatmulShape::new(k, m, n, p);
    let a = random_vec(&mut rng, shape.a_len());
    let b = random_vec(&mut rng, shape.b_len());
    let c = matmul_naive(&shape, &a, &b).unwrap();
    let (at, bt) = (transpose(&a, k, m, n), transpose(&b, k, n, p));
    let pairs = [
        (Op::T, Op::N, &at, &b),
        (Op::N, Op::T, &a, &bt),
        (Op::T, Op::T, &at, &bt),
    ];
    for (op_a, op_b, a, b) in pairs {
        let shape = shape.with_ops(op_a, op_b);
        assert_eq!(matmul_naive(&shape, a, b).unwrap(), c);
    }
    // A hand-checked 2 x 2 product: [[1, 2], [3, 4]] [[5, 6], [7, 8]].
    let f = |xs: &[u64]| xs.iter().map(|&x| Fr::from(x)).collect::<Vec<_>>();
    let two = MatmulShape::new(1, 2, 2, 2);
    assert_eq!(
        matmul_naive(&two, &f(&[1, 2, 3, 4]), &f(&[5, 6, 7, 8])).unwrap(),
        f(&[19, 22, 43, 50])
    );
}

#[test]
fn sgd_backward_shapes() {
    // dW_t = A_t^T G_t and G_t W_t^T with A stored batch x d_in, G batch x d_out and
    // W d_in x d_out, every operand stacked over k = 4 iterations.
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let (k, batch, d_in, d_out) = (4, 8, 16, 2);
    let a = small_vec(&mut rng, k * batch * d_in);
    let g = small_vec(&mut rng, k * batch * d_out);
    let w = small_vec(&mut rng, k * d_in * d_out);
    let dw_shape = MatmulShape::new(k, d_in, batch, d_out).with_ops(Op::T, Op::N);
    let gw_shape = MatmulShape::new(k, batch, d_out, d_in).with_ops(Op::N, Op::T);
    for (shape, x, y) in [(dw_shape, &a, &g), (gw_shape, &g, &w)] {
        let c = matmul_naive(&shape, x, y).unwrap();
        let point = random_vec(&mut rng, shape.c_num_vars());
        let output = Claim {
            value: mle(&c, &point),
            point,
        };
        let (proof, _) =
            prove_matmul(&CpuBackend, &shape, x, y, &output, &mut transcript(7)).unwrap();
        assert!(accepts(&shape, &proof, &output, x, y));
    }
    // Entry (t, i, j) of dW is sum_b A[t][b][i] G[t][b][j].
    let dw = matmul_naive(&dw_shape, &a, &g).unwrap();
    let (t, i, j) = (3, 5, 1);
    let expected: Fr = (0..batch)
        .map(|r| a[t * batch * d_in + r * d_in + i] * g[t * batch * d_out + r * d_out + j])
        .sum();
    assert_eq!(dw[t * d_in * d_out + i * d_out + j], expected);
}

#[test]
fn a_wrong_product_is_rejected() {
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    for shape in [
        MatmulShape::new(1, 1, 1, 1),
        MatmulShape::new(1, 8, 2, 16),
        MatmulShape::new(4, 2, 16, 8).with_ops(Op::T, Op::T),
        MatmulShape::new(2, 16, 8, 1).with_ops(Op::N, Op::T),
    ] {
        let inst = instance(&mut rng, shape);
        for index in [0, inst.c.len() - 1, inst.c.len() / 2] {
            let mut c = inst.c.clone();
            c[index] += Fr::one();
            let output = Claim {
                value: mle(&c, &inst.output.point),
                point: inst.output.point.clone(),
            };
            let (proof, _) = prove_matmul(
                &CpuBackend,
                &shape,
                &inst.a,
                &inst.b,
                &output,
                &mut transcript(7),
            )
            .unwrap();
            assert!(
                matches!(verify(&shape, &proof, &output), Err(Error::Sumcheck(_))),
                "{shape:?}, entry {index}"
            );
            assert!(!accepts(&shape, &proof, &output, &inst.a, &inst.b));
        }
    }
}

/// Every field element of the proof, as mutable references, in a fixed order.
fn proof_fields(proof: &mut MatmulProof) -> Vec<&mut Fr> {
    let mut out: Vec<&mut Fr> = Vec::new();
    for round in &mut proof.sumcheck.rounds {
        out.extend(round.iter_mut());
    }
    out.extend([&mut proof.a, &mut proof.b]);
    out
}

#[test]
fn tampering_with_any_proof_field_is_caught() {
    let mut rng = ChaCha20Rng::seed_from_u64(6);
    for shape in [
        MatmulShape::new(1, 1, 1, 1),
        MatmulShape::new(1, 2, 8, 4),
        MatmulShape::new(4, 8, 4, 2).with_ops(Op::T, Op::N),
    ] {
        let inst = instance(&mut rng, shape);
        let (proof, _) = prove(&inst);
        assert!(accepts(&shape, &proof, &inst.output, &inst.a, &inst.b));
        let count = proof_fields(&mut proof.clone()).len();
        assert_eq!(count, shape.num_rounds() * shape.degree() + 2);
        for i in 0..count {
            let mut bad = proof.clone();
            *proof_fields(&mut bad)[i] += Fr::one();
            assert!(
                !accepts(&shape, &bad, &inst.output, &inst.a, &inst.b),
                "{shape:?}, field {i} of {count}"
            );
        }
    }
}

#[test]
fn tampering_with_the_output_claim_is_caught() {
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    for shape in [
        MatmulShape::new(1, 2, 1, 1),
        MatmulShape::new(2, 4, 8, 2).with_ops(Op::N, Op::T),
    ] {
        let inst = instance(&mut rng, shape);
        let (proof, _) = prove(&inst);
        let mut statements = Vec::new();
        let mut bad = inst.output.clone();
        bad.value += Fr::one();
        statements.push(bad);
        for j in 0..inst.output.point.len() {
            let mut bad = inst.output.clone();
            bad.point[j] += Fr::one();
            statements.push(bad);
        }
        for (s, bad) in statements.iter().enumerate() {
            // The honest proof against the changed statement.
            assert!(
                !accepts(&shape, &proof, bad, &inst.a, &inst.b),
                "{shape:?}, statement {s}"
            );
            // A proof made for the changed statement (whose value is now wrong).
            let (cheat, _) = prove_matmul(
                &CpuBackend,
                &shape,
                &inst.a,
                &inst.b,
                bad,
                &mut transcript(7),
            )
            .unwrap();
            assert!(
                !accepts(&shape, &cheat, bad, &inst.a, &inst.b),
                "{shape:?}, statement {s}"
            );
        }
    }
}

#[test]
fn transcripts_bind_the_proof() {
    let mut rng = ChaCha20Rng::seed_from_u64(8);
    let inst = instance(&mut rng, MatmulShape::new(2, 4, 4, 4));
    let (proof, _) = prove(&inst);
    let other = verify_matmul(&inst.shape, &proof, &inst.output, &mut transcript(8));
    assert!(other.is_err_and(|e| matches!(e, Error::Sumcheck(_))));
    // Prover and verifier leave their transcripts in the same state.
    let (mut tp, mut tv) = (transcript(7), transcript(7));
    prove_matmul(
        &CpuBackend,
        &inst.shape,
        &inst.a,
        &inst.b,
        &inst.output,
        &mut tp,
    )
    .unwrap();
    verify_matmul(&inst.shape, &proof, &inst.output, &mut tv).unwrap();
    assert_eq!(tp.challenge(), tv.challenge());
}

#[test]
fn wrong_shapes_are_rejected() {
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let shape = MatmulShape::new(2, 4, 8, 4);
    let inst = instance(&mut rng, shape);
    let (proof, _) = prove(&inst);
    // Same point length, different statement: the verifier errs.
    let same_len = [
        MatmulShape::new(2, 4, 4, 4),
        MatmulShape::new(2, 4, 16, 4),
        MatmulShape::new(2, 2, 8, 8),
        MatmulShape::new(4, 2, 8, 4),
        MatmulShape::new(1, 8, 8, 4),
        shape.with_ops(Op::T, Op::N),
        shape.with_ops(Op::N, Op::T),
    ];
    for bad in same_len {
        assert_eq!(bad.c_num_vars(), shape.c_num_vars());
        assert!(
            verify(&bad, &proof, &inst.output).is_err(),
            "{bad:?} accepted"
        );
    }
    // A different point length.
    assert_eq!(
        verify(&MatmulShape::new(2, 8, 8, 4), &proof, &inst.output),
        Err(Error::PointLengthMismatch {
            expected: 6,
            got: 5
        })
    );
    // Not powers of two.
    for (bad, dim, value) in [
        (MatmulShape::new(3, 4, 8, 4), "k", 3),
        (MatmulShape::new(2, 0, 8, 4), "m", 0),
        (MatmulShape::new(2, 4, 6, 4), "n", 6),
        (MatmulShape::new(2, 4, 8, 5), "p", 5),
    ] {
        let expected: Result<(), _> = Err(Error::DimensionNotPowerOfTwo { dim, value });
        assert_eq!(verify(&bad, &proof, &inst.output).map(|_| ()), expected);
        let proved = prove_matmul(
            &CpuBackend,
            &bad,
            &inst.a,
            &inst.b,
            &inst.output,
            &mut transcript(7),
        );
        assert_eq!(proved.map(|_| ()), expected);
        assert_eq!(matmul_naive(&bad, &inst.a, &inst.b).map(|_| ()), expected);
    }
    // Too large.
    let huge = MatmulShape::new(1 << 20, 1 << 20, 2, 2);
    assert!(matches!(
        verify(&huge, &proof, &inst.output),
        Err(Error::TooManyVariables { .. })
    ));
    // Tables of the wrong length, a point of the wrong length.
    let prove_with = |a: &[Fr], b: &[Fr], output: &Claim| {
        prove_matmul(&CpuBackend, &shape, a, b, output, &mut transcript(7)).map(|_| ())
    };
    assert_eq!(
        prove_with(&inst.a[1..], &inst.b, &inst.output),
        Err(Error::LengthMismatch {
            table: "A",
            expected: 64,
            got: 63
        })
    );
    assert_eq!(
        prove_with(&inst.a, &inst.b[..32], &inst.output),
        Err(Error::LengthMismatch {
            table: "B",
            expected: 64,
            got: 32
        })
    );
    let mut short = inst.output.clone();
    short.point.pop();
    assert_eq!(
        prove_with(&inst.a, &inst.b, &short),
        Err(Error::PointLengthMismatch {
            expected: 5,
            got: 4
        })
    );
}

#[test]
fn malformed_proofs_are_rejected() {
    let mut rng = ChaCha20Rng::seed_from_u64(10);
    let inst = instance(&mut rng, MatmulShape::new(2, 2, 4, 2));
    let (proof, _) = prove(&inst);
    let v = |p: &MatmulProof| verify(&inst.shape, p, &inst.output);

    let mut bad = proof.clone();
    bad.sumcheck.rounds.pop();
    assert!(matches!(v(&bad), Err(Error::Sumcheck(_))));
    let mut bad = proof.clone();
    bad.sumcheck.rounds.push(vec![Fr::one(); 3]);
    assert!(matches!(v(&bad), Err(Error::Sumcheck(_))));
    let mut bad = proof.clone();
    bad.sumcheck.rounds[1].pop();
    assert!(matches!(v(&bad), Err(Error::Sumcheck(_))));
    let mut bad = proof.clone();
    bad.sumcheck.rounds[0].push(Fr::one());
    assert!(matches!(v(&bad), Err(Error::Sumcheck(_))));
    assert!(v(&MatmulProof::default()).is_err());
}

#[test]
fn serialization_round_trips() {
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    let inst = instance(
        &mut rng,
        MatmulShape::new(4, 8, 8, 2).with_ops(Op::T, Op::T),
    );
    let (proof, _) = prove(&inst);
    for compress in [Compress::Yes, Compress::No] {
        let mut bytes = Vec::new();
        proof.serialize_with_mode(&mut bytes, compress).unwrap();
        assert_eq!(bytes.len(), proof.serialized_size(compress));
        let back = MatmulProof::deserialize_with_mode(&bytes[..], compress, Validate::Yes).unwrap();
        assert_eq!(back, proof);
    }
    let bytes = proof.to_bytes();
    assert_eq!(MatmulProof::from_bytes(&bytes).unwrap(), proof);
    let mut long = bytes.clone();
    long.push(0);
    assert_eq!(
        MatmulProof::from_bytes(&long),
        Err(Error::TrailingBytes {
            proof: "matmul",
            count: 1
        })
    );
}

#[test]
fn fuzzed_bytes_never_panic() {
    let mut rng = ChaCha20Rng::seed_from_u64(12);
    let inst = instance(&mut rng, MatmulShape::new(2, 4, 4, 2));
    let (proof, _) = prove(&inst);
    let bytes = proof.to_bytes();
    let try_bytes = |b: &[u8]| {
        catch_unwind(AssertUnwindSafe(|| {
            MatmulProof::from_bytes(b)
                .and_then(|p| verify(&inst.shape, &p, &inst.output))
                .is_ok_and(|c| claims_hold(&c, &inst.a, &inst.b))
        }))
    };
    assert_eq!(try_bytes(&bytes).ok(), Some(true));
    // Every truncation.
    for len in 0..bytes.len() {
        assert_eq!(try_bytes(&bytes[..len]).ok(), Some(false), "length {len}");
    }
    // Bit flips and random bytes.
    for _ in 0..200 {
        let mut b = bytes.clone();
        let i = rng.gen_range(0..b.len());
        b[i] ^= 1 << rng.gen_range(0..8);
        assert_eq!(try_bytes(&b).ok(), Some(false));
        let mut junk = vec![0u8; rng.gen_range(0..2 * bytes.len())];
        rng.fill_bytes(&mut junk);
        assert_eq!(try_bytes(&junk).ok(), Some(false));
    }
    // Huge declared lengths do not allocate or panic.
    let mut huge = u64::MAX.to_le_bytes().to_vec();
    huge.extend_from_slice(&bytes);
    assert_eq!(try_bytes(&huge).ok(), Some(false));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn random_small_shapes(
        seed in any::<u64>(),
        logs in (0usize..3, 0usize..4, 0usize..4, 0usize..4),
        ops in 0usize..4,
    ) {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let (op_a, op_b) = OPS[ops];
        let shape = MatmulShape::new(1 << logs.0, 1 << logs.1, 1 << logs.2, 1 << logs.3)
            .with_ops(op_a, op_b);
        let inst = instance(&mut rng, shape);
        let (proof, claims) = prove(&inst);
        prop_assert_eq!(verify(&shape, &proof, &inst.output), Ok(claims.clone()));
        prop_assert!(claims_hold(&claims, &inst.a, &inst.b));
        let mut bad = inst.output.clone();
        bad.value += Fr::one();
        prop_assert!(!accepts(&shape, &proof, &bad, &inst.a, &inst.b));
    }
}

#[test]
#[ignore = "timing: k = 16, m = 64, n = 1024 (784 padded), p = 128"]
fn timing_mnist_sized() {
    let mut rng = ChaCha20Rng::seed_from_u64(13);
    let shape = MatmulShape::new(16, 64, 1024, 128);
    let a = small_vec(&mut rng, shape.a_len());
    let b = small_vec(&mut rng, shape.b_len());
    let point = random_vec(&mut rng, shape.c_num_vars());
    let start = Instant::now();
    let c = matmul_naive(&shape, &a, &b).unwrap();
    let naive_time = start.elapsed();
    let output = Claim {
        value: mle(&c, &point),
        point,
    };
    let start = Instant::now();
    let (proof, claims) =
        prove_matmul(&CpuBackend, &shape, &a, &b, &output, &mut transcript(7)).unwrap();
    let prove_time = start.elapsed();
    let start = Instant::now();
    let verified = verify(&shape, &proof, &output).unwrap();
    let verify_time = start.elapsed();
    assert_eq!(verified, claims);
    assert!(claims_hold(&claims, &a, &b));
    println!(
        "k=16 m=64 n=1024 p=128: prove {prove_time:?}, verify {verify_time:?}, \
         naive product {naive_time:?}, proof {} bytes",
        proof.to_bytes().len()
    );
}
