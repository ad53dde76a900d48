//! 舆情 in the store: ingest (idempotent, grouped, alerting), schemes, incidents with
//! deadlines, risk points, scope checks and facts, on both backends.
//!
//! Ingest is driven the way the web crate's `Monitor` drives it: the text pipeline screens
//! and groups, the store answers which posts it has and writes the batches.

mod common;
use common::*;

use chrono::{Duration, Utc};
use shoutu_domain::fact::DateRange;
use shoutu_domain::opinion::Post;
use shoutu_domain::opinion::{
    DeadlinePolicy, NewContingencyPlan, NewGrievance, NewIncident, NewRiskPoint, NewStep, RiskStatus, SeverityConfig,
    SeverityLevel, Stage,
};
use shoutu_domain::{NewPerson, NewUser, PageRequest, Role, Scope};
use shoutu_store::{
    EventFilter, INGEST_CHUNK, IngestSummary, NewSource, OpinionSettings, OpinionStore, Store, StoreError,
};
use shoutu_text::monitor::{Grouper, Matcher, parse_scheme};

fn post(id: &str, minute: i64, text: &str) -> Post {
    Post {
        source: "ignored".into(),
        source_id: Some(id.into()),
        platform: if minute % 2 == 0 { "微博" } else { "抖音" }.into(),
        url: format!("https://example.test/{id}"),
        author: None,
        published_at: Some(start_time() - Duration::hours(2) + Duration::minutes(minute)),
        title: None,
        text: text.into(),
    }
}

/// Thirty reposts of one complaint within half an hour, plus noise.
fn burst() -> Vec<Post> {
    let mut posts: Vec<Post> = (0..30)
        .map(|i| {
            post(
                &format!("b{i}"),
                i,
                &format!("河口镇危岩搬迁户补偿款迟迟不到位，群众多次上访讨说法，希望有关部门尽快解决 转发{i}"),
            )
        })
        .collect();
    posts.push(post("n1", 5, "石桥镇今天举办农民丰收节，场面热闹"));
    posts.push(post("n2", 6, "河口镇卫生院招聘护士，搬迁补偿政策咨询电话"));
    posts.push(post(
        "d1",
        7,
        "河口镇召开补偿政策宣讲会，镇干部逐条解读安置办法，村民代表现场提问",
    ));
    posts
}

struct Setup {
    /// The grouper of this test's "process".
    grouper: tokio::sync::Mutex<Grouper>,
    c: County,
    console: Scope,
    /// A staff user of 河口镇 (gets the town's notifications).
    staff: Scope,
    source: i64,
}

/// Ingests posts as the county's console, through screening, the store's look-up of known
/// posts, grouping and batch writes.
async fn ingest(f: &Fixture, s: &Setup, posts: Vec<Post>) -> IngestSummary {
    ingest_with(
        &*f.store,
        &mut *s.grouper.lock().await,
        &s.console,
        s.source,
        posts,
        f.clock_now(),
    )
    .await
}

async fn ingest_with(
    store: &dyn Store,
    grouper: &mut Grouper,
    scope: &Scope,
    source: i64,
    posts: Vec<Post>,
    now: chrono::DateTime<Utc>,
) -> IngestSummary {
    let matcher = Matcher::compile(&store.monitored_schemes(scope).await.unwrap());
    let watch = matcher.watch(&store.watching_units(scope, source).await.unwrap());
    let name = store.source(scope, source).await.unwrap().name;
    let mut summary = IngestSummary::default();
    for chunk in posts.chunks(INGEST_CHUNK) {
        let screened = matcher.screen(&name, &watch, chunk.to_vec(), now);
        let known = store.known_post_keys(scope, &screened.matched_keys()).await.unwrap();
        let (batch, pending) = grouper.batch(&matcher, source, screened, &known);
        let written = store
            .write_ingest_batch(scope, batch, &SeverityConfig::defaults())
            .await
            .unwrap();
        grouper.confirm(pending, &written.new_event_ids);
        summary.add(written.summary);
    }
    summary
}

