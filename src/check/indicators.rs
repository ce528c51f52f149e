//! The indicator tree: names, weights, full marks, periods, formulas, cycles.
//!
//! Siblings must use one kind of weight. Percent weights add up to exactly
//! 100%, points add up to the parent's full marks, ratios are normalised.
//! When siblings apply to different unit categories (`适用 类型 = "政府口"`),
//! the sums are checked for every category, which is why an applicability
//! condition may only test enumerated columns of the units table.

use std::collections::BTreeMap;
use std::sync::Arc;

use rust_decimal::Decimal;

use super::Checker;
use super::expr::Scope;
use super::merge::Node;
use crate::ast::{self, BinOp, IndicatorClause, PeriodWeights, UnaryOp};
use crate::diagnostics::{Diagnostic, codes};
use crate::model::{self, Adjustment, ColumnType, Expr, ExprKind, Periods, Target, Value, Weight};
use crate::source::{Origin, SourceFile, Span};
use crate::text;

/// Most category combinations enumerated when checking weights per category.
const MAX_COMBINATIONS: usize = 4096;

impl Checker<'_> {
    /// Flattens the tree, checks names and weights; formulas come later.
    pub(super) fn indicator_tree(&mut self, nodes: &[Node]) -> Vec<usize> {
        let full = self.full_marks;
        let roots = self.flatten(nodes, None, &[], full);
        self.weights(nodes, &roots, full);
        roots
    }

    fn flatten(&mut self, nodes: &[Node], parent: Option<usize>, path: &[String], parent_full: Decimal) -> Vec<usize> {
        let mut ids = Vec::new();
        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
        for node in nodes {
            if let Some(&first) = seen.get(node.name.node.as_str()) {
                let n = &node.name.node;
                self.push(
                    Diagnostic::error(
                        &codes::NAME_DUPLICATE,
                        &node.file,
                        text!("indicator `{n}` is declared twice here", "指标 `{n}` 在此重复声明"),
                    )
                    .with_label(node.name.span, text!("declared again here", "在此重复声明"))
                    .with_note(first, text!("first declared here", "首次声明在此"))
                    .with_help(text!("sibling indicators need different names", "同级指标的名称不能相同")),
                );
                continue;
            }
            seen.insert(&node.name.node, node.name.span);
            let weight = match node.weight.item.node {
                ast::Weight::Percent(p) => Weight::Percent(p),
                ast::Weight::Points(p) => Weight::Points(p),
                ast::Weight::Ratio(r) => Weight::Ratio(r),
            };
            let mut own_full = match weight {
                Weight::Points(p) if p > Decimal::ZERO => p,
                _ => self.full_marks,
            };
            let mut info = model::Indicator {
                name: node.name.node.clone(),
                path: path.iter().cloned().chain([node.name.node.clone()]).collect(),
                title: node.title.as_ref().map(|t| t.node.clone()),
                weight,
                share: Decimal::ZERO,
                factor: Decimal::ZERO,
                full_marks: own_full,
                parent,
                children: Vec::new(),
                score: None,
                periods: None,
                applies: None,
                floor: Decimal::ZERO,
                deduction_cap: None,
                source: None,
                notes: Vec::new(),
                origin: Origin { file: node.file.clone(), span: node.name.span },
            };
            let mut seen_clause: Vec<(std::mem::Discriminant<IndicatorClause>, Span)> = Vec::new();
            for clause in &node.clauses {
                let kind = std::mem::discriminant(&clause.node);
                if !matches!(clause.node, IndicatorClause::Note(_)) {
                    if let Some((_, first)) = seen_clause.iter().find(|(k, _)| *k == kind) {
                        let first = *first;
                        self.push(
                            Diagnostic::error(
                                &codes::INDICATOR_REPEATED_CLAUSE,
                                &node.file,
                                text!("this clause is given twice in one indicator", "同一指标中此子句出现了两次"),
                            )
                            .with_label(clause.span, text!("again here", "在此重复"))
                            .with_note(first, text!("first here", "首次出现在此"))
                            .with_help(text!("keep one of them", "只保留一个")),
                        );
                        continue;
                    }
                    seen_clause.push((kind, clause.span));
                }
                match &clause.node {
                    IndicatorClause::FullMarks(f) if f.node > Decimal::ZERO => own_full = f.node,
                    IndicatorClause::FullMarks(f) => {
                        self.push(
                            Diagnostic::error(&codes::HEADER_VALUE, &node.file, text!("full marks must be above zero", "满分必须大于零"))
                                .with_label(f.span, text!("this value", "此值"))
                                .with_help(text!(
                                    "write the indicator's own scale, like `full marks 100` (`满分 100`)",
                                    "写明指标自身的满分,如 `满分 100`"
                                )),
                        );
                    }
                    IndicatorClause::Floor(f) => info.floor = f.node,
                    IndicatorClause::DeductionCap(c) => info.deduction_cap = Some(c.node),
                    IndicatorClause::Source(s) => info.source = Some(super::policy_ref(s)),
                    IndicatorClause::Note(n) => info.notes.push(n.node.clone()),
                    IndicatorClause::Periods(p) => info.periods = self.periods(&node.file, p),
                    IndicatorClause::Score(_) | IndicatorClause::Applies(_) | IndicatorClause::Indicator(_) => {}
                }
            }
            info.full_marks = own_full;
            let _ = parent_full;
            let id = self.indicators.len();
            self.indicator_ids.entry(node.name.node.clone()).or_default().push(id);
            self.indicators.push(info);
            let child_path: Vec<String> = self.indicators[id].path.clone();
            let children = self.flatten(&node.children, Some(id), &child_path, own_full);
            self.indicators[id].children = children;
            ids.push(id);
        }
        ids
    }

    fn periods(&mut self, file: &Arc<SourceFile>, p: &ast::PeriodClause) -> Option<Periods> {
        let kind = p.kind.node;
        let n = kind.per_year();
        let weights = match &p.weights.node {
            PeriodWeights::Average => None,
            PeriodWeights::Every(w) => {
                let total = w.checked_mul(Decimal::from(n)).unwrap_or(Decimal::MAX);
                if total != Decimal::ONE {
                    let (each, sum) = (percent(*w), percent(total));
                    self.push(
                        Diagnostic::error(
                            &codes::PERIODS_SUM,
                            file,
                            text!("{n} periods at {each} each make {sum}, expected 100%", "{n} 期各 {each},合计 {sum},应为 100%"),
                        )
                        .with_label(p.weights.span, text!("period weights", "各期权重"))
                        .with_help({
                            let even = percent(Decimal::ONE.checked_div(Decimal::from(n)).unwrap_or(Decimal::ZERO));
                            text!("use `各 {even}` or `平均`", "使用 `各 {even}` 或 `平均`")
                        }),
                    );
                }
                Some(vec![*w; n])
            }
            PeriodWeights::List(ws) => {
                if ws.len() != n {
                    let got = ws.len();
                    self.push(
                        Diagnostic::error(
                            &codes::PERIODS_COUNT,
                            file,
                            text!("{got} period weights given for {n} periods", "给出了 {got} 个期间权重,但共有 {n} 期"),
                        )
                        .with_label(p.weights.span, text!("one weight per period, in order", "每期一个权重,按顺序"))
                        .with_help(text!("give exactly {n} weights", "恰好给出 {n} 个权重")),
                    );
                    // Keep the period kind, so the formula is still read per period.
                    return Some(Periods { kind, weights: None });
                }
                let total = ws.iter().fold(Decimal::ZERO, |a, w| a.checked_add(w.node).unwrap_or(Decimal::MAX));
                if total != Decimal::ONE {
                    let sum = percent(total);
                    self.push(
                        Diagnostic::error(
                            &codes::PERIODS_SUM,
                            file,
                            text!("period weights sum to {sum}, expected 100%", "各期权重合计 {sum},应为 100%"),
                        )
                        .with_label(p.weights.span, text!("these weights", "这些权重"))
                        .with_help(text!("change a weight so that they add up to 100%", "调整权重使其合计为 100%")),
                    );
                }
                Some(ws.iter().map(|w| w.node).collect())
            }
        };
        Some(Periods { kind, weights })
    }

    /// Checks sibling weights at every level and fills in shares and factors.
    fn weights(&mut self, nodes: &[Node], ids: &[usize], parent_full: Decimal) {
        let siblings: Vec<(usize, &Node)> = ids
            .iter()
            .copied()
            .zip(nodes.iter().filter(|n| {
                ids.iter().any(|&i| self.indicators[i].origin.span == n.name.span && Arc::ptr_eq(&self.indicators[i].origin.file, &n.file))
            }))
            .collect();
        if !siblings.is_empty() {
            self.sibling_weights(&siblings, parent_full, siblings.len() == nodes.len());
        }
        for (id, node) in siblings {
            let children = self.indicators[id].children.clone();
            let full = self.indicators[id].full_marks;
            self.weights(&node.children, &children, full);
        }
    }

    fn sibling_weights(&mut self, siblings: &[(usize, &Node)], parent_full: Decimal, complete: bool) {
        // One kind of weight per level.
        let (first_id, first_node) = siblings[0];
        let kind = std::mem::discriminant(&self.indicators[first_id].weight);
        for &(id, node) in &siblings[1..] {
            if std::mem::discriminant(&self.indicators[id].weight) != kind {
                self.push(
                    Diagnostic::error(
                        &codes::WEIGHTS_MIXED,
                        &node.weight.file,
                        text!("sibling indicators mix kinds of weight", "同级指标混用了不同的权重形式"),
                    )
                    .with_label(node.weight.item.span, text!("this weight", "此权重"))
                    .with_note(
                        if Arc::ptr_eq(&node.weight.file, &first_node.weight.file) {
                            first_node.weight.item.span
                        } else {
                            node.weight.item.span
                        },
                        text!("the first sibling's weight", "第一个同级指标的权重"),
                    )
                    .with_help(text!(
                        "give all siblings percents (`30%`), points (`15 分`) or ratios (`比重 3`)",
                        "同级指标统一用百分比(`30%`)、分值(`15 分`)或比重(`比重 3`)"
                    )),
                );
                return;
            }
        }
        for &(id, node) in siblings {
            let bad = match self.indicators[id].weight {
                Weight::Percent(p) => p <= Decimal::ZERO || p > Decimal::ONE,
                Weight::Points(p) | Weight::Ratio(p) => p <= Decimal::ZERO,
            };
            if bad {
                self.push(
                    Diagnostic::error(
                        &codes::WEIGHTS_RANGE,
                        &node.weight.file,
                        text!("a weight must be above zero (and at most 100%)", "权重必须大于零(且不超过 100%)"),
                    )
                    .with_label(node.weight.item.span, text!("this weight", "此权重"))
                    .with_help(text!("remove the indicator instead of weighting it zero", "不要把权重设为零,直接删除该指标")),
                );
                return;
            }
        }
        let ratio_total: Decimal = siblings.iter().fold(Decimal::ZERO, |a, &(id, _)| match self.indicators[id].weight {
            Weight::Ratio(r) => a.checked_add(r).unwrap_or(a),
            _ => a,
        });
        for &(id, _) in siblings {
            let ind = &mut self.indicators[id];
            let share = match ind.weight {
                Weight::Percent(p) => p,
                Weight::Points(p) => p.checked_div(parent_full).unwrap_or(Decimal::ZERO),
                Weight::Ratio(r) => r.checked_div(ratio_total).unwrap_or(Decimal::ZERO),
            };
            ind.share = share;
            ind.factor = match ind.weight {
                Weight::Points(p) => p.checked_div(ind.full_marks).unwrap_or(Decimal::ZERO),
                _ => share.checked_mul(parent_full).and_then(|x| x.checked_div(ind.full_marks)).unwrap_or(Decimal::ZERO),
            };
        }
        // A duplicate sibling was already reported and left out: its weight is
        // missing from the sum, so checking the sum would only repeat the error.
        // After a failed `覆盖` the tree is not what the author meant either.
        let override_failed = self.diags.iter().any(|d| std::ptr::eq(d.code, &codes::EXTENDS_NOTHING));
        // Record every sibling's `适用` first: ratio weights need it too (they
        // are shared out over the siblings that apply, at evaluation).
        let applies: Vec<Option<Expr>> = siblings.iter().map(|&(id, node)| self.applies(id, node)).collect();
        if matches!(self.indicators[first_id].weight, Weight::Ratio(_)) || !complete || override_failed {
            return;
        }
        // Sums, for each category of units when siblings apply to some only.
        let combos = self.categories(&applies);
        let expected = match self.indicators[first_id].weight {
            Weight::Percent(_) => Decimal::ONE,
            _ => parent_full,
        };
        for combo in combos {
            let mut sum = Decimal::ZERO;
            let mut members = Vec::new();
            for (i, &(id, _)) in siblings.iter().enumerate() {
                let on = applies[i].as_ref().is_none_or(|a| eval_applies(a, &combo).unwrap_or(true));
                if on {
                    let w = match self.indicators[id].weight {
                        Weight::Percent(p) | Weight::Points(p) | Weight::Ratio(p) => p,
                    };
                    sum = sum.checked_add(w).unwrap_or(sum);
                    members.push(id);
                }
            }
            if sum != expected && !members.is_empty() {
                self.report_sum(siblings, &members, sum, expected, &combo);
                return;
            }
        }
    }

    fn report_sum(
        &mut self,
        siblings: &[(usize, &Node)],
        members: &[usize],
        sum: Decimal,
        expected: Decimal,
        combo: &[(usize, usize, String)],
    ) {
        let is_percent = matches!(self.indicators[members[0]].weight, Weight::Percent(_));
        let show = |d: Decimal| if is_percent { percent(d) } else { d.normalize().to_string() };
        let (got, want) = (show(sum), show(expected));
        let parent = self.indicators[members[0]].parent.map(|p| self.indicators[p].name.clone());
        let listed = |chinese: bool| {
            members
                .iter()
                .map(|&id| format!("{} {}", self.indicators[id].name, self.indicators[id].weight.describe(chinese)))
                .collect::<Vec<_>>()
                .join(" + ")
        };
        let (list, list_zh) = (listed(false), listed(true));
        let category = if combo.is_empty() {
            (String::new(), String::new())
        } else {
            let c = combo.iter().map(|(t, c, v)| format!("{} = \"{v}\"", self.tables[*t].columns[*c].name)).collect::<Vec<_>>().join(", ");
            (format!(" for units with {c}"), format!("(适用于 {c} 的单位)"))
        };
        let (cat_en, cat_zh) = category;
        let message = match &parent {
            Some(p) => text!(
                "weights of the children of `{p}` sum to {got}{cat_en}, expected {want}",
                "`{p}` 的下级指标权重合计 {got}{cat_zh},应为 {want}"
            ),
            None => text!(
                "weights of the top-level indicators sum to {got}{cat_en}, expected {want}",
                "一级指标权重合计 {got}{cat_zh},应为 {want}"
            ),
        };
        let first = siblings.iter().find(|(id, _)| *id == members[0]).map(|(_, n)| *n);
        let parent_origin = self.indicators[members[0]].parent.map(|p| self.indicators[p].origin.clone());
        let (file, span, label) = match (&parent_origin, first) {
            (Some(o), _) => (o.file.clone(), o.span, text!("children of this indicator", "此指标的下级指标")),
            (None, Some(n)) => (n.weight.file.clone(), n.weight.item.span, text!("weights of the top-level indicators", "一级指标的权重")),
            (None, None) => (self.main.clone(), Span::new(0, 0), text!("here", "此处")),
        };
        let mut d = Diagnostic::error(&codes::WEIGHTS_SUM, &file, message).with_label(span, label);
        for &(id, n) in siblings {
            if members.contains(&id) && Arc::ptr_eq(&n.weight.file, &file) && n.weight.item.span != span {
                d = d.with_note(n.weight.item.span, text!("", ""));
            }
        }
        self.push(d.with_help(text!(
            "the siblings are {list}; change a weight so that they sum to {want}",
            "同级指标为 {list_zh};调整权重使合计为 {want}"
        )));
    }

    /// The `适用` condition of an indicator, checked to test unit categories only.
    fn applies(&mut self, id: usize, node: &Node) -> Option<Expr> {
        let clause = node.clauses.iter().find_map(|c| match &c.node {
            IndicatorClause::Applies(e) => Some(e),
            _ => None,
        })?;
        let scope = Scope::default();
        let e = self.condition(&node.file, clause, scope);
        let units_table = self.units.as_ref().map(|u| u.table);
        let mut bad = None;
        visit_columns(&e, &mut |table, column, span| {
            let is_enum = matches!(self.tables[table].columns[column].ty, ColumnType::Enum(_));
            if Some(table) != units_table || !is_enum {
                bad = Some(span);
            }
        });
        if let Some(span) = bad {
            self.push(
                Diagnostic::error(&codes::APPLIES_COLUMN, &node.file, text!("`适用` may only test enumerated columns of the units table", "`适用` 只能检验考核对象表中的枚举列"))
                    .with_label(span, text!("not an enumerated unit column", "不是考核对象表的枚举列"))
                    .with_help(text!(
                        "declare the category column as `类型: 枚举(\"党群口\", \"政府口\")` in the units table, so weights can be checked for every category",
                        "在考核对象表中把类别列声明为 `类型: 枚举(\"党群口\", \"政府口\")`,以便按类别检查权重"
                    )),
            );
            return None;
        }
        self.indicators[id].applies = Some(e.clone());
        Some(e)
    }

    /// Every combination of values of the enumerated columns the conditions test.
    fn categories(&self, applies: &[Option<Expr>]) -> Vec<Vec<(usize, usize, String)>> {
        let mut columns: Vec<(usize, usize)> = Vec::new();
        for a in applies.iter().flatten() {
            visit_columns(a, &mut |t, c, _| {
                if !columns.contains(&(t, c)) {
                    columns.push((t, c));
                }
            });
        }
        let mut combos: Vec<Vec<(usize, usize, String)>> = vec![Vec::new()];
        for (t, c) in columns {
            let ColumnType::Enum(values) = &self.tables[t].columns[c].ty else { continue };
            let mut next = Vec::new();
            for combo in &combos {
                for v in values {
                    let mut extended = combo.clone();
                    extended.push((t, c, v.clone()));
                    next.push(extended);
                }
            }
            if next.len() > MAX_COMBINATIONS {
                break;
            }
            combos = next;
        }
        combos
    }

    /// Resolves score formulas once every indicator name is known.
    pub(super) fn indicator_formulas(&mut self, nodes: &[Node], deductions: &[Adjustment]) {
        let targets: Vec<usize> = deductions
            .iter()
            .filter_map(|d| match d.target {
                Target::Indicator(i) => Some(i),
                Target::Total => None,
            })
            .collect();
        let ids: Vec<usize> = (0..self.indicators.len()).collect();
        let all_nodes = flatten_nodes(nodes);
        for id in ids {
            let Some(node) = all_nodes
                .iter()
                .find(|n| n.name.span == self.indicators[id].origin.span && Arc::ptr_eq(&n.file, &self.indicators[id].origin.file))
            else {
                continue;
            };
            let score = node.clauses.iter().find_map(|c| match &c.node {
                IndicatorClause::Score(e) => Some((e, c.span)),
                _ => None,
            });
            let has_children = !self.indicators[id].children.is_empty();
            let name = self.indicators[id].name.clone();
            match (score, has_children) {
                (Some((_, span)), true) => {
                    self.push(
                        Diagnostic::error(
                            &codes::INDICATOR_SCORE_AND_CHILDREN,
                            &node.file,
                            text!("`{name}` has sub-indicators and its own score formula", "`{name}` 既有下级指标又有自己的得分公式"),
                        )
                        .with_label(span, text!("this formula would be ignored", "此公式会被忽略"))
                        .with_help(text!(
                            "a parent's score is the weighted sum of its children: move the formula into a sub-indicator",
                            "上级指标的得分是下级指标的加权和:把公式移到一个下级指标中"
                        )),
                    );
                }
                (Some((e, _)), false) => {
                    let scope =
                        Scope { period: self.indicators[id].periods.as_ref().map(|p| p.kind), indicators: true, ..Scope::default() };
                    let what = text!("the score of `{name}`", "`{name}` 的得分");
                    let expr = self.number(&node.file, e, scope, what);
                    self.indicators[id].score = Some(expr);
                }
                (None, false) if !targets.contains(&id) => {
                    let full = self.indicators[id].full_marks.normalize();
                    self.push(
                        Diagnostic::error(
                            &codes::INDICATOR_NO_SCORE,
                            &node.file,
                            text!("indicator `{name}` has no score", "指标 `{name}` 没有得分"),
                        )
                        .with_label(node.name.span, text!("no `得分 = ...` and no deduction from it", "没有 `得分 = ...`,也没有从它扣分"))
                        .with_help(text!(
                            "add `得分 = ...`, sub-indicators, or a deduction `扣分 名称 从 {name} {{ ... }}` (it then starts at {full})",
                            "加上 `得分 = ...`、下级指标,或扣分 `扣分 名称 从 {name} {{ ... }}`(此时从 {full} 分起扣)"
                        )),
                    );
                }
                (None, _) => {}
            }
            if self.indicators[id].periods.is_some() && has_children {
                self.push(
                    Diagnostic::error(
                        &codes::INDICATOR_SCORE_AND_CHILDREN,
                        &node.file,
                        text!("`{name}` is assessed per period but has sub-indicators", "`{name}` 按期考核,但有下级指标"),
                    )
                    .with_label(node.name.span, text!("this indicator", "此指标"))
                    .with_help(text!(
                        "put `按季度 ...` on the sub-indicators that are scored per period",
                        "把 `按季度 ...` 写在按期打分的下级指标上"
                    )),
                );
            }
        }
        self.cycles();
    }

    /// Indicator formulas that depend on each other in a circle.
    fn cycles(&mut self) {
        let n = self.indicators.len();
        let deps: Vec<Vec<usize>> = (0..n)
            .map(|i| {
                let mut out = Vec::new();
                if let Some(e) = &self.indicators[i].score {
                    visit_indicators(e, &mut |j| out.push(j));
                }
                out.extend(self.indicators[i].children.iter().copied());
                out
            })
            .collect();
        // 0 = unvisited, 1 = on the stack, 2 = done.
        let mut state = vec![0u8; n];
        let mut reported = false;
        for start in 0..n {
            if state[start] != 0 || reported {
                continue;
            }
            let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
            state[start] = 1;
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                if let Some(&dep) = deps[node].get(*next) {
                    *next += 1;
                    match state[dep] {
                        0 => {
                            state[dep] = 1;
                            stack.push((dep, 0));
                        }
                        1 => {
                            let pos = stack.iter().position(|(s, _)| *s == dep).unwrap_or(0);
                            let chain: Vec<String> = stack[pos..]
                                .iter()
                                .map(|(s, _)| self.indicators[*s].name.clone())
                                .chain([self.indicators[dep].name.clone()])
                                .collect();
                            let shown = chain.join(" → ");
                            let origin = self.indicators[node].origin.clone();
                            self.push(
                                Diagnostic::error(
                                    &codes::INDICATOR_CYCLE,
                                    &origin.file,
                                    text!("indicator scores depend on each other in a cycle: {shown}", "指标得分相互依赖,形成循环:{shown}"),
                                )
                                .with_label(origin.span, text!("part of the cycle", "循环的一环"))
                                .with_help(text!(
                                    "a score may use other indicators' scores, but never its own, directly or through others",
                                    "得分可以引用其他指标的得分,但不能直接或间接引用自己"
                                )),
                            );
                            reported = true;
                            break;
                        }
                        _ => {}
                    }
                } else {
                    state[node] = 2;
                    stack.pop();
                }
            }
        }
    }
}

