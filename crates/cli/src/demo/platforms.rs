//! Demo 阵地管理: every township's public account, chat groups, bulletin boards, culture
//! station and 新时代文明实践所/站 with their inspections (some overdue); teams with trainings
//! and contributions; media coverage across levels; and drafts in every review state, some
//! published, with reviewers assigned (初审 tNNreview, 复审 tNNreview2, 终审 tNNleader).

use chrono::{Duration, NaiveDate};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use shoutu_domain::coverage::NewCoverage;
use shoutu_domain::platform::{NewInspection, NewPlatform, PlatformKind, PlatformRules};
use shoutu_domain::review::{LintFinding, NewDraft, Stage, Step};
use shoutu_domain::team::{CONTRIBUTION_KINDS, NewContribution, NewMember, NewTraining};
use shoutu_domain::{PageRequest, Person, Scope, Unit, UnitKind};
use shoutu_store::{PeopleFilter, Store};
use shoutu_text::proofread::{Checker, Severity};

const OUTLETS: [(&str, &str); 8] = [
    ("人民日报", "中央"),
    ("学习强国", "中央"),
    ("云南日报", "省"),
    ("云南网", "省"),
    ("普洱日报", "市"),
    ("普洱广播电视台", "市"),
    ("云岭县融媒体中心", "县"),
    ("云岭发布", "县"),
];

async fn people(store: &dyn Store, scope: &Scope, unit: &Unit) -> anyhow::Result<Vec<Person>> {
    let filter = PeopleFilter {
        unit: Some(unit.id),
        include_subunits: false,
        name: None,
    };
    Ok(store
        .people(scope, &filter, PageRequest::new(None, Some(200)))
        .await?
        .items)
}

async fn user_scope(store: &dyn Store, console: &Scope, unit: &Unit, username: &str) -> anyhow::Result<Scope> {
    let u = store.user_by_username(console, username).await?;
    Ok(Scope::new(unit.id, u.roles.clone(), Some(u.id), u.person_name))
}

fn findings(checker: &Checker, text: &str) -> Vec<LintFinding> {
    checker
        .check_text(text)
        .into_iter()
        .map(|f| LintFinding {
            error: f.severity == Severity::Error,
            rule: f.rule,
            start: f.start,
            end: f.end,
            text: f.text,
            message: f.message,
            suggestion: f.suggestion.unwrap_or_default(),
        })
        .collect()
}

fn days_ago(today: NaiveDate, n: i64) -> NaiveDate {
    today - Duration::days(n)
}

