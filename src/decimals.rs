//! Columns of decimals in 8 bytes each (the results' figures) or 2 or 4
//! (the data's number columns), millions of them, without the 20 bytes of
//! an `Option<Decimal>` (or a heap allocation) per value.

use rust_decimal::Decimal;

/// Decimals, 8 bytes each where the signed digits fit in 56 bits (all
/// figures but the rare ones with 17 or more digits, which are kept aside whole).
///
/// Each entry is `digits << 8 | tag` with the digits signed, so that one
/// arithmetic shift takes them out; the tag holds the scale (5 bits) and
/// whether the entry is empty or an index into `wide`. A decimal
/// comes back with the very digits, scale and sign it went in with, so
/// `90.00` stays `90.00` and `-0` stays `-0`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Decimals {
    packed: Vec<u64>,
    wide: Vec<Decimal>,
}

const SCALE: u64 = 0x1F;
const WIDE: u64 = 1 << 6;
const EMPTY: u64 = 1 << 7;
/// Digits of a narrow entry are below this, either sign.
const NARROW_LIMIT: u64 = 1 << 55;

impl Decimals {
    /// An empty column with room for `len` entries.
    pub fn with_capacity(len: usize) -> Self {
        Decimals { packed: Vec::with_capacity(len), wide: Vec::new() }
    }

    /// Makes room for `more` entries.
    pub fn reserve(&mut self, more: usize) {
        self.packed.reserve(more);
    }

    /// Appends a decimal, or an empty entry.
    #[inline]
    pub fn push(&mut self, value: Option<Decimal>) {
        match value {
            Some(d) => self.push_entry(Entry::of(d)),
            None => self.packed.push(EMPTY),
        }
    }

    /// Appends an entry taken apart: packed again when it is narrow.
    #[inline(always)]
    pub fn push_entry(&mut self, entry: Entry) {
        match entry {
            Entry::Empty => self.packed.push(EMPTY),
            Entry::Narrow(f) => self.push_fixed(f),
            Entry::Wide(d) => self.push_wide(d),
        }
    }

    /// Appends a fixed-point decimal (kept aside whole if its digits and sign need more than 56 bits).
    #[inline(always)]
    pub fn push_fixed(&mut self, f: Fixed) {
        match packed(f) {
            Some(word) => self.packed.push(word),
            None => self.push_wide(f.decimal()),
        }
    }

    /// Appends a decimal kept aside whole (out of line: the packed entries are the common case).
    #[inline(never)]
    fn push_wide(&mut self, d: Decimal) {
        self.wide.push(d);
        self.packed.push(u64::try_from(self.wide.len() - 1).unwrap_or(u64::MAX >> 8) << 8 | WIDE);
    }

    /// The entry at `index` when it is narrow (`None` when it is empty, wide or beyond the end).
    #[inline]
    pub fn narrow(&self, index: usize) -> Option<Fixed> {
        narrow_word(*self.packed.get(index)?)
    }

    /// The entry at `index` taken apart (empty beyond the end).
    #[inline]
    pub fn entry(&self, index: usize) -> Entry {
        if let Some(f) = self.narrow(index) {
            return Entry::Narrow(f);
        }
        match self.packed.get(index) {
            Some(&packed) if packed & (EMPTY | WIDE) == WIDE => {
                usize::try_from(packed >> 8).ok().and_then(|w| self.wide.get(w)).map_or(Entry::Empty, |&d| Entry::Wide(d))
            }
            _ => Entry::Empty,
        }
    }

    /// The entries at `rows`, in that order (empty past the end).
    pub fn gather(&self, rows: impl Iterator<Item = usize>) -> Decimals {
        if self.wide.is_empty() {
            let packed = rows.map(|i| self.packed.get(i).copied().unwrap_or(EMPTY)).collect();
            return Decimals { packed, wide: Vec::new() };
        }
        let mut column = Decimals::with_capacity(rows.size_hint().0);
        rows.for_each(|i| column.push_entry(self.entry(i)));
        column
    }

    /// The runs of `count` entries starting at `count × i` for each `i` of
    /// `runs`, one after another, in that order (empty past the end).
    pub fn gather_runs(&self, runs: &[usize], count: usize) -> Decimals {
        let mut column = Decimals::with_capacity(runs.len().saturating_mul(count));
        for &i in runs {
            let start = i.saturating_mul(count);
            if self.wide.is_empty() {
                column.packed.extend((start..start + count).map(|r| self.packed.get(r).copied().unwrap_or(EMPTY)));
            } else {
                (start..start + count).for_each(|r| column.push_entry(self.entry(r)));
            }
        }
        column
    }

    /// Appends the decimal of `digits` (below 2^64) scaled down by `scale`
    /// (at most 28), as `Decimal::from_parts` makes it: zero is never negative.
    #[inline(always)]
    pub fn push_digits(&mut self, digits: u64, scale: u32, negative: bool) {
        if digits < NARROW_LIMIT && scale <= SCALE as u32 {
            // Below 2^55, so the cast keeps every digit; a `-0` is a plain 0.
            let magnitude = digits as i64;
            self.packed.push(pack(if negative { -magnitude } else { magnitude }, scale));
        } else {
            self.push_long_digits(digits, scale, negative);
        }
    }

    /// [`Decimals::push_digits`] of digits too long to pack (out of line: rare).
    #[inline(never)]
    fn push_long_digits(&mut self, digits: u64, scale: u32, negative: bool) {
        self.push(Some(from_digits(digits, scale, negative)));
    }

    /// The entry at `index`: `None` when it is empty or beyond the end.
    #[inline]
    pub fn get(&self, index: usize) -> Option<Decimal> {
        self.entry(index).number()
    }