fn flatten_nodes(nodes: &[Node]) -> Vec<&Node> {
    let mut out = Vec::new();
    let mut stack: Vec<&Node> = nodes.iter().rev().collect();
    while let Some(n) = stack.pop() {
        out.push(n);
        stack.extend(n.children.iter().rev());
    }
    out
}

/// `0.3` → `30%`
pub(super) fn percent(d: Decimal) -> String {
    let p = d.checked_mul(Decimal::ONE_HUNDRED).unwrap_or(d).normalize();
    format!("{p}%")
}

/// Calls `f` for every column referenced.
pub(super) fn visit_columns(e: &Expr, f: &mut impl FnMut(usize, usize, Span)) {
    walk(e, &mut |e| {
        if let ExprKind::Column { table, column } = e.kind {
            f(table, column, e.span);
        }
    });
}

/// Calls `f` for every indicator referenced.
pub(super) fn visit_indicators(e: &Expr, f: &mut impl FnMut(usize)) {
    walk(e, &mut |e| {
        if let ExprKind::Indicator(i) = e.kind {
            f(i);
        }
    });
}

/// Visits every node of a checked expression.
pub(super) fn walk(e: &Expr, f: &mut impl FnMut(&Expr)) {
    e.walk(f);
}

/// Evaluates an applicability condition for one category assignment.
fn eval_applies(e: &Expr, combo: &[(usize, usize, String)]) -> Option<bool> {
    fn value<'a>(e: &'a Expr, combo: &'a [(usize, usize, String)]) -> Option<&'a str> {
        match &e.kind {
            ExprKind::Column { table, column } => combo.iter().find(|(t, c, _)| t == table && c == column).map(|(_, _, v)| v.as_str()),
            ExprKind::Const(Value::Text(t)) => Some(t.as_str()),
            _ => None,
        }
    }
    match &e.kind {
        ExprKind::Binary(BinOp::And, a, b) => Some(eval_applies(a, combo)? && eval_applies(b, combo)?),
        ExprKind::Binary(BinOp::Or, a, b) => Some(eval_applies(a, combo)? || eval_applies(b, combo)?),
        ExprKind::Unary(UnaryOp::Not, a) => Some(!eval_applies(a, combo)?),
        ExprKind::Binary(BinOp::Eq, a, b) => Some(value(a, combo)? == value(b, combo)?),
        ExprKind::Binary(BinOp::Ne, a, b) => Some(value(a, combo)? != value(b, combo)?),
        ExprKind::Binary(BinOp::In, a, b) => {
            let v = value(a, combo)?;
            match &b.kind {
                ExprKind::List(items) => Some(items.iter().any(|i| value(i, combo) == Some(v))),
                _ => None,
            }
        }
        ExprKind::Const(Value::Bool(b)) => Some(*b),
        _ => None,
    }
}
