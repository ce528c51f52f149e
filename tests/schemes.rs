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
