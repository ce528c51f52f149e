//! The checked scheme: names resolved to ids, types known, weights normalised.
//!
//! This is the only input evaluation accepts, so `eval` can never run on a
//! scheme that has not passed `check`. Everything keeps an [`Origin`] (file
//! and span) so that explanations can cite the scheme line behind a figure.

use rust_decimal::Decimal;

use crate::ast::{BinOp, PeriodKind, Rounding, RoundingMode, TiePolicy, UnaryOp};
use crate::date::Date;
use crate::source::{Origin, Span};

/// Index of a table in [`Scheme::tables`].
pub type TableId = usize;
/// Index of a column in [`Table::columns`].
pub type ColumnId = usize;
/// Index of a parameter in [`Scheme::params`].
pub type ParamId = usize;
/// Index of an indicator in [`Scheme::indicators`].
pub type IndicatorId = usize;
/// Index of a grade band in [`Grades::bands`] (0 is the best).
pub type GradeId = usize;

/// A checked scheme.
#[derive(Debug, Clone)]
pub struct Scheme {
    /// The title from the header.
    pub title: String,
    /// The policy document and article it implements.
    pub source: Option<PolicyRef>,
    /// The assessment year.
    pub year: u32,
    /// Full marks of the total (满分).
    pub full_marks: Decimal,
    /// How published figures are rounded.
    pub rounding: Rounding,
    /// The total never exceeds this.
    pub total_cap: Option<Decimal>,
    /// All bonuses together never exceed this.
    pub bonus_cap: Option<Decimal>,
    /// Deductions from the total never exceed this.
    pub deduction_cap: Option<Decimal>,
    /// Free-text notes.
    pub notes: Vec<String>,
    /// Who is assessed.
    pub units: Units,
    /// Declared data tables.
    pub tables: Vec<Table>,
    /// Named constants.
    pub params: Vec<Param>,
    /// All indicators; a parent comes before its children.
    pub indicators: Vec<Indicator>,
    /// Top-level indicators in order.
    pub roots: Vec<IndicatorId>,
    /// Deduction clauses (扣分).
    pub deductions: Vec<Adjustment>,
    /// Bonus clauses (加分).
    pub bonuses: Vec<Adjustment>,
    /// Vetoes (一票否决).
    pub vetoes: Vec<Veto>,
    /// Grade bands (等次).
    pub grades: Grades,
    /// How units are ranked.
    pub ranking: Ranking,
    /// The scheme's own test cases.
    pub tests: Vec<Test>,
    /// Where the header was declared.
    pub origin: Origin,
}

/// A policy document and article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRef {
    /// The document's name.
    pub document: String,
    /// The article (`第三条`).
    pub article: Option<String>,
}

/// The assessed units.
#[derive(Debug, Clone)]
pub struct Units {
    /// The table listing them.
    pub table: TableId,
    /// The column that names a unit.
    pub key: ColumnId,
    /// Group columns; the first is the default group.
    pub groups: Vec<ColumnId>,
    /// The column shown as a unit's name.
    pub label: Option<ColumnId>,
    /// Where declared.
    pub origin: Origin,
}

/// A data table.
#[derive(Debug, Clone)]
pub struct Table {
    /// Its name (and file name).
    pub name: String,
    /// Its columns.
    pub columns: Vec<Column>,
    /// The column naming the unit.
    pub unit_column: ColumnId,
    /// Whether a formula reads the unit column. If none does, a table other
    /// than the units table does not keep it once loaded (its rows' units
    /// say the same: [`crate::data::TableData::row_units`]).
    pub unit_column_read: bool,
    /// Whether a deduction or bonus cites the table's rows (file and line).
    /// If none does, the table keeps no line numbers once loaded
    /// ([`crate::data::TableData::lines`]).
    pub rows_cited: bool,
    /// Columns no two rows share.
    pub key: Vec<ColumnId>,
    /// How many rows a unit has.
    pub shape: TableShape,
    /// Where declared.
    pub origin: Origin,
}

/// How many rows of a table belong to one unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableShape {
    /// One row per unit (`键 名称`).
    PerUnit,
    /// One row per unit and period (`键 名称, 季度`).
    PerUnitPeriod {
        /// The period column.
        column: ColumnId,
        /// Its period length.
        kind: PeriodKind,
    },
    /// Any number of rows per unit (events, evaluators).
    Rows,
}

