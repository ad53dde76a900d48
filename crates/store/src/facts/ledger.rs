//! Fact rows of the work ledger, letters, plans, duties and conduct records.
//!
//! Every query returns (owning unit, record id, value) for the records of one subtree; the
//! value is an integer (1 for counts, 0/1 for rates) cast to BIGINT so both backends decode it
//! alike.

pub(crate) const ACTIVITY_ROWS: &str = "SELECT a.unit_id, a.id, CAST(1 AS BIGINT) FROM activities a \
     JOIN unit_closure c ON c.descendant_id = a.unit_id \
     WHERE c.ancestor_id = $1 AND a.date >= $2 AND a.date <= $3";

pub(crate) const LETTER_COPY_ROWS: &str = "SELECT lc.unit_id, lc.id, \
     CAST(CASE WHEN lc.signed_on IS NOT NULL AND lc.signed_on <= $3 THEN 1 ELSE 0 END AS BIGINT) \
     FROM letter_copies lc JOIN letters l ON l.id = lc.letter_id \
     JOIN unit_closure c ON c.descendant_id = lc.unit_id \
     WHERE c.ancestor_id = $1 AND l.year >= $4 AND l.year <= $5 AND $2 <= $3";

pub(crate) const SIGNED_ROWS: &str = "SELECT lc.unit_id, lc.id, CAST(1 AS BIGINT) FROM letter_copies lc \
     JOIN unit_closure c ON c.descendant_id = lc.unit_id \
     WHERE c.ancestor_id = $1 AND lc.signed_on >= $2 AND lc.signed_on <= $3";

pub(crate) const TASKS_DONE_ROWS: &str = "SELECT t.unit_id, t.id, CAST(1 AS BIGINT) FROM tasks t \
     JOIN unit_closure c ON c.descendant_id = t.unit_id \
     WHERE c.ancestor_id = $1 AND t.done_on >= $2 AND t.done_on <= $3";

/// `$3` is the as-of date: the period's end, or today when the period is not over yet.
pub(crate) const TASKS_OVERDUE_ROWS: &str = "SELECT t.unit_id, t.id, CAST(1 AS BIGINT) FROM tasks t \
     JOIN unit_closure c ON c.descendant_id = t.unit_id \
     WHERE c.ancestor_id = $1 AND t.deadline < $3 AND (t.done_on IS NULL OR t.done_on > $3) AND $2 <= $3";

pub(crate) const TASKS_ON_TIME_ROWS: &str = "SELECT t.unit_id, t.id, \
     CAST(CASE WHEN t.done_on IS NOT NULL AND t.done_on <= t.deadline THEN 1 ELSE 0 END AS BIGINT) FROM tasks t \
     JOIN unit_closure c ON c.descendant_id = t.unit_id \
     WHERE c.ancestor_id = $1 AND t.deadline >= $2 AND t.deadline <= $3";

pub(crate) const NEXT_PLAN_ROWS: &str = "SELECT p.unit_id, p.id, CAST(1 AS BIGINT) FROM plan_items p \
     JOIN unit_closure c ON c.descendant_id = p.unit_id \
     WHERE c.ancestor_id = $1 AND p.year = $2";

pub(crate) const FIRST_RESPONSIBLE_ROWS: &str = "SELECT d.unit_id, d.id, CAST(1 AS BIGINT) FROM duties d \
     JOIN unit_closure c ON c.descendant_id = d.unit_id \
     WHERE c.ancestor_id = $1 AND d.role = 'first_responsible' AND d.start_date <= $3 \
     AND (d.end_date IS NULL OR d.end_date >= $3) AND $2 <= $3";

pub(crate) const VIOLATION_ROWS: &str = "SELECT p.unit_id, v.id, CAST(1 AS BIGINT) FROM conduct_violations v \
     JOIN people p ON p.id = v.person_id JOIN unit_closure c ON c.descendant_id = p.unit_id \
     WHERE c.ancestor_id = $1 AND v.date >= $2 AND v.date <= $3";

