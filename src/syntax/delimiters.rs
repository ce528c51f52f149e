//! The delimiter pass: brackets and strings, before the grammar sees the text.
//!
//! A missing `}` makes a PEG parser fail at the end of the file, far from the
//! mistake. This pass finds unbalanced brackets and unterminated strings first
//! and uses indentation to point at the line where a block was most likely
//! meant to close, the way a reader would. It also bounds nesting depth, so no
//! input can drive the recursive parser, lowering or checker deep enough to
//! exhaust the stack: the depth of brackets, and how many `如果` and `分段`
//! may be open at once (`Conditionals`).

use std::sync::Arc;

use crate::diagnostics::{Diagnostic, Diagnostics, codes};
use crate::source::{SourceFile, Span};
use crate::text;

/// Deepest bracket nesting accepted; real schemes stay below 12.
pub const MAX_DEPTH: usize = 40;

/// Most `如果` and `分段` open at once: as many as the operators one formula
/// may chain or nest (lowering's limit).
pub const MAX_CONDITIONALS: usize = 128;

#[derive(Clone, Copy)]
struct Open {
    ch: char,
    offset: usize,
    indent: usize,
    line: usize,
    /// First later line indented no deeper than this block's opening line.
    dedent: Option<usize>,
}

/// Checks brackets and strings; returns errors (and indentation warnings).
pub fn check(file: &Arc<SourceFile>) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let text = &*file.text;
    let mut stack: Vec<Open> = Vec::new();
    // Closed blocks that a later line was dedented out of: if braces end up
    // unbalanced, the first of these is where a `}` most likely went missing.
    let mut suspects: Vec<Open> = Vec::new();
    // Shown only when the brackets balance: otherwise they repeat the error.
    let mut warnings: Vec<Diagnostic> = Vec::new();
    let mut line = 0usize;
    let mut line_start = true;
    let mut indent = 0usize;
    let mut conditionals = Conditionals::for_text(text);
    let mut at = 0;
    loop {
        // Between a line's indentation and its end, only a few bytes matter
        // unless words are counted: the rest is passed over a byte at a time.
        if !line_start && !conditionals.active {
            at += text.as_bytes().get(at..).unwrap_or_default().iter().take_while(|&&b| !MAY_MATTER[usize::from(b)]).count();
        }
        let Some(c) = char_at(text, at) else { break };
        let i = at;
        at += c.len_utf8();
        if c == '\n' {
            line += 1;
            line_start = true;
            indent = 0;
            continue;
        }
        if line_start {
            match c {
                ' ' | '\r' => {
                    indent += 1;
                    continue;
                }
                '\t' => {
                    indent += 4;
                    continue;
                }
                '\u{3000}' => {
                    indent += 2;
                    continue;
                }
                _ => {
                    line_start = false;
                    if !is_close(c) && c != '#' {
                        if let Some(top) = stack.iter_mut().rev().find(|o| is_brace(o.ch)) {
                            if top.dedent.is_none() && line > top.line && indent <= top.indent {
                                top.dedent = Some(i);
                            }
                        }
                    }
                }
            }
        }
        match c {
            '#' => at = memchr::memchr(b'\n', text.as_bytes().get(at..).unwrap_or_default()).map_or(text.len(), |n| at + n),
            '"' | '“' => {
                let close = if c == '"' { '"' } else { '”' };
                let mut closed = false;
                while let Some(d) = char_at(text, at).filter(|&d| d != '\n') {
                    at += d.len_utf8();
                    if d == '\\' && c == '"' {
                        at += char_at(text, at).filter(|&e| e != '\n').map_or(0, char::len_utf8);
                    } else if d == close {
                        closed = true;
                        break;
                    }
                }
                conditionals.operand_ended();
                if !closed {
                    let end = text[i..].find('\n').map_or(text.len(), |n| i + n);
                    let end = if text[..end].ends_with('\r') { end - 1 } else { end };
                    diags.push(
                        Diagnostic::error(&codes::SYNTAX_UNTERMINATED_STRING, file, text!("unterminated string", "字符串缺少结束引号"))
                            .with_label(
                                Span::new(i, end),
                                text!("this string is not closed before the end of the line", "此字符串到行尾仍未结束"),
                            )
                            .with_help(text!(
                                "add the closing `{close}`; a string cannot span lines",
                                "补上结束引号 `{close}`;字符串不能跨行"
                            )),
                    );
                }
            }
            c if is_open(c) => {
                if stack.len() >= MAX_DEPTH {
                    diags.push(
                        Diagnostic::error(
                            &codes::SYNTAX_TOO_DEEP,
                            file,
                            text!("brackets nest more than {MAX_DEPTH} levels deep", "括号嵌套超过 {MAX_DEPTH} 层"),
                        )
                        .with_label(Span::new(i, i + c.len_utf8()), text!("too deep here", "此处嵌套过深"))
                        .with_help(text!("split the formula into parameters or sub-indicators", "把公式拆成参数或下级指标")),
                    );
                    return diags;
                }
                stack.push(Open { ch: c, offset: i, indent, line, dedent: None });
                conditionals.bracket_opened();
            }
            c if is_close(c) => {
                conditionals.bracket_closed();
                let here = Span::new(i, i + c.len_utf8());
                match stack.pop() {
                    None => diags.push(
                        Diagnostic::error(&codes::SYNTAX_UNMATCHED_CLOSE, file, text!("`{c}` closes nothing", "`{c}` 没有对应的开括号"))
                            .with_label(here, text!("no open bracket to close here", "此处没有需要闭合的括号"))
                            .with_help(text!("remove it, or add the opening bracket it belongs to", "删除它,或补上对应的开括号")),
                    ),
                    Some(open) if partner(open.ch) != Some(ascii_close(c)) => {
                        let want = partner(open.ch).unwrap_or('}');
                        let opened = open.ch;
                        diags.push(
                            Diagnostic::error(
                                &codes::SYNTAX_MISMATCHED,
                                file,
                                text!("`{opened}` is closed by `{c}`", "`{opened}` 被 `{c}` 闭合"),
                            )
                            .with_label(here, text!("expected `{want}` here", "此处应为 `{want}`"))
                            .with_note(Span::new(open.offset, open.offset + opened.len_utf8()), text!("opened here", "在此打开"))
                            .with_help(text!("close `{opened}` with `{want}`", "用 `{want}` 闭合 `{opened}`")),
                        );
                    }
                    Some(open) => {
                        if open.dedent.is_some() {
                            suspects.push(open);
                        }
                        if is_brace(c) && line > open.line && first_on_line(text, i) {
                            let col = indent;
                            if col != open.indent {
                                let mut warning = Diagnostic::warning(
                                    &codes::SYNTAX_INDENTATION,
                                    file,
                                    text!(
                                        "this `}}` is indented differently from the line that opened its block",
                                        "此 `}}` 与其块的起始行缩进不一致"
                                    ),
                                )
                                .with_label(here, {
                                    let opened_line = open.line + 1;
                                    text!("closes the block opened on line {opened_line}", "闭合第 {opened_line} 行打开的块")
                                })
                                .with_note(Span::new(open.offset, open.offset + c.len_utf8()), text!("this block", "此块"))
                                .with_help(text!(
                                    "check which block this `}}` closes: a brace is probably missing or extra nearby, and the errors reported after this warning may follow from it",
                                        "检查此 `}}` 闭合的是哪个块:附近可能缺少或多了括号,此警告之后报告的错误可能由此引起"
                                ));
                                if let Some(at) = open.dedent {
                                    let end = text[at..].find(['\n', '\r']).map_or(text.len(), |n| at + n);
                                    warning = warning.with_note(
                                        Span::new(at, end),
                                        text!(
                                            "this line is indented like the block's first line: is a `}}` missing before it?",
                                            "此行与块的首行缩进相同:它之前是否缺少 `}}`?"
                                        ),
                                    );
                                }
                                warnings.push(warning);
                            }
                        }
                    }
                }
            }
            c if conditionals.active && is_word_char(c) => {
                while let Some(d) = char_at(text, at).filter(|&d| is_word_char(d)) {
                    at += d.len_utf8();
                }
                let end = at;
                if !conditionals.word(&text[i..end]) {
                    diags.push(conditionals.too_many(file, Span::new(i, end)));
                    return diags;
                }
            }
            ',' | '，' | '、' => conditionals.comma(),
            '%' | '％' => conditionals.operand_ended(),
            ' ' | '\t' | '\r' | '\u{3000}' | '\u{FEFF}' => {}
            _ => conditionals.symbol(),
        }
    }
    // An unterminated string hides the brackets after it on its line, so
    // bracket errors would only repeat it.
    if diags.iter().any(|d| d.code == &codes::SYNTAX_UNTERMINATED_STRING) {
        let mut only = Diagnostics::new();
        for d in diags.iter().filter(|d| d.code == &codes::SYNTAX_UNTERMINATED_STRING) {
            only.push(d.clone());
        }
        return only;
    }
    let unclosed_brace = stack.iter().any(|o| is_brace(o.ch));
    for open in stack.iter().rev() {
        if let (true, Some(suspect), true) = (is_brace(open.ch), suspects.first(), unclosed_brace) {
            let at = suspect.dedent.unwrap_or(suspect.offset);
            let end = text[at..].find(['\n', '\r']).map_or(text.len(), |n| at + n);
            let line_no = file.line_col(suspect.offset).0;
            diags.push(
                Diagnostic::error(
                    &codes::SYNTAX_UNCLOSED,
                    file,
                    text!("the block opened on line {line_no} is probably not closed", "第 {line_no} 行打开的块可能没有闭合"),
                )
                .with_label(Span::new(suspect.offset, suspect.offset + suspect.ch.len_utf8()), text!("this block", "此块"))
                .with_note(
                    Span::new(at, end),
                    text!(
                        "a `}}` is probably missing before this line: it is indented like the block's first line",
                        "此行之前可能缺少 `}}`:它与块的首行缩进相同"
                    ),
                )
                .with_note(
                    Span::new(open.offset, open.offset + open.ch.len_utf8()),
                    text!("so this `{{` is still open at the end of the file", "因此这个 `{{` 到文件结尾仍未闭合"),
                )
                .with_help(text!("add `}}` at the end of the block", "在块的末尾补上 `}}`")),
            );
            break;
        }
        let want = partner(open.ch).unwrap_or('}');
        let opened = open.ch;
        let mut d = Diagnostic::error(&codes::SYNTAX_UNCLOSED, file, text!("`{opened}` is never closed", "`{opened}` 没有闭合"))
            .with_label(Span::new(open.offset, open.offset + opened.len_utf8()), text!("opened here", "在此打开"));
        if let Some(at) = open.dedent {
            let end = text[at..].find(['\n', '\r']).map_or(text.len(), |n| at + n);
            d = d.with_note(
                Span::new(at, end),
                text!(
                    "a `{want}` is probably missing before this line: it is indented like the block's first line",
                    "此行之前可能缺少 `{want}`:它与块的首行缩进相同"
                ),
            );
        }
        diags.push(d.with_help(text!("add the matching `{want}`", "补上对应的 `{want}`")));
    }
    if !diags.has_errors() {
        for warning in warnings {
            diags.push(warning);
        }
    }
    diags
}

