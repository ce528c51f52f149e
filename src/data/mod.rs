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
//! | `survey` | a large CSV file → its header and cuts, each piece read from disk as it is typed |
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
mod survey;
mod table;
#[cfg(test)]
mod tests;
mod xlsx;

use std::path::Path;
use std::sync::Arc;

use crate::date::Date;
use crate::decimals::{NumberCells, copy_runs};
use crate::diagnostics::Diagnostics;
use crate::model::{Scheme, TableId, TableShape};
use table::{Ctx, DataFile, Place, Rows, TableLoader};

/// Index of a unit in [`Dataset::units`].
pub type UnitId = u32;

/// Index of an interned text in [`Dataset::strings`].
pub type Sym = u32;

/// All tables of a scheme, loaded and typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dataset {
    /// How many units. Their keys, sorted, are the first texts of
    /// `strings`: a unit's id is the symbol of its key (see [`Dataset::unit_keys`]).
    pub units: usize,
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
    /// One column per declared column, in the declaration's order; a text
    /// column nothing reads (`model::Column::read`) is empty in every row,
    /// and the unit column of a table other than the units table holds no
    /// rows unless a formula reads it (`model::Table::unit_column_read`).
    pub columns: Vec<Column>,
    /// Where each row was read (1-based): the line of a CSV file where the
    /// record starts, the line of a JSON file where the row's object starts,
    /// the row of a sheet as Excel numbers it; 0 for a row filled from
    /// defaults. Empty when no deduction or bonus cites the rows
    /// (`model::Table::rows_cited`).
    pub lines: Vec<u32>,
    /// For each unit, the range of its rows were they sorted by unit:
    /// `unit_starts[u]..unit_starts[u + 1]` (so also how many it has). The
    /// rows' units are not kept besides (4 bytes a row):
    /// [`TableData::row_units`] makes them.
    pub unit_starts: Vec<u32>,
    /// Empty when the rows are sorted by unit (as `unit_starts` says). Else
    /// they lie as read, each unit's rows together and in order but the
    /// units in another order than their ids' (a file listed region by
    /// region): unit `u`'s rows start at `group_at[u]`. Only the loader
    /// makes such tables; [`TableData::of_units`] gives the rows sorted.
    pub group_at: Vec<u32>,
}

impl Dataset {
    /// The units' keys.
    pub fn unit_keys(&self) -> UnitKeys<'_> {
        UnitKeys { strings: &self.strings, first: 0, len: self.units }
    }

    /// The tables, each with its rows sorted by unit, as the evaluator
    /// reads them: borrowed, but for a table whose file lists the units in
    /// another order than their keys' (see [`TableData::group_at`]).
    pub fn tables_sorted_by_unit(&self) -> Vec<std::borrow::Cow<'_, TableData>> {
        let units = self.units;
        self.tables
            .iter()
            .map(|t| if t.sorted_by_unit() { std::borrow::Cow::Borrowed(t) } else { std::borrow::Cow::Owned(t.of_units(0..units)) })
            .collect()
    }
}

/// The keys of consecutive units, each the text of its id's symbol (held
/// once, in the interner: a national roll has millions).
#[derive(Debug, Clone, Copy)]
pub struct UnitKeys<'a> {
    strings: &'a Interner,
    /// The id of the first unit.
    first: usize,
    len: usize,
}

impl<'a> UnitKeys<'a> {
    /// How many units.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The key of the `u`-th unit, counted from the first.
    pub fn get(&self, u: usize) -> Option<&'a str> {
        (u < self.len).then(|| self.strings.resolve(Sym::try_from(self.first + u).unwrap_or(Sym::MAX)))
    }

    /// The key of the `u`-th unit, or nothing.
    pub fn key(&self, u: usize) -> &'a str {
        self.get(u).unwrap_or("")
    }

    /// The units of `range`, counted from the first.
    pub fn slice(&self, range: std::ops::Range<usize>) -> UnitKeys<'a> {
        let start = range.start.min(self.len);
        UnitKeys { strings: self.strings, first: self.first + start, len: range.end.clamp(start, self.len) - start }
    }

    /// The keys in order.
    pub fn iter(&self) -> impl Iterator<Item = &'a str> + 'a {
        let keys = *self;
        (0..keys.len).map(move |u| keys.key(u))
    }
}

impl TableData {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.unit_starts.last().map_or(0, |&end| end as usize)
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the rows are sorted by unit (see [`TableData::group_at`]).
    pub fn sorted_by_unit(&self) -> bool {
        self.group_at.is_empty()
    }

    /// The unit of each row.
    pub fn row_units(&self) -> Vec<UnitId> {
        let mut units = vec![0; self.len()];
        for u in 0..self.unit_starts.len().saturating_sub(1) {
            let unit = UnitId::try_from(u).unwrap_or(UnitId::MAX);
            units.get_mut(self.rows_of(unit)).unwrap_or_default().fill(unit);
        }
        units
    }

    /// The rows of one unit.
    pub fn rows_of(&self, unit: UnitId) -> std::ops::Range<usize> {
        let u = unit as usize;
        let sorted_start = self.unit_starts.get(u).copied().unwrap_or(0);
        let count = self.unit_starts.get(u + 1).copied().unwrap_or(sorted_start).saturating_sub(sorted_start) as usize;
        let start = self.group_at.get(u).copied().unwrap_or(sorted_start) as usize;
        start..start + count
    }

