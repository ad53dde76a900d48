//! `shoutu ledgers`, `shoutu archive` (and `archive verify`) and `shoutu reindex` as an
//! operator runs them.

use std::io::{Cursor, Read, Write};
use std::path::Path;
use std::process::{Command, Output};

fn shoutu(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shoutu"))
        .args(args)
        .current_dir(dir)
        .env_remove("SHOUTU_DATABASE_URL")
        .env_remove("SHOUTU_FILES_DIR")
        .env_remove("SHOUTU_INDEX_DIR")
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn initialised() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = shoutu(dir.path(), &["init", "--unit-name", "云岭县", "--unit-code", "YL"]);
    assert!(out.status.success(), "{}", text(&out));
    dir
}

/// Rewrites one file of a zip with other bytes.
fn tamper(zip_path: &Path, name: &str, bytes: &[u8]) {
    let original = std::fs::read(zip_path).unwrap();
    let mut src = zip::ZipArchive::new(Cursor::new(original)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..src.len() {
        let mut f = src.by_index(i).unwrap();
        let n = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if n == name {
            data = bytes.to_vec();
        }
        out.start_file(n, zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(&data).unwrap();
    }
    std::fs::write(zip_path, out.finish().unwrap().into_inner()).unwrap();
}

#[test]
fn an_archive_verifies_until_a_file_in_it_is_changed() {
    let dir = initialised();
    let out = shoutu(
        dir.path(),
        &["archive", "--unit", "YL", "--year", "2025", "--out", "档案.zip"],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("已生成 云岭县2025年度档案"), "{}", text(&out));

    let ok = shoutu(dir.path(), &["archive", "verify", "档案.zip"]);
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("校验通过"));

    tamper(&dir.path().join("档案.zip"), "index.html", b"<p>forged</p>");
    let bad = shoutu(dir.path(), &["archive", "verify", "档案.zip"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad).contains("内容已改变：index.html"), "{}", text(&bad));
}

#[test]
fn an_unknown_unit_is_one_clear_line() {
    let dir = initialised();
    let out = shoutu(
        dir.path(),
        &["ledgers", "--unit", "NOPE", "--year", "2025", "--out", "x.xlsx"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("找不到代码为「NOPE」的单位"), "{}", text(&out));
}

#[test]
fn ledgers_and_reindex_write_their_files() {
    let dir = initialised();
    let out = shoutu(
        dir.path(),
        &["ledgers", "--unit", "YL", "--year", "2025", "--out", "台账.xlsx"],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(std::fs::read(dir.path().join("台账.xlsx")).unwrap().starts_with(b"PK"));
    let out = shoutu(dir.path(), &["reindex"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("检索索引已重建"), "{}", text(&out));
    assert!(dir.path().join("shoutu-index").join("meta.json").exists());
}
