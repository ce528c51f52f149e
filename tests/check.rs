//! Bad schemes and their diagnostics: one file per case in `tests/check/`.
//!
//! Each snapshot holds the scheme, then every diagnostic's code on a line of
//! its own and the rendered diagnostic (English, then Chinese), so a reviewer
//! sees input and output together and a reworded message changes one line.

use std::path::Path;

use kaohe::check;
use kaohe::diagnostics::{Lang, render};

/// The case's path relative to the crate, so snapshots do not depend on where it lives.
fn relative(path: &Path) -> &Path {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(path)
}

fn report(path: &Path) -> String {
    let path = relative(path);
    let root = path.parent().unwrap_or(Path::new("."));
    let checked = check::check_path(path, root);
    let source = std::fs::read_to_string(path).unwrap_or_default();
    let mut out = String::new();
    out.push_str("==== scheme ====\n");
    out.push_str(&source);
    out.push_str("\n==== codes ====\n");
    for d in &checked.diagnostics {
        out.push_str(d.code.id);
        out.push('\n');
    }
    for (lang, title) in [(Lang::En, "english"), (Lang::Zh, "中文")] {
        out.push_str(&format!("==== {title} ====\n"));
        for d in &checked.diagnostics {
            out.push_str(&render(d, lang, false, None));
            out.push('\n');
        }
    }
    out
}

#[test]
fn bad_schemes() {
    insta::glob!("check/*.kh", |path| {
        let text = report(path);
        // Every case in this folder is a bad scheme: it must produce a diagnostic.
        let rel = relative(path);
        let checked = check::check_path(rel, rel.parent().unwrap_or(Path::new(".")));
        assert!(!checked.diagnostics.is_empty(), "{} produced no diagnostic", path.display());
        insta::with_settings!({ omit_expression => true, prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(text);
        });
    });
}
