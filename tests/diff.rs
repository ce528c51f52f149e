//! `kaohe diff`: a rule change or a data correction reports exactly the
//! units whose figures moved, with the old and new values `kaohe eval` gives
//! for each side.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{kaohe, scratch};
use serde_json::Value;

#[expect(clippy::expect_used, reason = "test output must be JSON")]
fn json(args: &[&str]) -> Value {
    let (code, text) = kaohe(args);
    assert_eq!(code, Some(0), "{text}");
    serde_json::from_str(&text).expect("JSON output")
}
/// Every figure `kaohe eval --format json` gives a unit, by unit key: what
/// the diff must call moved when any of it differs.
fn figures_by_unit(results: &Value) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for u in results["units"].as_array().into_iter().flatten() {
        let indicators: Vec<Value> = u["indicators"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|i| i["applies"] == Value::Bool(true))
            .map(|i| serde_json::json!([i["path"], i["score"], i["contribution"]]))
            .collect();
        let adjustments = |key: &str| -> Vec<Value> {
            u[key].as_array().into_iter().flatten().map(|a| serde_json::json!([a["name"], a["amount"]])).collect()
        };
        let projection = serde_json::json!({
            "total": u["total"], "grade": u["grade"], "rank": u["rank"], "group_rank": u["group_rank"],
            "vetoes": u["vetoes"], "indicators": indicators,
            "deductions": adjustments("deductions"), "bonuses": adjustments("bonuses"),
        });
        out.insert(u["unit"].as_str().unwrap_or_default().to_string(), projection);
    }
    out
}

/// Asserts that the diff lists exactly the units whose eval figures differ,
/// with each side's total, grade and rank as eval gave them.
fn assert_diff_matches_evals(diff: &Value, old: &Value, new: &Value) -> Vec<String> {
    let (before, after) = (figures_by_unit(old), figures_by_unit(new));
    let moved: Vec<String> = after.iter().filter(|(k, v)| before.get(*k) != Some(v)).map(|(k, _)| k.clone()).collect();
    let mut listed: Vec<String> =
        diff["units"].as_array().into_iter().flatten().map(|u| u["unit"].as_str().unwrap_or_default().to_string()).collect();
    listed.sort();
    assert_eq!(listed, moved, "the diff lists exactly the units whose figures moved");
    for u in diff["units"].as_array().into_iter().flatten() {
        let key = u["unit"].as_str().unwrap_or_default();
        for (side, results) in [("old", &before), ("new", &after)] {
            let expected = &results[key];
            for figure in ["total", "grade", "rank", "group_rank", "vetoes"] {
                assert_eq!(u[side][figure], expected[figure], "{key}: {side} {figure}");
            }
        }
    }
    assert_eq!(diff["summary"]["changed"], Value::from(moved.len()));
    moved
}

fn decimal(v: &Value) -> rust_decimal::Decimal {
    v.as_str().and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("a decimal string, not {v}"))
}

#[test]
fn changing_one_weight_moves_exactly_the_units_it_touches() {
    let dir = scratch("weight");
    let scheme = std::fs::read_to_string("rules/yuhua_office.kh").expect("shipped scheme");
    // 督查 posts: 督查工作 60% → 70%, so 提案 40% → 30% (the two must still make 100%).
    let changed = scheme.replacen(r#"指标 督查 "督查工作" 60%"#, r#"指标 督查 "督查工作" 70%"#, 1).replacen(
        r#"指标 提案 "人大代表建议和政协委员提案办理" 40%"#,
        r#"指标 提案 "人大代表建议和政协委员提案办理" 30%"#,
        1,
    );
    assert_ne!(changed, scheme, "the weights to change are in the scheme");
    let new_scheme = dir.join("yuhua_office.kh");
    std::fs::write(&new_scheme, changed).expect("write the changed scheme");
    let new_scheme = new_scheme.to_string_lossy().into_owned();
    let data = "examples/yuhua_office/yuhua_office.xlsx";

    let old = json(&["eval", "rules/yuhua_office.kh", "--data", data, "--format", "json"]);
    let new = json(&["eval", &new_scheme, "--data", data, "--format", "json"]);
    let diff = json(&["diff", "rules/yuhua_office.kh", &new_scheme, "--data", data, "--format", "json"]);
    let moved = assert_diff_matches_evals(&diff, &old, &new);

    // Independently of the engine: only 督查 posts' indicators can move, and
    // their 督查 and 提案 scores stay while the contributions follow the weights.
    let posts: BTreeMap<String, String> = old["units"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|u| (u["unit"].as_str().unwrap_or_default().to_string(), u["groups"][0].as_str().unwrap_or_default().to_string()))
        .collect();
    let inspectors: Vec<&String> = posts.iter().filter(|(_, p)| p.as_str() == "督查").map(|(k, _)| k).collect();
    assert!(inspectors.len() >= 3, "the example has several 督查 posts");
    for u in diff["units"].as_array().into_iter().flatten() {
        let key = u["unit"].as_str().unwrap_or_default().to_string();
        let moves = u["moved"].as_array().cloned().unwrap_or_default();
        if posts[&key] != "督查" {
            assert!(moves.is_empty(), "{key} is not a 督查 post, only its rank may move: {moves:?}");
            continue;
        }
        for (path, old_share, new_share) in [("业务考核.督查", "0.6", "0.7"), ("业务考核.提案", "0.4", "0.3")] {
            let m = moves.iter().find(|m| m["name"] == path).unwrap_or_else(|| panic!("{key}: {path} moved"));
            assert_eq!(m["old"], m["new"], "{key}: the score of {path} does not depend on its weight");
            let score = decimal(&m["old"]);
            let [c_old, c_new] = [&m["contribution"][0], &m["contribution"][1]].map(decimal);
            assert_eq!(c_old, score * decimal(&Value::from(old_share)), "{key}: old contribution of {path}");
            assert_eq!(c_new, score * decimal(&Value::from(new_share)), "{key}: new contribution of {path}");
        }
    }
    for k in &inspectors {
        assert!(moved.contains(k), "every 督查 post moved: {k}");
    }
}

