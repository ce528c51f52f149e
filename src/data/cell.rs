//! One cell typed by its column's declaration.
//!
//! Readers hand over cells as [`Raw`] values: text for CSV and JSON, and for
//! Excel whatever the cell holds (a number, a date, yes/no, an error). This
//! module turns them into [`Parsed`] values of the column's type, or says what
//! was expected and how to fix the cell ([`Problem`]). Nothing here knows
//! where the cell is; the table loader adds the place and the unit.
//!
//! Numbers are parsed digit for digit into `Decimal` (never `f64`). Before a
//! number, date, period or yes/no is parsed, full-width forms typed by a
//! Chinese input method (`９５．５％`, `２０１３／５／１`, `Ｑ１`) become their
//! ASCII forms; text and enumeration cells are kept as written (only trimmed).

use std::borrow::Cow;

use rust_decimal::Decimal;

use crate::date::Date;
use crate::diagnostics::Text;
use crate::model::{Column, ColumnType, period_index};
use crate::suggest::did_you_mean;
use crate::text;

/// A cell as a reader found it.
#[derive(Debug, Clone)]
pub(crate) enum Raw<'a> {
    /// Nothing in the cell (or the key is absent from a JSON object, or JSON `null`).
    Empty,
    /// Text: every CSV cell, JSON strings, numbers and booleans (as their JSON text), Excel text.
    Text(Cow<'a, str>),
    /// An Excel number, already converted as Excel displays it (15 significant digits).
    Number(Decimal),
    /// An Excel TRUE / FALSE.
    Bool(bool),
    /// An Excel date (the date part; a time of day is dropped).
    Date(Date),
    /// Something that is no value: an Excel error (`#DIV/0!`), a nested JSON array or object.
    Error(Cow<'a, str>),
}

impl Raw<'_> {
    /// Whether the cell holds nothing (blank text counts as nothing).
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            Raw::Empty => true,
            Raw::Text(t) => trim(t).is_empty(),
            _ => false,
        }
    }

    /// The same cell, borrowing its text from this one.
    pub(crate) fn reborrow(&self) -> Raw<'_> {
        match self {
            Raw::Empty => Raw::Empty,
            Raw::Text(t) => Raw::Text(Cow::Borrowed(t)),
            Raw::Number(n) => Raw::Number(*n),
            Raw::Bool(b) => Raw::Bool(*b),
            Raw::Date(d) => Raw::Date(*d),
            Raw::Error(e) => Raw::Error(Cow::Borrowed(e)),
        }
    }

    /// The cell as shown in a message: trimmed, on one line, not too long.
    pub(crate) fn shown(&self) -> String {
        let text = match self {
            Raw::Empty => String::new(),
            Raw::Text(t) => t.trim().to_string(),
            Raw::Number(n) => n.normalize().to_string(),
            Raw::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Raw::Date(d) => d.to_string(),
            Raw::Error(e) => e.to_string(),
        };
        let one_line: String = text.lines().next().unwrap_or("").to_string();
        let mut shown: String = one_line.chars().take(40).collect();
        if shown.len() < text.len() {
            shown.push('…');
        }
        shown
    }
}

/// A typed cell. Text borrows from the cell; the loader interns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Parsed<'a> {
    /// No value (an empty optional cell, or a default of `空`).
    Null,
    /// A number, integer or percent (95% is 0.95).
    Number(Decimal),
    /// Text or an enumeration value.
    Text(Cow<'a, str>),
    /// A date.
    Date(Date),
    /// Yes or no.
    Bool(bool),
    /// A period of the year, 0-based.
    Period(u8),
}

/// Why a cell does not fit its column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    /// What the column wants, as a noun phrase after "is not" (`a percent`).
    pub want: Text,
    /// How to fix the cell.
    pub help: Text,
}

