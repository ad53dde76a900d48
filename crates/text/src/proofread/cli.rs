use std::io::Write;
use std::path::PathBuf;

use super::checker::Checker;
use super::finding::{Finding, Severity};
use super::load::load_document;
use super::output;

/// `shoutu check [--format json] FILE…`: prints findings and returns the exit
/// code: 2 if a file cannot be read, else 1 if any error-level finding, else 0.
pub fn run_check_cli(files: &[PathBuf], json: bool, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let checker = Checker::new();
    let mut unreadable = false;
    let mut any_error = false;
    let mut results: Vec<(String, Vec<Finding>)> = Vec::new();
    if files.is_empty() {
        let _ = writeln!(err, "没有指定要检查的文件");
        return 2;
    }
    for path in files {
        match load_document(path) {
            Ok(doc) => {
                let findings = checker.check_document(&doc);
                any_error |= findings.iter().any(|f| f.severity == Severity::Error);
                if !json {
                    let _ = out.write_all(output::render_text(&doc.name, &doc.text, &findings).as_bytes());
                }
                results.push((doc.name, findings));
            }
            Err(e) => {
                unreadable = true;
                let _ = writeln!(err, "错误：{e}");
            }
        }
    }
    if json {
        let files: Vec<(&str, &[Finding])> = results.iter().map(|(n, f)| (n.as_str(), f.as_slice())).collect();
        let _ = writeln!(out, "{}", output::render_json_files(&files));
    }
    let _ = out.flush();
    if unreadable {
        2
    } else if any_error {
        1
    } else {
        0
    }
}