/// A column of a table.
#[derive(Debug, Clone)]
pub struct Column {
    /// Its name (the header in the file).
    pub name: String,
    /// Its type.
    pub ty: ColumnType,
    /// Empty cells allowed.
    pub optional: bool,
    /// Value of an empty cell or a missing row.
    pub default: Option<Value>,
    /// Whether anything reads its values once loaded: a formula, or its
    /// place as the unit, a group, the period or part of the table's key.
    /// A text column nothing reads is checked while loading, not kept.
    pub read: bool,
}

/// The type of a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnType {
    /// Text.
    Text,
    /// A decimal number.
    Number,
    /// A whole number.
    Integer,
    /// A percent (`95%` is 0.95).
    Percent,
    /// A date.
    Date,
    /// A period of the year.
    Period(PeriodKind),
    /// Yes or no.
    Bool,
    /// One of a fixed set of texts.
    Enum(Vec<String>),
}

/// A constant value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A number (percents are held as fractions).
    Number(Decimal),
    /// Text.
    Text(String),
    /// A date.
    Date(Date),
    /// A number of days.
    Duration(Decimal),
    /// Yes or no.
    Bool(bool),
    /// No value.
    Null,
}

/// A parameter, possibly changing by date.
#[derive(Debug, Clone)]
pub struct Param {
    /// Its name.
    pub name: String,
    /// Its type.
    pub ty: Type,
    /// Values in date order; `from: None` is the value before any dated one.
    pub values: Vec<ParamValue>,
    /// Where declared (the first declaration).
    pub origin: Origin,
}

/// One value of a parameter and when it takes effect.
#[derive(Debug, Clone)]
pub struct ParamValue {
    /// In force from this date (inclusive).
    pub from: Option<Date>,
    /// The value.
    pub value: Value,
    /// Where declared.
    pub origin: Origin,
}

/// How an indicator weighs among its siblings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    /// A share of the parent (0.30).
    Percent(Decimal),
    /// Points out of the parent's full marks.
    Points(Decimal),
    /// A ratio among the siblings (3 of 3:2:2:3).
    Ratio(Decimal),
}

impl Weight {
    /// As written in a scheme: `30%`, `15 points` / `15 分`, `ratio 3` / `比重 3`.
    pub fn describe(self, chinese: bool) -> String {
        match (self, chinese) {
            (Weight::Percent(p), _) => format!("{}%", p.checked_mul(Decimal::ONE_HUNDRED).unwrap_or(p).normalize()),
            (Weight::Points(p), false) => format!("{} points", p.normalize()),
            (Weight::Points(p), true) => format!("{} 分", p.normalize()),
            (Weight::Ratio(r), false) => format!("ratio {}", r.normalize()),
            (Weight::Ratio(r), true) => format!("比重 {}", r.normalize()),
        }
    }
}

/// An indicator (指标).
#[derive(Debug, Clone)]
pub struct Indicator {
    /// Its name.
    pub name: String,
    /// Names from the root down to it.
    pub path: Vec<String>,
    /// A longer title.
    pub title: Option<String>,
    /// Its weight as written.
    pub weight: Weight,
    /// Its share of the parent, as a fraction (points and ratios normalised).
    pub share: Decimal,
    /// What its score is multiplied by to count in the parent's score:
    /// `share × parent full marks ÷ own full marks` (1 for plain points).
    pub factor: Decimal,
    /// Its own full marks: the scale its score is on.
    pub full_marks: Decimal,
    /// Its parent.
    pub parent: Option<IndicatorId>,
    /// Its children in order.
    pub children: Vec<IndicatorId>,
    /// The score formula of a leaf; `None` for a parent, or a leaf scored
    /// full marks minus deductions.
    pub score: Option<Expr>,
    /// Per-period assessment.
    pub periods: Option<Periods>,
    /// Which units have this indicator.
    pub applies: Option<Expr>,
    /// Deductions never take the score below this.
    pub floor: Decimal,
    /// Deductions from this indicator never exceed this.
    pub deduction_cap: Option<Decimal>,
    /// The policy article it implements.
    pub source: Option<PolicyRef>,
    /// Free-text notes.
    pub notes: Vec<String>,
    /// Where declared.
    pub origin: Origin,
}

