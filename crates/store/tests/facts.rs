//! Facts: every figure equals an independent count of the records behind it, carries their
//! ids, stays inside the scope, and is missing (not zero) where nothing can be measured.

mod common;

use common::*;
use shoutu_domain::Role;
use shoutu_domain::fact::{DateRange, RecordRef};
use shoutu_store::StoreError;

#[tokio::test]
async fn activity_counts_match_the_records_and_roll_up() {
    for f in fixtures().await {
        let c = county(&*f.store).await;
        let a = scope_of(&c.town_a, &[Role::Staff]);
        let mut ids = Vec::new();
        for day in [(2026, 1, 10), (2026, 2, 11), (2026, 3, 12)] {
            let stored = f
                .store
                .create_activity(&a, meeting(&c, day, &["first_topic"], vec![]), vec![])
                .await
                .unwrap();
            ids.push(RecordRef::new("activity", stored.id.0));
        }
        f.store
            .create_activity(&a, meeting(&c, (2025, 12, 31), &["first_topic"], vec![]), vec![])
            .await
            .unwrap();

        let year = DateRange::year(2026);
        let fact = f
            .store
            .fact(&a, "activity.type:committee_meeting", c.town_a.id, year)
            .await
            .unwrap();
        assert_eq!(fact.value, Some(3.0), "{}", f.name);
        assert_eq!(fact.evidence, ids, "{}", f.name);
        let tagged = f
            .store
            .fact(&a, "activity.tag:第一议题", c.town_a.id, year)
            .await
            .unwrap();
        assert_eq!(tagged.value, Some(3.0), "{}", f.name);
        let other = f
            .store
            .fact(&a, "activity.tag:分析研判", c.town_a.id, year)
            .await
            .unwrap();
        assert_eq!(other.value, Some(0.0), "{}", f.name);

        let county_scope = scope_of(&c.county, &[Role::Supervisor]);
        let facts = f
            .store
            .facts_by_unit(
                &county_scope,
                "activity.all",
                year,
                &[c.county.id, c.town_a.id, c.town_b.id],
            )
            .await
            .unwrap();
        let values: Vec<Option<f64>> = facts.iter().map(|x| x.value).collect();
        assert_eq!(values, [Some(3.0), Some(3.0), Some(0.0)], "{}", f.name);
    }
}

#[tokio::test]
async fn facts_stay_in_scope_and_unknown_keys_are_refused() {
    for f in fixtures().await {
        let c = county(&*f.store).await;
        let b = scope_of(&c.town_b, &[Role::Staff]);
        let year = DateRange::year(2026);
        assert!(matches!(
            f.store.fact(&b, "activity.all", c.town_a.id, year).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            f.store.facts_by_unit(&b, "activity.all", year, &[c.town_a.id]).await,
            Err(StoreError::NotFound)
        ));
        match f.store.fact(&b, "no.such.fact", c.town_b.id, year).await {
            Err(StoreError::Invalid(e)) => assert!(e.to_string().contains("no.such.fact")),
            other => panic!("{}: {other:?}", f.name),
        }
    }
}

#[tokio::test]
async fn a_rate_over_nothing_is_missing_not_zero() {
    for f in fixtures().await {
        let c = county(&*f.store).await;
        let a = scope_of(&c.town_a, &[Role::Staff]);
        let fact = f
            .store
            .fact(&a, "letter.signed_rate", c.town_a.id, DateRange::year(2026))
            .await
            .unwrap();
        assert_eq!(fact.value, None, "{}", f.name);
        assert_eq!(fact.display(), "（无数据）");
    }
}
