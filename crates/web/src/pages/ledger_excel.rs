//! The ledger to and from Excel: export what is listed, download the import template, and
//! import a filled sheet all-or-nothing, with every problem listed by row and column.

use crate::AppState;
use crate::auth::Auth;
use crate::chrome::{Chrome, Nav, chrome};
use crate::error::AppError;
use crate::extract::Query;
use crate::pages::unprocessable;
use crate::upload;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use shoutu_domain::ledger::{ActivityInput, NewActivity};
use shoutu_domain::{Action, PageRequest, UnitId};
use shoutu_report::ledger_xlsx::{self, ImportProblem};
use shoutu_store::StoreError;
use std::collections::HashMap;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// An export covers what the list shows, up to this many records.
const EXPORT_LIMIT: i64 = 10_000;

pub(crate) fn xlsx_download(bytes: Vec<u8>, name: &str) -> Response {
    let encoded: String = form_urlencoded::byte_serialize(name.as_bytes()).collect();
    (
        [
            (header::CONTENT_TYPE, XLSX.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename*=UTF-8''{}", encoded.replace('+', "%20")),
            ),
        ],
        bytes,
    )
        .into_response()
}

pub async fn export(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<super::activities::ListQuery>,
) -> Result<Response, AppError> {
    let filter = super::activities::filter_of(&q)?;
    let mut all = Vec::new();
    let mut page = 1;
    loop {
        let found = state
            .store
            .activities(
                &auth.scope,
                &filter,
                PageRequest::new(Some(page), Some(PageRequest::MAX_PER_PAGE)),
            )
            .await?;
        let done = found.items.is_empty() || page >= found.pages();
        all.extend(found.items);
        if done || all.len() as i64 >= EXPORT_LIMIT {
            break;
        }
        page += 1;
    }
    let codes: HashMap<i64, String> = state
        .store
        .unit_tree(&auth.scope)
        .await?
        .into_iter()
        .map(|u| (u.id.0, u.code))
        .collect();
    let bytes = ledger_xlsx::write_activities(&state.catalogue, &all, |id| codes.get(&id).cloned().unwrap_or_default())
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(xlsx_download(bytes, &format!("工作台账-{}.xlsx", state.today())))
}

pub async fn template(State(state): State<AppState>, auth: Auth) -> Result<Response, AppError> {
    let here = state.store.unit(&auth.scope, auth.scope.root).await?;
    let bytes =
        ledger_xlsx::write_template(&state.catalogue, &here.code).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(xlsx_download(bytes, "工作台账导入模板.xlsx"))
}

#[derive(Template, WebTemplate)]
#[template(path = "activities/import.html")]
pub(crate) struct ImportPage {
    chrome: Chrome,
    problems: Vec<String>,
    imported: Option<usize>,
    unit_name: String,
}

async fn page(
    state: &AppState,
    auth: &Auth,
    problems: Vec<String>,
    imported: Option<usize>,
) -> Result<ImportPage, AppError> {
    let here = state.store.unit(&auth.scope, auth.scope.root).await?;
    Ok(ImportPage {
        chrome: chrome(state, auth, Nav::Module("xuexi"), "导入工作台账").await?,
        problems,
        imported,
        unit_name: here.name,
    })
}

pub async fn form(State(state): State<AppState>, auth: Auth) -> Result<ImportPage, AppError> {
    auth.require(Action::Write)?;
    page(&state, &auth, Vec::new(), None).await
}

pub async fn submit(State(state): State<AppState>, auth: Auth, multipart: Multipart) -> Result<Response, AppError> {
    auth.require(Action::Write)?;
    let form = upload::read(multipart).await?;
    let Some(file) = form.files.first() else {
        return Ok(unprocessable(
            page(&state, &auth, vec!["请选择要导入的 Excel 文件".into()], None).await?,
        ));
    };
    // Reading a workbook is CPU work on untrusted bytes: off the async threads.
    let (catalogue, bytes) = (state.catalogue.clone(), file.bytes.clone());
    let read = tokio::task::spawn_blocking(move || ledger_xlsx::read_activities(&catalogue, &bytes))
        .await
        .map_err(|e| AppError::Internal(format!("读取 Excel 文件失败：{e}")))?;
    let checked = match read {
        // A problem with the whole file names the file.
        Err(fatal) if fatal.row == 0 => Err(vec![ImportProblem {
            reason: format!("文件「{}」{}", file.file_name, fatal.reason),
            ..fatal
        }]),
        Err(fatal) => Err(vec![fatal]),
        Ok(sheet) => {
            let units: HashMap<String, UnitId> = state
                .store
                .unit_tree(&auth.scope)
                .await?
                .into_iter()
                .map(|u| (u.code, u.id))
                .collect();
            let today = state.today();
            let mut problems = sheet.problems;
            let mut ready = Vec::new();
            for row in sheet.rows {
                let unit = if row.unit_code.is_empty() {
                    Some(auth.scope.root)
                } else {
                    units.get(&row.unit_code).copied()
                };
                let Some(unit) = unit else {
                    problems.push(ImportProblem {
                        row: row.row,
                        column: "单位代码".into(),
                        reason: format!("「{}」不是您管辖范围内的单位代码", row.unit_code),
                    });
                    continue;
                };
                let kind = state
                    .catalogue
                    .get(&row.type_code)
                    .expect("the reader resolved the type");
                let input = ActivityInput {
                    date: &row.date,
                    topic: &row.topic,
                    others: &row.others,
                    summary: &row.summary,
                    flags: row.flags.clone(),
                    ..Default::default()
                };
                match NewActivity::parse(kind, unit, &input, today) {
                    Ok(a) => ready.push(a),
                    Err(e) => problems.push(ImportProblem {
                        row: row.row,
                        column: e.field.to_string(),
                        reason: e.message,
                    }),
                }
            }
            if ready.is_empty() && problems.is_empty() {
                problems.push(ImportProblem {
                    row: 0,
                    column: String::new(),
                    reason: "文件中没有数据行".into(),
                });
            }
            problems.sort_by_key(|p| p.row);
            if problems.is_empty() { Ok(ready) } else { Err(problems) }
        }
    };
    let ready = match checked {
        Ok(ready) => ready,
        Err(problems) => {
            let text = problems.iter().map(|p| p.to_string()).collect();
            return Ok(unprocessable(page(&state, &auth, text, None).await?));
        }
    };
    match state.store.import_activities(&auth.scope, ready).await {
        Ok(n) => Ok(page(&state, &auth, Vec::new(), Some(n)).await?.into_response()),
        Err(StoreError::Invalid(e) | StoreError::Conflict(e)) => {
            Ok(unprocessable(page(&state, &auth, vec![e.to_string()], None).await?))
        }
        Err(e) => Err(e.into()),
    }
}

/// A ledger page's table as a sheet, for the ledgers that are read, not imported.
pub(crate) fn table_download(name: &str, headers: &[&str], rows: &[Vec<String>]) -> Result<Response, AppError> {
    let bytes = shoutu_report::table_xlsx::write(name, headers, rows).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(xlsx_download(bytes, &format!("{name}.xlsx")))
}
