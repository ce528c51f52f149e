//! `syntax`: scheme text → [`ast::File`], with every syntax error of the file.
//!
//! Three steps: the delimiter pass ([`delimiters`]) checks brackets and
//! strings; the pest grammar (`grammar/kaohe.pest`) parses with recovery, so
//! a broken line becomes a `bad_item` / `bad_clause` instead of ending the
//! parse; lowering (`lower`) builds the AST and re-parses each broken piece
//! with the strict rule for its place to say what was expected there, in
//! words from [`rule_name`] — never a pest rule name.

pub mod delimiters;
mod lower;
pub mod rule_name;

use std::sync::Arc;

use pest::Parser;
use pest::error::{ErrorVariant, InputLocation};

use crate::ast;
use crate::diagnostics::{Diagnostic, Diagnostics, Text, codes};
use crate::source::{SourceFile, Span};
use crate::suggest::did_you_mean;
use crate::text;

pub use parser::{Rule, SchemeParser};

mod parser {
    #![expect(missing_docs, reason = "pest generates a variant per rule; the grammar documents them")]
    /// The pest parser generated from `grammar/kaohe.pest`.
    #[derive(pest_derive::Parser)]
    #[grammar = "grammar/kaohe.pest"]
    pub struct SchemeParser;
}

/// Whether a parse reads the scheme's tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tests {
    /// Parsed and lowered (`kaohe check`, `kaohe test`).
    Read,
    /// Passed over unparsed, with the removals of tests: evaluating a scheme
    /// does not run them, and they are about a third of its text.
    Unread,
}

/// Parses one file; the AST holds every part that could be read.
pub fn parse(file: &Arc<SourceFile>, tests: Tests) -> (ast::File, Diagnostics) {
    let mut diags = delimiters::check(file);
    if diags.has_errors() {
        return (ast::File::default(), diags);
    }
    let rule = match tests {
        Tests::Read => Rule::file,
        Tests::Unread => Rule::file_without_tests,
    };
    match parse_within_budget(rule, &file.text) {
        Ok(mut pairs) => {
            let (mut tree, found) = match pairs.next() {
                Some(pair) => lower::lower_file(pair, file),
                None => (ast::File::default(), Diagnostics::new()),
            };
            if tests == Tests::Unread {
                tree.items.retain(|item| !matches!(item, ast::Item::Remove(r) if r.kind == ast::RemoveKind::Test));
            }
            diags.extend(found);
            (tree, diags)
        }
        Err(error) => {
            diags.push(pest_error(file, &error, 0, Rule::file));
            (ast::File::default(), diags)
        }
    }
}

/// Re-parses one broken piece (`start..end`) with the strict rule for its
/// place and explains the failure. When the piece continues a clause that
/// ended on the same line (`continues`), that clause probably stopped early
/// (`得分 = min(1.2.3)` reads as `得分 = min` + junk), so the clause and the
/// piece are re-parsed together first.
fn strict_error(file: &Arc<SourceFile>, rule: Rule, start: usize, end: usize, continues: Option<usize>) -> Diagnostic {
    pest::set_error_detail(true);
    if let Some(clause_start) = continues {
        if let Err(error) = strict_parse(file, rule, clause_start, end) {
            if error_offset(&error, clause_start) != start {
                return pest_error(file, &error, clause_start, rule);
            }
        }
        let mut d = strict_error(file, rule, start, end, None);
        let special = d.help.as_ref().is_some_and(|h| h.en.contains("bare number"));
        if !special && d.code == &codes::SYNTAX_UNKNOWN_KEYWORD {
            d.help = Some(text!(
                "this follows a complete clause on the same line: check the order of that clause's parts (see docs/language.md)",
                "此处紧跟在同一行的完整子句之后:请检查该子句各部分的顺序(参见 docs/language.md)"
            ));
        }
        return d;
    }
    match strict_parse(file, rule, start, end) {
        Err(error) => pest_error(file, &error, start, rule),
        Ok(()) => Diagnostic::error(&codes::SYNTAX_UNEXPECTED, file, text!("this line cannot be read here", "此处无法识别这一行"))
            .with_label(Span::new(start, end), text!("not expected at this place", "不应出现在此处"))
            .with_help(text!(
                "check that the line belongs in this block and that clauses come in the documented order",
                "检查此行是否属于这个块,以及子句顺序是否正确"
            )),
    }
}

fn strict_parse(file: &Arc<SourceFile>, rule: Rule, start: usize, end: usize) -> Result<(), pest::error::Error<Rule>> {
    let piece = file.text.get(start..end).unwrap_or("");
    parse_within_budget(rule, piece).map(|_| ())
}

