//! Diagnostics: what went wrong, where, and how to fix it, in English and Chinese.
//!
//! Every phase (syntax, check, data, eval) reports problems as [`Diagnostic`]
//! values: plain data with a stable [`Code`], a message, labelled spans and a
//! help line, each text in both languages ([`Text`]). Phases push into a
//! [`Diagnostics`] accumulator and keep going, so one run reports every problem.
//! Rendering happens in one place only: [`render`] (miette's graphical
//! handler) and [`to_json`] (for editors and CI).
//!
//! The style guide suggests one `thiserror` enum per phase; we keep a single
//! data type instead because the text is chosen at run time (`--lang zh`), and
//! a `#[error("...")]` attribute can only hold one language. The phase-specific
//! part — which inputs trigger which code — lives in each phase's `errors.rs`
//! constructors, and every code is listed in [`codes::ALL`].

use std::fmt;
use std::sync::Arc;

use crate::source::{SourceFile, Span};

/// The language of messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Chinese (中文).
    Zh,
}

impl Lang {
    /// Chinese when the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`) says so, else English.
    pub fn from_env() -> Lang {
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Ok(value) = std::env::var(var) {
                if value.is_empty() {
                    continue;
                }
                return if value.to_ascii_lowercase().starts_with("zh") { Lang::Zh } else { Lang::En };
            }
        }
        Lang::En
    }
}

/// A text in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// English.
    pub en: String,
    /// Chinese.
    pub zh: String,
}

impl Text {
    /// The text in one language.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Zh => &self.zh,
        }
    }
}

/// Builds a [`Text`] from an English and a Chinese format string.
#[macro_export]
macro_rules! text {
    ($en:literal, $zh:literal $(,)?) => {
        $crate::diagnostics::Text { en: format!($en), zh: format!($zh) }
    };
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The scheme or data cannot be used.
    Error,
    /// Probably a mistake, but the work can go on.
    Warning,
}

/// A stable diagnostic code with its documentation.
#[derive(Debug, PartialEq, Eq)]
pub struct Code {
    /// `kaohe::weights::sum`
    pub id: &'static str,
    /// What triggers it, one line (listed in the README).
    pub doc: &'static str,
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id)
    }
}

/// A labelled span.
#[derive(Debug, Clone)]
pub struct Label {
    /// The bytes labelled.
    pub span: Span,
    /// What the label says.
    pub text: Text,
    /// The main label of the diagnostic (others are context).
    pub primary: bool,
}

/// One finding.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// Its stable code.
    pub code: &'static Code,
    /// Error or warning.
    pub severity: Severity,
    /// The file the labels point into, if any.
    pub file: Option<Arc<SourceFile>>,
    /// What is wrong: lowercase, no final period, names in backticks.
    pub message: Text,
    /// Where, with what to look at.
    pub labels: Vec<Label>,
    /// How to fix it.
    pub help: Option<Text>,
}

impl Diagnostic {
    /// An error with a message and no labels yet.
    pub fn error(code: &'static Code, file: &Arc<SourceFile>, message: Text) -> Self {
        Diagnostic { code, severity: Severity::Error, file: Some(file.clone()), message, labels: Vec::new(), help: None }
    }

    /// A warning with a message and no labels yet.
    pub fn warning(code: &'static Code, file: &Arc<SourceFile>, message: Text) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, file, message) }
    }

    /// An error about no file in particular (a missing path, say).
    pub fn general(code: &'static Code, message: Text) -> Self {
        Diagnostic { code, severity: Severity::Error, file: None, message, labels: Vec::new(), help: None }
    }

    /// Adds the primary label (none to a diagnostic without a file: a label points into one).
    pub fn with_label(mut self, span: Span, text: Text) -> Self {
        if self.file.is_some() {
            self.labels.push(Label { span, text, primary: true });
        }
        self
    }

    /// Adds a secondary label (the other side of a conflict; none without a file).
    pub fn with_note(mut self, span: Span, text: Text) -> Self {
        if self.file.is_some() {
            self.labels.push(Label { span, text, primary: false });
        }
        self
    }

    /// Adds the help line.
    pub fn with_help(mut self, help: Text) -> Self {
        self.help = Some(help);
        self
    }

    /// Where the primary label starts, for sorting and JSON.
    pub fn primary_span(&self) -> Option<Span> {
        self.labels.iter().find(|l| l.primary).or(self.labels.first()).map(|l| l.span)
    }

    /// `file:line:column` of the primary label.
    pub fn location(&self) -> Option<String> {
        Some(self.file.as_ref()?.location(self.primary_span()?.start))
    }
}

