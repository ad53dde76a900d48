//! Platforms, the 三审三校 review, teams and media coverage, on both backends.

mod common;
use common::*;

use chrono::NaiveDate;
use shoutu_domain::coverage::NewCoverage;
use shoutu_domain::fact::DateRange;
use shoutu_domain::platform::{NewInspection, NewPlatform};
use shoutu_domain::review::{DraftState, LintFinding, NewDraft, Stage, Step, text_sha256};
use shoutu_domain::team::{NewMember, NewTraining};
use shoutu_domain::{NewPerson, NewUser, Role, Scope, Unit, UnitId, User};
use shoutu_store::{PlatformFilter, Store, StoreError};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn user(store: &dyn Store, unit: &Unit, username: &str, roles: &[Role]) -> (User, Scope) {
    let console = Scope::console(unit.id);
    let p = store
        .create_person(
            &console,
            NewPerson::parse(unit.id, &format!("{username}本人"), "干事", "", 0).unwrap(),
        )
        .await
        .unwrap();
    let u = store
        .create_user(
            &console,
            NewUser {
                username: username.into(),
                person_id: p.id,
                roles: roles.to_vec(),
                password_hash: "x".into(),
                must_change_password: false,
            },
        )
        .await
        .unwrap();
    let scope = Scope::new(unit.id, roles.to_vec(), Some(u.id), u.person_name.clone());
    (u, scope)
}

fn placeholder_finding(text: &str) -> Vec<LintFinding> {
    match text.find("XX镇") {
        Some(byte) => {
            let start = text[..byte].chars().count();
            vec![LintFinding {
                rule: "placeholder".into(),
                error: true,
                start,
                end: start + 3,
                text: "XX镇".into(),
                message: "未填写的占位符".into(),
                suggestion: String::new(),
            }]
        }
        None => Vec::new(),
    }
}

struct Desk {
    c: County,
    author: Scope,
    r1: Scope,
    r2: Scope,
    r3: Scope,
    platform: i64,
}

/// 河口镇 with an author, two reviewers (初审, 复审) and a leader for 终审, and its public account.
async fn desk(store: &dyn Store) -> Desk {
    let c = county(store).await;
    let (_, author) = user(store, &c.town_a, "author", &[Role::Staff]).await;
    let (u1, r1) = user(store, &c.town_a, "r1", &[Role::Reviewer]).await;
    let (u2, r2) = user(store, &c.town_a, "r2", &[Role::Reviewer]).await;
    let (u3, r3) = user(store, &c.town_a, "r3", &[Role::Leader]).await;
    let admin = scope_of(&c.town_a, &[Role::UnitAdmin]);
    store
        .assign_reviewer(&admin, c.town_a.id, Stage::First, u1.id)
        .await
        .unwrap();
    store
        .assign_reviewer(&admin, c.town_a.id, Stage::Second, u2.id)
        .await
        .unwrap();
    store
        .assign_reviewer(&admin, c.town_a.id, Stage::Final, u3.id)
        .await
        .unwrap();
    let platform = store
        .create_platform(
            &author,
            NewPlatform::parse(
                c.town_a.id,
                "公众号",
                "河口镇发布",
                "hekou",
                None,
                "",
                "",
                "已备案",
                "2026-01-05",
                "",
                d("2026-03-01"),
            )
            .unwrap(),
        )
        .await
        .unwrap()
        .id;
    Desk {
        c,
        author,
        r1,
        r2,
        r3,
        platform,
    }
}

async fn new_draft(store: &dyn Store, desk: &Desk, body: &str) -> i64 {
    let draft = NewDraft::parse(desk.c.town_a.id, "河口镇开展理论宣讲", body, vec![desk.platform]).unwrap();
    store
        .create_draft(&desk.author, draft, placeholder_finding(body), vec![])
        .await
        .unwrap()
        .id
}

