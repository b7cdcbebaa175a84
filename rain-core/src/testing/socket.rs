//! [`TestSocket`]: one namespace of a test client, untyped: events by name, payloads as JSON.

use std::{sync::Arc, time::Duration};

use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

use super::{
    connection::{Connection, Missed, Namespace},
    error::TestError,
    wire::{self, Kind, Received},
};

/// One socket of a [`TestClient`](super::TestClient): a Socket.IO namespace on the client's
/// connection, as a page's `Socket`.
///
/// Every event the server sends waits in order until a test expects it ([`TestSocket::expect`]
/// takes the first of its name, leaving the others), so none is lost for arriving early. Every
/// wait ends after the client's timeout (1 s unless
/// [`ClientBuilder::timeout`](super::ClientBuilder::timeout) says otherwise) with a
/// [`TestError::Timeout`] listing what arrived instead.
///
/// A payload is sent as socketioxide sends one: a tuple as several arguments, anything else as
/// one, and every [`Bytes`](crate::Bytes) or [`Binary`](crate::Binary) in it as a binary
/// attachment. A payload received is the one argument, `null` for none, an array for several;
/// in [`TestSocket::expect`]'s JSON an attachment is an array of its bytes, and
/// [`TestSocket::expect_as`] gives it as `Bytes`. The server's requests for an ack
/// (`emit_with_ack` to the client) are answered through [`TestSocket::expect_request`].
/// [`TestSocket::typed`] types the socket by an [`events!`](crate::events!) declaration.
pub struct TestSocket {
    pub(super) connection: Arc<Connection>,
    pub(super) namespace: Arc<Namespace>,
    pub(super) id: String,
    pub(super) timeout: Duration,
    pub(super) recovered: bool,
    pub(super) recovery_failure: Option<String>,
}

impl std::fmt::Debug for TestSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestSocket")
            .field("namespace", &self.namespace.name)
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl TestSocket {
    /// The namespace, e.g. `/chat-1.0/room`.
    pub fn namespace(&self) -> &str {
        &self.namespace.name
    }

    /// The socket's id, as the server's `SocketRef::id` has it.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Whether this socket recovered its session: connected after a
    /// [`TestClient::reconnect`](super::TestClient::reconnect), it asked to, and the server gave
    /// it back its rooms and what it missed (as the browser runtime's `socket.recovered`).
    pub fn recovered(&self) -> bool {
        self.recovered
    }

    /// Why the server could not recover the session this socket asked for (e.g. `"unknown or
    /// expired session"`); `None` when it recovered or did not ask (the runtime's
    /// `socket.recoveryFailure`).
    pub fn recovery_failure(&self) -> Option<&str> {
        self.recovery_failure.as_deref()
    }

    /// Sends `event` with `payload`.
    pub fn emit<T: Serialize + ?Sized>(&self, event: &str, payload: &T) -> Result<(), TestError> {
        self.send(event, payload, None)
    }

    /// Sends `event` with `payload` and an ack id, and waits for the ack: its payload (what the
    /// handler returned).
    pub async fn emit_with_ack<T: Serialize + ?Sized>(
        &self,
        event: &str,
        payload: &T,
    ) -> Result<Value, TestError> {
        Ok(self.ack(event, payload).await?.payload())
    }

    /// [`TestSocket::emit_with_ack`], the ack deserialized as `A`.
    pub async fn emit_with_ack_as<A: DeserializeOwned, T: Serialize + ?Sized>(
        &self,
        event: &str,
        payload: &T,
    ) -> Result<A, TestError> {
        let ack = self.ack(event, payload).await?;
        self.decode(&ack, &format!("the ack of `{event}`"))
    }

    /// The payload of the next `event` the server sends (or sent already and no test expected).
    pub async fn expect(&self, event: &str) -> Result<Value, TestError> {
        Ok(self.next(event).await?.payload())
    }

    /// [`TestSocket::expect`], the payload deserialized as `T`, as `Data<T>` reads one on the
    /// server (binary attachments in their `Bytes`).
    pub async fn expect_as<T: DeserializeOwned>(&self, event: &str) -> Result<T, TestError> {
        let received = self.next(event).await?;
        self.decode(&received, &format!("`{event}`"))
    }

    /// Checks that no `event` arrives within `within` (nor has arrived unexpected).
    pub async fn expect_none(&self, event: &str, within: Duration) -> Result<(), TestError> {
        match self.namespace.next(event, within).await {
            Ok(received) => Err(TestError::Unexpected {
                event: event.to_owned(),
                namespace: self.namespace.name.clone(),
                payload: received.shown(),
            }),
            Err(Missed::TimedOut | Missed::Gone(_)) => Ok(()),
        }
    }

    /// Waits for the server to disconnect this socket (or the connection to close), and says
    /// why; the events that arrived before stay expectable.
    pub async fn expect_disconnect(&self) -> Result<String, TestError> {
        self.namespace
            .gone(self.timeout)
            .await
            .map_err(|_| self.timed_out("disconnect".to_owned()))
    }

    /// Disconnects this socket (Socket.IO `DISCONNECT`), as a page's `socket.disconnect()`:
    /// the server runs its disconnect handlers; the namespace can be connected again on the
    /// same client.
    pub async fn disconnect(self) {
        self.connection.leave(&self.namespace);
        // Gives the packet a turn to leave before the caller checks its effects.
        tokio::task::yield_now().await;
    }

    pub(super) fn send<T: Serialize + ?Sized>(
        &self,
        event: &str,
        payload: &T,
        id: Option<u64>,
    ) -> Result<(), TestError> {
        let (json, attachments) =
            wire::args_json(Some(event), payload).map_err(|message| TestError::Serialize {
                event: event.to_owned(),
                message,
            })?;
        self.connection
            .send(Kind::Event, &self.namespace.name, id, &json, attachments)
    }

    pub(super) async fn ack<T: Serialize + ?Sized>(
        &self,
        event: &str,
        payload: &T,
    ) -> Result<Received, TestError> {
        let (id, acked) = self.connection.expect_ack(&self.namespace);
        self.send(event, payload, Some(id))?;
        match tokio::time::timeout(self.timeout, acked).await {
            Ok(Ok(ack)) => Ok(ack),
            Ok(Err(_)) => Err(self.namespace.disconnected(self.namespace.gone_reason())),
            Err(_) => Err(self.timed_out(format!("ack of `{event}`"))),
        }
    }

    pub(super) async fn next(&self, event: &str) -> Result<Received, TestError> {
        self.namespace
            .next(event, self.timeout)
            .await
            .map_err(|missed| match missed {
                Missed::Gone(reason) => self.namespace.disconnected(reason),
                Missed::TimedOut => self.timed_out(format!("`{event}`")),
            })
    }

    pub(super) fn decode<T: DeserializeOwned>(
        &self,
        received: &Received,
        what: &str,
    ) -> Result<T, TestError> {
        received.decode().map_err(|message| TestError::Payload {
            what: what.to_owned(),
            namespace: self.namespace.name.clone(),
            ty: std::any::type_name::<T>(),
            message,
            payload: received.shown(),
        })
    }

    fn timed_out(&self, what: String) -> TestError {
        TestError::Timeout {
            what,
            namespace: self.namespace.name.clone(),
            within: self.timeout,
            arrived: self.namespace.arrived(),
        }
    }
}
