//! Loading is independent of row order, and the loaded columns are what the
//! evaluator expects.

use std::path::{Path, PathBuf};

use super::*;
use crate::check::check_source;
use crate::model::Scheme;
use crate::source::SourceFile;

const SCHEME: &str = r#"方案 "顺序无关" {
    年度 2013
}
数据表 市区 键 名称 {
    名称: 文本
    类型: 枚举("区", "县级市")
}
考核对象 市区 { 标识 名称  分组 类型 }
数据表 季度进度 键 名称, 季度 {
    名称: 文本
    季度: 季度
    完成率: 百分比
}
数据表 督查记录 {
    名称: 文本
    日期: 日期
    类别: 枚举("通报批评", "约谈")
    分值: 数值 默认 2
}
数据表 加分 {
    名称: 文本
    项目: 文本
    件数: 整数
    分值: 数值 可空
}
指标 工作目标 100% {
    按季度 各 25%
    得分 = min(完成率 / 100%, 1) * 100 - count(督查记录 where 类别 = "通报批评")
}
等次 {
    优秀 >= 90
    诫勉
}
"#;

fn scheme() -> Scheme {
    checked("test.kh", SCHEME)
}

/// The checked scheme of `source`, which must have no errors.
fn checked(name: &str, source: &str) -> Scheme {
    let checked = check_source(SourceFile::new(name, source));
    checked.scheme.unwrap_or_else(|| panic!("{:?}", checked.diagnostics.iter().map(|d| &d.message.en).collect::<Vec<_>>()))
}

/// A fresh folder under the system's temporary folder.
fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kaohe-data-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes a CSV whose data rows are permuted by `perm`.
fn write_csv(dir: &Path, name: &str, header: &str, rows: &[&str], perm: &[usize]) {
    let mut text = format!("{header}\n");
    for &i in perm {
        text.push_str(rows[i]);
        text.push('\n');
    }
    std::fs::write(dir.join(name), text).unwrap();
}

const UNITS: [&str; 4] = ["靖江市,县级市", "海陵区,区", "高港区,区", "兴化市,县级市"];
const CHECKS: [&str; 6] = [
    "海陵区,2013-05-01,通报批评,1",
    "海陵区,2013-05-01,通报批评,1.0",
    "高港区,2013/6/3,约谈,",
    "海陵区,2013-04-01,约谈,3",
    "兴化市,2013-07-01,通报批评,2.5",
    "海陵区,2013-05-01,通报批评,1",
];

fn progress_rows() -> Vec<String> {
    let mut rows = Vec::new();
    for (u, unit) in ["海陵区", "高港区", "靖江市", "兴化市"].iter().enumerate() {
        for q in 1..=4 {
            rows.push(format!("{unit},Q{q},{}%", 70 + 7 * u + q));
        }
    }
    rows
}

/// A permutation of `0..n` from a seed (a linear congruential shuffle; no dependency needed).
fn permutation(n: usize, seed: u64) -> Vec<usize> {
    let mut perm: Vec<usize> = (0..n).collect();
    let mut state = crate::testing::lcg(seed);
    for i in (1..n).rev() {
        state = crate::testing::lcg(state);
        let j = usize::try_from((state >> 33) % (i as u64 + 1)).unwrap();
        perm.swap(i, j);
    }
    perm
}

fn load_shuffled(scheme: &Scheme, seed: u64) -> Dataset {
    let dir = folder(&format!("shuffle-{seed}"));
    let progress = progress_rows();
    let progress: Vec<&str> = progress.iter().map(String::as_str).collect();
    write_csv(&dir, "市区.csv", "名称,类型", &UNITS, &permutation(UNITS.len(), seed));
    write_csv(&dir, "季度进度.csv", "名称,季度,完成率", &progress, &permutation(progress.len(), seed + 1));
    write_csv(&dir, "督查记录.csv", "名称,日期,类别,分值", &CHECKS, &permutation(CHECKS.len(), seed + 2));
    let (mut data, diags) = load(scheme, &dir, &LoadOptions::default());
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!diags.has_errors(), "{:?}", diags.iter().map(|d| &d.message.en).collect::<Vec<_>>());
    // Only the lines follow the files.
    for t in &mut data.tables {
        t.lines.clear();
        t.source.clear();
    }
    data
}

#[test]
fn shuffling_rows_gives_an_identical_dataset() {
    let scheme = scheme();
    let first = load_shuffled(&scheme, 0);
    assert_eq!(first.unit_keys().iter().collect::<Vec<_>>(), ["兴化市", "海陵区", "靖江市", "高港区"]);
    for seed in [1, 7, 42, 1234] {
        let other = load_shuffled(&scheme, seed);
        assert_eq!(first, other, "seed {seed}");
        // Symbols too, not only the texts they stand for.
        for (a, b) in first.tables.iter().zip(&other.tables) {
            assert_eq!(format!("{:?}", a.columns), format!("{:?}", b.columns));
        }
    }
}

#[test]
fn rows_are_grouped_by_unit_and_ordered_by_key_then_values() {
    let scheme = scheme();
    let data = load_shuffled(&scheme, 3);
    let progress = &data.tables[1];
    assert_eq!(progress.unit_starts, [0, 4, 8, 12, 16]);
    let Column::Period(quarters) = &progress.columns[1] else { panic!("quarters") };
    assert_eq!(quarters[..4], [Some(0), Some(1), Some(2), Some(3)]);
    let checks = &data.tables[2];
    let hailing = checks.rows_of(1);
    assert_eq!(hailing.len(), 4);
    let Column::Date(dates) = &checks.columns[1] else { panic!("dates") };
    assert_eq!(dates[hailing.start].map(|d| d.to_string()), Some("2013-04-01".to_string()));
    // By date first (the columns in declaration order); `1` and `1.0` are
    // equal values, and the digits written decide their order.
    let Column::Number(points) = &checks.columns[3] else { panic!("points") };
    let written: Vec<String> = hailing.map(|r| points.get(r).map(|d| d.to_string()).unwrap_or_default()).collect();
    assert_eq!(written, ["3", "1", "1", "1.0"]);
    // An empty cell with a default takes it.
    let gaogang = checks.rows_of(3);
    assert_eq!(points.get(gaogang.start).map(|d| d.to_string()), Some("2".to_string()));
}

