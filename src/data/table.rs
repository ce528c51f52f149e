//! Rows of one table, typed as they are read, then checked and put in order.
//!
//! Readers (`csvfile`, `jsonfile`, `xlsx`) call [`TableLoader::header`] once
//! and [`TableLoader::row`] for every row. The loader types each cell by its
//! column, resolves the unit, and keeps the good rows in typed columns, the
//! shape the evaluator wants (no allocation per cell; texts are interned).
//! A large file is typed in pieces, one loader per piece
//! ([`TableLoader::for_piece`]), merged in file order
//! ([`TableLoader::absorb`]). [`TableLoader::finish`] then rejects duplicate
//! keys, fills or reports missing rows and puts the rows in order (files
//! exported in that order are not copied).

use std::cmp::Ordering;
use std::collections::HashSet;
use std::sync::Arc;

use rust_decimal::Decimal;

use super::cell::{self, Parsed, Raw};
use super::csvfile::{self, Body};
use super::decode::Text;
use super::errors;
use super::{Column, Interner, Sym, TextCells, UnitId};
use crate::date::Date;
use crate::decimals::NumberCells;
use crate::diagnostics::Diagnostics;
use crate::model::{ColumnType, Scheme, TableId, TableShape, Value};
use crate::source::{SourceFile, Span};

/// Where a table's rows come from, for messages.
#[derive(Debug, Clone)]
pub(crate) enum Place {
    /// A CSV or JSON file, decoded: diagnostics label its text.
    Text(Arc<DataFile>),
    /// A sheet of a workbook: diagnostics name `sheet!B7` in the message.
    Sheet {
        /// The workbook's path as given.
        workbook: String,
        /// The sheet's name.
        sheet: String,
    },
    /// No file: the table was filled from its defaults.
    Nowhere,
}

/// A decoded CSV or JSON file. Its [`SourceFile`], with the table of line
/// starts that diagnostics need, is made for the first diagnostic only:
/// most files have none, and a large file's table is large.
///
/// A file read from disk lets go of its text once its rows are typed
/// ([`DataFile::let_go`]): at national scale the texts are gigabytes, held
/// otherwise while the rows are joined, sorted and checked, for the rare
/// message about a duplicate key or a missing row. Such a message reads the
/// file again.
#[derive(Debug)]
pub(crate) struct DataFile {
    /// The file as messages call it.
    pub name: String,
    /// Its text's length in bytes.
    pub len: usize,
    /// Its text until it is let go (not an `Arc<str>`: making one would
    /// copy a file of hundreds of megabytes).
    text: std::sync::Mutex<Option<Arc<Text>>>,
    /// Where it was read, to read it again.
    origin: Option<Origin>,
    /// For diagnostics; `None` when the text is let go and the file on disk is no longer the one read.
    source: std::sync::OnceLock<Option<Arc<SourceFile>>>,
}

/// Where a file was read, and the encoding it was told to have (see [`super::decode::decode`]).
pub(crate) type Origin = (std::path::PathBuf, Option<&'static encoding_rs::Encoding>);

impl DataFile {
    /// A file called `name` in messages, of text `text`, kept whole.
    #[cfg(test)]
    pub(crate) fn new(name: String, text: String) -> Arc<DataFile> {
        DataFile::make(name, text.len(), Some(Text::from(text)), None)
    }

    /// A file called `name` in messages, surveyed (its text, of `len`
    /// bytes, is read piece by piece: see [`super::survey`]).
    pub(crate) fn surveyed(name: String, len: usize, origin: Origin) -> Arc<DataFile> {
        DataFile::make(name, len, None, Some(origin))
    }

    /// A file called `name` in messages, read and decoded into `text`.
    pub(crate) fn read_from(name: String, text: Text, origin: Origin) -> Arc<DataFile> {
        DataFile::make(name, text.len(), Some(text), Some(origin))
    }

    fn make(name: String, len: usize, text: Option<Text>, origin: Option<Origin>) -> Arc<DataFile> {
        let text = std::sync::Mutex::new(text.map(Arc::new));
        Arc::new(DataFile { name, len, text, origin, source: std::sync::OnceLock::new() })
    }

    /// Where the file was read and the encoding it was told to have, if it was read from disk.
    pub(crate) fn origin(&self) -> Option<(&std::path::Path, Option<&'static encoding_rs::Encoding>)> {
        self.origin.as_ref().map(|(path, forced)| (path.as_path(), *forced))
    }

    /// The text, while it is held (empty once let go: rows are typed before).
    pub(crate) fn text(&self) -> Arc<Text> {
        self.held().unwrap_or_default()
    }

    fn held(&self) -> Option<Arc<Text>> {
        self.text.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Lets go of the text, once the rows are typed, when the file can be read again.
    pub(crate) fn let_go(&self) {
        if self.origin.is_some() {
            *self.text.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = None;
        }
    }

    /// The file for diagnostics: the text held, or the file read again
    /// (`None` if it can no longer be read as it was: another length, or
    /// not decodable).
    pub(crate) fn source(&self) -> Option<&Arc<SourceFile>> {
        self.source
            .get_or_init(|| {
                let text = self.held().or_else(|| self.read_again())?;
                Some(SourceFile::new(self.name.clone(), text.as_str()))
            })
            .as_ref()
    }

    /// The text read from disk again, if it is as long as the one typed.
    fn read_again(&self) -> Option<Arc<Text>> {
        let (path, forced) = self.origin.as_ref()?;
        let text = super::decode::decode(std::fs::read(path).ok()?, *forced).ok()?;
        (text.len() == self.len).then(|| Arc::new(text))
    }
}

/// Where a cell or row is in its [`Place`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Loc {
    /// Nowhere in particular.
    None,
    /// Bytes of the decoded text.
    Span(Span),
    /// A cell of a sheet, 0-based.
    Cell {
        /// Row, 0-based.
        row: u32,
        /// Column, 0-based.
        col: u32,
    },
    /// A row of a sheet, 0-based.
    Row(u32),
}

/// Where each row was read, for the rare message about a duplicate key:
/// the loader keeps it for every row of a file until its keys are checked,
/// and at national scale that is tens of millions of rows. A CSV record
/// costs nothing: its place is found again from its line
/// ([`TableLoader::row_loc`]). Any other place takes a word, 8 bytes where a
/// [`Loc`] is 24: a span of a text packed (its start below 2^38, its length
/// below 2^24), anything else kept aside whole.
#[derive(Debug, Default)]
pub(crate) struct RowLocs {
    /// Rows before the first word of `packed`: CSV records.
    records: usize,
    packed: Vec<u64>,
    other: Vec<Loc>,
}

/// [`RowLocs`]: the low two bits say what a word holds.
const LOC_SPAN: u64 = 0;
const LOC_NONE: u64 = 1;
const LOC_OTHER: u64 = 2;
const LOC_RECORD: u64 = 3;
const LOC_LENGTH_BITS: u32 = 24;

impl RowLocs {
    /// Appends a row that is a CSV record, found again from its line.
    #[inline]
    pub(crate) fn push_record(&mut self) {
        if self.packed.is_empty() {
            self.records += 1;
        } else {
            self.packed.push(LOC_RECORD);
        }
    }

    /// Appends the place of the next row.
    #[inline]
    pub(crate) fn push(&mut self, loc: Loc) {
        let word = match loc {
            Loc::None => Some(LOC_NONE),
            Loc::Span(span) => {
                let (start, length) = (span.start as u64, span.end.saturating_sub(span.start) as u64);
                (start < 1 << (62 - LOC_LENGTH_BITS) && length < 1 << LOC_LENGTH_BITS)
                    .then_some((start << LOC_LENGTH_BITS | length) << 2 | LOC_SPAN)
            }
            _ => None,
        };
        match word {
            Some(word) => self.packed.push(word),
            None => {
                self.packed.push((self.other.len() as u64) << 2 | LOC_OTHER);
                self.other.push(loc);
            }
        }
    }

    /// The place of row `r` (nowhere past the end); `None` for a CSV record.
    pub(crate) fn get(&self, r: usize) -> Option<Loc> {
        let r = r.checked_sub(self.records)?;
        let Some(&word) = self.packed.get(r) else { return Some(Loc::None) };
        match word & 3 {
            LOC_SPAN => {
                let (start, length) = ((word >> 2 >> LOC_LENGTH_BITS) as usize, (word >> 2 & ((1 << LOC_LENGTH_BITS) - 1)) as usize);
                Some(Loc::Span(Span { start, end: start + length }))
            }
            LOC_OTHER => Some(self.other.get((word >> 2) as usize).copied().unwrap_or(Loc::None)),
            LOC_RECORD => None,
            _ => Some(Loc::None),
        }
    }

    /// Appends the places of `more`'s rows.
    pub(crate) fn append(&mut self, more: RowLocs) {
        if self.packed.is_empty() {
            self.records += more.records;
        } else {
            self.packed.extend(std::iter::repeat_n(LOC_RECORD, more.records));
        }
        let shift = self.other.len() as u64;
        self.packed.extend(more.packed.iter().map(|&w| if w & 3 == LOC_OTHER { w + (shift << 2) } else { w }));
        self.other.extend(more.other);
    }
}

/// A cell as a reader hands it over.
#[derive(Debug, Clone)]
pub(crate) struct Cell<'a> {
    /// Its content.
    pub raw: Raw<'a>,
    /// Where it is.
    pub loc: Loc,
}

/// The cells of one row as a reader holds them, in the reader's column order.
pub(crate) trait Cells {
    /// Whether every cell is empty (blank text counts as empty).
    fn all_empty(&self) -> bool;
    /// The text of cell `i` as written, when the reader holds it as text
    /// that needs no unquoting; `None` otherwise (then see [`Cells::cell`]).
    fn plain(&self, i: usize) -> Option<&str>;
    /// Cell `i`, if the row has it.
    fn cell(&self, i: usize) -> Option<Cell<'_>>;
}

impl Cells for [Cell<'_>] {
    fn all_empty(&self) -> bool {
        self.iter().all(|c| c.raw.is_empty())
    }

    fn plain(&self, i: usize) -> Option<&str> {
        match &self.get(i)?.raw {
            Raw::Text(text) => Some(text),
            _ => None,
        }
    }

    fn cell(&self, i: usize) -> Option<Cell<'_>> {
        self.get(i).map(|c| Cell { raw: c.raw.reborrow(), loc: c.loc })
    }
}

/// A typed value while loading. Text is a symbol of the loading interner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Val {
    /// No value.
    Null,
    /// A number.
    Number(Decimal),
    /// Text.
    Text(Sym),
    /// A date.
    Date(Date),
    /// Yes or no.
    Bool(bool),
    /// A period, 0-based.
    Period(u8),
}

