//! `check`: syntax trees (and the schemes they extend) → [`model::Scheme`].
//!
//! The checker resolves every name to an id, gives every expression a type,
//! checks that sibling weights and period weights add up exactly, that grade
//! bands can all be reached and quotas fit, and reports every problem it
//! finds in one run. It keeps going after an error (an unresolved name becomes
//! an expression of type `Error`, accepted everywhere) so one mistake does not
//! hide the next.
//!
//! | file | concern |
//! |---|---|
//! | [`load`] | reading the extends chain inside the root folder |
//! | [`merge`] | applying `覆盖` / `删除` layer by layer |
//! | `mod.rs` | header, units, tables, parameters |
//! | `expr` | names, functions and types in formulas |
//! | `indicators` | the indicator tree, weights, periods, cycles |
//! | `outcomes` | deductions, bonuses, vetoes, grades, ranking |
//! | `tests` | the scheme's test blocks |

mod expr;
mod indicators;
pub mod load;
pub mod merge;
mod outcomes;
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use rust_decimal::Decimal;

use crate::ast::{self, HeaderClause, Rounding, RoundingMode};
use crate::diagnostics::{Diagnostic, Diagnostics, codes};
use crate::model::{self, Column, ColumnType, Param, ParamValue, PolicyRef, Table, TableShape, Units, Value};
use crate::source::{Name, Origin, SourceFile, Span};
use crate::suggest::help_or;
use crate::syntax::Tests;
use crate::text;
use merge::{Merged, Tagged};

/// The outcome of checking: the scheme if it has no errors, and every finding.
#[derive(Debug)]
pub struct Checked {
    /// The checked scheme; `None` when there are errors.
    pub scheme: Option<model::Scheme>,
    /// Errors and warnings, in a stable order.
    pub diagnostics: Vec<Diagnostic>,
}

/// Checks the scheme at `path`, tests included; extended schemes must lie
/// under `root`.
pub fn check_path(path: &Path, root: &Path) -> Checked {
    check_path_reading(path, root, Tests::Read)
}

/// Checks the scheme at `path`, reading its tests or not: evaluation does
/// not run them, so it need not parse them, and a broken test does not stop it.
pub fn check_path_reading(path: &Path, root: &Path, tests: Tests) -> Checked {
    let mut diags = Diagnostics::new();
    let display = path.to_string_lossy().replace('\\', "/");
    let layers = load::load_chain(path, &display, root, tests, &mut diags);
    finish(layers, diags)
}

/// Checks a scheme held in memory (it may not extend another).
pub fn check_source(file: Arc<SourceFile>) -> Checked {
    let mut diags = Diagnostics::new();
    let layers = load::load_text(file, &mut diags);
    finish(layers, diags)
}

fn finish(layers: Vec<load::Layer>, mut diags: Diagnostics) -> Checked {
    let Some(last) = layers.last().map(|l| l.file.clone()) else {
        return Checked { scheme: None, diagnostics: diags.into_sorted() };
    };
    let syntax_failed = diags.has_errors();
    let merged = merge::merge(layers, &mut diags);
    let scheme = if syntax_failed {
        // Names missing because their lines did not parse would only add noise.
        None
    } else {
        let mut checker = Checker::new(last, &mut diags);
        checker.scheme(merged)
    };
    let scheme = if diags.has_errors() { None } else { scheme };
    Checked { scheme, diagnostics: diags.into_sorted() }
}

/// Shared state of one check.
struct Checker<'a> {
    /// The file being checked (the last layer), for scheme-wide messages.
    main: Arc<SourceFile>,
    diags: &'a mut Diagnostics,
    tables: Vec<Table>,
    /// Name → table id.
    table_ids: BTreeMap<String, usize>,
    params: Vec<Param>,
    param_ids: BTreeMap<String, usize>,
    indicators: Vec<model::Indicator>,
    /// Name → every indicator with that name.
    indicator_ids: BTreeMap<String, Vec<usize>>,
    units: Option<Units>,
    /// Band names in order, once grades are checked.
    grade_names: Vec<String>,
    used_tables: BTreeSet<usize>,
    /// Columns a formula reads, as (table, column).
    read_columns: BTreeSet<(usize, usize)>,
    used_params: BTreeSet<usize>,
    full_marks: Decimal,
    total_cap: Option<Decimal>,
}

