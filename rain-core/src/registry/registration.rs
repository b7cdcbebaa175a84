//! What the macros register at link time: one constant registration per `#[component]` and per
//! `#[websocket]`, submitted through `inventory`.
//!
//! Registrations are constant data (`&'static str`, `fn` pointers, a source [`Location`]); every
//! value derived from them is derived once, by [`Registry::discover`](super::Registry::discover).

use std::fmt;

use serde::Serialize;

use super::{events::EventDecl, settings::SocketSettings};
use crate::{
    base::adapter::SocketIo,
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
}

inventory::collect!(ComponentRegistration);
inventory::collect!(SocketRegistration);