    /// The rows of the units `units` only, those units numbered from 0,
    /// sorted by unit.
    pub fn of_units(&self, units: std::ops::Range<usize>) -> TableData {
        let runs = self.runs_of(units.clone());
        let first = self.unit_starts.get(units.start).or(self.unit_starts.last()).map_or(0, |&s| s);
        let lines = runs.iter().flat_map(|run| self.lines.get(run.clone()).unwrap_or_default()).copied().collect();
        TableData {
            source: self.source.clone(),
            columns: self.columns.iter().map(|c| c.runs(&runs)).collect(),
            lines,
            unit_starts: self
                .unit_starts
                .get(units.start..=units.end)
                .unwrap_or_default()
                .iter()
                .map(|&s| s.saturating_sub(first))
                .collect(),
            group_at: Vec::new(),
        }
    }

    /// The rows of the units `units`, as runs of rows that lie one after
    /// the other: one run when the rows are sorted by unit, a few more for
    /// consecutive units when they are not (the units of a region lie
    /// together in a file listed region by region).
    fn runs_of(&self, units: std::ops::Range<usize>) -> Vec<std::ops::Range<usize>> {
        let mut runs: Vec<std::ops::Range<usize>> = Vec::new();
        if self.sorted_by_unit() {
            let at = |u: usize| self.unit_starts.get(u).or(self.unit_starts.last()).map_or(0, |&s| s as usize);
            let (first, end) = (at(units.start), at(units.end));
            runs.push(first..end.max(first));
            return runs;
        }
        for u in units {
            let rows = self.rows_of(UnitId::try_from(u).unwrap_or(UnitId::MAX));
            match runs.last_mut() {
                Some(run) if run.end == rows.start => run.end = rows.end,
                _ if rows.is_empty() => {}
                _ => runs.push(rows),
            }
        }
        runs
    }
}

impl Column {
    /// The cells of `runs`, one run after the other.
    fn runs(&self, runs: &[std::ops::Range<usize>]) -> Column {
        match self {
            Column::Number(all) => Column::Number(all.runs(runs)),
            Column::Text(all) => Column::Text(TextCells(copy_runs(&all.0, runs))),
            Column::Date(all) => Column::Date(copy_runs(all, runs)),
            Column::Bool(all) => Column::Bool(copy_runs(all, runs)),
            Column::Period(all) => Column::Period(copy_runs(all, runs)),
        }
    }
}

/// One typed column; `None` is an empty cell of an optional column.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Numbers, integers and percents (a percent is held as a fraction: 95% is 0.95).
    Number(NumberCells),
    /// Text and enumerations, interned.
    Text(TextCells),
    /// Dates.
    Date(Vec<Option<Date>>),
    /// Yes / no.
    Bool(Vec<Option<bool>>),
    /// Periods of the scheme year, 0-based (Q1 is 0).
    Period(Vec<Option<u8>>),
}

/// A text column's cells, each its text's symbol or none (an empty cell),
/// in 4 bytes, not the 8 of an `Option<Sym>`: at national scale the units
/// table alone holds several text columns of millions of rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextCells(Vec<Sym>);

/// In [`TextCells`]: an empty cell. No text has this symbol: it would be
/// the 2^32-th, and an interner numbers fewer.
const NO_TEXT: Sym = Sym::MAX;

impl TextCells {
    /// The text of row `row`: `None` when the cell is empty or beyond the end.
    #[inline]
    pub fn get(&self, row: usize) -> Option<Sym> {
        self.0.get(row).copied().filter(|&s| s != NO_TEXT)
    }

    /// Appends a cell.
    pub fn push(&mut self, text: Option<Sym>) {
        self.0.push(text.unwrap_or(NO_TEXT));
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no cells.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The cells in order.
    pub fn iter(&self) -> impl Iterator<Item = Option<Sym>> + '_ {
        self.0.iter().map(|&s| (s != NO_TEXT).then_some(s))
    }

    /// Keeps the first `len` cells.
    pub(crate) fn truncate(&mut self, len: usize) {
        self.0.truncate(len);
    }

    /// Room for `more` cells.
    pub(crate) fn reserve(&mut self, more: usize) {
        self.0.reserve(more);
    }

    /// Appends the cells of another piece of the column, their symbols
    /// moved up by `offset` (the first piece is kept whole, not copied).
    pub(crate) fn append(&mut self, mut more: TextCells, offset: Sym) {
        if offset > 0 {
            more.renumber(|s| s.saturating_add(offset));
        }
        if self.0.is_empty() {
            *self = more;
        } else {
            self.0.extend_from_slice(&more.0);
        }
    }

    /// Each text moved to the symbol `to` gives it.
    fn renumber(&mut self, mut to: impl FnMut(Sym) -> Sym) {
        self.0.iter_mut().filter(|s| **s != NO_TEXT).for_each(|s| *s = to(*s));
    }
}

