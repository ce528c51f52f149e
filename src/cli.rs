//! The command line: argument parsing and wiring of the library's stages.
//! Nothing here computes; it reads arguments, calls `check`, and renders.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};

use crate::check;
use crate::diagnostics::{self, Diagnostic, Lang, Severity};
use crate::eval::Derivation;
use crate::syntax::Tests;

/// kaohe (考核): write performance-assessment schemes as text, check them, evaluate them.
#[derive(Debug, Parser)]
#[command(name = "kaohe", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Language of messages: `en` or `zh` (default: from the locale).
    #[arg(long, global = true, value_enum)]
    pub lang: Option<LangArg>,
    /// When to use colour.
    #[arg(long, global = true, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check scheme files and report every problem (exit 1 on errors).
    Check {
        /// Scheme files (`rules/*.kh`).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Folder that extended schemes must lie in (default: each file's folder).
        #[arg(long)]
        root: Option<PathBuf>,
        /// Also print how kaohe understood each clean scheme (tree, weights, periods).
        #[arg(long)]
        outline: bool,
    },
    /// Evaluate a scheme on data and print every unit's total, grade and rank.
    Eval {
        /// The scheme file.
        scheme: PathBuf,
        /// The data: a folder of `TABLE.csv` / `TABLE.json` files, or an `.xlsx` workbook.
        #[arg(long)]
        data: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Output::Table)]
        format: Output,
        /// Write the results to this file (atomically) instead of the terminal.
        #[arg(short = 'o', long)]
        output: Option<PathBuf>,
        /// Write a snapshot of every published figure to this file, for `--check` later.
        #[arg(long, value_name = "FILE", conflicts_with_all = ["check", "output"])]
        snapshot: Option<PathBuf>,
        /// Compare the results with this snapshot; exit 1 and show what moved if any figure differs.
        #[arg(long, value_name = "FILE", conflicts_with = "output")]
        check: Option<PathBuf>,
        /// With `--check`: accept the new figures, rewriting the snapshot.
        #[arg(long, requires = "check")]
        accept: bool,
        /// Encoding of CSV files when not UTF-8 (`gb18030`, `gbk`); detected by default.
        #[arg(long)]
        encoding: Option<String>,
        /// Folder that extended schemes must lie in (default: the scheme's folder).
        #[arg(long)]
        root: Option<PathBuf>,
    },
    /// Show how every figure of one unit was made, citing scheme lines and data rows.
    Explain {
        /// The scheme file.
        scheme: PathBuf,
        /// The data folder or workbook.
        #[arg(long)]
        data: PathBuf,
        /// The unit's key (as in the units table).
        #[arg(long)]
        unit: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Encoding of CSV files when not UTF-8.
        #[arg(long)]
        encoding: Option<String>,
        /// Folder that extended schemes must lie in (default: the scheme's folder).
        #[arg(long)]
        root: Option<PathBuf>,
    },
    /// Compare two schemes on the same data, or one scheme on two versions of the data.
    Diff {
        /// The old scheme.
        old: PathBuf,
        /// The new scheme (default: the old one, with `--data-new`).
        new: Option<PathBuf>,
        /// The data folder or workbook.
        #[arg(long)]
        data: PathBuf,
        /// A second version of the data, evaluated under the new scheme.
        #[arg(long)]
        data_new: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
        format: DiffFormat,
        /// Write the comparison to this file (atomically) instead of the terminal.
        #[arg(short = 'o', long)]
        output: Option<PathBuf>,
        /// Encoding of CSV files when not UTF-8.
        #[arg(long)]
        encoding: Option<String>,
        /// Folder that extended schemes must lie in (default: each scheme's folder).
        #[arg(long)]
        root: Option<PathBuf>,
    },
    /// Run the test blocks of schemes (files, or folders searched for `*.kh`).
    Test {
        /// Scheme files or folders (default: `rules/`).
        paths: Vec<PathBuf>,
        /// Folder that extended schemes must lie in (default: each file's folder).
        #[arg(long)]
        root: Option<PathBuf>,
    },
    /// Write a synthetic data set of any size for a shipped scheme (for measuring speed).
    Generate(crate::generate::Args),
}

/// `--lang`
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    /// English.
    En,
    /// Chinese.
    Zh,
}