/// The `如果` and `分段` that may be open where the pass has got to, at
/// each bracket level.
///
/// The grammar reads an `if`'s condition and branches, and a `piecewise`'s
/// subject, as whole expressions: `否则 如果 …` and `分段 分段 x {…} {…}` nest
/// without brackets, so the parser's recursion is bounded only by counting
/// them. The count of a level starts again wherever every expression of
/// that level has ended: at a comma of the level (no expression holds one)
/// and where a name or number follows an operand (`… 否则 0` then `参数 b`:
/// no expression holds two operands side by side). A reserved word or a
/// duration's unit after an operand can carry an expression on (`且`, `否则`,
/// `30 天`), so there the count goes on.
struct Conditionals {
    /// Whether counting can find too many: not in a text holding
    /// [`MAX_CONDITIONALS`] of these keywords or fewer, nearly every scheme.
    active: bool,
    /// The keywords counted since each level's count last started again:
    /// the text outside brackets first, then each open bracket.
    levels: Vec<usize>,
    /// Their sum: how many `如果` and `分段` the parser may be inside here.
    open: usize,
    /// Whether the last token ended an operand: a name, number, string,
    /// `%` or closing bracket.
    after_operand: bool,
}

/// The keywords whose expressions nest without brackets.
const NESTING: [&str; 4] = ["如果", "分段", "if", "piecewise"];

