//! Merging an extends chain into one list of declarations.
//!
//! Layers are applied base first. A later layer may add declarations, replace
//! one with `覆盖` / `override`, or drop one with `删除` / `remove`; repeating a
//! base declaration without `覆盖` is an error, so nothing is replaced by
//! accident. Every declaration keeps the file it came from.

use std::sync::Arc;

use crate::ast::{self, IndicatorClause, Item, Override, RemoveKind};
use crate::diagnostics::{Diagnostic, Diagnostics, codes};
use crate::source::{Name, SourceFile, Span, Spanned};
use crate::suggest::help_or;
use crate::text;

use super::load::Layer;

/// A declaration and the file it came from.
#[derive(Debug, Clone)]
pub struct Tagged<T> {
    /// The file.
    pub file: Arc<SourceFile>,
    /// The declaration.
    pub item: T,
}

/// An indicator with its children, each part tagged with its file.
#[derive(Debug, Clone)]
pub struct Node {
    /// The file of the body (clauses and span).
    pub file: Arc<SourceFile>,
    /// Its name.
    pub name: Name,
    /// Its title.
    pub title: Option<Spanned<String>>,
    /// Its weight and the file it was written in.
    pub weight: Tagged<Spanned<ast::Weight>>,
    /// Clauses other than sub-indicators.
    pub clauses: Vec<Spanned<IndicatorClause>>,
    /// Sub-indicators.
    pub children: Vec<Node>,
    /// The declaration.
    pub span: Span,
}

impl Node {
    fn new(file: &Arc<SourceFile>, decl: ast::IndicatorDecl) -> Node {
        let mut clauses = Vec::new();
        let mut children = Vec::new();
        for clause in decl.clauses {
            match clause.node {
                IndicatorClause::Indicator(child) => children.push(Node::new(file, child)),
                other => clauses.push(Spanned::new(other, clause.span)),
            }
        }
        Node {
            file: file.clone(),
            name: decl.name,
            title: decl.title,
            weight: Tagged { file: file.clone(), item: decl.weight },
            clauses,
            children,
            span: decl.span,
        }
    }
}

/// Every declaration of the merged scheme.
#[derive(Debug, Default)]
pub struct Merged {
    /// Headers, base first; later clauses win.
    pub headers: Vec<Tagged<ast::Header>>,
    /// Units declarations (one expected).
    pub units: Vec<Tagged<ast::UnitsDecl>>,
    /// Tables.
    pub tables: Vec<Tagged<ast::TableDecl>>,
    /// Parameters.
    pub params: Vec<Tagged<ast::ParamDecl>>,
    /// Top-level indicators.
    pub indicators: Vec<Node>,
    /// Deductions.
    pub deductions: Vec<Tagged<ast::DeductionDecl>>,
    /// Bonuses.
    pub bonuses: Vec<Tagged<ast::BonusDecl>>,
    /// Vetoes.
    pub vetoes: Vec<Tagged<ast::VetoDecl>>,
    /// Grades (one expected).
    pub grades: Vec<Tagged<ast::GradesDecl>>,
    /// Rankings (one expected).
    pub rankings: Vec<Tagged<ast::RankingDecl>>,
    /// Tests.
    pub tests: Vec<Tagged<ast::TestDecl>>,
}

/// Applies the layers in order.
pub fn merge(layers: Vec<Layer>, diags: &mut Diagnostics) -> Merged {
    // When an extended scheme could not be read, what it would have provided
    // is unknown: "nothing to override" would only repeat that error.
    let base_broken = diags
        .iter()
        .any(|d| [&codes::EXTENDS_NOT_FOUND, &codes::EXTENDS_OUTSIDE, &codes::EXTENDS_CYCLE].iter().any(|c| std::ptr::eq(d.code, *c)));
    let mut merged = Merged::default();
    for (n, layer) in layers.into_iter().enumerate() {
        let extends = n > 0 || layer.ast.items.iter().any(|i| matches!(i, Item::Extends(_)));
        let mut base = Base { merged: &mut merged, extends, base_broken, file: layer.file.clone(), diags };
        for item in layer.ast.items {
            base.apply(item);
        }
    }
    merged
}