impl<'a> Checker<'a> {
    fn new(main: Arc<SourceFile>, diags: &'a mut Diagnostics) -> Self {
        Checker {
            main,
            diags,
            tables: Vec::new(),
            table_ids: BTreeMap::new(),
            params: Vec::new(),
            param_ids: BTreeMap::new(),
            indicators: Vec::new(),
            indicator_ids: BTreeMap::new(),
            units: None,
            grade_names: Vec::new(),
            used_tables: BTreeSet::new(),
            read_columns: BTreeSet::new(),
            used_params: BTreeSet::new(),
            full_marks: Decimal::ONE_HUNDRED,
            total_cap: None,
        }
    }

    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn scheme(&mut self, m: Merged) -> Option<model::Scheme> {
        let header = self.header(&m.headers);
        self.full_marks = header.full_marks;
        self.total_cap = header.total_cap;
        let units_decl = self.units_decl(&m.units);
        let key_name = units_decl.as_ref().and_then(|u| u.item.key.as_ref()).map(|k| k.node.clone());
        for table in &m.tables {
            self.table(table, key_name.as_deref());
        }
        self.units = units_decl.as_ref().and_then(|u| self.units(u));
        self.params(&m.params);
        let roots = self.indicator_tree(&m.indicators);
        let deductions = self.adjustments(&m.deductions, true);
        let bonuses = self.adjustments(&m.bonuses, false);
        self.indicator_formulas(&m.indicators, &deductions);
        let grades = self.grades(&m.grades);
        let vetoes = self.vetoes(&m.vetoes);
        let ranking = self.ranking(&m.rankings);
        let tests = self.tests(&m.tests, &deductions, &bonuses, &vetoes);
        self.warn_unused();
        let units = self.units.clone()?;
        self.mark_read_columns(&units, grades.as_ref(), &ranking);
        self.mark_cited_tables(deductions.iter().chain(&bonuses));
        Some(model::Scheme {
            title: header.title,
            source: header.source,
            year: header.year,
            full_marks: header.full_marks,
            rounding: header.rounding,
            total_cap: header.total_cap,
            bonus_cap: header.bonus_cap,
            deduction_cap: header.deduction_cap,
            notes: header.notes,
            units,
            tables: std::mem::take(&mut self.tables),
            params: std::mem::take(&mut self.params),
            indicators: std::mem::take(&mut self.indicators),
            roots,
            deductions,
            bonuses,
            vetoes,
            grades: grades?,
            ranking,
            tests,
            origin: header.origin,
        })
    }

