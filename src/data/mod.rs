//! `data`: the tables a scheme declares, loaded from files into typed columns.
//!
//! [`load`] reads a data folder (one `NAME.csv` or `NAME.json` per table) or
//! one Excel workbook (one sheet per table, named as the table). Every cell is
//! typed by the scheme's declaration as it is read; every bad cell, unknown
//! unit, duplicate key and missing required row is reported with its place
//! (`file:line:column`, or `sheet!B7`) and the unit concerned, all of them in
//! one run.
//!
//! | module | does |
//! |---|---|
//! | `decode` | bytes → text: UTF-8 (BOM or not), else GB18030/GBK, or `--encoding` |
//! | `csvfile`, `jsonfile`, `xlsx` | a file or sheet → header and cells, each with its place |
//! | `cell` | one cell → a value of its column's type (numbers exact, `%`, dates, periods, ...) |
//! | `table` | rows → units resolved, keys unique, missing rows filled or reported, sorted |
//! | `errors` | the `kaohe::data::*` diagnostics |
//!
//! Rules a data author should know:
//! - A table without a file is an error, except a table with many rows per
//!   unit (it is then empty) and a one-row-per-unit (or per unit and period)
//!   table whose every other column has a `默认` (every row is then filled
//!   from the defaults). The units table always needs a file.
//! - Headers match the declared column names exactly (after trimming); extra
//!   columns are ignored; a missing column is an error unless it is `可空` or
//!   has a `默认`.
//! - An empty cell takes the column's `默认` if declared, else is no value if
//!   the column is `可空`, else is an error.
//! - A percent column needs the `%` sign in text (`95%`); a bare `95` is an
//!   error, never guessed. A number column accepts `95%` too (as 0.95).
//!   Percents are held as fractions: 95% is 0.95.
//! - Excel holds numbers as binary floating point: kaohe reads the number
//!   Excel shows, rounded to 15 significant digits, then exact (a cell holding
//!   0.30000000000000004 is 0.3). A number in a percent column is the fraction
//!   Excel stores (a cell showing 95% holds 0.95). JSON numbers are read from
//!   their text, digit for digit.
//! - Texts in non-text columns may use full-width forms (`９５．５％`); text
//!   and enumeration cells are only trimmed. A period written with a year
//!   (`2012Q3`) must be of the scheme's year.
//! - In a one-row-per-unit table a unit without a row gets a row of defaults
//!   when every other column has a `默认`, else it is reported (the same for
//!   every unit × period of the year in a per-period table). Filled rows have
//!   line 0.
//!
//! Tables are held by column and units by index (`UnitId`), with text
//! interned, so evaluation runs over whole columns. Rows are put in a fixed
//! order: by unit, then by the key columns (`键`, in the order declared), then
//! by the other columns in declaration order, values compared by what they
//! mean (texts by their characters, numbers by value, then by the digits
//! written). Texts are interned in that order too. So shuffling the rows of
//! the input files gives an identical [`Dataset`] (only [`TableData::lines`]
//! follows the files).

mod cell;
mod csvfile;
mod decode;
mod errors;
mod jsonfile;
mod table;
#[cfg(test)]
mod tests;
mod xlsx;

use std::path::Path;
use std::sync::Arc;

use rust_decimal::Decimal;

use crate::date::Date;
use crate::diagnostics::Diagnostics;
use crate::model::{ColumnType, Scheme, TableId, TableShape};
use crate::source::SourceFile;
use table::{Ctx, Place, Rows, TableLoader, Val};

/// Index of a unit in [`Dataset::units`].
pub type UnitId = u32;

/// Index of an interned text in [`Dataset::strings`].
pub type Sym = u32;

/// All tables of a scheme, loaded and typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dataset {
    /// Unit keys, sorted; a unit's id is its index.
    pub units: Vec<String>,
    /// One entry per table of the scheme, in the scheme's order (`model::TableId`).
    pub tables: Vec<TableData>,
    /// Interned texts.
    pub strings: Interner,
}

/// The rows of one table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableData {
    /// Where the rows came from, as shown in messages (`examples/x/督查记录.csv`,
    /// `data.xlsx!督查记录`); empty when the table had no file.
    pub source: String,
    /// The unit of each row.
    pub unit: Vec<UnitId>,
    /// One column per declared column, in the declaration's order.
    pub columns: Vec<Column>,
    /// Where each row was read (1-based): the line of a CSV file where the
    /// record starts, the line of a JSON file where the row's object starts,
    /// the row of a sheet as Excel numbers it; 0 for a row filled from defaults.
    pub lines: Vec<u32>,
    /// For each unit, the range of its rows (rows are sorted by unit): `rows_of[u]..rows_of[u + 1]`.
    pub unit_starts: Vec<u32>,
}

