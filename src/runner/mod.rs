//! `runner`: the scheme's own tests (`测试 "..." { 数据 ... 期望 ... }`).
//!
//! A test's inline rows become a [`Dataset`] exactly as files would (typed
//! columns, rows sorted by unit), the scheme is evaluated on it, and every
//! expectation is compared with the figure it names. A figure expected with
//! fewer decimals than it has (`期望 ... = 86.67`) matches when it rounds,
//! the scheme's way, to the expected value; a whole number (`= 5`) must be exact.

use std::fmt::Write;

use rust_decimal::Decimal;

use crate::data::{Column, Dataset, Interner, TableData};
use crate::diagnostics::{Diagnostics, Lang};
use crate::eval::{self, ops};
use crate::model::{ColumnType, Scheme, Subject, Test, Value};
use crate::report::{Assessment, UnitResult, explain};

/// What one test found.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The test's name.
    pub name: String,
    /// `file:line` of the test.
    pub cite: String,
    /// Expectations that did not hold.
    pub failures: Vec<Failure>,
    /// Expectations checked.
    pub checked: usize,
    /// Problems evaluating the test's data (they fail the test too).
    pub diagnostics: Diagnostics,
    /// The results, for explaining a failure.
    pub assessment: Assessment,
}

impl Outcome {
    /// Whether every expectation held and the data evaluated without errors.
    pub fn passed(&self) -> bool {
        self.failures.is_empty() && self.diagnostics.error_count() == 0
    }
}

/// One expectation that did not hold.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The unit.
    pub unit: String,
    /// What was checked, as written (`总分`, `重点工作 Q1`).
    pub subject: String,
    /// The expected value.
    pub expected: String,
    /// What came out.
    pub got: String,
    /// `file:line` of the expectation.
    pub cite: String,
    /// The figure checked, for explaining it.
    pub figure: Subject,
    /// `got − expected`, when both are numbers.
    pub difference: Option<Decimal>,
}

/// Runs one test of a scheme.
pub fn run(scheme: &Scheme, test: &Test) -> Outcome {
    let data = dataset(scheme, test);
    let (assessment, diagnostics) = eval::evaluate(scheme, &data);
    let mut failures = Vec::new();
    for e in &test.expectations {
        let cite = format!("{}:{}", test.origin.file.name, test.origin.file.line_col(e.span.start).0);
        let subject = describe(scheme, &e.subject);
        let Some(unit) = assessment.unit(&e.unit) else {
            failures.push(Failure {
                unit: e.unit.clone(),
                subject,
                expected: show(&e.value),
                got: "no such unit in the test's data".into(),
                cite,
                figure: e.subject.clone(),
                difference: None,
            });
            continue;
        };
        let got = figure(scheme, unit, &e.subject);
        if !matches(scheme, &e.value, &got) {
            let difference = match (&e.value, &got) {
                (Value::Number(e), Value::Number(g)) => g.checked_sub(*e),
                _ => None,
            };
            failures.push(Failure {
                unit: e.unit.clone(),
                subject,
                expected: show(&e.value),
                got: show(&got),
                cite,
                figure: e.subject.clone(),
                difference,
            });
        }
    }
    Outcome { name: test.name.clone(), cite: test.origin.cite(), failures, checked: test.expectations.len(), diagnostics, assessment }
}

