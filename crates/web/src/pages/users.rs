//! User accounts: create for a person, set roles, reset passwords, lock and unlock.
//! New and reset passwords are generated, shown once, and must be changed at first login.
//! Who may grant which role and manage which account is `shoutu_domain::grant`; the store
//! enforces it, the pages only offer what it allows.

use crate::AppState;
use crate::auth::Auth;
use crate::chrome::{Chrome, Nav, chrome};
use crate::error::AppError;
use crate::extract::{Form, Id, Query, opt_int};
use crate::pages::people::{UnitOption, unit_options};
use crate::pages::{Pager, SavedQuery, Submitted, query_string, see_other, settle, unprocessable};
use crate::time;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shoutu_domain::grant;
use shoutu_domain::user::{parse_roles, parse_username};
use shoutu_domain::{Action, FieldError, NewUser, PageRequest, Person, PersonId, Role, User, UserId, password};
use shoutu_store::UserFilter;

pub struct UserRow {
    pub user: User,
    pub status: String,
    pub locked: bool,
}

fn row(user: User, now: chrono::DateTime<chrono::Utc>) -> UserRow {
    let locked = user.is_locked(now);
    let status = match (locked, user.must_change_password) {
        (true, _) => format!("锁定至 {}", time::local(user.locked_until.unwrap_or(now))),
        (false, true) => "待首次改密".to_string(),
        (false, false) => "正常".to_string(),
    };
    UserRow { user, status, locked }
}

#[derive(Template, WebTemplate)]
#[template(path = "users/list.html")]
pub(crate) struct ListPage {
    chrome: Chrome,
    users: Vec<UserRow>,
    pager: Pager,
    units: Vec<UnitOption>,
    unit: i64,
    q: String,
}

#[derive(Deserialize)]
pub struct ListQuery {
    unit: Option<String>,
    q: Option<String>,
    page: Option<String>,
}

pub async fn list(State(state): State<AppState>, auth: Auth, Query(q): Query<ListQuery>) -> Result<ListPage, AppError> {
    auth.require(Action::ManageUsers)?;
    let unit = opt_int("单位", q.unit.as_deref())?;
    let page = crate::extract::opt_page(q.page.as_deref())?;
    let filter = UserFilter {
        unit: unit.map(shoutu_domain::UnitId),
        name: q.q.clone(),
    };
    let users = state
        .store
        .users(&auth.scope, &filter, PageRequest::new(page, None))
        .await?;
    let unit_text = unit.map(|u| u.to_string()).unwrap_or_default();
    let base = query_string(&[("unit", &unit_text), ("q", q.q.as_deref().unwrap_or(""))]);
    let now = state.clock.now();
    let units = state.store.unit_tree(&auth.scope).await?;
    Ok(ListPage {
        chrome: chrome(&state, &auth, Nav::Users, "用户").await?,
        pager: Pager::new(&users, &base),
        users: users.items.into_iter().map(|u| row(u, now)).collect(),
        units: unit_options(&units),
        unit: unit.unwrap_or(0),
        q: q.q.unwrap_or_default(),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "users/new.html")]
pub(crate) struct NewPage {
    chrome: Chrome,
    person: Person,
    username: String,
    roles: Vec<RoleChoice>,
    /// The roles this user may not grant, named so that nobody hunts for a missing box.
    others: String,
    error: Option<FieldError>,
}

pub struct RoleChoice {
    pub code: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

/// The roles this user may hand out, ticked as given.
fn role_choices(auth: &Auth, checked: &[String]) -> Vec<RoleChoice> {
    Role::ALL
        .iter()
        .filter(|r| grant::may_grant(&auth.scope.roles, **r))
        .map(|r| RoleChoice {
            code: r.code(),
            label: r.label(),
            checked: checked.iter().any(|c| c == r.code()),
        })
        .collect()
}

/// The roles this user may not hand out, e.g. "审核员、领导、上级督查、系统管理员".
fn ungrantable(auth: &Auth) -> String {
    Role::ALL
        .iter()
        .filter(|r| !grant::may_grant(&auth.scope.roles, **r))
        .map(|r| r.label())
        .collect::<Vec<_>>()
        .join("、")
}

#[derive(Deserialize)]
pub struct NewQuery {
    person: Option<String>,
}

pub async fn new_form(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<NewQuery>,
) -> Result<NewPage, AppError> {
    auth.require(Action::ManageUsers)?;
    let person_id = opt_int("人员", q.person.as_deref())?
        .ok_or_else(|| AppError::BadRequest("请从人员页面进入，为具体人员创建账号".into()))?;
    let person = state.store.person(&auth.scope, PersonId(person_id)).await?;
    Ok(NewPage {
        chrome: chrome(&state, &auth, Nav::Users, "创建账号").await?,
        person,
        username: String::new(),
        roles: role_choices(&auth, &["staff".to_string()]),
        others: ungrantable(&auth),
        error: None,
    })
}

#[derive(Deserialize)]
pub struct NewUserForm {
    #[serde(default)]
    person: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    role: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "users/password_issued.html")]
pub(crate) struct IssuedPage {
    chrome: Chrome,
    user: User,
    password: String,
    created: bool,
}

async fn one_time_hash() -> Result<(String, String), AppError> {
    let plain = password::generate();
    let for_hash = plain.clone();
    let hash = tokio::task::spawn_blocking(move || password::hash(&for_hash))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((plain, hash))
}

pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<NewUserForm>,
) -> Result<Response, AppError> {
    auth.require(Action::ManageUsers)?;
    let person_id = opt_int("人员", Some(&form.person))?.ok_or_else(|| AppError::BadRequest("缺少人员".into()))?;
    let person = state.store.person(&auth.scope, PersonId(person_id)).await?;
    let (plain, hash) = one_time_hash().await?;
    let parsed = parse_username(&form.username)
        .and_then(|username| Ok((username, parse_roles(form.role.iter().map(String::as_str))?)));
    let outcome = match parsed {
        Ok((username, roles)) => {
            let new = NewUser {
                username,
                person_id: person.id,
                roles,
                password_hash: hash,
                must_change_password: true,
            };
            settle(state.store.create_user(&auth.scope, new).await)?
        }
        Err(e) => Submitted::Fix(e),
    };
    match outcome {
        Submitted::Saved(user) => Ok(IssuedPage {
            chrome: chrome(&state, &auth, Nav::Users, "账号已创建").await?,
            user,
            password: plain,
            created: true,
        }
        .into_response()),
        Submitted::Fix(field) => Ok(unprocessable(NewPage {
            chrome: chrome(&state, &auth, Nav::Users, "创建账号").await?,
            roles: role_choices(&auth, &form.role),
            others: ungrantable(&auth),
            person,
            username: form.username,
            error: Some(field),
        })),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "users/detail.html")]
