//! The data diagnostics: one constructor per finding, each in English and Chinese.
//!
//! A finding in a CSV or JSON file labels the exact bytes of the decoded text,
//! so miette shows the line. A sheet has no text to show, so its findings put
//! `sheet!B7` (and the workbook) in the message.

use super::cell::{Problem, Raw};
use super::decode::DecodeError;
use super::table::{DataFile, Loc, Place};
use crate::diagnostics::{Code, Diagnostic, Text, codes};
use crate::model::{Column, Table, TableShape};
use crate::suggest::did_you_mean;
use crate::text;

/// `B7` for a 0-based row and column.
pub(crate) fn cell_name(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut n = u64::from(col) + 1;
    while n > 0 {
        let rem = u8::try_from((n - 1) % 26).unwrap_or(0);
        letters.push(char::from(b'A' + rem));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect::<String>() + &(u64::from(row) + 1).to_string()
}

/// Appends where in a workbook, for sheets; nothing for text files.
fn at(place: &Place, loc: Loc, message: Text) -> Text {
    let Place::Sheet { workbook, sheet } = place else { return message };
    let (en, zh) = match loc {
        Loc::Cell { row, col } => {
            let cell = cell_name(row, col);
            (format!("`{sheet}!{cell}` in `{workbook}`"), format!("`{workbook}` 的 `{sheet}!{cell}`"))
        }
        Loc::Row(row) => {
            let n = u64::from(row) + 1;
            (format!("row {n} of sheet `{sheet}` in `{workbook}`"), format!("`{workbook}` 工作表 `{sheet}` 第 {n} 行"))
        }
        Loc::None | Loc::Span(_) => (format!("sheet `{sheet}` in `{workbook}`"), format!("`{workbook}` 工作表 `{sheet}`")),
    };
    Text { en: format!("{} ({en})", message.en), zh: format!("{}({zh})", message.zh) }
}

/// A diagnostic at `loc` of `place`, labelled there when the place has text.
fn diagnostic(code: &'static Code, place: &Place, loc: Loc, message: Text, label: Text) -> Diagnostic {
    match (place, loc) {
        (Place::Text(file), Loc::Span(span)) => in_file(code, file, message).with_label(span, label),
        (Place::Text(file), _) => in_file(code, file, message),
        _ => Diagnostic::general(code, at(place, loc, message)),
    }
}

/// An error in a file, to be labelled where its text can be shown: not
/// when it was let go and the file on disk has changed since (labels then
/// go unshown, see [`Diagnostic::with_label`], and the message names the file).
fn in_file(code: &'static Code, file: &DataFile, message: Text) -> Diagnostic {
    match file.source() {
        Some(source) => Diagnostic::error(code, source, message),
        None => {
            let name = &file.name;
            Diagnostic::general(
                code,
                Text {
                    en: format!("{} (in `{name}`, which has changed since kaohe read it)", message.en),
                    zh: format!("{}(`{name}`,读取后已被改动)", message.zh),
                },
            )
        }
    }
}

/// A space before a Chinese phrase that starts with a digit, a letter or a backtick.
pub(crate) fn spaced(zh: &str) -> String {
    if zh.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '`') { format!(" {zh}") } else { zh.to_string() }
}

fn of_unit(unit: Option<&str>) -> (String, String) {
    match unit {
        Some(u) => (format!(" of `{u}`"), format!("`{u}` 的 ")),
        None => (String::new(), String::new()),
    }
}

/// A cell that does not fit its column.
pub(crate) fn bad_cell(place: &Place, column: &Column, unit: Option<&str>, raw: &Raw<'_>, loc: Loc, problem: Problem) -> Diagnostic {
    let name = &column.name;
    let found = raw.shown();
    let (of_en, of_zh) = of_unit(unit);
    let (want_en, want_zh) = (&problem.want.en, spaced(&problem.want.zh));
    diagnostic(
        &codes::DATA_CELL,
        place,
        loc,
        text!("`{found}` in column `{name}`{of_en} is not {want_en}", "{of_zh}`{name}` 列的值 `{found}` 不是{want_zh}"),
        text!("expected {want_en}", "应为{want_zh}"),
    )
    .with_help(problem.help)
}

