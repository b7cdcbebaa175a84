//! Engine settings: the heartbeat, the timeouts, the transports, the send buffer and the path that
//! every Socket.IO connection of an app runs with.
//!
//! They are set by the builder ([`crate::App::engine`]) or by environment variables read by
//! [`EngineSettings::with_env`] (which [`crate::App::serve_from_env`] applies over the builder's
//! values). Durations are in milliseconds, as Socket.IO's options are; the defaults are Socket.IO's.
//!
//! | setting | default | environment |
//! |---|---|---|
//! | ping interval: how often the server pings each connection | 25,000 ms | `RAIN_PING_INTERVAL` |
//! | ping timeout: how long a pong may take before the connection is closed | 20,000 ms | `RAIN_PING_TIMEOUT` |
//! | connect timeout: how long a new connection may take to join its first namespace | 45,000 ms | `RAIN_CONNECT_TIMEOUT` |
//! | upgrade timeout: how long an upgrade from long-polling to WebSocket may take | 10,000 ms | `RAIN_UPGRADE_TIMEOUT` |
//! | default ack timeout of the server's `emit_with_ack` | 5,000 ms | `RAIN_ACK_TIMEOUT` |
//! | transports the server accepts | `websocket,polling` | `RAIN_TRANSPORTS` (`websocket`, `polling` or both) |
//! | packets one connection may have waiting to be sent | 128 | `RAIN_SEND_BUFFER` |
//! | bytes a WebSocket reads at once (its read buffer) | 1,024 | `RAIN_WS_READ_BUFFER` |
//! | the Engine.IO path | `/socket.io` | `RAIN_ENGINE_PATH` |
//!
//! The server tells each client its ping interval and timeout (and its largest packet,
//! [`max_payload`](crate::Limits::max_payload)) in the Engine.IO handshake. The server pings a
//! connection as it opens, then one interval after each pong: a client that stops answering is
//! disconnected with the reason `ping timeout` interval + timeout after its last pong (or, if it
//! never answers, the ping timeout after it connected). Rain's browser runtime answers pings as they
//! arrive, without a timer, and closes a connection whose server has been silent for
//! interval + timeout, then reconnects. Behind a proxy that cuts idle connections at 60 s, any
//! interval under 60 s keeps them open.
//!
//! Rain's pages tell the browser runtime the path and the transports; the official clients need
//! `path` (and `transports`) given the same values. An emit to a client whose send buffer is full
//! fails (socketioxide's `SendError::Socket(SocketError::InternalChannelFull)`) rather than
//! queueing without bound: a client that does not read cannot make the server hold its messages
//! forever. A connection that has not joined a namespace holds its place among
//! [`max_connections`](crate::Limits::max_connections) until the connect timeout closes it.
//!
//! Each WebSocket keeps its read buffer for its whole life, and hands the engine a message that
//! many bytes at a time. 1 KiB keeps an idle connection 3 KB smaller than the engine's 4 KiB,
//! and saves zeroing 3 KiB before each read of a small packet. Large messages do not pay for it
//! in `read` calls: once a read fills the buffer, [`App::serve`](crate::App::serve) reads up to
//! 64 KiB from the socket at once and hands them out from memory, freed once handed out (a 64
//! KiB attachment takes about 3 `read` calls, against 17 with a plain 4 KiB buffer). A larger
//! buffer still saves the engine some copying per large message, at the cost above.
//!
//! Every setting is checked when the app is built: a zero duration or buffer, or a path that is
//! not one, is an [`EngineError`] naming the setting and the reason (for a variable, an
//! [`EnvError`] naming the variable).

use std::{fmt, time::Duration};

use super::env::{self, EnvError};

/// The transports a server accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Transports {
    /// WebSocket, and HTTP long-polling for clients that cannot open one (the default).
    #[default]
    Both,
    /// WebSocket only: a client's first request must be the WebSocket handshake.
    WebSocket,
    /// HTTP long-polling only: no upgrade is offered.
    Polling,
}

impl Transports {
    /// The names Engine.IO gives them, in the order a client should try them.
    pub fn names(self) -> &'static [&'static str] {
        match self {
            Self::Both => &["websocket", "polling"],
            Self::WebSocket => &["websocket"],
            Self::Polling => &["polling"],
        }
    }
}

