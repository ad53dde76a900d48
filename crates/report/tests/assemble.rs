//! Reports from records: each figure equals an independent count of the fixture records and
//! carries their ids; problems and next plans come from the data; a finalised report does
//! not change when records change later. On SQLite, and on PostgreSQL when SHOUTU_TEST_PG is set.

#[path = "../../store/tests/common/mod.rs"]
mod common;

use chrono::NaiveDate;
use common::*;
use shoutu_domain::fact::RecordRef;
use shoutu_domain::ledger::{ActivityInput, Catalogue, NewActivity, RequirementSet};
use shoutu_domain::plan::NewPlanItem;
use shoutu_domain::report::{Finalise, NewReport, ReportPeriod};
use shoutu_domain::{Role, Scope, Unit, UnitId};
use shoutu_report::model::{Cell, Report};
use shoutu_report::{Inputs, TemplateSet, assemble};
use shoutu_store::{ActivityFilter, Store};
use std::collections::BTreeMap;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn activity(unit: &Unit, kind: &str, date: NaiveDate, topic: &str, flags: &[&str]) -> NewActivity {
    let catalogue = Catalogue::defaults();
    let date = date.to_string();
    let input = ActivityInput {
        date: &date,
        topic,
        flags: flags.iter().map(|f| f.to_string()).collect(),
        ..Default::default()
    };
    NewActivity::parse(catalogue.get(kind).unwrap(), unit.id, &input, d(2026, 12, 31)).unwrap()
}

async fn annual(store: &dyn Store, scope: &Scope, unit: UnitId, prose: &BTreeMap<String, String>) -> Report {
    let templates = TemplateSet::shipped();
    let requirements = RequirementSet::defaults();
    assemble(Inputs {
        store,
        scope,
        template: templates.get("annual").unwrap(),
        unit,
        period: ReportPeriod::year(2025),
        requirements: &requirements,
        today: d(2026, 1, 10),
        prose,
    })
    .await
    .unwrap()
}

fn figure<'a>(r: &'a Report, key: &str, unit: UnitId) -> &'a shoutu_report::model::Figure {
    r.figures
        .iter()
        .find(|f| f.key == key && f.unit_id == unit)
        .unwrap_or_else(|| panic!("no figure {key}"))
}

