//! `kaohe diff`: what a change of scheme (or of data) does to every unit.
//!
//! Two [`Assessment`]s of the same units are compared figure by figure: the
//! published total, grade, rank, group rank, vetoes, every indicator's score
//! and contribution, every deduction and bonus. The [`Comparison`] lists the
//! units whose figures moved and a summary for a reviewer: how many grades
//! went up and down, the largest movers, the units that crossed a quota line.

use std::fmt::Write;

use rust_decimal::Decimal;
use serde::Serialize;

use super::{AdjustmentResult, Assessment, UnitResult, explain::show};
use crate::diagnostics::Lang;
use crate::model::Scheme;

/// How many units the summary names as the largest movers.
const LARGEST_MOVERS: usize = 10;

/// The comparison of two results for the same units.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// What the old results came from (`rules/a.kh on examples/a`).
    pub old: String,
    /// What the new results came from.
    pub new: String,
    /// The counts a reviewer reads first.
    pub summary: Summary,
    /// Every unit whose figures moved, or that is in only one result, in
    /// the new rank order (units gone from the new result last).
    pub units: Vec<UnitChange>,
}

/// The counts and names a reviewer reads first.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Units in both results.
    pub compared: usize,
    /// Units in both whose figures moved.
    pub changed: usize,
    /// Units only in the new result.
    pub added: usize,
    /// Units only in the old result.
    pub removed: usize,
    /// Units whose published total moved.
    pub total_moved: usize,
    /// Units whose rank moved.
    pub rank_moved: usize,
    /// Units whose grade went up.
    pub grade_up: usize,
    /// Units whose grade went down.
    pub grade_down: usize,
    /// The units whose total moved most, largest first.
    pub largest_movers: Vec<String>,
    /// The units that crossed a quota line (inside a band's quota in one
    /// result, moved down by it in the other).
    pub quota_crossings: Vec<String>,
}

/// One unit's published figures in one result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Figures {
    /// The published total.
    #[serde(with = "rust_decimal::serde::str")]
    pub total: Decimal,
    /// The grade.
    pub grade: String,
    /// The overall rank.
    pub rank: u32,
    /// The rank within the group.
    pub group_rank: Option<u32>,
    /// Vetoes that struck.
    pub vetoes: Vec<String>,
}

/// What moved for one unit.
#[derive(Debug, Clone, Serialize)]
pub struct UnitChange {
    /// The unit's key.
    pub unit: String,
    /// Its group values.
    pub groups: Vec<String>,
    /// Its figures in the old result (`None`: not in it).
    pub old: Option<Figures>,
    /// Its figures in the new result (`None`: not in it).
    pub new: Option<Figures>,
    /// `new total − old total`, when in both.
    #[serde(serialize_with = "optional_decimal")]
    pub total_change: Option<Decimal>,
    /// Whether the grade went up, down, or stayed.
    pub grade_move: GradeMove,
    /// The quota line crossed: `优秀: within → over`.
    pub quota_crossing: Option<String>,
    /// Every indicator, deduction or bonus figure that moved.
    pub moved: Vec<FigureChange>,
}

/// The direction of a grade change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GradeMove {
    /// Same grade (or the unit is in only one result).
    Same,
    /// A better grade.
    Up,
    /// A worse grade.
    Down,
}

/// The kinds of figure below the total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FigureKind {
    /// An indicator's score (and contribution).
    Indicator,
    /// What a deduction took.
    Deduction,
    /// What a bonus gave.
    Bonus,
}

impl FigureKind {
    fn word(self, zh: bool) -> &'static str {
        match (self, zh) {
            (FigureKind::Indicator, false) => "indicator",
            (FigureKind::Deduction, false) => "deduction",
            (FigureKind::Bonus, false) => "bonus",
            (FigureKind::Indicator, true) => "指标",
            (FigureKind::Deduction, true) => "扣分",
            (FigureKind::Bonus, true) => "加分",
        }
    }
}