/// The units, once the units table is read.
#[derive(Debug, Default, Clone)]
pub(crate) struct UnitIndex {
    /// Keys, interned in sorted order: a key's symbol is its unit id.
    pub keys: Interner,
}

impl UnitIndex {
    /// Number of units.
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// The id of a key.
    pub(crate) fn id(&self, key: &str) -> Option<UnitId> {
        self.keys.get(key)
    }

    /// The key of a unit.
    pub(crate) fn key(&self, unit: UnitId) -> &str {
        self.keys.resolve(unit)
    }

    /// Every key, in order (by id).
    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|u| self.keys.resolve(UnitId::try_from(u).unwrap_or(UnitId::MAX)))
    }
}

/// A record's fields, read one at a time (see [`TableLoader::quick_row`]).
pub(crate) trait PlainFields<'t> {
    /// The next field's text (`Some(None)`: a field that is not plain, such
    /// as a quoted one), or `None` after the last field.
    fn next_plain(&mut self) -> Option<Option<&'t str>>;
    /// The next field as a number where it is a plain one (as
    /// [`cell::plain_digits`] reads it), typed while it is read; or `None`
    /// after the last field.
    fn next_number(&mut self) -> Option<PlainNumber<'t>>;
    /// The line the record starts on: its place is found again from it
    /// when a message needs it (see [`RowLocs`]).
    fn line(&self) -> u32;
}

/// A field read as a number (see [`PlainFields::next_number`]).
#[derive(Debug, PartialEq)]
pub(crate) enum PlainNumber<'t> {
    /// A plain number: its digits, scale and sign.
    Digits(u64, u32, bool),
    /// A plain field that is not a plain number (an empty one, `95%`, ` 95`):
    /// its text.
    Text(&'t str),
    /// A field that is not plain (a quoted one).
    Quoted,
}

/// What all tables share while loading.
pub(crate) struct Ctx<'s> {
    /// The scheme.
    pub scheme: &'s Scheme,
    /// Findings.
    pub diags: Diagnostics,
    /// Texts seen while loading (re-interned in order at the end).
    pub strings: Interner,
    /// The units, once known (shared by the threads that load).
    pub units: Option<Arc<UnitIndex>>,
}

/// The rows of one table, checked and sorted.
#[derive(Debug)]
pub(crate) struct Rows {
    /// Shown in messages.
    pub source: String,
    /// One column per declared column; texts are symbols of the table's loading interner.
    pub columns: Vec<Column>,
    /// The unit of each row.
    pub units: Vec<UnitId>,
    /// Where each row was read (0: filled from defaults).
    pub lines: Vec<u32>,
    /// The column naming each row's unit.
    pub unit_col: usize,
    /// Whether the rows are as read, each unit's rows together and in
    /// order but the units not in the order of their ids (see
    /// [`RowOrder::Grouped`]); else they are sorted by unit.
    pub grouped: bool,
}

/// In [`TableLoader::last_unit`]: no unit found yet.
const NOT_A_UNIT: UnitId = UnitId::MAX - 1;

/// Loads one table.
pub(crate) struct TableLoader {
    tid: TableId,
    /// The column naming the unit (the key column for the units table).
    unit_col: usize,
    is_units_table: bool,
    pub(crate) place: Place,
    pub(crate) source: String,
    /// For each declared column, its position in the reader's cells.
    map: Vec<Option<usize>>,
    /// The default of each column (`Some(Val::Null)` for a declared `空`).
    defaults: Vec<Option<Val>>,
    ncols: usize,
    /// The good rows so far, by column.
    columns: Vec<Column>,
    units: Vec<UnitId>,
    lines: Vec<u32>,
    locs: RowLocs,
    /// Where the records of the CSV file read start, and its delimiter:
    /// a record's place is found again from its line.
    pub(crate) body: Option<Body>,
    /// Units (and unit × period) met in rows dropped for bad cells: not reported missing.
    excused: HashSet<(UnitId, Option<u8>)>,
    /// Units suggested for unknown unit names: probably the same rows, misspelt.
    suggested: HashSet<UnitId>,
    /// For the units table: each row's key in the order read, not indexed
    /// (a key's symbol is its row's provisional id; `take_units` merges
    /// the keys met twice).
    provisional: Interner,
    /// Required columns missing from the header (already reported): their cells are not reported again.
    absent: Vec<bool>,
    /// The unit of the last unit name looked up: files usually list the
    /// units in order, so the next name is usually this unit's or the next's.
    last_unit: UnitId,
    /// The symbol of the last text typed in each column (`Sym::MAX`: none):
    /// rows of one unit repeat texts, and comparing is cheaper than hashing.
    last_text: Vec<Sym>,
    /// How each column's usual cells are typed without the general parser.
    usual: Vec<Usual>,
    /// The value of an empty cell of each column, when it has one (a
    /// default, or no value in an optional column; never for the unit).
    when_empty: Vec<Option<Val>>,
    /// For columns of few values (see [`Usual::Few`]): texts already typed, and their values.
    seen: Vec<Vec<(String, Val)>>,
    /// A file-level error was reported: no row checks.
    pub(crate) failed: bool,
}

impl TableLoader {
    /// A loader for table `tid`.
    pub(crate) fn new(ctx: &mut Ctx<'_>, tid: TableId, place: Place, source: String) -> TableLoader {
        let scheme = ctx.scheme;
        let table = &scheme.tables[tid];
        let is_units_table = tid == scheme.units.table;
        let unit_col = if is_units_table { scheme.units.key } else { table.unit_column };
        let usual: Vec<Usual> = table.columns.iter().map(Usual::of).collect();
        // A column nothing reads keeps no text, its default's neither.
        let defaults: Vec<Option<Val>> = table
            .columns
            .iter()
            .zip(&usual)
            .map(|(c, &usual)| {
                c.default.as_ref().map(|v| if usual == Usual::Unread { Val::Null } else { default_val(&c.ty, v, &mut ctx.strings) })
            })
            .collect();
        let ncols = table.columns.len();
        let columns = table.columns.iter().map(|c| Column::empty(&c.ty)).collect();
        let when_empty = (0..ncols)
            .map(|c| match defaults[c] {
                _ if c == unit_col => None,
                Some(default) => Some(default),
                None => table.columns[c].optional.then_some(Val::Null),
            })
            .collect();
        TableLoader {
            tid,
            unit_col,
            is_units_table,
            place,
            source,
            map: (0..ncols).map(Some).collect(),
            defaults,
            ncols,
            columns,
            units: Vec::new(),
            lines: Vec::new(),
            locs: RowLocs::default(),
            body: None,
            excused: HashSet::new(),
            suggested: HashSet::new(),
            provisional: Interner::default(),
            absent: vec![false; ncols],
            last_unit: NOT_A_UNIT,
            last_text: vec![Sym::MAX; ncols],
            usual,
            when_empty,
            seen: vec![Vec::new(); ncols],
            failed: false,
        }
    }

    /// Room for `rows` more rows.
    pub(crate) fn reserve(&mut self, rows: usize) {
        let unit_col = self.unit_col_filled_later().then_some(self.unit_col);
        for (c, column) in self.columns.iter_mut().enumerate() {
            if Some(c) != unit_col {
                column.reserve(rows);
            }
        }
        self.units.reserve(rows);
        self.lines.reserve(rows);
    }

    /// Lets go of the file's text once every row is typed (see [`DataFile::let_go`]).
    pub(crate) fn let_go_of_text(&self) {
        if let Place::Text(file) = &self.place {
            file.let_go();
        }
    }

    /// Moves the lines of the rows read `by` lines on (a piece typed from its own line 0).
    pub(crate) fn shift_lines(&mut self, by: u32) {
        self.lines.iter_mut().for_each(|line| *line = line.saturating_add(by));
    }

    /// The table it loads.
    pub(crate) fn tid(&self) -> TableId {
        self.tid
    }

    /// A loader for another piece of the same file: the header as matched
    /// by this one, the defaults interned in the piece's own `ctx`.
    pub(crate) fn for_piece(&self, ctx: &mut Ctx<'_>) -> TableLoader {
        let mut piece = TableLoader::new(ctx, self.tid, self.place.clone(), self.source.clone());
        piece.map.clone_from(&self.map);
        piece.absent.clone_from(&self.absent);
        piece.failed = self.failed;
        piece.body = self.body;
        piece
    }

    /// Appends the rows and findings of the next piece of the file (typed
    /// by [`TableLoader::for_piece`] with its own context), as if this
    /// loader had read them: texts interned here, unit ids of the units
    /// table renumbered. Pieces are joined one by one as they are read (at
    /// national scale, joining them all at the end held the pieces and the
    /// whole columns at once), into room made with the first rows for the
    /// `expected` rows in all. Room is made only then: moving a column into
    /// more room copies all of its room, written or not, so that every page
    /// of it is then given memory.
    pub(crate) fn absorb(&mut self, ctx: &mut Ctx<'_>, piece: TableLoader, piece_ctx: Ctx<'_>, expected: usize) {
        let first_rows = self.units.is_empty();
        ctx.diags.extend(piece_ctx.diags);
        // Appended, not interned again: build interns every text by its characters.
        let texts = ctx.strings.append(piece_ctx.strings);
        // The units table's provisional ids too: take_units merges the keys met twice.
        let ids = if self.is_units_table { self.provisional.append(piece.provisional) } else { 0 };
        self.units.extend(piece.units.iter().map(|&u| u.saturating_add(ids)));
        self.excused.extend(piece.excused.iter().map(|&(u, p)| (u.saturating_add(ids), p)));
        self.suggested.extend(piece.suggested);
        self.lines.extend(piece.lines);
        self.locs.append(piece.locs);
        self.failed |= piece.failed;
        for (column, more) in self.columns.iter_mut().zip(piece.columns) {
            column.append(more, texts);
        }
        if first_rows {
            let (rows, more) = (self.units.len(), expected.saturating_sub(self.units.len()));
            self.reserve(more);
            // The texts grow with the rows: room for as many more a row.
            // Grown by doubling, each step copied them into fresh memory
            // (56,000 page faults at 8,000,000 people).
            ctx.strings.reserve_unindexed_like(rows, more);
            self.provisional.reserve_unindexed_like(rows, more);
        }
    }

    /// How many rows it holds.
    pub(crate) fn rows(&self) -> usize {
        self.units.len()
    }

