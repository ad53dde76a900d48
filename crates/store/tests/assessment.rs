//! 考核、督查、整改 on both backends: rounds scored from facts, manual scores, freezing,
//! inspections whose findings become rectification items, and the rectification states.

mod common;
use common::*;

use chrono::{Duration, NaiveDate};
use shoutu_domain::assessment::{NewManualScore, NewRound, RoundState};
use shoutu_domain::attachment::NewAttachment;
use shoutu_domain::fact::DateRange;
use shoutu_domain::inspection::{NewFinding, NewInspection, Visit};
use shoutu_domain::rectification::{State, Step};
use shoutu_domain::{Clock, Role, UnitId};
use shoutu_store::{RectificationFilter, RoundSheet, StoreError};

const SYSTEM: &str = r#"
title = "测试指标"

[[indicator]]
code = "A"
name = "专题研究意识形态工作"
weight = 40
rule = { kind = "target", fact = "activity.type:committee_meeting", target = 2 }

[[indicator]]
code = "B"
name = "现场督查"
weight = 50
rule = { kind = "manual" }

[[indicator]]
code = "C"
name = "接受督查"
weight = 10
rule = { kind = "present", fact = "inspection.visits" }

[[indicator]]
code = "K"
name = "整改逾期扣分"
rule = { kind = "deduction", fact = "rectification.overdue", per = 5, cap = 10 }

[[indicator]]
code = "V"
name = "多项整改逾期"
rule = { kind = "veto", fact = "rectification.overdue", at_least = 2, cap_grade = "一般" }
"#;

fn score_of(sheet: &RoundSheet, unit: UnitId, code: &str) -> Option<f64> {
    sheet.result(unit).and_then(|r| r.item(code)).and_then(|i| i.score)
}

fn total_of(sheet: &RoundSheet, unit: UnitId) -> f64 {
    sheet.result(unit).unwrap().total
}

fn grade_of(sheet: &RoundSheet, unit: UnitId) -> String {
    sheet.round.grades.grades[sheet.result(unit).unwrap().grade]
        .name
        .clone()
}

fn evidence_file(record_id: i64) -> NewAttachment {
    NewAttachment {
        sha256: "ab".repeat(32),
        size: 10,
        media_type: "image/png".into(),
        file_name: "整改照片.png".into(),
        record_type: "rectification",
        record_id,
    }
}

fn today(f: &Fixture) -> NaiveDate {
    f.clock.now().date_naive()
}

