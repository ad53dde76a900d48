//! 舆情 ingest, the one pipeline behind the push endpoint, `shoutu ingest`, the demo and the
//! benchmark: the text engines screen and group posts, the store writes them batch by batch.
//!
//! A source's posts are matched only against the schemes of its own unit and the units
//! above and below it (see `OpinionStore::watching_units`): an event or alert of a unit on
//! another branch would show that unit posts from outside its reach.
//!
//! Screening (normalising and matching against every scheme) is the costly part and needs
//! only the compiled rules, so the next chunk is screened on a blocking thread while the
//! current one is grouped and written. Grouping stays in arrival order, one chunk at a time,
//! because a post can join an event that the chunk before it started.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use shoutu_domain::opinion::{DeadlinePolicy, Incident, Post, RiskStatus, SchemeSnapshot, SeverityConfig};
use shoutu_domain::{Clock, Scope};
use shoutu_store::{INGEST_CHUNK, IngestSummary, Source, Store, StoreError};
use shoutu_text::monitor::{Grouper, Matcher, ScreenedChunk, Watch, risk_point_for};

/// Compiled schemes and the grouper of one database; one per process.
pub struct Monitor {
    clock: Arc<dyn Clock>,
    engine: tokio::sync::Mutex<Option<Engine>>,
}

struct Engine {
    matcher: Arc<Matcher>,
    grouper: Grouper,
}

impl std::fmt::Debug for Monitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Monitor")
    }
}

impl Monitor {
    pub fn new(clock: Arc<dyn Clock>) -> Monitor {
        Monitor {
            clock,
            engine: tokio::sync::Mutex::new(None),
        }
    }

    /// Ingests posts from one source: re-ingested posts change nothing; matched posts are
    /// grouped into events, which are levelled and may raise alerts. `progress` is told
    /// how many posts each written chunk held. A chunk that fails leaves the chunks
    /// before it stored. The store checks with every chunk that the source lies in the
    /// scope; the caller has read it already (by name, id or token).
    pub async fn ingest(
        &self,
        store: &dyn Store,
        scope: &Scope,
        source: &Source,
        posts: Vec<Post>,
        severity: &SeverityConfig,
        mut progress: impl FnMut(usize),
    ) -> Result<IngestSummary, StoreError> {
        let mut guard = self.engine.lock().await;
        let mut engine = self.prepared(store, scope, guard.take()).await?;
        let watching = store.watching_units(scope, source.id).await?;
        let watch = Arc::new(engine.matcher.watch(&watching));
        let now = self.clock.now();
        let mut chunks = chunked(posts);
        let mut summary = IngestSummary::default();
        let mut next = chunks
            .next()
            .map(|c| screen(&engine.matcher, &watch, &source.name, c, now));
        while let Some(screening) = next.take() {
            let screened = screening.await.expect("screening does not panic");
            next = chunks
                .next()
                .map(|c| screen(&engine.matcher, &watch, &source.name, c, now));
            let posts = screened.len();
            let known = store.known_post_keys(scope, &screened.matched_keys()).await?;
            let (batch, pending) = engine.grouper.batch(&engine.matcher, source.id, screened, &known);
            // On failure the engine is dropped with the guard left empty: the grouper saw
            // posts the database did not keep, so the next ingest rebuilds it from the
            // database.
            let written = store.write_ingest_batch(scope, batch, severity).await?;
            engine.grouper.confirm(pending, &written.new_event_ids);
            summary.add(written.summary);
            progress(posts);
        }
        *guard = Some(engine);
        Ok(summary)
    }

    /// The engine brought up to date with the stored schemes; after a restart (no engine
    /// yet) the grouper is rebuilt from the recent posts of stored events.
    async fn prepared(&self, store: &dyn Store, scope: &Scope, engine: Option<Engine>) -> Result<Engine, StoreError> {
        let version = store.scheme_version(scope).await?;
        match engine {
            Some(e) if e.matcher.version() == version => Ok(e),
            Some(e) => Ok(Engine {
                matcher: Arc::new(compile(store.monitored_schemes(scope).await?).await),
                grouper: e.grouper,
            }),
            None => {
                let matcher = Arc::new(compile(store.monitored_schemes(scope).await?).await);
                let mut grouper = Grouper::new();
                for (event, unit, post) in store.replay_posts(scope, Grouper::window()).await? {
                    let at = post.published_at.unwrap_or_else(|| self.clock.now());
                    grouper.replay(event, unit, &post, at);
                }
                Ok(Engine { matcher, grouper })
            }
        }
    }
}

async fn compile(snapshot: SchemeSnapshot) -> Matcher {
    tokio::task::spawn_blocking(move || Matcher::compile(&snapshot))
        .await
        .expect("compiling does not panic")
}

fn screen(
    matcher: &Arc<Matcher>,
    watch: &Arc<Watch>,
    source: &str,
    chunk: Vec<Post>,
    now: DateTime<Utc>,
) -> tokio::task::JoinHandle<ScreenedChunk> {
    let (matcher, watch, source) = (matcher.clone(), watch.clone(), source.to_string());
    tokio::task::spawn_blocking(move || matcher.screen(&source, &watch, chunk, now))
}

fn chunked(posts: Vec<Post>) -> impl Iterator<Item = Vec<Post>> {
    let mut posts = posts.into_iter().peekable();
    std::iter::from_fn(move || {
        posts
            .peek()
            .is_some()
            .then(|| posts.by_ref().take(INGEST_CHUNK).collect())
    })
}

/// Opens the incident of an alert, linked to the open risk point of the alert's unit whose
/// keywords its headline names.
pub async fn open_incident_from_alert(
    store: &dyn Store,
    scope: &Scope,
    alert: i64,
    policy: &DeadlinePolicy,
    assignee: &str,
) -> Result<Incident, StoreError> {
    let found = store.alert(scope, alert).await?;
    let mut risks = store.risks(scope).await?;
    risks.retain(|r| r.unit_id == found.unit_id && r.status == RiskStatus::Open);
    // The oldest risk point wins when several fit.
    risks.sort_by_key(|r| r.id);
    let risk = risk_point_for(&found.headline, risks.iter().map(|r| (r.id, r.keywords.as_str())));
    store
        .open_incident_from_alert(scope, alert, policy, assignee, risk)
        .await
}
