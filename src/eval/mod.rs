//! `eval`: a checked scheme + a dataset → every unit's figures.
//!
//! The order of work is the one documented in `docs/language.md` ("How a
//! scheme is evaluated"): leaf indicators (per period, combined by period
//! weights), their deductions and bonuses, parents, the total with its own
//! deductions, bonuses and caps, rounding, vetoes, ranking, grades with
//! quotas. Everything up to the vetoes is one unit's own affair, so units
//! are scored in batches on every core (`batch`, `Engine::score`);
//! ranking, grading and the results follow once for all units
//! (`Engine::publish`). Formulas run over a batch's columns ([`expr`]);
//! all arithmetic is checked decimal arithmetic ([`ops`]). A fault (division
//! by zero, a value missing where a score needs it) is reported with the
//! unit, the item and the scheme line, and the other units are still
//! evaluated; of many faults, the first 50 found batch by batch are shown
//! and the rest counted.

mod batch;
pub mod expr;
mod fixed;
pub mod ops;
mod rank;
mod values;

use std::borrow::Cow;
use std::sync::Arc;

use rust_decimal::Decimal;

use crate::data::{Dataset, Interner, Sym, TableData};
use crate::decimals::{Decimals, Entry, Fixed, NumberCells};
use crate::diagnostics::{Diagnostic, Diagnostics, codes};
use crate::flags::Flags;
use crate::model::{Adjustment, AmountRule, ExprKind, IndicatorId, Scheme, Target, VetoEffect, Weight};
use crate::report::{AdjustmentFigures, AdjustmentKind, Assessment, IndicatorDerivation, IndicatorFigures, Name, Occurrence, UnitColumns};
use crate::source::{SourceFile, Span};
use crate::text;
use expr::{Period, Scope};
use fixed::figures;
use ops::OpError;
use rank::{Grades, Ranks};

/// Most faults reported one by one; the rest are counted.
const MAX_FAULTS: usize = 50;

/// Evaluates a scheme on a dataset; the results keep the derivation of every figure.
pub fn evaluate(scheme: &Scheme, data: &Dataset) -> (Assessment, Diagnostics) {
    evaluate_in_batches(scheme, data, Derivation::Kept, batch::BATCH_UNITS, &mut |_, _| {})
}

/// [`evaluate`], keeping the derivation or not, and telling `scored(done,
/// units)` each time more units are scored. It takes the dataset: once
/// every unit is scored, the tables that ranking and grading do not read
/// are freed, so that at national scale the rows of the per-quarter tables
/// are not held while the results are put together.
pub fn evaluate_reporting(
    scheme: &Scheme,
    mut data: Dataset,
    derivation: Derivation,
    scored: &mut dyn FnMut(usize, usize),
) -> (Assessment, Diagnostics) {
    let (units, faults) = batch::score(scheme, &data, derivation, batch::BATCH_UNITS, scored);
    for (table, read) in data.tables.iter_mut().zip(ReadWhenPublishing::of(scheme).tables) {
        if !read {
            *table = TableData::default();
        }
    }
    publish(scheme, &data, units, faults)
}

/// What ranking and grading read: the units table (the units' groups),
/// and the tables and indicators' scores that the formulas worked out
/// after scoring name (`Scheme::walk_publish_formulas`).
struct ReadWhenPublishing {
    /// By table.
    tables: Vec<bool>,
    /// By indicator.
    indicators: Vec<bool>,
}

impl ReadWhenPublishing {
    fn of(scheme: &Scheme) -> ReadWhenPublishing {
        let mut read = ReadWhenPublishing { tables: vec![false; scheme.tables.len()], indicators: vec![false; scheme.indicators.len()] };
        let mark = |column: &mut Vec<bool>, i: usize| {
            if let Some(r) = column.get_mut(i) {
                *r = true;
            }
        };
        mark(&mut read.tables, scheme.units.table);
        scheme.walk_publish_formulas(&mut |e| {
            e.walk(&mut |node| match node.kind {
                ExprKind::Column { table, .. } | ExprKind::Aggregate { table, .. } => mark(&mut read.tables, table),
                ExprKind::Indicator(i) => mark(&mut read.indicators, i),
                _ => {}
            });
        });
        read
    }
}

/// Whether the results keep how the figures came about: each indicator's
/// score before its own deductions and bonuses, its contributions to the
/// parent and its per-period scores; each unit's deductions and bonuses
/// with the rows behind them, the ranking keys and why the grade is not
/// the one the total gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Derivation {
    /// Kept, for what reads it: `explain`, JSON, snapshots, `diff`, the scheme's tests.
    Kept,
    /// Left out, when only the figures a table or CSV shows are wanted: at
    /// national scale the derivation is most of the results' memory.
    LeftOut,
}

/// Evaluates, scoring the units in batches of `batch_units`.
fn evaluate_in_batches(
    scheme: &Scheme,
    data: &Dataset,
    derivation: Derivation,
    batch_units: usize,
    progress: &mut dyn FnMut(usize, usize),
) -> (Assessment, Diagnostics) {
    let (scored, faults) = batch::score(scheme, data, derivation, batch_units, progress);
    publish(scheme, data, scored, faults)
}

/// Ranks, grades and publishes the units scored, with the faults found so far and since.
fn publish(scheme: &Scheme, data: &Dataset, scored: Scored, mut faults: Faults) -> (Assessment, Diagnostics) {
    let tables = data.tables_sorted_by_unit();
    let mut engine = Engine::new(scheme, data.unit_keys(), &tables, &data.strings);
    let assessment = engine.publish(scored);
    faults.append(engine.faults);
    (assessment, faults.finish())
}

/// The state of one evaluation: scoring one batch of units, or ranking,
/// grading and publishing all of them.
pub struct Engine<'a> {
    scheme: &'a Scheme,
    /// The key of each unit evaluated.
    unit_keys: crate::data::UnitKeys<'a>,
    /// The rows of those units, one entry per table of the scheme.
    tables: &'a [Cow<'a, TableData>],
    /// The unit of each row of each table ([`TableData::row_units`]), made
    /// when first read: publishing reads none.
    row_units: Vec<std::cell::OnceCell<Vec<crate::data::UnitId>>>,
    /// The dataset's texts plus the scheme's constants.
    strings: Texts<'a>,
    /// Final score of each indicator per unit, once computed.
    scores: Vec<Option<Decimals>>,
    /// What each indicator contributes to its parent per unit, once its score is computed.
    contributions: Vec<Decimals>,
    /// Published (rounded) totals, once computed.
    totals: Option<Decimals>,
    /// Where the formula being evaluated was written, and what it computes.
    current: Option<(Arc<SourceFile>, String)>,
    faults: Faults,
    /// Which values of the scope being evaluated are actually used, so that
    /// only their faults count: not those of units an indicator does not
    /// apply to, of rows that do not take a branch, nor of units that do not
    /// take a branch holding something computed for every unit (an aggregate).
    mask: Option<(Scope, Vec<bool>)>,
    /// Subsets of rows and of units, referenced by `Scope::Rows { subset }`
    /// and `Scope::Units { subset }`.
    subsets: Vec<Vec<u32>>,
    /// The subset of each table's rows in one period, made once.
    period_rows: std::collections::HashMap<(crate::model::TableId, Period), u32>,
    /// Row-scope results already computed, by formula shape and scope:
    /// `如果 count(x where f) > 5 则 trimmed_mean(x.v where f) 否则 avg(x.v where f)`
    /// evaluates `f` once. Shared, not copied: a result is a column of the
    /// table's rows.
    memo: std::collections::HashMap<(String, Scope), std::rc::Rc<Shared>>,
    /// Each unit's row of a one-row-per-unit table, by table and period index.
    unit_rows: std::collections::HashMap<(crate::model::TableId, Option<usize>), std::rc::Rc<[u32]>>,
    /// The distinct texts of a units-table column, by column: the group
    /// column is read for the results' group names, the ranks per group and
    /// the quotas per group.
    distinct: std::collections::HashMap<usize, std::rc::Rc<Distinct>>,
    /// While computing a shared result: its faults, kept to be reported
    /// under the mask of each formula that uses it.
    pending: Option<Vec<Pending>>,
}

