//! What a formula node produces over a scope: a vector of values, typed
//! where the type makes the loop over it tight.
//!
//! Most nodes of a scheme's formulas are numbers (`领导合计 / 领导人数`,
//! `min(质量达标率, 100)`) or conditions (`对象人数 >= 5`). Held as plain
//! [`Value`]s, every element of every node carries a tag that each operator
//! matches again; held as [`Numbers`] or [`Values::Flags`], an operator is one
//! loop over decimals or booleans, and a constant is one value, not a column
//! of copies. Everything else (texts, dates, periods, mixed results) stays a
//! vector of [`Value`]s with the general element-by-element rules, so the
//! typed forms change the cost of evaluation, never its results.

use rust_decimal::Decimal;

use crate::decimals::{Decimals, Entry, Fixed};

use super::expr::Value;

/// A vector of values over a scope.
#[derive(Debug, Clone)]
pub enum Values {
    /// The same value for every element (a constant, a parameter).
    Same(Value),
    /// Numbers, some possibly missing.
    Numbers(Numbers),
    /// Yes / no, never missing (comparisons, `and`, `or`, `present`).
    Flags(Vec<bool>),
    /// Any values.
    Mixed(Vec<Value>),
}

/// Numbers, the missing ones empty, packed as the data's columns are: a
/// column read by a formula is copied, not converted, and the short
/// decimals most figures are travel through arithmetic in fixed point
/// ([`super::fixed`]).
#[derive(Debug, Clone, Default)]
pub struct Numbers {
    column: Decimals,
}

impl Numbers {
    /// Numbers from optional numbers.
    pub fn from_options(options: impl Iterator<Item = Option<Decimal>>) -> Numbers {
        Numbers { column: options.collect() }
    }

    /// The entries of a packed column (a data column, an indicator's scores)
    /// at `rows` (empty past its end).
    pub fn from_column(column: &Decimals, rows: impl Iterator<Item = usize>) -> Numbers {
        Numbers { column: column.gather(rows) }
    }

    /// The numbers of a data column at `rows`, in that order (empty past the end).
    pub fn from_cells(cells: &crate::decimals::NumberCells, rows: impl Iterator<Item = usize>) -> Numbers {
        Numbers { column: cells.gather(rows) }
    }

    /// Numbers from entries taken apart.
    pub fn from_entries(entries: impl Iterator<Item = Entry>) -> Numbers {
        let mut column = Decimals::with_capacity(entries.size_hint().0);
        entries.for_each(|e| column.push_entry(e));
        Numbers { column }
    }

    /// The `i`-th number, if present.
    #[inline]
    pub fn at(&self, i: usize) -> Option<Decimal> {
        self.column.get(i)
    }

    /// The `i`-th number taken apart.
    #[inline]
    pub fn entry(&self, i: usize) -> Entry {
        self.column.entry(i)
    }

    /// The `i`-th number when it is narrow.
    #[inline]
    pub fn narrow(&self, i: usize) -> Option<Fixed> {
        self.column.narrow(i)
    }

    /// Whether the `i`-th number is present.
    #[inline]
    pub fn is_present(&self, i: usize) -> bool {
        self.column.is_present(i)
    }

    /// How many elements.
    pub fn len(&self) -> usize {
        self.column.len()
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.column.is_empty()
    }

    /// Each number negated (`-0` where a zero is negated, as `Decimal` does).
    pub fn negate(&self) -> Numbers {
        Numbers::from_entries((0..self.len()).map(|i| match self.entry(i) {
            Entry::Narrow(f) if f.mantissa != 0 => Entry::Narrow(Fixed { mantissa: -f.mantissa, scale: f.scale }),
            e => Entry::of_option(e.number().map(|x| -x)),
        }))
    }
}

/// A numeric operand of an operator: a column of numbers or one number for all.
#[derive(Clone, Copy)]
pub enum NumberArg<'a> {
    /// One number per element.
    Column(&'a Numbers),
    /// The same for every element (empty: missing everywhere).
    Same(Entry),
}

impl<'a> NumberArg<'a> {
    /// The operand as packed words (see [`Decimals::words`]), when it is so held.
    pub fn words(self) -> Option<Words<'a>> {
        match self {
            NumberArg::Column(c) => c.column.words().map(Words::Column),
            NumberArg::Same(e) => e.word().map(Words::Same),
        }
    }

    /// The `i`-th number, if present.
    #[inline]
    pub fn at(self, i: usize) -> Option<Decimal> {
        self.entry(i).number()
    }

    /// The `i`-th number taken apart.
    #[inline]
    pub fn entry(self, i: usize) -> Entry {
        match self {
            NumberArg::Column(c) => c.entry(i),
            NumberArg::Same(x) => x,
        }
    }

    /// The `i`-th number when it is narrow.
    #[inline]
    pub fn narrow(self, i: usize) -> Option<Fixed> {
        match self {
            NumberArg::Column(c) => c.narrow(i),
            NumberArg::Same(Entry::Narrow(f)) => Some(f),
            NumberArg::Same(_) => None,
        }
    }
}

