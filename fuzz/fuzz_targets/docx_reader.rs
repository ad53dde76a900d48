//! Arbitrary bytes as a .docx: the reader must return Ok or a LoadError,
//! never panic, and anything it reads must check without panicking.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use shoutu_text::proofread::{Checker, parse_document};

static CHECKER: OnceLock<Checker> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = parse_document("fuzz.docx", data) {
        let findings = CHECKER.get_or_init(Checker::new).check_document(&doc);
        let n = doc.text.chars().count();
        assert!(findings.iter().all(|f| f.start <= f.end && f.end <= n));
    }
});
