//! 舆情: monitoring sources and posts, schemes (keyword rules), events, alerts with in-app
//! notifications, incidents with steps and deadlines, contingency plans, risk points and
//! grievances. Ingest is split at the crate boundary: the text engines screen and group posts
//! into an [`IngestBatch`] (see `shoutu-text`'s `monitor::pipeline`); the store writes the
//! batch, adds each event's growth to what it has, levels the events and raises alerts.

pub(crate) mod rows;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use shoutu_domain::opinion::{
    ContingencyPlan, DeadlinePolicy, Grievance, Incident, IncidentStep, IngestBatch, NewContingencyPlan, NewGrievance,
    NewIncident, NewRiskPoint, NewScheme, NewStep, Post, RiskPoint, RiskStatus, SchemeSnapshot, SeverityConfig,
    SeverityLevel,
};
use shoutu_domain::{FieldError, Page, PageRequest, Scope, UnitId};
use std::collections::{BTreeMap, HashSet};

use crate::Result;

/// Posts written per transaction: large enough that SQLite's commit cost vanishes, small
/// enough that a failure loses little and readers are not blocked for long.
pub const INGEST_CHUNK: usize = 5_000;

/// Rows per INSERT statement of posts (10 parameters a row) and of events (13): well under
/// SQLite's and PostgreSQL's parameter limits, and few enough statements that the driver's
/// cost per statement vanishes.
pub(crate) const POST_ROWS: usize = 200;
pub(crate) const EVENT_ROWS: usize = 100;
/// Ids or keys per `IN (…)` list.
pub(crate) const IN_LIST: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    pub id: i64,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub name: String,
    pub platform: String,
    pub has_token: bool,
    pub posts: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewSource {
    pub unit_id: UnitId,
    pub name: String,
    pub platform: String,
}

