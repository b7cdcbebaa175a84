//! The gate in front of the Socket.IO endpoint: origin check, connection limits, shutdown.
//!
//! Every request to the Engine.IO path passes [`admit`] before socketioxide sees it. A request
//! from a foreign origin is refused (see [`crate::origin`]); a request that would open a new
//! Engine.IO session (a handshake: no `sid` in its query) must first take a [`ConnectionPermit`]
//! from the [`ConnectionLimiter`]. The permit rides in the request's extensions, which the
//! engine keeps for the whole session, so it is given back exactly when the session is gone: no
//! bookkeeping can drift from the sessions that really exist.
//!
//! Every refusal goes through [`refuse`], one function, so what is refused and why can be
//! counted in one place.

use std::{
    collections::HashMap,
    net::{IpAddr, SocketAddr},
    sync::{Arc, Mutex, PoisonError},
};

use axum::{
    body::Bytes,
    extract::{ConnectInfo, Request, State},
    http::{HeaderValue, StatusCode, Uri, header, request::Parts},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::origin::AllowedOrigins;
use crate::base::{
    engine::EngineSettings,
    limits::Limits,
    metrics::{self, Metrics},
    shutdown::Drain,
};

/// Why a request to the Socket.IO endpoint was refused: its status, its reason (`Display`, sent as
/// the response body) and a stable name for counting ([`ConnectionRefusal::kind`]).
///
/// ```
/// use rain_core::ConnectionRefusal;
///
/// let refusal = ConnectionRefusal::TooManyConnectionsFromClient(256);
/// assert_eq!(refusal.kind(), "max_connections_per_client");
/// assert_eq!(
///     refusal.to_string(),
///     "connection refused: your address has 256 open connections, the most one client may \
///      have (max_connections_per_client)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectionRefusal {
    /// The request's `Origin` is neither the server's own nor an allowed one.
    ForeignOrigin(String),
    /// The server holds [`Limits::max_connections`] sessions already.
    TooManyConnections(usize),
    /// The client's address holds [`Limits::max_connections_per_client`] sessions already.
    TooManyConnectionsFromClient(usize),
    /// A long-polling request body is larger than [`Limits::max_payload`] bytes. (Over WebSocket,
    /// a larger message closes the connection: there is no response to carry a reason.)
    PayloadTooLarge(u64),
    /// The server is shutting down.
    ShuttingDown,
}

impl ConnectionRefusal {
    /// A short, stable name for the reason (`foreign_origin`, `max_connections`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::ForeignOrigin(_) => "foreign_origin",
            Self::TooManyConnections(_) => "max_connections",
            Self::TooManyConnectionsFromClient(_) => "max_connections_per_client",
            Self::PayloadTooLarge(_) => "max_payload",
            Self::ShuttingDown => "shutting_down",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Self::ForeignOrigin(_) => StatusCode::FORBIDDEN,
            Self::TooManyConnections(_) | Self::ShuttingDown => StatusCode::SERVICE_UNAVAILABLE,
            Self::TooManyConnectionsFromClient(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        }
    }
}

impl std::fmt::Display for ConnectionRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::ForeignOrigin(origin) => write!(
                f,
                "origin `{}` may not use this server's sockets; allowed are the server's own \
                 origin and those set by `App::allowed_origins` or RAIN_ALLOWED_ORIGINS",
                origin.escape_debug()
            ),
            Self::TooManyConnections(max) => write!(
                f,
                "connection refused: the server has {max} open connections, its limit \
                 (max_connections); try again later"
            ),
            Self::TooManyConnectionsFromClient(max) => write!(
                f,
                "connection refused: your address has {max} open connections, the most one \
                 client may have (max_connections_per_client)"
            ),
            Self::PayloadTooLarge(max) => write!(
                f,
                "payload too large: a client may send at most {max} bytes at once (max_payload); \
                 the session is closed"
            ),
            Self::ShuttingDown => write!(f, "connection refused: the server is shutting down"),
        }
    }
}

/// Answers a refused request: its status, and the reason as a plain-text body.
///
/// The one place every refusal passes through.
pub(crate) fn refuse(metrics: &Metrics, refusal: ConnectionRefusal) -> Response {
    metrics::connection_refused(metrics, refusal.kind());
    tracing::debug!(reason = refusal.kind(), %refusal, "socket request refused");
    let mut response = (refusal.status(), refusal.to_string()).into_response();
    if refusal.status() == StatusCode::SERVICE_UNAVAILABLE {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    }
    response
}

/// Counts open Engine.IO sessions, all together and by client address.
#[derive(Debug)]
pub(crate) struct ConnectionLimiter {
    max: usize,
    max_per_client: usize,
    counts: Mutex<Counts>,
}

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    by_client: HashMap<IpAddr, usize>,
}

