//! The fixed-point codec and the one definition of rescaling.
//!
//! A fixed-point value is a signed integer `x` meaning `x / 2^frac_bits`. In the field it
//! is `x mod p`: a non-negative `x` is the element `x`, a negative one is `p - |x|`.
//! [`i64_to_field`] and [`i128_to_field`] encode; [`field_to_i128`] decodes the signed
//! representative, and [`FixedPoint::from_field`] additionally enforces the format's range,
//! so a field element that is not a small integer never silently becomes a weight.
//!
//! [`rescale`] is the rounding used after every product, shared by the trainer (which
//! computes it) and the prover (which proves the identity it documents).

use ark_ff::PrimeField;

use crate::{error::Error, field::Fr};

/// Encodes a signed integer as `x mod p` (exact for every `i64`, including `i64::MIN`).
pub fn i64_to_field(x: i64) -> Fr {
    let magnitude = Fr::from(x.unsigned_abs());
    if x < 0 {
        -magnitude
    } else {
        magnitude
    }
}

/// Encodes a signed integer as `x mod p` (exact for every `i128`, including `i128::MIN`).
pub fn i128_to_field(x: i128) -> Fr {
    let magnitude = Fr::from(x.unsigned_abs());
    if x < 0 {
        -magnitude
    } else {
        magnitude
    }
}

/// The value of `f` as an integer below `2^127`, if it is one.
fn small_magnitude(f: &Fr) -> Option<i128> {
    let limbs = f.into_bigint().0;
    if limbs[2] != 0 || limbs[3] != 0 || limbs[1] >> 63 != 0 {
        return None;
    }
    Some(((u128::from(limbs[1]) << 64) | u128::from(limbs[0])) as i128)
}

/// Decodes the unique integer in the open interval `(-2^127, 2^127)` congruent to `f`
/// modulo `p`, or `None` if there is none.
///
/// `i128::MIN = -2^127` is outside that interval, so `field_to_i128(&i128_to_field(i128::MIN))`
/// is `None`; every other `i128` round-trips.
pub fn field_to_i128(f: &Fr) -> Option<i128> {
    small_magnitude(f).or_else(|| small_magnitude(&-*f).map(|m| -m))
}

/// A fixed-point format: `frac_bits` fractional bits, values in
/// `[-2^(value_bits-1), 2^(value_bits-1))`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FixedPoint {
    frac_bits: u32,
    value_bits: u32,
}

impl FixedPoint {
    /// A format with `frac_bits` fractional bits and values of `value_bits` signed bits.
    /// Requires `1 <= frac_bits` and `frac_bits + 2 <= value_bits <= 63`.
    pub fn new(frac_bits: u32, value_bits: u32) -> Result<Self, Error> {
        if frac_bits == 0 || frac_bits.saturating_add(2) > value_bits || value_bits > 63 {
            return Err(Error::InvalidFixedPoint {
                frac_bits,
                value_bits,
            });
        }
        Ok(Self {
            frac_bits,
            value_bits,
        })
    }

    /// The number of fractional bits `f`: a value `x` means `x / 2^f`.
    pub fn frac_bits(&self) -> u32 {
        self.frac_bits
    }

    /// The signed bit width `B`: values lie in `[-2^(B-1), 2^(B-1))`.
    pub fn value_bits(&self) -> u32 {
        self.value_bits
    }

    /// The fixed-point encoding of 1.0, `2^frac_bits`.
    pub fn one(&self) -> i64 {
        1 << self.frac_bits
    }

    /// Returns `x` if it lies in `[-2^(value_bits-1), 2^(value_bits-1))`, else
    /// [`Error::OutOfRange`].
    pub fn check(&self, x: i64) -> Result<i64, Error> {
        let bound = 1i64 << (self.value_bits - 1);
        if (-bound..bound).contains(&x) {
            Ok(x)
        } else {
            Err(Error::OutOfRange {
                value: x.into(),
                bits: self.value_bits,
            })
        }
    }

    /// Encodes a range-checked value in the field.
    pub fn to_field(&self, x: i64) -> Result<Fr, Error> {
        self.check(x).map(i64_to_field)
    }

