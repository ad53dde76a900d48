//! 舆情处置: every incident discovered during the year (China Standard Time) in the subtree.

use super::{Cell, Ledger, LedgerContext, Sheet, day_start, local_date};
use async_trait::async_trait;
use shoutu_store::StoreError;

pub struct Incidents;

#[async_trait]
impl Ledger for Incidents {
    fn name(&self) -> &'static str {
        "舆情处置"
    }

    async fn sheet(&self, cx: &LedgerContext<'_>) -> Result<Sheet, StoreError> {
        let mut incidents: Vec<_> = cx
            .store
            .incidents(cx.scope, false)
            .await?
            .into_iter()
            .filter(|i| {
                let on = local_date(i.discovered_at);
                on >= cx.first_day() && on <= cx.last_day()
            })
            .collect();
        incidents.sort_by_key(|i| (i.discovered_at, i.id));
        // Deadlines are counted in hours; the ledger states them as of the start of `today`,
        // so a deadline that passes later today is not yet shown as missed.
        let now = day_start(cx.today);
        let mut rows = Vec::with_capacity(incidents.len());
        for listed in incidents {
            // The list leaves the steps out; the assignee is that of the latest step naming one.
            let i = cx.store.incident(cx.scope, listed.id).await?;
            let assignee = i
                .steps
                .iter()
                .rev()
                .map(|s| s.assignee.trim())
                .find(|a| !a.is_empty())
                .unwrap_or("");
            let overdue = i.overdue(now);
            rows.push(vec![
                Cell::Date(local_date(i.discovered_at)),
                i.unit_name.as_str().into(),
                i.title.as_str().into(),
                i.level.label().into(),
                i.stage.label().into(),
                assignee.into(),
                i.responded_at.map(local_date).into(),
                i.concluded_at.map(local_date).into(),
                if overdue.any() { overdue.label() } else { "否" }.into(),
            ]);
        }
        Ok(Sheet {
            headers: vec![
                "发现日期",
                "单位",
                "标题",
                "级别",
                "当前环节",
                "责任人",
                "首次响应日期",
                "办结日期",
                "是否逾期",
            ],
            rows,
        })
    }
}
