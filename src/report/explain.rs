//! `kaohe explain`: the derivation of every figure of one unit.
//!
//! Each line says what a figure is, how it was made, and where that rule is
//! written: the scheme line (`rules/x.kh:42`), the policy article when the
//! scheme names one, and the data rows (`督查记录.csv:14`) it used.
//!
//! The explanation is built from sections (an indicator, an adjustment, the
//! total, the grade, the rank); [`explain`] prints them all, [`explain_figure`]
//! only those behind one figure, which is what a failing test shows.

use std::fmt::Write;

use rust_decimal::Decimal;

use super::{AdjustmentResult, Assessment, UnitResult};
use crate::diagnostics::Lang;
use crate::model::{BandCondition, PolicyRef, Scheme, Subject};

/// The explanation of one unit, as text.
pub fn explain(scheme: &Scheme, assessment: &Assessment, unit: UnitResult<'_>, lang: Lang) -> String {
    let x = Explainer { scheme, assessment, unit, zh: lang == Lang::Zh, top_level: 0 };
    let mut out = String::new();
    let _ = writeln!(out, "{} — {} ({})", unit.key(), scheme.title, scheme.year);
    if unit.groups().len() > 0 {
        let _ = writeln!(out, "{}: {}", x.t("group", "分组"), unit.groups().collect::<Vec<_>>().join(" / "));
    }
    if let Some(source) = &scheme.source {
        let _ = writeln!(out, "{}: {}", x.t("policy", "依据"), policy(source));
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{}",
        x.t("Indicators (score on the indicator's own scale → contribution to its parent)", "指标(本指标得分 → 对上级的贡献)")
    );
    for (i, ind) in scheme.indicators.iter().enumerate() {
        // An indicator under one that does not apply does not apply either
        // (eval inherits `适用`): the parent's line says so once.
        if ind.parent.and_then(|p| unit.indicator(p)).is_none_or(|r| r.applies()) {
            x.indicator(&mut out, i, ind.path.len());
        }
    }
    for (title_en, title_zh, list) in
        [("Deductions", "扣分", unit.deductions().collect::<Vec<_>>()), ("Bonuses", "加分", unit.bonuses().collect())]
    {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", x.t(title_en, title_zh));
        for a in list {
            x.adjustment(&mut out, &a, "  ");
        }
    }
    let _ = writeln!(out);
    x.total(&mut out);
    x.vetoes(&mut out);
    x.grade(&mut out);
    x.rank(&mut out);
    out
}

/// The derivation of one figure of a unit (what a test expectation names):
/// the lines of [`explain`] that make it, with the parts it is made of.
pub fn explain_figure(scheme: &Scheme, assessment: &Assessment, unit: UnitResult<'_>, subject: &Subject, lang: Lang) -> String {
    let top_level = match subject {
        Subject::Indicator(id, _) => scheme.indicators[*id].path.len(),
        _ => 1,
    };
    let x = Explainer { scheme, assessment, unit, zh: lang == Lang::Zh, top_level };
    let mut out = String::new();
    let adjustments_of =
        |target: &str| -> Vec<AdjustmentResult> { unit.deductions().chain(unit.bonuses()).filter(|a| a.target() == target).collect() };
    match subject {
        Subject::Total => {
            for (i, ind) in scheme.indicators.iter().enumerate() {
                if ind.parent.is_none() {
                    x.indicator(&mut out, i, 1);
                }
            }
            for a in adjustments_of(super::TOTAL_TARGET) {
                x.adjustment(&mut out, &a, "");
            }
            x.total(&mut out);
            x.vetoes(&mut out);
        }
        Subject::Indicator(id, _) => {
            let path = scheme.indicators[*id].path.join(".");
            x.indicator(&mut out, *id, scheme.indicators[*id].path.len() + 1);
            for a in adjustments_of(&path) {
                x.adjustment(&mut out, &a, "");
            }
        }
        Subject::Deduction(i) | Subject::Bonus(i) => {
            let name = match subject {
                Subject::Deduction(_) => &scheme.deductions[*i].name,
                _ => &scheme.bonuses[*i].name,
            };
            match unit.deductions().chain(unit.bonuses()).find(|a| a.name() == name) {
                Some(a) => x.adjustment(&mut out, &a, ""),
                None => {
                    let _ = writeln!(out, "{name}: {}", x.t("no row or condition counted for this unit", "本单位没有计入的记录或条件"));
                }
            }
        }
        Subject::Veto(i) => {
            let veto = &scheme.vetoes[*i];
            let struck = unit.vetoes().any(|v| v == veto.name);
            let condition = scheme.origin.file.slice(veto.when.span);
            let verdict = if struck { x.t("struck", "成立") } else { x.t("did not strike", "未成立") };
            let _ = writeln!(out, "{}: `{condition}` {verdict}  ({})", veto.name, veto.origin.cite());
        }
        Subject::Grade => {
            x.total(&mut out);
            x.vetoes(&mut out);
            x.grade(&mut out);
        }
        Subject::Rank | Subject::GroupRank => {
            x.total(&mut out);
            x.rank(&mut out);
        }
    }
    out
}

