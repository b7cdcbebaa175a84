//! The events a client sends while its socket's connect handler is still running.
//!
//! socketioxide acknowledges a client's namespace `CONNECT` and only then calls the connect
//! handler, which registers the socket's event handlers, often after awaiting something (a
//! presence join, a session or database lookup). A client may send events the moment it reads
//! that acknowledgement, and socketioxide drops an event that has no handler yet without a word.
//!
//! So from the moment Rain admits a socket (before the acknowledgement is sent) until its
//! connect handler has finished, every event the client sends is *held*, in arrival order:
//! those whose handler is already registered as well, so that none overtakes an earlier one.
//! When the handler finishes (returns, panics, or cannot start because an argument cannot be
//! extracted), the held events are dispatched in that order to the handlers registered by then,
//! each through the socket's pipeline, once, as if it had just arrived: rate limited, guarded,
//! counted and acked like any other. Then the hold is dropped: an idle socket keeps nothing of
//! it, and an event after that goes straight to its handler, at the cost of one atomic load.
//!
//! The hold is bounded: at most `event_burst` events ([`crate::Limits`]). One past it is not
//! handled and is acked `{ "error": "too many events before the socket was ready: ..." }` when
//! the client asked for an ack, with one warning in the log; the socket stays connected. (Held
//! events past the burst would mostly be refused by the rate limit anyway.) A connect handler
//! still running after [`HOLD_AT_MOST`] (one that serves its socket in a loop) stops the hold:
//! the held events are dispatched then, and later ones go straight to their handlers.
//!
//! An event that has no handler once the connect handler is done is ignored, as socketioxide
//! does, and logged at `debug`. Handlers registered on socketioxide's own socket
//! (`to_socketioxide().on(..)`) are outside this: an event for one that arrives before it is
//! registered is held, and then finds no handler.

