//! The scaled-integer lane of the numeric core: addition, subtraction,
//! multiplication, comparison and rounding on [`Fixed`] decimals.
//!
//! Almost every figure in a scheme is a short decimal: a few digits before
//! the point, at most four after. The evaluator keeps its numbers packed
//! ([`crate::decimals::Decimals`]); a narrow entry comes apart into its
//! digits as an `i64` and its scale for free, and the operations here work
//! on those with checked integer arithmetic, giving the digits and the
//! scale `rust_decimal` would have given. Whenever that is not certain (an
//! overflow, a scale beyond 28, a result of zero, whose sign is
//! `rust_decimal`'s to decide) the function returns `None` and the caller
//! computes that one value with `rust_decimal`. So the results are
//! `rust_decimal`'s, digit for digit and scale for scale, which the tests
//! check on millions of generated cases, edges included. Never a float.
//!
//! Division stays with `rust_decimal`: its choice of digits for inexact
//! quotients is its own. (A first fast lane for addition once took
//! `Decimal`s apart and put them back together at every operation, and
//! cost more than it saved; here the numbers stay apart between
//! operations.)

use rust_decimal::{Decimal, RoundingStrategy};

use crate::decimals::Fixed;

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

/// `10^n` for `n` in `0..=38`, every power of ten an `i128` holds.
const WIDE_POWERS_OF_TEN: [i128; 39] = {
    let mut p = [1i128; 39];
    let mut i = 1;
    while i < 39 {
        p[i] = p[i - 1] * 10;
        i += 1;
    }
    p
};

/// `10^n` as an `i128`, when it fits.
#[inline]
fn wide_power_of_ten(n: u32) -> Option<i128> {
    WIDE_POWERS_OF_TEN.get(usize::try_from(n).ok()?).copied()
}

/// The largest scale a `Decimal` holds.
const MAX_SCALE: u32 = 28;

/// `10^n`, when it fits an `i64`.
#[inline]
fn power_of_ten(n: u32) -> Option<i64> {
    POWERS_OF_TEN.get(usize::try_from(n).ok()?).copied()
}

/// Digits and scale as a result; `None` for zero (its sign is `rust_decimal`'s to decide).
#[inline]
fn nonzero(mantissa: i64, scale: u32) -> Option<Fixed> {
    (mantissa != 0 && scale <= MAX_SCALE).then_some(Fixed { mantissa, scale })
}

/// Both operands' digits at the larger of their scales.
#[inline]
fn aligned(a: Fixed, b: Fixed) -> Option<(i64, i64, u32)> {
    // Only the operand of the smaller scale is scaled up (most often neither is).
    match a.scale.cmp(&b.scale) {
        std::cmp::Ordering::Equal => Some((a.mantissa, b.mantissa, a.scale)),
        std::cmp::Ordering::Less => Some((a.mantissa.checked_mul(power_of_ten(b.scale - a.scale)?)?, b.mantissa, b.scale)),
        std::cmp::Ordering::Greater => Some((a.mantissa, b.mantissa.checked_mul(power_of_ten(a.scale - b.scale)?)?, a.scale)),
    }
}

/// `a + b`, with the larger scale, as `Decimal` adds. A zero operand
/// gives the other as it is, as in `rust_decimal`: `0.000 + 6.5` = `6.5`.
#[inline]
pub(super) fn add(a: Fixed, b: Fixed) -> Option<Fixed> {
    if a.mantissa == 0 {
        return Some(b);
    }
    if b.mantissa == 0 {
        return Some(a);
    }
    let (x, y, scale) = aligned(a, b)?;
    nonzero(x.checked_add(y)?, scale)
}

/// `a - b`, with the larger scale, as `Decimal` subtracts. A zero operand
/// gives the other as it is (negated, for `0 - b`), as in `rust_decimal`.
#[inline]
pub(super) fn sub(a: Fixed, b: Fixed) -> Option<Fixed> {
    if a.mantissa == 0 {
        return Some(Fixed { mantissa: -b.mantissa, scale: b.scale });
    }
    if b.mantissa == 0 {
        return Some(a);
    }
    let (x, y, scale) = aligned(a, b)?;
    nonzero(x.checked_sub(y)?, scale)
}

