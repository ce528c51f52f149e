//! CSV output: one row per unit in rank order, every indicator's score.
//!
//! Written straight to the output as it goes: at national scale the results
//! of millions of units would otherwise be held twice, once as figures and
//! once as text.

use std::io::{self, Write};

use super::Assessment;

/// Writes the results as CSV (UTF-8 with a BOM, so Excel on Chinese Windows opens it right).
pub fn write(a: &Assessment, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
    out.write_all("\u{FEFF}".as_bytes())?;
    let groups = a.units.first().map_or(0, |u| u.groups.len());
    let mut header: Vec<String> = vec!["排名".into(), "组内排名".into(), "单位".into()];
    header.extend((1..=groups).map(|g| format!("分组{g}")));
    header.extend(["总分".into(), "等次".into(), "一票否决".into(), "可评先".into()]);
    header.extend(a.units.first().map(|u| u.indicators.iter().map(|i| i.path.clone()).collect::<Vec<_>>()).unwrap_or_default());
    write_row(out, &header)?;
    for u in &a.units {
        write!(out, "{},", u.rank)?;
        if let Some(g) = u.group_rank {
            write!(out, "{g}")?;
        }
        out.write_all(b",")?;
        write_field(out, &u.unit)?;
        for g in &u.groups {
            out.write_all(b",")?;
            write_field(out, g)?;
        }
        write!(out, ",{},", u.total)?;
        write_field(out, &u.grade)?;
        out.write_all(b",")?;
        write_field(out, &u.vetoes.join("、"))?;
        out.write_all(if u.award_eligible { ",是".as_bytes() } else { ",否".as_bytes() })?;
        for i in &u.indicators {
            out.write_all(b",")?;
            if i.applies {
                write!(out, "{}", i.score.normalize())?;
            }
        }
        out.write_all(b"\r\n")?;
    }
    Ok(())
}

/// The results as CSV text (see [`write`]).
pub fn render(a: &Assessment) -> String {
    let mut out = Vec::new();
    // Writing to a vector cannot fail.
    let _ = write(a, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Appends one CSV record (quoted where needed, CRLF-terminated).
pub fn push_row(out: &mut String, cells: &[String]) {
    let mut bytes = Vec::new();
    let _ = write_row(&mut bytes, cells);
    out.push_str(&String::from_utf8(bytes).unwrap_or_default());
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

/// Writes one field, quoted (with inner quotes doubled) when it holds a delimiter, a quote or a line break.
fn write_field(out: &mut (impl Write + ?Sized), cell: &str) -> io::Result<()> {
    if cell.contains([',', '"', '\n', '\r']) { write!(out, "\"{}\"", cell.replace('"', "\"\"")) } else { out.write_all(cell.as_bytes()) }
}
