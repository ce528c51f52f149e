//! The storage behind an [`Assessment`](super::Assessment): columns that
//! hold millions of units without a heap allocation per unit.

use rust_decimal::Decimal;

/// Decimals, 8 bytes each where the digits fit in 56 bits (all figures but
/// the rare ones with 17 or more digits, which are kept aside whole).
///
/// Each entry is `digits << 8 | tag`; the tag holds the scale (5 bits), the
/// sign, and whether the entry is empty or an index into `wide`. A decimal
/// comes back with the very digits, scale and sign it went in with, so
/// `90.00` stays `90.00` and `-0` stays `-0`.
#[derive(Debug, Clone, Default)]
pub(super) struct Decimals {
    packed: Vec<u64>,
    wide: Vec<Decimal>,
}

const SCALE: u64 = 0x1F;
const NEGATIVE: u64 = 1 << 5;
const WIDE: u64 = 1 << 6;
const EMPTY: u64 = 1 << 7;
const NARROW_LIMIT: u64 = 1 << 56;

impl Decimals {
    /// An empty column with room for `len` entries.
    pub(super) fn with_capacity(len: usize) -> Self {
        Decimals { packed: Vec::with_capacity(len), wide: Vec::new() }
    }

    /// Makes room for `more` entries.
    pub(super) fn reserve(&mut self, more: usize) {
        self.packed.reserve(more);
    }

    /// Appends a decimal, or an empty entry.
    #[inline]
    pub(super) fn push(&mut self, value: Option<Decimal>) {
        let Some(d) = value else {
            self.packed.push(EMPTY);
            return;
        };
        let negative = d.is_sign_negative();
        // A negative zero (`-0.00`) is kept whole: `Decimal::from_parts` would drop its sign.
        let narrow = u64::try_from(d.mantissa().unsigned_abs()).ok().filter(|&m| m < NARROW_LIMIT && (m != 0 || !negative));
        let packed = match narrow {
            Some(digits) => digits << 8 | u64::from(d.scale()) | if negative { NEGATIVE } else { 0 },
            None => {
                self.wide.push(d);
                u64::try_from(self.wide.len() - 1).unwrap_or(u64::MAX >> 8) << 8 | WIDE
            }
        };
        self.packed.push(packed);
    }

    /// The entry at `index`: `None` when it is empty or beyond the end.
    #[inline]
    pub(super) fn get(&self, index: usize) -> Option<Decimal> {
        let packed = *self.packed.get(index)?;
        if packed & EMPTY != 0 {
            return None;
        }
        if packed & WIDE != 0 {
            return usize::try_from(packed >> 8).ok().and_then(|w| self.wide.get(w)).copied();
        }
        let digits = packed >> 8;
        // The low and middle words of Decimal's 96-bit digits (`as` keeps the low 32 bits).
        Some(Decimal::from_parts(digits as u32, (digits >> 32) as u32, 0, packed & NEGATIVE != 0, (packed & SCALE) as u32))
    }

    /// The figure at `index` of a column without empty entries (0 beyond the end).
    #[inline]
    pub(super) fn figure(&self, index: usize) -> Decimal {
        self.get(index).unwrap_or(Decimal::ZERO)
    }
}

/// Texts one after another in one buffer (unit keys: one allocation for all).
#[derive(Debug, Clone, Default)]
pub(super) struct Texts {
    text: String,
    ends: Vec<usize>,
}

impl Texts {
    /// Appends a text.
    pub(super) fn push(&mut self, text: &str) {
        self.text.push_str(text);
        self.ends.push(self.text.len());
    }

    /// The text at `index` (empty beyond the end).
    pub(super) fn get(&self, index: usize) -> &str {
        let start = index.checked_sub(1).and_then(|i| self.ends.get(i)).copied().unwrap_or(0);
        let end = self.ends.get(index).copied().unwrap_or(start);
        self.text.get(start..end).unwrap_or_default()
    }

    /// How many texts.
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_come_back_bit_for_bit() {
        let mut next = crate::report::test_numbers(11);
        let mut cases: Vec<Decimal> = [
            "0",
            "-0",
            "0.00",
            "-0.00",
            "90.00",
            "7",
            "-12.345",
            "72057594037927935",
            "72057594037927936",
            "0.0000000000000000000000000001",
        ]
        .iter()
        .filter_map(|s| s.parse().ok())
        .collect();
        let mut negative_zero = Decimal::new(0, 2);
        negative_zero.set_sign_negative(true);
        assert!(negative_zero.is_sign_negative() && negative_zero.to_string() == "-0.00");
        cases.extend([Decimal::MAX, Decimal::MIN, negative_zero]);
        for _ in 0..100_000 {
            let digits = u64::MAX >> (next() % 64);
            let mantissa = i64::try_from(next() & digits).unwrap_or(0);
            let mut d = Decimal::new(mantissa, (next() % 29) as u32);
            d.set_sign_negative(next() % 3 == 0);
            cases.push(d);
            cases.extend(Decimal::try_from_i128_with_scale(i128::from(mantissa) * i128::from(mantissa), (next() % 29) as u32));
        }
        let mut column = Decimals::default();
        for d in &cases {
            column.push(Some(*d));
            column.push(None);
        }
        assert_eq!(column.packed.len(), cases.len() * 2);
        for (i, d) in cases.iter().enumerate() {
            let back = column.get(2 * i);
            assert_eq!(back.map(|b| b.serialize()), Some(d.serialize()), "{d}");
            assert_eq!(column.get(2 * i + 1), None);
        }
        assert_eq!(column.get(cases.len() * 2), None);
        assert!(column.wide.len() < cases.len() / 2, "most decimals fit in 8 bytes");
    }

    #[test]
    fn texts() {
        let mut texts = Texts::default();
        for t in ["110000001", "", "安平县财政局"] {
            texts.push(t);
        }
        assert_eq!((texts.len(), texts.get(0), texts.get(1), texts.get(2), texts.get(3)), (3, "110000001", "", "安平县财政局", ""));
    }
}
