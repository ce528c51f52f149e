//! The project's safety net: every published figure of every shipped scheme
//! on its example data, and the explanation of one unit, as insta snapshots.
//! An engine change that moves any figure shows up here for review.
//!
//! The totals and grades in these snapshots were compared, unit by unit, with
//! the independent Python scoring in `examples/generate.py --preview-json`.

use std::path::{Path, PathBuf};

use kaohe::diagnostics::{Lang, Severity};
use kaohe::report::{Assessment, UnitResult, explain, snapshot};
use kaohe::{check, data, eval};

/// The example data of a shipped scheme: `examples/NAME/` or its workbook `examples/NAME/NAME.xlsx`.
fn example_data(name: &str) -> PathBuf {
    let folder = Path::new("examples").join(name);
    let workbook = folder.join(format!("{name}.xlsx"));
    if workbook.exists() { workbook } else { folder }
}

/// The unit whose explanation says most: the most deduction and bonus rows, then the best rank.
fn most_eventful(assessment: &Assessment) -> Option<UnitResult<'_>> {
    let rows = |u: &UnitResult| u.deductions().chain(u.bonuses()).map(|a| a.occurrences().len()).sum::<usize>();
    assessment.units().rev().max_by_key(|u| (rows(u), u.vetoes().len() > 0))
}

#[test]
fn shipped_results() {
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap_or_else(|e| panic!("{e}"));
    let mut names: Vec<String> = std::fs::read_dir("rules")
        .unwrap_or_else(|e| panic!("rules/: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "kh"))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    names.sort();
    assert!(names.len() >= 5, "the shipped schemes");
    for name in names {
        let path = Path::new("rules").join(format!("{name}.kh"));
        let checked = check::check_path(&path, Path::new("rules"));
        let scheme = checked.scheme.unwrap_or_else(|| panic!("{name} checks"));
        let data_path = example_data(&name);
        let (dataset, found) = data::load(&scheme, &data_path, &data::LoadOptions::default());
        assert!(!found.iter().any(|d| d.severity == Severity::Error), "{name}: example data loads");
        let (assessment, faults) = eval::evaluate(&scheme, &dataset);
        assert!(!faults.iter().any(|d| d.severity == Severity::Error), "{name}: every figure computes");
        let unit = most_eventful(&assessment).unwrap_or_else(|| panic!("{name} has units"));
        let text = format!(
            "{}\n==== kaohe explain --unit {} ====\n{}",
            snapshot::render(&assessment),
            unit.key(),
            explain::explain(&scheme, &assessment, unit, Lang::Zh)
        );
        insta::with_settings!({ omit_expression => true, prepend_module_to_snapshot => false, snapshot_suffix => name.clone(), input_file => path.clone() }, {
            insta::assert_snapshot!("results", text);
        });
    }
}
