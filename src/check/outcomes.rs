//! Deductions, bonuses, vetoes, grade bands and ranking.
//!
//! Grade bands are tried from best to worst; a band can be reached only if
//! some total qualifies for it and for no band above it. Thresholds must
//! therefore descend, a catch-all must come last, and percentage quotas of
//! one scope cannot add up to more than 100%.

use std::sync::Arc;

use rust_decimal::Decimal;

use super::Checker;
use super::expr::Scope;
use super::indicators::percent;
use super::merge::Tagged;
use crate::ast::{self, AmountClause, BandCondition as AstBand, QuotaAmount as AstQuota, RoundingMode, TiePolicy, VetoEffect as AstEffect};
use crate::diagnostics::{Diagnostic, codes};
use crate::model::{
    Adjustment, AmountRule, BandCondition, ExprKind, Expunge, GradeBand, Grades, Quota, QuotaAmount, RankKey, Ranking, Target, Type, Value,
    Veto, VetoEffect,
};
use crate::source::{Name, Origin, SourceFile, Span};
use crate::suggest::help_or;
use crate::text;

/// A deduction or bonus declaration, seen the same way.
pub(super) struct AdjustmentDecl<'a> {
    name: &'a Name,
    target: Option<&'a crate::source::Spanned<ast::Target>>,
    head_cap: Option<&'a ast::Expr>,
    clauses: &'a [crate::source::Spanned<AmountClause>],
}

