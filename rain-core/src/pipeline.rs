//! The way every connection and every event of a Rain socket goes.
//!
//! On connect: the socket's connect guards, then the socket's state (its rate limit bucket, its
//! idle watch and the hold of its early events) is attached to it. Until the socket's connect
//! handler has finished, the events the client sends are held, in arrival order, then dispatched
//! in that order to the handlers registered by then, each going the way below once ([`early`]:
//! none is lost because its handler was not registered yet). On every event registered with
//! [`SocketRef::on`]:
//!
//! 1. the event is received ([`SocketState::handle`]): it counts as activity for the idle watch;
//! 2. the socket's rate limit: over it, the event is refused;
//! 3. the socket's event guards, in order: the first refusal refuses the event;
//! 4. the handler's arguments are extracted: a payload that does not deserialize is refused;
//! 5. the handler runs in its own task; a panic is caught there and logged;
//! 6. the handler finishes ([`finish`]): its return value, or the error, acks the client.
//!
//! Every refusal acks `{ "error": "<message>" }` when the client asked for an ack, and leaves the
//! socket connected.

use std::{
    any::Any,
    borrow::Cow,
    future::Future,
    panic::AssertUnwindSafe,
    sync::{
        Arc, Mutex, PoisonError, Weak,
        atomic::{AtomicU64, Ordering},
    },
    task::Poll,
    time::Duration,
};

use serde::Serialize;
use socketioxide::{
    extract::AckSender,
    handler::{FromMessageParts, MessageHandler, Value},
    socket::Socket,
};
use tokio::time::Instant;

use tracing::Instrument as _;

mod early;

pub(crate) use early::{Dispatch, HOLD_AT_MOST, Offer};

use crate::{
    Adapter, Limits,
    ack::{ErrorAck, IntoAck, Reply},
    guard::{Guard, GuardContext, Refusal},
    metrics::{self, EventMeters},
    shutdown::{self, Drain},
    socket::{EventHandler, SocketRef},
};

/// What the client's ack receives when the handler panicked.
const INTERNAL_ERROR: &str = "internal error";

/// What every socket of one `#[websocket]` shares: who it is, its guards and its limits.
#[derive(Debug)]
pub(crate) struct SocketConfig {
    module_id: String,
    socket: Cow<'static, str>,
    connect_guards: &'static [Guard],
    event_guards: &'static [Guard],
    rate: Option<Rate>,
    idle_timeout: Option<Duration>,
    /// The sockets the idle watch looks after.
    idle: Mutex<IdleSockets>,
    /// How many events are held while the connect handler runs: the burst.
    hold_cap: usize,
}

/// The sockets of one `#[websocket]` that its idle watch looks after, and whether it runs.
///
/// One task watches every socket of a `#[websocket]`, not one per socket: a task and its timer
/// cost several hundred bytes for each idle connection, a weak reference in this list costs eight.
#[derive(Debug, Default)]
struct IdleSockets {
    sockets: Vec<Weak<Socket<Adapter>>>,
    watching: bool,
}

/// A sustained rate and a burst, in events.
#[derive(Debug, Clone, Copy)]
struct Rate {
    per_second: f64,
    burst: f64,
}

impl SocketConfig {
    /// The configuration of the sockets of `socket` in `module_id`, under `limits`.
    pub(crate) fn new(
        module_id: String,
        socket: &'static str,
        connect_guards: &'static [Guard],
        event_guards: &'static [Guard],
        limits: &Limits,
    ) -> Self {
        Self {
            module_id,
            socket: Cow::Borrowed(socket),
            connect_guards,
            event_guards,
            // A rate of 0 sets no limit; a burst below 1 would refuse every event.
            rate: (limits.event_rate > 0).then(|| Rate {
                per_second: f64::from(limits.event_rate),
                burst: f64::from(limits.event_burst.max(1)),
            }),
            idle_timeout: limits.idle_timeout,
            idle: Mutex::default(),
            hold_cap: usize::try_from(limits.event_burst.max(1)).unwrap_or(usize::MAX),
        }
    }

    /// A socket on a namespace that Rain did not mount: no guards, no limits.
    fn unmanaged(namespace: &str) -> Self {
        Self {
            module_id: String::new(),
            socket: Cow::Owned(namespace.to_owned()),
            connect_guards: &[],
            event_guards: &[],
            rate: None,
            idle_timeout: None,
            idle: Mutex::default(),
            hold_cap: 0,
        }
    }

