//! Guards: checks that run before a socket connects, or before an event reaches its handler.
//!
//! A guard is a plain function. It sees the socket (its session, user and extensions) and, when it
//! runs for an event, that event's name. Returning a [`Refusal`] refuses the connection (the client
//! gets a `connect_error` carrying the message) or the event (the client gets an ack
//! `{ "error": "<message>" }` when it asked for one; the socket stays up).
//!
//! Guards are named on the socket's attribute: `guard = ...` runs on connect, `event_guard = ...`
//! before every event handled by [`SocketRef::on`](crate::SocketRef::on) (or
//! [`TypedSocket::on`](crate::TypedSocket::on)). Each takes one path or a list; several run in
//! the order written, and the first refusal wins.
//!
//! ```
//! use rain_core::prelude::*;
//!
//! fn require_user(ctx: &GuardContext<'_>) -> Result<(), Refusal> {
//!     match ctx.socket().req_parts().headers.contains_key("cookie") {
//!         true => Ok(()),
//!         false => Err("sign in first".into()),
//!     }
//! }
//!
//! fn no_shouting(ctx: &GuardContext<'_>) -> Result<(), Refusal> {
//!     match ctx.event() {
//!         Some(event) if event.chars().all(|c| c.is_uppercase()) => Err("no shouting".into()),
//!         _ => Ok(()),
//!     }
//! }
//!
//! #[component(name = "chat", version = "1.0")]
//! mod chat {
//!     use super::*;
//!
//!     #[websocket("room", guard = require_user, event_guard = no_shouting)]
//!     async fn room(socket: SocketRef) {
//!         socket.on("say", async |Data::<String>(words)| words.len());
//!     }
//! }
//! # fn main() {}
//! ```
//!
//! A function of another signature is a compile error on its path:
//!
//! ```compile_fail
//! use rain_core::prelude::*;
//!
//! fn require_user(socket: &SocketRef) -> bool {
//!     socket.connected()
//! }
//!
//! #[component(name = "chat", version = "1.0")]
//! mod chat {
//!     use super::*;
//!
//!     #[websocket("room", guard = require_user)] // expected `fn(&GuardContext<'_>) -> Result<(), Refusal>`
//!     async fn room(socket: SocketRef) {}
//! }
//! # fn main() {}
//! ```

use std::{borrow::Cow, fmt};

use socketioxide::handler::FromConnectParts;

use super::socket_ref::SocketRef;
use crate::base::state::{MissingState, State};

/// What a guard looks at: the socket, and the event when it runs for one.
#[derive(Debug)]
pub struct GuardContext<'a> {
    socket: &'a SocketRef,
    event: Option<&'a str>,
}

impl<'a> GuardContext<'a> {
    /// The context of a guard running on connect (`event` is `None`) or for `event`.
    pub fn new(socket: &'a SocketRef, event: Option<&'a str>) -> Self {
        Self { socket, event }
    }

    /// The socket being connected, or receiving the event.
    pub fn socket(&self) -> &'a SocketRef {
        self.socket
    }

    /// The event about to be handled; `None` while connecting.
    pub fn event(&self) -> Option<&'a str> {
        self.event
    }

    /// A clone of the app's value of type `T`, given with [`App::state`](crate::App::state): what
    /// a guard that checks a database or a configuration reads (see [`crate::state`]).
    pub fn state<T: Clone + Send + Sync + 'static>(&self) -> Result<T, MissingState> {
        State::<T>::from_connect_parts(&self.socket.0, &None).map(|State(value)| value)
    }
}

/// Why a guard refused: the message the client receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(Cow<'static, str>);

impl Refusal {
    /// A refusal saying `message` to the client.
    pub fn new(message: impl Into<Cow<'static, str>>) -> Self {
        Self(message.into())
    }

    /// The message the client receives.
    pub fn message(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refusal {}

impl From<&'static str> for Refusal {
    fn from(message: &'static str) -> Self {
        Self::new(message)
    }
}

impl From<String> for Refusal {
    fn from(message: String) -> Self {
        Self::new(message)
    }
}

/// The signature of a guard: `fn(&GuardContext<'_>) -> Result<(), Refusal>`.
pub type Guard = fn(&GuardContext<'_>) -> Result<(), Refusal>;
