//! [`TypedTestSocket`]: a test socket typed by an [`events!`](crate::events!) declaration, the
//! client's side of [`TypedSocket`](crate::TypedSocket): it sends what the server receives and
//! expects what the server emits, with their payload types, checked by the compiler.

use std::{future::Future, marker::PhantomData, pin::Pin, time::Duration};

use serde::{Serialize, de::DeserializeOwned};

use super::{error::TestError, request::AckRequest, socket::TestSocket};
use crate::events::{Emit, Events, NoAck, Receive};

mod sealed {
    pub trait Sealed {}
    impl<S, P, A> Sealed for crate::events::Receive<S, P, A> {}
    impl<S, P, A> Sealed for crate::events::Emit<S, P, A> {}
}

// `SentEvent` and `ExpectedEvent` have the shape of `events::ReceiveEvent` and `EmitEvent`, as
// traits of their own so that the compile error of a test sending or expecting the wrong event
// speaks of the test client, not of the server's `on` and `emit`.

/// An event a test client of a socket typed by `S` may send: a [`Receive`] of `S`, what the
/// server listens to.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an event that `{S}` receives, so a test client cannot send it",
    label = "not a `receive` event of `{S}`",
    note = "a test client sends (`emit`) the events declared `name: receive Payload` in `{S}`, \
            and waits (`expect`) for those declared `name: emit Payload`"
)]
pub trait SentEvent<S>: sealed::Sealed + Copy {
    /// What the client sends.
    type Payload;
    /// What the server acks with (`()`: no ack).
    type Ack;
    /// The event name on the wire.
    fn name(&self) -> &'static str;
}

impl<S, P, A> SentEvent<S> for Receive<S, P, A> {
    type Payload = P;
    type Ack = A;
    fn name(&self) -> &'static str {
        Receive::name(self)
    }
}

/// An event a test client of a socket typed by `S` may wait for: an [`Emit`] of `S`, what the
/// server sends.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an event that `{S}` emits, so a test client cannot expect it",
    label = "not an `emit` event of `{S}`",
    note = "a test client waits (`expect`) for the events declared `name: emit Payload` in `{S}`, \
            and sends (`emit`) those declared `name: receive Payload`"
)]
pub trait ExpectedEvent<S>: sealed::Sealed + Copy {
    /// What the server sends.
    type Payload;
    /// What the client acks with, when the server asks (`()`: it does not).
    type Ack;
    /// The event name on the wire.
    fn name(&self) -> &'static str;
}

impl<S, P, A> ExpectedEvent<S> for Emit<S, P, A> {
    type Payload = P;
    type Ack = A;
    fn name(&self) -> &'static str {
        Emit::name(self)
    }
}

/// An event the server sent a [`TypedTestSocket`] asking for an ack, its payload of the declared
/// type: [`TypedTestSocket::expect_request`] gives it; [`TypedAckRequest::ack`] answers it with
/// the declared ack type (see [`AckRequest`]).
#[must_use = "the server waits for the answer until its ack timeout"]
pub struct TypedAckRequest<P, A> {
    request: AckRequest,
    payload: P,
    marker: PhantomData<fn(&A)>,
}

impl<P, A> std::fmt::Debug for TypedAckRequest<P, A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("TypedAckRequest")
            .field(&self.request)
            .finish()
    }
}

impl<P, A: Serialize> TypedAckRequest<P, A> {
    /// The payload the server sent.
    pub fn payload(&self) -> &P {
        &self.payload
    }

    /// Answers the request with `answer`.
    pub fn ack(self, answer: &A) -> Result<(), TestError> {
        self.request.ack(answer)
    }
}

/// What [`TypedTestSocket::expect`] and [`TypedTestSocket::emit_with_ack`] return: await it.
pub type Waiting<'a, T> = Pin<Box<dyn Future<Output = Result<T, TestError>> + Send + 'a>>;

