//! 媒体刊发: the year's coverage of the subtree's work in the media.

use super::{Cell, Ledger, LedgerContext, Sheet};
use async_trait::async_trait;
use shoutu_store::StoreError;

pub struct Coverage;

#[async_trait]
impl Ledger for Coverage {
    fn name(&self) -> &'static str {
        "媒体刊发"
    }

    async fn sheet(&self, cx: &LedgerContext<'_>) -> Result<Sheet, StoreError> {
        let mut items = cx.store.coverage(cx.scope, cx.first_day(), cx.last_day()).await?;
        items.sort_by_key(|c| (c.date, c.id));
        let rows = items
            .iter()
            .map(|c| {
                vec![
                    Cell::Date(c.date),
                    c.unit_name.as_str().into(),
                    c.outlet.as_str().into(),
                    c.level.label().into(),
                    c.title.as_str().into(),
                    c.link.as_str().into(),
                ]
            })
            .collect();
        Ok(Sheet {
            headers: vec!["刊发日期", "单位", "媒体", "级别", "标题", "链接"],
            rows,
        })
    }
}
