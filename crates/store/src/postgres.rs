//! The multi-user backend: PostgreSQL.

use shoutu_domain::Clock;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone)]
pub struct PgStore {
    pub(crate) pool: PgPool,
    pub(crate) clock: Arc<dyn Clock>,
}

impl PgStore {
    /// Connects and brings the schema up to date.
    pub async fn open(options: PgConnectOptions, clock: Arc<dyn Clock>) -> Result<Self, sqlx::Error> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(PgStore { pool, clock })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

crate::shared::impl_store!(PgStore, sqlx::Postgres, "postgres");
crate::facts::impl_facts!(PgStore, sqlx::Postgres);
crate::search::impl_search!(PgStore, sqlx::Postgres);
crate::archive::impl_archive!(PgStore, sqlx::Postgres);
crate::report::impl_report!(PgStore, sqlx::Postgres);
crate::platform::impl_platform!(PgStore, sqlx::Postgres);
crate::assessment::impl_assessment!(PgStore, sqlx::Postgres);
crate::opinion::impl_opinion!(PgStore, sqlx::Postgres);
