//! CSV files, as offices produce them.
//!
//! One scanner ([`Scanner`]) reads each record in a single pass and yields
//! where every field lies in the text ([`Fields`]: a cell, with its text
//! and the bytes it labels, is made only when the loader asks for one; a
//! plain field is read as it is written) and the record's line. It follows
//! the `csv` crate's reading rules exactly, which are lenient: a field that starts with `"` is quoted (doubled quotes
//! stand for one, line breaks are kept); text after the closing quote joins
//! the field; a `"` elsewhere is an ordinary character; `\r`, `\n` or CRLF
//! end a record, and blank lines are skipped; a quote left open runs to the
//! end of the file. So nothing in a decoded text is unreadable, and no
//! per-row allocation is needed: cells borrow from the text unless a quoted
//! cell has doubled quotes or CRLF inside.
//!
//! A large file is typed in pieces on several threads: [`pieces`] cuts the
//! body at record starts, each piece is typed by its own loader, and the
//! loaders are merged in file order (see `super::load`).
//!
//! The delimiter is `,`, or a tab (or `;`) when the header line has no comma
//! but has those. Rows of empty cells (Excel's trailing `,,,`) are skipped.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

use super::cell::{self, PlainDigits, Raw};
use super::errors;
use super::table::{Cell, Cells, Ctx, DataFile, Loc, Place, PlainFields, PlainNumber, TableLoader};
use crate::source::{SourceFile, Span};
use crate::text;

/// Where the body (the records after the header) of a CSV file starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Body {
    /// Byte offset of the first record after the header (or of the end).
    pub start: usize,
    /// The 1-based line at `start`.
    pub line: u32,
    /// The file's delimiter.
    pub delimiter: u8,
}

/// Reads the header of a decoded CSV file into the loader from `text`, the
/// file's text or its first line. Returns where the body starts, or `None`
/// when no row can be read (already reported).
pub(crate) fn read_header(ctx: &mut Ctx<'_>, loader: &mut TableLoader, file: &Arc<DataFile>, text: &str) -> Option<Body> {
    let delimiter = sniff(text);
    let mut scanner = Scanner::new(text, delimiter, 0..text.len(), 1);
    let mut fields = Fields::new(text, delimiter);
    let Some(record) = scanner.record(&mut fields) else {
        let place = Place::Text(file.clone());
        let name = &file.name;
        ctx.diags.push(errors::format(
            &place,
            Loc::Span(Span::new(0, 0)),
            text!("`{name}` is empty: expected a header row", "`{name}` 为空:应有表头行"),
            text!("no header", "没有表头"),
            text!("the first row names the columns, as declared in the scheme", "第一行为列名,与方案中声明的一致"),
        ));
        loader.failed = true;
        return None;
    };
    let names: Vec<(String, Loc)> = fields
        .cells()
        .map(|cell| {
            let name = match &cell.raw {
                Raw::Text(t) => t.trim().trim_start_matches('\u{FEFF}').to_string(),
                _ => String::new(),
            };
            (name, cell.loc)
        })
        .collect();
    if !loader.header(ctx, &names, Loc::Span(record.span)) {
        return None;
    }
    let body = Body { start: scanner.pos, line: scanner.line, delimiter };
    loader.body = Some(body);
    Some(body)
}

/// The span of the record of a CSV file's body that starts on `line`,
/// found again for a message (see [`super::table::RowLocs`]); `None` unless
/// exactly one record starts on that line (a file whose lines end in a
/// bare `\r` has several).
pub(crate) fn record_on_line(source: &SourceFile, body: Body, line: u32) -> Option<Span> {
    let text: &str = &source.text;
    let from = source.line_start(line as usize)?.max(body.start);
    let mut scanner = Scanner::new(text, body.delimiter, from..text.len(), line);
    let record = scanner.record(&mut Fields::new(text, body.delimiter))?;
    let another = scanner.start_record().is_some() && scanner.line == line;
    (record.line == line && !another).then_some(record.span)
}

