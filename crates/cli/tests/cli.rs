//! The `shoutu` binary as an operator uses it.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn shoutu(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shoutu"))
        .args(args)
        .current_dir(dir)
        .env_remove("SHOUTU_DATABASE_URL")
        .env_remove("SHOUTU_BIND")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn init(dir: &Path) -> Output {
    shoutu(dir, &["init", "--unit-name", "云岭县", "--unit-code", "YL"])
}

#[test]
fn init_creates_the_first_admin_with_a_one_time_password_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = init(dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("系统管理员 admin") && text.contains("一次性密码："),
        "{text}"
    );
    assert!(
        dir.path().join("shoutu.db").exists(),
        "the default database is shoutu.db here"
    );
    let again = init(dir.path());
    assert!(!again.status.success());
    assert!(stderr(&again).contains("不能重复初始化"));
}

#[test]
fn init_takes_the_admin_password_from_a_file_and_checks_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("weak.txt"), "123456\n").unwrap();
    let out = shoutu(
        dir.path(),
        &[
            "init",
            "--unit-name",
            "云岭县",
            "--unit-code",
            "YL",
            "--admin-password-file",
            "weak.txt",
        ],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("密码不合要求"), "{}", stderr(&out));
    std::fs::write(dir.path().join("pw.txt"), "Guanli-Yuan-2026\n").unwrap();
    let out = shoutu(
        dir.path(),
        &[
            "init",
            "--unit-name",
            "云岭县",
            "--unit-code",
            "YL",
            "--admin-password-file",
            "pw.txt",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stdout(&out).contains("一次性密码"));
}

#[test]
fn users_are_added_reset_locked_and_unlocked_from_the_console() {
    let dir = tempfile::tempdir().unwrap();
    assert!(init(dir.path()).status.success());
    let add = shoutu(
        dir.path(),
        &[
            "user",
            "add",
            "--username",
            "wangjg",
            "--name",
            "王建国",
            "--unit",
            "YL",
            "--role",
            "录入员",
            "--role",
            "leader",
        ],
    );
    assert!(add.status.success(), "{}", stderr(&add));
    assert!(stdout(&add).contains("wangjg 的一次性密码"));
    let unknown_unit = shoutu(
        dir.path(),
        &[
            "user",
            "add",
            "--username",
            "x1",
            "--name",
            "某人",
            "--unit",
            "NOPE",
            "--role",
            "staff",
        ],
    );
    assert!(stderr(&unknown_unit).contains("没有代码为「NOPE」的单位"));
    let bad_role = shoutu(
        dir.path(),
        &[
            "user",
            "add",
            "--username",
            "x2",
            "--name",
            "某人",
            "--unit",
            "YL",
            "--role",
            "boss",
        ],
    );
    assert!(stderr(&bad_role).contains("「boss」不是已知的角色"));
    for (args, words) in [
        (vec!["user", "passwd", "wangjg"], "一次性密码"),
        (vec!["user", "lock", "wangjg"], "已锁定 wangjg"),
        (vec!["user", "unlock", "wangjg"], "已解锁 wangjg"),
    ] {
        let out = shoutu(dir.path(), &args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).contains(words), "{args:?}");
    }
    let ghost = shoutu(dir.path(), &["user", "lock", "ghost"]);
    assert!(!ghost.status.success());
    assert!(stderr(&ghost).contains("没有用户名为「ghost」的用户"));
}

#[test]
fn audit_verify_names_a_row_changed_behind_the_applications_back() {
    let dir = tempfile::tempdir().unwrap();
    assert!(init(dir.path()).status.success());
    let ok = shoutu(dir.path(), &["audit", "verify"]);
    assert!(ok.status.success());
    assert!(stdout(&ok).contains("审计链完好：共校验 3 条记录"), "{}", stdout(&ok));

    let db = dir.path().join("shoutu.db");
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite:{}", db.display()))
            .await
            .unwrap();
        let refused = sqlx::query("UPDATE audit_log SET actor_name = 'x' WHERE seq = 2")
            .execute(&pool)
            .await;
        assert!(refused.is_err(), "the table refuses updates");
        sqlx::raw_sql("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor_name = '他人' WHERE seq = 2")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    });
    let broken = shoutu(dir.path(), &["audit", "verify"]);
    assert_eq!(broken.status.code(), Some(1));
    let text = stdout(&broken);
    assert!(text.contains("第 2 条") && text.contains("被改动"), "{text}");
}