/// The grammar's reserved words (`reserved` in `grammar/kaohe.pest`) that
/// an operand follows.
#[rustfmt::skip]
const AWAITING_OPERAND: [&str; 23] = [
    "when", "where", "and", "or", "not", "in", "if", "then", "else", "piecewise",
    "且", "其中", "分段", "则", "否则", "如果", "属于", "并且", "当", "或者", "或", "那么", "非",
];

/// The grammar's other reserved words: operands themselves.
const OPERAND_WORDS: [&str; 8] = ["total", "true", "false", "null", "否", "总分", "是", "空"];

/// A duration's units (`kw_day`).
const UNITS: [&str; 4] = ["天", "日", "days", "day"];

/// The last bytes of the words above.
const KEYWORD_ENDS: [bool; 256] = {
    let mut table = [false; 256];
    let lists: [&[&str]; 4] = [&NESTING, &AWAITING_OPERAND, &OPERAND_WORDS, &UNITS];
    let mut l = 0;
    while l < lists.len() {
        let mut w = 0;
        while w < lists[l].len() {
            let bytes = lists[l][w].as_bytes();
            table[bytes[bytes.len() - 1] as usize] = true;
            w += 1;
        }
        l += 1;
    }
    table
};

impl Conditionals {
    fn for_text(text: &str) -> Self {
        // Each keyword counted is one of these found in the text.
        let found: usize = NESTING.iter().map(|k| memchr::memmem::find_iter(text.as_bytes(), k).count()).sum();
        Conditionals { active: found > MAX_CONDITIONALS, levels: vec![0], open: 0, after_operand: false }
    }

