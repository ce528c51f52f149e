//! Data loading: one folder per case in `tests/data/`.
//!
//! A case folder holds `scheme.kh` (its first line says what the case shows),
//! the data files (`NAME.csv`, `NAME.json`, or one `.xlsx` workbook, made by
//! the folder's `make.py` where the files are binary) and, optionally,
//! `encoding.txt` (the `--encoding` to force). The snapshot holds the case's
//! comment, every diagnostic's code, the rendered diagnostics (English, then
//! Chinese) and, when loading found no error, a summary of the dataset: the
//! units and every table's rows with their typed values.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use kaohe::ast::PeriodKind;
use kaohe::check;
use kaohe::data::{self, Column, Dataset, LoadOptions};
use kaohe::diagnostics::{Lang, render};
use kaohe::model::{ColumnType, Scheme};

/// The case's path relative to the crate, so snapshots do not depend on where it lives.
fn relative(path: &Path) -> PathBuf {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(path).to_path_buf()
}

/// The data path of a case: its workbook if it has one, else the folder.
fn data_path(dir: &Path) -> PathBuf {
    let mut workbooks: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "xlsx")).collect())
        .unwrap_or_default();
    workbooks.sort();
    workbooks.into_iter().next().map_or_else(|| dir.to_path_buf(), |w| dir.join(w.file_name().unwrap_or_default()))
}

fn period(kind: PeriodKind, p: u8) -> String {
    let n = u32::from(p) + 1;
    match kind {
        PeriodKind::Month => format!("M{n}"),
        PeriodKind::Quarter => format!("Q{n}"),
        PeriodKind::HalfYear => format!("H{n}"),
        PeriodKind::Year => "year".to_string(),
    }
}

/// One cell of a loaded table, as the snapshot shows it (`∅`: no value).
fn value(data: &Dataset, column: &Column, ty: &ColumnType, row: usize) -> String {
    let shown = match column {
        Column::Number(v) => v.get(row).map(|n| n.to_string()),
        Column::Text(v) => v.get(row).map(|s| format!("{:?}", data.strings.resolve(s))),
        Column::Date(v) => v[row].map(|d| d.to_string()),
        Column::Bool(v) => v[row].map(|b| if b { "是" } else { "否" }.to_string()),
        Column::Period(v) => v[row].map(|p| match ty {
            ColumnType::Period(kind) => period(*kind, p),
            _ => p.to_string(),
        }),
    };
    shown.unwrap_or_else(|| "∅".to_string())
}

fn summary(scheme: &Scheme, data: &Dataset) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "units: {}", data.unit_keys().iter().collect::<Vec<_>>().join(", "));
    // The rows as the evaluator reads them: sorted by unit (a table whose
    // file lists the units in another order is kept as read).
    let sorted = data.tables_sorted_by_unit();
    for (t, table) in scheme.tables.iter().enumerate() {
        let rows = &*sorted[t];
        let source = if rows.source.is_empty() { "no file" } else { rows.source.as_str() };
        let _ = writeln!(out, "table {} ({source}): {} row(s)", table.name, rows.len());
        // The invariants the evaluator relies on, as kept and as read.
        for rows in [&data.tables[t], rows] {
            assert_eq!(rows.unit_starts.len(), data.units + 1, "unit_starts of {}", table.name);
            assert_eq!(rows.columns.len(), table.columns.len());
            assert_eq!(rows.lines.len(), rows.len());
            let row_units = rows.row_units();
            assert_eq!(row_units.len(), rows.len());
            for u in 0..data.units {
                let unit = u32::try_from(u).unwrap_or(u32::MAX);
                assert!(rows.rows_of(unit).all(|r| row_units[r] == unit), "rows_of({u}) of {}", table.name);
            }
        }
        assert!(rows.sorted_by_unit());
        let row_units = rows.row_units();
        // The unit column of a table other than the units table is kept only for a formula that reads it; it
        // holds the rows' units (a unit's symbol is its id), so it is shown as that when it is not kept.
        let unit_column_kept = !matches!(&rows.columns[table.unit_column], Column::Text(v) if v.is_empty());
        if !rows.is_empty() {
            assert_eq!(unit_column_kept, t == scheme.units.table || table.unit_column_read, "unit column of {}", table.name);
        }
        if let (true, Column::Text(v)) = (unit_column_kept, &rows.columns[table.unit_column]) {
            assert!(v.iter().zip(&row_units).all(|(s, &u)| s == Some(u)), "unit column of {}", table.name);
        }
        for (r, &unit) in row_units.iter().enumerate() {
            let key = data.unit_keys().key(unit as usize);
            let cells: Vec<String> = table
                .columns
                .iter()
                .zip(&rows.columns)
                .enumerate()
                .map(|(i, (c, column))| {
                    let shown =
                        if i == table.unit_column && !unit_column_kept { format!("{key:?}") } else { value(data, column, &c.ty, r) };
                    format!("{}={shown}", c.name)
                })
                .collect();
            let line = if rows.lines[r] == 0 { "default".to_string() } else { format!("line {}", rows.lines[r]) };
            let _ = writeln!(out, "  [{line}] {key}: {}", cells.join(", "));
        }
    }
    out
}

