//! Arbitrary bytes as an uploaded .xlsx, through every entry point that takes one: the
//! ledger import, the platform import and the text extraction the search index runs on
//! attachments. Each must return a result or a refusal, never panic or exhaust memory.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use shoutu_domain::ledger::Catalogue;
use shoutu_report::{ledger_xlsx, platform_xlsx, xlsx_read};

static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(Catalogue::defaults);

fuzz_target!(|data: &[u8]| {
    let _ = ledger_xlsx::read_activities(&CATALOGUE, data);
    let _ = platform_xlsx::read_platforms(data);
    if let Ok(text) = xlsx_read::text(data, 1 << 20) {
        assert!(text.len() <= 1 << 20);
    }
    let _ = shoutu_report::search::text_of("fuzz.xlsx", data);
});
