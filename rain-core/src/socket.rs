//! The socket handlers receive, and the handlers of its events.
//!
//! [`SocketRef`] is socketioxide's socket (it derefs to it: `join`, `emit`, `within`, `id`,
//! `ns()`, `extensions`, ...) with one difference: [`SocketRef::on`] routes every event through
//! Rain, which applies the socket's rate limit and event guards, acks the client with what the
//! handler returns, and keeps a handler's panic to that one event.

use std::{borrow::Cow, fmt, future::Future, marker::PhantomData, sync::Arc};

use socketioxide::{
    SendError, SocketError,
    handler::{
        FromConnectParts, FromDisconnectParts, FromMessage, FromMessageParts, MessageHandler, Value,
    },
    socket::{DisconnectReason, Socket},
};

use crate::{
    Adapter,
    ack::IntoAck,
    metrics::EventMeters,
    pipeline::{Dispatch, Offer, SocketState},
};

/// A connected socket, as handlers receive it.
///
/// It derefs to socketioxide's [`Socket`], so everything a socket does (rooms, emitting,
/// extensions, its id and namespace) is there; [`SocketRef::on`] is Rain's own.
///
/// ```
/// use rain_core::prelude::*;
///
/// #[component(name = "lobby", version = "1.0")]
/// mod lobby {
///     use super::*;
///
///     #[websocket("hall")]
///     async fn hall(socket: SocketRef) {
///         socket.join("everyone");
///         socket.on("shout", async |socket: SocketRef, Data::<Value>(message)| {
///             socket.within("everyone").emit("shout", &message).await.ok();
///             json!({ "heard": true }) // the ack
///         });
///     }
/// }
/// # fn main() {}
/// ```
#[derive(Clone)]
pub struct SocketRef(Arc<Socket<Adapter>>);

impl SocketRef {
    /// Calls `handler` with every `event` the client sends; what the handler returns acks the
    /// client (see [`crate::ack`]).
    ///
    /// The handler's arguments are socketioxide message extractors (`SocketRef`, `Data<T>`,
    /// `TryData<T>`, `AckSender`, `Bin`, `State<T>`, `Extension<T>`, ...), as with socketioxide's
    /// own `on`, which this method replaces. Before the handler runs, the event passes the
    /// socket's rate limit ([`crate::limits`]) and its event guards (`#[websocket(event_guard =
    /// ...)]`); a refused event, a payload that does not deserialize, a handler returning `Err`
    /// and a handler that panics all ack `{ "error": "<message>" }` when the client asked for an
    /// ack. Registering a second handler for the same event replaces the first.
    ///
    /// An event the client sends before the socket's connect handler has finished waits for it
    /// and is then dispatched, in the order the events arrived, to the handler registered by
    /// then: a handler may be registered after an `.await` without losing the client's first
    /// events (see [the crate's documentation](crate#events-sent-while-the-socket-connects)).
    pub fn on<H, T>(&self, event: impl Into<Cow<'static, str>>, handler: H)
    where
        H: EventHandler<T>,
        T: Send + Sync + 'static,
    {
        let event = event.into();
        let state = SocketState::of(&self.0);
        let routed = Routed {
            handler,
            event: event.clone(),
            meters: EventMeters::of(&self.0, &event),
            state,
            marker: PhantomData,
        };
        // While the connect handler runs, the held events are dispatched by name.
        routed
            .state
            .register(|| (routed.event.clone(), Arc::new(routed.clone())));
        self.0.on(event, routed);
    }

    /// Sends `event` with `data` to this client, counted in `rain_events_emitted_total` (this
    /// replaces socketioxide's own `emit`, which it calls).
    pub fn emit<T: ?Sized + serde::Serialize>(
        &self,
        event: impl AsRef<str>,
        data: &T,
    ) -> Result<(), SendError> {
        let event = event.as_ref();
        let sent = self.0.emit(event, data);
        if sent.is_ok() {
            crate::metrics::event_emitted(&self.0, event.to_owned());
        }
        sent
    }

    /// [`SocketRef::emit`] for an event whose name is `'static` (a declared event's), counted
    /// without copying its name.
    pub(crate) fn emit_static<T: ?Sized + serde::Serialize>(
        &self,
        event: &'static str,
        data: &T,
    ) -> Result<(), SendError> {
        let sent = self.0.emit(event, data);
        if sent.is_ok() {
            crate::metrics::static_event_emitted(&self.0, event);
        }
        sent
    }

    /// Disconnects the socket from its namespace; the client sees `disconnect` with the reason
    /// `io server disconnect`.
    pub fn disconnect(self) -> Result<(), SocketError> {
        self.0.disconnect()
    }

    /// The socket as socketioxide's own `SocketRef`, for APIs that take one.
    pub fn to_socketioxide(&self) -> socketioxide::extract::SocketRef<Adapter> {
        Arc::clone(&self.0).into()
    }

    pub(crate) fn from_arc(socket: &Arc<Socket<Adapter>>) -> Self {
        Self(Arc::clone(socket))
    }

    pub(crate) fn arc(&self) -> &Arc<Socket<Adapter>> {
        &self.0
    }
}

impl std::ops::Deref for SocketRef {
    type Target = Socket<Adapter>;

