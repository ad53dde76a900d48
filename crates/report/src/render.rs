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

/// Why no PDF came out. The messages are for the user; what LibreOffice printed goes to the
/// log only (it names paths and internals of this server).
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("本机未安装 LibreOffice（soffice），无法导出 PDF；请下载 .docx 后用 WPS 或 Word 另存为 PDF")]
    Missing,
    #[error("PDF 转换繁忙，请稍后再试；也可下载 .docx 后用 WPS 或 Word 另存为 PDF")]
    Busy,
    #[error("PDF 转换超时（超过 {0} 秒）已中止，请稍后再试；也可下载 .docx 后用 WPS 或 Word 另存为 PDF")]
    TimedOut(u64),
    #[error("PDF 转换失败，已记录日志；请下载 .docx 后用 WPS 或 Word 另存为 PDF，或联系系统管理员")]
    Failed,
}

/// Runs LibreOffice for PDF conversion: at most a few at once (each takes a core and a few
/// hundred MB), each killed, with whatever it started, when it overruns its time.
pub struct PdfConverter {
    program: std::ffi::OsString,
    timeout: std::time::Duration,
    /// How long a request waits for a free slot before it is told to come back later.
    queue_wait: std::time::Duration,
    slots: tokio::sync::Semaphore,
}

impl PdfConverter {
    pub const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);
    pub const AT_ONCE: usize = 2;
    pub const QUEUE_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

    pub fn new(
        program: impl Into<std::ffi::OsString>,
        timeout: std::time::Duration,
        at_once: usize,
        queue_wait: std::time::Duration,
    ) -> Self {
        PdfConverter {
            program: program.into(),
            timeout,
            queue_wait,
            slots: tokio::sync::Semaphore::new(at_once.max(1)),
        }
    }

    /// Converts with `soffice --headless`, each run with its own profile so that conversions
    /// running at once do not wait for one another's lock.
    pub async fn convert(&self, docx_bytes: &[u8]) -> std::result::Result<Vec<u8>, PdfError> {
        let _slot = match tokio::time::timeout(self.queue_wait, self.slots.acquire()).await {
            Ok(Ok(slot)) => slot,
            Ok(Err(_)) | Err(_) => return Err(PdfError::Busy),
        };
        let failed = |what: &str, e: &dyn std::fmt::Display| {
            tracing::warn!(error = %e, "PDF conversion: {what}");
            PdfError::Failed
        };
        let dir = tempfile::tempdir().map_err(|e| failed("no temporary directory", &e))?;
        let input = dir.path().join("report.docx");
        tokio::fs::write(&input, docx_bytes)
            .await
            .map_err(|e| failed("the .docx could not be written", &e))?;
        let profile = format!("-env:UserInstallation=file://{}", dir.path().join("profile").display());
        let mut command = tokio::process::Command::new(&self.program);
        command
            .arg(profile)
            .args(["--headless", "--convert-to", "pdf", "--outdir"])
            .arg(dir.path())
            .arg(&input)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true);
        // Its own process group, so that a timeout also ends what soffice started.
        #[cfg(unix)]
        command.process_group(0);
        let child = command.spawn().map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => PdfError::Missing,
            _ => failed("soffice could not be started", &e),
        })?;
        let group = child.id();
        let out = match tokio::time::timeout(self.timeout, child.wait_with_output()).await {
            Ok(out) => out.map_err(|e| failed("soffice could not be waited for", &e))?,
            Err(_) => {
                // The child itself is killed as its future is dropped (kill_on_drop); the
                // rest of its group is ended here.
                kill_group(group);
                tracing::warn!(
                    seconds = self.timeout.as_secs(),
                    "PDF conversion timed out and was killed"
                );
                return Err(PdfError::TimedOut(self.timeout.as_secs()));
            }
        };
        let pdf = dir.path().join("report.pdf");
        if !Path::new(&pdf).exists() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            return Err(failed(
                &format!("soffice produced no PDF ({})", out.status),
                &stderr.trim(),
            ));
        }
        tokio::fs::read(pdf)
            .await
            .map_err(|e| failed("the PDF could not be read", &e))
    }
}

/// Ends every process of a group started with `process_group(0)`.
fn kill_group(group: Option<u32>) {
    #[cfg(unix)]
    if let Some(pid) = group.and_then(|p| i32::try_from(p).ok()).filter(|p| *p > 0) {
        // SAFETY: kill(2) with a negative pid signals the process group `pid`, which is the
        // converter's own group (created by `process_group(0)`); it touches no memory.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
    #[cfg(not(unix))]
    let _ = group;
}

/// The converter requests share: `soffice` from the PATH, [`PdfConverter::AT_ONCE`] at once.
pub fn converter() -> &'static PdfConverter {
    static SHARED: std::sync::OnceLock<PdfConverter> = std::sync::OnceLock::new();
    SHARED.get_or_init(|| {
        PdfConverter::new(
            "soffice",
            PdfConverter::TIMEOUT,
            PdfConverter::AT_ONCE,
            PdfConverter::QUEUE_WAIT,
        )
    })
}