/// Types a non-empty cell by its column. `year` is the scheme's year (periods
/// written with a year must be of that year).
pub(crate) fn parse<'a>(column: &Column, raw: &'a Raw<'a>, year: u32) -> Result<Parsed<'a>, Problem> {
    match raw {
        Raw::Empty => Ok(Parsed::Null),
        Raw::Text(t) => parse_text(&column.ty, trim(t), year),
        Raw::Number(n) => from_number(&column.ty, *n, year),
        Raw::Bool(b) => match &column.ty {
            ColumnType::Bool => Ok(Parsed::Bool(*b)),
            ColumnType::Text => Ok(Parsed::Text(Cow::Borrowed(if *b { "TRUE" } else { "FALSE" }))),
            ty => Err(mismatch(ty, year)),
        },
        Raw::Date(d) => match &column.ty {
            ColumnType::Date => Ok(Parsed::Date(*d)),
            ColumnType::Text => Ok(Parsed::Text(Cow::Owned(d.to_string()))),
            // Excel turns `2013-03` typed into a cell into the date 2013-03-01.
            ColumnType::Period(crate::ast::PeriodKind::Month) if d.day == 1 && year_ok(d.year, year) => {
                Ok(Parsed::Period(u8::try_from(d.month - 1).unwrap_or(0)))
            }
            ty => Err(mismatch(ty, year)),
        },
        Raw::Error(_) => Err(Problem {
            want: want(&column.ty, year),
            help: text!(
                "the cell holds no value (an Excel error, or a nested JSON value): correct it at the source",
                "该单元格没有可用的值(Excel 错误值,或 JSON 中嵌套的数组/对象):请在源头改正"
            ),
        }),
    }
}

/// Types a cell's text (already trimmed, not empty).
pub(crate) fn parse_text<'a>(ty: &ColumnType, text: &'a str, year: u32) -> Result<Parsed<'a>, Problem> {
    match ty {
        ColumnType::Text => Ok(Parsed::Text(Cow::Borrowed(text))),
        ColumnType::Enum(values) => {
            if values.iter().any(|v| v == text) {
                return Ok(Parsed::Text(Cow::Borrowed(text)));
            }
            let help = match did_you_mean(text, values.iter().map(String::as_str)) {
                Some(best) => text!("did you mean `{best}`?", "是否想写 `{best}`?"),
                None => {
                    let (en, zh) = (values.join("`, `"), values.join("`、`"));
                    text!("the allowed values are `{en}`", "允许的取值为 `{zh}`")
                }
            };
            Err(Problem { want: want(ty, year), help })
        }
        ColumnType::Number | ColumnType::Integer | ColumnType::Percent => {
            if let Some(value) = plain_number(text) {
                return typed_number(ty, value, false, text, year);
            }
            let normal = halfwidth(text);
            match number(&normal) {
                Ok((value, percent)) => typed_number(ty, value, percent, &normal, year),
                Err(e) => Err(Problem { want: want(ty, year), help: e.help() }),
            }
        }
        ColumnType::Date => {
            let normal = halfwidth(text);
            date(&normal).map(Parsed::Date).ok_or_else(|| Problem { want: want(ty, year), help: date_help(&normal) })
        }
        ColumnType::Bool => boolean(&halfwidth(text)).map(Parsed::Bool).ok_or_else(|| Problem {
            want: want(ty, year),
            help: text!(
                "write `是` or `否` (also `true`/`false`, `1`/`0`, `Y`/`N`)",
                "写 `是` 或 `否`(也可写 `true`/`false`、`1`/`0`、`Y`/`N`)"
            ),
        }),
        ColumnType::Period(kind) => period(*kind, &halfwidth(text), year),
    }
}

