//! 考核督查, the whole path: the county supervisor sets indicators, opens the round, sees
//! computed scores with evidence links, scores by hand, ranks the townships, records an
//! inspection finding; the township uploads evidence and submits; the supervisor closes it.

use crate::helpers::{TestApp, csrf_of, spawn_app};
use chrono::Datelike;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use shoutu_domain::Scope;
use shoutu_domain::ledger::{ActivityInput, Catalogue, NewActivity};

const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R', 1, 2, 3,
];

const SYSTEM: &str = r#"
title = "测试考核指标"

[[indicator]]
code = "A"
name = "专题研究意识形态工作"
weight = 50
rule = { kind = "target", fact = "activity.type:committee_meeting", target = 2 }

[[indicator]]
code = "B"
name = "现场督查"
weight = 50
rule = { kind = "manual" }
"#;

fn location(res: &reqwest::Response) -> String {
    res.headers()["location"]
        .to_str()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_string()
}

async fn committee_meeting(app: &TestApp, day: &str) {
    let catalogue = Catalogue::defaults();
    let input = ActivityInput {
        date: day,
        topic: "专题研究意识形态工作",
        ..Default::default()
    };
    let today = crate::helpers::today();
    let activity = NewActivity::parse(
        catalogue.get("committee_meeting").unwrap(),
        app.town_a.id,
        &input,
        today,
    )
    .unwrap();
    app.store
        .create_activity(&Scope::console(app.county.id), activity, vec![])
        .await
        .unwrap();
}

