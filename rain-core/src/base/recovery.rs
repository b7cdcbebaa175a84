//! Connection state recovery: a client that comes back after a short disconnect gets every
//! event it missed, once each and in order, its rooms, and what its handlers kept, before its
//! connect handler runs again.
//!
//! A socket is recoverable when its `#[websocket]` says for how long, or the app does for every
//! socket that says nothing ([`Limits::recover`](crate::Limits::recover),
//! `RAIN_RECOVER_WINDOW`):
//!
//! ```
//! use rain_core::prelude::*;
//!
//! #[component(name = "chat", version = "1.0")]
//! mod chat {
//!     use super::*;
//!
//!     /// A phone that changes network, a laptop that wakes: within 2 minutes, nothing is lost.
//!     #[websocket("room", recover = "2m")]
//!     async fn room(socket: SocketRef) {
//!         if !socket.recovered() {
//!             socket.join("everyone"); // a recovered socket is back in its rooms already
//!         }
//!     }
//!
//!     /// Live cursors: what was missed is stale anyway.
//!     #[websocket("cursor", recover = "never")]
//!     async fn cursor(socket: SocketRef) {}
//! }
//! # fn main() {}
//! ```
//!
//! # What comes back
//!
//! A socket is parked when its connection closes, errs or times out (a dropped network, a proxy
//! that cut it, no pong in time) or the server shuts down; not when the client or the server
//! disconnects it on purpose. Within the window, its client's next connection gets:
//!
//! - every event sent to the socket while it was away, and those its old connection did not
//!   deliver: direct emits ([`SocketRef::emit`](crate::SocketRef::emit), typed emits, even a
//!   handler's late answer to the old socket), room emits and broadcasts (`within`, `to`,
//!   `broadcast`, `SocketIo::emit`), from this node and, with Redis, from the others; not the
//!   events sent with an ack request (their ack cannot follow the socket) nor volatile ones;
//! - its rooms, before anything else can be sent to it;
//! - what its handlers kept with it, for each type they ask back with
//!   [`SocketRef::recover`](crate::SocketRef::recover) (socketioxide's extensions cannot be
//!   listed, so Rain cannot copy them wholesale);
//! - [`SocketRef::recovered`](crate::SocketRef::recovered) `true` in every handler, and
//!   `socket.recovered` in the browser (Rain's runtime) before its `connect` listeners run.
//!
//! The socket id is new: socketioxide names a socket after its Engine.IO session. A client that
//! comes back on a new connection before the server saw the old one die (long-polling, a silent
//! peer) takes its old socket over at once rather than waiting out the heartbeat.
//!
//! It connects fresh instead, told why (`reason` below), when the window has passed, when it
//! presents another session than the socket it was (a log in or out in between: no client gets
//! another user's messages), when it missed more than `recovery_max_missed` events or
//! `recovery_max_missed_bytes` bytes, or when what it missed is no longer kept (more than
//! `recovery_buffer_events` or `recovery_buffer_bytes` were sent on the namespace since). The
//! reasons, as the client reads them: `"unknown or expired session"` (no such pid, or its window
//! passed), `"session changed"`, `"too many missed events"`, `"offset unknown or no longer
//! kept"` (an offset this server never gave, or what follows it is gone). A pid recovers once;
//! pids are 128 random bits, so a client cannot recover another's socket. Whatever a client
//! sends as `pid` and `offset`, the worst it gets is a fresh connect.
//!
//! # Several nodes
//!
//! Each node keeps its own log, numbering what every node broadcasts to it: a client that comes
//! back to the same node recovers everything, whichever node sent it. One that comes back to
//! another node connects fresh, told `"unknown or expired session"`. Route a client back to its
//! node (sticky sessions, which long-polling needs anyway) for recovery across a reconnect.
//!
//! # On the wire
//!
//! Socket.IO's (4.6) where socketioxide lets it be:
//!
//! - every event the server sends a recoverable socket, other than those asking for an ack,
//!   carries its *offset* as its last argument, a string `"<epoch>-<sequence>"` in hex;
//! - a client that comes back sends `{ "pid": ..., "offset": <the last offset it received> }` in
//!   its `CONNECT` payload, beside its own auth fields;
//! - socketioxide's `CONNECT` answer holds the socket id alone, so the `pid` Socket.IO puts there
//!   comes in the socket's first event instead, [`ANNOUNCEMENT`] (`rain:recovery`):
//!   `{ "pid": ..., "recovered": bool, "offset": ..., "reason"?: ... }`, sent before the connect
//!   handler runs, then the events missed, then the rest.
//!
//! Rain's runtime does all of this and removes the offsets before listeners see them. The
//! official `socket.io-client` recovers with a few lines (it reads `pid` only from the `CONNECT`
//! answer): keep the announcement's `pid` and `offset`, take the last argument of each event as
//! the offset, and send both from an `auth` function, as the README shows; its listeners receive
//! the offset as an extra last argument, as they do from a Socket.IO server.
//!
//! # Memory
//!
//! Per recoverable namespace, one log: every event sent, as sent, kept as long as a parked socket
//! may need it (from the oldest parked socket's park time less the heartbeat) and at most
//! `recovery_buffer_events` / `recovery_buffer_bytes` (10,000 / 16 MiB by default); past a
//! bound the oldest go. Per parked socket, its rooms and the socket itself (with what its
//! handlers kept), for the window. BENCHMARKS.md has the cost per event and per socket.