struct Base<'a> {
    merged: &'a mut Merged,
    /// Whether this layer extends a base scheme at all.
    extends: bool,
    /// Whether a base scheme failed to load (already reported).
    base_broken: bool,
    file: Arc<SourceFile>,
    diags: &'a mut Diagnostics,
}

impl Base<'_> {
    fn tag<T>(&self, item: T) -> Tagged<T> {
        Tagged { file: self.file.clone(), item }
    }

    fn needs_override(&mut self, kind: (&str, &str), name: &Name) {
        let (en_kind, zh_kind) = kind;
        let n = &name.node;
        self.diags.push(
            Diagnostic::error(
                &codes::EXTENDS_NEEDS_OVERRIDE,
                &self.file,
                text!("the base scheme already has {en_kind} `{n}`", "基础方案中已有{zh_kind} `{n}`"),
            )
            .with_label(name.span, text!("declared again here", "在此重复声明"))
            .with_help(text!(
                "write `覆盖` / `override` before it to replace the base's, or choose another name",
                "在前面加 `覆盖` / `override` 以替换基础方案中的,或换一个名称"
            )),
        );
    }

    fn nothing(&mut self, what: &str, span: Span, candidates: &[String]) {
        if self.base_broken {
            return;
        }
        let d = if self.extends {
            Diagnostic::error(&codes::EXTENDS_NOTHING, &self.file, text!("the base scheme has no `{what}`", "基础方案中没有 `{what}`"))
                .with_label(span, text!("nothing to replace or remove", "没有可替换或删除的内容"))
                .with_help(help_or(
                    what,
                    candidates.iter().map(String::as_str),
                    text!("check the name against the base scheme", "对照基础方案检查名称"),
                ))
        } else {
            Diagnostic::error(
                &codes::EXTENDS_NOTHING,
                &self.file,
                text!("this scheme extends no other, so there is no `{what}` to replace or remove", "本方案没有沿用其他方案,没有可替换或删除的 `{what}`"),
            )
            .with_label(span, text!("nothing to replace or remove", "没有可替换或删除的内容"))
            .with_help(text!(
                "`override` / `覆盖` and `remove` / `删除` change a base scheme named with `extends \"base.kh\"` (`沿用 \"base.kh\"`); to change this file, edit the declaration itself",
                "`覆盖` 和 `删除` 用于修改 `沿用 \"base.kh\"` 引入的基础方案;要修改本文件,直接编辑该声明"
            ))
        };
        self.diags.push(d);
    }

    /// Names of the base's declarations of one kind, for suggestions.
    fn base_names<T>(&self, list: &[Tagged<T>], name_of: impl Fn(&T) -> &String) -> Vec<String> {
        list.iter().filter(|t| !Arc::ptr_eq(&t.file, &self.file)).map(|t| name_of(&t.item).clone()).collect()
    }

    fn apply(&mut self, item: Item) {
        match item {
            Item::Header(h) => {
                let t = self.tag(h);
                self.merged.headers.push(t);
            }
            Item::Extends(_) => {}
            Item::Units(u) => {
                let t = self.tag(u);
                self.merged.units.push(t);
            }
            Item::Table(t) => {
                let t = self.tag(t);
                self.merged.tables.push(t);
            }
            Item::Param(p) => {
                if from_base(&self.file, &self.merged.params, &p.name.node, |p| &p.name.node) {
                    self.needs_override(("parameter", "参数"), &p.name);
                } else {
                    let t = self.tag(p);
                    self.merged.params.push(t);
                }
            }
            Item::Indicator(decl) => {
                if self.merged.indicators.iter().any(|n| n.name.node == decl.name.node && !Arc::ptr_eq(&n.file, &self.file)) {
                    self.needs_override(("indicator", "指标"), &decl.name);
                } else {
                    let node = Node::new(&self.file, decl);
                    self.merged.indicators.push(node);
                }
            }
            Item::Deduction(d) => {
                if from_base(&self.file, &self.merged.deductions, &d.name.node, |d| &d.name.node) {
                    self.needs_override(("deduction", "扣分项"), &d.name);
                } else {
                    let t = self.tag(d);
                    self.merged.deductions.push(t);
                }
            }
            Item::Bonus(b) => {
                if from_base(&self.file, &self.merged.bonuses, &b.name.node, |b| &b.name.node) {
                    self.needs_override(("bonus", "加分项"), &b.name);
                } else {
                    let t = self.tag(b);
                    self.merged.bonuses.push(t);
                }
            }
            Item::Veto(v) => {
                if from_base(&self.file, &self.merged.vetoes, &v.name.node, |v| &v.name.node) {
                    self.needs_override(("veto", "一票否决项"), &v.name);
                } else {
                    let t = self.tag(v);
                    self.merged.vetoes.push(t);
                }
            }
            Item::Grades(g) => {
                if self.merged.grades.iter().any(|t| !Arc::ptr_eq(&t.file, &self.file)) {
                    let name = Spanned::new("等次".to_string(), Span::new(g.span.start, g.span.start + "等次".len().min(g.span.len())));
                    self.needs_override(("grade bands", "等次"), &name);
                } else {
                    let t = self.tag(g);
                    self.merged.grades.push(t);
                }
            }
            Item::Ranking(r) => {
                if self.merged.rankings.iter().any(|t| !Arc::ptr_eq(&t.file, &self.file)) {
                    let name = Spanned::new("排名".to_string(), Span::new(r.span.start, r.span.start + "排名".len().min(r.span.len())));
                    self.needs_override(("ranking", "排名"), &name);
                } else {
                    let t = self.tag(r);
                    self.merged.rankings.push(t);
                }
            }
            Item::Test(t) => {
                let t = self.tag(t);
                self.merged.tests.push(t);
            }
            Item::Override(o) => self.override_item(o),
            Item::Remove(r) => self.remove(r),
        }
    }

    fn override_item(&mut self, o: Override) {
        let file = self.file.clone();
        macro_rules! replace_named {
            ($list:ident, $decl:expr) => {{
                let decl = $decl;
                let name = decl.name.node.clone();
                let own = self.file.clone();
                match self.merged.$list.iter().position(|t| t.item.name.node == name && !Arc::ptr_eq(&t.file, &own)) {
                    Some(i) if self.extends => self.merged.$list[i] = Tagged { file, item: decl },
                    _ => {
                        let names = self.base_names(&self.merged.$list, |d| &d.name.node);
                        self.nothing(&name, decl.name.span, &names)
                    }
                }
            }};
        }
        match o {
            Override::Param(p) => {
                let name = p.name.node.clone();
                let in_base = self.merged.params.iter().any(|t| t.item.name.node == name && !Arc::ptr_eq(&t.file, &self.file));
                if in_base && self.extends {
                    // The override replaces every dated value of the base.
                    self.merged.params.retain(|t| t.item.name.node != name || Arc::ptr_eq(&t.file, &file));
                    self.merged.params.push(Tagged { file, item: p });
                } else {
                    let names = self.base_names(&self.merged.params, |p| &p.name.node);
                    self.nothing(&name, p.name.span, &names);
                }
            }
            Override::Deduction(d) => replace_named!(deductions, d),
            Override::Bonus(b) => replace_named!(bonuses, b),
            Override::Veto(v) => replace_named!(vetoes, v),
            Override::Grades(g) => {
                if self.merged.grades.is_empty() || !self.extends {
                    self.nothing("等次", Span::new(g.span.start, g.span.start), &[]);
                } else {
                    self.merged.grades = vec![Tagged { file, item: g }];
                }
            }
            Override::Ranking(r) => {
                if self.merged.rankings.is_empty() || !self.extends {
                    self.nothing("排名", r.span, &[]);
                } else {
                    self.merged.rankings = vec![Tagged { file, item: r }];
                }
            }
            Override::Indicator(o) => {
                let shown = o.path.iter().map(|n| n.node.as_str()).collect::<Vec<_>>().join(".");
                let span = o.path.first().map_or(o.span, |f| f.span.to(o.path.last().map_or(f.span, |l| l.span)));
                let all = all_paths(&self.merged.indicators, "");
                let found = if self.extends { find_node(&mut self.merged.indicators, &o.path) } else { None };
                let Some(node) = found else {
                    self.nothing(&shown, span, &all);
                    return;
                };
                if let Some(title) = o.title {
                    node.title = Some(title);
                }
                if let Some(weight) = o.weight {
                    node.weight = Tagged { file: file.clone(), item: weight };
                }
                if let Some(clauses) = o.clauses {
                    let fresh = Node::new(
                        &file,
                        ast::IndicatorDecl {
                            name: node.name.clone(),
                            title: None,
                            weight: node.weight.item.clone(),
                            clauses,
                            span: o.span,
                        },
                    );
                    node.file = file;
                    node.clauses = fresh.clauses;
                    node.children = fresh.children;
                    node.span = o.span;
                    node.name.span = span;
                }
            }
        }
    }

    fn remove(&mut self, r: ast::RemoveDecl) {
        let shown = r.path.iter().map(|n| n.node.as_str()).collect::<Vec<_>>().join(".");
        let span = r.path.first().map_or(r.span, |f| f.span.to(r.path.last().map_or(f.span, |l| l.span)));
        let m = &mut *self.merged;
        let removed = match r.kind {
            RemoveKind::Indicator => remove_node(&mut m.indicators, &r.path),
            RemoveKind::Deduction => remove_named(&mut m.deductions, &shown, |d| &d.name.node),
            RemoveKind::Bonus => remove_named(&mut m.bonuses, &shown, |b| &b.name.node),
            RemoveKind::Veto => remove_named(&mut m.vetoes, &shown, |v| &v.name.node),
            RemoveKind::Param => remove_named(&mut m.params, &shown, |p| &p.name.node),
            RemoveKind::Test => remove_named(&mut m.tests, &shown, |t| &t.name.node),
        };
        if !removed || !self.extends {
            let m = &*self.merged;
            let names = match r.kind {
                RemoveKind::Indicator => all_paths(&m.indicators, ""),
                RemoveKind::Deduction => m.deductions.iter().map(|t| t.item.name.node.clone()).collect(),
                RemoveKind::Bonus => m.bonuses.iter().map(|t| t.item.name.node.clone()).collect(),
                RemoveKind::Veto => m.vetoes.iter().map(|t| t.item.name.node.clone()).collect(),
                RemoveKind::Param => m.params.iter().map(|t| t.item.name.node.clone()).collect(),
                RemoveKind::Test => m.tests.iter().map(|t| t.item.name.node.clone()).collect(),
            };
            self.nothing(&shown, span, &names);
        }
    }
}

