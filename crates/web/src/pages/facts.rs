//! The evidence behind a figure: every number on a dashboard, in a report or in a score sheet
//! links here, and this page lists the records it was computed from.

use crate::AppState;
use crate::auth::Auth;
use crate::chrome::{Chrome, Nav, chrome};
use crate::error::AppError;
use crate::extract::{Query, opt_date, opt_int};
use crate::record_link;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use chrono::Datelike;
use serde::Deserialize;
use shoutu_domain::fact::{DateRange, FactDef, definition, split_key};
use shoutu_domain::{FieldError, Unit, UnitId};

#[derive(Deserialize, Default)]
pub struct FactQuery {
    key: Option<String>,
    unit: Option<String>,
    from: Option<String>,
    until: Option<String>,
}

pub struct EvidenceRow {
    pub kind_label: String,
    pub id: i64,
    pub link: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "facts.html")]
pub(crate) struct FactPage {
    chrome: Chrome,
    unit: Unit,
    def: FactDef,
    parameter: String,
    range: DateRange,
    value: String,
    rows: Vec<EvidenceRow>,
}

/// The link to a fact's evidence, for every page that shows a figure.
pub fn fact_href(key: &str, unit: UnitId, range: DateRange) -> String {
    let query = crate::pages::query_string(&[
        ("key", key),
        ("unit", &unit.0.to_string()),
        ("from", &range.from.to_string()),
        ("until", &range.until.to_string()),
    ]);
    format!("/facts?{query}")
}

pub async fn evidence(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<FactQuery>,
) -> Result<FactPage, AppError> {
    let key = q.key.unwrap_or_default();
    let def = *definition(&key).ok_or_else(|| {
        AppError::BadRequest(FieldError::new("统计口径", format!("「{key}」不是已知的统计口径")).to_string())
    })?;
    let unit_id = opt_int("单位", q.unit.as_deref())?.map_or(auth.scope.root, UnitId);
    let year = DateRange::year(state.today().year());
    let range = DateRange::new(
        opt_date("开始日期", q.from.as_deref())?.unwrap_or(year.from),
        opt_date("结束日期", q.until.as_deref())?.unwrap_or(year.until),
    );
    if range.from > range.until {
        return Err(AppError::BadRequest(
            FieldError::new("结束日期", "结束日期早于开始日期").to_string(),
        ));
    }
    let unit = state.store.unit(&auth.scope, unit_id).await?;
    let fact = state.store.fact(&auth.scope, &key, unit.id, range).await?;
    let parameter = match split_key(&key) {
        ("activity.type", Some(code)) => state.catalogue.get(code).map_or(code.to_string(), |t| t.name.clone()),
        (_, Some(p)) => p.to_string(),
        (_, None) => String::new(),
    };
    let rows = fact
        .evidence
        .iter()
        .map(|r| EvidenceRow {
            kind_label: shoutu_domain::audit::record_type_label(&r.kind).to_string(),
            id: r.id,
            link: record_link::href(&r.kind, r.id),
        })
        .collect();
    Ok(FactPage {
        chrome: chrome(&state, &auth, Nav::Home, def.label).await?,
        value: fact.display(),
        unit,
        def,
        parameter,
        range,
        rows,
    })
}
