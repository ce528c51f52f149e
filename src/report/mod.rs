//! `report`: the results of an evaluation and the writers that publish them.
//!
//! An [`Assessment`] holds every unit's figures in rank order, with enough
//! of their derivation (per-period scores, each deduction occurrence and its
//! source row, caps reached, vetoes, quota decisions) that `kaohe explain`
//! can justify each one. Decimals serialise as strings and lists keep a fixed
//! order, so output is byte-identical from run to run.

pub mod csv;
pub mod diff;
pub mod explain;
pub mod snapshot;
pub mod table;

mod columns;
mod json;
mod rank_order;

use std::ops::Range;
use std::sync::Arc;

use rust_decimal::Decimal;

use crate::data::{Interner, Sym};
use crate::decimals::{Decimals, NumberCells};
use crate::flags::Flags;
use columns::Texts;

/// The target name of a deduction or bonus on the total (`AdjustmentResult::target`).
pub const TOTAL_TARGET: &str = "总分";

/// The results of one scheme on one dataset.
///
/// Held as columns, one row per unit in rank order, so that a unit's figures
/// take a few hundred bytes and no allocation of their own (a national run
/// has millions of units). Read them through [`Assessment::units`] and the
/// views it gives ([`UnitResult`], [`IndicatorResult`], [`AdjustmentResult`]);
/// eval fills them with [`Assessment::push_indicator`], [`Assessment::push_units`]
/// and [`Assessment::push_adjustment`], as whole columns in the order its
/// own columns are in, which `push_units` puts in rank order.
#[derive(Debug, Clone, Default)]
pub struct Assessment {
    /// The scheme's title.
    pub scheme: String,
    /// The assessment year.
    pub year: u32,
    /// Each unit's key; a unit's row in the columns below is its place
    /// here, in rank order once the units are put in it.
    keys: Texts,
    /// The texts units share: group values, grades, notes, veto and clause names, targets.
    names: Interner,
    /// How many group values each unit has (the scheme's groups).
    group_count: usize,
    /// `group_count` group values a unit.
    groups: Vec<Sym>,
    totals: Decimals,
    grades: Vec<Sym>,
    ranks: Vec<u32>,
    /// Empty when the ranking is not per group.
    group_ranks: Vec<u32>,
    /// Where each unit's vetoes start in `vetoes`.
    veto_starts: Vec<usize>,
    vetoes: Vec<Sym>,
    award_eligible: Vec<bool>,
    /// Every indicator, parents before children, in the scheme's order.
    indicators: Vec<IndicatorColumn>,
    /// The row each unit was pushed at, by place (empty: the same). The
    /// derivation of the figures, which only some writers and `explain`
    /// read, stays in push order (and in [`IndicatorColumn`]): the columns
    /// below, read at this row.
    pushed_rows: Vec<u32>,
    exact_totals: Decimals,
    /// The values of each ranking key (the first key, then the tie-breakers), a row a unit.
    rank_keys: Vec<Decimals>,
    grade_notes: Vec<Option<Sym>>,
    over_quota: Vec<Option<Sym>>,
    /// Where each unit's deductions and bonuses start in `adjustments`, up
    /// to the last unit with any (the ones after, and its end, are the end of `adjustments`).
    adjustment_starts: Vec<usize>,
    adjustments: Vec<Adjustment>,
    /// The occurrences of every adjustment, each adjustment's together.
    occurrences: Vec<Occurrence>,
}

/// One indicator's figures for every unit. The scores and whether the
/// indicator applies are in rank order, as every writer reads them unit
/// after unit; the derivation, which only some writers and `explain` read,
/// stays in the order the units were pushed.
#[derive(Debug, Clone, Default)]
struct IndicatorColumn {
    /// `工作考核.重点工作`
    path: String,
    scores: NumberCells,
    applies: Flags,
    /// `None` when the results were asked for without it.
    derivation: Option<DerivationColumns>,
}