/// Every indicator path (`工作考核.重点工作`), for suggestions.
fn all_paths(nodes: &[Node], prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    for n in nodes {
        let path = if prefix.is_empty() { n.name.node.clone() } else { format!("{prefix}.{}", n.name.node) };
        out.extend(all_paths(&n.children, &path));
        out.push(path);
    }
    out
}

fn remove_named<T>(list: &mut Vec<Tagged<T>>, name: &str, name_of: impl Fn(&T) -> &String) -> bool {
    let before = list.len();
    list.retain(|t| name_of(&t.item) != name);
    list.len() != before
}

fn find_node<'a>(nodes: &'a mut [Node], path: &[Name]) -> Option<&'a mut Node> {
    let (first, rest) = path.split_first()?;
    let node = nodes.iter_mut().find(|n| n.name.node == first.node)?;
    if rest.is_empty() { Some(node) } else { find_node(&mut node.children, rest) }
}

fn remove_node(nodes: &mut Vec<Node>, path: &[Name]) -> bool {
    match path {
        [] => false,
        [last] => {
            let before = nodes.len();
            nodes.retain(|n| n.name.node != last.node);
            nodes.len() != before
        }
        [first, rest @ ..] => nodes.iter_mut().find(|n| n.name.node == first.node).is_some_and(|n| remove_node(&mut n.children, rest)),
    }
}

/// Whether a declaration with this name comes from an earlier layer than `file`.
fn from_base<T>(file: &Arc<SourceFile>, list: &[Tagged<T>], name: &str, name_of: impl Fn(&T) -> &str) -> bool {
    list.iter().any(|t| !Arc::ptr_eq(&t.file, file) && name_of(&t.item) == name)
}
