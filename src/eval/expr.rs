//! Columnar evaluation of checked formulas.
//!
//! A formula is evaluated over a whole column at once: over every unit
//! (`Scope::Units`), or over every row of one table (`Scope::Rows`, for
//! `where` filters, per-row amounts and aggregate values). Each operator
//! works element by element on two vectors; nothing looks a name up per
//! row. A value a row scope needs from the unit (a parameter, a unit column,
//! an indicator's score) is computed once per unit and spread over the rows.
//! Numbers and conditions travel as typed vectors (`values::Values`), so an
//! operator on them is one loop over decimals or booleans. Over units, each
//! branch of an `if` or a `piecewise` is evaluated for the units that take
//! it only (a subset of the units, as a `where` is a subset of the rows).

use std::rc::Rc;

use rust_decimal::Decimal;

use super::fixed;
use super::ops::{self, OpError};
use super::values::{NumberArg, Numbers, Values, Words, zip_numbers};
use super::{Engine, Shared};
use crate::ast::{BinOp, PeriodKind, UnaryOp};
use crate::data::{Column as DataColumn, Sym};
use crate::date::Date;
use crate::decimals::{Decimals, Entry};
use crate::model::{Across, Aggregate, Builtin, ColumnType, Expr, ExprKind, TableId, TableShape, Value as Constant};
use crate::source::Span;

/// In [`Engine::unit_rows`]: the unit has no row.
const NO_ROW: u32 = u32::MAX;

/// A value during evaluation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// A number (percents as fractions).
    Num(Decimal),
    /// An interned text.
    Text(Sym),
    /// A date.
    Date(Date),
    /// A number of days.
    Dur(Decimal),
    /// Yes / no.
    Bool(bool),
    /// A period of the year (0-based).
    Period(PeriodKind, u8),
    /// No value (an empty optional cell, or a failed computation already reported).
    Null,
}

impl Value {
    /// The number, if this is one.
    pub fn num(&self) -> Option<Decimal> {
        match self {
            Value::Num(n) => Some(*n),
            _ => None,
        }
    }

    /// True only for `Bool(true)`: a missing value never satisfies a condition.
    pub fn truthy(&self) -> bool {
        matches!(self, Value::Bool(true))
    }
}

/// One period of the year, when an indicator is assessed per period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    /// Months, quarters or half-years.
    pub kind: PeriodKind,
    /// 0-based.
    pub index: usize,
}

/// What a vector of values runs over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// One value per unit.
    Units {
        /// The current period of a per-period indicator.
        period: Option<Period>,
        /// Only these units (an id into `Engine::subsets`), e.g. those that
        /// take one branch of an `if`; `None` is every unit.
        subset: Option<u32>,
    },
    /// One value per row of a table.
    Rows {
        /// The table.
        table: TableId,
        /// The current period of a per-period indicator.
        period: Option<Period>,
        /// Only these rows (an id into `Engine::subsets`), e.g. the current
        /// period's rows of an aggregate; `None` is every row.
        subset: Option<u32>,
    },
}

impl Scope {
    /// Every unit, in a period or none.
    pub fn every_unit(period: Option<Period>) -> Scope {
        Scope::Units { period, subset: None }
    }

    fn period(self) -> Option<Period> {
        match self {
            Scope::Units { period, .. } | Scope::Rows { period, .. } => period,
        }
    }
}

/// The table rows (or units) that the values of a scope stand for, in order.
#[derive(Debug, Clone, Copy)]
pub(super) enum RowsOf<'a> {
    /// The first this many: every row of the table, or every unit.
    All(usize),
    /// These rows (or units) only.
    Only(&'a [u32]),
}

impl<'a> RowsOf<'a> {
    /// Number of values.
    pub fn len(self) -> usize {
        match self {
            RowsOf::All(n) => n,
            RowsOf::Only(rows) => rows.len(),
        }
    }

    /// The row (or unit) of the `i`-th value.
    pub fn get(self, i: usize) -> usize {
        match self {
            RowsOf::All(_) => i,
            RowsOf::Only(rows) => rows.get(i).map_or(i, |&r| r as usize),
        }
    }

    /// The rows (or units) of the values, in order.
    pub fn iter(self) -> impl ExactSizeIterator<Item = usize> + Clone + 'a {
        (0..self.len()).map(move |i| self.get(i))
    }
}