/// An empty cell in a column that needs a value.
pub(crate) fn empty_cell(place: &Place, column: &Column, unit: Option<&str>, loc: Loc) -> Diagnostic {
    let name = &column.name;
    let (of_en, of_zh) = of_unit(unit);
    diagnostic(
        &codes::DATA_CELL,
        place,
        loc,
        text!("column `{name}`{of_en} is empty", "{of_zh}`{name}` 列为空"),
        text!("a value is needed here", "此处需要填写"),
    )
    .with_help(text!(
        "fill in the cell, or declare the column `可空` (optional) or with a `默认` (default) in the scheme",
        "请填写该单元格,或在方案中把该列声明为 `可空`,或给出 `默认` 值"
    ))
}

/// A unit name that the units table does not list.
pub(crate) fn unknown_unit(
    place: &Place,
    table: &str,
    column: &str,
    units_table: &str,
    key: &str,
    suggestion: Option<&str>,
    loc: Loc,
) -> Diagnostic {
    let help = match suggestion {
        Some(best) => text!("did you mean `{best}`?", "是否想写 `{best}`?"),
        None => text!(
            "every unit must be listed in `{units_table}`: correct the name or add the unit there",
            "考核对象须列在 `{units_table}` 中:请改正名称,或在其中补上该考核对象"
        ),
    };
    diagnostic(
        &codes::DATA_UNKNOWN_UNIT,
        place,
        loc,
        text!(
            "`{key}` in column `{column}` of `{table}` is not a unit listed in `{units_table}`",
            "`{table}` 的 `{column}` 列中 `{key}` 不是 `{units_table}` 列出的考核对象"
        ),
        text!("unknown unit", "未知的考核对象"),
    )
    .with_help(help)
}

/// Two rows with the same key.
pub(crate) fn duplicate_key(
    place: &Place,
    table: &str,
    names: &[&str],
    values: &[String],
    first: (Loc, u32),
    again: (Loc, u32),
) -> Diagnostic {
    let (names_en, names_zh) = (names.join("`, `"), names.join("`、`"));
    let (values_en, values_zh) = (values.join("`, `"), values.join("`、`"));
    let message =
        text!("two rows of `{table}` have the same `{names_en}`: `{values_en}`", "`{table}` 有两行的 `{names_zh}` 相同:`{values_zh}`");
    let help = text!(
        "`{table}` has one row per `{names_en}`: merge the two rows or remove one",
        "`{table}` 每个 `{names_zh}` 只能有一行:请合并这两行或删去其中一行"
    );
    match place {
        Place::Text(file) => {
            let mut d = in_file(&codes::DATA_DUPLICATE_KEY, file, message);
            if let Loc::Span(s) = again.0 {
                d = d.with_label(s, text!("again here", "在此重复"));
            }
            if let Loc::Span(s) = first.0 {
                d = d.with_note(s, text!("first here", "首次出现在此"));
            }
            d.with_help(help)
        }
        Place::Sheet { workbook, sheet } => {
            let (a, b) = (first.1, again.1);
            let message = Text {
                en: format!("{} (rows {a} and {b} of sheet `{sheet}` in `{workbook}`)", message.en),
                zh: format!("{}(`{workbook}` 工作表 `{sheet}` 第 {a} 行与第 {b} 行)", message.zh),
            };
            Diagnostic::general(&codes::DATA_DUPLICATE_KEY, message).with_help(help)
        }
        Place::Nowhere => Diagnostic::general(&codes::DATA_DUPLICATE_KEY, message).with_help(help),
    }
}

