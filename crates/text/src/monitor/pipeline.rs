//! The text side of ingest, between reading posts and storing them:
//!
//! 1. [`Matcher::screen`] folds every post and matches it against all schemes at once,
//!    keeping only the schemes that may watch the post's source (a [`Watch`]: the schemes
//!    of the units above and below the source's, never another branch's). This is the
//!    costly part; it needs only
//!    the compiled rules, so it can run on another core while the previous chunk is written;
//! 2. the caller asks the store which of the matched posts it already has;
//! 3. [`Grouper::batch`] groups the new matched posts into events, in arrival order, and
//!    returns the [`IngestBatch`] the store writes;
//! 4. [`Grouper::confirm`] learns the ids the store gave the batch's new events.
//!
//! The grouper is memory only; after a restart it is rebuilt with [`Grouper::replay`]
//! from the stored posts of recent events.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use chrono::{DateTime, Duration, Utc};
use shoutu_domain::FieldError;
use shoutu_domain::UnitId;
use shoutu_domain::opinion::{
    BatchPost, EventGrowth, EventSlot, IngestBatch, NewEvent, NewScheme, Post, SchemeSnapshot,
};

use super::event::{EventConfig, EventId, EventIndex};
use super::normalize::normalize;
use super::rule::parse_rule;
use super::ruleset::{RuleId, RuleSet};

/// The shipped negative-sentiment lexicon (see the file's header).
const NEGATIVE: &str = include_str!("../../data/monitor/negative.txt");

static NEGATIVE_WORDS: LazyLock<Vec<String>> = LazyLock::new(|| {
    NEGATIVE
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(normalize)
        .collect()
});

/// Occurrences of negative-lexicon words in a text, for the severity formula.
pub fn negative_hits(text: &str) -> u64 {
    let folded = normalize(text);
    NEGATIVE_WORDS
        .iter()
        .map(|w| folded.matches(w.as_str()).count() as u64)
        .sum()
}

/// A scheme as the form gives it, refused with the rule's error position when the rule
/// does not parse.
pub fn parse_scheme(
    unit_id: UnitId,
    name: &str,
    rule: &str,
    topic_weight: &str,
    active: bool,
) -> Result<NewScheme, FieldError> {
    let scheme = NewScheme::parse(unit_id, name, rule, topic_weight, active)?;
    parse_rule(&scheme.rule).map_err(|e| FieldError::new("监测规则", e.to_string()))?;
    Ok(scheme)
}

/// Keywords of a risk point: separated by spaces, commas, 、 or semicolons.
fn risk_keywords(keywords: &str) -> Vec<String> {
    keywords
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；'))
        .map(normalize)
        .filter(|k| !k.is_empty())
        .collect()
}

/// The first risk point (of `(id, keywords)`, in the order given) one of whose keywords
/// the text contains, both normalised.
pub fn risk_point_for<'a>(text: &str, risks: impl IntoIterator<Item = (i64, &'a str)>) -> Option<i64> {
    let text = normalize(text);
    risks.into_iter().find_map(|(id, keywords)| {
        risk_keywords(keywords)
            .iter()
            .any(|k| text.contains(k.as_str()))
            .then_some(id)
    })
}

#[derive(Debug, Clone, Copy)]
struct SchemeInfo {
    unit: UnitId,
    topic_weight: f64,
}

/// Every active scheme compiled into one rule set. Immutable, so one can be shared by
/// threads; rebuilt when the snapshot's version changes.
pub struct Matcher {
    version: String,
    rules: RuleSet,
    schemes: HashMap<i64, SchemeInfo>,
}

/// The schemes that may watch one source: those of its own unit and of the units above and
/// below it, never of another branch. Made once per ingest from the matcher's scheme set,
/// so screening a post costs one set look-up per match.
#[derive(Debug, Clone, Default)]
pub struct Watch {
    schemes: HashSet<i64>,
}

/// A post after screening.
#[derive(Debug, Clone)]
struct Screened {
    post: Post,
    key: String,
    published_at: DateTime<Utc>,
    /// The first matching scheme, with the post's negative-lexicon hits.
    matched: Option<(i64, u64)>,
}

/// A chunk after screening: each post once, in order.
#[derive(Debug, Clone, Default)]
pub struct ScreenedChunk {
    posts: Vec<Screened>,
    /// Posts that repeated an earlier one of the same chunk.
    repeated: usize,
}

