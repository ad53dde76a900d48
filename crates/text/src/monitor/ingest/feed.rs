//! RSS 2.0 (`<item>`) and Atom (`<entry>`) feeds, read as one stream of events.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::post::Fields;
use super::{IngestIssue, IngestReport};

/// Which field a child element of an item/entry fills, and how strongly: a full
/// body (`content:encoded`, Atom `content`) beats a summary, `published` beats `updated`.
fn target(local: &str) -> Option<(&'static str, u8)> {
    Some(match local {
        "title" => ("title", 1),
        "link" => ("url", 1),
        "guid" | "id" => ("source_id", 1),
        "pubDate" | "published" => ("published_at", 2),
        "date" | "updated" => ("published_at", 1),
        "author" | "creator" | "name" => ("author", 1),
        "encoded" | "content" => ("text", 2),
        "description" | "summary" => ("text", 1),
        _ => return None,
    })
}

struct Item {
    line: usize,
    /// (field, priority, value) as found; the best per field wins.
    found: Vec<(&'static str, u8, String)>,
    /// The child being read and its text so far.
    current: Option<(&'static str, u8, String)>,
}

impl Item {
    fn keep(&mut self, field: &'static str, priority: u8, value: String) {
        if value.trim().is_empty() {
            return;
        }
        match self.found.iter_mut().find(|f| f.0 == field) {
            Some(f) if f.1 < priority => *f = (field, priority, value),
            Some(_) => {}
            None => self.found.push((field, priority, value)),
        }
    }

    fn finish(self, default_source: &str) -> Result<super::Post, IngestIssue> {
        let mut fields = Fields::default();
        fields.set("platform", "网站".to_string());
        for (field, _, value) in self.found {
            let value = if field == "text" || field == "title" {
                strip_html(&value)
            } else {
                value
            };
            fields.set(field, value);
        }
        fields.into_post(self.line, default_source)
    }
}

/// Feeds carry HTML in their bodies; tags and the commonest entities are noise for matching.
fn strip_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    // Entities left inside HTML carried as CDATA; `&amp;` last so it cannot create new ones.
    let mut out = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"");
    out = out.replace("&#39;", "'").replace("&amp;", "&");
    out.trim().to_string()
}

/// An Atom link is the item's URL when it is the alternate (or unlabelled) one.
fn atom_href(e: &BytesStart) -> Option<String> {
    let mut href = None;
    let mut alternate = true;
    for attr in e.attributes().flatten() {
        match attr.key.local_name().as_ref() {
            "href" => {
                href = attr
                    .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .ok()
                    .map(|v| v.into_owned())
            }
            "rel" => alternate = attr.value == "alternate",
            _ => {}
        }
    }
    href.filter(|_| alternate)
}

/// Counts lines up to a byte offset, incrementally (the reader only moves forward).
struct Lines<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
}

impl Lines<'_> {
    fn at(&mut self, pos: usize) -> usize {
        let pos = pos.min(self.text.len());
        if pos > self.pos {
            self.line += self.text.as_bytes()[self.pos..pos]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            self.pos = pos;
        }
        self.line
    }
}

pub(super) fn parse(text: &str, default_source: &str) -> IngestReport {
    let mut report = IngestReport::default();
    let mut reader = Reader::from_str(text);
    let mut lines = Lines { text, pos: 0, line: 1 };
    let mut item: Option<Item> = None;
    let mut saw_feed = false;
    loop {
        let before = reader.buffer_position() as usize;
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => {
                let line = lines.at(reader.error_position() as usize);
                report.issues.push(IngestIssue::new(
                    line,
                    None,
                    format!("XML 格式错误（{e}），此处及之后的内容已跳过"),
                ));
                break;
            }
        };
        match event {
            Event::Start(e) | Event::Empty(e) if item.is_none() => match e.local_name().as_ref() {
                "rss" | "feed" | "RDF" => saw_feed = true,
                "item" | "entry" => {
                    // The tag starts after any whitespace the reader consumed with it.
                    let start = before + text[before..].find('<').unwrap_or(0);
                    item = Some(Item {
                        line: lines.at(start),
                        found: Vec::new(),
                        current: None,
                    });
                }
                _ => {}
            },
            Event::Start(e) => {
                let Some(it) = item.as_mut() else { continue };
                let local = e.local_name();
                if local.as_ref() == "link"
                    && let Some(href) = atom_href(&e)
                {
                    it.keep("url", 2, href);
                }
                if let Some((field, priority)) = target(local.as_ref()) {
                    it.current = Some((field, priority, String::new()));
                }
            }
            Event::Empty(e) => {
                if let Some(it) = item.as_mut()
                    && e.local_name().as_ref() == "link"
                    && let Some(href) = atom_href(&e)
                {
                    it.keep("url", 2, href);
                }
            }
            Event::Text(t) => {
                if let Some((_, _, buf)) = item.as_mut().and_then(|i| i.current.as_mut()) {
                    buf.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some((_, _, buf)) = item.as_mut().and_then(|i| i.current.as_mut()) {
                    buf.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                if let Some((_, _, buf)) = item.as_mut().and_then(|i| i.current.as_mut()) {
                    match r.resolve_char_ref() {
                        Ok(Some(c)) => buf.push(c),
                        _ => buf.push_str(match r.as_ref() {
                            "lt" => "<",
                            "gt" => ">",
                            "amp" => "&",
                            "quot" => "\"",
                            "apos" => "'",
                            _ => "",
                        }),
                    }
                }
            }
            Event::End(e) => {
                let local = e.local_name();
                if matches!(local.as_ref(), "item" | "entry") {
                    if let Some(it) = item.take() {
                        match it.finish(default_source) {
                            Ok(post) => report.posts.push(post),
                            Err(issue) => report.issues.push(issue),
                        }
                    }
                } else if let Some(it) = item.as_mut()
                    && target(local.as_ref()).is_some()
                    && let Some((field, priority, value)) = it.current.take()
                {
                    it.keep(field, priority, value);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_feed && report.posts.is_empty() && report.issues.is_empty() {
        report.issues.push(IngestIssue::new(
            1,
            None,
            "不是 RSS 或 Atom 文件（找不到 <rss> 或 <feed>）",
        ));
    }
    report
}
