//! The floor: `rules/national_individual.kh` written by hand, CSV in, CSV out.
//!
//! What an interpreter cannot beat: every rule of the scheme is compiled into
//! this program, every figure is a scaled integer (i32/i64/i128, never a
//! float), the files are read in large blocks and split into fields by hand,
//! and both cores parse. The output has the same bytes as
//! `kaohe eval rules/national_individual.kh --format csv`; the comparison
//! script (`bench/compare/run.py`) checks that on every row.
//!
//! Exactness. The scheme rounds every leaf score that comes from a division
//! to 2 places (`round(x / y, 2)`), so every figure after it is a finite
//! decimal that fixed point holds exactly:
//! per-quarter leaf scores at scale 10⁴, a leaf's mean of 4 quarters
//! (× 25%) at 10⁶, parents (× 40%, 30% …) at 10⁸, the total (× 50% …) at
//! 10¹⁰. The divisions themselves are rounded half-up from the exact
//! rational (i128). kaohe's `Decimal` first rounds the quotient to 28
//! significant digits and then to 2 places; the two agree because a double
//! rounding can only differ when the quotient is within 10⁻²⁶ of a midpoint
//! without being on it, which needs a denominator above 10²⁶, and the
//! denominators here are counts and amounts of at most 4 decimals below
//! 10¹⁴ (inputs with more decimals are refused).
//!
//! Data order. A fast path assumes each table lists people in the order of
//! the units table (as exported, and as `kaohe generate` writes); a row that
//! does not fit is looked up in a hash index built on first need, so any
//! order gives the same result, only slower.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Instant;

/// Bytes read from a file at a time (whole lines are processed, the rest carried over).
const BLOCK: usize = 32 << 20;
/// Units formatted per output block, on one thread (the blocks on all).
const OUT_BLOCK: usize = 8192;

type Res<T> = Result<T, String>;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: kaohe-floor DATA_DIR OUT.csv   (the national_individual data folder; the results as kaohe's CSV)");
        std::process::exit(2);
    }
    if let Err(e) = run(Path::new(&args[1]), Path::new(&args[2])) {
        eprintln!("kaohe-floor: {e}");
        std::process::exit(1);
    }
}

/// Prints phase times to stderr when `FLOOR_TIMES` is set.
struct Clock(Instant, bool);

impl Clock {
    fn lap(&mut self, what: &str) {
        if self.1 {
            eprintln!("{what:>10}: {:.3} s", self.0.elapsed().as_secs_f64());
        }
        self.0 = Instant::now();
    }
}

fn run(dir: &Path, out: &Path) -> Res<()> {
    let mut clock = Clock(Instant::now(), std::env::var_os("FLOOR_TIMES").is_some());
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 2);
    let mut units = Units::load(&dir.join("公务员.csv"), threads)?;
    clock.lap("units");
    let n = units.len();
    let mut quarters = Quarters::new(n);
    load_quarters(&dir.join("季报.csv"), &mut units, &mut quarters, threads)?;
    if let Some(u) = quarters.mask.iter().position(|&m| m != 0b1111) {
        return Err(format!("unit `{}` has not exactly one row for each of Q1..Q4 in 季报.csv", units.id_str(u)));
    }
    clock.lap("quarters");
    let mut adjust = Adjustments::new(n);
    load_cases(&dir.join("监督信息.csv"), &mut units, &mut adjust)?;
    load_awards(&dir.join("工作成果.csv"), &mut units, &mut adjust)?;
    clock.lap("events");
    let scores = Scores::compute(&units, quarters, &adjust);
    clock.lap("scores");
    let order = rank_order(&units, &scores, threads);
    clock.lap("sort");
    let (rank, group_rank, grade) = rank_and_grade(&units, &scores, &adjust, &order);
    clock.lap("grades");
    write_results(out, &units, &scores, &adjust, &order, &rank, &group_rank, &grade, threads)?;
    clock.lap("output");
    Ok(())
}

// ---------------------------------------------------------------------------
// Reading: blocks of whole lines, fields split by hand
// ---------------------------------------------------------------------------

