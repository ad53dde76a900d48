//! Reports (工作报告): drafts with the user's prose per section, and finalised reports whose
//! text and figures are frozen with the record ids they came from.

use crate::Result;
use async_trait::async_trait;
use shoutu_domain::report::{Finalise, FrozenFigure, NewReport, ReportRecord};
use shoutu_domain::{Scope, UnitId};
use std::collections::BTreeMap;

#[async_trait]
pub trait ReportStore: Send + Sync {
    /// Starts a draft for a unit in the scope.
    async fn create_report(&self, scope: &Scope, report: NewReport) -> Result<ReportRecord>;
    /// Reports of units in the scope (of one unit when given), newest year first.
    async fn reports(&self, scope: &Scope, unit: Option<UnitId>, year: Option<i32>) -> Result<Vec<ReportRecord>>;
    async fn report(&self, scope: &Scope, id: i64) -> Result<ReportRecord>;
    /// Replaces the user's prose of a draft; a finalised report is never changed.
    async fn save_report_prose(&self, scope: &Scope, id: i64, prose: BTreeMap<String, String>) -> Result<ReportRecord>;
    /// Freezes the text and figures. Refused when the proofreader found errors and no reason
    /// for overriding it is given.
    async fn finalise_report(&self, scope: &Scope, id: i64, finalise: Finalise) -> Result<ReportRecord>;
    /// The frozen figures of a finalised report, in the order the text quotes them.
    async fn report_figures(&self, scope: &Scope, id: i64) -> Result<Vec<FrozenFigure>>;
}

pub(crate) const REPORT_COLUMNS: &str = "SELECT r.id, r.unit_id, u.name AS unit_name, r.kind, r.year, \
     CAST(r.period AS BIGINT) AS period, r.title, r.prose, r.state, r.frozen, r.finalised_at, r.finalised_by, \
     r.override_reason, r.created_at, r.updated_at \
     FROM reports r JOIN units u ON u.id = r.unit_id \
     JOIN unit_closure c ON c.descendant_id = r.unit_id WHERE c.ancestor_id = $1";

