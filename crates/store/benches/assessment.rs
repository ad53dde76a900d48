//! Scoring a round: 2,000 units directly below the county, 40 computed indicators (each a
//! different fact), a year of records (about 60,000 activities, 2,000 inspections, 2,000
//! rectification items). Times opening the round (every fact read and cached), recomputing
//! it, and reading the score sheet (scores, grades and ranks for every unit).
//!
//! Run: `cargo bench -p shoutu-store --bench assessment` (SQLite);
//! with `SHOUTU_BENCH_PG=postgres://…` also on PostgreSQL (a fresh schema, dropped after).

use chrono::{TimeZone, Utc};
use shoutu_domain::assessment::NewRound;
use shoutu_domain::unit::NewUnit;
use shoutu_domain::{FixedClock, Scope, UnitId};
use shoutu_store::{PgStore, SqliteStore, Store};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Instant;

const UNITS: usize = 2000;
const ACTIVITIES_PER_UNIT: usize = 30;
const YEAR: i32 = 2026;

const TYPES: &[&str] = &[
    "center_group",
    "seminar",
    "committee_meeting",
    "analysis_meeting",
    "branch_general_meeting",
    "branch_committee_meeting",
    "party_group_meeting",
    "party_lecture",
    "theme_party_day",
    "training",
    "preaching",
    "civility_practice",
    "commendation",
    "reflection",
];

const TAGS: &[&str] = &[
    "中心组学习",
    "专题研讨",
    "党委会",
    "分析研判",
    "三会一课",
    "支部党员大会",
    "支部委员会",
    "党小组会",
    "党课",
    "主题党日",
    "宣讲",
];

/// 40 distinct fact keys: every fact of the catalogue that needs no data beyond what is
/// generated, plus each activity type and ledger tag.
fn fact_keys() -> Vec<String> {
    let mut keys: Vec<String> = TYPES.iter().map(|t| format!("activity.type:{t}")).collect();
    keys.extend(TAGS.iter().map(|t| format!("activity.tag:{t}")));
    for k in [
        "activity.all",
        "letter.signed_rate",
        "letter.signed",
        "task.done",
        "task.overdue",
        "task.on_time_rate",
        "plan.next_items",
        "duty.first_responsible",
        "conduct.violations",
        "rectification.items",
        "rectification.closed_rate",
        "rectification.overdue",
        "inspection.visits",
        "inspection.findings",
        "activity.tag:第一议题",
    ] {
        keys.push(k.to_string());
    }
    keys.sort();
    keys.dedup();
    keys.truncate(40);
    keys
}

/// Four groups of ten computed items, 2.5 points each.
fn system() -> String {
    let keys = fact_keys();
    assert_eq!(keys.len(), 40, "40 distinct facts");
    let mut s = String::from("title = \"基准测试指标\"\n");
    for g in 0..4 {
        s.push_str(&format!(
            "[[indicator]]\ncode = \"G{g}\"\nname = \"第{g}组\"\nweight = 25\n"
        ));
        for i in 0..10 {
            let key = &keys[g * 10 + i];
            let rule = if key.ends_with("rate") {
                format!("{{ kind = \"rate\", fact = \"{key}\", full_at = 100, zero_at = 0 }}")
            } else {
                format!("{{ kind = \"target\", fact = \"{key}\", target = 3 }}")
            };
            s.push_str(&format!(
                "[[indicator]]\ncode = \"G{g}I{i}\"\nparent = \"G{g}\"\nname = \"指标{g}-{i}\"\nweight = 2.5\nrule = {rule}\n"
            ));
        }
    }
    s
}

/// A small deterministic generator, so both backends get the same records.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

enum Pool {
    Sqlite(sqlx::SqlitePool),
    Pg(sqlx::PgPool),
}

impl Pool {
    async fn run(&self, sql: &str) {
        match self {
            Pool::Sqlite(p) => sqlx::raw_sql(sql).execute(p).await.map(|_| ()),
            Pool::Pg(p) => sqlx::raw_sql(sql).execute(p).await.map(|_| ()),
        }
        .unwrap_or_else(|e| panic!("{e}: {}", &sql[..sql.len().min(200)]));
    }
}

