//! The LogUp-GKR range check: every limb of a committed table lies in `[0, 2^16)`.
//!
//! # Statement
//!
//! A table of limbs `l` (length `N = 2^n`, field elements) and a table of multiplicities
//! `m` (length `2^16`, `m_t` = the number of `i` with `l_i = t`), both committed by the
//! caller before the proof starts. LogUp: every `l_i` is in `[0, 2^16)` (with these `m`)
//! iff, for a random `alpha`,
//!
//! ```text
//! sum_i 1 / (alpha - l_i)  -  sum_t m_t / (alpha - t)  =  0.
//! ```
//!
//! # Two fraction trees
//!
//! The sum is computed by two binary trees of fractions `(p, q)` meaning `p / q`:
//!
//! * the **limb tree**, depth `n`, leaves `(1, alpha - l_i)`;
//! * the **table tree**, depth 16, leaves `(-m_t, alpha - t)`.
//!
//! Layer `d` of a tree of depth `d` is its leaves; layer `k` has `2^k` entries over `k`
//! variables in the order of [`zkpot_core::mle`], and entry `i` of layer `k` is the sum of
//! entries `2i` and `2i + 1` of layer `k + 1` (the children differ in variable 0):
//! `(p0, q0) + (p1, q1) = (p0 q1 + p1 q0, q0 q1)`. The roots are single fractions; the
//! verifier checks that neither root denominator is zero and that
//! `p_limb q_table + p_table q_limb = 0`.
//!
//! # Walking down (batched GKR)
//!
//! Both trees are walked from the root to the leaves together, one step per layer, so
//! the prover's cost is the size of the two trees (no padding of the smaller one). Step
//! `k` (`k = 0, ..., max(n, 16) - 1`) starts from claims `(p~_k(r), q~_k(r))` at one shared
//! point `r` of `k` coordinates for every *active* tree (one whose depth is above `k`),
//! draws `lambda`, and runs one sumcheck (degree 3, `k` rounds) of
//!
//! ```text
//! sum_x eq(r, x) sum_a lambda^{2a} [ (p0 q1 + p1 q0)(x) + lambda (q0 q1)(x) ]
//!     = sum_a lambda^{2a} [ p~_k(r) + lambda q~_k(r) ],
//! ```
//!
//! `a` running over the active trees (limb tree first), `p0(x) = p_{k+1}(0, x)` and so on.
//! The prover then sends `p0, p1, q0, q1` of every active tree at the sumcheck point
//! `rho`; the verifier checks the sumcheck's final claim against them, draws `mu` and
//! moves to `p~_{k+1}(mu, rho) = p0 + mu (p1 - p0)` (likewise `q`) at the point
//! `[mu] ++ rho` (the child bit is variable 0 of layer `k + 1`). A tree whose depth is
//! `k + 1` is then at its leaves and leaves the batch; a tree of depth 0 is its own root.
//!
//! # Leaves
//!
//! At the leaves the verifier holds, for the limb tree at a point `r_l` (`n` coordinates)
//! and for the table tree at `r_t` (16 coordinates), claims `p, q`. It checks the public
//! parts itself: the limb numerators are all 1 (so `p = 1`) and the table denominators
//! are `alpha - t` (so `q = alpha - id(r_t)`, with `id(r) = sum_j r_j 2^j`, O(16)). What is
//! left are claims on the committed tables, returned as [`RangeClaims`]:
//! `l~(r_l) = alpha - q_limb` and `m~(r_t) = -p_table`. The caller must check both against
//! the commitments to `l` and `m`; until it does, nothing is proven.
//!
//! # Transcript order
//!
//! The caller has already absorbed the commitments to `l` and `m` (and its statement).
//!
//! 1. `absorb_bytes(`[`RANGE_LABEL`]`)`, `absorb_u64(n)`; squeeze `alpha`.
//! 2. absorb the roots `p_limb, q_limb, p_table, q_table`.
//! 3. for each step `k = 0, ..., max(n, 16) - 1`: squeeze `lambda`; the sumcheck of
//!    [`zkpot_core::sumcheck::prove`] (it absorbs `k`, the degree 3 and the claim, then
//!    per round the compressed polynomial and squeezes the round challenge); absorb
//!    `p0, p1, q0, q1` of each active tree (limb tree first); squeeze `mu`.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod constraints;
mod proof;
mod prover;
mod verifier;