    /// Runs `guards` in order: the first refusal is the answer. A guard that panics refuses with
    /// an internal error, so that it takes neither the connection nor the server down.
    fn check(&self, guards: &[Guard], context: &GuardContext<'_>) -> Result<(), Refusal> {
        let (sid, event) = (context.socket().id, context.event());
        for guard in guards {
            let refusal = match std::panic::catch_unwind(AssertUnwindSafe(|| guard(context))) {
                Ok(Ok(())) => continue,
                Ok(Err(refusal)) => refusal,
                Err(panic) => {
                    tracing::error!(
                        module = %self.module_id, socket = %self.socket, %sid, event,
                        panic = panic_message(&*panic), "guard panicked"
                    );
                    return Err(Refusal::new(INTERNAL_ERROR));
                }
            };
            match event {
                Some(event) => tracing::info!(
                    module = %self.module_id, socket = %self.socket, %sid, event, %refusal,
                    "event refused by a guard"
                ),
                None => tracing::info!(
                    module = %self.module_id, socket = %self.socket, %sid, %refusal,
                    "connection refused by a guard"
                ),
            }
            return Err(refusal);
        }
        Ok(())
    }

    /// Runs the connect guards and, when they all pass, attaches the socket's state to it, holding
    /// events until [`SocketState::release`].
    ///
    /// Runs before socketioxide acknowledges the client's `CONNECT`, so that no event comes
    /// before the hold. A refusal is what the client's `connect_error` carries (`err.message`).
    pub(crate) fn connect(self: &Arc<Self>, socket: &SocketRef) -> Result<(), Refusal> {
        if let Err(refusal) = self.check(self.connect_guards, &GuardContext::new(socket, None)) {
            crate::metrics::connection_refused_by_guard(socket.arc());
            return Err(refusal);
        }
        let state = SocketState::new(Arc::clone(self), socket);
        socket.extensions.insert(Arc::new(state));
        if let Some(timeout) = self.idle_timeout {
            self.watch_idle(socket.arc(), timeout);
        }
        socket.on_fallback(early::Unhandled);
        Ok(())
    }

    /// Puts `socket` under the idle watch, starting the watch when it is not running.
    fn watch_idle(self: &Arc<Self>, socket: &Arc<Socket<Adapter>>, timeout: Duration) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        idle.sockets.push(Arc::downgrade(socket));
        if !idle.watching {
            idle.watching = true;
            tokio::spawn(sweep_idle(Arc::clone(self), timeout));
        }
    }
}

/// One socket's state: its configuration, its rate limit bucket, its last activity and the hold
/// of its early events.
#[derive(Debug)]
pub(crate) struct SocketState {
    config: Arc<SocketConfig>,
    bucket: Option<Mutex<Bucket>>,
    activity: Activity,
    /// The graceful shutdown that waits for this socket's running handlers; looked up once here
    /// rather than for each event.
    drain: Option<Arc<Drain>>,
    hold: early::Hold,
}

impl SocketState {
    fn new(config: Arc<SocketConfig>, socket: &Socket<Adapter>) -> Self {
        Self {
            bucket: config.rate.map(|rate| Mutex::new(Bucket::full(rate))),
            config,
            activity: Activity::new(),
            drain: shutdown::drain_of(socket),
            hold: early::Hold::new(true),
        }
    }

    /// The state Rain attached to `socket` on connect, or none of Rain's guards and limits for a
    /// socket of a namespace Rain did not mount.
    pub(crate) fn of(socket: &Arc<Socket<Adapter>>) -> Arc<Self> {
        socket.extensions.get::<Arc<Self>>().unwrap_or_else(|| {
            let config = Arc::new(SocketConfig::unmanaged(socket.ns()));
            Arc::new(Self {
                config,
                bucket: None,
                activity: Activity::new(),
                drain: shutdown::drain_of(socket),
                hold: early::Hold::new(false),
            })
        })
    }

    /// Whether the socket's events are held (its connect handler is running).
    pub(crate) fn is_holding(&self) -> bool {
        self.hold.is_holding()
    }

    /// Holds an event that arrived while holding; see [`early`].
    pub(crate) fn offer(
        &self,
        socket: &Arc<Socket<Adapter>>,
        event: Cow<'static, str>,
        value: Value,
        ack_id: Option<i64>,
    ) -> Offer {
        self.hold.offer(&self.config, socket, event, value, ack_id)
    }

