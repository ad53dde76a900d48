//! Signing in and out. Passwords are checked with argon2 off the async threads; five wrong
//! passwords in a row (configurable) lock the account for a while, and each client address
//! may make only so many unsuccessful attempts (`crate::throttle`).
//!
//! A refused login says the same for an unknown username, a wrong password and a locked
//! account, and takes as long: an unknown or locked account is checked against a dummy hash.
//! Every attempt on an account is counted before its password is checked, in the statement
//! that also decides the lock, so parallel guesses cannot slip past the count.

use crate::AppState;
use crate::auth::safe_next;
use crate::csrf::{LOGIN_CSRF_COOKIE, SESSION_COOKIE, random_token, token_hash};
use crate::error::AppError;
use crate::extract::{Form, Query};
use crate::throttle::ClientAddr;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;
use shoutu_domain::password;
use shoutu_store::NewSession;

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
pub(crate) struct LoginPage {
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
    version: &'static str,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub(crate) fn cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((name, value))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .path("/")
        .build()
}

/// Secure cookies when configured, or when a TLS proxy says the browser speaks HTTPS.
pub(crate) fn secure(state: &AppState, headers: &HeaderMap) -> bool {
    crate::security::is_secure(state, headers)
}

/// The one answer to a refused login, whatever the reason: it must not tell an unknown
/// username from a wrong password or a locked account.
pub(crate) fn refused_message(state: &AppState) -> String {
    format!(
        "用户名或密码错误，或账号已被锁定。连续输错 {} 次后账号将锁定 {} 分钟；如需帮助请联系本单位管理员。",
        state.config.lockout_threshold, state.config.lockout_minutes
    )
}

pub async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    Query(q): Query<NextQuery>,
) -> Response {
    let token = jar
        .get(LOGIN_CSRF_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|v| v.len() == 64)
        .unwrap_or_else(random_token);
    let jar = jar.add(cookie(LOGIN_CSRF_COOKIE, token.clone(), secure(&state, &headers)));
    // The dummy hash is made once, ahead of the first refused login, so that the first answer
    // about an unknown username takes no longer than any other.
    tokio::task::spawn_blocking(|| std::sync::LazyLock::force(&DUMMY_HASH).len());
    let page = LoginPage {
        csrf: token,
        next: safe_next(q.next.as_deref()).to_string(),
        username: String::new(),
        error: None,
        version: crate::assets::VERSION,
    };
    (jar, page).into_response()
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

/// A hash of a password nobody has, verified when the username is unknown, so that the answer
/// takes as long as for a real account.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| password::hash(&random_token()).expect("argon2 hashes a random token"));

pub async fn submit(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let refuse = |status: StatusCode, message: String| {
        let page = LoginPage {
            csrf: form.csrf.clone(),
            next: safe_next(Some(&form.next)).to_string(),
            username: form.username.clone(),
            error: Some(message),
            version: crate::assets::VERSION,
        };
        Ok((status, page).into_response())
    };
    if form.username.trim().is_empty() || form.password.is_empty() {
        return refuse(StatusCode::UNAUTHORIZED, "请输入用户名和密码。".into());
    }
    if let Err(wait) = state.login_throttle.try_acquire(addr, std::time::Instant::now()) {
        let minutes = wait.as_secs().div_ceil(60).max(1);
        tracing::warn!(%addr, "login attempts from this address throttled");
        let mut res = refuse(
            StatusCode::TOO_MANY_REQUESTS,
            format!("此网络地址的登录尝试过于频繁，请 {minutes} 分钟后再试。如需帮助请联系本单位管理员。"),
        )?;
        if let Ok(v) = axum::http::HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
            res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
        }
        return Ok(res);
    }
    let account = state.store.login_account(&form.username).await?;
    let now = state.clock.now();
    // Counted (and the lock decided) before the password is looked at.
    let open = match &account {
        Some(a) => {
            let counted = state
                .store
                .count_login_attempt(
                    a.user.id,
                    state.config.lockout_threshold,
                    chrono::Duration::minutes(state.config.lockout_minutes),
                )
                .await?;
            counted.locked_until.is_none_or(|t| t <= now)
        }
        None => false,
    };
    let stored_hash = match &account {
        Some(a) if open => a.password_hash.clone(),
        _ => DUMMY_HASH.clone(),
    };
    let typed = form.password.clone();
    let password_ok = tokio::task::spawn_blocking(move || password::verify(&typed, &stored_hash))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let account = match account {
        Some(a) if open && password_ok => a,
        Some(a) => {
            if open {
                state
                    .store
                    .record_login_failure(
                        a.user.id,
                        state.config.lockout_threshold,
                        chrono::Duration::minutes(state.config.lockout_minutes),
                    )
                    .await?;
            }
            return refuse(StatusCode::UNAUTHORIZED, refused_message(&state));
        }
        None => return refuse(StatusCode::UNAUTHORIZED, refused_message(&state)),
    };
    state.login_throttle.forgive(addr);
    let token = random_token();
    let session = NewSession {
        token_hash: token_hash(&token),
        user_id: account.user.id,
        csrf_token: random_token(),
        unit_id: account.user.unit_id,
        expires_at: now + chrono::Duration::hours(state.config.session_hours),
    };
    state.store.record_login_success(account.user.id, session).await?;
    let jar = jar.remove(Cookie::build(LOGIN_CSRF_COOKIE).path("/")).add(cookie(
        SESSION_COOKIE,
        token,
        secure(&state, &headers),
    ));
    let to = if account.user.must_change_password {
        crate::auth::CHANGE_PASSWORD_PATH
    } else {
        safe_next(Some(&form.next))
    };
    Ok((jar, Redirect::to(to)).into_response())
}

pub async fn logout(State(state): State<AppState>, jar: CookieJar) -> Result<Response, AppError> {
    if let Some(c) = jar.get(SESSION_COOKIE) {
        state.store.end_session(&token_hash(c.value())).await?;
    }
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
    Ok((jar, Redirect::to("/login")).into_response())
}