/// `--color`
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    /// Colour when writing to a terminal and `NO_COLOR` is unset.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl ColorArg {
    /// Whether diagnostics on stderr are coloured.
    fn on_stderr(self) -> bool {
        match self {
            ColorArg::Always => true,
            ColorArg::Never => false,
            ColorArg::Auto => std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }
}

/// `--format` of `eval`
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// An aligned table for the terminal.
    Table,
    /// CSV, one row per unit (UTF-8 with BOM, for Excel).
    Csv,
    /// JSON with every unit's whole tree of figures.
    Json,
}

impl Output {
    /// Whether the format shows how the figures came about (scores before
    /// adjustments, contributions, per-period scores).
    fn shows_derivation(self) -> bool {
        match self {
            Output::Json => true,
            Output::Table | Output::Csv => false,
        }
    }
}

/// `--format` of `diff`
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// A summary and aligned tables for the terminal.
    Table,
    /// CSV, one row per unit that moved (UTF-8 with BOM, for Excel).
    Csv,
    /// JSON with every figure that moved.
    Json,
    /// Markdown, for a review note.
    Md,
}

/// `--format`
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Diagnostics drawn for people.
    Text,
    /// One JSON document, for editors and CI.
    Json,
}

/// Runs the command; returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    let lang = match cli.lang {
        Some(LangArg::En) => Lang::En,
        Some(LangArg::Zh) => Lang::Zh,
        None => Lang::from_env(),
    };
    match cli.command {
        Command::Check { files, format, root, outline } => run_check(&files, format, root.as_deref(), outline, lang, cli.color),
        Command::Test { paths, root } => run_tests(&paths, root.as_deref(), lang, cli.color),
        Command::Generate(args) => crate::generate::run(&args),
        Command::Eval { scheme, data, format, output, snapshot, check, accept, encoding, root } => {
            let printer = Printer::new(lang, cli.color);
            let inputs = [scheme.clone(), data.clone()];
            // Snapshots hold the derivation; a table or CSV shows none, and
            // leaving it out saves most of the results' memory.
            let wanted = snapshot.is_some() || check.is_some() || format.shows_derivation();
            let derivation = if wanted { Derivation::Kept } else { Derivation::LeftOut };
            let Some((_, assessment, failed)) = evaluate(&printer, &scheme, &data, encoding, root.as_deref(), derivation) else {
                return 1;
            };
            if let Some(path) = snapshot {
                return write_snapshot(&printer, &path, &assessment, &inputs).max(i32::from(failed));
            }
            if let Some(path) = check {
                return check_snapshot(&printer, &path, &assessment, accept, &inputs).max(i32::from(failed));
            }
            let publish = |out: &mut dyn Write| match format {
                Output::Table => out.write_all(crate::report::table::render(&assessment, lang, terminal_width()).as_bytes()),
                Output::Csv => crate::report::csv::write(&assessment, out),
                Output::Json => {
                    serde_json::to_writer_pretty(&mut *out, &assessment).map_err(std::io::Error::from).and_then(|()| out.write_all(b"\n"))
                }
            };
            let written = match output {
                Some(path) => write_atomically(&path, &[&data], publish),
                None => write_stdout(publish),
            };
            printer.lap("output");
            match written {
                Ok(()) => i32::from(failed),
                Err(message) => {
                    printer.general(&message);
                    1
                }
            }
        }
        Command::Diff { old, new, data, data_new, format, output, encoding, root } => {
            let printer = Printer::new(lang, cli.color);
            run_diff(&printer, DiffInputs { old, new, data, data_new, encoding, root }, format, output.as_deref())
        }
        Command::Explain { scheme, data, unit, format, encoding, root } => {
            let printer = Printer::new(lang, cli.color);
            let Some((scheme, assessment, failed)) = evaluate(&printer, &scheme, &data, encoding, root.as_deref(), Derivation::Kept) else {
                return 1;
            };
            let Some(result) = assessment.unit(&unit) else {
                let known: Vec<&str> = assessment.units().map(|u| u.key()).collect();
                let hint = crate::suggest::did_you_mean(&unit, known.iter().copied())
                    .map(|b| format!(" (did you mean `{b}`?)"))
                    .unwrap_or_default();
                printer.general(&format!("no unit `{unit}` in the data{hint}"));
                return 1;
            };
            let text = match format {
                Format::Text => crate::report::explain::explain(&scheme, &assessment, result, lang),
                Format::Json => serde_json::to_string_pretty(&result).unwrap_or_default() + "\n",
            };
            print_out(&text).max(i32::from(failed))
        }
    }
}

