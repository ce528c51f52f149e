//! The shipped schemes (`rules/*.kh`) check clean, with no warning, and their
//! checked outline is pinned: a change in how kaohe understands a published
//! scheme (a weight, a scale, a period) shows up in review.

use kaohe::check;

#[test]
fn shipped_schemes_check_clean() {
    insta::glob!("../rules", "*.kh", |path| {
        let rel = path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(path);
        let checked = check::check_path(rel, std::path::Path::new("rules"));
        let problems: Vec<String> =
            checked.diagnostics.iter().map(|d| kaohe::diagnostics::render(d, kaohe::diagnostics::Lang::En, false, 100)).collect();
        assert!(problems.is_empty(), "{} is not clean:\n{}", rel.display(), problems.join("\n"));
        let scheme = checked.scheme.expect("a clean check yields a scheme");
        insta::with_settings!({ omit_expression => true, prepend_module_to_snapshot => false, snapshot_suffix => "" }, {
            insta::assert_snapshot!(format!("outline_{}", rel.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()), scheme.outline());
        });
    });
}
