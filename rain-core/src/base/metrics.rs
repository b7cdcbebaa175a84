//! What a Rain server measures, served at `GET /rain/metrics` in the Prometheus text format
//! (version 0.0.4), and the `tracing` spans it opens.
//!
//! | metric | type | labels |
//! |---|---|---|
//! | `rain_connections_open` | gauge | `module_id`, `socket` |
//! | `rain_connections_opened_total` | counter | `module_id`, `socket` |
//! | `rain_connections_closed_total` | counter | `module_id`, `socket` |
//! | `rain_events_received_total` | counter | `module_id`, `socket`, `event` |
//! | `rain_events_emitted_total` | counter | `module_id`, `socket`, `event` |
//! | `rain_handler_duration_seconds` | histogram | `module_id`, `socket`, `event` |
//! | `rain_connections_refused_total` | counter | `reason` |
//! | `rain_idle_disconnects_total` | counter | `module_id`, `socket` |
//! | `rain_intents_total` | counter | `category`, `action`, `outcome` |
//!
//! Counts are of this node only. Event names come from the server's own code (the events a
//! handler listens to or emits), never from what a client sends, so a client cannot add series.
//! An emit to many clients counts once. Intents are counted by the category and action the app
//! declares, each series made at startup; an intent that no component provides, or a request
//! that is not one, counts with empty `category` and `action`, whatever the client sent. The
//! `outcome` is one of `value` (a server intent answered), `view` (a view intent answered),
//! `error` (the server function returned an error), `refused` (a guard, the context limit, or a
//! context the function cannot take), `panic`, `unknown` or `invalid`.
//!
//! The spans, at `DEBUG` level on the target `rain_core::metrics`: `connect` (around the connect
//! handler's call), `event` (around an event handler, to its end) and `disconnect`, each with the
//! fields `module_id`, `socket` and `sid`; `event` adds `event`, `disconnect` adds `reason`.
//!
//! The open connections are read from each namespace when the metrics are served. A close is
//! counted by a disconnect handler that Rain sets on each socket before its connect
//! handler runs. Socket.IO keeps one disconnect handler per socket, so a connect handler that
//! sets its own replaces Rain's; the close is then counted when the socket is dropped, with its
//! extensions, right after the handler's own disconnect handler ends. A socket kept alive by one
//! of its own event handlers (a clone of it captured in an `on` closure) is never dropped: its
//! close goes uncounted in `rain_connections_closed_total`, though not in the open connections.
//!
//! The metrics are [`prometheus-client`](https://docs.rs/prometheus-client)'s, the Prometheus
//! project's own Rust client: its registry is a value, so every server keeps its own (each call
//! of [`App::router`](crate::App::router) builds one) and two apps in one process, as in tests,
//! never add to each other's counts. A facade with a process-wide recorder (the `metrics` crate)
//! would make them share one.

use std::{
    borrow::Cow,
    sync::{
        Arc, PoisonError, RwLock,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use prometheus_client::{
    encoding::{EncodeLabelSet, prometheus_text},
    metrics::{
        counter::Counter,
        family::Family,
        gauge::Gauge,
        histogram::{Histogram, exponential_buckets},
    },
    registry::Registry as MetricRegistry,
};
use socketioxide::{
    extract::{SocketRef, State},
    handler::{FromConnectParts, Value},
    socket::{DisconnectReason, Socket},
};

use super::adapter::{Adapter, SocketIo};

mod intents;

use intents::IntentLabels;
pub(crate) use intents::{IntentMeters, IntentOutcome};

/// The `Content-Type` of `GET /rain/metrics`.
pub(crate) const CONTENT_TYPE: &str = prometheus_text::CONTENT_TYPE;

/// The labels of a per-socket metric.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct SocketLabels {
    module_id: Arc<str>,
    socket: &'static str,
}

/// The labels of a per-event metric.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct EventLabels {
    module_id: Arc<str>,
    socket: &'static str,
    event: Cow<'static, str>,
}

/// The label of a refusal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct ReasonLabels {
    reason: &'static str,
}

