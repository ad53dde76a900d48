//! 报告: a unit's reports to its superior, written from the records. The editor shows the
//! text with every figure linked to the records behind it, takes the user's prose per
//! section, runs the 审校 engine, and finalises (freezing text and figures); the report
//! downloads as .docx in the official-document layout, and as PDF where LibreOffice exists.

use crate::AppState;
use crate::auth::Auth;
use crate::chrome::{Chrome, Nav, chrome};
use crate::error::AppError;
use crate::extract::{Form, Id, Query};
use crate::pages::check::CHECKER;
use crate::pages::{SavedQuery, Submitted, see_other, settle, unprocessable};
use crate::routes::Routes;
use crate::routes::{get, post};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use serde::Deserialize;
use shoutu_domain::report::{Finalise, NewReport, ReportPeriod, ReportRecord};
use shoutu_domain::{Action, FieldError, Unit, UnitId};
use shoutu_report::model::{Cell, Paragraph, Report, Span};
use shoutu_report::render;
use shoutu_text::proofread::{Finding, Severity};
use std::collections::{BTreeMap, HashMap};

const NAV: Nav = Nav::Module("baogao");
const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

pub(crate) fn routes() -> Routes {
    Routes::new()
        .route("/reports", get(list).post(create))
        .route("/reports/{id}", get(editor))
        .route("/reports/{id}/prose", post(save_prose))
        .route("/reports/{id}/finalise", post(finalise))
        .route("/reports/{id}/report.docx", get(download_docx))
        .route("/reports/{id}/report.pdf", get(download_pdf))
}

pub struct KindOption {
    pub kind: String,
    pub name: String,
    pub period: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/list.html")]
pub(crate) struct ListPage {
    chrome: Chrome,
    reports: Vec<ReportRecord>,
    kinds: Vec<KindOption>,
    units: Vec<Unit>,
    current: UnitId,
    year: i32,
    can_write: bool,
    error: Option<FieldError>,
    origin: String,
}

async fn list_page(state: &AppState, auth: &Auth, error: Option<FieldError>) -> Result<ListPage, AppError> {
    let today = state.today();
    let tree = state.store.unit_tree(&auth.scope).await?;
    Ok(ListPage {
        chrome: chrome(state, auth, NAV, "报告").await?,
        reports: state.store.reports(&auth.scope, None, None).await?,
        kinds: state
            .report_templates
            .templates
            .iter()
            .map(|t| KindOption {
                kind: t.kind.clone(),
                name: t.name.clone(),
                period: t.period_kind().code(),
            })
            .collect(),
        units: tree.into_iter().filter(|u| u.depth <= 1).collect(),
        current: auth.scope.root,
        // Annual reports are written early in the following year.
        year: if today.month() <= 3 {
            today.year() - 1
        } else {
            today.year()
        },
        can_write: auth.can(Action::Write),
        error,
        origin: state.report_templates.origin.clone(),
    })
}

pub async fn list(State(state): State<AppState>, auth: Auth) -> Result<ListPage, AppError> {
    list_page(&state, &auth, None).await
}

#[derive(Deserialize)]
pub struct NewForm {
    kind: String,
    year: String,
    #[serde(default)]
    part: String,
    #[serde(default)]
    unit: String,
}

pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<NewForm>,
) -> Result<Response, AppError> {
    let parsed = (|| {
        let template = state
            .report_templates
            .get(&form.kind)
            .ok_or_else(|| FieldError::new("报告类型", "请选择报告类型"))?;
        let year = form
            .year
            .trim()
            .parse::<i32>()
            .map_err(|_| FieldError::new("年度", format!("「{}」不是有效的年度", form.year.trim())))?;
        let part = form.part.trim().parse::<u32>().unwrap_or(0);
        let period = ReportPeriod::of(template.period_kind(), year, part)?;
        let unit = form.unit.trim().parse::<i64>().map(UnitId).unwrap_or(auth.scope.root);
        Ok::<_, FieldError>((template, period, unit))
    })();
    let (template, period, unit_id) = match parsed {
        Ok(p) => p,
        Err(e) => return Ok(unprocessable(list_page(&state, &auth, Some(e)).await?)),
    };
    let unit = state.store.unit(&auth.scope, unit_id).await?;
    let title = template
        .title
        .replace("{unit}", &unit.name)
        .replace("{period}", &period.label())
        .replace("{year}", &period.year.to_string());
    let result = state
        .store
        .create_report(
            &auth.scope,
            NewReport {
                unit_id: unit.id,
                kind: template.kind.clone(),
                period,
                title,
            },
        )
        .await;
    match settle(result)? {
        Submitted::Saved(r) => Ok(see_other(format!("/reports/{}", r.id))),
        Submitted::Fix(e) => Ok(unprocessable(list_page(&state, &auth, Some(e)).await?)),
    }
}