/// Per-period assessment of an indicator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Periods {
    /// Months, quarters or half-years.
    pub kind: PeriodKind,
    /// One weight per period of the year, adding up to 1; `None` is `平均`
    /// (the mean of the periods, kept exact instead of 1/12 rounded).
    pub weights: Option<Vec<Decimal>>,
}

/// Where a deduction or bonus applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The total.
    Total,
    /// An indicator.
    Indicator(IndicatorId),
}

/// A deduction (扣分) or bonus (加分) clause.
#[derive(Debug, Clone)]
pub struct Adjustment {
    /// Its name.
    pub name: String,
    /// Where it applies.
    pub target: Target,
    /// Its rules; amounts add up.
    pub rules: Vec<AmountRule>,
    /// The clause never takes or gives more than this.
    pub cap: Option<Expr>,
    /// `扣完为止`: no cap, the floor holds.
    pub until_zero: bool,
    /// Cancellation after rectification.
    pub expunge: Vec<Expunge>,
    /// `清零 当`: the target scores zero.
    pub zero_when: Option<Expr>,
    /// `只计最高`: only the largest row amount counts.
    pub highest_only: bool,
    /// The policy article.
    pub source: Option<PolicyRef>,
    /// Where declared.
    pub origin: Origin,
}

/// A rule producing an amount.
#[derive(Debug, Clone)]
pub enum AmountRule {
    /// An amount per matching row of a table.
    PerRow {
        /// The table.
        table: TableId,
        /// Which rows (row scope).
        filter: Option<Expr>,
        /// Amount per row (row scope).
        amount: Expr,
        /// Where written.
        span: Span,
    },
    /// A flat amount when a condition holds.
    Flat {
        /// The amount.
        amount: Expr,
        /// The condition.
        when: Expr,
        /// Where written.
        span: Span,
    },
}

/// `销除 50% 当 ...`: rows meeting the condition lose this share of their amount.
#[derive(Debug, Clone)]
pub struct Expunge {
    /// Share cancelled (0..=1).
    pub share: Decimal,
    /// Row condition.
    pub when: Expr,
    /// Where written.
    pub span: Span,
}

/// A veto (一票否决).
#[derive(Debug, Clone)]
pub struct Veto {
    /// Its name.
    pub name: String,
    /// When it strikes.
    pub when: Expr,
    /// What it does.
    pub effects: Vec<VetoEffect>,
    /// The policy article.
    pub source: Option<PolicyRef>,
    /// Where declared.
    pub origin: Origin,
}

/// What a veto does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VetoEffect {
    /// The grade is at most this band.
    GradeAtMost(GradeId),
    /// The grade is this band.
    GradeIs(GradeId),
    /// The total is zero.
    ScoreZero,
    /// Not eligible for awards.
    NoAward,
}

/// Grade bands and quota rules.
#[derive(Debug, Clone)]
pub struct Grades {
    /// From best to worst.
    pub bands: Vec<GradeBand>,
    /// How a share becomes a count of units.
    pub quota_rounding: RoundingMode,
    /// Units tied at a quota line.
    pub ties: TiePolicy,
    /// The policy article.
    pub source: Option<PolicyRef>,
    /// Where declared.
    pub origin: Origin,
}

/// One grade band.
#[derive(Debug, Clone)]
pub struct GradeBand {
    /// Its name.
    pub name: String,
    /// How to qualify; `None` is the catch-all.
    pub condition: Option<BandCondition>,
    /// Its quota.
    pub quota: Option<Quota>,
    /// Where declared.
    pub span: Span,
}

/// How a unit qualifies for a band.
#[derive(Debug, Clone)]
pub enum BandCondition {
    /// Total at or above (or strictly above) a threshold.
    Threshold {
        /// The threshold.
        value: Decimal,
        /// `>=` (含) rather than `>`.
        inclusive: bool,
    },
    /// A condition over the unit's figures.
    When(Expr),
}

/// A band's quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// A share or a count.
    pub amount: QuotaAmount,
    /// Applied within each group of this units column.
    pub per_group: Option<ColumnId>,
    /// Where the amount is written.
    pub span: Span,
}