impl FromIterator<Option<Sym>> for TextCells {
    fn from_iter<I: IntoIterator<Item = Option<Sym>>>(cells: I) -> Self {
        TextCells(cells.into_iter().map(|text| text.unwrap_or(NO_TEXT)).collect())
    }
}

/// Texts stored once; compared by their [`Sym`].
///
/// The texts lie one after the other in one `String`, and the index holds
/// each text's symbol by the text's hash, so a text costs its bytes and
/// about 14 more (at 8,000,000 people, tens of millions of texts), and
/// interning a new one allocates nothing in general (millions of unit keys
/// are interned several times while loading).
#[derive(Debug, Clone, Default)]
pub struct Interner {
    /// All texts, one after the other.
    bytes: String,
    /// Where each text ends in `bytes`: text `s` is `ends[s - 1]..ends[s]`.
    ends: Vec<usize>,
    /// The symbol of each indexed text, found by [`text_hash`]: 4 bytes a
    /// bucket and a control byte. The hashes are not kept: the table
    /// computes them again from the texts when it grows.
    index: hashbrown::HashTable<Sym>,
}

/// Two interners are alike when they hold the same texts in the same order
/// (the index follows from them).
impl PartialEq for Interner {
    fn eq(&self, other: &Interner) -> bool {
        self.ends == other.ends && self.bytes == other.bytes
    }
}

/// Text `s` of the texts `bytes` ending at `ends` (see [`Interner`]).
fn text_of<'b>(bytes: &'b str, ends: &[usize], s: Sym) -> &'b str {
    let s = s as usize;
    let Some(&end) = ends.get(s) else { return "" };
    let start = if s == 0 { 0 } else { ends.get(s - 1).copied().unwrap_or(0) };
    bytes.get(start..end).unwrap_or("")
}

/// The hash of a text, as the interner indexes it.
fn text_hash(text: &str) -> u64 {
    let mut hasher = FxHasher::default();
    std::hash::Hasher::write(&mut hasher, text.as_bytes());
    std::hash::Hasher::finish(&hasher)
}

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

/// How many texts [`Interner::extend_distinct`] hashes a task.
const HASHED_A_PART: usize = 1 << 16;

impl Interner {
    /// The symbol of a text, adding it if new.
    pub fn intern(&mut self, text: &str) -> Sym {
        let Interner { bytes, ends, index } = self;
        let next = Sym::try_from(ends.len()).unwrap_or(Sym::MAX);
        let same = |&s: &Sym| text_of(bytes, ends, s) == text;
        match index.entry(text_hash(text), same, |&s| text_hash(text_of(bytes, ends, s))) {
            hashbrown::hash_table::Entry::Occupied(found) => return *found.get(),
            hashbrown::hash_table::Entry::Vacant(slot) => {
                slot.insert(next);
            }
        }
        bytes.push_str(text);
        ends.push(bytes.len());
        next
    }

    /// The symbol of a text already seen.
    pub fn get(&self, text: &str) -> Option<Sym> {
        self.index.find(text_hash(text), |&s| self.resolve(s) == text).copied()
    }

    /// The text of a symbol.
    pub fn resolve(&self, sym: Sym) -> &str {
        text_of(&self.bytes, &self.ends, sym)
    }

    /// Number of texts.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether no text is stored.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Appends the texts of `other` as they are, without indexing them, and
    /// returns by how much their symbols moved up. Such texts are not found
    /// by `get` or `intern` and may repeat: only for the interners used while
    /// loading, whose texts `build` interns afresh by their characters.
    pub(crate) fn append(&mut self, other: Interner) -> Sym {
        let offset = Sym::try_from(self.ends.len()).unwrap_or(Sym::MAX);
        let base = self.bytes.len();
        self.bytes.push_str(&other.bytes);
        self.ends.extend(other.ends.iter().map(|end| end.saturating_add(base)));
        offset
    }

    /// Room for the texts of `more` rows appended unindexed (as
    /// [`Interner::append`] appends them), were they like the texts of the
    /// `rows` so far.
    pub(crate) fn reserve_unindexed_like(&mut self, rows: usize, more: usize) {
        let like = |held: usize| usize::try_from(held as u128 * more as u128 / rows.max(1) as u128).unwrap_or(usize::MAX);
        self.ends.reserve(like(self.ends.len()));
        self.bytes.reserve(like(self.bytes.len()));
    }

    /// Appends a text without indexing it, as [`Interner::append`] does:
    /// a list of texts, for the keys of the units table while it is read.
    pub(crate) fn push_unindexed(&mut self, text: &str) -> Sym {
        let sym = Sym::try_from(self.ends.len()).unwrap_or(Sym::MAX);
        self.bytes.push_str(text);
        self.ends.push(self.bytes.len());
        sym
    }