/// The faults found, the first `MAX_FAULTS` in full, the rest counted.
#[derive(Default)]
struct Faults {
    shown: Vec<Diagnostic>,
    more: usize,
}

impl Faults {
    fn push(&mut self, d: Diagnostic) {
        if self.shown.len() < MAX_FAULTS {
            self.shown.push(d);
        } else {
            self.more += 1;
        }
    }

    /// Adds the faults found after these.
    fn append(&mut self, later: Faults) {
        self.more += later.more;
        for d in later.shown {
            self.push(d);
        }
    }

    fn finish(self) -> Diagnostics {
        let mut diags = Diagnostics::new();
        for d in self.shown {
            diags.push(d);
        }
        if self.more > 0 {
            let n = self.more;
            diags.push(Diagnostic::general(
                &codes::EVAL_MISSING_VALUE,
                text!("… and {n} more problems of the same kinds", "……另有 {n} 个同类问题"),
            ));
        }
        diags
    }
}

/// Every unit's figures that depend on that unit alone: all of them up to
/// the published total and the vetoes. Units can be scored in batches and
/// the batches put one after the other (`append`).
#[derive(Default)]
struct Scored {
    /// Whether each indicator applies to each unit.
    applies: Vec<Flags>,
    /// What each deduction takes from each unit.
    deductions: Vec<Applied>,
    /// What each bonus gives each unit.
    bonuses: Vec<Applied>,
    /// Each indicator's final score per unit, in as few bytes as its
    /// figures allow (at national scale these are most of what scoring keeps).
    scores: Vec<NumberCells>,
    /// How they came about, unless left out.
    derivation: Option<ScoredDerivation>,
    /// Each unit's total before rounding.
    exact: NumberCells,
    /// Each unit's published total, vetoes applied.
    published: NumberCells,
    /// The vetoes that struck each unit.
    vetoes: Struck,
}

/// The vetoes that struck each unit, kept for the units struck only (few).
#[derive(Default)]
struct Struck {
    /// How many units in all.
    units: usize,
    /// Each unit struck and a veto that struck it, by unit, then veto.
    pairs: Vec<(u32, u32)>,
}

impl Struck {
    /// Puts the units of `next` after these.
    fn append(&mut self, next: Struck) {
        let shift = u32::try_from(self.units).unwrap_or(u32::MAX);
        self.pairs.extend(next.pairs.into_iter().map(|(u, v)| (u.saturating_add(shift), v)));
        self.units += next.units;
    }
}

/// Each indicator's figures behind its scores (see [`Derivation`]).
#[derive(Default)]
struct ScoredDerivation {
    /// Each indicator's score before its own deductions and bonuses.
    before: Vec<Decimals>,
    /// What each indicator contributes to its parent.
    contributions: Vec<Decimals>,
    /// Each indicator's per-period scores.
    periods: Vec<PeriodScores>,
}

impl Scored {
    /// Makes room for `units` units in all, so that appending batches
    /// never copies the figures so far (nor leaves room unused).
    fn reserve(&mut self, units: usize) {
        let scored = self.exact.len().max(1);
        let more = |len: usize| (len / scored).saturating_mul(units).saturating_sub(len);
        for column in &mut self.scores {
            column.reserve(more(column.len()));
        }
        if let Some(derivation) = &mut self.derivation {
            derivation.reserve(&more);
        }
        self.applies.iter_mut().for_each(|a| a.reserve(more(a.len())));
        self.exact.reserve(more(self.exact.len()));
        self.published.reserve(more(self.published.len()));
    }

    /// Puts the units of `next` after these.
    fn append(&mut self, next: Scored) {
        for (all, more) in self.applies.iter_mut().zip(next.applies) {
            all.append(&more);
        }
        for (all, more) in self.deductions.iter_mut().chain(&mut self.bonuses).zip(next.deductions.into_iter().chain(next.bonuses)) {
            all.append(more);
        }
        for (all, more) in self.scores.iter_mut().zip(next.scores) {
            all.append(more);
        }
        if let (Some(all), Some(more)) = (&mut self.derivation, next.derivation) {
            all.append(more);
        }
        self.exact.append(next.exact);
        self.published.append(next.published);
        self.vetoes.append(next.vetoes);
    }
}

impl ScoredDerivation {
    /// Makes room: `more(len)` entries more for a column of `len` (see [`Scored::reserve`]).
    fn reserve(&mut self, more: &dyn Fn(usize) -> usize) {
        for column in self.before.iter_mut().chain(&mut self.contributions) {
            column.reserve(more(column.len()));
        }
        self.periods.iter_mut().for_each(|p| p.scores.reserve(more(p.scores.len())));
    }

    /// Puts the units of `next` after these.
    fn append(&mut self, next: ScoredDerivation) {
        for (all, more) in self.before.iter_mut().chain(&mut self.contributions).zip(next.before.into_iter().chain(next.contributions)) {
            all.append(&more);
        }
        for (all, more) in self.periods.iter_mut().zip(next.periods) {
            all.append(&more);
        }
    }
}

/// A row-scope result computed once for every formula of its shape: the
/// values, and the faults found computing them (reported again for each).
struct Shared {
    values: values::Values,
    faults: Vec<Pending>,
}

/// A fault found while computing a shared result.
#[derive(Debug, Clone, Copy)]
struct Pending {
    index: usize,
    span: Span,
    fault: OpError,
}

/// What one deduction or bonus does to each unit, kept for the units it
/// touches only: those with an occurrence or struck by `清零` (few, in
/// general), and any whose own cap gives its nothing another amount than 0.
/// Every other unit's amount is 0, before and after the cap.
struct Applied {
    /// How many units in all.
    units: usize,
    /// The units touched, in order; the columns below have one entry for each.
    touched: Vec<u32>,
    /// Amount after cancellation and the clause's cap.
    amount: Decimals,
    /// Amount before the cap.
    uncapped: Decimals,
    /// Rows and rules that counted.
    occurrences: Occurrences,
    /// `清零` struck.
    zero: Vec<bool>,
}

/// What the clauses aimed at one indicator do to each unit's score.
struct OwnAdjustments {
    /// Deducted, capped.
    taken: Decimals,
    /// Given as bonus.
    given: Decimals,
    /// `清零` struck: the score is 0.
    zeroed: Vec<bool>,
}

