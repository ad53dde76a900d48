//! Picks the backend from the database URL and turns connection failures into one line a
//! user can act on.

use crate::{PgStore, SqliteStore, Store};
use shoutu_domain::Clock;
use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;
use std::str::FromStr;
use std::sync::Arc;

pub const DEFAULT_URL: &str = "sqlite:shoutu.db";

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(
        "不支持的数据库地址「{0}」：请使用 sqlite:文件路径（例如 sqlite:shoutu.db）或 postgres://用户@主机:端口/数据库名"
    )]
    UnknownScheme(String),
    #[error("数据库地址「{url}」格式有误：{reason}")]
    BadUrl { url: String, reason: String },
    #[error("无法打开数据库文件 {path}：{reason}。请检查文件所在目录是否存在，以及当前用户对文件和目录是否有读写权限")]
    SqliteOpen { path: String, reason: String },
    #[error("无法连接 PostgreSQL 数据库 {url}：{reason}。请确认数据库服务已启动，地址、端口、用户名和数据库名正确")]
    PgUnreachable { url: String, reason: String },
    #[error("数据库结构升级失败（{url}）：{reason}")]
    Migrate { url: String, reason: String },
}

/// The URL with any password masked, for messages and logs.
pub fn describe_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.find(':') {
                Some(colon) => format!("{}{}:***{}", &url[..scheme_end + 3], &credentials[..colon], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

fn sqlite_path(url: &str) -> Option<&str> {
    url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

pub async fn connect(url: &str, clock: Arc<dyn Clock>) -> Result<Arc<dyn Store>, ConnectError> {
    let shown = describe_url(url);
    if let Some(path) = sqlite_path(url) {
        let path_only = path.split('?').next().unwrap_or(path);
        if path_only.is_empty() {
            return Err(ConnectError::BadUrl {
                url: shown,
                reason: "缺少文件路径".into(),
            });
        }
        let options = SqliteConnectOptions::from_str(url).map_err(|e| ConnectError::BadUrl {
            url: shown.clone(),
            reason: e.to_string(),
        })?;
        return match SqliteStore::open(options, clock).await {
            Ok(store) => Ok(Arc::new(store)),
            Err(sqlx::Error::Migrate(e)) => Err(ConnectError::Migrate {
                url: shown,
                reason: e.to_string(),
            }),
            Err(e) => Err(ConnectError::SqliteOpen {
                path: path_only.to_string(),
                reason: sqlite_reason(&e),
            }),
        };
    }
    if is_postgres(url) {
        let options = PgConnectOptions::from_str(url).map_err(|e| ConnectError::BadUrl {
            url: shown.clone(),
            reason: e.to_string(),
        })?;
        return match PgStore::open(options, clock).await {
            Ok(store) => Ok(Arc::new(store)),
            Err(sqlx::Error::Migrate(e)) => Err(ConnectError::Migrate {
                url: shown,
                reason: e.to_string(),
            }),
            Err(e) => Err(ConnectError::PgUnreachable {
                url: shown,
                reason: pg_reason(&e),
            }),
        };
    }
    Err(ConnectError::UnknownScheme(shown))
}

fn sqlite_reason(e: &sqlx::Error) -> String {
    let text = e.to_string();
    if text.contains("unable to open") {
        "文件无法打开或创建".into()
    } else if text.contains("readonly") || text.contains("permission") {
        "没有写入权限".into()
    } else if text.contains("not a database") {
        "该文件不是 SQLite 数据库".into()
    } else {
        text
    }
}

fn pg_reason(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            "连接被拒绝（服务未启动或端口不对）".into()
        }
        sqlx::Error::PoolTimedOut => "连接超时".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_masked_in_messages() {
        assert_eq!(
            describe_url("postgres://app:s3cret@db:5432/shoutu"),
            "postgres://app:***@db:5432/shoutu"
        );
        assert_eq!(describe_url("postgres://app@db/shoutu"), "postgres://app@db/shoutu");
        assert_eq!(describe_url("sqlite:shoutu.db"), "sqlite:shoutu.db");
    }

    #[tokio::test]
    async fn unknown_schemes_are_refused_with_the_accepted_forms() {
        let err = connect("mysql://root@localhost/x", Arc::new(shoutu_domain::SystemClock))
            .await
            .err()
            .expect("mysql is not supported");
        let message = err.to_string();
        assert!(message.contains("不支持的数据库地址"), "{message}");
        assert!(message.contains("sqlite:"), "{message}");
    }
}
