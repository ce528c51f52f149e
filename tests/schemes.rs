//! The shipped schemes (`rules/*.kh`) check clean, with no warning, and their
//! checked outline is pinned: a change in how kaohe understands a published
//! scheme (a weight, a scale, a period) shows up in review.

use kaohe::check;

#[test]
fn outline() {
    insta::glob!("../rules", "*.kh", |path| {
        let rel = path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(path);
        let checked = check::check_path(rel, std::path::Path::new("rules"));
        let problems: Vec<String> =
            checked.diagnostics.iter().map(|d| kaohe::diagnostics::render(d, kaohe::diagnostics::Lang::En, false, None)).collect();
        assert!(problems.is_empty(), "{} is not clean:\n{}", rel.display(), problems.join("\n"));
        let scheme = checked.scheme.expect("a clean check yields a scheme");
        insta::with_settings!({ omit_expression => true, prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(scheme.outline());
        });
    });
}

/// Evaluation checks a scheme without reading its tests
/// (`check::check_path_reading` with `Tests::Unread`): what it evaluates must be the scheme
/// `kaohe check` sees, less the tests, with the same findings. The 2014
/// scheme also removes tests of the scheme it extends.
#[test]
fn evaluation_reads_the_scheme_check_reads_less_its_tests() {
    let mut compared = 0;
    for entry in std::fs::read_dir("rules").expect("rules/ is shipped") {
        let path = entry.expect("a readable folder").path();
        if path.extension().is_none_or(|e| e != "kh") {
            continue;
        }
        let root = std::path::Path::new("rules");
        let read = check::check_path(&path, root);
        let unread = check::check_path_reading(&path, root, kaohe::syntax::Tests::Unread);
        let mut with_tests = read.scheme.expect("shipped schemes check clean");
        assert!(!with_tests.tests.is_empty(), "{} has tests", path.display());
        with_tests.tests.clear();
        let without = unread.scheme.expect("and check clean without their tests");
        assert_eq!(format!("{without:?}"), format!("{with_tests:?}"), "{}", path.display());
        assert_eq!(unread.diagnostics.len(), read.diagnostics.len(), "{}", path.display());
        compared += 1;
    }
    assert_eq!(compared, 6);
}

/// A test passed over unread may hold braces in strings and comments, and
/// broken lines: they neither end it early nor stop the evaluation. Read,
/// the broken line is reported.
#[test]
fn an_unread_test_is_skipped_whole() {
    use kaohe::syntax::{Tests, parse};
    let text = r#"方案 "t" { 年度 2024 }
测试 "花括号" {
    # 注释里的 } 不结束测试 {
    期望 "甲}" 总分 = 1
    期望 "乙\"}" 总分 = 2
    期望 “丙}” 总分 = 3
    期望 总分 = = 4
}
指标 甲 100% { 得分 = 1 }
"#;
    let file = kaohe::source::SourceFile::new("t.kh", text.to_string());
    let (read, found) = parse(&file, Tests::Read);
    assert!(found.has_errors(), "the broken line of a read test is reported");
    let (unread, found) = parse(&file, Tests::Unread);
    assert!(!found.has_errors(), "{found:?}");
    let items: Vec<String> = unread.items.iter().map(|i| format!("{i:?}")).collect();
    let expected: Vec<String> = read.items.iter().filter(|i| !matches!(i, kaohe::ast::Item::Test(_))).map(|i| format!("{i:?}")).collect();
    assert_eq!(items.len(), 2, "the header and the indicator: {items:?}");
    assert_eq!(items, expected);
}

/// A comment runs to the end of its line (`\n` or `\r\n`) whatever it holds
/// (tabs, other control characters, Chinese, braces) and may end the file;
/// the next line is read as usual.
#[test]
fn a_comment_runs_to_the_end_of_its_line() {
    use kaohe::syntax::{Tests, parse};
    let text =
        "方案 \"t\" { 年度 2024 } # 头\t\u{b}\u{c}\u{1}尾 }\r\n# {\u{7f}\u{3000}\n指标 甲 100% { # 注释 {\n  得分 = 1 # }\r\n}\n# 末行";
    let file = kaohe::source::SourceFile::new("t.kh", text.to_string());
    let (tree, found) = parse(&file, Tests::Read);
    assert!(found.is_empty(), "{found:?}");
    assert_eq!(tree.items.len(), 2, "the header and the indicator: {:?}", tree.items);
}

/// Every reserved word is refused as a name, and a longer name that begins
/// with one is not. (The grammar compares a name only with the reserved
/// words that begin with the same character, so each group is tried here.)
#[test]
fn a_reserved_word_is_not_a_name_but_may_begin_one() {
    use kaohe::syntax::{Tests, parse};
    const RESERVED: &str = "当 when 其中 where 并且 且 and 或者 或 or 非 not 属于 in 如果 if 则 那么 then 否则 else \
                            分段 piecewise 总分 total 是 true 否 false 空 null";
    assert_eq!(RESERVED.split_whitespace().count(), 31);
    for word in RESERVED.split_whitespace() {
        for (name, refused) in [(word.to_string(), true), (format!("{word}率"), false), (format!("{word}_2"), false)] {
            let file = kaohe::source::SourceFile::new("t.kh", format!("参数 {name} = 1\n"));
            let (_, found) = parse(&file, Tests::Read);
            assert_eq!(!found.is_empty(), refused, "`{name}`: {found:?}");
        }
    }
}

#[test]
fn conditionals_in_separate_formulas_are_not_counted_together() {
    use kaohe::syntax::{Tests, parse};
    // The delimiter pass bounds how many `如果` may be open at once (128).
    // Each parameter's formula ends before the next begins, so 300 of them
    // with one `如果` each are as deep as one; so are a call's arguments.
    let parameters: String = (0..300).map(|i| format!("参数 p{i} = 如果 是 则 {i} 否则 0\n")).collect();
    let arguments = vec!["如果 是 则 1 否则 0"; 300].join(", ");
    let text = format!("{parameters}指标 a 100% {{ 得分 = max({arguments}) }}\n");
    let file = kaohe::source::SourceFile::new("separate.kh", text);
    let (tree, found) = parse(&file, Tests::Read);
    assert!(found.is_empty(), "{found:?}");
    assert_eq!(tree.items.len(), 301);
}
