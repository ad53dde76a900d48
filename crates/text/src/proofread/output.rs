//! Rendering findings: compiler-style text and a JSON array.

use serde::Serialize;

use super::finding::{Finding, Severity};

/// Characters of context shown on each side of a span in long paragraphs.
const CONTEXT_CHARS: usize = 24;

/// Display width of a character in a terminal: CJK and full-width forms take
/// two columns.
fn width(c: char) -> usize {
    let u = c as u32;
    let wide = matches!(u,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x1F300..=0x1F64F | 0x1F900..=0x1F9FF | 0x20000..=0x3FFFD);
    if wide {
        2
    } else if c.is_control() {
        0
    } else {
        1
    }
}

/// `file:line:column: severity[rule] message`, the line with the span marked
/// by `^`, and `建议：…` when there is a suggestion.
pub fn render_text(file_name: &str, doc_text: &str, findings: &[Finding]) -> String {
    let lines: Vec<&str> = doc_text.split('\n').collect();
    let mut out = String::new();
    for f in findings {
        out.push_str(&format!(
            "{file_name}:{}:{}: {}[{}] {}\n",
            f.line,
            f.column,
            f.severity.as_str(),
            f.rule,
            f.message
        ));
        let gutter = f.line.to_string();
        let blank = " ".repeat(gutter.len());
        // Page-level findings (margins, grid) concern no particular text.
        if f.start == f.end {
            if let Some(s) = &f.suggestion {
                out.push_str(&format!("{blank} = 建议：{s}\n"));
            }
            out.push('\n');
            continue;
        }
        let line: Vec<char> = lines
            .get(f.line - 1)
            .map(|l| {
                l.trim_end_matches('\r')
                    .chars()
                    .map(|c| if c == '\t' { ' ' } else { c })
                    .collect()
            })
            .unwrap_or_default();
        let col = f.column - 1;
        let span = (f.end - f.start).min(line.len().saturating_sub(col));
        let from = col.saturating_sub(CONTEXT_CHARS);
        let to = (col + span + CONTEXT_CHARS).min(line.len());
        let mut shown = String::new();
        let mut pad = 0;
        if from > 0 {
            shown.push('…');
            pad += 1;
        }
        for (i, &c) in line[from..to].iter().enumerate() {
            if from + i < col {
                pad += width(c);
            }
            shown.push(c);
        }
        if to < line.len() {
            shown.push('…');
        }
        let marks: usize = line[col.min(line.len())..(col + span).min(line.len())]
            .iter()
            .map(|&c| width(c))
            .sum();
        out.push_str(&format!(
            "{blank} |\n{gutter} | {shown}\n{blank} | {}{}\n",
            " ".repeat(pad),
            "^".repeat(marks.max(1))
        ));
        if let Some(s) = &f.suggestion {
            out.push_str(&format!("{blank} = 建议：{s}\n"));
        }
        out.push('\n');
    }
    out.push_str(&summary(file_name, findings));
    out
}

/// One line counting the findings of a file.
pub fn summary(file_name: &str, findings: &[Finding]) -> String {
    if findings.is_empty() {
        return format!("{file_name}: 未发现问题\n");
    }
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    format!(
        "{file_name}: 共 {} 处问题（错误 {}，警告 {}，提示 {}）\n",
        findings.len(),
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    )
}

#[derive(Serialize)]
struct FileFinding<'a> {
    file: &'a str,
    #[serde(flatten)]
    finding: &'a Finding,
}

/// A JSON array of findings, each with `file`, `rule`, `severity`, `line`,
/// `column`, `start`, `end`, `text`, `message` and `suggestion` (or null).
pub fn render_json(file_name: &str, findings: &[Finding]) -> String {
    render_json_files(&[(file_name, findings)])
}

/// The same array for several files at once.
pub fn render_json_files(files: &[(&str, &[Finding])]) -> String {
    let all: Vec<FileFinding> = files
        .iter()
        .flat_map(|(file, fs)| fs.iter().map(move |finding| FileFinding { file, finding }))
        .collect();
    serde_json::to_string_pretty(&all).unwrap_or_else(|_| "[]".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(line: usize, column: usize, start: usize, end: usize, text: &str) -> Finding {
        Finding {
            rule: "dup.word".into(),
            severity: Severity::Error,
            line,
            column,
            start,
            end,
            text: text.into(),
            message: "“推动”重复出现".into(),
            suggestion: Some("推动".into()),
        }
    }

    #[test]
    fn text_marks_the_span_under_double_width_characters() {
        let text = "标题\n要推动推动工作";
        let out = render_text("a.txt", text, &[finding(2, 2, 4, 8, "推动推动")]);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "a.txt:2:2: error[dup.word] “推动”重复出现");
        assert_eq!(lines[2], "2 | 要推动推动工作");
        // 要 is two columns wide, the span four characters of two columns.
        assert_eq!(lines[3], "  |   ^^^^^^^^");
        assert_eq!(lines[4], "  = 建议：推动");
        assert!(out.ends_with("a.txt: 共 1 处问题（错误 1，警告 0，提示 0）\n"));
    }

    #[test]
    fn page_level_findings_show_no_snippet() {
        let f = Finding {
            rule: "layout.margin".into(),
            severity: Severity::Warning,
            ..finding(1, 1, 0, 0, "")
        };
        let out = render_text("a.docx", "标题", &[f]);
        assert!(out.starts_with("a.docx:1:1: warning[layout.margin]"), "{out}");
        assert!(!out.contains('^'), "{out}");
    }

    #[test]
    fn long_lines_are_cut_around_the_span() {
        let line = format!("{}推动推动{}", "甲".repeat(100), "乙".repeat(100));
        let out = render_text("a.txt", &line, &[finding(1, 101, 100, 104, "推动推动")]);
        let shown = out.lines().nth(2).unwrap();
        assert!(shown.starts_with("1 | …甲") && shown.ends_with("乙…"), "{shown}");
        assert_eq!(shown.chars().count(), "1 | ".len() + 24 + 4 + 24 + 2);
    }

    #[test]
    fn json_has_the_documented_fields() {
        let json = render_json("a.txt", &[finding(2, 2, 4, 8, "推动推动")]);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let f = &v[0];
        assert_eq!(f["file"], "a.txt");
        assert_eq!(f["severity"], "error");
        assert_eq!(f["rule"], "dup.word");
        assert_eq!(f["line"], 2);
        assert_eq!(f["column"], 2);
        assert_eq!(f["start"], 4);
        assert_eq!(f["end"], 8);
        assert_eq!(f["text"], "推动推动");
        assert_eq!(f["suggestion"], "推动");
        let none = Finding {
            suggestion: None,
            ..finding(1, 1, 0, 1, "x")
        };
        let v: serde_json::Value = serde_json::from_str(&render_json("a", &[none])).unwrap();
        assert!(v[0]["suggestion"].is_null());
    }
}
