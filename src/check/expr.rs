//! Formulas: resolving names, choosing functions, and typing.
//!
//! A bare name is looked up, in order, as a column of the current row (inside
//! `where` and per-row amounts), a parameter, an indicator, a column of some
//! table, and a table. Columns of tables with many rows per unit have type
//! `Many` and must be aggregated; that is how "a text column cannot be summed"
//! and "a list of events is not one number" are caught before any data is read.

use std::sync::Arc;

use rust_decimal::Decimal;

use super::Checker;
use crate::ast::{self, BinOp, UnaryOp};
use crate::diagnostics::{Diagnostic, Text, codes};
use crate::model::{Across, Aggregate, Builtin, ColumnType, Expr, ExprKind, TableShape, Type, Value};
use crate::source::{Name, SourceFile, Span};
use crate::suggest::{did_you_mean, help_or};
use crate::text;

/// Where a formula is evaluated, which decides what its names mean.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Scope {
    /// Inside `where` or a per-row amount: bare names are this table's columns.
    pub row: Option<usize>,
    /// Inside a per-period indicator: per-period tables give one value.
    pub period: Option<ast::PeriodKind>,
    /// `总分` may be used (grades, vetoes, ranking, bonus caps).
    pub total: bool,
    /// Indicator scores may be used.
    pub indicators: bool,
}

/// What a function name means.
#[derive(Debug, Clone, Copy)]
enum Function {
    Scalar(Builtin),
    /// `min` / `max`: scalar with several arguments, aggregate with one.
    Extreme(bool),
    Aggregate(Aggregate),
    Across(Across),
}

/// Every function with its English and Chinese names.
const FUNCTIONS: &[(&str, &str, Function)] = &[
    ("min", "最小", Function::Extreme(false)),
    ("max", "最大", Function::Extreme(true)),
    ("clamp", "限定", Function::Scalar(Builtin::Clamp)),
    ("abs", "绝对值", Function::Scalar(Builtin::Abs)),
    ("round", "舍入", Function::Scalar(Builtin::Round)),
    ("present", "有值", Function::Scalar(Builtin::Present)),
    ("days", "天数", Function::Scalar(Builtin::Days)),
    ("count", "计数", Function::Aggregate(Aggregate::Count)),
    ("sum", "合计", Function::Aggregate(Aggregate::Sum)),
    ("avg", "平均", Function::Aggregate(Aggregate::Avg)),
    ("trimmed_mean", "去极值平均", Function::Aggregate(Aggregate::TrimmedMean)),
    ("group_max", "组内最高", Function::Across(Across::GroupMax)),
    ("group_min", "组内最低", Function::Across(Across::GroupMin)),
    ("group_avg", "组内平均", Function::Across(Across::GroupAvg)),
    ("group_sum", "组内合计", Function::Across(Across::GroupSum)),
    ("group_count", "组内个数", Function::Across(Across::GroupCount)),
    ("rank", "排名", Function::Across(Across::Rank)),
    ("group_rank", "组内排名", Function::Across(Across::GroupRank)),
];

fn type_name(ty: &Type) -> Text {
    match ty {
        Type::Number => text!("a number", "数值"),
        Type::Percent => text!("a percent", "百分比"),
        Type::Text => text!("text", "文本"),
        Type::Date => text!("a date", "日期"),
        Type::Duration => text!("a number of days", "天数"),
        Type::Bool => text!("yes/no", "是/否"),
        Type::Period => text!("a period", "期间"),
        Type::List(_) => text!("a list", "列表"),
        Type::Rows(_) => text!("the rows of a table", "数据表的多行"),
        Type::Many(_) => text!("many values per unit", "每个单位的多个值"),
        Type::Error => text!("unknown", "未知"),
    }
}

fn err(span: Span) -> Expr {
    Expr { kind: ExprKind::Const(Value::Null), ty: Type::Error, span }
}