fn from_number<'a>(ty: &ColumnType, n: Decimal, year: u32) -> Result<Parsed<'a>, Problem> {
    match ty {
        // A spreadsheet holds a percent as its fraction: a cell showing 95% holds 0.95.
        ColumnType::Number | ColumnType::Percent => Ok(Parsed::Number(n)),
        ColumnType::Integer if n.fract().is_zero() => Ok(Parsed::Number(n.normalize())),
        ColumnType::Integer => Err(Problem { want: want(ty, year), help: whole_help() }),
        ColumnType::Bool if n.is_zero() => Ok(Parsed::Bool(false)),
        ColumnType::Bool if n == Decimal::ONE => Ok(Parsed::Bool(true)),
        ColumnType::Date => serial_date(n).map(Parsed::Date).ok_or_else(|| mismatch(ty, year)),
        ColumnType::Text | ColumnType::Enum(_) | ColumnType::Period(_) | ColumnType::Bool => {
            let shown = n.normalize().to_string();
            match parse_text(ty, &shown, year)? {
                Parsed::Text(t) => Ok(Parsed::Text(Cow::Owned(t.into_owned()))),
                Parsed::Null => Ok(Parsed::Null),
                Parsed::Number(x) => Ok(Parsed::Number(x)),
                Parsed::Date(d) => Ok(Parsed::Date(d)),
                Parsed::Bool(b) => Ok(Parsed::Bool(b)),
                Parsed::Period(p) => Ok(Parsed::Period(p)),
            }
        }
    }
}

fn typed_number<'a>(ty: &ColumnType, value: Decimal, percent: bool, written: &str, year: u32) -> Result<Parsed<'a>, Problem> {
    match ty {
        ColumnType::Percent if !percent => {
            let bare = written.trim();
            let one = Decimal::ONE;
            let help = if value > Decimal::ZERO && value <= one {
                let hundred = (value * Decimal::ONE_HUNDRED).normalize();
                text!(
                    "write `{bare}%`, or `{hundred}%` if `{bare}` is a fraction: a percent column needs the `%` sign",
                    "写作 `{bare}%`,若 `{bare}` 是小数则写作 `{hundred}%`:百分比列须带 `%` 号"
                )
            } else {
                text!("write `{bare}%`: a percent column needs the `%` sign", "写作 `{bare}%`:百分比列须带 `%` 号")
            };
            Err(Problem { want: want(ty, year), help })
        }
        ColumnType::Integer if percent => Err(Problem {
            want: want(ty, year),
            help: text!("a whole-number column takes counts without `%`", "整数列填写不带 `%` 的整数"),
        }),
        // A number written without a point is whole: no need to compute its fraction.
        ColumnType::Integer if value.scale() != 0 && !value.fract().is_zero() => Err(Problem { want: want(ty, year), help: whole_help() }),
        ColumnType::Integer => Ok(Parsed::Number(value.normalize())),
        _ => Ok(Parsed::Number(value)),
    }
}

fn whole_help() -> Text {
    text!(
        "a whole-number column takes no fraction: write a whole number, or declare the column `数值`",
        "整数列不能有小数:请写整数,或把该列声明为 `数值`"
    )
}

/// A column type in messages, as a noun phrase: (English, Chinese).
pub(crate) fn want(ty: &ColumnType, year: u32) -> Text {
    match ty {
        ColumnType::Text => text!("text", "文本"),
        ColumnType::Number => text!("a number", "数值"),
        ColumnType::Integer => text!("a whole number", "整数"),
        ColumnType::Percent => text!("a percent", "百分比"),
        ColumnType::Date => text!("a date", "日期"),
        ColumnType::Period(kind) => {
            let (en, zh) = period_words(*kind);
            text!("{en} of {year}", "{year} 年的{zh}")
        }
        ColumnType::Bool => text!("yes or no", "`是` 或 `否`"),
        ColumnType::Enum(_) => text!("one of the listed values", "列出的取值之一"),
    }
}

fn period_words(kind: crate::ast::PeriodKind) -> (&'static str, &'static str) {
    use crate::ast::PeriodKind as K;
    match kind {
        K::Month => ("a month", "月份"),
        K::Quarter => ("a quarter", "季度"),
        K::HalfYear => ("a half-year", "半年"),
        K::Year => ("the year", "年度"),
    }
}

fn mismatch(ty: &ColumnType, year: u32) -> Problem {
    let help = match ty {
        ColumnType::Date => text!("enter the date as a date, like `2013-05-01`", "请填写日期,如 `2013-05-01`"),
        ColumnType::Bool => text!("enter `是` or `否`", "请填写 `是` 或 `否`"),
        _ => {
            let w = want(ty, year);
            let (en, zh) = (w.en, w.zh);
            text!("enter {en} in this cell", "请在此单元格填写{zh}")
        }
    };
    Problem { want: want(ty, year), help }
}