/// Where the records to read are: `range` of `text` (a piece of the body,
/// cut by [`pieces`]), which starts at byte `base` of the file's text (0,
/// or where a piece read on its own starts), at line `line`.
pub(crate) struct Piece<'t> {
    pub text: &'t str,
    pub base: usize,
    pub range: Range<usize>,
    pub line: u32,
}

/// Reads the records of a piece into the loader. `room` is how many rows to
/// make room for at once (see [`room`]). Returns whether the text ended
/// inside a quoted cell.
pub(crate) fn read_rows(ctx: &mut Ctx<'_>, loader: &mut TableLoader, piece: Piece<'_>, delimiter: u8, room: usize) -> bool {
    loader.reserve(room);
    let Piece { text, base, range, line } = piece;
    let mut scanner = Scanner::new(text, delimiter, range, line);
    scanner.base = base;
    let mut fields = Fields::new(text, delimiter);
    fields.base = base;
    let fills = loader.fills();
    while let Some(begin) = scanner.start_record() {
        if let Some(fills) = &fills {
            let line = scanner.line;
            if loader.quick_row(ctx, fills, &mut RecordFields { scanner: &mut scanner, line, more: true }) {
                continue;
            }
            // Read again, cell by cell.
            scanner.pos = begin;
        }
        let Some(record) = scanner.record(&mut fields) else { break };
        loader.row(ctx, record.line, Loc::Span(record.span), &fields);
    }
    scanner.unclosed
}

/// The fields of the record at a scanner's place, read one at a time as
/// [`TableLoader::quick_row`] asks for them.
struct RecordFields<'s, 't> {
    scanner: &'s mut Scanner<'t>,
    /// The line the record starts on.
    line: u32,
    /// Whether another field follows.
    more: bool,
}

impl<'t> PlainFields<'t> for RecordFields<'_, 't> {
    // Called for every field: kept in the caller's loop.
    #[inline(always)]
    fn next_plain(&mut self) -> Option<Option<&'t str>> {
        if !self.more {
            return None;
        }
        let field = self.scanner.plain_field();
        // After a quoted field the quick reading stops: `row` reads the record.
        self.more = field.is_some() && self.scanner.next_field();
        Some(field)
    }

    #[inline(always)]
    fn next_number(&mut self) -> Option<PlainNumber<'t>> {
        if !self.more {
            return None;
        }
        let field = self.scanner.plain_number();
        self.more = !matches!(field, PlainNumber::Quoted) && self.scanner.next_field();
        Some(field)
    }

    fn line(&self) -> u32 {
        self.line
    }
}

/// Room for the rows of `text[range]`: one per line break, and one for a
/// last line without. With that room the columns are never copied to grow.
pub(crate) fn room(text: &str, range: Range<usize>) -> usize {
    line_breaks(text.as_bytes().get(range).unwrap_or_default()) + 1
}

/// Cuts `text[body.start..]` into about `count` pieces of similar size, each
/// starting where a record starts (never inside a quoted cell), with the
/// line at its start. Files with quotes are scanned from the start to find
/// the record starts; files without are cut at the next line break.
pub(crate) fn pieces(text: &str, body: Body, count: usize) -> Vec<(Range<usize>, u32)> {
    let bytes = text.as_bytes();
    let end = text.len();
    let size = end.saturating_sub(body.start);
    let count = count.clamp(1, size.max(1));
    let targets: Vec<usize> = (1..count).map(|i| body.start + size / count * i).collect();
    let mut cuts = vec![body.start];
    let body_bytes = bytes.get(body.start..).unwrap_or_default();
    if body_bytes.contains(&b'"') {
        // Only the scanner knows whether a line break is inside a quoted cell.
        let mut scanner = Scanner::new(text, body.delimiter, body.start..end, body.line);
        for &target in &targets {
            while scanner.pos < target && scanner.skip_record() {}
            cuts.push(scanner.pos.max(*cuts.last().unwrap_or(&0)));
        }
    } else {
        for &target in &targets {
            let from = target.max(*cuts.last().unwrap_or(&0));
            let at = bytes.get(from..).and_then(|rest| rest.iter().position(|&b| b == b'\n')).map_or(end, |i| from + i + 1);
            cuts.push(at);
        }
    }
    cuts.push(end);
    cuts.dedup();
    let mut line = body.line;
    let mut out = Vec::with_capacity(cuts.len());
    for pair in cuts.windows(2) {
        let (from, to) = (pair[0], pair[1]);
        out.push((from..to, line));
        let newlines = line_breaks(bytes.get(from..to).unwrap_or_default());
        line = line.saturating_add(u32::try_from(newlines).unwrap_or(u32::MAX));
    }
    if out.is_empty() {
        out.push((body.start..end, body.line));
    }
    out
}