/// One figure below the total that moved.
#[derive(Debug, Clone, Serialize)]
pub struct FigureChange {
    /// What kind of figure it is.
    pub kind: FigureKind,
    /// The indicator's path (`工作考核.重点工作`) or the clause's name.
    pub name: String,
    /// The old value (`None`: absent, e.g. a deduction that took nothing).
    #[serde(serialize_with = "optional_decimal")]
    pub old: Option<Decimal>,
    /// The new value.
    #[serde(serialize_with = "optional_decimal")]
    pub new: Option<Decimal>,
    /// For an indicator: its old and new contribution to its parent.
    #[serde(serialize_with = "optional_pair")]
    pub contribution: Option<(Decimal, Decimal)>,
}

/// Compares two results. `grade_order` lists the grade names best first
/// (see [`grade_order`]).
pub fn compare(old: &Assessment, new: &Assessment, old_label: &str, new_label: &str, grade_order: &[String]) -> Comparison {
    let old_by_key: std::collections::HashMap<&str, UnitResult> = old.units().map(|u| (u.key(), u)).collect();
    let new_keys: std::collections::HashSet<&str> = new.units().map(|u| u.key()).collect();
    let grade_index = |g: &str| grade_order.iter().position(|x| x == g);
    let mut units = Vec::new();
    let mut compared = 0;
    for n in new.units() {
        let Some(&o) = old_by_key.get(n.key()) else {
            units.push(only_in(n, None, Some(figures(n))));
            continue;
        };
        compared += 1;
        let moved = moved_figures(o, n);
        let (fo, fnew) = (figures(o), figures(n));
        if fo == fnew && moved.is_empty() {
            continue;
        }
        let grade_move = match (grade_index(o.grade()), grade_index(n.grade())) {
            (Some(a), Some(b)) if b < a => GradeMove::Up,
            (Some(a), Some(b)) if b > a => GradeMove::Down,
            _ => GradeMove::Same,
        };
        units.push(UnitChange {
            unit: n.key().to_string(),
            groups: n.groups().map(str::to_string).collect(),
            total_change: n.total().checked_sub(o.total()),
            grade_move,
            quota_crossing: quota_crossing(o, n),
            old: Some(fo),
            new: Some(fnew),
            moved,
        });
    }
    for o in old.units().filter(|o| !new_keys.contains(o.key())) {
        units.push(only_in(o, Some(figures(o)), None));
    }
    let in_both = || units.iter().filter(|u| u.old.is_some() && u.new.is_some());
    let mut movers: Vec<&UnitChange> = in_both().filter(|u| u.total_change.is_some_and(|d| !d.is_zero())).collect();
    // Stable sort: equal moves keep the new rank order.
    movers.sort_by(|a, b| b.total_change.map(|d| d.abs()).cmp(&a.total_change.map(|d| d.abs())));
    let summary = Summary {
        compared,
        changed: in_both().count(),
        added: units.iter().filter(|u| u.old.is_none()).count(),
        removed: units.iter().filter(|u| u.new.is_none()).count(),
        total_moved: in_both().filter(|u| u.total_change.is_some_and(|d| !d.is_zero())).count(),
        rank_moved: in_both().filter(|u| u.old.as_ref().map(|f| f.rank) != u.new.as_ref().map(|f| f.rank)).count(),
        grade_up: in_both().filter(|u| u.grade_move == GradeMove::Up).count(),
        grade_down: in_both().filter(|u| u.grade_move == GradeMove::Down).count(),
        largest_movers: movers.iter().take(LARGEST_MOVERS).map(|u| u.unit.clone()).collect(),
        quota_crossings: in_both().filter(|u| u.quota_crossing.is_some()).map(|u| u.unit.clone()).collect(),
    };
    Comparison { old: old_label.to_string(), new: new_label.to_string(), summary, units }
}

/// Grade names best first: the new scheme's bands, then any only the old one has.
pub fn grade_order(old: &Scheme, new: &Scheme) -> Vec<String> {
    let mut order: Vec<String> = new.grades.bands.iter().map(|b| b.name.clone()).collect();
    for b in &old.grades.bands {
        if !order.contains(&b.name) {
            order.push(b.name.clone());
        }
    }
    order
}