fn run_check(files: &[PathBuf], format: Format, root: Option<&Path>, outline: bool, lang: Lang, color: ColorArg) -> i32 {
    let mut all: Vec<Diagnostic> = Vec::new();
    let mut unwritten = 0;
    for file in files {
        let checked = check_scheme(file, root, Tests::Read);
        if let (true, Some(scheme), Format::Text) = (outline, &checked.scheme, format) {
            unwritten = unwritten.max(print_out(&scheme.outline()));
        }
        all.extend(checked.diagnostics);
    }
    let errors = all.iter().filter(|d| d.severity == Severity::Error).count();
    let warnings = all.len() - errors;
    match format {
        Format::Json => {
            let doc = serde_json::json!({
                "diagnostics": all.iter().map(|d| diagnostics::to_json(d, lang)).collect::<Vec<_>>(),
                "errors": errors,
                "warnings": warnings,
            });
            unwritten = print_out(&(serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"));
        }
        Format::Text => {
            let colored = color.on_stderr();
            let width = terminal_width();
            let mut out = std::io::stderr().lock();
            for d in &all {
                let _ = write!(out, "{}", diagnostics::render(d, lang, colored, Some(width)));
                let _ = writeln!(out);
            }
            let summary = match (lang, errors, warnings) {
                (Lang::En, 0, 0) => format!("checked {} file(s): no problems", files.len()),
                (Lang::En, e, w) => format!("checked {} file(s): {e} error(s), {w} warning(s)", files.len()),
                (Lang::Zh, 0, 0) => format!("已检查 {} 个文件:没有问题", files.len()),
                (Lang::Zh, e, w) => format!("已检查 {} 个文件:{e} 个错误,{w} 个警告", files.len()),
            };
            let _ = writeln!(out, "{summary}");
        }
    }
    i32::from(errors > 0).max(unwritten)
}

/// Checks a scheme; schemes it extends must lie under `root`, by default its
/// own folder. Its tests are read only when they are to be checked or run.
fn check_scheme(file: &Path, root: Option<&Path>, tests: Tests) -> check::Checked {
    let root = root.map(Path::to_path_buf).unwrap_or_else(|| file.parent().map(Path::to_path_buf).unwrap_or_default());
    let root = if root.as_os_str().is_empty() { PathBuf::from(".") } else { root };
    check::check_path_reading(file, &root, tests)
}

/// A progress line on standard error for work that takes a while: drawn
/// only on a terminal, once the work has run for half a second, redrawn at
/// most ten times a second, and wiped when the work is done.
struct ProgressLine {
    /// What is being done and what is counted (`scoring` … `units`).
    words: (&'static str, &'static str),
    started: std::time::Instant,
    drawn: Option<std::time::Instant>,
    on_terminal: bool,
}

impl ProgressLine {
    fn new(lang: Lang, doing: (&'static str, &'static str), counted: (&'static str, &'static str)) -> Self {
        let words = match lang {
            Lang::En => (doing.0, counted.0),
            Lang::Zh => (doing.1, counted.1),
        };
        let on_terminal = std::io::stderr().is_terminal();
        ProgressLine { words, started: std::time::Instant::now(), drawn: None, on_terminal }
    }

    /// Shows `done` of `all`.
    fn show(&mut self, done: usize, all: usize) {
        let now = std::time::Instant::now();
        let due = match self.drawn {
            None => now.duration_since(self.started).as_millis() >= 500,
            Some(last) => now.duration_since(last).as_millis() >= 100 || done == all,
        };
        if !self.on_terminal || !due || all == 0 {
            return;
        }
        self.drawn = Some(now);
        let (doing, counted) = self.words;
        let figures = format!(" {:>width$} / {} {counted}", thousands(done), thousands(all), width = thousands(all).len());
        let room = terminal_width().saturating_sub(unicode_width::UnicodeWidthStr::width(format!("{doing}{figures}").as_str()) + 4);
        let width = room.min(40);
        let full = (done.min(all) * width).checked_div(all).unwrap_or(0);
        // ASCII: block characters are two columns wide in many CJK terminals, and the line would wrap.
        let bar = format!("[{}{}]", "#".repeat(full), ".".repeat(width - full));
        let _ = write!(std::io::stderr(), "\r{doing} {bar}{figures}\x1b[K");
    }

    /// Wipes the line, if it was drawn.
    fn clear(&self) {
        if self.drawn.is_some() {
            let _ = write!(std::io::stderr(), "\r\x1b[K");
        }
    }
}

/// `1234567` as `1,234,567`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The terminal's width, `COLUMNS`, or 100 when neither is known.
fn terminal_width() -> usize {
    if let Some((terminal_size::Width(w), _)) = terminal_size::terminal_size_of(std::io::stderr()) {
        return usize::from(w).max(40);
    }
    std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).unwrap_or(100)
}

/// Scheme files named directly, or found (sorted) in the folders named.
fn scheme_files(paths: &[PathBuf]) -> Vec<PathBuf> {
    let paths = if paths.is_empty() { vec![PathBuf::from("rules")] } else { paths.to_vec() };
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(&p)
                .map(|entries| {
                    entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|f| f.extension().is_some_and(|x| x == "kh")).collect()
                })
                .unwrap_or_default();
            found.sort();
            out.extend(found);
        } else {
            out.push(p);
        }
    }
    out
}

