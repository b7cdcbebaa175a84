//! Limits on what clients may do, with defaults sane for a public server.
//!
//! Every limit is set by the builder ([`crate::App::limits`]) or by an environment variable read by
//! [`Limits::with_env`] (which [`crate::App::serve_from_env`] applies over the builder's values). Hitting a limit gives the
//! client a clear reason and never affects other clients.
//!
//! | limit | default | environment |
//! |---|---|---|
//! | largest packet a client may send | 128 KiB | `RAIN_MAX_PAYLOAD` (bytes) |
//! | open connections, all clients | 10,000 | `RAIN_MAX_CONNECTIONS` |
//! | open connections from one client address | 256 | `RAIN_MAX_CONNECTIONS_PER_CLIENT` |
//! | events one socket may send per second (sustained) | 50 | `RAIN_EVENT_RATE` |
//! | events one socket may send in a burst | 100 | `RAIN_EVENT_BURST` |
//! | idle time after which a socket is disconnected | 30 minutes | `RAIN_IDLE_TIMEOUT` (seconds, `0` = never) |
//! | how long a disconnected socket may recover, for sockets without `recover` of their own | off | `RAIN_RECOVER_WINDOW` (seconds, `0` = off) |
//! | events one recovering socket may have missed | 1,000 | `RAIN_RECOVERY_MAX_MISSED` |
//! | bytes of events one recovering socket may have missed | 1 MiB | `RAIN_RECOVERY_MAX_MISSED_BYTES` |
//! | events kept for recovery, per recoverable namespace | 10,000 | `RAIN_RECOVERY_BUFFER_EVENTS` |
//! | bytes of events kept for recovery, per recoverable namespace | 16 MiB | `RAIN_RECOVERY_BUFFER_BYTES` |
//! | bytes of one intent's context | 64 KiB | `RAIN_INTENT_CONTEXT_BYTES` (at least 1) |
//!
//! The event limits are per socket (one token bucket each; an `event_rate` of `0` sets none): an
//! event over them is not handled, is acked `{ "error": "rate limit: ..." }` when the client asked
//! for an ack, and is logged once per burst. `event_burst` also bounds the events held while a
//! socket's connect handler is still running (see [the crate's
//! documentation](crate#events-sent-while-the-socket-connects)). A socket is idle while its client sends no event
//! handled through [`crate::SocketRef::on`]; what the server sends does not count, so a client
//! that only listens is disconnected after `idle_timeout` (it sees `disconnect` with the reason
//! `io server disconnect`) unless it sends an event now and then. Idle sockets are looked for
//! every eighth of `idle_timeout` (at most every 30 s), by one task per `#[websocket]` rather than
//! a timer per socket, so a socket goes up to that much later than `idle_timeout`.
//!
//! How the first three are enforced, before any handler runs:
//!
//! - **`max_payload`** bounds one Engine.IO packet: a WebSocket message (or frame) over it closes
//!   that connection; a long-polling request body over it is answered `413 Payload Too Large`
//!   with the reason, and its session is closed. The binary attachments of one Socket.IO packet
//!   add up to at most `max_payload` too, at most 64 of them, arriving within 10 s.
//! - **`max_connections`** counts Engine.IO sessions (one per browser tab, however many sockets
//!   it opens); a handshake past it is answered `503 Service Unavailable` with `Retry-After: 5`.
//! - **`max_connections_per_client`** counts sessions by peer IP address; a handshake past it is
//!   answered `429 Too Many Requests`. Behind a reverse proxy every client has the proxy's
//!   address: raise this limit there, or enforce it in the proxy. An app served through
//!   [`App::router`](crate::App::router) by a server of your own is counted by address only when
//!   that server provides it (`into_make_service_with_connect_info::<SocketAddr>()`).
//!
//! - **`intent_context_bytes`** bounds the context of one intent sent on `/rain/intents` (its
//!   JSON, plus its binary attachments if any): an intent whose context is larger is answered
//!   `{ "error": "intent context is N bytes, over the limit of M" }` and its handler does not
//!   run. The packet that carries it is bounded by `max_payload` first. It cannot be 0: a
//!   builder value of 0 makes [`App::router`](crate::App::router) fail, a variable set to `0` is
//!   refused.
//!
//! A session's place is given back when the session ends; one that never joins a namespace ends
//! after the connect timeout (45 s by default, `RAIN_CONNECT_TIMEOUT`). The heartbeat, the
//! timeouts, the transports, the send buffer and the Engine.IO path are the engine settings, in
//! [`crate::engine`]. Which web origins may connect at all is set apart, in [`crate::origin`].
//!
//! # Per-socket limits
//!
//! A `#[websocket]` may set its own `event_rate`, `event_burst` and `idle_timeout`, for its
//! sockets only; every limit it does not set is the app's, as above (builder or environment).
//! The same meanings hold: an `event_rate` of `0` sets no rate limit, a burst is at least 1 (the
//! attribute refuses `event_burst = 0` at compile time), and `idle_timeout` is a duration written
//! as a whole number and a unit, `"500ms"`, `"30s"`, `"2m"` or `"1h"`, or `"never"`. A burst given
//! without a rate uses the app's rate. The socket's limits are resolved once, when it is mounted;
//! `/rain` and `/rain/sockets` show each socket's limits and whether they are its own or the app's.
//!
//! ```
//! use rain_core::prelude::*;
//!
//! #[component(name = "board", version = "1.0")]
//! mod board {
//!     use super::*;
//!
//!     /// Cursor moves come fast; other sockets keep the app's 50 a second.
//!     #[websocket("cursor", event_rate = 120, event_burst = 240)]
//!     async fn cursor(socket: SocketRef) {}
//!
//!     /// A feed clients only listen to: never disconnected for being idle.
//!     #[websocket("feed", idle_timeout = "never")]
//!     async fn feed(socket: SocketRef) {}
//! }
//! # fn main() {}
//! ```

