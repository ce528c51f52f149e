//! No input makes the parser or checker panic or overflow the stack.
//!
//! Thousands of random mutations of real schemes (`rules/`, `tests/check/`)
//! go through parse + check; each must end in a scheme or in diagnostics.
//! The mutations are seeded, so a failure reproduces. Runs on a thread with a
//! small stack on purpose: deep recursion must be bounded by kaohe itself.

use std::path::PathBuf;

use kaohe::check::check_source;
use kaohe::source::SourceFile;

/// A small deterministic generator (xorshift64*), so runs repeat exactly.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Pieces that are likely to break something interesting.
const PIECES: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "\"",
    "“",
    "%",
    "=",
    "=>",
    ",",
    ".",
    "#",
    "\n",
    " ",
    "-",
    "*",
    "/",
    ">=",
    "0",
    "1.5.2",
    "99999999999999999999999999999999",
    "2013-02-30",
    "指标",
    "得分",
    "扣分",
    "加分",
    "等次",
    "排名",
    "当",
    "where",
    "如果",
    "则",
    "否则",
    "分段",
    "总分",
    "每组",
    "按季度",
    "各",
    "销除",
    "覆盖",
    "删除",
    "沿用 \"x.kh\"",
    "一票否决",
    "测试",
    "期望",
    "数据",
    "min(",
    "count(",
    "rank(",
    "天",
    "是",
    "空",
    "（",
    "）",
    "，",
    "：",
];

fn corpus() -> Vec<(String, String)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in ["rules", "tests/check"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else { continue };
        let mut paths: Vec<PathBuf> =
            entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|e| e == "kh")).collect();
        paths.sort();
        for p in paths {
            if let Ok(text) = std::fs::read_to_string(&p) {
                out.push((p.display().to_string(), text));
            }
        }
    }
    assert!(!out.is_empty(), "no schemes to mutate");
    out
}

fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(chars.len() + 1);
        match rng.below(4) {
            0 if !chars.is_empty() => {
                let len = 1 + rng.below(8);
                let end = (at + len).min(chars.len());
                chars.drain(at.min(chars.len())..end);
            }
            1 => {
                let piece = PIECES[rng.below(PIECES.len())];
                for (i, c) in piece.chars().enumerate() {
                    chars.insert((at + i).min(chars.len()), c);
                }
            }
            2 if chars.len() > 2 => {
                // Duplicate a slice: repeats clauses, names and braces.
                let start = rng.below(chars.len());
                let end = (start + 1 + rng.below(40)).min(chars.len());
                let slice: Vec<char> = chars[start..end].to_vec();
                let at = at.min(chars.len());
                chars.splice(at..at, slice);
            }
            _ if !chars.is_empty() => {
                let i = at.min(chars.len() - 1);
                chars[i] = PIECES[rng.below(PIECES.len())].chars().next().unwrap_or('x');
            }
            _ => {}
        }
    }
    chars.into_iter().collect()
}

/// A scheme whose one indicator is scored by `formula`.
fn in_formula(formula: &str) -> String {
    format!("方案 \"x\" {{ 年度 2013 }}\n指标 a 100% {{ 得分 = {formula} }}")
}

#[expect(clippy::expect_used, reason = "a test that cannot start its thread must fail")]
fn run_small_stack(f: impl FnOnce() + Send + 'static) {
    let handle = std::thread::Builder::new().stack_size(2 * 1024 * 1024).spawn(f).expect("spawn test thread");
    if let Err(panic) = handle.join() {
        std::panic::resume_unwind(panic);
    }
}

