//! Arbitrary text as what a user types into the search box, against a small index built
//! once: the query must be built and run without panicking or overflowing the stack,
//! however many brackets, operators or characters it holds.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use shoutu_domain::audit::AuditEntry;
use shoutu_report::search::{SearchIndex, SearchRequest};
use shoutu_store::SearchFeedStore;

/// A fixed audit log of a few records, as the store would feed it.
struct Feed(Vec<AuditEntry>);

#[async_trait::async_trait]
impl SearchFeedStore for Feed {
    async fn search_feed_after(&self, after_seq: i64, limit: i64) -> shoutu_store::Result<Vec<AuditEntry>> {
        Ok(self
            .0
            .iter()
            .filter(|e| e.seq > after_seq)
            .take(limit as usize)
            .cloned()
            .collect())
    }

    async fn search_feed_head(&self) -> shoutu_store::Result<i64> {
        Ok(self.0.last().map_or(0, |e| e.seq))
    }
}

fn entry(seq: i64, unit: i64, record_type: &str, after: &str) -> AuditEntry {
    AuditEntry {
        seq,
        at: format!("2026-03-01T08:00:{seq:02}.000000Z"),
        actor_user_id: Some(1),
        actor_name: "测试".into(),
        unit_id: Some(unit),
        record_type: record_type.into(),
        record_id: seq.to_string(),
        action: "create".into(),
        before: None,
        after: Some(after.into()),
        prev_hash: String::new(),
        hash: format!("h{seq}"),
    }
}

static INDEX: LazyLock<SearchIndex> = LazyLock::new(|| {
    let files = std::env::temp_dir().join("shoutu-fuzz-search-files");
    let index = SearchIndex::in_memory(files).expect("an index in memory");
    let feed = Feed(vec![
        entry(
            1,
            1,
            "activity",
            r#"{"topic":"学习贯彻党的二十届四中全会精神专题研讨","summary":"(会议) & 学习 | 传达 NEAR/5 \"精神\""}"#,
        ),
        entry(
            2,
            1,
            "activity",
            r#"{"topic":"意识形态工作责任制落实情况","summary":"AND OR NOT title:x body:[a TO b] ~2 ^3 * ? \\"}"#,
        ),
        entry(
            3,
            2,
            "problem",
            r#"{"title":"网络舆情处置不及时","description":"拆迁补偿 呼和诺尔镇"}"#,
        ),
    ]);
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime")
        .block_on(index.catch_up(&feed))
        .expect("the index takes the feed");
    index
});

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (kind, text) = match text.split_once('\n') {
        Some((k, t)) if k.len() <= 16 => (Some(k), t),
        _ => (None, text.as_ref()),
    };
    let hits = INDEX
        .search(&SearchRequest {
            text,
            units: &[1, 2],
            kind,
            offset: 0,
            limit: 10,
        })
        .expect("a search over the index answers");
    assert!(hits.hits.len() <= 10);
});