/// A quota's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotaAmount {
    /// A share of the units (0.20).
    Share(Decimal),
    /// A number of units.
    Count(u32),
}

/// How units are ranked.
#[derive(Debug, Clone)]
pub struct Ranking {
    /// Sort keys: the first, then tie-breakers.
    pub keys: Vec<RankKey>,
    /// Ranks within groups of this units column too.
    pub per_group: Option<ColumnId>,
    /// 1, 2, 2, 3 instead of 1, 2, 2, 4.
    pub dense: bool,
}

/// One sort key.
#[derive(Debug, Clone)]
pub struct RankKey {
    /// What is compared.
    pub expr: Expr,
    /// Smaller is better.
    pub ascending: bool,
}

/// A test case of the scheme.
#[derive(Debug, Clone)]
pub struct Test {
    /// Its name.
    pub name: String,
    /// Inline tables.
    pub data: Vec<TestTable>,
    /// Expected figures.
    pub expectations: Vec<Expectation>,
    /// Where declared.
    pub origin: Origin,
}

/// Rows of one table in a test.
#[derive(Debug, Clone)]
pub struct TestTable {
    /// The table.
    pub table: TableId,
    /// The columns given, in row order.
    pub columns: Vec<ColumnId>,
    /// The rows, typed by the columns.
    pub rows: Vec<Vec<Value>>,
}

/// One expected figure.
#[derive(Debug, Clone)]
pub struct Expectation {
    /// The unit's key.
    pub unit: String,
    /// Which figure.
    pub subject: Subject,
    /// Its expected value.
    pub value: Value,
    /// Where written.
    pub span: Span,
}

/// A figure of a unit's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// The total.
    Total,
    /// The grade (value is its name).
    Grade,
    /// The overall rank.
    Rank,
    /// The rank within the group.
    GroupRank,
    /// What a deduction took.
    Deduction(usize),
    /// What a bonus gave.
    Bonus(usize),
    /// Whether a veto struck.
    Veto(usize),
    /// An indicator's score, or one period's (0-based index).
    Indicator(IndicatorId, Option<usize>),
}

/// The type of a checked expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    /// A number.
    Number,
    /// A percent (a number shown with `%`).
    Percent,
    /// Text (enumerations included).
    Text,
    /// A date.
    Date,
    /// A number of days.
    Duration,
    /// Yes or no.
    Bool,
    /// A period of the year.
    Period,
    /// A list of values (right side of `in`).
    List(Box<Type>),
    /// The rows of a table, for `count`.
    Rows(TableId),
    /// Many values per unit (a column of a many-row table), for aggregates.
    Many(Box<Type>),
    /// Unknown after an error (already reported): accepted everywhere.
    Error,
}

impl Type {
    /// Whether arithmetic accepts it.
    pub fn is_numeric(&self) -> bool {
        matches!(self, Type::Number | Type::Percent | Type::Error)
    }
}

/// A checked expression.
#[derive(Debug, Clone)]
pub struct Expr {
    /// What it computes.
    pub kind: ExprKind,
    /// Its type.
    pub ty: Type,
    /// Where written (in the file of the item that holds it).
    pub span: Span,
}

/// The kinds of checked expression.
#[derive(Debug, Clone)]
pub enum ExprKind {
    /// A constant.
    Const(Value),
    /// The unit's total.
    Total,
    /// A parameter (its value by date).
    Param(ParamId),
    /// A column value: of the current row (row scope), or of the unit's one
    /// row (or the row of the current period).
    Column {
        /// The table.
        table: TableId,
        /// The column.
        column: ColumnId,
    },
    /// An indicator's score.
    Indicator(IndicatorId),
    /// A prefix operator.
    Unary(UnaryOp, Box<Expr>),
    /// An infix operator.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `如果 ... 则 ... 否则 ...`
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `分段`: the first piece whose test holds gives the value.
    Piecewise {
        /// The value tested.
        subject: Box<Expr>,
        /// Tests (`None`: else) and values.
        pieces: Vec<(Option<(BinOp, Expr)>, Expr)>,
    },
    /// `[a, b]`
    List(Vec<Expr>),
    /// A scalar function.
    Call(Builtin, Vec<Expr>),
    /// An aggregate over the unit's rows of a table.
    Aggregate {
        /// Which aggregate.
        function: Aggregate,
        /// The table.
        table: TableId,
        /// The value aggregated, in the row scope of `table` (`None` for `count`
        /// of a table): a column, or a formula over the row (`分值 * 权重`).
        value: Option<Box<Expr>>,
        /// Which rows (row scope).
        filter: Option<Box<Expr>>,
        /// Rows dropped from the top and bottom (trimmed mean).
        trim: (u32, u32),
    },
    /// An aggregate across the units of a group (or all units).
    Across {
        /// Which aggregate.
        function: Across,
        /// The per-unit value.
        arg: Box<Expr>,
        /// Smaller is better (for ranks).
        ascending: bool,
    },
}

