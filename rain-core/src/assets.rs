//! Serving embedded files: path checks, content types, validators and cache headers.

use std::borrow::Cow;

use axum::{
    body::Body,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

/// Checks a request path against the folder it addresses and returns it when it stays inside.
///
/// Only plain relative paths pass: no empty, `.` or `..` segment, no backslash, no NUL, no leading
/// `/`. Everything else is answered 404 before any file is looked up.
pub(crate) fn checked_path(path: &str) -> Option<&str> {
    let plain = !path.is_empty()
        && !path.contains(['\\', '\0'])
        && path
            .split('/')
            .all(|segment| !matches!(segment, "" | "." | ".."));
    plain.then_some(path)
}

/// A file ready to be served: its bytes, content type and entity tag.
pub(crate) struct Asset {
    pub(crate) bytes: Cow<'static, [u8]>,
    pub(crate) content_type: String,
    pub(crate) etag: String,
}

impl Asset {
    /// An asset whose type comes from its path's extension.
    pub(crate) fn new(path: &str, bytes: Cow<'static, [u8]>, hash: [u8; 32]) -> Self {
        let content_type = content_type(path);
        let etag = format!("\"{}\"", hex(&hash[..16]));
        Self {
            bytes,
            content_type,
            etag,
        }
    }

    /// From a file of a component's folder.
    pub(crate) fn embedded(path: &str, file: rust_embed::EmbeddedFile) -> Self {
        Self::new(path, file.data, file.metadata.sha256_hash())
    }

    /// Answers a GET: `304` when the client's copy is current, the file otherwise.
    ///
    /// Files are revalidated on every use (`no-cache`): they change with each build of the app
    /// and carry no version in their URLs, so caching them blindly would serve stale controllers.
    pub(crate) fn respond(&self, request: &HeaderMap) -> Response {
        let etag = HeaderValue::from_str(&self.etag).expect("hex entity tags are valid headers");
        let fresh = request
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|tags| {
                tags.split(',')
                    .any(|t| t.trim() == self.etag || t.trim() == "*")
            });
        let mut response = if fresh {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            // Release builds embed files as `&'static` bytes: serve those without copying.
            let body = match &self.bytes {
                Cow::Borrowed(bytes) => Body::from(*bytes),
                Cow::Owned(bytes) => Body::from(bytes.clone()),
            };
            let mut response = Response::new(body);
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_str(&self.content_type)
                    .unwrap_or(HeaderValue::from_static("application/octet-stream")),
            );
            response
        };
        let headers = response.headers_mut();
        headers.insert(header::ETAG, etag);
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        response
    }
}

/// The content type of a path, with `charset=utf-8` on text types.
pub(crate) fn content_type(path: &str) -> String {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    // `.mjs`, `.ts` and `.d.ts` are guessed inconsistently across platforms' mime tables.
    let essence = match path.rsplit('.').next() {
        Some("js" | "mjs") => "text/javascript",
        Some("ts") => "application/typescript",
        _ => mime.essence_str(),
    };
    let textual = essence.starts_with("text/")
        || matches!(
            essence,
            "application/json" | "application/typescript" | "image/svg+xml"
        );
    if textual {
        format!("{essence}; charset=utf-8")
    } else {
        essence.to_owned()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paths_pass() {
        for path in [
            "client/index.js",
            "views/index.html",
            "a.css",
            "deep/er/file.txt",
        ] {
            assert_eq!(checked_path(path), Some(path));
        }
    }

    #[test]
    fn traversal_and_odd_paths_are_refused() {
        for path in [
            "",
            "/etc/passwd",
            "../Cargo.toml",
            "a/../../b",
            "a/./b",
            "a//b",
            "a/",
            ".",
            "..",
            "a\\..\\b",
            "a\0b",
        ] {
            assert_eq!(checked_path(path), None, "{path:?}");
        }
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("a.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("a.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("a.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("a.png"), "image/png");
        assert_eq!(
            content_type("runtime.d.ts"),
            "application/typescript; charset=utf-8"
        );
        assert_eq!(content_type("noext"), "application/octet-stream");
    }
}
