//! `shoutu demo`: a fresh demo database with a realistic county, served at once.

mod assessment;
pub(crate) mod county;
mod ledger;
mod names;
mod opinion;
mod platforms;
mod reports;

use crate::serve::{WebArgs, bind};
use anyhow::Context;
use clap::Args;
use rand::SeedableRng;
use shoutu_domain::{Clock, SystemClock, password};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

#[derive(Args)]
pub struct DemoArgs {
    #[arg(long, env = "SHOUTU_BIND", default_value = "127.0.0.1:8080")]
    bind: String,
    /// The demo database file; it is replaced on every run
    #[arg(long, default_value = "shoutu-demo.db")]
    database: PathBuf,
    /// The same seed always gives the same county
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Load the data and exit without serving
    #[arg(long)]
    no_serve: bool,
    #[command(flatten)]
    web: WebArgs,
}

/// Removes an earlier demo database with its WAL files.
fn remove_old(path: &Path) -> anyhow::Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("无法删除旧的演示数据库 {}", Path::new(&p).display())),
        }
    }
    Ok(())
}

pub async fn run(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let rules = args.web.rules()?;
    let listener = if args.no_serve {
        None
    } else {
        Some(bind(&args.bind).await?)
    };
    remove_old(&args.database)?;
    let url = format!("sqlite:{}", args.database.display());
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let store = shoutu_store::connect(&url, clock.clone()).await?;
    let started = Instant::now();
    // One password for every demo account, new on each run; hashed once so loading stays fast.
    let demo_password = password::generate();
    let hash = {
        let p = demo_password.clone();
        tokio::task::spawn_blocking(move || password::hash(&p)).await??
    };
    let rng = rand_chacha::ChaCha8Rng::seed_from_u64(args.seed);
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8"))
        .date_naive();
    let summary = county::load(&*store, rng, hash, today).await?;
    let took = started.elapsed();

    println!(
        "演示数据已生成：{}，{} 个单位，{} 名人员，{} 个账号，今年 {} 条台账记录（种子 {}，用时 {:.1} 秒）。",
        summary.county,
        summary.units,
        summary.people,
        summary.logins.len(),
        summary.activities,
        args.seed,
        took.as_secs_f64()
    );
    println!("数据库：{}", args.database.display());
    let burst = args.database.with_file_name("demo-burst.jsonl");
    let mut burst_rng = rand_chacha::ChaCha8Rng::seed_from_u64(args.seed + 1);
    std::fs::write(&burst, opinion::burst_file(&mut burst_rng, chrono::Utc::now()))
        .with_context(|| format!("无法写入 {}", burst.display()))?;
    println!(
        "舆情演示：另开终端运行 shoutu --database-url sqlite:{} ingest --source {} {}，即可看到一波新的舆情和预警。",
        args.database.display(),
        opinion::SOURCE,
        burst.display()
    );
    println!();
    println!("演示密码（所有演示账号通用，每次运行重新生成）：{demo_password}");
    println!();
    println!("{}{}{}单位", pad("账号", 12), pad("角色", 12), pad("姓名", 10));
    for login in summary.logins.iter().filter(|l| {
        // The county accounts, the first two townships in full and the bureau; the rest follow one pattern.
        !l.username.starts_with('t') || l.username.starts_with("t03") || l.username.starts_with("t04")
    }) {
        println!(
            "{}{}{}{}",
            pad(&login.username, 12),
            pad(&login.roles, 12),
            pad(&login.name, 10),
            login.unit
        );
    }
    println!("其余乡镇街道：t01…t12 为宣传委员（录入员），tNNleader 领导，tNNadmin 单位管理员，tNNreview 审核员。");
    let Some(listener) = listener else {
        return Ok(ExitCode::SUCCESS);
    };
    println!();
    // One write: a reader that stops at the address line and closes the pipe must not make
    // a later line fail with a broken pipe.
    println!("请用浏览器打开：http://{}/\n（按 Ctrl-C 停止）", listener.local_addr()?);
    let config = args.web.config("shoutu-demo-files");
    // The demo's index lives in memory unless --index-dir is given: the database is new each run.
    let search = match &args.web.index_dir {
        Some(dir) => Some(crate::search::open_index(dir, &config.files_dir)?),
        None => None,
    };
    crate::serve::serve(listener, store, clock, config, rules, search).await?;
    Ok(ExitCode::SUCCESS)
}

/// Pads to a width in terminal columns, where a Chinese character takes two.
fn pad(text: &str, columns: usize) -> String {
    let width: usize = text.chars().map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 }).sum();
    format!("{text}{}", " ".repeat(columns.saturating_sub(width).max(1)))
}
