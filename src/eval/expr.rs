//! Columnar evaluation of checked formulas.
//!
//! A formula is evaluated over a whole column at once: over every unit
//! (`Scope::Units`), or over every row of one table (`Scope::Rows`, for
//! `where` filters, per-row amounts and aggregate values). Each operator
//! works element by element on two vectors; nothing looks a name up per
//! row. A value a row scope needs from the unit (a parameter, a unit column,
//! an indicator's score) is computed once per unit and spread over the rows.

use rust_decimal::Decimal;

use super::Engine;
use super::ops::{self, OpError};
use crate::ast::{BinOp, PeriodKind, UnaryOp};
use crate::data::{Column as DataColumn, Sym};
use crate::date::Date;
use crate::model::{Across, Aggregate, Builtin, ColumnType, Expr, ExprKind, TableId, TableShape, Value as Constant};
use crate::source::Span;

/// In [`Engine::unit_rows`]: the unit has no row.
const NO_ROW: u32 = u32::MAX;

/// A value during evaluation.
#[derive(Debug, Clone, PartialEq)]
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
    fn period(self) -> Option<Period> {
        match self {
            Scope::Units { period } | Scope::Rows { period, .. } => period,
        }
    }
}

impl Engine<'_> {
    /// Number of values in a scope.
    fn len(&self, scope: Scope) -> usize {
        match scope {
            Scope::Units { .. } => self.data.units.len(),
            Scope::Rows { subset: Some(s), .. } => self.subsets.get(s as usize).map_or(0, Vec::len),
            Scope::Rows { table, subset: None, .. } => self.data.tables.get(table).map_or(0, |t| t.len()),
        }
    }

    /// The table row of the `i`-th value of a row scope.
    pub(super) fn row(&self, scope: Scope, i: usize) -> usize {
        match scope {
            Scope::Rows { subset: Some(s), .. } => self.subsets.get(s as usize).and_then(|rows| rows.get(i)).map_or(i, |&r| r as usize),
            _ => i,
        }
    }

    /// Spreads one value per unit over a scope (identity for units).
    fn spread(&self, per_unit: Vec<Value>, scope: Scope) -> Vec<Value> {
        match scope {
            Scope::Units { .. } => per_unit,
            Scope::Rows { table, .. } => {
                let units = self.data.tables.get(table).map_or(&[][..], |t| &t.unit[..]);
                (0..self.len(scope))
                    .map(|i| units.get(self.row(scope, i)).and_then(|&u| per_unit.get(u as usize)).cloned().unwrap_or(Value::Null))
                    .collect()
            }
        }
    }

    /// Evaluates a formula over a scope.
    pub fn eval(&mut self, e: &Expr, scope: Scope) -> Vec<Value> {
        let n = self.len(scope);
        match &e.kind {
            ExprKind::Const(c) => {
                let v = self.constant(c);
                vec![v; n]
            }
            ExprKind::Total => {
                let totals = self.totals.clone().unwrap_or_default();
                self.spread(totals.into_iter().map(Value::Num).collect(), scope)
            }
            ExprKind::Param(p) => self.param(*p, scope),
            ExprKind::Column { table, column } => self.column(*table, *column, scope),
            ExprKind::Indicator(i) => {
                let scores = self.scores.get(*i).cloned().flatten().unwrap_or_default();
                self.spread(scores, scope)
            }
            ExprKind::Unary(op, a) => {
                let a = self.eval(a, scope);
                a.into_iter()
                    .map(|v| match (op, v) {
                        (UnaryOp::Neg, Value::Num(x)) => Value::Num(-x),
                        (UnaryOp::Neg, Value::Dur(x)) => Value::Dur(-x),
                        (UnaryOp::Not, Value::Bool(b)) => Value::Bool(!b),
                        _ => Value::Null,
                    })
                    .collect()
            }
            ExprKind::Binary(BinOp::In, a, b) => {
                let lhs = self.eval(a, scope);
                let items: Vec<Vec<Value>> = match &b.kind {
                    ExprKind::List(items) => items.iter().map(|i| self.eval(i, scope)).collect(),
                    _ => vec![self.eval(b, scope)],
                };
                (0..n)
                    .map(|i| {
                        let x = &lhs[i];
                        if *x == Value::Null {
                            return Value::Bool(false);
                        }
                        Value::Bool(items.iter().any(|col| self.equal(x, &col[i])))
                    })
                    .collect()
            }
            ExprKind::Binary(op, a, b) => {
                let lhs = self.eval(a, scope);
                let rhs = self.eval(b, scope);
                let mut out = Vec::with_capacity(n);
                for (i, (x, y)) in lhs.iter().zip(&rhs).enumerate() {
                    let v = match self.binary(*op, x, y) {
                        Ok(v) => v,
                        Err(fault) => {
                            self.fault(scope, i, e.span, fault);
                            Value::Null
                        }
                    };
                    out.push(v);
                }
                out
            }
            ExprKind::If(c, t, o) => {
                let c = self.eval(c, scope);
                let taken: Vec<bool> = c.iter().map(Value::truthy).collect();
                let not_taken: Vec<bool> = taken.iter().map(|x| !x).collect();
                let t = self.masked(scope, taken, |this| this.eval(t, scope));
                let o = self.masked(scope, not_taken, |this| this.eval(o, scope));
                c.into_iter().zip(t).zip(o).map(|((c, t), o)| if c.truthy() { t } else { o }).collect()
            }
            ExprKind::Piecewise { subject, pieces } => {
                let s = self.eval(subject, scope);
                let mut out = vec![Value::Null; n];
                let mut done = vec![false; n];
                for (test, value) in pieces {
                    let hit: Vec<bool> = match test {
                        None => vec![true; n],
                        Some((op, operand)) => {
                            let o = self.eval(operand, scope);
                            s.iter().zip(&o).map(|(x, y)| self.binary(*op, x, y).map(|v| v.truthy()).unwrap_or(false)).collect()
                        }
                    };
                    let used: Vec<bool> = (0..n).map(|i| !done[i] && hit[i]).collect();
                    let values = self.masked(scope, used, |this| this.eval(value, scope));
                    for i in 0..n {
                        if !done[i] && hit[i] {
                            out[i] = values[i].clone();
                            done[i] = true;
                        }
                    }
                }
                out
            }
            ExprKind::List(_) => vec![Value::Null; n],
            ExprKind::Call(builtin, args) => {
                let args: Vec<Vec<Value>> = args.iter().map(|a| self.eval(a, scope)).collect();
                // One argument buffer for the whole column: no allocation per value.
                let mut row: Vec<&Value> = Vec::with_capacity(args.len());
                let mut out = Vec::with_capacity(n);
                for i in 0..n {
                    row.clear();
                    row.extend(args.iter().map(|a| &a[i]));
                    out.push(self.builtin(*builtin, &row));
                }
                out
            }
            ExprKind::Aggregate { function, table, value, filter, trim } => {
                let per_unit = self.aggregate(*function, *table, value.as_deref(), filter.as_deref(), *trim, scope.period(), e.span);
                self.spread(per_unit, scope)
            }
            ExprKind::Across { function, arg, ascending } => {
                let per_unit = self.across(*function, arg, *ascending, scope.period());
                self.spread(per_unit, scope)
            }
        }
    }

    /// Evaluates with only the values `used` counting for faults (combined
    /// with any enclosing mask of the same scope).
    pub(super) fn masked<T>(&mut self, scope: Scope, used: Vec<bool>, f: impl FnOnce(&mut Self) -> T) -> T {
        let outer = self.mask.take();
        let combined = match &outer {
            Some((s, m)) if *s == scope => used.iter().zip(m).map(|(a, b)| *a && *b).collect(),
            Some((Scope::Units { .. }, m)) => {
                (0..used.len()).map(|i| used[i] && m.get(self.unit_of_row(scope, i)).copied().unwrap_or(true)).collect()
            }
            _ => used,
        };
        self.mask = Some((scope, combined));
        let out = f(self);
        self.mask = outer;
        out
    }

    /// The unit of a value in a scope.
    fn unit_of_row(&self, scope: Scope, index: usize) -> usize {
        match scope {
            Scope::Units { .. } => index,
            Scope::Rows { table, .. } => {
                self.data.tables.get(table).and_then(|t| t.unit.get(self.row(scope, index))).map_or(0, |&u| u as usize)
            }
        }
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
    fn param(&mut self, p: usize, scope: Scope) -> Vec<Value> {
        let Some(param) = self.scheme.params.get(p) else { return vec![Value::Null; self.len(scope)] };
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
                if let Some(DataColumn::Date(dates)) = self.data.tables.get(table).and_then(|t| t.columns.get(*first)) {
                    let dates: Vec<Option<Date>> = (0..self.len(scope)).map(|i| dates.get(self.row(scope, i)).copied().flatten()).collect();
                    return dates.into_iter().map(|d| at(self, d.unwrap_or(default_date))).collect();
                }
            }
        }
        let v = at(self, default_date);
        vec![v; self.len(scope)]
    }

    /// A column's values: of each row in its own table's row scope, else of
    /// each unit's one row (or its row of the current period).
    fn column(&mut self, table: TableId, column: usize, scope: Scope) -> Vec<Value> {
        let Some(data) = self.data.tables.get(table) else { return vec![Value::Null; self.len(scope)] };
        let kind = match self.scheme.tables[table].columns.get(column).map(|c| &c.ty) {
            Some(ColumnType::Period(k)) => Some(*k),
            _ => None,
        };
        let cell = |row: usize| -> Value {
            match data.columns.get(column) {
                Some(DataColumn::Number(v)) => v.get(row).copied().flatten().map_or(Value::Null, Value::Num),
                Some(DataColumn::Text(v)) => v.get(row).copied().flatten().map_or(Value::Null, Value::Text),
                Some(DataColumn::Date(v)) => v.get(row).copied().flatten().map_or(Value::Null, Value::Date),
                Some(DataColumn::Bool(v)) => v.get(row).copied().flatten().map_or(Value::Null, Value::Bool),
                Some(DataColumn::Period(v)) => match (v.get(row).copied().flatten(), kind) {
                    (Some(p), Some(k)) => Value::Period(k, p),
                    _ => Value::Null,
                },
                None => Value::Null,
            }
        };
        if matches!(scope, Scope::Rows { table: t, .. } if t == table) {
            return (0..self.len(scope)).map(|i| cell(self.row(scope, i))).collect();
        }
        let rows = self.unit_rows(table, scope.period());
        let per_unit: Vec<Value> = rows.iter().map(|&row| if row == NO_ROW { Value::Null } else { cell(row as usize) }).collect();
        self.spread(per_unit, scope)
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
        let Some(data) = self.data.tables.get(table) else { return vec![NO_ROW; self.data.units.len()].into() };
        let rows: std::rc::Rc<[u32]> = (0..self.data.units.len())
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
                (V::Num(x), V::Num(y)) | (V::Dur(x), V::Dur(y)) => x.cmp(y),
                (V::Date(x), V::Date(y)) => x.cmp(y),
                (V::Text(x), V::Text(y)) => self.strings.resolve(*x).cmp(self.strings.resolve(*y)),
                (V::Period(_, x), V::Period(_, y)) => x.cmp(y),
                _ => return Ok(V::Bool(false)),
            };
            let holds = match op {
                BinOp::Lt => ordering.is_lt(),
                BinOp::Le => ordering.is_le(),
                BinOp::Gt => ordering.is_gt(),
                _ => ordering.is_ge(),
            };
            return Ok(V::Bool(holds));
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

    fn builtin(&self, b: Builtin, args: &[&Value]) -> Value {
        match b {
            Builtin::Present => Value::Bool(args.first().is_some_and(|v| **v != Value::Null)),
            Builtin::Days => match args.first() {
                Some(Value::Dur(d)) => Value::Num(*d),
                _ => Value::Null,
            },
            Builtin::Min | Builtin::Max => extreme(b == Builtin::Min, args),
            _ => {
                let mut nums = [Decimal::ZERO; 3];
                if args.len() > nums.len() {
                    return Value::Null;
                }
                for (slot, v) in nums.iter_mut().zip(args) {
                    let Some(x) = v.num() else { return Value::Null };
                    *slot = x;
                }
                match (b, &nums[..args.len()]) {
                    (Builtin::Clamp, [x, lo, hi]) => Value::Num((*x).max(*lo).min(*hi)),
                    (Builtin::Abs, [x]) => Value::Num(x.abs()),
                    (Builtin::Round, [x]) => Value::Num(ops::round(*x, 0, self.scheme.rounding.mode)),
                    (Builtin::Round, [x, places]) => {
                        let p = u32::try_from(places.mantissa()).unwrap_or(0);
                        Value::Num(ops::round(*x, p, self.scheme.rounding.mode))
                    }
                    _ => Value::Null,
                }
            }
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
    ) -> Vec<Value> {
        let rows = Scope::Rows { table, period, subset: self.period_subset(table, period) };
        let n_rows = self.len(rows);
        let keep: Vec<bool> = match filter {
            Some(f) => self.eval_shared(f, rows).iter().map(Value::truthy).collect(),
            None => vec![true; n_rows],
        };
        let values = value.map(|v| self.eval_shared(v, rows));
        let n = self.data.units.len();
        let Some(data) = self.data.tables.get(table) else { return vec![Value::Null; n] };
        let mut out = vec![Value::Null; n];
        let mut picked: Vec<Decimal> = Vec::new();
        let mut empty = Vec::new();
        // Rows come sorted by unit: one pass, one unit's run at a time.
        let mut i = 0;
        for (u, slot) in out.iter_mut().enumerate() {
            picked.clear();
            let mut count = 0u32;
            while i < n_rows && data.unit.get(self.row(rows, i)).is_some_and(|&x| x as usize == u) {
                if keep[i] {
                    count += 1;
                    if let Some(v) = values.as_ref().and_then(|vs| vs.get(i)).and_then(Value::num) {
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
            *slot = result.map_or(Value::Null, Value::Num);
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
        let Some(DataColumn::Period(cells)) = self.data.tables.get(table).and_then(|t| t.columns.get(column)) else { return None };
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
    fn eval_shared(&mut self, e: &Expr, scope: Scope) -> Vec<Value> {
        let mut key = String::new();
        if !fingerprint(e, &mut key) {
            return self.eval(e, scope);
        }
        if !self.memo.contains_key(&(key.clone(), scope)) {
            // Compute without a mask, keeping the faults aside.
            let outer_mask = self.mask.take();
            let outer_pending = self.pending.replace(Vec::new());
            let values = self.eval(e, scope);
            let faults = std::mem::replace(&mut self.pending, outer_pending).unwrap_or_default();
            self.mask = outer_mask;
            self.memo.insert((key.clone(), scope), (values, faults));
        }
        let (values, faults) = self.memo.get(&(key, scope)).cloned().unwrap_or_default();
        for f in faults {
            self.fault(scope, f.index, f.span, f.fault);
        }
        values
    }

    /// An aggregate across units: over the unit's group (or all units).
    fn across(&mut self, function: Across, arg: &Expr, ascending: bool, period: Option<Period>) -> Vec<Value> {
        let n = self.data.units.len();
        let values: Vec<Option<Decimal>> = if function == Across::GroupCount {
            vec![Some(Decimal::ZERO); n]
        } else {
            self.eval(arg, Scope::Units { period }).iter().map(Value::num).collect()
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
        let mut out = vec![Value::Null; n];
        for peers in members.values() {
            let mut present: Vec<Decimal> = peers.iter().filter_map(|&w| values[w]).collect();
            let summary = match function {
                Across::GroupMax => present.iter().max().copied().map_or(Value::Null, Value::Num),
                Across::GroupMin => present.iter().min().copied().map_or(Value::Null, Value::Num),
                Across::GroupAvg => mean(&present).map_or(Value::Null, Value::Num),
                Across::GroupSum => present.iter().try_fold(Decimal::ZERO, |a, b| a.checked_add(*b)).map_or(Value::Null, Value::Num),
                Across::GroupCount => Value::Num(Decimal::from(peers.len())),
                Across::Rank | Across::GroupRank => Value::Null,
            };
            if matches!(function, Across::Rank | Across::GroupRank) {
                // Competition rank: 1 + the number of peers strictly better,
                // found by binary search in the sorted values.
                present.sort();
                for &u in peers {
                    out[u] = match values[u] {
                        Some(mine) => {
                            let better = if ascending {
                                present.partition_point(|v| *v < mine)
                            } else {
                                present.len() - present.partition_point(|v| *v <= mine)
                            };
                            Value::Num(Decimal::from(better + 1))
                        }
                        None => Value::Null,
                    };
                }
            } else {
                for &u in peers {
                    out[u] = summary.clone();
                }
            }
        }
        out
    }

    /// The default group (first group column) of each unit.
    pub fn group_of_units(&self) -> Vec<Option<Sym>> {
        let units = &self.scheme.units;
        let Some(&g) = units.groups.first() else { return vec![None; self.data.units.len()] };
        self.unit_texts(g)
    }

    /// The text of a units-table column for each unit.
    pub fn unit_texts(&self, column: usize) -> Vec<Option<Sym>> {
        let table = self.scheme.units.table;
        let Some(data) = self.data.tables.get(table) else { return vec![None; self.data.units.len()] };
        (0..self.data.units.len())
            .map(|u| {
                let row = data.rows_of(u32::try_from(u).unwrap_or(u32::MAX)).next()?;
                match data.columns.get(column) {
                    Some(DataColumn::Text(v)) => v.get(row).copied().flatten(),
                    _ => None,
                }
            })
            .collect()
    }
}

/// `min(...)` or `max(...)`: missing if any argument is. Among equal values
/// (`1.0`, `1.00`) the first is the minimum and the last the maximum, as
/// `Iterator::min` and `max` choose, so the digits shown do not depend on
/// how the search is written.
fn extreme(min: bool, args: &[&Value]) -> Value {
    let mut best: Option<Decimal> = None;
    for v in args {
        let Some(x) = v.num() else { return Value::Null };
        let replace = match best {
            None => true,
            Some(b) if min => x < b,
            Some(b) => x >= b,
        };
        if replace {
            best = Some(x);
        }
    }
    best.map_or(Value::Null, Value::Num)
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

    fn num(s: &str) -> Value {
        Value::Num(s.parse().unwrap_or_default())
    }

    #[test]
    fn min_and_max_pick_among_equals_as_iterators_do() {
        let (a, b, c) = (num("1.0"), num("1.00"), num("0.5"));
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