    /// Remembers the handler that `named` gives (with its event's name) for the held events,
    /// while holding; calls `named` only then.
    pub(crate) fn register(&self, named: impl FnOnce() -> (Cow<'static, str>, Arc<dyn Dispatch>)) {
        self.hold.register(named);
    }

    /// Ends the hold of `socket`'s events, once its connect handler is done: the held events
    /// are dispatched, in order.
    pub(crate) fn release(socket: &Arc<Socket<Adapter>>) {
        if let Some(state) = socket.extensions.get::<Arc<Self>>() {
            state.hold.release(&state.config, socket);
        }
    }

    /// Takes one event through the pipeline (see the module documentation).
    #[allow(
        clippy::ptr_arg,
        reason = "the name is cloned into the handler's task, for free when it is `&'static str`"
    )]
    pub(crate) fn handle<H: EventHandler<T>, T>(
        &self,
        event: &Cow<'static, str>,
        meters: Option<&EventMeters>,
        handler: &H,
        socket: Arc<Socket<Adapter>>,
        mut value: Value,
        ack_id: Option<i64>,
    ) {
        // Every event handled through Rain is received here.
        let arrived = Instant::now();
        self.activity.touch(arrived);
        let span = meters.map_or_else(tracing::Span::none, |meters| meters.received(event));
        let ack = match AckSender::from_message_parts(&socket, &mut value, &ack_id) {
            Ok(ack) => ack,
            Err(never) => match never {},
        };
        if let Err(refusal) = self.admit(event, &socket) {
            send(
                ack,
                Reply::<()>::Error(refusal.into_owned()),
                &self.config,
                event,
            );
            return;
        }
        let started = std::panic::catch_unwind(AssertUnwindSafe(|| {
            handler.start(Arc::clone(&socket), value, ack_id)
        }));
        let future = match started {
            Ok(Ok(future)) => future,
            Ok(Err(error)) => {
                tracing::warn!(
                    module = %self.config.module_id, socket = %self.config.socket, event = %event,
                    %error, "payload refused"
                );
                let refusal = format!("`{event}` payload refused: {error}");
                send(ack, Reply::<()>::Error(refusal), &self.config, event);
                return;
            }
            Err(panic) => {
                finish::<H::Output>(Err(panic), ack, &self.config, event);
                return;
            }
        };
        let handling = Handling {
            handler: future,
            end: Some(End {
                ack,
                config: Arc::clone(&self.config),
                event: event.clone(),
                meters: meters.cloned(),
                arrived,
                // Counted by the graceful shutdown, which waits for running handlers.
                _running: self.drain.clone().map(Drain::enter),
            }),
        };
        tokio::spawn(handling.instrument(span));
    }

    /// The rate limit, then the event guards: `Err` with what the client is told.
    fn admit(&self, event: &str, socket: &Arc<Socket<Adapter>>) -> Result<(), Cow<'static, str>> {
        let config = &self.config;
        if let (Some(bucket), Some(rate)) = (&self.bucket, config.rate) {
            let taken = bucket
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .take(rate, Instant::now());
            match taken {
                Take::Allowed { after_refusing: 0 } => {}
                Take::Allowed { after_refusing } => tracing::info!(
                    module = %config.module_id, socket = %config.socket, sid = %socket.id,
                    refused = after_refusing, "event rate back under the limit"
                ),
                Take::Refused { first } => {
                    // Once per burst: a client flooding the socket does not flood the log.
                    if first {
                        tracing::warn!(
                            module = %config.module_id, socket = %config.socket, sid = %socket.id,
                            event, rate = rate.per_second, burst = rate.burst,
                            "event rate limit reached: refusing events until the rate allows"
                        );
                    }
                    return Err(format!(
                        "rate limit: at most {} events per second, {} at once",
                        rate.per_second, rate.burst
                    )
                    .into());
                }
            }
        }
        if !config.event_guards.is_empty() {
            let socket = SocketRef::from_arc(socket);
            let context = GuardContext::new(&socket, Some(event));
            if let Err(refusal) = config.check(config.event_guards, &context) {
                return Err(refusal.message().to_owned().into());
            }
        }
        Ok(())
    }
}

/// What a handler's task ended with: its output, or the panic that ended it.
pub(crate) type Outcome<T> = Result<T, Box<dyn Any + Send>>;

