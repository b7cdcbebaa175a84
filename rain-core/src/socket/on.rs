//! Registering an event handler ([`SocketRef::on`](crate::SocketRef::on)): the handler as socketioxide stores it,
//! which sends every event it is called with into the socket's pipeline.

use std::{borrow::Cow, marker::PhantomData, sync::Arc};

use socketioxide::{
    handler::{MessageHandler, Value},
    socket::Socket,
};

use super::{
    early::{self, Dispatch, Offer},
    handler::EventHandler,
    state::SocketState,
};
use crate::base::{adapter::Adapter, metrics::EventMeters};

/// What [`SocketRef::on`](crate::SocketRef::on) does: registers `handler` for `event` on `socket`, through the
/// pipeline, and remembers it for the events held while the socket connects.
pub(super) fn register<H, T>(socket: &Arc<Socket<Adapter>>, event: Cow<'static, str>, handler: H)
where
    H: EventHandler<T>,
    T: Send + Sync + 'static,
{
    let state = SocketState::of(socket);
    let routed = Routed {
        handler,
        event: event.clone(),
        meters: EventMeters::of(socket, &event),
        state,
        marker: PhantomData,
    };
    // While the connect handler runs, the held events are dispatched by name.
    routed
        .state
        .register(|| (routed.event.clone(), Arc::new(routed.clone())));
    socket.on(event, routed);
}

/// A user's handler as socketioxide stores it: every call goes through the socket's pipeline.
struct Routed<H, T> {
    handler: H,
    event: Cow<'static, str>,
    meters: Option<EventMeters>,
    state: Arc<SocketState>,
    marker: PhantomData<fn() -> T>,
}

impl<H: Clone, T> Clone for Routed<H, T> {
    fn clone(&self) -> Self {
        Self {
            handler: self.handler.clone(),
            event: self.event.clone(),
            meters: self.meters.clone(),
            state: Arc::clone(&self.state),
            marker: PhantomData,
        }
    }
}

impl<H, T> MessageHandler<Adapter, T> for Routed<H, T>
where
    H: EventHandler<T>,
    T: Send + Sync + 'static,
{
    fn call(&self, socket: Arc<Socket<Adapter>>, value: Value, ack_id: Option<i64>) {
        // Held while the connect handler runs, so that no event overtakes an earlier one whose
        // handler is not registered yet.
        let (value, ack_id) = match self.state.is_holding() {
            false => (value, ack_id),
            true => match self.state.offer(&socket, self.event.clone(), value, ack_id) {
                Offer::Taken => return,
                Offer::Handle(_, value, ack_id) => (value, ack_id),
            },
        };
        self.dispatch(socket, value, ack_id);
    }
}

impl<H, T> Dispatch for Routed<H, T>
where
    H: EventHandler<T>,
    T: Send + Sync + 'static,
{
    fn dispatch(&self, socket: Arc<Socket<Adapter>>, value: Value, ack_id: Option<i64>) {
        self.state.handle(
            &self.event,
            self.meters.as_ref(),
            &self.handler,
            socket,
            value,
            ack_id,
        );
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
