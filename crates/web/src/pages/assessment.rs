//! 考核: the indicator editor (tree view, one indicator at a time, or the whole TOML file),
//! rounds with totals, grades, ranking and a distribution chart, per-unit score sheets whose
//! figures open the records behind them, manual scores, and the cadre view.

use crate::AppState;
use crate::auth::Auth;
use crate::chrome::{Chrome, Nav, chrome};
use crate::error::AppError;
use crate::extract::{Form, Id, Ids, Query, opt_int};
use crate::pages::{SavedQuery, Submitted, query_string, see_other, settle, unprocessable};
use crate::upload;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use serde::Deserialize;
use shoutu_domain::assessment::indicator::{DEFAULT_SYSTEM, num};
use shoutu_domain::assessment::{
    Indicator, IndicatorSystem, NewManualScore, NewRound, Period, Round, RoundState, Rule,
};
use shoutu_domain::fact::{self, FactDef};
use shoutu_domain::{Action, FieldError, Unit, UnitId};
use shoutu_store::RoundSheet;

pub(crate) const NAV: Nav = Nav::Module("kaohe");

// ---------------------------------------------------------------- rounds

#[derive(Template, WebTemplate)]
#[template(path = "assessment/home.html")]
pub(crate) struct HomePage {
    chrome: Chrome,
    rounds: Vec<Round>,
    year: i32,
    periods: Vec<(&'static str, &'static str)>,
    can_score: bool,
    error: Option<String>,
}

async fn home_page(state: &AppState, auth: &Auth, error: Option<String>) -> Result<HomePage, AppError> {
    Ok(HomePage {
        chrome: chrome(state, auth, NAV, "考核").await?,
        rounds: state.store.rounds(&auth.scope).await?,
        year: state.today().year(),
        periods: Period::ALL.iter().map(|p| (p.code(), p.label())).collect(),
        can_score: auth.can(Action::Score),
        error,
    })
}

pub async fn home(State(state): State<AppState>, auth: Auth) -> Result<HomePage, AppError> {
    home_page(&state, &auth, None).await
}

#[derive(Deserialize)]
pub struct RoundForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    period: String,
    #[serde(default)]
    title: String,
}

pub async fn open_round(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<RoundForm>,
) -> Result<Response, AppError> {
    auth.require(Action::Score)?;
    let outcome = match NewRound::parse(auth.scope.root, &form.year, &form.period, &form.title) {
        Ok(round) => settle(state.store.open_round(&auth.scope, round).await)?,
        Err(e) => Submitted::Fix(e),
    };
    match outcome {
        Submitted::Saved(round) => Ok(see_other(format!("/assessment/rounds/{}", round.id))),
        Submitted::Fix(e) => Ok(unprocessable(home_page(&state, &auth, Some(e.to_string())).await?)),
    }
}

pub struct RankRow {
    pub rank: usize,
    pub unit_id: i64,
    pub unit_name: String,
    pub total: String,
    pub grade: String,
    pub grade_css: &'static str,
    pub vetoes: Vec<String>,
    pub pending: usize,
}

pub struct GradeBar {
    pub name: String,
    pub count: usize,
    pub x: u32,
    pub y: u32,
    pub height: u32,
}

#[derive(Template, WebTemplate)]
#[template(path = "assessment/round.html")]
pub(crate) struct RoundPage {
    chrome: Chrome,
    round: Round,
    open: bool,
    rows: Vec<RankRow>,
    bars: Vec<GradeBar>,
    can_score: bool,
    saved: bool,
    error: Option<String>,
}

const CHART_HEIGHT: u32 = 120;

fn rank_rows(sheet: &RoundSheet) -> Vec<RankRow> {
    let mut rows: Vec<RankRow> = sheet
        .results
        .iter()
        .filter_map(|r| {
            let unit = sheet.units.iter().find(|u| u.id == r.unit_id)?;
            Some(RankRow {
                rank: r.rank,
                unit_id: unit.id.0,
                unit_name: unit.name.clone(),
                total: format!("{:.2}", r.total),
                grade: sheet.round.grades.grades[r.grade].name.clone(),
                grade_css: sheet.round.grades.css(r.grade),
                vetoes: r
                    .vetoes
                    .iter()
                    .map(|c| sheet.round.system.get(c).map_or(c.clone(), |i| i.name.clone()))
                    .collect(),
                pending: r.pending,
            })
        })
        .collect();
    rows.sort_by_key(|r| r.rank);
    rows
}

