//! The base layer: what every other layer stands on, importing none of them.
//!
//! The Socket.IO adapter and the types named after it ([`adapter`], [`cluster`]), binary payloads
//! ([`binary`]), the `RAIN_*` reader ([`env`]), the engine settings ([`engine`]), acks ([`ack`]),
//! limits ([`limits`]), the shutdown drain ([`shutdown`]), the app's shared state ([`state`]), the metrics handles ([`metrics`]) and
//! the TypeScript collector ([`typescript`]). Nothing here
//! knows of sockets' pipelines, registrations or the app.

pub mod ack;
pub(crate) mod adapter;
pub mod binary;
pub mod cluster;
pub mod engine;
pub(crate) mod env;
pub mod limits;
pub mod metrics;
pub mod recovery;
pub mod shutdown;
pub mod state;
pub(crate) mod typescript;
