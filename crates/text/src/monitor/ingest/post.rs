//! How a record's fields become a [`Post`], the type every format is read into.

pub use shoutu_domain::opinion::{Post, dedup_key_of};

use super::IngestIssue;
use super::time::parse_time;

/// The canonical field names and the header names they are also known by in
/// exports (English and Chinese).
pub(crate) const FIELDS: [(&str, &[&str]); 8] = [
    ("source", &["source", "来源"]),
    ("source_id", &["source_id", "id", "编号", "信息id"]),
    ("platform", &["platform", "平台"]),
    ("url", &["url", "link", "链接", "网址", "原文链接"]),
    ("author", &["author", "作者", "发布者"]),
    (
        "published_at",
        &["published_at", "published", "time", "发布时间", "时间"],
    ),
    ("title", &["title", "标题"]),
    ("text", &["text", "content", "body", "正文", "内容"]),
];

/// Maps a header or JSON key to its canonical field name.
pub(crate) fn canonical_field(name: &str) -> Option<&'static str> {
    let name = name.trim().to_lowercase();
    FIELDS
        .iter()
        .find(|(_, aliases)| aliases.contains(&name.as_str()))
        .map(|(f, _)| *f)
}

/// A record's values by canonical field, before checking.
#[derive(Default)]
pub(crate) struct Fields {
    values: [Option<String>; 8],
}

impl Fields {
    pub(crate) fn set(&mut self, field: &'static str, value: String) {
        if let Some(i) = FIELDS.iter().position(|(f, _)| *f == field) {
            let value = value.trim().to_string();
            if !value.is_empty() {
                self.values[i] = Some(value);
            }
        }
    }

    fn take(&mut self, field: &'static str) -> Option<String> {
        FIELDS
            .iter()
            .position(|(f, _)| *f == field)
            .and_then(|i| self.values[i].take())
    }

    /// Checks the record and builds the post: a URL (or the source's id) and some
    /// text (the title serves when the body is empty) are required; a time that is
    /// present must be readable.
    pub(crate) fn into_post(mut self, line: usize, default_source: &str) -> Result<Post, IngestIssue> {
        let source_id = self.take("source_id");
        let url = match (self.take("url"), &source_id) {
            (Some(u), _) => u,
            (None, Some(_)) => String::new(),
            (None, None) => return Err(IngestIssue::missing(line, "url")),
        };
        let title = self.take("title");
        let text = match (self.take("text"), &title) {
            (Some(t), _) => t,
            (None, Some(t)) => t.clone(),
            (None, None) => return Err(IngestIssue::missing(line, "text")),
        };
        let published_at = match self.take("published_at") {
            None => None,
            Some(s) => Some(parse_time(&s).ok_or_else(|| {
                IngestIssue::new(
                    line,
                    Some("published_at"),
                    format!("字段「published_at」的时间「{s}」无法识别"),
                )
            })?),
        };
        Ok(Post {
            source: self.take("source").unwrap_or_else(|| default_source.to_string()),
            source_id,
            platform: self.take("platform").unwrap_or_else(|| "未知".to_string()),
            url,
            author: self.take("author"),
            published_at,
            title,
            text,
        })
    }
}
