//! The range-check prover: builds the two fraction trees, then walks them from the roots
//! down with one batched sumcheck per layer.

// The prover indexes tables it built or whose lengths it checked; the parent module's
// deny of indexing guards the verifier's paths, which never come here.
#![allow(clippy::indexing_slicing)]

use ark_ff::One;
use rayon::prelude::*;
use zkpot_core::{
    sumcheck::{self, ProductProver},
    Backend, Fr, ProductSum, Transcript,
};

use super::{
    check_table_bits, combine_claims, leaf_claims, start, tree_depths, ChildPair, Fraction,
    LayerProof, RangeClaims, RangeProof, LIMB_BITS, MAX_LIMB_VARS,
};
use crate::Error;

/// A fraction tree: `layers[k] = (p, q)` with `2^k` entries each; the last is the leaves.
type Tree = Vec<(Vec<Fr>, Vec<Fr>)>;

/// The tree above `leaves`: entry `i` of a layer is the sum of entries `2i, 2i + 1` below.
fn build_tree(p: Vec<Fr>, q: Vec<Fr>) -> Tree {
    let mut layers = vec![(p, q)];
    while let Some((p, q)) = layers.last().filter(|(p, _)| p.len() > 1) {
        let parent: (Vec<Fr>, Vec<Fr>) = p
            .par_chunks_exact(2)
            .zip(q.par_chunks_exact(2))
            .map(|(p, q)| (p[0] * q[1] + p[1] * q[0], q[0] * q[1]))
            .unzip();
        layers.push(parent);
    }
    layers.reverse();
    layers
}

/// Splits a layer into its even (child bit 0) and odd (child bit 1) entries.
fn split(v: &[Fr]) -> (Vec<Fr>, Vec<Fr>) {
    v.par_chunks_exact(2).map(|c| (c[0], c[1])).unzip()
}

/// Proves that every entry of `limbs` (length `2^n`) lies in `[0, 2^16)`, with
/// `multiplicities` (length `2^16`) the count of each table value, continuing
/// `transcript` (which has absorbed the commitments to both tables). Returns the proof
/// and the claims on the two tables, identical to what [`super::verify_range`] returns.
///
/// Limbs are field elements so that a cheating prover can be simulated; an honest
/// prover builds them with [`super::RangeWitness`]. The prover does not check the
/// statement: a false one yields a proof that the verifier rejects.
pub fn prove_range<B: Backend, T: Transcript>(
    backend: &B,
    limbs: &[Fr],
    multiplicities: &[Fr],
    transcript: &mut T,
) -> Result<(RangeProof, RangeClaims), Error> {
    prove_range_in(backend, LIMB_BITS, limbs, multiplicities, transcript)
}