    /// Matches the header to the declared columns (exact names after
    /// trimming; extra columns are ignored). Returns false when nothing can
    /// be read (the unit column is missing).
    pub(crate) fn header(&mut self, ctx: &mut Ctx<'_>, names: &[(String, Loc)], header_loc: Loc) -> bool {
        let table = &ctx.scheme.tables[self.tid];
        let mut ok = true;
        for (c, column) in table.columns.iter().enumerate() {
            let found: Vec<usize> = names.iter().enumerate().filter(|(_, (n, _))| n.trim() == column.name).map(|(i, _)| i).collect();
            self.map[c] = found.first().copied();
            if let [first, again, ..] = found.as_slice() {
                ctx.diags.push(errors::duplicate_column(&self.place, &table.name, &column.name, names[*first].1, names[*again].1));
            }
            if found.is_empty() {
                let required = column.default.is_none() && !column.optional;
                let header: Vec<&str> = names.iter().map(|(n, _)| n.trim()).collect();
                if !(required || c == self.unit_col) {
                    // Not an error, but a near miss in the header is probably this column misspelt.
                    let declared = |n: &str| table.columns.iter().any(|c| c.name == n);
                    let others = header.iter().copied().filter(|n| !declared(n));
                    if let Some(similar) = crate::suggest::did_you_mean(&column.name, others) {
                        ctx.diags.push(errors::similar_column(&self.place, &table.name, column, similar, header_loc));
                    }
                } else {
                    self.absent[c] = true;
                    ctx.diags.push(errors::missing_column(&self.place, &table.name, column, &header, header_loc));
                    if c == self.unit_col {
                        ok = false;
                    }
                }
            }
        }
        if !ok {
            self.failed = true;
        }
        ok
    }

    /// Types one row. `cells` are in the reader's column order.
    pub(crate) fn row(&mut self, ctx: &mut Ctx<'_>, line: u32, row_loc: Loc, cells: &(impl Cells + ?Sized)) {
        if cells.all_empty() {
            return;
        }
        let scheme = ctx.scheme;
        let table = &scheme.tables[self.tid];
        let start = self.units.len();
        let mut bad = false;
        // The unit first, so that messages about other cells can name it.
        let unit_at = self.map[self.unit_col];
        let mut unit: Option<UnitId> = None;
        let unit_plain = unit_at.and_then(|i| cells.plain(i));
        let typed_key: String;
        let key: &str = match unit_plain.filter(|text| self.usual[self.unit_col] == Usual::Text && is_plain_text(text)) {
            // As written, not interned: a text unit column is filled from
            // the rows' units when the table is built (see `unit_col_filled_later`).
            Some(text) => text,
            None => {
                let val = self.value(ctx, self.unit_col, unit_plain, cells, row_loc, None).unwrap_or(Val::Null);
                if !self.unit_col_filled_later() {
                    self.columns[self.unit_col].push(val);
                }
                typed_key = key_text(&val, &ctx.strings).into_owned();
                &typed_key
            }
        };
        if key.is_empty() {
            bad = true;
        } else if self.is_units_table {
            unit = Some(self.provisional.push_unindexed(key));
        } else if let Some(index) = &ctx.units {
            unit = self.find_unit(index, key);
            if unit.is_none() {
                let loc = unit_at.and_then(|i| cells.cell(i)).map_or(row_loc, |c| c.loc);
                self.unknown_unit(ctx, key, loc);
            }
        }
        let named = (!key.is_empty()).then_some(key);
        let mut period: Option<u8> = None;
        for c in 0..self.ncols {
            if c == self.unit_col {
                continue;
            }
            let at = self.map[c];
            let plain = at.and_then(|i| cells.plain(i));
            if plain.is_some_and(|text| self.push_number(c, text)) {
                continue;
            }
            match self.value(ctx, c, plain, cells, row_loc, named) {
                Ok(val) => {
                    if let (TableShape::PerUnitPeriod { column, .. }, Val::Period(p)) = (table.shape, val) {
                        if column == c {
                            period = Some(p);
                        }
                    }
                    self.columns[c].push(val);
                }
                Err(()) => {
                    self.columns[c].push(Val::Null);
                    bad = true;
                }
            }
        }
        match (bad, unit) {
            (false, Some(u)) => {
                self.units.push(u);
                self.lines.push(line);
                self.keep_place(row_loc);
            }
            (_, unit) => {
                for column in &mut self.columns {
                    column.truncate(start);
                }
                if let Some(u) = unit {
                    // `None`: every period of the unit, when the row's period is not known.
                    let per_period = matches!(table.shape, TableShape::PerUnitPeriod { .. });
                    self.excused.insert((u, period.filter(|_| per_period)));
                }
            }
        }
    }

    /// For [`TableLoader::quick_row`]: what each field of the file fills
    /// (the declared columns' [`Fill`]), up to the last one declared.
    /// `None` when no record can be read quickly, so
    /// that none is read twice: a declared column is not in the file, the
    /// unit column is not text, or a column (a date, a percent) has no
    /// usual form.
    pub(crate) fn fills(&self) -> Option<Vec<Fill>> {
        if self.failed || self.usual[self.unit_col] != Usual::Text || self.usual.contains(&Usual::Other) {
            return None;
        }
        let mut fills = Vec::new();
        for (c, at) in self.map.iter().enumerate() {
            let at = (*at)?;
            if fills.len() <= at {
                fills.resize(at + 1, Fill::Nothing);
            }
            fills[at] = match (self.usual[c], &self.columns[c]) {
                _ if c == self.unit_col => Fill::Unit,
                (usual @ (Usual::Number | Usual::Integer), Column::Number(_)) => {
                    Fill::Digits { column: c, usual, empty: self.when_empty[c].and_then(EmptyCell::of) }
                }
                _ => Fill::Cell(c),
            };
        }
        Some(fills)
    }