/// `a × b`, the scales added, as `Decimal` multiplies while the product
/// fits; a zero operand gives `0` (scale 0), as in `rust_decimal`.
#[inline]
pub(super) fn mul(a: Fixed, b: Fixed) -> Option<Fixed> {
    if a.mantissa == 0 || b.mantissa == 0 {
        return Some(Fixed { mantissa: 0, scale: 0 });
    }
    nonzero(a.mantissa.checked_mul(b.mantissa)?, a.scale + b.scale)
}

/// The order of `a` and `b`, as `Decimal::cmp` gives it (`1.0` = `1.00`).
#[inline]
pub(super) fn order(a: Fixed, b: Fixed) -> Option<std::cmp::Ordering> {
    if a.scale == b.scale {
        return Some(a.mantissa.cmp(&b.mantissa));
    }
    let (x, y, _) = aligned(a, b)?;
    Some(x.cmp(&y))
}

/// The order of `a` and `b`, as `Decimal::cmp` gives it (`1.0` = `1.00`):
/// in 64-bit arithmetic where both are narrow, else in 128-bit (a quotient
/// carried to 28 digits against a threshold: `实际支出 / 预算 <= 100%`).
#[inline]
pub(super) fn compare(a: Decimal, b: Decimal) -> Option<std::cmp::Ordering> {
    if let (Some(x), Some(y)) = (Fixed::of(a), Fixed::of(b)) {
        return order(x, y);
    }
    let (x, y) = (a.mantissa(), b.mantissa());
    match a.scale().cmp(&b.scale()) {
        std::cmp::Ordering::Equal => Some(x.cmp(&y)),
        std::cmp::Ordering::Less => Some(x.checked_mul(wide_power_of_ten(b.scale() - a.scale())?)?.cmp(&y)),
        std::cmp::Ordering::Greater => Some(x.cmp(&y.checked_mul(wide_power_of_ten(a.scale() - b.scale())?)?)),
    }
}

/// `value` rounded to `places` by `strategy`, then shown with exactly
/// `places` digits after the point. Works on all 96 bits of digits (as an
/// `i128`), because the values rounded most often are quotients carried to
/// 28 digits: `round(合计 / 人数, 2)`.
#[inline]
pub(super) fn round(value: Decimal, places: u32, strategy: RoundingStrategy) -> Option<Decimal> {
    round_digits(value.mantissa(), value.scale(), places, strategy).map(Fixed::decimal)
}

/// [`round`] of a fixed-point decimal.
#[inline]
pub(super) fn round_fixed(value: Fixed, places: u32, strategy: RoundingStrategy) -> Option<Fixed> {
    round_digits(i128::from(value.mantissa), value.scale, places, strategy)
}

/// `m × 10^-scale` rounded to `places`, as digits at scale `places`.
#[inline]
fn round_digits(m: i128, scale: u32, places: u32, strategy: RoundingStrategy) -> Option<Fixed> {
    if scale <= places {
        let m = i64::try_from(m).ok()?;
        return nonzero(m.checked_mul(power_of_ten(places - scale)?)?, places);
    }
    let rounded = match (i64::try_from(m), power_of_ten(scale - places)) {
        (Ok(m), Some(unit)) => rounded_quotient(m, unit, strategy)?,
        _ => i64::try_from(rounded_quotient(m, wide_power_of_ten(scale - places)?, strategy)?).ok()?,
    };
    nonzero(rounded, places)
}