impl Engine<'_> {
    /// Number of values in a scope.
    fn len(&self, scope: Scope) -> usize {
        self.rows_of(scope).len()
    }

    /// The table rows (the units, of a units scope) that a scope's values
    /// stand for: looked up once, not for each value.
    pub(super) fn rows_of(&self, scope: Scope) -> RowsOf<'_> {
        match scope {
            Scope::Units { subset: None, .. } => RowsOf::All(self.unit_keys.len()),
            Scope::Units { subset: Some(s), .. } | Scope::Rows { subset: Some(s), .. } => {
                RowsOf::Only(self.subsets.get(s as usize).map_or(&[], Vec::as_slice))
            }
            Scope::Rows { table, subset: None, .. } => RowsOf::All(self.tables.get(table).map_or(0, |t| t.len())),
        }
    }

    /// The units of a units scope in order, when it is a subset of them.
    fn unit_subset(&self, scope: Scope) -> Option<&[u32]> {
        match scope {
            Scope::Units { subset: Some(s), .. } => self.subsets.get(s as usize).map(Vec::as_slice),
            _ => None,
        }
    }

    /// Spreads one value per unit over a scope (identity for every unit).
    fn spread(&self, per_unit: Values, scope: Scope) -> Values {
        match scope {
            Scope::Units { subset: None, .. } => per_unit,
            Scope::Units { subset: Some(_), .. } => {
                let units = self.unit_subset(scope).unwrap_or_default();
                per_unit.gather(units.iter().map(|&u| Some(u as usize)))
            }
            Scope::Rows { table, .. } => {
                let units = self.row_units(table);
                per_unit.gather(self.rows_of(scope).iter().map(|r| units.get(r).map(|&u| u as usize)))
            }
        }
    }

    /// Whether a condition holds for each element of a scope.
    pub fn condition(&mut self, e: &Expr, scope: Scope) -> Vec<bool> {
        let n = self.len(scope);
        self.values(e, scope).flags(n)
    }

    /// Evaluates a formula over a scope.
    pub fn values(&mut self, e: &Expr, scope: Scope) -> Values {
        let n = self.len(scope);
        match &e.kind {
            ExprKind::Const(c) => Values::Same(self.constant(c)),
            ExprKind::Total => {
                let totals = match &self.totals {
                    Some(t) => Values::Numbers(Numbers::from_column(t, 0..t.len())),
                    None => Values::Same(Value::Null),
                };
                self.spread(totals, scope)
            }
            ExprKind::Param(p) => self.param(*p, scope),
            ExprKind::Column { table, column } => self.column(*table, *column, scope),
            ExprKind::Indicator(i) => match (self.scores.get(*i), scope) {
                (Some(Some(s)), Scope::Units { .. }) => Values::Numbers(Numbers::from_column(s, self.rows_of(scope).iter())),
                (Some(Some(s)), Scope::Rows { .. }) => self.spread(Values::Numbers(Numbers::from_column(s, 0..s.len())), scope),
                _ => Values::Same(Value::Null),
            },
            ExprKind::Unary(op, a) => match (op, self.values(a, scope)) {
                (UnaryOp::Neg, Values::Numbers(x)) => Values::Numbers(x.negate()),
                (UnaryOp::Not, Values::Flags(f)) => Values::Flags(f.into_iter().map(|b| !b).collect()),
                (op, Values::Same(v)) => Values::Same(unary(*op, v)),
                (op, a) => Values::Mixed((0..n).map(|i| unary(*op, a.get(i))).collect()),
            },
            ExprKind::Binary(BinOp::In, a, b) => {
                let lhs = self.values(a, scope);
                let items: Vec<Values> = match &b.kind {
                    ExprKind::List(items) => items.iter().map(|i| self.values(i, scope)).collect(),
                    _ => vec![self.values(b, scope)],
                };
                Values::Flags(
                    (0..n)
                        .map(|i| {
                            let x = lhs.get(i);
                            x != Value::Null && items.iter().any(|col| self.equal(&x, &col.get(i)))
                        })
                        .collect(),
                )
            }
            ExprKind::Binary(op, a, b) => {
                if let Some(flags) = self.text_column_against_text(*op, a, b, scope) {
                    return Values::Flags(flags);
                }
                let lhs = self.values(a, scope);
                let rhs = self.values(b, scope);
                self.binary_values(*op, &lhs, &rhs, scope, e.span)
            }
            ExprKind::If(c, t, o) => self.branch(c, [t, o], scope, |this, e, scope| this.values(e, scope)),
            ExprKind::Piecewise { subject, pieces } => {
                let s = self.values(subject, scope);
                let mut chosen: Vec<Option<usize>> = vec![None; n];
                let mut results: Vec<Values> = Vec::with_capacity(pieces.len());
                for (test, value) in pieces {
                    let hit: Vec<bool> = match test {
                        None => vec![true; n],
                        Some((op, operand)) => {
                            let o = self.values(operand, scope);
                            self.compare(*op, &s, &o, n)
                        }
                    };
                    let used: Vec<bool> = (0..n).map(|i| chosen[i].is_none() && hit[i]).collect();
                    let values = self.selected(scope, &used, |this, scope| this.values(value, scope));
                    for (c, _) in chosen.iter_mut().zip(&used).filter(|(_, u)| **u) {
                        *c = Some(results.len());
                    }
                    results.push(values);
                }
                self.put_together(scope, &results, &chosen)
            }
            ExprKind::List(_) => Values::Same(Value::Null),
            ExprKind::Call(builtin, args) => match (builtin, constant_places(args)) {
                (Builtin::Round, Some(places)) => self.rounded(&args[0], places, scope),
                _ => {
                    let args: Vec<Values> = args.iter().map(|a| self.values(a, scope)).collect();
                    self.call(*builtin, &args, n)
                }
            },
            ExprKind::Aggregate { function, table, value, filter, trim } => {
                let per_unit = self.aggregate(*function, *table, value.as_deref(), filter.as_deref(), *trim, scope.period(), e.span);
                self.spread(Values::Numbers(Numbers::from_options(per_unit.into_iter())), scope)
            }
            ExprKind::Across { function, arg, ascending } => {
                let per_unit = self.across(*function, arg, *ascending, scope.period());
                self.spread(Values::Numbers(Numbers::from_options(per_unit.into_iter())), scope)
            }
        }
    }

    /// A binary operator over two vectors: one loop over decimals or
    /// booleans when both are numbers, else the general rule per element.
    fn binary_values(&mut self, op: BinOp, lhs: &Values, rhs: &Values, scope: Scope, span: Span) -> Values {
        let n = self.len(scope);
        if matches!(op, BinOp::And | BinOp::Or) {
            return Values::Flags(
                (0..n).map(|i| if op == BinOp::And { lhs.truthy(i) && rhs.truthy(i) } else { lhs.truthy(i) || rhs.truthy(i) }).collect(),
            );
        }
        if op.is_comparison() {
            return Values::Flags(self.compare(op, lhs, rhs, n));
        }
        if let (Some(x), Some(y)) = (lhs.as_numbers(), rhs.as_numbers()) {
            let (numbers, failures) = match op {
                BinOp::Add => zip_numbers(x, y, n, fixed::add, ops::add),
                BinOp::Sub => zip_numbers(x, y, n, fixed::sub, ops::sub),
                BinOp::Mul => zip_numbers(x, y, n, fixed::mul, ops::mul),
                _ => zip_numbers(x, y, n, |_, _| None, ops::div),
            };
            for (i, fault) in failures {
                self.fault(scope, i, span, fault);
            }
            return Values::Numbers(numbers);
        }
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let v = match self.binary(op, &lhs.get(i), &rhs.get(i)) {
                Ok(v) => v,
                Err(fault) => {
                    self.fault(scope, i, span, fault);
                    Value::Null
                }
            };
            out.push(v);
        }
        Values::Mixed(out)
    }

    /// `细则 = "效能建设"` over the rows of the column's own table: each
    /// row's symbol compared with the text's, without a value made per row
    /// (a scheme may pick twenty items out of one table this way). `None`
    /// for any other formula.
    fn text_column_against_text(&mut self, op: BinOp, a: &Expr, b: &Expr, scope: Scope) -> Option<Vec<bool>> {
        let (table, column, text) = match (op, &a.kind, &b.kind) {
            (BinOp::Eq | BinOp::Ne, ExprKind::Column { table, column }, ExprKind::Const(Constant::Text(text)))
            | (BinOp::Eq | BinOp::Ne, ExprKind::Const(Constant::Text(text)), ExprKind::Column { table, column }) => (*table, *column, text),
            _ => return None,
        };
        if !matches!(scope, Scope::Rows { table: t, .. } if t == table) {
            return None;
        }
        let tables = self.tables;
        let Some(DataColumn::Text(cells)) = tables.get(table).and_then(|data| data.columns.get(column)) else { return None };
        let text = self.constant(&Constant::Text(text.clone()));
        let Value::Text(sym) = text else { return None };
        // A missing cell, as `compare` finds it.
        let missing = self.binary(op, &Value::Null, &text).is_ok_and(|v| v.truthy());
        let equal = op == BinOp::Eq;
        Some(self.rows_of(scope).iter().map(|r| cells.get(r).map_or(missing, |s| (s == sym) == equal)).collect())
    }

    /// A comparison over two vectors (a missing value satisfies none).
    fn compare(&self, op: BinOp, lhs: &Values, rhs: &Values, n: usize) -> Vec<bool> {
        if let (Some(x), Some(y)) = (lhs.as_numbers(), rhs.as_numbers()) {
            return (0..n).map(|i| order(x.entry(i), y.entry(i)).is_some_and(|o| holds(op, o))).collect();
        }
        // A column of texts against one text (`类型 == "通报批评"`): interned
        // texts are equal when their symbols are.
        if let (BinOp::Eq | BinOp::Ne, Values::Mixed(column), Values::Same(Value::Text(text)))
        | (BinOp::Eq | BinOp::Ne, Values::Same(Value::Text(text)), Values::Mixed(column)) = (op, lhs, rhs)
        {
            let equal = op == BinOp::Eq;
            return (0..n)
                .map(|i| match column.get(i) {
                    Some(Value::Text(t)) => (t == text) == equal,
                    Some(other) => self.binary(op, other, &Value::Text(*text)).is_ok_and(|v| v.truthy()),
                    None => false,
                })
                .collect();
        }
        (0..n).map(|i| self.binary(op, &lhs.get(i), &rhs.get(i)).is_ok_and(|v| v.truthy())).collect()
    }

    /// A builtin function over vectors of arguments.
    fn call(&self, b: Builtin, args: &[Values], n: usize) -> Values {
        let numbers: Option<Vec<NumberArg<'_>>> = args.iter().map(Values::as_numbers).collect();
        match (b, numbers) {
            (Builtin::Present, _) => match args {
                [Values::Numbers(x)] => Values::Flags((0..n).map(|i| x.is_present(i)).collect()),
                [Values::Flags(_)] => Values::Same(Value::Bool(true)),
                [Values::Same(v)] => Values::Same(Value::Bool(*v != Value::Null)),
                _ => Values::Flags((0..n).map(|i| args.first().is_some_and(|a| a.get(i) != Value::Null)).collect()),
            },
            (Builtin::Days, _) | (_, None) => {
                let mut row: Vec<Value> = Vec::with_capacity(args.len());
                let out = (0..n)
                    .map(|i| {
                        row.clear();
                        row.extend(args.iter().map(|a| a.get(i)));
                        self.builtin(b, &row)
                    })
                    .collect();
                Values::Mixed(out)
            }
            (Builtin::Min | Builtin::Max, Some(numbers)) if numbers.len() == 2 => {
                let (x, y, min) = (numbers[0], numbers[1], b == Builtin::Min);
                let fast = |a, c| fixed::order(c, a).map(|o| if replaces(min, o) { c } else { a });
                let slow = |a, c| Ok::<_, std::convert::Infallible>(if replaces(min, ops::compare(c, a)) { c } else { a });
                Values::Numbers(zip_numbers(x, y, n, fast, slow).0)
            }
            (Builtin::Min | Builtin::Max, Some(numbers)) => {
                Values::Numbers(Numbers::from_entries((0..n).map(|i| extreme(b == Builtin::Min, numbers.iter().map(|a| a.entry(i))))))
            }
            (_, Some(numbers)) => Values::Numbers(Numbers::from_options((0..n).map(|i| self.numeric(b, numbers.iter().map(|a| a.at(i)))))),
        }
    }

    /// `if c then t else o`, each branch evaluated by `each` for the
    /// elements that take it ([`Engine::selected`]).
    fn branch(&mut self, c: &Expr, [t, o]: [&Expr; 2], scope: Scope, each: impl Fn(&mut Self, &Expr, Scope) -> Values) -> Values {
        let taken = self.condition(c, scope);
        let not_taken: Vec<bool> = taken.iter().map(|x| !x).collect();
        let t = self.selected(scope, &taken, |this, scope| each(this, t, scope));
        let o = self.selected(scope, &not_taken, |this, scope| each(this, o, scope));
        let chosen: Vec<Option<usize>> = taken.iter().map(|&x| Some(usize::from(!x))).collect();
        self.put_together(scope, &[t, o], &chosen)
    }

    /// Evaluates `f` for the elements of `scope` that are `used`. Over
    /// units, `f` gets the scope of those units only, and gives one value
    /// for each of them. Over rows, it gets every row and gives a value for
    /// each, of which only the used ones' faults count.
    fn selected(&mut self, scope: Scope, used: &[bool], f: impl FnOnce(&mut Self, Scope) -> Values) -> Values {
        if matches!(scope, Scope::Rows { .. }) {
            return self.masked(scope, used.to_vec(), |this| f(this, scope));
        }
        let rows = self.rows_of(scope);
        let units: Vec<u32> =
            used.iter().enumerate().filter(|(_, u)| **u).map(|(i, _)| u32::try_from(rows.get(i)).unwrap_or(u32::MAX)).collect();
        let (id, count) = (self.subsets.len(), units.len());
        self.subsets.push(units);
        let subset = Scope::Units { period: scope.period(), subset: Some(u32::try_from(id).unwrap_or(u32::MAX)) };
        // Every unit of the subset is used: what is computed for every unit
        // inside (an aggregate) reports the faults of these units only.
        let values = self.masked(subset, vec![true; count], |this| f(this, subset));
        // Nothing refers to the subset once its values are computed (only
        // row scopes' results are kept, by `eval_shared`): its memory goes,
        // its id stays taken.
        if let Some(units) = self.subsets.get_mut(id) {
            *units = Vec::new();
        }
        values
    }

    /// Element `i` from the branch `chosen[i]` (missing where none is), the
    /// branches evaluated by [`Engine::selected`].
    fn put_together(&self, scope: Scope, branches: &[Values], chosen: &[Option<usize>]) -> Values {
        match scope {
            Scope::Units { .. } => {
                // Each branch holds the values of the units that took it, in order.
                let mut next = vec![0; branches.len()];
                choose(
                    branches,
                    chosen.iter().map(|c| {
                        c.map(|k| {
                            let at = next[k];
                            next[k] += 1;
                            (k, at)
                        })
                    }),
                )
            }
            Scope::Rows { .. } => choose(branches, chosen.iter().enumerate().map(|(i, c)| c.map(|k| (k, i)))),
        }
    }

    /// `round(e, places)`. A quotient is rounded straight from its exact
    /// value in fixed point where that gives `rust_decimal`'s digits
    /// ([`fixed::round_quotient`]), also inside the branches of an `if`:
    /// `round(if … then a / b else c / d, 2)`.
    fn rounded(&mut self, e: &Expr, places: u32, scope: Scope) -> Values {
        let (n, mode) = (self.len(scope), self.scheme.rounding.mode);
        match &e.kind {
            ExprKind::Binary(BinOp::Div, a, b) => {
                let (lhs, rhs) = (self.values(a, scope), self.values(b, scope));
                let (Some(x), Some(y)) = (lhs.as_numbers(), rhs.as_numbers()) else {
                    return round_values(&self.binary_values(BinOp::Div, &lhs, &rhs, scope, e.span), places, mode, n);
                };
                let strategy = ops::strategy(mode);
                let fast = |x, y| fixed::round_quotient(x, y, places, strategy);
                let (numbers, failures) = zip_numbers(x, y, n, fast, |x, y| ops::div(x, y).map(|q| ops::round(q, places, mode)));
                for (i, fault) in failures {
                    self.fault(scope, i, e.span, fault);
                }
                Values::Numbers(numbers)
            }
            ExprKind::If(c, t, o) => self.branch(c, [t, o], scope, |this, e, scope| this.rounded(e, places, scope)),
            _ => {
                let values = self.values(e, scope);
                round_values(&values, places, mode, n)
            }
        }
    }

    /// Evaluates with only the values `used` counting for faults (combined
    /// with any enclosing mask of the same scope).
    pub(super) fn masked<T>(&mut self, scope: Scope, used: Vec<bool>, f: impl FnOnce(&mut Self) -> T) -> T {
        // A mask over some units is kept as one over every unit, so that
        // masks over units always combine element by element.
        let (scope, used) = match self.unit_subset(scope) {
            Some(units) => {
                let mut every = vec![false; self.unit_keys.len()];
                units.iter().zip(&used).for_each(|(&u, &used)| every.get_mut(u as usize).into_iter().for_each(|e| *e = used));
                (Scope::every_unit(scope.period()), every)
            }
            None => (scope, used),
        };
        let outer = self.mask.take();
        let combined = match &outer {
            Some((s, m)) if *s == scope => used.iter().zip(m).map(|(a, b)| *a && *b).collect(),
            Some((Scope::Units { .. }, m)) => {
                (0..used.len()).map(|i| used[i] && m.get(self.unit_of(scope, i)).copied().unwrap_or(true)).collect()
            }
            _ => used,
        };
        self.mask = Some((scope, combined));
        let out = f(self);
        self.mask = outer;
        out
    }

    fn constant(&mut self, c: &Constant) -> Value {
        match c {
            Constant::Number(n) => Value::Num(*n),
            Constant::Text(t) => Value::Text(self.strings.intern(t)),
            Constant::Date(d) => Value::Date(*d),
            Constant::Duration(d) => Value::Dur(*d),
            Constant::Bool(b) => Value::Bool(*b),
            Constant::Null => Value::Null,
        }
    }

    /// A parameter's value in force: at a row's date (its table's first date
    /// column), else at the end of the period, else at the end of the year.
    fn param(&mut self, p: usize, scope: Scope) -> Values {
        let Some(param) = self.scheme.params.get(p) else { return Values::Same(Value::Null) };
        let values = param.values.clone();
        let at = |this: &mut Self, date: Date| {
            let chosen = values.iter().rev().find(|v| v.from.is_none_or(|f| f <= date)).or(values.first());
            chosen.map_or(Value::Null, |v| this.constant(&v.value))
        };
        let year = i32::try_from(self.scheme.year).unwrap_or(1970);
        let default_date = match scope.period() {
            Some(p) => Date::period_end(year, p.kind, p.index),
            None => Date::new(year, 12, 31),
        }
        .unwrap_or(Date { year, month: 12, day: 31 });
        if let Scope::Rows { table, .. } = scope {
            let date_columns: Vec<usize> =
                self.scheme.tables[table].columns.iter().enumerate().filter(|(_, c)| c.ty == ColumnType::Date).map(|(i, _)| i).collect();
            // The first date column is the event's date (a rectification
            // date, declared after it, is not when the event happened).
            if let Some(first) = date_columns.first() {
                if let Some(DataColumn::Date(dates)) = self.tables.get(table).and_then(|t| t.columns.get(*first)) {
                    let dates: Vec<Option<Date>> = self.rows_of(scope).iter().map(|r| dates.get(r).copied().flatten()).collect();
                    return Values::from_vec(dates.into_iter().map(|d| at(self, d.unwrap_or(default_date))).collect());
                }
            }
        }
        Values::Same(at(self, default_date))
    }

    /// A column's values: of each row in its own table's row scope, else of
    /// each unit's one row (or its row of the current period).
    fn column(&mut self, table: TableId, column: usize, scope: Scope) -> Values {
        let Some(data) = self.tables.get(table) else { return Values::Same(Value::Null) };
        let kind = match self.scheme.tables[table].columns.get(column).map(|c| &c.ty) {
            Some(ColumnType::Period(k)) => Some(*k),
            _ => None,
        };
        let cell = |row: usize| -> Value {
            match data.columns.get(column) {
                Some(DataColumn::Number(v)) => v.get(row).map_or(Value::Null, Value::Num),
                Some(DataColumn::Text(v)) => v.get(row).map_or(Value::Null, Value::Text),
                Some(DataColumn::Date(v)) => v.get(row).copied().flatten().map_or(Value::Null, Value::Date),
                Some(DataColumn::Bool(v)) => v.get(row).copied().flatten().map_or(Value::Null, Value::Bool),
                Some(DataColumn::Period(v)) => match (v.get(row).copied().flatten(), kind) {
                    (Some(p), Some(k)) => Value::Period(k, p),
                    _ => Value::Null,
                },
                None => Value::Null,
            }
        };
        let numbers = match data.columns.get(column) {
            Some(DataColumn::Number(v)) => Some(v),
            _ => None,
        };
        if matches!(scope, Scope::Rows { table: t, .. } if t == table) {
            let rows = self.rows_of(scope).iter();
            return match numbers {
                Some(v) => Values::Numbers(Numbers::from_cells(v, rows)),
                None => Values::Mixed(rows.map(cell).collect()),
            };
        }
        let rows = self.unit_rows(table, scope.period());
        // Each unit's row, for the units of the scope (every unit, for a row scope).
        let unit_rows: std::borrow::Cow<'_, [u32]> = match self.unit_subset(scope) {
            Some(units) => units.iter().map(|&u| rows.get(u as usize).copied().unwrap_or(NO_ROW)).collect::<Vec<u32>>().into(),
            None => std::borrow::Cow::Borrowed(&rows[..]),
        };
        let per_unit = match numbers {
            // `NO_ROW` is past the end of every column: no number.
            Some(v) => Values::Numbers(Numbers::from_cells(v, unit_rows.iter().map(|&row| row as usize))),
            None => Values::Mixed(unit_rows.iter().map(|&row| if row == NO_ROW { Value::Null } else { cell(row as usize) }).collect()),
        };
        match scope {
            Scope::Units { .. } => per_unit,
            Scope::Rows { .. } => self.spread(per_unit, scope),
        }
    }

    /// Each unit's row of a table with one row per unit: the unit's row, or
    /// its row of the current period ([`NO_ROW`] if it has none). Found once
    /// per table and period, since every column of the table needs the same.
    fn unit_rows(&mut self, table: TableId, period: Option<Period>) -> std::rc::Rc<[u32]> {
        let period_column = match (self.scheme.tables[table].shape, period) {
            (TableShape::PerUnitPeriod { column: pc, kind }, Some(p)) if kind == p.kind => Some((pc, p.index)),
            _ => None,
        };
        let key = (table, period_column.map(|(_, index)| index));
        if let Some(rows) = self.unit_rows.get(&key) {
            return rows.clone();
        }
        let Some(data) = self.tables.get(table) else { return vec![NO_ROW; self.unit_keys.len()].into() };
        let rows: std::rc::Rc<[u32]> = (0..self.unit_keys.len())
            .map(|u| {
                let rows = data.rows_of(u32::try_from(u).unwrap_or(u32::MAX));
                let row = match period_column {
                    Some((pc, index)) => rows.clone().find(|&r| match data.columns.get(pc) {
                        Some(DataColumn::Period(v)) => v.get(r).copied().flatten() == u8::try_from(index).ok(),
                        _ => false,
                    }),
                    None => rows.clone().next(),
                };
                row.and_then(|r| u32::try_from(r).ok()).unwrap_or(NO_ROW)
            })
            .collect();
        self.unit_rows.insert(key, rows.clone());
        rows
    }

    /// Whether two values are equal (a period equals its written name).
    pub fn equal(&self, a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Period(k, p), Value::Text(t)) | (Value::Text(t), Value::Period(k, p)) => {
                crate::model::period_index(*k, self.strings.resolve(*t)) == Some(usize::from(*p))
            }
            _ => a == b,
        }
    }

    fn binary(&self, op: BinOp, a: &Value, b: &Value) -> Result<Value, OpError> {
        use Value as V;
        if let (BinOp::And | BinOp::Or, x, y) = (op, a, b) {
            let (x, y) = (x.truthy(), y.truthy());
            return Ok(V::Bool(if op == BinOp::And { x && y } else { x || y }));
        }
        if op.is_comparison() {
            if matches!(a, V::Null) || matches!(b, V::Null) {
                // A missing value satisfies no comparison.
                return Ok(V::Bool(false));
            }
            if matches!(op, BinOp::Eq | BinOp::Ne) {
                let eq = self.equal(a, b);
                return Ok(V::Bool(if op == BinOp::Eq { eq } else { !eq }));
            }
            let ordering = match (a, b) {
                (V::Num(x), V::Num(y)) | (V::Dur(x), V::Dur(y)) => ops::compare(*x, *y),
                (V::Date(x), V::Date(y)) => x.cmp(y),
                (V::Text(x), V::Text(y)) => self.strings.resolve(*x).cmp(self.strings.resolve(*y)),
                (V::Period(_, x), V::Period(_, y)) => x.cmp(y),
                _ => return Ok(V::Bool(false)),
            };
            return Ok(V::Bool(holds(op, ordering)));
        }
        Ok(match (op, a, b) {
            (_, V::Null, _) | (_, _, V::Null) => V::Null,
            (BinOp::Add, V::Num(x), V::Num(y)) => V::Num(ops::add(*x, *y)?),
            (BinOp::Sub, V::Num(x), V::Num(y)) => V::Num(ops::sub(*x, *y)?),
            (BinOp::Mul, V::Num(x), V::Num(y)) => V::Num(ops::mul(*x, *y)?),
            (BinOp::Div, V::Num(x), V::Num(y)) => V::Num(ops::div(*x, *y)?),
            (BinOp::Sub, V::Date(x), V::Date(y)) => V::Dur(Decimal::from(x.days_since_epoch() - y.days_since_epoch())),
            (BinOp::Add, V::Date(d), V::Dur(n)) | (BinOp::Add, V::Dur(n), V::Date(d)) => shift(*d, *n, 1)?,
            (BinOp::Sub, V::Date(d), V::Dur(n)) => shift(*d, *n, -1)?,
            (BinOp::Add, V::Dur(x), V::Dur(y)) => V::Dur(ops::add(*x, *y)?),
            (BinOp::Sub, V::Dur(x), V::Dur(y)) => V::Dur(ops::sub(*x, *y)?),
            (BinOp::Mul, V::Dur(x), V::Num(y)) => V::Dur(ops::mul(*x, *y)?),
            (BinOp::Div, V::Dur(x), V::Dur(y)) => V::Num(ops::div(*x, *y)?),
            _ => V::Null,
        })
    }

    /// A builtin function on one element's arguments.
    fn builtin(&self, b: Builtin, args: &[Value]) -> Value {
        match b {
            Builtin::Present => Value::Bool(args.first().is_some_and(|v| *v != Value::Null)),
            Builtin::Days => match args.first() {
                Some(Value::Dur(d)) => Value::Num(*d),
                _ => Value::Null,
            },
            _ => self.numeric(b, args.iter().map(Value::num)).map_or(Value::Null, Value::Num),
        }
    }

    /// A numeric builtin on one element's arguments: missing if any is.
    fn numeric(&self, b: Builtin, args: impl Iterator<Item = Option<Decimal>>) -> Option<Decimal> {
        if let Builtin::Min | Builtin::Max = b {
            return extreme(b == Builtin::Min, args.map(Entry::of_option)).number();
        }
        let mut nums = [Decimal::ZERO; 3];
        let mut count = 0;
        for x in args {
            *nums.get_mut(count)? = x?;
            count += 1;
        }
        let mode = self.scheme.rounding.mode;
        match (b, &nums[..count]) {
            (Builtin::Clamp, [x, lo, hi]) => Some((*x).max(*lo).min(*hi)),
            (Builtin::Abs, [x]) => Some(x.abs()),
            (Builtin::Round, [x]) => Some(ops::round(*x, 0, mode)),
            (Builtin::Round, [x, places]) => Some(ops::round(*x, whole_places(*places), mode)),
            _ => None,
        }
    }

    /// An aggregate over each unit's rows of a table (those of the current
    /// period, when the table has a column of the period's length).
    #[expect(clippy::too_many_arguments, reason = "the parts of one aggregate expression")]
    fn aggregate(
        &mut self,
        function: Aggregate,
        table: TableId,
        value: Option<&Expr>,
        filter: Option<&Expr>,
        trim: (u32, u32),
        period: Option<Period>,
        span: Span,
    ) -> Vec<Option<Decimal>> {
        let rows = Scope::Rows { table, period, subset: self.period_subset(table, period) };
        let n_rows = self.len(rows);
        let filter = filter.map(|f| self.eval_shared(f, rows));
        let keep = filter.as_ref().map(|f| f.values.flags_of(n_rows));
        let keep = keep.as_deref();
        let values = value.map(|v| self.eval_shared(v, rows));
        let n = self.unit_keys.len();
        if self.tables.get(table).is_none() {
            return vec![None; n];
        }
        let (units, row_of) = (self.row_units(table), self.rows_of(rows));
        let mut out = vec![None; n];
        let mut picked: Vec<Decimal> = Vec::new();
        let mut empty = Vec::new();
        // Rows come sorted by unit: one pass, one unit's run at a time.
        let mut i = 0;
        for (u, slot) in out.iter_mut().enumerate() {
            picked.clear();
            let mut count = 0u32;
            while i < n_rows && units.get(row_of.get(i)).is_some_and(|&x| x as usize == u) {
                if keep.is_none_or(|keep| keep[i]) {
                    count += 1;
                    if let Some(v) = values.as_ref().and_then(|vs| vs.values.num(i)) {
                        picked.push(v);
                    }
                }
                i += 1;
            }
            let result = match function {
                Aggregate::Count => Some(Decimal::from(count)),
                Aggregate::Sum => picked.iter().try_fold(Decimal::ZERO, |a, b| a.checked_add(*b)),
                Aggregate::Avg => mean(&picked),
                Aggregate::Min => picked.iter().min().copied(),
                Aggregate::Max => picked.iter().max().copied(),
                Aggregate::TrimmedMean => {
                    picked.sort();
                    let (high, low) = (trim.0 as usize, trim.1 as usize);
                    if picked.len() > high + low { mean(&picked[low..picked.len() - high]) } else { None }
                }
            };
            if result.is_none() && function != Aggregate::Sum {
                empty.push(u);
            }
            *slot = result;
        }
        for u in empty {
            self.empty_aggregate(u, span, function, trim);
        }
        out
    }

    /// The rows of a table in one period (when it has a column of that
    /// period's length), made once and shared by every aggregate.
    fn period_subset(&mut self, table: TableId, period: Option<Period>) -> Option<u32> {
        let p = period?;
        if let Some(&id) = self.period_rows.get(&(table, p)) {
            return Some(id);
        }
        let column = self.scheme.tables[table].columns.iter().position(|c| c.ty == ColumnType::Period(p.kind))?;
        let Some(DataColumn::Period(cells)) = self.tables.get(table).and_then(|t| t.columns.get(column)) else { return None };
        let want = u8::try_from(p.index).ok();
        let rows: Vec<u32> = cells.iter().enumerate().filter(|(_, c)| **c == want).filter_map(|(r, _)| u32::try_from(r).ok()).collect();
        let id = u32::try_from(self.subsets.len()).ok()?;
        self.subsets.push(rows);
        self.period_rows.insert((table, p), id);
        Some(id)
    }

    /// Evaluates a row-scope formula, reusing the result of an identical
    /// formula in the same scope. Formulas reading scores or the total are
    /// not shared: those change as evaluation goes on.
    fn eval_shared(&mut self, e: &Expr, scope: Scope) -> Rc<Shared> {
        let mut key = String::new();
        if !fingerprint(e, &mut key) {
            return Rc::new(Shared { values: self.values(e, scope), faults: Vec::new() });
        }
        let key = (key, scope);
        let shared = match self.memo.get(&key) {
            Some(shared) => shared.clone(),
            None => {
                // Computed without a mask, the faults kept aside.
                let outer_mask = self.mask.take();
                let outer_pending = self.pending.replace(Vec::new());
                let values = self.values(e, scope);
                let faults = std::mem::replace(&mut self.pending, outer_pending).unwrap_or_default();
                self.mask = outer_mask;
                let shared = Rc::new(Shared { values, faults });
                self.memo.insert(key, shared.clone());
                shared
            }
        };
        for f in &shared.faults {
            self.fault(scope, f.index, f.span, f.fault);
        }
        shared
    }

    /// An aggregate across units: over the unit's group (or all units).
    fn across(&mut self, function: Across, arg: &Expr, ascending: bool, period: Option<Period>) -> Vec<Option<Decimal>> {
        let n = self.unit_keys.len();
        let values: Vec<Option<Decimal>> = if function == Across::GroupCount {
            vec![Some(Decimal::ZERO); n]
        } else {
            let values = self.values(arg, Scope::every_unit(period));
            (0..n).map(|i| values.num(i)).collect()
        };
        let groups: Vec<Option<Sym>> = match function {
            Across::Rank => vec![None; n],
            _ => self.group_of_units(),
        };
        // Each group once: its members, their values sorted for ranks.
        let mut members: std::collections::HashMap<Option<Sym>, Vec<usize>> = std::collections::HashMap::new();
        for (u, g) in groups.iter().enumerate() {
            members.entry(*g).or_default().push(u);
        }
        let mut out = vec![None; n];
        for peers in members.values() {
            let mut present: Vec<Decimal> = peers.iter().filter_map(|&w| values[w]).collect();
            let summary = match function {
                Across::GroupMax => present.iter().max().copied(),
                Across::GroupMin => present.iter().min().copied(),
                Across::GroupAvg => mean(&present),
                Across::GroupSum => present.iter().try_fold(Decimal::ZERO, |a, b| a.checked_add(*b)),
                Across::GroupCount => Some(Decimal::from(peers.len())),
                Across::Rank | Across::GroupRank => None,
            };
            if matches!(function, Across::Rank | Across::GroupRank) {
                // Competition rank: 1 + the number of peers strictly better,
                // found by binary search in the sorted values.
                present.sort();
                for &u in peers {
                    out[u] = values[u].map(|mine| {
                        let better = if ascending {
                            present.partition_point(|v| *v < mine)
                        } else {
                            present.len() - present.partition_point(|v| *v <= mine)
                        };
                        Decimal::from(better + 1)
                    });
                }
            } else {
                for &u in peers {
                    out[u] = summary;
                }
            }
        }
        out
    }

    /// The default group (first group column) of each unit.
    pub fn group_of_units(&self) -> Vec<Option<Sym>> {
        let units = &self.scheme.units;
        let Some(&g) = units.groups.first() else { return vec![None; self.unit_keys.len()] };
        self.unit_texts(g)
    }

    /// The text of a units-table column for each unit.
    pub fn unit_texts(&self, column: usize) -> Vec<Option<Sym>> {
        let table = self.scheme.units.table;
        let Some(data) = self.tables.get(table) else { return vec![None; self.unit_keys.len()] };
        (0..self.unit_keys.len())
            .map(|u| {
                let row = data.rows_of(u32::try_from(u).unwrap_or(u32::MAX)).next()?;
                match data.columns.get(column) {
                    Some(DataColumn::Text(v)) => v.get(row),
                    _ => None,
                }
            })
            .collect()
    }
}

