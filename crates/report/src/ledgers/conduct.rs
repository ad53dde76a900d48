//! 行为规范: the rule lists in force, who acknowledged them and the violations recorded.

use super::{Cell, Ledger, LedgerContext, Sheet};
use async_trait::async_trait;
use shoutu_store::StoreError;

pub struct Conduct;

#[async_trait]
impl Ledger for Conduct {
    fn name(&self) -> &'static str {
        "行为规范"
    }

    async fn sheet(&self, cx: &LedgerContext<'_>) -> Result<Sheet, StoreError> {
        let mut rows = Vec::new();
        for listed in cx.store.conduct_rules_list(cx.scope).await? {
            let rules = cx.store.conduct_rules(cx.scope, listed.id).await?;
            let in_year = |d: chrono::NaiveDate| d >= cx.first_day() && d <= cx.last_day();
            if in_year(rules.published_on) {
                rows.push(vec![
                    "发布".into(),
                    rules.title.as_str().into(),
                    rules.unit_name.as_str().into(),
                    Cell::Date(rules.published_on),
                    Cell::Empty,
                    format!("共 {} 条", rules.items.len()).into(),
                    Cell::Empty,
                ]);
            }
            for a in rules.acknowledgements.iter().filter(|a| in_year(a.acked_on)) {
                rows.push(vec![
                    "签收".into(),
                    rules.title.as_str().into(),
                    rules.unit_name.as_str().into(),
                    Cell::Date(a.acked_on),
                    a.person_name.as_str().into(),
                    Cell::Empty,
                    Cell::Empty,
                ]);
            }
            for v in rules.violations.iter().filter(|v| in_year(v.date)) {
                rows.push(vec![
                    "违规".into(),
                    rules.title.as_str().into(),
                    rules.unit_name.as_str().into(),
                    Cell::Date(v.date),
                    v.person_name.as_str().into(),
                    v.description.as_str().into(),
                    v.outcome.as_str().into(),
                ]);
            }
        }
        Ok(Sheet {
            headers: vec!["类别", "规范", "发布单位", "日期", "人员", "情况", "处理结果"],
            rows,
        })
    }
}
