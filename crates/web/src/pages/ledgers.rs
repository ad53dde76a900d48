//! Every register at once: the ledgers workbook (one sheet per register) and, for unit
//! administrators, the unit's yearly archive as a zip.

use crate::AppState;
use crate::auth::Auth;
use crate::error::AppError;
use crate::extract::Query;
use crate::pages::YearQuery;
use crate::pages::ledger_excel::xlsx_download;
use crate::routes::Routes;
use crate::routes::get;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use shoutu_domain::Action;
use shoutu_report::archive::{collect, write_archive};
use shoutu_report::ledgers::{LedgerContext, workbook};

pub(crate) fn routes() -> Routes {
    Routes::new()
        .route("/ledgers.xlsx", get(ledgers))
        .route("/archive", get(archive))
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(e.to_string())
}

pub async fn ledgers(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    auth.require(Action::Read)?;
    let year = q.year_or(state.today())?;
    let unit = state.store.unit(&auth.scope, auth.scope.root).await?;
    let cx = LedgerContext {
        store: &*state.store,
        scope: &auth.scope,
        unit: &unit,
        year,
        today: state.today(),
        catalogue: &state.catalogue,
    };
    let bytes = workbook(&cx).await.map_err(internal)?;
    Ok(xlsx_download(bytes, &format!("{}{year}年台账.xlsx", unit.name)))
}

/// The archive is built in memory: a township's year is a few hundred files at most.
pub async fn archive(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    auth.require(Action::ManageUnits)?;
    let year = q.year_or(state.today())?;
    let unit = state.store.unit(&auth.scope, auth.scope.root).await?;
    let cx = LedgerContext {
        store: &*state.store,
        scope: &auth.scope,
        unit: &unit,
        year,
        today: state.today(),
        catalogue: &state.catalogue,
    };
    let generated = crate::time::local_text(&shoutu_domain::audit::format_time(state.clock.now()));
    let reports = shoutu_report::render::finalised_docx(&*state.store, &auth.scope, unit.id, year).await?;
    let contents = collect(&cx, &state.config.files_dir, generated)
        .await
        .map_err(internal)?
        .with_reports(reports);
    let bytes = tokio::task::spawn_blocking(move || {
        let mut out = std::io::Cursor::new(Vec::new());
        write_archive(&mut out, &contents, &mut |_, _| {}).map(|_| out.into_inner())
    })
    .await
    .map_err(internal)?
    .map_err(internal)?;
    let name = format!("{}{year}年度意识形态工作档案.zip", unit.name);
    let encoded: String = form_urlencoded::byte_serialize(name.as_bytes()).collect();
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename*=UTF-8''{}", encoded.replace('+', "%20")),
            ),
        ],
        bytes,
    )
        .into_response())
}