#[tokio::test]
async fn figures_are_independent_counts_with_their_records_and_freeze_on_finalising() {
    for f in fixtures().await {
        let c = county(&*f.store).await;
        let a = scope_of(&c.town_a, &[Role::Staff]);
        let mut study = Vec::new();
        for (i, day) in [d(2025, 3, 5), d(2025, 6, 18)].into_iter().enumerate() {
            let s = f
                .store
                .create_activity(
                    &a,
                    activity(&c.town_a, "center_group", day, &format!("第{}次集体学习", i + 1), &[]),
                    vec![],
                )
                .await
                .unwrap();
            study.push(RecordRef::new("activity", s.id.0));
        }
        // Not counted: the wrong year.
        f.store
            .create_activity(
                &a,
                activity(&c.town_a, "center_group", d(2024, 12, 30), "去年的学习", &[]),
                vec![],
            )
            .await
            .unwrap();
        f.store
            .create_activity(
                &a,
                activity(
                    &c.town_a,
                    "committee_meeting",
                    d(2025, 4, 1),
                    "党委会",
                    &["ideology_topic"],
                ),
                vec![],
            )
            .await
            .unwrap();
        f.store
            .create_plan_item(
                &a,
                NewPlanItem {
                    unit_id: c.town_a.id,
                    year: 2026,
                    title: "开展意识形态工作专题培训".into(),
                    lead: None,
                    responsible_unit: c.town_a.id,
                    deadline: d(2026, 6, 30),
                    expected_output: "培训记录".into(),
                },
            )
            .await
            .unwrap();

        let report = annual(&*f.store, &a, c.town_a.id, &BTreeMap::new()).await;

        // The independent count: the ledger listing filtered by type and year.
        let listed = f
            .store
            .activities(
                &a,
                &ActivityFilter {
                    unit: Some(c.town_a.id),
                    include_subunits: true,
                    type_code: Some("center_group".into()),
                    from: Some(d(2025, 1, 1)),
                    until: Some(d(2025, 12, 31)),
                    ..Default::default()
                },
                page(),
            )
            .await
            .unwrap();
        let fig = figure(&report, "activity.type:center_group", c.town_a.id);
        assert_eq!(fig.value, Some(listed.total as f64), "{}", f.name);
        assert_eq!(fig.value, Some(2.0), "{}", f.name);
        let mut listed_ids: Vec<RecordRef> = listed
            .items
            .iter()
            .map(|x| RecordRef::new("activity", x.id.0))
            .collect();
        listed_ids.sort();
        assert_eq!(fig.evidence, listed_ids, "{}", f.name);
        assert_eq!(fig.evidence, study, "{}", f.name);

        let text = report.full_text();
        // The clause whose figure is zero is left out of the sentence and listed as a gap.
        assert!(text.contains("召开党委理论学习中心组学习2次。"), "{}: {text}", f.name);
        assert!(
            report.gaps.iter().any(|g| g.contains("专题研讨0次")),
            "{}: {:?}",
            f.name,
            report.gaps
        );
        assert!(report.title.contains("河口镇2025年"), "{}", f.name);
        assert_eq!(report.addressee, "中共云岭县委员会：", "{}", f.name);
        // No civility-practice records: the sentence is left out and listed as a gap.
        assert!(!text.contains("新时代文明实践和志愿服务活动"), "{}", f.name);
        assert!(report.gaps.iter().any(|g| g.contains("新时代文明实践")), "{}", f.name);
        // No 分析研判 in either half: proposed as a problem, with the periods and the rule.
        assert!(
            text.contains("意识形态领域形势分析研判未按要求开展：2025年上半年0次，2025年下半年0次"),
            "{}: {text}",
            f.name
        );
        // Next year's plan item.
        assert!(
            text.contains("1．开展意识形态工作专题培训（6月30日前完成，预期成果：培训记录）。"),
            "{}: {text}",
            f.name
        );
        // The roll-up table is written for counties, not for a town with villages below it.
        assert!(!text.contains("下级单位落实情况"), "{}", f.name);
        // Finalise: errors block unless a reason is written; then the figures are frozen.
        let stored = f
            .store
            .create_report(
                &a,
                NewReport {
                    unit_id: c.town_a.id,
                    kind: "annual".into(),
                    period: ReportPeriod::year(2025),
                    title: report.title.clone(),
                },
            )
            .await
            .unwrap();
        let refused = f
            .store
            .finalise_report(
                &a,
                stored.id,
                Finalise {
                    frozen: serde_json::to_string(&report).unwrap(),
                    figures: report.frozen_figures(),
                    override_reason: None,
                    errors: 2,
                },
            )
            .await;
        assert!(refused.is_err(), "{}: errors without a reason must block", f.name);
        let done = f
            .store
            .finalise_report(
                &a,
                stored.id,
                Finalise {
                    frozen: serde_json::to_string(&report).unwrap(),
                    figures: report.frozen_figures(),
                    override_reason: Some("“三会一课”为规范表述，审校误报".into()),
                    errors: 2,
                },
            )
            .await
            .unwrap();
        assert!(done.is_final(), "{}", f.name);

        f.store
            .create_activity(
                &a,
                activity(&c.town_a, "center_group", d(2025, 9, 9), "补录的学习", &[]),
                vec![],
            )
            .await
            .unwrap();
        let live = annual(&*f.store, &a, c.town_a.id, &BTreeMap::new()).await;
        assert_eq!(
            figure(&live, "activity.type:center_group", c.town_a.id).value,
            Some(3.0),
            "{}",
            f.name
        );

        let again = f.store.report(&a, stored.id).await.unwrap();
        let frozen: Report = serde_json::from_str(again.frozen.as_deref().unwrap()).unwrap();
        assert_eq!(
            figure(&frozen, "activity.type:center_group", c.town_a.id).value,
            Some(2.0),
            "{}",
            f.name
        );
        assert!(frozen.full_text().contains("中心组学习2次"), "{}", f.name);
        let figures = f.store.report_figures(&a, stored.id).await.unwrap();
        let frozen_fig = figures.iter().find(|x| x.key == "activity.type:center_group").unwrap();
        assert_eq!(frozen_fig.value, Some(2.0), "{}", f.name);
        assert_eq!(frozen_fig.evidence, study, "{}", f.name);
        // And a finalised report takes no more edits.
        assert!(
            f.store.save_report_prose(&a, stored.id, BTreeMap::new()).await.is_err(),
            "{}",
            f.name
        );
        // Another town cannot see it.
        let b = scope_of(&c.town_b, &[Role::Staff]);
        assert!(f.store.report(&b, stored.id).await.is_err(), "{}", f.name);
    }
}

