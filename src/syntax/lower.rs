//! pest pairs → AST, one `lower_<rule>` function per grammar rule.
//!
//! The grammar guarantees each pair's shape, so lowering matches on child
//! rules rather than indexing: an optional part is simply absent. Broken
//! pieces (`bad_item`, `bad_clause`) are reported here after a strict
//! re-parse. Expression precedence lives only in [`PRATT`].

use std::cell::{Cell, RefCell};
use std::str::FromStr;
use std::sync::{Arc, LazyLock};

use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};
use rust_decimal::Decimal;

use super::{Rule, strict_error};
use crate::ast::*;
use crate::date::Date;
use crate::diagnostics::{Diagnostic, Diagnostics, codes};
use crate::source::{Name, SourceFile, Span, Spanned};
use crate::text;

/// Most operators accepted in one chain or nesting.
const MAX_OPERATORS: usize = 128;
/// Deepest expression tree accepted: a leaf and `MAX_OPERATORS` levels above it.
const MAX_EXPR_DEPTH: usize = MAX_OPERATORS + 1;
/// Longest run of prefix operators accepted (`- - x`).
const MAX_PREFIX_RUN: usize = 8;

/// Operator precedence, loosest first: or, and, not, comparisons and `in`,
/// `+ -`, `* /`, unary minus.
static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::kw_or, Assoc::Left))
        .op(Op::infix(Rule::kw_and, Assoc::Left))
        .op(Op::prefix(Rule::kw_not))
        .op(Op::infix(Rule::op_eq, Assoc::Left)
            | Op::infix(Rule::op_ne, Assoc::Left)
            | Op::infix(Rule::op_lt, Assoc::Left)
            | Op::infix(Rule::op_le, Assoc::Left)
            | Op::infix(Rule::op_gt, Assoc::Left)
            | Op::infix(Rule::op_ge, Assoc::Left)
            | Op::infix(Rule::kw_in, Assoc::Left))
        .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
        .op(Op::infix(Rule::op_mul, Assoc::Left) | Op::infix(Rule::op_div, Assoc::Left))
        .op(Op::prefix(Rule::op_neg))
});

/// Lowers the `file` pair.
pub fn lower_file(pair: Pair<'_, Rule>, file: &Arc<SourceFile>) -> (File, Diagnostics) {
    let lower = Lower { file, diags: RefCell::new(Diagnostics::new()), reported_until: Cell::new(0) };
    let mut items = Vec::new();
    let mut prev = None;
    for child in pair.into_inner() {
        let this = span(&child);
        if let Some(item) = lower.item(child, prev) {
            items.push(item);
        }
        prev = Some(this);
    }
    (File { items }, lower.diags.into_inner())
}

struct Lower<'a> {
    file: &'a Arc<SourceFile>,
    diags: RefCell<Diagnostics>,
    /// End of the last reported broken region: a broken piece starting
    /// before it is the tail of a clause already reported.
    reported_until: Cell<usize>,
}

/// A pair's span without trailing whitespace and comments: pest includes
/// them when a pair ends in a repetition that matched nothing more (an
/// expression tries another operator after its last operand), and a label
/// would then run onto the next line.
fn span(pair: &Pair<'_, Rule>) -> Span {
    let s = pair.as_span();
    Span::new(s.start(), s.start() + code_len(s.as_str()))
}

/// Length of `text` up to its last character of code.
fn code_len(text: &str) -> usize {
    if !text.ends_with(|c: char| c.is_whitespace() || c == '\u{FEFF}') {
        return text.len();
    }
    let mut end = 0;
    let mut closing: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match closing {
            Some(close) => {
                if c == '\\' && close == '"' {
                    chars.next();
                } else if c == close {
                    closing = None;
                }
                end = i + c.len_utf8();
            }
            None => match c {
                '#' => while chars.next_if(|&(_, c)| c != '\n').is_some() {},
                '"' => {
                    closing = Some('"');
                    end = i + 1;
                }
                '“' => {
                    closing = Some('”');
                    end = i + c.len_utf8();
                }
                c if c.is_whitespace() || c == '\u{FEFF}' => {}
                c => end = i + c.len_utf8(),
            },
        }
    }
    end
}