async fn setup(store: &dyn Store) -> Setup {
    let c = county(store).await;
    let console = Scope::console(c.county.id);
    let person = store
        .create_person(
            &console,
            NewPerson::parse(c.town_a.id, "赵宣传", "宣传委员", "", 0).unwrap(),
        )
        .await
        .unwrap();
    let user = store
        .create_user(
            &console,
            NewUser {
                username: "zhao".into(),
                person_id: person.id,
                roles: vec![Role::Staff],
                password_hash: "x".into(),
                must_change_password: false,
            },
        )
        .await
        .unwrap();
    let staff = Scope::new(c.town_a.id, vec![Role::Staff], Some(user.id), "赵宣传");
    let source = store
        .create_source(&console, NewSource::parse(c.county.id, "县网信办导出", "综合").unwrap())
        .await
        .unwrap()
        .id;
    let scheme = parse_scheme(
        c.town_a.id,
        "河口镇拆迁补偿",
        "(河口镇 | 河口) & (搬迁 | 补偿 | 上访) & !招聘",
        "1",
        true,
    )
    .unwrap();
    store.save_scheme(&staff, None, scheme).await.unwrap();
    Setup {
        grouper: tokio::sync::Mutex::new(Grouper::new()),
        c,
        console,
        staff,
        source,
    }
}

#[tokio::test]
async fn a_burst_raises_one_alert_and_reingest_changes_nothing() {
    for f in fixtures().await {
        let s = setup(&*f.store).await;
        let first = ingest(&f, &s, burst()).await;
        assert_eq!(first.new, 33, "{}", f.name);
        assert_eq!(first.duplicate, 0, "{}", f.name);
        assert_eq!(
            first.matched, 31,
            "招聘 is excluded, 石桥镇 does not match ({})",
            f.name
        );
        assert_eq!(
            first.events_new, 2,
            "reposts group into one event, the briefing is another ({})",
            f.name
        );
        assert_eq!(first.alerts.len(), 1, "{}", f.name);
        let alert = &first.alerts[0];
        assert_eq!(alert.unit_id, s.c.town_a.id, "{}", f.name);
        assert_eq!(alert.volume, 30, "{}", f.name);
        assert!(alert.level >= SeverityLevel::Serious, "{}", f.name);

        let again = ingest(&f, &s, burst()).await;
        assert_eq!((again.new, again.duplicate, again.matched), (0, 33, 0), "{}", f.name);
        assert!(again.alerts.is_empty(), "{}", f.name);
        let events = f
            .store
            .opinion_events(&s.staff, &EventFilter::default(), page())
            .await
            .unwrap();
        assert_eq!(events.total, 2, "{}", f.name);
        let big = events.items.iter().find(|e| e.volume == 30).expect("the burst event");
        assert_eq!(big.platforms.values().sum::<i64>(), 30, "{}", f.name);
        assert!(big.negative_hits >= 30, "{}", f.name);
        let posts = f.store.event_posts(&s.staff, big.id, 100).await.unwrap();
        assert_eq!(posts.len(), 30, "{}", f.name);

        // The town's user is told; 石桥镇 sees neither the alert nor the event.
        assert_eq!(f.store.unread_notifications(&s.staff).await.unwrap(), 1, "{}", f.name);
        assert_eq!(
            f.store.notifications(&s.staff, 10).await.unwrap().len(),
            1,
            "{}",
            f.name
        );
        let b = scope_of(&s.c.town_b, &[Role::Staff]);
        assert!(f.store.alerts(&b, 10).await.unwrap().is_empty(), "{}", f.name);
        assert!(
            matches!(f.store.opinion_event(&b, big.id).await, Err(StoreError::NotFound)),
            "{}",
            f.name
        );
        f.store.mark_notifications_read(&s.staff).await.unwrap();
        assert_eq!(f.store.unread_notifications(&s.staff).await.unwrap(), 0, "{}", f.name);

        // Later reposts join the same event, and no second alert is raised for it.
        let more: Vec<Post> = (30..40)
            .map(|i| {
                post(
                    &format!("b{i}"),
                    i,
                    &format!("河口镇危岩搬迁户补偿款迟迟不到位，群众多次上访讨说法，希望有关部门尽快解决 转发{i}"),
                )
            })
            .collect();
        let later = ingest(&f, &s, more).await;
        assert_eq!(
            (later.new, later.events_new, later.events_updated),
            (10, 0, 1),
            "{}",
            f.name
        );
        assert!(later.alerts.is_empty(), "{}", f.name);
        assert_eq!(
            f.store.opinion_event(&s.staff, big.id).await.unwrap().volume,
            40,
            "{}",
            f.name
        );
    }
}