#[tokio::test]
async fn a_round_scores_units_from_facts_and_freezes_on_close() {
    for f in fixtures().await {
        let s = &*f.store;
        let c = county(s).await;
        let ducha = scope_of(&c.county, &[Role::Supervisor]);
        let staff_a = scope_of(&c.town_a, &[Role::Staff]);

        // Bad weights: refused, nothing stored.
        let bad = SYSTEM.replace("weight = 50", "weight = 45");
        let e = s
            .save_indicator_system(&ducha, c.county.id, 2026, &bad)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("顶层指标分值之和为 95"), "{}: {e}", f.name);
        assert!(
            s.indicator_system(&ducha, c.county.id, 2026).await.unwrap().is_none(),
            "{}",
            f.name
        );
        // Staff cannot set indicators.
        assert!(matches!(
            s.save_indicator_system(&staff_a, c.town_a.id, 2026, SYSTEM).await,
            Err(StoreError::Forbidden)
        ));
        s.save_indicator_system(&ducha, c.county.id, 2026, SYSTEM)
            .await
            .unwrap();

        s.create_activity(&staff_a, meeting(&c, (2026, 2, 10), &[], vec![]), vec![])
            .await
            .unwrap();
        let new = NewRound::parse(c.county.id, "2026", "year", "").unwrap();
        let round = s.open_round(&ducha, new.clone()).await.unwrap();
        assert_eq!(round.state, RoundState::Open);
        let sheet = s.round_sheet(&ducha, round.id).await.unwrap();
        let scored: Vec<_> = sheet.units.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(scored, ["河口镇", "石桥镇", "县文化和旅游局"], "{}", f.name);
        assert_eq!(
            score_of(&sheet, c.town_a.id, "A"),
            Some(20.0),
            "{}: half the target",
            f.name
        );
        let cached = &sheet.facts[&("A".to_string(), c.town_a.id)];
        assert_eq!(cached.evidence.len(), 1, "{}", f.name);
        assert!(cached.evidence[0].starts_with("activity:"), "{}", f.name);
        assert_eq!(score_of(&sheet, c.town_b.id, "A"), Some(0.0), "{}", f.name);
        assert_eq!(
            score_of(&sheet, c.town_a.id, "B"),
            None,
            "{}: manual not yet scored",
            f.name
        );
        // A second round of the same period is refused.
        let e = s.open_round(&ducha, new).await.unwrap_err();
        assert!(e.to_string().contains("已经开启"), "{}: {e}", f.name);

        // A record entered later counts once the round is recomputed.
        s.create_activity(&staff_a, meeting(&c, (2026, 2, 20), &[], vec![]), vec![])
            .await
            .unwrap();
        let sheet = s.round_sheet(&ducha, round.id).await.unwrap();
        assert_eq!(
            score_of(&sheet, c.town_a.id, "A"),
            Some(20.0),
            "{}: cached until recomputed",
            f.name
        );
        s.recompute_round(&ducha, round.id).await.unwrap();
        let sheet = s.round_sheet(&ducha, round.id).await.unwrap();
        assert_eq!(score_of(&sheet, c.town_a.id, "A"), Some(40.0), "{}", f.name);

        // Manual scores: range, reason, scope.
        let sys = &sheet.round.system;
        let e = NewManualScore::parse(sys, c.town_a.id, "B", "51", "现场检查规范").unwrap_err();
        assert!(e.message.contains("0～50"), "{}: {e}", f.name);
        let e = NewManualScore::parse(sys, c.town_a.id, "B", "45", "").unwrap_err();
        assert_eq!(e.field, "评分理由");
        let ok = NewManualScore::parse(sys, c.town_a.id, "B", "45", "阵地管理规范，档案齐全").unwrap();
        let town_supervisor = scope_of(&c.town_a, &[Role::Supervisor]);
        assert!(
            matches!(
                s.set_manual_score(&town_supervisor, round.id, ok.clone()).await,
                Err(StoreError::NotFound)
            ),
            "{}: a round outside the scope",
            f.name
        );
        let village = NewManualScore {
            unit_id: c.village_a.id,
            ..ok.clone()
        };
        assert!(
            matches!(
                s.set_manual_score(&ducha, round.id, village).await,
                Err(StoreError::NotFound)
            ),
            "{}: not a unit this round scores",
            f.name
        );
        assert!(matches!(
            s.set_manual_score(&staff_a, round.id, ok.clone()).await,
            Err(StoreError::NotFound | StoreError::Forbidden)
        ));
        s.set_manual_score(&ducha, round.id, ok).await.unwrap();

        let sheet = s.round_sheet(&ducha, round.id).await.unwrap();
        assert_eq!(total_of(&sheet, c.town_a.id), 85.0, "{}", f.name);
        assert_eq!(grade_of(&sheet, c.town_a.id), "较好", "{}", f.name);
        assert_eq!(grade_of(&sheet, c.town_b.id), "差", "{}", f.name);
        let ranks: Vec<usize> = [c.town_a.id, c.town_b.id, c.bureau.id]
            .iter()
            .map(|u| sheet.result(*u).unwrap().rank)
            .collect();
        assert_eq!(ranks, [1, 2, 2], "{}: equal totals share a rank", f.name);

        // Closing freezes: no recompute, no manual score, the sheet stays as it was.
        let closed = s.close_round(&ducha, round.id).await.unwrap();
        assert_eq!(closed.state, RoundState::Closed);
        s.create_activity(&staff_a, meeting(&c, (2026, 2, 25), &[], vec![]), vec![])
            .await
            .unwrap();
        let e = s.recompute_round(&ducha, round.id).await.unwrap_err();
        assert!(e.to_string().contains("已固定"), "{}: {e}", f.name);
        let again = NewManualScore::parse(&sheet.round.system, c.town_b.id, "B", "30", "补评").unwrap();
        assert!(s.set_manual_score(&ducha, round.id, again).await.is_err(), "{}", f.name);
        let photo = NewAttachment {
            record_type: "assessment_score",
            record_id: round.id,
            ..evidence_file(round.id)
        };
        let e = s
            .add_score_evidence(&ducha, round.id, c.town_a.id, vec![photo])
            .await
            .unwrap_err();
        assert!(e.to_string().contains("已固定"), "{}: {e}", f.name);
        let frozen = s.round_sheet(&ducha, round.id).await.unwrap();
        assert_eq!(total_of(&frozen, c.town_a.id), 85.0, "{}", f.name);
        assert_eq!(frozen.facts, sheet.facts, "{}", f.name);

        // Town A's staff do not see the county's rounds.
        assert!(s.rounds(&staff_a).await.unwrap().is_empty(), "{}", f.name);
        assert_eq!(s.rounds(&ducha).await.unwrap().len(), 1, "{}", f.name);
    }
}