    fn deref(&self) -> &Socket<Adapter> {
        &self.0
    }
}

impl fmt::Debug for SocketRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SocketRef")
            .field("id", &self.0.id)
            .field("ns", &self.0.ns())
            .finish()
    }
}

impl PartialEq for SocketRef {
    fn eq(&self, other: &Self) -> bool {
        self.0.id == other.0.id
    }
}

impl FromConnectParts<Adapter> for SocketRef {
    type Error = std::convert::Infallible;

    fn from_connect_parts(
        s: &Arc<Socket<Adapter>>,
        _: &Option<Value>,
    ) -> Result<Self, Self::Error> {
        Ok(Self::from_arc(s))
    }
}

impl FromMessageParts<Adapter> for SocketRef {
    type Error = std::convert::Infallible;

    fn from_message_parts(
        s: &Arc<Socket<Adapter>>,
        _: &mut Value,
        _: &Option<i64>,
    ) -> Result<Self, Self::Error> {
        Ok(Self::from_arc(s))
    }
}

impl FromDisconnectParts<Adapter> for SocketRef {
    type Error = std::convert::Infallible;

    fn from_disconnect_parts(
        s: &Arc<Socket<Adapter>>,
        _: DisconnectReason,
    ) -> Result<Self, Self::Error> {
        Ok(Self::from_arc(s))
    }
}

/// An event handler that [`SocketRef::on`] takes: an `async` closure or function whose arguments
/// are message extractors and whose return value is the ack ([`IntoAck`]).
///
/// Implemented for closures of up to 12 arguments; the last one may consume the message (`Bin`).
#[diagnostic::on_unimplemented(
    message = "this is not an event handler that `SocketRef::on` can call",
    label = "not an event handler",
    note = "an event handler is an `async` closure or `async fn` whose arguments are message extractors \
            (`SocketRef`, `Data<T>`, `TryData<T>`, `AckSender`, `State<T>`, ...)",
    note = "what it returns is the client's ack: `()` (none), `Result<T, E>` (T: Serialize, E: Display), \
            a `serde_json::Value`, a string, a number, or `Ack(value)` for any other `Serialize` value"
)]
pub trait EventHandler<T>: Clone + Send + Sync + 'static {
    /// What the handler returns: the ack.
    type Output: IntoAck;
    /// The handler's future.
    type Future: Future<Output = Self::Output> + Send + 'static;

    /// Extracts the arguments from the message and starts the handler; `Err` carries why an
    /// argument could not be extracted.
    fn start(
        &self,
        socket: Arc<Socket<Adapter>>,
        value: Value,
        ack_id: Option<i64>,
    ) -> Result<Self::Future, String>;
}

impl<F, Fut> EventHandler<()> for F
where
    F: FnOnce() -> Fut + Clone + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: IntoAck,
{
    type Output = Fut::Output;
    type Future = Fut;

    fn start(&self, _: Arc<Socket<Adapter>>, _: Value, _: Option<i64>) -> Result<Fut, String> {
        Ok((self.clone())())
    }
}

macro_rules! event_handler {
    ([$($ty:ident),*], $last:ident) => {
        #[allow(
            non_snake_case,
            unused_mut,
            reason = "the extracted arguments are named by their types; with no parts extractor, \
                      nothing borrows the message mutably"
        )]
        impl<F, Fut, M, $($ty,)* $last> EventHandler<(M, $($ty,)* $last,)> for F
        where
            F: FnOnce($($ty,)* $last) -> Fut + Clone + Send + Sync + 'static,
            Fut: Future + Send + 'static,
            Fut::Output: IntoAck,
            $($ty: FromMessageParts<Adapter> + Send,)*
            $last: FromMessage<Adapter, M> + Send,
        {
            type Output = Fut::Output;
            type Future = Fut;

            fn start(
                &self,
                socket: Arc<Socket<Adapter>>,
                mut value: Value,
                ack_id: Option<i64>,
            ) -> Result<Fut, String> {
                $(
                    let $ty = $ty::from_message_parts(&socket, &mut value, &ack_id)
                        .map_err(|error| error.to_string())?;
                )*
                let last = $last::from_message(socket, value, ack_id)
                    .map_err(|error| error.to_string())?;
                Ok((self.clone())($($ty,)* last))
            }
        }
    };
}

event_handler!([], T1);
event_handler!([T1], T2);
event_handler!([T1, T2], T3);
event_handler!([T1, T2, T3], T4);
event_handler!([T1, T2, T3, T4], T5);
event_handler!([T1, T2, T3, T4, T5], T6);
event_handler!([T1, T2, T3, T4, T5, T6], T7);
event_handler!([T1, T2, T3, T4, T5, T6, T7], T8);
event_handler!([T1, T2, T3, T4, T5, T6, T7, T8], T9);
event_handler!([T1, T2, T3, T4, T5, T6, T7, T8, T9], T10);
event_handler!([T1, T2, T3, T4, T5, T6, T7, T8, T9, T10], T11);
event_handler!([T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11], T12);

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
