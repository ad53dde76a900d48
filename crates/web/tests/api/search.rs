//! Search, the ledgers workbook and the yearly archive through the real server.

use crate::helpers::{TestApp, csrf_of, spawn_app};
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use reqwest::multipart::{Form, Part};
use reqwest::{Client, StatusCode};
use shoutu_domain::Scope;
use shoutu_domain::opinion::{DeadlinePolicy, NewIncident, NewRiskPoint};
use std::io::{Cursor, Read};

const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R', 1, 2, 3,
];

fn today() -> String {
    crate::helpers::today().to_string()
}

/// Records a study session through the form, with a photo when given; returns its page.
async fn record(app: &TestApp, client: &Client, topic: &str, photo: Option<&str>) -> String {
    let csrf = csrf_of(&app.text(client, "/activities/new?type=analysis_meeting").await.1);
    let mut form = Form::new()
        .text("type", "analysis_meeting")
        .text("date", today())
        .text("topic", topic.to_string())
        .text("others", "2")
        .text("summary", "逐条对照检查，形成问题清单。");
    if let Some(name) = photo {
        form = form.part("file", Part::bytes(PNG.to_vec()).file_name(name.to_string()));
    }
    let res = client
        .post(app.url(&format!("/activities?_csrf={csrf}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    let location = res.headers()["location"].to_str().unwrap();
    location.split('?').next().unwrap().to_string()
}

async fn bytes(app: &TestApp, client: &Client, path: &str) -> (StatusCode, Vec<u8>) {
    let res = app.get(client, path).await;
    (res.status(), res.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn a_record_saved_through_the_web_is_found_at_once_and_only_in_its_scope() {
    let app = spawn_app().await;
    let staff = app.login("a_staff").await;
    let (_, empty) = app.text(&staff, "/search?q=%E7%BD%91%E7%BB%9C%E8%88%86%E6%83%85").await;
    assert!(empty.contains("没有找到"), "{empty}");

    let page = record(&app, &staff, "网络舆情分析研判专题会议", Some("研判会签到表.png")).await;
    let (status, found) = app.text(&staff, "/search?q=舆情").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        found.contains(&format!("href=\"{page}\"")),
        "the hit links to the record: {found}"
    );
    assert!(found.contains("<mark>舆情</mark>"), "the word is marked: {found}");
    assert!(found.contains("工作台账"), "labelled by kind: {found}");

    let (_, by_file) = app.text(&staff, "/search?q=签到表").await;
    assert!(
        by_file.contains("研判会<mark>签到表</mark>.png") && by_file.contains("的附件"),
        "{by_file}"
    );
    let (_, both) = app.text(&staff, "/search?q=研判").await;
    assert!(
        both.contains("工作台账（1）") && both.contains("附件（1）"),
        "counts by kind: {both}"
    );

    let other_town = app.login("b_admin").await;
    let (_, theirs) = app.text(&other_town, "/search?q=舆情").await;
    assert!(theirs.contains("没有找到"), "another town sees nothing: {theirs}");
    let (_, theirs) = app.text(&other_town, "/search?q=签到表").await;
    assert!(theirs.contains("没有找到"), "not via the attachment either: {theirs}");
    let county = app.login("ducha").await;
    let (_, above) = app.text(&county, "/search?q=舆情").await;
    assert!(
        above.contains("分析研判专题会议") && above.contains(&format!("href=\"{page}\"")),
        "the county sees its towns: {above}"
    );
}

#[tokio::test]
async fn user_text_in_results_is_escaped() {
    let app = spawn_app().await;
    let staff = app.login("a_staff").await;
    record(&app, &staff, "<script>alert(1)</script>宣讲", None).await;
    let (_, found) = app.text(&staff, "/search?q=宣讲").await;
    assert!(
        found.contains("&#60;script&#62;") || found.contains("&lt;script&gt;"),
        "{found}"
    );
    assert!(!found.contains("<script>alert(1)"), "{found}");
}

/// A sheet's cell as a date, or a panic saying what it was instead.
fn date_at(range: &calamine::Range<Data>, at: (u32, u32), what: &str) -> chrono::NaiveDate {
    match range.get_value(at) {
        Some(Data::DateTime(d)) => d.as_datetime().unwrap().date(),
        other => panic!("{what}: an Excel date, got {other:?}"),
    }
}

#[tokio::test]
async fn the_ledgers_workbook_has_a_sheet_per_register_with_frozen_headers_and_dates() {
    let app = spawn_app().await;
    let staff = app.login("a_staff").await;
    record(&app, &staff, "意识形态工作分析研判", None).await;
    // Records of the newer registers: coverage through the form, the rest through the store.
    let res = app
        .post_form(
            &staff,
            "/coverage",
            "/coverage",
            &[
                ("outlet", "云南日报"),
                ("level", "省"),
                ("date", &today()),
                ("title", "河口镇宣讲进村"),
                ("link", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let console = Scope::console(app.county.id);
    let day = crate::helpers::today();
    let risk = NewRiskPoint::parse(
        app.town_a.id,
        "危岩搬迁户补偿诉求",
        "high",
        "王建国",
        "逐户走访",
        "危岩",
        "30",
        day,
    )
    .unwrap();
    app.store.create_risk(&console, risk).await.unwrap();
    let incident = NewIncident::parse(
        app.town_a.id,
        "河口镇补偿款网帖",
        "网帖反映补偿款未到位",
        "general",
        chrono::Utc::now(),
        "李明",
        None,
        &DeadlinePolicy::defaults(),
    )
    .unwrap();
    app.store.open_incident(&console, incident).await.unwrap();

    let (status, book) = bytes(&app, &staff, "/ledgers.xlsx").await;
    assert_eq!(status, StatusCode::OK);

    let mut xlsx: Xlsx<_> = open_workbook_from_rs(Cursor::new(book.clone())).unwrap();
    let sheets = [
        "工作台账",
        "目标责任书",
        "职责分工",
        "年度方案",
        "行为规范",
        "舆情处置",
        "风险点",
        "群众诉求",
        "阵地",
        "稿件发布",
        "媒体刊发",
        "督查整改",
    ];
    assert_eq!(xlsx.sheet_names(), sheets);
    let ledger = xlsx.worksheet_range("工作台账").unwrap();
    assert_eq!(ledger.get_value((0, 0)), Some(&Data::String("日期".into())));
    assert_eq!(date_at(&ledger, (1, 0), "工作台账").to_string(), today());
    assert_eq!(
        ledger.get_value((1, 3)),
        Some(&Data::String("意识形态工作分析研判".into()))
    );

    let coverage = xlsx.worksheet_range("媒体刊发").unwrap();
    assert_eq!(coverage.get_value((0, 0)), Some(&Data::String("刊发日期".into())));
    assert_eq!(coverage.height(), 2, "one coverage row");
    assert_eq!(date_at(&coverage, (1, 0), "媒体刊发").to_string(), today());
    assert_eq!(coverage.get_value((1, 2)), Some(&Data::String("云南日报".into())));
    assert_eq!(coverage.get_value((1, 4)), Some(&Data::String("河口镇宣讲进村".into())));

    let risks = xlsx.worksheet_range("风险点").unwrap();
    assert_eq!(risks.height(), 2, "one risk point row");
    assert_eq!(
        risks.get_value((1, 1)),
        Some(&Data::String("危岩搬迁户补偿诉求".into()))
    );
    assert_eq!(
        date_at(&risks, (1, 5), "下次复核日期"),
        day + chrono::Duration::days(30)
    );
    assert_eq!(risks.get_value((1, 7)), Some(&Data::String("否".into())));

    let incidents = xlsx.worksheet_range("舆情处置").unwrap();
    assert_eq!(incidents.height(), 2, "one incident row");
    assert_eq!(date_at(&incidents, (1, 0), "发现日期"), day);
    assert_eq!(
        incidents.get_value((1, 2)),
        Some(&Data::String("河口镇补偿款网帖".into()))
    );
    assert_eq!(incidents.get_value((1, 3)), Some(&Data::String("一般".into())));
    assert_eq!(incidents.get_value((1, 5)), Some(&Data::String("李明".into())));
    assert!(
        matches!(incidents.get_value((1, 6)), None | Some(Data::Empty)),
        "no response yet"
    );
    assert_eq!(incidents.get_value((1, 8)), Some(&Data::String("否".into())));

    // Every sheet's header row is frozen and named in Chinese.
    for name in sheets {
        let range = xlsx.worksheet_range(name).unwrap();
        match range.get_value((0, 0)) {
            Some(Data::String(h)) => assert!(!h.is_ascii(), "{name}: {h}"),
            other => panic!("{name} has a header, got {other:?}"),
        }
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(book)).unwrap();
    for i in 1..=sheets.len() {
        let mut xml = String::new();
        zip.by_name(&format!("xl/worksheets/sheet{i}.xml"))
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        assert!(
            xml.contains(r#"ySplit="1""#) && xml.contains(r#"state="frozen""#),
            "sheet {i}"
        );
    }

    let other_town = app.login("b_admin").await;
    let (_, theirs) = bytes(&app, &other_town, "/ledgers.xlsx").await;
    let mut xlsx: Xlsx<_> = open_workbook_from_rs(Cursor::new(theirs)).unwrap();
    for name in ["工作台账", "舆情处置", "风险点", "媒体刊发"] {
        assert_eq!(
            xlsx.worksheet_range(name).unwrap().height(),
            1,
            "another town's {name} has only the header"
        );
    }
}

#[tokio::test]
async fn a_unit_admin_downloads_an_archive_that_verifies_and_staff_may_not() {
    let app = spawn_app().await;
    let staff = app.login("a_staff").await;
    record(&app, &staff, "理论学习中心组学习", Some("现场照片.png")).await;
    let (status, _) = bytes(&app, &staff, "/archive").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let admin = app.login("a_admin").await;
    let (status, zip_bytes) = bytes(&app, &admin, "/archive").await;
    assert_eq!(status, StatusCode::OK);
    let report = shoutu_report::archive::verify(Cursor::new(zip_bytes.clone())).unwrap();
    assert!(report.is_ok(), "{report:?}");
    let mut zip = zip::ZipArchive::new(Cursor::new(zip_bytes)).unwrap();
    let mut html = String::new();
    zip.by_name("index.html").unwrap().read_to_string(&mut html).unwrap();
    assert!(html.contains("现场照片.png") && html.contains("河口镇"), "{html}");
    let photo = (0..zip.len())
        .map(|i| zip.by_index(i).unwrap().name().unwrap().to_string())
        .find(|n| n.starts_with("附件/工作台账/") && n.ends_with("_现场照片.png"));
    assert!(photo.is_some(), "the photo is filed under its record kind");
}
