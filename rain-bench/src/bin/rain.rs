//! The Rain server under test: the intents example's own `app()`, served on `RAIN_ADDR`
//! (default `127.0.0.1:3000`) until Ctrl-C or `SIGTERM`, with one more component linked in for
//! the binary round trip, which `App::discover()` finds as it finds the example's.

use rain_core::prelude::*;

/// The binary round trip.
#[component(name = "bench", version = "1.0")]
mod bench {
    use super::*;

    /// Acks every `bin` with the bytes it carried, which go back as one binary attachment.
    #[websocket("echo")]
    async fn echo(socket: SocketRef) {
        socket.on("bin", async |Data::<Bytes>(bytes)| Ack(bytes));
    }
}

#[tokio::main]
async fn main() -> Result<(), rain_core::Error> {
    intents_example::app()?.serve_from_env().await
}
