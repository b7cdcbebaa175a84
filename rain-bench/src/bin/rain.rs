//! The Rain server under test: the intents example's own `app()`, served on `RAIN_ADDR`
//! (default `127.0.0.1:3000`) until Ctrl-C or `SIGTERM`, with one more component linked in for
//! the binary round trip and the broadcast, which `App::discover()` finds as it finds the
//! example's.

use rain_core::prelude::*;
use rain_core::session::MaybeUser;

/// The binary round trip.
#[component(name = "bench", version = "1.0")]
mod bench {
    use super::*;

    /// Acks every `bin` with the bytes it carried, which go back as one binary attachment.
    #[websocket("echo")]
    async fn echo(socket: SocketRef) {
        socket.on("bin", async |Data::<Bytes>(bytes)| Ack(bytes));
    }

    /// The broadcast: the example chat's room without its history (a database is not what the
    /// benchmark compares): presence, recovery for 2 minutes, every `message` signed with the
    /// sender's name when logged in and re-emitted to everyone in the room, on every node.
    #[websocket("room", recover = "2m")]
    async fn room(socket: SocketRef, _presence: Presence) {
        socket.join("everyone");
        socket.on(
            "message",
            async |socket: SocketRef, MaybeUser(user): MaybeUser, Data::<Value>(mut message)| {
                if let (Some(user), Some(fields)) = (user, message.as_object_mut()) {
                    fields.insert("from".to_owned(), user.name.into());
                }
                socket.within("everyone").emit("message", &message).await
            },
        );
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The example's chat keeps a history; the benchmark's broadcast is `bench`'s room.
    let history = intents_example::History::connect("sqlite::memory:").await?;
    intents_example::app(history)?.serve_from_env().await?;
    Ok(())
}
