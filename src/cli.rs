//! The command line: argument parsing and wiring of the library's stages.
//! Nothing here computes; it reads arguments, calls `check`, and renders.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};

use crate::check;
use crate::diagnostics::{self, Diagnostic, Lang, Severity};

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
    /// Run the test blocks of schemes (files, or folders searched for `*.kh`).
    Test {
        /// Scheme files or folders (default: `rules/`).
        paths: Vec<PathBuf>,
        /// Folder that extended schemes must lie in (default: each file's folder).
        #[arg(long)]
        root: Option<PathBuf>,
    },
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
    }
}

fn run_check(files: &[PathBuf], format: Format, root: Option<&Path>, outline: bool, lang: Lang, color: ColorArg) -> i32 {
    let mut all: Vec<Diagnostic> = Vec::new();
    for file in files {
        let root = root.map(Path::to_path_buf).unwrap_or_else(|| file.parent().map(Path::to_path_buf).unwrap_or_default());
        let root = if root.as_os_str().is_empty() { PathBuf::from(".") } else { root };
        let checked = check::check_path(file, &root);
        if let (true, Some(scheme), Format::Text) = (outline, &checked.scheme, format) {
            print!("{}", scheme.outline());
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
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        Format::Text => {
            let stderr = std::io::stderr();
            let colored = match color {
                ColorArg::Always => true,
                ColorArg::Never => false,
                ColorArg::Auto => stderr.is_terminal() && std::env::var_os("NO_COLOR").is_none(),
            };
            let width = terminal_width();
            let mut out = stderr.lock();
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
    i32::from(errors > 0)
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
    let stderr = std::io::stderr();
    let colored = match color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => stderr.is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut out = std::io::stdout().lock();
    for file in scheme_files(paths) {
        let root = root.map(Path::to_path_buf).unwrap_or_else(|| file.parent().map(Path::to_path_buf).unwrap_or_default());
        let root = if root.as_os_str().is_empty() { PathBuf::from(".") } else { root };
        let checked = check::check_path(&file, &root);
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
            let errors = outcome.diagnostics.error_count();
            if outcome.failures.is_empty() && errors == 0 {
                passed += 1;
                let _ =
                    writeln!(out, "ok    {} — {} ({} {})", file.display(), outcome.name, outcome.checked, if zh { "项" } else { "checks" });
                continue;
            }
            failed += 1;
            let _ = writeln!(out, "FAIL  {} — {}", file.display(), outcome.name);
            for f in &outcome.failures {
                let line = if zh {
                    format!("      {} {}: 期望 {}, 实际 {}  ({})", f.unit, f.subject, f.expected, f.got, f.cite)
                } else {
                    format!("      {} {}: expected {}, got {}  ({})", f.unit, f.subject, f.expected, f.got, f.cite)
                };
                let _ = writeln!(out, "{line}");
            }
            for d in outcome.diagnostics.iter() {
                let _ = write!(out, "{}", diagnostics::render(d, lang, false, Some(terminal_width())));
            }
        }
    }
    let _ = writeln!(out, "{passed} passed, {failed} failed");
    i32::from(failed > 0)
}
