//! The `shoutu` binary.

mod accounts;
mod archive;
mod bench;
mod demo;
mod ingest;
mod report;
mod search;
mod serve;

use clap::{Args, Parser, Subcommand};
use shoutu_domain::{Scope, SystemClock};
use shoutu_store::{DEFAULT_URL, Store};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "shoutu",
    version,
    about = "守土：意识形态工作责任制管理平台 (shoutu: running the ideological-work responsibility system)"
)]
struct Cli {
    /// Database: sqlite:FILE (default) or postgres://user@host:port/db
    #[arg(long, global = true, env = "SHOUTU_DATABASE_URL", default_value = DEFAULT_URL)]
    database_url: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web interface
    Serve(serve::ServeArgs),
    /// Create the top unit and the first administrator of an empty database
    Init(accounts::InitArgs),
    /// Start a demo county on a fresh database: load demo data, print the logins, serve
    Demo(demo::DemoArgs),
    /// Manage user accounts
    User {
        #[command(subcommand)]
        command: accounts::UserCommand,
    },
    /// Check the audit trail
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Write reports as .docx (GB/T 9704 layout): one unit's, or with --each-subunit every unit's below, zipped
    Report(report::ReportArgs),
    /// Proofread documents (.txt in UTF-8 or GB18030, .docx) like a compiler checks code
    Check(CheckArgs),
    /// Export a unit's ledgers workbook for a year (one sheet per register)
    Ledgers(archive::LedgersArgs),
    /// Build a unit's yearly archive (zip), or `archive verify FILE.zip`
    Archive(archive::ArchiveArgs),
    /// Rebuild the full-text search index from the audit log
    Reindex(search::ReindexArgs),
    /// Ingest posts (JSON Lines, CSV, RSS/Atom) into 舆情 monitoring
    Ingest(ingest::IngestArgs),
    /// Measure the speed of a pipeline on generated data
    Bench {
        #[command(subcommand)]
        command: bench::BenchCommand,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the hash chain from the first entry and name the first broken one
    Verify,
}

#[derive(Args)]
struct CheckArgs {
    /// Output format
    #[arg(long, value_parser = ["text", "json"], default_value = "text")]
    format: String,
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SHOUTU_LOG").unwrap_or_else(|_| "warn,shoutu=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    if let Command::Check(args) = &cli.command {
        return check(args);
    }
    if let Command::Archive(args) = &cli.command
        && let Some(file) = args.verify_file()
    {
        return match archive::verify_archive(file) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("错误：{e:#}");
                ExitCode::FAILURE
            }
        };
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("错误：无法启动运行时：{e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Demo(args) => demo::run(args).await,
        Command::Serve(args) => serve::run(&cli.database_url, args).await,
        Command::Bench { command } => bench::run(command).await,
        command => {
            let store = shoutu_store::connect(&cli.database_url, Arc::new(SystemClock)).await?;
            match command {
                Command::Init(args) => accounts::init(&*store, args).await,
                Command::User { command } => accounts::user(&*store, command).await,
                Command::Report(args) => {
                    let scope = console_scope(&*store).await?;
                    report::run(store.clone(), scope, args).await
                }
                Command::Audit {
                    command: AuditCommand::Verify,
                } => verify(&*store).await,
                Command::Ledgers(args) => archive::ledgers(&*store, args).await,
                Command::Archive(args) => archive::archive(&*store, args).await,
                Command::Reindex(args) => search::reindex(&cli.database_url, &*store, args).await,
                Command::Ingest(args) => ingest::run(&*store, args).await,
                Command::Demo(_) | Command::Serve(_) | Command::Check(_) | Command::Bench { .. } => {
                    unreachable!("handled above")
                }
            }
        }
    }
}

/// The operator at the console acts over the whole tree.
async fn console_scope(store: &dyn Store) -> anyhow::Result<Scope> {
    let root = store
        .root_unit()
        .await?
        .ok_or_else(|| anyhow::anyhow!("数据库中还没有任何单位：请先运行 shoutu init 创建最上级单位和管理员"))?;
    Ok(Scope::console(root.id))
}

async fn verify(store: &dyn Store) -> anyhow::Result<ExitCode> {
    let report = store.verify_audit_chain().await?;
    match report.broken {
        None => {
            println!("审计链完好：共校验 {} 条记录。", report.checked);
            Ok(ExitCode::SUCCESS)
        }
        Some(broken) => {
            println!("{broken}（此前 {} 条记录完好）。", report.checked);
            Ok(ExitCode::FAILURE)
        }
    }
}

fn check(args: &CheckArgs) -> ExitCode {
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    let code = shoutu_text::proofread::run_check_cli(&args.files, args.format == "json", &mut out, &mut err);
    ExitCode::from(code.clamp(0, 255) as u8)
}