impl ConnectionLimiter {
    pub(crate) fn new(limits: &Limits) -> Arc<Self> {
        Arc::new(Self {
            max: limits.max_connections,
            max_per_client: limits.max_connections_per_client,
            counts: Mutex::default(),
        })
    }

    /// A permit for one more session from `client` (unknown when the server was not given the
    /// peer address: then only the global limit applies).
    pub(crate) fn acquire(
        self: &Arc<Self>,
        client: Option<IpAddr>,
    ) -> Result<ConnectionPermit, ConnectionRefusal> {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        if counts.total >= self.max {
            return Err(ConnectionRefusal::TooManyConnections(self.max));
        }
        if let Some(client) = client {
            let from_client = counts.by_client.entry(client).or_default();
            if *from_client >= self.max_per_client {
                return Err(ConnectionRefusal::TooManyConnectionsFromClient(
                    self.max_per_client,
                ));
            }
            *from_client += 1;
        }
        counts.total += 1;
        Ok(ConnectionPermit(Arc::new(Permit {
            limiter: Arc::clone(self),
            client,
        })))
    }

    /// Open sessions, all clients together.
    #[cfg(test)]
    fn open(&self) -> usize {
        self.counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .total
    }
}

/// One open session's place in the [`ConnectionLimiter`], given back when the last clone drops.
#[derive(Debug, Clone)]
pub(crate) struct ConnectionPermit(#[allow(dead_code, reason = "held for its Drop")] Arc<Permit>);

#[derive(Debug)]
struct Permit {
    limiter: Arc<ConnectionLimiter>,
    client: Option<IpAddr>,
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut counts = self
            .limiter
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        counts.total -= 1;
        if let Some(client) = self.client
            && let Some(count) = counts.by_client.get_mut(&client)
        {
            *count -= 1;
            if *count == 0 {
                counts.by_client.remove(&client);
            }
        }
    }
}

/// What [`admit`] checks requests against.
#[derive(Debug, Clone)]
pub(crate) struct Gate {
    pub(crate) origins: AllowedOrigins,
    pub(crate) limiter: Arc<ConnectionLimiter>,
    pub(crate) drain: Arc<Drain>,
    pub(crate) cors: tower_http::cors::CorsLayer,
    pub(crate) max_payload: u64,
    pub(crate) metrics: Arc<Metrics>,
    /// Where the engine answers: requests elsewhere pass untouched.
    pub(crate) engine: Arc<EngineSettings>,
}

/// Lets a request reach the Socket.IO endpoint, or refuses it (see [the module](self)).
pub(crate) async fn admit(State(gate): State<Gate>, request: Request, next: Next) -> Response {
    if !gate.engine.serves(request.uri().path()) {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    if let Err(origin) = gate.origins.check(&parts) {
        return refuse(
            &gate.metrics,
            ConnectionRefusal::ForeignOrigin(origin.to_owned()),
        );
    }
    let handshake = !parts
        .uri
        .query()
        .unwrap_or("")
        .split('&')
        .any(|pair| pair.starts_with("sid="));
    if handshake && parts.method != axum::http::Method::OPTIONS {
        if gate.drain.is_closing() {
            return refuse(&gate.metrics, ConnectionRefusal::ShuttingDown);
        }
        let client = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_canonical());
        match gate.limiter.acquire(client) {
            Ok(permit) => {
                parts.extensions.insert(permit);
            }
            Err(refusal) => return refuse(&gate.metrics, refusal),
        }
        detach(&mut parts);
    }
    parts.extensions.insert(Arc::clone(&gate.drain));
    let response = next.run(Request::from_parts(parts, body)).await;
    // The engine answers an oversized polling body with a bare 413; say why.
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
        let mut refused = refuse(
            &gate.metrics,
            ConnectionRefusal::PayloadTooLarge(gate.max_payload),
        );
        for name in [
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            header::VARY,
        ] {
            if let Some(value) = response.headers().get(&name) {
                refused.headers_mut().insert(name, value.clone());
            }
        }
        return refused;
    }
    response
}

