//! Typed events: a socket's events declared once, checked by the compiler on the server and by
//! TypeScript in the browser.
//!
//! [`events!`](crate::events!) declares the events a socket receives and emits, each with a payload
//! type (and, when it expects an acknowledgement, an ack type). A handler that takes a
//! [`TypedSocket`] of that declaration can only listen to the events it receives and emit the
//! events it emits, with their payload types; the generated client bindings carry the same types.

use std::{future::Future, marker::PhantomData, sync::Arc};

pub use crate::registry::events::{Direction, EventDecl, Events, Payload, TypeFn, payload_type};
use crate::{
    SocketRef,
    base::{ack::Ack, adapter::Adapter, metrics},
};
use serde::{Serialize, de::DeserializeOwned};
use socketioxide::{
    SendError,
    extract::Data,
    handler::{FromConnectParts, FromMessageParts, Value},
    operators::BroadcastOperators,
    socket::Socket,
};
use socketioxide_core::adapter::{Room, RoomParam};

/// The types an event carries, owned by none: `fn() -> _` keeps the event `Send`, `Sync` and
/// covariant whatever they are.
type Types<S, P, A> = PhantomData<fn() -> (S, P, A)>;

/// An event the client sends with payload `P`, acknowledged with `A` (`()`: no ack).
///
/// Values of this type are the associated constants [`events!`](crate::events!) declares; pass
/// one to [`TypedSocket::on`].
pub struct Receive<S, P, A = ()> {
    name: &'static str,
    marker: Types<S, P, A>,
}

/// An event the server sends with payload `P`, acknowledged by the client with `A` (`()`: no ack).
///
/// Values of this type are the associated constants [`events!`](crate::events!) declares; pass
/// one to [`TypedSocket::emit`].
pub struct Emit<S, P, A = ()> {
    name: &'static str,
    marker: Types<S, P, A>,
}

macro_rules! event_marker {
    ($ty:ident) => {
        impl<S, P, A> $ty<S, P, A> {
            /// Not public API. Used by `events!`.
            #[doc(hidden)]
            pub const fn __new(name: &'static str) -> Self {
                Self {
                    name,
                    marker: PhantomData,
                }
            }

            /// The event name on the wire.
            pub const fn name(&self) -> &'static str {
                self.name
            }
        }

        impl<S, P, A> Clone for $ty<S, P, A> {
            fn clone(&self) -> Self {
                *self
            }
        }

        impl<S, P, A> Copy for $ty<S, P, A> {}

        impl<S, P, A> std::fmt::Debug for $ty<S, P, A> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}({:?})", stringify!($ty), self.name)
            }
        }
    };
}
event_marker!(Receive);
event_marker!(Emit);

mod sealed {
    pub trait Sealed {}
    impl<S, P, A> Sealed for super::Receive<S, P, A> {}
    impl<S, P, A> Sealed for super::Emit<S, P, A> {}
    impl Sealed for () {}
}

/// An event that the client of a socket typed by `S` sends: a [`Receive`] of `S`.
///
/// [`TypedSocket::on`] takes one; any other event is a compile error saying what it is.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an event that `{S}` receives",
    label = "not a `receive` event of `{S}`",
    note = "`on` listens to the events declared `name: receive Payload` in `{S}`; `emit` sends those declared `name: emit Payload`"
)]
pub trait ReceiveEvent<S>: sealed::Sealed + Copy {
    /// What the client sends.
    type Payload;
    /// What the server acks with (`()`: no ack).
    type Ack;
    /// The event name on the wire.
    fn name(&self) -> &'static str;
}

impl<S, P, A> ReceiveEvent<S> for Receive<S, P, A> {
    type Payload = P;
    type Ack = A;
    fn name(&self) -> &'static str {
        self.name
    }
}

/// An event that the server sends to the clients of a socket typed by `S`: an [`Emit`] of `S`.
///
/// [`TypedSocket::emit`] takes one; any other event is a compile error saying what it is.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an event that `{S}` emits",
    label = "not an `emit` event of `{S}`",
    note = "`emit` sends the events declared `name: emit Payload` in `{S}`; `on` listens to those declared `name: receive Payload`"
)]
pub trait EmitEvent<S>: sealed::Sealed + Copy {
    /// What the server sends.
    type Payload;
    /// What the client acks with (`()`: no ack).
    type Ack;
    /// The event name on the wire.
    fn name(&self) -> &'static str;
}

