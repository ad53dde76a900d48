//! Users change their own password (and must, after a one-time password).

use crate::AppState;
use crate::auth::Auth;
use crate::chrome::{Chrome, Nav, chrome};
use crate::error::AppError;
use crate::extract::Form;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shoutu_domain::password;

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
    auth: Auth,
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
    state.store.set_password(&auth.home, auth.user.id, &hash, false).await?;
    let page = PasswordPage {
        chrome: chrome(&state, &auth, Nav::Account, "修改密码").await?,
        forced: false,
        error: None,
        done: true,
    };
    Ok(page.into_response())
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
