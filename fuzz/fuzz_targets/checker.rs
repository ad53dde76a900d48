//! Arbitrary text through the checker and both renderers: offsets must stay
//! inside the text and nothing may panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use shoutu_text::proofread::{Checker, output, parse_document};

static CHECKER: OnceLock<Checker> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let checker = CHECKER.get_or_init(Checker::new);
    let Ok(doc) = parse_document("fuzz.txt", data) else {
        return;
    };
    let findings = checker.check_document(&doc);
    let n = doc.text.chars().count();
    for f in &findings {
        assert!(f.start <= f.end && f.end <= n, "{f:?}");
        assert!(f.line >= 1 && f.column >= 1);
    }
    let _ = output::render_text("fuzz.txt", &doc.text, &findings);
    let _ = output::render_json("fuzz.txt", &findings);
});
