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

use crate::decimals::Decimals;

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

/// Numbers with the missing ones marked.
#[derive(Debug, Clone, Default)]
pub struct Numbers {
    /// The numbers; a missing one holds zero.
    pub values: Vec<Decimal>,
    /// Which are present; `None` when all are.
    pub present: Option<Vec<bool>>,
}

impl Numbers {
    /// Numbers from optional numbers.
    pub fn from_options(options: impl ExactSizeIterator<Item = Option<Decimal>>) -> Numbers {
        let mut values = Vec::with_capacity(options.len());
        let mut present = Vec::with_capacity(options.len());
        let mut all = true;
        for x in options {
            all &= x.is_some();
            values.push(x.unwrap_or(Decimal::ZERO));
            present.push(x.is_some());
        }
        Numbers { values, present: (!all).then_some(present) }
    }

    /// The entries of a packed column (a data column, an indicator's scores)
    /// at `rows` (none past its end).
    pub fn from_column(column: &Decimals, rows: impl Iterator<Item = usize> + Clone) -> Numbers {
        // Two tight passes rather than one that pushes to two vectors.
        let values: Vec<Decimal> = rows.clone().map(|r| column.figure(r)).collect();
        let present: Vec<bool> = rows.map(|r| column.is_present(r)).collect();
        let all = present.iter().all(|&p| p);
        Numbers { values, present: (!all).then_some(present) }
    }

    /// Numbers with their presence, dropping the mask when nothing is missing.
    pub fn new(values: Vec<Decimal>, present: Vec<bool>) -> Numbers {
        let present = if present.iter().all(|&p| p) { None } else { Some(present) };
        Numbers { values, present }
    }

    /// The `i`-th number, if present.
    #[inline]
    pub fn at(&self, i: usize) -> Option<Decimal> {
        match &self.present {
            Some(p) if !p.get(i).copied().unwrap_or(false) => None,
            _ => self.values.get(i).copied(),
        }
    }
}

/// A numeric operand of an operator: a column of numbers or one number for all.
#[derive(Clone, Copy)]
pub enum NumberArg<'a> {
    /// One number per element.
    Column(&'a Numbers),
    /// The same for every element (`None`: missing everywhere).
    Same(Option<Decimal>),
}

impl NumberArg<'_> {
    /// The `i`-th number, if present.
    #[inline]
    pub fn at(self, i: usize) -> Option<Decimal> {
        match self {
            NumberArg::Column(c) => c.at(i),
            NumberArg::Same(x) => x,
        }
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
            Values::Same(Value::Num(x)) => Some(NumberArg::Same(Some(*x))),
            Values::Same(Value::Null) => Some(NumberArg::Same(None)),
            _ => None,
        }
    }

    /// Whether each of `n` elements is `true`.
    pub fn flags(self, n: usize) -> Vec<bool> {
        match self {
            Values::Flags(f) => f,
            other => (0..n).map(|i| other.truthy(i)).collect(),
        }
    }

    /// The `n` elements as plain values.
    pub fn into_vec(self, n: usize) -> Vec<Value> {
        match self {
            Values::Mixed(v) => v,
            other => (0..n).map(|i| other.get(i)).collect(),
        }
    }

    /// Element `i` of the result is element `from[i]` of this vector
    /// (missing where `from[i]` is `None`).
    pub fn gather(&self, from: impl ExactSizeIterator<Item = Option<usize>>) -> Values {
        match self {
            Values::Same(v) => Values::Same(*v),
            Values::Numbers(n) => Values::Numbers(Numbers::from_options(from.map(|i| i.and_then(|i| n.at(i))))),
            Values::Flags(_) | Values::Mixed(_) => Values::Mixed(from.map(|i| i.map_or(Value::Null, |i| self.get(i))).collect()),
        }
    }
}

/// `f` over two numeric operands, element by element; missing where either
/// is missing or `f` fails (the failures are returned with their index).
pub fn zip_numbers<E>(
    a: NumberArg<'_>,
    b: NumberArg<'_>,
    n: usize,
    mut f: impl FnMut(Decimal, Decimal) -> Result<Decimal, E>,
) -> (Numbers, Vec<(usize, E)>) {
    let mut values = Vec::with_capacity(n);
    let mut present = Vec::with_capacity(n);
    let mut failures = Vec::new();
    for i in 0..n {
        let v = match (a.at(i), b.at(i)) {
            (Some(x), Some(y)) => match f(x, y) {
                Ok(v) => Some(v),
                Err(e) => {
                    failures.push((i, e));
                    None
                }
            },
            _ => None,
        };
        values.push(v.unwrap_or(Decimal::ZERO));
        present.push(v.is_some());
    }
    (Numbers::new(values, present), failures)
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
        assert!(matches!(typed, Values::Numbers(Numbers { present: Some(_), .. })));
        assert_eq!(typed.clone().into_vec(3), plain);
        assert_eq!(typed.num(0).map(|x| x.to_string()), Some("1.50".to_string()));
        assert_eq!(typed.num(1), None);
        let mixed = Values::from_vec(vec![Value::Bool(true), Value::Null]);
        assert!(matches!(mixed, Values::Mixed(_)));
        assert_eq!(mixed.flags(2), vec![true, false]);
        assert_eq!(Values::Same(Value::Bool(true)).flags(2), vec![true, true]);
        let all = Values::from_vec(vec![Value::Num(d("3")), Value::Num(d("4"))]);
        assert!(matches!(all, Values::Numbers(Numbers { present: None, .. })));
    }

    #[test]
    fn zip_marks_missing_operands_and_failures() {
        let a = Numbers::from_options([Some(d("6")), None, Some(d("1"))].into_iter());
        let (out, failures) = zip_numbers(NumberArg::Column(&a), NumberArg::Same(Some(d("0"))), 3, |x, y| {
            if y.is_zero() && x == d("1") { Err("zero") } else { Ok(x + y) }
        });
        assert_eq!(failures, vec![(2, "zero")]);
        assert_eq!((out.at(0), out.at(1), out.at(2)), (Some(d("6")), None, None));
    }

    #[test]
    fn gather_spreads_over_rows() {
        let per_unit = Values::from_vec(vec![Value::Num(d("1")), Value::Num(d("2"))]);
        let rows = per_unit.gather([Some(1), Some(1), None, Some(0)].into_iter());
        assert_eq!(rows.into_vec(4), vec![Value::Num(d("2")), Value::Num(d("2")), Value::Null, Value::Num(d("1"))]);
    }
}
