//! Turning bytes into a `Document`: encoding detection for text files, the
//! .docx reader, and the limits that keep bad input from exhausting memory.

use std::io::Read;
use std::path::Path;

use thiserror::Error;

use super::document::Document;
use super::docx;

/// Files larger than this are refused before they are read.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;
/// A zip entry that inflates beyond this is treated as a zip bomb.
pub const MAX_ENTRY_BYTES: u64 = 64 * 1024 * 1024;

const MB: u64 = 1024 * 1024;

#[derive(Debug, Error)]
pub enum LoadError {
    #[error("无法读取文件“{file}”：{reason}")]
    Io { file: String, reason: String },
    #[error(
        "文件“{file}”过大（{:.1} MB），超过 {} MB 的上限，请拆分后再检查",
        *size as f64 / MB as f64,
        MAX_FILE_BYTES / MB
    )]
    TooLarge { file: String, size: u64 },
    #[error("文件“{file}”是空的，没有可检查的内容")]
    Empty { file: String },
    #[error("文件“{file}”不是文本文件（含有二进制内容），请提供 .txt 或 .docx 文件")]
    Binary { file: String },
    #[error(
        "文件“{file}”的编码无法识别：既不是 UTF-8 也不是 GB18030（第 {line} 行有无效字节），请另存为 UTF-8 编码后再检查"
    )]
    Encoding { file: String, line: usize },
    #[error(
        "文件“{file}”混用了两种编码：第 {utf8_line} 行是 UTF-8，第 {other_line} 行不是，请统一另存为 UTF-8 编码后再检查"
    )]
    MixedEncoding {
        file: String,
        utf8_line: usize,
        other_line: usize,
    },
    #[error("文件“{file}”不是有效的 .docx 文件（{reason}），可能已损坏或未完整下载")]
    BadDocx { file: String, reason: String },
    #[error("文件“{file}”中的“{entry}”解压后超过 {} MB，已拒绝处理（疑似压缩炸弹）", MAX_ENTRY_BYTES / MB)]
    ZipBomb { file: String, entry: String },
    #[error("文件“{file}”是旧版 Word（.doc）格式，暂不支持，请在 Word 中另存为 .docx 后再检查")]
    LegacyDoc { file: String },
}

/// Reads and parses a .txt (UTF-8, GB18030, UTF-16 with BOM) or .docx file.
pub fn load_document(path: &Path) -> Result<Document, LoadError> {
    let name = path.display().to_string();
    let io = |e: std::io::Error| LoadError::Io {
        file: name.clone(),
        reason: io_reason(&e),
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if meta.is_dir() {
        return Err(LoadError::Io {
            file: name,
            reason: "这是一个目录，不是文件".into(),
        });
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(LoadError::TooLarge {
            file: name,
            size: meta.len(),
        });
    }
    // The size may change between stat and read: never trust it, cap the read.
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(LoadError::TooLarge {
            file: name,
            size: bytes.len() as u64,
        });
    }
    parse_document(&name, &bytes)
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "文件不存在".into(),
        std::io::ErrorKind::PermissionDenied => "没有读取权限".into(),
        _ => e.to_string(),
    }
}

/// Parses a file already in memory; `name` picks the format by extension and
/// names the file in error messages.
pub fn parse_document(name: &str, bytes: &[u8]) -> Result<Document, LoadError> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(LoadError::TooLarge {
            file: name.into(),
            size: bytes.len() as u64,
        });
    }
    if bytes.is_empty() {
        return Err(LoadError::Empty { file: name.into() });
    }
    let lower = name.to_lowercase();
    let looks_zip = bytes.starts_with(b"PK");
    let compound_file = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    if compound_file && lower.ends_with(".docx") {
        // Word stores password-protected .docx files in the old container.
        return Err(LoadError::BadDocx {
            file: name.into(),
            reason: "文件已加密，或是改了扩展名的旧版 .doc 文件".into(),
        });
    }
    let doc = if lower.ends_with(".docx") || (looks_zip && !lower.ends_with(".txt")) {
        docx::read_docx(name, bytes)?
    } else if lower.ends_with(".doc") || compound_file {
        return Err(LoadError::LegacyDoc { file: name.into() });
    } else {
        Document::from_text(name, decode_text(name, bytes)?)
    };
    if doc.text.trim().is_empty() {
        return Err(LoadError::Empty { file: name.into() });
    }
    Ok(doc)
}

