//! Attachment bytes on disk, addressed by their SHA-256: the same photo uploaded twice is
//! stored once, and a file's name on disk says nothing about its content.

use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The default upload limit; `--max-upload-mb` changes it.
pub const DEFAULT_MAX_BYTES: usize = 20 * 1024 * 1024;

/// Kinds of evidence an office keeps: photos, scans, minutes. Decided by the bytes, never by
/// the file name, so a renamed executable or web page is refused.
const ALLOWED: [(&str, &str); 7] = [
    ("image/jpeg", "JPEG 图片"),
    ("image/png", "PNG 图片"),
    ("image/webp", "WebP 图片"),
    ("application/pdf", "PDF 文件"),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word 文档（.docx）",
    ),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Excel 表格（.xlsx）",
    ),
    ("application/vnd.ms-excel", "Excel 表格（.xls）"),
];

pub fn allowed_kinds() -> String {
    ALLOWED.iter().map(|(_, label)| *label).collect::<Vec<_>>().join("、")
}

/// The media type of an upload, judged by its content; the error names the file.
pub fn sniff(file_name: &str, bytes: &[u8], max_bytes: usize) -> Result<&'static str, String> {
    if bytes.is_empty() {
        return Err(format!("附件「{file_name}」是空文件"));
    }
    if bytes.len() > max_bytes {
        return Err(format!(
            "附件「{file_name}」有 {}，超过 {} 的上限",
            size_text(bytes.len()),
            size_text(max_bytes)
        ));
    }
    let found = infer::get(bytes).map(|t| t.mime_type());
    match found.and_then(|m| ALLOWED.iter().find(|(mime, _)| *mime == m)) {
        Some((mime, _)) => Ok(mime),
        None => Err(format!(
            "附件「{file_name}」的内容不是允许的类型（{}）{}",
            allowed_kinds(),
            found.map(|m| format!("，实际为 {m}")).unwrap_or_default()
        )),
    }
}

/// 20 MB, 350 KB: sizes as the limit and the file are talked about.
fn size_text(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / 1048576.0).replace(".0 MB", " MB")
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

#[derive(Debug, Clone)]
pub struct FileStore {
    root: PathBuf,
}

impl FileStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        FileStore { root: root.into() }
    }

    fn path_of(&self, sha256: &str) -> Option<PathBuf> {
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        Some(self.root.join(&sha256[..2]).join(sha256))
    }

    /// Writes the bytes (once) and returns their SHA-256. The file appears under its final
    /// name only when complete, so a crash leaves no half-written evidence.
    pub fn save(&self, bytes: &[u8]) -> std::io::Result<String> {
        let sha256 = hex::encode(Sha256::digest(bytes));
        let path = self.path_of(&sha256).expect("a digest is 64 hex digits");
        if path.exists() {
            return Ok(sha256);
        }
        let dir = path.parent().expect("files sit in a subfolder");
        std::fs::create_dir_all(dir)?;
        let tmp = dir.join(format!(".{sha256}.{}.tmp", std::process::id()));
        {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, &path)?;
        Ok(sha256)
    }

    pub fn read(&self, sha256: &str) -> std::io::Result<Vec<u8>> {
        match self.path_of(sha256) {
            Some(p) => std::fs::read(p),
            None => Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a digest")),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = &[
        0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R',
    ];

    #[test]
    fn types_are_judged_by_content_not_by_name() {
        assert_eq!(sniff("签到表.jpg", PNG, 1024).unwrap(), "image/png");
        let err = sniff("会议纪要.pdf", b"<html><script>alert(1)</script></html>", 1024).unwrap_err();
        assert!(err.contains("会议纪要.pdf") && err.contains("不是允许的类型"), "{err}");
        assert!(sniff("大文件.png", PNG, 8).unwrap_err().contains("超过"));
        assert!(sniff("空.png", b"", 8).unwrap_err().contains("空文件"));
    }

    #[test]
    fn the_same_bytes_are_stored_once_under_their_digest() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path());
        let a = store.save(PNG).unwrap();
        let b = store.save(PNG).unwrap();
        assert_eq!(a, b);
        assert_eq!(store.read(&a).unwrap(), PNG);
        assert!(store.read("../../etc/passwd").is_err());
    }
}