use std::{
    borrow::Cow,
    marker::PhantomData,
    sync::{
        Arc, Mutex, MutexGuard,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use socketioxide::{
    extract::AckSender,
    handler::{FromMessageParts, MessageHandler, Value},
    socket::Socket,
};

use super::config::SocketConfig;
use crate::base::{ack::ErrorAck, adapter::Adapter};

/// How long a connect handler may run before the events it holds up are dispatched anyway.
pub(crate) const HOLD_AT_MOST: Duration = Duration::from_secs(10);

/// A registered event handler, as the held events are dispatched to it.
pub(crate) trait Dispatch: Send + Sync {
    /// Handles one event, as socketioxide would have called the handler.
    fn dispatch(&self, socket: Arc<Socket<Adapter>>, value: Value, ack_id: Option<i64>);
}

/// One socket's hold: in place from admission until its connect handler is done.
///
/// socketioxide calls a handler (ours included) with its own handler tables locked, and
/// registering a handler locks them for writing: the `held` lock is therefore never kept while
/// calling into socketioxide (registering, dispatching), or the two would wait on each other.
#[derive(Debug)]
pub(crate) struct Hold {
    /// Whether events are held; only ever turned off, and only with `held` locked.
    holding: AtomicBool,
    /// What is held; allocated by the first event or handler registered while holding, and
    /// dropped when the hold ends.
    held: Mutex<Option<Box<Held>>>,
}

#[derive(Default)]
struct Held {
    events: Vec<HeldEvent>,
    /// The handlers registered while holding, in order: the last one for a name wins.
    handlers: Vec<(Cow<'static, str>, Arc<dyn Dispatch>)>,
    /// Events refused past the cap.
    refused: u64,
}

impl std::fmt::Debug for Held {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Held")
            .field("events", &self.events.len())
            .field("handlers", &self.handlers.len())
            .field("refused", &self.refused)
            .finish()
    }
}

struct HeldEvent {
    event: Cow<'static, str>,
    value: Value,
    ack_id: Option<i64>,
}

/// What became of an event offered to the hold.
pub(crate) enum Offer {
    /// Held, or refused past the cap: nothing more to do.
    Taken,
    /// The hold is over: handle the event (given back) now.
    Handle(Cow<'static, str>, Value, Option<i64>),
}

impl Hold {
    /// A hold that holds (for a socket being admitted) or not (for any other).
    pub(crate) fn new(holding: bool) -> Self {
        Self {
            holding: AtomicBool::new(holding),
            held: Mutex::new(None),
        }
    }

    /// Whether events are held. Cheap: this is the whole cost of the hold once it is over.
    pub(crate) fn is_holding(&self) -> bool {
        self.holding.load(Ordering::Acquire)
    }

    fn lock(&self) -> MutexGuard<'_, Option<Box<Held>>> {
        self.held
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Remembers the handler that `named` gives (with its event's name) for the held events,
    /// while holding; calls `named` only then.
    pub(crate) fn register(&self, named: impl FnOnce() -> (Cow<'static, str>, Arc<dyn Dispatch>)) {
        if !self.is_holding() {
            return;
        }
        let mut held = self.lock();
        if self.is_holding() {
            held.get_or_insert_default().handlers.push(named());
        }
    }

    /// Holds `event`, or refuses it past the cap, or gives it back when the hold is over.
    pub(crate) fn offer(
        &self,
        config: &SocketConfig,
        socket: &Arc<Socket<Adapter>>,
        event: Cow<'static, str>,
        mut value: Value,
        ack_id: Option<i64>,
    ) -> Offer {
        let mut guard = self.lock();
        if !self.is_holding() {
            return Offer::Handle(event, value, ack_id);
        }
        let held = guard.get_or_insert_default();
        if held.events.len() < config.hold_cap {
            held.events.push(HeldEvent {
                event,
                value,
                ack_id,
            });
            return Offer::Taken;
        }
        held.refused += 1;
        let first = held.refused == 1;
        drop(guard);
        if first {
            tracing::warn!(
                module = %config.module_id, socket = %config.socket, sid = %socket.id,
                event = %event, cap = config.hold_cap,
                "too many events before the connect handler finished: refusing the rest"
            );
        }
        let ack = match AckSender::from_message_parts(socket, &mut value, &ack_id) {
            Ok(ack) => ack,
            Err(never) => match never {},
        };
        let error = format!(
            "too many events before the socket was ready: at most {} are held while it connects",
            config.hold_cap
        );
        if let Err(error) = ack.send(&ErrorAck { error: &error }) {
            tracing::debug!(
                module = %config.module_id, socket = %config.socket, event = %event, %error,
                "ack not sent"
            );
        }
        Offer::Taken
    }

    /// Ends the hold: dispatches the held events in order, then drops what was held.
    ///
    /// Dispatches without the lock, so that a handler may register another; events that
    /// arrive meanwhile are held behind those and dispatched next.
    pub(crate) fn release(&self, config: &SocketConfig, socket: &Arc<Socket<Adapter>>) {
        loop {
            let batch: Vec<_> = {
                let mut guard = self.lock();
                let Some(held) = guard.as_mut().filter(|held| !held.events.is_empty()) else {
                    self.holding.store(false, Ordering::Release);
                    *guard = None;
                    return;
                };
                let events = std::mem::take(&mut held.events);
                events
                    .into_iter()
                    .map(|event| {
                        let handler = held
                            .handlers
                            .iter()
                            .rev()
                            .find(|(name, _)| *name == event.event)
                            .map(|(_, handler)| Arc::clone(handler));
                        (handler, event)
                    })
                    .collect()
            };
            for (handler, held) in batch {
                match handler {
                    Some(handler) => handler.dispatch(Arc::clone(socket), held.value, held.ack_id),
                    None => unhandled(config, socket, &held.event),
                }
            }
        }
    }
}

/// Logs an event that no handler takes, which is ignored.
pub(super) fn unhandled(config: &SocketConfig, socket: &Socket<Adapter>, event: &str) {
    tracing::debug!(
        module = %config.module_id, socket = %config.socket, sid = %socket.id, event,
        "no handler for this event: ignored"
    );
}

/// A handler registered on socketioxide's own socket by Rain itself (not through the pipeline),
/// remembered for the held events.
pub(crate) struct Unrouted<H, T>(pub(crate) H, pub(crate) PhantomData<fn() -> T>);

impl<H, T> Dispatch for Unrouted<H, T>
where
    H: MessageHandler<Adapter, T>,
    T: Send + Sync + 'static,
{
    fn dispatch(&self, socket: Arc<Socket<Adapter>>, value: Value, ack_id: Option<i64>) {
        self.0.call(socket, value, ack_id);
    }
}