/// UTF-8 first (it almost never validates by accident), then GB18030; a file
/// whose lines disagree is reported as mixed rather than turned into mojibake.
fn decode_text(name: &str, bytes: &[u8]) -> Result<String, LoadError> {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let body = &bytes[bom_len..];
        if enc == encoding_rs::UTF_8 {
            return decode_text(name, body);
        }
        // UTF-16: NUL bytes are expected there, so decode before the binary check.
        let (text, had_errors) = enc.decode_without_bom_handling(body);
        if had_errors {
            return Err(LoadError::Encoding {
                file: name.into(),
                line: 1,
            });
        }
        return finish_text(name, text.into_owned());
    }
    if is_binary(bytes) {
        return Err(LoadError::Binary { file: name.into() });
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return finish_text(name, s.to_owned());
    }
    let mut utf8_line = None;
    let mut other_line = None;
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let non_ascii = line.iter().filter(|b| !b.is_ascii()).count();
        if non_ascii == 0 {
            continue;
        }
        if std::str::from_utf8(line).is_ok() {
            // A GB18030 line validates as UTF-8 by chance only when very short.
            if non_ascii >= 6 && utf8_line.is_none() {
                utf8_line = Some(i + 1);
            }
        } else if other_line.is_none() {
            other_line = Some(i + 1);
        }
    }
    if let (Some(utf8_line), Some(other_line)) = (utf8_line, other_line) {
        return Err(LoadError::MixedEncoding {
            file: name.into(),
            utf8_line,
            other_line,
        });
    }
    match encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) => finish_text(name, text.into_owned()),
        None => Err(LoadError::Encoding {
            file: name.into(),
            line: first_bad_gb18030_line(bytes),
        }),
    }
}

fn finish_text(name: &str, text: String) -> Result<String, LoadError> {
    if text.contains('\0') {
        return Err(LoadError::Binary { file: name.into() });
    }
    // Offsets are reported into this text, so normalise line ends once here.
    Ok(if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    })
}

/// NUL bytes or many control characters in the first 8 KiB mean this is not text.
fn is_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    let controls = head
        .iter()
        .filter(|&&b| b == 0 || (b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0C)))
        .count();
    head.contains(&0) || controls * 20 > head.len()
}

fn first_bad_gb18030_line(bytes: &[u8]) -> usize {
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        if encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(line)
            .is_none()
        {
            return i + 1;
        }
    }
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gb18030_text_is_decoded() {
        let (bytes, _, _) = encoding_rs::GB18030.encode("意识形态工作责任制\n第二行");
        let doc = parse_document("a.txt", &bytes).unwrap();
        assert_eq!(doc.text, "意识形态工作责任制\n第二行");
    }

    #[test]
    fn utf8_with_bom_and_crlf_is_normalised() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice("甲\r\n乙".as_bytes());
        assert_eq!(parse_document("a.txt", &bytes).unwrap().text, "甲\n乙");
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "报告".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(parse_document("a.txt", &bytes).unwrap().text, "报告");
    }

    #[test]
    fn mixed_encodings_are_refused_naming_the_lines() {
        let mut bytes = "第一行是统一编码的文字\n".as_bytes().to_vec();
        let (gb, _, _) = encoding_rs::GB18030.encode("第二行是国标编码的文字\n");
        bytes.extend_from_slice(&gb);
        let err = parse_document("mix.txt", &bytes).unwrap_err();
        assert!(
            matches!(
                err,
                LoadError::MixedEncoding {
                    utf8_line: 1,
                    other_line: 2,
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("mix.txt"));
    }

    #[test]
    fn undecodable_bytes_are_refused() {
        let err = parse_document("bad.txt", &[0x81, 0x20, 0x81, 0x20, b'\n']).unwrap_err();
        assert!(matches!(err, LoadError::Encoding { .. }), "{err}");
        assert!(err.to_string().contains("GB18030"));
    }

    #[test]
    fn empty_and_blank_files_are_refused() {
        assert!(matches!(parse_document("e.txt", b""), Err(LoadError::Empty { .. })));
        assert!(matches!(
            parse_document("e.txt", " \n\u{3000}\n".as_bytes()),
            Err(LoadError::Empty { .. })
        ));
    }

    #[test]
    fn binary_and_legacy_word_files_are_refused() {
        assert!(matches!(
            parse_document("x.txt", &[1, 2, 0, 4, 5]),
            Err(LoadError::Binary { .. })
        ));
        let doc = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        let err = parse_document("old.doc", &doc).unwrap_err();
        assert!(err.to_string().contains(".docx"), "{err}");
    }

    #[test]
    fn oversized_input_is_refused_with_the_limit() {
        let big = vec![b'a'; MAX_FILE_BYTES as usize + 1];
        let err = parse_document("big.txt", &big).unwrap_err();
        assert!(err.to_string().contains("32 MB"), "{err}");
    }

    #[test]
    fn missing_file_names_the_file() {
        let err = load_document(Path::new("/nonexistent/报告.txt")).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/报告.txt"));
        assert!(err.to_string().contains("文件不存在"));
    }
}
