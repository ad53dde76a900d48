//! The store implementation both backends share. Their SQL dialects agree on everything
//! used here (numbered `$n` parameters, `RETURNING`, `string_agg`, `LIKE … ESCAPE`), so the
//! statements are written once; the macro instantiates the code for each backend's
//! connection types. What differs (connecting, migrations, pool set-up) lives in
//! `sqlite.rs` and `postgres.rs`.

pub(crate) const UNIT_COLUMNS: &str = "SELECT u.id, u.parent_id, u.kind, u.name, u.short_name, u.code, u.sort_order, c.depth \
     FROM unit_closure c JOIN units u ON u.id = c.descendant_id WHERE c.ancestor_id = $1";

pub(crate) const IN_SUBTREE: &str = "SELECT COUNT(*) FROM unit_closure WHERE ancestor_id = $1 AND descendant_id = $2";

pub(crate) const UNIT_PATH: &str = "SELECT u.id, u.parent_id, u.kind, u.name, u.short_name, u.code, u.sort_order, s.depth \
     FROM unit_closure a JOIN units u ON u.id = a.ancestor_id \
     JOIN unit_closure s ON s.descendant_id = u.id AND s.ancestor_id = $1 \
     WHERE a.descendant_id = $2 ORDER BY s.depth";

pub(crate) const INSERT_UNIT: &str = "INSERT INTO units (parent_id, kind, name, short_name, code, sort_order, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id";

pub(crate) const INSERT_UNIT_CLOSURE: &str = "INSERT INTO unit_closure (ancestor_id, descendant_id, depth) \
     SELECT ancestor_id, $1, depth + 1 FROM unit_closure WHERE descendant_id = $2 \
     UNION ALL SELECT $1, $1, 0";

pub(crate) const UPDATE_UNIT: &str = "UPDATE units SET kind = $2, name = $3, short_name = $4, code = $5, sort_order = $6, updated_at = $7 \
     WHERE id = $1";

/// Cuts the moved subtree loose from its old ancestors…
pub(crate) const DETACH_SUBTREE: &str = "DELETE FROM unit_closure \
     WHERE descendant_id IN (SELECT descendant_id FROM unit_closure WHERE ancestor_id = $1) \
     AND ancestor_id NOT IN (SELECT descendant_id FROM unit_closure WHERE ancestor_id = $1)";

/// …and hangs it under the new parent's ancestors.
pub(crate) const ATTACH_SUBTREE: &str = "INSERT INTO unit_closure (ancestor_id, descendant_id, depth) \
     SELECT a.ancestor_id, d.descendant_id, a.depth + d.depth + 1 \
     FROM unit_closure a CROSS JOIN unit_closure d \
     WHERE a.descendant_id = $2 AND d.ancestor_id = $1";

pub(crate) const PERSON_FROM: &str = "FROM people p JOIN units u ON u.id = p.unit_id \
     JOIN unit_closure c ON c.descendant_id = p.unit_id WHERE c.ancestor_id = $1";

pub(crate) const PERSON_COLUMNS: &str =
    "SELECT p.id, p.unit_id, u.name AS unit_name, p.name, p.post, p.phone, p.sort_order ";

pub(crate) const PEOPLE_WHERE: &str = " AND ($2 IS NULL OR p.unit_id = $2) AND p.name LIKE $3 ESCAPE '\\'";

pub(crate) const USER_COLUMNS: &str = "SELECT us.id, us.username, us.person_id, p.name AS person_name, p.unit_id, u.name AS unit_name, \
     (SELECT string_agg(r.role, ',') FROM user_roles r WHERE r.user_id = us.id) AS roles, \
     us.must_change_password, us.failed_logins, us.locked_until, us.password_hash \
     FROM users us JOIN people p ON p.id = us.person_id JOIN units u ON u.id = p.unit_id ";

pub(crate) const USER_SCOPE: &str = "JOIN unit_closure c ON c.descendant_id = p.unit_id WHERE c.ancestor_id = $1";

pub(crate) const USERS_WHERE: &str =
    " AND ($2 IS NULL OR p.unit_id = $2) AND (p.name LIKE $3 ESCAPE '\\' OR us.username LIKE $3 ESCAPE '\\')";

pub(crate) const AUDIT_FROM: &str = "FROM audit_log a JOIN unit_closure c ON c.descendant_id = a.unit_id \
     WHERE c.ancestor_id = $1 AND ($2 IS NULL OR a.actor_user_id = $2) \
     AND ($3 IS NULL OR a.record_type = $3) AND a.at >= $4 AND a.at <= $5";

pub(crate) const AUDIT_COLUMNS: &str = "SELECT a.seq, a.at, a.actor_user_id, a.actor_name, a.unit_id, a.record_type, \
     a.record_id, a.action, a.before_value, a.after_value, a.prev_hash, a.hash ";

pub(crate) const INSERT_AUDIT: &str = "INSERT INTO audit_log (seq, at, actor_user_id, actor_name, unit_id, record_type, \
     record_id, action, before_value, after_value, prev_hash, hash) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

/// Taking the head row first makes every write transaction a writer from its first statement:
/// PostgreSQL locks the row until commit and SQLite takes its write lock, so concurrent
/// writes queue up and never fork the chain.
pub(crate) const LOCK_AUDIT_HEAD: &str = "UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, last_hash";

pub(crate) const MOVE_AUDIT_HEAD: &str = "UPDATE audit_head SET seq = $1, last_hash = $2 WHERE id = 1";

pub(crate) const ACTIVITY_COLUMNS: &str = "SELECT a.id, a.unit_id, u.name AS unit_name, a.type_code, a.date, a.topic, a.host_person_id, \
     h.name AS host_name, a.others, a.summary, a.extra, a.flags, \
     (SELECT string_agg(t.tag, ',') FROM activity_tags t WHERE t.activity_id = a.id) AS tags, \
     (SELECT COUNT(*) FROM attachments f WHERE f.record_type = 'activity' AND f.record_id = a.id) AS attachments ";

pub(crate) const ACTIVITY_FROM: &str = "FROM activities a JOIN units u ON u.id = a.unit_id \
     LEFT JOIN people h ON h.id = a.host_person_id \
     JOIN unit_closure c ON c.descendant_id = a.unit_id WHERE c.ancestor_id = $1";

pub(crate) const ACTIVITIES_WHERE: &str = " AND ($2 IS NULL OR a.unit_id = $2) AND ($3 IS NULL OR a.type_code = $3) \
     AND ($4 IS NULL OR EXISTS (SELECT 1 FROM activity_tags t2 WHERE t2.activity_id = a.id AND t2.tag = $4)) \
     AND a.date >= $5 AND a.date <= $6";

pub(crate) const ATTACHMENT_FROM: &str = "SELECT f.id, f.sha256, f.size, f.media_type, f.file_name, f.unit_id, f.record_type, f.record_id \
     FROM attachments f JOIN unit_closure c ON c.descendant_id = f.unit_id WHERE c.ancestor_id = $1 AND ";

/// Files about a unit that are not for it: score evidence (考核评分佐证) is filed under the
/// assessed unit but shown only to the subtree of the unit running the round (`$1` is the
/// scope's root). Every query that lists or serves attachments appends it.
pub(crate) const ATTACHMENT_SHOWN: &str = "(f.record_type <> 'assessment_score' OR EXISTS (SELECT 1 \
     FROM assessment_rounds ar JOIN unit_closure cr ON cr.descendant_id = ar.unit_id \
     WHERE ar.id = f.record_id AND cr.ancestor_id = $1))";

pub(crate) const LETTER_COLUMNS: &str = "SELECT l.id, l.issuer_unit_id, iu.name AS issuer_name, l.year, l.title, \
     l.duties FROM letters l JOIN units iu ON iu.id = l.issuer_unit_id ";

/// A letter is visible when its issuer lies in the scope or one of its copies does.
pub(crate) const LETTER_VISIBLE: &str = "(EXISTS (SELECT 1 FROM unit_closure c WHERE c.ancestor_id = $1 \
     AND c.descendant_id = l.issuer_unit_id) OR EXISTS (SELECT 1 FROM letter_copies lc2 JOIN unit_closure c2 \
     ON c2.descendant_id = lc2.unit_id WHERE lc2.letter_id = l.id AND c2.ancestor_id = $1))";

pub(crate) const COPY_COLUMNS: &str = "SELECT lc.id, lc.letter_id, lc.unit_id, u.name AS unit_name, lc.status, \
     lc.issued_on, lc.signed_on, lc.signer, \
     (SELECT COUNT(*) FROM attachments f WHERE f.record_type = 'letter_copy' AND f.record_id = lc.id) AS attachments \
     FROM letter_copies lc JOIN units u ON u.id = lc.unit_id ";

/// A copy is visible to its own unit's subtree and to the issuer's.
pub(crate) const COPY_VISIBLE: &str = "(EXISTS (SELECT 1 FROM unit_closure c WHERE c.ancestor_id = $1 \
     AND c.descendant_id = lc.unit_id) OR EXISTS (SELECT 1 FROM letters l2 JOIN unit_closure c2 \
     ON c2.descendant_id = l2.issuer_unit_id WHERE l2.id = lc.letter_id AND c2.ancestor_id = $1))";

pub(crate) const DUTY_COLUMNS: &str = "SELECT d.id, d.unit_id, d.person_id, p.name AS person_name, p.post, d.role, \
     d.portfolio, d.duties, d.start_date, d.end_date FROM duties d JOIN people p ON p.id = d.person_id \
     JOIN unit_closure c ON c.descendant_id = d.unit_id WHERE c.ancestor_id = $1";

pub(crate) const ITEM_COLUMNS: &str = "SELECT pi.id, pi.unit_id, u.name AS unit_name, pi.year, pi.title, \
     lp.name AS lead_name, pi.responsible_unit_id, ru.name AS responsible_name, pi.deadline, pi.expected_output \
     FROM plan_items pi JOIN units u ON u.id = pi.unit_id JOIN units ru ON ru.id = pi.responsible_unit_id \
     LEFT JOIN people lp ON lp.id = pi.lead_person_id ";

/// An item is visible to its owner's subtree, the responsible unit's, and any unit with a task.
pub(crate) const ITEM_VISIBLE: &str = "(EXISTS (SELECT 1 FROM unit_closure c WHERE c.ancestor_id = $1 \
     AND c.descendant_id = pi.unit_id) OR EXISTS (SELECT 1 FROM unit_closure c3 WHERE c3.ancestor_id = $1 \
     AND c3.descendant_id = pi.responsible_unit_id) OR EXISTS (SELECT 1 FROM tasks t2 JOIN unit_closure c2 \
     ON c2.descendant_id = t2.unit_id WHERE t2.plan_item_id = pi.id AND c2.ancestor_id = $1))";