    /// Marks the tables whose rows a deduction or bonus cites, one occurrence a row.
    fn mark_cited_tables<'m>(&mut self, adjustments: impl Iterator<Item = &'m model::Adjustment>) {
        for rule in adjustments.flat_map(|a| &a.rules) {
            if let model::AmountRule::PerRow { table, .. } = rule {
                if let Some(table) = self.tables.get_mut(*table) {
                    table.rows_cited = true;
                }
            }
        }
    }

    /// Marks the columns read after loading: by a formula, or by their place.
    fn mark_read_columns(&mut self, units: &Units, grades: Option<&model::Grades>, ranking: &model::Ranking) {
        let quota_groups = grades.into_iter().flat_map(|g| &g.bands).filter_map(|b| b.quota.and_then(|q| q.per_group));
        let unit_columns: Vec<usize> =
            [units.key].into_iter().chain(units.groups.iter().copied()).chain(quota_groups).chain(ranking.per_group).collect();
        for (id, table) in self.tables.iter_mut().enumerate() {
            let period = match table.shape {
                TableShape::PerUnitPeriod { column, .. } => Some(column),
                TableShape::PerUnit | TableShape::Rows => None,
            };
            table.unit_column_read = self.read_columns.contains(&(id, table.unit_column));
            for (c, column) in table.columns.iter_mut().enumerate() {
                column.read = self.read_columns.contains(&(id, c))
                    || c == table.unit_column
                    || table.key.contains(&c)
                    || period == Some(c)
                    || (id == units.table && unit_columns.contains(&c));
            }
        }
    }

    // ---- Header ----

    fn header(&mut self, headers: &[Tagged<ast::Header>]) -> HeaderInfo {
        let mut info = HeaderInfo {
            title: String::new(),
            source: None,
            year: 0,
            full_marks: Decimal::ONE_HUNDRED,
            rounding: Rounding { places: 2, mode: RoundingMode::HalfUp, each_indicator: false },
            total_cap: None,
            bonus_cap: None,
            deduction_cap: None,
            notes: Vec::new(),
            origin: Origin { file: self.main.clone(), span: Span::new(0, 0) },
        };
        if headers.is_empty() {
            self.push(
                Diagnostic::error(&codes::HEADER_MISSING, &self.main, text!("the scheme has no header", "方案缺少方案头"))
                    .with_label(
                        Span::new(0, 0),
                        text!("expected `方案 \"...\" {{ ... }}` in this file", "此文件应有 `方案 \"...\" {{ ... }}`"),
                    )
                    .with_help(text!(
                        "start the file with `方案 \"名称\" {{ 年度 2013  满分 100 }}` (or `scheme \"name\" {{ year 2013 }}`)",
                        "在文件开头写 `方案 \"名称\" {{ 年度 2013  满分 100 }}`"
                    )),
            );
        }
        let mut year_given = false;
        let mut seen_files: Vec<Arc<SourceFile>> = Vec::new();
        for tagged in headers {
            let h = &tagged.item;
            let file = &tagged.file;
            if seen_files.iter().any(|f| Arc::ptr_eq(f, file)) {
                self.push(
                    Diagnostic::error(&codes::HEADER_REPEATED, file, text!("the scheme has two headers", "方案有两个方案头"))
                        .with_label(h.title.span, text!("second header", "第二个方案头"))
                        .with_help(text!("merge the two `方案` blocks into one", "把两个 `方案` 块合并为一个")),
                );
                continue;
            }
            seen_files.push(file.clone());
            info.title = h.title.node.clone();
            info.origin = Origin { file: file.clone(), span: h.span };
            let mut seen: Vec<(std::mem::Discriminant<HeaderClause>, Span)> = Vec::new();
            for clause in &h.clauses {
                let kind = std::mem::discriminant(&clause.node);
                let repeatable = matches!(clause.node, HeaderClause::Note(_));
                if let Some((_, first)) = seen.iter().find(|(k, _)| *k == kind && !repeatable) {
                    let first = *first;
                    self.push(
                        Diagnostic::error(
                            &codes::HEADER_REPEATED,
                            file,
                            text!("this header clause is given twice", "方案头中此子句出现了两次"),
                        )
                        .with_label(clause.span, text!("given again here", "在此重复"))
                        .with_note(first, text!("first given here", "首次出现在此"))
                        .with_help(text!("keep one of them", "只保留一个")),
                    );
                    continue;
                }
                seen.push((kind, clause.span));
                match &clause.node {
                    HeaderClause::Source(s) => info.source = Some(policy_ref(s)),
                    HeaderClause::Year(y) => {
                        year_given = true;
                        if !(1949..=2200).contains(&y.node) {
                            let v = y.node;
                            self.push(
                                Diagnostic::error(&codes::HEADER_VALUE, file, text!("year {v} is out of range", "年度 {v} 超出范围"))
                                    .with_label(y.span, text!("this year", "此年度"))
                                    .with_help(text!(
                                        "write the assessment year in full, like `年度 2013`",
                                        "写完整的考核年度,如 `年度 2013`"
                                    )),
                            );
                        } else {
                            info.year = y.node;
                        }
                    }
                    HeaderClause::FullMarks(f) => {
                        if f.node <= Decimal::ZERO {
                            self.push(
                                Diagnostic::error(&codes::HEADER_VALUE, file, text!("full marks must be above zero", "满分必须大于零"))
                                    .with_label(f.span, text!("this value", "此值"))
                                    .with_help(text!("most schemes use `full marks 100` (`满分 100`)", "多数方案为 `满分 100`")),
                            );
                        } else {
                            info.full_marks = f.node;
                        }
                    }
                    HeaderClause::Rounding(r) => {
                        if r.places > 10 {
                            let places = r.places;
                            self.push(
                                Diagnostic::error(
                                    &codes::HEADER_VALUE,
                                    file,
                                    text!("{places} decimal places is more than kaohe rounds to", "保留 {places} 位小数超出范围"),
                                )
                                .with_label(clause.span, text!("this rounding", "此舍入规则"))
                                .with_help(text!("use at most 10 places", "最多保留 10 位小数")),
                            );
                        } else {
                            info.rounding = *r;
                        }
                    }
                    HeaderClause::TotalCap(cap) => info.total_cap = Some(cap.as_ref().map_or(info.full_marks, |c| c.node)),
                    HeaderClause::BonusCap(c) => info.bonus_cap = Some(c.node),
                    HeaderClause::DeductionCap(c) => info.deduction_cap = Some(c.node),
                    HeaderClause::Note(n) => info.notes.push(n.node.clone()),
                }
            }
        }
        if !headers.is_empty() && !year_given && info.year == 0 {
            let (file, span) = (info.origin.file.clone(), info.origin.span);
            self.push(
                Diagnostic::error(&codes::HEADER_VALUE, &file, text!("the header gives no year", "方案头没有年度"))
                    .with_label(Span::new(span.start, span.start), text!("in this header", "在此方案头中"))
                    .with_help(text!(
                        "add `年度 2013` (or `year 2013`): periods and dated parameters depend on it",
                        "加上 `年度 2013`:期间和按日期生效的参数都依赖它"
                    )),
            );
        }
        info
    }

    // ---- Units and tables ----

    fn units_decl<'m>(&mut self, units: &'m [Tagged<ast::UnitsDecl>]) -> Option<&'m Tagged<ast::UnitsDecl>> {
        let Some(first) = units.first() else {
            self.push(
                Diagnostic::error(
                    &codes::UNITS_MISSING,
                    &self.main,
                    text!("the scheme does not say who is assessed", "方案没有声明考核对象"),
                )
                .with_label(Span::new(0, 0), text!("no `考核对象` in this file", "此文件中没有 `考核对象`"))
                .with_help(text!(
                    "declare the table of units: `考核对象 市区 {{ 标识 名称  分组 类型 }}`",
                    "声明考核对象所在的数据表:`考核对象 市区 {{ 标识 名称  分组 类型 }}`"
                )),
            );
            return None;
        };
        for again in &units[1..] {
            let mut d = Diagnostic::error(
                &codes::UNITS_REPEATED,
                &again.file,
                text!("the units (`考核对象` / `units`) are declared twice", "`考核对象` 声明了两次"),
            )
            .with_label(again.item.table.span, text!("declared again here", "在此重复声明"));
            if Arc::ptr_eq(&again.file, &first.file) {
                d = d.with_note(first.item.table.span, text!("first declared here", "首次声明在此"));
            }
            self.push(d.with_help(text!(
                "a scheme assesses one list of units; keep one declaration",
                "一个方案只有一份考核对象名单;只保留一个声明"
            )));
        }
        for &span in &first.item.repeated {
            self.push(
                Diagnostic::error(&codes::UNITS_REPEATED, &first.file, text!("this units clause is given twice", "考核对象子句重复"))
                    .with_label(span, text!("given again here", "在此重复"))
                    .with_help(text!(
                        "list several group columns in one clause: `分组 类型, 区域`",
                        "多个分组列写在一个子句里:`分组 类型, 区域`"
                    )),
            );
        }
        Some(first)
    }

    fn units(&mut self, tagged: &Tagged<ast::UnitsDecl>) -> Option<Units> {
        let u = &tagged.item;
        let file = &tagged.file;
        let table = self.lookup_table(file, &u.table)?;
        self.used_tables.insert(table);
        let Some(key_name) = &u.key else {
            self.push(
                Diagnostic::error(
                    &codes::UNITS_MISSING,
                    file,
                    text!("`考核对象` does not name its key column", "`考核对象` 没有指明标识列"),
                )
                .with_label(u.table.span, text!("units listed in this table", "考核对象列在此表中"))
                .with_help(text!(
                    "add `标识 名称` (or `key 名称`): the column that names each unit",
                    "加上 `标识 名称`:指明每个考核对象名称的列"
                )),
            );
            return None;
        };
        let key = self.lookup_column(file, table, key_name)?;
        let groups = u.groups.iter().filter_map(|g| self.lookup_column(file, table, g)).collect();
        let label = u.label.as_ref().and_then(|l| self.lookup_column(file, table, l));
        Some(Units { table, key, groups, label, origin: Origin { file: file.clone(), span: u.span } })
    }

    fn table(&mut self, tagged: &Tagged<ast::TableDecl>, key_name: Option<&str>) {
        let t = &tagged.item;
        let file = &tagged.file;
        if let Some(&other) = self.table_ids.get(&t.name.node) {
            let first = self.tables[other].origin.clone();
            let name = &t.name.node;
            let mut d =
                Diagnostic::error(&codes::NAME_DUPLICATE, file, text!("table `{name}` is declared twice", "数据表 `{name}` 声明了两次"))
                    .with_label(t.name.span, text!("declared again here", "在此重复声明"));
            if Arc::ptr_eq(&first.file, file) {
                d = d.with_note(first.span, text!("first declared here", "首次声明在此"));
            }
            self.push(d.with_help(text!("rename one of them, or merge their columns", "给其中一个改名,或合并它们的列")));
            return;
        }
        let mut columns: Vec<Column> = Vec::new();
        let mut spans: Vec<Span> = Vec::new();
        for c in &t.columns {
            if let Some(i) = columns.iter().position(|x| x.name == c.name.node) {
                let name = &c.name.node;
                let tname = &t.name.node;
                self.push(
                    Diagnostic::error(
                        &codes::NAME_DUPLICATE,
                        file,
                        text!("column `{name}` appears twice in table `{tname}`", "数据表 `{tname}` 中列 `{name}` 出现了两次"),
                    )
                    .with_label(c.name.span, text!("again here", "在此重复"))
                    .with_note(spans[i], text!("first here", "首次出现在此"))
                    .with_help(text!("each column of a table needs its own name", "同一表中各列名称不能相同")),
                );
                continue;
            }
            let ty = self.column_type(file, &c.ty);
            let default =
                c.default.as_ref().and_then(|d| self.typed_literal(&codes::TABLE_DEFAULT, file, &d.node, &ty, d.span, &c.name.node));
            // Marked read once every formula is checked (`mark_read_columns`).
            columns.push(Column { name: c.name.node.clone(), ty, optional: c.optional, default, read: false });
            spans.push(c.name.span);
        }
        let find = |name: &str| columns.iter().position(|c| c.name == name);
        let unit_column = match (&t.unit_column, key_name) {
            (Some(link), _) => match find(&link.node) {
                Some(i) => Some(i),
                None => {
                    self.unknown_column(file, &t.name.node, &columns, link);
                    None
                }
            },
            (None, Some(key)) => find(key),
            (None, None) => None,
        };
        let Some(unit_column) = unit_column else {
            if t.unit_column.is_none() {
                if let Some(key) = key_name {
                    let tname = &t.name.node;
                    self.push(
                        Diagnostic::error(
                            &codes::TABLE_UNIT_COLUMN,
                            file,
                            text!("table `{tname}` has no column `{key}` naming the unit", "数据表 `{tname}` 没有指明考核对象的列 `{key}`"),
                        )
                        .with_label(t.name.span, text!("which unit does a row belong to?", "每行属于哪个考核对象?"))
                        .with_help(text!(
                            "add a column `{key}: 文本`, or name the unit column with `按 列名` after the table name",
                            "加上列 `{key}: 文本`,或在表名后用 `按 列名` 指明单位列"
                        )),
                    );
                }
            }
            // Still register the table so later references do not cascade.
            self.register_table(file, t, columns, 0, Vec::new());
            return;
        };
        let key: Vec<usize> = t
            .key
            .iter()
            .filter_map(|k| match find(&k.node) {
                Some(i) => Some(i),
                None => {
                    self.unknown_column(file, &t.name.node, &columns, k);
                    None
                }
            })
            .collect();
        self.register_table(file, t, columns, unit_column, key);
    }

    fn register_table(&mut self, file: &Arc<SourceFile>, t: &ast::TableDecl, columns: Vec<Column>, unit_column: usize, key: Vec<usize>) {
        let shape = table_shape(&columns, unit_column, &key);
        let id = self.tables.len();
        self.table_ids.insert(t.name.node.clone(), id);
        self.tables.push(Table {
            name: t.name.node.clone(),
            columns,
            unit_column,
            unit_column_read: false,
            rows_cited: false,
            key,
            shape,
            origin: Origin { file: file.clone(), span: t.name.span },
        });
    }

    fn column_type(&mut self, file: &Arc<SourceFile>, ty: &crate::source::Spanned<ast::ColumnType>) -> ColumnType {
        match &ty.node {
            ast::ColumnType::Text => ColumnType::Text,
            ast::ColumnType::Number => ColumnType::Number,
            ast::ColumnType::Integer => ColumnType::Integer,
            ast::ColumnType::Percent => ColumnType::Percent,
            ast::ColumnType::Date => ColumnType::Date,
            ast::ColumnType::Period(k) => ColumnType::Period(*k),
            ast::ColumnType::Bool => ColumnType::Bool,
            ast::ColumnType::Enum(values) => {
                let mut out: Vec<String> = Vec::new();
                for v in values {
                    if out.contains(&v.node) {
                        let value = &v.node;
                        self.push(
                            Diagnostic::error(&codes::TABLE_ENUM, file, text!("`{value}` is listed twice", "`{value}` 列出了两次"))
                                .with_label(v.span, text!("again here", "在此重复"))
                                .with_help(text!("list each value once", "每个取值只列一次")),
                        );
                    } else {
                        out.push(v.node.clone());
                    }
                }
                ColumnType::Enum(out)
            }
        }
    }

    /// A literal converted to a column's type, or an error.
    fn typed_literal(
        &mut self,
        code: &'static crate::diagnostics::Code,
        file: &Arc<SourceFile>,
        lit: &ast::Literal,
        ty: &ColumnType,
        span: Span,
        column: &str,
    ) -> Option<Value> {
        use ast::Literal as L;
        let value = match (lit, ty) {
            (L::Null, _) => Some(Value::Null),
            (L::Number(n), ColumnType::Number) => Some(Value::Number(*n)),
            (L::Number(n), ColumnType::Integer) if n.fract().is_zero() => Some(Value::Number(*n)),
            (L::Percent(n), ColumnType::Percent | ColumnType::Number) => Some(Value::Number(*n)),
            (L::Text(t), ColumnType::Text) => Some(Value::Text(t.clone())),
            (L::Text(t), ColumnType::Enum(values)) if values.contains(t) => Some(Value::Text(t.clone())),
            (L::Text(t), ColumnType::Period(kind)) if crate::model::period_index(*kind, t).is_some() => Some(Value::Text(t.clone())),
            (L::Date(d), ColumnType::Date) => Some(Value::Date(*d)),
            (L::Bool(b), ColumnType::Bool) => Some(Value::Bool(*b)),
            _ => None,
        };
        if value.is_none() {
            let want = column_type_name(ty);
            let (want_en, want_zh) = (want.0, want.1);
            let help = match (lit, ty) {
                (L::Number(_), ColumnType::Percent) => text!("write percents with `%`, like `95%`", "百分比要带 `%`,如 `95%`"),
                (L::Text(t), ColumnType::Enum(values)) => help_or(t, values.iter().map(String::as_str), {
                    let (list, list_zh) = {
                        let items = values;
                        (items.join("`, `"), items.join("`、`"))
                    };
                    text!("the allowed values are `{list}`", "允许的取值为 `{list_zh}`")
                }),
                (L::Text(_), ColumnType::Period(_)) => {
                    text!("write periods like `Q1`, `一季度`, `2013-03` or `上半年`", "期间写作 `Q1`、`一季度`、`2013-03` 或 `上半年`")
                }
                _ => text!("give a value of type {want_en}", "请给出{want_zh}类型的值"),
            };
            self.push(
                Diagnostic::error(
                    code,
                    file,
                    text!("this value does not fit column `{column}` ({want_en})", "此值不符合列 `{column}` 的类型({want_zh})"),
                )
                .with_label(span, text!("not {want_en}", "不是{want_zh}"))
                .with_help(help),
            );
        }
        value
    }

    fn lookup_table(&mut self, file: &Arc<SourceFile>, name: &Name) -> Option<usize> {
        if let Some(&id) = self.table_ids.get(&name.node) {
            return Some(id);
        }
        let n = &name.node;
        let help = help_or(
            n,
            self.table_ids.keys().map(String::as_str),
            text!("declare it: `数据表 {n} {{ ... }}`", "先声明它:`数据表 {n} {{ ... }}`"),
        );
        self.push(
            Diagnostic::error(&codes::NAME_UNKNOWN, file, text!("no table is called `{n}`", "没有名为 `{n}` 的数据表"))
                .with_label(name.span, text!("unknown table", "未知的数据表"))
                .with_help(help),
        );
        None
    }

    fn lookup_column(&mut self, file: &Arc<SourceFile>, table: usize, name: &Name) -> Option<usize> {
        let t = &self.tables[table];
        if let Some(i) = t.columns.iter().position(|c| c.name == name.node) {
            return Some(i);
        }
        let (tname, columns) = (t.name.clone(), t.columns.clone());
        self.unknown_column(file, &tname, &columns, name);
        None
    }

    fn unknown_column(&mut self, file: &Arc<SourceFile>, table: &str, columns: &[Column], name: &Name) {
        let n = &name.node;
        let help = help_or(n, columns.iter().map(|c| c.name.as_str()), {
            let (list, list_zh) = {
                let items = columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>();
                (items.join("`, `"), items.join("`、`"))
            };
            text!("the columns of `{table}` are `{list}`", "`{table}` 的列为 `{list_zh}`")
        });
        self.push(
            Diagnostic::error(&codes::NAME_UNKNOWN, file, text!("table `{table}` has no column `{n}`", "数据表 `{table}` 没有列 `{n}`"))
                .with_label(name.span, text!("unknown column", "未知的列"))
                .with_help(help),
        );
    }

    // ---- Parameters ----

    fn params(&mut self, params: &[Tagged<ast::ParamDecl>]) {
        for tagged in params {
            let p = &tagged.item;
            let file = &tagged.file;
            let value = self.constant(file, &p.value);
            let origin = Origin { file: file.clone(), span: p.name.span };
            let from = p.from.as_ref().map(|d| d.node);
            let ty = value_type(&value, &p.value);
            if let Some(&id) = self.param_ids.get(&p.name.node) {
                let existing = &self.params[id];
                if let Some(same) = existing.values.iter().find(|v| v.from == from) {
                    let first = same.origin.clone();
                    let name = &p.name.node;
                    let message = match from {
                        Some(date) => text!("parameter `{name}` has two values from {date}", "参数 `{name}` 自 {date} 起有两个值"),
                        None => text!("parameter `{name}` is given two values without a date", "参数 `{name}` 有两个未注明日期的值"),
                    };
                    let mut d =
                        Diagnostic::error(&codes::PARAM_DATES, file, message).with_label(p.name.span, text!("second value", "第二个值"));
                    if Arc::ptr_eq(&first.file, file) {
                        d = d.with_note(first.span, text!("first value", "第一个值"));
                    }
                    self.push(d.with_help(text!(
                        "give each value its own date: `参数 {name} = 3 自 2014-01-01`",
                        "给每个值不同的生效日期:`参数 {name} = 3 自 2014-01-01`"
                    )));
                    continue;
                }
                if existing.ty != ty && ty != model::Type::Error && existing.ty != model::Type::Error {
                    let name = &p.name.node;
                    self.push(
                        Diagnostic::error(
                            &codes::PARAM_DATES,
                            file,
                            text!("the values of parameter `{name}` have different types", "参数 `{name}` 的各个值类型不同"),
                        )
                        .with_label(p.value.span, text!("this value", "此值"))
                        .with_help(text!("every dated value of a parameter must be of the same kind", "参数按日期的各个值必须是同一类型")),
                    );
                }
                let param = &mut self.params[id];
                param.values.push(ParamValue { from, value, origin });
                param.values.sort_by_key(|v| v.from);
            } else {
                self.param_ids.insert(p.name.node.clone(), self.params.len());
                self.params.push(Param {
                    name: p.name.node.clone(),
                    ty,
                    values: vec![ParamValue { from, value, origin: origin.clone() }],
                    origin,
                });
            }
        }
    }

    /// Folds a parameter's expression to a constant.
    fn constant(&mut self, file: &Arc<SourceFile>, e: &ast::Expr) -> Value {
        use ast::{BinOp, ExprKind, Literal, UnaryOp};
        match &e.kind {
            ExprKind::Literal(l) => match l {
                Literal::Number(n) | Literal::Percent(n) => Value::Number(*n),
                Literal::Text(t) => Value::Text(t.clone()),
                Literal::Date(d) => Value::Date(*d),
                Literal::Duration(d) => Value::Duration(*d),
                Literal::Bool(b) => Value::Bool(*b),
                Literal::Null => Value::Null,
            },
            ExprKind::Unary { op, operand } if op.node == UnaryOp::Neg => match self.constant(file, operand) {
                Value::Number(n) => Value::Number(-n),
                _ => Value::Null,
            },
            ExprKind::Path(path) if path.len() == 1 && self.param_ids.contains_key(&path[0].node) => {
                let id = self.param_ids[&path[0].node];
                self.used_params.insert(id);
                self.params[id].values.first().map_or(Value::Null, |v| v.value.clone())
            }
            ExprKind::Binary { op, lhs, rhs } if matches!(op.node, BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div) => {
                match (self.constant(file, lhs), self.constant(file, rhs)) {
                    (Value::Number(a), Value::Number(b)) => {
                        let r = match op.node {
                            BinOp::Add => a.checked_add(b),
                            BinOp::Sub => a.checked_sub(b),
                            BinOp::Mul => a.checked_mul(b),
                            _ => a.checked_div(b),
                        };
                        r.map_or(Value::Null, Value::Number)
                    }
                    _ => Value::Null,
                }
            }
            ExprKind::Error => Value::Null,
            _ => {
                self.push(
                    Diagnostic::error(&codes::TYPE_MISMATCH, file, text!("a parameter must be a constant", "参数必须是常量"))
                        .with_label(e.span, text!("this depends on data", "这取决于数据"))
                        .with_help(text!(
                            "use a number, percent, date, duration or text; for a value per unit, put it in a data table",
                            "使用数字、百分比、日期、天数或文本;各单位不同的值请放进数据表"
                        )),
                );
                Value::Null
            }
        }
    }

    fn warn_unused(&mut self) {
        // After an error a reference may be missing only because it did not
        // resolve: "never read" would then be noise, and often wrong.
        if self.diags.has_errors() {
            return;
        }
        for (id, t) in self.tables.iter().enumerate() {
            if !self.used_tables.contains(&id) {
                let name = &t.name;
                let d = Diagnostic::warning(
                    &codes::UNUSED_TABLE,
                    &t.origin.file,
                    text!("table `{name}` is never read", "数据表 `{name}` 从未被使用"),
                )
                .with_label(t.origin.span, text!("declared here", "在此声明"))
                .with_help(text!("use it in a formula, deduction or bonus, or remove it", "在公式、扣分或加分中使用它,或删除它"));
                self.diags.push(d);
            }
        }
        for (id, p) in self.params.iter().enumerate() {
            if !self.used_params.contains(&id) {
                let name = &p.name;
                let d = Diagnostic::warning(
                    &codes::UNUSED_PARAM,
                    &p.origin.file,
                    text!("parameter `{name}` is never used", "参数 `{name}` 从未被使用"),
                )
                .with_label(p.origin.span, text!("declared here", "在此声明"))
                .with_help(text!("use it in a formula or remove it", "在公式中使用它,或删除它"));
                self.diags.push(d);
            }
        }
    }
}

