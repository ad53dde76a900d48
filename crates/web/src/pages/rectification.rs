//! 整改: the list (by state, 逾期 flagged in words and colour, reminders before deadlines) and
//! the item page, where the owner reports progress, uploads evidence and submits, and the
//! inspecting side accepts (销号), returns, or reopens after a re-check.

use crate::AppState;
use crate::auth::Auth;
use crate::chrome::{Chrome, chrome};
use crate::error::AppError;
use crate::extract::{Form, Id, Query};
use crate::pages::assessment::NAV;
use crate::pages::evidence;
use crate::pages::{SavedQuery, Submitted, query_string, see_other, settle, unprocessable};
use crate::upload;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, State};
use axum::response::Response;
use serde::Deserialize;
use shoutu_domain::attachment::Attachment;
use shoutu_domain::rectification::{NewRectification, Rectification, Source, State as RectState, Step};
use shoutu_domain::{Action, FieldError, Unit, UnitId};
use shoutu_store::RectificationFilter;

pub struct Row {
    pub item: Rectification,
    pub state: &'static str,
    pub css: &'static str,
    pub due_soon: bool,
}

fn rows(items: Vec<Rectification>, today: chrono::NaiveDate) -> Vec<Row> {
    items
        .into_iter()
        .map(|item| {
            let (state, css) = item.display(today);
            Row {
                state,
                css,
                due_soon: item.due_soon(today),
                item,
            }
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "rectifications/list.html")]
pub(crate) struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
    reminders: Vec<Row>,
    states: Vec<(&'static str, &'static str)>,
    state: String,
    overdue: bool,
    export: String,
    can_score: bool,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    state: Option<String>,
    overdue: Option<String>,
}

fn filter_of(q: &ListQuery) -> RectificationFilter {
    RectificationFilter {
        state: q.state.as_deref().and_then(RectState::from_code),
        overdue: q.overdue.as_deref().is_some_and(|v| !v.is_empty()),
        owner: None,
    }
}

pub async fn list(State(state): State<AppState>, auth: Auth, Query(q): Query<ListQuery>) -> Result<ListPage, AppError> {
    let today = state.today();
    let items = state.store.rectifications(&auth.scope, &filter_of(&q)).await?;
    let all = state
        .store
        .rectifications(&auth.scope, &RectificationFilter::default())
        .await?;
    let reminders = rows(all.into_iter().filter(|i| i.due_soon(today)).collect(), today);
    let state_code = q.state.clone().unwrap_or_default();
    let overdue = filter_of(&q).overdue;
    Ok(ListPage {
        chrome: chrome(&state, &auth, NAV, "整改").await?,
        rows: rows(items, today),
        reminders,
        states: RectState::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        export: query_string(&[("state", &state_code), ("overdue", if overdue { "1" } else { "" })]),
        state: state_code,
        overdue,
        can_score: auth.can(Action::Score),
    })
}

