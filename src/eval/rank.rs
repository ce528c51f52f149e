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
use super::ops;
use crate::ast::TiePolicy;
use crate::data::Sym;
use crate::model::{BandCondition, QuotaAmount, VetoEffect};

/// Ranks of every unit.
pub(super) struct Ranks {
    /// Overall competition rank.
    pub rank: Vec<u32>,
    /// Rank within the group, when the ranking is per group.
    pub group_rank: Option<Vec<u32>>,
    /// Units from best to worst (ties in key order).
    pub order: Vec<usize>,
    /// The ranking key values, `key_count` a unit, one unit after another.
    keys: Vec<Option<Decimal>>,
    key_count: usize,
}

impl Ranks {
    /// Unit `u`'s ranking key values.
    pub fn keys(&self, u: usize) -> &[Option<Decimal>] {
        self.keys.get(u * self.key_count..(u + 1) * self.key_count).unwrap_or_default()
    }
}

/// Grades of every unit.
pub(super) struct Grades {
    /// The band given: an index into the scheme's bands (none past the end).
    pub band: Vec<usize>,
    /// Why it is not the band the total alone gives.
    pub note: Vec<Option<String>>,
    /// The first band whose quota the unit fell outside of.
    pub over_quota: Vec<Option<usize>>,
}

