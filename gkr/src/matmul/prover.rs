//! The matrix-product prover: partial evaluations with `eq` tables, then one sumcheck.

use zkpot_core::{
    eq_table,
    sumcheck::{self, ProductProver},
    Backend, Fr, ProductSum, Transcript,
};

use super::{check_len, start, Error, MatmulClaims, MatmulProof, MatmulShape, Op, OutputPoint};
use zkpot_core::Claim;

/// Proves the claim `output` on `C = op_a(A) op_b(B)` (stacked, see [`crate::matmul`] for
/// the layout), continuing `transcript`; returns the proof and the claims on `A` and `B`.
///
/// `a` and `b` are the stored tables (`shape.a_len()` and `shape.b_len()` entries),
/// `output.point` has `shape.c_num_vars()` coordinates. The prover does not check
/// `output.value`: a claim that is not `C~(output.point)` gives a proof the verifier
/// rejects. Cost `O(|A| + |B|)` field operations.
pub fn prove_matmul<B: Backend, T: Transcript>(
    backend: &B,
    shape: &MatmulShape,
    a: &[Fr],
    b: &[Fr],
    output: &Claim,
    transcript: &mut T,
) -> Result<(MatmulProof, MatmulClaims), Error> {
    let OutputPoint { r_j, r_i, r_t } = shape.split_output_point(&output.point)?;
    check_len("A", shape.a_len(), a.len())?;
    check_len("B", shape.b_len(), b.len())?;
    start(transcript, shape, output);

    // Both reduced tables are over (x low, t high).
    let log_n = shape.log_n();
    let a_r = match shape.op_a {
        Op::N => backend.fix_block(a, log_n, r_i)?,
        Op::T => backend.fix_block(a, 0, r_i)?,
    };
    let b_r = match shape.op_b {
        Op::N => backend.fix_block(b, 0, r_j)?,
        Op::T => backend.fix_block(b, log_n, r_j)?,
    };
    let eq = (shape.k > 1).then(|| {
        // eq(r_t, t) over (x, t), constant in x.
        let eq_t = eq_table(r_t);
        let table: Vec<Fr> = eq_t
            .iter()
            .flat_map(|&e| std::iter::repeat_n(e, shape.n))
            .collect();
        backend.upload(&table)
    });
    let tables = vec![a_r, b_r];
    let mut prover = ProductProver::new(backend, ProductSum::product(2), tables, eq)?;
    debug_assert_eq!(sumcheck::SumcheckProver::degree(&prover), shape.degree());
    let out = sumcheck::prove(&mut prover, output.value, transcript);
    let eval = |i: usize| out.final_evals.get(i).copied().unwrap_or_default();
    let (a_eval, b_eval) = (eval(0), eval(1));
    transcript.absorb_field(&a_eval);
    transcript.absorb_field(&b_eval);
    let claims = shape.input_claims(r_j, r_i, &out.point, a_eval, b_eval);
    let proof = MatmulProof {
        sumcheck: out.proof,
        a: a_eval,
        b: b_eval,
    };
    Ok((proof, claims))
}