impl TableData {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.unit.len()
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.unit.is_empty()
    }

    /// The rows of one unit.
    pub fn rows_of(&self, unit: UnitId) -> std::ops::Range<usize> {
        let u = unit as usize;
        let start = self.unit_starts.get(u).copied().unwrap_or(0) as usize;
        let end = self.unit_starts.get(u + 1).copied().unwrap_or(start as u32) as usize;
        start..end
    }
}

/// One typed column; `None` is an empty cell of an optional column.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Numbers, integers and percents (a percent is held as a fraction: 95% is 0.95).
    Number(Vec<Option<Decimal>>),
    /// Text and enumerations, interned.
    Text(Vec<Option<Sym>>),
    /// Dates.
    Date(Vec<Option<Date>>),
    /// Yes / no.
    Bool(Vec<Option<bool>>),
    /// Periods of the scheme year, 0-based (Q1 is 0).
    Period(Vec<Option<u8>>),
}

/// Texts stored once; compared by their [`Sym`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Interner {
    texts: Vec<String>,
    index: std::collections::HashMap<String, Sym, FxBuild>,
}

/// Hash maps keyed by text, with [`FxHasher`].
pub(crate) type FxBuild = std::hash::BuildHasherDefault<FxHasher>;

/// A fast hash for interned texts (the Firefox / rustc word mix, then
/// splitmix64's finaliser): several times faster than SipHash on short
/// texts. The texts come from the user's own files, so resistance to crafted
/// collisions is not needed.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct FxHasher {
    hash: u64,
}

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.hash = (self.hash.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(SEED);
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.write(&[byte]);
    }

    fn finish(&self) -> u64 {
        // The multiply above leaves the low bits (the table's bucket) depending
        // on the first bytes only; splitmix64's finaliser spreads every byte.
        let mut z = self.hash;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

impl Interner {
    /// The symbol of a text, adding it if new.
    pub fn intern(&mut self, text: &str) -> Sym {
        if let Some(&s) = self.index.get(text) {
            return s;
        }
        let s = Sym::try_from(self.texts.len()).unwrap_or(Sym::MAX);
        self.texts.push(text.to_string());
        self.index.insert(text.to_string(), s);
        s
    }

    /// The symbol of a text already seen.
    pub fn get(&self, text: &str) -> Option<Sym> {
        self.index.get(text).copied()
    }

    /// The text of a symbol.
    pub fn resolve(&self, sym: Sym) -> &str {
        self.texts.get(sym as usize).map_or("", String::as_str)
    }
}

/// How to read data files.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// The encoding of CSV and JSON files (`gb18030`, `gbk`, `utf-8`; any
    /// WHATWG label): `None` detects it (a byte-order mark, else UTF-8 when
    /// the bytes are valid UTF-8, else GB18030).
    pub encoding: Option<String>,
}

/// Where one table's rows are.
enum Source {
    /// A decoded CSV or JSON file.
    Text(Arc<SourceFile>, Format),
    /// A sheet of the workbook.
    Sheet(calamine::Range<calamine::Data>, String),
    /// No file, and none needed.
    Absent,
    /// No usable file; already reported.
    Failed,
}

#[derive(Clone, Copy)]
enum Format {
    Csv,
    Json,
}

/// File extensions read as workbooks.
const WORKBOOK_EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xlsb", "xls", "ods"];