/// What one clause does to each unit: the amount after and before the
/// clause's cap (`caps`, per unit) is the sum of the amounts its occurrences
/// keep (`found`, ordered by unit), or their highest with `highest only`;
/// `struck` says which units `清零` strikes. Most units have no occurrence:
/// their amount is 0, capped, and kept only if the cap makes it another.
fn applied(
    units: usize,
    found: Vec<(usize, Decimal, Occurrence)>,
    highest_only: bool,
    caps: Option<&values::Values>,
    struck: &[bool],
) -> Applied {
    let capped = |u: usize, amount: Decimal| match caps.and_then(|c| c.num(u)) {
        Some(cap) => amount.min(cap),
        None => amount,
    };
    // Whether a unit without occurrences needs an entry: a cap below 0 makes its amount the cap.
    let capped_zero_is_another = |u: usize| Entry::of(capped(u, Decimal::ZERO)) != figures::ZERO;
    let every_unit = match caps {
        None | Some(values::Values::Same(_)) => capped_zero_is_another(0),
        Some(_) => true,
    };
    let mut candidates: Vec<usize> = if every_unit {
        (0..units).collect()
    } else {
        let struck = struck.iter().enumerate().filter(|(_, s)| **s).map(|(u, _)| u);
        let mut some: Vec<usize> = found.iter().map(|(u, _, _)| *u).chain(struck).collect();
        some.sort_unstable();
        some
    };
    candidates.dedup();
    let mut applied = Applied {
        units,
        touched: Vec::new(),
        amount: Decimals::default(),
        uncapped: Decimals::default(),
        occurrences: Occurrences { list: Vec::with_capacity(found.len()), starts: Vec::new() },
        zero: Vec::new(),
    };
    let mut found = found.into_iter().peekable();
    for u in candidates {
        let start = applied.occurrences.list.len();
        let (mut sum, mut highest) = (Decimal::ZERO, Decimal::ZERO);
        while let Some((_, kept, occurrence)) = found.next_if(|(of, _, _)| *of == u) {
            sum = sum.checked_add(kept).unwrap_or(sum);
            highest = highest.max(kept);
            applied.occurrences.list.push(occurrence);
        }
        let zero = struck.get(u).copied().unwrap_or(false);
        let any = applied.occurrences.list.len() > start;
        if !any && !zero && !capped_zero_is_another(u) {
            continue;
        }
        applied.touched.push(u32::try_from(u).unwrap_or(u32::MAX));
        applied.occurrences.starts.push(u32::try_from(start).unwrap_or(u32::MAX));
        applied.zero.push(zero);
        if any {
            let before_cap = if highest_only { highest } else { sum };
            applied.uncapped.push(Some(before_cap));
            applied.amount.push(Some(capped(u, before_cap)));
        } else {
            applied.uncapped.push_entry(figures::ZERO);
            applied.amount.push_entry(Entry::of(capped(u, Decimal::ZERO)));
        }
    }
    applied.occurrences.starts.push(u32::try_from(applied.occurrences.list.len()).unwrap_or(u32::MAX));
    applied
}

/// The occurrences of the units a clause touches, in one list ordered by
/// unit (few units have any: no list per unit).
struct Occurrences {
    list: Vec<Occurrence>,
    /// Where each unit touched has its occurrences start in `list`, and where the last one's end.
    starts: Vec<u32>,
}

impl Applied {
    /// Puts the units of `next` after these.
    fn append(&mut self, next: Applied) {
        let units = u32::try_from(self.units).unwrap_or(u32::MAX);
        self.touched.extend(next.touched.iter().map(|u| u.saturating_add(units)));
        self.units += next.units;
        self.amount.append(&next.amount);
        self.uncapped.append(&next.uncapped);
        self.zero.extend(next.zero);
        let shift = u32::try_from(self.occurrences.list.len()).unwrap_or(u32::MAX);
        self.occurrences.starts.pop();
        self.occurrences.starts.extend(next.occurrences.starts.iter().map(|s| s.saturating_add(shift)));
        self.occurrences.list.extend(next.occurrences.list);
    }

    /// Where unit `u`'s entries are, if the clause touches it.
    fn of(&self, u: usize) -> Option<usize> {
        self.touched.binary_search(&u32::try_from(u).ok()?).ok()
    }

    /// Unit `u`'s amount after the cap.
    fn amount(&self, u: usize) -> Entry {
        self.of(u).map_or(figures::ZERO, |i| self.amount.entry(i))
    }

    /// Whether the clause did something to the `i`-th unit touched: an occurrence counted, or `清零` struck.
    fn acts_on(&self, i: usize) -> bool {
        self.zero.get(i).copied().unwrap_or(false) || !self.occurrences.of(i).is_empty()
    }

    /// The units the clause did something to (see [`Applied::acts_on`]), in order.
    fn acted_on(&self) -> impl Iterator<Item = u32> + '_ {
        self.touched.iter().enumerate().filter(|(i, _)| self.acts_on(*i)).map(|(_, &u)| u)
    }
}

impl Occurrences {
    /// The `i`-th unit touched's occurrences.
    fn of(&self, i: usize) -> &[Occurrence] {
        let at = |i: usize| self.starts.get(i).map_or(0, |&s| s as usize);
        self.list.get(at(i)..at(i + 1)).unwrap_or_default()
    }
}

/// The units any of `clauses` touches, in order, each once.
fn touched_by<'c>(clauses: impl Iterator<Item = &'c Applied>, units: impl Fn(&'c Applied) -> Vec<u32>) -> Vec<u32> {
    let mut all: Vec<u32> = clauses.flat_map(units).collect();
    all.sort_unstable();
    all.dedup();
    all
}

