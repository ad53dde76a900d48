//! The unit tree: browse, create, edit and move units.

use crate::AppState;
use crate::auth::Auth;
use crate::chrome::{Chrome, Nav, chrome};
use crate::error::AppError;
use crate::extract::{Form, Id, Query, opt_int};
use crate::pages::{SavedQuery, Submitted, see_other, settle, unprocessable};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shoutu_domain::unit::NewUnit;
use shoutu_domain::{Action, FieldError, PageRequest, Person, Unit, UnitId, UnitKind};
use shoutu_store::PeopleFilter;

#[derive(Template, WebTemplate)]
#[template(path = "units/tree.html")]
pub(crate) struct TreePage {
    chrome: Chrome,
    units: Vec<Unit>,
    kinds: Vec<(&'static str, &'static str)>,
    kind: String,
    can_manage: bool,
}

#[derive(Deserialize)]
pub struct TreeQuery {
    kind: Option<String>,
}

pub async fn tree(State(state): State<AppState>, auth: Auth, Query(q): Query<TreeQuery>) -> Result<TreePage, AppError> {
    let mut units = state.store.unit_tree(&auth.scope).await?;
    let kind = q.kind.unwrap_or_default();
    if !kind.is_empty() {
        let wanted: UnitKind = kind
            .parse()
            .map_err(|e: FieldError| AppError::BadRequest(e.to_string()))?;
        units.retain(|u| u.kind == wanted);
    }
    Ok(TreePage {
        chrome: chrome(&state, &auth, Nav::Units, "单位").await?,
        units,
        kinds: UnitKind::ALL.iter().map(|k| (k.code(), k.label())).collect(),
        kind,
        can_manage: auth.can(Action::ManageUnits),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "units/detail.html")]
pub(crate) struct DetailPage {
    chrome: Chrome,
    unit: Unit,
    path: Vec<Unit>,
    children: Vec<Unit>,
    people: Vec<Person>,
    people_total: i64,
    move_targets: Vec<Unit>,
    can_manage: bool,
    saved: bool,
    error: Option<String>,
}

pub async fn detail(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    let page = detail_page(&state, &auth, UnitId(id), q.saved.is_some(), None).await?;
    Ok(page.into_response())
}

async fn detail_page(
    state: &AppState,
    auth: &Auth,
    id: UnitId,
    saved: bool,
    error: Option<String>,
) -> Result<DetailPage, AppError> {
    let unit = state.store.unit(&auth.scope, id).await?;
    let path = state.store.unit_path(&auth.scope, id).await?;
    let subtree = state.store.unit_tree(&auth.scope).await?;
    let children = subtree.iter().filter(|u| u.parent_id == Some(id)).cloned().collect();
    let filter = PeopleFilter {
        unit: Some(id),
        include_subunits: false,
        name: None,
    };
    let people = state
        .store
        .people(&auth.scope, &filter, PageRequest::new(None, Some(20)))
        .await?;
    let can_manage = auth.can(Action::ManageUnits);
    let move_targets = if can_manage && id != auth.scope.root {
        subtree
            .into_iter()
            .filter(|u| u.id != id && u.kind.may_contain(unit.kind) && u.id != unit.parent_id.unwrap_or(UnitId(0)))
            .collect()
    } else {
        Vec::new()
    };
    Ok(DetailPage {
        chrome: chrome(state, auth, Nav::Units, unit.name.clone()).await?,
        unit,
        path,
        children,
        people_total: people.total,
        people: people.items,
        move_targets,
        can_manage,
        saved,
        error,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "units/form.html")]
pub(crate) struct FormPage {
    chrome: Chrome,
    /// Where the form posts: `/units` to create, `/units/{id}` to save.
    action: String,
    heading: String,
    parent: Option<Unit>,
    values: UnitForm,
    kinds: Vec<(&'static str, &'static str)>,
    error: Option<FieldError>,
}

#[derive(Deserialize, Default, Clone)]
pub struct UnitForm {
    #[serde(default)]
    parent: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    short_name: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    sort_order: String,
}

impl UnitForm {
    fn parse(&self, parent: Option<UnitId>) -> Result<NewUnit, FieldError> {
        let sort_order = match self.sort_order.trim() {
            "" => 0,
            s => s.parse().map_err(|_| FieldError::new("排序号", "应为整数"))?,
        };
        NewUnit::parse(parent, &self.kind, &self.name, &self.short_name, &self.code, sort_order)
    }
}

fn kinds_under(parent: Option<&Unit>) -> Vec<(&'static str, &'static str)> {
    UnitKind::ALL
        .iter()
        .filter(|k| parent.map_or(k.is_root_kind(), |p| p.kind.may_contain(**k)))
        .map(|k| (k.code(), k.label()))
        .collect()
}

#[derive(Deserialize)]
pub struct NewQuery {
    parent: Option<String>,
}

pub async fn new_form(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<NewQuery>,
) -> Result<FormPage, AppError> {
    auth.require(Action::ManageUnits)?;
    let parent_id = opt_int("上级单位", q.parent.as_deref())?.map_or(auth.scope.root, UnitId);
    let parent = state.store.unit(&auth.scope, parent_id).await?;
    Ok(FormPage {
        chrome: chrome(&state, &auth, Nav::Units, "新增单位").await?,
        action: "/units".into(),
        heading: format!("在「{}」下新增单位", parent.name),
        kinds: kinds_under(Some(&parent)),
        values: UnitForm {
            parent: parent.id.to_string(),
            ..Default::default()
        },
        parent: Some(parent),
        error: None,
    })
}

pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<UnitForm>,
) -> Result<Response, AppError> {
    auth.require(Action::ManageUnits)?;
    let parent_id =
        opt_int("上级单位", Some(&form.parent))?.ok_or_else(|| AppError::BadRequest("缺少上级单位".into()))?;
    let parent = state.store.unit(&auth.scope, UnitId(parent_id)).await?;
    let outcome = match form.parse(Some(parent.id)) {
        Ok(new) => settle(state.store.create_unit(&auth.scope, new).await)?,
        Err(e) => Submitted::Fix(e),
    };
    match outcome {
        Submitted::Saved(unit) => Ok(see_other(format!("/units/{}?saved=1", unit.id))),
        Submitted::Fix(field) => Ok(unprocessable(FormPage {
            chrome: chrome(&state, &auth, Nav::Units, "新增单位").await?,
            action: "/units".into(),
            heading: format!("在「{}」下新增单位", parent.name),
            kinds: kinds_under(Some(&parent)),
            parent: Some(parent),
            values: form,
            error: Some(field),
        })),
    }
}

pub async fn edit_form(State(state): State<AppState>, auth: Auth, Id(id): Id) -> Result<FormPage, AppError> {
    auth.require(Action::ManageUnits)?;
    let unit = state.store.unit(&auth.scope, UnitId(id)).await?;
    Ok(FormPage {
        chrome: chrome(&state, &auth, Nav::Units, "编辑单位").await?,
        action: format!("/units/{id}"),
        heading: format!("编辑「{}」", unit.name),
        kinds: UnitKind::ALL.iter().map(|k| (k.code(), k.label())).collect(),
        values: UnitForm {
            parent: String::new(),
            kind: unit.kind.code().into(),
            name: unit.name.clone(),
            short_name: unit.short_name.clone(),
            code: unit.code.clone(),
            sort_order: unit.sort_order.to_string(),
        },
        parent: None,
        error: None,
    })
}

pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(form): Form<UnitForm>,
) -> Result<Response, AppError> {
    auth.require(Action::ManageUnits)?;
    let unit = state.store.unit(&auth.scope, UnitId(id)).await?;
    let outcome = match form.parse(unit.parent_id) {
        Ok(edit) => settle(state.store.update_unit(&auth.scope, unit.id, edit).await)?,
        Err(e) => Submitted::Fix(e),
    };
    match outcome {
        Submitted::Saved(_) => Ok(see_other(format!("/units/{id}?saved=1"))),
        Submitted::Fix(field) => Ok(unprocessable(FormPage {
            chrome: chrome(&state, &auth, Nav::Units, "编辑单位").await?,
            action: format!("/units/{id}"),
            heading: format!("编辑「{}」", unit.name),
            kinds: UnitKind::ALL.iter().map(|k| (k.code(), k.label())).collect(),
            parent: None,
            values: form,
            error: Some(field),
        })),
    }
}

#[derive(Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    new_parent: String,
}

pub async fn move_unit(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(form): Form<MoveForm>,
) -> Result<Response, AppError> {
    auth.require(Action::ManageUnits)?;
    let new_parent = opt_int("新上级单位", Some(&form.new_parent))?
        .ok_or_else(|| AppError::BadRequest("请选择新上级单位".into()))?;
    match settle(state.store.move_unit(&auth.scope, UnitId(id), UnitId(new_parent)).await)? {
        Submitted::Saved(_) => Ok(see_other(format!("/units/{id}?saved=1"))),
        Submitted::Fix(field) => Ok(unprocessable(
            detail_page(&state, &auth, UnitId(id), false, Some(field.to_string())).await?,
        )),
    }
}
