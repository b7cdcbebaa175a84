//! The browser runtime: the plain JavaScript modules of `src/client/`, served as they are.

use axum::{
    extract::Path,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};

use crate::assets::{Asset, checked_path};

#[derive(rust_embed::RustEmbed)]
#[folder = "src/client/"]
struct RuntimeFiles;

/// `GET /rain/{file}`: one module of the runtime (`runtime.js` is the entry).
pub(crate) async fn runtime_file(Path(file): Path<String>, headers: HeaderMap) -> Response {
    match checked_path(&file).and_then(RuntimeFiles::get) {
        Some(found) => Asset::embedded(&file, found).respond(&headers),
        None => (StatusCode::NOT_FOUND, "no such runtime file").into_response(),
    }
}