/// The per-socket metrics of one socket of the registry, resolved once.
#[derive(Debug)]
struct SocketMetrics {
    namespace: String,
    labels: SocketLabels,
    open: Gauge,
    opened: Counter,
    closed: Counter,
    idle: Counter,
    /// The emitted-events counters of this socket for events named by `'static` strings (declared
    /// events, literals), found by the name's address: counting such an emit hashes nothing.
    emitted_static: RwLock<Vec<(&'static str, Counter)>>,
}

type DurationFamily = Family<EventLabels, Histogram, fn() -> Histogram>;

/// Every metric of one server.
///
/// Not public API: [`App`](crate::App) builds one per router and serves it.
#[derive(Debug)]
pub(crate) struct Metrics {
    registry: MetricRegistry,
    /// Sorted by namespace.
    sockets: Vec<SocketMetrics>,
    received: Family<EventLabels, Counter>,
    emitted: Family<EventLabels, Counter>,
    durations: DurationFamily,
    refused: Family<ReasonLabels, Counter>,
    intents: Family<IntentLabels, Counter>,
}

/// Handler durations from 0.1 ms to about 6.5 s, each bucket four times the last.
fn duration_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.000_1, 4.0, 9))
}

impl Metrics {
    /// The metrics of a server of `sockets`, each `(module id, socket name, namespace)` sorted by
    /// namespace, every per-socket series at zero.
    pub(crate) fn new<'a>(
        sockets: impl IntoIterator<Item = (&'a str, &'static str, &'a str)>,
    ) -> Arc<Self> {
        let open = Family::<SocketLabels, Gauge>::default();
        let opened = Family::<SocketLabels, Counter>::default();
        let closed = Family::<SocketLabels, Counter>::default();
        let idle = Family::<SocketLabels, Counter>::default();
        let sockets = sockets
            .into_iter()
            .map(|(module_id, socket, namespace)| {
                let labels = SocketLabels {
                    module_id: module_id.into(),
                    socket,
                };
                SocketMetrics {
                    namespace: namespace.to_owned(),
                    open: open.get_or_create_owned(&labels),
                    opened: opened.get_or_create_owned(&labels),
                    closed: closed.get_or_create_owned(&labels),
                    idle: idle.get_or_create_owned(&labels),
                    emitted_static: RwLock::default(),
                    labels,
                }
            })
            .collect();
        let received = Family::default();
        let emitted = Family::default();
        let durations = DurationFamily::new_with_constructor(duration_histogram);
        let refused = Family::default();
        let intents = Family::default();

        let mut metrics = MetricRegistry::with_prefix("rain");
        metrics.register(
            "connections_open",
            "Sockets connected now, per component socket",
            open,
        );
        metrics.register(
            "connections_opened",
            "Sockets connected since the server started",
            opened,
        );
        metrics.register(
            "connections_closed",
            "Sockets disconnected since the server started",
            closed,
        );
        metrics.register(
            "events_received",
            "Events received from clients, per event a handler listens to",
            received.clone(),
        );
        metrics.register(
            "events_emitted",
            "Events sent to clients, once per emit whatever the number of recipients",
            emitted.clone(),
        );
        metrics.register(
            "handler_duration_seconds",
            "Time from an event's arrival to the end of its handler",
            durations.clone(),
        );
        metrics.register(
            "connections_refused",
            "Connections refused before reaching a socket, per reason",
            refused.clone(),
        );
        metrics.register(
            "idle_disconnects",
            "Sockets disconnected for staying idle too long",
            idle,
        );
        metrics.register(
            "intents",
            "Intents received, per declared category and action, by outcome",
            intents.clone(),
        );
        Arc::new(Self {
            registry: metrics,
            sockets,
            received,
            emitted,
            durations,
            refused,
            intents,
        })
    }

    /// Every metric, in the Prometheus text format; the open connections are counted on `io`.
    pub(crate) fn render(&self, io: &SocketIo) -> String {
        for socket in &self.sockets {
            socket.open.set(open_connections(io, &socket.namespace));
        }
        let mut text = String::new();
        prometheus_text::encode(&mut text, &self.registry)
            .expect("writing to a String cannot fail");
        text
    }
}

/// The sockets connected now at `namespace`, on this node.
///
/// Read from the namespace itself rather than kept by counting opens and closes, so that it is
/// right even for a socket whose close is counted late (see the module docs).
pub(crate) fn open_connections(io: &SocketIo, namespace: &str) -> i64 {
    io.of(namespace).map_or(0, |sockets| {
        i64::try_from(sockets.sockets().len()).unwrap_or(i64::MAX)
    })
}

