//! 目标责任书: every copy of the year's letters visible from the subtree.

use super::{Ledger, LedgerContext, Sheet};
use async_trait::async_trait;
use shoutu_store::StoreError;

pub struct Letters;

#[async_trait]
impl Ledger for Letters {
    fn name(&self) -> &'static str {
        "目标责任书"
    }

    async fn sheet(&self, cx: &LedgerContext<'_>) -> Result<Sheet, StoreError> {
        let letters = cx.store.letters(cx.scope, Some(cx.year)).await?;
        let rows = letters
            .iter()
            .flat_map(|l| {
                l.copies.iter().map(move |c| {
                    vec![
                        l.title.as_str().into(),
                        l.issuer_name.as_str().into(),
                        c.unit_name.as_str().into(),
                        c.status.label().into(),
                        c.issued_on.into(),
                        c.signed_on.into(),
                        c.signer.as_str().into(),
                        c.attachments.into(),
                    ]
                })
            })
            .collect();
        Ok(Sheet {
            headers: vec![
                "责任书",
                "发文单位",
                "签订单位",
                "状态",
                "下发日期",
                "签订日期",
                "签订人",
                "扫描件数",
            ],
            rows,
        })
    }
}
