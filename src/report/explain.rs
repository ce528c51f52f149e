//! `kaohe explain`: the derivation of every figure of one unit.
//!
//! Each line says what a figure is, how it was made, and where that rule is
//! written: the scheme line (`rules/x.kh:42`), the policy article when the
//! scheme names one, and the data rows (`督查记录.csv:14`) it used.

use std::fmt::Write;

use rust_decimal::Decimal;

use super::{Assessment, UnitResult};
use crate::diagnostics::Lang;
use crate::model::{BandCondition, PolicyRef, Scheme};

/// The explanation of one unit, as text.
pub fn explain(scheme: &Scheme, assessment: &Assessment, unit: &UnitResult, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let t = |en: &str, cn: &str| if zh { cn.to_string() } else { en.to_string() };
    let mut out = String::new();
    let _ = writeln!(out, "{} — {} ({})", unit.unit, scheme.title, scheme.year);
    if !unit.groups.is_empty() {
        let _ = writeln!(out, "{}: {}", t("group", "分组"), unit.groups.join(" / "));
    }
    if let Some(source) = &scheme.source {
        let _ = writeln!(out, "{}: {}", t("policy", "依据"), policy(source));
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{}",
        t("Indicators (score on the indicator's own scale → contribution to its parent)", "指标(本指标得分 → 对上级的贡献)")
    );
    for (i, ind) in scheme.indicators.iter().enumerate() {
        let Some(r) = unit.indicators.get(i) else { continue };
        let depth = ind.path.len().saturating_sub(1);
        let weight = ind.weight.describe(zh);
        let indent = "  ".repeat(depth + 1);
        if !r.applies {
            let _ = writeln!(
                out,
                "{indent}{} [{weight}]: {}  ({})",
                ind.name,
                t("does not apply to this unit", "不适用于本单位"),
                ind.origin.cite()
            );
            continue;
        }
        let how = if !ind.children.is_empty() {
            t("weighted sum of its sub-indicators", "下级指标加权求和")
        } else if ind.score.is_some() {
            t("formula", "公式")
        } else {
            format!("{} {}", t("full marks", "满分"), ind.full_marks.normalize())
        };
        let _ = writeln!(
            out,
            "{indent}{} [{weight}]: {} / {} × {} = {}  ({how}; {}{})",
            ind.name,
            show(r.score),
            ind.full_marks.normalize(),
            show(ind.factor),
            show(r.contribution),
            ind.origin.cite(),
            ind.source.as_ref().map(|s| format!("; {}", policy(s))).unwrap_or_default()
        );
        if r.before_adjustments != r.score {
            let taken: Decimal = unit.deductions.iter().filter(|d| d.target == r.path).map(|d| d.amount).sum();
            let given: Decimal = unit.bonuses.iter().filter(|d| d.target == r.path).map(|d| d.amount).sum();
            let mut limits = Vec::new();
            if let Some(cap) = ind.deduction_cap.filter(|c| taken > *c) {
                limits.push(format!("{} {}", t("deductions capped at", "扣分封顶"), cap.normalize()));
            }
            if r.before_adjustments - taken.min(ind.deduction_cap.unwrap_or(taken)) < ind.floor {
                limits.push(format!("{} {}", t("floor", "最低"), ind.floor.normalize()));
            }
            let limits = if limits.is_empty() { String::new() } else { format!(" ({})", limits.join("; ")) };
            let _ = writeln!(
                out,
                "{indent}  {}: {} − {} + {} → {}{limits}",
                t("before deductions and bonuses", "扣分加分前"),
                show(r.before_adjustments),
                show(taken),
                show(given),
                show(r.score)
            );
        }
        if let Some(periods) = &ind.periods {
            let scores: Vec<String> =
                r.periods.iter().enumerate().map(|(p, s)| format!("{}{}: {}", t("P", "第"), p + 1, show(*s))).collect();
            let how = match &periods.weights {
                Some(ws) => ws.iter().map(|w| format!("{}%", (w * Decimal::ONE_HUNDRED).normalize())).collect::<Vec<_>>().join(", "),
                None => t("mean", "平均").to_string(),
            };
            let _ = writeln!(out, "{indent}  {} [{how}]: {}", t("per period", "各期"), scores.join(", "));
        }
    }
    for (title_en, title_zh, list) in [("Deductions", "扣分", &unit.deductions), ("Bonuses", "加分", &unit.bonuses)] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", t(title_en, title_zh));
        for a in list {
            let clause = scheme.deductions.iter().chain(&scheme.bonuses).find(|c| c.name == a.name);
            let cite = clause.map(|c| c.origin.cite()).unwrap_or_default();
            let article = clause.and_then(|c| c.source.as_ref()).map(|s| format!("; {}", policy(s))).unwrap_or_default();
            let _ = writeln!(out, "  {} → {}: {}  ({cite}{article})", a.name, a.target, show(a.amount));
            for o in &a.occurrences {
                let cancelled = if o.cancelled.is_zero() {
                    String::new()
                } else {
                    format!(", {} {}%", t("cancelled after rectification:", "整改销除"), (o.cancelled * Decimal::ONE_HUNDRED).normalize())
                };
                let _ = writeln!(out, "    {} {}{cancelled}  ({})", t("occurrence", "一次"), show(o.amount), o.source);
            }
            if a.amount < a.uncapped {
                let _ = writeln!(out, "    {} {} → {}", t("capped:", "封顶:"), show(a.uncapped), show(a.amount));
            }
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{}: {} ({} {})", t("Total", "总分"), unit.total, t("exact", "精确值"), unit.exact_total.normalize());
    let zeroing: Vec<&str> = unit
        .vetoes
        .iter()
        .filter(|v| scheme.vetoes.iter().any(|x| &&x.name == v && x.effects.contains(&crate::model::VetoEffect::ScoreZero)))
        .map(String::as_str)
        .collect();
    if !zeroing.is_empty() {
        let _ = writeln!(out, "  {} {}", t("set to 0 by the veto", "被一票否决清零:"), zeroing.join(", "));
    }
    if !unit.vetoes.is_empty() {
        for v in &unit.vetoes {
            let veto = scheme.vetoes.iter().find(|x| &x.name == v);
            let _ = writeln!(
                out,
                "{}: {v}  ({}{})",
                t("Veto", "一票否决"),
                veto.map(|x| x.origin.cite()).unwrap_or_default(),
                veto.and_then(|x| x.source.as_ref()).map(|s| format!("; {}", policy(s))).unwrap_or_default()
            );
        }
    }
    if !unit.award_eligible {
        let _ = writeln!(out, "{}", t("Not eligible to be named advanced", "不得评为先进"));
    }
    let band = scheme.grades.bands.iter().find(|b| b.name == unit.grade);
    let rule = match band.and_then(|b| b.condition.as_ref()) {
        Some(BandCondition::Threshold { value, inclusive }) => format!("{} {}", if *inclusive { ">=" } else { ">" }, value.normalize()),
        Some(BandCondition::When(_)) => t("its condition holds", "满足条件"),
        None => t("no higher band reached", "未达到更高等次"),
    };
    let _ = writeln!(out, "{}: {} ({rule}; {})", t("Grade", "等次"), unit.grade, scheme.grades.origin.cite());
    if let Some(note) = &unit.grade_note {
        let _ = writeln!(out, "  {note}");
    }
    let tied: Vec<&str> = assessment.units.iter().filter(|u| u.rank == unit.rank && u.unit != unit.unit).map(|u| u.unit.as_str()).collect();
    let _ = write!(out, "{}: {} / {}", t("Rank", "排名"), unit.rank, assessment.units.len());
    if let Some(g) = unit.group_rank {
        let _ = write!(out, ", {} {g}", t("in group", "组内"));
    }
    if !tied.is_empty() {
        let _ = write!(out, " ({} {})", t("tied with", "与下列单位并列:"), tied.join(", "));
    }
    let _ = writeln!(out);
    // Units with the same first key but another rank: a tie-breaker decided.
    for other in
        assessment.units.iter().filter(|o| o.unit != unit.unit && o.rank != unit.rank && o.rank_keys.first() == unit.rank_keys.first())
    {
        let Some(k) = unit.rank_keys.iter().zip(&other.rank_keys).position(|(a, b)| a != b) else { continue };
        let key = scheme.ranking.keys.get(k).map(|key| key.expr.span).map(|s| scheme.origin.file.slice(s).to_string()).unwrap_or_default();
        let (mine, theirs) = (unit.rank_keys[k].map(show).unwrap_or_default(), other.rank_keys[k].map(show).unwrap_or_default());
        let above = unit.rank < other.rank;
        let line = match (zh, above) {
            (false, true) => format!("  ranked above {}: equal total, decided by `{key}` {mine} vs {theirs}", other.unit),
            (false, false) => format!("  ranked below {}: equal total, decided by `{key}` {mine} vs {theirs}", other.unit),
            (true, true) => format!("  名次高于 {}:总分相同,按 `{key}` 决定({mine} 对 {theirs})", other.unit),
            (true, false) => format!("  名次低于 {}:总分相同,按 `{key}` 决定({mine} 对 {theirs})", other.unit),
        };
        let _ = writeln!(out, "{line}");
    }
    out
}

/// A figure for reading: exact when short, else 4 places marked `≈`.
fn show(d: Decimal) -> String {
    let d = d.normalize();
    if d.scale() <= 4 { d.to_string() } else { format!("≈{}", d.round_dp(4).normalize()) }
}

fn policy(p: &PolicyRef) -> String {
    match &p.article {
        Some(a) => format!("{} {a}", p.document),
        None => p.document.clone(),
    }
}
