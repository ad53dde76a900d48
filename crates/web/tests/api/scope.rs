//! A user of township A can neither read, list nor change township B's data.

use crate::helpers::spawn_app;
use reqwest::StatusCode;
use shoutu_domain::Scope;

#[tokio::test]
async fn another_townships_pages_are_not_found() {
    let app = spawn_app().await;
    let a = app.login("a_admin").await;
    for path in [
        format!("/units/{}", app.town_b.id),
        format!("/units/{}/edit", app.town_b.id),
        format!("/people/{}", app.person_b.id.0),
        format!("/people?unit={}", app.town_b.id),
        format!("/users/{}", app.user_b.id),
        format!("/users?unit={}", app.town_b.id),
        format!("/audit?unit={}", app.town_b.id),
        format!("/units/new?parent={}", app.town_b.id),
        format!("/users/new?person={}", app.person_b.id.0),
    ] {
        let (status, html) = app.text(&a, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(
            !html.contains("李秀英") && !html.contains("石桥镇"),
            "{path} leaks: {html}"
        );
        assert!(html.contains("不在您的管辖范围内"), "{path}");
    }
}

#[tokio::test]
async fn lists_show_only_the_own_subtree() {
    let app = spawn_app().await;
    let a = app.login("a_admin").await;
    for path in ["/people", "/units", "/users", "/audit", "/"] {
        let (status, html) = app.text(&a, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(
            !html.contains("李秀英") && !html.contains("石桥镇") && !html.contains("b_admin"),
            "{path} leaks"
        );
    }
    let (_, people) = app.text(&a, "/people").await;
    assert!(people.contains("王建国"));
    let county = app.login("admin").await;
    let (_, people) = app.text(&county, "/people").await;
    assert!(
        people.contains("王建国") && people.contains("李秀英"),
        "the county sees both"
    );
}

#[tokio::test]
async fn writes_into_another_township_are_refused_and_store_nothing() {
    let app = spawn_app().await;
    let a = app.login("a_admin").await;
    let b_person = format!("/people/{}", app.person_b.id.0);
    let b_unit = app.town_b.id.to_string();
    let a_unit = app.town_a.id.to_string();
    let attempts: Vec<(String, Vec<(&str, &str)>)> = vec![
        (
            b_person.clone(),
            vec![("unit", &b_unit), ("name", "李秀英"), ("post", "被改了")],
        ),
        (
            b_person.clone(),
            vec![("unit", &a_unit), ("name", "李秀英"), ("post", "被挪走")],
        ),
        ("/people".into(), vec![("unit", &b_unit), ("name", "混入者")]),
        (
            format!("/units/{}", app.town_b.id),
            vec![("kind", "town"), ("name", "改名镇"), ("code", "B")],
        ),
        (
            "/units".into(),
            vec![
                ("parent", &b_unit),
                ("kind", "village"),
                ("name", "新村"),
                ("code", "B9"),
            ],
        ),
        (format!("/units/{}/move", app.town_b.id), vec![("new_parent", &a_unit)]),
        (format!("/users/{}/lock", app.user_b.id), vec![]),
        (format!("/users/{}/reset-password", app.user_b.id), vec![]),
        (format!("/users/{}/roles", app.user_b.id), vec![("role", "staff")]),
        ("/switch-unit".into(), vec![("unit", &b_unit)]),
    ];
    for (action, fields) in attempts {
        let res = app.post_form(&a, "/people", &action, &fields).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "POST {action}");
    }
    let console = Scope::console(app.county.id);
    let b = app.store.person(&console, app.person_b.id).await.unwrap();
    assert_eq!((b.post.as_str(), b.unit_id), ("宣传委员", app.town_b.id));
    let b_town = app.store.unit(&console, app.town_b.id).await.unwrap();
    assert_eq!(b_town.name, "石桥镇");
    let user_b = app.store.user(&console, app.user_b.id).await.unwrap();
    assert!(user_b.locked_until.is_none() && !user_b.must_change_password);
}

#[tokio::test]
async fn the_unit_switcher_narrows_the_view_within_reach() {
    let app = spawn_app().await;
    let county = app.login("admin").await;
    let (_, html) = app.text(&county, "/").await;
    assert!(html.contains("石桥镇"), "the county admin can switch to any township");
    let res = app
        .post_form(&county, "/", "/switch-unit", &[("unit", &app.town_a.id.to_string())])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, people) = app.text(&county, "/people").await;
    assert!(
        people.contains("王建国") && !people.contains("李秀英"),
        "now looking at 河口镇 only"
    );
    let (status, _) = app.text(&county, &format!("/people/{}", app.person_b.id.0)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let back = app
        .post_form(&county, "/", "/switch-unit", &[("unit", &app.county.id.to_string())])
        .await;
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    let (_, people) = app.text(&county, "/people").await;
    assert!(people.contains("李秀英"));
}

#[tokio::test]
async fn roles_decide_what_may_be_done_inside_the_scope() {
    let app = spawn_app().await;
    let leader = app.login("a_leader").await;
    let (status, _) = app.text(&leader, "/people").await;
    assert_eq!(status, StatusCode::OK, "leaders read");
    let res = app
        .post_form(
            &leader,
            "/people",
            "/people",
            &[("unit", &app.town_a.id.to_string()), ("name", "赵六")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "but do not enter records");
    let staff = app.login("a_staff").await;
    assert_eq!(app.get(&staff, "/users").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get(&staff, "/audit").await.status(), StatusCode::FORBIDDEN);
}
