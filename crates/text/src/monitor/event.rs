//! Grouping near-duplicate posts (reposts, light edits) into events, in one pass.
//!
//! Each post is fingerprinted over character 3-gram shingles of its normalised text
//! and looked up in an index of the events still open; it joins the most similar
//! open event above the threshold, or starts a new one. Nothing is ever compared
//! pairwise with all posts. An event closes when no post has joined it for
//! `decay_hours`: a later look-alike post starts a new event.
//!
//! Two fingerprints are available. [`Fingerprint::MinHash`] (32 min-hashes, LSH with
//! 16 bands of 2 rows, verified by estimated Jaccard similarity) is the default: on
//! short posts a few edited characters change a large share of the shingles, and
//! 64-bit SimHash with Hamming distance ≤ 3 then misses most light edits, while
//! MinHash keeps them (measured by `benches/monitor.rs`, figures in
//! BENCHMARKS.md). [`Fingerprint::SimHash`] (permuted-block index: four 16-bit blocks,
//! so any fingerprint within distance 3 shares at least one block exactly) stays
//! available for long articles, where it is cheaper and as accurate.

use std::collections::{BTreeMap, HashMap, VecDeque};

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::normalize::fold_char;
use shoutu_domain::opinion::Post;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct EventId(pub u64);

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fingerprint {
    /// Joins when the estimated Jaccard similarity of the shingle sets is at least this.
    MinHash { min_similarity: f64 },
    /// Joins when the 64-bit SimHashes differ in at most this many bits (at most 3).
    SimHash { max_distance: u32 },
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EventConfig {
    /// A post more than this many hours after an event's last post starts a new event.
    pub decay_hours: i64,
    pub fingerprint: Fingerprint,
}

impl Default for EventConfig {
    fn default() -> Self {
        EventConfig {
            decay_hours: 48,
            fingerprint: Fingerprint::MinHash { min_similarity: 0.5 },
        }
    }
}

/// What is known about an event so far.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventStats {
    pub id: EventId,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub volume: u64,
    /// Posts in the hour up to `last_seen`: how fast the event is growing now.
    pub growth_per_hour: u64,
    /// Posts per platform.
    pub platforms: BTreeMap<String, u64>,
    /// The dedup key of the earliest post: the original the others repost.
    pub representative: String,
    /// The representative's title, or the start of its text, for lists.
    pub headline: String,
}

impl EventStats {
    /// Average posts per hour over the event's whole life (at least one hour).
    pub fn average_per_hour(&self) -> f64 {
        let hours = (self.last_seen - self.first_seen).num_seconds() as f64 / 3600.0;
        self.volume as f64 / hours.max(1.0)
    }
}

const MIN_HASHES: usize = 32;
const BAND_ROWS: usize = 2;
const SHINGLE: usize = 3;
/// Signatures kept per event for verification: the first post and the latest ones,
/// so a chain of reposts that drifts from the original still finds its event.
const KEPT_SIGNATURES: usize = 8;
/// Fewest assigned posts between two sweeps of closed events. A sweep walks every
/// open event and bucket, so sweeps are also spaced by the number of open events,
/// which keeps their cost per post constant.
const MIN_SWEEP_INTERVAL: u64 = 4096;

type Signature = [u32; MIN_HASHES];

struct OpenEvent {
    stats: EventStats,
    recent: VecDeque<DateTime<Utc>>,
    signatures: VecDeque<Signature>,
    simhash: u64,
}

/// The single-pass event grouper. Not thread-safe by design: posts are assigned in
/// arrival order.
pub struct EventIndex {
    config: EventConfig,
    events: HashMap<EventId, OpenEvent>,
    closed: Vec<EventStats>,
    /// MinHash LSH buckets: band key → the event that last wrote it.
    bands: HashMap<u64, EventId>,
    /// SimHash blocks: `blocks[b][value]` → events whose block `b` equals `value`.
    blocks: Vec<Vec<Vec<EventId>>>,
    next_id: u64,
    latest: Option<DateTime<Utc>>,
    assigned: u64,
    next_sweep: u64,
    shingles: Vec<u64>,
    chars: Vec<char>,
}

impl EventIndex {
    pub fn new(config: EventConfig) -> Self {
        let blocks = match config.fingerprint {
            Fingerprint::SimHash { .. } => vec![vec![Vec::new(); 1 << 16]; 4],
            Fingerprint::MinHash { .. } => Vec::new(),
        };
        EventIndex {
            config,
            events: HashMap::new(),
            closed: Vec::new(),
            bands: HashMap::new(),
            blocks,
            next_id: 1,
            latest: None,
            assigned: 0,
            next_sweep: MIN_SWEEP_INTERVAL,
            shingles: Vec::new(),
            chars: Vec::new(),
        }
    }

    /// Assigns a post to an event, at its publication time (or, without one, the
    /// latest time seen so far).
    pub fn assign(&mut self, post: &Post) -> EventId {
        let at = post.published_at.or(self.latest).unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
        self.assign_at(post, at)
    }

