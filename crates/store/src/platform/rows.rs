//! Rows of the platform, review, team and coverage tables, and their domain types.

use chrono::{DateTime, NaiveDate, Utc};
use shoutu_domain::audit::format_time;
use shoutu_domain::coverage::{Coverage, MediaLevel};
use shoutu_domain::platform::{Filing, Inspection, Platform, PlatformKind};
use shoutu_domain::review::{DraftState, DraftSummary, Override, Publication, ReviewAction, Round, Stage};
use shoutu_domain::team::{Contribution, Member, TeamKind, Training};
use shoutu_domain::{PersonId, UnitId, UserId};

/// Dates read through `CAST(… AS TEXT)`, which both backends print as YYYY-MM-DD.
pub(crate) fn text_date(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::parse_from_str(s.get(..10).unwrap_or(&s), "%Y-%m-%d").ok())
}

#[derive(sqlx::FromRow)]
pub(crate) struct PlatformRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub kind: String,
    pub name: String,
    pub account: String,
    pub answerable_person_id: Option<i64>,
    pub answerable_name: Option<String>,
    pub admins: String,
    pub members: Option<i64>,
    pub filing: String,
    pub registered_on: NaiveDate,
    pub notes: String,
    pub last_inspected: Option<String>,
    pub inspections: i64,
}