    /// Types a record whose fields are all plain and in their columns'
    /// usual form (see [`Usual`]) and whose unit is known, as [`TableLoader::row`]
    /// would, in one pass over the fields and without making cells: most
    /// records of an exported file are. `fills` is [`TableLoader::fills`].
    /// Any other record adds nothing and gives false: `row` then reads it.
    pub(crate) fn quick_row<'t>(&mut self, ctx: &mut Ctx<'_>, fills: &[Fill], fields: &mut impl PlainFields<'t>) -> bool {
        let start = self.units.len();
        let mut key = None;
        let mut read = 0;
        loop {
            let fill = fills.get(read).copied().unwrap_or(Fill::Nothing);
            let field = match fill {
                // A number column's cell typed as it is read, each byte once.
                Fill::Digits { column: c, usual, empty } => match fields.next_number() {
                    None => break,
                    Some(PlainNumber::Digits(digits, scale, negative)) => {
                        read += 1;
                        let Some((digits, scale, negative)) = usual_form(usual, (digits, scale, negative)) else {
                            return self.undo(start);
                        };
                        if let Column::Number(numbers) = &mut self.columns[c] {
                            numbers.push_digits(digits, scale, negative);
                        }
                        continue;
                    }
                    // An empty cell that may be empty (a default, or an
                    // optional column's): many are, in a national file.
                    Some(PlainNumber::Text("")) if empty.is_some() => {
                        read += 1;
                        match (&mut self.columns[c], empty) {
                            (Column::Number(numbers), Some(EmptyCell::Digits(digits, scale, negative))) => {
                                numbers.push_digits(digits, scale, negative)
                            }
                            (Column::Number(numbers), _) => numbers.push_empty(),
                            _ => {}
                        }
                        continue;
                    }
                    Some(PlainNumber::Text(text)) => Some(text),
                    Some(PlainNumber::Quoted) => None,
                },
                _ => match fields.next_plain() {
                    None => break,
                    Some(field) => field,
                },
            };
            read += 1;
            let Some(text) = field else { return self.undo(start) };
            match fill {
                Fill::Nothing => {}
                Fill::Unit => {
                    if !is_plain_text(text) {
                        return self.undo(start);
                    }
                    // Filled from the rows' units when the table is built, as in `row`.
                    key = Some(text);
                }
                Fill::Digits { column: c, .. } | Fill::Cell(c) => {
                    if !self.push_number(c, text) {
                        match self.usual_val(&mut ctx.strings, c, text) {
                            Some(val) => self.columns[c].push(val),
                            None => return self.undo(start),
                        }
                    }
                }
            }
        }
        let unit = match key {
            _ if read < fills.len() => None,
            Some(key) if self.is_units_table => Some(self.provisional.push_unindexed(key)),
            Some(key) => ctx.units.as_ref().and_then(|index| self.find_unit(index, key)),
            None => None,
        };
        let Some(unit) = unit else { return self.undo(start) };
        self.units.push(unit);
        self.lines.push(fields.line());
        self.locs.push_record();
        true
    }

    /// Keeps where a row was read: nothing for a CSV record (see [`RowLocs`]).
    #[inline]
    fn keep_place(&mut self, loc: Loc) {
        match (self.body, loc) {
            (Some(_), Loc::Span(_)) => self.locs.push_record(),
            _ => self.locs.push(loc),
        }
    }

    /// Where row `r` was read; a CSV record found again in the file's text.
    fn row_loc(&self, r: usize) -> Loc {
        self.locs.get(r).unwrap_or_else(|| {
            let line = self.lines.get(r).copied().unwrap_or(0);
            match (&self.place, self.body) {
                (Place::Text(file), Some(body)) => {
                    file.source().and_then(|source| csvfile::record_on_line(source, body, line)).map_or(Loc::None, Loc::Span)
                }
                _ => Loc::None,
            }
        })
    }

    /// Takes back the cells of a row begun at `start`; false.
    #[cold]
    fn undo(&mut self, start: usize) -> bool {
        for column in &mut self.columns {
            column.truncate(start);
        }
        false
    }

    /// Types the cell of column `c` (`plain`: its text when the reader has
    /// the column and the cell is plain): a cell in its column's usual form
    /// quickly, any other by [`TableLoader::typed`].
    #[inline(always)]
    fn value(
        &mut self,
        ctx: &mut Ctx<'_>,
        c: usize,
        plain: Option<&str>,
        cells: &(impl Cells + ?Sized),
        row_loc: Loc,
        unit: Option<&str>,
    ) -> Result<Val, ()> {
        if let Some(val) = plain.and_then(|text| self.usual_val(&mut ctx.strings, c, text)) {
            return Ok(val);
        }
        let cell = self.map[c].and_then(|i| cells.cell(i));
        let typed = self.typed(ctx, c, cell.as_ref(), row_loc, unit);
        if let (Some(text), Ok(val), Usual::Few) = (plain, typed, self.usual[c]) {
            // Few values, many cells: remembered (a handful at most, so looked up in order).
            if self.seen[c].len() < FEW {
                self.seen[c].push((text.to_string(), val));
            }
        }
        typed
    }

    /// Types one cell of column `c` by the general parser; `unit` names the row's unit in messages.
    #[inline(never)]
    fn typed(&mut self, ctx: &mut Ctx<'_>, c: usize, cell: Option<&Cell<'_>>, row_loc: Loc, unit: Option<&str>) -> Result<Val, ()> {
        let table = &ctx.scheme.tables[self.tid];
        let column = &table.columns[c];
        let is_unit = c == self.unit_col;
        let Some(cell) = cell.filter(|cell| !cell.raw.is_empty()) else {
            // Every row names its unit: no default or empty value for the unit column.
            if !is_unit {
                if let Some(d) = self.defaults[c] {
                    return Ok(d);
                }
                if column.optional {
                    return Ok(Val::Null);
                }
            }
            if cell.is_none() && self.absent[c] {
                return Err(());
            }
            let loc = cell.map_or(row_loc, |cell| cell.loc);
            ctx.diags.push(errors::empty_cell(&self.place, column, unit, loc));
            return Err(());
        };
        match cell::parse(column, &cell.raw, ctx.scheme.year) {
            Ok(Parsed::Text(text)) => Ok(self.text_val(&mut ctx.strings, c, &text)),
            Ok(parsed) => Ok(intern(parsed, &mut ctx.strings)),
            Err(problem) => {
                ctx.diags.push(errors::bad_cell(&self.place, column, unit, &cell.raw, cell.loc, problem));
                Err(())
            }
        }
    }

    /// Adds a plain number of a number column (see [`usual_number`])
    /// straight into the column: most cells are numbers. False, adding
    /// nothing, for any other cell.
    #[inline(always)]
    fn push_number(&mut self, c: usize, text: &str) -> bool {
        let usual = self.usual[c];
        if let (Usual::Number | Usual::Integer, Column::Number(numbers)) = (usual, &mut self.columns[c]) {
            if let Some((digits, scale, negative)) = usual_digits(usual, text) {
                numbers.push_digits(digits, scale, negative);
                return true;
            }
        }
        false
    }

    /// The value of a cell of column `c` written in the column's usual form
    /// (see [`Usual`]), exactly as [`cell::parse`] reads it; `None` for any
    /// other cell (empty, spaced, `1,234`, `95%`, wrong...), which the general
    /// parser then reads or reports.
    fn usual_val(&mut self, strings: &mut Interner, c: usize, text: &str) -> Option<Val> {
        if text.is_empty() {
            return self.when_empty[c];
        }
        match self.usual[c] {
            Usual::Number | Usual::Integer => usual_number(self.usual[c], text).map(Val::Number),
            Usual::Text | Usual::Unread if is_plain_text(text) => Some(self.text_val(strings, c, text)),
            Usual::Few => self.seen[c].iter().find(|(seen, _)| same_text(seen, text)).map(|&(_, val)| val),
            Usual::Text | Usual::Unread | Usual::Other => None,
        }
    }

    /// The symbol of a text typed in column `c`; none for a column nothing reads.
    fn text_val(&mut self, strings: &mut Interner, c: usize, text: &str) -> Val {
        if self.usual[c] == Usual::Unread {
            return Val::Null;
        }
        let last = self.last_text[c];
        if last != Sym::MAX && strings.resolve(last) == text {
            return Val::Text(last);
        }
        let sym = strings.intern(text);
        self.last_text[c] = sym;
        Val::Text(sym)
    }

    /// The unit a key names: this row's unit or the next one's when the file
    /// lists the units in order (as exported files do), else looked up.
    fn find_unit(&mut self, index: &UnitIndex, key: &str) -> Option<UnitId> {
        let listed = |u: UnitId| (u as usize) < index.len() && index.key(u) == key;
        let found = [self.last_unit, self.last_unit.wrapping_add(1)].into_iter().find(|&u| listed(u)).or_else(|| index.id(key));
        if let Some(u) = found {
            self.last_unit = u;
        }
        found
    }

    /// Whether the unit column holds no values while loading (it stays
    /// empty): a text column, which `build` fills with the rows' units,
    /// whose symbols are their ids.
    fn unit_col_filled_later(&self) -> bool {
        matches!(self.columns[self.unit_col], Column::Text(_))
    }

    /// Reports a unit name the units table does not list.
    fn unknown_unit(&mut self, ctx: &mut Ctx<'_>, key: &str, loc: Loc) {
        let Some(index) = ctx.units.as_ref() else { return };
        let scheme = ctx.scheme;
        let table = &scheme.tables[self.tid];
        // Did-you-mean over a very long list would cost more than it helps.
        let suggestion = if index.len() <= 100_000 { close_unit(key, index.keys()) } else { None };
        if let Some(s) = suggestion.and_then(|s| index.id(s)) {
            self.suggested.insert(s);
        }
        let units_table = &scheme.tables[scheme.units.table].name;
        let column = &table.columns[self.unit_col].name;
        ctx.diags.push(errors::unknown_unit(&self.place, &table.name, column, units_table, key, suggestion, loc));
    }

    /// For the units table: the unit index, with this table's rows renumbered
    /// to the sorted ids.
    pub(crate) fn take_units(&mut self) -> UnitIndex {
        let met = std::mem::take(&mut self.provisional);
        // A key read twice has two provisional ids, next to each other once sorted: one unit.
        let order = in_key_order(&met);
        // The first provisional id of each key, in key order: the units.
        let mut firsts: Vec<UnitId> = Vec::with_capacity(order.len());
        let mut renumber = vec![0; order.len()];
        for (i, &old) in order.iter().enumerate() {
            let key = met.resolve(old);
            if i == 0 || order.get(i - 1).is_some_and(|&before| met.resolve(before) != key) {
                firsts.push(old);
            }
            if let Some(slot) = renumber.get_mut(old as usize) {
                *slot = sym_of(firsts.len() - 1);
            }
        }
        let mut keys = Interner::default();
        keys.reserve(firsts.len(), met.bytes_len());
        keys.extend_distinct(firsts.iter().map(|&first| met.resolve(first)));
        for u in &mut self.units {
            *u = renumber.get(*u as usize).copied().unwrap_or(*u);
        }
        self.excused = self.excused.iter().map(|&(u, p)| (renumber.get(u as usize).copied().unwrap_or(u), p)).collect();
        UnitIndex { keys }
    }

    /// Checks keys and completeness, fills defaults, sorts.
    pub(crate) fn finish(mut self, ctx: &mut Ctx<'_>) -> Rows {
        // A duplicate never changes which (unit, period) pairs have a row, so
        // completeness can be checked first.
        if !self.failed && !self.is_units_table {
            self.complete(ctx);
        }
        let (mut order, keys_apart) = self.sorted(ctx);
        if !self.failed && !keys_apart {
            order = self.without_duplicates(ctx, order);
        }
        // Lines only where a deduction or bonus cites the rows: at national scale, 4 bytes a row.
        if !ctx.scheme.tables[self.tid].rows_cited {
            self.lines = Vec::new();
        }
        // Files exported in order, or in order unit by unit, need no copy.
        let grouped = matches!(order, RowOrder::Grouped(_));
        let RowOrder::Sorted(order) = order else {
            return Rows {
                source: self.source,
                columns: self.columns,
                units: self.units,
                lines: self.lines,
                unit_col: self.unit_col,
                grouped,
            };
        };
        // The rows' units and lines first, each let go once copied, then the columns one by one.
        let units = order.iter().map(|&r| self.units[r as usize]).collect();
        self.units = Vec::new();
        let lines = if self.lines.is_empty() { Vec::new() } else { order.iter().map(|&r| self.lines[r as usize]).collect() };
        self.lines = Vec::new();
        let columns = in_order_of(self.columns, &order);
        Rows { source: self.source, columns, units, lines, unit_col: self.unit_col, grouped: false }
    }

    /// The value of row `r` in column `c`.
    fn val(&self, c: usize, r: usize) -> Val {
        self.columns[c].val(r)
    }

    /// Compares two rows on one column; the unit column by unit id (the ids
    /// follow the keys' order, and comparing them is cheaper than the texts).
    fn compare_on(&self, c: usize, a: usize, b: usize, strings: &Interner) -> Ordering {
        if c == self.unit_col {
            return self.units[a].cmp(&self.units[b]);
        }
        self.columns[c].compare_rows(a, b, strings)
    }

    /// Rows ordered by unit, then key columns, then the other columns (by
    /// value; a text column nothing reads holds none, so orders nothing),
    /// then by the digits written (`1.0` before `1.00`), then by line.
    /// Lines are distinct (filled rows differ in unit or period), so the
    /// order is total and an unstable sort gives the same result every time;
    /// rows already in that order (as exported data usually is) are not sorted.
    /// With the order: whether no two rows next to each other in it share
    /// a key, when that was seen on the way (else `false`: not known).
    fn sorted(&self, ctx: &Ctx<'_>) -> (RowOrder, bool) {
        let table = &ctx.scheme.tables[self.tid];
        let mut columns: Vec<usize> = table.key.iter().copied().filter(|&c| c != self.unit_col).collect();
        // Where the key holds the unit, two rows of one unit share a key
        // unless they differ in one of the first `key_rest` of `columns`.
        let key_holds_unit = self.is_units_table || table.key.contains(&self.unit_col);
        let key_rest = if self.is_units_table { 0 } else { columns.len() };
        let rest: Vec<usize> = (0..self.ncols).filter(|c| *c != self.unit_col && !columns.contains(c)).collect();
        columns.extend(rest);
        // The first of `columns` two rows differ in, and how.
        let first_difference = |ranks: &TextRanks, a: usize, b: usize| {
            columns
                .iter()
                .enumerate()
                .map(|(i, &c)| (i, ranks.compare(c, a, b).unwrap_or_else(|| self.compare_on(c, a, b, &ctx.strings))))
                .find(|(_, o)| o.is_ne())
        };
        let order_of = |ranks: &TextRanks, a: usize, b: usize| {
            self.units[a]
                .cmp(&self.units[b])
                .then_with(|| first_difference(ranks, a, b).map_or(Ordering::Equal, |(_, o)| o))
                .then_with(|| {
                    (0..self.ncols)
                        .map(|c| scale(&self.val(c, a)).cmp(&scale(&self.val(c, b))))
                        .find(|o| o.is_ne())
                        .unwrap_or(Ordering::Equal)
                })
                .then_with(|| self.lines[a].cmp(&self.lines[b]))
        };
        let rows = self.units.len();
        // Where each unit's rows lie together and in order as read (as
        // exported data usually does, even when the units are not in
        // order), putting them by unit keeps them in order: nothing more to sort.
        let same_unit = |r: usize| self.units[r - 1] == self.units[r];
        // Whether each row of a unit comes after the one before it, and
        // (where the key holds the unit) differs from it in key, in one
        // pass: each unit's rows in order and apart in key as read are so
        // once put by unit, and there are no duplicates to look for.
        let in_order_and_apart = |part: std::ops::Range<usize>| {
            let (mut in_order, mut apart) = (true, key_holds_unit);
            let unranked = TextRanks::default();
            for r in part.filter(|&r| same_unit(r)) {
                let difference = first_difference(&unranked, r - 1, r);
                apart &= matches!(difference, Some((i, Ordering::Less)) if i < key_rest);
                in_order &= difference.map_or_else(|| order_of(&unranked, r - 1, r), |(_, o)| o).is_lt();
                if !in_order && !apart {
                    break;
                }
            }
            (in_order, apart)
        };
        let parts = crate::cores::map(crate::cores::Work::Columns(rows), crate::cores::parts(1..rows), in_order_and_apart);
        let keys_apart = parts.iter().all(|&(_, apart)| apart) && key_holds_unit;
        let mut in_order_by_unit = parts.iter().all(|&(in_order, _)| in_order);
        if in_order_by_unit && crate::cores::all(1..rows, |r| self.units[r - 1] <= self.units[r]) {
            return (RowOrder::AsRead(rows), keys_apart);
        }
        in_order_by_unit = in_order_by_unit && units_together(&self.units);
        // Each unit's rows together and in order, the units not: left as
        // read (the units table's rows are the units, put in their order).
        if in_order_by_unit && keys_apart && !self.is_units_table {
            return (RowOrder::Grouped(rows), keys_apart);
        }
        // By unit first, in one pass (keeping the order of each unit's
        // rows); then each unit's few rows by the whole order (which
        // compares units first), unless they were in order.
        let mut order = by_unit(&self.units);
        if in_order_by_unit {
            return (RowOrder::Sorted(order), keys_apart);
        }
        let ranks = TextRanks::of(&self.columns, &columns, &ctx.strings);
        // A unit's rows mostly differ in the first column already: where it
        // is ranked, two ranks decide, and the whole order only breaks ties
        // (it compares the unit, equal here, then that column first).
        let first_ranks = columns.first().and_then(|&c| ranks.of_column(c));
        let rank = |r: usize| first_ranks.and_then(|ranks| ranks.get(r)).copied().unwrap_or(0);
        let in_unit = |a: Row, b: Row| {
            let (a, b) = (a as usize, b as usize);
            rank(a).cmp(&rank(b)).then_with(|| order_of(&ranks, a, b))
        };
        let units = |rows: &mut [Row]| {
            for rows in rows.chunk_by_mut(|&a, &b| self.units[a as usize] == self.units[b as usize]) {
                if !rows.is_sorted_by(|&a, &b| in_unit(a, b).is_lt()) {
                    rows.sort_unstable_by(|&a, &b| in_unit(a, b));
                }
            }
        };
        crate::cores::map(crate::cores::Work::Columns(rows), whole_units(&mut order, &self.units), units);
        (RowOrder::Sorted(order), false)
    }

    /// The value of row `r` in column `c`, as shown in messages.
    fn shown_at(&self, ctx: &Ctx<'_>, c: usize, r: usize) -> String {
        if c == self.unit_col && self.unit_col_filled_later() {
            return ctx.units.as_ref().map(|index| index.key(self.units[r]).to_string()).unwrap_or_default();
        }
        shown(&self.val(c, r), &ctx.scheme.tables[self.tid].columns[c].ty, &ctx.strings, ctx.scheme.year)
    }

    /// Reports rows sharing the table's key and keeps the first of each (by
    /// line). `order` is the sorted order; rows sharing a key that includes
    /// the unit column are next to each other in it.
    fn without_duplicates(&mut self, ctx: &mut Ctx<'_>, order: RowOrder) -> RowOrder {
        let scheme = ctx.scheme;
        let table = &scheme.tables[self.tid];
        let key: Vec<usize> = if self.is_units_table { vec![self.unit_col] } else { table.key.clone() };
        if key.is_empty() || order.len() < 2 {
            return order;
        }
        let same = |a: usize, b: usize| key.iter().all(|&c| self.compare_on(c, a, b, &ctx.strings).is_eq());
        // Rows sharing a key that includes the unit are next to each other in `order` already.
        let sorted_by_key: Option<Vec<usize>> = (!key.contains(&self.unit_col)).then(|| {
            let mut by_key: Vec<usize> = order.rows().collect();
            by_key.sort_unstable_by(|&a, &b| {
                key.iter()
                    .map(|&c| self.compare_on(c, a, b, &ctx.strings))
                    .find(|o| o.is_ne())
                    .unwrap_or(Ordering::Equal)
                    .then_with(|| self.lines[a].cmp(&self.lines[b]))
            });
            by_key
        });
        let by_key = |i: usize| sorted_by_key.as_ref().map_or_else(|| order.row(i), |rows| rows[i]);
        // Usually no two rows next to each other share a key: nothing to drop.
        if crate::cores::all(1..order.len(), |i| !same(by_key(i - 1), by_key(i))) {
            return order;
        }
        let mut dropped = vec![false; self.units.len()];
        let mut found = Vec::new();
        let mut start = 0;
        while start < order.len() {
            let mut end = start + 1;
            while end < order.len() && same(by_key(start), by_key(end)) {
                end += 1;
            }
            if end - start > 1 {
                let run: Vec<usize> = (start..end).map(by_key).collect();
                let first = run.iter().copied().min_by_key(|&r| self.lines[r]).unwrap_or(run[0]);
                let mut others: Vec<usize> = run.iter().copied().filter(|&r| r != first).collect();
                others.sort_unstable_by_key(|&r| self.lines[r]);
                for r in others {
                    dropped[r] = true;
                    found.push((first, r));
                }
            }
            start = end;
        }
        for (first, r) in found {
            let values: Vec<String> = key.iter().map(|&c| self.shown_at(ctx, c, r)).collect();
            let names: Vec<&str> = key.iter().map(|&c| table.columns[c].name.as_str()).collect();
            ctx.diags.push(errors::duplicate_key(
                &self.place,
                &table.name,
                &names,
                &values,
                (self.row_loc(first), self.lines[first]),
                (self.row_loc(r), self.lines[r]),
            ));
        }
        RowOrder::Sorted(order.rows().filter(|&r| !dropped[r]).map(row_of).collect())
    }

    /// One row per unit (and period) where the shape demands it: filled from
    /// the defaults when every other column has one, else reported.
    fn complete(&mut self, ctx: &mut Ctx<'_>) {
        let scheme = ctx.scheme;
        let table = &scheme.tables[self.tid];
        let Some(index) = ctx.units.as_ref() else { return };
        let (period_col, periods) = match table.shape {
            TableShape::Rows => return,
            TableShape::PerUnit => (None, 1),
            TableShape::PerUnitPeriod { column, kind } => (Some((column, kind)), kind.per_year()),
        };
        let nunits = index.len();
        // Which (unit, period) pairs have a row: one bit per period.
        let mut have = vec![0u16; nunits];
        // The period column's cells read as a slice, not a `Val` a row: 32,000,000 rows at national scale.
        let period_cells = period_col.map(|(c, _)| match &self.columns[c] {
            Column::Period(cells) => cells.as_slice(),
            _ => &[],
        });
        for (r, &u) in self.units.iter().enumerate() {
            let bit = match period_cells {
                Some(cells) => cells.get(r).copied().flatten().map_or(0, |p| 1u16 << p),
                None => 1,
            };
            if let Some(h) = have.get_mut(u as usize) {
                *h |= bit;
            }
        }
        let every_period = u16::try_from((1u32 << periods) - 1).unwrap_or(u16::MAX);
        let fillable = (0..self.ncols).all(|c| c == self.unit_col || period_col.is_some_and(|(p, _)| p == c) || self.defaults[c].is_some());
        let mut missing_units: Vec<(UnitId, Vec<u8>)> = Vec::new();
        for (u, &had) in have.iter().enumerate() {
            if had == every_period {
                continue;
            }
            let uid = UnitId::try_from(u).unwrap_or(UnitId::MAX);
            // A unit whose row was dropped for a bad cell, or that an unknown
            // unit name probably meant, is not reported again.
            if self.excused.contains(&(uid, None)) || self.suggested.contains(&uid) {
                continue;
            }
            let missing: Vec<u8> = (0..periods)
                .filter_map(|p| u8::try_from(p).ok())
                .filter(|&p| had & (1u16 << p) == 0 && !self.excused.contains(&(uid, Some(p))))
                .collect();
            if missing.is_empty() {
                continue;
            }
            if fillable {
                for &p in &missing {
                    self.fill(ctx, uid, period_col.map(|(c, _)| (c, p)));
                }
            } else {
                missing_units.push((uid, missing));
            }
        }
        let index = ctx.units.as_deref();
        for (u, missing) in missing_units {
            let unit = index.map_or("", |i| i.key(u));
            let periods: Option<(Vec<String>, Vec<String>)> =
                period_col.map(|(_, kind)| missing.iter().map(|&p| cell::period_name(kind, usize::from(p))).unzip());
            ctx.diags.push(errors::missing_row(&self.place, &self.source, table, unit, periods));
        }
    }

    fn fill(&mut self, ctx: &mut Ctx<'_>, unit: UnitId, period: Option<(usize, u8)>) {
        let scheme = ctx.scheme;
        let table = &scheme.tables[self.tid];
        let key = ctx.units.as_ref().map(|i| i.key(unit).to_string()).unwrap_or_default();
        for c in 0..self.ncols {
            let val = if c == self.unit_col && self.unit_col_filled_later() {
                continue;
            } else if c == self.unit_col {
                match cell::parse_text(&table.columns[c].ty, &key, scheme.year) {
                    Ok(parsed) => intern(parsed, &mut ctx.strings),
                    Err(_) => Val::Text(ctx.strings.intern(&key)),
                }
            } else if let Some((_, p)) = period.filter(|(pc, _)| *pc == c) {
                Val::Period(p)
            } else {
                self.defaults[c].unwrap_or(Val::Null)
            };
            self.columns[c].push(val);
        }
        self.units.push(unit);
        self.lines.push(0);
        self.locs.push(Loc::None);
    }
}

