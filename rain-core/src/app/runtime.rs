//! The browser runtime: the plain JavaScript modules of `src/client/`, served without their
//! comments ([`crate::strip`]) and gzipped to clients that take it.

use std::{
    collections::HashMap,
    sync::{Arc, LazyLock, Mutex},
};

use axum::{
    extract::Path,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};

use super::{
    assets::{Asset, checked_path},
    strip::strip,
};

#[derive(rust_embed::RustEmbed)]
#[folder = "src/client/"]
struct RuntimeFiles;

/// Served modules by the SHA-256 of their source: each is stripped once per process (debug
/// builds read the sources from disk on each request, so an edited module is stripped again).
static SERVED: LazyLock<Mutex<HashMap<[u8; 32], Arc<Asset>>>> = LazyLock::new(Default::default);

/// `GET /rain/{file}`: one module of the runtime (`runtime.js` is the entry).
pub(crate) async fn runtime_file(Path(file): Path<String>, headers: HeaderMap) -> Response {
    match served(&file) {
        Some(asset) => asset.respond(&headers),
        None => (StatusCode::NOT_FOUND, "no such runtime file").into_response(),
    }
}

/// A runtime file as served: `.js` modules stripped, `runtime.d.ts` as written (its comments
/// are the documentation editors show).
pub(crate) fn served(file: &str) -> Option<Arc<Asset>> {
    let found = RuntimeFiles::get(checked_path(file)?)?;
    if !file.ends_with(".js") {
        return Some(Arc::new(Asset::embedded(file, found)));
    }
    let source_hash = found.metadata.sha256_hash();
    let mut served = SERVED.lock().unwrap_or_else(|e| e.into_inner());
    let asset = served.entry(source_hash).or_insert_with(|| {
        use sha2::Digest as _;
        let text = strip(&String::from_utf8_lossy(&found.data));
        let hash = sha2::Sha256::digest(text.as_bytes()).into();
        Arc::new(Asset::new(file, text.into_bytes().into(), hash))
    });
    Some(Arc::clone(asset))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `.js` module of the runtime.
    fn modules() -> Vec<(String, String)> {
        let mut modules: Vec<_> = RuntimeFiles::iter()
            .filter(|name| name.ends_with(".js"))
            .map(|name| {
                let source = RuntimeFiles::get(&name).unwrap().data;
                (
                    name.into_owned(),
                    String::from_utf8(source.into_owned()).unwrap(),
                )
            })
            .collect();
        modules.sort();
        assert!(modules.len() >= 8, "{modules:?}");
        modules
    }

    /// An oracle apart from the lexer, for the runtime's own style: each line of a module comes
    /// out trimmed, except comment lines and blank lines, which go, and a trailing comment, which
    /// goes with the spaces before it. So stripping changes nothing but comments and whitespace.
    #[test]
    fn runtime_modules_lose_only_comments_and_whitespace() {
        for (name, source) in modules() {
            let stripped = strip(&source);
            let mut kept = stripped.lines();
            let mut in_block = false;
            for (number, line) in source.lines().enumerate() {
                let line = line.trim();
                if in_block {
                    in_block = !line.ends_with("*/");
                    continue;
                }
                if line.is_empty() || line.starts_with("//") {
                    continue;
                }
                if line.starts_with("/*") {
                    in_block = !line.ends_with("*/");
                    continue;
                }
                let out = kept
                    .next()
                    .unwrap_or_else(|| panic!("{name}:{}: missing", number + 1));
                let trailing_comment = line
                    .strip_prefix(out)
                    .map(str::trim_start)
                    .is_some_and(|rest| rest.starts_with("//"));
                // An inline `/** @type {T} */ (cast)` goes; only spacing may differ.
                let inline_comment = || {
                    let mut expected = line.to_owned();
                    while let (Some(start), Some(end)) = (expected.find("/*"), expected.find("*/"))
                    {
                        expected.replace_range(start..end + 2, "");
                    }
                    let words = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
                    words(&expected) == words(out)
                };
                assert!(
                    out == line || trailing_comment || inline_comment(),
                    "{name}:{}: {line:?} came out as {out:?}",
                    number + 1
                );
            }
            assert_eq!(kept.next(), None, "{name}: more lines than the source has");
        }
    }

    #[test]
    fn stripping_is_idempotent() {
        for (name, source) in modules() {
            let once = strip(&source);
            assert_eq!(strip(&once), once, "{name}");
            assert!(once.len() < source.len(), "{name}");
        }
    }

    #[test]
    fn modules_are_served_stripped_and_the_types_as_written() {
        let runtime = served("runtime.js").unwrap();
        let source = RuntimeFiles::get("runtime.js").unwrap().data;
        assert_eq!(
            runtime.bytes(),
            strip(std::str::from_utf8(&source).unwrap()).as_bytes()
        );
        let types = served("runtime.d.ts").unwrap();
        assert_eq!(
            types.bytes(),
            &*RuntimeFiles::get("runtime.d.ts").unwrap().data
        );
        assert!(served("../lib.rs").is_none());
        assert!(served("missing.js").is_none());
    }
}