pub(crate) const TASK_COLUMNS: &str = "SELECT t.id, t.plan_item_id AS item_id, pi.title AS item_title, t.unit_id, \
     u.name AS unit_name, t.title, t.deadline, t.done_on, \
     (SELECT COUNT(*) FROM task_updates tu WHERE tu.task_id = t.id) AS updates, \
     (SELECT tu.note FROM task_updates tu WHERE tu.task_id = t.id ORDER BY tu.date DESC, tu.id DESC LIMIT 1) AS last_note \
     FROM tasks t JOIN plan_items pi ON pi.id = t.plan_item_id JOIN units u ON u.id = t.unit_id ";

/// A task is visible to its own unit's subtree and to the plan owner's.
pub(crate) const TASK_VISIBLE: &str = "(EXISTS (SELECT 1 FROM unit_closure c WHERE c.ancestor_id = $1 \
     AND c.descendant_id = t.unit_id) OR EXISTS (SELECT 1 FROM unit_closure c2 WHERE c2.ancestor_id = $1 \
     AND c2.descendant_id = pi.unit_id))";

/// Rules bind the publishing unit's subtree: visible when the publisher is the scope's root,
/// inside the scope, or above it.
pub(crate) const RULES_VISIBLE: &str = "(EXISTS (SELECT 1 FROM unit_closure c WHERE c.ancestor_id = $1 \
     AND c.descendant_id = r.unit_id) OR EXISTS (SELECT 1 FROM unit_closure c2 WHERE c2.ancestor_id = r.unit_id \
     AND c2.descendant_id = $1))";

/// Dates that bound an open-ended range.
pub(crate) fn earliest() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(1900, 1, 1).expect("a valid date")
}

pub(crate) fn latest() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(9999, 12, 31).expect("a valid date")
}

pub(crate) fn sql(parts: &[&str]) -> String {
    parts.concat()
}

