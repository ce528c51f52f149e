//! JSON files: an array of objects, one per row, keys naming the columns.
//!
//! A small parser of its own rather than serde_json, for two reasons: every
//! value keeps its exact bytes, so diagnostics label the cell, and numbers are
//! never parsed into `f64` (a number's text goes through the same cell parsing
//! as a CSV cell, digit for digit). Strings are cells as in CSV (`"95%"`); a
//! JSON number, `true` or `false` is read as its text; `null` or an absent key
//! is an empty cell. A key absent from every object is a missing column.

use std::borrow::Cow;
use std::sync::Arc;

use super::cell::Raw;
use super::errors;
use super::table::{Cell, Ctx, DataFile, Loc, Place, TableLoader};
use crate::diagnostics::Text;
use crate::source::Span;
use crate::text;

/// A JSON value as a cell.
enum Value<'t> {
    Str(Cow<'t, str>),
    Literal(&'t str),
    Null,
    Nested(&'t str),
}

struct Member<'t> {
    key: Cow<'t, str>,
    value: Value<'t>,
    span: Span,
}

struct Object<'t> {
    span: Span,
    members: Vec<Member<'t>>,
}

struct Syntax {
    at: usize,
    expected: Text,
}

struct Parser<'t> {
    text: &'t str,
    pos: usize,
}

const MAX_DEPTH: usize = 64;

