//! What a user of the opinion monitor notices: rules that are refused say where,
//! rules match disguised keywords and highlight the right characters, reposts group
//! into one event, files with bad lines still load.

use chrono::{DateTime, Duration, TimeZone, Utc};
use shoutu_text::monitor::{
    EventConfig, EventIndex, Expected, Fingerprint, Post, PostFormat, RuleError, RuleId, RuleSet, parse_posts,
    parse_rule,
};

fn chars(text: &str, span: (usize, usize)) -> String {
    text.chars().skip(span.0).take(span.1 - span.0).collect()
}

fn one(rule: &str) -> RuleSet {
    RuleSet::compile([(RuleId(1), rule)]).unwrap()
}

// ---------- rules ----------

#[test]
fn syntax_error_names_its_position_in_chinese() {
    let e = parse_rule("(呼和镇 | 呼和诺尔镇 & 拆迁").unwrap_err();
    assert_eq!(e.position(), Some(18));
    assert!(matches!(
        e,
        RuleError::Syntax {
            expected: Expected::CloseParen,
            found: None,
            ..
        }
    ));
    assert_eq!(
        e.to_string(),
        "规则第 18 个字符处有语法错误：此处应为右括号「)」，实际为规则结尾"
    );

    let e = parse_rule("拆迁 & | 补偿").unwrap_err();
    assert_eq!(e.position(), Some(6));
    assert!(e.to_string().contains("实际为「|」"), "{e}");

    let e = parse_rule("拆迁 补偿").unwrap_err();
    assert_eq!(e.position(), Some(4));
    assert!(matches!(
        e,
        RuleError::Syntax {
            expected: Expected::Operator,
            ..
        }
    ));

    let e = parse_rule("拆迁 NEAR/ 补偿").unwrap_err();
    assert_eq!(e.position(), Some(9));
    assert!(matches!(
        e,
        RuleError::Syntax {
            expected: Expected::NearDistance,
            ..
        }
    ));

    let e = parse_rule("\"拆迁 & 补偿").unwrap_err();
    assert!(matches!(
        e,
        RuleError::Syntax {
            expected: Expected::CloseQuote,
            ..
        }
    ));

    let e = parse_rule("").unwrap_err();
    assert_eq!(e.position(), Some(1));
}

#[test]
fn near_operands_must_be_keywords() {
    let e = parse_rule("!招聘 NEAR/5 拆迁").unwrap_err();
    assert_eq!(e.position(), Some(1));
    assert!(matches!(
        e,
        RuleError::Syntax {
            expected: Expected::PositionalOperand,
            ..
        }
    ));
    let e = parse_rule("拆迁 NEAR/5 (补偿 & 上访)").unwrap_err();
    assert_eq!(e.position(), Some(11));
}

#[test]
fn rules_that_would_flag_everything_are_refused() {
    assert_eq!(parse_rule("!招聘").unwrap_err(), RuleError::MatchesEverything);
    assert_eq!(parse_rule("拆迁 | !招聘").unwrap_err(), RuleError::MatchesEverything);
    assert!(matches!(
        parse_rule("拆迁 & \"，。\"").unwrap_err(),
        RuleError::EmptyKeyword { position: 6, .. }
    ));
}

#[test]
fn boolean_semantics_with_not() {
    let rules = one("(呼和诺尔镇 | 呼和镇) & (拆迁 | 补偿 | 上访) & !招聘");
    assert_eq!(rules.matches("呼和镇某村拆迁户要求补偿").len(), 1);
    assert!(rules.matches("呼和镇政府招聘拆迁工作人员").is_empty(), "NOT excludes");
    assert!(rules.matches("呼和镇今天天气很好").is_empty(), "AND needs both groups");
    assert!(rules.matches("某县拆迁补偿标准公布").is_empty());
}