impl Engine<'_> {
    pub(super) fn rank(&mut self) -> Ranks {
        let n = self.units();
        let ranking = self.scheme.ranking.clone();
        let columns: Vec<(Vec<Option<Decimal>>, bool)> = ranking
            .keys
            .iter()
            .map(|k| {
                let values = self.values(&k.expr, Scope::Units { period: None });
                ((0..n).map(|u| values.num(u)).collect(), k.ascending)
            })
            .collect();
        let key_count = columns.len();
        let keys: Vec<Option<Decimal>> = (0..n).flat_map(|u| columns.iter().map(move |(c, _)| c[u])).collect();
        let directions: Vec<bool> = columns.iter().map(|(_, asc)| *asc).collect();
        let codes = integer_keys(&keys, &directions);
        let compare = |a: usize, b: usize| match &codes {
            Some(codes) => {
                let of = |u: usize| codes.get(u * key_count..(u + 1) * key_count).unwrap_or_default();
                of(a).cmp(of(b))
            }
            None => {
                let of = |u: usize| keys.get(u * key_count..(u + 1) * key_count).unwrap_or_default();
                compare_keys(of(a), of(b), &directions)
            }
        };
        // Unit ids are in key order: ties in key order are ties in id order.
        let order: Vec<usize> = match &codes {
            // The first key beside the unit: most comparisons end there, without a lookup.
            Some(codes) => {
                let mut sorted: Vec<(i128, u32)> =
                    (0..n).map(|u| (codes.get(u * key_count).copied().unwrap_or(0), u32::try_from(u).unwrap_or(u32::MAX))).collect();
                crate::cores::sort(&mut sorted, |&(x, a), &(y, b)| x.cmp(&y).then_with(|| compare(a as usize, b as usize)).then(a.cmp(&b)));
                sorted.into_iter().map(|(_, u)| u as usize).collect()
            }
            None => {
                let mut order: Vec<usize> = (0..n).collect();
                order.sort_by(|&a, &b| compare(a, b).then(a.cmp(&b)));
                order
            }
        };
        let rank = ranks(&order, &compare, ranking.dense, n);
        let group_rank = ranking.per_group.map(|column| {
            // One pass over the overall order, counting within each group.
            let groups = super::Distinct::of(&self.unit_texts(column));
            let mut state = vec![GroupCount::default(); groups.values.len()];
            let mut out = vec![0u32; n];
            for &u in &order {
                let group = &mut state[groups.of_unit[u]];
                group.seen += 1;
                if group.previous.is_none_or(|p| compare(p, u) != Ordering::Equal) {
                    group.distinct += 1;
                    group.current = if ranking.dense { group.distinct } else { group.seen };
                }
                out[u] = group.current;
                group.previous = Some(u);
            }
            out
        });
        Ranks { rank, group_rank, order, keys, key_count }
    }

    pub(super) fn grade(&mut self, ranks: &Ranks, vetoes: &[Vec<usize>]) -> Grades {
        let n = self.units();
        let grades = self.scheme.grades.clone();
        let bands = &grades.bands;
        let totals = self.totals.clone().unwrap_or_default();
        let qualifies: Vec<Vec<bool>> = bands
            .iter()
            .map(|b| match &b.condition {
                None => vec![true; n],
                Some(BandCondition::Threshold { value, inclusive }) => {
                    totals.iter().map(|t| if *inclusive { t >= value } else { t > value }).collect()
                }
                Some(BandCondition::When(e)) => self.condition(e, Scope::Units { period: None }),
            })
            .collect();
        // What each unit's vetoes allow: the best band, or a fixed band.
        let mut best_allowed = vec![0usize; n];
        let mut fixed: Vec<Option<usize>> = vec![None; n];
        let mut note: Vec<Option<String>> = vec![None; n];
        let mut over_quota: Vec<Option<usize>> = vec![None; n];
        for u in 0..n {
            for &v in &vetoes[u] {
                let veto = &self.scheme.vetoes[v];
                for effect in &veto.effects {
                    match *effect {
                        VetoEffect::GradeAtMost(g) if g > best_allowed[u] => {
                            best_allowed[u] = g;
                            note[u] = Some(format!("一票否决「{}」: 等次不高于 {}", veto.name, bands[g].name));
                        }
                        VetoEffect::GradeIs(g) => {
                            fixed[u] = Some(g);
                            note[u] = Some(format!("一票否决「{}」: 等次为 {}", veto.name, bands[g].name));
                        }
                        _ => {}
                    }
                }
            }
        }
        let first_from = |u: usize, from: usize| (from..bands.len()).find(|&b| qualifies[b][u]).unwrap_or(bands.len().saturating_sub(1));
        let mut assigned: Vec<usize> = (0..n).map(|u| fixed[u].unwrap_or_else(|| first_from(u, best_allowed[u]))).collect();
        let position: Vec<usize> = {
            let mut p = vec![0; n];
            for (i, &u) in ranks.order.iter().enumerate() {
                p[u] = i;
            }
            p
        };
        for (b, band) in bands.iter().enumerate() {
            let Some(quota) = band.quota else { continue };
            let scopes: Vec<Option<Sym>> = match quota.per_group {
                Some(column) => self.unit_texts(column),
                None => vec![None; n],
            };
            for members in group_members(&scopes).into_values() {
                let count = match quota.amount {
                    QuotaAmount::Share(share) => ops::quota_count(share, members.len(), grades.quota_rounding),
                    QuotaAmount::Count(c) => c as usize,
                };
                let mut candidates: Vec<usize> = members.iter().copied().filter(|&u| assigned[u] == b && fixed[u].is_none()).collect();
                candidates.sort_by_key(|&u| position[u]);
                if candidates.len() <= count {
                    continue;
                }
                let primary_tie = |a: usize, c: usize| ranks.keys(a).first() == ranks.keys(c).first();
                let full_tie = |a: usize, c: usize| ranks.keys(a) == ranks.keys(c);
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
                    let amount = match quota.amount {
                        QuotaAmount::Share(s) => format!("{}%", (s * Decimal::ONE_HUNDRED).normalize()),
                        QuotaAmount::Count(c) => c.to_string(),
                    };
                    note[u] = Some(format!("超出「{}」名额({amount},{size} 个单位中 {count} 名): 降为 {}", band.name, bands[next].name));
                }
            }
        }
        Grades { band: assigned, note, over_quota }
    }
}

