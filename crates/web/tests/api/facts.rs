//! Every figure on the dashboard opens to the records behind it, and only within scope.

use crate::helpers::{csrf_of, spawn_app};
use reqwest::StatusCode;
use reqwest::multipart::Form;

fn link_of<'a>(html: &'a str, key: &str) -> &'a str {
    let at = html
        .find(&format!("/facts?key={key}&#38;"))
        .unwrap_or_else(|| panic!("no link for {key}: {html}"));
    let end = html[at..].find('"').unwrap();
    &html[at..at + end]
}

#[tokio::test]
async fn a_dashboard_figure_opens_to_its_records_and_stays_in_scope() {
    let app = spawn_app().await;
    let staff = app.login("a_staff").await;
    let (_, page) = app.text(&staff, "/activities/new?type=analysis_meeting").await;
    let csrf = csrf_of(&page);
    let form = Form::new()
        .text("type", "analysis_meeting")
        .text("date", crate::helpers::today().to_string())
        .text("topic", "分析研判意识形态领域形势")
        .text("others", "2");
    let res = staff
        .post(app.url(&format!("/activities?_csrf={csrf}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let detail = location.split('?').next().unwrap().to_string();

    let (_, dashboard) = app.text(&staff, "/").await;
    assert!(dashboard.contains("工作台账记录数"), "{dashboard}");
    assert!(dashboard.contains("目标责任书签订率"), "{dashboard}");
    let link = link_of(&dashboard, "activity.all").replace("&#38;", "&");
    let (status, evidence) = app.text(&staff, &link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(evidence.contains("<strong>1</strong> 条"), "{evidence}");
    assert!(evidence.contains(&format!("href=\"{detail}\"")), "{evidence}");

    // A rate with nothing to measure is shown as missing, not as zero.
    let rate = link_of(&dashboard, "letter.signed_rate").replace("&#38;", "&");
    let (_, rate_page) = app.text(&staff, &rate).await;
    assert!(rate_page.contains("（无数据）"), "{rate_page}");

    // Another township cannot open the first one's figure.
    let other = app.login("b_admin").await;
    let (status, _) = app.text(&other, &link).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, page) = app.text(&staff, "/facts?key=no.such").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("no.such"), "{page}");
}
