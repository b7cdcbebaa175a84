use rain_core::prelude::*;

/// Greets whoever connects.
#[component(name = "intents-example", version = "1.0")]
mod intents_example {
    use super::*;

    /// Answers every `hello` with a `bye`.
    #[websocket("chat/dummy socket")]
    async fn dummy_socket(socket: SocketRef) {
        socket.on("hello", async |socket: SocketRef| {
            socket.emit("bye", &json!({ "message": "Hello sir" })).ok();
        });
    }
}

fn main() {}
