//! CSV output: one row per unit in rank order, every indicator's score.

use super::Assessment;

/// The results as CSV (UTF-8 with a BOM, so Excel on Chinese Windows opens it right).
pub fn render(a: &Assessment) -> String {
    let mut out = String::from("\u{FEFF}");
    let groups = a.units.first().map_or(0, |u| u.groups.len());
    let indicators: Vec<String> = a.units.first().map(|u| u.indicators.iter().map(|i| i.path.clone()).collect()).unwrap_or_default();
    let mut header: Vec<String> = vec!["排名".into(), "组内排名".into(), "单位".into()];
    header.extend((1..=groups).map(|g| format!("分组{g}")));
    header.extend(["总分".into(), "等次".into(), "一票否决".into(), "可评先".into()]);
    header.extend(indicators.iter().cloned());
    push_row(&mut out, &header);
    for u in &a.units {
        let mut row: Vec<String> = vec![u.rank.to_string(), u.group_rank.map(|g| g.to_string()).unwrap_or_default(), u.unit.clone()];
        row.extend(u.groups.iter().cloned());
        row.push(u.total.to_string());
        row.push(u.grade.clone());
        row.push(u.vetoes.join("、"));
        row.push(if u.award_eligible { "是" } else { "否" }.into());
        row.extend(u.indicators.iter().map(|i| if i.applies { i.score.normalize().to_string() } else { String::new() }));
        push_row(&mut out, &row);
    }
    out
}

/// Appends one CSV record (quoted where needed, CRLF-terminated).
pub fn push_row(out: &mut String, cells: &[String]) {
    let quoted: Vec<String> = cells
        .iter()
        .map(|c| if c.contains([',', '"', '\n', '\r']) { format!("\"{}\"", c.replace('"', "\"\"")) } else { c.clone() })
        .collect();
    out.push_str(&quoted.join(","));
    out.push_str("\r\n");
}