fn grade_bars(sheet: &RoundSheet) -> Vec<GradeBar> {
    let counts: Vec<usize> = (0..sheet.round.grades.grades.len())
        .map(|g| sheet.results.iter().filter(|r| r.grade == g).count())
        .collect();
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    sheet
        .round
        .grades
        .grades
        .iter()
        .zip(counts)
        .enumerate()
        .map(|(i, (g, count))| {
            let height = (count as u32 * CHART_HEIGHT) / max as u32;
            GradeBar {
                name: g.name.clone(),
                count,
                x: i as u32 * 80 + 20,
                y: CHART_HEIGHT - height + 16,
                height,
            }
        })
        .collect()
}

async fn round_page(
    state: &AppState,
    auth: &Auth,
    id: i64,
    saved: bool,
    error: Option<String>,
) -> Result<RoundPage, AppError> {
    let sheet = state.store.round_sheet(&auth.scope, id).await?;
    Ok(RoundPage {
        chrome: chrome(state, auth, NAV, sheet.round.title.clone()).await?,
        open: sheet.round.state == RoundState::Open,
        rows: rank_rows(&sheet),
        bars: grade_bars(&sheet),
        can_score: auth.can(Action::Score),
        round: sheet.round,
        saved,
        error,
    })
}

pub async fn round(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Query(q): Query<SavedQuery>,
) -> Result<RoundPage, AppError> {
    round_page(&state, &auth, id, q.saved.is_some(), None).await
}

async fn round_outcome<T>(state: &AppState, auth: &Auth, id: i64, outcome: Submitted<T>) -> Result<Response, AppError> {
    match outcome {
        Submitted::Saved(_) => Ok(see_other(format!("/assessment/rounds/{id}?saved=1"))),
        Submitted::Fix(e) => Ok(unprocessable(
            round_page(state, auth, id, false, Some(e.to_string())).await?,
        )),
    }
}

pub async fn recompute(State(state): State<AppState>, auth: Auth, Id(id): Id) -> Result<Response, AppError> {
    auth.require(Action::Score)?;
    let outcome = settle(state.store.recompute_round(&auth.scope, id).await)?;
    round_outcome(&state, &auth, id, outcome).await
}

pub async fn close(State(state): State<AppState>, auth: Auth, Id(id): Id) -> Result<Response, AppError> {
    auth.require(Action::Score)?;
    let outcome = settle(state.store.close_round(&auth.scope, id).await)?;
    round_outcome(&state, &auth, id, outcome).await
}

/// The ranking with every item's score, as Excel.
pub async fn export_round(State(state): State<AppState>, auth: Auth, Id(id): Id) -> Result<Response, AppError> {
    let sheet = state.store.round_sheet(&auth.scope, id).await?;
    let leaves: Vec<&Indicator> = sheet
        .round
        .system
        .tree_order()
        .into_iter()
        .filter(|i| i.rule.is_some())
        .collect();
    let mut headers: Vec<String> = vec!["名次".into(), "单位".into()];
    headers.extend(leaves.iter().map(|i| format!("{} {}", i.code, i.name)));
    headers.extend(["总分".to_string(), "等次".to_string(), "一票否决".to_string()]);
    let mut results: Vec<_> = sheet.results.iter().collect();
    results.sort_by_key(|r| r.rank);
    let rows: Vec<Vec<String>> = results
        .into_iter()
        .map(|r| {
            let name = sheet
                .units
                .iter()
                .find(|u| u.id == r.unit_id)
                .map_or(String::new(), |u| u.name.clone());
            let mut row = vec![r.rank.to_string(), name];
            row.extend(leaves.iter().map(|i| match r.item(&i.code) {
                Some(item) if item.vetoed => "否决".to_string(),
                Some(item) => item.score.map_or(String::new(), |s| format!("{s:.2}")),
                None => String::new(),
            }));
            row.push(format!("{:.2}", r.total));
            row.push(sheet.round.grades.grades[r.grade].name.clone());
            row.push(r.vetoes.join("、"));
            row
        })
        .collect();
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    crate::pages::ledger_excel::table_download(&sheet.round.title, &headers, &rows)
}

