//! The HTTP and Socket.IO server built from a [`Registry`]: one axum `Router`, one port.

use std::{
    future::Future,
    net::SocketAddr,
    path::Path as StdPath,
    sync::{Arc, OnceLock},
};

use axum::{
    Json, Router,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::{Html, IntoResponse, Response},
    routing::get,
};
use serde::Serialize;
use socketioxide::layer::SocketIoLayer;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;

use crate::{
    Adapter, Error, Limits, Page, SocketIo,
    assets::{Asset, checked_path},
    bindings::{self, Bindings},
    client,
    cluster::{self, AdapterState, RedisLink},
    registry::{Location, Registry},
};

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
    redis: Option<redis::Client>,
}

/// What every request handler shares.
struct Shared {
    registry: Arc<Registry>,
    pages: Vec<(String, Page)>,
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
        self.redis = Some(cluster::redis_client(url)?);
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
        let (layer, io, _) = self.socket_io_with_link();
        (layer, io)
    }

    fn socket_io_with_link(&self) -> (SocketIoLayer<Adapter>, SocketIo, Option<RedisLink>) {
        let link = self.redis.clone().and_then(|client| {
            RedisLink::open(client)
                .inspect_err(|error| tracing::error!(%error, "serving this node's clients only"))
                .ok()
        });
        let state = match &link {
            Some(link) => AdapterState::redis(link.clone()),
            None => AdapterState::local(),
        };
        // Each WebSocket keeps a read buffer of this size for its whole life; Socket.IO packets are
        // small, and a larger frame still grows the buffer to fit. 4 KiB is the engine's default.
        let (layer, io) = socketioxide::SocketIo::builder()
            .ws_read_buffer_size(1024)
            .with_adapter::<Adapter>(state)
            .build_layer();
        for socket in self.registry.sockets() {
            socket.mount(&io);
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

    fn router_with_io(&self) -> Result<(Router, SocketIo, Option<RedisLink>), Error> {
        for (path, page) in &self.pages {
            page.check(path, &self.registry)?;
        }
        bindings::check_names(&self.registry)?;
        let shared = Arc::new(Shared {
            registry: Arc::clone(&self.registry),
            pages: self.pages.clone(),
            bindings: OnceLock::new(),
        });
        let mut router = Router::new()
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
        let (layer, io, link) = self.socket_io_with_link();
        let router = router
            .fallback(|| async { (StatusCode::NOT_FOUND, "not found") })
            .with_state(shared)
            .layer(layer)
            .layer(CatchPanicLayer::new());
        Ok((router, io, link))
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

    /// Serves on `RAIN_ADDR` (default `127.0.0.1:3000`) until Ctrl-C, sharing sockets through the
    /// Redis at `RAIN_REDIS_URL` when that is set ([`App::redis`]).
    ///
    /// Also installs a `tracing` subscriber (filtered by `RUST_LOG`, default `info`) unless the
    /// program installed one already.
    pub async fn serve_from_env(mut self) -> Result<(), Error> {
        self.limits = self.limits.with_env()?;
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

    /// Serves on `listener` until `shutdown` completes, then closes every socket and stops.
    ///
    /// Prints the components, their sockets and pages, then `listening on http://<addr>`.
    pub async fn serve_with(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), Error> {
        let (router, io, link) = self.router_with_io()?;
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
        axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                shutdown.await;
                // Long-polling requests and WebSocket sessions would otherwise hold the
                // shutdown open until their clients go away.
                io.close().await;
            })
            .await
            .map_err(|source| Error::Io {
                context: "serving failed".to_owned(),
                source,
            })
    }

    /// The table printed at startup: every component, its sockets and namespaces, and the pages.
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