impl Checker<'_> {
    /// Resolves and types one formula.
    pub(super) fn expr(&mut self, file: &Arc<SourceFile>, e: &ast::Expr, scope: Scope) -> Expr {
        let span = e.span;
        match &e.kind {
            ast::ExprKind::Error => err(span),
            ast::ExprKind::Literal(l) => literal(l, span),
            ast::ExprKind::Total => {
                if !scope.total {
                    self.push(
                        Diagnostic::error(&codes::INDICATOR_CYCLE, file, text!("`总分` cannot be used here", "此处不能使用 `总分`"))
                            .with_label(span, text!("the total is not known yet", "总分此时尚未算出"))
                            .with_help(text!(
                                "the total is made from the indicators, deductions and bonuses, so it can only be used in grades, vetoes and ranking",
                                "总分由指标、扣分和加分算出,只能用于等次、一票否决和排名"
                            )),
                    );
                    return err(span);
                }
                Expr { kind: ExprKind::Total, ty: Type::Number, span }
            }
            ast::ExprKind::Path(path) => self.path(file, path, scope, span),
            ast::ExprKind::Call { function, args } => self.call(file, function, args, scope, span),
            ast::ExprKind::List(items) => {
                let items: Vec<Expr> = items.iter().map(|i| self.expr(file, i, scope)).collect();
                let ty = items.iter().map(|i| i.ty.clone()).find(|t| *t != Type::Error).unwrap_or(Type::Error);
                Expr { kind: ExprKind::List(items), ty: Type::List(Box::new(ty)), span }
            }
            ast::ExprKind::Unary { op, operand } => {
                let inner = self.expr(file, operand, scope);
                let ok = match op.node {
                    UnaryOp::Neg => inner.ty.is_numeric() || inner.ty == Type::Duration,
                    UnaryOp::Not => matches!(inner.ty, Type::Bool | Type::Error),
                };
                if !ok {
                    self.mismatch(file, op.span, &op_text(op.node), &[&inner]);
                    return err(span);
                }
                let ty = if op.node == UnaryOp::Not { Type::Bool } else { inner.ty.clone() };
                Expr { kind: ExprKind::Unary(op.node, Box::new(inner)), ty, span }
            }
            ast::ExprKind::Binary { op, lhs, rhs } => {
                let l = self.expr(file, lhs, scope);
                let r = self.expr(file, rhs, scope);
                self.binary(file, op.node, op.span, l, r, span)
            }
            ast::ExprKind::If { cond, then, otherwise } => {
                let c = self.condition(file, cond, scope);
                let t = self.expr(file, then, scope);
                let o = self.expr(file, otherwise, scope);
                let ty = self.unify(file, &t, &o, span);
                Expr { kind: ExprKind::If(Box::new(c), Box::new(t), Box::new(o)), ty, span }
            }
            ast::ExprKind::Piecewise { subject, pieces } => {
                let s = self.expr(file, subject, scope);
                let mut out = Vec::new();
                let mut ty = Type::Error;
                for piece in pieces {
                    let test = piece.test.as_ref().map(|(op, operand)| {
                        let o = self.expr(file, operand, scope);
                        // Type the comparison `subject op operand` for its diagnostics only.
                        self.binary(file, op.node, op.span, s.clone(), o.clone(), piece.span);
                        (op.node, o)
                    });
                    let v = self.expr(file, &piece.value, scope);
                    if ty == Type::Error {
                        ty = v.ty.clone();
                    } else if !compatible(&ty, &v.ty) {
                        self.mismatch(file, piece.value.span, &text!("a piece", "分段项"), &[&v]);
                    }
                    out.push((test, v));
                }
                if !pieces.iter().any(|p| p.test.is_none()) {
                    self.push(
                        Diagnostic::error(
                            &codes::TYPE_MISMATCH,
                            file,
                            text!("this piecewise formula has no `否则` piece", "此分段公式没有 `否则` 项"),
                        )
                        .with_label(span, text!("some values would match no piece", "有些值不匹配任何分段"))
                        .with_help(text!("end it with `否则 => 0` (or `else => 0`)", "以 `否则 => 0` 结尾")),
                    );
                }
                Expr { kind: ExprKind::Piecewise { subject: Box::new(s), pieces: out }, ty, span }
            }
        }
    }

    /// A formula that must be yes/no.
    pub(super) fn condition(&mut self, file: &Arc<SourceFile>, e: &ast::Expr, scope: Scope) -> Expr {
        let c = self.expr(file, e, scope);
        if !matches!(c.ty, Type::Bool | Type::Error) {
            let got = type_name(&c.ty);
            let (got_en, got_zh) = (got.en, got.zh);
            self.push(
                Diagnostic::error(
                    &codes::TYPE_CONDITION,
                    file,
                    text!("this condition is {got_en}, not yes/no", "此条件是{got_zh},不是是/否"),
                )
                .with_label(c.span, text!("expected a comparison like `完成率 >= 90%`", "应为比较,如 `完成率 >= 90%`"))
                .with_help(text!(
                    "compare the value with something: `x > 0`, `类别 = \"通报批评\"`",
                    "把值与其他值比较:`x > 0`、`类别 = \"通报批评\"`"
                )),
            );
            return err(c.span);
        }
        c
    }

    /// A formula that must be a number (a score, amount, cap or threshold).
    pub(super) fn number(&mut self, file: &Arc<SourceFile>, e: &ast::Expr, scope: Scope, what: Text) -> Expr {
        let v = self.expr(file, e, scope);
        if !v.ty.is_numeric() {
            let got = type_name(&v.ty);
            let (got_en, got_zh, what_en, what_zh) = (got.en, got.zh, what.en, what.zh);
            let help = match v.ty {
                Type::Many(_) | Type::Rows(_) => text!(
                    "a unit has many rows here: aggregate them with `sum(...)`, `avg(...)`, `count(...)` or `trimmed_mean(...)`",
                    "每个单位在此有多行:用 `sum(...)`、`avg(...)`、`count(...)` 或 `trimmed_mean(...)` 汇总"
                ),
                Type::Duration => text!("turn days into a number with `days(...)`", "用 `days(...)` 把天数变为数字"),
                _ => text!("{what_en} must be a number", "{what_zh}必须是数值"),
            };
            let code = if matches!(v.ty, Type::Many(_) | Type::Rows(_)) { &codes::TYPE_ROWS } else { &codes::TYPE_SCORE };
            self.push(
                Diagnostic::error(code, file, text!("{what_en} is {got_en}, not a number", "{what_zh}是{got_zh},不是数值"))
                    .with_label(v.span, text!("this is {got_en}", "这是{got_zh}"))
                    .with_help(help),
            );
            return err(v.span);
        }
        v
    }

    fn path(&mut self, file: &Arc<SourceFile>, path: &[Name], scope: Scope, span: Span) -> Expr {
        match path {
            [name] => self.bare_name(file, name, scope, span),
            [first, second] if self.table_ids.contains_key(&first.node) => {
                let table = self.table_ids[&first.node];
                self.used_tables.insert(table);
                let Some(column) = self.lookup_column(file, table, second) else { return err(span) };
                self.column_expr(table, column, scope, span)
            }
            [first, ..] if self.indicator_ids.contains_key(&first.node) => match self.indicator_by_path(file, path) {
                Some(id) => self.indicator_expr(file, id, scope, span),
                None => err(span),
            },
            [first, ..] => {
                self.unknown_name(file, first, scope);
                err(span)
            }
            [] => err(span),
        }
    }

    fn bare_name(&mut self, file: &Arc<SourceFile>, name: &Name, scope: Scope, span: Span) -> Expr {
        let n = name.node.as_str();
        if let Some(table) = scope.row {
            if let Some(column) = self.tables[table].columns.iter().position(|c| c.name == n) {
                return self.column_expr(table, column, scope, span);
            }
        }
        if let Some(&id) = self.param_ids.get(n) {
            self.used_params.insert(id);
            return Expr { kind: ExprKind::Param(id), ty: self.params[id].ty.clone(), span };
        }
        let column_owners: Vec<String> = self
            .tables
            .iter()
            .filter(|t| t.columns.iter().enumerate().any(|(i, c)| c.name == n && i != t.unit_column))
            .map(|t| t.name.clone())
            .collect();
        // Where indicator scores cannot be used, a column of that name is meant.
        let indicator = self.indicator_ids.get(n).cloned().filter(|_| scope.indicators || column_owners.is_empty());
        if let Some(ids) = indicator {
            if !scope.indicators {
                return self.indicator_expr(file, ids[0], scope, span);
            }
            if let Some(table) = column_owners.first() {
                self.push(
                    Diagnostic::error(
                        &codes::NAME_AMBIGUOUS,
                        file,
                        text!("`{n}` is both an indicator and a column of `{table}`", "`{n}` 既是指标,又是数据表 `{table}` 的列"),
                    )
                    .with_label(span, text!("which one?", "是哪一个?"))
                    .with_help(text!(
                        "write `{table}.{n}` for the column; to use the indicator's score, rename the indicator or the column",
                        "若指列,请写 `{table}.{n}`;若指指标得分,请给指标或列改名"
                    )),
                );
                return err(span);
            }
            if ids.len() == 1 {
                return self.indicator_expr(file, ids[0], scope, span);
            }
            let paths: Vec<String> = ids.iter().map(|&i| self.indicators[i].path.join(".")).collect();
            let (list, list_zh) = (paths.join("`, `"), paths.join("`、`"));
            self.push(
                Diagnostic::error(&codes::NAME_AMBIGUOUS, file, text!("several indicators are called `{n}`", "有多个指标名为 `{n}`"))
                    .with_label(span, text!("which one?", "是哪一个?"))
                    .with_help(text!("write the full path: `{list}`", "写出完整路径:`{list_zh}`")),
            );
            return err(span);
        }
        // Unit key and group columns appear in many tables: they mean the unit's own.
        if let Some(units) = self.units.clone() {
            let t = &self.tables[units.table];
            if let Some(column) = t.columns.iter().position(|c| c.name == n) {
                if column == units.key || units.groups.contains(&column) || units.label == Some(column) {
                    self.used_tables.insert(units.table);
                    return self.column_expr(units.table, column, scope, span);
                }
            }
        }
        let owners: Vec<(usize, usize)> = self
            .tables
            .iter()
            .enumerate()
            .filter_map(|(t, table)| table.columns.iter().position(|c| c.name == n).filter(|&c| c != table.unit_column).map(|c| (t, c)))
            .collect();
        match owners.as_slice() {
            [(table, column)] => {
                self.used_tables.insert(*table);
                self.column_expr(*table, *column, scope, span)
            }
            [] => {
                if let Some(&table) = self.table_ids.get(n) {
                    self.used_tables.insert(table);
                    return Expr { kind: ExprKind::Const(Value::Null), ty: Type::Rows(table), span };
                }
                self.unknown_name(file, name, scope);
                err(span)
            }
            many => {
                let names: Vec<String> = many.iter().map(|(t, _)| format!("{}.{n}", self.tables[*t].name)).collect();
                let (list, list_zh) = (names.join("`, `"), names.join("`、`"));
                self.push(
                    Diagnostic::error(&codes::NAME_AMBIGUOUS, file, text!("several tables have a column `{n}`", "多个数据表都有列 `{n}`"))
                        .with_label(span, text!("which table?", "哪个数据表?"))
                        .with_help(text!("name the table: `{list}`", "写明数据表:`{list_zh}`")),
                );
                err(span)
            }
        }
    }

    fn unknown_name(&mut self, file: &Arc<SourceFile>, name: &Name, scope: Scope) {
        let n = &name.node;
        let mut candidates: Vec<String> = Vec::new();
        candidates.extend(self.param_ids.keys().cloned());
        candidates.extend(self.indicator_ids.keys().cloned());
        candidates.extend(self.table_ids.keys().cloned());
        for t in &self.tables {
            candidates.extend(t.columns.iter().map(|c| c.name.clone()));
        }
        let row_note = scope.row.map(|t| self.tables[t].name.clone());
        let help = match did_you_mean(n, candidates.iter().map(String::as_str)) {
            Some(best) => text!("did you mean `{best}`?", "是否想写 `{best}`?"),
            None => match row_note {
                Some(t) => text!(
                    "names here are columns of `{t}`, parameters, indicators or tables",
                    "此处的名称应为 `{t}` 的列、参数、指标或数据表"
                ),
                None => text!("declare it as a parameter, an indicator or a table column", "请把它声明为参数、指标或数据表的列"),
            },
        };
        self.push(
            Diagnostic::error(&codes::NAME_UNKNOWN, file, text!("`{n}` is not declared", "`{n}` 没有声明"))
                .with_label(name.span, text!("unknown name", "未知名称"))
                .with_help(help),
        );
    }

    /// A column reference typed by where it is used.
    fn column_expr(&mut self, table: usize, column: usize, scope: Scope, span: Span) -> Expr {
        self.used_tables.insert(table);
        self.read_columns.insert((table, column));
        let t = &self.tables[table];
        let one = match &t.columns[column].ty {
            ColumnType::Text | ColumnType::Enum(_) => Type::Text,
            ColumnType::Number | ColumnType::Integer => Type::Number,
            ColumnType::Percent => Type::Percent,
            ColumnType::Date => Type::Date,
            ColumnType::Period(_) => Type::Period,
            ColumnType::Bool => Type::Bool,
        };
        let single = scope.row == Some(table)
            || match t.shape {
                TableShape::PerUnit => true,
                TableShape::PerUnitPeriod { kind, .. } => scope.period == Some(kind),
                TableShape::Rows => false,
            }
            || self.units.as_ref().is_none_or(|u| u.table == table);
        let ty = if single { one } else { Type::Many(Box::new(one)) };
        Expr { kind: ExprKind::Column { table, column }, ty, span }
    }

    fn indicator_expr(&mut self, file: &Arc<SourceFile>, id: usize, scope: Scope, span: Span) -> Expr {
        if !scope.indicators {
            let n = self.indicators[id].name.clone();
            self.push(
                Diagnostic::error(&codes::NAME_KIND, file, text!("indicator `{n}` cannot be used here", "此处不能使用指标 `{n}`"))
                    .with_label(span, text!("an indicator's score", "指标得分"))
                    .with_help(text!(
                        "only data columns, parameters and constants can be used here, not indicator scores",
                        "此处只能使用数据列、参数和常数,不能使用指标得分"
                    )),
            );
            return err(span);
        }
        Expr { kind: ExprKind::Indicator(id), ty: Type::Number, span }
    }

    /// An indicator by full or partial path (`工作考核.重点工作`).
    pub(super) fn indicator_by_path(&mut self, file: &Arc<SourceFile>, path: &[Name]) -> Option<usize> {
        let names: Vec<&str> = path.iter().map(|n| n.node.as_str()).collect();
        let last = path.last()?;
        let matches: Vec<usize> = self
            .indicator_ids
            .get(&last.node)
            .map(|ids| {
                ids.iter()
                    .copied()
                    .filter(|&i| self.indicators[i].path.ends_with(&names.iter().map(|s| s.to_string()).collect::<Vec<_>>()))
                    .collect()
            })
            .unwrap_or_default();
        let shown = names.join(".");
        let span = path[0].span.to(last.span);
        match matches.as_slice() {
            [one] => Some(*one),
            [] => {
                let all: Vec<String> = self.indicators.iter().map(|i| i.path.join(".")).collect();
                let help = match did_you_mean(&shown, all.iter().map(String::as_str))
                    .or_else(|| did_you_mean(&last.node, self.indicator_ids.keys().map(String::as_str)))
                {
                    Some(best) => text!("did you mean `{best}`?", "是否想写 `{best}`?"),
                    None => text!("name an indicator declared with `指标`", "请使用用 `指标` 声明过的指标"),
                };
                self.push(
                    Diagnostic::error(&codes::NAME_UNKNOWN, file, text!("no indicator `{shown}`", "没有指标 `{shown}`"))
                        .with_label(span, text!("unknown indicator", "未知指标"))
                        .with_help(help),
                );
                None
            }
            many => {
                let paths: Vec<String> = many.iter().map(|&i| self.indicators[i].path.join(".")).collect();
                let (list, list_zh) = (paths.join("`, `"), paths.join("`、`"));
                self.push(
                    Diagnostic::error(
                        &codes::NAME_AMBIGUOUS,
                        file,
                        text!("several indicators match `{shown}`", "有多个指标与 `{shown}` 匹配"),
                    )
                    .with_label(span, text!("which one?", "是哪一个?"))
                    .with_help(text!("write the full path: `{list}`", "写出完整路径:`{list_zh}`")),
                );
                None
            }
        }
    }

    fn call(&mut self, file: &Arc<SourceFile>, function: &Name, args: &[ast::Arg], scope: Scope, span: Span) -> Expr {
        let f = &function.node;
        let Some(&(_, _, kind)) = FUNCTIONS.iter().find(|(en, zh, _)| en == f || zh == f) else {
            let names = FUNCTIONS.iter().flat_map(|(en, zh, _)| [*en, *zh]);
            let help = help_or(f, names, {
                let list = FUNCTIONS.iter().map(|(en, zh, _)| format!("{en}/{zh}")).collect::<Vec<_>>().join(", ");
                text!("kaohe's functions are {list}", "kaohe 的函数有 {list}")
            });
            self.push(
                Diagnostic::error(&codes::FUNCTION_UNKNOWN, file, text!("`{f}` is not a kaohe function", "`{f}` 不是 kaohe 的函数"))
                    .with_label(function.span, text!("unknown function", "未知函数"))
                    .with_help(help),
            );
            return err(span);
        };
        let aggregate_like = matches!(kind, Function::Aggregate(_)) || (matches!(kind, Function::Extreme(_)) && args.len() == 1);
        for a in args {
            if let Some(filter) = &a.filter {
                if !aggregate_like {
                    self.push(
                        Diagnostic::error(
                            &codes::EXPR_FILTER,
                            file,
                            text!("`where` only filters the rows of an aggregate", "`where` 只能用于汇总函数的行筛选"),
                        )
                        .with_label(filter.span, text!("not allowed in `{f}`", "`{f}` 中不允许"))
                        .with_help(text!(
                            "use it like `count(督查记录 where 类别 = \"通报批评\")`",
                            "用法如 `count(督查记录 where 类别 = \"通报批评\")`"
                        )),
                    );
                }
            }
        }
        match kind {
            Function::Extreme(is_max) if args.len() == 1 => {
                let agg = if is_max { Aggregate::Max } else { Aggregate::Min };
                self.aggregate(file, agg, f, args, scope, span)
            }
            Function::Extreme(is_max) => {
                let b = if is_max { Builtin::Max } else { Builtin::Min };
                self.scalar(file, b, f, function, args, scope, span)
            }
            Function::Scalar(b) => self.scalar(file, b, f, function, args, scope, span),
            Function::Aggregate(agg) => self.aggregate(file, agg, f, args, scope, span),
            Function::Across(across) => self.across(file, across, f, args, scope, span),
        }
    }

    fn arity(&mut self, file: &Arc<SourceFile>, name: &str, span: Span, want: &str, want_zh: &str) {
        self.push(
            Diagnostic::error(&codes::FUNCTION_ARGUMENTS, file, text!("`{name}` takes {want}", "`{name}` 需要{want_zh}"))
                .with_label(span, text!("here", "此处"))
                .with_help(text!("the functions and their arguments are listed in docs/language.md", "各函数及其参数见 docs/language.md")),
        );
    }

    #[expect(clippy::too_many_arguments, reason = "one call site per function family; a struct would only rename the parameters")]
    fn scalar(
        &mut self,
        file: &Arc<SourceFile>,
        b: Builtin,
        name: &str,
        function: &Name,
        args: &[ast::Arg],
        scope: Scope,
        span: Span,
    ) -> Expr {
        let (lo, hi, want, want_zh) = match b {
            Builtin::Min | Builtin::Max => {
                (2, usize::MAX, "two or more numbers (or one column to aggregate)", "两个或更多数值(或一列待汇总的值)")
            }
            Builtin::Clamp => (3, 3, "three numbers: value, lowest, highest", "三个数值:值、下限、上限"),
            Builtin::Abs => (1, 1, "one number", "一个数值"),
            Builtin::Round => (1, 2, "a number and the decimal places", "一个数值和小数位数"),
            Builtin::Present => (1, 1, "one value", "一个值"),
            Builtin::Days => (1, 1, "one number of days", "一个天数"),
        };
        if args.len() < lo || args.len() > hi {
            self.arity(file, name, span, want, want_zh);
            return err(span);
        }
        let mut out = Vec::new();
        for a in args {
            let v = self.expr(file, &a.value, scope);
            let ok = match b {
                Builtin::Present => !matches!(v.ty, Type::Many(_) | Type::Rows(_)),
                Builtin::Days => matches!(v.ty, Type::Duration | Type::Error),
                _ => v.ty.is_numeric(),
            };
            if !ok {
                self.mismatch(file, function.span, &text!("`{name}`", "`{name}`"), &[&v]);
                return err(span);
            }
            out.push(v);
        }
        if b == Builtin::Round {
            if let Some(places) = out.get(1) {
                if !matches!(&places.kind, ExprKind::Const(Value::Number(n)) if n.fract().is_zero() && *n >= Decimal::ZERO && *n <= Decimal::TEN)
                {
                    self.arity(file, name, places.span, "decimal places as a whole number from 0 to 10", "0 到 10 的整数小数位数");
                }
            }
        }
        let ty = match b {
            Builtin::Present => Type::Bool,
            Builtin::Days => Type::Number,
            _ => {
                if out.iter().all(|e| e.ty == Type::Percent) {
                    Type::Percent
                } else {
                    Type::Number
                }
            }
        };
        Expr { kind: ExprKind::Call(b, out), ty, span }
    }

    /// Runs `f` without keeping its diagnostics: a probe whose result only
    /// decides how to check the expression for real.
    fn quietly<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let saved = std::mem::take(&mut *self.diags);
        let out = f(self);
        *self.diags = saved;
        out
    }

    /// The many-row tables a formula reads, found from its names (not its
    /// types: `分值 * 系数` is a type error per unit but fine per row).
    fn tables_read(&self, e: &ast::Expr, scope: Scope) -> Vec<usize> {
        let mut found: Vec<usize> = Vec::new();
        let many = |this: &Self, t: usize| match this.tables[t].shape {
            TableShape::Rows => true,
            TableShape::PerUnitPeriod { kind, .. } => scope.period != Some(kind),
            TableShape::PerUnit => false,
        } && this.units.as_ref().is_none_or(|u| u.table != t);
        let mut stack = vec![e];
        while let Some(e) = stack.pop() {
            match &e.kind {
                ast::ExprKind::Path(p) => {
                    let tables: Vec<usize> = match p.as_slice() {
                        [t, _] if self.table_ids.contains_key(&t.node) => vec![self.table_ids[&t.node]],
                        [c] if !self.param_ids.contains_key(&c.node) && !self.indicator_ids.contains_key(&c.node) => self
                            .tables
                            .iter()
                            .enumerate()
                            .filter(|(_, t)| t.columns.iter().enumerate().any(|(i, col)| col.name == c.node && i != t.unit_column))
                            .map(|(i, _)| i)
                            .collect(),
                        _ => Vec::new(),
                    };
                    for t in tables.into_iter().filter(|&t| many(self, t)) {
                        if !found.contains(&t) {
                            found.push(t);
                        }
                    }
                }
                // A nested aggregate reads its own rows.
                ast::ExprKind::Call { function, .. }
                    if FUNCTIONS.iter().any(|(en, zh, k)| {
                        (en == &function.node || zh == &function.node)
                            && matches!(k, Function::Aggregate(_) | Function::Extreme(_) | Function::Across(_))
                    }) => {}
                ast::ExprKind::Call { args, .. } => stack.extend(args.iter().map(|a| &a.value)),
                ast::ExprKind::Unary { operand, .. } => stack.push(operand),
                ast::ExprKind::Binary { lhs, rhs, .. } => {
                    stack.push(lhs);
                    stack.push(rhs);
                }
                ast::ExprKind::If { cond, then, otherwise } => stack.extend([&**cond, &**then, &**otherwise]),
                ast::ExprKind::Piecewise { subject, pieces } => {
                    stack.push(subject);
                    for piece in pieces {
                        stack.push(&piece.value);
                        if let Some((_, t)) = &piece.test {
                            stack.push(t);
                        }
                    }
                }
                ast::ExprKind::List(items) => stack.extend(items.iter()),
                ast::ExprKind::Literal(_) | ast::ExprKind::Total | ast::ExprKind::Error => {}
            }
        }
        found
    }

    /// The table an aggregate runs over: a table named alone (`count(事故)`),
    /// or the one many-row table the value reads (`sum(分值 * 权重)`).
    fn aggregate_table(&mut self, file: &Arc<SourceFile>, name: &str, value: &ast::Expr, scope: Scope) -> Result<Option<usize>, Expr> {
        if let ast::ExprKind::Path(p) = &value.kind {
            if let [only] = p.as_slice() {
                if let Some(&t) = self.table_ids.get(&only.node) {
                    self.used_tables.insert(t);
                    return Ok(Some(t));
                }
            }
        }
        let tables = self.tables_read(value, scope);
        if tables.is_empty() {
            // Type the value normally: its own error, or "not rows" below.
            let probe = self.expr(file, value, scope);
            if probe.ty == Type::Error {
                return Err(err(value.span));
            }
        }
        match tables.as_slice() {
            [one] => Ok(Some(*one)),
            [] => {
                let probe = self.quietly(|c| c.expr(file, value, scope));
                let got = type_name(&probe.ty);
                let (got_en, got_zh) = (got.en, got.zh);
                self.push(
                    Diagnostic::error(
                        &codes::TYPE_ROWS,
                        file,
                        text!("`{name}` needs the rows of a table, but this is {got_en}", "`{name}` 需要数据表的多行,但这是{got_zh}"),
                    )
                    .with_label(value.span, text!("one value per unit", "每个单位一个值"))
                    .with_help(text!(
                        "aggregate a column of a table with many rows per unit, `{name}(评议.分数)`, or a table, `count(督查记录)`",
                        "对每个单位有多行的表的列进行汇总,如 `{name}(评议.分数)`,或整表,如 `count(督查记录)`"
                    )),
                );
                Err(err(value.span))
            }
            many => {
                let list_en = many.iter().map(|t| format!("`{}`", self.tables[*t].name)).collect::<Vec<_>>().join(", ");
                let list_zh = many.iter().map(|t| format!("`{}`", self.tables[*t].name)).collect::<Vec<_>>().join("、");
                self.push(
                    Diagnostic::error(
                        &codes::TYPE_ROWS,
                        file,
                        text!(
                            "`{name}` runs over the rows of one table, but this reads {list_en}",
                            "`{name}` 只能汇总一个数据表的行,但这里读取了 {list_zh}"
                        ),
                    )
                    .with_label(value.span, text!("rows of several tables", "多个数据表的行"))
                    .with_help(text!("aggregate each table separately and combine the results", "分别汇总各表,再组合结果")),
                );
                Err(err(value.span))
            }
        }
    }

    fn aggregate(&mut self, file: &Arc<SourceFile>, agg: Aggregate, name: &str, args: &[ast::Arg], scope: Scope, span: Span) -> Expr {
        let Some(first) = args.first() else {
            self.arity(file, name, span, "the rows to aggregate", "待汇总的行");
            return err(span);
        };
        if first.name.is_some() {
            self.arity(file, name, span, "the rows to aggregate first", "首先给出待汇总的行");
            return err(span);
        }
        let table = match self.aggregate_table(file, name, &first.value, scope) {
            Ok(Some(t)) => t,
            Ok(None) => return err(span),
            Err(e) => return e,
        };
        let row = Scope { row: Some(table), ..scope };
        let names_table =
            matches!(&first.value.kind, ast::ExprKind::Path(p) if p.len() == 1 && self.table_ids.get(&p[0].node) == Some(&table));
        let value = if names_table {
            None
        } else {
            let v = self.expr(file, &first.value, row);
            Some(v)
        };
        if agg != Aggregate::Count {
            match &value {
                Some(v) if v.ty.is_numeric() => {}
                Some(v) => {
                    let got = type_name(&v.ty);
                    let (got_en, got_zh) = (got.en, got.zh);
                    self.push(
                        Diagnostic::error(
                            &codes::TYPE_MISMATCH,
                            file,
                            text!("`{name}` needs numbers, but this is {got_en}", "`{name}` 需要数值,但这是{got_zh}"),
                        )
                        .with_label(v.span, text!("{got_en}", "{got_zh}"))
                        .with_help(text!("count the rows with `count(...)` instead", "改用 `count(...)` / `计数(...)` 计行数")),
                    );
                    return err(span);
                }
                None => {
                    let t = self.tables[table].name.clone();
                    self.push(
                        Diagnostic::error(
                            &codes::FUNCTION_ARGUMENTS,
                            file,
                            text!("`{name}` needs a column, not the whole table `{t}`", "`{name}` 需要一列,而不是整个数据表 `{t}`"),
                        )
                        .with_label(first.value.span, text!("which column?", "哪一列?"))
                        .with_help(text!("write `{name}({t}.column)`", "写作 `{name}({t}.列名)`")),
                    );
                    return err(span);
                }
            }
        }
        let filter = first.filter.as_ref().map(|f| Box::new(self.condition(file, f, row)));
        let mut trim = (0u32, 0u32);
        if agg == Aggregate::TrimmedMean {
            trim = (1, 1);
            for (i, a) in args.iter().enumerate().skip(1) {
                let which = match a.name.as_ref().map(|n| n.node.as_str()) {
                    Some("去掉最高" | "drop_high") => 0,
                    Some("去掉最低" | "drop_low") => 1,
                    None if i <= 2 => i - 1,
                    _ => {
                        self.arity(
                            file,
                            name,
                            a.value.span,
                            "`drop_high: N` and `drop_low: N` (`去掉最高: N`, `去掉最低: N`)",
                            "`去掉最高: N` 和 `去掉最低: N`",
                        );
                        continue;
                    }
                };
                match &a.value.kind {
                    ast::ExprKind::Literal(ast::Literal::Number(n))
                        if n.fract().is_zero() && *n >= Decimal::ZERO && *n < Decimal::from(1000) =>
                    {
                        let k = u32::try_from(n.mantissa()).unwrap_or(0);
                        if which == 0 { trim.0 = k } else { trim.1 = k }
                    }
                    _ => self.arity(file, name, a.value.span, "a whole number of values to drop", "要去掉的个数(整数)"),
                }
            }
        } else if args.len() > 1 {
            self.arity(file, name, span, "one argument: the rows to aggregate", "一个参数:待汇总的行");
        }
        let ty = match (agg, &value) {
            (Aggregate::Count, _) | (_, None) => Type::Number,
            (_, Some(v)) => {
                if v.ty == Type::Percent && agg != Aggregate::Sum {
                    Type::Percent
                } else {
                    Type::Number
                }
            }
        };
        Expr { kind: ExprKind::Aggregate { function: agg, table, value: value.map(Box::new), filter, trim }, ty, span }
    }

    fn across(&mut self, file: &Arc<SourceFile>, across: Across, name: &str, args: &[ast::Arg], scope: Scope, span: Span) -> Expr {
        if scope.row.is_some() {
            self.push(
                Diagnostic::error(
                    &codes::FUNCTION_ARGUMENTS,
                    file,
                    text!("`{name}` compares units, so it cannot be used on one row", "`{name}` 比较各单位,不能用于单行"),
                )
                .with_label(span, text!("inside a row condition", "在行条件中"))
                .with_help(text!("use it in an indicator's `得分` formula", "在指标的 `得分` 公式中使用它")),
            );
            return err(span);
        }
        if matches!(
            across,
            Across::GroupMax | Across::GroupMin | Across::GroupAvg | Across::GroupSum | Across::GroupCount | Across::GroupRank
        ) && self.units.as_ref().is_some_and(|u| u.groups.is_empty())
        {
            self.push(
                Diagnostic::error(
                    &codes::GRADES_GROUP,
                    file,
                    text!("`{name}` needs groups, but the units have none", "`{name}` 需要分组,但考核对象没有分组"),
                )
                .with_label(span, text!("group function", "分组函数"))
                .with_help(text!(
                    "name a group column in the units declaration: `units T {{ key K group COLUMN }}` (`考核对象 T {{ 标识 K 分组 列 }}`)",
                    "在考核对象声明中指明分组列:`考核对象 表 {{ 标识 列 分组 列 }}`"
                )),
            );
        }
        if across == Across::GroupCount {
            if !args.is_empty() {
                self.arity(file, name, span, "no arguments", "不带参数");
            }
            return Expr {
                kind: ExprKind::Across { function: across, arg: Box::new(err(span)), ascending: false },
                ty: Type::Number,
                span,
            };
        }
        let Some(first) = args.first() else {
            self.arity(file, name, span, "the value to compare across units", "要在各单位间比较的值");
            return err(span);
        };
        let arg = self.number(file, &first.value, scope, text!("the value compared across units", "各单位间比较的值"));
        let mut ascending = false;
        if let Some(second) = args.get(1) {
            let is_rank = matches!(across, Across::Rank | Across::GroupRank);
            match &second.value.kind {
                ast::ExprKind::Path(p) if is_rank && p.len() == 1 && matches!(p[0].node.as_str(), "升序" | "asc") => ascending = true,
                ast::ExprKind::Path(p) if is_rank && p.len() == 1 && matches!(p[0].node.as_str(), "降序" | "desc") => {}
                _ => self.arity(
                    file,
                    name,
                    second.value.span,
                    "one value (ranks also take `升序` or `降序`)",
                    "一个值(排名还可加 `升序` 或 `降序`)",
                ),
            }
        }
        let ty = if matches!(across, Across::Rank | Across::GroupRank) { Type::Number } else { arg.ty.clone() };
        Expr { kind: ExprKind::Across { function: across, arg: Box::new(arg), ascending }, ty, span }
    }

    fn binary(&mut self, file: &Arc<SourceFile>, op: BinOp, op_span: Span, l: Expr, r: Expr, span: Span) -> Expr {
        use Type as T;
        if l.ty == T::Error || r.ty == T::Error {
            let ty = if op.is_comparison() || matches!(op, BinOp::And | BinOp::Or | BinOp::In) { T::Bool } else { T::Error };
            return Expr { kind: ExprKind::Binary(op, Box::new(l), Box::new(r)), ty, span };
        }
        let ty = match op {
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => match (op, &l.ty, &r.ty) {
                (BinOp::Add, T::Percent, T::Percent) | (BinOp::Sub, T::Percent, T::Percent) => Some(T::Percent),
                (_, a, b) if a.is_numeric() && b.is_numeric() => Some(T::Number),
                (BinOp::Sub, T::Date, T::Date) => Some(T::Duration),
                (BinOp::Add | BinOp::Sub, T::Date, T::Duration) => Some(T::Date),
                (BinOp::Add, T::Duration, T::Date) => Some(T::Date),
                (BinOp::Add | BinOp::Sub, T::Duration, T::Duration) => Some(T::Duration),
                (BinOp::Mul, T::Duration, b) if b.is_numeric() => Some(T::Duration),
                (BinOp::Div, T::Duration, T::Duration) => Some(T::Number),
                _ => None,
            },
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let ordered = !matches!(op, BinOp::Eq | BinOp::Ne);
                let ok = match (&l.ty, &r.ty) {
                    (a, b) if a.is_numeric() && b.is_numeric() => true,
                    (T::Text, T::Text) | (T::Bool, T::Bool) => !ordered || l.ty == T::Text,
                    (T::Date, T::Date) | (T::Duration, T::Duration) => true,
                    (T::Period, T::Text) | (T::Text, T::Period) | (T::Period, T::Period) => true,
                    _ => false,
                };
                if ok {
                    self.enum_value(file, &l, &r);
                    self.enum_value(file, &r, &l);
                }
                ok.then_some(T::Bool)
            }
            BinOp::And | BinOp::Or => (l.ty == T::Bool && r.ty == T::Bool).then_some(T::Bool),
            BinOp::In => match &r.ty {
                T::List(item) if compatible(&l.ty, item) || **item == T::Error => {
                    if let ExprKind::List(items) = &r.kind {
                        for item in items {
                            self.enum_value(file, &l, item);
                        }
                    }
                    Some(T::Bool)
                }
                _ => None,
            },
        };
        if op == BinOp::Div {
            if let ExprKind::Const(Value::Number(n)) = &r.kind {
                if n.is_zero() {
                    self.push(
                        Diagnostic::error(&codes::EXPR_DIVISION_BY_ZERO, file, text!("division by zero", "除数为零"))
                            .with_label(r.span, text!("this is zero", "此值为零"))
                            .with_help(text!("divide by a non-zero number", "请除以非零的数")),
                    );
                }
            }
        }
        match ty {
            Some(ty) => Expr { kind: ExprKind::Binary(op, Box::new(l), Box::new(r)), ty, span },
            None => {
                self.mismatch(file, op_span, &op_text_bin(op), &[&l, &r]);
                err(span)
            }
        }
    }

    /// `等级 = "特大"` where `等级` is an enumeration without `特大`.
    fn enum_value(&mut self, file: &Arc<SourceFile>, column: &Expr, value: &Expr) {
        let (ExprKind::Column { table, column: c }, ExprKind::Const(Value::Text(v))) = (&column.kind, &value.kind) else { return };
        let col = &self.tables[*table].columns[*c];
        let ColumnType::Enum(values) = &col.ty else { return };
        if values.contains(v) {
            return;
        }
        let name = col.name.clone();
        let help = help_or(v, values.iter().map(String::as_str), {
            let (list, list_zh) = {
                let items = values;
                (items.join("`, `"), items.join("`、`"))
            };
            text!("`{name}` is one of `{list}`", "`{name}` 的取值为 `{list_zh}`")
        });
        self.push(
            Diagnostic::error(&codes::TYPE_MISMATCH, file, text!("`{name}` never has the value `{v}`", "`{name}` 没有取值 `{v}`"))
                .with_label(value.span, text!("not one of the listed values", "不在列出的取值中"))
                .with_help(help),
        );
    }

    fn unify(&mut self, file: &Arc<SourceFile>, a: &Expr, b: &Expr, span: Span) -> Type {
        if a.ty == Type::Error {
            return b.ty.clone();
        }
        if b.ty == Type::Error || compatible(&a.ty, &b.ty) {
            return if a.ty == Type::Percent && b.ty == Type::Percent {
                Type::Percent
            } else if a.ty.is_numeric() {
                Type::Number
            } else {
                a.ty.clone()
            };
        }
        self.mismatch(file, span, &text!("`如果`", "`如果`"), &[a, b]);
        Type::Error
    }

    fn mismatch(&mut self, file: &Arc<SourceFile>, at: Span, what: &Text, operands: &[&Expr]) {
        let (what_en, what_zh) = (&what.en, &what.zh);
        let mut d =
            Diagnostic::error(&codes::TYPE_MISMATCH, file, text!("{what_en} cannot be used with these values", "{what_zh} 不能用于这些值"))
                .with_label(at, text!("here", "此处"));
        let mut help = text!("both sides must be numbers (or dates, texts) of the same kind", "两边必须是同类的数值(或日期、文本)");
        for o in operands {
            let name = type_name(&o.ty);
            let (en, zh) = (name.en, name.zh);
            d = d.with_note(o.span, text!("this is {en}", "这是{zh}"));
            match o.ty {
                Type::Many(_) | Type::Rows(_) => {
                    help = text!(
                        "a unit has many rows here: aggregate them first with `sum(...)`, `avg(...)` or `count(...)`",
                        "每个单位在此有多行:先用 `sum(...)`、`avg(...)` 或 `count(...)` 汇总"
                    )
                }
                Type::Duration => {
                    help = text!("compare days with days: write `30 天`, not `30`", "天数要与天数比较:写 `30 天`,而不是 `30`")
                }
                Type::Text if operands.len() == 1 => help = text!("text cannot be used in arithmetic", "文本不能参与计算"),
                _ => {}
            }
        }
        self.push(d.with_help(help));
    }
}