/// The test's inline rows as a dataset.
pub fn dataset(scheme: &Scheme, test: &Test) -> Dataset {
    let mut strings = Interner::default();
    // Units: from the units table's rows when given, else from every table's unit column.
    let units_table = scheme.units.table;
    let mut units: Vec<String> = Vec::new();
    for t in &test.data {
        let unit_column = scheme.tables[t.table].unit_column;
        let Some(k) = t.columns.iter().position(|&c| c == if t.table == units_table { scheme.units.key } else { unit_column }) else {
            continue;
        };
        if t.table != units_table && test.data.iter().any(|d| d.table == units_table) {
            continue;
        }
        for row in &t.rows {
            if let Some(Value::Text(u)) = row.get(k) {
                if !units.contains(u) {
                    units.push(u.clone());
                }
            }
        }
    }
    units.sort();
    // The keys first, in order: a unit's symbol is its id.
    for key in &units {
        strings.intern(key);
    }
    let tables = scheme
        .tables
        .iter()
        .enumerate()
        .map(|(id, table)| {
            let given = test.data.iter().find(|d| d.table == id);
            let mut rows: Vec<(u32, Vec<Value>, u32)> = Vec::new();
            if let Some(given) = given {
                for (line, row) in given.rows.iter().enumerate() {
                    let mut full: Vec<Value> = table.columns.iter().map(|c| c.default.clone().unwrap_or(Value::Null)).collect();
                    for (&c, v) in given.columns.iter().zip(row) {
                        if let Some(slot) = full.get_mut(c) {
                            *slot = v.clone();
                        }
                    }
                    let Some(Value::Text(key)) = full.get(table.unit_column) else { continue };
                    let Ok(u) = units.binary_search(key) else { continue };
                    rows.push((u32::try_from(u).unwrap_or(u32::MAX), full, u32::try_from(line + 1).unwrap_or(u32::MAX)));
                }
            } else if table.columns.iter().enumerate().all(|(i, c)| i == table.unit_column || c.default.is_some())
                && table.shape != crate::model::TableShape::Rows
            {
                // A table with defaults everywhere: one default row per unit.
                for (u, key) in units.iter().enumerate() {
                    let mut full: Vec<Value> = table.columns.iter().map(|c| c.default.clone().unwrap_or(Value::Null)).collect();
                    full[table.unit_column] = Value::Text(key.clone());
                    rows.push((u32::try_from(u).unwrap_or(u32::MAX), full, 0));
                }
            }
            rows.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.2.cmp(&b.2)));
            let mut unit_starts = vec![0u32; units.len() + 1];
            for (u, _, _) in &rows {
                if let Some(slot) = unit_starts.get_mut(*u as usize + 1) {
                    *slot += 1;
                }
            }
            for i in 1..unit_starts.len() {
                unit_starts[i] += unit_starts[i - 1];
            }
            let columns = table
                .columns
                .iter()
                .enumerate()
                .map(|(c, col)| {
                    let cells = rows.iter().map(|(_, r, _)| r.get(c).cloned().unwrap_or(Value::Null));
                    match &col.ty {
                        ColumnType::Number | ColumnType::Integer | ColumnType::Percent => {
                            Column::Number(cells.map(|v| if let Value::Number(n) = v { Some(n) } else { None }).collect())
                        }
                        ColumnType::Text | ColumnType::Enum(_) => {
                            Column::Text(cells.map(|v| if let Value::Text(t) = v { Some(strings.intern(&t)) } else { None }).collect())
                        }
                        ColumnType::Date => Column::Date(cells.map(|v| if let Value::Date(d) = v { Some(d) } else { None }).collect()),
                        ColumnType::Bool => Column::Bool(cells.map(|v| if let Value::Bool(b) = v { Some(b) } else { None }).collect()),
                        ColumnType::Period(kind) => Column::Period(
                            cells
                                .map(|v| {
                                    if let Value::Text(t) = v {
                                        crate::model::period_index(*kind, &t).and_then(|i| u8::try_from(i).ok())
                                    } else {
                                        None
                                    }
                                })
                                .collect(),
                        ),
                    }
                })
                .collect();
            TableData {
                source: format!("{} ({})", table.name, test.name),
                columns,
                lines: rows.iter().map(|(_, _, l)| *l).collect(),
                unit_starts,
                group_at: Vec::new(),
            }
        })
        .collect();
    Dataset { units: units.len(), tables, strings }
}