    /// Whether the entry at `index` holds a decimal.
    #[inline]
    pub fn is_present(&self, index: usize) -> bool {
        self.packed.get(index).is_some_and(|&p| p & EMPTY == 0)
    }

    /// The figure at `index` of a column without empty entries (0 beyond the end).
    #[inline]
    pub fn figure(&self, index: usize) -> Decimal {
        self.entry(index).figure()
    }

    /// How many entries.
    pub fn len(&self) -> usize {
        self.packed.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.packed.is_empty()
    }

    /// Keeps the first `len` entries.
    pub fn truncate(&mut self, len: usize) {
        self.packed.truncate(len);
    }

    /// Appends the entries of another column.
    pub fn append(&mut self, other: &Decimals) {
        let shift = self.wide.len() as u64;
        if shift == 0 || other.wide.is_empty() {
            self.packed.extend_from_slice(&other.packed);
        } else {
            // Entries kept aside point into `other.wide`, which goes after ours.
            let moved = |p: u64| if p & (EMPTY | WIDE) == WIDE { p + (shift << 8) } else { p };
            self.packed.extend(other.packed.iter().map(|&p| moved(p)));
        }
        self.wide.extend_from_slice(&other.wide);
    }

    /// The entries at `order`, in that order (empty past the end).
    pub fn select(&self, order: &[usize]) -> Decimals {
        self.gather(order.iter().copied())
    }

    /// These entries, an empty one given as 0 (as [`Decimals::figure`] reads it).
    pub fn into_figures(mut self) -> Decimals {
        let zero = pack(0, 0);
        self.packed.iter_mut().filter(|p| **p & EMPTY != 0).for_each(|p| *p = zero);
        self
    }

    /// Entry `u` of each column, then entry `u + 1` of each, and so on, for
    /// `units` values of `u`; where one of a unit's entries is empty, all of
    /// its entries are (a unit's per-period scores count together or not at all).
    pub fn interleave(columns: &[Decimals], units: usize) -> Decimals {
        let count = columns.len();
        let mut out = Decimals::with_capacity(units * count);
        if columns.iter().all(|c| c.wide.is_empty()) {
            // Every entry is a word of its own: copied, not taken apart.
            for u in 0..units {
                let start = out.packed.len();
                out.packed.extend(columns.iter().map(|c| c.packed.get(u).copied().unwrap_or(EMPTY)));
                if out.packed[start..].iter().any(|&w| w & EMPTY != 0) {
                    out.packed[start..].fill(EMPTY);
                }
            }
            return out;
        }
        for u in 0..units {
            let entries = columns.iter().map(|c| c.entry(u));
            if entries.clone().any(|e| e == Entry::Empty) {
                (0..count).for_each(|_| out.packed.push(EMPTY));
            } else {
                entries.for_each(|e| out.push_entry(e));
            }
        }
        out
    }

    /// The word of an empty entry, in [`Decimals::words`].
    pub const EMPTY_WORD: u64 = EMPTY;

    /// The entries as the words they are packed in, when none is kept aside
    /// whole (so that each word stands on its own, to be copied as it is).
    #[inline]
    pub fn words(&self) -> Option<&[u64]> {
        self.wide.is_empty().then_some(&self.packed[..])
    }

    /// A column of words taken from [`Decimals::words`] (of any columns).
    pub fn from_words(words: Vec<u64>) -> Decimals {
        Decimals { packed: words, wide: Vec::new() }
    }

    /// Whether both columns hold the same entries, digit for digit and scale for scale.
    pub fn identical(&self, other: &Decimals) -> bool {
        if self.wide.is_empty() && other.wide.is_empty() {
            return self.packed == other.packed;
        }
        self.len() == other.len() && (0..self.len()).all(|i| self.entry(i).same_as(other.entry(i)))
    }
}

impl Decimals {
    /// A column with no entries, to lend where a column is missing.
    pub fn empty() -> &'static Decimals {
        static EMPTY: Decimals = Decimals { packed: Vec::new(), wide: Vec::new() };
        &EMPTY
    }

    /// The entries in `range` (as far as they exist).
    pub fn run(&self, range: std::ops::Range<usize>) -> Run<'_> {
        let end = range.end.min(self.len());
        Run { column: self, start: range.start.min(end), end }
    }

    /// Appends the entries of a run.
    pub fn push_run(&mut self, run: Run<'_>) {
        // Entries kept aside point into the run's own column: only those need pushing anew.
        match (run.column.wide.is_empty(), run.column.packed.get(run.start..run.end)) {
            (true, Some(packed)) => self.packed.extend_from_slice(packed),
            _ => (run.start..run.end).for_each(|i| self.push_entry(run.column.entry(i))),
        }
    }
}

/// A data column's numbers in as few bytes each as every entry allows: 2
/// (digits below 2^14, no sign, at most 2 decimals: scores, counts and
/// percentage points, nearly all data), 4 (digits below 2^23, either sign)
/// or 8 as in [`Decimals`]. A column starts at 2 and widens at the first
/// entry that does not fit. At national scale the data's numbers are most
/// of the memory a run holds.
#[derive(Debug, Clone)]
pub enum NumberCells {
    /// Each entry the scale in the top 2 bits (3: empty) and the digits in
    /// the other 14.
    Tiny(Vec<u16>),
    /// Each entry a [`Decimals`] word that keeps its bits when cut to 32
    /// (and comes back by sign extension): never one kept aside whole.
    Short(Vec<u32>),
    /// Any entries.
    Long(Decimals),
}

impl Default for NumberCells {
    fn default() -> Self {
        NumberCells::Tiny(Vec::new())
    }
}