/// The usual form of a column's cells, read without the general parser:
/// most cells are plain numbers (`-?digits(.digits)?`) or plain text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Usual {
    /// A plain number in a number column.
    Number,
    /// A plain number without a point in a whole-number column.
    Integer,
    /// Text without surrounding whitespace in a text column.
    Text,
    /// Text in a text column nothing reads (`model::Column::read`): every
    /// text is valid, and none is kept (a national roll's names would be
    /// most of the texts interned).
    Unread,
    /// A text already typed in a column of few values (a period, an
    /// enumeration, yes or no): the same text, the same value.
    Few,
    /// Every cell goes through the general parser.
    Other,
}

/// What [`TableLoader::quick_row`] does with a field of a record, worked
/// out once a file (not for each of its millions of fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fill {
    /// Nothing: the scheme declares no column of this name.
    Nothing,
    /// The unit's key.
    Unit,
    /// A number column's cell in its usual form, typed as its digits are
    /// read; `empty` is what an empty cell holds, where one may be empty.
    Digits { column: usize, usual: Usual, empty: Option<EmptyCell> },
    /// Any other declared column's cell.
    Cell(usize),
}

/// What an empty cell of a number column holds (see [`Fill::Digits`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EmptyCell {
    /// No number: the column is optional.
    Nothing,
    /// The column's default, as its digits, scale and sign.
    Digits(u64, u32, bool),
}