/// Full-width ASCII forms (U+FF01..U+FF5E), the ideographic space and the
/// minus sign (U+2212) as their ASCII forms; other text unchanged.
pub(crate) fn halfwidth(text: &str) -> Cow<'_, str> {
    let wide = |c: char| ('\u{FF01}'..='\u{FF5E}').contains(&c) || c == '\u{3000}' || c == '\u{2212}';
    // Checking the bytes is much cheaper than decoding the characters.
    if text.is_ascii() || !text.chars().any(wide) {
        return Cow::Borrowed(trim(text));
    }
    let mapped: String = text
        .chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{2212}' => '-',
            c if wide(c) => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .collect();
    Cow::Owned(mapped.trim().to_string())
}

/// `text.trim()`, without decoding characters when the text starts and ends
/// with a character that is plainly not whitespace (visible ASCII, or a
/// three-byte character from U+4000 on, where CJK text lies): most cells.
pub(crate) fn trim(text: &str) -> &str {
    let bytes = text.as_bytes();
    let plain_start = bytes.first().is_some_and(|&b| b.is_ascii_graphic() || b >= 0xE4);
    // The last character is a three-byte one when its lead byte is third from the end.
    let plain_end = match bytes {
        [.., b] if b.is_ascii_graphic() => true,
        [.., lead, _, _] => (0xE4..=0xEF).contains(lead),
        _ => false,
    };
    if plain_start && plain_end { text } else { text.trim() }
}

/// Why a text is not a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumberError {
    /// Not digits at all.
    NotNumber,
    /// `1.2E+15`: Excel's scientific display, which has lost digits.
    Scientific,
    /// Commas not every three digits (`1,23`), or in the fraction.
    Grouping,
    /// More digits than an exact decimal holds.
    TooLong,
}

impl NumberError {
    fn help(self) -> Text {
        match self {
            NumberError::NotNumber => text!("write a number like `1234.5`, `1,234.5` or `95%`", "写作数字,如 `1234.5`、`1,234.5` 或 `95%`"),
            NumberError::Scientific => text!(
                "scientific notation loses digits: format the column as a number in Excel before exporting",
                "科学计数法会丢失位数:导出前请在 Excel 中把该列设为数值格式"
            ),
            NumberError::Grouping => text!(
                "thousands separators go every three digits (`1,234.5`) and the decimal point is `.`",
                "千位分隔符每三位一个(`1,234.5`),小数点用 `.`"
            ),
            NumberError::TooLong => {
                text!("kaohe keeps numbers exact to 28 digits: shorten the number", "kaohe 精确保存至多 28 位数字:请缩短该数")
            }
        }
    }
}

/// Parses a number as offices write it: optional sign, thousands separators
/// every three digits, a decimal point, an optional `%` (then the value is the
/// fraction). Returns the value and whether `%` was written.
pub(crate) fn number(text: &str) -> Result<(Decimal, bool), NumberError> {
    let text = text.trim();
    let (body, percent) = match text.strip_suffix('%') {
        Some(b) => (b.trim_end(), true),
        None => (text, false),
    };
    let (negative, body) = match body.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, body.strip_prefix('+').unwrap_or(body)),
    };
    if body.contains(['e', 'E'])
        && body.chars().all(|c| c.is_ascii_digit() || "eE+-.,".contains(c))
        && body.starts_with(|c: char| c.is_ascii_digit())
    {
        return Err(NumberError::Scientific);
    }
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !int.bytes().all(|b| b.is_ascii_digit() || b == b',') || !frac.is_none_or(digits) {
        return Err(NumberError::NotNumber);
    }
    if int.is_empty() && frac.is_none_or(str::is_empty) {
        return Err(NumberError::NotNumber);
    }
    if frac.is_some_and(|f| f.contains(',')) {
        return Err(NumberError::Grouping);
    }
    let int: Cow<'_, str> = if int.contains(',') {
        let groups: Vec<&str> = int.split(',').collect();
        let first_ok = groups.first().is_some_and(|g| (1..=3).contains(&g.len()));
        if !first_ok || groups.iter().skip(1).any(|g| g.len() != 3) {
            return Err(NumberError::Grouping);
        }
        Cow::Owned(groups.concat())
    } else {
        Cow::Borrowed(int)
    };
    let mut plain = String::with_capacity(int.len() + 4);
    if negative {
        plain.push('-');
    }
    plain.push_str(if int.is_empty() { "0" } else { &int });
    if let Some(f) = frac.filter(|f| !f.is_empty()) {
        plain.push('.');
        plain.push_str(f);
    }
    let mut value = Decimal::from_str_exact(&plain).map_err(|_| NumberError::TooLong)?;
    if percent {
        let scale = value.scale() + 2;
        value.set_scale(scale).map_err(|_| NumberError::TooLong)?;
    }
    Ok((value, percent))
}

