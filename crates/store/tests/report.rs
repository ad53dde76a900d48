//! Stored reports: roles, scope, prose rules and the audit trail, on both backends.

mod common;

use common::*;
use shoutu_domain::Role;
use shoutu_domain::fact::RecordRef;
use shoutu_domain::report::{Finalise, FrozenFigure, NewReport, ReportPeriod, ReportState};
use shoutu_store::{AuditFilter, StoreError};
use std::collections::BTreeMap;

fn new_report(unit: &shoutu_domain::Unit) -> NewReport {
    NewReport {
        unit_id: unit.id,
        kind: "annual".into(),
        period: ReportPeriod::year(2025),
        title: format!("{}2025年意识形态工作责任制落实情况报告", unit.name),
    }
}

#[tokio::test]
async fn writers_draft_leaders_finalise_and_everything_is_audited() {
    for f in fixtures().await {
        let c = county(&*f.store).await;
        let staff = scope_of(&c.town_a, &[Role::Staff]);
        let reviewer = scope_of(&c.town_a, &[Role::Reviewer]);
        let leader = scope_of(&c.town_a, &[Role::Leader]);
        assert!(
            matches!(
                f.store.create_report(&reviewer, new_report(&c.town_a)).await,
                Err(StoreError::Forbidden)
            ),
            "{}",
            f.name
        );
        let r = f.store.create_report(&staff, new_report(&c.town_a)).await.unwrap();
        assert_eq!(r.state, ReportState::Draft, "{}", f.name);
        assert_eq!(r.period.label(), "2025年", "{}", f.name);

        let mut prose = BTreeMap::new();
        prose.insert("理论武装".to_string(), "  全年开展集体学习。\r\n  ".to_string());
        prose.insert("空的".to_string(), "   ".to_string());
        let saved = f.store.save_report_prose(&staff, r.id, prose.clone()).await.unwrap();
        assert_eq!(saved.prose.len(), 1, "{}: empty sections are dropped", f.name);
        assert_eq!(saved.prose["理论武装"], "全年开展集体学习。", "{}", f.name);
        assert!(
            matches!(
                f.store.save_report_prose(&leader, r.id, prose).await,
                Err(StoreError::Forbidden)
            ),
            "{}",
            f.name
        );
        let mut secret = BTreeMap::new();
        secret.insert("理论武装".to_string(), "机密★1年 内容".to_string());
        assert!(
            matches!(
                f.store.save_report_prose(&staff, r.id, secret).await,
                Err(StoreError::Invalid(_))
            ),
            "{}: classified text is refused",
            f.name
        );

        let figure = FrozenFigure {
            key: "activity.all".into(),
            unit_id: c.town_a.id,
            range: (
                chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
                chrono::NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(),
            ),
            value: Some(3.0),
            evidence: vec![RecordRef::new("activity", 1), RecordRef::new("activity", 2)],
        };
        let done = f
            .store
            .finalise_report(
                &leader,
                r.id,
                Finalise {
                    frozen: "{}".into(),
                    figures: vec![figure.clone()],
                    override_reason: None,
                    errors: 0,
                },
            )
            .await
            .unwrap();
        assert!(done.is_final(), "{}", f.name);
        assert_eq!(done.finalised_by.as_deref(), Some("测试用户"), "{}", f.name);
        assert_eq!(
            f.store.report_figures(&staff, r.id).await.unwrap(),
            vec![figure],
            "{}",
            f.name
        );
        // Finalised once: a second finalise is refused like any other change.
        let again = f
            .store
            .finalise_report(
                &staff,
                r.id,
                Finalise {
                    frozen: "{}".into(),
                    figures: vec![],
                    override_reason: None,
                    errors: 0,
                },
            )
            .await;
        assert!(matches!(again, Err(StoreError::Invalid(_))), "{}", f.name);

        // Scope: the other town sees nothing, the county sees it in its list.
        let b = scope_of(&c.town_b, &[Role::Staff]);
        assert!(
            matches!(f.store.report(&b, r.id).await, Err(StoreError::NotFound)),
            "{}",
            f.name
        );
        assert!(f.store.reports(&b, None, None).await.unwrap().is_empty(), "{}", f.name);
        assert!(
            matches!(
                f.store.create_report(&b, new_report(&c.town_a)).await,
                Err(StoreError::NotFound)
            ),
            "{}",
            f.name
        );
        let county = scope_of(&c.county, &[Role::Supervisor]);
        assert_eq!(
            f.store.reports(&county, None, Some(2025)).await.unwrap().len(),
            1,
            "{}",
            f.name
        );
        assert!(
            f.store.reports(&county, None, Some(2024)).await.unwrap().is_empty(),
            "{}",
            f.name
        );

        let admin = scope_of(&c.county, &[Role::SystemAdmin]);
        let trail = f
            .store
            .audit_entries(
                &admin,
                &AuditFilter {
                    record_type: Some("report".into()),
                    ..Default::default()
                },
                page(),
            )
            .await
            .unwrap();
        let mut actions: Vec<String> = trail.items.iter().map(|e| e.action.clone()).collect();
        actions.sort();
        assert_eq!(actions, ["create", "finalise", "update"], "{}", f.name);
        assert!(
            f.store.verify_audit_chain().await.unwrap().broken.is_none(),
            "{}",
            f.name
        );
    }
}
