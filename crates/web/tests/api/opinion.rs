//! 舆情 end to end: a burst pushed by a monitoring system raises an alert, the township opens
//! an incident from it, and when the deadline passes the county sees it overdue and reported.

use crate::helpers::{TestApp, spawn_app_clocked};
use chrono::{Duration, TimeZone, Utc};
use reqwest::StatusCode;
use sha2::{Digest, Sha256};
use shoutu_domain::opinion::NewRiskPoint;
use shoutu_domain::{FixedClock, Scope};
use shoutu_store::{NewSource, OpinionSettings};
use shoutu_text::monitor::parse_scheme;
use shoutu_web::Config;
use std::sync::Arc;

pub(crate) const TOKEN: &str = "test-push-token-0123456789";

async fn app_with_monitoring() -> (TestApp, Arc<FixedClock>) {
    app_with_monitoring_and(Config::default()).await
}

/// A source with a token and a scheme of 河口镇, under the operator's `config`.
pub(crate) async fn app_with_monitoring_and(config: Config) -> (TestApp, Arc<FixedClock>) {
    let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap()));
    let app = spawn_app_clocked(config, clock.clone()).await;
    let console = Scope::console(app.county.id);
    let source = app
        .store
        .create_source(&console, NewSource::parse(app.county.id, "网信办监测", "综合").unwrap())
        .await
        .unwrap();
    let hash = hex_sha256(TOKEN);
    app.store.set_source_token(&console, source.id, &hash).await.unwrap();
    let scheme = parse_scheme(
        app.town_a.id,
        "河口镇搬迁补偿",
        "河口镇 & (搬迁 | 补偿 | 上访) & !招聘",
        "1",
        true,
    )
    .unwrap();
    app.store.save_scheme(&console, None, scheme).await.unwrap();
    let today = (clock_now(&clock) + Duration::hours(8)).date_naive();
    let risk = NewRiskPoint::parse(
        app.town_a.id,
        "危岩搬迁户补偿诉求",
        "high",
        "王建国",
        "逐户走访",
        "危岩",
        "30",
        today,
    )
    .unwrap();
    app.store.create_risk(&console, risk).await.unwrap();
    (app, clock)
}

pub(crate) fn clock_now(clock: &FixedClock) -> chrono::DateTime<Utc> {
    use shoutu_domain::Clock;
    clock.now()
}

