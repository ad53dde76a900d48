//! `shoutu ledgers` and `shoutu archive`: a unit's ledgers workbook and its yearly archive,
//! and checking an archive against its manifest.

use anyhow::Context;
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use shoutu_domain::ledger::Catalogue;
use shoutu_domain::{Scope, Unit};
use shoutu_report::archive::{collect, verify, write_archive};
use shoutu_report::ledgers::{LedgerContext, workbook};
use shoutu_store::{Store, StoreError};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct LedgersArgs {
    /// Unit code (its subtree is covered)
    #[arg(long)]
    unit: String,
    #[arg(long)]
    year: i32,
    /// The .xlsx file to write
    #[arg(long)]
    out: PathBuf,
}

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ArchiveArgs {
    #[command(subcommand)]
    command: Option<ArchiveCommand>,
    /// Unit code (its subtree is covered)
    #[arg(long)]
    unit: Option<String>,
    #[arg(long)]
    year: Option<i32>,
    /// The .zip file to write
    #[arg(long)]
    out: Option<PathBuf>,
    /// Where attachment files are kept
    #[arg(long, env = "SHOUTU_FILES_DIR", default_value = "shoutu-files")]
    files_dir: PathBuf,
}

#[derive(Subcommand)]
pub enum ArchiveCommand {
    /// Recompute every file's SHA-256 and compare with manifest.sha256
    Verify { file: PathBuf },
}

impl ArchiveArgs {
    /// `archive verify` needs no database.
    pub fn verify_file(&self) -> Option<&PathBuf> {
        match &self.command {
            Some(ArchiveCommand::Verify { file }) => Some(file),
            None => None,
        }
    }
}

async fn unit_scope(store: &dyn Store, code: &str) -> anyhow::Result<(Scope, Unit)> {
    let console = crate::console_scope(store).await?;
    let unit = match store.unit_by_code(&console, code).await {
        Ok(unit) => unit,
        Err(StoreError::NotFound) => anyhow::bail!("找不到代码为「{code}」的单位（--unit 填单位代码，如 YL-03）"),
        Err(e) => return Err(e.into()),
    };
    Ok((console.narrowed_to(unit.id), unit))
}

fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

fn check_year(year: i32) -> anyhow::Result<i32> {
    if !(2000..=2100).contains(&year) {
        anyhow::bail!("年度「{year}」无效：应为 2000 到 2100 之间的年份");
    }
    Ok(year)
}

pub async fn ledgers(store: &dyn Store, args: LedgersArgs) -> anyhow::Result<ExitCode> {
    let year = check_year(args.year)?;
    let (scope, unit) = unit_scope(store, &args.unit).await?;
    let catalogue = Catalogue::defaults();
    let cx = LedgerContext {
        store,
        scope: &scope,
        unit: &unit,
        year,
        today: today(),
        catalogue: &catalogue,
    };
    let bytes = workbook(&cx).await?;
    std::fs::write(&args.out, &bytes).with_context(|| format!("无法写入 {}", args.out.display()))?;
    println!("已导出 {}{year}年台账：{}", unit.name, args.out.display());
    Ok(ExitCode::SUCCESS)
}

pub async fn archive(store: &dyn Store, args: ArchiveArgs) -> anyhow::Result<ExitCode> {
    let (Some(code), Some(year), Some(out)) = (&args.unit, args.year, &args.out) else {
        anyhow::bail!(
            "生成档案需要 --unit 单位代码、--year 年度和 --out 输出文件，例如：shoutu archive --unit YL-03 --year 2025 --out 河口镇2025.zip"
        );
    };
    let year = check_year(year)?;
    let (scope, unit) = unit_scope(store, code).await?;
    let catalogue = Catalogue::defaults();
    let cx = LedgerContext {
        store,
        scope: &scope,
        unit: &unit,
        year,
        today: today(),
        catalogue: &catalogue,
    };
    let generated = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8"))
        .format("%Y-%m-%d %H:%M")
        .to_string();
    let reports = shoutu_report::render::finalised_docx(store, &scope, unit.id, year).await?;
    let contents = collect(&cx, &args.files_dir, generated).await?.with_reports(reports);
    let file = std::fs::File::create(out).with_context(|| format!("无法创建 {}", out.display()))?;
    let bar = ProgressBar::new(0)
        .with_style(ProgressStyle::with_template("{bar:40} {pos}/{len} 个文件 {elapsed}").expect("a valid template"));
    let summary = write_archive(std::io::BufWriter::new(file), &contents, &mut |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })?;
    bar.finish_and_clear();
    println!(
        "已生成 {}{year}年度档案：{}（{} 个文件，{} 个附件）",
        unit.name,
        out.display(),
        summary.files,
        contents.attachments.len() - summary.missing.len()
    );
    if !summary.missing.is_empty() {
        println!(
            "有 {} 个附件未能归档（已在 index.html 中标为缺失）：",
            summary.missing.len()
        );
        for (path, reason) in &summary.missing {
            println!("  {path}：{reason}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn verify_archive(file: &PathBuf) -> anyhow::Result<ExitCode> {
    let f = std::fs::File::open(file).with_context(|| format!("无法打开 {}", file.display()))?;
    let report = verify(std::io::BufReader::new(f)).with_context(|| format!("无法校验 {}", file.display()))?;
    if report.is_ok() {
        println!("校验通过：{} 个文件与 manifest.sha256 一致。", report.checked);
        return Ok(ExitCode::SUCCESS);
    }
    for p in &report.changed {
        println!("内容已改变：{p}");
    }
    for p in &report.missing {
        println!("文件缺失：{p}");
    }
    for p in &report.extra {
        println!("清单外的文件：{p}");
    }
    println!(
        "校验未通过：{} 个改变，{} 个缺失，{} 个多出（{} 个文件完好）。",
        report.changed.len(),
        report.missing.len(),
        report.extra.len(),
        report.checked
    );
    Ok(ExitCode::FAILURE)
}