/// The whole numbers a quotient is rounded in ([`rounded_quotient`]):
/// `i64` for almost every figure (one machine division, no 128-bit
/// arithmetic), `i128` for digits carried to 28 places.
trait Whole: Copy + PartialEq + std::ops::Div<Output = Self> + std::ops::Rem<Output = Self> + std::ops::Add<Output = Self> {
    /// Zero.
    const ZERO: Self;
    /// -1, 0 or 1, as the number's sign.
    fn signum(self) -> Self;
    /// Whether the number is odd.
    fn is_odd(self) -> bool;
    /// Twice this number's magnitude against `other`'s.
    fn twice_against(self, other: Self) -> std::cmp::Ordering;
}

/// [`Whole`] for a primitive integer. Twice a remainder fits the unsigned
/// type: a remainder is below its divisor, which is at most 2^63 for `i64`
/// and kept below 2^126 by the callers for `i128`.
macro_rules! whole {
    ($int:ty) => {
        impl Whole for $int {
            const ZERO: $int = 0;
            fn signum(self) -> $int {
                <$int>::signum(self)
            }
            fn is_odd(self) -> bool {
                self % 2 != 0
            }
            fn twice_against(self, other: $int) -> std::cmp::Ordering {
                (self.unsigned_abs() * 2).cmp(&other.unsigned_abs())
            }
        }
    };
}

whole!(i64);
whole!(i128);

/// `numerator / divisor` (the divisor positive) rounded to a whole number by `strategy`.
#[inline]
fn rounded_quotient<W: Whole>(numerator: W, divisor: W, strategy: RoundingStrategy) -> Option<W> {
    let (quotient, remainder) = (numerator / divisor, numerator % divisor);
    let up = match strategy {
        RoundingStrategy::ToZero => false,
        RoundingStrategy::AwayFromZero => remainder != W::ZERO,
        RoundingStrategy::MidpointAwayFromZero => remainder.twice_against(divisor).is_ge(),
        RoundingStrategy::MidpointNearestEven => match remainder.twice_against(divisor) {
            std::cmp::Ordering::Greater => true,
            std::cmp::Ordering::Equal => quotient.is_odd(),
            std::cmp::Ordering::Less => false,
        },
        _ => return None,
    };
    Some(if up { quotient + numerator.signum() } else { quotient })
}

/// `round(a / b, places)`, from the exact quotient in one integer division,
/// when that is certain to equal what `rust_decimal` gives: it divides to
/// 28 significant digits (or 28 places) first, then rounds that.
///
/// The two agree unless the exact quotient `q` and `rust_decimal`'s `q'`
/// lie on different sides of a rounding boundary (a multiple of half a unit
/// in the last kept place), or `q'` falls on one and `q` does not. `q'`
/// is within one unit of its last digit of `q`, which is at most
/// `max(10^-28, |q| × 1.3 × 10^-28)` because `rust_decimal` stops dividing
/// only at scale 28 or when ten times its digits would not fit 96 bits.
/// With `q = N / D` (`N`, `D` whole), a `q` off a boundary is at least
/// `1 / (2 × D × 10^places)` from it. So when `2 × D × 10^places × (|q| + 1) < 10^27`
/// the distance is over seven units of `q'`'s last digit and both round alike;
/// a `q` on a boundary has few digits, and `rust_decimal` gives it exactly.
/// Otherwise (and for a zero result, whose sign is `rust_decimal`'s to
/// decide, or a zero divisor, a fault the caller reports) `None`.
#[inline]
pub(super) fn round_quotient(a: Fixed, b: Fixed, places: u32, strategy: RoundingStrategy) -> Option<Fixed> {
    if b.mantissa == 0 {
        return None;
    }
    if let Some((numerator, divisor)) = small_quotient(a, b, places) {
        return nonzero(rounded_quotient(numerator, divisor, strategy)?, places);
    }
    // a / b × 10^places = (a.mantissa × 10^(b.scale + places)) / (b.mantissa × 10^a.scale)
    let mut numerator = i128::from(a.mantissa).checked_mul(wide_power_of_ten(b.scale.checked_add(places)?)?)?;
    let mut divisor = i128::from(b.mantissa).checked_mul(wide_power_of_ten(a.scale)?)?;
    if divisor < 0 {
        (numerator, divisor) = (numerator.checked_neg()?, divisor.checked_neg()?);
    }
    // q = N / (D × 10^places), so 2 × D × 10^places × (|q| + 1) = 2 × |N| + 2 × D × 10^places.
    let scaled_divisor = divisor.unsigned_abs().checked_mul(wide_power_of_ten(places)?.unsigned_abs())?;
    let bound = numerator.unsigned_abs().checked_add(scaled_divisor)?.checked_mul(2)?;
    if bound >= 10u128.pow(27) {
        return None;
    }
    nonzero(i64::try_from(rounded_quotient(numerator, divisor, strategy)?).ok()?, places)
}

