//! One socket's state, attached when it connects: its configuration, its rate limit bucket,
//! its last activity, and the hold of the events it sends while connecting.

use std::{
    borrow::Cow,
    sync::{Arc, Mutex},
};

use socketioxide::{
    extract::Event,
    handler::{FromMessageParts, MessageHandler, Value},
    socket::Socket,
};
use tokio::time::Instant;

use super::{
    config::SocketConfig,
    early::{self, Dispatch, Offer},
    guard::{GuardContext, Refusal},
    idle::Activity,
    rate::Bucket,
    socket_ref::SocketRef,
};
use crate::base::{
    adapter::Adapter,
    metrics,
    shutdown::{self, Drain},
};

/// One socket's state: its configuration, its rate limit bucket, its last activity and the hold
/// of its early events.
#[derive(Debug)]
pub(crate) struct SocketState {
    pub(super) config: Arc<SocketConfig>,
    pub(super) bucket: Option<Mutex<Bucket>>,
    pub(super) activity: Activity,
    /// The graceful shutdown that waits for this socket's running handlers; looked up once here
    /// rather than for each event.
    pub(super) drain: Option<Arc<Drain>>,
    pub(super) hold: early::Hold,
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

    /// Runs the connect guards of `config` and, when they all pass, attaches the socket's state
    /// to it, holding events until [`SocketState::release`].
    ///
    /// Runs before socketioxide acknowledges the client's `CONNECT`, so that no event comes
    /// before the hold. A refusal is what the client's `connect_error` carries (`err.message`).
    pub(crate) fn attach(config: &Arc<SocketConfig>, socket: &SocketRef) -> Result<(), Refusal> {
        let context = GuardContext::new(socket, None);
        if let Err(refusal) = config.check(config.connect_guards, &context) {
            metrics::connection_refused_by_guard(socket.arc());
            return Err(refusal);
        }
        let state = SocketState::new(Arc::clone(config), socket);
        socket.extensions.insert(Arc::new(state));
        if let Some(idle) = &config.idle {
            idle.watch(socket.arc(), last_activity);
        }
        socket.on_fallback(Unhandled);
        Ok(())
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

    /// Holds an event that arrived while holding; see [`early`](super::early).
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
}

/// When `socket` last received an event, for the idle watch.
fn last_activity(socket: &Socket<Adapter>) -> Option<Instant> {
    let state = socket.extensions.get::<Arc<SocketState>>()?;
    Some(state.activity.last())
}

/// socketioxide's fallback for a socket Rain admitted: the events that have no handler. Held
/// while the connect handler runs, ignored after.
///
/// Carries nothing (the socket's state is in its extensions), so that it costs no allocation
/// for the life of the socket.
#[derive(Clone, Copy)]
pub(crate) struct Unhandled;

impl MessageHandler<Adapter, ()> for Unhandled {
    fn call(&self, socket: Arc<Socket<Adapter>>, mut value: Value, ack_id: Option<i64>) {
        let Some(state) = socket.extensions.get::<Arc<SocketState>>() else {
            return;
        };
        let event = match Event::from_message_parts(&socket, &mut value, &ack_id) {
            Ok(Event(event)) => event,
            // socketioxide read the name before calling a handler: this cannot fail.
            Err(_) => return,
        };
        if !state.hold.is_holding() {
            early::unhandled(&state.config, &socket, &event);
            return;
        }
        match state
            .hold
            .offer(&state.config, &socket, event.into(), value, ack_id)
        {
            Offer::Taken => {}
            Offer::Handle(event, ..) => early::unhandled(&state.config, &socket, &event),
        }
    }
}