fn run_tests(paths: &[PathBuf], root: Option<&Path>, lang: Lang, color: ColorArg) -> i32 {
    let zh = lang == Lang::Zh;
    let colored = color.on_stderr();
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut out = std::io::stdout().lock();
    for file in scheme_files(paths) {
        let checked = check_scheme(&file, root, Tests::Read);
        let Some(scheme) = checked.scheme else {
            for d in checked.diagnostics.iter().filter(|d| d.severity == Severity::Error) {
                let _ = write!(std::io::stderr(), "{}", diagnostics::render(d, lang, colored, Some(terminal_width())));
            }
            let _ = writeln!(out, "{} {}", if zh { "无法检查" } else { "cannot check" }, file.display());
            failed += 1;
            continue;
        };
        for test in &scheme.tests {
            let outcome = crate::runner::run(&scheme, test);
            if outcome.passed() {
                passed += 1;
            } else {
                failed += 1;
            }
            let _ = write!(out, "{}", crate::runner::render(&scheme, &file.display().to_string(), &outcome, lang, terminal_width()));
        }
    }
    let _ = writeln!(out, "{passed} passed, {failed} failed");
    i32::from(failed > 0)
}

/// `kaohe eval --snapshot FILE`: writes every published figure.
fn write_snapshot(printer: &Printer, path: &Path, assessment: &crate::report::Assessment, inputs: &[PathBuf]) -> i32 {
    let inputs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
    if let Some(folder) = path.parent().filter(|f| !f.as_os_str().is_empty() && !f.exists()) {
        if let Err(e) = std::fs::create_dir_all(folder) {
            printer.general(&format!("cannot create the folder `{}`: {e}", folder.display()));
            return 1;
        }
    }
    match write_atomically(path, &inputs, |out| out.write_all(crate::report::snapshot::render(assessment).as_bytes())) {
        Ok(()) => {
            let n = assessment.len();
            let _ = match printer.lang {
                Lang::En => writeln!(std::io::stderr(), "wrote snapshot {} ({n} units)", path.display()),
                Lang::Zh => writeln!(std::io::stderr(), "已写入快照 {}({n} 个单位)", path.display()),
            };
            0
        }
        Err(message) => {
            printer.general(&message);
            1
        }
    }
}