/// A file listing each unit's rows together and in order, but the units
/// in another order than their keys', is kept as read, not copied into
/// order; its rows come out sorted by unit as from a file in order.
#[test]
fn rows_listed_unit_by_unit_out_of_key_order_are_kept_as_read() {
    let scheme = scheme();
    let dir = folder("unit-by-unit");
    // Each unit's four quarters together, the units in the order 海陵区, 高港区, 靖江市, 兴化市.
    let progress = progress_rows();
    let progress: Vec<&str> = progress.iter().map(String::as_str).collect();
    write_csv(&dir, "市区.csv", "名称,类型", &UNITS, &[0, 1, 2, 3]);
    write_csv(&dir, "季度进度.csv", "名称,季度,完成率", &progress, &(0..progress.len()).collect::<Vec<_>>());
    write_csv(&dir, "督查记录.csv", "名称,日期,类别,分值", &CHECKS, &[0, 1, 2, 3, 4, 5]);
    let (mut data, diags) = load(&scheme, &dir, &LoadOptions::default());
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!diags.has_errors(), "{:?}", diags.iter().map(|d| &d.message.en).collect::<Vec<_>>());
    for t in &mut data.tables {
        t.source.clear();
    }
    let as_read = &data.tables[1];
    assert!(!as_read.sorted_by_unit());
    // 兴化市, the first unit in key order, is listed last.
    assert_eq!([0, 1, 2, 3].map(|u| as_read.rows_of(u)), [12..16, 0..4, 8..12, 4..8]);
    let units = as_read.row_units();
    assert!((0..4).all(|u| as_read.rows_of(u).all(|r| units[r] == u)));
    // Sorted by unit, the rows are those of a file in order, and so is any run of units.
    let in_order = &load_shuffled(&scheme, 3).tables[1];
    assert_eq!(as_read.of_units(0..4), *in_order);
    assert_eq!(as_read.of_units(1..3), in_order.of_units(1..3));
    let sorted = data.tables_sorted_by_unit();
    assert!(sorted.iter().all(|t| t.sorted_by_unit()));
    assert_eq!(*sorted[1], *in_order);
}

/// The rows of units taken from a table kept as read come in runs, with
/// their lines.
#[test]
fn units_rows_taken_from_where_they_lie() {
    // Unit 0's rows lie last, unit 1's first, then unit 2's.
    let column = Column::Period(vec![Some(3), Some(0), Some(1), Some(2), None]);
    let table = TableData {
        columns: vec![column],
        lines: vec![10, 11, 12, 13, 14],
        unit_starts: vec![0, 2, 3, 5],
        group_at: vec![3, 0, 1],
        ..TableData::default()
    };
    assert_eq!(table.row_units(), [1, 2, 2, 0, 0]);
    assert_eq!([0, 1, 2].map(|u| table.rows_of(u)), [3..5, 0..1, 1..3]);
    let sorted = table.of_units(0..3);
    assert!(sorted.sorted_by_unit());
    assert_eq!(sorted.columns, [Column::Period(vec![Some(2), None, Some(3), Some(0), Some(1)])]);
    assert_eq!(sorted.lines, [13, 14, 10, 11, 12]);
    assert_eq!(sorted.unit_starts, [0, 2, 3, 5]);
    let last_two = table.of_units(1..3);
    assert_eq!((last_two.lines, last_two.unit_starts), (vec![10, 11, 12], vec![0, 1, 3]));
}

#[test]
fn json_rows_load_like_csv_rows() {
    let scheme = scheme();
    let dir = folder("json");
    let units: Vec<String> =
        UNITS.iter().map(|r| r.split_once(',').unwrap()).map(|(n, t)| format!("{{\"名称\": \"{n}\", \"类型\": \"{t}\"}}")).collect();
    std::fs::write(dir.join("市区.json"), format!("[{}]", units.join(",\n"))).unwrap();
    let progress: Vec<String> = progress_rows()
        .iter()
        .map(|r| {
            let parts: Vec<&str> = r.split(',').collect();
            format!("{{\"名称\": \"{}\", \"季度\": \"{}\", \"完成率\": \"{}\"}}", parts[0], parts[1], parts[2])
        })
        .rev()
        .collect();
    std::fs::write(dir.join("季度进度.json"), format!("[{}]", progress.join(",\n"))).unwrap();
    write_csv(&dir, "督查记录.csv", "名称,日期,类别,分值", &CHECKS, &(0..CHECKS.len()).collect::<Vec<_>>());
    let (mut data, diags) = load(&scheme, &dir, &LoadOptions::default());
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!diags.has_errors());
    for t in &mut data.tables {
        t.lines.clear();
        t.source.clear();
    }
    assert_eq!(data, load_shuffled(&scheme, 5));
}

#[test]
fn a_missing_folder_is_reported() {
    let scheme = scheme();
    let (data, diags) = load(&scheme, Path::new("/nonexistent/kaohe/data"), &LoadOptions::default());
    let codes: Vec<&str> = diags.iter().map(|d| d.code.id).collect();
    assert_eq!(codes, ["kaohe::data::io"]);
    assert!(data.unit_keys().is_empty());
    assert_eq!(data.tables.len(), scheme.tables.len());
    assert!(data.tables.iter().all(|t| t.unit_starts == [0]));
}

