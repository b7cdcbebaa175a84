//! What the macros register at link time, and the [`Registry`] collected from it at startup.
//!
//! `#[component]`, `#[websocket]` and `#[intent]` each submit one constant registration through `inventory`
//! (`registration`, reached by generated code through `__private`). [`Registry::discover`]
//! gathers them once, sorts them (link order is unspecified), derives every module id and
//! namespace by the naming rules ([`module_id`], [`namespace`]; all of them in one file), and
//! reports duplicates with both source locations ([`DiscoverError`]). A socket's event
//! declarations, when it has them, are data here too; the typed socket API is built on them. So is
//! what a socket sets for itself over the app's limits (`settings`), resolved when it is mounted.
//! Several versions of one component live side by side; a reference by name and version fragment
//! (`chat@1`) is resolved among them by one rule ([`resolve`], [`Registry::resolve`]). The
//! intents that components serve, by category and action, are found with them ([`Intent`],
//! [`Registry::intents`]), and all sent on one namespace of Rain's own ([`intents_namespace`]).

pub(crate) mod discover;
mod error;
pub(crate) mod events;
#[cfg(test)]
pub(crate) mod fixtures;
pub(crate) mod intents;
pub(crate) mod names;
pub(crate) mod registration;
pub(crate) mod settings;
pub(crate) mod versions;

pub use discover::{Component, Registry, Socket};
pub use error::DiscoverError;
pub(crate) use error::LINKING_HINT;
pub use intents::Intent;
pub use names::{
    INTENTS_SOCKET, RAIN_MODULE_ID, intents_namespace, module_id, namespace, reference,
};
pub use registration::Location;
pub use versions::{ResolveError, resolve};
