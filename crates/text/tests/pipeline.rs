//! The text side of ingest as the store sees it: batches that hold each post once, place
//! reposts in one event across chunks, leave out posts the store has, and level nothing
//! themselves; schemes refused with the rule's position; risk points found by keyword.

use std::collections::HashSet;

use chrono::{DateTime, Duration, TimeZone, Utc};
use shoutu_domain::UnitId;
use shoutu_domain::opinion::{EventSlot, MonitoredScheme, Post, SchemeSnapshot};
use shoutu_text::monitor::{Grouper, Matcher, negative_hits, parse_scheme, risk_point_for};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap()
}

fn post(id: &str, minutes: i64, text: &str) -> Post {
    Post {
        source: "导出".into(),
        source_id: Some(id.into()),
        platform: if minutes % 2 == 0 { "微博" } else { "抖音" }.into(),
        url: format!("https://example.test/{id}"),
        author: None,
        published_at: Some(t0() + Duration::minutes(minutes)),
        title: None,
        text: text.into(),
    }
}

fn repost(i: i64) -> Post {
    post(
        &format!("r{i}"),
        i,
        &format!("河口镇危岩搬迁户补偿款迟迟不到位，群众多次上访讨说法，希望有关部门尽快解决 转发{i}"),
    )
}

fn matcher() -> Matcher {
    Matcher::compile(&SchemeSnapshot {
        version: "1".into(),
        schemes: vec![
            MonitoredScheme {
                id: 7,
                unit_id: UnitId(3),
                rule: "(河口镇 | 河口) & (搬迁 | 补偿 | 上访) & !招聘".into(),
                topic_weight: 1.5,
            },
            // A stored rule that no longer parses is left out, not fatal.
            MonitoredScheme {
                id: 8,
                unit_id: UnitId(4),
                rule: "(石桥镇".into(),
                topic_weight: 1.0,
            },
        ],
    })
}

#[test]
fn a_chunk_holds_each_post_once_and_groups_reposts_into_one_new_event() {
    let m = matcher();
    let mut posts: Vec<Post> = (0..10).map(repost).collect();
    posts.push(repost(3));
    posts.push(post("n1", 5, "河口镇卫生院招聘护士，搬迁补偿政策咨询电话"));
    posts.push(post("n2", 6, "石桥镇今天举办农民丰收节"));
    let screened = m.screen("县网信办", &m.watch(&[UnitId(3)]), posts, t0());
    assert_eq!(screened.len(), 13);
    assert_eq!(
        screened.matched_keys().len(),
        10,
        "招聘 is excluded, 石桥镇 matches nothing"
    );
    let mut g = Grouper::new();
    let (batch, pending) = g.batch(&m, 42, screened, &HashSet::new());
    assert_eq!(batch.source_id, 42);
    assert_eq!(batch.duplicates, 1, "the repeated repost");
    assert_eq!(batch.posts.len(), 12);
    assert!(batch.posts.iter().all(|p| p.post.source == "县网信办"));
    assert_eq!(batch.new_events.len(), 1);
    let event = &batch.new_events[0];
    assert_eq!((event.unit_id, event.scheme_id), (UnitId(3), 7));
    assert_eq!(event.origin_key, batch.posts[0].key);
    assert!(event.headline.starts_with("河口镇危岩搬迁户"));
    assert_eq!(batch.growth.len(), 1);
    let growth = &batch.growth[0];
    assert_eq!(
        (growth.event, growth.posts, growth.topic_weight),
        (EventSlot::New(0), 10, 1.5)
    );
    assert_eq!(growth.platforms.values().sum::<i64>(), 10);
    assert_eq!(
        (growth.first_seen, growth.last_seen),
        (t0(), t0() + Duration::minutes(9))
    );
    assert_eq!(growth.growth_per_hour, 10);
    assert!(growth.negative_hits >= 10, "上访 and 讨说法 in every repost");
    assert_eq!(batch.posts.iter().filter(|p| p.event.is_none()).count(), 2);

    // The next chunk's reposts join the stored event once the store has named it.
    g.confirm(pending, &[501]);
    let (later, pending) = g.batch(
        &m,
        42,
        m.screen("县网信办", &m.watch(&[UnitId(3)]), (10..15).map(repost).collect(), t0()),
        &HashSet::new(),
    );
    assert!(later.new_events.is_empty());
    assert_eq!(later.growth[0].event, EventSlot::Stored(501));
    assert_eq!(later.growth[0].posts, 5);
    assert_eq!(
        later.growth[0].growth_per_hour, 15,
        "the grouper counts the whole last hour"
    );
    assert!(later.posts.iter().all(|p| p.event == Some(EventSlot::Stored(501))));
    g.confirm(pending, &[]);
}

#[test]
fn posts_the_store_has_are_neither_grouped_nor_written() {
    let m = matcher();
    let screened = m.screen("导出", &m.watch(&[UnitId(3)]), (0..4).map(repost).collect(), t0());
    let known: HashSet<String> = screened.matched_keys().into_iter().take(3).collect();
    let (batch, _) = Grouper::new().batch(&m, 1, screened, &known);
    assert_eq!(batch.duplicates, 3);
    assert_eq!(batch.posts.len(), 1);
    assert_eq!(batch.growth[0].posts, 1);
}

