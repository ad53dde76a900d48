//! Page handlers, one module per area.

mod account;
mod activities;
pub(crate) mod assessment;
mod audit;
pub(crate) mod check;
mod conduct;
mod coverage;
mod duties;
mod evidence;
pub(crate) mod facts;
mod home;
mod inspections;
mod ledger_chart;
pub(crate) mod ledger_excel;
mod ledgers;
mod letters;
mod login;
pub(crate) mod opinion;
mod people;
pub(crate) mod plans;
mod platforms;
pub(crate) mod rectification;
mod reports;
pub(crate) mod requirements;
mod review;
mod search;
mod teams;
mod units;
mod users;

use crate::error::AppError;
use crate::routes::Routes;
use crate::routes::{get, post};
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use shoutu_domain::FieldError;
use shoutu_store::StoreError;

pub use opinion::push::{deliver_webhooks as deliver_opinion_webhooks, send_webhooks as send_opinion_webhooks};

pub fn routes() -> Routes {
    Routes::new()
        .merge(search::routes())
        .merge(ledgers::routes())
        .merge(platforms::routes())
        .merge(assessment_routes())
        .merge(opinion::routes())
        .route("/", get(home::dashboard))
        .route("/healthz", get(|| async { "ok" }))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/switch-unit", post(home::switch_unit))
        .route("/m/{module}", get(home::module))
        .route("/account/password", get(account::form).post(account::submit))
        .route("/units", get(units::tree).post(units::create))
        .route("/units/new", get(units::new_form))
        .route("/units/{id}", get(units::detail).post(units::update))
        .route("/units/{id}/edit", get(units::edit_form))
        .route("/units/{id}/move", post(units::move_unit))
        .route("/people", get(people::list).post(people::create))
        .route("/people/new", get(people::new_form))
        .route("/people/{id}", get(people::detail).post(people::update))
        .route("/users", get(users::list).post(users::create))
        .route("/users/new", get(users::new_form))
        .route("/users/{id}", get(users::detail))
        .route("/users/{id}/roles", post(users::set_roles))
        .route("/users/{id}/reset-password", post(users::reset_password))
        .route("/users/{id}/lock", post(users::lock))
        .route("/users/{id}/unlock", post(users::unlock))
        .route("/audit", get(audit::list))
        .route("/facts", get(facts::evidence))
        .route(
            "/activities",
            get(activities::list)
                .post(activities::create)
                .layer(DefaultBodyLimit::max(UPLOAD_ROUTE_LIMIT)),
        )
        .route("/activities/new", get(activities::new_form))
        .route("/activities/export.xlsx", get(ledger_excel::export))
        .route("/activities/template.xlsx", get(ledger_excel::template))
        .route(
            "/activities/import",
            get(ledger_excel::form)
                .post(ledger_excel::submit)
                .layer(DefaultBodyLimit::max(UPLOAD_ROUTE_LIMIT)),
        )
        .route("/activities/{id}", get(activities::detail))
        .route(
            "/activities/{id}/attachments",
            post(activities::add_attachments).layer(DefaultBodyLimit::max(UPLOAD_ROUTE_LIMIT)),
        )
        .route("/attachments/{id}", get(activities::download))
        .route("/plans", get(plans::list).post(plans::create))
        .route("/plans/new", get(plans::new_form))
        .route("/plans/export.xlsx", get(plans::export))
        .route("/plans/{id}", get(plans::detail))
        .route("/plans/{id}/tasks", post(plans::add_task))
        .route(
            "/tasks/{id}/updates",
            post(plans::update_task).layer(DefaultBodyLimit::max(UPLOAD_ROUTE_LIMIT)),
        )
        .route("/conduct", get(conduct::list).post(conduct::publish))
        .route("/conduct/{id}", get(conduct::detail))
        .route("/conduct/{id}/acknowledge", post(conduct::acknowledge))
        .route("/conduct/{id}/violations", post(conduct::violation))
        .route("/duties", get(duties::view).post(duties::assign))
        .route("/duties/{id}/end", post(duties::end))
        .route("/duties/export.xlsx", get(duties::export))
        .route("/letters", get(letters::list).post(letters::create))
        .route("/letters/new", get(letters::new_form))
        .route("/letters/export.xlsx", get(letters::export))
        .route("/letters/{id}", get(letters::detail))
        .route("/letters/copies/{id}/issue", post(letters::issue))
        .route(
            "/letters/copies/{id}/sign",
            post(letters::sign).layer(DefaultBodyLimit::max(UPLOAD_ROUTE_LIMIT)),
        )
        .merge(reports::routes())
        .route("/requirements", get(requirements::status))
        .route("/requirements/map", get(requirements::map))
        .route(
            "/check",
            get(check::form)
                .post(check::submit)
                .layer(DefaultBodyLimit::max(check::UPLOAD_LIMIT)),
        )
        .route(
            "/api/check",
            post(check::api).layer(DefaultBodyLimit::max(check::UPLOAD_LIMIT)),
        )
}