/// Every handler finishes here: its output acks the client, a panic is logged and acked as an
/// internal error.
fn finish<O: IntoAck>(
    outcome: Outcome<O>,
    ack: AckSender<Adapter>,
    config: &SocketConfig,
    event: &str,
) {
    let reply = match outcome {
        Ok(output) => {
            let reply = output.into_ack();
            if let Reply::Error(error) = &reply {
                tracing::debug!(
                    module = %config.module_id, socket = %config.socket, event, %error,
                    "event handler returned an error"
                );
            }
            reply
        }
        Err(panic) => {
            tracing::error!(
                module = %config.module_id, socket = %config.socket, event,
                panic = panic_message(&*panic), "event handler panicked"
            );
            Reply::Error(INTERNAL_ERROR.to_owned())
        }
    };
    send(ack, reply, config, event);
}

/// Sends the ack, when the client asked for one and there is one to send.
fn send<T: Serialize>(
    ack: AckSender<Adapter>,
    reply: Reply<T>,
    config: &SocketConfig,
    event: &str,
) {
    let sent = match &reply {
        Reply::Nothing => return,
        Reply::Value(value) => ack.send(value),
        Reply::Error(error) => ack.send(&ErrorAck { error }),
    };
    if let Err(error) = sent {
        tracing::debug!(
            module = %config.module_id, socket = %config.socket, event, %error, "ack not sent"
        );
    }
}

/// The text of a panic, when it has one.
fn panic_message(panic: &(dyn Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}

/// Runs `future`, catching a panic in any of its polls.
///
/// Not `tokio::spawn`'s own catching: awaiting a `JoinHandle` to learn of the panic would take a
/// second task per event.
pub(crate) async fn catch_unwind<F: Future>(future: F) -> Outcome<F::Output> {
    let mut future = std::pin::pin!(future);
    std::future::poll_fn(move |cx| {
        match std::panic::catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    })
    .await
}

pin_project_lite::pin_project! {
    /// One event's handler as its task runs it: the handler's future, with a panic caught, then
    /// its ack and its metrics.
    ///
    /// One future written out rather than nested `async` wrappers (catching the panic, counting
    /// it for the shutdown, finishing), each of which would keep a copy of the handler's future:
    /// the task stays the size of the handler's future plus what `End` needs, and is moved as
    /// such for every event.
    struct Handling<F> {
        #[pin]
        handler: F,
        end: Option<End>,
    }
}

/// What finishing an event takes: where its ack goes, its metrics, and its place in the count of
/// running handlers, given back once it has acked.
struct End {
    ack: AckSender<Adapter>,
    config: Arc<SocketConfig>,
    event: Cow<'static, str>,
    meters: Option<EventMeters>,
    arrived: Instant,
    _running: Option<shutdown::Running>,
}

impl<F: Future> Future for Handling<F>
where
    F::Output: IntoAck,
{
    type Output = ();

    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<()> {
        let mut this = self.project();
        let outcome =
            match std::panic::catch_unwind(AssertUnwindSafe(|| this.handler.as_mut().poll(cx))) {
                Ok(Poll::Pending) => return Poll::Pending,
                Ok(Poll::Ready(output)) => Ok(output),
                Err(panic) => Err(panic),
            };
        if let Some(end) = this.end.take() {
            finish(outcome, end.ack, &end.config, &end.event);
            if let Some(meters) = end.meters {
                meters.finished(end.arrived.elapsed());
            }
        }
        Poll::Ready(())
    }
}

/// A token bucket: `burst` tokens at most, refilled at `per_second`; each event takes one.
///
/// A few lines of our own rather than a rate limiting crate: one bucket per socket, never shared
/// between sockets, needs no keyed store or clock abstraction, and counting refusals here is what
/// lets the log speak once per burst.
#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
    /// Events refused since the last one allowed.
    refused: u64,
}

/// Whether an event may go on.
#[derive(Debug, PartialEq, Eq)]
enum Take {
    Allowed { after_refusing: u64 },
    Refused { first: bool },
}

impl Bucket {
    fn full(rate: Rate) -> Self {
        Self {
            tokens: rate.burst,
            last: Instant::now(),
            refused: 0,
        }
    }

    fn take(&mut self, rate: Rate, now: Instant) -> Take {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate.per_second).min(rate.burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Take::Allowed {
                after_refusing: std::mem::take(&mut self.refused),
            }
        } else {
            self.refused += 1;
            Take::Refused {
                first: self.refused == 1,
            }
        }
    }
}