/// The ranking keys (`ascending.len()` a unit) as integers in the order
/// [`compare_keys`] gives them: each key's values at the largest scale it
/// has, negated when descending, a missing value as the largest integer.
/// `None` when some value does not fit (compare the decimals then).
fn integer_keys(keys: &[Option<Decimal>], ascending: &[bool]) -> Option<Vec<i128>> {
    let count = ascending.len().max(1);
    let mut scales = vec![0u32; count];
    for (i, key) in keys.iter().enumerate() {
        if let Some(d) = key {
            scales[i % count] = scales[i % count].max(d.scale());
        }
    }
    keys.iter()
        .enumerate()
        .map(|(i, key)| {
            let Some(d) = key else { return Some(i128::MAX) };
            let value = d.mantissa().checked_mul(10i128.checked_pow(scales[i % count] - d.scale())?)?;
            // Strictly inside the range: a missing value must sort after every value.
            if value.checked_abs()? == i128::MAX {
                return None;
            }
            Some(if ascending[i % count] { value } else { -value })
        })
        .collect()
}

/// Compares two units' keys: descending unless ascending; a missing value last.
fn compare_keys(a: &[Option<Decimal>], b: &[Option<Decimal>], ascending: &[bool]) -> Ordering {
    for ((x, y), asc) in a.iter().zip(b).zip(ascending) {
        let o = match (x, y) {
            (Some(x), Some(y)) => {
                if *asc {
                    x.cmp(y)
                } else {
                    y.cmp(x)
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

/// Competition (or dense) ranks of the units in `order`.
fn ranks(order: &[usize], compare: &impl Fn(usize, usize) -> Ordering, dense: bool, n: usize) -> Vec<u32> {
    let mut ranks = vec![0u32; n];
    let mut distinct = 0u32;
    let mut previous: Option<usize> = None;
    let mut current = 0u32;
    for (i, &u) in order.iter().enumerate() {
        let seen = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let tied = previous.is_some_and(|p| compare(p, u) == Ordering::Equal);
        if !tied {
            distinct += 1;
            current = if dense { distinct } else { seen };
        }
        ranks[u] = current;
        previous = Some(u);
    }
    ranks
}

/// Where the per-group ranking stands in one group.
#[derive(Debug, Clone, Copy, Default)]
struct GroupCount {
    /// Units of the group met so far.
    seen: u32,
    /// Distinct key values among them.
    distinct: u32,
    /// The last unit met.
    previous: Option<usize>,
    /// The rank given to it.
    current: u32,
}

/// The units of each group, in unit order.
fn group_members(groups: &[Option<Sym>]) -> std::collections::BTreeMap<Option<Sym>, Vec<usize>> {
    let mut out: std::collections::BTreeMap<Option<Sym>, Vec<usize>> = std::collections::BTreeMap::new();
    for (u, g) in groups.iter().enumerate() {
        out.entry(*g).or_default().push(u);
    }
    out
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::{compare_keys, integer_keys};

    #[test]
    fn integer_keys_order_as_the_decimals_do() {
        // Few distinct values at several scales (1.5 = 1.50), some missing: many ties.
        let mut state = 7u64;
        let mut next = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            state >> 33
        };
        let keys: Vec<Option<Decimal>> = (0..600)
            .map(|_| {
                let (mantissa, scale) = (next() % 41, next() % 3);
                (next() % 9 != 0).then(|| Decimal::new(mantissa as i64 - 20, 0) * Decimal::new(10i64.pow(scale as u32), scale as u32))
            })
            .collect();
        for ascending in [[false, false], [true, false], [false, true]] {
            let codes = integer_keys(&keys, &ascending).unwrap();
            for a in 0..300 {
                for b in 0..300 {
                    let (x, y) = (&keys[a * 2..a * 2 + 2], &keys[b * 2..b * 2 + 2]);
                    let (cx, cy) = (&codes[a * 2..a * 2 + 2], &codes[b * 2..b * 2 + 2]);
                    assert_eq!(cx.cmp(cy), compare_keys(x, y, &ascending), "{x:?} {y:?} {ascending:?}");
                }
            }
        }
    }

    #[test]
    fn keys_too_wide_for_integers_are_compared_as_decimals() {
        let keys = [Some(Decimal::MAX), Some(Decimal::new(1, 28))];
        assert_eq!(integer_keys(&keys, &[false]), None);
        assert!(integer_keys(&[Some(Decimal::MAX), None], &[true]).is_some());
    }
}