/// Most cells: the number written plainly (`-?digits(.digits)?`, at most 18
/// digits, so it fits an `i64`), read straight into a `Decimal` with the
/// scale written (`1.50` keeps scale 2), as [`number`] reads it. `None` for
/// anything else (`+1`, `.5`, `1,234`, `95%`, full-width forms, long
/// numbers), which [`number`] then reads or rejects.
#[inline]
pub(crate) fn plain_number(text: &str) -> Option<Decimal> {
    let (digits, scale, negative) = plain_digits(text)?;
    // `-0` and `-0.00` become positive zeros, as `number` makes them.
    Some(crate::decimals::from_digits(digits, scale, negative))
}

/// A plain number as its digits, scale and sign (see [`plain_number`]).
#[inline]
pub(crate) fn plain_digits(text: &str) -> Option<(u64, u32, bool)> {
    let mut reader = PlainDigits::new(text.as_bytes());
    let rest = text.as_bytes().get(reader.length_so_far()..).unwrap_or_default();
    rest.iter().all(|&b| reader.take(b)).then(|| reader.finish()).flatten()
}

/// Reads a plain number (see [`plain_number`]) a byte at a time, so that a
/// scanner can type a field as it finds its end (`csvfile::Scanner`).
pub(crate) struct PlainDigits {
    negative: bool,
    digits: u64,
    /// Characters after the sign.
    length: usize,
    /// Where the point is among them.
    point: Option<usize>,
}

impl PlainDigits {
    /// A reader of the number starting at `bytes[0]`, past its sign if it has one.
    #[inline(always)]
    pub(crate) fn new(bytes: &[u8]) -> PlainDigits {
        PlainDigits { negative: bytes.first() == Some(&b'-'), digits: 0, length: 0, point: None }
    }

    /// How many bytes of the field are read: the sign, then the characters taken.
    #[inline(always)]
    pub(crate) fn length_so_far(&self) -> usize {
        usize::from(self.negative) + self.length
    }

    /// Takes the next byte; false when it cannot be part of a plain number.
    #[inline(always)]
    pub(crate) fn take(&mut self, b: u8) -> bool {
        let digit = b.wrapping_sub(b'0');
        if digit < 10 {
            // Past 19 digits these wrap, and `finish` rejects the number.
            self.digits = self.digits.wrapping_mul(10).wrapping_add(u64::from(digit));
        } else if b == b'.' && self.point.is_none() {
            self.point = Some(self.length);
        } else {
            return false;
        }
        self.length += 1;
        true
    }

    /// The digits, scale and sign read, if they make a plain number.
    #[inline(always)]
    pub(crate) fn finish(&self) -> Option<(u64, u32, bool)> {
        let scale = match self.point {
            // At most 18 digits and a point: below 10^19 < 2^64, no wrapping.
            _ if self.length > 19 => return None,
            // Digits on both sides of the point.
            Some(at) if at == 0 || at + 1 == self.length => return None,
            Some(at) => self.length - at - 1,
            None if self.length == 0 || self.length > 18 => return None,
            None => 0,
        };
        Some((self.digits, u32::try_from(scale).ok()?, self.negative))
    }
}

