//! 领导小组与职责分工 with dates.

use crate::helpers::spawn_app;
use reqwest::StatusCode;

#[tokio::test]
async fn an_appointment_shows_from_its_date_and_only_to_its_own_unit() {
    let app = spawn_app().await;
    let admin = app.login("a_admin").await;
    let person = app.person_a.id.0.to_string();
    let res = app
        .post_form(
            &admin,
            "/duties",
            "/duties",
            &[
                ("person", &person),
                ("role", "direct_responsible"),
                ("duties", "分管宣传思想工作"),
                ("start", "2026-01-05"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    let (_, now) = app.text(&admin, "/duties?on=2026-01-05").await;
    let current = now
        .split("在任</h2>")
        .nth(1)
        .unwrap()
        .split("</section>")
        .next()
        .unwrap();
    assert!(
        current.contains("直接责任人") && current.contains("王建国"),
        "{current}"
    );
    let (_, before) = app.text(&admin, "/duties?on=2026-01-04").await;
    assert!(before.contains("该日没有登记在任的责任人"));
    let (status, _) = app.text(&admin, "/duties?on=昨天").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let res = app
        .post_form(
            &admin,
            "/duties",
            "/duties",
            &[("person", &person), ("role", "dual_duty"), ("start", "2026-01-05")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("「分管领域」不能为空"));

    let other = app.login("b_admin").await;
    let (_, theirs) = app.text(&other, "/duties").await;
    assert!(!theirs.contains("王建国"));
    let id = app
        .store
        .duties(&shoutu_domain::Scope::console(app.county.id), app.town_a.id, None)
        .await
        .unwrap()[0]
        .id;
    let res = app
        .post_form(
            &other,
            "/duties",
            &format!("/duties/{id}/end"),
            &[("last_day", "2026-02-01")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}
