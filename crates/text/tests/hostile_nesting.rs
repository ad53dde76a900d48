//! Issue 13, defect 1: every parser of outside input in this crate, fed input nested
//! 100,000 deep, answers with a refusal or a report, on a thread with a small stack: none
//! of them recurses over the depth of its input.

use std::io::Write;

use shoutu_text::monitor::{PostFormat, RuleError, parse_posts, parse_rule};
use shoutu_text::proofread::parse_document;

const DEEP: usize = 100_000;

/// Runs `f` on a thread with a 1 MiB stack, half of what a server thread has (tokio's
/// workers and blocking threads get 2 MiB). Unoptimised frames are large: serde_json's own
/// limit of 128 levels alone takes more than 256 KiB in a debug build of the workspace.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .expect("no stack overflow, no panic");
}

fn docx(entries: &[(&str, &str)]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, body) in entries {
        z.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        z.write_all(body.as_bytes()).unwrap();
    }
    z.finish().unwrap().into_inner()
}

const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

#[test]
fn rules_nested_a_hundred_thousand_deep_are_refused() {
    on_small_stack(|| {
        for rule in [
            "(".repeat(DEEP),
            format!("{}a{}", "(".repeat(DEEP), ")".repeat(DEEP)),
            format!("{}a", "!".repeat(DEEP)),
            format!("a{}", " NEAR/1 a".repeat(DEEP)),
        ] {
            let e = parse_rule(&rule).unwrap_err();
            assert!(matches!(e, RuleError::TooLong { .. }), "{e:?}");
            assert!(e.to_string().contains("规则过长"), "{e}");
        }
        // Within the length bound, the depth bound answers before the stack runs out.
        for rule in [format!("{}a", "(".repeat(3_999)), format!("{}a", "!".repeat(3_999))] {
            let e = parse_rule(&rule).unwrap_err();
            assert!(matches!(e, RuleError::TooDeep { position: 33, .. }), "{e:?}");
        }
    });
}

