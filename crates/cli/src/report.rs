//! `shoutu report`: writes a unit's report as .docx, or with `--each-subunit` the reports of
//! the unit and every unit below it, with a progress bar and a zip of them all.

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use shoutu_domain::ledger::RequirementSet;
use shoutu_domain::report::ReportPeriod;
use shoutu_domain::{Scope, Unit, UnitKind};
use shoutu_report::{Inputs, TemplateSet, assemble, render};
use shoutu_store::Store;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

#[derive(Args)]
pub struct ReportArgs {
    /// Report kind: annual, half_year, quarter, secretary, opinion (or a kind of --report-templates)
    #[arg(long, default_value = "annual")]
    kind: String,
    #[arg(long)]
    year: i32,
    /// Half (1–2) or quarter (1–4) for half-year and quarterly kinds
    #[arg(long, default_value_t = 0)]
    part: u32,
    /// The unit's code
    #[arg(long)]
    unit: String,
    /// Also write the report of every unit below (party branches excepted), and a zip of all
    #[arg(long)]
    each_subunit: bool,
    /// Directory the .docx files are written to
    #[arg(long)]
    out: PathBuf,
    /// Directory of report templates replacing the shipped kinds
    #[arg(long, env = "SHOUTU_REPORT_TEMPLATES")]
    report_templates: Option<PathBuf>,
    /// Requirements (规定动作) file replacing the shipped defaults
    #[arg(long, env = "SHOUTU_REQUIREMENTS")]
    requirements_file: Option<PathBuf>,
}

/// Reports written at once: enough to keep two cores busy while others wait on the database.
const PARALLEL: usize = 4;

pub async fn run(store: Arc<dyn Store>, scope: Scope, args: ReportArgs) -> anyhow::Result<ExitCode> {
    let templates = match &args.report_templates {
        Some(dir) => TemplateSet::load_dir(dir)?,
        None => TemplateSet::shipped(),
    };
    let requirements = match &args.requirements_file {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("无法读取 {}", path.display()))?;
            RequirementSet::parse(&path.display().to_string(), &text)?
        }
        None => RequirementSet::defaults(),
    };
    let template = templates.get(&args.kind).cloned().with_context(|| {
        let kinds: Vec<&str> = templates.templates.iter().map(|t| t.kind.as_str()).collect();
        format!("报告类型「{}」不存在（可用：{}）", args.kind, kinds.join("、"))
    })?;
    let period = ReportPeriod::of(template.period_kind(), args.year, args.part).map_err(|e| anyhow::anyhow!("{e}"))?;
    let unit = store
        .unit_by_code(&scope, &args.unit)
        .await
        .with_context(|| format!("找不到单位代码「{}」", args.unit))?;
    let units: Vec<Unit> = if args.each_subunit {
        store
            .unit_tree(&scope.narrowed_to(unit.id))
            .await?
            .into_iter()
            .filter(|u| u.id == unit.id || u.kind != UnitKind::PartyBranch)
            .collect()
    } else {
        vec![unit.clone()]
    };
    std::fs::create_dir_all(&args.out).with_context(|| format!("无法创建输出目录 {}", args.out.display()))?;
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let bar = ProgressBar::new(units.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} 份报告 {msg}").expect("a valid progress template"),
    );
    let started = Instant::now();
    let shared = Arc::new((templates, requirements, template));
    let semaphore = Arc::new(tokio::sync::Semaphore::new(PARALLEL));
    let mut tasks = tokio::task::JoinSet::new();
    for u in units {
        let (store, scope, shared, semaphore, out) = (
            store.clone(),
            scope.clone(),
            shared.clone(),
            semaphore.clone(),
            args.out.clone(),
        );
        tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await.expect("the semaphore stays open");
            let (_, requirements, template) = &*shared;
            let report = assemble(Inputs {
                store: &*store,
                scope: &scope,
                template,
                unit: u.id,
                period,
                requirements,
                today,
                prose: &BTreeMap::new(),
            })
            .await
            .with_context(|| format!("「{}」的报告生成失败", u.name))?;
            let bytes = render::docx_of(&*store, &scope, &report)
                .await
                .with_context(|| format!("「{}」的佐证材料清单读取失败", u.name))?;
            let name = file_name(&u, &report.title);
            std::fs::write(out.join(&name), &bytes).with_context(|| format!("无法写入 {name}"))?;
            anyhow::Ok((name, bytes))
        });
    }
    let mut written = Vec::new();
    while let Some(done) = tasks.join_next().await {
        let (name, bytes) = done.context("报告生成任务异常中止")??;
        bar.set_message(name.clone());
        bar.inc(1);
        written.push((name, bytes));
    }
    bar.finish_and_clear();
    written.sort_by(|a, b| a.0.cmp(&b.0));
    let elapsed = started.elapsed();
    if args.each_subunit {
        let zip_path = args
            .out
            .join(format!("{}-{}-{}.zip", unit.code, period.label(), args.kind));
        write_zip(&zip_path, &written)?;
        println!("打包：{}", zip_path.display());
    }
    println!(
        "已生成 {} 份报告，用时 {:.2} 秒（平均每份 {:.0} 毫秒），输出目录：{}",
        written.len(),
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1000.0 / written.len().max(1) as f64,
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// "YL-03 河口镇2025年意识形态工作责任制落实情况报告.docx", without path separators.
fn file_name(unit: &Unit, title: &str) -> String {
    let safe: String = format!("{} {title}", unit.code)
        .chars()
        .map(|c| {
            if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    format!("{safe}.docx")
}

fn write_zip(path: &Path, files: &[(String, Vec<u8>)]) -> anyhow::Result<()> {
    let file = std::fs::File::create(path).with_context(|| format!("无法创建 {}", path.display()))?;
    let mut zip = zip::ZipWriter::new(file);
    // The .docx files are already compressed.
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in files {
        zip.start_file(name.as_str(), options)
            .with_context(|| format!("无法写入压缩包：{name}"))?;
        zip.write_all(bytes)
            .with_context(|| format!("无法写入压缩包：{name}"))?;
    }
    zip.finish().context("无法完成压缩包")?;
    Ok(())
}
