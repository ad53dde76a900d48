//! Pages and forms: what users see for good and bad input.

use crate::helpers::spawn_app;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, LOCATION};

#[tokio::test]
async fn pages_need_a_login_and_come_back_after_it() {
    let app = spawn_app().await;
    let client = crate::helpers::browser();
    let res = app.get(&client, "/people?page=2").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[LOCATION], "/login?next=%2Fpeople%3Fpage%3D2");
    let res = client
        .get(app.url("/people"))
        .header("hx-request", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["hx-redirect"], "/login?next=%2Fpeople");
}

#[tokio::test]
async fn malformed_ids_and_unknown_pages_get_chinese_error_pages() {
    let app = spawn_app().await;
    let client = app.login("admin").await;
    for (path, status, words) in [
        ("/units/abc", StatusCode::BAD_REQUEST, "编号「abc」无效"),
        ("/people/-3", StatusCode::BAD_REQUEST, "编号「-3」无效"),
        ("/people/99999999999999999999", StatusCode::BAD_REQUEST, "无效"),
        ("/people/987654", StatusCode::NOT_FOUND, "未找到"),
        ("/no/such/page", StatusCode::NOT_FOUND, "未找到"),
        ("/people?page=abc", StatusCode::BAD_REQUEST, "页码「abc」无效"),
        (
            "/audit?from=2026-13-01",
            StatusCode::BAD_REQUEST,
            "「起始日期」应为日期",
        ),
        ("/units?kind=province", StatusCode::BAD_REQUEST, "不是已知的单位类型"),
    ] {
        let (got, html) = app.text(&client, path).await;
        assert_eq!(got, status, "{path}");
        assert!(html.contains(words), "{path}: {html}");
        assert!(html.contains("lang=\"zh-CN\""));
    }
}

#[tokio::test]
async fn overlong_or_classified_input_is_refused_with_the_field_named() {
    let app = spawn_app().await;
    let client = app.login("a_admin").await;
    let unit = app.town_a.id.to_string();
    let long_name = "王".repeat(21);
    for (fields, words) in [
        (
            vec![("unit", unit.as_str()), ("name", long_name.as_str())],
            "「姓名」过长：最多 20 个字符",
        ),
        (
            vec![("unit", unit.as_str()), ("name", "赵六"), ("sort_order", "第一")],
            "「排序号」应为整数",
        ),
        (
            vec![("unit", unit.as_str()), ("name", "赵六"), ("post", "秘密★ 专项组")],
            "涉密",
        ),
        (vec![("unit", unit.as_str()), ("name", "   ")], "「姓名」不能为空"),
    ] {
        let res = app.post_form(&client, "/people/new", "/people", &fields).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{words}");
        let html = res.text().await.unwrap();
        assert!(html.contains(words), "{words}: {html}");
        assert!(
            html.contains("value=\"赵六\"") || fields[1].1 != "赵六",
            "what was typed stays in the form"
        );
    }
    let (_, list) = app.text(&client, "/people").await;
    assert!(!list.contains("赵六"));
}

