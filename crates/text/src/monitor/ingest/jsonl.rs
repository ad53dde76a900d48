//! JSON Lines: one JSON object per line; blank lines are ignored.

use super::post::{Fields, canonical_field};
use super::{IngestIssue, IngestReport};

pub(super) fn parse(text: &str, default_source: &str) -> IngestReport {
    let mut report = IngestReport::default();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                report.issues.push(IngestIssue::new(
                    line_no,
                    None,
                    format!("不是有效的 JSON（第 {} 列附近）", e.column()),
                ));
                continue;
            }
        };
        let serde_json::Value::Object(map) = value else {
            report
                .issues
                .push(IngestIssue::new(line_no, None, "应为一个 JSON 对象（{…}）"));
            continue;
        };
        let mut fields = Fields::default();
        let mut bad_field = None;
        for (key, value) in map {
            let Some(field) = canonical_field(&key) else { continue };
            match value {
                serde_json::Value::String(s) => fields.set(field, s),
                serde_json::Value::Number(n) => fields.set(field, n.to_string()),
                serde_json::Value::Null => {}
                _ => {
                    bad_field = Some(field);
                    break;
                }
            }
        }
        if let Some(field) = bad_field {
            report.issues.push(IngestIssue::new(
                line_no,
                Some(field),
                format!("字段「{field}」应为文字或数字"),
            ));
            continue;
        }
        match fields.into_post(line_no, default_source) {
            Ok(post) => report.posts.push(post),
            Err(issue) => report.issues.push(issue),
        }
    }
    report
}