/// A post about 河口镇's compensation, its body drawn at random so that few posts look alike.
fn distinct(i: usize) -> Post {
    const POOL: &str = "山水田林路桥村组户房屋地款账表证书钱粮米面油盐茶果菜猪牛羊鸡鸭鱼虾车船站港厂店校院馆场楼窗门墙";
    let pool: Vec<char> = POOL.chars().collect();
    let mut x = i as u64 + 1;
    let body: String = (0..24)
        .map(|_| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            pool[(x >> 33) as usize % pool.len()]
        })
        .collect();
    post(&format!("d{i}"), (i % 50) as i64, &format!("河口镇补偿{i}号{body}"))
}

#[tokio::test]
async fn a_batch_of_many_new_events_files_every_post_under_its_own_event() {
    // More new events than one INSERT statement holds: ids come back unordered and are
    // matched to their events by the key of each event's first post.
    for f in fixtures().await {
        let s = setup(&*f.store).await;
        let summary = ingest(&f, &s, (0..260).map(distinct).collect()).await;
        assert_eq!(summary.new, 260, "{}", f.name);
        assert!(summary.events_new > 200, "{} events ({})", summary.events_new, f.name);
        let mut checked = 0;
        for n in 1..=2 {
            let events = f
                .store
                .opinion_events(&s.staff, &EventFilter::default(), PageRequest::new(Some(n), Some(200)))
                .await
                .unwrap();
            for event in &events.items {
                let posts = f.store.event_posts(&s.staff, event.id, 10).await.unwrap();
                assert_eq!(posts.len() as i64, event.volume, "{}", f.name);
                for p in &posts {
                    assert!(
                        p.text.starts_with(&event.headline),
                        "{:?} filed under {:?} ({})",
                        p.text,
                        event.headline,
                        f.name
                    );
                }
                checked += 1;
            }
        }
        assert_eq!(checked, summary.events_new, "{}", f.name);
    }
}

#[tokio::test]
async fn grouping_survives_a_restart_of_the_engine() {
    // A second store on the same SQLite file has an empty engine and must rebuild it.
    let f = fixtures().await.remove(0);
    let s = setup(&*f.store).await;
    ingest(&f, &s, burst()).await;
    let dir = f._dir.as_ref().unwrap();
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(dir.path().join("test.db"));
    let reopened = shoutu_store::SqliteStore::open(options, f.clock.clone()).await.unwrap();
    let more = vec![post(
        "b99",
        40,
        "河口镇危岩搬迁户补偿款迟迟不到位，群众多次上访讨说法，希望有关部门尽快解决 转发99",
    )];
    // A new process: an empty grouper, rebuilt from the stored posts of recent events.
    let mut grouper = Grouper::new();
    for (event, unit, post) in reopened.replay_posts(&s.console, Grouper::window()).await.unwrap() {
        let at = post.published_at.unwrap();
        grouper.replay(event, unit, &post, at);
    }
    let later = ingest_with(&reopened, &mut grouper, &s.console, s.source, more, f.clock_now()).await;
    assert_eq!((later.events_new, later.events_updated), (0, 1));
    let events = reopened
        .opinion_events(&s.staff, &EventFilter::default(), page())
        .await
        .unwrap();
    assert_eq!(events.items.iter().map(|e| e.volume).max(), Some(31));
}

