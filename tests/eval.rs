//! Evaluation cases: one folder per case in `tests/eval/`, holding
//! `scheme.kh`, its data in `data/` (CSV, JSON or a workbook), and
//! `CALCULATION.md`: the expected figures computed by hand or by an
//! independent script, written down before the snapshot was accepted.
//! The snapshot shows every unit's figures and any diagnostics.

use std::fmt::Write;
use std::path::Path;

use kaohe::diagnostics::{Lang, render};
use kaohe::{check, data, eval, report};

fn run_case(dir: &Path) -> String {
    let rel = dir.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(dir);
    let scheme_path = rel.join("scheme.kh");
    let mut out = String::new();
    let checked = check::check_path(&scheme_path, rel);
    for d in &checked.diagnostics {
        out.push_str(&render(d, Lang::En, false, None));
    }
    let Some(scheme) = checked.scheme else { return out };
    let data_path = ["data", "data.xlsx"].iter().map(|d| rel.join(d)).find(|p| p.exists()).unwrap_or_else(|| rel.join("data"));
    let (dataset, found) = data::load(&scheme, &data_path, &data::LoadOptions::default());
    for d in found.into_sorted() {
        out.push_str(&render(&d, Lang::En, false, None));
    }
    let (assessment, faults) = eval::evaluate(&scheme, &dataset);
    // The command line's evaluation, which frees the tables ranking and
    // grading do not read once every unit is scored, gives the same results.
    let (freeing, freeing_faults) = eval::evaluate_reporting(&scheme, dataset.clone(), eval::Derivation::Kept, &mut |_, _| {});
    assert_eq!(serde_json::to_string(&freeing).ok(), serde_json::to_string(&assessment).ok(), "{}", rel.display());
    assert_eq!(format!("{freeing_faults:?}"), format!("{faults:?}"), "{}", rel.display());
    out.push_str("==== results ====\n");
    out.push_str(&report::table::render(&assessment, Lang::En, 200));
    out.push_str("==== details ====\n");
    for u in assessment.units() {
        let _ = writeln!(
            out,
            "{}: total {} (exact {}), grade {}, rank {}{}",
            u.key(),
            u.total(),
            u.exact_total().normalize(),
            u.grade(),
            u.rank(),
            u.group_rank().map(|g| format!(", group rank {g}")).unwrap_or_default()
        );
        if let Some(note) = u.grade_note() {
            let _ = writeln!(out, "  grade note: {note}");
        }
        let vetoes: Vec<&str> = u.vetoes().collect();
        if !vetoes.is_empty() || !u.award_eligible() {
            let _ = writeln!(out, "  vetoes: {} (award eligible: {})", vetoes.join(", "), u.award_eligible());
        }
        for i in u.indicators() {
            if !i.applies() {
                let _ = writeln!(out, "  {}: does not apply", i.path());
                continue;
            }
            let periods: Vec<String> = i.periods().map(|p| p.normalize().to_string()).collect();
            let periods = if periods.is_empty() { String::new() } else { format!(" periods [{}]", periods.join(", ")) };
            let contribution = i.contribution().map_or_else(|| "(left out)".to_string(), |c| c.normalize().to_string());
            let _ = writeln!(out, "  {}: {} → {contribution}{periods}", i.path(), i.score().normalize());
        }
        for (kind, a) in u.deductions().map(|d| ("deduct", d)).chain(u.bonuses().map(|b| ("bonus", b))) {
            let rows: Vec<String> = a
                .occurrences()
                .iter()
                .map(|o| {
                    if o.cancelled.is_zero() {
                        o.amount.normalize().to_string()
                    } else {
                        format!("{} (cancelled {})", o.amount.normalize(), o.cancelled.normalize())
                    }
                })
                .collect();
            let _ = writeln!(
                out,
                "  {kind} {} → {}: {} (before cap {}) from [{}]",
                a.name(),
                a.target(),
                a.amount().normalize(),
                a.uncapped().normalize(),
                rows.join(", ")
            );
        }
    }
    let faults = faults.into_sorted();
    if !faults.is_empty() {
        out.push_str("==== faults ====\n");
        for d in &faults {
            out.push_str(&render(d, Lang::En, false, None));
        }
    }
    out
}

#[test]
fn evaluation_cases() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/eval");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.join("scheme.kh").exists()).collect())
        .unwrap_or_default();
    cases.sort();
    for case in cases {
        let name = case.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        assert!(case.join("CALCULATION.md").exists(), "{name}: write the independent calculation in CALCULATION.md");
        let text = run_case(&case);
        insta::with_settings!({ omit_expression => true, prepend_module_to_snapshot => false, snapshot_suffix => name.clone(), input_file => case.join("scheme.kh") }, {
            insta::assert_snapshot!("eval", text);
        });
    }
}
