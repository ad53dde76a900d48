//! Multipart forms: text fields and files, read whole (uploads are bounded by the route's
//! body limit) so that everything is validated before anything is stored.

use crate::error::AppError;
use crate::extract::{CONTROLS, NOT_UTF8, has_controls};
use axum::extract::Multipart;

pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

#[derive(Default)]
pub struct Submission {
    pub fields: Vec<(String, String)>,
    pub files: Vec<Upload>,
}

impl Submission {
    pub fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.fields
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

pub async fn read(mut multipart: Multipart) -> Result<Submission, AppError> {
    let mut out = Submission::default();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("上传内容不完整，或超过大小上限".into()))?
    {
        let name = field.name().unwrap_or("").to_string();
        match field.file_name().map(str::to_string) {
            Some(file_name) => {
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|_| AppError::BadRequest(format!("附件「{file_name}」上传不完整，或超过大小上限")))?;
                // A file input left empty still sends a part without a name or bytes.
                if !file_name.is_empty() && !bytes.is_empty() {
                    out.files.push(Upload {
                        file_name: clean_file_name(&file_name),
                        bytes: bytes.to_vec(),
                    });
                }
            }
            None => {
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|_| AppError::BadRequest(format!("表单字段「{name}」无法读取")))?;
                // Browsers send UTF-8; other bytes would be stored as replacement characters.
                let value = String::from_utf8(bytes.to_vec())
                    .map_err(|_| AppError::BadRequest(format!("表单字段「{name}」{NOT_UTF8}，未予保存")))?;
                if has_controls(&value) {
                    return Err(AppError::BadRequest(format!("表单字段「{name}」{CONTROLS}")));
                }
                out.fields.push((name, value));
            }
        }
    }
    Ok(out)
}

/// The name a file is kept and offered under. A browser may send a whole path (`C:\Users\…`),
/// and a hostile one `../../x` or control characters meant to break a header or an archive:
/// only the last path component is kept, without control characters.
pub(crate) fn clean_file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = last.chars().filter(|c| !c.is_control()).collect();
    let clean = clean.trim();
    if clean.is_empty() || clean.chars().all(|c| c == '.') {
        "附件".into()
    } else {
        clean.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::clean_file_name;

    #[test]
    fn file_names_lose_their_folders_and_control_characters() {
        for (raw, kept) in [
            ("现场照片.png", "现场照片.png"),
            ("../../../../etc/passwd.png", "passwd.png"),
            ("..\\..\\windows\\win.ini.png", "win.ini.png"),
            ("C:\\Users\\王\\会议记录.docx", "会议记录.docx"),
            ("a\r\nContent-Type: text/html.png", "html.png"),
            ("报告\r\n.docx", "报告.docx"),
            ("nul\u{0}byte\u{1b}.png", "nulbyte.png"),
            ("..", "附件"),
            ("../", "附件"),
        ] {
            assert_eq!(clean_file_name(raw), kept, "{}", raw.escape_debug());
        }
    }
}
