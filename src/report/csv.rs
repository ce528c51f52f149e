//! CSV output: one row per unit in rank order, every indicator's score.
//!
//! Written to the output as it goes, a block of rows at a time, the blocks
//! formatted on every core: at national scale the results of millions of
//! units would otherwise be held twice, once as figures and once as text.

use std::borrow::Cow;
use std::io::{self, Write};

use rust_decimal::Decimal;

use super::Assessment;
use crate::decimals::Entry;

/// Writes the results as CSV (UTF-8 with a BOM, so Excel on Chinese Windows opens it right).
pub fn write(a: &Assessment, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
    out.write_all("\u{FEFF}".as_bytes())?;
    let groups = a.units().next().map_or(0, |u| u.groups().len());
    let mut header: Vec<String> = vec!["排名".into(), "组内排名".into(), "单位".into()];
    header.extend((1..=groups).map(|g| format!("分组{g}")));
    header.extend(["总分".into(), "等次".into(), "一票否决".into(), "可评先".into()]);
    header.extend(a.units().next().map(|u| u.indicators().map(|i| i.path().to_string()).collect::<Vec<_>>()).unwrap_or_default());
    write_row(out, &header)?;
    let blocks = (0..a.len()).step_by(ROWS_A_BLOCK).map(|start| start..a.len().min(start + ROWS_A_BLOCK));
    let mut written = Ok(());
    crate::cores::in_order(
        crate::cores::Work::Batches,
        blocks,
        |rows| {
            let mut block = Vec::with_capacity(rows.len() * 128);
            // Writing into a `Vec` cannot fail.
            let _ = write_units(a, rows, &mut block);
            block
        },
        |block| {
            if written.is_ok() {
                written = out.write_all(&block);
            }
        },
    );
    written
}

/// Rows formatted together on one core.
const ROWS_A_BLOCK: usize = 8192;

/// Writes the rows of the units at `rows` (places in rank order).
fn write_units(a: &Assessment, rows: std::ops::Range<usize>, out: &mut Vec<u8>) -> io::Result<()> {
    // A national run writes millions of rows: no formatter, no allocation per row.
    for u in a.units_at(rows) {
        write_digits(out, false, u64::from(u.rank()), 0)?;
        out.push(b',');
        if let Some(g) = u.group_rank() {
            write_digits(out, false, u64::from(g), 0)?;
        }
        out.push(b',');
        write_field(out, u.key())?;
        for g in u.groups() {
            out.push(b',');
            write_field(out, g)?;
        }
        out.push(b',');
        write_decimal(out, u.total())?;
        out.push(b',');
        write_field(out, u.grade())?;
        out.push(b',');
        let vetoes = u.vetoes();
        if vetoes.len() > 0 {
            write_field(out, &vetoes.collect::<Vec<_>>().join("、"))?;
        }
        out.extend_from_slice(if u.award_eligible() { ",是".as_bytes() } else { ",否".as_bytes() });
        for i in u.indicators() {
            out.push(b',');
            if i.applies() {
                write_normalized_entry(out, i.score_entry())?;
            }
        }
        out.extend_from_slice(b"\r\n");
    }
    Ok(())
}

/// Writes a decimal exactly as its `Display` does (`-0.05`, `90.00`, `7`),
/// without the general formatter, which costs more than the rest of a row.
fn write_decimal(out: &mut (impl Write + ?Sized), d: Decimal) -> io::Result<()> {
    // Zero keeps the sign and digits rust_decimal gives it (`-0.0`); wide digits are left to it too.
    match u64::try_from(d.mantissa().unsigned_abs()).ok().filter(|&m| m != 0) {
        Some(magnitude) => write_digits(out, d.is_sign_negative(), magnitude, d.scale() as usize),
        None => write!(out, "{d}"),
    }
}

/// Writes a decimal as `d.normalize()` displays (`92.5` for `92.50`, `0`
/// for `-0.00`), without making the normalised decimal.
fn write_normalized(out: &mut (impl Write + ?Sized), d: Decimal) -> io::Result<()> {
    match u64::try_from(d.mantissa().unsigned_abs()) {
        Ok(magnitude) => write_normalized_digits(out, d.is_sign_negative(), magnitude, d.scale() as usize),
        Err(_) => write!(out, "{}", d.normalize()),
    }
}

