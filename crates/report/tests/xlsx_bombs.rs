//! Hostile spreadsheets: zip bombs, sizes that lie, cells far apart and announced string
//! counts that would make calamine ask for terabytes. Each is refused (or read within
//! bounds) quickly, and an ordinary workbook still reads.

use shoutu_domain::ledger::Catalogue;
use shoutu_report::ledger_xlsx::{IMPORT_COLUMNS, read_activities};
use shoutu_report::search::text_of;
use shoutu_report::xlsx_read::{IMPORT_LIMITS, SheetError, check_zip, first_sheet, text};
use std::io::{Cursor, Read, Write};
use std::time::{Duration, Instant};
use zip::write::SimpleFileOptions;

const MB: u64 = 1024 * 1024;

fn workbook(cells: &[(u32, u16, &str)]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, c, v) in cells {
        sheet.write_string(*r, *c, *v).unwrap();
    }
    book.save_to_buffer().unwrap()
}

/// The workbook again, with the entry `name` written by `write` instead of copied.
fn replace_entry(bytes: &[u8], name: &str, write: impl FnOnce(&mut dyn Write)) -> Vec<u8> {
    let mut src = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let mut write = Some(write);
    for i in 0..src.len() {
        let file = src.by_index(i).unwrap();
        if file.name().unwrap() == name {
            let options = SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated)
                .compression_level(Some(1))
                .large_file(true);
            out.start_file(name, options).unwrap();
            (write.take().unwrap())(&mut out);
        } else {
            out.raw_copy_file(file).unwrap();
        }
    }
    out.finish().unwrap().into_inner()
}

/// A real workbook whose first sheet inflates to `inflated` bytes of whitespace, compressed
/// to a few hundred kilobytes; streamed, so building it holds nothing large in memory.
fn bomb(inflated: u64) -> Vec<u8> {
    replace_entry(&workbook(&[(0, 0, "日期")]), "xl/worksheets/sheet1.xml", |out| {
        out.write_all(
            br#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
        )
        .unwrap();
        std::io::copy(&mut std::io::repeat(b' ').take(inflated), out).unwrap();
        out.write_all(b"</sheetData></worksheet>").unwrap();
    })
}

/// Overwrites the declared uncompressed size of every entry (local and central headers).
fn lie_about_sizes(mut bytes: Vec<u8>, size: u32) -> Vec<u8> {
    let mut i = 0;
    while i + 30 <= bytes.len() {
        match &bytes[i..i + 4] {
            [0x50, 0x4b, 0x03, 0x04] => bytes[i + 22..i + 26].copy_from_slice(&size.to_le_bytes()),
            [0x50, 0x4b, 0x01, 0x02] => bytes[i + 24..i + 28].copy_from_slice(&size.to_le_bytes()),
            _ => {}
        }
        i += 1;
    }
    bytes
}