    /// Decodes a field element whose signed representative lies in the range;
    /// [`Error::FieldOutOfRange`] or [`Error::OutOfRange`] otherwise.
    pub fn from_field(&self, f: &Fr) -> Result<i64, Error> {
        let value = field_to_i128(f).ok_or(Error::FieldOutOfRange {
            value: *f,
            bits: self.value_bits,
        })?;
        let out_of_range = Error::OutOfRange {
            value,
            bits: self.value_bits,
        };
        let x = i64::try_from(value).map_err(|_| out_of_range.clone())?;
        self.check(x).map_err(|_| out_of_range)
    }

    /// Encodes a float with round half up, `floor(v * 2^f + 1/2)`, computed exactly (no
    /// double rounding). NaN, infinities and results outside the range are rejected with
    /// [`Error::FloatOutOfRange`].
    pub fn from_f64(&self, v: f64) -> Result<i64, Error> {
        let err = Error::FloatOutOfRange {
            value: v,
            frac_bits: self.frac_bits,
            value_bits: self.value_bits,
        };
        // Scaling by a power of two is exact (or overflows to infinity).
        let scaled = v * 2f64.powi(self.frac_bits as i32);
        if !scaled.is_finite() {
            return Err(err);
        }
        // `scaled - floor(scaled)` is exact, so comparing it with 1/2 decides the rounding
        // without the error that `floor(scaled + 0.5)` makes just below one half.
        let floor = scaled.floor();
        let rounded = if scaled - floor >= 0.5 {
            floor + 1.0
        } else {
            floor
        };
        let bound = 2f64.powi(self.value_bits as i32 - 1);
        if !(-bound..bound).contains(&rounded) {
            return Err(err);
        }
        // In range, so an integer of magnitude at most 2^62: the cast is exact.
        Ok(rounded as i64)
    }

    /// The real number `x / 2^frac_bits` (rounded to the nearest `f64` when `|x| > 2^53`).
    pub fn to_f64(&self, x: i64) -> f64 {
        x as f64 / 2f64.powi(self.frac_bits as i32)
    }
}

/// The result of [`rescale`]: `x + 2^(shift-1) = quotient * 2^shift + remainder`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rescaled {
    /// `floor((x + 2^(shift-1)) / 2^shift)`: `x / 2^shift` rounded half up.
    pub quotient: i128,
    /// The remainder, in `[0, 2^shift)`.
    pub remainder: i128,
}

