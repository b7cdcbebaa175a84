//! What the macros register at link time: one constant registration per `#[component]`, per
//! `#[websocket]` and per `#[intent]`, submitted through `inventory`.
//!
//! Registrations are constant data (`&'static str`, `fn` pointers, a source [`Location`]); every
//! value derived from them is derived once, by [`Registry::discover`](super::Registry::discover).

use std::{fmt, future::Future, pin::Pin, sync::Arc};

use serde::Serialize;
use socketioxide::{handler::Value, socket::Socket};

use super::{
    events::{EventDecl, TypeFn},
    settings::SocketSettings,
};
use crate::{
    base::{
        ack::Reply,
        adapter::{Adapter, SocketIo},
        state::StateOf,
    },
    socket::{guard::Guard, mount::Mount},
};

/// Where a component or socket was declared in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    /// The source file, as `file!()` gives it.
    pub file: &'static str,
    /// The line, starting at 1.
    pub line: u32,
    /// The column, starting at 1.
    pub column: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// The name and version that identify a component.
///
/// Not public API. Used by generated code.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ComponentKey {
    pub name: &'static str,
    pub version: &'static str,
}

/// The files a component embeds: views, client controllers, styles.
///
/// Not public API. Used by generated code.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct AssetsFns {
    pub get: fn(&str) -> Option<rust_embed::EmbeddedFile>,
    pub iter: fn() -> rust_embed::Filenames,
}

/// One `#[component]`, as constant data.
///
/// Not public API. Used by generated code.
#[doc(hidden)]
pub struct ComponentRegistration {
    pub key: ComponentKey,
    pub doc: &'static str,
    pub location: Location,
    pub assets: Option<AssetsFns>,
}

/// Mounts one socket handler on a Socket.IO server at the given namespace.
///
/// Not public API. Used by generated code.
#[doc(hidden)]
pub(crate) type MountFn = fn(&SocketIo, Mount);

/// One `#[websocket]`, as constant data.
///
/// Not public API. Used by generated code.
#[doc(hidden)]
pub struct SocketRegistration {
    pub component: ComponentKey,
    pub name: &'static str,
    pub handler: &'static str,
    pub doc: &'static str,
    pub location: Location,
    pub mount: MountFn,
    pub events: Option<&'static [EventDecl]>,
    /// Run on connect, in order (`guard = ...`).
    pub guards: &'static [Guard],
    /// Run before every event, in order (`event_guard = ...`).
    pub event_guards: &'static [Guard],
    /// What the socket sets for itself over the app's settings (`event_rate = ...`, ...);
    /// [`SocketSettings::APP`] when nothing.
    pub settings: SocketSettings,
    /// The handler's arguments, each with the type it reads with `State<T>`, if it does: checked
    /// against the app's states at startup.
    pub states: &'static [StateOf],
}

/// What a server intent's function ends with: its answer as JSON, or its error.
///
/// Not public API. Used by generated code.
#[doc(hidden)]
pub(crate) type IntentFuture = Pin<Box<dyn Future<Output = Reply<serde_json::Value>> + Send>>;

/// Starts a server intent's function on the socket that sent the intent, with the intent's
/// context as the argument of an `intent` event; `Err` says why an argument could not be
/// extracted.
///
/// Not public API. Used by generated code.
#[doc(hidden)]
pub(crate) type IntentFn = fn(&Arc<Socket<Adapter>>, Value) -> Result<IntentFuture, String>;

/// What provides an intent: a server function, or a view of the component.
///
/// Not public API. Used by generated code.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub enum IntentProvider {
    /// `#[intent(...)] async fn handler(...)`: the function answers.
    Server {
        /// The function's name.
        handler: &'static str,
        /// Starts it.
        call: IntentFn,
        /// The TypeScript of its context, when it takes `Data<T>` (`unknown` when `T` is not
        /// `ts_rs::TS`).
        context: Option<TypeFn>,
        /// The TypeScript of its answer (`unknown` when it is not `ts_rs::TS`).
        answer: TypeFn,
        /// Its arguments, each with the type it reads with `State<T>`, if it does.
        states: &'static [StateOf],
    },
    /// `#[intent(..., view = "index")] const NAME: () = ();`: the view answers.
    View {
        /// The view's id, one of the component's.
        view: &'static str,
        /// The name of the const the intent is declared on.
        name: &'static str,
    },
}

/// One `#[intent]`, as constant data.
///
/// Not public API. Used by generated code.
#[doc(hidden)]
pub struct IntentRegistration {
    pub component: ComponentKey,
    pub category: &'static str,
    pub action: &'static str,
    pub doc: &'static str,
    pub location: Location,
    /// Run before the intent is answered, in order (`guard = ...`).
    pub guards: &'static [Guard],
    pub provider: IntentProvider,
}

inventory::collect!(ComponentRegistration);
inventory::collect!(SocketRegistration);
inventory::collect!(IntentRegistration);
