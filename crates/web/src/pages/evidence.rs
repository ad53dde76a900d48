//! Evidence files sent with a form: every file is checked (type by content, size) before
//! anything is stored; only then are the bytes written, content-addressed.

use crate::AppState;
use crate::error::AppError;
use crate::files::sniff;
use crate::upload::Upload;
use shoutu_domain::FieldError;
use shoutu_domain::attachment::NewAttachment;

/// Uploads that passed the checks, with the media type their content showed.
pub(crate) struct Checked<'a> {
    files: Vec<(&'a Upload, &'static str)>,
}

/// `field` names the form field in the error, e.g. "附件" or "扫描件".
pub(crate) fn check<'a>(state: &AppState, files: &'a [Upload], field: &'static str) -> Result<Checked<'a>, FieldError> {
    let mut checked = Vec::new();
    for f in files {
        let kind =
            sniff(&f.file_name, &f.bytes, state.config.max_upload_bytes).map_err(|m| FieldError::new(field, m))?;
        checked.push((f, kind));
    }
    Ok(Checked { files: checked })
}

impl Checked<'_> {
    /// Writes the bytes and describes each file as an attachment of the given record.
    pub(crate) fn save(
        &self,
        state: &AppState,
        record_type: &'static str,
        record_id: i64,
    ) -> Result<Vec<NewAttachment>, AppError> {
        self.files
            .iter()
            .map(|(f, kind)| {
                let sha256 = state
                    .files
                    .save(&f.bytes)
                    .map_err(|e| AppError::Internal(format!("saving an attachment: {e}")))?;
                // Keep the end of an overlong name: it carries the extension and the distinguishing part.
                let name: String = f
                    .file_name
                    .chars()
                    .rev()
                    .take(120)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                Ok(NewAttachment {
                    sha256,
                    size: f.bytes.len() as i64,
                    media_type: kind.to_string(),
                    file_name: name,
                    record_type,
                    record_id,
                })
            })
            .collect()
    }
}