/// How one indicator's scores came about, for every unit.
#[derive(Debug, Clone, Default)]
struct DerivationColumns {
    /// Held only once some unit's differs from its score (no deduction or
    /// bonus aims at most indicators).
    before_adjustments: Option<Decimals>,
    contributions: Decimals,
    /// How many periods the indicator is assessed in (0: not per period).
    periods_per_unit: usize,
    /// `periods_per_unit` scores a unit; empty entries for a unit without them.
    periods: Decimals,
}

/// One deduction or bonus of one unit.
#[derive(Debug, Clone)]
struct Adjustment {
    kind: AdjustmentKind,
    name: Sym,
    target: Sym,
    amount: Decimal,
    uncapped: Decimal,
    occurrences: Range<usize>,
    limited: bool,
}

/// Whether an adjustment takes or gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdjustmentKind {
    /// A deduction (`扣分`).
    Deduction,
    /// A bonus (`加分`).
    Bonus,
}

/// One row (or flat condition) behind a deduction or bonus.
#[derive(Debug, Clone, PartialEq)]
pub struct Occurrence {
    /// The data file of the row (`督查记录.csv`), or the scheme of a flat rule.
    pub file: Arc<str>,
    /// The line in that file.
    pub line: usize,
    /// Its amount before cancellation.
    pub amount: Decimal,
    /// The share cancelled after rectification (0 if none).
    pub cancelled: Decimal,
}

impl Occurrence {
    /// `督查记录.csv:14`, or the scheme line of a flat rule.
    pub fn source(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }
}

/// A text that many units share in the results (a group value, a grade, a
/// veto's name, a note), held once: see [`Assessment::name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Name(Sym);

/// Every unit's figures as eval hands them over, a row a unit in the
/// order eval holds the units (see [`Assessment::push_units`]).
pub struct UnitColumns<K> {
    /// Each unit's key, by row.
    pub keys: K,
    /// Each group's value per unit, in the scheme's group order.
    pub groups: Vec<Vec<Name>>,
    /// The grade.
    pub grades: Vec<Name>,
    /// Competition rank among all units, by place: already in rank order.
    pub ranks: Vec<u32>,
    /// Rank within the group, by place, when the ranking is per group.
    pub group_ranks: Option<Vec<u32>>,
    /// Each unit struck and the name of a veto that struck it, by row, then in the scheme's order.
    pub vetoes: Vec<(u32, Name)>,
    /// Whether the unit may be named advanced (no `不得评先` veto struck).
    pub award_eligible: Vec<bool>,
    /// Why the grade is not the one the total alone gives (a veto, a quota).
    pub grade_notes: Vec<Option<Name>>,
    /// The band the total earned but whose quota was full (the unit was moved down).
    pub over_quota: Vec<Option<Name>>,
    /// The published totals (rounded as the scheme says).
    pub totals: Decimals,
    /// The totals before rounding.
    pub exact_totals: Decimals,
    /// The values of each ranking key (the first key, then the tie-breakers).
    pub rank_keys: Vec<Decimals>,
}

impl<K> UnitColumns<K> {
    /// Leaves out what only the derivation of the figures reads (the
    /// ranking keys, the grade notes, the bands over quota): a table or CSV
    /// shows none of it.
    pub fn leave_out_derivation(&mut self) {
        self.rank_keys = Vec::new();
        self.grade_notes = Vec::new();
        self.over_quota = Vec::new();
    }
}

/// One indicator's figures for every unit, a row a unit, as eval hands
/// them over (see [`Assessment::push_indicator`]).
pub struct IndicatorFigures {
    /// The score on the indicator's own scale, after its deductions and bonuses.
    pub scores: NumberCells,
    /// Whether the indicator applies to the unit (`适用`).
    pub applies: Flags,
    /// How the scores came about; `None` when the results are asked for
    /// without it (a table or CSV shows none of it, and at national scale
    /// it is most of the results' memory).
    pub derivation: Option<IndicatorDerivation>,
}

/// How one indicator's scores came about, a row a unit (see [`IndicatorFigures`]).
pub struct IndicatorDerivation {
    /// The score before its own deductions and bonuses.
    pub before_adjustments: Decimals,
    /// What it contributes to its parent (or to the total).
    pub contributions: Decimals,
    /// How many periods the indicator is assessed in (0: not per period).
    pub periods_per_unit: usize,
    /// `periods_per_unit` scores a unit; empty entries for a unit without them.
    pub periods: Decimals,
}