    /// Assigns a post at an explicit time (e.g. ingest time for posts without one).
    pub fn assign_at(&mut self, post: &Post, at: DateTime<Utc>) -> EventId {
        self.latest = Some(self.latest.map_or(at, |l| l.max(at)));
        self.assigned += 1;
        if self.assigned >= self.next_sweep {
            self.sweep();
            self.next_sweep = self.assigned + MIN_SWEEP_INTERVAL.max(self.events.len() as u64);
        }
        self.shingle(post);
        let decay = Duration::hours(self.config.decay_hours);
        let (found, signature, simhash) = match self.config.fingerprint {
            Fingerprint::MinHash { min_similarity } => {
                let sig = min_hash(&self.shingles);
                (self.find_min_hash(&sig, at, decay, min_similarity), sig, 0)
            }
            Fingerprint::SimHash { max_distance } => {
                let fp = sim_hash(&self.shingles);
                (
                    self.find_sim_hash(fp, at, decay, max_distance.min(3)),
                    [0; MIN_HASHES],
                    fp,
                )
            }
        };
        let id = match found {
            Some(id) => {
                let event = self.events.get_mut(&id).expect("open event");
                event.join(post, at);
                if event.signatures.len() == KEPT_SIGNATURES {
                    event.signatures.remove(1);
                }
                event.signatures.push_back(signature);
                id
            }
            None => {
                let id = EventId(self.next_id);
                self.next_id += 1;
                self.events.insert(id, OpenEvent::new(id, post, at, signature, simhash));
                if let Fingerprint::SimHash { .. } = self.config.fingerprint {
                    for b in 0..4 {
                        self.blocks[b][block(simhash, b)].push(id);
                    }
                }
                id
            }
        };
        if let Fingerprint::MinHash { .. } = self.config.fingerprint {
            for key in band_keys(&signature) {
                self.bands.insert(key, id);
            }
        }
        id
    }

    /// Current figures of an event, open or closed.
    pub fn stats(&self, id: EventId) -> Option<&EventStats> {
        self.events
            .get(&id)
            .map(|e| &e.stats)
            .or_else(|| self.closed.iter().find(|s| s.id == id))
    }

    /// Whether an event can still take posts.
    pub fn is_open(&self, id: EventId) -> bool {
        self.events.contains_key(&id)
    }

    /// Events that can still grow.
    pub fn open_events(&self) -> impl Iterator<Item = &EventStats> {
        self.events.values().map(|e| &e.stats)
    }

    /// Hands over (and forgets) events closed by time decay, for the caller to store.
    pub fn take_closed(&mut self) -> Vec<EventStats> {
        self.sweep();
        std::mem::take(&mut self.closed)
    }

    fn shingle(&mut self, post: &Post) {
        self.chars.clear();
        if let Some(title) = &post.title
            && !post.text.starts_with(title.as_str())
        {
            self.chars.extend(title.chars().filter_map(fold_char));
        }
        self.chars.extend(post.text.chars().filter_map(fold_char));
        self.shingles.clear();
        if self.chars.len() < SHINGLE {
            self.shingles.push(hash_chars(&self.chars));
        } else {
            self.shingles.extend(self.chars.windows(SHINGLE).map(hash_chars));
        }
    }

    fn is_open_at(&self, id: EventId, at: DateTime<Utc>, decay: Duration) -> bool {
        self.events
            .get(&id)
            .is_some_and(|e| at <= e.stats.last_seen + decay && at >= e.stats.first_seen - decay)
    }

    fn find_min_hash(&self, sig: &Signature, at: DateTime<Utc>, decay: Duration, min: f64) -> Option<EventId> {
        let mut best: Option<(f64, EventId)> = None;
        let mut seen: Vec<EventId> = Vec::new();
        for key in band_keys(sig) {
            let Some(&id) = self.bands.get(&key) else { continue };
            if seen.contains(&id) || !self.is_open_at(id, at, decay) {
                continue;
            }
            seen.push(id);
            let event = &self.events[&id];
            let sim = event.signatures.iter().map(|s| similarity(s, sig)).fold(0.0, f64::max);
            if sim >= min && best.is_none_or(|(b, _)| sim > b) {
                best = Some((sim, id));
            }
        }
        best.map(|(_, id)| id)
    }

    fn find_sim_hash(&self, fp: u64, at: DateTime<Utc>, decay: Duration, max: u32) -> Option<EventId> {
        let mut best: Option<(u32, EventId)> = None;
        for b in 0..4 {
            for &id in &self.blocks[b][block(fp, b)] {
                if !self.is_open_at(id, at, decay) {
                    continue;
                }
                let d = (self.events[&id].simhash ^ fp).count_ones();
                if d <= max && best.is_none_or(|(bd, _)| d < bd) {
                    best = Some((d, id));
                }
            }
        }
        best.map(|(_, id)| id)
    }

