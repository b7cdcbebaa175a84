//! Which web origins may use the app's sockets.
//!
//! A browser sends cookies with every request to a server, whichever site's page makes it, and a
//! WebSocket handshake is not covered by the same-origin policy. Without a check, any site a user
//! visits could open a socket to a Rain app *as that user* (cross-site WebSocket hijacking). So
//! every request to the Engine.IO path (`/socket.io/`), WebSocket or long-polling, is checked
//! against its `Origin` header before any handler runs:
//!
//! - **Same origin** (the `Origin`'s host and port equal the request's `Host`) is always allowed:
//!   it is the page the app served itself.
//! - **Listed origins** are allowed: [`App::allowed_origins`](crate::App::allowed_origins), or
//!   `RAIN_ALLOWED_ORIGINS` (comma-separated, e.g. `https://app.example,http://localhost:5173`),
//!   which replaces the builder's list when set.
//! - **No `Origin` header** is allowed. Browsers always send one on WebSocket handshakes and on
//!   cross-origin requests, so its absence means a same-origin `GET` or a client that is not a
//!   browser (a server, a CLI, a test). Such a client can write any `Origin` it likes, so checking
//!   it would protect nothing; the check exists to stop *browsers* from lending their users'
//!   cookies to other sites.
//! - **Everything else is refused** with `403 Forbidden` and a body naming the origin, including
//!   `Origin: null` (sandboxed frames, `file:` pages).
//!
//! `*` is not accepted: a socket carries its user's cookies, and "any site, with credentials" is
//! exactly the hijacking this check prevents. List the origins instead.
//!
//! Long-polling requests from listed origins get CORS headers (`Access-Control-Allow-Origin`
//! echoing the origin, `Access-Control-Allow-Credentials: true`), and their preflights are answered;
//! no other origin gets any.

use axum::http::{HeaderValue, Method, header, request::Parts};
use tower_http::cors::{AllowOrigin, CorsLayer};

use super::error::Error;
use crate::base::engine::EngineSettings;

/// The origins allowed to use an app's sockets, besides its own (see [the module](self)).
///
/// ```
/// use rain_core::origin::AllowedOrigins;
///
/// let origins = AllowedOrigins::parse(["https://app.example", "http://localhost:5173/"])?;
/// assert!(origins.allows("https://app.example", "api.example"));
/// assert!(origins.allows("http://api.example", "api.example")); // same origin
/// assert!(!origins.allows("https://evil.example", "api.example"));
/// assert!(AllowedOrigins::parse(["*"]).is_err());
/// # Ok::<(), rain_core::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedOrigins {
    /// Normalized `scheme://host[:port]`, sorted.
    listed: Vec<String>,
}

impl AllowedOrigins {
    /// Same origin only: the default.
    pub fn same_origin() -> Self {
        Self::default()
    }