fn figures(u: UnitResult) -> Figures {
    Figures {
        total: u.total(),
        grade: u.grade().to_string(),
        rank: u.rank(),
        group_rank: u.group_rank(),
        vetoes: u.vetoes().map(str::to_string).collect(),
    }
}

fn only_in(u: UnitResult, old: Option<Figures>, new: Option<Figures>) -> UnitChange {
    UnitChange {
        unit: u.key().to_string(),
        groups: u.groups().map(str::to_string).collect(),
        old,
        new,
        total_change: None,
        grade_move: GradeMove::Same,
        quota_crossing: None,
        moved: Vec::new(),
    }
}

/// The indicator, deduction and bonus figures that differ, indicators in
/// the new scheme's order, then those only the old scheme has.
fn moved_figures<'a>(o: UnitResult<'a>, n: UnitResult<'a>) -> Vec<FigureChange> {
    let mut moved = Vec::new();
    let applying =
        |u: UnitResult, path: &str| u.indicators().find(|i| i.path() == path && i.applies()).map(|i| (i.score(), i.contribution()));
    let mut paths: Vec<&str> = n.indicators().map(|i| i.path()).collect();
    paths.extend(o.indicators().map(|i| i.path()).filter(|p| !n.indicators().any(|i| i.path() == *p)));
    for path in paths {
        let (before, after) = (applying(o, path), applying(n, path));
        if before != after {
            moved.push(FigureChange {
                kind: FigureKind::Indicator,
                name: path.to_string(),
                old: before.map(|b| b.0),
                new: after.map(|a| a.0),
                contribution: before.zip(after).and_then(|(b, a)| b.1.zip(a.1)).filter(|(b, a)| b != a),
            });
        }
    }
    for kind in [FigureKind::Deduction, FigureKind::Bonus] {
        let list = |u: UnitResult<'a>| -> Vec<AdjustmentResult<'a>> {
            if kind == FigureKind::Deduction { u.deductions().collect() } else { u.bonuses().collect() }
        };
        let (old_list, new_list) = (list(o), list(n));
        let mut names: Vec<&str> = new_list.iter().map(|a| a.name()).collect();
        names.extend(old_list.iter().map(|a| a.name()).filter(|x| !new_list.iter().any(|a| a.name() == *x)));
        for name in names {
            let amount = |list: &[AdjustmentResult]| list.iter().find(|a| a.name() == name).map(|a| a.amount());
            let (before, after) = (amount(&old_list), amount(&new_list));
            if before != after {
                moved.push(FigureChange { kind, name: name.to_string(), old: before, new: after, contribution: None });
            }
        }
    }
    moved
}

/// `优秀: within → over` when the unit held a band in one result and was
/// moved down by that band's quota in the other.
fn quota_crossing(o: UnitResult, n: UnitResult) -> Option<String> {
    let band = o.over_quota().or(n.over_quota())?;
    let state = |u: UnitResult| {
        if u.over_quota() == Some(band) {
            Some("over")
        } else if u.grade() == band {
            Some("within")
        } else {
            None
        }
    };
    match (state(o), state(n)) {
        (Some(a), Some(b)) if a != b => Some(format!("{band}: {a} → {b}")),
        _ => None,
    }
}

/// The comparison for the terminal: the summary, then a table of the units
/// that moved, then what moved inside each.
pub fn render_text(c: &Comparison, lang: Lang, width: usize) -> String {
    let zh = lang == Lang::Zh;
    let mut out = summary_lines(c, zh).join("\n");
    out.push_str("\n\n");
    if c.units.is_empty() {
        return out;
    }
    let (header, rows) = unit_rows(c, zh, show);
    let numeric: Vec<bool> = header.iter().enumerate().map(|(i, _)| i == 2 || i == 3 || i == 4).collect();
    out.push_str(&super::table::grid(&header, &rows, &numeric, 0, width));
    for u in c.units.iter().filter(|u| !u.moved.is_empty()) {
        let _ = writeln!(out, "\n{}", u.unit);
        for m in &u.moved {
            let _ = writeln!(out, "  {}", describe_move(m, zh, &show));
        }
    }
    out
}

