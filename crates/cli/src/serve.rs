//! `shoutu serve`: bind, connect, serve until Ctrl-C or SIGTERM.

use anyhow::Context;
use clap::Args;
use shoutu_domain::ledger::{Catalogue, RequirementSet};
use shoutu_domain::{Clock, SystemClock};
use shoutu_report::TemplateSet;
use shoutu_store::{Store, describe_url};
use shoutu_web::{AppState, Config};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Args, Clone)]
pub struct ServeArgs {
    /// Address and port to listen on
    #[arg(long, env = "SHOUTU_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    #[command(flatten)]
    pub web: WebArgs,
}

#[derive(Args, Clone)]
pub struct WebArgs {
    /// Failed logins in a row that lock an account
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(i64).range(1..=100))]
    pub lockout_threshold: i64,
    /// Minutes an account stays locked after too many failed logins
    #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(i64).range(1..=10080))]
    pub lockout_minutes: i64,
    /// Hours a login lasts
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(i64).range(1..=720))]
    pub session_hours: i64,
    /// Mark cookies Secure (set this behind an HTTPS proxy)
    #[arg(long)]
    pub secure_cookies: bool,
    /// A reverse proxy sits in front: take the client's address from the last entry of
    /// X-Forwarded-For (only set this when the proxy overwrites or appends that header)
    #[arg(long)]
    pub trusted_proxy: bool,
    /// Unsuccessful logins one client address may make per 15 minutes (0: no limit)
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(0..=100000))]
    pub login_attempts_per_address: u32,
    /// Where attachment files are kept
    #[arg(long, env = "SHOUTU_FILES_DIR")]
    pub files_dir: Option<PathBuf>,
    /// Largest attachment accepted, in MB
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub max_upload_mb: u32,
    /// Requirements (规定动作) file replacing the shipped defaults
    #[arg(long, env = "SHOUTU_REQUIREMENTS")]
    pub requirements_file: Option<PathBuf>,
    /// Activity types file replacing the shipped defaults
    #[arg(long, env = "SHOUTU_ACTIVITY_TYPES")]
    pub activity_types_file: Option<PathBuf>,
    /// The full-text index directory (default: shoutu-index beside an SQLite database)
    #[arg(long, env = "SHOUTU_INDEX_DIR")]
    pub index_dir: Option<PathBuf>,
    /// Directory of report templates (*.toml) replacing the shipped report kinds
    #[arg(long, env = "SHOUTU_REPORT_TEMPLATES")]
    pub report_templates: Option<PathBuf>,
    /// Network alert webhooks may reach although it is loopback, private or link-local
    /// (CIDR, e.g. 10.0.0.0/8; repeat or separate with commas). Default: public addresses only
    #[arg(long = "webhook-allow", env = "SHOUTU_WEBHOOK_ALLOW", value_delimiter = ',', value_parser = shoutu_web::webhook::parse_allow)]
    pub webhook_allow: Vec<shoutu_web::webhook::IpNet>,
}

impl WebArgs {
    pub fn config(&self, default_files_dir: &str) -> Config {
        Config {
            lockout_threshold: self.lockout_threshold,
            lockout_minutes: self.lockout_minutes,
            session_hours: self.session_hours,
            secure_cookies: self.secure_cookies,
            trusted_proxy: self.trusted_proxy,
            login_attempts_per_address: self.login_attempts_per_address,
            files_dir: self.files_dir.clone().unwrap_or_else(|| default_files_dir.into()),
            max_upload_bytes: self.max_upload_mb as usize * 1024 * 1024,
            webhook_allow: self.webhook_allow.clone(),
        }
    }

    /// The policy files, read and checked before serving so that a broken file is reported
    /// at start-up with its name, not on the first page that needs it.
    pub fn rules(&self) -> anyhow::Result<(Catalogue, RequirementSet, TemplateSet)> {
        let read = |path: &PathBuf| {
            std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("无法读取 {}：{e}", path.display()))
        };
        let catalogue = match &self.activity_types_file {
            Some(path) => Catalogue::parse(&path.display().to_string(), &read(path)?)?,
            None => Catalogue::defaults(),
        };
        let requirements = match &self.requirements_file {
            Some(path) => RequirementSet::parse(&path.display().to_string(), &read(path)?)?,
            None => RequirementSet::defaults(),
        };
        let templates = match &self.report_templates {
            Some(dir) => TemplateSet::load_dir(dir)?,
            None => TemplateSet::shipped(),
        };
        Ok((catalogue, requirements, templates))
    }
}

/// Binds first, so that a taken port is reported before anything else happens.
pub async fn bind(address: &str) -> anyhow::Result<tokio::net::TcpListener> {
    let addr: std::net::SocketAddr = address
        .parse()
        .map_err(|_| anyhow::anyhow!("监听地址「{address}」无效：应为 IP:端口，例如 127.0.0.1:8080 或 0.0.0.0:8080"))?;
    tokio::net::TcpListener::bind(addr).await.map_err(|e| match e.kind() {
        std::io::ErrorKind::AddrInUse => anyhow::anyhow!(
            "无法监听 {address}：该端口已被其他程序占用。请关闭占用端口的程序，或用 --bind 指定其他端口，例如 --bind 127.0.0.1:8081"
        ),
        std::io::ErrorKind::PermissionDenied => {
            anyhow::anyhow!("无法监听 {address}：没有权限（1024 以下的端口需要管理员权限），请换用 8080 等端口")
        }
        std::io::ErrorKind::AddrNotAvailable => anyhow::anyhow!("无法监听 {address}：本机没有这个 IP 地址"),
        _ => anyhow::anyhow!("无法监听 {address}：{e}"),
    })
}

pub async fn run(database_url: &str, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let rules = args.web.rules()?;
    let listener = bind(&args.bind).await?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let store = shoutu_store::connect(database_url, clock.clone()).await?;
    if store.root_unit().await?.is_none() {
        anyhow::bail!(
            "数据库 {} 中还没有单位和管理员：请先运行 shoutu init",
            describe_url(database_url)
        );
    }
    println!(
        "shoutu 已启动：http://{}/ （数据库：{}）",
        listener.local_addr()?,
        describe_url(database_url)
    );
    let config = args.web.config("shoutu-files");
    let index_dir = args
        .web
        .index_dir
        .clone()
        .unwrap_or_else(|| crate::search::default_index_dir(database_url));
    let search = crate::search::open_index(&index_dir, &config.files_dir)?;
    serve(listener, store, clock, config, rules, Some(search)).await?;
    Ok(ExitCode::SUCCESS)
}

pub async fn serve(
    listener: tokio::net::TcpListener,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    config: Config,
    (catalogue, requirements, templates): (Catalogue, RequirementSet, TemplateSet),
    search: Option<Arc<shoutu_report::search::SearchIndex>>,
) -> anyhow::Result<()> {
    let mut state = AppState::new(store, clock, config)
        .with_rules(catalogue, requirements)
        .with_report_templates(templates);
    if let Some(search) = search {
        state = state.with_search(search);
    }
    shoutu_web::serve(listener, state, shutdown_signal())
        .await
        .context("服务运行出错")
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    eprintln!("正在停止 shoutu……");
}