/// One unit's explanation, section by section.
struct Explainer<'a> {
    scheme: &'a Scheme,
    assessment: &'a Assessment,
    unit: UnitResult<'a>,
    zh: bool,
    /// The depth of indicator printed without indentation (0: all indented).
    top_level: usize,
}

impl Explainer<'_> {
    fn t(&self, en: &str, cn: &str) -> String {
        if self.zh { cn.to_string() } else { en.to_string() }
    }

    /// Indicator `i` and its adjustments and periods; with `depth` > 1 also
    /// its sub-indicators down to that many levels below the top.
    fn indicator(&self, out: &mut String, i: usize, depth: usize) {
        let (scheme, unit) = (self.scheme, self.unit);
        let ind = &scheme.indicators[i];
        let Some(r) = unit.indicator(i) else { return };
        let weight = ind.weight.describe(self.zh);
        let indent = "  ".repeat(ind.path.len() - self.top_level.min(ind.path.len()));
        if !r.applies() {
            let _ = writeln!(
                out,
                "{indent}{} [{weight}]: {}  ({})",
                ind.name,
                self.t("does not apply to this unit", "不适用于本单位"),
                ind.origin.cite()
            );
            return;
        }
        let how = if !ind.children.is_empty() {
            self.t("weighted sum of its sub-indicators", "下级指标加权求和")
        } else if ind.score.is_some() {
            self.t("formula", "公式")
        } else {
            format!("{} {}", self.t("full marks", "满分"), ind.full_marks.normalize())
        };
        let _ = writeln!(
            out,
            "{indent}{} [{weight}]: {} / {} × {} = {}  ({how}; {}{})",
            ind.name,
            show(r.score()),
            ind.full_marks.normalize(),
            show(ind.factor),
            r.contribution().map_or_else(|| "—".to_string(), show),
            ind.origin.cite(),
            ind.source.as_ref().map(|s| format!("; {}", policy(s))).unwrap_or_default()
        );
        if let Some(before) = r.before_adjustments().filter(|b| *b != r.score()) {
            let taken: Decimal = unit.deductions().filter(|d| d.target() == r.path()).map(|d| d.amount()).sum();
            let given: Decimal = unit.bonuses().filter(|d| d.target() == r.path()).map(|d| d.amount()).sum();
            let mut limits = Vec::new();
            if let Some(cap) = ind.deduction_cap.filter(|c| taken > *c) {
                limits.push(format!("{} {}", self.t("deductions capped at", "扣分封顶"), cap.normalize()));
            }
            if before - taken.min(ind.deduction_cap.unwrap_or(taken)) < ind.floor {
                limits.push(format!("{} {}", self.t("floor", "最低"), ind.floor.normalize()));
            }
            let limits = if limits.is_empty() { String::new() } else { format!(" ({})", limits.join("; ")) };
            let _ = writeln!(
                out,
                "{indent}  {}: {} − {} + {} → {}{limits}",
                self.t("before deductions and bonuses", "扣分加分前"),
                show(before),
                show(taken),
                show(given),
                show(r.score())
            );
        }
        if let Some(periods) = &ind.periods {
            let scores: Vec<String> =
                r.periods().enumerate().map(|(p, s)| format!("{}{}: {}", self.t("P", "第"), p + 1, show(s))).collect();
            let how = match &periods.weights {
                Some(ws) => ws.iter().map(|w| format!("{}%", (w * Decimal::ONE_HUNDRED).normalize())).collect::<Vec<_>>().join(", "),
                None => self.t("mean", "平均"),
            };
            let _ = writeln!(out, "{indent}  {} [{how}]: {}", self.t("per period", "各期"), scores.join(", "));
        }
        if depth > ind.path.len() {
            for &child in &ind.children {
                self.indicator(out, child, depth);
            }
        }
    }

    /// One deduction or bonus: its amount, each occurrence, its cap.
    fn adjustment(&self, out: &mut String, a: &AdjustmentResult, indent: &str) {
        let scheme = self.scheme;
        let clause = scheme.deductions.iter().chain(&scheme.bonuses).find(|c| c.name == a.name());
        let cite = clause.map(|c| c.origin.cite()).unwrap_or_default();
        let article = clause.and_then(|c| c.source.as_ref()).map(|s| format!("; {}", policy(s))).unwrap_or_default();
        let _ = writeln!(out, "{indent}{} → {}: {}  ({cite}{article})", a.name(), a.target(), show(a.amount()));
        for o in a.occurrences() {
            let cancelled = if o.cancelled.is_zero() {
                String::new()
            } else {
                format!(", {} {}%", self.t("cancelled after rectification:", "整改销除"), (o.cancelled * Decimal::ONE_HUNDRED).normalize())
            };
            let _ = writeln!(out, "{indent}  {} {}{cancelled}  ({})", self.t("occurrence", "一次"), show(o.amount), o.source());
        }
        if a.amount() < a.uncapped() {
            let _ = writeln!(out, "{indent}  {} {} → {}", self.t("capped:", "封顶:"), show(a.uncapped()), show(a.amount()));
        }
    }

    /// The published total, its exact value, and a veto that set it to 0.
    fn total(&self, out: &mut String) {
        let (scheme, unit) = (self.scheme, self.unit);
        let _ = writeln!(
            out,
            "{}: {} ({} {})",
            self.t("Total", "总分"),
            unit.total(),
            self.t("exact", "精确值"),
            unit.exact_total().normalize()
        );
        let zeroing: Vec<&str> = unit
            .vetoes()
            .filter(|v| scheme.vetoes.iter().any(|x| x.name == *v && x.effects.contains(&crate::model::VetoEffect::ScoreZero)))
            .collect();
        if !zeroing.is_empty() {
            let _ = writeln!(out, "  {} {}", self.t("set to 0 by the veto", "被一票否决清零:"), zeroing.join(", "));
        }
    }

    /// The vetoes that struck and whether the unit may be named advanced.
    fn vetoes(&self, out: &mut String) {
        let (scheme, unit) = (self.scheme, self.unit);
        for v in unit.vetoes() {
            let veto = scheme.vetoes.iter().find(|x| x.name == v);
            let _ = writeln!(
                out,
                "{}: {v}  ({}{})",
                self.t("Veto", "一票否决"),
                veto.map(|x| x.origin.cite()).unwrap_or_default(),
                veto.and_then(|x| x.source.as_ref()).map(|s| format!("; {}", policy(s))).unwrap_or_default()
            );
        }
        if !unit.award_eligible() {
            let _ = writeln!(out, "{}", self.t("Not eligible to be named advanced", "不得评为先进"));
        }
    }

    /// The grade, the band rule that gave it, and a quota or veto note.
    fn grade(&self, out: &mut String) {
        let (scheme, unit) = (self.scheme, self.unit);
        let band = scheme.grades.bands.iter().find(|b| b.name == unit.grade());
        let rule = match band.and_then(|b| b.condition.as_ref()) {
            Some(BandCondition::Threshold { value, inclusive }) => format!("{} {}", if *inclusive { ">=" } else { ">" }, value.normalize()),
            Some(BandCondition::When(_)) => self.t("its condition holds", "满足条件"),
            None => self.t("no higher band reached", "未达到更高等次"),
        };
        let _ = writeln!(out, "{}: {} ({rule}; {})", self.t("Grade", "等次"), unit.grade(), scheme.grades.origin.cite());
        if let Some(note) = unit.grade_note() {
            let _ = writeln!(out, "  {note}");
        }
    }

    /// The rank, the units tied with it, and the tie-breakers that decided.
    fn rank(&self, out: &mut String) {
        let (scheme, assessment, unit, zh) = (self.scheme, self.assessment, self.unit, self.zh);
        let tied: Vec<&str> = assessment.units().filter(|u| u.rank() == unit.rank() && u.key() != unit.key()).map(|u| u.key()).collect();
        let _ = write!(out, "{}: {} / {}", self.t("Rank", "排名"), unit.rank(), assessment.len());
        if let Some(g) = unit.group_rank() {
            let _ = write!(out, ", {} {g}", self.t("in group", "组内"));
        }
        if !tied.is_empty() {
            let _ = write!(out, " ({} {})", self.t("tied with", "与下列单位并列:"), tied.join(", "));
        }
        let _ = writeln!(out);
        // Units with the same first key but another rank: a tie-breaker decided.
        let first_key = unit.rank_keys().next();
        for other in assessment.units().filter(|o| o.key() != unit.key() && o.rank() != unit.rank() && o.rank_keys().next() == first_key) {
            let Some(k) = unit.rank_keys().zip(other.rank_keys()).position(|(a, b)| a != b) else { continue };
            let key =
                scheme.ranking.keys.get(k).map(|key| key.expr.span).map(|s| scheme.origin.file.slice(s).to_string()).unwrap_or_default();
            let (mine, theirs) = (
                unit.rank_keys().nth(k).flatten().map(show).unwrap_or_default(),
                other.rank_keys().nth(k).flatten().map(show).unwrap_or_default(),
            );
            let above = unit.rank() < other.rank();
            let line = match (zh, above) {
                (false, true) => format!("  ranked above {}: equal total, decided by `{key}` {mine} vs {theirs}", other.key()),
                (false, false) => format!("  ranked below {}: equal total, decided by `{key}` {mine} vs {theirs}", other.key()),
                (true, true) => format!("  名次高于 {}:总分相同,按 `{key}` 决定({mine} 对 {theirs})", other.key()),
                (true, false) => format!("  名次低于 {}:总分相同,按 `{key}` 决定({mine} 对 {theirs})", other.key()),
            };
            let _ = writeln!(out, "{line}");
        }
    }
}

/// A figure for reading: exact when short, else 4 places marked `≈`.
pub fn show(d: Decimal) -> String {
    let d = d.normalize();
    if d.scale() <= 4 { d.to_string() } else { format!("≈{}", d.round_dp(4).normalize()) }
}

fn policy(p: &PolicyRef) -> String {
    match &p.article {
        Some(a) => format!("{} {a}", p.document),
        None => p.document.clone(),
    }
}
