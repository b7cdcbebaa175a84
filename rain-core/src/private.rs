//! Not public API. Used by generated code.
//!
//! Everything `#[component]` and `#[websocket]` expand to names an item of this module by its
//! absolute path (`::rain_core::__private::...`), so user crates need no other dependency.

pub use crate::events::Events;
pub use crate::registry::{
    AssetsFns, ComponentKey, ComponentRegistration, Location, SocketRegistration,
};
pub use inventory;
pub use rust_embed;
pub use socketioxide::handler::{ConnectHandler, FromConnectParts};

use crate::{Adapter, SocketIo};

/// The wire name of an event declared as an identifier: `r#type` is `type`.
///
/// Not public API. Used by `events!`.
pub const fn event_name(ident: &'static str) -> &'static str {
    match ident.as_bytes() {
        [b'r', b'#', ..] => ident.split_at(2).1,
        _ => ident,
    }
}

/// Mounts `handler` on `io` at `namespace`.
///
/// Not public API. Used by generated code.
pub fn mount<H, T>(io: &SocketIo, namespace: String, handler: H)
where
    H: ConnectHandler<Adapter, T>,
    T: Send + Sync + 'static,
{
    io.ns(namespace, handler)
}

/// Implemented by every type that a `#[websocket]` handler can take as an argument.
///
/// Not public API. Used by generated code to check each argument on its own span.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an argument of a `#[websocket]` handler",
    label = "not a socket extractor",
    note = "a `#[websocket]` handler takes Socket.IO connect extractors: `SocketRef`, `TypedSocket<E>`, `Presence`, `Data<T>` \
            (the client's auth payload), `TryData<T>`, `SocketIo`, `State<T>`, `HttpExtension<T>`, ..."
)]
pub trait SocketArgument {}

impl<T: FromConnectParts<Adapter>> SocketArgument for T {}

/// Compiles only when `T` can be a `#[websocket]` handler argument.
///
/// Not public API. Used by generated code.
pub const fn assert_socket_argument<T: SocketArgument>() {}
