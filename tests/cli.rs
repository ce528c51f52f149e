//! The `kaohe` binary as a user runs it: exit codes, output formats, languages.

use std::process::{Command, Output};

#[expect(clippy::expect_used, reason = "a test that cannot start the binary must fail")]
fn kaohe(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kaohe"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("NO_COLOR", "1")
        .output()
        .expect("run kaohe")
}

#[test]
fn clean_scheme_exits_zero() {
    let out = kaohe(&["check", "tests/cli/clean.kh"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no problems"));
}

#[test]
fn errors_exit_one_and_name_the_place() {
    let out = kaohe(&["check", "tests/cli/weights_95.kh", "--color", "never"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("kaohe::weights::sum"), "{err}");
    assert!(err.contains("tests/cli/weights_95.kh:7:"), "{err}");
    assert!(err.contains("sum to 95%, expected 100%"), "{err}");
    assert!(err.contains("1 error(s)"), "{err}");
}

#[test]
fn json_diagnostics_for_editors() {
    let out = kaohe(&["check", "tests/cli/weights_95.kh", "tests/cli/clean.kh", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(doc["errors"], 1);
    let d = &doc["diagnostics"][0];
    assert_eq!(d["code"], "kaohe::weights::sum");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["file"], "tests/cli/weights_95.kh");
    assert_eq!(d["line"], 7);
    assert_eq!(d["column"], 6);
    assert!(d["help"].as_str().is_some_and(|h| h.contains("甲 65% + 乙 30%")));
}

#[test]
fn chinese_messages_by_flag_and_by_locale() {
    let by_flag = kaohe(&["check", "tests/cli/weights_95.kh", "--lang", "zh"]);
    assert!(String::from_utf8_lossy(&by_flag.stderr).contains("一级指标权重合计 95%,应为 100%"));
    let by_locale = Command::new(env!("CARGO_BIN_EXE_kaohe"))
        .args(["check", "tests/cli/weights_95.kh"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "zh_CN.UTF-8")
        .output()
        .expect("run kaohe");
    assert!(String::from_utf8_lossy(&by_locale.stderr).contains("已检查 1 个文件"));
}

#[test]
fn missing_file_is_an_error_not_a_panic() {
    let out = kaohe(&["check", "tests/cli/no_such_file.kh"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("kaohe::io") && err.contains("cannot read"), "{err}");
}

#[test]
fn failing_scheme_test_shows_the_difference_and_its_derivation() {
    let out = kaohe(&["test", "tests/cli/failing_test.kh"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("FAIL  tests/cli/failing_test.kh — 两处期望写错"), "{text}");
    assert!(text.contains("甲 总分: expected 91.8, got 90.80 (-1)  (tests/cli/failing_test.kh:26)"), "{text}");
    // The derivation of the figure that came out: the parts of the total, the capped deduction.
    assert!(text.contains("作风 [40%]: 92 / 100 × 0.4 = 36.8"), "{text}");
    assert!(text.contains("before deductions and bonuses: 100 − 8 + 0 → 92"), "{text}");
    assert!(text.contains("甲 等次: expected 合格, got 优秀"), "{text}");
    assert!(text.contains("Grade: 优秀 (>= 90; tests/cli/failing_test.kh:15)"), "{text}");
    // The right expectation (the deduction) is not reported.
    assert!(!text.contains("扣分 通报: expected"), "{text}");
    assert!(text.ends_with("0 passed, 1 failed\n"), "{text}");
}
