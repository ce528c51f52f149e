//! Ranking and grading.
//!
//! Ranking is competition ranking (1, 2, 2, 4) on the ranking keys, the
//! first key deciding and each later key breaking the ties left; `密集` gives
//! 1, 2, 2, 3. Grading gives each unit the first band it qualifies for,
//! within what its vetoes allow, then fills quotas in rank order: a unit
//! beyond a band's quota moves to the next band it qualifies for. Units tied
//! at the quota line are all kept (`均入`), all moved (`均不入`), or separated
//! by the ranking's tie-breakers (`按排名`).

use std::cmp::Ordering;

use rust_decimal::Decimal;

use super::Engine;
use super::expr::Scope;
use super::fixed::figures;
use super::ops;
use crate::ast::TiePolicy;
use crate::data::{Interner, Sym};
use crate::decimals::{Decimals, Entry};
use crate::model::{BandCondition, QuotaAmount, VetoEffect};

/// Ranks of every unit.
pub(super) struct Ranks {
    /// Overall competition rank, by place: of the unit at each place of
    /// `order`. The results list units in rank order, so ranks made by
    /// place are never put in unit order and back.
    pub rank: Vec<u32>,
    /// Rank within the group, by place, when the ranking is per group.
    pub group_rank: Option<Vec<u32>>,
    /// The group of the unit at each place, when the ranking is per group:
    /// the column, and each place's number among its distinct texts.
    pub groups_by_place: Option<(usize, Vec<u32>)>,
    /// Units from best to worst (ties in key order).
    pub order: Vec<usize>,
    /// The ranking key values, one column a key (the first key, then the tie-breakers), by unit.
    pub keys: Vec<Decimals>,
}

impl Ranks {
    /// Whether units `a` and `b` have equal first keys (`all`: equal keys).
    fn tied(&self, a: usize, b: usize, all: bool) -> bool {
        let keys = if all { &self.keys[..] } else { self.keys.get(..1).unwrap_or_default() };
        keys.iter().all(|column| column.get(a) == column.get(b))
    }
}

/// Grades of every unit.
pub(super) struct Grades {
    /// The band given: an index into the scheme's bands (none past the end).
    pub band: Vec<usize>,
    /// Why it is not the band the total alone gives: a text of `notes`.
    pub note: Vec<Option<Sym>>,
    /// The texts of the notes, each once.
    pub notes: Interner,
    /// The first band whose quota the unit fell outside of.
    pub over_quota: Vec<Option<usize>>,
}