impl std::str::FromStr for Transports {
    type Err = ();

    /// `websocket`, `polling`, or both separated by a comma, in either order.
    fn from_str(text: &str) -> Result<Self, ()> {
        let mut names: Vec<&str> = text.split(',').map(str::trim).collect();
        names.sort_unstable();
        match names.as_slice() {
            ["polling", "websocket"] => Ok(Self::Both),
            ["websocket"] => Ok(Self::WebSocket),
            ["polling"] => Ok(Self::Polling),
            _ => Err(()),
        }
    }
}

/// The settings every Socket.IO connection of an app runs with (see [the module](self)).
///
/// ```
/// use std::time::Duration;
/// use rain_core::engine::{EngineSettings, Transports};
///
/// let mut engine = EngineSettings::default();
/// engine.ping_interval = Duration::from_secs(10);
/// engine.transports = Transports::WebSocket;
/// engine.path = "/live".to_owned();
/// assert!(engine.check().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EngineSettings {
    /// How often the server pings each connection.
    pub ping_interval: Duration,
    /// How long after a ping the server waits for its pong before closing the connection.
    pub ping_timeout: Duration,
    /// How long a new connection may take to join its first namespace.
    pub connect_timeout: Duration,
    /// How long an upgrade from long-polling to WebSocket may take before it is abandoned.
    pub upgrade_timeout: Duration,
    /// How long the server's `emit_with_ack` waits for acks when the emit sets no timeout.
    pub ack_timeout: Duration,
    /// The transports clients may use.
    pub transports: Transports,
    /// Packets one connection may have waiting to be sent; an emit past it fails.
    pub send_buffer: usize,
    /// Bytes a WebSocket reads at once: its read buffer, kept for the connection's life.
    pub ws_read_buffer: usize,
    /// The Engine.IO path, e.g. `/socket.io`; a trailing `/` is ignored.
    pub path: String,
}

impl Default for EngineSettings {
    fn default() -> Self {
        Self {
            ping_interval: Duration::from_millis(25_000),
            ping_timeout: Duration::from_millis(20_000),
            connect_timeout: Duration::from_millis(45_000),
            upgrade_timeout: Duration::from_millis(10_000),
            ack_timeout: Duration::from_millis(5_000),
            transports: Transports::Both,
            send_buffer: 128,
            ws_read_buffer: 1024,
            path: "/socket.io".to_owned(),
        }
    }
}

/// An engine setting Rain cannot run with: its message names the setting and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineError {
    setting: &'static str,
    reason: &'static str,
}

impl EngineError {
    /// The setting, e.g. `ping_interval`.
    pub fn setting(&self) -> &'static str {
        self.setting
    }
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "engine setting `{}`: {}", self.setting, self.reason)
    }
}

impl std::error::Error for EngineError {}

/// A duration setting: its name, the variable that sets it, where it is, and why 0 is refused.
type DurationSetting = (
    &'static str,
    &'static str,
    fn(&mut EngineSettings) -> &mut Duration,
    &'static str,
);

/// The duration settings.
const DURATIONS: [DurationSetting; 5] = [
    (
        "ping_interval",
        "RAIN_PING_INTERVAL",
        |e| &mut e.ping_interval,
        "must be above 0 ms: the server would ping without pause",
    ),
    (
        "ping_timeout",
        "RAIN_PING_TIMEOUT",
        |e| &mut e.ping_timeout,
        "must be above 0 ms: no client could answer a ping in time",
    ),
    (
        "connect_timeout",
        "RAIN_CONNECT_TIMEOUT",
        |e| &mut e.connect_timeout,
        "must be above 0 ms: no connection could join a namespace in time",
    ),
    (
        "upgrade_timeout",
        "RAIN_UPGRADE_TIMEOUT",
        |e| &mut e.upgrade_timeout,
        "must be above 0 ms: no upgrade to WebSocket could complete",
    ),
    (
        "ack_timeout",
        "RAIN_ACK_TIMEOUT",
        |e| &mut e.ack_timeout,
        "must be above 0 ms: every ack would time out",
    ),
];