impl<'a> Engine<'a> {
    /// An engine for the units `unit_keys`, whose rows are `tables`.
    fn new(scheme: &'a Scheme, unit_keys: crate::data::UnitKeys<'a>, tables: &'a [Cow<'a, TableData>], strings: &'a Interner) -> Self {
        Engine {
            scheme,
            unit_keys,
            tables,
            row_units: tables.iter().map(|_| std::cell::OnceCell::new()).collect(),
            strings: Texts::new(strings),
            scores: vec![None; scheme.indicators.len()],
            contributions: vec![Decimals::default(); scheme.indicators.len()],
            totals: None,
            current: None,
            faults: Faults::default(),
            mask: None,
            subsets: Vec::new(),
            period_rows: std::collections::HashMap::new(),
            memo: std::collections::HashMap::new(),
            unit_rows: std::collections::HashMap::new(),
            distinct: std::collections::HashMap::new(),
            pending: None,
        }
    }

    fn units(&self) -> usize {
        self.unit_keys.len()
    }

    /// The unit of each row of `table` (none for a table not in the scheme).
    fn row_units(&self, table: crate::model::TableId) -> &[crate::data::UnitId] {
        match (self.row_units.get(table), self.tables.get(table)) {
            (Some(units), Some(data)) => units.get_or_init(|| data.row_units()),
            _ => &[],
        }
    }

    /// Every unit's figures up to its published total and vetoes, and how
    /// the indicators' scores came about unless it is left out.
    fn score(&mut self, derivation: Derivation) -> Scored {
        let n = self.units();
        let deductions: Vec<Applied> = self.scheme.deductions.iter().map(|a| self.adjustment(a)).collect();
        let bonuses: Vec<Applied> = self.scheme.bonuses.iter().map(|a| self.adjustment(a)).collect();
        let applies = self.applicability();
        let indicators = self.scheme.indicators.len();
        let mut kept = (derivation == Derivation::Kept).then(|| ScoredDerivation {
            before: vec![Decimals::default(); indicators],
            contributions: Vec::new(),
            periods: vec![PeriodScores::default(); indicators],
        });
        for id in self.order() {
            let (score, before, per_period) = self.indicator(id, &applies, &deductions, &bonuses, kept.is_some());
            if let Some(kept) = &mut kept {
                kept.periods[id] = per_period;
                // A score that could not be computed counts 0 before adjustments.
                kept.before[id] = before.unwrap_or_else(|| score.clone()).into_figures();
            }
            self.scores[id] = Some(score);
            self.contributions[id] = self.contribution_column(id, &applies);
        }
        // The total: top-level indicators, then deductions and bonuses of the total.
        let roots = self.scheme.roots.clone();
        let base = self.weighted_sum(&roots, &applies);
        let total_deductions = self.capped_sum(&self.scheme.deductions, &deductions, Target::Total, self.scheme.deduction_cap);
        let total_bonuses = self.capped_sum(&self.scheme.bonuses, &bonuses, Target::Total, self.scheme.bonus_cap);
        let total_cap = self.scheme.total_cap.map(Entry::of);
        let mut exact = Vec::with_capacity(n);
        for u in 0..n {
            let base = base.entry(u);
            let mut t = figures::sub(base, total_deductions.entry(u)).unwrap_or(base);
            t = figures::add(t, total_bonuses.entry(u)).unwrap_or(t);
            if let Some(cap) = total_cap {
                t = figures::min(t, cap);
            }
            exact.push(t.figure());
        }
        let rounding = self.scheme.rounding;
        let mut published: Vec<Decimal> = exact.iter().map(|t| ops::round(*t, rounding.places, rounding.mode)).collect();
        self.totals = Some(published.iter().map(|&t| Some(t)).collect());
        // Vetoes are judged on the published total.
        let mut vetoes = Struck { units: n, pairs: Vec::new() };
        for (v, veto) in self.scheme.vetoes.iter().enumerate() {
            self.current = Some((veto.origin.file.clone(), veto.name.clone()));
            let hit = self.condition(&veto.when, Scope::every_unit(None));
            let v = u32::try_from(v).unwrap_or(u32::MAX);
            vetoes.pairs.extend(hit.iter().enumerate().filter(|(_, hit)| **hit).map(|(u, _)| (u32::try_from(u).unwrap_or(u32::MAX), v)));
        }
        vetoes.pairs.sort_unstable();
        for &(u, v) in &vetoes.pairs {
            if self.scheme.vetoes[v as usize].effects.contains(&VetoEffect::ScoreZero) {
                published[u as usize] = ops::round(Decimal::ZERO, rounding.places, rounding.mode);
            }
        }
        Scored {
            applies: applies.iter().map(|a| a.iter().copied().collect()).collect(),
            deductions,
            bonuses,
            scores: self.scores.iter_mut().map(|s| NumberCells::of_column(&s.take().unwrap_or_default())).collect(),
            derivation: kept.map(|kept| ScoredDerivation { contributions: std::mem::take(&mut self.contributions), ..kept }),
            exact: NumberCells::of_column(&exact.into_iter().map(Some).collect()),
            published: NumberCells::of_column(&published.into_iter().map(Some).collect()),
            vetoes,
        }
    }

    /// Ranks and grades the units scored, and hands every figure over to the results.
    fn publish(&mut self, scored: Scored) -> Assessment {
        let Scored { applies, deductions, bonuses, scores, derivation, exact, published, vetoes } = scored;
        // Ranking keys and band conditions read some indicators' scores, as the evaluation's columns.
        let n = self.units();
        let read = ReadWhenPublishing::of(self.scheme).indicators;
        self.scores = scores.iter().zip(read).map(|(column, read)| read.then(|| column.gather(0..n))).collect();
        // Ranking keys and band conditions may read the totals; nothing after them does.
        self.totals = Some(published.gather(0..published.len()));
        let ranks = self.rank();
        let grades = self.grade(&ranks, &vetoes);
        let published = self.totals.take().unwrap_or_default();
        let paths: Vec<String> = self.scheme.indicators.iter().map(|ind| ind.path.join(".")).collect();
        let mut results = Assessment::new(self.scheme.title.clone(), self.scheme.year);
        let kept = derivation.is_some();
        self.indicator_results(&mut results, &paths, scores, applies, derivation);
        let exact = exact.gather(0..exact.len());
        let (mut units, order) = self.unit_columns(&mut results, ranks, grades, &vetoes, published, exact);
        if !kept {
            units.leave_out_derivation();
        }
        results.push_units(units, &order);
        if kept {
            let acted_on = touched_by(deductions.iter().chain(&bonuses), |a| a.acted_on().collect());
            for u in acted_on.into_iter().map(|u| u as usize) {
                self.adjustment_results(&mut results, AdjustmentKind::Deduction, u, &self.scheme.deductions, &deductions, &paths);
                self.adjustment_results(&mut results, AdjustmentKind::Bonus, u, &self.scheme.bonuses, &bonuses, &paths);
            }
        }
        results
    }

    /// Every unit's figures as columns of `results`' names, in unit order,
    /// and the units in rank order (ties in key order).
    fn unit_columns(
        &mut self,
        results: &mut Assessment,
        ranks: Ranks,
        grades: Grades,
        vetoes: &Struck,
        published: Decimals,
        exact: Decimals,
    ) -> (UnitColumns<impl Fn(usize) -> &'a str + Sync + use<'a>>, Vec<usize>) {
        // Shared texts are named once here, not once a unit.
        let scheme = self.scheme;
        let groups = scheme.units.groups.iter().map(|&g| self.unit_names(results, g)).collect();
        let band_names: Vec<Name> = scheme.grades.bands.iter().map(|b| results.name(&b.name)).collect();
        let band = |b: usize| band_names.get(b).copied();
        let no_band = results.name("");
        let veto_names: Vec<Name> = scheme.vetoes.iter().map(|v| results.name(&v.name)).collect();
        let note_names: Vec<Name> =
            (0..grades.notes.len()).map(|i| results.name(grades.notes.resolve(Sym::try_from(i).unwrap_or(Sym::MAX)))).collect();
        let mut award_eligible = vec![true; self.units()];
        for &(u, v) in &vetoes.pairs {
            if scheme.vetoes[v as usize].effects.contains(&VetoEffect::NoAward) {
                award_eligible[u as usize] = false;
            }
        }
        let unit_keys = self.unit_keys;
        let Ranks { rank, group_rank, order, keys, .. } = ranks;
        let columns = UnitColumns {
            keys: move |u| unit_keys.key(u),
            groups,
            grades: grades.band.iter().map(|&b| band(b).unwrap_or(no_band)).collect(),
            ranks: rank,
            group_ranks: group_rank,
            vetoes: vetoes.pairs.iter().map(|&(u, v)| (u, veto_names[v as usize])).collect(),
            award_eligible,
            grade_notes: grades.note.iter().map(|n| n.and_then(|i| note_names.get(i as usize).copied())).collect(),
            over_quota: grades.over_quota.iter().map(|b| b.and_then(band)).collect(),
            totals: published,
            exact_totals: exact,
            rank_keys: keys,
        };
        (columns, order)
    }

    /// Each unit's text in units-table column `column` as a name of `results`
    /// (no text: the empty name), each distinct text looked up once.
    fn unit_names(&mut self, results: &mut Assessment, column: usize) -> Vec<Name> {
        let texts = self.distinct_unit_texts(column);
        let names: Vec<Name> = texts.values.iter().map(|sym| results.name(sym.map_or("", |s| self.strings.resolve(s)))).collect();
        texts.of_unit.iter().map(|&i| names[i]).collect()
    }

    /// The number among the distinct texts of units-table column `column`
    /// of the unit at each place of `order`. Rank order jumps about the
    /// units, so this is one pass of cache misses, shared over the cores;
    /// ranks and quotas per group then read their groups in sequence.
    fn groups_by_place(&mut self, column: usize, order: &[usize]) -> Vec<u32> {
        let texts = self.distinct_unit_texts(column);
        let of_unit: &[usize] = &texts.of_unit;
        let number = |u: &usize| of_unit.get(*u).and_then(|&g| u32::try_from(g).ok()).unwrap_or(u32::MAX);
        let work = crate::cores::Work::Columns(order.len());
        crate::cores::map(work, order.chunks(crate::cores::PART), |part| part.iter().map(number).collect::<Vec<u32>>()).concat()
    }

    /// The distinct texts of units-table column `column`, found once an evaluation.
    fn distinct_unit_texts(&mut self, column: usize) -> std::rc::Rc<Distinct> {
        if let Some(found) = self.distinct.get(&column) {
            return found.clone();
        }
        let found = std::rc::Rc::new(Distinct::of(&self.unit_texts(column)));
        self.distinct.insert(column, found.clone());
        found
    }

    /// Indicators in an order where every score comes after what it uses:
    /// children before parents, referenced indicators before their users.
    fn order(&self) -> Vec<IndicatorId> {
        let n = self.scheme.indicators.len();
        let deps: Vec<Vec<IndicatorId>> = (0..n)
            .map(|i| {
                let ind = &self.scheme.indicators[i];
                let mut d = ind.children.clone();
                if let Some(e) = &ind.score {
                    e.walk(&mut |node| {
                        if let crate::model::ExprKind::Indicator(i) = node.kind {
                            d.push(i);
                        }
                    });
                }
                d
            })
            .collect();
        let mut done = vec![false; n];
        let mut order = Vec::with_capacity(n);
        for start in 0..n {
            let mut stack = vec![(start, 0usize)];
            while let Some((node, next)) = stack.pop() {
                if done[node] {
                    continue;
                }
                if let Some(&dep) = deps[node].get(next) {
                    stack.push((node, next + 1));
                    // The checker rejects cycles, so the depth is bounded by the number of indicators.
                    if !done[dep] && !stack.iter().any(|(s, _)| *s == dep) {
                        stack.push((dep, 0));
                    }
                } else {
                    done[node] = true;
                    order.push(node);
                }
            }
        }
        order
    }

    /// Whether each indicator applies to each unit (`适用`): its own
    /// condition holds and its parent applies (parents come first).
    fn applicability(&mut self) -> Vec<Vec<bool>> {
        let n = self.units();
        let mut applies: Vec<Vec<bool>> = Vec::with_capacity(self.scheme.indicators.len());
        for i in 0..self.scheme.indicators.len() {
            let mut own = match &self.scheme.indicators[i].applies {
                Some(cond) => {
                    let cond = cond.clone();
                    self.condition(&cond, Scope::every_unit(None))
                }
                None => vec![true; n],
            };
            if let Some(parent) = self.scheme.indicators[i].parent.and_then(|p| applies.get(p)) {
                own.iter_mut().zip(parent).for_each(|(a, p)| *a &= p);
            }
            applies.push(own);
        }
        applies
    }

    /// One indicator's final score per unit, its score before its own
    /// deductions and bonuses where that differs (`None`: the same), and its
    /// per-period scores.
    fn indicator(
        &mut self,
        id: IndicatorId,
        applies: &[Vec<bool>],
        deductions: &[Applied],
        bonuses: &[Applied],
        keep_periods: bool,
    ) -> (Decimals, Option<Decimals>, PeriodScores) {
        let n = self.units();
        let ind = &self.scheme.indicators[id];
        self.current = Some((ind.origin.file.clone(), ind.path.join(".")));
        let mut per_period = PeriodScores::default();
        let raw: Decimals = if !ind.children.is_empty() {
            let children = ind.children.clone();
            self.weighted_sum(&children, applies)
        } else if let Some(formula) = ind.score.clone() {
            // Units the indicator does not apply to are not evaluated for faults.
            let applicable = applies[id].clone();
            match ind.periods.clone() {
                None => {
                    let scope = Scope::every_unit(None);
                    self.masked(scope, applicable, |this| this.values(&formula, scope)).into_numbers(n)
                }
                Some(periods) => {
                    let count = periods.kind.per_year();
                    // As columns, so that a constant score is taken apart once, not once a unit.
                    let columns: Vec<Decimals> = (0..count)
                        .map(|index| {
                            let scope = Scope::every_unit(Some(Period { kind: periods.kind, index }));
                            self.masked(scope, applicable.clone(), |this| this.values(&formula, scope)).into_numbers(n)
                        })
                        .collect();
                    let combined = PeriodWeights::of(periods.weights.as_deref()).combine_columns(&columns, n);
                    if keep_periods {
                        per_period = PeriodScores::new(n, &columns);
                    }
                    combined
                }
            }
        } else {
            let full_marks = Entry::of(ind.full_marks);
            (0..n).map(|_| full_marks).collect()
        };
        let own = self.own_adjustments(id, deductions, bonuses);
        let (floor, rounding) = (Entry::of(self.scheme.indicators[id].floor), self.scheme.rounding);
        if own.is_none() && !rounding.each_indicator {
            // Nothing taken or given, nothing rounded (the floor cannot raise
            // a score): the score is the one computed, word for word.
            for (u, &applicable) in applies[id].iter().enumerate() {
                if applicable && !raw.is_present(u) {
                    self.missing(u, id);
                }
            }
            return (raw, None, per_period);
        }
        let mut out = Decimals::with_capacity(n);
        for (u, &applicable) in applies[id].iter().enumerate() {
            let score = raw.entry(u);
            out.push_entry(match (score, &own) {
                (Entry::Empty, _) => {
                    if applicable {
                        self.missing(u, id);
                    }
                    Entry::Empty
                }
                // Nothing taken or given: the floor cannot raise a score.
                (_, None) => rounded_if_each(score, rounding),
                (_, Some(own)) if own.zeroed[u] => figures::ZERO,
                (_, Some(own)) => adjusted(score, own.taken.entry(u), own.given.entry(u), floor, rounding),
            });
        }
        (out, Some(raw), per_period)
    }

    /// What the clauses aimed at an indicator take from and give to each
    /// unit's score (`None` when no clause aims at it, as for most).
    fn own_adjustments(&self, id: IndicatorId, deductions: &[Applied], bonuses: &[Applied]) -> Option<OwnAdjustments> {
        let aims = |a: &Adjustment| a.target == Target::Indicator(id);
        if !self.scheme.deductions.iter().chain(&self.scheme.bonuses).any(aims) {
            return None;
        }
        let n = self.units();
        let taken = self.capped_sum(&self.scheme.deductions, deductions, Target::Indicator(id), self.scheme.indicators[id].deduction_cap);
        let given = self.capped_sum(&self.scheme.bonuses, bonuses, Target::Indicator(id), None);
        let zeroing: Vec<&Applied> = self.scheme.deductions.iter().zip(deductions).filter(|(d, _)| aims(d)).map(|(_, a)| a).collect();
        let mut zeroed = vec![false; n];
        for a in zeroing {
            for (&u, _) in a.touched.iter().zip(&a.zero).filter(|(_, zero)| **zero) {
                zeroed[u as usize] = true;
            }
        }
        Some(OwnAdjustments { taken, given, zeroed })
    }

    /// `Σ factor × score` over the siblings that apply to each unit.
    fn weighted_sum(&self, ids: &[IndicatorId], applies: &[Vec<bool>]) -> Decimals {
        let mut sums = vec![figures::ZERO; self.units()];
        for &i in ids {
            let (applies, parts) = (&applies[i], &self.contributions[i]);
            for (u, sum) in sums.iter_mut().enumerate() {
                if !applies[u] {
                    continue;
                }
                // In the narrow lane where both are narrow, without taking the part apart as an entry.
                let narrow = match (*sum, parts.narrow(u)) {
                    (Entry::Narrow(a), Some(b)) => fixed::add(a, b),
                    _ => None,
                };
                *sum = narrow.map_or_else(|| figures::add(*sum, parts.entry(u)).unwrap_or(*sum), Entry::Narrow);
            }
        }
        sums.into_iter().collect()
    }

    /// What an indicator's score contributes to its parent for each unit:
    /// `factor × score`, with ratio weights shared out over the siblings that
    /// apply to the unit (divided last, so 0.2 × 70 ÷ 0.7 is exactly 20).
    fn contribution_column(&self, id: IndicatorId, applies: &[Vec<bool>]) -> Decimals {
        let ind = &self.scheme.indicators[id];
        let siblings = match ind.parent {
            Some(p) => &self.scheme.indicators[p].children,
            None => &self.scheme.roots,
        };
        let ratio = matches!(ind.weight, Weight::Ratio(_));
        let scores = self.scores[id].as_ref().unwrap_or(Decimals::empty());
        let factor = Entry::of(ind.factor);
        if let (false, Entry::Narrow(f)) = (ratio, factor) {
            // Most indicators: `factor × score` where the indicator applies,
            // in the narrow lane unit after unit.
            let mut column = Decimals::with_capacity(self.units());
            for (u, &applies) in applies[id].iter().enumerate() {
                let part = match applies {
                    false => figures::ZERO,
                    true => scores
                        .narrow(u)
                        .and_then(|s| fixed::mul(f, s))
                        .map_or_else(|| figures::mul(factor, scores.entry(u)).unwrap_or(figures::ZERO), Entry::Narrow),
                };
                column.push_entry(part);
            }
            return column;
        }
        (0..self.units())
            .map(|u| {
                if !applies[id][u] {
                    return figures::ZERO;
                }
                let part = figures::mul(factor, scores.entry(u)).unwrap_or(figures::ZERO);
                if !ratio {
                    return part;
                }
                let applicable: Decimal = siblings.iter().filter(|&&s| applies[s][u]).map(|&s| self.scheme.indicators[s].share).sum();
                let part = part.figure();
                Entry::of(if applicable.is_zero() { part } else { part.checked_div(applicable).unwrap_or(part) })
            })
            .collect()
    }

    /// The sum of the clauses aimed at `target`, each already capped, then
    /// capped as a whole by `cap`.
    fn capped_sum(&self, clauses: &[Adjustment], applied: &[Applied], target: Target, cap: Option<Decimal>) -> Decimals {
        let aimed: Vec<&Applied> = clauses.iter().zip(applied).filter(|(c, _)| c.target == target).map(|(_, a)| a).collect();
        let cap = cap.map(Entry::of);
        let capped = |sum: Entry| cap.map_or(sum, |c| figures::min(sum, c));
        if aimed.is_empty() {
            // Most indicators have no clause of their own.
            let none = capped(figures::ZERO);
            return (0..self.units()).map(|_| none).collect();
        }
        // A unit no clause touches has 0 from each.
        let none = capped(figures::ZERO);
        let touched = touched_by(aimed.iter().copied(), |a| a.touched.clone());
        let mut touched = touched.iter().peekable();
        (0..self.units())
            .map(|u| {
                if touched.next_if(|&&t| t as usize == u).is_none() {
                    return none;
                }
                // An overflowing sum (amounts beyond 28 digits) stays at what it had reached.
                let sum = aimed.iter().fold(figures::ZERO, |sum, a| figures::add(sum, a.amount(u)).unwrap_or(sum));
                capped(sum)
            })
            .collect()
    }

    /// What one deduction or bonus clause gives each unit.
    fn adjustment(&mut self, a: &Adjustment) -> Applied {
        let n = self.units();
        self.current = Some((a.origin.file.clone(), a.name.clone()));
        // Each occurrence with its unit and the amount it keeps once cancelled.
        let mut found: Vec<(usize, Decimal, Occurrence)> = Vec::new();
        for rule in &a.rules {
            match rule {
                AmountRule::PerRow { table, filter, amount: each, .. } => {
                    let rows = Scope::Rows { table: *table, period: None, subset: None };
                    let keep: Vec<bool> = match filter {
                        Some(f) => self.condition(f, rows),
                        None => vec![true; self.tables.get(*table).map_or(0, |t| t.len())],
                    };
                    let values = self.values(each, rows);
                    let mut cancelled = vec![Decimal::ZERO; keep.len()];
                    for clause in &a.expunge {
                        let hit = self.values(&clause.when, rows);
                        for (r, c) in cancelled.iter_mut().enumerate() {
                            if c.is_zero() && hit.truthy(r) {
                                *c = clause.share;
                            }
                        }
                    }
                    let Some(data) = self.tables.get(*table) else { continue };
                    let file: Arc<str> = Arc::from(data.source.as_str());
                    for r in 0..keep.len() {
                        if !keep[r] {
                            continue;
                        }
                        let u = self.row_units(*table)[r] as usize;
                        let Some(v) = values.num(r) else { continue };
                        let kept = v.checked_mul(Decimal::ONE - cancelled[r]).unwrap_or(v);
                        let line = data.lines.get(r).copied().unwrap_or(0) as usize;
                        found.push((u, kept, Occurrence { file: file.clone(), line, amount: v, cancelled: cancelled[r] }));
                    }
                }
                AmountRule::Flat { amount: each, when, span } => {
                    let units = Scope::every_unit(None);
                    let hit = self.condition(when, units);
                    let values = self.values(each, units);
                    let file: Arc<str> = Arc::from(a.origin.file.name.as_str());
                    let line = a.origin.file.line_col(span.start).0;
                    for (u, _) in hit.iter().enumerate().filter(|(_, hit)| **hit) {
                        if let Some(v) = values.num(u) {
                            found.push((u, v, Occurrence { file: file.clone(), line, amount: v, cancelled: Decimal::ZERO }));
                        }
                    }
                }
            }
        }
        // Stable: a unit's occurrences stay in rule order, then row order.
        found.sort_by_key(|(u, _, _)| *u);
        let caps = a.cap.as_ref().map(|cap| self.values(cap, Scope::every_unit(None)));
        let struck = match &a.zero_when {
            Some(cond) => self.condition(cond, Scope::every_unit(None)),
            None => Vec::new(),
        };
        applied(n, found, a.highest_only, caps.as_ref(), &struck)
    }

    /// Hands every indicator's figures over to `results`, in unit order.
    fn indicator_results(
        &self,
        results: &mut Assessment,
        paths: &[String],
        scores: Vec<NumberCells>,
        applies: Vec<Flags>,
        derivation: Option<ScoredDerivation>,
    ) {
        let n = self.units();
        // Left out: no derivation for any indicator.
        let ScoredDerivation { before, contributions, periods } = derivation.unwrap_or_default();
        let mut derivations = before.into_iter().zip(contributions).zip(periods);
        for (i, (scores, applies)) in scores.into_iter().zip(applies).enumerate() {
            let derivation = derivations.next().map(|((before, contributions), periods)| {
                let per_unit = self.scheme.indicators[i].periods.as_ref().map_or(0, |p| p.kind.per_year());
                IndicatorDerivation {
                    before_adjustments: before,
                    contributions,
                    periods_per_unit: per_unit,
                    periods: periods.into_scores(n, per_unit),
                }
            });
            // A score may be missing; the figures before adjustments and the contributions never are.
            let figures = IndicatorFigures { scores: scores.into_figures(), applies, derivation };
            results.push_indicator(&paths[i], figures);
        }
    }

    /// Hands the deductions or bonuses that did something to unit `u` over to
    /// `results`.
    fn adjustment_results(
        &self,
        results: &mut Assessment,
        kind: AdjustmentKind,
        u: usize,
        clauses: &[Adjustment],
        applied: &[Applied],
        paths: &[String],
    ) {
        for (c, a) in clauses.iter().zip(applied) {
            let Some(i) = a.of(u).filter(|&i| a.acts_on(i)) else { continue };
            let occurrences = a.occurrences.of(i);
            let (amount, uncapped) = (a.amount.figure(i), a.uncapped.figure(i));
            results.push_adjustment(
                u,
                kind,
                AdjustmentFigures {
                    name: &c.name,
                    target: match c.target {
                        Target::Total => crate::report::TOTAL_TARGET,
                        Target::Indicator(i) => &paths[i],
                    },
                    amount,
                    uncapped,
                    occurrences,
                    limited: amount < uncapped,
                },
            );
        }
    }

    // ---- Faults ----

    /// The unit of a value in a scope.
    fn unit_of(&self, scope: Scope, index: usize) -> usize {
        match scope {
            Scope::Units { .. } => self.rows_of(scope).get(index),
            Scope::Rows { table, .. } => self.row_units(table).get(self.rows_of(scope).get(index)).map_or(0, |&u| u as usize),
        }
    }

    fn push_fault(&mut self, d: Diagnostic) {
        self.faults.push(d);
    }

    /// Whether the value at `index` of `scope` is used (see `mask`).
    fn wanted(&self, scope: Scope, index: usize) -> bool {
        match &self.mask {
            None => true,
            Some((s, m)) if *s == scope => m.get(index).copied().unwrap_or(true),
            Some((Scope::Units { .. }, m)) => m.get(self.unit_of(scope, index)).copied().unwrap_or(true),
            Some(_) => true,
        }
    }

    /// An arithmetic fault in a formula, for one unit.
    fn fault(&mut self, scope: Scope, index: usize, span: Span, fault: OpError) {
        if let Some(pending) = self.pending.as_mut() {
            pending.push(Pending { index, span, fault });
            return;
        }
        if !self.wanted(scope, index) {
            return;
        }
        let u = self.unit_of(scope, index);
        let unit = self.unit_keys.key(u).to_string();
        let Some((file, what)) = self.current.clone() else { return };
        let (code, message, help) = match fault {
            OpError::DivisionByZero => (
                &codes::EVAL_DIVISION_BY_ZERO,
                text!("division by zero in `{what}` for unit `{unit}`", "单位 `{unit}` 的 `{what}` 中除数为零"),
                text!(
                    "guard the formula: `如果 分母 = 0 则 ... 否则 ...` (`if x = 0 then ... else ...`), or correct the data",
                    "在公式中加以防护:`如果 分母 = 0 则 ... 否则 ...`,或更正数据"
                ),
            ),
            OpError::Overflow => (
                &codes::EVAL_OVERFLOW,
                text!("a number in `{what}` for unit `{unit}` is too large", "单位 `{unit}` 的 `{what}` 中数值过大"),
                text!("check the data for an implausible value", "检查数据中是否有不合理的数值"),
            ),
        };
        self.push_fault(Diagnostic::error(code, &file, message).with_label(span, text!("here", "此处")).with_help(help));
    }

    /// A score that could not be computed because a value it needs is empty.
    fn missing(&mut self, u: usize, id: IndicatorId) {
        let unit = self.unit_keys.key(u).to_string();
        let ind = &self.scheme.indicators[id];
        let what = ind.path.join(".");
        let d = Diagnostic::error(
            &codes::EVAL_MISSING_VALUE,
            &ind.origin.file,
            text!("the score of `{what}` for unit `{unit}` cannot be computed", "无法计算单位 `{unit}` 的 `{what}` 得分"),
        )
        .with_label(ind.origin.span, text!("a value this score needs is empty or missing", "此得分所需的值为空或缺失"))
        .with_help(text!(
            "fill in the data, give the column a `默认` / `default`, or guard the formula with `有值(...)` / `present(...)`",
            "补全数据,给该列设 `默认` 值,或在公式中用 `有值(...)` 判断"
        ));
        self.push_fault(d);
    }

    /// `avg`, `min`, `max` or a trimmed mean over no rows.
    fn empty_aggregate(&mut self, u: usize, span: Span, function: crate::model::Aggregate, trim: (u32, u32)) {
        if !self.wanted(Scope::every_unit(None), u) {
            return;
        }
        let unit = self.unit_keys.key(u).to_string();
        let Some((file, what)) = self.current.clone() else { return };
        let need = if function == crate::model::Aggregate::TrimmedMean { (trim.0 + trim.1 + 1).to_string() } else { "1".to_string() };
        self.push_fault(
            Diagnostic::error(
                &codes::EVAL_EMPTY_AGGREGATE,
                &file,
                text!("`{what}` for unit `{unit}` aggregates too few rows", "单位 `{unit}` 的 `{what}` 可汇总的行太少"),
            )
            .with_label(span, text!("needs at least {need} row(s)", "至少需要 {need} 行"))
            .with_help(text!(
                "add the rows to the data, or guard the formula: `如果 count(...) >= {need} 则 ... 否则 ...`",
                "在数据中补上这些行,或在公式中判断:`如果 count(...) >= {need} 则 ... 否则 ...`"
            )),
        );
    }
}

