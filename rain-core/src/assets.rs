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

    mod properties {
        use std::path::{Component, Path};

        use proptest::prelude::*;

        use super::*;

        /// Strings dense in what path checks get wrong: separators, dots, NUL, backslashes.
        fn tricky_path() -> impl Strategy<Value = String> {
            proptest::collection::vec(
                prop_oneof![
                    Just("/".to_owned()),
                    Just(".".to_owned()),
                    Just("..".to_owned()),
                    Just("\\".to_owned()),
                    Just("\0".to_owned()),
                    Just("%2e".to_owned()),
                    Just(":".to_owned()),
                    "[a-zé_-]{1,3}",
                ],
                0..12,
            )
            .prop_map(|parts| parts.concat())
        }

        fn plain_path() -> impl Strategy<Value = String> {
            proptest::collection::vec("[a-zA-Z0-9_-]{1,8}(\\.[a-z]{1,4})?", 1..6)
                .prop_map(|segments| segments.join("/"))
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2_000))]

            /// Whatever passes stays inside the folder: joined to a root, every component is a
            /// plain name, so no `..`, root or prefix can lead out.
            #[test]
            fn what_passes_stays_inside(path in prop_oneof![tricky_path(), any::<String>()]) {
                if let Some(checked) = checked_path(&path) {
                    prop_assert_eq!(checked, path.as_str());
                    prop_assert!(!checked.contains(['\\', '\0']));
                    let joined = Path::new("/srv/component").join(checked);
                    let inside = joined.strip_prefix("/srv/component").unwrap();
                    prop_assert!(inside.components().all(|c| matches!(c, Component::Normal(_))));
                    prop_assert_eq!(inside.components().count(), checked.split('/').count());
                }
            }

            /// Plain relative paths always pass.
            #[test]
            fn plain_paths_always_pass(path in plain_path()) {
                prop_assert_eq!(checked_path(&path), Some(path.as_str()));
            }

            /// A plain path with a traversal segment spliced in anywhere is refused.
            #[test]
            fn traversal_anywhere_is_refused(
                path in plain_path(),
                at in any::<prop::sample::Index>(),
                bad in prop_oneof![Just(".."), Just("."), Just("")],
            ) {
                let mut segments: Vec<&str> = path.split('/').collect();
                segments.insert(at.index(segments.len() + 1), bad);
                let spliced = segments.join("/");
                prop_assert_eq!(checked_path(&spliced), None);
            }
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
