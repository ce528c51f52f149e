//! Yes/no columns a bit each: whether each indicator applies to each
//! unit is held from scoring to the end, one column an indicator, and at
//! national scale a byte a unit would be 8,000,000 bytes a column.

/// A column of yes/no values, a bit each (`false` past the end).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flags {
    /// Value `i` is bit `i % 64` of word `i / 64`; the bits past `len` are 0.
    words: Vec<u64>,
    len: usize,
}

impl Flags {
    /// How many values.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Value `i` (`false` past the end).
    #[inline]
    pub fn get(&self, i: usize) -> bool {
        // The bits past `len` are 0.
        self.words.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 == 1)
    }

    /// Appends a value.
    #[inline]
    pub fn push(&mut self, value: bool) {
        if self.len % 64 == 0 {
            self.words.push(0);
        }
        if let (true, Some(word)) = (value, self.words.last_mut()) {
            *word |= 1 << (self.len % 64);
        }
        self.len += 1;
    }

    /// Makes room for `more` values.
    pub fn reserve(&mut self, more: usize) {
        let words = (self.len + more).div_ceil(64);
        self.words.reserve(words.saturating_sub(self.words.len()));
    }

    /// Puts the values of `next` after these.
    pub fn append(&mut self, next: &Flags) {
        if self.len % 64 == 0 {
            // Whole words: the common case, batches being multiples of 64 units.
            self.words.extend_from_slice(&next.words);
            self.len += next.len;
            return;
        }
        next.iter().for_each(|v| self.push(v));
    }

    /// The values at `rows`, in that order (`false` past the end).
    pub fn select(&self, rows: &[usize]) -> Flags {
        // A word at a time: the results of millions of units are put in rank order so.
        let words =
            rows.chunks(64).map(|rows| rows.iter().enumerate().fold(0, |word, (k, &r)| word | u64::from(self.get(r)) << k)).collect();
        Flags { words, len: rows.len() }
    }

    /// The values in order.
    pub fn iter(&self) -> impl Iterator<Item = bool> + '_ {
        (0..self.len).map(|i| self.get(i))
    }
}

impl FromIterator<bool> for Flags {
    fn from_iter<I: IntoIterator<Item = bool>>(values: I) -> Flags {
        let values = values.into_iter();
        let mut flags = Flags::default();
        flags.reserve(values.size_hint().0);
        values.for_each(|v| flags.push(v));
        flags
    }
}

#[cfg(test)]
mod tests {
    use super::Flags;

    /// A pattern that is neither periodic in 64 nor all one value.
    fn pattern(len: usize, seed: usize) -> Vec<bool> {
        (0..len).map(|i| (i * 7 + seed) % 5 < 2 || i % 63 == 0).collect()
    }

    #[test]
    fn values_come_back_as_they_went_in() {
        for len in [0, 1, 63, 64, 65, 130] {
            let values = pattern(len, len);
            let flags: Flags = values.iter().copied().collect();
            assert_eq!(flags.len(), len);
            assert_eq!(flags.iter().collect::<Vec<bool>>(), values);
            assert!(!flags.get(len) && !flags.get(len + 64));
        }
    }

    #[test]
    fn appended_columns_are_as_one_column() {
        // Joins at and off word boundaries, as batches of any size make.
        for (a, b) in [(64, 10), (128, 64), (5, 70), (63, 1), (0, 3), (70, 0), (1, 129)] {
            let (first, second) = (pattern(a, 1), pattern(b, 2));
            let mut joined: Flags = first.iter().copied().collect();
            joined.append(&second.iter().copied().collect());
            let whole: Flags = first.iter().chain(&second).copied().collect();
            assert_eq!(joined, whole, "{a} + {b}");
        }
    }

    #[test]
    fn selected_rows_come_in_the_order_asked() {
        let values = pattern(200, 3);
        let flags: Flags = values.iter().copied().collect();
        let rows = [199, 0, 64, 63, 64, 5, 250, 128];
        let expected: Vec<bool> = rows.iter().map(|&r| values.get(r).copied().unwrap_or(false)).collect();
        assert_eq!(flags.select(&rows).iter().collect::<Vec<bool>>(), expected);
    }
}