impl Expr {
    /// Visits this node and every node below it, parents first.
    pub fn walk(&self, f: &mut impl FnMut(&Expr)) {
        f(self);
        match &self.kind {
            ExprKind::Unary(_, a) => a.walk(f),
            ExprKind::Binary(_, a, b) => {
                a.walk(f);
                b.walk(f);
            }
            ExprKind::If(a, b, c) => {
                a.walk(f);
                b.walk(f);
                c.walk(f);
            }
            ExprKind::Piecewise { subject, pieces } => {
                subject.walk(f);
                for (test, value) in pieces {
                    if let Some((_, t)) = test {
                        t.walk(f);
                    }
                    value.walk(f);
                }
            }
            ExprKind::List(items) | ExprKind::Call(_, items) => items.iter().for_each(|i| i.walk(f)),
            ExprKind::Aggregate { filter, value, .. } => {
                if let Some(v) = value {
                    v.walk(f);
                }
                if let Some(flt) = filter {
                    flt.walk(f);
                }
            }
            ExprKind::Across { arg, .. } => arg.walk(f),
            ExprKind::Const(_) | ExprKind::Total | ExprKind::Param(_) | ExprKind::Column { .. } | ExprKind::Indicator(_) => {}
        }
    }
}

/// Scalar functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    /// `min(a, b, ...)`
    Min,
    /// `max(a, b, ...)`
    Max,
    /// `clamp(x, lo, hi)`
    Clamp,
    /// `abs(x)`
    Abs,
    /// `round(x, places)`, with the scheme's rounding mode
    Round,
    /// `present(x)`: whether an optional value is given
    Present,
    /// `days(d)`: a duration as a number of days
    Days,
}

/// Aggregates over a unit's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    /// Number of rows.
    Count,
    /// Sum.
    Sum,
    /// Mean.
    Avg,
    /// Smallest.
    Min,
    /// Largest.
    Max,
    /// Mean after dropping the highest and lowest values.
    TrimmedMean,
}

/// Aggregates across units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Across {
    /// Largest in the unit's group.
    GroupMax,
    /// Smallest in the group.
    GroupMin,
    /// Mean of the group.
    GroupAvg,
    /// Sum over the group.
    GroupSum,
    /// Number of units in the group.
    GroupCount,
    /// Competition rank among all units.
    Rank,
    /// Competition rank within the group.
    GroupRank,
}

/// The 0-based index of a period written as text (`Q1`, `2013Q1`, `一季度`,
/// `2013-03`, `3月`, `上半年`, `H2`), for a period of the given length.
pub fn period_index(kind: PeriodKind, text: &str) -> Option<usize> {
    let text = text.trim();
    // A leading year (`2013Q1`, `2013-03`, `2013年第一季度`) is allowed.
    let rest = match text.get(..4) {
        Some(y) if y.chars().all(|c| c.is_ascii_digit()) => text[4..].trim_start_matches(['-', '/', '年', ' ', '.']),
        _ => text,
    };
    let rest = rest.trim_start_matches('第');
    let number = |s: &str| -> Option<usize> {
        let s = s.trim();
        if let Ok(n) = s.parse::<usize>() {
            return Some(n);
        }
        const DIGITS: [&str; 12] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"];
        DIGITS.iter().position(|d| *d == s).map(|i| i + 1)
    };
    let n = match kind {
        PeriodKind::Quarter => {
            let body = rest.strip_prefix(['Q', 'q']).or_else(|| rest.strip_suffix("季度")).unwrap_or(rest);
            number(body)?
        }
        PeriodKind::Month => {
            let body =
                rest.strip_prefix(['M', 'm']).or_else(|| rest.strip_suffix("月份")).or_else(|| rest.strip_suffix('月')).unwrap_or(rest);
            number(body)?
        }
        PeriodKind::HalfYear => match rest {
            "上半年" | "H1" | "h1" => 1,
            "下半年" | "H2" | "h2" => 2,
            _ => number(rest.strip_prefix(['H', 'h']).unwrap_or(rest))?,
        },
        PeriodKind::Year => match rest {
            "" | "全年" | "年度" => 1,
            _ => return None,
        },
    };
    (1..=kind.per_year()).contains(&n).then(|| n - 1)
}

