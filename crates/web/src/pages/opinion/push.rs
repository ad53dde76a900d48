//! `POST /api/opinion/push`: a monitoring system pushes posts as JSON Lines or a JSON array,
//! authenticated by its source's token (`Authorization: Bearer …`). It carries no session
//! cookie, which is the only reason the CSRF layer lets it through (see `csrf.rs`).

use crate::AppState;
use crate::csrf::token_hash;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shoutu_domain::{Role, Scope};
use shoutu_text::monitor::{PostFormat, parse_posts};

pub const PATH: &str = "/api/opinion/push";
pub const BODY_LIMIT: usize = 32 * 1024 * 1024;

fn refuse(status: StatusCode, message: &str) -> Response {
    (status, Json(serde_json::json!({ "error": message }))).into_response()
}

/// The bearer token of a request, if it sends one.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// A JSON array becomes JSON Lines, so one reader (with its per-record reports) serves both;
/// record numbers in the report then count array elements.
fn as_json_lines(body: &[u8]) -> Result<Vec<u8>, String> {
    let start = body.iter().position(|b| !b.is_ascii_whitespace());
    if start.is_none_or(|i| body[i] != b'[') {
        return Ok(body.to_vec());
    }
    let items: Vec<serde_json::Value> =
        serde_json::from_slice(body).map_err(|e| format!("不是有效的 JSON 数组（第 {} 行附近）", e.line()))?;
    let mut out = Vec::new();
    for item in items {
        out.extend(serde_json::to_vec(&item).expect("a parsed value serialises"));
        out.push(b'\n');
    }
    Ok(out)
}

pub async fn push(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(token) = bearer(&headers) else {
        return refuse(StatusCode::UNAUTHORIZED, "缺少信息源令牌（Authorization: Bearer …）");
    };
    let source = match state.store.source_by_token(&token_hash(token)).await {
        Ok(Some(s)) => s,
        Ok(None) => return refuse(StatusCode::UNAUTHORIZED, "信息源令牌无效或已更换"),
        Err(e) => return crate::error::AppError::from(e).into_response(),
    };
    let lines = match as_json_lines(&body) {
        Ok(l) => l,
        Err(m) => return refuse(StatusCode::BAD_REQUEST, &m),
    };
    let report = match parse_posts(&lines, PostFormat::JsonLines, &source.name) {
        Ok(r) => r,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    // The source acts for its own unit, as a staff member would.
    let scope = Scope::new(
        source.unit_id,
        vec![Role::Staff],
        None,
        format!("信息源「{}」", source.name),
    );
    let summary = match state
        .monitor
        .ingest(
            &*state.store,
            &scope,
            &source,
            report.posts,
            &state.opinion_severity,
            |_| {},
        )
        .await
    {
        Ok(s) => s,
        Err(e) => return crate::error::AppError::from(e).into_response(),
    };
    send_webhooks(&summary.webhooks, &state.config.webhook_allow);
    Json(serde_json::json!({
        "new": summary.new,
        "duplicate": summary.duplicate,
        "matched": summary.matched,
        "events_new": summary.events_new,
        "events_updated": summary.events_updated,
        "alerts": summary.alerts.iter().map(|a| a.id).collect::<Vec<_>>(),
        "skipped": report.issues.iter().map(|i| i.to_string()).collect::<Vec<_>>(),
    }))
    .into_response()
}

/// Posts each alert to the unit's messaging bridge in the background; a bridge that is down
/// must not fail the ingest. Each address is checked again before it is called (see
/// [`crate::webhook`]); `allow` is the operator's `--webhook-allow` list.
pub fn send_webhooks(hooks: &[shoutu_store::Webhook], allow: &[crate::webhook::IpNet]) {
    let hooks = hooks.to_vec();
    let allow = allow.to_vec();
    if !hooks.is_empty() {
        tokio::spawn(async move { deliver_webhooks(&hooks, &allow).await });
    }
}

/// Posts each alert and waits; returns how many were delivered (for the command line,
/// which must not exit before they are sent).
pub async fn deliver_webhooks(hooks: &[shoutu_store::Webhook], allow: &[crate::webhook::IpNet]) -> usize {
    let mut delivered = 0;
    for hook in hooks {
        match crate::webhook::post_json(&hook.url, &hook.payload, allow).await {
            Ok(()) => delivered += 1,
            Err(e) => tracing::warn!(url = %hook.url.escape_debug(), error = %e, "webhook not delivered"),
        }
    }
    delivered
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays_become_lines_and_lines_stay() {
        let lines = as_json_lines(b" [{\"a\":1},{\"b\":2}]").unwrap();
        assert_eq!(String::from_utf8(lines).unwrap(), "{\"a\":1}\n{\"b\":2}\n");
        assert_eq!(as_json_lines(b"{\"a\":1}\n").unwrap(), b"{\"a\":1}\n");
        assert!(as_json_lines(b"[{").is_err());
        let mut h = HeaderMap::new();
        assert_eq!(bearer(&h), None);
        h.insert(header::AUTHORIZATION, "Bearer abc".parse().unwrap());
        assert_eq!(bearer(&h), Some("abc"));
    }
}
