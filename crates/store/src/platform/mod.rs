//! 阵地管理: platforms and their inspections, the 三审三校 publication review, teams and
//! media coverage. Scoped, role-checked and audited like every register.
//!
//! Proofreading findings are computed by the caller (the `text` crate sits beside the store,
//! not below it) and handed in with every new text; the store keeps them with the draft so
//! that the lint gate before 终审 is enforced here, whatever the caller.

pub(crate) mod rows;

use crate::Result;
use async_trait::async_trait;
use chrono::NaiveDate;
use shoutu_domain::attachment::NewAttachment;
use shoutu_domain::coverage::{Coverage, NewCoverage};
use shoutu_domain::platform::{Inspection, NewInspection, NewPlatform, Platform, PlatformKind};
use shoutu_domain::review::{
    Actor, Assignment, Draft, DraftState, DraftSummary, LintFinding, NewDraft, Publication, Stage, Step,
};
use shoutu_domain::team::{Contribution, Member, NewContribution, NewMember, NewTraining, Training};
use shoutu_domain::{Scope, UnitId, UserId};

#[derive(Debug, Clone, Default)]
pub struct PlatformFilter {
    /// Narrow to this unit's subtree (must lie in the scope); the scope's root when `None`.
    pub unit: Option<UnitId>,
    pub kind: Option<PlatformKind>,
    /// Part of the name or account.
    pub name: Option<String>,
}

#[async_trait]
pub trait PlatformStore: Send + Sync {
    // ---- platforms ----
    async fn create_platform(&self, scope: &Scope, platform: NewPlatform) -> Result<Platform>;
    async fn update_platform(&self, scope: &Scope, id: i64, platform: NewPlatform) -> Result<Platform>;
    /// Stores all the platforms or, on the first one refused, none of them.
    async fn import_platforms(&self, scope: &Scope, platforms: Vec<NewPlatform>) -> Result<usize>;
    /// Every platform of the filter's subtree, by unit and type.
    async fn platforms(&self, scope: &Scope, filter: &PlatformFilter) -> Result<Vec<Platform>>;
    async fn platform(&self, scope: &Scope, id: i64) -> Result<Platform>;
    async fn add_inspection(&self, scope: &Scope, inspection: NewInspection) -> Result<Inspection>;
    /// Records a batch of inspections (a spreadsheet of them, or the demo) or, on the first
    /// one refused, none of them.
    async fn add_inspections(&self, scope: &Scope, inspections: Vec<NewInspection>) -> Result<usize>;
    /// A platform's inspections, newest first.
    async fn platform_inspections(&self, scope: &Scope, platform: i64) -> Result<Vec<Inspection>>;

    // ---- reviewers ----
    /// Assigns a user to a stage for a unit's drafts (and those of the units below it). The
    /// user must work at the unit or above it and hold a role that may act at the stage.
    async fn assign_reviewer(&self, scope: &Scope, unit: UnitId, stage: Stage, user: UserId) -> Result<Assignment>;
    async fn remove_assignment(&self, scope: &Scope, id: i64) -> Result<()>;
    /// Assignments that apply to drafts of `unit`: its own and those of the units above it.
    async fn assignments(&self, scope: &Scope, unit: UnitId) -> Result<Vec<Assignment>>;
    /// What the signed-in user may do with a draft of `unit`.
    async fn review_actor(&self, scope: &Scope, unit: UnitId) -> Result<Actor>;

    // ---- drafts (三审三校) ----
    async fn create_draft(
        &self,
        scope: &Scope,
        draft: NewDraft,
        findings: Vec<LintFinding>,
        attachments: Vec<NewAttachment>,
    ) -> Result<Draft>;
    async fn draft(&self, scope: &Scope, id: i64) -> Result<Draft>;
    /// Drafts of the scope, optionally in one state, oldest in their state first.
    async fn drafts(&self, scope: &Scope, state: Option<DraftState>) -> Result<Vec<DraftSummary>>;
    /// Submit, approve, return or publish, by the rules of `shoutu_domain::review`.
    async fn review_step(&self, scope: &Scope, id: i64, step: Step) -> Result<Draft>;
    /// A proofreading round: the new text (maybe unchanged) with its findings.
    async fn proofread(
        &self,
        scope: &Scope,
        id: i64,
        text: &str,
        note: &str,
        findings: Vec<LintFinding>,
    ) -> Result<Draft>;
    /// Overrides every current error finding of `rule` on `text`, with a written reason.
    async fn override_finding(&self, scope: &Scope, id: i64, rule: &str, text: &str, reason: &str) -> Result<Draft>;
    /// The publication log of the scope, newest first, within the dates.
    async fn publications(&self, scope: &Scope, from: NaiveDate, until: NaiveDate) -> Result<Vec<Publication>>;
    async fn publication_of(&self, scope: &Scope, draft: i64) -> Result<Option<Publication>>;

    // ---- teams ----
    async fn add_member(&self, scope: &Scope, member: NewMember) -> Result<Member>;
    async fn end_membership(&self, scope: &Scope, id: i64, on: NaiveDate) -> Result<Member>;
    /// Members of the scope's teams (current and former), by unit and team.
    async fn members(&self, scope: &Scope) -> Result<Vec<Member>>;
    async fn add_training(&self, scope: &Scope, training: NewTraining) -> Result<Training>;
    async fn trainings(&self, scope: &Scope, from: NaiveDate, until: NaiveDate) -> Result<Vec<Training>>;
    async fn add_contribution(&self, scope: &Scope, contribution: NewContribution) -> Result<Contribution>;
    async fn contributions(&self, scope: &Scope, from: NaiveDate, until: NaiveDate) -> Result<Vec<Contribution>>;

    // ---- media coverage ----
    async fn add_coverage(&self, scope: &Scope, coverage: NewCoverage) -> Result<Coverage>;
    async fn coverage(&self, scope: &Scope, from: NaiveDate, until: NaiveDate) -> Result<Vec<Coverage>>;
}

pub(crate) const PLATFORM_COLUMNS: &str = "SELECT p.id, p.unit_id, u.name AS unit_name, p.kind, p.name, p.account, \
     p.answerable_person_id, ap.name AS answerable_name, p.admins, p.members, p.filing, p.registered_on, p.notes, \
     CAST((SELECT MAX(i.date) FROM platform_inspections i WHERE i.platform_id = p.id) AS TEXT) AS last_inspected, \
     (SELECT COUNT(*) FROM platform_inspections i2 WHERE i2.platform_id = p.id) AS inspections \
     FROM platforms p JOIN units u ON u.id = p.unit_id LEFT JOIN people ap ON ap.id = p.answerable_person_id \
     JOIN unit_closure c ON c.descendant_id = p.unit_id WHERE c.ancestor_id = $1";

