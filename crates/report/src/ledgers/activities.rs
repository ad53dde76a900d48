//! 工作台账: every activity of the year in the subtree.

use super::{Cell, Ledger, LedgerContext, Sheet};
use async_trait::async_trait;
use shoutu_domain::PageRequest;
use shoutu_store::{ActivityFilter, StoreError};

pub struct Activities;

#[async_trait]
impl Ledger for Activities {
    fn name(&self) -> &'static str {
        "工作台账"
    }

    async fn sheet(&self, cx: &LedgerContext<'_>) -> Result<Sheet, StoreError> {
        let filter = ActivityFilter {
            unit: Some(cx.unit.id),
            include_subunits: true,
            from: Some(cx.first_day()),
            until: Some(cx.last_day()),
            ..Default::default()
        };
        let mut rows = Vec::new();
        let mut page = 1;
        loop {
            let request = PageRequest::new(Some(page), Some(PageRequest::MAX_PER_PAGE));
            let found = cx.store.activities(cx.scope, &filter, request).await?;
            for a in &found.items {
                let kind = cx
                    .catalogue
                    .get(&a.type_code)
                    .map_or(a.type_code.as_str(), |k| k.name.as_str());
                rows.push(vec![
                    Cell::Date(a.date),
                    a.unit_name.as_str().into(),
                    kind.into(),
                    a.topic.as_str().into(),
                    a.host.as_ref().map_or(Cell::Empty, |(_, n)| n.as_str().into()),
                    (a.participants.len() as i64 + a.others).into(),
                    a.tags.join("、").into(),
                    a.summary.as_str().into(),
                    a.attachments.into(),
                ]);
            }
            if page * found.per_page >= found.total {
                break;
            }
            page += 1;
        }
        Ok(Sheet {
            headers: vec![
                "日期",
                "单位",
                "类型",
                "主题",
                "主持人",
                "参加人数",
                "计入台账",
                "内容摘要",
                "附件数",
            ],
            rows,
        })
    }
}
