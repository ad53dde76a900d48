//! Gathers what a unit's archive holds from the store and the attachment directory.

use super::{ArchiveAttachment, ArchiveContents};
use crate::ledgers::{LedgerContext, LedgersError, workbook};
use std::path::Path;

/// The ledgers workbook and every attachment of the year's records in `cx.unit`'s subtree.
/// Reports are added by the caller through [`ArchiveContents::with_reports`].
pub async fn collect(
    cx: &LedgerContext<'_>,
    files_dir: &Path,
    generated_at: String,
) -> Result<ArchiveContents, LedgersError> {
    let ledgers_xlsx = workbook(cx).await?;
    let filed = cx.store.archive_attachments(cx.scope, cx.unit.id, cx.year).await?;
    let attachments = filed
        .into_iter()
        .map(|f| {
            let a = f.attachment;
            ArchiveAttachment {
                category: shoutu_domain::audit::record_type_label(&a.record_type).to_string(),
                date: f.date,
                record_id: a.record_id,
                bytes: read_stored(files_dir, &a.sha256),
                original_name: a.file_name,
            }
        })
        .collect();
    Ok(ArchiveContents {
        unit_name: cx.unit.name.clone(),
        unit_code: cx.unit.code.clone(),
        year: cx.year,
        generated_at,
        ledgers_xlsx,
        reports: Vec::new(),
        attachments,
    })
}

/// The bytes of an upload kept under its SHA-256 (the web's file store layout), checked
/// against that hash so a damaged file is reported rather than archived.
fn read_stored(files_dir: &Path, sha256: &str) -> Result<Vec<u8>, String> {
    use sha2::{Digest, Sha256};
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("附件记录的校验值无效".into());
    }
    let path = files_dir.join(&sha256[..2]).join(sha256);
    let bytes = std::fs::read(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!("文件不在附件目录 {} 中", files_dir.display()),
        _ => format!("无法读取 {}：{e}", path.display()),
    })?;
    if super::hex(&Sha256::digest(&bytes)) != sha256.to_ascii_lowercase() {
        return Err("文件内容与登记的校验值不符，可能已损坏".into());
    }
    Ok(bytes)
}
