//! The features layer: what Rain offers on top of a socket, each built on the layers below.
//!
//! Typed sockets ([`typed`], public as `rain_core::events`), sessions ([`session`]: the signed
//! cookie, its HTTP and socket extractors, its guards) and presence ([`presence`], which names
//! members by their session's user). None of them is needed by the socket or registry layers;
//! the app layer wires them in.

pub mod presence;
pub mod session;
pub mod typed;