impl<'t> Parser<'t> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.pos += 1;
        }
    }

    fn fail<T>(&self, expected: Text) -> Result<T, Syntax> {
        Err(Syntax { at: self.pos, expected })
    }

    fn eat(&mut self, byte: u8) -> bool {
        if self.peek() == Some(byte) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn array(&mut self) -> Result<Vec<Object<'t>>, Syntax> {
        self.ws();
        if !self.eat(b'[') {
            return self.fail(text!("`[`: the file must be an array of objects, one per row", "`[`(文件应为对象数组,每个对象一行)"));
        }
        let mut rows = Vec::new();
        self.ws();
        if self.eat(b']') {
            return self.end(rows);
        }
        loop {
            self.ws();
            rows.push(self.object()?);
            self.ws();
            if self.eat(b',') {
                continue;
            }
            if self.eat(b']') {
                return self.end(rows);
            }
            return self.fail(text!("`,` or `]` after an object", "对象之后的 `,` 或 `]`"));
        }
    }

    fn end(&mut self, rows: Vec<Object<'t>>) -> Result<Vec<Object<'t>>, Syntax> {
        self.ws();
        if self.pos < self.text.len() {
            return self.fail(text!("the end of the file after the array", "文件结尾(数组之后不应再有内容)"));
        }
        Ok(rows)
    }

    fn object(&mut self) -> Result<Object<'t>, Syntax> {
        let start = self.pos;
        if !self.eat(b'{') {
            return self.fail(text!("`{{`: each row is an object", "`{{`(每一行为一个对象)"));
        }
        let mut members = Vec::new();
        self.ws();
        if !self.eat(b'}') {
            loop {
                self.ws();
                if self.peek() != Some(b'"') {
                    return self.fail(text!("a key in double quotes", "用双引号括起的键"));
                }
                let (key, _) = self.string()?;
                self.ws();
                if !self.eat(b':') {
                    return self.fail(text!("`:` after the key", "键之后的 `:`"));
                }
                self.ws();
                let value_start = self.pos;
                let value = self.value(0)?;
                members.push(Member { key, value, span: Span::new(value_start, self.pos) });
                self.ws();
                if self.eat(b',') {
                    continue;
                }
                if self.eat(b'}') {
                    break;
                }
                return self.fail(text!("`,` or `}}` after a value", "值之后的 `,` 或 `}}`"));
            }
        }
        Ok(Object { span: Span::new(start, self.pos), members })
    }

    fn value(&mut self, depth: usize) -> Result<Value<'t>, Syntax> {
        let start = self.pos;
        match self.peek() {
            Some(b'"') => Ok(Value::Str(self.string()?.0)),
            Some(b'[' | b'{') => {
                self.skip_nested(depth)?;
                Ok(Value::Nested(&self.text[start..self.pos]))
            }
            Some(b't') | Some(b'f') | Some(b'n') => {
                for word in ["true", "false", "null"] {
                    if self.text[self.pos..].starts_with(word) {
                        self.pos += word.len();
                        return Ok(if word == "null" { Value::Null } else { Value::Literal(word) });
                    }
                }
                self.fail(text!("a value", "一个值"))
            }
            Some(b'-' | b'0'..=b'9') => {
                self.eat(b'-');
                let digits = |p: &mut Self| {
                    let s = p.pos;
                    while matches!(p.peek(), Some(b'0'..=b'9')) {
                        p.pos += 1;
                    }
                    p.pos > s
                };
                if !digits(self) {
                    return self.fail(text!("a digit", "数字"));
                }
                if self.eat(b'.') && !digits(self) {
                    return self.fail(text!("a digit after `.`", "`.` 之后的数字"));
                }
                if self.peek().is_some_and(|b| b == b'e' || b == b'E') {
                    self.pos += 1;
                    let _ = self.eat(b'+') || self.eat(b'-');
                    if !digits(self) {
                        return self.fail(text!("an exponent", "指数"));
                    }
                }
                Ok(Value::Literal(&self.text[start..self.pos]))
            }
            _ => self.fail(text!("a value", "一个值")),
        }
    }

    fn skip_nested(&mut self, depth: usize) -> Result<(), Syntax> {
        if depth >= MAX_DEPTH {
            return self.fail(text!("less nesting", "更少的嵌套"));
        }
        let close = if self.eat(b'[') {
            b']'
        } else if self.eat(b'{') {
            b'}'
        } else {
            return self.fail(text!("`[` or `{{`", "`[` 或 `{{`"));
        };
        self.ws();
        if self.eat(close) {
            return Ok(());
        }
        loop {
            self.ws();
            if close == b'}' {
                self.string()?;
                self.ws();
                if !self.eat(b':') {
                    return self.fail(text!("`:` after the key", "键之后的 `:`"));
                }
                self.ws();
            }
            self.value(depth + 1)?;
            self.ws();
            if self.eat(b',') {
                continue;
            }
            if self.eat(close) {
                return Ok(());
            }
            return self.fail(text!("`,` or a closing bracket", "`,` 或右括号"));
        }
    }

    fn string(&mut self) -> Result<(Cow<'t, str>, Span), Syntax> {
        let start = self.pos;
        self.pos += 1;
        let body_start = self.pos;
        let mut owned: Option<String> = None;
        loop {
            let Some(c) = self.text[self.pos..].chars().next() else {
                return self.fail(text!("a closing `\"`", "右引号 `\"`"));
            };
            match c {
                '"' => {
                    let body = &self.text[body_start..self.pos];
                    self.pos += 1;
                    let value = owned.map_or(Cow::Borrowed(body), Cow::Owned);
                    return Ok((value, Span::new(start, self.pos)));
                }
                '\\' => {
                    let buf = owned.get_or_insert_with(|| self.text[body_start..self.pos].to_string());
                    self.pos += 1;
                    let escaped = self.text[self.pos..].chars().next();
                    let push = match escaped {
                        Some('"') => '"',
                        Some('\\') => '\\',
                        Some('/') => '/',
                        Some('b') => '\u{8}',
                        Some('f') => '\u{c}',
                        Some('n') => '\n',
                        Some('r') => '\r',
                        Some('t') => '\t',
                        Some('u') => {
                            let hex = |p: usize| self.text.get(p..p + 4).and_then(|h| u32::from_str_radix(h, 16).ok());
                            let Some(first) = hex(self.pos + 1) else {
                                return self.fail(text!("four hex digits after `\\u`", "`\\u` 之后的四位十六进制数"));
                            };
                            self.pos += 4;
                            let code = if (0xD800..0xDC00).contains(&first) && self.text[self.pos + 1..].starts_with("\\u") {
                                match hex(self.pos + 3) {
                                    Some(low) if (0xDC00..0xE000).contains(&low) => {
                                        self.pos += 6;
                                        0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00)
                                    }
                                    _ => first,
                                }
                            } else {
                                first
                            };
                            char::from_u32(code).unwrap_or('\u{FFFD}')
                        }
                        _ => {
                            return self.fail(text!(
                                "an escape (`\\\"`, `\\\\`, `\\n`, `\\u4e00`, ...)",
                                "转义序列(`\\\"`、`\\\\`、`\\n`、`\\u4e00` 等)"
                            ));
                        }
                    };
                    buf.push(push);
                    self.pos += 1;
                }
                c if u32::from(c) < 0x20 => {
                    return self.fail(text!("`\\n` instead of a line break inside a string", "`\\n`(字符串中不能直接换行)"));
                }
                c => {
                    if let Some(buf) = owned.as_mut() {
                        buf.push(c);
                    }
                    self.pos += c.len_utf8();
                }
            }
        }
    }
}

