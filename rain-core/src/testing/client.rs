//! [`TestClient`]: one browser page's connection, and the builder that opens it: its `Origin`,
//! its session, its default `auth` and timeout.

use std::{
    future::{Future, IntoFuture},
    net::SocketAddr,
    pin::Pin,
    sync::{Arc, Mutex},
    time::Duration,
};

use serde_json::Value;
use tokio_tungstenite::tungstenite::http::{HeaderName, HeaderValue, header};

use super::{
    connection::{Connection, Missed, Recoveries, lock},
    error::TestError,
    socket::TestSocket,
    typed::TypedTestSocket,
};
use crate::{
    events::Events,
    registry::names,
    session::{COOKIE_NAME, Sessions, User},
};

/// How long a wait lasts unless [`ClientBuilder::timeout`] says otherwise: 1 s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);

/// Where the app under test is, and what of it the client needs: shared with the
/// [`TestServer`](super::TestServer), which updates it at each start.
#[derive(Clone)]
pub(super) struct Target {
    pub(super) addr: SocketAddr,
    pub(super) current: Arc<Mutex<Current>>,
}

/// What the running app uses.
#[derive(Default)]
pub(super) struct Current {
    /// The Engine.IO path as clients take it, `/socket.io/`.
    pub(super) engine_path: String,
    /// The app's own sessions, to sign a logged-in client's cookie with.
    pub(super) sessions: Option<Sessions>,
}

impl Target {
    fn current(&self) -> std::sync::MutexGuard<'_, Current> {
        lock(&self.current)
    }
}

/// Opens a [`TestClient`]: [`TestServer::client`](super::TestServer::client) makes one.
#[must_use = "a client builder does nothing until `connect` is awaited"]
pub struct ClientBuilder {
    target: Target,
    origin: Option<String>,
    user: Option<User>,
    auth: Option<Value>,
    timeout: Duration,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("addr", &self.target.addr)
            .field("origin", &self.origin)
            .field("user", &self.user)
            .field("auth", &self.auth)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl ClientBuilder {
    pub(super) fn new(target: Target) -> Self {
        Self {
            target,
            origin: None,
            user: None,
            auth: None,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Sends `Origin: origin` with the handshake, as a browser on a page of `origin` does (see
    /// [`crate::origin`]). Without it, no `Origin` is sent, as from a client that is no browser.
    pub fn origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = Some(origin.into());
        self
    }

    /// Logs `user` in: the handshake carries a `rain_session` cookie signed with the app's own
    /// sessions, as if the user had logged in on an HTTP route of the app.
    pub fn session(mut self, user: User) -> Self {
        self.user = Some(user);
        self
    }

    /// The Socket.IO `auth` payload of every socket of the client, unless
    /// [`SocketRequest::auth`] gives one.
    pub fn auth(mut self, auth: Value) -> Self {
        self.auth = Some(auth);
        self
    }

    /// How long every wait of the client lasts: the connect, each expected event and ack
    /// (default [`DEFAULT_TIMEOUT`], 1 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Opens the connection: a WebSocket at the app's Engine.IO path, and its handshake.
    ///
    /// Fails with [`TestError::Refused`] when the server refuses it (a foreign `Origin`, too
    /// many connections).
    pub async fn connect(self) -> Result<TestClient, TestError> {
        let (engine_path, sessions) = {
            let current = self.target.current();
            (current.engine_path.clone(), current.sessions.clone())
        };
        let url = format!(
            "ws://{}{engine_path}?EIO=4&transport=websocket",
            self.target.addr
        );
        let mut headers = Vec::new();
        let header = |value: &str| {
            HeaderValue::from_str(value)
                .map_err(|error| TestError::Protocol(format!("not a header value: {error}")))
        };
        if let Some(origin) = &self.origin {
            headers.push((header::ORIGIN, header(origin)?));
        }
        if let Some(user) = self.user {
            let sessions = sessions.ok_or_else(|| {
                TestError::Protocol("the app's sessions are not known yet".to_owned())
            })?;
            let cookie = format!("{COOKIE_NAME}={}", sessions.token_for(user));
            headers.push((header::COOKIE, header(&cookie)?));
        }
        let recoveries = Recoveries::default();
        let connection = Connection::open(
            url.clone(),
            headers.clone(),
            self.timeout,
            recoveries.clone(),
        )
        .await?;
        Ok(TestClient {
            connection: Arc::new(connection),
            url,
            headers,
            auth: self.auth,
            timeout: self.timeout,
            recoveries,
        })
    }
}

/// One Engine.IO connection, as one browser page has: its sockets are namespaces multiplexed on
/// it. Dropping it (and its sockets) closes the connection.
///
/// [`TestClient::cut`] and [`TestClient::reconnect`] lose the connection and open a new one, as
/// a page's runtime does after a network change; a recoverable socket connected again on the
/// new one recovers what it missed.
pub struct TestClient {
    connection: Arc<Connection>,
    /// Where it connects, and with what headers (`Origin`, session cookie), for a reconnect.
    url: String,
    headers: Vec<(HeaderName, HeaderValue)>,
    auth: Option<Value>,
    timeout: Duration,
    /// What the recoverable sockets of an ended connection need to recover, by namespace,
    /// until they are connected again.
    recoveries: Recoveries,
}

impl std::fmt::Debug for TestClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestClient")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl TestClient {
    /// Connects the socket `name` of the component `module_id` (`"chat-1.0"`, `"room"`), at
    /// the namespace the server mounts it at; await it (after [`SocketRequest::auth`], if any).
    ///
    /// A refused connect (a guard's refusal, a socket that does not exist) is
    /// [`TestError::ConnectRefused`], whose message is the refusal's.
    pub fn socket(&self, module_id: &str, name: &str) -> SocketRequest {
        SocketRequest {
            connection: Arc::clone(&self.connection),
            namespace: names::namespace(module_id, name),
            auth: self.auth.clone(),
            timeout: self.timeout,
            recoveries: Arc::clone(&self.recoveries),
        }
    }

    /// [`TestClient::socket`], typed by the [`events!`](crate::events!) declaration `S`.
    pub async fn typed_socket<S: Events>(
        &self,
        module_id: &str,
        name: &str,
    ) -> Result<TypedTestSocket<S>, TestError> {
        Ok(self.socket(module_id, name).await?.typed())
    }

    /// Closes the connection, as a page that goes away does; its sockets are disconnected.
    pub fn close(&self) {
        self.connection.close();
    }

    /// Loses the connection, as a page does when its network changes or a proxy drops it: the
    /// TCP connection closes without a WebSocket or Engine.IO close, so the server parks the
    /// recoverable sockets on it, and its sockets here are disconnected
    /// ([`TestError::Disconnected`], "the test cut the connection"). Each recoverable socket
    /// keeps what it needs to recover: the pid its server announced and the offset of the last
    /// event it received.
    pub fn cut(&self) {
        self.connection.cut();
    }

    /// Opens a new connection in place of this one, with the same `Origin`, session cookie and
    /// `auth`, as the browser runtime does after losing one: [cut](TestClient::cut) by the
    /// test, closed by the server (a [`TestServer::restart`](super::TestServer::restart)), or
    /// still open (then it is cut first).
    ///
    /// Its sockets are connected again with [`TestClient::socket`]: a recoverable one asks the
    /// server to recover its session (Rain's `pid` and `offset` in its `CONNECT` payload, beside
    /// the auth's fields). [`TestSocket::recovered`] says whether it did; if so, what it missed
    /// waits to be expected, once each and in order, after its `rain:recovery` announcement.
    pub async fn reconnect(&mut self) -> Result<(), TestError> {
        self.cut();
        let connection = Connection::open(
            self.url.clone(),
            self.headers.clone(),
            self.timeout,
            Arc::clone(&self.recoveries),
        )
        .await?;
        self.connection = Arc::new(connection);
        Ok(())
    }
}

/// A socket about to connect: [`TestClient::socket`] makes one; await it for the
/// [`TestSocket`].
#[must_use = "a socket connects when the request is awaited"]
pub struct SocketRequest {
    connection: Arc<Connection>,
    namespace: String,
    auth: Option<Value>,
    timeout: Duration,
    recoveries: Recoveries,
}

impl std::fmt::Debug for SocketRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SocketRequest")
            .field("namespace", &self.namespace)
            .field("auth", &self.auth)
            .finish_non_exhaustive()
    }
}

