//! Demo 舆情: a monitoring source, schemes for three townships and the county, risk points
//! with grievances, contingency plans, and a synthetic stream of posts (three real-looking
//! events among everyday noise) ingested at start, so that alerts, events and incidents show
//! at once. One incident of 石桥镇 was discovered 30 hours ago and never answered: the
//! county sees it overdue and reported. A burst file is written for `shoutu ingest`.

use chrono::{DateTime, Duration, Utc};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use shoutu_domain::opinion::Post;
use shoutu_domain::opinion::{
    DeadlinePolicy, NewContingencyPlan, NewGrievance, NewIncident, NewRiskPoint, NewStep, SeverityConfig,
};
use shoutu_domain::{Scope, Unit};
use shoutu_store::{NewSource, Store};
use shoutu_text::monitor::parse_scheme;
use shoutu_web::monitoring::{Monitor, open_incident_from_alert};

pub const SOURCE: &str = "县网信办舆情监测";

const PLATFORMS: [&str; 5] = ["微博", "抖音", "本地论坛", "微信公众号", "今日头条"];

const NOISE: [&str; 12] = [
    "今天{p}赶集的人真多，新上市的{x}价格还算实惠",
    "{p}的油菜花开了，周末带孩子去拍照，风景很好",
    "{p}卫生院开展义诊活动，老人们排队量血压",
    "听说{p}要修新的篮球场，期待早日建成",
    "{p}小学的孩子们在操场上练习广播体操",
    "{p}村里的{x}合作社今年又丰收了",
    "{p}的夜市开张了，烧烤和凉粉都不错",
    "下雨天{p}的路有点滑，大家开车慢一点",
    "{p}文化站今晚放露天电影，欢迎大家来看",
    "{p}镇上新开了一家{x}店，老板很热情",
    "{p}的志愿者在河边捡垃圾，给他们点赞",
    "{p}今天停水两小时，已经恢复了",
];
const GOODS: [&str; 6] = ["草莓", "土豆", "核桃", "茶叶", "蜂蜜", "柑橘"];
const PLACES: [&str; 6] = ["河口镇", "石桥镇", "青山镇", "城关街道", "龙泉镇", "云岭县"];

/// Reposts of one complaint within the last few hours, lightly edited each time.
fn burst(rng: &mut ChaCha8Rng, prefix: &str, base: &str, n: usize, now: DateTime<Utc>, hours: i64) -> Vec<Post> {
    let lead = ["", "转发：", "扩散！", "有没有人管管？", "求关注："];
    let tail = ["", "。", "！！", " 大家帮忙转发", " @云岭发布"];
    (0..n)
        .map(|i| {
            let minutes = rng.random_range(0..hours * 60);
            Post {
                source: SOURCE.into(),
                source_id: Some(format!("{prefix}{i:03}")),
                platform: PLATFORMS[rng.random_range(0..PLATFORMS.len())].into(),
                url: format!("https://demo.example/{prefix}/{i}"),
                author: Some(format!("网友{}", rng.random_range(1000..9999))),
                published_at: Some(now - Duration::minutes(minutes)),
                title: None,
                text: format!(
                    "{}{base}{}",
                    lead[rng.random_range(0..lead.len())],
                    tail[rng.random_range(0..tail.len())]
                ),
            }
        })
        .collect()
}

fn noise(rng: &mut ChaCha8Rng, n: usize, now: DateTime<Utc>) -> Vec<Post> {
    (0..n)
        .map(|i| {
            let text = NOISE[rng.random_range(0..NOISE.len())]
                .replace("{p}", PLACES[rng.random_range(0..PLACES.len())])
                .replace("{x}", GOODS[rng.random_range(0..GOODS.len())]);
            Post {
                source: SOURCE.into(),
                source_id: Some(format!("n{i:05}")),
                platform: PLATFORMS[rng.random_range(0..PLATFORMS.len())].into(),
                url: format!("https://demo.example/n/{i}"),
                author: Some(format!("网友{}", rng.random_range(1000..9999))),
                published_at: Some(now - Duration::minutes(rng.random_range(0..14 * 24 * 60))),
                title: None,
                text: format!("{text}（{}）", rng.random_range(1..500)),
            }
        })
        .collect()
}

/// The posts of the burst file: a new wave about 河口镇's relocation households.
pub fn burst_file(rng: &mut ChaCha8Rng, now: DateTime<Utc>) -> String {
    burst(
        rng,
        "burst",
        "河口镇危岩搬迁安置房说好年底交钥匙，现在工地都停了，几十户搬迁户去镇政府讨说法",
        30,
        now,
        1,
    )
    .iter()
    .map(|p| serde_json::to_string(p).expect("a post serialises"))
    .collect::<Vec<_>>()
    .join("\n")
}

fn town<'a>(tree: &'a [Unit], name: &str) -> anyhow::Result<&'a Unit> {
    tree.iter()
        .find(|u| u.name == name)
        .ok_or_else(|| anyhow::anyhow!("演示县中没有「{name}」"))
}