/// Calls `each` with blocks of whole lines of `path` (header removed, BOM
/// skipped); returns the header's column names.
fn read_blocks(path: &Path, mut each: impl FnMut(&[u8], &[String]) -> Res<()>) -> Res<Vec<String>> {
    let mut file = File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let mut buf = vec![0u8; BLOCK];
    let mut filled = 0;
    let mut header: Option<Vec<String>> = None;
    loop {
        let read = file.read(&mut buf[filled..]).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        filled += read;
        let eof = read == 0;
        if !eof && filled < buf.len() {
            continue;
        }
        let end = if eof {
            filled
        } else {
            match buf[..filled].iter().rposition(|&b| b == b'\n') {
                Some(i) => i + 1,
                None => {
                    // A line longer than the buffer: grow it.
                    buf.resize(buf.len() * 2, 0);
                    continue;
                }
            }
        };
        let mut data = &buf[..end];
        if header.is_none() {
            let data_start = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
            let line_end = data_start.iter().position(|&b| b == b'\n').unwrap_or(data_start.len());
            let line =
                std::str::from_utf8(trim_cr(&data_start[..line_end])).map_err(|_| format!("{}: header is not UTF-8", path.display()))?;
            header = Some(line.split(',').map(|s| s.trim().trim_matches('"').to_string()).collect());
            data = data_start.get(line_end + 1..).unwrap_or(&[]);
        }
        if !data.is_empty() {
            each(data, header.as_deref().unwrap_or(&[]))?;
        }
        buf.copy_within(end..filled, 0);
        filled -= end;
        if eof {
            break;
        }
    }
    header.ok_or_else(|| format!("{} is empty", path.display()))
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Splits `data` (whole lines) into `parts` pieces at line ends.
fn split_lines(data: &[u8], parts: usize) -> Vec<&[u8]> {
    let mut out = Vec::with_capacity(parts);
    let mut rest = data;
    for k in (1..parts).rev() {
        let target = rest.len() / (k + 1);
        let cut = match rest[target..].iter().position(|&b| b == b'\n') {
            Some(i) => target + i + 1,
            None => rest.len(),
        };
        out.push(&rest[..cut]);
        rest = &rest[cut..];
    }
    out.push(rest);
    out
}

/// Positions of the named columns in a header.
fn columns<const N: usize>(header: &[String], names: [&str; N], file: &str) -> Res<[usize; N]> {
    let mut out = [0; N];
    for (slot, name) in out.iter_mut().zip(names) {
        *slot = header.iter().position(|h| h == name).ok_or_else(|| format!("{file}: no column `{name}`"))?;
    }
    Ok(out)
}

/// The fields of one line (up to 32), quotes removed (`""` inside a quoted
/// field is left doubled: only names and document numbers could hold one).
fn fields<'a>(line: &'a [u8], out: &mut [&'a [u8]; 32]) -> usize {
    let line = trim_cr(line);
    let mut n = 0;
    let mut i = 0;
    loop {
        if n == out.len() {
            return n;
        }
        if line.get(i) == Some(&b'"') {
            let start = i + 1;
            let mut j = start;
            while j < line.len() {
                if line[j] == b'"' {
                    if line.get(j + 1) == Some(&b'"') {
                        j += 2;
                        continue;
                    }
                    break;
                }
                j += 1;
            }
            out[n] = &line[start..j.min(line.len())];
            n += 1;
            i = j + 1;
            if i >= line.len() {
                return n;
            }
            i += 1; // the comma
        } else {
            let end = line[i..].iter().position(|&b| b == b',').map_or(line.len(), |p| i + p);
            out[n] = &line[i..end];
            n += 1;
            if end >= line.len() {
                return n;
            }
            i = end + 1;
        }
    }
}

/// A decimal cell as an integer at scale 10^`places` (`"92.5"`, 4 → 925000);
/// `None` when empty. More decimals than `places` (other than zeros) are refused.
#[inline]
fn fixed(cell: &[u8], places: u32) -> Res<Option<i64>> {
    // Fast path: plain digits with at most one point, at most 18 digits.
    if cell.is_empty() {
        return Ok(None);
    }
    if cell.len() <= 18 {
        let mut value: i64 = 0;
        let mut point: Option<usize> = None;
        let mut plain = true;
        for (i, &b) in cell.iter().enumerate() {
            let d = b.wrapping_sub(b'0');
            if d < 10 {
                value = value * 10 + i64::from(d);
            } else if b == b'.' && point.is_none() {
                point = Some(i);
            } else {
                plain = false;
                break;
            }
        }
        if plain {
            let decimals = point.map_or(0, |p| (cell.len() - p - 1) as u32);
            if decimals <= places {
                return Ok(Some(value * 10i64.pow(places - decimals)));
            }
        }
    }
    fixed_slow(cell, places)
}

/// [`fixed`] for cells with a sign, spaces, or more decimals than needed.
fn fixed_slow(cell: &[u8], places: u32) -> Res<Option<i64>> {
    let cell = trim_spaces(cell);
    if cell.is_empty() {
        return Ok(None);
    }
    let (negative, digits) = match cell.first() {
        Some(b'-') => (true, &cell[1..]),
        Some(b'+') => (false, &cell[1..]),
        _ => (false, cell),
    };
    let mut value: i64 = 0;
    let mut frac_digits: Option<u32> = None;
    for &b in digits {
        match b {
            b'0'..=b'9' => {
                let d = i64::from(b - b'0');
                match frac_digits {
                    Some(f) if f >= places => {
                        if d != 0 {
                            return Err(format!("`{}` has more than {places} decimals", String::from_utf8_lossy(cell)));
                        }
                    }
                    Some(f) => {
                        value = value.checked_mul(10).and_then(|v| v.checked_add(d)).ok_or("number too large")?;
                        frac_digits = Some(f + 1);
                    }
                    None => value = value.checked_mul(10).and_then(|v| v.checked_add(d)).ok_or("number too large")?,
                }
            }
            b'.' if frac_digits.is_none() => frac_digits = Some(0),
            _ => return Err(format!("`{}` is not a plain decimal number", String::from_utf8_lossy(cell))),
        }
    }
    let shown = frac_digits.unwrap_or(0).min(places);
    let value = value.checked_mul(10i64.pow(places - shown)).ok_or("number too large")?;
    Ok(Some(if negative { -value } else { value }))
}

fn trim_spaces(cell: &[u8]) -> &[u8] {
    let start = cell.iter().position(|&b| b != b' ').unwrap_or(cell.len());
    let end = cell.iter().rposition(|&b| b != b' ').map_or(start, |e| e + 1);
    &cell[start..end]
}

fn required(cell: &[u8], places: u32, what: &str) -> Res<i64> {
    fixed(cell, places)?.ok_or_else(|| format!("empty `{what}`"))
}

/// `p / q` rounded half away from zero to an integer (q > 0).
fn div_round(p: i128, q: i128) -> i128 {
    if p >= 0 { (2 * p + q) / (2 * q) } else { -((-2 * p + q) / (2 * q)) }
}

// ---------------------------------------------------------------------------
// The units table
// ---------------------------------------------------------------------------

/// FxHash (rustc's hasher): fast for short keys, no DoS resistance needed.
#[derive(Default)]
struct Fx(u64);

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

/// The people: key, department, year-end panel means.
struct Units {
    /// Keys one after the other; `ends[u]` is where unit u's key ends.
    keys: Vec<u8>,
    ends: Vec<u32>,
    /// Department (group) of each unit, as an index into `departments`.
    department: Vec<u32>,
    departments: Vec<Vec<u8>>,
    /// 年度德, 年度能, 年度勤, 年度廉 at scale 10⁴.
    annual: Vec<[i32; 4]>,
    /// Key → unit (a hash table of unit numbers), built on the first row that is not in units order.
    index: Option<Vec<u32>>,
    /// Rows not found by scanning ahead (the fast path gives up after a few).
    misses: u32,
}

/// What one thread reads of a block of the units table.
struct UnitRow<'a> {
    key: &'a [u8],
    department: &'a [u8],
    annual: [i32; 4],
}

