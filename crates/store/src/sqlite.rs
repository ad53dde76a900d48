//! The embedded backend: one SQLite file in WAL mode with foreign keys enforced.

use shoutu_domain::Clock;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone)]
pub struct SqliteStore {
    pub(crate) pool: SqlitePool,
    pub(crate) clock: Arc<dyn Clock>,
}

impl SqliteStore {
    /// Opens (creating if missing) the database file and brings its schema up to date.
    pub async fn open(options: SqliteConnectOptions, clock: Arc<dyn Clock>) -> Result<Self, sqlx::Error> {
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            // WAL makes NORMAL durable against application crashes; only a power cut may
            // lose the last transactions, never corrupt the file.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(SqliteStore { pool, clock })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

crate::shared::impl_store!(SqliteStore, sqlx::Sqlite, "sqlite");
crate::facts::impl_facts!(SqliteStore, sqlx::Sqlite);
crate::search::impl_search!(SqliteStore, sqlx::Sqlite);
crate::archive::impl_archive!(SqliteStore, sqlx::Sqlite);
crate::report::impl_report!(SqliteStore, sqlx::Sqlite);
crate::platform::impl_platform!(SqliteStore, sqlx::Sqlite);
crate::assessment::impl_assessment!(SqliteStore, sqlx::Sqlite);
crate::opinion::impl_opinion!(SqliteStore, sqlx::Sqlite);
