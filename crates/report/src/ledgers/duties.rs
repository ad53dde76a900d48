//! 职责分工: every term held during the year by anyone in the subtree's units.

use super::{Cell, Ledger, LedgerContext, Sheet};
use async_trait::async_trait;
use shoutu_store::StoreError;

pub struct Duties;

#[async_trait]
impl Ledger for Duties {
    fn name(&self) -> &'static str {
        "职责分工"
    }

    async fn sheet(&self, cx: &LedgerContext<'_>) -> Result<Sheet, StoreError> {
        let units = cx.store.unit_tree(cx.scope).await?;
        let mut rows = Vec::new();
        for unit in &units {
            for d in cx.store.duties(cx.scope, unit.id, None).await? {
                let held_in_year = d.start <= cx.last_day() && d.end.is_none_or(|e| e >= cx.first_day());
                if !held_in_year {
                    continue;
                }
                rows.push(vec![
                    unit.name.as_str().into(),
                    d.role.label().into(),
                    d.person_name.as_str().into(),
                    d.post.as_str().into(),
                    d.portfolio.as_str().into(),
                    d.duties.as_str().into(),
                    Cell::Date(d.start),
                    d.end.map_or_else(|| "在任".into(), Cell::Date),
                ]);
            }
        }
        Ok(Sheet {
            headers: vec![
                "单位",
                "职责",
                "姓名",
                "职务",
                "分管领域",
                "意识形态工作职责",
                "任职日期",
                "卸任日期",
            ],
            rows,
        })
    }
}