impl Scheme {
    /// Visits every formula that gives a unit's figures up to its published
    /// total and vetoes: scores, applicability, deductions and bonuses, vetoes
    /// (not the ranking keys and grade conditions, which come after:
    /// [`Scheme::walk_publish_formulas`]).
    pub fn walk_unit_formulas(&self, f: &mut impl FnMut(&Expr)) {
        for ind in &self.indicators {
            ind.score.iter().chain(&ind.applies).for_each(&mut *f);
        }
        for clause in self.deductions.iter().chain(&self.bonuses) {
            for rule in &clause.rules {
                match rule {
                    AmountRule::PerRow { filter, amount, .. } => filter.iter().chain([amount]).for_each(&mut *f),
                    AmountRule::Flat { amount, when, .. } => [amount, when].into_iter().for_each(&mut *f),
                }
            }
            clause.cap.iter().chain(&clause.zero_when).chain(clause.expunge.iter().map(|e| &e.when)).for_each(&mut *f);
        }
        self.vetoes.iter().for_each(|v| f(&v.when));
    }

    /// Visits every formula worked out once all units are scored: the
    /// ranking keys and the grade bands' conditions.
    pub fn walk_publish_formulas(&self, f: &mut impl FnMut(&Expr)) {
        self.ranking.keys.iter().for_each(|k| f(&k.expr));
        for band in &self.grades.bands {
            if let Some(BandCondition::When(e)) = &band.condition {
                f(e);
            }
        }
    }