/// Digits of a tiny entry are below this (and not negative).
const TINY_LIMIT: u64 = 1 << 14;
/// The largest scale of a tiny entry.
const TINY_SCALE: u32 = 2;
/// An empty tiny entry: scale 3.
const TINY_EMPTY: u16 = 3 << 14;

/// A [`Decimals`] word as a tiny entry, when it has one.
#[inline(always)]
fn tiny(word: u64) -> Option<u16> {
    if word == EMPTY {
        return Some(TINY_EMPTY);
    }
    let f = narrow_word(word)?;
    (f.mantissa >= 0 && (f.mantissa as u64) < TINY_LIMIT && f.scale <= TINY_SCALE).then(|| tiny_pack(f.mantissa as u64, f.scale))
}

/// The tiny entry of digits below 2^14 and a scale of at most 2.
#[inline(always)]
fn tiny_pack(digits: u64, scale: u32) -> u16 {
    // Below 2^14 and below 4: both casts keep every bit.
    (scale as u16) << 14 | digits as u16
}

/// A tiny entry as the [`Decimals`] word it stands for.
#[inline(always)]
fn from_tiny(tiny: u16) -> u64 {
    match u32::from(tiny >> 14) {
        3 => EMPTY,
        scale => pack(i64::from(tiny & 0x3FFF), scale),
    }
}

/// Digits of a short entry are below this, either sign.
const SHORT_LIMIT: u64 = 1 << 23;

/// A [`Decimals`] word as a short entry, when it keeps its bits in 32.
#[inline(always)]
fn short(word: u64) -> Option<u32> {
    // `as` keeps the low 32 bits; the word is short when sign-extending them gives it back.
    (word & WIDE == 0 && long(word as u32) == word).then_some(word as u32)
}

/// A short entry as the [`Decimals`] word it was cut from.
#[inline(always)]
fn long(short: u32) -> u64 {
    // Sign extension (`as` between integers of one width keeps the bits).
    short as i32 as i64 as u64
}

/// The items of `runs` (as far as they exist), one run after the other:
/// the rows of some units, copied out of a column.
pub(crate) fn copy_runs<T: Clone>(all: &[T], runs: &[std::ops::Range<usize>]) -> Vec<T> {
    let mut some = Vec::with_capacity(runs.iter().map(ExactSizeIterator::len).sum());
    runs.iter().for_each(|run| some.extend_from_slice(all.get(run.clone()).unwrap_or_default()));
    some
}

impl NumberCells {
    /// Makes room for `more` entries.
    pub fn reserve(&mut self, more: usize) {
        match self {
            NumberCells::Tiny(words) => words.reserve(more),
            NumberCells::Short(words) => words.reserve(more),
            NumberCells::Long(column) => column.reserve(more),
        }
    }

    /// Appends the decimal of `digits` scaled down by `scale`, as [`Decimals::push_digits`].
    #[inline(always)]
    pub fn push_digits(&mut self, digits: u64, scale: u32, negative: bool) {
        match self {
            // A `-0` is a plain 0, as in `Decimals::push_digits`.
            NumberCells::Tiny(words) if digits < TINY_LIMIT && scale <= TINY_SCALE && (!negative || digits == 0) => {
                words.push(tiny_pack(digits, scale));
            }
            NumberCells::Short(words) if digits < SHORT_LIMIT && scale <= SCALE as u32 => {
                // Below 2^23, so the cast keeps every digit; a `-0` is a plain 0.
                let magnitude = digits as i64;
                // Digits below 2^23 and a tag of 8 bits: the word keeps its bits in 32.
                words.push(pack(if negative { -magnitude } else { magnitude }, scale) as u32);
            }
            NumberCells::Long(column) => column.push_digits(digits, scale, negative),
            _ => self.push_digits_wider(digits, scale, negative),
        }
    }

    /// Appends an empty entry.
    #[inline(always)]
    pub fn push_empty(&mut self) {
        match self {
            NumberCells::Tiny(words) => words.push(TINY_EMPTY),
            // The empty word keeps its bits in 32.
            NumberCells::Short(words) => words.push(EMPTY as u32),
            NumberCells::Long(column) => column.push(None),
        }
    }

    /// Widens the column to the digits' width, then appends them (out of line: rare).
    #[inline(never)]
    fn push_digits_wider(&mut self, digits: u64, scale: u32, negative: bool) {
        let width = if digits < SHORT_LIMIT && scale <= SCALE as u32 { Width::Short } else { Width::Long };
        self.widen(width);
        self.push_digits(digits, scale, negative);
    }

    /// Appends a decimal, or an empty entry.
    pub fn push(&mut self, value: Option<Decimal>) {
        self.push_entry(Entry::of_option(value));
    }

    /// Appends an entry taken apart.
    fn push_entry(&mut self, entry: Entry) {
        let word = entry.word();
        match self {
            NumberCells::Tiny(words) => match word.and_then(tiny) {
                Some(w) => words.push(w),
                None => self.push_wider(entry),
            },
            NumberCells::Short(words) => match word.and_then(short) {
                Some(w) => words.push(w),
                None => self.push_wider(entry),
            },
            NumberCells::Long(column) => column.push_entry(entry),
        }
    }

    /// Widens the column to the entry's width, then appends it (out of line: rare).
    #[inline(never)]
    fn push_wider(&mut self, entry: Entry) {
        let width = Width::of(entry);
        self.widen(width);
        self.push_entry(entry);
    }

    /// How many bytes each entry takes.
    fn width(&self) -> Width {
        match self {
            NumberCells::Tiny(_) => Width::Tiny,
            NumberCells::Short(_) => Width::Short,
            NumberCells::Long(_) => Width::Long,
        }
    }

