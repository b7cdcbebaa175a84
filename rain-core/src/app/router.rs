//! The app as one axum `Router`: the Socket.IO server with every socket mounted (the mount
//! chain), the HTTP routes, and the layers around them (admission, CORS, sessions).

use std::{
    sync::{Arc, OnceLock},
    time::Duration,
};

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::Html,
    routing::get,
};
use socketioxide::{ParserConfig, TransportType, layer::SocketIoLayer};
use tower_http::catch_panic::CatchPanicLayer;

use super::{
    admission::{self, ConnectionLimiter, Gate},
    bindings::{self},
    builder::App,
    error::Error,
    origin::AllowedOrigins,
    routes::{
        Shared, SharedState, component_file, introspection_page, metrics_text, mounted_view,
        sockets_json,
    },
    runtime, states,
};
use crate::{
    base::{
        adapter::{Adapter, SocketIo},
        cluster::{AdapterState, RedisLink},
        engine::Transports,
        metrics::Metrics,
        shutdown::Drain,
    },
    features::{
        intents,
        session::{self, Sessions},
    },
    registry::{
        Registry,
        discover::Mounting,
        names::{INTENTS_SOCKET, RAIN_MODULE_ID, intents_namespace},
    },
};

/// Binary attachments one Socket.IO packet may announce: one per `Bytes` (a client's `Buffer`,
/// `ArrayBuffer`, typed array or `Blob`). Rain's browser runtime refuses to send more, and to
/// receive more, by default.
pub(super) const MAX_ATTACHMENTS: usize = 64;

/// How long the attachments a packet announced may take to arrive before the connection is closed.
pub(super) const ATTACHMENT_TIMEOUT: Duration = Duration::from_secs(10);

impl App {
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
    pub(super) fn socket_io_measured(
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
        let intent_metrics = Arc::clone(&metrics);
        let max_payload = self.limits.max_payload;
        let max_message = usize::try_from(max_payload).unwrap_or(usize::MAX);
        let engine = &self.engine;
        let builder = socketioxide::SocketIo::builder()
            .ws_read_buffer_size(engine.ws_read_buffer)
            // One Engine.IO packet is one WebSocket message; a polling body is checked against
            // `max_payload` by the engine itself (413).
            .max_payload(max_payload)
            .ws_max_message_size(max_message)
            .ws_max_frame_size(max_message)
            // A session that never joins a namespace keeps its connection permit (see
            // `admission`) until the connect timeout closes it.
            .connect_timeout(engine.connect_timeout)
            .ping_interval(engine.ping_interval)
            .ping_timeout(engine.ping_timeout)
            .upgrade_timeout(engine.upgrade_timeout)
            .ack_timeout(engine.ack_timeout)
            .max_buffer_size(engine.send_buffer)
            .req_path(engine.engine_path().to_owned())
            .with_parser(
                ParserConfig::common()
                    .max_incoming_binary_buf_size(max_message)
                    .max_incoming_binaries(MAX_ATTACHMENTS)
                    .packet_completion_timeout(ATTACHMENT_TIMEOUT),
            )
            .with_state(metrics)
            // Rain's one map of the app's states, which `State<T>` reads.
            .with_state(self.states.clone());
        let builder = match engine.transports {
            Transports::Both => {
                builder.transports([TransportType::Websocket, TransportType::Polling])
            }
            Transports::WebSocket => builder.transports([TransportType::Websocket]),
            Transports::Polling => builder.transports([TransportType::Polling]),
        };
        let recoveries = state.recoveries();
        let (layer, io) = builder.with_adapter::<Adapter>(state).build_layer();
        let mounting = Mounting {
            read_handshake: session::read,
            owner: session::owner,
            recoveries: &recoveries,
            heartbeat: engine.ping_interval + engine.ping_timeout,
        };
        for socket in self.registry.sockets() {
            socket.mount(&io, &self.limits, &mounting);
        }
        intents::mount(
            &io,
            &self.registry,
            &self.limits,
            &mounting,
            &intent_metrics,
        );
        for setup in &self.socket_io_setups {
            setup(&io);
        }
        (layer, io, link)
    }