/// A numeric operand as packed words (see [`NumberArg::words`]).
#[derive(Clone, Copy)]
pub enum Words<'a> {
    /// One word per element.
    Column(&'a [u64]),
    /// The same word for every element.
    Same(u64),
}

impl Words<'_> {
    /// The `i`-th word (`None` past the end).
    #[inline]
    pub fn at(self, i: usize) -> Option<u64> {
        match self {
            Words::Column(w) => w.get(i).copied(),
            Words::Same(w) => Some(w),
        }
    }
}

impl Numbers {
    /// Numbers from words of [`NumberArg::words`].
    pub fn from_words(words: Vec<u64>) -> Numbers {
        Numbers { column: Decimals::from_words(words) }
    }
}

impl Values {
    /// A vector of values, typed when every one is a number or missing.
    pub fn from_vec(values: Vec<Value>) -> Values {
        if values.iter().all(|v| matches!(v, Value::Num(_) | Value::Null)) {
            Values::Numbers(Numbers::from_options(values.iter().map(Value::num)))
        } else {
            Values::Mixed(values)
        }
    }

    /// The `i`-th value.
    #[inline]
    pub fn get(&self, i: usize) -> Value {
        match self {
            Values::Same(v) => *v,
            Values::Numbers(n) => n.at(i).map_or(Value::Null, Value::Num),
            Values::Flags(f) => f.get(i).map_or(Value::Null, |&b| Value::Bool(b)),
            Values::Mixed(v) => v.get(i).copied().unwrap_or(Value::Null),
        }
    }

    /// Whether the `i`-th value is `true` (a missing value never is).
    #[inline]
    pub fn truthy(&self, i: usize) -> bool {
        match self {
            Values::Flags(f) => f.get(i).copied().unwrap_or(false),
            _ => self.get(i).truthy(),
        }
    }

    /// The `i`-th value's number, if it is one.
    #[inline]
    pub fn num(&self, i: usize) -> Option<Decimal> {
        match self {
            Values::Numbers(n) => n.at(i),
            _ => self.get(i).num(),
        }
    }

    /// As a numeric operand, when every element is a number or missing.
    pub fn as_numbers(&self) -> Option<NumberArg<'_>> {
        match self {
            Values::Numbers(n) => Some(NumberArg::Column(n)),
            Values::Same(Value::Num(x)) => Some(NumberArg::Same(Entry::of(*x))),
            Values::Same(Value::Null) => Some(NumberArg::Same(Entry::Empty)),
            _ => None,
        }
    }

    /// The `i`-th value's number taken apart (empty if it is not a number).
    #[inline]
    pub fn entry(&self, i: usize) -> Entry {
        match self {
            Values::Numbers(n) => n.entry(i),
            _ => Entry::of_option(self.get(i).num()),
        }
    }

    /// The `n` elements as booleans, borrowed when they are booleans already.
    pub fn flags_of(&self, n: usize) -> std::borrow::Cow<'_, [bool]> {
        match self {
            Values::Flags(f) => std::borrow::Cow::Borrowed(f),
            other => std::borrow::Cow::Owned((0..n).map(|i| other.truthy(i)).collect()),
        }
    }

    /// Whether each of `n` elements is `true`.
    pub fn flags(self, n: usize) -> Vec<bool> {
        match self {
            Values::Flags(f) => f,
            other => (0..n).map(|i| other.truthy(i)).collect(),
        }
    }

    /// The `n` elements as a column of numbers (an element that is not a number as an empty entry).
    pub fn into_numbers(self, n: usize) -> Decimals {
        match self {
            Values::Numbers(numbers) if numbers.len() == n => numbers.column,
            Values::Same(v) => {
                let entry = Entry::of_option(v.num());
                (0..n).map(|_| entry).collect()
            }
            other => (0..n).map(|i| other.entry(i)).collect(),
        }
    }

    /// Element `i` of the result is element `from[i]` of this vector
    /// (missing where `from[i]` is `None`).
    pub fn gather(&self, from: impl ExactSizeIterator<Item = Option<usize>>) -> Values {
        match self {
            Values::Same(v) => Values::Same(*v),
            // `usize::MAX` is past the end: an empty entry.
            Values::Numbers(n) => Values::Numbers(Numbers::from_column(&n.column, from.map(|i| i.unwrap_or(usize::MAX)))),
            Values::Flags(_) | Values::Mixed(_) => Values::Mixed(from.map(|i| i.map_or(Value::Null, |i| self.get(i))).collect()),
        }
    }
}

