//! The storage behind an [`Assessment`](super::Assessment): columns that
//! hold millions of units without a heap allocation per unit.

/// Texts one after another in one buffer (unit keys: one allocation for all).
#[derive(Debug, Clone, Default)]
pub(super) struct Texts {
    text: String,
    ends: Vec<usize>,
}

impl Texts {
    /// No texts yet, with room for `texts` of `bytes` in all.
    pub(super) fn with_capacity(texts: usize, bytes: usize) -> Texts {
        Texts { text: String::with_capacity(bytes), ends: Vec::with_capacity(texts) }
    }

    /// Appends a text.
    pub(super) fn push(&mut self, text: &str) {
        self.text.push_str(text);
        self.ends.push(self.text.len());
    }

    /// The text at `index` (empty beyond the end).
    pub(super) fn get(&self, index: usize) -> &str {
        let start = index.checked_sub(1).and_then(|i| self.ends.get(i)).copied().unwrap_or(0);
        let end = self.ends.get(index).copied().unwrap_or(start);
        self.text.get(start..end).unwrap_or_default()
    }

    /// How many texts.
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts() {
        let mut texts = Texts::default();
        for t in ["110000001", "", "安平县财政局"] {
            texts.push(t);
        }
        assert_eq!((texts.len(), texts.get(0), texts.get(1), texts.get(2), texts.get(3)), (3, "110000001", "", "安平县财政局", ""));
    }
}