    /// The same entries in at least `width` bytes each.
    fn widen(&mut self, width: Width) {
        if width <= self.width() {
            return;
        }
        let column = std::mem::take(self);
        *self = match (column, width) {
            (NumberCells::Tiny(words), Width::Short) => NumberCells::Short(words.iter().map(|&w| from_tiny(w) as u32).collect()),
            (column, _) => NumberCells::Long(column.into_long()),
        };
    }

    /// The entry at `index` taken apart (empty beyond the end).
    #[inline]
    pub fn entry(&self, index: usize) -> Entry {
        let word = match self {
            NumberCells::Tiny(words) => words.get(index).map(|&w| from_tiny(w)),
            NumberCells::Short(words) => words.get(index).map(|&w| long(w)),
            NumberCells::Long(column) => return column.entry(index),
        };
        match word.and_then(narrow_word) {
            Some(f) => Entry::Narrow(f),
            None => Entry::Empty,
        }
    }

    /// The entry at `index`: `None` when it is empty or beyond the end.
    #[inline]
    pub fn get(&self, index: usize) -> Option<Decimal> {
        self.entry(index).number()
    }

    /// How many entries.
    pub fn len(&self) -> usize {
        match self {
            NumberCells::Tiny(words) => words.len(),
            NumberCells::Short(words) => words.len(),
            NumberCells::Long(column) => column.len(),
        }
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Keeps the first `len` entries.
    pub fn truncate(&mut self, len: usize) {
        match self {
            NumberCells::Tiny(words) => words.truncate(len),
            NumberCells::Short(words) => words.truncate(len),
            NumberCells::Long(column) => column.truncate(len),
        }
    }

    /// Appends the entries of another column (both widened to the wider of the two).
    pub fn append(&mut self, mut other: NumberCells) {
        let width = self.width().max(other.width());
        self.widen(width);
        other.widen(width);
        match (&mut *self, other) {
            (NumberCells::Tiny(words), NumberCells::Tiny(more)) => words.extend_from_slice(&more),
            (NumberCells::Short(words), NumberCells::Short(more)) => words.extend_from_slice(&more),
            (NumberCells::Long(column), NumberCells::Long(more)) => column.append(&more),
            // Never: both were just given one width.
            _ => unreachable!("number columns of one width"),
        }
    }

    /// The entries as a [`Decimals`] column.
    fn into_long(self) -> Decimals {
        match self {
            NumberCells::Tiny(words) => Decimals::from_words(words.into_iter().map(from_tiny).collect()),
            NumberCells::Short(words) => Decimals::from_words(words.into_iter().map(long).collect()),
            NumberCells::Long(column) => column,
        }
    }

    /// The entries at `rows`, in that order (empty past the end), as the
    /// [`Decimals`] column the evaluation works on.
    pub fn gather(&self, rows: impl Iterator<Item = usize>) -> Decimals {
        match self {
            NumberCells::Tiny(words) => Decimals::from_words(rows.map(|i| words.get(i).map_or(EMPTY, |&w| from_tiny(w))).collect()),
            NumberCells::Short(words) => Decimals::from_words(rows.map(|i| words.get(i).map_or(EMPTY, |&w| long(w))).collect()),
            NumberCells::Long(column) => column.gather(rows),
        }
    }

    /// The entries of a [`Decimals`] column, each in as few bytes as the column allows.
    pub fn of_column(column: &Decimals) -> NumberCells {
        if let Some(words) = column.words() {
            // No entry kept aside whole: the narrowest width every word fits, tried in turn.
            if let Some(tiny) = words.iter().map(|&word| tiny(word)).collect::<Option<Vec<u16>>>() {
                return NumberCells::Tiny(tiny);
            }
            if let Some(short) = words.iter().map(|&word| short(word)).collect::<Option<Vec<u32>>>() {
                return NumberCells::Short(short);
            }
        }
        NumberCells::Long(column.clone())
    }

    /// These entries, an empty one given as 0 (as [`NumberCells::figure`] reads it).
    pub fn into_figures(self) -> NumberCells {
        match self {
            NumberCells::Tiny(mut words) => {
                words.iter_mut().filter(|w| **w == TINY_EMPTY).for_each(|w| *w = tiny_pack(0, 0));
                NumberCells::Tiny(words)
            }
            NumberCells::Short(mut words) => {
                let zero = pack(0, 0) as u32;
                words.iter_mut().filter(|w| long(**w) & EMPTY != 0).for_each(|w| *w = zero);
                NumberCells::Short(words)
            }
            NumberCells::Long(column) => NumberCells::Long(column.into_figures()),
        }
    }

    /// The figure at `index` (0 for an empty entry or beyond the end).
    #[inline]
    pub fn figure(&self, index: usize) -> Decimal {
        self.entry(index).figure()
    }

    /// Whether the entries are those of `column`, digit for digit and scale for scale.
    pub fn same_as(&self, column: &Decimals) -> bool {
        self.len() == column.len() && (0..self.len()).all(|i| self.entry(i).same_as(column.entry(i)))
    }

    /// The entries at `order`, in that order (empty past the end).
    pub fn select(&self, order: &[usize]) -> NumberCells {
        match self {
            NumberCells::Tiny(words) => NumberCells::Tiny(order.iter().map(|&i| words.get(i).map_or(TINY_EMPTY, |&w| w)).collect()),
            NumberCells::Short(words) => NumberCells::Short(order.iter().map(|&i| words.get(i).map_or(EMPTY as u32, |&w| w)).collect()),
            NumberCells::Long(column) => NumberCells::Long(column.select(order)),
        }
    }

    /// The entries of `runs` (as far as they exist), one run after the other.
    pub fn runs(&self, runs: &[std::ops::Range<usize>]) -> NumberCells {
        match self {
            NumberCells::Tiny(all) => NumberCells::Tiny(copy_runs(all, runs)),
            NumberCells::Short(all) => NumberCells::Short(copy_runs(all, runs)),
            NumberCells::Long(column) => {
                let mut some = Decimals::with_capacity(runs.iter().map(ExactSizeIterator::len).sum());
                runs.iter().for_each(|run| some.push_run(column.run(run.clone())));
                NumberCells::Long(some)
            }
        }
    }
}

/// How many bytes each entry of a [`NumberCells`] column takes, narrowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Width {
    /// 2.
    Tiny,
    /// 4.
    Short,
    /// 8.
    Long,
}