#[tokio::test]
async fn schemes_refuse_bad_rules_with_the_position() {
    for f in fixtures().await {
        let s = setup(&*f.store).await;
        let e = parse_scheme(s.c.town_a.id, "坏规则", "(河口镇 | 河口 & 拆迁", "1", true).unwrap_err();
        assert_eq!(e.field, "监测规则", "{}", f.name);
        assert!(
            e.to_string().contains("第"),
            "the error names a position: {e} ({})",
            f.name
        );
        assert!(parse_scheme(s.c.town_a.id, "权重", "河口", "9", true).is_err());
        // A scheme for another town is out of reach for 河口镇.
        let other = parse_scheme(s.c.town_b.id, "石桥", "石桥镇 & 上访", "1", true).unwrap();
        assert!(
            matches!(
                f.store.save_scheme(&s.staff, None, other).await,
                Err(StoreError::NotFound)
            ),
            "{}",
            f.name
        );
        let schemes = f.store.schemes(&s.staff).await.unwrap();
        assert_eq!(schemes.len(), 1, "{}", f.name);
        // Editing keeps the id.
        let edited = parse_scheme(s.c.town_a.id, "河口镇拆迁补偿", "河口镇 & 补偿", "1.5", true).unwrap();
        let saved = f
            .store
            .save_scheme(&s.staff, Some(schemes[0].id), edited)
            .await
            .unwrap();
        assert_eq!(saved.id, schemes[0].id, "{}", f.name);
        assert_eq!(saved.topic_weight, 1.5, "{}", f.name);
    }
}

#[tokio::test]
async fn incidents_move_through_the_lifecycle_and_escalate_when_late() {
    for f in fixtures().await {
        let s = setup(&*f.store).await;
        let risk = f
            .store
            .create_risk(
                &s.staff,
                NewRiskPoint::parse(
                    s.c.town_a.id,
                    "危岩搬迁户补偿诉求",
                    "high",
                    "赵宣传",
                    "逐户走访，公开补偿标准",
                    "危岩 搬迁",
                    "7",
                    local_today(&f),
                )
                .unwrap(),
            )
            .await
            .unwrap();
        let ingest = ingest(&f, &s, burst()).await;
        let alert = &ingest.alerts[0];
        let policy = DeadlinePolicy::defaults();
        let incident = f
            .store
            .open_incident_from_alert(&s.staff, alert.id, &policy, "赵宣传", Some(risk.id))
            .await
            .unwrap();
        assert_eq!(incident.unit_id, s.c.town_a.id, "{}", f.name);
        assert_eq!(incident.stage, Stage::Discovered, "{}", f.name);
        assert_eq!(
            incident.risk_point_id,
            Some(risk.id),
            "linked to the risk point found for it ({})",
            f.name
        );
        assert_eq!(incident.steps.len(), 1, "{}", f.name);
        let again = f
            .store
            .open_incident_from_alert(&s.staff, alert.id, &policy, "", None)
            .await
            .unwrap();
        assert_eq!(again.id, incident.id, "one incident per alert ({})", f.name);

        // Skipping 研判 is refused; the county (read-only supervisor) cannot add steps.
        let skip = NewStep::parse("handling", "", "直接处置").unwrap();
        assert!(
            matches!(
                f.store.add_step(&s.staff, incident.id, skip).await,
                Err(StoreError::Invalid(_))
            ),
            "{}",
            f.name
        );
        let ducha = scope_of(&s.c.county, &[Role::Supervisor]);
        let note = NewStep::parse("assessed", "", "研判").unwrap();
        assert!(
            matches!(
                f.store.add_step(&ducha, incident.id, note).await,
                Err(StoreError::Forbidden)
            ),
            "{}",
            f.name
        );

        // Past the first-response deadline the supervisor sees it escalated.
        let level = incident.level;
        let hours = policy.of(level).first_response_hours;
        f.clock.advance(Duration::hours(hours + 1));
        let seen = f.store.incidents(&ducha, true).await.unwrap();
        let late = seen
            .iter()
            .find(|i| i.id == incident.id)
            .expect("the county sees the town's incident");
        assert!(late.escalated(f.clock_now()), "{}", f.name);
        assert!(late.overdue_now(f.clock_now()), "{}", f.name);
        let b = scope_of(&s.c.town_b, &[Role::Staff]);
        assert!(
            matches!(f.store.incident(&b, incident.id).await, Err(StoreError::NotFound)),
            "{}",
            f.name
        );

        // Moving on records the response time and the conclusion.
        for (stage, text) in [
            ("assessed", "研判"),
            ("handling", "约谈"),
            ("responded", "发布通报"),
            ("concluded", "办结"),
        ] {
            f.store
                .add_step(&s.staff, incident.id, NewStep::parse(stage, "赵宣传", text).unwrap())
                .await
                .unwrap();
        }
        let done = f.store.incident(&s.staff, incident.id).await.unwrap();
        assert_eq!(done.stage, Stage::Concluded, "{}", f.name);
        assert_eq!(done.steps.len(), 5, "{}", f.name);
        assert!(done.responded_at.is_some() && done.concluded_at.is_some(), "{}", f.name);
        assert!(done.escalated(f.clock_now()), "late stays on record ({})", f.name);
        assert!(!done.overdue_now(f.clock_now()), "{}", f.name);
        assert!(f.store.incidents(&ducha, true).await.unwrap().is_empty(), "{}", f.name);

        // Facts quote the same records.
        let year = DateRange::year(2026);
        let handled = f
            .store
            .fact(&ducha, "opinion.incidents", s.c.county.id, year)
            .await
            .unwrap();
        assert_eq!(handled.value, Some(1.0), "{}", f.name);
        let on_time = f
            .store
            .fact(&ducha, "opinion.on_time_rate", s.c.county.id, year)
            .await
            .unwrap();
        assert_eq!(on_time.value, Some(0.0), "{}", f.name);
        let hours_fact = f
            .store
            .fact(&ducha, "opinion.first_response_hours", s.c.county.id, year)
            .await
            .unwrap();
        assert!(hours_fact.value.unwrap() > hours as f64, "{}", f.name);
        let open = f
            .store
            .fact(&ducha, "opinion.risk_points_open", s.c.county.id, year)
            .await
            .unwrap();
        assert_eq!(open.value, Some(1.0), "{}", f.name);
        let b_fact = f
            .store
            .fact(&ducha, "opinion.incidents", s.c.town_b.id, year)
            .await
            .unwrap();
        assert_eq!(b_fact.value, Some(0.0), "{}", f.name);
    }
}

