//! 舆情处置: dashboard, events with highlighted hits, monitoring schemes, alerts, incidents
//! with their timeline, risk points and grievances, contingency plans, sources with push
//! tokens, and the token-authenticated push endpoint.

mod dashboard;
mod handling;
mod monitor;
pub(crate) mod push;

use crate::chrome::Nav;
use crate::routes::Routes;
use crate::routes::{get, post};
use axum::extract::DefaultBodyLimit;
use chrono::{DateTime, Utc};

pub(crate) const NAV: Nav = Nav::Module("yuqing");

pub(crate) fn routes() -> Routes {
    Routes::new()
        .route("/opinion", get(dashboard::view))
        .route("/opinion/events", get(monitor::events))
        .route("/opinion/events/{id}", get(monitor::event))
        .route("/opinion/alerts", get(monitor::alerts))
        .route("/opinion/alerts/read", post(monitor::mark_read))
        .route("/opinion/alerts/{id}/incident", post(handling::open_from_alert))
        .route("/opinion/schemes", get(monitor::schemes).post(monitor::create_scheme))
        .route(
            "/opinion/schemes/{id}",
            get(monitor::scheme_form).post(monitor::update_scheme),
        )
        .route("/opinion/settings", post(monitor::save_settings))
        .route("/opinion/sources", get(monitor::sources).post(monitor::create_source))
        .route("/opinion/sources/{id}/token", post(monitor::issue_token))
        .route("/opinion/incidents", get(handling::incidents).post(handling::create))
        .route("/opinion/incidents/new", get(handling::new_form))
        .route("/opinion/incidents/{id}", get(handling::incident))
        .route(
            "/opinion/incidents/{id}/steps",
            post(handling::add_step).layer(DefaultBodyLimit::max(super::UPLOAD_ROUTE_LIMIT)),
        )
        .route("/opinion/incidents/{id}/plan", post(handling::apply_plan))
        .route("/opinion/incidents/{id}/checklist", post(handling::check_item))
        .route("/opinion/plans", get(handling::plans).post(handling::create_plan))
        .route("/opinion/risks", get(handling::risks).post(handling::create_risk))
        .route("/opinion/risks/{id}", get(handling::risk))
        .route("/opinion/risks/{id}/review", post(handling::review_risk))
        .route("/opinion/risks/{id}/grievances", post(handling::add_grievance))
        .route(
            push::PATH,
            post(push::push).layer(DefaultBodyLimit::max(push::BODY_LIMIT)),
        )
}

/// A time as users read it (China Standard Time).
pub(crate) fn local(at: DateTime<Utc>) -> String {
    crate::time::local(at)
}

/// The CSS class that goes with a severity level's words (the words always show too).
pub(crate) fn level_css(level: shoutu_domain::opinion::SeverityLevel) -> &'static str {
    use shoutu_domain::opinion::SeverityLevel::*;
    match level {
        General => "badge",
        Serious => "badge sev-warning",
        Major | Critical => "badge sev-error",
    }
}