/// Parses a date (`2013-05-01`, `2013/5/1`, `2013.5.1`, `2013年5月1日`); a
/// time of midnight after it (`2013/5/1 0:00`, as Excel exports) is allowed.
pub(crate) fn date(text: &str) -> Option<Date> {
    let text = text.trim();
    let (day, time) = match text.split_once([' ', 'T']) {
        Some((d, t)) => (d, Some(t.trim())),
        None => (text, None),
    };
    if let Some(t) = time {
        if !t.chars().all(|c| c == '0' || c == ':' || c == '.') || !t.contains(':') {
            return None;
        }
    }
    Date::parse(day)
}

/// Why a text is not a date: a day that does not exist, a time of day, or the spelling.
fn date_help(text: &str) -> Text {
    let (day, time) = match text.split_once([' ', 'T']) {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    if let (Some(_), Some(d)) = (time, Date::parse(day)) {
        return text!("kaohe reads dates without a time of day: write `{d}`", "kaohe 只读取日期,不含时刻:请写作 `{d}`");
    }
    let parts: Vec<&str> = day.split(['-', '/', '.', '年', '月', '日', '号']).filter(|p| !p.is_empty()).collect();
    if let [y, m, d] = parts.as_slice() {
        if let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) {
            if (1000..=9999).contains(&y) && (1..=12).contains(&m) {
                let last = crate::date::days_in_month(y, m);
                return text!("{y}-{m:02} has {last} days: there is no day {d}", "{y} 年 {m} 月只有 {last} 天,没有 {d} 日");
            }
        }
    }
    text!(
        "write dates with the year, like `2013-05-01`, `2013/5/1` or `2013年5月1日`",
        "日期须含年份,写作 `2013-05-01`、`2013/5/1` 或 `2013年5月1日`"
    )
}

/// Parses yes / no.
pub(crate) fn boolean(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "是" | "true" | "1" | "y" | "yes" | "√" | "✓" => Some(true),
        "否" | "false" | "0" | "n" | "no" | "×" | "✗" => Some(false),
        _ => None,
    }
}

fn year_ok(written: i32, year: u32) -> bool {
    u32::try_from(written).is_ok_and(|w| w == year)
}

fn period<'a>(kind: crate::ast::PeriodKind, text: &str, year: u32) -> Result<Parsed<'a>, Problem> {
    use crate::ast::PeriodKind as K;
    let ty = ColumnType::Period(kind);
    // A leading year must be the scheme's year: last year's sheet is a common mistake.
    if let Some(y) = text.get(..4).filter(|y| y.bytes().all(|b| b.is_ascii_digit())) {
        let rest = &text[4..];
        let standalone = rest.is_empty() || !rest.starts_with(|c: char| c.is_ascii_digit());
        if standalone && y.parse::<u32>().ok() != Some(year) {
            return Err(Problem {
                want: want(&ty, year),
                help: text!("this names a period of {y}; the scheme assesses {year}", "这是 {y} 年的期间;方案考核的是 {year} 年"),
            });
        }
    }
    if let Some(i) = period_index(kind, text) {
        return Ok(Parsed::Period(u8::try_from(i).unwrap_or(0)));
    }
    // `2013/3/1`: Excel's export of a month typed as `2013-03`.
    if kind == K::Month {
        if let Some(d) = date(text).filter(|d| d.day == 1) {
            if year_ok(d.year, year) {
                return Ok(Parsed::Period(u8::try_from(d.month - 1).unwrap_or(0)));
            }
        }
    }
    let help = match kind {
        K::Quarter => text!("write quarters like `Q1`, `{year}Q1` or `一季度`", "季度写作 `Q1`、`{year}Q1` 或 `一季度`"),
        K::Month => text!("write months like `3月`, `{year}-03` or `M3`", "月份写作 `3月`、`{year}-03` 或 `M3`"),
        K::HalfYear => text!("write half-years as `上半年` / `下半年` or `H1` / `H2`", "半年写作 `上半年` / `下半年` 或 `H1` / `H2`"),
        K::Year => text!("write `{year}` or `全年`", "写作 `{year}` 或 `全年`"),
    };
    Err(Problem { want: want(&ty, year), help })
}