    /// Interns texts that differ from each other and from every text
    /// already interned (the units' keys, sorted and rid of repeats), in
    /// order: the symbols [`Interner::intern`] would give them. Their hashes
    /// go into the index in the order of its buckets, so that its table is
    /// written front to back; in the texts' order, each of millions of
    /// texts cost a cache miss or two at a random place of it.
    pub(crate) fn extend_distinct<'t>(&mut self, texts: impl Iterator<Item = &'t str>) {
        let first = self.ends.len();
        texts.for_each(|text| {
            self.push_unindexed(text);
        });
        self.reserve_index(self.ends.len() - first);
        // The table's buckets: a power of two, of which `capacity` is 7/8.
        // Were it otherwise, only the order of writing would suffer.
        let buckets = (self.index.capacity() / 7 * 8).next_power_of_two();
        let bucket = u64::try_from(buckets).unwrap_or(u64::MAX).wrapping_sub(1);
        let hash_of = |s: usize| {
            let sym = Sym::try_from(s).unwrap_or(Sym::MAX);
            (text_hash(self.resolve(sym)), sym)
        };
        let parts = (first..self.ends.len()).step_by(HASHED_A_PART).map(|start| start..self.ends.len().min(start + HASHED_A_PART));
        let work = crate::cores::Work::Columns(self.ends.len() - first);
        let mut hashed: Vec<(u64, Sym)> = crate::cores::map(work, parts, |part| part.map(hash_of).collect::<Vec<_>>()).concat();
        crate::cores::sort(&mut hashed, |&(hash, _)| u128::from(hash & bucket), |&(a, x), &(b, y)| (a & bucket, x).cmp(&(b & bucket, y)));
        let Interner { bytes, ends, index } = self;
        for (hash, sym) in hashed {
            // Room was made: the table does not grow, nor hash again.
            index.insert_unique(hash, sym, |&s| text_hash(text_of(bytes, ends, s)));
        }
    }

    /// Room in the index for `texts` more texts.
    fn reserve_index(&mut self, texts: usize) {
        let Interner { bytes, ends, index } = self;
        index.reserve(texts, |&s| text_hash(text_of(bytes, ends, s)));
    }

    /// The bytes of all texts together.
    pub(crate) fn bytes_len(&self) -> usize {
        self.bytes.len()
    }

    /// Room for `texts` more texts of `bytes` bytes in all.
    pub fn reserve(&mut self, texts: usize, bytes: usize) {
        self.ends.reserve(texts);
        self.reserve_index(texts);
        self.bytes.reserve(bytes);
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
    Text(Arc<DataFile>, Format),
    /// A large CSV file, surveyed: read piece by piece.
    Surveyed(Arc<DataFile>, Arc<survey::Survey>),
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
    load_in_pieces(scheme, path, options, None, &mut |_, _| {})
}

/// [`load`], telling `read(done, all)` in bytes as the files are read.
pub fn load_reporting(scheme: &Scheme, path: &Path, options: &LoadOptions, read: &mut dyn FnMut(usize, usize)) -> (Dataset, Diagnostics) {
    load_in_pieces(scheme, path, options, None, read)
}

/// CSV files larger than this are cut into pieces typed on all threads.
const CUT_ABOVE: usize = 4 << 20;

/// The largest piece, when cutting on its own. Each piece is joined to its
/// table once typed, so only the pieces being typed and waiting to be
/// joined are held besides the table: at 1,000,000 people, pieces of 64 MB
/// held 100 MB more at the peak than pieces of 16 MB.
const LARGEST_PIECE: usize = 16 << 20;

/// How many pieces a CSV body of `bytes` is cut into: `piece_bytes` each
/// when given (tests), else two per thread, or more to stay under
/// [`LARGEST_PIECE`].
fn piece_count(bytes: usize, piece_bytes: Option<usize>) -> usize {
    match piece_bytes {
        Some(size) => bytes.div_ceil(size.max(1)),
        None => {
            let threads = crate::cores::count();
            threads.saturating_mul(2).max(bytes.div_ceil(LARGEST_PIECE))
        }
    }
}