fn invalid_message(e: StoreError) -> String {
    match e {
        StoreError::Invalid(f) => f.message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_draft_goes_through_three_reviews_and_its_published_hash_verifies() {
    for f in fixtures().await {
        let s = &*f.store;
        let desk = desk(s).await;
        let id = new_draft(s, &desk, "XX镇组织开展理论宣讲。").await;
        let draft = s.review_step(&desk.author, id, Step::Submit).await.unwrap();
        assert_eq!(draft.state, DraftState::InReview(Stage::First), "{}", f.name);
        // The first reviewer sees the finding.
        let seen = s.draft(&desk.r1, id).await.unwrap();
        assert_eq!(seen.unresolved().len(), 1, "{}", f.name);
        assert_eq!(seen.findings[0].text, "XX镇");
        // The author fixes it in a proofreading round; the round keeps both texts.
        let fixed = "河口镇组织开展理论宣讲。";
        let draft = s
            .proofread(&desk.author, id, fixed, "补全镇名", placeholder_finding(fixed))
            .await
            .unwrap();
        assert_eq!(draft.rounds.len(), 1, "{}", f.name);
        assert_eq!(draft.rounds[0].before, "XX镇组织开展理论宣讲。");
        assert_eq!(draft.rounds[0].after, fixed);
        assert!(
            draft.rounds[0]
                .diff()
                .iter()
                .any(|p| p.kind == "added" && p.text == "河口")
        );
        assert!(draft.unresolved().is_empty());
        s.review_step(&desk.r1, id, Step::Approve).await.unwrap();
        s.review_step(&desk.r2, id, Step::Approve).await.unwrap();
        let approved = s.review_step(&desk.r3, id, Step::Approve).await.unwrap();
        assert_eq!(approved.state, DraftState::Approved, "{}", f.name);
        let published = s.review_step(&desk.author, id, Step::Publish).await.unwrap();
        assert_eq!(published.state, DraftState::Published, "{}", f.name);

        let log = s
            .publication_of(&desk.author, id)
            .await
            .unwrap()
            .expect("a publication");
        assert_eq!(log.text, fixed, "{}", f.name);
        assert_eq!(log.sha256, text_sha256(fixed), "{}", f.name);
        assert_eq!(log.platforms, "河口镇发布");
        assert!(log.verify(), "{}", f.name);
        let all = s
            .publications(&desk.author, d("2026-01-01"), d("2026-12-31"))
            .await
            .unwrap();
        assert_eq!(all.len(), 1, "{}", f.name);

        // Immutable: no further round, step or override; the log refuses raw changes.
        let e = s.proofread(&desk.author, id, "改动", "", vec![]).await.unwrap_err();
        assert!(invalid_message(e).contains("已发布的稿件不可更改"), "{}", f.name);
        let e = s.review_step(&desk.r1, id, Step::Approve).await.unwrap_err();
        assert!(invalid_message(e).contains("已发布"), "{}", f.name);
        assert_eq!(s.draft(&desk.author, id).await.unwrap().body, fixed);
        assert!(
            f.raw_update_fails("UPDATE publications SET text = '篡改'").await,
            "{}: the publication log must refuse updates",
            f.name
        );
        // Facts count it.
        let year = DateRange::year(2026);
        let fact = s
            .fact(&desk.author, "review.published", desk.c.town_a.id, year)
            .await
            .unwrap();
        assert_eq!(fact.value, Some(1.0), "{}", f.name);
        assert_eq!(fact.evidence[0].kind, "draft");
        let days = s
            .fact(&desk.author, "review.avg_days", desk.c.town_a.id, year)
            .await
            .unwrap();
        assert_eq!(days.value, Some(0.0), "{}", f.name);
    }
}

#[tokio::test]
async fn separation_of_duties_and_roles_are_enforced_and_nothing_is_stored_on_refusal() {
    for f in fixtures().await {
        let s = &*f.store;
        let desk = desk(s).await;
        let id = new_draft(s, &desk, "河口镇开展宣讲。").await;
        // Reviewing a draft not yet submitted.
        let e = s.review_step(&desk.r1, id, Step::Approve).await.unwrap_err();
        assert!(invalid_message(e).contains("草稿"), "{}", f.name);
        s.review_step(&desk.author, id, Step::Submit).await.unwrap();
        // The author, a reviewer of another stage, and a staff member may not approve 初审.
        let e = s.review_step(&desk.author, id, Step::Approve).await.unwrap_err();
        assert!(invalid_message(e).contains("没有初审权限"), "{}", f.name);
        let e = s.review_step(&desk.r2, id, Step::Approve).await.unwrap_err();
        assert!(invalid_message(e).contains("不是本单位指定的初审人"), "{}", f.name);
        // The same user approving twice.
        let admin = scope_of(&desk.c.town_a, &[Role::UnitAdmin]);
        let r1_user = desk.r1.actor.unwrap();
        s.assign_reviewer(&admin, desk.c.town_a.id, Stage::Second, r1_user)
            .await
            .unwrap();
        s.review_step(&desk.r1, id, Step::Approve).await.unwrap();
        let before = s.draft(&desk.author, id).await.unwrap();
        let e = s.review_step(&desk.r1, id, Step::Approve).await.unwrap_err();
        assert!(
            invalid_message(e).contains("同一人不能审核同一稿件的两个环节"),
            "{}",
            f.name
        );
        let after = s.draft(&desk.author, id).await.unwrap();
        assert_eq!(after.state, DraftState::InReview(Stage::Second), "{}", f.name);
        assert_eq!(after.actions.len(), before.actions.len(), "{}: nothing stored", f.name);
        // Outside the scope: 石桥镇's reviewer cannot even see it.
        let (ub, rb) = user(s, &desk.c.town_b, "rb", &[Role::Reviewer]).await;
        let e = s.review_step(&rb, id, Step::Approve).await.unwrap_err();
        assert!(matches!(e, StoreError::NotFound), "{}: {e:?}", f.name);
        // …and cannot be assigned to 河口镇's drafts.
        let county_admin = scope_of(&desk.c.county, &[Role::SystemAdmin]);
        let e = s
            .assign_reviewer(&county_admin, desk.c.town_a.id, Stage::Second, ub.id)
            .await
            .unwrap_err();
        assert!(invalid_message(e).contains("管辖范围不含河口镇"), "{}", f.name);
        // A staff member cannot be assigned as a reviewer.
        let author_user = desk.author.actor.unwrap();
        let e = s
            .assign_reviewer(&admin, desk.c.town_a.id, Stage::First, author_user)
            .await
            .unwrap_err();
        assert!(invalid_message(e).contains("没有初审权限"), "{}", f.name);
        // A reviewer whose role was taken away no longer acts, even if still assigned.
        let mut stripped = desk.r2.clone();
        stripped.roles = vec![Role::Staff];
        let e = s.review_step(&stripped, id, Step::Approve).await.unwrap_err();
        assert!(invalid_message(e).contains("没有复审权限"), "{}", f.name);
        // Returning needs a comment and sends it back to 草稿.
        let e = s
            .review_step(&desk.r2, id, Step::Return { comment: " ".into() })
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Invalid(_)), "{}", f.name);
        let back = s
            .review_step(
                &desk.r2,
                id,
                Step::Return {
                    comment: "标题再斟酌".into(),
                },
            )
            .await
            .unwrap();
        assert_eq!(back.state, DraftState::Draft, "{}", f.name);
        assert_eq!(back.actions.last().unwrap().comment, "标题再斟酌");
    }
}