fn report(dir: &Path) -> String {
    let dir = relative(dir);
    let scheme_path = dir.join("scheme.kh");
    let checked = check::check_path(&scheme_path, &dir);
    let Some(mut scheme) = checked.scheme else {
        panic!("{} does not check: {:?}", scheme_path.display(), checked.diagnostics.iter().map(|d| &d.message.en).collect::<Vec<_>>());
    };
    // The dataset shows every cell as read, so every column counts as read:
    // a text column nothing reads is otherwise checked but not kept. So with
    // each row's line, kept otherwise only where a deduction or bonus cites the rows.
    for table in &mut scheme.tables {
        table.rows_cited = true;
        table.columns.iter_mut().for_each(|column| column.read = true);
    }
    let source = std::fs::read_to_string(&scheme_path).unwrap_or_default();
    let comment = source.lines().next().unwrap_or("");
    assert!(comment.starts_with('#'), "{}: the first line must say what the case shows", scheme_path.display());
    let encoding = std::fs::read_to_string(dir.join("encoding.txt")).ok().map(|e| e.trim().to_string());
    let path = data_path(&dir);
    let (dataset, diagnostics) = data::load(&scheme, &path, &LoadOptions { encoding: encoding.clone() });
    let errors = diagnostics.has_errors();
    let diagnostics = diagnostics.into_sorted();

    let mut out = String::new();
    let _ = writeln!(out, "==== case ====\n{comment}");
    let _ = writeln!(out, "data: {}", path.display().to_string().replace('\\', "/"));
    if let Some(e) = encoding {
        let _ = writeln!(out, "encoding: {e}");
    }
    out.push_str("==== codes ====\n");
    for d in &diagnostics {
        let _ = writeln!(out, "{}", d.code.id);
    }
    for (lang, title) in [(Lang::En, "english"), (Lang::Zh, "中文")] {
        let _ = writeln!(out, "==== {title} ====");
        for d in &diagnostics {
            out.push_str(&render(d, lang, false, None));
            out.push('\n');
        }
    }
    if !errors {
        out.push_str("==== dataset ====\n");
        out.push_str(&summary(&scheme, &dataset));
    }
    out
}

#[test]
fn data_cases() {
    insta::glob!("data/*/scheme.kh", |path| {
        let dir = path.parent().unwrap_or(Path::new("."));
        let text = report(dir);
        insta::with_settings!({ omit_expression => true, prepend_module_to_snapshot => false, snapshot_suffix => dir.file_name().unwrap_or_default().to_string_lossy().to_string() }, {
            insta::assert_snapshot!("data", text);
        });
    });
}
