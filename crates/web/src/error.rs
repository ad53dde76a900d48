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
    /// Refused for a reason the user should read (e.g. an account holding roles one may
    /// not grant).
    Denied(String),
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
            StoreError::Denied(m) => AppError::Denied(m),
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
            AppError::Denied(m) => (StatusCode::FORBIDDEN, "没有权限", format!("{m}。")),
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

/// What a handler that panicked answers (through `CatchPanicLayer`): the connection gets a
/// Chinese 500 page instead of being dropped. The panic's message goes to the log only; it
/// may carry data the user should not see.
pub(crate) fn panic_page(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(%detail, "a request handler panicked");
    let page = ErrorPage {
        status: 500,
        title: "服务器内部错误",
        message: "服务器内部错误，本次请求未能完成，已记录日志。请稍后重试，或联系管理员。".to_string(),
    };
    (StatusCode::INTERNAL_SERVER_ERROR, page).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    #[tokio::test]
    async fn a_panicking_handler_answers_a_chinese_500_page_without_the_panic_message() {
        let app = axum::Router::new()
            .route(
                "/boom",
                axum::routing::get(|| async {
                    if true {
                        panic!("secret detail 300000");
                    }
                    "unreachable"
                }),
            )
            .layer(tower_http::catch_panic::CatchPanicLayer::custom(panic_page));
        let res = app
            .oneshot(Request::get("/boom").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap();
        let page = String::from_utf8(body.to_vec()).unwrap();
        assert!(page.contains("服务器内部错误") && page.contains("联系管理员"), "{page}");
        assert!(!page.contains("secret detail"), "{page}");
    }
}
