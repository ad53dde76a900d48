//! Evidence files (photos of sign-in sheets, minutes, scans). The bytes live on disk under
//! their SHA-256; the database knows what each upload is and which record it belongs to.

use crate::unit::UnitId;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct AttachmentId(pub i64);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attachment {
    pub id: AttachmentId,
    pub sha256: String,
    pub size: i64,
    pub media_type: String,
    pub file_name: String,
    pub unit_id: UnitId,
    pub record_type: String,
    pub record_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewAttachment {
    pub sha256: String,
    pub size: i64,
    pub media_type: String,
    pub file_name: String,
    pub record_type: &'static str,
    pub record_id: i64,
}

impl Attachment {
    /// A size as people read it: 1.2 MB, 350 KB.
    pub fn size_text(&self) -> String {
        match self.size {
            s if s >= 1024 * 1024 => format!("{:.1} MB", s as f64 / (1024.0 * 1024.0)),
            s if s >= 1024 => format!("{} KB", s / 1024),
            s => format!("{s} 字节"),
        }
    }
}