#[derive(sqlx::FromRow)]
pub(crate) struct ReportRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub kind: String,
    pub year: i32,
    pub period: i64,
    pub title: String,
    pub prose: String,
    pub state: String,
    pub frozen: Option<String>,
    pub finalised_at: Option<chrono::DateTime<chrono::Utc>>,
    pub finalised_by: Option<String>,
    pub override_reason: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<ReportRow> for ReportRecord {
    fn from(r: ReportRow) -> Self {
        ReportRecord {
            id: r.id,
            unit_id: UnitId(r.unit_id),
            unit_name: r.unit_name,
            kind: r.kind,
            period: shoutu_domain::report::ReportPeriod::from_code(r.year, r.period),
            title: r.title,
            prose: serde_json::from_str(&r.prose).unwrap_or_default(),
            state: shoutu_domain::report::ReportState::parse(&r.state),
            frozen: r.frozen,
            finalised_at: r.finalised_at,
            finalised_by: r.finalised_by,
            override_reason: r.override_reason,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// Prose is free text but not unbounded: a section's own words, not a whole archive.
pub(crate) const MAX_PROSE_CHARS: usize = 20_000;

macro_rules! impl_report {
    ($store:ty, $db:ty) => {
        mod report_impl {
            use super::*;
            use crate::report::{MAX_PROSE_CHARS, REPORT_COLUMNS, ReportRow};
            use shoutu_domain::field::classification_mark;
            use shoutu_domain::report::{Finalise, FrozenFigure, NewReport, ReportRecord};
            use std::collections::BTreeMap;

            impl $store {
                async fn report_draft_for_write(txn: &mut Txn, scope: &Scope, id: i64) -> Result<ReportRecord> {
                    let row: Option<ReportRow> = sqlx::query_as(&sql(&[REPORT_COLUMNS, " AND r.id = $2"]))
                        .bind(scope.root.0)
                        .bind(id)
                        .fetch_optional(&mut *txn.tx)
                        .await?;
                    let report = row.map(ReportRecord::from).ok_or(StoreError::NotFound)?;
                    if report.is_final() {
                        return Err(StoreError::Invalid(FieldError::new(
                            "报告",
                            "该报告已定稿，不能再修改；如需修改请新建一份报告",
                        )));
                    }
                    Ok(report)
                }
            }

            #[async_trait]
            impl crate::ReportStore for $store {
                async fn create_report(&self, scope: &Scope, report: NewReport) -> Result<ReportRecord> {
                    let mut txn = self.begin_as(scope, Action::Write).await?;
                    let unit = Self::scoped_unit(&mut *txn.tx, scope, report.unit_id).await?;
                    let title = report.title.trim();
                    if title.is_empty() {
                        return Err(StoreError::Invalid(FieldError::new("标题", "请填写报告标题")));
                    }
                    if report.kind.trim().is_empty() {
                        return Err(StoreError::Invalid(FieldError::new("报告类型", "请选择报告类型")));
                    }
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO reports (unit_id, kind, year, period, title, prose, state, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, '{}', 'draft', $6, $6) RETURNING id",
                    )
                    .bind(unit.id.0)
                    .bind(&report.kind)
                    .bind(report.period.year)
                    .bind(report.period.code() as i32)
                    .bind(title)
                    .bind(txn.now)
                    .fetch_one(&mut *txn.tx)
                    .await?;
                    txn.audit(AuditDraft::new("report", id, "create").unit(unit.id.0).after(&report)).await?;
                    txn.commit().await?;
                    self.report(scope, id).await
                }

                async fn reports(&self, scope: &Scope, unit: Option<UnitId>, year: Option<i32>) -> Result<Vec<ReportRecord>> {
                    let root = self.filter_root(scope, unit).await?;
                    let rows: Vec<ReportRow> = match year {
                        Some(year) => sqlx::query_as(&sql(&[REPORT_COLUMNS, " AND r.year = $2 ORDER BY r.year DESC, r.id DESC"]))
                            .bind(root.0)
                            .bind(year)
                            .fetch_all(&self.pool)
                            .await?,
                        None => sqlx::query_as(&sql(&[REPORT_COLUMNS, " ORDER BY r.year DESC, r.id DESC"]))
                            .bind(root.0)
                            .fetch_all(&self.pool)
                            .await?,
                    };
                    Ok(rows.into_iter().map(ReportRecord::from).collect())
                }

                async fn report(&self, scope: &Scope, id: i64) -> Result<ReportRecord> {
                    let row: Option<ReportRow> = sqlx::query_as(&sql(&[REPORT_COLUMNS, " AND r.id = $2"]))
                        .bind(scope.root.0)
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?;
                    row.map(ReportRecord::from).ok_or(StoreError::NotFound)
                }

                async fn save_report_prose(
                    &self,
                    scope: &Scope,
                    id: i64,
                    prose: BTreeMap<String, String>,
                ) -> Result<ReportRecord> {
                    let mut txn = self.begin_as(scope, Action::Write).await?;
                    let before = Self::report_draft_for_write(&mut txn, scope, id).await?;
                    let prose: BTreeMap<String, String> = prose
                        .into_iter()
                        .map(|(k, v)| (k, v.trim().replace("\r\n", "\n")))
                        .filter(|(_, v)| !v.is_empty())
                        .collect();
                    for (section, text) in &prose {
                        if text.chars().count() > MAX_PROSE_CHARS {
                            return Err(StoreError::Invalid(FieldError::new(
                                "正文",
                                format!("「{section}」一节超过 {MAX_PROSE_CHARS} 字，请精简"),
                            )));
                        }
                        if let Some(mark) = classification_mark(text) {
                            return Err(StoreError::Invalid(FieldError::new(
                                "正文",
                                format!("「{section}」一节含有密级标志「{mark}」：涉密内容不得录入本系统"),
                            )));
                        }
                    }
                    let json = serde_json::to_string(&prose).expect("prose serialises");
                    sqlx::query("UPDATE reports SET prose = $1, updated_at = $2 WHERE id = $3")
                        .bind(&json)
                        .bind(txn.now)
                        .bind(id)
                        .execute(&mut *txn.tx)
                        .await?;
                    txn.audit(
                        AuditDraft::new("report", id, "update")
                            .unit(before.unit_id.0)
                            .before(&before.prose)
                            .after(&prose),
                    )
                    .await?;
                    txn.commit().await?;
                    self.report(scope, id).await
                }

                async fn finalise_report(&self, scope: &Scope, id: i64, finalise: Finalise) -> Result<ReportRecord> {
                    // Whoever writes the unit's records, or the leader who signs, may finalise.
                    if !(scope.permits(Action::Write) || scope.permits(Action::SignOff)) {
                        return Err(StoreError::Forbidden);
                    }
                    let mut txn = self.begin_as(scope, Action::Read).await?;
                    let before = Self::report_draft_for_write(&mut txn, scope, id).await?;
                    let reason = finalise.override_reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
                    if finalise.errors > 0 && reason.is_none() {
                        return Err(StoreError::Invalid(FieldError::new(
                            "审校意见",
                            format!("审校发现 {} 处错误：请先修改，或写明不予修改的理由后再定稿", finalise.errors),
                        )));
                    }
                    sqlx::query(
                        "UPDATE reports SET state = 'final', frozen = $1, finalised_at = $2, finalised_by = $3, \
                         override_reason = $4, updated_at = $2 WHERE id = $5",
                    )
                    .bind(&finalise.frozen)
                    .bind(txn.now)
                    .bind(&scope.actor_name)
                    .bind(reason)
                    .bind(id)
                    .execute(&mut *txn.tx)
                    .await?;
                    for (position, figure) in finalise.figures.iter().enumerate() {
                        Self::scoped_unit(&mut *txn.tx, scope, figure.unit_id).await?;
                        sqlx::query(
                            "INSERT INTO report_figures (report_id, position, fact_key, unit_id, date_from, date_until, \
                             value, evidence) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                        )
                        .bind(id)
                        .bind(position as i32)
                        .bind(&figure.key)
                        .bind(figure.unit_id.0)
                        .bind(figure.range.0)
                        .bind(figure.range.1)
                        .bind(figure.value)
                        .bind(serde_json::to_string(&figure.evidence).expect("evidence serialises"))
                        .execute(&mut *txn.tx)
                        .await?;
                    }
                    txn.audit(
                        AuditDraft::new("report", id, "finalise")
                            .unit(before.unit_id.0)
                            .after(serde_json::json!({
                                "figures": finalise.figures.len(),
                                "errors": finalise.errors,
                                "override_reason": reason,
                            })),
                    )
                    .await?;
                    txn.commit().await?;
                    self.report(scope, id).await
                }

                async fn report_figures(&self, scope: &Scope, id: i64) -> Result<Vec<FrozenFigure>> {
                    self.report(scope, id).await?;
                    let rows: Vec<(String, i64, chrono::NaiveDate, chrono::NaiveDate, Option<f64>, String)> = sqlx::query_as(
                        "SELECT fact_key, unit_id, date_from, date_until, value, evidence FROM report_figures \
                         WHERE report_id = $1 ORDER BY position",
                    )
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(rows
                        .into_iter()
                        .map(|(key, unit, from, until, value, evidence)| FrozenFigure {
                            key,
                            unit_id: UnitId(unit),
                            range: (from, until),
                            value,
                            evidence: serde_json::from_str(&evidence).unwrap_or_default(),
                        })
                        .collect())
                }
            }
        }
    };
}
pub(crate) use impl_report;
