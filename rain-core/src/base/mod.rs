//! The base layer: what every other layer stands on, importing none of them.
//!
//! The Socket.IO adapter and the types named after it ([`adapter`], [`cluster`]), the `RAIN_*`
//! reader ([`env`]), acks ([`ack`]), limits ([`limits`]), the shutdown drain ([`shutdown`]), the
//! metrics handles ([`metrics`]) and the TypeScript collector ([`typescript`]). Nothing here
//! knows of sockets' pipelines, registrations or the app.

pub mod ack;
pub(crate) mod adapter;
pub mod cluster;
pub(crate) mod env;
pub mod limits;
pub mod metrics;
pub mod shutdown;
pub(crate) mod typescript;
