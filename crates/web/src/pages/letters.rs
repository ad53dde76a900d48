//! 目标责任书: issue letters down the tree, track each copy to 已签订, and show supervisors
//! the signing rate and the units still missing.

use crate::AppState;
use crate::auth::Auth;
use crate::chrome::{Chrome, Nav, chrome};
use crate::error::AppError;
use crate::extract::{Form, Id, Query, opt_int};
use crate::pages::evidence;
use crate::pages::{SavedQuery, Submitted, YearQuery, see_other, settle, unprocessable};
use crate::upload;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, State};
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use shoutu_domain::letter::{CopyStatus, Coverage, Letter, LetterId, NewLetter};
use shoutu_domain::{Action, FieldError, Unit, UnitId, UnitKind};
use shoutu_store::CopyChange;

const NAV: Nav = Nav::Module("zeren");

#[derive(Template, WebTemplate)]
#[template(path = "letters/list.html")]
pub(crate) struct ListPage {
    chrome: Chrome,
    year: i32,
    letters: Vec<Letter>,
    coverage: Coverage,
    rate: String,
    can_write: bool,
}

pub async fn list(State(state): State<AppState>, auth: Auth, Query(q): Query<YearQuery>) -> Result<ListPage, AppError> {
    let year = q.year_or(state.today())?;
    let letters = state.store.letters(&auth.scope, Some(year)).await?;
    let coverage = Coverage::of(&state.store.letter_copies(&auth.scope, year).await?);
    Ok(ListPage {
        chrome: chrome(&state, &auth, NAV, "目标责任书").await?,
        rate: coverage
            .signed_rate()
            .map_or_else(|| "—".into(), |r| format!("{r:.0}%")),
        year,
        letters,
        coverage,
        can_write: auth.can(Action::Write),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "letters/form.html")]
pub(crate) struct FormPage {
    chrome: Chrome,
    children: Vec<Unit>,
    chosen: Vec<i64>,
    year: String,
    title: String,
    duties: String,
    error: Option<FieldError>,
}

/// Letters go to the units directly below, not to party branches.
async fn recipients_here(state: &AppState, auth: &Auth) -> Result<Vec<Unit>, AppError> {
    Ok(state
        .store
        .unit_tree(&auth.scope)
        .await?
        .into_iter()
        .filter(|u| u.depth == 1 && u.kind != UnitKind::PartyBranch)
        .collect())
}

pub async fn new_form(State(state): State<AppState>, auth: Auth) -> Result<FormPage, AppError> {
    auth.require(Action::Write)?;
    let children = recipients_here(&state, &auth).await?;
    let year = state.today().year();
    Ok(FormPage {
        chrome: chrome(&state, &auth, NAV, "下发目标责任书").await?,
        chosen: children.iter().map(|u| u.id.0).collect(),
        children,
        year: year.to_string(),
        title: format!("{year}年度意识形态工作目标责任书"),
        duties: "落实意识形态工作主体责任，党委（党组）书记履行第一责任人职责\n每年至少专题研究意识形态工作2次，每半年开展1次分析研判\n加强网络意识形态阵地管理，落实“谁主管谁负责”\n健全舆情处置机制，做到处早、处小、处快".into(),
        error: None,
    })
}

#[derive(Deserialize)]
pub struct LetterForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    duties: String,
    #[serde(default)]
    unit: Vec<String>,
}

pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<LetterForm>,
) -> Result<Response, AppError> {
    auth.require(Action::Write)?;
    let units: Vec<i64> = form.unit.iter().filter_map(|u| u.parse().ok()).collect();
    let parsed = NewLetter::parse(
        auth.scope.root,
        &form.year,
        &form.title,
        &form.duties,
        units.iter().map(|&u| UnitId(u)).collect(),
        state.today(),
    );
    let outcome = match parsed {
        Ok(letter) => settle(state.store.create_letter(&auth.scope, letter).await)?,
        Err(e) => Submitted::Fix(e),
    };
    match outcome {
        Submitted::Saved(letter) => Ok(see_other(format!("/letters/{}?saved=1", letter.id.0))),
        Submitted::Fix(field) => Ok(unprocessable(FormPage {
            chrome: chrome(&state, &auth, NAV, "下发目标责任书").await?,
            children: recipients_here(&state, &auth).await?,
            chosen: units,
            year: form.year,
            title: form.title,
            duties: form.duties,
            error: Some(field),
        })),
    }
}

pub struct CopyView {
    pub copy: shoutu_domain::letter::LetterCopy,
    pub can_issue: bool,
    pub can_sign: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "letters/detail.html")]
pub(crate) struct DetailPage {
    chrome: Chrome,
    letter: Letter,
    copies: Vec<CopyView>,
    today: String,
    saved: bool,
    error: Option<String>,
}