#[tokio::test]
async fn error_findings_block_final_review_until_fixed_or_overridden() {
    for f in fixtures().await {
        let s = &*f.store;
        let desk = desk(s).await;
        let id = new_draft(s, &desk, "XX镇开展宣讲。").await;
        s.review_step(&desk.author, id, Step::Submit).await.unwrap();
        // 初审 may pass with the finding open…
        s.review_step(&desk.r1, id, Step::Approve).await.unwrap();
        // …but 复审 cannot send it on to 终审.
        let e = s.review_step(&desk.r2, id, Step::Approve).await.unwrap_err();
        assert!(invalid_message(e).contains("不能进入终审"), "{}", f.name);
        // The author may not override their own finding; a reason is required.
        let e = s
            .override_finding(&desk.author, id, "placeholder", "XX镇", "引用原文")
            .await
            .unwrap_err();
        assert!(invalid_message(e).contains("作者"), "{}", f.name);
        let e = s
            .override_finding(&desk.r2, id, "placeholder", "XX镇", "")
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Invalid(_)), "{}", f.name);
        let draft = s
            .override_finding(&desk.r2, id, "placeholder", "XX镇", "转引上级通报原文，保留原样")
            .await
            .unwrap();
        assert_eq!(draft.overrides.len(), 1, "{}", f.name);
        assert!(draft.unresolved().is_empty());
        let draft = s.review_step(&desk.r2, id, Step::Approve).await.unwrap();
        assert_eq!(draft.state, DraftState::InReview(Stage::Final), "{}", f.name);
        // A new error introduced during 终审 blocks it again.
        let text = "XX镇开展宣讲。请**县委审定。";
        let mut findings = placeholder_finding(text);
        findings.push(LintFinding {
            rule: "placeholder".into(),
            error: true,
            start: 9,
            end: 13,
            text: "**县委".into(),
            message: "占位符".into(),
            suggestion: String::new(),
        });
        s.proofread(&desk.r3, id, text, "", findings).await.unwrap();
        let e = s.review_step(&desk.r3, id, Step::Approve).await.unwrap_err();
        assert!(invalid_message(e).contains("1 处错误"), "{}", f.name);
    }
}

