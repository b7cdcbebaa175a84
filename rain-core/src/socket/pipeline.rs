//! The way every event of a Rain socket goes, from socketioxide's call to the ack.
//!
//! A socket's connect guards run and its state is attached when it connects ([`SocketState::attach`]).
//! Until its connect handler has finished, the events the client sends are held, in arrival
//! order, then dispatched in that order to the handlers registered by then, each going the way
//! below once ([`early`](super::early): none is lost because its handler was not registered
//! yet). On every event registered with [`SocketRef::on`](crate::SocketRef::on):
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

use std::{borrow::Cow, future::Future, panic::AssertUnwindSafe, sync::Arc, task::Poll};

use serde::Serialize;
use socketioxide::{
    extract::AckSender,
    handler::{FromMessageParts, Value},
    socket::Socket,
};
use tokio::time::Instant;
use tracing::Instrument as _;

use super::{
    config::SocketConfig,
    guard::GuardContext,
    handler::EventHandler,
    panic::{INTERNAL_ERROR, Outcome, panic_message},
    rate::Take,
    socket_ref::SocketRef,
    state::SocketState,
};
use crate::base::{
    ack::{ErrorAck, IntoAck, Reply},
    adapter::Adapter,
    metrics::EventMeters,
    shutdown::{self, Drain},
};

impl SocketState {
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
                let refusal = if error.is_payload() {
                    format!("`{event}` payload refused: {error}")
                } else {
                    error.to_string()
                };
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
