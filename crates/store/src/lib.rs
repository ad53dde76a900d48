//! Persistence for shoutu: one [`Store`] trait, implemented for SQLite (the embedded default)
//! and PostgreSQL (multi-user deployments), each with its own migrations.
//!
//! Every method that reads or writes records takes a [`Scope`]: the store, not the caller,
//! limits what is seen to the scope's unit subtree and checks the scope's roles. A record
//! outside the subtree is reported as [`StoreError::NotFound`], exactly like one that does not
//! exist, so that nobody can probe for another unit's data. Every write appends to the audit
//! chain in the same transaction.

mod archive;
mod assessment;
mod connect;
mod error;
mod facts;
mod opinion;
mod platform;
mod postgres;
mod report;
mod rows;
mod search;
mod shared;
mod sqlite;

pub use archive::{ArchiveStore, FiledAttachment};
pub use assessment::{AssessmentStore, CachedFact, CadreRecord, RectificationFilter, RoundSheet, SavedSystem};
pub use connect::{ConnectError, DEFAULT_URL, connect, describe_url};
pub use error::StoreError;
pub use facts::FactStore;
pub use opinion::{
    Alert, BatchWritten, EventFilter, INGEST_CHUNK, IngestSummary, NewSource, OpinionEvent, OpinionPost,
    OpinionSettings, OpinionStore, Scheme, Source, Webhook,
};
pub use platform::{PlatformFilter, PlatformStore};
pub use postgres::PgStore;
pub use report::ReportStore;
pub use search::SearchFeedStore;
pub use sqlite::SqliteStore;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use shoutu_domain::attachment::{Attachment, AttachmentId, NewAttachment};
use shoutu_domain::audit::{AuditEntry, ChainBreak};
use shoutu_domain::conduct::{ConductRules, NewConductRules, NewViolation};
use shoutu_domain::duty::{Duty, NewDuty};
use shoutu_domain::ledger::{Activity, ActivityId, NewActivity};
use shoutu_domain::letter::{Letter, LetterCopy, LetterId, NewLetter};
use shoutu_domain::plan::{NewPlanItem, NewTask, NewUpdate, PlanItem, Task};
use shoutu_domain::{NewPerson, NewUnit, Page, PageRequest, Person, PersonId, Role, Scope, Unit, UnitId, User, UserId};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Default)]
pub struct PeopleFilter {
    /// Narrow to this unit (must lie in the scope); the scope's root when `None`.
    pub unit: Option<UnitId>,
    /// Include the people of the units below `unit`.
    pub include_subunits: bool,
    /// Part of a name to look for.
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    /// Narrow to this unit (must lie in the scope); the scope's root when `None`.
    pub unit: Option<UnitId>,
    pub include_subunits: bool,
    pub type_code: Option<String>,
    /// Only records filed under this ledger tag.
    pub tag: Option<String>,
    /// Inclusive dates.
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

/// What happens to a letter copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopyChange {
    Issue { on: NaiveDate },
    Sign { on: NaiveDate, signer: String },
}

/// A record as requirements and figures count it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    pub unit_id: UnitId,
    pub id: i64,
    pub type_code: String,
    pub date: NaiveDate,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub unit: Option<UnitId>,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<UserId>,
    pub unit: Option<UnitId>,
    pub record_type: Option<String>,
    /// Inclusive bounds, compared against the entry's UTC time.
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// What a login needs to know about an account; read before any scope exists.
#[derive(Debug, Clone)]
pub struct LoginAccount {
    pub user: User,
    pub password_hash: String,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub token_hash: String,
    pub user_id: UserId,
    pub csrf_token: String,
    pub unit_id: UnitId,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
    /// The unit the user switched to; always inside the user's own subtree.
    pub unit_id: UnitId,
    pub expires_at: DateTime<Utc>,
}

/// How a failed login left the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginFailure {
    pub failed_logins: i64,
    pub locked_until: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeStats {
    pub units_by_kind: Vec<(String, i64)>,
    pub people: i64,
    pub users: i64,
    pub audit_entries_30d: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    pub checked: i64,
    pub broken: Option<ChainBreak>,
}