#[tokio::test]
async fn findings_become_rectification_items_closed_only_with_evidence() {
    for f in fixtures().await {
        let s = &*f.store;
        let c = county(s).await;
        let ducha = scope_of(&c.county, &[Role::Supervisor]);
        let staff_b = scope_of(&c.town_b, &[Role::Staff]);
        s.save_indicator_system(&ducha, c.county.id, 2026, SYSTEM)
            .await
            .unwrap();

        let plan = NewInspection::parse(c.town_b.id, "unannounced", "2026-03-01", "意识形态阵地管理").unwrap();
        let e = s.create_inspection(&staff_b, plan.clone()).await.unwrap_err();
        assert!(matches!(e, StoreError::Forbidden), "{}: {e}", f.name);
        let insp = s.create_inspection(&ducha, plan).await.unwrap();
        let finding = NewFinding::parse("阵地管理", "major", "宣传栏内容未及时更新").unwrap();
        let deadline = today(&f) + Duration::days(10);
        let e = s
            .add_finding(&ducha, insp.id, finding.clone(), "更新宣传栏", deadline, "更新后的照片")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("督查记录"), "{}: {e}", f.name);
        let visit = Visit::parse("2026-03-01", "查看宣传栏和微信群", today(&f)).unwrap();
        s.record_visit(&ducha, insp.id, visit).await.unwrap();
        let found = s
            .add_finding(&ducha, insp.id, finding.clone(), "更新宣传栏", deadline, "更新后的照片")
            .await
            .unwrap();
        let item_id = found.rectification_id.expect("a finding becomes a rectification item");
        let item = s.rectification(&staff_b, item_id).await.unwrap();
        assert_eq!(item.state, State::Pending, "{}", f.name);
        assert_eq!(item.owner_unit_id, c.town_b.id);
        // Town A sees neither the inspection nor the item.
        let staff_a = scope_of(&c.town_a, &[Role::Staff]);
        assert!(matches!(
            s.rectification(&staff_a, item_id).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            s.inspection(&staff_a, insp.id).await,
            Err(StoreError::NotFound)
        ));

        // Closing without evidence is refused; so is submitting.
        let e = s
            .rectification_step(&ducha, item_id, Step::Accept, "")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("没有整改佐证材料"), "{}: {e}", f.name);
        let e = s
            .rectification_step(&staff_b, item_id, Step::Submit, "")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("佐证"), "{}: {e}", f.name);
        // The owner cannot accept its own item; the inspector cannot report its progress.
        assert!(matches!(
            s.rectification_step(&staff_b, item_id, Step::Accept, "").await,
            Err(StoreError::Forbidden)
        ));
        assert!(matches!(
            s.rectification_step(&ducha, item_id, Step::Progress, "").await,
            Err(StoreError::Forbidden)
        ));
        let item = s
            .rectification_step(&staff_b, item_id, Step::Progress, "已联系广告公司")
            .await
            .unwrap();
        assert_eq!(item.state, State::InProgress);

        // Overdue is computed against the clock and counts in facts and deductions.
        let range = DateRange::year(2026);
        let overdue = s
            .fact(&ducha, "rectification.overdue", c.town_b.id, range)
            .await
            .unwrap();
        assert_eq!(overdue.value, Some(0.0), "{}", f.name);
        f.clock.advance(Duration::days(11));
        assert!(item.overdue(today(&f)), "{}", f.name);
        let overdue = s
            .fact(&ducha, "rectification.overdue", c.town_b.id, range)
            .await
            .unwrap();
        assert_eq!(overdue.value, Some(1.0), "{}", f.name);
        assert_eq!(
            s.rectifications(
                &ducha,
                &RectificationFilter {
                    overdue: true,
                    ..Default::default()
                }
            )
            .await
            .unwrap()
            .len(),
            1,
            "{}",
            f.name
        );
        let round = s
            .open_round(&ducha, NewRound::parse(c.county.id, "2026", "h1", "").unwrap())
            .await
            .unwrap();
        let sheet = s.round_sheet(&ducha, round.id).await.unwrap();
        assert_eq!(score_of(&sheet, c.town_b.id, "K"), Some(-5.0), "{}", f.name);
        assert_eq!(score_of(&sheet, c.town_b.id, "C"), Some(10.0), "{}: one visit", f.name);
        assert_eq!(total_of(&sheet, c.town_b.id), 5.0, "{}", f.name);
        assert!(sheet.result(c.town_b.id).unwrap().vetoes.is_empty(), "{}", f.name);

        // A second overdue item fires the veto: the grade is capped even with a high score.
        let second = NewFinding::parse("档案资料", "minor", "研判记录不全").unwrap();
        s.add_finding(&ducha, insp.id, second, "补齐记录", today(&f) + Duration::days(1), "")
            .await
            .unwrap();
        f.clock.advance(Duration::days(2));
        s.recompute_round(&ducha, round.id).await.unwrap();
        let manual = NewManualScore::parse(&sheet.round.system, c.town_b.id, "B", "50", "现场整改态度好").unwrap();
        s.set_manual_score(&ducha, round.id, manual).await.unwrap();
        let sheet = s.round_sheet(&ducha, round.id).await.unwrap();
        assert_eq!(total_of(&sheet, c.town_b.id), 50.0, "{}: 50 + 10 − 10", f.name);
        assert_eq!(
            sheet.result(c.town_b.id).unwrap().vetoes,
            vec!["V".to_string()],
            "{}",
            f.name
        );
        assert_eq!(
            grade_of(&sheet, c.town_b.id),
            "差",
            "{}: a veto never lifts a grade",
            f.name
        );

        // Evidence, submit, accept.
        let e = s
            .add_rectification_evidence(&ducha, item_id, vec![evidence_file(item_id)], "")
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Forbidden), "{}: {e}", f.name);
        s.add_rectification_evidence(&staff_b, item_id, vec![evidence_file(item_id)], "已更新")
            .await
            .unwrap();
        let item = s
            .rectification_step(&staff_b, item_id, Step::Submit, "请验收")
            .await
            .unwrap();
        assert_eq!(item.state, State::Submitted);
        assert_eq!(item.evidence, 1);
        let item = s
            .rectification_step(&ducha, item_id, Step::Return, "照片不清晰")
            .await
            .unwrap();
        assert_eq!(item.state, State::InProgress);
        s.rectification_step(&staff_b, item_id, Step::Submit, "已补充")
            .await
            .unwrap();
        let item = s
            .rectification_step(&ducha, item_id, Step::Accept, "已核实")
            .await
            .unwrap();
        assert_eq!(item.state, State::Closed, "{}", f.name);
        assert_eq!(item.closed_on, Some(today(&f)));
        let rate = s
            .fact(&ducha, "rectification.closed_rate", c.town_b.id, range)
            .await
            .unwrap();
        assert_eq!(rate.value, Some(50.0), "{}: one of two closed", f.name);

        // A later re-check reopens it, keeping the history.
        let item = s
            .rectification_step(&ducha, item_id, Step::Reopen, "复查发现反弹")
            .await
            .unwrap();
        assert_eq!(item.state, State::InProgress);
        assert_eq!(item.closed_on, None);
        let steps: Vec<&str> = item.events.iter().map(|e| e.step.as_str()).collect();
        assert_eq!(
            steps,
            [
                "交办",
                "报送进展",
                "上传佐证",
                "提请验收",
                "退回整改",
                "提请验收",
                "验收销号",
                "复查重新打开"
            ],
            "{}",
            f.name
        );
        let findings = s.fact(&ducha, "inspection.findings", c.town_b.id, range).await.unwrap();
        assert_eq!(findings.value, Some(2.0), "{}", f.name);
        assert_eq!(
            s.rectifications(
                &staff_b,
                &RectificationFilter {
                    state: Some(State::InProgress),
                    ..Default::default()
                }
            )
            .await
            .unwrap()
            .len(),
            1,
            "{}",
            f.name
        );
    }
}

