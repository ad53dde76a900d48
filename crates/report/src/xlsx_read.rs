//! Reading spreadsheets people upload, within bounds.
//!
//! An .xlsx is a zip of XML. Before calamine opens one, every entry is inflated into a
//! counting sink: a zip bomb, or a zip whose declared sizes lie, is refused after at most
//! [`MAX_INFLATED_BYTES`] of work, and calamine then reads the very bytes that were counted.
//! Cells are then taken one by one, never as calamine's bounding-box `Range`: a sheet with
//! one cell in A1 and one in XFD1048576 would make that seventeen billion cells. Legacy .xls
//! files are not read at all (calamine sizes its buffers from the file's own claims).

use calamine::{Data, DataRef, Reader, Xlsx};
use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};

/// All entries of one file together may inflate to this much; the docx reader's bound.
pub const MAX_INFLATED_BYTES: u64 = shoutu_text::proofread::MAX_ENTRY_BYTES;
/// More parts than any workbook has.
const MAX_ENTRIES: usize = 10_000;
/// Deflate cannot do better than about 1032:1; a large part near that is nothing but
/// repetition. Small parts may be as repetitive as they like.
const MAX_RATIO: u64 = 1_000;
const RATIO_FLOOR: u64 = 1024 * 1024;
/// calamine reserves room for as many shared strings as the file announces; a larger
/// announcement would make it ask for terabytes and abort the process.
const MAX_SHARED_STRINGS: u64 = 2_000_000;
const MB: u64 = 1024 * 1024;

/// Why a spreadsheet was refused. The text reads after the file's name, as
/// `文件「台账.xlsx」` + text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SheetError {
    #[error("解压后过大（超过 {} MB），可能是压缩炸弹，已拒绝", MAX_INFLATED_BYTES / MB)]
    Bomb,
    #[error("不是有效的 Excel（.xlsx）文件（{0}）")]
    Invalid(String),
    #[error("的单元格过多（超过 {0} 个），请拆分后分批导入")]
    TooManyCells(usize),
    #[error("的文字过多（超过 {} MB），请拆分后分批导入", .0 / 1024 / 1024)]
    TooMuchText(usize),
}

impl SheetError {
    /// The whole sentence, naming the file.
    pub fn message(&self, file: &str) -> String {
        format!("文件「{file}」{self}")
    }
}

/// How much of a sheet is kept in memory.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Cells kept, counting the empty ones left of a filled cell in its row.
    pub max_cells: usize,
    /// Cells right of this column are ignored.
    pub max_cols: u32,
    /// Bytes of text in all kept cells together.
    pub max_text_bytes: usize,
}

/// Enough for any ledger an office keeps in one file (5,000 rows of a few dozen columns).
pub const IMPORT_LIMITS: Limits = Limits {
    max_cells: 500_000,
    max_cols: 256,
    max_text_bytes: 32 * 1024 * 1024,
};

/// The filled rows of a sheet in order: the row index (0 for Excel's row 1) and its cells
/// from column A to its last filled cell.
pub type Rows = Vec<(u32, Vec<Data>)>;

/// Refuses a zip whose entries inflate beyond the bounds, counting the bytes actually
/// inflated rather than the sizes the archive declares.
pub fn check_zip(bytes: &[u8]) -> Result<(), SheetError> {
    let invalid = |e: &dyn std::fmt::Display| SheetError::Invalid(format!("压缩包结构损坏：{e}"));
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| invalid(&e))?;
    if zip.len() > MAX_ENTRIES {
        return Err(SheetError::Bomb);
    }
    // The declared sizes first: cheap, and an honest bomb is refused before any inflating.
    let mut declared = 0u64;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|e| invalid(&e))?;
        let size = entry.size();
        declared = declared.saturating_add(size);
        if declared > MAX_INFLATED_BYTES || (size > RATIO_FLOOR && size / entry.compressed_size().max(1) > MAX_RATIO) {
            return Err(SheetError::Bomb);
        }
    }
    // Then the bytes themselves, since declared sizes may lie.
    let mut budget = MAX_INFLATED_BYTES;
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|e| invalid(&e))?;
        let mut sink = Scanner::default();
        let inflated = std::io::copy(&mut entry.take(budget + 1), &mut sink).map_err(|e| invalid(&e))?;
        if inflated > budget {
            return Err(SheetError::Bomb);
        }
        if sink.refused {
            return Err(SheetError::Bomb);
        }
        budget -= inflated;
    }
    Ok(())
}

