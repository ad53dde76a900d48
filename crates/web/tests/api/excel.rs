//! The ledger to and from Excel: round trip, template, and all-or-nothing imports.

use crate::helpers::{TestApp, csrf_of, spawn_app};
use reqwest::multipart::{Form, Part};
use reqwest::{Client, StatusCode};
use shoutu_domain::ledger::Catalogue;
use shoutu_report::ledger_xlsx::{IMPORT_COLUMNS, read_activities};

async fn import(app: &TestApp, client: &Client, bytes: Vec<u8>) -> (StatusCode, String) {
    let csrf = csrf_of(&app.text(client, "/activities/import").await.1);
    let form = Form::new().part("file", Part::bytes(bytes).file_name("台账.xlsx"));
    let res = client
        .post(app.url(&format!("/activities/import?_csrf={csrf}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap())
}

fn sheet(rows: &[[&str; 7]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (c, h) in IMPORT_COLUMNS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

async fn count(app: &TestApp, client: &Client) -> usize {
    let (_, html) = app.text(client, "/activities").await;
    let marker = "共 ";
    let start = html.find(marker).unwrap() + marker.len();
    html[start..start + html[start..].find(' ').unwrap()].parse().unwrap()
}

#[tokio::test]
async fn an_exported_ledger_imports_again_unchanged() {
    let app = spawn_app().await;
    let staff = app.login("a_staff").await;
    let good = sheet(&[
        [
            "2026-03-15",
            "党委会（党组会）",
            "",
            "传达学习全国两会精神",
            "第一议题为理论学习、专题研究意识形态工作",
            "2",
            "会议纪要略",
        ],
        [
            "2026-06-20",
            "意识形态工作分析研判会议",
            "A",
            "分析研判上半年形势",
            "",
            "",
            "",
        ],
    ]);
    let (status, html) = import(&app, &staff, good).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("已导入 2 条记录"));
    assert_eq!(count(&app, &staff).await, 2);

    let res = app.get(&staff, "/activities/export.xlsx").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let exported = res.bytes().await.unwrap().to_vec();
    let rows = read_activities(&Catalogue::defaults(), &exported).unwrap().rows;
    assert_eq!(rows.len(), 2);
    let meeting = rows.iter().find(|r| r.type_code == "committee_meeting").unwrap();
    assert_eq!(meeting.flags, ["first_topic", "ideology_topic"]);
    assert_eq!(meeting.unit_code, "A");
    assert_eq!(meeting.others, "2");

    let (status, html) = import(&app, &staff, exported).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(count(&app, &staff).await, 4);
    let (_, first_topic) = app.text(&staff, "/activities?tag=第一议题").await;
    assert_eq!(first_topic.matches("传达学习全国两会精神").count(), 2);
}

#[tokio::test]
async fn a_file_with_bad_rows_writes_nothing_and_lists_every_problem() {
    let app = spawn_app().await;
    let staff = app.login("a_staff").await;
    let bad = sheet(&[
        ["2026-03-15", "党委会（党组会）", "", "一条正确的记录", "", "", ""],
        ["2026-03-16", "卡拉OK", "", "未知类型", "", "", ""],
        ["2026/3/17", "党课", "", "日期写错", "", "", ""],
        ["2026-03-18", "党课", "B", "别的乡镇", "", "", ""],
        ["2026-03-19", "心得体会", "", "", "", "", ""],
    ]);
    let (status, html) = import(&app, &staff, bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for words in [
        "没有导入任何记录",
        "第 3 行「类型」：「卡拉OK」不是已知的活动类型",
        "第 4 行「日期」",
        "第 5 行「单位代码」：「B」不是您管辖范围内的单位代码",
        "第 6 行「主题」：不能为空",
    ] {
        assert!(html.contains(words), "{words}: {html}");
    }
    assert!(!html.contains("第 2 行"), "the good row is not blamed");
    assert_eq!(count(&app, &staff).await, 0);
    let (status, html) = import(&app, &staff, b"PK not really".to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("不是有效的 Excel"));
}

#[tokio::test]
async fn the_template_downloads_with_the_types_explained() {
    let app = spawn_app().await;
    let staff = app.login("a_staff").await;
    let res = app.get(&staff, "/activities/template.xlsx").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    let bytes = res.bytes().await.unwrap();
    let rows = read_activities(&Catalogue::defaults(), &bytes).unwrap().rows;
    assert_eq!(rows[0].unit_code, "A", "the example names the user's own unit");
}

#[tokio::test]
async fn every_ledger_page_exports_what_the_user_may_see() {
    use calamine::{Reader, Xlsx, open_workbook_from_rs};
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let units = [app.town_a.id.to_string(), app.town_b.id.to_string()];
    let year = chrono::Datelike::year(&crate::helpers::today()).to_string();
    let res = app
        .post_form(
            &admin,
            "/letters/new",
            "/letters",
            &[
                ("year", &year),
                ("title", "目标责任书"),
                ("duties", "落实责任"),
                ("unit", &units[0]),
                ("unit", &units[1]),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let staff = app.login("a_staff").await;
    for (path, header) in [
        (format!("/letters/export.xlsx?year={year}"), "签订单位"),
        (format!("/plans/export.xlsx?year={year}"), "承担单位"),
        ("/duties/export.xlsx".to_string(), "任职日期"),
    ] {
        let res = app.get(&staff, &path).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let bytes = res.bytes().await.unwrap().to_vec();
        let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range_at(0).unwrap().unwrap();
        let cells: Vec<String> = range.rows().flatten().map(|c| c.to_string()).collect();
        assert!(cells.contains(&header.to_string()), "{path}: {cells:?}");
        if path.starts_with("/letters") {
            assert!(
                cells.contains(&"河口镇".to_string()) && !cells.contains(&"石桥镇".to_string()),
                "{cells:?}"
            );
        }
    }
}
