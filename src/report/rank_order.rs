//! Taking the units' figures and putting them in rank order, a column at a time.
//!
//! Eval holds the units in its own order, where its columns are read in
//! sequence, and ranks them last. Gathering each column into rank order in
//! a tight loop of its own, the columns shared over the cores, costs far
//! less at national scale than reading a unit's figures from a dozen columns
//! at a place rank order jumps to (a cache miss each), and the writers then
//! read in sequence. Only the derivation of the figures (exact totals,
//! ranking keys, notes, deductions and bonuses, indicators' scores before
//! adjustments, contributions and period scores) stays where it is, read
//! through the row each unit was handed over at: most runs never read it,
//! and it is the bulk.

use std::ops::Range;

use super::{Assessment, IndicatorColumn, Name, UnitColumns, columns::Texts, span};
use crate::cores;
use crate::data::Sym;

/// A column's gathering into rank order, run on whichever core is free.
type Gathering<'a> = Box<dyn FnOnce() + Send + 'a>;

impl Assessment {
    /// Takes every unit's figures, once every indicator is pushed, and puts
    /// the units in rank order: `order[place]` is the row in `units` of the
    /// unit at that place, and holds every row once.
    pub fn push_units<'k, K: Fn(usize) -> &'k str + Sync>(&mut self, units: UnitColumns<K>, order: &[usize]) {
        let UnitColumns {
            keys,
            groups,
            grades,
            ranks,
            group_ranks,
            vetoes,
            award_eligible,
            grade_notes,
            over_quota,
            totals,
            exact_totals,
            rank_keys,
        } = units;
        debug_assert!(grades.len() == order.len() && ranks.len() == order.len(), "a place for every unit");
        self.group_count = groups.len();
        // The derivation stays in the order it came in.
        self.exact_totals = exact_totals;
        self.rank_keys = rank_keys;
        self.grade_notes = grade_notes.into_iter().map(|n| n.map(|Name(n)| n)).collect();
        self.over_quota = over_quota.into_iter().map(|b| b.map(|Name(b)| b)).collect();
        self.pushed_rows = order.iter().map(|&r| u32::try_from(r).unwrap_or(u32::MAX)).collect();
        let veto_starts = starts(order.len(), vetoes.iter().map(|&(row, _)| row as usize));
        let veto_names: Vec<Sym> = vetoes.into_iter().map(|(_, Name(name))| name).collect();
        let no_group = self.name("");
        // Ranks are made by place: they are in rank order already.
        self.ranks = ranks;
        self.group_ranks = group_ranks.unwrap_or_default();
        let Assessment {
            keys: out_keys,
            groups: out_groups,
            totals: out_totals,
            grades: out_grades,
            veto_starts: out_veto_starts,
            vetoes: out_vetoes,
            award_eligible: out_award_eligible,
            indicators,
            ..
        } = self;
        let mut gatherings: Vec<Gathering<'_>> = vec![
            Box::new(|| *out_keys = gathered_texts(&keys, order)),
            Box::new(|| *out_groups = interleaved(&groups, order, no_group)),
            Box::new(|| *out_totals = totals.select(order)),
            Box::new(|| *out_grades = permuted(&grades, order).into_iter().map(|Name(g)| g).collect()),
            Box::new(|| (*out_veto_starts, *out_vetoes) = lists(&veto_starts, &veto_names, order)),
            Box::new(|| *out_award_eligible = permuted(&award_eligible, order)),
        ];
        for column in indicators {
            gatherings.push(Box::new(|| *column = std::mem::take(column).permuted(order)));
        }
        cores::map(cores::Work::Columns(order.len()), gatherings.into_iter(), |gather| gather());
    }
}

impl IndicatorColumn {
    /// The column with its scores and applicability in the order `rows`
    /// (the derivation stays where it is).
    fn permuted(self, rows: &[usize]) -> IndicatorColumn {
        IndicatorColumn { scores: self.scores.select(rows), applies: self.applies.select(rows), ..self }
    }
}

/// The texts of `rows`, in that order.
fn gathered_texts<'k>(text: impl Fn(usize) -> &'k str, rows: &[usize]) -> Texts {
    let bytes = rows.first().map_or(0, |&r| text(r).len() * rows.len());
    let mut texts = Texts::with_capacity(rows.len(), bytes);
    rows.iter().for_each(|&r| texts.push(text(r)));
    texts
}

/// The values at `rows`, in that order (rows past the end left out).
fn permuted<T: Copy>(values: &[T], rows: &[usize]) -> Vec<T> {
    rows.iter().filter_map(|&r| values.get(r).copied()).collect()
}

/// The values of each column at each of `rows`, a row's values together
/// (`missing` past a column's end).
fn interleaved(columns: &[Vec<Name>], rows: &[usize], missing: Name) -> Vec<Sym> {
    let mut out = Vec::with_capacity(rows.len() * columns.len());
    for &r in rows {
        out.extend(columns.iter().map(|column| column.get(r).copied().unwrap_or(missing).0));
    }
    out
}