impl NewSource {
    pub fn parse(unit_id: UnitId, name: &str, platform: &str) -> Result<NewSource, FieldError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            return Err(FieldError::new("名称", "请填写信息源名称（不超过 60 字）"));
        }
        Ok(NewSource {
            unit_id,
            name: name.to_string(),
            platform: platform.trim().to_string(),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scheme {
    pub id: i64,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub name: String,
    pub rule: String,
    pub topic_weight: f64,
    pub active: bool,
}

/// A unit's alert threshold and optional webhook for its own messaging bridge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpinionSettings {
    pub alert_level: SeverityLevel,
    pub webhook_url: String,
}

impl Default for OpinionSettings {
    fn default() -> Self {
        OpinionSettings {
            alert_level: SeverityLevel::Serious,
            webhook_url: String::new(),
        }
    }
}

impl OpinionSettings {
    pub fn parse(level: &str, webhook_url: &str) -> Result<OpinionSettings, FieldError> {
        let alert_level =
            SeverityLevel::from_code(level.trim()).ok_or_else(|| FieldError::new("预警级别", "请选择预警级别"))?;
        let url = webhook_url.trim();
        if !(url.is_empty() || url.starts_with("http://") || url.starts_with("https://")) {
            return Err(FieldError::new("推送地址", "推送地址应以 http:// 或 https:// 开头"));
        }
        Ok(OpinionSettings {
            alert_level,
            webhook_url: url.to_string(),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpinionEvent {
    pub id: i64,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub scheme_id: i64,
    pub scheme_name: String,
    pub headline: String,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub volume: i64,
    pub growth_per_hour: i64,
    pub negative_hits: i64,
    pub platforms: BTreeMap<String, i64>,
    pub level: SeverityLevel,
    pub score: f64,
    pub alerted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpinionPost {
    pub id: i64,
    pub source_name: String,
    pub platform: String,
    pub url: String,
    pub author: Option<String>,
    pub published_at: DateTime<Utc>,
    pub title: Option<String>,
    pub text: String,
    pub event_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alert {
    pub id: i64,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub event_id: i64,
    pub headline: String,
    pub volume: i64,
    pub level: SeverityLevel,
    pub incident_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    /// Not yet read by the user who asks.
    pub unread: bool,
}

/// A JSON POST for a unit's messaging bridge; the caller sends it (the store does no I/O
/// beyond its database).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Webhook {
    pub url: String,
    pub payload: serde_json::Value,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IngestSummary {
    pub new: usize,
    pub duplicate: usize,
    /// New posts that matched at least one scheme.
    pub matched: usize,
    pub events_new: usize,
    pub events_updated: usize,
    pub alerts: Vec<Alert>,
    pub webhooks: Vec<Webhook>,
}

impl IngestSummary {
    pub fn add(&mut self, other: IngestSummary) {
        self.new += other.new;
        self.duplicate += other.duplicate;
        self.matched += other.matched;
        self.events_new += other.events_new;
        self.events_updated += other.events_updated;
        self.alerts.extend(other.alerts);
        self.webhooks.extend(other.webhooks);
    }
}

/// What writing a batch did, and the ids of the batch's new events in their order (the
/// grouper maps its events to them).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BatchWritten {
    pub summary: IngestSummary,
    pub new_event_ids: Vec<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub min_level: Option<SeverityLevel>,
    /// Only events seen (last post) at or after this time.
    pub since: Option<DateTime<Utc>>,
}

#[async_trait]
pub trait OpinionStore: Send + Sync {
    // ---- sources ----
    async fn create_source(&self, scope: &Scope, source: NewSource) -> Result<Source>;
    async fn sources(&self, scope: &Scope) -> Result<Vec<Source>>;
    async fn source(&self, scope: &Scope, id: i64) -> Result<Source>;
    async fn source_by_name(&self, scope: &Scope, name: &str) -> Result<Source>;
    /// Stores the SHA-256 of a newly issued push token (the token itself is shown once, by
    /// the caller, and never stored).
    async fn set_source_token(&self, scope: &Scope, id: i64, token_hash: &str) -> Result<Source>;
    /// The source a push token belongs to; before any scope exists (the push endpoint).
    async fn source_by_token(&self, token_hash: &str) -> Result<Option<Source>>;

    // ---- schemes and settings ----
    async fn save_scheme(&self, scope: &Scope, id: Option<i64>, scheme: NewScheme) -> Result<Scheme>;
    async fn schemes(&self, scope: &Scope) -> Result<Vec<Scheme>>;
    async fn scheme(&self, scope: &Scope, id: i64) -> Result<Scheme>;
    async fn opinion_settings(&self, scope: &Scope, unit: UnitId) -> Result<OpinionSettings>;
    async fn save_opinion_settings(&self, scope: &Scope, unit: UnitId, settings: OpinionSettings) -> Result<()>;

    // ---- ingest, events, alerts ----
    /// Every active scheme of every unit, compiled once; each source's posts are matched
    /// only against the schemes of its [`OpinionStore::watching_units`]. Only ingest needs
    /// this, so it takes a scope that may write.
    async fn monitored_schemes(&self, scope: &Scope) -> Result<SchemeSnapshot>;
    /// The units whose schemes may match a source's posts: the source's own unit, the units
    /// below it (a county's feed serves its townships) and the units above it (which see
    /// the source anyway). Never a unit on another branch (a sibling township, a bureau),
    /// whose events and alerts would show it posts from outside its reach.
    async fn watching_units(&self, scope: &Scope, source: i64) -> Result<Vec<UnitId>>;
    /// The version [`OpinionStore::monitored_schemes`] would give, without reading the
    /// rules: every ingest asks, and the rules are read only when it has changed.
    async fn scheme_version(&self, scope: &Scope) -> Result<String>;
    /// The stored posts of events seen within `window` of the latest event, oldest first,
    /// with their event ids and the events' units: what rebuilds the grouper after a restart.
    async fn replay_posts(&self, scope: &Scope, window: chrono::Duration) -> Result<Vec<(i64, UnitId, Post)>>;
    /// Which of these dedup keys are stored already (posts are unique across sources).
    async fn known_post_keys(&self, scope: &Scope, keys: &[String]) -> Result<HashSet<String>>;
    /// Writes one batch in one transaction: posts already stored are left alone and counted,
    /// new events are created, every event's growth is added to it and levelled, and events
    /// that reach their unit's threshold raise one alert each.
    async fn write_ingest_batch(
        &self,
        scope: &Scope,
        batch: IngestBatch,
        severity: &SeverityConfig,
    ) -> Result<BatchWritten>;
    async fn opinion_events(
        &self,
        scope: &Scope,
        filter: &EventFilter,
        page: PageRequest,
    ) -> Result<Page<OpinionEvent>>;
    async fn opinion_event(&self, scope: &Scope, id: i64) -> Result<OpinionEvent>;
    async fn event_posts(&self, scope: &Scope, id: i64, limit: i64) -> Result<Vec<OpinionPost>>;
    /// Alerts of units in the scope, newest first.
    async fn alerts(&self, scope: &Scope, limit: i64) -> Result<Vec<Alert>>;
    async fn alert(&self, scope: &Scope, id: i64) -> Result<Alert>;
    /// Alerts notified to the scope's user, newest first.
    async fn notifications(&self, scope: &Scope, limit: i64) -> Result<Vec<Alert>>;
    async fn unread_notifications(&self, scope: &Scope) -> Result<i64>;
    async fn mark_notifications_read(&self, scope: &Scope) -> Result<()>;

    // ---- incidents ----
    async fn open_incident(&self, scope: &Scope, incident: NewIncident) -> Result<Incident>;
    /// Opens the incident of an alert (once: a second call returns the first incident),
    /// linked to the risk point the caller found for it, if any.
    async fn open_incident_from_alert(
        &self,
        scope: &Scope,
        alert: i64,
        policy: &DeadlinePolicy,
        assignee: &str,
        risk: Option<i64>,
    ) -> Result<Incident>;
    /// Incidents of units in the scope, newest first, without steps.
    async fn incidents(&self, scope: &Scope, open_only: bool) -> Result<Vec<Incident>>;
    /// One incident with its steps and checklist.
    async fn incident(&self, scope: &Scope, id: i64) -> Result<Incident>;
    async fn add_step(&self, scope: &Scope, incident: i64, step: NewStep) -> Result<IncidentStep>;
    async fn apply_plan(&self, scope: &Scope, incident: i64, plan: i64) -> Result<()>;
    async fn check_item(&self, scope: &Scope, incident: i64, item: i64, done: bool) -> Result<()>;

    // ---- contingency plans, risk points, grievances ----
    async fn create_plan(&self, scope: &Scope, plan: NewContingencyPlan) -> Result<ContingencyPlan>;
    /// Plans of the scope's units and of the units above (a township may use the county's).
    async fn plans(&self, scope: &Scope) -> Result<Vec<ContingencyPlan>>;
    async fn create_risk(&self, scope: &Scope, risk: NewRiskPoint) -> Result<RiskPoint>;
    async fn risks(&self, scope: &Scope) -> Result<Vec<RiskPoint>>;
    async fn risk(&self, scope: &Scope, id: i64) -> Result<RiskPoint>;
    /// Records a review: the next one falls an interval later; the status may change.
    async fn review_risk(&self, scope: &Scope, id: i64, status: RiskStatus) -> Result<RiskPoint>;
    async fn add_grievance(&self, scope: &Scope, grievance: NewGrievance) -> Result<Grievance>;
    async fn grievances(&self, scope: &Scope, risk: Option<i64>) -> Result<Vec<Grievance>>;
}

pub(crate) const SOURCE_COLUMNS: &str = "SELECT s.id, s.unit_id, u.name AS unit_name, s.name, s.platform, s.token_hash, \
     (SELECT COUNT(*) FROM opinion_posts p WHERE p.source_id = s.id) AS posts \
     FROM opinion_sources s JOIN units u ON u.id = s.unit_id ";

pub(crate) const SOURCE_SCOPE: &str = "JOIN unit_closure c ON c.descendant_id = s.unit_id WHERE c.ancestor_id = $1";

/// `$1` scope root, `$2` source: the source's unit with the units above and below it, when
/// the source lies in the scope (see [`OpinionStore::watching_units`]).
pub(crate) const WATCHING_UNITS: &str = "SELECT up.ancestor_id FROM opinion_sources s \
     JOIN unit_closure c ON c.descendant_id = s.unit_id AND c.ancestor_id = $1 \
     JOIN unit_closure up ON up.descendant_id = s.unit_id WHERE s.id = $2 \
     UNION SELECT down.descendant_id FROM opinion_sources s \
     JOIN unit_closure c ON c.descendant_id = s.unit_id AND c.ancestor_id = $1 \
     JOIN unit_closure down ON down.ancestor_id = s.unit_id WHERE s.id = $2";

pub(crate) const SCHEME_COLUMNS: &str = "SELECT s.id, s.unit_id, u.name AS unit_name, s.name, s.rule, s.topic_weight, \
     s.active FROM opinion_schemes s JOIN units u ON u.id = s.unit_id \
     JOIN unit_closure c ON c.descendant_id = s.unit_id WHERE c.ancestor_id = $1";

pub(crate) const EVENT_COLUMNS: &str = "SELECT e.id, e.unit_id, u.name AS unit_name, e.scheme_id, s.name AS scheme_name, \
     e.headline, e.first_seen, e.last_seen, e.volume, e.growth, e.negative_hits, e.platforms, e.level, e.score, \
     e.alerted FROM opinion_events e JOIN units u ON u.id = e.unit_id JOIN opinion_schemes s ON s.id = e.scheme_id \
     JOIN unit_closure c ON c.descendant_id = e.unit_id WHERE c.ancestor_id = $1";

pub(crate) const POST_COLUMNS: &str = "SELECT p.id, src.name AS source_name, p.platform, p.url, p.author, \
     p.published_at, p.title, p.body, p.event_id FROM opinion_posts p \
     JOIN opinion_sources src ON src.id = p.source_id ";

/// `$2`: the user whose unread notifications are counted.
pub(crate) const ALERT_COLUMNS: &str = "SELECT a.id, a.unit_id, u.name AS unit_name, a.event_id, e.headline, e.volume, \
     a.level, a.incident_id, a.created_at, \
     (SELECT COUNT(*) FROM opinion_notifications n WHERE n.alert_id = a.id AND n.user_id = $2 \
      AND n.read_at IS NULL) AS unread \
     FROM opinion_alerts a JOIN opinion_events e ON e.id = a.event_id JOIN units u ON u.id = a.unit_id ";

pub(crate) const ALERT_SCOPE: &str = "JOIN unit_closure c ON c.descendant_id = a.unit_id WHERE c.ancestor_id = $1";

pub(crate) const INCIDENT_COLUMNS: &str = "SELECT i.id, i.unit_id, u.name AS unit_name, i.title, i.summary, i.level, \
     i.stage, i.discovered_at, i.first_response_due, i.conclusion_due, i.responded_at, i.concluded_at, i.alert_id, \
     i.event_id, i.risk_id, r.title AS risk_title FROM opinion_incidents i JOIN units u ON u.id = i.unit_id \
     LEFT JOIN opinion_risks r ON r.id = i.risk_id \
     JOIN unit_closure c ON c.descendant_id = i.unit_id WHERE c.ancestor_id = $1";

pub(crate) const RISK_COLUMNS: &str = "SELECT r.id, r.unit_id, u.name AS unit_name, r.title, r.level, r.owner, \
     r.measures, r.keywords, r.review_interval_days, r.next_review, r.status, \
     (SELECT COUNT(*) FROM opinion_grievances g WHERE g.risk_id = r.id) AS grievances, \
     (SELECT COUNT(*) FROM opinion_incidents i WHERE i.risk_id = r.id) AS incidents \
     FROM opinion_risks r JOIN units u ON u.id = r.unit_id \
     JOIN unit_closure c ON c.descendant_id = r.unit_id WHERE c.ancestor_id = $1";

pub(crate) const GRIEVANCE_COLUMNS: &str = "SELECT g.id, g.unit_id, u.name AS unit_name, g.risk_id, \
     r.title AS risk_title, g.received_on, g.channel, g.content, g.resolved FROM opinion_grievances g \
     JOIN units u ON u.id = g.unit_id LEFT JOIN opinion_risks r ON r.id = g.risk_id \
     JOIN unit_closure c ON c.descendant_id = g.unit_id WHERE c.ancestor_id = $1";

/// Plans bind the publishing unit's subtree: visible inside it and from above.
pub(crate) const PLAN_COLUMNS: &str = "SELECT pl.id, pl.unit_id, u.name AS unit_name, pl.topic, pl.items \
     FROM opinion_plans pl JOIN units u ON u.id = pl.unit_id \
     WHERE (EXISTS (SELECT 1 FROM unit_closure c WHERE c.ancestor_id = $1 AND c.descendant_id = pl.unit_id) \
     OR EXISTS (SELECT 1 FROM unit_closure c2 WHERE c2.ancestor_id = pl.unit_id AND c2.descendant_id = $1))";

/// Users to notify of a unit's alert: its first and direct responsible persons in office.
pub(crate) const DUTY_HOLDER_USERS: &str = "SELECT DISTINCT us.id FROM duties d JOIN users us ON us.person_id = d.person_id \
     WHERE d.unit_id = $1 AND d.role IN ('first_responsible', 'direct_responsible') \
     AND d.start_date <= $2 AND (d.end_date IS NULL OR d.end_date >= $2)";

/// When a unit has no duty holder with an account yet, its own users are told instead, so
/// that no alert goes unseen.
pub(crate) const UNIT_USERS: &str =
    "SELECT us.id FROM users us JOIN people p ON p.id = us.person_id WHERE p.unit_id = $1";

/// The date in China Standard Time, which is how deadlines and figures count days.
pub(crate) fn local_date(at: DateTime<Utc>) -> chrono::NaiveDate {
    (at + chrono::Duration::hours(8)).date_naive()
}

/// How a backend's bulk statements write their parameters. SQLite gets anonymous `?`:
/// the driver looks up the name of every numbered parameter, and SQLite finds a name by
/// walking the list of all of them, so binding a statement with thousands of `$n` takes
/// time quadratic in their number (it was most of the time of a bulk ingest).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Params {
    Anonymous,
    Numbered,
}

impl Params {
    pub(crate) fn of<DB: sqlx::Database>() -> Params {
        if DB::NAME == "SQLite" {
            Params::Anonymous
        } else {
            Params::Numbered
        }
    }

    /// `($1, $2, …), (…)`: `rows` rows of `columns` parameters, the first numbered 1.
    pub(crate) fn rows(self, rows: usize, columns: usize) -> String {
        let mut out = String::with_capacity(rows * columns * 5);
        for r in 0..rows {
            out.push_str(if r == 0 { "(" } else { ", (" });
            out.push_str(&self.list(r * columns + 1, columns));
            out.push(')');
        }
        out
    }

    /// `$from, $from+1, …`, `n` of them.
    pub(crate) fn list(self, from: usize, n: usize) -> String {
        match self {
            Params::Anonymous => vec!["?"; n].join(", "),
            Params::Numbered => (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", "),
        }
    }
}

/// An event as it was stored before a batch.
pub(crate) struct Stored {
    pub unit_id: i64,
    pub volume: i64,
    pub negative: i64,
    pub platforms: String,
    pub alerted: bool,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
}

/// An event's figures after a batch, levelled.
pub(crate) struct Grown {
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub volume: i64,
    pub growth: i64,
    pub negative: i64,
    /// Posts per platform, as the JSON the column keeps.
    pub platforms: String,
    pub level: SeverityLevel,
    pub score: f64,
}

impl Grown {
    pub(crate) fn of(
        g: &shoutu_domain::opinion::EventGrowth,
        before: Option<&Stored>,
        severity: &SeverityConfig,
    ) -> Grown {
        let mut platforms: BTreeMap<String, i64> = before
            .and_then(|b| serde_json::from_str(&b.platforms).ok())
            .unwrap_or_default();
        for (p, n) in &g.platforms {
            *platforms.entry(p.clone()).or_default() += n;
        }
        let volume = before.map_or(0, |b| b.volume) + g.posts;
        let negative = before.map_or(0, |b| b.negative) + g.negative_hits;
        let assessed = severity.assess(&shoutu_domain::opinion::SeverityInput {
            volume: volume as u64,
            growth_per_hour: g.growth_per_hour as u64,
            negative_hits: negative as u64,
            topic_weight: g.topic_weight,
        });
        Grown {
            first_seen: before.map_or(g.first_seen, |b| b.first_seen.min(g.first_seen)),
            last_seen: before.map_or(g.last_seen, |b| b.last_seen.max(g.last_seen)),
            volume,
            growth: g.growth_per_hour,
            negative,
            platforms: serde_json::to_string(&platforms).expect("counts serialise"),
            level: assessed.level,
            score: assessed.score,
        }
    }
}

macro_rules! impl_opinion {
    ($store:ty, $db:ty) => {
        mod opinion_impl {
            use super::*;
            use crate::opinion::rows::{
                AlertRow, EventRow, GrievanceRow, IncidentRow, PlanRow, PostRow, RiskRow, SchemeRow, SourceRow,
            };
            use crate::opinion::*;
            use shoutu_domain::fact::{DateRange, FactRow, RecordRef};
            use shoutu_domain::opinion::{
                ChecklistItem, ContingencyPlan, DeadlinePolicy, EventSlot, Grievance, Incident, IncidentStep,
                IngestBatch, MonitoredScheme, NewContingencyPlan, NewGrievance, NewIncident, NewRiskPoint, NewScheme,
                NewStep, Post, RiskPoint, RiskStatus, SchemeSnapshot, SeverityConfig, SeverityLevel, Stage,
            };
            use std::collections::{HashMap, HashSet};

            impl $store {
                async fn opinion_scoped_source<'e, E>(executor: E, scope: &Scope, id: i64) -> Result<Source>
                where
                    E: sqlx::Executor<'e, Database = $db>,
                {
                    let row: Option<SourceRow> =
                        sqlx::query_as(&sql(&[SOURCE_COLUMNS, SOURCE_SCOPE, " AND s.id = $2"]))
                            .bind(scope.root.0)
                            .bind(id)
                            .fetch_optional(executor)
                            .await?;
                    row.map(Source::from).ok_or(StoreError::NotFound)
                }

                async fn opinion_scoped_incident<'e, E>(executor: E, scope: &Scope, id: i64) -> Result<Incident>
                where
                    E: sqlx::Executor<'e, Database = $db>,
                {
                    let row: Option<IncidentRow> = sqlx::query_as(&sql(&[INCIDENT_COLUMNS, " AND i.id = $2"]))
                        .bind(scope.root.0)
                        .bind(id)
                        .fetch_optional(executor)
                        .await?;
                    row.map(Incident::from).ok_or(StoreError::NotFound)
                }

                async fn opinion_scoped_risk<'e, E>(executor: E, scope: &Scope, id: i64) -> Result<RiskPoint>
                where
                    E: sqlx::Executor<'e, Database = $db>,
                {
                    let row: Option<RiskRow> = sqlx::query_as(&sql(&[RISK_COLUMNS, " AND r.id = $2"]))
                        .bind(scope.root.0)
                        .bind(id)
                        .fetch_optional(executor)
                        .await?;
                    row.map(RiskPoint::from).ok_or(StoreError::NotFound)
                }

                async fn opinion_scoped_alert<'e, E>(executor: E, scope: &Scope, id: i64) -> Result<Alert>
                where
                    E: sqlx::Executor<'e, Database = $db>,
                {
                    let row: Option<AlertRow> = sqlx::query_as(&sql(&[ALERT_COLUMNS, ALERT_SCOPE, " AND a.id = $3"]))
                        .bind(scope.root.0)
                        .bind(scope.actor.map(|u| u.0))
                        .bind(id)
                        .fetch_optional(executor)
                        .await?;
                    row.map(Alert::from).ok_or(StoreError::NotFound)
                }

                /// Inserts the batch's new events with their figures complete (a new event
                /// has nothing stored to add to); their ids, in the batch's order.
                async fn opinion_insert_events(
                    txn: &mut Txn,
                    batch: &IngestBatch,
                    grown: &HashMap<EventSlot, Grown>,
                ) -> Result<Vec<i64>> {
                    let mut ids: HashMap<String, i64> = HashMap::with_capacity(batch.new_events.len());
                    for (n, rows) in batch.new_events.chunks(EVENT_ROWS).enumerate() {
                        let statement = format!(
                            "INSERT INTO opinion_events (unit_id, scheme_id, headline, origin_key, first_seen, \
                             last_seen, volume, growth, negative_hits, platforms, level, score, alerted, created_at) \
                             VALUES {} RETURNING id, origin_key",
                            Params::of::<$db>().rows(rows.len(), 14)
                        );
                        let mut query = sqlx::query_as::<_, (i64, String)>(&statement);
                        for (i, event) in rows.iter().enumerate() {
                            let g = &grown[&EventSlot::New(n * EVENT_ROWS + i)];
                            query = query
                                .bind(event.unit_id.0)
                                .bind(event.scheme_id)
                                .bind(&event.headline)
                                .bind(&event.origin_key)
                                .bind(g.first_seen)
                                .bind(g.last_seen)
                                .bind(g.volume)
                                .bind(g.growth)
                                .bind(g.negative)
                                .bind(&g.platforms)
                                .bind(g.level.code())
                                .bind(g.score)
                                .bind(false)
                                .bind(txn.now);
                        }
                        // RETURNING gives no order, so ids are matched by the origin post's key.
                        ids.extend(query.fetch_all(&mut *txn.tx).await?.into_iter().map(|(id, k)| (k, id)));
                    }
                    Ok(batch.new_events.iter().map(|e| ids[&e.origin_key]).collect())
                }

                /// Writes the posts many rows per statement; posts already stored (same
                /// source id or URL) are left alone. Returns how many were new.
                async fn opinion_insert_posts(txn: &mut Txn, batch: &IngestBatch, new_ids: &[i64]) -> Result<usize> {
                    let mut inserted = 0;
                    for rows in batch.posts.chunks(POST_ROWS) {
                        let statement = format!(
                            "INSERT INTO opinion_posts (source_id, dedup_key, platform, url, author, published_at, \
                             title, body, event_id, created_at) VALUES {} ON CONFLICT (dedup_key) DO NOTHING",
                            Params::of::<$db>().rows(rows.len(), 10)
                        );
                        let mut query = sqlx::query(&statement);
                        for p in rows {
                            let event = p.event.map(|slot| match slot {
                                EventSlot::Stored(id) => id,
                                EventSlot::New(n) => new_ids[n],
                            });
                            query = query
                                .bind(batch.source_id)
                                .bind(&p.key)
                                .bind(&p.post.platform)
                                .bind(&p.post.url)
                                .bind(&p.post.author)
                                .bind(p.published_at)
                                .bind(&p.post.title)
                                .bind(&p.post.text)
                                .bind(event)
                                .bind(txn.now);
                        }
                        inserted += query.execute(&mut *txn.tx).await?.rows_affected() as usize;
                    }
                    Ok(inserted)
                }

                /// What stored events had before this batch.
                async fn opinion_stored_events(txn: &mut Txn, ids: &[i64]) -> Result<HashMap<i64, Stored>> {
                    let mut out = HashMap::with_capacity(ids.len());
                    for list in ids.chunks(IN_LIST) {
                        let statement = format!(
                            "SELECT id, unit_id, volume, negative_hits, platforms, alerted, first_seen, last_seen \
                             FROM opinion_events WHERE id IN ({})",
                            Params::of::<$db>().list(1, list.len())
                        );
                        let mut query = sqlx::query_as::<
                            _,
                            (i64, i64, i64, i64, String, bool, DateTime<Utc>, DateTime<Utc>),
                        >(&statement);
                        for id in list {
                            query = query.bind(id);
                        }
                        for (id, unit_id, volume, negative, platforms, alerted, first_seen, last_seen) in
                            query.fetch_all(&mut *txn.tx).await?
                        {
                            out.insert(
                                id,
                                Stored {
                                    unit_id,
                                    volume,
                                    negative,
                                    platforms,
                                    alerted,
                                    first_seen,
                                    last_seen,
                                },
                            );
                        }
                    }
                    Ok(out)
                }

                async fn opinion_update_event(txn: &mut Txn, id: i64, g: &Grown) -> Result<()> {
                    sqlx::query(
                        "UPDATE opinion_events SET first_seen = $2, last_seen = $3, volume = $4, growth = $5, \
                         negative_hits = $6, platforms = $7, level = $8, score = $9 WHERE id = $1",
                    )
                    .bind(id)
                    .bind(g.first_seen)
                    .bind(g.last_seen)
                    .bind(g.volume)
                    .bind(g.growth)
                    .bind(g.negative)
                    .bind(&g.platforms)
                    .bind(g.level.code())
                    .bind(g.score)
                    .execute(&mut *txn.tx)
                    .await?;
                    Ok(())
                }

                async fn opinion_settings_of<'e, E>(executor: E, unit: UnitId) -> Result<OpinionSettings>
                where
                    E: sqlx::Executor<'e, Database = $db>,
                {
                    let row: Option<(String, String)> =
                        sqlx::query_as("SELECT alert_level, webhook_url FROM opinion_settings WHERE unit_id = $1")
                            .bind(unit.0)
                            .fetch_optional(executor)
                            .await?;
                    Ok(match row {
                        Some((level, url)) => OpinionSettings {
                            alert_level: SeverityLevel::from_code(&level).unwrap_or(SeverityLevel::Serious),
                            webhook_url: url,
                        },
                        None => OpinionSettings::default(),
                    })
                }

                /// Records an alert, marks its event alerted and notifies the unit's duty holders.
                async fn opinion_raise_alert(
                    txn: &mut Txn,
                    event_id: i64,
                    unit: UnitId,
                    level: SeverityLevel,
                    now: DateTime<Utc>,
                ) -> Result<Alert> {
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO opinion_alerts (unit_id, event_id, level, created_at) VALUES ($1, $2, $3, $4) \
                         RETURNING id",
                    )
                    .bind(unit.0)
                    .bind(event_id)
                    .bind(level.code())
                    .bind(now)
                    .fetch_one(&mut *txn.tx)
                    .await?;
                    sqlx::query("UPDATE opinion_events SET alerted = $2 WHERE id = $1")
                        .bind(event_id)
                        .bind(true)
                        .execute(&mut *txn.tx)
                        .await?;
                    let mut users: Vec<(i64,)> = sqlx::query_as(DUTY_HOLDER_USERS)
                        .bind(unit.0)
                        .bind(local_date(now))
                        .fetch_all(&mut *txn.tx)
                        .await?;
                    if users.is_empty() {
                        users = sqlx::query_as(UNIT_USERS).bind(unit.0).fetch_all(&mut *txn.tx).await?;
                    }
                    for (user,) in &users {
                        sqlx::query(
                            "INSERT INTO opinion_notifications (user_id, alert_id, created_at) VALUES ($1, $2, $3)",
                        )
                        .bind(user)
                        .bind(id)
                        .bind(now)
                        .execute(&mut *txn.tx)
                        .await?;
                    }
                    let row: AlertRow = sqlx::query_as(&sql(&[ALERT_COLUMNS, "WHERE a.id = $1 AND $2 IS NULL"]))
                        .bind(id)
                        .bind(None::<i64>)
                        .fetch_one(&mut *txn.tx)
                        .await?;
                    let mut alert = Alert::from(row);
                    alert.unread = true;
                    Ok(alert)
                }

                async fn opinion_insert_incident(
                    txn: &mut Txn,
                    scope: &Scope,
                    incident: &NewIncident,
                    event: Option<i64>,
                ) -> Result<i64> {
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO opinion_incidents (unit_id, title, summary, level, stage, discovered_at, \
                         first_response_due, conclusion_due, alert_id, event_id, risk_id, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
                    )
                    .bind(incident.unit_id.0)
                    .bind(&incident.title)
                    .bind(&incident.summary)
                    .bind(incident.level.code())
                    .bind(Stage::Discovered.code())
                    .bind(incident.discovered_at)
                    .bind(incident.deadlines.first_response)
                    .bind(incident.deadlines.conclusion)
                    .bind(incident.alert_id)
                    .bind(event)
                    .bind(incident.risk_point_id)
                    .bind(txn.now)
                    .fetch_one(&mut *txn.tx)
                    .await?;
                    let note = if incident.summary.is_empty() {
                        format!("发现舆情：{}", incident.title)
                    } else {
                        incident.summary.clone()
                    };
                    sqlx::query(
                        "INSERT INTO opinion_steps (incident_id, stage, at, assignee, note, actor_name) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(id)
                    .bind(Stage::Discovered.code())
                    .bind(incident.discovered_at)
                    .bind(&incident.assignee)
                    .bind(&note)
                    .bind(&scope.actor_name)
                    .execute(&mut *txn.tx)
                    .await?;
                    txn.audit(AuditDraft::new("opinion_incident", id, "create").unit(incident.unit_id.0).after(incident))
                        .await?;
                    Ok(id)
                }

                /// Rows of the opinion facts; `None` for keys of other registers.
                pub(crate) async fn opinion_fact_rows(
                    &self,
                    root: UnitId,
                    key: &str,
                    range: DateRange,
                ) -> Result<Option<Vec<FactRow>>> {
                    let row = |unit: UnitId, kind: &str, id: i64, value: f64| FactRow {
                        unit_id: unit,
                        record: RecordRef::new(kind, id),
                        value,
                    };
                    let now = self.clock.now();
                    match key {
                        "opinion.incidents"
                        | "opinion.incidents_opened"
                        | "opinion.first_response_hours"
                        | "opinion.on_time_rate" => {
                            let rows: Vec<IncidentRow> = sqlx::query_as(INCIDENT_COLUMNS)
                                .bind(root.0)
                                .fetch_all(&self.pool)
                                .await?;
                            let incidents = rows.into_iter().map(Incident::from);
                            let discovered_in = |i: &Incident| range.contains(local_date(i.discovered_at));
                            let out = incidents
                                .filter_map(|i| {
                                    let value = match key {
                                        "opinion.incidents" => i
                                            .concluded_at
                                            .filter(|at| range.contains(local_date(*at)))
                                            .map(|_| 1.0),
                                        "opinion.incidents_opened" => discovered_in(&i).then_some(1.0),
                                        "opinion.first_response_hours" => {
                                            i.response_hours().filter(|_| discovered_in(&i))
                                        }
                                        _ => {
                                            if !discovered_in(&i) {
                                                None
                                            } else {
                                                match i.responded_at {
                                                    Some(at) => Some(if at <= i.deadlines.first_response { 1.0 } else { 0.0 }),
                                                    None if now > i.deadlines.first_response => Some(0.0),
                                                    None => None,
                                                }
                                            }
                                        }
                                    };
                                    value.map(|v| row(i.unit_id, "opinion_incident", i.id, v))
                                })
                                .collect();
                            Ok(Some(out))
                        }
                        "opinion.risk_points_open" => {
                            let rows: Vec<(i64, i64, DateTime<Utc>)> = sqlx::query_as(
                                "SELECT r.unit_id, r.id, r.created_at FROM opinion_risks r \
                                 JOIN unit_closure c ON c.descendant_id = r.unit_id \
                                 WHERE c.ancestor_id = $1 AND r.status = 'open'",
                            )
                            .bind(root.0)
                            .fetch_all(&self.pool)
                            .await?;
                            Ok(Some(
                                rows.into_iter()
                                    .filter(|(_, _, at)| local_date(*at) <= range.until)
                                    .map(|(u, id, _)| row(UnitId(u), "opinion_risk", id, 1.0))
                                    .collect(),
                            ))
                        }
                        "opinion.grievances" => {
                            let rows: Vec<(i64, i64)> = sqlx::query_as(
                                "SELECT g.unit_id, g.id FROM opinion_grievances g \
                                 JOIN unit_closure c ON c.descendant_id = g.unit_id \
                                 WHERE c.ancestor_id = $1 AND g.received_on >= $2 AND g.received_on <= $3",
                            )
                            .bind(root.0)
                            .bind(range.from)
                            .bind(range.until)
                            .fetch_all(&self.pool)
                            .await?;
                            Ok(Some(
                                rows.into_iter()
                                    .map(|(u, id)| row(UnitId(u), "opinion_grievance", id, 1.0))
                                    .collect(),
                            ))
                        }
                        _ => Ok(None),
                    }
                }
            }

            #[async_trait]
            impl crate::OpinionStore for $store {
                async fn create_source(&self, scope: &Scope, source: NewSource) -> Result<Source> {
                    let mut txn = self.begin_as(scope, Action::ManageUnits).await?;
                    Self::scoped_unit(&mut *txn.tx, scope, source.unit_id).await?;
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO opinion_sources (unit_id, name, platform, created_at) VALUES ($1, $2, $3, $4) \
                         RETURNING id",
                    )
                    .bind(source.unit_id.0)
                    .bind(&source.name)
                    .bind(&source.platform)
                    .bind(txn.now)
                    .fetch_one(&mut *txn.tx)
                    .await
                    .map_err(on_unique("名称", "已有同名信息源"))?;
                    txn.audit(AuditDraft::new("opinion_source", id, "create").unit(source.unit_id.0).after(&source))
                        .await?;
                    let created = Self::opinion_scoped_source(&mut *txn.tx, scope, id).await?;
                    txn.commit().await?;
                    Ok(created)
                }

                async fn sources(&self, scope: &Scope) -> Result<Vec<Source>> {
                    let rows: Vec<SourceRow> = sqlx::query_as(&sql(&[SOURCE_COLUMNS, SOURCE_SCOPE, " ORDER BY s.name"]))
                        .bind(scope.root.0)
                        .fetch_all(&self.pool)
                        .await?;
                    Ok(rows.into_iter().map(Source::from).collect())
                }

                async fn source(&self, scope: &Scope, id: i64) -> Result<Source> {
                    Self::opinion_scoped_source(&self.pool, scope, id).await
                }

                async fn source_by_name(&self, scope: &Scope, name: &str) -> Result<Source> {
                    let row: Option<SourceRow> =
                        sqlx::query_as(&sql(&[SOURCE_COLUMNS, SOURCE_SCOPE, " AND s.name = $2"]))
                            .bind(scope.root.0)
                            .bind(name.trim())
                            .fetch_optional(&self.pool)
                            .await?;
                    row.map(Source::from).ok_or(StoreError::NotFound)
                }

                async fn set_source_token(&self, scope: &Scope, id: i64, token_hash: &str) -> Result<Source> {
                    let mut txn = self.begin_as(scope, Action::ManageUnits).await?;
                    let source = Self::opinion_scoped_source(&mut *txn.tx, scope, id).await?;
                    sqlx::query("UPDATE opinion_sources SET token_hash = $2 WHERE id = $1")
                        .bind(id)
                        .bind(token_hash)
                        .execute(&mut *txn.tx)
                        .await?;
                    // The hash is not logged: the entry says that, not what, changed.
                    txn.audit(
                        AuditDraft::new("opinion_source", id, "rotate_token")
                            .unit(source.unit_id.0)
                            .after(serde_json::json!({ "had_token": source.has_token })),
                    )
                    .await?;
                    let after = Self::opinion_scoped_source(&mut *txn.tx, scope, id).await?;
                    txn.commit().await?;
                    Ok(after)
                }

                async fn source_by_token(&self, token_hash: &str) -> Result<Option<Source>> {
                    let row: Option<SourceRow> = sqlx::query_as(&sql(&[SOURCE_COLUMNS, "WHERE s.token_hash = $1"]))
                        .bind(token_hash)
                        .fetch_optional(&self.pool)
                        .await?;
                    Ok(row.map(Source::from))
                }

                async fn save_scheme(&self, scope: &Scope, id: Option<i64>, scheme: NewScheme) -> Result<Scheme> {
                    let mut txn = self.begin_as(scope, Action::Write).await?;
                    Self::scoped_unit(&mut *txn.tx, scope, scheme.unit_id).await?;
                    let id = match id {
                        Some(id) => {
                            let before: Option<SchemeRow> = sqlx::query_as(&sql(&[SCHEME_COLUMNS, " AND s.id = $2"]))
                                .bind(scope.root.0)
                                .bind(id)
                                .fetch_optional(&mut *txn.tx)
                                .await?;
                            let before = before.map(Scheme::from).ok_or(StoreError::NotFound)?;
                            sqlx::query(
                                "UPDATE opinion_schemes SET unit_id = $2, name = $3, rule = $4, topic_weight = $5, \
                                 active = $6, updated_at = $7 WHERE id = $1",
                            )
                            .bind(id)
                            .bind(scheme.unit_id.0)
                            .bind(&scheme.name)
                            .bind(&scheme.rule)
                            .bind(scheme.topic_weight)
                            .bind(scheme.active)
                            .bind(txn.now)
                            .execute(&mut *txn.tx)
                            .await?;
                            txn.audit(
                                AuditDraft::new("opinion_scheme", id, "update")
                                    .unit(scheme.unit_id.0)
                                    .before(&before)
                                    .after(&scheme),
                            )
                            .await?;
                            id
                        }
                        None => {
                            let (id,): (i64,) = sqlx::query_as(
                                "INSERT INTO opinion_schemes (unit_id, name, rule, topic_weight, active, created_at, \
                                 updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
                            )
                            .bind(scheme.unit_id.0)
                            .bind(&scheme.name)
                            .bind(&scheme.rule)
                            .bind(scheme.topic_weight)
                            .bind(scheme.active)
                            .bind(txn.now)
                            .fetch_one(&mut *txn.tx)
                            .await?;
                            txn.audit(AuditDraft::new("opinion_scheme", id, "create").unit(scheme.unit_id.0).after(&scheme))
                                .await?;
                            id
                        }
                    };
                    let row: SchemeRow = sqlx::query_as(&sql(&[SCHEME_COLUMNS, " AND s.id = $2"]))
                        .bind(scope.root.0)
                        .bind(id)
                        .fetch_one(&mut *txn.tx)
                        .await?;
                    txn.commit().await?;
                    Ok(Scheme::from(row))
                }

                async fn schemes(&self, scope: &Scope) -> Result<Vec<Scheme>> {
                    let rows: Vec<SchemeRow> =
                        sqlx::query_as(&sql(&[SCHEME_COLUMNS, " ORDER BY c.depth, u.sort_order, s.unit_id, s.id"]))
                            .bind(scope.root.0)
                            .fetch_all(&self.pool)
                            .await?;
                    Ok(rows.into_iter().map(Scheme::from).collect())
                }

                async fn scheme(&self, scope: &Scope, id: i64) -> Result<Scheme> {
                    let row: Option<SchemeRow> = sqlx::query_as(&sql(&[SCHEME_COLUMNS, " AND s.id = $2"]))
                        .bind(scope.root.0)
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?;
                    row.map(Scheme::from).ok_or(StoreError::NotFound)
                }

                async fn opinion_settings(&self, scope: &Scope, unit: UnitId) -> Result<OpinionSettings> {
                    Self::scoped_unit(&self.pool, scope, unit).await?;
                    Self::opinion_settings_of(&self.pool, unit).await
                }

                async fn save_opinion_settings(&self, scope: &Scope, unit: UnitId, settings: OpinionSettings) -> Result<()> {
                    let mut txn = self.begin_as(scope, Action::ManageUnits).await?;
                    Self::scoped_unit(&mut *txn.tx, scope, unit).await?;
                    sqlx::query("DELETE FROM opinion_settings WHERE unit_id = $1")
                        .bind(unit.0)
                        .execute(&mut *txn.tx)
                        .await?;
                    sqlx::query("INSERT INTO opinion_settings (unit_id, alert_level, webhook_url) VALUES ($1, $2, $3)")
                        .bind(unit.0)
                        .bind(settings.alert_level.code())
                        .bind(&settings.webhook_url)
                        .execute(&mut *txn.tx)
                        .await?;
                    txn.audit(AuditDraft::new("opinion_settings", unit.0, "update").unit(unit.0).after(&settings))
                        .await?;
                    txn.commit().await
                }

                async fn scheme_version(&self, scope: &Scope) -> Result<String> {
                    if !scope.permits(Action::Write) {
                        return Err(StoreError::Forbidden);
                    }
                    let (count, latest): (i64, Option<String>) = sqlx::query_as(
                        "SELECT COUNT(*), CAST(MAX(updated_at) AS TEXT) FROM opinion_schemes WHERE active = $1",
                    )
                    .bind(true)
                    .fetch_one(&self.pool)
                    .await?;
                    Ok(format!("{count}/{}", latest.unwrap_or_default()))
                }

                async fn monitored_schemes(&self, scope: &Scope) -> Result<SchemeSnapshot> {
                    let version = self.scheme_version(scope).await?;
                    let rows: Vec<(i64, i64, String, f64)> = sqlx::query_as(
                        "SELECT id, unit_id, rule, topic_weight FROM opinion_schemes WHERE active = $1 ORDER BY id",
                    )
                    .bind(true)
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(SchemeSnapshot {
                        version,
                        schemes: rows
                            .into_iter()
                            .map(|(id, unit, rule, topic_weight)| MonitoredScheme {
                                id,
                                unit_id: UnitId(unit),
                                rule,
                                topic_weight,
                            })
                            .collect(),
                    })
                }

                async fn watching_units(&self, scope: &Scope, source: i64) -> Result<Vec<UnitId>> {
                    if !scope.permits(Action::Write) {
                        return Err(StoreError::Forbidden);
                    }
                    let units: Vec<(i64,)> = sqlx::query_as(WATCHING_UNITS)
                        .bind(scope.root.0)
                        .bind(source)
                        .fetch_all(&self.pool)
                        .await?;
                    if units.is_empty() {
                        return Err(StoreError::NotFound);
                    }
                    Ok(units.into_iter().map(|(u,)| UnitId(u)).collect())
                }

                async fn replay_posts(
                    &self,
                    scope: &Scope,
                    window: chrono::Duration,
                ) -> Result<Vec<(i64, UnitId, Post)>> {
                    if !scope.permits(Action::Write) {
                        return Err(StoreError::Forbidden);
                    }
                    let latest: Option<(DateTime<Utc>,)> =
                        sqlx::query_as("SELECT last_seen FROM opinion_events ORDER BY last_seen DESC LIMIT 1")
                            .fetch_optional(&self.pool)
                            .await?;
                    let Some((latest,)) = latest else { return Ok(Vec::new()) };
                    let since = latest - window;
                    let rows: Vec<PostRow> = sqlx::query_as(&sql(&[
                        POST_COLUMNS,
                        "WHERE p.event_id IN (SELECT id FROM opinion_events WHERE last_seen >= $1) \
                         AND p.published_at >= $1 ORDER BY p.published_at, p.id",
                    ]))
                    .bind(since)
                    .fetch_all(&self.pool)
                    .await?;
                    let units: HashMap<i64, i64> =
                        sqlx::query_as::<_, (i64, i64)>("SELECT id, unit_id FROM opinion_events WHERE last_seen >= $1")
                            .bind(since)
                            .fetch_all(&self.pool)
                            .await?
                            .into_iter()
                            .collect();
                    Ok(rows
                        .into_iter()
                        .filter_map(|r| {
                            let event = r.event_id.expect("selected with an event");
                            let unit = UnitId(*units.get(&event)?);
                            let post = Post {
                                source: r.source_name,
                                source_id: None,
                                platform: r.platform,
                                url: r.url,
                                author: r.author,
                                published_at: Some(r.published_at),
                                title: r.title,
                                text: r.body,
                            };
                            Some((event, unit, post))
                        })
                        .collect())
                }

                async fn known_post_keys(&self, scope: &Scope, keys: &[String]) -> Result<HashSet<String>> {
                    if !scope.permits(Action::Write) {
                        return Err(StoreError::Forbidden);
                    }
                    let mut known = HashSet::new();
                    for list in keys.chunks(IN_LIST) {
                        let statement = format!(
                            "SELECT dedup_key FROM opinion_posts WHERE dedup_key IN ({})",
                            Params::of::<$db>().list(1, list.len())
                        );
                        let mut query = sqlx::query_as::<_, (String,)>(&statement);
                        for key in list {
                            query = query.bind(key);
                        }
                        known.extend(query.fetch_all(&self.pool).await?.into_iter().map(|(k,)| k));
                    }
                    Ok(known)
                }

                async fn write_ingest_batch(
                    &self,
                    scope: &Scope,
                    batch: IngestBatch,
                    severity: &SeverityConfig,
                ) -> Result<BatchWritten> {
                    let mut txn = self.begin_as(scope, Action::Write).await?;
                    // Not `opinion_scoped_source`: its post count scans the source's posts,
                    // once per batch, which made bulk ingest slow down as the table grew.
                    let source: Option<(i64, String)> = sqlx::query_as(&sql(&[
                        "SELECT s.unit_id, s.name FROM opinion_sources s ",
                        SOURCE_SCOPE,
                        " AND s.id = $2",
                    ]))
                    .bind(scope.root.0)
                    .bind(batch.source_id)
                    .fetch_optional(&mut *txn.tx)
                    .await?;
                    let (source_unit, source_name) = source.ok_or(StoreError::NotFound)?;
                    let now = txn.now;
                    // Whatever the pipeline did, no event of a unit that may not see the
                    // source is started or grown by its posts.
                    let watching: HashSet<i64> = sqlx::query_as::<_, (i64,)>(WATCHING_UNITS)
                        .bind(scope.root.0)
                        .bind(batch.source_id)
                        .fetch_all(&mut *txn.tx)
                        .await?
                        .into_iter()
                        .map(|(u,)| u)
                        .collect();
                    if batch.new_events.iter().any(|e| !watching.contains(&e.unit_id.0))
                        || batch.growth.iter().any(|g| !watching.contains(&g.unit_id.0))
                    {
                        return Err(StoreError::Forbidden);
                    }
                    let stored_ids: Vec<i64> = batch
                        .growth
                        .iter()
                        .filter_map(|g| match g.event {
                            EventSlot::Stored(id) => Some(id),
                            EventSlot::New(_) => None,
                        })
                        .collect();
                    let stored = Self::opinion_stored_events(&mut txn, &stored_ids).await?;
                    let foreign = batch.growth.iter().any(|g| match g.event {
                        EventSlot::Stored(id) => stored.get(&id).is_none_or(|e| e.unit_id != g.unit_id.0),
                        EventSlot::New(_) => false,
                    });
                    if foreign {
                        return Err(StoreError::Forbidden);
                    }
                    let grown: HashMap<EventSlot, Grown> = batch
                        .growth
                        .iter()
                        .map(|g| {
                            let before = match g.event {
                                EventSlot::Stored(id) => stored.get(&id),
                                EventSlot::New(_) => None,
                            };
                            (g.event, Grown::of(g, before, severity))
                        })
                        .collect();
                    let new_ids = Self::opinion_insert_events(&mut txn, &batch, &grown).await?;
                    let inserted = Self::opinion_insert_posts(&mut txn, &batch, &new_ids).await?;
                    if let (Some(first), Some(last)) = (new_ids.iter().min(), new_ids.iter().max()) {
                        sqlx::query(
                            "UPDATE opinion_events SET representative_post_id = \
                             (SELECT p.id FROM opinion_posts p WHERE p.dedup_key = opinion_events.origin_key) \
                             WHERE id >= $1 AND id <= $2 AND representative_post_id IS NULL",
                        )
                        .bind(first)
                        .bind(last)
                        .execute(&mut *txn.tx)
                        .await?;
                    }
                    let mut summary = IngestSummary {
                        new: inserted,
                        duplicate: batch.duplicates + batch.posts.len() - inserted,
                        matched: batch.posts.iter().filter(|p| p.event.is_some()).count(),
                        events_new: new_ids.len(),
                        events_updated: stored_ids.len(),
                        ..IngestSummary::default()
                    };
                    let mut settings: HashMap<UnitId, OpinionSettings> = HashMap::new();
                    for g in &batch.growth {
                        let (event_id, alerted) = match g.event {
                            EventSlot::Stored(id) => {
                                Self::opinion_update_event(&mut txn, id, &grown[&g.event]).await?;
                                (id, stored.get(&id).is_some_and(|s| s.alerted))
                            }
                            EventSlot::New(n) => (new_ids[n], false),
                        };
                        let level = grown[&g.event].level;
                        if alerted {
                            continue;
                        }
                        if !settings.contains_key(&g.unit_id) {
                            let found = Self::opinion_settings_of(&mut *txn.tx, g.unit_id).await?;
                            settings.insert(g.unit_id, found);
                        }
                        let unit_settings = settings[&g.unit_id].clone();
                        if level < unit_settings.alert_level {
                            continue;
                        }
                        let alert = Self::opinion_raise_alert(&mut txn, event_id, g.unit_id, level, now).await?;
                        if !unit_settings.webhook_url.is_empty() {
                            summary.webhooks.push(Webhook {
                                url: unit_settings.webhook_url.clone(),
                                payload: serde_json::json!({
                                    "type": "舆情预警",
                                    "unit": alert.unit_name,
                                    "level": alert.level.label(),
                                    "headline": alert.headline,
                                    "volume": alert.volume,
                                    "event_id": alert.event_id,
                                    "alert_id": alert.id,
                                    "at": alert.created_at,
                                }),
                            });
                        }
                        summary.alerts.push(alert);
                    }
                    // Bulk ingest writes one audit entry per batch (naming the source and the
                    // counts) rather than one per post: the posts are third-party data, and
                    // the entry is what an auditor needs to find them.
                    txn.audit(
                        AuditDraft::new("opinion_ingest", batch.source_id, "ingest")
                            .unit(source_unit)
                            .after(serde_json::json!({
                                "source": source_name,
                                "new": summary.new,
                                "duplicate": summary.duplicate,
                                "matched": summary.matched,
                                "events_new": summary.events_new,
                                "alerts": summary.alerts.iter().map(|a| a.id).collect::<Vec<_>>(),
                            })),
                    )
                    .await?;
                    txn.commit().await?;
                    Ok(BatchWritten {
                        summary,
                        new_event_ids: new_ids,
                    })
                }

                async fn opinion_events(
                    &self,
                    scope: &Scope,
                    filter: &EventFilter,
                    page: PageRequest,
                ) -> Result<Page<OpinionEvent>> {
                    let levels: Vec<&str> = SeverityLevel::ALL
                        .iter()
                        .filter(|l| filter.min_level.is_none_or(|m| **l >= m))
                        .map(|l| l.code())
                        .collect();
                    let levels = levels.join(",");
                    let since = filter.since.unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
                    let condition = " AND ',' || $2 || ',' LIKE '%,' || e.level || ',%' AND e.last_seen >= $3";
                    let (total,): (i64,) = sqlx::query_as(&sql(&[
                        "SELECT COUNT(*) FROM opinion_events e JOIN unit_closure c ON c.descendant_id = e.unit_id \
                         WHERE c.ancestor_id = $1",
                        condition,
                    ]))
                    .bind(scope.root.0)
                    .bind(&levels)
                    .bind(since)
                    .fetch_one(&self.pool)
                    .await?;
                    let rows: Vec<EventRow> = sqlx::query_as(&sql(&[
                        EVENT_COLUMNS,
                        condition,
                        " ORDER BY e.last_seen DESC, e.id DESC LIMIT $4 OFFSET $5",
                    ]))
                    .bind(scope.root.0)
                    .bind(&levels)
                    .bind(since)
                    .bind(page.per_page)
                    .bind(page.offset())
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(Page {
                        items: rows.into_iter().map(OpinionEvent::from).collect(),
                        total,
                        page: page.page,
                        per_page: page.per_page,
                    })
                }

                async fn opinion_event(&self, scope: &Scope, id: i64) -> Result<OpinionEvent> {
                    let row: Option<EventRow> = sqlx::query_as(&sql(&[EVENT_COLUMNS, " AND e.id = $2"]))
                        .bind(scope.root.0)
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?;
                    row.map(OpinionEvent::from).ok_or(StoreError::NotFound)
                }

                async fn event_posts(&self, scope: &Scope, id: i64, limit: i64) -> Result<Vec<OpinionPost>> {
                    self.opinion_event(scope, id).await?;
                    let rows: Vec<PostRow> = sqlx::query_as(&sql(&[
                        POST_COLUMNS,
                        "WHERE p.event_id = $1 ORDER BY p.published_at, p.id LIMIT $2",
                    ]))
                    .bind(id)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(rows.into_iter().map(OpinionPost::from).collect())
                }

                async fn alerts(&self, scope: &Scope, limit: i64) -> Result<Vec<Alert>> {
                    let rows: Vec<AlertRow> = sqlx::query_as(&sql(&[
                        ALERT_COLUMNS,
                        ALERT_SCOPE,
                        " ORDER BY a.created_at DESC, a.id DESC LIMIT $3",
                    ]))
                    .bind(scope.root.0)
                    .bind(scope.actor.map(|u| u.0))
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(rows.into_iter().map(Alert::from).collect())
                }

                async fn alert(&self, scope: &Scope, id: i64) -> Result<Alert> {
                    Self::opinion_scoped_alert(&self.pool, scope, id).await
                }

                async fn notifications(&self, scope: &Scope, limit: i64) -> Result<Vec<Alert>> {
                    let rows: Vec<AlertRow> = sqlx::query_as(&sql(&[
                        ALERT_COLUMNS,
                        ALERT_SCOPE,
                        " AND EXISTS (SELECT 1 FROM opinion_notifications n2 WHERE n2.alert_id = a.id \
                         AND n2.user_id = $2) ORDER BY a.created_at DESC, a.id DESC LIMIT $3",
                    ]))
                    .bind(scope.root.0)
                    .bind(scope.actor.map(|u| u.0))
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(rows.into_iter().map(Alert::from).collect())
                }

                async fn unread_notifications(&self, scope: &Scope) -> Result<i64> {
                    let Some(user) = scope.actor else { return Ok(0) };
                    let (n,): (i64,) = sqlx::query_as(
                        "SELECT COUNT(*) FROM opinion_notifications WHERE user_id = $1 AND read_at IS NULL",
                    )
                    .bind(user.0)
                    .fetch_one(&self.pool)
                    .await?;
                    Ok(n)
                }

                async fn mark_notifications_read(&self, scope: &Scope) -> Result<()> {
                    let Some(user) = scope.actor else { return Ok(()) };
                    // Reading one's own notifications changes no record anyone accounts for;
                    // it is still written through the audited path like every other write.
                    let mut txn = self.begin(Some(user.0), &scope.actor_name).await?;
                    let updated = sqlx::query(
                        "UPDATE opinion_notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL",
                    )
                    .bind(user.0)
                    .bind(txn.now)
                    .execute(&mut *txn.tx)
                    .await?
                    .rows_affected();
                    txn.audit(
                        AuditDraft::new("opinion_alert", 0, "read")
                            .unit(scope.root.0)
                            .after(serde_json::json!({ "notifications": updated })),
                    )
                    .await?;
                    txn.commit().await
                }

                async fn open_incident(&self, scope: &Scope, incident: NewIncident) -> Result<Incident> {
                    let mut txn = self.begin_as(scope, Action::Write).await?;
                    Self::scoped_unit(&mut *txn.tx, scope, incident.unit_id).await?;
                    if let Some(risk) = incident.risk_point_id {
                        Self::opinion_scoped_risk(&mut *txn.tx, scope, risk).await?;
                    }
                    let id = Self::opinion_insert_incident(&mut txn, scope, &incident, None).await?;
                    txn.commit().await?;
                    self.incident(scope, id).await
                }

                async fn open_incident_from_alert(
                    &self,
                    scope: &Scope,
                    alert: i64,
                    policy: &DeadlinePolicy,
                    assignee: &str,
                    risk: Option<i64>,
                ) -> Result<Incident> {
                    let mut txn = self.begin_as(scope, Action::Write).await?;
                    let alert = Self::opinion_scoped_alert(&mut *txn.tx, scope, alert).await?;
                    if let Some(existing) = alert.incident_id {
                        drop(txn);
                        return self.incident(scope, existing).await;
                    }
                    if let Some(risk) = risk {
                        Self::opinion_scoped_risk(&mut *txn.tx, scope, risk).await?;
                    }
                    let mut incident = NewIncident::parse(
                        alert.unit_id,
                        &alert.headline,
                        &format!("由{}级舆情预警立案（信息量 {} 条）", alert.level.label(), alert.volume),
                        alert.level.code(),
                        alert.created_at,
                        assignee,
                        risk,
                        policy,
                    )
                    .map_err(StoreError::Invalid)?;
                    incident.alert_id = Some(alert.id);
                    let id = Self::opinion_insert_incident(&mut txn, scope, &incident, Some(alert.event_id)).await?;
                    sqlx::query("UPDATE opinion_alerts SET incident_id = $2 WHERE id = $1")
                        .bind(alert.id)
                        .bind(id)
                        .execute(&mut *txn.tx)
                        .await?;
                    sqlx::query("UPDATE opinion_notifications SET read_at = $2 WHERE alert_id = $1 AND read_at IS NULL")
                        .bind(alert.id)
                        .bind(txn.now)
                        .execute(&mut *txn.tx)
                        .await?;
                    txn.commit().await?;
                    self.incident(scope, id).await
                }

                async fn incidents(&self, scope: &Scope, open_only: bool) -> Result<Vec<Incident>> {
                    let filter = if open_only {
                        " AND i.stage IN ('discovered', 'assessed', 'handling', 'responded')"
                    } else {
                        ""
                    };
                    let rows: Vec<IncidentRow> = sqlx::query_as(&sql(&[
                        INCIDENT_COLUMNS,
                        filter,
                        " ORDER BY i.discovered_at DESC, i.id DESC",
                    ]))
                    .bind(scope.root.0)
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(rows.into_iter().map(Incident::from).collect())
                }

                async fn incident(&self, scope: &Scope, id: i64) -> Result<Incident> {
                    let mut incident = Self::opinion_scoped_incident(&self.pool, scope, id).await?;
                    let steps: Vec<(i64, String, DateTime<Utc>, String, String, String)> = sqlx::query_as(
                        "SELECT id, stage, at, assignee, note, actor_name FROM opinion_steps WHERE incident_id = $1 \
                         ORDER BY at, id",
                    )
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await?;
                    incident.steps = steps
                        .into_iter()
                        .map(|(id, stage, at, assignee, note, actor_name)| IncidentStep {
                            id,
                            stage: Stage::from_code(&stage).unwrap_or(Stage::Discovered),
                            at,
                            assignee,
                            note,
                            actor_name,
                        })
                        .collect();
                    let items: Vec<(i64, String, bool)> = sqlx::query_as(
                        "SELECT id, text, done FROM opinion_checklist WHERE incident_id = $1 ORDER BY position, id",
                    )
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await?;
                    incident.checklist = items
                        .into_iter()
                        .map(|(id, text, done)| ChecklistItem { id, text, done })
                        .collect();
                    Ok(incident)
                }

                async fn add_step(&self, scope: &Scope, incident: i64, step: NewStep) -> Result<IncidentStep> {
                    let mut txn = self.begin_as(scope, Action::Write).await?;
                    let before = Self::opinion_scoped_incident(&mut *txn.tx, scope, incident).await?;
                    step.check_from(before.stage).map_err(StoreError::Invalid)?;
                    let now = txn.now;
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO opinion_steps (incident_id, stage, at, assignee, note, actor_name) \
                         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    )
                    .bind(incident)
                    .bind(step.stage.code())
                    .bind(now)
                    .bind(&step.assignee)
                    .bind(&step.note)
                    .bind(&scope.actor_name)
                    .fetch_one(&mut *txn.tx)
                    .await?;
                    let responded = before
                        .responded_at
                        .or((step.stage > Stage::Discovered).then_some(now));
                    let concluded = before
                        .concluded_at
                        .or((step.stage >= Stage::Concluded).then_some(now));
                    sqlx::query(
                        "UPDATE opinion_incidents SET stage = $2, responded_at = $3, concluded_at = $4 WHERE id = $1",
                    )
                    .bind(incident)
                    .bind(step.stage.code())
                    .bind(responded)
                    .bind(concluded)
                    .execute(&mut *txn.tx)
                    .await?;
                    txn.audit(
                        AuditDraft::new("opinion_incident", incident, "step")
                            .unit(before.unit_id.0)
                            .before(serde_json::json!({ "stage": before.stage }))
                            .after(&step),
                    )
                    .await?;
                    txn.commit().await?;
                    Ok(IncidentStep {
                        id,
                        stage: step.stage,
                        at: now,
                        assignee: step.assignee,
                        note: step.note,
                        actor_name: scope.actor_name.clone(),
                    })
                }

                async fn apply_plan(&self, scope: &Scope, incident: i64, plan: i64) -> Result<()> {
                    let mut txn = self.begin_as(scope, Action::Write).await?;
                    let target = Self::opinion_scoped_incident(&mut *txn.tx, scope, incident).await?;
                    let row: Option<PlanRow> = sqlx::query_as(&sql(&[PLAN_COLUMNS, " AND pl.id = $2"]))
                        .bind(target.unit_id.0)
                        .bind(plan)
                        .fetch_optional(&mut *txn.tx)
                        .await?;
                    let plan = row.map(ContingencyPlan::from).ok_or(StoreError::NotFound)?;
                    let (last,): (i64,) = sqlx::query_as(
                        "SELECT CAST(COALESCE(MAX(position), 0) AS BIGINT) FROM opinion_checklist WHERE incident_id = $1",
                    )
                    .bind(incident)
                    .fetch_one(&mut *txn.tx)
                    .await?;
                    for (i, item) in plan.items.iter().enumerate() {
                        sqlx::query(
                            "INSERT INTO opinion_checklist (incident_id, position, text, done) VALUES ($1, $2, $3, $4)",
                        )
                        .bind(incident)
                        .bind(last + 1 + i as i64)
                        .bind(item)
                        .bind(false)
                        .execute(&mut *txn.tx)
                        .await?;
                    }
                    txn.audit(
                        AuditDraft::new("opinion_incident", incident, "apply_plan")
                            .unit(target.unit_id.0)
                            .after(serde_json::json!({ "plan": plan.id, "topic": plan.topic, "items": plan.items })),
                    )
                    .await?;
                    txn.commit().await
                }

                async fn check_item(&self, scope: &Scope, incident: i64, item: i64, done: bool) -> Result<()> {
                    let mut txn = self.begin_as(scope, Action::Write).await?;
                    let target = Self::opinion_scoped_incident(&mut *txn.tx, scope, incident).await?;
                    let changed = sqlx::query("UPDATE opinion_checklist SET done = $3 WHERE id = $1 AND incident_id = $2")
                        .bind(item)
                        .bind(incident)
                        .bind(done)
                        .execute(&mut *txn.tx)
                        .await?
                        .rows_affected();
                    if changed == 0 {
                        return Err(StoreError::NotFound);
                    }
                    txn.audit(
                        AuditDraft::new("opinion_incident", incident, "check")
                            .unit(target.unit_id.0)
                            .after(serde_json::json!({ "item": item, "done": done })),
                    )
                    .await?;
                    txn.commit().await
                }

                async fn create_plan(&self, scope: &Scope, plan: NewContingencyPlan) -> Result<ContingencyPlan> {
                    let mut txn = self.begin_as(scope, Action::Write).await?;
                    Self::scoped_unit(&mut *txn.tx, scope, plan.unit_id).await?;
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO opinion_plans (unit_id, topic, items, created_at) VALUES ($1, $2, $3, $4) \
                         RETURNING id",
                    )
                    .bind(plan.unit_id.0)
                    .bind(&plan.topic)
                    .bind(plan.items.join("\n"))
                    .bind(txn.now)
                    .fetch_one(&mut *txn.tx)
                    .await?;
                    txn.audit(AuditDraft::new("opinion_plan", id, "create").unit(plan.unit_id.0).after(&plan))
                        .await?;
                    let row: PlanRow = sqlx::query_as(&sql(&[PLAN_COLUMNS, " AND pl.id = $2"]))
                        .bind(scope.root.0)
                        .bind(id)
                        .fetch_one(&mut *txn.tx)
                        .await?;
                    txn.commit().await?;
                    Ok(ContingencyPlan::from(row))
                }

                async fn plans(&self, scope: &Scope) -> Result<Vec<ContingencyPlan>> {
                    let rows: Vec<PlanRow> = sqlx::query_as(&sql(&[PLAN_COLUMNS, " ORDER BY pl.topic, pl.id"]))
                        .bind(scope.root.0)
                        .fetch_all(&self.pool)
                        .await?;
                    Ok(rows.into_iter().map(ContingencyPlan::from).collect())
                }

                async fn create_risk(&self, scope: &Scope, risk: NewRiskPoint) -> Result<RiskPoint> {
                    let mut txn = self.begin_as(scope, Action::Write).await?;
                    Self::scoped_unit(&mut *txn.tx, scope, risk.unit_id).await?;
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO opinion_risks (unit_id, title, level, owner, measures, keywords, \
                         review_interval_days, next_review, status, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9) RETURNING id",
                    )
                    .bind(risk.unit_id.0)
                    .bind(&risk.title)
                    .bind(risk.level.code())
                    .bind(&risk.owner)
                    .bind(&risk.measures)
                    .bind(&risk.keywords)
                    .bind(risk.review_interval_days)
                    .bind(risk.next_review)
                    .bind(txn.now)
                    .fetch_one(&mut *txn.tx)
                    .await?;
                    txn.audit(AuditDraft::new("opinion_risk", id, "create").unit(risk.unit_id.0).after(&risk))
                        .await?;
                    let created = Self::opinion_scoped_risk(&mut *txn.tx, scope, id).await?;
                    txn.commit().await?;
                    Ok(created)
                }

                async fn risks(&self, scope: &Scope) -> Result<Vec<RiskPoint>> {
                    let rows: Vec<RiskRow> = sqlx::query_as(&sql(&[
                        RISK_COLUMNS,
                        " ORDER BY CASE r.status WHEN 'open' THEN 0 ELSE 1 END, \
                         CASE r.level WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, r.next_review, r.id",
                    ]))
                    .bind(scope.root.0)
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(rows.into_iter().map(RiskPoint::from).collect())
                }

                async fn risk(&self, scope: &Scope, id: i64) -> Result<RiskPoint> {
                    Self::opinion_scoped_risk(&self.pool, scope, id).await
                }

                async fn review_risk(&self, scope: &Scope, id: i64, status: RiskStatus) -> Result<RiskPoint> {
                    let mut txn = self.begin_as(scope, Action::Write).await?;
                    let before = Self::opinion_scoped_risk(&mut *txn.tx, scope, id).await?;
                    let next = before.next_review_after(local_date(txn.now));
                    sqlx::query("UPDATE opinion_risks SET next_review = $2, status = $3 WHERE id = $1")
                        .bind(id)
                        .bind(next)
                        .bind(status.code())
                        .execute(&mut *txn.tx)
                        .await?;
                    txn.audit(
                        AuditDraft::new("opinion_risk", id, "review")
                            .unit(before.unit_id.0)
                            .before(serde_json::json!({ "next_review": before.next_review, "status": before.status }))
                            .after(serde_json::json!({ "next_review": next, "status": status })),
                    )
                    .await?;
                    let after = Self::opinion_scoped_risk(&mut *txn.tx, scope, id).await?;
                    txn.commit().await?;
                    Ok(after)
                }

                async fn add_grievance(&self, scope: &Scope, grievance: NewGrievance) -> Result<Grievance> {
                    let mut txn = self.begin_as(scope, Action::Write).await?;
                    Self::scoped_unit(&mut *txn.tx, scope, grievance.unit_id).await?;
                    if let Some(risk) = grievance.risk_point_id {
                        Self::opinion_scoped_risk(&mut *txn.tx, scope, risk).await?;
                    }
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO opinion_grievances (unit_id, risk_id, received_on, channel, content, resolved, \
                         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                    )
                    .bind(grievance.unit_id.0)
                    .bind(grievance.risk_point_id)
                    .bind(grievance.received_on)
                    .bind(&grievance.channel)
                    .bind(&grievance.content)
                    .bind(false)
                    .bind(txn.now)
                    .fetch_one(&mut *txn.tx)
                    .await?;
                    txn.audit(
                        AuditDraft::new("opinion_grievance", id, "create")
                            .unit(grievance.unit_id.0)
                            .after(&grievance),
                    )
                    .await?;
                    let row: GrievanceRow = sqlx::query_as(&sql(&[GRIEVANCE_COLUMNS, " AND g.id = $2"]))
                        .bind(scope.root.0)
                        .bind(id)
                        .fetch_one(&mut *txn.tx)
                        .await?;
                    txn.commit().await?;
                    Ok(Grievance::from(row))
                }

                async fn grievances(&self, scope: &Scope, risk: Option<i64>) -> Result<Vec<Grievance>> {
                    let rows: Vec<GrievanceRow> = sqlx::query_as(&sql(&[
                        GRIEVANCE_COLUMNS,
                        " AND ($2 IS NULL OR g.risk_id = $2) ORDER BY g.received_on DESC, g.id DESC",
                    ]))
                    .bind(scope.root.0)
                    .bind(risk)
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(rows.into_iter().map(Grievance::from).collect())
                }
            }
        }
    };
}
pub(crate) use impl_opinion;