pub async fn load(
    store: &dyn Store,
    scope: &Scope,
    county: &Unit,
    rng: &mut ChaCha8Rng,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let tree = store.unit_tree(scope).await?;
    let hekou = town(&tree, "河口镇")?;
    let shiqiao = town(&tree, "石桥镇")?;
    let qingshan = town(&tree, "青山镇")?;
    let today = (now + Duration::hours(8)).date_naive();
    let source = store
        .create_source(scope, NewSource::parse(county.id, SOURCE, "综合")?)
        .await?;
    for (unit, name, rule, weight) in [
        (
            hekou,
            "河口镇拆迁补偿",
            "(河口镇 | 河口) & (拆迁 | 补偿 | 上访 | 搬迁 | 讨说法) & !招聘",
            "1.2",
        ),
        (
            shiqiao,
            "石桥镇征地拆迁",
            "(石桥镇 | 石桥) & (征地 | 拆迁 | 补偿 | 高速) & !招聘",
            "1.2",
        ),
        (
            qingshan,
            "青山镇环境投诉",
            "青山镇 & (臭味 | 污染 | 养殖场) & 投诉",
            "1",
        ),
        (county, "涉县谣言", "云岭 & (谣言 | 辟谣 | 不实)", "1.5"),
    ] {
        store
            .save_scheme(scope, None, parse_scheme(unit.id, name, rule, weight, true)?)
            .await?;
    }
    let mut risks = Vec::new();
    for (unit, title, level, owner, measures, keywords, days) in [
        (
            hekou,
            "危岩搬迁户补偿诉求",
            "high",
            "河口镇党委副书记",
            "逐户走访、公开补偿标准、每周通报安置房进度",
            "危岩 搬迁 安置房",
            "7",
        ),
        (
            shiqiao,
            "高速公路征地拆迁",
            "high",
            "石桥镇镇长",
            "联合县自然资源局核实补偿、设接访点",
            "高速 征地",
            "14",
        ),
        (
            qingshan,
            "养殖场异味投诉",
            "medium",
            "青山镇宣传委员",
            "督促养殖场整改、定期回访",
            "养殖场 臭味",
            "30",
        ),
    ] {
        risks.push(
            store
                .create_risk(
                    scope,
                    NewRiskPoint::parse(unit.id, title, level, owner, measures, keywords, days, today)?,
                )
                .await?,
        );
    }
    for (risk, days_ago, channel, content) in [
        (0, 3, "来访", "搬迁户代表询问第二批补偿款发放时间"),
        (0, 1, "12345 热线", "安置房工地停工，担心不能按期交房"),
        (1, 2, "来电", "征地补偿标准与邻村不一致"),
    ] {
        let r = &risks[risk];
        let on = (today - Duration::days(days_ago)).to_string();
        store
            .add_grievance(
                scope,
                NewGrievance::parse(r.unit_id, Some(r.id), &on, channel, content, today)?,
            )
            .await?;
    }
    for (topic, items) in [
        (
            "征地拆迁群体性诉求",
            "30分钟内核实情况并报告县委宣传部\n研判是否需要发布权威信息\n责任单位负责人当面接待群众\n公开补偿标准和进度\n办结后回访并复盘",
        ),
        (
            "涉县网络谣言",
            "固定证据\n联系有关部门核实\n通过“云岭发布”辟谣\n必要时报公安机关依法处置",
        ),
    ] {
        store
            .create_plan(scope, NewContingencyPlan::parse(county.id, topic, items)?)
            .await?;
    }

    let mut posts = noise(rng, 1500, now);
    posts.extend(burst(
        rng,
        "hk",
        "河口镇危岩搬迁户补偿款迟迟不到位，老人们多次上访也没人管，希望有关部门尽快解决",
        45,
        now,
        3,
    ));
    posts.extend(burst(
        rng,
        "sq",
        "石桥镇高速公路征地补偿标准不公开，村民说同一条路邻村补得多，要去县里讨说法",
        18,
        now - Duration::hours(30),
        2,
    ));
    posts.extend(burst(rng, "qs", "青山镇某养殖场臭味熏天，村民投诉好几次了", 6, now, 12));
    posts.sort_by_key(|p| p.published_at);
    let severity = SeverityConfig::defaults();
    let monitor = Monitor::new(std::sync::Arc::new(shoutu_domain::SystemClock));
    let summary = monitor.ingest(store, scope, &source, posts, &severity, |_| {}).await?;

    // 河口镇 opened its alert and has assessed it; 石桥镇 registered its case 30 hours ago
    // and has not responded: overdue, so the county sees it reported.
    let policy = DeadlinePolicy::defaults();
    let hekou_scope = Scope::new(hekou.id, scope.roles.clone(), None, "河口镇宣传委员");
    if let Some(alert) = summary.alerts.iter().find(|a| a.unit_id == hekou.id) {
        let incident = open_incident_from_alert(store, &hekou_scope, alert.id, &policy, "河口镇宣传委员").await?;
        store
            .add_step(
                &hekou_scope,
                incident.id,
                NewStep::parse(
                    "assessed",
                    "河口镇党委副书记",
                    "核实：第二批补偿款因审计未完成暂缓发放；拟当面向搬迁户说明并公布时间表",
                )?,
            )
            .await?;
    }
    let shiqiao_scope = Scope::new(shiqiao.id, scope.roles.clone(), None, "石桥镇宣传委员");
    let incident = NewIncident::parse(
        shiqiao.id,
        "高速公路征地补偿标准引发网上议论",
        "网信办监测发现多平台转发，涉及村民拟到县上访",
        "serious",
        now - Duration::hours(30),
        "石桥镇镇长",
        Some(risks[1].id),
        &policy,
    )?;
    store.open_incident(&shiqiao_scope, incident).await?;
    Ok(())
}
