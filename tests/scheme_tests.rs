//! Every shipped scheme's own test blocks pass: their expected figures were
//! computed by hand (the working is in the comments above each expectation),
//! so this pins the evaluator to independent arithmetic.

use std::path::Path;

use kaohe::model::Subject;
use kaohe::{check, runner};

#[test]
fn shipped_scheme_tests_pass() {
    let mut ran = 0;
    let mut failures = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("rules"))
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "kh")).collect())
        .unwrap_or_default();
    paths.sort();
    for path in paths {
        let rel = path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(&path).to_path_buf();
        let checked = check::check_path(&rel, Path::new("rules"));
        let Some(scheme) = checked.scheme else {
            failures.push(format!("{} does not check", rel.display()));
            continue;
        };
        // Each scheme's key rules are pinned: at least three tests, which between
        // them expect a total, a deduction and a grade.
        let subjects: Vec<&Subject> = scheme.tests.iter().flat_map(|t| &t.expectations).map(|e| &e.subject).collect();
        if scheme.tests.len() < 3
            || !subjects.iter().any(|s| matches!(s, Subject::Total))
            || !subjects.iter().any(|s| matches!(s, Subject::Deduction(_)))
            || !subjects.iter().any(|s| matches!(s, Subject::Grade))
        {
            failures.push(format!("{} needs ≥3 tests expecting a total, a deduction and a grade", rel.display()));
        }
        for test in &scheme.tests {
            ran += 1;
            let outcome = runner::run(&scheme, test);
            for f in &outcome.failures {
                failures.push(format!(
                    "{} {}: {} {} expected {}, got {} ({})",
                    rel.display(),
                    outcome.name,
                    f.unit,
                    f.subject,
                    f.expected,
                    f.got,
                    f.cite
                ));
            }
            for d in outcome.diagnostics.iter() {
                failures.push(format!("{} {}: {} {}", rel.display(), outcome.name, d.code.id, d.message.en));
            }
        }
    }
    assert!(ran >= 15, "expected the shipped schemes' tests, ran {ran}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
