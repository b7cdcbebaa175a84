//! Sessions: who a client is, carried by a signed cookie or token that every node can verify.
//!
//! A session is a small JSON value (an id, the logged-in [`User`] if any, the app's own data, an
//! expiry) signed with HMAC-SHA256 under a key derived from the app's session secret
//! ([`cookie`]'s signed cookies). Nothing is stored on the server: any node that shares the secret
//! accepts the session, and a restart loses nothing. The value travels as the `rain_session`
//! cookie (`HttpOnly`, `SameSite=Lax`, `Path=/`, `Secure` when configured) for browsers, or as
//! the Socket.IO `auth` payload `{ "token": "<value>" }` for other clients.
//!
//! # Configuration
//!
//! | setting | default | builder | environment |
//! |---|---|---|---|
//! | the secret (at least 32 bytes) | a random key made at startup, with a warning once a session is used | [`App::session_secret`](crate::App::session_secret), [`Sessions::new`] | `RAIN_SESSION_SECRET` |
//! | how long a session lasts after it is last written | 7 days | [`Sessions::max_age`] | `RAIN_SESSION_MAX_AGE` (seconds) |
//! | cookies sent over HTTPS only | no | [`Sessions::secure`] | `RAIN_SESSION_SECURE` (`1`/`true`) |
//!
//! Without a secret, sessions are signed with a random key: they do not survive a restart and
//! no other node accepts them. Production apps set `RAIN_SESSION_SECRET`. An app that uses
//! sessions without one is warned once, the first time a session is signed or a client's session
//! is verified; an app that uses none is never warned.
//!
//! # Logging in from an HTTP route
//!
//! [`Session`] is an axum extractor; a handler changes it and returns it, which writes the
//! re-signed cookie. Routes added with [`App::route`](crate::App::route) share Rain's sessions.
//!
//! ```no_run
//! use axum::{Form, response::Redirect, routing::post};
//! use rain_core::{App, session::{Session, User}};
//! use serde::Deserialize;
//!
//! #[derive(Deserialize)]
//! struct Login { name: String }
//!
//! async fn log_in(mut session: Session, Form(login): Form<Login>) -> (Session, Redirect) {
//!     // A real app checks a password here.
//!     session.log_in(User::new(login.name.clone(), login.name));
//!     (session, Redirect::to("/"))
//! }
//!
//! async fn log_out(mut session: Session) -> (Session, Redirect) {
//!     session.log_out();
//!     (session, Redirect::to("/"))
//! }
//!
//! # async fn run() -> Result<(), rain_core::Error> {
//! App::discover()?
//!     .route("/login", post(log_in))
//!     .route("/logout", post(log_out))
//!     .serve_from_env()
//!     .await
//! # }
//! ```
//!
//! # On sockets
//!
//! When a socket connects, Rain reads its session once, from the `auth` payload's `token` if the
//! client sent one, else from the handshake's cookie, and keeps it with the socket. Handlers take
//! [`Session`], [`User`] or [`MaybeUser`] as arguments, on connect and in event handlers; guards
//! ([`require_session`], [`require_user`]) refuse a socket or an event with the reason.
//!
//! ```no_run
//! use rain_core::prelude::*;
//! use rain_core::session::{MaybeUser, Session, User};
//!
//! #[component(name = "greeter", version = "1.0")]
//! mod greeter {
//!     use super::*;
//!
//!     #[websocket("hello")]
//!     async fn hello(socket: SocketRef, MaybeUser(user): MaybeUser) {
//!         let name = user.map_or("stranger".to_owned(), |user| user.name);
//!         socket.emit("welcome", &name).ok();
//!         // Event handlers take them too. With `User`, the handler is skipped for a socket
//!         // that nobody is logged in on.
//!         socket.on("rename", async |socket: SocketRef, user: User| {
//!             socket.emit("renamed", &user.name).ok();
//!         });
//!         socket.on("session", async |session: Session, ack: AckSender| {
//!             ack.send(session.id()).ok();
//!         });
//!     }
//!
//!     /// Only for logged-in users: a connect handler taking `User` is not called without one.
//!     #[websocket("members")]
//!     async fn members(socket: SocketRef, user: User, session: Session) {
//!         socket.emit("welcome", &(user.name, session.id())).ok();
//!     }
//! }
//! # fn main() {}
//! ```

