//! The authorisation matrix: every route the router serves (from `shoutu_web::route_table()`,
//! so a route added without an entry here fails) × anonymous and every role, acting from 河口镇
//! (town A) × a record in each position relative to it: its own unit, a unit below (河口村), a
//! sibling (石桥镇) and the parent (云岭县).
//!
//! Expected outcomes:
//! - anonymous: sent to /login (or 401 for machine endpoints, 403 for a POST without a token);
//! - a role without the action a route needs: 403 or 404;
//! - a record outside what the actor may see: 403 or 404;
//! - otherwise a GET answers 200, and a POST is not refused (it may still ask to fix the form).
//!
//! Where the table has no valid body for a POST, a refused POST must at least not succeed (no
//! 2xx, no redirect to a result); entries marked strict carry a valid body and must be refused
//! with 403 or 404.

use crate::helpers::{PASSWORD, TestApp, account, browser, csrf_of, spawn_app};
use reqwest::multipart::{Form, Part};
use reqwest::{Client, StatusCode};
use shoutu_domain::attachment::NewAttachment;
use shoutu_domain::conduct::NewConductRules;
use shoutu_domain::duty::NewDuty;
use shoutu_domain::inspection::NewInspection;
use shoutu_domain::ledger::{ActivityInput, Catalogue, NewActivity};
use shoutu_domain::letter::NewLetter;
use shoutu_domain::opinion::{DeadlinePolicy, NewIncident, NewRiskPoint};
use shoutu_domain::plan::{NewPlanItem, NewTask};
use shoutu_domain::platform::NewPlatform;
use shoutu_domain::rectification::{NewRectification, Source};
use shoutu_domain::unit::NewUnit;
use shoutu_domain::{Action, NewPerson, Role, Scope, UnitKind, password};
use std::collections::{BTreeMap, HashMap};

/// What a method of a route needs.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Need {
    /// The route does not serve this method.
    No,
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in user (every role reads its scope).
    Login,
    Act(Action),
    /// Either action (a rectification step: the owner reports, the inspector accepts).
    Either(Action, Action),
    /// The 舆情 push endpoint: a source's bearer token, never a session.
    Token,
}
use Need::*;

/// Which record a route's `{id}` (or a body's or query's `{unit}`) names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Kind {
    /// No record: the route is tried once per actor.
    Plain,
    /// A unit named in the body or query, not the path.
    UnitField,
    Unit,
    Person,
    User,
    Activity,
    Attachment,
    Plan,
    Task,
    Conduct,
    Duty,
    Letter,
    LetterCopy,
    Inspection,
    Finding,
    Rectification,
    Platform,
    Risk,
    Incident,
    Draft,
    Member,
    /// A reviewer assignment (审核人) of the unit.
    Assignment,
    /// A 舆情 monitoring source of the unit.
    Source,
    Scheme,
    Round,
    Report,
    /// Kinds without positional fixtures here (rounds, drafts, events, …): a record id that
    /// does not exist, which nobody may reach.
    Absent,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Pos {
    Own,
    Sub,
    Sibling,
    Parent,
}

const POSITIONS: [Pos; 4] = [Pos::Own, Pos::Sub, Pos::Sibling, Pos::Parent];