impl Lower<'_> {
    fn report(&self, diagnostic: Diagnostic) {
        self.diags.borrow_mut().push(diagnostic);
    }

    /// Reports a broken piece, unless it lies inside a region already reported.
    fn bad(&self, pair: &Pair<'_, Rule>, strict: Rule, prev: Option<Span>) {
        let start = pair.as_span().start();
        if start < self.reported_until.get() {
            return;
        }
        let text = &self.file.text;
        let continues = prev.filter(|p| p.end <= start && !text.get(p.end..start).unwrap_or("\n").contains('\n')).map(|p| p.start);
        let diagnostic = strict_error(self.file, strict, start, pair.as_span().end(), continues);
        let until = diagnostic.primary_span().map_or(pair.as_span().end(), |s| s.end.max(pair.as_span().end()));
        self.reported_until.set(until);
        self.report(diagnostic);
    }

    fn item(&self, pair: Pair<'_, Rule>, prev: Option<Span>) -> Option<Item> {
        Some(match pair.as_rule() {
            Rule::scheme_header => Item::Header(self.header(pair)),
            Rule::extends_decl => Item::Extends(self.string(pair.into_inner().find(|p| p.as_rule() == Rule::string)?)),
            Rule::units_decl => Item::Units(self.units(pair)),
            Rule::table_decl => Item::Table(self.table(pair)),
            Rule::param_decl => Item::Param(self.param(pair)),
            Rule::indicator_decl => Item::Indicator(self.indicator(pair)),
            Rule::deduction_decl => Item::Deduction(self.deduction(pair)),
            Rule::bonus_decl => Item::Bonus(self.bonus(pair)),
            Rule::veto_decl => Item::Veto(self.veto(pair)),
            Rule::grades_decl => Item::Grades(self.grades(pair)),
            Rule::ranking_decl => Item::Ranking(self.ranking(pair)),
            Rule::test_decl => Item::Test(self.test(pair)),
            Rule::override_decl => Item::Override(self.override_decl(pair)?),
            Rule::remove_decl => Item::Remove(self.remove(pair)),
            Rule::bad_item => {
                self.bad(&pair, Rule::item_only, prev);
                return None;
            }
            _ => return None,
        })
    }

    // ---- Tokens ----

    fn name(&self, pair: Pair<'_, Rule>) -> Name {
        Spanned::new(pair.as_str().to_string(), span(&pair))
    }

    fn path(&self, pair: Pair<'_, Rule>) -> Vec<Name> {
        if pair.as_rule() == Rule::ident {
            return vec![self.name(pair)];
        }
        pair.into_inner().map(|p| self.name(p)).collect()
    }

    fn names(&self, pair: Pair<'_, Rule>) -> Vec<Name> {
        pair.into_inner().map(|p| self.name(p)).collect()
    }

    fn string(&self, pair: Pair<'_, Rule>) -> Spanned<String> {
        let at = span(&pair);
        let raw = pair.into_inner().next().map_or("", |p| p.as_str());
        let mut out = String::with_capacity(raw.len());
        let mut chars = raw.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        }
        Spanned::new(out, at)
    }

    fn decimal(&self, text: &str, at: Span) -> Decimal {
        Decimal::from_str_exact(text).unwrap_or_else(|_| {
            self.report(
                Diagnostic::error(
                    &codes::SYNTAX_NUMBER,
                    self.file,
                    text!("`{text}` has too many digits to be exact", "`{text}` 位数过多,无法精确表示"),
                )
                .with_label(at, text!("this number", "此数字"))
                .with_help(text!("kaohe keeps 28 significant digits; shorten the number", "kaohe 最多保留 28 位有效数字;请缩短此数字")),
            );
            Decimal::ZERO
        })
    }

    fn number(&self, pair: Pair<'_, Rule>) -> Spanned<Decimal> {
        let at = span(&pair);
        Spanned::new(self.decimal(pair.as_str().trim(), at), at)
    }

    /// `30%` → 0.30, exactly.
    fn percent(&self, pair: Pair<'_, Rule>) -> Spanned<Decimal> {
        let at = span(&pair);
        let body = pair.into_inner().next().map_or("0", |p| p.as_str());
        let value = self.decimal(body, at);
        let fraction = value.checked_div(Decimal::ONE_HUNDRED).unwrap_or(Decimal::ZERO);
        Spanned::new(fraction, at)
    }

    fn integer(&self, pair: Pair<'_, Rule>) -> Spanned<u32> {
        let at = span(&pair);
        let text = pair.as_str();
        let value = u32::from_str(text).unwrap_or_else(|_| {
            self.report(
                Diagnostic::error(&codes::SYNTAX_NUMBER, self.file, text!("`{text}` is too large", "`{text}` 过大"))
                    .with_label(at, text!("this number", "此数字"))
                    .with_help(text!("use a whole number below 4294967296", "请使用小于 4294967296 的整数")),
            );
            0
        });
        Spanned::new(value, at)
    }

    fn date(&self, pair: Pair<'_, Rule>) -> Spanned<Date> {
        let at = span(&pair);
        let text = pair.as_str();
        let date = Date::parse(text).unwrap_or_else(|| {
            self.report(
                Diagnostic::error(&codes::SYNTAX_DATE, self.file, text!("`{text}` is not a date", "`{text}` 不是有效日期"))
                    .with_label(at, text!("no such day", "没有这一天"))
                    .with_help(text!("check the month and the day of month", "检查月份和日期")),
            );
            Date { year: 1970, month: 1, day: 1 }
        });
        Spanned::new(date, at)
    }

    fn literal(&self, pair: Pair<'_, Rule>) -> Spanned<Literal> {
        let at = span(&pair);
        let value = match pair.as_rule() {
            Rule::literal => return pair.into_inner().next().map_or(Spanned::new(Literal::Null, at), |p| self.literal(p)),
            Rule::neg_number => {
                let inner = pair.into_inner().next();
                match inner.map(|p| self.literal(p).node) {
                    Some(Literal::Number(n)) => Literal::Number(-n),
                    Some(Literal::Percent(n)) => Literal::Percent(-n),
                    _ => Literal::Null,
                }
            }
            Rule::number => Literal::Number(self.number(pair).node),
            Rule::percent => Literal::Percent(self.percent(pair).node),
            Rule::string => Literal::Text(self.string(pair).node),
            Rule::date => Literal::Date(self.date(pair).node),
            Rule::duration => {
                let days = pair.into_inner().find(|p| p.as_rule() == Rule::number).map_or(Decimal::ZERO, |p| self.number(p).node);
                Literal::Duration(days)
            }
            Rule::kw_true => Literal::Bool(true),
            Rule::kw_false => Literal::Bool(false),
            _ => Literal::Null,
        };
        Spanned::new(value, at)
    }

    fn source_ref(&self, pair: Pair<'_, Rule>) -> SourceRef {
        let mut document = Spanned::new(String::new(), span(&pair));
        let mut article = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::string => document = self.string(p),
                Rule::article => article = Some(Spanned::new(p.as_str().to_string(), span(&p))),
                _ => {}
            }
        }
        SourceRef { document, article }
    }

    fn note(&self, pair: Pair<'_, Rule>) -> Spanned<String> {
        let at = span(&pair);
        pair.into_inner().find(|p| p.as_rule() == Rule::string).map_or(Spanned::new(String::new(), at), |p| self.string(p))
    }

    fn first_number(&self, pair: Pair<'_, Rule>) -> Spanned<Decimal> {
        let at = span(&pair);
        pair.into_inner().find(|p| p.as_rule() == Rule::number).map_or(Spanned::new(Decimal::ZERO, at), |p| self.number(p))
    }

    fn first_expr(&self, pair: Pair<'_, Rule>) -> Expr {
        let at = span(&pair);
        pair.into_inner().find(|p| p.as_rule() == Rule::expr).map_or(Expr { kind: ExprKind::Error, span: at }, |p| self.expr(p))
    }

    fn rounding_mode(rule: Rule) -> RoundingMode {
        match rule {
            Rule::kw_half_even => RoundingMode::HalfEven,
            Rule::kw_round_down => RoundingMode::Down,
            Rule::kw_round_up => RoundingMode::Up,
            _ => RoundingMode::HalfUp,
        }
    }

    // ---- Declarations ----

    fn header(&self, pair: Pair<'_, Rule>) -> Header {
        let at = span(&pair);
        let mut title = Spanned::new(String::new(), at);
        let mut clauses = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::string => title = self.string(p),
                Rule::header_block => {
                    let mut prev: Option<Span> = None;
                    for c in p.into_inner() {
                        let this = span(&c);
                        if c.as_rule() == Rule::bad_clause {
                            self.bad(&c, Rule::header_clause_only, prev);
                        } else if let Some(clause) = self.header_clause(c) {
                            clauses.push(clause);
                        }
                        prev = Some(this);
                    }
                }
                _ => {}
            }
        }
        Header { title, clauses, span: at }
    }

    fn header_clause(&self, pair: Pair<'_, Rule>) -> Option<Spanned<HeaderClause>> {
        let at = span(&pair);
        let clause = match pair.as_rule() {
            Rule::source_clause => HeaderClause::Source(self.source_ref(pair)),
            Rule::year_clause => HeaderClause::Year(self.integer(pair.into_inner().find(|p| p.as_rule() == Rule::integer)?)),
            Rule::full_marks_clause => HeaderClause::FullMarks(self.first_number(pair)),
            Rule::rounding_clause => {
                let mut rounding = Rounding { places: 2, mode: RoundingMode::HalfUp, each_indicator: false };
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::integer => rounding.places = self.integer(p).node,
                        Rule::rounding_mode => {
                            rounding.mode = p.into_inner().next().map_or(RoundingMode::HalfUp, |m| Self::rounding_mode(m.as_rule()));
                        }
                        Rule::rounding_scope => rounding.each_indicator = true,
                        _ => {}
                    }
                }
                HeaderClause::Rounding(rounding)
            }
            Rule::total_cap_clause => {
                HeaderClause::TotalCap(pair.into_inner().find(|p| p.as_rule() == Rule::number).map(|p| self.number(p)))
            }
            Rule::bonus_cap_clause => HeaderClause::BonusCap(self.first_number(pair)),
            Rule::deduction_cap_clause => HeaderClause::DeductionCap(self.first_number(pair)),
            Rule::note_clause => HeaderClause::Note(self.note(pair)),
            _ => return None,
        };
        Some(Spanned::new(clause, at))
    }

    fn units(&self, pair: Pair<'_, Rule>) -> UnitsDecl {
        let at = span(&pair);
        let mut units = UnitsDecl {
            table: Spanned::new(String::new(), at),
            key: None,
            groups: Vec::new(),
            label: None,
            repeated: Vec::new(),
            span: at,
        };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::ident => units.table = self.name(p),
                Rule::units_block => {
                    let mut prev: Option<Span> = None;
                    for c in p.into_inner() {
                        let this = span(&c);
                        let clause_span = span(&c);
                        match c.as_rule() {
                            Rule::key_clause => {
                                if units.key.is_some() {
                                    units.repeated.push(clause_span);
                                }
                                units.key = c.into_inner().find(|p| p.as_rule() == Rule::ident).map(|p| self.name(p));
                            }
                            Rule::group_clause => {
                                if !units.groups.is_empty() {
                                    units.repeated.push(clause_span);
                                }
                                units.groups =
                                    c.into_inner().find(|p| p.as_rule() == Rule::ident_list).map(|p| self.names(p)).unwrap_or_default();
                            }
                            Rule::label_clause => {
                                if units.label.is_some() {
                                    units.repeated.push(clause_span);
                                }
                                units.label = c.into_inner().find(|p| p.as_rule() == Rule::ident).map(|p| self.name(p));
                            }
                            Rule::bad_clause => self.bad(&c, Rule::units_clause_only, prev),
                            _ => {}
                        }
                        prev = Some(this);
                    }
                }
                _ => {}
            }
        }
        units
    }

    fn table(&self, pair: Pair<'_, Rule>) -> TableDecl {
        let at = span(&pair);
        let mut table =
            TableDecl { name: Spanned::new(String::new(), at), key: Vec::new(), unit_column: None, columns: Vec::new(), span: at };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::ident => table.name = self.name(p),
                Rule::table_key => {
                    table.key = p.into_inner().find(|p| p.as_rule() == Rule::ident_list).map(|p| self.names(p)).unwrap_or_default()
                }
                Rule::table_link => table.unit_column = p.into_inner().find(|p| p.as_rule() == Rule::ident).map(|p| self.name(p)),
                Rule::table_block => {
                    let mut prev: Option<Span> = None;
                    for c in p.into_inner() {
                        let this = span(&c);
                        match c.as_rule() {
                            Rule::column_decl => table.columns.push(self.column(c)),
                            Rule::bad_clause => self.bad(&c, Rule::column_decl_only, prev),
                            _ => {}
                        }
                        prev = Some(this);
                    }
                }
                _ => {}
            }
        }
        table
    }

    fn column(&self, pair: Pair<'_, Rule>) -> ColumnDecl {
        let at = span(&pair);
        let mut column =
            ColumnDecl { name: Spanned::new(String::new(), at), ty: Spanned::new(ColumnType::Text, at), optional: false, default: None };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::ident => column.name = self.name(p),
                Rule::column_type => column.ty = self.column_type(p),
                Rule::optional_mod => column.optional = true,
                Rule::default_mod => column.default = p.into_inner().find(|p| p.as_rule() == Rule::literal).map(|p| self.literal(p)),
                _ => {}
            }
        }
        column
    }

    fn column_type(&self, pair: Pair<'_, Rule>) -> Spanned<ColumnType> {
        let at = span(&pair);
        let ty = match pair.into_inner().next() {
            Some(p) => match p.as_rule() {
                Rule::enum_type => {
                    ColumnType::Enum(p.into_inner().filter(|p| p.as_rule() == Rule::string).map(|p| self.string(p)).collect())
                }
                Rule::kw_type_number => ColumnType::Number,
                Rule::kw_type_integer => ColumnType::Integer,
                Rule::kw_type_percent => ColumnType::Percent,
                Rule::kw_type_date => ColumnType::Date,
                Rule::kw_type_quarter => ColumnType::Period(PeriodKind::Quarter),
                Rule::kw_type_month => ColumnType::Period(PeriodKind::Month),
                Rule::kw_type_half => ColumnType::Period(PeriodKind::HalfYear),
                Rule::kw_type_year => ColumnType::Period(PeriodKind::Year),
                Rule::kw_type_bool => ColumnType::Bool,
                _ => ColumnType::Text,
            },
            None => ColumnType::Text,
        };
        Spanned::new(ty, at)
    }

    fn param(&self, pair: Pair<'_, Rule>) -> ParamDecl {
        let at = span(&pair);
        let mut name = Spanned::new(String::new(), at);
        let mut value = Expr { kind: ExprKind::Error, span: at };
        let mut from = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::ident => name = self.name(p),
                Rule::expr => value = self.expr(p),
                Rule::date => from = Some(self.date(p)),
                _ => {}
            }
        }
        ParamDecl { name, value, from, span: at }
    }

    fn weight(&self, pair: Pair<'_, Rule>) -> Spanned<Weight> {
        let at = span(&pair);
        let weight = match pair.into_inner().next() {
            Some(p) => match p.as_rule() {
                Rule::percent => Weight::Percent(self.percent(p).node),
                Rule::points => Weight::Points(self.first_number(p).node),
                Rule::ratio => Weight::Ratio(self.first_number(p).node),
                _ => Weight::Percent(Decimal::ZERO),
            },
            None => Weight::Percent(Decimal::ZERO),
        };
        Spanned::new(weight, at)
    }

    fn indicator(&self, pair: Pair<'_, Rule>) -> IndicatorDecl {
        let at = span(&pair);
        let mut decl = IndicatorDecl {
            name: Spanned::new(String::new(), at),
            title: None,
            weight: Spanned::new(Weight::Percent(Decimal::ZERO), at),
            clauses: Vec::new(),
            span: at,
        };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::ident => decl.name = self.name(p),
                Rule::string => decl.title = Some(self.string(p)),
                Rule::weight => decl.weight = self.weight(p),
                Rule::indicator_block => decl.clauses = self.indicator_block(p),
                _ => {}
            }
        }
        decl
    }

    fn indicator_block(&self, pair: Pair<'_, Rule>) -> Vec<Spanned<IndicatorClause>> {
        let mut clauses = Vec::new();
        let mut prev: Option<Span> = None;
        for c in pair.into_inner() {
            let this = span(&c);
            let at = span(&c);
            let clause = match c.as_rule() {
                Rule::indicator_decl => Some(IndicatorClause::Indicator(self.indicator(c))),
                Rule::score_clause => Some(IndicatorClause::Score(self.first_expr(c))),
                Rule::period_clause => Some(IndicatorClause::Periods(self.period_clause(c))),
                Rule::applies_clause => Some(IndicatorClause::Applies(self.first_expr(c))),
                Rule::full_marks_clause => Some(IndicatorClause::FullMarks(self.first_number(c))),
                Rule::floor_clause => Some(IndicatorClause::Floor(self.first_number(c))),
                Rule::deduction_cap_clause => Some(IndicatorClause::DeductionCap(self.first_number(c))),
                Rule::source_clause => Some(IndicatorClause::Source(self.source_ref(c))),
                Rule::note_clause => Some(IndicatorClause::Note(self.note(c))),
                Rule::bad_clause => {
                    self.bad(&c, Rule::indicator_clause_only, prev);
                    None
                }
                _ => None,
            };
            if let Some(clause) = clause {
                clauses.push(Spanned::new(clause, at));
            }
            prev = Some(this);
        }
        clauses
    }

    fn period_clause(&self, pair: Pair<'_, Rule>) -> PeriodClause {
        let at = span(&pair);
        let mut kind = Spanned::new(PeriodKind::Quarter, at);
        let mut weights = Spanned::new(PeriodWeights::Average, at);
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::period_kind => {
                    let k = match p.clone().into_inner().next().map(|k| k.as_rule()) {
                        Some(Rule::kw_monthly) => PeriodKind::Month,
                        Some(Rule::kw_half_yearly) => PeriodKind::HalfYear,
                        _ => PeriodKind::Quarter,
                    };
                    kind = Spanned::new(k, span(&p));
                }
                Rule::period_weights => {
                    let wat = span(&p);
                    let children: Vec<Pair<'_, Rule>> = p.into_inner().collect();
                    let every = children.iter().any(|c| c.as_rule() == Rule::kw_every);
                    let average = children.iter().any(|c| c.as_rule() == Rule::kw_average);
                    let percents: Vec<Spanned<Decimal>> =
                        children.into_iter().filter(|c| c.as_rule() == Rule::percent).map(|c| self.percent(c)).collect();
                    let w = if average {
                        PeriodWeights::Average
                    } else if every || percents.len() == 1 {
                        PeriodWeights::Every(percents.first().map_or(Decimal::ZERO, |p| p.node))
                    } else {
                        PeriodWeights::List(percents)
                    };
                    weights = Spanned::new(w, wat);
                }
                _ => {}
            }
        }
        PeriodClause { kind, weights }
    }

    fn target(&self, pair: Pair<'_, Rule>) -> Spanned<Target> {
        let at = span(&pair);
        let target = match pair.into_inner().find(|p| matches!(p.as_rule(), Rule::kw_total | Rule::path)) {
            Some(p) if p.as_rule() == Rule::path => Target::Indicator(self.path(p)),
            _ => Target::Total,
        };
        Spanned::new(target, at)
    }

    fn amount_block(&self, pair: Pair<'_, Rule>, strict: Rule) -> Vec<Spanned<AmountClause>> {
        let mut clauses = Vec::new();
        let mut prev: Option<Span> = None;
        for c in pair.into_inner() {
            let this = span(&c);
            if c.as_rule() == Rule::bad_clause {
                self.bad(&c, strict, prev);
            } else if let Some(clause) = self.amount_clause(c) {
                clauses.push(clause);
            }
            prev = Some(this);
        }
        clauses
    }

    fn amount_clause(&self, pair: Pair<'_, Rule>) -> Option<Spanned<AmountClause>> {
        let at = span(&pair);
        let clause = match pair.as_rule() {
            Rule::per_row_deduction | Rule::per_row_bonus => {
                let mut table = Spanned::new(String::new(), at);
                let mut exprs = Vec::new();
                let mut has_filter = false;
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::ident => table = self.name(p),
                        Rule::kw_where => has_filter = true,
                        Rule::expr => exprs.push(self.expr(p)),
                        _ => {}
                    }
                }
                let amount = exprs.pop().unwrap_or(Expr { kind: ExprKind::Error, span: at });
                let filter = if has_filter { exprs.pop() } else { None };
                AmountClause::PerRow { table, filter, amount }
            }
            Rule::flat_deduction | Rule::flat_bonus => {
                let mut exprs: Vec<Expr> = pair.into_inner().filter(|p| p.as_rule() == Rule::expr).map(|p| self.expr(p)).collect();
                let when = exprs.pop().unwrap_or(Expr { kind: ExprKind::Error, span: at });
                let amount = exprs.pop().unwrap_or(Expr { kind: ExprKind::Error, span: at });
                AmountClause::Flat { amount, when }
            }
            Rule::cap_clause => AmountClause::Cap(self.first_expr(pair)),
            Rule::until_zero_clause => AmountClause::UntilZero,
            Rule::expunge_clause => {
                let mut share = Spanned::new(Decimal::ONE, at);
                let mut when = Expr { kind: ExprKind::Error, span: at };
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::percent => share = self.percent(p),
                        Rule::kw_all => share = Spanned::new(Decimal::ONE, span(&p)),
                        Rule::expr => when = self.expr(p),
                        _ => {}
                    }
                }
                AmountClause::Expunge { share, when }
            }
            Rule::zero_clause => AmountClause::Zero(self.first_expr(pair)),
            Rule::highest_only_clause => AmountClause::HighestOnly,
            Rule::source_clause => AmountClause::Source(self.source_ref(pair)),
            Rule::note_clause => AmountClause::Note(self.note(pair)),
            _ => return None,
        };
        Some(Spanned::new(clause, at))
    }

    fn deduction(&self, pair: Pair<'_, Rule>) -> DeductionDecl {
        let at = span(&pair);
        let mut decl = DeductionDecl { name: Spanned::new(String::new(), at), target: None, clauses: Vec::new(), span: at };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::ident => decl.name = self.name(p),
                Rule::target => decl.target = Some(self.target(p)),
                Rule::deduction_block => decl.clauses = self.amount_block(p, Rule::deduction_clause_only),
                _ => {}
            }
        }
        decl
    }

    fn bonus(&self, pair: Pair<'_, Rule>) -> BonusDecl {
        let at = span(&pair);
        let mut decl = BonusDecl { name: Spanned::new(String::new(), at), target: None, cap: None, clauses: Vec::new(), span: at };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::ident => decl.name = self.name(p),
                Rule::bonus_target => decl.target = Some(self.target(p)),
                Rule::cap_clause => decl.cap = Some(self.first_expr(p)),
                Rule::bonus_block => decl.clauses = self.amount_block(p, Rule::bonus_clause_only),
                _ => {}
            }
        }
        decl
    }

    fn veto(&self, pair: Pair<'_, Rule>) -> VetoDecl {
        let at = span(&pair);
        let mut decl = VetoDecl {
            name: Spanned::new(String::new(), at),
            when: Expr { kind: ExprKind::Error, span: at },
            effects: Vec::new(),
            span: at,
        };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::ident => decl.name = self.name(p),
                Rule::expr => decl.when = self.expr(p),
                Rule::veto_block => {
                    let mut prev: Option<Span> = None;
                    for c in p.into_inner() {
                        let this = span(&c);
                        let cat = span(&c);
                        let grade = |c: Pair<'_, Rule>| c.into_inner().find(|p| p.as_rule() == Rule::ident).map(|p| self.name(p));
                        let effect = match c.as_rule() {
                            Rule::grade_at_most => grade(c).map(VetoEffect::GradeAtMost),
                            Rule::grade_fixed => grade(c).map(VetoEffect::GradeIs),
                            Rule::score_zero => Some(VetoEffect::ScoreZero),
                            Rule::no_award => Some(VetoEffect::NoAward),
                            Rule::source_clause => Some(VetoEffect::Source(self.source_ref(c))),
                            Rule::note_clause => Some(VetoEffect::Note(self.note(c))),
                            Rule::bad_clause => {
                                self.bad(&c, Rule::veto_effect_only, prev);
                                None
                            }
                            _ => None,
                        };
                        if let Some(effect) = effect {
                            decl.effects.push(Spanned::new(effect, cat));
                        }
                        prev = Some(this);
                    }
                }
                _ => {}
            }
        }
        decl
    }

    fn grades(&self, pair: Pair<'_, Rule>) -> GradesDecl {
        let at = span(&pair);
        let mut decl = GradesDecl { bands: Vec::new(), quota_rounding: None, ties: None, source: None, span: at };
        let Some(block) = pair.into_inner().find(|p| p.as_rule() == Rule::grades_block) else { return decl };
        let mut prev: Option<Span> = None;
        for c in block.into_inner() {
            let this = span(&c);
            let cat = span(&c);
            match c.as_rule() {
                Rule::grade_band => decl.bands.push(self.band(c)),
                Rule::quota_rounding_clause => {
                    let mode = c.into_inner().last().map_or(RoundingMode::Down, |m| Self::rounding_mode(m.as_rule()));
                    decl.quota_rounding = Some(Spanned::new(mode, cat));
                }
                Rule::ties_clause => {
                    let policy = match c.into_inner().last().map(|p| p.as_rule()) {
                        Some(Rule::kw_ties_out) => TiePolicy::AllOut,
                        Some(Rule::kw_ties_break) => TiePolicy::Break,
                        _ => TiePolicy::AllIn,
                    };
                    decl.ties = Some(Spanned::new(policy, cat));
                }
                Rule::source_clause => decl.source = Some(self.source_ref(c)),
                Rule::bad_clause => self.bad(&c, Rule::grades_clause_only, prev),
                _ => {}
            }
            prev = Some(this);
        }
        decl
    }

    fn band(&self, pair: Pair<'_, Rule>) -> GradeBand {
        let at = span(&pair);
        let mut band = GradeBand { name: Spanned::new(String::new(), at), condition: None, quota: None, span: at };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::ident => band.name = self.name(p),
                Rule::band_condition => {
                    let mut inclusive = true;
                    let mut when = false;
                    let mut value = Expr { kind: ExprKind::Error, span: span(&p) };
                    for q in p.into_inner() {
                        match q.as_rule() {
                            Rule::op_gt => inclusive = false,
                            Rule::kw_when => when = true,
                            Rule::expr => value = self.expr(q),
                            _ => {}
                        }
                    }
                    band.condition = Some(if when { BandCondition::When(value) } else { BandCondition::Threshold { value, inclusive } });
                }
                Rule::quota => band.quota = Some(self.quota(p)),
                _ => {}
            }
        }
        band
    }

    fn quota(&self, pair: Pair<'_, Rule>) -> Quota {
        let at = span(&pair);
        let mut quota = Quota { amount: Spanned::new(QuotaAmount::Count(0), at), per_group: None, scope_span: None };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::quota_amount => {
                    let qat = span(&p);
                    let amount = match p.into_inner().next() {
                        Some(q) if q.as_rule() == Rule::percent => QuotaAmount::Share(self.percent(q).node),
                        Some(q) => QuotaAmount::Count(self.integer(q).node),
                        None => QuotaAmount::Count(0),
                    };
                    quota.amount = Spanned::new(amount, qat);
                }
                Rule::quota_scope => {
                    quota.scope_span = Some(span(&p));
                    quota.per_group = Some(p.into_inner().find(|p| p.as_rule() == Rule::ident).map(|p| self.name(p)));
                }
                _ => {}
            }
        }
        quota
    }

    fn ranking(&self, pair: Pair<'_, Rule>) -> RankingDecl {
        let at = span(&pair);
        let mut decl = RankingDecl { keys: Vec::new(), per_group: None, scope_span: None, dense: false, span: at };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::rank_key | Rule::tie_breaker => {
                    let mut key = RankKey { expr: Expr { kind: ExprKind::Error, span: span(&p) }, ascending: false };
                    for q in p.into_inner() {
                        match q.as_rule() {
                            Rule::expr => key.expr = self.expr(q),
                            Rule::direction => key.ascending = q.into_inner().next().is_some_and(|d| d.as_rule() == Rule::kw_asc),
                            _ => {}
                        }
                    }
                    decl.keys.push(key);
                }
                Rule::rank_scope => {
                    decl.scope_span = Some(span(&p));
                    decl.per_group = Some(p.into_inner().find(|p| p.as_rule() == Rule::ident).map(|p| self.name(p)));
                }
                Rule::dense_option => decl.dense = true,
                _ => {}
            }
        }
        decl
    }

    fn test(&self, pair: Pair<'_, Rule>) -> TestDecl {
        let at = span(&pair);
        let mut decl = TestDecl { name: Spanned::new(String::new(), at), data: Vec::new(), expectations: Vec::new(), span: at };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::string => decl.name = self.string(p),
                Rule::test_block => {
                    let mut prev: Option<Span> = None;
                    for c in p.into_inner() {
                        let this = span(&c);
                        match c.as_rule() {
                            Rule::test_data => decl.data.push(self.test_data(c)),
                            Rule::expectation => decl.expectations.push(self.expectation(c)),
                            Rule::bad_clause => self.bad(&c, Rule::test_clause_only, prev),
                            _ => {}
                        }
                        prev = Some(this);
                    }
                }
                _ => {}
            }
        }
        decl
    }

    fn test_data(&self, pair: Pair<'_, Rule>) -> TestData {
        let at = span(&pair);
        let mut data = TestData { table: Spanned::new(String::new(), at), columns: Vec::new(), rows: Vec::new(), span: at };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::ident => data.table = self.name(p),
                Rule::ident_list => data.columns = self.names(p),
                Rule::test_row => {
                    let rat = span(&p);
                    let values = p.into_inner().filter(|v| v.as_rule() == Rule::literal).map(|v| self.literal(v)).collect();
                    data.rows.push(Spanned::new(values, rat));
                }
                _ => {}
            }
        }
        data
    }

    fn expectation(&self, pair: Pair<'_, Rule>) -> Expectation {
        let at = span(&pair);
        let mut unit = Spanned::new(String::new(), at);
        let mut subject = Spanned::new(ExpectSubject::Total, at);
        let mut value = Spanned::new(ExpectValue::Literal(Literal::Null), at);
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::string => unit = self.string(p),
                Rule::expect_subject => subject = self.expect_subject(p),
                Rule::expect_value => {
                    let vat = span(&p);
                    let v = match p.into_inner().next() {
                        Some(q) if q.as_rule() == Rule::ident => ExpectValue::Name(q.as_str().to_string()),
                        Some(q) => ExpectValue::Literal(self.literal(q).node),
                        None => ExpectValue::Literal(Literal::Null),
                    };
                    value = Spanned::new(v, vat);
                }
                _ => {}
            }
        }
        Expectation { unit, subject, value, span: at }
    }

    fn expect_subject(&self, pair: Pair<'_, Rule>) -> Spanned<ExpectSubject> {
        let at = span(&pair);
        let children: Vec<Pair<'_, Rule>> = pair.into_inner().collect();
        let named = |children: &[Pair<'_, Rule>]| {
            children.iter().find(|p| p.as_rule() == Rule::ident).map_or(Spanned::new(String::new(), at), |p| self.name(p.clone()))
        };
        let subject = match children.first().map(|p| p.as_rule()) {
            Some(Rule::kw_total) => ExpectSubject::Total,
            Some(Rule::kw_grade) => ExpectSubject::Grade,
            Some(Rule::kw_rank) => ExpectSubject::Rank,
            Some(Rule::kw_group_rank) => ExpectSubject::GroupRank,
            Some(Rule::kw_deduct) => ExpectSubject::Deduction(named(&children)),
            Some(Rule::kw_bonus) => ExpectSubject::Bonus(named(&children)),
            Some(Rule::kw_veto) => ExpectSubject::Veto(named(&children)),
            _ => {
                let mut path = Vec::new();
                let mut period = None;
                for p in children {
                    match p.as_rule() {
                        Rule::path => path = self.path(p),
                        Rule::period_name => period = Some(Spanned::new(p.as_str().to_string(), span(&p))),
                        _ => {}
                    }
                }
                ExpectSubject::Indicator { path, period }
            }
        };
        Spanned::new(subject, at)
    }

    fn override_decl(&self, pair: Pair<'_, Rule>) -> Option<Override> {
        let inner = pair.into_inner().find(|p| p.as_rule() != Rule::kw_override)?;
        Some(match inner.as_rule() {
            Rule::indicator_override => {
                let at = span(&inner);
                let mut o = IndicatorOverride { path: Vec::new(), title: None, weight: None, clauses: None, span: at };
                for p in inner.into_inner() {
                    match p.as_rule() {
                        Rule::path => o.path = self.path(p),
                        Rule::string => o.title = Some(self.string(p)),
                        Rule::weight => o.weight = Some(self.weight(p)),
                        Rule::indicator_block => o.clauses = Some(self.indicator_block(p)),
                        _ => {}
                    }
                }
                Override::Indicator(o)
            }
            Rule::param_decl => Override::Param(self.param(inner)),
            Rule::deduction_decl => Override::Deduction(self.deduction(inner)),
            Rule::bonus_decl => Override::Bonus(self.bonus(inner)),
            Rule::veto_decl => Override::Veto(self.veto(inner)),
            Rule::grades_decl => Override::Grades(self.grades(inner)),
            Rule::ranking_decl => Override::Ranking(self.ranking(inner)),
            _ => return None,
        })
    }

    fn remove(&self, pair: Pair<'_, Rule>) -> RemoveDecl {
        let at = span(&pair);
        let mut decl = RemoveDecl { kind: RemoveKind::Indicator, path: Vec::new(), span: at };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::removable => {
                    decl.kind = match p.into_inner().next().map(|k| k.as_rule()) {
                        Some(Rule::kw_deduct) => RemoveKind::Deduction,
                        Some(Rule::kw_bonus) => RemoveKind::Bonus,
                        Some(Rule::kw_veto) => RemoveKind::Veto,
                        Some(Rule::kw_param) => RemoveKind::Param,
                        Some(Rule::kw_test) => RemoveKind::Test,
                        _ => RemoveKind::Indicator,
                    }
                }
                Rule::path => decl.path = self.path(p),
                Rule::string => decl.path = vec![self.string(p)],
                _ => {}
            }
        }
        decl
    }

    // ---- Expressions ----

    fn expr(&self, pair: Pair<'_, Rule>) -> Expr {
        self.expr_depth(pair).0
    }

    /// An expression and the depth of its tree (`usize::MAX` once too deep).
    fn expr_depth(&self, pair: Pair<'_, Rule>) -> (Expr, usize) {
        let at = span(&pair);
        let mut run = 0;
        for p in pair.clone().into_inner() {
            run = if matches!(p.as_rule(), Rule::op_neg | Rule::kw_not) { run + 1 } else { 0 };
            if run > MAX_PREFIX_RUN {
                self.too_deep(span(&p));
                return (Expr { kind: ExprKind::Error, span: at }, usize::MAX);
            }
        }
        PRATT
            .map_primary(|p| self.primary(p))
            .map_prefix(|op, (operand, depth)| {
                let op_span = span(&op);
                let kind = if op.as_rule() == Rule::kw_not { UnaryOp::Not } else { UnaryOp::Neg };
                let whole = op_span.to(operand.span);
                self.deepen(ExprKind::Unary { op: Spanned::new(kind, op_span), operand: Box::new(operand) }, whole, op_span, depth)
            })
            .map_infix(|(lhs, ld), op, (rhs, rd)| {
                let op_span = span(&op);
                let bin = match op.as_rule() {
                    Rule::op_add => BinOp::Add,
                    Rule::op_sub => BinOp::Sub,
                    Rule::op_mul => BinOp::Mul,
                    Rule::op_div => BinOp::Div,
                    Rule::op_eq => BinOp::Eq,
                    Rule::op_ne => BinOp::Ne,
                    Rule::op_lt => BinOp::Lt,
                    Rule::op_le => BinOp::Le,
                    Rule::op_gt => BinOp::Gt,
                    Rule::op_ge => BinOp::Ge,
                    Rule::kw_and => BinOp::And,
                    Rule::kw_or => BinOp::Or,
                    _ => BinOp::In,
                };
                let whole = lhs.span.to(rhs.span);
                self.deepen(
                    ExprKind::Binary { op: Spanned::new(bin, op_span), lhs: Box::new(lhs), rhs: Box::new(rhs) },
                    whole,
                    op_span,
                    ld.max(rd),
                )
            })
            .parse(pair.into_inner())
    }

    /// Wraps a node one level above its deepest child, or poisons it when too deep.
    fn deepen(&self, kind: ExprKind, span: Span, op: Span, child_depth: usize) -> (Expr, usize) {
        if child_depth == usize::MAX {
            return (Expr { kind: ExprKind::Error, span }, usize::MAX);
        }
        if child_depth + 1 > MAX_EXPR_DEPTH {
            self.too_deep(op);
            return (Expr { kind: ExprKind::Error, span }, usize::MAX);
        }
        (Expr { kind, span }, child_depth + 1)
    }

    fn too_deep(&self, at: Span) {
        self.report(
            Diagnostic::error(
                &codes::SYNTAX_TOO_DEEP,
                self.file,
                text!("this formula is too long or nested too deeply", "此公式过长或嵌套过深"),
            )
            .with_label(at, text!("the limit is passed here", "在此超出上限"))
            .with_help(text!(
                "split it into parameters or sub-indicators (at most {MAX_OPERATORS} operators chained or nested)",
                "把它拆成参数或下级指标(最多 {MAX_OPERATORS} 个运算符相连或嵌套)"
            )),
        );
    }

    fn primary(&self, pair: Pair<'_, Rule>) -> (Expr, usize) {
        let at = span(&pair);
        // Nesting through parentheses, `如果`, `分段` and calls counts toward the
        // depth limit like operators do, so no input can recurse without bound.
        let depth = pair
            .clone()
            .into_inner()
            .flat_map(|p| if p.as_rule() == Rule::expr { vec![p] } else { p.into_inner().filter(|q| q.as_rule() == Rule::expr).collect() })
            .map(|p| nesting(&p))
            .max()
            .unwrap_or(0);
        if depth >= MAX_EXPR_DEPTH {
            self.too_deep(at);
            return (Expr { kind: ExprKind::Error, span: at }, usize::MAX);
        }
        let leaf = |kind| (Expr { kind, span: at }, depth + 1);
        match pair.as_rule() {
            Rule::paren_expr => {
                let inner = self.first_expr(pair);
                (inner, depth + 1)
            }
            Rule::if_expr => {
                let mut exprs = pair.into_inner().filter(|p| p.as_rule() == Rule::expr).map(|p| self.expr(p));
                let err = || Expr { kind: ExprKind::Error, span: at };
                let cond = exprs.next().unwrap_or_else(err);
                let then = exprs.next().unwrap_or_else(err);
                let otherwise = exprs.next().unwrap_or_else(err);
                leaf(ExprKind::If { cond: Box::new(cond), then: Box::new(then), otherwise: Box::new(otherwise) })
            }
            Rule::piecewise => {
                let mut subject = Expr { kind: ExprKind::Error, span: at };
                let mut pieces = Vec::new();
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::expr => subject = self.expr(p),
                        Rule::piece => pieces.push(self.piece(p)),
                        _ => {}
                    }
                }
                leaf(ExprKind::Piecewise { subject: Box::new(subject), pieces })
            }
            Rule::list => leaf(ExprKind::List(pair.into_inner().filter(|p| p.as_rule() == Rule::expr).map(|p| self.expr(p)).collect())),
            Rule::call => {
                let mut function = Spanned::new(String::new(), at);
                let mut args = Vec::new();
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::ident => function = self.name(p),
                        Rule::arg => args.push(self.arg(p)),
                        _ => {}
                    }
                }
                leaf(ExprKind::Call { function, args })
            }
            Rule::kw_total => leaf(ExprKind::Total),
            Rule::path => leaf(ExprKind::Path(self.path(pair))),
            Rule::number | Rule::percent | Rule::string | Rule::date | Rule::duration | Rule::kw_true | Rule::kw_false => {
                leaf(ExprKind::Literal(self.literal(pair).node))
            }
            _ => leaf(ExprKind::Error),
        }
    }

    fn piece(&self, pair: Pair<'_, Rule>) -> Piece {
        let at = span(&pair);
        let mut test = None;
        let mut value = Expr { kind: ExprKind::Error, span: at };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::piece_test => {
                    let mut op = Spanned::new(BinOp::Eq, span(&p));
                    let mut operand = Expr { kind: ExprKind::Error, span: span(&p) };
                    for q in p.into_inner() {
                        let qat = span(&q);
                        match q.as_rule() {
                            Rule::op_ge => op = Spanned::new(BinOp::Ge, qat),
                            Rule::op_le => op = Spanned::new(BinOp::Le, qat),
                            Rule::op_ne => op = Spanned::new(BinOp::Ne, qat),
                            Rule::op_gt => op = Spanned::new(BinOp::Gt, qat),
                            Rule::op_lt => op = Spanned::new(BinOp::Lt, qat),
                            Rule::op_eq => op = Spanned::new(BinOp::Eq, qat),
                            Rule::expr => operand = self.expr(q),
                            _ => operand = self.primary(q).0,
                        }
                    }
                    test = Some((op, operand));
                }
                Rule::expr => value = self.expr(p),
                _ => {}
            }
        }
        Piece { test, value, span: at }
    }

    fn arg(&self, pair: Pair<'_, Rule>) -> Arg {
        let at = span(&pair);
        let mut name = None;
        let mut exprs = Vec::new();
        let mut has_filter = false;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::arg_name => name = p.into_inner().next().map(|n| self.name(n)),
                Rule::kw_where => has_filter = true,
                Rule::expr => exprs.push(self.expr(p)),
                _ => {}
            }
        }
        let filter = if has_filter { exprs.pop() } else { None };
        let value = exprs.pop().unwrap_or(Expr { kind: ExprKind::Error, span: at });
        Arg { name, value, filter }
    }
}