macro_rules! impl_ledger_facts {
    ($store:ty, $db:ty) => {
        impl $store {
            /// Rows from a query bound to (root, from, until[, extra text]); shared by every
            /// register whose fact queries take those parameters.
            pub(crate) async fn fact_dated_rows(
                &self,
                query: &str,
                kind: &str,
                root: UnitId,
                from: chrono::NaiveDate,
                until: chrono::NaiveDate,
                extra: Option<&str>,
            ) -> Result<Vec<FactRow>> {
                let mut q = sqlx::query_as::<_, (i64, i64, i64)>(query)
                    .bind(root.0)
                    .bind(from)
                    .bind(until);
                if let Some(extra) = extra {
                    q = q.bind(extra.to_string());
                }
                Ok(crate::facts::rows_of(kind, q.fetch_all(&self.pool).await?))
            }

            /// The day a state-like fact is read on: the period's end, or today if sooner.
            fn fact_as_of(&self, range: DateRange) -> chrono::NaiveDate {
                range.until.min(self.clock.now().date_naive())
            }

            pub(crate) async fn ledger_fact_rows(
                &self,
                root: UnitId,
                key: &str,
                range: DateRange,
            ) -> Result<Option<Vec<FactRow>>> {
                use crate::facts::ledger::*;
                use chrono::Datelike;
                let (family, param) = shoutu_domain::fact::split_key(key);
                let (from, until) = (range.from, range.until);
                let rows = match (family, param) {
                    ("activity.all", None) => {
                        self.fact_dated_rows(ACTIVITY_ROWS, "activity", root, from, until, None)
                            .await?
                    }
                    ("activity.type", Some(code)) => {
                        let q = sql(&[ACTIVITY_ROWS, " AND a.type_code = $4"]);
                        self.fact_dated_rows(&q, "activity", root, from, until, Some(code))
                            .await?
                    }
                    ("activity.tag", Some(tag)) => {
                        let q = sql(&[
                            ACTIVITY_ROWS,
                            " AND EXISTS (SELECT 1 FROM activity_tags t WHERE t.activity_id = a.id AND t.tag = $4)",
                        ]);
                        self.fact_dated_rows(&q, "activity", root, from, until, Some(tag))
                            .await?
                    }
                    ("letter.signed_rate", None) => {
                        let rows: Vec<(i64, i64, i64)> = sqlx::query_as(LETTER_COPY_ROWS)
                            .bind(root.0)
                            .bind(from)
                            .bind(self.fact_as_of(range))
                            .bind(from.year())
                            .bind(until.year())
                            .fetch_all(&self.pool)
                            .await?;
                        crate::facts::rows_of("letter_copy", rows)
                    }
                    ("letter.signed", None) => {
                        self.fact_dated_rows(SIGNED_ROWS, "letter_copy", root, from, until, None)
                            .await?
                    }
                    ("task.done", None) => {
                        self.fact_dated_rows(TASKS_DONE_ROWS, "task", root, from, until, None)
                            .await?
                    }
                    ("task.overdue", None) => {
                        self.fact_dated_rows(
                            TASKS_OVERDUE_ROWS,
                            "task",
                            root,
                            from,
                            self.fact_as_of(range),
                            None,
                        )
                        .await?
                    }
                    ("task.on_time_rate", None) => {
                        self.fact_dated_rows(
                            TASKS_ON_TIME_ROWS,
                            "task",
                            root,
                            from,
                            self.fact_as_of(range),
                            None,
                        )
                        .await?
                    }
                    ("plan.next_items", None) => {
                        let rows: Vec<(i64, i64, i64)> = sqlx::query_as(NEXT_PLAN_ROWS)
                            .bind(root.0)
                            .bind(until.year() + 1)
                            .fetch_all(&self.pool)
                            .await?;
                        crate::facts::rows_of("plan_item", rows)
                    }
                    ("duty.first_responsible", None) => {
                        self.fact_dated_rows(
                            FIRST_RESPONSIBLE_ROWS,
                            "duty",
                            root,
                            from,
                            self.fact_as_of(range),
                            None,
                        )
                        .await?
                    }
                    ("conduct.violations", None) => {
                        self.fact_dated_rows(VIOLATION_ROWS, "conduct_violation", root, from, until, None)
                            .await?
                    }
                    _ => return Ok(None),
                };
                Ok(Some(rows))
            }
        }
    };
}
pub(crate) use impl_ledger_facts;