#[tokio::test]
async fn platforms_not_inspected_within_their_interval_are_flagged() {
    for f in fixtures().await {
        let s = &*f.store;
        let c = county(s).await;
        let staff = scope_of(&c.town_a, &[Role::Staff]);
        let today = d("2026-03-01");
        let mk = |kind: &str, name: &str, registered: &str| {
            NewPlatform::parse(c.town_a.id, kind, name, "", None, "", "", "", registered, "", today).unwrap()
        };
        let group = s
            .create_platform(&staff, mk("微信群", "河口村民群", "2026-01-01"))
            .await
            .unwrap();
        let board = s
            .create_platform(&staff, mk("宣传栏", "村委会宣传栏", "2026-01-01"))
            .await
            .unwrap();
        s.add_inspection(
            &staff,
            NewInspection::parse(
                group.id,
                "2026-02-20",
                "王建国",
                true,
                true,
                false,
                "清理广告 2 条",
                today,
            )
            .unwrap(),
        )
        .await
        .unwrap();
        let range = DateRange::year(2026);
        let overdue = || {
            let staff = staff.clone();
            async move {
                s.fact(&staff, "platform.overdue_inspection", c.town_a.id, range)
                    .await
                    .unwrap()
            }
        };
        // 3-01: the group was inspected 02-20, the board is within its 90 days.
        assert_eq!(overdue().await.value, Some(0.0), "{}", f.name);
        // 03-23: the group is due 03-22, so it is overdue; the board is not.
        f.clock.advance(chrono::Duration::days(22));
        let fact = overdue().await;
        assert_eq!(fact.value, Some(1.0), "{}", f.name);
        assert_eq!(fact.evidence[0].id, group.id);
        let rate = s
            .fact(&staff, "platform.inspected_rate", c.town_a.id, range)
            .await
            .unwrap();
        assert_eq!(rate.value, Some(50.0), "{}", f.name);
        // 04-02: the board (due 04-01) is overdue too.
        f.clock.advance(chrono::Duration::days(10));
        assert_eq!(overdue().await.value, Some(2.0), "{}", f.name);
        // The count as of a past period ignores platforms registered later.
        let jan = DateRange::new(d("2025-01-01"), d("2025-12-31"));
        let count = s.fact(&staff, "platform.count", c.town_a.id, jan).await.unwrap();
        assert_eq!(count.value, Some(0.0), "{}", f.name);
        // An inspection before the platform existed is refused.
        let e = s
            .add_inspection(
                &staff,
                NewInspection::parse(group.id, "2025-12-01", "王建国", true, true, true, "", today).unwrap(),
            )
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Invalid(_)), "{}", f.name);
        assert_eq!(
            s.platform_inspections(&staff, group.id).await.unwrap().len(),
            1,
            "{}",
            f.name
        );
        // A batch is all-or-nothing.
        let batch = vec![
            NewInspection::parse(
                board.id,
                "2026-03-20",
                "王建国",
                false,
                false,
                true,
                "",
                d("2026-04-02"),
            )
            .unwrap(),
            NewInspection::parse(group.id, "2025-12-01", "王建国", true, true, true, "", today).unwrap(),
        ];
        assert!(s.add_inspections(&staff, batch).await.is_err(), "{}", f.name);
        assert!(
            s.platform_inspections(&staff, board.id).await.unwrap().is_empty(),
            "{}",
            f.name
        );
        let batch = vec![
            NewInspection::parse(
                board.id,
                "2026-03-20",
                "王建国",
                false,
                false,
                true,
                "",
                d("2026-04-02"),
            )
            .unwrap(),
        ];
        assert_eq!(s.add_inspections(&staff, batch).await.unwrap(), 1);
        assert_eq!(
            overdue().await.value,
            Some(1.0),
            "{}: the board is inspected again",
            f.name
        );
    }
}