impl SocketRequest {
    /// Sends `auth` as the Socket.IO `CONNECT` payload (what connect handlers and guards read;
    /// `{ "token": ... }` is a session, see [`crate::session`]).
    pub fn auth(mut self, auth: Value) -> Self {
        self.auth = Some(auth);
        self
    }
}

impl IntoFuture for SocketRequest {
    type Output = Result<TestSocket, TestError>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            // A pid recovers once: taken now, whatever the answer.
            let recovery = lock(&self.recoveries).remove(&self.namespace);
            let auth = match (&recovery, self.auth) {
                (None, auth) => auth,
                (Some(recovery), Some(Value::Object(mut fields))) => {
                    fields.insert("pid".to_owned(), recovery.pid.clone().into());
                    fields.insert("offset".to_owned(), recovery.offset.clone().into());
                    Some(Value::Object(fields))
                }
                (Some(recovery), None) => {
                    Some(serde_json::json!({ "pid": recovery.pid, "offset": recovery.offset }))
                }
                (Some(_), Some(auth)) => {
                    return Err(TestError::AuthNotAnObject {
                        namespace: self.namespace,
                        auth: auth.to_string(),
                    });
                }
            };
            let (namespace, id) = self
                .connection
                .join(&self.namespace, auth.as_ref(), self.timeout)
                .await?;
            let (mut recovered, mut recovery_failure) = (false, None);
            if recovery.is_some() {
                let announced = namespace
                    .announcement(self.timeout)
                    .await
                    .map_err(|missed| match missed {
                        Missed::Gone(reason) => namespace.disconnected(reason),
                        Missed::TimedOut => TestError::Timeout {
                            what: format!("`{}` announcement", crate::recovery::ANNOUNCEMENT),
                            namespace: self.namespace.clone(),
                            within: self.timeout,
                            arrived: namespace.arrived(),
                        },
                    })?;
                recovered = announced["recovered"] == Value::Bool(true);
                if !recovered {
                    recovery_failure = Some(match &announced["reason"] {
                        Value::String(reason) => reason.clone(),
                        other => other.to_string(),
                    });
                }
            }
            Ok(TestSocket {
                connection: self.connection,
                namespace,
                id,
                timeout: self.timeout,
                recovered,
                recovery_failure,
            })
        })
    }
}
