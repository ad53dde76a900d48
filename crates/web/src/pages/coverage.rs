//! 媒体刊发: articles about the units placed in outside media, counted per year and level.

use crate::AppState;
use crate::auth::Auth;
use crate::chrome::{Chrome, chrome};
use crate::error::AppError;
use crate::extract::{Form, Query, opt_int};
use crate::pages::people::{UnitOption, unit_options};
use crate::pages::platforms::fact_link;
use crate::pages::review::{NAV, year_bounds};
use crate::pages::{Submitted, see_other, settle, unprocessable};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;
use chrono::Datelike;
use serde::Deserialize;
use shoutu_domain::coverage::{Coverage, MediaLevel, NewCoverage};
use shoutu_domain::{Action, FieldError, UnitId};

pub struct LevelCount {
    pub label: &'static str,
    pub count: usize,
    pub link: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "platforms/coverage.html")]
pub(crate) struct CoveragePage {
    chrome: Chrome,
    year: i32,
    rows: Vec<Coverage>,
    levels: Vec<LevelCount>,
    total_link: String,
    units: Vec<UnitOption>,
    level_labels: Vec<&'static str>,
    values: CoverageForm,
    today: String,
    can_write: bool,
    error: Option<FieldError>,
}

#[derive(Deserialize, Default, Clone)]
pub struct CoverageForm {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    outlet: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    link: String,
}

#[derive(Deserialize)]
pub struct CoverageQuery {
    year: Option<String>,
    level: Option<String>,
}

async fn page(
    state: &AppState,
    auth: &Auth,
    year: i32,
    level: Option<MediaLevel>,
    values: CoverageForm,
    error: Option<FieldError>,
) -> Result<CoveragePage, AppError> {
    let (from, until) = year_bounds(year);
    let all = state.store.coverage(&auth.scope, from, until).await?;
    let unit = auth.scope.root;
    let levels = MediaLevel::ALL
        .into_iter()
        .map(|l| LevelCount {
            label: l.label(),
            count: all.iter().filter(|c| c.level == l).count(),
            link: fact_link(&format!("media.coverage:{}", l.label()), unit, from, until),
        })
        .collect();
    Ok(CoveragePage {
        chrome: chrome(state, auth, NAV, "媒体刊发").await?,
        year,
        rows: all.into_iter().filter(|c| level.is_none_or(|l| c.level == l)).collect(),
        levels,
        total_link: fact_link("media.coverage_all", unit, from, until),
        units: unit_options(&state.store.unit_tree(&auth.scope).await?),
        level_labels: MediaLevel::ALL.iter().map(|l| l.label()).collect(),
        values,
        today: state.today().to_string(),
        can_write: auth.can(Action::Write),
        error,
    })
}

pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<CoverageQuery>,
) -> Result<CoveragePage, AppError> {
    let year = crate::extract::opt_year("年度", q.year.as_deref())?.unwrap_or(state.today().year());
    let level = match q.level.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(l) => Some(MediaLevel::parse(l).map_err(|e| AppError::BadRequest(e.to_string()))?),
        None => None,
    };
    let values = CoverageForm {
        unit: auth.scope.root.to_string(),
        ..Default::default()
    };
    page(&state, &auth, year, level, values, None).await
}

pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<CoverageForm>,
) -> Result<Response, AppError> {
    auth.require(Action::Write)?;
    let unit = opt_int("单位", Some(&form.unit))?.map_or(auth.scope.root, UnitId);
    let outcome = match NewCoverage::parse(
        unit,
        &form.outlet,
        &form.level,
        &form.date,
        &form.title,
        &form.link,
        state.today(),
    ) {
        Ok(c) => settle(state.store.add_coverage(&auth.scope, c).await)?,
        Err(e) => Submitted::Fix(e),
    };
    match outcome {
        Submitted::Saved(c) => Ok(see_other(format!("/coverage?year={}", c.date.year()))),
        Submitted::Fix(e) => {
            let year = state.today().year();
            Ok(unprocessable(page(&state, &auth, year, None, form, Some(e)).await?))
        }
    }
}

/// The year's coverage as a sheet.
pub async fn export(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<CoverageQuery>,
) -> Result<Response, AppError> {
    let year = crate::extract::opt_year("年度", q.year.as_deref())?.unwrap_or(state.today().year());
    let (from, until) = year_bounds(year);
    let rows: Vec<Vec<String>> = state
        .store
        .coverage(&auth.scope, from, until)
        .await?
        .into_iter()
        .map(|c| {
            vec![
                c.date.to_string(),
                c.title,
                c.outlet,
                c.level.label().to_string(),
                c.unit_name,
                c.link,
            ]
        })
        .collect();
    crate::pages::ledger_excel::table_download(
        &format!("{year}年媒体刊发"),
        &["刊发日期", "稿件标题", "媒体", "级别", "单位", "链接"],
        &rows,
    )
}