#[test]
fn bad_database_urls_get_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    for (url, words) in [
        ("mysql://root@localhost/x", "不支持的数据库地址"),
        (
            "sqlite:/no/such/dir/shoutu.db",
            "无法打开数据库文件 /no/such/dir/shoutu.db",
        ),
        ("postgres://postgres@127.0.0.1:1/test", "无法连接 PostgreSQL 数据库"),
    ] {
        let out = shoutu(dir.path(), &["--database-url", url, "audit", "verify"]);
        assert_eq!(out.status.code(), Some(1), "{url}");
        let err = stderr(&out);
        assert!(err.contains(words), "{url}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    }
    let empty = shoutu(dir.path(), &["serve", "--bind", "127.0.0.1:0"]);
    assert!(stderr(&empty).contains("请先运行 shoutu init"), "{}", stderr(&empty));
}

#[test]
fn a_taken_port_is_reported_with_a_way_out() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = shoutu(dir.path(), &["serve", "--bind", &addr]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("已被其他程序占用") && err.contains("--bind"), "{err}");
    let bad = shoutu(dir.path(), &["serve", "--bind", "localhost"]);
    assert!(stderr(&bad).contains("监听地址「localhost」无效"));
}

#[test]
fn the_demo_county_is_the_same_for_the_same_seed() {
    let dir = tempfile::tempdir().unwrap();
    let first = shoutu(dir.path(), &["demo", "--no-serve", "--seed", "7"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let second = shoutu(dir.path(), &["demo", "--no-serve", "--seed", "7"]);
    let summary = |o: &Output| {
        let t = stdout(o);
        let line = t.lines().next().unwrap().to_string();
        let logins: Vec<String> = t.lines().filter(|l| l.starts_with("t03 ")).map(String::from).collect();
        (line.split("（").next().unwrap().to_string(), logins)
    };
    assert_eq!(summary(&first), summary(&second));
    let (line, _) = summary(&first);
    let numbers: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    let (units, people, accounts) = (numbers[0], numbers[1], numbers[2]);
    assert!((300..=450).contains(&units), "{line}");
    assert!((550..=700).contains(&people), "{line}");
    assert!(accounts >= 6, "{line}");
    assert!(stdout(&first).contains("演示密码"));
    let verify = shoutu(
        dir.path(),
        &["--database-url", "sqlite:shoutu-demo.db", "audit", "verify"],
    );
    assert!(verify.status.success(), "the demo's writes are audited like any other");
}

#[test]
fn the_demo_serves_its_login_page() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_shoutu"))
        .args(["demo", "--bind", "127.0.0.1:0"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut url = None;
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("请用浏览器打开：") {
            url = Some(rest.trim().to_string());
            break;
        }
    }
    let url = url.expect("the demo prints the URL to open");
    let body = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let res = reqwest::get(format!("{url}login")).await.unwrap();
        assert_eq!(res.status(), 200);
        res.text().await.unwrap()
    });
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(body.contains("守土") && body.contains("用户名"));
}

#[test]
fn a_webhook_allow_list_that_is_not_a_network_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let out = shoutu(
        dir.path(),
        &["serve", "--bind", "127.0.0.1:0", "--webhook-allow", "intranet"],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("「intranet」不是有效的网段"), "{err}");
    let help = stdout(&shoutu(dir.path(), &["serve", "--help"]));
    assert!(help.contains("--webhook-allow"), "{help}");
}
