//! Bytes of a CSV or JSON file to text.
//!
//! Offices export CSV from Excel: on Chinese Windows "CSV (逗号分隔)" writes
//! GB18030 (GBK) without a mark, "CSV UTF-8" writes UTF-8 with a byte-order
//! mark. So: a byte-order mark decides (UTF-8, UTF-16LE/BE); else text that
//! is valid UTF-8 is UTF-8; else it is read as GB18030 (a superset of GBK and
//! GB2312). A forced encoding (`--encoding gbk`) overrides the guess.

use std::ops::Range;

use encoding_rs::{Encoding, GB18030, UTF_8};

/// A file's text: its bytes, checked to be UTF-8 when made (by [`decode`]).
/// Kept as bytes because safe code makes a `String` only through the
/// standard library's check, which reads Chinese text about 20 times slower
/// than `simdutf8`'s; each reading of the text checks it again with
/// `simdutf8` instead.
#[derive(Debug, Default)]
pub(crate) struct Text(Vec<u8>);

impl Text {
    /// The whole text.
    pub(crate) fn as_str(&self) -> &str {
        self.slice(0..self.0.len()).unwrap_or_default()
    }

    /// The text of `range`, if it starts and ends between characters.
    pub(crate) fn slice(&self, range: Range<usize>) -> Option<&str> {
        simdutf8::basic::from_utf8(self.0.get(range)?).ok()
    }

    /// Its length in bytes.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }
}

impl From<String> for Text {
    fn from(text: String) -> Text {
        Text(text.into_bytes())
    }
}

/// Why bytes could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DecodeError {
    /// The encoding name is not one kaohe knows.
    UnknownEncoding(String),
    /// The bytes are not valid in the encoding; the line of the first bad byte.
    Invalid {
        /// The encoding tried (`UTF-8`, `gb18030`).
        encoding: &'static str,
        /// 1-based line of the first byte that does not decode.
        line: usize,
        /// Whether kaohe guessed the encoding (rather than being told it).
        guessed: bool,
    },
}

/// The encoding for a name given by the user (`gb18030`, `gbk`, `utf-8`, or
/// any other WHATWG label such as `big5` or `utf-16le`).
pub(crate) fn encoding_for(label: &str) -> Result<&'static Encoding, DecodeError> {
    Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| DecodeError::UnknownEncoding(label.to_string()))
}

/// Decodes a file's bytes; the byte-order mark, if any, is dropped. UTF-8
/// text keeps the bytes' buffer (no copy of a file of hundreds of megabytes).
pub(crate) fn decode(mut bytes: Vec<u8>, forced: Option<&'static Encoding>) -> Result<Text, DecodeError> {
    let (encoding, bom, guessed) = match (Encoding::for_bom(&bytes), forced) {
        (Some((enc, bom)), _) => (enc, bom, false),
        (None, Some(enc)) => (enc, 0, false),
        // Valid UTF-8 is UTF-8: checked once, and the buffer kept.
        (None, None) => match simdutf8::basic::from_utf8(&bytes) {
            Ok(_) => return Ok(Text(bytes)),
            Err(_) => (GB18030, 0, true),
        },
    };
    if encoding == UTF_8 {
        bytes.drain(..bom.min(bytes.len()));
        return match simdutf8::compat::from_utf8(&bytes) {
            Ok(_) => Ok(Text(bytes)),
            Err(e) => Err(DecodeError::Invalid { encoding: "UTF-8", line: line_of(&bytes, e.valid_up_to()), guessed }),
        };
    }
    let body = bytes.get(bom..).unwrap_or_default();
    let (text, had_errors) = encoding.decode_without_bom_handling(body);
    if had_errors {
        // The first replacement character tells roughly where; find its line.
        let line = text.find('\u{FFFD}').map_or(1, |at| text[..at].matches('\n').count() + 1);
        return Err(DecodeError::Invalid { encoding: encoding.name(), line, guessed });
    }
    Ok(Text::from(text.into_owned()))
}

fn line_of(bytes: &[u8], offset: usize) -> usize {
    bytes.get(..offset).map_or(1, |b| b.iter().filter(|&&c| c == b'\n').count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guesses_like_an_office_would() {
        assert_eq!(decode("名称\n".as_bytes().to_vec(), None).as_ref().map(Text::as_str), Ok("名称\n"));
        assert_eq!(decode(b"\xEF\xBB\xBFa,b\r\n".to_vec(), None).as_ref().map(Text::as_str), Ok("a,b\r\n"));
        // 海陵区 in GB18030.
        let (gb, _, _) = GB18030.encode("海陵区,95%\n");
        assert_eq!(decode(gb.to_vec(), None).as_ref().map(Text::as_str), Ok("海陵区,95%\n"));
        let forced = encoding_for("gbk").ok();
        assert_eq!(decode(gb.to_vec(), forced).as_ref().map(Text::as_str), Ok("海陵区,95%\n"));
        assert!(matches!(decode(gb.to_vec(), encoding_for("utf-8").ok()), Err(DecodeError::Invalid { guessed: false, line: 1, .. })));
        assert!(matches!(encoding_for("klingon"), Err(DecodeError::UnknownEncoding(_))));
        let bad = b"a,b\n\xE5\x90,c\n".to_vec();
        assert!(matches!(decode(bad, encoding_for("utf-8").ok()), Err(DecodeError::Invalid { line: 2, .. })));
    }

    /// A text is read whole or in pieces that start and end between characters.
    #[test]
    fn a_text_is_read_between_characters() {
        let text = decode("名称\n".as_bytes().to_vec(), None).unwrap_or_default();
        assert_eq!((text.len(), text.as_str()), (7, "名称\n"));
        assert_eq!(text.slice(3..7), Some("称\n"));
        assert_eq!((text.slice(1..7), text.slice(0..8)), (None, None));
    }
}
