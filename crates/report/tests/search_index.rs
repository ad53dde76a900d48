//! The index against a real store: scope, Chinese words inside longer phrases, text inside
//! attached .docx files, catching up after writes, rebuilding from nothing.

use chrono::{TimeZone, Utc};
use shoutu_domain::attachment::NewAttachment;
use shoutu_domain::ledger::{ActivityInput, Catalogue, NewActivity};
use shoutu_domain::unit::NewUnit;
use shoutu_domain::{FixedClock, Role, Scope, Unit, UnitKind};
use shoutu_report::search::{SearchIndex, SearchRequest};
use shoutu_store::{SqliteStore, Store};
use sqlx::sqlite::SqliteConnectOptions;
use std::io::Write;
use std::sync::Arc;

struct World {
    store: Arc<dyn Store>,
    files: tempfile::TempDir,
    _db: tempfile::TempDir,
    county: Unit,
    town_a: Unit,
    town_b: Unit,
}

async fn world() -> World {
    let db = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap()));
    let options = SqliteConnectOptions::new().filename(db.path().join("t.db"));
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(options, clock).await.unwrap());
    let unit = |parent: Option<&Unit>, kind: UnitKind, name: &str, code: &str| {
        NewUnit::parse(parent.map(|p| p.id), kind.code(), name, "", code, 0).unwrap()
    };
    let county = store
        .create_root_unit("测试", unit(None, UnitKind::County, "云岭县", "c"))
        .await
        .unwrap();
    let console = Scope::console(county.id);
    let town_a = store
        .create_unit(&console, unit(Some(&county), UnitKind::Town, "河口镇", "a"))
        .await
        .unwrap();
    let town_b = store
        .create_unit(&console, unit(Some(&county), UnitKind::Town, "石桥镇", "b"))
        .await
        .unwrap();
    World {
        store,
        files: tempfile::tempdir().unwrap(),
        _db: db,
        county,
        town_a,
        town_b,
    }
}

fn staff(unit: &Unit) -> Scope {
    Scope::new(unit.id, vec![Role::Staff], None, "测试")
}

async fn study(w: &World, unit: &Unit, topic: &str, summary: &str) -> i64 {
    let catalogue = Catalogue::defaults();
    let input = ActivityInput {
        date: "2026-02-10",
        topic,
        summary,
        ..Default::default()
    };
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
    let activity = NewActivity::parse(catalogue.get("committee_meeting").unwrap(), unit.id, &input, today).unwrap();
    w.store
        .create_activity(&staff(unit), activity, vec![])
        .await
        .unwrap()
        .id
        .0
}

fn docx(text: &str) -> Vec<u8> {
    let body = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"#
    );
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    z.start_file("word/document.xml", zip::write::SimpleFileOptions::default())
        .unwrap();
    z.write_all(body.as_bytes()).unwrap();
    z.finish().unwrap().into_inner()
}

/// Stores bytes the way the web's file store does and records them against an activity.
async fn attach(w: &World, unit: &Unit, activity: i64, name: &str, bytes: &[u8]) {
    use sha2::Digest;
    let sha: String = sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
    let dir = w.files.path().join(&sha[..2]);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(&sha), bytes).unwrap();
    let file = NewAttachment {
        sha256: sha,
        size: bytes.len() as i64,
        media_type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document".into(),
        file_name: name.into(),
        record_type: "activity",
        record_id: activity,
    };
    w.store.add_attachment(&staff(unit), unit.id, file).await.unwrap();
}

async fn units_of(w: &World, unit: &Unit) -> Vec<i64> {
    w.store
        .unit_tree(&staff(unit))
        .await
        .unwrap()
        .iter()
        .map(|u| u.id.0)
        .collect()
}

async fn titles(index: &SearchIndex, w: &World, unit: &Unit, text: &str) -> Vec<(String, String)> {
    let units = units_of(w, unit).await;
    let hits = index
        .search(&SearchRequest {
            text,
            units: &units,
            kind: None,
            offset: 0,
            limit: 20,
        })
        .unwrap();
    hits.hits.iter().map(|h| (h.kind.clone(), h.title_text())).collect()
}

#[tokio::test]
async fn a_word_inside_a_longer_phrase_is_found_and_marked() {
    let w = world().await;
    study(&w, &w.town_a, "学习贯彻党的二十届四中全会精神专题研讨", "").await;
    let index = SearchIndex::in_memory(w.files.path()).unwrap();
    index.catch_up(&*w.store).await.unwrap();
    let found = titles(&index, &w, &w.town_a, "全会").await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].1, "学习贯彻党的二十届四中全会精神专题研讨");

    let units = units_of(&w, &w.town_a).await;
    let hits = index
        .search(&SearchRequest {
            text: "研讨",
            units: &units,
            kind: None,
            offset: 0,
            limit: 5,
        })
        .unwrap();
    let marked: Vec<&str> = hits.hits[0]
        .title
        .iter()
        .filter(|s| s.hit)
        .map(|s| s.text.as_str())
        .collect();
    assert!(
        marked.contains(&"研讨"),
        "the matched word is marked: {:?}",
        hits.hits[0].title
    );
    assert!(
        titles(&index, &w, &w.town_a, "舆情").await.is_empty(),
        "an absent word finds nothing"
    );
}

