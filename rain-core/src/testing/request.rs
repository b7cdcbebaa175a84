//! [`AckRequest`]: an event the server sent with `emit_with_ack`, which the test answers, as a
//! page's listener answers through its callback.

use std::sync::Arc;

use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

use super::{
    connection::{Connection, Namespace},
    error::TestError,
    socket::TestSocket,
    wire::{self, Kind, Received},
};

/// An event the server sent asking for an ack ([`SocketRef::emit_with_ack`], or
/// [`TypedSocket::emit_with_ack`](crate::TypedSocket::emit_with_ack)):
/// [`TestSocket::expect_request`] gives it; [`AckRequest::ack`] answers it.
///
/// The server waits for the answer until its ack timeout (`RAIN_ACK_TIMEOUT`, 5 s by default),
/// so a request dropped unanswered is the server's timeout, as a page that never calls back.
///
/// [`SocketRef::emit_with_ack`]: crate::SocketRef
#[must_use = "the server waits for the answer until its ack timeout"]
pub struct AckRequest {
    connection: Arc<Connection>,
    namespace: Arc<Namespace>,
    id: u64,
    received: Received,
}

impl std::fmt::Debug for AckRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AckRequest")
            .field("namespace", &self.namespace.name)
            .field("event", &self.received.event)
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl AckRequest {
    /// The event's name.
    pub fn event(&self) -> &str {
        &self.received.event
    }

    /// Its payload, as [`TestSocket::expect`] gives one.
    pub fn payload(&self) -> Value {
        self.received.payload()
    }

    /// Its payload deserialized as `T`, as [`TestSocket::expect_as`] gives one.
    pub fn payload_as<T: DeserializeOwned>(&self) -> Result<T, TestError> {
        self.received
            .decode()
            .map_err(|message| TestError::Payload {
                what: format!("`{}`", self.received.event),
                namespace: self.namespace.name.clone(),
                ty: std::any::type_name::<T>(),
                message,
                payload: self.received.shown(),
            })
    }

    /// Answers the request with `answer`, which the server's `emit_with_ack` deserializes: a
    /// tuple as several arguments, anything else as one, every [`Bytes`](crate::Bytes) an
    /// attachment (as [`TestSocket::emit`] sends a payload).
    pub fn ack<T: Serialize + ?Sized>(self, answer: &T) -> Result<(), TestError> {
        let (json, attachments) =
            wire::args_json(None, answer).map_err(|message| TestError::Serialize {
                event: format!("the ack of {}", self.received.event),
                message,
            })?;
        self.connection.send(
            Kind::Ack,
            &self.namespace.name,
            Some(self.id),
            &json,
            attachments,
        )
    }
}

impl TestSocket {
    /// The next `event` the server sent asking for an ack, to answer with [`AckRequest::ack`].
    ///
    /// An `event` sent without asking for one is an error, [`TestError::NoAckRequested`]: the
    /// server's code does not wait for what the test would answer. (And [`TestSocket::expect`]
    /// takes a request as any event, leaving it unanswered.)
    pub async fn expect_request(&self, event: &str) -> Result<AckRequest, TestError> {
        let received = self.next(event).await?;
        let Some(id) = received.ack_id else {
            return Err(TestError::NoAckRequested {
                event: event.to_owned(),
                namespace: self.namespace.name.clone(),
                payload: received.shown(),
            });
        };
        Ok(AckRequest {
            connection: self.connection.clone(),
            namespace: self.namespace.clone(),
            id,
            received,
        })
    }
}
