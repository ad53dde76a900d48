//! Handling: incidents (opened from an alert or by hand) with their step form, evidence,
//! checklist from a 预案 and full timeline; contingency plans; risk points and grievances.

use super::{NAV, level_css, local};
use crate::AppState;
use crate::auth::Auth;
use crate::chrome::{Chrome, chrome};
use crate::error::AppError;
use crate::extract::{Form, Id, Query};
use crate::pages::evidence;
use crate::pages::{SavedQuery, Submitted, see_other, settle, unprocessable};
use crate::upload;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use shoutu_domain::attachment::Attachment;
use shoutu_domain::opinion::{
    ContingencyPlan, Grievance, Incident, IncidentStep, NewContingencyPlan, NewGrievance, NewIncident, NewRiskPoint,
    NewStep, RiskLevel, RiskPoint, RiskStatus, SeverityLevel, Stage,
};
use shoutu_domain::{Action, FieldError, Unit, UnitId};

/// An incident as lists show it: level, stage, age and deadline state in words.
pub struct IncidentRow {
    pub incident: Incident,
    pub level_css: &'static str,
    pub discovered: String,
    pub age_hours: i64,
    pub due: String,
    /// 已上报 · 响应逾期 / 按时 …
    pub state: String,
    pub late: bool,
    /// Reported to the supervising unit: seen from above the incident's own unit.
    pub escalated: bool,
}

pub(crate) fn incident_row(incident: Incident, now: DateTime<Utc>) -> IncidentRow {
    let overdue = incident.overdue(now);
    let late = incident.overdue_now(now);
    let escalated = incident.escalated(now);
    let state = if late {
        format!("已上报 · {}", overdue.label())
    } else if escalated {
        format!("已上报 · 曾{}", overdue.label())
    } else if incident.stage.is_open() {
        "时限内".to_string()
    } else {
        "按时办结".to_string()
    };
    let due = if incident.responded_at.is_none() {
        format!("响应 {}", local(incident.deadlines.first_response))
    } else {
        format!("办结 {}", local(incident.deadlines.conclusion))
    };
    IncidentRow {
        level_css: level_css(incident.level),
        discovered: local(incident.discovered_at),
        age_hours: incident.age_hours(now),
        due,
        state,
        late,
        escalated,
        incident,
    }
}

#[derive(Deserialize)]
pub struct ListQuery {
    all: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "opinion/incidents.html")]
pub(crate) struct IncidentsPage {
    chrome: Chrome,
    rows: Vec<IncidentRow>,
    all: bool,
    can_write: bool,
}

pub async fn incidents(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> Result<IncidentsPage, AppError> {
    let all = q.all.is_some();
    let now = state.clock.now();
    let list = state.store.incidents(&auth.scope, !all).await?;
    Ok(IncidentsPage {
        chrome: chrome(&state, &auth, NAV, "舆情处置").await?,
        rows: list.into_iter().map(|i| incident_row(i, now)).collect(),
        all,
        can_write: auth.can(Action::Write),
    })
}

#[derive(Deserialize, Default, Clone)]
pub struct IncidentForm {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    risk: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "opinion/incident_new.html")]
pub(crate) struct NewIncidentPage {
    chrome: Chrome,
    units: Vec<Unit>,
    risks: Vec<RiskPoint>,
    levels: Vec<(&'static str, &'static str)>,
    values: IncidentForm,
    error: Option<FieldError>,
}

async fn new_page(
    state: &AppState,
    auth: &Auth,
    values: IncidentForm,
    error: Option<FieldError>,
) -> Result<NewIncidentPage, AppError> {
    Ok(NewIncidentPage {
        chrome: chrome(state, auth, NAV, "登记舆情").await?,
        units: state
            .store
            .unit_tree(&auth.scope)
            .await?
            .into_iter()
            .filter(|u| u.depth <= 2)
            .collect(),
        risks: state.store.risks(&auth.scope).await?,
        levels: SeverityLevel::ALL.iter().map(|l| (l.code(), l.label())).collect(),
        values,
        error,
    })
}

pub async fn new_form(State(state): State<AppState>, auth: Auth) -> Result<NewIncidentPage, AppError> {
    auth.require(Action::Write)?;
    let values = IncidentForm {
        unit: auth.scope.root.to_string(),
        level: "general".into(),
        assignee: auth.user.person_name.clone(),
        ..Default::default()
    };
    new_page(&state, &auth, values, None).await
}

pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<IncidentForm>,
) -> Result<Response, AppError> {
    auth.require(Action::Write)?;
    let unit = form.unit.trim().parse::<i64>().map(UnitId).unwrap_or(auth.scope.root);
    let risk = form.risk.trim().parse::<i64>().ok();
    let parsed = NewIncident::parse(
        unit,
        &form.title,
        &form.summary,
        &form.level,
        state.clock.now(),
        &form.assignee,
        risk,
        &state.opinion_deadlines,
    );
    let outcome = match parsed {
        Ok(i) => settle(state.store.open_incident(&auth.scope, i).await)?,
        Err(e) => Submitted::Fix(e),
    };
    match outcome {
        Submitted::Saved(i) => Ok(see_other(format!("/opinion/incidents/{}?saved=1", i.id))),
        Submitted::Fix(e) => Ok(unprocessable(new_page(&state, &auth, form, Some(e)).await?)),
    }
}

#[derive(Deserialize, Default)]
pub struct FromAlertForm {
    #[serde(default)]
    assignee: String,
}

pub async fn open_from_alert(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(form): Form<FromAlertForm>,
) -> Result<Response, AppError> {
    auth.require(Action::Write)?;
    let assignee = if form.assignee.trim().is_empty() {
        auth.user.person_name.clone()
    } else {
        form.assignee
    };
    let incident = crate::monitoring::open_incident_from_alert(
        &*state.store,
        &auth.scope,
        id,
        &state.opinion_deadlines,
        &assignee,
    )
    .await?;
    Ok(see_other(format!("/opinion/incidents/{}", incident.id)))
}

pub struct StepView {
    pub step: IncidentStep,
    pub at: String,
    pub evidence: Vec<Attachment>,
}

#[derive(Template, WebTemplate)]
#[template(path = "opinion/incident.html")]
pub(crate) struct IncidentPage {
    chrome: Chrome,
    row: IncidentRow,
    steps: Vec<StepView>,
    next: Vec<(&'static str, &'static str)>,
    current: (&'static str, &'static str),
    plans: Vec<ContingencyPlan>,
    first_due: String,
    conclusion_due: String,
    responded: String,
    concluded: String,
    can_write: bool,
    saved: bool,
    error: Option<String>,
}

async fn incident_page(
    state: &AppState,
    auth: &Auth,
    id: i64,
    saved: bool,
    error: Option<String>,
) -> Result<IncidentPage, AppError> {
    let incident = state.store.incident(&auth.scope, id).await?;
    let mut steps = Vec::new();
    for step in &incident.steps {
        steps.push(StepView {
            at: local(step.at),
            evidence: state.store.attachments_of(&auth.scope, "opinion_step", step.id).await?,
            step: step.clone(),
        });
    }
    let stage = incident.stage;
    let next = stage.next().iter().map(|s| (s.code(), s.label())).collect();
    let opt = |t: Option<DateTime<Utc>>| t.map(local).unwrap_or_default();
    Ok(IncidentPage {
        chrome: chrome(state, auth, NAV, incident.title.clone()).await?,
        first_due: local(incident.deadlines.first_response),
        conclusion_due: local(incident.deadlines.conclusion),
        responded: opt(incident.responded_at),
        concluded: opt(incident.concluded_at),
        plans: state.store.plans(&auth.scope).await?,
        row: incident_row(incident, state.clock.now()),
        steps,
        next,
        current: (stage.code(), stage.label()),
        can_write: auth.can(Action::Write) && stage != Stage::Reviewed,
        saved,
        error,
    })
}

pub async fn incident(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Query(q): Query<SavedQuery>,
) -> Result<IncidentPage, AppError> {
    incident_page(&state, &auth, id, q.saved.is_some(), None).await
}

async fn back(state: &AppState, auth: &Auth, id: i64, outcome: Submitted<()>) -> Result<Response, AppError> {
    match outcome {
        Submitted::Saved(()) => Ok(see_other(format!("/opinion/incidents/{id}?saved=1"))),
        Submitted::Fix(e) => Ok(unprocessable(
            incident_page(state, auth, id, false, Some(e.to_string())).await?,
        )),
    }
}