    fn bracket_opened(&mut self) {
        self.levels.push(0);
        self.after_operand = false;
    }

    fn bracket_closed(&mut self) {
        // The text outside brackets is never closed (a stray bracket is reported as such).
        if self.levels.len() > 1 {
            self.open -= self.levels.pop().unwrap_or(0);
        }
        self.after_operand = true;
    }

    fn comma(&mut self) {
        self.start_again();
        self.after_operand = false;
    }

    fn operand_ended(&mut self) {
        self.after_operand = true;
    }

    fn symbol(&mut self) {
        self.after_operand = false;
    }

    /// A word (a name, number or keyword, as far as [`is_word_char`]
    /// reaches); false once more than [`MAX_CONDITIONALS`] are open.
    fn word(&mut self, word: &str) -> bool {
        // Most words end in a byte no keyword ends in: neither one nor like one.
        let keyword_like = word.as_bytes().last().is_some_and(|&b| KEYWORD_ENDS[usize::from(b)]);
        // A reserved word or a unit may carry the expression on.
        let continuing = |words: &[&str]| keyword_like && words.contains(&word);
        if self.after_operand && !continuing(&AWAITING_OPERAND) && !continuing(&OPERAND_WORDS) && !continuing(&UNITS) {
            self.start_again();
        }
        // A keyword ends a word: inside one, the grammar reads a longer name.
        // A name ending like one (`3否则`, `x否则`) is taken for it: it may be one.
        let ends_like = |words: &[&str]| keyword_like && words.iter().any(|k| word.ends_with(k));
        if ends_like(&NESTING) {
            if let Some(level) = self.levels.last_mut() {
                *level += 1;
            }
            self.open += 1;
        }
        self.after_operand = !ends_like(&AWAITING_OPERAND);
        self.open <= MAX_CONDITIONALS
    }