#[tokio::test]
async fn hand_entries_plans_risks_and_grievances() {
    for f in fixtures().await {
        let s = setup(&*f.store).await;
        let policy = DeadlinePolicy::defaults();
        let now = f.clock_now();
        let new = NewIncident::parse(
            s.c.town_a.id,
            "高速公路征地拆迁群众聚集",
            "",
            "major",
            now,
            "赵宣传",
            None,
            &policy,
        )
        .unwrap();
        let incident = f.store.open_incident(&s.staff, new).await.unwrap();
        assert_eq!(
            incident.deadlines.first_response,
            now + Duration::hours(4),
            "{}",
            f.name
        );
        let plan = f
            .store
            .create_plan(
                &scope_of(&s.c.county, &[Role::Staff]),
                NewContingencyPlan::parse(s.c.county.id, "征地拆迁", "核实情况\n上报县委宣传部\n发布权威信息").unwrap(),
            )
            .await
            .unwrap();
        // The township uses the county's plan.
        assert_eq!(f.store.plans(&s.staff).await.unwrap().len(), 1, "{}", f.name);
        f.store.apply_plan(&s.staff, incident.id, plan.id).await.unwrap();
        let with_list = f.store.incident(&s.staff, incident.id).await.unwrap();
        assert_eq!(with_list.checklist.len(), 3, "{}", f.name);
        f.store
            .check_item(&s.staff, incident.id, with_list.checklist[0].id, true)
            .await
            .unwrap();
        assert!(
            f.store.incident(&s.staff, incident.id).await.unwrap().checklist[0].done,
            "{}",
            f.name
        );

        let today = local_today(&f);
        let risk = f
            .store
            .create_risk(
                &s.staff,
                NewRiskPoint::parse(
                    s.c.town_a.id,
                    "高速公路征地拆迁",
                    "medium",
                    "赵宣传",
                    "",
                    "征地",
                    "7",
                    today,
                )
                .unwrap(),
            )
            .await
            .unwrap();
        let g = NewGrievance::parse(
            s.c.town_a.id,
            Some(risk.id),
            &today.to_string(),
            "来访",
            "补偿标准不清",
            today,
        )
        .unwrap();
        f.store.add_grievance(&s.staff, g).await.unwrap();
        assert_eq!(
            f.store.risk(&s.staff, risk.id).await.unwrap().grievances,
            1,
            "{}",
            f.name
        );
        assert_eq!(
            f.store.grievances(&s.staff, Some(risk.id)).await.unwrap().len(),
            1,
            "{}",
            f.name
        );
        f.clock.advance(Duration::days(8));
        let overdue = f.store.risk(&s.staff, risk.id).await.unwrap();
        assert!(overdue.review_overdue(local_today(&f)), "{}", f.name);
        let reviewed = f.store.review_risk(&s.staff, risk.id, RiskStatus::Open).await.unwrap();
        assert!(!reviewed.review_overdue(local_today(&f)), "{}", f.name);
        let b = scope_of(&s.c.town_b, &[Role::Staff]);
        assert!(f.store.risks(&b).await.unwrap().is_empty(), "{}", f.name);
        assert!(f.store.grievances(&b, None).await.unwrap().is_empty(), "{}", f.name);
        let fact = f
            .store
            .fact(&s.console, "opinion.grievances", s.c.county.id, DateRange::year(2026))
            .await
            .unwrap();
        assert_eq!(fact.value, Some(1.0), "{}", f.name);
    }
}

