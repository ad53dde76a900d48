//! Public-opinion monitoring (舆情监测): the pure engines behind issue 4.
//!
//! - [`normalize`]: folding texts and keywords so disguised keywords still match,
//!   with offsets back into the original for highlighting;
//! - [`rule`] and [`ruleset`]: monitoring-scheme rules (`(a | b) & c & !d`,
//!   `a NEAR/20 b`) compiled together into one automaton;
//! - [`event`]: grouping near-duplicate posts into events, incrementally;
//! - [`ingest`]: reading posts from JSON Lines, CSV and RSS/Atom files;
//! - [`pipeline`]: screening chunks of posts and grouping them into the batches the store
//!   writes.
//!
//! Nothing here does I/O beyond reading the bytes it is handed, and nothing reads a clock.

pub mod event;
pub mod ingest;
pub mod normalize;
pub mod pipeline;
pub mod rule;
pub mod ruleset;

pub use event::{EventConfig, EventId, EventIndex, EventStats, Fingerprint};
pub use ingest::{IngestError, IngestIssue, IngestReport, Post, PostFormat, parse_posts};
pub use normalize::{Normalized, fold_char, normalize};
pub use pipeline::{
    Grouper, Matcher, PendingEvents, ScreenedChunk, Watch, negative_hits, parse_scheme, risk_point_for,
};
pub use rule::{Expected, Rule, RuleError, parse_rule};
pub use ruleset::{CompileError, MatchScratch, RuleId, RuleMatch, RuleSet};