impl Engine<'_> {
    pub(super) fn rank(&mut self) -> Ranks {
        let n = self.units();
        let ranking = self.scheme.ranking.clone();
        let keys: Vec<Decimals> = ranking.keys.iter().map(|k| self.values(&k.expr, Scope::every_unit(None)).into_numbers(n)).collect();
        let ascending: Vec<bool> = ranking.keys.iter().map(|k| k.ascending).collect();
        // Unit ids are in key order: ties in key order are ties in id order.
        // `tied[i]`: the unit at place `i` ties with the one before it.
        let (order, tied): (Vec<usize>, Vec<bool>) = match sort_codes(&keys, &ascending) {
            // Each code ends with its unit's id: sorting the codes alone sorts the units.
            Some(mut codes) => {
                crate::cores::sort(&mut codes, |&code| code, u128::cmp);
                let tied = (0..n).map(|i| i > 0 && codes[i] >> UNIT_BITS == codes[i - 1] >> UNIT_BITS).collect();
                (codes.into_iter().map(|code| (code & UNIT_MASK) as usize).collect(), tied)
            }
            None => {
                let compare = |a: usize, b: usize| compare_keys(keys.iter().map(|c| c.get(a)), keys.iter().map(|c| c.get(b)), &ascending);
                let mut order: Vec<usize> = (0..n).collect();
                order.sort_by(|&a, &b| compare(a, b).then(a.cmp(&b)));
                let tied = (0..n).map(|i| i > 0 && compare(order[i - 1], order[i]) == Ordering::Equal).collect();
                (order, tied)
            }
        };
        let runs = TieRuns::of(&tied);
        // The overall ranks are the ranks within one group of every unit.
        let rank = runs.ranks(&[], 1, ranking.dense);
        let groups_by_place = ranking.per_group.map(|column| (column, self.groups_by_place(column, &order)));
        let group_rank = groups_by_place.as_ref().map(|(column, places)| {
            let groups = self.distinct_unit_texts(*column);
            runs.ranks(places, groups.values.len(), ranking.dense)
        });
        Ranks { rank, group_rank, groups_by_place, order, keys }
    }

    pub(super) fn grade(&mut self, ranks: &Ranks, vetoes: &super::Struck) -> Grades {
        let n = self.units();
        let grades = self.scheme.grades.clone();
        let bands = &grades.bands;
        let mut qualifies: Vec<Vec<bool>> = Vec::with_capacity(bands.len());
        for band in bands {
            qualifies.push(match &band.condition {
                None => vec![true; n],
                Some(BandCondition::Threshold { value, inclusive }) => {
                    let (value, totals) = (Entry::of(*value), self.totals.as_ref().unwrap_or(Decimals::empty()));
                    // A missing total counts 0, as the published total shows it.
                    let total = |u: usize| match totals.entry(u) {
                        Entry::Empty => figures::ZERO,
                        total => total,
                    };
                    let enough = if *inclusive { Ordering::is_ge } else { Ordering::is_gt };
                    (0..n).map(|u| enough(figures::order(total(u), value))).collect()
                }
                Some(BandCondition::When(e)) => self.condition(e, Scope::every_unit(None)),
            });
        }
        let first_from = |u: usize, from: usize| (from..bands.len()).find(|&b| qualifies[b][u]).unwrap_or(bands.len().saturating_sub(1));
        let mut assigned: Vec<usize> = (0..n).map(|u| first_from(u, 0)).collect();
        // Units whose band a veto fixed: no quota moves them.
        let mut held = vec![false; n];
        let mut note: Vec<Option<Sym>> = vec![None; n];
        let mut notes = Interner::default();
        let mut over_quota: Vec<Option<usize>> = vec![None; n];
        // What each struck unit's vetoes allow, in the scheme's order: the
        // best band, or a fixed band (a later veto can fix it again).
        for struck in vetoes.pairs.chunk_by(|a, b| a.0 == b.0) {
            let u = struck[0].0 as usize;
            let (mut best_allowed, mut fixed) = (0, None);
            for veto in struck.iter().map(|&(_, v)| &self.scheme.vetoes[v as usize]) {
                for effect in &veto.effects {
                    match *effect {
                        VetoEffect::GradeAtMost(g) if g > best_allowed => {
                            best_allowed = g;
                            note[u] = Some(notes.intern(&format!("一票否决「{}」: 等次不高于 {}", veto.name, bands[g].name)));
                        }
                        VetoEffect::GradeIs(g) => {
                            fixed = Some(g);
                            note[u] = Some(notes.intern(&format!("一票否决「{}」: 等次为 {}", veto.name, bands[g].name)));
                        }
                        _ => {}
                    }
                }
            }
            assigned[u] = fixed.unwrap_or_else(|| first_from(u, best_allowed));
            held[u] = fixed.is_some();
        }
        for (b, band) in bands.iter().enumerate() {
            let Some(quota) = band.quota else { continue };
            let (groups, by_place) = match quota.per_group {
                Some(column) => {
                    let by_place = match &ranks.groups_by_place {
                        Some((ranked, places)) if *ranked == column => std::borrow::Cow::Borrowed(places),
                        _ => std::borrow::Cow::Owned(self.groups_by_place(column, &ranks.order)),
                    };
                    (self.distinct_unit_texts(column).values.len(), by_place)
                }
                None => (1, std::borrow::Cow::Owned(vec![0; n])),
            };
            let members = Members::in_rank_order(&ranks.order, &by_place, groups);
            let amount = match quota.amount {
                QuotaAmount::Share(s) => format!("{}%", (s * Decimal::ONE_HUNDRED).normalize()),
                QuotaAmount::Count(c) => c.to_string(),
            };
            // The note of the group's units moved down to each band, written once.
            let mut moved_note: Vec<Option<Sym>> = vec![None; bands.len()];
            for members in members.groups() {
                moved_note.fill(None);
                let count = match quota.amount {
                    QuotaAmount::Share(share) => ops::quota_count(share, members.len(), grades.quota_rounding),
                    QuotaAmount::Count(c) => c as usize,
                };
                let candidates: Vec<usize> = members.iter().copied().filter(|&u| assigned[u] == b && !held[u]).collect();
                if candidates.len() <= count {
                    continue;
                }
                let primary_tie = |a: usize, c: usize| ranks.tied(a, c, false);
                let full_tie = |a: usize, c: usize| ranks.tied(a, c, true);
                let mut cut = count;
                match grades.ties {
                    TiePolicy::AllIn => {
                        while cut > 0 && cut < candidates.len() && primary_tie(candidates[cut - 1], candidates[cut]) {
                            cut += 1;
                        }
                    }
                    TiePolicy::AllOut => {
                        while cut > 0 && cut < candidates.len() && primary_tie(candidates[cut - 1], candidates[cut]) {
                            cut -= 1;
                        }
                    }
                    TiePolicy::Break => {
                        while cut > 0 && cut < candidates.len() && full_tie(candidates[cut - 1], candidates[cut]) {
                            cut += 1;
                        }
                    }
                }
                let size = members.len();
                for &u in &candidates[cut..] {
                    let next = first_from(u, b + 1);
                    assigned[u] = next;
                    over_quota[u].get_or_insert(b);
                    let text = || format!("超出「{}」名额({amount},{size} 个单位中 {count} 名): 降为 {}", band.name, bands[next].name);
                    note[u] = Some(*moved_note[next].get_or_insert_with(|| notes.intern(&text())));
                }
            }
        }
        Grades { band: assigned, note, notes, over_quota }
    }
}