/// The dataset's texts, read-only, with the texts of the scheme's constants
/// interned beside them: a constant equal to a text of the data gets that
/// text's symbol, so texts still compare by symbol.
struct Texts<'a> {
    data: &'a Interner,
    /// Texts the data does not have; their symbols follow the data's.
    more: Interner,
}

impl<'a> Texts<'a> {
    fn new(data: &'a Interner) -> Self {
        Texts { data, more: Interner::default() }
    }

    /// The symbol of a text, adding it if neither the data nor an earlier constant has it.
    fn intern(&mut self, text: &str) -> Sym {
        self.data.get(text).unwrap_or_else(|| self.offset().saturating_add(self.more.intern(text)))
    }

    /// The text of a symbol.
    fn resolve(&self, sym: Sym) -> &str {
        match sym.checked_sub(self.offset()) {
            Some(more) => self.more.resolve(more),
            None => self.data.resolve(sym),
        }
    }

    fn offset(&self) -> Sym {
        Sym::try_from(self.data.len()).unwrap_or(Sym::MAX)
    }
}

/// One indicator's per-period scores for every unit, in one column: a
/// unit's scores are all there or (a period's score missing) none are.
#[derive(Debug, Clone, Default)]
struct PeriodScores {
    /// Periods a unit (0: not assessed per period).
    count: usize,
    /// `count` entries a unit; empty ones for a unit without its scores.
    scores: Decimals,
}

