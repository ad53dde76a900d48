//! 工作台, the unit switcher, and the entries of modules still to come.

use crate::AppState;
use crate::auth::Auth;
use crate::chrome::{Chrome, MODULES, Nav, chrome};
use crate::error::AppError;
use crate::extract::Form;
use crate::pages::see_other;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;
use shoutu_domain::{Action, UnitId, UnitKind};

pub struct KindCount {
    pub label: &'static str,
    pub code: &'static str,
    pub count: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
pub(crate) struct Dashboard {
    chrome: Chrome,
    kinds: Vec<KindCount>,
    people: i64,
    users: Option<i64>,
    audit_30d: Option<i64>,
    requirements: Vec<crate::pages::requirements::StatusRow>,
    records_this_year: usize,
    has_children: bool,
    overdue: Vec<shoutu_domain::plan::Task>,
    chart: crate::pages::ledger_chart::LedgerChart,
    /// This year's letters below this unit that are not yet signed.
    letters: shoutu_domain::letter::Coverage,
    figures: Vec<Figure>,
    /// 整改率, overdue rectification items and open assessment rounds.
    assessment: crate::pages::rectification::DashboardCard,
}

/// One figure of the fact catalogue for this year, linked to its evidence.
pub struct Figure {
    pub area: &'static str,
    pub label: &'static str,
    pub value: String,
    pub measure_word: &'static str,
    pub missing: bool,
    pub link: String,
}

/// Every unparameterised fact of the catalogue for the unit's subtree this year: whatever a
/// register records shows up here without anyone filling in a form.
async fn figures(state: &AppState, auth: &Auth, year: i32) -> Result<Vec<Figure>, AppError> {
    let range = shoutu_domain::fact::DateRange::year(year);
    let mut out = Vec::new();
    for def in shoutu_domain::fact::catalogue().filter(|d| d.parameter.is_none()) {
        let fact = state.store.fact(&auth.scope, def.key, auth.scope.root, range).await?;
        out.push(Figure {
            area: def.area,
            label: def.label,
            value: fact.display(),
            measure_word: def.measure_word,
            missing: fact.value.is_none(),
            link: crate::pages::facts::fact_href(def.key, auth.scope.root, range),
        });
    }
    out.sort_by_key(|f| f.area);
    Ok(out)
}

pub async fn dashboard(State(state): State<AppState>, auth: Auth) -> Result<Dashboard, AppError> {
    let stats = state.store.scope_stats(&auth.scope).await?;
    let today = state.today();
    let (from, until) = crate::pages::requirements::year_bounds(today);
    let entries = state.store.ledger_entries(&auth.scope, from, until).await?;
    let tree = state.store.unit_tree(&auth.scope).await?;
    let here = tree.first().cloned().ok_or(AppError::NotFound)?;
    let requirements = crate::pages::requirements::statuses_of(&state, &here, &entries, today);
    let kinds = UnitKind::ALL
        .iter()
        .filter_map(|k| {
            stats
                .units_by_kind
                .iter()
                .find(|(code, _)| code == k.code())
                .map(|(_, count)| KindCount {
                    label: k.label(),
                    code: k.code(),
                    count: *count,
                })
        })
        .collect();
    Ok(Dashboard {
        chrome: chrome(&state, &auth, Nav::Home, "工作台").await?,
        kinds,
        people: stats.people,
        users: auth.can(Action::ManageUsers).then_some(stats.users),
        audit_30d: auth.can(Action::ViewAudit).then_some(stats.audit_entries_30d),
        requirements,
        records_this_year: entries.len(),
        has_children: tree.len() > 1,
        overdue: crate::pages::plans::overdue(&state, &auth).await?,
        chart: crate::pages::ledger_chart::build(&state, auth.scope.root, &entries, today),
        assessment: crate::pages::rectification::dashboard_card(&state, &auth).await?,
        letters: shoutu_domain::letter::Coverage::of(
            &state
                .store
                .letter_copies(&auth.scope, chrono::Datelike::year(&today))
                .await?,
        ),
        figures: figures(&state, &auth, chrono::Datelike::year(&today)).await?,
    })
}

#[derive(Deserialize)]
pub struct SwitchForm {
    #[serde(default)]
    unit: String,
}

pub async fn switch_unit(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Form(form): Form<SwitchForm>,
) -> Result<Response, AppError> {
    let unit = form
        .unit
        .trim()
        .parse::<i64>()
        .map_err(|_| AppError::BadRequest(format!("「当前单位」应为单位编号，收到「{}」", form.unit)))?;
    state
        .store
        .switch_session_unit(&auth.token_hash, &auth.home, UnitId(unit))
        .await?;
    // Back to where the user was, if that was a page of ours.
    let back = headers
        .get(axum::http::header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.split_once("://").map(|(_, rest)| rest))
        .and_then(|rest| rest.find('/').map(|i| rest[i..].to_string()))
        .filter(|p| crate::redirect::local_path(p).is_some())
        .unwrap_or_else(|| "/".into());
    Ok(see_other(back))
}

#[derive(Template, WebTemplate)]
#[template(path = "module.html")]
pub(crate) struct ModulePage {
    chrome: Chrome,
    name: &'static str,
}

pub async fn module(
    State(state): State<AppState>,
    auth: Auth,
    Path(key): Path<String>,
) -> Result<ModulePage, AppError> {
    let Some((key, name)) = MODULES.iter().find(|(k, _)| *k == key) else {
        return Err(AppError::NotFound);
    };
    Ok(ModulePage {
        chrome: chrome(&state, &auth, Nav::Module(key), *name).await?,
        name,
    })
}
