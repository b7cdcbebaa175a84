//! The intents example: RAIN's `intents-example` component, whose socket answers `hello` with
//! `bye`, and a `chat` component whose controller also reaches the intents example's socket.
//!
//! [`app`] builds the app; `main.rs` serves it. Tests call [`app`] too.

use rain_core::prelude::*;

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
    async fn dummy_socket(socket: SocketRef) {
        socket.on("hello", async |socket: SocketRef| {
            socket.emit("bye", &json!({ "message": "Hello sir" })).ok();
        });
    }
}

/// A chat room.
#[component(name = "chat", version = "1.0", assets = "components/chat")]
pub mod chat {
    use super::*;

    /// The room every client of this socket is in.
    const ROOM: &str = "everyone";

    /// Re-emits every `message` to everyone connected, the sender included.
    #[websocket("room")]
    async fn room(socket: SocketRef) {
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
