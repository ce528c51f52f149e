//! The syntax tree of one scheme file, as written: names are strings, nothing
//! is resolved or validated. Every node keeps its [`Span`]. `check` turns a
//! tree (and the trees it extends) into a [`crate::model::Scheme`].

use rust_decimal::Decimal;

use crate::date::Date;
use crate::source::{Name, Span, Spanned};

/// A whole file: its declarations in source order.
#[derive(Debug, Clone, Default)]
pub struct File {
    /// Declarations in source order.
    pub items: Vec<Item>,
}

/// One top-level declaration.
#[derive(Debug, Clone)]
pub enum Item {
    /// `方案 "..." { ... }`
    Header(Header),
    /// `沿用 "base.kh"`
    Extends(Spanned<String>),
    /// `考核对象 市区 { 标识 名称 分组 类型 }`
    Units(UnitsDecl),
    /// `数据表 督查记录 { ... }`
    Table(TableDecl),
    /// `参数 x = 2 自 2014-01-01`
    Param(ParamDecl),
    /// `指标 工作考核 80% { ... }`
    Indicator(IndicatorDecl),
    /// `扣分 督查通报 从 工作考核 { ... }`
    Deduction(DeductionDecl),
    /// `加分 创优争先 最高 5 { ... }`
    Bonus(BonusDecl),
    /// `一票否决 安全 当 ... { ... }`
    Veto(VetoDecl),
    /// `等次 { 优秀 >= 90 ... }`
    Grades(GradesDecl),
    /// `排名 按 总分 降序 ...`
    Ranking(RankingDecl),
    /// `测试 "..." { ... }`
    Test(TestDecl),
    /// `覆盖 指标 x 35%`
    Override(Override),
    /// `删除 指标 x`
    Remove(RemoveDecl),
}

/// `方案 "泰州市市(区)绩效管理 2013" { 依据 "..." 年度 2013 满分 100 保留 2 位小数 四舍五入 }`
#[derive(Debug, Clone)]
pub struct Header {
    /// The scheme's title.
    pub title: Spanned<String>,
    /// Header clauses in source order.
    pub clauses: Vec<Spanned<HeaderClause>>,
    /// The whole declaration.
    pub span: Span,
}

/// One clause of the header.
#[derive(Debug, Clone)]
pub enum HeaderClause {
    /// `依据 "办法" 第三条`
    Source(SourceRef),
    /// `年度 2013`
    Year(Spanned<u32>),
    /// `满分 100`
    FullMarks(Spanned<Decimal>),
    /// `保留 2 位小数 四舍五入`
    Rounding(Rounding),
    /// `总分 最高 满分` (None) or `总分 最高 105`
    TotalCap(Option<Spanned<Decimal>>),
    /// `加分 最高 5`
    BonusCap(Spanned<Decimal>),
    /// `扣分 最高 20`
    DeductionCap(Spanned<Decimal>),
    /// `说明 "..."`
    Note(Spanned<String>),
}

/// `依据 "泰州市市(区)绩效管理办法" 第三条`
#[derive(Debug, Clone)]
pub struct SourceRef {
    /// The policy document.
    pub document: Spanned<String>,
    /// The article, as written (`第三条`).
    pub article: Option<Spanned<String>>,
}

/// `保留 2 位小数 四舍五入 逐项`
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rounding {
    /// Decimal places.
    pub places: u32,
    /// How halves and the rest are rounded.
    pub mode: RoundingMode,
    /// `逐项`: round every published indicator score, not only the total.
    pub each_indicator: bool,
}

/// How a figure is rounded to its places.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum RoundingMode {
    /// `四舍五入` / `half-up`: half away from zero (24.125 → 24.13).
    HalfUp,
    /// `四舍六入五成双` / `half-even`: half to even (24.125 → 24.12).
    HalfEven,
    /// `去尾` / `down`: toward zero.
    Down,
    /// `进一` / `up`: away from zero.
    Up,
}

/// `考核对象 市区 { 标识 名称 分组 类型 显示 全称 }`
#[derive(Debug, Clone)]
pub struct UnitsDecl {
    /// The table listing the units.
    pub table: Name,
    /// The key column.
    pub key: Option<Name>,
    /// Group columns, first is the default group.
    pub groups: Vec<Name>,
    /// The column shown as the unit's name.
    pub label: Option<Name>,
    /// Clauses given twice, for diagnostics.
    pub repeated: Vec<Span>,
    /// The whole declaration.
    pub span: Span,
}