/// When a socket last received an event.
#[derive(Debug)]
struct Activity {
    since: Instant,
    /// Milliseconds from `since` to the last event.
    last: AtomicU64,
}

impl Activity {
    fn new() -> Self {
        Self {
            since: Instant::now(),
            last: AtomicU64::new(0),
        }
    }

    fn touch(&self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.since).as_millis();
        let elapsed = u64::try_from(elapsed).unwrap_or(u64::MAX);
        self.last.fetch_max(elapsed, Ordering::Relaxed);
    }

    fn last(&self) -> Instant {
        self.since + Duration::from_millis(self.last.load(Ordering::Relaxed))
    }
}

/// The idle watch of one `#[websocket]`: disconnects each of its sockets once it has received no
/// event for `timeout`, within an eighth of `timeout` (at most 30 s) after.
///
/// Holds the sockets weakly, so that a disconnected socket is freed without waiting for it, and
/// stops when it has no socket left to watch ([`SocketConfig::watch_idle`] starts it again).
async fn sweep_idle(config: Arc<SocketConfig>, timeout: Duration) {
    let period = (timeout / 8).clamp(Duration::from_millis(10), Duration::from_secs(30));
    let mut idle = Vec::new();
    loop {
        tokio::time::sleep(period).await;
        let now = Instant::now();
        let stopped = {
            let mut watched = config.idle.lock().unwrap_or_else(PoisonError::into_inner);
            watched.sockets.retain(|socket| {
                let Some(socket) = socket.upgrade() else {
                    return false;
                };
                let last = socket
                    .extensions
                    .get::<Arc<SocketState>>()
                    .map_or(now, |state| state.activity.last());
                if last + timeout > now {
                    return true;
                }
                idle.push(socket);
                false
            });
            watched.watching = !watched.sockets.is_empty();
            !watched.watching
        };
        // Outside the lock: a disconnect runs the socket's disconnect handlers.
        for socket in idle.drain(..) {
            if socket.connected() {
                tracing::info!(
                    module = %config.module_id, socket = %config.socket, sid = %socket.id,
                    idle_seconds = timeout.as_secs_f64(), "idle: disconnecting"
                );
                metrics::idle_disconnect(&socket);
                socket.disconnect().ok();
            }
        }
        if stopped {
            return;
        }
    }
}

/// Registers `handler` on socketioxide's own socket, outside the pipeline (for Rain's own events),
/// and remembers it for the events held while the socket connects.
pub(crate) fn on_unrouted<H, T>(socket: &Arc<Socket<Adapter>>, event: &'static str, handler: H)
where
    H: MessageHandler<Adapter, T> + Clone,
    T: Send + Sync + 'static,
{
    if let Some(state) = socket.extensions.get::<Arc<SocketState>>() {
        state.register(|| {
            let remembered = early::Unrouted(handler.clone(), std::marker::PhantomData);
            (Cow::Borrowed(event), Arc::new(remembered))
        });
    }
    socket.on(event, handler);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_bucket_allows_a_burst_then_the_rate() {
        let rate = Rate {
            per_second: 2.0,
            burst: 3.0,
        };
        let mut bucket = Bucket::full(rate);
        let now = Instant::now();
        for _ in 0..3 {
            assert_eq!(bucket.take(rate, now), Take::Allowed { after_refusing: 0 });
        }
        assert_eq!(bucket.take(rate, now), Take::Refused { first: true });
        assert_eq!(bucket.take(rate, now), Take::Refused { first: false });
        let later = now + Duration::from_millis(500);
        assert_eq!(
            bucket.take(rate, later),
            Take::Allowed { after_refusing: 2 }
        );
        assert_eq!(bucket.take(rate, later), Take::Refused { first: true });
        // Idle long enough, the bucket refills to the burst and no further.
        let much_later = later + Duration::from_secs(60);
        for _ in 0..3 {
            assert!(matches!(
                bucket.take(rate, much_later),
                Take::Allowed { .. }
            ));
        }
        assert_eq!(bucket.take(rate, much_later), Take::Refused { first: true });
    }

    #[test]
    fn panic_messages_are_read_from_str_and_string() {
        assert_eq!(panic_message(&"boom"), "boom");
        assert_eq!(panic_message(&String::from("bang")), "bang");
        assert_eq!(panic_message(&42), "(no message)");
    }
}
