//! Starts the real server on a random port with a fresh database, and drives it like a browser.

use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};
use shoutu_domain::unit::NewUnit;
use shoutu_domain::{Clock, NewPerson, NewUser, Person, Role, Scope, SystemClock, Unit, UnitKind, User, password};
use shoutu_store::Store;
use shoutu_web::{AppState, Config};
use std::sync::Arc;

pub const PASSWORD: &str = "Ceshi-Mima-2026";

pub struct TestApp {
    pub base: String,
    pub store: Arc<dyn Store>,
    pub county: Unit,
    pub town_a: Unit,
    pub town_b: Unit,
    pub person_a: Person,
    pub person_b: Person,
    pub user_b: User,
    /// Where the server keeps attachment bytes.
    pub files_dir: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

async fn unit(store: &dyn Store, scope: &Scope, parent: &Unit, kind: UnitKind, name: &str, code: &str) -> Unit {
    let new = NewUnit::parse(Some(parent.id), kind.code(), name, "", code, 0).unwrap();
    store.create_unit(scope, new).await.unwrap()
}

async fn person(store: &dyn Store, scope: &Scope, unit: &Unit, name: &str, post: &str) -> Person {
    store
        .create_person(scope, NewPerson::parse(unit.id, name, post, "", 0).unwrap())
        .await
        .unwrap()
}

async fn user(store: &dyn Store, scope: &Scope, unit: &Unit, username: &str, roles: &[Role], hash: &str) -> User {
    account(store, scope, unit, &format!("{username}本人"), username, roles, hash)
        .await
        .1
}

/// A person of `unit` and their account, made directly in the store.
pub async fn account(
    store: &dyn Store,
    scope: &Scope,
    unit: &Unit,
    name: &str,
    username: &str,
    roles: &[Role],
    hash: &str,
) -> (Person, User) {
    let p = person(store, scope, unit, name, "干事").await;
    let new = NewUser {
        username: username.into(),
        person_id: p.id,
        roles: roles.to_vec(),
        password_hash: hash.into(),
        must_change_password: false,
    };
    let user = store.create_user(scope, new).await.unwrap();
    (p, user)
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Config::default()).await
}

pub async fn spawn_app_with(config: Config) -> TestApp {
    spawn_app_clocked(config, Arc::new(SystemClock)).await
}

/// The app with a clock the test controls (deadlines, escalation).
pub async fn spawn_app_clocked(mut config: Config, clock: Arc<dyn Clock>) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    config.files_dir = dir.path().join("files");
    let files_dir = config.files_dir.clone();
    let store = connect_store(&dir, clock.clone()).await;
    let county = store
        .create_root_unit("测试", NewUnit::parse(None, "county", "云岭县", "", "YL", 0).unwrap())
        .await
        .unwrap();
    let console = Scope::console(county.id);
    let town_a = unit(&*store, &console, &county, UnitKind::Town, "河口镇", "A").await;
    let town_b = unit(&*store, &console, &county, UnitKind::Town, "石桥镇", "B").await;
    unit(&*store, &console, &town_a, UnitKind::Village, "河口村", "A1").await;
    let person_a = person(&*store, &console, &town_a, "王建国", "宣传委员").await;
    let person_b = person(&*store, &console, &town_b, "李秀英", "宣传委员").await;
    let hash = password::hash(PASSWORD).unwrap();
    user(&*store, &console, &county, "admin", &[Role::SystemAdmin], &hash).await;
    user(&*store, &console, &county, "ducha", &[Role::Supervisor], &hash).await;
    user(&*store, &console, &town_a, "a_admin", &[Role::UnitAdmin], &hash).await;
    user(&*store, &console, &town_a, "a_staff", &[Role::Staff], &hash).await;
    user(&*store, &console, &town_a, "a_leader", &[Role::Leader], &hash).await;
    let user_b = user(&*store, &console, &town_b, "b_admin", &[Role::UnitAdmin], &hash).await;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::new(store.clone(), clock, config);
    tokio::spawn(shoutu_web::serve(listener, state, std::future::pending()));
    TestApp {
        base,
        store,
        county,
        town_a,
        town_b,
        person_a,
        person_b,
        user_b,
        files_dir,
        _dir: dir,
    }
}

/// A fresh database: a schema of its own on the PostgreSQL server that `SHOUTU_TEST_PG` names
/// (CI sets it), else an SQLite file in the test's directory.
async fn connect_store(dir: &tempfile::TempDir, clock: Arc<dyn Clock>) -> Arc<dyn Store> {
    let Ok(url) = std::env::var("SHOUTU_TEST_PG") else {
        let db_path = dir.path().join("shoutu.db");
        return shoutu_store::connect(&format!("sqlite:{}", db_path.display()), clock)
            .await
            .unwrap();
    };
    let admin = sqlx::PgPool::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("SHOUTU_TEST_PG is set but {url} is unreachable: {e}"));
    drop_stale_schemas(&admin).await;
    // Named like the store tests' schemas ("t_<unix time>_<random>") so that either suite
    // clears what the other left behind.
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).unwrap();
    let suffix: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let schema = format!("t_{}_{suffix}", chrono::Utc::now().timestamp());
    sqlx::raw_sql(&format!("CREATE SCHEMA {schema}"))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    let options = <sqlx::postgres::PgConnectOptions as std::str::FromStr>::from_str(&url)
        .unwrap()
        .options([("search_path", schema.as_str())]);
    Arc::new(shoutu_store::PgStore::open(options, clock).await.unwrap())
}

/// Schemas of runs more than an hour old; tests running now keep theirs.
async fn drop_stale_schemas(admin: &sqlx::PgPool) {
    let names: Vec<(String,)> = sqlx::query_as("SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 't\\_%'")
        .fetch_all(admin)
        .await
        .unwrap();
    let cutoff = chrono::Utc::now().timestamp() - 3600;
    for (name,) in names {
        let created: Option<i64> = name.split('_').nth(1).and_then(|t| t.parse().ok());
        if created.is_none_or(|t| t < cutoff) {
            let _ = sqlx::raw_sql(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"))
                .execute(admin)
                .await;
        }
    }
}

/// A browser: keeps cookies, does not follow redirects (tests look at them).
pub fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// The CSRF token of the first form on a page.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker).expect("the page has a form with a CSRF token") + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, client: &Client, path: &str) -> Response {
        client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn text(&self, client: &Client, path: &str) -> (StatusCode, String) {
        let res = self.get(client, path).await;
        (res.status(), res.text().await.unwrap())
    }

    /// Posts a form as the page would: with the token the page carries.
    pub async fn post_form(&self, client: &Client, page: &str, action: &str, fields: &[(&str, &str)]) -> Response {
        let (_, html) = self.text(client, page).await;
        let token = csrf_of(&html);
        let mut form: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
        form.extend_from_slice(fields);
        client.post(self.url(action)).form(&form).send().await.unwrap()
    }

    pub async fn try_login(&self, client: &Client, username: &str, password: &str) -> Response {
        self.post_form(
            client,
            "/login",
            "/login",
            &[("username", username), ("password", password)],
        )
        .await
    }

    pub async fn login(&self, username: &str) -> Client {
        let client = browser();
        let res = self.try_login(&client, username, PASSWORD).await;
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "login as {username} failed: {}",
            res.text().await.unwrap()
        );
        client
    }
}

/// Today as the server counts it (China Standard Time): between 16:00 and 24:00 UTC the
/// server's date is already the next day's.
pub fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}
