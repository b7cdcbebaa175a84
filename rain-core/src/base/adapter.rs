//! The Socket.IO types every layer names: the adapter, the server, the ack sender.

/// The Socket.IO adapter every socket of an app runs on: this node's alone, or shared with the
/// other nodes through Redis ([`App::redis`](crate::App::redis), `RAIN_REDIS_URL`; see
/// [`cluster`](crate::cluster)).
///
/// Handlers name it only through Rain's types ([`SocketRef`](crate::SocketRef),
/// [`SocketIo`], [`AckSender`]), so running on several nodes changes no handler.
pub type Adapter = super::cluster::NodeAdapter;

/// The Socket.IO server, as handlers receive it.
pub type SocketIo = socketioxide::SocketIo<Adapter>;

/// What acknowledges an event the client sent with a callback, as handlers receive it.
pub type AckSender = socketioxide::extract::AckSender<Adapter>;