impl EngineSettings {
    /// The defaults, overridden by whichever `RAIN_*` variables of [the table](self) are set.
    pub fn from_env() -> Result<Self, EnvError> {
        Self::default().with_env()
    }

    /// These settings, overridden by whichever `RAIN_*` variables are set.
    ///
    /// Fails, naming the variable, when one is set to something that does not parse or that
    /// [`EngineSettings::check`] refuses.
    pub fn with_env(self) -> Result<Self, EnvError> {
        self.with_lookup(env::process)
    }

    /// [`EngineSettings::with_env`] over any source of variables (tests pass a map).
    pub fn with_lookup(self, lookup: impl Fn(&str) -> Option<String>) -> Result<Self, EnvError> {
        const MILLISECONDS: &str = "a whole number of milliseconds";
        let mut engine = self;
        let mut set = Vec::new();
        for (setting, name, field, _) in DURATIONS {
            if let Some(ms) = env::parse::<u64>(&lookup, name, MILLISECONDS)? {
                *field(&mut engine) = Duration::from_millis(ms);
                set.push((setting, name));
            }
        }
        let transports = "`websocket`, `polling` or `websocket,polling`";
        if let Some(value) = env::parse(&lookup, "RAIN_TRANSPORTS", transports)? {
            engine.transports = value;
        }
        let packets = "a whole number of packets";
        if let Some(value) = env::parse(&lookup, "RAIN_SEND_BUFFER", packets)? {
            engine.send_buffer = value;
            set.push(("send_buffer", "RAIN_SEND_BUFFER"));
        }
        let bytes = "a whole number of bytes";
        if let Some(value) = env::parse(&lookup, "RAIN_WS_READ_BUFFER", bytes)? {
            engine.ws_read_buffer = value;
            set.push(("ws_read_buffer", "RAIN_WS_READ_BUFFER"));
        }
        if let Some(path) = lookup("RAIN_ENGINE_PATH") {
            engine.path = path.trim().to_owned();
            set.push(("path", "RAIN_ENGINE_PATH"));
        }
        match engine.check() {
            Err(error) => match set.iter().find(|(setting, _)| *setting == error.setting) {
                Some((_, name)) => Err(EnvError::refused(name, error.reason)),
                // The builder's value is wrong; `App::router` reports it.
                None => Ok(engine),
            },
            Ok(()) => Ok(engine),
        }
    }

    /// Checks every setting: no zero duration or buffer, and a path of the form `/name`.
    pub fn check(&self) -> Result<(), EngineError> {
        let mut engine = self.clone();
        for (setting, _, field, reason) in DURATIONS {
            if field(&mut engine).is_zero() {
                return Err(EngineError { setting, reason });
            }
        }
        if self.send_buffer == 0 {
            return Err(EngineError {
                setting: "send_buffer",
                reason: "must be at least 1 packet: no emit could be sent",
            });
        }
        if self.ws_read_buffer == 0 {
            return Err(EngineError {
                setting: "ws_read_buffer",
                reason: "must be at least 1 byte: no WebSocket message could be read",
            });
        }
        let path = self.engine_path();
        let refuse = |reason| {
            Err(EngineError {
                setting: "path",
                reason,
            })
        };
        if !path.starts_with('/') || path.len() < 2 {
            return refuse("must be a path below the root, such as `/socket.io`");
        }
        if path.contains(['?', '#', ' ']) || path.contains("//") {
            return refuse("must be a plain path: no `?`, `#`, spaces or empty segments");
        }
        if path == "/rain" || path.starts_with("/rain/") {
            return refuse("`/rain` is where Rain serves its runtime and introspection");
        }
        Ok(())
    }

    /// The path without a trailing `/`: what the server answers under, e.g. `/socket.io`.
    pub fn engine_path(&self) -> &str {
        match self.path.strip_suffix('/') {
            Some(path) if !path.is_empty() => path,
            _ => &self.path,
        }
    }

    /// The path as Socket.IO clients take it, with a trailing `/`: `/socket.io/`.
    pub fn client_path(&self) -> String {
        format!("{}/", self.engine_path())
    }

