//! The store test harness: every test runs on SQLite, and on PostgreSQL too when
//! `SHOUTU_TEST_PG` names a server. Each test gets a fresh database (SQLite) or schema
//! (PostgreSQL). Shared by every store test file.
#![allow(dead_code)]

use chrono::{TimeZone, Utc};
use shoutu_domain::unit::NewUnit;
use shoutu_domain::{FixedClock, NewPerson, PageRequest, Person, Role, Scope, Unit, UnitKind};
use shoutu_store::{PgStore, SqliteStore, Store};
use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;
use std::str::FromStr;
use std::sync::Arc;

pub enum Raw {
    Sqlite(sqlx::SqlitePool),
    Pg(sqlx::PgPool),
}

pub struct Fixture {
    pub name: &'static str,
    pub store: Arc<dyn Store>,
    pub clock: Arc<FixedClock>,
    pub raw: Raw,
    pub _dir: Option<tempfile::TempDir>,
}

impl Fixture {
    /// Changes the database behind the application's back, as an intruder with file access would.
    pub async fn tamper(&self, statement: &str) {
        match &self.raw {
            Raw::Sqlite(pool) => {
                sqlx::raw_sql("DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete")
                    .execute(pool)
                    .await
                    .unwrap();
                sqlx::raw_sql(statement).execute(pool).await.unwrap();
            }
            Raw::Pg(pool) => {
                sqlx::raw_sql("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change")
                    .execute(pool)
                    .await
                    .unwrap();
                sqlx::raw_sql(statement).execute(pool).await.unwrap();
            }
        }
    }

    pub async fn raw_update_fails(&self, statement: &str) -> bool {
        match &self.raw {
            Raw::Sqlite(pool) => sqlx::raw_sql(statement).execute(pool).await.is_err(),
            Raw::Pg(pool) => sqlx::raw_sql(statement).execute(pool).await.is_err(),
        }
    }
}

pub fn start_time() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap()
}

pub async fn fixtures() -> Vec<Fixture> {
    let mut all = Vec::new();
    let clock = Arc::new(FixedClock::new(start_time()));
    let dir = tempfile::tempdir().unwrap();
    let options = SqliteConnectOptions::new().filename(dir.path().join("test.db"));
    let store = SqliteStore::open(options, clock.clone()).await.unwrap();
    all.push(Fixture {
        name: "sqlite",
        raw: Raw::Sqlite(store.pool().clone()),
        store: Arc::new(store),
        clock,
        _dir: Some(dir),
    });
    if let Ok(url) = std::env::var("SHOUTU_TEST_PG") {
        let admin = sqlx::PgPool::connect(&url)
            .await
            .unwrap_or_else(|e| panic!("SHOUTU_TEST_PG is set but {url} is unreachable: {e}"));
        drop_stale_schemas(&admin).await;
        let schema = format!("t_{}_{}", Utc::now().timestamp(), random_suffix());
        sqlx::raw_sql(&format!("CREATE SCHEMA {schema}"))
            .execute(&admin)
            .await
            .unwrap();
        admin.close().await;
        let options = PgConnectOptions::from_str(&url)
            .unwrap()
            .options([("search_path", schema.as_str())]);
        let clock = Arc::new(FixedClock::new(start_time()));
        let store = PgStore::open(options, clock.clone()).await.unwrap();
        all.push(Fixture {
            name: "postgres",
            raw: Raw::Pg(store.pool().clone()),
            store: Arc::new(store),
            clock,
            _dir: None,
        });
    }
    all
}

/// Schemas of runs more than an hour old; tests running now keep theirs.
async fn drop_stale_schemas(admin: &sqlx::PgPool) {
    let names: Vec<(String,)> = sqlx::query_as("SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 't\\_%'")
        .fetch_all(admin)
        .await
        .unwrap();
    let cutoff = Utc::now().timestamp() - 3600;
    for (name,) in names {
        let created: Option<i64> = name.split('_').nth(1).and_then(|t| t.parse().ok());
        if created.is_none_or(|t| t < cutoff) {
            let _ = sqlx::raw_sql(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"))
                .execute(admin)
                .await;
        }
    }
}

fn random_suffix() -> String {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).unwrap();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A county with two towns (each with a village) and a bureau; people in both towns.
pub struct County {
    pub county: Unit,
    pub town_a: Unit,
    pub town_b: Unit,
    pub village_a: Unit,
    pub village_b: Unit,
    pub bureau: Unit,
    pub person_a: Person,
    pub person_b: Person,
}

pub fn new_unit(parent: Option<&Unit>, kind: UnitKind, name: &str, code: &str) -> NewUnit {
    NewUnit::parse(parent.map(|p| p.id), kind.code(), name, "", code, 0).unwrap()
}

pub async fn county(store: &dyn Store) -> County {
    let county = store
        .create_root_unit("测试", new_unit(None, UnitKind::County, "云岭县", "c"))
        .await
        .unwrap();
    let console = Scope::console(county.id);
    let mk = |parent: &Unit, kind, name: &str, code: &str| {
        let console = console.clone();
        let unit = new_unit(Some(parent), kind, name, code);
        async move { store.create_unit(&console, unit).await.unwrap() }
    };
    let town_a = mk(&county, UnitKind::Town, "河口镇", "a").await;
    let town_b = mk(&county, UnitKind::Town, "石桥镇", "b").await;
    let village_a = mk(&town_a, UnitKind::Village, "河口村", "a1").await;
    let village_b = mk(&town_b, UnitKind::Village, "石桥村", "b1").await;
    let bureau = mk(&county, UnitKind::Bureau, "县文化和旅游局", "wl").await;
    let person_a = store
        .create_person(
            &console,
            NewPerson::parse(village_a.id, "王建国", "村党支部书记", "", 0).unwrap(),
        )
        .await
        .unwrap();
    let person_b = store
        .create_person(
            &console,
            NewPerson::parse(town_b.id, "李秀英", "宣传委员", "", 0).unwrap(),
        )
        .await
        .unwrap();
    County {
        county,
        town_a,
        town_b,
        village_a,
        village_b,
        bureau,
        person_a,
        person_b,
    }
}

pub fn scope_of(unit: &Unit, roles: &[Role]) -> Scope {
    Scope::new(unit.id, roles.to_vec(), None, "测试用户")
}

pub fn page() -> PageRequest {
    PageRequest::new(None, None)
}

/// A 党委会 of 河口镇 on the given day, filed under the given flags.
pub fn meeting(
    c: &County,
    date: (i32, u32, u32),
    flags: &[&str],
    participants: Vec<i64>,
) -> shoutu_domain::ledger::NewActivity {
    use shoutu_domain::ledger::{ActivityInput, Catalogue, NewActivity};
    let catalogue = Catalogue::defaults();
    let date = format!("{:04}-{:02}-{:02}", date.0, date.1, date.2);
    let input = ActivityInput {
        date: &date,
        topic: "研究意识形态工作",
        participants,
        flags: flags.iter().map(|f| f.to_string()).collect(),
        ..Default::default()
    };
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
    NewActivity::parse(catalogue.get("committee_meeting").unwrap(), c.town_a.id, &input, today).unwrap()
}