struct HeaderInfo {
    title: String,
    source: Option<PolicyRef>,
    year: u32,
    full_marks: Decimal,
    rounding: Rounding,
    total_cap: Option<Decimal>,
    bonus_cap: Option<Decimal>,
    deduction_cap: Option<Decimal>,
    notes: Vec<String>,
    origin: Origin,
}

fn policy_ref(s: &ast::SourceRef) -> PolicyRef {
    PolicyRef { document: s.document.node.clone(), article: s.article.as_ref().map(|a| a.node.clone()) }
}

fn table_shape(columns: &[Column], unit_column: usize, key: &[usize]) -> TableShape {
    match key {
        [only] if *only == unit_column => TableShape::PerUnit,
        [a, b] if *a == unit_column || *b == unit_column => {
            let other = if *a == unit_column { *b } else { *a };
            match columns.get(other).map(|c| &c.ty) {
                Some(ColumnType::Period(kind)) => TableShape::PerUnitPeriod { column: other, kind: *kind },
                _ => TableShape::Rows,
            }
        }
        _ => TableShape::Rows,
    }
}

fn value_type(value: &Value, e: &ast::Expr) -> model::Type {
    match value {
        Value::Number(_) => match &e.kind {
            ast::ExprKind::Literal(ast::Literal::Percent(_)) => model::Type::Percent,
            _ => model::Type::Number,
        },
        Value::Text(_) => model::Type::Text,
        Value::Date(_) => model::Type::Date,
        Value::Duration(_) => model::Type::Duration,
        Value::Bool(_) => model::Type::Bool,
        Value::Null => model::Type::Error,
    }
}

/// A column type's name in messages: (English, Chinese).
fn column_type_name(ty: &ColumnType) -> (&'static str, &'static str) {
    match ty {
        ColumnType::Text => ("text", "文本"),
        ColumnType::Number => ("a number", "数值"),
        ColumnType::Integer => ("a whole number", "整数"),
        ColumnType::Percent => ("a percent", "百分比"),
        ColumnType::Date => ("a date", "日期"),
        ColumnType::Period(_) => ("a period", "期间"),
        ColumnType::Bool => ("yes/no", "是否"),
        ColumnType::Enum(_) => ("one of the listed values", "列出的取值之一"),
    }
}
