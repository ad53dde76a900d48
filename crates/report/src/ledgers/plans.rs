//! 年度方案: the year's plan items with their tasks, one row per task.

use super::{Cell, Ledger, LedgerContext, Sheet};
use async_trait::async_trait;
use shoutu_store::StoreError;

pub struct Plans;

#[async_trait]
impl Ledger for Plans {
    fn name(&self) -> &'static str {
        "年度方案"
    }

    async fn sheet(&self, cx: &LedgerContext<'_>) -> Result<Sheet, StoreError> {
        let items = cx.store.plan_items(cx.scope, cx.year).await?;
        let mut rows = Vec::new();
        for item in &items {
            let head = || -> Vec<Cell> {
                vec![
                    item.title.as_str().into(),
                    item.unit_name.as_str().into(),
                    item.responsible_name.as_str().into(),
                    Cell::Date(item.deadline),
                ]
            };
            if item.tasks.is_empty() {
                let mut row = head();
                row.extend([
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                ]);
                rows.push(row);
            }
            for t in &item.tasks {
                let mut row = head();
                row.extend([
                    t.title.as_str().into(),
                    t.unit_name.as_str().into(),
                    Cell::Date(t.deadline),
                    t.done_on.into(),
                    t.state(cx.today).label().into(),
                    t.last_note.as_deref().map_or(Cell::Empty, Cell::from),
                ]);
                rows.push(row);
            }
        }
        Ok(Sheet {
            headers: vec![
                "事项",
                "制定单位",
                "责任单位",
                "事项时限",
                "任务",
                "承担单位",
                "任务时限",
                "完成日期",
                "状态",
                "最新进展",
            ],
            rows,
        })
    }
}
