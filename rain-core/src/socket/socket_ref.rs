//! The socket handlers receive.
//!
//! [`SocketRef`] is socketioxide's socket (it derefs to it: `join`, `emit`, `within`, `id`,
//! `ns()`, `extensions`, ...) with one difference: [`SocketRef::on`](crate::SocketRef::on) (in [`super::on`]) routes
//! every event through Rain's pipeline, and [`SocketRef::emit`] counts what it sends.

use std::{
    borrow::Cow,
    fmt,
    sync::Arc,
    task::{Context, Poll, Waker},
};

use socketioxide::{
    BroadcastError, SendError, SocketError,
    handler::{DisconnectHandler, FromConnectParts, FromDisconnectParts, FromMessageParts, Value},
    socket::{DisconnectReason, Socket},
};

use super::{departure, handler::EventHandler, on, recover::Recovery};
use crate::base::{adapter::Adapter, metrics, recovery};

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
        let sent = self.send(event, data);
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
        let sent = self.send(event, data);
        if sent.is_ok() {
            metrics::static_event_emitted(&self.0, event);
        }
        sent
    }

    /// Sends `event` to this client: straight to it, or, on a recoverable socket, through the
    /// namespace's adapter, which numbers and keeps it for a recovery.
    fn send<T: ?Sized + serde::Serialize>(&self, event: &str, data: &T) -> Result<(), SendError> {
        if !recovery::any() || self.0.extensions.get::<Recovery>().is_none() {
            return self.0.emit(event, data);
        }
        // Sent to this socket alone, from this node: the adapter answers at once (it awaits
        // Redis only for what goes to other nodes). Kept even when the socket is gone, like
        // Socket.IO's: its client may come back for it.
        let sending = self.0.local().emit(event, data);
        let mut sending = std::pin::pin!(sending);
        let mut cx = Context::from_waker(Waker::noop());
        match sending.as_mut().poll(&mut cx) {
            Poll::Ready(Ok(())) => Ok(()),
            Poll::Ready(Err(BroadcastError::Serialize(error))) => Err(SendError::Serialize(error)),
            Poll::Ready(Err(BroadcastError::Socket(mut errors))) => Err(SendError::Socket(
                errors.pop().unwrap_or(SocketError::Closed),
            )),
            Poll::Ready(Err(error)) => {
                tracing::debug!(%error, "event not sent");
                Err(SendError::Socket(SocketError::Closed))
            }
            Poll::Pending => {
                tracing::warn!(sid = %self.0.id, event, "event to a recoverable socket not sent at once: dropped");
                Err(SendError::Socket(SocketError::Closed))
            }
        }
    }

    /// Calls `handler` when the socket disconnects, as socketioxide's `on_disconnect` does
    /// (which this method replaces): after Rain's own steps (the close counted, the socket
    /// parked for recovery, a presence left), which setting a handler does not replace. A
    /// second call replaces the first handler.
    pub fn on_disconnect<C, T>(&self, handler: C)
    where
        C: DisconnectHandler<Adapter, T> + Send + Sync + 'static,
        T: Send + Sync + 'static,
    {
        departure::set_app(&self.0, handler);
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

impl SocketRef {
    /// Whether this socket recovered a socket of the same client that disconnected within its
    /// `recover` window: its rooms are back and the events it missed were sent before its
    /// connect handler ran. `false` for a socket that is not recoverable, or connected fresh.
    pub fn recovered(&self) -> bool {
        self.arc()
            .extensions
            .get::<Recovery>()
            .is_some_and(|r| r.recovered())
    }

    /// Copies the `T` that the socket this one recovered kept in its extensions into this
    /// socket's, and returns it; `None` when this socket did not recover or the other kept none.
    ///
    /// socketioxide's extensions cannot be listed, so a recovered socket gets back its rooms
    /// alone; a handler brings back the data it keeps this way:
    ///
    /// ```
    /// # use rain_core::prelude::*;
    /// #[derive(Clone)]
    /// struct Nickname(String);
    ///
    /// async fn room(socket: SocketRef) {
    ///     if socket.recover::<Nickname>().is_none() {
    ///         socket.extensions.insert(Nickname("guest".into()));
    ///     }
    /// }
    /// ```
    pub fn recover<T: Clone + Send + Sync + 'static>(&self) -> Option<T> {
        let previous = self.arc().extensions.get::<Recovery>()?.previous()?;
        let value = previous.extensions.get::<T>()?;
        self.arc().extensions.insert(value.clone());
        Some(value)
    }
}
