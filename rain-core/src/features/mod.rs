//! The features layer: what Rain offers on top of a socket, each built on the layers below.
//!
//! Typed sockets ([`typed`], public as `rain_core::events`), sessions ([`session`]: the signed
//! cookie, its HTTP and socket extractors, its guards), presence ([`presence`], which names
//! members by their session's user) and intents ([`intents`]: the one socket every intent is sent
//! on, each answered by the server function or view of the component that provides it). None of them is needed by the socket or registry layers;
//! the app layer wires them in.

pub mod intents;
pub mod presence;
pub mod session;
pub mod typed;
