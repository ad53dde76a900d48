//! 稿件发布: the year's publication log, with each published text's SHA-256.

use super::{Cell, Ledger, LedgerContext, Sheet, local_date};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use shoutu_store::StoreError;

pub struct Publications;

#[async_trait]
impl Ledger for Publications {
    fn name(&self) -> &'static str {
        "稿件发布"
    }

    async fn sheet(&self, cx: &LedgerContext<'_>) -> Result<Sheet, StoreError> {
        let mut publications = cx.store.publications(cx.scope, cx.first_day(), cx.last_day()).await?;
        publications.reverse(); // the store lists the newest first
        let rows = publications
            .iter()
            .map(|p| {
                let on = DateTime::parse_from_rfc3339(&p.published_at)
                    .map(|t| Cell::Date(local_date(t.with_timezone(&Utc))))
                    .unwrap_or_else(|_| p.published_at.as_str().into());
                vec![
                    on,
                    p.unit_name.as_str().into(),
                    p.title.as_str().into(),
                    p.platforms.as_str().into(),
                    p.sha256.as_str().into(),
                ]
            })
            .collect();
        Ok(Sheet {
            headers: vec!["发布日期", "单位", "标题", "发布平台", "SHA-256"],
            rows,
        })
    }
}
