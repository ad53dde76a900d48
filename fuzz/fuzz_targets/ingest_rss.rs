//! Arbitrary bytes (UTF-8 or GB18030) as a rss file of posts: the reader must return a report or an
//! IngestError, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shoutu_text::monitor::{PostFormat, parse_posts};

fuzz_target!(|data: &[u8]| {
    let _ = parse_posts(data, PostFormat::Feed, "fuzz");
});