impl<S, P, A> EmitEvent<S> for Emit<S, P, A> {
    type Payload = P;
    type Ack = A;
    fn name(&self) -> &'static str {
        self.name
    }
}

/// The ack type of an event sent without waiting for an ack: `()`, the events declared without
/// `=> Ack`.
///
/// An event declared with an ack goes with [`TypedSocket::emit_with_ack`].
#[diagnostic::on_unimplemented(
    message = "this event expects an ack of type `{Self}`; send it with `emit_with_ack`",
    label = "expects an ack"
)]
pub trait NoAck: sealed::Sealed {}

impl NoAck for () {}

/// A connected socket whose events are declared by `S` (see [`events!`](crate::events!)).
///
/// Take it as a `#[websocket]` handler's argument to make the socket typed: the generated
/// bindings then carry its events' types. [`TypedSocket::socket`] gives the untyped socket for
/// everything else (rooms, disconnecting, extensions).
pub struct TypedSocket<S> {
    socket: SocketRef,
    marker: PhantomData<fn() -> S>,
}

impl<S> Clone for TypedSocket<S> {
    fn clone(&self) -> Self {
        Self {
            socket: self.socket.clone(),
            marker: PhantomData,
        }
    }
}

impl<S> std::fmt::Debug for TypedSocket<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypedSocket")
            .field("id", &self.socket.id)
            .field("ns", &self.socket.ns())
            .finish()
    }
}

impl<S: Events> TypedSocket<S> {
    /// Wraps an untyped socket.
    pub fn new(socket: SocketRef) -> Self {
        Self {
            socket,
            marker: PhantomData,
        }
    }

    /// The untyped socket.
    pub fn socket(&self) -> &SocketRef {
        &self.socket
    }

    /// Calls `handler` with each `event` the client sends; what it returns acks the client.
    ///
    /// The event goes through the same pipeline as [`SocketRef::on`](crate::SocketRef::on): rate limit, event guards,
    /// panics caught. A payload that does not deserialize as the declared type does not reach the
    /// handler: it is logged and, when the client asked for an ack, acked with
    /// `{ "error": "..." }`.
    pub fn on<E, F, Fut>(&self, event: E, handler: F)
    where
        E: ReceiveEvent<S>,
        E::Payload: DeserializeOwned + Send + Sync + 'static,
        E::Ack: Serialize + Send + 'static,
        F: Fn(TypedSocket<S>, E::Payload) -> Fut + Clone + Send + Sync + 'static,
        Fut: Future<Output = E::Ack> + Send + 'static,
    {
        self.socket.on(
            event.name(),
            async move |socket: SocketRef, Data::<E::Payload>(payload)| {
                Ack(handler(TypedSocket::new(socket), payload).await)
            },
        );
    }

    /// Sends `event` with `payload` to this client.
    pub fn emit<E>(&self, event: E, payload: &E::Payload) -> Result<(), SendError>
    where
        E: EmitEvent<S>,
        E::Payload: Serialize,
        E::Ack: NoAck,
    {
        // Counted by `SocketRef::emit_static`.
        self.socket.emit_static(event.name(), payload)
    }

    /// Sends `event` with `payload` to this client and waits for its ack.
    pub async fn emit_with_ack<E>(
        &self,
        event: E,
        payload: &E::Payload,
    ) -> Result<E::Ack, EmitAckError>
    where
        E: EmitEvent<S>,
        E::Payload: Serialize,
        E::Ack: DeserializeOwned + Send + 'static,
    {
        let ack = self
            .socket
            .emit_with_ack::<E::Payload, E::Ack>(event.name(), payload)?;
        metrics::static_event_emitted(&self.socket, event.name());
        Ok(ack.await?)
    }

    /// Puts this client in `rooms` (one room, or several: `["a", "b"]`) on this node; emits to a
    /// room reach it from every node (see [`crate::cluster`]).
    pub fn join(&self, rooms: impl RoomParam) {
        self.socket.join(rooms);
    }

