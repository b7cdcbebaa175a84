use rain_core::prelude::*;

#[component(name = "game", version = "1.0")]
mod game {
    use super::*;

    #[websocket("table")]
    async fn table(socket: SocketRef) {
        socket.on("score", async |points: u32| points);
    }
}

fn main() {}