/// The name of a period in messages: (English, Chinese).
pub(crate) fn period_name(kind: crate::ast::PeriodKind, index: usize) -> (String, String) {
    use crate::ast::PeriodKind as K;
    let n = index + 1;
    match kind {
        K::Quarter => (format!("Q{n}"), format!("Q{n}")),
        K::Month => (format!("M{n}"), format!("{n}月")),
        K::HalfYear => (format!("H{n}"), if n == 1 { "上半年".to_string() } else { "下半年".to_string() }),
        K::Year => ("the year".to_string(), "全年".to_string()),
    }
}

/// The date of an Excel serial in the 1900 date system (the integer part;
/// the time of day is dropped). Serial 60 is Excel's 1900-02-29, which never
/// was; serials before it are one day off from the ones after it.
pub(crate) fn serial_date(serial: Decimal) -> Option<Date> {
    let days = i64::try_from(serial.trunc()).ok()?;
    if serial.is_sign_negative() || days == 0 || days == 60 {
        return None;
    }
    // 1899-12-30 is day 0 for serials after the phantom leap day, 1899-12-31 before it.
    let epoch = Date::new(1899, 12, 30)?.days_since_epoch();
    let offset = if days < 60 { days + 1 } else { days };
    Date::from_days_since_epoch(epoch + offset)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::PeriodKind;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn numbers_as_offices_write_them() {
        assert_eq!(number("1,234.5"), Ok((dec("1234.5"), false)));
        assert_eq!(number("95%"), Ok((dec("0.95"), true)));
        assert_eq!(number("95.5 %"), Ok((dec("0.955"), true)));
        assert_eq!(number(&halfwidth("９５．５％")), Ok((dec("0.955"), true)));
        assert_eq!(number(&halfwidth("－１，２３４")), Ok((dec("-1234"), false)));
        assert_eq!(number("-0.5"), Ok((dec("-0.5"), false)));
        assert_eq!(number(".5"), Ok((dec("0.5"), false)));
        assert_eq!(number("1,23"), Err(NumberError::Grouping));
        assert_eq!(number("1234,567"), Err(NumberError::Grouping));
        assert_eq!(number("1.2E+15"), Err(NumberError::Scientific));
        assert_eq!(number("abc"), Err(NumberError::NotNumber));
        assert_eq!(number("%"), Err(NumberError::NotNumber));
        assert_eq!(number("1.2.3"), Err(NumberError::NotNumber));
        assert_eq!(number("12345678901234567890123456789012"), Err(NumberError::TooLong));
    }

    /// The fast path gives the very `Decimal` of `number` (sign, digits and
    /// scale, compared bit for bit) on every text it accepts, and accepts
    /// the plain forms.
    #[test]
    fn plain_numbers_read_as_number_reads_them() {
        let alphabet = b"0123456789-.+,% 9";
        let mut state: u64 = 11;
        let mut accepted = 0;
        for case in 0..200_000 {
            state = crate::testing::lcg(state);
            let len = 1 + case % 22;
            let mut text = String::new();
            let mut bits = state;
            for i in 0..len {
                if i % 12 == 11 {
                    state = crate::testing::lcg(state);
                    bits = state;
                }
                // Mostly digits, so that many texts are plain numbers.
                let pick = (bits & 0x1F) as usize;
                bits >>= 5;
                text.push(char::from(if pick < 20 { b'0' + (pick % 10) as u8 } else { alphabet[pick % alphabet.len()] }));
            }
            if let Some(fast) = plain_number(&text) {
                accepted += 1;
                let (slow, percent) = number(&text).unwrap_or_else(|e| panic!("{text:?}: {e:?}"));
                assert!(!percent);
                assert_eq!(fast.serialize(), slow.serialize(), "{text:?}");
            }
        }
        assert!(accepted > 50_000, "{accepted}");
        for text in ["0", "-0", "-0.00", "1.50", "007", "999999999999999999", "-12345678.123456789", "0.00000000000000001"] {
            let fast = plain_number(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(fast.serialize(), number(text).unwrap().0.serialize(), "{text}");
        }
        assert_eq!(plain_number("1.50").map(|d| d.scale()), Some(2));
        for text in ["", "-", ".5", "5.", "+1", "1,234", "95%", "1.2.3", "1e5", "１", " 1", "1234567890123456789", "--1", "1-"] {
            assert_eq!(plain_number(text), None, "{text}");
        }
    }

    /// The quick trim is `str::trim`, whitespace of every kind included.
    #[test]
    fn trim_is_str_trim() {
        let alphabet = [
            " ", "\t", "\u{B}", "\u{C}", "\r", "\n", "\u{1C}", "\u{85}", "\u{A0}", "\u{1680}", "\u{2000}", "\u{2028}", "\u{202F}",
            "\u{3000}", "\u{FEFF}", "a", "9", "海", "é", "𝄞", "\u{4000}", "\u{3FFF}", "~",
        ];
        let mut state: u64 = 5;
        for case in 0..50_000 {
            let mut text = String::new();
            for _ in 0..case % 6 {
                state = crate::testing::lcg(state);
                text.push_str(alphabet[usize::try_from(state >> 33).unwrap() % alphabet.len()]);
            }
            assert_eq!(trim(&text), text.trim(), "{text:?}");
        }
    }

    #[test]
    fn percent_columns_need_the_sign() {
        let p = parse_text(&ColumnType::Percent, "95", 2013);
        assert!(matches!(p, Err(Problem { ref help, .. }) if help.en.contains("`95%`")));
        assert_eq!(parse_text(&ColumnType::Percent, "95%", 2013), Ok(Parsed::Number(dec("0.95"))));
        assert_eq!(parse_text(&ColumnType::Number, "95%", 2013), Ok(Parsed::Number(dec("0.95"))));
        assert!(parse_text(&ColumnType::Integer, "3.5", 2013).is_err());
        assert_eq!(parse_text(&ColumnType::Integer, "3.0", 2013), Ok(Parsed::Number(dec("3"))));
    }

    #[test]
    fn dates_bools_and_periods() {
        let d = Date::new(2013, 5, 1);
        for s in ["2013-05-01", "2013/5/1", "2013年5月1日", "2013.5.1", "２０１３／５／１", "2013/5/1 0:00"] {
            assert_eq!(date(&halfwidth(s)), d, "{s}");
        }
        assert_eq!(date("2013/5/1 14:30"), None);
        assert_eq!(boolean("是"), Some(true));
        assert_eq!(boolean("N"), Some(false));
        assert_eq!(boolean("maybe"), None);
        let q = ColumnType::Period(PeriodKind::Quarter);
        assert_eq!(parse_text(&q, "2013Q2", 2013), Ok(Parsed::Period(1)));
        assert_eq!(parse_text(&q, &halfwidth("Ｑ３"), 2013), Ok(Parsed::Period(2)));
        assert!(parse_text(&q, "2012Q2", 2013).is_err());
        let m = ColumnType::Period(PeriodKind::Month);
        assert_eq!(parse_text(&m, "2013/3/1", 2013), Ok(Parsed::Period(2)));
        assert_eq!(parse_text(&m, "2013-03", 2013), Ok(Parsed::Period(2)));
        let y = ColumnType::Period(PeriodKind::Year);
        assert_eq!(parse_text(&y, "2013", 2013), Ok(Parsed::Period(0)));
        assert!(parse_text(&y, "2014", 2013).is_err());
    }

    #[test]
    fn excel_serials() {
        assert_eq!(serial_date(dec("41395")), Date::new(2013, 5, 1));
        assert_eq!(serial_date(dec("41395.75")), Date::new(2013, 5, 1));
        assert_eq!(serial_date(dec("1")), Date::new(1900, 1, 1));
        assert_eq!(serial_date(dec("59")), Date::new(1900, 2, 28));
        assert_eq!(serial_date(dec("61")), Date::new(1900, 3, 1));
        assert_eq!(serial_date(dec("60")), None);
        assert_eq!(Date::from_days_since_epoch(0), Date::new(1970, 1, 1));
    }
}
