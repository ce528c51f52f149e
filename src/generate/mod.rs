//! `kaohe generate`: synthetic data sets at national scale, for measuring.
//!
//! The shipped examples are small and hand-shaped; measuring speed needs the
//! same tables for hundreds of thousands or millions of units, made in
//! seconds and the same every time. Each data set here belongs to one
//! shipped scheme and is written as the CSV folder `kaohe eval --data` reads.
//! Randomness is a seeded splitmix64 stream per department, so the output
//! depends only on the seed and the size, never on the machine.

pub mod national;

use std::io::Write;
use std::path::PathBuf;

/// `kaohe generate national --people N --out DIR [--seed S]`
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Which data set: `national` is for `rules/national_individual.kh`.
    #[arg(value_enum)]
    pub kind: Kind,
    /// Number of people (units).
    #[arg(long)]
    pub people: u64,
    /// Folder to write the CSV files into (created if missing; files in it are replaced).
    #[arg(long)]
    pub out: PathBuf,
    /// Seed: the same seed and size give the same bytes.
    #[arg(long, default_value_t = 2024)]
    pub seed: u64,
}

/// The data sets `kaohe generate` can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// Every civil servant of a country, for `rules/national_individual.kh`.
    National,
}

/// Runs `kaohe generate`; returns the exit code.
pub fn run(args: &Args) -> i32 {
    let started = std::time::Instant::now();
    let written = match args.kind {
        Kind::National => national::write(&args.out, &national::Options { people: args.people, seed: args.seed }),
    };
    match written {
        Ok(s) => {
            let _ = writeln!(
                std::io::stderr(),
                "wrote {} people in {} departments ({} quarter rows, {} cases, {} awards; {} MB) to {} in {:.1?}",
                s.people,
                s.departments,
                s.quarters,
                s.cases,
                s.awards,
                s.bytes / 1_000_000,
                args.out.display(),
                started.elapsed()
            );
            0
        }
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: cannot write `{}`: {e}", args.out.display());
            1
        }
    }
}

/// splitmix64: a tiny, fast, well-mixed generator (Steele, Lea, Flood 2014).
/// Statistical quality is ample for plausible data; it is no cryptography.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A stream for `seed`, decorrelated from the streams of nearby seeds.
    pub fn new(seed: u64) -> Self {
        let mut r = Rng(seed);
        r.0 = r.next_u64();
        r
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` at most 2³²; Lemire's multiply-shift, without
    /// the rejection step: the bias of at most n/2³² does not matter here).
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() >> 32).wrapping_mul(n)) >> 32
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let width = u64::try_from(hi.saturating_sub(lo)).unwrap_or(0).saturating_add(1);
        lo.saturating_add(i64::try_from(self.below(width)).unwrap_or(0))
    }

    /// True with probability `per_mille` / 1000.
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    /// One of `items`, the earlier ones more often (the smaller of two
    /// uniform draws: item k has probability about 2(n−k)/n²).
    pub fn skewed<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let n = items.len() as u64;
        let k = self.below(n).min(self.below(n));
        // k < n = items.len(), and items is never empty where this is called.
        items[usize::try_from(k).unwrap_or(0).min(items.len().saturating_sub(1))]
    }

    /// One of `items`, uniformly.
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let k = self.below(items.len() as u64);
        items[usize::try_from(k).unwrap_or(0).min(items.len().saturating_sub(1))]
    }
}

/// A growing byte buffer in front of a file: rows are formatted straight into
/// it (no per-row allocation) and it is written out in large blocks.
pub struct Sink {
    file: std::fs::File,
    buf: Vec<u8>,
    /// Bytes written so far.
    pub bytes: u64,
    /// Data rows written so far (the header not counted).
    pub rows: u64,
}

/// The size of the blocks written to disk.
const BLOCK: usize = 8 << 20;

impl Sink {
    /// Creates `path` and writes the header line.
    pub fn create(path: &std::path::Path, header: &str) -> std::io::Result<Self> {
        let file = std::fs::File::create(path)?;
        let mut sink = Sink { file, buf: Vec::with_capacity(BLOCK + 4096), bytes: 0, rows: 0 };
        sink.text(header);
        sink.buf.push(b'\n');
        Ok(sink)
    }

    /// Appends text (a cell, or a separator).
    pub fn text(&mut self, s: &str) {
        self.buf.extend_from_slice(s.as_bytes());
    }

    /// Appends a comma.
    pub fn comma(&mut self) {
        self.buf.push(b',');
    }

    /// Appends an integer.
    pub fn int(&mut self, v: i64) {
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        let negative = v < 0;
        let mut x = v.unsigned_abs();
        loop {
            i -= 1;
            digits[i] = b'0' + (x % 10) as u8;
            x /= 10;
            if x == 0 {
                break;
            }
        }
        if negative {
            self.buf.push(b'-');
        }
        self.buf.extend_from_slice(&digits[i..]);
    }

    /// Appends an integer zero-padded to `width` digits.
    pub fn padded(&mut self, v: u64, width: usize) {
        let mut digits = [b'0'; 20];
        let mut x = v;
        let width = width.min(digits.len());
        let mut i = digits.len();
        while x > 0 || i > digits.len() - width {
            i -= 1;
            digits[i] = b'0' + (x % 10) as u8;
            x /= 10;
        }
        self.buf.extend_from_slice(&digits[i..]);
    }

    /// Appends `scaled / 10^places` as a decimal without trailing zeros
    /// (`905, 1` → `90.5`; `900, 1` → `90`), as offices type numbers.
    pub fn decimal(&mut self, scaled: i64, places: u32) {
        let unit = 10i64.pow(places);
        self.int(scaled / unit);
        let mut frac = (scaled % unit).abs();
        if frac == 0 {
            return;
        }
        let mut width = places as usize;
        while frac % 10 == 0 {
            frac /= 10;
            width -= 1;
        }
        self.buf.push(b'.');
        self.padded(frac.unsigned_abs(), width);
    }

    /// Ends a row; writes a block to disk when the buffer is full.
    pub fn end_row(&mut self) -> std::io::Result<()> {
        self.buf.push(b'\n');
        self.rows += 1;
        if self.buf.len() >= BLOCK { self.flush() } else { Ok(()) }
    }

    /// Writes what is buffered.
    pub fn flush(&mut self) -> std::io::Result<()> {
        use std::io::Write;
        self.file.write_all(&self.buf)?;
        self.bytes += self.buf.len() as u64;
        self.buf.clear();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stream_depends_only_on_the_seed() {
        let a: Vec<u64> = (0..5).scan(Rng::new(7), |r, _| Some(r.next_u64())).collect();
        let b: Vec<u64> = (0..5).scan(Rng::new(7), |r, _| Some(r.next_u64())).collect();
        let c: Vec<u64> = (0..5).scan(Rng::new(8), |r, _| Some(r.next_u64())).collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
        let mut r = Rng::new(1);
        assert!((0..10_000).all(|_| r.range(3, 9) >= 3 && r.range(3, 9) <= 9));
    }

    #[test]
    fn numbers_are_written_as_offices_type_them() {
        let dir = std::env::temp_dir().join(format!("kaohe-sink-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.csv");
        let mut s = Sink::create(&path, "h").unwrap();
        for (v, p) in [(905, 1), (900, 1), (12345, 2), (5, 2), (0, 0), (-70, 1)] {
            s.decimal(v, p);
            s.comma();
        }
        s.padded(42, 7);
        s.end_row().unwrap();
        s.flush().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "h\n90.5,90,123.45,0.05,0,-7,0000042\n");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
