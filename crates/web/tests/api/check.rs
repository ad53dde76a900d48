//! 审校 in the browser and over the API.

use crate::helpers::{csrf_of, spawn_app};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

const DRAFT: &str = "关于2025年意识形态工作的报告\n一、工作开展情况\n深入学习贯彻党的XX大精神，推动推动工作落实。\n";

#[tokio::test]
async fn the_api_returns_findings_with_positions_as_json() {
    let app = spawn_app().await;
    let client = app.login("a_staff").await;
    let (_, html) = app.text(&client, "/check").await;
    let token = csrf_of(&html);
    let res = client
        .post(app.url("/api/check"))
        .header("x-csrf-token", &token)
        .header("content-type", "text/plain; charset=utf-8")
        .body(DRAFT)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let findings: Vec<serde_json::Value> = res.json().await.unwrap();
    let placeholder = findings
        .iter()
        .find(|f| f["text"].as_str().is_some_and(|t| t.contains("XX")))
        .expect("the placeholder 党的XX大 is found");
    assert_eq!(placeholder["severity"], "error");
    assert_eq!(placeholder["line"], 3);
    for key in ["rule", "column", "start", "end", "message", "suggestion"] {
        assert!(placeholder.get(key).is_some(), "{key} missing: {placeholder}");
    }
    let without_token = client.post(app.url("/api/check")).body(DRAFT).send().await.unwrap();
    assert_eq!(without_token.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_uploaded_file_is_shown_with_its_findings_marked() {
    let app = spawn_app().await;
    let client = app.login("a_staff").await;
    let (_, html) = app.text(&client, "/check").await;
    let token = csrf_of(&html);
    let form = Form::new().part("file", Part::bytes(DRAFT.as_bytes().to_vec()).file_name("报告.txt"));
    let res = client
        .post(app.url(&format!("/check?_csrf={token}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.unwrap();
    assert!(page.contains("报告.txt") && page.contains("处错误"), "{page}");
    assert!(
        page.contains("class=\"flag sev-error\""),
        "spans are marked in the text"
    );

    let no_token = Form::new().text("text", "一段文字");
    let res = client.post(app.url("/check")).multipart(no_token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn classified_or_unreadable_uploads_are_refused_with_a_reason() {
    let app = spawn_app().await;
    let client = app.login("a_staff").await;
    let (_, html) = app.text(&client, "/check").await;
    let token = csrf_of(&html);
    let secret = Form::new().text("text", "机密★1年\n关于某事项的通知");
    let res = client
        .post(app.url(&format!("/check?_csrf={token}")))
        .multipart(secret)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("涉密材料不得上传"));
    let broken = Form::new().part(
        "file",
        Part::bytes(b"PK\x03\x04 not really a zip".to_vec()).file_name("坏文件.docx"),
    );
    let res = client
        .post(app.url(&format!("/check?_csrf={token}")))
        .multipart(broken)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("坏文件.docx"));
}