use std::{
    any::Any,
    collections::{HashMap, VecDeque},
    fmt::Write as _,
    sync::{
        Arc, Mutex, OnceLock, RwLock, Weak,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use socketioxide_core::{
    Sid, Uid,
    adapter::{
        BroadcastFlags, BroadcastOptions, Room,
        errors::SocketError,
        remote_packet::{RequestIn, RequestOut, RequestTypeIn, RequestTypeOut},
    },
    packet::Packet,
};

pub(crate) use self::offset::parse_offset;
use self::offset::{numbered, packet_size, strip_offset, with_offset};

/// The event a recoverable socket receives first, right after its `CONNECT` answer:
/// `{ pid, recovered, offset, reason? }` (socketioxide's `CONNECT` answer cannot carry `pid`).
pub const ANNOUNCEMENT: &str = "rain:recovery";

/// How one namespace recovers: its window and its bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RecoverySettings {
    /// How long a disconnected socket may come back and recover.
    pub(crate) window: Duration,
    /// How long a dead connection may go unnoticed: the ping interval plus the ping timeout.
    pub(crate) heartbeat: Duration,
    /// Events one socket may have missed and still recover.
    pub(crate) max_missed: usize,
    /// Bytes of events one socket may have missed and still recover.
    pub(crate) max_missed_bytes: usize,
    /// Events kept per namespace.
    pub(crate) buffer_events: usize,
    /// Bytes of events kept per namespace.
    pub(crate) buffer_bytes: usize,
}

/// Delivers an already numbered packet to one socket of this node: the namespace's adapter.
pub(crate) trait Deliver: Send + Sync {
    /// Sends `packet` to socket `to`, if it is on this node.
    fn deliver(&self, packet: Packet, to: Sid);
}

/// The log of every recoverable namespace, by namespace path.
#[derive(Default)]
pub(crate) struct Recoveries(RwLock<HashMap<String, Arc<Log>>>);

/// Whether any app of this process has a recoverable socket: until one does, a direct emit does
/// not even look for a socket's recovery.
static ANY: AtomicBool = AtomicBool::new(false);

/// Whether a socket may be recoverable at all, in this process.
#[inline]
pub(crate) fn any() -> bool {
    ANY.load(Ordering::Relaxed)
}

impl Recoveries {
    /// The log of `namespace`, made with `settings` on first call.
    pub(crate) fn add(&self, namespace: &str, settings: RecoverySettings) -> Arc<Log> {
        ANY.store(true, Ordering::Relaxed);
        let mut logs = self.0.write().unwrap_or_else(|e| e.into_inner());
        Arc::clone(
            logs.entry(namespace.to_owned())
                .or_insert_with(|| Arc::new(Log::new(settings))),
        )
    }

    /// The log of `namespace`, when it is recoverable.
    pub(crate) fn get(&self, namespace: &str) -> Option<Arc<Log>> {
        let logs = self.0.read().unwrap_or_else(|e| e.into_inner());
        logs.get(namespace).cloned()
    }
}

impl Recoveries {
    /// `message`, a request of another node to every node of `namespace`, with a broadcast to a
    /// recoverable namespace numbered and kept in this node's log, as this node's own are: a
    /// client of this node tracks one sequence of offsets, and recovers what other nodes sent
    /// it too.
    pub(crate) fn renumbered(&self, namespace: &str, message: Vec<u8>) -> Vec<u8> {
        let Some(log) = self.get(namespace) else {
            return message;
        };
        let Ok(request) = rmp_serde::from_slice::<RequestIn>(&message) else {
            return message;
        };
        let (RequestTypeIn::Broadcast(packet), Some(opts)) = (request.r#type, request.opts) else {
            return message;
        };
        if log.is_own(request.node_id) {
            return message;
        }
        let packet = log.record(strip_offset(packet), &opts, |packet| packet);
        let renumbered = RequestOut {
            node_id: request.node_id,
            id: request.id,
            r#type: RequestTypeOut::Broadcast(&packet),
            opts: Some(&opts),
            ack_timeout: request.ack_timeout,
        };
        rmp_serde::to_vec(&renumbered).unwrap_or(message)
    }
}

/// `Ok` when every socket a send failed for had closed: its client recovers what was sent.
pub(crate) fn kept_for_recovery(errors: Vec<SocketError>) -> Result<(), Vec<SocketError>> {
    if errors
        .iter()
        .all(|error| matches!(error, SocketError::Closed))
    {
        Ok(())
    } else {
        Err(errors)
    }
}

impl std::fmt::Debug for Recoveries {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let logs = self.0.read().unwrap_or_else(|e| e.into_inner());
        f.debug_set().entries(logs.keys()).finish()
    }
}