#[test]
fn random_mutations_never_panic() {
    run_small_stack(|| {
        let corpus = corpus();
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let rounds = 3000;
        for round in 0..rounds {
            let (name, text) = &corpus[rng.below(corpus.len())];
            let mutated = mutate(text, &mut rng);
            let file = SourceFile::new(format!("{name}#{round}"), mutated.clone());
            let checked = check_source(file);
            // Either a scheme or at least one diagnostic explains why not.
            assert!(
                checked.scheme.is_some() || !checked.diagnostics.is_empty(),
                "round {round}: no scheme and no diagnostic for:\n{mutated}"
            );
            for d in &checked.diagnostics {
                // Every diagnostic can be rendered, in both languages.
                let _ = kaohe::diagnostics::render(d, kaohe::diagnostics::Lang::En, false, None);
                let _ = kaohe::diagnostics::render(d, kaohe::diagnostics::Lang::Zh, false, None);
            }
        }
    });
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    run_small_stack(|| {
        let cases = [
            in_formula(&format!("{}1{}", "(".repeat(5000), ")".repeat(5000))),
            format!("方案 \"x\" {{ 年度 2013 }}\n{}", "指标 a 100% {\n".repeat(3000)),
            in_formula(&format!("1{}", " + 1".repeat(20000))),
            in_formula(&format!("{}1", "- ".repeat(20000))),
            in_formula(&format!("{}1", "非 ".repeat(20000))),
            in_formula(&format!("{}1{}", "[".repeat(5000), "]".repeat(5000))),
            "}".repeat(10000),
            "\"".repeat(10001),
            in_formula(&format!("如果 {} 1", "如果 是 则 1 否则 ".repeat(3000))),
            // A piecewise's subject nests without brackets: its blocks follow one another.
            in_formula(&format!("{}1 {}", "分段 ".repeat(3000), "{ 否则 => 1 } ".repeat(3000))),
            // None of these ends the formula, so none starts the count of `如果` again:
            // a line break, a name after `否则`, an operator, a duration's unit.
            in_formula(&format!("{}1", "如果 是 则 1 否则\n".repeat(3000))),
            in_formula(&format!("{}1", "如果 是 则 1 否则 参数 + ".repeat(3000))),
            in_formula(&format!("{}1", "如果 是 则 1 否则 30 天 + ".repeat(3000))),
            // `1且` is `1 且`: it leaves the formula open, so the name after it does too.
            in_formula(&format!("{}1", "如果 是 则 1 否则 1且 x 或 ".repeat(3000))),
        ];
        for (i, text) in cases.into_iter().enumerate() {
            let checked = check_source(SourceFile::new(format!("deep{i}.kh"), text));
            assert!(checked.scheme.is_none(), "case {i} should be rejected");
            assert!(!checked.diagnostics.is_empty(), "case {i} gave no diagnostic");
        }
    });
}

#[test]
fn the_deepest_nesting_accepted_fits_a_small_stack() {
    run_small_stack(|| {
        // 128 `如果` in a chain, and 117 inside 39 parentheses: the most the
        // delimiter pass lets through, which the parser must then read.
        let cases = [
            in_formula(&format!("{}1", "如果 是 则 1 否则 ".repeat(128))),
            in_formula(&format!("{}1{}", "(如果 是 则 1 否则 如果 是 则 1 否则 如果 是 则 1 否则 ".repeat(39), ")".repeat(39))),
        ];
        for (i, text) in cases.into_iter().enumerate() {
            let checked = check_source(SourceFile::new(format!("deepest{i}.kh"), text));
            assert!(checked.scheme.is_some() || !checked.diagnostics.is_empty(), "case {i}");
            let guarded = checked.diagnostics.iter().any(|d| d.message.en.contains("nest more than"));
            assert!(!guarded, "case {i} should reach the parser");
        }
    });
}

#[test]
fn random_chains_of_conditionals_end_in_a_scheme_or_diagnostics() {
    // Pieces that keep a formula open (each `如果` / `分段` nests inside the
    // one before), try to make the delimiter pass count again without
    // ending the formula, or do end it: the count must hold whatever the
    // mix. Most texts are broken, and some sent pest backtracking for
    // minutes before it had a call budget (`syntax::parse_within_budget`).
    const OPEN: &[&str] = &["如果 x 则 1 否则 ", "如果 如果 x 则 y 否则 z 则 1 否则 ", "分段 ", "(如果 x 则 1 否则 "];
    const GOING_ON: &[&str] = &["x + ", "1且 x 或 ", "30 天 + ", "参数 + ", "\n", "# 注释\n", "“文字” + ", "5% * ", "非 ", "min(1, 2) + "];
    const ENDING: &[&str] = &["0\n参数 p = ", "0\n扣分 c { 扣 1 当 是 }\n参数 q = ", "1 }\n指标 b 10% { 得分 = "];
    run_small_stack(|| {
        let mut rng = Rng(0x5EED_1F5E_C0DE_0001);
        for round in 0..200 {
            let (mut text, mut parens, mut pieces) = (String::from("指标 a 90% { 得分 = "), 0usize, 0usize);
            for _ in 0..rng.below(800) {
                let piece = match rng.below(10) {
                    0..=3 => OPEN[rng.below(OPEN.len())],
                    4..=7 => GOING_ON[rng.below(GOING_ON.len())],
                    _ => ENDING[rng.below(ENDING.len())],
                };
                // Parentheses stay under the bracket limit and are closed
                // at the end; a piecewise gets its pieces there too.
                if piece.starts_with('(') && parens >= 30 || ENDING.contains(&piece) && parens > 0 {
                    continue;
                }
                parens += usize::from(piece.starts_with('('));
                pieces += usize::from(piece == "分段 ");
                text.push_str(piece);
            }
            text.push('1');
            text.push_str(&")".repeat(parens));
            text.push_str(&" { 否则 => 1 }".repeat(pieces.min(1000)));
            text.push_str(" }\n等次 { 合格 >= 0 }\n");
            let checked = check_source(SourceFile::new(format!("chain{round}.kh"), text));
            assert!(checked.scheme.is_some() || !checked.diagnostics.is_empty(), "round {round}");
        }
    });
}
