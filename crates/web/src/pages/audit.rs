//! The audit trail, for administrators: who changed what, when, with the values before and after.

use crate::AppState;
use crate::auth::Auth;
use crate::chrome::{Chrome, Nav, chrome};
use crate::error::AppError;
use crate::extract::{Query, opt_date, opt_int};
use crate::pages::people::{UnitOption, unit_options};
use crate::pages::{Pager, query_string};
use crate::time;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use serde::Deserialize;
use shoutu_domain::audit::RECORD_TYPES;
use shoutu_domain::{Action, PageRequest, UnitId};
use shoutu_store::{AuditFilter, StoreError};
use std::collections::HashMap;

pub struct EntryRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub unit: String,
    pub record_type: String,
    pub record_id: String,
    /// Where the record can be opened, for the kinds that have a page.
    pub link: Option<String>,
    pub action: String,
    pub before: String,
    pub after: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
pub(crate) struct AuditPage {
    chrome: Chrome,
    entries: Vec<EntryRow>,
    pager: Pager,
    units: Vec<UnitOption>,
    types: Vec<(&'static str, &'static str)>,
    user: String,
    unit: i64,
    record_type: String,
    from: String,
    until: String,
}

#[derive(Deserialize)]
pub struct AuditQuery {
    user: Option<String>,
    unit: Option<String>,
    #[serde(rename = "type")]
    record_type: Option<String>,
    from: Option<String>,
    until: Option<String>,
    page: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<AuditQuery>,
) -> Result<AuditPage, AppError> {
    auth.require(Action::ViewAudit)?;
    let unit = opt_int("单位", q.unit.as_deref())?;
    let page = crate::extract::opt_page(q.page.as_deref())?;
    let from = opt_date("起始日期", q.from.as_deref())?;
    let until = opt_date("截止日期", q.until.as_deref())?;
    let username = q.user.clone().unwrap_or_default();
    let actor = if username.trim().is_empty() {
        None
    } else {
        match state.store.user_by_username(&auth.scope, &username).await {
            Ok(u) => Some(u.id),
            Err(StoreError::NotFound) => {
                return Err(AppError::BadRequest(format!(
                    "您的管辖范围内没有用户名为「{}」的用户",
                    username.trim()
                )));
            }
            Err(e) => return Err(e.into()),
        }
    };
    let filter = AuditFilter {
        actor,
        unit: unit.map(UnitId),
        record_type: q.record_type.clone().filter(|t| !t.is_empty()),
        from: from.map(time::day_start),
        // Inclusive of the whole last day.
        until: until.map(|d| time::day_start(d + chrono::Duration::days(1)) - chrono::Duration::microseconds(1)),
    };
    let entries = state
        .store
        .audit_entries(&auth.scope, &filter, PageRequest::new(page, None))
        .await?;
    let units = state.store.unit_tree(&auth.scope).await?;
    let names: HashMap<i64, &str> = units.iter().map(|u| (u.id.0, u.name.as_str())).collect();
    let unit_text = unit.map(|u| u.to_string()).unwrap_or_default();
    let base = query_string(&[
        ("user", &username),
        ("unit", &unit_text),
        ("type", q.record_type.as_deref().unwrap_or("")),
        ("from", q.from.as_deref().unwrap_or("")),
        ("until", q.until.as_deref().unwrap_or("")),
    ]);
    let rows = entries
        .items
        .iter()
        .map(|e| EntryRow {
            seq: e.seq,
            at: time::local_text(&e.at),
            actor: e.actor_name.clone(),
            unit: e
                .unit_id
                .and_then(|id| names.get(&id).map(|n| n.to_string()))
                .unwrap_or_else(|| e.unit_id.map(|id| format!("#{id}")).unwrap_or_default()),
            record_type: e.record_type_label().to_string(),
            record_id: e.record_id.clone(),
            link: match e.record_type.as_str() {
                "unit" => Some(format!("/units/{}", e.record_id)),
                "person" => Some(format!("/people/{}", e.record_id)),
                "user" => Some(format!("/users/{}", e.record_id)),
                _ => None,
            },
            action: e.action_label().to_string(),
            before: e.before.clone().unwrap_or_default(),
            after: e.after.clone().unwrap_or_default(),
        })
        .collect();
    Ok(AuditPage {
        chrome: chrome(&state, &auth, Nav::Audit, "审计日志").await?,
        pager: Pager::new(&entries, &base),
        entries: rows,
        units: unit_options(&units),
        types: RECORD_TYPES.to_vec(),
        user: username,
        unit: unit.unwrap_or(0),
        record_type: q.record_type.unwrap_or_default(),
        from: q.from.unwrap_or_default(),
        until: q.until.unwrap_or_default(),
    })
}
