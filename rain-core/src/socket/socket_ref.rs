//! The socket handlers receive.
//!
//! [`SocketRef`] is socketioxide's socket (it derefs to it: `join`, `emit`, `within`, `id`,
//! `ns()`, `extensions`, ...) with one difference: [`SocketRef::on`](crate::SocketRef::on) (in [`super::on`]) routes
//! every event through Rain's pipeline, and [`SocketRef::emit`] counts what it sends.

use std::{borrow::Cow, fmt, sync::Arc};

use socketioxide::{
    SendError, SocketError,
    handler::{FromConnectParts, FromDisconnectParts, FromMessageParts, Value},
    socket::{DisconnectReason, Socket},
};

use super::{handler::EventHandler, on};
use crate::base::{adapter::Adapter, metrics};

/// A connected socket, as handlers receive it.
///
/// It derefs to socketioxide's [`Socket`], so everything a socket does (rooms, emitting,
/// extensions, its id and namespace) is there; [`SocketRef::on`](crate::SocketRef::on) is Rain's own.
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
pub struct SocketRef(pub(super) Arc<Socket<Adapter>>);

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
        on::register(&self.0, event.into(), handler);
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
            metrics::event_emitted(&self.0, event.to_owned());
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
            metrics::static_event_emitted(&self.0, event);
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
