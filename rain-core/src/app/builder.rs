//! The [`App`] and its builder methods: what an app is made of before it is served.

use std::{sync::Arc, time::Duration};

use axum::routing::MethodRouter;

use super::{error::Error, page::Page, redis::redis_client};
use crate::{
    base::{
        adapter::SocketIo, engine::EngineSettings, limits::Limits,
        shutdown::DEFAULT_SHUTDOWN_TIMEOUT, state::States,
    },
    features::session::Sessions,
    registry::Registry,
};

/// A Rain application: the discovered components and sockets, and the pages that show them.
///
/// ```no_run
/// # async fn run() -> Result<(), rain_core::Error> {
/// use rain_core::{App, Page};
///
/// App::discover()?
///     .page("/", Page::new("Home").view("intents-example-1.0", "index"))
///     .serve_from_env()
///     .await
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct App {
    pub(super) registry: Arc<Registry>,
    pub(super) pages: Vec<(String, Page)>,
    pub(super) limits: Limits,
    /// As given; checked by [`EngineSettings::check`] when the router is built.
    pub(super) engine: EngineSettings,
    /// `None` until configured: a random key is made when the router is built.
    pub(super) sessions: Option<Sessions>,
    pub(super) routes: Vec<(String, MethodRouter)>,
    pub(super) socket_io_setups: Vec<fn(&SocketIo)>,
    /// As given; checked by [`AllowedOrigins::parse`] when the router is built.
    pub(super) origins: Vec<String>,
    pub(super) shutdown_timeout: Duration,
    pub(super) redis: Option<redis::Client>,
    /// Given with [`App::state`]; checked against what the functions read when the router is built.
    pub(super) states: States,
}

impl App {
    /// Discovers every linked component and socket ([`Registry::discover`]).
    pub fn discover() -> Result<Self, Error> {
        Ok(Self::new(Registry::discover()?))
    }

    /// An app serving the components of `registry`.
    pub fn new(registry: Registry) -> Self {
        Self {
            registry: Arc::new(registry),
            pages: Vec::new(),
            limits: Limits::default(),
            engine: EngineSettings::default(),
            sessions: None,
            routes: Vec::new(),
            socket_io_setups: Vec::new(),
            origins: Vec::new(),
            shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
            redis: None,
            states: States::default(),
        }
    }

    /// The components and sockets this app serves.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Enforces `limits` instead of [`Limits::default`] (see [`crate::limits`]).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The limits this app enforces.
    pub fn current_limits(&self) -> &Limits {
        &self.limits
    }

    /// Runs every connection with `engine`'s heartbeat, timeouts, transports, send buffer and
    /// path instead of [`EngineSettings::default`] (see [`crate::engine`]); `RAIN_PING_INTERVAL`
    /// and the other variables there override them in [`App::serve_from_env`].
    ///
    /// [`App::router`] and the `serve` methods fail, naming the setting, when one cannot be used.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), rain_core::Error> {
    /// use std::time::Duration;
    /// use rain_core::engine::{EngineSettings, Transports};
    ///
    /// let mut engine = EngineSettings::default();
    /// // A proxy in front closes connections idle for 60 s.
    /// engine.ping_interval = Duration::from_secs(20);
    /// engine.transports = Transports::WebSocket;
    /// rain_core::App::discover()?.engine(engine).serve_from_env().await
    /// # }
    /// ```
    pub fn engine(mut self, engine: EngineSettings) -> Self {
        self.engine = engine;
        self
    }

    /// The engine settings this app runs with.
    pub fn current_engine(&self) -> &EngineSettings {
        &self.engine
    }

    /// Signs sessions under a key derived from `secret` (at least
    /// [`MIN_SECRET_LEN`](crate::session::MIN_SECRET_LEN) random bytes), so that they survive restarts
    /// and every node with the same secret accepts them (see [`crate::session`]).
    ///
    /// Without one (and without `RAIN_SESSION_SECRET`), a random key is made at startup and a
    /// warning logged once a session is used. Fails when the secret is too short.
    ///
    /// ```no_run
    /// # fn run() -> Result<(), rain_core::Error> {
    /// let secret = std::fs::read("/run/secrets/rain-session").expect("the secret file");
    /// let app = rain_core::App::discover()?.session_secret(secret)?;
    /// # Ok(()) }
    /// ```
    pub fn session_secret(self, secret: impl AsRef<[u8]>) -> Result<Self, Error> {
        let sessions = match &self.sessions {
            Some(current) => Sessions::new(secret)?
                .max_age(current.current_max_age())
                .secure(current.is_secure()),
            None => Sessions::new(secret)?,
        };
        Ok(self.sessions(sessions))
    }

    /// Uses `sessions` (a key with its max age and cookie settings) for this app's sessions.
    pub fn sessions(mut self, sessions: Sessions) -> Self {
        self.sessions = Some(sessions);
        self
    }

    /// The app with its sessions settled, and those sessions: a random key is made now if it
    /// has none, so that what the caller signs with them the served app accepts.
    #[cfg(feature = "testing")]
    pub(crate) fn settled_sessions(mut self) -> (Self, Sessions) {
        let sessions = self.sessions.take().unwrap_or_else(Sessions::random);
        self.sessions = Some(sessions.clone());
        (self, sessions)
    }