impl EmptyCell {
    /// The empty cell of a column whose empty cells hold `val`; `None`
    /// where its digits are not plain (a `-0` default, digits past 64 bits),
    /// left to the general typing of a cell.
    fn of(val: Val) -> Option<EmptyCell> {
        match val {
            Val::Number(d) if d.is_zero() && d.is_sign_negative() => None,
            Val::Number(d) => Some(EmptyCell::Digits(u64::try_from(d.mantissa().unsigned_abs()).ok()?, d.scale(), d.is_sign_negative())),
            _ => Some(EmptyCell::Nothing),
        }
    }
}

/// Whether a cell's text is the usual form of a text cell: not empty, no surrounding whitespace.
fn is_plain_text(text: &str) -> bool {
    !text.is_empty() && cell::trim(text).len() == text.len()
}

/// Whether two texts are the same, compared in line: the texts of a column
/// of few values are short (`Q1`, `科员`), shorter than a call to `memcmp`.
#[inline(always)]
fn same_text(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
}

/// How many texts of a column of few values are remembered.
const FEW: usize = 16;

/// A plain number in a number or whole-number column, as [`cell::parse`] reads it.
#[inline]
fn usual_number(usual: Usual, text: &str) -> Option<Decimal> {
    let (digits, scale, negative) = usual_digits(usual, text)?;
    Some(crate::decimals::from_digits(digits, scale, negative))
}

/// [`usual_number`] as digits, scale and sign.
#[inline]
fn usual_digits(usual: Usual, text: &str) -> Option<(u64, u32, bool)> {
    usual_form(usual, cell::plain_digits(text)?)
}

/// A plain number's digits, scale and sign as a column of `usual` form
/// takes them (`None`: not in that form, such as `2.5` for a whole number).
#[inline]
fn usual_form(usual: Usual, (digits, scale, negative): (u64, u32, bool)) -> Option<(u64, u32, bool)> {
    match usual {
        Usual::Number => Some((digits, scale, negative)),
        // Written without a point, so whole, and already normal but for `-0`, which `normalize` makes `0`.
        Usual::Integer if scale == 0 => Some((digits, 0, negative && digits != 0)),
        _ => None,
    }
}

impl Usual {
    fn of(column: &crate::model::Column) -> Usual {
        match column.ty {
            ColumnType::Number => Usual::Number,
            ColumnType::Integer => Usual::Integer,
            ColumnType::Text if !column.read => Usual::Unread,
            ColumnType::Text => Usual::Text,
            ColumnType::Period(_) | ColumnType::Enum(_) | ColumnType::Bool => Usual::Few,
            ColumnType::Percent | ColumnType::Date => Usual::Other,
        }
    }
}

/// The loader's column store: values pushed row by row into the typed
/// columns of [`Column`]. A value of another type than the column's (never
/// made by the loader) is stored as no value.
impl Column {
    /// An empty column for a declared type.
    pub(crate) fn empty(ty: &ColumnType) -> Column {
        match ty {
            ColumnType::Number | ColumnType::Integer | ColumnType::Percent => Column::Number(NumberCells::default()),
            ColumnType::Text | ColumnType::Enum(_) => Column::Text(TextCells::default()),
            ColumnType::Date => Column::Date(Vec::new()),
            ColumnType::Bool => Column::Bool(Vec::new()),
            ColumnType::Period(_) => Column::Period(Vec::new()),
        }
    }

    /// Adds a value at the end.
    #[inline]
    pub(crate) fn push(&mut self, val: Val) {
        match self {
            Column::Number(v) => v.push(if let Val::Number(x) = val { Some(x) } else { None }),
            Column::Text(v) => v.push(if let Val::Text(x) = val { Some(x) } else { None }),
            Column::Date(v) => v.push(if let Val::Date(x) = val { Some(x) } else { None }),
            Column::Bool(v) => v.push(if let Val::Bool(x) = val { Some(x) } else { None }),
            Column::Period(v) => v.push(if let Val::Period(x) = val { Some(x) } else { None }),
        }
    }

    /// The value of row `r` (`Val::Null` past the end).
    pub(crate) fn val(&self, r: usize) -> Val {
        let val = match self {
            Column::Number(v) => v.get(r).map(Val::Number),
            Column::Text(v) => v.get(r).map(Val::Text),
            Column::Date(v) => v.get(r).copied().flatten().map(Val::Date),
            Column::Bool(v) => v.get(r).copied().flatten().map(Val::Bool),
            Column::Period(v) => v.get(r).copied().flatten().map(Val::Period),
        };
        val.unwrap_or(Val::Null)
    }

    /// Compares rows `a` and `b` as [`compare`] compares their values. It is
    /// `compare(&self.val(a), &self.val(b))`, except that a text column's
    /// cells are made as texts here: `compare`, inlined, then has only texts
    /// and empty cells to tell apart. Sorting a table's rows compares little
    /// else: the general form costs the municipal run 0.65 M instructions more.
    fn compare_rows(&self, a: usize, b: usize, strings: &Interner) -> Ordering {
        match self {
            Column::Text(v) => {
                let text = |r: usize| v.get(r).map_or(Val::Null, Val::Text);
                compare(&text(a), &text(b), strings)
            }
            _ => compare(&self.val(a), &self.val(b), strings),
        }
    }

    /// Keeps the first `len` rows.
    pub(crate) fn truncate(&mut self, len: usize) {
        match self {
            Column::Number(v) => v.truncate(len),
            Column::Text(v) => v.truncate(len),
            Column::Date(v) => v.truncate(len),
            Column::Bool(v) => v.truncate(len),
            Column::Period(v) => v.truncate(len),
        }
    }

    /// Appends the rows of another piece of the same column, its text
    /// symbols moved up by `offset`. Both come from one declaration, so
    /// they have one type.
    fn append(&mut self, more: Column, offset: Sym) {
        match (&mut *self, more) {
            (Column::Text(v), Column::Text(m)) => v.append(m, offset),
            // The first piece with rows is kept whole, not copied.
            (column, more) if column.len() == 0 => *column = more,
            (Column::Number(v), Column::Number(m)) => v.append(m),
            (Column::Date(v), Column::Date(m)) => v.extend(m),
            (Column::Bool(v), Column::Bool(m)) => v.extend(m),
            (Column::Period(v), Column::Period(m)) => v.extend(m),
            (column, more) => {
                // Never (one declaration); kept aligned all the same.
                for _ in 0..more.len() {
                    column.push(Val::Null);
                }
            }
        }
    }

    /// Room for `rows` more rows.
    fn reserve(&mut self, rows: usize) {
        match self {
            Column::Number(v) => v.reserve(rows),
            Column::Text(v) => v.reserve(rows),
            Column::Date(v) => v.reserve(rows),
            Column::Bool(v) => v.reserve(rows),
            Column::Period(v) => v.reserve(rows),
        }
    }

    /// Number of rows.
    pub(crate) fn len(&self) -> usize {
        match self {
            Column::Number(v) => v.len(),
            Column::Text(v) => v.len(),
            Column::Date(v) => v.len(),
            Column::Bool(v) => v.len(),
            Column::Period(v) => v.len(),
        }
    }

    /// The rows `order` names (every one a row of the column), in that
    /// order, gathered into a buffer of `spare`, which keeps this column's.
    pub(crate) fn select(self, order: &[Row], spare: &mut Spare) -> Column {
        match self {
            Column::Number(NumberCells::Tiny(v)) => Column::Number(NumberCells::Tiny(gather(v, order, &mut spare.tiny))),
            Column::Number(NumberCells::Short(v)) => Column::Number(NumberCells::Short(gather(v, order, &mut spare.short))),
            // Wide entries are kept aside in row order: copied.
            Column::Number(NumberCells::Long(v)) => Column::Number(NumberCells::Long(v.gather(order.iter().map(|&r| r as usize)))),
            // The unit column while loading (see `unit_col_filled_later`).
            Column::Text(v) if v.is_empty() => Column::Text(v),
            Column::Text(v) => Column::Text(TextCells(gather(v.0, order, &mut spare.texts))),
            Column::Date(v) => Column::Date(gather(v, order, &mut spare.dates)),
            Column::Bool(v) => Column::Bool(gather(v, order, &mut spare.bools)),
            Column::Period(v) => Column::Period(gather(v, order, &mut spare.periods)),
        }
    }
}

/// The buffers that columns put in order let go, one of each kind, for the
/// next column of that kind to be gathered into. At national scale the
/// allocator did not soon hand the memory a column freed to the next one:
/// with a new buffer for each column, putting the 32,000,000 quarter rows
/// in order raised resident memory by 950 MB.
#[derive(Debug, Default)]
pub(crate) struct Spare {
    tiny: Vec<u16>,
    short: Vec<u32>,
    texts: Vec<Sym>,
    dates: Vec<Option<Date>>,
    bools: Vec<Option<bool>>,
    periods: Vec<Option<u8>>,
}

/// The items `order` names, in that order, written into `spare`'s buffer;
/// `items`' buffer becomes the spare.
fn gather<T: Copy>(items: Vec<T>, order: &[Row], spare: &mut Vec<T>) -> Vec<T> {
    let mut gathered = std::mem::take(spare);
    gathered.clear();
    gathered.extend(order.iter().map(|&r| items[r as usize]));
    *spare = items;
    gathered
}

/// Each column's rows in `order`: the columns dealt out to the cores in
/// turn, each core gathering them one after the other through its own
/// [`Spare`].
fn in_order_of(columns: Vec<Column>, order: &[Row]) -> Vec<Column> {
    let cores = crate::cores::for_work(crate::cores::Work::Columns(order.len())).clamp(1, columns.len().max(1));
    let mut hands: Vec<Vec<(usize, Column)>> = (0..cores).map(|_| Vec::new()).collect();
    for (c, column) in columns.into_iter().enumerate() {
        hands[c % cores].push((c, column));
    }
    let gathered = crate::cores::map(crate::cores::Work::Columns(order.len()), hands.into_iter(), |hand| {
        let mut spare = Spare::default();
        hand.into_iter().map(|(c, column)| (c, column.select(order, &mut spare))).collect::<Vec<_>>()
    });
    let mut columns: Vec<(usize, Column)> = gathered.into_iter().flatten().collect();
    columns.sort_unstable_by_key(|&(c, _)| c);
    columns.into_iter().map(|(_, column)| column).collect()
}

