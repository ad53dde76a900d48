//! Checks an archive against its manifest: every listed file present with its hash, and no
//! file that the manifest does not list.

use super::{MANIFEST, hex};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{Read, Seek};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyReport {
    pub checked: usize,
    pub changed: Vec<String>,
    pub missing: Vec<String>,
    pub extra: Vec<String>,
}

impl VerifyReport {
    pub fn is_ok(&self) -> bool {
        self.changed.is_empty() && self.missing.is_empty() && self.extra.is_empty()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("不是有效的 zip 压缩包：{0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("读取压缩包失败：{0}")]
    Io(#[from] std::io::Error),
    #[error("压缩包中没有 manifest.sha256，无法校验")]
    NoManifest,
    #[error("manifest.sha256 第 {line} 行格式不对：应为“64 位十六进制校验值、两个空格、文件路径”")]
    BadLine { line: usize },
}

pub fn verify<R: Read + Seek>(archive: R) -> Result<VerifyReport, VerifyError> {
    let mut zip = zip::ZipArchive::new(archive)?;
    let mut manifest_text = String::new();
    match zip.by_name(MANIFEST) {
        Ok(mut f) => {
            f.read_to_string(&mut manifest_text)?;
        }
        Err(zip::result::ZipError::FileNotFound) => return Err(VerifyError::NoManifest),
        Err(e) => return Err(e.into()),
    }
    let mut expected: BTreeMap<String, String> = BTreeMap::new();
    for (i, line) in manifest_text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let (hash, path) = line.split_once("  ").ok_or(VerifyError::BadLine { line: i + 1 })?;
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(VerifyError::BadLine { line: i + 1 });
        }
        expected.insert(path.to_string(), hash.to_ascii_lowercase());
    }
    let mut report = VerifyReport::default();
    let mut seen = Vec::new();
    for i in 0..zip.len() {
        let mut file = zip.by_index(i)?;
        if file.is_dir() {
            continue;
        }
        let name = file.name()?.to_string();
        if name == MANIFEST {
            continue;
        }
        let mut hasher = Sha256::new();
        std::io::copy(&mut file, &mut hasher)?;
        let actual = hex(&hasher.finalize());
        match expected.get(&name) {
            None => report.extra.push(name.clone()),
            Some(hash) if *hash != actual => report.changed.push(name.clone()),
            Some(_) => report.checked += 1,
        }
        seen.push(name);
    }
    report.missing = expected.keys().filter(|p| !seen.contains(p)).cloned().collect();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::super::tests::sample;
    use super::*;
    use std::io::{Cursor, Write};
    use zip::write::SimpleFileOptions;

    /// Copies an archive, replacing, dropping or adding files on the way.
    fn rewrite(bytes: Vec<u8>, change: &str, with: Option<&[u8]>, add: Option<&str>) -> Vec<u8> {
        let mut src = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..src.len() {
            let mut f = src.by_index(i).unwrap();
            let name = f.name().unwrap().to_string();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            if name == change {
                match with {
                    Some(w) => data = w.to_vec(),
                    None => continue,
                }
            }
            out.start_file(name, SimpleFileOptions::default()).unwrap();
            out.write_all(&data).unwrap();
        }
        if let Some(extra) = add {
            out.start_file(extra, SimpleFileOptions::default()).unwrap();
            out.write_all(b"x").unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    #[test]
    fn a_fresh_archive_verifies() {
        let report = verify(Cursor::new(sample())).unwrap();
        assert!(report.is_ok(), "{report:?}");
        assert_eq!(report.checked, 4, "ledgers, report, one attachment, index");
    }

    #[test]
    fn a_changed_file_is_named() {
        let path = "附件/工作台账/2025-03-08_12_签到表_第1页.jpg";
        let report = verify(Cursor::new(rewrite(sample(), path, Some(b"forged"), None))).unwrap();
        assert_eq!(report.changed, vec![path.to_string()]);
        assert!(report.missing.is_empty() && report.extra.is_empty());
    }

    #[test]
    fn missing_and_extra_files_are_named() {
        let report = verify(Cursor::new(rewrite(
            sample(),
            "index.html",
            None,
            Some("附件/多余.txt"),
        )))
        .unwrap();
        assert_eq!(report.missing, vec!["index.html".to_string()]);
        assert_eq!(report.extra, vec!["附件/多余.txt".to_string()]);
    }
}
