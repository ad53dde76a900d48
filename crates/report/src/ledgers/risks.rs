//! 风险点 and 群众诉求: the subtree's risk points (a standing register, listed whole) and
//! the grievances received during the year.

use super::{Cell, Ledger, LedgerContext, Sheet};
use async_trait::async_trait;
use shoutu_store::StoreError;

pub struct Risks;

#[async_trait]
impl Ledger for Risks {
    fn name(&self) -> &'static str {
        "风险点"
    }

    async fn sheet(&self, cx: &LedgerContext<'_>) -> Result<Sheet, StoreError> {
        let rows = cx
            .store
            .risks(cx.scope)
            .await?
            .iter()
            .map(|r| {
                vec![
                    r.unit_name.as_str().into(),
                    r.title.as_str().into(),
                    r.level.label().into(),
                    r.owner.as_str().into(),
                    r.measures.as_str().into(),
                    Cell::Date(r.next_review),
                    r.status.label().into(),
                    if r.review_overdue(cx.today) {
                        "复核逾期"
                    } else {
                        "否"
                    }
                    .into(),
                ]
            })
            .collect();
        Ok(Sheet {
            headers: vec![
                "单位",
                "风险点",
                "等级",
                "责任人",
                "防控措施",
                "下次复核日期",
                "状态",
                "复核是否逾期",
            ],
            rows,
        })
    }
}

pub struct Grievances;

#[async_trait]
impl Ledger for Grievances {
    fn name(&self) -> &'static str {
        "群众诉求"
    }

    async fn sheet(&self, cx: &LedgerContext<'_>) -> Result<Sheet, StoreError> {
        let mut grievances: Vec<_> = cx
            .store
            .grievances(cx.scope, None)
            .await?
            .into_iter()
            .filter(|g| g.received_on >= cx.first_day() && g.received_on <= cx.last_day())
            .collect();
        grievances.sort_by_key(|g| (g.received_on, g.id));
        let rows = grievances
            .iter()
            .map(|g| {
                vec![
                    Cell::Date(g.received_on),
                    g.unit_name.as_str().into(),
                    g.channel.as_str().into(),
                    g.content.as_str().into(),
                    g.risk_point_title.as_deref().unwrap_or("").into(),
                    if g.resolved { "已解决" } else { "未解决" }.into(),
                ]
            })
            .collect();
        Ok(Sheet {
            headers: vec!["受理日期", "单位", "渠道", "诉求内容", "关联风险点", "办理情况"],
            rows,
        })
    }
}
