//! 考核、督查、整改: indicator systems, assessment rounds (scored from facts, frozen on close),
//! inspections with findings, and rectification items with their history and evidence.
//!
//! Who may do what: scoring, inspecting, accepting and reopening need [`Action::Score`] on the
//! supervising side; the unit that owns a rectification item reports progress, uploads
//! evidence and submits with [`Action::Write`]. Rounds and inspections belong to the unit that
//! runs them; a round scores the units directly below it.

pub(crate) mod sql;

use crate::Result;
use async_trait::async_trait;
use chrono::NaiveDate;
use shoutu_domain::assessment::{IndicatorSystem, ManualScore, NewManualScore, NewRound, Round, UnitResult};
use shoutu_domain::attachment::NewAttachment;
use shoutu_domain::inspection::{Finding, Inspection, NewFinding, NewInspection, Visit};
use shoutu_domain::rectification::{NewRectification, Rectification, State, Step};
use shoutu_domain::{Scope, Unit, UnitId};
use std::collections::HashMap;

/// A unit's indicator system for a year, as saved.
#[derive(Debug, Clone)]
pub struct SavedSystem {
    pub unit_id: UnitId,
    pub year: i32,
    pub source: String,
    pub system: IndicatorSystem,
    pub updated_at: String,
}

/// A cached fact value of one indicator for one unit, with the records behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedFact {
    pub value: Option<f64>,
    pub evidence: Vec<String>,
}

/// Everything a round page shows: the scored units, their cached facts, the manual scores and
/// the results computed from them.
#[derive(Debug, Clone)]
pub struct RoundSheet {
    pub round: Round,
    pub units: Vec<Unit>,
    pub facts: HashMap<(String, UnitId), CachedFact>,
    pub manual: HashMap<(String, UnitId), ManualScore>,
    pub results: Vec<UnitResult>,
}

impl RoundSheet {
    pub fn result(&self, unit: UnitId) -> Option<&UnitResult> {
        self.results.iter().find(|r| r.unit_id == unit)
    }
}

#[derive(Debug, Clone, Default)]
pub struct RectificationFilter {
    pub state: Option<State>,
    /// Only items past their deadline and not closed, as of the store's clock.
    pub overdue: bool,
    /// Only items of this owner unit's subtree (must lie in the scope).
    pub owner: Option<UnitId>,
}

/// A record a leader hosted or led, for the cadre view.
#[derive(Debug, Clone, PartialEq)]
pub struct CadreRecord {
    pub person_id: i64,
    pub kind: &'static str,
    pub id: i64,
    pub date: NaiveDate,
    pub title: String,
}

#[async_trait]
pub trait AssessmentStore: Send + Sync {
    // ---- indicator systems ----
    /// The unit's system for the year, if one was saved.
    async fn indicator_system(&self, scope: &Scope, unit: UnitId, year: i32) -> Result<Option<SavedSystem>>;
    /// Validates and saves (replacing the year's previous one). Needs Score.
    async fn save_indicator_system(&self, scope: &Scope, unit: UnitId, year: i32, source: &str) -> Result<SavedSystem>;

    // ---- rounds ----
    /// Opens a round for the unit's own indicator system of that year (which must exist) and
    /// scores it once.
    async fn open_round(&self, scope: &Scope, round: NewRound) -> Result<Round>;
    /// Rounds run by units in the scope, newest first.
    async fn rounds(&self, scope: &Scope) -> Result<Vec<Round>>;
    async fn round(&self, scope: &Scope, id: i64) -> Result<Round>;
    /// Re-reads every fact of an open round (and the latest indicator system of its year).
    async fn recompute_round(&self, scope: &Scope, id: i64) -> Result<Round>;
    async fn round_sheet(&self, scope: &Scope, id: i64) -> Result<RoundSheet>;
    async fn set_manual_score(&self, scope: &Scope, round: i64, score: NewManualScore) -> Result<()>;
    /// Evidence an inspector attaches to a unit's manual scores in an open round (files already
    /// on disk, `record_type` "assessment_score", `record_id` the round).
    async fn add_score_evidence(
        &self,
        scope: &Scope,
        round: i64,
        unit: UnitId,
        files: Vec<NewAttachment>,
    ) -> Result<()>;
    /// Freezes a round: facts and scores stay as they are.
    async fn close_round(&self, scope: &Scope, id: i64) -> Result<Round>;

    // ---- inspections ----
    async fn create_inspection(&self, scope: &Scope, inspection: NewInspection) -> Result<Inspection>;
    /// One plan covering several units: an inspection each, all stored or none.
    async fn create_inspections(&self, scope: &Scope, plans: Vec<NewInspection>) -> Result<Vec<i64>>;
    /// Inspections run by the scope or of units in it, newest first.
    async fn inspections(&self, scope: &Scope) -> Result<Vec<Inspection>>;
    async fn inspection(&self, scope: &Scope, id: i64) -> Result<Inspection>;
    async fn record_visit(&self, scope: &Scope, id: i64, visit: Visit) -> Result<Inspection>;
    /// Records a finding and, in the same transaction, the rectification item it becomes.
    async fn add_finding(
        &self,
        scope: &Scope,
        inspection: i64,
        finding: NewFinding,
        measures: &str,
        deadline: NaiveDate,
        required_evidence: &str,
    ) -> Result<Finding>;
    /// The inspection a finding belongs to.
    async fn finding_inspection(&self, scope: &Scope, finding: i64) -> Result<i64>;

    // ---- rectification ----
    /// An item from another source (研判 meeting, incident review, assessment deduction),
    /// issued by the scope's unit to a unit in its subtree.
    async fn create_rectification(&self, scope: &Scope, item: NewRectification) -> Result<Rectification>;
    async fn rectifications(&self, scope: &Scope, filter: &RectificationFilter) -> Result<Vec<Rectification>>;
    async fn rectification(&self, scope: &Scope, id: i64) -> Result<Rectification>;
    async fn rectification_step(&self, scope: &Scope, id: i64, step: Step, note: &str) -> Result<Rectification>;
    /// Evidence files (already on disk) from the owner side, with a note in the history.
    async fn add_rectification_evidence(
        &self,
        scope: &Scope,
        id: i64,
        files: Vec<NewAttachment>,
        note: &str,
    ) -> Result<Rectification>;