/// `kaohe eval --check FILE [--accept]`: compares the results with a stored
/// snapshot; shows each figure that would move, and rewrites it on `--accept`.
fn check_snapshot(printer: &Printer, path: &Path, assessment: &crate::report::Assessment, accept: bool, inputs: &[PathBuf]) -> i32 {
    let fresh = crate::report::snapshot::render(assessment);
    let stored = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && accept => String::new(),
        Err(e) => {
            printer.general(&format!(
                "cannot read the snapshot `{}`: {e} (write one with `--snapshot {}`)",
                path.display(),
                path.display()
            ));
            return 1;
        }
    };
    let changes = crate::report::snapshot::compare(&stored, &fresh);
    let file = path.display().to_string();
    let mut err = std::io::stderr().lock();
    if changes.is_empty() {
        let _ = match printer.lang {
            Lang::En => writeln!(err, "snapshot {file} matches: {} units, no figure moved", changes.units),
            Lang::Zh => writeln!(err, "快照 {file} 一致:{} 个单位,数字没有变化", changes.units),
        };
        return 0;
    }
    let _ = write!(err, "{}", crate::report::snapshot::render_changes(&changes, &file, printer.lang));
    if !accept {
        let _ = match printer.lang {
            Lang::En => writeln!(err, "\nif these changes are intended, run the same command with `--accept` to update {file}"),
            Lang::Zh => writeln!(err, "\n如果这些变化符合预期,在同一命令后加 `--accept` 更新 {file}"),
        };
        return 1;
    }
    drop(err);
    let status = write_snapshot(printer, path, assessment, inputs);
    if status == 0 {
        let _ = match printer.lang {
            Lang::En => writeln!(std::io::stderr(), "accepted the new figures"),
            Lang::Zh => writeln!(std::io::stderr(), "已接受新的数字"),
        };
    }
    status
}

/// What `kaohe diff` compares.
struct DiffInputs {
    old: PathBuf,
    new: Option<PathBuf>,
    data: PathBuf,
    data_new: Option<PathBuf>,
    encoding: Option<String>,
    root: Option<PathBuf>,
}

fn run_diff(printer: &Printer, inputs: DiffInputs, format: DiffFormat, output: Option<&Path>) -> i32 {
    let DiffInputs { old, new, data, data_new, encoding, root } = inputs;
    if new.is_none() && data_new.is_none() {
        printer.general("give a new scheme (`kaohe diff OLD.kh NEW.kh --data DIR`) or a new data version (`--data-new DIR`)");
        return 2;
    }
    let new_scheme = new.clone().unwrap_or_else(|| old.clone());
    let new_data = data_new.clone().unwrap_or_else(|| data.clone());
    let Some((old_checked, old_results, old_failed)) = evaluate(printer, &old, &data, encoding.clone(), root.as_deref(), Derivation::Kept)
    else {
        return 1;
    };
    let Some((new_checked, new_results, new_failed)) =
        evaluate(printer, &new_scheme, &new_data, encoding, root.as_deref(), Derivation::Kept)
    else {
        return 1;
    };
    let label = |scheme: &Path, data: &Path| format!("{} @ {}", scheme.display(), data.display());
    let comparison = crate::report::diff::compare(
        &old_results,
        &new_results,
        &label(&old, &data),
        &label(&new_scheme, &new_data),
        &crate::report::diff::grade_order(&old_checked, &new_checked),
    );
    let text = match format {
        DiffFormat::Table => crate::report::diff::render_text(&comparison, printer.lang, terminal_width()),
        DiffFormat::Md => crate::report::diff::render_markdown(&comparison, printer.lang),
        DiffFormat::Csv => crate::report::diff::render_csv(&comparison),
        DiffFormat::Json => serde_json::to_string_pretty(&comparison).unwrap_or_default() + "\n",
    };
    let failed = i32::from(old_failed || new_failed);
    match output {
        Some(path) => {
            let inputs: Vec<&Path> = [old.as_path(), new_scheme.as_path(), data.as_path(), new_data.as_path()].into();
            match write_atomically(path, &inputs, |out| out.write_all(text.as_bytes())) {
                Ok(()) => failed,
                Err(message) => {
                    printer.general(&message);
                    1
                }
            }
        }
        None => print_out(&text).max(failed),
    }
}

/// Renders diagnostics to stderr in the user's language and terminal width.
struct Printer {
    lang: Lang,
    colored: bool,
    /// When the last stage ended, if timings were asked for (`KAOHE_TIMINGS=1`).
    stage_start: std::cell::Cell<Option<std::time::Instant>>,
    /// What the process had used then, where the system says (Linux).
    stage_use: std::cell::Cell<Option<ProcessUse>>,
}

