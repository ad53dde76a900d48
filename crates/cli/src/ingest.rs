//! `shoutu ingest --source NAME FILE…`: posts from JSON Lines, CSV or RSS/Atom files into the
//! 舆情 pipeline, with a progress bar; prints what was new, repeated, skipped (with line
//! numbers), grouped and alerted.

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use shoutu_domain::Scope;
use shoutu_domain::opinion::Post;
use shoutu_domain::opinion::SeverityConfig;
use shoutu_store::{IngestSummary, Source, Store};
use shoutu_text::monitor::{IngestReport, PostFormat, parse_posts};
use shoutu_web::monitoring::Monitor;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args)]
pub struct IngestArgs {
    /// The source the posts come from, as named under 舆情处置 → 信息源
    #[arg(long)]
    source: String,
    /// .jsonl/.ndjson, .csv, .xml/.rss/.atom (other names are recognised by content)
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Network alert webhooks may reach although it is loopback, private or link-local
    /// (CIDR, e.g. 10.0.0.0/8; repeat or separate with commas), as for `serve`
    #[arg(long = "webhook-allow", env = "SHOUTU_WEBHOOK_ALLOW", value_delimiter = ',', value_parser = shoutu_web::webhook::parse_allow)]
    webhook_allow: Vec<shoutu_web::webhook::IpNet>,
}

/// The format by extension, else by the first non-blank character.
pub fn format_of(path: &Path, bytes: &[u8]) -> PostFormat {
    if let Ok(f) = PostFormat::from_path(path) {
        return f;
    }
    let first = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(bytes)
        .iter()
        .find(|b| !b.is_ascii_whitespace());
    match first {
        Some(b'{') => PostFormat::JsonLines,
        Some(b'<') => PostFormat::Feed,
        _ => PostFormat::Csv,
    }
}

/// Reads and parses one file, or says in Chinese why it cannot.
pub fn read_posts(path: &Path, source: &str) -> anyhow::Result<IngestReport> {
    let bytes = std::fs::read(path).with_context(|| format!("无法读取文件 {}", path.display()))?;
    parse_posts(&bytes, format_of(path, &bytes), source).with_context(|| format!("无法解析文件 {}", path.display()))
}

/// Feeds posts through the pipeline, moving the bar as each chunk is written.
pub async fn ingest_with_progress(
    monitor: &Monitor,
    store: &dyn Store,
    scope: &Scope,
    source: &Source,
    posts: Vec<Post>,
    severity: &SeverityConfig,
    bar: &ProgressBar,
) -> anyhow::Result<IngestSummary> {
    monitor
        .ingest(store, scope, source, posts, severity, |n| bar.inc(n as u64))
        .await
        .context("写入数据库失败")
}

pub fn bar(len: u64) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} 条 {per_sec} 剩余 {eta}").expect("a valid template"),
    );
    bar
}

pub async fn run(store: &dyn Store, args: IngestArgs) -> anyhow::Result<ExitCode> {
    let scope = crate::console_scope(store).await?;
    let source = store
        .source_by_name(&scope, &args.source)
        .await
        .with_context(|| format!("找不到信息源「{}」：请先在“舆情处置 → 信息源”中新增", args.source))?;
    let severity = SeverityConfig::defaults();
    let monitor = Monitor::new(std::sync::Arc::new(shoutu_domain::SystemClock));
    let mut total = IngestSummary::default();
    let mut skipped = 0;
    for path in &args.files {
        let report = read_posts(path, &source.name)?;
        let bar = bar(report.posts.len() as u64);
        let summary = ingest_with_progress(&monitor, store, &scope, &source, report.posts, &severity, &bar).await?;
        bar.finish_and_clear();
        println!(
            "{}：新增 {} 条，重复 {} 条，跳过 {} 条；命中方案 {} 条，新事件 {} 个，更新事件 {} 个，预警 {} 条",
            path.display(),
            summary.new,
            summary.duplicate,
            report.issues.len(),
            summary.matched,
            summary.events_new,
            summary.events_updated,
            summary.alerts.len()
        );
        for issue in report.issues.iter().take(20) {
            println!("  跳过 {issue}");
        }
        if report.issues.len() > 20 {
            println!("  ……另有 {} 条被跳过", report.issues.len() - 20);
        }
        for a in &summary.alerts {
            println!(
                "  预警：{} · {}级 · {}（信息量 {} 条）",
                a.unit_name,
                a.level.label(),
                a.headline,
                a.volume
            );
        }
        skipped += report.issues.len();
        total.add(summary);
    }
    let delivered = shoutu_web::deliver_opinion_webhooks(&total.webhooks, &args.webhook_allow).await;
    if !total.webhooks.is_empty() {
        println!("推送预警 {delivered}/{} 条", total.webhooks.len());
    }
    if args.files.len() > 1 {
        println!(
            "合计：新增 {} 条，重复 {} 条，跳过 {skipped} 条，新事件 {} 个，预警 {} 条",
            total.new,
            total.duplicate,
            total.events_new,
            total.alerts.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}
