//! The post every format is read into, and how a record's fields become one.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::IngestIssue;
use super::time::parse_time;

/// One post or article from a monitored platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    /// Where it came from: the feed or export it was read from.
    pub source: String,
    /// The source's own id for the post, if it has one.
    pub source_id: Option<String>,
    /// 微博, 抖音, 论坛, 新闻网站…; `未知` when the record does not say.
    pub platform: String,
    /// The link; empty when the record gave only the source's id.
    pub url: String,
    pub author: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub title: Option<String>,
    pub text: String,
}

impl Post {
    /// The identity used to ignore re-ingested posts: the source's own id within that
    /// source when there is one, else the URL (so the same link reached through two
    /// exports is one post).
    pub fn dedup_key(&self) -> String {
        dedup_key_of(&self.source, self.source_id.as_deref(), &self.url)
    }
}

/// [`Post::dedup_key`] from its parts.
pub fn dedup_key_of(source: &str, source_id: Option<&str>, url: &str) -> String {
    match source_id.map(str::trim).filter(|s| !s.is_empty()) {
        Some(id) => format!("id:{}\u{1f}{id}", source.trim()),
        None => format!("url:{}", canonical_url(url)),
    }
}

/// Trims, drops the fragment and lower-cases scheme and host, which do not change
/// what a link points to; path and query are kept as they are.
fn canonical_url(url: &str) -> String {
    let url = url.trim();
    let url = url.split('#').next().unwrap_or(url);
    match url.find("://") {
        Some(i) => {
            let rest = &url[i + 3..];
            let host_end = rest.find('/').unwrap_or(rest.len());
            format!(
                "{}://{}{}",
                url[..i].to_ascii_lowercase(),
                rest[..host_end].to_ascii_lowercase(),
                &rest[host_end..]
            )
        }
        None => url.to_string(),
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedup_key_prefers_source_id_then_url() {
        assert_eq!(
            dedup_key_of("微博导出", Some("123"), "https://x/1"),
            "id:微博导出\u{1f}123"
        );
        assert_eq!(
            dedup_key_of("a", None, " HTTPS://Example.COM/p?id=1#top "),
            "url:https://example.com/p?id=1"
        );
        assert_eq!(
            dedup_key_of("a", Some("  "), "https://e.cn/x"),
            dedup_key_of("b", None, "https://e.cn/x")
        );
    }
}
