//! CSV files, as offices produce them.
//!
//! The `csv` crate reads the records (quoting, doubled quotes, newlines inside
//! quoted cells, CRLF). It does not say where each field lies in the text, so
//! a small scanner that follows the same quoting rules finds each field's
//! bytes for the labels; if the two ever disagree, the whole record is
//! labelled instead. The delimiter is `,`, or a tab (or `;`) when the header
//! line has no comma but has those. Rows of empty cells (Excel's trailing
//! `,,,`) are skipped.

use std::borrow::Cow;
use std::sync::Arc;

use super::cell::Raw;
use super::errors;
use super::table::{Cell, Ctx, Loc, Place, TableLoader};
use crate::source::{SourceFile, Span};
use crate::text;

/// Reads a decoded CSV file into the loader.
pub(crate) fn read(ctx: &mut Ctx<'_>, loader: &mut TableLoader, file: &Arc<SourceFile>) {
    let text: &str = &file.text;
    let delimiter = sniff(text);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let place = Place::Text(file.clone());
    let mut header_seen = false;
    loop {
        let start = reader.position().byte();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let offset = e.position().map_or(start, |p| p.byte());
                let at = usize::try_from(offset).unwrap_or(0);
                let reason = e.to_string();
                ctx.diags.push(errors::format(
                    &place,
                    Loc::Span(Span::new(at, at)),
                    text!("this CSV record cannot be read: {reason}", "无法读取此 CSV 记录:{reason}"),
                    text!("here", "此处"),
                    text!("save the sheet again as CSV from Excel", "请从 Excel 重新另存为 CSV"),
                ));
                loader.failed = true;
                return;
            }
        }
        let record_start = record.position().map_or(start, |p| p.byte());
        let (mut begin, end) = (usize::try_from(record_start).unwrap_or(0), usize::try_from(reader.position().byte()).unwrap_or(0));
        // After a CRLF the reader places the next record at the `\n`.
        while matches!(text.as_bytes().get(begin), Some(b'\r' | b'\n')) && begin < end {
            begin += 1;
        }
        let raw = text.get(begin..end.min(text.len())).unwrap_or("");
        let line = u32::try_from(file.line_col(begin).0).unwrap_or(u32::MAX);
        let raw = raw.trim_end_matches(['\r', '\n']);
        let row_span = trimmed(raw, begin, 0, raw.len());
        let spans = field_spans(raw, begin, delimiter);
        let spans = if spans.len() == record.len() { spans } else { vec![row_span; record.len()] };
        if !header_seen {
            header_seen = true;
            let names: Vec<(String, Loc)> = record
                .iter()
                .zip(&spans)
                .map(|(name, span)| (name.trim().trim_start_matches('\u{FEFF}').to_string(), Loc::Span(*span)))
                .collect();
            if !loader.header(ctx, &names, Loc::Span(row_span)) {
                return;
            }
            continue;
        }
        let cells: Vec<Cell<'_>> =
            record.iter().zip(&spans).map(|(value, span)| Cell { raw: Raw::Text(text_of(value)), loc: Loc::Span(*span) }).collect();
        loader.row(ctx, line, Loc::Span(row_span), &cells);
    }
    if !header_seen {
        let name = &file.name;
        ctx.diags.push(errors::format(
            &place,
            Loc::Span(Span::new(0, 0)),
            text!("`{name}` is empty: expected a header row", "`{name}` 为空:应有表头行"),
            text!("no header", "没有表头"),
            text!("the first row names the columns, as declared in the scheme", "第一行为列名,与方案中声明的一致"),
        ));
        loader.failed = true;
    }
}

/// A cell's text; a line break inside a quoted cell is kept as `\n`, whatever the file's line ends.
fn text_of(value: &str) -> Cow<'_, str> {
    if value.contains('\r') { Cow::Owned(value.replace("\r\n", "\n")) } else { Cow::Borrowed(value) }
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

/// The span of `raw[from..to]` without surrounding whitespace, shifted by `base`.
fn trimmed(raw: &str, base: usize, from: usize, to: usize) -> Span {
    let field = raw.get(from..to).unwrap_or("");
    let lead = field.len() - field.trim_start().len();
    let body = field.trim();
    Span::new(base + from + lead, base + from + lead + body.len())
}

/// The bytes of each field of one record (quotes included, whitespace around excluded).
fn field_spans(raw: &str, base: usize, delimiter: u8) -> Vec<Span> {
    let bytes = raw.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    loop {
        let start = i;
        if bytes.get(i) == Some(&b'"') {
            i += 1;
            while i < bytes.len() {
                if bytes[i] == b'"' {
                    if bytes.get(i + 1) == Some(&b'"') {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
        }
        while i < bytes.len() && bytes[i] != delimiter {
            i += 1;
        }
        spans.push(trimmed(raw, base, start, i));
        if i >= bytes.len() {
            break;
        }
        i += 1;
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_spans_follow_quotes() {
        let raw = "a,\"b,\"\"c\"\" \" ,,d";
        let spans: Vec<&str> = field_spans(raw, 0, b',').iter().map(|s| &raw[s.start..s.end]).collect();
        assert_eq!(spans, ["a", "\"b,\"\"c\"\" \"", "", "d"]);
        let raw = "x,\"line\nbreak\"";
        let spans: Vec<&str> = field_spans(raw, 0, b',').iter().map(|s| &raw[s.start..s.end]).collect();
        assert_eq!(spans, ["x", "\"line\nbreak\""]);
    }
}