#[test]
fn disguised_keywords_match_and_highlight_the_original() {
    let rules = one("呼和镇 & 拆迁");
    let text = "网传呼和鎮有人被强行拆 * 遷";
    let m = rules.matches(text);
    assert_eq!(m.len(), 1);
    let shown: Vec<String> = m[0].spans.iter().map(|&s| chars(text, s)).collect();
    assert_eq!(shown, vec!["呼和鎮", "拆 * 遷"]);

    let rules = one("COVID");
    assert_eq!(rules.matches("ｃｏｖｉｄ　新增").len(), 1);
    let rules = one("拆迁");
    assert_eq!(rules.matches("拆\u{200B}迁").len(), 1);
}

#[test]
fn near_respects_distance() {
    let rules = one("拆迁 NEAR/5 补偿");
    // Five characters between: still near.
    assert_eq!(rules.matches("拆迁一二三四五补偿").len(), 1);
    // Six: too far.
    assert!(rules.matches("拆迁一二三四五六补偿").is_empty());
    // Order does not matter.
    assert_eq!(rules.matches("补偿款没到位拆迁").len(), 1);
    // Spaces and punctuation are not counted.
    assert_eq!(rules.matches("拆迁，一、二、三、四、五，补偿").len(), 1);
    // Only the occurrences that are near each other are highlighted.
    let text = "补偿很远很远很远很远很远很远。拆迁后补偿";
    let m = rules.matches(text);
    let shown: Vec<(usize, usize)> = m[0].spans.clone();
    assert_eq!(shown, vec![(15, 17), (18, 20)]);

    let chained = one("(拆迁 | 征地) NEAR/3 补偿 & 呼和镇");
    assert_eq!(chained.matches("呼和镇征地没补偿").len(), 1);
    assert!(chained.matches("征地没补偿").is_empty());
}

#[test]
fn many_rules_share_one_automaton() {
    let rules = RuleSet::compile([
        (RuleId(10), "拆迁 & 补偿"),
        (RuleId(11), "拆迁 & 上访"),
        (RuleId(12), "招聘"),
        (RuleId(13), "补偿 NEAR/2 标准"),
    ])
    .unwrap();
    assert_eq!(rules.keywords().len(), 5, "shared keywords are compiled once");
    let ids: Vec<i64> = rules
        .matches("拆迁补偿标准不一，村民上访")
        .iter()
        .map(|m| m.rule.0)
        .collect();
    assert_eq!(ids, vec![10, 11, 13]);
}

#[test]
fn compile_lists_every_bad_rule() {
    let err = RuleSet::compile([(RuleId(1), "拆迁 &"), (RuleId(2), "好"), (RuleId(3), "(a")])
        .err()
        .unwrap();
    let ids: Vec<i64> = err.errors.iter().map(|e| e.0.0).collect();
    assert_eq!(ids, vec![1, 3]);
}

// ---------- events ----------

fn post(id: &str, text: &str, at: DateTime<Utc>, platform: &str) -> Post {
    Post {
        source: "测试".into(),
        source_id: Some(id.into()),
        platform: platform.into(),
        url: format!("https://example.cn/{id}"),
        author: None,
        published_at: Some(at),
        title: None,
        text: text.into(),
    }
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 1, 0, 0).unwrap()
}

const ORIGINAL: &str =
    "呼和镇王家村多户村民反映，去年拆迁的补偿款至今没有发放到位，村民多次到镇政府反映无果，希望有关部门尽快调查处理。";
const REPOST: &str = "转发：呼和镇王家村多户村民反映去年拆迁补偿款至今还没有发放到位，村民多次到镇里反映无果，希望有关部门尽快调查处理！！";
const UNRELATED: &str =
    "呼和镇今年秋粮喜获丰收，全镇玉米平均亩产比去年提高一成，合作社正组织农机抢收，预计下周完成全部收割工作。";

fn grouping_of(config: EventConfig) {
    let mut index = EventIndex::new(config);
    let a = index.assign(&post("1", ORIGINAL, t0(), "微博"));
    let b = index.assign(&post("2", REPOST, t0() + Duration::minutes(20), "抖音"));
    let c = index.assign(&post("3", UNRELATED, t0() + Duration::minutes(30), "微博"));
    assert_eq!(a, b, "a lightly edited repost joins the original's event");
    assert_ne!(a, c, "an unrelated post about the same town does not");

    let stats = index.stats(a).unwrap();
    assert_eq!(stats.volume, 2);
    assert_eq!(stats.first_seen, t0());
    assert_eq!(stats.last_seen, t0() + Duration::minutes(20));
    assert_eq!(stats.growth_per_hour, 2);
    assert_eq!(stats.platforms.get("抖音"), Some(&1));
    assert_eq!(stats.representative, post("1", ORIGINAL, t0(), "微博").dedup_key());
}