/// `数据表 督查记录 键 名称, 日期 按 单位 { 名称: 文本 ... }`
#[derive(Debug, Clone)]
pub struct TableDecl {
    /// The table's name (and file name: `督查记录.csv`).
    pub name: Name,
    /// `键 a, b`: columns no two rows share.
    pub key: Vec<Name>,
    /// `按 单位`: the column naming the unit.
    pub unit_column: Option<Name>,
    /// Columns in order.
    pub columns: Vec<ColumnDecl>,
    /// The whole declaration.
    pub span: Span,
}

/// `整改日期: 日期 可空`, `得分: 数值 默认 0`
#[derive(Debug, Clone)]
pub struct ColumnDecl {
    /// Column name (the header in the data file).
    pub name: Name,
    /// Its type.
    pub ty: Spanned<ColumnType>,
    /// `可空`
    pub optional: bool,
    /// `默认 0`
    pub default: Option<Spanned<Literal>>,
}

/// The type of a data column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnType {
    /// `文本` / `text`
    Text,
    /// `数值` / `number`
    Number,
    /// `整数` / `integer`
    Integer,
    /// `百分比` / `percent`: `95%` in data is 0.95.
    Percent,
    /// `日期` / `date`
    Date,
    /// `季度` / `quarter`, `月份` / `month`, `半年` / `half-year`, `年份` / `year`
    Period(PeriodKind),
    /// `是否` / `bool`
    Bool,
    /// `枚举("重大", "较大")` / `enum(...)`
    Enum(Vec<Spanned<String>>),
}

/// The length of an assessment period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum PeriodKind {
    /// A month (12 a year).
    Month,
    /// A quarter (4 a year).
    Quarter,
    /// A half-year (2 a year).
    HalfYear,
    /// The year.
    Year,
}

impl PeriodKind {
    /// How many periods of this kind a year has.
    pub fn per_year(self) -> usize {
        match self {
            PeriodKind::Month => 12,
            PeriodKind::Quarter => 4,
            PeriodKind::HalfYear => 2,
            PeriodKind::Year => 1,
        }
    }
}

/// `参数 通报批评扣分 = 3 自 2014-01-01`
#[derive(Debug, Clone)]
pub struct ParamDecl {
    /// Its name.
    pub name: Name,
    /// Its value (a constant expression).
    pub value: Expr,
    /// `自 2014-01-01`: in force from this date.
    pub from: Option<Spanned<Date>>,
    /// The whole declaration.
    pub span: Span,
}

/// `指标 重点工作 "重点工作目标" 30% { ... }`
#[derive(Debug, Clone)]
pub struct IndicatorDecl {
    /// Its name.
    pub name: Name,
    /// A longer title for reports.
    pub title: Option<Spanned<String>>,
    /// Its weight among its siblings.
    pub weight: Spanned<Weight>,
    /// Clauses and sub-indicators in source order.
    pub clauses: Vec<Spanned<IndicatorClause>>,
    /// The whole declaration.
    pub span: Span,
}

/// An indicator's weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    /// `30%`, held as the fraction 0.30.
    Percent(Decimal),
    /// `15 分` / `15 points`
    Points(Decimal),
    /// `比重 3` / `ratio 3`
    Ratio(Decimal),
}

/// One clause inside an indicator.
#[derive(Debug, Clone)]
pub enum IndicatorClause {
    /// A sub-indicator.
    Indicator(IndicatorDecl),
    /// `得分 = ...`
    Score(Expr),
    /// `按季度 各 25%`
    Periods(PeriodClause),
    /// `适用 类型 = "政府口"`
    Applies(Expr),
    /// `满分 100` (the indicator's own scale)
    FullMarks(Spanned<Decimal>),
    /// `最低 0`
    Floor(Spanned<Decimal>),
    /// `扣分 最高 10`
    DeductionCap(Spanned<Decimal>),
    /// `依据 "..."`
    Source(SourceRef),
    /// `说明 "..."`
    Note(Spanned<String>),
}

/// `按季度 各 25%` / `each quarter 20%, 30%, 25%, 25%` / `按月 平均`
#[derive(Debug, Clone)]
pub struct PeriodClause {
    /// Months, quarters or half-years.
    pub kind: Spanned<PeriodKind>,
    /// How the periods' scores combine.
    pub weights: Spanned<PeriodWeights>,
}

