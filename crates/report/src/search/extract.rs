//! Text inside attachments: .docx and .txt (UTF-8 or GB18030) through the proofreader's
//! readers, .xlsx spreadsheets cell by cell (.xls by file name only). PDF and images are found by their file
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
    read_text(file_name, bytes).unwrap_or_else(|reason| {
        tracing::warn!("{reason}，只按文件名检索");
        None
    })
}

/// The text of a file, `None` for kinds indexed by name only, or why it cannot be read.
fn read_text(file_name: &str, bytes: &[u8]) -> Result<Option<String>, String> {
    let lower = file_name.to_lowercase();
    if lower.ends_with(".xlsx") {
        return crate::xlsx_read::text(bytes, MAX_TEXT_CHARS * 3)
            .map(|text| Some(text.chars().take(MAX_TEXT_CHARS).collect()))
            .map_err(|e| format!("附件{}", e.message(file_name)));
    }
    // Legacy .xls is indexed by name only: calamine sizes its buffers from what the file
    // claims, so a few hundred bytes could exhaust memory.
    if !(lower.ends_with(".docx") || lower.ends_with(".txt")) {
        return Ok(None);
    }
    shoutu_text::proofread::parse_document(file_name, bytes)
        .map(|doc| Some(doc.text.chars().take(MAX_TEXT_CHARS).collect()))
        .map_err(|e| format!("附件「{file_name}」的文字无法读取：{e}"))
}

/// The text of a stored upload: empty when it is missing or of a kind indexed by name only,
/// an error when it cannot be read.
pub(crate) fn stored_text(files_dir: &Path, file_name: &str, sha256: &str) -> Result<String, String> {
    use std::io::Read;
    let Some(path) = stored_path(files_dir, sha256) else {
        return Ok(String::new());
    };
    let Ok(file) = std::fs::File::open(&path) else {
        return Ok(String::new());
    };
    let mut bytes = Vec::new();
    let limit = shoutu_text::proofread::MAX_FILE_BYTES;
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("附件「{file_name}」无法读取：{e}"))?;
    if bytes.len() as u64 > limit {
        return Err(format!("附件「{file_name}」超过 {} MB", limit / 1024 / 1024));
    }
    Ok(read_text(file_name, &bytes)?.unwrap_or_default())
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