use std::{
    fmt,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use axum::{
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use cookie::{Cookie, CookieJar, Key, SameSite};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use serde_json::{Map, Value};

use crate::{
    base::env::{self, EnvError},
    socket::guard::Refusal,
};

mod guards;
mod http;
mod socket;

pub use guards::{require_session, require_user};
pub use socket::{MaybeUser, ReadSession, of};
pub(crate) use socket::{owner, read};

/// The part of a Socket.IO `auth` payload that sessions read.
#[derive(Deserialize)]
struct Auth {
    token: Option<String>,
}

/// The name of the session cookie.
pub const COOKIE_NAME: &str = "rain_session";

/// How long a session lasts after it was last written, unless configured otherwise: 7 days.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// The shortest secret accepted, in bytes (the key derivation needs 256 bits).
pub const MIN_SECRET_LEN: usize = 32;

/// A logged-in user, as the app described it when logging in.
///
/// Also an argument of socket handlers (connect and events) and of axum handlers. Without a
/// logged-in user, a socket handler taking it is not called (the socket stays connected: refuse
/// it with the [`require_user`] guard instead) and an axum handler answers `401` with the reason.
/// [`MaybeUser`] never fails.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// What identifies the user to the app (an account id, say).
    pub id: String,
    /// The name to show.
    pub name: String,
}

impl User {
    /// A user with this id and display name.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
        }
    }
}

/// Why a client has no usable session. Its message is what the client is told.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The client sent no session cookie and no token.
    #[error("no session: log in first")]
    Missing,
    /// The session was valid but its max age has passed.
    #[error("session expired: log in again")]
    Expired,
    /// The cookie or token was not signed with this app's secret (forged, altered, or signed by a
    /// node with another secret).
    #[error("invalid session signature")]
    InvalidSignature,
    /// The signature is right but the contents cannot be read.
    #[error("invalid session: its contents cannot be read")]
    Malformed,
    /// The session has no logged-in user.
    #[error("not logged in: log in first")]
    NotLoggedIn,
    /// The request did not go through a Rain app's router, so no secret is known.
    #[error(
        "sessions are not set up for this route: add it with `App::route`, or wrap it in `Sessions::layer`"
    )]
    NotConfigured,
}

impl From<SessionError> for Refusal {
    fn from(error: SessionError) -> Self {
        Refusal::new(error.to_string())
    }
}

impl IntoResponse for SessionError {
    fn into_response(self) -> Response {
        let status = match self {
            SessionError::NotConfigured => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::UNAUTHORIZED,
        };
        (status, self.to_string()).into_response()
    }
}

/// A session secret too short to sign with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the session secret is {len} bytes long; it needs at least {MIN_SECRET_LEN} random bytes \
     (`openssl rand -base64 48` makes one)"
)]
pub struct SecretError {
    len: usize,
}

/// What is signed: everything a session is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Contents {
    /// Random, 128 bits; a new one on every log in and log out.
    id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user: Option<User>,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    data: Map<String, Value>,
    /// Seconds since the Unix epoch after which the session is refused.
    expires: u64,
}

/// A client's session: its id, its user when one is logged in, and the app's data.
///
/// An axum extractor in HTTP handlers (a new, empty session when the request has none or an
/// invalid one) and, returned from the handler, the response part that writes the cookie. A
/// socket extractor (connect and event handlers) that fails when the socket has no valid session;
/// there, it is the session as it was when the socket connected, and changing it changes nothing
/// the client holds.
#[derive(Clone)]
pub struct Session {
    contents: Contents,
    sessions: Sessions,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("id", &self.contents.id)
            .field("user", &self.contents.user)
            .field("data", &self.contents.data)
            .field("expires", &self.contents.expires)
            .finish()
    }
}

impl Session {
    /// This session's id: random, and renewed on every log in and log out.
    pub fn id(&self) -> &str {
        &self.contents.id
    }

    /// The logged-in user, if any.
    pub fn user(&self) -> Option<&User> {
        self.contents.user.as_ref()
    }

    /// Logs `user` in. The session gets a new id, so an id seen before logging in is worthless
    /// after.
    pub fn log_in(&mut self, user: User) {
        self.contents.id = new_id();
        self.contents.user = Some(user);
    }

    /// Logs the user out and forgets the session's data; the session gets a new id.
    pub fn log_out(&mut self) {
        self.contents = self.sessions.fresh_contents();
    }

    /// The app's value at `key`, if there is one of type `T`.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        T::deserialize(self.contents.data.get(key)?).ok()
    }

    /// Sets the app's value at `key` (a number, a string, a `json!` value; `serde_json::to_value`
    /// turns any serializable type into one). Keep values small: the whole session is in every
    /// request's cookie, and browsers refuse cookies over 4 KiB.
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<Value>) {
        self.contents.data.insert(key.into(), value.into());
    }

    /// Removes the app's value at `key`, returning it.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        self.contents.data.remove(key)
    }

    /// The app's values.
    pub fn data(&self) -> &Map<String, Value> {
        &self.contents.data
    }

    /// When this session stops being accepted (unless written again before then).
    pub fn expires_at(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(self.contents.expires)
    }

    /// Whether its expiry has passed.
    pub fn is_expired(&self) -> bool {
        self.contents.expires <= now()
    }

    /// This session as a signed token, valid for the max age from now: what a non-browser client
    /// sends as the Socket.IO `auth` payload `{ "token": "..." }`.
    pub fn token(&self) -> String {
        self.sessions.sign(&self.renewed())
    }

    /// The contents with a fresh expiry.
    fn renewed(&self) -> Contents {
        Contents {
            expires: self.sessions.expiry_from_now(),
            ..self.contents.clone()
        }
    }
}