pub(crate) struct DetailPage {
    chrome: Chrome,
    row: UserRow,
    roles: Vec<RoleChoice>,
    /// Why this user may not change the account's roles, reset or lock it, if so.
    refusal: Option<String>,
    error: Option<FieldError>,
    saved: bool,
}

async fn detail_page(
    state: &AppState,
    auth: &Auth,
    id: UserId,
    error: Option<FieldError>,
    saved: bool,
) -> Result<DetailPage, AppError> {
    auth.require(Action::ManageUsers)?;
    let user = state.store.user(&auth.scope, id).await?;
    let held: Vec<String> = user.roles.iter().map(|r| r.code().to_string()).collect();
    Ok(DetailPage {
        chrome: chrome(state, auth, Nav::Users, user.username.clone()).await?,
        roles: role_choices(auth, &held),
        refusal: grant::may_manage_account(&auth.scope, user.id, &user.roles)
            .err()
            .map(|r| r.to_string()),
        row: row(user, state.clock.now()),
        error,
        saved,
    })
}

pub async fn detail(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Query(q): Query<SavedQuery>,
) -> Result<DetailPage, AppError> {
    detail_page(&state, &auth, UserId(id), None, q.saved.is_some()).await
}

#[derive(Deserialize)]
pub struct RolesForm {
    #[serde(default)]
    role: Vec<String>,
}

pub async fn set_roles(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(form): Form<RolesForm>,
) -> Result<Response, AppError> {
    auth.require(Action::ManageUsers)?;
    let outcome = match parse_roles(form.role.iter().map(String::as_str)) {
        Ok(roles) => settle(state.store.set_roles(&auth.scope, UserId(id), &roles).await)?,
        Err(e) => Submitted::Fix(e),
    };
    saved_or_shown_again(&state, &auth, id, outcome).await
}

/// Back to the user's page: saved, or with what went wrong.
async fn saved_or_shown_again<T>(
    state: &AppState,
    auth: &Auth,
    id: i64,
    outcome: Submitted<T>,
) -> Result<Response, AppError> {
    match outcome {
        Submitted::Saved(_) => Ok(see_other(format!("/users/{id}?saved=1"))),
        Submitted::Fix(field) => Ok(unprocessable(
            detail_page(state, auth, UserId(id), Some(field), false).await?,
        )),
    }
}

pub async fn reset_password(State(state): State<AppState>, auth: Auth, Id(id): Id) -> Result<Response, AppError> {
    auth.require(Action::ManageUsers)?;
    let user = state.store.user(&auth.scope, UserId(id)).await?;
    let (plain, hash) = one_time_hash().await?;
    state.store.set_password(&auth.scope, user.id, &hash, true).await?;
    Ok(IssuedPage {
        chrome: chrome(&state, &auth, Nav::Users, "密码已重置").await?,
        user,
        password: plain,
        created: false,
    }
    .into_response())
}

/// An administrator's lock holds until an administrator lifts it.
const ADMIN_LOCK_YEARS: i64 = 100;

pub async fn lock(State(state): State<AppState>, auth: Auth, Id(id): Id) -> Result<Response, AppError> {
    auth.require(Action::ManageUsers)?;
    let until = state.clock.now() + chrono::Duration::days(365 * ADMIN_LOCK_YEARS);
    let outcome = settle(state.store.set_lock(&auth.scope, UserId(id), Some(until)).await)?;
    saved_or_shown_again(&state, &auth, id, outcome).await
}

pub async fn unlock(State(state): State<AppState>, auth: Auth, Id(id): Id) -> Result<Response, AppError> {
    auth.require(Action::ManageUsers)?;
    state.store.set_lock(&auth.scope, UserId(id), None).await?;
    Ok(see_other(format!("/users/{id}?saved=1")))
}