fn quick(started: Instant) {
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn a_sheet_inflating_to_200_mb_is_refused_as_a_bomb_by_import_and_search() {
    let bytes = bomb(200 * MB);
    assert!(bytes.len() < 2 * MB as usize, "the bomb is small: {}", bytes.len());
    let started = Instant::now();
    assert_eq!(check_zip(&bytes), Err(SheetError::Bomb));
    let e = first_sheet(&bytes, IMPORT_LIMITS).unwrap_err();
    assert_eq!(
        e.message("台账.xlsx"),
        "文件「台账.xlsx」解压后过大（超过 64 MB），可能是压缩炸弹，已拒绝"
    );
    let e = read_activities(&Catalogue::defaults(), &bytes).unwrap_err();
    assert!(e.reason.contains("可能是压缩炸弹"), "{e}");
    assert_eq!(text_of("附件.xlsx", &bytes), None);
    quick(started);
}

#[test]
fn sizes_that_lie_do_not_let_a_bomb_through() {
    let bytes = lie_about_sizes(bomb(100 * MB), 1000);
    let started = Instant::now();
    assert!(check_zip(&bytes).is_err());
    assert!(first_sheet(&bytes, IMPORT_LIMITS).is_err());
    assert_eq!(text_of("附件.xlsx", &bytes), None);
    quick(started);
}

#[test]
fn a_huge_announced_shared_string_count_is_refused() {
    let normal = workbook(&[(0, 0, "新时代文明实践站")]);
    let mut zip = zip::ZipArchive::new(Cursor::new(normal.as_slice())).unwrap();
    let mut strings = String::new();
    zip.by_name("xl/sharedStrings.xml")
        .unwrap()
        .read_to_string(&mut strings)
        .unwrap();
    assert!(strings.contains("uniqueCount=\"1\""), "{strings}");
    let hostile = strings.replace("uniqueCount=\"1\"", "uniqueCount=\"100000000000\"");
    let bytes = replace_entry(&normal, "xl/sharedStrings.xml", |out| {
        out.write_all(hostile.as_bytes()).unwrap()
    });
    assert_eq!(check_zip(&bytes), Err(SheetError::Bomb));
    assert_eq!(text_of("附件.xlsx", &bytes), None);
    assert!(read_activities(&Catalogue::defaults(), &bytes).is_err());
}

#[test]
fn cells_far_apart_are_read_without_building_the_space_between() {
    // As a Range this would be 16,384 × 1,048,576 cells.
    let bytes = workbook(&[(0, 0, "阵地名称"), (1_048_575, 16_383, "最后一格")]);
    let started = Instant::now();
    let rows = first_sheet(&bytes, IMPORT_LIMITS).unwrap().unwrap();
    assert_eq!(rows.len(), 1, "the far cell is right of the columns an import reads");
    assert_eq!(rows[0].0, 0);
    let all = text(&bytes, 10_000).unwrap();
    assert!(all.contains("阵地名称") && all.contains("最后一格"), "{all}");
    quick(started);
}

#[test]
fn too_many_cells_are_refused_with_a_reason() {
    let cells: Vec<(u32, u16, &str)> = (0..3000).map(|r| (r, 200, "x")).collect();
    let e = first_sheet(&workbook(&cells), IMPORT_LIMITS).unwrap_err();
    assert_eq!(e, SheetError::TooManyCells(IMPORT_LIMITS.max_cells));
    assert!(e.message("a.xlsx").contains("单元格过多"), "{}", e.message("a.xlsx"));
}

#[test]
fn an_ordinary_workbook_still_reads_with_excel_row_numbers() {
    let mut cells: Vec<(u32, u16, &str)> = IMPORT_COLUMNS
        .iter()
        .enumerate()
        .map(|(c, h)| (0, c as u16, *h))
        .collect();
    // A blank row between: the reported row number is the one Excel shows.
    cells.extend([
        (2, 0, "2026-03-15"),
        (2, 1, "党委会（党组会）"),
        (2, 3, "传达学习全国两会精神"),
    ]);
    let bytes = workbook(&cells);
    check_zip(&bytes).unwrap();
    let sheet = read_activities(&Catalogue::defaults(), &bytes).unwrap();
    assert!(sheet.problems.is_empty(), "{:?}", sheet.problems);
    assert_eq!(sheet.rows.len(), 1);
    assert_eq!(sheet.rows[0].row, 3);
    assert_eq!(sheet.rows[0].topic, "传达学习全国两会精神");
    assert!(text_of("台账.xlsx", &bytes).unwrap().contains("传达学习全国两会精神"));
}

#[test]
fn legacy_xls_is_found_by_name_only() {
    assert_eq!(text_of("旧台账.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), None);
}

mod catch_up {
    use super::{MB, bomb, replace_entry, workbook};
    use chrono::{TimeZone, Utc};
    use shoutu_domain::attachment::NewAttachment;
    use shoutu_domain::ledger::{ActivityInput, Catalogue, NewActivity};
    use shoutu_domain::unit::NewUnit;
    use shoutu_domain::{FixedClock, Role, Scope, Unit, UnitKind};
    use shoutu_report::search::{SearchIndex, SearchRequest};
    use shoutu_store::{SqliteStore, Store};
    use sqlx::sqlite::SqliteConnectOptions;
    use std::sync::Arc;

    fn staff(unit: &Unit) -> Scope {
        Scope::new(unit.id, vec![Role::Staff], None, "测试")
    }

    async fn study(store: &dyn Store, unit: &Unit, topic: &str) -> i64 {
        let catalogue = Catalogue::defaults();
        let input = ActivityInput {
            date: "2026-02-10",
            topic,
            ..Default::default()
        };
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        let activity = NewActivity::parse(catalogue.get("committee_meeting").unwrap(), unit.id, &input, today).unwrap();
        store
            .create_activity(&staff(unit), activity, vec![])
            .await
            .unwrap()
            .id
            .0
    }

    async fn attach(store: &dyn Store, files: &std::path::Path, unit: &Unit, activity: i64, name: &str, bytes: &[u8]) {
        use sha2::Digest;
        let sha: String = sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
        let dir = files.join(&sha[..2]);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(&sha), bytes).unwrap();
        let file = NewAttachment {
            sha256: sha,
            size: bytes.len() as i64,
            media_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".into(),
            file_name: name.into(),
            record_type: "activity",
            record_id: activity,
        };
        store.add_attachment(&staff(unit), unit.id, file).await.unwrap();
    }

    fn titles(index: &SearchIndex, units: &[i64], text: &str) -> Vec<String> {
        let hits = index
            .search(&SearchRequest {
                text,
                units,
                kind: None,
                offset: 0,
                limit: 20,
            })
            .unwrap();
        hits.hits.iter().map(|h| h.title_text()).collect()
    }

    /// Announces 10^11 shared strings: calamine alone would ask for terabytes and abort.
    fn announced_bomb() -> Vec<u8> {
        let normal = workbook(&[(0, 0, "名单")]);
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(normal.as_slice())).unwrap();
        let mut strings = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/sharedStrings.xml").unwrap(), &mut strings).unwrap();
        let hostile = strings.replace("uniqueCount=\"1\"", "uniqueCount=\"100000000000\"");
        replace_entry(&normal, "xl/sharedStrings.xml", |out| {
            out.write_all(hostile.as_bytes()).unwrap()
        })
    }

    #[tokio::test]
    async fn a_poisoned_attachment_is_indexed_by_name_and_never_holds_the_index_back() {
        let db = tempfile::tempdir().unwrap();
        let files = tempfile::tempdir().unwrap();
        let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap()));
        let options = SqliteConnectOptions::new().filename(db.path().join("t.db"));
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(options, clock).await.unwrap());
        let county = store
            .create_root_unit(
                "测试",
                NewUnit::parse(None, UnitKind::County.code(), "云岭县", "", "c", 0).unwrap(),
            )
            .await
            .unwrap();

        let first = study(&*store, &county, "第一次党委会").await;
        attach(&*store, files.path(), &county, first, "阵地台账.xlsx", &bomb(200 * MB)).await;
        attach(
            &*store,
            files.path(),
            &county,
            first,
            "人员名单.xlsx",
            &announced_bomb(),
        )
        .await;
        study(&*store, &county, "网络意识形态专题研判").await;

        let index = SearchIndex::in_memory(files.path()).unwrap();
        let read = tokio::time::timeout(std::time::Duration::from_secs(60), index.catch_up(&*store))
            .await
            .expect("catch-up finishes")
            .unwrap();
        assert!(read >= 4, "every entry was taken: {read}");
        let units = [county.id.0];
        assert!(
            titles(&index, &units, "专题研判")
                .iter()
                .any(|t| t.contains("专题研判")),
            "the record after the poisoned files is searchable"
        );
        assert_eq!(titles(&index, &units, "阵地台账").len(), 1, "found by its name");
        assert_eq!(titles(&index, &units, "人员名单").len(), 1, "found by its name");
        assert_eq!(index.catch_up(&*store).await.unwrap(), 0, "nothing is read again");

        // Written later, still indexed: the poisoned files hold nothing back.
        study(&*store, &county, "理论学习中心组学习").await;
        assert_eq!(index.catch_up(&*store).await.unwrap(), 1);
        assert_eq!(titles(&index, &units, "中心组").len(), 1);
    }
}