impl Width {
    /// The narrowest width that holds an entry.
    fn of(entry: Entry) -> Width {
        match entry.word() {
            Some(word) if tiny(word).is_some() => Width::Tiny,
            Some(word) if short(word).is_some() => Width::Short,
            _ => Width::Long,
        }
    }
}

/// Equal when the entries are, digit for digit and scale for scale, whatever their width.
impl PartialEq for NumberCells {
    fn eq(&self, other: &NumberCells) -> bool {
        match (self, other) {
            (NumberCells::Tiny(a), NumberCells::Tiny(b)) => a == b,
            (NumberCells::Short(a), NumberCells::Short(b)) => a == b,
            _ => self.len() == other.len() && (0..self.len()).all(|i| self.entry(i).same_as(other.entry(i))),
        }
    }
}

impl FromIterator<Option<Decimal>> for NumberCells {
    fn from_iter<I: IntoIterator<Item = Option<Decimal>>>(iter: I) -> NumberCells {
        let iter = iter.into_iter();
        let mut column = NumberCells::Tiny(Vec::with_capacity(iter.size_hint().0));
        iter.for_each(|d| column.push(d));
        column
    }
}

/// A decimal whose digits fit an `i64`: `mantissa × 10^-scale`, the scale at
/// most 28. Zero is never negative here (a `-0` is a [`Entry::Wide`]), so
/// fixed-point arithmetic can leave the sign of a zero result to `rust_decimal`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fixed {
    /// The digits, with the sign.
    pub mantissa: i64,
    /// Digits after the point.
    pub scale: u32,
}

impl Fixed {
    /// As a `Decimal`, digit for digit and scale for scale.
    #[inline]
    pub fn decimal(self) -> Decimal {
        from_digits(self.mantissa.unsigned_abs(), self.scale, self.mantissa < 0)
    }

    /// A decimal's digits and scale, when its digits fit an `i64` and it is not `-0`.
    #[inline]
    pub fn of(d: Decimal) -> Option<Fixed> {
        let mantissa = i64::try_from(d.mantissa()).ok()?;
        (mantissa != 0 || !d.is_sign_negative()).then_some(Fixed { mantissa, scale: d.scale() })
    }
}

/// One entry of a [`Decimals`] column taken apart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Entry {
    /// No decimal.
    Empty,
    /// Digits and sign within 56 bits: the fast lane of arithmetic.
    Narrow(Fixed),
    /// Any other decimal (a quotient carried to 28 digits, a `-0`).
    Wide(Decimal),
}

impl Entry {
    /// The entry as a word of [`Decimals::words`], unless it is kept aside whole.
    #[inline]
    pub fn word(self) -> Option<u64> {
        match self {
            Entry::Empty => Some(EMPTY),
            Entry::Narrow(f) => packed(f),
            Entry::Wide(_) => None,
        }
    }

    /// A decimal as an entry: narrow when it packs into 8 bytes.
    #[inline]
    pub fn of(d: Decimal) -> Entry {
        let parts = d.unpack();
        let digits = u64::from(parts.mid) << 32 | u64::from(parts.lo);
        // A negative zero (`-0.00`) is kept whole: `Decimal::from_parts` would drop its sign.
        if parts.hi == 0 && digits < NARROW_LIMIT && (digits != 0 || !parts.negative) {
            // Below 2^55, so the cast keeps every digit.
            let magnitude = digits as i64;
            Entry::Narrow(Fixed { mantissa: if parts.negative { -magnitude } else { magnitude }, scale: parts.scale })
        } else {
            Entry::Wide(d)
        }
    }

    /// Whether both entries hold the same decimal, digit for digit and scale for scale (or none).
    pub fn same_as(self, other: Entry) -> bool {
        match (self, other) {
            // Narrow digits carry their sign and are never `-0`: the same digits and scale are the same decimal, bit for bit.
            (Entry::Narrow(_) | Entry::Empty, Entry::Narrow(_) | Entry::Empty) => self == other,
            _ => self.number().map(|d| d.serialize()) == other.number().map(|d| d.serialize()),
        }
    }

    /// The entry of an optional decimal.
    #[inline]
    pub fn of_option(d: Option<Decimal>) -> Entry {
        d.map_or(Entry::Empty, Entry::of)
    }

    /// The decimal, an empty entry counting 0 (as [`Decimals::figure`] reads it).
    #[inline]
    pub fn figure(self) -> Decimal {
        self.number().unwrap_or(Decimal::ZERO)
    }

    /// The decimal, if there is one.
    #[inline]
    pub fn number(self) -> Option<Decimal> {
        match self {
            Entry::Empty => None,
            Entry::Narrow(f) => Some(f.decimal()),
            Entry::Wide(d) => Some(d),
        }
    }
}

/// Consecutive entries of a [`Decimals`] column (one unit's period scores).
#[derive(Debug, Clone, Copy)]
pub struct Run<'a> {
    column: &'a Decimals,
    start: usize,
    end: usize,
}

