//! Demo 考核督查: the county's indicator system (the shipped default) for last year and this
//! year, last year's round scored and closed, this year's round open with some manual scores
//! still to enter, and inspections of five townships whose findings stand at every stage of
//! rectification (one closed, one awaiting acceptance, one under way and due soon, one not
//! started, one closed and reopened by a re-check).

use chrono::{Datelike, Duration, NaiveDate};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use shoutu_domain::assessment::indicator::DEFAULT_SYSTEM;
use shoutu_domain::assessment::{IndicatorSystem, NewManualScore, NewRound, Rule};
use shoutu_domain::attachment::NewAttachment;
use shoutu_domain::inspection::{NewFinding, NewInspection, Visit};
use shoutu_domain::rectification::Step;
use shoutu_domain::{Scope, Unit, UnitKind};
use shoutu_store::Store;

/// Where the demo keeps evidence files: the demo's default files folder.
const DEMO_FILES_DIR: &str = "shoutu-demo-files";

/// A 1×1 PNG standing in for a photo of the rectified notice board.
const PHOTO: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x04, 0x00, 0x00, 0x00, 0xb5, 0x1c, 0x0c, 0x02, 0x00, 0x00, 0x00, 0x0b, 0x49,
    0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x64, 0x60, 0x00, 0x00, 0x00, 0x06, 0x00, 0x02, 0x30, 0x81, 0xd0, 0x2f, 0x00,
    0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

const REASONS: &[&str] = &[
    "阵地管理规范，宣传栏内容及时更新",
    "舆情处置台账完整，研判记录齐全",
    "档案资料归档及时，个别记录缺少签字",
    "微信工作群管理员职责落实，个别群未定期清理",
    "新时代文明实践站活动开展正常",
];

/// (category, severity, problem, measures)
const FINDINGS: &[(&str, &str, &str, &str)] = &[
    (
        "阵地管理",
        "major",
        "镇政府门口宣传栏内容过期，未及时更新",
        "更新宣传栏内容，明确专人每月检查",
    ),
    (
        "档案资料",
        "minor",
        "分析研判会议记录不全，缺少问题清单",
        "补齐会议记录，按问题、责任、整改三张清单建档",
    ),
    (
        "舆情处置",
        "major",
        "舆情处置预案未根据人员调整及时修订",
        "修订舆情处置预案并组织学习",
    ),
    (
        "理论学习",
        "minor",
        "中心组学习研讨发言材料未归档",
        "收集整理发言材料并归档",
    ),
    (
        "阵地管理",
        "serious",
        "个别村微信工作群管理员已调离，群无人管理",
        "重新明确群管理员，清理群成员",
    ),
];

async fn score_by_hand(
    store: &dyn Store,
    scope: &Scope,
    rng: &mut ChaCha8Rng,
    round: i64,
    system: &IndicatorSystem,
    units: &[Unit],
    share: f64,
) -> anyhow::Result<()> {
    let manual: Vec<(&str, f64)> = system
        .leaves()
        .filter(|(_, r)| matches!(r, Rule::Manual))
        .map(|(i, _)| (i.code.as_str(), i.weight))
        .collect();
    for unit in units {
        if !rng.random_bool(share) {
            continue;
        }
        for (code, weight) in &manual {
            let score = (rng.random_range(0.6..1.0) * weight * 2.0).round() / 2.0;
            let reason = REASONS[rng.random_range(0..REASONS.len())];
            let s = NewManualScore::parse(system, unit.id, code, &score.to_string(), reason)?;
            store.set_manual_score(scope, round, s).await?;
        }
    }
    Ok(())
}

pub async fn load(
    store: &dyn Store,
    scope: &Scope,
    county: &Unit,
    mut rng: ChaCha8Rng,
    today: NaiveDate,
) -> anyhow::Result<()> {
    let year = today.year();
    let system = IndicatorSystem::from_toml(DEFAULT_SYSTEM)?;
    for y in [year - 1, year] {
        store.save_indicator_system(scope, county.id, y, DEFAULT_SYSTEM).await?;
    }
    let below: Vec<Unit> = store
        .unit_tree(scope)
        .await?
        .into_iter()
        .filter(|u| u.depth == 1)
        .collect();

    // Last year: scored by hand throughout, then closed.
    let last = store
        .open_round(scope, NewRound::parse(county.id, &(year - 1).to_string(), "year", "")?)
        .await?;
    score_by_hand(store, scope, &mut rng, last.id, &system, &below, 1.0).await?;
    store.close_round(scope, last.id).await?;

    // Inspections of five townships this year, each finding at another stage.
    let files = shoutu_web::files::FileStore::new(DEMO_FILES_DIR);
    let sha256 = files.save(PHOTO)?;
    let towns: Vec<&Unit> = below
        .iter()
        .filter(|u| matches!(u.kind, UnitKind::Town | UnitKind::Township | UnitKind::Subdistrict))
        .collect();
    for (n, town) in towns.iter().take(FINDINGS.len()).enumerate() {
        let visited =
            (today - Duration::days(40 - 6 * n as i64)).max(NaiveDate::from_ymd_opt(year, 1, 2).unwrap_or(today));
        let visited = visited.min(today);
        let kind = if n % 2 == 0 { "routine" } else { "unannounced" };
        let plan = NewInspection::parse(
            town.id,
            kind,
            &visited.to_string(),
            "意识形态工作责任制落实情况：阵地管理、舆情处置、学习研讨台账",
        )?;
        let inspection = store.create_inspection(scope, plan).await?;
        let visit = Visit::parse(
            &visited.to_string(),
            "听取汇报，查阅台账，实地查看宣传栏、新时代文明实践站和村级微信工作群",
            today,
        )?;
        store.record_visit(scope, inspection.id, visit).await?;
        let (category, severity, problem, measures) = FINDINGS[n];
        let deadline = match n {
            2 => today + Duration::days(3),
            _ => today + Duration::days(30),
        };
        let finding = store
            .add_finding(
                scope,
                inspection.id,
                NewFinding::parse(category, severity, problem)?,
                measures,
                deadline,
                "整改后的照片或文件",
            )
            .await?;
        let Some(item) = finding.rectification_id else { continue };
        if n == 3 {
            continue; // 待整改
        }
        store
            .rectification_step(scope, item, Step::Progress, "已召开专题会议部署整改")
            .await?;
        if n == 2 {
            continue; // 整改中, due soon
        }
        let photo = NewAttachment {
            sha256: sha256.clone(),
            size: PHOTO.len() as i64,
            media_type: "image/png".into(),
            file_name: "整改后照片.png".into(),
            record_type: "rectification",
            record_id: item,
        };
        store
            .add_rectification_evidence(scope, item, vec![photo], "整改完成")
            .await?;
        store
            .rectification_step(scope, item, Step::Submit, "已按要求整改，请验收")
            .await?;
        if n == 1 {
            continue; // 待验收
        }
        store
            .rectification_step(scope, item, Step::Accept, "经核查，整改到位")
            .await?;
        if n == 4 {
            store
                .rectification_step(scope, item, Step::Reopen, "复查发现部分村群仍无人管理")
                .await?;
        }
    }

    // This year: computed from the records so far, about half the units scored by hand.
    let current = store
        .open_round(scope, NewRound::parse(county.id, &year.to_string(), "year", "")?)
        .await?;
    score_by_hand(store, scope, &mut rng, current.id, &system, &below, 0.5).await?;
    Ok(())
}