#[tokio::test]
async fn a_town_never_sees_another_towns_records_or_attachments() {
    let w = world().await;
    study(&w, &w.town_a, "河口镇网络安全学习", "").await;
    let b = study(&w, &w.town_b, "石桥镇网络安全学习", "").await;
    attach(&w, &w.town_b, b, "石桥镇纪要.docx", &docx("网络安全责任制落实情况")).await;
    let index = SearchIndex::in_memory(w.files.path()).unwrap();
    index.catch_up(&*w.store).await.unwrap();

    let a_sees = titles(&index, &w, &w.town_a, "网络安全").await;
    assert_eq!(a_sees, vec![("activity".to_string(), "河口镇网络安全学习".to_string())]);
    assert!(
        titles(&index, &w, &w.town_a, "责任制").await.is_empty(),
        "not via attachments either"
    );
    assert!(
        titles(&index, &w, &w.town_a, "石桥镇").await.is_empty(),
        "nor by the other town's name"
    );
    let b_sees = titles(&index, &w, &w.town_b, "责任制").await;
    assert_eq!(b_sees, vec![("attachment".to_string(), "石桥镇纪要.docx".to_string())]);
    let county_sees = titles(&index, &w, &w.county, "网络安全").await;
    assert_eq!(county_sees.len(), 3, "the county sees both towns: {county_sees:?}");
    let units = units_of(&w, &w.county).await;
    let only_files = index
        .search(&SearchRequest {
            text: "网络安全",
            units: &units,
            kind: Some("attachment"),
            offset: 0,
            limit: 20,
        })
        .unwrap();
    assert_eq!(only_files.total, 1, "the kind filter narrows");
    assert_eq!(
        only_files.by_kind,
        vec![("activity".to_string(), 2), ("attachment".to_string(), 1)],
        "counts per kind ignore the filter"
    );
}

#[tokio::test]
async fn text_inside_an_attached_docx_is_found_and_leads_to_its_record() {
    let w = world().await;
    let id = study(&w, &w.town_a, "党委会", "").await;
    attach(
        &w,
        &w.town_a,
        id,
        "会议纪要.docx",
        &docx("会议研究了意识形态阵地管理工作"),
    )
    .await;
    let index = SearchIndex::in_memory(w.files.path()).unwrap();
    index.catch_up(&*w.store).await.unwrap();
    let units = units_of(&w, &w.town_a).await;
    let hits = index
        .search(&SearchRequest {
            text: "阵地管理",
            units: &units,
            kind: None,
            offset: 0,
            limit: 5,
        })
        .unwrap();
    assert_eq!(hits.total, 1);
    let hit = &hits.hits[0];
    assert_eq!(hit.kind, "attachment");
    assert_eq!(hit.parent, Some(("activity".to_string(), id)));
    assert!(
        hit.snippet.iter().any(|s| s.hit && s.text.contains("阵地")),
        "{:?}",
        hit.snippet
    );
}

#[tokio::test]
async fn the_index_catches_up_with_writes_and_rebuilds_from_nothing() {
    let w = world().await;
    let dir = tempfile::tempdir().unwrap();
    {
        let index = SearchIndex::open(dir.path(), w.files.path()).unwrap();
        index.catch_up(&*w.store).await.unwrap();
        assert!(titles(&index, &w, &w.town_a, "宣讲").await.is_empty());
        study(&w, &w.town_a, "理论宣讲进村入户", "").await;
        assert_eq!(
            index.catch_up(&*w.store).await.unwrap(),
            1,
            "only the new entry is read"
        );
        assert_eq!(titles(&index, &w, &w.town_a, "宣讲").await.len(), 1);
        assert_eq!(index.catch_up(&*w.store).await.unwrap(), 0, "nothing new, nothing read");
    }
    // Reopened, the cursor is where it was left.
    let index = SearchIndex::open(dir.path(), w.files.path()).unwrap();
    let head = w.store.search_feed_head().await.unwrap();
    assert_eq!(index.indexed_up_to().await, head);
    assert_eq!(titles(&index, &w, &w.town_a, "宣讲").await.len(), 1);
    let read = index.rebuild(&*w.store, &mut |_, _| {}).await.unwrap();
    assert_eq!(read as i64, head, "a rebuild reads the whole log");
    assert_eq!(titles(&index, &w, &w.town_a, "宣讲").await.len(), 1);
}

#[tokio::test]
async fn an_index_left_from_another_database_starts_over() {
    let dir = tempfile::tempdir().unwrap();
    let first = world().await;
    study(&first, &first.town_a, "旧库里的宣讲记录", "").await;
    SearchIndex::open(dir.path(), first.files.path())
        .unwrap()
        .catch_up(&*first.store)
        .await
        .unwrap();
    // A new database (a fresh demo) with a longer history of its own.
    let second = world().await;
    for i in 0..5 {
        study(&second, &second.town_a, &format!("新库记录{i}"), "").await;
    }
    let index = SearchIndex::open(dir.path(), second.files.path()).unwrap();
    index.catch_up(&*second.store).await.unwrap();
    assert!(titles(&index, &second, &second.town_a, "旧库").await.is_empty());
    assert_eq!(titles(&index, &second, &second.town_a, "新库记录").await.len(), 5);
}