    /// Closes events that no post can join any more and drops them from the index,
    /// which keeps memory bounded by the decay window, not by the stream's length.
    fn sweep(&mut self) {
        let Some(latest) = self.latest else { return };
        let cutoff = latest - Duration::hours(self.config.decay_hours);
        let expired: Vec<EventId> = self
            .events
            .iter()
            .filter(|(_, e)| e.stats.last_seen < cutoff)
            .map(|(id, _)| *id)
            .collect();
        if expired.is_empty() {
            return;
        }
        for id in &expired {
            if let Some(e) = self.events.remove(id) {
                self.closed.push(e.stats);
            }
        }
        let events = &self.events;
        self.bands.retain(|_, id| events.contains_key(id));
        for table in &mut self.blocks {
            for bucket in table.iter_mut().filter(|b| !b.is_empty()) {
                bucket.retain(|id| events.contains_key(id));
            }
        }
    }
}

impl OpenEvent {
    fn new(id: EventId, post: &Post, at: DateTime<Utc>, signature: Signature, simhash: u64) -> Self {
        let mut event = OpenEvent {
            stats: EventStats {
                id,
                first_seen: at,
                last_seen: at,
                volume: 0,
                growth_per_hour: 0,
                platforms: BTreeMap::new(),
                representative: post.dedup_key(),
                headline: headline(post),
            },
            recent: VecDeque::new(),
            signatures: VecDeque::from([signature]),
            simhash,
        };
        event.join(post, at);
        event
    }

    fn join(&mut self, post: &Post, at: DateTime<Utc>) {
        let s = &mut self.stats;
        s.volume += 1;
        *s.platforms.entry(post.platform.clone()).or_insert(0) += 1;
        if at < s.first_seen {
            // A post older than the event's first: it is the better original.
            s.first_seen = at;
            s.representative = post.dedup_key();
            s.headline = headline(post);
        }
        s.last_seen = s.last_seen.max(at);
        self.recent.push_back(at);
        let hour_ago = s.last_seen - Duration::hours(1);
        self.recent.retain(|t| *t > hour_ago);
        s.growth_per_hour = self.recent.len() as u64;
    }
}

fn headline(post: &Post) -> String {
    match &post.title {
        Some(t) => t.chars().take(60).collect(),
        None => post.text.chars().take(60).collect(),
    }
}

/// A well-mixed 64-bit value (the finaliser of SplitMix64).
#[inline]
fn mix64(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn hash_chars(chars: &[char]) -> u64 {
    mix64(chars.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &c| {
        (h ^ c as u64).wrapping_mul(0x0100_0000_01b3)
    }))
}

/// Per-function multipliers and offsets, derived once from fixed seeds so
/// signatures are stable across runs and processes.
const fn hash_params() -> ([u32; MIN_HASHES], [u32; MIN_HASHES]) {
    let mut a = [0u32; MIN_HASHES];
    let mut b = [0u32; MIN_HASHES];
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut i = 0;
    while i < MIN_HASHES {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        a[i] = (z as u32) | 1;
        b[i] = (z >> 32) as u32;
        i += 1;
    }
    (a, b)
}

const PARAMS: ([u32; MIN_HASHES], [u32; MIN_HASHES]) = hash_params();

/// 32 min-hashes; the inner loop over the functions is plain u32 arithmetic so the
/// compiler vectorises it.
fn min_hash(shingles: &[u64]) -> Signature {
    let (a, b) = &PARAMS;
    let mut sig = [u32::MAX; MIN_HASHES];
    for &h in shingles {
        let x = (h ^ (h >> 32)) as u32;
        for i in 0..MIN_HASHES {
            let mut v = (x ^ b[i]).wrapping_mul(a[i]);
            v ^= v >> 15;
            sig[i] = sig[i].min(v);
        }
    }
    sig
}

fn band_keys(sig: &Signature) -> impl Iterator<Item = u64> + '_ {
    sig.chunks(BAND_ROWS).enumerate().map(|(band, rows)| {
        mix64(((band as u64) << 58) ^ ((rows[0] as u64) << 32 | rows[1] as u64) ^ (band as u64).wrapping_mul(0x9e37))
    })
}

fn similarity(a: &Signature, b: &Signature) -> f64 {
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / MIN_HASHES as f64
}

/// 64-bit SimHash with every shingle weighted 1.
fn sim_hash(shingles: &[u64]) -> u64 {
    let mut counts = [0i32; 64];
    for &h in shingles {
        for (bit, count) in counts.iter_mut().enumerate() {
            *count += if (h >> bit) & 1 == 1 { 1 } else { -1 };
        }
    }
    counts
        .iter()
        .enumerate()
        .fold(0u64, |fp, (bit, &c)| if c > 0 { fp | 1 << bit } else { fp })
}

fn block(fp: u64, b: usize) -> usize {
    ((fp >> (16 * b)) & 0xFFFF) as usize
}