impl ScreenedChunk {
    /// Keys of the matched posts: the store is asked which of these it has, because
    /// only new posts may be grouped.
    pub fn matched_keys(&self) -> Vec<String> {
        self.posts
            .iter()
            .filter(|p| p.matched.is_some())
            .map(|p| p.key.clone())
            .collect()
    }

    pub fn len(&self) -> usize {
        self.posts.len() + self.repeated
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Matcher {
    /// Compiles the snapshot. A stored rule that no longer parses (a newer parser) is
    /// left out rather than stopping all monitoring; schemes were checked when saved.
    pub fn compile(snapshot: &SchemeSnapshot) -> Matcher {
        let valid: Vec<_> = snapshot
            .schemes
            .iter()
            .filter(|s| parse_rule(&s.rule).is_ok())
            .collect();
        let rules =
            RuleSet::compile(valid.iter().map(|s| (RuleId(s.id), s.rule.as_str()))).expect("rules that parse compile");
        let schemes = valid
            .iter()
            .map(|s| {
                (
                    s.id,
                    SchemeInfo {
                        unit: s.unit_id,
                        topic_weight: s.topic_weight,
                    },
                )
            })
            .collect();
        Matcher {
            version: snapshot.version.clone(),
            rules,
            schemes,
        }
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    /// The schemes of `units` (those that may watch a source, as the store names them).
    pub fn watch(&self, units: &[UnitId]) -> Watch {
        let units: HashSet<UnitId> = units.iter().copied().collect();
        Watch {
            schemes: self
                .schemes
                .iter()
                .filter(|(_, info)| units.contains(&info.unit))
                .map(|(id, _)| *id)
                .collect(),
        }
    }

    /// Deduplicates the chunk within itself and matches every post against the schemes
    /// `watch` allows. Posts are named as coming from `source`; those without a time are
    /// placed at `now`.
    pub fn screen(&self, source: &str, watch: &Watch, chunk: Vec<Post>, now: DateTime<Utc>) -> ScreenedChunk {
        let mut seen: HashSet<String> = HashSet::with_capacity(chunk.len());
        let mut out = ScreenedChunk {
            posts: Vec::with_capacity(chunk.len()),
            repeated: 0,
        };
        let mut combined = String::new();
        for mut post in chunk {
            if post.source != source {
                post.source = source.to_string();
            }
            let key = post.dedup_key();
            if !seen.insert(key.clone()) {
                out.repeated += 1;
                continue;
            }
            let text: &str = match &post.title {
                Some(t) if !post.text.starts_with(t.as_str()) => {
                    combined.clear();
                    combined.push_str(t);
                    combined.push('\n');
                    combined.push_str(&post.text);
                    &combined
                }
                _ => &post.text,
            };
            let matched = self
                .rules
                .matches(text)
                .iter()
                .find(|m| watch.schemes.contains(&m.rule.0))
                .map(|m| (m.rule.0, negative_hits(text)));
            out.posts.push(Screened {
                published_at: post.published_at.unwrap_or(now),
                post,
                key,
                matched,
            });
        }
        out
    }
}

/// New events of a batch in the grouper's terms, until the store has named them.
#[derive(Debug, Default)]
pub struct PendingEvents {
    ids: Vec<(EventId, UnitId)>,
}

/// The single-pass event grouper with the mapping from its events to the stored ones.
/// Posts are grouped in arrival order, so one grouper serves one database at a time.
///
/// The index clusters similar posts whatever scheme matched them; a cluster holds one
/// stored event per unit, so posts matched for one unit never grow another unit's event.
/// A cluster that posts of several units reached describes none of them: each unit's
/// event then takes its headline and growth from its own posts.
pub struct Grouper {
    index: EventIndex,
    stored: HashMap<(EventId, UnitId), i64>,
    /// The unit whose posts started each open cluster.
    first_unit: HashMap<EventId, UnitId>,
    /// Clusters that posts of more than one unit reached.
    mixed: HashSet<EventId>,
}

impl Default for Grouper {
    fn default() -> Self {
        Grouper::new()
    }
}

impl Grouper {
    pub fn new() -> Grouper {
        Grouper {
            index: EventIndex::new(EventConfig::default()),
            stored: HashMap::new(),
            first_unit: HashMap::new(),
            mixed: HashSet::new(),
        }
    }

    /// How far back stored posts must be replayed to rebuild the grouper: an event
    /// with no post for this long takes no more.
    pub fn window() -> Duration {
        Duration::hours(EventConfig::default().decay_hours)
    }

    /// Feeds a stored post of a stored event of `unit` back in (oldest first).
    pub fn replay(&mut self, event_id: i64, unit: UnitId, post: &Post, at: DateTime<Utc>) {
        let idx = self.index.assign_at(post, at);
        self.joined(idx, unit);
        self.stored.insert((idx, unit), event_id);
    }

    /// Notes that a post of `unit` joined cluster `idx`; whether the cluster is the unit's
    /// alone.
    fn joined(&mut self, idx: EventId, unit: UnitId) -> bool {
        let first = *self.first_unit.entry(idx).or_insert(unit);
        if first != unit {
            self.mixed.insert(idx);
        }
        !self.mixed.contains(&idx)
    }

    /// Groups the matched posts of a screened chunk that the store does not have yet
    /// (`known`: the keys it has) and builds the batch to write.
    pub fn batch(
        &mut self,
        matcher: &Matcher,
        source_id: i64,
        chunk: ScreenedChunk,
        known: &HashSet<String>,
    ) -> (IngestBatch, PendingEvents) {
        let mut batch = IngestBatch {
            source_id,
            posts: Vec::with_capacity(chunk.posts.len()),
            new_events: Vec::new(),
            growth: Vec::new(),
            duplicates: chunk.repeated,
        };
        let mut pending = PendingEvents::default();
        let mut slots: HashMap<(EventId, UnitId), (EventSlot, usize)> = HashMap::new();
        for s in chunk.posts {
            let Some((scheme_id, negative)) = s.matched else {
                batch.posts.push(BatchPost {
                    post: s.post,
                    key: s.key,
                    published_at: s.published_at,
                    event: None,
                });
                continue;
            };
            if known.contains(&s.key) {
                batch.duplicates += 1;
                continue;
            }
            let info = matcher.schemes[&scheme_id];
            let idx = self.index.assign_at(&s.post, s.published_at);
            let alone = self.joined(idx, info.unit);
            let (slot, g) = *slots.entry((idx, info.unit)).or_insert_with(|| {
                let slot = match self.stored.get(&(idx, info.unit)) {
                    Some(&id) => EventSlot::Stored(id),
                    None => {
                        let headline = self
                            .index
                            .stats(idx)
                            .filter(|_| alone)
                            .map(|st| st.headline.clone())
                            .unwrap_or_else(|| s.post.text.chars().take(40).collect());
                        batch.new_events.push(NewEvent {
                            unit_id: info.unit,
                            scheme_id,
                            headline,
                            origin_key: s.key.clone(),
                        });
                        pending.ids.push((idx, info.unit));
                        EventSlot::New(batch.new_events.len() - 1)
                    }
                };
                batch.growth.push(EventGrowth {
                    event: slot,
                    unit_id: info.unit,
                    scheme_id,
                    topic_weight: info.topic_weight,
                    posts: 0,
                    negative_hits: 0,
                    platforms: Default::default(),
                    first_seen: s.published_at,
                    last_seen: s.published_at,
                    growth_per_hour: 0,
                });
                (slot, batch.growth.len() - 1)
            });
            let growth = &mut batch.growth[g];
            growth.posts += 1;
            growth.negative_hits += negative as i64;
            *growth.platforms.entry(s.post.platform.clone()).or_default() += 1;
            growth.first_seen = growth.first_seen.min(s.published_at);
            growth.last_seen = growth.last_seen.max(s.published_at);
            batch.posts.push(BatchPost {
                post: s.post,
                key: s.key,
                published_at: s.published_at,
                event: Some(slot),
            });
        }
        for ((idx, _), (_, g)) in &slots {
            let growth = &mut batch.growth[*g];
            growth.growth_per_hour = self
                .index
                .stats(*idx)
                .filter(|_| !self.mixed.contains(idx))
                .map_or(growth.posts, |st| st.growth_per_hour as i64);
        }
        // Closed events take no more posts; forgetting them keeps memory bounded by the
        // grouping window.
        let closed: HashSet<EventId> = self.index.take_closed().into_iter().map(|c| c.id).collect();
        if !closed.is_empty() {
            self.stored.retain(|(idx, _), _| !closed.contains(idx));
            self.first_unit.retain(|idx, _| !closed.contains(idx));
            self.mixed.retain(|idx| !closed.contains(idx));
        }
        (batch, pending)
    }

    /// Records the ids the store gave the batch's new events, in their order.
    pub fn confirm(&mut self, pending: PendingEvents, ids: &[i64]) {
        debug_assert_eq!(pending.ids.len(), ids.len());
        for ((idx, unit), id) in pending.ids.into_iter().zip(ids) {
            if self.index.is_open(idx) {
                self.stored.insert((idx, unit), *id);
            }
        }
    }
}
