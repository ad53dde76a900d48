//! `shoutu reindex` and `shoutu bench search`: the full-text index rebuilt from the audit log,
//! and its speed over the demo county.

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use rand::SeedableRng;
use shoutu_domain::{Clock, Role, Scope, SystemClock};
use shoutu_report::search::{SearchIndex, SearchRequest};
use shoutu_store::Store;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Args)]
pub struct ReindexArgs {
    /// The index directory (default: shoutu-index beside an SQLite database, else ./shoutu-index)
    #[arg(long, env = "SHOUTU_INDEX_DIR")]
    index_dir: Option<PathBuf>,
    /// Where attachment files are kept (their text is indexed)
    #[arg(long, env = "SHOUTU_FILES_DIR", default_value = "shoutu-files")]
    files_dir: PathBuf,
}

/// Where the index lives when not told: beside an SQLite database file, else here.
pub fn default_index_dir(database_url: &str) -> PathBuf {
    let file = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"));
    match file.map(|f| Path::new(f.split('?').next().unwrap_or(f))) {
        Some(path) => path.parent().unwrap_or(Path::new("")).join("shoutu-index"),
        None => PathBuf::from("shoutu-index"),
    }
}

pub fn open_index(dir: &Path, files_dir: &Path) -> anyhow::Result<Arc<SearchIndex>> {
    let index = SearchIndex::open(dir, files_dir).with_context(|| format!("无法打开检索索引 {}", dir.display()))?;
    Ok(Arc::new(index))
}

pub async fn reindex(database_url: &str, store: &dyn Store, args: ReindexArgs) -> anyhow::Result<ExitCode> {
    let dir = args.index_dir.unwrap_or_else(|| default_index_dir(database_url));
    let index = open_index(&dir, &args.files_dir)?;
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} 条审计记录 {elapsed}").expect("a valid template"),
    );
    let started = Instant::now();
    let read = index
        .rebuild(store, &mut |done, head| {
            bar.set_length(head as u64);
            bar.set_position(done as u64);
        })
        .await?;
    bar.finish_and_clear();
    println!(
        "检索索引已重建：{}，读取 {read} 条审计记录，用时 {:.1} 秒。",
        dir.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub struct BenchSearchArgs {
    /// Rounds over the query set
    #[arg(long, default_value_t = 50)]
    rounds: usize,
}

/// What people type: topics, places, document words, a miss, two-word queries.
const QUERIES: &[&str] = &[
    "意识形态",
    "学习",
    "中心组",
    "舆情",
    "网络",
    "宣讲",
    "河口镇",
    "主题党日",
    "责任书",
    "十严禁",
    "意识形态 分析研判",
    "党委会 第一议题",
    "阵地",
    "不存在的词语",
];

pub async fn bench(args: BenchSearchArgs) -> anyhow::Result<ExitCode> {
    let dir = tempfile::tempdir().context("无法创建临时目录")?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let url = format!("sqlite:{}", dir.path().join("bench.db").display());
    let store = shoutu_store::connect(&url, clock).await?;
    eprintln!("正在生成演示数据……");
    let hash = tokio::task::spawn_blocking(|| shoutu_domain::password::hash("Bench-Only-2026")).await??;
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let rng = rand_chacha::ChaCha8Rng::seed_from_u64(2026);
    crate::demo::county::load(&*store, rng, hash, today).await?;
    let entries = store.search_feed_head().await?;

    let index = SearchIndex::open(&dir.path().join("index"), dir.path().join("files"))?;
    let started = Instant::now();
    index.catch_up(&*store).await?;
    let build = started.elapsed();

    let root = store.root_unit().await?.context("演示数据没有单位")?;
    let county = Scope::new(root.id, vec![Role::Staff], None, "bench");
    let county_units: Vec<i64> = store.unit_tree(&county).await?.iter().map(|u| u.id.0).collect();
    let town = store
        .unit_tree(&county)
        .await?
        .into_iter()
        .find(|u| u.depth == 1)
        .context("演示数据没有乡镇")?;
    let town_units: Vec<i64> = store
        .unit_tree(&county.narrowed_to(town.id))
        .await?
        .iter()
        .map(|u| u.id.0)
        .collect();

    let mut times: Vec<Duration> = Vec::new();
    let mut hits_seen = 0usize;
    for _ in 0..args.rounds {
        for (i, q) in QUERIES.iter().enumerate() {
            let units = if i % 2 == 0 { &county_units } else { &town_units };
            let t = Instant::now();
            let hits = index.search(&SearchRequest {
                text: q,
                units,
                kind: None,
                offset: 0,
                limit: 20,
            })?;
            times.push(t.elapsed());
            hits_seen += hits.total;
        }
    }
    times.sort();
    let pct = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "索引 {entries} 条审计记录用时 {:.2} 秒；{} 次检索（{} 个查询 × {} 轮，县级与乡镇范围交替，每次取前 20 条并生成摘要）：p50 {:.2} ms，p95 {:.2} ms，最慢 {:.2} ms（平均命中 {} 条）",
        build.as_secs_f64(),
        times.len(),
        QUERIES.len(),
        args.rounds,
        ms(pct(0.5)),
        ms(pct(0.95)),
        ms(*times.last().expect("at least one search")),
        hits_seen / times.len().max(1)
    );
    Ok(ExitCode::SUCCESS)
}