impl From<PlatformRow> for Platform {
    fn from(r: PlatformRow) -> Self {
        Platform {
            id: r.id,
            unit_id: UnitId(r.unit_id),
            unit_name: r.unit_name,
            // Kinds are written only from PlatformKind::code.
            kind: r.kind.parse().unwrap_or(PlatformKind::ChatGroup),
            name: r.name,
            account: r.account,
            answerable: r.answerable_person_id.map(PersonId),
            answerable_name: r.answerable_name,
            admins: r.admins,
            members: r.members,
            filing: r.filing.parse().unwrap_or(Filing::Pending),
            registered_on: r.registered_on,
            notes: r.notes,
            last_inspected: text_date(r.last_inspected),
            inspections: r.inspections,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct InspectionRow {
    pub id: i64,
    pub platform_id: i64,
    pub date: NaiveDate,
    pub inspector: String,
    pub membership_cleaned: bool,
    pub posts_handled: bool,
    pub content_archived: bool,
    pub findings: String,
}

impl From<InspectionRow> for Inspection {
    fn from(r: InspectionRow) -> Self {
        Inspection {
            id: r.id,
            platform_id: r.platform_id,
            date: r.date,
            inspector: r.inspector,
            membership_cleaned: r.membership_cleaned,
            posts_handled: r.posts_handled,
            content_archived: r.content_archived,
            findings: r.findings,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct DraftRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub title: String,
    pub body: String,
    pub state: String,
    pub author_user_id: i64,
    pub author_name: String,
    pub findings: String,
    pub state_since: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub attachments: i64,
}

pub(crate) fn state_of(code: &str) -> DraftState {
    DraftState::from_code(code).unwrap_or(DraftState::Draft)
}

impl DraftRow {
    pub fn summary(self) -> DraftSummary {
        DraftSummary {
            id: self.id,
            unit_id: UnitId(self.unit_id),
            unit_name: self.unit_name,
            title: self.title,
            state: state_of(&self.state),
            author_name: self.author_name,
            state_since: format_time(self.state_since),
            created_at: format_time(self.created_at),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ActionRow {
    pub id: i64,
    pub step: String,
    pub stage: Option<String>,
    pub user_id: Option<i64>,
    pub user_name: String,
    pub comment: String,
    pub text_sha256: String,
    pub at: DateTime<Utc>,
}

impl From<ActionRow> for ReviewAction {
    fn from(r: ActionRow) -> Self {
        ReviewAction {
            id: r.id,
            step: r.step,
            stage: r.stage.and_then(|s| Stage::parse(&s).ok()),
            user_id: r.user_id.map(UserId),
            user_name: r.user_name,
            comment: r.comment,
            text_sha256: r.text_sha256,
            at: format_time(r.at),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct RoundRow {
    pub id: i64,
    pub number: i64,
    pub user_name: String,
    pub text_before: String,
    pub text_after: String,
    pub note: String,
    pub at: DateTime<Utc>,
}

impl From<RoundRow> for Round {
    fn from(r: RoundRow) -> Self {
        Round {
            id: r.id,
            number: r.number,
            user_name: r.user_name,
            before: r.text_before,
            after: r.text_after,
            note: r.note,
            at: format_time(r.at),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct OverrideRow {
    pub id: i64,
    pub rule: String,
    pub text: String,
    pub reason: String,
    pub by_name: String,
    pub at: DateTime<Utc>,
}

impl From<OverrideRow> for Override {
    fn from(r: OverrideRow) -> Self {
        Override {
            id: r.id,
            rule: r.rule,
            text: r.text,
            reason: r.reason,
            by_name: r.by_name,
            at: format_time(r.at),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct PublicationRow {
    pub id: i64,
    pub draft_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub title: String,
    pub text: String,
    pub sha256: String,
    pub platforms: String,
    pub published_at: DateTime<Utc>,
    pub published_by: String,
}

impl From<PublicationRow> for Publication {
    fn from(r: PublicationRow) -> Self {
        Publication {
            id: r.id,
            draft_id: r.draft_id,
            unit_id: UnitId(r.unit_id),
            unit_name: r.unit_name,
            title: r.title,
            text: r.text,
            sha256: r.sha256,
            platforms: r.platforms,
            published_at: format_time(r.published_at),
            published_by: r.published_by,
        }
    }
}

fn team_kind(code: &str) -> TeamKind {
    TeamKind::parse(code).unwrap_or(TeamKind::Correspondent)
}

#[derive(sqlx::FromRow)]
pub(crate) struct MemberRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub kind: String,
    pub person_id: i64,
    pub person_name: String,
    pub joined_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
    pub contributions: i64,
}

impl From<MemberRow> for Member {
    fn from(r: MemberRow) -> Self {
        Member {
            id: r.id,
            unit_id: UnitId(r.unit_id),
            unit_name: r.unit_name,
            kind: team_kind(&r.kind),
            person_id: PersonId(r.person_id),
            person_name: r.person_name,
            joined_on: r.joined_on,
            left_on: r.left_on,
            contributions: r.contributions,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct TrainingRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub kind: Option<String>,
    pub date: NaiveDate,
    pub title: String,
    pub hours: i64,
    pub attendees: i64,
}

impl From<TrainingRow> for Training {
    fn from(r: TrainingRow) -> Self {
        Training {
            id: r.id,
            unit_id: UnitId(r.unit_id),
            unit_name: r.unit_name,
            kind: r.kind.as_deref().map(team_kind),
            date: r.date,
            title: r.title,
            hours: r.hours,
            attendees: r.attendees,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ContributionRow {
    pub id: i64,
    pub member_id: i64,
    pub person_name: String,
    pub date: NaiveDate,
    pub kind: String,
    pub title: String,
    pub link: String,
}

impl From<ContributionRow> for Contribution {
    fn from(r: ContributionRow) -> Self {
        Contribution {
            id: r.id,
            member_id: r.member_id,
            person_name: r.person_name,
            date: r.date,
            kind: r.kind,
            title: r.title,
            link: r.link,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct CoverageRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub outlet: String,
    pub level: String,
    pub date: NaiveDate,
    pub title: String,
    pub link: String,
}

impl From<CoverageRow> for Coverage {
    fn from(r: CoverageRow) -> Self {
        Coverage {
            id: r.id,
            unit_id: UnitId(r.unit_id),
            unit_name: r.unit_name,
            outlet: r.outlet,
            level: MediaLevel::parse(&r.level).unwrap_or(MediaLevel::County),
            date: r.date,
            title: r.title,
            link: r.link,
        }
    }
}