async fn detail_page(
    state: &AppState,
    auth: &Auth,
    id: LetterId,
    saved: bool,
    error: Option<String>,
) -> Result<DetailPage, AppError> {
    let mut letter = state.store.letter(&auth.scope, id).await?;
    let tree = state.store.unit_tree(&auth.scope).await?;
    let issuer_side = tree.iter().any(|u| u.id == letter.issuer);
    let write = auth.can(Action::Write);
    let copies = std::mem::take(&mut letter.copies)
        .into_iter()
        .map(|copy| CopyView {
            can_issue: write && issuer_side && copy.status == CopyStatus::NotIssued,
            can_sign: write && copy.status != CopyStatus::Signed && tree.iter().any(|u| u.id == copy.unit_id),
            copy,
        })
        .collect();
    Ok(DetailPage {
        chrome: chrome(state, auth, NAV, letter.title.clone()).await?,
        letter,
        copies,
        today: state.today().to_string(),
        saved,
        error,
    })
}

pub async fn detail(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Query(q): Query<SavedQuery>,
) -> Result<DetailPage, AppError> {
    detail_page(&state, &auth, LetterId(id), q.saved.is_some(), None).await
}

/// After a copy changed: back to its letter, or the letter again with what went wrong.
async fn back_to_letter(
    state: &AppState,
    auth: &Auth,
    letter: LetterId,
    outcome: Submitted<shoutu_domain::letter::LetterCopy>,
) -> Result<Response, AppError> {
    match outcome {
        Submitted::Saved(_) => Ok(see_other(format!("/letters/{}?saved=1", letter.0))),
        Submitted::Fix(e) => Ok(unprocessable(
            detail_page(state, auth, letter, false, Some(e.to_string())).await?,
        )),
    }
}

#[derive(Deserialize)]
pub struct IssueForm {
    #[serde(default)]
    letter: String,
}

pub async fn issue(
    State(state): State<AppState>,
    auth: Auth,
    Id(copy): Id,
    Form(form): Form<IssueForm>,
) -> Result<Response, AppError> {
    auth.require(Action::Write)?;
    let letter = LetterId(opt_int("责任书", Some(&form.letter))?.ok_or(AppError::NotFound)?);
    let outcome = settle(
        state
            .store
            .update_copy(&auth.scope, copy, CopyChange::Issue { on: state.today() })
            .await,
    )?;
    back_to_letter(&state, &auth, letter, outcome).await
}

pub async fn sign(
    State(state): State<AppState>,
    auth: Auth,
    Id(copy): Id,
    multipart: Multipart,
) -> Result<Response, AppError> {
    auth.require(Action::Write)?;
    let form = upload::read(multipart).await?;
    let letter = LetterId(opt_int("责任书", Some(form.get("letter")))?.ok_or(AppError::NotFound)?);
    let on = match NaiveDate::parse_from_str(form.get("date").trim(), "%Y-%m-%d") {
        Ok(d) if d <= state.today() => d,
        _ => {
            let e = FieldError::new("签订日期", "应为今天或以前的日期，例如 2026-03-15");
            return back_to_letter(&state, &auth, letter, Submitted::Fix(e)).await;
        }
    };
    let scans = match evidence::check(&state, &form.files, "扫描件") {
        Ok(checked) => checked,
        Err(e) => return back_to_letter(&state, &auth, letter, Submitted::Fix(e)).await,
    };
    let change = CopyChange::Sign {
        on,
        signer: form.get("signer").to_string(),
    };
    let outcome = settle(state.store.update_copy(&auth.scope, copy, change).await)?;
    if let Submitted::Saved(saved) = &outcome {
        for scan in scans.save(&state, "letter_copy", saved.id)? {
            state.store.add_attachment(&auth.scope, saved.unit_id, scan).await?;
        }
    }
    back_to_letter(&state, &auth, letter, outcome).await
}

/// 签订台账: every copy of the year's letters visible here.
pub async fn export(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    let year = q.year_or(state.today())?;
    let letters = state.store.letters(&auth.scope, Some(year)).await?;
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let rows: Vec<Vec<String>> = letters
        .iter()
        .flat_map(|l| {
            l.copies.iter().map(move |c| {
                vec![
                    l.title.clone(),
                    l.issuer_name.clone(),
                    c.unit_name.clone(),
                    c.status.label().to_string(),
                    date(c.issued_on),
                    date(c.signed_on),
                    c.signer.clone(),
                    c.attachments.to_string(),
                ]
            })
        })
        .collect();
    crate::pages::ledger_excel::table_download(
        &format!("{year}年目标责任书签订台账"),
        &[
            "责任书",
            "发文单位",
            "签订单位",
            "状态",
            "下发日期",
            "签订日期",
            "签订人",
            "扫描件",
        ],
        &rows,
    )
}
