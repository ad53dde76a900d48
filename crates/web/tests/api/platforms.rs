//! 阵地管理 over HTTP: the 三审三校 path from a placeholder draft to a published text whose
//! logged hash anyone can check, and the refusals along the way.

use crate::helpers::{PASSWORD, TestApp, csrf_of, spawn_app};
use reqwest::multipart::{Form, Part};
use reqwest::{Client, StatusCode};
use sha2::{Digest, Sha256};
use shoutu_domain::{NewPerson, NewUser, Role, Scope, Unit, User, password};

async fn reviewer(app: &TestApp, unit: &Unit, username: &str, name: &str, roles: &[Role]) -> User {
    let console = Scope::console(app.county.id);
    let p = app
        .store
        .create_person(&console, NewPerson::parse(unit.id, name, "审核员", "", 0).unwrap())
        .await
        .unwrap();
    app.store
        .create_user(
            &console,
            NewUser {
                username: username.into(),
                person_id: p.id,
                roles: roles.to_vec(),
                password_hash: password::hash(PASSWORD).unwrap(),
                must_change_password: false,
            },
        )
        .await
        .unwrap()
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default()
}

async fn post(app: &TestApp, client: &Client, action: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let res = app.post_form(client, "/zhendi", action, fields).await;
    let status = res.status();
    (status, res.text().await.unwrap())
}

fn id_of_user(html: &str, name: &str) -> String {
    // <option value="12">名字（单位 · 角色）</option>
    let at = html.find(&format!("\">{name}（")).expect("the user is offered");
    let start = html[..at].rfind("value=\"").unwrap() + 7;
    html[start..at].to_string()
}

