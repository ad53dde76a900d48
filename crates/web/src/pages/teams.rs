//! 队伍: news correspondents, online commentators and opinion monitors, with their trainings
//! and contributions, on one page.

use crate::AppState;
use crate::auth::Auth;
use crate::chrome::{Chrome, chrome};
use crate::error::AppError;
use crate::extract::{Form, Id, Query, opt_int};
use crate::pages::people::{UnitOption, unit_options};
use crate::pages::review::{NAV, year_bounds};
use crate::pages::{Submitted, YearQuery, see_other, settle, unprocessable};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use shoutu_domain::team::{
    CONTRIBUTION_KINDS, Contribution, Member, NewContribution, NewMember, NewTraining, TeamKind, Training,
};
use shoutu_domain::{Action, FieldError, PersonId, UnitId};

pub struct TeamView {
    pub label: &'static str,
    pub code: &'static str,
    pub members: Vec<Member>,
}

#[derive(Template, WebTemplate)]
#[template(path = "platforms/teams.html")]
pub(crate) struct TeamsPage {
    chrome: Chrome,
    year: i32,
    today: String,
    teams: Vec<TeamView>,
    former: Vec<Member>,
    trainings: Vec<Training>,
    contributions: Vec<Contribution>,
    units: Vec<UnitOption>,
    people: Vec<shoutu_domain::Person>,
    contribution_kinds: [&'static str; 3],
    can_write: bool,
    error: Option<FieldError>,
}

async fn page(state: &AppState, auth: &Auth, year: i32, error: Option<FieldError>) -> Result<TeamsPage, AppError> {
    let (from, until) = year_bounds(year);
    let members = state.store.members(&auth.scope).await?;
    let teams = TeamKind::ALL
        .into_iter()
        .map(|k| TeamView {
            label: k.label(),
            code: k.code(),
            members: members
                .iter()
                .filter(|m| m.kind == k && m.left_on.is_none())
                .cloned()
                .collect(),
        })
        .collect();
    let filter = shoutu_store::PeopleFilter {
        unit: None,
        include_subunits: true,
        name: None,
    };
    let people = state
        .store
        .people(&auth.scope, &filter, shoutu_domain::PageRequest::new(None, Some(200)))
        .await?
        .items;
    Ok(TeamsPage {
        chrome: chrome(state, auth, NAV, "宣传思想队伍").await?,
        year,
        today: state.today().to_string(),
        teams,
        former: members.into_iter().filter(|m| m.left_on.is_some()).collect(),
        trainings: state.store.trainings(&auth.scope, from, until).await?,
        contributions: state.store.contributions(&auth.scope, from, until).await?,
        units: unit_options(&state.store.unit_tree(&auth.scope).await?),
        people,
        contribution_kinds: CONTRIBUTION_KINDS,
        can_write: auth.can(Action::Write),
        error,
    })
}

pub async fn view(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<YearQuery>,
) -> Result<TeamsPage, AppError> {
    let year = q.year_or(state.today())?;
    page(&state, &auth, year, None).await
}

async fn back<T>(state: &AppState, auth: &Auth, outcome: Submitted<T>) -> Result<Response, AppError> {
    match outcome {
        Submitted::Saved(_) => Ok(see_other("/teams")),
        Submitted::Fix(e) => {
            let year = chrono::Datelike::year(&state.today());
            Ok(unprocessable(page(state, auth, year, Some(e)).await?))
        }
    }
}

#[derive(Deserialize, Default)]
pub struct MemberForm {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    person: String,
    #[serde(default)]
    joined_on: String,
}

pub async fn add_member(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<MemberForm>,
) -> Result<Response, AppError> {
    auth.require(Action::Write)?;
    let unit = opt_int("单位", Some(&form.unit))?.map_or(auth.scope.root, UnitId);
    let outcome = match opt_int("成员", Some(&form.person))? {
        None => Submitted::Fix(FieldError::new("成员", "请选择人员")),
        Some(p) => match NewMember::parse(unit, &form.kind, PersonId(p), &form.joined_on, state.today()) {
            Ok(m) => settle(state.store.add_member(&auth.scope, m).await)?,
            Err(e) => Submitted::Fix(e),
        },
    };
    back(&state, &auth, outcome).await
}

#[derive(Deserialize, Default)]
pub struct LeaveForm {
    #[serde(default)]
    on: String,
}

pub async fn leave(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(form): Form<LeaveForm>,
) -> Result<Response, AppError> {
    auth.require(Action::Write)?;
    let on = crate::extract::opt_date("退出日期", Some(&form.on))?.unwrap_or(state.today());
    let outcome = settle(state.store.end_membership(&auth.scope, id, on).await)?;
    back(&state, &auth, outcome).await
}

#[derive(Deserialize, Default)]
pub struct ContributionForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    link: String,
}

pub async fn contribute(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(form): Form<ContributionForm>,
) -> Result<Response, AppError> {
    auth.require(Action::Write)?;
    let outcome = match NewContribution::parse(id, &form.date, &form.kind, &form.title, &form.link, state.today()) {
        Ok(c) => settle(state.store.add_contribution(&auth.scope, c).await)?,
        Err(e) => Submitted::Fix(e),
    };
    back(&state, &auth, outcome).await
}

#[derive(Deserialize, Default)]
pub struct TrainingForm {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    attendees: String,
}

pub async fn add_training(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<TrainingForm>,
) -> Result<Response, AppError> {
    auth.require(Action::Write)?;
    let unit = opt_int("单位", Some(&form.unit))?.map_or(auth.scope.root, UnitId);
    let outcome = match NewTraining::parse(
        unit,
        &form.kind,
        &form.date,
        &form.title,
        &form.hours,
        &form.attendees,
        state.today(),
    ) {
        Ok(t) => settle(state.store.add_training(&auth.scope, t).await)?,
        Err(e) => Submitted::Fix(e),
    };
    back(&state, &auth, outcome).await
}

/// Every member, current and former, as a sheet: the team roster offices keep.
pub async fn export(State(state): State<AppState>, auth: Auth) -> Result<Response, AppError> {
    let rows: Vec<Vec<String>> = state
        .store
        .members(&auth.scope)
        .await?
        .into_iter()
        .map(|m| {
            vec![
                m.kind.label().to_string(),
                m.person_name,
                m.unit_name,
                m.joined_on.to_string(),
                m.left_on.map(|d| d.to_string()).unwrap_or_default(),
                m.contributions.to_string(),
            ]
        })
        .collect();
    crate::pages::ledger_excel::table_download(
        "宣传思想队伍花名册",
        &["队伍", "姓名", "单位", "加入日期", "退出日期", "成果数"],
        &rows,
    )
}