/// Reads a decoded JSON file into the loader.
pub(crate) fn read(ctx: &mut Ctx<'_>, loader: &mut TableLoader, file: &Arc<DataFile>) {
    let place = Place::Text(file.clone());
    let text = file.text();
    let mut parser = Parser { text: text.as_str(), pos: 0 };
    let rows = match parser.array() {
        Ok(rows) => rows,
        Err(Syntax { at, expected }) => {
            let (en, zh) = (expected.en, errors::spaced(&expected.zh));
            ctx.diags.push(errors::format(
                &place,
                Loc::Span(Span::new(at, at)),
                text!("malformed JSON: expected {en}", "JSON 格式错误:此处应为{zh}"),
                text!("expected {en}", "应为{zh}"),
                text!(
                    "a JSON data file is an array of objects, one per row: `[{{\"名称\": \"海陵区\", \"完成率\": \"95%\"}}]`",
                    "JSON 数据文件为对象数组,每个对象一行:`[{{\"名称\": \"海陵区\", \"完成率\": \"95%\"}}]`"
                ),
            ));
            loader.failed = true;
            return;
        }
    };
    let Some(first) = rows.first() else { return };
    // The header: every key met, in the order met.
    let mut header: Vec<(String, Loc)> = Vec::new();
    for row in &rows {
        for m in &row.members {
            if !header.iter().any(|(k, _)| k == m.key.as_ref()) {
                header.push((m.key.to_string(), Loc::Span(m.span)));
            }
        }
    }
    // Keys are matched per object, so a key is never "twice" in the header.
    if !loader.header(ctx, &header, Loc::Span(first.span)) {
        return;
    }
    for row in &rows {
        let mut cells: Vec<Cell<'_>> = header.iter().map(|_| Cell { raw: Raw::Empty, loc: Loc::Span(row.span) }).collect();
        let mut set = vec![false; header.len()];
        for m in &row.members {
            let Some(i) = header.iter().position(|(k, _)| k == m.key.as_ref()) else { continue };
            if set[i] {
                let key = &m.key;
                ctx.diags.push(errors::format(
                    &place,
                    Loc::Span(m.span),
                    text!("key `{key}` appears twice in this object", "此对象中键 `{key}` 出现了两次"),
                    text!("again", "重复"),
                    text!("keep one of the two values", "请只保留一个值"),
                ));
                continue;
            }
            set[i] = true;
            let raw = match &m.value {
                Value::Str(s) => Raw::Text(Cow::Borrowed(s.as_ref())),
                Value::Literal(l) => Raw::Text(Cow::Borrowed(l)),
                Value::Null => Raw::Empty,
                Value::Nested(n) => Raw::Error(Cow::Borrowed(n)),
            };
            cells[i] = Cell { raw, loc: Loc::Span(m.span) };
        }
        let (line, _) = file.source().map_or((0, 0), |source| source.line_col(row.span.start));
        loader.row(ctx, u32::try_from(line).unwrap_or(u32::MAX), Loc::Span(row.span), cells.as_slice());
    }
}