/// Every finding, in the order reported, without the files' texts.
fn findings(diags: &Diagnostics) -> Vec<String> {
    diags.iter().map(|d| format!("{:?}", (d.code.id, &d.message, &d.labels, &d.help, d.file.as_ref().map(|f| &f.name)))).collect()
}

/// Files made to exercise merging pieces: quoted cells with line breaks and
/// doubled quotes, CRLF, blank rows, bad cells, unknown units, duplicate
/// keys, missing rows, all spread over the file.
fn write_mixed(dir: &Path, units: usize) {
    let name = |u: usize| format!("单位{u:04}");
    let mut list = String::from("名称,类型\r\n");
    for u in 0..units {
        let kind = if u % 3 == 0 { "区" } else { "县级市" };
        match u % 41 {
            5 => list.push_str(&format!("\"{}\",\"{kind}\"\r\n", name(u))),
            6 => list.push_str(&format!("{},乡\r\n", name(u))),
            7 => list.push_str(&format!("{},{kind}\r\n{},{kind}\r\n", name(u), name(u))),
            _ => list.push_str(&format!("{},{kind}\r\n", name(u))),
        }
    }
    std::fs::write(dir.join("市区.csv"), list).unwrap();
    let mut progress = String::from("名称,季度,完成率\n");
    for u in 0..units {
        for q in 1..=4 {
            match (u * 4 + q) % 53 {
                0 => continue,
                1 => progress.push_str(&format!("{},Q{q},九十%\n", name(u))),
                2 => progress.push_str(&format!("{}X,Q{q},90%\n\n\n", name(u))),
                3 => progress.push_str(&format!("{},Q{q},90%\n{},Q{q},91%\n", name(u), name(u))),
                4 => progress.push_str(&format!("\"{}\",\"Q{q}\",\"９５．５％\"\n", name(u))),
                n => progress.push_str(&format!("{},Q{q},{}.{}%\n", name(u), 60 + n % 40, n % 7)),
            }
        }
    }
    std::fs::write(dir.join("季度进度.csv"), progress).unwrap();
    let mut checks = String::from("名称,日期,类别,分值\n");
    for i in 0..units * 2 {
        let u = (i * 7) % units;
        match i % 29 {
            0 => checks.push_str(&format!("\"{}\",2013-05-01,\"通报\n批评\",1\n", name(u))),
            1 => checks.push_str(&format!("{},2013-02-30,约谈,\"1,5\"\n", name(u))),
            2 => checks.push_str(&format!("\"{}\"\"\",2013-05-01,约谈,2\n", name(u))),
            _ => checks.push_str(&format!("{},2013/{}/{},{},{}\n", name(u), 1 + i % 12, 1 + i % 28, ["通报批评", "约谈"][i % 2], i % 5)),
        }
    }
    std::fs::write(dir.join("督查记录.csv"), checks).unwrap();
    let mut bonus = String::from("名称,项目,件数,分值\n");
    for i in 0..units * 2 {
        let u = (i * 3) % units;
        match i % 23 {
            0 => bonus.push_str(&format!("{},\"示范\",1,2\n", name(u))),
            1 => bonus.push_str(&format!("{},示范,1.5,2\n", name(u))),
            2 => bonus.push_str(&format!("{},示范,1\n", name(u))),
            3 => bonus.push_str(&format!("{}X,示范,1,2\n", name(u))),
            _ => bonus.push_str(&format!("{},项目{},{},{}.{}\n", name(u), i % 4, i % 9, i % 5, i % 100)),
        }
    }
    std::fs::write(dir.join("加分.csv"), bonus).unwrap();
}

/// Each row's unit, made from where each unit's rows start, as the rows of
/// a few units cut out of the table see it.
#[test]
fn rows_know_their_units_from_where_each_unit_starts() {
    let table = TableData { unit_starts: vec![0, 2, 2, 5, 6], ..TableData::default() };
    assert_eq!((table.len(), table.row_units()), (6, vec![0, 0, 2, 2, 2, 3]));
    let some = table.of_units(1..3);
    assert_eq!((some.len(), some.row_units()), (3, vec![1, 1, 1]));
    assert_eq!(TableData::default().row_units(), Vec::<UnitId>::new());
    assert!(TableData::default().is_empty() && table.of_units(1..2).is_empty());
}