/// `min(...)` or `max(...)`: missing if any argument is (narrow ones
/// compared in fixed point).
fn extreme(min: bool, args: impl Iterator<Item = Entry>) -> Entry {
    let mut best = Entry::Empty;
    for x in args {
        if matches!(x, Entry::Empty) {
            return Entry::Empty;
        }
        if order(x, best).is_none_or(|o| replaces(min, o)) {
            best = x;
        }
    }
    best
}

/// Whether a value replaces the best so far, given how it compares with
/// it. Among equal values (`1.0`, `1.00`) the first is the minimum and the
/// last the maximum, as `Iterator::min` and `max` choose, so the digits
/// shown do not depend on how the search is written.
fn replaces(min: bool, ordering: std::cmp::Ordering) -> bool {
    if min { ordering.is_lt() } else { ordering.is_ge() }
}

/// The places of `round(x, places)` when they are written as a number (`round(x)`: 0).
fn constant_places(args: &[Expr]) -> Option<u32> {
    match args {
        [_] => Some(0),
        [_, places] => match &places.kind {
            ExprKind::Const(Constant::Number(p)) => Some(whole_places(*p)),
            _ => None,
        },
        _ => None,
    }
}

/// Decimal places written as a number: `2` and `2.0` are both 2 (the
/// checker allows only whole numbers from 0 to 10).
fn whole_places(places: Decimal) -> u32 {
    u32::try_from(places.normalize().mantissa()).unwrap_or(0)
}

