//! 督查: plans (which unit, when, what to check, routine or unannounced), the visit record, and
//! findings; each finding becomes a rectification item for the inspected unit.

use crate::AppState;
use crate::auth::Auth;
use crate::chrome::{Chrome, chrome};
use crate::error::AppError;
use crate::extract::{Form, Id, Query};
use crate::pages::assessment::NAV;
use crate::pages::{SavedQuery, Submitted, see_other, settle, unprocessable};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;
use chrono::{Duration, NaiveDate};
use serde::Deserialize;
use shoutu_domain::inspection::{CATEGORIES, Inspection, NewFinding, NewInspection, Severity, Visit};
use shoutu_domain::{Action, FieldError, Unit, UnitId};

#[derive(Template, WebTemplate)]
#[template(path = "inspections/list.html")]
pub(crate) struct ListPage {
    chrome: Chrome,
    inspections: Vec<Inspection>,
    units: Vec<Unit>,
    today: String,
    can_score: bool,
    error: Option<String>,
}

async fn list_page(state: &AppState, auth: &Auth, error: Option<String>) -> Result<ListPage, AppError> {
    Ok(ListPage {
        chrome: chrome(state, auth, NAV, "督查").await?,
        inspections: state.store.inspections(&auth.scope).await?,
        units: state
            .store
            .unit_tree(&auth.scope)
            .await?
            .into_iter()
            .filter(|u| u.depth >= 1 && u.depth <= 2)
            .collect(),
        today: state.today().to_string(),
        can_score: auth.can(Action::Score),
        error,
    })
}

pub async fn list(State(state): State<AppState>, auth: Auth) -> Result<ListPage, AppError> {
    list_page(&state, &auth, None).await
}

#[derive(Deserialize)]
pub struct PlanForm {
    /// Several units may be checked under one plan.
    #[serde(default)]
    unit: Vec<String>,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    planned_on: String,
    #[serde(default)]
    subject: String,
}

pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<PlanForm>,
) -> Result<Response, AppError> {
    auth.require(Action::Score)?;
    let parsed: Result<Vec<NewInspection>, FieldError> = form
        .unit
        .iter()
        .filter(|u| !u.trim().is_empty())
        .map(|u| match u.trim().parse::<i64>() {
            Err(_) => Err(FieldError::new("被督查单位", "请选择被督查单位")),
            Ok(unit) => NewInspection::parse(UnitId(unit), &form.kind, &form.planned_on, &form.subject),
        })
        .collect();
    let outcome = match parsed {
        Ok(plans) if plans.is_empty() => Submitted::Fix(FieldError::new("被督查单位", "请选择被督查单位")),
        Ok(plans) => settle(state.store.create_inspections(&auth.scope, plans).await)?,
        Err(e) => Submitted::Fix(e),
    };
    match outcome {
        // One unit: its inspection; several: the list.
        Submitted::Saved(ids) if ids.len() == 1 => Ok(see_other(format!("/inspections/{}", ids[0]))),
        Submitted::Saved(_) => Ok(see_other("/inspections")),
        Submitted::Fix(e) => Ok(unprocessable(list_page(&state, &auth, Some(e.to_string())).await?)),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "inspections/detail.html")]
pub(crate) struct DetailPage {
    chrome: Chrome,
    inspection: Inspection,
    categories: &'static [&'static str],
    severities: Vec<(&'static str, &'static str)>,
    today: String,
    default_deadline: String,
    can_inspect: bool,
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
    let inspection = state.store.inspection(&auth.scope, id).await?;
    let tree = state.store.unit_tree(&auth.scope).await?;
    let today = state.today();
    Ok(DetailPage {
        chrome: chrome(state, auth, NAV, format!("督查：{}", inspection.target_name)).await?,
        can_inspect: auth.can(Action::Score) && tree.iter().any(|u| u.id == inspection.unit_id),
        inspection,
        categories: CATEGORIES,
        severities: Severity::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        today: today.to_string(),
        default_deadline: (today + Duration::days(30)).to_string(),
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
        Submitted::Saved(_) => Ok(see_other(format!("/inspections/{id}?saved=1"))),
        Submitted::Fix(e) => Ok(unprocessable(
            detail_page(state, auth, id, false, Some(e.to_string())).await?,
        )),
    }
}

#[derive(Deserialize)]
pub struct VisitForm {
    #[serde(default)]
    visited_on: String,
    #[serde(default)]
    record: String,
}

pub async fn visit(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(form): Form<VisitForm>,
) -> Result<Response, AppError> {
    auth.require(Action::Score)?;
    let outcome = match Visit::parse(&form.visited_on, &form.record, state.today()) {
        Ok(v) => settle(state.store.record_visit(&auth.scope, id, v).await)?,
        Err(e) => Submitted::Fix(e),
    };
    back(&state, &auth, id, outcome).await
}

#[derive(Deserialize)]
pub struct FindingForm {
    #[serde(default)]
    category: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    measures: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    required_evidence: String,
}

pub async fn finding(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(form): Form<FindingForm>,
) -> Result<Response, AppError> {
    auth.require(Action::Score)?;
    let parsed = NewFinding::parse(&form.category, &form.severity, &form.description).and_then(|f| {
        NaiveDate::parse_from_str(form.deadline.trim(), "%Y-%m-%d")
            .map(|d| (f, d))
            .map_err(|_| FieldError::new("整改时限", "应为日期，例如 2026-06-30"))
    });
    let outcome = match parsed {
        Ok((f, deadline)) => settle(
            state
                .store
                .add_finding(&auth.scope, id, f, &form.measures, deadline, &form.required_evidence)
                .await,
        )?,
        Err(e) => Submitted::Fix(e),
    };
    back(&state, &auth, id, outcome).await
}

/// Where a finding's record link leads: its inspection.
pub async fn finding_link(State(state): State<AppState>, auth: Auth, Id(id): Id) -> Result<Response, AppError> {
    let inspection = state.store.finding_inspection(&auth.scope, id).await?;
    Ok(see_other(format!("/inspections/{inspection}")))
}
