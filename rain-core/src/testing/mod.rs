//! Testing an app from Rust (the `testing` feature): the app served on 127.0.0.1 and clients
//! that speak Engine.IO v4 and Socket.IO v5 to it, as Phoenix's `ChannelTest` and axum-test's
//! `TestServer` do, over a real port and no mocks.
//!
//! - [`TestServer::start`] serves the app a function makes, on a free port; [`TestServer::restart`]
//!   stops it gracefully and serves a fresh one on the same port.
//! - [`TestServer::client`] opens a [`TestClient`], one browser page: one Engine.IO connection
//!   (a WebSocket at the app's Engine.IO path) with an `Origin`, a logged-in user, an `auth`
//!   payload, a timeout.
//! - [`TestClient::socket`] connects a component's socket, a namespace on that connection,
//!   named by Rain's own rule; a refusal is an error carrying its message.
//! - A [`TestSocket`] emits, acks and expects events by name, and answers the server's requests
//!   for an ack ([`TestSocket::expect_request`]); a [`TypedTestSocket`] does it with the types of
//!   an [`events!`](crate::events!) declaration, sending only what the server receives and
//!   expecting only what it emits.
//! - [`TestClient::cut`] loses the connection as a network change does, and
//!   [`TestClient::reconnect`] opens a new one, on which a recoverable socket connected again
//!   recovers what it missed ([`TestSocket::recovered`]). Its `rain:recovery` announcement is an
//!   event like any other, and the offsets on its events are taken off, as the browser runtime
//!   takes them off.
//!
//! Every wait lasts at most the client's timeout (1 s by default) and fails with a
//! [`TestError`] that says what arrived instead.
//!
//! ```no_run
//! use rain_core::{prelude::*, session::User, testing::TestServer};
//!
//! #[component(name = "chat", version = "1.0")]
//! mod chat {
//!     use super::*;
//!
//!     #[websocket("room")]
//!     async fn room(socket: SocketRef) {
//!         socket.join("lobby");
//!         socket.on("say", async |socket: SocketRef, Data::<String>(words)| {
//!             socket.within("lobby").emit("said", &words).await.ok();
//!             words.len() // the ack
//!         });
//!     }
//! }
//!
//! #[tokio::test]
//! async fn what_one_says_the_room_hears() -> Result<(), rain_core::testing::TestError> {
//!     let server = TestServer::start(App::discover).await?;
//!     let ada = server.client().session(User::new("1", "Ada")).connect().await?;
//!     let bob = server.client().connect().await?;
//!     let ada_room = ada.socket("chat-1.0", "room").await?;
//!     let bob_room = bob.socket("chat-1.0", "room").await?;
//!
//!     assert_eq!(ada_room.emit_with_ack("say", "hello").await?, json!(5));
//!     assert_eq!(bob_room.expect("said").await?, json!("hello"));
//!     bob_room.expect_none("said", std::time::Duration::from_millis(100)).await?;
//!     Ok(())
//! }
//! # fn main() {}
//! ```
//!
//! # Why not `rust_socketio`
//!
//! It opens one Engine.IO connection per namespace, while a page multiplexes all its sockets on
//! one (which is what Rain's connection limits, presence and shutdown see), and it pulls
//! reqwest and a TLS stack into every test build. The client side of the two protocols is small:
//! here it mirrors `client/protocol.js`, Rain's own browser client, over tokio-tungstenite,
//! which the server already depends on.
//!
//! # Not covered
//!
//! HTTP long-polling: the client always opens a WebSocket, so an app whose
//! [`EngineSettings::transports`](crate::EngineSettings) is `Polling` cannot be tested with it.

mod client;
mod connection;
mod error;
mod http;
mod request;
mod server;
mod socket;
mod typed;
mod wire;

pub use client::{ClientBuilder, DEFAULT_TIMEOUT, SocketRequest, TestClient};
pub use error::TestError;
pub use request::AckRequest;
pub use server::TestServer;
pub use socket::TestSocket;
pub use typed::{ExpectedEvent, SentEvent, TypedAckRequest, TypedTestSocket, Waiting};