/// A table keeps its rows' lines only where a deduction or bonus cites them.
#[test]
fn lines_are_kept_for_rows_a_deduction_cites() {
    let source = SCHEME.replace("等次 {", "扣分 约谈 {\n    每条 督查记录 其中 类别 = \"约谈\" 扣 分值\n}\n等次 {");
    let scheme = checked("test.kh", &source);
    let dir = folder("cited");
    write_mixed(&dir, 50);
    let (data, _) = load(&scheme, &dir, &LoadOptions::default());
    let cited: Vec<bool> = scheme.tables.iter().map(|t| t.rows_cited).collect();
    assert_eq!(cited, [false, false, true, false]);
    for (table, rows) in scheme.tables.iter().zip(&data.tables) {
        assert!(!rows.is_empty(), "{}", table.name);
        assert_eq!(rows.lines.len(), if table.rows_cited { rows.len() } else { 0 }, "{}", table.name);
    }
    assert!(data.tables[2].lines.iter().all(|&line| line > 1));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn files_read_in_pieces_load_as_read_whole() {
    let scheme = scheme();
    let dir = folder("pieces");
    write_mixed(&dir, 300);
    let (whole, whole_diags) = load_in_pieces(&scheme, &dir, &LoadOptions::default(), Some(usize::MAX), &mut |_, _| {});
    assert!(whole_diags.has_errors());
    assert!(whole.tables.iter().all(|t| !t.is_empty()));
    let expected = findings(&whole_diags);
    let bytes: usize = std::fs::read_dir(&dir).unwrap().map(|f| f.unwrap().metadata().unwrap().len() as usize).sum();
    for piece_bytes in [1, 64, 333, 4096] {
        let mut told = Vec::new();
        let (pieces, diags) =
            load_in_pieces(&scheme, &dir, &LoadOptions::default(), Some(piece_bytes), &mut |done, all| told.push((done, all)));
        // Progress only grows, never past the files' bytes, and ends at all of them.
        assert!(told.windows(2).all(|w| w[0].0 <= w[1].0 && w[1].0 <= w[1].1), "{told:?}");
        assert_eq!(told.last(), Some(&(bytes, bytes)));
        assert_eq!(pieces, whole, "pieces of {piece_bytes} bytes");
        for (a, b) in pieces.tables.iter().zip(&whole.tables) {
            assert_eq!(format!("{:?}", a.columns), format!("{:?}", b.columns));
        }
        assert_eq!(findings(&diags), expected, "pieces of {piece_bytes} bytes");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Files read in pieces from disk (see `survey`) load as read whole: with a
/// byte-order mark, with a body that is not UTF-8 under a UTF-8 header
/// (read whole again), with a quoted cell holding a line break at a cut
/// (read whole again).
#[test]
fn surveyed_files_load_as_read_whole() {
    let scheme = scheme();
    let dir = folder("surveyed");
    write_mixed(&dir, 200);
    let with_mark = [&[0xEF, 0xBB, 0xBF][..], &std::fs::read(dir.join("市区.csv")).unwrap()].concat();
    std::fs::write(dir.join("市区.csv"), with_mark).unwrap();
    let bonus = std::fs::read_to_string(dir.join("加分.csv")).unwrap();
    let (header, body) = bonus.split_at(bonus.find('\n').unwrap() + 1);
    let (gb, _, _) = encoding_rs::GB18030.encode(body);
    std::fs::write(dir.join("加分.csv"), [header.as_bytes(), &gb].concat()).unwrap();
    let (whole, whole_diags) = load_in_pieces(&scheme, &dir, &LoadOptions::default(), Some(usize::MAX), &mut |_, _| {});
    // 加分 read whole is GB18030, header and all: its header is not the scheme's.
    assert_eq!(whole.tables.iter().map(|t| t.is_empty()).collect::<Vec<_>>(), [false, false, false, true]);
    assert!(findings(&whole_diags).iter().any(|f| f.contains("加分.csv")));
    for piece_bytes in [1, 64, 4096] {
        let (pieces, diags) = load_in_pieces(&scheme, &dir, &LoadOptions::default(), Some(piece_bytes), &mut |_, _| {});
        assert_eq!(pieces, whole, "pieces of {piece_bytes} bytes");
        // The same findings; 加分.csv's encoding is found later in pieces (messages are sorted when shown).
        let sorted = |diags: &Diagnostics| {
            let mut all = findings(diags);
            all.sort();
            all
        };
        assert_eq!(sorted(&diags), sorted(&whole_diags), "pieces of {piece_bytes} bytes");
    }
    // What the survey finds: the header after the mark, and cuts after line breaks that cover the body.
    let survey = super::survey::survey(&dir.join("市区.csv")).unwrap();
    let text = String::from_utf8(std::fs::read(dir.join("市区.csv")).unwrap()[3..].to_vec()).unwrap();
    assert_eq!((survey.header.as_str(), survey.len), ("名称,类型\r\n", text.len()));
    let body = csvfile::Body { start: "名称,类型\r".len(), line: 1, delimiter: b',' };
    let pieces = survey.pieces(body, 7).unwrap();
    assert!(pieces.len() > 1 && pieces[0].start == body.start && pieces.last().unwrap().end == text.len());
    assert!(pieces.windows(2).all(|w| w[0].end == w[1].start && text.as_bytes()[w[1].start - 1] == b'\n'), "{pieces:?}");
    let mut bytes = b"left from before".to_vec();
    survey.read(pieces[1].clone(), &mut bytes).unwrap();
    assert_eq!(String::from_utf8(bytes).unwrap(), text[pieces[1].clone()]);
    // Read whole: UTF-16, no line break in the first bytes.
    std::fs::write(dir.join("utf16.csv"), [0xFF, 0xFE, b'a', 0, b'\n', 0]).unwrap();
    std::fs::write(dir.join("one-line.csv"), "名称".repeat(40_000)).unwrap();
    assert!(super::survey::survey(&dir.join("utf16.csv")).is_none() && super::survey::survey(&dir.join("one-line.csv")).is_none());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Indexes symbol `sym` of `strings` under the hash of `text` too.
fn collide(strings: &mut Interner, text: &str, sym: Sym) {
    let Interner { bytes, ends, index } = strings;
    index.insert_unique(text_hash(text), sym, |&s| text_hash(super::text_of(bytes, ends, s)));
}

#[test]
fn the_interner_keeps_texts_apart_even_when_hashes_collide() {
    let mut strings = Interner::default();
    // Room enough that the index never grows: growing would hash each symbol's own text again.
    strings.reserve(16, 0);
    assert_eq!((strings.intern("海陵区"), strings.intern(""), strings.intern("海陵区")), (0, 1, 0));
    // Make `靖江市` collide with `海陵区`: its hash already names symbol 0.
    collide(&mut strings, "靖江市", 0);
    assert_eq!(strings.get("靖江市"), None);
    assert_eq!(strings.intern("靖江市"), 2);
    assert_eq!(strings.intern("靖江市"), 2);
    assert_eq!(strings.get("靖江市"), Some(2));
    assert_eq!(strings.get("海陵区"), Some(0));
    assert_eq!([strings.resolve(0), strings.resolve(1), strings.resolve(2), strings.resolve(3)], ["海陵区", "", "靖江市", ""]);
    assert_eq!(strings.len(), 3);
}

#[test]
fn distinct_texts_interned_at_once_are_interned_as_one_by_one() {
    // More than one core's share: hashed in parts and sorted on every core.
    let texts: Vec<String> = (0..150_000).map(|i| format!("{}{i}", ["海陵区", "", "x"][i % 3])).collect();
    let mut one_by_one = Interner::default();
    texts.iter().for_each(|t| {
        one_by_one.intern(t);
    });
    let mut at_once = Interner::default();
    at_once.extend_distinct(texts.iter().map(String::as_str));
    assert!(at_once == one_by_one, "the same texts and symbols");
    let found = |strings: &Interner| texts.iter().enumerate().all(|(s, text)| strings.get(text) == Some(s as Sym));
    assert!(found(&at_once) && found(&one_by_one));
    assert_eq!(at_once.get("海陵区149997"), Some(149_997));
    // A text whose hash an earlier text has is indexed all the same, as `intern` does.
    let mut strings = Interner::default();
    strings.reserve(16, 0);
    strings.intern("海陵区");
    collide(&mut strings, "靖江市", 0);
    strings.extend_distinct(["靖江市", "泰兴市"].into_iter());
    assert_eq!([strings.get("海陵区"), strings.get("靖江市"), strings.get("泰兴市")], [Some(0), Some(1), Some(2)]);
    assert_eq!(strings.resolve(1), "靖江市");
}

#[test]
fn room_for_texts_appended_later_is_made_like_the_texts_so_far() {
    // Two rows' texts, 2 texts and 15 bytes: 6 rows more are like 6 texts and 45 bytes more.
    let mut strings = Interner::default();
    strings.push_unindexed("110000001");
    strings.push_unindexed("张伟");
    strings.reserve_unindexed_like(2, 6);
    assert!(strings.ends.capacity() >= 8, "{}", strings.ends.capacity());
    assert!(strings.bytes.capacity() >= 60, "{}", strings.bytes.capacity());
    assert_eq!(strings.resolve(1), "张伟");
    // No rows yet: nothing to go by, and no room made.
    let mut none = Interner::default();
    none.reserve_unindexed_like(0, 1_000_000);
    assert_eq!((none.ends.capacity(), none.bytes.capacity()), (0, 0));
}

/// What the checker marks read, and what loading keeps of a text column
/// nothing reads: its cells are checked (an empty one without a default is
/// still an error), but neither they nor its default are kept.
#[test]
fn text_columns_nothing_reads_are_checked_not_kept() {
    let source = r#"方案 "未读列" {
    年度 2013
}
数据表 市区 键 名称 {
    名称: 文本
    简称: 文本
    类型: 枚举("区", "县级市")
    书记: 文本 默认 "(空缺)"
    区号: 文本 默认 "0523"
}
考核对象 市区 { 标识 名称  分组 类型 }
数据表 记录 {
    名称: 文本
    事由: 文本
    编号: 文本
}
指标 工作 100% {
    得分 = 如果 区号 = "0523" 则 100 - count(记录 where 事由 = "迟报") 否则 0
}
等次 {
    优秀 >= 90
    诫勉
}
"#;
    let scheme = checked("unread.kh", source);
    let read = |t: usize| scheme.tables[t].columns.iter().map(|c| (c.name.as_str(), c.read)).collect::<Vec<_>>();
    // The key and the group by their place, 区号 and 事由 by a formula, 记录's unit column by its place.
    assert_eq!(read(0), [("名称", true), ("简称", false), ("类型", true), ("书记", false), ("区号", true)]);
    assert_eq!(read(1), [("名称", true), ("事由", true), ("编号", false)]);
    let dir = folder("unread");
    std::fs::write(dir.join("市区.csv"), "名称,简称,类型,书记,区号\n海陵区,海陵,区,,\n靖江市,\"靖,江\",县级市,张三,0523\n").unwrap();
    std::fs::write(dir.join("记录.csv"), "名称,事由,编号\n海陵区,迟报,泰督〔2013〕1号\n靖江市,迟报, 泰督2号 \n").unwrap();
    let (data, diags) = load(&scheme, &dir, &LoadOptions::default());
    assert!(!diags.has_errors(), "{:?}", diags.iter().map(|d| &d.message.en).collect::<Vec<_>>());
    let texts = |t: usize, c: usize| match &data.tables[t].columns[c] {
        Column::Text(cells) => cells.iter().map(|s| s.map(|s| data.strings.resolve(s).to_string())).collect::<Vec<_>>(),
        other => panic!("{other:?}"),
    };
    // Units sorted: 海陵区, 靖江市.
    assert_eq!(texts(0, 1), [None, None]);
    assert_eq!(texts(0, 3), [None, None], "a default of a column nothing reads is not kept either");
    assert_eq!(texts(0, 4), [Some("0523".to_string()), Some("0523".to_string())]);
    assert_eq!(texts(1, 1), [Some("迟报".to_string()), Some("迟报".to_string())]);
    assert_eq!(texts(1, 2), [None, None]);
    assert!(data.strings.get("海陵").is_none() && data.strings.get("泰督〔2013〕1号").is_none());
    // Still checked: an empty cell where the column has no default is an error.
    std::fs::write(dir.join("记录.csv"), "名称,事由,编号\n海陵区,迟报,\n").unwrap();
    let (_, diags) = load(&scheme, &dir, &LoadOptions::default());
    let _ = std::fs::remove_dir_all(&dir);
    assert!(diags.iter().any(|d| d.message.en.contains("编号")), "{:?}", diags.iter().map(|d| &d.message.en).collect::<Vec<_>>());
}

/// Cells that never look plain: every cell goes through the general parser.
struct General<'a>(Vec<table::Cell<'a>>);

impl table::Cells for General<'_> {
    fn all_empty(&self) -> bool {
        self.0.as_slice().all_empty()
    }

    fn plain(&self, _: usize) -> Option<&str> {
        None
    }

    fn cell(&self, i: usize) -> Option<table::Cell<'_>> {
        self.0.as_slice().cell(i)
    }
}

