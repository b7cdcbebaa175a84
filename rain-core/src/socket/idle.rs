//! The idle timeout: each socket's last activity, and one watch per `#[websocket]` that
//! disconnects the sockets that stayed idle too long.

use std::{
    borrow::Cow,
    sync::{
        Arc, Mutex, PoisonError, Weak,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use socketioxide::socket::Socket;
use tokio::time::Instant;

use crate::base::{adapter::Adapter, metrics};

/// When a socket last received an event.
#[derive(Debug)]
pub(super) struct Activity {
    since: Instant,
    /// Milliseconds from `since` to the last event.
    last: AtomicU64,
}

impl Activity {
    pub(super) fn new() -> Self {
        Self {
            since: Instant::now(),
            last: AtomicU64::new(0),
        }
    }

    pub(super) fn touch(&self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.since).as_millis();
        let elapsed = u64::try_from(elapsed).unwrap_or(u64::MAX);
        self.last.fetch_max(elapsed, Ordering::Relaxed);
    }

    pub(super) fn last(&self) -> Instant {
        self.since + Duration::from_millis(self.last.load(Ordering::Relaxed))
    }
}

/// When a socket last received an event, read from wherever its state keeps it; `None` for a
/// socket with no state.
pub(super) type LastActivity = fn(&Socket<Adapter>) -> Option<Instant>;

/// The idle watch of one `#[websocket]`: disconnects each of its sockets once it has received no
/// event for `timeout`, within an eighth of `timeout` (at most 30 s) after.
///
/// One task watches every socket of a `#[websocket]`, not one per socket: a task and its timer
/// cost several hundred bytes for each idle connection, a weak reference in this list costs eight.
#[derive(Debug)]
pub(super) struct IdleWatch {
    module_id: String,
    socket: Cow<'static, str>,
    timeout: Duration,
    watched: Mutex<IdleSockets>,
}

/// The sockets the watch looks after, and whether it runs.
#[derive(Debug, Default)]
struct IdleSockets {
    sockets: Vec<Weak<Socket<Adapter>>>,
    watching: bool,
}

impl IdleWatch {
    /// The watch of the sockets of `socket` in `module_id`.
    pub(super) fn new(module_id: String, socket: Cow<'static, str>, timeout: Duration) -> Self {
        Self {
            module_id,
            socket,
            timeout,
            watched: Mutex::default(),
        }
    }

    /// Puts `socket` under the watch, starting the watch when it is not running.
    pub(super) fn watch(self: &Arc<Self>, socket: &Arc<Socket<Adapter>>, last: LastActivity) {
        let mut watched = self.watched.lock().unwrap_or_else(PoisonError::into_inner);
        watched.sockets.push(Arc::downgrade(socket));
        if !watched.watching {
            watched.watching = true;
            tokio::spawn(sweep(Arc::clone(self), last));
        }
    }
}

/// Holds the sockets weakly, so that a disconnected socket is freed without waiting for it, and
/// stops when it has no socket left to watch ([`IdleWatch::watch`] starts it again).
async fn sweep(watch: Arc<IdleWatch>, last_activity: LastActivity) {
    let timeout = watch.timeout;
    let period = (timeout / 8).clamp(Duration::from_millis(10), Duration::from_secs(30));
    let mut idle = Vec::new();
    loop {
        tokio::time::sleep(period).await;
        let now = Instant::now();
        let stopped = {
            let mut watched = watch.watched.lock().unwrap_or_else(PoisonError::into_inner);
            watched.sockets.retain(|socket| {
                let Some(socket) = socket.upgrade() else {
                    return false;
                };
                let last = last_activity(&socket).unwrap_or(now);
                // A timeout too long for the clock to add is never reached.
                if last
                    .checked_add(timeout)
                    .is_none_or(|deadline| deadline > now)
                {
                    return true;
                }
                idle.push(socket);
                false
            });
            watched.watching = !watched.sockets.is_empty();
            !watched.watching
        };
        // Outside the lock: a disconnect runs the socket's disconnect handlers.
        for socket in idle.drain(..) {
            if socket.connected() {
                tracing::info!(
                    module = %watch.module_id, socket = %watch.socket, sid = %socket.id,
                    idle_seconds = timeout.as_secs_f64(), "idle: disconnecting"
                );
                metrics::idle_disconnect(&socket);
                socket.disconnect().ok();
            }
        }
        if stopped {
            return;
        }
    }
}