/// A [`TestSocket`] whose events are those of the declaration `S` (see
/// [`events!`](crate::events!)): [`TestClient::typed_socket`](super::TestClient::typed_socket) or
/// [`TestSocket::typed`] makes one.
///
/// Sending an event the server emits, or expecting one it receives, does not compile:
///
/// ```compile_fail
/// # use rain_core::testing::TypedTestSocket;
/// # rain_core::events! { pub Greetings { hello: receive String, bye: emit String } }
/// async fn wrong(socket: TypedTestSocket<Greetings>) {
///     socket.expect(Greetings::hello).await.ok(); // the server receives `hello`
/// }
/// ```
pub struct TypedTestSocket<S> {
    socket: TestSocket,
    marker: PhantomData<fn() -> S>,
}

impl<S> std::fmt::Debug for TypedTestSocket<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("TypedTestSocket")
            .field(&self.socket)
            .finish()
    }
}

// Here rather than in `socket.rs`, which this file builds on.
impl TestSocket {
    /// This socket typed by the [`events!`](crate::events!) declaration `S`.
    pub fn typed<S: Events>(self) -> TypedTestSocket<S> {
        TypedTestSocket {
            socket: self,
            marker: PhantomData,
        }
    }
}

impl<S: Events> TypedTestSocket<S> {
    /// The untyped socket, for what the declaration does not cover (`rain:` events, say).
    pub fn socket(&self) -> &TestSocket {
        &self.socket
    }

    /// The untyped socket, by value.
    pub fn into_untyped(self) -> TestSocket {
        self.socket
    }

    /// Sends `event`, declared without an ack.
    pub fn emit<E>(&self, event: E, payload: &E::Payload) -> Result<(), TestError>
    where
        E: SentEvent<S>,
        E::Payload: Serialize,
        E::Ack: NoAck,
    {
        self.socket.send(event.name(), payload, None)
    }

    /// Sends `event`, declared with an ack, and waits for the ack.
    pub fn emit_with_ack<'a, E>(&'a self, event: E, payload: &'a E::Payload) -> Waiting<'a, E::Ack>
    where
        E: SentEvent<S>,
        E::Payload: Serialize + Sync,
        E::Ack: DeserializeOwned + Send,
    {
        let name = event.name();
        Box::pin(async move {
            let ack = self.socket.ack(name, payload).await?;
            self.socket.decode(&ack, &format!("the ack of `{name}`"))
        })
    }

    /// The payload of the next `event` the server sends.
    // Not an `async fn`: the opaque future of one would carry the bound on `E` too, and an event
    // of the wrong direction would be reported three times instead of once.
    pub fn expect<E>(&self, event: E) -> Waiting<'_, E::Payload>
    where
        E: ExpectedEvent<S>,
        E::Payload: DeserializeOwned + Send,
    {
        let name = event.name();
        Box::pin(async move {
            let received = self.socket.next(name).await?;
            self.socket.decode(&received, &format!("`{name}`"))
        })
    }

    /// The next `event` the server sent asking for an ack (an event declared
    /// `name: emit Payload => Ack`, sent with
    /// [`TypedSocket::emit_with_ack`](crate::TypedSocket::emit_with_ack)), to answer with
    /// [`TypedAckRequest::ack`]; see [`TestSocket::expect_request`].
    pub fn expect_request<E>(&self, event: E) -> Waiting<'_, TypedAckRequest<E::Payload, E::Ack>>
    where
        E: ExpectedEvent<S>,
        E::Payload: DeserializeOwned + Send,
        E::Ack: Serialize,
    {
        let name = event.name();
        Box::pin(async move {
            let request = self.socket.expect_request(name).await?;
            Ok(TypedAckRequest {
                payload: request.payload_as()?,
                request,
                marker: PhantomData,
            })
        })
    }

    /// Checks that no `event` arrives within `within`.
    pub fn expect_none<E: ExpectedEvent<S>>(&self, event: E, within: Duration) -> Waiting<'_, ()> {
        Box::pin(self.socket.expect_none(event.name(), within))
    }

    /// Disconnects this socket (see [`TestSocket::disconnect`]).
    pub async fn disconnect(self) {
        self.socket.disconnect().await;
    }
}