impl Printer {
    fn new(lang: Lang, color: ColorArg) -> Self {
        let colored = color.on_stderr();
        let timed = std::env::var_os("KAOHE_TIMINGS").is_some_and(|v| v != "0");
        let stage_use = std::cell::Cell::new(if timed { ProcessUse::now() } else { None });
        Printer { lang, colored, stage_start: std::cell::Cell::new(timed.then(std::time::Instant::now)), stage_use }
    }

    /// With `KAOHE_TIMINGS=1` in the environment, prints how long the stage
    /// just ended took (wall time, a guide for `docs/performance.md`), and
    /// the processor time of all its threads (twice the wall time is both
    /// cores busy throughout), how much of it the system's, and the pages
    /// it touched for the first time (page faults, most of that system time).
    fn lap(&self, stage: &str) {
        if let Some(start) = self.stage_start.get() {
            // Memory in use after the stage, where the system says (Linux).
            let resident = std::fs::read_to_string("/proc/self/status")
                .ok()
                .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(|l| l.trim_start_matches("VmRSS:").trim().to_string()))
                .map(|kb| format!(", resident {kb}"))
                .unwrap_or_default();
            let use_now = ProcessUse::now();
            let took = start.elapsed();
            // Counted in hundredths of a second: shown for stages long enough to tell.
            let processor = match (self.stage_use.get(), use_now) {
                (Some(before), Some(now)) if took.as_millis() >= 100 => format!(
                    " (processor {:.2?}, system {:.2?}, {} page faults)",
                    (now.user + now.system).saturating_sub(before.user + before.system),
                    now.system.saturating_sub(before.system),
                    now.page_faults.saturating_sub(before.page_faults)
                ),
                _ => String::new(),
            };
            let _ = writeln!(std::io::stderr(), "kaohe: {stage} {took:.1?}{processor}{resident}");
            self.stage_start.set(Some(std::time::Instant::now()));
            self.stage_use.set(use_now);
        }
    }

    fn print(&self, diagnostics: &[Diagnostic]) {
        let mut err = std::io::stderr().lock();
        for d in diagnostics {
            let _ = write!(err, "{}", diagnostics::render(d, self.lang, self.colored, Some(terminal_width())));
            let _ = writeln!(err);
        }
    }

    fn general(&self, message: &str) {
        general_error(message);
    }
}

/// Checks the scheme, loads the data, evaluates. Returns `None` when the
/// scheme or the data has errors (all reported); `failed` is set when some
/// unit's figures could not all be computed (reported too).
fn evaluate(
    printer: &Printer,
    scheme: &Path,
    data: &Path,
    encoding: Option<String>,
    root: Option<&Path>,
    derivation: Derivation,
) -> Option<(crate::model::Scheme, crate::report::Assessment, bool)> {
    let checked = check_scheme(scheme, root, Tests::Unread);
    printer.lap("check");
    printer.print(&checked.diagnostics);
    let scheme = checked.scheme?;
    let mut line = ProgressLine::new(printer.lang, ("reading", "读取"), ("MB", "MB"));
    let options = crate::data::LoadOptions { encoding };
    let (dataset, found) =
        crate::data::load_reporting(&scheme, data, &options, &mut |done, all| line.show(done / 1_000_000, all / 1_000_000));
    line.clear();
    printer.lap("load");
    let found = found.into_sorted();
    printer.print(&found);
    if found.iter().any(|d| d.severity == Severity::Error) {
        return None;
    }
    let mut line = ProgressLine::new(printer.lang, ("scoring", "评分"), ("units", "个单位"));
    let (assessment, faults) = crate::eval::evaluate_reporting(&scheme, dataset, derivation, &mut |done, all| {
        line.show(done, all);
        // Scoring ends here; ranking, grading and gathering the results follow.
        if done == all {
            printer.lap("score");
        }
    });
    line.clear();
    printer.lap("publish");
    let faults = faults.into_sorted();
    printer.print(&faults);
    let failed = faults.iter().any(|d| d.severity == Severity::Error);
    Some((scheme, assessment, failed))
}

/// Writes to standard output, buffered. A reader that stops reading early
/// (`kaohe eval ... | head`) has what it wanted: its closed pipe is not an
/// error, and the rest is not written.
fn write_stdout(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(), String> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(format!("cannot write the results: {e}")),
        // Dropping the buffer would try its bytes once more.
        _ => {
            let _ = out.into_parts();
            Ok(())
        }
    }
}

