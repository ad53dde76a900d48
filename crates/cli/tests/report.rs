//! `shoutu report` on the demo county: one township's .docx, a township's batch with its zip,
//! and a clear Chinese line for a unit code that does not exist.

use std::path::Path;
use std::process::{Command, Output};

fn shoutu(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shoutu"))
        .args(args)
        .current_dir(dir)
        .env_remove("SHOUTU_DATABASE_URL")
        .env_remove("SHOUTU_REPORT_TEMPLATES")
        .output()
        .unwrap()
}

#[test]
fn reports_are_written_one_by_one_and_in_a_batch_with_a_zip() {
    let dir = tempfile::tempdir().unwrap();
    let demo = shoutu(dir.path(), &["demo", "--no-serve"]);
    assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));
    let db = ["--database-url", "sqlite:shoutu-demo.db"];

    let one = shoutu(
        dir.path(),
        &[
            db[0], db[1], "report", "--kind", "annual", "--year", "2025", "--unit", "YL-03", "--out", "one",
        ],
    );
    assert!(one.status.success(), "{}", String::from_utf8_lossy(&one.stderr));
    let files: Vec<String> = std::fs::read_dir(dir.path().join("one"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, ["YL-03 河口镇2025年意识形态工作责任制落实情况报告.docx"]);

    let batch = shoutu(
        dir.path(),
        &[
            db[0],
            db[1],
            "report",
            "--year",
            "2025",
            "--unit",
            "YL-03",
            "--each-subunit",
            "--out",
            "all",
        ],
    );
    assert!(batch.status.success(), "{}", String::from_utf8_lossy(&batch.stderr));
    let out = String::from_utf8_lossy(&batch.stdout);
    let docx = std::fs::read_dir(dir.path().join("all"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "docx"))
        .count();
    assert!(docx > 1, "the township and the units below it: {out}");
    assert!(out.contains(&format!("已生成 {docx} 份报告")), "{out}");
    let zip = dir.path().join("all").join("YL-03-2025年-annual.zip");
    let archive = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
    assert_eq!(archive.len(), docx);

    let missing = shoutu(
        dir.path(),
        &[db[0], db[1], "report", "--year", "2025", "--unit", "NOPE", "--out", "x"],
    );
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("找不到单位代码「NOPE」"));
}
