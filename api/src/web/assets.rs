//! The files the pages load, embedded at build time (see `api/build.rs`): GraphiQL and React from
//! their npm packages, and this crate's scripts and styles from `api/assets/`. Each is served at
//! `/assets/<name>.<hash of its content>.<ext>`, so it may be cached for good.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// One embedded file.
#[derive(Debug)]
pub(crate) struct Asset {
    /// Where it is served (`/assets/…`).
    pub(crate) path: &'static str,
    /// Its content type.
    pub(crate) content_type: &'static str,
    /// Whether it comes from a third-party package (not written here).
    pub(crate) vendored: bool,
    /// The bytes.
    pub(crate) bytes: &'static [u8],
}

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// `GET /assets/{file}`.
pub(crate) async fn serve(Path(file): Path<String>) -> Response {
    let Some(asset) = FILES.iter().find(|a| a.path.strip_prefix("/assets/") == Some(file.as_str())) else {
        return (StatusCode::NOT_FOUND, "no such asset").into_response();
    };
    let mut response = asset.bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    response
}

/// Every embedded file's path, content type and whether it is third-party (for tests and docs).
pub fn list() -> impl Iterator<Item = (&'static str, &'static str, bool)> {
    FILES.iter().map(|a| (a.path, a.content_type, a.vendored))
}