#[tokio::test]
async fn platform_use_cannot_be_scored() {
    for f in fixtures().await {
        let s = &*f.store;
        let c = county(s).await;
        let ducha = scope_of(&c.county, &[Role::Supervisor]);
        let bad = SYSTEM.replace("inspection.visits", "activity.type:study_points");
        let e = s
            .save_indicator_system(&ducha, c.county.id, 2026, &bad)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("指尖上的形式主义"), "{}: {e}", f.name);
        let circular = SYSTEM.replace("code = \"C\"", "code = \"C\"\nparent = \"C\"");
        let e = s
            .save_indicator_system(&ducha, c.county.id, 2026, &circular)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("循环"), "{}: {e}", f.name);
        assert!(s.indicator_system(&ducha, c.county.id, 2026).await.unwrap().is_none());
    }
}

#[tokio::test]
async fn items_also_come_from_meetings_and_stay_in_scope() {
    use shoutu_domain::rectification::{NewRectification, Source};
    for f in fixtures().await {
        let s = &*f.store;
        let c = county(s).await;
        let ducha = scope_of(&c.county, &[Role::Supervisor]);
        let staff_a = scope_of(&c.town_a, &[Role::Staff]);
        let meeting = s
            .create_activity(&staff_a, meeting(&c, (2026, 2, 10), &[], vec![]), vec![])
            .await
            .unwrap();
        let deadline = (today(&f) + Duration::days(5)).to_string();
        let item = NewRectification::parse(
            c.village_a.id,
            Source::Meeting,
            meeting.id.0,
            "村级微信群管理员未落实",
            "明确管理员",
            &deadline,
            "管理员名单",
            today(&f),
        )
        .unwrap();
        // Only the supervising side issues items, and only to units in its scope.
        assert!(matches!(
            s.create_rectification(&staff_a, item.clone()).await,
            Err(StoreError::Forbidden)
        ));
        let town_b_supervisor = scope_of(&c.town_b, &[Role::Supervisor]);
        assert!(matches!(
            s.create_rectification(&town_b_supervisor, item.clone()).await,
            Err(StoreError::NotFound)
        ));
        let created = s.create_rectification(&ducha, item).await.unwrap();
        assert_eq!(created.source, Source::Meeting);
        assert_eq!(created.issuer_unit_id, c.county.id);
        assert!(created.due_soon(today(&f)), "{}", f.name);
        // The village's town sees it; the other town does not.
        assert_eq!(s.rectification(&staff_a, created.id).await.unwrap().id, created.id);
        let staff_b = scope_of(&c.town_b, &[Role::Staff]);
        assert!(
            s.rectifications(&staff_b, &RectificationFilter::default())
                .await
                .unwrap()
                .is_empty()
        );
        let items = s
            .fact(&ducha, "rectification.items", c.town_a.id, DateRange::year(2026))
            .await
            .unwrap();
        assert_eq!(items.value, Some(1.0), "{}: rolled up from the village", f.name);
        // A deadline in the past is refused.
        let e = NewRectification::parse(
            c.village_a.id,
            Source::Meeting,
            meeting.id.0,
            "过期",
            "",
            "2026-01-01",
            "",
            today(&f),
        )
        .unwrap_err();
        assert_eq!(e.field, "整改时限");
    }
}