    /// Shares `value` with every handler: each one that takes a [`State<T>`](crate::State) of its
    /// type gets a clone (see [`crate::state`]). An app has one value per type; a later value
    /// of a type replaces the earlier one. Share a large value behind an `Arc`.
    ///
    /// [`App::router`] and the `serve` methods fail when a `#[websocket]` or `#[intent]`
    /// function takes a `State<T>` that no call to `state` gave.
    ///
    /// ```no_run
    /// use std::sync::{Arc, atomic::{AtomicU64, Ordering}};
    ///
    /// use axum::routing::get;
    /// use rain_core::State;
    ///
    /// #[derive(Clone, Default)]
    /// struct Visits(Arc<AtomicU64>);
    ///
    /// # async fn run() -> Result<(), rain_core::Error> {
    /// rain_core::App::discover()?
    ///     .state(Visits::default())
    ///     .state(String::from("configuration"))
    ///     .route("/visits", get(async |State(visits): State<Visits>| {
    ///         (visits.0.fetch_add(1, Ordering::Relaxed) + 1).to_string()
    ///     }))
    ///     .serve_from_env()
    ///     .await
    /// # }
    /// ```
    pub fn state<T: Clone + Send + Sync + 'static>(mut self, value: T) -> Self {
        self.states.insert(value);
        self
    }

    /// Serves an app's own HTTP route at `path` (a login form's `POST`, say), beside Rain's.
    ///
    /// Its handlers can take [`Session`](crate::session::Session), [`User`](crate::session::User),
    /// [`Sessions`] and the app's [`State<T>`](crate::State) as arguments. Like axum's `Router::route`, a path routed twice for one method
    /// panics when the router is built.
    ///
    /// ```no_run
    /// use axum::routing::get;
    /// use rain_core::session::User;
    ///
    /// # fn run() -> Result<(), rain_core::Error> {
    /// let app = rain_core::App::discover()?
    ///     .route("/hello", get(async |user: User| format!("Hello {}", user.name)));
    /// # Ok(()) }
    /// ```
    pub fn route(mut self, path: impl Into<String>, method_router: MethodRouter) -> Self {
        self.routes.push((path.into(), method_router));
        self
    }

    /// Calls `setup` with the Socket.IO server once the components' sockets are mounted, to
    /// mount namespaces written directly with socketioxide. Such a namespace reads sessions only
    /// if its handler has [`ReadSession`](crate::session::ReadSession) as its last middleware.
    ///
    /// ```no_run
    /// use rain_core::{SocketRef, session::ReadSession};
    /// use socketioxide::handler::ConnectHandler as _;
    ///
    /// # fn run() -> Result<(), rain_core::Error> {
    /// let app = rain_core::App::discover()?.on_socket_io(|io| {
    ///     io.ns("/plain", (async |socket: SocketRef| {}).with(ReadSession));
    /// });
    /// # Ok(()) }
    /// ```
    pub fn on_socket_io(mut self, setup: fn(&SocketIo)) -> Self {
        self.socket_io_setups.push(setup);
        self
    }

    /// Lets pages from `origins` use the sockets, besides the server's own origin (see
    /// [`crate::origin`]); `RAIN_ALLOWED_ORIGINS` replaces this list in [`App::serve_from_env`].
    ///
    /// An entry that is not an origin (or is `*`) makes [`App::router`] and the `serve` methods
    /// fail, naming it.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), rain_core::Error> {
    /// rain_core::App::discover()?
    ///     .allowed_origins(["https://app.example", "http://localhost:5173"])
    ///     .serve_from_env()
    ///     .await
    /// # }
    /// ```
    pub fn allowed_origins<I>(mut self, origins: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.origins = origins
            .into_iter()
            .map(|origin| origin.as_ref().to_owned())
            .collect();
        self
    }

    /// How long a graceful shutdown lets running handlers finish before it closes every socket
    /// (default 10 s; `RAIN_SHUTDOWN_TIMEOUT`, in seconds, in [`App::serve_from_env`]). See
    /// [`crate::shutdown`].
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), rain_core::Error> {
    /// use std::time::Duration;
    ///
    /// rain_core::App::discover()?
    ///     .shutdown_timeout(Duration::from_secs(30))
    ///     .serve_from_env()
    ///     .await
    /// # }
    /// ```
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = timeout;
        self
    }

    /// Shares every socket with the other nodes of this app that use the Redis at `url` (Redis 7
    /// or later; see [`crate::cluster`]): broadcasts, rooms, `fetch_sockets` and `disconnect`
    /// reach every node. [`App::serve_from_env`] calls it with `RAIN_REDIS_URL` when that is set.
    ///
    /// Fails only when `url` is not a Redis URL: an unreachable Redis is waited for, while this
    /// node serves its own clients.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), rain_core::Error> {
    /// rain_core::App::discover()?
    ///     .redis("redis://127.0.0.1:6379")?
    ///     .serve_from_env()
    ///     .await
    /// # }
    /// ```
    pub fn redis(mut self, url: &str) -> Result<Self, Error> {
        self.redis = Some(redis_client(url)?);
        Ok(self)
    }

    /// Serves `page` at `path` (an axum route path such as `/` or `/chat`).
    pub fn page(mut self, path: impl Into<String>, page: Page) -> Self {
        self.pages.push((path.into(), page));
        self
    }
}
