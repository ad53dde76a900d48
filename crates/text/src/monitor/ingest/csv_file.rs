//! CSV with a header row naming the fields (English or Chinese names, see
//! `post::FIELDS`); unknown columns are ignored.

use super::post::{Fields, canonical_field};
use super::{IngestIssue, IngestReport};

pub(super) fn parse(text: &str, default_source: &str) -> IngestReport {
    let mut report = IngestReport::default();
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let columns: Vec<Option<&'static str>> = match reader.headers() {
        Ok(h) => h.iter().map(canonical_field).collect(),
        Err(_) => {
            report.issues.push(IngestIssue::new(1, None, "无法读取表头行"));
            return report;
        }
    };
    if !columns.contains(&Some("url")) && !columns.contains(&Some("source_id")) {
        report.issues.push(IngestIssue::new(
            1,
            Some("url"),
            "表头缺少字段「url」（或「source_id」），每条记录都无法识别",
        ));
        return report;
    }
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(0, |p| p.line() as usize);
                let mut fields = Fields::default();
                for (value, column) in record.iter().zip(&columns) {
                    if let Some(field) = column {
                        fields.set(field, value.to_string());
                    }
                }
                match fields.into_post(line, default_source) {
                    Ok(post) => report.posts.push(post),
                    Err(issue) => report.issues.push(issue),
                }
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                report
                    .issues
                    .push(IngestIssue::new(line, None, "CSV 格式错误，此行已跳过"));
                // The csv reader cannot resume inside a broken quoted field.
                if !matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. }) {
                    break;
                }
            }
        }
    }
    report
}