/// Rule calls pest may make for each byte of a text, and for any text:
/// about 15 times what real schemes take (3 to 12 a byte). pest does not
/// remember what it parsed, so in broken text a formula that fails inside
/// (`… 否则 x + (如果 y + …` without its `则`) is tried again at each
/// level of `如果` around it, and failures nested in one another multiply:
/// a 2.5 KB text took minutes. Within the budget it is refused at once.
const CALLS_PER_BYTE: usize = 200;
const CALLS_AT_LEAST: usize = 100_000;

/// Parses `text` as `rule`, giving up past the call budget for its length.
fn parse_within_budget(rule: Rule, text: &str) -> Result<pest::iterators::Pairs<'_, Rule>, pest::error::Error<Rule>> {
    // pest's call limit is one setting for the process: a parse on another
    // thread (tests, an editor) waits for this one.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    pest::set_call_limit(std::num::NonZeroUsize::new(text.len().saturating_mul(CALLS_PER_BYTE).saturating_add(CALLS_AT_LEAST)));
    SchemeParser::parse(rule, text)
}

/// The keywords that can begin a piece parsed by a strict rule.
fn clause_keywords(rule: Rule) -> &'static [Rule] {
    use Rule::*;
    match rule {
        item_only => &[
            kw_scheme,
            kw_extends,
            kw_units,
            kw_table,
            kw_param,
            kw_indicator,
            kw_deduct,
            kw_bonus,
            kw_veto,
            kw_grade,
            kw_rank,
            kw_test,
            kw_override,
            kw_remove,
        ],
        header_clause_only => &[kw_source, kw_year, kw_full_marks, kw_round, kw_total, kw_bonus, kw_deduct, kw_note],
        units_clause_only => &[kw_key, kw_group, kw_label],
        indicator_clause_only => &[
            kw_indicator,
            kw_score,
            kw_quarterly,
            kw_monthly,
            kw_half_yearly,
            kw_applies,
            kw_full_marks,
            kw_floor,
            kw_deduct,
            kw_source,
            kw_note,
        ],
        deduction_clause_only => &[kw_each_row, kw_deduct_verb, kw_cap, kw_until_zero, kw_expunge, kw_zero, kw_source, kw_note],
        bonus_clause_only => &[kw_each_row, kw_add, kw_cap, kw_highest_only, kw_source, kw_note],
        veto_effect_only => &[kw_grade, kw_total, kw_no_award, kw_source, kw_note],
        test_clause_only => &[kw_data, kw_expect],
        _ => &[],
    }
}

/// Where a pest error points, in the whole file.
fn error_offset(error: &pest::error::Error<Rule>, offset: usize) -> usize {
    offset
        + match error.location {
            InputLocation::Pos(p) => p,
            InputLocation::Span((s, _)) => s,
        }
}