// ---------------------------------------------------------------- score sheet

pub struct SheetRow {
    pub code: String,
    pub name: String,
    pub depth: usize,
    pub weight: String,
    pub rule: String,
    pub fact_label: Option<String>,
    /// The fact value as shown, with the link to the records behind it.
    pub value: Option<(String, String)>,
    pub evidence: usize,
    pub score: String,
    pub css: &'static str,
    pub manual: bool,
    pub reason: Option<(String, String)>,
    /// Deductions and vetoes that took effect may be turned into a rectification item.
    pub issue: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "assessment/sheet.html")]
pub(crate) struct SheetPage {
    chrome: Chrome,
    evidence: Vec<shoutu_domain::attachment::Attachment>,
    round: Round,
    unit: Unit,
    rows: Vec<SheetRow>,
    total: String,
    grade: String,
    grade_css: &'static str,
    rank: usize,
    vetoes: Vec<String>,
    open: bool,
    can_score: bool,
    saved: bool,
    error: Option<String>,
}

/// The drill-down page of a fact for one unit's subtree over the round's period.
pub(crate) fn fact_href(key: &str, unit: UnitId, round: &Round) -> String {
    let range = round.range();
    crate::pages::facts::fact_href(key, unit, shoutu_domain::fact::DateRange::new(range.from, range.until))
}

async fn sheet_page(
    state: &AppState,
    auth: &Auth,
    id: i64,
    unit: i64,
    saved: bool,
    error: Option<String>,
) -> Result<SheetPage, AppError> {
    let sheet = state.store.round_sheet(&auth.scope, id).await?;
    let unit = sheet
        .units
        .iter()
        .find(|u| u.id.0 == unit)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let result = sheet.result(unit.id).ok_or(AppError::NotFound)?;
    let round = &sheet.round;
    let mut rows = Vec::new();
    for ind in round.system.tree_order() {
        let key = (ind.code.clone(), unit.id);
        let item = result.item(&ind.code);
        let group = result.groups.iter().find(|(c, _)| *c == ind.code).map(|(_, s)| *s);
        let cached = sheet.facts.get(&key);
        let fact_key = ind.rule.as_ref().and_then(|r| r.fact());
        let value = match (fact_key, cached) {
            (Some(k), Some(c)) => {
                let shown = shoutu_domain::fact::Fact {
                    key: k.to_string(),
                    unit_id: unit.id,
                    value: c.value,
                    evidence: Vec::new(),
                }
                .display();
                let word = fact::definition(k).map_or("", |d| d.measure_word);
                let text = if c.value.is_some() {
                    format!("{shown}{word}")
                } else {
                    shown
                };
                Some((text, fact_href(k, unit.id, round)))
            }
            (Some(_), None) => Some(("（未计算）".to_string(), String::new())),
            _ => None,
        };
        let (score, css) = match (&ind.rule, item) {
            (Some(Rule::Veto { .. }), Some(i)) if i.vetoed => ("一票否决".to_string(), "state-bad"),
            (Some(Rule::Veto { .. }), _) => ("未触发".to_string(), "state-ok"),
            (Some(Rule::Manual), Some(i)) if i.score.is_none() => ("待评分".to_string(), "missing"),
            (Some(_), Some(i)) => (i.score.map_or(String::new(), |s| format!("{s:.2}")), ""),
            (None, _) => (group.map_or(String::new(), |s| format!("{s:.2}")), ""),
            _ => (String::new(), ""),
        };
        let took_effect = match (&ind.rule, item) {
            (Some(Rule::Veto { .. }), Some(i)) => i.vetoed,
            (Some(Rule::Deduction { .. }), Some(i)) => i.score.is_some_and(|s| s < ind.weight),
            _ => false,
        };
        let issue = (took_effect && auth.can(Action::Score)).then(|| {
            format!(
                "/rectifications/new?{}",
                query_string(&[
                    ("owner", &unit.id.to_string()),
                    ("source", "assessment_round"),
                    ("source_id", &round.id.to_string()),
                    ("title", &format!("{}（{}考核扣分）", ind.name, round.title)),
                ])
            )
        });
        rows.push(SheetRow {
            issue,
            code: ind.code.clone(),
            name: ind.name.clone(),
            depth: round.system.depth(&ind.code),
            weight: num(ind.weight),
            rule: ind
                .rule
                .as_ref()
                .map_or("下级指标得分之和".to_string(), |r| r.describe(ind.weight)),
            fact_label: fact_key.and_then(fact::definition).map(|d| d.label.to_string()),
            value,
            evidence: cached.map_or(0, |c| c.evidence.len()),
            score,
            css,
            manual: matches!(ind.rule, Some(Rule::Manual)),
            reason: sheet.manual.get(&key).map(|m| (m.reason.clone(), m.inspector.clone())),
        });
    }
    let evidence = state
        .store
        .attachments_of(&auth.scope, "assessment_score", round.id)
        .await?
        .into_iter()
        .filter(|a| a.unit_id == unit.id)
        .collect();
    Ok(SheetPage {
        evidence,
        chrome: chrome(state, auth, NAV, format!("{} · {}", unit.name, round.title)).await?,
        total: format!("{:.2}", result.total),
        grade: round.grades.grades[result.grade].name.clone(),
        grade_css: round.grades.css(result.grade),
        rank: result.rank,
        vetoes: result
            .vetoes
            .iter()
            .map(|c| round.system.get(c).map_or(c.clone(), |i| i.name.clone()))
            .collect(),
        open: round.state == RoundState::Open,
        can_score: auth.can(Action::Score),
        round: sheet.round.clone(),
        unit,
        rows,
        saved,
        error,
    })
}

