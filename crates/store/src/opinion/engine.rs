//! The in-memory side of ingest, kept per store: the compiled rule set of all schemes (rebuilt
//! only when a scheme changes) and the event grouper with the mapping from its events to the
//! stored ones. The grouper is not persisted as such: after a restart it is rebuilt by
//! replaying the recent posts of stored events (those within the grouping window), which is
//! all it needs to keep grouping new posts into the same events.

use shoutu_domain::UnitId;
use shoutu_text::monitor::{EventConfig, EventId, EventIndex, MatchScratch, RuleSet};
use std::collections::HashMap;
use std::sync::Arc;

/// Words that signal a negative post (complaints, protests, accusations). Counted per post
/// of an event; the count feeds the severity formula.
pub(crate) const NEGATIVE_WORDS: &[&str] = &[
    "投诉",
    "上访",
    "维权",
    "不满",
    "黑幕",
    "强拆",
    "讨说法",
    "欺压",
    "腐败",
    "拖欠",
    "克扣",
    "打人",
    "冲突",
    "围堵",
    "抗议",
    "曝光",
    "造假",
    "欺骗",
    "不公",
    "求助",
    "无人管",
    "不作为",
    "乱收费",
    "坑",
    "怒",
];

pub(crate) fn negative_hits(normalized: &str) -> u64 {
    NEGATIVE_WORDS
        .iter()
        .map(|w| normalized.matches(w).count() as u64)
        .sum()
}

/// What a scheme contributes to matching.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SchemeInfo {
    pub unit: UnitId,
    pub topic_weight: f64,
}

pub(crate) struct EngineState {
    /// `COUNT(*)` and latest change of the schemes the rule set was built from.
    pub rules_version: String,
    pub rules: Arc<RuleSet>,
    pub schemes: HashMap<i64, SchemeInfo>,
    pub index: EventIndex,
    /// Grouper event → stored event id.
    pub stored: HashMap<EventId, i64>,
    pub scratch: MatchScratch,
}

impl EngineState {
    pub fn new(rules_version: String, rules: RuleSet, schemes: HashMap<i64, SchemeInfo>) -> Self {
        EngineState {
            rules_version,
            rules: Arc::new(rules),
            schemes,
            index: EventIndex::new(EventConfig::default()),
            stored: HashMap::new(),
            scratch: MatchScratch::default(),
        }
    }
}

/// One per store; ingests take the lock for their whole run, because events are grouped in
/// arrival order by a single grouper.
#[derive(Default)]
pub struct OpinionEngine {
    pub(crate) state: tokio::sync::Mutex<Option<EngineState>>,
}

impl std::fmt::Debug for OpinionEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OpinionEngine")
    }
}
