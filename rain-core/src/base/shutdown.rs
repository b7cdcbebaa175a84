//! Graceful shutdown: refuse new sessions, tell clients, let running handlers finish, close.
//!
//! When [`App::serve_with`](crate::App::serve_with)'s shutdown future completes (Ctrl-C or
//! `SIGTERM` for [`App::serve`](crate::App::serve)):
//!
//! 1. new Socket.IO sessions are refused (`503`, "the server is shutting down");
//! 2. every connected socket receives the event [`SHUTDOWN_EVENT`] (`rain:shutdown`) with
//!    `{ "reason": "the server is shutting down" }`; the browser runtime then holds back new emits
//!    until it has reconnected (to this server's successor), so none is sent into a closing server;
//! 3. handlers still running are given until the deadline
//!    ([`App::shutdown_timeout`](crate::App::shutdown_timeout), `RAIN_SHUTDOWN_TIMEOUT` in seconds,
//!    default 10 s) to finish, so their acks and emits still reach their clients;
//! 4. every session is closed at the transport: clients see `transport close`, which Socket.IO
//!    clients (the browser runtime and the official ones) answer by reconnecting with backoff;
//! 5. the HTTP server stops once its connections are gone.
//!
//! Every event handler registered through Rain ([`SocketRef::on`](crate::SocketRef::on),
//! [`TypedSocket::on`](crate::TypedSocket::on)) is counted while it runs; handlers registered on
//! socketioxide's own socket (`to_socketioxide().on(..)`) are not seen, and get no more time than
//! step 2 takes.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::Duration,
};

use serde_json::json;
use tokio::sync::Notify;

use socketioxide::socket::Socket;

use super::adapter::{Adapter, SocketIo};

/// The event every socket receives when the server starts shutting down.
pub const SHUTDOWN_EVENT: &str = "rain:shutdown";

/// How long [`App::serve_with`](crate::App::serve_with) lets running handlers finish by default.
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);

/// Whether the server is shutting down, and how many handlers are running.
#[derive(Debug, Default)]
pub(crate) struct Drain {
    closing: AtomicBool,
    running: AtomicUsize,
    idle: Notify,
}

impl Drain {
    pub(crate) fn is_closing(&self) -> bool {
        self.closing.load(Ordering::Acquire)
    }

    /// Counts a running handler until the returned guard is dropped.
    pub(crate) fn enter(self: Arc<Self>) -> Running {
        self.running.fetch_add(1, Ordering::AcqRel);
        Running(self)
    }

    /// Completes once no tracked handler runs.
    async fn idle(&self) {
        loop {
            let idle = self.idle.notified();
            if self.running.load(Ordering::Acquire) == 0 {
                return;
            }
            idle.await;
        }
    }

    /// Steps 1 to 4 of [the module](self): refuse, tell, wait up to `timeout`, close.
    pub(crate) async fn shut_down(&self, io: &SocketIo, timeout: Duration) {
        self.closing.store(true, Ordering::Release);
        let notice = json!({ "reason": "the server is shutting down" });
        for namespace in io.nsps() {
            if let Err(error) = namespace.emit(SHUTDOWN_EVENT, &notice).await {
                tracing::debug!(%error, "shutdown notice not sent to every socket");
            }
        }
        if tokio::time::timeout(timeout, self.idle()).await.is_err() {
            tracing::warn!(
                running = self.running.load(Ordering::Acquire),
                ?timeout,
                "handlers still running at the shutdown deadline are stopped"
            );
        }
        io.close().await;
    }
}

/// The graceful shutdown that counts the handlers of `socket`, or none for a socket of a server
/// not built by [`App`](crate::App).
pub(crate) fn drain_of(socket: &Socket<Adapter>) -> Option<Arc<Drain>> {
    socket.req_parts().extensions.get::<Arc<Drain>>().cloned()
}

/// A handler counted as running by its server's graceful shutdown, until dropped.
#[derive(Debug)]
pub(crate) struct Running(Arc<Drain>);

impl Drop for Running {
    fn drop(&mut self) {
        if self.0.running.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}