/// [`load`], with CSV files cut into pieces of about `piece_bytes` when
/// given (`Some(usize::MAX)`: never cut).
fn load_in_pieces(
    scheme: &Scheme,
    path: &Path,
    options: &LoadOptions,
    piece_bytes: Option<usize>,
    progress: &mut dyn FnMut(usize, usize),
) -> (Dataset, Diagnostics) {
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
    let cut_above = piece_bytes.unwrap_or(CUT_ABOVE);
    let mut sources: Vec<Source> =
        if is_workbook { workbook_sources(&mut ctx, path, &display) } else { folder_sources(&mut ctx, path, &display, forced, cut_above) };
    let workbook = if is_workbook { display.clone() } else { String::new() };
    let mut diags = ctx.diags;
    let all: usize = sources.iter().map(source_weight).sum();
    let mut done = 0;
    let mut read = |bytes: usize| {
        done += bytes;
        progress(done.min(all), all);
    };

    // The units table first: it defines the units the other tables name.
    let units_table = scheme.units.table;
    let first = vec![(units_table, std::mem::replace(&mut sources[units_table], Source::Failed))];
    let mut loaded: Vec<Option<(Rows, Interner)>> = (0..scheme.tables.len()).map(|_| None).collect();
    let mut index = None;
    for (tid, mut loader, mut table_ctx) in read_tables(scheme, first, None, &workbook, piece_bytes, &mut read) {
        loader.let_go_of_text();
        let units = Arc::new(loader.take_units());
        let failed = loader.failed;
        // Messages about duplicate keys name them through the index.
        table_ctx.units = Some(units.clone());
        let rows = loader.finish(&mut table_ctx);
        diags.extend(table_ctx.diags);
        loaded[tid] = Some((rows, table_ctx.strings));
        index = Some((units, failed));
    }
    let (units, units_failed) = index.unwrap_or_else(|| (Arc::default(), true));
    let shared = (!units_failed).then(|| units.clone());

    // The other tables, typed piece by piece on all threads.
    let rest: Vec<(TableId, Source)> = sources.into_iter().enumerate().filter(|(tid, _)| *tid != units_table).collect();
    for (tid, loader, mut table_ctx) in read_tables(scheme, rest, shared, &workbook, piece_bytes, &mut read) {
        loader.let_go_of_text();
        let rows = loader.finish(&mut table_ctx);
        diags.extend(table_ctx.diags);
        loaded[tid] = Some((rows, table_ctx.strings));
    }
    // Every byte is read (the pieces did not count the header lines).
    progress(all, all);

    // Columns, in table order, with texts interned afresh in row order
    // after the units' keys. The index's keys are already interned in unit
    // order, so they are taken as they are: a unit's symbol is its id.
    let index = Arc::try_unwrap(units).unwrap_or_else(|shared| (*shared).clone());
    let units = index.len();
    let mut strings = index.keys;
    // Room for as many texts as the table with the most: growing a table
    // of millions of texts rehashes them all, and tables share many texts.
    let (texts, bytes) = loaded.iter().flatten().fold((0, 0), |(t, b), (_, loading)| (t.max(loading.len()), b.max(loading.bytes_len())));
    strings.reserve(texts, bytes);
    let tables = loaded
        .into_iter()
        .enumerate()
        .map(|(tid, entry)| match entry {
            Some((rows, loading)) => {
                let keep_unit_column = tid == units_table || scheme.tables[tid].unit_column_read;
                build(rows, &loading, &mut strings, units, keep_unit_column)
            }
            None => TableData::default(),
        })
        .collect();
    (Dataset { units, tables, strings }, diags)
}

/// One table's loader and context, once every piece is typed and merged.
type Loaded<'s> = (TableId, TableLoader, Ctx<'s>);

/// How a piece read from disk ended, for the pieces after it.
#[derive(Debug, Default, Clone, Copy)]
struct PieceEnd {
    /// Line breaks in the piece: the next one starts that many lines further on.
    line_breaks: u32,
    /// The piece is not UTF-8, or was cut inside a quoted cell: the file is read whole instead.
    misread: bool,
}

/// Work for one thread: a piece of a CSV file, or a whole file or sheet.
enum Job {
    /// Records `range` of a CSV file whose header table `table` has read,
    /// starting at line `line` (a piece read from disk, when the file was
    /// surveyed, starts at line 0 and is moved on once all are read).
    Piece {
        table: usize,
        file: Arc<DataFile>,
        survey: Option<Arc<survey::Survey>>,
        delimiter: u8,
        range: std::ops::Range<usize>,
        line: u32,
    },
    /// A JSON file, a sheet, or no file.
    Whole { table: usize, tid: TableId, source: Source },
}

impl Job {
    /// Roughly how much work it is (bytes).
    fn weight(&self) -> usize {
        match self {
            Job::Piece { range, .. } => range.len(),
            Job::Whole { source, .. } => source_weight(source),
        }
    }

    /// Roughly how much work its whole file is (bytes).
    fn file_weight(&self) -> usize {
        match self {
            Job::Piece { file, .. } => file.len,
            Job::Whole { source, .. } => source_weight(source),
        }
    }
}