pub(crate) const INSPECTION_COLUMNS: &str = "SELECT i.id, i.platform_id, i.date, i.inspector, i.membership_cleaned, \
     i.posts_handled, i.content_archived, i.findings FROM platform_inspections i WHERE i.platform_id = $1";

pub(crate) const DRAFT_COLUMNS: &str = "SELECT d.id, d.unit_id, u.name AS unit_name, d.title, d.body, d.state, \
     d.author_user_id, ap.name AS author_name, d.findings, d.state_since, d.created_at, \
     (SELECT COUNT(*) FROM attachments f WHERE f.record_type = 'draft' AND f.record_id = d.id) AS attachments \
     FROM drafts d JOIN units u ON u.id = d.unit_id JOIN users us ON us.id = d.author_user_id \
     JOIN people ap ON ap.id = us.person_id \
     JOIN unit_closure c ON c.descendant_id = d.unit_id WHERE c.ancestor_id = $1";

pub(crate) const PUBLICATION_COLUMNS: &str = "SELECT pb.id, pb.draft_id, pb.unit_id, u.name AS unit_name, pb.title, \
     pb.text, pb.sha256, pb.platforms, pb.published_at, pb.published_by FROM publications pb \
     JOIN units u ON u.id = pb.unit_id JOIN unit_closure c ON c.descendant_id = pb.unit_id WHERE c.ancestor_id = $1";

pub(crate) const ASSIGNMENT_COLUMNS: &str = "SELECT a.id, a.unit_id, u.name, a.stage, a.user_id, p.name \
     FROM review_assignments a JOIN units u ON u.id = a.unit_id JOIN users us ON us.id = a.user_id \
     JOIN people p ON p.id = us.person_id ";

pub(crate) const MEMBER_COLUMNS: &str = "SELECT m.id, m.unit_id, u.name AS unit_name, m.kind, m.person_id, \
     p.name AS person_name, m.joined_on, m.left_on, \
     (SELECT COUNT(*) FROM team_contributions tc WHERE tc.member_id = m.id) AS contributions \
     FROM team_members m JOIN units u ON u.id = m.unit_id JOIN people p ON p.id = m.person_id \
     JOIN unit_closure c ON c.descendant_id = m.unit_id WHERE c.ancestor_id = $1";

pub(crate) const TRAINING_COLUMNS: &str = "SELECT t.id, t.unit_id, u.name AS unit_name, t.kind, t.date, t.title, \
     t.hours, t.attendees FROM team_trainings t JOIN units u ON u.id = t.unit_id \
     JOIN unit_closure c ON c.descendant_id = t.unit_id WHERE c.ancestor_id = $1";

pub(crate) const CONTRIBUTION_COLUMNS: &str = "SELECT tc.id, tc.member_id, p.name AS person_name, tc.date, tc.kind, \
     tc.title, tc.link FROM team_contributions tc JOIN team_members m ON m.id = tc.member_id \
     JOIN people p ON p.id = m.person_id JOIN unit_closure c ON c.descendant_id = m.unit_id WHERE c.ancestor_id = $1";

pub(crate) const COVERAGE_COLUMNS: &str = "SELECT mc.id, mc.unit_id, u.name AS unit_name, mc.outlet, mc.level, \
     mc.date, mc.title, mc.link FROM media_coverage mc JOIN units u ON u.id = mc.unit_id \
     JOIN unit_closure c ON c.descendant_id = mc.unit_id WHERE c.ancestor_id = $1";

// ---- fact rows: (unit, record id, value) over a subtree ----

pub(crate) const PLATFORM_STATE_ROWS: &str = "SELECT p.unit_id, p.id, p.kind, p.registered_on, \
     CAST((SELECT MAX(i.date) FROM platform_inspections i WHERE i.platform_id = p.id AND i.date <= $2) AS TEXT) \
     FROM platforms p JOIN unit_closure c ON c.descendant_id = p.unit_id \
     WHERE c.ancestor_id = $1 AND p.registered_on <= $2";

pub(crate) const PUBLISHED_ROWS: &str = "SELECT pb.unit_id, pb.draft_id, d.first_submitted_at, pb.published_at \
     FROM publications pb JOIN drafts d ON d.id = pb.draft_id JOIN unit_closure c ON c.descendant_id = pb.unit_id \
     WHERE c.ancestor_id = $1 AND pb.published_on >= $2 AND pb.published_on <= $3";

pub(crate) const COVERAGE_ROWS: &str = "SELECT mc.unit_id, mc.id, CAST(1 AS BIGINT) FROM media_coverage mc \
     JOIN unit_closure c ON c.descendant_id = mc.unit_id \
     WHERE c.ancestor_id = $1 AND mc.date >= $2 AND mc.date <= $3 AND ($4 = '' OR mc.level = $4)";

pub(crate) const MEMBER_ROWS: &str = "SELECT m.unit_id, m.id, CAST(1 AS BIGINT) FROM team_members m \
     JOIN unit_closure c ON c.descendant_id = m.unit_id \
     WHERE c.ancestor_id = $1 AND m.joined_on <= $3 AND (m.left_on IS NULL OR m.left_on > $3) AND $2 <= $3";

pub(crate) const TRAINING_ROWS: &str = "SELECT t.unit_id, t.id, CAST(1 AS BIGINT) FROM team_trainings t \
     JOIN unit_closure c ON c.descendant_id = t.unit_id \
     WHERE c.ancestor_id = $1 AND t.date >= $2 AND t.date <= $3";