/// Rows as text, with texts shown by their characters: the loading
/// interner's symbols depend on which texts a reading interned.
fn shown_rows(rows: &table::Rows, strings: &Interner) -> String {
    let columns: Vec<String> = rows
        .columns
        .iter()
        .map(|column| match column {
            Column::Text(cells) => format!("{:?}", cells.iter().map(|s| s.map(|s| strings.resolve(s))).collect::<Vec<_>>()),
            other => format!("{other:?}"),
        })
        .collect();
    format!("{columns:?} units {:?} lines {:?} unit column {}", rows.units, rows.lines, rows.unit_col)
}

/// How [`read_both`] reads a record.
#[derive(Clone, Copy, PartialEq)]
enum Reading {
    /// As `load` does: a record in its usual form in one pass, any other cell by cell.
    Records,
    /// Cell by cell, usual cells quickly.
    Cells,
    /// Every cell through the general parser.
    General,
}

/// Reads the CSV `text` as table `tid` in each [`Reading`]. Returns the
/// rows, the findings and the units (for the units table) of each.
fn read_both(scheme: &Scheme, tid: TableId, text: &str, units: Option<&Arc<table::UnitIndex>>) -> Vec<(String, Vec<String>, Vec<String>)> {
    let file = DataFile::new("t.csv".to_string(), text.to_string());
    [Reading::Records, Reading::Cells, Reading::General]
        .into_iter()
        .map(|reading| {
            let mut ctx = Ctx { scheme, diags: Diagnostics::new(), strings: Interner::default(), units: units.cloned() };
            let mut loader = TableLoader::new(&mut ctx, tid, Place::Text(file.clone()), file.name.clone());
            let text = file.text();
            let text = text.as_str();
            if let Some(body) = csvfile::read_header(&mut ctx, &mut loader, &file, text) {
                let all = body.start..text.len();
                let mut scanner = csvfile::Scanner::new(text, body.delimiter, all.clone(), body.line);
                let mut fields = csvfile::Fields::new(text, body.delimiter);
                match reading {
                    Reading::Records => {
                        let piece = csvfile::Piece { text, base: 0, range: all, line: body.line };
                        csvfile::read_rows(&mut ctx, &mut loader, piece, body.delimiter, 0);
                    }
                    Reading::Cells | Reading::General => {
                        while let Some(record) = scanner.record(&mut fields) {
                            let loc = table::Loc::Span(record.span);
                            if reading == Reading::Cells {
                                loader.row(&mut ctx, record.line, loc, &fields);
                            } else {
                                loader.row(&mut ctx, record.line, loc, &General(fields.cells().collect()));
                            }
                        }
                    }
                }
            }
            let mut keys = Vec::new();
            if tid == scheme.units.table {
                let index = loader.take_units();
                keys = index.keys().map(str::to_string).collect();
                ctx.units = Some(Arc::new(index));
            }
            let rows = loader.finish(&mut ctx);
            (shown_rows(&rows, &ctx.strings), findings(&ctx.diags), keys)
        })
        .collect()
}