/// The app's session settings and signing key: makes, signs and verifies sessions.
///
/// Cheap to clone. Two apps built with the same secret accept each other's sessions.
///
/// ```
/// use rain_core::session::{Sessions, User};
///
/// let secret = "a long random secret, 32 bytes at the very least";
/// let node_a = Sessions::new(secret).unwrap();
/// let node_b = Sessions::new(secret).unwrap();
/// let token = node_a.token_for(User::new("42", "Ada"));
/// assert_eq!(node_b.verify(&token).unwrap().user().unwrap().name, "Ada");
/// ```
#[derive(Clone)]
pub struct Sessions(Arc<Settings>);

#[derive(Clone)]
struct Settings {
    key: Key,
    max_age: Duration,
    secure: bool,
    /// Made up at startup because no secret was configured.
    random_key: bool,
    /// Whether the random key's warning was logged: once per key, shared by its clones.
    warned: Arc<AtomicBool>,
}

impl fmt::Debug for Sessions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the key.
        f.debug_struct("Sessions")
            .field("max_age", &self.0.max_age)
            .field("secure", &self.0.secure)
            .field("random_key", &self.0.random_key)
            .finish_non_exhaustive()
    }
}

impl Sessions {
    /// Sessions signed under a key derived from `secret` (at least [`MIN_SECRET_LEN`] bytes,
    /// random; `openssl rand -base64 48` makes one).
    pub fn new(secret: impl AsRef<[u8]>) -> Result<Self, SecretError> {
        let secret = secret.as_ref();
        if secret.len() < MIN_SECRET_LEN {
            return Err(SecretError { len: secret.len() });
        }
        Ok(Self::with_key(Key::derive_from(secret), false))
    }

    /// Sessions signed with a random key: they do not survive a restart and no other node
    /// accepts them. What an app without a configured secret uses.
    pub fn random() -> Self {
        Self::with_key(Key::generate(), true)
    }

    fn with_key(key: Key, random_key: bool) -> Self {
        Self(Arc::new(Settings {
            key,
            max_age: DEFAULT_MAX_AGE,
            secure: false,
            random_key,
            warned: Arc::new(AtomicBool::new(false)),
        }))
    }

    /// Sessions last `max_age` after they were last written (default [`DEFAULT_MAX_AGE`]).
    pub fn max_age(mut self, max_age: Duration) -> Self {
        Arc::make_mut(&mut self.0).max_age = max_age;
        self
    }

    /// Marks the cookie `Secure`, so browsers send it over HTTPS only (default: no, so that
    /// `http://127.0.0.1` works in development).
    pub fn secure(mut self, secure: bool) -> Self {
        Arc::make_mut(&mut self.0).secure = secure;
        self
    }

    /// How long sessions last after they were last written.
    pub fn current_max_age(&self) -> Duration {
        self.0.max_age
    }

    /// Whether the cookie is marked `Secure`.
    pub fn is_secure(&self) -> bool {
        self.0.secure
    }

    /// Whether the key was made at random because no secret was configured.
    pub fn has_random_key(&self) -> bool {
        self.0.random_key
    }

    /// These settings, overridden by `RAIN_SESSION_SECRET`, `RAIN_SESSION_MAX_AGE` and
    /// `RAIN_SESSION_SECURE` where they are set (see the [module docs](self)).
    pub fn with_env(self) -> Result<Self, EnvError> {
        self.with_lookup(env::process)
    }

    /// [`Sessions::with_env`] over any source of variables (tests pass a map).
    pub fn with_lookup(self, lookup: impl Fn(&str) -> Option<String>) -> Result<Self, EnvError> {
        const SECRET: &str = "RAIN_SESSION_SECRET";
        let mut sessions = match lookup(SECRET) {
            Some(secret) => Sessions::new(secret.trim())
                .map_err(|error| EnvError::refused(SECRET, error))?
                .max_age(self.0.max_age)
                .secure(self.0.secure),
            None => self,
        };
        let max_age = "a whole number of seconds";
        if let Some(seconds) = env::parse(&lookup, "RAIN_SESSION_MAX_AGE", max_age)? {
            sessions = sessions.max_age(Duration::from_secs(seconds));
        }
        if let Some(secure) = env::flag(&lookup, "RAIN_SESSION_SECURE")? {
            sessions = sessions.secure(secure);
        }
        Ok(sessions)
    }

