//! Pushed posts feed only the schemes of the source's own branch: two townships watching
//! the same words each get events and alerts from their own source only, and the other
//! township's pages show nothing of it.

use crate::helpers::{TestApp, spawn_app_clocked};
use crate::opinion::{burst_lines, clock_now, push};
use chrono::{TimeZone, Utc};
use sha2::{Digest, Sha256};
use shoutu_domain::{FixedClock, Role, Scope, Unit};
use shoutu_store::{EventFilter, NewSource};
use shoutu_text::monitor::parse_scheme;
use shoutu_web::Config;
use std::sync::Arc;

const TOKEN_A: &str = "scope-test-token-town-a-0123456789";
const TOKEN_B: &str = "scope-test-token-town-b-0123456789";

async fn source(app: &TestApp, unit: &Unit, name: &str, token: &str) {
    let console = Scope::console(app.county.id);
    let source = app
        .store
        .create_source(&console, NewSource::parse(unit.id, name, "综合").unwrap())
        .await
        .unwrap();
    let hash: String = Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    app.store.set_source_token(&console, source.id, &hash).await.unwrap();
}

async fn events_and_alerts(app: &TestApp, unit: &Unit) -> (Vec<(String, i64)>, usize) {
    let scope = Scope::new(unit.id, vec![Role::Staff], None, "测试");
    let events = app
        .store
        .opinion_events(
            &scope,
            &EventFilter::default(),
            shoutu_domain::PageRequest::new(Some(1), Some(100)),
        )
        .await
        .unwrap();
    let alerts = app.store.alerts(&scope, 100).await.unwrap();
    (
        events.items.iter().map(|e| (e.unit_name.clone(), e.volume)).collect(),
        alerts.len(),
    )
}

#[tokio::test]
async fn a_push_to_one_townships_source_never_reaches_the_others_scheme() {
    let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap()));
    let app = spawn_app_clocked(Config::default(), clock.clone()).await;
    let console = Scope::console(app.county.id);
    // Town B's scheme is saved first: before the fix, every match went to it.
    for unit in [&app.town_b, &app.town_a] {
        let scheme = parse_scheme(
            unit.id,
            &format!("{}搬迁补偿", unit.name),
            "河口镇 & (搬迁 | 补偿 | 上访) & !招聘",
            "1",
            true,
        )
        .unwrap();
        app.store.save_scheme(&console, None, scheme).await.unwrap();
    }
    source(&app, &app.town_a, "河口镇网评员", TOKEN_A).await;
    source(&app, &app.town_b, "石桥镇网评员", TOKEN_B).await;

    let report: serde_json::Value = push(&app, TOKEN_A, burst_lines(clock_now(&clock)))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["matched"].as_i64(), Some(25), "{report}");
    assert!(!report["alerts"].as_array().unwrap().is_empty(), "{report}");

    let (a_events, a_alerts) = events_and_alerts(&app, &app.town_a).await;
    assert_eq!(a_events.iter().map(|(_, v)| v).sum::<i64>(), 25, "{a_events:?}");
    assert!(
        a_events.iter().all(|(unit, _)| unit == &app.town_a.name),
        "{a_events:?}"
    );
    assert!(a_alerts >= 1);
    assert_eq!(events_and_alerts(&app, &app.town_b).await, (Vec::new(), 0));

    // Town B's admin sees none of it on its pages either.
    let b = app.login("b_admin").await;
    let (_, alerts) = app.text(&b, "/opinion/alerts").await;
    assert!(!alerts.contains("补偿款"), "{alerts}");
    let (_, events) = app.text(&b, "/opinion/events").await;
    assert!(!events.contains("补偿款"), "{events}");

    // The same words from B's own source are B's, and grow nothing of A's.
    let from_b = burst_lines(clock_now(&clock))
        .replace("\"wb", "\"b-wb")
        .replace("/p/", "/b/");
    let report: serde_json::Value = push(&app, TOKEN_B, from_b).await.json().await.unwrap();
    assert_eq!(report["matched"].as_i64(), Some(25), "{report}");
    let (b_events, b_alerts) = events_and_alerts(&app, &app.town_b).await;
    assert_eq!(b_events.iter().map(|(_, v)| v).sum::<i64>(), 25, "{b_events:?}");
    assert!(
        b_events.iter().all(|(unit, _)| unit == &app.town_b.name),
        "{b_events:?}"
    );
    assert!(b_alerts >= 1);
    let (a_after, _) = events_and_alerts(&app, &app.town_a).await;
    assert_eq!(
        a_after.iter().map(|(_, v)| v).sum::<i64>(),
        25,
        "A's events took no B posts"
    );
}