/// A unit (and periods) without the row the table's shape demands.
pub(crate) fn missing_row(
    place: &Place,
    source: &str,
    table: &Table,
    unit: &str,
    periods: Option<(Vec<String>, Vec<String>)>,
) -> Diagnostic {
    let name = &table.name;
    let (in_en, in_zh) = match &periods {
        Some((en, zh)) => (format!(" for `{}`", en.join("`, `")), format!(" `{}`", zh.join("`、`"))),
        None => (String::new(), String::new()),
    };
    let from = if source.is_empty() { String::new() } else { format!(" (`{source}`)") };
    let from_zh = if source.is_empty() { String::new() } else { format!("(`{source}`)") };
    let message = text!("`{name}`{from} has no row of `{unit}`{in_en}", "`{name}`{from_zh}缺少 `{unit}`{in_zh} 的数据行");
    let help = text!(
        "add the row, or give every column of `{name}` a `默认` (default) in the scheme to fill missing rows",
        "请补上该行,或在方案中给 `{name}` 的每一列声明 `默认` 值以填补缺行"
    );
    let d = match place {
        Place::Text(file) => in_file(&codes::DATA_MISSING_ROW, file, message),
        _ => Diagnostic::general(&codes::DATA_MISSING_ROW, message),
    };
    d.with_help(help)
}

/// A header without a column the scheme needs.
pub(crate) fn missing_column(place: &Place, table: &str, column: &Column, header: &[&str], loc: Loc) -> Diagnostic {
    let name = &column.name;
    let help = match did_you_mean(name, header.iter().copied()) {
        Some(best) => text!("the header has `{best}`: rename it `{name}`", "表头中有 `{best}`:请改为 `{name}`"),
        None => text!(
            "add a column `{name}` to the header, or declare it `可空` (optional) or with a `默认` (default) in the scheme",
            "请在表头加上 `{name}` 列,或在方案中把它声明为 `可空`,或给出 `默认` 值"
        ),
    };
    diagnostic(
        &codes::DATA_MISSING_COLUMN,
        place,
        loc,
        text!("`{table}` has no column `{name}`", "`{table}` 缺少 `{name}` 列"),
        text!("no `{name}` in this header", "表头中没有 `{name}`"),
    )
    .with_help(help)
}

/// An optional or defaulted column absent from a header that has a column of a similar name.
pub(crate) fn similar_column(place: &Place, table: &str, column: &Column, similar: &str, loc: Loc) -> Diagnostic {
    let name = &column.name;
    let takes = if column.default.is_some() { text!("its default", "默认值") } else { text!("no value", "空值") };
    let (takes_en, takes_zh) = (takes.en, takes.zh);
    warning(diagnostic(
        &codes::DATA_MISSING_COLUMN,
        place,
        loc,
        text!("`{table}` has no column `{name}`, so every row takes {takes_en}", "`{table}` 缺少 `{name}` 列,各行均取{takes_zh}"),
        text!("no `{name}` in this header", "表头中没有 `{name}`"),
    ))
    .with_help(text!(
        "the header has `{similar}`: if it holds this column, rename it `{name}`",
        "表头中有 `{similar}`:若它就是该列,请改为 `{name}`"
    ))
}

/// A header naming a column twice.
pub(crate) fn duplicate_column(place: &Place, table: &str, column: &str, first: Loc, again: Loc) -> Diagnostic {
    let message = text!("the header of `{table}` names column `{column}` twice", "`{table}` 的表头中 `{column}` 列出现了两次");
    let help = text!("keep one of the two columns: kaohe cannot tell which one is meant", "请只保留其中一列:kaohe 无法判断应使用哪一列");
    match (place, first, again) {
        (Place::Text(file), Loc::Span(a), Loc::Span(b)) => in_file(&codes::DATA_DUPLICATE_COLUMN, file, message)
            .with_label(b, text!("again here", "在此重复"))
            .with_note(a, text!("first here", "首次出现在此"))
            .with_help(help),
        _ => diagnostic(&codes::DATA_DUPLICATE_COLUMN, place, again, message, text!("again here", "在此重复")).with_help(help),
    }
}

