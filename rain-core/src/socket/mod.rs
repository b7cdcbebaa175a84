//! The socket layer: one connected socket, from its admission to each event's ack.
//!
//! Built on the base layer only. [`SocketRef`](socket_ref::SocketRef) is the socket handlers
//! receive; [`on`] registers an [`EventHandler`](handler::EventHandler); every event then goes
//! the steps of [`pipeline`] (rate limit, event guards, extraction, the handler in its own task,
//! the ack). A socket is mounted by [`mount`], admitted by its connect [`guard`]s, given its
//! [`state`] (with the [`config`] of its `#[websocket]`), started inline by [`connect`], and its
//! early events are held by [`early`]. The [`rate`] limit, the [`idle`] watch and the catching
//! of [`panic`]s each have their file.

pub(crate) mod config;
pub(crate) mod connect;
pub(crate) mod departure;
pub(crate) mod early;
pub mod guard;
pub(crate) mod handler;
pub(crate) mod idle;
pub(crate) mod mount;
pub(crate) mod on;
pub(crate) mod panic;
pub(crate) mod pipeline;
pub(crate) mod rate;
pub(crate) mod recover;
pub(crate) mod socket_ref;
pub(crate) mod state;
