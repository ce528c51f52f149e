//! Checked decimal arithmetic and THE rounding policy.
//!
//! Every score is a `rust_decimal::Decimal`; nothing is ever a float. The
//! helpers here are spanless (`Result<_, OpError>`): the evaluator attaches
//! the unit, indicator and scheme line when one fails.

use rust_decimal::{Decimal, RoundingStrategy};

use super::fixed;
use crate::ast::RoundingMode;

/// An arithmetic fault, before the evaluator says where it happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpError {
    /// A division by zero.
    DivisionByZero,
    /// A result beyond 28 significant digits' range.
    Overflow,
}

/// `a + b`
pub fn add(a: Decimal, b: Decimal) -> Result<Decimal, OpError> {
    a.checked_add(b).ok_or(OpError::Overflow)
}

/// `a - b`
pub fn sub(a: Decimal, b: Decimal) -> Result<Decimal, OpError> {
    a.checked_sub(b).ok_or(OpError::Overflow)
}

/// `a * b`
pub fn mul(a: Decimal, b: Decimal) -> Result<Decimal, OpError> {
    a.checked_mul(b).ok_or(OpError::Overflow)
}

/// `a / b`
pub fn div(a: Decimal, b: Decimal) -> Result<Decimal, OpError> {
    if b.is_zero() {
        return Err(OpError::DivisionByZero);
    }
    a.checked_div(b).ok_or(OpError::Overflow)
}

/// The order of `a` and `b` (`1.0` = `1.00`, `-0` = `0`).
pub fn compare(a: Decimal, b: Decimal) -> std::cmp::Ordering {
    fixed::compare(a, b).unwrap_or_else(|| a.cmp(&b))
}

/// Rounds `value` to `places` decimal places the way the scheme says.
///
/// This is the only rounding in kaohe. `四舍五入` (half-up) is half away from
/// zero, as Chinese schemes mean it: 24.125 → 24.13 and -24.125 → -24.13.
/// `四舍六入五成双` (half-even) is banker's rounding: 24.125 → 24.12.
/// `去尾` (down) truncates toward zero, `进一` (up) rounds away from zero.
/// The result keeps exactly `places` digits after the point (`90` → `90.00`),
/// so published figures print the same whatever their history.
pub fn round(value: Decimal, places: u32, mode: RoundingMode) -> Decimal {
    let strategy = strategy(mode);
    if let Some(rounded) = fixed::round(value, places, strategy) {
        return rounded;
    }
    let mut rounded = value.round_dp_with_strategy(places, strategy);
    rounded.rescale(places);
    rounded
}

/// `rust_decimal`'s name for a scheme's rounding mode.
pub fn strategy(mode: RoundingMode) -> RoundingStrategy {
    match mode {
        RoundingMode::HalfUp => RoundingStrategy::MidpointAwayFromZero,
        RoundingMode::HalfEven => RoundingStrategy::MidpointNearestEven,
        RoundingMode::Down => RoundingStrategy::ToZero,
        RoundingMode::Up => RoundingStrategy::AwayFromZero,
    }
}

/// How many units a quota share gives: `share × size`, rounded as the scheme
/// says (down by default: "不超过 20%" of 13 units is 2).
pub fn quota_count(share: Decimal, size: usize, mode: RoundingMode) -> usize {
    let exact = share.checked_mul(Decimal::from(size)).unwrap_or(Decimal::ZERO);
    let whole = round(exact, 0, mode);
    usize::try_from(whole.mantissa().max(0)).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }

    fn rounds(value: &str, places: u32, mode: RoundingMode, expected: &str) {
        assert_eq!(round(d(value), places, mode).to_string(), expected, "{value} rounded {mode:?}");
    }

    #[test]
    fn rounding_modes_digit_for_digit() {
        rounds("24.125", 2, RoundingMode::HalfUp, "24.13");
        rounds("-24.125", 2, RoundingMode::HalfUp, "-24.13");
        rounds("24.125", 2, RoundingMode::HalfEven, "24.12");
        rounds("24.135", 2, RoundingMode::HalfEven, "24.14");
        rounds("92.485", 2, RoundingMode::HalfUp, "92.49");
        rounds("24.129", 2, RoundingMode::Down, "24.12");
        rounds("24.121", 2, RoundingMode::Up, "24.13");
        rounds("90", 2, RoundingMode::HalfUp, "90.00");
        rounds("89.995", 2, RoundingMode::HalfUp, "90.00");
    }

    #[test]
    fn quota_counts() {
        assert_eq!(quota_count(d("0.2"), 13, RoundingMode::Down), 2);
        assert_eq!(quota_count(d("0.2"), 13, RoundingMode::HalfUp), 3);
        assert_eq!(quota_count(d("0.2"), 13, RoundingMode::Up), 3);
        assert_eq!(quota_count(d("0.2"), 5, RoundingMode::Down), 1);
        assert_eq!(quota_count(d("0.15"), 1, RoundingMode::Down), 0);
    }

    #[test]
    fn division_by_zero_is_an_error() {
        assert_eq!(div(d("1"), d("0")), Err(OpError::DivisionByZero));
        assert_eq!(div(d("1"), d("3")).map(|x| x.to_string()), Ok("0.3333333333333333333333333333".to_string()));
    }
}
