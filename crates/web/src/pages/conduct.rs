//! Conduct rules for cadres: publish, acknowledge (签收) for oneself, record violations.

use crate::AppState;
use crate::auth::Auth;
use crate::chrome::{Chrome, Nav, chrome};
use crate::error::AppError;
use crate::extract::{Form, Id, Query};
use crate::pages::{SavedQuery, Submitted, see_other, settle, unprocessable};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use shoutu_domain::conduct::{ConductRules, NewConductRules, NewViolation};
use shoutu_domain::unit::subtree_ids;
use shoutu_domain::{Action, FieldError, PageRequest, Person};
use shoutu_store::PeopleFilter;

const NAV: Nav = Nav::Module("zeren");

#[derive(Template, WebTemplate)]
#[template(path = "conduct/list.html")]
pub(crate) struct ListPage {
    chrome: Chrome,
    rules: Vec<ConductRules>,
    can_write: bool,
    error: Option<FieldError>,
    title: String,
    items: String,
}

async fn list_page(
    state: &AppState,
    auth: &Auth,
    error: Option<FieldError>,
    title: String,
    items: String,
) -> Result<ListPage, AppError> {
    Ok(ListPage {
        chrome: chrome(state, auth, NAV, "行为规范").await?,
        rules: state.store.conduct_rules_list(&auth.scope).await?,
        can_write: auth.can(Action::Write),
        error,
        title,
        items,
    })
}

pub async fn list(State(state): State<AppState>, auth: Auth) -> Result<ListPage, AppError> {
    list_page(&state, &auth, None, String::new(), String::new()).await
}

#[derive(Deserialize)]
pub struct PublishForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    items: String,
}

pub async fn publish(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<PublishForm>,
) -> Result<Response, AppError> {
    auth.require(Action::Write)?;
    let outcome = match NewConductRules::parse(auth.scope.root, &form.title, &form.items, state.today()) {
        Ok(rules) => settle(state.store.publish_conduct_rules(&auth.scope, rules).await)?,
        Err(e) => Submitted::Fix(e),
    };
    match outcome {
        Submitted::Saved(r) => Ok(see_other(format!("/conduct/{}?saved=1", r.id))),
        Submitted::Fix(e) => Ok(unprocessable(
            list_page(&state, &auth, Some(e), form.title, form.items).await?,
        )),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "conduct/detail.html")]
pub(crate) struct DetailPage {
    chrome: Chrome,
    rules: ConductRules,
    pending: Vec<Person>,
    people: Vec<Person>,
    mine_acked: bool,
    can_write: bool,
    today: String,
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
    let rules = state.store.conduct_rules(&auth.scope, id).await?;
    // Who still has to acknowledge: the scope's people within the publishing unit's reach.
    let filter = PeopleFilter {
        unit: None,
        include_subunits: true,
        name: None,
    };
    let tree = state.store.unit_tree(&auth.scope).await?;
    // Rules from above bind everyone here; our own bind the publishing unit's subtree.
    let bound: std::collections::HashSet<_> = if tree.iter().any(|u| u.id == rules.unit_id) {
        subtree_ids(&tree, rules.unit_id)
    } else {
        tree.iter().map(|u| u.id).collect()
    };
    let people: Vec<Person> = state
        .store
        .people(
            &auth.scope,
            &filter,
            PageRequest::new(None, Some(PageRequest::MAX_PER_PAGE)),
        )
        .await?
        .items
        .into_iter()
        .filter(|p| bound.contains(&p.unit_id))
        .collect();
    let pending = people
        .iter()
        .filter(|p| !rules.acknowledged_by(p.id))
        .cloned()
        .collect();
    Ok(DetailPage {
        chrome: chrome(state, auth, NAV, rules.title.clone()).await?,
        mine_acked: rules.acknowledged_by(auth.user.person_id),
        pending,
        people,
        rules,
        can_write: auth.can(Action::Write),
        today: state.today().to_string(),
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

async fn back(state: &AppState, auth: &Auth, id: i64, outcome: Submitted<()>) -> Result<Response, AppError> {
    match outcome {
        Submitted::Saved(()) => Ok(see_other(format!("/conduct/{id}?saved=1"))),
        Submitted::Fix(e) => Ok(unprocessable(
            detail_page(state, auth, id, false, Some(e.to_string())).await?,
        )),
    }
}

/// Every cadre signs for themselves: the person is the signed-in user's, never chosen.
pub async fn acknowledge(State(state): State<AppState>, auth: Auth, Id(id): Id) -> Result<Response, AppError> {
    let outcome = settle(
        state
            .store
            .acknowledge_conduct_rules(&auth.home, id, auth.user.person_id, state.today())
            .await,
    )?;
    back(&state, &auth, id, outcome).await
}

#[derive(Deserialize)]
pub struct ViolationForm {
    #[serde(default)]
    person: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    outcome: String,
}

pub async fn violation(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(form): Form<ViolationForm>,
) -> Result<Response, AppError> {
    auth.require(Action::Write)?;
    let outcome = match form.person.trim().parse::<i64>() {
        Err(_) => Submitted::Fix(FieldError::new("人员", "请选择人员")),
        Ok(person) => match NewViolation::parse(person, &form.date, &form.description, &form.outcome, state.today()) {
            Ok(v) => settle(state.store.record_violation(&auth.scope, id, v).await)?,
            Err(e) => Submitted::Fix(e),
        },
    };
    back(&state, &auth, id, outcome).await
}
