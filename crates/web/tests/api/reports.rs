//! 报告, the done-when path: a township user generates its 2025 annual report, follows a
//! figure to its evidence, finalises (overriding 审校 errors with a reason if there are any)
//! and downloads a .docx; a finalised report keeps its figures when records change.

use crate::helpers::spawn_app;
use chrono::NaiveDate;
use reqwest::StatusCode;
use shoutu_domain::fact::{DateRange, RecordRef};
use shoutu_domain::ledger::{ActivityInput, Catalogue, NewActivity};
use shoutu_domain::{Scope, Unit};

fn study(unit: &Unit, date: &str, topic: &str) -> NewActivity {
    let input = ActivityInput {
        date,
        topic,
        ..Default::default()
    };
    let today = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
    NewActivity::parse(
        Catalogue::defaults().get("center_group").unwrap(),
        unit.id,
        &input,
        today,
    )
    .unwrap()
}

#[tokio::test]
async fn a_township_writes_finalises_and_downloads_its_annual_report() {
    let app = spawn_app().await;
    let console = Scope::console(app.county.id);
    let mut ids = Vec::new();
    for (date, topic) in [
        ("2025-03-05", "学习党的二十届四中全会精神"),
        ("2025-09-10", "学习意识形态工作责任制规定"),
    ] {
        let a = app
            .store
            .create_activity(&console, study(&app.town_a, date, topic), vec![])
            .await
            .unwrap();
        ids.push(RecordRef::new("activity", a.id.0));
    }
    let staff = app.login("a_staff").await;
    let (status, list) = app.text(&staff, "/reports").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("年度意识形态工作责任制落实情况报告"), "{list}");

    let res = app
        .post_form(
            &staff,
            "/reports",
            "/reports",
            &[
                ("kind", "annual"),
                ("year", "2025"),
                ("part", "0"),
                ("unit", &app.town_a.id.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    let page = res.headers()["location"].to_str().unwrap().to_string();

    let (status, editor) = app.text(&staff, &page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        editor.contains("河口镇2025年意识形态工作责任制落实情况报告"),
        "{editor}"
    );
    assert!(editor.contains("召开党委理论学习中心组学习"), "{editor}");
    // The figure links to its evidence; the fact behind that link holds exactly our records.
    let link = format!(
        "/facts?key=activity.type%3Acenter_group&#38;unit={}&#38;from=2025-01-01&#38;until=2025-12-31",
        app.town_a.id
    );
    let at = editor
        .find(&link)
        .unwrap_or_else(|| panic!("no evidence link {link} in {editor}"));
    assert!(
        editor[at..].starts_with(&format!("{link}\" title=\"")),
        "{}",
        &editor[at..at + 200]
    );
    assert!(editor[at..].contains(">2</a>"));
    let fact = app
        .store
        .fact(
            &console,
            "activity.type:center_group",
            app.town_a.id,
            DateRange::year(2025),
        )
        .await
        .unwrap();
    assert_eq!(fact.evidence, ids);

    // Prose is saved per section; then finalise, with a reason when 审校 found errors.
    let res = app
        .post_form(
            &staff,
            &page,
            &format!("{page}/prose"),
            &[("s:阵地建设与管理", "新建村级宣传栏3处。")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, editor) = app.text(&staff, &page).await;
    assert!(editor.contains("新建村级宣传栏3处。"));
    let blocked = app.post_form(&staff, &page, &format!("{page}/finalise"), &[]).await;
    if blocked.status() == StatusCode::UNPROCESSABLE_ENTITY {
        assert!(blocked.text().await.unwrap().contains("审校发现"));
        let res = app
            .post_form(
                &staff,
                &page,
                &format!("{page}/finalise"),
                &[("override_reason", "经核对为规范表述，不予修改")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    } else {
        assert_eq!(blocked.status(), StatusCode::SEE_OTHER);
    }
    let (_, done) = app.text(&staff, &page).await;
    assert!(done.contains("已定稿"));
    assert!(!done.contains("name=\"s:"), "a finalised report has no prose fields");

    // Records added later do not change the finalised report.
    app.store
        .create_activity(&console, study(&app.town_a, "2025-11-11", "补录的学习"), vec![])
        .await
        .unwrap();
    let (_, frozen) = app.text(&staff, &page).await;
    assert!(frozen[frozen.find(&link).unwrap()..].contains(">2</a>"));

    let res = app.get(&staff, &format!("{page}/report.docx")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    let bytes = res.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK\x03\x04"), "a zip package");
    assert!(bytes.windows(4).any(|w| w == b"PK\x05\x06"), "with a central directory");
    assert!(bytes.windows(17).any(|w| w == b"word/document.xml"));

    // PDF where LibreOffice is installed; otherwise a clear message.
    let res = app.get(&staff, &format!("{page}/report.pdf")).await;
    if shoutu_report::render::soffice_available() {
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.bytes().await.unwrap().starts_with(b"%PDF"));
    } else {
        println!("soffice 未安装：检查提示信息");
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert!(res.text().await.unwrap().contains("未安装 LibreOffice"));
    }

    // The finalised report is filed in the unit's yearly archive.
    let admin = app.login("a_admin").await;
    let res = app.get(&admin, "/archive?year=2025").await;
    assert_eq!(res.status(), StatusCode::OK);
    let zip_bytes = res.bytes().await.unwrap().to_vec();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).unwrap();
    let names: Vec<String> = (0..zip.len())
        .map(|i| zip.by_index(i).unwrap().name().unwrap().to_string())
        .collect();
    assert!(
        names.iter().any(|n| n.starts_with("报告/") && n.ends_with(".docx")),
        "{names:?}"
    );

    // Another township cannot open it.
    let b = app.login("b_admin").await;
    let (status, _) = app.text(&b, &page).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