/// Each of `n` values rounded to `places` (missing where it is not a number).
fn round_values(values: &Values, places: u32, mode: crate::ast::RoundingMode, n: usize) -> Values {
    let strategy = ops::strategy(mode);
    Values::Numbers(Numbers::from_entries((0..n).map(|i| match values.entry(i) {
        Entry::Narrow(f) => {
            fixed::round_fixed(f, places, strategy).map_or_else(|| Entry::of(ops::round(f.decimal(), places, mode)), Entry::Narrow)
        }
        Entry::Wide(d) => Entry::of(ops::round(d, places, mode)),
        Entry::Empty => Entry::Empty,
    })))
}

/// The order of two entries (`None` if either is empty): in fixed point
/// where it can, inlined in the caller's loop; else with `rust_decimal`.
#[inline(always)]
fn order(a: Entry, b: Entry) -> Option<std::cmp::Ordering> {
    if let (Entry::Narrow(x), Entry::Narrow(y)) = (a, b) {
        if let Some(o) = fixed::order(x, y) {
            return Some(o);
        }
    }
    order_in_decimal(a, b)
}

/// [`order`] with `rust_decimal` (out of line: the fixed-point lane is the common case).
#[inline(never)]
fn order_in_decimal(a: Entry, b: Entry) -> Option<std::cmp::Ordering> {
    Some(ops::compare(a.number()?, b.number()?))
}

