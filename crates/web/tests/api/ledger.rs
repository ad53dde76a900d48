//! The work ledger: a township records a meeting with evidence, its requirement turns 达标,
//! and the county sees it in the heat map, all from the one record.

use crate::helpers::{TestApp, csrf_of, spawn_app, spawn_app_with};
use reqwest::multipart::{Form, Part};
use reqwest::{Client, StatusCode};
use shoutu_web::Config;

/// The first bytes of a PNG: enough for the type to be judged by content.
const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R', 1, 2, 3,
];

async fn token(app: &TestApp, client: &Client) -> String {
    csrf_of(&app.text(client, "/activities/new?type=analysis_meeting").await.1)
}

fn analysis_meeting(date: &str, file: Option<(&str, &[u8])>) -> Form {
    let mut form = Form::new()
        .text("type", "analysis_meeting")
        .text("date", date.to_string())
        .text("topic", "分析研判上半年意识形态领域形势")
        .text("others", "3")
        .text("summary", "梳理网络舆情和群众诉求，形成问题清单、责任清单、整改清单。");
    if let Some((name, bytes)) = file {
        form = form.part("file", Part::bytes(bytes.to_vec()).file_name(name.to_string()));
    }
    form
}

fn today() -> String {
    crate::helpers::today().to_string()
}

#[tokio::test]
async fn a_recorded_meeting_turns_its_requirement_met_and_shows_in_the_county_heat_map() {
    let app = spawn_app().await;
    let staff = app.login("a_staff").await;
    let (_, before) = app.text(&staff, "/requirements").await;
    assert!(
        before.contains("意识形态领域形势分析研判") && before.contains("还差 1 次"),
        "{before}"
    );

    let csrf = token(&app, &staff).await;
    let res = staff
        .post(app.url(&format!("/activities?_csrf={csrf}")))
        .multipart(analysis_meeting(&today(), Some(("签到表.png", PNG))))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let (_, detail) = app.text(&staff, &location).await;
    assert!(detail.contains("签到表.png") && detail.contains("分析研判"), "{detail}");

    let (_, after) = app.text(&staff, "/requirements").await;
    let row = after
        .split("<tr>")
        .skip(1)
        .find(|r| r.contains("意识形态领域形势分析研判"))
        .unwrap();
    assert!(row.contains("✓ 达标"), "{row}");

    let county = app.login("ducha").await;
    let (status, map) = app.text(&county, "/requirements/map").await;
    assert_eq!(status, StatusCode::OK);
    let a_row = map.split("<tr>").skip(1).find(|r| r.contains("河口镇")).unwrap();
    let b_row = map.split("<tr>").skip(1).find(|r| r.contains("石桥镇")).unwrap();
    assert!(a_row.contains("达标 1/1"), "{a_row}");
    assert!(b_row.contains("未达标 0/1"), "{b_row}");
}

#[tokio::test]
async fn evidence_is_downloaded_only_within_the_scope() {
    let app = spawn_app().await;
    let staff = app.login("a_staff").await;
    let csrf = token(&app, &staff).await;
    let res = staff
        .post(app.url(&format!("/activities?_csrf={csrf}")))
        .multipart(analysis_meeting(&today(), Some(("现场照片.png", PNG))))
        .send()
        .await
        .unwrap();
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let (_, detail) = app.text(&staff, &location).await;
    let marker = "href=\"/attachments/";
    let start = detail.find(marker).unwrap() + marker.len() - "/attachments/".len();
    let link = &detail[start..start + detail[start..].find('"').unwrap()];
    let mine = app.get(&staff, link).await;
    assert_eq!(mine.status(), StatusCode::OK);
    assert_eq!(mine.headers()["content-type"], "image/png");
    assert_eq!(mine.bytes().await.unwrap().as_ref(), PNG);

    let other = app.login("b_admin").await;
    assert_eq!(app.get(&other, link).await.status(), StatusCode::NOT_FOUND);
    let activity = location.split('?').next().unwrap();
    assert_eq!(app.get(&other, activity).await.status(), StatusCode::NOT_FOUND);
    let (_, list) = app.text(&other, "/activities").await;
    assert!(
        !list.contains("分析研判上半年"),
        "another township's ledger stays hidden"
    );
}

#[tokio::test]
async fn a_disguised_or_oversized_attachment_is_refused_and_nothing_is_stored() {
    let app = spawn_app_with(Config {
        max_upload_bytes: 1024,
        ..Config::default()
    })
    .await;
    let staff = app.login("a_staff").await;
    let csrf = token(&app, &staff).await;
    let page = b"<html><body>not a photo</body></html>".to_vec();
    let res = staff
        .post(app.url(&format!("/activities?_csrf={csrf}")))
        .multipart(analysis_meeting(&today(), Some(("照片.jpg", &page))))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("「附件」附件「照片.jpg」的内容不是允许的类型"), "{html}");
    assert!(
        html.contains("分析研判上半年意识形态领域形势"),
        "what was typed stays in the form"
    );

    let big = [PNG, &[0u8; 2048][..]].concat();
    let res = staff
        .post(app.url(&format!("/activities?_csrf={csrf}")))
        .multipart(analysis_meeting(&today(), Some(("大照片.png", &big))))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("附件「大照片.png」有 3 KB，超过 1 KB 的上限"), "{html}");
    let (_, list) = app.text(&staff, "/activities").await;
    assert!(list.contains("没有符合条件的记录"), "nothing was stored");
}

#[tokio::test]
async fn bad_dates_and_outside_participants_are_refused() {
    let app = spawn_app().await;
    let staff = app.login("a_staff").await;
    let csrf = token(&app, &staff).await;
    let res = staff
        .post(app.url(&format!("/activities?_csrf={csrf}")))
        .multipart(analysis_meeting("2999-01-01", None))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("「日期」不能晚于今天"));

    let outsider = analysis_meeting(&today(), None).text("participant", app.person_b.id.0.to_string());
    let res = staff
        .post(app.url(&format!("/activities?_csrf={csrf}")))
        .multipart(outsider)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "a person outside the scope does not exist for this user"
    );
    let unknown = Form::new()
        .text("type", "karaoke")
        .text("date", today())
        .text("topic", "x");
    let res = staff
        .post(app.url(&format!("/activities?_csrf={csrf}")))
        .multipart(unknown)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("「karaoke」不是已知的活动类型"));
    let (_, list) = app.text(&staff, "/activities").await;
    assert!(list.contains("没有符合条件的记录"));
}

#[tokio::test]
async fn the_dashboard_charts_this_years_records_by_month_with_links() {
    let app = spawn_app().await;
    let staff = app.login("a_staff").await;
    let (_, empty) = app.text(&staff, "/").await;
    assert!(empty.contains("今年还没有台账记录"), "missing data is shown as missing");
    let csrf = token(&app, &staff).await;
    let res = staff
        .post(app.url(&format!("/activities?_csrf={csrf}")))
        .multipart(analysis_meeting(&today(), None))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.text(&staff, "/").await;
    assert!(html.contains("工作台账（含下级单位）：1 条"), "{html}");
    assert!(html.contains("<svg class=\"chart\""));
    let row = html
        .split("<tr>")
        .skip(1)
        .find(|r| r.contains("意识形态工作分析研判会议"))
        .expect("a row per type");
    assert!(
        row.contains("type=analysis_meeting"),
        "each cell links to its records: {row}"
    );
}
