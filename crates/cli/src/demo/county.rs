//! The demo county 云岭县 (fictional): county committee and propaganda department, 12
//! townships and sub-districts with their villages and communities, 10 county bureaus, party
//! branches, about 600 people, and accounts for every role.

use super::ledger::{self, LedgerUnit};
use super::names;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use shoutu_domain::unit::NewUnit;
use shoutu_domain::{NewPerson, NewUser, PersonId, Role, Scope, Unit, UnitId, UnitKind};
use shoutu_store::Store;

pub struct Login {
    pub username: String,
    pub roles: String,
    pub name: String,
    pub unit: String,
}

pub struct Summary {
    pub county: String,
    pub units: usize,
    pub people: usize,
    pub activities: usize,
    pub logins: Vec<Login>,
}

/// (name, kind, code, number of villages or communities)
const TOWNSHIPS: [(&str, UnitKind, &str, usize); 12] = [
    ("城关街道", UnitKind::Subdistrict, "01", 9),
    ("东城街道", UnitKind::Subdistrict, "02", 7),
    ("河口镇", UnitKind::Town, "03", 15),
    ("石桥镇", UnitKind::Town, "04", 14),
    ("青山镇", UnitKind::Town, "05", 13),
    ("龙泉镇", UnitKind::Town, "06", 14),
    ("柳林镇", UnitKind::Town, "07", 13),
    ("白沙镇", UnitKind::Town, "08", 12),
    ("松坪乡", UnitKind::Township, "09", 13),
    ("黄土坡乡", UnitKind::Township, "10", 14),
    ("红岩乡", UnitKind::Township, "11", 13),
    ("大河乡", UnitKind::Township, "12", 13),
];

const BUREAUS: [(&str, &[&str]); 10] = [
    ("县教育局", &["办公室", "基础教育股", "县第一中学"]),
    ("县卫生健康局", &["办公室", "县人民医院"]),
    ("县文化和旅游局", &["办公室", "县文化馆", "县图书馆"]),
    ("县农业农村局", &["办公室", "农村经营管理站"]),
    ("县民政局", &["办公室", "社会事务股"]),
    ("县人力资源和社会保障局", &["办公室", "就业服务中心"]),
    ("县自然资源局", &["办公室", "不动产登记中心"]),
    ("县住房和城乡建设局", &["办公室", "城建监察大队"]),
    ("县市场监督管理局", &["办公室", "城关市场监管所"]),
    ("县交通运输局", &["办公室", "公路管理段"]),
];

struct Loader<'a> {
    store: &'a dyn Store,
    scope: Scope,
    rng: ChaCha8Rng,
    password_hash: String,
    units: usize,
    people: usize,
    logins: Vec<Login>,
    /// Who belongs where, so that demo meetings list real attendees.
    members: std::collections::HashMap<UnitId, Vec<PersonId>>,
    /// Units whose work ledger the demo fills.
    ledger_units: Vec<Unit>,
}

impl Loader<'_> {
    async fn unit(
        &mut self,
        parent: &Unit,
        kind: UnitKind,
        name: &str,
        code: &str,
        order: i64,
    ) -> anyhow::Result<Unit> {
        let unit = NewUnit::parse(Some(parent.id), kind.code(), name, "", code, order)?;
        self.units += 1;
        Ok(self.store.create_unit(&self.scope, unit).await?)
    }

    async fn person(&mut self, unit: &Unit, post: &str, order: i64) -> anyhow::Result<shoutu_domain::Person> {
        let name = names::person(&mut self.rng);
        let phone = if self.rng.random_bool(0.8) {
            names::phone(&mut self.rng)
        } else {
            String::new()
        };
        self.people += 1;
        let person = self
            .store
            .create_person(&self.scope, NewPerson::parse(unit.id, &name, post, &phone, order)?)
            .await?;
        self.members.entry(unit.id).or_default().push(person.id);
        Ok(person)
    }

    async fn account(&mut self, unit: &Unit, post: &str, username: &str, roles: &[Role]) -> anyhow::Result<()> {
        let person = self.person(unit, post, 0).await?;
        self.store
            .create_user(
                &self.scope,
                NewUser {
                    username: username.into(),
                    person_id: person.id,
                    roles: roles.to_vec(),
                    password_hash: self.password_hash.clone(),
                    must_change_password: false,
                },
            )
            .await?;
        self.logins.push(Login {
            username: username.into(),
            roles: roles.iter().map(|r| r.label()).collect::<Vec<_>>().join("、"),
            name: person.name,
            unit: unit.name.clone(),
        });
        Ok(())
    }
}

