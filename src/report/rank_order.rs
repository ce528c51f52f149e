//! Putting an [`Assessment`]'s rows in rank order, a column at a time.
//!
//! Eval hands the units over in its own order, where its columns are read in
//! sequence, and ranks them after. Moving each column into rank order at
//! once, in a tight loop of its own, costs far less at national scale than
//! reading a unit's figures from a dozen columns at a place rank order jumps
//! to (a cache miss each), and the writers then read in sequence. Only the
//! derivation of the figures (exact totals, ranking keys, notes, deductions
//! and bonuses, indicators' scores before adjustments, contributions and
//! period scores) stays where it is, read through the row each unit was
//! pushed at: most runs never read it, and it is the bulk.

use std::ops::Range;

use super::{Assessment, IndicatorColumn, columns::Texts, span};
use crate::cores;

impl Assessment {
    /// Puts the units in rank order, once every unit and indicator is
    /// pushed: `rows[place]` is the row (in the order the units were pushed)
    /// of the unit at that place. `rows` holds every row once; the units are
    /// put in rank order once.
    pub fn put_in_rank_order(&mut self, rows: &[usize]) {
        debug_assert_eq!(rows.len(), self.len(), "a place for every unit");
        let indicators = std::mem::take(&mut self.indicators);
        self.indicators = cores::map(cores::Work::Columns(rows.len()), indicators.into_iter(), |column| column.permuted(rows));
        self.keys = self.keys.permuted(rows);
        self.pushed_rows = rows.iter().map(|&r| u32::try_from(r).unwrap_or(u32::MAX)).collect();
        self.groups = runs(&self.groups, rows, self.group_count);
        self.totals = self.totals.select(rows);
        self.grades = permuted(&self.grades, rows);
        self.ranks = permuted(&self.ranks, rows);
        self.group_ranks = permuted(&self.group_ranks, rows);
        (self.veto_starts, self.vetoes) = lists(&self.veto_starts, &self.vetoes, rows);
        self.award_eligible = permuted(&self.award_eligible, rows);
    }
}

impl IndicatorColumn {
    /// The column with its scores and applicability in the order `rows`
    /// (the derivation stays where it is).
    fn permuted(self, rows: &[usize]) -> IndicatorColumn {
        IndicatorColumn { scores: self.scores.select(rows), applies: permuted(&self.applies, rows), ..self }
    }
}

impl Texts {
    /// The texts in the order `rows`.
    fn permuted(&self, rows: &[usize]) -> Texts {
        let mut texts = Texts::with_capacity(rows.len(), self.bytes());
        rows.iter().for_each(|&r| texts.push(self.get(r)));
        texts
    }
}

/// The values at `rows`, in that order (rows past the end left out).
fn permuted<T: Copy>(values: &[T], rows: &[usize]) -> Vec<T> {
    rows.iter().filter_map(|&r| values.get(r).copied()).collect()
}

/// The runs of `count` values a row, the runs of `rows` in that order.
fn runs<T: Copy>(values: &[T], rows: &[usize], count: usize) -> Vec<T> {
    let mut out = Vec::with_capacity(rows.len() * count);
    for &r in rows {
        out.extend_from_slice(values.get(r * count..(r + 1) * count).unwrap_or_default());
    }
    out
}