/// `,` unless the first line has no comma but has a tab or a semicolon.
fn sniff(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or("");
    if first.contains(',') {
        b','
    } else if first.contains('\t') {
        b'\t'
    } else if first.contains(';') {
        b';'
    } else {
        b','
    }
}

/// A record the scanner found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Record {
    /// The 1-based line where it starts.
    pub line: u32,
    /// Its bytes, without the line end and surrounding whitespace.
    pub span: Span,
}

/// The fields of the record last read, as where they lie in the text: a
/// cell is made of a field only when the loader asks for it (most fields are
/// read as they are written, see [`Cells::plain`]).
pub(crate) struct Fields<'t> {
    text: &'t str,
    /// Where `text` starts in the file's text (see [`Piece`]).
    base: usize,
    delimiter: u8,
    /// Each field's `start..end`, quotes included.
    bounds: Vec<(usize, usize)>,
}

impl<'t> Fields<'t> {
    /// No fields yet, of records of `text`.
    pub(crate) fn new(text: &'t str, delimiter: u8) -> Fields<'t> {
        Fields { text, base: 0, delimiter, bounds: Vec::new() }
    }

    /// The cells, in the file's order.
    pub(crate) fn cells(&self) -> impl Iterator<Item = Cell<'t>> + '_ {
        self.bounds.iter().map(|&bounds| self.cell_of(bounds))
    }

    fn cell_of(&self, (start, end): (usize, usize)) -> Cell<'t> {
        let text = self.text;
        let field = if text.as_bytes().get(start) == Some(&b'"') {
            // Quoted: scanned again (rare), for where the quotes are.
            Scanner::new(text, self.delimiter, start..end, 0).field()
        } else {
            FieldBytes { start, end, close: None, rebuild: false }
        };
        Cell { raw: Raw::Text(field_text(text, field)), loc: Loc::Span(trimmed(text, start, end).shifted(self.base)) }
    }
}

impl Cells for Fields<'_> {
    fn all_empty(&self) -> bool {
        (0..self.bounds.len()).all(|i| match self.plain(i) {
            Some(text) => cell::trim(text).is_empty(),
            None => self.cell(i).is_none_or(|c| c.raw.is_empty()),
        })
    }

    #[inline(always)]
    fn plain(&self, i: usize) -> Option<&str> {
        let &(start, end) = self.bounds.get(i)?;
        let field = self.text.get(start..end)?;
        (!field.starts_with('"')).then_some(field)
    }

    fn cell(&self, i: usize) -> Option<Cell<'_>> {
        self.bounds.get(i).map(|&bounds| self.cell_of(bounds))
    }
}

/// The bytes of one field: `start..end` in the file, quotes included.
#[derive(Debug, Clone, Copy)]
struct FieldBytes {
    start: usize,
    end: usize,
    /// For a quoted field: where the text inside the quotes ends (the closing
    /// quote, or the end of the file when the quote is left open).
    close: Option<usize>,
    /// A quoted field holds `""` or `\r`: its text must be rebuilt.
    rebuild: bool,
}

/// Reads records one after the other from a range of a decoded text.
pub(crate) struct Scanner<'t> {
    text: &'t str,
    /// Where `text` starts in the file's text (see [`Piece`]).
    base: usize,
    delimiter: u8,
    /// Whether a quoted cell ran to the end of the text.
    unclosed: bool,
    /// The next byte to read.
    pos: usize,
    /// Records starting at or after this offset belong to the next piece.
    limit: usize,
    /// The 1-based line of `pos`.
    line: u32,
    /// The eight bytes last read by [`Scanner::plain_end`] start here...
    word_at: usize,
    /// ... and these of them are stops (see [`Scanner::stops`]): the next
    /// field or two usually end in the same eight bytes.
    word_stops: u64,
}