/// One piece of a paragraph as the editor shows it.
pub struct PieceView {
    pub text: String,
    /// The evidence page of a figure.
    pub link: Option<String>,
    pub title: String,
    pub missing: bool,
}

pub struct SectionView {
    pub key: String,
    pub level: u8,
    pub heading: String,
    pub paragraphs: Vec<Vec<PieceView>>,
    pub header: Vec<String>,
    pub rows: Vec<Vec<PieceView>>,
    pub prose: String,
}

pub struct FindingView {
    pub severity: &'static str,
    pub severity_label: &'static str,
    pub text: String,
    pub message: String,
    pub suggestion: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/edit.html")]
pub(crate) struct EditorPage {
    chrome: Chrome,
    record: ReportRecord,
    report_title: String,
    addressee: String,
    opening: Vec<PieceView>,
    sections: Vec<SectionView>,
    closing: String,
    signature: String,
    date_line: String,
    gaps: Vec<String>,
    findings: Vec<FindingView>,
    errors: usize,
    /// May change the prose (writers of the unit's records).
    can_write: bool,
    /// May finalise (writers, and the leader who signs).
    can_finalise: bool,
    saved: bool,
    error: Option<String>,
    kind_name: String,
}

fn fact_link(report: &Report, i: usize) -> PieceView {
    let f = &report.figures[i];
    PieceView {
        text: f.display.clone(),
        link: Some(crate::pages::facts::fact_href(
            &f.key,
            f.unit_id,
            shoutu_domain::fact::DateRange::new(report.from, report.until),
        )),
        title: format!("{}（{}）：{} 条记录", f.label, f.unit_name, f.evidence.len()),
        missing: f.value.is_none(),
    }
}

fn text_piece(t: &str) -> PieceView {
    PieceView {
        text: t.to_string(),
        link: None,
        title: String::new(),
        missing: false,
    }
}

fn pieces(report: &Report, p: &Paragraph) -> Vec<PieceView> {
    p.spans
        .iter()
        .map(|s| match s {
            Span::Text(t) => text_piece(t),
            Span::Figure(i) => fact_link(report, *i),
        })
        .collect()
}

fn proofread(report: &Report) -> Vec<Finding> {
    CHECKER.check_text(&report.full_text())
}

async fn load(state: &AppState, auth: &Auth, id: i64) -> Result<(ReportRecord, Report), AppError> {
    let record = state.store.report(&auth.scope, id).await?;
    let report = render::report_of(
        &*state.store,
        &auth.scope,
        &state.report_templates,
        &state.requirements,
        &record,
        state.today(),
    )
    .await?;
    Ok((record, report))
}

async fn editor_page(state: &AppState, auth: &Auth, id: i64, error: Option<String>) -> Result<EditorPage, AppError> {
    let (record, report) = load(state, auth, id).await?;
    let findings = {
        let r = report.clone();
        tokio::task::spawn_blocking(move || proofread(&r))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
    };
    let sections = report
        .sections
        .iter()
        .map(|s| SectionView {
            key: s.key.clone(),
            level: s.level,
            heading: s.heading.clone(),
            paragraphs: s.paragraphs.iter().map(|p| pieces(&report, p)).collect(),
            header: s.table.as_ref().map(|t| t.header.clone()).unwrap_or_default(),
            rows: s
                .table
                .as_ref()
                .map(|t| {
                    t.rows
                        .iter()
                        .map(|r| {
                            r.iter()
                                .map(|c| match c {
                                    Cell::Text(t) => text_piece(t),
                                    Cell::Figure(i) => fact_link(&report, *i),
                                })
                                .collect()
                        })
                        .collect()
                })
                .unwrap_or_default(),
            prose: s.prose.join("\n"),
        })
        .collect();
    Ok(EditorPage {
        chrome: chrome(state, auth, NAV, record.title.clone()).await?,
        errors: findings.iter().filter(|f| f.severity == Severity::Error).count(),
        findings: findings
            .into_iter()
            .map(|f| FindingView {
                severity: f.severity.as_str(),
                severity_label: f.severity.label_zh(),
                text: f.text,
                message: f.message,
                suggestion: f.suggestion.unwrap_or_default(),
            })
            .collect(),
        report_title: report.title.clone(),
        addressee: report.addressee.clone(),
        opening: pieces(&report, &report.opening),
        sections,
        closing: report.closing.clone(),
        signature: report.signature.clone(),
        date_line: report.date_line.clone(),
        gaps: report.gaps.clone(),
        can_write: !record.is_final() && auth.can(Action::Write),
        can_finalise: !record.is_final() && (auth.can(Action::Write) || auth.can(Action::SignOff)),
        saved: false,
        error,
        kind_name: report.kind_name.clone(),
        record,
    })
}

pub async fn editor(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Query(q): Query<SavedQuery>,
) -> Result<EditorPage, AppError> {
    let mut page = editor_page(&state, &auth, id, None).await?;
    page.saved = q.saved.is_some();
    Ok(page)
}

/// Fields `s:<section key>` carry the prose of each section.
pub async fn save_prose(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(fields): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let prose: BTreeMap<String, String> = fields
        .into_iter()
        .filter_map(|(k, v)| k.strip_prefix("s:").map(|k| (k.to_string(), v)))
        .collect();
    match settle(state.store.save_report_prose(&auth.scope, id, prose).await)? {
        Submitted::Saved(_) => Ok(see_other(format!("/reports/{id}?saved=1"))),
        Submitted::Fix(e) => Ok(unprocessable(
            editor_page(&state, &auth, id, Some(e.to_string())).await?,
        )),
    }
}

#[derive(Deserialize)]
pub struct FinaliseForm {
    #[serde(default)]
    override_reason: String,
}

pub async fn finalise(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Form(form): Form<FinaliseForm>,
) -> Result<Response, AppError> {
    let (_, report) = load(&state, &auth, id).await?;
    let errors = {
        let r = report.clone();
        tokio::task::spawn_blocking(move || proofread(&r).iter().filter(|f| f.severity == Severity::Error).count())
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
    };
    let finalise = Finalise {
        frozen: serde_json::to_string(&report).map_err(|e| AppError::Internal(e.to_string()))?,
        figures: report.frozen_figures(),
        override_reason: Some(form.override_reason),
        errors,
    };
    match settle(state.store.finalise_report(&auth.scope, id, finalise).await)? {
        Submitted::Saved(_) => Ok(see_other(format!("/reports/{id}?saved=1"))),
        Submitted::Fix(e) => Ok(unprocessable(
            editor_page(&state, &auth, id, Some(e.to_string())).await?,
        )),
    }
}

fn file_response(bytes: Vec<u8>, content_type: &str, name: &str) -> Response {
    let encoded: String = form_urlencoded::byte_serialize(name.as_bytes()).collect();
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename*=UTF-8''{}", encoded.replace('+', "%20")),
            ),
        ],
        bytes,
    )
        .into_response()
}

pub async fn download_docx(State(state): State<AppState>, auth: Auth, Id(id): Id) -> Result<Response, AppError> {
    let (record, report) = load(&state, &auth, id).await?;
    let bytes = render::docx_of(&*state.store, &auth.scope, &report).await?;
    Ok(file_response(bytes, DOCX, &format!("{}.docx", record.title)))
}

pub async fn download_pdf(State(state): State<AppState>, auth: Auth, Id(id): Id) -> Result<Response, AppError> {
    let (record, report) = load(&state, &auth, id).await?;
    let bytes = render::docx_of(&*state.store, &auth.scope, &report).await?;
    let pdf = render::pdf_from_docx(&bytes)
        .await
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    Ok(file_response(pdf, "application/pdf", &format!("{}.pdf", record.title)))
}