/// Reads tables on all threads, cutting large CSV files (see [`piece_count`])
/// into pieces, each typed by its own loader with its own texts and
/// findings; then merges each table's pieces in file order. So the result
/// does not depend on which thread read what, nor on how files were cut.
fn read_tables<'s>(
    scheme: &'s Scheme,
    items: Vec<(TableId, Source)>,
    units: Option<Arc<table::UnitIndex>>,
    workbook: &str,
    piece_bytes: Option<usize>,
    read: &mut dyn FnMut(usize),
) -> Vec<Loaded<'s>> {
    let new_ctx = || Ctx { scheme, diags: Diagnostics::new(), strings: Interner::default(), units: units.clone() };
    // CSV headers first, here: they tell how to read the pieces.
    let mut bases: Vec<Option<Loaded<'s>>> = Vec::with_capacity(items.len());
    // For each table read from disk in pieces: the line where its body starts.
    let mut body_lines: Vec<Option<u32>> = Vec::with_capacity(items.len());
    // For each table read in pieces: the bytes of its pieces together.
    let mut body_bytes: Vec<usize> = vec![0; items.len()];
    let mut jobs: Vec<Job> = Vec::new();
    for (table, (tid, source)) in items.into_iter().enumerate() {
        let (file, survey) = match source {
            Source::Text(file, Format::Csv) if file.len > piece_bytes.unwrap_or(CUT_ABOVE) => (file, None),
            Source::Surveyed(file, survey) => (file, Some(survey)),
            source => {
                bases.push(None);
                body_lines.push(None);
                jobs.push(Job::Whole { table, tid, source });
                continue;
            }
        };
        let mut ctx = new_ctx();
        let mut loader = TableLoader::new(&mut ctx, tid, Place::Text(file.clone()), file.name.clone());
        let text = file.text();
        let text = text.as_str();
        let header = survey.as_ref().map_or(text, |s| s.header.as_str());
        let mut body_line = None;
        if let Some(body) = csvfile::read_header(&mut ctx, &mut loader, &file, header) {
            let count = piece_count(file.len.saturating_sub(body.start), piece_bytes);
            let pieces = match &survey {
                Some(survey) => match survey.pieces(body, count) {
                    Ok(ranges) => {
                        body_line = Some(body.line);
                        ranges.into_iter().map(|range| (range, 0)).collect()
                    }
                    Err(e) => {
                        ctx.diags.push(errors::io(&file.name, &e));
                        loader.failed = true;
                        Vec::new()
                    }
                },
                None => csvfile::pieces(text, body, count),
            };
            body_bytes[table] = pieces.iter().map(|(range, _)| range.len()).sum();
            for (range, line) in pieces {
                jobs.push(Job::Piece { table, file: file.clone(), survey: survey.clone(), delimiter: body.delimiter, range, line });
            }
        }
        bases.push(Some((tid, loader, ctx)));
        body_lines.push(body_line);
    }
    // What each piece is typed from: the header as the table's loader matched it.
    let templates: Vec<Option<TableLoader>> =
        bases.iter().map(|base| base.as_ref().map(|(_, base, _)| base.for_piece(&mut new_ctx()))).collect();
    // Each piece is merged into its table's loader as soon as the pieces
    // before it are, in file order.
    let mut merged = bases;
    let mut joined = vec![(0, 0); merged.len()];
    let mut misread = vec![false; merged.len()];
    run_jobs(jobs, &templates, &new_ctx, workbook, &mut |weight, (table, mut loader, ctx, end)| {
        read(weight);
        if let Some(Some(line)) = body_lines.get_mut(table) {
            loader.shift_lines(*line);
            *line = line.saturating_add(end.line_breaks);
            misread[table] |= end.misread;
        }
        match merged.get_mut(table) {
            Some(Some((_, base, base_ctx))) => {
                let (bytes, rows) = &mut joined[table];
                (*bytes, *rows) = (*bytes + weight, *rows + loader.rows());
                base.absorb(base_ctx, loader, ctx, expected_rows(*rows, *bytes, body_bytes[table]));
            }
            Some(slot) => *slot = Some((loader.tid(), loader, ctx)),
            None => {}
        }
    });
    // A file misread in pieces is read whole, as any other.
    for (entry, _) in merged.iter_mut().zip(misread).filter(|(_, misread)| *misread) {
        let Some((tid, loader, _)) = entry.take() else { continue };
        let again = match &loader.place {
            Place::Text(file) => read_again(file),
            // Never: only files are read in pieces.
            _ => Ok(Source::Failed),
        };
        *entry = match again {
            Ok(source) => read_tables(scheme, vec![(tid, source)], units.clone(), workbook, piece_bytes, read).pop(),
            Err(diagnostic) => {
                let mut ctx = new_ctx();
                ctx.diags.push(*diagnostic);
                Some((tid, read_table(&mut ctx, tid, Source::Failed, workbook), ctx))
            }
        };
    }
    merged.into_iter().flatten().collect()
}

/// A CSV file read in pieces from disk, read again whole.
fn read_again(file: &DataFile) -> Result<Source, Box<crate::diagnostics::Diagnostic>> {
    match file.origin() {
        Some((path, forced)) => read_whole(file.name.clone(), path.to_path_buf(), file.len as u64, forced, Format::Csv),
        // Never: a file read from disk knows where from.
        None => Ok(Source::Failed),
    }
}

/// A file read whole and decoded (as `forced` says: see [`decode::decode`]).
fn read_whole(
    shown: String,
    full: std::path::PathBuf,
    len: u64,
    forced: Option<&'static encoding_rs::Encoding>,
    format: Format,
) -> Result<Source, Box<crate::diagnostics::Diagnostic>> {
    let text = match read_file(&full, len) {
        Ok(bytes) => decode::decode(bytes, forced).map_err(|e| errors::encoding(&shown, &e))?,
        Err(e) => return Err(Box::new(errors::io(&shown, &e))),
    };
    Ok(Source::Text(DataFile::read_from(shown, text, (full, forced)), format))
}

/// The bytes of a file of about `len` bytes: room for them made at once,
/// without asking the system for the length again as `std::fs::read` does.
fn read_file(path: &Path, len: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    // One byte more, so that reading to the end finds it without growing.
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0).saturating_add(1));
    std::fs::File::open(path)?.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Rows of a body of `total` bytes, estimated from the `rows` of its first
/// `bytes`, with an eighth more: room reserved and never written is never
/// given memory by the system.
fn expected_rows(rows: usize, bytes: usize, total: usize) -> usize {
    let estimate = rows as u128 * total as u128 / bytes.max(1) as u128;
    usize::try_from(estimate + estimate / 8).unwrap_or(usize::MAX)
}

