//! The terminal table: units in rank order, CJK text aligned by display width.

use std::fmt::Write;

use unicode_width::UnicodeWidthStr;

use super::Assessment;
use crate::diagnostics::Lang;

/// Renders the results as an aligned table, at most `width` columns wide
/// (the unit column is shortened with `…` when the terminal is narrow).
pub fn render(a: &Assessment, lang: Lang, width: usize) -> String {
    let zh = lang == Lang::Zh;
    let has_group_rank = a.units().any(|u| u.group_rank().is_some());
    let group_count = a.units().next().map_or(0, |u| u.groups().len());
    let mut header: Vec<String> = vec![if zh { "排名" } else { "rank" }.into()];
    if has_group_rank {
        header.push(if zh { "组内" } else { "in group" }.into());
    }
    header.push(if zh { "单位" } else { "unit" }.into());
    if group_count > 0 {
        header.push(if zh { "分组" } else { "group" }.into());
    }
    header.push(if zh { "总分" } else { "total" }.into());
    header.push(if zh { "等次" } else { "grade" }.into());
    header.push(if zh { "否决" } else { "vetoes" }.into());
    let rows: Vec<Vec<String>> = a
        .units()
        .map(|u| {
            let mut row = vec![u.rank().to_string()];
            if has_group_rank {
                row.push(u.group_rank().map_or(String::new(), |g| g.to_string()));
            }
            row.push(u.key().to_string());
            if group_count > 0 {
                row.push(u.groups().next().unwrap_or_default().to_string());
            }
            row.push(u.total().to_string());
            row.push(u.grade().to_string());
            row.push(u.vetoes().collect::<Vec<_>>().join(if zh { "、" } else { ", " }));
            row
        })
        .collect();
    let unit_col = usize::from(has_group_rank) + 1;
    let total_col = header.iter().position(|h| h == "总分" || h == "total");
    let numeric: Vec<bool> = (0..header.len()).map(|c| c < unit_col || Some(c) == total_col).collect();
    grid(&header, &rows, &numeric, unit_col, width)
}

/// An aligned grid of `rows` under `header`, at most `width` columns wide:
/// `numeric` columns are right-aligned, and column `shrink` is shortened
/// with `…` first when the terminal is narrow.
pub fn grid(header: &[String], rows: &[Vec<String>], numeric: &[bool], shrink: usize, width: usize) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in rows {
        for (c, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(cell.width());
            }
        }
    }
    let total_width: usize = widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1);
    if total_width > width {
        if let Some(w) = widths.get_mut(shrink) {
            *w = w.saturating_sub(total_width - width).max(6);
        }
    }
    let mut out = String::new();
    let line = |cells: &[String], out: &mut String| {
        let mut parts = Vec::new();
        for (c, cell) in cells.iter().enumerate() {
            let w = widths.get(c).copied().unwrap_or(0);
            let cell = fit(cell, w);
            let pad = w.saturating_sub(cell.width());
            let right = numeric.get(c).copied().unwrap_or(false);
            parts.push(if right { format!("{}{cell}", " ".repeat(pad)) } else { format!("{cell}{}", " ".repeat(pad)) });
        }
        let _ = writeln!(out, "{}", parts.join("  ").trim_end());
    };
    line(header, &mut out);
    let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
    let _ = writeln!(out, "{}", rule.join("  "));
    for row in rows {
        line(row, &mut out);
    }
    out
}

/// `text` cut to `width` display columns, ending in `…` when cut.
fn fit(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        let next = format!("{out}{c}");
        if next.width() + 1 > width {
            break;
        }
        out = next;
    }
    out.push('…');
    out
}