#[tokio::test]
async fn platforms_are_scoped_and_imports_are_all_or_nothing() {
    for f in fixtures().await {
        let s = &*f.store;
        let c = county(s).await;
        let a = scope_of(&c.town_a, &[Role::Staff]);
        let b = scope_of(&c.town_b, &[Role::Staff]);
        let today = d("2026-03-01");
        let mk = |unit: UnitId, name: &str| {
            NewPlatform::parse(unit, "微信群", name, "", None, "", "300", "", "", "", today).unwrap()
        };
        let e = s
            .import_platforms(&a, vec![mk(c.town_a.id, "一组群"), mk(c.town_b.id, "石桥群")])
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::NotFound), "{}: {e:?}", f.name);
        assert!(
            s.platforms(&a, &PlatformFilter::default()).await.unwrap().is_empty(),
            "{}",
            f.name
        );
        let n = s
            .import_platforms(&a, vec![mk(c.town_a.id, "一组群"), mk(c.village_a.id, "河口村群")])
            .await
            .unwrap();
        assert_eq!(n, 2);
        let mine = s.platforms(&a, &PlatformFilter::default()).await.unwrap();
        assert_eq!(mine.len(), 2, "{}", f.name);
        assert!(
            s.platforms(&b, &PlatformFilter::default()).await.unwrap().is_empty(),
            "{}",
            f.name
        );
        let e = s.platform(&b, mine[0].id).await.unwrap_err();
        assert!(matches!(e, StoreError::NotFound), "{}", f.name);
        let filtered = s
            .platforms(
                &a,
                &PlatformFilter {
                    name: Some("河口".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(filtered.len(), 1, "{}", f.name);
        // A leader reads but does not enter.
        let leader = scope_of(&c.town_a, &[Role::Leader]);
        let e = s.create_platform(&leader, mk(c.town_a.id, "x")).await.unwrap_err();
        assert!(matches!(e, StoreError::Forbidden), "{}", f.name);
        // The answerable person must belong to the unit.
        let mut p = mk(c.town_a.id, "y");
        p.answerable = Some(c.person_b.id);
        assert!(s.create_platform(&a, p).await.is_err(), "{}", f.name);
    }
}

#[tokio::test]
async fn teams_and_coverage_are_counted_as_facts() {
    for f in fixtures().await {
        let s = &*f.store;
        let c = county(s).await;
        let a = scope_of(&c.town_a, &[Role::Staff]);
        let today = d("2026-03-01");
        s.add_member(
            &a,
            NewMember::parse(c.town_a.id, "网评员", c.person_a.id, "2026-01-10", today).unwrap(),
        )
        .await
        .unwrap();
        let e = s
            .add_member(
                &a,
                NewMember::parse(c.town_a.id, "网评员", c.person_a.id, "2026-01-10", today).unwrap(),
            )
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Conflict(_)), "{}", f.name);
        let e = s
            .add_member(
                &a,
                NewMember::parse(c.town_a.id, "通讯员", c.person_b.id, "", today).unwrap(),
            )
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::NotFound), "{}: {e:?}", f.name);
        s.add_training(
            &a,
            NewTraining::parse(c.town_a.id, "", "2026-02-01", "通讯员写作培训", "3", "25", today).unwrap(),
        )
        .await
        .unwrap();
        for (level, date) in [("省", "2026-01-05"), ("县", "2026-02-05"), ("县", "2025-12-30")] {
            s.add_coverage(
                &a,
                NewCoverage::parse(c.town_a.id, "某报", level, date, "稿件", "", today).unwrap(),
            )
            .await
            .unwrap();
        }
        let year = DateRange::year(2026);
        let v = |key: &'static str| {
            let a = a.clone();
            async move { s.fact(&a, key, c.town_a.id, year).await.unwrap().value }
        };
        assert_eq!(v("team.members").await, Some(1.0), "{}", f.name);
        assert_eq!(v("team.trainings").await, Some(1.0), "{}", f.name);
        assert_eq!(v("media.coverage_all").await, Some(2.0), "{}", f.name);
        assert_eq!(v("media.coverage:县").await, Some(1.0), "{}", f.name);
        assert_eq!(v("media.coverage:中央").await, Some(0.0), "{}", f.name);
        assert!(s.fact(&a, "media.coverage:乡", c.town_a.id, year).await.is_err());
        // The county sees the town's figures; 石桥镇 does not.
        let county_scope = scope_of(&c.county, &[Role::Supervisor]);
        let all = s
            .fact(&county_scope, "media.coverage_all", c.county.id, year)
            .await
            .unwrap();
        assert_eq!(all.value, Some(2.0), "{}", f.name);
        let b = scope_of(&c.town_b, &[Role::Staff]);
        assert!(
            s.coverage(&b, d("2026-01-01"), d("2026-12-31"))
                .await
                .unwrap()
                .is_empty()
        );
    }
}
