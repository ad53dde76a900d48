//! 全文检索: one box over every record, attachment text and report of the user's subtree.
//!
//! Before answering, the index takes any audit entries newer than its cursor, so a record
//! saved a moment ago is found; a background task keeps it close behind between searches.

use crate::AppState;
use crate::auth::Auth;
use crate::chrome::{Chrome, Nav, chrome};
use crate::error::AppError;
use crate::extract::Query;
use crate::pages::{Pager, query_string};
use crate::routes::Routes;
use crate::routes::get;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use serde::Deserialize;
use shoutu_domain::Action;
use shoutu_report::search::{SearchRequest, Segment};
use std::collections::HashMap;

const PER_PAGE: usize = 20;
/// Longer queries are cut: nobody types more, and every word becomes a clause.
const MAX_QUERY_CHARS: usize = 100;

pub(crate) fn routes() -> Routes {
    Routes::new().route("/search", get(page))
}

#[derive(Deserialize)]
pub(crate) struct SearchQuery {
    q: Option<String>,
    kind: Option<String>,
    page: Option<String>,
}

pub(crate) struct Row {
    kind_label: String,
    title: Vec<Segment>,
    snippet: Vec<Segment>,
    href: Option<String>,
    /// For an attachment: what it is attached to.
    context: String,
    unit: String,
    /// The record's own date, else when it last changed.
    when: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "search/results.html")]
pub(crate) struct SearchPage {
    chrome: Chrome,
    q: String,
    kind: String,
    kinds: Vec<(&'static str, &'static str)>,
    rows: Vec<Row>,
    /// (label, count, link) per record kind among the matches.
    by_kind: Vec<(String, usize, String)>,
    pager: Option<Pager>,
    /// The index could not take the newest records; results may miss them.
    stale: bool,
}

pub async fn page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<SearchQuery>,
) -> Result<SearchPage, AppError> {
    auth.require(Action::Read)?;
    let text: String =
        q.q.as_deref()
            .unwrap_or("")
            .trim()
            .chars()
            .take(MAX_QUERY_CHARS)
            .collect();
    let kind = q.kind.clone().unwrap_or_default();
    let page = crate::extract::opt_page(q.page.as_deref())?.unwrap_or(1);
    let mut stale = false;
    let mut rows = Vec::new();
    let mut by_kind = Vec::new();
    let mut pager = None;
    if !text.is_empty() {
        if let Err(e) = state.search.catch_up(&*state.store).await {
            tracing::warn!("search index could not catch up: {e}");
            stale = true;
        }
        let units = state.store.unit_tree(&auth.scope).await?;
        let ids: Vec<i64> = units.iter().map(|u| u.id.0).collect();
        let names: HashMap<i64, &str> = units.iter().map(|u| (u.id.0, u.name.as_str())).collect();
        let hits = state
            .search
            .search(&SearchRequest {
                text: &text,
                units: &ids,
                kind: Some(kind.as_str()).filter(|k| !k.is_empty()),
                offset: (page as usize - 1) * PER_PAGE,
                limit: PER_PAGE,
            })
            .map_err(|e| AppError::Internal(e.to_string()))?;
        for hit in &hits.hits {
            if !shown_to(&state, &auth, hit).await? {
                continue;
            }
            let id: i64 = hit.id.parse().unwrap_or_default();
            let (href, context) = match &hit.parent {
                Some((parent_kind, parent_id)) => (
                    crate::record_link::href(parent_kind, *parent_id)
                        .or_else(|| crate::record_link::href("attachment", id)),
                    format!(
                        "{} #{parent_id} 的附件",
                        shoutu_domain::audit::record_type_label(parent_kind)
                    ),
                ),
                None => (crate::record_link::href(&hit.kind, id), String::new()),
            };
            rows.push(Row {
                kind_label: hit.kind_label().to_string(),
                title: hit.title.clone(),
                snippet: hit.snippet.clone(),
                href,
                context,
                unit: names.get(&hit.unit_id).map_or_else(String::new, |n| n.to_string()),
                when: match &hit.date {
                    Some(d) => format!("日期 {d}"),
                    None => format!(
                        "更新于 {}",
                        crate::time::local_text(&hit.at).chars().take(10).collect::<String>()
                    ),
                },
            });
        }
        by_kind = hits
            .by_kind
            .iter()
            .map(|(code, n)| {
                (
                    shoutu_domain::audit::record_type_label(code).to_string(),
                    *n,
                    format!("/search?{}", query_string(&[("q", &text), ("kind", code)])),
                )
            })
            .collect();
        let base = query_string(&[("q", &text), ("kind", &kind)]);
        pager = Some(Pager::new(
            &shoutu_domain::Page {
                items: Vec::<()>::new(),
                total: hits.total as i64,
                page,
                per_page: PER_PAGE as i64,
            },
            &base,
        ));
    }
    Ok(SearchPage {
        chrome: chrome(&state, &auth, Nav::Search, "全文检索").await?,
        q: text,
        kind,
        kinds: shoutu_domain::audit::RECORD_TYPES
            .iter()
            .copied()
            .filter(|(code, _)| *code != "user")
            .collect(),
        rows,
        by_kind,
        pager,
        stale,
    })
}

/// Records about a unit but not for it (an unannounced inspection before its visit, an
/// assessor's scores and evidence) are indexed under the unit they are for, but entries
/// written before that rule still carry the unit they are about. A hit of such a kind is
/// shown only when the store, which holds the visibility rules, shows the record itself.
async fn shown_to(state: &AppState, auth: &Auth, hit: &shoutu_report::search::Hit) -> Result<bool, AppError> {
    let Ok(id) = hit.id.parse::<i64>() else {
        return Ok(false);
    };
    let scope = &auth.scope;
    let found = match hit.kind.as_str() {
        "inspection" => state.store.inspection(scope, id).await.map(|_| ()),
        "inspection_finding" => state.store.finding_inspection(scope, id).await.map(|_| ()),
        "assessment_score" | "assessment_round" => state.store.round(scope, id).await.map(|_| ()),
        "attachment" => state
            .store
            .attachment(scope, shoutu_domain::attachment::AttachmentId(id))
            .await
            .map(|_| ()),
        _ => return Ok(true),
    };
    match found {
        Ok(()) => Ok(true),
        Err(shoutu_store::StoreError::NotFound | shoutu_store::StoreError::Forbidden) => Ok(false),
        Err(e) => Err(e.into()),
    }
}