/// [`prove_range`] against the table `[0, 2^table_bits)` (`table_bits` in `1..=16`;
/// `multiplicities` has `2^table_bits` entries): the top limb of a value whose width is
/// not a multiple of 16 is checked against a narrower table.
pub fn prove_range_in<B: Backend, T: Transcript>(
    backend: &B,
    table_bits: u32,
    limbs: &[Fr],
    multiplicities: &[Fr],
    transcript: &mut T,
) -> Result<(RangeProof, RangeClaims), Error> {
    let num_limb_vars = check_statement(table_bits, limbs, multiplicities)?;
    let depths = tree_depths(num_limb_vars, table_bits);
    let num_layers = num_limb_vars.max(depths[1]);

    let alpha = start(transcript, num_limb_vars, table_bits);
    let mut trees = fraction_trees(alpha, limbs, multiplicities);
    let roots = trees
        .each_ref()
        .map(|t| Fraction::new(t[0].0[0], t[0].1[0]));
    for root in &roots {
        transcript.absorb_fields(&[root.numerator, root.denominator]);
    }

    let mut claims = roots;
    let mut leaves: [(Vec<Fr>, Fraction); 2] = [(Vec::new(), roots[0]), (Vec::new(), roots[1])];
    let mut point: Vec<Fr> = Vec::new();
    let mut layers = Vec::with_capacity(num_layers);
    for k in 0..num_layers {
        let active: Vec<usize> = (0..2).filter(|&j| depths[j] > k).collect();
        let lambda = transcript.challenge();
        let active_claims: Vec<Fraction> = active.iter().map(|&j| claims[j]).collect();
        let claim = combine_claims(&active_claims, lambda);
        let layer = LayerSum::new(backend, &mut trees, &active, depths, k, lambda);
        let eq = backend.eq_table(&point);
        let mut prover = ProductProver::new(backend, layer.sum, layer.tables, Some(eq))?;
        let out = sumcheck::prove(&mut prover, claim, transcript);
        let children = children_at(&out.final_evals, &layer.ones_numerators);
        debug_assert_eq!(children.len(), active.len());
        for pair in &children {
            transcript.absorb_fields(&pair.transcript_fields());
        }
        let mu = transcript.challenge();
        point = std::iter::once(mu).chain(out.point).collect();
        for (&j, pair) in active.iter().zip(&children) {
            claims[j] = pair.merge(mu);
            if depths[j] == k + 1 {
                leaves[j] = (point.clone(), claims[j]);
            }
        }
        layers.push(LayerProof {
            sumcheck: out.proof,
            children,
        });
    }
    let [limb, table] = leaves;
    let range_claims = leaf_claims(alpha, limb, table)?;
    let proof = RangeProof {
        limb_root: roots[0],
        table_root: roots[1],
        layers,
    };
    Ok((proof, range_claims))
}

/// Checks the statement (the table width, a power-of-two limb table within
/// [`MAX_LIMB_VARS`] variables, `2^table_bits` multiplicities); returns `n`.
fn check_statement(table_bits: u32, limbs: &[Fr], multiplicities: &[Fr]) -> Result<usize, Error> {
    check_table_bits(table_bits)?;
    let table_size = 1usize << table_bits;
    if !limbs.len().is_power_of_two() {
        return Err(Error::NotPowerOfTwo { len: limbs.len() });
    }
    if multiplicities.len() != table_size {
        return Err(Error::LengthMismatch {
            table: "multiplicities",
            expected: table_size,
            got: multiplicities.len(),
        });
    }
    let num_limb_vars = limbs.len().trailing_zeros() as usize;
    if num_limb_vars > MAX_LIMB_VARS {
        return Err(Error::TooManyVariables {
            num_vars: num_limb_vars,
            max: MAX_LIMB_VARS,
        });
    }
    Ok(num_limb_vars)
}

/// The limb tree (leaves `(1, alpha - l_i)`) and the table tree (leaves
/// `(-m_t, alpha - t)`, `t < multiplicities.len()`).
fn fraction_trees(alpha: Fr, limbs: &[Fr], multiplicities: &[Fr]) -> [Tree; 2] {
    let limb_tree = build_tree(
        vec![Fr::one(); limbs.len()],
        limbs.par_iter().map(|l| alpha - l).collect(),
    );
    let table_tree = build_tree(
        multiplicities.par_iter().map(|m| -*m).collect(),
        (0..multiplicities.len() as u64)
            .into_par_iter()
            .map(|t| alpha - Fr::from(t))
            .collect(),
    );
    [limb_tree, table_tree]
}

/// The summand of one layer's batched sumcheck: the tables of the active trees' children
/// (taken out of the trees) and the terms over them.
struct LayerSum<B: Backend> {
    tables: Vec<B::Table>,
    sum: ProductSum,
    /// Per active tree, whether its children's numerators are the limb leaves' ones
    /// (left out of the tables).
    ones_numerators: Vec<bool>,
}