/// Runs the jobs on all threads, the largest files first, and hands each
/// job's weight, table, loader and context to `take` as it is done: the
/// pieces of one file one after the other, in file order.
fn run_jobs<'s>(
    jobs: Vec<Job>,
    templates: &[Option<TableLoader>],
    new_ctx: &(dyn Fn() -> Ctx<'s> + Sync),
    workbook: &str,
    take: &mut dyn FnMut(usize, (usize, TableLoader, Ctx<'s>, PieceEnd)),
) {
    let mut queue: Vec<(usize, Job)> = jobs.into_iter().enumerate().collect();
    queue.sort_by_key(|(i, job)| (std::cmp::Reverse(job.file_weight()), *i));
    let run = |(_, job): (usize, Job)| -> (usize, (usize, TableLoader, Ctx<'s>, PieceEnd)) {
        let (mut ctx, weight) = (new_ctx(), job.weight());
        match job {
            Job::Piece { table, file, survey, delimiter, range, line } => {
                let mut loader = match templates.get(table).and_then(Option::as_ref) {
                    Some(base) => base.for_piece(&mut ctx),
                    // Never: a piece's table has a base.
                    None => TableLoader::new(&mut ctx, 0, Place::Nowhere, String::new()),
                };
                let end = read_piece(&mut ctx, &mut loader, &file, survey.as_deref(), delimiter, range, line);
                (weight, (table, loader, ctx, end))
            }
            Job::Whole { table, tid, source } => {
                let loader = read_table(&mut ctx, tid, source, workbook);
                (weight, (table, loader, ctx, PieceEnd::default()))
            }
        }
    };
    let bytes = queue.iter().map(|(_, job)| job.weight()).sum();
    crate::cores::in_order(crate::cores::Work::Bytes(bytes), queue.into_iter(), run, |(weight, result)| take(weight, result));
}

/// Roughly how much work reading a source is (its size).
fn source_weight(source: &Source) -> usize {
    match source {
        Source::Text(file, _) | Source::Surveyed(file, _) => file.len,
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

/// The sources of the tables in a folder; a CSV file larger than
/// `cut_above` is surveyed, not read, when it can be (see [`survey`]).
fn folder_sources(
    ctx: &mut Ctx<'_>,
    path: &Path,
    display: &str,
    forced: Option<&'static encoding_rs::Encoding>,
    cut_above: usize,
) -> Vec<Source> {
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
    // The files found, read after the loop.
    let mut found: Vec<(TableId, String, Format, u64)> = Vec::new();
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
        sources.push(Source::Failed);
        let len = std::fs::metadata(path.join(&file)).map_or(0, |m| m.len());
        found.push((tid, file, format, len));
    }
    // Read and decoded on all threads: checking that a large file is UTF-8 takes as long as reading it.
    let bytes = found.iter().map(|&(.., len)| len).sum::<u64>();
    let read = |(tid, file, format, len): (TableId, String, Format, u64)| {
        let shown = format!("{base}/{file}");
        let full = path.join(&file);
        if len > cut_above as u64 && matches!(format, Format::Csv) && forced.is_none_or(|e| e == encoding_rs::UTF_8) {
            if let Some(survey) = survey::survey(&full) {
                return (tid, Ok(Source::Surveyed(DataFile::surveyed(shown, survey.len, (full, forced)), Arc::new(survey))));
            }
        }
        (tid, read_whole(shown, full, len, forced, format))
    };
    let work = crate::cores::Work::Bytes(usize::try_from(bytes).unwrap_or(usize::MAX));
    for (tid, source) in crate::cores::map(work, found.into_iter(), read) {
        match source {
            Ok(source) => {
                if let Some(slot) = sources.get_mut(tid) {
                    *slot = source;
                }
            }
            Err(diagnostic) => ctx.diags.push(*diagnostic),
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

/// Types the records of `range` of a CSV file at line `line`: of its text
/// held, or read from disk when it was surveyed.
fn read_piece(
    ctx: &mut Ctx<'_>,
    loader: &mut TableLoader,
    file: &DataFile,
    survey: Option<&survey::Survey>,
    delimiter: u8,
    range: std::ops::Range<usize>,
    line: u32,
) -> PieceEnd {
    // The piece ends the file: a quoted cell may be left open there.
    let last = range.end >= file.len;
    let Some(survey) = survey else {
        // Only the piece's own bytes are checked to be UTF-8 (see `decode::Text`).
        return match file.text().slice(range.clone()) {
            Some(text) => type_piece(ctx, loader, csvfile::Piece { text, base: range.start, range: 0..text.len(), line }, delimiter, last),
            None => PieceEnd { line_breaks: 0, misread: true },
        };
    };
    PIECE.with_borrow_mut(|bytes| match survey.read(range.clone(), bytes).map(|()| simdutf8::basic::from_utf8(bytes)) {
        Ok(Ok(text)) => type_piece(ctx, loader, csvfile::Piece { text, base: range.start, range: 0..text.len(), line }, delimiter, last),
        Ok(Err(_)) => PieceEnd { line_breaks: 0, misread: true },
        Err(e) => {
            ctx.diags.push(errors::io(&file.name, &e));
            loader.failed = true;
            PieceEnd::default()
        }
    })
}

/// Types the records of a piece, `last` in its file or not.
fn type_piece(ctx: &mut Ctx<'_>, loader: &mut TableLoader, piece: csvfile::Piece<'_>, delimiter: u8, last: bool) -> PieceEnd {
    let room = csvfile::room(piece.text, piece.range.clone());
    let unclosed = csvfile::read_rows(ctx, loader, piece, delimiter, room);
    PieceEnd { line_breaks: u32::try_from(room - 1).unwrap_or(u32::MAX), misread: unclosed && !last }
}

thread_local! {
    /// The bytes of the last piece a thread read from disk, the room kept
    /// for the next: tens of megabytes taken fresh are as many pages the
    /// kernel zeroes first.
    static PIECE: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn read_table(ctx: &mut Ctx<'_>, tid: TableId, source: Source, workbook: &str) -> TableLoader {
    match source {
        Source::Text(file, format) => {
            let mut loader = TableLoader::new(ctx, tid, Place::Text(file.clone()), file.name.clone());
            match format {
                Format::Csv => {
                    let text = file.text();
                    let text = text.as_str();
                    if let Some(body) = csvfile::read_header(ctx, &mut loader, &file, text) {
                        // One piece, the text already checked: not checked again as `read_piece` would.
                        let piece = csvfile::Piece { text, base: 0, range: body.start..text.len(), line: body.line };
                        type_piece(ctx, &mut loader, piece, body.delimiter, true);
                    }
                }
                Format::Json => jsonfile::read(ctx, &mut loader, &file),
            }
            loader
        }
        // Never: every surveyed file is read in pieces; read whole all the same.
        Source::Surveyed(file, _) => match read_again(&file) {
            Ok(source) => read_table(ctx, tid, source, workbook),
            Err(diagnostic) => {
                ctx.diags.push(*diagnostic);
                read_table(ctx, tid, Source::Failed, workbook)
            }
        },
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

/// The typed columns of a table's sorted rows, texts interned afresh in row
/// order into `strings`, which starts with the units' keys in unit order: a
/// table's unit column holds its rows' unit keys, whose symbols are their
/// ids, if it is kept.
fn build(rows: Rows, loading: &Interner, strings: &mut Interner, units: usize, keep_unit_column: bool) -> TableData {
    let Rows { source, columns, units: row_units, lines, unit_col, grouped } = rows;
    let (unit_starts, group_at) =
        if grouped { unit_groups(&row_units, units) } else { (sorted_unit_starts(&row_units, units), Vec::new()) };
    let mut table = TableData { source, columns: Vec::new(), lines, unit_starts, group_at };
    // The symbol of each loading symbol, once interned.
    let mut renumber = vec![Sym::MAX; loading.len()];
    let mut symbol = |sym: Sym| match renumber.get_mut(sym as usize) {
        Some(new) if *new != Sym::MAX => *new,
        known => {
            let new = strings.intern(loading.resolve(sym));
            if let Some(slot) = known {
                *slot = new;
            }
            new
        }
    };
    table.columns = columns
        .into_iter()
        .enumerate()
        .map(|(c, column)| match column {
            // Empty while loading: the rows' units, whose symbols are their ids (if read).
            Column::Text(_) if c == unit_col && !keep_unit_column => Column::Text(TextCells::default()),
            Column::Text(_) if c == unit_col => Column::Text(TextCells(row_units.clone())),
            Column::Text(mut syms) => {
                // Interned in the order of the units' rows, as when they are
                // sorted: the symbols do not depend on the units' order in the file.
                if !table.sorted_by_unit() {
                    let rows = (0..units).flat_map(|u| table.rows_of(UnitId::try_from(u).unwrap_or(UnitId::MAX)));
                    rows.filter_map(|r| syms.0.get(r).copied().filter(|&s| s != NO_TEXT)).for_each(|s| {
                        symbol(s);
                    });
                }
                syms.renumber(&mut symbol);
                Column::Text(syms)
            }
            other => other,
        })
        .collect();
    table
}

/// Where each unit's rows start, for rows sorted by unit, in one pass.
fn sorted_unit_starts(row_units: &[UnitId], units: usize) -> Vec<u32> {
    let mut unit_starts = Vec::with_capacity(units + 1);
    let mut at = 0;
    for u in 0..=units {
        while row_units.get(at).is_some_and(|&x| (x as usize) < u) {
            at += 1;
        }
        unit_starts.push(u32::try_from(at).unwrap_or(u32::MAX));
    }
    unit_starts
}

/// For rows lying together unit by unit, the units in any order: where
/// each unit's rows would start were they sorted by unit, and where they
/// start as they lie (see [`TableData::group_at`]).
fn unit_groups(row_units: &[UnitId], units: usize) -> (Vec<u32>, Vec<u32>) {
    let mut unit_starts = vec![0u32; units + 1];
    let mut group_at = vec![0u32; units];
    for (r, &u) in row_units.iter().enumerate() {
        let u = u as usize;
        if let (Some(at), Some(count)) = (group_at.get_mut(u), unit_starts.get_mut(u + 1)) {
            if *count == 0 {
                *at = u32::try_from(r).unwrap_or(u32::MAX);
            }
            *count += 1;
        }
    }
    for u in 0..units {
        unit_starts[u + 1] += unit_starts[u];
    }
    (unit_starts, group_at)
}