/// 考核督查: assessment, inspections and rectification.
fn assessment_routes() -> Routes {
    Routes::new()
        .route("/assessment", get(assessment::home))
        .route("/assessment/rounds", post(assessment::open_round))
        .route("/assessment/rounds/{id}", get(assessment::round))
        .route("/assessment/rounds/{id}/recompute", post(assessment::recompute))
        .route("/assessment/rounds/{id}/export.xlsx", get(assessment::export_round))
        .route("/assessment/rounds/{id}/close", post(assessment::close))
        .route("/assessment/rounds/{id}/units/{unit}", get(assessment::sheet))
        .route("/assessment/rounds/{id}/units/{unit}/manual", post(assessment::manual))
        .route(
            "/assessment/rounds/{id}/units/{unit}/evidence",
            post(assessment::score_evidence).layer(DefaultBodyLimit::max(UPLOAD_ROUTE_LIMIT)),
        )
        .route(
            "/assessment/indicators",
            get(assessment::indicators).post(assessment::save),
        )
        .route("/assessment/indicators/item", post(assessment::save_item))
        .route(
            "/assessment/indicators/import",
            post(assessment::import).layer(DefaultBodyLimit::max(UPLOAD_ROUTE_LIMIT)),
        )
        .route("/assessment/indicators.toml", get(assessment::export))
        .route("/assessment/cadres", get(assessment::cadres))
        .route("/inspections", get(inspections::list).post(inspections::create))
        .route("/inspections/{id}", get(inspections::detail))
        .route("/inspections/{id}/visit", post(inspections::visit))
        .route("/inspections/{id}/findings", post(inspections::finding))
        .route("/inspections/findings/{id}", get(inspections::finding_link))
        .route("/rectifications", get(rectification::list).post(rectification::create))
        .route("/rectifications/new", get(rectification::new_form))
        .route("/rectifications/export.xlsx", get(rectification::export))
        .route("/rectifications/{id}", get(rectification::detail))
        .route("/rectifications/{id}/step", post(rectification::step))
        .route(
            "/rectifications/{id}/evidence",
            post(rectification::add_evidence).layer(DefaultBodyLimit::max(UPLOAD_ROUTE_LIMIT)),
        )
}

/// Several attachments go up in one form; each is checked against the configured limit.
const UPLOAD_ROUTE_LIMIT: usize = 100 * 1024 * 1024;

pub async fn not_found() -> AppError {
    AppError::NotFound
}

/// After a successful POST: go to the page that shows the result (post/redirect/get).
pub(crate) fn see_other(to: impl AsRef<str>) -> Response {
    Redirect::to(to.as_ref()).into_response()
}

/// What became of a submitted form: saved, or to be shown again with what to fix.
pub(crate) enum Submitted<T> {
    Saved(T),
    Fix(FieldError),
}

/// Splits a store result into what the form should show next to its fields and what
/// becomes an error page.
pub(crate) fn settle<T>(result: Result<T, StoreError>) -> Result<Submitted<T>, AppError> {
    match result {
        Ok(v) => Ok(Submitted::Saved(v)),
        Err(StoreError::Invalid(f) | StoreError::Conflict(f)) => Ok(Submitted::Fix(f)),
        Err(other) => Err(other.into()),
    }
}

/// A form shown again because of what the user typed.
pub(crate) fn unprocessable(page: impl IntoResponse) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

/// `?saved=1` after a redirect shows "已保存".
#[derive(serde::Deserialize)]
pub(crate) struct SavedQuery {
    pub saved: Option<String>,
}

/// `?year=`: the year a page covers, this year when absent.
#[derive(serde::Deserialize)]
pub(crate) struct YearQuery {
    year: Option<String>,
}

impl YearQuery {
    pub fn year_or(&self, today: chrono::NaiveDate) -> Result<i32, AppError> {
        Ok(crate::extract::opt_year("年度", self.year.as_deref())?.unwrap_or_else(|| chrono::Datelike::year(&today)))
    }
}

/// Pagination links keep the other query parameters of a list.
pub(crate) struct Pager {
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    pub fn new<T>(page: &shoutu_domain::Page<T>, base_query: &str) -> Pager {
        let pages = page.pages();
        let link = |p: i64| {
            if base_query.is_empty() {
                format!("?page={p}")
            } else {
                format!("?{base_query}&page={p}")
            }
        };
        Pager {
            page: page.page,
            pages,
            total: page.total,
            prev: (page.page > 1).then(|| link(page.page - 1)),
            next: (page.page < pages).then(|| link(page.page + 1)),
        }
    }
}

/// Builds a query string from the non-empty pairs.
pub(crate) fn query_string(pairs: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        if !v.is_empty() {
            s.append_pair(k, v);
        }
    }
    s.finish()
}