    fn start_again(&mut self) {
        if let Some(level) = self.levels.last_mut() {
            self.open -= *level;
            *level = 0;
        }
    }

    fn too_many(&self, file: &Arc<SourceFile>, at: Span) -> Diagnostic {
        Diagnostic::error(
            &codes::SYNTAX_TOO_DEEP,
            file,
            text!(
                "`如果` / `分段` nest more than {MAX_CONDITIONALS} deep in this formula",
                "此公式中 `如果` / `分段` 嵌套超过 {MAX_CONDITIONALS} 层"
            ),
        )
        .with_label(at, text!("too deep here", "此处嵌套过深"))
        .with_help(text!("split the formula into parameters or sub-indicators", "把公式拆成参数或下级指标"))
    }
}

/// The character starting at byte `at` (none at the end, or inside a character).
fn char_at(text: &str, at: usize) -> Option<char> {
    match *text.as_bytes().get(at)? {
        b if b.is_ascii() => Some(char::from(b)),
        _ => text.get(at..)?.chars().next(),
    }
}

/// The bytes that may begin something the pass reads, outside a line's
/// indentation and with words not counted: a line break, a comment, a
/// string, an ASCII bracket, and the first byte of `“` and of the
/// full-width brackets (`｛｝（）【】`). Every other byte is passed over.
/// UTF-8 never puts an ASCII byte or a first byte inside a character, so
/// the pass stops only where a character starts.
const MAY_MATTER: [bool; 256] = {
    let mut table = [false; 256];
    let bytes = b"\n#\"{}()[]";
    let mut k = 0;
    while k < bytes.len() {
        table[bytes[k] as usize] = true;
        k += 1;
    }
    // '“' starts with 0xE2, '【' and '】' with 0xE3, the full-width braces and parentheses with 0xEF.
    table[0xE2] = true;
    table[0xE3] = true;
    table[0xEF] = true;
    table
};

/// A character of a word as [`Conditionals`] reads one: ASCII letters,
/// digits and `_`, and CJK ideographs. Every one continues a name in the
/// grammar (`XID_CONTINUE`), so no keyword ends inside such a word.
fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}')
}

fn is_open(c: char) -> bool {
    matches!(c, '{' | '(' | '[' | '｛' | '（' | '【')
}

fn is_close(c: char) -> bool {
    matches!(c, '}' | ')' | ']' | '｝' | '）' | '】')
}

fn is_brace(c: char) -> bool {
    matches!(c, '{' | '}' | '｛' | '｝')
}

/// The closing bracket of an opening one; ASCII and full-width close each other.
fn partner(open: char) -> Option<char> {
    match open {
        '{' | '｛' => Some('}'),
        '(' | '（' => Some(')'),
        '[' | '【' => Some(']'),
        _ => None,
    }
}

fn ascii_close(c: char) -> char {
    match c {
        '｝' => '}',
        '）' => ')',
        '】' => ']',
        c => c,
    }
}

fn first_on_line(text: &str, at: usize) -> bool {
    let start = text[..at].rfind('\n').map_or(0, |n| n + 1);
    text[start..at].chars().all(|c| matches!(c, ' ' | '\t' | '\u{3000}' | '\r'))
}

