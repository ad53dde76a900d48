//! The web interface: axum routes, sessions, CSRF, scope extraction, templates and the
//! static assets, all compiled into the binary.

mod assets;
mod auth;
mod chrome;
mod csrf;
mod error;
mod extract;
pub mod files;
pub mod monitoring;
mod pages;
pub mod record_link;
mod redirect;
mod routes;
mod security;
mod throttle;
mod time;
mod upload;
pub mod webhook;

pub use error::AppError;
pub use pages::{deliver_opinion_webhooks, send_opinion_webhooks};
pub use routes::RouteInfo;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use shoutu_domain::Clock;
use shoutu_domain::ledger::{Catalogue, RequirementSet};
use shoutu_domain::opinion::{DeadlinePolicy, SeverityConfig};
use shoutu_store::Store;
use std::sync::Arc;

/// Settings an operator may change; see `shoutu serve --help`.
#[derive(Debug, Clone)]
pub struct Config {
    /// Failed logins in a row that lock an account.
    pub lockout_threshold: i64,
    pub lockout_minutes: i64,
    pub session_hours: i64,
    /// Where attachment bytes are kept, addressed by their SHA-256.
    pub files_dir: std::path::PathBuf,
    pub max_upload_bytes: usize,
    /// Mark cookies Secure. Set when a TLS-terminating proxy sits in front; requests that
    /// arrive with `X-Forwarded-Proto: https` get Secure cookies regardless.
    pub secure_cookies: bool,
    /// A reverse proxy sits in front and appends the client's address to `X-Forwarded-For`;
    /// only then is that header believed (for the per-address login throttle).
    pub trusted_proxy: bool,
    /// Unsuccessful logins one client address may make per 15 minutes, over all usernames
    /// (0: no limit).
    pub login_attempts_per_address: u32,
    /// Networks alert webhooks may reach although they are loopback, private or link-local
    /// (`--webhook-allow`); empty means public addresses only.
    pub webhook_allow: Vec<webhook::IpNet>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            lockout_threshold: 5,
            lockout_minutes: 15,
            session_hours: 12,
            files_dir: "shoutu-files".into(),
            max_upload_bytes: files::DEFAULT_MAX_BYTES,
            secure_cookies: false,
            trusted_proxy: false,
            login_attempts_per_address: 30,
            webhook_allow: Vec::new(),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<Config>,
    pub files: files::FileStore,
    /// Policy as data: activity types and requirements, the shipped defaults unless an
    /// administrator points to other files.
    pub catalogue: Arc<Catalogue>,
    pub requirements: Arc<RequirementSet>,
    /// The full-text index, fed from the audit log. In memory unless the operator gives an
    /// index directory ([`AppState::with_search`]); either way it catches up by itself.
    pub search: Arc<shoutu_report::search::SearchIndex>,
    /// Report kinds: the shipped templates unless an administrator points to a directory.
    pub report_templates: Arc<shoutu_report::TemplateSet>,
    /// 舆情 policy: how events are levelled and the handling deadlines per level.
    pub opinion_severity: Arc<SeverityConfig>,
    pub opinion_deadlines: Arc<DeadlinePolicy>,
    /// The 舆情 ingest pipeline's compiled schemes and event grouper.
    pub monitor: Arc<monitoring::Monitor>,
    /// Login attempts per client address.
    pub(crate) login_throttle: Arc<throttle::LoginThrottle>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, config: Config) -> Self {
        let search = shoutu_report::search::SearchIndex::in_memory(config.files_dir.clone())
            .expect("an index in memory always opens");
        let monitor = Arc::new(monitoring::Monitor::new(clock.clone()));
        let login_throttle = Arc::new(throttle::LoginThrottle::new(
            config.login_attempts_per_address,
            throttle::WINDOW,
        ));
        AppState {
            login_throttle,
            search: Arc::new(search),
            store,
            clock,
            files: files::FileStore::new(config.files_dir.clone()),
            config: Arc::new(config),
            catalogue: Arc::new(Catalogue::defaults()),
            requirements: Arc::new(RequirementSet::defaults()),
            report_templates: Arc::new(shoutu_report::TemplateSet::shipped()),
            opinion_severity: Arc::new(SeverityConfig::defaults()),
            opinion_deadlines: Arc::new(DeadlinePolicy::defaults()),
            monitor,
        }
    }

    pub fn with_search(mut self, search: Arc<shoutu_report::search::SearchIndex>) -> Self {
        self.search = search;
        self
    }

    pub fn with_report_templates(mut self, templates: shoutu_report::TemplateSet) -> Self {
        self.report_templates = Arc::new(templates);
        self
    }

    pub fn with_rules(mut self, catalogue: Catalogue, requirements: RequirementSet) -> Self {
        self.catalogue = Arc::new(catalogue);
        self.requirements = Arc::new(requirements);
        self
    }

    /// Today in China Standard Time, by the state's clock.
    pub fn today(&self) -> chrono::NaiveDate {
        time::local_date(self.clock.now())
    }
}

/// Forms carry text only (a pasted report percent-encodes to several hundred KB); uploads
/// get their own limit on their own route.
pub(crate) const FORM_BODY_LIMIT: usize = 2 * 1024 * 1024;

pub fn router(state: AppState) -> Router {
    let (pages, _) = pages::routes().into_parts();
    let (assets, _) = assets::routes().into_parts();
    pages
        .layer(middleware::from_fn_with_state(state.clone(), csrf::session_and_csrf))
        .layer(DefaultBodyLimit::max(FORM_BODY_LIMIT))
        .merge(assets)
        .fallback(pages::not_found)
        // A handler that panics answers a Chinese 500 page rather than dropping the connection.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(error::panic_page))
        .layer(middleware::from_fn_with_state(state.clone(), security::headers))
        .with_state(state)
}

/// Every route [`router`] serves, with its methods: what the authorisation tests walk.
#[doc(hidden)]
pub fn route_table() -> Vec<RouteInfo> {
    let (_, mut table) = pages::routes().into_parts();
    table.extend(assets::routes().into_parts().1);
    table
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let indexer = tokio::spawn(keep_index_in_step(state.clone()));
    // The peer's address feeds the per-address login throttle.
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let served = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
    indexer.abort();
    served
}

/// Between searches the index follows the audit log every few seconds, so a search right
/// after a burst of writes has little to take in first.
async fn keep_index_in_step(state: AppState) {
    const EVERY: std::time::Duration = std::time::Duration::from_secs(10);
    loop {
        if let Err(e) = state.search.catch_up(&*state.store).await {
            tracing::warn!("search index could not catch up: {e}");
        }
        tokio::time::sleep(EVERY).await;
    }
}