/// [`zip_numbers`]'s loop: `fast` on the narrow operands `x(i)` and `y(i)`
/// where it gives a result, else `general`.
#[inline(always)]
fn each(
    n: usize,
    x: impl Fn(usize) -> Option<Fixed>,
    y: impl Fn(usize) -> Option<Fixed>,
    fast: &impl Fn(Fixed, Fixed) -> Option<Fixed>,
    mut general: impl FnMut(usize, &mut Decimals),
    column: &mut Decimals,
) {
    for i in 0..n {
        if let (Some(x), Some(y)) = (x(i), y(i)) {
            if let Some(r) = fast(x, y) {
                column.push_fixed(r);
                continue;
            }
        }
        general(i, column);
    }
}

/// An arithmetic operator over two numeric operands, element by element:
/// `fast` in fixed point where it can, else `slow` with `rust_decimal`;
/// missing where either operand is missing or `slow` fails (the failures
/// are returned with their index).
pub fn zip_numbers<E>(
    a: NumberArg<'_>,
    b: NumberArg<'_>,
    n: usize,
    fast: impl Fn(Fixed, Fixed) -> Option<Fixed>,
    mut slow: impl FnMut(Decimal, Decimal) -> Result<Decimal, E>,
) -> (Numbers, Vec<(usize, E)>) {
    let mut column = Decimals::with_capacity(n);
    let mut failures = Vec::new();
    let general = |i: usize, column: &mut Decimals| {
        let (Some(x), Some(y)) = (a.at(i), b.at(i)) else {
            column.push(None);
            return;
        };
        match slow(x, y) {
            Ok(v) => column.push(Some(v)),
            Err(e) => {
                failures.push((i, e));
                column.push(None);
            }
        }
    };
    // One loop for each kind of operand pair, so that the loop does not ask
    // again for every element which kind each operand is.
    let same = |e: Entry| move |_| if let Entry::Narrow(f) = e { Some(f) } else { None };
    match (a, b) {
        (NumberArg::Column(x), NumberArg::Column(y)) => each(n, |i| x.narrow(i), |i| y.narrow(i), &fast, general, &mut column),
        (NumberArg::Column(x), NumberArg::Same(y)) => each(n, |i| x.narrow(i), same(y), &fast, general, &mut column),
        (NumberArg::Same(x), NumberArg::Column(y)) => each(n, same(x), |i| y.narrow(i), &fast, general, &mut column),
        (NumberArg::Same(x), NumberArg::Same(y)) => each(n, same(x), same(y), &fast, general, &mut column),
    }
    (Numbers { column }, failures)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn typed_and_plain_forms_agree_element_by_element() {
        let plain = vec![Value::Num(d("1.50")), Value::Null, Value::Num(d("-2"))];
        let typed = Values::from_vec(plain.clone());
        assert!(matches!(&typed, Values::Numbers(n) if !n.is_present(1) && n.is_present(2)));
        assert_eq!((0..3).map(|i| typed.get(i)).collect::<Vec<_>>(), plain);
        assert_eq!(typed.num(0).map(|x| x.to_string()), Some("1.50".to_string()));
        assert_eq!(typed.num(1), None);
        let mixed = Values::from_vec(vec![Value::Bool(true), Value::Null]);
        assert!(matches!(mixed, Values::Mixed(_)));
        assert_eq!(mixed.flags(2), vec![true, false]);
        assert_eq!(Values::Same(Value::Bool(true)).flags(2), vec![true, true]);
        let all = Values::from_vec(vec![Value::Num(d("3")), Value::Num(d("4"))]);
        assert!(matches!(all, Values::Numbers(n) if n.is_present(0) && n.is_present(1)));
    }

    #[test]
    fn zip_marks_missing_operands_and_failures() {
        let a = Numbers::from_options([Some(d("6")), None, Some(d("1"))].into_iter());
        let zero = NumberArg::Same(Entry::of(d("0")));
        let slow = |x: Decimal, y: Decimal| if y.is_zero() && x == d("1") { Err("zero") } else { Ok(x + y) };
        let (out, failures) = zip_numbers(NumberArg::Column(&a), zero, 3, |_, _| None, slow);
        assert_eq!(failures, vec![(2, "zero")]);
        assert_eq!((out.at(0), out.at(1), out.at(2)), (Some(d("6")), None, None));
        // The fast lane's results are taken as they are; `slow` only where it declines.
        let (out, failures) = zip_numbers(NumberArg::Column(&a), zero, 3, |x, _| Some(x), slow);
        assert_eq!(failures, vec![]);
        assert_eq!((out.at(0), out.at(1), out.at(2)), (Some(d("6")), None, Some(d("1"))));
    }

    #[test]
    fn gather_spreads_over_rows() {
        let per_unit = Values::from_vec(vec![Value::Num(d("1")), Value::Num(d("2"))]);
        let rows = per_unit.gather([Some(1), Some(1), None, Some(0)].into_iter());
        assert_eq!(
            (0..4).map(|i| rows.get(i)).collect::<Vec<_>>(),
            vec![Value::Num(d("2")), Value::Num(d("2")), Value::Null, Value::Num(d("1"))]
        );
    }
}
