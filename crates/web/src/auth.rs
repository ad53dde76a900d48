//! Who is asking, and over which units: every page handler takes an [`Auth`], built from the
//! session the CSRF layer loaded. Its `scope` is what the store is queried with.

use crate::AppState;
use crate::csrf::CurrentSession;
use crate::error::AppError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use shoutu_domain::{Action, Scope, User};

pub struct Auth {
    pub user: User,
    pub token_hash: String,
    pub csrf: String,
    /// The subtree the user is looking at now (their unit, or one below it they switched to).
    pub scope: Scope,
    /// The user's whole reach: their own unit's subtree.
    pub home: Scope,
}

impl Auth {
    pub fn require(&self, action: Action) -> Result<(), AppError> {
        if self.scope.permits(action) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn can(&self, action: Action) -> bool {
        self.scope.permits(action)
    }
}

pub const CHANGE_PASSWORD_PATH: &str = "/account/password";

impl FromRequestParts<AppState> for Auth {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, Self::Rejection> {
        let current = parts.extensions.get::<Option<CurrentSession>>().cloned().flatten();
        let Some(CurrentSession { token_hash, session }) = current else {
            return Err(to_login(parts));
        };
        let path = parts.uri.path();
        if session.user.must_change_password && path != CHANGE_PASSWORD_PATH && path != "/logout" {
            return Err(Redirect::to(CHANGE_PASSWORD_PATH).into_response());
        }
        let user = session.user;
        let actor_name = format!("{}（{}）", user.person_name, user.username);
        let home = Scope::new(user.unit_id, user.roles.clone(), Some(user.id), actor_name);
        let scope = home.narrowed_to(session.unit_id);
        Ok(Auth {
            user,
            token_hash,
            csrf: session.csrf_token,
            scope,
            home,
        })
    }
}

/// Back to the login page, coming back here afterwards. htmx requests are told to navigate
/// the whole page instead of swapping the login form into a fragment.
fn to_login(parts: &Parts) -> Response {
    let here = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let target = if here == "/" {
        "/login".to_string()
    } else {
        format!(
            "/login?next={}",
            form_urlencoded::byte_serialize(here.as_bytes()).collect::<String>()
        )
    };
    if parts.headers.contains_key("hx-request") {
        let mut res = StatusCode::UNAUTHORIZED.into_response();
        if let Ok(v) = HeaderValue::from_str(&target) {
            res.headers_mut().insert("hx-redirect", v);
        }
        return res;
    }
    Redirect::to(&target).into_response()
}

/// Only paths of this site may follow a login, never another host.
pub fn safe_next(next: Option<&str>) -> &str {
    next.and_then(crate::redirect::local_path).unwrap_or("/")
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn login_never_redirects_off_site() {
        assert_eq!(safe_next(Some("/people?page=2")), "/people?page=2");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
