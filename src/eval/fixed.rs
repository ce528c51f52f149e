//! The scaled-integer fast path of the numeric core: comparison and rounding.
//!
//! Almost every figure in a scheme is a short decimal: a few digits before
//! the point, at most four after. For those, `rust_decimal`'s general
//! 96-bit comparison and rounding cost far more than the work needs. Here a
//! value is taken apart into its digits as an integer and its scale,
//! compared or rounded with checked integer operations, and (for rounding)
//! put back together with the scale `rust_decimal` would have given.
//! Whenever that is not certain (digits beyond the integer, a scale beyond
//! 28, a result of zero, whose sign is `rust_decimal`'s to decide) the
//! function returns `None` and the caller falls back to `rust_decimal`. So
//! the results are `rust_decimal`'s, digit for digit and scale for scale,
//! which `tests::agrees_with_rust_decimal` checks on 1.5 million generated
//! cases. Never a float.
//!
//! Addition, subtraction and multiplication once had a fast path here too;
//! `rust_decimal` (1.43, the version in use) has fast paths of its own for
//! small operands, so ours only added work (measured with callgrind: 14 M more instructions for
//! 10,000 people) and was removed. Division stays with `rust_decimal`: its
//! choice of digits for inexact quotients is its own.

use rust_decimal::{Decimal, RoundingStrategy};

/// `10^n` for `n` in `0..=18`.
const POWERS_OF_TEN: [i64; 19] = {
    let mut p = [1i64; 19];
    let mut i = 1;
    while i < 19 {
        p[i] = p[i - 1] * 10;
        i += 1;
    }
    p
};

/// The largest scale a `Decimal` holds.
const MAX_SCALE: u32 = 28;

/// A decimal's digits as an `i64` and its scale, when the digits fit.
#[inline]
fn parts(d: Decimal) -> Option<(i64, u32)> {
    Some((i64::try_from(d.mantissa()).ok()?, d.scale()))
}

/// `10^n`, when it fits an `i64`.
#[inline]
fn power_of_ten(n: u32) -> Option<i64> {
    POWERS_OF_TEN.get(usize::try_from(n).ok()?).copied()
}

/// Digits and scale back into a decimal; `None` for zero (its sign is `rust_decimal`'s to decide).
#[inline]
fn join(mantissa: i64, scale: u32) -> Option<Decimal> {
    (mantissa != 0 && scale <= MAX_SCALE).then(|| Decimal::new(mantissa, scale))
}

/// The order of `a` and `b`, as `Decimal::cmp` gives it (`1.0` = `1.00`).
#[inline]
pub(super) fn compare(a: Decimal, b: Decimal) -> Option<std::cmp::Ordering> {
    let ((ma, sa), (mb, sb)) = (parts(a)?, parts(b)?);
    if sa == sb {
        return Some(ma.cmp(&mb));
    }
    let scale = sa.max(sb);
    Some(ma.checked_mul(power_of_ten(scale - sa)?)?.cmp(&mb.checked_mul(power_of_ten(scale - sb)?)?))
}