/// Copies a handshake's URI and header values out of the buffer its connection read them into.
///
/// hyper parses a request without copying: the URI and every header value are slices of the
/// connection's read buffer (8 to 16 KiB), and a slice keeps its whole buffer alive. The engine
/// keeps a session's request parts for the session's life (for extractors that read the
/// handshake's headers), so without this copy every idle connection would hold its read buffer,
/// 16 KiB, for a few hundred bytes of headers. The copy is one allocation, which the values and
/// the URI then slice in turn; the header map itself is kept as it is.
fn detach(parts: &mut Parts) {
    let uri = parts.uri.to_string();
    let size = uri.len() + parts.headers.values().map(|v| v.len()).sum::<usize>();
    let mut copy = Vec::with_capacity(size);
    copy.extend_from_slice(uri.as_bytes());
    for value in parts.headers.values() {
        copy.extend_from_slice(value.as_bytes());
    }
    let copy = Bytes::from(copy);
    let mut at = uri.len();
    for value in parts.headers.values_mut() {
        let len = value.len();
        let slice = copy.slice(at..at + len);
        at += len;
        let sensitive = value.is_sensitive();
        if let Ok(mut detached) = HeaderValue::from_maybe_shared(slice) {
            detached.set_sensitive(sensitive);
            *value = detached;
        }
    }
    if let Ok(detached) = Uri::from_maybe_shared(copy.slice(..uri.len())) {
        parts.uri = detached;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A request parsed the way hyper parses one: its URI and header values slice one buffer.
    fn parsed(buffer: &Bytes) -> Parts {
        let text = std::str::from_utf8(buffer).unwrap();
        let slice = |part: &str| {
            let at = text.find(part).unwrap();
            buffer.slice(at..at + part.len())
        };
        let (mut parts, ()) = axum::http::Request::new(()).into_parts();
        parts.uri = Uri::from_maybe_shared(slice("/socket.io/?EIO=4&transport=websocket")).unwrap();
        for (name, value) in [("cookie", "rain_session=abc"), ("user-agent", "test/1.0")] {
            let value = HeaderValue::from_maybe_shared(slice(value)).unwrap();
            parts.headers.append(name, value);
        }
        parts
            .headers
            .append("cookie", HeaderValue::from_static("other=1"));
        let mut secret = HeaderValue::from_maybe_shared(slice("Bearer xyz")).unwrap();
        secret.set_sensitive(true);
        parts.headers.append(header::AUTHORIZATION, secret);
        parts
    }

    #[test]
    fn a_detached_handshake_no_longer_holds_the_read_buffer() {
        let mut buffer = b"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n\
            cookie: rain_session=abc\r\nuser-agent: test/1.0\r\nauthorization: Bearer xyz\r\n"
            .to_vec();
        buffer.resize(16 * 1024, 0);
        let buffer = Bytes::from(buffer);
        let mut parts = parsed(&buffer);
        assert!(!buffer.is_unique(), "the parsed parts slice the buffer");

        detach(&mut parts);

        assert!(
            buffer.is_unique(),
            "nothing of the request refers to the buffer any more"
        );
        assert_eq!(parts.uri, "/socket.io/?EIO=4&transport=websocket");
        let cookies: Vec<_> = parts.headers.get_all("cookie").iter().collect();
        assert_eq!(cookies, ["rain_session=abc", "other=1"]);
        assert_eq!(parts.headers["user-agent"], "test/1.0");
        assert_eq!(parts.headers[header::AUTHORIZATION], "Bearer xyz");
        assert!(parts.headers[header::AUTHORIZATION].is_sensitive());
    }

    fn limiter(max: usize, max_per_client: usize) -> Arc<ConnectionLimiter> {
        ConnectionLimiter::new(&Limits {
            max_connections: max,
            max_connections_per_client: max_per_client,
            ..Limits::default()
        })
    }

    #[test]
    fn permits_are_given_back_when_dropped() {
        let limiter = limiter(2, 5);
        let a = limiter.acquire(None).unwrap();
        let a2 = a.clone();
        let b = limiter.acquire(None).unwrap();
        assert_eq!(
            limiter.acquire(None).unwrap_err(),
            ConnectionRefusal::TooManyConnections(2)
        );
        drop(a);
        assert_eq!(limiter.open(), 2, "a clone still holds the permit");
        drop(a2);
        drop(b);
        assert_eq!(limiter.open(), 0);
        assert!(limiter.acquire(None).is_ok());
    }

    #[test]
    fn one_client_cannot_take_another_clients_place() {
        let limiter = limiter(10, 2);
        let greedy: IpAddr = "10.0.0.1".parse().unwrap();
        let other: IpAddr = "10.0.0.2".parse().unwrap();
        let held = [
            limiter.acquire(Some(greedy)).unwrap(),
            limiter.acquire(Some(greedy)).unwrap(),
        ];
        assert_eq!(
            limiter.acquire(Some(greedy)).unwrap_err(),
            ConnectionRefusal::TooManyConnectionsFromClient(2)
        );
        assert!(limiter.acquire(Some(other)).is_ok());
        drop(held);
        assert!(limiter.acquire(Some(greedy)).is_ok());
        let counts = limiter.counts.lock().unwrap();
        assert!(
            !counts.by_client.contains_key(&greedy),
            "no entry kept at zero"
        );
    }
}
