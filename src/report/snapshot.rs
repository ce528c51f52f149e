//! Result snapshots: every published figure as reviewable text, for a rules
//! repository's own CI (`kaohe eval --snapshot FILE`, `--check FILE`, `--accept`).
//!
//! One block per unit, units in key order (not rank order), so that a change
//! touches only the lines of the units it moves and a rank change does not
//! reorder the file. Each line is `figure = value`; values are exact, as in
//! the CSV output. Lines starting with `#` are comments and are not compared.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::Assessment;
use crate::diagnostics::Lang;

/// The snapshot text of a result.
pub fn render(a: &Assessment) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# kaohe result snapshot: {} ({})", a.scheme, a.year);
    let _ = writeln!(out, "# Every published figure, unit by unit. Written by `kaohe eval --snapshot`, compared by");
    let _ = writeln!(out, "# `kaohe eval --check`, updated by `--check --accept`. Review a change here like code.");
    let mut units: Vec<super::UnitResult> = a.units().collect();
    units.sort_by(|x, y| x.key().cmp(y.key()));
    for u in units {
        let _ = writeln!(out, "\n[{}]", u.key());
        if u.groups().len() > 0 {
            let _ = writeln!(out, "分组 = {}", u.groups().collect::<Vec<_>>().join(" / "));
        }
        let _ = writeln!(out, "总分 = {}", u.total());
        let _ = writeln!(out, "等次 = {}", u.grade());
        let _ = writeln!(out, "排名 = {}", u.rank());
        if let Some(g) = u.group_rank() {
            let _ = writeln!(out, "组内排名 = {g}");
        }
        if u.vetoes().len() > 0 {
            let _ = writeln!(out, "一票否决 = {}", u.vetoes().collect::<Vec<_>>().join("、"));
        }
        if !u.award_eligible() {
            let _ = writeln!(out, "可评先 = 否");
        }
        for i in u.indicators() {
            if !i.applies() {
                let _ = writeln!(out, "指标 {} = 不适用", i.path());
                continue;
            }
            let periods = if i.periods().len() == 0 {
                String::new()
            } else {
                format!(" | 各期 {}", i.periods().map(|p| p.normalize().to_string()).collect::<Vec<_>>().join(", "))
            };
            let _ = writeln!(out, "指标 {} = {}{periods}", i.path(), i.score().normalize());
        }
        for (kind, adj) in u.deductions().map(|d| ("扣分", d)).chain(u.bonuses().map(|b| ("加分", b))) {
            let _ = writeln!(out, "{kind} {} → {} = {}", adj.name(), adj.target(), adj.amount().normalize());
        }
    }
    out
}

/// One figure of a snapshot that moved: its name, old and new value
/// (`None`: the line is absent on that side).
pub type FigureMove = (String, Option<String>, Option<String>);

/// What changed between two snapshots, unit by unit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnapshotChanges {
    /// Units in both whose figures differ: each changed figure with its old
    /// and new value (`None`: the line is absent on that side).
    pub changed: Vec<(String, Vec<FigureMove>)>,
    /// Units only in the new result.
    pub added: Vec<String>,
    /// Units only in the old snapshot.
    pub removed: Vec<String>,
    /// Units compared.
    pub units: usize,
}

impl SnapshotChanges {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.changed.is_empty() && self.added.is_empty() && self.removed.is_empty()
    }
}

/// Compares a stored snapshot with a new one.
pub fn compare(stored: &str, fresh: &str) -> SnapshotChanges {
    let (old, new) = (parse(stored), parse(fresh));
    let mut changes = SnapshotChanges { units: new.len(), ..SnapshotChanges::default() };
    for (unit, figures) in &new {
        let Some(before) = old.get(unit) else {
            changes.added.push(unit.clone());
            continue;
        };
        let mut moved = Vec::new();
        for (figure, value) in figures {
            let was = before.iter().find(|(f, _)| f == figure).map(|(_, v)| v);
            if was != Some(value) {
                moved.push((figure.clone(), was.cloned(), Some(value.clone())));
            }
        }
        for (figure, value) in before {
            if !figures.iter().any(|(f, _)| f == figure) {
                moved.push((figure.clone(), Some(value.clone()), None));
            }
        }
        if !moved.is_empty() {
            changes.changed.push((unit.clone(), moved));
        }
    }
    changes.removed = old.keys().filter(|u| !new.contains_key(*u)).cloned().collect();
    changes
}

/// A snapshot's figures by unit, in file order within a unit.
fn parse(text: &str) -> BTreeMap<String, Vec<(String, String)>> {
    let mut units: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if let Some(unit) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = Some(unit.to_string());
            units.entry(unit.to_string()).or_default();
            continue;
        }
        let (figure, value) = line.split_once(" = ").unwrap_or((line, ""));
        // A line before any unit header is kept under an empty unit, so a damaged file still compares unequal.
        units.entry(current.clone().unwrap_or_default()).or_default().push((figure.to_string(), value.to_string()));
    }
    units
}

/// The changes for people: per unit, each figure's old and new value.
pub fn render_changes(changes: &SnapshotChanges, file: &str, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let mut out = String::new();
    let moved = changes.changed.len() + changes.added.len() + changes.removed.len();
    let _ = writeln!(
        out,
        "{}",
        if zh {
            format!("快照 {file} 与本次结果不同:{moved} 个单位的数字会变化")
        } else {
            format!("snapshot {file} differs from this evaluation: the figures of {moved} unit(s) would change")
        }
    );
    let absent = if zh { "(无)" } else { "(none)" };
    for (unit, figures) in &changes.changed {
        let _ = writeln!(out, "\n[{unit}]");
        for (figure, old, new) in figures {
            let _ = writeln!(out, "  {figure}: {} → {}", old.as_deref().unwrap_or(absent), new.as_deref().unwrap_or(absent));
        }
    }
    for unit in &changes.added {
        let _ = writeln!(out, "\n[{unit}] {}", if zh { "新增单位" } else { "new unit" });
    }
    for unit in &changes.removed {
        let _ = writeln!(out, "\n[{unit}] {}", if zh { "单位已不在结果中" } else { "no longer in the results" });
    }
    out
}