/// The first sheet's filled rows, or `None` when the workbook has no worksheet first.
pub fn first_sheet(bytes: &[u8], limits: Limits) -> Result<Option<Rows>, SheetError> {
    guarded(|| {
        let mut book = open(bytes)?;
        let Some(name) = book.sheet_names().into_iter().next() else {
            return Ok(None);
        };
        let Ok(mut cells) = book.worksheet_cells_reader(&name) else {
            return Ok(None);
        };
        let mut rows: BTreeMap<u32, Vec<Data>> = BTreeMap::new();
        let (mut kept, mut text) = (0usize, 0usize);
        while let Some(cell) = cells.next_cell().map_err(|e| SheetError::Invalid(e.to_string()))? {
            let (r, c) = cell.get_position();
            let value = cell.get_value();
            if c >= limits.max_cols || *value == DataRef::Empty {
                continue;
            }
            text += text_len(value);
            if text > limits.max_text_bytes {
                return Err(SheetError::TooMuchText(limits.max_text_bytes));
            }
            let row = rows.entry(r).or_default();
            let c = c as usize;
            if row.len() <= c {
                kept += c + 1 - row.len();
                if kept > limits.max_cells {
                    return Err(SheetError::TooManyCells(limits.max_cells));
                }
                row.resize(c + 1, Data::Empty);
            }
            row[c] = Data::from(value.clone());
        }
        Ok(Some(rows.into_iter().collect()))
    })
}

/// Every filled cell of every worksheet as text, a row per line and cells separated by
/// tabs, stopping once `max_bytes` are written.
pub fn text(bytes: &[u8], max_bytes: usize) -> Result<String, SheetError> {
    guarded(|| {
        let mut book = open(bytes)?;
        let mut out = String::new();
        for name in book.sheet_names() {
            let Ok(mut cells) = book.worksheet_cells_reader(&name) else {
                continue;
            };
            let mut last_row = None;
            while let Some(cell) = cells.next_cell().map_err(|e| SheetError::Invalid(e.to_string()))? {
                let value = cell.get_value();
                if *value == DataRef::Empty {
                    continue;
                }
                let row = cell.get_position().0;
                match last_row {
                    Some(r) if r == row => out.push('\t'),
                    Some(_) => out.push('\n'),
                    None => {}
                }
                last_row = Some(row);
                let piece = match value {
                    DataRef::SharedString(s) => std::borrow::Cow::Borrowed(*s),
                    DataRef::String(s) => std::borrow::Cow::Borrowed(s.as_str()),
                    other => std::borrow::Cow::Owned(Data::from(other.clone()).to_string()),
                };
                let room = max_bytes.saturating_sub(out.len());
                if piece.len() >= room {
                    out.push_str(prefix(&piece, room));
                    return Ok(out);
                }
                out.push_str(&piece);
            }
            if last_row.is_some() {
                out.push('\n');
            }
        }
        Ok(out)
    })
}

fn open(bytes: &[u8]) -> Result<Xlsx<Cursor<&[u8]>>, SheetError> {
    check_zip(bytes)?;
    Xlsx::new(Cursor::new(bytes)).map_err(|e| SheetError::Invalid(e.to_string()))
}

/// A parser bug on hostile input is a refused file, not a dead thread.
fn guarded<T>(read: impl FnOnce() -> Result<T, SheetError>) -> Result<T, SheetError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(read))
        .unwrap_or_else(|_| Err(SheetError::Invalid("内容无法解析".into())))
}

