//! Reading posts from files: JSON Lines, CSV (UTF-8 or GB18030) and RSS 2.0 / Atom.
//!
//! A malformed record never stops a file: it is skipped and reported with its line
//! number and, where one is to blame, the field, in Chinese (`第 12 行：缺少字段「url」`).
//! Only a file that cannot be read as text at all is an [`IngestError`].

mod csv_file;
mod feed;
mod jsonl;
mod post;
mod time;

use std::fmt;
use std::path::Path;

pub use post::{Post, dedup_key_of};
pub use time::parse_time;

/// One skipped record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IngestIssue {
    /// 1-based line in the file where the record starts.
    pub line: usize,
    /// The field to blame, by its canonical name (`url`, `published_at`…), if any.
    pub field: Option<&'static str>,
    /// The Chinese message, without the line prefix.
    pub message: String,
}

impl fmt::Display for IngestIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "第 {} 行：{}", self.line, self.message)
    }
}

impl IngestIssue {
    pub(crate) fn new(line: usize, field: Option<&'static str>, message: impl Into<String>) -> Self {
        IngestIssue {
            line,
            field,
            message: message.into(),
        }
    }

    pub(crate) fn missing(line: usize, field: &'static str) -> Self {
        IngestIssue::new(line, Some(field), format!("缺少字段「{field}」"))
    }
}

/// What a file yielded: the good posts and the skipped records.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IngestReport {
    pub posts: Vec<Post>,
    pub issues: Vec<IngestIssue>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IngestError {
    #[error("文件既不是 UTF-8 也不是 GB18030 编码的文本，无法读取")]
    Encoding,
    #[error("无法识别文件类型「{0}」：支持 .jsonl、.ndjson、.csv、.xml、.rss、.atom")]
    UnknownFormat(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostFormat {
    JsonLines,
    Csv,
    /// RSS 2.0 or Atom; told apart by the root element.
    Feed,
}

impl PostFormat {
    /// Guesses the format from the file extension.
    pub fn from_path(path: &Path) -> Result<PostFormat, IngestError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        match ext.as_str() {
            "jsonl" | "ndjson" => Ok(PostFormat::JsonLines),
            "csv" => Ok(PostFormat::Csv),
            "xml" | "rss" | "atom" => Ok(PostFormat::Feed),
            _ => Err(IngestError::UnknownFormat(path.display().to_string())),
        }
    }
}

/// Parses a whole file. `default_source` names the source for records that do not
/// name their own (e.g. the feed's configured name, or the file name).
pub fn parse_posts(bytes: &[u8], format: PostFormat, default_source: &str) -> Result<IngestReport, IngestError> {
    let text = decode(bytes)?;
    let mut report = match format {
        PostFormat::JsonLines => jsonl::parse(&text, default_source),
        PostFormat::Csv => csv_file::parse(&text, default_source),
        PostFormat::Feed => feed::parse(&text, default_source),
    };
    report.posts.iter_mut().for_each(drop_control_characters);
    Ok(report)
}

/// A monitoring system's export is outside input: a NUL (which PostgreSQL cannot store in
/// text, so it failed the whole batch) or an escape sequence is dropped, as no reader could
/// see it anyway. Tabs and line breaks stay.
fn drop_control_characters(post: &mut Post) {
    fn clean(s: &mut String) {
        if s.chars().any(unwanted) {
            s.retain(|c| !unwanted(c));
        }
    }
    fn unwanted(c: char) -> bool {
        c.is_control() && !matches!(c, '\t' | '\n' | '\r')
    }
    for field in [&mut post.source, &mut post.platform, &mut post.url, &mut post.text] {
        clean(field);
    }
    for field in [&mut post.source_id, &mut post.author, &mut post.title]
        .into_iter()
        .flatten()
    {
        clean(field);
    }
}

/// UTF-8 (with or without BOM), else GB18030, which exports from Chinese office
/// software still use; anything else is refused rather than garbled.
fn decode(bytes: &[u8]) -> Result<String, IngestError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_string());
    }
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if had_errors {
        Err(IngestError::Encoding)
    } else {
        Ok(text.into_owned())
    }
}
