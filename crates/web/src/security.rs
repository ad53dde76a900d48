//! Headers every response carries. Everything the pages need is served from this binary,
//! so the policy allows our own origin only.
//!
//! Pages are never cached (`Cache-Control: no-store`): they show one-time passwords, push
//! tokens, attachments and records of a scope, none of which may stay in a shared browser's
//! or proxy's cache. Only the static assets, which carry their own caching, are exempt.
//! Over HTTPS (Secure cookies) the browser is told to use nothing else (HSTS).

use crate::AppState;
use axum::extract::{Request, State};
use axum::http::header;
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// Where the embedded static files are served; they may be cached.
const ASSETS_PREFIX: &str = "/static/";

/// One year, the usual HSTS lifetime.
const HSTS: &str = "max-age=31536000";

/// Whether the browser speaks HTTPS to us: the operator says so (`--secure-cookies`), or the
/// TLS-terminating proxy does with `X-Forwarded-Proto: https`. Cookies are marked Secure and
/// HSTS is sent on the same condition.
pub(crate) fn is_secure(state: &AppState, headers: &HeaderMap) -> bool {
    state.config.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
}

pub async fn headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let secure = is_secure(&state, req.headers());
    let cacheable = req.uri().path().starts_with(ASSETS_PREFIX);
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !cacheable {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if secure {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    res
}