/// How per-period scores combine into the indicator's score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeriodWeights {
    /// `各 25%`: every period has this weight.
    Every(Decimal),
    /// `20%, 30%, 25%, 25%`: one weight per period, in order.
    List(Vec<Spanned<Decimal>>),
    /// `平均`: equal shares.
    Average,
}

/// `扣分 督查通报 从 工作考核 { ... }`
#[derive(Debug, Clone)]
pub struct DeductionDecl {
    /// Its name.
    pub name: Name,
    /// `从 X`; `None` is the total.
    pub target: Option<Spanned<Target>>,
    /// Clauses in source order.
    pub clauses: Vec<Spanned<AmountClause>>,
    /// The whole declaration.
    pub span: Span,
}

/// Where a deduction or bonus applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `总分` / `total`
    Total,
    /// `工作考核.重点工作`
    Indicator(Vec<Name>),
}

/// A clause of a deduction or bonus.
#[derive(Debug, Clone)]
pub enum AmountClause {
    /// `每条 督查记录 where 类别 = "通报批评" 扣 2`
    PerRow {
        /// The table whose rows count.
        table: Name,
        /// Which rows.
        filter: Option<Expr>,
        /// Amount per row.
        amount: Expr,
    },
    /// `扣 5 当 ...` / `加 2 当 ...`
    Flat {
        /// The amount.
        amount: Expr,
        /// When it applies.
        when: Expr,
    },
    /// `最高 10`
    Cap(Expr),
    /// `扣完为止`
    UntilZero,
    /// `销除 50% 当 整改日期 - 日期 <= 30 天` (`全部` is 100%)
    Expunge {
        /// Share cancelled, as a fraction.
        share: Spanned<Decimal>,
        /// Which rows qualify.
        when: Expr,
    },
    /// `清零 当 ...`
    Zero(Expr),
    /// `只计最高`
    HighestOnly,
    /// `依据 "..."`
    Source(SourceRef),
    /// `说明 "..."`
    Note(Spanned<String>),
}

/// `加分 创优争先 计入 总分 最高 5 { ... }`
#[derive(Debug, Clone)]
pub struct BonusDecl {
    /// Its name.
    pub name: Name,
    /// `计入 X`; `None` is the total.
    pub target: Option<Spanned<Target>>,
    /// `最高 5` in the head.
    pub cap: Option<Expr>,
    /// Clauses in source order.
    pub clauses: Vec<Spanned<AmountClause>>,
    /// The whole declaration.
    pub span: Span,
}

/// `一票否决 安全事故 当 count(事故) > 0 { 等次 不高于 达标 }`
#[derive(Debug, Clone)]
pub struct VetoDecl {
    /// Its name.
    pub name: Name,
    /// When it strikes.
    pub when: Expr,
    /// What it does.
    pub effects: Vec<Spanned<VetoEffect>>,
    /// The whole declaration.
    pub span: Span,
}

/// What a veto does.
#[derive(Debug, Clone)]
pub enum VetoEffect {
    /// `等次 不高于 达标`
    GradeAtMost(Name),
    /// `等次 为 诫勉`
    GradeIs(Name),
    /// `总分 清零`
    ScoreZero,
    /// `不得评先`
    NoAward,
    /// `依据 "..."`
    Source(SourceRef),
    /// `说明 "..."`
    Note(Spanned<String>),
}

/// `等次 { 名额取整 向下  并列 均入  优秀 >= 90 比例 20% 每组 ... }`
#[derive(Debug, Clone)]
pub struct GradesDecl {
    /// Bands from best to worst.
    pub bands: Vec<GradeBand>,
    /// `名额取整 ...`
    pub quota_rounding: Option<Spanned<RoundingMode>>,
    /// `并列 ...`
    pub ties: Option<Spanned<TiePolicy>>,
    /// `依据 "..."`
    pub source: Option<SourceRef>,
    /// The whole declaration.
    pub span: Span,
}

/// What happens to units tied at a quota line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum TiePolicy {
    /// `均入` / `in`: all tied units get the grade, even over the quota.
    AllIn,
    /// `均不入` / `out`: none of the tied units at the line get it.
    AllOut,
    /// `按排名` / `break`: the ranking's tie-breakers decide.
    Break,
}

/// `优秀 >= 90 比例 不超过 20% 每组`
#[derive(Debug, Clone)]
pub struct GradeBand {
    /// The grade's name.
    pub name: Name,
    /// Its threshold or condition; `None` is the catch-all.
    pub condition: Option<BandCondition>,
    /// Its quota.
    pub quota: Option<Quota>,
    /// The whole band.
    pub span: Span,
}