/// [`write_normalized`] of an entry's figure (an empty entry counting 0),
/// from its digits where they are narrow.
fn write_normalized_entry(out: &mut (impl Write + ?Sized), entry: Entry) -> io::Result<()> {
    match entry {
        Entry::Narrow(f) => write_normalized_digits(out, f.mantissa < 0, f.mantissa.unsigned_abs(), f.scale as usize),
        other => write_normalized(out, other.figure()),
    }
}

/// Writes `±magnitude × 10^-scale` as [`write_normalized`] does: without
/// trailing zeros after the point, and zero as `0`.
fn write_normalized_digits(out: &mut (impl Write + ?Sized), negative: bool, mut magnitude: u64, mut scale: usize) -> io::Result<()> {
    if magnitude == 0 {
        return out.write_all(b"0");
    }
    while scale > 0 && magnitude % 10 == 0 {
        magnitude /= 10;
        scale -= 1;
    }
    write_digits(out, negative, magnitude, scale)
}

/// Writes `±magnitude × 10^-scale` with `scale` places (at most 28), in one write.
fn write_digits(out: &mut (impl Write + ?Sized), negative: bool, magnitude: u64, scale: usize) -> io::Result<()> {
    // Filled from the end: up to 28 places, the point, 20 digits of a u64, the sign.
    let mut text = [0u8; 52];
    let mut at = text.len();
    let mut rest = magnitude;
    // Two digits at a time: one division by 100 instead of two by 10.
    let put_pair = |text: &mut [u8; 52], at: &mut usize, rest: &mut u64| {
        let pair = (*rest % 100) as usize * 2;
        *rest /= 100;
        *at -= 2;
        text[*at..*at + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    };
    let put_digit = |text: &mut [u8; 52], at: &mut usize, rest: &mut u64| {
        *at -= 1;
        text[*at] = b'0' + (*rest % 10) as u8;
        *rest /= 10;
    };
    if scale > 0 {
        for _ in 0..scale / 2 {
            put_pair(&mut text, &mut at, &mut rest);
        }
        if scale % 2 == 1 {
            put_digit(&mut text, &mut at, &mut rest);
        }
        at -= 1;
        text[at] = b'.';
    }
    // The whole part: at least one digit.
    while rest >= 100 {
        put_pair(&mut text, &mut at, &mut rest);
    }
    if rest >= 10 {
        put_pair(&mut text, &mut at, &mut rest);
    } else {
        put_digit(&mut text, &mut at, &mut rest);
    }
    if negative {
        at -= 1;
        text[at] = b'-';
    }
    out.write_all(&text[at..])
}

/// `00`, `01`, … `99`, one after the other.
const DIGIT_PAIRS: [u8; 200] = {
    let mut pairs = [0u8; 200];
    let mut i = 0;
    while i < 100 {
        pairs[2 * i] = b'0' + (i / 10) as u8;
        pairs[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    pairs
};

/// The results as CSV text (see [`write()`]).
pub fn render(a: &Assessment) -> String {
    let mut out = Vec::new();
    // Writing to a vector cannot fail.
    let _ = write(a, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Appends one CSV record (quoted where needed, CRLF-terminated).
pub fn push_row(out: &mut String, cells: &[String]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&quoted(cell));
    }
    out.push_str("\r\n");
}

/// Writes one CSV record (quoted where needed, CRLF-terminated).
fn write_row(out: &mut (impl Write + ?Sized), cells: &[String]) -> io::Result<()> {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        write_field(out, cell)?;
    }
    out.write_all(b"\r\n")
}

/// Writes one field (see [`quoted`]).
fn write_field(out: &mut (impl Write + ?Sized), cell: &str) -> io::Result<()> {
    out.write_all(quoted(cell).as_bytes())
}

/// A field as CSV holds it: quoted, with inner quotes doubled, when it has a delimiter, a quote or a line break.
fn quoted(cell: &str) -> Cow<'_, str> {
    // Bytes, not characters: these four are ASCII, which UTF-8 never uses inside another character.
    if cell.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        Cow::Owned(format!("\"{}\"", cell.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::UnitColumns;

    #[test]
    fn blocks_are_written_in_rank_order() {
        // Three blocks and a bit: whichever core formats a block, rows stay in order.
        let units = ROWS_A_BLOCK * 3 + 5;
        let keys: Vec<String> = (0..units).map(|u| format!("单位{u:06}")).collect();
        let mut a = Assessment::new("方案".into(), 2024);
        let (group, grade) = (a.name("一组"), a.name("优秀"));
        let total = |u: usize| Some(Decimal::new(1_000_000 - i64::try_from(u + 1).unwrap(), 2));
        let columns = UnitColumns {
            keys: |u: usize| keys[u].as_str(),
            groups: vec![vec![group; units]],
            grades: vec![grade; units],
            ranks: (0..units).map(|u| u32::try_from(u + 1).unwrap()).collect(),
            group_ranks: None,
            vetoes: Vec::new(),
            award_eligible: vec![true; units],
            grade_notes: vec![None; units],
            over_quota: vec![None; units],
            totals: (0..units).map(total).collect(),
            exact_totals: (0..units).map(total).collect(),
            rank_keys: Vec::new(),
        };
        a.push_units(columns, &(0..units).collect::<Vec<_>>());
        let mut out = Vec::new();
        write(&a, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let rows: Vec<&str> = text.lines().skip(1).collect();
        assert_eq!(rows.len(), units);
        for (u, row) in rows.iter().enumerate() {
            assert_eq!(*row, format!("{},,单位{u:06},一组,{},优秀,,是", u + 1, Decimal::new(1_000_000 - (u as i64 + 1), 2)));
        }
    }

    #[test]
    fn fields_are_quoted_when_a_character_needs_it() {
        // Full-width punctuation and other multi-byte characters never need quotes.
        let cases = ["泰州市海陵区", "甲，乙", "“引号”", "a,b", "说\"明\"", "第一行\n第二行", "行\r", "", "，\u{2028}"];
        for cell in cases {
            let needs = cell.contains([',', '"', '\n', '\r']);
            let expected = if needs { format!("\"{}\"", cell.replace('"', "\"\"")) } else { cell.to_string() };
            assert_eq!(quoted(cell), expected, "{cell:?}");
        }
        assert_eq!(quoted("说\"明\""), "\"说\"\"明\"\"\"");
    }

    #[test]
    fn decimals_are_written_as_display_and_normalize_write_them() {
        let mut next = crate::testing::numbers(7);
        let mut cases: Vec<Decimal> =
            ["0", "-0", "0.00", "-0.05", "90.00", "7", "0.5", "-12.345", "100", "0.0001"].iter().filter_map(|s| s.parse().ok()).collect();
        cases.push(Decimal::MAX);
        cases.push(Decimal::MIN);
        for _ in 0..100_000 {
            let mantissa = i64::try_from(next() % 10u64.pow(1 + (next() % 18) as u32)).unwrap_or(0);
            let sign = if next() % 3 == 0 { -1 } else { 1 };
            cases.push(Decimal::new(sign * mantissa, (next() % 29) as u32));
        }
        for d in cases {
            let mut written = Vec::new();
            let _ = write_decimal(&mut written, d);
            assert_eq!(String::from_utf8(written).unwrap_or_default(), d.to_string(), "mantissa {} scale {}", d.mantissa(), d.scale());
            let mut written = Vec::new();
            let _ = write_normalized(&mut written, d);
            assert_eq!(String::from_utf8(written).unwrap_or_default(), d.normalize().to_string(), "{d} normalised");
            // The same from the entry a results' column holds (narrow or kept whole).
            let mut written = Vec::new();
            let _ = write_normalized_entry(&mut written, Entry::of(d));
            assert_eq!(String::from_utf8(written).unwrap_or_default(), d.normalize().to_string(), "{d} normalised from its entry");
        }
        // An empty entry counts 0, as the score does.
        let mut written = Vec::new();
        let _ = write_normalized_entry(&mut written, Entry::Empty);
        assert_eq!(written, b"0");
    }
}