use ark_ff::{Field, One, Zero};
use zkpot_core::Claim;
use zkpot_core::Fr;

use crate::Error;

pub use proof::{ChildPair, Fraction, LayerProof, RangeProof};
pub use prover::{prove_range, prove_range_in};
pub use verifier::{verify_range, verify_range_in};

/// Bits per limb: the table is `[0, 2^16)`.
pub const LIMB_BITS: u32 = 16;

/// The table size `2^16`.
pub const TABLE_SIZE: usize = 1 << LIMB_BITS;

/// The largest supported number of limb variables (`2^40` limbs).
pub const MAX_LIMB_VARS: usize = 40;

/// The label absorbed first by the range check.
pub const RANGE_LABEL: &[u8] = b"zkpot/gkr/range-check";

/// The sumcheck degree of every layer: two factors times `eq`.
const DEGREE: usize = 3;

/// The claims a range proof leaves on the committed tables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RangeClaims {
    /// A claim on the limb table `l` (`n` coordinates).
    pub limbs: Claim,
    /// A claim on the multiplicity table `m` (16 coordinates).
    pub multiplicities: Claim,
}

/// An honest witness: limbs and the multiplicities they imply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RangeWitness {
    /// The limbs, each in `[0, 2^16)`.
    pub limbs: Vec<u64>,
    /// `multiplicities[t]` = the number of limbs equal to `t` (`2^16` entries).
    pub multiplicities: Vec<u64>,
}

impl RangeWitness {
    /// The witness of these limbs; errors on a limb outside `[0, 2^16)` or a length that
    /// is not a power of two.
    pub fn new(limbs: Vec<u64>) -> Result<Self, Error> {
        if !limbs.len().is_power_of_two() {
            return Err(Error::NotPowerOfTwo { len: limbs.len() });
        }
        let multiplicities = multiplicities(&limbs)?;
        Ok(Self {
            limbs,
            multiplicities,
        })
    }

    /// The limb table as field elements.
    pub fn limb_evals(&self) -> Vec<Fr> {
        self.limbs.iter().map(|&x| Fr::from(x)).collect()
    }

    /// The multiplicity table as field elements.
    pub fn multiplicity_evals(&self) -> Vec<Fr> {
        self.multiplicities.iter().map(|&x| Fr::from(x)).collect()
    }
}

/// The multiplicities of `limbs` in the table `[0, 2^16)`: `2^16` counts. Errors on the
/// first limb outside the table (an honest prover refuses to prove it).
pub fn multiplicities(limbs: &[u64]) -> Result<Vec<u64>, Error> {
    multiplicities_in(LIMB_BITS, limbs)
}

/// The multiplicities of `limbs` in the table `[0, 2^table_bits)` (`table_bits` in
/// `1..=16`): `2^table_bits` counts. Errors on the first limb outside the table.
pub fn multiplicities_in(table_bits: u32, limbs: &[u64]) -> Result<Vec<u64>, Error> {
    check_table_bits(table_bits)?;
    let mut counts = vec![0u64; 1usize << table_bits];
    for (index, &value) in limbs.iter().enumerate() {
        let slot = usize::try_from(value)
            .ok()
            .and_then(|v| counts.get_mut(v))
            .ok_or(Error::LimbOutOfRange { index, value })?;
        *slot += 1;
    }
    Ok(counts)
}

/// The multilinear extension of the identity table `t -> t` at `point`:
/// `sum_j point[j] 2^j`.
pub fn identity_eval(point: &[Fr]) -> Fr {
    let mut weight = Fr::one();
    let mut acc = Fr::zero();
    for r in point {
        acc += weight * r;
        weight += weight;
    }
    acc
}

/// Depths of the two trees: the limb tree, then the table tree.
fn tree_depths(num_limb_vars: usize, table_bits: u32) -> [usize; 2] {
    [num_limb_vars, table_bits as usize]
}

/// Refuses a table width outside `1..=16`.
pub(crate) fn check_table_bits(table_bits: u32) -> Result<(), Error> {
    if (1..=LIMB_BITS).contains(&table_bits) {
        Ok(())
    } else {
        Err(Error::UnsupportedTableBits { table_bits })
    }
}

/// Names of the trees, for errors.
const TREE_NAMES: [&str; 2] = ["limb", "table"];

