//! The HTTP and Socket.IO server built from a [`Registry`]: one axum `Router`, one port.

use std::{
    future::Future,
    net::SocketAddr,
    path::Path as StdPath,
    sync::{Arc, OnceLock},
    time::Duration,
};

use axum::{
    Json, Router,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::{Html, IntoResponse, Response},
    routing::{MethodRouter, get},
};
use serde::Serialize;
use socketioxide::{ParserConfig, layer::SocketIoLayer};
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;

use crate::{
    Adapter, Error, Limits, Page, SocketIo,
    admission::{self, ConnectionLimiter, Gate},
    assets::{Asset, checked_path},
    base::env,
    bindings::{self, Bindings},
    client,
    cluster::{AdapterState, RedisLink},
    introspection,
    metrics::{self, Metrics},
    origin::AllowedOrigins,
    registry::{Location, Registry},
    session::{self, Sessions},
    shutdown::{DEFAULT_SHUTDOWN_TIMEOUT, Drain},
};

/// Binary attachments one Socket.IO packet may announce. Rain's browser runtime sends none; the
/// official clients send one per `Buffer`/`ArrayBuffer` argument.
const MAX_ATTACHMENTS: usize = 64;

/// How long the attachments a packet announced may take to arrive before the connection is closed.
const ATTACHMENT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a new Engine.IO session may take to join its first namespace.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The address [`App::serve_from_env`] listens on when `RAIN_ADDR` is not set.
pub const DEFAULT_ADDR: &str = "127.0.0.1:3000";

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
    registry: Arc<Registry>,
    pages: Vec<(String, Page)>,
    limits: Limits,
    /// `None` until configured: a random key is made when the router is built.
    sessions: Option<Sessions>,
    routes: Vec<(String, MethodRouter)>,
    socket_io_setups: Vec<fn(&SocketIo)>,
    /// As given; checked by [`AllowedOrigins::parse`] when the router is built.
    origins: Vec<String>,
    shutdown_timeout: Duration,
    redis: Option<redis::Client>,
}

/// What every request handler shares.
struct Shared {
    registry: Arc<Registry>,
    pages: Vec<(String, Page)>,
    /// What this server measures, served at `/rain/metrics` and shown at `/rain`.
    metrics: Arc<Metrics>,
    /// The server's sockets, whose live counts `/rain` and `/rain/metrics` show.
    io: SocketIo,
    /// `bindings.js` and `bindings.d.ts`, generated on first request: an app with many sockets
    /// starts without paying for TypeScript it may never serve.
    bindings: OnceLock<Result<[Asset; 2], String>>,
}

impl Shared {
    /// Serves one of the generated bindings files (0: `.js`, 1: `.d.ts`).
    fn bindings(&self, index: usize, headers: &HeaderMap) -> Response {
        let generated = self.bindings.get_or_init(|| {
            bindings::generate(&self.registry)
                .map(|b| {
                    [
                        generated("bindings.js", b.js),
                        generated("bindings.d.ts", b.dts),
                    ]
                })
                .map_err(|error| {
                    tracing::error!(%error, "client bindings not generated");
                    error.to_string()
                })
        });
        match generated {
            Ok(files) => files[index].respond(headers),
            Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, error.clone()).into_response(),
        }
    }
}