impl<'t> Scanner<'t> {
    /// A scanner of the records starting in `range`; `line` is the line at `range.start`.
    pub(crate) fn new(text: &'t str, delimiter: u8, range: Range<usize>, line: u32) -> Scanner<'t> {
        Scanner {
            text,
            base: 0,
            delimiter,
            unclosed: false,
            pos: range.start,
            limit: range.end.min(text.len()),
            line,
            word_at: usize::MAX,
            word_stops: 0,
        }
    }

    /// The span in the file's text of `from..to` of `text`, without surrounding whitespace.
    fn span(&self, from: usize, to: usize) -> Span {
        trimmed(self.text, from, to).shifted(self.base)
    }

    fn byte(&self, at: usize) -> Option<u8> {
        self.text.as_bytes().get(at).copied()
    }

    /// Skips the line ends before a record; returns where it starts, if one
    /// starts in the range.
    pub(crate) fn start_record(&mut self) -> Option<usize> {
        while let Some(b @ (b'\r' | b'\n')) = self.byte(self.pos) {
            if b == b'\n' {
                self.line = self.line.saturating_add(1);
            }
            self.pos += 1;
        }
        (self.pos < self.limit).then_some(self.pos)
    }

    /// The next record's fields (into `fields`, cleared first), or `None` at the end of the range.
    pub(crate) fn record(&mut self, fields: &mut Fields<'t>) -> Option<Record> {
        fields.bounds.clear();
        let begin = self.start_record()?;
        let line = self.line;
        loop {
            let start = self.pos;
            if self.byte(start) == Some(b'"') {
                self.field();
            } else {
                self.pos = self.plain_end(start);
            }
            fields.bounds.push((start, self.pos));
            if !self.next_field() {
                break;
            }
        }
        Some(Record { line, span: self.span(begin, self.pos) })
    }

    /// The text of the unquoted field at `pos`, moving past it; `None`, not
    /// moving, when the field is quoted.
    #[inline(always)]
    fn plain_field(&mut self) -> Option<&'t str> {
        let start = self.pos;
        if self.byte(start) == Some(b'"') {
            return None;
        }
        self.pos = self.plain_end(start);
        self.text.get(start..self.pos)
    }