/// One recoverable namespace's events and parked sockets.
pub(crate) struct Log {
    settings: RecoverySettings,
    /// Random per log: an offset of another server, or of this one before a restart, is unknown.
    epoch: u32,
    deliver: OnceLock<Weak<dyn Deliver>>,
    /// This node's id among the nodes sharing Redis: its own broadcasts come back to it.
    node: OnceLock<Uid>,
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for Log {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Log")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

#[derive(Default)]
struct Inner {
    /// The number of the last event kept (0: none yet).
    last: u64,
    entries: VecDeque<Entry>,
    bytes: usize,
    /// The last event dropped for a bound rather than for its age: a client whose offset is
    /// older may have missed it.
    capped: u64,
    parked: HashMap<String, Parked>,
    /// Parked pids by park time, oldest first (a recovered one stays until its time is up).
    parked_order: VecDeque<(Instant, String)>,
    /// The connected sockets by pid: a client may come back before the server saw its old
    /// connection die (long-polling, a silent peer), and take its socket over.
    live: HashMap<String, Weak<dyn Any + Send + Sync>>,
}

struct Entry {
    seq: u64,
    at: Instant,
    opts: BroadcastOptions,
    packet: Packet,
    size: usize,
}

/// A disconnected socket, waiting for its client.
struct Parked {
    sid: Sid,
    rooms: Vec<Room>,
    owner: Option<String>,
    at: Instant,
    /// The socket itself, for the data its handlers kept in it.
    previous: Arc<dyn Any + Send + Sync>,
}

/// What a recovered socket gets back.
pub(crate) struct Restored {
    /// The rooms it was in (its own id's room excepted).
    pub(crate) rooms: Vec<Room>,
    /// The previous socket, to read its extensions from.
    pub(crate) previous: Arc<dyn Any + Send + Sync>,
}

/// Why a client that asked to recover was connected fresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    /// No parked socket has that `pid` (never, or its window passed, or already recovered).
    Unknown,
    /// The offset is not one of this server's, or older than the events it still keeps.
    Offset,
    /// It missed more events, or bytes, than one socket may.
    TooMany,
    /// It presents another session than the socket it was.
    SessionChanged,
}

impl Refused {
    /// The reason, as the client is told it.
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Self::Unknown => "unknown or expired session",
            Self::Offset => "offset unknown or no longer kept",
            Self::TooMany => "too many missed events",
            Self::SessionChanged => "session changed",
        }
    }
}

impl Log {
    fn new(settings: RecoverySettings) -> Self {
        let mut epoch = [0u8; 4];
        // Without the OS's randomness the epoch is still unlikely to repeat across restarts.
        if getrandom::fill(&mut epoch).is_err() {
            epoch = (std::process::id() ^ 0x5a5a_5a5a).to_le_bytes();
        }
        Self {
            settings,
            epoch: u32::from_le_bytes(epoch),
            deliver: OnceLock::new(),
            node: OnceLock::new(),
            inner: Mutex::new(Inner::default()),
        }
    }