    /// A readable outline of how the checker understood the scheme: the
    /// indicator tree with weights, scales and periods, and the clauses.
    pub fn outline(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} ({}), full marks {}, round {} {:?}",
            self.title, self.year, self.full_marks, self.rounding.places, self.rounding.mode
        );
        let units = &self.tables[self.units.table];
        let groups: Vec<&str> = self.units.groups.iter().map(|&g| units.columns[g].name.as_str()).collect();
        let _ = writeln!(out, "units: {} by {} groups [{}]", units.name, units.columns[self.units.key].name, groups.join(", "));
        for t in &self.tables {
            let shape = match t.shape {
                TableShape::PerUnit => "one row per unit".to_string(),
                TableShape::PerUnitPeriod { column, .. } => format!("one row per unit and {}", t.columns[column].name),
                TableShape::Rows => "many rows per unit".to_string(),
            };
            let _ = writeln!(out, "table {}: {} columns, {shape}", t.name, t.columns.len());
        }
        for p in &self.params {
            let values: Vec<String> = p
                .values
                .iter()
                .map(|v| match v.from {
                    Some(d) => format!("{} from {d}", show_value(&v.value)),
                    None => show_value(&v.value),
                })
                .collect();
            let _ = writeln!(out, "param {} = {}", p.name, values.join("; "));
        }
        let mut stack: Vec<(IndicatorId, usize)> = self.roots.iter().rev().map(|&r| (r, 0)).collect();
        while let Some((id, depth)) = stack.pop() {
            let i = &self.indicators[id];
            let weight = i.weight.describe(false);
            let mut line = format!(
                "{}{} {weight} (share {}, factor {}, out of {})",
                "  ".repeat(depth),
                i.name,
                i.share.normalize(),
                i.factor.normalize(),
                i.full_marks.normalize()
            );
            if let Some(p) = &i.periods {
                let _ = write!(line, " per {:?}", p.kind);
                if let Some(w) = &p.weights {
                    let ws: Vec<String> = w.iter().map(|x| format!("{}%", (x * Decimal::ONE_HUNDRED).normalize())).collect();
                    let _ = write!(line, " [{}]", ws.join(", "));
                } else {
                    line.push_str(" average");
                }
            }
            if i.applies.is_some() {
                line.push_str(" (some categories)");
            }
            if i.score.is_none() && i.children.is_empty() {
                line.push_str(" (full marks minus deductions)");
            }
            let _ = writeln!(out, "{line}");
            stack.extend(i.children.iter().rev().map(|&c| (c, depth + 1)));
        }
        let target = |t: Target| match t {
            Target::Total => "total".to_string(),
            Target::Indicator(i) => self.indicators[i].path.join("."),
        };
        for d in &self.deductions {
            let _ = writeln!(
                out,
                "deduct {} from {}: {} rule(s){}{}",
                d.name,
                target(d.target),
                d.rules.len(),
                if d.cap.is_some() { ", capped" } else { "" },
                if d.expunge.is_empty() { "" } else { ", expungeable" }
            );
        }
        for b in &self.bonuses {
            let _ = writeln!(
                out,
                "bonus {} to {}: {} rule(s){}",
                b.name,
                target(b.target),
                b.rules.len(),
                if b.cap.is_some() { ", capped" } else { "" }
            );
        }
        for v in &self.vetoes {
            let _ = writeln!(out, "veto {}: {} effect(s)", v.name, v.effects.len());
        }
        let bands: Vec<String> = self
            .grades
            .bands
            .iter()
            .map(|b| {
                let mut s = b.name.clone();
                match &b.condition {
                    Some(BandCondition::Threshold { value, inclusive }) => {
                        let _ = write!(s, " {}{}", if *inclusive { ">=" } else { ">" }, value.normalize());
                    }
                    Some(BandCondition::When(_)) => s.push_str(" when ..."),
                    None => {}
                }
                if let Some(q) = &b.quota {
                    match q.amount {
                        QuotaAmount::Share(x) => {
                            let _ = write!(s, " quota {}%", (x * Decimal::ONE_HUNDRED).normalize());
                        }
                        QuotaAmount::Count(n) => {
                            let _ = write!(s, " quota {n}");
                        }
                    }
                    if let Some(g) = q.per_group {
                        let _ = write!(s, " per {}", units.columns[g].name);
                    }
                }
                s
            })
            .collect();
        let _ = writeln!(out, "grades: {}", bands.join(" | "));
        let _ = writeln!(
            out,
            "ranking: {} key(s){}{}",
            self.ranking.keys.len(),
            self.ranking.per_group.map(|g| format!(", per {}", units.columns[g].name)).unwrap_or_default(),
            if self.ranking.dense { ", dense" } else { "" }
        );
        for t in &self.tests {
            let _ = writeln!(out, "test {:?}: {} table(s), {} expectation(s)", t.name, t.data.len(), t.expectations.len());
        }
        out
    }
}

fn show_value(v: &Value) -> String {
    match v {
        Value::Number(n) => n.normalize().to_string(),
        Value::Text(t) => format!("{t:?}"),
        Value::Date(d) => d.to_string(),
        Value::Duration(d) => format!("{} days", d.normalize()),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_names_in_the_forms_offices_write() {
        assert_eq!(period_index(PeriodKind::Quarter, "Q1"), Some(0));
        assert_eq!(period_index(PeriodKind::Quarter, "2013Q4"), Some(3));
        assert_eq!(period_index(PeriodKind::Quarter, "2013年第三季度"), Some(2));
        assert_eq!(period_index(PeriodKind::Quarter, "一季度"), Some(0));
        assert_eq!(period_index(PeriodKind::Quarter, "Q5"), None);
        assert_eq!(period_index(PeriodKind::Month, "2013-03"), Some(2));
        assert_eq!(period_index(PeriodKind::Month, "十二月"), Some(11));
        assert_eq!(period_index(PeriodKind::Month, "M12"), Some(11));
        assert_eq!(period_index(PeriodKind::HalfYear, "下半年"), Some(1));
        assert_eq!(period_index(PeriodKind::Year, "2013"), Some(0));
    }
}
