//! Loads the session once per request and guards every state-changing request: it must come
//! from our own pages (Origin / Sec-Fetch-Site) and carry the session's CSRF token, either in
//! the `X-CSRF-Token` header (htmx) or in the form field `_csrf`. Before login there is no
//! session; the login form then carries the token of a short-lived cookie (double submit).

use crate::error::AppError;
use crate::{AppState, FORM_BODY_LIMIT};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use sha2::{Digest, Sha256};
use shoutu_store::Session;

pub const SESSION_COOKIE: &str = "shoutu_session";
pub const LOGIN_CSRF_COOKIE: &str = "shoutu_login_csrf";
pub const CSRF_FIELD: &str = "_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The signed-in session of this request, put into the request's extensions.
#[derive(Clone)]
pub struct CurrentSession {
    pub token_hash: String,
    pub session: Session,
}

/// 256 random bits, hex-encoded.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system has no random source");
    hex::encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub async fn session_and_csrf(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let jar = CookieJar::from_headers(req.headers());
    let current = match jar.get(SESSION_COOKIE) {
        Some(cookie) => {
            let hash = token_hash(cookie.value());
            match state.store.session(&hash).await {
                Ok(found) => found.map(|session| CurrentSession {
                    token_hash: hash,
                    session,
                }),
                Err(e) => return AppError::from(e).into_response(),
            }
        }
        None => None,
    };
    let mut req = if changes_state(req.method()) && !is_token_push(&req, &jar) {
        let expected = match &current {
            Some(c) => Some(c.session.csrf_token.clone()),
            None => jar.get(LOGIN_CSRF_COOKIE).map(|c| c.value().to_string()),
        };
        match check(req, expected).await {
            Ok(req) => req,
            Err(e) => return e.into_response(),
        }
    } else {
        req
    };
    req.extensions_mut().insert(current);
    next.run(req).await
}

/// The one exemption: the 舆情 push endpoint, called by a monitoring system with its source
/// token in the `Authorization` header and no session cookie. Without a session there is
/// nothing for a forged cross-site request to ride on, and a browser form cannot set that
/// header; a request that does carry a session cookie is checked like any other.
fn is_token_push(req: &Request, jar: &CookieJar) -> bool {
    req.method() == Method::POST
        && req.uri().path() == crate::pages::opinion::push::PATH
        && jar.get(SESSION_COOKIE).is_none()
        && crate::pages::opinion::push::bearer(req.headers()).is_some()
}

fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

async fn check(req: Request, expected: Option<String>) -> Result<Request, AppError> {
    if is_cross_site(req.headers()) {
        return Err(AppError::Csrf);
    }
    let Some(expected) = expected.filter(|t| !t.is_empty()) else {
        return Err(AppError::Csrf);
    };
    if let Some(sent) = req.headers().get(CSRF_HEADER) {
        return if same(sent.as_bytes(), expected.as_bytes()) {
            Ok(req)
        } else {
            Err(AppError::Csrf)
        };
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // An upload form cannot set a header and its body is too large to read twice, so it
    // carries the token in its action URL.
    if content_type.starts_with("multipart/form-data") {
        let sent = req
            .uri()
            .query()
            .and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == CSRF_FIELD))
            .map(|(_, v)| v.into_owned());
        return match sent {
            Some(sent) if same(sent.as_bytes(), expected.as_bytes()) => Ok(req),
            _ => Err(AppError::Csrf),
        };
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Err(AppError::Csrf);
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, FORM_BODY_LIMIT)
        .await
        .map_err(|_| AppError::BadRequest("提交的表单过大".into()))?;
    let sent = form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == CSRF_FIELD)
        .map(|(_, v)| v.into_owned());
    match sent {
        Some(sent) if same(sent.as_bytes(), expected.as_bytes()) => Ok(Request::from_parts(parts, Body::from(bytes))),
        _ => Err(AppError::Csrf),
    }
}

/// Browsers say where a request comes from; on a plain-HTTP intranet `Sec-Fetch-Site` may be
/// missing, so the Origin is compared with the Host as a second line.
fn is_cross_site(headers: &HeaderMap) -> bool {
    if headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "cross-site" || v == "same-site")
    {
        return true;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let origin_host = origin.split("://").nth(1).unwrap_or("");
    origin == "null" || origin_host != host
}

/// Compares in time independent of where the first difference lies.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn foreign_origins_are_cross_site() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("10.1.2.3:8080"));
        assert!(!is_cross_site(&h));
        h.insert(header::ORIGIN, HeaderValue::from_static("http://10.1.2.3:8080"));
        assert!(!is_cross_site(&h));
        h.insert(header::ORIGIN, HeaderValue::from_static("http://evil.example"));
        assert!(is_cross_site(&h));
        let mut h = HeaderMap::new();
        h.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(is_cross_site(&h));
    }

    #[test]
    fn tokens_compare_exactly() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"abcd"));
    }
}