/// 整改台账 as Excel: what the list shows.
pub async fn export(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let today = state.today();
    let items = state.store.rectifications(&auth.scope, &filter_of(&q)).await?;
    let table: Vec<Vec<String>> = items
        .iter()
        .map(|i| {
            vec![
                i.title.clone(),
                i.owner_name.clone(),
                i.issuer_name.clone(),
                i.source.label().to_string(),
                i.measures.clone(),
                i.deadline.to_string(),
                i.display(today).0.to_string(),
                i.closed_on.map_or(String::new(), |d| d.to_string()),
                i.evidence.to_string(),
            ]
        })
        .collect();
    crate::pages::ledger_excel::table_download(
        "整改台账",
        &[
            "整改事项",
            "责任单位",
            "交办单位",
            "来源",
            "整改措施",
            "整改时限",
            "状态",
            "销号日期",
            "佐证材料数",
        ],
        &table,
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "rectifications/detail.html")]
pub(crate) struct DetailPage {
    chrome: Chrome,
    item: Rectification,
    state: &'static str,
    css: &'static str,
    due_soon: bool,
    files: Vec<Attachment>,
    source_link: Option<String>,
    owner_side: bool,
    inspector_side: bool,
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
    let item = state.store.rectification(&auth.scope, id).await?;
    let tree = state.store.unit_tree(&auth.scope).await?;
    let today = state.today();
    let (label, css) = item.display(today);
    let open = item.state != RectState::Closed;
    Ok(DetailPage {
        chrome: chrome(state, auth, NAV, item.title.clone()).await?,
        files: state.store.attachments_of(&auth.scope, "rectification", id).await?,
        owner_side: open && auth.can(Action::Write) && tree.iter().any(|u| u.id == item.owner_unit_id),
        inspector_side: auth.can(Action::Score) && tree.iter().any(|u| u.id == item.issuer_unit_id),
        source_link: crate::record_link::href(item.source.code(), item.source_id),
        state: label,
        css,
        due_soon: item.due_soon(today),
        item,
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

async fn back<T>(state: &AppState, auth: &Auth, id: i64, outcome: Submitted<T>) -> Result<Response, AppError> {
    match outcome {
        Submitted::Saved(_) => Ok(see_other(format!("/rectifications/{id}?saved=1"))),
        Submitted::Fix(e) => Ok(unprocessable(
            detail_page(state, auth, id, false, Some(e.to_string())).await?,
        )),
    }
}

#[derive(Deserialize)]
pub struct StepForm {
    #[serde(default)]
    step: String,
    #[serde(default)]
    note: String,
}

pub async fn step(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(form): Form<StepForm>,
) -> Result<Response, AppError> {
    let outcome = match Step::parse(&form.step) {
        Ok(step) => settle(state.store.rectification_step(&auth.scope, id, step, &form.note).await)?,
        Err(e) => Submitted::Fix(e),
    };
    back(&state, &auth, id, outcome).await
}

/// Evidence files from the owner, checked before anything is stored.
pub async fn add_evidence(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    multipart: Multipart,
) -> Result<Response, AppError> {
    auth.require(Action::Write)?;
    state.store.rectification(&auth.scope, id).await?;
    let form = upload::read(multipart).await?;
    let checked = match evidence::check(&state, &form.files, "佐证材料") {
        Ok(c) => c,
        Err(e) => return back(&state, &auth, id, Submitted::<()>::Fix(e)).await,
    };
    if form.files.is_empty() {
        return back(
            &state,
            &auth,
            id,
            Submitted::<()>::Fix(FieldError::new("佐证材料", "请选择要上传的文件")),
        )
        .await;
    }
    let files = checked.save(&state, "rectification", id)?;
    let outcome = settle(
        state
            .store
            .add_rectification_evidence(&auth.scope, id, files, form.get("note"))
            .await,
    )?;
    back(&state, &auth, id, outcome).await
}

#[derive(Template, WebTemplate)]
#[template(path = "rectifications/new.html")]
pub(crate) struct NewPage {
    chrome: Chrome,
    units: Vec<Unit>,
    sources: Vec<(&'static str, &'static str)>,
    values: NewForm,
    today: String,
    error: Option<String>,
}

/// An item from a 研判 meeting's 整改清单, an incident review or an assessment deduction;
/// findings make their own items on the inspection page.
#[derive(Deserialize, Default, Clone)]
pub struct NewForm {
    #[serde(default)]
    owner: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    source_id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    measures: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    required_evidence: String,
}

async fn new_page(state: &AppState, auth: &Auth, values: NewForm, error: Option<String>) -> Result<NewPage, AppError> {
    Ok(NewPage {
        chrome: chrome(state, auth, NAV, "交办整改事项").await?,
        units: state
            .store
            .unit_tree(&auth.scope)
            .await?
            .into_iter()
            .filter(|u| u.depth >= 1 && u.depth <= 2)
            .collect(),
        sources: Source::ALL
            .iter()
            .filter(|s| **s != Source::Finding)
            .map(|s| (s.code(), s.label()))
            .collect(),
        values,
        today: state.today().to_string(),
        error,
    })
}

pub async fn new_form(
    State(state): State<AppState>,
    auth: Auth,
    Query(values): Query<NewForm>,
) -> Result<NewPage, AppError> {
    auth.require(Action::Score)?;
    new_page(&state, &auth, values, None).await
}

/// The source record must be one the scope can see.
async fn check_source(state: &AppState, auth: &Auth, source: Source, id: i64) -> Result<(), AppError> {
    match source {
        Source::Meeting => {
            state
                .store
                .activity(&auth.scope, shoutu_domain::ledger::ActivityId(id))
                .await?;
        }
        Source::Assessment => {
            state.store.round(&auth.scope, id).await?;
        }
        Source::Finding => {
            state.store.finding_inspection(&auth.scope, id).await?;
        }
        // Incidents live in the opinion register; their ids are taken as given.
        Source::Incident => {}
    }
    Ok(())
}

pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<NewForm>,
) -> Result<Response, AppError> {
    auth.require(Action::Score)?;
    let parsed = (|| {
        let owner = form
            .owner
            .trim()
            .parse::<i64>()
            .map_err(|_| FieldError::new("责任单位", "请选择责任单位"))?;
        let source = Source::from_code(form.source.trim()).ok_or_else(|| FieldError::new("来源", "请选择来源"))?;
        let source_id = form
            .source_id
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|i| *i > 0)
            .ok_or_else(|| FieldError::new("来源记录编号", "应为正整数"))?;
        NewRectification::parse(
            UnitId(owner),
            source,
            source_id,
            &form.title,
            &form.measures,
            &form.deadline,
            &form.required_evidence,
            state.today(),
        )
    })();
    let outcome = match parsed {
        Ok(item) => {
            check_source(&state, &auth, item.source, item.source_id).await?;
            settle(state.store.create_rectification(&auth.scope, item).await)?
        }
        Err(e) => Submitted::Fix(e),
    };
    match outcome {
        Submitted::Saved(item) => Ok(see_other(format!("/rectifications/{}?saved=1", item.id))),
        Submitted::Fix(e) => Ok(unprocessable(new_page(&state, &auth, form, Some(e.to_string())).await?)),
    }
}

/// For the dashboard: 整改率 this year, overdue items.
pub(crate) struct DashboardCard {
    pub rate: shoutu_domain::fact::Fact,
    pub rate_link: String,
    pub overdue: Vec<Rectification>,
    pub due_soon: usize,
    /// Rounds still open, for the round status line.
    pub open_rounds: Vec<shoutu_domain::assessment::Round>,
}

pub(crate) async fn dashboard_card(state: &AppState, auth: &Auth) -> Result<DashboardCard, AppError> {
    let today = state.today();
    let range = shoutu_domain::fact::DateRange::year(chrono::Datelike::year(&today));
    let rate = state
        .store
        .fact(&auth.scope, "rectification.closed_rate", auth.scope.root, range)
        .await?;
    let all = state
        .store
        .rectifications(&auth.scope, &RectificationFilter::default())
        .await?;
    Ok(DashboardCard {
        rate_link: crate::pages::facts::fact_href(
            "rectification.closed_rate",
            auth.scope.root,
            shoutu_domain::fact::DateRange::new(range.from, range.until),
        ),
        rate,
        due_soon: all.iter().filter(|i| i.due_soon(today)).count(),
        open_rounds: state
            .store
            .rounds(&auth.scope)
            .await?
            .into_iter()
            .filter(|r| r.state == shoutu_domain::assessment::RoundState::Open)
            .collect(),
        overdue: all.into_iter().filter(|i| i.overdue(today)).take(10).collect(),
    })
}
