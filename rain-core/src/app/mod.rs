//! The app layer, on top: everything that turns the registry into a served application.
//!
//! The [`App`](builder::App) builder, its environment settings ([`serve`]) and command line
//! ([`cli`]); the router and its mount chain ([`router`]); the HTTP routes ([`routes`]); what a
//! request must pass before it reaches Socket.IO ([`admission`], [`origin`]); pages ([`page`]),
//! the `/rain` page ([`introspection`]), component files ([`assets`]), the bindings generator
//! ([`bindings`]) and the served browser runtime ([`runtime`], stripped by [`strip`]); the
//! startup table ([`startup`]); and the top [`Error`](error::Error), which wraps each layer's own.

pub(crate) mod admission;
pub(crate) mod assets;
pub mod bindings;
pub(crate) mod builder;
pub(crate) mod cli;
pub(crate) mod error;
pub(crate) mod introspection;
pub mod origin;
pub(crate) mod page;
mod read_ahead;
pub(crate) mod redis;
pub(crate) mod router;
pub(crate) mod routes;
pub(crate) mod runtime;
pub(crate) mod serve;
pub(crate) mod startup;
mod states;
pub(crate) mod strip;