use std::{fmt, time::Duration};

use super::env::{self, EnvError};

/// The limits a Rain server enforces on its clients.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// The largest Engine.IO packet (or polling request body) a client may send, in bytes.
    pub max_payload: u64,
    /// Open connections (Engine.IO sessions), all clients together.
    pub max_connections: usize,
    /// Open connections from one client IP address.
    pub max_connections_per_client: usize,
    /// Events one socket may send per second, sustained.
    pub event_rate: u32,
    /// Events one socket may send at once before the rate applies.
    pub event_burst: u32,
    /// How long a socket may stay without its client sending an event before it is
    /// disconnected (up to an eighth of it later, at most 30 s); `None` keeps idle sockets
    /// forever.
    pub idle_timeout: Option<Duration>,
    /// How long a disconnected socket may come back and recover what it missed (see
    /// [`crate::recovery`]), for every socket that sets no `recover` of its own; `None`: no
    /// recovery.
    pub recover: Option<Duration>,
    /// Events one socket may have missed and still recover; past it, its client connects fresh.
    pub recovery_max_missed: usize,
    /// Bytes of events one socket may have missed and still recover.
    pub recovery_max_missed_bytes: usize,
    /// Events kept for recovery per recoverable namespace; past it, the oldest go.
    pub recovery_buffer_events: usize,
    /// Bytes of events kept for recovery per recoverable namespace.
    pub recovery_buffer_bytes: usize,
    /// The largest context one intent may carry, in bytes (its JSON and its binary
    /// attachments); at least 1.
    pub intent_context_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_payload: 128 * 1024,
            max_connections: 10_000,
            max_connections_per_client: 256,
            event_rate: 50,
            event_burst: 100,
            idle_timeout: Some(Duration::from_secs(30 * 60)),
            recover: None,
            recovery_max_missed: 1_000,
            recovery_max_missed_bytes: 1 << 20,
            recovery_buffer_events: 10_000,
            recovery_buffer_bytes: 16 << 20,
            intent_context_bytes: 64 << 10,
        }
    }
}

impl Limits {
    /// The defaults, overridden by whichever `RAIN_*` variables of the table above are set.
    ///
    /// Fails, naming the variable, when one is set to something that is not a number.
    pub fn from_env() -> Result<Self, EnvError> {
        Self::default().with_env()
    }

    /// These limits, overridden by whichever `RAIN_*` variables are set.
    pub fn with_env(self) -> Result<Self, EnvError> {
        self.with_lookup(env::process)
    }