#[tokio::test]
async fn a_county_report_ranks_the_units_below_and_names_those_short() {
    for f in fixtures().await {
        let c = county(&*f.store).await;
        let a = scope_of(&c.town_a, &[Role::Staff]);
        let b = scope_of(&c.town_b, &[Role::Staff]);
        for day in [d(2025, 2, 1), d(2025, 8, 1)] {
            f.store
                .create_activity(
                    &b,
                    activity(&c.town_b, "analysis_meeting", day, "分析研判", &[]),
                    vec![],
                )
                .await
                .unwrap();
        }
        f.store
            .create_activity(
                &a,
                activity(&c.town_a, "center_group", d(2025, 5, 1), "学习", &[]),
                vec![],
            )
            .await
            .unwrap();
        let county = scope_of(&c.county, &[Role::Supervisor]);
        let mut prose = BTreeMap::new();
        prose.insert(
            "阵地建设与管理".to_string(),
            "全县新建新时代文明实践站12个。".to_string(),
        );
        let report = annual(&*f.store, &county, c.county.id, &prose).await;
        let table = report
            .sections
            .iter()
            .find_map(|s| s.table.as_ref())
            .unwrap_or_else(|| panic!("{}: no roll-up table", f.name));
        let names: Vec<String> = table.rows.iter().map(|r| report.cell_text(&r[1])).collect();
        // Ranked by records: 石桥镇 (2) before 河口镇 (1) before the bureau (0); totals last.
        assert_eq!(
            names,
            ["石桥镇", "河口镇", "县文化和旅游局", "合计（含本级）"],
            "{}",
            f.name
        );
        let total = table.rows.last().unwrap();
        assert_eq!(report.cell_text(&total[2]), "3", "{}", f.name);
        if let Cell::Figure(i) = &table.rows[0][2] {
            assert_eq!(report.figures[*i].evidence.len(), 2, "{}", f.name);
        } else {
            panic!("a figure cell");
        }
        let text = report.full_text();
        assert!(text.contains("下级单位中有"), "{}: {text}", f.name);
        assert!(text.contains("河口镇（"), "{}: {text}", f.name);
        assert!(text.contains("全县新建新时代文明实践站12个。"), "{}", f.name);
        // The county has no superior in the tree: no addressee is invented.
        assert_eq!(report.addressee, "", "{}", f.name);
    }
}

#[tokio::test]
async fn every_shipped_kind_assembles_without_leftover_placeholders() {
    use shoutu_domain::report::PeriodKind;
    for f in fixtures().await {
        let c = county(&*f.store).await;
        let a = scope_of(&c.town_a, &[Role::Staff]);
        f.store
            .create_activity(
                &a,
                activity(&c.town_a, "center_group", d(2025, 5, 1), "学习", &[]),
                vec![],
            )
            .await
            .unwrap();
        let templates = TemplateSet::shipped();
        let requirements = RequirementSet::defaults();
        for t in &templates.templates {
            let part = if t.period_kind() == PeriodKind::Year { 0 } else { 1 };
            let report = assemble(Inputs {
                store: &*f.store,
                scope: &a,
                template: t,
                unit: c.town_a.id,
                period: ReportPeriod::of(t.period_kind(), 2025, part).unwrap(),
                requirements: &requirements,
                today: d(2026, 1, 10),
                prose: &BTreeMap::new(),
            })
            .await
            .unwrap();
            let text = report.full_text();
            assert!(
                !text.contains('{') && !text.contains('}'),
                "{} {}: {text}",
                f.name,
                t.kind
            );
            assert!(
                report.sections.iter().any(|s| s.heading.starts_with("一、")),
                "{} {}",
                f.name,
                t.kind
            );
            assert!(text.contains("河口镇"), "{} {}", f.name, t.kind);
        }
        let secretary = templates.get("secretary").unwrap();
        assert!(secretary.first_person);
    }
}
