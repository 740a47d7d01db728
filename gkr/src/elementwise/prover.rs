//! The provers of the elementwise relations. None checks its statement: a false one
//! yields a proof that the verifier rejects (or claims that fail at the commitments).

use ark_ff::{One, Zero};
use zkpot_core::{
    eq_weights,
    sumcheck::{self, ProductProver},
    Backend, Fr, ProductSum, Transcript,
};

use super::{
    absorb_claim, check_claim, check_counts, check_same_len, combined_value, merge_statement,
    num_vars_of, open, remainder_value, BooleanityProof, Claim, Error, HadamardClaims,
    HadamardProof, LinearProof, MergeProof, RescaleClaims, RescaleProof, BOOLEANITY_LABEL,
    HADAMARD_LABEL, LINEAR_LABEL, RESCALE_LABEL,
};

/// The degree of the Hadamard and booleanity sumchecks: two factors times `eq`.
pub(super) const EQ_PRODUCT_DEGREE: usize = 3;
/// The degree of the merge sumcheck: the combined `eq` table times `T`.
pub(super) const MERGE_DEGREE: usize = 2;

/// The `i`-th final evaluation of a sumcheck (0 if absent, which an honest run never is).
fn final_eval(evals: &[Fr], i: usize) -> Fr {
    evals.get(i).copied().unwrap_or_default()
}

/// Proves `C~(r) = v` for `C = S ∘ Q` (`left` is `S`, `right` is `Q`, same power-of-two
/// length `2^n`; `output.point` has `n` coordinates), continuing `transcript`. Returns
/// the proof and the claims on `S` and `Q`, identical to what
/// [`super::verify_hadamard`] returns.
pub fn prove_hadamard<B: Backend, T: Transcript>(
    backend: &B,
    left: &[Fr],
    right: &[Fr],
    output: &Claim,
    transcript: &mut T,
) -> Result<(HadamardProof, HadamardClaims), Error> {
    let num_vars = num_vars_of(left.len())?;
    check_same_len("right", left.len(), right.len())?;
    check_claim(num_vars, output)?;
    open(transcript, HADAMARD_LABEL, num_vars, &[]);
    absorb_claim(transcript, output);

    let tables = vec![backend.upload(left), backend.upload(right)];
    let eq = backend.eq_table(&output.point);
    let mut prover = ProductProver::new(backend, ProductSum::product(2), tables, Some(eq))?;
    let out = sumcheck::prove(&mut prover, output.value, transcript);
    let (left_eval, right_eval) = (
        final_eval(&out.final_evals, 0),
        final_eval(&out.final_evals, 1),
    );
    transcript.absorb_fields(&[left_eval, right_eval]);
    let claims = HadamardClaims {
        left: Claim {
            point: out.point.clone(),
            value: left_eval,
        },
        right: Claim {
            point: out.point,
            value: right_eval,
        },
    };
    let proof = HadamardProof {
        sumcheck: out.proof,
        left_eval,
        right_eval,
    };
    Ok((proof, claims))
}

/// Proves that every entry of `table` (length `2^n`) is 0 or 1, continuing
/// `transcript`. Returns the proof and the claim on the table, identical to what
/// [`super::verify_booleanity`] returns.
pub fn prove_booleanity<B: Backend, T: Transcript>(
    backend: &B,
    table: &[Fr],
    transcript: &mut T,
) -> Result<(BooleanityProof, Claim), Error> {
    let num_vars = num_vars_of(table.len())?;
    open(transcript, BOOLEANITY_LABEL, num_vars, &[]);
    let tau = transcript.challenges(num_vars);

    let sum = ProductSum {
        terms: vec![(Fr::one(), vec![0, 0]), (-Fr::one(), vec![0])],
    };
    let tables = vec![backend.upload(table)];
    let eq = backend.eq_table(&tau);
    let mut prover = ProductProver::new(backend, sum, tables, Some(eq))?;
    let out = sumcheck::prove(&mut prover, Fr::zero(), transcript);
    let eval = final_eval(&out.final_evals, 0);
    transcript.absorb_field(&eval);
    let claim = Claim {
        point: out.point,
        value: eval,
    };
    Ok((
        BooleanityProof {
            sumcheck: out.proof,
            eval,
        },
        claim,
    ))
}