/// The help for a table without a file: what one row is.
fn shape_words(table: &Table) -> (String, String) {
    match table.shape {
        TableShape::PerUnit => ("one row per unit".to_string(), "每个考核对象一行".to_string()),
        TableShape::PerUnitPeriod { column, .. } => {
            let p = &table.columns[column].name;
            (format!("one row per unit and `{p}`"), format!("每个考核对象每个 `{p}` 一行"))
        }
        TableShape::Rows => ("one row per record".to_string(), "每条记录一行".to_string()),
    }
}

/// A table with no file in the data folder.
pub(crate) fn missing_file(folder: &str, table: &Table, files: &[String]) -> Diagnostic {
    let name = &table.name;
    let stems: Vec<&str> = files.iter().filter_map(|f| f.rsplit_once('.').map(|(stem, _)| stem)).collect();
    let help = match did_you_mean(name, stems.iter().copied())
        .and_then(|s| files.iter().find(|f| f.rsplit_once('.').is_some_and(|(x, _)| x == s)))
    {
        Some(file) => text!(
            "the folder has `{file}`: rename it `{name}.csv` or `{name}.json`",
            "文件夹中有 `{file}`:请改名为 `{name}.csv` 或 `{name}.json`"
        ),
        None => {
            let (en, zh) = shape_words(table);
            text!("add `{name}.csv` or `{name}.json` with {en}", "请添加 `{name}.csv` 或 `{name}.json`,{zh}")
        }
    };
    Diagnostic::general(
        &codes::DATA_MISSING_FILE,
        text!("no file for table `{name}` in `{folder}`", "`{folder}` 中没有数据表 `{name}` 的文件"),
    )
    .with_help(help)
}

/// A table with no sheet in the workbook.
pub(crate) fn missing_sheet(workbook: &str, table: &Table, sheets: &[String]) -> Diagnostic {
    let name = &table.name;
    let help = match did_you_mean(name, sheets.iter().map(String::as_str)) {
        Some(best) => text!("the workbook has a sheet `{best}`: rename it `{name}`", "工作簿中有工作表 `{best}`:请改名为 `{name}`"),
        None => {
            let (en, zh) = shape_words(table);
            text!("add a sheet named `{name}` with {en}", "请添加名为 `{name}` 的工作表,{zh}")
        }
    };
    Diagnostic::general(
        &codes::DATA_MISSING_FILE,
        text!("the workbook `{workbook}` has no sheet `{name}`", "工作簿 `{workbook}` 中没有工作表 `{name}`"),
    )
    .with_help(help)
}

/// A table that may be empty has no file, but a file of a similar name is there.
pub(crate) fn similar_file(folder: &str, table: &Table, similar: &str) -> Diagnostic {
    let name = &table.name;
    warning(Diagnostic::general(
        &codes::DATA_MISSING_FILE,
        text!("no file for table `{name}` in `{folder}`, so it has no rows", "`{folder}` 中没有数据表 `{name}` 的文件,该表按无数据处理"),
    ))
    .with_help(text!(
        "the folder has `{similar}`: if it holds these rows, rename it `{name}.csv` or `{name}.json`",
        "文件夹中有 `{similar}`:若它就是这些数据,请改名为 `{name}.csv` 或 `{name}.json`"
    ))
}

/// A table that may be empty has no sheet, but a sheet of a similar name is there.
pub(crate) fn similar_sheet(workbook: &str, table: &Table, similar: &str) -> Diagnostic {
    let name = &table.name;
    warning(Diagnostic::general(
        &codes::DATA_MISSING_FILE,
        text!(
            "the workbook `{workbook}` has no sheet `{name}`, so the table has no rows",
            "工作簿 `{workbook}` 中没有工作表 `{name}`,该表按无数据处理"
        ),
    ))
    .with_help(text!(
        "the workbook has a sheet `{similar}`: if it holds these rows, rename it `{name}`",
        "工作簿中有工作表 `{similar}`:若它就是这些数据,请改名为 `{name}`"
    ))
}

fn warning(d: Diagnostic) -> Diagnostic {
    Diagnostic { severity: crate::diagnostics::Severity::Warning, ..d }
}