impl PeriodScores {
    /// The scores of each unit from one column of scores per period.
    fn new(units: usize, columns: &[Decimals]) -> PeriodScores {
        PeriodScores { count: columns.len(), scores: Decimals::interleave(columns, units) }
    }

    /// Puts the scores of `next`'s units after these (the count of periods
    /// is the indicator's, the same in both).
    fn append(&mut self, next: &PeriodScores) {
        self.count = next.count;
        self.scores.append(&next.scores);
    }

    /// The scores of `units` units, `count` a unit (empty ones for an
    /// indicator scored without its periods).
    fn into_scores(self, units: usize, count: usize) -> Decimals {
        if self.count != count {
            return (0..units * count).map(|_| None).collect();
        }
        self.scores
    }
}

/// The distinct texts of a units' column (a group, say), numbered from 0 in
/// order of first appearance, so that each is looked at once, not once a unit.
struct Distinct {
    /// Each unit's text, by its number.
    of_unit: Vec<usize>,
    /// The texts, by number.
    values: Vec<Option<Sym>>,
}

impl Distinct {
    fn of(texts: &[Option<Sym>]) -> Distinct {
        // Symbols are numbered from 0 without gaps: a table by symbol
        // numbers the texts without hashing a million of them.
        let symbols = texts.iter().flatten().max().map_or(0, |&s| s as usize + 1);
        let mut numbers: Vec<Option<usize>> = vec![None; symbols + 1];
        let mut values = Vec::new();
        let of_unit = texts
            .iter()
            .map(|&text| {
                // No text takes the last place of the table.
                let slot = text.map_or(symbols, |s| s as usize);
                *numbers[slot].get_or_insert_with(|| {
                    values.push(text);
                    values.len() - 1
                })
            })
            .collect();
        Distinct { of_unit, values }
    }
}

