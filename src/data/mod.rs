//! `data`: the tables a scheme declares, loaded from files into typed columns.
//!
//! A data folder holds one file per table (`NAME.csv` or `NAME.json`), or a
//! single `.xlsx` workbook holds one sheet per table. Every cell is typed by
//! the scheme's declaration as it is read; every bad cell, unknown unit,
//! duplicate key and missing required row is reported with its place
//! (`file:line:column`, or `sheet!B7`) and the unit concerned, all of them in
//! one run.
//!
//! Tables are held by column and units by index (`UnitId`), with text
//! interned, so evaluation runs over whole columns. Rows are put in a fixed
//! order (by unit, then by their values), so results never depend on the
//! order of rows in the input files.

use rust_decimal::Decimal;

use crate::date::Date;

/// Index of a unit in [`Dataset::units`].
pub type UnitId = u32;

/// Index of an interned text in [`Dataset::strings`].
pub type Sym = u32;

/// All tables of a scheme, loaded and typed.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    /// Unit keys, sorted; a unit's id is its index.
    pub units: Vec<String>,
    /// One entry per table of the scheme, in the scheme's order (`model::TableId`).
    pub tables: Vec<TableData>,
    /// Interned texts.
    pub strings: Interner,
}

/// The rows of one table.
#[derive(Debug, Clone, Default)]
pub struct TableData {
    /// Where the rows came from, as shown in messages (`examples/x/督查记录.csv`, `data.xlsx!督查记录`).
    pub source: String,
    /// The unit of each row.
    pub unit: Vec<UnitId>,
    /// One column per declared column, in the declaration's order.
    pub columns: Vec<Column>,
    /// Where each row was read: line in a CSV file, row in a sheet, index in a JSON array (1-based).
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
#[derive(Debug, Clone)]
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
#[derive(Debug, Clone, Default)]
pub struct Interner {
    texts: Vec<String>,
    index: std::collections::HashMap<String, Sym>,
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
