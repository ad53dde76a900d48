//! 年度工作实施方案: items with lead, responsible unit and deadline, decomposed into tasks for
//! units below; each task reports progress, and its state follows from that and the date.

use crate::AppState;
use crate::auth::Auth;
use crate::chrome::{Chrome, Nav, chrome};
use crate::error::AppError;
use crate::extract::{Form, Id, Query, opt_int};
use crate::pages::evidence;
use crate::pages::people::people_of;
use crate::pages::{SavedQuery, Submitted, YearQuery, see_other, settle, unprocessable};
use crate::upload;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, State};
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use shoutu_domain::attachment::Attachment;
use shoutu_domain::plan::{NewPlanItem, NewTask, NewUpdate, PlanItem, Task};
use shoutu_domain::unit::subtree_ids;
use shoutu_domain::{Action, FieldError, Person, Unit, UnitId};

const NAV: Nav = Nav::Module("zeren");

pub struct TaskView {
    pub task: Task,
    pub evidence: Vec<Attachment>,
    pub state: &'static str,
    pub css: &'static str,
    pub can_update: bool,
}

pub struct ItemView {
    pub item: PlanItem,
    pub tasks: Vec<TaskView>,
}

fn views(state: &AppState, auth: &Auth, items: Vec<PlanItem>, tree: &[Unit]) -> Vec<ItemView> {
    let today = state.today();
    let write = auth.can(Action::Write);
    items
        .into_iter()
        .map(|mut item| ItemView {
            tasks: std::mem::take(&mut item.tasks)
                .into_iter()
                .map(|task| {
                    let s = task.state(today);
                    TaskView {
                        evidence: Vec::new(),
                        can_update: write && task.done_on.is_none() && tree.iter().any(|u| u.id == task.unit_id),
                        state: s.label(),
                        css: s.css(),
                        task,
                    }
                })
                .collect(),
            item,
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "plans/list.html")]
pub(crate) struct ListPage {
    chrome: Chrome,
    year: i32,
    items: Vec<ItemView>,
    can_write: bool,
}

pub async fn list(State(state): State<AppState>, auth: Auth, Query(q): Query<YearQuery>) -> Result<ListPage, AppError> {
    let year = q.year_or(state.today())?;
    let items = state.store.plan_items(&auth.scope, year).await?;
    let tree = state.store.unit_tree(&auth.scope).await?;
    Ok(ListPage {
        chrome: chrome(&state, &auth, NAV, "年度工作实施方案").await?,
        items: views(&state, &auth, items, &tree),
        year,
        can_write: auth.can(Action::Write),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "plans/form.html")]
pub(crate) struct FormPage {
    chrome: Chrome,
    units: Vec<Unit>,
    people: Vec<Person>,
    values: ItemForm,
    error: Option<FieldError>,
}

#[derive(Deserialize, Default, Clone)]
pub struct ItemForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    lead: String,
    #[serde(default)]
    responsible: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    expected_output: String,
}

async fn form_page(
    state: &AppState,
    auth: &Auth,
    values: ItemForm,
    error: Option<FieldError>,
) -> Result<FormPage, AppError> {
    Ok(FormPage {
        chrome: chrome(state, auth, NAV, "新增方案事项").await?,
        units: state
            .store
            .unit_tree(&auth.scope)
            .await?
            .into_iter()
            .filter(|u| u.depth <= 1)
            .collect(),
        people: people_of(state, auth, auth.scope.root).await?,
        values,
        error,
    })
}

pub async fn new_form(State(state): State<AppState>, auth: Auth) -> Result<FormPage, AppError> {
    auth.require(Action::Write)?;
    let values = ItemForm {
        year: state.today().year().to_string(),
        responsible: auth.scope.root.to_string(),
        ..Default::default()
    };
    form_page(&state, &auth, values, None).await
}

pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<ItemForm>,
) -> Result<Response, AppError> {
    auth.require(Action::Write)?;
    let lead = opt_int("牵头领导", Some(&form.lead))?;
    let responsible = opt_int("责任单位", Some(&form.responsible))?.map_or(auth.scope.root, UnitId);
    let parsed = NewPlanItem::parse(
        auth.scope.root,
        &form.year,
        &form.title,
        lead,
        responsible,
        &form.deadline,
        &form.expected_output,
    );
    let outcome = match parsed {
        Ok(item) => settle(state.store.create_plan_item(&auth.scope, item).await)?,
        Err(e) => Submitted::Fix(e),
    };
    match outcome {
        Submitted::Saved(item) => Ok(see_other(format!("/plans/{}?saved=1", item.id))),
        Submitted::Fix(e) => Ok(unprocessable(form_page(&state, &auth, form, Some(e)).await?)),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "plans/detail.html")]
pub(crate) struct DetailPage {
    chrome: Chrome,
    view: ItemView,
    units: Vec<Unit>,
    today: String,
    can_decompose: bool,
    saved: bool,
    error: Option<String>,
}