/// What one deduction or bonus did to one unit, as eval hands it over (see [`Assessment::push_adjustment`]).
pub struct AdjustmentFigures<'a> {
    /// The clause's name.
    pub name: &'a str,
    /// `总分` or the indicator's path.
    pub target: &'a str,
    /// The amount taken or given, after cancellation and caps.
    pub amount: Decimal,
    /// The amount before the clause's cap.
    pub uncapped: Decimal,
    /// Each row or condition that counted.
    pub occurrences: &'a [Occurrence],
    /// Whether the target's floor or cap cut the amount further.
    pub limited: bool,
}

impl Assessment {
    /// Results with no units yet.
    pub fn new(scheme: String, year: u32) -> Self {
        Assessment { scheme, year, ..Assessment::default() }
    }

    /// The name of `text` in these results, to hand units' shared texts
    /// over in [`UnitColumns`]: each text is looked up once, not once a unit.
    pub fn name(&mut self, text: &str) -> Name {
        Name(self.names.intern(text))
    }

    /// Appends a deduction or bonus of the unit at `row` of the columns
    /// [`Assessment::push_units`] takes: units in row order, each unit's adjustments together.
    pub fn push_adjustment(&mut self, row: usize, kind: AdjustmentKind, a: AdjustmentFigures<'_>) {
        debug_assert!(self.adjustment_starts.len() <= row + 1, "units in row order");
        // Units before it that have none start (and end) where its own begin.
        if self.adjustment_starts.len() <= row {
            self.adjustment_starts.resize(row + 1, self.adjustments.len());
        }
        let start = self.occurrences.len();
        self.occurrences.extend_from_slice(a.occurrences);
        let (name, target) = (self.names.intern(a.name), self.names.intern(a.target));
        self.adjustments.push(Adjustment {
            kind,
            name,
            target,
            amount: a.amount,
            uncapped: a.uncapped,
            occurrences: start..self.occurrences.len(),
            limited: a.limited,
        });
    }

    /// Appends the next indicator (parents before children, in the scheme's
    /// order), before the units: its figures for every unit, a row a unit
    /// in the order of the columns [`Assessment::push_units`] takes.
    pub fn push_indicator(&mut self, path: &str, figures: IndicatorFigures) {
        let IndicatorFigures { scores, applies, derivation } = figures;
        let derivation = derivation.map(|d| DerivationColumns {
            // Most indicators have no deduction or bonus of their own: no second column.
            before_adjustments: (!scores.same_as(&d.before_adjustments)).then_some(d.before_adjustments),
            contributions: d.contributions,
            periods_per_unit: d.periods_per_unit,
            periods: d.periods,
        });
        self.indicators.push(IndicatorColumn { path: path.to_string(), scores, applies, derivation });
    }

    /// How many units.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether there are no units.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every unit, in rank order (ties in key order).
    pub fn units(&self) -> impl DoubleEndedIterator<Item = UnitResult<'_>> + ExactSizeIterator + Clone {
        (0..self.len()).map(|row| UnitResult { results: self, row })
    }

    /// The units at places `rows` of rank order.
    pub fn units_at(&self, rows: std::ops::Range<usize>) -> impl Iterator<Item = UnitResult<'_>> {
        (rows.start..rows.end.min(self.len())).map(|row| UnitResult { results: self, row })
    }

    /// The unit with this key.
    pub fn unit(&self, key: &str) -> Option<UnitResult<'_>> {
        self.units().find(|u| u.key() == key)
    }
}

/// One unit's figures: a view into an [`Assessment`].
#[derive(Clone, Copy)]
pub struct UnitResult<'a> {
    results: &'a Assessment,
    /// The unit's place in rank order.
    row: usize,
}

