//! Multipart forms: text fields and files, read whole (uploads are bounded by the route's
//! body limit) so that everything is validated before anything is stored.

use crate::error::AppError;
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
                        file_name,
                        bytes: bytes.to_vec(),
                    });
                }
            }
            None => {
                let value = field
                    .text()
                    .await
                    .map_err(|_| AppError::BadRequest(format!("表单字段「{name}」无法读取")))?;
                out.fields.push((name, value));
            }
        }
    }
    Ok(out)
}
