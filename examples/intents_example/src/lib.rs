//! The intents example: RAIN's `intents-example` component, whose socket answers `hello` with
//! `bye`, and a `chat` component whose controller also reaches the intents example's socket.
//!
//! [`app`] builds the app; `main.rs` serves it. Tests call [`app`] too.

use rain_core::prelude::*;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What a client sends to greet the server.
#[derive(Debug, Deserialize, TS)]
pub struct Hello {
    /// Whatever the client likes; the server ignores it.
    #[ts(optional)]
    pub ignored: Option<bool>,
}

/// How the server takes its leave.
#[derive(Debug, Serialize, TS)]
pub struct Bye {
    /// Always `Hello sir`.
    pub message: String,
}

/// Who the server takes a client for.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    /// The client's socket id.
    pub socket_id: String,
    /// The namespace it is connected to.
    pub namespace: String,
}

rain_core::events! {
    /// The events of `chat/dummy socket`.
    pub Greetings {
        /// A client greets the server.
        hello: receive Hello,
        /// The server's answer to every `hello`.
        bye: emit Bye,
        /// A client asks who it is; the ack tells.
        whoami: receive () => Identity,
    }
}

/// The intents example component.
#[component(
    name = "intents-example",
    version = "1.0",
    assets = "components/intents-example"
)]
pub mod intents_example {
    use super::*;

    /// Answers every `hello` with a `bye`.
    #[websocket("chat/dummy socket")]
    async fn dummy_socket(socket: TypedSocket<Greetings>) {
        socket.on(Greetings::hello, async |socket, _hello| {
            let bye = Bye {
                message: "Hello sir".to_owned(),
            };
            socket.emit(Greetings::bye, &bye).ok();
        });
        socket.on(Greetings::whoami, async |socket, ()| Identity {
            socket_id: socket.socket().id.to_string(),
            namespace: socket.socket().ns().to_owned(),
        });
    }
}

/// A chat room.
#[component(name = "chat", version = "1.0", assets = "components/chat")]
pub mod chat {
    use super::*;

    /// The room every client of this socket is in.
    const ROOM: &str = "everyone";

    /// Re-emits every `message` to everyone connected, the sender included, on every node; who
    /// is in the room is its presence (`rain:presence`).
    #[websocket("room")]
    async fn room(socket: SocketRef, _presence: Presence) {
        socket.join(ROOM);
        socket.on(
            "message",
            async |socket: SocketRef, Data::<Value>(message)| {
                if let Err(error) = socket.within(ROOM).emit("message", &message).await {
                    tracing::warn!(%error, "chat message not delivered");
                }
            },
        );
    }
}

/// The example app: both components, and a main page at `/` showing them together.
pub fn app() -> Result<App, rain_core::Error> {
    Ok(App::discover()?.page(
        "/",
        Page::new("Rain intents example")
            .view("intents-example-1.0", "index")
            .view("chat-1.0", "index"),
    ))
}

#[cfg(test)]
mod tests;
