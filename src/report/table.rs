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
    // Each cell's display width, measured once.
    let measured = |cells: &[String]| cells.iter().map(|cell| cell.width()).collect::<Vec<usize>>();
    let header_widths = measured(header);
    let row_widths: Vec<Vec<usize>> = rows.iter().map(|row| measured(row)).collect();
    let mut widths = header_widths.clone();
    for cell_widths in &row_widths {
        for (w, &cell) in widths.iter_mut().zip(cell_widths) {
            *w = (*w).max(cell);
        }
    }
    let total_width: usize = widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1);
    if total_width > width {
        if let Some(w) = widths.get_mut(shrink) {
            *w = w.saturating_sub(total_width - width).max(6);
        }
    }
    let mut out = String::new();
    let line = |cells: &[String], cell_widths: &[usize], out: &mut String| {
        let start = out.len();
        for (c, (cell, &cell_width)) in cells.iter().zip(cell_widths).enumerate() {
            if c > 0 {
                out.push_str("  ");
            }
            let w = widths.get(c).copied().unwrap_or(0);
            let cut = (cell_width > w).then(|| fit(cell, w));
            let (cell, cell_width) = cut.as_ref().map_or((cell.as_str(), cell_width), |cut| (cut.as_str(), cut.width()));
            let pad = w.saturating_sub(cell_width);
            if numeric.get(c).copied().unwrap_or(false) {
                out.extend(std::iter::repeat_n(' ', pad));
                out.push_str(cell);
            } else {
                out.push_str(cell);
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        let kept = out[start..].trim_end().len();
        out.truncate(start + kept);
        out.push('\n');
    };
    line(header, &header_widths, &mut out);
    let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
    let _ = writeln!(out, "{}", rule.join("  "));
    for (row, cell_widths) in rows.iter().zip(&row_widths) {
        line(row, cell_widths, &mut out);
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