impl<'a> UnitResult<'a> {
    /// The unit's key.
    pub fn key(&self) -> &'a str {
        self.results.keys.get(self.row)
    }

    /// The row the unit was pushed at.
    fn pushed_row(&self) -> usize {
        self.results.pushed_rows.get(self.row).map_or(self.row, |&r| r as usize)
    }

    /// Its group values, in the scheme's group order.
    pub fn groups(&self) -> impl ExactSizeIterator<Item = &'a str> + Clone + use<'a> {
        let a = self.results;
        let start = self.row * a.group_count;
        a.groups.get(start..start + a.group_count).unwrap_or_default().iter().map(|&g| a.names.resolve(g))
    }

    /// The published total (rounded as the scheme says).
    pub fn total(&self) -> Decimal {
        self.results.totals.figure(self.row)
    }

    /// The total before rounding.
    pub fn exact_total(&self) -> Decimal {
        self.results.exact_totals.figure(self.pushed_row())
    }

    /// The grade.
    pub fn grade(&self) -> &'a str {
        self.results.grades.get(self.row).map_or("", |&g| self.results.names.resolve(g))
    }

    /// Competition rank among all units.
    pub fn rank(&self) -> u32 {
        self.results.ranks.get(self.row).copied().unwrap_or_default()
    }

    /// Rank within the group, when the ranking is per group.
    pub fn group_rank(&self) -> Option<u32> {
        self.results.group_ranks.get(self.row).copied()
    }

    /// The values of the ranking keys (the first key, then the tie-breakers).
    pub fn rank_keys(&self) -> impl ExactSizeIterator<Item = Option<Decimal>> + Clone + use<'a> {
        let row = self.pushed_row();
        self.results.rank_keys.iter().map(move |key| key.get(row))
    }

    /// The names of the vetoes that struck.
    pub fn vetoes(&self) -> impl ExactSizeIterator<Item = &'a str> + Clone + use<'a> {
        let a = self.results;
        a.vetoes.get(span(&a.veto_starts, self.row, a.vetoes.len())).unwrap_or_default().iter().map(|&v| a.names.resolve(v))
    }

    /// Whether the unit may be named advanced (no `不得评先` veto struck).
    pub fn award_eligible(&self) -> bool {
        self.results.award_eligible.get(self.row).copied().unwrap_or(true)
    }

    /// Why the grade is not the one the total alone gives (a veto, a quota).
    pub fn grade_note(&self) -> Option<&'a str> {
        self.results.grade_notes.get(self.pushed_row()).copied().flatten().map(|n| self.results.names.resolve(n))
    }

    /// The band the total earned but whose quota was full (the unit was moved down).
    pub fn over_quota(&self) -> Option<&'a str> {
        self.results.over_quota.get(self.pushed_row()).copied().flatten().map(|b| self.results.names.resolve(b))
    }

    /// Every indicator, parents before children, in the scheme's order.
    pub fn indicators(&self) -> impl ExactSizeIterator<Item = IndicatorResult<'a>> + Clone + use<'a> {
        let (row, pushed) = (self.row, self.pushed_row());
        self.results.indicators.iter().map(move |column| IndicatorResult { column, row, pushed })
    }

    /// The indicator at this place in the scheme's order.
    pub fn indicator(&self, index: usize) -> Option<IndicatorResult<'a>> {
        self.results.indicators.get(index).map(|column| IndicatorResult { column, row: self.row, pushed: self.pushed_row() })
    }

    /// Deductions that took something.
    pub fn deductions(&self) -> impl Iterator<Item = AdjustmentResult<'a>> + Clone + use<'a> {
        self.adjustments(AdjustmentKind::Deduction)
    }

    /// Bonuses that gave something.
    pub fn bonuses(&self) -> impl Iterator<Item = AdjustmentResult<'a>> + Clone + use<'a> {
        self.adjustments(AdjustmentKind::Bonus)
    }

    fn adjustments(&self, kind: AdjustmentKind) -> impl Iterator<Item = AdjustmentResult<'a>> + Clone + use<'a> {
        let a = self.results;
        let all = a.adjustments.get(span(&a.adjustment_starts, self.pushed_row(), a.adjustments.len())).unwrap_or_default();
        all.iter().filter(move |x| x.kind == kind).map(move |adjustment| AdjustmentResult { results: a, adjustment })
    }
}

