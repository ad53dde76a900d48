//! 领导小组与职责分工: the unit's responsibility holders on any day, their history, and
//! appointments and departures as they happen.

use crate::AppState;
use crate::auth::Auth;
use crate::chrome::{Chrome, Nav, chrome};
use crate::error::AppError;
use crate::extract::{Form, Id, Query};
use crate::pages::people::people_of;
use crate::pages::{Submitted, see_other, settle, unprocessable};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;
use chrono::NaiveDate;
use serde::Deserialize;
use shoutu_domain::duty::{Duty, DutyRole, NewDuty};
use shoutu_domain::{Action, FieldError, Person, Unit};

#[derive(Template, WebTemplate)]
#[template(path = "duties.html")]
pub(crate) struct DutiesPage {
    chrome: Chrome,
    unit: Unit,
    on: NaiveDate,
    current: Vec<Duty>,
    history: Vec<Duty>,
    people: Vec<Person>,
    roles: Vec<(&'static str, &'static str)>,
    today: String,
    can_write: bool,
    error: Option<FieldError>,
}

#[derive(Deserialize)]
pub struct OnQuery {
    on: Option<String>,
}

async fn page(state: &AppState, auth: &Auth, on: NaiveDate, error: Option<FieldError>) -> Result<DutiesPage, AppError> {
    let unit = state.store.unit(&auth.scope, auth.scope.root).await?;
    Ok(DutiesPage {
        chrome: chrome(state, auth, Nav::Module("zeren"), "领导小组与职责分工").await?,
        current: state.store.duties(&auth.scope, unit.id, Some(on)).await?,
        history: state.store.duties(&auth.scope, unit.id, None).await?,
        people: people_of(state, auth, unit.id).await?,
        roles: DutyRole::ALL.iter().map(|r| (r.code(), r.label())).collect(),
        today: state.today().to_string(),
        can_write: auth.can(Action::Write),
        unit,
        on,
        error,
    })
}

pub async fn view(State(state): State<AppState>, auth: Auth, Query(q): Query<OnQuery>) -> Result<DutiesPage, AppError> {
    let on = crate::extract::opt_date("查询日期", q.on.as_deref())?.unwrap_or_else(|| state.today());
    page(&state, &auth, on, None).await
}

#[derive(Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    person: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    portfolio: String,
    #[serde(default)]
    duties: String,
    #[serde(default)]
    start: String,
}

pub async fn assign(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<AssignForm>,
) -> Result<Response, AppError> {
    auth.require(Action::Write)?;
    let outcome = match form.person.trim().parse::<i64>() {
        Err(_) => Submitted::Fix(FieldError::new("人员", "请选择人员")),
        Ok(person) => match NewDuty::parse(
            auth.scope.root,
            person,
            &form.role,
            &form.portfolio,
            &form.duties,
            &form.start,
        ) {
            Ok(duty) => settle(state.store.assign_duty(&auth.scope, duty).await)?,
            Err(e) => Submitted::Fix(e),
        },
    };
    match outcome {
        Submitted::Saved(_) => Ok(see_other("/duties")),
        Submitted::Fix(e) => Ok(unprocessable(page(&state, &auth, state.today(), Some(e)).await?)),
    }
}

#[derive(Deserialize)]
pub struct EndForm {
    #[serde(default)]
    last_day: String,
}

pub async fn end(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(form): Form<EndForm>,
) -> Result<Response, AppError> {
    auth.require(Action::Write)?;
    let outcome = match NaiveDate::parse_from_str(form.last_day.trim(), "%Y-%m-%d") {
        Ok(day) => settle(state.store.end_duty(&auth.scope, id, day).await)?,
        Err(_) => Submitted::Fix(FieldError::new("离任日期", "应为日期，例如 2026-06-30")),
    };
    match outcome {
        Submitted::Saved(_) => Ok(see_other("/duties")),
        Submitted::Fix(e) => Ok(unprocessable(page(&state, &auth, state.today(), Some(e)).await?)),
    }
}

/// 职责分工台账: the unit's whole history.
pub async fn export(State(state): State<AppState>, auth: Auth) -> Result<Response, AppError> {
    let unit = state.store.unit(&auth.scope, auth.scope.root).await?;
    let history = state.store.duties(&auth.scope, unit.id, None).await?;
    let rows: Vec<Vec<String>> = history
        .iter()
        .map(|d| {
            vec![
                d.role.label().to_string(),
                d.person_name.clone(),
                d.post.clone(),
                d.portfolio.clone(),
                d.duties.clone(),
                d.start.to_string(),
                d.end.map(|e| e.to_string()).unwrap_or_else(|| "在任".into()),
            ]
        })
        .collect();
    crate::pages::ledger_excel::table_download(
        &format!("{}职责分工台账", unit.name),
        &[
            "职责",
            "姓名",
            "职务",
            "分管领域",
            "意识形态工作职责",
            "任职日期",
            "卸任日期",
        ],
        &rows,
    )
}
