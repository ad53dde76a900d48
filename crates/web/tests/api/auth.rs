//! Login, lock-out, CSRF and password changes.

use crate::helpers::{PASSWORD, browser, csrf_of, spawn_app, spawn_app_with};
use reqwest::StatusCode;
use reqwest::header::LOCATION;
use shoutu_web::Config;

#[tokio::test]
async fn a_user_logs_in_and_sees_the_dashboard_of_their_unit() {
    let app = spawn_app().await;
    let client = browser();
    let res = app.try_login(&client, "a_staff", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[LOCATION], "/");
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("shoutu_session="))
        .expect("a session cookie is set");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let (status, html) = app.text(&client, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("工作台") && html.contains("a_staff本人") && html.contains("河口镇"),
        "{html}"
    );
}

#[tokio::test]
async fn a_wrong_password_is_refused_without_saying_which_part_was_wrong() {
    let app = spawn_app().await;
    let client = browser();
    let res = app.try_login(&client, "a_staff", "Wrong-Password-1").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let html = res.text().await.unwrap();
    assert!(html.contains("用户名或密码错误"), "{html}");
    let res = app.try_login(&client, "nobody", "Wrong-Password-1").await;
    assert!(res.text().await.unwrap().contains("用户名或密码错误"));
    let res = app.get(&client, "/").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "still not logged in");
    assert_eq!(res.headers()[LOCATION], "/login");
}

#[tokio::test]
async fn five_failures_lock_the_account_even_against_the_right_password() {
    let app = spawn_app().await;
    let client = browser();
    for _ in 0..4 {
        let html = app
            .try_login(&client, "a_staff", "Wrong-Password-1")
            .await
            .text()
            .await
            .unwrap();
        assert!(html.contains("用户名或密码错误"));
    }
    let html = app
        .try_login(&client, "a_staff", "Wrong-Password-1")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("用户名或密码错误，或账号已被锁定"), "{html}");
    let res = app.try_login(&client, "a_staff", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // The same words as for a wrong password: a refusal tells nothing about the account.
    assert!(res.text().await.unwrap().contains("用户名或密码错误，或账号已被锁定"));
    // Other accounts are not affected.
    app.login("a_admin").await;
}

#[tokio::test]
async fn the_lockout_threshold_is_configurable() {
    let app = spawn_app_with(Config {
        lockout_threshold: 2,
        ..Config::default()
    })
    .await;
    let client = browser();
    app.try_login(&client, "a_staff", "Wrong-Password-1").await;
    let html = app
        .try_login(&client, "a_staff", "Wrong-Password-1")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("连续输错 2 次后账号将锁定"), "{html}");
    let account = app.store.login_account("a_staff").await.unwrap().unwrap();
    assert!(account.user.locked_until.is_some(), "locked after two failures");
}

#[tokio::test]
async fn a_post_without_a_valid_csrf_token_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let client = app.login("a_admin").await;
    let fields = [("unit", app.town_a.id.0.to_string()), ("name", "赵六".to_string())];
    let res = client.post(app.url("/people")).form(&fields).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("安全校验"));
    let mut forged = fields.to_vec();
    forged.push(("_csrf", "0".repeat(64)));
    let res = client.post(app.url("/people")).form(&forged).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // The right token from another site's page is refused too.
    let (_, html) = app.text(&client, "/people/new").await;
    let mut from_elsewhere = fields.to_vec();
    from_elsewhere.push(("_csrf", csrf_of(&html)));
    let res = client
        .post(app.url("/people"))
        .header("origin", "http://evil.example")
        .form(&from_elsewhere)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let (_, list) = app.text(&client, "/people").await;
    assert!(!list.contains("赵六"), "nothing was stored");
    // With the token, the same form goes through.
    let res = client
        .post(app.url("/people"))
        .form(&from_elsewhere[..])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_login_post_needs_the_login_pages_token() {
    let app = spawn_app().await;
    let client = browser();
    let res = client
        .post(app.url("/login"))
        .form(&[("username", "a_staff"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_reset_password_is_shown_once_and_must_be_changed_at_first_login() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let page = format!("/users/{}", app.user_b.id);
    let res = app
        .post_form(&admin, &page, &format!("{page}/reset-password"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    let marker = "id=\"one-time-password\">";
    let start = html.find(marker).unwrap() + marker.len();
    let one_time = html[start..start + html[start..].find('<').unwrap()].to_string();
    assert_eq!(one_time.len(), 19);

    let old = browser();
    assert_eq!(
        app.try_login(&old, "b_admin", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let user = browser();
    let res = app.try_login(&user, "b_admin", &one_time).await;
    assert_eq!(res.headers()[LOCATION], "/account/password");
    let res = app.get(&user, "/people").await;
    assert_eq!(
        res.headers()[LOCATION],
        "/account/password",
        "nothing else until the password is changed"
    );
    let weak = app
        .post_form(
            &user,
            "/account/password",
            "/account/password",
            &[("current", &one_time), ("new", "short"), ("confirm", "short")],
        )
        .await;
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.text().await.unwrap().contains("至少 10 个字符"));
    let new = "Xin-Mima-2026-b";
    let ok = app
        .post_form(
            &user,
            "/account/password",
            "/account/password",
            &[("current", &one_time), ("new", new), ("confirm", new)],
        )
        .await;
    assert_eq!(ok.status(), StatusCode::OK);
    assert!(ok.text().await.unwrap().contains("密码已修改"));
    assert_eq!(app.get(&user, "/people").await.status(), StatusCode::OK);
    let again = browser();
    assert_eq!(
        app.try_login(&again, "b_admin", new).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn logging_out_ends_the_session() {
    let app = spawn_app().await;
    let client = app.login("a_staff").await;
    let res = app.post_form(&client, "/", "/logout", &[]).await;
    assert_eq!(res.headers()[LOCATION], "/login");
    let res = app.get(&client, "/people").await;
    assert_eq!(res.headers()[LOCATION], "/login?next=%2Fpeople");
}