#[test]
fn docx_nested_a_hundred_thousand_deep_is_a_bad_docx() {
    on_small_stack(|| {
        let deep_body = format!(
            r#"<w:document {W}><w:body><w:p>{}<w:t>字</w:t>{}</w:p></w:body></w:document>"#,
            "<w:r>".repeat(DEEP),
            "</w:r>".repeat(DEEP)
        );
        let deep_paragraphs = format!(
            r#"<w:document {W}><w:body>{}<w:r><w:t>字</w:t></w:r>{}</w:body></w:document>"#,
            "<w:p>".repeat(DEEP),
            "</w:p>".repeat(DEEP)
        );
        let ok_body = format!(r#"<w:document {W}><w:body><w:p><w:r><w:t>字</w:t></w:r></w:p></w:body></w:document>"#);
        let deep_styles = format!(
            r#"<w:styles {W}>{}{}</w:styles>"#,
            "<w:style>".repeat(DEEP),
            "</w:style>".repeat(DEEP)
        );
        for entries in [
            vec![("word/document.xml", deep_body.as_str())],
            vec![("word/document.xml", deep_paragraphs.as_str())],
            vec![
                ("word/document.xml", ok_body.as_str()),
                ("word/styles.xml", deep_styles.as_str()),
            ],
        ] {
            let e = parse_document("深.docx", &docx(&entries)).unwrap_err().to_string();
            assert!(e.contains("嵌套层次过深"), "{e}");
        }
    });
}

#[test]
fn ingest_files_nested_a_hundred_thousand_deep_are_reported_line_by_line() {
    on_small_stack(|| {
        let good = r#"{"id":"1","url":"https://a.example/1","text":"河口镇补偿政策宣讲"}"#;
        let jsonl = format!("{}\n{}\n{good}\n", "[".repeat(DEEP), "{\"a\":".repeat(DEEP));
        let report = parse_posts(jsonl.as_bytes(), PostFormat::JsonLines, "测试").unwrap();
        assert_eq!(report.posts.len(), 1, "{:?}", report.issues);
        assert_eq!(report.issues.len(), 2);
        assert_eq!((report.issues[0].line, report.issues[1].line), (1, 2));
        // A JSON array file nested deep is one refused file, not a crash.
        let deep_array = format!("[{}]", "[".repeat(DEEP));
        let _ = parse_posts(deep_array.as_bytes(), PostFormat::JsonLines, "测试");

        let rss = format!(
            "<rss><channel><item><title>河口镇</title><link>https://a.example/1</link>{}{}</item></channel></rss>",
            "<x>".repeat(DEEP),
            "</x>".repeat(DEEP)
        );
        let _ = parse_posts(rss.as_bytes(), PostFormat::Feed, "测试");
        let atom = format!("<feed>{}</feed>", "<entry>".repeat(DEEP));
        let _ = parse_posts(atom.as_bytes(), PostFormat::Feed, "测试");

        let csv = format!("text,url\n\"{}\",https://a.example/1\n", "\"\"(".repeat(DEEP));
        let report = parse_posts(csv.as_bytes(), PostFormat::Csv, "测试").unwrap();
        assert!(report.posts.len() + report.issues.len() >= 1);
    });
}

/// A chain of NEARs over a post repeating its keyword used to join every pair at every
/// level: 12 NEAR/5 over 300 letters ran for minutes (the rule fuzzer's first hang), 31
/// NEAR/10000 over a long post would never end. Each NEAR now keeps a bounded number of
/// stretches, and the rule still holds and highlights.
#[test]
fn chained_near_over_a_repetitive_post_answers_promptly() {
    use shoutu_text::monitor::{RuleId, RuleSet};
    let cases = [
        (format!("a{}", " NEAR/5 a".repeat(12)), "a".repeat(300)),
        (format!("拆迁{}", " NEAR/10000 拆迁".repeat(31)), "拆迁".repeat(5_000)),
        (
            format!("(拆迁 | 补偿){}", " NEAR/100 (拆迁 | 补偿)".repeat(31)),
            "拆迁补偿，".repeat(4_000),
        ),
    ];
    for (rule, post) in cases {
        let set = RuleSet::compile([(RuleId(1), rule.as_str())]).unwrap();
        let started = std::time::Instant::now();
        let matches = set.matches(&post);
        let took = started.elapsed();
        assert_eq!(matches.len(), 1, "{rule}");
        assert!(!matches[0].spans.is_empty());
        // Unoptimised and on a busy machine; before the bound this took hours.
        assert!(took < std::time::Duration::from_secs(60), "{rule}: {took:?}");
    }
}

/// The bound and the single walk of a chain keep what a chain of NEARs means.
#[test]
fn chained_near_still_measures_every_link() {
    use shoutu_text::monitor::{RuleId, RuleSet};
    let set = RuleSet::compile([(RuleId(1), "拆迁 NEAR/2 补偿 NEAR/2 上访")]).unwrap();
    assert_eq!(set.matches("拆迁后补偿要上访").len(), 1);
    assert!(set.matches("拆迁后补偿，一直到今年还没有上访").is_empty());
    assert!(set.matches("拆迁以后很久才补偿要上访").is_empty());
    let set = RuleSet::compile([(RuleId(1), "(拆迁 NEAR/2 补偿) & !招聘 | 上访 NEAR/1 (信访 NEAR/1 局)")]).unwrap();
    assert_eq!(set.matches("拆迁补偿").len(), 1);
    assert!(set.matches("拆迁补偿招聘").is_empty());
    assert_eq!(set.matches("上访信访局").len(), 1);
    assert!(set.matches("上访到了信访局").is_empty());
}

/// PostgreSQL refuses a NUL in text, so one pushed post carrying `\u0000` failed the whole
/// push with a 500 there; control characters are dropped as the posts are read.
#[test]
fn control_characters_in_pushed_posts_are_dropped_as_they_are_read() {
    let line = serde_json::json!({
        "id": "n\u{0}1",
        "url": "https://a.example/\u{1b}1",
        "author": "张\u{0}三",
        "text": "河口镇\u{0}补偿\u{1b}[31m款\t未到位\n",
    })
    .to_string();
    let report = parse_posts(line.as_bytes(), PostFormat::JsonLines, "测试").unwrap();
    let post = &report.posts[0];
    assert_eq!(post.text, "河口镇补偿[31m款\t未到位");
    assert_eq!(post.author.as_deref(), Some("张三"));
    assert_eq!(post.source_id.as_deref(), Some("n1"));
    assert_eq!(post.url, "https://a.example/1");
}