/// The figure an expectation names.
fn figure(scheme: &Scheme, unit: UnitResult, subject: &Subject) -> Value {
    match subject {
        Subject::Total => Value::Number(unit.total()),
        Subject::Grade => Value::Text(unit.grade().to_string()),
        Subject::Rank => Value::Number(Decimal::from(unit.rank())),
        Subject::GroupRank => unit.group_rank().map_or(Value::Null, |r| Value::Number(Decimal::from(r))),
        Subject::Deduction(i) => {
            let name = &scheme.deductions[*i].name;
            Value::Number(unit.deductions().find(|d| d.name() == name).map_or(Decimal::ZERO, |d| d.amount()))
        }
        Subject::Bonus(i) => {
            let name = &scheme.bonuses[*i].name;
            Value::Number(unit.bonuses().find(|d| d.name() == name).map_or(Decimal::ZERO, |d| d.amount()))
        }
        Subject::Veto(i) => Value::Bool(unit.vetoes().any(|v| v == scheme.vetoes[*i].name)),
        Subject::Indicator(id, period) => {
            let path = scheme.indicators[*id].path.join(".");
            let Some(r) = unit.indicators().find(|r| r.path() == path) else { return Value::Null };
            match period {
                None => Value::Number(r.score()),
                Some(p) => r.periods().nth(*p).map_or(Value::Null, Value::Number),
            }
        }
    }
}

fn matches(scheme: &Scheme, expected: &Value, got: &Value) -> bool {
    match (expected, got) {
        // Written with decimals, an expectation names the figure to that many
        // places; written as a whole number it is exact, so `= 5` never passes 5.4.
        (Value::Number(e), Value::Number(g)) => e == g || (e.scale() > 0 && ops::round(*g, e.scale(), scheme.rounding.mode) == *e),
        (e, g) => e == g,
    }
}

fn show(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        Value::Text(t) => t.clone(),
        Value::Date(d) => d.to_string(),
        Value::Duration(d) => format!("{d} 天"),
        Value::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Value::Null => "(none)".to_string(),
    }
}

fn describe(scheme: &Scheme, subject: &Subject) -> String {
    match subject {
        Subject::Total => "总分".into(),
        Subject::Grade => "等次".into(),
        Subject::Rank => "排名".into(),
        Subject::GroupRank => "组内排名".into(),
        Subject::Deduction(i) => format!("扣分 {}", scheme.deductions[*i].name),
        Subject::Bonus(i) => format!("加分 {}", scheme.bonuses[*i].name),
        Subject::Veto(i) => format!("否决 {}", scheme.vetoes[*i].name),
        Subject::Indicator(id, None) => scheme.indicators[*id].path.join("."),
        Subject::Indicator(id, Some(p)) => format!("{} 第{}期", scheme.indicators[*id].path.join("."), p + 1),
    }
}

/// One test's result for people: an `ok` line, or a `FAIL` line with each
/// failed expectation, its difference, and the derivation of the figure
/// that came out (the sections of `kaohe explain` behind it).
pub fn render(scheme: &Scheme, file: &str, outcome: &Outcome, lang: Lang, width: usize) -> String {
    let zh = lang == Lang::Zh;
    let mut out = String::new();
    if outcome.passed() {
        let checks = if zh { "项" } else { "checks" };
        let _ = writeln!(out, "ok    {file} — {} ({} {checks})", outcome.name, outcome.checked);
        return out;
    }
    let _ = writeln!(out, "FAIL  {file} — {}", outcome.name);
    for f in &outcome.failures {
        let difference =
            f.difference.map(|d| format!(" ({}{})", if d.is_sign_negative() { "" } else { "+" }, d.normalize())).unwrap_or_default();
        let line = if zh {
            format!("      {} {}: 期望 {}, 实际 {}{difference}  ({})", f.unit, f.subject, f.expected, f.got, f.cite)
        } else {
            format!("      {} {}: expected {}, got {}{difference}  ({})", f.unit, f.subject, f.expected, f.got, f.cite)
        };
        let _ = writeln!(out, "{line}");
        let Some(unit) = outcome.assessment.unit(&f.unit) else { continue };
        let _ = writeln!(out, "        {}", if zh { format!("实际值 {} 的由来:", f.got) } else { format!("how {} came out:", f.got) });
        let why = explain::explain_figure(scheme, &outcome.assessment, unit, &f.figure, lang);
        for l in why.lines() {
            let _ = writeln!(out, "          {l}");
        }
    }
    for d in outcome.diagnostics.iter() {
        let _ = write!(out, "{}", crate::diagnostics::render(d, lang, false, Some(width)));
    }
    out
}