    /// The unquoted field at `pos` as a plain number, moving past it: each
    /// byte is read once, and typed as it is read by the reader
    /// [`super::cell::plain_digits`] reads a text with ([`PlainDigits`]).
    /// Any other field as [`Scanner::plain_field`] gives it.
    #[inline(always)]
    fn plain_number(&mut self) -> PlainNumber<'t> {
        let bytes = self.text.as_bytes();
        let mut reader = PlainDigits::new(bytes.get(self.pos..).unwrap_or_default());
        let mut at = self.pos + reader.length_so_far();
        while let Some(&b) = bytes.get(at) {
            // Digits first: most bytes are.
            if !reader.take(b) {
                if b == self.delimiter || b == b'\n' || b == b'\r' {
                    break;
                }
                return self.not_a_number();
            }
            at += 1;
        }
        // The field ends here: it is `text[pos..at]`.
        let field = match reader.finish() {
            Some((digits, scale, negative)) => PlainNumber::Digits(digits, scale, negative),
            None => self.text.get(self.pos..at).map_or(PlainNumber::Quoted, PlainNumber::Text),
        };
        self.pos = at;
        field
    }

    /// The field at `pos`, which is not a plain number, as [`Scanner::plain_field`] reads it.
    fn not_a_number(&mut self) -> PlainNumber<'t> {
        self.plain_field().map_or(PlainNumber::Quoted, PlainNumber::Text)
    }

    /// Steps over the next record without looking at its cells; false at the end of the range.
    fn skip_record(&mut self) -> bool {
        if self.start_record().is_none() {
            return false;
        }
        loop {
            self.field();
            if !self.next_field() {
                return true;
            }
        }
    }

    /// After a field: steps over a delimiter and says whether another field follows.
    fn next_field(&mut self) -> bool {
        if self.byte(self.pos) == Some(self.delimiter) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Finds the bytes of the field at `pos` and moves past them (not past the delimiter).
    fn field(&mut self) -> FieldBytes {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let mut close = None;
        let mut rebuild = false;
        if self.byte(start) == Some(b'"') {
            let mut i = start + 1;
            loop {
                match bytes.get(i) {
                    None => {
                        self.unclosed = true;
                        break;
                    }
                    Some(b'"') if self.byte(i + 1) == Some(b'"') => {
                        rebuild = true;
                        i += 2;
                    }
                    Some(b'"') => break,
                    Some(b'\n') => {
                        self.line = self.line.saturating_add(1);
                        i += 1;
                    }
                    Some(b'\r') => {
                        rebuild = true;
                        i += 1;
                    }
                    Some(_) => i += 1,
                }
            }
            close = Some(i.min(bytes.len()));
            // Past the closing quote, if there is one.
            self.pos = (i + 1).min(bytes.len());
        }
        // Unquoted text, or text after the closing quote, runs to the delimiter or the line end.
        self.pos = self.plain_end(self.pos);
        FieldBytes { start, end: self.pos, close, rebuild }
    }

    /// Where unquoted text starting at `from` ends: at the next delimiter,
    /// `\r` or `\n`, or at the end of the text.
    #[inline]
    fn plain_end(&mut self, from: usize) -> usize {
        let bytes = self.text.as_bytes();
        let mut at = from;
        loop {
            // Eight bytes at a time: the lowest marked byte at or after `at` is the next stop.
            if let Some(skip) = at.checked_sub(self.word_at).filter(|&skip| skip < 8) {
                let ahead = self.word_stops & (u64::MAX << (skip * 8));
                if ahead != 0 {
                    return self.word_at + (ahead.trailing_zeros() / 8) as usize;
                }
                at = self.word_at + 8;
            }
            let Some(word) = bytes.get(at..at + 8).and_then(|chunk| <[u8; 8]>::try_from(chunk).ok()) else { break };
            self.word_at = at;
            self.word_stops = self.stops(u64::from_le_bytes(word));
        }
        // The last few bytes of the text, one at a time.
        let delimiter = self.delimiter;
        let rest = bytes.get(at..).unwrap_or_default();
        at + rest.iter().position(|&b| b == delimiter || b == b'\n' || b == b'\r').unwrap_or(rest.len())
    }

    /// The bytes of `word` that end unquoted text (the delimiter, `\r`, `\n`), marked by their high bit.
    fn stops(&self, word: u64) -> u64 {
        zero_bytes(word ^ splat(self.delimiter)) | zero_bytes(word ^ splat(b'\n')) | zero_bytes(word ^ splat(b'\r'))
    }
}

/// The text of a field: without its quotes, `""` as `"`, and a line break
/// inside a quoted cell as `\n` whatever the file's line ends.
fn field_text(text: &str, field: FieldBytes) -> Cow<'_, str> {
    let Some(close) = field.close else {
        return Cow::Borrowed(text.get(field.start..field.end).unwrap_or(""));
    };
    let inside = text.get(field.start + 1..close).unwrap_or("");
    // Text after the closing quote joins the field (`"a"b` is `ab`).
    let after = text.get((close + 1).min(field.end)..field.end).unwrap_or("");
    if !field.rebuild && after.is_empty() {
        return Cow::Borrowed(inside);
    }
    let mut value = if field.rebuild { inside.replace("\"\"", "\"") } else { inside.to_string() };
    if value.contains('\r') {
        value = value.replace("\r\n", "\n");
    }
    value.push_str(after);
    Cow::Owned(value)
}

/// `byte` in each of the eight bytes of a word.
const fn splat(byte: u8) -> u64 {
    u64::from_le_bytes([byte; 8])
}

/// The bytes of `word` that are zero, marked by their high bit (no carry
/// crosses from one byte to the next).
const fn zero_bytes(word: u64) -> u64 {
    let low = splat(0x7F);
    !(((word & low) + low) | word) & splat(0x80)
}

