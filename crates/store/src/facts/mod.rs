//! The fact queries: each register answers for its own key family with rows (unit, record,
//! value) over a subtree; rolling them up to units and measures happens once, in
//! `shoutu_domain::fact`.
//!
//! A register adds its family by writing an inherent `async fn <register>_fact_rows(&self,
//! root: UnitId, key: &str, range: DateRange) -> Result<Option<Vec<FactRow>>>` in its own
//! macro (returning `Ok(None)` for keys it does not know) and one line to `fact_rows_for` below.

pub(crate) mod ledger;

use crate::Result;
use async_trait::async_trait;
use shoutu_domain::fact::{DateRange, Fact, FactRow};
use shoutu_domain::{FieldError, Scope, UnitId};

#[async_trait]
pub trait FactStore: Send + Sync {
    /// The rows behind a fact for the subtree of `unit` (which must lie in the scope), or of
    /// the scope's root when `None`.
    async fn fact_rows(&self, scope: &Scope, key: &str, unit: Option<UnitId>, range: DateRange)
    -> Result<Vec<FactRow>>;

    /// One unit's fact with its evidence.
    async fn fact(&self, scope: &Scope, key: &str, unit: UnitId, range: DateRange) -> Result<Fact> {
        let rows = self.fact_rows(scope, key, Some(unit), range).await?;
        let refs: Vec<&FactRow> = rows.iter().collect();
        Ok(shoutu_domain::fact::fact_of(key, unit, &refs))
    }

    /// The fact for each of `units` (each over its own subtree), from one query over the
    /// scope: what rankings, roll-ups and assessment rounds use.
    async fn facts_by_unit(&self, scope: &Scope, key: &str, range: DateRange, units: &[UnitId]) -> Result<Vec<Fact>>;
}

/// Fact rows from a query's (unit, record id, value) triples, every register's fact queries
/// return that shape.
pub(crate) fn rows_of(kind: &str, rows: Vec<(i64, i64, i64)>) -> Vec<FactRow> {
    rows.into_iter()
        .map(|(unit, id, value)| FactRow {
            unit_id: UnitId(unit),
            record: shoutu_domain::fact::RecordRef::new(kind, id),
            value: value as f64,
        })
        .collect()
}

pub(crate) fn unknown_fact(key: &str) -> crate::StoreError {
    crate::StoreError::Invalid(FieldError::new("统计口径", format!("「{key}」不是已知的统计口径")))
}

macro_rules! impl_facts {
    ($store:ty, $db:ty) => {
        mod facts_impl {
            use super::*;
            use shoutu_domain::fact::{DateRange, Fact, FactRow};

            crate::facts::ledger::impl_ledger_facts!($store, $db);

            impl $store {
                /// Asks each register in turn; the first that knows the key answers.
                async fn fact_rows_for(&self, root: UnitId, key: &str, range: DateRange) -> Result<Vec<FactRow>> {
                    if shoutu_domain::fact::definition(key).is_none() {
                        return Err(crate::facts::unknown_fact(key));
                    }
                    if let Some(rows) = self.ledger_fact_rows(root, key, range).await? {
                        return Ok(rows);
                    }
                    if let Some(rows) = self.platform_fact_rows(root, key, range).await? {
                        return Ok(rows);
                    }
                    if let Some(rows) = self.assessment_fact_rows(root, key, range).await? {
                        return Ok(rows);
                    }
                    if let Some(rows) = self.opinion_fact_rows(root, key, range).await? {
                        return Ok(rows);
                    }
                    Err(crate::facts::unknown_fact(key))
                }
            }

            #[async_trait]
            impl crate::FactStore for $store {
                async fn fact_rows(
                    &self,
                    scope: &Scope,
                    key: &str,
                    unit: Option<UnitId>,
                    range: DateRange,
                ) -> Result<Vec<FactRow>> {
                    let root = self.filter_root(scope, unit).await?;
                    self.fact_rows_for(root, key, range).await
                }

                async fn facts_by_unit(
                    &self,
                    scope: &Scope,
                    key: &str,
                    range: DateRange,
                    units: &[UnitId],
                ) -> Result<Vec<Fact>> {
                    let rows: Vec<UnitRow> = sqlx::query_as(UNIT_COLUMNS)
                        .bind(scope.root.0)
                        .fetch_all(&self.pool)
                        .await?;
                    let tree: Vec<Unit> = rows.into_iter().map(Unit::from).collect();
                    let known: std::collections::HashSet<UnitId> = tree.iter().map(|u| u.id).collect();
                    if units.iter().any(|u| !known.contains(u)) {
                        return Err(StoreError::NotFound);
                    }
                    let rows = self.fact_rows_for(scope.root, key, range).await?;
                    Ok(shoutu_domain::fact::roll_up(key, &rows, &tree, units))
                }
            }
        }
    };
}
pub(crate) use impl_facts;
