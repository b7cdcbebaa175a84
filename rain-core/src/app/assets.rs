//! Serving embedded files: path checks, content types, validators and cache headers.

use std::{
    borrow::Cow,
    collections::HashMap,
    sync::{LazyLock, Mutex},
};

use axum::{
    body::{Body, Bytes},
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
    bytes: Bytes,
    content_type: String,
    hash: [u8; 32],
    etag: String,
}

impl Asset {
    /// An asset whose type comes from its path's extension; `hash` is the SHA-256 of `bytes`.
    pub(crate) fn new(path: &str, bytes: Cow<'static, [u8]>, hash: [u8; 32]) -> Self {
        let content_type = content_type(path);
        let etag = hex(&hash[..16]);
        // Release builds embed files as `&'static` bytes: serve those without copying.
        let bytes = match bytes {
            Cow::Borrowed(bytes) => Bytes::from_static(bytes),
            Cow::Owned(bytes) => Bytes::from(bytes),
        };
        Self {
            bytes,
            content_type,
            hash,
            etag,
        }
    }

    /// From a file of a component's folder.
    pub(crate) fn embedded(path: &str, file: rust_embed::EmbeddedFile) -> Self {
        Self::new(path, file.data, file.metadata.sha256_hash())
    }

    /// The bytes served to clients that do not take gzip.
    #[cfg(test)]
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Answers a GET: `304` when the client's copy is current, the file otherwise, gzipped when
    /// the client takes gzip and the file is text.
    ///
    /// Files are revalidated on every use (`no-cache`): they change with each build of the app
    /// and carry no version in their URLs, so caching them blindly would serve stale controllers.
    /// The gzipped file is another representation with its own entity tag, so that a cache never
    /// answers one with the other.
    pub(crate) fn respond(&self, request: &HeaderMap) -> Response {
        let compressible = is_compressible(&self.content_type);
        let gzipped = (compressible && accepts_gzip(request))
            .then(|| gzipped(&self.hash, &self.bytes))
            // Tiny files can come out larger.
            .filter(|gzipped| gzipped.len() < self.bytes.len());
        let etag = match gzipped {
            Some(_) => format!("\"{}-gzip\"", self.etag),
            None => format!("\"{}\"", self.etag),
        };
        let fresh = request
            .get_all(header::IF_NONE_MATCH)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|tags| tags.split(','))
            // `If-None-Match` compares weakly: `W/"x"` matches `"x"`.
            .map(|tag| tag.trim().trim_start_matches("W/"))
            .any(|tag| tag == etag || tag == "*");
        let mut response = if fresh {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            let mut response = Response::new(Body::from(
                gzipped.clone().unwrap_or_else(|| self.bytes.clone()),
            ));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_str(&self.content_type)
                    .unwrap_or(HeaderValue::from_static("application/octet-stream")),
            );
            if gzipped.is_some() {
                response
                    .headers_mut()
                    .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            }
            response
        };
        let headers = response.headers_mut();
        headers.insert(
            header::ETAG,
            HeaderValue::from_str(&etag).expect("hex entity tags are valid headers"),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        if compressible {
            headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
        response
    }
}

/// Text compresses; images, fonts and archives mostly are compressed already.
fn is_compressible(content_type: &str) -> bool {
    content_type.ends_with("charset=utf-8")
}

/// Whether the request's `Accept-Encoding` takes gzip at least as gladly as the file as it is.
///
/// Each coding may carry a weight, `gzip;q=0.5`; weight 0 refuses it, and `*` stands for the
/// codings not named. Without the header, nothing is compressed.
pub(crate) fn accepts_gzip(request: &HeaderMap) -> bool {
    let (mut gzip, mut identity, mut any) = (None, None, None);
    for value in request.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut params = item.split(';');
            let coding = params.next().unwrap_or_default().trim();
            let weight = params
                .find_map(|param| {
                    let (name, value) = param.split_once('=')?;
                    name.trim()
                        .eq_ignore_ascii_case("q")
                        .then(|| weight(value.trim()))
                })
                // An unreadable weight refuses rather than guesses.
                .unwrap_or(Some(1000))
                .unwrap_or(0);
            let slot =
                if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
                    &mut gzip
                } else if coding.eq_ignore_ascii_case("identity") {
                    &mut identity
                } else if coding == "*" {
                    &mut any
                } else {
                    continue;
                };
            *slot = Some(weight.max(slot.unwrap_or(0)));
        }
    }
    let gzip = gzip.or(any).unwrap_or(0);
    gzip > 0 && identity.is_none_or(|identity| gzip >= identity)
}