/// One indicator's score for one unit: a view into an [`Assessment`].
#[derive(Clone, Copy)]
pub struct IndicatorResult<'a> {
    column: &'a IndicatorColumn,
    /// The unit's place in rank order.
    row: usize,
    /// The row the unit was pushed at.
    pushed: usize,
}

impl<'a> IndicatorResult<'a> {
    /// `工作考核.重点工作`
    #[inline]
    pub fn path(&self) -> &'a str {
        &self.column.path
    }

    /// The score on the indicator's own scale, after its deductions and bonuses.
    #[inline]
    pub fn score(&self) -> Decimal {
        self.column.scores.figure(self.row)
    }

    /// [`IndicatorResult::score`] taken apart (an empty entry counting 0),
    /// for writers of millions of rows: most scores are narrow digits, and
    /// writing them needs no `Decimal`.
    #[inline]
    pub fn score_entry(&self) -> crate::decimals::Entry {
        self.column.scores.entry(self.row)
    }

    /// The score before its own deductions and bonuses (its formula, its
    /// children's weighted sum, or its full marks); `None` when the results
    /// were asked for without the derivation.
    #[inline]
    pub fn before_adjustments(&self) -> Option<Decimal> {
        let derivation = self.column.derivation.as_ref()?;
        Some(match &derivation.before_adjustments {
            Some(before) => before.figure(self.pushed),
            None => self.score(),
        })
    }

    /// What it contributes to its parent (or to the total); `None` when the
    /// results were asked for without the derivation.
    #[inline]
    pub fn contribution(&self) -> Option<Decimal> {
        Some(self.column.derivation.as_ref()?.contributions.figure(self.pushed))
    }

    /// Per-period scores, when assessed per period (none when one could not
    /// be computed, or the results were asked for without the derivation).
    #[inline]
    pub fn periods(&self) -> impl ExactSizeIterator<Item = Decimal> + Clone + use<'a> {
        let (periods, count) = self.column.derivation.as_ref().map_or((Decimals::empty(), 0), |d| (&d.periods, d.periods_per_unit));
        let start = self.pushed * count;
        let present = count > 0 && periods.get(start).is_some();
        let range = if present { start..start + count } else { 0..0 };
        range.map(|p| periods.figure(p))
    }

    /// Whether the indicator applies to this unit (`适用`).
    #[inline]
    pub fn applies(&self) -> bool {
        self.column.applies.get(self.row)
    }
}

/// What one deduction or bonus did to one unit: a view into an [`Assessment`].
#[derive(Clone, Copy)]
pub struct AdjustmentResult<'a> {
    results: &'a Assessment,
    adjustment: &'a Adjustment,
}

impl<'a> AdjustmentResult<'a> {
    /// Whether it is a deduction or a bonus.
    pub fn kind(&self) -> AdjustmentKind {
        self.adjustment.kind
    }

    /// The clause's name.
    pub fn name(&self) -> &'a str {
        self.results.names.resolve(self.adjustment.name)
    }

    /// `总分` or the indicator's path.
    pub fn target(&self) -> &'a str {
        self.results.names.resolve(self.adjustment.target)
    }

    /// The amount taken or given, after cancellation and caps.
    pub fn amount(&self) -> Decimal {
        self.adjustment.amount
    }

    /// The amount before the clause's cap.
    pub fn uncapped(&self) -> Decimal {
        self.adjustment.uncapped
    }

    /// Each row or condition that counted.
    pub fn occurrences(&self) -> &'a [Occurrence] {
        self.results.occurrences.get(self.adjustment.occurrences.clone()).unwrap_or_default()
    }

    /// Whether the target's floor or cap cut the amount further.
    pub fn limited(&self) -> bool {
        self.adjustment.limited
    }
}

/// The entries of row `row` in a list whose rows start at `starts` (the last ends at `len`).
fn span(starts: &[usize], row: usize, len: usize) -> Range<usize> {
    let start = starts.get(row).copied().unwrap_or(len);
    start..starts.get(row + 1).copied().unwrap_or(len)
}