/// A table with both a CSV and a JSON file.
pub(crate) fn both_formats(table: &str, csv: &str, json: &str) -> Diagnostic {
    Diagnostic::general(
        &codes::DATA_BOTH_FORMATS,
        text!("table `{table}` has two files: `{csv}` and `{json}`", "数据表 `{table}` 有两个文件:`{csv}` 和 `{json}`"),
    )
    .with_help(text!("keep one of them: kaohe will not guess which is current", "请只保留一个:kaohe 不会猜测哪一个是最新的"))
}

/// Bytes that do not decode, or an unknown encoding name.
pub(crate) fn encoding(file: &str, error: &DecodeError) -> Diagnostic {
    match error {
        DecodeError::UnknownEncoding(label) => Diagnostic::general(&codes::DATA_ENCODING, text!("unknown encoding `{label}`", "未知的编码 `{label}`"))
            .with_help(text!("use `utf-8`, `gb18030` or `gbk`", "请使用 `utf-8`、`gb18030` 或 `gbk`")),
        DecodeError::Invalid { encoding, line, guessed: true } => Diagnostic::general(
            &codes::DATA_ENCODING,
            text!("`{file}` is neither UTF-8 nor {encoding} text (line {line})", "`{file}` 既不是 UTF-8 也不是 {encoding} 文本(第 {line} 行)"),
        )
        .with_help(text!(
            "save the file as \"CSV UTF-8\" in Excel, or give its encoding with `--encoding`",
            "请在 Excel 中另存为 \"CSV UTF-8\",或用 `--encoding` 指明其编码"
        )),
        DecodeError::Invalid { encoding, line, guessed: false } => Diagnostic::general(
            &codes::DATA_ENCODING,
            text!("`{file}` is not valid {encoding} text (line {line})", "`{file}` 不是有效的 {encoding} 文本(第 {line} 行)"),
        )
        .with_help(text!(
            "give the file's real encoding with `--encoding` (`gb18030` for Excel's CSV on Chinese Windows), or leave it out to let kaohe detect it",
            "请用 `--encoding` 指明文件的实际编码(中文 Windows 上 Excel 导出的 CSV 为 `gb18030`),或不指定以由 kaohe 自动识别"
        )),
    }
}

/// A path that cannot be read.
pub(crate) fn io(path: &str, error: &std::io::Error) -> Diagnostic {
    let reason = error.to_string();
    let d = Diagnostic::general(&codes::DATA_IO, text!("cannot read `{path}`: {reason}", "无法读取 `{path}`:{reason}"));
    match error.kind() {
        std::io::ErrorKind::NotFound => d.with_help(text!(
            "give the data folder (one `NAME.csv` or `NAME.json` per table) or an `.xlsx` workbook",
            "请给出数据文件夹(每张表一个 `表名.csv` 或 `表名.json`)或一个 `.xlsx` 工作簿"
        )),
        _ => d,
    }
}

/// A CSV or JSON file that is not shaped as a table.
pub(crate) fn format(place: &Place, loc: Loc, message: Text, label: Text, help: Text) -> Diagnostic {
    diagnostic(&codes::DATA_FORMAT, place, loc, message, label).with_help(help)
}

/// A workbook or sheet that cannot be read.
pub(crate) fn workbook(path: &str, reason: &str) -> Diagnostic {
    Diagnostic::general(&codes::DATA_WORKBOOK, text!("cannot read the workbook `{path}`: {reason}", "无法读取工作簿 `{path}`:{reason}"))
        .with_help(text!("save it from Excel as an `.xlsx` workbook", "请在 Excel 中另存为 `.xlsx` 工作簿"))
}

#[cfg(test)]
mod tests {
    use super::cell_name;

    #[test]
    fn cell_names_as_excel_shows_them() {
        assert_eq!(cell_name(6, 1), "B7");
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(0, 25), "Z1");
        assert_eq!(cell_name(0, 26), "AA1");
        assert_eq!(cell_name(9, 701), "ZZ10");
        assert_eq!(cell_name(0, 702), "AAA1");
    }
}
