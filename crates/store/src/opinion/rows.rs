//! Rows of the opinion tables and their conversion into the types callers see.

use chrono::{DateTime, NaiveDate, Utc};
use shoutu_domain::UnitId;
use shoutu_domain::opinion::{
    ContingencyPlan, Deadlines, Grievance, Incident, RiskLevel, RiskPoint, RiskStatus, SeverityLevel, Stage,
};

use super::{Alert, OpinionEvent, OpinionPost, Scheme, Source};

#[derive(sqlx::FromRow)]
pub(crate) struct SourceRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub name: String,
    pub platform: String,
    pub token_hash: Option<String>,
    pub posts: i64,
}

impl From<SourceRow> for Source {
    fn from(r: SourceRow) -> Self {
        Source {
            id: r.id,
            unit_id: UnitId(r.unit_id),
            unit_name: r.unit_name,
            name: r.name,
            platform: r.platform,
            has_token: r.token_hash.is_some(),
            posts: r.posts,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SchemeRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub name: String,
    pub rule: String,
    pub topic_weight: f64,
    pub active: bool,
}

impl From<SchemeRow> for Scheme {
    fn from(r: SchemeRow) -> Self {
        Scheme {
            id: r.id,
            unit_id: UnitId(r.unit_id),
            unit_name: r.unit_name,
            name: r.name,
            rule: r.rule,
            topic_weight: r.topic_weight,
            active: r.active,
        }
    }
}

fn level(code: &str) -> SeverityLevel {
    SeverityLevel::from_code(code).unwrap_or(SeverityLevel::General)
}

#[derive(sqlx::FromRow)]
pub(crate) struct EventRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub scheme_id: i64,
    pub scheme_name: String,
    pub headline: String,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub volume: i64,
    pub growth: i64,
    pub negative_hits: i64,
    pub platforms: String,
    pub level: String,
    pub score: f64,
    pub alerted: bool,
}

impl From<EventRow> for OpinionEvent {
    fn from(r: EventRow) -> Self {
        OpinionEvent {
            id: r.id,
            unit_id: UnitId(r.unit_id),
            unit_name: r.unit_name,
            scheme_id: r.scheme_id,
            scheme_name: r.scheme_name,
            headline: r.headline,
            first_seen: r.first_seen,
            last_seen: r.last_seen,
            volume: r.volume,
            growth_per_hour: r.growth,
            negative_hits: r.negative_hits,
            platforms: serde_json::from_str(&r.platforms).unwrap_or_default(),
            level: level(&r.level),
            score: r.score,
            alerted: r.alerted,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct PostRow {
    pub id: i64,
    pub source_name: String,
    pub platform: String,
    pub url: String,
    pub author: Option<String>,
    pub published_at: DateTime<Utc>,
    pub title: Option<String>,
    pub body: String,
    pub event_id: Option<i64>,
}

impl From<PostRow> for OpinionPost {
    fn from(r: PostRow) -> Self {
        OpinionPost {
            id: r.id,
            source_name: r.source_name,
            platform: r.platform,
            url: r.url,
            author: r.author,
            published_at: r.published_at,
            title: r.title,
            text: r.body,
            event_id: r.event_id,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AlertRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub event_id: i64,
    pub headline: String,
    pub volume: i64,
    pub level: String,
    pub incident_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub unread: i64,
}

impl From<AlertRow> for Alert {
    fn from(r: AlertRow) -> Self {
        Alert {
            id: r.id,
            unit_id: UnitId(r.unit_id),
            unit_name: r.unit_name,
            event_id: r.event_id,
            headline: r.headline,
            volume: r.volume,
            level: level(&r.level),
            incident_id: r.incident_id,
            created_at: r.created_at,
            unread: r.unread > 0,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct IncidentRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub title: String,
    pub summary: String,
    pub level: String,
    pub stage: String,
    pub discovered_at: DateTime<Utc>,
    pub first_response_due: DateTime<Utc>,
    pub conclusion_due: DateTime<Utc>,
    pub responded_at: Option<DateTime<Utc>>,
    pub concluded_at: Option<DateTime<Utc>>,
    pub alert_id: Option<i64>,
    pub event_id: Option<i64>,
    pub risk_id: Option<i64>,
    pub risk_title: Option<String>,
}

impl From<IncidentRow> for Incident {
    fn from(r: IncidentRow) -> Self {
        Incident {
            id: r.id,
            unit_id: UnitId(r.unit_id),
            unit_name: r.unit_name,
            title: r.title,
            summary: r.summary,
            level: level(&r.level),
            stage: Stage::from_code(&r.stage).unwrap_or(Stage::Discovered),
            discovered_at: r.discovered_at,
            deadlines: Deadlines {
                first_response: r.first_response_due,
                conclusion: r.conclusion_due,
            },
            responded_at: r.responded_at,
            concluded_at: r.concluded_at,
            alert_id: r.alert_id,
            event_id: r.event_id,
            risk_point_id: r.risk_id,
            risk_point_title: r.risk_title,
            steps: Vec::new(),
            checklist: Vec::new(),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct RiskRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub title: String,
    pub level: String,
    pub owner: String,
    pub measures: String,
    pub keywords: String,
    pub review_interval_days: i64,
    pub next_review: NaiveDate,
    pub status: String,
    pub grievances: i64,
    pub incidents: i64,
}

impl From<RiskRow> for RiskPoint {
    fn from(r: RiskRow) -> Self {
        RiskPoint {
            id: r.id,
            unit_id: UnitId(r.unit_id),
            unit_name: r.unit_name,
            title: r.title,
            level: RiskLevel::from_code(&r.level).unwrap_or(RiskLevel::Medium),
            owner: r.owner,
            measures: r.measures,
            keywords: r.keywords,
            review_interval_days: r.review_interval_days,
            next_review: r.next_review,
            status: RiskStatus::from_code(&r.status).unwrap_or(RiskStatus::Open),
            grievances: r.grievances,
            incidents: r.incidents,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct GrievanceRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub risk_id: Option<i64>,
    pub risk_title: Option<String>,
    pub received_on: NaiveDate,
    pub channel: String,
    pub content: String,
    pub resolved: bool,
}

impl From<GrievanceRow> for Grievance {
    fn from(r: GrievanceRow) -> Self {
        Grievance {
            id: r.id,
            unit_id: UnitId(r.unit_id),
            unit_name: r.unit_name,
            risk_point_id: r.risk_id,
            risk_point_title: r.risk_title,
            received_on: r.received_on,
            channel: r.channel,
            content: r.content,
            resolved: r.resolved,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct PlanRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub topic: String,
    pub items: String,
}

impl From<PlanRow> for ContingencyPlan {
    fn from(r: PlanRow) -> Self {
        ContingencyPlan {
            id: r.id,
            unit_id: UnitId(r.unit_id),
            unit_name: r.unit_name,
            topic: r.topic,
            items: r.items.lines().map(str::to_string).collect(),
        }
    }
}