#[test]
fn a_replayed_grouper_continues_the_stored_event() {
    let m = matcher();
    let mut g = Grouper::new();
    for i in 0..5 {
        let p = repost(i);
        let at = p.published_at.unwrap();
        g.replay(77, UnitId(3), &p, at);
    }
    let (batch, _) = g.batch(
        &m,
        1,
        m.screen("导出", &m.watch(&[UnitId(3)]), vec![repost(6)], t0()),
        &HashSet::new(),
    );
    assert!(batch.new_events.is_empty());
    assert_eq!(batch.growth[0].event, EventSlot::Stored(77));
}

#[test]
fn a_post_without_a_time_is_placed_at_ingest_time() {
    let m = matcher();
    let mut p = repost(1);
    p.published_at = None;
    let now = t0() + Duration::days(3);
    let (batch, _) = Grouper::new().batch(
        &m,
        1,
        m.screen("导出", &m.watch(&[UnitId(3)]), vec![p], now),
        &HashSet::new(),
    );
    assert_eq!(batch.posts[0].published_at, now);
}

#[test]
fn schemes_are_refused_with_the_field_and_the_rules_position() {
    let e = parse_scheme(UnitId(1), "坏规则", "(河口镇 | 河口 & 拆迁", "1", true).unwrap_err();
    assert_eq!(e.field, "监测规则");
    assert!(e.to_string().contains("第 15 个字符"), "{e}");
    assert_eq!(
        parse_scheme(UnitId(1), "权重", "河口", "9", true).unwrap_err().field,
        "话题权重"
    );
    assert_eq!(
        parse_scheme(UnitId(1), " ", "河口", "1", true).unwrap_err().field,
        "方案名称"
    );
    let ok = parse_scheme(UnitId(1), "河口镇拆迁补偿", " 河口镇 & 补偿 ", "", true).unwrap();
    assert_eq!((ok.rule.as_str(), ok.topic_weight), ("河口镇 & 补偿", 1.0));
}

#[test]
fn risk_points_are_found_by_any_keyword_in_disguise_too() {
    let risks = [(1, "高速 征地"), (2, "危岩，搬迁"), (3, "搬迁")];
    assert_eq!(risk_point_for("河口镇危岩搬遷户补偿款迟迟不到位", risks), Some(2));
    assert_eq!(risk_point_for("石桥镇丰收节", risks), None);
    assert_eq!(
        risk_point_for("任何文字", [(9, " ， ")]),
        None,
        "a risk point without keywords matches nothing"
    );
}

#[test]
fn negative_words_are_counted_after_folding() {
    assert_eq!(negative_hits("群众上访，讨说法！不作為"), 3);
    assert_eq!(negative_hits("丰收节场面热闹"), 0);
}

/// Two townships watching the same words: each source feeds only the scheme it may, and
/// similar posts of the two never share an event, nor one's headline.
#[test]
fn a_source_feeds_only_the_schemes_it_may_and_units_never_share_an_event() {
    let rule = "(河口镇 | 河口) & (搬迁 | 补偿 | 上访)";
    let m = Matcher::compile(&SchemeSnapshot {
        version: "2".into(),
        schemes: vec![
            MonitoredScheme {
                id: 1,
                unit_id: UnitId(5),
                rule: rule.into(),
                topic_weight: 1.0,
            },
            MonitoredScheme {
                id: 2,
                unit_id: UnitId(3),
                rule: rule.into(),
                topic_weight: 1.0,
            },
        ],
    });
    let mut g = Grouper::new();
    let (a, pending) = g.batch(
        &m,
        1,
        m.screen(
            "河口镇网评员",
            &m.watch(&[UnitId(3)]),
            (0..5).map(repost).collect(),
            t0(),
        ),
        &HashSet::new(),
    );
    assert_eq!(a.new_events.len(), 1);
    assert_eq!((a.new_events[0].unit_id, a.new_events[0].scheme_id), (UnitId(3), 2));
    assert!(a.growth.iter().all(|g| g.unit_id == UnitId(3)));
    g.confirm(pending, &[100]);

    let own = post(
        "b1",
        9,
        "河口镇危岩搬迁户补偿款迟迟不到位，群众多次上访讨说法，石桥镇来源",
    );
    let (b, _) = g.batch(
        &m,
        2,
        m.screen("石桥镇网评员", &m.watch(&[UnitId(5)]), vec![own.clone()], t0()),
        &HashSet::new(),
    );
    assert_eq!(b.new_events.len(), 1, "not A's stored event: {:?}", b.growth);
    assert_eq!((b.new_events[0].unit_id, b.new_events[0].scheme_id), (UnitId(5), 1));
    assert!(b.growth.iter().all(|g| g.unit_id == UnitId(5) && g.posts == 1));
    assert!(
        own.text.starts_with(&b.new_events[0].headline),
        "{}",
        b.new_events[0].headline
    );
}