    /// Sets who delivers replayed events: the namespace's adapter, once it exists.
    pub(crate) fn attach(&self, deliver: Weak<dyn Deliver>) {
        let _ = self.deliver.set(deliver);
    }

    /// Sets this node's id.
    pub(crate) fn own(&self, node: Uid) {
        let _ = self.node.set(node);
    }

    /// Whether `node` is this node.
    pub(crate) fn is_own(&self, node: Uid) -> bool {
        self.node.get() == Some(&node)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Numbers `packet` (an event without an ack request; anything else passes unchanged), keeps
    /// it, and calls `send` with it, all under the log's lock, so that a recovery sees each event
    /// either among those it replays or after it joined its rooms, never both nor neither.
    ///
    /// A volatile event is numbered with the last kept event's offset and not kept: it may be
    /// lost, and it does not make the client's offset unknown.
    pub(crate) fn record<R>(
        &self,
        packet: Packet,
        opts: &BroadcastOptions,
        send: impl FnOnce(Packet) -> R,
    ) -> R {
        if !numbered(&packet) {
            return send(packet);
        }
        let mut inner = self.lock();
        let volatile = opts.has_flag(BroadcastFlags::Volatile);
        let seq = if volatile { inner.last } else { inner.last + 1 };
        let packet = with_offset(packet, &self.offset(seq));
        if volatile {
            return send(packet);
        }
        let now = Instant::now();
        let size = packet_size(&packet);
        inner.last = seq;
        inner.bytes += size;
        inner.entries.push_back(Entry {
            seq,
            at: now,
            opts: opts.clone(),
            packet: packet.clone(),
            size,
        });
        self.trim(&mut inner, now);
        send(packet)
    }

    /// Notes that the connected socket `socket` has `pid`.
    pub(crate) fn connected(&self, pid: &str, socket: Weak<dyn Any + Send + Sync>) {
        self.lock().live.insert(pid.to_owned(), socket);
    }

    /// The connected socket with `pid`, if any: its client is back on a new connection.
    pub(crate) fn live(&self, pid: &str) -> Option<Arc<dyn Any + Send + Sync>> {
        self.lock().live.get(pid).and_then(Weak::upgrade)
    }

    /// Forgets the connected socket with `pid` (it disconnected on purpose).
    pub(crate) fn gone(&self, pid: &str) {
        self.lock().live.remove(pid);
    }

    /// Keeps a disconnected socket for the window under `pid`, with its `rooms`.
    pub(crate) fn park(
        &self,
        pid: String,
        sid: Sid,
        rooms: Vec<Room>,
        owner: Option<String>,
        previous: Arc<dyn Any + Send + Sync>,
    ) {
        let mut inner = self.lock();
        let now = Instant::now();
        inner.live.remove(&pid);
        inner.parked_order.push_back((now, pid.clone()));
        inner.parked.insert(
            pid,
            Parked {
                sid,
                rooms,
                owner,
                at: now,
                previous,
            },
        );
        self.trim(&mut inner, now);
    }

    /// Recovers the socket parked under `pid` onto socket `to`, whose client last received
    /// `offset` and presents the session `owner`: calls `join` with its rooms, then `announce`
    /// with `offset` (where the replay starts from), then delivers the events it missed, all
    /// under the log's lock (see [`Log::record`]). When it cannot, nothing is joined nor
    /// delivered.
    ///
    /// An event sent to the whole namespace between the socket's `CONNECT` answer and this call
    /// reached the new socket before its announcement, and is replayed after it: the client
    /// drops what it received before a successful recovery's announcement.
    ///
    /// Either way the pid is forgotten: a pid recovers once.
    pub(crate) fn restore(
        &self,
        pid: &str,
        offset: &str,
        owner: Option<&str>,
        to: Sid,
        join: impl FnOnce(&[Room]),
        announce: impl FnOnce(&str),
    ) -> Result<Restored, Refused> {
        let mut inner = self.lock();
        let now = Instant::now();
        self.trim(&mut inner, now);
        let parked = inner.parked.remove(pid).ok_or(Refused::Unknown)?;
        if parked.owner.as_deref() != owner {
            return Err(Refused::SessionChanged);
        }
        let seq = self.seq_of(offset).ok_or(Refused::Offset)?;
        if seq > inner.last || seq < inner.capped {
            return Err(Refused::Offset);
        }
        let start = inner.entries.partition_point(|e| e.seq <= seq);
        let (mut count, mut bytes) = (0usize, 0usize);
        let missed: Vec<&Entry> = inner
            .entries
            .range(start..)
            .filter(|e| meant_for(&e.opts, parked.sid, &parked.rooms))
            .collect();
        for entry in &missed {
            count += 1;
            bytes += entry.size;
        }
        if count > self.settings.max_missed || bytes > self.settings.max_missed_bytes {
            return Err(Refused::TooMany);
        }
        join(&parked.rooms);
        announce(offset);
        if let Some(deliver) = self.deliver.get().and_then(Weak::upgrade) {
            for entry in missed {
                deliver.deliver(entry.packet.clone(), to);
            }
        }
        Ok(Restored {
            rooms: parked.rooms,
            previous: parked.previous,
        })
    }

    /// Calls `announce` with the offset a fresh socket stands at, the last kept event's, under
    /// the log's lock: every event numbered after it is sent after the announcement.
    pub(crate) fn fresh(&self, announce: impl FnOnce(&str)) {
        let inner = self.lock();
        announce(&self.offset(inner.last));
    }

    /// The offset a fresh socket stands at.
    #[cfg(test)]
    fn head(&self) -> String {
        self.offset(self.lock().last)
    }

    /// How many sockets are parked and events kept (for tests and `/rain`).
    #[cfg(test)]
    fn counts(&self) -> (usize, usize) {
        let inner = self.lock();
        (inner.parked.len(), inner.entries.len())
    }

    fn offset(&self, seq: u64) -> String {
        let mut offset = String::with_capacity(20);
        let _ = write!(offset, "{:08x}-{seq:x}", self.epoch);
        offset
    }

    /// The number of one of this log's offsets.
    fn seq_of(&self, offset: &str) -> Option<u64> {
        parse_offset(offset).and_then(|(epoch, seq)| (epoch == self.epoch).then_some(seq))
    }

    /// Forgets parked sockets past the window and events nobody can need any more.
    fn trim(&self, inner: &mut Inner, now: Instant) {
        let RecoverySettings {
            window, heartbeat, ..
        } = self.settings;
        while let Some((at, _)) = inner.parked_order.front() {
            if now.duration_since(*at) < window {
                break;
            }
            let (at, pid) = inner.parked_order.pop_front().expect("checked");
            if inner.parked.get(&pid).is_some_and(|p| p.at == at) {
                inner.parked.remove(&pid);
            }
        }
        // A parked socket may need what was sent up to a heartbeat before it was parked; a live
        // one, what was sent in the last heartbeat (its connection may be dead already).
        let oldest = inner.parked_order.front().map_or(now, |(at, _)| *at);
        let keep_from = oldest.checked_sub(heartbeat).unwrap_or(oldest);
        while inner.entries.front().is_some_and(|e| e.at < keep_from) {
            let entry = inner.entries.pop_front().expect("checked");
            inner.bytes -= entry.size;
        }
        while inner.entries.len() > self.settings.buffer_events
            || inner.bytes > self.settings.buffer_bytes
        {
            let Some(entry) = inner.entries.pop_front() else {
                break;
            };
            inner.bytes -= entry.size;
            inner.capped = entry.seq;
        }
    }
}

/// Whether a send with `opts` reached socket `sid`, in `rooms`: socketioxide's own rule
/// (`CoreLocalAdapter::apply_opts`) applied to one parked socket.
fn meant_for(opts: &BroadcastOptions, sid: Sid, rooms: &[Room]) -> bool {
    let broadcast = opts.has_flag(BroadcastFlags::Broadcast);
    if opts.except.iter().any(|room| rooms.contains(room)) {
        return false;
    }
    if broadcast && opts.sid == Some(sid) {
        return false;
    }
    if !opts.rooms.is_empty() {
        opts.rooms.iter().any(|room| rooms.contains(room))
    } else {
        broadcast || opts.sid == Some(sid)
    }
}

mod offset;
#[cfg(test)]
mod tests;