impl Units {
    fn load(path: &Path, threads: usize) -> Res<Units> {
        let mut units = Units {
            keys: Vec::new(),
            ends: Vec::new(),
            department: Vec::new(),
            departments: Vec::new(),
            annual: Vec::new(),
            index: None,
            misses: 0,
        };
        let mut interned: FxMap<Vec<u8>, u32> = FxMap::default();
        let mut last_department: Option<(Vec<u8>, u32)> = None;
        read_blocks(path, |data, header| {
            let cols = columns(header, ["工号", "部门", "年度德", "年度能", "年度勤", "年度廉"], "公务员.csv")?;
            let parts = split_lines(data, threads);
            let parsed: Vec<Res<Vec<UnitRow>>> = std::thread::scope(|s| {
                let handles: Vec<_> = parts.iter().map(|part| s.spawn(move || parse_units(part, &cols))).collect();
                handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err("thread failed".into()))).collect()
            });
            for rows in parsed {
                for row in rows? {
                    units.keys.extend_from_slice(row.key);
                    units.ends.push(u32::try_from(units.keys.len()).map_err(|_| "keys too long")?);
                    let d = match &last_department {
                        Some((name, d)) if name.as_slice() == row.department => *d,
                        _ => {
                            let next = u32::try_from(units.departments.len()).map_err(|_| "too many departments")?;
                            let d = *interned.entry(row.department.to_vec()).or_insert(next);
                            if d == next {
                                units.departments.push(row.department.to_vec());
                            }
                            last_department = Some((row.department.to_vec(), d));
                            d
                        }
                    };
                    units.department.push(d);
                    units.annual.push(row.annual);
                }
            }
            Ok(())
        })?;
        Ok(units)
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn key(&self, u: usize) -> &[u8] {
        let start = if u == 0 { 0 } else { self.ends[u - 1] as usize };
        &self.keys[start..self.ends[u] as usize]
    }

    fn id_str(&self, u: usize) -> String {
        String::from_utf8_lossy(self.key(u)).into_owned()
    }

    /// The unit with key `key`: at `*cursor` or a little after it when the
    /// table follows the units' order (sparse tables skip units), else from
    /// the index.
    fn find(&mut self, key: &[u8], cursor: &mut usize) -> Res<usize> {
        // Scan ahead while the table has mostly followed the units' order; after 16 misses, use the index only.
        if self.misses < 16 {
            let end = (*cursor + 4096).min(self.len());
            for c in *cursor..end {
                if self.key(c) == key {
                    *cursor = c;
                    return Ok(c);
                }
            }
            self.misses += 1;
        }
        if self.index.is_none() {
            self.index = Some(self.build_index()?);
        }
        let found = self.lookup(key).ok_or_else(|| format!("unknown unit `{}`", String::from_utf8_lossy(key)))?;
        *cursor = found;
        Ok(found)
    }

    /// Open addressing over unit numbers (+1, 0 = empty), twice as many slots as units.
    fn build_index(&self) -> Res<Vec<u32>> {
        let slots = (2 * self.len()).next_power_of_two().max(16);
        let mut table = vec![0u32; slots];
        for u in 0..self.len() {
            let mut i = hash(self.key(u)) as usize & (slots - 1);
            while table[i] != 0 {
                if self.key(table[i] as usize - 1) == self.key(u) {
                    return Err(format!("unit `{}` appears twice in 公务员.csv", self.id_str(u)));
                }
                i = (i + 1) & (slots - 1);
            }
            table[i] = u as u32 + 1;
        }
        Ok(table)
    }

    fn lookup(&self, key: &[u8]) -> Option<usize> {
        let table = self.index.as_ref()?;
        let mask = table.len() - 1;
        let mut i = hash(key) as usize & mask;
        while table[i] != 0 {
            let u = table[i] as usize - 1;
            if self.key(u) == key {
                return Some(u);
            }
            i = (i + 1) & mask;
        }
        None
    }
}

