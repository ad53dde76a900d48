//! `run_check_cli`, the engine behind `shoutu check`: output and exit codes.

use std::path::PathBuf;

use shoutu_text::proofread::run_check_cli;

fn run(files: &[PathBuf], json: bool) -> (i32, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = run_check_cli(files, json, &mut out, &mut err);
    (code, String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap())
}

fn seed(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/")).join(name)
}

#[test]
fn seeds_list_the_defects_domain_md_names_and_exit_1() {
    let files = [seed("seeds/000.txt"), seed("seeds/001.txt"), seed("seeds/003.txt")];
    let (code, out, err) = run(&files, false);
    assert_eq!(code, 1, "{err}");
    for want in [
        "000.txt:1:1: error[placeholder.letter]",
        "error[placeholder.xx] “XX”是未替换的占位符",
        "warning[consistency.unit-name] 本文主体是“呼和镇”，此处却是“呼和诺尔镇”",
        "“王坝镇”",
        "error[residue.paywall] “##paidbegin##”",
        "error[punct.empty-item] 连续使用顿号",
        "error[dup.yiwei]",
        "001.txt:3:6: error[placeholder.masked]",
        "003.txt:1:5: error[placeholder.year] 年份“202x”没有填写完整",
        "error[residue.preview]",
        "error[residue.link]",
        "warning[punct.halfwidth] 中文文本中使用了半角标点“(一)”",
    ] {
        assert!(out.contains(want), "missing «{want}»");
    }
    assert!(out.contains("  = 建议："));
}

#[test]
fn clean_text_exits_0_and_says_so() {
    let (code, out, _) = run(&[seed("clean/report.txt")], false);
    assert_eq!(code, 0, "{out}");
    assert!(out.ends_with("report.txt: 未发现问题\n"), "{out}");
}

#[test]
fn json_is_one_array_over_all_files() {
    let (code, out, _) = run(&[seed("seeds/000.txt"), seed("clean/notice.txt")], true);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 11, "{out}");
    assert!(arr.iter().all(|f| f["file"].as_str().unwrap().ends_with("000.txt")));
    assert!(
        arr.iter()
            .any(|f| f["rule"] == "residue.paywall" && f["text"] == "##paidbegin##")
    );
}

#[test]
fn unreadable_file_exits_2_and_is_named() {
    let missing = PathBuf::from("/nonexistent/报告.txt");
    let (code, _, err) = run(&[seed("clean/report.txt"), missing], false);
    assert_eq!(code, 2);
    assert!(
        err.contains("/nonexistent/报告.txt") && err.contains("文件不存在"),
        "{err}"
    );
}