#[tokio::test]
async fn sources_tokens_and_settings() {
    for f in fixtures().await {
        let s = setup(&*f.store).await;
        let src = f.store.source(&s.console, s.source).await.unwrap();
        assert!(!src.has_token, "{}", f.name);
        f.store
            .set_source_token(&s.console, s.source, "abc123hash")
            .await
            .unwrap();
        let found = f.store.source_by_token("abc123hash").await.unwrap().unwrap();
        assert_eq!(found.id, s.source, "{}", f.name);
        assert!(f.store.source_by_token("other").await.unwrap().is_none(), "{}", f.name);
        // Staff may not issue tokens; duplicates are refused by name.
        assert!(matches!(
            f.store.set_source_token(&s.staff, s.source, "x").await,
            Err(StoreError::Forbidden | StoreError::NotFound)
        ));
        assert!(matches!(
            f.store
                .create_source(&s.console, NewSource::parse(s.c.county.id, "县网信办导出", "").unwrap())
                .await,
            Err(StoreError::Conflict(_))
        ));
        // A higher threshold keeps the burst from alerting.
        let admin = scope_of(&s.c.town_a, &[Role::UnitAdmin]);
        f.store
            .save_opinion_settings(
                &admin,
                s.c.town_a.id,
                OpinionSettings::parse("critical", "http://10.0.0.5/hook").unwrap(),
            )
            .await
            .unwrap();
        assert!(OpinionSettings::parse("serious", "ftp://x").is_err());
        let quiet: Vec<Post> = burst().into_iter().take(5).collect();
        let r = ingest(&f, &s, quiet).await;
        assert!(r.alerts.is_empty(), "{}", f.name);
    }
}

trait Now {
    fn clock_now(&self) -> chrono::DateTime<Utc>;
}

impl Now for Fixture {
    fn clock_now(&self) -> chrono::DateTime<Utc> {
        use shoutu_domain::Clock;
        self.clock.now()
    }
}

fn local_today(f: &Fixture) -> chrono::NaiveDate {
    (f.clock_now() + Duration::hours(8)).date_naive()
}

