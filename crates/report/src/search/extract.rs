//! Text inside attachments: .docx and .txt (UTF-8 or GB18030) through the proofreader's
//! readers, spreadsheets (.xlsx, .xls) cell by cell. PDF and images are found by their file
//! name only: no pure-Rust PDF text extractor was added to keep builds light (see README).

use std::path::Path;

/// Plenty for any minute or report; beyond it a file is indexed by its beginning.
const MAX_TEXT_CHARS: usize = 200_000;

/// Where the files directory keeps the bytes of an upload (same layout as the web's store).
pub fn stored_path(files_dir: &Path, sha256: &str) -> Option<std::path::PathBuf> {
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some(files_dir.join(&sha256[..2]).join(sha256))
}

/// The searchable text of a file, or `None` when its kind is indexed by name only or it
/// cannot be read.
pub fn text_of(file_name: &str, bytes: &[u8]) -> Option<String> {
    let lower = file_name.to_lowercase();
    if lower.ends_with(".xlsx") || lower.ends_with(".xls") {
        return spreadsheet_text(file_name, bytes);
    }
    if !(lower.ends_with(".docx") || lower.ends_with(".txt")) {
        return None;
    }
    match shoutu_text::proofread::parse_document(file_name, bytes) {
        Ok(doc) => Some(doc.text.chars().take(MAX_TEXT_CHARS).collect()),
        Err(e) => {
            tracing::warn!("附件「{file_name}」的文字无法读取，只按文件名检索：{e}");
            None
        }
    }
}

/// Every non-empty cell of every sheet, a row per line, cells separated by tabs.
fn spreadsheet_text(file_name: &str, bytes: &[u8]) -> Option<String> {
    use calamine::{Data, Reader};
    let mut book = match calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)) {
        Ok(book) => book,
        Err(e) => {
            tracing::warn!("附件「{file_name}」的表格无法读取，只按文件名检索：{e}");
            return None;
        }
    };
    let mut out = String::new();
    for range in book.worksheets().into_iter().map(|(_, r)| r) {
        for row in range.rows() {
            let cells: Vec<String> = row
                .iter()
                .filter(|c| !matches!(c, Data::Empty))
                .map(|c| c.to_string())
                .collect();
            if !cells.is_empty() {
                out.push_str(&cells.join("\t"));
                out.push('\n');
            }
            if out.len() > MAX_TEXT_CHARS * 3 {
                return Some(out.chars().take(MAX_TEXT_CHARS).collect());
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_in_gb18030_is_read() {
        let (bytes, _, _) = encoding_rs::GB18030.encode("网络意识形态工作");
        assert_eq!(text_of("纪要.TXT", &bytes).as_deref(), Some("网络意识形态工作"));
    }

    #[test]
    fn spreadsheet_cells_are_read() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "阵地名称").unwrap();
        sheet.write_string(1, 0, "新时代文明实践站").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let text = text_of("阵地台账.xlsx", &bytes).unwrap();
        assert!(text.contains("新时代文明实践站"), "{text}");
    }

    #[test]
    fn pictures_are_indexed_by_name_only() {
        assert_eq!(text_of("签到表.jpg", b"\xff\xd8\xff"), None);
    }

    #[test]
    fn a_bad_sha_never_becomes_a_path() {
        assert!(stored_path(Path::new("/f"), "../../etc/passwd").is_none());
    }
}
