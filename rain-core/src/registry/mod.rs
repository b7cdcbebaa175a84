//! What the macros register at link time, and the [`Registry`] collected from it at startup.
//!
//! `#[component]` and `#[websocket]` each submit one constant registration through `inventory`
//! (`registration`, reached by generated code through `__private`). [`Registry::discover`]
//! gathers them once, sorts them (link order is unspecified), derives every module id and
//! namespace by the naming rules ([`module_id`], [`namespace`]; all of them in one file), and
//! reports duplicates with both source locations ([`DiscoverError`]). A socket's event
//! declarations, when it has them, are data here too; the typed socket API is built on them. So is
//! what a socket sets for itself over the app's limits (`settings`), resolved when it is mounted.

pub(crate) mod discover;
mod error;
pub(crate) mod events;
pub(crate) mod names;
pub(crate) mod registration;
pub(crate) mod settings;

pub use discover::{Component, Registry, Socket};
pub use error::DiscoverError;
pub use names::{module_id, namespace};
pub use registration::Location;
