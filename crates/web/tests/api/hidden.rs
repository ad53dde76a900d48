//! Records about a unit that are not for it (design.md, "Scope and visibility"): an
//! unannounced inspection before its visit, and an assessor's scores, reasons and evidence.
//! The inspected or assessed unit must not meet them on any path that shows records: lists,
//! detail pages, search, the audit page, attachments and the archive. The assessor's side
//! sees them all (each check has that control, so a check cannot pass by finding nothing).

use crate::helpers::{TestApp, csrf_of, spawn_app};
use chrono::Datelike;
use reqwest::multipart::{Form, Part};
use reqwest::{Client, StatusCode};
use shoutu_domain::Scope;
use shoutu_domain::inspection::{NewInspection, Visit};

const SYSTEM: &str = r#"
title = "测试考核指标"

[[indicator]]
code = "B"
name = "现场督查"
weight = 100
rule = { kind = "manual" }
"#;

const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R', 1, 2, 3,
];

fn search(q: &str) -> String {
    let q: String = form_urlencoded::byte_serialize(q.as_bytes()).collect();
    format!("/search?q={q}")
}

async fn page(app: &TestApp, client: &Client, path: &str) -> String {
    let (status, body) = app.text(client, path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

#[tokio::test]
async fn an_unannounced_inspection_stays_hidden_from_the_inspected_unit_until_its_visit() {
    let app = spawn_app().await;
    let county = Scope::console(app.county.id);
    let today = crate::helpers::today().to_string();
    let secret = app
        .store
        .create_inspection(
            &county,
            NewInspection::parse(app.town_a.id, "unannounced", &today, "暗访意识形态阵地值守").unwrap(),
        )
        .await
        .unwrap();
    let routine = app
        .store
        .create_inspection(
            &county,
            NewInspection::parse(app.town_a.id, "routine", &today, "常规检查理论学习台账").unwrap(),
        )
        .await
        .unwrap();
    let detail = format!("/inspections/{}", secret.id);
    let ducha = app.login("ducha").await;
    assert!(
        page(&app, &ducha, "/inspections")
            .await
            .contains("暗访意识形态阵地值守")
    );
    assert_eq!(app.get(&ducha, &detail).await.status(), StatusCode::OK);
    assert!(page(&app, &ducha, &search("阵地值守")).await.contains("暗访意识形态"));

    for who in ["a_admin", "a_staff", "a_leader"] {
        let client = app.login(who).await;
        let list = page(&app, &client, "/inspections").await;
        assert!(
            !list.contains("暗访意识形态阵地值守"),
            "{who} sees the plan in the list: {list}"
        );
        assert!(
            list.contains("常规检查理论学习台账"),
            "{who}: routine inspections stay visible"
        );
        assert_eq!(app.get(&client, &detail).await.status(), StatusCode::NOT_FOUND, "{who}");
        let found = page(&app, &client, &search("阵地值守")).await;
        assert!(!found.contains("暗访意识形态"), "{who} finds it by search: {found}");
        let found = page(&app, &client, &search("理论学习台账")).await;
        assert!(found.contains("常规检查"), "{who}: {found}");
    }
    let a_admin = app.login("a_admin").await;
    let audit = page(&app, &a_admin, "/audit").await;
    assert!(
        !audit.contains("暗访意识形态阵地值守"),
        "the audit page shows it: {audit}"
    );

    // After the visit the inspected unit sees the inspection and what was found.
    let visit = Visit::parse(&today, "检查值班记录齐全", crate::helpers::today()).unwrap();
    app.store.record_visit(&county, secret.id, visit).await.unwrap();
    assert!(
        page(&app, &a_admin, "/inspections")
            .await
            .contains("暗访意识形态阵地值守")
    );
    assert_eq!(app.get(&a_admin, &detail).await.status(), StatusCode::OK);
    assert!(page(&app, &a_admin, &search("阵地值守")).await.contains("暗访意识形态"));
    let _ = routine;
}

#[tokio::test]
async fn scores_reasons_and_evidence_stay_with_the_assessing_unit() {
    let app = spawn_app().await;
    let year = crate::helpers::today().year().to_string();
    let ducha = app.login("ducha").await;
    let res = app
        .post_form(
            &ducha,
            "/assessment/indicators",
            "/assessment/indicators",
            &[("year", &year), ("source", SYSTEM)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    let res = app
        .post_form(
            &ducha,
            "/assessment",
            "/assessment/rounds",
            &[("year", &year), ("period", "year")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    let round = res.headers()["location"]
        .to_str()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let sheet = format!("{round}/units/{}", app.town_a.id);
    let res = app
        .post_form(
            &ducha,
            &sheet,
            &format!("{sheet}/manual"),
            &[("code", "B"), ("score", "61"), ("reason", "值班制度落实不到位扣分")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    let html = page(&app, &ducha, &sheet).await;
    let form = Form::new().part("file", Part::bytes(PNG.to_vec()).file_name("巡河笔录.png"));
    let res = ducha
        .post(app.url(&format!("{sheet}/evidence?_csrf={}", csrf_of(&html))))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    let html = page(&app, &ducha, &sheet).await;
    let marker = "/attachments/";
    let at = html.find(marker).expect("the sheet links its evidence") + marker.len();
    let id: String = html[at..].chars().take_while(char::is_ascii_digit).collect();
    let file = format!("/attachments/{id}");

    // The assessing side sees all of it.
    assert_eq!(app.get(&ducha, &file).await.status(), StatusCode::OK);
    assert!(page(&app, &ducha, &search("值班制度")).await.contains("不到位扣分"));
    assert!(page(&app, &ducha, &search("巡河")).await.contains("笔录"));
    let admin = app.login("admin").await;
    let archive = app.get(&admin, &format!("/archive?year={year}")).await;
    assert_eq!(archive.status(), StatusCode::OK);
    let zip = archive.bytes().await.unwrap();
    let name = "巡河笔录".as_bytes();
    assert!(
        zip.windows(name.len()).any(|w| w == name),
        "the county's archive files the evidence"
    );

    // The assessed unit, whatever its roles, sees none of it: before the round closes or after.
    for closed in [false, true] {
        if closed {
            let res = app.post_form(&ducha, &round, &format!("{round}/close"), &[]).await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
        }
        for who in ["a_admin", "a_staff", "a_leader"] {
            let client = app.login(who).await;
            for path in [&round, &sheet, &file, &format!("{round}/export.xlsx")] {
                let status = app.get(&client, path).await.status();
                assert_eq!(status, StatusCode::NOT_FOUND, "{who} (closed: {closed}) reaches {path}");
            }
            let found = page(&app, &client, &search("值班制度")).await;
            assert!(!found.contains("不到位扣分"), "{who} finds the reason: {found}");
            let found = page(&app, &client, &search("巡河")).await;
            assert!(!found.contains("笔录"), "{who} finds the evidence: {found}");
        }
        let a_admin = app.login("a_admin").await;
        let audit = page(&app, &a_admin, "/audit").await;
        assert!(
            !audit.contains("值班制度落实不到位扣分"),
            "the audit page shows the reason: {audit}"
        );
        let archive = app.get(&a_admin, &format!("/archive?year={year}")).await;
        assert_eq!(archive.status(), StatusCode::OK);
        let zip = archive.bytes().await.unwrap();
        assert!(
            !zip.windows(name.len()).any(|w| w == name),
            "town A's archive files the evidence"
        );
    }
}