/// Bits of a sort code that hold the unit's id.
const UNIT_BITS: u32 = 32;
const UNIT_MASK: u128 = (1 << UNIT_BITS) - 1;

/// Each unit's ranking keys as one integer that orders as [`compare_keys`]
/// does, with the unit's id in the last [`UNIT_BITS`] bits: each key's values
/// at the largest scale it has, counted from its best value (a missing value
/// after the worst), the keys' counts one after the other as digits of a
/// mixed-radix number. `None` when they do not fit (compare the decimals then).
fn sort_codes(keys: &[Decimals], ascending: &[bool]) -> Option<Vec<u128>> {
    let n = keys.first().map_or(0, Decimals::len);
    if u32::try_from(n).is_err() {
        return None;
    }
    // Every pass reads the units in sequence, a piece on each core.
    let work = crate::cores::Work::Columns(n);
    let pieces = || crate::cores::parts(0..n);
    let mut codes: Vec<u128> = vec![0; n];
    // The number of distinct codes so far: every code is below it, so
    // once it is known to fit, the codes' own arithmetic cannot overflow.
    let mut codes_below: u128 = 1;
    for (column, &ascending) in keys.iter().zip(ascending) {
        let scales = crate::cores::map(work, pieces(), |piece| piece.filter_map(|i| parts(column, i).map(|(_, s)| s)).max());
        let scale = scales.into_iter().flatten().max().unwrap_or(0);
        let value = |i: usize| -> Option<Option<i128>> {
            let Some((m, s)) = parts(column, i) else { return Some(None) };
            let power = *POWERS_OF_TEN.get((scale - s) as usize)?;
            // Two factors that fit an `i64` cannot overflow an `i128`: no checked multiplication.
            Some(Some(match (i64::try_from(m), i64::try_from(power)) {
                (Ok(m), Ok(power)) => i128::from(m) * i128::from(power),
                _ => m.checked_mul(power)?,
            }))
        };
        let bounds = crate::cores::map(work, pieces(), |piece| {
            let (mut low, mut high) = (i128::MAX, i128::MIN);
            for i in piece {
                if let Some(v) = value(i)? {
                    (low, high) = (low.min(v), high.max(v));
                }
            }
            Some((low, high))
        });
        let (mut low, mut high) = (i128::MAX, i128::MIN);
        for bound in bounds {
            let (piece_low, piece_high) = bound?;
            (low, high) = (low.min(piece_low), high.max(piece_high));
        }
        if low > high {
            // No values: every unit ties on this key.
            continue;
        }
        let span = u128::try_from(high.checked_sub(low)?).ok()?;
        // Counts 0..=span, and span + 1 for a missing value.
        let radix = span.checked_add(2)?;
        codes_below = codes_below.checked_mul(radix)?;
        let counted = crate::cores::map(work, codes.chunks_mut(crate::cores::PART).zip(pieces()), |(codes, piece)| {
            for (code, i) in codes.iter_mut().zip(piece) {
                let count = match value(i)? {
                    Some(v) if ascending => v.abs_diff(low),
                    Some(v) => high.abs_diff(v),
                    None => span + 1,
                };
                *code = *code * radix + count;
            }
            Some(())
        });
        counted.into_iter().collect::<Option<Vec<()>>>()?;
    }
    codes_below.checked_mul(1 << UNIT_BITS)?;
    crate::cores::map(work, codes.chunks_mut(crate::cores::PART).zip(pieces()), |(codes, piece)| {
        for (code, u) in codes.iter_mut().zip(piece) {
            *code = *code << UNIT_BITS | u as u128;
        }
    });
    Some(codes)
}