    /// Whether a request for `path` goes to the engine: the path itself or anything below it
    /// (the rule the engine itself applies).
    pub fn serves(&self, path: &str) -> bool {
        path.strip_prefix(self.engine_path())
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::env::vars;

    #[test]
    fn defaults_are_socket_io_s() {
        let engine = EngineSettings::default();
        assert_eq!(engine.ping_interval, Duration::from_secs(25));
        assert_eq!(engine.ping_timeout, Duration::from_secs(20));
        assert_eq!(engine.connect_timeout, Duration::from_secs(45));
        assert_eq!(engine.client_path(), "/socket.io/");
        assert_eq!(engine.check(), Ok(()));
    }

    #[test]
    fn environment_overrides_in_milliseconds() {
        let engine = EngineSettings::default()
            .with_lookup(vars(&[
                ("RAIN_PING_INTERVAL", "300"),
                ("RAIN_PING_TIMEOUT", " 200 "),
                ("RAIN_TRANSPORTS", "polling, websocket"),
                ("RAIN_SEND_BUFFER", "16"),
                ("RAIN_WS_READ_BUFFER", "4096"),
                ("RAIN_ENGINE_PATH", "/live/"),
            ]))
            .unwrap();
        assert_eq!(engine.ping_interval, Duration::from_millis(300));
        assert_eq!(engine.ping_timeout, Duration::from_millis(200));
        assert_eq!(engine.transports, Transports::Both);
        assert_eq!(engine.send_buffer, 16);
        assert_eq!(engine.ws_read_buffer, 4096);
        assert_eq!(engine.engine_path(), "/live");
        assert_eq!(engine.client_path(), "/live/");
        let only = EngineSettings::default()
            .with_lookup(vars(&[("RAIN_TRANSPORTS", "websocket")]))
            .unwrap();
        assert_eq!(only.transports.names(), ["websocket"]);
    }

    #[test]
    fn bad_values_name_the_variable_and_the_reason() {
        let error = |pairs| {
            EngineSettings::default()
                .with_lookup(vars(pairs))
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            error(&[("RAIN_PING_INTERVAL", "0")]),
            "RAIN_PING_INTERVAL: must be above 0 ms: the server would ping without pause"
        );
        assert_eq!(
            error(&[("RAIN_PING_TIMEOUT", "20s")]),
            "RAIN_PING_TIMEOUT=`20s` is not a whole number of milliseconds"
        );
        assert_eq!(
            error(&[("RAIN_TRANSPORTS", "websocket,flash")]),
            "RAIN_TRANSPORTS=`websocket,flash` is not `websocket`, `polling` or `websocket,polling`"
        );
        assert_eq!(
            error(&[("RAIN_ENGINE_PATH", "/rain/io")]),
            "RAIN_ENGINE_PATH: `/rain` is where Rain serves its runtime and introspection"
        );
        assert_eq!(
            error(&[("RAIN_SEND_BUFFER", "0")]),
            "RAIN_SEND_BUFFER: must be at least 1 packet: no emit could be sent"
        );
    }

    #[test]
    fn the_builder_s_values_are_checked_too() {
        let mut engine = EngineSettings {
            connect_timeout: Duration::ZERO,
            ..EngineSettings::default()
        };
        let error = engine.check().unwrap_err();
        assert_eq!(error.setting(), "connect_timeout");
        assert_eq!(
            error.to_string(),
            "engine setting `connect_timeout`: must be above 0 ms: no connection could join a \
             namespace in time"
        );
        for path in ["", "/", "socket.io", "/a b", "/a//b", "/rain"] {
            engine = EngineSettings {
                path: path.to_owned(),
                ..EngineSettings::default()
            };
            assert_eq!(engine.check().unwrap_err().setting(), "path", "{path:?}");
        }
    }

    #[test]
    fn the_engine_serves_its_path_and_below() {
        let engine = EngineSettings::default();
        assert!(engine.serves("/socket.io"));
        assert!(engine.serves("/socket.io/"));
        assert!(!engine.serves("/socket.iox"));
        assert!(!engine.serves("/"));
    }
}
