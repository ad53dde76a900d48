//! Accounts, roles and sessions (issue #13, defects 3, 4, 6, 7 and part of 10): nobody raises
//! their own rights or takes over an account they could not grant, people with accounts move
//! only with those rights, a password change signs out other browsers, a refused login tells
//! nothing about the account, and what a page shows once is never cached.

use crate::helpers::{PASSWORD, TestApp, browser, csrf_of, spawn_app, spawn_app_with};
use reqwest::header::LOCATION;
use reqwest::multipart::{Form, Part};
use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};
use shoutu_domain::{Person, Role, Scope, Unit, User, UserId, password};
use shoutu_store::NewSource;
use shoutu_web::Config;

async fn user_named(app: &TestApp, username: &str) -> User {
    app.store.login_account(username).await.unwrap().unwrap().user
}

fn console(app: &TestApp) -> Scope {
    Scope::console(app.county.id)
}

async fn village_a(app: &TestApp) -> Unit {
    let tree = app.store.unit_tree(&console(app)).await.unwrap();
    tree.into_iter().find(|u| u.name == "河口村").unwrap()
}

/// An account made at the console, with the shared test password.
async fn add_account(app: &TestApp, unit: &Unit, username: &str, roles: &[Role]) -> (Person, User) {
    let hash = password::hash(PASSWORD).unwrap();
    crate::helpers::account(
        &*app.store,
        &console(app),
        unit,
        &format!("{username}本人"),
        username,
        roles,
        &hash,
    )
    .await
}

/// Posts from the user's page, as its buttons do.
async fn on_user_page(app: &TestApp, client: &Client, id: UserId, action: &str, fields: &[(&str, &str)]) -> Response {
    let page = format!("/users/{id}");
    app.post_form(client, &page, &format!("{page}/{action}"), fields).await
}

