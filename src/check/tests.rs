//! The scheme's own test blocks: inline rows typed by their tables, and
//! expectations that name real units, indicators, periods and grades.

use std::sync::Arc;

use super::Checker;
use super::merge::Tagged;
use crate::ast::{self, ExpectSubject, ExpectValue, Literal};
use crate::diagnostics::{Diagnostic, codes};
use crate::model::{self, Adjustment, Expectation, Subject, TestTable, Value, Veto};
use crate::source::{Origin, SourceFile};
use crate::suggest::help_or;
use crate::text;

impl Checker<'_> {
    pub(super) fn tests(
        &mut self,
        tests: &[Tagged<ast::TestDecl>],
        deductions: &[Adjustment],
        bonuses: &[Adjustment],
        vetoes: &[Veto],
    ) -> Vec<model::Test> {
        let mut out: Vec<model::Test> = Vec::new();
        for tagged in tests {
            let t = &tagged.item;
            let file = &tagged.file;
            if out.iter().any(|o| o.name == t.name.node) {
                let n = &t.name.node;
                self.push(
                    Diagnostic::error(&codes::NAME_DUPLICATE, file, text!("test `{n}` is declared twice", "测试 `{n}` 声明了两次"))
                        .with_label(t.name.span, text!("declared again here", "在此重复声明"))
                        .with_help(text!("give each test its own name", "给每个测试起不同的名称")),
                );
                continue;
            }
            let data: Vec<TestTable> = t.data.iter().filter_map(|d| self.test_table(file, d)).collect();
            let units: Option<Vec<String>> = self.units.as_ref().and_then(|u| {
                data.iter().find(|d| d.table == u.table).map(|d| {
                    let key = d.columns.iter().position(|&c| c == u.key);
                    d.rows
                        .iter()
                        .filter_map(|r| match key.and_then(|k| r.get(k)) {
                            Some(Value::Text(s)) => Some(s.clone()),
                            _ => None,
                        })
                        .collect()
                })
            });
            let expectations =
                t.expectations.iter().filter_map(|e| self.expectation(file, e, units.as_deref(), deductions, bonuses, vetoes)).collect();
            out.push(model::Test {
                name: t.name.node.clone(),
                data,
                expectations,
                origin: Origin { file: file.clone(), span: t.name.span },
            });
        }
        out
    }

    fn test_table(&mut self, file: &Arc<SourceFile>, d: &ast::TestData) -> Option<TestTable> {
        let table = self.lookup_table(file, &d.table)?;
        let columns: Vec<usize> = d.columns.iter().filter_map(|c| self.lookup_column(file, table, c)).collect();
        if columns.len() != d.columns.len() {
            return None;
        }
        let unit_column = self.tables[table].unit_column;
        if !columns.contains(&unit_column) {
            let (t, c) = (self.tables[table].name.clone(), self.tables[table].columns[unit_column].name.clone());
            self.push(
                Diagnostic::error(
                    &codes::TEST_ROW,
                    file,
                    text!("test rows of `{t}` do not say which unit they belong to", "`{t}` 的测试数据没有指明所属单位"),
                )
                .with_label(d.table.span, text!("no `{c}` column given", "没有给出 `{c}` 列"))
                .with_help(text!("add `{c}` to the column list", "在列清单中加上 `{c}`")),
            );
        }
        let mut rows = Vec::new();
        for row in &d.rows {
            if row.node.len() != columns.len() {
                let (got, want) = (row.node.len(), columns.len());
                self.push(
                    Diagnostic::error(
                        &codes::TEST_ROW,
                        file,
                        text!("this row has {got} values for {want} columns", "此行有 {got} 个值,但有 {want} 列"),
                    )
                    .with_label(row.span, text!("one value per column, in order", "每列一个值,按顺序"))
                    .with_help(text!("write `空` for an empty cell", "空单元格写 `空`")),
                );
                continue;
            }
            let mut values = Vec::new();
            for (value, &column) in row.node.iter().zip(&columns) {
                let col = self.tables[table].columns[column].clone();
                if matches!(value.node, Literal::Null) && !col.optional && col.default.is_none() {
                    let c = &col.name;
                    self.push(
                        Diagnostic::error(&codes::TEST_ROW, file, text!("column `{c}` cannot be empty", "列 `{c}` 不能为空"))
                            .with_label(value.span, text!("empty", "空值"))
                            .with_help(text!(
                                "give a value, or declare the column `可空` or with a `默认`",
                                "给出值,或把此列声明为 `可空` 或带 `默认` 值"
                            )),
                    );
                    continue;
                }
                // A value that does not fit is reported by `typed_literal`.
                values.push(self.typed_literal(&codes::TEST_ROW, file, &value.node, &col.ty, value.span, &col.name).unwrap_or(Value::Null));
            }
            rows.push(values);
        }
        Some(TestTable { table, columns, rows })
    }

    fn expectation(
        &mut self,
        file: &Arc<SourceFile>,
        e: &ast::Expectation,
        units: Option<&[String]>,
        deductions: &[Adjustment],
        bonuses: &[Adjustment],
        vetoes: &[Veto],
    ) -> Option<Expectation> {
        if let Some(units) = units {
            if !units.contains(&e.unit.node) {
                let u = &e.unit.node;
                let help = help_or(
                    u,
                    units.iter().map(String::as_str),
                    text!("the test's units table lists the units it knows", "测试的考核对象数据列出了它认识的单位"),
                );
                self.push(
                    Diagnostic::error(&codes::TEST_EXPECTATION, file, text!("the test has no unit `{u}`", "测试中没有单位 `{u}`"))
                        .with_label(e.unit.span, text!("unknown unit", "未知单位"))
                        .with_help(help),
                );
                return None;
            }
        }
        let named = |list: &[String], name: &crate::source::Name, this: &mut Self, kind: (&str, &str)| -> Option<usize> {
            if let Some(i) = list.iter().position(|n| *n == name.node) {
                return Some(i);
            }
            let (en, zh) = kind;
            let n = &name.node;
            let help = help_or(n, list.iter().map(String::as_str), text!("name a {en} declared in the scheme", "请使用方案中声明过的{zh}"));
            this.push(
                Diagnostic::error(&codes::NAME_UNKNOWN, file, text!("no {en} is called `{n}`", "没有名为 `{n}` 的{zh}"))
                    .with_label(name.span, text!("unknown {en}", "未知{zh}"))
                    .with_help(help),
            );
            None
        };
        let subject = match &e.subject.node {
            ExpectSubject::Total => Subject::Total,
            ExpectSubject::Grade => Subject::Grade,
            ExpectSubject::Rank => Subject::Rank,
            ExpectSubject::GroupRank => Subject::GroupRank,
            ExpectSubject::Deduction(n) => {
                Subject::Deduction(named(&deductions.iter().map(|d| d.name.clone()).collect::<Vec<_>>(), n, self, ("deduction", "扣分项"))?)
            }
            ExpectSubject::Bonus(n) => {
                Subject::Bonus(named(&bonuses.iter().map(|d| d.name.clone()).collect::<Vec<_>>(), n, self, ("bonus", "加分项"))?)
            }
            ExpectSubject::Veto(n) => {
                Subject::Veto(named(&vetoes.iter().map(|d| d.name.clone()).collect::<Vec<_>>(), n, self, ("veto", "一票否决项"))?)
            }
            ExpectSubject::Indicator { path, period } => {
                let id = self.indicator_by_path(file, path)?;
                let index = match period {
                    None => None,
                    Some(p) => {
                        let Some(periods) = self.indicators[id].periods.clone() else {
                            let n = self.indicators[id].name.clone();
                            self.push(
                                Diagnostic::error(
                                    &codes::TEST_EXPECTATION,
                                    file,
                                    text!("`{n}` is not assessed per period", "`{n}` 不是按期考核的"),
                                )
                                .with_label(p.span, text!("no such period score", "没有这一期的得分"))
                                .with_help(text!("expect the indicator's score without a period", "去掉期间,检查指标的得分")),
                            );
                            return None;
                        };
                        match model::period_index(periods.kind, &p.node) {
                            Some(i) => Some(i),
                            None => {
                                let shown = &p.node;
                                self.push(
                                    Diagnostic::error(
                                        &codes::TEST_EXPECTATION,
                                        file,
                                        text!("`{shown}` is not a period of this indicator", "`{shown}` 不是此指标的期间"),
                                    )
                                    .with_label(p.span, text!("wrong kind of period", "期间类型不符"))
                                    .with_help(period_help(periods.kind)),
                                );
                                return None;
                            }
                        }
                    }
                };
                Subject::Indicator(id, index)
            }
        };
        let value = self.expected_value(file, &subject, &e.value)?;
        Some(Expectation { unit: e.unit.node.clone(), subject, value, span: e.span })
    }

    fn expected_value(&mut self, file: &Arc<SourceFile>, subject: &Subject, v: &crate::source::Spanned<ExpectValue>) -> Option<Value> {
        let (value, want) = match (subject, &v.node) {
            (Subject::Grade, ExpectValue::Name(g)) | (Subject::Grade, ExpectValue::Literal(Literal::Text(g))) => {
                if self.grade_names.contains(g) || self.grade_names.is_empty() {
                    return Some(Value::Text(g.clone()));
                }
                let help = help_or(g, self.grade_names.iter().map(String::as_str), {
                    let (list, list_zh) = {
                        let items = &self.grade_names;
                        (items.join("`, `"), items.join("`、`"))
                    };
                    text!("the grades are `{list}`", "等次有 `{list_zh}`")
                });
                self.push(
                    Diagnostic::error(&codes::TEST_EXPECTATION, file, text!("no grade is called `{g}`", "没有名为 `{g}` 的等次"))
                        .with_label(v.span, text!("unknown grade", "未知等次"))
                        .with_help(help),
                );
                return None;
            }
            (Subject::Veto(_), ExpectValue::Literal(Literal::Bool(b))) => (Some(Value::Bool(*b)), ("`是` or `否`", "`是` 或 `否`")),
            (Subject::Veto(_), _) => (None, ("`是` or `否`", "`是` 或 `否`")),
            (Subject::Rank | Subject::GroupRank, ExpectValue::Literal(Literal::Number(n)))
                if n.fract().is_zero() && n.is_sign_positive() =>
            {
                (Some(Value::Number(*n)), ("a rank", "名次"))
            }
            (Subject::Rank | Subject::GroupRank, _) => (None, ("a whole number", "整数名次")),
            (Subject::Grade, _) => (None, ("a grade name", "等次名称")),
            (_, ExpectValue::Literal(Literal::Number(n))) => (Some(Value::Number(*n)), ("a number", "数值")),
            _ => (None, ("a number", "数值")),
        };
        if value.is_none() {
            let (en, zh) = want;
            self.push(
                Diagnostic::error(&codes::TEST_EXPECTATION, file, text!("expected {en} here", "此处应为{zh}"))
                    .with_label(v.span, text!("does not fit what is checked", "与检查项不符"))
                    .with_help(text!(
                        "a score is a number (`92.5`), a rank a whole number (`3`), a grade a band's name, a veto `true`/`false` (`是`/`否`)",
                        "得分写数值(`92.5`),名次写整数(`3`),等次写等次名称,否决写 `是`/`否`"
                    )),
            );
        }
        value
    }
}

/// Which period names an indicator of this kind has.
fn period_help(kind: crate::ast::PeriodKind) -> crate::diagnostics::Text {
    use crate::ast::PeriodKind;
    match kind {
        PeriodKind::Quarter => text!(
            "this indicator is assessed per quarter: `Q1` … `Q4` (`一季度` … `四季度`)",
            "此指标按季度考核:`Q1` … `Q4`(`一季度` … `四季度`)"
        ),
        PeriodKind::Month => {
            text!("this indicator is assessed per month: `M1` … `M12` (`1月` … `12月`)", "此指标按月考核:`M1` … `M12`(`1月` … `12月`)")
        }
        PeriodKind::HalfYear => text!(
            "this indicator is assessed per half-year: `H1`, `H2` (`上半年`, `下半年`)",
            "此指标按半年考核:`H1`、`H2`(`上半年`、`下半年`)"
        ),
        PeriodKind::Year => text!("this indicator is assessed once a year", "此指标按年度考核"),
    }
}