    /// Takes this client out of `rooms`.
    pub fn leave(&self, rooms: impl RoomParam) {
        self.socket.leave(rooms);
    }

    /// Takes this client out of every room.
    pub fn leave_all(&self) {
        self.socket.leave_all();
    }

    /// The rooms this client is in.
    pub fn rooms(&self) -> Vec<Room> {
        self.socket.rooms()
    }

    /// The clients in `rooms`, this one included (when it joined one), to emit typed events to:
    /// `socket.within("lobby").emit(Chat::message, &message).await`. The emit is a future: it
    /// reaches the other nodes only when awaited.
    pub fn within(&self, rooms: impl RoomParam) -> TypedOperators<S> {
        self.operators(self.socket.within(rooms))
    }

    /// The clients in `rooms` but this one.
    pub fn to(&self, rooms: impl RoomParam) -> TypedOperators<S> {
        self.operators(self.socket.to(rooms))
    }

    /// Every client of this socket's namespace but this one and those in `rooms`.
    pub fn except(&self, rooms: impl RoomParam) -> TypedOperators<S> {
        self.operators(self.socket.except(rooms))
    }

    fn operators(&self, operators: BroadcastOperators<Adapter>) -> TypedOperators<S> {
        TypedOperators {
            operators,
            origin: self.socket.clone(),
            marker: PhantomData,
        }
    }

    /// Every client of this socket's namespace but this one.
    pub fn broadcast(&self) -> TypedOperators<S> {
        self.operators(self.socket.broadcast())
    }
}

