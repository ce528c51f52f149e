//! Same inputs, same bytes, whatever the order of rows in the input files;
//! and the README's main command prints what the README shows.

use std::path::{Path, PathBuf};
use std::process::Command;

fn kaohe(args: &[&str]) -> (String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_kaohe"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .env("NO_COLOR", "1")
        .env("COLUMNS", "200")
        .output();
    match out {
        Ok(o) => (String::from_utf8_lossy(&o.stdout).into_owned(), o.status.code().unwrap_or(-1)),
        Err(e) => (format!("cannot run kaohe: {e}"), -1),
    }
}

/// Splits CSV bytes into records: line ends outside double quotes. Safe for
/// GB18030 too, whose multi-byte characters never contain `"` or `\n`.
fn records(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut current = Vec::new();
    let mut quoted = false;
    for &b in bytes {
        current.push(b);
        if b == b'"' {
            quoted = !quoted;
        } else if b == b'\n' && !quoted {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// A deterministic shuffle (xorshift), different for each file.
fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut x = seed | 1;
    for i in (1..items.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let j = (x % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

/// The records in runs of the same first field (a unit's rows, in most
/// tables), the runs shuffled and each kept in order: the order of a file
/// listed unit by unit, the units in no order (not their keys').
fn shuffle_runs(rows: &mut Vec<Vec<u8>>, seed: u64) {
    let first_field = |r: &Vec<u8>| r.split(|&b| b == b',').next().unwrap_or_default().to_vec();
    let mut runs: Vec<Vec<Vec<u8>>> = Vec::new();
    for r in rows.drain(..) {
        match runs.last_mut() {
            Some(run) if run.last().map(first_field) == Some(first_field(&r)) => run.push(r),
            _ => runs.push(vec![r]),
        }
    }
    shuffle(&mut runs, seed);
    rows.extend(runs.into_iter().flatten());
}

/// Copies the example folder `from` to `to`, the records of each CSV file
/// put in another order by `reorder` (given a seed of its own).
#[expect(clippy::expect_used, reason = "a test that cannot copy its fixtures must fail")]
fn shuffled_copy(from: &Path, to: &Path, reorder: fn(&mut Vec<Vec<u8>>, u64)) {
    std::fs::create_dir_all(to).expect("temp folder");
    let mut entries: Vec<PathBuf> = std::fs::read_dir(from).expect("example folder").filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for (n, path) in entries.iter().enumerate() {
        let bytes = std::fs::read(path).expect("example file");
        let name = path.file_name().expect("file name");
        if path.extension().is_some_and(|e| e == "csv") {
            let mut rows = records(&bytes);
            let header = rows.remove(0);
            // Every record must end with a line break, so any order is a valid file.
            for r in rows.iter_mut() {
                if !r.ends_with(b"\n") {
                    r.extend_from_slice(b"\r\n");
                }
            }
            reorder(&mut rows, 0x9E37_79B9 + n as u64);
            let mut out = header;
            for r in rows {
                out.extend(r);
            }
            std::fs::write(to.join(name), out).expect("write shuffled");
        } else {
            std::fs::write(to.join(name), bytes).expect("copy");
        }
    }
}

#[test]
fn shuffled_rows_give_identical_results() {
    same_results_when_reordered("shuffle", &["taizhou_district", "taizhou_department", "qingdao_individual"], |rows, seed| {
        shuffle(rows, seed)
    });
}

/// A file listing each unit's rows together but the units in no order is
/// read as it lies (see `data::TableData::group_at`); the results are the same.
#[test]
fn units_listed_in_another_order_with_their_rows_together_give_identical_results() {
    same_results_when_reordered("runs", &["national_individual", "qingdao_individual", "taizhou_district"], shuffle_runs);
}

/// Evaluates each scheme on its example data and on a copy whose records
/// `reorder` put in another order, and checks that the outputs are the same.
fn same_results_when_reordered(name: &str, schemes: &[&str], reorder: fn(&mut Vec<Vec<u8>>, u64)) {
    let temp = std::env::temp_dir().join(format!("kaohe-{name}-{}", std::process::id()));
    for scheme in schemes {
        let original = format!("examples/{scheme}");
        let copy = temp.join(scheme);
        shuffled_copy(&Path::new(env!("CARGO_MANIFEST_DIR")).join(&original), &copy, reorder);
        let rules = format!("rules/{scheme}.kh");
        for format in ["table", "csv"] {
            let (a, code_a) = kaohe(&["eval", &rules, "--data", &original, "--format", format]);
            let (b, code_b) = kaohe(&["eval", &rules, "--data", copy.to_str().unwrap_or_default(), "--format", format]);
            assert_eq!(code_a, 0, "{scheme} {format}:\n{a}");
            assert_eq!(code_a, code_b);
            assert!(a.lines().count() > 5, "{scheme} {format} printed too little:\n{a}");
            assert_eq!(a, b, "{scheme} {format}: shuffling the rows changed the output");
        }
    }
    let _ = std::fs::remove_dir_all(&temp);
}

#[test]
fn readme_main_command_prints_what_the_readme_shows() {
    let readme = include_str!("../README.md");
    let shown = readme.split("```text\n").nth(1).and_then(|rest| rest.split("```").next()).unwrap_or_default();
    let (printed, code) = kaohe(&["eval", "rules/taizhou_district.kh", "--data", "examples/taizhou_district"]);
    assert_eq!(code, 0);
    assert_eq!(printed, shown, "update the README's example output");
}