fn literal(l: &ast::Literal, span: Span) -> Expr {
    let (value, ty) = match l {
        ast::Literal::Number(n) => (Value::Number(*n), Type::Number),
        ast::Literal::Percent(n) => (Value::Number(*n), Type::Percent),
        ast::Literal::Text(t) => (Value::Text(t.clone()), Type::Text),
        ast::Literal::Date(d) => (Value::Date(*d), Type::Date),
        ast::Literal::Duration(d) => (Value::Duration(*d), Type::Duration),
        ast::Literal::Bool(b) => (Value::Bool(*b), Type::Bool),
        ast::Literal::Null => (Value::Null, Type::Error),
    };
    Expr { kind: ExprKind::Const(value), ty, span }
}

fn compatible(a: &Type, b: &Type) -> bool {
    a == b
        || (a.is_numeric() && b.is_numeric())
        || matches!((a, b), (Type::Text, Type::Period) | (Type::Period, Type::Text))
        || *a == Type::Error
        || *b == Type::Error
}

fn op_text(op: UnaryOp) -> Text {
    match op {
        UnaryOp::Neg => text!("`-`", "`-`"),
        UnaryOp::Not => text!("`not`", "`非`"),
    }
}

fn op_text_bin(op: BinOp) -> Text {
    let s = op.as_str();
    match op {
        BinOp::And => text!("`and`", "`且`"),
        BinOp::Or => text!("`or`", "`或`"),
        BinOp::In => text!("`in`", "`属于`"),
        _ => text!("`{s}`", "`{s}`"),
    }
}