#[derive(Clone, Copy)]
enum Body {
    /// An urlencoded form with these fields (`{unit}`, `{person}` replaced).
    Fields(&'static [(&'static str, &'static str)]),
    /// Multipart with these fields and one small file, the token in the query as upload
    /// forms send it.
    Upload(&'static [(&'static str, &'static str)]),
    /// A JSON body (machine endpoints).
    Json,
}

struct Entry {
    path: &'static str,
    kind: Kind,
    get: Need,
    post: Need,
    body: Body,
    /// The body is valid: a refused POST must be 403/404, not a form error.
    strict: bool,
    /// Run on a session of its own (the request ends or changes the session).
    fresh: bool,
    /// Appended to the path for GET (`{unit}` replaced).
    query: &'static str,
    /// Success is the way out: a redirect to the login page.
    logout: bool,
    /// Where a POST may act, when narrower than where the record is seen.
    acts_on: &'static [Pos],
    /// A GET that succeeds by sending on to the record's page (a link target).
    redirects: bool,
}

const fn e(path: &'static str, kind: Kind, get: Need, post: Need) -> Entry {
    Entry {
        path,
        kind,
        get,
        post,
        body: Body::Fields(&[]),
        strict: false,
        fresh: false,
        query: "",
        logout: false,
        acts_on: &[],
        redirects: false,
    }
}

impl Entry {
    const fn body(mut self, body: Body) -> Entry {
        self.body = body;
        self
    }
    const fn strict(mut self, fields: &'static [(&'static str, &'static str)]) -> Entry {
        self.body = Body::Fields(fields);
        self.strict = true;
        self
    }
    const fn strict_upload(mut self, fields: &'static [(&'static str, &'static str)]) -> Entry {
        self.body = Body::Upload(fields);
        self.strict = true;
        self
    }
    const fn acts_on(mut self, positions: &'static [Pos]) -> Entry {
        self.acts_on = positions;
        self
    }
    const fn redirects(mut self) -> Entry {
        self.redirects = true;
        self
    }
    const fn fresh(mut self) -> Entry {
        self.fresh = true;
        self
    }
    const fn logout(mut self) -> Entry {
        self.logout = true;
        self
    }
    const fn query(mut self, q: &'static str) -> Entry {
        self.query = q;
        self
    }
}

use Action::{ManageUnits, ManageUsers, Read, Score, ViewAudit, Write};
use Kind::*;

const UP: Body = Body::Upload(&[]);

const PLATFORM_HERE: &[(&str, &str)] = &[
    ("unit", "{own_unit}"),
    ("kind", "wechat_mp"),
    ("name", "矩阵公众号"),
    ("account", ""),
    ("answerable", ""),
    ("admins", ""),
    ("members", ""),
    ("filing", ""),
    ("registered_on", "{today}"),
    ("notes", ""),
];

const PLATFORM: &[(&str, &str)] = &[
    ("unit", "{unit}"),
    ("kind", "wechat_mp"),
    ("name", "矩阵公众号"),
    ("account", ""),
    ("answerable", ""),
    ("admins", ""),
    ("members", ""),
    ("filing", ""),
    ("registered_on", "{today}"),
    ("notes", ""),
];

/// One entry per route of the router. A new route fails the test until it is added here.
fn table() -> Vec<Entry> {
    vec![
        e("/", Plain, Login, No),
        e("/healthz", Plain, Public, No),
        e("/login", Plain, Public, Public),
        e("/logout", Plain, No, Login).fresh().logout(),
        e("/switch-unit", UnitField, No, Login)
            .strict(&[("unit", "{unit}")])
            .fresh(),
        e("/m/{module}", Plain, Login, No),
        e("/account/password", Plain, Login, Login)
            .body(Body::Fields(&[
                ("current", "不对的密码"),
                ("new", "Xin-Mima-2027a"),
                ("confirm", "Xin-Mima-2027a"),
            ]))
            .fresh(),
        e("/units", UnitField, Login, Act(ManageUnits)).strict(&[
            ("parent", "{unit}"),
            ("kind", "village"),
            ("name", "矩阵测试村"),
            ("short_name", ""),
            ("code", "M{unit}"),
            ("sort_order", "0"),
        ]),
        e("/units/new", Plain, Act(ManageUnits), No),
        e("/units/{id}", Unit, Login, Act(ManageUnits)).strict(&[
            ("kind", "{kind}"),
            ("name", "矩阵单位{unit}"),
            ("short_name", ""),
            ("code", "M{unit}E"),
            ("sort_order", "0"),
        ]),
        e("/units/{id}/edit", Unit, Act(ManageUnits), No),
        e("/units/{id}/move", Unit, No, Act(ManageUnits)),
        e("/people", UnitField, Login, Act(Write)).strict(&[
            ("unit", "{unit}"),
            ("name", "矩阵测试人"),
            ("post", "干事"),
            ("phone", ""),
            ("sort_order", "0"),
        ]),
        e("/people/new", Plain, Act(Write), No),
        e("/people/{id}", Person, Login, Act(Write)).strict(&[
            ("unit", "{own_unit}"),
            ("name", "矩阵改名"),
            ("post", "干事"),
            ("phone", ""),
            ("sort_order", "0"),
        ]),
        e("/users", UnitField, Act(ManageUsers), Act(ManageUsers)).strict(&[
            ("person", "{person}"),
            ("username", "matrix_new"),
            ("role", "staff"),
        ]),
        e("/users/new", UnitField, Act(ManageUsers), No).query("?person={person}"),
        e("/users/{id}", User, Act(ManageUsers), No),
        e("/users/{id}/roles", User, No, Act(ManageUsers)).strict(&[("role", "staff")]),
        e("/users/{id}/reset-password", User, No, Act(ManageUsers)).strict(&[]),
        e("/users/{id}/lock", User, No, Act(ManageUsers)).strict(&[]),
        e("/users/{id}/unlock", User, No, Act(ManageUsers)).strict(&[]),
        e("/audit", Plain, Act(ViewAudit), No),
        e("/facts", UnitField, Login, No).query("?key=inspection.visits&unit={unit}"),
        e("/activities", Plain, Login, Act(Write)).body(UP),
        e("/activities/new", Plain, Act(Write), No),
        e("/activities/export.xlsx", Plain, Login, No),
        e("/activities/template.xlsx", Plain, Login, No),
        e("/activities/import", Plain, Act(Write), Act(Write)).body(UP),
        e("/activities/{id}", Activity, Login, No),
        e("/activities/{id}/attachments", Activity, No, Act(Write)).strict_upload(&[]),
        e("/attachments/{id}", Attachment, Login, No),
        e("/plans", Plain, Login, Act(Write)),
        e("/plans/new", Plain, Act(Write), No),
        e("/plans/export.xlsx", Plain, Login, No),
        e("/plans/{id}", Plan, Login, No),
        e("/plans/{id}/tasks", Plan, No, Act(Write)).strict(&[
            ("unit", "{unit}"),
            ("title", "矩阵任务"),
            ("deadline", "{today}"),
        ]),
        e("/tasks/{id}/updates", Task, No, Act(Write)).strict_upload(&[("date", "{today}"), ("note", "矩阵进展")]),
        e("/conduct", Plain, Login, Act(Write)),
        e("/conduct/{id}", Conduct, Login, No),
        e("/conduct/{id}/acknowledge", Conduct, No, Login).strict(&[]),
        e("/conduct/{id}/violations", Conduct, No, Act(Write)).strict(&[
            ("person", "{own_person}"),
            ("date", "{today}"),
            ("description", "矩阵违规"),
            ("outcome", "批评教育"),
        ]),
        e("/duties", UnitField, Login, Act(Write)).strict(&[
            ("person", "{person}"),
            ("role", "group_member"),
            ("start", "{today}"),
        ]),
        e("/duties/{id}/end", Duty, No, Act(Write)).strict(&[("last_day", "{today}")]),
        e("/duties/export.xlsx", Plain, Login, No),
        e("/letters", Plain, Login, Act(Write)),
        e("/letters/new", Plain, Act(Write), No),
        e("/letters/export.xlsx", Plain, Login, No),
        e("/letters/{id}", Letter, Login, No),
        e("/letters/copies/{id}/issue", LetterCopy, No, Act(Write)).strict(&[("letter", "{letter}")]),
        e("/letters/copies/{id}/sign", LetterCopy, No, Act(Write)).strict_upload(&[
            ("letter", "{letter}"),
            ("date", "{today}"),
            ("signer", "王"),
        ]),
        e("/reports", Plain, Login, Act(Write)),
        e("/reports/{id}", Report, Login, No),
        e("/reports/{id}/prose", Report, No, Act(Write)).strict(&[]),
        e("/reports/{id}/finalise", Report, No, Either(Write, Action::SignOff)).strict(&[("override_reason", "矩阵")]),
        e("/reports/{id}/report.docx", Report, Login, No),
        e("/reports/{id}/report.pdf", Absent, Login, No),
        e("/requirements", Plain, Login, No),
        e("/requirements/map", Plain, Login, No),
        e("/check", Plain, Login, Login).body(UP),
        e("/api/check", Plain, No, Login).body(Body::Json),
        e("/assessment", Plain, Login, No),
        e("/assessment/rounds", Plain, No, Act(Score)),
        e("/assessment/rounds/{id}", Round, Login, No),
        e("/assessment/rounds/{id}/recompute", Round, No, Act(Score)).strict(&[]),
        e("/assessment/rounds/{id}/export.xlsx", Round, Login, No),
        // `{unit}` here is a unit the position's round scores (town A itself in the county's).
        e("/assessment/rounds/{id}/units/{unit}", Round, Login, No),
        e("/assessment/rounds/{id}/units/{unit}/manual", Round, No, Act(Score)).strict(&[
            ("code", "A"),
            ("score", "80"),
            ("reason", "矩阵现场督查"),
        ]),
        e("/assessment/rounds/{id}/units/{unit}/evidence", Round, No, Act(Score)).strict_upload(&[]),
        // After the sheets: a closed round takes no more scores.
        e("/assessment/rounds/{id}/close", Round, No, Act(Score)).strict(&[]),
        e("/assessment/indicators", Plain, Login, Act(Score)),
        e("/assessment/indicators/item", Plain, No, Act(Score)),
        e("/assessment/indicators/import", Plain, No, Act(Score)).body(UP),
        e("/assessment/indicators.toml", Plain, Login, No),
        e("/assessment/cadres", Plain, Login, No),
        e("/inspections", UnitField, Login, Act(Score)).strict(&[
            ("unit", "{unit}"),
            ("kind", "routine"),
            ("planned_on", "{today}"),
            ("subject", "矩阵督查"),
        ]),
        e("/inspections/{id}", Inspection, Login, No),
        // The inspected unit sees the county's inspection of it but records nothing in it.
        e("/inspections/{id}/visit", Inspection, No, Act(Score))
            .strict(&[("visited_on", "{today}"), ("record", "矩阵记录")])
            .acts_on(&[Pos::Sub]),
        e("/inspections/{id}/findings", Inspection, No, Act(Score))
            .strict(&[
                ("category", "责任落实"),
                ("severity", "minor"),
                ("description", "矩阵问题"),
                ("measures", "矩阵措施"),
                ("deadline", "{today}"),
                ("required_evidence", "照片"),
            ])
            .acts_on(&[Pos::Sub]),
        e("/inspections/findings/{id}", Finding, Login, No).redirects(),
        e("/rectifications", UnitField, Login, Act(Score)).strict(&[
            ("owner", "{unit}"),
            ("source", "activity"),
            ("source_id", "1"),
            ("title", "矩阵整改"),
            ("measures", "矩阵措施"),
            ("deadline", "{today}"),
            ("required_evidence", "照片"),
        ]),
        e("/rectifications/new", Plain, Act(Score), No),
        e("/rectifications/export.xlsx", Plain, Login, No),
        e("/rectifications/{id}", Rectification, Login, No),
        // The body reports progress, the owner's step (Write); the inspector's steps need Score.
        e("/rectifications/{id}/step", Rectification, No, Act(Write))
            .strict(&[("step", "progress"), ("note", "矩阵进展")]),
        e("/rectifications/{id}/evidence", Rectification, No, Act(Write)).strict_upload(&[]),
        e("/search", Plain, Login, No),
        e("/ledgers.xlsx", Plain, Act(Read), No),
        e("/archive", Plain, Act(ManageUnits), No),
        e("/zhendi", Plain, Login, No),
        e("/platforms", UnitField, Login, Act(Write)).strict(PLATFORM),
        e("/platforms/new", Plain, Act(Write), No),
        e("/platforms/export.xlsx", Plain, Login, No),
        e("/platforms/template.xlsx", Plain, Login, No),
        e("/platforms/import", Plain, Act(Write), Act(Write)).body(UP),
        // Editing a record of another unit while naming one's own unit as its new home (a
        // way to pull a record in) is refused like any other edit out of reach.
        e("/platforms/{id}", Platform, Login, Act(Write)).strict(PLATFORM_HERE),
        e("/platforms/{id}/edit", Platform, Act(Write), No),
        e("/platforms/{id}/inspections", Platform, No, Act(Write)).strict(&[
            ("date", "{today}"),
            ("inspector", "王"),
            ("findings", ""),
        ]),
        e("/drafts", Plain, Login, Act(Write)).body(UP),
        e("/drafts/new", Plain, Act(Write), No),
        e("/drafts/{id}", Draft, Login, No),
        e("/drafts/{id}/submit", Draft, No, Act(Write)),
        e("/drafts/{id}/approve", Draft, No, Act(Action::Review)),
        e("/drafts/{id}/return", Draft, No, Act(Action::Review)).body(Body::Fields(&[("comment", "矩阵退回")])),
        e("/drafts/{id}/publish", Draft, No, Act(Action::SignOff)),
        // The review workflow refuses a step the actor's role may not take with a message (422), by
        // design; the audit check below still proves nothing changed.
        e("/drafts/{id}/proofread", Draft, No, Act(Write))
            .body(Body::Fields(&[("body", "矩阵稿件正文。"), ("note", "矩阵")])),
        e("/drafts/{id}/override", Draft, No, Act(Write)),
        e("/publications", Plain, Login, No),
        e("/publications/export.xlsx", Plain, Login, No),
        e("/publications/{id}/verify", Absent, Login, No),
        e("/reviewers", Plain, Login, Act(ManageUsers)),
        // The first permitted removal wins; later ones find nothing (404), so not strict.
        e("/reviewers/{id}/remove", Assignment, No, Act(ManageUsers)),
        e("/teams", UnitField, Login, Act(Write)).strict(&[
            ("unit", "{unit}"),
            ("kind", "commentator"),
            ("person", "{person}"),
            ("joined_on", "{today}"),
        ]),
        e("/teams/members/{id}/leave", Member, No, Act(Write)).strict(&[("on", "{today}")]),
        e("/teams/members/{id}/contributions", Member, No, Act(Write)).strict(&[
            ("date", "{today}"),
            ("kind", "稿件"),
            ("title", "矩阵稿件"),
        ]),
        e("/teams/trainings", Plain, No, Act(Write)),
        e("/teams/export.xlsx", Plain, Login, No),
        e("/coverage", Plain, Login, Act(Write)),
        e("/coverage/export.xlsx", Plain, Login, No),
        e("/opinion", Plain, Login, No),
        e("/opinion/events", Plain, Login, No),
        e("/opinion/events/{id}", Absent, Login, No),
        e("/opinion/alerts", Plain, Login, No),
        e("/opinion/alerts/read", Plain, No, Login),
        e("/opinion/alerts/{id}/incident", Absent, No, Act(Write)),
        e("/opinion/schemes", Plain, Login, Act(Write)),
        e("/opinion/schemes/{id}", Scheme, Login, Act(Write)).strict(&[
            ("unit", "{own_unit}"),
            ("name", "矩阵方案"),
            ("rule", "矩阵"),
            ("topic_weight", "1"),
            ("active", "on"),
        ]),
        e("/opinion/settings", Plain, No, Act(ManageUnits)),
        e("/opinion/sources", Plain, Login, Act(ManageUnits)),
        e("/opinion/sources/{id}/token", Source, No, Act(ManageUnits)).strict(&[]),
        e("/opinion/incidents", Plain, Login, Act(Write)),
        e("/opinion/incidents/new", Plain, Act(Write), No),
        e("/opinion/incidents/{id}", Incident, Login, No),
        e("/opinion/incidents/{id}/steps", Incident, No, Act(Write)).strict_upload(&[
            ("stage", "assessed"),
            ("assignee", "王"),
            ("note", "矩阵研判"),
        ]),
        e("/opinion/incidents/{id}/plan", Incident, No, Act(Write)).strict(&[("plan", "{plan}")]),
        e("/opinion/incidents/{id}/checklist", Incident, No, Act(Write)),
        e("/opinion/plans", Plain, Login, Act(Write)),
        e("/opinion/risks", Plain, Login, Act(Write)),
        e("/opinion/risks/{id}", Risk, Login, No),
        e("/opinion/risks/{id}/review", Risk, No, Act(Write)).strict(&[("status", "open")]),
        e("/opinion/risks/{id}/grievances", Risk, No, Act(Write)).strict(&[
            ("received_on", "{today}"),
            ("channel", "来信"),
            ("content", "矩阵诉求"),
        ]),
        e("/api/opinion/push", Plain, No, Token).body(Body::Json),
        e("/static/{*path}", Plain, Public, No),
    ]
}

const ROUND_SYSTEM: &str = r#"
title = "矩阵考核指标"

[[indicator]]
code = "A"
name = "现场督查"
weight = 100
rule = { kind = "manual" }
"#;

/// Which positions an actor of town A may see records of, by kind.
fn visible(kind: Kind, pos: Pos) -> bool {
    match kind {
        Absent => false,
        // Conduct rules bind the units below the one that published them.
        Conduct => pos != Pos::Sibling,
        // Everything else, rounds included (a round of the county scores town A but is not
        // for it), is seen from its own unit and the units above.
        _ => matches!(pos, Pos::Own | Pos::Sub),
    }
}

/// The records in each position, by kind.
struct Fixtures {
    ids: HashMap<(Kind, Pos), i64>,
    units: HashMap<Pos, i64>,
    people: HashMap<Pos, i64>,
    /// The letter each position's letter copy belongs to.
    letters: HashMap<Pos, i64>,
    /// A 舆情 contingency plan (处置预案) of each position's unit.
    plans: HashMap<Pos, i64>,
    /// The kind code of each position's unit.
    kinds: HashMap<Pos, &'static str>,
    /// A unit each position's round scores, for the round's per-unit routes.
    scored: HashMap<Pos, i64>,
}

async fn fixtures(app: &TestApp, files_dir: &std::path::Path) -> Fixtures {
    let store = &*app.store;
    let today = crate::helpers::today();
    let day = today.to_string();
    let year = chrono::Datelike::year(&today).to_string();
    let county = Scope::console(app.county.id);
    let tree = store.unit_tree(&county).await.unwrap();
    let village_a = tree.iter().find(|u| u.name == "河口村").unwrap().clone();
    let village_b = store
        .create_unit(
            &county,
            NewUnit::parse(Some(app.town_b.id), UnitKind::Village.code(), "石桥村", "", "B1", 0).unwrap(),
        )
        .await
        .unwrap();
    let unit_of = |pos: Pos| -> shoutu_domain::Unit {
        match pos {
            Pos::Own => app.town_a.clone(),
            Pos::Sub => village_a.clone(),
            Pos::Sibling => app.town_b.clone(),
            Pos::Parent => app.county.clone(),
        }
    };
    // Each position's unit above it, for records issued from above (inspections, letters).
    let parent_of = |pos: Pos| -> Option<shoutu_domain::Unit> {
        match pos {
            Pos::Own | Pos::Sibling => Some(app.county.clone()),
            Pos::Sub => Some(app.town_a.clone()),
            Pos::Parent => None,
        }
    };
    let child_of = |pos: Pos| -> Option<shoutu_domain::Unit> {
        match pos {
            Pos::Own => Some(village_a.clone()),
            Pos::Sibling => Some(village_b.clone()),
            Pos::Parent => Some(app.town_b.clone()),
            Pos::Sub => None,
        }
    };
    let files = shoutu_web::files::FileStore::new(files_dir.to_path_buf());
    let sha256 = files.save(b"matrix evidence").unwrap();
    let catalogue = Catalogue::defaults();
    let hash = password::hash(PASSWORD).unwrap();
    let mut ids = HashMap::new();
    let mut units = HashMap::new();
    let mut people = HashMap::new();
    let mut letters = HashMap::new();
    let mut kinds = HashMap::new();
    let mut plans = HashMap::new();
    for pos in POSITIONS {
        let unit = unit_of(pos);
        let here = Scope::console(unit.id);
        units.insert(pos, unit.id.0);
        kinds.insert(pos, unit.kind.code());
        let plan =
            shoutu_domain::opinion::NewContingencyPlan::parse(unit.id, "矩阵预案", "核实情况\n发布回应").unwrap();
        plans.insert(pos, store.create_plan(&here, plan).await.unwrap().id);
        ids.insert((Unit, pos), unit.id.0);
        let person = store
            .create_person(&here, NewPerson::parse(unit.id, "矩阵人员", "干事", "", 0).unwrap())
            .await
            .unwrap();
        people.insert(pos, person.id.0);
        ids.insert((Person, pos), person.id.0);
        let username = format!("matrix_{:?}", pos).to_lowercase();
        let (_, user) = account(store, &here, &unit, "矩阵账户", &username, &[Role::Staff], &hash).await;
        ids.insert((User, pos), user.id.0);
        let username = format!("matrix_rev_{:?}", pos).to_lowercase();
        let (_, reviewer) = account(store, &here, &unit, "矩阵审核人", &username, &[Role::Reviewer], &hash).await;
        let assignment = store
            .assign_reviewer(&here, unit.id, shoutu_domain::review::Stage::First, reviewer.id)
            .await
            .unwrap();
        ids.insert((Assignment, pos), assignment.id);
        let source = store
            .create_source(
                &here,
                shoutu_store::NewSource::parse(unit.id, &format!("矩阵监测源{pos:?}"), "综合").unwrap(),
            )
            .await
            .unwrap();
        ids.insert((Source, pos), source.id);
        let input = ActivityInput {
            date: &day,
            topic: "矩阵测试会议",
            ..Default::default()
        };
        let activity = NewActivity::parse(catalogue.get("committee_meeting").unwrap(), unit.id, &input, today).unwrap();
        let activity = store.create_activity(&here, activity, vec![]).await.unwrap();
        ids.insert((Activity, pos), activity.id.0);
        let file = store
            .add_attachment(
                &here,
                unit.id,
                NewAttachment {
                    sha256: sha256.clone(),
                    size: 15,
                    media_type: "text/plain".into(),
                    file_name: "矩阵.txt".into(),
                    record_type: "activity",
                    record_id: activity.id.0,
                },
            )
            .await
            .unwrap();
        ids.insert((Attachment, pos), file.id.0);
        let item = NewPlanItem::parse(unit.id, &year, "矩阵测试计划", None, unit.id, &day, "成果").unwrap();
        let item = store.create_plan_item(&here, item).await.unwrap();
        ids.insert((Plan, pos), item.id);
        if let Some(parent) = parent_of(pos) {
            let above = Scope::console(parent.id);
            let item = NewPlanItem::parse(parent.id, &year, "上级计划", None, parent.id, &day, "成果").unwrap();
            let item = store.create_plan_item(&above, item).await.unwrap();
            let task = store
                .add_task(&above, NewTask::parse(&item, unit.id, "矩阵任务", &day).unwrap())
                .await
                .unwrap();
            ids.insert((Task, pos), task.id);
            let inspection = store
                .create_inspection(
                    &above,
                    NewInspection::parse(unit.id, "routine", &day, "矩阵督查").unwrap(),
                )
                .await
                .unwrap();
            ids.insert((Inspection, pos), inspection.id);
            if pos == Pos::Own {
                // The county has visited town A: findings could be recorded, by the county.
                let visit = shoutu_domain::inspection::Visit::parse(&day, "矩阵督查记录", today).unwrap();
                store.record_visit(&above, inspection.id, visit).await.unwrap();
            }
            // A finding from a visited inspection of the position's unit, by the unit above.
            let checked = store
                .create_inspection(
                    &above,
                    NewInspection::parse(unit.id, "routine", &day, "矩阵督查（已查）").unwrap(),
                )
                .await
                .unwrap();
            let visit = shoutu_domain::inspection::Visit::parse(&day, "矩阵督查记录", today).unwrap();
            store.record_visit(&above, checked.id, visit).await.unwrap();
            let finding = shoutu_domain::inspection::NewFinding::parse("责任落实", "minor", "矩阵问题").unwrap();
            let finding = store
                .add_finding(&above, checked.id, finding, "矩阵措施", today, "照片")
                .await
                .unwrap();
            ids.insert((Finding, pos), finding.id);
            let item =
                NewRectification::parse(unit.id, Source::Meeting, 0, "矩阵整改", "措施", &day, "照片", today).unwrap();
            let item = store.create_rectification(&above, item).await.unwrap();
            ids.insert((Rectification, pos), item.id);
        }
        if let Some(child) = child_of(pos) {
            let letter = NewLetter::parse(unit.id, &year, "矩阵责任书", "落实责任", vec![child.id], today).unwrap();
            let letter = store.create_letter(&here, letter).await.unwrap();
            ids.insert((Letter, pos), letter.id.0);
        }
        let rules = NewConductRules::parse(unit.id, "矩阵十严禁", "一、严禁测试", today).unwrap();
        let rules = store.publish_conduct_rules(&here, rules).await.unwrap();
        ids.insert((Conduct, pos), rules.id);
        let duty = NewDuty::parse(unit.id, person.id.0, "group_member", "", "", &day).unwrap();
        let duty = store.assign_duty(&here, duty).await.unwrap();
        ids.insert((Duty, pos), duty.id);
        let platform = NewPlatform::parse(
            unit.id,
            "wechat_mp",
            "矩阵公众号",
            "",
            None,
            "",
            "",
            "",
            &day,
            "",
            today,
        )
        .unwrap();
        let platform = store.create_platform(&here, platform).await.unwrap();
        ids.insert((Platform, pos), platform.id);
        let risk = NewRiskPoint::parse(unit.id, "矩阵风险点", "low", "王", "", "矩阵", "30", today).unwrap();
        let risk = store.create_risk(&here, risk).await.unwrap();
        ids.insert((Risk, pos), risk.id);
        let incident = NewIncident::parse(
            unit.id,
            "矩阵舆情事件",
            "",
            "major",
            chrono::Utc::now(),
            "王",
            None,
            &DeadlinePolicy::defaults(),
        )
        .unwrap();
        let incident = store.open_incident(&here, incident).await.unwrap();
        ids.insert((Incident, pos), incident.id);
        let draft = shoutu_domain::review::NewDraft::parse(unit.id, "矩阵稿件", "矩阵稿件正文。", vec![]).unwrap();
        // A draft has an author: the position's account drafts it.
        let author = Scope::new(unit.id, vec![Role::Staff], Some(user.id), "矩阵账户");
        let draft = store.create_draft(&author, draft, vec![], vec![]).await.unwrap();
        ids.insert((Draft, pos), draft.id);
        let member = shoutu_domain::team::NewMember::parse(unit.id, "correspondent", person.id, &day, today).unwrap();
        let member = store.add_member(&here, member).await.unwrap();
        ids.insert((Member, pos), member.id);
        let scheme = shoutu_domain::opinion::scheme::NewScheme::parse(unit.id, "矩阵方案", "矩阵", "1", true).unwrap();
        let scheme = store.save_scheme(&here, None, scheme).await.unwrap();
        ids.insert((Scheme, pos), scheme.id);
        let report = shoutu_domain::report::NewReport {
            unit_id: unit.id,
            kind: "annual".into(),
            period: shoutu_domain::report::ReportPeriod::year(chrono::Datelike::year(&today)),
            title: "矩阵年度报告".into(),
        };
        let report = store.create_report(&author, report).await.unwrap();
        ids.insert((Report, pos), report.id);
        // A round run by the position's unit scores the units below it: the assessed side
        // (a unit below) must not see it, so only the unit's own side does.
        store
            .save_indicator_system(&here, unit.id, chrono::Datelike::year(&today), ROUND_SYSTEM)
            .await
            .unwrap();
        let round = shoutu_domain::assessment::NewRound::parse(unit.id, &year, "year", "矩阵考核").unwrap();
        let round = store.open_round(&here, round).await.unwrap();
        ids.insert((Round, pos), round.id);
    }
    // Letter copies held by each position: the county's letter to both towns, town A's to
    // its village.
    let both = NewLetter::parse(
        app.county.id,
        &year,
        "县级责任书",
        "落实责任",
        vec![app.town_a.id, app.town_b.id],
        today,
    )
    .unwrap();
    let both = store.create_letter(&county, both).await.unwrap();
    let own_letter = store
        .letter(
            &Scope::console(app.town_a.id),
            shoutu_domain::letter::LetterId(ids[&(Letter, Pos::Own)]),
        )
        .await
        .unwrap();
    let copies = both.copies.iter().map(|c| (both.id.0, c));
    for (letter, copy) in copies.chain(own_letter.copies.iter().map(|c| (own_letter.id.0, c))) {
        let pos = if copy.unit_id == app.town_a.id {
            Pos::Own
        } else if copy.unit_id == app.town_b.id {
            Pos::Sibling
        } else {
            Pos::Sub
        };
        ids.insert((LetterCopy, pos), copy.id);
        letters.insert(pos, letter);
    }
    let scored = HashMap::from([
        (Pos::Own, village_a.id.0),
        (Pos::Sibling, village_b.id.0),
        (Pos::Parent, app.town_a.id.0),
    ]);
    Fixtures {
        ids,
        units,
        people,
        letters,
        plans,
        kinds,
        scored,
    }
}

/// What a request must come to.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    /// Redirect to the login page (or 401/403 for requests without a session).
    Login,
    Ok,
    /// Refused: 403 or 404 (for POSTs without a valid body, at least no success).
    Denied,
    /// A POST the actor may make: not refused, whatever the form says.
    Allowed,
    /// Public pages: not an error.
    Fine,
}

fn permits(roles: &[Role], need: Need) -> bool {
    let can = |a: Action| roles.iter().any(|r| r.permits(a));
    match need {
        No | Public | Login => true,
        Act(a) => can(a),
        Either(a, b) => can(a) || can(b),
        Token => false,
    }
}

fn expect(need: Need, is_get: bool, role: Option<Role>, kind: Kind, pos: Option<Pos>) -> Expect {
    if need == Public {
        return Expect::Fine;
    }
    if need == Token {
        // Machine endpoint: no session opens it, whoever holds one.
        return Expect::Login;
    }
    let Some(role) = role else {
        return Expect::Login;
    };
    if !permits(&[role], need) {
        return Expect::Denied;
    }
    let seen = match (kind, pos) {
        (Plain, _) | (_, None) => kind != Absent,
        (k, Some(p)) => visible(k, p),
    };
    match (seen, is_get) {
        (false, _) => Expect::Denied,
        (true, true) => Expect::Ok,
        (true, false) => Expect::Allowed,
    }
}

struct Actor {
    name: &'static str,
    role: Option<Role>,
    client: Client,
    token: String,
}

async fn actor(app: &TestApp, name: &'static str, role: Option<Role>) -> Actor {
    let client = match role {
        Some(_) => app.login(name).await,
        None => browser(),
    };
    let token = match role {
        Some(_) => csrf_of(&app.text(&client, "/account/password").await.1),
        None => String::new(),
    };
    Actor {
        name,
        role,
        client,
        token,
    }
}

/// The values a body or query names: the position's unit and person, its letter copy's
/// letter, and today.
struct Values {
    unit: i64,
    person: i64,
    own_person: i64,
    own_unit: i64,
    kind: &'static str,
    plan: i64,
    letter: i64,
}

fn fill(template: &str, v: &Values) -> String {
    template
        .replace("{unit}", &v.unit.to_string())
        .replace("{person}", &v.person.to_string())
        .replace("{own_person}", &v.own_person.to_string())
        .replace("{own_unit}", &v.own_unit.to_string())
        .replace("{kind}", v.kind)
        .replace("{plan}", &v.plan.to_string())
        .replace("{letter}", &v.letter.to_string())
        .replace("{today}", &crate::helpers::today().to_string())
}

#[tokio::test]
async fn every_route_answers_every_role_in_every_position_as_the_rules_say() {
    let app = spawn_app().await;
    let served = shoutu_web::route_table();
    let table = table();
    let by_path: BTreeMap<&str, &Entry> = table.iter().map(|e| (e.path, e)).collect();

    // The table and the router list the same routes with the same methods.
    let mut problems = Vec::new();
    for route in &served {
        match by_path.get(route.path) {
            None => problems.push(format!(
                "{} {:?}: no entry in the matrix table",
                route.path, route.methods
            )),
            Some(entry) => {
                let declared: Vec<&str> = [("GET", entry.get), ("POST", entry.post)]
                    .into_iter()
                    .filter(|(_, n)| *n != No)
                    .map(|(m, _)| m)
                    .collect();
                let mut methods = route.methods.clone();
                methods.sort_unstable();
                if methods != declared {
                    problems.push(format!(
                        "{}: the router serves {methods:?}, the table says {declared:?}",
                        route.path
                    ));
                }
            }
        }
    }
    for entry in &table {
        if !served.iter().any(|r| r.path == entry.path) {
            problems.push(format!("{}: in the table but not served", entry.path));
        }
    }
    assert!(
        problems.is_empty(),
        "route table and matrix disagree:\n{}",
        problems.join("\n")
    );

    // Actors: one user per role in town A, and nobody.
    let hash = password::hash(PASSWORD).unwrap();
    let console = Scope::console(app.county.id);
    let mut names = Vec::new();
    for role in Role::ALL {
        let name: &'static str = Box::leak(format!("m_{}", role.code()).into_boxed_str());
        account(
            &*app.store,
            &console,
            &app.town_a,
            &format!("{name}本人"),
            name,
            &[role],
            &hash,
        )
        .await;
        names.push((name, Some(role)));
    }
    names.push(("（未登录）", None));
    let fx = fixtures(&app, &app.files_dir).await;
    let mut actors = Vec::new();
    for (name, role) in &names {
        actors.push(actor(&app, name, *role).await);
    }

    let audit_start = audit_total(&app).await;
    let mut failures = Vec::new();
    let mut requests = 0;
    // Strict POSTs a permitted actor made, and those that went through at least once: a strict
    // body nobody could ever submit would prove nothing about the refusals.
    let mut tried = BTreeMap::new();
    let mut accepted = std::collections::BTreeSet::new();
    for entry in &table {
        let positions: Vec<Option<Pos>> = match entry.kind {
            Plain | Absent => vec![None],
            _ => POSITIONS.iter().map(|p| Some(*p)).collect(),
        };
        for pos in positions {
            let id = match (entry.kind, pos) {
                (Absent, _) => Some(999_999),
                (UnitField, Some(p)) => Some(fx.units[&p]),
                (_, Some(p)) => fx.ids.get(&(entry.kind, p)).copied(),
                _ => Some(1),
            };
            let Some(id) = id else { continue };
            let unit = pos.map_or(app.town_a.id.0, |p| fx.units[&p]);
            // A round's per-unit routes name a unit the round scores (none in a village's).
            let path_unit = match pos {
                Some(p) if entry.kind == Round => match fx.scored.get(&p) {
                    Some(u) => *u,
                    None if entry.path.contains("{unit}") => continue,
                    None => unit,
                },
                _ => unit,
            };
            let person = pos.map_or(fx.people[&Pos::Own], |p| fx.people[&p]);
            let letter = pos.and_then(|p| fx.letters.get(&p)).copied().unwrap_or(999_999);
            let values = Values {
                unit,
                person,
                own_person: fx.people[&Pos::Own],
                own_unit: fx.units[&Pos::Own],
                kind: pos.map_or("town", |p| fx.kinds[&p]),
                plan: fx.plans[&pos.unwrap_or(Pos::Own)],
                letter,
            };
            let path = entry
                .path
                .replace("{id}", &id.to_string())
                .replace("{unit}", &path_unit.to_string())
                .replace("{module}", "zeren")
                .replace("{*path}", "app.css");
            for actor in &actors {
                for (method, need) in [("GET", entry.get), ("POST", entry.post)] {
                    if need == No {
                        continue;
                    }
                    // A method that names no record (a list beside a positional create) is
                    // tried once, from the first position.
                    let in_path = entry.path.contains("{id}") || entry.path.contains("{unit}");
                    let named = in_path
                        || match method {
                            "GET" => entry.query.contains('{'),
                            _ => matches!(entry.body, Body::Fields(f) if f.iter().any(|(_, v)| v.contains('{'))),
                        };
                    if !named && pos.is_some_and(|p| p != Pos::Own) {
                        continue;
                    }
                    let (kind, pos) = if named { (entry.kind, pos) } else { (Plain, None) };
                    let mut want = expect(need, method == "GET", actor.role, kind, pos);
                    if want == Expect::Allowed
                        && !entry.acts_on.is_empty()
                        && pos.is_some_and(|p| !entry.acts_on.contains(&p))
                    {
                        want = Expect::Denied;
                    }
                    let (client, token) = if entry.fresh && actor.role.is_some() {
                        let a = self::actor(&app, actor.name, actor.role).await;
                        (a.client, a.token)
                    } else {
                        (actor.client.clone(), actor.token.clone())
                    };
                    requests += 1;
                    // A refused write leaves no trace: the audit log, which
                    // every write appends to, gains no entry.
                    let strict_post = method == "POST" && entry.strict;
                    let audited = if method == "POST" && want == Expect::Denied && !entry.fresh {
                        Some(audit_total(&app).await)
                    } else {
                        None
                    };
                    let res = if method == "GET" {
                        client
                            .get(app.url(&format!("{path}{}", fill(entry.query, &values))))
                            .send()
                            .await
                    } else {
                        let url = app.url(&path);
                        match entry.body {
                            Body::Fields(fields) => {
                                let form: Vec<(String, String)> =
                                    fields.iter().map(|(k, v)| (k.to_string(), fill(v, &values))).collect();
                                client.post(url).header("x-csrf-token", &token).form(&form).send().await
                            }
                            Body::Upload(fields) => {
                                let mut form = Form::new();
                                for (k, v) in fields {
                                    form = form.text(*k, fill(v, &values));
                                }
                                if !fields.iter().any(|(k, _)| *k == "note") {
                                    form = form.text("note", "矩阵");
                                }
                                // A valid body carries evidence of an allowed kind.
                                let file = if entry.strict {
                                    Part::bytes(b"%PDF-1.4\n%matrix\n".to_vec()).file_name("x.pdf")
                                } else {
                                    Part::bytes(b"matrix".to_vec()).file_name("x.txt")
                                };
                                let form = form.part("file", file);
                                client.post(format!("{url}?_csrf={token}")).multipart(form).send().await
                            }
                            Body::Json => {
                                client
                                    .post(url)
                                    .header("x-csrf-token", &token)
                                    .header("content-type", "application/json")
                                    .body("{}")
                                    .send()
                                    .await
                            }
                        }
                    }
                    .unwrap();
                    let status = res.status();
                    let location = res
                        .headers()
                        .get("location")
                        .and_then(|l| l.to_str().ok())
                        .unwrap_or("")
                        .to_string();
                    let to_login = status == StatusCode::SEE_OTHER && location.starts_with("/login");
                    let refused = matches!(status.as_u16(), 403 | 404);
                    let not_done = refused || matches!(status.as_u16(), 400 | 405 | 413 | 415 | 422);
                    let good = match want {
                        Expect::Fine => !status.is_server_error(),
                        Expect::Login => to_login || matches!(status.as_u16(), 401 | 403),
                        Expect::Ok if entry.redirects => status == StatusCode::SEE_OTHER && !to_login,
                        Expect::Ok => status == StatusCode::OK,
                        Expect::Denied if method == "GET" || entry.strict => refused,
                        Expect::Denied => not_done,
                        // With a valid body, a permitted actor is neither refused nor told the
                        // record is not there (the form may still ask to fix a state, e.g. a
                        // duty already ended by the actor before).
                        Expect::Allowed if entry.strict => {
                            !refused && !status.is_server_error() && (!to_login || entry.logout)
                        }
                        Expect::Allowed => {
                            status != StatusCode::FORBIDDEN && !status.is_server_error() && (!to_login || entry.logout)
                        }
                    };
                    if strict_post && want == Expect::Allowed {
                        tried.entry(entry.path).or_insert_with(Vec::new).push(status.as_u16());
                        if status.is_success() || (status.is_redirection() && !to_login) {
                            accepted.insert(entry.path);
                        }
                    }
                    if let Some(before) = audited {
                        let after = audit_total(&app).await;
                        if after != before {
                            failures.push(format!(
                                "{method} {path} as {} ({:?}) on {:?}: refused with {status} but the audit log grew by {}",
                                actor.name,
                                actor.role,
                                pos,
                                after - before
                            ));
                        }
                    }
                    if !good {
                        let body = res.text().await.unwrap_or_default();
                        let title = body
                            .split("<title>")
                            .nth(1)
                            .and_then(|t| t.split("</title>").next())
                            .unwrap_or("")
                            .to_string();
                        failures.push(format!(
                            "{method} {path} as {} ({:?}) on {:?}: wanted {want:?}, got {status} {location} {title}",
                            actor.name, actor.role, pos
                        ));
                    }
                }
            }
        }
    }
    // The audit count the refusals are checked against does see the permitted writes.
    assert!(
        audit_total(&app).await > audit_start,
        "the permitted writes left no audit entries"
    );
    for (path, statuses) in &tried {
        if !accepted.contains(path) {
            failures.push(format!(
                "POST {path}: the strict body was never accepted (answers {statuses:?}), so it proves nothing"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {requests} requests broke the rules:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// How many entries the audit log holds.
async fn audit_total(app: &TestApp) -> i64 {
    app.store
        .audit_entries(
            &Scope::console(app.county.id),
            &shoutu_store::AuditFilter::default(),
            shoutu_domain::PageRequest { page: 1, per_page: 1 },
        )
        .await
        .unwrap()
        .total
}