/// The metrics of one connected socket, kept in its extensions from connect to close.
///
/// Cloned out of the extensions by each recording function; the last clone, dropped with the
/// socket, counts the close if nothing counted it before (see [`connection_closed`]).
#[derive(Debug, Clone)]
struct Connection(Arc<ConnectionState>);

#[derive(Debug)]
struct ConnectionState {
    metrics: Arc<Metrics>,
    /// The index of the socket in `metrics.sockets`.
    index: usize,
    sid: socketioxide::socket::Sid,
    closed: AtomicBool,
}

impl ConnectionState {
    fn socket(&self) -> &SocketMetrics {
        &self.metrics.sockets[self.index]
    }

    fn event_labels(&self, event: Cow<'static, str>) -> EventLabels {
        let labels = &self.socket().labels;
        EventLabels {
            module_id: Arc::clone(&labels.module_id),
            socket: labels.socket,
            event,
        }
    }

    /// Counts the close once, whichever of the disconnect handler and the drop comes first.
    fn close(&self, reason: &dyn std::fmt::Debug) {
        if self.closed.swap(true, Ordering::AcqRel) {
            return;
        }
        let socket = self.socket();
        socket.closed.inc();
        let span = tracing::debug_span!(
            "disconnect",
            module_id = %socket.labels.module_id,
            socket = socket.labels.socket,
            sid = %self.sid,
            reason = ?reason,
        );
        span.in_scope(|| tracing::debug!("disconnected"));
    }
}

impl Drop for ConnectionState {
    fn drop(&mut self) {
        self.close(&"socket dropped");
    }
}

fn connection(socket: &Socket<Adapter>) -> Option<Connection> {
    socket.extensions.get::<Connection>()
}

/// Counts a socket that just connected and returns the `connect` span to call its handler in.
///
/// Also watches for its close: through a disconnect handler set before the user's handler runs
/// (replaced if that handler sets its own), and through the [`Connection`] dropped with the
/// socket's extensions, so closes are counted either way.
pub(crate) fn connection_opened(
    socket: &Arc<Socket<Adapter>>,
    auth: &Option<Value>,
) -> tracing::Span {
    let Ok(State(metrics)) = State::<Arc<Metrics>>::from_connect_parts(socket, auth) else {
        // A server built without Rain's state (`App::socket_io` always sets it): nothing to count.
        return tracing::Span::none();
    };
    let Ok(index) = metrics
        .sockets
        .binary_search_by(|s| s.namespace.as_str().cmp(socket.ns()))
    else {
        return tracing::Span::none();
    };
    let measured = &metrics.sockets[index];
    measured.opened.inc();
    let span = tracing::debug_span!(
        "connect",
        module_id = %measured.labels.module_id,
        socket = measured.labels.socket,
        sid = %socket.id,
    );
    span.in_scope(|| tracing::debug!("connected"));
    socket
        .extensions
        .insert(Connection(Arc::new(ConnectionState {
            metrics: Arc::clone(&metrics),
            index,
            sid: socket.id,
            closed: AtomicBool::new(false),
        })));
    socket.on_disconnect(
        async |socket: SocketRef<Adapter>, reason: DisconnectReason| {
            connection_closed(&socket, reason);
        },
    );
    span
}

/// Counts the close of a socket (once, however often it is called) and logs it in a
/// `disconnect` span.
pub(crate) fn connection_closed(socket: &Socket<Adapter>, reason: DisconnectReason) {
    if let Some(connection) = connection(socket) {
        connection.0.close(&reason);
    }
}

/// The meters of one event of one connected socket.
///
/// Looked up once, when the event's handler is registered ([`crate::SocketRef::on`]), and kept
/// with it, so that receiving the event counts it without looking anything up.
#[derive(Debug, Clone)]
pub(crate) struct EventMeters {
    connection: Connection,
    received: Counter,
    durations: Histogram,
}