/// 河口镇 publishes its cadres' “十严禁”; most of its leaders have acknowledged it.
async fn conduct(l: &mut Loader<'_>, today: chrono::NaiveDate) -> anyhow::Result<()> {
    use shoutu_domain::conduct::NewConductRules;
    let Some(town) = l.ledger_units.iter().find(|u| u.name == "河口镇").cloned() else {
        return Ok(());
    };
    let items = "严禁在网络上发表、转发违背党的路线方针政策的言论\n严禁编造、传播政治谣言和不实信息\n\
        严禁泄露工作秘密和内部信息\n严禁在工作群发布与工作无关的不当内容\n严禁擅自接受境外媒体采访";
    let published = chrono::NaiveDate::from_ymd_opt(chrono::Datelike::year(&today), 3, 1)
        .unwrap_or(today)
        .min(today);
    let rules = NewConductRules::parse(town.id, "河口镇干部网络行为“十严禁”（节选）", items, published)?;
    let rules = l.store.publish_conduct_rules(&l.scope, rules).await?;
    let members = l.members.get(&town.id).cloned().unwrap_or_default();
    for person in members.iter().take(members.len().saturating_sub(2)) {
        l.store
            .acknowledge_conduct_rules(&l.scope, rules.id, *person, published)
            .await?;
    }
    Ok(())
}

/// The county's annual plan, each item decomposed to every township: most report on time,
/// a few fall behind, so overdue tasks show on the dashboards.
async fn plans(l: &mut Loader<'_>, county: &Unit, today: chrono::NaiveDate) -> anyhow::Result<()> {
    use shoutu_domain::plan::{NewPlanItem, NewTask, NewUpdate};
    let year = chrono::Datelike::year(&today);
    let items = [
        ("开展党的创新理论“进村入户”宣讲", 5, "每个乡镇宣讲不少于10场"),
        ("开展意识形态领域风险隐患排查", 7, "形成风险点台账和整改清单"),
        ("清理整顿工作微信群", 10, "建立群主责任制，完成成员清理"),
    ];
    let townships: Vec<Unit> = l
        .ledger_units
        .iter()
        .filter(|u| matches!(u.kind, UnitKind::Town | UnitKind::Township | UnitKind::Subdistrict))
        .cloned()
        .collect();
    for (title, month, output) in items {
        let deadline = chrono::NaiveDate::from_ymd_opt(year, month, 28)
            .unwrap_or(today)
            .to_string();
        let item = NewPlanItem::parse(county.id, &year.to_string(), title, None, county.id, &deadline, output)?;
        let item = l.store.create_plan_item(&l.scope, item).await?;
        for town in &townships {
            let task = NewTask::parse(&item, town.id, &format!("{}：{title}", town.name), &deadline)?;
            let task = l.store.add_task(&l.scope, task).await?;
            let start = item.deadline - chrono::Duration::days(40);
            if start > today {
                continue;
            }
            let roll: f64 = l.rng.random();
            if roll < 0.15 {
                continue;
            }
            let progress = NewUpdate::parse(&start.to_string(), "已部署，正在推进", false, today)?;
            l.store.update_task(&l.scope, task.id, progress).await?;
            let done_on = item.deadline - chrono::Duration::days(l.rng.random_range(0..10));
            if roll > 0.3 && done_on <= today {
                let done = NewUpdate::parse(&done_on.to_string(), "已按要求完成", true, today)?;
                l.store.update_task(&l.scope, task.id, done).await?;
            }
        }
    }
    Ok(())
}

/// Each township's leadership group: the secretary leads and answers first, the 宣传委员 is
/// directly responsible and deputy leader, the other leaders carry 一岗双责 for their portfolio.
async fn duties(l: &mut Loader<'_>, today: chrono::NaiveDate) -> anyhow::Result<()> {
    use shoutu_domain::duty::NewDuty;
    let start = chrono::NaiveDate::from_ymd_opt(chrono::Datelike::year(&today), 1, 1)
        .unwrap_or(today)
        .to_string();
    let townships: Vec<Unit> = l
        .ledger_units
        .iter()
        .filter(|u| matches!(u.kind, UnitKind::Town | UnitKind::Township | UnitKind::Subdistrict))
        .cloned()
        .collect();
    for town in townships {
        let members = l.members.get(&town.id).cloned().unwrap_or_default();
        // Created in this order: secretary, 宣传委员, 党政办主任, 副书记, head of government, 组织委员, 纪委书记.
        let plan: [(usize, &str, &str); 8] = [
            (0, "first_responsible", ""),
            (0, "group_leader", ""),
            (1, "direct_responsible", "宣传思想文化"),
            (1, "deputy_leader", "宣传思想文化"),
            (3, "dual_duty", "党建、统战"),
            (4, "dual_duty", "经济发展、征地拆迁"),
            (5, "dual_duty", "组织人事"),
            (6, "dual_duty", "纪检监察"),
        ];
        for (index, role, portfolio) in plan {
            let Some(person) = members.get(index) else { continue };
            let duties = if role == "dual_duty" {
                "抓好分管领域意识形态工作，及时报告风险隐患"
            } else {
                ""
            };
            let duty = NewDuty::parse(town.id, person.0, role, portfolio, duties, &start)?;
            l.store.assign_duty(&l.scope, duty).await?;
        }
    }
    Ok(())
}