/// [`round_quotient`]'s numerator and (positive) divisor when they, and the
/// divisor times `10^places`, fit an `i64`, as for almost every figure: the
/// bound then holds without 128-bit arithmetic, since
/// `2 × (|N| + D × 10^places) < 2 × 2 × 2^63 = 2^65 < 10^27`.
#[inline]
fn small_quotient(a: Fixed, b: Fixed, places: u32) -> Option<(i64, i64)> {
    let numerator = a.mantissa.checked_mul(power_of_ten(b.scale.checked_add(places)?)?)?;
    let divisor = b.mantissa.checked_mul(power_of_ten(a.scale)?)?;
    let (numerator, divisor) = if divisor < 0 { (numerator.checked_neg()?, divisor.checked_neg()?) } else { (numerator, divisor) };
    divisor.checked_mul(power_of_ten(places)?)?;
    Some((numerator, divisor))
}

/// Arithmetic on figures: a column's entries, an empty one counting 0 (as
/// [`crate::decimals::Decimals::figure`] reads it). Each operation is
/// `rust_decimal`'s: in the lane above when both operands are narrow and it
/// gives a result, else in `Decimal`. Scoring's per-unit steps (period
/// weights, an indicator's own deductions and floor, sums of parts, the
/// total) use these, so a figure is not put together as a `Decimal` only to
/// be taken apart again.
pub(super) mod figures {
    use std::cmp::Ordering;

    use rust_decimal::Decimal;

    use super::super::ops;
    use crate::ast::RoundingMode;
    use crate::decimals::{Entry, Fixed};

    /// Zero, as `Decimal::ZERO` is.
    pub const ZERO: Entry = Entry::Narrow(Fixed { mantissa: 0, scale: 0 });

    /// `a + b`, as `Decimal::checked_add` gives it.
    #[inline]
    pub fn add(a: Entry, b: Entry) -> Option<Entry> {
        either(a, b, super::add, Decimal::checked_add)
    }

    /// `a - b`, as `Decimal::checked_sub` gives it.
    #[inline]
    pub fn sub(a: Entry, b: Entry) -> Option<Entry> {
        either(a, b, super::sub, Decimal::checked_sub)
    }

    /// `a × b`, as `Decimal::checked_mul` gives it.
    #[inline]
    pub fn mul(a: Entry, b: Entry) -> Option<Entry> {
        either(a, b, super::mul, Decimal::checked_mul)
    }

    /// The smaller of two figures, `a` when they are equal, as `Decimal::min` picks.
    #[inline]
    pub fn min(a: Entry, b: Entry) -> Entry {
        if order(a, b) == Ordering::Greater { b } else { a }
    }

    /// The larger of two figures, `a` when they are equal, as `Decimal::max` picks.
    #[inline]
    pub fn max(a: Entry, b: Entry) -> Entry {
        if order(a, b) == Ordering::Less { b } else { a }
    }

    /// A figure rounded as the scheme says ([`ops::round`]).
    #[inline]
    pub fn round(a: Entry, places: u32, mode: RoundingMode) -> Entry {
        if let Entry::Narrow(x) = a {
            if let Some(r) = super::round_fixed(x, places, ops::strategy(mode)) {
                return Entry::Narrow(r);
            }
        }
        Entry::of(ops::round(a.figure(), places, mode))
    }

