//! The search index's feed: the audit log read in order, without a scope.
//!
//! Every write appends an audit entry naming its record, its unit and the record's new
//! state, so indexing the log keeps search in step with every register, including ones added
//! later, without each register knowing about search. Scoping happens when the index is
//! queried (by the unit ids of the caller's subtree), not here: this feed is for the indexer
//! only and must never reach a page.

use crate::Result;
use async_trait::async_trait;
use shoutu_domain::audit::AuditEntry;

#[async_trait]
pub trait SearchFeedStore: Send + Sync {
    /// Up to `limit` audit entries with `seq > after_seq`, oldest first. Unscoped: for the
    /// search indexer only.
    async fn search_feed_after(&self, after_seq: i64, limit: i64) -> Result<Vec<AuditEntry>>;
    /// The newest audit seq (0 for an empty log): lets the indexer skip work when in step.
    async fn search_feed_head(&self) -> Result<i64>;
}

macro_rules! impl_search {
    ($store:ty, $db:ty) => {
        mod search_impl {
            use super::*;

            #[async_trait]
            impl crate::SearchFeedStore for $store {
                async fn search_feed_after(&self, after_seq: i64, limit: i64) -> Result<Vec<AuditEntry>> {
                    let rows: Vec<AuditRow> = sqlx::query_as(&sql(&[
                        AUDIT_COLUMNS,
                        "FROM audit_log a WHERE a.seq > $1 ORDER BY a.seq LIMIT $2",
                    ]))
                    .bind(after_seq)
                    .bind(limit.max(1))
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(rows.into_iter().map(AuditEntry::from).collect())
                }

                async fn search_feed_head(&self) -> Result<i64> {
                    let (seq,): (i64,) = sqlx::query_as("SELECT CAST(seq AS BIGINT) FROM audit_head WHERE id = 1")
                        .fetch_one(&self.pool)
                        .await?;
                    Ok(seq)
                }
            }
        }
    };
}
pub(crate) use impl_search;