type SharedState = State<Arc<Shared>>;

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
            sessions: None,
            routes: Vec::new(),
            socket_io_setups: Vec::new(),
            origins: Vec::new(),
            shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
            redis: None,
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

    /// Signs sessions under a key derived from `secret` (at least
    /// [`MIN_SECRET_LEN`](session::MIN_SECRET_LEN) random bytes), so that they survive restarts
    /// and every node with the same secret accepts them (see [`crate::session`]).
    ///
    /// Without one (and without `RAIN_SESSION_SECRET`), a random key is made at startup and a
    /// warning logged. Fails when the secret is too short.
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

    /// Serves an app's own HTTP route at `path` (a login form's `POST`, say), beside Rain's.
    ///
    /// Its handlers can take [`Session`](session::Session), [`User`](session::User) and
    /// [`Sessions`] as arguments. Like axum's `Router::route`, a path routed twice for one method
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
    /// if its handler has [`ReadSession`](session::ReadSession) as its last middleware.
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

    /// Builds the Socket.IO server with every socket mounted at its namespace.
    ///
    /// Returns the layer to put on a `Router` and the handle to emit from outside handlers. With
    /// [`App::redis`], it must be called inside a Tokio runtime (the Redis link runs there).
    pub fn socket_io(&self) -> (SocketIoLayer<Adapter>, SocketIo) {
        let (layer, io, _) = self.socket_io_measured(metrics_of(&self.registry));
        (layer, io)
    }

    /// [`App::socket_io`], counting into `metrics` (which handlers reach through the server's
    /// state), and the Redis link when there is one.
    fn socket_io_measured(
        &self,
        metrics: Arc<Metrics>,
    ) -> (SocketIoLayer<Adapter>, SocketIo, Option<RedisLink>) {
        let link = self.redis.clone().and_then(|client| {
            let target = client.get_connection_info().addr().to_string();
            RedisLink::open(client)
                .map_err(|source| Error::Redis {
                    context: format!("cannot use Redis at {target}"),
                    source,
                })
                .inspect_err(|error| tracing::error!(%error, "serving this node's clients only"))
                .ok()
        });
        let state = match &link {
            Some(link) => AdapterState::redis(link.clone()),
            None => AdapterState::local(),
        };
        // Each WebSocket keeps a read buffer of this size for its whole life; Socket.IO packets are
        // small, and a larger frame still grows the buffer to fit. 4 KiB is the engine's default.
        let max_payload = self.limits.max_payload;
        let max_message = usize::try_from(max_payload).unwrap_or(usize::MAX);
        let (layer, io) = socketioxide::SocketIo::builder()
            .ws_read_buffer_size(1024)
            // One Engine.IO packet is one WebSocket message; a polling body is checked against
            // `max_payload` by the engine itself (413).
            .max_payload(max_payload)
            .ws_max_message_size(max_message)
            .ws_max_frame_size(max_message)
            // A session that never joins a namespace keeps its connection permit (see
            // `admission`) until this timeout closes it: socketioxide's 45 s is generous.
            .connect_timeout(CONNECT_TIMEOUT)
            .with_parser(
                ParserConfig::common()
                    .max_incoming_binary_buf_size(max_message)
                    .max_incoming_binaries(MAX_ATTACHMENTS)
                    .packet_completion_timeout(ATTACHMENT_TIMEOUT),
            )
            .with_state(metrics)
            .with_adapter::<Adapter>(state)
            .build_layer();
        for socket in self.registry.sockets() {
            socket.mount(&io, &self.limits);
        }
        for setup in &self.socket_io_setups {
            setup(&io);
        }
        (layer, io, link)
    }

    /// The whole app as an axum `Router`, to serve, nest into a larger app or wrap in tower layers.
    ///
    /// Fails when a page shows a component or view that does not exist. With [`App::redis`], call
    /// it inside a Tokio runtime.
    pub fn router(&self) -> Result<Router, Error> {
        Ok(self.router_with_io()?.0)
    }

    #[allow(
        clippy::type_complexity,
        reason = "private; the router, its Socket.IO handle, its shutdown drain and its Redis link"
    )]
    fn router_with_io(&self) -> Result<(Router, SocketIo, Arc<Drain>, Option<RedisLink>), Error> {
        let origins = AllowedOrigins::parse(&self.origins)?;
        for (path, page) in &self.pages {
            page.check(path, &self.registry)?;
        }
        bindings::check_names(&self.registry)?;
        let metrics = metrics_of(&self.registry);
        let (layer, io, link) = self.socket_io_measured(Arc::clone(&metrics));
        let shared = Arc::new(Shared {
            registry: Arc::clone(&self.registry),
            pages: self.pages.clone(),
            metrics: Arc::clone(&metrics),
            io: io.clone(),
            bindings: OnceLock::new(),
        });
        let mut router = Router::new()
            .route("/rain", get(introspection_page))
            .route("/rain/metrics", get(metrics_text))
            .route("/rain/sockets", get(sockets_json))
            .route(
                "/rain/bindings.js",
                get(async |State(shared): SharedState, headers: HeaderMap| {
                    shared.bindings(0, &headers)
                }),
            )
            .route(
                "/rain/bindings.d.ts",
                get(async |State(shared): SharedState, headers: HeaderMap| {
                    shared.bindings(1, &headers)
                }),
            )
            .route("/rain/{file}", get(client::runtime_file))
            .route("/{module_id}/{*path}", get(component_file));
        for (index, (path, _)) in self.pages.iter().enumerate() {
            router = router.route(
                path,
                get(async move |State(shared): SharedState| {
                    Html(shared.pages[index].1.render(&shared.registry))
                }),
            );
        }
        for (path, method_router) in &self.routes {
            // Given its state now, so that the layers below wrap it once rather than per request.
            router = router.route(path, method_router.clone().with_state(()));
        }
        let sessions = self.sessions.clone().unwrap_or_else(Sessions::random);
        session::warn_if_random(&sessions);
        let gate = Gate {
            limiter: ConnectionLimiter::new(&self.limits),
            drain: Arc::new(Drain::default()),
            cors: origins.cors(),
            origins,
            max_payload: self.limits.max_payload,
            metrics,
        };
        let drain = Arc::clone(&gate.drain);
        let router = router
            .fallback(|| async { (StatusCode::NOT_FOUND, "not found") })
            // Before the layers: the Socket.IO layer must wrap services that exist once, not
            // handlers made into services per request (each would get its own Engine.IO).
            .with_state(shared)
            .layer(layer)
            // Outside the Socket.IO layer, so that handshakes carry the sessions too.
            .layer(sessions.layer())
            .layer(gate.cors.clone())
            // Outside CORS: a foreign origin is refused before anything answers it.
            .layer(axum::middleware::from_fn_with_state(gate, admission::admit))
            .layer(CatchPanicLayer::new());
        Ok((router, io, drain, link))
    }

    /// The client bindings of this app's components and sockets (see [`crate::bindings`]).
    pub fn bindings(&self) -> Result<Bindings, Error> {
        bindings::generate(&self.registry)
    }

    /// Writes `bindings.js` and `bindings.d.ts` into `folder`, creating it if needed.
    pub fn write_bindings(&self, folder: impl AsRef<StdPath>) -> Result<(), Error> {
        let folder = folder.as_ref();
        let bindings = self.bindings()?;
        let io = |source| Error::Io {
            context: format!("cannot write the bindings to `{}`", folder.display()),
            source,
        };
        std::fs::create_dir_all(folder).map_err(io)?;
        std::fs::write(folder.join("bindings.js"), bindings.js).map_err(io)?;
        std::fs::write(folder.join("bindings.d.ts"), bindings.dts).map_err(io)
    }

    /// Checks that the bindings in `folder` are the ones [`App::write_bindings`] would write.
    ///
    /// Fails with [`Error::StaleBindings`], which carries a unified diff, when they differ or
    /// are missing.
    pub fn check_bindings(&self, folder: impl AsRef<StdPath>) -> Result<(), Error> {
        let folder = folder.as_ref();
        let bindings = self.bindings()?;
        let mut diff = String::new();
        for (file, expected) in [
            ("bindings.js", &bindings.js),
            ("bindings.d.ts", &bindings.dts),
        ] {
            let path = folder.join(file);
            let found = std::fs::read_to_string(&path).unwrap_or_default();
            if &found != expected {
                let name = path.display().to_string();
                diff.push_str(
                    &similar::TextDiff::from_lines(&found, expected)
                        .unified_diff()
                        .context_radius(2)
                        .header(&name, &format!("{name} (generated)"))
                        .to_string(),
                );
            }
        }
        if diff.is_empty() {
            Ok(())
        } else {
            Err(Error::StaleBindings {
                folder: folder.display().to_string(),
                diff,
            })
        }
    }

    /// What a Rain app's `main` does: with no arguments, [`App::serve_from_env`]; with
    /// `bindings write <folder>` or `bindings check <folder>`, [`App::write_bindings`] or
    /// [`App::check_bindings`] and exit.
    ///
    /// ```no_run
    /// #[tokio::main]
    /// async fn main() -> Result<(), rain_core::Error> {
    ///     rain_core::App::discover()?.run_from_env().await
    /// }
    /// ```
    pub async fn run_from_env(self) -> Result<(), Error> {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        match args.as_slice() {
            [] => self.serve_from_env().await,
            ["bindings", "write", folder] => {
                self.write_bindings(folder)?;
                println!("wrote {folder}/bindings.js and {folder}/bindings.d.ts");
                Ok(())
            }
            ["bindings", "check", folder] => {
                self.check_bindings(folder)?;
                println!("{folder}: the bindings are up to date");
                Ok(())
            }
            _ => Err(Error::Usage(format!(
                "unknown arguments `{}`; expected none (serve on RAIN_ADDR), \
                 `bindings write <folder>` or `bindings check <folder>`",
                args.join(" ")
            ))),
        }
    }

    /// Serves on `RAIN_ADDR` (default `127.0.0.1:3000`) until Ctrl-C, with the limits and session
    /// settings that `RAIN_*` variables set over the builder's (see [`crate::limits`] and
    /// [`crate::session`]), sharing sockets through the Redis at `RAIN_REDIS_URL` when that is
    /// set ([`App::redis`]).
    ///
    /// Also installs a `tracing` subscriber (filtered by `RUST_LOG`, default `info`) unless the
    /// program installed one already.
    pub async fn serve_from_env(mut self) -> Result<(), Error> {
        self.limits = self.limits.with_env()?;
        let sessions = self.sessions.take().unwrap_or_else(Sessions::random);
        self.sessions = Some(sessions.with_env()?);
        if let Ok(list) = std::env::var("RAIN_ALLOWED_ORIGINS") {
            self.origins = list.split(',').map(str::to_owned).collect();
        }
        let seconds = "a whole number of seconds";
        if let Some(seconds) = env::parse(&env::process, "RAIN_SHUTDOWN_TIMEOUT", seconds)? {
            self.shutdown_timeout = Duration::from_secs(seconds);
        }
        if let Ok(url) = std::env::var("RAIN_REDIS_URL")
            && !url.is_empty()
        {
            self = self.redis(&url)?;
        }
        let value = std::env::var("RAIN_ADDR").unwrap_or_else(|_| DEFAULT_ADDR.to_owned());
        let addr: SocketAddr = value
            .parse()
            .map_err(|source| Error::BadAddress { value, source })?;
        let _ = tracing_subscriber::fmt()
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_default_env()
                    .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
            )
            .try_init();
        self.serve(addr).await
    }

    /// Serves on `addr` until Ctrl-C (or, on Unix, `SIGTERM`).
    pub async fn serve(self, addr: SocketAddr) -> Result<(), Error> {
        let listener = TcpListener::bind(addr).await.map_err(|source| Error::Io {
            context: format!("cannot listen on {addr}"),
            source,
        })?;
        self.serve_with(listener, stop_signal()).await
    }

    /// Serves on `listener` until `shutdown` completes, then shuts down gracefully (see
    /// [`crate::shutdown`]): refuses new sessions, sends every socket `rain:shutdown`, lets
    /// running handlers finish within [`App::shutdown_timeout`], closes every socket and stops.
    ///
    /// Prints the components, their sockets and pages, then `listening on http://<addr>`.
    pub async fn serve_with(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), Error> {
        let (router, io, drain, link) = self.router_with_io()?;
        let timeout = self.shutdown_timeout;
        if let Some(link) = &link {
            // Listening is announced once other nodes' messages reach this one (or Redis is late).
            link.settled(std::time::Duration::from_secs(5)).await;
        }
        let addr = listener.local_addr().map_err(|source| Error::Io {
            context: "cannot read the listening address".to_owned(),
            source,
        })?;
        println!("{}", self.startup_table(addr));
        if let Some(link) = &link {
            println!(
                "sockets shared with the other nodes through Redis at {}",
                link.target()
            );
        }
        println!("listening on http://{addr}");
        // The peer address is what `max_connections_per_client` counts by.
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, service)
            .with_graceful_shutdown(async move {
                shutdown.await;
                // Long-polling requests and WebSocket sessions would otherwise hold the
                // shutdown open until their clients go away.
                drain.shut_down(&io, timeout).await;
            })
            .await
            .map_err(|source| Error::Io {
                context: "serving failed".to_owned(),
                source,
            })
    }

    /// The table printed at startup: every component, its sockets and namespaces, the pages, and
    /// where to watch the app (`/rain`, `/rain/metrics`).
    pub fn startup_table(&self, addr: SocketAddr) -> String {
        let mut rows = vec![[
            "component".to_owned(),
            "socket".to_owned(),
            "namespace / page".to_owned(),
        ]];
        for component in self.registry.components() {
            let id = component.module_id();
            for socket in self.registry.sockets_of(id) {
                rows.push([
                    id.to_owned(),
                    socket.name().to_owned(),
                    socket.namespace().to_owned(),
                ]);
            }
            for view in component.views() {
                rows.push([
                    id.to_owned(),
                    String::new(),
                    format!("http://{addr}/{id}/{view}"),
                ]);
            }
        }
        for (path, _) in &self.pages {
            rows.push([
                "(page)".to_owned(),
                String::new(),
                format!("http://{addr}{path}"),
            ]);
        }
        for (what, path) in [("(introspection)", "/rain"), ("(metrics)", "/rain/metrics")] {
            rows.push([
                what.to_owned(),
                String::new(),
                format!("http://{addr}{path}"),
            ]);
        }
        let widths: Vec<usize> = (0..3)
            .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
            .collect();
        rows.iter()
            .map(|r| {
                format!(
                    "{:w0$}  {:w1$}  {}",
                    r[0],
                    r[1],
                    r[2],
                    w0 = widths[0],
                    w1 = widths[1]
                )
                .trim_end()
                .to_owned()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Completes on Ctrl-C, or on `SIGTERM` where there is one (what service managers send).
/// The metrics of a server of `registry`'s sockets.
fn metrics_of(registry: &Registry) -> Arc<Metrics> {
    Metrics::new(
        registry
            .sockets()
            .iter()
            .map(|socket| (socket.module_id(), socket.name(), socket.namespace())),
    )
}

async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    tracing::info!("stopping: closing every socket");
}

/// A generated file, served and revalidated like the embedded ones.
fn generated(name: &str, text: String) -> Asset {
    use sha2::Digest as _;
    let hash = sha2::Sha256::digest(text.as_bytes()).into();
    Asset::new(name, text.into_bytes().into(), hash)
}

/// One entry of `GET /rain/sockets`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SocketInfo<'a> {
    module_id: &'a str,
    name: &'a str,
    namespace: &'a str,
    handler: &'a str,
    location: Location,
}

/// `GET /rain/sockets`: every socket, sorted by namespace.
async fn sockets_json(State(shared): SharedState) -> Response {
    let sockets: Vec<SocketInfo<'_>> = shared
        .registry
        .sockets()
        .iter()
        .map(|s| SocketInfo {
            module_id: s.module_id(),
            name: s.name(),
            namespace: s.namespace(),
            handler: s.handler(),
            location: s.location(),
        })
        .collect();
    Json(sockets).into_response()
}

/// `GET /rain`: the components, their sockets and events, and the live connection counts.
async fn introspection_page(State(shared): SharedState) -> Html<String> {
    Html(introspection::render(
        &shared.registry,
        &shared.pages,
        &shared.io,
    ))
}

/// `GET /rain/metrics`: every metric, in the Prometheus text format.
async fn metrics_text(State(shared): SharedState) -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, metrics::CONTENT_TYPE)],
        shared.metrics.render(&shared.io),
    )
        .into_response()
}