/// Units through the store (the closure table must be right); records in bulk.
async fn load(store: &dyn Store, pool: &Pool) -> (Scope, UnitId, Vec<UnitId>) {
    let county = store
        .create_root_unit("基准", NewUnit::parse(None, "county", "基准县", "", "BJ", 0).unwrap())
        .await
        .unwrap();
    let scope = Scope::console(county.id);
    let mut units = Vec::with_capacity(UNITS);
    for i in 0..UNITS {
        let u = NewUnit::parse(
            Some(county.id),
            "town",
            &format!("乡镇{i:04}"),
            "",
            &format!("BJ{i:04}"),
            i as i64,
        )
        .unwrap();
        units.push(store.create_unit(&scope, u).await.unwrap().id);
    }
    let mut rng = Lcg(2026);
    let now = "'2026-01-01T00:00:00Z'";
    for chunk in units.chunks(100) {
        let mut rows = Vec::new();
        for u in chunk {
            for _ in 0..ACTIVITIES_PER_UNIT {
                let t = TYPES[rng.next(TYPES.len() as u64) as usize];
                let day = 1 + rng.next(28);
                let month = 1 + rng.next(12);
                rows.push(format!(
                    "({}, '{t}', '{YEAR}-{month:02}-{day:02}', '基准记录', {now}, {now})",
                    u.0
                ));
            }
        }
        pool.run(&format!(
            "INSERT INTO activities (unit_id, type_code, date, topic, created_at, updated_at) VALUES {}",
            rows.join(",")
        ))
        .await;
    }
    for (t, tag) in TYPES.iter().zip(TAGS) {
        pool.run(&format!(
            "INSERT INTO activity_tags (activity_id, tag) SELECT id, '{tag}' FROM activities WHERE type_code = '{t}'"
        ))
        .await;
    }
    for chunk in units.chunks(500) {
        let mut insp = Vec::new();
        let mut rect = Vec::new();
        for u in chunk {
            let month = 1 + rng.next(10);
            insp.push(format!(
                "({}, {}, 'routine', '{YEAR}-{month:02}-10', '基准督查', '{YEAR}-{month:02}-10', '', {now})",
                county.id.0, u.0
            ));
            let closed = if rng.next(3) > 0 {
                format!("'{YEAR}-{:02}-20'", month + 1)
            } else {
                "NULL".into()
            };
            let state = if closed == "NULL" { "in_progress" } else { "closed" };
            rect.push(format!(
                "({}, {}, 'inspection_finding', 0, '基准整改', '', '{YEAR}-{:02}-15', '', '{state}', '{YEAR}-{month:02}-10', {closed}, {now})",
                county.id.0,
                u.0,
                month + 1
            ));
        }
        pool.run(&format!(
            "INSERT INTO inspections (unit_id, target_unit_id, kind, planned_on, subject, visited_on, record, created_at) VALUES {}",
            insp.join(",")
        ))
        .await;
        pool.run(&format!(
            "INSERT INTO rectifications (issuer_unit_id, owner_unit_id, source_kind, source_id, title, measures, deadline, \
             required_evidence, state, opened_on, closed_on, created_at) VALUES {}",
            rect.join(",")
        ))
        .await;
    }
    pool.run(
        "INSERT INTO inspection_findings (inspection_id, category, severity, description, created_at) \
         SELECT id, '阵地管理', 'minor', '基准问题', created_at FROM inspections",
    )
    .await;
    (scope, county.id, units)
}

async fn bench(name: &str, store: &dyn Store, pool: &Pool) {
    let started = Instant::now();
    let (scope, county, _) = load(store, pool).await;
    println!(
        "{name}: 准备 {UNITS} 个单位、{} 条活动记录用时 {:.1} 秒",
        UNITS * ACTIVITIES_PER_UNIT,
        started.elapsed().as_secs_f64()
    );
    store
        .save_indicator_system(&scope, county, YEAR, &system())
        .await
        .unwrap();

    let t = Instant::now();
    let round = store
        .open_round(&scope, NewRound::parse(county, &YEAR.to_string(), "year", "").unwrap())
        .await
        .unwrap();
    let open = t.elapsed();
    let t = Instant::now();
    store.recompute_round(&scope, round.id).await.unwrap();
    let recompute = t.elapsed();
    let t = Instant::now();
    let sheet = store.round_sheet(&scope, round.id).await.unwrap();
    let read = t.elapsed();
    assert_eq!(sheet.results.len(), UNITS);
    assert_eq!(sheet.facts.len(), UNITS * 40);
    println!(
        "{name}: {UNITS} 个单位 × 40 项指标：开启并计分 {:.2} 秒，重新计算 {:.2} 秒，读取评分表（总分、等次、排名）{:.2} 秒",
        open.as_secs_f64(),
        recompute.as_secs_f64(),
        read.as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 12, 31, 12, 0, 0).unwrap()));
    let dir = tempfile::tempdir().unwrap();
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(dir.path().join("bench.db"));
    let store = SqliteStore::open(options, clock.clone()).await.unwrap();
    let pool = Pool::Sqlite(store.pool().clone());
    bench("SQLite", &store, &pool).await;

    if let Ok(url) = std::env::var("SHOUTU_BENCH_PG") {
        let admin = sqlx::PgPool::connect(&url).await.unwrap();
        let schema = format!("bench_{}", std::process::id());
        sqlx::raw_sql(&format!("CREATE SCHEMA {schema}"))
            .execute(&admin)
            .await
            .unwrap();
        let options = sqlx::postgres::PgConnectOptions::from_str(&url)
            .unwrap()
            .options([("search_path", schema.as_str())]);
        let store = PgStore::open(options, clock).await.unwrap();
        let pool = Pool::Pg(store.pool().clone());
        bench("PostgreSQL", &store, &pool).await;
        store.pool().close().await;
        sqlx::raw_sql(&format!("DROP SCHEMA {schema} CASCADE"))
            .execute(&admin)
            .await
            .unwrap();
    }
}
