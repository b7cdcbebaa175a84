//! Connection state recovery, the socket's side: on connect, recovering the parked socket the
//! client asks for (or telling it why not), and on disconnect, parking this one.
//!
//! The wire is Socket.IO's (4.6) where socketioxide lets it be, and says so where it does not:
//!
//! - socketioxide answers `CONNECT` with `{ sid }` alone, so the private id that Socket.IO puts
//!   in that answer comes in the socket's first event instead, [`ANNOUNCEMENT`]
//!   `{ pid, recovered, offset, reason? }`, sent before the connect handler runs;
//! - every event the server sends the socket, other than those asking for an ack, carries its
//!   offset as its last argument (a string), as Socket.IO's do;
//! - a client that comes back sends `{ pid, offset }` in its `CONNECT` payload, as Socket.IO's
//!   client does;
//! - the socket id is the Engine.IO session's in socketioxide, so a recovered socket has a new
//!   one; it gets back its rooms and what the app kept with
//!   [`SocketRef::recover`](crate::SocketRef::recover).
//!
//! A socket is parked when its connection closes, times out or errs, or the server shuts down;
//! not when the client or the server disconnects it on purpose.

use std::{
    any::Any,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
};

use serde::{Deserialize, Serialize};
use socketioxide::{
    extract::TryData,
    handler::{FromConnectParts, Value},
    socket::{DisconnectReason, Socket},
};

use super::departure;
use crate::base::{
    adapter::Adapter,
    recovery::{ANNOUNCEMENT, Log, Refused, Restored},
};

/// Who a socket's client is, as far as recovery cares: its session's id (which changes when the
/// user logs in or out), or `None` without a session.
pub(crate) type Owner = fn(&Socket<Adapter>) -> Option<String>;

/// A recoverable socket's recovery: its private id, whether it recovered, and the socket it
/// recovered.
#[derive(Clone)]
pub(crate) struct Recovery(Arc<State>);

struct State {
    pid: String,
    recovered: bool,
    previous: Option<Arc<dyn Any + Send + Sync>>,
    /// Its client came back on another connection before this one was seen to close: parked
    /// whatever the reason of its close.
    superseded: AtomicBool,
}

impl Recovery {
    /// Whether the socket recovered another.
    pub(super) fn recovered(&self) -> bool {
        self.0.recovered
    }

    /// The socket it recovered.
    pub(super) fn previous(&self) -> Option<Arc<Socket<Adapter>>> {
        let previous = Arc::clone(self.0.previous.as_ref()?);
        previous.downcast::<Socket<Adapter>>().ok()
    }
}

/// What a client that comes back sends in its `CONNECT` payload.
#[derive(Deserialize)]
struct Asked {
    pid: String,
    offset: String,
}

/// The socket's first event.
#[derive(Serialize)]
struct Announcement<'a> {
    pid: &'a str,
    recovered: bool,
    offset: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
}

/// Recovers `socket` when its client asks to and it can, or makes it a fresh recoverable
/// socket; announces which, and parks it when it disconnects. Runs after its guards and before
/// its connect handler.
pub(crate) fn connect(
    socket: &Arc<Socket<Adapter>>,
    auth: &Option<Value>,
    log: &Arc<Log>,
    owner: Owner,
) {
    let me = owner(socket);
    let asked = match TryData::<Asked>::from_connect_parts(socket, auth) {
        Ok(TryData(Ok(asked))) => Some(asked),
        _ => None,
    };
    let announce = |pid: &str, recovered: bool, offset: &str, reason: Option<Refused>| {
        let announcement = Announcement {
            pid,
            recovered,
            offset,
            reason: reason.map(Refused::reason),
        };
        if let Err(error) = socket.emit(ANNOUNCEMENT, &announcement) {
            tracing::debug!(%error, sid = %socket.id, "recovery announcement not sent");
        }
    };
    if let Some(asked) = &asked {
        take_over(log, &asked.pid, me.as_deref(), owner);
    }
    let outcome = asked.as_ref().map(|asked| {
        log.restore(
            &asked.pid,
            &asked.offset,
            me.as_deref(),
            socket.id,
            |rooms| socket.join(rooms.to_vec()),
            |offset| announce(&asked.pid, true, offset, None),
        )
    });
    let state = match (asked, outcome) {
        (Some(asked), Some(Ok(Restored { rooms, previous }))) => {
            tracing::debug!(sid = %socket.id, ns = socket.ns(), rooms = rooms.len(), "socket recovered");
            State {
                pid: asked.pid,
                recovered: true,
                previous: Some(previous),
                superseded: AtomicBool::new(false),
            }
        }
        (_, outcome) => {
            let refused = outcome.and_then(Result::err);
            if let Some(refused) = refused {
                tracing::debug!(sid = %socket.id, ns = socket.ns(), reason = refused.reason(), "socket not recovered");
            }
            let pid = new_pid();
            log.fresh(|offset| announce(&pid, false, offset, refused));
            State {
                pid,
                recovered: false,
                previous: None,
                superseded: AtomicBool::new(false),
            }
        }
    };
    let recovery = Recovery(Arc::new(state));
    socket.extensions.insert(recovery.clone());
    let live: Arc<dyn Any + Send + Sync> = Arc::clone(socket) as _;
    log.connected(&recovery.0.pid, Arc::downgrade(&live));
    let log = Arc::clone(log);
    departure::add(
        socket,
        Box::new(move |socket, reason| {
            let pid = recovery.0.pid.clone();
            if parks(reason) || recovery.0.superseded.load(Ordering::Acquire) {
                let previous: Arc<dyn Any + Send + Sync> = Arc::clone(socket) as _;
                log.park(pid, socket.id, socket.rooms(), me, previous);
            } else {
                log.gone(&pid);
            }
        }),
    );
}

/// When the socket with `pid` is still connected, of the same client (`me`, as `owner` says),
/// closes it and parks it, so that its client's new connection recovers it: a client that
/// comes back before the server saw its old connection die (it polled, or its peer went
/// silent) would otherwise wait out the heartbeat to recover, and find it too late.
fn take_over(log: &Log, pid: &str, me: Option<&str>, owner: Owner) {
    let Some(old) = log.live(pid) else { return };
    let Ok(old) = old.downcast::<Socket<Adapter>>() else {
        return;
    };
    if owner(&old).as_deref() != me {
        return; // `restore` refuses it: the session changed.
    }
    let Some(recovery) = old.extensions.get::<Recovery>() else {
        return;
    };
    recovery.0.superseded.store(true, Ordering::Release);
    tracing::debug!(sid = %old.id, ns = old.ns(), "socket taken over by its client's new connection");
    // Runs its departures now, the park among them.
    if let Err(error) = old.disconnect() {
        tracing::debug!(%error, "the taken-over socket was closed already");
    }
}

/// Whether a socket that closed for `reason` may come back: not when either side ended it on
/// purpose.
fn parks(reason: DisconnectReason) -> bool {
    !matches!(
        reason,
        DisconnectReason::ClientNSDisconnect | DisconnectReason::ServerNSDisconnect
    )
}

/// 128 random bits, hex: unguessable, so that no client recovers another's socket.
fn new_pid() -> String {
    let mut bytes = [0u8; 16];
    if let Err(error) = getrandom::fill(&mut bytes) {
        // A pid that could be guessed would hand one client another's events: better none.
        tracing::error!(%error, "no randomness for a recovery id: this socket cannot recover");
        return String::new();
    }
    bytes.iter().fold(String::with_capacity(32), |mut hex, b| {
        use std::fmt::Write as _;
        let _ = write!(hex, "{b:02x}");
        hex
    })
}