#[async_trait]
/// The whole storage interface: the core registers below, plus one sub-trait per register
/// added since (each in its own module, implemented by its own macro for both backends).
pub trait Store:
    FactStore + SearchFeedStore + ArchiveStore + ReportStore + PlatformStore + AssessmentStore + OpinionStore + Send + Sync
{
    fn backend(&self) -> &'static str;

    // ---- units ----
    /// The scope's whole subtree in tree order; `depth` is counted from the scope's root.
    async fn unit_tree(&self, scope: &Scope) -> Result<Vec<Unit>>;
    async fn unit(&self, scope: &Scope, id: UnitId) -> Result<Unit>;
    async fn unit_by_code(&self, scope: &Scope, code: &str) -> Result<Unit>;
    /// The chain from the top of the scope down to `id`, for breadcrumbs.
    async fn unit_path(&self, scope: &Scope, id: UnitId) -> Result<Vec<Unit>>;
    async fn create_unit(&self, scope: &Scope, unit: NewUnit) -> Result<Unit>;
    async fn update_unit(&self, scope: &Scope, id: UnitId, unit: NewUnit) -> Result<Unit>;
    /// Moves a unit and everything below it; their records stay attached to them.
    async fn move_unit(&self, scope: &Scope, id: UnitId, new_parent: UnitId) -> Result<Unit>;
    /// Creates the top of the tree. Only for `shoutu init` and the demo, on an empty database.
    async fn create_root_unit(&self, actor_name: &str, unit: NewUnit) -> Result<Unit>;
    async fn root_unit(&self) -> Result<Option<Unit>>;

    // ---- people ----
    async fn people(&self, scope: &Scope, filter: &PeopleFilter, page: PageRequest) -> Result<Page<Person>>;
    async fn person(&self, scope: &Scope, id: PersonId) -> Result<Person>;
    async fn create_person(&self, scope: &Scope, person: NewPerson) -> Result<Person>;
    async fn update_person(&self, scope: &Scope, id: PersonId, person: NewPerson) -> Result<Person>;

    // ---- users ----
    async fn users(&self, scope: &Scope, filter: &UserFilter, page: PageRequest) -> Result<Page<User>>;
    async fn user(&self, scope: &Scope, id: UserId) -> Result<User>;
    async fn user_by_username(&self, scope: &Scope, username: &str) -> Result<User>;
    /// Creates an account with roles the scope may grant (`shoutu_domain::grant`).
    async fn create_user(&self, scope: &Scope, user: shoutu_domain::NewUser) -> Result<User>;
    /// Replaces the roles of an account the scope may manage with roles it may grant; never
    /// the actor's own (see `shoutu_domain::grant::may_manage_account`).
    async fn set_roles(&self, scope: &Scope, id: UserId, roles: &[Role]) -> Result<User>;
    /// An administrator's reset of another account the scope may manage: sets the hash,
    /// `must_change` makes the user change it at next login, and every session of the
    /// account ends. Users change their own password with [`Store::change_own_password`].
    async fn set_password(&self, scope: &Scope, id: UserId, password_hash: &str, must_change: bool) -> Result<()>;
    /// The signed-in user (the scope's actor) changes their own password: every session of
    /// the account ends and `session` (a fresh token for the browser that changed it) begins.
    async fn change_own_password(&self, scope: &Scope, password_hash: &str, session: NewSession) -> Result<()>;
    /// Locks until the given time, or unlocks with `None`, an account the scope may manage.
    async fn set_lock(&self, scope: &Scope, id: UserId, until: Option<DateTime<Utc>>) -> Result<()>;

    // ---- login and sessions (before a scope exists) ----
    async fn login_account(&self, username: &str) -> Result<Option<LoginAccount>>;
    /// Counts a login attempt before its password is checked, and decides the lock in the
    /// same statement: once more than `threshold` attempts in a row are unresolved the account
    /// locks for `lock_for`. The caller checks no password while `locked_until` lies ahead.
    /// An expired lock starts the count afresh; a successful login clears it.
    async fn count_login_attempt(&self, id: UserId, threshold: i64, lock_for: chrono::Duration)
    -> Result<LoginFailure>;
    /// The password of a counted attempt was wrong: audited, and once `threshold` attempts in
    /// a row have failed the account locks for `lock_for`.
    async fn record_login_failure(
        &self,
        id: UserId,
        threshold: i64,
        lock_for: chrono::Duration,
    ) -> Result<LoginFailure>;
    async fn record_login_success(&self, id: UserId, session: NewSession) -> Result<()>;
    async fn session(&self, token_hash: &str) -> Result<Option<Session>>;
    async fn switch_session_unit(&self, token_hash: &str, scope: &Scope, unit: UnitId) -> Result<()>;
    async fn end_session(&self, token_hash: &str) -> Result<()>;

    // ---- audit ----
    async fn audit_entries(&self, scope: &Scope, filter: &AuditFilter, page: PageRequest) -> Result<Page<AuditEntry>>;
    /// Walks the whole chain from the first entry and names the first broken one.
    async fn verify_audit_chain(&self) -> Result<ChainReport>;

    // ---- the work ledger ----
    /// Stores an activity with its tags and participants; participants and host must belong
    /// to the activity's unit or a unit below it.
    /// Attachments (their bytes already on disk) are recorded in the same transaction, so a
    /// record never appears without the evidence it was entered with.
    async fn create_activity(
        &self,
        scope: &Scope,
        activity: NewActivity,
        attachments: Vec<NewAttachment>,
    ) -> Result<Activity>;
    /// Stores all the activities or, on the first one refused, none of them.
    async fn import_activities(&self, scope: &Scope, activities: Vec<NewActivity>) -> Result<usize>;
    async fn activity(&self, scope: &Scope, id: ActivityId) -> Result<Activity>;
    async fn activities(&self, scope: &Scope, filter: &ActivityFilter, page: PageRequest) -> Result<Page<Activity>>;
    /// Every record of the scope's subtree dated within the bounds, with its tags: what
    /// requirements, dashboards and heat maps count.
    async fn ledger_entries(&self, scope: &Scope, from: NaiveDate, until: NaiveDate) -> Result<Vec<LedgerEntry>>;

    // ---- duties (责任体系) ----
    /// Appoints a person of the unit; for a role held by one person at a time, the previous
    /// holder's term ends the day before.
    async fn assign_duty(&self, scope: &Scope, duty: NewDuty) -> Result<Duty>;
    /// Ends a term on the given day (the last day held).
    async fn end_duty(&self, scope: &Scope, id: i64, last_day: NaiveDate) -> Result<Duty>;
    /// A unit's duties: held on `on` when given, else the whole history, newest first.
    async fn duties(&self, scope: &Scope, unit: UnitId, on: Option<NaiveDate>) -> Result<Vec<Duty>>;

    // ---- annual plans (年度工作实施方案) ----
    async fn create_plan_item(&self, scope: &Scope, item: NewPlanItem) -> Result<PlanItem>;
    /// Items the scope owns, is responsible for, or has tasks in, with the tasks it may see.
    async fn plan_items(&self, scope: &Scope, year: i32) -> Result<Vec<PlanItem>>;
    async fn plan_item(&self, scope: &Scope, id: i64) -> Result<PlanItem>;
    /// Decomposes an item: only its owner's side may, and only to units below the responsible unit.
    async fn add_task(&self, scope: &Scope, task: NewTask) -> Result<Task>;
    async fn task(&self, scope: &Scope, id: i64) -> Result<Task>;
    async fn update_task(&self, scope: &Scope, id: i64, update: NewUpdate) -> Result<Task>;
    /// Unfinished tasks of units in the scope due on or before `until`.
    async fn open_tasks_due(&self, scope: &Scope, until: NaiveDate) -> Result<Vec<Task>>;

    // ---- conduct rules ----
    async fn publish_conduct_rules(&self, scope: &Scope, rules: NewConductRules) -> Result<ConductRules>;
    /// Rule lists published by units in the scope or above it (cadres are bound by their
    /// superiors' rules too), newest first.
    async fn conduct_rules_list(&self, scope: &Scope) -> Result<Vec<ConductRules>>;
    async fn conduct_rules(&self, scope: &Scope, id: i64) -> Result<ConductRules>;
    /// The signed-in user acknowledges for themselves; once.
    async fn acknowledge_conduct_rules(&self, scope: &Scope, id: i64, person: PersonId, on: NaiveDate) -> Result<()>;
    async fn record_violation(&self, scope: &Scope, id: i64, violation: NewViolation) -> Result<()>;

    // ---- responsibility letters ----
    /// Issues a letter from the scope's unit to units below it; every copy starts 未下发.
    async fn create_letter(&self, scope: &Scope, letter: NewLetter) -> Result<Letter>;
    /// Letters issued within the scope or addressed to a unit in it, newest year first.
    async fn letters(&self, scope: &Scope, year: Option<i32>) -> Result<Vec<Letter>>;
    /// A letter with the copies the scope may see (all of them for its issuer).
    async fn letter(&self, scope: &Scope, id: LetterId) -> Result<Letter>;
    /// Moves one copy on: issue (by the issuer's side) or sign (by either side).
    async fn update_copy(&self, scope: &Scope, copy_id: i64, change: CopyChange) -> Result<LetterCopy>;
    /// Every copy of a year's letters addressed to units in the scope: what coverage counts.
    async fn letter_copies(&self, scope: &Scope, year: i32) -> Result<Vec<LetterCopy>>;

    // ---- attachments ----
    /// Records an uploaded file (already stored on disk) against a record in scope.
    async fn add_attachment(&self, scope: &Scope, unit: UnitId, attachment: NewAttachment) -> Result<Attachment>;
    async fn attachment(&self, scope: &Scope, id: AttachmentId) -> Result<Attachment>;
    async fn attachments_of(&self, scope: &Scope, record_type: &str, record_id: i64) -> Result<Vec<Attachment>>;

    // ---- figures ----
    async fn scope_stats(&self, scope: &Scope) -> Result<ScopeStats>;
}