/// FxHash (rustc's hash) of a key, finished with a multiply so that the low bits mix.
fn hash(bytes: &[u8]) -> u64 {
    let mut h = 0u64;
    for chunk in bytes.chunks(8) {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    (h ^ (h >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 16
}

fn parse_units<'a>(part: &'a [u8], cols: &[usize; 6]) -> Res<Vec<UnitRow<'a>>> {
    let mut rows = Vec::with_capacity(part.len() / 70);
    let mut f: [&[u8]; 32] = [&[]; 32];
    for line in part.split(|&b| b == b'\n') {
        if trim_cr(line).is_empty() {
            continue;
        }
        let count = fields(line, &mut f);
        let get = |i: usize| if i < count { f[i] } else { &[][..] };
        let mut annual = [0i32; 4];
        for (k, a) in annual.iter_mut().enumerate() {
            *a = i32::try_from(required(get(cols[2 + k]), 4, "年度")?).map_err(|_| "annual score out of range")?;
        }
        rows.push(UnitRow { key: get(cols[0]), department: get(cols[1]), annual });
    }
    Ok(rows)
}

// ---------------------------------------------------------------------------
// 季报: the eight per-quarter leaves
// ---------------------------------------------------------------------------

/// Per unit, the sum over the 4 quarters of each per-quarter leaf score ×
/// 25% (the quarter weight), at scale 10⁶: 质量, 时限, 满意度, 成本, 月总结,
/// 领导评价, 同事评价, 服务对象评价.
struct Quarters {
    sums: Vec<[i32; 8]>,
    /// Bit q set when the row of quarter q+1 was seen.
    mask: Vec<u8>,
}

impl Quarters {
    fn new(n: usize) -> Self {
        Quarters { sums: vec![[0; 8]; n], mask: vec![0; n] }
    }
}

/// Consecutive rows of one unit, as one thread saw them.
struct Run<'a> {
    key: &'a [u8],
    mask: u8,
    sums: [i32; 8],
}

const QUARTER_COLUMNS: [&str; 19] = [
    "工号",
    "季度",
    "质量达标率",
    "逾期天数",
    "满意率",
    "预算",
    "实际支出",
    "月评合计",
    "月报逾期",
    "领导人数",
    "领导合计",
    "同事人数",
    "同事合计",
    "同事最高",
    "同事最低",
    "对象人数",
    "对象合计",
    "对象最高",
    "对象最低",
];

fn load_quarters(path: &Path, units: &mut Units, quarters: &mut Quarters, threads: usize) -> Res<()> {
    let mut cursor = 0usize;
    read_blocks(path, |data, header| {
        let cols = columns(header, QUARTER_COLUMNS, "季报.csv")?;
        let parts = split_lines(data, threads);
        let parsed: Vec<Res<Vec<Run>>> = std::thread::scope(|s| {
            let handles: Vec<_> = parts.iter().map(|part| s.spawn(move || parse_quarters(part, &cols))).collect();
            handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err("thread failed".into()))).collect()
        });
        for runs in parsed {
            for run in runs? {
                let u = units.find(run.key, &mut cursor)?;
                if quarters.mask[u] & run.mask != 0 {
                    return Err(format!("unit `{}` has a quarter twice in 季报.csv", units.id_str(u)));
                }
                quarters.mask[u] |= run.mask;
                for (total, add) in quarters.sums[u].iter_mut().zip(run.sums) {
                    *total += add;
                }
            }
        }
        Ok(())
    })?;
    Ok(())
}

fn parse_quarters<'a>(part: &'a [u8], cols: &[usize; 19]) -> Res<Vec<Run<'a>>> {
    let mut runs: Vec<Run> = Vec::with_capacity(part.len() / 300);
    let mut f: [&[u8]; 32] = [&[]; 32];
    for line in part.split(|&b| b == b'\n') {
        if trim_cr(line).is_empty() {
            continue;
        }
        let count = fields(line, &mut f);
        let mut c: [&[u8]; 19] = [&[]; 19];
        for (slot, &i) in c.iter_mut().zip(cols) {
            *slot = if i < count { f[i] } else { &[] };
        }
        let quarter = match trim_spaces(c[1]) {
            b"Q1" => 0,
            b"Q2" => 1,
            b"Q3" => 2,
            b"Q4" => 3,
            other => return Err(format!("季报.csv: quarter `{}` (the floor reads Q1..Q4 only)", String::from_utf8_lossy(other))),
        };
        let scores = quarter_scores(&c).map_err(|e| format!("季报.csv, unit `{}`: {e}", String::from_utf8_lossy(c[0])))?;
        let bit = 1u8 << quarter;
        match runs.last_mut() {
            Some(run) if run.key == c[0] => {
                if run.mask & bit != 0 {
                    return Err(format!("unit `{}` has quarter Q{} twice", String::from_utf8_lossy(c[0]), quarter + 1));
                }
                run.mask |= bit;
                for (t, s) in run.sums.iter_mut().zip(scores) {
                    *t += s;
                }
            }
            _ => runs.push(Run { key: c[0], mask: bit, sums: scores }),
        }
    }
    Ok(runs)
}

