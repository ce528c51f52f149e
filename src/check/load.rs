//! Reading a scheme and the schemes it extends, safely.
//!
//! `沿用 "base.kh"` is resolved relative to the extending file. Every file must
//! lie inside the folder tree kaohe was given (the root), so a scheme can never
//! read `/etc/passwd` or a neighbour's files; cycles are reported, not followed.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::ast;
use crate::diagnostics::{Diagnostic, Diagnostics, codes};
use crate::source::{SourceFile, Span};
use crate::syntax::{self, Tests};
use crate::text;

/// One parsed file of an extends chain.
#[derive(Debug)]
pub struct Layer {
    /// The file.
    pub file: Arc<SourceFile>,
    /// Its syntax tree.
    pub ast: ast::File,
}

/// Reads `path` and, base first, every scheme it extends.
pub fn load_chain(path: &Path, display: &str, root: &Path, tests: Tests, diags: &mut Diagnostics) -> Vec<Layer> {
    let mut layers = Vec::new();
    let mut stack: Vec<PathBuf> = Vec::new();
    let Some(text) = read(path, display, diags) else { return layers };
    let file = SourceFile::new(display, text);
    load(file, path, root, tests, &mut stack, &mut layers, diags);
    layers
}

/// Parses an in-memory text as a scheme without extends (for tests and editors).
pub fn load_text(file: Arc<SourceFile>, diags: &mut Diagnostics) -> Vec<Layer> {
    let (ast, found) = syntax::parse(&file, Tests::Read);
    diags.extend(found);
    if let Some(span) = ast.items.iter().find_map(|i| match i {
        ast::Item::Extends(s) => Some(s.span),
        _ => None,
    }) {
        diags.push(
            Diagnostic::error(
                &codes::EXTENDS_NOT_FOUND,
                &file,
                text!("this scheme is not read from a folder, so it cannot extend another", "此方案不是从文件夹读取的,不能沿用其他方案"),
            )
            .with_label(span, text!("extends here", "在此沿用"))
            .with_help(text!(
                "check the scheme from its file: `kaohe check path/to/scheme.kh`",
                "从文件检查方案:`kaohe check 路径/方案.kh`"
            )),
        );
    }
    vec![Layer { file, ast }]
}

fn read(path: &Path, display: &str, diags: &mut Diagnostics) -> Option<Arc<str>> {
    match std::fs::read(path) {
        // `simdutf8`'s check, and the one copy `SourceFile` makes anyway.
        Ok(bytes) => match simdutf8::basic::from_utf8(&bytes) {
            Ok(text) => Some(Arc::from(text)),
            Err(_) => {
                diags.push(
                    Diagnostic::general(&codes::IO, text!("`{display}` is not UTF-8 text", "`{display}` 不是 UTF-8 文本")).with_help(
                        text!(
                            "save the scheme as UTF-8 (in Notepad: Save As → Encoding: UTF-8)",
                            "把方案另存为 UTF-8 编码(记事本:另存为 → 编码:UTF-8)"
                        ),
                    ),
                );
                None
            }
        },
        Err(error) => {
            let reason = error.to_string();
            diags.push(
                Diagnostic::general(&codes::IO, text!("cannot read `{display}`: {reason}", "无法读取 `{display}`:{reason}"))
                    .with_help(text!("check the path", "检查路径是否正确")),
            );
            None
        }
    }
}