/// How a unit qualifies for a band.
#[derive(Debug, Clone)]
pub enum BandCondition {
    /// `>= 90` (inclusive: true) or `> 90` (false)
    Threshold {
        /// The threshold.
        value: Expr,
        /// Whether a total equal to the threshold qualifies (含).
        inclusive: bool,
    },
    /// `当 总分 >= 90 且 满意率 >= 80%`
    When(Expr),
}

/// `比例 不超过 20% 每组 按 类型`, `名额 6`
#[derive(Debug, Clone)]
pub struct Quota {
    /// A share or a count.
    pub amount: Spanned<QuotaAmount>,
    /// `每组`: applied within each group; the column if named.
    pub per_group: Option<Option<Name>>,
    /// Where `每组 ...` is written.
    pub scope_span: Option<Span>,
}

/// A quota's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotaAmount {
    /// `20%`, as a fraction.
    Share(Decimal),
    /// `6` units.
    Count(u32),
}

/// `排名 按 总分 降序 再按 工作考核 降序 每组 密集`
#[derive(Debug, Clone)]
pub struct RankingDecl {
    /// The sort keys: the first, then the tie-breakers.
    pub keys: Vec<RankKey>,
    /// `每组` (and its column if named).
    pub per_group: Option<Option<Name>>,
    /// Where `每组 ...` is written.
    pub scope_span: Option<Span>,
    /// `密集`
    pub dense: bool,
    /// The whole declaration.
    pub span: Span,
}

/// One sort key of a ranking.
#[derive(Debug, Clone)]
pub struct RankKey {
    /// What is compared.
    pub expr: Expr,
    /// `升序`; descending by default.
    pub ascending: bool,
}

/// `测试 "..." { 数据 ... 期望 ... }`
#[derive(Debug, Clone)]
pub struct TestDecl {
    /// Its name.
    pub name: Spanned<String>,
    /// Inline data tables.
    pub data: Vec<TestData>,
    /// What must come out.
    pub expectations: Vec<Expectation>,
    /// The whole declaration.
    pub span: Span,
}

/// `数据 季度进度 (名称, 季度, 完成率) { ("海陵区", "Q1", 100%) }`
#[derive(Debug, Clone)]
pub struct TestData {
    /// The table filled.
    pub table: Name,
    /// The columns given, in row order.
    pub columns: Vec<Name>,
    /// The rows.
    pub rows: Vec<Spanned<Vec<Spanned<Literal>>>>,
    /// The whole clause.
    pub span: Span,
}

/// `期望 "海陵区" 总分 = 92.5`
#[derive(Debug, Clone)]
pub struct Expectation {
    /// The unit's key.
    pub unit: Spanned<String>,
    /// Which figure.
    pub subject: Spanned<ExpectSubject>,
    /// Its expected value.
    pub value: Spanned<ExpectValue>,
    /// The whole clause.
    pub span: Span,
}

/// Which figure of a unit a test checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpectSubject {
    /// `总分`
    Total,
    /// `等次`
    Grade,
    /// `排名`
    Rank,
    /// `组内排名`
    GroupRank,
    /// `扣分 督查通报`: the amount that clause took.
    Deduction(Name),
    /// `加分 创优`
    Bonus(Name),
    /// `否决 安全`: whether the veto struck.
    Veto(Name),
    /// `工作考核` or `重点工作 Q1`
    Indicator {
        /// The indicator.
        path: Vec<Name>,
        /// One period's score, as written (`Q1`, `一季度`).
        period: Option<Spanned<String>>,
    },
}

/// An expected value: a literal or a grade name.
#[derive(Debug, Clone, PartialEq)]
pub enum ExpectValue {
    /// `92.5`, `是`
    Literal(Literal),
    /// `优秀`
    Name(String),
}

/// `覆盖 ...`: replaces part of the base scheme.
#[derive(Debug, Clone)]
pub enum Override {
    /// `覆盖 指标 工作考核.重点工作 35% { ... }`
    Indicator(IndicatorOverride),
    /// `覆盖 参数 x = 3`
    Param(ParamDecl),
    /// `覆盖 扣分 ...`
    Deduction(DeductionDecl),
    /// `覆盖 加分 ...`
    Bonus(BonusDecl),
    /// `覆盖 一票否决 ...`
    Veto(VetoDecl),
    /// `覆盖 等次 { ... }`
    Grades(GradesDecl),
    /// `覆盖 排名 ...`
    Ranking(RankingDecl),
}

