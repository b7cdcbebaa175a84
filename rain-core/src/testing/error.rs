//! [`TestError`]: everything a test server or client reports, each saying what happened instead.

use std::{fmt, time::Duration};

/// What went wrong in a test: the app did not start, the server refused, or what was awaited
/// did not come (and what came instead).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TestError {
    /// `make_app` failed, or the app it made could not be served.
    #[error("the app did not start: {0}")]
    Start(#[source] crate::Error),
    /// A socket operation of the test machinery itself failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// Why it failed.
        #[source]
        source: std::io::Error,
    },
    /// The server answered the WebSocket handshake with an HTTP error (a refused `Origin` is
    /// `403 Forbidden`, with the origin named in the body).
    #[error("the server refused the connection with {status}: {body}")]
    Refused {
        /// The HTTP status, e.g. `403 Forbidden`.
        status: String,
        /// The body of the answer.
        body: String,
    },
    /// The WebSocket could not be opened or broke.
    #[error("WebSocket to {url}: {source}")]
    WebSocket {
        /// Where it was opened.
        url: String,
        /// What tungstenite says.
        #[source]
        source: Box<tokio_tungstenite::tungstenite::Error>,
    },
    /// The server sent something that is not Engine.IO v4 / Socket.IO v5 as Rain speaks it.
    #[error("unexpected from the server: {0}")]
    Protocol(String),
    /// The server refused to connect the socket (a guard's [`Refusal`](crate::guard::Refusal),
    /// a socket that does not exist): the message is the refusal's, as the client received it.
    #[error("{message}")]
    ConnectRefused {
        /// The namespace, e.g. `/chat-1.0/room`.
        namespace: String,
        /// The refusal's message.
        message: String,
    },
    /// The namespace is already connected on this client: a page has one socket per namespace.
    #[error("{namespace} is already connected on this client; use the `TestSocket` you have")]
    AlreadyConnected {
        /// The namespace.
        namespace: String,
    },
    /// Nothing awaited came in time.
    #[error("no {what} within {} on {namespace}; arrived instead: {arrived}", Seconds(*within))]
    Timeout {
        /// What was awaited: `` `message` ``, `an ack of `hello``, `the connect answer`.
        what: String,
        /// The namespace.
        namespace: String,
        /// How long it was awaited.
        within: Duration,
        /// The events queued on the namespace and not yet expected, in the order they arrived
        /// (`` `tally` {"count":2}, `rain:presence` [..] ``), or `nothing`.
        arrived: String,
    },
    /// An event that was expected not to come came.
    #[error("`{event}` arrived on {namespace} when none was expected: {payload}")]
    Unexpected {
        /// The event.
        event: String,
        /// The namespace.
        namespace: String,
        /// Its payload, as JSON.
        payload: String,
    },
    /// The socket is disconnected, so what was awaited will not come.
    #[error("{namespace} is disconnected ({reason}); arrived before: {arrived}")]
    Disconnected {
        /// The namespace.
        namespace: String,
        /// Who disconnected it: the server, the connection closing, the test.
        reason: String,
        /// The events queued on the namespace and not yet expected, or `nothing`.
        arrived: String,
    },
    /// [`TestSocket::expect_request`](super::TestSocket::expect_request) took an event that the
    /// server sent without asking for an ack.
    #[error(
        "`{event}` arrived on {namespace} without a request for an ack (the server sent it with \
         `emit`, not `emit_with_ack`); it was {payload}"
    )]
    NoAckRequested {
        /// The event.
        event: String,
        /// The namespace.
        namespace: String,
        /// Its payload, as JSON.
        payload: String,
    },
    /// A socket connected again after a [`TestClient::reconnect`](super::TestClient::reconnect)
    /// could not ask to recover: its `auth` is not a JSON object, so it has no place for the
    /// `pid` and `offset` that recovering sends beside the auth's fields.
    #[error(
        "{namespace} cannot ask to recover: its auth {auth} is not an object, so it has no place \
         for `pid` and `offset`"
    )]
    AuthNotAnObject {
        /// The namespace.
        namespace: String,
        /// The auth, as JSON.
        auth: String,
    },
    /// A payload did not deserialize as the type asked for.
    #[error("the payload of {what} on {namespace} is not a `{ty}`: {message}; it was {payload}")]
    Payload {
        /// `` `message` `` or `the ack of `hello``.
        what: String,
        /// The namespace.
        namespace: String,
        /// The type asked for.
        ty: &'static str,
        /// Why it does not deserialize.
        message: String,
        /// The payload, as JSON.
        payload: String,
    },
    /// A payload to send did not serialize.
    #[error("the payload of `{event}` does not serialize: {message}")]
    Serialize {
        /// The event.
        event: String,
        /// Why.
        message: String,
    },
}

/// A duration as a test writes it: `1s`, `250ms`, `1.5s`.
pub(super) struct Seconds(pub(super) Duration);

impl fmt::Display for Seconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let millis = self.0.as_millis();
        match millis {
            0 => write!(f, "{}µs", self.0.as_micros()),
            _ if millis.is_multiple_of(1000) => write!(f, "{}s", millis / 1000),
            _ if millis < 1000 => write!(f, "{millis}ms"),
            _ => write!(f, "{}s", self.0.as_secs_f64()),
        }
    }
}
