//! Issue 13, defect 1: input built to drive a parser into deep recursion. A staff user's
//! keyword rule of 100,000 `(` used to overflow the rule parser's stack and abort the whole
//! server; every parser of outside input must refuse such input with a Chinese message and
//! the server must go on answering.

use crate::helpers::{TestApp, csrf_of, spawn_app};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

const DEEP: usize = 100_000;

async fn healthy(app: &TestApp) {
    let res = reqwest::get(app.url("/healthz"))
        .await
        .expect("the server still answers");
    assert_eq!(res.status(), StatusCode::OK);
}

async fn post_scheme(app: &TestApp, client: &reqwest::Client, rule: &str) -> (StatusCode, String) {
    let res = app
        .post_form(
            client,
            "/opinion/schemes",
            "/opinion/schemes",
            &[
                ("unit", &app.town_a.id.to_string()),
                ("name", "嵌套攻击"),
                ("rule", rule),
                ("topic_weight", "1"),
                ("active", "1"),
            ],
        )
        .await;
    (
        res.status(),
        res.text().await.expect("a page, not a dropped connection"),
    )
}

#[tokio::test]
async fn a_scheme_rule_of_a_hundred_thousand_brackets_is_refused_and_the_server_lives() {
    let app = spawn_app().await;
    let staff = app.login("a_staff").await;
    for rule in [
        "(".repeat(DEEP),
        format!("{}拆迁{}", "(".repeat(DEEP), ")".repeat(DEEP)),
        format!("{}拆迁", "!".repeat(DEEP)),
        format!("{}拆迁", "（！".repeat(DEEP)),
    ] {
        let (status, page) = post_scheme(&app, &staff, &rule).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            page.contains("规则过长") && page.contains("最多 4000 个字符"),
            "{}",
            &page[..2000]
        );
        healthy(&app).await;
    }
    // Short but deep: the nesting bound answers, naming the character where it is passed.
    let (status, page) = post_scheme(&app, &staff, &format!("{}拆迁{}", "(".repeat(40), ")".repeat(40))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("规则第 33 个字符处嵌套过深"), "{page}");
    // Nothing of it was saved, and a rule nested as deep as allowed still is.
    let (_, list) = app.text(&staff, "/opinion/schemes").await;
    assert!(!list.contains("嵌套攻击</"), "{list}");
    let (status, _) = post_scheme(&app, &staff, &format!("{}拆迁{}", "(".repeat(32), ")".repeat(32))).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    healthy(&app).await;
}

/// The longest query a URI can carry (the `http` crate stops at 64 KiB, and the server
/// answers 414 beyond it) of brackets and operators is cut to the search box's length and
/// answered; the query is built without a recursive parser.
#[tokio::test]
async fn a_search_of_twenty_thousand_brackets_answers() {
    let app = spawn_app().await;
    let staff = app.login("a_staff").await;
    for q in [
        "(".repeat(20_000),
        "\"(".repeat(10_000),
        "[[{".repeat(6_000),
        "!-+ (".repeat(4_000),
    ] {
        let res = staff
            .get(app.url(&format!(
                "/search?q={}",
                form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
            )))
            .send()
            .await
            .expect("a page, not a dropped connection");
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.text().await.unwrap().contains("全文检索"));
        healthy(&app).await;
    }
}

/// The index itself, asked directly (as the page does after cutting the text), with a
/// hundred thousand brackets, quotes and bracketed words.
#[test]
fn the_search_index_takes_a_hundred_thousand_brackets() {
    std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(|| {
            let files = tempfile::tempdir().unwrap();
            let index = shoutu_report::search::SearchIndex::in_memory(files.path()).unwrap();
            for text in [
                "(".repeat(DEEP),
                "\"(".repeat(DEEP),
                "(全会".repeat(DEEP / 10),
                format!("{}全会{}", "(".repeat(DEEP), ")".repeat(DEEP)),
            ] {
                let hits = index
                    .search(&shoutu_report::search::SearchRequest {
                        text: &text,
                        units: &[1],
                        kind: None,
                        offset: 0,
                        limit: 10,
                    })
                    .unwrap();
                assert_eq!(hits.total, 0);
            }
        })
        .unwrap()
        .join()
        .expect("no stack overflow");
}

/// TOML 100,000 levels deep in each way TOML nests: arrays, inline tables, dotted keys
/// and table headers.
fn deep_toml() -> Vec<(&'static str, String)> {
    vec![
        ("arrays", format!("a = {}1{}\n", "[".repeat(DEEP), "]".repeat(DEEP))),
        (
            "inline tables",
            format!("a = {}1{}\n", "{b = ".repeat(DEEP), "}".repeat(DEEP)),
        ),
        ("dotted keys", format!("{} = 1\n", vec!["a"; DEEP].join("."))),
        ("table header", format!("[{}]\n", vec!["a"; DEEP].join("."))),
        ("unclosed arrays", format!("a = {}", "[".repeat(DEEP))),
    ]
}

#[tokio::test]
async fn an_indicator_file_nested_a_hundred_thousand_deep_is_refused_and_the_server_lives() {
    let app = spawn_app().await;
    let year = crate::helpers::today().to_string()[..4].to_string();
    let ducha = app.login("ducha").await;
    let page = format!("/assessment/indicators?year={year}");
    for (what, file) in deep_toml() {
        let (_, html) = app.text(&ducha, &page).await;
        let form = Form::new()
            .text("year", year.clone())
            .part("file", Part::bytes(file.into_bytes()).file_name("指标.toml"));
        let res = ducha
            .post(app.url(&format!("/assessment/indicators/import?_csrf={}", csrf_of(&html))))
            .multipart(form)
            .send()
            .await
            .expect("a page, not a dropped connection");
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{what}");
        let html = res.text().await.unwrap();
        assert!(html.contains("无法读取"), "{what}: {}", &html[..html.len().min(3000)]);
        healthy(&app).await;
    }
}

#[test]
fn every_toml_entry_point_refuses_deep_nesting_with_a_message() {
    use shoutu_domain::assessment::{GradeScale, IndicatorSystem};
    use shoutu_domain::ledger::{Catalogue, RequirementSet};
    use shoutu_domain::opinion::SeverityConfig;
    // Parse on a thread with a small stack: the parsers must not need depth-sized stacks.
    std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(|| {
            for (what, text) in deep_toml() {
                let errors = [
                    IndicatorSystem::from_toml(&text).err().map(|e| e.to_string()),
                    GradeScale::from_toml(&text).err().map(|e| e.to_string()),
                    Catalogue::parse("activity_types.toml", &text)
                        .err()
                        .map(|e| e.to_string()),
                    RequirementSet::parse("requirements.toml", &text)
                        .err()
                        .map(|e| e.to_string()),
                    SeverityConfig::from_toml(&text).err().map(|e| e.to_string()),
                    shoutu_report::ReportTemplate::parse("模板.toml", &text)
                        .err()
                        .map(|e| e.to_string()),
                ];
                for (i, e) in errors.into_iter().enumerate() {
                    let e = e.unwrap_or_else(|| panic!("{what}: entry point {i} accepted it"));
                    assert!(e.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{what}: {e}");
                }
            }
        })
        .unwrap()
        .join()
        .expect("no stack overflow");
}