/// `覆盖 指标 工作考核.重点工作 35% { ... }`
#[derive(Debug, Clone)]
pub struct IndicatorOverride {
    /// The indicator replaced.
    pub path: Vec<Name>,
    /// A new title.
    pub title: Option<Spanned<String>>,
    /// A new weight.
    pub weight: Option<Spanned<Weight>>,
    /// A new body.
    pub clauses: Option<Vec<Spanned<IndicatorClause>>>,
    /// The whole declaration.
    pub span: Span,
}

/// `删除 指标 公众评议.民意调查`
#[derive(Debug, Clone)]
pub struct RemoveDecl {
    /// What kind of thing.
    pub kind: RemoveKind,
    /// Its name or path.
    pub path: Vec<Name>,
    /// The whole declaration.
    pub span: Span,
}

/// What `删除` removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoveKind {
    /// `指标`
    Indicator,
    /// `扣分`
    Deduction,
    /// `加分`
    Bonus,
    /// `一票否决`
    Veto,
    /// `参数`
    Param,
    /// `测试`
    Test,
}

/// A literal value in data defaults, test rows and formulas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Literal {
    /// `12.5`, `-2`
    Number(Decimal),
    /// `95%`, held as 0.95
    Percent(Decimal),
    /// `"海陵区"`
    Text(String),
    /// `2014-01-01`
    Date(Date),
    /// `30 天`, in days
    Duration(Decimal),
    /// `是` / `否`
    Bool(bool),
    /// `空` / `null`
    Null,
}

/// An expression with its span.
#[derive(Debug, Clone)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it was written.
    pub span: Span,
}

/// The kinds of expression.
#[derive(Debug, Clone)]
pub enum ExprKind {
    /// `12`, `95%`, `"x"`, `2014-01-01`, `30 天`, `是`
    Literal(Literal),
    /// `总分` / `total`
    Total,
    /// `完成率`, `评议.分数`, `工作考核.重点工作`
    Path(Vec<Name>),
    /// `min(a, b)`, `count(事故 where 等级 = "重大")`
    Call {
        /// The function's name.
        function: Name,
        /// Its arguments.
        args: Vec<Arg>,
    },
    /// `["重大", "特大"]`
    List(Vec<Expr>),
    /// `-x`, `非 x`
    Unary {
        /// The operator.
        op: Spanned<UnaryOp>,
        /// Its operand.
        operand: Box<Expr>,
    },
    /// `a + b`, `a >= b`, `a 且 b`
    Binary {
        /// The operator.
        op: Spanned<BinOp>,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// `如果 c 则 a 否则 b`
    If {
        /// The condition.
        cond: Box<Expr>,
        /// Value when true.
        then: Box<Expr>,
        /// Value when false.
        otherwise: Box<Expr>,
    },
    /// `分段 x { >= 90% => 90, 否则 => 0 }`
    Piecewise {
        /// The value tested.
        subject: Box<Expr>,
        /// Pieces in order; the first that matches wins.
        pieces: Vec<Piece>,
    },
    /// A part that could not be parsed (already reported).
    Error,
}

/// One argument of a call.
#[derive(Debug, Clone)]
pub struct Arg {
    /// `去掉最高:` — the argument's name, if given.
    pub name: Option<Name>,
    /// The value.
    pub value: Expr,
    /// `where ...` — a row filter, for aggregates.
    pub filter: Option<Expr>,
}

/// One piece of a piecewise expression: `>= 90% => 90`.
#[derive(Debug, Clone)]
pub struct Piece {
    /// The test; `None` is `否则` / `else`.
    pub test: Option<(Spanned<BinOp>, Expr)>,
    /// The value when the test holds.
    pub value: Expr,
    /// The whole piece.
    pub span: Span,
}

/// A prefix operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-x`
    Neg,
    /// `非 x` / `not x`
    Not,
}

/// An infix operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `且` / `and`
    And,
    /// `或` / `or`
    Or,
    /// `属于` / `in`
    In,
}

impl BinOp {
    /// How the operator is written in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Eq => "=",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::And => "and",
            BinOp::Or => "or",
            BinOp::In => "in",
        }
    }

    /// Whether the operator compares two values.
    pub fn is_comparison(self) -> bool {
        match self {
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => true,
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::And | BinOp::Or | BinOp::In => false,
        }
    }
}