/// A score after its indicator's own deductions (`taken`) and bonuses
/// (`given`), rounded when the scheme rounds each indicator.
fn adjusted(score: Entry, taken: Entry, given: Entry, floor: Entry, rounding: crate::ast::Rounding) -> Entry {
    // Deductions never take a score below the floor (nor lower a score the
    // formula already put below it).
    let floor = figures::min(floor, score);
    let mut s = figures::max(figures::sub(score, taken).unwrap_or(score), floor);
    s = figures::add(s, given).unwrap_or(s);
    rounded_if_each(s, rounding)
}

/// An indicator's score, rounded when the scheme rounds each indicator.
fn rounded_if_each(score: Entry, rounding: crate::ast::Rounding) -> Entry {
    if rounding.each_indicator { figures::round(score, rounding.places, rounding.mode) } else { score }
}

/// How an indicator's per-period scores combine: by their weights, or their mean.
struct PeriodWeights<'a> {
    weights: Option<&'a [Decimal]>,
    /// The weights in fixed point, taken apart once for all units (`None`
    /// when there are none, or one is too long).
    fixed: Option<Vec<Fixed>>,
}

impl<'a> PeriodWeights<'a> {
    fn of(weights: Option<&'a [Decimal]>) -> Self {
        let fixed = weights.and_then(|ws| ws.iter().map(|w| Fixed::of(*w)).collect());
        PeriodWeights { weights, fixed }
    }