    // ---- cadre view ----
    /// Activities each person of the unit hosted and plan items they led within the dates.
    async fn cadre_records(
        &self,
        scope: &Scope,
        unit: UnitId,
        from: NaiveDate,
        until: NaiveDate,
    ) -> Result<Vec<CadreRecord>>;
}

macro_rules! impl_assessment {
    ($store:ty, $db:ty) => {
        mod assessment_impl {
            use super::*;
            use crate::assessment::sql::*;
            use crate::assessment::{CachedFact, CadreRecord, RectificationFilter, RoundSheet, SavedSystem};
            use shoutu_domain::assessment::{
                GradeScale, IndicatorSystem, ItemFact, ManualScore, NewManualScore, NewRound, Period, Round,
                RoundState,
            };
            use shoutu_domain::fact::{DateRange, FactRow};
            use shoutu_domain::inspection::{Finding, Inspection, Kind, NewFinding, NewInspection, Severity, Visit};
            use shoutu_domain::rectification::{
                self as rect, Event, NewRectification, Rectification, Source, State, Step,
            };
            use std::collections::HashMap;

            type RoundRow = (i64, i64, String, i32, String, String, String, String, String, Option<DateTime<Utc>>);

            fn round_from(r: RoundRow) -> Result<Round> {
                let system = IndicatorSystem::from_toml(&r.7)?;
                let grades = GradeScale::from_toml(&r.8)?;
                Ok(Round {
                    id: r.0,
                    unit_id: UnitId(r.1),
                    unit_name: r.2,
                    year: r.3,
                    period: Period::parse(&r.4).unwrap_or(Period::Year),
                    title: r.5,
                    state: RoundState::from_code(&r.6),
                    system,
                    grades,
                    computed_at: r.9.map(|t| t.format("%Y-%m-%d %H:%M").to_string()),
                })
            }

            type RectRow = (
                i64,
                i64,
                String,
                i64,
                String,
                String,
                i64,
                String,
                String,
                chrono::NaiveDate,
                String,
                String,
                chrono::NaiveDate,
                Option<chrono::NaiveDate>,
                i64,
            );

            fn rect_from(r: RectRow) -> Rectification {
                Rectification {
                    id: r.0,
                    issuer_unit_id: UnitId(r.1),
                    issuer_name: r.2,
                    owner_unit_id: UnitId(r.3),
                    owner_name: r.4,
                    source: Source::from_code(&r.5).unwrap_or(Source::Finding),
                    source_id: r.6,
                    title: r.7,
                    measures: r.8,
                    deadline: r.9,
                    required_evidence: r.10,
                    state: State::from_code(&r.11).unwrap_or(State::Pending),
                    opened_on: r.12,
                    closed_on: r.13,
                    evidence: r.14,
                    events: Vec::new(),
                }
            }

            type InspectionRow = (
                i64,
                i64,
                String,
                i64,
                String,
                String,
                chrono::NaiveDate,
                String,
                Option<chrono::NaiveDate>,
                String,
            );

            fn inspection_from(r: InspectionRow) -> Inspection {
                Inspection {
                    id: r.0,
                    unit_id: UnitId(r.1),
                    unit_name: r.2,
                    target_unit_id: UnitId(r.3),
                    target_name: r.4,
                    kind: Kind::from_code(&r.5).unwrap_or(Kind::Routine),
                    planned_on: r.6,
                    subject: r.7,
                    visited_on: r.8,
                    record: r.9,
                    findings: Vec::new(),
                }
            }

            fn closed_round() -> StoreError {
                StoreError::Invalid(FieldError::new("考核", "本轮考核已结束，分数已固定，不能再修改或重新计算"))
            }

            impl $store {
                /// The units a round scores: those directly below its unit.
                async fn assessment_scored_units(&self, round_unit: UnitId) -> Result<Vec<Unit>> {
                    let rows: Vec<UnitRow> = sqlx::query_as(&sql(&[UNIT_COLUMNS, " AND c.depth = 1"]))
                        .bind(round_unit.0)
                        .fetch_all(&self.pool)
                        .await?;
                    Ok(shoutu_domain::unit::tree_order(rows.into_iter().map(Unit::from).collect()))
                }

                async fn assessment_round_row(&self, scope: &Scope, id: i64) -> Result<Round> {
                    let row: Option<RoundRow> = sqlx::query_as(&sql(&[ROUND_COLUMNS, " AND r.id = $2"]))
                        .bind(scope.root.0)
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?;
                    round_from(row.ok_or(StoreError::NotFound)?)
                }

                /// Reads every fact the round's indicators name, one query per fact key over the
                /// round unit's subtree, and replaces the cached values in the transaction.
                async fn assessment_compute(&self, txn: &mut Txn, scope: &Scope, round: &Round) -> Result<usize> {
                    let units = self.assessment_scored_units(round.unit_id).await?;
                    let ids: Vec<UnitId> = units.iter().map(|u| u.id).collect();
                    let below = scope.narrowed_to(round.unit_id);
                    // One query per distinct fact, run side by side: the facts are independent
                    // reads, and both backends serve several connections at once.
                    let mut keys: Vec<&str> = round.system.leaves().filter_map(|(_, r)| r.fact()).collect();
                    keys.sort_unstable();
                    keys.dedup();
                    let range = round.range();
                    let fetched = futures_util::future::try_join_all(
                        keys.iter()
                            .map(|key| crate::FactStore::fact_rows(self, &below, key, None, range)),
                    )
                    .await?;
                    // The subtree is read once and every fact rolled up over it, as
                    // `facts_by_unit` would do key by key.
                    let tree: Vec<UnitRow> = sqlx::query_as(UNIT_COLUMNS).bind(round.unit_id.0).fetch_all(&self.pool).await?;
                    let tree: Vec<Unit> = tree.into_iter().map(Unit::from).collect();
                    let by_key: HashMap<&str, Vec<shoutu_domain::fact::Fact>> = keys
                        .into_iter()
                        .zip(fetched)
                        .map(|(key, rows)| (key, shoutu_domain::fact::roll_up(key, &rows, &tree, &ids)))
                        .collect();
                    sqlx::query("DELETE FROM assessment_facts WHERE round_id = $1")
                        .bind(round.id)
                        .execute(&mut *txn.tx)
                        .await?;
                    let mut rows: Vec<(i64, String, Option<f64>, String)> = Vec::new();
                    for (ind, rule) in round.system.leaves() {
                        let Some(facts) = rule.fact().and_then(|k| by_key.get(k)) else { continue };
                        for f in facts {
                            let evidence: Vec<String> =
                                f.evidence.iter().map(|r| format!("{}:{}", r.kind, r.id)).collect();
                            rows.push((
                                f.unit_id.0,
                                ind.code.clone(),
                                f.value,
                                serde_json::to_string(&evidence).expect("evidence serialises"),
                            ));
                        }
                    }
                    let written = rows.len();
                    // Several rows per statement: a round of 2,000 units × 40 items is 80,000 rows.
                    for chunk in rows.chunks(1000) {
                        let mut q: sqlx::QueryBuilder<'_, $db> =
                            sqlx::QueryBuilder::new("INSERT INTO assessment_facts (round_id, unit_id, code, value, evidence) ");
                        q.push_values(chunk, |mut b, r| {
                            b.push_bind(round.id).push_bind(r.0).push_bind(&r.1).push_bind(r.2).push_bind(&r.3);
                        });
                        q.build().execute(&mut *txn.tx).await?;
                    }
                    sqlx::query("UPDATE assessment_rounds SET computed_at = $2 WHERE id = $1")
                        .bind(round.id)
                        .bind(txn.now)
                        .execute(&mut *txn.tx)
                        .await?;
                    Ok(written)
                }

                async fn assessment_rect_row<'e, E>(executor: E, scope: &Scope, id: i64) -> Result<Rectification>
                where
                    E: sqlx::Executor<'e, Database = $db>,
                {
                    let row: Option<RectRow> =
                        sqlx::query_as(&sql(&[RECT_COLUMNS, "WHERE r.id = $2 AND ", RECT_VISIBLE]))
                            .bind(scope.root.0)
                            .bind(id)
                            .fetch_optional(executor)
                            .await?;
                    row.map(rect_from).ok_or(StoreError::NotFound)
                }

                async fn assessment_log_step(
                    txn: &mut Txn,
                    item: &Rectification,
                    step: &str,
                    to: State,
                    note: &str,
                ) -> Result<()> {
                    sqlx::query(
                        "INSERT INTO rectification_events (rectification_id, at, actor_name, step, from_state, \
                         to_state, note) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(item.id)
                    .bind(txn.now)
                    .bind(&txn.actor_name)
                    .bind(step)
                    .bind(item.state.code())
                    .bind(to.code())
                    .bind(note)
                    .execute(&mut *txn.tx)
                    .await?;
                    Ok(())
                }

                async fn assessment_insert_rect(
                    txn: &mut Txn,
                    issuer: UnitId,
                    item: &NewRectification,
                    today: chrono::NaiveDate,
                ) -> Result<i64> {
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO rectifications (issuer_unit_id, owner_unit_id, source_kind, source_id, title, \
                         measures, deadline, required_evidence, state, opened_on, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                    )
                    .bind(issuer.0)
                    .bind(item.owner_unit.0)
                    .bind(item.source.code())
                    .bind(item.source_id)
                    .bind(&item.title)
                    .bind(&item.measures)
                    .bind(item.deadline)
                    .bind(&item.required_evidence)
                    .bind(State::Pending.code())
                    .bind(today)
                    .bind(txn.now)
                    .fetch_one(&mut *txn.tx)
                    .await?;
                    sqlx::query(
                        "INSERT INTO rectification_events (rectification_id, at, actor_name, step, from_state, \
                         to_state, note) VALUES ($1, $2, $3, 'create', '', $4, $5)",
                    )
                    .bind(id)
                    .bind(txn.now)
                    .bind(&txn.actor_name)
                    .bind(State::Pending.code())
                    .bind(&item.measures)
                    .execute(&mut *txn.tx)
                    .await?;
                    txn.audit(AuditDraft::new("rectification", id, "create").unit(item.owner_unit.0).after(item))
                        .await?;
                    Ok(id)
                }

                async fn assessment_findings(&self, inspection: i64) -> Result<Vec<Finding>> {
                    let rows: Vec<(i64, String, String, String, Option<i64>)> = sqlx::query_as(
                        "SELECT f.id, f.category, f.severity, f.description, \
                         (SELECT MIN(r.id) FROM rectifications r WHERE r.source_kind = 'inspection_finding' \
                         AND r.source_id = f.id) FROM inspection_findings f WHERE f.inspection_id = $1 ORDER BY f.id",
                    )
                    .bind(inspection)
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(rows
                        .into_iter()
                        .map(|(id, category, severity, description, rectification_id)| Finding {
                            id,
                            inspection_id: inspection,
                            category,
                            severity: Severity::from_code(&severity).unwrap_or(Severity::Minor),
                            description,
                            rectification_id,
                        })
                        .collect())
                }

                async fn assessment_rows(
                    &self,
                    query: &str,
                    kind: &str,
                    root: UnitId,
                    from: chrono::NaiveDate,
                    until: chrono::NaiveDate,
                    as_of: chrono::NaiveDate,
                ) -> Result<Vec<FactRow>> {
                    let rows: Vec<(i64, i64, i64)> = sqlx::query_as(query)
                        .bind(root.0)
                        .bind(from)
                        .bind(until)
                        .bind(as_of)
                        .fetch_all(&self.pool)
                        .await?;
                    Ok(crate::facts::rows_of(kind, rows))
                }

                /// Fact rows of inspections and rectification.
                pub(crate) async fn assessment_fact_rows(
                    &self,
                    root: UnitId,
                    key: &str,
                    range: DateRange,
                ) -> Result<Option<Vec<FactRow>>> {
                    let as_of = range.until.min(self.clock.now().date_naive());
                    let (query, kind) = match key {
                        "rectification.items" => (RECT_ITEMS_ROWS, "rectification"),
                        "rectification.closed_rate" => (RECT_CLOSED_ROWS, "rectification"),
                        "rectification.overdue" => (RECT_OVERDUE_ROWS, "rectification"),
                        "inspection.visits" => (VISIT_ROWS, "inspection"),
                        "inspection.findings" => (FINDING_ROWS, "inspection_finding"),
                        _ => return Ok(None),
                    };
                    Ok(Some(self.assessment_rows(query, kind, root, range.from, range.until, as_of).await?))
                }
            }

            #[async_trait]
            impl crate::AssessmentStore for $store {
                async fn indicator_system(
                    &self,
                    scope: &Scope,
                    unit: UnitId,
                    year: i32,
                ) -> Result<Option<SavedSystem>> {
                    Self::scoped_unit(&self.pool, scope, unit).await?;
                    let row: Option<(String, DateTime<Utc>)> = sqlx::query_as(
                        "SELECT source, updated_at FROM indicator_systems WHERE unit_id = $1 AND year = $2",
                    )
                    .bind(unit.0)
                    .bind(year)
                    .fetch_optional(&self.pool)
                    .await?;
                    match row {
                        None => Ok(None),
                        Some((source, at)) => Ok(Some(SavedSystem {
                            unit_id: unit,
                            year,
                            system: IndicatorSystem::from_toml(&source)?,
                            source,
                            updated_at: at.format("%Y-%m-%d %H:%M").to_string(),
                        })),
                    }
                }

                async fn save_indicator_system(
                    &self,
                    scope: &Scope,
                    unit: UnitId,
                    year: i32,
                    source: &str,
                ) -> Result<SavedSystem> {
                    let system = IndicatorSystem::from_toml(source)?;
                    if !(2000..=2100).contains(&year) {
                        return Err(StoreError::Invalid(FieldError::new("年度", "应为四位年份")));
                    }
                    let mut txn = self.begin_as(scope, Action::Score).await?;
                    let unit = Self::scoped_unit(&mut *txn.tx, scope, unit).await?;
                    sqlx::query("DELETE FROM indicator_systems WHERE unit_id = $1 AND year = $2")
                        .bind(unit.id.0)
                        .bind(year)
                        .execute(&mut *txn.tx)
                        .await?;
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO indicator_systems (unit_id, year, title, source, updated_at) \
                         VALUES ($1, $2, $3, $4, $5) RETURNING id",
                    )
                    .bind(unit.id.0)
                    .bind(year)
                    .bind(&system.title)
                    .bind(source)
                    .bind(txn.now)
                    .fetch_one(&mut *txn.tx)
                    .await?;
                    txn.audit(
                        AuditDraft::new("indicator_system", id, "update")
                            .unit(unit.id.0)
                            .after(serde_json::json!({ "year": year, "source": source })),
                    )
                    .await?;
                    txn.commit().await?;
                    self.indicator_system(scope, unit.id, year)
                        .await?
                        .ok_or(StoreError::NotFound)
                }

                async fn open_round(&self, scope: &Scope, round: NewRound) -> Result<Round> {
                    if !scope.permits(Action::Score) {
                        return Err(StoreError::Forbidden);
                    }
                    let unit = Self::scoped_unit(&self.pool, scope, round.unit_id).await?;
                    let Some(saved) = self.indicator_system(scope, unit.id, round.year).await? else {
                        return Err(StoreError::Invalid(FieldError::new(
                            "指标体系",
                            format!("{}还没有 {} 年度的考核指标体系，请先制定", unit.name, round.year),
                        )));
                    };
                    let mut txn = self.begin_as(scope, Action::Score).await?;
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO assessment_rounds (unit_id, year, period, title, state, system_source, \
                         grades_source, created_at) VALUES ($1, $2, $3, $4, 'open', $5, $6, $7) RETURNING id",
                    )
                    .bind(unit.id.0)
                    .bind(round.year)
                    .bind(round.period.code())
                    .bind(&round.title)
                    .bind(&saved.source)
                    .bind(GradeScale::defaults().to_toml())
                    .bind(txn.now)
                    .fetch_one(&mut *txn.tx)
                    .await
                    .map_err(crate::error::on_unique("考核期间", "本单位该期间的考核已经开启"))?;
                    txn.audit(AuditDraft::new("assessment_round", id, "create").unit(unit.id.0).after(&round))
                        .await?;
                    let opened = Round {
                        id,
                        unit_id: unit.id,
                        unit_name: unit.name.clone(),
                        year: round.year,
                        period: round.period,
                        title: round.title.clone(),
                        state: RoundState::Open,
                        system: saved.system,
                        grades: GradeScale::defaults(),
                        computed_at: None,
                    };
                    self.assessment_compute(&mut txn, scope, &opened).await?;
                    txn.commit().await?;
                    self.round(scope, id).await
                }

                async fn rounds(&self, scope: &Scope) -> Result<Vec<Round>> {
                    let rows: Vec<RoundRow> =
                        sqlx::query_as(&sql(&[ROUND_COLUMNS, " ORDER BY r.year DESC, r.period DESC, r.id DESC"]))
                            .bind(scope.root.0)
                            .fetch_all(&self.pool)
                            .await?;
                    rows.into_iter().map(round_from).collect()
                }

                async fn round(&self, scope: &Scope, id: i64) -> Result<Round> {
                    self.assessment_round_row(scope, id).await
                }

                async fn recompute_round(&self, scope: &Scope, id: i64) -> Result<Round> {
                    let mut round = self.assessment_round_row(scope, id).await?;
                    let mut txn = self.begin_as(scope, Action::Score).await?;
                    // Re-read the state inside the write: a round closed meanwhile stays frozen.
                    let (state,): (String,) = sqlx::query_as("SELECT state FROM assessment_rounds WHERE id = $1")
                        .bind(id)
                        .fetch_one(&mut *txn.tx)
                        .await?;
                    if RoundState::from_code(&state) == RoundState::Closed {
                        return Err(closed_round());
                    }
                    let latest: Option<(String,)> =
                        sqlx::query_as("SELECT source FROM indicator_systems WHERE unit_id = $1 AND year = $2")
                            .bind(round.unit_id.0)
                            .bind(round.year)
                            .fetch_optional(&mut *txn.tx)
                            .await?;
                    if let Some((source,)) = latest {
                        round.system = IndicatorSystem::from_toml(&source)?;
                        sqlx::query("UPDATE assessment_rounds SET system_source = $2 WHERE id = $1")
                            .bind(id)
                            .bind(&source)
                            .execute(&mut *txn.tx)
                            .await?;
                    }
                    let rows = self.assessment_compute(&mut txn, scope, &round).await?;
                    txn.audit(
                        AuditDraft::new("assessment_round", id, "recompute")
                            .unit(round.unit_id.0)
                            .after(serde_json::json!({ "facts": rows })),
                    )
                    .await?;
                    txn.commit().await?;
                    self.round(scope, id).await
                }

                async fn round_sheet(&self, scope: &Scope, id: i64) -> Result<RoundSheet> {
                    let round = self.assessment_round_row(scope, id).await?;
                    let units = self.assessment_scored_units(round.unit_id).await?;
                    let rows: Vec<(i64, String, Option<f64>, String)> = sqlx::query_as(
                        "SELECT unit_id, code, value, evidence FROM assessment_facts WHERE round_id = $1",
                    )
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await?;
                    let mut facts = HashMap::new();
                    for (unit, code, value, evidence) in rows {
                        let evidence: Vec<String> = serde_json::from_str(&evidence).unwrap_or_default();
                        facts.insert((code, UnitId(unit)), CachedFact { value, evidence });
                    }
                    let rows: Vec<(i64, String, f64, String, String)> = sqlx::query_as(
                        "SELECT unit_id, code, score, reason, inspector FROM assessment_manual WHERE round_id = $1",
                    )
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await?;
                    let manual: HashMap<(String, UnitId), ManualScore> = rows
                        .into_iter()
                        .map(|(unit, code, score, reason, inspector)| {
                            ((code, UnitId(unit)), ManualScore { score, reason, inspector })
                        })
                        .collect();
                    let item_facts: HashMap<(String, UnitId), ItemFact> = facts
                        .iter()
                        .map(|(k, f): (&(String, UnitId), &CachedFact)| {
                            (
                                k.clone(),
                                ItemFact {
                                    value: f.value,
                                    evidence: f.evidence.len(),
                                },
                            )
                        })
                        .collect();
                    let ids: Vec<UnitId> = units.iter().map(|u| u.id).collect();
                    let results = shoutu_domain::assessment::scoring::score(
                        &round.system,
                        &round.grades,
                        &ids,
                        &item_facts,
                        &manual,
                    );
                    Ok(RoundSheet {
                        round,
                        units,
                        facts,
                        manual,
                        results,
                    })
                }

                async fn set_manual_score(&self, scope: &Scope, round: i64, score: NewManualScore) -> Result<()> {
                    let r = self.assessment_round_row(scope, round).await?;
                    // Checked again here: the form may have been filled against an older system.
                    let score = NewManualScore::parse(
                        &r.system,
                        score.unit_id,
                        &score.code,
                        &score.score.to_string(),
                        &score.reason,
                    )?;
                    let mut txn = self.begin_as(scope, Action::Score).await?;
                    let unit = Self::scoped_unit(&mut *txn.tx, scope, score.unit_id).await?;
                    if unit.parent_id != Some(r.unit_id) {
                        return Err(StoreError::NotFound);
                    }
                    let (state,): (String,) = sqlx::query_as("SELECT state FROM assessment_rounds WHERE id = $1")
                        .bind(round)
                        .fetch_one(&mut *txn.tx)
                        .await?;
                    if RoundState::from_code(&state) == RoundState::Closed {
                        return Err(closed_round());
                    }
                    sqlx::query("DELETE FROM assessment_manual WHERE round_id = $1 AND unit_id = $2 AND code = $3")
                        .bind(round)
                        .bind(unit.id.0)
                        .bind(&score.code)
                        .execute(&mut *txn.tx)
                        .await?;
                    sqlx::query(
                        "INSERT INTO assessment_manual (round_id, unit_id, code, score, reason, inspector, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(round)
                    .bind(unit.id.0)
                    .bind(&score.code)
                    .bind(score.score)
                    .bind(&score.reason)
                    .bind(&txn.actor_name)
                    .bind(txn.now)
                    .execute(&mut *txn.tx)
                    .await?;
                    // Scores, reasons and evidence are the assessor's: filed under the round's
                    // unit, never the assessed unit's subtree (audit page, search).
                    txn.audit(
                        AuditDraft::new("assessment_score", round, "score")
                            .unit(r.unit_id.0)
                            .after(&score),
                    )
                    .await?;
                    txn.commit().await
                }

                async fn add_score_evidence(
                    &self,
                    scope: &Scope,
                    round: i64,
                    unit: UnitId,
                    files: Vec<NewAttachment>,
                ) -> Result<()> {
                    let r = self.assessment_round_row(scope, round).await?;
                    if files.is_empty() {
                        return Err(StoreError::Invalid(FieldError::new("评分佐证", "请选择要上传的文件")));
                    }
                    let mut txn = self.begin_as(scope, Action::Score).await?;
                    let unit = Self::scoped_unit(&mut *txn.tx, scope, unit).await?;
                    if unit.parent_id != Some(r.unit_id) {
                        return Err(StoreError::NotFound);
                    }
                    let (state,): (String,) = sqlx::query_as("SELECT state FROM assessment_rounds WHERE id = $1")
                        .bind(round)
                        .fetch_one(&mut *txn.tx)
                        .await?;
                    if RoundState::from_code(&state) == RoundState::Closed {
                        return Err(closed_round());
                    }
                    for f in &files {
                        if f.record_type != "assessment_score" || f.record_id != round {
                            return Err(StoreError::NotFound);
                        }
                        // The file is about the assessed unit but only the assessing side may see
                        // it; its audit entry (search, audit page) is filed under the round's unit.
                        let (fid,): (i64,) = sqlx::query_as(
                            "INSERT INTO attachments (sha256, size, media_type, file_name, unit_id, record_type, \
                             record_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                        )
                        .bind(&f.sha256)
                        .bind(f.size)
                        .bind(&f.media_type)
                        .bind(&f.file_name)
                        .bind(unit.id.0)
                        .bind(f.record_type)
                        .bind(f.record_id)
                        .bind(txn.now)
                        .fetch_one(&mut *txn.tx)
                        .await?;
                        txn.audit(AuditDraft::new("attachment", fid, "create").unit(r.unit_id.0).after(f))
                            .await?;
                    }
                    txn.commit().await
                }

                async fn close_round(&self, scope: &Scope, id: i64) -> Result<Round> {
                    let round = self.assessment_round_row(scope, id).await?;
                    if round.state == RoundState::Closed {
                        return Err(closed_round());
                    }
                    let mut txn = self.begin_as(scope, Action::Score).await?;
                    sqlx::query("UPDATE assessment_rounds SET state = 'closed', closed_at = $2 WHERE id = $1")
                        .bind(id)
                        .bind(txn.now)
                        .execute(&mut *txn.tx)
                        .await?;
                    txn.audit(AuditDraft::new("assessment_round", id, "close").unit(round.unit_id.0)).await?;
                    txn.commit().await?;
                    self.round(scope, id).await
                }

                async fn create_inspection(&self, scope: &Scope, inspection: NewInspection) -> Result<Inspection> {
                    let ids = self.create_inspections(scope, vec![inspection]).await?;
                    self.inspection(scope, ids[0]).await
                }

                async fn create_inspections(&self, scope: &Scope, plans: Vec<NewInspection>) -> Result<Vec<i64>> {
                    if plans.is_empty() {
                        return Err(StoreError::Invalid(FieldError::new("被督查单位", "请选择被督查单位")));
                    }
                    let mut txn = self.begin_as(scope, Action::Score).await?;
                    let mut ids = Vec::with_capacity(plans.len());
                    for inspection in &plans {
                        let target = Self::scoped_unit(&mut *txn.tx, scope, inspection.target_unit).await?;
                        if target.id == scope.root {
                            return Err(StoreError::Invalid(FieldError::new("被督查单位", "请选择下级单位")));
                        }
                        let (id,): (i64,) = sqlx::query_as(
                            "INSERT INTO inspections (unit_id, target_unit_id, kind, planned_on, subject, created_at) \
                             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                        )
                        .bind(scope.root.0)
                        .bind(target.id.0)
                        .bind(inspection.kind.code())
                        .bind(inspection.planned_on)
                        .bind(&inspection.subject)
                        .bind(txn.now)
                        .fetch_one(&mut *txn.tx)
                        .await?;
                        // Until its visit an unannounced inspection is the inspecting unit's
                        // record: its audit entry (and so the search index and the audit page)
                        // must not show it to the inspected unit.
                        let audience = match inspection.kind {
                            Kind::Unannounced => scope.root,
                            Kind::Routine => target.id,
                        };
                        txn.audit(AuditDraft::new("inspection", id, "create").unit(audience.0).after(inspection))
                            .await?;
                        ids.push(id);
                    }
                    txn.commit().await?;
                    Ok(ids)
                }

                async fn inspections(&self, scope: &Scope) -> Result<Vec<Inspection>> {
                    let rows: Vec<InspectionRow> = sqlx::query_as(&sql(&[
                        INSPECTION_COLUMNS,
                        "WHERE ",
                        INSPECTION_VISIBLE,
                        " ORDER BY i.planned_on DESC, i.id DESC",
                    ]))
                    .bind(scope.root.0)
                    .fetch_all(&self.pool)
                    .await?;
                    let mut out: Vec<Inspection> = rows.into_iter().map(inspection_from).collect();
                    for i in &mut out {
                        i.findings = self.assessment_findings(i.id).await?;
                    }
                    Ok(out)
                }

                async fn inspection(&self, scope: &Scope, id: i64) -> Result<Inspection> {
                    let row: Option<InspectionRow> =
                        sqlx::query_as(&sql(&[INSPECTION_COLUMNS, "WHERE i.id = $2 AND ", INSPECTION_VISIBLE]))
                            .bind(scope.root.0)
                            .bind(id)
                            .fetch_optional(&self.pool)
                            .await?;
                    let mut i = row.map(inspection_from).ok_or(StoreError::NotFound)?;
                    i.findings = self.assessment_findings(id).await?;
                    Ok(i)
                }

                async fn record_visit(&self, scope: &Scope, id: i64, visit: Visit) -> Result<Inspection> {
                    let before = self.inspection(scope, id).await?;
                    let mut txn = self.begin_as(scope, Action::Score).await?;
                    if !Self::in_subtree(&mut *txn.tx, scope.root, before.unit_id).await? {
                        return Err(StoreError::NotFound);
                    }
                    sqlx::query("UPDATE inspections SET visited_on = $2, record = $3 WHERE id = $1")
                        .bind(id)
                        .bind(visit.visited_on)
                        .bind(&visit.record)
                        .execute(&mut *txn.tx)
                        .await?;
                    txn.audit(
                        AuditDraft::new("inspection", id, "visit")
                            .unit(before.target_unit_id.0)
                            .after(&visit),
                    )
                    .await?;
                    txn.commit().await?;
                    self.inspection(scope, id).await
                }

                async fn add_finding(
                    &self,
                    scope: &Scope,
                    inspection: i64,
                    finding: NewFinding,
                    measures: &str,
                    deadline: chrono::NaiveDate,
                    required_evidence: &str,
                ) -> Result<Finding> {
                    let i = self.inspection(scope, inspection).await?;
                    if i.visited_on.is_none() {
                        return Err(StoreError::Invalid(FieldError::new(
                            "发现问题",
                            "请先填写督查记录（督查日期和情况），再登记发现的问题",
                        )));
                    }
                    let today = self.clock.now().date_naive();
                    let item = NewRectification::parse(
                        i.target_unit_id,
                        Source::Finding,
                        0,
                        &finding.description,
                        measures,
                        &deadline.to_string(),
                        required_evidence,
                        today,
                    )?;
                    let mut txn = self.begin_as(scope, Action::Score).await?;
                    if !Self::in_subtree(&mut *txn.tx, scope.root, i.unit_id).await? {
                        return Err(StoreError::NotFound);
                    }
                    let (fid,): (i64,) = sqlx::query_as(
                        "INSERT INTO inspection_findings (inspection_id, category, severity, description, created_at) \
                         VALUES ($1, $2, $3, $4, $5) RETURNING id",
                    )
                    .bind(inspection)
                    .bind(&finding.category)
                    .bind(finding.severity.code())
                    .bind(&finding.description)
                    .bind(txn.now)
                    .fetch_one(&mut *txn.tx)
                    .await?;
                    txn.audit(
                        AuditDraft::new("inspection_finding", fid, "create")
                            .unit(i.target_unit_id.0)
                            .after(&finding),
                    )
                    .await?;
                    let item = NewRectification { source_id: fid, ..item };
                    Self::assessment_insert_rect(&mut txn, i.unit_id, &item, today).await?;
                    txn.commit().await?;
                    self.assessment_findings(inspection)
                        .await?
                        .into_iter()
                        .find(|f| f.id == fid)
                        .ok_or(StoreError::NotFound)
                }

                async fn finding_inspection(&self, scope: &Scope, finding: i64) -> Result<i64> {
                    let row: Option<(i64,)> =
                        sqlx::query_as("SELECT inspection_id FROM inspection_findings WHERE id = $1")
                            .bind(finding)
                            .fetch_optional(&self.pool)
                            .await?;
                    let (id,) = row.ok_or(StoreError::NotFound)?;
                    self.inspection(scope, id).await.map(|i| i.id)
                }

                async fn create_rectification(&self, scope: &Scope, item: NewRectification) -> Result<Rectification> {
                    let mut txn = self.begin_as(scope, Action::Score).await?;
                    let owner = Self::scoped_unit(&mut *txn.tx, scope, item.owner_unit).await?;
                    let today = self.clock.now().date_naive();
                    let id = Self::assessment_insert_rect(&mut txn, scope.root, &NewRectification {
                        owner_unit: owner.id,
                        ..item
                    }, today)
                    .await?;
                    txn.commit().await?;
                    self.rectification(scope, id).await
                }

                async fn rectifications(
                    &self,
                    scope: &Scope,
                    filter: &RectificationFilter,
                ) -> Result<Vec<Rectification>> {
                    let owner = self.filter_root(scope, filter.owner).await?;
                    let today = self.clock.now().date_naive();
                    let rows: Vec<RectRow> = sqlx::query_as(&sql(&[
                        RECT_COLUMNS,
                        "WHERE ",
                        RECT_VISIBLE,
                        " AND ($2 IS NULL OR r.state = $2) \
                         AND ($3 = 0 OR (r.state <> 'closed' AND r.deadline < $4)) \
                         AND ($5 = $1 OR EXISTS (SELECT 1 FROM unit_closure c5 WHERE c5.ancestor_id = $5 \
                         AND c5.descendant_id = r.owner_unit_id)) \
                         ORDER BY CASE WHEN r.state = 'closed' THEN 1 ELSE 0 END, r.deadline, r.id",
                    ]))
                    .bind(scope.root.0)
                    .bind(filter.state.map(|s| s.code()))
                    .bind(i64::from(filter.overdue))
                    .bind(today)
                    .bind(owner.0)
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(rows.into_iter().map(rect_from).collect())
                }

                async fn rectification(&self, scope: &Scope, id: i64) -> Result<Rectification> {
                    let mut item = Self::assessment_rect_row(&self.pool, scope, id).await?;
                    let rows: Vec<(DateTime<Utc>, String, String, String, String, String)> = sqlx::query_as(
                        "SELECT at, actor_name, step, from_state, to_state, note FROM rectification_events \
                         WHERE rectification_id = $1 ORDER BY id",
                    )
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await?;
                    let label = |code: &str| State::from_code(code).map_or("", |s| s.label()).to_string();
                    item.events = rows
                        .into_iter()
                        .map(|(at, actor_name, step, from, to, note)| Event {
                            at: at.format("%Y-%m-%d %H:%M").to_string(),
                            actor_name,
                            step: Step::parse(&step).map_or_else(
                                |_| if step == "create" { "交办".to_string() } else { "上传佐证".to_string() },
                                |s| s.label().to_string(),
                            ),
                            from_state: label(&from),
                            to_state: label(&to),
                            note,
                        })
                        .collect();
                    Ok(item)
                }

                async fn rectification_step(
                    &self,
                    scope: &Scope,
                    id: i64,
                    step: Step,
                    note: &str,
                ) -> Result<Rectification> {
                    let needs = match step.side() {
                        rect::Side::Owner => Action::Write,
                        rect::Side::Inspector => Action::Score,
                    };
                    let note = shoutu_domain::field::text("说明", note, false, 2000)?;
                    let mut txn = self.begin_as(scope, needs).await?;
                    let item = Self::assessment_rect_row(&mut *txn.tx, scope, id).await?;
                    let side_unit = match step.side() {
                        rect::Side::Owner => item.owner_unit_id,
                        rect::Side::Inspector => item.issuer_unit_id,
                    };
                    if !Self::in_subtree(&mut *txn.tx, scope.root, side_unit).await? {
                        return Err(StoreError::Invalid(FieldError::new(
                            "操作",
                            match step.side() {
                                rect::Side::Owner => "只有整改责任单位可以报送进展和提请验收",
                                rect::Side::Inspector => "只有交办整改的督查方可以验收、退回或重新打开",
                            },
                        )));
                    }
                    let (evidence,): (i64,) = sqlx::query_as(
                        "SELECT COUNT(*) FROM attachments WHERE record_type = 'rectification' AND record_id = $1",
                    )
                    .bind(id)
                    .fetch_one(&mut *txn.tx)
                    .await?;
                    let to = rect::transition(item.state, step, evidence as usize)?;
                    let today = txn.now.date_naive();
                    sqlx::query("UPDATE rectifications SET state = $2, closed_on = $3 WHERE id = $1")
                        .bind(id)
                        .bind(to.code())
                        .bind((to == State::Closed).then_some(today))
                        .execute(&mut *txn.tx)
                        .await?;
                    Self::assessment_log_step(&mut txn, &item, step.code(), to, &note).await?;
                    txn.audit(
                        AuditDraft::new("rectification", id, step.code())
                            .unit(item.owner_unit_id.0)
                            .before(item.state.code())
                            .after(serde_json::json!({ "state": to.code(), "note": note })),
                    )
                    .await?;
                    txn.commit().await?;
                    self.rectification(scope, id).await
                }

                async fn add_rectification_evidence(
                    &self,
                    scope: &Scope,
                    id: i64,
                    files: Vec<NewAttachment>,
                    note: &str,
                ) -> Result<Rectification> {
                    if files.is_empty() {
                        return Err(StoreError::Invalid(FieldError::new("佐证材料", "请选择要上传的文件")));
                    }
                    let mut txn = self.begin_as(scope, Action::Write).await?;
                    let item = Self::assessment_rect_row(&mut *txn.tx, scope, id).await?;
                    if !Self::in_subtree(&mut *txn.tx, scope.root, item.owner_unit_id).await? {
                        return Err(StoreError::Invalid(FieldError::new(
                            "佐证材料",
                            "整改佐证由整改责任单位上传",
                        )));
                    }
                    if matches!(item.state, State::Closed | State::Submitted) {
                        return Err(StoreError::Invalid(FieldError::new(
                            "佐证材料",
                            format!("「{}」状态的事项不能再添加佐证", item.state.label()),
                        )));
                    }
                    for f in &files {
                        if f.record_type != "rectification" || f.record_id != id {
                            return Err(StoreError::NotFound);
                        }
                        Self::insert_attachment(&mut txn, item.owner_unit_id, f).await?;
                    }
                    let names: Vec<&str> = files.iter().map(|f| f.file_name.as_str()).collect();
                    let note = match note.trim() {
                        "" => format!("上传佐证：{}", names.join("、")),
                        n => format!("{n}（佐证：{}）", names.join("、")),
                    };
                    Self::assessment_log_step(&mut txn, &item, "evidence", item.state, &note).await?;
                    txn.commit().await?;
                    self.rectification(scope, id).await
                }

                async fn cadre_records(
                    &self,
                    scope: &Scope,
                    unit: UnitId,
                    from: chrono::NaiveDate,
                    until: chrono::NaiveDate,
                ) -> Result<Vec<CadreRecord>> {
                    let unit = Self::scoped_unit(&self.pool, scope, unit).await?;
                    let hosted: Vec<(i64, i64, chrono::NaiveDate, String)> = sqlx::query_as(
                        "SELECT a.host_person_id, a.id, a.date, a.topic FROM activities a JOIN people p \
                         ON p.id = a.host_person_id WHERE p.unit_id = $1 AND a.date >= $2 AND a.date <= $3 \
                         ORDER BY a.date, a.id",
                    )
                    .bind(unit.id.0)
                    .bind(from)
                    .bind(until)
                    .fetch_all(&self.pool)
                    .await?;
                    let led: Vec<(i64, i64, chrono::NaiveDate, String)> = sqlx::query_as(
                        "SELECT pi.lead_person_id, pi.id, pi.deadline, pi.title FROM plan_items pi JOIN people p \
                         ON p.id = pi.lead_person_id WHERE p.unit_id = $1 AND pi.deadline >= $2 \
                         AND pi.deadline <= $3 ORDER BY pi.deadline, pi.id",
                    )
                    .bind(unit.id.0)
                    .bind(from)
                    .bind(until)
                    .fetch_all(&self.pool)
                    .await?;
                    let mut out: Vec<CadreRecord> = hosted
                        .into_iter()
                        .map(|(person_id, id, date, title)| CadreRecord {
                            person_id,
                            kind: "activity",
                            id,
                            date,
                            title,
                        })
                        .collect();
                    out.extend(led.into_iter().map(|(person_id, id, date, title)| CadreRecord {
                        person_id,
                        kind: "plan_item",
                        id,
                        date,
                        title,
                    }));
                    Ok(out)
                }
            }
        }
    };
}
pub(crate) use impl_assessment;
