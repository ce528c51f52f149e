//! The README's examples are run, so they cannot rot: every ```kh block
//! checks clean, and the Chinese and English tour schemes are twins (the
//! same checked outline).

use kaohe::check::check_source;
use kaohe::source::SourceFile;

fn kh_blocks() -> Vec<String> {
    let readme = include_str!("../README.md");
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in readme.lines() {
        match (&mut current, line.trim_start()) {
            (None, l) if l.starts_with("```kh") => current = Some(String::new()),
            (Some(block), l) if l.starts_with("```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

#[test]
fn readme_schemes_check_clean_and_the_twins_agree() {
    let blocks = kh_blocks();
    assert_eq!(blocks.len(), 2, "the tour has a Chinese scheme and its English twin");
    let outlines: Vec<String> = blocks
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let checked = check_source(SourceFile::new(format!("README block {i}"), text.clone()));
            let shown: Vec<String> =
                checked.diagnostics.iter().map(|d| kaohe::diagnostics::render(d, kaohe::diagnostics::Lang::En, false, None)).collect();
            assert!(shown.is_empty(), "README block {i} is not clean:\n{}", shown.join("\n"));
            checked.scheme.expect("clean scheme").outline()
        })
        .collect();
    assert_eq!(outlines[0], outlines[1], "the English twin differs from the Chinese scheme");
}
