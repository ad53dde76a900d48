//! The yearly archive (档案) of a unit: one zip that opens anywhere, offline, years later.
//!
//! Layout: `index.html` (plain HTML, inline CSS, relative links), `台账/<year>年台账.xlsx`,
//! `报告/…` (finalised reports), `附件/<record kind>/<date>_<id>_<name>` and
//! `manifest.sha256` (sha256sum format) listing every other file, which [`verify`] checks.

mod collect;
mod index_html;
pub(crate) mod names;
mod verify;

pub use collect::collect;
pub use names::sanitize_file_name;
pub use verify::{VerifyReport, verify};

use sha2::{Digest, Sha256};
use std::io::{Seek, Write};
use zip::write::SimpleFileOptions;

pub const MANIFEST: &str = "manifest.sha256";
pub const INDEX: &str = "index.html";

/// One attachment to file, with its bytes (or why they could not be read).
#[derive(Debug, Clone)]
pub struct ArchiveAttachment {
    /// The record kind's Chinese name: the folder it is filed in (工作台账, 责任书签订…).
    pub category: String,
    pub date: chrono::NaiveDate,
    pub record_id: i64,
    pub original_name: String,
    pub bytes: Result<Vec<u8>, String>,
}

/// Everything an archive holds.
#[derive(Debug, Clone)]
pub struct ArchiveContents {
    pub unit_name: String,
    pub unit_code: String,
    pub year: i32,
    /// When it was built, as people read it.
    pub generated_at: String,
    pub ledgers_xlsx: Vec<u8>,
    /// Finalised reports as (file name, bytes). Empty until reports are wired in: the hook
    /// [`ArchiveContents::with_reports`] takes them.
    pub reports: Vec<(String, Vec<u8>)>,
    pub attachments: Vec<ArchiveAttachment>,
}

impl ArchiveContents {
    /// Adds finalised reports (file name, bytes); each is filed under 报告/.
    pub fn with_reports(mut self, reports: Vec<(String, Vec<u8>)>) -> Self {
        self.reports.extend(reports);
        self
    }
}