#[test]
fn a_data_correction_moves_only_the_corrected_unit_and_the_ranks_it_passes() {
    let dir = scratch("data");
    let old_data = Path::new("examples/taizhou_department");
    let new_data = dir.join("taizhou_department");
    std::fs::create_dir_all(&new_data).expect("data folder");
    for entry in std::fs::read_dir(old_data).expect("example data") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, new_data.join(path.file_name().expect("name"))).expect("copy");
    }
    // The survey result of 市审计局 is corrected to 99.5% satisfied.
    let survey = new_data.join("民意调查汇总.csv");
    let text = std::fs::read_to_string(&survey).expect("survey");
    let line = text.lines().find(|l| l.starts_with("市审计局,")).expect("市审计局's survey row").to_string();
    let mut cells: Vec<String> = line.split(',').map(String::from).collect();
    assert_ne!(cells[2], "99.50%");
    cells[2] = "99.50%".into();
    std::fs::write(&survey, text.replacen(&line, &cells.join(","), 1)).expect("write");
    let new_data = new_data.to_string_lossy().into_owned();

    let scheme = "rules/taizhou_department.kh";
    let old = json(&["eval", scheme, "--data", "examples/taizhou_department", "--format", "json"]);
    let new = json(&["eval", scheme, "--data", &new_data, "--format", "json"]);
    let diff = json(&["diff", scheme, "--data", "examples/taizhou_department", "--data-new", &new_data, "--format", "json"]);
    let moved = assert_diff_matches_evals(&diff, &old, &new);
    assert!(moved.contains(&"市审计局".to_string()));
    for u in diff["units"].as_array().into_iter().flatten() {
        if u["unit"] != "市审计局" {
            assert!(u["moved"].as_array().is_some_and(Vec::is_empty), "only ranks move for others: {u}");
        }
    }
}

#[test]
fn the_summary_and_review_formats() {
    let args = ["diff", "rules/taizhou_district.kh", "rules/taizhou_district_2014.kh", "--data", "examples/taizhou_district"];
    let (code, text) = kaohe(&args);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("6 units compared: 6 changed (total 5, rank 2); grades 0 up, 0 down"), "{text}");
    assert!(text.contains("largest movers: 兴化市 -1.45 (85.39 → 83.94)"), "{text}");
    // 2014 doubles the 通报批评 deduction (1 → 2 points an instance).
    assert!(text.contains("deduction 督查通报: 2 → 4"), "{text}");
    let (_, md) = kaohe(&[&args[..], &["--format", "md", "--lang", "zh"]].concat());
    assert!(md.starts_with("# 方案修订影响\n"), "{md}");
    assert!(md.contains("| 海陵区 | 区 | 94.43 | 94.51 | +0.08 | 优秀 | 2 → 1 | 1 |  |"), "{md}");
    let (_, csv) = kaohe(&[&args[..], &["--format", "csv"]].concat());
    assert!(csv.starts_with("\u{FEFF}单位,分组,旧总分,新总分,变化,等次,排名,组内排名,否决,变动项\r\n"), "{csv}");
    let (code, same) = kaohe(&["diff", "rules/taizhou_district.kh", "rules/taizhou_district.kh", "--data", "examples/taizhou_district"]);
    assert_eq!(code, Some(0));
    assert!(same.contains("no figure moved"), "{same}");
    let (code, text) = kaohe(&["diff", "rules/taizhou_district.kh", "--data", "examples/taizhou_district"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("--data-new"), "{text}");
}