    /// The whole app as an axum `Router`, to serve, nest into a larger app or wrap in tower layers.
    ///
    /// Fails when a page shows a component or view that does not exist, or a version fragment
    /// that names no version of its component (`chat@3`). With [`App::redis`], call
    /// it inside a Tokio runtime.
    pub fn router(&self) -> Result<Router, Error> {
        Ok(self.router_with_io()?.0)
    }

    #[allow(
        clippy::type_complexity,
        reason = "private; the router, its Socket.IO handle, its shutdown drain and its Redis link"
    )]
    pub(super) fn router_with_io(
        &self,
    ) -> Result<(Router, SocketIo, Arc<Drain>, Option<RedisLink>), Error> {
        let origins = AllowedOrigins::parse(&self.origins)?;
        self.engine.check()?;
        self.limits.check()?;
        let mut pages = Vec::with_capacity(self.pages.len());
        for (path, page) in &self.pages {
            pages.push((path.clone(), page.resolve(path, &self.registry)?));
            if self.engine.serves(path) {
                return Err(Error::PageUnderEngine {
                    page: path.clone(),
                    engine: self.engine.engine_path().to_owned(),
                });
            }
        }
        bindings::check_names(&self.registry)?;
        states::check(&self.registry, &self.states)?;
        let metrics = metrics_of(&self.registry);
        let (layer, io, link) = self.socket_io_measured(Arc::clone(&metrics));
        let shared = Arc::new(Shared {
            registry: Arc::clone(&self.registry),
            pages,
            engine: self.engine.clone(),
            metrics: Arc::clone(&metrics),
            io: io.clone(),
            limits: self.limits.clone(),
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
            .route("/rain/views/{component}/{view}", get(mounted_view))
            .route("/rain/{file}", get(runtime::runtime_file))
            .route("/{module_id}/{*path}", get(component_file));
        for (path, page) in &shared.pages {
            // Nothing a request brings changes a page: rendered once, served as it is.
            let html = Html(Bytes::from(page.render(
                &shared.registry,
                &shared.engine,
                &shared.limits,
            )));
            router = router.route(path, get(async move || html.clone()));
        }
        for (path, method_router) in &self.routes {
            // Given its state now, so that the layers below wrap it once rather than per request.
            router = router.route(path, method_router.clone().with_state(()));
        }
        // A random key is warned about when a session is first used (`features/session`).
        let sessions = self.sessions.clone().unwrap_or_else(Sessions::random);
        let gate = Gate {
            limiter: ConnectionLimiter::new(&self.limits),
            drain: Arc::new(Drain::default()),
            cors: origins.cors(&self.engine),
            engine: Arc::new(self.engine.clone()),
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
            // What `State<T>` reads in HTTP handlers.
            .layer(axum::Extension(self.states.clone()))
            .layer(layer)
            // Outside the Socket.IO layer, so that handshakes carry the sessions too.
            .layer(sessions.layer())
            .layer(gate.cors.clone())
            // Outside CORS: a foreign origin is refused before anything answers it.
            .layer(axum::middleware::from_fn_with_state(gate, admission::admit))
            .layer(CatchPanicLayer::new());
        Ok((router, io, drain, link))
    }
}

/// The metrics of a server of `registry`'s sockets, and of its intents socket when it has one.
pub(super) fn metrics_of(registry: &Registry) -> Arc<Metrics> {
    let intents = intents_namespace();
    let mut sockets: Vec<(&str, &'static str, &str)> = registry
        .sockets()
        .iter()
        .map(|socket| (socket.module_id(), socket.name(), socket.namespace()))
        .collect();
    if !registry.intents().is_empty() {
        sockets.push((RAIN_MODULE_ID, INTENTS_SOCKET, &intents));
        // Found by namespace, as the registry's sockets are sorted.
        sockets.sort_by_key(|&(_, _, namespace)| namespace);
    }
    Metrics::new(sockets)
}