    /// Each unit's per-period scores, one column a period, combined (empty
    /// for a unit without the score of any one period, or on overflow). Read
    /// straight from the columns: only a kept derivation needs the scores
    /// interleaved unit by unit.
    fn combine_columns(&self, columns: &[Decimals], units: usize) -> Decimals {
        // One weight a period (checking sees to it); any other count is left to `in_decimal`.
        let weights = self.fixed.as_deref().filter(|weights| weights.len() == columns.len());
        let sums = weights.map(|weights| weighted_in_fixed_point(columns, weights, units)).unwrap_or_default();
        let mut combined = Decimals::with_capacity(units);
        let mut scores: Vec<Entry> = Vec::with_capacity(columns.len());
        for u in 0..units {
            match sums.get(u).copied().flatten() {
                Some(sum) => combined.push_fixed(sum),
                None => {
                    scores.clear();
                    scores.extend(columns.iter().map(|c| c.entry(u)));
                    combined.push_entry(self.in_decimal(&scores));
                }
            }
        }
        combined
    }

    /// One unit's per-period scores combined with `rust_decimal`, for a unit
    /// the fixed-point lane left.
    fn in_decimal(&self, scores: &[Entry]) -> Entry {
        if scores.is_empty() || scores.contains(&Entry::Empty) {
            return Entry::Empty;
        }
        let mut figures = scores.iter().map(|s| s.figure());
        Entry::of_option(match self.weights {
            Some(ws) => figures.zip(ws).try_fold(Decimal::ZERO, |a, (s, w)| a.checked_add(s.checked_mul(*w)?)),
            None => figures.try_fold(Decimal::ZERO, |a, s| a.checked_add(s)).and_then(|sum| sum.checked_div(Decimal::from(scores.len()))),
        })
    }
}

/// Each unit's `Σ score × weight` in fixed point, period after period (a
/// tight loop over the units for each), where every step is certain to give
/// `rust_decimal`'s digits; `None` for a unit that leaves the lane (an empty
/// or wide score, an overflow), which [`PeriodWeights::in_decimal`] then
/// combines. The sums stay `Fixed` from step to step: folding with
/// [`figures`] gives the same digits but wraps every step's result as an
/// entry, which cost 2% of a whole run's instructions.
fn weighted_in_fixed_point(columns: &[Decimals], weights: &[Fixed], units: usize) -> Vec<Option<Fixed>> {
    let part = |column: &Decimals, weight: Fixed, u: usize| column.narrow(u).and_then(|s| fixed::mul(s, weight));
    let mut periods = columns.iter().zip(weights.iter().copied());
    let Some((first, weight)) = periods.next() else { return vec![None; units] };
    // `Decimal::ZERO + part` is `part` as it is: the first part starts the sum.
    let mut sums: Vec<Option<Fixed>> = (0..units).map(|u| part(first, weight, u)).collect();
    for (column, weight) in periods {
        for (u, sum) in sums.iter_mut().enumerate() {
            *sum = sum.zip(part(column, weight, u)).and_then(|(s, p)| fixed::add(s, p));
        }
    }
    sums
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::{Distinct, PeriodWeights};
    use crate::decimals::Decimals;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap_or_else(|_| panic!("{s} is not a decimal"))
    }

    /// `Σ score × weight` (or the mean) with `Decimal` alone, empty when a period's score is.
    fn in_decimal(scores: &[Option<Decimal>], weights: Option<&[Decimal]>) -> Option<Decimal> {
        let scores: Vec<Decimal> = scores.iter().copied().collect::<Option<_>>()?;
        match weights {
            Some(ws) => scores.iter().zip(ws).try_fold(Decimal::ZERO, |a, (s, w)| a.checked_add(s.checked_mul(*w)?)),
            None => scores.iter().try_fold(Decimal::ZERO, |a, s| a.checked_add(*s))?.checked_div(Decimal::from(scores.len())),
        }
    }

    #[test]
    fn period_scores_combine_column_by_column_as_decimal_does() {
        let big = d("7922816251426433759354395033");
        // One row a unit, one column a period: narrow scores, a wide quotient,
        // an empty period, a product past 28 digits, a `-0`, scales that differ.
        let units: Vec<[Option<Decimal>; 4]> = vec![
            [Some(d("90")), Some(d("85.5")), Some(d("100")), Some(d("77.25"))],
            [Some(d("88.333333333333333333333333")), Some(d("90")), Some(d("90")), Some(d("90"))],
            [Some(d("90")), None, Some(d("90")), Some(d("90"))],
            [Some(big), Some(big), Some(d("1")), Some(d("1"))],
            [Some(-d("0.00")), Some(d("0")), Some(d("0.000")), Some(d("0"))],
            [Some(d("1.5")), Some(d("2.25")), Some(d("-3")), Some(d("4.125"))],
        ];
        let columns: Vec<Decimals> = (0..4).map(|q| units.iter().map(|u| u[q]).collect()).collect();
        for weights in [Some(vec![d("0.1"), d("0.2"), d("0.30"), d("0.4")]), Some(vec![d("0.25"); 4]), None] {
            let combined = PeriodWeights::of(weights.as_deref()).combine_columns(&columns, units.len());
            for (u, scores) in units.iter().enumerate() {
                let expected = in_decimal(scores, weights.as_deref());
                let got = combined.get(u);
                assert_eq!(got, expected, "unit {u}, weights {weights:?}");
                // Scale for scale, as `Decimal` gives it.
                assert_eq!(got.map(|g| g.to_string()), expected.map(|e| e.to_string()), "unit {u}, weights {weights:?}");
            }
        }
    }

    #[test]
    fn distinct_texts_are_numbered_in_order_of_first_appearance() {
        // Symbol 0 and no text at all are two different values.
        let texts = [Some(3), None, Some(0), Some(3), None, Some(7), Some(0)];
        let distinct = Distinct::of(&texts);
        assert_eq!(distinct.values, vec![Some(3), None, Some(0), Some(7)]);
        assert_eq!(distinct.of_unit, vec![0, 1, 2, 0, 1, 3, 2]);
        let none = Distinct::of(&[None, None]);
        assert_eq!((none.values, none.of_unit), (vec![None], vec![0, 0]));
    }
}
