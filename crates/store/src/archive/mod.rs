//! What a unit's yearly archive (档案) files: every attachment of the records of a subtree
//! that belong to a year.

use crate::Result;
use async_trait::async_trait;
use chrono::NaiveDate;
use shoutu_domain::attachment::Attachment;
use shoutu_domain::{Scope, UnitId};

/// An attachment with the day its record is filed under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiledAttachment {
    pub attachment: Attachment,
    /// The record's own date where it has one (an activity's day, a copy's signing), else
    /// the day the file was uploaded.
    pub date: NaiveDate,
}

#[async_trait]
pub trait ArchiveStore: Send + Sync {
    /// The attachments of records in the subtree of `unit` (inside the scope) that belong to
    /// `year`: activities by their date, letter copies by the letter's year, tasks by their
    /// plan's year, any other record by the upload day. Ordered by record kind, date, id.
    async fn archive_attachments(&self, scope: &Scope, unit: UnitId, year: i32) -> Result<Vec<FiledAttachment>>;
}

/// Records without a year of their own fall back to the upload time (China Standard Time).
pub(crate) fn filed_on(
    activity_date: Option<NaiveDate>,
    signed_on: Option<NaiveDate>,
    deadline: Option<NaiveDate>,
    created_at: chrono::DateTime<chrono::Utc>,
) -> NaiveDate {
    let uploaded = (created_at + chrono::Duration::hours(8)).date_naive();
    activity_date.or(signed_on).or(deadline).unwrap_or(uploaded)
}

macro_rules! impl_archive {
    ($store:ty, $db:ty) => {
        mod archive_impl {
            use super::*;
            use crate::archive::{FiledAttachment, filed_on};
            use chrono::{Datelike, NaiveDate};

            #[derive(sqlx::FromRow)]
            struct FiledRow {
                id: i64,
                sha256: String,
                size: i64,
                media_type: String,
                file_name: String,
                unit_id: i64,
                record_type: String,
                record_id: i64,
                created_at: DateTime<Utc>,
                activity_date: Option<NaiveDate>,
                signed_on: Option<NaiveDate>,
                letter_year: Option<i64>,
                deadline: Option<NaiveDate>,
                plan_year: Option<i64>,
            }

            const FILED: &str = "SELECT f.id, f.sha256, f.size, f.media_type, f.file_name, f.unit_id, f.record_type, \
                 f.record_id, f.created_at, a.date AS activity_date, lc.signed_on, CAST(l.year AS BIGINT) AS letter_year, \
                 t.deadline, CAST(pi.year AS BIGINT) AS plan_year \
                 FROM attachments f JOIN unit_closure c ON c.descendant_id = f.unit_id \
                 LEFT JOIN activities a ON f.record_type = 'activity' AND a.id = f.record_id \
                 LEFT JOIN letter_copies lc ON f.record_type = 'letter_copy' AND lc.id = f.record_id \
                 LEFT JOIN letters l ON l.id = lc.letter_id \
                 LEFT JOIN tasks t ON f.record_type = 'task' AND t.id = f.record_id \
                 LEFT JOIN plan_items pi ON pi.id = t.plan_item_id \
                 WHERE c.ancestor_id = $1 AND ";
            const FILED_ORDER: &str = " ORDER BY f.record_type, f.id";

            #[async_trait]
            impl crate::ArchiveStore for $store {
                async fn archive_attachments(&self, scope: &Scope, unit: UnitId, year: i32) -> Result<Vec<FiledAttachment>> {
                    if !scope.permits(Action::Read) {
                        return Err(StoreError::Forbidden);
                    }
                    let root = self.filter_root(scope, Some(unit)).await?;
                    let rows: Vec<FiledRow> = sqlx::query_as(&sql(&[FILED, crate::shared::ATTACHMENT_SHOWN, FILED_ORDER]))
                        .bind(root.0)
                        .fetch_all(&self.pool)
                        .await?;
                    let mut filed: Vec<FiledAttachment> = rows
                        .into_iter()
                        .filter_map(|r| {
                            let date = filed_on(r.activity_date, r.signed_on, r.deadline, r.created_at);
                            let record_year = r.letter_year.or(r.plan_year).unwrap_or(i64::from(date.year()));
                            (record_year == i64::from(year)).then(|| FiledAttachment {
                                attachment: Attachment {
                                    id: shoutu_domain::attachment::AttachmentId(r.id),
                                    sha256: r.sha256,
                                    size: r.size,
                                    media_type: r.media_type,
                                    file_name: r.file_name,
                                    unit_id: UnitId(r.unit_id),
                                    record_type: r.record_type,
                                    record_id: r.record_id,
                                },
                                date,
                            })
                        })
                        .collect();
                    filed.sort_by(|a, b| {
                        (&a.attachment.record_type, a.date, a.attachment.id.0)
                            .cmp(&(&b.attachment.record_type, b.date, b.attachment.id.0))
                    });
                    Ok(filed)
                }
            }
        }
    };
}
pub(crate) use impl_archive;