impl Checker<'_> {
    pub(super) fn adjustments<T: AsAdjustment>(&mut self, decls: &[Tagged<T>], deduction: bool) -> Vec<Adjustment> {
        let mut out: Vec<Adjustment> = Vec::new();
        for tagged in decls {
            let d = tagged.item.view();
            let file = &tagged.file;
            if let Some(first) = out.iter().find(|a| a.name == d.name.node) {
                let first = first.origin.clone();
                let n = &d.name.node;
                let mut diag = Diagnostic::error(&codes::NAME_DUPLICATE, file, text!("`{n}` is declared twice", "`{n}` 声明了两次"))
                    .with_label(d.name.span, text!("declared again here", "在此重复声明"));
                if Arc::ptr_eq(&first.file, file) {
                    diag = diag.with_note(first.span, text!("first declared here", "首次声明在此"));
                }
                self.push(diag.with_help(text!(
                    "give each one its own name, or merge their rules into one block",
                    "给每项起不同的名称,或把规则合并到一个块中"
                )));
                continue;
            }
            if let Some(a) = self.adjustment(file, &d, deduction) {
                out.push(a);
            }
        }
        out
    }

    fn adjustment(&mut self, file: &Arc<SourceFile>, d: &AdjustmentDecl<'_>, deduction: bool) -> Option<Adjustment> {
        let target = match d.target.map(|t| &t.node) {
            None | Some(ast::Target::Total) => Target::Total,
            Some(ast::Target::Indicator(path)) => Target::Indicator(self.indicator_by_path(file, path)?),
        };
        let unit = Scope { indicators: true, ..Scope::default() };
        let mut a = Adjustment {
            name: d.name.node.clone(),
            target,
            rules: Vec::new(),
            cap: None,
            until_zero: false,
            expunge: Vec::new(),
            zero_when: None,
            highest_only: false,
            source: None,
            origin: Origin { file: file.clone(), span: d.name.span },
        };
        if let Some(cap) = d.head_cap {
            a.cap = Some(self.number(file, cap, unit, text!("the cap", "上限")));
        }
        let mut row_tables: Vec<usize> = Vec::new();
        let mut cap_span = d.head_cap.map(|c| c.span);
        let mut until_zero_span = None;
        for clause in d.clauses {
            match &clause.node {
                AmountClause::PerRow { table, filter, amount } => {
                    let Some(t) = self.lookup_table(file, table) else { continue };
                    self.used_tables.insert(t);
                    row_tables.push(t);
                    let row = Scope { row: Some(t), indicators: true, ..Scope::default() };
                    let filter = filter.as_ref().map(|f| self.condition(file, f, row));
                    let amount = self.number(file, amount, row, text!("the amount per row", "每条的分值"));
                    a.rules.push(AmountRule::PerRow { table: t, filter, amount, span: clause.span });
                }
                AmountClause::Flat { amount, when } => {
                    let amount = self.number(file, amount, unit, text!("the amount", "分值"));
                    let when = self.condition(file, when, unit);
                    a.rules.push(AmountRule::Flat { amount, when, span: clause.span });
                }
                AmountClause::Cap(c) => {
                    cap_span = Some(clause.span);
                    if a.cap.is_some() {
                        self.repeated(file, clause.span);
                    }
                    a.cap = Some(self.number(file, c, unit, text!("the cap", "上限")));
                }
                AmountClause::UntilZero => {
                    a.until_zero = true;
                    until_zero_span = Some(clause.span);
                }
                AmountClause::Expunge { share, when } => {
                    if share.node <= Decimal::ZERO || share.node > Decimal::ONE {
                        let s = percent(share.node);
                        self.push(
                            Diagnostic::error(
                                &codes::DEDUCTION_EXPUNGE,
                                file,
                                text!("cannot cancel {s} of a deduction", "不能销除扣分的 {s}"),
                            )
                            .with_label(share.span, text!("between 0% and 100%", "应在 0% 到 100% 之间"))
                            .with_help(text!("write `销除 全部` to cancel the whole deduction", "整条销除请写 `销除 全部`")),
                        );
                    }
                    if !deduction {
                        self.push(
                            Diagnostic::error(
                                &codes::DEDUCTION_EXPUNGE,
                                file,
                                text!("bonuses are not cancelled after rectification", "加分没有整改销除"),
                            )
                            .with_label(clause.span, text!("only deductions are expunged", "只有扣分可以销除"))
                            .with_help(text!("move this clause into a `扣分` block", "把此子句移到 `扣分` 块中")),
                        );
                    }
                    let Some(&t) = row_tables.first() else {
                        self.push(
                            Diagnostic::error(
                                &codes::DEDUCTION_EXPUNGE,
                                file,
                                text!("cancellation needs a per-row rule before it", "销除之前需要有逐条扣分规则"),
                            )
                            .with_label(clause.span, text!("which rows are cancelled?", "销除哪些记录?"))
                            .with_help(text!(
                                "put `每条 表 ... 扣 ...` before `销除`: cancellation applies to each recorded deduction",
                                "在 `销除` 之前写 `每条 表 ... 扣 ...`:销除针对每条扣分记录"
                            )),
                        );
                        continue;
                    };
                    let when = self.condition(file, when, Scope { row: Some(t), indicators: true, ..Scope::default() });
                    a.expunge.push(Expunge { share: share.node, when, span: clause.span });
                }
                AmountClause::Zero(c) => a.zero_when = Some(self.condition(file, c, unit)),
                AmountClause::HighestOnly => a.highest_only = true,
                AmountClause::Source(s) => a.source = Some(super::policy_ref(s)),
                AmountClause::Note(_) => {}
            }
        }
        let written =
            d.clauses.iter().any(|c| matches!(c.node, AmountClause::PerRow { .. } | AmountClause::Flat { .. } | AmountClause::Zero(_)));
        if !written {
            let n = &d.name.node;
            self.push(
                Diagnostic::error(
                    &codes::DEDUCTION_EMPTY,
                    file,
                    text!("`{n}` has no rule that gives an amount", "`{n}` 没有产生分值的规则"),
                )
                .with_label(d.name.span, text!("nothing to deduct or add", "没有可扣或可加的分"))
                .with_help(if deduction {
                    text!("add `每条 表 where 条件 扣 2` or `扣 2 当 条件`", "加上 `每条 表 where 条件 扣 2` 或 `扣 2 当 条件`")
                } else {
                    text!("add `每条 表 where 条件 加 2` or `加 2 当 条件`", "加上 `每条 表 where 条件 加 2` 或 `加 2 当 条件`")
                }),
            );
        }
        if let (Some(until), Some(cap)) = (until_zero_span, cap_span) {
            self.push(
                Diagnostic::error(
                    &codes::DEDUCTION_EMPTY,
                    file,
                    text!("`until zero` (`扣完为止`) and a cap contradict each other", "`扣完为止` 与上限相互矛盾"),
                )
                .with_label(until, text!("no cap: deduct until the score is zero", "不设上限,扣完为止"))
                .with_note(cap, text!("a cap", "上限"))
                .with_help(text!("keep one of the two", "二者只保留其一")),
            );
        }
        Some(a)
    }

    fn repeated(&mut self, file: &Arc<SourceFile>, span: Span) {
        self.push(
            Diagnostic::error(&codes::INDICATOR_REPEATED_CLAUSE, file, text!("this clause is given twice", "此子句出现了两次"))
                .with_label(span, text!("again here", "在此重复"))
                .with_help(text!("keep one of them", "只保留一个")),
        );
    }

    pub(super) fn grades(&mut self, grades: &[Tagged<ast::GradesDecl>]) -> Option<Grades> {
        let Some(tagged) = grades.first() else {
            self.push(
                Diagnostic::error(&codes::GRADES_MISSING, &self.main, text!("the scheme has no grade bands", "方案没有等次"))
                    .with_label(Span::new(0, 0), text!("no `等次` in this file", "此文件中没有 `等次`"))
                    .with_help(text!(
                        "add `等次 {{ 优秀 >= 90  良好 >= 80  达标 >= 60  诫勉 }}`",
                        "加上 `等次 {{ 优秀 >= 90  良好 >= 80  达标 >= 60  诫勉 }}`"
                    )),
            );
            return None;
        };
        for again in &grades[1..] {
            self.push(
                Diagnostic::error(
                    &codes::HEADER_REPEATED,
                    &again.file,
                    text!("the grade bands (`等次` / `grades`) are declared twice", "`等次` 声明了两次"),
                )
                .with_label(Span::new(again.item.span.start, again.item.span.start), text!("declared again here", "在此重复声明"))
                .with_help(text!("keep one `等次` block", "只保留一个 `等次` 块")),
            );
        }
        let g = &tagged.item;
        let file = &tagged.file;
        let mut bands: Vec<GradeBand> = Vec::new();
        let scope = Scope { total: true, indicators: true, ..Scope::default() };
        // The best a total can be, when it is bounded.
        let ceiling = self.ceiling();
        let mut previous: Option<(Decimal, bool, Span)> = None;
        let mut catch_all: Option<Span> = None;
        for band in &g.bands {
            let name = &band.name.node;
            if let Some(first) = bands.iter().find(|b| b.name == *name) {
                let first = first.span;
                self.push(
                    Diagnostic::error(&codes::NAME_DUPLICATE, file, text!("grade `{name}` is listed twice", "等次 `{name}` 列出了两次"))
                        .with_label(band.name.span, text!("again here", "在此重复"))
                        .with_note(first, text!("first here", "首次出现在此"))
                        .with_help(text!("each grade appears once", "每个等次只出现一次")),
                );
                continue;
            }
            if let Some(all) = catch_all {
                self.push(
                    Diagnostic::error(
                        &codes::GRADES_ORDER,
                        file,
                        text!("grade `{name}` can never be reached", "等次 `{name}` 永远不会被评上"),
                    )
                    .with_label(band.name.span, text!("comes after the catch-all band", "在兜底等次之后"))
                    .with_note(all, text!("every unit not graded above gets this band", "未评上前面等次的单位都归入此等次"))
                    .with_help(text!("put the band without a threshold last", "把没有分数线的等次放在最后")),
                );
            }
            let condition = match &band.condition {
                None => {
                    catch_all.get_or_insert(band.name.span);
                    None
                }
                Some(AstBand::When(e)) => Some(BandCondition::When(self.condition(file, e, scope))),
                Some(AstBand::Threshold { value, inclusive }) => {
                    let v = self.number(file, value, Scope::default(), text!("a grade threshold", "等次分数线"));
                    let threshold = match &v.kind {
                        ExprKind::Const(Value::Number(n)) => Some(*n),
                        ExprKind::Param(p) => match self.params[*p].values.as_slice() {
                            [only] => match only.value {
                                Value::Number(n) => Some(n),
                                _ => None,
                            },
                            _ => None,
                        },
                        _ => None,
                    };
                    match threshold {
                        None => {
                            if v.ty != Type::Error {
                                self.push(
                                    Diagnostic::error(
                                        &codes::TYPE_SCORE,
                                        file,
                                        text!("a grade threshold must be a constant number", "等次分数线必须是常数"),
                                    )
                                    .with_label(value.span, text!("not a constant", "不是常数"))
                                    .with_help(text!(
                                        "write a number like `90`, or use `当 条件` for a condition",
                                        "写一个数,如 `90`;若是条件请用 `当 条件`"
                                    )),
                                );
                            }
                            None
                        }
                        Some(t) => {
                            if let Some((prev, prev_inclusive, prev_span)) = previous {
                                let shadowed = t > prev || (t == prev && (prev_inclusive || !inclusive));
                                if shadowed {
                                    self.push(
                                        Diagnostic::error(
                                            &codes::GRADES_ORDER,
                                            file,
                                            text!("grade `{name}` can never be reached", "等次 `{name}` 永远不会被评上"),
                                        )
                                        .with_label(
                                            value.span,
                                            text!("every total meeting this also meets the band above", "满足此线的总分都已满足上一等次"),
                                        )
                                        .with_note(prev_span, text!("the band above", "上一等次"))
                                        .with_help(text!(
                                            "list the bands from best to worst with descending thresholds",
                                            "按从高到低的顺序列出等次,分数线递减"
                                        )),
                                    );
                                }
                            }
                            if let Some(max) = ceiling {
                                if t > max || (t == max && !inclusive) {
                                    let m = max.normalize();
                                    self.push(
                                        Diagnostic::error(
                                            &codes::GRADES_ORDER,
                                            file,
                                            text!(
                                                "grade `{name}` can never be reached: totals are at most {m}",
                                                "等次 `{name}` 永远不会被评上:总分最高为 {m}"
                                            ),
                                        )
                                        .with_label(value.span, text!("above the highest possible total", "高于可能的最高总分"))
                                        .with_help(text!(
                                            "lower the threshold, or allow bonuses above full marks",
                                            "降低分数线,或允许加分后超过满分"
                                        )),
                                    );
                                }
                            }
                            previous = Some((t, *inclusive, value.span));
                            Some(BandCondition::Threshold { value: t, inclusive: *inclusive })
                        }
                    }
                }
            };
            let quota = band.quota.as_ref().map(|q| self.quota(file, q, &band.name));
            bands.push(GradeBand { name: name.clone(), condition, quota: quota.flatten(), span: band.name.span });
        }
        if catch_all.is_none() {
            if let Some(last) = g.bands.last() {
                let n = &last.name.node;
                self.push(
                    Diagnostic::error(
                        &codes::GRADES_NO_CATCH_ALL,
                        file,
                        text!("units below `{n}` would get no grade", "低于 `{n}` 的单位将没有等次"),
                    )
                    .with_label(last.name.span, text!("the last band has a condition", "最后一个等次带有条件"))
                    .with_help(text!("end with a band without threshold, like `诫勉`", "以一个没有分数线的等次结尾,如 `诫勉`")),
                );
            }
        }
        self.quota_totals(file, &bands);
        self.grade_names = bands.iter().map(|b| b.name.clone()).collect();
        Some(Grades {
            bands,
            quota_rounding: g.quota_rounding.as_ref().map_or(RoundingMode::Down, |r| r.node),
            ties: g.ties.as_ref().map_or(TiePolicy::AllIn, |t| t.node),
            source: g.source.as_ref().map(super::policy_ref),
            origin: Origin { file: file.clone(), span: g.span },
        })
    }

    /// The highest total possible, when the header caps it. (Formulas may
    /// exceed full marks, so without a cap nothing is known.)
    fn ceiling(&self) -> Option<Decimal> {
        self.total_cap
    }

    fn quota(&mut self, file: &Arc<SourceFile>, q: &ast::Quota, band: &Name) -> Option<Quota> {
        let amount = match q.amount.node {
            AstQuota::Share(s) if s <= Decimal::ZERO || s > Decimal::ONE => {
                let shown = percent(s);
                self.push(
                    Diagnostic::error(&codes::GRADES_QUOTA, file, text!("a quota of {shown} is impossible", "比例 {shown} 不可能"))
                        .with_label(q.amount.span, text!("between 0% and 100%", "应在 0% 到 100% 之间"))
                        .with_help(text!("write the share of units, like `20%`", "写出单位所占比例,如 `20%`")),
                );
                return None;
            }
            AstQuota::Share(s) => QuotaAmount::Share(s),
            AstQuota::Count(n) => QuotaAmount::Count(n),
        };
        let per_group = match &q.per_group {
            None => None,
            Some(column) => Some(self.group_column(file, column.as_ref(), q.scope_span.unwrap_or(q.amount.span), &band.node)?),
        };
        Some(Quota { amount, per_group, span: q.amount.span })
    }

    /// The group column for `每组` (`按 列` names it, else the first group).
    fn group_column(&mut self, file: &Arc<SourceFile>, column: Option<&Name>, span: Span, what: &str) -> Option<usize> {
        let units = self.units.clone()?;
        match column {
            Some(name) => {
                let c = self.lookup_column(file, units.table, name)?;
                if !units.groups.contains(&c) {
                    let n = &name.node;
                    self.push(
                        Diagnostic::error(
                            &codes::GRADES_GROUP,
                            file,
                            text!("`{n}` is not a group column of the units", "`{n}` 不是考核对象的分组列"),
                        )
                        .with_label(name.span, text!("not declared with `分组`", "没有用 `分组` 声明"))
                        .with_help(text!("add it to `分组` in `考核对象`", "把它加入 `考核对象` 的 `分组`")),
                    );
                    return None;
                }
                Some(c)
            }
            None => match units.groups.first() {
                Some(&g) => Some(g),
                None => {
                    self.push(
                        Diagnostic::error(
                            &codes::GRADES_GROUP,
                            file,
                            text!("`{what}` is per group, but the units have no groups", "`{what}` 按组计算,但考核对象没有分组"),
                        )
                        .with_label(span, text!("per group", "按组"))
                        .with_help(text!(
                            "name a group column in the units declaration (`units T {{ key K group COLUMN }}` / `分组 列`), or drop `per group` (`每组`)",
                            "在 `考核对象` 中用 `分组 列` 指明分组列,或去掉 `每组`"
                        )),
                    );
                    None
                }
            },
        }
    }

    fn quota_totals(&mut self, file: &Arc<SourceFile>, bands: &[GradeBand]) {
        let mut scopes: Vec<(Option<usize>, Decimal, Vec<Span>)> = Vec::new();
        for b in bands {
            let Some(Quota { amount: QuotaAmount::Share(s), per_group, span }) = b.quota else { continue };
            match scopes.iter_mut().find(|(g, _, _)| *g == per_group) {
                Some(entry) => {
                    entry.1 = entry.1.checked_add(s).unwrap_or(entry.1);
                    entry.2.push(span);
                }
                None => scopes.push((per_group, s, vec![span])),
            }
        }
        for (_, total, spans) in scopes {
            if total > Decimal::ONE {
                let shown = percent(total);
                let mut d = Diagnostic::error(
                    &codes::GRADES_QUOTA,
                    file,
                    text!("grade quotas add up to {shown}, more than all units", "等次比例合计 {shown},超过了全部单位"),
                );
                for (i, s) in spans.iter().enumerate() {
                    d = if i == 0 { d.with_label(*s, text!("quota", "比例")) } else { d.with_note(*s, text!("quota", "比例")) };
                }
                self.push(d.with_help(text!("lower the quotas so that they add up to at most 100%", "降低比例,使合计不超过 100%")));
            }
        }
    }

    pub(super) fn vetoes(&mut self, vetoes: &[Tagged<ast::VetoDecl>]) -> Vec<Veto> {
        let mut out: Vec<Veto> = Vec::new();
        for tagged in vetoes {
            let v = &tagged.item;
            let file = &tagged.file;
            if out.iter().any(|o| o.name == v.name.node) {
                let n = &v.name.node;
                self.push(
                    Diagnostic::error(&codes::NAME_DUPLICATE, file, text!("veto `{n}` is declared twice", "一票否决 `{n}` 声明了两次"))
                        .with_label(v.name.span, text!("declared again here", "在此重复声明"))
                        .with_help(text!("give each veto its own name", "给每个否决项起不同的名称")),
                );
                continue;
            }
            // Vetoes are judged on the finished total (`当 总分 < 60`), before grading.
            let when = self.condition(file, &v.when, Scope { indicators: true, total: true, ..Scope::default() });
            let mut effects = Vec::new();
            let mut source = None;
            for e in &v.effects {
                match &e.node {
                    AstEffect::GradeAtMost(g) => effects.extend(self.grade_ref(file, g).map(VetoEffect::GradeAtMost)),
                    AstEffect::GradeIs(g) => effects.extend(self.grade_ref(file, g).map(VetoEffect::GradeIs)),
                    AstEffect::ScoreZero => effects.push(VetoEffect::ScoreZero),
                    AstEffect::NoAward => effects.push(VetoEffect::NoAward),
                    AstEffect::Source(s) => source = Some(super::policy_ref(s)),
                    AstEffect::Note(_) => {}
                }
            }
            if !v
                .effects
                .iter()
                .any(|e| matches!(e.node, AstEffect::GradeAtMost(_) | AstEffect::GradeIs(_) | AstEffect::ScoreZero | AstEffect::NoAward))
            {
                let n = &v.name.node;
                self.push(
                    Diagnostic::error(&codes::VETO_EMPTY, file, text!("veto `{n}` has no effect", "一票否决 `{n}` 没有效果"))
                        .with_label(v.name.span, text!("what happens when it strikes?", "触发后会怎样?"))
                        .with_help(text!(
                            "add `等次 不高于 达标`, `等次 为 诫勉`, `总分 清零` or `不得评先`",
                            "加上 `等次 不高于 达标`、`等次 为 诫勉`、`总分 清零` 或 `不得评先`"
                        )),
                );
            }
            out.push(Veto { name: v.name.node.clone(), when, effects, source, origin: Origin { file: file.clone(), span: v.name.span } });
        }
        out
    }

    fn grade_ref(&mut self, file: &Arc<SourceFile>, g: &Name) -> Option<usize> {
        if let Some(i) = self.grade_names.iter().position(|n| *n == g.node) {
            return Some(i);
        }
        if self.grade_names.is_empty() {
            return None;
        }
        let n = &g.node;
        let help = help_or(n, self.grade_names.iter().map(String::as_str), {
            let (list, list_zh) = {
                let items = &self.grade_names;
                (items.join("`, `"), items.join("`、`"))
            };
            text!("the grades are `{list}`", "等次有 `{list_zh}`")
        });
        self.push(
            Diagnostic::error(&codes::NAME_UNKNOWN, file, text!("no grade is called `{n}`", "没有名为 `{n}` 的等次"))
                .with_label(g.span, text!("unknown grade", "未知等次"))
                .with_help(help),
        );
        None
    }

    pub(super) fn ranking(&mut self, rankings: &[Tagged<ast::RankingDecl>]) -> Ranking {
        let default = Ranking {
            keys: vec![RankKey {
                expr: crate::model::Expr { kind: ExprKind::Total, ty: Type::Number, span: Span::new(0, 0) },
                ascending: false,
            }],
            per_group: None,
            dense: false,
        };
        let Some(tagged) = rankings.first() else { return default };
        for again in &rankings[1..] {
            let mut d = Diagnostic::error(
                &codes::RANKING_REPEATED,
                &again.file,
                text!("the ranking (`排名` / `rank`) is declared twice", "`排名` 声明了两次"),
            )
            .with_label(again.item.span, text!("declared again here", "在此重复声明"));
            if Arc::ptr_eq(&again.file, &tagged.file) {
                d = d.with_note(tagged.item.span, text!("first declared here", "首次声明在此"));
            }
            self.push(d.with_help(text!(
                "put every tie-breaker in one ranking: `rank by total desc then x desc` (`排名 按 总分 降序 再按 x 降序`)",
                "把所有次序写进一个 `排名`:`排名 按 总分 降序 再按 x 降序`"
            )));
        }
        let r = &tagged.item;
        let file = &tagged.file;
        let scope = Scope { total: true, indicators: true, ..Scope::default() };
        let keys = r
            .keys
            .iter()
            .map(|k| RankKey { expr: self.number(file, &k.expr, scope, text!("a ranking key", "排名依据")), ascending: k.ascending })
            .collect();
        let per_group = match &r.per_group {
            None => None,
            Some(c) => self.group_column(file, c.as_ref(), r.scope_span.unwrap_or(r.span), "排名"),
        };
        Ranking { keys, per_group, dense: r.dense }
    }
}

/// Deductions and bonuses share one checker.
pub(super) trait AsAdjustment {
    /// The parts the checker needs.
    fn view(&self) -> AdjustmentDecl<'_>;
}

impl AsAdjustment for ast::DeductionDecl {
    fn view(&self) -> AdjustmentDecl<'_> {
        AdjustmentDecl { name: &self.name, target: self.target.as_ref(), head_cap: None, clauses: &self.clauses }
    }
}

impl AsAdjustment for ast::BonusDecl {
    fn view(&self) -> AdjustmentDecl<'_> {
        AdjustmentDecl { name: &self.name, target: self.target.as_ref(), head_cap: self.cap.as_ref(), clauses: &self.clauses }
    }
}