/// Where each of `rows` rows' items start, given the row of each item
/// (in row order): the lists [`lists`] reads.
fn starts(rows: usize, item_rows: impl Iterator<Item = usize>) -> Vec<usize> {
    let mut starts = vec![0; rows + 1];
    item_rows.for_each(|r| {
        if let Some(next) = starts.get_mut(r + 1) {
            *next += 1;
        }
    });
    (1..starts.len()).for_each(|r| starts[r] += starts[r - 1]);
    starts
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

    use crate::decimals::{Decimals, NumberCells};
    use crate::report::{
        AdjustmentFigures, AdjustmentKind, Assessment, IndicatorDerivation, IndicatorFigures, Occurrence, UnitColumns, UnitResult,
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

    /// Six units, each with figures of its own, put in `order`: unit `u`
    /// has `u % 3` vetoes and `u % 3` deductions of `u` rows (the last unit
    /// has some, so the one before it has none between two that have).
    fn assessment(order: &[usize]) -> Assessment {
        let units = order.len();
        let n = |u: usize| i64::try_from(u).unwrap();
        let mut a = Assessment::new("方案".into(), 2024);
        for i in 0..2i64 {
            let column = |k: i64| (0..units).map(|u| Some(Decimal::new(k * 100 + i * 10 + n(u), 1))).collect::<Decimals>();
            let periods = (0..units * 4).map(|p| Some(Decimal::new(i * 1000 + n(p), 0))).collect::<Decimals>();
            let figures = IndicatorFigures {
                scores: NumberCells::of_column(&column(1)),
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
        let keys: Vec<String> = (0..units).map(|u| format!("单位{u}")).collect();
        let named = |a: &mut Assessment, what: &str| (0..units).map(|u| a.name(&format!("{what}{u}"))).collect::<Vec<_>>();
        let (groups, grades, notes) = (named(&mut a, "组"), named(&mut a, "等次"), named(&mut a, "说明"));
        let mut vetoes = Vec::new();
        for u in 0..units {
            for v in 0..u % 3 {
                vetoes.push((u32::try_from(u).unwrap(), a.name(&format!("否决{u}-{v}"))));
            }
        }
        let columns = UnitColumns {
            keys: |u: usize| keys[u].as_str(),
            groups: vec![(0..units).map(|u| groups[u % 2]).collect(), notes.clone()],
            grades: grades.clone(),
            // By place: the ranks of the units at each place.
            ranks: order.iter().map(|&u| u32::try_from(units - u).unwrap()).collect(),
            group_ranks: Some(order.iter().map(|&u| u32::try_from(u).unwrap()).collect()),
            vetoes,
            award_eligible: (0..units).map(|u| u % 2 == 0).collect(),
            grade_notes: (0..units).map(|u| (u % 3 == 1).then_some(notes[u])).collect(),
            over_quota: (0..units).map(|u| (u % 3 == 2).then_some(grades[u])).collect(),
            totals: (0..units).map(|u| Some(Decimal::new(9000 + n(u), 2))).collect(),
            exact_totals: (0..units).map(|u| Some(Decimal::new(90_000 + n(u), 3))).collect(),
            rank_keys: vec![
                (0..units).map(|u| Some(Decimal::new(n(u), 1))).collect(),
                (0..units).map(|u| (u % 3 != 0).then(|| Decimal::new(-n(u), 0))).collect(),
            ],
        };
        a.push_units(columns, order);
        let file: Arc<str> = Arc::from("督查记录.csv");
        for u in 0..units {
            let occurrences: Vec<Occurrence> = (0..u)
                .map(|line| Occurrence { file: file.clone(), line: u * 10 + line, amount: Decimal::new(n(u), 1), cancelled: Decimal::ZERO })
                .collect();
            for d in 0..u % 3 {
                let name = format!("扣分{u}-{d}");
                let figures = AdjustmentFigures {
                    name: &name,
                    target: "总分",
                    amount: Decimal::new(n(u), 0),
                    uncapped: Decimal::new(n(u) + n(d), 0),
                    occurrences: &occurrences,
                    limited: false,
                };
                a.push_adjustment(u, AdjustmentKind::Deduction, figures);
            }
        }
        a
    }

    #[test]
    fn every_figure_moves_with_its_unit() {
        let before: Vec<String> = assessment(&[0, 1, 2, 3, 4, 5]).units().map(shown).collect();
        let order = [3, 0, 5, 1, 4, 2];
        let moved = assessment(&order);
        let after: Vec<String> = moved.units().map(shown).collect();
        assert_eq!(after, order.iter().map(|&r| before[r].clone()).collect::<Vec<_>>());
        assert_eq!(moved.len(), 6);
        // Each unit's own figures, not another's: the key, a group, a veto and a deduction name its unit.
        for (place, shown) in after.iter().enumerate() {
            let u = order[place];
            assert!(shown.starts_with(&format!("单位{u} [\"组{}\", \"说明{u}\"]", u % 2)), "{shown}");
            assert_eq!(shown.matches(&format!("否决{u}-")).count(), u % 3, "{shown}");
            assert_eq!(shown.matches(&format!("扣分{u}-")).count(), u % 3, "{shown}");
        }
    }
}
