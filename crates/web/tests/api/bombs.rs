//! Spreadsheet bombs sent to the Excel imports: refused with a Chinese message naming the
//! file, quickly, and the server keeps serving; an ordinary workbook still imports.

use crate::helpers::{TestApp, csrf_of, spawn_app};
use reqwest::multipart::{Form, Part};
use reqwest::{Client, StatusCode};
use std::io::{Cursor, Read, Write};
use std::time::{Duration, Instant};

const MB: u64 = 1024 * 1024;

/// A real workbook whose first sheet inflates to `inflated` bytes, compressed to a few
/// hundred kilobytes; streamed, so building it holds nothing large in memory.
fn bomb(inflated: u64) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    book.add_worksheet().write_string(0, 0, "日期").unwrap();
    let normal = book.save_to_buffer().unwrap();
    let mut src = zip::ZipArchive::new(Cursor::new(normal)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..src.len() {
        let file = src.by_index(i).unwrap();
        if file.name().unwrap() != "xl/worksheets/sheet1.xml" {
            out.raw_copy_file(file).unwrap();
            continue;
        }
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(1))
            .large_file(true);
        out.start_file("xl/worksheets/sheet1.xml", options).unwrap();
        out.write_all(
            br#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
        )
        .unwrap();
        std::io::copy(&mut std::io::repeat(b' ').take(inflated), &mut out).unwrap();
        out.write_all(b"</sheetData></worksheet>").unwrap();
    }
    out.finish().unwrap().into_inner()
}

async fn upload(app: &TestApp, client: &Client, page: &str, name: &str, bytes: Vec<u8>) -> (StatusCode, String) {
    let csrf = csrf_of(&app.text(client, page).await.1);
    let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_string()));
    let res = client
        .post(app.url(&format!("{page}?_csrf={csrf}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap())
}

#[tokio::test]
async fn a_zip_bomb_sent_to_the_imports_is_refused_quickly_and_the_server_stays_up() {
    let app = spawn_app().await;
    let staff = app.login("a_staff").await;
    let bytes = bomb(200 * MB);
    for page in ["/activities/import", "/platforms/import"] {
        let started = Instant::now();
        let (status, html) = upload(&app, &staff, page, "台账.xlsx", bytes.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}: {html}");
        assert!(
            html.contains("文件「台账.xlsx」解压后过大（超过 64 MB），可能是压缩炸弹，已拒绝"),
            "{page}: {html}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{page} took {:?}",
            started.elapsed()
        );
    }
    let (status, _) = app.text(&staff, "/activities").await;
    assert_eq!(status, StatusCode::OK, "the server still serves");
}

#[tokio::test]
async fn an_ordinary_workbook_still_imports() {
    let app = spawn_app().await;
    let staff = app.login("a_staff").await;
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in shoutu_report::ledger_xlsx::IMPORT_COLUMNS.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in ["2026-03-15", "党委会（党组会）", "", "传达学习全国两会精神"]
        .iter()
        .enumerate()
    {
        sheet.write_string(1, c as u16, *v).unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();
    let (status, html) = upload(&app, &staff, "/activities/import", "台账.xlsx", bytes).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("已导入 1 条记录"), "{html}");
}