    /// The order of two figures, as `Decimal::cmp` gives it.
    #[inline]
    pub fn order(a: Entry, b: Entry) -> Ordering {
        if let (Entry::Narrow(x), Entry::Narrow(y)) = (a, b) {
            if let Some(o) = super::order(x, y) {
                return o;
            }
        }
        a.figure().cmp(&b.figure())
    }

    /// `lane` on two narrow figures when it gives a result, else `slow` on their decimals.
    #[inline(always)]
    fn either(a: Entry, b: Entry, lane: fn(Fixed, Fixed) -> Option<Fixed>, slow: fn(Decimal, Decimal) -> Option<Decimal>) -> Option<Entry> {
        if let (Entry::Narrow(x), Entry::Narrow(y)) = (a, b) {
            if let Some(r) = lane(x, y) {
                return Some(Entry::Narrow(r));
            }
        }
        in_decimal(a, b, slow)
    }

    /// An operation done with `rust_decimal` (out of line: the narrow lane is the common case).
    #[inline(never)]
    fn in_decimal(a: Entry, b: Entry, op: fn(Decimal, Decimal) -> Option<Decimal>) -> Option<Entry> {
        op(a.figure(), b.figure()).map(Entry::of)
    }
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
    fn arithmetic_agrees_with_rust_decimal() {
        type Lane = fn(Fixed, Fixed) -> Option<Fixed>;
        let mut s = Stream(20261122);
        let (mut fast, mut total) = (0u32, 0u32);
        for _ in 0..400_000 {
            let (a, b) = (s.decimal(), s.decimal());
            let (Some(x), Some(y)) = (Fixed::of(a), Fixed::of(b)) else { continue };
            assert_eq!(x.decimal().serialize(), a.serialize(), "{a} taken apart and put together");
            let lanes: [(Lane, Option<Decimal>, &str); 3] =
                [(add, a.checked_add(b), "+"), (sub, a.checked_sub(b), "-"), (mul, a.checked_mul(b), "×")];
            for (lane, slow, op) in lanes {
                total += 1;
                if let Some(r) = lane(x, y) {
                    fast += 1;
                    // Bit for bit: digits, scale and sign.
                    assert_eq!(Some(r.decimal().serialize()), slow.map(|d| d.serialize()), "{a} {op} {b}");
                }
            }
            total += 1;
            if let Some(o) = order(x, y) {
                fast += 1;
                assert_eq!(o, a.cmp(&b), "{a} <=> {b}");
            }
            let places = s.below(6) as u32;
            for strategy in STRATEGIES {
                total += 1;
                if let Some(r) = round_fixed(x, places, strategy) {
                    fast += 1;
                    assert_eq!(r.decimal().serialize(), slow_round(a, places, strategy).serialize(), "round({a}, {places}, {strategy:?})");
                }
            }
        }
        assert!(fast > total / 2, "fast lane taken for {fast} of {total}");
    }

