//! `kaohe eval --snapshot / --check / --accept`: a rules repository's guard
//! against published figures moving unnoticed.

mod common;

use common::{kaohe, scratch};
use kaohe::report::snapshot;

#[test]
fn check_fails_with_a_diff_after_a_data_change_and_passes_after_accept() {
    let dir = scratch("workflow");
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap_or_else(|e| panic!("{e}"));
    for entry in std::fs::read_dir("examples/taizhou_district").unwrap_or_else(|e| panic!("{e}")) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        let name = path.file_name().unwrap_or_default();
        std::fs::copy(&path, data.join(name)).unwrap_or_else(|e| panic!("{e}"));
    }
    let (data, snap) = (data.to_string_lossy().into_owned(), dir.join("district.snap").to_string_lossy().into_owned());
    let eval = |extra: &[&str]| kaohe(&[&["eval", "rules/taizhou_district.kh", "--data", &data][..], extra].concat());

    let (code, text) = eval(&["--snapshot", &snap]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("wrote snapshot") && text.contains("(6 units)"), "{text}");
    let (code, text) = eval(&["--check", &snap]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("6 units, no figure moved"), "{text}");

    // A correction of 高港区's survey: 100 more 满意 answers (734 → 834).
    let survey = std::path::Path::new(&data).join("民意调查汇总.csv");
    let csv = std::fs::read_to_string(&survey).unwrap_or_else(|e| panic!("{e}"));
    assert!(csv.contains("高港区,734,330,45,29"), "the example row to correct");
    std::fs::write(&survey, csv.replace("高港区,734,330,45,29", "高港区,834,330,45,29")).unwrap_or_else(|e| panic!("{e}"));

    let (code, text) = eval(&["--check", &snap]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("the figures of 1 unit(s) would change"), "{text}");
    assert!(text.contains("[高港区]\n  总分: 90.02 → 90.07\n"), "{text}");
    // Only the survey indicator and what it feeds move.
    assert!(text.contains("指标 公众评议.民意调查: "), "{text}");
    assert!(!text.contains("[海陵区]"), "other units did not move: {text}");
    assert!(text.contains("--accept"), "{text}");

    let (code, text) = eval(&["--check", &snap, "--accept"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("accepted the new figures"), "{text}");
    let (code, text) = eval(&["--check", &snap]);
    assert_eq!(code, Some(0), "{text}");
    let stored = std::fs::read_to_string(&snap).unwrap_or_else(|e| panic!("{e}"));
    assert!(stored.contains("[高港区]\n分组 = 区\n总分 = 90.07\n"), "{stored}");
}

#[test]
fn a_missing_snapshot_is_an_error_that_says_how_to_make_one() {
    let dir = scratch("missing");
    let snap = dir.join("none.snap").to_string_lossy().into_owned();
    let (code, text) = kaohe(&["eval", "rules/taizhou_district.kh", "--data", "examples/taizhou_district", "--check", &snap]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains(&format!("write one with `--snapshot {snap}`")), "{text}");
}

#[test]
fn compare_reports_changed_added_and_removed_units_and_ignores_comments() {
    let old = "# header 1\n\n[甲]\n总分 = 90.00\n等次 = 优秀\n\n[乙]\n总分 = 80.00\n扣分 迟报 → 总分 = 1\n";
    let new = "# another header\n[乙]\n总分 = 80.00\n\n[丙]\n总分 = 70.00\n";
    let changes = snapshot::compare(old, new);
    assert_eq!(changes.added, vec!["丙".to_string()]);
    assert_eq!(changes.removed, vec!["甲".to_string()]);
    assert_eq!(changes.changed, vec![("乙".to_string(), vec![("扣分 迟报 → 总分".to_string(), Some("1".to_string()), None)])]);
    assert!(snapshot::compare(old, &old.replace("# header 1", "# changed comment")).is_empty());
}