/// A step with its evidence files (checked before anything is stored).
pub async fn add_step(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    multipart: Multipart,
) -> Result<Response, AppError> {
    auth.require(Action::Write)?;
    let incident = state.store.incident(&auth.scope, id).await?;
    let form = upload::read(multipart).await?;
    let files = match evidence::check(&state, &form.files, "佐证材料") {
        Ok(checked) => checked,
        Err(e) => return back(&state, &auth, id, Submitted::Fix(e)).await,
    };
    let outcome = match NewStep::parse(form.get("stage"), form.get("assignee"), form.get("note")) {
        Ok(step) => settle(state.store.add_step(&auth.scope, id, step).await)?,
        Err(e) => Submitted::Fix(e),
    };
    let outcome = match outcome {
        Submitted::Saved(step) => {
            for file in files.save(&state, "opinion_step", step.id)? {
                state.store.add_attachment(&auth.scope, incident.unit_id, file).await?;
            }
            Submitted::Saved(())
        }
        Submitted::Fix(e) => Submitted::Fix(e),
    };
    back(&state, &auth, id, outcome).await
}

#[derive(Deserialize)]
pub struct PlanChoice {
    #[serde(default)]
    plan: String,
}

pub async fn apply_plan(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(form): Form<PlanChoice>,
) -> Result<Response, AppError> {
    auth.require(Action::Write)?;
    let outcome = match form.plan.trim().parse::<i64>() {
        Ok(plan) => settle(state.store.apply_plan(&auth.scope, id, plan).await)?,
        Err(_) => Submitted::Fix(FieldError::new("处置预案", "请选择预案")),
    };
    back(&state, &auth, id, outcome).await
}

#[derive(Deserialize)]
pub struct CheckForm {
    item: i64,
    #[serde(default)]
    done: Option<String>,
}

pub async fn check_item(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(form): Form<CheckForm>,
) -> Result<Response, AppError> {
    auth.require(Action::Write)?;
    let done = form.done.as_deref() == Some("1");
    state.store.check_item(&auth.scope, id, form.item, done).await?;
    Ok(see_other(format!("/opinion/incidents/{id}")))
}

#[derive(Template, WebTemplate)]
#[template(path = "opinion/plans.html")]
pub(crate) struct PlansPage {
    chrome: Chrome,
    plans: Vec<ContingencyPlan>,
    error: Option<FieldError>,
    topic: String,
    items: String,
    can_write: bool,
}

async fn plans_page(
    state: &AppState,
    auth: &Auth,
    topic: String,
    items: String,
    error: Option<FieldError>,
) -> Result<PlansPage, AppError> {
    Ok(PlansPage {
        chrome: chrome(state, auth, NAV, "处置预案").await?,
        plans: state.store.plans(&auth.scope).await?,
        error,
        topic,
        items,
        can_write: auth.can(Action::Write),
    })
}

pub async fn plans(State(state): State<AppState>, auth: Auth) -> Result<PlansPage, AppError> {
    plans_page(&state, &auth, String::new(), String::new(), None).await
}

#[derive(Deserialize)]
pub struct PlanForm {
    #[serde(default)]
    topic: String,
    #[serde(default)]
    items: String,
}

pub async fn create_plan(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<PlanForm>,
) -> Result<Response, AppError> {
    auth.require(Action::Write)?;
    let outcome = match NewContingencyPlan::parse(auth.scope.root, &form.topic, &form.items) {
        Ok(p) => settle(state.store.create_plan(&auth.scope, p).await)?,
        Err(e) => Submitted::Fix(e),
    };
    match outcome {
        Submitted::Saved(_) => Ok(see_other("/opinion/plans")),
        Submitted::Fix(e) => Ok(unprocessable(
            plans_page(&state, &auth, form.topic, form.items, Some(e)).await?,
        )),
    }
}

pub struct RiskRow {
    pub risk: RiskPoint,
    pub review_overdue: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "opinion/risks.html")]
pub(crate) struct RisksPage {
    chrome: Chrome,
    rows: Vec<RiskRow>,
    levels: Vec<(&'static str, &'static str)>,
    error: Option<FieldError>,
    can_write: bool,
}