#[tokio::test]
async fn a_plan_for_several_units_is_stored_whole_or_not_at_all() {
    for f in fixtures().await {
        let s = &*f.store;
        let c = county(s).await;
        let town_a_supervisor = scope_of(&c.town_a, &[Role::Supervisor]);
        let plan = |unit| NewInspection::parse(unit, "routine", "2026-03-05", "阵地管理").unwrap();
        // The second unit lies outside town A: nothing is stored.
        let e = s
            .create_inspections(&town_a_supervisor, vec![plan(c.village_a.id), plan(c.village_b.id)])
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::NotFound), "{}: {e}", f.name);
        assert!(
            s.inspections(&town_a_supervisor).await.unwrap().is_empty(),
            "{}",
            f.name
        );
        let ducha = scope_of(&c.county, &[Role::Supervisor]);
        let ids = s
            .create_inspections(&ducha, vec![plan(c.town_a.id), plan(c.town_b.id), plan(c.bureau.id)])
            .await
            .unwrap();
        assert_eq!(ids.len(), 3, "{}", f.name);
        // Each inspected unit sees its own inspection only.
        let staff_b = scope_of(&c.town_b, &[Role::Staff]);
        let seen = s.inspections(&staff_b).await.unwrap();
        assert_eq!(seen.len(), 1, "{}", f.name);
        assert_eq!(seen[0].target_unit_id, c.town_b.id);
    }
}
