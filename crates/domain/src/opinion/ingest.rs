//! What the monitoring pipeline hands the store: a batch of posts already deduplicated among
//! themselves, matched against the schemes and grouped into events. Matching and grouping
//! are text work (`shoutu-text`); the store only writes the batch, adds each event's growth
//! to what it has stored, levels the events and raises alerts.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Post;
use crate::UnitId;

/// The event a post belongs to: one the store already has, or the `n`th new event of the
/// same batch (the store assigns its id when it writes the batch).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum EventSlot {
    Stored(i64),
    New(usize),
}

/// A post ready to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchPost {
    pub post: Post,
    /// [`Post::dedup_key`], computed once.
    pub key: String,
    /// The publication time, or the ingest time for a post that gives none.
    pub published_at: DateTime<Utc>,
    /// `None` for a post that matched no scheme.
    pub event: Option<EventSlot>,
}

/// An event that the batch starts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewEvent {
    pub unit_id: UnitId,
    pub scheme_id: i64,
    pub headline: String,
    /// The dedup key of the post that started it: its representative, and how the store
    /// tells new events apart when it reads their ids back.
    pub origin_key: String,
}

/// What the batch adds to one event, new or stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventGrowth {
    pub event: EventSlot,
    pub unit_id: UnitId,
    pub scheme_id: i64,
    /// The scheme's topic weight, for the severity formula.
    pub topic_weight: f64,
    pub posts: i64,
    pub negative_hits: i64,
    pub platforms: BTreeMap<String, i64>,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    /// Posts of the event in the hour up to its latest one, counted by the grouper.
    pub growth_per_hour: i64,
}

/// One chunk of an ingest.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IngestBatch {
    pub source_id: i64,
    pub posts: Vec<BatchPost>,
    pub new_events: Vec<NewEvent>,
    pub growth: Vec<EventGrowth>,
    /// Posts dropped before the store saw them: repeated within the batch, or matched posts
    /// the store already had.
    pub duplicates: usize,
}