/// The ids of the texts of `met` in the texts' order, a text met twice in
/// the order met (as a stable sort leaves them).
fn in_key_order(met: &Interner) -> Vec<UnitId> {
    let order: Vec<UnitId> = (0..met.len()).map(sym_of).collect();
    // Files often list the keys sorted.
    if order.is_sorted_by(|&a, &b| met.resolve(a) < met.resolve(b)) {
        return order;
    }
    // Compared by their first 16 bytes as one number, without reading the
    // texts again, and by the texts only where those are the same: sorting
    // a million keys by their texts alone took 0.3 s on two cores.
    let mut codes: Vec<(u128, UnitId)> = order.into_iter().map(|id| (first_bytes(met.resolve(id)), id)).collect();
    crate::cores::sort(
        &mut codes,
        |&(code, _)| code,
        |a, b| a.0.cmp(&b.0).then_with(|| met.resolve(a.1).cmp(met.resolve(b.1))).then(a.1.cmp(&b.1)),
    );
    codes.into_iter().map(|(_, id)| id).collect()
}

/// The first 16 bytes of a text (a shorter one padded with zero bytes) as
/// a number: of two texts, the one with the smaller number comes first.
fn first_bytes(text: &str) -> u128 {
    let mut bytes = [0u8; 16];
    let n = text.len().min(16);
    bytes[..n].copy_from_slice(&text.as_bytes()[..n]);
    u128::from_be_bytes(bytes)
}

/// For sorting rows that are not in order: each row's rank among the texts
/// of a text column holding few distinct texts, where the column has one.
/// Two ranks compare in a few instructions, two texts through the interner
/// and `memcmp`; a municipal scheme's data lists each department's items in
/// the policy's order, not the texts', so every department's rows are sorted.
#[derive(Default)]
struct TextRanks(Vec<Option<Vec<u32>>>);

impl TextRanks {
    /// Ranks for each text column of `which` that holds at most one
    /// distinct text in eight rows (otherwise ranking its texts would cost
    /// about as much as the sort it saves).
    fn of(columns: &[Column], which: &[usize], strings: &Interner) -> TextRanks {
        let mut ranks: Vec<Option<Vec<u32>>> = columns.iter().map(|_| None).collect();
        for &c in which {
            if let Some(Column::Text(cells)) = columns.get(c) {
                ranks[c] = row_ranks(cells, strings);
            }
        }
        TextRanks(ranks)
    }

    /// Each row's rank in column `c`, where it is ranked.
    fn of_column(&self, c: usize) -> Option<&[u32]> {
        self.0.get(c)?.as_deref()
    }

    /// Rows `a` and `b` compared on column `c`, where it is ranked.
    fn compare(&self, c: usize, a: usize, b: usize) -> Option<Ordering> {
        let ranks = self.of_column(c)?;
        // Rows past a column's cells are empty, as `TextCells::get` has them.
        let rank = |r: usize| ranks.get(r).copied().unwrap_or(0);
        Some(rank(a).cmp(&rank(b)))
    }
}

/// Each row's rank among the column's texts in the order [`compare`] gives
/// them (an empty cell 0, before every text; equal texts equal ranks, even
/// under two symbols), or nothing if more than one row in eight holds a
/// text of its own.
fn row_ranks(cells: &TextCells, strings: &Interner) -> Option<Vec<u32>> {
    type FxMap = std::collections::HashMap<Sym, u32, std::hash::BuildHasherDefault<super::FxHasher>>;
    let mut rank_of = FxMap::default();
    for sym in cells.iter().flatten() {
        rank_of.insert(sym, 0);
        if rank_of.len() * 8 > cells.len() {
            return None;
        }
    }
    let mut texts: Vec<Sym> = rank_of.keys().copied().collect();
    texts.sort_unstable_by(|&a, &b| strings.resolve(a).cmp(strings.resolve(b)));
    let (mut rank, mut last) = (0, None);
    for sym in texts {
        let text = strings.resolve(sym);
        if last != Some(text) {
            rank += 1;
            last = Some(text);
        }
        rank_of.insert(sym, rank);
    }
    Some(cells.iter().map(|sym| sym.map_or(0, |sym| rank_of.get(&sym).copied().unwrap_or(0))).collect())
}

/// `order` (rows ordered by unit) cut into a part for each core, each
/// part's units whole.
fn whole_units<'o>(mut order: &'o mut [Row], units: &[UnitId]) -> impl Iterator<Item = &'o mut [Row]> + Send {
    let size = order.len().div_ceil(crate::cores::for_work(crate::cores::Work::Columns(order.len())).max(1)).max(1);
    std::iter::from_fn(move || {
        if order.is_empty() {
            return None;
        }
        // The part ends where a unit does, at or after `size` rows.
        let unit_of = |i: usize| order.get(i).map(|&r| units[r as usize]);
        let mut end = size.min(order.len());
        while end < order.len() && unit_of(end) == unit_of(end - 1) {
            end += 1;
        }
        let (part, rest) = std::mem::take(&mut order).split_at_mut(end);
        order = rest;
        Some(part)
    })
}

/// The order of a table's rows once sorted (see [`TableLoader::sorted`]).
enum RowOrder {
    /// The rows as read, so many of them: they were in order already, as
    /// exported files usually are (no list of millions of row numbers).
    AsRead(usize),
    /// The rows as read, so many of them: each unit's rows lie together and
    /// in order, but the units do not follow one another in the order of
    /// their ids (their keys'), as in a file listed region by region. Left
    /// so, not copied into order: at national scale putting the 32,000,000
    /// quarter rows in order, and letting go of them as read, took 0.9–2.5 s
    /// on one core. Only returned when no two rows share a key.
    Grouped(usize),
    /// The rows read, in this order (some left out: duplicates).
    Sorted(Vec<Row>),
}

/// A row's place in its table as read. Tables hold fewer than 2^32 rows,
/// as their lines and where each unit's rows start already assume: at
/// national scale the order of the 32,000,000 quarter rows is 128 MB, not 256.
type Row = u32;

/// The [`Row`] of a place in a table.
fn row_of(index: usize) -> Row {
    Row::try_from(index).unwrap_or(Row::MAX)
}

impl RowOrder {
    /// How many rows.
    fn len(&self) -> usize {
        match self {
            RowOrder::AsRead(rows) | RowOrder::Grouped(rows) => *rows,
            RowOrder::Sorted(order) => order.len(),
        }
    }

    /// The row read at place `i`.
    fn row(&self, i: usize) -> usize {
        match self {
            RowOrder::AsRead(_) | RowOrder::Grouped(_) => i,
            RowOrder::Sorted(order) => order[i] as usize,
        }
    }

    /// The rows read, in order.
    fn rows(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.len()).map(|i| self.row(i))
    }
}

/// Whether each unit's rows lie one after the other.
fn units_together(units: &[UnitId]) -> bool {
    let mut met = vec![false; units.iter().max().map_or(0, |&u| u as usize + 1)];
    let mut last = None;
    units.iter().all(|&u| {
        let first_of_run = last != Some(u);
        last = Some(u);
        !first_of_run || !std::mem::replace(&mut met[u as usize], true)
    })
}

/// The rows ordered by unit, in file order within a unit (a counting sort).
fn by_unit(units: &[UnitId]) -> Vec<Row> {
    let count = units.iter().max().map_or(0, |&u| u as usize + 1);
    crate::cores::deal(units.len(), count, |r| units[r] as usize, row_of).0
}

/// A symbol (or unit id) from an index.
fn sym_of(index: usize) -> Sym {
    Sym::try_from(index).unwrap_or(Sym::MAX)
}

/// The unit a misspelt name probably means. Stricter than names in a scheme:
/// unit names are short and alike (`南京市` is two edits from `靖江市`), so
/// one edit for names of up to five characters, two for longer ones.
fn close_unit<'k>(key: &str, keys: impl Iterator<Item = &'k str>) -> Option<&'k str> {
    let limit = if key.chars().count() <= 5 { 1 } else { 2 };
    keys.map(|k| (crate::suggest::distance(key, k), k))
        .filter(|(d, _)| *d <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .map(|(_, k)| k)
}

/// The value of a default, as loaded.
fn default_val(ty: &ColumnType, value: &Value, strings: &mut Interner) -> Val {
    match value {
        Value::Number(n) | Value::Duration(n) => Val::Number(*n),
        Value::Text(t) => match ty {
            ColumnType::Period(kind) => {
                crate::model::period_index(*kind, t).and_then(|i| u8::try_from(i).ok()).map_or(Val::Null, Val::Period)
            }
            _ => Val::Text(strings.intern(t)),
        },
        Value::Date(d) => Val::Date(*d),
        Value::Bool(b) => Val::Bool(*b),
        Value::Null => Val::Null,
    }
}

fn intern(parsed: Parsed<'_>, strings: &mut Interner) -> Val {
    match parsed {
        Parsed::Null => Val::Null,
        Parsed::Number(n) => Val::Number(n),
        Parsed::Text(t) => Val::Text(strings.intern(&t)),
        Parsed::Date(d) => Val::Date(d),
        Parsed::Bool(b) => Val::Bool(b),
        Parsed::Period(p) => Val::Period(p),
    }
}

/// The text a unit is known by: the trimmed text, or a value's plain form.
fn key_text<'s>(val: &Val, strings: &'s Interner) -> std::borrow::Cow<'s, str> {
    use std::borrow::Cow;
    match val {
        Val::Null => Cow::Borrowed(""),
        Val::Number(n) => Cow::Owned(n.normalize().to_string()),
        Val::Text(s) => Cow::Borrowed(strings.resolve(*s)),
        Val::Date(d) => Cow::Owned(d.to_string()),
        Val::Bool(b) => Cow::Borrowed(if *b { "是" } else { "否" }),
        Val::Period(p) => Cow::Owned((u32::from(*p) + 1).to_string()),
    }
}

/// A value in messages.
pub(crate) fn shown(val: &Val, ty: &ColumnType, strings: &Interner, year: u32) -> String {
    match val {
        Val::Null => String::new(),
        Val::Number(n) => n.to_string(),
        Val::Text(s) => strings.resolve(*s).to_string(),
        Val::Date(d) => d.to_string(),
        Val::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Val::Period(p) => match ty {
            ColumnType::Period(crate::ast::PeriodKind::Year) => year.to_string(),
            ColumnType::Period(kind) => cell::period_name(*kind, usize::from(*p)).0,
            _ => (u32::from(*p) + 1).to_string(),
        },
    }
}

