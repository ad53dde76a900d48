//! The archive's table of contents: plain HTML with inline CSS, no script, relative links,
//! so it opens from a USB stick on any computer.

use super::names::href;
use super::{ArchiveContents, ArchiveSummary, Section};

pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn size_text(bytes: u64) -> String {
    match bytes {
        b if b >= 1024 * 1024 => format!("{:.1} MB", b as f64 / 1048576.0),
        b if b >= 1024 => format!("{} KB", b / 1024),
        b => format!("{b} 字节"),
    }
}

const STYLE: &str = "body{font-family:\"PingFang SC\",\"Microsoft YaHei\",\"Noto Sans CJK SC\",sans-serif;\
margin:0 auto;max-width:960px;padding:16px;color:#222;line-height:1.6}\
h1{font-size:1.4em;border-bottom:3px solid #b22222;padding-bottom:6px}h2{font-size:1.15em;margin-top:1.6em}\
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;\
vertical-align:top}th{background:#f2f2f2}.muted{color:#666}.missing{color:#b22222;font-weight:bold}\
td a{word-break:break-all}";

pub(crate) fn render(
    contents: &ArchiveContents,
    sections: &[Section],
    attachments: &[Section],
    summary: &ArchiveSummary,
) -> String {
    let title = format!("{}{}年度意识形态工作档案", contents.unit_name, contents.year);
    let mut h = String::new();
    h.push_str("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    h.push_str(&format!(
        "<title>{}</title><style>{STYLE}</style></head><body>\n",
        escape(&title)
    ));
    h.push_str(&format!("<h1>{}</h1>\n", escape(&title)));
    h.push_str(&format!(
        "<p class=\"muted\">单位代码：{}；生成时间：{}；共 {} 个附件。各文件的 SHA-256 校验值见 \
         <a href=\"manifest.sha256\">manifest.sha256</a>，可用 <code>shoutu archive verify</code> 校验。</p>\n",
        escape(&contents.unit_code),
        escape(&contents.generated_at),
        contents.attachments.len()
    ));
    if !summary.missing.is_empty() {
        h.push_str(&format!(
            "<p class=\"missing\">有 {} 个附件的文件缺失，未能归档（见下表中标为“缺失”的行）。</p>\n",
            summary.missing.len()
        ));
    }
    for section in sections {
        h.push_str(&format!("<h2>{}</h2>\n", escape(&section.title)));
        list(&mut h, section);
    }
    h.push_str("<h2>附件</h2>\n");
    if attachments.is_empty() {
        h.push_str("<p class=\"muted\">（无）</p>\n");
    }
    for section in attachments {
        h.push_str(&format!(
            "<h3>{}（{} 个）</h3>\n",
            escape(&section.title),
            section.entries.len()
        ));
        list(&mut h, section);
    }
    h.push_str("</body></html>\n");
    h
}

fn list(h: &mut String, section: &Section) {
    if section.entries.is_empty() {
        h.push_str("<p class=\"muted\">（无）</p>\n");
        return;
    }
    h.push_str("<table><tr><th>日期</th><th>文件</th><th>大小</th></tr>\n");
    for e in &section.entries {
        let date = e.date.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default();
        let file = match &e.missing {
            None => format!("<a href=\"{}\">{}</a>", escape(&href(&e.path)), escape(&e.label)),
            Some(reason) => format!(
                "{} <span class=\"missing\">缺失：{}</span>",
                escape(&e.label),
                escape(reason)
            ),
        };
        let size = e.size.map(size_text).unwrap_or_else(|| "（无数据）".into());
        h.push_str(&format!("<tr><td>{date}</td><td>{file}</td><td>{size}</td></tr>\n"));
    }
    h.push_str("</table>\n");
}
