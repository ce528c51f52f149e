//! A large CSV file surveyed rather than read: its header and where it can
//! be cut are found by reading a few kilobytes, and each piece is read from
//! disk by the thread that types it. At national scale the files are
//! gigabytes: read whole, their text was held while every piece was typed,
//! alongside the typed rows.
//!
//! The pieces are cut at line breaks and taken to be UTF-8 (after a UTF-8
//! byte-order mark, if any), as exported files are. The thread typing a
//! piece finds out if that was wrong: a piece that is not UTF-8, or one that
//! ends inside a quoted cell (so a line break inside the cell was taken for
//! the end of a record), and the file is read whole instead, as any other.

use std::io::{Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::{Path, PathBuf};

use super::csvfile::Body;

/// A large CSV file, surveyed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Survey {
    /// The file.
    path: PathBuf,
    /// The bytes on disk before the text: a UTF-8 byte-order mark, or none.
    skip: u64,
    /// The text up to and including its first line break: the header.
    pub header: String,
    /// The text's length in bytes.
    pub len: usize,
}

/// The most read to find the header or a line break.
const WINDOW: usize = 64 << 10;

/// Surveys the file at `path`: `None` when it is to be read whole (a UTF-16
/// byte-order mark, no line break or no UTF-8 in its first bytes, not
/// readable: reading it whole then says why).
pub(crate) fn survey(path: &Path) -> Option<Survey> {
    let mut file = std::fs::File::open(path).ok()?;
    let size = usize::try_from(file.metadata().ok()?.len()).ok()?;
    let start = read_at(&mut file, 0, WINDOW.min(size)).ok()?;
    let skip = match start.get(..3) {
        Some([0xEF, 0xBB, 0xBF]) => 3,
        Some([0xFF, 0xFE, ..] | [0xFE, 0xFF, ..]) => return None,
        _ => 0,
    };
    let text = start.get(skip..)?;
    let end = text.iter().position(|&b| b == b'\n')? + 1;
    let header = std::str::from_utf8(text.get(..end)?).ok()?.to_string();
    Some(Survey { path: path.to_path_buf(), skip: skip as u64, header, len: size - skip })
}

/// `len` bytes of `file` from `offset` (fewer at its end).
fn read_at(file: &mut std::fs::File, offset: u64, len: usize) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    read_into(file, offset, len, &mut bytes)?;
    Ok(bytes)
}

/// [`read_at`] into `bytes`, cleared first.
fn read_into(file: &mut std::fs::File, offset: u64, len: usize, bytes: &mut Vec<u8>) -> std::io::Result<()> {
    file.seek(SeekFrom::Start(offset))?;
    bytes.clear();
    bytes.reserve(len);
    file.take(len as u64).read_to_end(bytes)?;
    Ok(())
}

impl Survey {
    /// Cuts the body into about `count` pieces of similar size, each
    /// starting after a line break (as `csvfile::pieces` cuts a text without quotes).
    pub(crate) fn pieces(&self, body: Body, count: usize) -> std::io::Result<Vec<Range<usize>>> {
        let mut file = std::fs::File::open(&self.path)?;
        let size = self.len.saturating_sub(body.start);
        let count = count.clamp(1, size.max(1));
        let mut cuts = vec![body.start];
        for i in 1..count {
            let target = (body.start + size / count * i).max(cuts.last().copied().unwrap_or(0));
            match self.line_break_from(&mut file, target)? {
                Some(at) if at + 1 < self.len => cuts.push(at + 1),
                _ => break,
            }
        }
        cuts.dedup();
        let ends = cuts.iter().skip(1).copied().chain([self.len.max(body.start)]);
        Ok(cuts.iter().zip(ends).map(|(&start, end)| start..end).collect())
    }

    /// Where the first line break at or after `from` is, if any.
    fn line_break_from(&self, file: &mut std::fs::File, from: usize) -> std::io::Result<Option<usize>> {
        let mut at = from;
        while at < self.len {
            let window = read_at(file, self.skip + at as u64, WINDOW)?;
            if let Some(i) = window.iter().position(|&b| b == b'\n') {
                return Ok(Some(at + i));
            }
            if window.is_empty() {
                break;
            }
            at += window.len();
        }
        Ok(None)
    }

    /// The bytes of `range` of the text, read from the file into `bytes`.
    pub(crate) fn read(&self, range: Range<usize>, bytes: &mut Vec<u8>) -> std::io::Result<()> {
        let mut file = std::fs::File::open(&self.path)?;
        read_into(&mut file, self.skip + range.start as u64, range.len(), bytes)?;
        if bytes.len() < range.len() {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "the file is shorter than when it was opened"));
        }
        Ok(())
    }
}