impl<'a> Run<'a> {
    /// A run of no entries.
    pub fn empty() -> Run<'static> {
        Run { column: Decimals::empty(), start: 0, end: 0 }
    }

    /// How many entries.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// The entries taken apart.
    pub fn entries(self) -> impl Iterator<Item = Entry> + 'a {
        (self.start..self.end).map(move |i| self.column.entry(i))
    }
}

/// The decimal of a word when it is narrow (`None` when it is empty or kept aside whole).
#[inline(always)]
fn narrow_word(packed: u64) -> Option<Fixed> {
    if packed & (EMPTY | WIDE) != 0 {
        return None;
    }
    // The digits with their sign: the bits above the tag, as an `i64`
    // (`as` keeps all 64 bits) shifted arithmetically.
    Some(Fixed { mantissa: (packed as i64) >> 8, scale: (packed & SCALE) as u32 })
}

/// The packed entry of a fixed-point decimal, when its digits and sign fit 56 bits.
#[inline(always)]
fn packed(f: Fixed) -> Option<u64> {
    (f.mantissa.unsigned_abs() < NARROW_LIMIT && f.scale <= SCALE as u32).then(|| pack(f.mantissa, f.scale))
}

/// The packed entry of signed digits below 2^55 and a scale of at most 31.
#[inline(always)]
fn pack(mantissa: i64, scale: u32) -> u64 {
    // `as` keeps all 64 bits: the sign bits above the digits come back with `>>` on an `i64`.
    (mantissa << 8) as u64 | u64::from(scale)
}

/// The decimal of `digits` scaled down by `scale` (at most 28), as
/// `Decimal::from_parts` makes it: `-0` and `-0.00` are positive zeros.
#[inline]
pub fn from_digits(digits: u64, scale: u32, negative: bool) -> Decimal {
    // The low and middle words of Decimal's 96-bit digits (`as` keeps the low 32 bits).
    Decimal::from_parts(digits as u32, (digits >> 32) as u32, 0, negative, scale)
}

impl FromIterator<Entry> for Decimals {
    fn from_iter<I: IntoIterator<Item = Entry>>(iter: I) -> Decimals {
        let iter = iter.into_iter();
        let mut column = Decimals::with_capacity(iter.size_hint().0);
        iter.for_each(|e| column.push_entry(e));
        column
    }
}

