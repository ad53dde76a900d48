//! Signing in and out. Passwords are checked with argon2 off the async threads; five wrong
//! passwords in a row (configurable) lock the account for a while.

use crate::AppState;
use crate::auth::safe_next;
use crate::csrf::{LOGIN_CSRF_COOKIE, SESSION_COOKIE, random_token, token_hash};
use crate::error::AppError;
use crate::extract::{Form, Query};
use crate::time;
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

fn cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((name, value))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .path("/")
        .build()
}

/// Secure cookies when configured, or when a TLS proxy says the browser speaks HTTPS.
fn secure(state: &AppState, headers: &HeaderMap) -> bool {
    state.config.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
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
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let refuse = |message: String| {
        let page = LoginPage {
            csrf: form.csrf.clone(),
            next: safe_next(Some(&form.next)).to_string(),
            username: form.username.clone(),
            error: Some(message),
            version: crate::assets::VERSION,
        };
        Ok((StatusCode::UNAUTHORIZED, page).into_response())
    };
    if form.username.trim().is_empty() || form.password.is_empty() {
        return refuse("请输入用户名和密码。".into());
    }
    let account = state.store.login_account(&form.username).await?;
    let stored_hash = account
        .as_ref()
        .map_or_else(|| DUMMY_HASH.clone(), |a| a.password_hash.clone());
    let typed = form.password.clone();
    let password_ok = tokio::task::spawn_blocking(move || password::verify(&typed, &stored_hash))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let Some(account) = account else {
        return refuse("用户名或密码错误。".into());
    };
    let now = state.clock.now();
    if let Some(until) = account.user.locked_until.filter(|t| *t > now) {
        return refuse(format!(
            "该账号已被锁定，请于 {} 后再试，或请管理员解锁。",
            time::local(until)
        ));
    }
    if !password_ok {
        let threshold = state.config.lockout_threshold;
        let failure = state
            .store
            .record_login_failure(
                account.user.id,
                threshold,
                chrono::Duration::minutes(state.config.lockout_minutes),
            )
            .await?;
        return match failure.locked_until {
            Some(until) => refuse(format!(
                "密码连续错误 {threshold} 次，账号已锁定至 {}。",
                time::local(until)
            )),
            None => refuse(format!(
                "用户名或密码错误。再错 {} 次账号将被锁定 {} 分钟。",
                threshold - failure.failed_logins,
                state.config.lockout_minutes
            )),
        };
    }
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