/// Why [`TypedSocket::emit_with_ack`] got no ack.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmitAckError {
    /// The event could not be sent.
    #[error(transparent)]
    Send(#[from] SendError),
    /// The ack did not come, or did not have the declared type.
    #[error(transparent)]
    Ack(#[from] socketioxide::AckError),
}

/// A set of clients of a typed socket's namespace to emit typed events to.
pub struct TypedOperators<S> {
    operators: BroadcastOperators<Adapter>,
    /// The socket whose handler emits, whose metrics count the emit.
    origin: SocketRef,
    marker: PhantomData<fn() -> S>,
}

impl<S: Events> TypedOperators<S> {
    /// Sends `event` with `payload` to every client of the set.
    pub async fn emit<E>(
        self,
        event: E,
        payload: &E::Payload,
    ) -> Result<(), socketioxide::BroadcastError>
    where
        E: EmitEvent<S>,
        E::Payload: Serialize,
        E::Ack: NoAck,
    {
        self.operators.emit(event.name(), payload).await?;
        metrics::static_event_emitted(&self.origin, event.name());
        Ok(())
    }
}

impl<S: Events> FromConnectParts<Adapter> for TypedSocket<S> {
    type Error = std::convert::Infallible;

    fn from_connect_parts(
        s: &Arc<Socket<Adapter>>,
        auth: &Option<Value>,
    ) -> Result<Self, Self::Error> {
        SocketRef::from_connect_parts(s, auth).map(Self::new)
    }
}

impl<S: Events> FromMessageParts<Adapter> for TypedSocket<S> {
    type Error = std::convert::Infallible;

    fn from_message_parts(
        s: &Arc<Socket<Adapter>>,
        v: &mut Value,
        ack_id: &Option<i64>,
    ) -> Result<Self, Self::Error> {
        SocketRef::from_message_parts(s, v, ack_id).map(Self::new)
    }
}

/// Declares the events of a socket: what the client sends (`receive`) and what the server sends
/// (`emit`), each with its payload type and, after `=>`, the type of its acknowledgement.
///
/// Each event becomes an associated constant named like the event; a handler that takes a
/// [`TypedSocket`] of the declaration uses them, and the generated client bindings type the
/// same events for the browser. Payload types implement `serde`'s traits and `ts_rs::TS`.
///
/// `ts_rs` gives a type one TypeScript for both directions, so a field that serde may leave out
/// of what the server sends (`skip_serializing_if`) is typed as always there unless it also has
/// `#[ts(optional)]` (an `Option`) or `#[serde(default)]`: give it one of them.
///
/// ```
/// use rain_core::prelude::*;
/// use serde::{Deserialize, Serialize};
/// use ts_rs::TS;
///
/// #[derive(Deserialize, TS)]
/// pub struct Hello {
///     pub ignored: bool,
/// }
///
/// #[derive(Serialize, TS)]
/// pub struct Bye {
///     pub message: String,
/// }
///
/// rain_core::events! {
///     /// Greetings, both ways.
///     pub Greetings {
///         /// The client greets.
///         hello: receive Hello,
///         /// The server says goodbye.
///         bye: emit Bye,
///         /// The client asks for the time; the ack carries it.
///         time: receive () => String,
///     }
/// }
///
/// #[component(name = "greeter", version = "1.0")]
/// mod greeter {
///     use super::*;
///
///     #[websocket("greetings")]
///     async fn greetings(socket: TypedSocket<Greetings>) {
///         socket.on(Greetings::hello, async |socket, _hello: Hello| {
///             socket.emit(Greetings::bye, &Bye { message: "Hello sir".into() }).ok();
///         });
///         socket.on(Greetings::time, async |_, ()| "noon".to_owned());
///     }
/// }
/// # fn main() {}
/// ```
///
/// Emitting an event the declaration receives, or with the wrong payload, does not compile:
///
/// ```compile_fail
/// # use rain_core::prelude::*;
/// # rain_core::events! { pub Greetings { hello: receive String, bye: emit String } }
/// fn wrong(socket: TypedSocket<Greetings>) {
///     socket.emit(Greetings::hello, &"hi".to_owned()).ok(); // `Greetings` receives `hello`
/// }
/// ```
#[macro_export]
macro_rules! events {
    (
        $(#[$meta:meta])*
        $vis:vis $name:ident {
            $(
                $(#[doc = $doc:literal])*
                $event:ident : $direction:ident $payload:ty $(=> $ack:ty)?
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy)]
        $vis struct $name;

        #[allow(non_upper_case_globals)]
        impl $name {
            $(
                $(#[doc = $doc])*
                pub const $event: $crate::__events_marker!($direction $name, $payload $(, $ack)?) =
                    <$crate::__events_marker!($direction $name, $payload $(, $ack)?)>::__new(
                        $crate::__private::event_name(::core::stringify!($event)),
                    );
            )*
        }

        impl $crate::events::Events for $name {
            const EVENTS: &'static [$crate::events::EventDecl] = &[
                $(
                    $crate::events::EventDecl {
                        name: $crate::__private::event_name(::core::stringify!($event)),
                        direction: $crate::__events_direction!($direction),
                        doc: ::core::concat!($($doc, "\n"),*),
                        payload: $crate::events::payload_type::<$payload>,
                        ack: $crate::__events_ack!($($ack)?),
                    },
                )*
            ];
        }
    };
}

/// Not public API. Used by `events!`.
#[doc(hidden)]
#[macro_export]
macro_rules! __events_marker {
    (receive $name:ident, $payload:ty) => { $crate::events::Receive<$name, $payload, ()> };
    (receive $name:ident, $payload:ty, $ack:ty) => { $crate::events::Receive<$name, $payload, $ack> };
    (emit $name:ident, $payload:ty) => { $crate::events::Emit<$name, $payload, ()> };
    (emit $name:ident, $payload:ty, $ack:ty) => { $crate::events::Emit<$name, $payload, $ack> };
    // An unknown direction, reported once by `__events_direction!`; a type all the same, so
    // that nothing else fails.
    ($other:ident $name:ident, $payload:ty $(, $ack:ty)?) => {
        $crate::events::Receive<$name, $payload $(, $ack)?>
    };
}

/// Not public API. Used by `events!`.
#[doc(hidden)]
#[macro_export]
macro_rules! __events_direction {
    (receive) => {
        $crate::events::Direction::Receive
    };
    (emit) => {
        $crate::events::Direction::Emit
    };
    ($other:ident) => {
        ::core::compile_error!(::core::concat!(
            "unknown direction `",
            ::core::stringify!($other),
            "`; expected `receive` (the client sends it) or `emit` (the server sends it)"
        ))
    };
}

/// Not public API. Used by `events!`.
#[doc(hidden)]
#[macro_export]
macro_rules! __events_ack {
    () => {
        ::core::option::Option::None
    };
    ($ack:ty) => {
        ::core::option::Option::Some($crate::events::payload_type::<$ack>)
    };
}