/// Turns a pest error into our diagnostic: what was expected, in words.
/// `rule` is the strict rule that failed (`file` for the whole file).
fn pest_error(file: &Arc<SourceFile>, error: &pest::error::Error<Rule>, offset: usize, rule: Rule) -> Diagnostic {
    let at = error_offset(error, offset);
    let found = found_token(&file.text, at);
    if at == offset && rule == Rule::bonus_clause_only && matches!(found.text.as_str(), "expunge" | "销除") {
        let word = &found.text;
        return Diagnostic::error(
            &codes::DEDUCTION_EXPUNGE,
            file,
            text!("bonuses are not cancelled after rectification", "加分没有整改销除"),
        )
        .with_label(found.span, text!("`{word}` only belongs in a deduction", "`{word}` 只能用于扣分"))
        .with_help(text!(
            "move it into a deduction (`deduct ... {{ ... expunge 50% when ... }}` / `扣分 ... {{ ... 销除 50% 当 ... }}`)",
            "把它移到扣分块中(`扣分 ... {{ ... 销除 50% 当 ... }}`)"
        ));
    }
    if at == offset && found.is_word {
        let keywords: Vec<String> = clause_keywords(rule)
            .iter()
            .flat_map(|r| rule_name::rule_name(*r).0.split(" / ").map(|k| k.trim_matches('`').to_string()))
            .collect();
        let expected: Vec<(String, String)> =
            clause_keywords(rule).iter().map(|r| rule_name::rule_name(*r)).map(|(en, zh)| (en.to_string(), zh.to_string())).collect();
        if !keywords.is_empty() {
            return unknown_keyword(file, &found, &keywords, &expected);
        }
    }
    let positives = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        // Only the call budget ends a parse so (`parse_within_budget`).
        ErrorVariant::CustomError { .. } => {
            return Diagnostic::error(
                &codes::SYNTAX_TOO_DEEP,
                file,
                text!("the parser gave up: the text around here is too tangled", "解析器放弃:此处附近的文本过于纠缠"),
            )
            .with_label(found.span, text!("given up here", "在此放弃"))
            .with_help(text!(
                "check the brackets and that each `如果` has its `则` and `否则`; split a long formula into parameters",
                "检查括号,以及每个 `如果` 是否都有 `则` 和 `否则`;把过长的公式拆成参数"
            ));
        }
    };
    let mut expected: Vec<(String, String)> = Vec::new();
    let mut keywords: Vec<String> = Vec::new();
    for rule in positives.iter().filter(|r| !matches!(r, Rule::bad_clause | Rule::bad_item | Rule::EOI)) {
        let (en, zh) = rule_name::rule_name(*rule);
        if format!("{rule:?}").starts_with("kw_") {
            keywords.extend(en.split(" / ").map(|k| k.trim_matches('`').to_string()));
        }
        let entry = (en.to_string(), zh.to_string());
        if !expected.contains(&entry) {
            expected.push(entry);
        }
    }
    if let Some(attempts) = error.parse_attempts() {
        for token in attempts.expected_tokens() {
            // Only plain punctuation is worth naming; the rest is covered by rule names.
            let token = token.to_string();
            if ["{", "}", "(", ")", "[", "]", ",", ":", "=", "=>"].contains(&token.as_str()) {
                let entry = (format!("`{token}`"), format!("`{token}`"));
                if !expected.contains(&entry) {
                    expected.push(entry);
                }
            }
        }
    }
    // Keywords first, operators last: "expected `扣`" matters more than "or `+`".
    let is_operator = |(en, _): &(String, String)| {
        ["`+`", "`-`", "`*`", "`/`", "`>=`", "`<=`", "`!=`", "`=`", "`>`", "`<`"].contains(&en.as_str())
            || en.contains("`and`")
            || en.contains("`or`")
            || en.contains("`in`")
    };
    let (operators, mut expected): (Vec<_>, Vec<_>) = expected.into_iter().partition(is_operator);
    expected.extend(operators);
    if at == offset && found.is_word && !keywords.is_empty() {
        return unknown_keyword(file, &found, &keywords, &expected);
    }
    if found.text == "{" && expected.iter().any(|(en, _)| en.contains("`points`")) {
        expected.insert(0, ("`%`".into(), "`%`".into()));
    }
    if let Some(d) = malformed_number(file, &found) {
        return d;
    }
    if found.text == "=>" {
        // A piece's value ran on into the next piece: the comma between them is missing.
        return Diagnostic::error(
            &codes::SYNTAX_UNEXPECTED,
            file,
            text!("expected `,` between two pieces, found `=>`", "两个分段项之间应有 `,`,实际为 `=>`"),
        )
        .with_label(found.span, text!("a new piece starts before this", "在此之前开始了新的分段项"))
        .with_help(text!(
            "separate the pieces of `分段` / `piecewise` with commas: `>= 90% => 90, >= 80% => 80`",
            "用逗号分隔 `分段` 的各项:`>= 90% => 90, >= 80% => 80`"
        ));
    }
    let list = Text { en: join(&expected, false), zh: join(&expected, true) };
    let (found_en, found_zh) = (found.en.clone(), found.zh.clone());
    let (list_en, list_zh) = (list.en.clone(), list.zh.clone());
    Diagnostic::error(&codes::SYNTAX_UNEXPECTED, file, text!("expected {list_en}, found {found_en}", "此处应为{list_zh},实际为{found_zh}"))
        .with_label(found.span, text!("expected {list_en} here", "此处应为{list_zh}"))
        .with_help(hint_for(&expected, &found))
}

/// The message for a line that starts with a word no clause begins with.
fn unknown_keyword(file: &Arc<SourceFile>, found: &Found, keywords: &[String], expected: &[(String, String)]) -> Diagnostic {
    let word = found.text.clone();
    let list = Text { en: join(expected, false), zh: join(expected, true) };
    let (list_en, list_zh) = (list.en, list.zh);
    let prefix = keywords.iter().filter(|k| word.starts_with(k.as_str()) && word.len() > k.len()).max_by_key(|k| k.len());
    let help = if matches!(word.as_str(), "分" | "points" | "point") {
        text!("this value is a bare number: remove `{word}`", "此处的值只写数字:去掉 `{word}`")
    } else if let Some(keyword) = prefix {
        text!(
            "put a space after `{keyword}`: a keyword must stand apart from the name after it",
            "在 `{keyword}` 后加空格:关键字与其后的名称之间要有空格"
        )
    } else if let Some(best) = did_you_mean(&word, keywords.iter().map(String::as_str)) {
        text!("did you mean `{best}`?", "是否想写 `{best}`?")
    } else {
        text!("a line here starts with one of: {list_en}", "此处一行应以下列之一开头:{list_zh}")
    };
    Diagnostic::error(
        &codes::SYNTAX_UNKNOWN_KEYWORD,
        file,
        text!("`{word}` does not begin a declaration or clause here", "`{word}` 不能作为此处声明或子句的开头"),
    )
    .with_label(found.span, text!("unknown here", "此处无法识别"))
    .with_help(help)
}