/// The comparison as Markdown, for a review note.
pub fn render_markdown(c: &Comparison, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", if zh { "方案修订影响" } else { "Effect of the change" });
    for line in summary_lines(c, zh) {
        let _ = writeln!(out, "- {}", line.trim_start());
    }
    if c.units.is_empty() {
        return out;
    }
    let (header, rows) = unit_rows(c, zh, show);
    let _ = writeln!(out, "\n| {} |", header.join(" | "));
    let _ = writeln!(
        out,
        "|{}",
        header.iter().enumerate().map(|(i, _)| if (2..=4).contains(&i) { "---:|" } else { "---|" }).collect::<String>()
    );
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| c.replace('|', "\\|")).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    let moved: Vec<&UnitChange> = c.units.iter().filter(|u| !u.moved.is_empty()).collect();
    if !moved.is_empty() {
        let _ = writeln!(out, "\n## {}\n", if zh { "变动的指标与扣加分" } else { "Indicators, deductions and bonuses that moved" });
        for u in moved {
            let _ = writeln!(out, "**{}**\n", u.unit);
            for m in &u.moved {
                let _ = writeln!(out, "- {}", describe_move(m, zh, &show));
            }
            let _ = writeln!(out);
        }
    }
    out
}

/// The comparison as CSV (UTF-8 with BOM): one row per unit that moved, exact values.
pub fn render_csv(c: &Comparison) -> String {
    let mut out = String::from("\u{FEFF}");
    let (header, rows) = unit_rows(c, true, |d| d.normalize().to_string());
    let mut header = header;
    header.push("变动项".into());
    super::csv::push_row(&mut out, &header);
    for (u, mut row) in c.units.iter().zip(rows) {
        let exact = |d: Decimal| d.normalize().to_string();
        let moved: Vec<String> = u.moved.iter().map(|m| describe_move(m, true, &exact)).collect();
        row.push(moved.join("; "));
        super::csv::push_row(&mut out, &row);
    }
    out
}

/// The summary as sentences.
fn summary_lines(c: &Comparison, zh: bool) -> Vec<String> {
    let s = &c.summary;
    let named = |units: &[String], extra: &dyn Fn(&UnitChange) -> String| -> String {
        units
            .iter()
            .filter_map(|k| c.units.iter().find(|u| &u.unit == k))
            .map(|u| format!("{} {}", u.unit, extra(u)))
            .collect::<Vec<_>>()
            .join(if zh { "、" } else { ", " })
    };
    let total_move = |u: &UnitChange| match (&u.old, &u.new, u.total_change) {
        (Some(o), Some(n), Some(d)) => format!("{} ({} → {})", signed(d, &show), o.total, n.total),
        _ => String::new(),
    };
    let crossing = |u: &UnitChange| format!("({})", u.quota_crossing.clone().unwrap_or_default());
    let say = |en: String, cn: String| if zh { cn } else { en };
    let mut lines = vec![
        say(format!("old: {}", c.old), format!("旧:{}", c.old)),
        say(format!("new: {}", c.new), format!("新:{}", c.new)),
        say(
            format!(
                "{} units compared: {} changed (total {}, rank {}); grades {} up, {} down",
                s.compared, s.changed, s.total_moved, s.rank_moved, s.grade_up, s.grade_down
            ),
            format!(
                "比较 {} 个单位:{} 个有变动(总分 {},排名 {}),等次上升 {} 个、下降 {} 个",
                s.compared, s.changed, s.total_moved, s.rank_moved, s.grade_up, s.grade_down
            ),
        ),
    ];
    if s.added + s.removed > 0 {
        lines.push(say(
            format!("{} only in the new result, {} only in the old", s.added, s.removed),
            format!("仅在新结果中 {} 个,仅在旧结果中 {} 个", s.added, s.removed),
        ));
    }
    if !s.largest_movers.is_empty() {
        let names = named(&s.largest_movers, &total_move);
        lines.push(say(format!("largest movers: {names}"), format!("总分变动最大:{names}")));
    }
    if !s.quota_crossings.is_empty() {
        let names = named(&s.quota_crossings, &crossing);
        lines.push(say(format!("crossed a quota line: {names}"), format!("跨过名额线:{names}")));
    }
    if s.changed + s.added + s.removed == 0 {
        lines.push(say("no figure moved".into(), "所有数字都没有变化".into()));
    }
    lines
}