/// `-x` or `not x` on one value (missing for anything else).
fn unary(op: UnaryOp, v: Value) -> Value {
    match (op, v) {
        (UnaryOp::Neg, Value::Num(x)) => Value::Num(-x),
        (UnaryOp::Neg, Value::Dur(x)) => Value::Dur(-x),
        (UnaryOp::Not, Value::Bool(b)) => Value::Bool(!b),
        _ => Value::Null,
    }
}

/// Whether a comparison holds for two values in this order.
fn holds(op: BinOp, ordering: std::cmp::Ordering) -> bool {
    match op {
        BinOp::Eq => ordering.is_eq(),
        BinOp::Ne => ordering.is_ne(),
        BinOp::Lt => ordering.is_lt(),
        BinOp::Le => ordering.is_le(),
        BinOp::Gt => ordering.is_gt(),
        _ => ordering.is_ge(),
    }
}

/// Each element picked as element `i` of branch `k` (missing where none is picked).
fn choose(branches: &[Values], picks: impl ExactSizeIterator<Item = Option<(usize, usize)>>) -> Values {
    let numbers: Option<Vec<NumberArg<'_>>> = branches.iter().map(Values::as_numbers).collect();
    // Packed words are copied as they are, not taken apart and packed again.
    if let Some(words) = numbers.as_ref().and_then(|n| n.iter().map(|a| a.words()).collect::<Option<Vec<Words<'_>>>>()) {
        let empty = Decimals::EMPTY_WORD;
        return Values::Numbers(Numbers::from_words(
            picks.map(|p| p.and_then(|(k, i)| words.get(k).and_then(|w| w.at(i))).unwrap_or(empty)).collect(),
        ));
    }
    match numbers {
        Some(numbers) => Values::Numbers(Numbers::from_entries(
            picks.map(|p| p.and_then(|(k, i)| numbers.get(k).map(|a| a.entry(i))).unwrap_or(Entry::Empty)),
        )),
        None => Values::Mixed(picks.map(|p| p.and_then(|(k, i)| branches.get(k).map(|b| b.get(i))).unwrap_or(Value::Null)).collect()),
    }
}

