//! 目标责任书 from issue to signature, and the supervisor's signing rate.

use crate::helpers::{csrf_of, spawn_app};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R', 9,
];

/// The first `/letters/copies/{id}/…` action on a page.
fn first_copy_action(html: &str, action: &str) -> String {
    let marker = "/letters/copies/";
    let mut rest = html;
    while let Some(i) = rest.find(marker) {
        let tail = &rest[i + marker.len()..];
        let id: String = tail.chars().take_while(|c| c.is_ascii_digit()).collect();
        if tail[id.len()..].starts_with(&format!("/{action}")) {
            return id;
        }
        rest = tail;
    }
    panic!("no {action} action on the page: {html}");
}

#[tokio::test]
async fn a_letter_is_issued_signed_with_a_scan_and_counted_in_the_signing_rate() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let units = [app.town_a.id.to_string(), app.town_b.id.to_string()];
    let res = app
        .post_form(
            &admin,
            "/letters/new",
            "/letters",
            &[
                ("year", "2026"),
                ("title", "2026年度意识形态工作目标责任书"),
                ("duties", "落实主体责任\n开展分析研判"),
                ("unit", &units[0]),
                ("unit", &units[1]),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    let letter = res.headers()["location"]
        .to_str()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let letter_id = letter.trim_start_matches("/letters/").to_string();
    let (_, html) = app.text(&admin, &letter).await;
    let copy = first_copy_action(&html, "issue");
    let res = app
        .post_form(
            &admin,
            &letter,
            &format!("/letters/copies/{copy}/issue"),
            &[("letter", &letter_id)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let staff = app.login("a_staff").await;
    let (status, mine) = app.text(&staff, &letter).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        mine.contains("河口镇") && !mine.contains("石桥镇</td>"),
        "a township sees its own copy"
    );
    let a_copy = first_copy_action(&mine, "sign");
    let csrf = csrf_of(&mine);
    let today = crate::helpers::today().to_string();
    let form = Form::new()
        .text("letter", letter_id.clone())
        .text("date", today.clone())
        .text("signer", "王建国")
        .part("file", Part::bytes(PNG.to_vec()).file_name("责任书扫描件.png"));
    let res = staff
        .post(app.url(&format!("/letters/copies/{a_copy}/sign?_csrf={csrf}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, signed) = app.text(&staff, &letter).await;
    assert!(signed.contains("已签订") && signed.contains("王建国"), "{signed}");

    let other = app.login("b_admin").await;
    let csrf_b = csrf_of(&app.text(&other, "/letters").await.1);
    let form = Form::new()
        .text("letter", letter_id.clone())
        .text("date", today)
        .text("signer", "冒名");
    let res = other
        .post(app.url(&format!("/letters/copies/{a_copy}/sign?_csrf={csrf_b}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "another township cannot sign A's copy"
    );

    let ducha = app.login("ducha").await;
    let (_, overview) = app.text(&ducha, "/letters?year=2026").await;
    assert!(overview.contains("50%") && overview.contains("1/2"), "{overview}");
    let missing = overview.split("尚未签订的单位").nth(1).unwrap();
    assert!(missing.contains("石桥镇") && !missing.contains("河口镇"));
}

#[tokio::test]
async fn a_letter_without_duties_or_recipients_is_refused() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let res = app
        .post_form(
            &admin,
            "/letters/new",
            "/letters",
            &[("year", "2026"), ("title", "空责任书"), ("duties", "")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("「责任内容」至少写一条责任"));
    let (_, list) = app.text(&admin, "/letters?year=2026").await;
    assert!(list.contains("2026年度暂无目标责任书"));
}
