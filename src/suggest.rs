//! "Did you mean ...?" for unknown names and keywords.
//!
//! Starlark's rule: an exact case-insensitive match first, then the closest
//! candidate within edit distance 1 for names of up to two characters and 2
//! for longer ones. Distances count characters, so `得份` is one edit from `得分`.

/// The candidate closest to `word`, if any is close enough.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_lowercase();
    let limit = if word.chars().count() <= 2 { 1 } else { 2 };
    let mut best: Option<(usize, usize, &'a str)> = None;
    for candidate in candidates {
        if candidate == word {
            continue;
        }
        if candidate.to_lowercase() == lower {
            return Some(candidate);
        }
        let d = distance(&lower, &candidate.to_lowercase());
        // Ties go to the candidate sharing the longest beginning (`指数` → `指标`, not `参数`).
        let shared = lower.chars().zip(candidate.to_lowercase().chars()).take_while(|(a, b)| a == b).count();
        if d <= limit && best.is_none_or(|(bd, bs, bc)| (d, std::cmp::Reverse(shared), candidate) < (bd, std::cmp::Reverse(bs), bc)) {
            best = Some((d, shared, candidate));
        }
    }
    best.map(|(_, _, c)| c)
}

/// Edit distance in characters, counting a swap of two neighbours as one
/// edit (`mni` is one edit from `min`): the optimal string alignment distance.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        d[i * width] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1).min(d[i * width + j - 1] + 1).min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
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
        assert_eq!(did_you_mean("mni", ["max", "min"]), Some("min"));
        assert_eq!(did_you_mean("指数", ["参数", "指标"]), Some("指标"));
    }
}
