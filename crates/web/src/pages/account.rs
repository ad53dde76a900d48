//! Users change their own password (and must, after a one-time password). A change ends
//! every session of the account, other browsers included, and gives this browser a new one.

use crate::AppState;
use crate::auth::Auth;
use crate::chrome::{Chrome, Nav, chrome};
use crate::csrf::{SESSION_COOKIE, random_token, token_hash};
use crate::error::AppError;
use crate::extract::Form;
use crate::pages::login;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use shoutu_domain::password;
use shoutu_store::NewSession;

#[derive(Template, WebTemplate)]
#[template(path = "account_password.html")]
pub(crate) struct PasswordPage {
    chrome: Chrome,
    forced: bool,
    error: Option<String>,
    done: bool,
}

pub async fn form(State(state): State<AppState>, auth: Auth) -> Result<PasswordPage, AppError> {
    Ok(PasswordPage {
        chrome: chrome(&state, &auth, Nav::Account, "修改密码").await?,
        forced: auth.user.must_change_password,
        error: None,
        done: false,
    })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

pub async fn submit(
    State(state): State<AppState>,
    mut auth: Auth,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let problem = check(&state, &auth, &form).await?;
    if let Some(message) = problem {
        let page = PasswordPage {
            chrome: chrome(&state, &auth, Nav::Account, "修改密码").await?,
            forced: auth.user.must_change_password,
            error: Some(message),
            done: false,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let new = form.new.clone();
    let hash = tokio::task::spawn_blocking(move || password::hash(&new))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    // A fresh session for this browser, in the unit it was looking at; every other ends.
    let token = random_token();
    let session = NewSession {
        token_hash: token_hash(&token),
        user_id: auth.user.id,
        csrf_token: random_token(),
        unit_id: auth.scope.root,
        expires_at: state.clock.now() + chrono::Duration::hours(state.config.session_hours),
    };
    state
        .store
        .change_own_password(&auth.home, &hash, session.clone())
        .await?;
    auth.token_hash = session.token_hash;
    auth.csrf = session.csrf_token;
    auth.user.must_change_password = false;
    let jar = jar.add(login::cookie(SESSION_COOKIE, token, login::secure(&state, &headers)));
    let page = PasswordPage {
        chrome: chrome(&state, &auth, Nav::Account, "修改密码").await?,
        forced: false,
        error: None,
        done: true,
    };
    Ok((jar, page).into_response())
}

/// What is wrong with the form, in words for the user; `None` when it may be saved.
async fn check(state: &AppState, auth: &Auth, form: &PasswordForm) -> Result<Option<String>, AppError> {
    let account = state
        .store
        .login_account(&auth.user.username)
        .await?
        .ok_or(AppError::NotFound)?;
    let current = form.current.clone();
    let ok = tokio::task::spawn_blocking(move || password::verify(&current, &account.password_hash))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    if !ok {
        return Ok(Some("「当前密码」不正确。".into()));
    }
    if let Err(e) = password::check_strength(&form.new) {
        return Ok(Some(format!("{e}。")));
    }
    if form.new != form.confirm {
        return Ok(Some("两次输入的新密码不一致。".into()));
    }
    if form.new == form.current {
        return Ok(Some("新密码不能与当前密码相同。".into()));
    }
    Ok(None)
}