fn text_len(value: &DataRef<'_>) -> usize {
    match value {
        DataRef::SharedString(s) => s.len(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.len(),
        _ => 8,
    }
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
fn prefix(s: &str, max: usize) -> &str {
    let mut end = max.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// A sink that only looks for `uniqueCount="…"` announcing more shared strings than the
/// bound. Anything unusual after `uniqueCount=` (spacing, quoting, a non-number) within a
/// few bytes is refused too: no spreadsheet program writes it, and calamine may still
/// read it as a count.
#[derive(Default)]
struct Scanner {
    /// The end of the previous chunk, so a pattern split across writes is still found.
    tail: Vec<u8>,
    refused: bool,
}

const NEEDLE: &[u8] = b"uniqueCount";
/// Bytes after the needle within which an attribute's value must be complete.
const LOOKAHEAD: usize = 48;

impl Scanner {
    fn scan(&mut self, data: &[u8]) {
        let mut joined = std::mem::take(&mut self.tail);
        joined.extend_from_slice(data);
        let mut from = 0;
        let mut keep_from = joined.len().saturating_sub(NEEDLE.len() - 1);
        while let Some(at) = memchr::memmem::find(&joined[from..], NEEDLE).map(|i| from + i) {
            match announced(&joined[at + NEEDLE.len()..]) {
                Announced::Fine => {}
                Announced::TooMany => self.refused = true,
                Announced::Undecided => {
                    keep_from = keep_from.min(at);
                    break;
                }
            }
            from = at + 1;
        }
        self.tail = joined.split_off(keep_from);
    }
}

enum Announced {
    Fine,
    TooMany,
    Undecided,
}

/// Judges the bytes after a `uniqueCount` needle.
fn announced(after: &[u8]) -> Announced {
    let ws = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let mut i = after.iter().take_while(|b| ws(b)).count();
    if i >= after.len() {
        return if after.len() >= LOOKAHEAD {
            Announced::TooMany
        } else {
            Announced::Undecided
        };
    }
    if after[i] != b'=' {
        // The word in text, not an attribute.
        return Announced::Fine;
    }
    i += 1;
    i += after[i..].iter().take_while(|b| ws(b)).count();
    let Some(&quote) = after.get(i) else {
        return if after.len() >= LOOKAHEAD {
            Announced::TooMany
        } else {
            Announced::Undecided
        };
    };
    if quote != b'"' && quote != b'\'' {
        return Announced::Fine;
    }
    let value = &after[i + 1..];
    match value.iter().position(|b| *b == quote) {
        Some(end) => {
            let digits = &value[..end];
            let number = digits.iter().try_fold(0u64, |n, b| {
                b.is_ascii_digit()
                    .then(|| n.saturating_mul(10).saturating_add(u64::from(b - b'0')))
            });
            match number {
                Some(n) if n <= MAX_SHARED_STRINGS => Announced::Fine,
                // A value that is not plain digits is only refused when it is long enough
                // to hide a large number behind a sign or spaces.
                None if digits.len() <= 7 => Announced::Fine,
                _ => Announced::TooMany,
            }
        }
        None if after.len() >= LOOKAHEAD => Announced::TooMany,
        None => Announced::Undecided,
    }
}

impl Write for Scanner {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if !self.refused {
            self.scan(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_in_pieces(text: &[u8], piece: usize) -> bool {
        let mut s = Scanner::default();
        for chunk in text.chunks(piece) {
            s.write_all(chunk).unwrap();
        }
        s.refused
    }

    #[test]
    fn a_huge_shared_string_count_is_found_however_the_bytes_are_cut() {
        let bad =
            br#"<?xml version="1.0"?><sst xmlns="x" count="1" uniqueCount = '100000000000'><si><t>a</t></si></sst>"#;
        let good =
            br#"<?xml version="1.0"?><sst xmlns="x" count="3" uniqueCount="2"><si><t>uniqueCount= 5</t></si></sst>"#;
        for piece in [1, 2, 5, 13, 64, 4096] {
            assert!(scan_in_pieces(bad, piece), "piece {piece}");
            assert!(!scan_in_pieces(good, piece), "piece {piece}");
        }
        let spaced = format!("<sst uniqueCount{}=\"1\">", " ".repeat(100));
        assert!(scan_in_pieces(spaced.as_bytes(), 7));
    }

    #[test]
    fn a_prefix_never_cuts_a_character() {
        assert_eq!(prefix("台账", 4), "台");
        assert_eq!(prefix("台账", 40), "台账");
    }
}
