//! 规定动作: how the unit stands against its requirements this period, and, for those who
//! supervise, a heat map of the units below (unit × requirement). Every figure is computed
//! from the ledger at request time and links to the records behind it.

use crate::AppState;
use crate::auth::Auth;
use crate::chrome::{Chrome, Nav, chrome};
use crate::error::AppError;
use crate::pages::query_string;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use chrono::{Datelike, NaiveDate};
use shoutu_domain::Unit;
use shoutu_domain::ledger::requirement::Counted;
use shoutu_domain::ledger::{Requirement, Status};
use shoutu_store::LedgerEntry;

pub struct StatusRow {
    pub status: Status,
    pub rule: String,
    pub source: String,
    pub evidence_link: String,
}

/// The list of records a status counted.
fn evidence_link(unit: &Unit, requirement: &Requirement, status: &Status) -> String {
    let query = query_string(&[
        ("unit", &unit.id.to_string()),
        ("tag", &requirement.tag),
        ("from", &status.period.first_day().to_string()),
        ("until", &status.period.last_day().to_string()),
    ]);
    format!("/activities?{query}")
}

/// Requirements look back at most a year: the longest period any of them uses.
pub(crate) fn year_bounds(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = NaiveDate::from_ymd_opt(today.year(), 1, 1).expect("1 January exists");
    let last = NaiveDate::from_ymd_opt(today.year(), 12, 31).expect("31 December exists");
    (first, last)
}

pub(crate) fn statuses_of(state: &AppState, unit: &Unit, entries: &[LedgerEntry], today: NaiveDate) -> Vec<StatusRow> {
    let own: Vec<Counted> = entries
        .iter()
        .filter(|e| e.unit_id == unit.id)
        .map(|e| Counted {
            id: e.id,
            date: e.date,
            tags: &e.tags,
        })
        .collect();
    state
        .requirements
        .requirements
        .iter()
        .filter(|r| r.applies_to(unit.kind))
        .map(|r| {
            let period = shoutu_domain::ledger::Period::containing(r.every, today);
            let status = r.evaluate(period, own.iter().cloned(), today);
            StatusRow {
                evidence_link: evidence_link(unit, r, &status),
                rule: r.rule_text(),
                source: r.source.clone(),
                status,
            }
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "requirements/status.html")]
pub(crate) struct StatusPage {
    chrome: Chrome,
    unit: Unit,
    rows: Vec<StatusRow>,
    met: usize,
    is_default: bool,
    has_children: bool,
}

pub async fn status(State(state): State<AppState>, auth: Auth) -> Result<StatusPage, AppError> {
    let today = state.today();
    let unit = state.store.unit(&auth.scope, auth.scope.root).await?;
    let (from, until) = year_bounds(today);
    let entries = state.store.ledger_entries(&auth.scope, from, until).await?;
    let rows = statuses_of(&state, &unit, &entries, today);
    let tree = state.store.unit_tree(&auth.scope).await?;
    Ok(StatusPage {
        chrome: chrome(&state, &auth, Nav::Module("xuexi"), "规定动作").await?,
        met: rows.iter().filter(|r| r.status.met).count(),
        is_default: state.requirements.is_default,
        has_children: tree.iter().any(|u| u.parent_id == Some(unit.id)),
        unit,
        rows,
    })
}

pub struct MapCell {
    pub text: String,
    pub class: &'static str,
    pub link: Option<String>,
    pub title: String,
}

pub struct MapRow {
    pub unit: Unit,
    pub cells: Vec<MapCell>,
    pub met: usize,
    pub due: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "requirements/map.html")]
pub(crate) struct MapPage {
    chrome: Chrome,
    columns: Vec<Requirement>,
    rows: Vec<MapRow>,
    unit_name: String,
}

pub async fn map(State(state): State<AppState>, auth: Auth) -> Result<MapPage, AppError> {
    let today = state.today();
    let tree = state.store.unit_tree(&auth.scope).await?;
    let children: Vec<Unit> = tree.iter().filter(|u| u.depth == 1).cloned().collect();
    let columns: Vec<Requirement> = state
        .requirements
        .requirements
        .iter()
        .filter(|r| children.iter().any(|u| r.applies_to(u.kind)))
        .cloned()
        .collect();
    let (from, until) = year_bounds(today);
    // One query for the whole subtree; each cell is then a pure evaluation.
    let entries = state.store.ledger_entries(&auth.scope, from, until).await?;
    let rows = children
        .into_iter()
        .filter(|u| columns.iter().any(|r| r.applies_to(u.kind)))
        .map(|unit| {
            let statuses = statuses_of(&state, &unit, &entries, today);
            let cells = columns
                .iter()
                .map(|r| match statuses.iter().find(|s| s.status.requirement == r.code) {
                    None => MapCell {
                        text: "不适用".into(),
                        class: "na",
                        link: None,
                        title: String::new(),
                    },
                    Some(s) => MapCell {
                        text: format!(
                            "{} {}/{}",
                            if s.status.met { "达标" } else { "未达标" },
                            s.status.count,
                            s.status.required
                        ),
                        class: if s.status.met { "ok" } else { "bad" },
                        link: Some(s.evidence_link.clone()),
                        title: format!("{}：{}", s.status.period.label(), s.rule),
                    },
                })
                .collect::<Vec<_>>();
            MapRow {
                met: statuses.iter().filter(|s| s.status.met).count(),
                due: statuses.len(),
                unit,
                cells,
            }
        })
        .collect();
    let unit_name = tree.first().map(|u| u.name.clone()).unwrap_or_default();
    Ok(MapPage {
        chrome: chrome(&state, &auth, Nav::Module("xuexi"), "规定动作热力图").await?,
        columns,
        rows,
        unit_name,
    })
}
