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

/// `eval` of the shipped district scheme as CSV, written to `output` (or standard output).
fn district_csv(output: Option<&std::path::Path>) -> Output {
    let mut args = vec!["eval", "rules/taizhou_district.kh", "--data", "examples/taizhou_district", "--format", "csv"];
    let output = output.map(|p| p.to_string_lossy().into_owned());
    if let Some(path) = &output {
        args.extend(["--output", path]);
    }
    kaohe(&args)
}

/// A fresh scratch folder for one test.
#[expect(clippy::expect_used, reason = "a test without a scratch folder must fail")]
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kaohe-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

#[test]
fn output_is_written_whole_and_never_over_an_input() {
    let shown = district_csv(None).stdout;
    let dir = scratch("output");
    let file = dir.join("结果.csv");
    let out = district_csv(Some(&file));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read(&file).expect("written"), shown);
    // Written again over the last results: replaced, and no temporary file left beside it.
    assert_eq!(district_csv(Some(&file)).status.code(), Some(0));
    assert_eq!(std::fs::read_dir(&dir).expect("scratch").count(), 1);
    // An input file is never written over, not even through a link.
    let input = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/taizhou_district/市区.csv");
    let before = std::fs::read(&input).expect("input");
    let link = dir.join("市区.csv");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&input, &link).expect("link");
    for target in [input.as_path(), link.as_path()].into_iter().filter(|p| p.exists()) {
        let refused = district_csv(Some(target));
        assert_ne!(refused.status.code(), Some(0));
        assert!(String::from_utf8_lossy(&refused.stderr).contains("refusing to write over the input"));
    }
    assert_eq!(std::fs::read(&input).expect("input"), before);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A link is followed and a pipe written into: renaming the results over
/// either would replace it with a plain file (`--output /dev/null`, run as
/// root, once replaced this machine's `/dev/null`).
#[cfg(unix)]
#[test]
fn output_through_a_link_or_into_a_pipe_keeps_it() {
    use std::os::unix::fs::FileTypeExt;
    let shown = district_csv(None).stdout;
    let dir = scratch("output-special");
    let (file, link) = (dir.join("results.csv"), dir.join("link.csv"));
    std::fs::write(&file, "old").expect("file");
    std::os::unix::fs::symlink(&file, &link).expect("link");
    assert_eq!(district_csv(Some(&link)).status.code(), Some(0));
    assert!(std::fs::symlink_metadata(&link).expect("link").file_type().is_symlink());
    assert_eq!(std::fs::read(&file).expect("file"), shown);

    let pipe = dir.join("pipe");
    let made = Command::new("mkfifo").arg(&pipe).status().expect("mkfifo");
    assert!(made.success());
    let reader = Command::new("cat").arg(&pipe).stdout(std::process::Stdio::piped()).spawn().expect("cat");
    let out = district_csv(Some(&pipe));
    let still_a_pipe = std::fs::symlink_metadata(&pipe).expect("pipe").file_type().is_fifo();
    if !still_a_pipe {
        // The reader waits on the pipe that was replaced: let it go before failing.
        let mut reader = reader;
        let _ = reader.kill();
        let _ = reader.wait();
        panic!("the pipe was replaced: {}", String::from_utf8_lossy(&out.stderr));
    }
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(reader.wait_with_output().expect("cat").stdout, shown);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs kaohe with standard output into `stdout`, standard error captured.
#[expect(clippy::expect_used, reason = "a test that cannot start the binary must fail")]
fn kaohe_into(args: &[&str], stdout: impl Into<std::process::Stdio>) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kaohe"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .stdout(stdout)
        .output()
        .expect("run kaohe")
}

/// Each command that prints its results on standard output.
const PRINTING: [&[&str]; 5] = [
    &["eval", "rules/taizhou_district.kh", "--data", "examples/taizhou_district"],
    &["eval", "rules/taizhou_district.kh", "--data", "examples/taizhou_district", "--format", "json"],
    &["explain", "rules/taizhou_district.kh", "--data", "examples/taizhou_district", "--unit", "海陵区"],
    &["check", "--outline", "rules/taizhou_district.kh"],
    &["diff", "rules/taizhou_district.kh", "rules/taizhou_district.kh", "--data", "examples/taizhou_district"],
];

/// `kaohe ... | head`: a reader that has stopped reading has what it
/// wanted. kaohe stops writing, exits as it would have, and says nothing.
#[test]
fn a_reader_that_stops_early_is_no_error() {
    for args in PRINTING {
        let (reader, writer) = std::io::pipe().expect("pipe");
        // Closed before kaohe starts, so its first write already finds no reader.
        drop(reader);
        let out = kaohe_into(args, writer);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("error") && !err.contains("panicked"), "{args:?}: {err}");
    }
}

/// Any other failure to write the results is an error, and says why.
#[test]
#[cfg(target_os = "linux")]
fn results_that_cannot_be_written_are_an_error() {
    for args in PRINTING {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
        let out = kaohe_into(args, full);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("cannot write the results") && !err.contains("panicked"), "{args:?}: {err}");
    }
}
