//! A stored report as the reader gets it: the frozen copy once finalised, else assembled
//! afresh from the records with the user's prose; as .docx, and as PDF through LibreOffice
//! where it is installed.

use crate::model::Report;
use crate::template::TemplateSet;
use crate::{Inputs, assemble, docx, evidence};
use chrono::NaiveDate;
use shoutu_domain::ledger::RequirementSet;
use shoutu_domain::report::ReportRecord;
use shoutu_domain::{FieldError, Scope};
use shoutu_store::{Result, Store, StoreError};
use std::path::Path;
use std::process::Command;

pub async fn report_of(
    store: &dyn Store,
    scope: &Scope,
    templates: &TemplateSet,
    requirements: &RequirementSet,
    record: &ReportRecord,
    today: NaiveDate,
) -> Result<Report> {
    if let Some(frozen) = record.frozen.as_deref() {
        return serde_json::from_str(frozen)
            .map_err(|e| StoreError::Invalid(FieldError::new("报告", format!("定稿内容无法读取：{e}"))));
    }
    let template = templates.get(&record.kind).ok_or_else(|| {
        StoreError::Invalid(FieldError::new(
            "报告类型",
            format!("报告类型「{}」的模板已不在当前模板目录中", record.kind),
        ))
    })?;
    let mut report = assemble(Inputs {
        store,
        scope,
        template,
        unit: record.unit_id,
        period: record.period,
        requirements,
        today,
        prose: &record.prose,
    })
    .await?;
    // The user may have retitled the draft.
    report.title = record.title.clone();
    Ok(report)
}

/// The .docx with its 佐证材料清单.
pub async fn docx_of(store: &dyn Store, scope: &Scope, report: &Report) -> Result<Vec<u8>> {
    let labels = evidence::labels(store, scope, report).await?;
    let lines = evidence::lines(report, &labels);
    Ok(docx::write(report, &lines))
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("本机未安装 LibreOffice（soffice），无法导出 PDF；请下载 .docx 后用 WPS 或 Word 另存为 PDF")]
    Missing,
    #[error("LibreOffice 转换 PDF 失败：{0}")]
    Failed(String),
}

/// Converts with `soffice --headless`, each run with its own profile so that conversions
/// running at once do not wait for one another's lock.
pub fn pdf_from_docx(docx_bytes: &[u8]) -> std::result::Result<Vec<u8>, PdfError> {
    let dir = tempfile::tempdir().map_err(|e| PdfError::Failed(e.to_string()))?;
    let input = dir.path().join("report.docx");
    std::fs::write(&input, docx_bytes).map_err(|e| PdfError::Failed(e.to_string()))?;
    let profile = format!("-env:UserInstallation=file://{}", dir.path().join("profile").display());
    let out = Command::new("soffice")
        .arg(profile)
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir.path())
        .arg(&input)
        .output()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => PdfError::Missing,
            _ => PdfError::Failed(e.to_string()),
        })?;
    let pdf = dir.path().join("report.pdf");
    if !Path::new(&pdf).exists() {
        return Err(PdfError::Failed(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ));
    }
    std::fs::read(pdf).map_err(|e| PdfError::Failed(e.to_string()))
}

/// Whether `soffice` can be started here.
pub fn soffice_available() -> bool {
    Command::new("soffice")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The unit's finalised reports of a year as .docx files named by their titles, for the
/// yearly archive. Drafts stay out: an archive keeps what was reported, not what was being
/// written.
pub async fn finalised_docx(
    store: &dyn Store,
    scope: &Scope,
    unit: shoutu_domain::UnitId,
    year: i32,
) -> Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    for record in store.reports(scope, Some(unit), Some(year)).await? {
        if !record.is_final() {
            continue;
        }
        let Some(frozen) = record.frozen.as_deref() else {
            continue;
        };
        let report: Report = serde_json::from_str(frozen)
            .map_err(|e| StoreError::Invalid(FieldError::new("报告", format!("定稿内容无法读取：{e}"))))?;
        let bytes = docx_of(store, scope, &report).await?;
        let name = crate::archive::names::sanitize_file_name(&format!("{}_{}.docx", record.title, record.id));
        out.push((name, bytes));
    }
    Ok(out)
}