/// Loads the tables of `scheme` from `path`: a folder with one `NAME.csv` or
/// `NAME.json` per table, or an Excel workbook with one sheet per table.
/// Returns what could be loaded and every finding; use the dataset only when
/// the findings have no error.
pub fn load(scheme: &Scheme, path: &Path, options: &LoadOptions) -> (Dataset, Diagnostics) {
    let mut ctx = Ctx { scheme, diags: Diagnostics::new(), strings: Interner::default(), units: None };
    let display = path.to_string_lossy().replace('\\', "/");
    let forced = match options.encoding.as_deref().map(decode::encoding_for) {
        Some(Ok(encoding)) => Some(encoding),
        Some(Err(e)) => {
            ctx.diags.push(errors::encoding(&display, &e));
            None
        }
        None => None,
    };
    let is_workbook =
        path.extension().and_then(|e| e.to_str()).is_some_and(|e| WORKBOOK_EXTENSIONS.iter().any(|w| w.eq_ignore_ascii_case(e)));
    let mut sources: Vec<Source> =
        if is_workbook { workbook_sources(&mut ctx, path, &display) } else { folder_sources(&mut ctx, path, &display, forced) };
    let workbook = if is_workbook { display.clone() } else { String::new() };

    // The units table first: it defines the units the other tables name.
    let units_table = scheme.units.table;
    let mut units_loader = read_table(&mut ctx, units_table, std::mem::replace(&mut sources[units_table], Source::Failed), &workbook);
    let index = units_loader.take_units();
    let units = index.keys.clone();
    ctx.units = (!units_loader.failed).then_some(index);
    let units_rows = units_loader.finish(&mut ctx);

    // The other tables on two threads (parsing and typing cells is most of
    // the work), each with its own context; merged in table order, so the
    // result does not depend on which thread read what.
    let mut work: Vec<(TableId, Source)> = sources.into_iter().enumerate().filter(|(tid, _)| *tid != units_table).collect();
    work.sort_by_key(|(tid, source)| (std::cmp::Reverse(source_weight(source)), *tid));
    let mut lanes: [Vec<(TableId, Source)>; 2] = [Vec::new(), Vec::new()];
    let mut load = [0usize; 2];
    for item in work {
        let lane = usize::from(load[1] < load[0]);
        load[lane] += source_weight(&item.1);
        lanes[lane].push(item);
    }
    let units_index = ctx.units.clone();
    let results: Vec<LaneResult> = std::thread::scope(|scope| {
        let handles: Vec<_> = lanes
            .into_iter()
            .map(|lane| {
                let units_index = units_index.clone();
                let workbook = workbook.as_str();
                scope.spawn(move || {
                    let mut lane_ctx = Ctx { scheme, diags: Diagnostics::new(), strings: Interner::default(), units: units_index };
                    let rows: Vec<(TableId, Rows)> = lane
                        .into_iter()
                        .map(|(tid, source)| {
                            let loader = read_table(&mut lane_ctx, tid, source, workbook);
                            (tid, loader.finish(&mut lane_ctx))
                        })
                        .collect();
                    (rows, lane_ctx.diags, lane_ctx.strings)
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });

    // Columns, in table order, with texts interned afresh in row order.
    let mut strings = Interner::default();
    let mut by_table: Vec<Option<(Rows, usize)>> = (0..scheme.tables.len()).map(|_| None).collect();
    let mut interners: Vec<Interner> = vec![ctx.strings];
    let mut diags = ctx.diags;
    by_table[units_table] = Some((units_rows, 0));
    for (rows, lane_diags, lane_strings) in results {
        let lane = interners.len();
        interners.push(lane_strings);
        diags.extend(lane_diags);
        for (tid, r) in rows {
            by_table[tid] = Some((r, lane));
        }
    }
    let mut renumber: Vec<Vec<Sym>> = interners.iter().map(|i| vec![Sym::MAX; i.texts.len()]).collect();
    let tables = by_table
        .into_iter()
        .enumerate()
        .map(|(tid, entry)| match entry {
            Some((r, lane)) => build(scheme, tid, r, &interners[lane], &mut strings, &mut renumber[lane], units.len()),
            None => TableData::default(),
        })
        .collect();
    (Dataset { units, tables, strings }, diags)
}

/// What one loading thread returns: its tables' rows, findings and texts.
type LaneResult = (Vec<(TableId, Rows)>, Diagnostics, Interner);

/// Roughly how much work reading a source is (its size).
fn source_weight(source: &Source) -> usize {
    match source {
        Source::Text(file, _) => file.text.len(),
        Source::Sheet(range, _) => range.get_size().0.saturating_mul(range.get_size().1).saturating_mul(16),
        Source::Absent | Source::Failed => 0,
    }
}

/// Whether a table without a file can be filled from its defaults.
fn fillable(scheme: &Scheme, tid: TableId) -> bool {
    let table = &scheme.tables[tid];
    let period = match table.shape {
        TableShape::PerUnitPeriod { column, .. } => Some(column),
        _ => None,
    };
    table.columns.iter().enumerate().all(|(c, col)| c == table.unit_column || Some(c) == period || col.default.is_some())
}

/// What to do for a table without a file: `Absent` when allowed (with a
/// warning when a file of a similar name is there), else reported.
fn no_file(
    ctx: &mut Ctx<'_>,
    tid: TableId,
    names: &[String],
    report: impl FnOnce() -> crate::diagnostics::Diagnostic,
    similar: impl FnOnce(&str) -> crate::diagnostics::Diagnostic,
) -> Source {
    let scheme = ctx.scheme;
    let allowed = tid != scheme.units.table && (scheme.tables[tid].shape == TableShape::Rows || fillable(scheme, tid));
    if !allowed {
        ctx.diags.push(report());
        return Source::Failed;
    }
    let stems = names.iter().map(|n| n.rsplit_once('.').map_or(n.as_str(), |(stem, _)| stem));
    if let Some(near) = crate::suggest::did_you_mean(&scheme.tables[tid].name, stems) {
        let shown = names.iter().find(|n| n.rsplit_once('.').map_or(n.as_str(), |(stem, _)| stem) == near).map_or(near, String::as_str);
        ctx.diags.push(similar(shown));
    }
    Source::Absent
}

fn folder_sources(ctx: &mut Ctx<'_>, path: &Path, display: &str, forced: Option<&'static encoding_rs::Encoding>) -> Vec<Source> {
    let scheme = ctx.scheme;
    let failed = || scheme.tables.iter().map(|_| Source::Failed).collect();
    if path.is_file() {
        ctx.diags.push(
            crate::diagnostics::Diagnostic::general(
                &crate::diagnostics::codes::DATA_IO,
                crate::text!("`{display}` is neither a folder nor an Excel workbook", "`{display}` 既不是文件夹也不是 Excel 工作簿"),
            )
            .with_help(crate::text!(
                "give the folder that holds one `NAME.csv` or `NAME.json` per table, or an `.xlsx` workbook",
                "请给出每张表各有一个 `表名.csv` 或 `表名.json` 的文件夹,或一个 `.xlsx` 工作簿"
            )),
        );
        return failed();
    }
    let entries = match std::fs::read_dir(path) {
        Ok(entries) => entries,
        Err(e) => {
            ctx.diags.push(errors::io(display, &e));
            return failed();
        }
    };
    let mut files: Vec<String> = entries.filter_map(|e| e.ok()).filter_map(|e| e.file_name().into_string().ok()).collect();
    files.sort();
    let base = display.trim_end_matches('/');
    let mut sources = Vec::with_capacity(scheme.tables.len());
    for (tid, table) in scheme.tables.iter().enumerate() {
        let find = |ext: &str| {
            files.iter().find(|f| f.rsplit_once('.').is_some_and(|(stem, e)| stem == table.name && e.eq_ignore_ascii_case(ext))).cloned()
        };
        let (csv, json) = (find("csv"), find("json"));
        let (file, format) = match (csv, json) {
            (Some(c), Some(j)) => {
                ctx.diags.push(errors::both_formats(&table.name, &format!("{base}/{c}"), &format!("{base}/{j}")));
                sources.push(Source::Failed);
                continue;
            }
            (Some(c), None) => (c, Format::Csv),
            (None, Some(j)) => (j, Format::Json),
            (None, None) => {
                let data_files: Vec<String> = files.iter().filter(|f| is_data_file(f)).cloned().collect();
                let source = no_file(
                    ctx,
                    tid,
                    &data_files,
                    || errors::missing_file(display, table, &data_files),
                    |near| errors::similar_file(display, table, near),
                );
                sources.push(source);
                continue;
            }
        };
        let shown = format!("{base}/{file}");
        let bytes = match std::fs::read(path.join(&file)) {
            Ok(bytes) => bytes,
            Err(e) => {
                ctx.diags.push(errors::io(&shown, &e));
                sources.push(Source::Failed);
                continue;
            }
        };
        match decode::decode(&bytes, forced) {
            Ok(text) => sources.push(Source::Text(SourceFile::new(shown, text), format)),
            Err(e) => {
                ctx.diags.push(errors::encoding(&shown, &e));
                sources.push(Source::Failed);
            }
        }
    }
    sources
}

/// Whether a file name is a CSV or JSON file (the files a table can come from).
fn is_data_file(name: &str) -> bool {
    name.rsplit_once('.').is_some_and(|(_, ext)| ext.eq_ignore_ascii_case("csv") || ext.eq_ignore_ascii_case("json"))
}

fn workbook_sources(ctx: &mut Ctx<'_>, path: &Path, display: &str) -> Vec<Source> {
    let scheme = ctx.scheme;
    let mut workbook = match xlsx::open(path) {
        Ok(w) => w,
        Err(reason) => {
            let d = match std::fs::metadata(path) {
                Err(e) => errors::io(display, &e),
                Ok(_) => errors::workbook(display, &reason),
            };
            ctx.diags.push(d);
            return scheme.tables.iter().map(|_| Source::Failed).collect();
        }
    };
    let sheets = calamine::Reader::sheet_names(&workbook);
    let mut sources = Vec::with_capacity(scheme.tables.len());
    for (tid, table) in scheme.tables.iter().enumerate() {
        let Some(sheet) = sheets.iter().find(|s| s.trim() == table.name).cloned() else {
            let source = no_file(
                ctx,
                tid,
                &sheets,
                || errors::missing_sheet(display, table, &sheets),
                |near| errors::similar_sheet(display, table, near),
            );
            sources.push(source);
            continue;
        };
        match xlsx::range(&mut workbook, &sheet) {
            Ok(range) => sources.push(Source::Sheet(range, sheet)),
            Err(reason) => {
                ctx.diags.push(errors::workbook(&format!("{display}!{sheet}"), &reason));
                sources.push(Source::Failed);
            }
        }
    }
    sources
}

fn read_table(ctx: &mut Ctx<'_>, tid: TableId, source: Source, workbook: &str) -> TableLoader {
    match source {
        Source::Text(file, format) => {
            let mut loader = TableLoader::new(ctx, tid, Place::Text(file.clone()), file.name.clone());
            match format {
                Format::Csv => {
                    if let Some(body) = csvfile::read_header(ctx, &mut loader, &file) {
                        csvfile::read_rows(ctx, &mut loader, &file.text, body.delimiter, body.start..file.text.len(), body.line);
                    }
                }
                Format::Json => jsonfile::read(ctx, &mut loader, &file),
            }
            loader
        }
        Source::Sheet(range, sheet) => {
            let place = Place::Sheet { workbook: workbook.to_string(), sheet: sheet.clone() };
            let mut loader = TableLoader::new(ctx, tid, place, format!("{workbook}!{sheet}"));
            xlsx::read(ctx, &mut loader, &range);
            loader
        }
        Source::Absent => TableLoader::new(ctx, tid, Place::Nowhere, String::new()),
        Source::Failed => {
            let mut loader = TableLoader::new(ctx, tid, Place::Nowhere, String::new());
            loader.failed = true;
            loader
        }
    }
}

/// The typed columns of a table's sorted rows.
fn build(
    scheme: &Scheme,
    tid: TableId,
    rows: Rows,
    loading: &Interner,
    strings: &mut Interner,
    renumber: &mut [Sym],
    units: usize,
) -> TableData {
    let table = &scheme.tables[tid];
    let ncols = table.columns.len();
    let n = rows.units.len();
    let cell = |r: usize, c: usize| rows.vals.get(r * ncols + c).copied().unwrap_or(Val::Null);
    let columns = table
        .columns
        .iter()
        .enumerate()
        .map(|(c, column)| match &column.ty {
            ColumnType::Number | ColumnType::Integer | ColumnType::Percent => Column::Number(
                (0..n)
                    .map(|r| match cell(r, c) {
                        Val::Number(x) => Some(x),
                        _ => None,
                    })
                    .collect(),
            ),
            ColumnType::Text | ColumnType::Enum(_) => Column::Text(
                (0..n)
                    .map(|r| match cell(r, c) {
                        Val::Text(s) => Some(match renumber.get(s as usize) {
                            Some(&new) if new != Sym::MAX => new,
                            _ => {
                                let new = strings.intern(loading.resolve(s));
                                if let Some(slot) = renumber.get_mut(s as usize) {
                                    *slot = new;
                                }
                                new
                            }
                        }),
                        _ => None,
                    })
                    .collect(),
            ),
            ColumnType::Date => Column::Date(
                (0..n)
                    .map(|r| match cell(r, c) {
                        Val::Date(d) => Some(d),
                        _ => None,
                    })
                    .collect(),
            ),
            ColumnType::Bool => Column::Bool(
                (0..n)
                    .map(|r| match cell(r, c) {
                        Val::Bool(b) => Some(b),
                        _ => None,
                    })
                    .collect(),
            ),
            ColumnType::Period(_) => Column::Period(
                (0..n)
                    .map(|r| match cell(r, c) {
                        Val::Period(p) => Some(p),
                        _ => None,
                    })
                    .collect(),
            ),
        })
        .collect();
    let unit_starts = (0..=units)
        .map(|u| {
            let at = rows.units.partition_point(|&x| (x as usize) < u);
            u32::try_from(at).unwrap_or(u32::MAX)
        })
        .collect();
    TableData { source: rows.source, unit: rows.units, columns, lines: rows.lines, unit_starts }
}
