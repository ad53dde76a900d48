//! 审校 in the browser: paste text or upload a .txt/.docx and see the findings in place;
//! `/api/check` returns the same findings as JSON for other tools.

use crate::AppState;
use crate::auth::Auth;
use crate::chrome::{Chrome, Nav, chrome};
use crate::error::AppError;
use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use shoutu_domain::field::classification_mark;
use shoutu_text::proofread::{Checker, Document, Finding, Severity, parse_document};
use std::sync::LazyLock;

/// Loading the rule data takes a moment; it is done once and shared.
pub(crate) static CHECKER: LazyLock<Checker> = LazyLock::new(Checker::new);

/// Uploads are checked up to this size, like attachments elsewhere.
pub const UPLOAD_LIMIT: usize = 20 * 1024 * 1024;

pub struct Segment {
    pub text: String,
    /// Index into the findings list when this piece is flagged.
    pub finding: Option<usize>,
    pub severity: &'static str,
}

pub struct Row {
    pub number: usize,
    pub line: usize,
    pub column: usize,
    pub severity: &'static str,
    pub severity_label: &'static str,
    pub rule: String,
    pub text: String,
    pub message: String,
    pub suggestion: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "check.html")]
pub(crate) struct CheckPage {
    chrome: Chrome,
    name: String,
    text: String,
    checked: bool,
    segments: Vec<Segment>,
    rows: Vec<Row>,
    errors: usize,
    warnings: usize,
    error: Option<String>,
}

impl CheckPage {
    async fn empty(state: &AppState, auth: &Auth) -> Result<CheckPage, AppError> {
        Ok(CheckPage {
            chrome: chrome(state, auth, Nav::Check, "公文审校").await?,
            name: String::new(),
            text: String::new(),
            checked: false,
            segments: Vec::new(),
            rows: Vec::new(),
            errors: 0,
            warnings: 0,
            error: None,
        })
    }
}

pub async fn form(State(state): State<AppState>, auth: Auth) -> Result<CheckPage, AppError> {
    CheckPage::empty(&state, &auth).await
}

/// What was sent: pasted text (form field `text`) or a file (field `file`).
async fn read_upload(mut multipart: Multipart) -> Result<Document, AppError> {
    let mut pasted = String::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(format!("上传内容无法读取：{e}")))?
    {
        match field.name() {
            Some("file") => {
                let name = field.file_name().unwrap_or("上传文件").to_string();
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|_| AppError::BadRequest(format!("文件「{name}」上传不完整或超过 20 MB")))?;
                if !bytes.is_empty() {
                    return parse_document(&name, &bytes).map_err(|e| AppError::BadRequest(e.to_string()));
                }
            }
            Some("text") => {
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|_| AppError::BadRequest("粘贴的文字无法读取".into()))?;
                pasted = String::from_utf8(bytes.to_vec()).map_err(|_| {
                    AppError::BadRequest(
                        "粘贴的文字不是 UTF-8 编码（可能来自 GBK/GB18030 等其他编码），请重新粘贴".into(),
                    )
                })?;
            }
            _ => {}
        }
    }
    if pasted.trim().is_empty() {
        return Err(AppError::BadRequest(
            "请粘贴要审校的文字，或选择一个 .txt / .docx 文件".into(),
        ));
    }
    Ok(Document::from_text("粘贴的文字", pasted))
}

/// Classified material never enters: refuse before anything is checked or shown.
fn refuse_classified(doc: &Document) -> Result<(), AppError> {
    match classification_mark(&doc.text) {
        Some(mark) => Err(AppError::BadRequest(format!(
            "「{}」含有密级标志「{mark}」：涉密材料不得上传本系统（涉密不上网）",
            doc.name
        ))),
        None => Ok(()),
    }
}

async fn run(doc: Document) -> Result<(Document, Vec<Finding>), AppError> {
    refuse_classified(&doc)?;
    tokio::task::spawn_blocking(move || {
        let findings = CHECKER.check_document(&doc);
        (doc, findings)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))
}

pub async fn submit(State(state): State<AppState>, auth: Auth, multipart: Multipart) -> Result<Response, AppError> {
    let checked = match read_upload(multipart).await {
        Ok(doc) => run(doc).await,
        Err(e) => Err(e),
    };
    // What was sent cannot be checked: say why on the same page, keeping the form.
    let (doc, findings) = match checked {
        Ok(done) => done,
        Err(AppError::BadRequest(message)) => {
            let mut page = CheckPage::empty(&state, &auth).await?;
            page.error = Some(message);
            return Ok(crate::pages::unprocessable(page));
        }
        Err(e) => return Err(e),
    };
    let mut page = CheckPage::empty(&state, &auth).await?;
    page.segments = segments(&doc.text, &findings);
    page.errors = findings.iter().filter(|f| f.severity == Severity::Error).count();
    page.warnings = findings.iter().filter(|f| f.severity == Severity::Warning).count();
    page.rows = findings
        .into_iter()
        .enumerate()
        .map(|(i, f)| Row {
            number: i + 1,
            line: f.line,
            column: f.column,
            severity: f.severity.as_str(),
            severity_label: f.severity.label_zh(),
            rule: f.rule,
            text: f.text,
            message: f.message,
            suggestion: f.suggestion.unwrap_or_default(),
        })
        .collect();
    page.checked = true;
    page.name = doc.name;
    if doc.format == shoutu_text::proofread::DocumentFormat::PlainText {
        page.text = doc.text;
    }
    Ok(page.into_response())
}

/// The document cut into plain and flagged pieces. A span that overlaps one already marked
/// is listed below but not marked again, so the text reads straight through.
fn segments(text: &str, findings: &[Finding]) -> Vec<Segment> {
    let chars: Vec<char> = text.chars().collect();
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by_key(|&i| (findings[i].start, findings[i].end));
    let mut out = Vec::new();
    let mut at = 0;
    for i in order {
        let f = &findings[i];
        if f.start < at || f.end <= f.start || f.end > chars.len() {
            continue;
        }
        if f.start > at {
            out.push(Segment {
                text: chars[at..f.start].iter().collect(),
                finding: None,
                severity: "",
            });
        }
        out.push(Segment {
            text: chars[f.start..f.end].iter().collect(),
            finding: Some(i + 1),
            severity: f.severity.as_str(),
        });
        at = f.end;
    }
    if at < chars.len() {
        out.push(Segment {
            text: chars[at..].iter().collect(),
            finding: None,
            severity: "",
        });
    }
    out
}

/// `POST /api/check`: a text/plain body, or a multipart upload with a `file` or `text` field.
pub async fn api(_auth: Auth, request: Request) -> Result<Response, AppError> {
    let is_multipart = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let doc = if is_multipart {
        let multipart = Multipart::from_request(request, &())
            .await
            .map_err(|e| AppError::BadRequest(format!("上传内容无法读取：{}", e.body_text())))?;
        read_upload(multipart).await?
    } else {
        let bytes = axum::body::to_bytes(request.into_body(), UPLOAD_LIMIT)
            .await
            .map_err(|_| AppError::BadRequest("正文超过 20 MB".into()))?;
        parse_document("正文.txt", &bytes).map_err(|e| AppError::BadRequest(e.to_string()))?
    };
    let (_, findings) = run(doc).await?;
    Ok(Json(findings).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_spans_are_marked_once_and_the_text_reads_through() {
        let text = "推动推动工作XX镇";
        let findings = CHECKER.check_text(text);
        let pieces = segments(text, &findings);
        let joined: String = pieces.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(joined, text);
        assert!(pieces.iter().any(|s| s.finding.is_some()), "{findings:?}");
    }
}