/// Prints `text` on standard output (see [`write_stdout`]): the exit code
/// it adds, 1 when it could not be written (and why, on standard error).
fn print_out(text: &str) -> i32 {
    match write_stdout(|out| out.write_all(text.as_bytes())) {
        Ok(()) => 0,
        Err(message) => {
            general_error(&message);
            1
        }
    }
}

/// What the process has used so far, all threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ProcessUse {
    /// Processor time in the program.
    user: std::time::Duration,
    /// Processor time in the system on its behalf.
    system: std::time::Duration,
    /// Page faults that read nothing from disk: mostly memory touched for the first time.
    page_faults: u64,
}

impl ProcessUse {
    /// Now (Linux; elsewhere none).
    fn now() -> Option<ProcessUse> {
        ProcessUse::in_stat(&std::fs::read_to_string("/proc/self/stat").ok()?)
    }

    /// What a `/proc/PID/stat` line gives; its times count in hundredths of a second.
    fn in_stat(stat: &str) -> Option<ProcessUse> {
        // The command's name, in parentheses, may hold spaces and parentheses: count fields after its end.
        let fields: Vec<&str> = stat.get(stat.rfind(')')? + 1..)?.split_whitespace().collect();
        // minflt, utime and stime are the 10th, 14th and 15th fields; the 3rd is the first after the name.
        let field = |n: usize| fields.get(n - 3).and_then(|f| f.parse::<u64>().ok());
        let hundredths = |n: usize| field(n).map(|t| std::time::Duration::from_millis(t.saturating_mul(10)));
        Some(ProcessUse { user: hundredths(14)?, system: hundredths(15)?, page_faults: field(10)? })
    }
}

/// Reports an error that is not about a scheme or data file.
fn general_error(message: &str) {
    let _ = writeln!(std::io::stderr(), "error: {message}");
}

/// Writes to `path` through a temporary file and a rename, so a reader
/// never sees half a file; refuses to overwrite an input. A link is
/// followed (the file it names is replaced, not the link), and a device or
/// a pipe (`/dev/null`, `/dev/stdout`, a FIFO) is written into: a rename
/// would put a plain file in its place.
fn write_atomically(path: &Path, inputs: &[&Path], write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(), String> {
    let target = path.canonicalize().ok();
    for input in inputs {
        let input = input.canonicalize().ok();
        if let (Some(t), Some(i)) = (&target, &input) {
            if t == i || t.starts_with(i) {
                return Err(format!("refusing to write over the input `{}`", path.display()));
            }
        }
    }
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        let written = std::fs::OpenOptions::new().write(true).open(path).and_then(|file| write_into(file, write));
        return written.map_err(|e| format!("cannot write `{}`: {e}", path.display()));
    }
    let path = target.as_deref().unwrap_or(path);
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "kaohe-output".into());
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::File::create(&temp).and_then(|file| write_into(file, write));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(format!("cannot write `{}`: {e}", temp.display()));
    }
    std::fs::rename(&temp, path).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        format!("cannot write `{}`: {e}", path.display())
    })
}

/// Writes into `file` through a buffer.
fn write_into(file: std::fs::File, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
    write(&mut out)?;
    out.flush()
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_are_grouped_by_thousands() {
        let shown: Vec<String> = [0, 7, 999, 1_000, 40_960, 1_000_000, 12_345_678].into_iter().map(super::thousands).collect();
        assert_eq!(shown, ["0", "7", "999", "1,000", "40,960", "1,000,000", "12,345,678"]);
    }

    #[test]
    fn process_use_is_read_from_the_fields_after_the_name() {
        // A name with a space and a parenthesis; minflt 80000, utime 2331, stime 154 hundredths.
        let stat = "4242 (kao he) x) R 1 4242 4242 0 -1 4194304 80000 0 7 0 2331 154 0 0 20 0 3 0 1000 5000000 600 18446744073709551615";
        let expected = super::ProcessUse {
            user: std::time::Duration::from_millis(23_310),
            system: std::time::Duration::from_millis(1_540),
            page_faults: 80_000,
        };
        assert_eq!(super::ProcessUse::in_stat(stat), Some(expected));
        assert_eq!(super::ProcessUse::in_stat("no fields"), None);
    }
}