/// How deeply the pairs under an expression nest, counted without recursion.
fn nesting(pair: &Pair<'_, Rule>) -> usize {
    let mut deepest = 0;
    let mut stack: Vec<(Pair<'_, Rule>, usize)> = vec![(pair.clone(), 1)];
    while let Some((p, d)) = stack.pop() {
        deepest = deepest.max(d);
        if deepest > MAX_EXPR_DEPTH {
            return deepest;
        }
        for child in p.into_inner() {
            let step = usize::from(child.as_rule() == Rule::expr);
            stack.push((child, d + step));
        }
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::code_len;

    /// Trailing whitespace and comments are left out, over several lines;
    /// a `#` in a string is no comment; a text ending in code is kept whole.
    #[test]
    fn code_ends_before_trailing_whitespace_and_comments() {
        let cases = [
            ("得分 = 1", "得分 = 1"),
            ("得分 = 1 \n", "得分 = 1"),
            ("得分 = 1 # 注释\r\n  # 又一行\n\u{3000}\t", "得分 = 1"),
            ("来源 \"第#1条\" # 注释\n", "来源 \"第#1条\""),
            ("来源 “第#1条” # “\n", "来源 “第#1条”"),
            ("来源 \"a\\\"#\" \n", "来源 \"a\\\"#\""),
            ("a {\n  b # c\n}\n# d\n\n", "a {\n  b # c\n}"),
            ("\u{FEFF}a\u{FEFF} ", "\u{FEFF}a"),
            ("# 只有注释\n", ""),
            ("a # 末行", "a # 末行"),
        ];
        for (text, code) in cases {
            assert_eq!(&text[..code_len(text)], code, "{text:?}");
        }
    }
}
