//! Starting a `#[websocket]` handler so that the events it registers catch the client's first
//! packets.
//!
//! socketioxide answers a client's namespace `CONNECT` and then *spawns* the connect handler. A
//! client that has emits waiting (made before it connected, or while it was reconnecting) sends
//! them the moment it reads that answer; on a busy server they can be read before the spawned task
//! has first run, that is before its `socket.on(...)` calls, and socketioxide drops an event that
//! has no handler without a word. A reconnect storm loses emits that way.
//!
//! Rain holds those events instead (from before the answer is sent) until the handler has
//! finished, then dispatches them in the order they arrived to the handlers it registered, even
//! after an `.await` (a presence join, a session lookup): no event is lost for having come before
//! its handler. The hold and its bounds are described in `socket::early`.
//!
//! Rain also runs the handler right away, in the task that sent the answer, up to its first
//! `.await`, and spawns only the rest: a handler that registers its events before awaiting
//! anything releases the hold without a trip through the scheduler's queue.

use std::{
    future::Future,
    marker::PhantomData,
    panic::AssertUnwindSafe,
    sync::Arc,
    task::{Context, Poll, Waker},
};

use socketioxide::{
    handler::{ConnectHandler, FromConnectParts, Value},
    socket::Socket,
};

use super::{early::HOLD_AT_MOST, panic, state::SocketState};
use crate::base::adapter::Adapter;

/// A connect handler (an `async fn` of connect extractors), started inline: run up to its first
/// `.await` before socketioxide reads the client's next packet, so its `on` calls are in place.
///
/// Not public API. Used by generated code through [`mount`](super::mount::mount).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a `#[websocket]` handler",
    label = "not a socket handler",
    note = "a `#[websocket]` handler is an `async fn` that returns nothing and takes Socket.IO connect \
            extractors: `SocketRef`, `TypedSocket<E>`, `Data<T>`, `TryData<T>`, `SocketIo`, `State<T>`, ..."
)]
pub trait SocketHandler<T>: Clone + Send + Sync + 'static {
    /// Extracts the arguments from `socket` and `auth` and starts the handler.
    fn start(&self, socket: &Arc<Socket<Adapter>>, auth: &Option<Value>);
}

/// A [`SocketHandler`] as socketioxide's [`ConnectHandler`].
pub(crate) struct Inline<H, T>(pub(crate) H, pub(crate) PhantomData<fn() -> T>);

impl<H: Clone, T> Clone for Inline<H, T> {
    fn clone(&self) -> Self {
        Self(self.0.clone(), PhantomData)
    }
}

impl<H, T> ConnectHandler<Adapter, T> for Inline<H, T>
where
    H: SocketHandler<T>,
    T: Send + Sync + 'static,
{
    fn call(&self, socket: Arc<Socket<Adapter>>, auth: Option<Value>) {
        self.0.start(&socket, &auth);
    }
}

/// Polls `handler` once here, then spawns it if it is not done; releases the socket's held
/// events when it is done, or after [`HOLD_AT_MOST`].
///
/// A future may be polled any number of times; the spawned task polls it again with its own
/// waker, so nothing the first poll registered with the no-op waker is missed. A panic is caught
/// and logged: it loses only this handler, and the held events are still dispatched.
fn run_inline(socket: &Arc<Socket<Adapter>>, handler: impl Future<Output = ()> + Send + 'static) {
    let mut handler = Box::pin(handler);
    let mut cx = Context::from_waker(Waker::noop());
    match std::panic::catch_unwind(AssertUnwindSafe(|| handler.as_mut().poll(&mut cx))) {
        Ok(Poll::Ready(())) => {}
        Ok(Poll::Pending) => {
            tokio::spawn(finish(Arc::clone(socket), handler));
            return;
        }
        Err(_) => panicked(),
    }
    SocketState::release(socket);
}

/// Runs the rest of a connect handler, then releases the socket's held events.
async fn finish(socket: Arc<Socket<Adapter>>, handler: impl Future<Output = ()> + Send) {
    let mut handler = std::pin::pin!(panic::catch_unwind(handler));
    let outcome = match tokio::time::timeout(HOLD_AT_MOST, &mut handler).await {
        Ok(outcome) => outcome,
        Err(_) => {
            tracing::info!(
                sid = %socket.id, ns = socket.ns(), seconds = HOLD_AT_MOST.as_secs(),
                "the `#[websocket]` handler is still running: its socket's events are no longer held"
            );
            SocketState::release(&socket);
            handler.await
        }
    };
    if outcome.is_err() {
        panicked();
    }
    SocketState::release(&socket);
}

fn panicked() {
    tracing::error!("a `#[websocket]` handler panicked while connecting a socket");
}

macro_rules! socket_handler {
    ($($ty:ident),*) => {
        impl<F, Fut, $($ty,)*> SocketHandler<($($ty,)*)> for F
        where
            F: FnOnce($($ty,)*) -> Fut + Clone + Send + Sync + 'static,
            Fut: Future<Output = ()> + Send + 'static,
            $( $ty: FromConnectParts<Adapter> + Send, )*
        {
            #[allow(non_snake_case, unused_variables, reason = "one binding per extractor type")]
            fn start(&self, socket: &Arc<Socket<Adapter>>, auth: &Option<Value>) {
                $(
                    let $ty = match $ty::from_connect_parts(socket, auth) {
                        Ok(value) => value,
                        Err(error) => {
                            tracing::error!(%error, "a `#[websocket]` handler argument cannot be extracted");
                            SocketState::release(socket);
                            return;
                        }
                    };
                )*
                run_inline(socket, (self.clone())($($ty,)*));
            }
        }
    };
}

socket_handler!();
socket_handler!(T1);
socket_handler!(T1, T2);
socket_handler!(T1, T2, T3);
socket_handler!(T1, T2, T3, T4);
socket_handler!(T1, T2, T3, T4, T5);
socket_handler!(T1, T2, T3, T4, T5, T6);
socket_handler!(T1, T2, T3, T4, T5, T6, T7);
socket_handler!(T1, T2, T3, T4, T5, T6, T7, T8);
socket_handler!(T1, T2, T3, T4, T5, T6, T7, T8, T9);
socket_handler!(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10);
socket_handler!(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11);
socket_handler!(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12);