pub async fn sheet(
    State(state): State<AppState>,
    auth: Auth,
    Ids(id, unit): Ids,
    Query(q): Query<SavedQuery>,
) -> Result<SheetPage, AppError> {
    sheet_page(&state, &auth, id, unit, q.saved.is_some(), None).await
}

#[derive(Deserialize)]
pub struct ManualForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    score: String,
    #[serde(default)]
    reason: String,
}

pub async fn manual(
    State(state): State<AppState>,
    auth: Auth,
    Ids(id, unit): Ids,
    Form(form): Form<ManualForm>,
) -> Result<Response, AppError> {
    auth.require(Action::Score)?;
    let round = state.store.round(&auth.scope, id).await?;
    let outcome = match NewManualScore::parse(&round.system, UnitId(unit), &form.code, &form.score, &form.reason) {
        Ok(score) => settle(state.store.set_manual_score(&auth.scope, id, score).await)?,
        Err(e) => Submitted::Fix(e),
    };
    match outcome {
        Submitted::Saved(()) => Ok(see_other(format!("/assessment/rounds/{id}/units/{unit}?saved=1"))),
        Submitted::Fix(e) => Ok(unprocessable(
            sheet_page(&state, &auth, id, unit, false, Some(e.to_string())).await?,
        )),
    }
}

/// Files backing a unit's manual scores (photos of the site visit, minutes), checked first.
pub async fn score_evidence(
    State(state): State<AppState>,
    auth: Auth,
    Ids(id, unit): Ids,
    multipart: Multipart,
) -> Result<Response, AppError> {
    auth.require(Action::Score)?;
    let form = upload::read(multipart).await?;
    let outcome = match crate::pages::evidence::check(&state, &form.files, "评分佐证") {
        Err(e) => Submitted::Fix(e),
        Ok(checked) => {
            let files = checked.save(&state, "assessment_score", id)?;
            settle(
                state
                    .store
                    .add_score_evidence(&auth.scope, id, UnitId(unit), files)
                    .await,
            )?
        }
    };
    match outcome {
        Submitted::Saved(()) => Ok(see_other(format!("/assessment/rounds/{id}/units/{unit}?saved=1"))),
        Submitted::Fix(e) => Ok(unprocessable(
            sheet_page(&state, &auth, id, unit, false, Some(e.to_string())).await?,
        )),
    }
}

// ---------------------------------------------------------------- indicator editor