    /// A new session with no user and no data.
    pub fn new_session(&self) -> Session {
        Session {
            contents: self.fresh_contents(),
            sessions: self.clone(),
        }
    }

    /// A signed token for a new session with `user` logged in: what a non-browser client sends
    /// as the Socket.IO `auth` payload `{ "token": "..." }`.
    pub fn token_for(&self, user: User) -> String {
        let mut session = self.new_session();
        session.log_in(user);
        session.token()
    }

    /// The session a token (or cookie value) carries, if it was signed with this key and has not
    /// expired.
    pub fn verify(&self, token: &str) -> Result<Session, SessionError> {
        self.verify_at(token, now())
    }

    fn verify_at(&self, token: &str, now: u64) -> Result<Session, SessionError> {
        self.warn_if_random();
        let cookie = CookieJar::new()
            .signed(&self.0.key)
            .verify(Cookie::new(COOKIE_NAME, token.to_owned()))
            .ok_or(SessionError::InvalidSignature)?;
        let json = URL_SAFE_NO_PAD
            .decode(cookie.value())
            .map_err(|_| SessionError::Malformed)?;
        let contents: Contents =
            serde_json::from_slice(&json).map_err(|_| SessionError::Malformed)?;
        if contents.expires <= now {
            return Err(SessionError::Expired);
        }
        Ok(Session {
            contents,
            sessions: self.clone(),
        })
    }

    /// The session of a request or handshake: the `rain_session` cookie, verified.
    pub fn from_headers(&self, headers: &HeaderMap) -> Result<Session, SessionError> {
        let value = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(Cookie::split_parse)
            .filter_map(Result::ok)
            .find(|cookie| cookie.name() == COOKIE_NAME)
            .ok_or(SessionError::Missing)?;
        self.verify(value.value())
    }

    /// A tower layer that makes these sessions available to axum routes outside a Rain app's
    /// router (routes added with [`App::route`](crate::App::route) have them already).
    pub fn layer(&self) -> axum::Extension<Sessions> {
        axum::Extension(self.clone())
    }

    /// The `Set-Cookie` value that stores `session` in the browser, renewed for the max age.
    pub fn set_cookie(&self, session: &Session) -> HeaderValue {
        let value = self.sign(&session.renewed());
        let max_age = cookie::time::Duration::seconds(
            i64::try_from(self.0.max_age.as_secs()).unwrap_or(i64::MAX),
        );
        let cookie = Cookie::build((COOKIE_NAME, value))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.0.secure)
            .max_age(max_age)
            .build();
        HeaderValue::from_str(&cookie.to_string())
            .expect("a signed session cookie is base64 and attribute text")
    }

    fn sign(&self, contents: &Contents) -> String {
        self.warn_if_random();
        let json = serde_json::to_vec(contents).expect("session contents serialize");
        let mut jar = CookieJar::new();
        jar.signed_mut(&self.0.key)
            .add(Cookie::new(COOKIE_NAME, URL_SAFE_NO_PAD.encode(json)));
        jar.get(COOKIE_NAME)
            .map(|cookie| cookie.value().to_owned())
            .expect("the cookie just added")
    }

    fn fresh_contents(&self) -> Contents {
        Contents {
            id: new_id(),
            user: None,
            data: Map::new(),
            expires: self.expiry_from_now(),
        }
    }

    fn expiry_from_now(&self) -> u64 {
        now().saturating_add(self.0.max_age.as_secs())
    }

    /// The session a connecting socket presents: the `auth` payload's `token` when there is one,
    /// else the handshake's cookie.
    fn of_handshake(
        &self,
        headers: &HeaderMap,
        auth: Option<Auth>,
    ) -> Result<Session, SessionError> {
        match auth.and_then(|auth| auth.token) {
            Some(token) => self.verify(&token),
            None => self.from_headers(headers),
        }
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

fn new_id() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    URL_SAFE_NO_PAD.encode(bytes)
}

impl Sessions {
    /// Logs, the first time a random key signs or verifies a session, that sessions are signed
    /// with it. Called by the two steps every use of a session goes through (`sign`,
    /// `verify_at`), so that an app that never uses a session is not warned about its key: a
    /// socket's handshake verifies a session only when the client presents one, which only an
    /// app using sessions hands out.
    fn warn_if_random(&self) {
        if self.0.random_key && !self.0.warned.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                "no session secret is configured (RAIN_SESSION_SECRET or App::session_secret): \
                 sessions are signed with a random key made at startup, so they end when the \
                 server restarts and other nodes refuse them"
            );
        }
    }
}

#[cfg(test)]
mod tests;
