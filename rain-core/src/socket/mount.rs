//! Mounting a `#[websocket]` handler at its namespace: behind its connect guards, with each
//! connection counted, and started inline ([`super::connect`]).

use std::{future::Future, marker::PhantomData, sync::Arc};

use socketioxide::{
    handler::{ConnectHandler, ConnectMiddleware, FromConnectParts, Value},
    socket::Socket,
};

use super::{
    config::SocketConfig,
    connect::{Inline, SocketHandler},
    departure,
    recover::{self, Owner},
    socket_ref::SocketRef,
    state::SocketState,
};
use crate::base::{
    adapter::{Adapter, SocketIo},
    metrics,
    recovery::Log,
};

/// Where and how one socket is mounted: its namespace and its configuration.
///
/// Not public API. Used by generated code.
#[derive(Debug)]
pub struct Mount {
    pub(crate) namespace: String,
    pub(crate) config: Arc<SocketConfig>,
    pub(crate) read_handshake: ReadHandshake,
    /// Who a socket's client is, for a recovery: a session changed recovers nothing.
    pub(crate) owner: Owner,
}

/// Reads what a socket's handshake carries, before its guards run (the app reads the session
/// there), from the socket and its auth payload.
pub(crate) type ReadHandshake = fn(&Arc<Socket<Adapter>>, &Option<Value>);

/// [`ReadHandshake`] as socketioxide's connect middleware.
#[derive(Clone, Copy)]
struct Handshake(ReadHandshake);

impl ConnectMiddleware<Adapter, ()> for Handshake {
    fn call<'a>(
        &'a self,
        socket: Arc<Socket<Adapter>>,
        auth: &'a Option<Value>,
    ) -> impl Future<Output = Result<(), Box<dyn std::fmt::Display + Send>>> + Send {
        (self.0)(&socket, auth);
        std::future::ready(Ok(()))
    }
}

/// Mounts `handler` on `io`, behind the socket's connect guards.
///
/// Not public API. Used by generated code.
pub fn mount<H, T>(io: &SocketIo, mount: Mount, handler: H)
where
    H: SocketHandler<T>,
    T: Send + Sync + 'static,
{
    mount_erased(
        io,
        mount,
        Erased(Arc::new(move |socket, auth| handler.start(socket, auth))),
    );
}

/// The part of [`mount`] that does not depend on the handler's type: compiled once in Rain
/// rather than once per `#[websocket]` in the app (10,000 sockets would otherwise instantiate
/// socketioxide's connect machinery 10,000 times).
fn mount_erased(io: &SocketIo, mount: Mount, handler: Erased) {
    let Mount {
        namespace,
        config,
        read_handshake,
        owner,
    } = mount;
    let recovery = config.recovery.clone().map(|log| (log, owner));
    let admit = move |socket: SocketRef| {
        let admitted = SocketState::attach(&config, &socket);
        async move { admitted }
    };
    // The guards run first: a refused connection is neither counted as opened nor traced.
    let observed = Observed {
        handler: Inline(handler, PhantomData),
        recovery,
        marker: PhantomData,
    };
    // Added last, so that it runs first: guards and handlers find the session read.
    io.ns(
        namespace,
        observed.with(admit).with(Handshake(read_handshake)),
    );
}

/// What starts a socket's handler: [`SocketHandler::start`].
type Start = dyn Fn(&Arc<Socket<Adapter>>, &Option<Value>) + Send + Sync;

/// A [`SocketHandler`] behind a pointer: one type for every socket's handler.
#[derive(Clone)]
struct Erased(Arc<Start>);

impl SocketHandler<Erased> for Erased {
    fn start(&self, socket: &Arc<Socket<Adapter>>, auth: &Option<Value>) {
        (self.0)(socket, auth);
    }
}

/// A socket's connect handler, with each connection counted and its call in a `connect` span;
/// on a recoverable socket, after the recovery ([`recover::connect`]).
struct Observed<H, T> {
    handler: H,
    recovery: Option<(Arc<Log>, Owner)>,
    marker: PhantomData<fn() -> T>,
}

impl<H: Clone, T> Clone for Observed<H, T> {
    fn clone(&self) -> Self {
        Self {
            handler: self.handler.clone(),
            recovery: self.recovery.clone(),
            marker: PhantomData,
        }
    }
}

impl<H, T> ConnectHandler<Adapter, T> for Observed<H, T>
where
    H: ConnectHandler<Adapter, T>,
    T: Send + Sync + 'static,
{
    fn call(&self, socket: Arc<Socket<Adapter>>, auth: Option<Value>) {
        let span = metrics::connection_opened(&socket, &auth);
        let _in_span = span.enter();
        departure::add(
            &socket,
            Box::new(|socket, reason| metrics::connection_closed(socket, reason)),
        );
        if let Some((log, owner)) = &self.recovery {
            recover::connect(&socket, &auth, log, *owner);
        }
        self.handler.call(socket, auth);
    }

    fn call_middleware<'a>(
        &'a self,
        socket: Arc<Socket<Adapter>>,
        auth: &'a Option<Value>,
    ) -> std::pin::Pin<
        Box<dyn Future<Output = Result<(), Box<dyn std::fmt::Display + Send>>> + Send + 'a>,
    > {
        self.handler.call_middleware(socket, auth)
    }
}

/// Implemented by every type that a `#[websocket]` handler can take as an argument.
///
/// Not public API. Used by generated code to check each argument on its own span.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an argument of a `#[websocket]` handler",
    label = "not a socket extractor",
    note = "a `#[websocket]` handler takes Socket.IO connect extractors: `SocketRef`, `TypedSocket<E>`, `Presence`, `Data<T>` \
            (the client's auth payload), `TryData<T>`, `SocketIo`, `State<T>`, `HttpExtension<T>`, ..."
)]
pub trait SocketArgument {}

impl<T: FromConnectParts<Adapter>> SocketArgument for T {}

/// Compiles only when `T` can be a `#[websocket]` handler argument.
///
/// Not public API. Used by generated code.
pub const fn assert_socket_argument<T: SocketArgument>() {}