#[tokio::test]
async fn a_round_is_scored_ranked_and_a_finding_is_rectified_with_evidence() {
    let app = spawn_app().await;
    let year = crate::helpers::today().year().to_string();
    let today = crate::helpers::today();
    let ducha = app.login("ducha").await;

    // Indicators: weights that do not add up are refused and nothing is saved.
    let bad = SYSTEM.replace(
        "weight = 50\nrule = { kind = \"manual\" }",
        "weight = 40\nrule = { kind = \"manual\" }",
    );
    let res = app
        .post_form(
            &ducha,
            "/assessment/indicators",
            "/assessment/indicators",
            &[("year", &year), ("source", &bad)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("顶层指标分值之和为 90"));
    let (_, page) = app.text(&ducha, &format!("/assessment/indicators?year={year}")).await;
    assert!(page.contains("尚未保存"), "{page}");
    // Platform use may not be scored.
    let clicks = SYSTEM.replace("现场督查", "点赞转发情况");
    let res = app
        .post_form(
            &ducha,
            "/assessment/indicators",
            "/assessment/indicators",
            &[("year", &year), ("source", &clicks)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("指尖上的形式主义"));
    let res = app
        .post_form(
            &ducha,
            "/assessment/indicators",
            "/assessment/indicators",
            &[("year", &year), ("source", SYSTEM)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());

    committee_meeting(&app, &format!("{year}-01-05")).await;

    // Open the round; computed scores link to the records behind them.
    let res = app
        .post_form(
            &ducha,
            "/assessment",
            "/assessment/rounds",
            &[("year", &year), ("period", "year")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    let round = location(&res);
    let sheet_a = format!("{round}/units/{}", app.town_a.id);
    let (status, sheet) = app.text(&ducha, &sheet_a).await;
    assert_eq!(status, StatusCode::OK);
    assert!(sheet.contains("25.00"), "half the target scores half: {sheet}");
    let link = format!(
        "/facts?key=activity.type%3Acommittee_meeting&#38;unit={}&#38;from={year}-01-01&#38;until={year}-12-31",
        app.town_a.id
    );
    assert!(sheet.contains(&link), "{sheet}");
    assert!(sheet.contains("待评分"));

    // Manual scores: out of range and without a reason are refused.
    let manual = format!("{sheet_a}/manual");
    let res = app
        .post_form(
            &ducha,
            &sheet_a,
            &manual,
            &[("code", "B"), ("score", "55"), ("reason", "现场检查")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("0～50 分之间"));
    let res = app
        .post_form(
            &ducha,
            &sheet_a,
            &manual,
            &[("code", "B"), ("score", "45"), ("reason", "")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("评分理由"));
    let res = app
        .post_form(
            &ducha,
            &sheet_a,
            &manual,
            &[("code", "B"), ("score", "45"), ("reason", "阵地管理规范")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, sheet) = app.text(&ducha, &sheet_a).await;
    assert!(sheet.contains("70.00") && sheet.contains("阵地管理规范"), "{sheet}");
    // Evidence for the manual score.
    let form = Form::new().part("file", Part::bytes(PNG.to_vec()).file_name("现场照片.png"));
    let res = ducha
        .post(app.url(&format!("{sheet_a}/evidence?_csrf={}", csrf_of(&sheet))))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    let (_, sheet) = app.text(&ducha, &sheet_a).await;
    assert!(sheet.contains("现场照片.png"), "{sheet}");
    // Town A's admin cannot score, nor see the county's round.
    let a_admin = app.login("a_admin").await;
    let (status, _) = app.text(&a_admin, &round).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Townships ranked: 河口镇 first with 一般, 石桥镇 second with 差.
    let (_, ranking) = app.text(&ducha, &round).await;
    let a = ranking.find("河口镇").unwrap();
    let b = ranking.find("石桥镇").unwrap();
    assert!(a < b, "{ranking}");
    assert!(ranking.contains("一般") && ranking.contains("差"));
    assert!(ranking.contains("<svg class=\"chart\""));
    let res = app.get(&ducha, &format!("{round}/export.xlsx")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK"), "an xlsx file");

    // An inspection finding becomes a rectification item.
    let res = app
        .post_form(
            &ducha,
            "/inspections",
            "/inspections",
            &[
                ("unit", &app.town_a.id.to_string()),
                ("kind", "unannounced"),
                ("planned_on", &today.to_string()),
                ("subject", "阵地管理"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    let inspection = location(&res);
    let res = app
        .post_form(
            &ducha,
            &inspection,
            &format!("{inspection}/visit"),
            &[("visited_on", &today.to_string()), ("record", "查看宣传栏")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let deadline = (today + chrono::Duration::days(20)).to_string();
    let res = app
        .post_form(
            &ducha,
            &inspection,
            &format!("{inspection}/findings"),
            &[
                ("category", "阵地管理"),
                ("severity", "major"),
                ("description", "宣传栏内容过期"),
                ("measures", "更新宣传栏"),
                ("deadline", &deadline),
                ("required_evidence", "更新后照片"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    let (_, page) = app.text(&ducha, &inspection).await;
    let start = page.find("/rectifications/").expect("the finding links its item");
    let item: String = page[start..].chars().take_while(|c| *c != '"').collect();

    // Closing without evidence is refused.
    let step = format!("{item}/step");
    let res = app
        .post_form(&ducha, &item, &step, &[("step", "accept"), ("note", "")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("没有整改佐证材料，不能销号"));

    // The township uploads evidence and submits.
    let a_staff = app.login("a_staff").await;
    let (status, page) = app.text(&a_staff, &item).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("待整改") && page.contains("上传佐证"), "{page}");
    let token = csrf_of(&page);
    let form = Form::new()
        .text("note", "已更新宣传栏")
        .part("file", Part::bytes(PNG.to_vec()).file_name("整改后.png"));
    let res = a_staff
        .post(app.url(&format!("{item}/evidence?_csrf={token}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    let res = app
        .post_form(&a_staff, &item, &step, &[("step", "submit"), ("note", "请验收")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // The township cannot close its own item.
    let res = app
        .post_form(&a_staff, &item, &step, &[("step", "accept"), ("note", "")])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Another township does not see it.
    let b_admin = app.login("b_admin").await;
    assert_eq!(app.text(&b_admin, &item).await.0, StatusCode::NOT_FOUND);

    // The supervisor verifies the evidence and closes it.
    let (_, page) = app.text(&ducha, &item).await;
    assert!(page.contains("整改后.png") && page.contains("待验收"), "{page}");
    let res = app
        .post_form(&ducha, &item, &step, &[("step", "accept"), ("note", "已核实")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.text(&ducha, &item).await;
    assert!(
        page.contains("已销号") && page.contains("验收销号") && page.contains("提请验收"),
        "{page}"
    );
    let (_, list) = app.text(&ducha, "/rectifications?state=closed").await;
    assert!(list.contains("宣传栏内容过期"), "{list}");
    let (_, dashboard) = app.text(&ducha, "/").await;
    assert!(
        dashboard.contains("今年整改率") && dashboard.contains("100.0%"),
        "{dashboard}"
    );
}

#[tokio::test]
async fn indicators_are_edited_one_at_a_time_and_travel_as_a_file() {
    let app = spawn_app().await;
    let year = crate::helpers::today().year().to_string();
    let ducha = app.login("ducha").await;
    let page = format!("/assessment/indicators?year={year}");
    // Changing one weight breaks the sum: refused, with the indicator named.
    let res = app
        .post_form(
            &ducha,
            &page,
            "/assessment/indicators/item",
            &[
                ("year", &year),
                ("code", "B2"),
                ("name", "宣讲活动"),
                ("parent", "B"),
                ("weight", "15"),
                ("kind", "present"),
                ("fact", "activity.type:preaching"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.unwrap();
    assert!(body.contains("B「理论武装」") && body.contains("之和为 35"), "{body}");
    // A dangling parent is refused too.
    let res = app
        .post_form(
            &ducha,
            &page,
            "/assessment/indicators/item",
            &[
                ("year", &year),
                ("code", "X1"),
                ("name", "新指标"),
                ("parent", "ZZ"),
                ("kind", "manual"),
                ("weight", "5"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("上级指标 ZZ 不存在"));
    // Swapping a rule keeps the sums: saved, and the exported file carries it.
    let res = app
        .post_form(
            &ducha,
            &page,
            "/assessment/indicators/item",
            &[
                ("year", &year),
                ("code", "B2"),
                ("name", "宣讲活动次数"),
                ("parent", "B"),
                ("weight", "10"),
                ("kind", "target"),
                ("fact", "activity.type:preaching"),
                ("target", "4"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    let (status, file) = app
        .text(&ducha, &format!("/assessment/indicators.toml?year={year}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(file.contains("宣讲活动次数") && file.contains("target = 4"), "{file}");
    // Importing the file back gives the same system.
    let (_, html) = app.text(&ducha, &page).await;
    let token = csrf_of(&html);
    let form = Form::new()
        .text("year", year.clone())
        .part("file", Part::bytes(file.into_bytes()).file_name("指标.toml"));
    let res = ducha
        .post(app.url(&format!("/assessment/indicators/import?_csrf={token}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.text(&ducha, &page).await;
    assert!(html.contains("宣讲活动次数") && !html.contains("尚未保存"), "{html}");
    // Staff cannot change indicators.
    let a_staff = app.login("a_staff").await;
    let res = app
        .post_form(
            &a_staff,
            "/assessment",
            "/assessment/indicators",
            &[("year", &year), ("source", SYSTEM)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}
