//! People of the units in scope, with their posts.

use crate::AppState;
use crate::auth::Auth;
use crate::chrome::{Chrome, Nav, chrome};
use crate::error::AppError;
use crate::extract::{Form, Id, Query, opt_int};
use crate::pages::{Pager, SavedQuery, Submitted, query_string, see_other, settle, unprocessable};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use shoutu_domain::{Action, FieldError, NewPerson, PageRequest, Person, PersonId, Unit, UnitId};
use shoutu_store::PeopleFilter;

/// A unit as an option of a select box, indented by its depth.
pub struct UnitOption {
    pub id: i64,
    pub label: String,
}

pub fn unit_options(units: &[Unit]) -> Vec<UnitOption> {
    units
        .iter()
        .map(|u| UnitOption {
            id: u.id.0,
            label: format!("{}{}", "\u{3000}".repeat(u.depth as usize), u.name),
        })
        .collect()
}

/// The people registered in one unit itself (not below it): hosts, attendees, duty holders.
pub(crate) async fn people_of(state: &AppState, auth: &Auth, unit: UnitId) -> Result<Vec<Person>, AppError> {
    let filter = PeopleFilter {
        unit: Some(unit),
        include_subunits: false,
        name: None,
    };
    let page = PageRequest::new(None, Some(PageRequest::MAX_PER_PAGE));
    Ok(state.store.people(&auth.scope, &filter, page).await?.items)
}

#[derive(Template, WebTemplate)]
#[template(path = "people/list.html")]
pub(crate) struct ListPage {
    chrome: Chrome,
    people: Vec<Person>,
    pager: Pager,
    units: Vec<UnitOption>,
    unit: i64,
    sub: bool,
    q: String,
    can_write: bool,
}

#[derive(Deserialize)]
pub struct ListQuery {
    unit: Option<String>,
    sub: Option<String>,
    q: Option<String>,
    page: Option<String>,
}

pub async fn list(State(state): State<AppState>, auth: Auth, Query(q): Query<ListQuery>) -> Result<ListPage, AppError> {
    let unit = opt_int("单位", q.unit.as_deref())?;
    let page = crate::extract::opt_page(q.page.as_deref())?;
    // A fresh visit shows everybody below the current unit; a submitted filter says for itself.
    let sub = q.unit.is_none() || q.sub.as_deref() == Some("1");
    let filter = PeopleFilter {
        unit: unit.map(UnitId),
        include_subunits: sub,
        name: q.q.clone(),
    };
    let people = state
        .store
        .people(&auth.scope, &filter, PageRequest::new(page, None))
        .await?;
    let unit_text = unit.map(|u| u.to_string()).unwrap_or_default();
    let base = query_string(&[
        ("unit", &unit_text),
        ("sub", if sub { "1" } else { "" }),
        ("q", q.q.as_deref().unwrap_or("")),
    ]);
    let units = state.store.unit_tree(&auth.scope).await?;
    Ok(ListPage {
        chrome: chrome(&state, &auth, Nav::People, "人员").await?,
        pager: Pager::new(&people, &base),
        people: people.items,
        units: unit_options(&units),
        unit: unit.unwrap_or(0),
        sub,
        q: q.q.unwrap_or_default(),
        can_write: auth.can(Action::Write),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "people/form.html")]
pub(crate) struct FormPage {
    chrome: Chrome,
    person: Option<Person>,
    action: String,
    values: PersonForm,
    units: Vec<UnitOption>,
    error: Option<FieldError>,
    saved: bool,
    can_write: bool,
    can_manage_users: bool,
}

#[derive(Deserialize, Default, Clone)]
pub struct PersonForm {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    post: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    sort_order: String,
}

impl PersonForm {
    fn parse(&self) -> Result<NewPerson, FieldError> {
        let unit = self
            .unit
            .trim()
            .parse::<i64>()
            .map_err(|_| FieldError::new("所在单位", "请选择单位"))?;
        let sort_order = match self.sort_order.trim() {
            "" => 0,
            s => s.parse().map_err(|_| FieldError::new("排序号", "应为整数"))?,
        };
        NewPerson::parse(UnitId(unit), &self.name, &self.post, &self.phone, sort_order)
    }

    fn of(p: &Person) -> Self {
        PersonForm {
            unit: p.unit_id.to_string(),
            name: p.name.clone(),
            post: p.post.clone(),
            phone: p.phone.clone(),
            sort_order: p.sort_order.to_string(),
        }
    }
}

impl FormPage {
    async fn build(
        state: &AppState,
        auth: &Auth,
        person: Option<Person>,
        values: PersonForm,
        error: Option<FieldError>,
        saved: bool,
    ) -> Result<FormPage, AppError> {
        let title = person
            .as_ref()
            .map_or_else(|| "新增人员".to_string(), |p| p.name.clone());
        let units = state.store.unit_tree(&auth.scope).await?;
        Ok(FormPage {
            chrome: chrome(state, auth, Nav::People, title).await?,
            action: person
                .as_ref()
                .map_or_else(|| "/people".to_string(), |p| format!("/people/{}", p.id.0)),
            person,
            values,
            units: unit_options(&units),
            error,
            saved,
            can_write: auth.can(Action::Write),
            can_manage_users: auth.can(Action::ManageUsers),
        })
    }
}

#[derive(Deserialize)]
pub struct NewQuery {
    unit: Option<String>,
}

pub async fn new_form(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<NewQuery>,
) -> Result<FormPage, AppError> {
    auth.require(Action::Write)?;
    let unit = opt_int("单位", q.unit.as_deref())?.unwrap_or(auth.scope.root.0);
    let values = PersonForm {
        unit: unit.to_string(),
        ..Default::default()
    };
    FormPage::build(&state, &auth, None, values, None, false).await
}

pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<PersonForm>,
) -> Result<Response, AppError> {
    auth.require(Action::Write)?;
    let outcome = match form.parse() {
        Ok(new) => settle(state.store.create_person(&auth.scope, new).await)?,
        Err(e) => Submitted::Fix(e),
    };
    match outcome {
        Submitted::Saved(p) => Ok(see_other(format!("/people/{}?saved=1", p.id.0))),
        Submitted::Fix(field) => Ok(unprocessable(
            FormPage::build(&state, &auth, None, form, Some(field), false).await?,
        )),
    }
}

pub async fn detail(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Query(q): Query<SavedQuery>,
) -> Result<FormPage, AppError> {
    let person = state.store.person(&auth.scope, PersonId(id)).await?;
    let values = PersonForm::of(&person);
    FormPage::build(&state, &auth, Some(person), values, None, q.saved.is_some()).await
}

pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(form): Form<PersonForm>,
) -> Result<Response, AppError> {
    auth.require(Action::Write)?;
    let person = state.store.person(&auth.scope, PersonId(id)).await?;
    let outcome = match form.parse() {
        Ok(edit) => settle(state.store.update_person(&auth.scope, person.id, edit).await)?,
        Err(e) => Submitted::Fix(e),
    };
    match outcome {
        Submitted::Saved(_) => Ok(see_other(format!("/people/{id}?saved=1"))),
        Submitted::Fix(field) => Ok(unprocessable(
            FormPage::build(&state, &auth, Some(person), form, Some(field), false).await?,
        )),
    }
}
