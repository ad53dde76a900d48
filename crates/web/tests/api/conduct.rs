//! Conduct rules: published by a township, acknowledged by its cadres themselves.

use crate::helpers::spawn_app;
use reqwest::StatusCode;

#[tokio::test]
async fn cadres_acknowledge_their_townships_rules_and_others_never_see_them() {
    let app = spawn_app().await;
    let admin = app.login("a_admin").await;
    let res = app
        .post_form(
            &admin,
            "/conduct",
            "/conduct",
            &[
                ("title", "干部网络行为“十严禁”"),
                ("items", "严禁在网上发表不当言论\n严禁泄露工作秘密"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    let page = res.headers()["location"]
        .to_str()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let (_, before) = app.text(&admin, &page).await;
    assert!(
        before.contains("a_staff本人"),
        "a_staff is listed as not yet acknowledged"
    );

    let staff = app.login("a_staff").await;
    let res = app.post_form(&staff, &page, &format!("{page}/acknowledge"), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, after) = app.text(&staff, &page).await;
    assert!(after.contains("您已签收"));
    let again = app.post_form(&admin, &page, &format!("{page}/acknowledge"), &[]).await;
    assert_eq!(
        again.status(),
        StatusCode::SEE_OTHER,
        "the admin signs for themselves, not for a_staff"
    );
    let twice = app.post_form(&staff, &page, &format!("{page}/acknowledge"), &[]).await;
    assert_eq!(twice.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(twice.text().await.unwrap().contains("您已签收过"));

    let other = app.login("b_admin").await;
    assert_eq!(app.get(&other, &page).await.status(), StatusCode::NOT_FOUND);
    let (_, list) = app.text(&other, "/conduct").await;
    assert!(
        list.contains("尚未发布行为规范") && !list.contains("href=\"/conduct/"),
        "{list}"
    );
}