#[tokio::test]
async fn user_text_is_escaped_in_pages() {
    let app = spawn_app().await;
    let client = app.login("a_admin").await;
    let res = app
        .post_form(
            &client,
            "/people/new",
            "/people",
            &[("unit", &app.town_a.id.to_string()), ("name", "<script>x</script>")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.text(&client, "/people").await;
    assert!(!html.contains("<script>x</script>"));
    assert!(
        html.contains("&#60;script&#62;") || html.contains("&lt;script&gt;"),
        "{html}"
    );
}

#[tokio::test]
async fn units_are_created_edited_and_moved_from_the_browser() {
    let app = spawn_app().await;
    let client = app.login("admin").await;
    let parent = app.town_a.id.to_string();
    let res = app
        .post_form(
            &client,
            "/units/new",
            "/units",
            &[
                ("parent", &parent),
                ("kind", "village"),
                ("name", "柳树湾村"),
                ("code", "A2"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()[LOCATION].to_str().unwrap().to_string();
    let (_, html) = app.text(&client, &location).await;
    assert!(html.contains("柳树湾村") && html.contains("已保存") && html.contains("河口镇"));
    let id = location
        .trim_start_matches("/units/")
        .split('?')
        .next()
        .unwrap()
        .to_string();

    let clash = app
        .post_form(
            &client,
            "/units/new",
            "/units",
            &[
                ("parent", &parent),
                ("kind", "village"),
                ("name", "重复村"),
                ("code", "A2"),
            ],
        )
        .await;
    assert_eq!(clash.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(clash.text().await.unwrap().contains("「单位代码」已被其他单位使用"));

    let wrong_kind = app
        .post_form(
            &client,
            "/units/new",
            "/units",
            &[
                ("parent", &parent),
                ("kind", "bureau"),
                ("name", "某局"),
                ("code", "A3"),
            ],
        )
        .await;
    assert_eq!(wrong_kind.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong_kind.text().await.unwrap().contains("下不能设立局"));

    let page = format!("/units/{id}");
    let res = app
        .post_form(
            &client,
            &page,
            &format!("/units/{id}/move"),
            &[("new_parent", &app.town_b.id.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.text(&client, &page).await;
    assert!(html.contains("石桥镇"), "the breadcrumbs now run through 石桥镇");
    let res = app
        .post_form(
            &client,
            &page,
            &page,
            &[("kind", "village"), ("name", "柳树湾村（新）"), ("code", "B2")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.text(&client, "/units").await;
    assert!(html.contains("柳树湾村（新）"));
}

#[tokio::test]
async fn a_new_account_gets_a_one_time_password_and_shows_up_in_the_list() {
    let app = spawn_app().await;
    let client = app.login("a_admin").await;
    let page = format!("/users/new?person={}", app.person_a.id.0);
    let res = app
        .post_form(
            &client,
            &page,
            "/users",
            &[
                ("person", &app.person_a.id.0.to_string()),
                ("username", "WangJG"),
                ("role", "staff"),
                ("role", "unit_admin"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("账号已创建") && html.contains("wangjg") && html.contains("one-time-password"));
    let (_, list) = app.text(&client, "/users").await;
    assert!(list.contains("wangjg") && list.contains("单位管理员、录入员") && list.contains("待首次改密"));
    let escalate = app
        .post_form(
            &client,
            &page,
            "/users",
            &[
                ("person", &app.person_a.id.0.to_string()),
                ("username", "boss"),
                ("role", "system_admin"),
            ],
        )
        .await;
    assert_eq!(escalate.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(escalate.text().await.unwrap().contains("只有系统管理员可以授予"));
}

#[tokio::test]
async fn the_audit_page_lists_writes_with_filters() {
    let app = spawn_app().await;
    let client = app.login("admin").await;
    let res = app
        .post_form(
            &client,
            "/people/new",
            "/people",
            &[
                ("unit", &app.town_a.id.to_string()),
                ("name", "审计甲"),
                ("post", "干事"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (status, html) = app.text(&client, "/audit?type=person&user=admin").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("审计甲") && html.contains("新增") && html.contains("admin本人（admin）"),
        "{html}"
    );
    let (_, units_only) = app.text(&client, "/audit?type=unit").await;
    assert!(!units_only.contains("审计甲"));
    let (_, future) = app.text(&client, "/audit?from=2999-01-01").await;
    assert!(future.contains("没有符合条件的审计记录"));
    let (status, html) = app.text(&client, "/audit?user=ghost").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("没有用户名为「ghost」的用户"));
    assert!(app.store.verify_audit_chain().await.unwrap().broken.is_none());
}

#[tokio::test]
async fn assets_are_served_from_the_binary_with_a_strict_policy() {
    let app = spawn_app().await;
    let client = crate::helpers::browser();
    for (path, kind) in [
        ("/static/app.css", "text/css"),
        ("/static/vendor/htmx-2.0.11.min.js", "javascript"),
        ("/static/app.js", "javascript"),
    ] {
        let res = app.get(&client, path).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert!(res.headers()[CONTENT_TYPE].to_str().unwrap().contains(kind), "{path}");
    }
    let res = app.get(&client, "/login").await;
    let csp = res.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'self'") && !csp.contains("http"), "{csp}");
    let html = res.text().await.unwrap();
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no external resources"
    );
}
