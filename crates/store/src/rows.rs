//! Rows as both backends return them, and their conversion into domain types.

use chrono::{DateTime, Utc};
use shoutu_domain::audit::AuditEntry;
use shoutu_domain::{Person, PersonId, Role, Unit, UnitId, UnitKind, User, UserId};

#[derive(sqlx::FromRow)]
pub(crate) struct UnitRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub kind: String,
    pub name: String,
    pub short_name: String,
    pub code: String,
    pub sort_order: i64,
    pub depth: i64,
}

impl From<UnitRow> for Unit {
    fn from(r: UnitRow) -> Self {
        Unit {
            id: UnitId(r.id),
            parent_id: r.parent_id.map(UnitId),
            // Kinds are written only from UnitKind::code, so an unknown one means a newer
            // binary wrote it; show it as the most neutral kind rather than fail the page.
            kind: r.kind.parse().unwrap_or(UnitKind::Section),
            name: r.name,
            short_name: r.short_name,
            code: r.code,
            sort_order: r.sort_order,
            depth: r.depth,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct PersonRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub name: String,
    pub post: String,
    pub phone: String,
    pub sort_order: i64,
}

impl From<PersonRow> for Person {
    fn from(r: PersonRow) -> Self {
        Person {
            id: PersonId(r.id),
            unit_id: UnitId(r.unit_id),
            unit_name: r.unit_name,
            name: r.name,
            post: r.post,
            phone: r.phone,
            sort_order: r.sort_order,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    pub id: i64,
    pub username: String,
    pub person_id: i64,
    pub person_name: String,
    pub unit_id: i64,
    pub unit_name: String,
    /// Comma-separated role codes, aggregated by the query.
    pub roles: Option<String>,
    pub must_change_password: bool,
    pub failed_logins: i64,
    pub locked_until: Option<DateTime<Utc>>,
    pub password_hash: String,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        let mut roles: Vec<Role> = r
            .roles
            .as_deref()
            .unwrap_or("")
            .split(',')
            .filter_map(|code| code.parse().ok())
            .collect();
        roles.sort();
        User {
            id: UserId(r.id),
            username: r.username,
            person_id: PersonId(r.person_id),
            person_name: r.person_name,
            unit_id: UnitId(r.unit_id),
            unit_name: r.unit_name,
            roles,
            must_change_password: r.must_change_password,
            failed_logins: r.failed_logins,
            locked_until: r.locked_until,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor_user_id: Option<i64>,
    pub actor_name: String,
    pub unit_id: Option<i64>,
    pub record_type: String,
    pub record_id: String,
    pub action: String,
    pub before_value: Option<String>,
    pub after_value: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        AuditEntry {
            seq: r.seq,
            at: r.at,
            actor_user_id: r.actor_user_id,
            actor_name: r.actor_name,
            unit_id: r.unit_id,
            record_type: r.record_type,
            record_id: r.record_id,
            action: r.action,
            before: r.before_value,
            after: r.after_value,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    pub csrf_token: String,
    pub unit_id: i64,
    pub expires_at: DateTime<Utc>,
    pub user_id: i64,
    /// Whether the session's unit still lies inside the user's own subtree.
    pub unit_in_reach: i64,
}

#[derive(sqlx::FromRow)]
pub(crate) struct ActivityRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub type_code: String,
    pub date: chrono::NaiveDate,
    pub topic: String,
    pub host_person_id: Option<i64>,
    pub host_name: Option<String>,
    pub others: i64,
    pub summary: String,
    pub extra: String,
    pub flags: String,
    /// Comma-separated, aggregated by the query.
    pub tags: Option<String>,
    pub attachments: i64,
}

impl From<ActivityRow> for shoutu_domain::ledger::Activity {
    fn from(r: ActivityRow) -> Self {
        let split = |s: &str| {
            s.split(',')
                .filter(|t| !t.is_empty())
                .map(String::from)
                .collect::<Vec<_>>()
        };
        shoutu_domain::ledger::Activity {
            id: shoutu_domain::ledger::ActivityId(r.id),
            unit_id: UnitId(r.unit_id),
            unit_name: r.unit_name,
            type_code: r.type_code,
            date: r.date,
            topic: r.topic,
            host: r.host_person_id.zip(r.host_name).map(|(id, name)| (PersonId(id), name)),
            participants: Vec::new(),
            others: r.others,
            summary: r.summary,
            extra: serde_json::from_str(&r.extra).unwrap_or_default(),
            flags: split(&r.flags),
            tags: split(r.tags.as_deref().unwrap_or("")),
            attachments: r.attachments,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AttachmentRow {
    pub id: i64,
    pub sha256: String,
    pub size: i64,
    pub media_type: String,
    pub file_name: String,
    pub unit_id: i64,
    pub record_type: String,
    pub record_id: i64,
}

impl From<AttachmentRow> for shoutu_domain::attachment::Attachment {
    fn from(r: AttachmentRow) -> Self {
        shoutu_domain::attachment::Attachment {
            id: shoutu_domain::attachment::AttachmentId(r.id),
            sha256: r.sha256,
            size: r.size,
            media_type: r.media_type,
            file_name: r.file_name,
            unit_id: UnitId(r.unit_id),
            record_type: r.record_type,
            record_id: r.record_id,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct LetterRow {
    pub id: i64,
    pub issuer_unit_id: i64,
    pub issuer_name: String,
    pub year: i32,
    pub title: String,
    pub duties: String,
}

impl From<LetterRow> for shoutu_domain::letter::Letter {
    fn from(r: LetterRow) -> Self {
        shoutu_domain::letter::Letter {
            id: shoutu_domain::letter::LetterId(r.id),
            issuer: UnitId(r.issuer_unit_id),
            issuer_name: r.issuer_name,
            year: r.year,
            title: r.title,
            duties: serde_json::from_str(&r.duties).unwrap_or_default(),
            copies: Vec::new(),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct CopyRow {
    pub id: i64,
    pub letter_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub status: String,
    pub issued_on: Option<chrono::NaiveDate>,
    pub signed_on: Option<chrono::NaiveDate>,
    pub signer: String,
    pub attachments: i64,
}

impl From<CopyRow> for shoutu_domain::letter::LetterCopy {
    fn from(r: CopyRow) -> Self {
        shoutu_domain::letter::LetterCopy {
            id: r.id,
            letter_id: shoutu_domain::letter::LetterId(r.letter_id),
            unit_id: UnitId(r.unit_id),
            unit_name: r.unit_name,
            status: shoutu_domain::letter::CopyStatus::parse(&r.status)
                .unwrap_or(shoutu_domain::letter::CopyStatus::NotIssued),
            issued_on: r.issued_on,
            signed_on: r.signed_on,
            signer: r.signer,
            attachments: r.attachments,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct DutyRow {
    pub id: i64,
    pub unit_id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub post: String,
    pub role: String,
    pub portfolio: String,
    pub duties: String,
    pub start_date: chrono::NaiveDate,
    pub end_date: Option<chrono::NaiveDate>,
}

impl From<DutyRow> for shoutu_domain::duty::Duty {
    fn from(r: DutyRow) -> Self {
        shoutu_domain::duty::Duty {
            id: r.id,
            unit_id: UnitId(r.unit_id),
            person_id: PersonId(r.person_id),
            person_name: r.person_name,
            post: r.post,
            role: shoutu_domain::duty::DutyRole::parse(&r.role).unwrap_or(shoutu_domain::duty::DutyRole::GroupMember),
            portfolio: r.portfolio,
            duties: r.duties,
            start: r.start_date,
            end: r.end_date,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct PlanItemRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub year: i32,
    pub title: String,
    pub lead_name: Option<String>,
    pub responsible_unit_id: i64,
    pub responsible_name: String,
    pub deadline: chrono::NaiveDate,
    pub expected_output: String,
}

impl From<PlanItemRow> for shoutu_domain::plan::PlanItem {
    fn from(r: PlanItemRow) -> Self {
        shoutu_domain::plan::PlanItem {
            id: r.id,
            unit_id: UnitId(r.unit_id),
            unit_name: r.unit_name,
            year: r.year,
            title: r.title,
            lead_name: r.lead_name,
            responsible_unit: UnitId(r.responsible_unit_id),
            responsible_name: r.responsible_name,
            deadline: r.deadline,
            expected_output: r.expected_output,
            tasks: Vec::new(),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct TaskRow {
    pub id: i64,
    pub item_id: i64,
    pub item_title: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub title: String,
    pub deadline: chrono::NaiveDate,
    pub done_on: Option<chrono::NaiveDate>,
    pub updates: i64,
    pub last_note: Option<String>,
}

impl From<TaskRow> for shoutu_domain::plan::Task {
    fn from(r: TaskRow) -> Self {
        shoutu_domain::plan::Task {
            id: r.id,
            item_id: r.item_id,
            item_title: r.item_title,
            unit_id: UnitId(r.unit_id),
            unit_name: r.unit_name,
            title: r.title,
            deadline: r.deadline,
            done_on: r.done_on,
            updates: r.updates,
            last_note: r.last_note,
        }
    }
}

/// Escapes a user's search text for `LIKE … ESCAPE '\'`.
pub(crate) fn like_pattern(text: Option<&str>) -> String {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => "%".to_string(),
        Some(t) => {
            let mut p = String::with_capacity(t.len() + 2);
            p.push('%');
            for c in t.chars() {
                if matches!(c, '%' | '_' | '\\') {
                    p.push('\\');
                }
                p.push(c);
            }
            p.push('%');
            p
        }
    }
}