/// What was written: the file count and what could not be included.
#[derive(Debug, Clone, Default)]
pub struct ArchiveSummary {
    pub files: usize,
    pub bytes: u64,
    /// Attachments whose bytes were missing: (archive path they would have had, reason).
    pub missing: Vec<(String, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("写入档案压缩包失败：{0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("写入档案压缩包失败：{0}")]
    Io(#[from] std::io::Error),
}

/// An entry of the archive as the index lists it.
pub(crate) struct Listed {
    pub path: String,
    pub label: String,
    pub date: Option<chrono::NaiveDate>,
    pub size: Option<u64>,
    pub missing: Option<String>,
}

pub(crate) struct Section {
    pub title: String,
    pub entries: Vec<Listed>,
}

/// Writes the archive; `progress(done, total)` after each file.
/// `path`, or `stem (2).ext`, `stem (3).ext`, … when an earlier entry took it.
fn unique_path(path: String, used: &mut std::collections::HashSet<String>) -> String {
    if used.insert(path.clone()) {
        return path;
    }
    let file_start = path.rfind('/').map_or(0, |i| i + 1);
    let (stem, ext) = match path[file_start..].rfind('.') {
        Some(dot) if dot > 0 => path.split_at(file_start + dot),
        _ => (path.as_str(), ""),
    };
    (2..)
        .map(|n| format!("{stem} ({n}){ext}"))
        .find(|candidate| used.insert(candidate.clone()))
        .expect("some number is free")
}

pub fn write_archive<W: Write + Seek>(
    out: W,
    contents: &ArchiveContents,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ArchiveSummary, ArchiveError> {
    let mut zip = zip::ZipWriter::new(out);
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut manifest: Vec<(String, String)> = Vec::new();
    let mut summary = ArchiveSummary::default();
    // Two files may carry the same name (two scans called 扫描件.pdf on one record the same
    // day): each gets a path of its own, or the zip refuses the second.
    let mut used = std::collections::HashSet::new();
    let total = 3 + contents.reports.len() as u64 + contents.attachments.len() as u64;
    let mut done = 0u64;
    let mut put = |zip: &mut zip::ZipWriter<W>,
                   path: &str,
                   bytes: &[u8],
                   compress: bool,
                   summary: &mut ArchiveSummary|
     -> Result<(), ArchiveError> {
        zip.start_file(path, if compress { options } else { stored })?;
        zip.write_all(bytes)?;
        manifest.push((hex(&Sha256::digest(bytes)), path.to_string()));
        summary.files += 1;
        summary.bytes += bytes.len() as u64;
        done += 1;
        progress(done, total);
        Ok(())
    };

    let mut sections = Vec::new();
    let ledgers_path = format!("台账/{}年台账.xlsx", contents.year);
    put(&mut zip, &ledgers_path, &contents.ledgers_xlsx, false, &mut summary)?;
    sections.push(Section {
        title: "台账".into(),
        entries: vec![Listed {
            path: ledgers_path,
            label: format!("{}年各项工作台账（Excel，每个台账一张工作表）", contents.year),
            date: None,
            size: Some(contents.ledgers_xlsx.len() as u64),
            missing: None,
        }],
    });

    let mut reports = Vec::new();
    for (name, bytes) in &contents.reports {
        let path = unique_path(format!("报告/{}", sanitize_file_name(name)), &mut used);
        put(&mut zip, &path, bytes, true, &mut summary)?;
        reports.push(Listed {
            path,
            label: name.clone(),
            date: None,
            size: Some(bytes.len() as u64),
            missing: None,
        });
    }
    sections.push(Section {
        title: "报告".into(),
        entries: reports,
    });

    let mut by_category: Vec<Section> = Vec::new();
    for a in &contents.attachments {
        let name = format!("{}_{}_{}", a.date.format("%Y-%m-%d"), a.record_id, a.original_name);
        let path = unique_path(
            format!("附件/{}/{}", sanitize_file_name(&a.category), sanitize_file_name(&name)),
            &mut used,
        );
        let listed = match &a.bytes {
            Ok(bytes) => {
                // Photos and PDFs are compressed already.
                let compress = !(a.original_name.to_lowercase().ends_with(".jpg")
                    || a.original_name.to_lowercase().ends_with(".png")
                    || a.original_name.to_lowercase().ends_with(".pdf"));
                put(&mut zip, &path, bytes, compress, &mut summary)?;
                Listed {
                    path,
                    label: a.original_name.clone(),
                    date: Some(a.date),
                    size: Some(bytes.len() as u64),
                    missing: None,
                }
            }
            Err(reason) => {
                summary.missing.push((path.clone(), reason.clone()));
                Listed {
                    path,
                    label: a.original_name.clone(),
                    date: Some(a.date),
                    size: None,
                    missing: Some(reason.clone()),
                }
            }
        };
        match by_category.iter_mut().find(|s| s.title == a.category) {
            Some(section) => section.entries.push(listed),
            None => by_category.push(Section {
                title: a.category.clone(),
                entries: vec![listed],
            }),
        }
    }

    let html = index_html::render(contents, &sections, &by_category, &summary);
    put(&mut zip, INDEX, html.as_bytes(), true, &mut summary)?;

    let mut text = String::new();
    for (hash, path) in &manifest {
        text.push_str(&format!("{hash}  {path}\n"));
    }
    zip.start_file(MANIFEST, options)?;
    zip.write_all(text.as_bytes())?;
    summary.files += 1;
    progress(total, total);
    zip.finish()?;
    Ok(summary)
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    pub(crate) fn sample() -> Vec<u8> {
        let contents = ArchiveContents {
            unit_name: "河口镇<党委>".into(),
            unit_code: "YL-01".into(),
            year: 2025,
            generated_at: "2026-01-05 09:00".into(),
            ledgers_xlsx: b"xlsx".to_vec(),
            reports: Vec::new(),
            attachments: vec![
                ArchiveAttachment {
                    category: "工作台账".into(),
                    date: NaiveDate::from_ymd_opt(2025, 3, 8).unwrap(),
                    record_id: 12,
                    original_name: "签到表/第1页.jpg".into(),
                    bytes: Ok(vec![1, 2, 3]),
                },
                ArchiveAttachment {
                    category: "责任书签订".into(),
                    date: NaiveDate::from_ymd_opt(2025, 2, 1).unwrap(),
                    record_id: 3,
                    original_name: "责任书.pdf".into(),
                    bytes: Err("文件不在附件目录中".into()),
                },
            ],
        }
        .with_reports(vec![("2025年度报告.docx".into(), b"docx".to_vec())]);
        let mut out = std::io::Cursor::new(Vec::new());
        write_archive(&mut out, &contents, &mut |_, _| {}).unwrap();
        out.into_inner()
    }

    #[test]
    fn the_index_links_every_file_and_escapes_names() {
        let bytes = sample();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let names: Vec<String> = (0..zip.len())
            .map(|i| zip.by_index(i).unwrap().name().unwrap().to_string())
            .collect();
        assert!(
            names.contains(&"附件/工作台账/2025-03-08_12_签到表_第1页.jpg".to_string()),
            "{names:?}"
        );
        let mut html = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(INDEX).unwrap(), &mut html).unwrap();
        assert!(html.contains("河口镇&lt;党委&gt;"));
        assert!(!html.contains("<script"));
        assert!(html.contains("2025年度报告.docx"));
        assert!(html.contains("缺失"), "a missing file is shown as missing");
    }

    #[test]
    fn two_files_of_one_name_on_one_record_both_go_into_the_archive() {
        let scan = |bytes: Vec<u8>| ArchiveAttachment {
            category: "工作台账".into(),
            date: NaiveDate::from_ymd_opt(2025, 3, 8).unwrap(),
            record_id: 12,
            original_name: "扫描件.pdf".into(),
            bytes: Ok(bytes),
        };
        let contents = ArchiveContents {
            unit_name: "河口镇".into(),
            unit_code: "YL-01".into(),
            year: 2025,
            generated_at: "2026-01-05 09:00".into(),
            ledgers_xlsx: b"xlsx".to_vec(),
            reports: Vec::new(),
            attachments: vec![scan(vec![1]), scan(vec![2]), scan(vec![3])],
        };
        let mut out = std::io::Cursor::new(Vec::new());
        write_archive(&mut out, &contents, &mut |_, _| {}).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(out.into_inner())).unwrap();
        let names: Vec<String> = (0..zip.len())
            .map(|i| zip.by_index(i).unwrap().name().unwrap().to_string())
            .collect();
        for want in [
            "附件/工作台账/2025-03-08_12_扫描件.pdf",
            "附件/工作台账/2025-03-08_12_扫描件 (2).pdf",
            "附件/工作台账/2025-03-08_12_扫描件 (3).pdf",
        ] {
            assert!(names.iter().any(|n| n == want), "{want} missing from {names:?}");
        }
    }
}