/// An accumulator: phases push and keep going.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Empty.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a finding.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Records all findings of another accumulator.
    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.severity == Severity::Error).count()
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.items.iter().filter(|d| d.severity == Severity::Warning).count()
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The findings in a stable order: by file, position, then code.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by(|a, b| {
            // Syntax findings first: later findings may follow from them.
            let key = |d: &Diagnostic| {
                (
                    d.file.as_ref().map(|f| f.name.clone()),
                    !d.code.id.starts_with("kaohe::syntax"),
                    d.primary_span().map(|s| (s.start, s.end)),
                    d.code.id,
                    d.message.en.clone(),
                )
            };
            key(a).cmp(&key(b))
        });
        self.items.dedup_by(|a, b| a.code == b.code && a.primary_span() == b.primary_span() && a.message == b.message);
        self.items
    }

    /// The findings in the order they were pushed.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }
}

/// Renders one diagnostic as miette draws it, wrapped to `width` columns
/// (`None`: not wrapped, as in snapshots, so they do not depend on a terminal).
pub fn render(diagnostic: &Diagnostic, lang: Lang, color: bool, width: Option<usize>) -> String {
    use miette::{GraphicalReportHandler, GraphicalTheme};
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_links(false);
    let handler = match width {
        Some(w) => handler.with_width(w),
        None => handler.with_width(1000).with_wrap_lines(false),
    };
    let report = MietteView::new(diagnostic, lang);
    let mut out = String::new();
    if handler.render_report(&mut out, &report).is_err() {
        // Rendering into a String cannot fail for I/O reasons; fall back to plain text.
        out = format!("{}: {}\n", diagnostic.code.id, diagnostic.message.get(lang));
    }
    out
}

/// One diagnostic in the JSON form given by `--format json`.
pub fn to_json(diagnostic: &Diagnostic, lang: Lang) -> serde_json::Value {
    let position = |offset: usize| {
        diagnostic.file.as_ref().map(|f| {
            let (line, column) = f.line_col(offset);
            serde_json::json!({ "line": line, "column": column, "offset": offset })
        })
    };
    let labels: Vec<serde_json::Value> = diagnostic
        .labels
        .iter()
        .map(|l| {
            serde_json::json!({
                "message": l.text.get(lang),
                "primary": l.primary,
                "start": position(l.span.start),
                "end": position(l.span.end),
            })
        })
        .collect();
    let primary = diagnostic.primary_span();
    serde_json::json!({
        "code": diagnostic.code.id,
        "severity": match diagnostic.severity { Severity::Error => "error", Severity::Warning => "warning" },
        "file": diagnostic.file.as_ref().map(|f| f.name.clone()),
        "line": primary.and_then(|s| position(s.start)).map(|p| p["line"].clone()),
        "column": primary.and_then(|s| position(s.start)).map(|p| p["column"].clone()),
        "message": diagnostic.message.get(lang),
        "help": diagnostic.help.as_ref().map(|h| h.get(lang)),
        "labels": labels,
    })
}

/// A diagnostic seen through miette's trait, in one language.
struct MietteView {
    code: &'static str,
    message: String,
    help: Option<String>,
    severity: miette::Severity,
    labels: Vec<miette::LabeledSpan>,
    source: Option<CharColumns>,
}

/// The file's text as miette reads it, with columns counted in characters:
/// miette counts bytes, which puts `等次 {` at column 8 instead of 4.
struct CharColumns {
    name: String,
    text: Arc<str>,
}

impl miette::SourceCode for CharColumns {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let inner = self.text.read_span(span, before, after)?;
        let start = span.offset().min(self.text.len());
        let line_start = self.text.get(..start).and_then(|t| t.rfind('\n')).map_or(0, |n| n + 1);
        let column = self.text.get(line_start..start).map_or(0, |t| t.chars().count());
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            column,
            inner.line_count(),
        )))
    }
}

impl MietteView {
    fn new(d: &Diagnostic, lang: Lang) -> Self {
        let len = d.file.as_ref().map_or(0, |f| f.text.len());
        let labels = d
            .labels
            .iter()
            .map(|l| {
                let start = l.span.start.min(len);
                let end = l.span.end.clamp(start, len);
                let text = Some(l.text.get(lang).to_string()).filter(|t| !t.is_empty());
                if l.primary {
                    miette::LabeledSpan::new_primary_with_span(text, (start, end - start))
                } else {
                    miette::LabeledSpan::new_with_span(text, (start, end - start))
                }
            })
            .collect();
        MietteView {
            code: d.code.id,
            message: d.message.get(lang).to_string(),
            help: d.help.as_ref().map(|h| h.get(lang).to_string()),
            severity: match d.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
            },
            labels,
            source: d.file.as_ref().map(|f| CharColumns { name: f.name.clone(), text: f.text.clone() }),
        }
    }
}

impl fmt::Debug for MietteView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for MietteView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for MietteView {}

impl miette::Diagnostic for MietteView {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        if self.labels.is_empty() {
            return None;
        }
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().cloned()))
    }
}

pub mod codes;