/// An index of the units of these keys, in this order.
fn unit_index<'k>(keys: impl IntoIterator<Item = &'k str>) -> Arc<table::UnitIndex> {
    let mut index = table::UnitIndex { keys: Interner::default() };
    keys.into_iter().for_each(|k| {
        index.keys.intern(k);
    });
    Arc::new(index)
}

/// An empty cell of a number column is typed the same however the record
/// is read: the column's default (a whole number, a decimal), nothing in an
/// optional column, a finding in a required one.
#[test]
fn empty_number_cells_hold_their_defaults_however_read() {
    let text = r#"方案 "空格" {
    年度 2013
}
数据表 市区 键 名称 {
    名称: 文本
}
考核对象 市区 { 标识 名称 }
数据表 补充 {
    名称: 文本
    次数: 整数 默认 0
    分值: 数值 默认 1.5
    备注值: 数值 可空
    必填: 数值
}
指标 工作目标 100% {
    得分 = sum(补充.分值) + sum(补充.次数) + sum(补充.备注值) + sum(补充.必填)
}
等次 {
    优秀 >= 90
    其他
}
"#;
    let scheme = checked("empty.kh", text);
    let index = unit_index(["海陵区", "高港区"]);
    let rows = "名称,次数,分值,备注值,必填\n海陵区,,,,1\n海陵区,2,,3.25,1\n高港区,,0.5,,2\n高港区,1,2,3,\n";
    let both = read_both(&scheme, 1, rows, Some(&index));
    assert_eq!(both[0], both[1]);
    assert_eq!(both[1], both[2]);
    // The defaults and the empty optional cells (the last record, whose
    // required cell is empty, is left out).
    let column = |values: &[Option<&str>]| {
        let mut cells = crate::decimals::NumberCells::default();
        values.iter().for_each(|v| cells.push(v.map(|v| v.parse::<rust_decimal::Decimal>().unwrap())));
        format!("{:?}", Column::Number(cells))
    };
    let expected =
        [column(&[Some("0"), Some("2"), Some("0")]), column(&[Some("1.5"), Some("1.5"), Some("0.5")]), column(&[None, Some("3.25"), None])];
    for column in expected {
        assert!(both[0].0.contains(&column), "{column} not in {}", both[0].0);
    }
    assert_eq!(both[0].1.len(), 1, "the empty required cell: {:?}", both[0].1);
}