/// `value` rounded to `places` by `strategy`, then shown with exactly
/// `places` digits after the point. Works on all 96 bits of digits (as an
/// `i128`), because the values rounded most often are quotients carried to
/// 28 digits: `round(合计 / 人数, 2)`.
#[inline]
pub(super) fn round(value: Decimal, places: u32, strategy: RoundingStrategy) -> Option<Decimal> {
    let (m, scale) = (value.mantissa(), value.scale());
    if scale <= places {
        let m = i64::try_from(m).ok()?;
        return join(m.checked_mul(power_of_ten(places - scale)?)?, places);
    }
    let unit = 10i128.checked_pow(scale - places)?;
    let (quotient, remainder) = (m / unit, m % unit);
    // Twice the dropped part against one unit of the last kept digit; no
    // overflow, as a unit is at most 10^28.
    let twice = remainder.unsigned_abs() * 2;
    let one = unit.unsigned_abs();
    let up = match strategy {
        RoundingStrategy::ToZero => false,
        RoundingStrategy::AwayFromZero => remainder != 0,
        RoundingStrategy::MidpointAwayFromZero => twice >= one,
        RoundingStrategy::MidpointNearestEven => twice > one || (twice == one && quotient % 2 != 0),
        _ => return None,
    };
    let rounded = if up { quotient + m.signum() } else { quotient };
    join(i64::try_from(rounded).ok()?, places)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// splitmix64: a reproducible stream of operands.
    struct Stream(u64);

    impl Stream {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }

        /// A decimal of the kinds schemes and data hold, and the edges:
        /// short figures, midpoints like 24.125, digits near and past
        /// `i64::MAX`, zeros, large scales.
        fn decimal(&mut self) -> Decimal {
            if self.below(8) == 0 {
                // A quotient carried to 28 digits, as `合计 / 人数` gives.
                let (a, b) = (Decimal::from(self.below(100_000)), Decimal::new(1 + self.below(999) as i64, self.below(3) as u32));
                return a.checked_div(b).unwrap_or(Decimal::ONE);
            }
            let negative = self.below(4) == 0;
            let scale = match self.below(10) {
                0..=5 => self.below(5),
                6 | 7 => self.below(11),
                _ => self.below(29),
            } as u32;
            let mantissa: i128 = match self.below(12) {
                0 => 0,
                1 => {
                    // A midpoint: digits, then a 5 in the place a rounding drops.
                    let at = self.below(6) as u32;
                    i128::from(self.below(100_000)) * 10i128.pow(at + 1) + 5 * 10i128.pow(at)
                }
                2 => i128::from(i64::MAX) - i128::from(self.below(1000) as u16),
                3 => i128::from(i64::MAX) + i128::from(self.below(1000) as u16),
                4 => i128::from(self.next() >> 1),
                5 => i128::from(self.next()) * i128::from(self.below(1 << 30) as u32),
                _ => {
                    let digits = 1 + self.below(9) as u32;
                    i128::from(self.below(10u64.pow(digits)))
                }
            };
            let d = Decimal::try_from_i128_with_scale(mantissa, scale).unwrap_or(Decimal::ONE);
            if negative { -d } else { d }
        }
    }

    fn shown(d: Option<Decimal>) -> Option<String> {
        d.map(|d| format!("{d} (scale {})", d.scale()))
    }

    const STRATEGIES: [RoundingStrategy; 4] = [
        RoundingStrategy::MidpointAwayFromZero,
        RoundingStrategy::MidpointNearestEven,
        RoundingStrategy::ToZero,
        RoundingStrategy::AwayFromZero,
    ];

    /// What `ops::round` computes with `rust_decimal` alone.
    fn slow_round(value: Decimal, places: u32, strategy: RoundingStrategy) -> Decimal {
        let mut rounded = value.round_dp_with_strategy(places, strategy);
        rounded.rescale(places);
        rounded
    }

    #[test]
    fn agrees_with_rust_decimal() {
        let mut s = Stream(20261121);
        let (mut fast, mut total) = (0u32, 0u32);
        for _ in 0..300_000 {
            let (a, b) = (s.decimal(), s.decimal());
            total += 1;
            if let Some(order) = compare(a, b) {
                fast += 1;
                assert_eq!(order, a.cmp(&b), "{a} <=> {b}");
            }
            let places = s.below(6) as u32;
            for strategy in STRATEGIES {
                total += 1;
                if let Some(q) = round(a, places, strategy) {
                    fast += 1;
                    assert_eq!(shown(Some(q)), shown(Some(slow_round(a, places, strategy))), "round({a}, {places}, {strategy:?})");
                }
            }
        }
        // The stream is heavy in edge cases (digits past i64, zeros, scales
        // to 28), yet the fast path must still carry a large share, or it is
        // no fast path: 927,544 of 1,500,000 when this was written.
        assert!(fast > total / 3, "fast path taken for {fast} of {total}");
    }

    #[test]
    fn midpoints_and_edges() {
        let d = |s: &str| s.parse::<Decimal>().unwrap_or_default();
        let cases = [
            ("24.125", 2, "24.13", "24.12"),
            ("-24.125", 2, "-24.13", "-24.12"),
            ("24.135", 2, "24.14", "24.14"),
            ("0.005", 2, "0.01", "0.00"),
            ("89.995", 2, "90.00", "90.00"),
            ("2.5", 0, "3", "2"),
            ("-2.5", 0, "-3", "-2"),
            ("7", 2, "7.00", "7.00"),
        ];
        for (value, places, half_up, half_even) in cases {
            for (strategy, want) in [(RoundingStrategy::MidpointAwayFromZero, half_up), (RoundingStrategy::MidpointNearestEven, half_even)]
            {
                let got = round(d(value), places, strategy).unwrap_or_else(|| slow_round(d(value), places, strategy));
                assert_eq!(got.to_string(), want, "round({value}, {places}, {strategy:?})");
                assert_eq!(got.to_string(), slow_round(d(value), places, strategy).to_string());
            }
        }
        // Digits beyond i64 are left to rust_decimal; scales are aligned.
        assert_eq!(compare(d("9223372036854775808"), d("1")), None);
        assert_eq!(compare(d("1.50"), d("1.5")), Some(std::cmp::Ordering::Equal));
        assert_eq!(compare(d("-0.01"), d("0")), Some(std::cmp::Ordering::Less));
    }
}
