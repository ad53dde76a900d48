//! 阵地: the subtree's platforms registered by the end of the year, with their inspection
//! state on `today` (intervals: the shipped `platform_rules.toml`, as the platform pages use).

use super::{Cell, Ledger, LedgerContext, Sheet};
use async_trait::async_trait;
use shoutu_domain::platform::PlatformRules;
use shoutu_store::{PlatformFilter, StoreError};
use std::sync::LazyLock;

static RULES: LazyLock<PlatformRules> = LazyLock::new(PlatformRules::defaults);

pub struct Platforms;

#[async_trait]
impl Ledger for Platforms {
    fn name(&self) -> &'static str {
        "阵地"
    }

    async fn sheet(&self, cx: &LedgerContext<'_>) -> Result<Sheet, StoreError> {
        let platforms = cx.store.platforms(cx.scope, &PlatformFilter::default()).await?;
        let rows = platforms
            .iter()
            .filter(|p| p.registered_on <= cx.last_day())
            .map(|p| {
                let status = RULES.status(p.kind, p.registered_on, p.last_inspected, cx.today);
                vec![
                    p.unit_name.as_str().into(),
                    p.kind.label().into(),
                    p.name.as_str().into(),
                    p.account.as_str().into(),
                    p.answerable_name.as_deref().unwrap_or("").into(),
                    p.members.map_or(Cell::Empty, Cell::from),
                    p.filing.label().into(),
                    p.last_inspected.into(),
                    if status.is_overdue() { status.label() } else { "否" }.into(),
                ]
            })
            .collect();
        Ok(Sheet {
            headers: vec![
                "单位",
                "类型",
                "名称",
                "账号",
                "负责人",
                "成员数",
                "备案状态",
                "最近巡查日期",
                "逾期未巡查",
            ],
            rows,
        })
    }
}