#[test]
fn repost_joins_unrelated_does_not_minhash() {
    grouping_of(EventConfig::default());
}

#[test]
fn exact_copies_group_with_simhash_too() {
    let mut index = EventIndex::new(EventConfig {
        fingerprint: Fingerprint::SimHash { max_distance: 3 },
        ..Default::default()
    });
    let a = index.assign(&post("1", ORIGINAL, t0(), "微博"));
    let b = index.assign(&post(
        "2",
        &format!("{ORIGINAL}。"),
        t0() + Duration::minutes(1),
        "微博",
    ));
    let c = index.assign(&post("3", UNRELATED, t0() + Duration::minutes(2), "微博"));
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn a_post_after_the_decay_window_starts_a_new_event() {
    let mut index = EventIndex::new(EventConfig {
        decay_hours: 24,
        ..Default::default()
    });
    let a = index.assign(&post("1", ORIGINAL, t0(), "微博"));
    let b = index.assign(&post("2", REPOST, t0() + Duration::hours(23), "微博"));
    assert_eq!(a, b, "inside the window the event goes on");
    // 24 h after the *last* post, not the first: still joins.
    let c = index.assign(&post("3", ORIGINAL, t0() + Duration::hours(46), "微博"));
    assert_eq!(a, c);
    let d = index.assign(&post("4", REPOST, t0() + Duration::hours(46 + 25), "微博"));
    assert_ne!(a, d, "more than 24 h after the event's last post: a new event");
    let closed = index.take_closed();
    assert_eq!(closed.iter().map(|s| s.id).collect::<Vec<_>>(), vec![a]);
    assert_eq!(closed[0].volume, 3);
}

// ---------- ingest ----------

const JSONL: &str = r#"{"source_id":"w1","platform":"微博","url":"https://weibo.example/1","author":"张三","published_at":"2026-11-20 09:00:00","text":"呼和镇拆迁补偿问题"}
{"source_id":"w2","platform":"微博","url":"https://weibo.example/2","text":"第二条"}
{"platform":"微博","text":"没有链接也没有编号"}
this is not json

{"source_id":"w5","url":"https://weibo.example/5","published_at":"前天","text":"时间写错了"}
{"id":6,"链接":"https://weibo.example/6","内容":"中文字段名也认"}
"#;

#[test]
fn malformed_jsonl_lines_are_reported_and_the_rest_parse() {
    let report = parse_posts(JSONL.as_bytes(), PostFormat::JsonLines, "微博导出").unwrap();
    assert_eq!(report.posts.len(), 3);
    let issues: Vec<String> = report.issues.iter().map(|i| i.to_string()).collect();
    assert_eq!(issues[0], "第 3 行：缺少字段「url」");
    assert!(issues[1].starts_with("第 4 行：不是有效的 JSON"), "{}", issues[1]);
    assert_eq!(issues[2], "第 6 行：字段「published_at」的时间「前天」无法识别");
    assert_eq!(report.issues[2].field, Some("published_at"));
    let first = &report.posts[0];
    assert_eq!(first.source, "微博导出");
    assert_eq!(first.author.as_deref(), Some("张三"));
    assert_eq!(
        first.published_at,
        Some(Utc.with_ymd_and_hms(2026, 11, 20, 1, 0, 0).unwrap())
    );
    assert_eq!(report.posts[2].source_id.as_deref(), Some("6"));
}

#[test]
fn reparsing_gives_the_same_dedup_keys() {
    let keys = |bytes: &[u8]| -> Vec<String> {
        parse_posts(bytes, PostFormat::JsonLines, "微博导出")
            .unwrap()
            .posts
            .iter()
            .map(Post::dedup_key)
            .collect()
    };
    let first = keys(JSONL.as_bytes());
    assert_eq!(first, keys(JSONL.as_bytes()));
    let unique: std::collections::HashSet<&String> = first.iter().collect();
    assert_eq!(unique.len(), first.len());
}

#[test]
fn csv_in_gb18030_with_chinese_headers() {
    let csv = "编号,平台,链接,作者,发布时间,标题,正文\n\
               1,论坛,https://bbs.example/t/1,李四,2026-11-20 10:00,补偿款,\"拆迁补偿款，至今未到位\"\n\
               2,论坛,,王五,2026-11-20 10:05,,\n\
               3,论坛,https://bbs.example/t/3,赵六,2026/11/20 10:10,只有标题,\n";
    let (bytes, _, _) = encoding_rs::GB18030.encode(csv);
    let report = parse_posts(&bytes, PostFormat::Csv, "论坛导出").unwrap();
    assert_eq!(report.posts.len(), 2);
    assert_eq!(report.posts[0].text, "拆迁补偿款，至今未到位");
    assert_eq!(
        report.posts[1].text, "只有标题",
        "the title serves when the body is empty"
    );
    assert_eq!(
        report.issues.iter().map(|i| i.to_string()).collect::<Vec<_>>(),
        vec!["第 3 行：缺少字段「text」"]
    );
}

#[test]
fn rss_and_atom() {
    let rss = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>某县新闻网</title>
<item>
  <title>呼和镇召开拆迁补偿协调会</title>
  <link>https://news.example/a/1</link>
  <guid>news-1</guid>
  <pubDate>Fri, 20 Nov 2026 02:00:00 GMT</pubDate>
  <dc:creator>记者 孙七</dc:creator>
  <description><![CDATA[<p>会议通报了补偿&amp;安置进展。</p>]]></description>
</item>
<item>
  <title>没有链接的条目</title>
  <description>正文</description>
</item>
</channel></rss>"#;
    let report = parse_posts(rss.as_bytes(), PostFormat::Feed, "某县新闻网").unwrap();
    assert_eq!(report.posts.len(), 1);
    let p = &report.posts[0];
    assert_eq!(p.url, "https://news.example/a/1");
    assert_eq!(p.source_id.as_deref(), Some("news-1"));
    assert_eq!(p.author.as_deref(), Some("记者 孙七"));
    assert_eq!(p.text, "会议通报了补偿&安置进展。");
    assert_eq!(p.platform, "网站");
    assert_eq!(report.issues.len(), 1);
    assert_eq!(report.issues[0].to_string(), "第 12 行：缺少字段「url」");

    let atom = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>某镇公众号</title>
  <entry>
    <title>关于征地补偿标准的说明</title>
    <link rel="alternate" href="https://mp.example/s/abc"/>
    <id>urn:mp:abc</id>
    <updated>2026-11-20T10:00:00+08:00</updated>
    <author><name>某镇政府</name></author>
    <summary>摘要</summary>
    <content type="html">&lt;b&gt;正文&lt;/b&gt;：补偿标准按省定执行。</content>
  </entry>
</feed>"#;
    let report = parse_posts(atom.as_bytes(), PostFormat::Feed, "公众号").unwrap();
    assert!(report.issues.is_empty(), "{:?}", report.issues);
    let p = &report.posts[0];
    assert_eq!(p.url, "https://mp.example/s/abc");
    assert_eq!(p.author.as_deref(), Some("某镇政府"));
    assert_eq!(p.text, "正文：补偿标准按省定执行。");
    assert_eq!(
        p.published_at,
        Some(Utc.with_ymd_and_hms(2026, 11, 20, 2, 0, 0).unwrap())
    );
}

#[test]
fn broken_xml_keeps_what_came_before() {
    let xml = "<rss><channel>\n<item><link>https://a.example/1</link><description>一</description></item>\n<item><link>https://a.example/2</link>\n<description>二</descr></item></channel></rss>";
    let report = parse_posts(xml.as_bytes(), PostFormat::Feed, "x").unwrap();
    assert_eq!(report.posts.len(), 1);
    assert_eq!(report.issues.len(), 1);
    assert_eq!(report.issues[0].line, 4, "{}", report.issues[0]);
}
