//! A post or article from a monitored platform, and the identity that makes re-ingesting it
//! change nothing. Readers of files and feeds (in `shoutu-text`) produce posts; the store
//! keeps them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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