fn hex_sha256(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub(crate) fn burst_lines(at: chrono::DateTime<Utc>) -> String {
    (0..25)
        .map(|i| {
            serde_json::json!({
                "id": format!("wb{i}"),
                "platform": if i % 3 == 0 { "抖音" } else { "微博" },
                "url": format!("https://weibo.example/p/{i}"),
                "published_at": (at - Duration::minutes(50 - i)).to_rfc3339(),
                "text": format!("河口镇危岩搬迁户的补偿款拖了半年还没到位，老人们又去上访讨说法了<b>！</b> 转{i}"),
            })
            .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub(crate) async fn push(app: &TestApp, token: &str, body: String) -> reqwest::Response {
    reqwest::Client::new()
        .post(app.url("/api/opinion/push"))
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", "application/x-ndjson")
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_burst_becomes_an_incident_that_the_county_sees_overdue() {
    let (app, clock) = app_with_monitoring().await;
    let res = push(&app, TOKEN, burst_lines(clock_now(&clock))).await;
    assert_eq!(res.status(), StatusCode::OK);
    let report: serde_json::Value = res.json().await.unwrap();
    assert_eq!(report["new"], 25);
    let alert = report["alerts"][0].as_i64().expect("the burst raised an alert");

    // Pushing the same posts again changes nothing.
    let again: serde_json::Value = push(&app, TOKEN, burst_lines(clock_now(&clock)))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["new"], 0);
    assert_eq!(again["duplicate"], 25);
    assert_eq!(again["alerts"].as_array().unwrap().len(), 0);

    // The township's staff are notified and open the incident from the alert.
    let staff = app.login("a_staff").await;
    let (status, page) = app.text(&staff, "/opinion/alerts").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("未读"), "{page}");
    assert!(page.contains("河口镇危岩搬迁户"), "{page}");
    assert!(page.contains(&format!("/opinion/alerts/{alert}/incident")), "{page}");
    let res = app
        .post_form(
            &staff,
            "/opinion/alerts",
            &format!("/opinion/alerts/{alert}/incident"),
            &[],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/opinion/incidents/"), "{location}");
    let (_, detail) = app.text(&staff, &location).await;
    assert!(
        detail.contains("危岩搬迁户补偿诉求"),
        "linked to the known risk point: {detail}"
    );
    assert!(detail.contains("时限内"), "{detail}");

    // The event page highlights the hits and escapes the posts' markup.
    let (_, event) = app.text(&staff, "/opinion/events/1").await;
    assert!(event.contains("<mark>河口镇</mark>"), "{event}");
    assert!(event.contains("&lt;b&gt;"), "{event}");
    assert!(!event.contains("<b>！</b>"), "{event}");

    // Before the deadline the county sees it in progress, not reported.
    let ducha = app.login("ducha").await;
    let (_, county) = app.text(&ducha, "/opinion").await;
    assert!(county.contains("河口镇危岩搬迁户"), "{county}");
    assert!(!county.contains("下级单位逾期上报"), "{county}");

    // Past the first-response deadline (at most a day for any level) it is flagged and reported.
    clock.advance(Duration::hours(25));
    let ducha = app.login("ducha").await;
    let (_, county) = app.text(&ducha, "/opinion").await;
    assert!(county.contains("下级单位逾期上报"), "{county}");
    assert!(county.contains("已上报 · 响应逾期"), "{county}");
    let (_, list) = app.text(&ducha, "/opinion/incidents").await;
    assert!(list.contains("已上报"), "{list}");
    assert!(list.contains("河口镇"), "{list}");

    // Another township sees none of it.
    let other = app.login("b_admin").await;
    let (status, _) = app.text(&other, &location).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, b_alerts) = app.text(&other, "/opinion/alerts").await;
    assert!(!b_alerts.contains("河口镇危岩搬迁户"), "{b_alerts}");
}

#[tokio::test]
async fn push_needs_a_valid_token_and_sessions_still_need_csrf() {
    let (app, clock) = app_with_monitoring().await;
    let res = push(&app, "wrong-token", burst_lines(clock_now(&clock))).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = reqwest::Client::new()
        .post(app.url("/api/opinion/push"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_ne!(res.status(), StatusCode::OK, "no token, no ingest");

    // A signed-in browser gets no exemption: without the CSRF token it is refused.
    let staff = app.login("a_staff").await;
    let res = staff
        .post(app.url("/api/opinion/push"))
        .header("Authorization", format!("Bearer {TOKEN}"))
        .body(burst_lines(clock_now(&clock)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // A JSON array works too, and malformed records are reported with their number.
    let body = r#"[{"id":"x1","url":"https://a.example/1","text":"河口镇补偿政策宣讲"},{"id":"x2"}]"#;
    let report: serde_json::Value = push(&app, TOKEN, body.to_string()).await.json().await.unwrap();
    assert_eq!(report["new"], 1);
    let skipped = report["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1);
    assert!(skipped[0].as_str().unwrap().starts_with("第 2 行"), "{skipped:?}");
}

#[tokio::test]
async fn schemes_show_rule_errors_at_their_position() {
    let (app, _clock) = app_with_monitoring().await;
    let staff = app.login("a_staff").await;
    let res = app
        .post_form(
            &staff,
            "/opinion/schemes",
            "/opinion/schemes",
            &[
                ("unit", &app.town_a.id.to_string()),
                ("name", "坏规则"),
                ("rule", "河口镇 & (拆迁 | "),
                ("topic_weight", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(page.contains("<mark>"), "the error position is marked: {page}");
    assert!(page.contains("语法错误"), "{page}");
    let res = app
        .post_form(
            &staff,
            "/opinion/schemes",
            "/opinion/schemes",
            &[
                ("unit", &app.town_a.id.to_string()),
                ("name", "好规则"),
                ("rule", "河口镇 & 上访"),
                ("topic_weight", "1"),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.text(&staff, "/opinion/schemes").await;
    assert!(page.contains("好规则"), "{page}");
}

#[tokio::test]
async fn alerts_reach_the_units_webhook() {
    use tokio::io::AsyncReadExt;
    // The bridge listens on loopback, which the operator must allow-list.
    let config = Config {
        webhook_allow: vec![shoutu_web::webhook::parse_allow("127.0.0.0/8").unwrap()],
        ..Config::default()
    };
    let (app, clock) = app_with_monitoring_and(config).await;
    let bridge = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", bridge.local_addr().unwrap());
    let admin = Scope::console(app.county.id);
    app.store
        .save_opinion_settings(&admin, app.town_a.id, OpinionSettings::parse("serious", &url).unwrap())
        .await
        .unwrap();
    let res = push(&app, TOKEN, burst_lines(clock_now(&clock))).await;
    assert_eq!(res.status(), StatusCode::OK);
    let (mut conn, _) = tokio::time::timeout(std::time::Duration::from_secs(10), bridge.accept())
        .await
        .expect("the bridge is called")
        .unwrap();
    let mut request = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), conn.read_to_end(&mut request)).await;
    let request = String::from_utf8_lossy(&request);
    assert!(request.starts_with("POST /hook HTTP/1.1"), "{request}");
    assert!(request.contains("舆情预警") && request.contains("河口镇"), "{request}");
}

#[tokio::test]
async fn a_scheme_saved_between_pushes_is_matched_by_the_next_push() {
    let (app, clock) = app_with_monitoring().await;
    let line = |id: &str| {
        serde_json::json!({
            "id": id,
            "url": format!("https://forum.example/{id}"),
            "published_at": clock_now(&clock).to_rfc3339(),
            "text": "石桥镇养殖场臭味熏天，村民投诉好几次了",
        })
        .to_string()
    };
    let before: serde_json::Value = push(&app, TOKEN, line("q1")).await.json().await.unwrap();
    assert_eq!((before["new"].as_i64(), before["matched"].as_i64()), (Some(1), Some(0)));
    let console = Scope::console(app.county.id);
    let scheme = parse_scheme(app.town_b.id, "石桥镇环境投诉", "养殖场 & 臭味", "1", true).unwrap();
    app.store.save_scheme(&console, None, scheme).await.unwrap();
    let after: serde_json::Value = push(&app, TOKEN, line("q2")).await.json().await.unwrap();
    assert_eq!((after["new"].as_i64(), after["matched"].as_i64()), (Some(1), Some(1)));
}

/// A handling step with evidence keeps the file: the store knew no owner for a step's
/// attachments and answered 404 after the step was saved, losing the evidence.
#[tokio::test]
async fn a_handling_step_keeps_its_evidence() {
    use shoutu_domain::opinion::{DeadlinePolicy, NewIncident};
    let app = crate::helpers::spawn_app().await;
    let incident = NewIncident::parse(
        app.town_a.id,
        "河口镇网传停水",
        "",
        "major",
        Utc::now(),
        "王",
        None,
        &DeadlinePolicy::defaults(),
    )
    .unwrap();
    let incident = app
        .store
        .open_incident(&Scope::console(app.town_a.id), incident)
        .await
        .unwrap();
    let staff = app.login("a_staff").await;
    let token = crate::helpers::csrf_of(&app.text(&staff, "/account/password").await.1);
    let form = reqwest::multipart::Form::new()
        .text("stage", "assessed")
        .text("assignee", "王")
        .text("note", "已核实")
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"%PDF-1.4\n%evidence\n".to_vec()).file_name("研判佐证.pdf"),
        );
    let res = staff
        .post(app.url(&format!("/opinion/incidents/{}/steps?_csrf={token}", incident.id)))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (status, page) = app.text(&staff, &format!("/opinion/incidents/{}", incident.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("已核实"), "{page}");
    assert!(page.contains("研判佐证.pdf"), "the step's evidence is listed: {page}");
}