async fn risks_page(state: &AppState, auth: &Auth, error: Option<FieldError>) -> Result<RisksPage, AppError> {
    let today = state.today();
    Ok(RisksPage {
        chrome: chrome(state, auth, NAV, "风险点台账").await?,
        rows: state
            .store
            .risks(&auth.scope)
            .await?
            .into_iter()
            .map(|risk| RiskRow {
                review_overdue: risk.review_overdue(today),
                risk,
            })
            .collect(),
        levels: RiskLevel::ALL.iter().map(|l| (l.code(), l.label())).collect(),
        error,
        can_write: auth.can(Action::Write),
    })
}

pub async fn risks(State(state): State<AppState>, auth: Auth) -> Result<RisksPage, AppError> {
    risks_page(&state, &auth, None).await
}

#[derive(Deserialize)]
pub struct RiskForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    measures: String,
    #[serde(default)]
    keywords: String,
    #[serde(default)]
    interval: String,
}

pub async fn create_risk(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<RiskForm>,
) -> Result<Response, AppError> {
    auth.require(Action::Write)?;
    let parsed = NewRiskPoint::parse(
        auth.scope.root,
        &form.title,
        &form.level,
        &form.owner,
        &form.measures,
        &form.keywords,
        &form.interval,
        state.today(),
    );
    let outcome = match parsed {
        Ok(r) => settle(state.store.create_risk(&auth.scope, r).await)?,
        Err(e) => Submitted::Fix(e),
    };
    match outcome {
        Submitted::Saved(r) => Ok(see_other(format!("/opinion/risks/{}", r.id))),
        Submitted::Fix(e) => Ok(unprocessable(risks_page(&state, &auth, Some(e)).await?)),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "opinion/risk.html")]
pub(crate) struct RiskPage {
    chrome: Chrome,
    risk: RiskPoint,
    review_overdue: bool,
    grievances: Vec<Grievance>,
    incidents: Vec<IncidentRow>,
    today: String,
    error: Option<FieldError>,
    can_write: bool,
}

async fn risk_page(state: &AppState, auth: &Auth, id: i64, error: Option<FieldError>) -> Result<RiskPage, AppError> {
    let risk = state.store.risk(&auth.scope, id).await?;
    let now = state.clock.now();
    let incidents = state
        .store
        .incidents(&auth.scope, false)
        .await?
        .into_iter()
        .filter(|i| i.risk_point_id == Some(id))
        .map(|i| incident_row(i, now))
        .collect();
    Ok(RiskPage {
        chrome: chrome(state, auth, NAV, risk.title.clone()).await?,
        review_overdue: risk.review_overdue(state.today()),
        grievances: state.store.grievances(&auth.scope, Some(id)).await?,
        incidents,
        risk,
        today: state.today().to_string(),
        error,
        can_write: auth.can(Action::Write),
    })
}

pub async fn risk(State(state): State<AppState>, auth: Auth, Id(id): Id) -> Result<RiskPage, AppError> {
    risk_page(&state, &auth, id, None).await
}

#[derive(Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    status: String,
}

pub async fn review_risk(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(form): Form<ReviewForm>,
) -> Result<Response, AppError> {
    auth.require(Action::Write)?;
    let status = RiskStatus::from_code(form.status.trim()).unwrap_or(RiskStatus::Open);
    state.store.review_risk(&auth.scope, id, status).await?;
    Ok(see_other(format!("/opinion/risks/{id}")))
}

#[derive(Deserialize)]
pub struct GrievanceForm {
    #[serde(default)]
    received_on: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    content: String,
}

pub async fn add_grievance(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(form): Form<GrievanceForm>,
) -> Result<Response, AppError> {
    auth.require(Action::Write)?;
    let risk = state.store.risk(&auth.scope, id).await?;
    let parsed = NewGrievance::parse(
        risk.unit_id,
        Some(id),
        &form.received_on,
        &form.channel,
        &form.content,
        state.today(),
    );
    let outcome = match parsed {
        Ok(g) => settle(state.store.add_grievance(&auth.scope, g).await)?,
        Err(e) => Submitted::Fix(e),
    };
    match outcome {
        Submitted::Saved(_) => Ok(see_other(format!("/opinion/risks/{id}"))),
        Submitted::Fix(e) => Ok(unprocessable(risk_page(&state, &auth, id, Some(e)).await?)),
    }
}