/// This year's target responsibility letter from the county to every township and bureau:
/// most signed, some only issued, one still waiting, so the signing rate has something to say.
async fn letters(l: &mut Loader<'_>, county: &Unit, today: chrono::NaiveDate) -> anyhow::Result<()> {
    use shoutu_domain::letter::NewLetter;
    use shoutu_store::CopyChange;
    let recipients: Vec<UnitId> = l
        .ledger_units
        .iter()
        .filter(|u| {
            matches!(
                u.kind,
                UnitKind::Town | UnitKind::Township | UnitKind::Subdistrict | UnitKind::Bureau
            )
        })
        .map(|u| u.id)
        .collect();
    let year = chrono::Datelike::year(&today);
    let duties = "落实意识形态工作主体责任\n每年至少专题研究意识形态工作2次\n每半年开展1次意识形态领域形势分析研判\n加强阵地管理和舆情处置";
    let letter = NewLetter::parse(
        county.id,
        &year.to_string(),
        &format!("{year}年度意识形态工作目标责任书"),
        duties,
        recipients,
        today,
    )?;
    let letter = l.store.create_letter(&l.scope, letter).await?;
    let issued_on = chrono::NaiveDate::from_ymd_opt(year, 2, 20).unwrap_or(today).min(today);
    for copy in &letter.copies {
        let roll: f64 = l.rng.random();
        if roll < 0.05 {
            continue;
        }
        l.store
            .update_copy(&l.scope, copy.id, CopyChange::Issue { on: issued_on })
            .await?;
        if roll < 0.2 {
            continue;
        }
        let signer = l.members.get(&copy.unit_id).and_then(|m| m.first()).copied();
        let name = match signer {
            Some(p) => l.store.person(&l.scope, p).await?.name,
            None => "主要负责人".to_string(),
        };
        let on = issued_on + chrono::Duration::days(l.rng.random_range(1..20));
        l.store
            .update_copy(
                &l.scope,
                copy.id,
                CopyChange::Sign {
                    on: on.min(today),
                    signer: name,
                },
            )
            .await?;
    }
    Ok(())
}