impl FromIterator<Option<Decimal>> for Decimals {
    fn from_iter<I: IntoIterator<Item = Option<Decimal>>>(iter: I) -> Decimals {
        let iter = iter.into_iter();
        let mut column = Decimals::with_capacity(iter.size_hint().0);
        iter.for_each(|d| column.push(d));
        column
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each entry's decimal, bit for bit (digits, scale, sign), as text.
    fn shown(cells: &NumberCells) -> Vec<Option<String>> {
        (0..cells.len()).map(|i| cells.get(i).map(|d| format!("{:?}", d.serialize()))).collect()
    }

    /// The decimal of digits, a scale and a sign.
    fn made(digits: u64, scale: u32, negative: bool) -> Option<Decimal> {
        Some(from_digits(digits, scale, negative))
    }

    /// `fits` pushed as digits into one column, and as decimals into
    /// another with an empty entry after each; the entries expected.
    fn pushed_both_ways(fits: &[(u64, u32, bool)]) -> (NumberCells, NumberCells, Vec<Option<String>>) {
        let (mut digits, mut decimals) = (NumberCells::default(), NumberCells::default());
        for &(d, scale, negative) in fits {
            digits.push_digits(d, scale, negative);
            decimals.push(made(d, scale, negative));
            decimals.push(None);
        }
        let expected = fits.iter().map(|&(d, s, n)| made(d, s, n).map(|d| format!("{:?}", d.serialize()))).collect();
        (digits, decimals, expected)
    }

    /// `column` is `narrow` with `entry` pushed (and widened for it): it
    /// keeps what came before, equals `narrow` once cut back, and joins it
    /// either way round into the same entries. Returns `narrow` joined by `column`.
    fn assert_widened(narrow: &NumberCells, column: &NumberCells, entry: Option<Decimal>) -> NumberCells {
        let before = shown(narrow);
        assert_eq!(shown(column)[..before.len()], before[..]);
        assert_eq!(column.get(before.len()).map(|d| d.serialize()), entry.map(|d| d.serialize()));
        let mut again = column.clone();
        again.truncate(before.len());
        assert!(again == *narrow && column != narrow);
        let mut after = narrow.clone();
        after.append(column.clone());
        let mut first = column.clone();
        first.append(narrow.clone());
        assert_eq!(shown(&after), [before.clone(), shown(column)].concat());
        assert_eq!(shown(&first), [shown(column), before].concat());
        after
    }

    #[test]
    fn decimals_come_back_bit_for_bit() {
        let mut next = crate::testing::numbers(11);
        let mut cases: Vec<Decimal> = [
            "0",
            "-0",
            "0.00",
            "-0.00",
            "90.00",
            "7",
            "-12.345",
            "72057594037927935",
            "72057594037927936",
            "0.0000000000000000000000000001",
        ]
        .iter()
        .filter_map(|s| s.parse().ok())
        .collect();
        let mut negative_zero = Decimal::new(0, 2);
        negative_zero.set_sign_negative(true);
        assert!(negative_zero.is_sign_negative() && negative_zero.to_string() == "-0.00");
        cases.extend([Decimal::MAX, Decimal::MIN, negative_zero]);
        for _ in 0..100_000 {
            let digits = u64::MAX >> (next() % 64);
            let mantissa = i64::try_from(next() & digits).unwrap_or(0);
            let mut d = Decimal::new(mantissa, (next() % 29) as u32);
            d.set_sign_negative(next() % 3 == 0);
            cases.push(d);
            cases.extend(Decimal::try_from_i128_with_scale(i128::from(mantissa) * i128::from(mantissa), (next() % 29) as u32));
        }
        let mut column = Decimals::default();
        for d in &cases {
            column.push(Some(*d));
            column.push(None);
        }
        assert_eq!(column.packed.len(), cases.len() * 2);
        for (i, d) in cases.iter().enumerate() {
            let back = column.get(2 * i);
            assert_eq!(back.map(|b| b.serialize()), Some(d.serialize()), "{d}");
            assert_eq!(column.get(2 * i + 1), None);
        }
        assert_eq!(column.get(cases.len() * 2), None);
        assert!(column.wide.len() < cases.len() / 2, "most decimals fit in 8 bytes");
    }

    #[test]
    fn append_and_select_keep_wide_entries() {
        let wide = Decimal::MAX;
        let a: Decimals = [Some(Decimal::ONE), Some(wide), None].into_iter().collect();
        // Another wide value: the appended entry must point past `a`'s.
        let other = Decimal::MIN;
        let b: Decimals = [Some(other), Some(Decimal::TWO)].into_iter().collect();
        let mut whole = a.clone();
        whole.append(&b);
        let all: Vec<Option<Decimal>> = (0..whole.len()).map(|i| whole.get(i)).collect();
        assert_eq!(all, [Some(Decimal::ONE), Some(wide), None, Some(other), Some(Decimal::TWO)]);
        let picked = whole.select(&[4, 3, 2, 9]);
        let picked: Vec<Option<Decimal>> = (0..picked.len()).map(|i| picked.get(i)).collect();
        assert_eq!(picked, [Some(Decimal::TWO), Some(other), None, None]);
        // Runs of two, the last past the end; with and without wide entries.
        let runs = whole.gather_runs(&[2, 0, 7], 2);
        let runs: Vec<Option<Decimal>> = (0..runs.len()).map(|i| runs.get(i)).collect();
        assert_eq!(runs, [Some(Decimal::TWO), None, Some(Decimal::ONE), Some(wide), None, None]);
        let narrow: Decimals = [Some(Decimal::ONE), None, Some(Decimal::TWO)].into_iter().collect();
        let runs = narrow.gather_runs(&[1, 0], 2);
        let runs: Vec<Option<Decimal>> = (0..runs.len()).map(|i| runs.get(i)).collect();
        assert_eq!(runs, [Some(Decimal::TWO), None, Some(Decimal::ONE), None]);
        for (digits, scale, negative) in [(0, 2, true), (0, 0, false), (1234, 2, true), (u64::MAX, 3, false), (1 << 56, 0, true)]
            .into_iter()
            .chain([((1 << 55) - 1, 4, true), ((1 << 55) - 1, 28, false), (1 << 55, 4, true), (1 << 55, 0, false)])
        {
            let mut column = Decimals::default();
            column.push_digits(digits, scale, negative);
            let made = from_digits(digits, scale, negative);
            assert_eq!(column.get(0).map(|d| d.serialize()), Some(made.serialize()), "{digits} {scale} {negative}");
        }
        let run = whole.run(3..9);
        assert_eq!((run.len(), run.entries().map(Entry::figure).collect::<Vec<_>>()), (2, vec![other, Decimal::TWO]));
        let mut runs = Decimals::default();
        runs.push_run(whole.run(0..2));
        runs.push_run(Run::empty());
        assert_eq!((runs.len(), runs.get(0), runs.get(1)), (2, Some(Decimal::ONE), Some(wide)));
        let mut short = whole;
        short.truncate(2);
        assert_eq!((short.len(), short.get(1), short.get(2)), (2, Some(wide), None));
    }

    #[test]
    fn number_cells_are_short_until_an_entry_needs_eight_bytes() {
        // At the edge of 4 bytes, both signs, the largest scale, `-0` as digits: short; one digit more: long.
        let fits = [(0, 0, true), ((1 << 23) - 1, 0, true), ((1 << 23) - 1, 28, false), (935, 1, false), (12345, 4, true)];
        let (short, pushed, expected) = pushed_both_ways(&fits);
        assert!(matches!((&short, &pushed), (NumberCells::Short(_), NumberCells::Short(_))));
        assert_eq!(shown(&short), expected);
        assert_eq!((pushed.len(), pushed.get(1), pushed.get(10)), (10, None, None));
        // An entry too long for 4 bytes makes the column long, keeping what came before.
        let mut negative_zero = Decimal::new(0, 2);
        negative_zero.set_sign_negative(true);
        for (i, long) in [made(1 << 23, 0, false), made(1 << 23, 2, true), Some(negative_zero), Some(Decimal::MAX)].into_iter().enumerate()
        {
            let mut column = short.clone();
            let before = shown(&column);
            if i < 2 {
                column.push_digits(1 << 23, 2 * i as u32, i == 1);
            } else {
                column.push(long);
            }
            assert!(matches!(column, NumberCells::Long(_)), "{long:?}");
            // Joined, selected and sliced: the same entries.
            let joined = assert_widened(&short, &column, long);
            let picked = joined.select(&[before.len() * 2, 0, 99]);
            assert_eq!(shown(&picked), [shown(&column)[before.len()].clone(), before[0].clone(), None]);
            let all = shown(&joined);
            assert_eq!(shown(&joined.runs(&[1..2, 2..3])), all[1..3]);
            assert_eq!(shown(&joined.runs(&[2..3, 0..1, 5..5])), [all[2].clone(), all[0].clone()]);
            let gathered = joined.gather([before.len() * 2, 1, 99].into_iter());
            assert_eq!(gathered.get(0).map(|d| d.serialize()), long.map(|d| d.serialize()));
            assert_eq!((gathered.get(1), gathered.get(2)), (joined.get(1), None));
        }
        let mut both = short.clone();
        both.append(short.clone());
        assert!(matches!(both, NumberCells::Short(_)) && both.len() == 2 * short.len());
        let picked = short.select(&[1, 7]);
        assert!(matches!(picked, NumberCells::Short(_)) && picked.get(0) == short.get(1) && picked.get(1).is_none());
        let gathered = short.gather([4, 0].into_iter());
        assert_eq!((gathered.get(0), gathered.get(1)), (short.get(4), short.get(0)));
    }

    #[test]
    fn number_cells_are_two_bytes_until_an_entry_needs_more() {
        // At the edges of 2 bytes: no digits, the most digits, the largest scale, `-0.00` as digits (a plain 0).
        let fits = [(0, 0, false), ((1 << 14) - 1, 2, false), (0, 2, true), (935, 1, false), (1, 0, false)];
        let (tiny, pushed, expected) = pushed_both_ways(&fits);
        assert!(matches!((&tiny, &pushed), (NumberCells::Tiny(_), NumberCells::Tiny(_))));
        assert_eq!(shown(&tiny), expected);
        assert_eq!((pushed.len(), pushed.get(1), pushed.get(9), pushed.get(10)), (10, None, None, None));
        assert_eq!(pushed.get(2), tiny.get(1));
        // One digit more, a scale more, a sign: 4 bytes; `-0.00` whole or 17 digits: 8. What came before is kept.
        let mut negative_zero = Decimal::new(0, 2);
        negative_zero.set_sign_negative(true);
        let wider: [(Option<Decimal>, bool); 6] = [
            (made(1 << 14, 0, false), true),
            (made(1, 3, false), true),
            (made(1, 0, true), true),
            (made(1 << 23, 0, false), false),
            (Some(negative_zero), false),
            (Some(Decimal::MAX), false),
        ];
        for (i, (entry, four)) in wider.into_iter().enumerate() {
            let mut column = tiny.clone();
            match entry.map(|d| d.unpack()) {
                // The digits' way in for the finite ones, the decimals' for the others.
                Some(p) if i < 4 => column.push_digits(u64::from(p.lo), p.scale, p.negative),
                _ => column.push(entry),
            }
            let width = if four { matches!(column, NumberCells::Short(_)) } else { matches!(column, NumberCells::Long(_)) };
            assert!(width, "{entry:?}: {column:?}");
            assert_widened(&tiny, &column, entry);
        }
        let mut both = tiny.clone();
        both.append(tiny.clone());
        assert!(matches!(both, NumberCells::Tiny(_)) && both.len() == 2 * fits.len());
        let picked = tiny.select(&[3, 99, 0]);
        assert!(matches!(picked, NumberCells::Tiny(_)));
        assert_eq!(shown(&picked), [expected[3].clone(), None, expected[0].clone()]);
        assert_eq!(shown(&tiny.runs(&[1..2, 2..3])), expected[1..3]);
        assert_eq!(shown(&tiny.runs(&[3..4, 0..2])), [expected[3].clone(), expected[0].clone(), expected[1].clone()]);
        let gathered = tiny.gather([1, 99, 3].into_iter());
        assert_eq!((gathered.get(0), gathered.get(1), gathered.get(2)), (tiny.get(1), None, tiny.get(3)));
    }
    #[test]
    fn scores_kept_in_number_cells_read_as_the_decimals_they_came_from() {
        // Each width: 2 bytes, then 4 (four decimals), then 8 (digits of 2^23 and more; a wide -0.00 and a 28-digit quotient).
        let widths: [Vec<Option<Decimal>>; 4] = [
            vec![made(9370, 2, false), None, made(100, 0, false)],
            vec![made(937_075, 4, false), None, made(5, 1, true)],
            vec![made(93_708_250, 6, false), None, made(1, 0, false)],
            vec![made(0, 2, true), None, Some(Decimal::ONE / Decimal::from(3)), made(93_708_250, 6, false)],
        ];
        for (width, values) in widths.iter().enumerate() {
            let column: Decimals = values.iter().copied().collect();
            let cells = NumberCells::of_column(&column);
            assert_eq!(cells.width(), [Width::Tiny, Width::Short, Width::Long, Width::Long][width]);
            let expected: Vec<Option<String>> = values.iter().map(|v| v.map(|d| format!("{:?}", d.serialize()))).collect();
            assert_eq!(shown(&cells), expected);
            assert!(cells.same_as(&column));
            // Digits for digits and scale for scale: 93.70 is not 93.700, and 0 is not an empty entry.
            let mut other = values.clone();
            other[0] = other[0].map(|mut d| {
                d.rescale(d.scale() + 1);
                d
            });
            other[1] = Some(Decimal::ZERO);
            for changed in [vec![other[0], values[1]], vec![values[0], other[1]]] {
                let changed: Decimals = changed.into_iter().chain(values[2..].iter().copied()).collect();
                assert!(!cells.same_as(&changed), "width {width}");
            }
            // An empty entry reads as 0 once the column holds figures.
            let figures = cells.into_figures();
            assert_eq!(figures.get(1).map(|d| d.serialize()), Some(Decimal::ZERO.serialize()));
            assert_eq!((figures.figure(0), figures.get(2)), (values[0].unwrap_or_default(), values[2]));
            assert_eq!(figures.width(), [Width::Tiny, Width::Short, Width::Long, Width::Long][width]);
        }
    }
}