/// A source's posts feed only the schemes of its own branch: its unit, the units below and
/// the units above it. Two townships watching the same words each get only their own feed,
/// whatever order their schemes were saved in.
#[tokio::test]
async fn a_source_feeds_only_the_schemes_of_its_own_branch() {
    for f in fixtures().await {
        let store = &*f.store;
        let c = county(store).await;
        let console = Scope::console(c.county.id);
        let rule = "(河口镇 | 河口) & (搬迁 | 补偿 | 上访) & !招聘";
        // Town B's scheme first: the old pipeline gave every match to the first scheme.
        for unit in [&c.town_b, &c.town_a, &c.bureau, &c.village_a] {
            let scheme = parse_scheme(unit.id, &format!("{}监测", unit.name), rule, "1", true).unwrap();
            store.save_scheme(&console, None, scheme).await.unwrap();
        }
        let source_of = |unit: &shoutu_domain::Unit, name: &str| NewSource::parse(unit.id, name, "综合").unwrap();
        let a = store
            .create_source(&console, source_of(&c.town_a, "河口镇网评员"))
            .await
            .unwrap()
            .id;
        let b = store
            .create_source(&console, source_of(&c.town_b, "石桥镇网评员"))
            .await
            .unwrap()
            .id;

        let mut watching = store.watching_units(&console, a).await.unwrap();
        watching.sort();
        let mut expected = vec![c.county.id, c.town_a.id, c.village_a.id];
        expected.sort();
        assert_eq!(watching, expected, "{}", f.name);

        let mut grouper = Grouper::new();
        let got = ingest_with(store, &mut grouper, &console, a, burst(), f.clock_now()).await;
        assert!(got.events_new >= 1 && !got.alerts.is_empty(), "{}", f.name);
        let units_with_events = |events: Vec<shoutu_store::OpinionEvent>| {
            let mut units: Vec<_> = events.into_iter().map(|e| e.unit_id).collect();
            units.sort();
            units.dedup();
            units
        };
        let events = store
            .opinion_events(&console, &EventFilter::default(), page())
            .await
            .unwrap();
        let units = units_with_events(events.items);
        assert!(
            units.iter().all(|u| [c.town_a.id, c.village_a.id].contains(u)),
            "A's posts reached {units:?} ({})",
            f.name
        );
        for other in [&c.town_b, &c.bureau] {
            let scope = scope_of(other, &[Role::Staff]);
            assert_eq!(
                store
                    .opinion_events(&scope, &EventFilter::default(), page())
                    .await
                    .unwrap()
                    .total,
                0,
                "{} ({})",
                other.name,
                f.name
            );
            assert!(store.alerts(&scope, 10).await.unwrap().is_empty(), "{}", f.name);
        }

        // The same words from B's own source are B's.
        let from_b: Vec<Post> = burst()
            .into_iter()
            .map(|mut p| {
                p.source_id = p.source_id.map(|id| format!("b-{id}"));
                p.url = format!("{}-b", p.url);
                p
            })
            .collect();
        ingest_with(store, &mut grouper, &console, b, from_b, f.clock_now()).await;
        let b_scope = scope_of(&c.town_b, &[Role::Staff]);
        let b_events = store
            .opinion_events(&b_scope, &EventFilter::default(), page())
            .await
            .unwrap();
        assert!(b_events.total >= 1, "{}", f.name);
        assert!(b_events.items.iter().all(|e| e.unit_id == c.town_b.id), "{}", f.name);
    }
}

/// Whatever a pipeline hands it, the store starts no event of another branch from a
/// source's posts.
#[tokio::test]
async fn the_store_refuses_a_batch_that_feeds_another_branch() {
    for f in fixtures().await {
        let store = &*f.store;
        let c = county(store).await;
        let console = Scope::console(c.county.id);
        let scheme = parse_scheme(c.town_b.id, "石桥镇监测", "河口镇 & 补偿", "1", true).unwrap();
        store.save_scheme(&console, None, scheme).await.unwrap();
        let a = store
            .create_source(&console, NewSource::parse(c.town_a.id, "河口镇网评员", "综合").unwrap())
            .await
            .unwrap();
        let matcher = Matcher::compile(&store.monitored_schemes(&console).await.unwrap());
        // A pipeline that ignores the source's branch.
        let wrong = matcher.watch(&[c.town_b.id]);
        let screened = matcher.screen(&a.name, &wrong, burst(), f.clock_now());
        let (batch, _) = Grouper::new().batch(&matcher, a.id, screened, &Default::default());
        assert!(!batch.new_events.is_empty(), "{}", f.name);
        let refused = store
            .write_ingest_batch(&console, batch, &SeverityConfig::defaults())
            .await
            .unwrap_err();
        assert!(matches!(refused, StoreError::Forbidden), "{refused:?} ({})", f.name);
        let b_scope = scope_of(&c.town_b, &[Role::Staff]);
        assert_eq!(
            store
                .opinion_events(&b_scope, &EventFilter::default(), page())
                .await
                .unwrap()
                .total,
            0,
            "{}",
            f.name
        );
    }
}