/// A total order of values by what they mean (`1.0` equals `1.00`; texts by
/// their characters, not their symbols, so the order does not depend on the
/// order texts were met). Empty comes first.
fn compare(a: &Val, b: &Val, strings: &Interner) -> Ordering {
    fn rank(v: &Val) -> u8 {
        match v {
            Val::Null => 0,
            Val::Number(_) => 1,
            Val::Text(_) => 2,
            Val::Date(_) => 3,
            Val::Bool(_) => 4,
            Val::Period(_) => 5,
        }
    }
    match (a, b) {
        (Val::Number(x), Val::Number(y)) => x.cmp(y),
        (Val::Text(x), Val::Text(y)) if x == y => Ordering::Equal,
        (Val::Text(x), Val::Text(y)) => strings.resolve(*x).cmp(strings.resolve(*y)),
        (Val::Date(x), Val::Date(y)) => x.cmp(y),
        (Val::Bool(x), Val::Bool(y)) => x.cmp(y),
        (Val::Period(x), Val::Period(y)) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// The number of decimal places written, the last tie-break of the order.
fn scale(v: &Val) -> u32 {
    match v {
        Val::Number(n) => n.scale(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Columns put in order one after the other through one [`Spare`] come
    /// out as each gathered on its own, whatever the spare held before: a
    /// longer column of the same kind, or none.
    #[test]
    fn columns_gathered_through_spare_buffers_are_as_gathered_alone() {
        let texts = |cells: &[Option<Sym>]| cells.iter().copied().collect::<TextCells>();
        let mut long = NumberCells::default();
        for digits in [5, 12_345_678_901, 7, 0, 99] {
            long.push_digits(digits, 2, false);
        }
        let columns = vec![
            Column::Number(NumberCells::Tiny(vec![1, 2, 3, 4, 5])),
            Column::Text(texts(&[Some(4), None, Some(0), Some(4), Some(9)])),
            Column::Number(NumberCells::Short(vec![10, 20, 30, 40, 50])),
            Column::Number(long),
            Column::Bool(vec![Some(true), None, Some(false), Some(true), None]),
            Column::Period(vec![Some(0), Some(1), Some(2), Some(3), None]),
            Column::Text(TextCells::default()),
        ];
        let order = [3, 0, 4, 1, 2];
        let alone: Vec<Column> = columns.iter().map(|column| column.clone().select(&order, &mut Spare::default())).collect();
        assert_eq!(alone[0], Column::Number(NumberCells::Tiny(vec![4, 1, 5, 2, 3])));
        assert_eq!(alone[1], Column::Text(texts(&[Some(4), Some(4), Some(9), None, Some(0)])));
        let mut spare = Spare::default();
        let first: Vec<Column> = columns.iter().map(|column| column.clone().select(&order, &mut spare)).collect();
        assert_eq!(first, alone);
        // The spare now holds the five-row buffers the columns let go: shorter columns of each kind after them.
        assert!([spare.tiny.capacity(), spare.short.capacity(), spare.texts.capacity(), spare.bools.capacity()].iter().all(|&c| c >= 5));
        let shorter = [
            Column::Number(NumberCells::Tiny(vec![7, 8])),
            Column::Text(texts(&[None, Some(1)])),
            Column::Number(NumberCells::Short(vec![70, 80])),
            Column::Bool(vec![None, Some(false)]),
            Column::Period(vec![Some(3), Some(1)]),
        ];
        let reversed = [
            Column::Number(NumberCells::Tiny(vec![8, 7])),
            Column::Text(texts(&[Some(1), None])),
            Column::Number(NumberCells::Short(vec![80, 70])),
            Column::Bool(vec![Some(false), None]),
            Column::Period(vec![Some(1), Some(3)]),
        ];
        for (column, reversed) in shorter.into_iter().zip(reversed) {
            assert_eq!(column.select(&[1, 0], &mut spare), reversed);
        }
        // Both cores' hands dealt and put back in the columns' order.
        assert_eq!(in_order_of(columns, &order), alone);
    }

    /// Rows of a text column compare as their values do: no value first,
    /// then the texts by their bytes, two symbols of one text (pieces
    /// appended while loading repeat texts) equal.
    #[test]
    fn text_rows_compare_as_their_values() {
        let mut strings = Interner::default();
        let b = strings.intern("效能建设");
        let a = strings.intern("党风廉政建设");
        let again = strings.push_unindexed("效能建设");
        let cells = [None, Some(b), Some(a), Some(again), None];
        let column = Column::Text(cells.iter().copied().collect());
        let mut unequal = 0;
        for x in 0..cells.len() {
            for y in 0..cells.len() {
                let expected = compare(&column.val(x), &column.val(y), &strings);
                assert_eq!(column.compare_rows(x, y, &strings), expected, "rows {x} and {y}");
                unequal += usize::from(expected.is_ne());
            }
        }
        assert_eq!(column.compare_rows(0, 2, &strings), Ordering::Less);
        assert_eq!(column.compare_rows(1, 3, &strings), Ordering::Equal);
        assert_eq!(unequal, 16);
    }

    /// Ranks made for sorting compare rows as their values do (no value
    /// first, two symbols of one text equal, rows past the cells empty), and
    /// are made only for a column of few distinct texts.
    #[test]
    fn text_ranks_compare_as_the_rows_values() {
        let mut strings = Interner::default();
        let b = strings.intern("效能建设");
        let a = strings.intern("党风廉政建设");
        let c = strings.intern("作风建设");
        let again = strings.push_unindexed("效能建设");
        let cells: Vec<Option<Sym>> = [None, Some(b), Some(a), Some(again), Some(c)].into_iter().cycle().take(40).collect();
        let column = Column::Text(cells.iter().copied().collect());
        let ranks = TextRanks::of(std::slice::from_ref(&column), &[0], &strings);
        let rows = cells.len() + 2;
        for x in 0..rows {
            for y in 0..rows {
                let expected = compare(&column.val(x), &column.val(y), &strings);
                assert_eq!(ranks.compare(0, x, y), Some(expected), "rows {x} and {y}");
            }
        }
        assert_eq!(ranks.compare(0, 2, 1), Some(Ordering::Less));
        // Four texts in 31 rows: more than one in eight.
        let few_rows = Column::Text(cells[..31].iter().copied().collect());
        assert_eq!(TextRanks::of(&[few_rows], &[0], &strings).compare(0, 1, 2), None);
        // A column not named, and one that is not text, are not ranked.
        let numbers = Column::Number(NumberCells::default());
        let ranks = TextRanks::of(&[column, numbers], &[1], &strings);
        assert_eq!((ranks.compare(0, 1, 2), ranks.compare(1, 1, 2)), (None, None));
    }

    /// The quick reading of plain numbers gives the very value (digits,
    /// scale and sign, bit for bit) the general parser gives, and takes the
    /// usual forms.
    #[test]
    fn usual_numbers_read_as_the_parser_reads_them() {
        let alphabet = b"0123456789-.+,% ";
        let mut state: u64 = 9;
        let mut quick = 0;
        for case in 0..100_000 {
            let mut text = String::new();
            for _ in 0..1 + case % 12 {
                state = crate::testing::lcg(state);
                let pick = usize::try_from(state >> 59).unwrap();
                text.push(char::from(if pick < 20 { b'0' + (pick % 10) as u8 } else { alphabet[pick % alphabet.len()] }));
            }
            for (ty, usual) in [(ColumnType::Number, Usual::Number), (ColumnType::Integer, Usual::Integer)] {
                let Some(n) = usual_number(usual, &text) else { continue };
                quick += 1;
                match cell::parse_text(&ty, cell::trim(&text), 2024) {
                    Ok(Parsed::Number(slow)) => assert_eq!(n.serialize(), slow.serialize(), "{text:?} {ty:?}"),
                    other => panic!("{text:?} {ty:?}: {other:?}"),
                }
            }
        }
        assert!(quick > 30_000, "{quick}");
        assert_eq!(usual_number(Usual::Integer, "-0").map(|n| n.serialize()), Some(Decimal::ZERO.serialize()));
        assert_eq!(usual_number(Usual::Integer, "3.0"), None);
        assert_eq!(usual_number(Usual::Text, "3"), None);
    }

    /// The counting sort orders rows by unit as a stable sort does.
    #[test]
    fn rows_by_unit_keep_file_order_within_a_unit() {
        let units: Vec<UnitId> = (0..1000u32).map(|i| (i * 7919) % 37 + u32::from(i % 5 == 0)).collect();
        let mut stable: Vec<Row> = (0..1000).collect();
        stable.sort_by_key(|&r| units[r as usize]);
        assert_eq!(by_unit(&units), stable);
        assert!(by_unit(&[]).is_empty());
        // Whether each unit's rows lie together, which the counting sort then keeps as they are.
        assert!(!units_together(&units));
        assert!(units_together(&[4, 4, 0, 2, 2, 2, 1]) && units_together(&[]) && units_together(&[3]));
        assert!(!units_together(&[4, 4, 0, 4]) && !units_together(&[0, 1, 0]));
    }

    /// Keys in the order a stable sort of their texts gives, where their
    /// first 16 bytes decide and where they do not (longer keys, zero
    /// bytes, Chinese, keys met twice), on one core and on all.
    #[test]
    fn keys_sort_as_their_texts() {
        let mut texts: Vec<String> = ["", "a", "a\0", "a\0b", "b", "公务员", "110000002", "110000001", "11000000", "110000001"]
            .into_iter()
            .map(String::from)
            .collect();
        let long = "1234567890abcdef";
        texts.extend([format!("{long}z"), long.to_string(), format!("{long}a"), format!("{long}a"), format!("{long}\0")]);
        let mut state: u64 = 5;
        for i in 0..(1 << 17) {
            state = crate::testing::lcg(state);
            // Many near the same 16 bytes, some met twice.
            let n = (state >> 40) % 50_000;
            texts.push(if i % 3 == 0 { format!("{long}{n}") } else { format!("{n:09}") });
        }
        for count in [15, texts.len()] {
            let mut met = Interner::default();
            texts[..count].iter().for_each(|t| {
                met.push_unindexed(t);
            });
            let mut stable: Vec<UnitId> = (0..count).map(sym_of).collect();
            stable.sort_by(|&a, &b| met.resolve(a).cmp(met.resolve(b)));
            assert_eq!(in_key_order(&met), stable, "{count}");
        }
        // Keys met in order (as files often list them) keep their ids; no keys, no ids.
        let mut listed = Interner::default();
        ["1", "2", "公务员"].into_iter().for_each(|t| {
            listed.push_unindexed(t);
        });
        assert_eq!(in_key_order(&listed), [0, 1, 2].map(sym_of));
        assert!(in_key_order(&Interner::default()).is_empty());
    }
}