pub struct TreeRow {
    pub indicator: Indicator,
    pub depth: usize,
    pub rule: String,
    pub fact_label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "assessment/indicators.html")]
pub(crate) struct IndicatorsPage {
    chrome: Chrome,
    year: i32,
    saved_at: Option<String>,
    rows: Vec<TreeRow>,
    source: String,
    facts: Vec<&'static FactDef>,
    activity_types: Vec<(String, String)>,
    grades: Vec<String>,
    parents: Vec<(String, String)>,
    item: ItemForm,
    can_score: bool,
    saved: bool,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct YearOnly {
    year: Option<String>,
    saved: Option<String>,
}

/// The year's system of the scope's unit, or the shipped default when none is saved yet.
async fn current_system(state: &AppState, auth: &Auth, year: i32) -> Result<(String, Option<String>), AppError> {
    Ok(
        match state.store.indicator_system(&auth.scope, auth.scope.root, year).await? {
            Some(saved) => (saved.source, Some(saved.updated_at)),
            None => (DEFAULT_SYSTEM.to_string(), None),
        },
    )
}

async fn indicators_page(
    state: &AppState,
    auth: &Auth,
    year: i32,
    edited: Option<String>,
    item: ItemForm,
    saved: bool,
    error: Option<String>,
) -> Result<IndicatorsPage, AppError> {
    let (stored, saved_at) = current_system(state, auth, year).await?;
    let system = IndicatorSystem::from_toml(&stored).map_err(|e| AppError::Internal(e.to_string()))?;
    let rows = system
        .tree_order()
        .into_iter()
        .map(|i| TreeRow {
            depth: system.depth(&i.code),
            rule: i
                .rule
                .as_ref()
                .map_or("下级指标得分之和".into(), |r| r.describe(i.weight)),
            fact_label: i
                .rule
                .as_ref()
                .and_then(|r| r.fact())
                .map(|k| {
                    let label = fact::definition(k).map_or("", |d| d.label);
                    format!("{label}（{k}）")
                })
                .unwrap_or_default(),
            indicator: i.clone(),
        })
        .collect();
    let parents = system
        .indicators
        .iter()
        .filter(|i| i.rule.is_none())
        .map(|i| (i.code.clone(), i.name.clone()))
        .collect();
    Ok(IndicatorsPage {
        chrome: chrome(state, auth, NAV, format!("{year}年度考核指标体系")).await?,
        year,
        saved_at,
        rows,
        source: edited.unwrap_or(stored),
        facts: fact::catalogue().collect(),
        activity_types: state
            .catalogue
            .types
            .iter()
            .map(|t| (t.code.clone(), t.name.clone()))
            .collect(),
        grades: shoutu_domain::assessment::GradeScale::defaults()
            .grades
            .into_iter()
            .map(|g| g.name)
            .collect(),
        parents,
        item,
        can_score: auth.can(Action::Score),
        saved,
        error,
    })
}

fn year_of(state: &AppState, raw: Option<&str>) -> Result<i32, AppError> {
    Ok(crate::extract::opt_year("年度", raw)?.unwrap_or(state.today().year()))
}

pub async fn indicators(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<YearOnly>,
) -> Result<IndicatorsPage, AppError> {
    let year = year_of(&state, q.year.as_deref())?;
    indicators_page(&state, &auth, year, None, ItemForm::default(), q.saved.is_some(), None).await
}

async fn save_source(
    state: &AppState,
    auth: &Auth,
    year: i32,
    source: String,
    item: ItemForm,
) -> Result<Response, AppError> {
    match settle(
        state
            .store
            .save_indicator_system(&auth.scope, auth.scope.root, year, &source)
            .await,
    )? {
        Submitted::Saved(_) => Ok(see_other(format!("/assessment/indicators?year={year}&saved=1"))),
        Submitted::Fix(e) => Ok(unprocessable(
            indicators_page(state, auth, year, Some(source), item, false, Some(e.to_string())).await?,
        )),
    }
}

#[derive(Deserialize)]
pub struct SourceForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    source: String,
}

pub async fn save(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<SourceForm>,
) -> Result<Response, AppError> {
    auth.require(Action::Score)?;
    let year = year_of(&state, Some(&form.year))?;
    save_source(&state, &auth, year, form.source, ItemForm::default()).await
}