#[tokio::test]
async fn a_placeholder_draft_is_fixed_reviewed_three_times_and_published_with_its_hash() {
    let app = spawn_app().await;
    reviewer(&app, &app.town_a, "a_rev1", "初审员甲", &[Role::Reviewer]).await;
    reviewer(&app, &app.town_a, "a_rev2", "复审员乙", &[Role::Reviewer]).await;

    // The unit admin assigns a reviewer to each stage; 终审 goes to the leader.
    let admin = app.login("a_admin").await;
    let (_, page) = app.text(&admin, "/reviewers").await;
    for (stage, name) in [("first", "初审员甲"), ("second", "复审员乙"), ("final", "a_leader本人")] {
        let user = id_of_user(&page, name);
        let res = app
            .post_form(&admin, "/reviewers", "/reviewers", &[("stage", stage), ("user", &user)])
            .await;
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "{stage}: {}",
            res.text().await.unwrap()
        );
    }

    // A township staff member registers the public account and drafts a post with a placeholder.
    let staff = app.login("a_staff").await;
    let res = app
        .post_form(
            &staff,
            "/platforms/new",
            "/platforms",
            &[
                ("unit", &app.town_a.id.to_string()),
                ("kind", "wechat_mp"),
                ("name", "河口镇发布"),
                ("filing", "filed"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let platform = location(&res)
        .trim_start_matches("/platforms/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let csrf = csrf_of(&app.text(&staff, "/drafts/new").await.1);
    let draft_text = "XX镇组织开展党的创新理论宣讲活动。";
    let form = Form::new()
        .text("title", "河口镇开展理论宣讲")
        .text("body", draft_text)
        .text("platform", platform.clone());
    let res = staff
        .post(app.url(&format!("/drafts?_csrf={csrf}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    let draft = location(&res).split('?').next().unwrap().to_string();
    let (status, _) = post(&app, &staff, &format!("{draft}/submit"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // The first reviewer sees the 审校 finding marked in the text.
    let r1 = app.login("a_rev1").await;
    let (status, html) = app.text(&r1, &draft).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("class=\"flag sev-error\""), "{html}");
    assert!(
        html.contains("title=\"第 1 处\">XX"),
        "the placeholder is marked in the text: {html}"
    );
    assert!(html.contains("1 处错误待处理"), "{html}");
    assert!(html.contains("初审通过"), "the reviewer is offered the approval");

    // The staff member cannot approve; the author fixes it in a proofreading round.
    let (status, html) = post(&app, &staff, &format!("{draft}/approve"), &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("没有初审权限"), "{html}");
    let fixed = "河口镇组织开展党的创新理论宣讲活动。";
    let (status, _) = post(
        &app,
        &staff,
        &format!("{draft}/proofread"),
        &[("body", fixed), ("note", "补全镇名")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = app.text(&r1, &draft).await;
    assert!(
        html.contains("<del>XX</del>"),
        "the diff shows what was removed: {html}"
    );
    assert!(html.contains("<ins>河口</ins>"), "the diff shows what was added");
    assert!(html.contains("一校"));
    assert!(!html.contains("错误待处理"), "the finding is resolved: {html}");

    // Three different reviewers approve; the first may not approve twice.
    let (status, _) = post(&app, &r1, &format!("{draft}/approve"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, html) = post(&app, &r1, &format!("{draft}/approve"), &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("不是本单位指定的复审人"), "{html}");
    // Even when also assigned to 复审, the 初审 reviewer may not approve a second stage.
    let r1_id = id_of_user(&page, "初审员甲");
    let res = app
        .post_form(
            &admin,
            "/reviewers",
            "/reviewers",
            &[("stage", "second"), ("user", &r1_id)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (status, html) = post(&app, &r1, &format!("{draft}/approve"), &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("同一人不能审核同一稿件的两个环节"), "{html}");
    let r2 = app.login("a_rev2").await;
    let (status, _) = post(&app, &r2, &format!("{draft}/approve"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let leader = app.login("a_leader").await;
    let (status, html) = post(&app, &leader, &format!("{draft}/approve"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    let (status, _) = post(&app, &staff, &format!("{draft}/publish"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // The publication log shows the SHA-256 of the final text.
    let expected = hex::encode(Sha256::digest(fixed.as_bytes()));
    let (_, log) = app.text(&staff, "/publications").await;
    assert!(log.contains(&expected), "{log}");
    assert!(log.contains("河口镇发布"));
    assert!(log.contains(">一致<"), "the log verifies");
    let id = draft.trim_start_matches("/drafts/");
    let (_, check) = app.text(&staff, &format!("/publications/{id}/verify")).await;
    assert!(check.contains(&format!("id=\"recomputed\">{expected}<")), "{check}");
    assert!(check.contains("校验一致"));

    // Published means immutable: another round is refused and the text is unchanged.
    let (status, html) = post(
        &app,
        &staff,
        &format!("{draft}/proofread"),
        &[("body", "改写"), ("note", "")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("已发布的稿件不可更改"), "{html}");
    let (_, log) = app.text(&staff, "/publications").await;
    assert!(log.contains(&expected));

    // Another township neither sees the draft nor its publication.
    let b = app.login("b_admin").await;
    let (status, _) = app.text(&b, &draft).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, log) = app.text(&b, "/publications").await;
    assert!(!log.contains(&expected));

    // The dashboard counts it and links the figure to its evidence.
    let (status, dash) = app.text(&staff, "/zhendi").await;
    assert_eq!(status, StatusCode::OK);
    assert!(dash.contains("/facts?key=review.published"), "{dash}");
}

fn sheet(rows: &[&[&str]]) -> Vec<u8> {
    let headers = rows[0];
    let body: Vec<Vec<String>> = rows[1..]
        .iter()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    shoutu_report::table_xlsx::write("阵地", headers, &body).unwrap()
}

async fn import(app: &TestApp, client: &Client, bytes: Vec<u8>) -> (StatusCode, String) {
    let csrf = csrf_of(&app.text(client, "/platforms/import").await.1);
    let form = Form::new().part("file", Part::bytes(bytes).file_name("阵地台账.xlsx"));
    let res = client
        .post(app.url(&format!("/platforms/import?_csrf={csrf}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap())
}

#[tokio::test]
async fn an_import_with_an_unknown_platform_type_stores_nothing_and_names_file_row_and_column() {
    let app = spawn_app().await;
    let staff = app.login("a_staff").await;
    let bad = sheet(&[
        &["类型", "名称", "成员数", "负责人"],
        &["微信群", "河口村民群", "300", "王建国"],
        &["贴吧", "河口吧", "", ""],
    ]);
    let (status, html) = import(&app, &staff, bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("文件「阵地台账.xlsx」第 3 行「类型」"), "{html}");
    assert!(html.contains("「贴吧」不是已知的阵地类型"));
    let (_, list) = app.text(&staff, "/platforms").await;
    assert!(!list.contains("河口村民群"), "nothing is stored");

    let good = sheet(&[
        &["类型", "名称", "成员数", "负责人"],
        &["微信群", "河口村民群", "300", "王建国"],
        &["新时代文明实践站", "河口村新时代文明实践站", "", ""],
    ]);
    let (status, html) = import(&app, &staff, good).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("已导入 2 个阵地"));
    let (_, list) = app.text(&staff, "/platforms").await;
    assert!(list.contains("河口村民群") && list.contains("王建国"), "{list}");
    // Never inspected and just registered: within its interval.
    assert!(list.contains("按期巡查"));
    // The export carries the import columns first, so it imports again.
    let res = app.get(&staff, "/platforms/export.xlsx").await;
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap();
    let reread = shoutu_report::platform_xlsx::read_platforms(&bytes).unwrap();
    assert_eq!(reread.rows.len(), 2);
    assert!(reread.problems.is_empty());
}

#[tokio::test]
async fn inspections_coverage_and_teams_are_entered_and_checked() {
    let app = spawn_app().await;
    let staff = app.login("a_staff").await;
    let res = app
        .post_form(
            &staff,
            "/platforms/new",
            "/platforms",
            &[("kind", "chat_group"), ("name", "河口镇工作群"), ("members", "-1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("成员数"));
    let res = app
        .post_form(
            &staff,
            "/platforms/new",
            "/platforms",
            &[("kind", "chat_group"), ("name", "河口镇工作群"), ("members", "80")],
        )
        .await;
    let page = location(&res).split('?').next().unwrap().to_string();
    let today = crate::helpers::today().to_string();
    let res = app
        .post_form(
            &staff,
            &page,
            &format!("{page}/inspections"),
            &[
                ("date", &today),
                ("inspector", "王建国"),
                ("membership_cleaned", "1"),
                ("findings", "清退无关人员 3 人"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.text(&staff, &page).await;
    assert!(
        html.contains("清退无关人员 3 人") && html.contains("按期巡查"),
        "{html}"
    );

    let res = app
        .post_form(
            &staff,
            "/coverage",
            "/coverage",
            &[
                ("outlet", "云南日报"),
                ("level", "省"),
                ("date", &today),
                ("title", "河口镇宣讲进村"),
                ("link", "javascript:alert(1)"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .post_form(
            &staff,
            "/coverage",
            "/coverage",
            &[
                ("outlet", "云南日报"),
                ("level", "省"),
                ("date", &today),
                ("title", "河口镇宣讲进村"),
                ("link", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.text(&staff, "/coverage").await;
    assert!(
        html.contains("河口镇宣讲进村") && html.contains("media.coverage"),
        "{html}"
    );

    let person = app.person_a.id.0.to_string();
    let res = app
        .post_form(
            &staff,
            "/teams",
            "/teams",
            &[
                ("kind", "commentator"),
                ("person", &person),
                ("unit", &app.town_a.id.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    let (_, html) = app.text(&staff, "/teams").await;
    assert!(html.contains("网评员（1 人）"), "{html}");
    // 石桥镇's person is not 河口镇's to enrol.
    let other = app.person_b.id.0.to_string();
    let res = app
        .post_form(
            &staff,
            "/teams",
            "/teams",
            &[
                ("kind", "commentator"),
                ("person", &other),
                ("unit", &app.town_a.id.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn every_page_of_the_module_renders_and_old_uninspected_platforms_are_flagged() {
    let app = spawn_app().await;
    let staff = app.login("a_staff").await;
    let res = app
        .post_form(
            &staff,
            "/platforms/new",
            "/platforms",
            &[
                ("kind", "bulletin"),
                ("name", "河口村务公开栏"),
                ("registered_on", "2025-01-02"),
            ],
        )
        .await;
    let page = location(&res).split('?').next().unwrap().to_string();
    let (_, list) = app.text(&staff, "/platforms?status=overdue").await;
    assert!(list.contains("河口村务公开栏") && list.contains("逾期未巡查"), "{list}");
    let (_, list) = app.text(&staff, "/platforms?status=current").await;
    assert!(!list.contains("河口村务公开栏"));

    // Editing keeps the record and changes what was typed.
    let res = app
        .post_form(
            &staff,
            &format!("{page}/edit"),
            &page,
            &[
                ("kind", "bulletin"),
                ("name", "河口村村务公开栏"),
                ("registered_on", "2025-01-02"),
                ("members", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.text(&staff, &page).await;
    assert!(html.contains("河口村村务公开栏") && html.contains("逾期未巡查"));

    for user in ["a_staff", "a_leader", "admin", "ducha"] {
        let client = app.login(user).await;
        for path in [
            "/zhendi",
            "/platforms",
            "/platforms?sort=due&kind=bulletin",
            page.as_str(),
            "/drafts",
            "/drafts?state=first",
            "/publications",
            "/reviewers",
            "/teams",
            "/coverage?level=省",
        ] {
            let (status, html) = app.text(&client, path).await;
            assert_eq!(status, StatusCode::OK, "{user} {path}: {html}");
            // The navigation leads here, no longer marked as still to come.
            assert!(
                html.contains("<a href=\"/zhendi\" class=\"active\">阵地管理</a>"),
                "{path}"
            );
        }
    }
    for sheet in [
        "/platforms/template.xlsx",
        "/publications/export.xlsx",
        "/coverage/export.xlsx?year=2026",
    ] {
        let res = app.get(&staff, sheet).await;
        assert_eq!(res.status(), StatusCode::OK, "{sheet}");
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .contains("spreadsheetml"),
            "{sheet}"
        );
    }
    let (status, html) = app.text(&staff, "/drafts?state=nonsense").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
    // Another township cannot open it; a leader cannot enter one.
    let b = app.login("b_admin").await;
    let (status, _) = app.text(&b, &page).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let leader = app.login("a_leader").await;
    let (status, _) = app.text(&leader, "/platforms/new").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