/// A weight, `q=0.5`, in thousandths: `0` to `1` with at most three decimals.
fn weight(text: &str) -> Option<u16> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    let valid = matches!(int, "0" | "1")
        && frac.len() <= 3
        && frac.bytes().all(|b| b.is_ascii_digit())
        && (int == "0" || frac.bytes().all(|b| b == b'0'));
    if !valid {
        return None;
    }
    let thousandths: u16 = format!("{frac:0<3}").parse().ok()?;
    Some(if int == "1" { 1000 } else { thousandths })
}

/// Gzipped files by the SHA-256 of their bytes, so that each is compressed once per process
/// (debug builds read files from disk on each request: a changed file gets a new entry).
static GZIPPED: LazyLock<Mutex<HashMap<[u8; 32], Bytes>>> = LazyLock::new(Default::default);

/// Entries kept at most, against a process that serves ever-changing files in development.
const GZIPPED_ENTRIES: usize = 4096;

/// `bytes` gzipped at the best level, compressed on first use and kept.
///
/// Compressed with `flate2`, the maintained Rust binding of DEFLATE (its default backend,
/// `miniz_oxide`, is pure Rust), not with tower-http's compression layer: that one compresses
/// each response as it streams, at a fast level, where Rain's files are few and fixed, so
/// compressing each once at the best level and keeping it costs nothing per request.
fn gzipped(hash: &[u8; 32], bytes: &[u8]) -> Bytes {
    let cached = GZIPPED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(hash)
        .cloned();
    if let Some(cached) = cached {
        return cached;
    }
    // Outside the lock: other files are served meanwhile; two first requests may both compress.
    let compressed = Bytes::from(gzip(bytes));
    let mut cache = GZIPPED.lock().unwrap_or_else(|e| e.into_inner());
    if cache.len() >= GZIPPED_ENTRIES {
        cache.clear();
    }
    cache.insert(*hash, compressed.clone());
    compressed
}

/// `bytes` as a gzip member at the best level, with no name and no time in its header, so that
/// the same bytes always give the same body.
pub(crate) fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder
        .write_all(bytes)
        .and_then(|()| encoder.finish())
        .expect("writing to a Vec cannot fail")
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

    fn accepts(value: &str) -> bool {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        accepts_gzip(&headers)
    }

    #[test]
    fn gzip_is_taken_when_the_client_weighs_it_above_zero() {
        for value in [
            "gzip",
            "gzip, deflate, br, zstd",
            "GZip;Q=1",
            "x-gzip",
            "*",
            "br;q=1.0, gzip;q=0.8, *;q=0.1",
            "gzip;q=0.001",
            "gzip;q=0.5, identity;q=0.5",
            "identity;q=0, gzip",
        ] {
            assert!(accepts(value), "{value}");
        }
        for value in [
            "",
            "gzip;q=0",
            "gzip;q=0.0",
            "gzip; q=0.000",
            "br, deflate",
            "identity",
            "*;q=0",
            "*, gzip;q=0",
            "gzip;q=0.5, identity",
            // Weights outside the grammar refuse.
            "gzip;q=2",
            "gzip;q=1.5",
            "gzip;q=0.0001",
            "gzip;q=-1",
            "gzip;q=abc",
        ] {
            assert!(!accepts(value), "{value}");
        }
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn weights_are_read_in_thousandths() {
        assert_eq!(weight("1"), Some(1000));
        assert_eq!(weight("1.000"), Some(1000));
        assert_eq!(weight("0.5"), Some(500));
        assert_eq!(weight("0.05"), Some(50));
        assert_eq!(weight("0."), Some(0));
        assert_eq!(weight("1.001"), None);
        assert_eq!(weight(".5"), None);
    }

    #[test]
    fn gzip_round_trips_and_is_cached_by_content() {
        let text = "const a = 1;\n".repeat(100);
        let hash = [7; 32];
        let first = gzipped(&hash, text.as_bytes());
        assert!(first.len() < text.len());
        let mut plain = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&first[..]), &mut plain)
            .unwrap();
        assert_eq!(plain, text.as_bytes());
        // Same hash, same body: compressed once, the same bytes after.
        assert_eq!(gzipped(&hash, text.as_bytes()).as_ptr(), first.as_ptr());
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