    /// [`Limits::with_env`] over any source of variables (tests pass a map).
    pub fn with_lookup(self, lookup: impl Fn(&str) -> Option<String>) -> Result<Self, EnvError> {
        const NUMBER: &str = "a whole number";
        let mut limits = self;
        env::read(&lookup, "RAIN_MAX_PAYLOAD", NUMBER, &mut limits.max_payload)?;
        env::read(
            &lookup,
            "RAIN_MAX_CONNECTIONS",
            NUMBER,
            &mut limits.max_connections,
        )?;
        env::read(
            &lookup,
            "RAIN_MAX_CONNECTIONS_PER_CLIENT",
            NUMBER,
            &mut limits.max_connections_per_client,
        )?;
        env::read(&lookup, "RAIN_EVENT_RATE", NUMBER, &mut limits.event_rate)?;
        env::read(&lookup, "RAIN_EVENT_BURST", NUMBER, &mut limits.event_burst)?;
        let mut idle = limits.idle_timeout.map_or(0, |d| d.as_secs());
        env::read(&lookup, "RAIN_IDLE_TIMEOUT", NUMBER, &mut idle)?;
        limits.idle_timeout = (idle > 0).then(|| Duration::from_secs(idle));
        let mut recover = limits.recover.map_or(0, |d| d.as_secs());
        env::read(&lookup, "RAIN_RECOVER_WINDOW", NUMBER, &mut recover)?;
        limits.recover = (recover > 0).then(|| Duration::from_secs(recover));
        for (name, value) in [
            ("RAIN_RECOVERY_MAX_MISSED", &mut limits.recovery_max_missed),
            (
                "RAIN_RECOVERY_MAX_MISSED_BYTES",
                &mut limits.recovery_max_missed_bytes,
            ),
            (
                "RAIN_RECOVERY_BUFFER_EVENTS",
                &mut limits.recovery_buffer_events,
            ),
            (
                "RAIN_RECOVERY_BUFFER_BYTES",
                &mut limits.recovery_buffer_bytes,
            ),
        ] {
            env::read(&lookup, name, NUMBER, value)?;
        }
        if let Some(bytes) = env::parse(&lookup, INTENT_CONTEXT_BYTES.1, NUMBER)? {
            if bytes == 0 {
                return Err(EnvError::refused(
                    INTENT_CONTEXT_BYTES.1,
                    INTENT_CONTEXT_BYTES.2,
                ));
            }
            limits.intent_context_bytes = bytes;
        }
        Ok(limits)
    }

    /// Checks the limits that cannot take every value: `intent_context_bytes` is at least 1.
    pub fn check(&self) -> Result<(), LimitError> {
        let (setting, _, reason) = INTENT_CONTEXT_BYTES;
        if self.intent_context_bytes == 0 {
            return Err(LimitError { setting, reason });
        }
        Ok(())
    }
}

/// `intent_context_bytes`: its name, its variable, and why 0 is refused.
const INTENT_CONTEXT_BYTES: (&str, &str, &str) = (
    "intent_context_bytes",
    "RAIN_INTENT_CONTEXT_BYTES",
    "must be at least 1 byte: every intent with a context would be refused",
);

/// A limit Rain cannot run with: its message names the limit and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitError {
    setting: &'static str,
    reason: &'static str,
}

impl LimitError {
    /// The limit, e.g. `intent_context_bytes`.
    pub fn setting(&self) -> &'static str {
        self.setting
    }
}

impl fmt::Display for LimitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "limit `{}`: {}", self.setting, self.reason)
    }
}

impl std::error::Error for LimitError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_overrides_defaults() {
        let limits = Limits::default()
            .with_lookup(|name| match name {
                "RAIN_EVENT_RATE" => Some("7".to_owned()),
                "RAIN_IDLE_TIMEOUT" => Some("0".to_owned()),
                _ => None,
            })
            .unwrap();
        assert_eq!(limits.event_rate, 7);
        assert_eq!(limits.idle_timeout, None);
        assert_eq!(limits.max_payload, Limits::default().max_payload);
    }

    #[test]
    fn intent_contexts_are_bounded_by_at_least_one_byte() {
        assert_eq!(Limits::default().intent_context_bytes, 65_536);
        assert_eq!(Limits::default().check(), Ok(()));
        let limits = Limits::default()
            .with_lookup(|name| (name == "RAIN_INTENT_CONTEXT_BYTES").then(|| "1024".to_owned()))
            .unwrap();
        assert_eq!(limits.intent_context_bytes, 1024);
        let error = Limits::default()
            .with_lookup(|name| (name == "RAIN_INTENT_CONTEXT_BYTES").then(|| "0".to_owned()))
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "RAIN_INTENT_CONTEXT_BYTES: must be at least 1 byte: every intent with a context would \
             be refused"
        );
        let zero = Limits {
            intent_context_bytes: 0,
            ..Limits::default()
        };
        let error = zero.check().unwrap_err();
        assert_eq!(error.setting(), "intent_context_bytes");
        assert!(
            error
                .to_string()
                .starts_with("limit `intent_context_bytes`: "),
            "{error}"
        );
    }

    #[test]
    fn a_bad_number_names_its_variable() {
        let error = Limits::default()
            .with_lookup(|name| (name == "RAIN_MAX_CONNECTIONS").then(|| "lots".to_owned()))
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "RAIN_MAX_CONNECTIONS=`lots` is not a whole number"
        );
    }
}