/// Merges `claims` (at least one, each with `n` coordinates) on one `table` of length
/// `2^n` into one claim at a new point, continuing `transcript`. Returns the proof and
/// the merged claim, identical to what [`super::verify_merge`] returns.
pub fn prove_merge<B: Backend, T: Transcript>(
    backend: &B,
    table: &[Fr],
    claims: &[Claim],
    transcript: &mut T,
) -> Result<(MergeProof, Claim), Error> {
    let num_vars = num_vars_of(table.len())?;
    let a = merge_statement(num_vars, claims, transcript)?;

    // E = sum_i a^i eq(r_i, .), built block by block with shared eq tables
    // (`eq_weights`).
    let mut coeff = Fr::one();
    let weighted: Vec<(&[Fr], Fr)> = claims
        .iter()
        .map(|c| {
            let w = (c.point.as_slice(), coeff);
            coeff *= a;
            w
        })
        .collect();
    let combined = eq_weights(table.len(), &weighted);
    let tables = vec![backend.upload(table), backend.upload(&combined)];
    let mut prover = ProductProver::new(backend, ProductSum::product(2), tables, None)?;
    let out = sumcheck::prove(&mut prover, combined_value(claims, a), transcript);
    let eval = final_eval(&out.final_evals, 0);
    transcript.absorb_field(&eval);
    let claim = Claim {
        point: out.point,
        value: eval,
    };
    Ok((
        MergeProof {
            sumcheck: out.proof,
            eval,
        },
        claim,
    ))
}

/// Reduces the claim `input` on the unscaled table `X` (a tensor of `num_entries`
/// entries zero-padded to `2^n`) rescaled by `2^shift` to claims on the quotient `Q`
/// (`quotient`, length `2^n`) and the remainder `R`, continuing `transcript`. Returns the
/// proof and the claims, identical to what [`super::verify_rescale`] returns. The claims
/// prove nothing until `Q` and `R` are range-checked (see [`crate::elementwise`]).
pub fn prove_rescale<B: Backend, T: Transcript>(
    backend: &B,
    quotient: &[Fr],
    input: &Claim,
    shift: u32,
    num_entries: u64,
    transcript: &mut T,
) -> Result<(RescaleProof, RescaleClaims), Error> {
    let num_vars = num_vars_of(quotient.len())?;
    check_claim(num_vars, input)?;
    let quotient_eval = backend.evaluate(&backend.upload(quotient), &input.point);
    let remainder = remainder_value(input, shift, num_entries, quotient_eval)?;
    open(
        transcript,
        RESCALE_LABEL,
        num_vars,
        &[u64::from(shift), num_entries],
    );
    absorb_claim(transcript, input);
    transcript.absorb_field(&quotient_eval);
    let claims = RescaleClaims {
        quotient: Claim {
            point: input.point.clone(),
            value: quotient_eval,
        },
        remainder: Claim {
            point: input.point.clone(),
            value: remainder,
        },
    };
    Ok((RescaleProof { quotient_eval }, claims))
}

/// Reduces the claim `output` on `Y = sum_i coeffs[i] X_i` to claims on the `inputs`
/// `X_i` (all of length `2^n`), continuing `transcript`. Returns the proof and one claim
/// per input, identical to what [`super::verify_linear`] returns.
pub fn prove_linear<B: Backend, T: Transcript>(
    backend: &B,
    coeffs: &[Fr],
    inputs: &[&[Fr]],
    output: &Claim,
    transcript: &mut T,
) -> Result<(LinearProof, Vec<Claim>), Error> {
    check_counts(coeffs.len(), inputs.len())?;
    let len = inputs.first().map_or(0, |t| t.len());
    let num_vars = num_vars_of(len)?;
    for t in inputs {
        check_same_len("input", len, t.len())?;
    }
    check_claim(num_vars, output)?;
    let evals: Vec<Fr> = inputs
        .iter()
        .map(|t| backend.evaluate(&backend.upload(t), &output.point))
        .collect();
    open(transcript, LINEAR_LABEL, num_vars, &[coeffs.len() as u64]);
    transcript.absorb_fields(coeffs);
    absorb_claim(transcript, output);
    transcript.absorb_fields(&evals);
    let claims = evals
        .iter()
        .map(|&value| Claim {
            point: output.point.clone(),
            value,
        })
        .collect();
    Ok((LinearProof { evals }, claims))
}
