//! A year of work-ledger records for the demo county, up to today: most units keep their
//! required meetings, some slip, so the requirement pages and the heat map tell a story.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use shoutu_domain::ledger::{ActivityInput, Catalogue, NewActivity};
use shoutu_domain::{PersonId, Scope, Unit, UnitKind};
use shoutu_store::Store;

const COMMITTEE_TOPICS: &[&str] = &[
    "传达学习习近平总书记重要讲话精神，研究部署近期重点工作",
    "学习贯彻党的二十届三中全会精神，研究本单位贯彻落实措施",
    "传达学习上级有关会议精神，研究安全生产和信访维稳工作",
    "学习《中国共产党纪律处分条例》，研究党风廉政建设工作",
    "传达学习全国两会精神，研究年度重点任务分解",
];

const STUDY_TOPICS: &[&str] = &[
    "习近平新时代中国特色社会主义思想专题学习",
    "学习贯彻党的二十大精神专题研讨",
    "铸牢中华民族共同体意识专题学习",
    "学习《习近平谈治国理政》第五卷",
];

const BRANCH_TOPICS: &[&str] = &[
    "重温入党誓词，学习党章",
    "开展志愿服务，清理环境卫生",
    "学习身边先进典型事迹",
    "开展党纪学习教育",
];

/// One unit whose ledger the demo fills: who may attend, and how diligent it is.
pub struct LedgerUnit {
    pub unit: Unit,
    pub members: Vec<PersonId>,
}

struct Writer<'a> {
    store: &'a dyn Store,
    scope: &'a Scope,
    catalogue: Catalogue,
    rng: ChaCha8Rng,
    today: chrono::NaiveDate,
    written: usize,
}

impl Writer<'_> {
    async fn record(
        &mut self,
        target: &LedgerUnit,
        kind: &str,
        month: u32,
        day: u32,
        topic: &str,
        flags: &[&str],
    ) -> anyhow::Result<()> {
        let Some(date) = chrono::NaiveDate::from_ymd_opt(chrono::Datelike::year(&self.today), month, day) else {
            return Ok(());
        };
        if date > self.today {
            return Ok(());
        }
        let mut participants: Vec<i64> = target.members.iter().map(|p| p.0).collect();
        let keep = participants.len().saturating_sub(self.rng.random_range(0..=2usize));
        participants.truncate(keep.max(participants.len().min(2)));
        let date_text = date.to_string();
        let others = self.rng.random_range(0..30).to_string();
        let input = ActivityInput {
            date: &date_text,
            topic,
            host: target.members.first().map(|p| p.0),
            participants,
            others: &others,
            summary: "会议按程序召开，形成会议记录，明确责任分工和完成时限。",
            extra: Default::default(),
            flags: flags.iter().map(|f| f.to_string()).collect(),
        };
        let kind = self
            .catalogue
            .get(kind)
            .expect("demo types exist in the shipped catalogue");
        let activity = NewActivity::parse(kind, target.unit.id, &input, self.today)?;
        self.store.create_activity(self.scope, activity, Vec::new()).await?;
        self.written += 1;
        Ok(())
    }
}

fn pick<'a>(rng: &mut ChaCha8Rng, list: &[&'a str]) -> &'a str {
    list[rng.random_range(0..list.len())]
}

/// Writes the records and returns how many.
pub async fn load(
    store: &dyn Store,
    scope: &Scope,
    rng: ChaCha8Rng,
    units: &[LedgerUnit],
    today: chrono::NaiveDate,
) -> anyhow::Result<usize> {
    let mut w = Writer {
        store,
        scope,
        catalogue: Catalogue::defaults(),
        rng,
        today,
        written: 0,
    };
    for target in units {
        // How reliably this unit keeps its calendar: a few slip noticeably.
        let diligence: f64 = w.rng.random_range(0.55..1.0);
        for month in 1..=12u32 {
            if target.unit.kind == UnitKind::PartyBranch {
                if w.rng.random_bool(diligence) {
                    let topic = pick(&mut w.rng, BRANCH_TOPICS);
                    w.record(target, "theme_party_day", month, 10, topic, &[]).await?;
                }
                if w.rng.random_bool(diligence) {
                    w.record(target, "branch_committee_meeting", month, 5, "研究支部近期工作", &[])
                        .await?;
                }
                if month % 3 == 0 && w.rng.random_bool(diligence) {
                    w.record(
                        target,
                        "branch_general_meeting",
                        month,
                        20,
                        "支部党员大会：通报工作，学习党规党纪",
                        &[],
                    )
                    .await?;
                }
                if month == 7 && w.rng.random_bool(diligence) {
                    w.record(
                        target,
                        "party_lecture",
                        month,
                        1,
                        "书记讲党课：坚定理想信念",
                        &["by_secretary"],
                    )
                    .await?;
                }
                continue;
            }
            for day in [8, 22] {
                if w.rng.random_bool(diligence) {
                    let topic = pick(&mut w.rng, COMMITTEE_TOPICS);
                    let ideology = day == 22 && month % 3 == 0 && w.rng.random_bool(diligence);
                    let flags: &[&str] = if ideology {
                        &["first_topic", "ideology_topic"]
                    } else {
                        &["first_topic"]
                    };
                    w.record(target, "committee_meeting", month, day, topic, flags).await?;
                }
            }
            if month % 3 == 2 && w.rng.random_bool(diligence) {
                let topic = pick(&mut w.rng, STUDY_TOPICS);
                w.record(target, "center_group", month, 15, topic, &["expanded"])
                    .await?;
            }
            if (month == 6 || month == 11) && w.rng.random_bool(diligence) {
                let topic = "分析研判意识形态领域形势，梳理风险点";
                w.record(target, "analysis_meeting", month, 12, topic, &[]).await?;
            }
            if month % 4 == 1 && w.rng.random_bool(diligence * 0.8) {
                w.record(target, "preaching", month, 18, "党的创新理论“进村入户”宣讲", &[])
                    .await?;
            }
        }
    }
    Ok(w.written)
}
