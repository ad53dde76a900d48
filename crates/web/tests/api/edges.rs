//! Hostile numbers at the edge: years, page numbers and dates far out of range answer a
//! Chinese 400 page instead of panicking the handler (which dropped the connection).

use crate::helpers::spawn_app;
use reqwest::StatusCode;

/// Every route that takes `?year=`.
const YEAR_ROUTES: &[&str] = &[
    "/publications",
    "/publications/export.xlsx",
    "/ledgers.xlsx",
    "/archive",
    "/plans",
    "/plans/export.xlsx",
    "/letters",
    "/letters/export.xlsx",
    "/teams",
    "/coverage",
    "/coverage/export.xlsx",
    "/assessment/indicators",
    "/assessment/indicators.toml",
    "/assessment/cadres",
];

/// Every route that takes `?page=` (search needs a query for the page to matter).
const PAGE_ROUTES: &[&str] = &[
    "/search?q=河口&page=",
    "/users?page=",
    "/audit?page=",
    "/activities?page=",
    "/people?page=",
    "/platforms?page=",
    "/opinion/events?page=",
];

/// Every route that takes a date in its query.
const DATE_ROUTES: &[&str] = &[
    "/duties?on=",
    "/facts?key=activity.all&from=",
    "/audit?from=",
    "/activities?from=",
];

/// The status and page of a GET; a dropped connection (what a panicking handler gave before)
/// fails naming the path.
async fn answer(app: &crate::helpers::TestApp, client: &reqwest::Client, path: &str) -> (StatusCode, String) {
    let res = client
        .get(app.url(path))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{path}: the connection failed: {e}"));
    let status = res.status();
    (status, res.text().await.unwrap())
}

#[tokio::test]
async fn years_out_of_range_answer_a_chinese_400_on_every_route_that_takes_one() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    for route in YEAR_ROUTES {
        for (year, expected) in [
            ("300000", "年份超出范围：300000（应在 2000–2100 之间）"),
            ("-1", "年份超出范围：-1"),
            ("99999999999999999999", "年份超出范围"),
            ("abc", "应为四位年份"),
        ] {
            let path = format!("{route}?year={year}");
            let (status, page) = answer(&app, &admin, &path).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {page}");
            assert!(page.contains(expected), "{path}: {page}");
        }
        // A year in range still works.
        let path = format!("{route}?year=2026");
        let (status, page) = app.text(&admin, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {page}");
    }
}

#[tokio::test]
async fn page_numbers_out_of_range_answer_a_chinese_400() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    for route in PAGE_ROUTES {
        for page_no in ["0", "-1", "9223372036854775807", "99999999999999999999", "abc"] {
            let path = format!("{route}{page_no}");
            let (status, page) = answer(&app, &admin, &path).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {page}");
            assert!(
                page.contains("页码") && page.contains("应为 1 到 100000 之间的整数"),
                "{path}: {page}"
            );
        }
        let (status, page) = app.text(&admin, &format!("{route}2")).await;
        assert_eq!(status, StatusCode::OK, "{route}2: {page}");
    }
}

#[tokio::test]
async fn dates_far_out_answer_a_chinese_400() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    for route in DATE_ROUTES {
        for (date, expected) in [
            ("0001-01-01", "超出范围"),
            ("99999-01-01", "「"),
            ("%2B300000-01-01", "「"),
            ("1066-10-14", "超出范围"),
            ("2026-13-01", "应为日期"),
        ] {
            let path = format!("{route}{date}");
            let (status, page) = answer(&app, &admin, &path).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {page}");
            assert!(page.contains(expected), "{path}: {page}");
        }
    }
}

// Alert webhooks: the server must not become a unit administrator's probe of itself or the
// intranet (SSRF), nor carry request lines smuggled into the address.

mod webhooks {
    use crate::helpers::{spawn_app, spawn_app_with};
    use crate::opinion::{TOKEN, app_with_monitoring_and, burst_lines, clock_now, push};
    use reqwest::StatusCode;
    use shoutu_domain::Scope;
    use shoutu_store::OpinionSettings;
    use shoutu_web::Config;
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn loopback_allowed() -> Config {
        Config {
            webhook_allow: vec![shoutu_web::webhook::parse_allow("127.0.0.0/8").unwrap()],
            ..Config::default()
        }
    }