#[cfg(test)]
mod tests {
    use super::{AWAITING_OPERAND, MAX_CONDITIONALS, NESTING, OPERAND_WORDS, UNITS, check};
    use crate::source::SourceFile;

    /// Each diagnostic's code and labels, for comparing two passes.
    fn findings(text: &str) -> Vec<String> {
        let file = SourceFile::new("t.kh", text);
        check(&file).iter().map(|d| format!("{} {:?}", d.code.id, d.labels)).collect()
    }

    // Where words are not counted, the pass passes over most bytes without
    // reading them as characters. A comment holding more than
    // `MAX_CONDITIONALS` keywords makes it count words and read every
    // character, and changes nothing else: both must find the same.
    #[test]
    fn passing_over_plain_bytes_finds_what_reading_every_character_finds() {
        let counted = format!("\n# {}\n", "如果 ".repeat(MAX_CONDITIONALS + 1));
        let (mismatched, unmatched, unclosed) = ("mismatched", "unmatched_close", "unclosed");
        let cases: [(&str, &[&str]); 9] = [
            ("指标 甲 {\n  得分 = (1 + 2]\n}\n", &[mismatched]),
            ("指标 甲（权重 10）｛\n  得分 = 【1，2】\n｝\n", &[]),
            ("指标 甲 {\n  说明 \"括号 ( 在字符串里\"  # 行尾注释里的 { 不算\n  # 注释行里的 ( 也不算\n}\n", &[]),
            ("指标 甲 {\n  说明 “全角引号里的 ｛ 不算”\n  得分 = 1)\n}\n", &[mismatched, unmatched]),
            ("指标 甲 {\n  说明 \"没有结束\n}\n", &["unterminated_string"]),
            ("指标 甲 {\n  说明 \"转义的 \\\" 引号 {\"\n  指标 乙 {\n    得分 = 1\n指标 丙 {\n}\n", &[unclosed, unclosed]),
            ("指标 甲 {\r\n\t得分 = 如果 x 则 (1 否则 2\r\n}\r\n", &[mismatched, unclosed]),
            ("　指标 甲 {\n　　得分 = 1\n    }\n", &["indentation"]),
            ("指标 甲 {\n  得分 = 1 ％ 】\n}\n", &[mismatched, unmatched]),
        ];
        for (text, codes) in cases {
            let found = findings(text);
            let found_codes: Vec<&str> =
                found.iter().map(|f| f.split(' ').next().unwrap_or("").trim_start_matches("kaohe::syntax::")).collect();
            assert_eq!(found_codes, codes, "{text:?}");
            assert_eq!(found, findings(&format!("{text}{counted}")), "{text:?}");
        }
    }

    /// The quoted words of the grammar's rules whose names start with one of `rules`.
    fn grammar_words(rules: &[&str]) -> Vec<String> {
        let grammar = include_str!("../../grammar/kaohe.pest");
        let mut words: Vec<String> = grammar
            .lines()
            .filter(|line| rules.iter().any(|rule| line.starts_with(&format!("{rule} "))))
            .flat_map(|line| line.split('"').skip(1).step_by(2).map(str::to_string).collect::<Vec<_>>())
            .collect();
        words.sort();
        words
    }

    fn sorted(words: &[&str]) -> Vec<String> {
        let mut words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        words.sort();
        words
    }

    // The bound on `如果` / `分段` holds only while these lists are the
    // grammar's: a reserved word missing here would start a count again
    // inside an expression.
    #[test]
    fn the_words_counted_are_the_grammars() {
        let reserved = grammar_words(&["reserved_ascii", "reserved_cjk_low", "reserved_cjk_high"]);
        assert_eq!(sorted(&[AWAITING_OPERAND.as_slice(), OPERAND_WORDS.as_slice()].concat()), reserved);
        assert_eq!(sorted(&UNITS), grammar_words(&["kw_day"]));
        assert_eq!(sorted(&NESTING), grammar_words(&["kw_if", "kw_piecewise"]));
    }
}