    /// Figures give `rust_decimal`'s results bit for bit, empty entries counting 0.
    #[test]
    fn figures_agree_with_rust_decimal() {
        use crate::ast::RoundingMode;
        use crate::decimals::Entry;
        let mut s = Stream(20261124);
        let figure = |s: &mut Stream| {
            if s.below(16) == 0 {
                return (Entry::Empty, Decimal::ZERO);
            }
            let d = s.decimal();
            (Entry::of(d), d)
        };
        let bits = |e: Entry| e.figure().serialize();
        for _ in 0..300_000 {
            let ((x, a), (y, b)) = (figure(&mut s), figure(&mut s));
            let context = format!("{a} (scale {}), {b} (scale {})", a.scale(), b.scale());
            assert_eq!(figures::add(x, y).map(bits), a.checked_add(b).map(|d| d.serialize()), "{context}: +");
            assert_eq!(figures::sub(x, y).map(bits), a.checked_sub(b).map(|d| d.serialize()), "{context}: -");
            assert_eq!(figures::mul(x, y).map(bits), a.checked_mul(b).map(|d| d.serialize()), "{context}: ×");
            assert_eq!(bits(figures::min(x, y)), a.min(b).serialize(), "{context}: min");
            assert_eq!(bits(figures::max(x, y)), a.max(b).serialize(), "{context}: max");
            let places = s.below(6) as u32;
            for mode in [RoundingMode::HalfUp, RoundingMode::HalfEven, RoundingMode::Down, RoundingMode::Up] {
                let want = super::super::ops::round(a, places, mode).serialize();
                assert_eq!(bits(figures::round(x, places, mode)), want, "{context}: round {places} {mode:?}");
            }
        }
        // Equal figures of different scales: `min` and `max` keep the first, as `Decimal`'s do.
        let (one, one_00) = (Entry::of(Decimal::new(1, 0)), Entry::of(Decimal::new(100, 2)));
        assert_eq!(figures::min(one, one_00), one);
        assert_eq!(figures::max(one_00, one), one_00);
    }

    /// What `round(a / b, places)` gives with `rust_decimal` alone.
    fn slow_round_quotient(a: Decimal, b: Decimal, places: u32, strategy: RoundingStrategy) -> Option<Decimal> {
        Some(slow_round(a.checked_div(b)?, places, strategy))
    }

    #[test]
    fn rounded_quotients_agree_with_rust_decimal() {
        let mut s = Stream(20261123);
        let (mut fast, mut total) = (0u32, 0u32);
        for round in 0..400_000 {
            let places = s.below(5) as u32;
            let (a, b) = if round % 2 == 0 {
                (s.decimal(), s.decimal())
            } else {
                // On a midpoint of the last kept place, or a hair off it:
                // a / b = (2k + 1) × 5 / 10^(places + 1), then ± one unit
                // `extra` places further down.
                let b = Fixed { mantissa: 1 + s.below(5000) as i64, scale: s.below(3) as u32 };
                let k = s.below(100_000) as i64 - 50_000;
                let extra = s.below(12) as u32;
                let nudge = s.below(3) as i64 - 1;
                let mantissa = ((2 * k + 1) * 5 * b.mantissa).checked_mul(10i64.pow(extra)).map(|m| m + nudge);
                let a = mantissa.map(|m| Fixed { mantissa: m, scale: places + 1 + b.scale + extra });
                (a.map_or(Decimal::ONE, Fixed::decimal), b.decimal())
            };
            let (Some(x), Some(y)) = (Fixed::of(a), Fixed::of(b)) else { continue };
            for strategy in STRATEGIES {
                total += 1;
                if let Some(r) = round_quotient(x, y, places, strategy) {
                    fast += 1;
                    let slow = slow_round_quotient(a, b, places, strategy).map(|d| d.serialize());
                    assert_eq!(Some(r.decimal().serialize()), slow, "round({a} / {b}, {places}, {strategy:?})");
                }
            }
        }
        assert!(fast > total / 2, "fast lane taken for {fast} of {total}");
        // A zero divisor is the caller's fault to report.
        assert_eq!(round_quotient(Fixed { mantissa: 1, scale: 0 }, Fixed { mantissa: 0, scale: 2 }, 2, STRATEGIES[0]), None);
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
        // Digits beyond i64 are compared in 128 bits; scales are aligned,
        // and left to rust_decimal where aligning them would overflow.
        assert_eq!(compare(d("9223372036854775808"), d("1")), Some(std::cmp::Ordering::Greater));
        assert_eq!(compare(d("1.0666666666666666666666666667"), d("1.07")), Some(std::cmp::Ordering::Less));
        assert_eq!(compare(d("79228162514264337593543950335"), d("0.0000000000000000000000000001")), None);
        assert_eq!(compare(d("1.50"), d("1.5")), Some(std::cmp::Ordering::Equal));
        assert_eq!(compare(d("-0.01"), d("0")), Some(std::cmp::Ordering::Less));
    }
}