/// The quick readings of usual records and cells (plain numbers, plain
/// text, empty cells, texts of few values met before) type every cell as
/// the general parser does: same values, same findings, bad cells reported
/// every time.
#[test]
fn usual_cells_read_as_the_general_parser_reads_them() {
    let mut scheme = scheme();
    // Every table keeps its lines: they show the order its rows are kept in.
    scheme.tables.iter_mut().for_each(|table| table.rows_cited = true);
    let units = "名称,类型\n海陵区,区\n 高港区 ,区\n靖江市,县级市\n兴化市,县级\n兴化市,县级\n,区\n海陵区,区\n泰兴市,\"县级市\"\n";
    let both = read_both(&scheme, 0, units, None);
    assert_eq!(both[0], both[1]);
    assert_eq!(both[1], both[2]);
    assert!(both[0].1.len() >= 3, "{:?}", both[0].1);
    // The unit column is not kept while loading: a duplicate key is named through the units.
    assert!(both[0].1.iter().any(|f| f.contains("have the same `名称`: `海陵区`")), "{:?}", both[0].1);
    let index = unit_index(both[0].2.iter().map(String::as_str));
    let progress = "名称,季度,完成率\n海陵区,Q1,95%\n海陵区,Q2,95\n海陵区,Q5,90%\n海陵区,Q5,90%\n高港区, Q1,９５%\n高港区,Q2,\n高港区,Q2,1%\n靖江市,2012Q1,1%\n靖江市,2012Q1,1%\n靖江市,Q3,-0%\n靖江市,\"Q4\",100%\n海陵,Q1,1%\n";
    let both = read_both(&scheme, 1, progress, Some(&index));
    assert_eq!(both[0], both[1]);
    assert_eq!(both[1], both[2]);
    assert!(both[0].1.len() >= 7, "{:?}", both[0].1);
    let checks = "名称,日期,类别,分值\n海陵区,2013-05-01,约谈,1\n海陵区,2013-05-01,约谈,\n海陵区,2013-05-02,约谈, 1.50\n高港区,2013-05-01,通报,-0\n高港区,2013-05-01,通报,1.2.3\n高港区,2013-05-03,约谈,1,5\n靖江市,2013-05-04,通报批评,007\n靖江市,2013-05-05,通报批评,-0.00\n靖江市,2013-05-06,约谈,12345678901234567890\n靖江市,2013-05-07,约谈,\"3\"\n,,,\n";
    let both = read_both(&scheme, 2, checks, Some(&index));
    assert_eq!(both[0], both[1]);
    assert_eq!(both[1], both[2]);
    assert!(both[0].1.len() >= 3, "{:?}", both[0].1);
    // Records read in one pass, and each way one is not: quoted, short,
    // long, spaced, empty, CRLF, unknown unit, a quote inside a field.
    let bonus = "名称,件数,项目,分值,备注\n\
        海陵区,2,文明城市,1.5,\n\
        海陵区,3,文明城市,,\n\
        海陵区,-0,\"文明城市\",2,\n\
        高港区,1,书香\"城市\",0.25,\"备,注\"\r\n\
        高港区,1,书香城市\r\n\
        高港区,1,书香城市,1,x,y,z\n\
        靖江市,1.0,示范,1\n\
        靖江市, 1,示范,1\n\
        靖江市,1,示范 ,1\n\
        靖江市,1,,1\n\
        \"靖江市\",1,示范,1\n\
        \x20靖江市,1,示范,1\n\
        海陵,1,示范,1\n\
        ,,,,\n\
        兴化市,12345678901234567890,示范,1\n\
        兴化市,4,示范,-0.00\n\
        兴化市,x,示范,1\n\
        兴化市,4,示范,1.2.3\n\
        兴化市,4,示范,1";
    let both = read_both(&scheme, 3, bonus, Some(&index));
    assert_eq!(both[0], both[1]);
    assert_eq!(both[1], both[2]);
    assert_eq!(both[0].1.len(), 4, "{:?}", both[0].1);
    // The rows kept, by unit (兴化市, 海陵区, 靖江市, 高港区), then by their
    // cells. Nothing reads 项目, so its texts are not kept: 高港区's rows,
    // alike in 件数, are in the order of 分值 (line 6 has none).
    assert!(both[0].0.contains("lines [17, 20, 16, 4, 2, 3, 8, 9, 10, 12, 13, 6, 5, 7]"), "{}", both[0].0);
    // The unit column holds nothing until the table is built; 项目 a None a row.
    assert!(both[0].0.starts_with(r#"["[]", "[None, None"#), "{}", both[0].0);
}

#[test]
fn row_places_come_back_as_they_went_in() {
    use crate::source::Span;
    use table::{Loc, RowLocs};
    let span = |start: usize, end: usize| Some(Loc::Span(Span { start, end }));
    // `None`: a CSV record, kept as nothing while no place was kept before it.
    let first = vec![
        None,
        None,
        span(0, 57),
        Some(Loc::None),
        // Beyond what a word holds: a start at 256 GB, a record of 16 MB.
        span(1 << 38, (1 << 38) + 3),
        span(5, 5 + (1 << 24)),
        None,
        Some(Loc::Row(7)),
        Some(Loc::Cell { row: 3, col: 4 }),
        span((1 << 38) - 1, (1 << 38) - 1 + (1 << 24) - 1),
    ];
    let second = vec![None, None, Some(Loc::Row(9)), span(100, 180), Some(Loc::None)];
    let locs_of = |places: &[Option<Loc>]| {
        let mut locs = RowLocs::default();
        for &place in places {
            match place {
                Some(loc) => locs.push(loc),
                None => locs.push_record(),
            }
        }
        locs
    };
    let read_back = |locs: &RowLocs, rows: usize| (0..rows).map(|r| locs.get(r)).collect::<Vec<_>>();
    // The places kept aside are numbered on after the first rows' when appended.
    let mut locs = locs_of(&first);
    locs.append(locs_of(&second));
    let all: Vec<Option<Loc>> = first.iter().chain(&second).copied().collect();
    assert_eq!(read_back(&locs, all.len()), all);
    assert_eq!(locs.get(all.len()), Some(Loc::None));
    // Records only, then records appended: still nothing kept.
    let mut records = locs_of(&[None, None]);
    records.append(locs_of(&second));
    let all: Vec<Option<Loc>> = [None, None].iter().chain(&second).copied().collect();
    assert_eq!(read_back(&records, all.len()), all);
}

#[test]
fn a_file_let_go_is_read_again_for_its_messages() {
    use table::{DataFile, Loc, Place};
    let dir = folder("let-go");
    // GB18030 bytes, as Excel on Chinese Windows writes them: read again, decoded again.
    let text = "名称,类型\n海陵区,区\n海陵区,区\n";
    let (bytes, _, _) = encoding_rs::GB18030.encode(text);
    let path = dir.join("市区.csv");
    std::fs::write(&path, &bytes).unwrap();
    let read = |name: &str| DataFile::read_from(name.to_string(), text.to_string().into(), (path.clone(), None));
    let file = read("市区.csv");
    file.let_go();
    assert!(file.text().as_str().is_empty(), "the text is let go");
    let source = file.source().expect("the same file");
    assert_eq!((&*source.text, source.line_col(text.rfind("海陵区").unwrap())), (text, (3, 1)));
    // A duplicate key in a file let go is labelled in it as before.
    let row = |at: usize| Loc::Span(crate::source::Span::new(at, at + "海陵区,区".len()));
    let (first, again) = (text.find("海陵区").unwrap(), text.rfind("海陵区").unwrap());
    let duplicate =
        |file| errors::duplicate_key(&Place::Text(file), "市区", &["名称"], &["海陵区".to_string()], (row(first), 2), (row(again), 3));
    let d = duplicate(file.clone());
    assert_eq!((d.location(), d.labels.len()), (Some("市区.csv:3:1".to_string()), 2));
    // A file changed on disk since: no labels into the wrong text, and the message says why.
    let changed = read("市区.csv");
    changed.let_go();
    std::fs::write(&path, "名称,类型\n海陵区,区\n").unwrap();
    assert!(changed.source().is_none());
    let d = duplicate(changed);
    assert!(
        d.file.is_none() && d.labels.is_empty() && d.message.en.contains("`市区.csv`, which has changed since kaohe read it"),
        "{:?}",
        d.message
    );
    // A file not read from disk keeps its text.
    let kept = DataFile::new("t.csv".to_string(), text.to_string());
    kept.let_go();
    assert_eq!(kept.text().as_str(), text);
}

/// Text cells keep an empty cell apart from every text, and a piece
/// appended has its texts' symbols moved up, never its empty cells.
#[test]
fn text_cells_keep_empty_cells_apart_from_texts() {
    let mut cells: TextCells = [Some(0), None, Some(3)].into_iter().collect();
    assert_eq!((cells.get(0), cells.get(1), cells.get(2), cells.get(3)), (Some(0), None, Some(3), None));
    cells.append([None, Some(1)].into_iter().collect(), 10);
    assert_eq!(cells.iter().collect::<Vec<_>>(), [Some(0), None, Some(3), None, Some(11)]);
    // The first piece is taken as it is, its symbols moved all the same.
    let mut first = TextCells::default();
    first.append([Some(2), None].into_iter().collect(), 5);
    assert_eq!(first.iter().collect::<Vec<_>>(), [Some(7), None]);
    cells.truncate(2);
    assert_eq!(cells.iter().collect::<Vec<_>>(), [Some(0), None]);
}

/// A unit's rows follow a text column of few texts (compared by rank, see
/// `TableLoader::sorted`), then the next column, whatever the file's order.
#[test]
fn a_units_rows_follow_a_text_column_of_few_texts_then_the_next() {
    let source = r#"方案 "细则顺序" {
    年度 2013
}
数据表 单位 键 名称 {
    名称: 文本
}
考核对象 单位 { 标识 名称 }
数据表 评分 {
    名称: 文本
    细则: 文本
    分值: 数值
}
指标 廉政 100% {
    得分 = count(评分 where 细则 = "党风廉政建设")
}
等次 {
    合格
}
"#;
    let scheme = checked("order.kh", source);
    // Two texts in 24 rows (ranked), written with the later text first.
    let mut rows = Vec::new();
    for unit in ["乙", "甲"] {
        for k in (0..6).rev() {
            rows.push(format!("{unit},效能建设,{k}"));
            rows.push(format!("{unit},党风廉政建设,{}", 10 - k));
        }
    }
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let dir = folder("ranked-order");
    write_csv(&dir, "单位.csv", "名称", &["甲", "乙"], &[0, 1]);
    write_csv(&dir, "评分.csv", "名称,细则,分值", &rows, &permutation(rows.len(), 5));
    let (data, diags) = load(&scheme, &dir, &LoadOptions::default());
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!diags.has_errors(), "{:?}", diags.iter().map(|d| &d.message.en).collect::<Vec<_>>());
    let table = &data.tables[1];
    let (Column::Text(rules), Column::Number(points)) = (&table.columns[1], &table.columns[2]) else { panic!("columns") };
    let shown: Vec<String> = (0..rows.len())
        .map(|r| {
            format!("{} {}", rules.get(r).map_or("", |s| data.strings.resolve(s)), points.get(r).map(|d| d.to_string()).unwrap_or_default())
        })
        .collect();
    // "党" (U+515A) comes before "效" (U+6548); then by points.
    let unit: Vec<String> = ["5", "6", "7", "8", "9", "10"]
        .iter()
        .map(|p| format!("党风廉政建设 {p}"))
        .chain(["0", "1", "2", "3", "4", "5"].iter().map(|p| format!("效能建设 {p}")))
        .collect();
    assert_eq!(shown, [unit.clone(), unit].concat());
}