fn mean(values: &[Decimal]) -> Option<Decimal> {
    if values.is_empty() {
        return None;
    }
    let sum = values.iter().try_fold(Decimal::ZERO, |a, b| a.checked_add(*b))?;
    sum.checked_div(Decimal::from(values.len()))
}

fn shift(date: Date, days: Decimal, sign: i64) -> Result<Value, OpError> {
    let whole = days.trunc();
    let n = i64::try_from(whole.mantissa()).map_err(|_| OpError::Overflow)? / 10_i64.pow(whole.scale());
    let target = date.days_since_epoch().checked_add(sign * n).ok_or(OpError::Overflow)?;
    Date::from_days_since_epoch(target).map(Value::Date).ok_or(OpError::Overflow)
}

/// Writes a formula's shape (no spans) into `out`; false when the formula
/// reads something that changes during evaluation (scores, the total).
fn fingerprint(e: &Expr, out: &mut String) -> bool {
    use std::fmt::Write;
    let mut children: Vec<&Expr> = Vec::new();
    match &e.kind {
        // Scores and the total change as evaluation goes on; a nested
        // aggregate reports its own faults per unit.
        ExprKind::Total | ExprKind::Indicator(_) | ExprKind::Across { .. } | ExprKind::Aggregate { .. } => return false,
        // A text as it is, after its length (so it cannot run into what
        // follows): formatting it for debugging escapes it a character at a time.
        ExprKind::Const(Constant::Text(text)) => {
            let _ = write!(out, "ct{}:", text.len());
            out.push_str(text);
        }
        ExprKind::Const(c) => {
            let _ = write!(out, "c{c:?}");
        }
        ExprKind::Param(p) => {
            let _ = write!(out, "p{p}");
        }
        ExprKind::Column { table, column } => {
            let _ = write!(out, "col{table}.{column}");
        }
        ExprKind::Unary(op, a) => {
            let _ = write!(out, "u{op:?}");
            children.push(a);
        }
        ExprKind::Binary(op, a, b) => {
            let _ = write!(out, "b{op:?}");
            children.extend([&**a, &**b]);
        }
        ExprKind::If(a, b, c) => {
            out.push_str("if");
            children.extend([&**a, &**b, &**c]);
        }
        ExprKind::Piecewise { subject, pieces } => {
            let _ = write!(out, "pw{}", pieces.len());
            children.push(subject);
            for (test, value) in pieces {
                if let Some((op, t)) = test {
                    let _ = write!(out, "t{op:?}");
                    children.push(t);
                }
                children.push(value);
            }
        }
        ExprKind::List(items) => {
            let _ = write!(out, "l{}", items.len());
            children.extend(items.iter());
        }
        ExprKind::Call(f, args) => {
            let _ = write!(out, "f{f:?}{}", args.len());
            children.extend(args.iter());
        }
    }
    out.push('(');
    for c in children {
        if !fingerprint(c, out) {
            return false;
        }
        out.push(',');
    }
    out.push(')');
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Type;

    fn num(s: &str) -> Value {
        Value::Num(s.parse().unwrap_or_default())
    }

    #[test]
    fn a_scopes_values_stand_for_its_rows_in_order() {
        let collected = |rows: RowsOf<'_>| (rows.len(), rows.iter().collect::<Vec<_>>());
        assert_eq!(collected(RowsOf::All(3)), (3, vec![0, 1, 2]));
        assert_eq!(collected(RowsOf::Only(&[4, 0, 7])), (3, vec![4, 0, 7]));
        assert_eq!(RowsOf::Only(&[4, 0, 7]).get(2), 7);
        assert_eq!(collected(RowsOf::Only(&[])), (0, vec![]));
    }

    #[test]
    fn places_written_with_a_point_are_whole_places() {
        let number = |s: &str| Expr {
            kind: ExprKind::Const(Constant::Number(s.parse().unwrap_or_default())),
            ty: Type::Number,
            span: Span::default(),
        };
        for (written, places) in [("2", 2), ("2.0", 2), ("10", 10), ("0.00", 0)] {
            assert_eq!(constant_places(&[number("1"), number(written)]), Some(places), "round(x, {written})");
        }
        assert_eq!(constant_places(&[number("1")]), Some(0));
    }

    #[test]
    fn min_and_max_pick_among_equals_as_iterators_do() {
        let (a, b, c) = (num("1.0"), num("1.00"), num("0.5"));
        let extreme = |min: bool, args: &[&Value]| {
            extreme(min, args.iter().map(|v| Entry::of_option(v.num()))).number().map_or(Value::Null, Value::Num)
        };
        let shown = |v: Value| v.num().map(|d| d.to_string()).unwrap_or_default();
        assert_eq!(shown(extreme(true, &[&a, &b])), "1.0");
        assert_eq!(shown(extreme(false, &[&a, &b])), "1.00");
        assert_eq!(shown(extreme(true, &[&a, &b, &c])), "0.5");
        assert_eq!(shown(extreme(false, &[&c, &b, &a])), "1.0");
        for xs in [[&a, &b, &c], [&b, &a, &c], [&c, &a, &b]] {
            let decimals: Vec<Decimal> = xs.iter().filter_map(|v| v.num()).collect();
            let by_iter = |d: Option<&Decimal>| d.map(|d| d.to_string()).unwrap_or_default();
            assert_eq!(shown(extreme(true, &xs)), by_iter(decimals.iter().min()));
            assert_eq!(shown(extreme(false, &xs)), by_iter(decimals.iter().max()));
        }
        assert_eq!(extreme(true, &[&a, &Value::Null]), Value::Null);
    }
}
