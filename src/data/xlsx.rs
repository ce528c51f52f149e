//! Excel workbooks (calamine): one sheet per table, the first row of the
//! sheet's used range is the header.
//!
//! Excel holds every number as an `f64`. kaohe takes the number Excel shows:
//! the value rounded to 15 significant digits (Excel's display precision),
//! then parsed exactly as a decimal. So a cell showing `0.3` that holds
//! 0.299999999999999988898 is read as 0.3, and `95%` (held as 0.95) as 0.95.
//! A number in a percent column is taken as the fraction Excel holds. Dates
//! are date cells (the time of day dropped), date serials in a date column
//! (1900 date system), or text. Excel error values (`#DIV/0!`) are bad cells.

use std::borrow::Cow;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use calamine::{Data, Range, Reader, Sheets};
use rust_decimal::Decimal;

use super::cell::Raw;
use super::table::{Cell, Ctx, Loc, TableLoader};
use crate::date::Date;

/// An open workbook.
pub(crate) type Workbook = Sheets<BufReader<File>>;

/// Opens a workbook, or says why not.
pub(crate) fn open(path: &Path) -> Result<Workbook, String> {
    calamine::open_workbook_auto(path).map_err(|e| e.to_string())
}

/// The sheet's cells, or why they cannot be read.
pub(crate) fn range(workbook: &mut Workbook, sheet: &str) -> Result<Range<Data>, String> {
    workbook.worksheet_range(sheet).map_err(|e| e.to_string())
}

/// A number as Excel shows it: 15 significant digits, then exact.
pub(crate) fn displayed(value: f64) -> Option<Decimal> {
    if !value.is_finite() {
        return None;
    }
    let shown = format!("{value:.14e}");
    Decimal::from_scientific(&shown).ok().map(|d| d.normalize())
}

fn raw(data: &Data) -> Raw<'_> {
    match data {
        Data::Empty => Raw::Empty,
        Data::String(s) | Data::DateTimeIso(s) => Raw::Text(Cow::Borrowed(s)),
        Data::Int(i) => Raw::Number(Decimal::from(*i)),
        Data::Float(f) => match displayed(*f) {
            Some(d) => Raw::Number(d),
            None => Raw::Error(Cow::Owned(f.to_string())),
        },
        Data::Bool(b) => Raw::Bool(*b),
        Data::DateTime(dt) if dt.is_duration() => Raw::Error(Cow::Owned(format!("{} (a duration)", dt.as_f64()))),
        Data::DateTime(dt) => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            match Date::new(i32::from(y), u32::from(m), u32::from(d)) {
                Some(date) => Raw::Date(date),
                None => Raw::Error(Cow::Owned(dt.as_f64().to_string())),
            }
        }
        Data::DurationIso(s) => Raw::Error(Cow::Borrowed(s)),
        Data::Error(e) => Raw::Error(Cow::Owned(e.to_string())),
    }
}

/// Reads one sheet into the loader.
pub(crate) fn read(ctx: &mut Ctx<'_>, loader: &mut TableLoader, range: &Range<Data>) {
    let Some((top, left)) = range.start() else {
        // An empty sheet: no header, no rows.
        let _ = loader.header(ctx, &[], Loc::Row(0));
        return;
    };
    let mut rows = range.rows();
    let Some(header) = rows.next() else { return };
    let col = |j: usize| left.saturating_add(u32::try_from(j).unwrap_or(u32::MAX));
    let names: Vec<(String, Loc)> = header
        .iter()
        .enumerate()
        .map(|(j, d)| {
            let name = match raw(d) {
                Raw::Text(t) => t.trim().to_string(),
                other => other.shown(),
            };
            (name, Loc::Cell { row: top, col: col(j) })
        })
        .collect();
    if !loader.header(ctx, &names, Loc::Row(top)) {
        return;
    }
    for (i, data) in rows.enumerate() {
        let row = top.saturating_add(1).saturating_add(u32::try_from(i).unwrap_or(u32::MAX));
        let cells: Vec<Cell<'_>> =
            data.iter().enumerate().map(|(j, d)| Cell { raw: raw(d), loc: Loc::Cell { row, col: col(j) } }).collect();
        loader.row(ctx, row.saturating_add(1), Loc::Row(row), cells.as_slice());
    }
}

#[cfg(test)]
mod tests {
    use super::displayed;
    use std::str::FromStr;

    #[test]
    fn numbers_as_excel_shows_them() {
        let d = |s: &str| rust_decimal::Decimal::from_str(s).ok();
        assert_eq!(displayed(0.95), d("0.95"));
        assert_eq!(displayed(0.300_000_000_000_000_04), d("0.3"));
        assert_eq!(displayed(1234.5), d("1234.5"));
        assert_eq!(displayed(-3.0), d("-3"));
        assert_eq!(displayed(123_456_789_012_345_680.0), d("123456789012346000"));
        assert_eq!(displayed(f64::NAN), None);
        assert_eq!(displayed(f64::INFINITY), None);
        // Excel's negative zero is plain 0, never `-0` in a report.
        assert_eq!(displayed(-0.0).map(|z| z.to_string()), Some("0".to_string()));
        // Beyond what a Decimal holds: no number, so the cell is reported as bad.
        assert_eq!(displayed(1e300), None);
    }
}