impl<B: Backend> LayerSum<B> {
    /// Tables `[p0, p1, q0, q1]` per active tree with terms `c (p0 q1 + p1 q0)` and
    /// `c lambda q0 q1` (`c = lambda^{2a}` for the `a`-th active tree). The limb leaves'
    /// numerators are all 1: there only `[q0, q1]` go in, with terms `c q1 + c q0 +
    /// c lambda q0 q1`, and `p0 = p1 = 1` is filled in afterwards ([`children_at`]).
    fn new(
        backend: &B,
        trees: &mut [Tree; 2],
        active: &[usize],
        depths: [usize; 2],
        k: usize,
        lambda: Fr,
    ) -> Self {
        let mut tables = Vec::with_capacity(4 * active.len());
        let mut terms = Vec::with_capacity(3 * active.len());
        let mut ones_numerators = Vec::with_capacity(active.len());
        let mut coeff = Fr::one();
        for &j in active {
            let (p, q) = std::mem::take(&mut trees[j][k + 1]);
            let ones = j == 0 && depths[j] == k + 1;
            ones_numerators.push(ones);
            let b = tables.len();
            if ones {
                let (q0, q1) = split(&q);
                drop((p, q));
                tables.extend([backend.upload(&q0), backend.upload(&q1)]);
                terms.push((coeff, vec![b + 1]));
                terms.push((coeff, vec![b]));
                terms.push((coeff * lambda, vec![b, b + 1]));
            } else {
                let ((p0, p1), (q0, q1)) = rayon::join(|| split(&p), || split(&q));
                drop((p, q));
                for t in [p0, p1, q0, q1] {
                    tables.push(backend.upload(&t));
                }
                terms.push((coeff, vec![b, b + 3]));
                terms.push((coeff, vec![b + 1, b + 2]));
                terms.push((coeff * lambda, vec![b + 2, b + 3]));
            }
            coeff *= lambda * lambda;
        }
        Self {
            tables,
            sum: ProductSum { terms },
            ones_numerators,
        }
    }
}

/// The children of the active trees at the sumcheck point, from the sumcheck's final
/// evaluations in table order ([`LayerSum::new`]).
fn children_at(final_evals: &[Fr], ones_numerators: &[bool]) -> Vec<ChildPair> {
    let mut evals = final_evals.iter().copied();
    let mut next = || evals.next().unwrap_or_default();
    ones_numerators
        .iter()
        .map(|&ones| {
            let (p0, p1) = if ones {
                (Fr::one(), Fr::one())
            } else {
                (next(), next())
            };
            let (q0, q1) = (next(), next());
            ChildPair {
                left: Fraction::new(p0, q0),
                right: Fraction::new(p1, q1),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::{Field, UniformRand};
    use proptest::prelude::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;
    use zkpot_core::MultilinearTable;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// The root is the sum of the leaf fractions, and a layer's MLE at `[mu] ++ r` is
        /// the `merge` of its even and odd halves at `r` (the child bit is variable 0).
        #[test]
        fn tree_root_and_merge(seed in any::<u64>(), depth in 0usize..7) {
            let mut rng = ChaCha20Rng::seed_from_u64(seed);
            let p: Vec<Fr> = (0..1 << depth).map(|_| Fr::rand(&mut rng)).collect();
            let q: Vec<Fr> = (0..1 << depth).map(|_| Fr::rand(&mut rng)).collect();
            let tree = build_tree(p.clone(), q.clone());
            prop_assert_eq!(tree.len(), depth + 1);
            let sum: Fr = p.iter().zip(&q).map(|(p, q)| *p * q.inverse().unwrap()).sum();
            let root = (tree[0].0[0], tree[0].1[0]);
            prop_assert_eq!(root.0 * root.1.inverse().unwrap(), sum);
            if depth > 0 {
                let mle = |v: &[Fr], point: &[Fr]| {
                    MultilinearTable::new(v.to_vec()).unwrap().evaluate(point).unwrap()
                };
                let r: Vec<Fr> = (0..depth - 1).map(|_| Fr::rand(&mut rng)).collect();
                let mu = Fr::rand(&mut rng);
                let (p0, p1) = split(&p);
                let (q0, q1) = split(&q);
                let pair = ChildPair {
                    left: Fraction::new(mle(&p0, &r), mle(&q0, &r)),
                    right: Fraction::new(mle(&p1, &r), mle(&q1, &r)),
                };
                let point: Vec<Fr> = std::iter::once(mu).chain(r).collect();
                prop_assert_eq!(pair.merge(mu), Fraction::new(mle(&p, &point), mle(&q, &point)));
            }
        }
    }
}