    /// Same origin and each of `origins` (`scheme://host[:port]`; a trailing `/` is fine).
    ///
    /// Fails on `*`, on an entry with a path, query or user, and on anything that is not an
    /// origin. Empty entries are skipped.
    pub fn parse<I>(origins: I) -> Result<Self, Error>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let mut listed = Vec::new();
        for origin in origins {
            let origin = origin.as_ref().trim();
            if origin.is_empty() {
                continue;
            }
            if origin == "*" {
                return Err(Error::BadOrigin {
                    origin: origin.to_owned(),
                    reason: "`*` would let every site use the sockets with its visitors' cookies; \
                             list the origins instead"
                        .to_owned(),
                });
            }
            let normalized =
                normalize(origin.strip_suffix('/').unwrap_or(origin)).ok_or_else(|| {
                    Error::BadOrigin {
                        origin: origin.to_owned(),
                        reason: "expected an origin like `https://app.example` or \
                             `http://localhost:5173`"
                            .to_owned(),
                    }
                })?;
            listed.push(normalized);
        }
        listed.sort();
        listed.dedup();
        Ok(Self { listed })
    }

    /// The listed origins, normalized (same origin is always allowed besides these).
    pub fn listed(&self) -> &[String] {
        &self.listed
    }

    /// Whether a request with this `Origin` header, sent to this `Host`, may use the sockets.
    pub fn allows(&self, origin: &str, host: &str) -> bool {
        let Some(origin) = normalize(origin) else {
            return false;
        };
        let (scheme, authority) = origin.split_once("://").unwrap_or_default();
        authority.eq_ignore_ascii_case(strip_default_port(host, scheme))
            || self.listed.binary_search(&origin).is_ok()
    }

    /// Whether `parts` may reach the sockets: no `Origin`, or an allowed one.
    ///
    /// Returns the refused origin otherwise.
    pub(crate) fn check<'a>(&self, parts: &'a Parts) -> Result<(), &'a str> {
        let Some(origin) = parts.headers.get(header::ORIGIN) else {
            return Ok(());
        };
        let origin = origin.to_str().unwrap_or("(not text)");
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .or_else(|| parts.uri.authority().map(|a| a.as_str()))
            .unwrap_or("");
        if self.allows(origin, host) {
            Ok(())
        } else {
            Err(origin)
        }
    }

    /// CORS for long-polling: listed origins on the Engine.IO path, with credentials.
    ///
    /// Same-origin requests need no CORS headers, and requests from other origins are refused
    /// before they get here, so only listed origins are ever echoed.
    pub(crate) fn cors(&self, engine: &EngineSettings) -> CorsLayer {
        let origins = self.clone();
        let engine = engine.clone();
        CorsLayer::new()
            .allow_origin(AllowOrigin::predicate(
                move |origin: &HeaderValue, parts: &Parts| {
                    engine.serves(parts.uri.path())
                        && origin.to_str().is_ok_and(|origin| {
                            normalize(origin)
                                .is_some_and(|o| origins.listed.binary_search(&o).is_ok())
                        })
                },
            ))
            .allow_credentials(true)
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([header::CONTENT_TYPE])
    }
}

/// `scheme://host[:port]` lowercased, without the scheme's default port; `None` when `origin` is
/// not of that form.
fn normalize(origin: &str) -> Option<String> {
    let (scheme, authority) = origin.split_once("://")?;
    let scheme_ok = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let authority_ok = !authority.is_empty()
        && authority
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']' | '_'));
    if !scheme_ok || !authority_ok {
        return None;
    }
    let origin = format!("{scheme}://{authority}").to_ascii_lowercase();
    let (scheme, authority) = origin.split_once("://")?;
    Some(format!(
        "{scheme}://{}",
        strip_default_port(authority, scheme)
    ))
}

/// `authority` without `:80` for `http`/`ws` or `:443` for `https`/`wss`.
fn strip_default_port<'a>(authority: &'a str, scheme: &str) -> &'a str {
    let default = match scheme {
        "https" | "wss" => ":443",
        "http" | "ws" => ":80",
        _ => return authority,
    };
    authority.strip_suffix(default).unwrap_or(authority)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_origin_is_allowed_by_default() {
        let origins = AllowedOrigins::same_origin();
        assert!(origins.allows("http://127.0.0.1:3000", "127.0.0.1:3000"));
        assert!(origins.allows("HTTP://Example.COM", "example.com"));
        assert!(origins.allows("https://example.com", "example.com:443"));
        assert!(!origins.allows("http://127.0.0.1:3001", "127.0.0.1:3000"));
        assert!(!origins.allows("http://evil.example", "127.0.0.1:3000"));
        assert!(!origins.allows("null", "127.0.0.1:3000"));
        assert!(!origins.allows("", "127.0.0.1:3000"));
    }

    #[test]
    fn listed_origins_are_normalized() {
        let origins =
            AllowedOrigins::parse(["HTTPS://App.Example:443/", " http://localhost:5173", ""])
                .unwrap();
        assert_eq!(
            origins.listed(),
            ["http://localhost:5173", "https://app.example"]
        );
        assert!(origins.allows("https://app.example", "api.example"));
        assert!(!origins.allows("http://app.example", "api.example"));
    }

    #[test]
    fn bad_entries_are_errors() {
        for bad in [
            "*",
            "app.example",
            "https://app.example/path",
            "https://user@app.example",
            "https://",
        ] {
            assert!(AllowedOrigins::parse([bad]).is_err(), "{bad}");
        }
    }
}