macro_rules! impl_platform {
    ($store:ty, $db:ty) => {
        mod platform_impl {
            use super::*;
            use crate::platform::rows::*;
            use crate::platform::*;
            use chrono::NaiveDate;
            use shoutu_domain::coverage::{Coverage, MediaLevel, NewCoverage};
            use shoutu_domain::fact::{DateRange, FactRow, RecordRef};
            use shoutu_domain::platform::{Inspection, NewInspection, NewPlatform, Platform, PlatformRules};
            use shoutu_domain::review::{
                self, Actor, Assignment, Draft, DraftState, DraftSummary, LintFinding, NewDraft, Publication, Stage,
                Step,
            };
            use shoutu_domain::team::{Contribution, Member, NewContribution, NewMember, NewTraining, Training};

            fn refused(r: review::Refusal) -> StoreError {
                StoreError::Invalid(r.into())
            }

            fn changed_meanwhile() -> StoreError {
                StoreError::Conflict(FieldError::new("稿件", "稿件已被他人处理，请刷新页面后重试"))
            }

            impl $store {
                async fn platform_insert(txn: &mut Txn, scope: &Scope, p: &NewPlatform) -> Result<i64> {
                    let unit = Self::scoped_unit(&mut *txn.tx, scope, p.unit_id).await?;
                    if let Some(person) = p.answerable {
                        Self::check_member(txn, scope, &unit, person, "负责人").await?;
                    }
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO platforms (unit_id, kind, name, account, answerable_person_id, admins, members, \
                         filing, registered_on, notes, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                    )
                    .bind(unit.id.0)
                    .bind(p.kind.code())
                    .bind(&p.name)
                    .bind(&p.account)
                    .bind(p.answerable.map(|x| x.0))
                    .bind(&p.admins)
                    .bind(p.members)
                    .bind(p.filing.code())
                    .bind(p.registered_on)
                    .bind(&p.notes)
                    .bind(txn.now)
                    .fetch_one(&mut *txn.tx)
                    .await?;
                    Ok(id)
                }

                /// Checks and writes one inspection inside a write.
                async fn platform_insert_inspection(txn: &mut Txn, scope: &Scope, inspection: &NewInspection) -> Result<i64> {
                    let row: Option<(i64, NaiveDate)> = sqlx::query_as(
                        "SELECT p.unit_id, p.registered_on FROM platforms p JOIN unit_closure c \
                         ON c.descendant_id = p.unit_id WHERE c.ancestor_id = $1 AND p.id = $2",
                    )
                    .bind(scope.root.0)
                    .bind(inspection.platform_id)
                    .fetch_optional(&mut *txn.tx)
                    .await?;
                    let Some((unit, registered_on)) = row else {
                        return Err(StoreError::NotFound);
                    };
                    if inspection.date < registered_on {
                        return Err(StoreError::Invalid(FieldError::new(
                            "巡查日期",
                            format!("不能早于阵地建立日期 {registered_on}"),
                        )));
                    }
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO platform_inspections (platform_id, date, inspector, membership_cleaned, \
                         posts_handled, content_archived, findings, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                    )
                    .bind(inspection.platform_id)
                    .bind(inspection.date)
                    .bind(&inspection.inspector)
                    .bind(inspection.membership_cleaned)
                    .bind(inspection.posts_handled)
                    .bind(inspection.content_archived)
                    .bind(&inspection.findings)
                    .bind(txn.now)
                    .fetch_one(&mut *txn.tx)
                    .await?;
                    txn.audit(AuditDraft::new("platform_inspection", id, "inspect").unit(unit).after(inspection))
                        .await?;
                    Ok(id)
                }

                async fn platform_draft_extras(&self, mut draft: Draft) -> Result<Draft> {
                    let id = draft.id;
                    draft.platforms = sqlx::query_as(
                        "SELECT p.id, p.name FROM draft_platforms dp JOIN platforms p ON p.id = dp.platform_id \
                         WHERE dp.draft_id = $1 ORDER BY p.id",
                    )
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await?;
                    let actions: Vec<ActionRow> = sqlx::query_as(
                        "SELECT id, step, stage, user_id, user_name, comment, text_sha256, at FROM review_actions \
                         WHERE draft_id = $1 ORDER BY id",
                    )
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await?;
                    draft.actions = actions.into_iter().map(Into::into).collect();
                    let rounds: Vec<RoundRow> = sqlx::query_as(
                        "SELECT id, number, user_name, text_before, text_after, note, at FROM proofreading_rounds \
                         WHERE draft_id = $1 ORDER BY number",
                    )
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await?;
                    draft.rounds = rounds.into_iter().map(Into::into).collect();
                    let overrides: Vec<OverrideRow> = sqlx::query_as(
                        "SELECT id, rule, text, reason, by_name, at FROM lint_overrides WHERE draft_id = $1 ORDER BY id",
                    )
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await?;
                    draft.overrides = overrides.into_iter().map(Into::into).collect();
                    Ok(draft)
                }

                async fn platform_check_platforms(txn: &mut Txn, scope: &Scope, ids: &[i64]) -> Result<Vec<String>> {
                    let mut names = Vec::new();
                    for id in ids {
                        let row: Option<(String,)> = sqlx::query_as(&sql(&[
                            "SELECT p.name FROM platforms p JOIN unit_closure c ON c.descendant_id = p.unit_id \
                             WHERE c.ancestor_id = $1 AND p.id = $2",
                        ]))
                        .bind(scope.root.0)
                        .bind(id)
                        .fetch_optional(&mut *txn.tx)
                        .await?;
                        match row {
                            Some((name,)) => names.push(name),
                            None => {
                                return Err(StoreError::Invalid(FieldError::new(
                                    "发布平台",
                                    "所选平台不存在或不在本单位管辖范围内",
                                )));
                            }
                        }
                    }
                    Ok(names)
                }

                /// The day a state-like fact is read on: the period's end, or today if sooner.
                fn platform_as_of(&self, range: DateRange) -> NaiveDate {
                    range.until.min(self.clock.now().date_naive())
                }

                pub(crate) async fn platform_fact_rows(
                    &self,
                    root: UnitId,
                    key: &str,
                    range: DateRange,
                ) -> Result<Option<Vec<FactRow>>> {
                    let (family, param) = shoutu_domain::fact::split_key(key);
                    let (from, until) = (range.from, range.until);
                    let rows = match (family, param) {
                        ("platform.count" | "platform.inspected_rate" | "platform.overdue_inspection", None) => {
                            let as_of = self.platform_as_of(range);
                            let rows: Vec<(i64, i64, String, NaiveDate, Option<String>)> =
                                sqlx::query_as(PLATFORM_STATE_ROWS)
                                    .bind(root.0)
                                    .bind(as_of)
                                    .fetch_all(&self.pool)
                                    .await?;
                            let rules = PlatformRules::defaults();
                            let mut out = Vec::new();
                            for (unit, id, kind, registered, last) in rows {
                                let Ok(kind) = kind.parse() else { continue };
                                let overdue = rules.inspection_due(kind, registered, text_date(last), as_of);
                                let value = match family {
                                    "platform.count" => 1.0,
                                    "platform.inspected_rate" => f64::from(u8::from(!overdue)),
                                    _ if overdue => 1.0,
                                    _ => continue,
                                };
                                out.push(FactRow {
                                    unit_id: UnitId(unit),
                                    record: RecordRef::new("platform", id),
                                    value,
                                });
                            }
                            out
                        }
                        ("review.published" | "review.avg_days", None) => {
                            let rows: Vec<(i64, i64, Option<chrono::DateTime<chrono::Utc>>, chrono::DateTime<chrono::Utc>)> =
                                sqlx::query_as(PUBLISHED_ROWS)
                                    .bind(root.0)
                                    .bind(from)
                                    .bind(until)
                                    .fetch_all(&self.pool)
                                    .await?;
                            rows.into_iter()
                                .filter_map(|(unit, id, submitted, published)| {
                                    let value = if family == "review.published" {
                                        1.0
                                    } else {
                                        (published - submitted?).num_minutes() as f64 / 1440.0
                                    };
                                    Some(FactRow {
                                        unit_id: UnitId(unit),
                                        record: RecordRef::new("draft", id),
                                        value,
                                    })
                                })
                                .collect()
                        }
                        ("media.coverage", Some(level)) => {
                            let level = MediaLevel::parse(level)?;
                            self.fact_dated_rows(COVERAGE_ROWS, "coverage", root, from, until, Some(level.code()))
                                .await?
                        }
                        ("media.coverage_all", None) => {
                            self.fact_dated_rows(COVERAGE_ROWS, "coverage", root, from, until, Some(""))
                                .await?
                        }
                        ("team.members", None) => {
                            let as_of = self.platform_as_of(range);
                            self.fact_dated_rows(MEMBER_ROWS, "team_member", root, from, as_of, None)
                                .await?
                        }
                        ("team.trainings", None) => {
                            self.fact_dated_rows(TRAINING_ROWS, "team_training", root, from, until, None)
                                .await?
                        }
                        _ => return Ok(None),
                    };
                    Ok(Some(rows))
                }
            }

            #[async_trait]
            impl crate::PlatformStore for $store {
                async fn create_platform(&self, scope: &Scope, platform: NewPlatform) -> Result<Platform> {
                    let mut txn = self.begin_as(scope, Action::Write).await?;
                    let id = Self::platform_insert(&mut txn, scope, &platform).await?;
                    txn.audit(AuditDraft::new("platform", id, "create").unit(platform.unit_id.0).after(&platform))
                        .await?;
                    txn.commit().await?;
                    self.platform(scope, id).await
                }

                async fn update_platform(&self, scope: &Scope, id: i64, platform: NewPlatform) -> Result<Platform> {
                    let before = self.platform(scope, id).await?;
                    let mut txn = self.begin_as(scope, Action::Write).await?;
                    let unit = Self::scoped_unit(&mut *txn.tx, scope, platform.unit_id).await?;
                    if let Some(person) = platform.answerable {
                        Self::check_member(&mut txn, scope, &unit, person, "负责人").await?;
                    }
                    sqlx::query(
                        "UPDATE platforms SET unit_id = $2, kind = $3, name = $4, account = $5, \
                         answerable_person_id = $6, admins = $7, members = $8, filing = $9, registered_on = $10, \
                         notes = $11 WHERE id = $1",
                    )
                    .bind(id)
                    .bind(unit.id.0)
                    .bind(platform.kind.code())
                    .bind(&platform.name)
                    .bind(&platform.account)
                    .bind(platform.answerable.map(|x| x.0))
                    .bind(&platform.admins)
                    .bind(platform.members)
                    .bind(platform.filing.code())
                    .bind(platform.registered_on)
                    .bind(&platform.notes)
                    .execute(&mut *txn.tx)
                    .await?;
                    txn.audit(
                        AuditDraft::new("platform", id, "update")
                            .unit(unit.id.0)
                            .before(&before)
                            .after(&platform),
                    )
                    .await?;
                    txn.commit().await?;
                    self.platform(scope, id).await
                }

                async fn import_platforms(&self, scope: &Scope, platforms: Vec<NewPlatform>) -> Result<usize> {
                    let mut txn = self.begin_as(scope, Action::Write).await?;
                    for p in &platforms {
                        let id = Self::platform_insert(&mut txn, scope, p).await?;
                        txn.audit(AuditDraft::new("platform", id, "import").unit(p.unit_id.0).after(p)).await?;
                    }
                    if platforms.is_empty() {
                        return Err(StoreError::Invalid(FieldError::new("文件", "没有可导入的阵地")));
                    }
                    txn.commit().await?;
                    Ok(platforms.len())
                }

                async fn platforms(&self, scope: &Scope, filter: &PlatformFilter) -> Result<Vec<Platform>> {
                    let root = self.filter_root(scope, filter.unit).await?;
                    let name = filter.name.as_deref().map(str::trim).filter(|s| !s.is_empty());
                    let rows: Vec<PlatformRow> = sqlx::query_as(&sql(&[
                        PLATFORM_COLUMNS,
                        " AND ($2 = '' OR p.kind = $2) AND ($3 = '' OR p.name LIKE $4 ESCAPE '\\' \
                          OR p.account LIKE $4 ESCAPE '\\') ORDER BY u.sort_order, u.id, p.kind, p.id",
                    ]))
                    .bind(root.0)
                    .bind(filter.kind.map_or("", |k| k.code()))
                    .bind(name.unwrap_or(""))
                    .bind(like_pattern(name))
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(rows.into_iter().map(Platform::from).collect())
                }

                async fn platform(&self, scope: &Scope, id: i64) -> Result<Platform> {
                    let row: Option<PlatformRow> = sqlx::query_as(&sql(&[PLATFORM_COLUMNS, " AND p.id = $2"]))
                        .bind(scope.root.0)
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?;
                    row.map(Platform::from).ok_or(StoreError::NotFound)
                }

                async fn add_inspection(&self, scope: &Scope, inspection: NewInspection) -> Result<Inspection> {
                    let platform = inspection.platform_id;
                    let mut txn = self.begin_as(scope, Action::Write).await?;
                    let id = Self::platform_insert_inspection(&mut txn, scope, &inspection).await?;
                    txn.commit().await?;
                    let row: InspectionRow = sqlx::query_as(&sql(&[INSPECTION_COLUMNS, " AND i.id = $2"]))
                        .bind(platform)
                        .bind(id)
                        .fetch_one(&self.pool)
                        .await?;
                    Ok(row.into())
                }

                async fn add_inspections(&self, scope: &Scope, inspections: Vec<NewInspection>) -> Result<usize> {
                    let mut txn = self.begin_as(scope, Action::Write).await?;
                    for inspection in &inspections {
                        Self::platform_insert_inspection(&mut txn, scope, inspection).await?;
                    }
                    if inspections.is_empty() {
                        return Ok(0);
                    }
                    txn.commit().await?;
                    Ok(inspections.len())
                }

                async fn platform_inspections(&self, scope: &Scope, platform: i64) -> Result<Vec<Inspection>> {
                    let p = self.platform(scope, platform).await?;
                    let rows: Vec<InspectionRow> =
                        sqlx::query_as(&sql(&[INSPECTION_COLUMNS, " ORDER BY i.date DESC, i.id DESC"]))
                            .bind(p.id)
                            .fetch_all(&self.pool)
                            .await?;
                    Ok(rows.into_iter().map(Inspection::from).collect())
                }

                async fn assign_reviewer(
                    &self,
                    scope: &Scope,
                    unit: UnitId,
                    stage: Stage,
                    user: UserId,
                ) -> Result<Assignment> {
                    let mut txn = self.begin_as(scope, Action::ManageUsers).await?;
                    let unit = Self::scoped_unit(&mut *txn.tx, scope, unit).await?;
                    // Looked up within the scope: a user of another unit is answered exactly
                    // like one that does not exist, so ids cannot be probed for names.
                    let u = match Self::scoped_user(&mut *txn.tx, scope, user).await {
                        Err(StoreError::NotFound) => {
                            return Err(StoreError::Invalid(FieldError::new("审核人", "没有这个用户")));
                        }
                        other => other?,
                    };
                    if !Self::in_subtree(&mut *txn.tx, u.unit_id, unit.id).await? {
                        return Err(StoreError::Invalid(FieldError::new(
                            "审核人",
                            format!("「{}」（{}）管辖范围不含{}，不能审核其稿件", u.person_name, u.unit_name, unit.name),
                        )));
                    }
                    if !stage.permits(|a| u.roles.iter().any(|r| r.permits(a))) {
                        return Err(StoreError::Invalid(FieldError::new(
                            "审核人",
                            format!(
                                "「{}」没有{}权限（需要审核员{}）",
                                u.person_name,
                                stage.label(),
                                if stage == Stage::Final { "或领导角色" } else { "角色" }
                            ),
                        )));
                    }
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO review_assignments (unit_id, stage, user_id) VALUES ($1, $2, $3) RETURNING id",
                    )
                    .bind(unit.id.0)
                    .bind(stage.code())
                    .bind(u.id.0)
                    .fetch_one(&mut *txn.tx)
                    .await
                    .map_err(on_unique("审核人", "已指定在该环节"))?;
                    let assignment = Assignment {
                        id,
                        unit_id: unit.id,
                        unit_name: unit.name.clone(),
                        stage,
                        user_id: u.id,
                        user_name: u.person_name.clone(),
                    };
                    txn.audit(AuditDraft::new("review_assignment", id, "assign").unit(unit.id.0).after(&assignment))
                        .await?;
                    txn.commit().await?;
                    Ok(assignment)
                }

                async fn remove_assignment(&self, scope: &Scope, id: i64) -> Result<()> {
                    let mut txn = self.begin_as(scope, Action::ManageUsers).await?;
                    let row: Option<(i64,)> = sqlx::query_as(
                        "SELECT a.unit_id FROM review_assignments a JOIN unit_closure c ON c.descendant_id = a.unit_id \
                         WHERE c.ancestor_id = $1 AND a.id = $2",
                    )
                    .bind(scope.root.0)
                    .bind(id)
                    .fetch_optional(&mut *txn.tx)
                    .await?;
                    let Some((unit,)) = row else {
                        return Err(StoreError::NotFound);
                    };
                    sqlx::query("DELETE FROM review_assignments WHERE id = $1").bind(id).execute(&mut *txn.tx).await?;
                    txn.audit(AuditDraft::new("review_assignment", id, "unassign").unit(unit)).await?;
                    txn.commit().await
                }

                async fn assignments(&self, scope: &Scope, unit: UnitId) -> Result<Vec<Assignment>> {
                    let unit = Self::scoped_unit(&self.pool, scope, unit).await?;
                    let rows: Vec<(i64, i64, String, String, i64, String)> = sqlx::query_as(&sql(&[
                        ASSIGNMENT_COLUMNS,
                        "JOIN unit_closure c ON c.ancestor_id = a.unit_id WHERE c.descendant_id = $1 \
                         ORDER BY a.stage, c.depth, a.id",
                    ]))
                    .bind(unit.id.0)
                    .fetch_all(&self.pool)
                    .await?;
                    let mut out: Vec<Assignment> = rows
                        .into_iter()
                        .filter_map(|(id, unit_id, unit_name, stage, user_id, user_name)| {
                            Some(Assignment {
                                id,
                                unit_id: UnitId(unit_id),
                                unit_name,
                                stage: Stage::parse(&stage).ok()?,
                                user_id: UserId(user_id),
                                user_name,
                            })
                        })
                        .collect();
                    out.sort_by_key(|a| a.stage);
                    Ok(out)
                }

                async fn review_actor(&self, scope: &Scope, unit: UnitId) -> Result<Actor> {
                    let Some(user) = scope.actor else {
                        return Err(StoreError::Invalid(FieldError::new("审核", "须以登录用户身份操作")));
                    };
                    Self::scoped_unit(&self.pool, scope, unit).await?;
                    let stages: Vec<(String,)> = sqlx::query_as(
                        "SELECT a.stage FROM review_assignments a JOIN unit_closure c ON c.ancestor_id = a.unit_id \
                         WHERE c.descendant_id = $1 AND a.user_id = $2",
                    )
                    .bind(unit.0)
                    .bind(user.0)
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(Actor {
                        user,
                        can_write: scope.permits(Action::Write),
                        can_review: scope.permits(Action::Review),
                        can_sign_off: scope.permits(Action::SignOff),
                        assigned: stages.into_iter().filter_map(|(s,)| Stage::parse(&s).ok()).collect(),
                    })
                }

                async fn create_draft(
                    &self,
                    scope: &Scope,
                    draft: NewDraft,
                    findings: Vec<LintFinding>,
                    attachments: Vec<NewAttachment>,
                ) -> Result<Draft> {
                    let Some(author) = scope.actor else {
                        return Err(StoreError::Invalid(FieldError::new("作者", "稿件须由登录用户起草")));
                    };
                    let mut txn = self.begin_as(scope, Action::Write).await?;
                    let unit = Self::scoped_unit(&mut *txn.tx, scope, draft.unit_id).await?;
                    Self::platform_check_platforms(&mut txn, scope, &draft.platforms).await?;
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO drafts (unit_id, title, body, state, author_user_id, findings, state_since, \
                         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
                    )
                    .bind(unit.id.0)
                    .bind(&draft.title)
                    .bind(&draft.body)
                    .bind(DraftState::Draft.code())
                    .bind(author.0)
                    .bind(serde_json::to_string(&findings).expect("findings serialise"))
                    .bind(txn.now)
                    .fetch_one(&mut *txn.tx)
                    .await?;
                    for p in &draft.platforms {
                        sqlx::query("INSERT INTO draft_platforms (draft_id, platform_id) VALUES ($1, $2)")
                            .bind(id)
                            .bind(p)
                            .execute(&mut *txn.tx)
                            .await?;
                    }
                    txn.audit(
                        AuditDraft::new("draft", id, "create")
                            .unit(unit.id.0)
                            .after(serde_json::json!({
                                "title": draft.title,
                                "sha256": review::text_sha256(&draft.body),
                                "platforms": draft.platforms,
                            })),
                    )
                    .await?;
                    for attachment in attachments {
                        let attachment = NewAttachment {
                            record_type: "draft",
                            record_id: id,
                            ..attachment
                        };
                        Self::insert_attachment(&mut txn, unit.id, &attachment).await?;
                    }
                    txn.commit().await?;
                    self.draft(scope, id).await
                }

                async fn draft(&self, scope: &Scope, id: i64) -> Result<Draft> {
                    let row: Option<DraftRow> = sqlx::query_as(&sql(&[DRAFT_COLUMNS, " AND d.id = $2"]))
                        .bind(scope.root.0)
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?;
                    let r = row.ok_or(StoreError::NotFound)?;
                    let draft = Draft {
                        id: r.id,
                        unit_id: UnitId(r.unit_id),
                        unit_name: r.unit_name,
                        title: r.title,
                        body: r.body,
                        state: state_of(&r.state),
                        author: UserId(r.author_user_id),
                        author_name: r.author_name,
                        platforms: Vec::new(),
                        findings: serde_json::from_str(&r.findings).unwrap_or_default(),
                        overrides: Vec::new(),
                        actions: Vec::new(),
                        rounds: Vec::new(),
                        attachments: r.attachments,
                        created_at: shoutu_domain::audit::format_time(r.created_at),
                        state_since: shoutu_domain::audit::format_time(r.state_since),
                    };
                    self.platform_draft_extras(draft).await
                }

                async fn drafts(&self, scope: &Scope, state: Option<DraftState>) -> Result<Vec<DraftSummary>> {
                    let rows: Vec<DraftRow> = sqlx::query_as(&sql(&[
                        DRAFT_COLUMNS,
                        " AND ($2 = '' OR d.state = $2) ORDER BY d.state_since, d.id",
                    ]))
                    .bind(scope.root.0)
                    .bind(state.map_or("", |s| s.code()))
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(rows.into_iter().map(DraftRow::summary).collect())
                }

                async fn review_step(&self, scope: &Scope, id: i64, step: Step) -> Result<Draft> {
                    let draft = self.draft(scope, id).await?;
                    let actor = self.review_actor(scope, draft.unit_id).await?;
                    let next = review::next_state(draft.state, &step, &actor, &draft.facts()).map_err(refused)?;
                    // The rules above checked the roles for this step.
                    let mut txn = self.begin_as(scope, Action::Read).await?;
                    let first_submit = matches!(step, Step::Submit);
                    let moved = sqlx::query(
                        "UPDATE drafts SET state = $2, state_since = $3, \
                         first_submitted_at = CASE WHEN $4 THEN COALESCE(first_submitted_at, $3) ELSE first_submitted_at END \
                         WHERE id = $1 AND state = $5",
                    )
                    .bind(id)
                    .bind(next.code())
                    .bind(txn.now)
                    .bind(first_submit)
                    .bind(draft.state.code())
                    .execute(&mut *txn.tx)
                    .await?;
                    if moved.rows_affected() != 1 {
                        return Err(changed_meanwhile());
                    }
                    let stage = match draft.state {
                        DraftState::InReview(s) => Some(s.code()),
                        _ => None,
                    };
                    let comment = match &step {
                        Step::Return { comment } => shoutu_domain::field::text("退回意见", comment, true, 1000)?,
                        _ => String::new(),
                    };
                    let sha = review::text_sha256(&draft.body);
                    sqlx::query(
                        "INSERT INTO review_actions (draft_id, step, stage, user_id, user_name, comment, text_sha256, at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(id)
                    .bind(step.code())
                    .bind(stage)
                    .bind(actor.user.0)
                    .bind(&scope.actor_name)
                    .bind(&comment)
                    .bind(&sha)
                    .bind(txn.now)
                    .execute(&mut *txn.tx)
                    .await?;
                    txn.audit(
                        AuditDraft::new("draft", id, step.code())
                            .unit(draft.unit_id.0)
                            .before(serde_json::json!({ "state": draft.state.code() }))
                            .after(serde_json::json!({ "state": next.code(), "comment": comment, "sha256": sha })),
                    )
                    .await?;
                    if next == DraftState::Published {
                        let names: Vec<&str> = draft.platforms.iter().map(|(_, n)| n.as_str()).collect();
                        // Publication days are counted in China Standard Time, as users read them.
                        let published_on = (txn.now + chrono::Duration::hours(8)).date_naive();
                        let (pid,): (i64,) = sqlx::query_as(
                            "INSERT INTO publications (draft_id, unit_id, title, text, sha256, platforms, published_at, \
                             published_on, published_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                        )
                        .bind(id)
                        .bind(draft.unit_id.0)
                        .bind(&draft.title)
                        .bind(&draft.body)
                        .bind(&sha)
                        .bind(names.join("、"))
                        .bind(txn.now)
                        .bind(published_on)
                        .bind(&scope.actor_name)
                        .fetch_one(&mut *txn.tx)
                        .await?;
                        txn.audit(
                            AuditDraft::new("publication", pid, "publish")
                                .unit(draft.unit_id.0)
                                .after(serde_json::json!({ "draft": id, "sha256": sha, "platforms": names })),
                        )
                        .await?;
                    }
                    txn.commit().await?;
                    self.draft(scope, id).await
                }

                async fn proofread(
                    &self,
                    scope: &Scope,
                    id: i64,
                    text: &str,
                    note: &str,
                    findings: Vec<LintFinding>,
                ) -> Result<Draft> {
                    let draft = self.draft(scope, id).await?;
                    let actor = self.review_actor(scope, draft.unit_id).await?;
                    review::may_proofread(draft.state, &actor).map_err(refused)?;
                    let text = review::parse_body(text)?;
                    let note = shoutu_domain::field::text("校对说明", note, false, 500)?;
                    let mut txn = self.begin_as(scope, Action::Read).await?;
                    let changed = sqlx::query("UPDATE drafts SET body = $2, findings = $3 WHERE id = $1 AND state = $4")
                        .bind(id)
                        .bind(&text)
                        .bind(serde_json::to_string(&findings).expect("findings serialise"))
                        .bind(draft.state.code())
                        .execute(&mut *txn.tx)
                        .await?;
                    if changed.rows_affected() != 1 {
                        return Err(changed_meanwhile());
                    }
                    let number = draft.rounds.len() as i64 + 1;
                    sqlx::query(
                        "INSERT INTO proofreading_rounds (draft_id, number, user_id, user_name, text_before, text_after, \
                         note, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(id)
                    .bind(number)
                    .bind(actor.user.0)
                    .bind(&scope.actor_name)
                    .bind(&draft.body)
                    .bind(&text)
                    .bind(&note)
                    .bind(txn.now)
                    .execute(&mut *txn.tx)
                    .await
                    .map_err(on_unique("校对", "同时有他人在校对，请刷新页面后重试"))?;
                    txn.audit(
                        AuditDraft::new("draft", id, "proofread")
                            .unit(draft.unit_id.0)
                            .before(serde_json::json!({ "sha256": review::text_sha256(&draft.body) }))
                            .after(serde_json::json!({
                                "round": number,
                                "sha256": review::text_sha256(&text),
                                "note": note,
                            })),
                    )
                    .await?;
                    txn.commit().await?;
                    self.draft(scope, id).await
                }

                async fn override_finding(
                    &self,
                    scope: &Scope,
                    id: i64,
                    rule: &str,
                    text: &str,
                    reason: &str,
                ) -> Result<Draft> {
                    let draft = self.draft(scope, id).await?;
                    let actor = self.review_actor(scope, draft.unit_id).await?;
                    review::may_override(draft.state, &actor, draft.author).map_err(refused)?;
                    let reason = review::parse_reason(reason)?;
                    if !draft.unresolved().iter().any(|f| f.rule == rule && f.text == text) {
                        return Err(StoreError::Invalid(FieldError::new(
                            "审校问题",
                            "该问题已修改或已豁免，无需再豁免",
                        )));
                    }
                    let mut txn = self.begin_as(scope, Action::Read).await?;
                    let (oid,): (i64,) = sqlx::query_as(
                        "INSERT INTO lint_overrides (draft_id, rule, text, reason, user_id, by_name, at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                    )
                    .bind(id)
                    .bind(rule)
                    .bind(text)
                    .bind(&reason)
                    .bind(actor.user.0)
                    .bind(&scope.actor_name)
                    .bind(txn.now)
                    .fetch_one(&mut *txn.tx)
                    .await?;
                    txn.audit(
                        AuditDraft::new("draft", id, "override")
                            .unit(draft.unit_id.0)
                            .after(serde_json::json!({ "override": oid, "rule": rule, "text": text, "reason": reason })),
                    )
                    .await?;
                    txn.commit().await?;
                    self.draft(scope, id).await
                }

                async fn publications(&self, scope: &Scope, from: NaiveDate, until: NaiveDate) -> Result<Vec<Publication>> {
                    let rows: Vec<PublicationRow> = sqlx::query_as(&sql(&[
                        PUBLICATION_COLUMNS,
                        " AND pb.published_on >= $2 AND pb.published_on <= $3 ORDER BY pb.published_at DESC, pb.id DESC",
                    ]))
                    .bind(scope.root.0)
                    .bind(from)
                    .bind(until)
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(rows.into_iter().map(Publication::from).collect())
                }

                async fn publication_of(&self, scope: &Scope, draft: i64) -> Result<Option<Publication>> {
                    let row: Option<PublicationRow> =
                        sqlx::query_as(&sql(&[PUBLICATION_COLUMNS, " AND pb.draft_id = $2"]))
                            .bind(scope.root.0)
                            .bind(draft)
                            .fetch_optional(&self.pool)
                            .await?;
                    Ok(row.map(Publication::from))
                }

                async fn add_member(&self, scope: &Scope, member: NewMember) -> Result<Member> {
                    let mut txn = self.begin_as(scope, Action::Write).await?;
                    let unit = Self::scoped_unit(&mut *txn.tx, scope, member.unit_id).await?;
                    Self::check_member(&mut txn, scope, &unit, member.person_id, "成员").await?;
                    let (dupe,): (i64,) = sqlx::query_as(
                        "SELECT COUNT(*) FROM team_members WHERE unit_id = $1 AND kind = $2 AND person_id = $3 \
                         AND left_on IS NULL",
                    )
                    .bind(unit.id.0)
                    .bind(member.kind.code())
                    .bind(member.person_id.0)
                    .fetch_one(&mut *txn.tx)
                    .await?;
                    if dupe > 0 {
                        return Err(StoreError::Conflict(FieldError::new(
                            "成员",
                            format!("此人已是本单位{}", member.kind.label()),
                        )));
                    }
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO team_members (unit_id, kind, person_id, joined_on, created_at) \
                         VALUES ($1, $2, $3, $4, $5) RETURNING id",
                    )
                    .bind(unit.id.0)
                    .bind(member.kind.code())
                    .bind(member.person_id.0)
                    .bind(member.joined_on)
                    .bind(txn.now)
                    .fetch_one(&mut *txn.tx)
                    .await?;
                    txn.audit(AuditDraft::new("team_member", id, "create").unit(unit.id.0).after(&member)).await?;
                    txn.commit().await?;
                    self.platform_member(scope, id).await
                }

                async fn end_membership(&self, scope: &Scope, id: i64, on: NaiveDate) -> Result<Member> {
                    let m = self.platform_member(scope, id).await?;
                    if m.left_on.is_some() {
                        return Err(StoreError::Invalid(FieldError::new("成员", "已退出队伍")));
                    }
                    if on < m.joined_on {
                        return Err(StoreError::Invalid(FieldError::new("退出日期", "不能早于加入日期")));
                    }
                    let mut txn = self.begin_as(scope, Action::Write).await?;
                    sqlx::query("UPDATE team_members SET left_on = $2 WHERE id = $1")
                        .bind(id)
                        .bind(on)
                        .execute(&mut *txn.tx)
                        .await?;
                    txn.audit(
                        AuditDraft::new("team_member", id, "leave")
                            .unit(m.unit_id.0)
                            .after(serde_json::json!({ "left_on": on })),
                    )
                    .await?;
                    txn.commit().await?;
                    self.platform_member(scope, id).await
                }

                async fn members(&self, scope: &Scope) -> Result<Vec<Member>> {
                    let rows: Vec<MemberRow> = sqlx::query_as(&sql(&[
                        MEMBER_COLUMNS,
                        " ORDER BY u.sort_order, u.id, m.kind, m.left_on IS NOT NULL, m.id",
                    ]))
                    .bind(scope.root.0)
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(rows.into_iter().map(Member::from).collect())
                }

                async fn add_training(&self, scope: &Scope, training: NewTraining) -> Result<Training> {
                    let mut txn = self.begin_as(scope, Action::Write).await?;
                    let unit = Self::scoped_unit(&mut *txn.tx, scope, training.unit_id).await?;
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO team_trainings (unit_id, kind, date, title, hours, attendees, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                    )
                    .bind(unit.id.0)
                    .bind(training.kind.map(|k| k.code()))
                    .bind(training.date)
                    .bind(&training.title)
                    .bind(training.hours)
                    .bind(training.attendees)
                    .bind(txn.now)
                    .fetch_one(&mut *txn.tx)
                    .await?;
                    txn.audit(AuditDraft::new("team_training", id, "create").unit(unit.id.0).after(&training))
                        .await?;
                    txn.commit().await?;
                    let row: TrainingRow = sqlx::query_as(&sql(&[TRAINING_COLUMNS, " AND t.id = $2"]))
                        .bind(scope.root.0)
                        .bind(id)
                        .fetch_one(&self.pool)
                        .await?;
                    Ok(row.into())
                }

                async fn trainings(&self, scope: &Scope, from: NaiveDate, until: NaiveDate) -> Result<Vec<Training>> {
                    let rows: Vec<TrainingRow> = sqlx::query_as(&sql(&[
                        TRAINING_COLUMNS,
                        " AND t.date >= $2 AND t.date <= $3 ORDER BY t.date DESC, t.id DESC",
                    ]))
                    .bind(scope.root.0)
                    .bind(from)
                    .bind(until)
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(rows.into_iter().map(Training::from).collect())
                }

                async fn add_contribution(&self, scope: &Scope, contribution: NewContribution) -> Result<Contribution> {
                    let m = self.platform_member(scope, contribution.member_id).await?;
                    let mut txn = self.begin_as(scope, Action::Write).await?;
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO team_contributions (member_id, date, kind, title, link, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    )
                    .bind(m.id)
                    .bind(contribution.date)
                    .bind(&contribution.kind)
                    .bind(&contribution.title)
                    .bind(&contribution.link)
                    .bind(txn.now)
                    .fetch_one(&mut *txn.tx)
                    .await?;
                    txn.audit(
                        AuditDraft::new("team_contribution", id, "create")
                            .unit(m.unit_id.0)
                            .after(&contribution),
                    )
                    .await?;
                    txn.commit().await?;
                    let row: ContributionRow = sqlx::query_as(&sql(&[CONTRIBUTION_COLUMNS, " AND tc.id = $2"]))
                        .bind(scope.root.0)
                        .bind(id)
                        .fetch_one(&self.pool)
                        .await?;
                    Ok(row.into())
                }

                async fn contributions(
                    &self,
                    scope: &Scope,
                    from: NaiveDate,
                    until: NaiveDate,
                ) -> Result<Vec<Contribution>> {
                    let rows: Vec<ContributionRow> = sqlx::query_as(&sql(&[
                        CONTRIBUTION_COLUMNS,
                        " AND tc.date >= $2 AND tc.date <= $3 ORDER BY tc.date DESC, tc.id DESC",
                    ]))
                    .bind(scope.root.0)
                    .bind(from)
                    .bind(until)
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(rows.into_iter().map(Contribution::from).collect())
                }

                async fn add_coverage(&self, scope: &Scope, coverage: NewCoverage) -> Result<Coverage> {
                    let mut txn = self.begin_as(scope, Action::Write).await?;
                    let unit = Self::scoped_unit(&mut *txn.tx, scope, coverage.unit_id).await?;
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO media_coverage (unit_id, outlet, level, date, title, link, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                    )
                    .bind(unit.id.0)
                    .bind(&coverage.outlet)
                    .bind(coverage.level.code())
                    .bind(coverage.date)
                    .bind(&coverage.title)
                    .bind(&coverage.link)
                    .bind(txn.now)
                    .fetch_one(&mut *txn.tx)
                    .await?;
                    txn.audit(AuditDraft::new("coverage", id, "create").unit(unit.id.0).after(&coverage)).await?;
                    txn.commit().await?;
                    let row: CoverageRow = sqlx::query_as(&sql(&[COVERAGE_COLUMNS, " AND mc.id = $2"]))
                        .bind(scope.root.0)
                        .bind(id)
                        .fetch_one(&self.pool)
                        .await?;
                    Ok(row.into())
                }

                async fn coverage(&self, scope: &Scope, from: NaiveDate, until: NaiveDate) -> Result<Vec<Coverage>> {
                    let rows: Vec<CoverageRow> = sqlx::query_as(&sql(&[
                        COVERAGE_COLUMNS,
                        " AND mc.date >= $2 AND mc.date <= $3 ORDER BY mc.date DESC, mc.id DESC",
                    ]))
                    .bind(scope.root.0)
                    .bind(from)
                    .bind(until)
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(rows.into_iter().map(Coverage::from).collect())
                }
            }

            impl $store {
                async fn platform_member(&self, scope: &Scope, id: i64) -> Result<Member> {
                    let row: Option<MemberRow> = sqlx::query_as(&sql(&[MEMBER_COLUMNS, " AND m.id = $2"]))
                        .bind(scope.root.0)
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?;
                    row.map(Member::from).ok_or(StoreError::NotFound)
                }
            }
        }
    };
}
pub(crate) use impl_platform;