/// A TOML file uploaded in place of the text.
pub async fn import(State(state): State<AppState>, auth: Auth, multipart: Multipart) -> Result<Response, AppError> {
    auth.require(Action::Score)?;
    let form = upload::read(multipart).await?;
    let year = year_of(&state, Some(form.get("year")))?;
    let source = match form.files.first() {
        None => Err(FieldError::new("指标文件", "请选择要导入的 .toml 文件")),
        Some(f) => String::from_utf8(f.bytes.clone())
            .map_err(|_| FieldError::new("指标文件", format!("「{}」不是 UTF-8 编码的文本文件", f.file_name))),
    };
    match source {
        Ok(source) => save_source(&state, &auth, year, source, ItemForm::default()).await,
        Err(e) => Ok(unprocessable(
            indicators_page(
                &state,
                &auth,
                year,
                None,
                ItemForm::default(),
                false,
                Some(e.to_string()),
            )
            .await?,
        )),
    }
}

pub async fn export(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<YearOnly>,
) -> Result<Response, AppError> {
    let year = year_of(&state, q.year.as_deref())?;
    let (source, _) = current_system(&state, &auth, year).await?;
    let name = format!("{year}年度考核指标.toml");
    let disposition = format!(
        "attachment; filename=\"indicators-{year}.toml\"; filename*=UTF-8''{}",
        form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>()
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/toml; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        source,
    )
        .into_response())
}

/// One indicator as the editor's form sends it.
#[derive(Deserialize, Default, Clone)]
pub struct ItemForm {
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub parent: String,
    #[serde(default)]
    pub weight: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub fact: String,
    #[serde(default)]
    pub target: String,
    #[serde(default)]
    pub full_at: String,
    #[serde(default)]
    pub zero_at: String,
    #[serde(default)]
    pub per: String,
    #[serde(default)]
    pub cap: String,
    #[serde(default)]
    pub at_least: String,
    #[serde(default)]
    pub cap_grade: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub remove: String,
}

fn number(field: &'static str, value: &str) -> Result<f64, FieldError> {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| FieldError::new(field, "应为数字"))
}

impl ItemForm {
    fn rule(&self) -> Result<Option<Rule>, FieldError> {
        let fact = self.fact.trim().to_string();
        Ok(Some(match self.kind.as_str() {
            "group" => return Ok(None),
            "target" => Rule::Target {
                fact,
                target: number("目标值", &self.target)?,
            },
            "rate" => Rule::Rate {
                fact,
                full_at: number("满分线", &self.full_at)?,
                zero_at: number("零分线", &self.zero_at)?,
            },
            "present" => Rule::Present { fact },
            "manual" => Rule::Manual,
            "deduction" => Rule::Deduction {
                fact,
                per: number("每项扣分", &self.per)?,
                cap: number("扣分上限", &self.cap)?,
            },
            "veto" => Rule::Veto {
                fact,
                at_least: if self.at_least.trim().is_empty() {
                    1.0
                } else {
                    number("触发条件", &self.at_least)?
                },
                cap_grade: self.cap_grade.trim().to_string(),
            },
            _ => return Err(FieldError::new("评分规则", "请选择评分规则")),
        }))
    }

    /// The system with this indicator added, replaced (same code) or removed.
    fn apply(&self, mut system: IndicatorSystem) -> Result<IndicatorSystem, FieldError> {
        let code = self.code.trim().to_string();
        if code.is_empty() {
            return Err(FieldError::new("指标代码", "请填写指标代码"));
        }
        if !self.remove.is_empty() {
            if system.children(&code).next().is_some() {
                return Err(FieldError::new(
                    "指标代码",
                    format!("指标 {code} 还有下级指标，请先删除下级指标"),
                ));
            }
            let before = system.indicators.len();
            system.indicators.retain(|i| i.code != code);
            if system.indicators.len() == before {
                return Err(FieldError::new("指标代码", format!("没有代码为 {code} 的指标")));
            }
            return Ok(system);
        }
        let indicator = Indicator {
            code: code.clone(),
            name: self.name.trim().to_string(),
            parent: Some(self.parent.trim().to_string()).filter(|p| !p.is_empty()),
            weight: if self.weight.trim().is_empty() {
                0.0
            } else {
                number("分值", &self.weight)?
            },
            rule: self.rule()?,
            full_when_missing: false,
            note: self.note.trim().to_string(),
        };
        match system.indicators.iter_mut().find(|i| i.code == code) {
            Some(existing) => {
                let keep = existing.full_when_missing;
                *existing = Indicator {
                    full_when_missing: keep,
                    ..indicator
                };
            }
            None => system.indicators.push(indicator),
        }
        Ok(system)
    }
}

