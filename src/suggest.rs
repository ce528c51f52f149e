//! "Did you mean ...?" for unknown names and keywords.
//!
//! Starlark's rule: an exact case-insensitive match first, then the closest
//! candidate within edit distance 1 for names of up to two characters and 2
//! for longer ones. Distances count characters, so `得份` is one edit from `得分`.

/// The candidate closest to `word`, if any is close enough.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_lowercase();
    let limit = if word.chars().count() <= 2 { 1 } else { 2 };
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        if candidate == word {
            continue;
        }
        if candidate.to_lowercase() == lower {
            return Some(candidate);
        }
        let d = distance(&lower, &candidate.to_lowercase());
        if d <= limit && best.is_none_or(|(b, c)| (d, candidate) < (b, c)) {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Levenshtein distance in characters.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let next = (row[j] + 1).min(row[j + 1] + 1).min(prev + cost);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// The help line for an unknown name: "did you mean `x`?" when a candidate is
/// close, else `otherwise`.
pub fn help_or<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    otherwise: crate::diagnostics::Text,
) -> crate::diagnostics::Text {
    match did_you_mean(word, candidates) {
        Some(best) => crate::text!("did you mean `{best}`?", "是否想写 `{best}`?"),
        None => otherwise,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(did_you_mean("得份", ["得分", "指标"]), Some("得分"));
        assert_eq!(did_you_mean("Total", ["total"]), Some("total"));
        assert_eq!(did_you_mean("重点工做", ["重点工作", "公众评议"]), Some("重点工作"));
        assert_eq!(did_you_mean("xyz", ["指标"]), None);
        assert_eq!(distance("kitten", "sitting"), 3);
    }
}
