//! One error type for every handler. Users see a short Chinese page that says what went
//! wrong and what to do; internals go to the log only.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use shoutu_store::StoreError;

#[derive(Debug)]
pub enum AppError {
    /// Malformed input that no form re-render can help with (a bad id in a URL, say).
    BadRequest(String),
    Forbidden,
    NotFound,
    /// A state-changing request without a valid CSRF token or from another site.
    Csrf,
    Internal(String),
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    title: &'static str,
    message: String,
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Forbidden => AppError::Forbidden,
            StoreError::Invalid(f) | StoreError::Conflict(f) => AppError::BadRequest(f.to_string()),
            StoreError::Database(e) => AppError::Internal(e.to_string()),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, title, message) = match self {
            AppError::BadRequest(m) => (StatusCode::BAD_REQUEST, "请求有误", m),
            AppError::Forbidden => (
                StatusCode::FORBIDDEN,
                "没有权限",
                "您的角色不能执行此操作。如需办理，请联系本单位管理员。".to_string(),
            ),
            AppError::NotFound => (
                StatusCode::NOT_FOUND,
                "未找到",
                "您要找的页面或记录不存在，或不在您的管辖范围内。".to_string(),
            ),
            AppError::Csrf => (
                StatusCode::FORBIDDEN,
                "请求未通过安全校验",
                "表单缺少有效的安全令牌，或来自其他网站。请刷新页面后重新提交。".to_string(),
            ),
            AppError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "系统出错",
                    "服务器处理请求时出错，已记录日志。请稍后重试，或联系系统管理员。".to_string(),
                )
            }
        };
        let page = ErrorPage {
            status: status.as_u16(),
            title,
            message,
        };
        (status, page).into_response()
    }
}