fn load(
    file: Arc<SourceFile>,
    path: &Path,
    root: &Path,
    tests: Tests,
    stack: &mut Vec<PathBuf>,
    layers: &mut Vec<Layer>,
    diags: &mut Diagnostics,
) {
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    stack.push(canonical);
    let (ast, found) = syntax::parse(&file, tests);
    diags.extend(found);
    let extends: Vec<ast::Item> = ast.items.iter().filter(|i| matches!(i, ast::Item::Extends(_))).cloned().collect();
    for (n, item) in extends.iter().enumerate() {
        let ast::Item::Extends(target) = item else { continue };
        if n > 0 {
            diags.push(
                Diagnostic::error(
                    &codes::HEADER_REPEATED,
                    &file,
                    text!("a scheme extends at most one other scheme", "一个方案最多沿用一个方案"),
                )
                .with_label(target.span, text!("second `沿用`", "第二个 `沿用`"))
                .with_help(text!("make the base schemes extend each other in a chain", "让基础方案逐级沿用")),
            );
            continue;
        }
        if let Some((base_path, base_display)) = resolve(&file, path, root, &target.node, target.span, stack, diags) {
            if let Some(text) = read_base(&file, &base_path, &base_display, target.span, diags) {
                let base_file = SourceFile::new(base_display, text);
                load(base_file, &base_path, root, tests, stack, layers, diags);
            }
        }
    }
    stack.pop();
    layers.push(Layer { file, ast });
}

fn read_base(file: &Arc<SourceFile>, path: &Path, display: &str, span: Span, diags: &mut Diagnostics) -> Option<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(error) => {
            let reason = error.to_string();
            diags.push(
                Diagnostic::error(
                    &codes::EXTENDS_NOT_FOUND,
                    file,
                    text!("cannot read the base scheme `{display}`: {reason}", "无法读取基础方案 `{display}`:{reason}"),
                )
                .with_label(span, text!("extended here", "在此沿用"))
                .with_help(text!("the path is relative to this file's folder", "路径相对于本文件所在的文件夹")),
            );
            None
        }
    }
}

/// The base's real path and display name, if it is inside the root and not a cycle.
fn resolve(
    file: &Arc<SourceFile>,
    path: &Path,
    root: &Path,
    target: &str,
    span: Span,
    stack: &[PathBuf],
    diags: &mut Diagnostics,
) -> Option<(PathBuf, String)> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let joined = dir.join(target);
    let display_dir = Path::new(&file.name).parent().unwrap_or(Path::new(""));
    let display = normalise(&display_dir.join(target));
    let Ok(canonical) = joined.canonicalize() else {
        diags.push(
            Diagnostic::error(
                &codes::EXTENDS_NOT_FOUND,
                file,
                text!("the base scheme `{display}` does not exist", "基础方案 `{display}` 不存在"),
            )
            .with_label(span, text!("extended here", "在此沿用"))
            .with_help(text!("the path is relative to this file's folder", "路径相对于本文件所在的文件夹")),
        );
        return None;
    };
    let root_shown = root.display().to_string().replace('\\', "/");
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    if !canonical.starts_with(&root) {
        diags.push(
            Diagnostic::error(
                &codes::EXTENDS_OUTSIDE,
                file,
                text!("`{display}` lies outside the folder `{root_shown}`", "`{display}` 位于文件夹 `{root_shown}` 之外"),
            )
            .with_label(span, text!("outside the scheme folder", "超出方案文件夹"))
            .with_help(text!(
                "copy the base scheme into the folder, or widen it with `--root`",
                "把基础方案复制到该文件夹,或用 `--root` 扩大范围"
            )),
        );
        return None;
    }
    if stack.contains(&canonical) {
        diags.push(
            Diagnostic::error(
                &codes::EXTENDS_CYCLE,
                file,
                text!("`{display}` extends this scheme again, in a cycle", "`{display}` 又沿用了本方案,形成循环"),
            )
            .with_label(span, text!("this closes the cycle", "此处形成循环"))
            .with_help(text!("a base scheme must not extend the schemes built on it", "基础方案不能沿用以它为基础的方案")),
        );
        return None;
    }
    Some((canonical, display))
}

/// `rules/sub/../base.kh` → `rules/base.kh`, for display only.
fn normalise(path: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir if parts.last().is_some_and(|p| p != "..") => {
                parts.pop();
            }
            std::path::Component::CurDir => {}
            other => parts.push(other.as_os_str().to_string_lossy().into_owned()),
        }
    }
    parts.join("/")
}