/// The eight per-quarter leaf scores of one row, × 25%, at scale 10⁶.
fn quarter_scores(c: &[&[u8]; 19]) -> Res<[i32; 8]> {
    const S: i64 = 10_000; // scale of the per-quarter scores
    let quality_rate = required(c[2], 4, "质量达标率")?;
    let late_days = fixed(c[3], 0)?.unwrap_or(0);
    let satisfaction = fixed(c[4], 4)?;
    let budget = fixed(c[5], 4)?;
    let spent = fixed(c[6], 4)?;
    let month_sum = required(c[7], 4, "月评合计")?;
    let month_late = fixed(c[8], 0)?.unwrap_or(0);
    let leaders = required(c[9], 0, "领导人数")?;
    let leader_sum = required(c[10], 4, "领导合计")?;
    let peers = required(c[11], 0, "同事人数")?;
    let peer_sum = required(c[12], 4, "同事合计")?;
    let peer_high = required(c[13], 4, "同事最高")?;
    let peer_low = required(c[14], 4, "同事最低")?;
    let served = fixed(c[15], 0)?.unwrap_or(0);

    // 质量 = min(质量达标率, 100)
    let quality = quality_rate.min(100 * S);
    // 时限 = max(100 - 逾期天数 × 5, 0)
    let deadline = (100 - late_days * 5).max(0) * S;
    // 满意度 = 满意率, or 质量 without one
    let satisfaction = satisfaction.unwrap_or(quality);
    // 成本: within budget 100; under 150% round(100 - (实际支出 - 预算) × 200 / 预算, 2); else 0; no budget: 质量
    let cost = match (budget, spent) {
        (Some(b), Some(a)) if b > 0 => {
            if a <= b {
                100 * S
            } else if 2 * a < 3 * b {
                let hundredths = div_round(100 * (100 * i128::from(b) - 200 * (i128::from(a) - i128::from(b))), i128::from(b));
                hundredths as i64 * (S / 100)
            } else {
                0
            }
        }
        _ => quality,
    };
    // 月总结 = max(round((月评合计 - 月报逾期 × 10) / 3, 2), 0)
    let monthly = (div_round(100 * i128::from(month_sum - month_late * 10 * S), 3 * i128::from(S)) as i64 * (S / 100)).max(0);
    let mean = |sum: i64, count: i64, what: &str| -> Res<i64> {
        if count == 0 {
            return Err(format!("division by zero ({what})"));
        }
        Ok(div_round(100 * i128::from(sum), i128::from(count) * i128::from(S)) as i64 * (S / 100))
    };
    // 领导评价 = round(领导合计 / 领导人数, 2)
    let leader_score = mean(leader_sum, leaders, "领导人数")?;
    // 同事评价: trimmed from 5 raters on
    let peer_score =
        if peers >= 5 { mean(peer_sum - peer_high - peer_low, peers - 2, "同事人数")? } else { mean(peer_sum, peers, "同事人数")? };
    // 服务对象评价: trimmed from 5, plain mean from 1, else the leaders' mean
    let served_score = if served >= 5 {
        let sum = required(c[16], 4, "对象合计")?;
        mean(sum - required(c[17], 4, "对象最高")? - required(c[18], 4, "对象最低")?, served - 2, "对象人数")?
    } else if served > 0 {
        mean(required(c[16], 4, "对象合计")?, served, "对象人数")?
    } else {
        leader_score
    };
    let mut out = [0i32; 8];
    for (slot, v) in out.iter_mut().zip([quality, deadline, satisfaction, cost, monthly, leader_score, peer_score, served_score]) {
        // × 25%: scale 10⁴ → 10⁶ is × 100, and × 0.25 is × 25.
        *slot = i32::try_from(v * 25).map_err(|_| "score out of range")?;
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Deductions, bonus, vetoes
// ---------------------------------------------------------------------------

/// Per unit: deductions by clause (hundredths), the bonus (points), vetoes.
struct Adjustments {
    /// 纪检监察, 干部监督, 信访, 审计, 行政复议, 行政诉讼 (hundredths of a point), before caps.
    clauses: Vec<[i32; 6]>,
    /// Highest award (points).
    bonus: Vec<u8>,
    /// Bit 0: 受处分; bit 1: 立案侦查.
    veto: Vec<u8>,
}

const CLAUSE_CAPS: [i32; 6] = [1000, 600, 1000, 600, 900, 900];

impl Adjustments {
    fn new(n: usize) -> Self {
        Adjustments { clauses: vec![[0; 6]; n], bonus: vec![0; n], veto: vec![0; n] }
    }

    /// The deductions from the total: each clause capped, all capped at 20 (hundredths).
    fn deduction(&self, u: usize) -> i64 {
        let sum: i32 = self.clauses[u].iter().zip(CLAUSE_CAPS).map(|(a, cap)| (*a).min(cap)).sum();
        i64::from(sum.min(2000))
    }
}

fn load_cases(path: &Path, units: &mut Units, adjust: &mut Adjustments) -> Res<()> {
    let mut cursor = 0usize;
    read_blocks(path, |data, header| {
        let cols = columns(header, ["工号", "日期", "来源", "情形", "责任", "整改完成日期"], "监督信息.csv")?;
        let mut f: [&[u8]; 32] = [&[]; 32];
        for line in data.split(|&b| b == b'\n') {
            if trim_cr(line).is_empty() {
                continue;
            }
            let count = fields(line, &mut f);
            let get = |i: usize| if i < count { trim_spaces(f[i]) } else { &[][..] };
            let u = units.find(get(cols[0]), &mut cursor)?;
            let source = std::str::from_utf8(get(cols[2])).map_err(|_| "监督信息.csv: 来源 is not UTF-8")?;
            let kind = std::str::from_utf8(get(cols[3])).map_err(|_| "监督信息.csv: 情形 is not UTF-8")?;
            // 领导责任 halves the amount (领导责任系数 50%); an empty cell is the default 直接责任.
            let leader = get(cols[4]) == "领导责任".as_bytes();
            let halve = |a: i32| if leader { a / 2 } else { a };
            let (clause, amount) = match (source, kind) {
                ("纪检监察", "诫勉谈话" | "函询属实") => (0, halve(500)),
                ("干部监督", "组织处理") => (1, halve(300)),
                ("干部监督", "明察暗访违纪") => (1, halve(100)),
                ("信访", "有效投诉") => (2, halve(200)),
                ("审计", "审计查出问题") => {
                    let date = day_number(get(cols[1]))?;
                    let fixed = get(cols[5]);
                    // 销除 50% when rectified within 90 days.
                    let expunged = !fixed.is_empty() && day_number(fixed)? - date <= 90;
                    (3, if expunged { halve(200) / 2 } else { halve(200) })
                }
                ("行政复议", "被撤销变更或确认违法") => (4, halve(300)),
                ("行政诉讼", "败诉") => (5, halve(300)),
                ("行政诉讼", "负责人不出庭应诉") => (5, 100),
                ("纪检监察", "党纪政纪处分") => {
                    adjust.veto[u] |= 1;
                    continue;
                }
                ("反贪", "立案侦查") => {
                    adjust.veto[u] |= 2;
                    continue;
                }
                _ => continue,
            };
            adjust.clauses[u][clause] += amount;
        }
        Ok(())
    })?;
    Ok(())
}

/// Days since 1970-01-01 of an ISO date `YYYY-MM-DD` (Howard Hinnant's days_from_civil).
fn day_number(cell: &[u8]) -> Res<i64> {
    let text = std::str::from_utf8(cell).map_err(|_| "date is not UTF-8")?;
    let mut parts = text.split('-');
    let mut next = || -> Res<i64> {
        parts
            .next()
            .and_then(|p| p.parse::<i64>().ok())
            .ok_or_else(|| format!("`{text}` is not a date YYYY-MM-DD (the floor reads no other form)"))
    };
    let (y, m, d) = (next()?, next()?, next()?);
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Ok(era * 146_097 + doe - 719_468)
}

fn load_awards(path: &Path, units: &mut Units, adjust: &mut Adjustments) -> Res<()> {
    let mut cursor = 0usize;
    read_blocks(path, |data, header| {
        let cols = columns(header, ["工号", "级别"], "工作成果.csv")?;
        let mut f: [&[u8]; 32] = [&[]; 32];
        for line in data.split(|&b| b == b'\n') {
            if trim_cr(line).is_empty() {
                continue;
            }
            let count = fields(line, &mut f);
            let get = |i: usize| if i < count { trim_spaces(f[i]) } else { &[][..] };
            let u = units.find(get(cols[0]), &mut cursor)?;
            let points = match get(cols[1]) {
                b if b == "国家级".as_bytes() => 5,
                b if b == "省级".as_bytes() => 3,
                b if b == "市级".as_bytes() => 2,
                _ => 0,
            };
            // 只计最高; the clause cap and the bonus cap are both 5.
            adjust.bonus[u] = adjust.bonus[u].max(points).min(5);
        }
        Ok(())
    })?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Scores, ranking, grades
// ---------------------------------------------------------------------------

/// Per unit: the leaves, the parents and the total.
struct Scores {
    /// The eight per-quarter leaves (mean of the quarters), scale 10⁶.
    leaves: Vec<[i32; 8]>,
    /// 关键绩效, 季测评, 年度考核 at scale 10⁸.
    kpi: Vec<i64>,
    panel: Vec<i64>,
    annual: Vec<i64>,
    /// The published total, in hundredths.
    total: Vec<i64>,
}

impl Scores {
    fn compute(units: &Units, q: Quarters, adjust: &Adjustments) -> Scores {
        let n = units.len();
        let mut s = Scores {
            leaves: Vec::new(),
            kpi: Vec::with_capacity(n),
            panel: Vec::with_capacity(n),
            annual: Vec::with_capacity(n),
            total: Vec::with_capacity(n),
        };
        for u in 0..n {
            let l = q.sums[u].map(i64::from);
            let kpi = 40 * l[0] + 30 * l[1] + 20 * l[2] + 10 * l[3];
            let panel = 40 * l[5] + 30 * l[6] + 30 * l[7];
            let annual: i64 = units.annual[u].iter().map(|&a| 2_500 * i64::from(a)).sum();
            // Scale 10¹⁰: 50% × KPI + 10% × 月总结 + 20% × 季测评 + 20% × 年度考核.
            let base = 50 * kpi + 10 * 100 * l[4] + 20 * panel + 20 * annual;
            let exact = (base - adjust.deduction(u) * 100_000_000 + i64::from(adjust.bonus[u]) * 10_000_000_000).min(100 * 10_000_000_000);
            s.kpi.push(kpi);
            s.panel.push(panel);
            s.annual.push(annual);
            s.total.push(div_round(i128::from(exact), 100_000_000) as i64);
        }
        s.leaves = q.sums;
        s
    }

    /// The ranking keys packed so that ascending order is the ranking's order:
    /// total desc (16 bits), 关键绩效 desc (35 bits), 季测评 desc (35 bits), then the unit.
    fn key(&self, u: usize) -> u128 {
        let total = (20_000 - (self.total[u] + 5_000)) as u128; // totals lie in -50..150
        let kpi = ((1i64 << 35) - 1 - self.kpi[u]) as u128;
        let panel = ((1i64 << 35) - 1 - self.panel[u]) as u128;
        (total << 102) | (kpi << 67) | (panel << 32) | u as u128
    }
}

/// Units in ranking order: by the keys, then by key text (as kaohe orders ties).
fn rank_order(units: &Units, scores: &Scores, threads: usize) -> Vec<u32> {
    let n = units.len();
    let mut keys: Vec<u128> = (0..n).map(|u| scores.key(u)).collect();
    if threads > 1 && n > 100_000 {
        let (a, b) = keys.split_at_mut(n / 2);
        std::thread::scope(|s| {
            s.spawn(|| a.sort_unstable());
            b.sort_unstable();
        });
        let mut merged = Vec::with_capacity(n);
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            if a[i] <= b[j] {
                merged.push(a[i]);
                i += 1;
            } else {
                merged.push(b[j]);
                j += 1;
            }
        }
        merged.extend_from_slice(&a[i..]);
        merged.extend_from_slice(&b[j..]);
        keys = merged;
    } else {
        keys.sort_unstable();
    }
    let mut order: Vec<u32> = keys.iter().map(|k| *k as u32).collect();
    // Equal keys (a full tie): kaohe orders them by the unit's key text.
    let mut start = 0;
    while start < n {
        let mut end = start + 1;
        while end < n && keys[end] >> 32 == keys[start] >> 32 {
            end += 1;
        }
        if end - start > 1 {
            order[start..end].sort_by(|&a, &b| units.key(a as usize).cmp(units.key(b as usize)));
        }
        start = end;
    }
    order
}

const GRADES: [&str; 4] = ["优秀", "称职", "基本称职", "不称职"];

/// Competition rank overall and per department; grades with the 15% 优秀
/// quota per department (rounded down), ties at the line broken by the
/// ranking keys and all kept when equal on every key.
fn rank_and_grade(units: &Units, scores: &Scores, adjust: &Adjustments, order: &[u32]) -> (Vec<u32>, Vec<u32>, Vec<u8>) {
    let n = units.len();
    let d = units.departments.len();
    let same = |a: usize, b: usize| scores.key(a) >> 32 == scores.key(b) >> 32;
    let mut rank = vec![0u32; n];
    let mut group_rank = vec![0u32; n];
    let mut grade = vec![0u8; n];
    let mut size = vec![0u32; d];
    for &g in &units.department {
        size[g as usize] += 1;
    }
    // Per department: seen, current group rank, previous unit; quota taken, last unit given 优秀.
    let mut seen = vec![0u32; d];
    let mut current = vec![0u32; d];
    let mut previous = vec![u32::MAX; d];
    let mut taken = vec![0u32; d];
    let mut last_in = vec![u32::MAX; d];
    let mut overall = 0u32;
    for (i, &u32_) in order.iter().enumerate() {
        let u = u32_ as usize;
        if i == 0 || !same(order[i - 1] as usize, u) {
            overall = i as u32 + 1;
        }
        rank[u] = overall;
        let g = units.department[u] as usize;
        seen[g] += 1;
        if previous[g] == u32::MAX || !same(previous[g] as usize, u) {
            current[g] = seen[g];
        }
        group_rank[u] = current[g];
        previous[g] = u32_;
        let total = scores.total[u];
        let band = |t: i64| {
            if t >= 7_000 {
                1
            } else if t >= 6_000 {
                2
            } else {
                3
            }
        };
        grade[u] = if total >= 9_000 && adjust.veto[u] == 0 {
            let quota = size[g] * 15 / 100;
            if taken[g] < quota || (quota > 0 && last_in[g] != u32::MAX && same(last_in[g] as usize, u)) {
                taken[g] += 1;
                last_in[g] = u32_;
                0
            } else {
                1 // over the quota: the next band it qualifies for
            }
        } else {
            band(total)
        };
    }
    (rank, group_rank, grade)
}

// ---------------------------------------------------------------------------
// Output: kaohe's CSV (BOM, CRLF, rank order), formatted on both threads
// ---------------------------------------------------------------------------

#[allow(clippy::too_many_arguments)]
fn write_results(
    path: &Path,
    units: &Units,
    scores: &Scores,
    adjust: &Adjustments,
    order: &[u32],
    rank: &[u32],
    group_rank: &[u32],
    grade: &[u8],
    threads: usize,
) -> Res<()> {
    let mut file = File::create(path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let header = "\u{FEFF}排名,组内排名,单位,分组1,总分,等次,一票否决,可评先,关键绩效,关键绩效.质量,关键绩效.时限,关键绩效.满意度,关键绩效.成本,月总结,季测评,季测评.领导评价,季测评.同事评价,季测评.服务对象评价,年度考核,年度考核.德,年度考核.能,年度考核.勤,年度考核.廉\r\n";
    file.write_all(header.as_bytes()).map_err(|e| e.to_string())?;
    // Blocks are formatted on every thread while this one writes the blocks
    // before them, in order: writing a block does not wait for the next to
    // be formatted, nor formatting for writing (as kaohe does it).
    let blocks: Vec<&[u32]> = order.chunks(OUT_BLOCK).collect();
    let next = AtomicUsize::new(0);
    let (done, finished) = mpsc::channel::<(usize, Vec<u8>)>();
    let mut written = Ok(());
    std::thread::scope(|s| {
        for _ in 0..threads {
            let (done, next, blocks) = (done.clone(), &next, &blocks);
            s.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(block) = blocks.get(i) else { break };
                    let rows: Vec<Row> =
                        block.iter().map(|&u| gather_row(u as usize, units, scores, adjust, rank, group_rank, grade)).collect();
                    let mut buf = Vec::with_capacity(block.len() * 192);
                    for row in &rows {
                        format_row(&mut buf, row);
                    }
                    if done.send((i, buf)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done);
        let (mut waiting, mut at) = (BTreeMap::new(), 0);
        for (i, buf) in finished {
            waiting.insert(i, buf);
            while let Some(buf) = waiting.remove(&at) {
                if written.is_ok() {
                    written = file.write_all(&buf).map_err(|e| e.to_string());
                }
                at += 1;
            }
        }
    });
    written
}

/// What one output row shows of a unit. A block's rows are gathered in a
/// loop of loads only, before any is formatted: in rank order the units'
/// places are scattered, and loads that do not wait on formatting overlap.
/// Formatting straight from the scattered arrays took the output 10 s of a
/// 23 s run at 8,000,000.
struct Row<'a> {
    rank: u32,
    group_rank: u32,
    key: &'a [u8],
    department: &'a [u8],
    /// In hundredths.
    total: i64,
    grade: u8,
    veto: u8,
    kpi: i64,
    panel: i64,
    annual_score: i64,
    leaves: [i32; 8],
    annual: [i32; 4],
}

#[allow(clippy::too_many_arguments)]
fn gather_row<'a>(
    u: usize,
    units: &'a Units,
    scores: &Scores,
    adjust: &Adjustments,
    rank: &[u32],
    group_rank: &[u32],
    grade: &[u8],
) -> Row<'a> {
    Row {
        rank: rank[u],
        group_rank: group_rank[u],
        key: units.key(u),
        department: &units.departments[units.department[u] as usize],
        total: scores.total[u],
        grade: grade[u],
        veto: adjust.veto[u],
        kpi: scores.kpi[u],
        panel: scores.panel[u],
        annual_score: scores.annual[u],
        leaves: scores.leaves[u],
        annual: units.annual[u],
    }
}

fn format_row(out: &mut Vec<u8>, row: &Row) {
    // One reservation per row, so that the pushes below never reallocate.
    out.reserve(512);
    put_int(out, i64::from(row.rank));
    out.push(b',');
    put_int(out, i64::from(row.group_rank));
    out.push(b',');
    put_cell(out, row.key);
    out.push(b',');
    put_cell(out, row.department);
    out.push(b',');
    // The total with exactly 2 decimals (kaohe rescales the rounded total to 2 places).
    let t = row.total;
    if t < 0 {
        out.push(b'-');
    }
    put_int(out, t.abs() / 100);
    out.push(b'.');
    put_padded(out, (t.abs() % 100) as u64, 2);
    out.push(b',');
    out.extend_from_slice(GRADES[row.grade as usize].as_bytes());
    out.push(b',');
    out.extend_from_slice(match row.veto {
        0 => "".as_bytes(),
        1 => "受处分".as_bytes(),
        2 => "立案侦查".as_bytes(),
        _ => "受处分、立案侦查".as_bytes(),
    });
    out.push(b',');
    out.extend_from_slice(if row.veto == 0 { "是".as_bytes() } else { "否".as_bytes() });
    out.push(b',');
    put_normalized::<8>(out, row.kpi);
    for v in &row.leaves[..5] {
        out.push(b',');
        put_normalized::<6>(out, i64::from(*v));
    }
    out.push(b',');
    put_normalized::<8>(out, row.panel);
    for v in &row.leaves[5..] {
        out.push(b',');
        put_normalized::<6>(out, i64::from(*v));
    }
    out.push(b',');
    put_normalized::<8>(out, row.annual_score);
    for v in row.annual {
        out.push(b',');
        put_normalized::<4>(out, i64::from(v));
    }
    out.extend_from_slice(b"\r\n");
}

fn put_int(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut x = v.unsigned_abs();
    loop {
        i -= 1;
        digits[i] = b'0' + (x % 10) as u8;
        x /= 10;
        if x == 0 {
            break;
        }
    }
    // Byte by byte: a call to memcpy for 1 to 3 digits costs more than the digits.
    for &d in &digits[i..] {
        out.push(d);
    }
}

fn put_padded(out: &mut Vec<u8>, v: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut x = v;
    for i in (digits.len() - width..digits.len()).rev() {
        digits[i] = b'0' + (x % 10) as u8;
        x /= 10;
    }
    for &d in &digits[digits.len() - width..] {
        out.push(d);
    }
}

/// `v / 10^PLACES` without trailing zeros (as `Decimal::normalize` prints).
/// `PLACES` is a constant so that the divisions become multiplications.
fn put_normalized<const PLACES: u32>(out: &mut Vec<u8>, v: i64) {
    let unit = 10u64.pow(PLACES);
    let places = PLACES;
    if v < 0 {
        out.push(b'-');
    }
    let a = v.unsigned_abs();
    put_int(out, (a / unit) as i64);
    let mut frac = a % unit;
    if frac == 0 {
        return;
    }
    let mut width = places as usize;
    while frac.is_multiple_of(10) {
        frac /= 10;
        width -= 1;
    }
    out.push(b'.');
    put_padded(out, frac, width);
}

/// A text cell, quoted when it holds a comma, a quote or a line break (as kaohe writes it).
fn put_cell(out: &mut Vec<u8>, text: &[u8]) {
    if text.iter().any(|&b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        out.push(b'"');
        for &b in text {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        for &b in text {
            out.push(b);
        }
    }
}
