//! Rain: web components in Rust with live, component-scoped Socket.IO sockets.
//!
//! A component is a named, versioned module; its sockets are `async fn`s marked `#[websocket]`.
//! The macros register both at link time, [`App::discover`] finds them at startup, and the server
//! mounts each socket as the Socket.IO namespace `/<module id>/<socket name>`, serves the
//! components' views and files, and serves the browser runtime at `/rain/runtime.js`. A page at
//! `/rain` shows the app's components, sockets and live connections, and `/rain/metrics` serves
//! its [`metrics`] to Prometheus.
//!
//! ```no_run
//! use rain_core::prelude::*;
//!
//! #[component(name = "intents-example", version = "1.0")]
//! mod intents_example {
//!     use super::*;
//!
//!     /// Answers every `hello` with a `bye`, and acks it.
//!     #[websocket("chat/dummy socket")]
//!     async fn dummy_socket(socket: SocketRef) {
//!         socket.on("hello", async |socket: SocketRef| {
//!             socket.emit("bye", &json!({ "message": "Hello sir" })).ok();
//!             json!({ "greeted": true }) // what a handler returns is the client's ack
//!         });
//!     }
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), rain_core::Error> {
//!     rain_core::App::discover()?.serve_from_env().await // RAIN_ADDR, default 127.0.0.1:3000
//! }
//! ```
//!
//! # Sockets in more than one module or file
//!
//! Every `#[websocket]` written inside a `#[component]` module belongs to that component, however
//! deeply its module is nested there (`mod sockets { use super::*; ... }`). A socket in a module
//! outside the component (another file, say) names its component module by path:
//!
//! ```no_run
//! # use rain_core::prelude::*;
//! #[component(name = "chat", version = "1.0")]
//! pub mod chat {}
//!
//! mod more_sockets {
//!     use rain_core::prelude::*;
//!
//!     #[websocket("lobby", component = crate::chat)]
//!     async fn lobby(socket: SocketRef) {}
//! }
//! # fn main() {}
//! ```
//!
//! # Intents
//!
//! A component also declares the intents it serves, RAIN's way of asking for something by
//! category and action without knowing who provides it: a server function
//! (`#[intent(category = "...", action = "...")] async fn`), or one of its views (`view = "..."`).
//! Pages send them with `messaging.sendIntent` over one socket of Rain's own, `/rain/intents`; see
//! [`intents`] and [`macro@intent`].
//!
//! # Events
//!
//! [`SocketRef::on`] routes every event through Rain: the socket's rate limit ([`limits`]), its
//! event guards ([`guard`]), the handler (a panic stays with the event), and the ack, which is
//! what the handler returns ([`ack`]).
//!
//! # Events sent while the socket connects
//!
//! A `#[websocket]` function may await before it registers its event handlers. The events the
//! client sends once its `CONNECT` is acknowledged and before the function returns are never lost
//! for having come too early: they are held, then dispatched in the order they arrived, with their
//! acks, to the handlers registered by the time it returns (or panics), each through the pipeline
//! once, like any other event.
//!
//! ```
//! use rain_core::prelude::*;
//!
//! #[component(name = "shop", version = "1.0")]
//! mod shop {
//!     use super::*;
//!
//!     #[websocket("basket")]
//!     async fn basket(socket: SocketRef) {
//!         // A client's `add` sent meanwhile waits for the handler below.
//!         let stock = load_stock().await;
//!         socket.on("add", async move |Data::<String>(item)| stock.contains(&item));
//!     }
//!
//!     async fn load_stock() -> Vec<String> {
//!         vec!["pear".to_owned()]
//!     }
//! }
//! # fn main() {}
//! ```
//!
//! At most `event_burst` events ([`Limits`]) are held: one past it is not handled and is acked
//! `{ "error": "too many events before the socket was ready: ..." }` when the client asked for an
//! ack; the socket stays connected. A function still running after 10 s (one that serves its
//! socket in a loop) stops holding, and what it held is dispatched then. An event that no handler
//! takes once the function has returned is ignored, as Socket.IO does, and logged at `debug`.
//! Nothing of the hold is kept once the function is done.
//!
//! # Linking
//!
//! Registrations travel with the code that declares them. A binary that keeps its components in a
//! library crate must link that crate; refer to it at least once, e.g. `use my_components as _;`.
#![warn(missing_docs)]

// The layers, from the bottom up. Each imports only the layers listed before it (ARCHITECTURE.md
// draws the map; `tests/layers.rs` checks it).

/// The adapter, the `RAIN_*` reader, engine settings, acks, limits, shutdown, metrics, the
/// TypeScript collector.
mod base;

/// One socket: its handlers, guards, configuration, event pipeline, early events, connect.
mod socket;

pub mod registry;

/// Typed sockets, sessions, presence.
mod features;

/// The app: builder, router, HTTP routes, serving, bindings, pages, the served runtime.
mod app;

// On top of the app: a test server and client (the `testing` feature).
#[cfg(feature = "testing")]
pub mod testing;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use app::{
    admission::ConnectionRefusal, bindings, builder::App, error::Error, origin, page::Page,
    serve::DEFAULT_ADDR,
};
pub use base::{
    ack,
    adapter::{AckSender, Adapter, SocketIo},
    binary::{self, Binary, Bytes},
    cluster,
    engine::{self, EngineSettings},
    env::EnvError,
    limits::{self, LimitError, Limits},
    metrics, recovery, shutdown,
    state::{self, State},
};
pub use features::{
    intents,
    presence::{self, Member, Presence},
    session,
    typed::{self as events, TypedSocket},
};
pub use rain_macros::{component, intent, websocket};
pub use registry::{Component, DiscoverError, Intent, Location, Registry, Socket};
pub use socket::{
    guard,
    handler::{EventHandler, ExtractionError},
    socket_ref::SocketRef,
};
/// The TypeScript generator payload types derive (`#[derive(ts_rs::TS)]`).
pub use ts_rs;

/// What a Rain app usually imports: the macros, the handler types and `json!`.
pub mod prelude {
    pub use crate::State;
    pub use crate::{
        AckSender, App, Binary, Bytes, Page, Presence, SocketIo, SocketRef, TypedSocket,
        ack::Ack,
        component,
        guard::{GuardContext, Refusal},
        intent, websocket,
    };
    pub use serde_json::{Value, json};
    pub use socketioxide::extract::{Data, Extension, HttpExtension, TryData};
}