    #[tokio::test]
    async fn addresses_inside_the_server_or_the_intranet_are_refused_when_saved() {
        let app = spawn_app().await;
        let admin = app.login("a_admin").await;
        for (url, expected) in [
            (
                "http://127.0.0.1:6379/",
                "推送地址不能指向本机、内网或链路本地地址：http://127.0.0.1:6379/",
            ),
            ("http://localhost:6379/", "推送地址不能指向本机、内网或链路本地地址"),
            (
                "http://169.254.169.254/latest/meta-data/",
                "推送地址不能指向本机、内网或链路本地地址",
            ),
            ("http://[::1]/", "推送地址不能指向本机、内网或链路本地地址"),
            ("http://10.0.0.1/", "推送地址不能指向本机、内网或链路本地地址"),
            (
                "http://192.168.1.10:8000/hook",
                "推送地址不能指向本机、内网或链路本地地址",
            ),
            ("http://bridge.example/hook%0d%0aX-Injected:%201", "编码后的控制字符"),
            ("http://bridge.example/hook\r\nX-Injected: 1", "控制字符或空白"),
            ("ftp://bridge.example/", "推送地址应以 http:// 或 https:// 开头"),
            ("http://user:secret@bridge.example/", "不能包含用户名或密码"),
        ] {
            let res = app
                .post_form(
                    &admin,
                    "/opinion/schemes",
                    "/opinion/settings",
                    &[("alert_level", "serious"), ("webhook_url", url)],
                )
                .await;
            let status = res.status();
            let page = res.text().await.unwrap();
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url:?}: {page}");
            assert!(page.contains(expected), "{url:?}: {page}");
        }
        let stored = app
            .store
            .opinion_settings(&Scope::console(app.county.id), app.town_a.id)
            .await
            .unwrap();
        assert_eq!(stored.webhook_url, "", "nothing was saved");
    }

    #[tokio::test]
    async fn an_allow_listed_network_may_be_saved() {
        let app = spawn_app_with(loopback_allowed()).await;
        let admin = app.login("a_admin").await;
        let res = app
            .post_form(
                &admin,
                "/opinion/schemes",
                "/opinion/settings",
                &[
                    ("alert_level", "serious"),
                    ("webhook_url", "http://127.0.0.1:8000/hook"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
        // Link-local stays refused: only the listed network is opened.
        let res = app
            .post_form(
                &admin,
                "/opinion/schemes",
                "/opinion/settings",
                &[("alert_level", "serious"), ("webhook_url", "http://169.254.169.254/")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }

    /// Reads one HTTP request (head and a Content-Length body) and answers 204.
    async fn one_request(conn: &mut tokio::net::TcpStream) -> (String, Vec<u8>) {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        let head_end = loop {
            let n = conn.read(&mut chunk).await.unwrap();
            assert!(n > 0, "the request ended early: {}", String::from_utf8_lossy(&buf));
            buf.extend_from_slice(&chunk[..n]);
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
        };
        let head = String::from_utf8(buf[..head_end].to_vec()).unwrap();
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().unwrap())
            })
            .expect("a Content-Length");
        while buf.len() < head_end + length {
            let n = conn.read(&mut chunk).await.unwrap();
            assert!(n > 0, "the body ended early");
            buf.extend_from_slice(&chunk[..n]);
        }
        conn.write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        (head, buf[head_end..].to_vec())
    }

    #[tokio::test]
    async fn an_allow_listed_bridge_receives_exactly_one_well_formed_post() {
        let (app, clock) = app_with_monitoring_and(loopback_allowed()).await;
        let bridge = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook?unit=a", bridge.local_addr().unwrap());
        let admin = Scope::console(app.county.id);
        app.store
            .save_opinion_settings(&admin, app.town_a.id, OpinionSettings::parse("serious", &url).unwrap())
            .await
            .unwrap();
        let res = push(&app, TOKEN, burst_lines(clock_now(&clock))).await;
        assert_eq!(res.status(), StatusCode::OK);
        let (mut conn, _) = tokio::time::timeout(Duration::from_secs(10), bridge.accept())
            .await
            .expect("the bridge is called")
            .unwrap();
        let (head, body) = tokio::time::timeout(Duration::from_secs(10), one_request(&mut conn))
            .await
            .expect("a whole request");
        assert!(head.starts_with("POST /hook?unit=a HTTP/1.1\r\n"), "{head}");
        let lower = head.to_ascii_lowercase();
        assert!(lower.contains("\r\ncontent-type: application/json"), "{head}");
        assert!(
            lower.contains(&format!("\r\nhost: {}\r\n", bridge.local_addr().unwrap())),
            "{head}"
        );
        let alert: serde_json::Value = serde_json::from_slice(&body).expect("the body is JSON");
        let text = alert.to_string();
        assert!(text.contains("舆情预警") && text.contains("河口镇"), "{text}");
        assert!(
            tokio::time::timeout(Duration::from_secs(1), bridge.accept())
                .await
                .is_err(),
            "one alert, one call"
        );
    }

    #[tokio::test]
    async fn an_address_stored_before_the_check_is_not_called() {
        // Saved straight into the store (as an older version could have), without allow-list.
        let (app, clock) = app_with_monitoring_and(Config::default()).await;
        let bridge = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", bridge.local_addr().unwrap());
        let admin = Scope::console(app.county.id);
        app.store
            .save_opinion_settings(&admin, app.town_a.id, OpinionSettings::parse("serious", &url).unwrap())
            .await
            .unwrap();
        let res = push(&app, TOKEN, burst_lines(clock_now(&clock))).await;
        assert_eq!(res.status(), StatusCode::OK);
        let report: serde_json::Value = res.json().await.unwrap();
        assert!(
            report["alerts"][0].as_i64().is_some(),
            "the burst raised an alert: {report}"
        );
        assert!(
            tokio::time::timeout(Duration::from_secs(2), bridge.accept())
                .await
                .is_err(),
            "a loopback address is refused at send time too"
        );
    }

    #[tokio::test]
    async fn pushed_addresses_that_are_not_http_are_shown_as_text_not_links() {
        let (app, clock) = app_with_monitoring_and(Config::default()).await;
        let at = clock_now(&clock);
        let lines: Vec<String> = (0..25)
            .map(|i| {
                let url = match i % 3 {
                    0 => "javascript:alert(1)".to_string(),
                    1 => "data:text/html,<script>alert(1)</script>".to_string(),
                    _ => format!("https://weibo.example/p/{i}"),
                };
                serde_json::json!({
                    "id": format!("js{i}"),
                    "platform": "微博",
                    "url": url,
                    "published_at": (at - chrono::Duration::minutes(50 - i)).to_rfc3339(),
                    "text": format!("河口镇危岩搬迁户的补偿款拖了半年还没到位，老人们又去上访讨说法了 转{i}"),
                })
                .to_string()
            })
            .collect();
        let res = push(&app, TOKEN, lines.join("\n")).await;
        assert_eq!(res.status(), StatusCode::OK);
        let staff = app.login("a_staff").await;
        let (_, events) = app.text(&staff, "/opinion/events").await;
        let marker = "href=\"/opinion/events/";
        let start = events.find(marker).expect("an event is listed") + "href=\"".len();
        let path = &events[start..start + events[start..].find('"').unwrap()];
        let (status, page) = app.text(&staff, path).await;
        assert_eq!(status, StatusCode::OK);
        let lower = page.to_ascii_lowercase();
        assert!(
            !lower.contains("href=\"javascript:") && !lower.contains("href=\"data:"),
            "{page}"
        );
        assert!(page.contains("原文地址：<code>javascript:alert(1)</code>"), "{page}");
        assert!(page.contains("href=\"https://weibo.example/p/"), "{page}");
    }
}

#[tokio::test]
async fn ids_in_the_path_that_are_not_numbers_answer_in_chinese() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    for path in [
        "/assessment/rounds/abc/units/1",
        "/assessment/rounds/1/units/99999999999999999999",
        "/assessment/rounds/-1/units/1",
        "/activities/abc",
    ] {
        let (status, page) = app.text(&admin, path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {page}");
        assert!(
            page.contains("网址中的编号") && page.contains("应为正整数"),
            "{path}: {page}"
        );
    }
}