/// `GET /{module id}/{path}`: a view rendered as a page (`/chat-1.0/index`) or a component file.
async fn component_file(
    State(shared): SharedState,
    Path((module_id, path)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let Some(component) = shared.registry.component(&module_id) else {
        return (StatusCode::NOT_FOUND, "no such component").into_response();
    };
    if !path.contains(['.', '/']) && component.asset(&format!("views/{path}.html")).is_some() {
        let page = Page::new(format!("{module_id} {path}")).view(module_id, path);
        return Html(page.render(&shared.registry)).into_response();
    }
    match checked_path(&path).and_then(|p| component.asset(p)) {
        Some(file) => Asset::embedded(&path, file).respond(&headers),
        None => (StatusCode::NOT_FOUND, "no such file").into_response(),
    }
}

/// Parses a Redis URL, asking for the RESP3 protocol the adapter needs unless the URL names one.
fn redis_client(url: &str) -> Result<redis::Client, Error> {
    let with_protocol = if url.contains("protocol=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&protocol=resp3")
    } else {
        format!("{url}?protocol=resp3")
    };
    let bad = |source| Error::BadRedisUrl {
        value: url.to_owned(),
        source,
    };
    let client = redis::Client::open(with_protocol).map_err(bad)?;
    if !client
        .get_connection_info()
        .redis_settings()
        .protocol()
        .supports_resp3()
    {
        return Err(bad(redis::RedisError::from((
            redis::ErrorKind::InvalidClientConfig,
            "Rain's adapter needs RESP3 (Redis 7 or later); leave `protocol` out of the URL",
        ))));
    }
    Ok(client)
}