/// Converts with the shared converter (see [`PdfConverter::convert`]).
pub async fn pdf_from_docx(docx_bytes: &[u8]) -> std::result::Result<Vec<u8>, PdfError> {
    converter().convert(docx_bytes).await
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

#[cfg(all(test, unix))]
mod pdf_tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use std::time::{Duration, Instant};

    /// A stand-in for `soffice`: a shell script in its own directory.
    fn fake(dir: &Path, body: &str) -> std::path::PathBuf {
        let path = dir.join("soffice");
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    fn alive(pid: &str) -> bool {
        // A killed process may linger as a zombie until reaped: that is not running.
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .is_ok_and(|stat| !stat.rsplit(')').next().unwrap_or("").trim_start().starts_with('Z'))
    }

    #[tokio::test]
    async fn a_converter_that_works_gives_its_pdf() {
        let dir = tempfile::tempdir().unwrap();
        // Arguments: profile, --headless, --convert-to, pdf, --outdir, DIR, INPUT.
        let program = fake(dir.path(), r#"printf '%%PDF-1.7 fake' > "$6/report.pdf""#);
        let converter = PdfConverter::new(program, Duration::from_secs(10), 2, Duration::from_secs(1));
        assert_eq!(converter.convert(b"docx").await.unwrap(), b"%PDF-1.7 fake");
    }

    #[tokio::test]
    async fn what_soffice_prints_on_failure_stays_in_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let program = fake(
            dir.path(),
            "echo 'Error: source file could not be loaded /srv/shoutu/secret-path' >&2\nexit 1",
        );
        let converter = PdfConverter::new(program, Duration::from_secs(10), 2, Duration::from_secs(1));
        let err = converter.convert(b"docx").await.unwrap_err();
        let shown = err.to_string();
        assert!(matches!(err, PdfError::Failed), "{err:?}");
        assert!(
            shown.contains("PDF 转换失败") && shown.contains("已记录日志"),
            "{shown}"
        );
        assert!(!shown.contains("secret-path") && !shown.contains("Error"), "{shown}");
        assert!(!format!("{err:?}").contains("secret-path"));
    }

    #[tokio::test]
    async fn a_missing_converter_says_so() {
        let converter = PdfConverter::new(
            "/nonexistent/soffice",
            Duration::from_secs(1),
            1,
            Duration::from_secs(1),
        );
        assert!(matches!(converter.convert(b"docx").await, Err(PdfError::Missing)));
    }

    #[tokio::test]
    async fn a_conversion_that_overruns_is_killed_with_what_it_started() {
        let dir = tempfile::tempdir().unwrap();
        let pids = dir.path().join("pids");
        // The script and a grandchild both sleep far beyond the limit.
        let program = fake(
            dir.path(),
            &format!("sleep 300 &\necho $$ $! > {}\nwait", pids.display()),
        );
        let converter = PdfConverter::new(program, Duration::from_millis(800), 2, Duration::from_secs(1));
        let started = Instant::now();
        let err = converter.convert(b"docx").await.unwrap_err();
        assert!(matches!(err, PdfError::TimedOut(_)), "{err:?}");
        assert!(err.to_string().contains("PDF 转换超时"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
        let written = std::fs::read_to_string(&pids).unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        for pid in written.split_whitespace() {
            while alive(pid) && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            assert!(!alive(pid), "process {pid} still runs");
        }
    }

    #[tokio::test]
    async fn conversions_beyond_the_cap_are_told_to_come_back() {
        let dir = tempfile::tempdir().unwrap();
        let program = fake(dir.path(), r#"sleep 2; printf '%%PDF' > "$6/report.pdf""#);
        let converter = std::sync::Arc::new(PdfConverter::new(
            program,
            Duration::from_secs(10),
            1,
            Duration::from_millis(200),
        ));
        let first = tokio::spawn({
            let converter = converter.clone();
            async move { converter.convert(b"docx").await }
        });
        tokio::time::sleep(Duration::from_millis(300)).await;
        let err = converter.convert(b"docx").await.unwrap_err();
        assert!(matches!(err, PdfError::Busy), "{err:?}");
        assert!(err.to_string().contains("PDF 转换繁忙，请稍后再试"), "{err}");
        assert_eq!(first.await.unwrap().unwrap(), b"%PDF");
    }
}