/// The transcript's opening: label, `n` and the table width, then `alpha`.
fn start<T: zkpot_core::Transcript>(
    transcript: &mut T,
    num_limb_vars: usize,
    table_bits: u32,
) -> Fr {
    transcript.absorb_bytes(RANGE_LABEL);
    transcript.absorb_u64(num_limb_vars as u64);
    transcript.absorb_u64(u64::from(table_bits));
    transcript.challenge()
}

/// Checks the roots (nonzero denominators, zero sum).
fn check_roots(roots: &[Fraction; 2]) -> Result<(), Error> {
    for (root, tree) in roots.iter().zip(TREE_NAMES) {
        if root.denominator.is_zero() {
            return Err(Error::ZeroDenominator { tree });
        }
    }
    let [a, b] = roots;
    let numerator = a.numerator * b.denominator + b.numerator * a.denominator;
    if numerator.is_zero() {
        Ok(())
    } else {
        Err(Error::RootNotZero { numerator })
    }
}

/// `sum_a lambda^{2a} (p_a + lambda q_a)` over the active trees' claims.
fn combine_claims(claims: &[Fraction], lambda: Fr) -> Fr {
    let lambda_sq = lambda.square();
    let mut coeff = Fr::one();
    let mut acc = Fr::zero();
    for c in claims {
        acc += coeff * (c.numerator + lambda * c.denominator);
        coeff *= lambda_sq;
    }
    acc
}

/// `sum_a lambda^{2a} (p0 q1 + p1 q0 + lambda q0 q1)` over the active trees' children.
fn combine_children(children: &[ChildPair], lambda: Fr) -> Fr {
    let parents: Vec<Fraction> = children.iter().map(ChildPair::parent).collect();
    combine_claims(&parents, lambda)
}

/// Turns the leaf claims into claims on the committed tables, checking the public parts.
fn leaf_claims(
    alpha: Fr,
    limb: (Vec<Fr>, Fraction),
    table: (Vec<Fr>, Fraction),
) -> Result<RangeClaims, Error> {
    let (limb_point, limb_leaf) = limb;
    let (table_point, table_leaf) = table;
    if !limb_leaf.numerator.is_one() {
        return Err(Error::LimbNumeratorNotOne {
            got: limb_leaf.numerator,
        });
    }
    let expected = alpha - identity_eval(&table_point);
    if table_leaf.denominator != expected {
        return Err(Error::TableDenominatorMismatch {
            expected,
            got: table_leaf.denominator,
        });
    }
    Ok(RangeClaims {
        limbs: Claim {
            point: limb_point,
            value: alpha - limb_leaf.denominator,
        },
        multiplicities: Claim {
            point: table_point,
            value: -table_leaf.numerator,
        },
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]

    use super::*;
    use zkpot_core::MultilinearTable;

    #[test]
    fn multiplicities_count_and_refuse() {
        let m = multiplicities(&[0, 5, 5, 65535]).unwrap();
        assert_eq!((m[0], m[5], m[65535], m.iter().sum::<u64>()), (1, 2, 1, 4));
        assert_eq!(
            multiplicities(&[1, 65536]),
            Err(Error::LimbOutOfRange {
                index: 1,
                value: 65536
            })
        );
        assert_eq!(
            RangeWitness::new(vec![1, 2, 3]),
            Err(Error::NotPowerOfTwo { len: 3 })
        );
    }

    #[test]
    fn identity_eval_is_the_mle_of_the_identity() {
        let table: Vec<Fr> = (0..1u64 << 5).map(Fr::from).collect();
        let t = MultilinearTable::new(table).unwrap();
        let point: Vec<Fr> = (0..5u64).map(|j| Fr::from(3 * j + 7)).collect();
        assert_eq!(identity_eval(&point), t.evaluate(&point).unwrap());
    }

    #[test]
    fn roots_check() {
        let f = |p: i64, q: i64| Fraction {
            numerator: zkpot_core::i64_to_field(p),
            denominator: zkpot_core::i64_to_field(q),
        };
        assert!(check_roots(&[f(1, 2), f(-2, 4)]).is_ok());
        assert!(matches!(
            check_roots(&[f(1, 2), f(-1, 4)]),
            Err(Error::RootNotZero { .. })
        ));
        assert_eq!(
            check_roots(&[f(0, 0), f(0, 4)]),
            Err(Error::ZeroDenominator { tree: "limb" })
        );
    }
}
