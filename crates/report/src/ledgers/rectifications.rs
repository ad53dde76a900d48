//! 督查整改: the subtree's rectification items open at some time during the year (opened by
//! its end and not closed before its start), so items carried over from the year before show.

use super::{Ledger, LedgerContext, Sheet};
use async_trait::async_trait;
use shoutu_store::{RectificationFilter, StoreError};

pub struct Rectifications;

#[async_trait]
impl Ledger for Rectifications {
    fn name(&self) -> &'static str {
        "督查整改"
    }

    async fn sheet(&self, cx: &LedgerContext<'_>) -> Result<Sheet, StoreError> {
        let items = cx
            .store
            .rectifications(cx.scope, &RectificationFilter::default())
            .await?;
        let rows = items
            .iter()
            .filter(|r| r.opened_on <= cx.last_day() && r.closed_on.is_none_or(|c| c >= cx.first_day()))
            .map(|r| {
                vec![
                    r.owner_name.as_str().into(),
                    r.source.label().into(),
                    r.title.as_str().into(),
                    r.measures.as_str().into(),
                    r.deadline.into(),
                    r.state.label().into(),
                    if r.overdue(cx.today) { "逾期" } else { "否" }.into(),
                    r.closed_on.into(),
                ]
            })
            .collect();
        Ok(Sheet {
            headers: vec![
                "整改单位",
                "问题来源",
                "问题",
                "整改措施",
                "整改时限",
                "状态",
                "是否逾期",
                "销号日期",
            ],
            rows,
        })
    }
}