/// `1.2.3`, `9O`, `12abc`: a number written wrongly gets its own message.
fn malformed_number(file: &Arc<SourceFile>, found: &Found) -> Option<Diagnostic> {
    let t = found.text.as_str();
    let starts_with_digit = t.chars().next().is_some_and(|c| c.is_ascii_digit());
    let malformed = t.matches('.').count() > 1 || t.chars().any(|c| c.is_ascii_alphabetic() || c == '_');
    if !starts_with_digit || !malformed {
        return None;
    }
    Some(
        Diagnostic::error(&codes::SYNTAX_UNEXPECTED, file, text!("`{t}` is not a number", "`{t}` 不是有效的数字"))
            .with_label(found.span, text!("not a number", "不是数字"))
            .with_help(if t.contains(['O', 'o']) {
                text!("numbers are written with digits: is `O` meant to be `0`?", "数字只能由数字组成:`O` 是否应为 `0`?")
            } else {
                text!(
                    "numbers are written like `12` or `3.5`: digits, at most one decimal point, no letters",
                    "数字写作 `12` 或 `3.5`:只含数字和至多一个小数点,不含字母"
                )
            }),
    )
}

/// A help line for the common slips.
fn hint_for(expected: &[(String, String)], found: &Found) -> Text {
    let wants = |s: &str| expected.iter().any(|(en, _)| en.contains(s));
    if found.text.chars().next().is_some_and(|c| c.is_ascii_digit())
        && (found.text.contains('.') || found.text.chars().any(|c| c.is_ascii_alphabetic()))
    {
        return text!(
            "numbers are written like `12` or `3.5`: one decimal point, no letters or exponents",
            "数字写作 `12` 或 `3.5`:只有一个小数点,不带字母或指数"
        );
    }
    if wants("a weight") || wants("`points`") {
        return text!(
            "give the weight right after the name, before `{{`: `30%`, `15 分` or `比重 3`",
            "在名称之后、`{{` 之前写权重:`30%`、`15 分` 或 `比重 3`"
        );
    }
    if found.text == "}" {
        return text!("the clause before this `}}` is incomplete", "此 `}}` 之前的子句不完整");
    }
    if found.text.is_empty() {
        return text!("the file ends in the middle of a declaration", "文件在声明中途结束");
    }
    text!("check the spelling and the order of the words on this line", "检查此行的拼写和词序")
}

fn join(items: &[(String, String)], zh: bool) -> String {
    let words: Vec<&str> = items.iter().map(|(en, z)| if zh { z.as_str() } else { en.as_str() }).collect();
    const MAX: usize = 8;
    let shown = &words[..words.len().min(MAX)];
    let more = words.len().saturating_sub(MAX);
    let (sep, or) = if zh { ("、", " 或 ") } else { (", ", " or ") };
    let mut out = match shown {
        [] => return if zh { "其他内容".into() } else { "something else".into() },
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{}{or}{last}", init.join(sep)),
    };
    if more > 0 {
        out = if zh { format!("{out}(另有 {more} 种)") } else { format!("{out} (or {more} more)") };
    }
    out
}

/// The token at an error position, described for a message.
struct Found {
    text: String,
    en: String,
    zh: String,
    span: Span,
    is_word: bool,
}

fn found_token(text: &str, at: usize) -> Found {
    let rest = text.get(at..).unwrap_or("");
    let Some(first) = rest.chars().next() else {
        return Found {
            text: String::new(),
            en: "the end of the file".into(),
            zh: "文件结尾".into(),
            span: Span::new(at, at),
            is_word: false,
        };
    };
    if first == '\n' || first == '\r' {
        return Found {
            text: String::new(), en: "the end of the line".into(), zh: "行尾".into(), span: Span::new(at, at), is_word: false
        };
    }
    let word_char = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    let len = if first.is_ascii_digit() {
        rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_')).unwrap_or(rest.len())
    } else if word_char(first) {
        rest.find(|c: char| !word_char(c)).unwrap_or(rest.len())
    } else if rest.starts_with("=>") || rest.starts_with(">=") || rest.starts_with("<=") || rest.starts_with("!=") {
        2
    } else {
        first.len_utf8()
    };
    let token = &rest[..len];
    Found {
        text: token.to_string(),
        en: format!("`{token}`"),
        zh: format!("`{token}`"),
        span: Span::new(at, at + len),
        is_word: word_char(first) && !first.is_ascii_digit(),
    }
}