/// How many `\n` there are in `bytes`, eight at a time.
pub(crate) fn line_breaks(bytes: &[u8]) -> usize {
    let mut words = bytes.chunks_exact(8);
    let mut count = 0;
    for word in words.by_ref() {
        let word = <[u8; 8]>::try_from(word).map_or(0, u64::from_le_bytes);
        count += zero_bytes(word ^ splat(b'\n')).count_ones() as usize;
    }
    count + words.remainder().iter().filter(|&&b| b == b'\n').count()
}

/// The span of `text[from..to]` without surrounding whitespace.
fn trimmed(text: &str, from: usize, to: usize) -> Span {
    let field = text.get(from..to).unwrap_or("");
    let body = cell::trim(field);
    if body.len() == field.len() {
        return Span::new(from, to);
    }
    let lead = field.len() - field.trim_start().len();
    Span::new(from + lead, from + lead + body.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A field typed while it is read is typed as its text is, and the
    /// scanner ends up where reading the text leaves it.
    #[test]
    fn numbers_read_in_one_pass_as_their_texts_read() {
        // Six picks of 32 are one of these: a sign, a point, a quote, a line
        // end, the delimiter, a space.
        let alphabet = b"-.\"\r, ";
        let (mut state, mut digits) = (5u64, 0);
        for case in 0..100_000 {
            let mut field = String::new();
            for _ in 0..case % 24 {
                state = crate::testing::lcg(state);
                let pick = usize::try_from(state >> 59).unwrap();
                field.push(char::from(if pick < 26 { b'0' + (pick % 10) as u8 } else { alphabet[(pick - 26) % alphabet.len()] }));
            }
            let text = format!("{field},7\n");
            let mut by_number = Scanner::new(&text, b',', 0..text.len(), 1);
            let mut by_text = Scanner::new(&text, b',', 0..text.len(), 1);
            let expected = match by_text.plain_field() {
                None => PlainNumber::Quoted,
                Some(t) => super::super::cell::plain_digits(t).map_or(PlainNumber::Text(t), |(d, s, n)| PlainNumber::Digits(d, s, n)),
            };
            let got = by_number.plain_number();
            digits += usize::from(matches!(got, PlainNumber::Digits(..)));
            assert_eq!(got, expected, "{field:?}");
            assert_eq!(by_number.pos, by_text.pos, "{field:?}");
        }
        assert!(digits > 30_000, "only {digits} plain numbers");
    }

    #[test]
    fn records_are_found_again_from_their_lines() {
        let found_again = |text: &str| {
            let source = SourceFile::new("t.csv", text);
            let mut scanner = Scanner::new(text, b',', 0..text.len(), 1);
            let mut fields = Fields::new(text, b',');
            scanner.record(&mut fields);
            let body = Body { start: scanner.pos, line: scanner.line, delimiter: b',' };
            let mut records = Vec::new();
            while let Some(record) = scanner.record(&mut fields) {
                records.push((record_on_line(&source, body, record.line), Some(record.span)));
            }
            // Nor is a line past the end.
            assert_eq!(record_on_line(&source, body, 1000), None);
            (records, record_on_line(&source, body, 1))
        };
        let text = "a,b\r\n 1 ,2\r\n\r\n\n\"x\ny\",3\n\"\"\"q\",4\r\n5,\"6\n\n7\"\n8,9";
        let (records, header) = found_again(text);
        assert_eq!(header, None);
        assert_eq!(records.len(), 5);
        for (again, read) in records {
            assert_eq!(again, read);
        }
        // Lines ending in a bare `\r`: several records start on one line, none is found.
        let (records, _) = found_again("a,b\r1,2\r3,4\r");
        assert_eq!(records.iter().map(|(again, _)| *again).collect::<Vec<_>>(), [None, None]);
        // ... unless only one record follows the header there.
        let (records, _) = found_again("a,b\r1,2\r");
        assert_eq!(records.iter().map(|(again, read)| *again == *read).collect::<Vec<_>>(), [true]);
    }

    /// Every record of `text`: its line, its span's text and its cells' texts and spans' texts.
    type Scanned = Vec<(u32, String, Vec<(String, String)>)>;

    fn scan(text: &str, delimiter: u8) -> Scanned {
        scan_range(text, delimiter, 0..text.len(), 1)
    }

    fn scan_range(text: &str, delimiter: u8, range: Range<usize>, line: u32) -> Scanned {
        let mut scanner = Scanner::new(text, delimiter, range, line);
        let mut fields = Fields::new(text, delimiter);
        let mut out = Vec::new();
        while let Some(record) = scanner.record(&mut fields) {
            let fields = fields
                .cells()
                .map(|c| {
                    let Raw::Text(t) = &c.raw else { panic!("text") };
                    let Loc::Span(s) = c.loc else { panic!("span") };
                    (t.to_string(), text[s.start..s.end].to_string())
                })
                .collect();
            out.push((record.line, text[record.span.start..record.span.end].to_string(), fields));
        }
        out
    }

    fn texts(scanned: &Scanned) -> Vec<Vec<&str>> {
        scanned.iter().map(|(_, _, f)| f.iter().map(|(t, _)| t.as_str()).collect()).collect()
    }

    /// What the `csv` crate reads from `text`, as kaohe used it before the scanner.
    fn csv_crate(text: &str, delimiter: u8) -> Vec<Vec<String>> {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
        reader.records().map(|r| r.unwrap().iter().map(|f| f.replace("\r\n", "\n")).collect()).collect()
    }

    #[test]
    fn quoted_fields_doubled_quotes_and_spans() {
        let text = "a,\"b,\"\"c\"\" \" ,,d";
        let scanned = scan(text, b',');
        // The space after the closing quote joins the field.
        assert_eq!(texts(&scanned), [["a", "b,\"c\"  ", "", "d"]]);
        let spans: Vec<&str> = scanned[0].2.iter().map(|(_, s)| s.as_str()).collect();
        assert_eq!(spans, ["a", "\"b,\"\"c\"\" \"", "", "d"]);
        // Text after the closing quote joins the field; a quote inside an unquoted field is a character.
        assert_eq!(texts(&scan("\"a\"b,c\"d\n", b',')), [["ab", "c\"d"]]);
    }

    #[test]
    fn line_ends_lines_and_blank_rows() {
        let text = "h1,h2\r\n\r\nx,\"line\r\nbreak\"\r\n ,\n\ny;z,w\r";
        let scanned = scan(text, b',');
        assert_eq!(texts(&scanned), [vec!["h1", "h2"], vec!["x", "line\nbreak"], vec![" ", ""], vec!["y;z", "w"]]);
        let lines: Vec<u32> = scanned.iter().map(|r| r.0).collect();
        assert_eq!(lines, [1, 3, 5, 7]);
        assert_eq!(scanned[1].1, "x,\"line\r\nbreak\"");
        // A bare `\r` ends a record too, but only `\n` counts as a line.
        assert_eq!(scan("a\rb\n", b',').iter().map(|r| r.0).collect::<Vec<_>>(), [1, 1]);
    }

    #[test]
    fn open_quote_runs_to_the_end_and_empty_text_has_no_record() {
        assert_eq!(texts(&scan("a,\"b\nc,d\n", b',')), [["a", "b\nc,d\n"]]);
        assert!(scan("", b',').is_empty());
        assert!(scan("\r\n\n", b',').is_empty());
        assert_eq!(texts(&scan("a,", b',')), [["a", ""]]);
        assert_eq!(texts(&scan("a\tb", b'\t')), [["a", "b"]]);
    }

    #[test]
    fn a_bom_is_trimmed_from_the_header_only_by_the_reader() {
        // `decode` drops a byte-order mark; one left in the text stays in the first cell's text.
        assert_eq!(texts(&scan("\u{FEFF}a,b\n", b',')), [["\u{FEFF}a", "b"]]);
    }

    /// Texts made of the bytes that matter to CSV, in every order the
    /// generator reaches; the scanner must read them as the `csv` crate does.
    #[test]
    fn reads_what_the_csv_crate_reads() {
        let alphabet = ["a", "\"", ",", "\n", "\r", " ", "\"\"", "\r\n", "海", ";"];
        let mut state: u64 = 7;
        for case in 0..20_000 {
            let mut text = String::new();
            let len = case % 17;
            for _ in 0..len {
                state = crate::testing::lcg(state);
                text.push_str(alphabet[usize::try_from(state >> 60).unwrap() % alphabet.len()]);
            }
            for delimiter in [b',', b';'] {
                let ours: Vec<Vec<String>> =
                    scan(&text, delimiter).into_iter().map(|(_, _, f)| f.into_iter().map(|(t, _)| t).collect()).collect();
                assert_eq!(ours, csv_crate(&text, delimiter), "{text:?}");
            }
        }
    }

    /// Long fields and long records (read eight bytes at a time), CRLF,
    /// CJK text, empty cells, quotes and byte-order marks (not first: the
    /// `csv` crate drops a leading one), against the `csv` crate; and the
    /// line breaks counted eight at a time.
    #[test]
    fn long_fields_read_as_the_csv_crate_reads_them() {
        let alphabet = ["12345678", "-0.5", "海陵区人民政府", ",", ",", "\n", "\r\n", " ", "\"x,\"\"y\"", "abc", "\t", "", "x\u{FEFF}"];
        let mut state: u64 = 3;
        for case in 0..5_000 {
            let mut text = String::new();
            for _ in 0..case % 40 {
                state = crate::testing::lcg(state);
                text.push_str(alphabet[usize::try_from(state >> 33).unwrap() % alphabet.len()]);
            }
            for delimiter in [b',', b'\t'] {
                let ours: Vec<Vec<String>> =
                    scan(&text, delimiter).into_iter().map(|(_, _, f)| f.into_iter().map(|(t, _)| t).collect()).collect();
                assert_eq!(ours, csv_crate(&text, delimiter), "{text:?}");
            }
            for from in 0..text.len().min(9) {
                let bytes = &text.as_bytes()[from..];
                assert_eq!(line_breaks(bytes), bytes.iter().filter(|&&b| b == b'\n').count(), "{text:?}");
            }
        }
    }

    /// A field is plain (read as written) unless quoted; a row is empty when every cell is blank.
    #[test]
    fn plain_fields_and_empty_rows() {
        let text = "a, b ,\"c\",,\" \"\n ,\t,\"\"\nx\n";
        let mut scanner = Scanner::new(text, b',', 0..text.len(), 1);
        let mut fields = Fields::new(text, b',');
        assert!(scanner.record(&mut fields).is_some());
        let plain: Vec<Option<&str>> = (0..6).map(|i| fields.plain(i)).collect();
        assert_eq!(plain, [Some("a"), Some(" b "), None, Some(""), None, None]);
        assert!(!fields.all_empty());
        assert!(scanner.record(&mut fields).is_some());
        assert!(fields.all_empty());
        assert!(scanner.record(&mut fields).is_some());
        assert!(!fields.all_empty());
    }

    #[test]
    fn pieces_start_at_records_and_read_like_the_whole() {
        let mut text = String::from("name,value\n");
        for i in 0..300 {
            match i % 5 {
                0 => text.push_str(&format!("\"multi\nline {i}\",{i}\n")),
                1 => text.push_str(&format!("a{i},\"x\"\"y\r\nz\"\r\n")),
                2 => text.push_str("\n\n"),
                _ => text.push_str(&format!("b{i},{i}\n")),
            }
        }
        for quoted in [true, false] {
            let text = if quoted { text.clone() } else { text.replace('"', "") };
            let whole = scan(&text, b',');
            let body = Body { start: text.find('\n').unwrap() + 1, line: 2, delimiter: b',' };
            for count in [1, 2, 3, 7, 50, 10_000] {
                let mut joined = scan_range(&text, b',', 0..body.start, 1);
                for (range, line) in pieces(&text, body, count) {
                    joined.extend(scan_range(&text, b',', range, line));
                }
                assert_eq!(joined, whole, "quoted {quoted}, {count} pieces");
            }
        }
    }
}