/// A list per row (row `r`'s items from `starts[r]`), the lists of `rows`
/// in that order: the new starts and items.
fn lists<T: Copy>(starts: &[usize], items: &[T], rows: &[usize]) -> (Vec<usize>, Vec<T>) {
    let mut new_starts = Vec::with_capacity(rows.len());
    let mut new_items = Vec::with_capacity(items.len());
    for &r in rows {
        new_starts.push(new_items.len());
        let range: Range<usize> = span(starts, r, items.len());
        new_items.extend_from_slice(items.get(range).unwrap_or_default());
    }
    (new_starts, new_items)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rust_decimal::Decimal;

    use crate::decimals::Decimals;
    use crate::report::{
        AdjustmentFigures, AdjustmentKind, Assessment, IndicatorDerivation, IndicatorFigures, Occurrence, UnitFigures, UnitResult,
        UnitTotals,
    };

    /// Everything a unit's view shows, as text.
    fn shown(u: UnitResult<'_>) -> String {
        let indicators: Vec<String> = u
            .indicators()
            .map(|i| {
                format!(
                    "{} {} {:?} {:?} {} {:?}",
                    i.path(),
                    i.score(),
                    i.before_adjustments(),
                    i.contribution(),
                    i.applies(),
                    i.periods().collect::<Vec<_>>()
                )
            })
            .collect();
        let adjustments: Vec<String> = u
            .deductions()
            .chain(u.bonuses())
            .map(|a| {
                format!(
                    "{} {} {} {} {:?}",
                    a.name(),
                    a.target(),
                    a.amount(),
                    a.uncapped(),
                    a.occurrences().iter().map(Occurrence::source).collect::<Vec<_>>()
                )
            })
            .collect();
        format!(
            "{} {:?} {} {} {} {} {:?} {:?} {:?} {} {:?} {:?} {indicators:?} {adjustments:?}",
            u.key(),
            u.groups().collect::<Vec<_>>(),
            u.total(),
            u.exact_total(),
            u.grade(),
            u.rank(),
            u.group_rank(),
            u.rank_keys().collect::<Vec<_>>(),
            u.vetoes().collect::<Vec<_>>(),
            u.award_eligible(),
            u.grade_note(),
            u.over_quota(),
        )
    }

    /// `units` units, each with figures of its own: unit `u` has `u % 3` vetoes and `u % 2` deductions of `u` rows.
    fn assessment(units: usize) -> Assessment {
        let mut a = Assessment::new("方案".into(), 2024, units);
        let file: Arc<str> = Arc::from("督查记录.csv");
        for u in 0..units {
            let n = i64::try_from(u).unwrap();
            let (group, grade, note) = (a.name(&format!("组{}", u % 2)), a.name(&format!("等次{u}")), a.name(&format!("说明{u}")));
            let vetoes: Vec<_> = (0..u % 3).map(|v| a.name(&format!("否决{u}-{v}"))).collect();
            let key = format!("单位{u}");
            a.push_unit(UnitFigures {
                key: &key,
                groups: [group, note],
                grade,
                rank: u32::try_from(units - u).unwrap(),
                group_rank: (u % 2 == 0).then_some(u32::try_from(u).unwrap()),
                vetoes,
                award_eligible: u % 2 == 0,
                grade_note: (u % 3 == 1).then_some(note),
                over_quota: (u % 3 == 2).then_some(grade),
            });
            let occurrences: Vec<Occurrence> = (0..u)
                .map(|line| Occurrence { file: file.clone(), line: u * 10 + line, amount: Decimal::new(n, 1), cancelled: Decimal::ZERO })
                .collect();
            for _ in 0..u % 2 {
                let name = format!("扣分{u}");
                let figures = AdjustmentFigures {
                    name: &name,
                    target: "总分",
                    amount: Decimal::new(n, 0),
                    uncapped: Decimal::new(n, 0),
                    occurrences: &occurrences,
                    limited: false,
                };
                a.push_adjustment(AdjustmentKind::Deduction, figures);
            }
        }
        for i in 0..2i64 {
            let column = |k: i64| (0..units).map(|u| Some(Decimal::new(k * 100 + i * 10 + u as i64, 1))).collect::<Decimals>();
            let periods = (0..units * 4).map(|p| Some(Decimal::new(i * 1000 + p as i64, 0))).collect::<Decimals>();
            let figures = IndicatorFigures {
                scores: column(1),
                applies: (0..units).map(|u| u % 4 != 1).collect(),
                derivation: Some(IndicatorDerivation {
                    before_adjustments: column(2),
                    contributions: column(3),
                    periods_per_unit: if i == 0 { 4 } else { 0 },
                    periods: if i == 0 { periods } else { Decimals::default() },
                }),
            };
            a.push_indicator(&format!("指标{i}"), figures);
        }
        let n = |u: usize| i64::try_from(u).unwrap();
        a.push_totals(UnitTotals {
            totals: (0..units).map(|u| Some(Decimal::new(9000 + n(u), 2))).collect(),
            exact_totals: (0..units).map(|u| Some(Decimal::new(90_000 + n(u), 3))).collect(),
            rank_keys: vec![
                (0..units).map(|u| Some(Decimal::new(n(u), 1))).collect(),
                (0..units).map(|u| (u % 3 != 0).then(|| Decimal::new(-n(u), 0))).collect(),
            ],
        });
        a
    }

    #[test]
    fn every_figure_moves_with_its_unit() {
        let a = assessment(6);
        let before: Vec<String> = a.units().map(shown).collect();
        let order = [3, 0, 5, 1, 4, 2];
        let mut moved = a.clone();
        moved.put_in_rank_order(&order);
        let after: Vec<String> = moved.units().map(shown).collect();
        assert_eq!(after, order.iter().map(|&r| before[r].clone()).collect::<Vec<_>>());
        assert_eq!(moved.len(), 6);
    }
}