impl EventMeters {
    /// The meters of `event` on `socket`, or none for a socket Rain does not count (one of a
    /// namespace it did not mount).
    #[allow(
        clippy::ptr_arg,
        reason = "the name is cloned into the labels, for free when it is `&'static str`"
    )]
    pub(crate) fn of(socket: &Socket<Adapter>, event: &Cow<'static, str>) -> Option<Self> {
        let connection = connection(socket)?;
        let state = &connection.0;
        let labels = state.event_labels(event.clone());
        let received = state.metrics.received.get_or_create(&labels).clone();
        let durations = state.metrics.durations.get_or_create(&labels).clone();
        Some(Self {
            connection,
            received,
            durations,
        })
    }

    /// Counts the event received and returns the `event` span to run its handler in.
    pub(crate) fn received(&self, event: &str) -> tracing::Span {
        self.received.inc();
        let state = &self.connection.0;
        tracing::debug_span!(
            "event",
            module_id = %state.socket().labels.module_id,
            socket = state.socket().labels.socket,
            event,
            sid = %state.sid,
        )
    }

    /// Records how long the event's handler took, from the event's arrival to its end.
    pub(crate) fn finished(&self, duration: Duration) {
        self.durations.observe(duration.as_secs_f64());
    }
}

/// Counts an event sent by a handler of `socket`, to its client or to many.
pub(crate) fn event_emitted(socket: &Socket<Adapter>, event: impl Into<Cow<'static, str>>) {
    if let Some(connection) = connection(socket) {
        let state = &connection.0;
        state
            .metrics
            .emitted
            .get_or_create(&state.event_labels(event.into()))
            .inc();
    }
}

/// [`event_emitted`] for an event named by a `'static` string.
pub(crate) fn static_event_emitted(socket: &Socket<Adapter>, event: &'static str) {
    let Some(connection) = connection(socket) else {
        return;
    };
    let state = &connection.0;
    let cache = &state.socket().emitted_static;
    let cached = cache.read().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, counter)) = cached.iter().find(|(name, _)| std::ptr::eq(*name, event)) {
        counter.inc();
        return;
    }
    drop(cached);
    let labels = state.event_labels(Cow::Borrowed(event));
    let counter = state.metrics.emitted.get_or_create_owned(&labels);
    counter.inc();
    cache
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .push((event, counter));
}

/// Counts a connection refused before it reached a socket (`too many connections`, ...).
pub(crate) fn connection_refused(metrics: &Metrics, reason: &'static str) {
    metrics
        .refused
        .get_or_create(&ReasonLabels { reason })
        .inc();
}

/// Counts a connection refused by a socket's connect guards (reason `guard`).
pub(crate) fn connection_refused_by_guard(socket: &Arc<Socket<Adapter>>) {
    if let Ok(State(metrics)) = State::<Arc<Metrics>>::from_connect_parts(socket, &None) {
        connection_refused(&metrics, "guard");
    }
}

/// Counts a socket disconnected for staying idle.
pub(crate) fn idle_disconnect(socket: &Socket<Adapter>) {
    if let Some(connection) = connection(socket) {
        connection.0.socket().idle.inc();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_socket_series_start_at_zero_and_refusals_count_by_reason() {
        let metrics = Metrics::new([(
            "chat-1.0",
            "a \"quoted\" room",
            "/chat-1.0/a \"quoted\" room",
        )]);
        connection_refused(&metrics, "too many connections");
        connection_refused(&metrics, "too many connections");
        let (_, io) = socketioxide::SocketIo::builder()
            .with_adapter::<Adapter>(crate::base::cluster::AdapterState::local())
            .build_layer();
        let text = metrics.render(&io);
        for line in [
            "# TYPE rain_connections_open gauge\n",
            "rain_connections_open{module_id=\"chat-1.0\",socket=\"a \\\"quoted\\\" room\"} 0\n",
            "rain_connections_opened_total{module_id=\"chat-1.0\",socket=\"a \\\"quoted\\\" room\"} 0\n",
            "rain_connections_refused_total{reason=\"too many connections\"} 2\n",
            "# TYPE rain_idle_disconnects_total counter\n",
        ] {
            assert!(text.contains(line), "`{line}` missing from:\n{text}");
        }
        // Per-event families appear with their first event.
        assert!(!text.contains("rain_events_received"), "{text}");
        assert_eq!(open_connections(&io, "/nowhere"), 0);
    }
}