pub async fn load(store: &dyn Store, console: &Scope, mut rng: ChaCha8Rng, today: NaiveDate) -> anyhow::Result<()> {
    let tree = store.unit_tree(console).await?;
    let rules = PlatformRules::defaults();
    let checker = Checker::new();
    let towns: Vec<&Unit> = tree
        .iter()
        .filter(|u| u.depth == 1 && matches!(u.kind, UnitKind::Town | UnitKind::Township | UnitKind::Subdistrict))
        .collect();
    let year_start = NaiveDate::from_ymd_opt(chrono::Datelike::year(&today), 1, 1).expect("a valid date");
    for (t, town) in towns.iter().enumerate() {
        let n = t + 1;
        let staff_people = people(store, console, town).await?;
        let villages: Vec<&Unit> = tree
            .iter()
            .filter(|u| u.parent_id == Some(town.id) && matches!(u.kind, UnitKind::Village | UnitKind::Community))
            .take(4)
            .collect();
        let answerable = staff_people
            .iter()
            .find(|p| p.post.contains("宣传委员"))
            .or(staff_people.first());

        // ---- platforms ----
        let mut new = Vec::new();
        let registered = |rng: &mut ChaCha8Rng| days_ago(today, rng.random_range(200..700)).to_string();
        let town_platforms: [(PlatformKind, String, String); 5] = [
            (
                PlatformKind::WechatMp,
                format!("{}发布", town.name),
                format!("gh_yl{n:02}fb"),
            ),
            (
                PlatformKind::ShortVideo,
                format!("{}视频号", town.name),
                format!("yl{n:02}sph"),
            ),
            (
                PlatformKind::Bulletin,
                format!("{}政务公开栏", town.name),
                "政府大院门口".into(),
            ),
            (
                PlatformKind::CultureStation,
                format!("{}综合文化服务中心", town.name),
                "集镇文化广场".into(),
            ),
            (
                PlatformKind::CivilizationStation,
                format!("{}新时代文明实践所", town.name),
                "党群服务中心二楼".into(),
            ),
        ];
        for (kind, name, account) in town_platforms {
            let members = if kind.is_online() {
                rng.random_range(800..12000).to_string()
            } else {
                String::new()
            };
            let filing = if kind == PlatformKind::WechatMp {
                "已备案"
            } else {
                "无需备案"
            };
            new.push(NewPlatform::parse(
                town.id,
                kind.code(),
                &name,
                &account,
                answerable.map(|p| p.id),
                answerable.map_or("", |p| p.name.as_str()),
                &members,
                filing,
                &registered(&mut rng),
                "",
                today,
            )?);
        }
        for village in &villages {
            let vp = people(store, console, village).await?;
            let head = vp.first();
            let short = village.name.as_str();
            for (kind, name, account) in [
                (
                    PlatformKind::ChatGroup,
                    format!("{short}村民群"),
                    format!("微信群 {}", rng.random_range(100000..999999)),
                ),
                (
                    PlatformKind::ChatGroup,
                    format!("{short}党员群"),
                    format!("微信群 {}", rng.random_range(100000..999999)),
                ),
                (
                    PlatformKind::Bulletin,
                    format!("{short}村务公开栏"),
                    "村委会门口".into(),
                ),
                (
                    PlatformKind::CivilizationStation,
                    format!("{short}新时代文明实践站"),
                    "村党群服务中心".into(),
                ),
            ] {
                let members = if kind == PlatformKind::ChatGroup {
                    rng.random_range(40..480).to_string()
                } else {
                    String::new()
                };
                new.push(NewPlatform::parse(
                    village.id,
                    kind.code(),
                    &name,
                    &account,
                    head.map(|p| p.id),
                    head.map_or("", |p| p.name.as_str()),
                    &members,
                    "无需备案",
                    &registered(&mut rng),
                    "",
                    today,
                )?);
            }
        }
        store.import_platforms(console, new).await?;
        let filter = shoutu_store::PlatformFilter {
            unit: Some(town.id),
            ..Default::default()
        };
        let mut inspections = Vec::new();
        for p in store.platforms(console, &filter).await? {
            let interval = rules.interval_days(p.kind);
            // About one platform in six has slipped: its last inspection is past the interval.
            let last = if rng.random_bool(0.16) {
                days_ago(today, interval + rng.random_range(3..50))
            } else {
                days_ago(today, rng.random_range(0..interval))
            };
            for date in [last - Duration::days(interval - rng.random_range(0..5)), last] {
                if date < p.registered_on {
                    continue;
                }
                let cleaned = p.kind == PlatformKind::ChatGroup;
                let inspector = p.answerable_name.clone().unwrap_or_else(|| "值班人员".into());
                let note = if cleaned && rng.random_bool(0.3) {
                    format!(
                        "清退非本村人员 {} 人，删除广告信息 {} 条",
                        rng.random_range(1..6),
                        rng.random_range(1..4)
                    )
                } else {
                    "未发现问题".into()
                };
                inspections.push(NewInspection::parse(
                    p.id,
                    &date.to_string(),
                    &inspector,
                    cleaned,
                    cleaned,
                    true,
                    &note,
                    today,
                )?);
            }
        }
        store.add_inspections(console, inspections).await?;

        // ---- teams ----
        let mut candidates: Vec<(Unit, Person)> = staff_people.iter().map(|p| ((*town).clone(), p.clone())).collect();
        for village in &villages {
            for p in people(store, console, village).await?.into_iter().take(2) {
                candidates.push(((*village).clone(), p));
            }
        }
        let teams = ["通讯员", "通讯员", "网评员", "网评员", "舆情信息员", "网评员", "通讯员"];
        let mut members = Vec::new();
        for (i, (unit, person)) in candidates.iter().enumerate().take(teams.len()) {
            let joined = days_ago(today, rng.random_range(100..900)).to_string();
            let m = store
                .add_member(console, NewMember::parse(unit.id, teams[i], person.id, &joined, today)?)
                .await?;
            members.push(m);
        }
        for m in &members {
            for _ in 0..rng.random_range(0..4) {
                let date = days_ago(today, rng.random_range(0..200)).max(m.joined_on);
                let kind = CONTRIBUTION_KINDS[rng.random_range(0..CONTRIBUTION_KINDS.len())];
                let title = match kind {
                    "稿件" => format!("{}开展“学习二十届四中全会精神”宣讲", town.name),
                    "网评" => "转发评论：乡村振兴见实效".to_string(),
                    _ => format!("{}群众关注道路维修进度", town.name),
                };
                store
                    .add_contribution(
                        console,
                        NewContribution::parse(m.id, &date.to_string(), kind, &title, "", today)?,
                    )
                    .await?;
            }
        }
        for (title, kind) in [("通讯员新闻写作培训", "通讯员"), ("网评员、舆情信息员业务培训", "")]
        {
            let date = days_ago(today, rng.random_range(10..280)).max(year_start).min(today);
            store
                .add_training(
                    console,
                    NewTraining::parse(
                        town.id,
                        kind,
                        &date.to_string(),
                        &format!("{}{title}", town.name),
                        &rng.random_range(2..7).to_string(),
                        &rng.random_range(12..45).to_string(),
                        today,
                    )?,
                )
                .await?;
        }

        // ---- media coverage ----
        for _ in 0..rng.random_range(2..8) {
            let (outlet, level) = OUTLETS[rng.random_range(0..OUTLETS.len())];
            let date = days_ago(today, rng.random_range(0..300)).max(year_start).min(today);
            let topic = [
                "党的创新理论宣讲进村入户",
                "新时代文明实践志愿服务",
                "乡村振兴产业发展",
                "移风易俗新风尚",
            ][rng.random_range(0..4)];
            store
                .add_coverage(
                    console,
                    NewCoverage::parse(
                        town.id,
                        outlet,
                        level,
                        &date.to_string(),
                        &format!("{}：{topic}", town.name),
                        "",
                        today,
                    )?,
                )
                .await?;
        }

        // ---- reviewers and drafts ----
        let first = store.user_by_username(console, &format!("t{n:02}review")).await?;
        let second = store.user_by_username(console, &format!("t{n:02}review2")).await?;
        let last = store.user_by_username(console, &format!("t{n:02}leader")).await?;
        for (stage, user) in [(Stage::First, &first), (Stage::Second, &second), (Stage::Final, &last)] {
            store.assign_reviewer(console, town.id, stage, user.id).await?;
        }
        let author = user_scope(store, console, town, &format!("t{n:02}")).await?;
        let r1 = user_scope(store, console, town, &format!("t{n:02}review")).await?;
        let r2 = user_scope(store, console, town, &format!("t{n:02}review2")).await?;
        let r3 = user_scope(store, console, town, &format!("t{n:02}leader")).await?;
        let account = store
            .platforms(
                console,
                &shoutu_store::PlatformFilter {
                    unit: Some(town.id),
                    kind: Some(PlatformKind::WechatMp),
                    name: None,
                },
            )
            .await?;
        let targets: Vec<i64> = account.iter().map(|p| p.id).collect();
        let name = &town.name;
        // (title, body, how far it gets: 0 草稿, 1 初审, 2 复审, 3 终审, 5 published; 9 returned)
        let drafts: [(String, String, u8); 6] = [
            (
                format!("{name}召开意识形态工作专题会议"),
                format!(
                    "近日，{name}党委召开意识形态工作专题会议，传达学习上级有关文件精神，分析研判当前意识形态领域形势，部署下一阶段重点工作。"
                ),
                5,
            ),
            (
                format!("{name}开展新时代文明实践志愿服务活动"),
                "XX镇新时代文明实践所组织志愿者深入各村开展政策宣讲、义诊和环境整治等志愿服务活动，受到群众欢迎。"
                    .to_string(),
                5,
            ),
            (
                format!("{name}推进移风易俗工作"),
                format!("{name}通过修订村规民约、成立红白理事会等方式，持续推进移风易俗，倡导文明新风。"),
                3,
            ),
            (
                format!("{name}举办理论宣讲骨干培训班"),
                format!("{name}举办理论宣讲骨干培训班，各村（社区）宣讲骨干参加培训，进一步提升基层理论宣讲能力。"),
                2,
            ),
            (
                format!("{name}党员冬训工作动员部署"),
                "XX镇召开党员冬训工作动员部署会，共有**多人参加。会议要求各支部精心组织、务求实效。".to_string(),
                1,
            ),
            (
                format!("{name}召开网格员业务培训会"),
                format!("{name}召开网格员业务培训会，就网格巡查、信息上报等工作进行培训。"),
                9,
            ),
        ];
        for (title, body, reach) in drafts {
            let draft = NewDraft::parse(town.id, &title, &body, targets.clone())?;
            let found = findings(&checker, &draft.body);
            let id = store.create_draft(&author, draft, found, vec![]).await?.id;
            if reach == 0 {
                continue;
            }
            store.review_step(&author, id, Step::Submit).await?;
            if reach == 9 {
                let comment = Step::Return {
                    comment: "请补充培训人数和具体成效".into(),
                };
                store.review_step(&r1, id, comment).await?;
                continue;
            }
            if body.contains("XX镇") && reach >= 2 {
                // 一校: the author fills in the town's name.
                let fixed = body.replace("XX镇", name);
                store
                    .proofread(&author, id, &fixed, "补全单位名称", findings(&checker, &fixed))
                    .await?;
            }
            for (stage_reach, reviewer) in [(2u8, &r1), (3, &r2), (4, &r3)] {
                if reach < stage_reach {
                    break;
                }
                if stage_reach >= 3 {
                    // Whatever the proofreader still calls an error was checked by the reviewer.
                    let open = store.draft(reviewer, id).await?;
                    for f in open.unresolved() {
                        store
                            .override_finding(reviewer, id, &f.rule, &f.text, "经核实原文无误，保留")
                            .await?;
                    }
                }
                store.review_step(reviewer, id, Step::Approve).await?;
            }
            if reach == 5 {
                store.review_step(&author, id, Step::Publish).await?;
            }
        }
    }
    Ok(())
}