/// Divides by `2^shift`, rounding half up (toward +infinity on ties, for negative `x` too).
///
/// For `shift = 0` the result is `quotient = x`, `remainder = 0`. For `shift >= 1`, with
/// `h = 2^(shift-1)`, the result is the unique pair with
///
/// ```text
/// x + h = quotient * 2^shift + remainder,    0 <= remainder < 2^shift,
/// ```
///
/// that is `quotient = floor((x + h) / 2^shift)` (floor division, never truncation toward
/// zero). This identity, with both `quotient` and `remainder` range-checked, is what a
/// rescale proof checks. Examples:
///
/// - `rescale(3, 1)`:  `3 + 1 = 4 = 2 * 2 + 0`, so quotient 2, remainder 0 (1.5 rounds to 2);
/// - `rescale(-3, 1)`: `-3 + 1 = -2 = -1 * 2 + 0`, so quotient -1 (-1.5 rounds to -1);
/// - `rescale(-1, 2)`: `-1 + 2 = 1 = 0 * 4 + 1`, so quotient 0, remainder 1 (-0.25 rounds to 0);
/// - `rescale(-3, 2)`: `-3 + 2 = -1 = -1 * 4 + 3`, so quotient -1, remainder 3 (-0.75 rounds to -1).
///
/// Returns `None` if `shift > 120` or `x + h` overflows `i128`.
///
/// ```
/// use zkpot_core::fixed::{rescale, Rescaled};
/// assert_eq!(rescale(-3, 1), Some(Rescaled { quotient: -1, remainder: 0 }));
/// ```
pub fn rescale(x: i128, shift: u32) -> Option<Rescaled> {
    if shift == 0 {
        return Some(Rescaled {
            quotient: x,
            remainder: 0,
        });
    }
    if shift > 120 {
        return None;
    }
    let shifted = x.checked_add(1i128 << (shift - 1))?;
    Some(Rescaled {
        // Arithmetic shift is floor division by 2^shift.
        quotient: shifted >> shift,
        // In two's complement the low bits are the non-negative remainder of floor division.
        remainder: shifted & ((1i128 << shift) - 1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::{Field, One, Zero};
    use proptest::prelude::*;

    #[test]
    fn encode_extremes() {
        assert_eq!(i64_to_field(0), Fr::zero());
        assert_eq!(i64_to_field(-1), -Fr::one());
        assert_eq!(i64_to_field(i64::MIN), -Fr::from(1u128 << 63));
        assert_eq!(i64_to_field(i64::MAX), Fr::from(i64::MAX as u64));
        assert_eq!(i128_to_field(i128::MIN), -Fr::from(1u128 << 127));
        assert_eq!(i128_to_field(i128::MAX), Fr::from(i128::MAX as u128));
        assert_eq!(i128_to_field(-5) + Fr::from(5u64), Fr::zero());
    }

    #[test]
    fn decode_extremes() {
        assert_eq!(field_to_i128(&i128_to_field(i128::MAX)), Some(i128::MAX));
        assert_eq!(field_to_i128(&i128_to_field(-i128::MAX)), Some(-i128::MAX));
        assert_eq!(field_to_i128(&i128_to_field(i128::MIN)), None);
        assert_eq!(field_to_i128(&Fr::from(1u128 << 127)), None);
        assert_eq!(field_to_i128(&(Fr::from(u128::MAX) + Fr::one())), None);
        assert_eq!(field_to_i128(&Fr::from(2u64).inverse().unwrap()), None);
        assert_eq!(
            field_to_i128(&i64_to_field(i64::MIN)),
            Some(i64::MIN.into())
        );
    }

    #[test]
    fn format_validation() {
        assert!(FixedPoint::new(16, 32).is_ok());
        assert!(FixedPoint::new(1, 3).is_ok());
        assert!(FixedPoint::new(61, 63).is_ok());
        for (f, b) in [
            (0, 32),
            (16, 17),
            (31, 32),
            (16, 64),
            (62, 63),
            (u32::MAX, 63),
        ] {
            assert_eq!(
                FixedPoint::new(f, b),
                Err(Error::InvalidFixedPoint {
                    frac_bits: f,
                    value_bits: b
                })
            );
        }
    }

    #[test]
    fn range_checks() {
        let fp = FixedPoint::new(16, 32).unwrap();
        assert_eq!(fp.one(), 65536);
        assert_eq!(fp.check(-(1 << 31)), Ok(-(1 << 31)));
        assert_eq!(fp.check((1 << 31) - 1), Ok((1 << 31) - 1));
        assert_eq!(
            fp.check(1 << 31),
            Err(Error::OutOfRange {
                value: 1 << 31,
                bits: 32
            })
        );
        assert!(fp.check(-(1 << 31) - 1).is_err());
        assert!(fp.to_field(1 << 31).is_err());
        assert_eq!(fp.to_field(-7), Ok(i64_to_field(-7)));

        assert_eq!(fp.from_field(&i64_to_field(-(1 << 31))), Ok(-(1 << 31)));
        assert_eq!(
            fp.from_field(&i64_to_field(1 << 31)),
            Err(Error::OutOfRange {
                value: 1 << 31,
                bits: 32
            })
        );
        assert_eq!(
            fp.from_field(&i128_to_field(-(1 << 100))),
            Err(Error::OutOfRange {
                value: -(1 << 100),
                bits: 32
            })
        );
        let huge = Fr::from(1u128 << 127) * Fr::from(3u64);
        assert_eq!(
            fp.from_field(&huge),
            Err(Error::FieldOutOfRange {
                value: huge,
                bits: 32
            })
        );
    }

    #[test]
    fn floats() {
        let fp = FixedPoint::new(2, 8).unwrap();
        assert_eq!(fp.from_f64(1.0), Ok(4));
        assert_eq!(fp.from_f64(0.125), Ok(1)); // 0.5 rounds up
        assert_eq!(fp.from_f64(-0.125), Ok(0)); // -0.5 rounds up
        assert_eq!(fp.from_f64(-0.375), Ok(-1)); // -1.5 rounds up
        assert_eq!(fp.from_f64(-0.38), Ok(-2));
        assert_eq!(fp.from_f64(31.75), Ok(127));
        assert_eq!(fp.from_f64(-32.0), Ok(-128));
        assert!(fp.from_f64(31.9).is_err()); // rounds to 128
        assert!(fp.from_f64(-32.2).is_err());
        assert!(fp.from_f64(f64::NAN).is_err());
        assert!(fp.from_f64(f64::INFINITY).is_err());
        assert!(fp.from_f64(f64::NEG_INFINITY).is_err());
        assert!(fp.from_f64(1e300).is_err());
        assert_eq!(fp.to_f64(-3), -0.75);

        // Just below one half: naive floor(v + 0.5) would give 1.
        let fp = FixedPoint::new(1, 8).unwrap();
        let below_half = 0.5 - f64::EPSILON / 4.0;
        assert_eq!(fp.from_f64(below_half / 2.0), Ok(0));

        let fp = FixedPoint::new(16, 63).unwrap();
        assert_eq!(fp.from_f64(-(2f64.powi(46))), Ok(-(1 << 62)));
        assert!(fp.from_f64(2f64.powi(46)).is_err());
    }

    #[test]
    fn rescale_examples() {
        let r = |q, rem| {
            Some(Rescaled {
                quotient: q,
                remainder: rem,
            })
        };
        assert_eq!(rescale(3, 1), r(2, 0));
        assert_eq!(rescale(-3, 1), r(-1, 0));
        assert_eq!(rescale(-1, 2), r(0, 1));
        assert_eq!(rescale(-3, 2), r(-1, 3));
        assert_eq!(rescale(-2, 2), r(0, 0));
        assert_eq!(rescale(-7, 0), r(-7, 0));
        assert_eq!(rescale(5 << 16, 16), r(5, 1 << 15));
        assert_eq!(rescale(i128::MIN, 120), r(-(1 << 7), 1 << 119));
        assert_eq!(rescale(1, 121), None);
        assert_eq!(rescale(i128::MAX, 1), None);
        assert_eq!(rescale(i128::MAX - 1, 1), r((1 << 126) - 1, 1));
    }

    proptest! {
        #[test]
        fn field_roundtrip(x in any::<i128>()) {
            prop_assume!(x != i128::MIN);
            prop_assert_eq!(field_to_i128(&i128_to_field(x)), Some(x));
        }

        #[test]
        fn fixed_roundtrip(x in any::<i64>(), bits in 3u32..=63) {
            let fp = FixedPoint::new(1, bits).unwrap();
            match fp.check(x) {
                Ok(_) => prop_assert_eq!(fp.from_field(&fp.to_field(x).unwrap()), Ok(x)),
                Err(_) => prop_assert!(fp.from_field(&i64_to_field(x)).is_err()),
            }
        }

        #[test]
        fn float_roundtrip(x in -(1i64 << 40)..(1i64 << 40)) {
            let fp = FixedPoint::new(16, 48).unwrap();
            prop_assert_eq!(fp.from_f64(fp.to_f64(x)), Ok(x));
        }

        #[test]
        fn rescale_identity(x in any::<i128>(), shift in 0u32..=120) {
            if let Some(Rescaled { quotient, remainder }) = rescale(x, shift) {
                let h = if shift == 0 { 0 } else { 1i128 << (shift - 1) };
                prop_assert!((0..(1i128 << shift)).contains(&remainder));
                // Check the identity without overflow: compare in the field.
                prop_assert_eq!(
                    i128_to_field(x) + i128_to_field(h),
                    i128_to_field(quotient) * Fr::from(1u128 << shift) + i128_to_field(remainder)
                );
            } else {
                prop_assert!(x.checked_add(1i128 << (shift - 1)).is_none());
            }
        }

        #[test]
        fn rescale_matches_float(x in -(1i64 << 40)..(1i64 << 40), shift in 0u32..=12) {
            let expected = (x as f64 / 2f64.powi(shift as i32) + 0.5).floor() as i128;
            prop_assert_eq!(rescale(x.into(), shift).unwrap().quotient, expected);
        }
    }
}