/// One row per unit: unit, group, old and new total, change, grade, rank.
fn unit_rows(c: &Comparison, zh: bool, number: impl Fn(Decimal) -> String) -> (Vec<String>, Vec<Vec<String>>) {
    let header: Vec<String> = if zh {
        ["单位", "分组", "旧总分", "新总分", "变化", "等次", "排名", "组内排名", "否决"].map(String::from).to_vec()
    } else {
        ["unit", "group", "old total", "new total", "change", "grade", "rank", "in group", "vetoes"].map(String::from).to_vec()
    };
    let gone = if zh { "(无)" } else { "(none)" };
    let pair = |a: Option<String>, b: Option<String>| match (a, b) {
        (Some(a), Some(b)) if a == b => a,
        (a, b) => format!("{} → {}", a.unwrap_or_else(|| gone.into()), b.unwrap_or_else(|| gone.into())),
    };
    let rows = c
        .units
        .iter()
        .map(|u| {
            let (o, n) = (u.old.as_ref(), u.new.as_ref());
            vec![
                u.unit.clone(),
                u.groups.first().cloned().unwrap_or_default(),
                o.map_or(String::new(), |f| f.total.to_string()),
                n.map_or(String::new(), |f| f.total.to_string()),
                u.total_change.map_or(String::new(), |d| signed(d, &number)),
                pair(o.map(|f| f.grade.clone()), n.map(|f| f.grade.clone())),
                pair(o.map(|f| f.rank.to_string()), n.map(|f| f.rank.to_string())),
                pair(o.and_then(|f| f.group_rank).map(|r| r.to_string()), n.and_then(|f| f.group_rank).map(|r| r.to_string())),
                pair(o.map(|f| f.vetoes.join("、")), n.map(|f| f.vetoes.join("、"))),
            ]
        })
        .collect();
    (header, rows)
}

/// A change with its sign: `+0.08`, `-1.45`, `0`.
fn signed(d: Decimal, number: &impl Fn(Decimal) -> String) -> String {
    if d.is_zero() {
        "0".into()
    } else if d.is_sign_negative() {
        number(d)
    } else {
        format!("+{}", number(d))
    }
}

/// `指标 工作考核.重点工作: 93.74 → 94.1 (contribution ≈28.12 → ≈32.81)`
fn describe_move(m: &FigureChange, zh: bool, number: &impl Fn(Decimal) -> String) -> String {
    let value = |d: Option<Decimal>| d.map_or_else(|| "—".to_string(), number);
    let figure = format!("{} {}", m.kind.word(zh), m.name);
    let contribution = if zh { "贡献" } else { "contribution" };
    match m.contribution {
        Some((a, b)) if m.old == m.new => {
            let same = if zh { "得分不变" } else { "score unchanged" };
            format!("{figure}: {contribution} {} → {} ({same} {})", number(a), number(b), value(m.new))
        }
        Some((a, b)) => format!("{figure}: {} → {} ({contribution} {} → {})", value(m.old), value(m.new), number(a), number(b)),
        None => format!("{figure}: {} → {}", value(m.old), value(m.new)),
    }
}

fn optional_decimal<S: serde::Serializer>(value: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(d) => s.serialize_str(&d.normalize().to_string()),
        None => s.serialize_none(),
    }
}

fn optional_pair<S: serde::Serializer>(value: &Option<(Decimal, Decimal)>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some((a, b)) => serde::Serialize::serialize(&[a.normalize().to_string(), b.normalize().to_string()], s),
        None => s.serialize_none(),
    }
}