pub async fn load(
    store: &dyn Store,
    rng: ChaCha8Rng,
    password_hash: String,
    today: chrono::NaiveDate,
) -> anyhow::Result<Summary> {
    let county = store
        .create_root_unit("演示数据", NewUnit::parse(None, "county", "云岭县", "云岭", "YL", 0)?)
        .await?;
    let mut l = Loader {
        store,
        scope: Scope::new(county.id, vec![Role::SystemAdmin], None, "演示数据"),
        rng,
        password_hash,
        units: 1,
        people: 0,
        logins: Vec::new(),
        members: Default::default(),
        ledger_units: Vec::new(),
    };

    // County level: accounts of the propaganda department sit at the county unit, because
    // they supervise the whole county.
    l.account(&county, "县委宣传部信息科科长", "admin", &[Role::SystemAdmin])
        .await?;
    l.account(&county, "县委常委、宣传部部长", "buzhang", &[Role::Leader])
        .await?;
    l.account(&county, "县委宣传部常务副部长", "ducha", &[Role::Supervisor])
        .await?;
    for (post, order) in [("县委书记", 1), ("县委副书记、县长", 2), ("县委常委、办公室主任", 3)] {
        l.person(&county, post, order).await?;
    }
    l.ledger_units.push(county.clone());
    let propaganda = l
        .unit(&county, UnitKind::Department, "中共云岭县委宣传部", "YL-XCB", 1)
        .await?;
    for (i, post) in ["副部长", "副部长", "理论教育股股长", "新闻股股长", "干事", "干事"]
        .iter()
        .enumerate()
    {
        l.person(&propaganda, post, i as i64).await?;
    }
    l.unit(&propaganda, UnitKind::Section, "县融媒体中心", "YL-XCB-RM", 1)
        .await?;
    let cyberspace = l
        .unit(&county, UnitKind::Department, "中共云岭县委网信办", "YL-WXB", 2)
        .await?;
    for (i, post) in ["主任", "舆情监测员", "舆情监测员"].iter().enumerate() {
        l.person(&cyberspace, post, i as i64).await?;
    }

    for (t, (name, kind, code, villages)) in TOWNSHIPS.iter().enumerate() {
        let code = format!("YL-{code}");
        let town = l.unit(&county, *kind, name, &code, 10 + t as i64).await?;
        l.ledger_units.push(town.clone());
        let (head, deputy) = match kind {
            UnitKind::Subdistrict => ("街道党工委书记", "街道办事处主任"),
            UnitKind::Town => ("镇党委书记", "镇长"),
            _ => ("乡党委书记", "乡长"),
        };
        let n = t + 1;
        l.account(&town, head, &format!("t{n:02}leader"), &[Role::Leader])
            .await?;
        l.account(&town, "党委委员、宣传委员", &format!("t{n:02}"), &[Role::Staff])
            .await?;
        l.account(&town, "党政办主任", &format!("t{n:02}admin"), &[Role::UnitAdmin])
            .await?;
        l.account(&town, "党委副书记", &format!("t{n:02}review"), &[Role::Reviewer])
            .await?;
        l.account(&town, "党委宣传干事", &format!("t{n:02}review2"), &[Role::Reviewer])
            .await?;
        for (i, post) in [deputy, "组织委员", "纪委书记", "党政办干事"].iter().enumerate() {
            l.person(&town, post, 5 + i as i64).await?;
        }
        let branch = l
            .unit(
                &town,
                UnitKind::PartyBranch,
                &format!("{name}机关党支部"),
                &format!("{code}-JG"),
                0,
            )
            .await?;
        l.ledger_units.push(branch);
        let mut taken = Vec::new();
        for v in 0..*villages {
            let community = *kind == UnitKind::Subdistrict || v == 0;
            let vname = if community {
                names::community(&mut l.rng, &mut taken)
            } else {
                names::village(&mut l.rng, &mut taken)
            };
            let vkind = if community {
                UnitKind::Community
            } else {
                UnitKind::Village
            };
            let vcode = format!("{code}-{:03}", v + 1);
            let village = l.unit(&town, vkind, &vname, &vcode, v as i64 + 1).await?;
            let (secretary, committee) = if community {
                ("社区党委书记、居委会主任", "社区居委会委员")
            } else {
                ("村党支部书记、村委会主任", "村委会委员")
            };
            l.person(&village, secretary, 1).await?;
            l.person(&village, committee, 2).await?;
            l.person(&village, committee, 3).await?;
            if l.rng.random_bool(0.1) {
                l.person(&village, "村务监督委员会主任", 4).await?;
            }
            let branch = if community { "社区党支部" } else { "党支部" };
            l.unit(
                &village,
                UnitKind::PartyBranch,
                &format!("{}{branch}", vname.trim_end_matches(['村', '社', '区'])),
                &format!("{vcode}-DZB"),
                0,
            )
            .await?;
        }
    }

    for (b, (name, sections)) in BUREAUS.iter().enumerate() {
        let code = format!("YL-B{:02}", b + 1);
        let bureau = l.unit(&county, UnitKind::Bureau, name, &code, 100 + b as i64).await?;
        l.ledger_units.push(bureau.clone());
        if b == 0 {
            l.account(&bureau, "办公室主任", "b01", &[Role::Staff]).await?;
        } else {
            l.person(&bureau, "办公室主任", 3).await?;
        }
        for (i, post) in ["党组书记、局长", "党组成员、副局长"].iter().enumerate() {
            l.person(&bureau, post, i as i64 + 1).await?;
        }
        for (s, section) in sections.iter().enumerate() {
            l.unit(
                &bureau,
                UnitKind::Section,
                section,
                &format!("{code}-{}", s + 1),
                s as i64 + 1,
            )
            .await?;
        }
        let branch = l
            .unit(
                &bureau,
                UnitKind::PartyBranch,
                &format!("{name}机关党支部"),
                &format!("{code}-DZB"),
                0,
            )
            .await?;
        l.ledger_units.push(branch);
    }
    l.ledger_units.push(propaganda);

    let targets: Vec<LedgerUnit> = l
        .ledger_units
        .iter()
        .map(|u| LedgerUnit {
            unit: u.clone(),
            members: l.members.get(&u.id).cloned().unwrap_or_default(),
        })
        .collect();
    let activities = ledger::load(store, &l.scope, l.rng.clone(), &targets, today).await?;
    letters(&mut l, &county, today).await?;
    duties(&mut l, today).await?;
    plans(&mut l, &county, today).await?;
    conduct(&mut l, today).await?;
    super::reports::load(store, &l.scope, l.rng.clone(), &targets, today).await?;
    super::platforms::load(store, &l.scope, l.rng.clone(), today).await?;
    super::assessment::load(store, &l.scope, &county, l.rng.clone(), today).await?;
    super::opinion::load(store, &l.scope, &county, &mut l.rng, chrono::Utc::now()).await?;

    Ok(Summary {
        county: county.name,
        units: l.units,
        people: l.people,
        activities,
        logins: l.logins,
    })
}