/// `10^k` for every scale difference `k` a decimal can have.
const POWERS_OF_TEN: [i128; 29] = {
    let mut powers = [1i128; 29];
    let mut k = 1;
    while k < powers.len() {
        powers[k] = powers[k - 1] * 10;
        k += 1;
    }
    powers
};

/// Entry `i` of a column as its digits and scale.
#[inline]
fn parts(column: &Decimals, i: usize) -> Option<(i128, u32)> {
    match column.entry(i) {
        Entry::Empty => None,
        Entry::Narrow(f) => Some((i128::from(f.mantissa), f.scale)),
        Entry::Wide(d) => Some((d.mantissa(), d.scale())),
    }
}

/// Compares two units' keys: descending unless ascending; a missing value last.
fn compare_keys(a: impl Iterator<Item = Option<Decimal>>, b: impl Iterator<Item = Option<Decimal>>, ascending: &[bool]) -> Ordering {
    for ((x, y), asc) in a.zip(b).zip(ascending) {
        let o = match (x, y) {
            (Some(x), Some(y)) => {
                if *asc {
                    x.cmp(&y)
                } else {
                    y.cmp(&x)
                }
            }
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// The runs of tied units in rank order: the place where each place's run starts.
struct TieRuns {
    start: Vec<u32>,
}

impl TieRuns {
    /// The runs of places where `tied[i]` says place `i` ties with place `i - 1`.
    fn of(tied: &[bool]) -> TieRuns {
        let mut start = Vec::with_capacity(tied.len());
        for (i, &t) in tied.iter().enumerate() {
            let first = if t { start.last().copied().unwrap_or(0) } else { u32::try_from(i).unwrap_or(u32::MAX) };
            start.push(first);
        }
        TieRuns { start }
    }

    /// Competition (or dense) ranks within their groups of the units at
    /// each place, by place (`group_at` each place, below `groups`; empty:
    /// one group, the overall ranks).
    fn ranks(&self, group_at: &[u32], groups: usize, dense: bool) -> Vec<u32> {
        let mut state = vec![GroupCount::default(); groups.max(1)];
        let mut ranks = vec![0u32; self.start.len()];
        for (place, &run) in self.start.iter().enumerate() {
            let group = group_at.get(place).map_or(0, |&g| g as usize);
            let Some(group) = state.get_mut(group) else { continue };
            group.seen += 1;
            // Tied units are next to each other in rank order: two units of a group tie when they are in one run.
            if group.run != Some(run) {
                group.distinct += 1;
                group.current = if dense { group.distinct } else { group.seen };
                group.run = Some(run);
            }
            ranks[place] = group.current;
        }
        ranks
    }
}

/// Where the ranking stands in one group.
#[derive(Debug, Clone, Copy, Default)]
struct GroupCount {
    /// Units of the group met so far.
    seen: u32,
    /// Distinct key values among them.
    distinct: u32,
    /// The tie run of the last unit met.
    run: Option<u32>,
    /// The rank given to it.
    current: u32,
}

/// The units of each group, in rank order, one group after another.
struct Members {
    /// Where each group's units start in `units`, and where the last group's end.
    starts: Vec<usize>,
    units: Vec<usize>,
}

impl Members {
    /// The units in `order`, by their group (`group_at` each place, below `groups`).
    fn in_rank_order(order: &[usize], group_at: &[u32], groups: usize) -> Members {
        let (units, starts) = crate::cores::deal(order.len(), groups, |place| group_at[place] as usize, |place| order[place]);
        Members { starts, units }
    }

    /// Each group's units.
    fn groups(&self) -> impl Iterator<Item = &[usize]> {
        self.starts.windows(2).map(|w| &self.units[w[0]..w[1]])
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::{UNIT_BITS, compare_keys, sort_codes};
    use crate::decimals::Decimals;

    #[test]
    fn sort_codes_order_as_the_decimals_do() {
        // Few distinct values at several scales (1.5 = 1.50), some missing: many ties.
        let mut state = 7u64;
        let mut next = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            state >> 33
        };
        let mut value = || {
            let (mantissa, scale) = (next() % 41, next() % 3);
            (next() % 9 != 0).then(|| Decimal::new(mantissa as i64 - 20, 0) * Decimal::new(10i64.pow(scale as u32), scale as u32))
        };
        let keys: Vec<Decimals> = (0..2).map(|_| (0..300).map(|_| value()).collect()).collect();
        for ascending in [[false, false], [true, false], [false, true]] {
            let codes = sort_codes(&keys, &ascending).unwrap();
            for a in 0..300 {
                for b in 0..300 {
                    let (x, y) = (keys.iter().map(|c| c.get(a)), keys.iter().map(|c| c.get(b)));
                    let expected = compare_keys(x, y, &ascending).then(a.cmp(&b));
                    assert_eq!(codes[a].cmp(&codes[b]), expected, "{a} {b} {ascending:?}");
                    assert_eq!(codes[a] as u32 as usize, a);
                }
            }
        }
    }

    #[test]
    fn keys_too_wide_for_integers_are_compared_as_decimals() {
        let column = |values: &[Option<Decimal>]| values.iter().copied().collect::<Decimals>();
        assert_eq!(sort_codes(&[column(&[Some(Decimal::MAX), Some(Decimal::new(1, 28))])], &[false]), None);
        let big = Decimal::from(i64::MAX);
        let codes = sort_codes(&[column(&[Some(big), None, Some(-big)])], &[true]).unwrap();
        assert!(codes[2] < codes[0] && codes[0] < codes[1]);
        // Keys whose counts together pass 96 bits do not fit either.
        let wide = column(&[Some(big), Some(Decimal::ZERO)]);
        assert!(sort_codes(std::slice::from_ref(&wide), &[true]).is_some());
        assert_eq!(sort_codes(&[wide.clone(), wide], &[true, true]), None);
        assert_eq!(UNIT_BITS, 32);
    }
}
