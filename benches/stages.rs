//! Each stage of kaohe on its own: `cargo bench`.
//!
//! - `check_10k_lines`: parse and check a generated scheme of about 10,000
//!   lines (target: under 100 ms).
//! - `municipal_*`: the 97 Taizhou departments (40 indicators, 4 quarters),
//!   stage by stage and as a whole (target: the whole process under 5 ms).
//! - `individuals_*`: the 150-person Qingdao example; national-scale runs are
//!   measured by `bench/compare` (see docs/performance.md).
//!
//! Timing lives here and never in `cargo test`.

use std::path::Path;

use kaohe::data::{self, LoadOptions};
use kaohe::source::SourceFile;
use kaohe::{check, eval, report};

fn main() {
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap_or_else(|e| panic!("{e}"));
    divan::main();
}

/// A scheme of about `lines` lines: one data table of 100 columns and a
/// three-level indicator tree (10 × 10 × n leaves), every leaf a formula.
fn generated_scheme(lines: usize) -> String {
    let mut s = String::from("scheme \"generated\" {\n    year 2013\n    full marks 100\n    round 2 half-up\n}\n");
    s.push_str("units 单位 { key 名称 }\ntable 单位 key 名称 {\n    名称: text\n");
    for c in 0..100 {
        s.push_str(&format!("    c{c}: number\n"));
    }
    s.push_str("}\n");
    // Each leaf takes 4 lines; 100 groups of leaves.
    let per_group = (lines / 4 / 100).max(1);
    let share = |n: usize, i: usize| {
        // Shares in whole percent that add up to 100: the last takes the rest.
        let base = 100 / n;
        if i + 1 == n { 100 - base * (n - 1) } else { base }
    };
    for a in 0..10 {
        s.push_str(&format!("indicator a{a} {}% {{\n", share(10, a)));
        for b in 0..10 {
            s.push_str(&format!("    indicator b{b} {}% {{\n", share(10, b)));
            for l in 0..per_group {
                let c = (a * 31 + b * 7 + l) % 100;
                s.push_str(&format!(
                    "        indicator l{l} {}% {{\n            score = min(c{c} / 80, 1) * 100\n        }}\n\n",
                    share(per_group, l)
                ));
            }
            s.push_str("    }\n");
        }
        s.push_str("}\n");
    }
    s.push_str("grades {\n    优秀 >= 90\n    合格 >= 60\n    不合格\n}\n");
    s
}

#[divan::bench(sample_count = 20)]
fn check_10k_lines(bencher: divan::Bencher) {
    let text = generated_scheme(10_000);
    assert!(text.lines().count() >= 9_000, "about 10,000 lines");
    bencher.bench(|| {
        let checked = check::check_source(SourceFile::new("generated.kh", text.as_str()));
        assert!(checked.scheme.is_some(), "{:?}", checked.diagnostics.first().map(|d| &d.message.en));
        checked
    });
}

fn checked(path: &str) -> kaohe::model::Scheme {
    check::check_path(Path::new(path), Path::new("rules")).scheme.unwrap_or_else(|| panic!("{path} checks"))
}

const MUNICIPAL: (&str, &str) = ("rules/taizhou_department.kh", "examples/taizhou_department");
const INDIVIDUALS: (&str, &str) = ("rules/qingdao_individual.kh", "examples/qingdao_individual");

#[divan::bench(args = [MUNICIPAL, INDIVIDUALS])]
fn parse_and_check(case: (&str, &str)) -> kaohe::model::Scheme {
    checked(case.0)
}

#[divan::bench(args = [MUNICIPAL, INDIVIDUALS])]
fn load(bencher: divan::Bencher, case: (&str, &str)) {
    let scheme = checked(case.0);
    bencher.bench(|| data::load(&scheme, Path::new(case.1), &LoadOptions::default()));
}

#[divan::bench(args = [MUNICIPAL, INDIVIDUALS])]
fn evaluate(bencher: divan::Bencher, case: (&str, &str)) {
    let scheme = checked(case.0);
    let (dataset, _) = data::load(&scheme, Path::new(case.1), &LoadOptions::default());
    bencher.bench(|| eval::evaluate(&scheme, &dataset));
}

#[divan::bench(args = [MUNICIPAL, INDIVIDUALS])]
fn write_csv(bencher: divan::Bencher, case: (&str, &str)) {
    let scheme = checked(case.0);
    let (dataset, _) = data::load(&scheme, Path::new(case.1), &LoadOptions::default());
    let (assessment, _) = eval::evaluate(&scheme, &dataset);
    bencher.bench(|| report::csv::render(&assessment));
}

/// Scheme file to CSV text, as `kaohe eval --format csv` does (without process start).
#[divan::bench(args = [MUNICIPAL, INDIVIDUALS])]
fn whole(case: (&str, &str)) -> String {
    let scheme = checked(case.0);
    let (dataset, _) = data::load(&scheme, Path::new(case.1), &LoadOptions::default());
    let (assessment, _) = eval::evaluate(&scheme, &dataset);
    report::csv::render(&assessment)
}