macro_rules! impl_store {
    ($store:ty, $db:ty, $backend:literal) => {
        use crate::error::on_unique;
        use crate::rows::{
            ActivityRow, AttachmentRow, AuditRow, PersonRow, SessionRow, UnitRow, UserRow, like_pattern,
        };
        use crate::shared::*;
        use shoutu_domain::attachment::{Attachment, AttachmentId, NewAttachment};
        use shoutu_domain::ledger::{Activity, ActivityId, NewActivity};
        use shoutu_domain::letter::{CopyStatus, Letter, LetterCopy, LetterId, NewLetter};
        use crate::rows::{CopyRow, DutyRow, LetterRow, PlanItemRow, TaskRow};
        use shoutu_domain::conduct::{Acknowledgement, ConductRules, NewConductRules, NewViolation, Violation};
        use shoutu_domain::plan::{NewPlanItem, NewTask, NewUpdate, PlanItem, Task};
        use shoutu_domain::duty::{Duty, NewDuty};
        use crate::{
            CopyChange,
            ActivityFilter, LedgerEntry, AuditFilter, ChainReport, LoginAccount, LoginFailure, NewSession, PeopleFilter, Result, ScopeStats,
            Session, Store, StoreError, UserFilter,
        };
        use async_trait::async_trait;
        use chrono::{DateTime, Utc};
        use shoutu_domain::audit::{AuditDraft, AuditEntry, ChainVerifier, format_time};
        use shoutu_domain::unit::{placement_error, tree_order};
        use shoutu_domain::{
            Action, FieldError, NewPerson, NewUnit, NewUser, Page, PageRequest, Person, PersonId, Role, Scope,
            Unit, UnitId, UnitKind, User, UserId,
        };

        /// A write in progress: its transaction and the audit entries it has appended so far.
        struct Txn {
            tx: sqlx::Transaction<'static, $db>,
            seq: i64,
            last_hash: String,
            at: String,
            now: DateTime<Utc>,
            actor: Option<i64>,
            actor_name: String,
            appended: usize,
        }

        impl Txn {
            async fn audit(&mut self, draft: AuditDraft) -> Result<()> {
                let mut entry = AuditEntry {
                    seq: self.seq + 1,
                    at: self.at.clone(),
                    actor_user_id: self.actor,
                    actor_name: self.actor_name.clone(),
                    unit_id: draft.unit_id,
                    record_type: draft.record_type.to_string(),
                    record_id: draft.record_id,
                    action: draft.action.to_string(),
                    before: draft.before.map(|v| v.to_string()),
                    after: draft.after.map(|v| v.to_string()),
                    prev_hash: self.last_hash.clone(),
                    hash: String::new(),
                };
                entry.hash = entry.expected_hash();
                sqlx::query(INSERT_AUDIT)
                    .bind(entry.seq)
                    .bind(&entry.at)
                    .bind(entry.actor_user_id)
                    .bind(&entry.actor_name)
                    .bind(entry.unit_id)
                    .bind(&entry.record_type)
                    .bind(&entry.record_id)
                    .bind(&entry.action)
                    .bind(&entry.before)
                    .bind(&entry.after)
                    .bind(&entry.prev_hash)
                    .bind(&entry.hash)
                    .execute(&mut *self.tx)
                    .await?;
                self.seq = entry.seq;
                self.last_hash = entry.hash;
                self.appended += 1;
                Ok(())
            }

            async fn commit(mut self) -> Result<()> {
                assert!(self.appended > 0, "every write must leave an audit record");
                sqlx::query(MOVE_AUDIT_HEAD)
                    .bind(self.seq)
                    .bind(&self.last_hash)
                    .execute(&mut *self.tx)
                    .await?;
                self.tx.commit().await?;
                Ok(())
            }
        }

        impl $store {
            async fn begin(&self, actor: Option<i64>, actor_name: &str) -> Result<Txn> {
                let mut tx = self.pool.begin().await?;
                let (seq, last_hash): (i64, String) = sqlx::query_as(LOCK_AUDIT_HEAD).fetch_one(&mut *tx).await?;
                let now = self.clock.now();
                Ok(Txn {
                    tx,
                    seq,
                    last_hash,
                    at: format_time(now),
                    now,
                    actor,
                    actor_name: actor_name.to_string(),
                    appended: 0,
                })
            }

            async fn begin_as(&self, scope: &Scope, needs: Action) -> Result<Txn> {
                if !scope.permits(needs) {
                    return Err(StoreError::Forbidden);
                }
                self.begin(scope.actor.map(|u| u.0), &scope.actor_name).await
            }

            async fn in_subtree<'e, E>(executor: E, root: UnitId, unit: UnitId) -> Result<bool>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                let (n,): (i64,) = sqlx::query_as(IN_SUBTREE).bind(root.0).bind(unit.0).fetch_one(executor).await?;
                Ok(n > 0)
            }

            async fn scoped_unit<'e, E>(executor: E, scope: &Scope, id: UnitId) -> Result<Unit>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                let row: Option<UnitRow> = sqlx::query_as(&sql(&[UNIT_COLUMNS, " AND u.id = $2"]))
                    .bind(scope.root.0)
                    .bind(id.0)
                    .fetch_optional(executor)
                    .await?;
                row.map(Unit::from).ok_or(StoreError::NotFound)
            }

            async fn scoped_person<'e, E>(executor: E, scope: &Scope, id: PersonId) -> Result<Person>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                let row: Option<PersonRow> = sqlx::query_as(&sql(&[PERSON_COLUMNS, PERSON_FROM, " AND p.id = $2"]))
                    .bind(scope.root.0)
                    .bind(id.0)
                    .fetch_optional(executor)
                    .await?;
                row.map(Person::from).ok_or(StoreError::NotFound)
            }

            /// Sets a new password and ends every session of the account: whoever held one (a
            /// stolen cookie, a forgotten browser) must sign in again with the new password.
            async fn replace_password(
                conn: &mut <$db as sqlx::Database>::Connection,
                id: UserId,
                password_hash: &str,
                must_change: bool,
                now: DateTime<Utc>,
            ) -> Result<()> {
                sqlx::query("UPDATE users SET password_hash = $2, must_change_password = $3, updated_at = $4 WHERE id = $1")
                    .bind(id.0)
                    .bind(password_hash)
                    .bind(must_change)
                    .bind(now)
                    .execute(&mut *conn)
                    .await?;
                sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id.0).execute(&mut *conn).await?;
                Ok(())
            }

            async fn insert_session(
                conn: &mut <$db as sqlx::Database>::Connection,
                session: &NewSession,
                now: DateTime<Utc>,
            ) -> Result<()> {
                sqlx::query(
                    "INSERT INTO sessions (token_hash, user_id, csrf_token, unit_id, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&session.token_hash)
                .bind(session.user_id.0)
                .bind(&session.csrf_token)
                .bind(session.unit_id.0)
                .bind(now)
                .bind(session.expires_at)
                .execute(&mut *conn)
                .await?;
                Ok(())
            }

            async fn scoped_user<'e, E>(executor: E, scope: &Scope, id: UserId) -> Result<User>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                let row: Option<UserRow> = sqlx::query_as(&sql(&[USER_COLUMNS, USER_SCOPE, " AND us.id = $2"]))
                    .bind(scope.root.0)
                    .bind(id.0)
                    .fetch_optional(executor)
                    .await?;
                row.map(User::from).ok_or(StoreError::NotFound)
            }

            /// The unit a listing is narrowed to: one inside the scope, or the scope's root.
            async fn filter_root(&self, scope: &Scope, unit: Option<UnitId>) -> Result<UnitId> {
                match unit {
                    Some(unit) => Ok(Self::scoped_unit(&self.pool, scope, unit).await?.id),
                    None => Ok(scope.root),
                }
            }

            /// The audit entry of a lock that too many attempts set before any password was checked.
            async fn audit_lockout(&self, id: UserId, until: DateTime<Utc>) -> Result<()> {
                let user = self.user_unscoped(id).await?.map(User::from).ok_or(StoreError::NotFound)?;
                let mut txn = self.begin(Some(id.0), &user.person_name).await?;
                txn.audit(
                    AuditDraft::new("user", id, "lock")
                        .unit(user.unit_id.0)
                        .after(serde_json::json!({ "locked_until": until, "reason": "连续登录失败" })),
                )
                .await?;
                txn.commit().await
            }

            async fn user_unscoped(&self, id: UserId) -> Result<Option<UserRow>> {
                Ok(sqlx::query_as(&sql(&[USER_COLUMNS, "WHERE us.id = $1"]))
                    .bind(id.0)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            /// The grant table of `shoutu_domain::grant`: only roles the scope may hand out.
            fn check_grantable(scope: &Scope, roles: &[Role]) -> Result<()> {
                Ok(shoutu_domain::grant::check_grant(&scope.roles, roles)?)
            }

            /// The account, if the scope may change its roles, reset or lock it: it must be in
            /// the subtree, not the actor's own, and hold only roles the actor could grant.
            async fn manageable_user<'e, E>(executor: E, scope: &Scope, id: UserId) -> Result<User>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                let user = Self::scoped_user(executor, scope, id).await?;
                shoutu_domain::grant::may_manage_account(scope, user.id, &user.roles)?;
                Ok(user)
            }

            async fn write_roles(txn: &mut Txn, id: UserId, roles: &[Role]) -> Result<()> {
                sqlx::query("DELETE FROM user_roles WHERE user_id = $1").bind(id.0).execute(&mut *txn.tx).await?;
                for role in roles {
                    sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)")
                        .bind(id.0)
                        .bind(role.code())
                        .execute(&mut *txn.tx)
                        .await?;
                }
                Ok(())
            }

            async fn scoped_activity<'e, E>(executor: E, scope: &Scope, id: ActivityId) -> Result<Activity>
            where
                E: sqlx::Executor<'e, Database = $db> + Copy,
            {
                let row: Option<ActivityRow> =
                    sqlx::query_as(&sql(&[ACTIVITY_COLUMNS, ACTIVITY_FROM, " AND a.id = $2"]))
                        .bind(scope.root.0)
                        .bind(id.0)
                        .fetch_optional(executor)
                        .await?;
                let mut activity = row.map(Activity::from).ok_or(StoreError::NotFound)?;
                let people: Vec<(i64, String)> = sqlx::query_as(
                    "SELECT p.id, p.name FROM activity_participants ap JOIN people p ON p.id = ap.person_id \
                     WHERE ap.activity_id = $1 ORDER BY p.sort_order, p.id",
                )
                .bind(id.0)
                .fetch_all(executor)
                .await?;
                activity.participants = people.into_iter().map(|(id, name)| (PersonId(id), name)).collect();
                Ok(activity)
            }

            /// A host or participant must be a person of the activity's unit or below it.
            async fn tasks_of(&self, scope: &Scope, item: i64) -> Result<Vec<Task>> {
                let rows: Vec<TaskRow> = sqlx::query_as(&sql(&[
                    TASK_COLUMNS,
                    "WHERE t.plan_item_id = $2 AND ",
                    TASK_VISIBLE,
                    " ORDER BY t.deadline, t.id",
                ]))
                .bind(scope.root.0)
                .bind(item)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(Task::from).collect())
            }

            async fn copies_of(&self, scope: &Scope, letter: LetterId) -> Result<Vec<LetterCopy>> {
                let rows: Vec<CopyRow> = sqlx::query_as(&sql(&[
                    COPY_COLUMNS,
                    "WHERE lc.letter_id = $2 AND ",
                    COPY_VISIBLE,
                    " ORDER BY u.sort_order, u.id",
                ]))
                .bind(scope.root.0)
                .bind(letter.0)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(LetterCopy::from).collect())
            }

            async fn check_member(txn: &mut Txn, scope: &Scope, unit: &Unit, person: PersonId, field: &'static str) -> Result<()> {
                let p = Self::scoped_person(&mut *txn.tx, scope, person).await?;
                if !Self::in_subtree(&mut *txn.tx, unit.id, p.unit_id).await? {
                    return Err(StoreError::Invalid(FieldError::new(
                        field,
                        format!("「{}」（{}）不是{}及其下级单位的人员", p.name, p.unit_name, unit.name),
                    )));
                }
                Ok(())
            }

            async fn insert_attachment(txn: &mut Txn, unit: UnitId, attachment: &NewAttachment) -> Result<i64> {
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO attachments (sha256, size, media_type, file_name, unit_id, record_type, record_id, \
                     created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                )
                .bind(&attachment.sha256)
                .bind(attachment.size)
                .bind(&attachment.media_type)
                .bind(&attachment.file_name)
                .bind(unit.0)
                .bind(attachment.record_type)
                .bind(attachment.record_id)
                .bind(txn.now)
                .fetch_one(&mut *txn.tx)
                .await?;
                txn.audit(AuditDraft::new("attachment", id, "create").unit(unit.0).after(attachment)).await?;
                Ok(id)
            }

            /// Checks and writes one activity with its tags and participants inside a write.
            async fn insert_activity(txn: &mut Txn, scope: &Scope, activity: &NewActivity) -> Result<(Unit, i64)> {
                let unit = Self::scoped_unit(&mut *txn.tx, scope, activity.unit_id).await?;
                if let Some(host) = activity.host {
                    Self::check_member(txn, scope, &unit, host, "主持人").await?;
                }
                for p in &activity.participants {
                    Self::check_member(txn, scope, &unit, *p, "参加人员").await?;
                }
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO activities (unit_id, type_code, date, topic, host_person_id, others, summary, extra, \
                     flags, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
                )
                .bind(activity.unit_id.0)
                .bind(&activity.type_code)
                .bind(activity.date)
                .bind(&activity.topic)
                .bind(activity.host.map(|h| h.0))
                .bind(activity.others)
                .bind(&activity.summary)
                .bind(serde_json::to_string(&activity.extra).expect("extra fields serialise"))
                .bind(activity.flags.join(","))
                .bind(txn.now)
                .fetch_one(&mut *txn.tx)
                .await?;
                for tag in &activity.tags {
                    sqlx::query("INSERT INTO activity_tags (activity_id, tag) VALUES ($1, $2)")
                        .bind(id)
                        .bind(tag)
                        .execute(&mut *txn.tx)
                        .await?;
                }
                for p in &activity.participants {
                    sqlx::query("INSERT INTO activity_participants (activity_id, person_id) VALUES ($1, $2)")
                        .bind(id)
                        .bind(p.0)
                        .execute(&mut *txn.tx)
                        .await?;
                }
                txn.audit(AuditDraft::new("activity", id, "create").unit(unit.id.0).after(&activity)).await?;
                Ok((unit, id))
            }

            async fn insert_unit(txn: &mut Txn, unit: &NewUnit) -> Result<i64> {
                let (id,): (i64,) = sqlx::query_as(INSERT_UNIT)
                    .bind(unit.parent_id.map(|p| p.0))
                    .bind(unit.kind.code())
                    .bind(&unit.name)
                    .bind(&unit.short_name)
                    .bind(&unit.code)
                    .bind(unit.sort_order)
                    .bind(txn.now)
                    .fetch_one(&mut *txn.tx)
                    .await
                    .map_err(on_unique("单位代码", "已被其他单位使用"))?;
                sqlx::query(INSERT_UNIT_CLOSURE)
                    .bind(id)
                    .bind(unit.parent_id.map(|p| p.0))
                    .execute(&mut *txn.tx)
                    .await?;
                Ok(id)
            }
        }

        #[async_trait]
        impl Store for $store {
            fn backend(&self) -> &'static str {
                $backend
            }

            async fn unit_tree(&self, scope: &Scope) -> Result<Vec<Unit>> {
                let rows: Vec<UnitRow> = sqlx::query_as(UNIT_COLUMNS).bind(scope.root.0).fetch_all(&self.pool).await?;
                Ok(tree_order(rows.into_iter().map(Unit::from).collect()))
            }

            async fn unit(&self, scope: &Scope, id: UnitId) -> Result<Unit> {
                Self::scoped_unit(&self.pool, scope, id).await
            }

            async fn unit_by_code(&self, scope: &Scope, code: &str) -> Result<Unit> {
                let row: Option<UnitRow> = sqlx::query_as(&sql(&[UNIT_COLUMNS, " AND u.code = $2"]))
                    .bind(scope.root.0)
                    .bind(code.trim())
                    .fetch_optional(&self.pool)
                    .await?;
                row.map(Unit::from).ok_or(StoreError::NotFound)
            }

            async fn unit_path(&self, scope: &Scope, id: UnitId) -> Result<Vec<Unit>> {
                let rows: Vec<UnitRow> =
                    sqlx::query_as(UNIT_PATH).bind(scope.root.0).bind(id.0).fetch_all(&self.pool).await?;
                if rows.is_empty() {
                    return Err(StoreError::NotFound);
                }
                Ok(rows.into_iter().map(Unit::from).collect())
            }

            async fn create_unit(&self, scope: &Scope, unit: NewUnit) -> Result<Unit> {
                let mut txn = self.begin_as(scope, Action::ManageUnits).await?;
                let Some(parent_id) = unit.parent_id else {
                    return Err(StoreError::Invalid(FieldError::new("上级单位", "请选择上级单位")));
                };
                let parent = Self::scoped_unit(&mut *txn.tx, scope, parent_id).await?;
                if let Some(e) = placement_error(Some(&parent), unit.kind) {
                    return Err(StoreError::Invalid(e));
                }
                let id = Self::insert_unit(&mut txn, &unit).await?;
                txn.audit(AuditDraft::new("unit", id, "create").unit(id).after(&unit)).await?;
                let created = Self::scoped_unit(&mut *txn.tx, scope, UnitId(id)).await?;
                txn.commit().await?;
                Ok(created)
            }

            async fn update_unit(&self, scope: &Scope, id: UnitId, unit: NewUnit) -> Result<Unit> {
                let mut txn = self.begin_as(scope, Action::ManageUnits).await?;
                let before = Self::scoped_unit(&mut *txn.tx, scope, id).await?;
                if unit.kind != before.kind {
                    let parent = match before.parent_id {
                        Some(p) => sqlx::query_as::<_, UnitRow>(&sql(&[UNIT_COLUMNS, " AND u.id = $2"]))
                            .bind(p.0)
                            .bind(p.0)
                            .fetch_optional(&mut *txn.tx)
                            .await?
                            .map(Unit::from),
                        None => None,
                    };
                    if let Some(e) = placement_error(parent.as_ref(), unit.kind) {
                        return Err(StoreError::Invalid(e));
                    }
                    let child_kinds: Vec<(String,)> = sqlx::query_as("SELECT kind FROM units WHERE parent_id = $1")
                        .bind(id.0)
                        .fetch_all(&mut *txn.tx)
                        .await?;
                    for (kind,) in child_kinds {
                        if let Ok(kind) = kind.parse::<UnitKind>() {
                            if !unit.kind.may_contain(kind) {
                                return Err(StoreError::Invalid(FieldError::new(
                                    "单位类型",
                                    format!("该单位下设有{}，不能改为{}", kind.label(), unit.kind.label()),
                                )));
                            }
                        }
                    }
                }
                sqlx::query(UPDATE_UNIT)
                    .bind(id.0)
                    .bind(unit.kind.code())
                    .bind(&unit.name)
                    .bind(&unit.short_name)
                    .bind(&unit.code)
                    .bind(unit.sort_order)
                    .bind(txn.now)
                    .execute(&mut *txn.tx)
                    .await
                    .map_err(on_unique("单位代码", "已被其他单位使用"))?;
                let after = Self::scoped_unit(&mut *txn.tx, scope, id).await?;
                txn.audit(AuditDraft::new("unit", id, "update").unit(id.0).before(&before).after(&after)).await?;
                txn.commit().await?;
                Ok(after)
            }

            async fn move_unit(&self, scope: &Scope, id: UnitId, new_parent: UnitId) -> Result<Unit> {
                let mut txn = self.begin_as(scope, Action::ManageUnits).await?;
                let unit = Self::scoped_unit(&mut *txn.tx, scope, id).await?;
                if id == scope.root {
                    return Err(StoreError::Invalid(FieldError::new("单位", "不能移动您管辖范围的最上级单位")));
                }
                let parent = Self::scoped_unit(&mut *txn.tx, scope, new_parent).await?;
                if Self::in_subtree(&mut *txn.tx, id, new_parent).await? {
                    return Err(StoreError::Invalid(FieldError::new("新上级单位", "不能移到本单位或其下级单位之下")));
                }
                if let Some(e) = placement_error(Some(&parent), unit.kind) {
                    return Err(StoreError::Invalid(e));
                }
                sqlx::query(DETACH_SUBTREE).bind(id.0).execute(&mut *txn.tx).await?;
                sqlx::query(ATTACH_SUBTREE).bind(id.0).bind(new_parent.0).execute(&mut *txn.tx).await?;
                sqlx::query("UPDATE units SET parent_id = $2, updated_at = $3 WHERE id = $1")
                    .bind(id.0)
                    .bind(new_parent.0)
                    .bind(txn.now)
                    .execute(&mut *txn.tx)
                    .await?;
                txn.audit(
                    AuditDraft::new("unit", id, "move")
                        .unit(id.0)
                        .before(serde_json::json!({ "parent_id": unit.parent_id }))
                        .after(serde_json::json!({ "parent_id": new_parent, "parent_name": parent.name })),
                )
                .await?;
                let moved = Self::scoped_unit(&mut *txn.tx, scope, id).await?;
                txn.commit().await?;
                Ok(moved)
            }

            async fn create_root_unit(&self, actor_name: &str, unit: NewUnit) -> Result<Unit> {
                if let Some(e) = placement_error(None, unit.kind) {
                    return Err(StoreError::Invalid(e));
                }
                let mut txn = self.begin(None, actor_name).await?;
                let (existing,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM units").fetch_one(&mut *txn.tx).await?;
                if existing > 0 {
                    return Err(StoreError::Conflict(FieldError::new("单位", "数据库中已有单位，不能再建最上级单位")));
                }
                let unit = NewUnit { parent_id: None, ..unit };
                let id = Self::insert_unit(&mut txn, &unit).await?;
                txn.audit(AuditDraft::new("unit", id, "create").unit(id).after(&unit)).await?;
                let created = Self::scoped_unit(&mut *txn.tx, &Scope::console(UnitId(id)), UnitId(id)).await?;
                txn.commit().await?;
                Ok(created)
            }

            async fn root_unit(&self) -> Result<Option<Unit>> {
                let row: Option<UnitRow> = sqlx::query_as(
                    "SELECT u.id, u.parent_id, u.kind, u.name, u.short_name, u.code, u.sort_order, CAST(0 AS BIGINT) AS depth \
                     FROM units u WHERE u.parent_id IS NULL ORDER BY u.id LIMIT 1",
                )
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(Unit::from))
            }

            async fn people(&self, scope: &Scope, filter: &PeopleFilter, page: PageRequest) -> Result<Page<Person>> {
                let root = self.filter_root(scope, filter.unit).await?;
                let only_unit = filter.unit.filter(|_| !filter.include_subunits).map(|u| u.0);
                let pattern = like_pattern(filter.name.as_deref());
                let (total,): (i64,) = sqlx::query_as(&sql(&["SELECT COUNT(*) ", PERSON_FROM, PEOPLE_WHERE]))
                    .bind(root.0)
                    .bind(only_unit)
                    .bind(&pattern)
                    .fetch_one(&self.pool)
                    .await?;
                let rows: Vec<PersonRow> = sqlx::query_as(&sql(&[
                    PERSON_COLUMNS,
                    PERSON_FROM,
                    PEOPLE_WHERE,
                    " ORDER BY c.depth, u.sort_order, u.id, p.sort_order, p.id LIMIT $4 OFFSET $5",
                ]))
                .bind(root.0)
                .bind(only_unit)
                .bind(&pattern)
                .bind(page.per_page)
                .bind(page.offset())
                .fetch_all(&self.pool)
                .await?;
                Ok(Page {
                    items: rows.into_iter().map(Person::from).collect(),
                    total,
                    page: page.page,
                    per_page: page.per_page,
                })
            }

            async fn person(&self, scope: &Scope, id: PersonId) -> Result<Person> {
                Self::scoped_person(&self.pool, scope, id).await
            }

            async fn create_person(&self, scope: &Scope, person: NewPerson) -> Result<Person> {
                let mut txn = self.begin_as(scope, Action::Write).await?;
                Self::scoped_unit(&mut *txn.tx, scope, person.unit_id).await?;
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO people (unit_id, name, post, phone, sort_order, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
                )
                .bind(person.unit_id.0)
                .bind(&person.name)
                .bind(&person.post)
                .bind(&person.phone)
                .bind(person.sort_order)
                .bind(txn.now)
                .fetch_one(&mut *txn.tx)
                .await?;
                txn.audit(AuditDraft::new("person", id, "create").unit(person.unit_id.0).after(&person)).await?;
                let created = Self::scoped_person(&mut *txn.tx, scope, PersonId(id)).await?;
                txn.commit().await?;
                Ok(created)
            }

            async fn update_person(&self, scope: &Scope, id: PersonId, person: NewPerson) -> Result<Person> {
                let mut txn = self.begin_as(scope, Action::Write).await?;
                let before = Self::scoped_person(&mut *txn.tx, scope, id).await?;
                Self::scoped_unit(&mut *txn.tx, scope, person.unit_id).await?;
                if before.unit_id != person.unit_id {
                    // The unit of a person with an account is that account's reach: moving it
                    // needs the rights to manage the account.
                    let account: Option<(i64,)> = sqlx::query_as("SELECT id FROM users WHERE person_id = $1")
                        .bind(id.0)
                        .fetch_optional(&mut *txn.tx)
                        .await?;
                    if let Some((user,)) = account {
                        if !scope.permits(Action::ManageUsers) {
                            return Err(StoreError::Denied(
                                "此人有登录账号，调动单位会改变该账号的管辖范围，须由单位管理员办理".into(),
                            ));
                        }
                        Self::manageable_user(&mut *txn.tx, scope, UserId(user)).await?;
                    }
                }
                sqlx::query(
                    "UPDATE people SET unit_id = $2, name = $3, post = $4, phone = $5, sort_order = $6, updated_at = $7 \
                     WHERE id = $1",
                )
                .bind(id.0)
                .bind(person.unit_id.0)
                .bind(&person.name)
                .bind(&person.post)
                .bind(&person.phone)
                .bind(person.sort_order)
                .bind(txn.now)
                .execute(&mut *txn.tx)
                .await?;
                let after = Self::scoped_person(&mut *txn.tx, scope, id).await?;
                txn.audit(AuditDraft::new("person", id.0, "update").unit(after.unit_id.0).before(&before).after(&after))
                    .await?;
                txn.commit().await?;
                Ok(after)
            }

            async fn users(&self, scope: &Scope, filter: &UserFilter, page: PageRequest) -> Result<Page<User>> {
                if !scope.permits(Action::ManageUsers) {
                    return Err(StoreError::Forbidden);
                }
                if let Some(unit) = filter.unit {
                    Self::scoped_unit(&self.pool, scope, unit).await?;
                }
                let pattern = like_pattern(filter.name.as_deref());
                let (total,): (i64,) = sqlx::query_as(&sql(&[
                    "SELECT COUNT(*) FROM users us JOIN people p ON p.id = us.person_id ",
                    USER_SCOPE,
                    USERS_WHERE,
                ]))
                .bind(scope.root.0)
                .bind(filter.unit.map(|u| u.0))
                .bind(&pattern)
                .fetch_one(&self.pool)
                .await?;
                let rows: Vec<UserRow> = sqlx::query_as(&sql(&[
                    USER_COLUMNS,
                    USER_SCOPE,
                    USERS_WHERE,
                    " ORDER BY c.depth, u.sort_order, u.id, us.username LIMIT $4 OFFSET $5",
                ]))
                .bind(scope.root.0)
                .bind(filter.unit.map(|u| u.0))
                .bind(&pattern)
                .bind(page.per_page)
                .bind(page.offset())
                .fetch_all(&self.pool)
                .await?;
                Ok(Page {
                    items: rows.into_iter().map(User::from).collect(),
                    total,
                    page: page.page,
                    per_page: page.per_page,
                })
            }

            async fn user(&self, scope: &Scope, id: UserId) -> Result<User> {
                if !scope.permits(Action::ManageUsers) && scope.actor != Some(id) {
                    return Err(StoreError::Forbidden);
                }
                Self::scoped_user(&self.pool, scope, id).await
            }

            async fn user_by_username(&self, scope: &Scope, username: &str) -> Result<User> {
                let row: Option<UserRow> =
                    sqlx::query_as(&sql(&[USER_COLUMNS, USER_SCOPE, " AND us.username = $2"]))
                        .bind(scope.root.0)
                        .bind(username.trim().to_ascii_lowercase())
                        .fetch_optional(&self.pool)
                        .await?;
                let user = row.map(User::from).ok_or(StoreError::NotFound)?;
                if !scope.permits(Action::ManageUsers) && scope.actor != Some(user.id) {
                    return Err(StoreError::Forbidden);
                }
                Ok(user)
            }

            async fn create_user(&self, scope: &Scope, user: NewUser) -> Result<User> {
                Self::check_grantable(scope, &user.roles)?;
                let mut txn = self.begin_as(scope, Action::ManageUsers).await?;
                let person = Self::scoped_person(&mut *txn.tx, scope, user.person_id).await?;
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO users (username, person_id, password_hash, must_change_password, failed_logins, \
                     created_at, updated_at) VALUES ($1, $2, $3, $4, 0, $5, $5) RETURNING id",
                )
                .bind(&user.username)
                .bind(user.person_id.0)
                .bind(&user.password_hash)
                .bind(user.must_change_password)
                .bind(txn.now)
                .fetch_one(&mut *txn.tx)
                .await
                .map_err(|e| match e.as_database_error() {
                    Some(db) if db.is_unique_violation() && db.message().contains("person") => {
                        StoreError::Conflict(FieldError::new("人员", "此人已有账号"))
                    }
                    _ => on_unique("用户名", "已被使用")(e),
                })?;
                Self::write_roles(&mut txn, UserId(id), &user.roles).await?;
                let roles: Vec<&str> = user.roles.iter().map(|r| r.code()).collect();
                txn.audit(AuditDraft::new("user", id, "create").unit(person.unit_id.0).after(serde_json::json!({
                    "username": user.username,
                    "person": person.name,
                    "roles": roles,
                    "must_change_password": user.must_change_password,
                })))
                .await?;
                let created = Self::scoped_user(&mut *txn.tx, scope, UserId(id)).await?;
                txn.commit().await?;
                Ok(created)
            }

            async fn set_roles(&self, scope: &Scope, id: UserId, roles: &[Role]) -> Result<User> {
                let mut txn = self.begin_as(scope, Action::ManageUsers).await?;
                let before = Self::manageable_user(&mut *txn.tx, scope, id).await?;
                Self::check_grantable(scope, roles)?;
                Self::write_roles(&mut txn, id, roles).await?;
                let codes = |rs: &[Role]| rs.iter().map(|r| r.code()).collect::<Vec<_>>();
                txn.audit(
                    AuditDraft::new("user", id, "update")
                        .unit(before.unit_id.0)
                        .before(serde_json::json!({ "roles": codes(&before.roles) }))
                        .after(serde_json::json!({ "roles": codes(roles) })),
                )
                .await?;
                let after = Self::scoped_user(&mut *txn.tx, scope, id).await?;
                txn.commit().await?;
                Ok(after)
            }

            async fn set_password(&self, scope: &Scope, id: UserId, password_hash: &str, must_change: bool) -> Result<()> {
                let mut txn = self.begin_as(scope, Action::ManageUsers).await?;
                let user = Self::manageable_user(&mut *txn.tx, scope, id).await?;
                Self::replace_password(&mut *txn.tx, id, password_hash, must_change, txn.now).await?;
                txn.audit(
                    AuditDraft::new("user", id, "password_reset")
                        .unit(user.unit_id.0)
                        .after(serde_json::json!({ "must_change_password": must_change })),
                )
                .await?;
                txn.commit().await
            }

            async fn change_own_password(&self, scope: &Scope, password_hash: &str, session: NewSession) -> Result<()> {
                let Some(id) = scope.actor.filter(|a| *a == session.user_id) else {
                    return Err(StoreError::Forbidden);
                };
                let user = self.user_unscoped(id).await?.map(User::from).ok_or(StoreError::NotFound)?;
                let mut txn = self.begin(Some(id.0), &scope.actor_name).await?;
                // The browser that changed the password goes on with a new token; every other
                // session of the account ends with the old password.
                Self::replace_password(&mut *txn.tx, id, password_hash, false, txn.now).await?;
                Self::insert_session(&mut *txn.tx, &session, txn.now).await?;
                txn.audit(
                    AuditDraft::new("user", id, "password")
                        .unit(user.unit_id.0)
                        .after(serde_json::json!({ "must_change_password": false, "other_sessions_ended": true })),
                )
                .await?;
                txn.commit().await
            }

            async fn set_lock(&self, scope: &Scope, id: UserId, until: Option<DateTime<Utc>>) -> Result<()> {
                let mut txn = self.begin_as(scope, Action::ManageUsers).await?;
                let user = Self::manageable_user(&mut *txn.tx, scope, id).await?;
                sqlx::query("UPDATE users SET locked_until = $2, failed_logins = 0, updated_at = $3 WHERE id = $1")
                    .bind(id.0)
                    .bind(until)
                    .bind(txn.now)
                    .execute(&mut *txn.tx)
                    .await?;
                if until.is_some() {
                    sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id.0).execute(&mut *txn.tx).await?;
                }
                let action = if until.is_some() { "lock" } else { "unlock" };
                txn.audit(
                    AuditDraft::new("user", id, action)
                        .unit(user.unit_id.0)
                        .before(serde_json::json!({ "locked_until": user.locked_until }))
                        .after(serde_json::json!({ "locked_until": until })),
                )
                .await?;
                txn.commit().await
            }

            async fn login_account(&self, username: &str) -> Result<Option<LoginAccount>> {
                let row: Option<UserRow> = sqlx::query_as(&sql(&[USER_COLUMNS, "WHERE us.username = $1"]))
                    .bind(username.trim().to_ascii_lowercase())
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(row.map(|r| {
                    let password_hash = r.password_hash.clone();
                    LoginAccount {
                        user: User::from(r),
                        password_hash,
                    }
                }))
            }

            async fn count_login_attempt(
                &self,
                id: UserId,
                threshold: i64,
                lock_for: chrono::Duration,
            ) -> Result<LoginFailure> {
                let now = self.clock.now();
                // Whole seconds, so that the value read back compares equal on every backend.
                let until = chrono::DurationRound::duration_trunc(now + lock_for, chrono::Duration::seconds(1))
                    .unwrap_or(now + lock_for);
                // One statement counts the attempt and decides the lock, so attempts in
                // parallel each see the count the others left. An expired lock starts the count
                // afresh; beyond `threshold` unresolved attempts the account locks before any
                // password is checked.
                let row: Option<(i64, Option<DateTime<Utc>>)> = sqlx::query_as(
                    "UPDATE users SET \
                     failed_logins = CASE WHEN locked_until IS NOT NULL AND locked_until <= $2 THEN 1 \
                                          ELSE failed_logins + 1 END, \
                     locked_until = CASE WHEN locked_until IS NOT NULL AND locked_until > $2 THEN locked_until \
                                         WHEN locked_until IS NULL AND failed_logins + 1 > $3 THEN $4 \
                                         ELSE NULL END \
                     WHERE id = $1 RETURNING failed_logins, locked_until",
                )
                .bind(id.0)
                .bind(now)
                .bind(threshold)
                .bind(until)
                .fetch_optional(&self.pool)
                .await?;
                let (failed, locked_until) = row.ok_or(StoreError::NotFound)?;
                if locked_until == Some(until) {
                    self.audit_lockout(id, until).await?;
                }
                Ok(LoginFailure {
                    failed_logins: failed,
                    locked_until,
                })
            }

            async fn record_login_failure(
                &self,
                id: UserId,
                threshold: i64,
                lock_for: chrono::Duration,
            ) -> Result<LoginFailure> {
                let user = self.user_unscoped(id).await?.map(User::from).ok_or(StoreError::NotFound)?;
                let mut txn = self.begin(Some(id.0), &user.person_name).await?;
                let until = txn.now + lock_for;
                let locked: Option<(i64,)> = sqlx::query_as(
                    "UPDATE users SET locked_until = $2 WHERE id = $1 AND failed_logins >= $3 \
                     AND (locked_until IS NULL OR locked_until <= $4) RETURNING failed_logins",
                )
                .bind(id.0)
                .bind(until)
                .bind(threshold)
                .bind(txn.now)
                .fetch_optional(&mut *txn.tx)
                .await?;
                let (failed, locked_until): (i64, Option<DateTime<Utc>>) =
                    sqlx::query_as("SELECT failed_logins, locked_until FROM users WHERE id = $1")
                        .bind(id.0)
                        .fetch_one(&mut *txn.tx)
                        .await?;
                txn.audit(
                    AuditDraft::new("user", id, "login_failed")
                        .unit(user.unit_id.0)
                        .after(serde_json::json!({ "failed_logins": failed })),
                )
                .await?;
                if locked.is_some() {
                    txn.audit(
                        AuditDraft::new("user", id, "lock")
                            .unit(user.unit_id.0)
                            .after(serde_json::json!({ "locked_until": until, "reason": "连续登录失败" })),
                    )
                    .await?;
                }
                txn.commit().await?;
                Ok(LoginFailure {
                    failed_logins: failed,
                    locked_until,
                })
            }

            async fn record_login_success(&self, id: UserId, session: NewSession) -> Result<()> {
                let user = self.user_unscoped(id).await?.map(User::from).ok_or(StoreError::NotFound)?;
                let mut txn = self.begin(Some(id.0), &user.person_name).await?;
                sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
                    .bind(id.0)
                    .execute(&mut *txn.tx)
                    .await?;
                sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
                    .bind(txn.now)
                    .execute(&mut *txn.tx)
                    .await?;
                Self::insert_session(&mut *txn.tx, &session, txn.now).await?;
                txn.audit(AuditDraft::new("user", id, "login").unit(user.unit_id.0)).await?;
                txn.commit().await
            }

            async fn session(&self, token_hash: &str) -> Result<Option<Session>> {
                let row: Option<SessionRow> = sqlx::query_as(
                    "SELECT s.csrf_token, s.unit_id, s.expires_at, s.user_id, \
                     (SELECT COUNT(*) FROM unit_closure c WHERE c.ancestor_id = p.unit_id \
                      AND c.descendant_id = s.unit_id) AS unit_in_reach \
                     FROM sessions s JOIN users us ON us.id = s.user_id JOIN people p ON p.id = us.person_id \
                     WHERE s.token_hash = $1",
                )
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?;
                let Some(row) = row else { return Ok(None) };
                let now = self.clock.now();
                if row.expires_at <= now {
                    return Ok(None);
                }
                let Some(user) = self.user_unscoped(UserId(row.user_id)).await?.map(User::from) else {
                    return Ok(None);
                };
                if user.is_locked(now) {
                    return Ok(None);
                }
                // The user may have been moved to another unit since switching; fall back to
                // their own unit rather than keep a view they no longer have.
                let unit_id = if row.unit_in_reach > 0 { UnitId(row.unit_id) } else { user.unit_id };
                Ok(Some(Session {
                    user,
                    csrf_token: row.csrf_token,
                    unit_id,
                    expires_at: row.expires_at,
                }))
            }

            async fn switch_session_unit(&self, token_hash: &str, scope: &Scope, unit: UnitId) -> Result<()> {
                Self::scoped_unit(&self.pool, scope, unit).await?;
                sqlx::query("UPDATE sessions SET unit_id = $2 WHERE token_hash = $1")
                    .bind(token_hash)
                    .bind(unit.0)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn end_session(&self, token_hash: &str) -> Result<()> {
                sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&self.pool).await?;
                Ok(())
            }

            async fn audit_entries(&self, scope: &Scope, filter: &AuditFilter, page: PageRequest) -> Result<Page<AuditEntry>> {
                if !scope.permits(Action::ViewAudit) {
                    return Err(StoreError::Forbidden);
                }
                let root = self.filter_root(scope, filter.unit).await?;
                let from = filter.from.map(format_time).unwrap_or_default();
                let until = filter.until.map(format_time).unwrap_or_else(|| "9999".to_string());
                let record_type = filter.record_type.as_deref().filter(|t| !t.is_empty());
                let (total,): (i64,) = sqlx::query_as(&sql(&["SELECT COUNT(*) ", AUDIT_FROM]))
                    .bind(root.0)
                    .bind(filter.actor.map(|a| a.0))
                    .bind(record_type)
                    .bind(&from)
                    .bind(&until)
                    .fetch_one(&self.pool)
                    .await?;
                let rows: Vec<AuditRow> =
                    sqlx::query_as(&sql(&[AUDIT_COLUMNS, AUDIT_FROM, " ORDER BY a.seq DESC LIMIT $6 OFFSET $7"]))
                        .bind(root.0)
                        .bind(filter.actor.map(|a| a.0))
                        .bind(record_type)
                        .bind(&from)
                        .bind(&until)
                        .bind(page.per_page)
                        .bind(page.offset())
                        .fetch_all(&self.pool)
                        .await?;
                Ok(Page {
                    items: rows.into_iter().map(AuditEntry::from).collect(),
                    total,
                    page: page.page,
                    per_page: page.per_page,
                })
            }

            async fn verify_audit_chain(&self) -> Result<ChainReport> {
                const BATCH: i64 = 2000;
                let (head_seq, head_hash): (i64, String) =
                    sqlx::query_as("SELECT seq, last_hash FROM audit_head WHERE id = 1").fetch_one(&self.pool).await?;
                let mut verifier = ChainVerifier::default();
                let mut after = 0i64;
                loop {
                    let rows: Vec<AuditRow> = sqlx::query_as(&sql(&[
                        AUDIT_COLUMNS,
                        "FROM audit_log a WHERE a.seq > $1 AND a.seq <= $2 ORDER BY a.seq LIMIT $3",
                    ]))
                    .bind(after)
                    .bind(head_seq)
                    .bind(BATCH)
                    .fetch_all(&self.pool)
                    .await?;
                    let Some(last) = rows.last() else { break };
                    after = last.seq;
                    for row in rows {
                        if let Err(broken) = verifier.push(&AuditEntry::from(row)) {
                            return Ok(ChainReport {
                                checked: verifier.checked,
                                broken: Some(broken),
                            });
                        }
                    }
                }
                Ok(ChainReport {
                    checked: verifier.checked,
                    broken: verifier.finish(head_seq, &head_hash).err(),
                })
            }

            async fn create_activity(
                &self,
                scope: &Scope,
                activity: NewActivity,
                attachments: Vec<NewAttachment>,
            ) -> Result<Activity> {
                let mut txn = self.begin_as(scope, Action::Write).await?;
                let (unit, id) = Self::insert_activity(&mut txn, scope, &activity).await?;
                for attachment in attachments {
                    let attachment = NewAttachment {
                        record_type: "activity",
                        record_id: id,
                        ..attachment
                    };
                    Self::insert_attachment(&mut txn, unit.id, &attachment).await?;
                }
                txn.commit().await?;
                Self::scoped_activity(&self.pool, scope, ActivityId(id)).await
            }

            async fn import_activities(&self, scope: &Scope, activities: Vec<NewActivity>) -> Result<usize> {
                let mut txn = self.begin_as(scope, Action::Write).await?;
                for activity in &activities {
                    Self::insert_activity(&mut txn, scope, activity).await?;
                }
                txn.commit().await?;
                Ok(activities.len())
            }

            async fn activity(&self, scope: &Scope, id: ActivityId) -> Result<Activity> {
                Self::scoped_activity(&self.pool, scope, id).await
            }

            async fn activities(&self, scope: &Scope, filter: &ActivityFilter, page: PageRequest) -> Result<Page<Activity>> {
                let root = self.filter_root(scope, filter.unit).await?;
                let only_unit = filter.unit.filter(|_| !filter.include_subunits).map(|u| u.0);
                let type_code = filter.type_code.as_deref().filter(|t| !t.is_empty());
                let tag = filter.tag.as_deref().filter(|t| !t.is_empty());
                let from = filter.from.unwrap_or_else(earliest);
                let until = filter.until.unwrap_or_else(latest);
                let (total,): (i64,) = sqlx::query_as(&sql(&["SELECT COUNT(*) ", ACTIVITY_FROM, ACTIVITIES_WHERE]))
                    .bind(root.0)
                    .bind(only_unit)
                    .bind(type_code)
                    .bind(tag)
                    .bind(from)
                    .bind(until)
                    .fetch_one(&self.pool)
                    .await?;
                let rows: Vec<ActivityRow> = sqlx::query_as(&sql(&[
                    ACTIVITY_COLUMNS,
                    ACTIVITY_FROM,
                    ACTIVITIES_WHERE,
                    " ORDER BY a.date DESC, a.id DESC LIMIT $7 OFFSET $8",
                ]))
                .bind(root.0)
                .bind(only_unit)
                .bind(type_code)
                .bind(tag)
                .bind(from)
                .bind(until)
                .bind(page.per_page)
                .bind(page.offset())
                .fetch_all(&self.pool)
                .await?;
                Ok(Page {
                    items: rows.into_iter().map(Activity::from).collect(),
                    total,
                    page: page.page,
                    per_page: page.per_page,
                })
            }

            async fn ledger_entries(
                &self,
                scope: &Scope,
                from: chrono::NaiveDate,
                until: chrono::NaiveDate,
            ) -> Result<Vec<LedgerEntry>> {
                let rows: Vec<(i64, i64, String, chrono::NaiveDate, Option<String>)> = sqlx::query_as(
                    "SELECT a.unit_id, a.id, a.type_code, a.date, \
                     (SELECT string_agg(t.tag, ',') FROM activity_tags t WHERE t.activity_id = a.id) AS tags \
                     FROM activities a JOIN unit_closure c ON c.descendant_id = a.unit_id \
                     WHERE c.ancestor_id = $1 AND a.date >= $2 AND a.date <= $3 ORDER BY a.date, a.id",
                )
                .bind(scope.root.0)
                .bind(from)
                .bind(until)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(unit, id, type_code, date, tags)| LedgerEntry {
                        unit_id: UnitId(unit),
                        id,
                        type_code,
                        date,
                        tags: tags.unwrap_or_default().split(',').filter(|t| !t.is_empty()).map(String::from).collect(),
                    })
                    .collect())
            }

            async fn publish_conduct_rules(&self, scope: &Scope, rules: NewConductRules) -> Result<ConductRules> {
                let mut txn = self.begin_as(scope, Action::Write).await?;
                let unit = Self::scoped_unit(&mut *txn.tx, scope, rules.unit_id).await?;
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO conduct_rules (unit_id, title, items, published_on, created_at) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(unit.id.0)
                .bind(&rules.title)
                .bind(serde_json::to_string(&rules.items).expect("items serialise"))
                .bind(rules.published_on)
                .bind(txn.now)
                .fetch_one(&mut *txn.tx)
                .await?;
                txn.audit(AuditDraft::new("conduct_rules", id, "create").unit(unit.id.0).after(&rules)).await?;
                txn.commit().await?;
                self.conduct_rules(scope, id).await
            }

            async fn conduct_rules_list(&self, scope: &Scope) -> Result<Vec<ConductRules>> {
                let ids: Vec<(i64,)> = sqlx::query_as(&sql(&[
                    "SELECT r.id FROM conduct_rules r WHERE ",
                    RULES_VISIBLE,
                    " ORDER BY r.published_on DESC, r.id DESC",
                ]))
                .bind(scope.root.0)
                .fetch_all(&self.pool)
                .await?;
                let mut out = Vec::new();
                for (id,) in ids {
                    out.push(self.conduct_rules(scope, id).await?);
                }
                Ok(out)
            }

            async fn conduct_rules(&self, scope: &Scope, id: i64) -> Result<ConductRules> {
                let row: Option<(i64, i64, String, String, String, chrono::NaiveDate)> = sqlx::query_as(&sql(&[
                    "SELECT r.id, r.unit_id, u.name, r.title, r.items, r.published_on FROM conduct_rules r \
                     JOIN units u ON u.id = r.unit_id WHERE r.id = $2 AND ",
                    RULES_VISIBLE,
                ]))
                .bind(scope.root.0)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
                let (id, unit_id, unit_name, title, items, published_on) = row.ok_or(StoreError::NotFound)?;
                // Only the scope's own people are listed: another township's cadres stay hidden.
                let acks: Vec<(i64, String, chrono::NaiveDate)> = sqlx::query_as(
                    "SELECT a.person_id, p.name, a.acked_on FROM conduct_acks a JOIN people p ON p.id = a.person_id \
                     JOIN unit_closure c ON c.descendant_id = p.unit_id WHERE c.ancestor_id = $1 AND a.rules_id = $2 \
                     ORDER BY a.acked_on, p.id",
                )
                .bind(scope.root.0)
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
                let violations: Vec<(i64, String, chrono::NaiveDate, String, String)> = sqlx::query_as(
                    "SELECT v.id, p.name, v.date, v.description, v.outcome FROM conduct_violations v \
                     JOIN people p ON p.id = v.person_id JOIN unit_closure c ON c.descendant_id = p.unit_id \
                     WHERE c.ancestor_id = $1 AND v.rules_id = $2 ORDER BY v.date DESC, v.id DESC",
                )
                .bind(scope.root.0)
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
                Ok(ConductRules {
                    id,
                    unit_id: UnitId(unit_id),
                    unit_name,
                    title,
                    items: serde_json::from_str(&items).unwrap_or_default(),
                    published_on,
                    acknowledgements: acks
                        .into_iter()
                        .map(|(p, name, on)| Acknowledgement {
                            person_id: PersonId(p),
                            person_name: name,
                            acked_on: on,
                        })
                        .collect(),
                    violations: violations
                        .into_iter()
                        .map(|(id, person_name, date, description, outcome)| Violation {
                            id,
                            person_name,
                            date,
                            description,
                            outcome,
                        })
                        .collect(),
                })
            }

            async fn acknowledge_conduct_rules(
                &self,
                scope: &Scope,
                id: i64,
                person: PersonId,
                on: chrono::NaiveDate,
            ) -> Result<()> {
                let rules = self.conduct_rules(scope, id).await?;
                if rules.acknowledged_by(person) {
                    return Err(StoreError::Invalid(FieldError::new("签收", "您已签收过")));
                }
                let mut txn = self.begin(scope.actor.map(|u| u.0), &scope.actor_name).await?;
                let p = Self::scoped_person(&mut *txn.tx, scope, person).await?;
                if !Self::in_subtree(&mut *txn.tx, rules.unit_id, p.unit_id).await? {
                    return Err(StoreError::Invalid(FieldError::new("签收", "本规定不适用于您所在的单位")));
                }
                sqlx::query("INSERT INTO conduct_acks (rules_id, person_id, acked_on) VALUES ($1, $2, $3)")
                    .bind(id)
                    .bind(person.0)
                    .bind(on)
                    .execute(&mut *txn.tx)
                    .await?;
                txn.audit(
                    AuditDraft::new("conduct_rules", id, "acknowledge")
                        .unit(p.unit_id.0)
                        .after(serde_json::json!({ "person": p.name, "acked_on": on })),
                )
                .await?;
                txn.commit().await
            }

            async fn record_violation(&self, scope: &Scope, id: i64, violation: NewViolation) -> Result<()> {
                let rules = self.conduct_rules(scope, id).await?;
                let mut txn = self.begin_as(scope, Action::Write).await?;
                let p = Self::scoped_person(&mut *txn.tx, scope, violation.person_id).await?;
                if !Self::in_subtree(&mut *txn.tx, rules.unit_id, p.unit_id).await? {
                    return Err(StoreError::Invalid(FieldError::new("人员", "本规定不适用于此人所在的单位")));
                }
                let (vid,): (i64,) = sqlx::query_as(
                    "INSERT INTO conduct_violations (rules_id, person_id, date, description, outcome, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(id)
                .bind(p.id.0)
                .bind(violation.date)
                .bind(&violation.description)
                .bind(&violation.outcome)
                .bind(txn.now)
                .fetch_one(&mut *txn.tx)
                .await?;
                txn.audit(AuditDraft::new("conduct_violation", vid, "create").unit(p.unit_id.0).after(&violation)).await?;
                txn.commit().await
            }

            async fn create_plan_item(&self, scope: &Scope, item: NewPlanItem) -> Result<PlanItem> {
                let mut txn = self.begin_as(scope, Action::Write).await?;
                let owner = Self::scoped_unit(&mut *txn.tx, scope, item.unit_id).await?;
                let responsible = Self::scoped_unit(&mut *txn.tx, scope, item.responsible_unit).await?;
                if !Self::in_subtree(&mut *txn.tx, owner.id, responsible.id).await? {
                    return Err(StoreError::Invalid(FieldError::new(
                        "责任单位",
                        format!("「{}」不是{}或其下级单位", responsible.name, owner.name),
                    )));
                }
                if let Some(lead) = item.lead {
                    Self::scoped_person(&mut *txn.tx, scope, lead).await?;
                }
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO plan_items (unit_id, year, title, lead_person_id, responsible_unit_id, deadline, \
                     expected_output, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                )
                .bind(owner.id.0)
                .bind(item.year)
                .bind(&item.title)
                .bind(item.lead.map(|p| p.0))
                .bind(responsible.id.0)
                .bind(item.deadline)
                .bind(&item.expected_output)
                .bind(txn.now)
                .fetch_one(&mut *txn.tx)
                .await?;
                txn.audit(AuditDraft::new("plan_item", id, "create").unit(owner.id.0).after(&item)).await?;
                txn.commit().await?;
                self.plan_item(scope, id).await
            }

            async fn plan_items(&self, scope: &Scope, year: i32) -> Result<Vec<PlanItem>> {
                let rows: Vec<PlanItemRow> = sqlx::query_as(&sql(&[
                    ITEM_COLUMNS,
                    "WHERE pi.year = $2 AND ",
                    ITEM_VISIBLE,
                    " ORDER BY pi.deadline, pi.id",
                ]))
                .bind(scope.root.0)
                .bind(year)
                .fetch_all(&self.pool)
                .await?;
                let mut items: Vec<PlanItem> = rows.into_iter().map(PlanItem::from).collect();
                for item in &mut items {
                    item.tasks = self.tasks_of(scope, item.id).await?;
                }
                Ok(items)
            }

            async fn plan_item(&self, scope: &Scope, id: i64) -> Result<PlanItem> {
                let row: Option<PlanItemRow> =
                    sqlx::query_as(&sql(&[ITEM_COLUMNS, "WHERE pi.id = $2 AND ", ITEM_VISIBLE]))
                        .bind(scope.root.0)
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?;
                let mut item = row.map(PlanItem::from).ok_or(StoreError::NotFound)?;
                item.tasks = self.tasks_of(scope, id).await?;
                Ok(item)
            }

            async fn add_task(&self, scope: &Scope, task: NewTask) -> Result<Task> {
                let mut txn = self.begin_as(scope, Action::Write).await?;
                let owner: Option<(i64, i64)> =
                    sqlx::query_as("SELECT unit_id, responsible_unit_id FROM plan_items WHERE id = $1")
                        .bind(task.item_id)
                        .fetch_optional(&mut *txn.tx)
                        .await?;
                let Some((owner, responsible)) = owner else {
                    return Err(StoreError::NotFound);
                };
                let owner_side = Self::in_subtree(&mut *txn.tx, scope.root, UnitId(owner)).await?
                    || Self::in_subtree(&mut *txn.tx, scope.root, UnitId(responsible)).await?;
                if !owner_side {
                    return Err(StoreError::NotFound);
                }
                let unit = Self::scoped_unit(&mut *txn.tx, scope, task.unit_id).await?;
                if !Self::in_subtree(&mut *txn.tx, UnitId(responsible), unit.id).await? {
                    return Err(StoreError::Invalid(FieldError::new(
                        "承担单位",
                        format!("「{}」不在该事项的责任单位之下", unit.name),
                    )));
                }
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO tasks (plan_item_id, unit_id, title, deadline, created_at) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(task.item_id)
                .bind(unit.id.0)
                .bind(&task.title)
                .bind(task.deadline)
                .bind(txn.now)
                .fetch_one(&mut *txn.tx)
                .await?;
                txn.audit(AuditDraft::new("task", id, "create").unit(unit.id.0).after(&task)).await?;
                txn.commit().await?;
                self.task(scope, id).await
            }

            async fn task(&self, scope: &Scope, id: i64) -> Result<Task> {
                let row: Option<TaskRow> = sqlx::query_as(&sql(&[TASK_COLUMNS, "WHERE t.id = $2 AND ", TASK_VISIBLE]))
                    .bind(scope.root.0)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                row.map(Task::from).ok_or(StoreError::NotFound)
            }

            async fn update_task(&self, scope: &Scope, id: i64, update: NewUpdate) -> Result<Task> {
                let before = self.task(scope, id).await?;
                if before.done_on.is_some() {
                    return Err(StoreError::Invalid(FieldError::new("任务", "该任务已完成")));
                }
                let mut txn = self.begin_as(scope, Action::Write).await?;
                sqlx::query("INSERT INTO task_updates (task_id, date, note, done, created_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(id)
                    .bind(update.date)
                    .bind(&update.note)
                    .bind(update.done)
                    .bind(txn.now)
                    .execute(&mut *txn.tx)
                    .await?;
                if update.done {
                    sqlx::query("UPDATE tasks SET done_on = $2 WHERE id = $1")
                        .bind(id)
                        .bind(update.date)
                        .execute(&mut *txn.tx)
                        .await?;
                }
                txn.audit(AuditDraft::new("task", id, "update").unit(before.unit_id.0).after(&update)).await?;
                txn.commit().await?;
                self.task(scope, id).await
            }

            async fn open_tasks_due(&self, scope: &Scope, until: chrono::NaiveDate) -> Result<Vec<Task>> {
                let rows: Vec<TaskRow> = sqlx::query_as(&sql(&[
                    TASK_COLUMNS,
                    "JOIN unit_closure c ON c.descendant_id = t.unit_id WHERE c.ancestor_id = $1 \
                     AND t.done_on IS NULL AND t.deadline <= $2 ORDER BY t.deadline, t.id",
                ]))
                .bind(scope.root.0)
                .bind(until)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(Task::from).collect())
            }

            async fn assign_duty(&self, scope: &Scope, duty: NewDuty) -> Result<Duty> {
                let mut txn = self.begin_as(scope, Action::Write).await?;
                let unit = Self::scoped_unit(&mut *txn.tx, scope, duty.unit_id).await?;
                let person = Self::scoped_person(&mut *txn.tx, scope, duty.person_id).await?;
                if person.unit_id != unit.id {
                    return Err(StoreError::Invalid(FieldError::new(
                        "人员",
                        format!("「{}」不是{}的人员", person.name, unit.name),
                    )));
                }
                if duty.role.is_single() {
                    let ended: Vec<(i64, chrono::NaiveDate)> = sqlx::query_as(
                        "SELECT id, start_date FROM duties WHERE unit_id = $1 AND role = $2 AND end_date IS NULL",
                    )
                    .bind(unit.id.0)
                    .bind(duty.role.code())
                    .fetch_all(&mut *txn.tx)
                    .await?;
                    for (id, start) in ended {
                        if start >= duty.start {
                            return Err(StoreError::Invalid(FieldError::new(
                                "任职日期",
                                format!("现任{}自 {start} 起任职，新任职日期应晚于该日", duty.role.label()),
                            )));
                        }
                        let last_day = duty.start.pred_opt().expect("a date after another has a day before it");
                        sqlx::query("UPDATE duties SET end_date = $2 WHERE id = $1")
                            .bind(id)
                            .bind(last_day)
                            .execute(&mut *txn.tx)
                            .await?;
                        txn.audit(
                            AuditDraft::new("duty", id, "update")
                                .unit(unit.id.0)
                                .after(serde_json::json!({ "end_date": last_day, "reason": "新任人员接任" })),
                        )
                        .await?;
                    }
                }
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO duties (unit_id, person_id, role, portfolio, duties, start_date, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(unit.id.0)
                .bind(person.id.0)
                .bind(duty.role.code())
                .bind(&duty.portfolio)
                .bind(&duty.duties)
                .bind(duty.start)
                .bind(txn.now)
                .fetch_one(&mut *txn.tx)
                .await?;
                txn.audit(AuditDraft::new("duty", id, "create").unit(unit.id.0).after(&duty)).await?;
                let row: DutyRow = sqlx::query_as(&sql(&[DUTY_COLUMNS, " AND d.id = $2"]))
                    .bind(scope.root.0)
                    .bind(id)
                    .fetch_one(&mut *txn.tx)
                    .await?;
                txn.commit().await?;
                Ok(Duty::from(row))
            }

            async fn end_duty(&self, scope: &Scope, id: i64, last_day: chrono::NaiveDate) -> Result<Duty> {
                let mut txn = self.begin_as(scope, Action::Write).await?;
                let row: Option<DutyRow> = sqlx::query_as(&sql(&[DUTY_COLUMNS, " AND d.id = $2"]))
                    .bind(scope.root.0)
                    .bind(id)
                    .fetch_optional(&mut *txn.tx)
                    .await?;
                let before = row.map(Duty::from).ok_or(StoreError::NotFound)?;
                if before.end.is_some() {
                    return Err(StoreError::Invalid(FieldError::new("离任日期", "该职责已经卸任")));
                }
                if last_day < before.start {
                    return Err(StoreError::Invalid(FieldError::new("离任日期", "不能早于任职日期")));
                }
                sqlx::query("UPDATE duties SET end_date = $2 WHERE id = $1")
                    .bind(id)
                    .bind(last_day)
                    .execute(&mut *txn.tx)
                    .await?;
                txn.audit(
                    AuditDraft::new("duty", id, "update")
                        .unit(before.unit_id.0)
                        .after(serde_json::json!({ "end_date": last_day })),
                )
                .await?;
                txn.commit().await?;
                Ok(Duty {
                    end: Some(last_day),
                    ..before
                })
            }

            async fn duties(
                &self,
                scope: &Scope,
                unit: UnitId,
                on: Option<chrono::NaiveDate>,
            ) -> Result<Vec<Duty>> {
                Self::scoped_unit(&self.pool, scope, unit).await?;
                let rows: Vec<DutyRow> = match on {
                    Some(day) => sqlx::query_as(&sql(&[
                        DUTY_COLUMNS,
                        " AND d.unit_id = $2 AND d.start_date <= $3 AND (d.end_date IS NULL OR d.end_date >= $3) \
                         ORDER BY d.id",
                    ]))
                    .bind(scope.root.0)
                    .bind(unit.0)
                    .bind(day)
                    .fetch_all(&self.pool)
                    .await?,
                    None => sqlx::query_as(&sql(&[
                        DUTY_COLUMNS,
                        " AND d.unit_id = $2 ORDER BY d.start_date DESC, d.id DESC",
                    ]))
                    .bind(scope.root.0)
                    .bind(unit.0)
                    .fetch_all(&self.pool)
                    .await?,
                };
                let mut duties: Vec<Duty> = rows.into_iter().map(Duty::from).collect();
                if on.is_some() {
                    duties.sort_by_key(|d| d.role);
                }
                Ok(duties)
            }

            async fn create_letter(&self, scope: &Scope, letter: NewLetter) -> Result<Letter> {
                let mut txn = self.begin_as(scope, Action::Write).await?;
                let issuer = Self::scoped_unit(&mut *txn.tx, scope, letter.issuer).await?;
                for unit in &letter.recipients {
                    let recipient = Self::scoped_unit(&mut *txn.tx, scope, *unit).await?;
                    if recipient.id == issuer.id || !Self::in_subtree(&mut *txn.tx, issuer.id, recipient.id).await? {
                        return Err(StoreError::Invalid(FieldError::new(
                            "签订单位",
                            format!("「{}」不是{}的下级单位", recipient.name, issuer.name),
                        )));
                    }
                }
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO letters (issuer_unit_id, year, title, duties, created_at) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(issuer.id.0)
                .bind(letter.year)
                .bind(&letter.title)
                .bind(serde_json::to_string(&letter.duties).expect("duties serialise"))
                .bind(txn.now)
                .fetch_one(&mut *txn.tx)
                .await?;
                for unit in &letter.recipients {
                    sqlx::query("INSERT INTO letter_copies (letter_id, unit_id, status) VALUES ($1, $2, $3)")
                        .bind(id)
                        .bind(unit.0)
                        .bind(CopyStatus::NotIssued.code())
                        .execute(&mut *txn.tx)
                        .await?;
                }
                txn.audit(AuditDraft::new("letter", id, "create").unit(issuer.id.0).after(&letter)).await?;
                txn.commit().await?;
                self.letter(scope, LetterId(id)).await
            }

            async fn letters(&self, scope: &Scope, year: Option<i32>) -> Result<Vec<Letter>> {
                let rows: Vec<LetterRow> = sqlx::query_as(&sql(&[
                    LETTER_COLUMNS,
                    "WHERE ",
                    LETTER_VISIBLE,
                    " AND ($2 IS NULL OR l.year = $2) ORDER BY l.year DESC, l.id DESC",
                ]))
                .bind(scope.root.0)
                .bind(year)
                .fetch_all(&self.pool)
                .await?;
                let mut letters: Vec<Letter> = rows.into_iter().map(Letter::from).collect();
                for letter in &mut letters {
                    letter.copies = self.copies_of(scope, letter.id).await?;
                }
                Ok(letters)
            }

            async fn letter(&self, scope: &Scope, id: LetterId) -> Result<Letter> {
                let row: Option<LetterRow> =
                    sqlx::query_as(&sql(&[LETTER_COLUMNS, "WHERE l.id = $2 AND ", LETTER_VISIBLE]))
                        .bind(scope.root.0)
                        .bind(id.0)
                        .fetch_optional(&self.pool)
                        .await?;
                let mut letter = row.map(Letter::from).ok_or(StoreError::NotFound)?;
                letter.copies = self.copies_of(scope, id).await?;
                Ok(letter)
            }

            async fn update_copy(&self, scope: &Scope, copy_id: i64, change: CopyChange) -> Result<LetterCopy> {
                let mut txn = self.begin_as(scope, Action::Write).await?;
                let row: Option<CopyRow> =
                    sqlx::query_as(&sql(&[COPY_COLUMNS, "WHERE lc.id = $2 AND ", COPY_VISIBLE]))
                        .bind(scope.root.0)
                        .bind(copy_id)
                        .fetch_optional(&mut *txn.tx)
                        .await?;
                let before = row.map(LetterCopy::from).ok_or(StoreError::NotFound)?;
                let (issuer,): (i64,) = sqlx::query_as("SELECT issuer_unit_id FROM letters WHERE id = $1")
                    .bind(before.letter_id.0)
                    .fetch_one(&mut *txn.tx)
                    .await?;
                let issuer_side = Self::in_subtree(&mut *txn.tx, scope.root, UnitId(issuer)).await?;
                let (status, issued_on, signed_on, signer) = match &change {
                    CopyChange::Issue { on } => {
                        if !issuer_side {
                            return Err(StoreError::Invalid(FieldError::new("状态", "只有发文单位可以下发责任书")));
                        }
                        (before.status.issue()?, Some(*on), None, String::new())
                    }
                    CopyChange::Sign { on, signer } => {
                        let signer = shoutu_domain::field::text("签订人", signer, true, 40)?;
                        (before.status.sign()?, before.issued_on.or(Some(*on)), Some(*on), signer)
                    }
                };
                sqlx::query(
                    "UPDATE letter_copies SET status = $2, issued_on = $3, signed_on = $4, signer = $5 WHERE id = $1",
                )
                .bind(copy_id)
                .bind(status.code())
                .bind(issued_on)
                .bind(signed_on)
                .bind(&signer)
                .execute(&mut *txn.tx)
                .await?;
                let action = if matches!(change, CopyChange::Issue { .. }) { "issue" } else { "sign" };
                txn.audit(
                    AuditDraft::new("letter_copy", copy_id, action)
                        .unit(before.unit_id.0)
                        .before(serde_json::json!({ "status": before.status.code() }))
                        .after(serde_json::json!({
                            "status": status.code(), "issued_on": issued_on, "signed_on": signed_on, "signer": signer
                        })),
                )
                .await?;
                txn.commit().await?;
                let row: CopyRow = sqlx::query_as(&sql(&[COPY_COLUMNS, "WHERE lc.id = $1"]))
                    .bind(copy_id)
                    .fetch_one(&self.pool)
                    .await?;
                Ok(LetterCopy::from(row))
            }

            async fn letter_copies(&self, scope: &Scope, year: i32) -> Result<Vec<LetterCopy>> {
                let rows: Vec<CopyRow> = sqlx::query_as(&sql(&[
                    COPY_COLUMNS,
                    "JOIN letters l ON l.id = lc.letter_id JOIN unit_closure c ON c.descendant_id = lc.unit_id \
                     WHERE c.ancestor_id = $1 AND lc.unit_id <> $1 AND l.year = $2 ORDER BY u.sort_order, u.id",
                ]))
                .bind(scope.root.0)
                .bind(year)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(LetterCopy::from).collect())
            }

            async fn add_attachment(&self, scope: &Scope, unit: UnitId, attachment: NewAttachment) -> Result<Attachment> {
                let mut txn = self.begin_as(scope, Action::Write).await?;
                Self::scoped_unit(&mut *txn.tx, scope, unit).await?;
                let owner_sql = match attachment.record_type {
                    "activity" => Some("SELECT unit_id FROM activities WHERE id = $1"),
                    "letter_copy" => Some("SELECT unit_id FROM letter_copies WHERE id = $1"),
                    "task" => Some("SELECT unit_id FROM tasks WHERE id = $1"),
                    // Evidence of a 舆情 handling step belongs to the incident's unit.
                    "opinion_step" => Some(
                        "SELECT i.unit_id FROM opinion_steps s JOIN opinion_incidents i ON i.id = s.incident_id \
                         WHERE s.id = $1",
                    ),
                    _ => None,
                };
                let owner: Option<(i64,)> = match owner_sql {
                    Some(q) => sqlx::query_as(q).bind(attachment.record_id).fetch_optional(&mut *txn.tx).await?,
                    None => None,
                };
                if owner != Some((unit.0,)) {
                    return Err(StoreError::NotFound);
                }
                let id = Self::insert_attachment(&mut txn, unit, &attachment).await?;
                txn.commit().await?;
                self.attachment(scope, AttachmentId(id)).await
            }

            async fn attachment(&self, scope: &Scope, id: AttachmentId) -> Result<Attachment> {
                let row: Option<AttachmentRow> = sqlx::query_as(&sql(&[ATTACHMENT_FROM, ATTACHMENT_SHOWN, " AND f.id = $2"]))
                    .bind(scope.root.0)
                    .bind(id.0)
                    .fetch_optional(&self.pool)
                    .await?;
                row.map(Attachment::from).ok_or(StoreError::NotFound)
            }

            async fn attachments_of(&self, scope: &Scope, record_type: &str, record_id: i64) -> Result<Vec<Attachment>> {
                let rows: Vec<AttachmentRow> =
                    sqlx::query_as(&sql(&[
                        ATTACHMENT_FROM,
                        ATTACHMENT_SHOWN,
                        " AND f.record_type = $2 AND f.record_id = $3 ORDER BY f.id",
                    ]))
                        .bind(scope.root.0)
                        .bind(record_type)
                        .bind(record_id)
                        .fetch_all(&self.pool)
                        .await?;
                Ok(rows.into_iter().map(Attachment::from).collect())
            }

            async fn scope_stats(&self, scope: &Scope) -> Result<ScopeStats> {
                let units_by_kind: Vec<(String, i64)> = sqlx::query_as(
                    "SELECT u.kind, COUNT(*) FROM unit_closure c JOIN units u ON u.id = c.descendant_id \
                     WHERE c.ancestor_id = $1 GROUP BY u.kind ORDER BY u.kind",
                )
                .bind(scope.root.0)
                .fetch_all(&self.pool)
                .await?;
                let (people,): (i64,) = sqlx::query_as(&sql(&["SELECT COUNT(*) ", PERSON_FROM]))
                    .bind(scope.root.0)
                    .fetch_one(&self.pool)
                    .await?;
                let (users,): (i64,) =
                    sqlx::query_as(&sql(&["SELECT COUNT(*) FROM users us JOIN people p ON p.id = us.person_id ", USER_SCOPE]))
                        .bind(scope.root.0)
                        .fetch_one(&self.pool)
                        .await?;
                let since = format_time(self.clock.now() - chrono::Duration::days(30));
                let (audit_entries_30d,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM audit_log a JOIN unit_closure c ON c.descendant_id = a.unit_id \
                     WHERE c.ancestor_id = $1 AND a.at >= $2",
                )
                .bind(scope.root.0)
                .bind(since)
                .fetch_one(&self.pool)
                .await?;
                Ok(ScopeStats {
                    units_by_kind,
                    people,
                    users,
                    audit_entries_30d,
                })
            }
        }
    };
}

pub(crate) use impl_store;