pub async fn save_item(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<ItemForm>,
) -> Result<Response, AppError> {
    auth.require(Action::Score)?;
    let year = year_of(&state, Some(&form.year))?;
    let (source, _) = current_system(&state, &auth, year).await?;
    let system = IndicatorSystem::from_toml(&source).map_err(|e| AppError::Internal(e.to_string()))?;
    match form.apply(system) {
        Ok(changed) => save_source(&state, &auth, year, changed.to_toml(), form).await,
        Err(e) => Ok(unprocessable(
            indicators_page(&state, &auth, year, None, form, false, Some(e.to_string())).await?,
        )),
    }
}

// ---------------------------------------------------------------- cadre view

pub struct CadreView {
    pub name: String,
    pub duties: Vec<String>,
    pub records: Vec<(String, String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "assessment/cadres.html")]
pub(crate) struct CadresPage {
    chrome: Chrome,
    year: i32,
    unit: Unit,
    units: Vec<Unit>,
    cadres: Vec<CadreView>,
}

#[derive(Deserialize)]
pub struct CadreQuery {
    year: Option<String>,
    unit: Option<String>,
}

/// For each leader of a unit: the duties held in the year and the records they hosted or led.
pub async fn cadres(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<CadreQuery>,
) -> Result<CadresPage, AppError> {
    let year = year_of(&state, q.year.as_deref())?;
    let range = Period::Year.range(year);
    let unit_id = opt_int("单位", q.unit.as_deref())?.map_or(auth.scope.root, UnitId);
    let unit = state.store.unit(&auth.scope, unit_id).await?;
    let units: Vec<Unit> = state
        .store
        .unit_tree(&auth.scope)
        .await?
        .into_iter()
        .filter(|u| u.depth <= 1)
        .collect();
    let duties: Vec<_> = state
        .store
        .duties(&auth.scope, unit.id, None)
        .await?
        .into_iter()
        .filter(|d| d.start <= range.until && d.end.is_none_or(|e| e >= range.from))
        .collect();
    let records = state
        .store
        .cadre_records(&auth.scope, unit.id, range.from, range.until)
        .await?;
    let mut people: Vec<(i64, String)> = duties.iter().map(|d| (d.person_id.0, d.person_name.clone())).collect();
    people.dedup();
    let mut seen = std::collections::HashSet::new();
    people.retain(|(id, _)| seen.insert(*id));
    let cadres = people
        .into_iter()
        .map(|(pid, name)| CadreView {
            name,
            duties: duties
                .iter()
                .filter(|d| d.person_id.0 == pid)
                .map(|d| {
                    let term = match d.end {
                        Some(end) => format!("{} 至 {end}", d.start),
                        None => format!("{} 起至今", d.start),
                    };
                    let portfolio = if d.portfolio.is_empty() {
                        String::new()
                    } else {
                        format!("（{}）", d.portfolio)
                    };
                    format!("{}{portfolio}，{term}", d.role.label())
                })
                .collect(),
            records: records
                .iter()
                .filter(|r| r.person_id == pid)
                .map(|r| {
                    let (what, href) = match r.kind {
                        "activity" => ("主持", format!("/activities/{}", r.id)),
                        _ => ("牵头", format!("/plans/{}", r.id)),
                    };
                    (format!("{} {what}", r.date), r.title.clone(), href)
                })
                .collect(),
        })
        .collect();
    Ok(CadresPage {
        chrome: chrome(&state, &auth, NAV, format!("{year}年度干部履职记录")).await?,
        year,
        unit,
        units,
        cadres,
    })
}
