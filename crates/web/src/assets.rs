//! Static files compiled into the binary: intranets have no CDN.

use crate::routes::Routes;
use crate::routes::get;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "assets/"]
struct Assets;

/// Appended to asset URLs so that a new binary's files are never served from an old cache.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub fn routes() -> Routes {
    Routes::new().route("/static/{*path}", get(asset))
}

async fn asset(Path(path): Path<String>) -> Response {
    match Assets::get(&path) {
        Some(file) => (
            [
                (header::CONTENT_TYPE, file.metadata.mimetype().to_string()),
                (header::CACHE_CONTROL, "public, max-age=86400".to_string()),
            ],
            file.data,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "未找到该静态文件").into_response(),
    }
}