#[tokio::test]
async fn a_unit_admin_cannot_raise_itself_or_take_over_accounts_holding_roles_it_cannot_grant() {
    let app = spawn_app().await;
    let admin = app.login("a_admin").await;
    let me = user_named(&app, "a_admin").await;
    let leader = user_named(&app, "a_leader").await;
    let staff = user_named(&app, "a_staff").await;
    let (_, sysadmin) = add_account(&app, &village_a(&app).await, "a1_sys", &[Role::SystemAdmin]).await;

    // Its own roles: refused, with the reason on the page.
    let res = on_user_page(
        &app,
        &admin,
        me.id,
        "roles",
        &[("role", "unit_admin"), ("role", "reviewer")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("不能修改自己账号的角色"));
    assert_eq!(user_named(&app, "a_admin").await.roles, [Role::UnitAdmin]);

    // A separation-of-duty role for an account it manages: a form error naming the role.
    let res = on_user_page(
        &app,
        &admin,
        staff.id,
        "roles",
        &[("role", "staff"), ("role", "reviewer")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("您不能授予审核员角色：只有系统管理员可以授予"), "{html}");
    assert_eq!(user_named(&app, "a_staff").await.roles, [Role::Staff]);

    // Accounts holding roles it could not grant: no reset, lock or new roles.
    for (target, label) in [(&leader, "领导"), (&sysadmin, "系统管理员")] {
        let (_, page) = app.text(&admin, &format!("/users/{}", target.id)).await;
        assert!(
            page.contains("无权修改此账号") && !page.contains("reset-password"),
            "{page}"
        );
        for (action, fields) in [
            ("reset-password", &[][..]),
            ("lock", &[]),
            ("roles", &[("role", "staff")]),
        ] {
            let res = on_user_page(&app, &admin, target.id, action, fields).await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "{action} {label}");
            let html = res.text().await.unwrap();
            assert!(
                html.contains(&format!("该账号持有您不能授予的角色（{label}）")) && !html.contains("one-time-password"),
                "{action}: {html}"
            );
        }
        let after = user_named(&app, &target.username).await;
        assert_eq!((after.roles, after.locked_until), (target.roles.clone(), None));
    }
    assert_eq!(
        app.try_login(&browser(), "a_leader", PASSWORD).await.status(),
        StatusCode::SEE_OTHER,
        "the leader's password still works"
    );

    // What it may do is still done.
    let res = on_user_page(
        &app,
        &admin,
        staff.id,
        "roles",
        &[("role", "staff"), ("role", "unit_admin")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = on_user_page(&app, &admin, staff.id, "reset-password", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    // And the system administrator manages the leader.
    let root = app.login("admin").await;
    let res = on_user_page(
        &app,
        &root,
        leader.id,
        "roles",
        &[("role", "leader"), ("role", "reviewer")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_new_account_gets_only_roles_its_creator_may_grant() {
    let app = spawn_app().await;
    let admin = app.login("a_admin").await;
    let page = format!("/users/new?person={}", app.person_a.id.0);
    let (_, form) = app.text(&admin, &page).await;
    assert!(
        !form.contains("value=\"reviewer\"") && form.contains("须由系统管理员授予"),
        "{form}"
    );
    let person = app.person_a.id.0.to_string();
    let res = app
        .post_form(
            &admin,
            &page,
            "/users",
            &[
                ("person", &person),
                ("username", "wangjg"),
                ("role", "staff"),
                ("role", "leader"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("您不能授予领导角色"));
    assert!(app.store.login_account("wangjg").await.unwrap().is_none());
}

fn person_fields<'a>(unit: &'a str, name: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("unit", unit),
        ("name", name),
        ("post", "干事"),
        ("phone", ""),
        ("sort_order", "0"),
    ]
}

#[tokio::test]
async fn staff_cannot_move_a_person_with_an_account_but_the_unit_admin_can() {
    let app = spawn_app().await;
    let village = village_a(&app).await.id.0.to_string();
    let admins_person = user_named(&app, "a_admin").await.person_id;
    let staffs_person = user_named(&app, "a_staff").await.person_id;

    let staff = app.login("a_staff").await;
    let page = format!("/people/{}", admins_person.0);
    let res = app
        .post_form(&staff, &page, &page, &person_fields(&village, "a_admin本人"))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("此人有登录账号"));
    let still = app.store.person(&console(&app), admins_person).await.unwrap();
    assert_eq!(still.unit_id, app.town_a.id, "the admin stays where it was");
    // Staff still move people without accounts.
    let plain = format!("/people/{}", app.person_a.id.0);
    let res = app
        .post_form(&staff, &plain, &plain, &person_fields(&village, "王建国"))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let admin = app.login("a_admin").await;
    let page = format!("/people/{}", staffs_person.0);
    let res = app
        .post_form(&admin, &page, &page, &person_fields(&village, "a_staff本人"))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let moved = app.store.person(&console(&app), staffs_person).await.unwrap();
    assert_eq!(moved.unit_id.0.to_string(), village);
    // But not the leader, whose role it could not grant.
    let leaders_person = user_named(&app, "a_leader").await.person_id;
    let page = format!("/people/{}", leaders_person.0);
    let res = app
        .post_form(&admin, &page, &page, &person_fields(&village, "a_leader本人"))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("该账号持有您不能授予的角色（领导）"));
}

fn session_cookie(res: &Response) -> String {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| {
            c.strip_prefix("shoutu_session=")
                .map(|v| v.split(';').next().unwrap().to_string())
        })
        .expect("a session cookie is set")
}

/// A GET with exactly this session cookie, nothing else.
async fn with_cookie(app: &TestApp, token: &str, path: &str) -> Response {
    let raw = Client::builder().redirect(Policy::none()).build().unwrap();
    raw.get(app.url(path))
        .header("cookie", format!("shoutu_session={token}"))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn changing_ones_password_signs_out_other_browsers_and_renews_this_ones_session() {
    let app = spawn_app().await;
    let office = browser();
    let res = app.try_login(&office, "a_staff", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let old = session_cookie(&res);
    let home = app.login("a_staff").await;
    assert_eq!(app.get(&home, "/people").await.status(), StatusCode::OK);

    let new = "Xin-Mima-2026-a";
    let res = app
        .post_form(
            &office,
            "/account/password",
            "/account/password",
            &[("current", PASSWORD), ("new", new), ("confirm", new)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let renewed = session_cookie(&res);
    assert_ne!(renewed, old);
    let html = res.text().await.unwrap();
    assert!(html.contains("密码已修改") && html.contains("已全部退出"), "{html}");

    let res = app.get(&home, "/people").await;
    assert_eq!(
        res.headers()[LOCATION],
        "/login?next=%2Fpeople",
        "the other browser is signed out"
    );
    assert_eq!(
        with_cookie(&app, &old, "/people").await.headers()[LOCATION],
        "/login?next=%2Fpeople",
        "the old token of this browser is dead too"
    );
    assert_eq!(with_cookie(&app, &renewed, "/people").await.status(), StatusCode::OK);
    // This browser goes on, and the forms of the page it got carry the new session's token.
    let (status, page) = app.text(&office, "/account/password").await;
    assert_eq!(status, StatusCode::OK);
    let again = "Xin-Mima-2026-b";
    let token = csrf_of(&html);
    let res = office
        .post(app.url("/account/password"))
        .form(&[
            ("_csrf", token.as_str()),
            ("current", new),
            ("new", again),
            ("confirm", again),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{page}");
}

/// The body of a refused login with what legitimately differs (the typed username, the
/// form token) blanked out.
async fn refusal(res: Response, username: &str) -> (StatusCode, String) {
    let status = res.status();
    let html = res.text().await.unwrap();
    let token = csrf_of(&html);
    (status, html.replace(&token, "TOKEN").replace(username, "USER"))
}

#[tokio::test]
async fn a_refused_login_reads_the_same_for_unknown_users_wrong_passwords_and_locked_accounts() {
    let app = spawn_app_with(Config {
        lockout_threshold: 2,
        ..Config::default()
    })
    .await;
    let client = browser();
    let wrong = refusal(app.try_login(&client, "a_staff", "Wrong-Password-1").await, "a_staff").await;
    let unknown = refusal(
        app.try_login(&client, "nobody_here", "Wrong-Password-1").await,
        "nobody_here",
    )
    .await;
    assert_eq!(wrong.0, StatusCode::UNAUTHORIZED);
    assert!(wrong.1.contains("用户名或密码错误"), "{}", wrong.1);
    assert_eq!(wrong, unknown);
    // The second failure locks; neither that answer nor the next (right password) says so.
    let locking = refusal(app.try_login(&client, "a_staff", "Wrong-Password-1").await, "a_staff").await;
    assert!(user_named(&app, "a_staff").await.locked_until.is_some(), "locked");
    let locked = refusal(app.try_login(&client, "a_staff", PASSWORD).await, "a_staff").await;
    assert_eq!(locking, unknown);
    assert_eq!(locked, unknown);
}

async fn wrong_guess(base: String, username: &'static str) -> StatusCode {
    wrong_guess_via(base, username, None).await
}

/// A wrong guess, optionally claiming to come from `forwarded` (X-Forwarded-For).
async fn wrong_guess_via(base: String, username: &'static str, forwarded: Option<&str>) -> StatusCode {
    let client = browser();
    let html = client
        .get(format!("{base}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = csrf_of(&html);
    let mut post = client.post(format!("{base}/login"));
    if let Some(addr) = forwarded {
        post = post.header("x-forwarded-for", addr);
    }
    post.form(&[
        ("_csrf", token.as_str()),
        ("username", username),
        ("password", "Wrong-Password-1"),
    ])
    .send()
    .await
    .unwrap()
    .status()
}

#[tokio::test]
async fn parallel_wrong_guesses_are_each_counted_and_lock_the_account() {
    let app = spawn_app().await;
    let guesses: Vec<_> = (0..20)
        .map(|_| tokio::spawn(wrong_guess(app.base.clone(), "a_staff")))
        .collect();
    for guess in guesses {
        assert_eq!(guess.await.unwrap(), StatusCode::UNAUTHORIZED);
    }
    let user = user_named(&app, "a_staff").await;
    assert!(user.failed_logins >= 20, "every guess counted: {}", user.failed_logins);
    assert!(user.locked_until.is_some_and(|t| t > chrono::Utc::now()));
    let res = app.try_login(&browser(), "a_staff", PASSWORD).await;
    assert_eq!(
        res.status(),
        StatusCode::UNAUTHORIZED,
        "locked against the right password too"
    );
}

#[tokio::test]
async fn one_address_guessing_at_many_usernames_is_slowed_down() {
    let app = spawn_app_with(Config {
        login_attempts_per_address: 6,
        ..Config::default()
    })
    .await;
    // Successful logins do not use the allowance up.
    for _ in 0..8 {
        app.login("a_staff").await;
    }
    for username in ["a_admin", "b_admin", "nobody", "ducha", "a_leader", "admin"] {
        assert_eq!(wrong_guess(app.base.clone(), username).await, StatusCode::UNAUTHORIZED);
    }
    let res = app.try_login(&browser(), "a_staff", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key("retry-after"));
    let html = res.text().await.unwrap();
    assert!(
        html.contains("登录尝试过于频繁") && html.contains("分钟后再试"),
        "{html}"
    );
    for username in ["a_admin", "b_admin", "nobody", "ducha", "a_leader", "admin"] {
        let user = app.store.login_account(username).await.unwrap();
        assert!(
            user.is_none_or(|a| a.user.locked_until.is_none()),
            "{username} not locked"
        );
    }
}

#[tokio::test]
async fn a_forwarded_address_counts_only_behind_a_proxy_the_operator_declared() {
    let direct = spawn_app_with(Config {
        login_attempts_per_address: 2,
        ..Config::default()
    })
    .await;
    for forged in ["198.51.100.1", "198.51.100.2"] {
        assert_eq!(
            wrong_guess_via(direct.base.clone(), "a_staff", Some(forged)).await,
            StatusCode::UNAUTHORIZED
        );
    }
    let third = wrong_guess_via(direct.base.clone(), "a_staff", Some("198.51.100.3")).await;
    assert_eq!(
        third,
        StatusCode::TOO_MANY_REQUESTS,
        "a forged header does not escape the limit"
    );

    let proxied = spawn_app_with(Config {
        login_attempts_per_address: 2,
        trusted_proxy: true,
        ..Config::default()
    })
    .await;
    for _ in 0..2 {
        let status = wrong_guess_via(proxied.base.clone(), "a_staff", Some("10.9.9.9, 203.0.113.1")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let same = wrong_guess_via(proxied.base.clone(), "a_staff", Some("10.9.9.8, 203.0.113.1")).await;
    assert_eq!(
        same,
        StatusCode::TOO_MANY_REQUESTS,
        "the client's own entries change nothing"
    );
    let other = wrong_guess_via(proxied.base.clone(), "a_staff", Some("203.0.113.2")).await;
    assert_eq!(other, StatusCode::UNAUTHORIZED, "another client behind the proxy");
}

#[tokio::test]
async fn assigning_a_reviewer_of_another_unit_answers_like_a_missing_user() {
    let app = spawn_app().await;
    let (_, foreign) = add_account(&app, &app.town_b, "b_rev", &[Role::Reviewer]).await;
    let admin = app.login("a_admin").await;
    let assign = |user: String| {
        let admin = &admin;
        let app = &app;
        async move {
            let res = app
                .post_form(
                    admin,
                    "/reviewers",
                    "/reviewers",
                    &[("stage", "first"), ("user", &user)],
                )
                .await;
            (res.status(), res.text().await.unwrap())
        }
    };
    let probe = assign(foreign.id.to_string()).await;
    let missing = assign("987654".to_string()).await;
    assert_eq!(probe.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(probe, missing);
    assert!(
        !probe.1.contains("b_rev本人") && !probe.1.contains("石桥镇"),
        "{}",
        probe.1
    );
}

fn no_store(res: &Response) -> bool {
    res.headers().get("cache-control").is_some_and(|v| v == "no-store")
}

/// The first bytes of a PNG: enough for the type to be judged by content.
const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R', 1, 2, 3,
];

#[tokio::test]
async fn one_time_passwords_push_tokens_and_attachments_are_never_cached() {
    let app = spawn_app().await;
    let admin = app.login("a_admin").await;
    let staff = user_named(&app, "a_staff").await;
    let res = on_user_page(&app, &admin, staff.id, "reset-password", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(no_store(&res), "one-time password: {:?}", res.headers());

    let source = app
        .store
        .create_source(
            &console(&app),
            NewSource::parse(app.town_a.id, "网评员推送", "weibo").unwrap(),
        )
        .await
        .unwrap();
    let res = app
        .post_form(
            &admin,
            "/opinion/sources",
            &format!("/opinion/sources/{}/token", source.id),
            &[],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(no_store(&res), "push token: {:?}", res.headers());

    let clerk = admin;
    let csrf = csrf_of(&app.text(&clerk, "/activities/new?type=analysis_meeting").await.1);
    let form = Form::new()
        .text("type", "analysis_meeting")
        .text("date", crate::helpers::today().to_string())
        .text("topic", "分析研判")
        .text("others", "3")
        .text("summary", "形成问题清单。")
        .part("file", Part::bytes(PNG.to_vec()).file_name("签到表.png"));
    let res = clerk
        .post(app.url(&format!("/activities?_csrf={csrf}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()[LOCATION].to_str().unwrap().to_string();
    let (_, detail) = app.text(&clerk, &location).await;
    let start = detail.find("href=\"/attachments/").unwrap() + "href=\"".len();
    let link = &detail[start..start + detail[start..].find('"').unwrap()];
    let file = app.get(&clerk, link).await;
    assert_eq!(file.status(), StatusCode::OK);
    assert!(no_store(&file), "attachment: {:?}", file.headers());

    // The static assets keep their own caching.
    let (_, login) = app.text(&browser(), "/login").await;
    let start = login.find("/static/").unwrap();
    let css = &login[start..start + login[start..].find('"').unwrap()];
    let asset = app.get(&browser(), css).await;
    assert_eq!(asset.status(), StatusCode::OK);
    assert!(!no_store(&asset));
}

#[tokio::test]
async fn hsts_is_sent_only_when_the_site_is_served_over_https() {
    let app = spawn_app().await;
    let plain = app.get(&browser(), "/login").await;
    assert!(!plain.headers().contains_key("strict-transport-security"));
    let proxied = browser()
        .get(app.url("/login"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert_eq!(proxied.headers()["strict-transport-security"], "max-age=31536000");

    let secure = spawn_app_with(Config {
        secure_cookies: true,
        ..Config::default()
    })
    .await;
    let res = secure.get(&browser(), "/login").await;
    assert_eq!(res.headers()["strict-transport-security"], "max-age=31536000");
}
