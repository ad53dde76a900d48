//! `shoutu init` and `shoutu user …`: accounts from the console. No default passwords exist:
//! a password is read from a file the operator names, or generated and shown once.

use crate::console_scope;
use anyhow::Context;
use clap::{Args, Subcommand};
use shoutu_domain::unit::NewUnit;
use shoutu_domain::user::{parse_roles, parse_username};
use shoutu_domain::{NewPerson, NewUser, Role, password};
use shoutu_store::Store;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args)]
pub struct InitArgs {
    /// Name of the top unit, e.g. 云岭县
    #[arg(long)]
    unit_name: String,
    /// Code of the top unit (letters, digits, - _ .)
    #[arg(long)]
    unit_code: String,
    /// county or district (县 or 区)
    #[arg(long, default_value = "county")]
    unit_kind: String,
    #[arg(long, default_value = "admin")]
    admin_username: String,
    /// The administrator's name as a person
    #[arg(long, default_value = "系统管理员")]
    admin_name: String,
    /// Read the administrator's password from this file instead of generating a one-time one
    #[arg(long)]
    admin_password_file: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a person and their account
    Add {
        #[arg(long)]
        username: String,
        /// The person's name
        #[arg(long)]
        name: String,
        /// Code of the person's unit
        #[arg(long)]
        unit: String,
        /// Post (职务)
        #[arg(long, default_value = "")]
        post: String,
        /// Role, repeatable: system_admin unit_admin staff reviewer leader supervisor (or 录入员 …)
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        #[arg(long)]
        password_file: Option<PathBuf>,
    },
    /// Set a new password (generated one-time password unless --password-file)
    Passwd {
        username: String,
        #[arg(long)]
        password_file: Option<PathBuf>,
    },
    /// Lock an account (for N minutes, or until unlocked)
    Lock {
        username: String,
        #[arg(long)]
        minutes: Option<i64>,
    },
    /// Unlock an account
    Unlock { username: String },
}

/// A chosen password (must change: false) or a generated one-time password (must change: true).
struct NewPassword {
    plain: Option<String>,
    hash: String,
    must_change: bool,
}

fn password_from(file: Option<&Path>) -> anyhow::Result<NewPassword> {
    match file {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("无法读取密码文件 {}", path.display()))?;
            let chosen = text.trim_end_matches(['\r', '\n']);
            password::check_strength(chosen)
                .map_err(|e| anyhow::anyhow!("密码文件 {} 中的密码不合要求：{e}", path.display()))?;
            Ok(NewPassword {
                plain: None,
                hash: password::hash(chosen)?,
                must_change: false,
            })
        }
        None => {
            let plain = password::generate();
            Ok(NewPassword {
                hash: password::hash(&plain)?,
                plain: Some(plain),
                must_change: true,
            })
        }
    }
}

/// A person and their login, created together from the console.
struct Account<'a> {
    unit: shoutu_domain::UnitId,
    name: &'a str,
    post: &'a str,
    username: &'a str,
    roles: Vec<Role>,
}

impl Account<'_> {
    async fn create(self, store: &dyn Store, scope: &shoutu_domain::Scope, pw: &NewPassword) -> anyhow::Result<()> {
        let person = store
            .create_person(scope, NewPerson::parse(self.unit, self.name, self.post, "", 0)?)
            .await?;
        let user = NewUser {
            username: self.username.to_string(),
            person_id: person.id,
            roles: self.roles,
            password_hash: pw.hash.clone(),
            must_change_password: pw.must_change,
        };
        store.create_user(scope, user).await?;
        Ok(())
    }
}

fn show_one_time(username: &str, pw: &NewPassword) {
    if let Some(plain) = &pw.plain {
        println!("用户 {username} 的一次性密码：{plain}");
        println!("（只显示这一次；首次登录后须修改。）");
    }
}

pub async fn init(store: &dyn Store, args: InitArgs) -> anyhow::Result<ExitCode> {
    if let Some(root) = store.root_unit().await? {
        anyhow::bail!("数据库已经初始化（最上级单位：{}），不能重复初始化", root.name);
    }
    let username = parse_username(&args.admin_username)?;
    let unit = NewUnit::parse(None, &args.unit_kind, &args.unit_name, "", &args.unit_code, 0)?;
    let pw = password_from(args.admin_password_file.as_deref())?;
    let root = store.create_root_unit("命令行", unit).await?;
    let scope = shoutu_domain::Scope::console(root.id);
    let account = Account {
        unit: root.id,
        name: &args.admin_name,
        post: "系统管理员",
        username: &username,
        roles: vec![Role::SystemAdmin],
    };
    account.create(store, &scope, &pw).await?;
    println!("已创建最上级单位「{}」和系统管理员 {username}。", root.name);
    show_one_time(&username, &pw);
    Ok(ExitCode::SUCCESS)
}

pub async fn user(store: &dyn Store, command: UserCommand) -> anyhow::Result<ExitCode> {
    let scope = console_scope(store).await?;
    let find = |username: String| {
        let scope = scope.clone();
        async move {
            store
                .user_by_username(&scope, &username)
                .await
                .map_err(|_| anyhow::anyhow!("没有用户名为「{username}」的用户"))
        }
    };
    match command {
        UserCommand::Add {
            username,
            name,
            unit,
            post,
            roles,
            password_file,
        } => {
            let username = parse_username(&username)?;
            let roles = parse_roles(roles.iter().map(String::as_str))?;
            let unit = store
                .unit_by_code(&scope, &unit)
                .await
                .map_err(|_| anyhow::anyhow!("没有代码为「{unit}」的单位"))?;
            let pw = password_from(password_file.as_deref())?;
            let account = Account {
                unit: unit.id,
                name: &name,
                post: &post,
                username: &username,
                roles,
            };
            account.create(store, &scope, &pw).await?;
            println!("已创建用户 {username}（{name}，{}）。", unit.name);
            show_one_time(&username, &pw);
        }
        UserCommand::Passwd {
            username,
            password_file,
        } => {
            let user = find(username).await?;
            let pw = password_from(password_file.as_deref())?;
            store.set_password(&scope, user.id, &pw.hash, pw.must_change).await?;
            println!("已为 {} 设置新密码。", user.username);
            show_one_time(&user.username, &pw);
        }
        UserCommand::Lock { username, minutes } => {
            let user = find(username).await?;
            let now = chrono::Utc::now();
            let until = match minutes {
                Some(m) if m > 0 => now + chrono::Duration::minutes(m),
                Some(_) => anyhow::bail!("--minutes 应为正整数"),
                None => now + chrono::Duration::days(365 * 100),
            };
            store.set_lock(&scope, user.id, Some(until)).await?;
            println!("已锁定 {}。", user.username);
        }
        UserCommand::Unlock { username } => {
            let user = find(username).await?;
            store.set_lock(&scope, user.id, None).await?;
            println!("已解锁 {}。", user.username);
        }
    }
    Ok(ExitCode::SUCCESS)
}