async fn detail_page(
    state: &AppState,
    auth: &Auth,
    id: i64,
    saved: bool,
    error: Option<String>,
) -> Result<DetailPage, AppError> {
    let item = state.store.plan_item(&auth.scope, id).await?;
    let tree = state.store.unit_tree(&auth.scope).await?;
    let owner_side = tree
        .iter()
        .any(|u| u.id == item.unit_id || u.id == item.responsible_unit);
    // Tasks go to units below the responsible one.
    let inside = subtree_ids(&tree, item.responsible_unit);
    let below: Vec<Unit> = tree
        .iter()
        .filter(|u| u.id != item.responsible_unit && inside.contains(&u.id))
        .cloned()
        .collect();
    let title = item.title.clone();
    let mut view = views(state, auth, vec![item], &tree).remove(0);
    for t in &mut view.tasks {
        t.evidence = state.store.attachments_of(&auth.scope, "task", t.task.id).await?;
    }
    Ok(DetailPage {
        chrome: chrome(state, auth, NAV, title).await?,
        view,
        units: below,
        today: state.today().to_string(),
        can_decompose: owner_side && auth.can(Action::Write),
        saved,
        error,
    })
}

pub async fn detail(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Query(q): Query<SavedQuery>,
) -> Result<DetailPage, AppError> {
    detail_page(&state, &auth, id, q.saved.is_some(), None).await
}

async fn back(state: &AppState, auth: &Auth, item: i64, outcome: Submitted<Task>) -> Result<Response, AppError> {
    match outcome {
        Submitted::Saved(_) => Ok(see_other(format!("/plans/{item}?saved=1"))),
        Submitted::Fix(e) => Ok(unprocessable(
            detail_page(state, auth, item, false, Some(e.to_string())).await?,
        )),
    }
}

#[derive(Deserialize)]
pub struct TaskForm {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    deadline: String,
}

pub async fn add_task(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(form): Form<TaskForm>,
) -> Result<Response, AppError> {
    auth.require(Action::Write)?;
    let item = state.store.plan_item(&auth.scope, id).await?;
    let outcome = match form.unit.trim().parse::<i64>() {
        Err(_) => Submitted::Fix(FieldError::new("承担单位", "请选择承担单位")),
        Ok(unit) => match NewTask::parse(&item, UnitId(unit), &form.title, &form.deadline) {
            Ok(task) => settle(state.store.add_task(&auth.scope, task).await)?,
            Err(e) => Submitted::Fix(e),
        },
    };
    back(&state, &auth, id, outcome).await
}

/// A progress report, with evidence files if any (checked before anything is stored).
pub async fn update_task(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    multipart: Multipart,
) -> Result<Response, AppError> {
    auth.require(Action::Write)?;
    let task = state.store.task(&auth.scope, id).await?;
    let form = upload::read(multipart).await?;
    let files = match evidence::check(&state, &form.files, "佐证材料") {
        Ok(checked) => checked,
        Err(e) => return back(&state, &auth, task.item_id, Submitted::Fix(e)).await,
    };
    let parsed = NewUpdate::parse(
        form.get("date"),
        form.get("note"),
        !form.get("done").is_empty(),
        state.today(),
    );
    let outcome = match parsed {
        Ok(update) => settle(state.store.update_task(&auth.scope, id, update).await)?,
        Err(e) => Submitted::Fix(e),
    };
    if let Submitted::Saved(saved) = &outcome {
        for file in files.save(&state, "task", saved.id)? {
            state.store.add_attachment(&auth.scope, saved.unit_id, file).await?;
        }
    }
    back(&state, &auth, task.item_id, outcome).await
}

/// Overdue tasks for the dashboard: unfinished and past their deadline.
pub(crate) async fn overdue(state: &AppState, auth: &Auth) -> Result<Vec<Task>, AppError> {
    let yesterday: NaiveDate = state.today().pred_opt().unwrap_or(state.today());
    Ok(state.store.open_tasks_due(&auth.scope, yesterday).await?)
}

/// 任务台账: every item and task of the year visible here, with state and latest progress.
pub async fn export(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    let year = q.year_or(state.today())?;
    let today = state.today();
    let items = state.store.plan_items(&auth.scope, year).await?;
    let mut rows = Vec::new();
    for item in &items {
        if item.tasks.is_empty() {
            rows.push(vec![
                item.title.clone(),
                item.responsible_name.clone(),
                item.deadline.to_string(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
        for t in &item.tasks {
            rows.push(vec![
                item.title.clone(),
                item.responsible_name.clone(),
                item.deadline.to_string(),
                t.title.clone(),
                t.unit_name.clone(),
                t.deadline.to_string(),
                t.state(today).label().to_string(),
                t.last_note.clone().unwrap_or_default(),
            ]);
        }
    }
    crate::pages::ledger_excel::table_download(
        &format!("{year}年度工作实施方案任务台账"),
        &[
            "事项",
            "责任单位",
            "事项时限",
            "任务",
            "承担单位",
            "任务时限",
            "状态",
            "最新进展",
        ],
        &rows,
    )
}
