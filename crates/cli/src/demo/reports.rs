//! Last year's ledger for the townships, bureaus and the county, so that the annual report
//! a township writes early in the year has figures, gaps and problems to show. Written in
//! one audited transaction: the demo must stay fast.

use super::ledger::LedgerUnit;
use chrono::{Datelike, NaiveDate};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use shoutu_domain::ledger::{ActivityInput, Catalogue, NewActivity};
use shoutu_domain::{Scope, UnitKind};
use shoutu_store::Store;

/// (type, month, day, topic, flags) a diligent unit keeps in a year.
const CALENDAR: &[(&str, u32, u32, &str, &[&str])] = &[
    (
        "committee_meeting",
        1,
        8,
        "传达学习上级会议精神，研究年度意识形态工作要点",
        &["first_topic", "ideology_topic"],
    ),
    (
        "center_group",
        2,
        15,
        "习近平新时代中国特色社会主义思想专题学习",
        &["expanded"],
    ),
    (
        "committee_meeting",
        3,
        8,
        "学习贯彻全国两会精神，研究年度重点任务分解",
        &["first_topic"],
    ),
    ("center_group", 5, 15, "学习贯彻党的二十大精神专题研讨", &[]),
    ("analysis_meeting", 6, 12, "上半年意识形态领域形势分析研判", &[]),
    ("preaching", 6, 18, "党的创新理论“进村入户”宣讲", &[]),
    (
        "committee_meeting",
        7,
        8,
        "专题研究意识形态工作，部署下半年重点任务",
        &["first_topic", "ideology_topic"],
    ),
    ("center_group", 8, 15, "铸牢中华民族共同体意识专题学习", &[]),
    ("civility_practice", 9, 20, "新时代文明实践志愿服务：人居环境整治", &[]),
    ("center_group", 11, 15, "学习贯彻党的二十届四中全会精神", &["expanded"]),
    ("analysis_meeting", 11, 12, "下半年意识形态领域形势分析研判", &[]),
    ("training", 12, 5, "意识形态工作专题培训", &[]),
];

pub async fn load(
    store: &dyn Store,
    scope: &Scope,
    mut rng: ChaCha8Rng,
    units: &[LedgerUnit],
    today: NaiveDate,
) -> anyhow::Result<usize> {
    let year = today.year() - 1;
    let year_end = NaiveDate::from_ymd_opt(year, 12, 31).expect("31 December exists");
    let catalogue = Catalogue::defaults();
    let mut batch = Vec::new();
    for target in units.iter().filter(|t| t.unit.kind != UnitKind::PartyBranch) {
        // Most keep the calendar; a few miss meetings, which the report lists as problems.
        let diligence: f64 = rng.random_range(0.6..1.0);
        for (kind, month, day, topic, flags) in CALENDAR {
            if !rng.random_bool(diligence) {
                continue;
            }
            let date = NaiveDate::from_ymd_opt(year, *month, *day)
                .expect("calendar days exist")
                .to_string();
            let others = rng.random_range(0..30).to_string();
            let input = ActivityInput {
                date: &date,
                topic,
                host: target.members.first().map(|p| p.0),
                participants: target.members.iter().map(|p| p.0).collect(),
                others: &others,
                summary: "按程序召开，形成记录，明确责任分工和完成时限。",
                extra: Default::default(),
                flags: flags.iter().map(|f| f.to_string()).collect(),
            };
            let kind = catalogue.get(kind).expect("demo types exist in the shipped catalogue");
            batch.push(NewActivity::parse(kind, target.unit.id, &input, year_end)?);
        }
    }
    Ok(store.import_activities(scope, batch).await?)
}
